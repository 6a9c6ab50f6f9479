# SPDX-License-Identifier: GPL-3.0-or-later
"""The calculator commands of the real CLI, without a daemon: `fristvakt deadline` and
`fristvakt holidays`, as a case worker would use them."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from fvtest import FRISTVAKT, SOURCE_DIR, main, need_root

CONFIG = os.path.join(SOURCE_DIR, "etc", "fristvakt.conf")


def run(*args):
    # No daemon and no system configuration: the calculator must not need either.
    return subprocess.run([FRISTVAKT] + list(args), capture_output=True, text=True,
                          timeout=30, env=dict(os.environ, FRISTVAKT_SOCKET="/nonexistent"))


class DeadlineTest(unittest.TestCase):
    # Worked examples of domstolloven §§ 148-149: (from, period, due).
    WORKED = [
        ("2026-03-02", "3w", "2026-03-23"),
        ("2026-03-12", "3w", "2026-04-07"),
        ("2026-04-23", "3w", "2026-05-15"),
        ("2026-04-19", "4w", "2026-05-18"),
        ("2026-04-27", "4w", "2026-05-26"),
        ("2026-12-03", "3w", "2026-12-24"),
        ("2028-01-31", "1m", "2028-02-29"),
        ("2026-03-31", "1m", "2026-04-30"),
        ("2026-03-02", "14d", "2026-03-16"),
    ]

    def test_worked_examples_json(self):
        for start, period, due in self.WORKED:
            p = run("deadline", "--from", start, "--period", period, "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            r = json.loads(p.stdout)
            self.assertEqual(r["due"], due, (start, period))
            self.assertEqual(r["from"], start)
            self.assertEqual(r["period"], period)

    def test_explanation_in_words(self):
        p = run("deadline", "--from", "2026-03-12", "--period", "3w")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2026-04-07", p.stdout.splitlines()[0])
        for step in ("2026-04-02 skjærtorsdag → 2026-04-03", "2026-04-03 langfredag",
                     "2026-04-04 lørdag", "2026-04-05 første påskedag",
                     "2026-04-06 annen påskedag → 2026-04-07"):
            self.assertIn(step, p.stdout)
        # No configuration: the counting is built in, explained without a citation.
        self.assertIn("Telling: dagen fristen løper fra, telles ikke med", p.stdout)
        self.assertNotIn("§", p.stdout)
        self.assertNotIn("Hjemmel", p.stdout)
        self.assertEqual(p.stderr, "")
        p = run("deadline", "--from", "2026-04-19", "--period", "4w", "--json")
        r = json.loads(p.stdout)
        self.assertEqual(r["raw_end"], "2026-05-17")
        self.assertEqual(r["steps"], [{"day": "2026-05-17", "why": "grunnlovsdag",
                                       "to": "2026-05-18"}])

    def test_citation_from_config(self):
        # The shipped configuration names the counting rules; none is hard-coded.
        p = run("-c", CONFIG, "deadline", "--from", "2026-03-12", "--period", "3w")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Hjemmel: domstolloven §§ 148–149.", p.stdout.splitlines())
        p = run("-c", CONFIG, "deadline", "--from", "2026-03-12", "--period", "3w", "--json")
        self.assertEqual(json.loads(p.stdout)["source"], "domstolloven §§ 148–149")
        p = run("deadline", "--from", "2026-03-12", "--period", "3w", "--json")
        self.assertIsNone(json.loads(p.stdout)["source"])
        # A renumbered law: a new version from its first day, the old one kept for
        # periods that ran from before it; a version may name no counting citation.
        etc = os.path.join(tempfile.mkdtemp(prefix="fristvakt-calc-"), "etc")
        self.addCleanup(shutil.rmtree, os.path.dirname(etc))
        shutil.copytree(os.path.join(SOURCE_DIR, "etc"), etc)
        rules = os.path.join(etc, "rules.conf")
        with open(rules) as f:
            text = f.read()
        first = text.index("\ncitations = (")
        end = text.index("\n);\n", first) + 4
        with open(rules, "w") as f:
            f.write(text[:first] + '\ncitations = (\n'
                    '  { valid_from = "1970-01-01"; counting = "gammel lov § 1"; },\n'
                    '  { valid_from = "2027-01-01"; counting = "ny lov § 2"; },\n'
                    '  { valid_from = "2030-01-01"; }\n'
                    ');\n' + text[end:])
        conf = os.path.join(etc, "fristvakt.conf")
        for start, want in (("2026-12-31", "gammel lov § 1"), ("2027-01-01", "ny lov § 2"),
                            ("2030-01-01", None)):
            p = run("-c", conf, "deadline", "--from", start, "--period", "3w", "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["source"], want, start)
        p = run("-c", conf, "deadline", "--from", "2027-01-01", "--period", "3w")
        self.assertIn("Hjemmel: ny lov § 2.", p.stdout)
        # A configuration that does not load costs the citation, not the answer...
        with open(rules, "w") as f:
            f.write(text[:first] + '\ncitations = ( { valid_from = "2027-13-01"; } );\n'
                    + text[end:])
        p = run("-c", conf, "deadline", "--from", "2026-03-12", "--period", "3w", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["due"], "2026-04-07")
        self.assertIsNone(json.loads(p.stdout)["source"])
        self.assertIn("no citation", p.stderr)
        # ...except when --calendar needs it.
        p = run("-c", conf, "deadline", "--from", "2026-03-12", "--period", "3w",
                "--calendar", "kontor")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")

    def test_office_calendar(self):
        # 24 December is an ordinary working day in law, but the shipped office calendar
        # "kontor" closes it: only when asked for does it move the deadline.
        p = run("deadline", "--from", "2026-12-03", "--period", "3w", "--json")
        self.assertEqual(json.loads(p.stdout)["due"], "2026-12-24")
        p = run("-c", CONFIG, "deadline", "--from", "2026-12-03", "--period", "3w",
                "--calendar", "kontor", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual(r["due"], "2026-12-28")
        self.assertEqual(r["calendar"], "kontor")
        self.assertEqual(r["steps"][0], {"day": "2026-12-24", "why": "julaften",
                                         "to": "2026-12-25"})
        p = run("-c", CONFIG, "deadline", "--from", "2026-12-03", "--period", "3w",
                "--calendar", "nosuch")
        self.assertEqual(p.returncode, 2)
        self.assertIn("kontor", p.stderr)

    def test_office_calendars_not_applied_are_named(self):
        """Without --calendar the answer says which office calendars it left out."""
        p = run("-c", CONFIG, "deadline", "--from", "2026-12-03", "--period", "3w", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual((r["due"], r["calendar"], r["calendars_not_applied"]),
                         ("2026-12-24", None, ["kontor"]))
        p = run("-c", CONFIG, "deadline", "--from", "2026-12-03", "--period", "3w",
                "--calendar", "kontor", "--json")
        self.assertEqual(json.loads(p.stdout)["calendars_not_applied"], [])
        p = run("-c", CONFIG, "deadline", "--from", "2026-12-03", "--period", "3w")
        self.assertIn("Kontorkalendere ikke regnet med (--calendar NAVN tar én med): kontor.",
                      p.stdout.splitlines())
        # No configuration: no calendars to name.
        p = run("deadline", "--from", "2026-12-03", "--period", "3w", "--json")
        self.assertEqual(json.loads(p.stdout)["calendars_not_applied"], [])

    def test_no_secrets_needed(self):
        """A user who may read the configuration but not the daemon's webhook secret gets
        the calendars and the citation: the calculator reads only the rules."""
        need_root(self)
        top = tempfile.mkdtemp(prefix="fristvakt-calc-")
        self.addCleanup(shutil.rmtree, top)
        os.chmod(top, 0o755)
        etc = os.path.join(top, "etc")
        shutil.copytree(os.path.join(SOURCE_DIR, "etc"), etc)
        secret = os.path.join(top, "hook.secret")
        with open(secret, "w") as f:
            f.write("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
        os.chmod(secret, 0o600)
        conf = os.path.join(etc, "fristvakt.conf")
        with open(conf) as f:
            text = f.read()
        text = text.replace("channels = (", 'channels = (\n\t{\n\t\tname = "hook";\n'
                            '\t\ttype = "webhook";\n\t\turl = "http://127.0.0.1:9/h";\n'
                            '\t\tsecret_file = "%s";\n\t}' % secret, 1)
        with open(conf, "w") as f:
            f.write(text)
        for dirpath, dirs, files in os.walk(etc):
            os.chmod(dirpath, 0o755)
            for name in files:
                os.chmod(os.path.join(dirpath, name), 0o644)

        def as_nobody(*args):
            return subprocess.run([FRISTVAKT, "-c", conf] + list(args), capture_output=True,
                                  text=True, timeout=30, user="nobody", group="nogroup",
                                  extra_groups=[], cwd="/",
                                  env=dict(os.environ, FRISTVAKT_SOCKET="/nonexistent"))

        # The daemon's own loader (root) takes the file, secret and all.
        p = run("-c", conf, "deadline", "--from", "2026-12-03", "--period", "3w", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = as_nobody("deadline", "--from", "2026-12-03", "--period", "3w", "--calendar",
                      "kontor", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        r = json.loads(p.stdout)
        self.assertEqual((r["due"], r["calendar"]), ("2026-12-28", "kontor"))
        self.assertEqual(r["source"], "domstolloven §§ 148–149")
        p = as_nobody("deadline", "--from", "2026-12-03", "--period", "3w", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        r = json.loads(p.stdout)
        self.assertEqual(r["source"], "domstolloven §§ 148–149")
        self.assertEqual(r["calendars_not_applied"], ["kontor"])

    def test_bad_input(self):
        bad = [
            (["--from", "2026-02-30", "--period", "3w"], "2026-02-30"),
            (["--from", "2025-02-29", "--period", "3w"], "2025-02-29"),
            (["--from", "2026-13-01", "--period", "3w"], "2026-13-01"),
            (["--from", "26-03-02", "--period", "3w"], "26-03-02"),
            (["--from", "1800-01-01", "--period", "3w"], "1800-01-01"),
            (["--from", "2026-03-02", "--period", "3x"], "3x"),
            (["--from", "2026-03-02", "--period", "-3w"], "-3w"),
            (["--from", "2026-03-02", "--period", "w"], "'w'"),
            (["--from", "2026-03-02", "--period", "100000d"], "100000d"),
            (["--from", "2026-03-02"], "--period"),
            (["--period", "3w"], "--from"),
            (["--from", "2026-03-02", "--period", "3w", "extra"], "extra"),
            (["--from", "2026-03-02", "--period", "3w", "--bogus"], "bogus"),
            (["--from", "2200-12-20", "--period", "4w"], "ends outside the years 1900-2200"),
        ]
        for args, word in bad:
            p = run("deadline", *args)
            self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
            self.assertEqual(p.stdout, "", args)
            self.assertIn(word, p.stderr, args)
            self.assertEqual(len(p.stderr.strip().splitlines()) >= 1, True)


class HolidaysTest(unittest.TestCase):
    def test_2026(self):
        p = run("holidays", "2026", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        days = {h["date"]: h["name"] for h in json.loads(p.stdout)}
        self.assertEqual(days, {
            "2026-01-01": "nyttårsdag", "2026-04-02": "skjærtorsdag",
            "2026-04-03": "langfredag", "2026-04-05": "første påskedag",
            "2026-04-06": "annen påskedag", "2026-05-01": "offentlig høytidsdag",
            "2026-05-14": "Kristi himmelfartsdag", "2026-05-17": "grunnlovsdag",
            "2026-05-24": "første pinsedag", "2026-05-25": "annen pinsedag",
            "2026-12-25": "første juledag", "2026-12-26": "annen juledag"})

    def test_table(self):
        p = run("holidays", "2027")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2027-03-28", p.stdout)
        self.assertIn("første påskedag", p.stdout)
        self.assertEqual(len(p.stdout.strip().splitlines()), 12)

    def test_bad_years(self):
        for year in ("1899", "2201", "3000", "abc", "2026x", ""):
            p = run("holidays", year)
            self.assertEqual(p.returncode, 2, year)
        self.assertEqual(run("holidays").returncode, 2)
        self.assertEqual(run("holidays", "2026", "2027").returncode, 2)


if __name__ == "__main__":
    main()
