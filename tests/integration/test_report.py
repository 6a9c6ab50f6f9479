#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance report (GetReport, `fristvakt report`) against the real daemon: two
services over three months, recorded with the test clock, every figure worked out by hand
from the law and the README's definitions; the JSON, CSV and table; bad input; and the HTML
page in a real browser (headless Chromium), whose tables must say what the JSON says, with
no external reference, and a screenshot for a person to look at."""

import csv
import html.parser
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from fvtest import FRISTVAKT, FRISTVAKTD, DaemonTest, main
from test_cases import CaseMixin

A = "okonomisk-stonad"   # sosialtjenesteloven: 14-day norm, 3-week complaint deadline
B = "praktisk-bistand"   # pasient- og brukerrettighetsloven: no norm, 4-week deadline
PERIOD = ("--from", "2026-01-01", "--to", "2026-03-31")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = os.environ.get("FV_TEST_OUTPUT") or os.path.join(
    os.path.dirname(os.path.abspath(FRISTVAKTD)), "test-output")

ZERO = {"applications": 0, "decided": 0, "within_norm": 0, "norm_judged": 0,
        "within_norm_share": None, "within_11a": 0, "judged_11a": 0, "within_11a_share": None,
        "processing_days_median": None, "processing_days_p90": None, "oral_decisions": 0,
        "unreasoned_decisions": 0, "late_forwardings": 0, "missed_promised_dates": 0,
        "complaints": 0, "complaints_in_time": 0, "complaints_forwarded_in_time": 0,
        "complaints_settled_by_office": 0, "norm_deadlines_missed": 0,
        "deadlines_11a_missed": 0}


def fig(**kw):
    d = dict(ZERO)
    d.update(kw)
    return d


# The expected figures, worked out by hand (dates are Oslo days; 2026-01-01 is a Thursday,
# no holidays from 2 January to 31 March). Processing days are calendar days from received
# to the first decision; median and P90 by nearest rank: rank ceil(p/100 * n).
#
# okonomisk-stonad (norm 14 days; § 11 a one month):
#  A1 received Mon 5 Jan, decided Mon 12 Jan (7 days; norm due 19 Jan met; § 11 a met),
#     reached 14 Jan; complaint sent 20 Jan (deadline 14 Jan + 3 w = 4 Feb: in time);
#     forwarded 10 Feb (due 20 Jan + 4 w = 17 Feb: in time).
#  A2 received Wed 7 Jan, decided Wed 28 Jan orally (21 days; norm due 21 Jan missed;
#     § 11 a due 7 Feb, a Saturday -> 9 Feb, met).
#  A3 received Tue 20 Jan, preliminary reply 30 Jan promising 25 Feb (§ 11 a met by it),
#     decided Wed 4 Mar, granted in full without reasons (none needed) - 43 days (11 + 28
#     + 4); norm due 3 Feb missed; the promised 25 Feb missed (a February breach).
#  A4 received Mon 2 Feb, nothing since.
#  A5 received Tue 10 Feb, decided Fri 20 Feb, partly granted without reasons (10 days;
#     norm due 24 Feb met; a decision that needed reasons), reached 23 Feb; complaint sent
#     27 Feb (deadline 16 Mar: in time), never forwarded: due 27 Feb + 4 w = 27 Mar,
#     passed unmet (a March breach).
# praktisk-bistand (no norm):
#  B1 received Thu 15 Jan, decided Wed 18 Feb (34 days; § 11 a due 15 Feb, a Sunday ->
#     16 Feb, missed), reached 19 Feb; complaint sent 30 Mar (deadline 19 Feb + 4 w = 19
#     Mar: late); its forwarding deadline (27 Apr) is outside the period.
#  B2 received Tue 3 Feb, decided Thu 5 Feb granted in full without reasons (2 days).
#  B3 received Mon 2 Mar, withdrawn 5 Mar.
#  B4 (unit nav-nord) received Tue 10 Mar, decided Fri 13 Mar orally (3 days), reached 16
#     Mar; complaint 20 Mar (deadline 13 Apr: in time), forwarded 27 Mar (due 17 Apr).
# The backlog, as of 20 May, in the month of the due day: norm deadlines missed A2 (21 Jan),
# A3 (3 Feb), A4 (16 Feb, never decided); § 11 a months missed with neither a decision nor
# a preliminary reply in time: B1 (16 Feb), A4 (2 Mar, never decided).
EXPECTED = {
    A: {
        "2026-01": fig(applications=3, decided=2, within_norm=1, norm_judged=2,
                       within_norm_share=0.5, within_11a=2, judged_11a=2, within_11a_share=1.0,
                       processing_days_median=7, processing_days_p90=21, oral_decisions=1,
                       complaints=1, complaints_in_time=1, complaints_forwarded_in_time=1,
                       norm_deadlines_missed=1),
        "2026-02": fig(applications=2, decided=1, within_norm=1, norm_judged=1,
                       within_norm_share=1.0, within_11a=1, judged_11a=1, within_11a_share=1.0,
                       processing_days_median=10, processing_days_p90=10,
                       unreasoned_decisions=1, missed_promised_dates=1, complaints=1,
                       complaints_in_time=1, norm_deadlines_missed=2),
        "2026-03": fig(decided=1, within_norm=0, norm_judged=1, within_norm_share=0.0,
                       within_11a=1, judged_11a=1, within_11a_share=1.0,
                       processing_days_median=43, processing_days_p90=43, late_forwardings=1,
                       deadlines_11a_missed=1),
        "total": fig(applications=5, decided=4, within_norm=2, norm_judged=4,
                     within_norm_share=0.5, within_11a=4, judged_11a=4, within_11a_share=1.0,
                     processing_days_median=10, processing_days_p90=43, oral_decisions=1,
                     unreasoned_decisions=1, late_forwardings=1, missed_promised_dates=1,
                     complaints=2, complaints_in_time=2, complaints_forwarded_in_time=1,
                     norm_deadlines_missed=3, deadlines_11a_missed=1),
    },
    B: {
        "2026-01": fig(applications=1),
        "2026-02": fig(applications=1, decided=2, within_11a=1, judged_11a=2,
                       within_11a_share=0.5, processing_days_median=2, processing_days_p90=34,
                       deadlines_11a_missed=1),
        "2026-03": fig(applications=2, decided=1, within_11a=1, judged_11a=1,
                       within_11a_share=1.0, processing_days_median=3, processing_days_p90=3,
                       oral_decisions=1, complaints=2, complaints_in_time=1,
                       complaints_forwarded_in_time=1),
        "total": fig(applications=4, decided=3, within_11a=2, judged_11a=3,
                     within_11a_share=2 / 3, processing_days_median=3, processing_days_p90=34,
                     oral_decisions=1, complaints=2, complaints_in_time=1,
                     complaints_forwarded_in_time=1, deadlines_11a_missed=1),
    },
}


def by_month(service):
    """A service's object of a report as {month or "total": figures without "month"}."""
    out = {m["month"]: {k: v for k, v in m.items() if k != "month"} for m in service["months"]}
    out["total"] = service["total"]
    return out


class ReportTest(CaseMixin, DaemonTest):
    SUBST = {"clock_control = false;": "clock_control = true;"}

    def setUp(self):
        super().setUp()
        self.connect_case()
        self.record_story()

    def clock(self, now):
        r = self.c.call("no.fristvakt.testing.SetClock", {"now": now})
        self.assertNotIn("error", r, r)

    def decide(self, ref, made, reached=None, **kw):
        return super().decide(ref, made + "T12:00:00+01:00", reached, **kw)

    def complaint(self, ref, sent):
        return self.rec("RecordComplaint", {"reference": ref,
                                            "sent": sent + "T10:00:00+01:00"})

    def forward(self, ref, day):
        return self.rec("ForwardComplaint", {"reference": ref,
                                             "forwarded": day + "T10:00:00+01:00"})

    def reg(self, ref, day, service, unit="nav-sentrum"):
        return self.register(ref, day + "T09:00:00+01:00", service=service, handler="h-1",
                             unit=unit)

    def record_story(self):
        # What happened by Wednesday 11 February, recorded then.
        self.clock("2026-02-11T12:00:00+01:00")
        self.reg("R-A1", "2026-01-05", A)
        self.decide("R-A1", "2026-01-12", "2026-01-14")
        self.complaint("R-A1", "2026-01-20")
        self.forward("R-A1", "2026-02-10")
        self.reg("R-A2", "2026-01-07", A)
        self.decide("R-A2", "2026-01-28", "2026-01-29", written=False)
        self.reg("R-A3", "2026-01-20", A)
        self.rec("RecordPreliminaryReply", {"reference": "R-A3",
                                            "sent": "2026-01-30T10:00:00+01:00",
                                            "promised": "2026-02-25"})
        self.reg("R-A4", "2026-02-02", A)
        self.reg("R-A5", "2026-02-10", A)
        self.reg("R-B1", "2026-01-15", B)
        self.reg("R-B2", "2026-02-03", B)
        self.decide("R-B2", "2026-02-05", "2026-02-06", outcome="innvilget", reasoned=False)
        self.early = self.report()
        # The rest, recorded on 20 May.
        self.clock("2026-05-20T12:00:00+02:00")
        self.decide("R-A5", "2026-02-20", "2026-02-23", outcome="delvis_innvilget",
                    reasoned=False)
        self.complaint("R-A5", "2026-02-27")
        self.decide("R-B1", "2026-02-18", "2026-02-19")
        self.decide("R-A3", "2026-03-04", "2026-03-05", outcome="innvilget", reasoned=False)
        self.reg("R-B3", "2026-03-02", B)
        self.rec("WithdrawApplication", {"reference": "R-B3",
                                         "withdrawn": "2026-03-05T10:00:00+01:00"})
        self.reg("R-B4", "2026-03-10", B, unit="nav-nord")
        self.decide("R-B4", "2026-03-13", "2026-03-16", written=False)
        self.complaint("R-B4", "2026-03-20")
        self.forward("R-B4", "2026-03-27")
        self.complaint("R-B1", "2026-03-30")

    def report(self, *extra):
        return self.d.cli_json("report", *PERIOD, *extra)

    def assert_figures(self, got, expected):
        self.assertEqual(set(got), set(expected))
        for month, want in expected.items():
            have = dict(got[month])
            for k in ("within_norm_share", "within_11a_share"):
                if want[k] is None:
                    self.assertIsNone(have[k], "%s %s" % (month, k))
                else:
                    self.assertAlmostEqual(have[k], want[k], places=9, msg="%s %s" % (month, k))
                have[k] = want[k]
            self.assertEqual(have, want, month)

    def test_json(self):
        r = self.report()
        self.assertIs(r["recomputing"], False)
        self.assertEqual((r["from"], r["to"], r["today"]), ("2026-01-01", "2026-03-31",
                                                            "2026-05-20"))
        self.assertEqual(r["months"], ["2026-01", "2026-02", "2026-03"])
        # Services by id; each with its name from the rules.
        self.assertEqual([s["service"] for s in r["services"]], [A, B])
        self.assertEqual(r["services"][0]["name"], "Økonomisk stønad")
        for s in r["services"]:
            self.assert_figures(by_month(s), EXPECTED[s["service"]])
        # Nothing of a case: no reference, handler or unit anywhere in the report.
        text = json.dumps(r)
        for word in ("R-A", "R-B", "h-1", "nav-sentrum", "nav-nord"):
            self.assertNotIn(word, text)

    def test_judged_on_the_day(self):
        """On 11 February the promised 25 February had not passed: no breach yet. By 20 May
        it had (and the decision came later): a February breach."""
        a = by_month([s for s in self.early["services"] if s["service"] == A][0])
        self.assertEqual(a["2026-02"]["missed_promised_dates"], 0)
        self.assertEqual(self.early["today"], "2026-02-11")
        a = by_month([s for s in self.report()["services"] if s["service"] == A][0])
        self.assertEqual(a["2026-02"]["missed_promised_dates"], 1)

    def test_filters(self):
        r = self.report("--unit", "nav-nord")
        self.assertEqual(r["unit"], "nav-nord")
        self.assertEqual([s["service"] for s in r["services"]], [B])
        march = fig(applications=1, decided=1, within_11a=1, judged_11a=1, within_11a_share=1.0,
                    processing_days_median=3, processing_days_p90=3, oral_decisions=1,
                    complaints=1, complaints_in_time=1, complaints_forwarded_in_time=1)
        self.assert_figures(by_month(r["services"][0]),
                            {"2026-01": fig(), "2026-02": fig(), "2026-03": march,
                             "total": march})
        r = self.report("--service", A)
        self.assertEqual([s["service"] for s in r["services"]], [A])
        self.assert_figures(by_month(r["services"][0]), EXPECTED[A])
        # A service asked for is shown even with nothing in the period.
        r = self.report("--service", "bpa")
        self.assertEqual([s["service"] for s in r["services"]], ["bpa"])
        self.assert_figures(by_month(r["services"][0]),
                            {m: fig() for m in ("2026-01", "2026-02", "2026-03", "total")})
        # A period of one day: only what happened on it.
        r = self.d.cli_json("report", "--from", "2026-01-12", "--to", "2026-01-12")
        self.assertEqual(r["months"], ["2026-01"])
        a = by_month(r["services"][0])
        self.assertEqual((r["services"][0]["service"], a["total"]["decided"],
                          a["total"]["applications"]), (A, 1, 0))

    def test_bad_input(self):
        cases = [
            (("--from", "2026-03-01", "--to", "2026-02-28"), "'to' is before 'from'"),
            (("--from", "2026-02-30", "--to", "2026-03-31"), "'from' must be a date"),
            (("--from", "2026-01-01", "--to", "31.03.2026"), "'to' must be a date"),
            (("--from", "2021-01-01", "--to", "2026-01-31"), "at most 60 calendar months"),
            (("--from", "2026-01-01", "--to", "2026-03-31", "--service", "nope"),
             "UnknownService"),
            # A unit no case of the register has: an error, not an empty report.
            (("--from", "2026-01-01", "--to", "2026-03-31", "--unit", "nope"),
             "no case of the register has this unit"),
        ]
        for args, message in cases:
            p = self.d.cli("report", *args)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(message, p.stderr, args)
        r = self.c.call("no.fristvakt.GetReport", {"from": "2026-01-01", "to": "2026-03-31",
                                                    "unit": "nope"})
        self.assertEqual(r["error"], "org.varlink.service.InvalidParameter")
        self.assertEqual(r["parameters"]["parameter"], "unit")
        # A unit with cases, but none in the period or the service: an empty report.
        r = self.report("--unit", "nav-nord", "--service", A)
        self.assertEqual(by_month(r["services"][0])["total"], fig())
        # Exactly five years is allowed.
        self.d.cli("report", "--from", "2021-01-01", "--to", "2025-12-31", check=0)
        for args in (("--from", "2026-01-01"), PERIOD + ("--format", "pdf"),
                     PERIOD + ("extra",)):
            self.assertEqual(self.d.cli("report", *args).returncode, 2, args)

    def test_csv(self):
        out = self.d.cli("report", *PERIOD, "--format", "csv", check=0).stdout
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(len(rows), 8)  # 2 services x (3 months + total)
        for row in rows:
            want = EXPECTED[row["service"]][row["month"]]
            for k, v in want.items():
                if v is None:
                    self.assertEqual(row[k], "", (row["month"], k))
                elif isinstance(v, float):
                    self.assertEqual(row[k], "%.4f" % v, (row["month"], k))
                else:
                    self.assertEqual(row[k], str(v), (row["month"], k))
        self.assertEqual([r["name"] for r in rows[::4]],
                         ["Økonomisk stønad", "Praktisk bistand og opplæring"])
        # RFC 4180: CRLF after every record.
        data = subprocess.run([FRISTVAKT, "--socket", self.d.socket, "report", *PERIOD,
                               "--format", "csv"], capture_output=True, check=True,
                              timeout=60).stdout
        self.assertEqual(data.count(b"\r\n"), 9)
        self.assertEqual(data.count(b"\n"), 9)

    def test_table(self):
        out = self.d.cli("report", *PERIOD, check=0).stdout
        lines = out.splitlines()
        self.assertEqual(lines[0], "Etterlevelsesrapport 2026-01-01 – 2026-03-31")
        a = lines.index("Økonomisk stønad (okonomisk-stonad)")
        total = [l for l in lines[a:] if l.strip().startswith("Totalt")][0].split()
        self.assertEqual(total[:13], ["Totalt", "5", "4", "50,0", "%", "(2", "av", "4)",
                                      "100,0", "%", "(4", "av", "4)"])
        # median, P90, norm missed, § 11 a missed, oral, unreasoned, late forwarding,
        # promise missed, complaints, in time, forwarded in time, settled by office.
        self.assertEqual(total[13:], ["10", "43", "3", "1", "1", "1", "1", "1", "2", "2", "1",
                                      "0"])
        # Columns aligned: every row of a block has its month column the same width.
        header = lines[a + 1]
        self.assertTrue(header.startswith("  Måned    Søknader"))
        out = self.d.cli("report", *PERIOD, "--lang", "en", check=0).stdout
        self.assertIn("  Total    5", out)
        self.assertIn("50.0 % (2 of 4)", out)

    def test_office_settled_and_backlog(self):
        """April and May 2026 of okonomisk-stonad (nothing of the story falls in them),
        recorded on 20 May and judged as of it (Easter Monday is 6 April; no holiday from 7
        to 23 April nor on 8 May):
        C1 received Tue 7 Apr, decided Tue 14 Apr, a refusal (7 days; norm due 21 Apr met;
           § 11 a met), reached 15 Apr; complaint sent Mon 20 Apr (deadline 15 Apr + 3 w =
           6 May: in time); the office reverses its decision in full (omgjort) on 23 Apr:
           its forwarding deadline is met, but the complaint was never forwarded.
        C2 received Wed 8 Apr, nothing since: its norm (due 22 Apr) and its § 11 a month
           (due Fri 8 May) passed unmet - an April and a May breach though undecided.
        C3 received Thu 9 Apr, preliminary reply 16 Apr promising 30 June: its norm (due 23
           Apr) passed unmet; its § 11 a month is met by the reply, the promise not due."""
        self.reg("R-C1", "2026-04-07", A)
        self.decide("R-C1", "2026-04-14", "2026-04-15")
        self.rec("RecordComplaint", {"reference": "R-C1", "sent": "2026-04-20T10:00:00+02:00"})
        self.rec("DecideComplaint", {"reference": "R-C1", "decided": "2026-04-23T10:00:00+02:00",
                                     "outcome": "omgjort"})
        self.reg("R-C2", "2026-04-08", A)
        self.reg("R-C3", "2026-04-09", A)
        self.rec("RecordPreliminaryReply", {"reference": "R-C3",
                                            "sent": "2026-04-16T10:00:00+02:00",
                                            "promised": "2026-06-30"})
        r = self.d.cli_json("report", "--from", "2026-04-01", "--to", "2026-05-31",
                            "--service", A)
        april = fig(applications=3, decided=1, within_norm=1, norm_judged=1,
                    within_norm_share=1.0, within_11a=1, judged_11a=1, within_11a_share=1.0,
                    processing_days_median=7, processing_days_p90=7, complaints=1,
                    complaints_in_time=1, complaints_settled_by_office=1,
                    norm_deadlines_missed=2)
        may = fig(deadlines_11a_missed=1)
        total = dict(april, deadlines_11a_missed=1)
        self.assert_figures(by_month(r["services"][0]),
                            {"2026-04": april, "2026-05": may, "total": total})
        # The other reviews of a complaint do not end the duty: still to be forwarded.
        self.reg("R-C4", "2026-04-07", A)
        self.decide("R-C4", "2026-04-14", "2026-04-15")
        self.rec("RecordComplaint", {"reference": "R-C4", "sent": "2026-04-20T10:00:00+02:00"})
        self.rec("DecideComplaint", {"reference": "R-C4", "decided": "2026-04-23T10:00:00+02:00",
                                     "outcome": "stadfestet"})
        self.rec("ForwardComplaint", {"reference": "R-C4",
                                      "forwarded": "2026-04-24T10:00:00+02:00"})
        r = self.d.cli_json("report", "--from", "2026-04-01", "--to", "2026-04-30",
                            "--service", A)
        a = by_month(r["services"][0])["2026-04"]
        self.assertEqual((a["complaints"], a["complaints_forwarded_in_time"],
                          a["complaints_settled_by_office"]), (2, 1, 1))

    def add_bulk_events(self, n):
        """n complaints of no consequence stored straight into case R-A1 (and counted), so
        that a report takes seconds: its queries read every event."""
        db = self.d.db()
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < ?) "
                   "INSERT INTO events (case_id, type, occurred, recorded, data, uid) "
                   "SELECT (SELECT id FROM cases WHERE ref = 'R-A1'), 'bulk', 1767600000 + x, "
                   "1767600000, '{}', 0 FROM k", (n,))
        db.execute("UPDATE counts SET n = n + ? WHERE name = 'events'", (n,))
        db.commit()
        db.close()

    def test_busy_and_shutdown(self):
        """At most two reports at a time: a burst of five gets ReportBusy for three, at
        once, and Status is answered meanwhile; SIGTERM during a long report does not wait
        for it: the daemon exits in a fraction of the report's time."""
        self.add_bulk_events(1500000)
        params = {"from": "2026-01-01", "to": "2026-03-31"}
        started = time.monotonic()
        self.assertNotIn("error", self.c.call("no.fristvakt.GetReport", params))
        alone = time.monotonic() - started
        conns = [self.d.connect() for _ in range(5)]
        for c in conns:
            self.addCleanup(c.close)
            c.send_raw(json.dumps({"method": "no.fristvakt.GetReport",
                                   "parameters": params}).encode() + b"\0")
        started = time.monotonic()
        self.assertNotIn("error", self.c.call("no.fristvakt.Status"))
        self.assertLess(time.monotonic() - started, alone / 2)
        replies = [c.recv() for c in conns]
        busy = [r for r in replies if r.get("error") == "no.fristvakt.ReportBusy"]
        self.assertEqual(len(busy), 3, replies)
        self.assertEqual(busy[0]["parameters"], {"running": 2})
        self.assertEqual(sum(1 for r in replies if "error" not in r), 2)
        # Free again afterwards.
        self.assertNotIn("error", self.c.call("no.fristvakt.GetReport", params))
        # SIGTERM while one runs.
        conns[0].send_raw(json.dumps({"method": "no.fristvakt.GetReport",
                                      "parameters": params}).encode() + b"\0")
        time.sleep(min(0.3, alone / 4))
        started = time.monotonic()
        self.assertEqual(self.d.stop(), 0)
        stopped = time.monotonic() - started
        self.assertLess(stopped, alone / 2, "report %.2f s, shutdown %.2f s" % (alone, stopped))
        # Its connection closed without a reply, like every other at shutdown.
        self.assertIsNone(conns[0].recv())
        self.assertIn("GetReport: cut short by the shutdown", self.d.log_text())

    def assert_bars(self, doc, s):
        """Each month's two bars on the page say what the JSON says: height share x 200 px
        (rounded) and the share in % as its text; a share with nothing to judge has no
        bar, a dash instead."""
        bars, texts = doc.bars.get(s["service"], {}), doc.bar_texts[s["service"]]
        shown = 0
        for row in s["months"]:
            for k in ("within_norm_share", "within_11a_share"):
                where = (row["month"], k)
                if row[k] is None:
                    self.assertNotIn(where, bars)
                    self.assertEqual(texts[where], "–", where)
                else:
                    shown += 1
                    self.assertEqual(bars[where], int(row[k] * 200 + 0.5), where)
                    self.assertEqual(texts[where], "%.0f" % (row[k] * 100), where)
        self.assertEqual(len(bars), shown)
        self.assertEqual(len(texts), 2 * len(s["months"]))

    def test_html_long_period_and_print(self):
        """Five years: a chart per calendar year (2021 from April, 2022-2025, 2026 to
        March), each at most 12 months (920 px) wide, its bars right; printed, the page is
        A4 landscape. The screenshot at A4 width and the PDF are kept for a person to
        look at."""
        if not os.path.exists(CHROMIUM):
            self.skipTest("chromium is not installed")
        os.makedirs(OUTPUT, exist_ok=True)
        page = os.path.join(OUTPUT, "report-60.html")
        period = ("--from", "2021-04-01", "--to", "2026-03-31")
        with open(page, "w") as f:
            f.write(self.d.cli("report", *period, "--format", "html", check=0).stdout)
        data = self.d.cli_json("report", *period)
        doc = PageParser()
        doc.feed(chromium(["--dump-dom", "file://" + page]))
        for s in data["services"]:
            self.assertEqual(len(s["months"]), 60)
            self.assertEqual(len(doc.svg_widths[s["service"]]), 6)
            self.assertEqual(max(doc.svg_widths[s["service"]]), 48 + 12 * 72 + 8)
            self.assert_bars(doc, s)
        pdf = os.path.join(OUTPUT, "report-60.pdf")
        chromium(["--print-to-pdf=" + pdf, "--no-pdf-header-footer", "file://" + page])
        with open(pdf, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"%PDF"))
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
        self.assertTrue(boxes)
        for w, h in boxes:  # A4 landscape: 297 x 210 mm = 841.89 x 595.28 pt
            self.assertAlmostEqual(float(w), 841.89, delta=1)
            self.assertAlmostEqual(float(h), 595.28, delta=1)
        chromium(["--screenshot=" + os.path.join(OUTPUT, "report-60.png"),
                  "--window-size=1123,1600", "--hide-scrollbars", "file://" + page])

    def test_recomputing(self):
        """A report taken while the daemon recomputes every case's deadlines (the rules it
        last computed with are not those in force: here the fingerprint stored is made
        stale, and 50,000 cases stored straight into the database give it work) says so in
        the JSON, the table, the CSV and the page; once done, it does not."""
        n = 50000
        db = self.d.db()
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < ?) "
                   "INSERT INTO cases (ref, service, unit, received, channel, emergency, "
                   "created, updated) SELECT 'R-Z' || x, ?, 'nav-sentrum', 1775030400, "
                   "'written', 0, 1775030400, 1775030400 FROM k", (n, A))
        db.execute("INSERT INTO events (case_id, type, occurred, recorded, data, uid) "
                   "SELECT id, 'received', received, received, json_object('channel', "
                   "'written', 'received', '2026-04-01T08:00:00Z', 'service', service, "
                   "'unit', unit), 0 FROM cases WHERE ref LIKE 'R-Z%'")
        db.execute("UPDATE counts SET n = n + ? WHERE name IN ('cases', 'events')", (n,))
        db.execute("UPDATE meta SET value = 'stale' WHERE key = 'rules_fingerprint'")
        db.commit()
        db.close()
        done = "deadlines recomputed with the rules in force"
        before = self.d.log_text().count(done)
        self.d.cli("reload", check=0)
        r = self.report()
        self.assertIs(r["recomputing"], True)
        note = "Merk: fristene ble beregnet på nytt"
        self.assertIn(note, self.d.cli("report", *PERIOD, check=0).stdout)
        rows = list(csv.DictReader(io.StringIO(
            self.d.cli("report", *PERIOD, "--format", "csv", check=0).stdout, newline="")))
        self.assertEqual({row["recomputing"] for row in rows}, {"true"})
        self.assertIn('<p class="warn" role="alert">' + note,
                      self.d.cli("report", *PERIOD, "--format", "html", check=0).stdout)
        deadline = time.monotonic() + 120
        while self.d.log_text().count(done) == before:
            self.assertLess(time.monotonic(), deadline, "the recompute did not end")
            time.sleep(0.1)
        self.assertIs(self.report()["recomputing"], False)
        self.assertNotIn(note, self.d.cli("report", *PERIOD, check=0).stdout)
        rows = list(csv.DictReader(io.StringIO(
            self.d.cli("report", *PERIOD, "--format", "csv", check=0).stdout, newline="")))
        self.assertEqual({row["recomputing"] for row in rows}, {"false"})

    def test_html_in_browser(self):
        if not os.path.exists(CHROMIUM):
            self.skipTest("chromium is not installed")
        os.makedirs(OUTPUT, exist_ok=True)
        page = os.path.join(OUTPUT, "report.html")
        shot = os.path.join(OUTPUT, "report.png")
        text = self.d.cli("report", *PERIOD, "--format", "html", check=0).stdout
        with open(page, "w") as f:
            f.write(text)
        data = self.report()
        self.assertNotRegex(text, r"""(?i)(src|href)\s*=\s*["']?\s*(https?:|//)""")
        self.assertNotRegex(text, r"(?i)<script|url\(|@import|<link|<iframe|<img")
        self.assertIn('<html lang="nb">', text)
        self.assertIn("@media print", text)
        dom = chromium(["--dump-dom", "file://" + page])
        self.assertNotRegex(dom, r"""(?i)(src|href)\s*=\s*["']?\s*(https?:|//)""")
        doc = PageParser()
        doc.feed(dom)
        self.assertEqual(doc.lang, "nb")
        self.assertEqual(doc.title, "Etterlevelsesrapport 2026-01-01 – 2026-03-31")
        self.assertEqual(sorted(doc.tables), sorted([A, B]))
        for s in data["services"]:
            got = doc.tables[s["service"]]
            for month, row in by_month(s).items():
                label = "Totalt" if month == "total" else month
                self.assertEqual(got[label], expected_cells(row), (s["service"], month))
            # Each chart has its title and description, and the table its caption.
            self.assertEqual(doc.svg_titles[s["service"]],
                             "Andel avgjort innen normen og innen § 11 a, per måned")
            self.assertIn("2026-01: Innen normen", doc.svg_descs[s["service"]])
            self.assertTrue(doc.captions[s["service"]].startswith("Tallene per måned"))
            self.assert_bars(doc, s)
        self.assertTrue(doc.col_headers >= 14 * 2)
        self.assertIn("Definisjoner", dom)
        self.assertIn("nærmeste rang", dom)
        chromium(["--screenshot=" + shot, "--window-size=1280,2200", "--hide-scrollbars",
                  "file://" + page])
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        # The English page says lang="en".
        text = self.d.cli("report", *PERIOD, "--format", "html", "--lang", "en",
                          check=0).stdout
        self.assertIn('<html lang="en">', text)
        self.assertIn("<h1>Compliance report</h1>", text)

    def test_html_escapes(self):
        self.reg("R-X1", "2026-03-02", A, unit="<i>a&b\"</i>")
        text = self.d.cli("report", *PERIOD, "--unit", "<i>a&b\"</i>", "--format", "html",
                          check=0).stdout
        self.assertIn("&lt;i&gt;a&amp;b&quot;&lt;/i&gt;", text)
        self.assertNotIn("<i>a", text)


def share_text(row, key, num, den):
    if row[key] is None:
        return "–"
    return ("%.1f %% (%d av %d)" % (row[key] * 100, row[num], row[den])).replace(".", ",")


def expected_cells(row):
    """What the page's table shows of a row of the JSON (bokmål)."""
    def plain(k):
        return "–" if row[k] is None else str(row[k])
    cells = {k: plain(k) for k in row if k in PLAIN}
    cells["within_norm_share"] = share_text(row, "within_norm_share", "within_norm",
                                            "norm_judged")
    cells["within_11a_share"] = share_text(row, "within_11a_share", "within_11a",
                                           "judged_11a")
    return cells


PLAIN = ("applications", "decided", "processing_days_median", "processing_days_p90",
         "oral_decisions", "unreasoned_decisions", "late_forwardings",
         "missed_promised_dates", "complaints", "complaints_in_time",
         "complaints_forwarded_in_time", "complaints_settled_by_office",
         "norm_deadlines_missed", "deadlines_11a_missed")


def chromium(args, timeout=90):
    """Runs headless Chromium (its own profile, no network use needed) and returns its
    standard output; killed with its whole process group after it or at the timeout."""
    profile = tempfile.mkdtemp(prefix="fristvakt-chromium-")
    cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--user-data-dir=" + profile] + args
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        shutil.rmtree(profile, ignore_errors=True)
    if p.returncode != 0:
        raise AssertionError("chromium exited %d: %s" % (p.returncode, err[-2000:]))
    return out


class PageParser(html.parser.HTMLParser):
    """The page's language, title, and per service section: its table's cells by row
    header and data-field, its chart's title and description, its table's caption."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.title = ""
        self.tables, self.svg_titles, self.svg_descs, self.captions = {}, {}, {}, {}
        # Per service: its charts' widths, and each bar's height and value text by
        # (month, field); a share with nothing to judge has the dash "–" as its text.
        self.svg_widths, self.bars, self.bar_texts = {}, {}, {}
        self.col_headers = 0
        self.service = None
        self.where = None     # what the text being read belongs to
        self.row = None
        self.field = None
        self.text = ""
        self.in_svg = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "section" and "data-service" in a:
            self.service = a["data-service"]
            self.tables[self.service] = {}
        elif tag == "svg":
            self.in_svg = True
            self.svg_widths.setdefault(self.service, []).append(int(a["width"]))
        elif tag == "rect" and "data-field" in a:
            self.bars.setdefault(self.service, {})[(a["data-month"], a["data-field"])] = \
                int(a["height"])
        elif tag == "text" and "data-field" in a:
            self.where, self.text, self.field = "text", "", (a["data-month"], a["data-field"])
        elif tag in ("title", "desc", "caption") or (tag == "th" and a.get("scope") == "row"):
            self.where, self.text = tag, ""
        elif tag == "td":
            self.where, self.text, self.field = "td", "", a.get("data-field")
        elif tag == "th" and a.get("scope") == "col":
            self.col_headers += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg = False
        if tag != self.where:
            return
        t = " ".join(self.text.split())
        if tag == "title" and not self.in_svg:
            self.title = t
        elif tag == "title":
            self.svg_titles[self.service] = t
        elif tag == "desc":
            self.svg_descs[self.service] = t
        elif tag == "caption":
            self.captions[self.service] = t
        elif tag == "th":
            self.row = self.tables[self.service].setdefault(t, {})
        elif tag == "td":
            self.row[self.field] = t
        elif tag == "text":
            self.bar_texts.setdefault(self.service, {})[self.field] = t
        self.where = None

    def handle_data(self, data):
        if self.where:
            self.text += data


if __name__ == "__main__":
    main()
