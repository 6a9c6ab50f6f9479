# SPDX-License-Identifier: GPL-3.0-or-later
"""CLI conventions against the real daemon: options after the arguments, help for help,
listings that line up and page through with --all, what '!' marks, met_on in JSON rows,
and times that name their zone when it is not the configured one."""

import datetime
import json
import os
import re
import subprocess
from zoneinfo import ZoneInfo

from fvtest import FRISTVAKT, DaemonTest, main

try:
    import icalendar
except ImportError:  # Debian: apt-get install python3-icalendar
    icalendar = None


def columns(header):
    """The start offsets of the words of a table's header line."""
    starts, prev = [], " "
    for i, ch in enumerate(header):
        if ch != " " and prev == " ":
            starts.append(i)
        prev = ch
    return starts


class CliTest(DaemonTest):
    def register(self, ref, received="2026-01-05", **kw):
        """A case with a handler (so that reminders are planned for it)."""
        kw.setdefault("handler", "kari")
        args = ["case", "add", ref, "--service", "okonomisk-stonad", "--received", received]
        for k, v in kw.items():
            args += ["--" + k, v]
        self.d.cli(*args, check=0)

    def cli_conf(self, *args, env=None):
        """The CLI with the daemon's configuration (-c), not --socket: it then knows the
        configured time zone."""
        e = dict(os.environ)
        e.pop("FRISTVAKT_SOCKET", None)
        e.pop("TZ", None)
        e.update(env or {})
        return subprocess.run([FRISTVAKT, "-c", self.d.config] + list(args),
                              capture_output=True, text=True, timeout=60, cwd=self.d.dir,
                              env=e)

    def test_options_after_arguments(self):
        self.register("O-1")
        rid = self.d.cli_json("reminders", "list")["reminders"][0]["id"]
        for args in (["reminders", "show", str(rid), "--json"],
                     ["reminders", "show", "--json", str(rid)],
                     ["case", "show", "O-1", "--json"],
                     ["audit", "--json", "--limit", "1"],
                     ["status", "--json"]):
            p = self.d.cli(*args)
            self.assertEqual(p.returncode, 0, (args, p.stderr))
            json.loads(p.stdout)
        # The global options too, after the command and its arguments.
        e = dict(os.environ)
        e.pop("FRISTVAKT_SOCKET", None)
        for args in (["status", "--json", "-c", self.d.config],
                     ["reminders", "show", str(rid), "--config=" + self.d.config, "--json"],
                     ["case", "show", "O-1", "--socket", self.d.socket, "--json"],
                     ["deadlines", "--all", "-s", self.d.socket, "--json"]):
            p = subprocess.run([FRISTVAKT] + args, capture_output=True, text=True, timeout=60,
                               cwd=self.d.dir, env=e)
            self.assertEqual(p.returncode, 0, (args, p.stderr))
            json.loads(p.stdout)
        j = json.loads(self.d.cli("reminders", "show", str(rid), "--json", check=0).stdout)
        self.assertEqual(j["reminder"]["id"], rid)
        # An unknown option after the argument is still a usage error.
        p = self.d.cli("reminders", "show", str(rid), "--bogus")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--bogus'", p.stderr)

    def test_help_for_help(self):
        for args in (["help", "--help"], ["help", "-h"]):
            p = self.d.cli(*args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith("Usage: fristvakt [OPTIONS] help "), p.stdout)
        p = self.d.cli("help", "reminders", "list", check=0)
        self.assertIn("--all", p.stdout)

    def test_reminders_list_columns_line_up(self):
        # Kinds of different lengths (processing, preliminary_reply) and references too.
        self.register("K-1")
        self.register("a-much-longer-reference-2026/0001")
        p = self.d.cli("--lang", "en", "reminders", "list", check=0)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "STATE", "WHEN", "CASE", "KIND", "STAGE",
                                            "CHANNEL"])
        starts = columns(lines[0])
        kinds = set()
        self.assertGreaterEqual(len(lines), 5, p.stdout)
        for line in lines[1:]:
            for s in starts[1:]:
                self.assertEqual(line[s - 1], " ", (line, s))
                self.assertNotEqual(line[s], " ", (line, s))
            kinds.add(line[starts[4]:starts[5]].strip())
        self.assertEqual(kinds, {"processing", "preliminary_reply"})

    def test_all_pages(self):
        # Received today: each case holds the first reminder of its two deadlines, and
        # none is due (so none is sent, and the next planned, while the test pages).
        today = datetime.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
        for i in range(3):
            self.register("P-%d" % i, received=today)
        every = self.d.cli_json("reminders", "list")["reminders"]
        self.assertEqual(len(every), 6)
        p = self.d.cli("reminders", "list", "--limit", "2", "--lang", "en", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 3, p.stdout)
        self.assertIn("--all lists every page", p.stderr)
        p = self.d.cli("reminders", "list", "--limit", "2", "--all", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 7, p.stdout)
        self.assertEqual(p.stderr, "")
        j = self.d.cli_json("reminders", "--limit", "2", "--all")
        self.assertEqual([r["id"] for r in j["reminders"]], [r["id"] for r in every])
        # The audit log: three registrations, one a page.
        p = self.d.cli("audit", "--limit", "1", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 2, p.stdout)
        self.assertIn("--all viser alle sidene", p.stderr)
        p = self.d.cli("audit", "--limit", "1", "--all", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 4, p.stdout)
        j = self.d.cli_json("audit", "--limit", "1", "--all")
        self.assertEqual([e["reference"] for e in j["entries"]], ["P-2", "P-1", "P-0"])
        self.assertIsNone(j["next"])

    def test_overdue_marker_and_met_on(self):
        """'!' marks an overdue deadline (past its date, not met), as the help says; one
        met too late is missed but not overdue, and its JSON row says when it was met."""
        self.register("M-1")
        self.register("M-2")
        self.d.cli("reply", "add", "M-1", "--sent", "2026-03-01", "--promised", "2026-03-20",
                   check=0)
        self.assertIn("'!' marks an overdue", self.d.cli("deadlines", "--help").stdout)
        rows = self.d.cli_json("deadlines", "--kind", "preliminary_reply")["deadlines"]
        by_ref = {r["reference"]: r for r in rows}
        self.assertEqual((by_ref["M-1"]["state"], by_ref["M-1"]["met_on"]),
                         ("missed", "2026-03-01"))
        self.assertEqual((by_ref["M-2"]["state"], by_ref["M-2"]["met_on"]), ("missed", None))
        overdue = self.d.cli_json("deadlines", "--overdue", "--kind",
                                  "preliminary_reply")["deadlines"]
        self.assertEqual([r["reference"] for r in overdue], ["M-2"])
        p = self.d.cli("deadlines", "--kind", "preliminary_reply", check=0)
        lines = p.stdout.splitlines()
        ref_col = columns(lines[1])[3]  # DUE, DAYS, STATE, REFERENCE: the marker has none
        marks = {line[ref_col:].split()[0]: line[0] for line in lines[2:]}
        self.assertEqual(marks, {"M-1": " ", "M-2": "!"}, p.stdout)

    def test_times_name_their_zone(self):
        self.register("Z-1", received="2026-03-02T09:15:00+01:00")
        # The configured zone (Europe/Oslo, from -c): times as they are.
        p = self.cli_conf("reminders", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        when = p.stdout.splitlines()[1].split()[2:4]
        self.assertRegex(" ".join(when), r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        p = self.cli_conf("audit", env={"TZ": "Europe/Oslo"})
        self.assertRegex(p.stdout.splitlines()[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d  Register")
        # Another zone in TZ: every time says which.
        p = self.cli_conf("reminders", "list", env={"TZ": "UTC"})
        self.assertRegex(p.stdout.splitlines()[1], r"\d\d:\d\d UTC ")
        p = self.cli_conf("audit", env={"TZ": "America/New_York"})
        self.assertRegex(p.stdout.splitlines()[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T ")
        # Only the socket, no configuration: the zone is not known to be the configured one.
        p = self.d.cli("audit", check=0)
        self.assertRegex(p.stdout.splitlines()[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d \S+ ")



def ics_events(data):
    """The components of an iCalendar text checked against RFC 5545's structure (CRLF lines
    of at most 75 octets, BEGIN/END nested, VERSION and PRODID, at least one component),
    as [(name, {property: value})] of the unfolded lines; also parsed by python3-icalendar
    when it is installed."""
    raw = data.encode()
    assert raw.endswith(b"\r\n"), raw[-20:]
    for line in raw[:-2].split(b"\r\n"):
        assert len(line) <= 75 and b"\n" not in line and b"\r" not in line, line
    lines = re.sub(r"\r\n[ \t]", "", data).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR", lines
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    comps, stack = [], []
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append((value, {}))
        elif name == "END":
            comp = stack.pop()
            assert comp[0] == value, (comp, value)
            if not stack:
                comps.append(comp)
        elif stack:
            stack[-1][1][name] = value
    assert not stack and comps, "no component: not RFC 5545"
    for cname, props in comps:
        for required in ("UID", "DTSTAMP"):
            assert required in props, (cname, props)
    if icalendar is not None:
        cal = icalendar.Calendar.from_ical(raw)
        assert len(cal.subcomponents) == len(comps)
    return comps


class CalendarExportTest(DaemonTest):
    """The iCalendar export: versions that importers act on, past deadlines on request, and
    a valid calendar with nothing in it."""

    def export_text(self, *extra):
        """The calendar exactly as written (no newline translation)."""
        p = subprocess.run([FRISTVAKT, "--socket", self.d.socket, "export", "--format", "ics"]
                           + list(extra), capture_output=True, timeout=60, cwd=self.d.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.decode()

    def export(self, *extra):
        return [props for name, props in ics_events(self.export_text(*extra))
                if name == "VEVENT"]

    def event_of(self, events, ref, label="saksbehandlingsfrist"):
        mine = [e for e in events if e["SUMMARY"].startswith(label + " " + ref)]
        self.assertEqual(len(mine), 1, events)
        return mine[0]

    def days_ago(self, n):
        return (datetime.date.today() - datetime.timedelta(n)).isoformat()

    def test_sequence_and_last_modified(self):
        p = self.d.cli("--json", "case", "add", "S-1", "--service", "okonomisk-stonad",
                       "--received", self.days_ago(2), check=0)
        received = json.loads(p.stdout)["recorded"]["event"]
        self.d.cli("case", "add", "S-2", "--service", "okonomisk-stonad", "--received",
                   self.days_ago(2), check=0)
        first = self.event_of(self.export(), "S-1")
        self.assertEqual(first["SEQUENCE"], "0")
        self.assertRegex(first["LAST-MODIFIED"], r"^\d{8}T\d{6}Z$")
        self.assertRegex(first["DTSTAMP"], r"^\d{8}T\d{6}Z$")
        # Nothing about S-1 changed: the same version.
        self.d.cli("case", "add", "S-3", "--service", "okonomisk-stonad", "--received",
                   self.days_ago(1), check=0)
        self.assertEqual(self.event_of(self.export(), "S-1"), dict(first, DTSTAMP=ANY))
        # Corrected registration (a new event supersedes the first, a week earlier): still
        # the same deadline under the same UID, on its new day, in its next version.
        self.d.cli("case", "add", "S-1", "--service", "okonomisk-stonad", "--received",
                   self.days_ago(9), "--supersedes", str(received), check=0)
        second = self.event_of(self.export(), "S-1")
        self.assertEqual(second["UID"], first["UID"])
        # In English the description is English too: one language at a time.
        en = [e for e in self.export("--lang", "en") if "S-1" in e["SUMMARY"]]
        self.assertTrue(en and all(e["SUMMARY"].startswith("processing deadline") or
                                   "deadline" in e["SUMMARY"] for e in en), en)
        for e in en:
            self.assertIn("Rule:", e["DESCRIPTION"])
            self.assertNotIn("Frist:", e["DESCRIPTION"])
        # The UID names the installation, so that two databases never share one.
        inst = self.d.cli_json("status")["installation"]
        self.assertTrue(first["UID"].endswith("@%s.fristvakt" % inst), first["UID"])
        self.assertNotEqual(second["DTSTART;VALUE=DATE"], first["DTSTART;VALUE=DATE"])
        self.assertEqual(second["SEQUENCE"], "1", second)
        self.assertGreaterEqual(second["LAST-MODIFIED"], first["LAST-MODIFIED"])
        # Extended: a new date, the next version.
        day = second["DTSTART;VALUE=DATE"]
        new_due = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])) \
            + datetime.timedelta(10)
        self.d.cli("extend", "S-1", "--kind", "processing", "--until", new_due.isoformat(),
                   "--reason", "venter på uttalelse", check=0)
        third = self.event_of(self.export(), "S-1")
        self.assertEqual(third["UID"], first["UID"])
        self.assertEqual(third["DTSTART;VALUE=DATE"], new_due.strftime("%Y%m%d"))
        self.assertEqual(third["SEQUENCE"], "2", third)
        # GetCase says the same.
        g = self.d.cli_json("case", "show", "S-1")
        proc = [d for d in g["deadlines"] if d["kind"] == "processing"][0]
        self.assertEqual(proc["sequence"], 2)
        self.assertRegex(proc["modified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # S-2 never changed.
        self.assertEqual(self.event_of(self.export(), "S-2")["SEQUENCE"], "0")

    def test_keep_past(self):
        # M-1: the preliminary reply came too late (missed, met late); M-2: none (overdue).
        for ref in ("M-1", "M-2"):
            self.d.cli("case", "add", ref, "--service", "okonomisk-stonad", "--received",
                       "2026-01-05", check=0)
        self.d.cli("reply", "add", "M-1", "--sent", "2026-03-01", "--promised", "2026-03-20",
                   check=0)
        self.assertEqual(self.export(), [])
        events = self.export("--keep-past")
        reply = {ref: self.event_of(events, ref, "frist for foreløpig svar")
                 for ref in ("M-1", "M-2")}
        self.assertEqual(reply["M-2"]["DTSTART;VALUE=DATE"], "20260205")
        self.assertIn("OVERSKREDET", reply["M-2"]["SUMMARY"])
        self.assertIn("(", reply["M-1"]["SUMMARY"])
        # Both processing deadlines too, and the date M-1's reply promised (20 Mar, missed).
        self.assertEqual(len(events), 5, events)
        self.assertIn("OVERSKREDET", self.event_of(events, "M-1", "lovet svardato")["SUMMARY"])
        p = self.d.cli("export", "--keep-past")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--keep-past goes with --format ics", p.stderr)

    def test_empty_export_is_valid(self):
        comps = ics_events(self.export_text())
        self.assertEqual([name for name, _ in comps], ["VJOURNAL"])
        # Cases without any deadline in the feed: valid all the same.
        self.d.cli("case", "add", "E-1", "--service", "okonomisk-stonad", "--received",
                   "2026-01-05", check=0)
        self.assertEqual([name for name, _ in ics_events(self.export_text())], ["VJOURNAL"])
        self.assertEqual({name for name, _ in ics_events(self.export_text("--keep-past"))},
                         {"VEVENT"})


class LanguageTest(CliTest):
    """One language at a time (--lang nb|en), the default from the configuration's
    reminders.language, then the locale."""

    NB_WORDS = ("Hendelser", "Frister", "Saksbehandler:", "hendelse", "registrerte hendelse",
                "frister per", "REFERANSE", "NÅR")
    EN_WORDS = ("Events", "Deadlines", "Handler:", "recorded event", "deadlines as of",
                "REFERENCE", "WHEN")

    def outputs(self, *lang):
        """What a case worker sees of one case, in the language lang selects."""
        ref = "L-" + lang[-1]
        out = self.d.cli(*lang, "case", "add", ref, "--service", "okonomisk-stonad",
                         "--received", "2026-03-02", "--handler", "kari", check=0).stdout
        for args in (("case", "show", ref), ("deadlines",),
                     ("reminders", "list"), ("audit",)):
            out += self.d.cli(*lang, *args, check=0).stdout
        return out

    def test_lang_option(self):
        nb = self.outputs("--lang", "nb")
        en = self.outputs("--lang", "en")
        for word in self.NB_WORDS:
            self.assertIn(word, nb)
            self.assertNotIn(word, en)
        for word in self.EN_WORDS:
            self.assertIn(word, en)
            self.assertNotIn(word, nb)
        # The explanation in English is made from the deadline's parts.
        self.assertIn("Rule: okonomisk-stonad/processing@1970-01-01", en)
        self.assertNotIn("Saksbehandlingsfrist på 14 dager", en)
        self.assertIn("Saksbehandlingsfrist på 14 dager", nb)
        # After the command's words too, and the command's own wins.
        p = self.d.cli("--lang", "nb", "deadlines", "--lang", "en", check=0)
        self.assertTrue(p.stdout.startswith("deadlines as of "), p.stdout)

    def test_calculator(self):
        p = self.d.cli("deadline", "--from", "2026-03-12", "--period", "3w", "--lang", "en",
                       check=0)
        self.assertTrue(p.stdout.startswith("Due: 2026-04-07 (Tuesday)\n"), p.stdout)
        self.assertIn("2026-04-02 Maundy Thursday → 2026-04-03", p.stdout)
        self.assertNotIn("Telling", p.stdout)
        p = self.d.cli("--lang", "nb", "deadline", "--from", "2026-03-12", "--period", "3w",
                       check=0)
        self.assertTrue(p.stdout.startswith("Frist: 2026-04-07 (tirsdag)\n"), p.stdout)
        self.assertNotIn("Counting", p.stdout)
        p = self.d.cli("--lang", "en", "holidays", "2026", check=0)
        self.assertIn("2026-05-17  Sunday     Constitution Day", p.stdout)
        p = self.d.cli("holidays", "2026", "--lang", "nb", check=0)
        self.assertIn("2026-05-17  søndag   grunnlovsdag", p.stdout)

    def test_bad_lang(self):
        for args in (("--lang", "de", "status"), ("status", "--lang", "fr"),
                     ("deadlines", "--lang", "x"), ("reminders", "--lang", "sv"),
                     ("deadline", "--from", "2026-03-12", "--period", "3w", "--lang", "se")):
            p = self.d.cli(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn("--lang must be nb or en", p.stderr)
            self.assertEqual(p.stdout, "")

    def test_default_language(self):
        self.register("D-1")
        # The configuration's reminders.language decides (the CLI reads it with -c).
        p = self.cli_conf("deadlines", env={"LANG": "en_GB.UTF-8"})
        self.assertTrue(p.stdout.startswith("frister per "), p.stdout)
        self.d.write_config({'language = "nb";': 'language = "en";'})
        p = self.cli_conf("deadlines", env={"LANG": "nb_NO.UTF-8"})
        self.assertTrue(p.stdout.startswith("deadlines as of "), p.stdout)
        # Without a configuration (only the socket): the locale, else bokmål.
        for lang, want in (("en_US.UTF-8", "deadlines as of "), ("nb_NO.UTF-8", "frister per "),
                           ("nn_NO.UTF-8", "frister per "), ("C.UTF-8", "frister per ")):
            p = subprocess.run([FRISTVAKT, "--socket", self.d.socket, "deadlines"],
                               capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, LANG=lang, LC_ALL="", LC_MESSAGES=""))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith(want), (lang, p.stdout))


class _Any:
    def __eq__(self, other):
        return True


ANY = _Any()


if __name__ == "__main__":
    main()
