# SPDX-License-Identifier: GPL-3.0-or-later
"""Imports and exports of the case register: `fristvakt import FILE` (JSON Lines of event
calls) stores the good lines, names the bad ones by line number, and stores nothing twice
when run again; `fristvakt export` writes JSON Lines, CSV and iCalendar that other tools
parse. ImportEvents itself is checked over raw Varlink as well."""

import csv
import datetime
import io
import json
import os
import re
import subprocess
import unittest

from fvtest import FRISTVAKT, DaemonTest, main
from test_cases import PREFIX, CaseMixin, days_ago, iso, oslo_today, roll

try:
    import icalendar
except ImportError:  # Debian: apt-get install python3-icalendar
    icalendar = None


# The most items one ImportEvents call takes (the interface text; core/events.h): a call runs in
# one go, so it is kept to a few milliseconds of the daemon's loop.
MAX_IMPORT_ITEMS = 10


def item(method, **params):
    return {"method": method, "parameters": params}


def application(ref, received="2026-03-02", service="okonomisk-stonad", **kw):
    kw.setdefault("event_id", ref + ":received")
    return item("RegisterApplication", reference=ref, service=service, received=received,
                channel="written", **kw)


def decision(ref, made="2026-03-10", reached="2026-03-12", outcome="avslatt", **kw):
    kw.setdefault("event_id", ref + ":vedtak")
    return item("RecordDecision", reference=ref, made=made, reached=reached, outcome=outcome,
                written=True, reasoned=True, **kw)


def complaint(ref, sent="2026-04-07", **kw):
    kw.setdefault("event_id", ref + ":klage")
    return item("RecordComplaint", reference=ref, sent=sent, **kw)


class ImportEventsTest(CaseMixin, DaemonTest):
    """ImportEvents over Varlink: each item on its own, results in order."""

    def setUp(self):
        super().setUp()
        self.connect_case()

    def import_items(self, items):
        """ImportEvents in calls of at most MAX_IMPORT_ITEMS; the results of all, in order."""
        results = []
        for i in range(0, len(items), MAX_IMPORT_ITEMS):
            chunk = items[i:i + MAX_IMPORT_ITEMS]
            r = self.call("ImportEvents", {"items": chunk})["results"]
            self.assertEqual(len(r), len(chunk))
            results += r
        return results

    def test_items_each_on_their_own(self):
        items = [
            application("IMP-1"),
            decision("IMP-1"),
            complaint("IMP-1"),
            decision("IMP-1", outcome="maybe", event_id="IMP-1:bad-outcome"),
            complaint("IMP-NONE"),
            application("IMP-2", service="hundepass"),
            application("IMP-3", service="bpa", received="2026-03-30"),
            complaint("IMP-3", sent="2026-05-04"),   # no decision yet: OutOfOrder
            decision("IMP-3", made="2026-04-16", reached="2026-04-19"),
            {"method": "GetCase", "parameters": {"reference": "IMP-1"}},
            {"method": "RecordDecision"},
            "not an object",
            item("RequestReasons", reference="IMP-1", requested="2026-03-13",
                 decision=1, event_id="IMP-1:reasons"),   # 1 is the received event
        ]
        self.assertGreater(len(items), MAX_IMPORT_ITEMS)
        r = self.import_items(items)
        self.assertEqual(len(r), len(items))
        self.assertEqual([x["ok"] for x in r],
                         [True, True, True, False, False, False, True, False, True, False,
                          False, False, False])
        errors = [(x.get("error"), (x.get("parameters") or {}).get("parameter"))
                  for x in r if not x["ok"]]
        self.assertEqual(errors, [
            ("org.varlink.service.InvalidParameter", "outcome"),
            ("no.fristvakt.CaseNotFound", None),
            ("no.fristvakt.UnknownService", None),
            ("no.fristvakt.OutOfOrder", None),
            ("org.varlink.service.MethodNotFound", None),
            ("org.varlink.service.InvalidParameter", "items"),
            ("org.varlink.service.InvalidParameter", "items"),
            ("no.fristvakt.EventNotFound", None),
        ])
        stored = [x["event"] for x in r if x["ok"]]
        self.assertEqual(len(set(stored)), 5)
        self.assertFalse(any(x["duplicate"] for x in r if x["ok"]))

        g = self.get_case("IMP-1")
        self.assertEqual([e["id"] for e in g["events"]], stored[:3])
        self.assertEqual([e["event_id"] for e in g["events"]],
                         ["IMP-1:received", "IMP-1:vedtak", "IMP-1:klage"])
        self.assertEqual(self.deadline(g, "complaint")["state"], "met")
        self.assertEqual(self.deadline(self.get_case("IMP-3"), "complaint")["due"],
                         "2026-05-18")
        self.assertEqual(self.counts()["cases"], 2)
        audit = self.call("ListAudit", {"limit": 1000})["entries"]
        self.assertEqual(len(audit), 5)
        self.assertEqual(sorted(e["method"] for e in audit),
                         sorted(PREFIX + m for m in ("RegisterApplication", "RecordDecision",
                                                     "RecordComplaint",
                                                     "RegisterApplication",
                                                     "RecordDecision")))

        # Run again: every stored item is a duplicate of the same event. The complaint on
        # IMP-3 came before its decision the first time; now the decision is stored, so
        # it is the one new event.
        before = self.counts()
        r2 = self.import_items(items)
        for i, (a, b) in enumerate(zip(r, r2)):
            if i == 7:
                self.assertEqual((b["ok"], b["duplicate"]), (True, False), b)
            elif a["ok"]:
                self.assertEqual((b["ok"], b["event"], b["duplicate"]), (True, a["event"], True))
            else:
                self.assertFalse(b["ok"])
                self.assertEqual(b["error"], a["error"])
        after = self.counts()
        self.assertEqual(after["cases"], before["cases"])
        self.assertEqual(after["events"] - before["events"], 1)
        self.assertEqual(after["audit"] - before["audit"], 1)
        self.assertEqual(self.deadline(self.get_case("IMP-3"), "complaint")["state"], "met")

    def test_most_items(self):
        items = [application("BULK-%03d" % i, received=iso(datetime.date(2026, 1, 5)
                                                          + datetime.timedelta(i % 90)))
                 for i in range(MAX_IMPORT_ITEMS)]
        r = self.call("ImportEvents", {"items": items})["results"]
        self.assertEqual(len(r), MAX_IMPORT_ITEMS)
        self.assertTrue(all(x["ok"] and not x["duplicate"] for x in r))
        self.assertEqual(self.counts()["cases"], MAX_IMPORT_ITEMS)
        # One more is refused whole: a call runs in one callback of the daemon's loop.
        more = [application("BULK-X%03d" % i) for i in range(MAX_IMPORT_ITEMS + 1)]
        err, p = self.call_error("ImportEvents", {"items": more})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "items"))
        err, p = self.call_error("ImportEvents", {"items": [decision("BULK-%03d" % i)
                                                            for i in range(500)]})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "items"))
        self.assertEqual(self.counts()["cases"], MAX_IMPORT_ITEMS)
        self.assertEqual(self.counts()["events"], MAX_IMPORT_ITEMS)
        self.assertEqual(self.call("ImportEvents", {"items": []}), {"results": []})

    def test_interface_text_states_the_limit(self):
        r = self.c.call("org.varlink.service.GetInterfaceDescription",
                        {"interface": "no.fristvakt"})
        text = r["parameters"]["description"]
        self.assertIn("# Records up to %d events in one transaction" % MAX_IMPORT_ITEMS, text)


# --------------------------------------------------------------------------------------
# The CLI.

def import_lines():
    """A JSON Lines import of 36 lines, the bad ones at known line numbers."""
    lines = []
    bad = {}
    refs = ["2026/IMP-%02d" % i for i in range(1, 11)]
    for i, ref in enumerate(refs):
        service = ("okonomisk-stonad", "bpa", "helsetjenester-i-hjemmet")[i % 3]
        lines.append(json.dumps(application(ref, received="2026-03-%02d" % (2 + i),
                                            service=service, handler="h-%d" % (i % 3))))
    for i, ref in enumerate(refs):
        lines.append(json.dumps(decision(ref, made="2026-03-%02d" % (16 + i),
                                         reached="2026-03-%02d" % (18 + i))))
    for ref in refs[:6]:
        lines.append(json.dumps(complaint(ref, sent="2026-04-01")))
    # An open case (relative to today) so that the exports have open deadlines.
    lines.append(json.dumps(application("2026/IMP-OPEN", received=iso(days_ago(6)))))
    lines.append(json.dumps(decision("2026/IMP-OPEN", made=iso(days_ago(3)),
                                     reached=iso(days_ago(2)))))
    lines.append(json.dumps(application("2026/IMP-WAIT", received=iso(days_ago(2)),
                                        service="okonomisk-stonad")))
    # The bad ones.
    bad[len(lines) + 1] = "InvalidParameter"
    lines.append(json.dumps(decision("2026/IMP-01", outcome="maybe",
                                     event_id="2026/IMP-01:vedtak-2")))
    bad[len(lines) + 1] = "CaseNotFound"
    lines.append(json.dumps(complaint("2026/NO-SUCH")))
    bad[len(lines) + 1] = "not JSON"
    lines.append('{"method": "RecordDecision", "parameters": {"reference": ')
    bad[len(lines) + 1] = "UnknownService"
    lines.append(json.dumps(application("2026/IMP-X", service="hundepass")))
    bad[len(lines) + 1] = "OutOfOrder"
    lines.append(json.dumps(complaint("2026/IMP-WAIT", sent=iso(oslo_today()))))
    bad[len(lines) + 1] = "method"
    lines.append(json.dumps({"method": "Frobnicate", "parameters": {}}))
    for ref in refs[6:9]:
        lines.append(json.dumps(complaint(ref, sent="2026-05-02")))
    return lines, bad


class CliImportExportTest(CaseMixin, DaemonTest):
    def setUp(self):
        super().setUp()
        self.connect_case()

    def write(self, name, lines):
        path = os.path.join(self.d.dir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def do_import(self):
        lines, bad = import_lines()
        self.assertGreaterEqual(len(lines), 30)
        path = self.write("import.jsonl", lines)
        return path, lines, bad

    def test_import(self):
        path, lines, bad = self.do_import()
        p = self.d.cli("import", path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        out = p.stdout + p.stderr
        for n, what in bad.items():
            self.assertRegex(out, r"(?m)^.*\b%s\b.*$" % n)
            line = [l for l in out.splitlines()
                    if (":%d:" % n) in l or ("line %d" % n) in l]
            self.assertTrue(line, "no message names line %d (%s):\n%s" % (n, what, out))
            if what != "not JSON" and what != "method":
                self.assertIn(what, line[0])
        good = len(lines) - len(bad)
        self.assertEqual(self.counts()["events"], good)
        self.assertEqual(self.counts()["cases"], 12)
        g = self.get_case("2026/IMP-01")
        self.assertEqual([e["type"] for e in g["events"]], ["received", "decision", "complaint"])
        self.assertEqual(self.deadline(g, "complaint")["state"], "met")
        g = self.get_case("2026/IMP-07")
        self.assertEqual(self.deadline(g, "complaint")["state"], "expired")  # sent 2 May

        # Again: nothing new; the good lines are reported as already present.
        before = self.counts()
        audit_before = len(self.call("ListAudit", {"limit": 1000})["entries"])
        p = self.d.cli("--lang", "en", "import", path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.counts(), dict(before, audit=before["audit"]))
        self.assertEqual(len(self.call("ListAudit", {"limit": 1000})["entries"]), audit_before)
        self.assertRegex((p.stdout + p.stderr).lower(), r"already|duplicate")

        # A file of good lines only exits 0.
        good_lines = [l for n, l in enumerate(lines, 1) if n not in bad]
        p = self.d.cli("import", self.write("good.jsonl", good_lines))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.counts()["events"], before["events"])

    def export(self, fmt, *extra):
        p = self.d.cli("export", "--format", fmt, *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def open_deadlines(self):
        rows = self.call("ListDeadlines", {"state": "open", "limit": 1000})["deadlines"]
        return [r for r in rows if r["due"]]

    def test_export_jsonl(self):
        path, _, _ = self.do_import()
        self.d.cli("import", path)
        self.register("2026/PRIV-1", iso(days_ago(1)),
                      contact={"email": "kari.nordmann@example.no", "consent": True})
        out = self.export("jsonl")
        # Contact details never leave the daemon, in no format.
        for fmt in ("jsonl", "csv", "ics"):
            self.assertNotIn("kari.nordmann", self.export(fmt), fmt)
        # --output writes the same to a file only the owner can read.
        target = os.path.join(self.d.dir, "export.jsonl")
        self.assertEqual(self.d.cli("export", "--format", "jsonl", "--output",
                                    target).returncode, 0)
        with open(target) as f:
            self.assertEqual(f.read(), out)
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o600)
        records = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertEqual(len(records), self.counts()["cases"])
        for rec in records:
            ref = rec["case"]["reference"]
            g = self.get_case(ref)
            self.assertEqual(rec["case"], g["case"])
            self.assertEqual(rec["events"], g["events"])
            self.assertEqual(rec["deadlines"], g["deadlines"])

    def test_export_csv(self):
        path, _, _ = self.do_import()
        self.d.cli("import", path)
        # A field with a comma and a quote must survive the round trip.
        self.register("2026/CSV-1", "2026-03-02", handler="h-1", unit='NAV "Sentrum", 2')
        out = self.export("csv")
        header = next(csv.reader(io.StringIO(out)))
        self.assertEqual(header, ["reference", "service", "handler", "unit", "case_state",
                                  "kind", "label", "subject", "state", "due", "met_on",
                                  "rule", "source"])
        rows = list(csv.DictReader(io.StringIO(out)))
        expect = []
        for c in self.call("ListCases", {"limit": 1000})["cases"]:
            g = self.get_case(c["reference"])
            for d in g["deadlines"]:
                expect.append({
                    "reference": c["reference"], "service": c["service"],
                    "handler": c["handler"] or "", "unit": c["unit"] or "",
                    "case_state": c["state"], "kind": d["kind"], "label": d["label"],
                    "subject": str(d["subject"]), "state": d["state"], "due": d["due"] or "",
                    "met_on": d["met_on"] or "", "rule": d["rule"] or "",
                    "source": d["source"] or ""})
        key = lambda r: (r["reference"], r["kind"], r["subject"])
        self.assertEqual(len(rows), len(expect))
        self.assertEqual(sorted(rows, key=key), sorted(expect, key=key))
        self.assertIn('NAV "Sentrum", 2', {r["unit"] for r in rows})

    @unittest.skipIf(icalendar is None, "python3-icalendar is not installed")
    def test_export_ics(self):
        path, _, _ = self.do_import()
        self.d.cli("import", path)
        open_rows = self.open_deadlines()
        self.assertTrue(open_rows)
        first = icalendar.Calendar.from_ical(self.export("ics"))
        events = [c for c in first.walk() if c.name == "VEVENT"]
        self.assertEqual(len(events), len(open_rows))
        by_uid = {}
        for ev in events:
            start = ev.decoded("DTSTART")
            self.assertIsInstance(start, datetime.date)
            self.assertNotIsInstance(start, datetime.datetime)
            by_uid[str(ev["UID"])] = (start, str(ev.get("SUMMARY", "")))
        self.assertEqual(len(by_uid), len(events), "UIDs are not unique")
        self.assertEqual(sorted(s for s, _ in by_uid.values()),
                         sorted(datetime.date.fromisoformat(r["due"]) for r in open_rows))
        for r in open_rows:
            self.assertTrue(any(r["reference"] in summary for _, summary in by_uid.values()),
                            r["reference"])
        second = icalendar.Calendar.from_ical(self.export("ics"))
        uids2 = {str(ev["UID"]): ev.decoded("DTSTART") for ev in second.walk()
                 if ev.name == "VEVENT"}
        self.assertEqual(uids2, {u: s for u, (s, _) in by_uid.items()})
        # The open complaint deadline of 2026/IMP-OPEN is there on its computed day.
        due = roll(days_ago(2) + datetime.timedelta(weeks=3))
        self.assertIn(due, uids2.values())

    def export_bytes(self):
        """The iCalendar export exactly as the CLI writes it (bytes, no newline translation)."""
        p = subprocess.run([FRISTVAKT, "--socket", self.d.socket, "export", "--format", "ics"],
                           capture_output=True, timeout=60, cwd=self.d.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def open_complaint_case(self, ref, reached):
        self.register(ref, iso(days_ago(10)))
        return self.decide(ref, iso(days_ago(3)), iso(reached))

    def test_export_ics_rfc5545(self):
        """The octets of the calendar, judged on RFC 5545 itself: python3-icalendar is
        lenient about line endings, line length, folding and escaping."""
        ref = "2026/ICS-1"
        r = self.open_complaint_case(ref, days_ago(2))
        due = datetime.date.fromisoformat(self.deadline(r, "complaint")["due"])
        # A reason with the characters TEXT must escape, and two runs of two-byte letters,
        # each longer than a line, one octet apart: in one of them a fold falls where a
        # letter's second octet would be cut off.
        reason = ("Parten ba om mer tid, jf. brev; vedlegg C:\\sak følger. "
                  + "æ" * 40 + " " + "ø" * 40)
        self.rec("ExtendDeadline", {"reference": ref, "kind": "complaint",
                                    "until": iso(due + datetime.timedelta(7)),
                                    "reason": reason})
        data = self.export_bytes()

        # Content lines end in CRLF, and nothing else is a line break.
        self.assertTrue(data.endswith(b"\r\n"))
        physical = data[:-2].split(b"\r\n")
        for n, line in enumerate(physical, 1):
            self.assertNotIn(b"\n", line, "bare LF in line %d" % n)
            self.assertNotIn(b"\r", line, "bare CR in line %d" % n)
            # At most 75 octets, and folded between characters, never inside one.
            self.assertLessEqual(len(line), 75, "line %d: %r" % (n, line))
            line.decode("utf-8")
        # The case that matters happened: a line folded one octet short, before a letter
        # of two octets that would not fit.
        self.assertTrue(any(len(a) == 74 and b[:1] == b" " and b[1] >= 0xc0
                            for a, b in zip(physical, physical[1:])), "no fold before a "
                        "two-octet letter at the end of a line")
        # Unfolded (RFC 5545 3.1): a CRLF followed by one space or tab goes.
        logical = re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8").split("\r\n")[:-1]
        self.assertEqual(logical[0], "BEGIN:VCALENDAR")
        self.assertEqual(logical[-1], "END:VCALENDAR")
        self.assertIn("VERSION:2.0", logical)
        self.assertTrue(any(l.startswith("PRODID:") for l in logical))
        events, current = [], None
        for l in logical:
            if l == "BEGIN:VEVENT":
                current = []
            elif l == "END:VEVENT":
                events.append(current)
                current = None
            elif current is not None:
                current.append(l)
        self.assertTrue(events)
        for ev in events:
            names = [l.split(":", 1)[0].split(";", 1)[0] for l in ev]
            for required in ("UID", "DTSTAMP", "DTSTART"):
                self.assertEqual(names.count(required), 1, (required, ev))
            stamp = [l for l in ev if l.startswith("DTSTAMP:")][0]
            self.assertRegex(stamp, r"^DTSTAMP:\d{8}T\d{6}Z$")
        # TEXT escaping (3.3.11): backslash, comma and semicolon escaped, in the raw lines.
        mine = [ev for ev in events if any(ref in l for l in ev if l.startswith("SUMMARY:"))]
        self.assertEqual(len(mine), 2, mine)   # the complaint and the late-complaint deadline
        desc = [l for ev in mine for l in ev if l.startswith("DESCRIPTION:")]
        escaped = (reason.replace("\\", "\\\\").replace(",", "\\,")
                   .replace(";", "\\;"))
        self.assertTrue(any(escaped in l for l in desc), desc)
        for l in desc:
            self.assertIsNone(re.search(r"(?<!\\)(?:\\\\)*[,;]", l.split(":", 1)[1]), l)
        # And an independent parser reads the text back as it was.
        if icalendar is not None:
            cal = icalendar.Calendar.from_ical(data)
            texts = [str(c["DESCRIPTION"]) for c in cal.walk()
                     if c.name == "VEVENT" and ref in str(c["SUMMARY"])]
            self.assertTrue(any(reason in t for t in texts), texts)
            self.assertTrue(all("\\," not in t and "\\;" not in t for t in texts), texts)

    def uids(self, data):
        """UID -> DTSTART (the date text) of every VEVENT, from the raw calendar."""
        logical = re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8").split("\r\n")
        out, uid = {}, None
        for l in logical:
            if l.startswith("UID:"):
                uid = l[4:]
            elif l.startswith("DTSTART;VALUE=DATE:"):
                out[uid] = l.split(":", 1)[1]
        return out

    def test_ics_uid_stable_across_corrections(self):
        ref = "2026/ICS-2"
        first_reached = days_ago(3)
        r = self.open_complaint_case(ref, first_reached)
        dec = r["event"]
        due1 = self.deadline(r, "complaint")["due"]
        before = self.uids(self.export_bytes())
        self.assertIn(due1.replace("-", ""), before.values())
        # The decision reached the party a day later than first recorded: a correction
        # supersedes it, with a new event id, and the complaint deadline moves.
        later = first_reached + datetime.timedelta(1)
        while roll(later + datetime.timedelta(weeks=3)).isoformat() == due1:
            later += datetime.timedelta(1)
        r = self.decide(ref, iso(days_ago(3)), iso(later), supersedes=dec)
        self.assertNotEqual(r["event"], dec)
        due2 = self.deadline(r, "complaint")["due"]
        self.assertNotEqual(due2, due1)
        self.assertEqual(self.deadline(r, "complaint")["subject"], r["event"])
        after = self.uids(self.export_bytes())
        # The same deadlines under the same UIDs, the complaint one on its new day.
        self.assertEqual(set(after), set(before))
        changed = {u for u in before if before[u] != after[u]}
        self.assertEqual(len(changed), 1, (before, after))
        self.assertEqual(after[changed.pop()], due2.replace("-", ""))
        # And a second correction keeps them too.
        r = self.decide(ref, iso(days_ago(3)), iso(later), supersedes=r["event"],
                        legal_basis="sosialtjenesteloven § 18")
        self.assertEqual(set(self.uids(self.export_bytes())), set(before))


if __name__ == "__main__":
    main()
