# SPDX-License-Identifier: GPL-3.0-or-later
"""Bash completion: the script `fristvakt completion bash` writes, loaded into a real bash
with bash-completion, completes commands, sub-commands, options and their values, and
case references and services from the real daemon; every option it offers is one the
command accepts, so the script cannot promise what the CLI refuses."""

import concurrent.futures
import os
import re
import subprocess
import tempfile
import unittest

from fvtest import FRISTVAKT, DaemonTest, main

BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


def script():
    return subprocess.run([FRISTVAKT, "completion", "bash"], capture_output=True, text=True,
                          check=True).stdout


def spec(text):
    """{command: {"subs": [...], "opts": [...], "vopts": {opt: metavar}, "args": [...]}}."""
    out = {}
    for m in re.finditer(r"\t'([^']*)'\)\n\t\tsubs='([^']*)'\n\t\topts='([^']*)'\n"
                         r"\t\tvopts='([^']*)'\n\t\targs='([^']*)'\n", text):
        out[m.group(1)] = {
            "subs": m.group(2).split(), "opts": m.group(3).split(),
            "vopts": dict(v.split("=", 1) for v in m.group(4).split()),
            "args": m.group(5).split()}
    return out


class ScriptTest(unittest.TestCase):
    def test_every_command_of_help(self):
        """The commands --help lists are the commands the script knows, no more."""
        helptext = subprocess.run([FRISTVAKT, "--help"], capture_output=True, text=True).stdout
        listed = re.findall(r"^  ([a-z]+(?: [a-z]+)?)  +\S", helptext.split("Commands:")[1],
                            re.M)
        s = spec(script())
        self.assertEqual(sorted(k for k in s if k and (" " in k or not s[k]["subs"])),
                         sorted(listed))
        self.assertNotIn("completion", s[""]["subs"])
        self.assertIn("--socket", s[""]["opts"])
        self.assertEqual(s[""]["vopts"]["--lang"], "nb|en")

    def test_options_offered_are_accepted(self):
        """Each option offered for a command is one its parser knows (no daemon needed:
        the CLI is pointed at a socket that does not exist)."""
        s = spec(script())
        with tempfile.TemporaryDirectory() as tmp:
            nosock = os.path.join(tmp, "none.sock")
            for cmd, sp in s.items():
                if not cmd or cmd == "help":
                    continue
                for opt in sp["opts"]:
                    if opt == "--help":
                        continue
                    argv = [FRISTVAKT, "--socket", nosock] + cmd.split() + [opt]
                    if opt in sp["vopts"]:
                        argv.append("2026-01-05")
                    p = subprocess.run(argv, capture_output=True, text=True, cwd=tmp,
                                       stdin=subprocess.DEVNULL, timeout=20)
                    self.assertNotRegex(p.stderr, r"unknown option|unrecognized|needs a value",
                                        "%s %s" % (cmd, opt))
                    if opt not in sp["vopts"]:
                        # A flag given a value is refused: it really takes none.
                        p = subprocess.run(argv[:-1] + [opt + "=x"], capture_output=True,
                                           text=True, cwd=tmp, stdin=subprocess.DEVNULL,
                                           timeout=20)
                        self.assertRegex(p.stderr, r"doesn't allow an argument|unknown option",
                                         "%s %s takes a value" % (cmd, opt))

    def test_options_accepted_are_offered(self):
        """The other way round: every option name the CLI knows anywhere, tried on every
        command; each one a command's parser takes (any answer but "unknown option") is
        offered for it, so an option added to a parser but not to its help shows here."""
        s = spec(script())
        names = sorted({o for sp in s.values() for o in sp["opts"] if o.startswith("--")} |
                       {"--json", "--lang", "--config", "--socket"})
        with tempfile.TemporaryDirectory() as tmp:
            nosock = os.path.join(tmp, "none.sock")
            tries = []
            for cmd, sp in s.items():
                if not cmd or cmd == "help" or (sp["subs"] and not sp["opts"][:-1] and
                                                cmd not in ("reminders",)):
                    continue
                for opt in names:
                    # getopt takes an unambiguous abbreviation ("--request" for
                    # "--requested"): that is the longer option, which is offered.
                    if opt in sp["opts"] or opt == "--help" or \
                            any(o.startswith(opt) for o in sp["opts"]):
                        continue
                    tries.append((cmd, opt))

            def accepted(t):
                argv = [FRISTVAKT, "--socket", nosock] + t[0].split() + [t[1], "x"]
                p = subprocess.run(argv, capture_output=True, text=True, cwd=tmp,
                                   stdin=subprocess.DEVNULL, timeout=20)
                return not re.search(r"unknown option|unrecognized", p.stderr)

            # Thousands of short runs of the CLI (slow under the sanitizers): a few at once.
            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                missing = ["%s %s" % t for t, ok in zip(tries, pool.map(accepted, tries)) if ok]
        self.maxDiff = None
        self.assertEqual(missing, [])


@unittest.skipUnless(os.path.exists(BASH_COMPLETION), "bash-completion is not installed")
class CompleteTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.script = os.path.join(self.d.dir, "fristvakt.bash")
        with open(self.script, "w") as f:
            f.write(script())
        bindir = os.path.join(self.d.dir, "bin")
        os.mkdir(bindir)
        os.symlink(FRISTVAKT, os.path.join(bindir, "fristvakt"))
        self.path = bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        for ref in ("2026/1234", "2026/1299", "2025/7"):
            self.d.cli("case", "add", ref, "--service", "okonomisk-stonad", "--received",
                       "2026-03-02", check=0)

    def complete(self, line):
        """COMPREPLY of bash for the line (the word under the cursor is its last)."""
        prog = r"""
source %s
source "$1"
line=$2
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
_fristvakt fristvakt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%%s\n' "${COMPREPLY[@]}"
""" % BASH_COMPLETION
        p = subprocess.run(["bash", "--norc", "-c", prog, "bash", self.script, line],
                           capture_output=True, text=True, cwd=self.d.dir, timeout=30,
                           env=dict(os.environ, PATH=self.path))
        self.assertEqual(p.returncode, 0, p.stderr)
        return sorted(w for w in p.stdout.split("\n") if w)

    def test_commands_and_subcommands(self):
        self.assertIn("status", self.complete("fristvakt "))
        self.assertEqual(self.complete("fristvakt de"), ["deadline", "deadlines", "decision"])
        self.assertEqual(self.complete("fristvakt case "),
                         ["add", "close", "list", "show", "withdraw"])
        self.assertEqual(self.complete("fristvakt --json complaint d"), ["decide"])
        self.assertEqual(self.complete("fristvakt help rem"), ["reminders"])
        self.assertEqual(self.complete("fristvakt help case a"), ["add"])

    def test_options_and_values(self):
        self.assertEqual(self.complete("fristvakt case add 2026/1 --se"), ["--service"])
        self.assertEqual(self.complete("fristvakt --l"), ["--lang"])
        self.assertEqual(self.complete("fristvakt --lang "), ["en", "nb"])
        self.assertEqual(self.complete("fristvakt export --format "), ["csv", "ics", "jsonl"])
        self.assertEqual(self.complete("fristvakt deadlines --duty o"), ["office"])
        self.assertEqual(self.complete("fristvakt -c etc/fristvakt.c"), ["etc/fristvakt.conf"])

    def test_from_the_daemon(self):
        sock = ["fristvakt", "--socket", self.d.socket]
        line = " ".join(sock)
        self.assertEqual(self.complete(line + " case show 2026/12"), ["2026/1234", "2026/1299"])
        self.assertEqual(self.complete(line + " audit --case 2025"), ["2025/7"])
        self.assertIn("okonomisk-stonad",
                      self.complete(line + " case add 2026/2 --service "))
        self.assertEqual(self.complete(line + " case add 2026/2 --service=okonom"),
                         ["okonomisk-stonad"])
        # The configuration names the socket too.
        self.assertEqual(self.complete("fristvakt -c etc/fristvakt.conf case close 2025/"),
                         ["2025/7"])
        # No daemon: nothing, quickly, and no error on the terminal.
        self.d.stop()
        self.assertEqual(self.complete(line + " case show 2026/"), [])


if __name__ == "__main__":
    main()
