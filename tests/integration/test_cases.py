# SPDX-License-Identifier: GPL-3.0-or-later
"""The case register through the real daemon: a full case story for each legal regime,
corrections, idempotent re-sends, conflicts, restart, and a read-only peer.

Past events use fixed dates in 2026 (so met/missed are settled); deadlines that must still
be open are placed relative to today in Europe/Oslo, and their expected due dates are
computed here with an independent Norwegian holiday calendar (the helpers below are also
used by the other test_*.py files of the case register).
"""

import datetime
import json
import os
import pwd
import signal
import unittest
from unittest import mock
from zoneinfo import ZoneInfo

from fvtest import Daemon, DaemonTest, main, peer_calls

OSLO = ZoneInfo("Europe/Oslo")
PREFIX = "no.fristvakt."
OUT_OF_ORDER_ERROR = PREFIX + "OutOfOrder"


# --------------------------------------------------------------------------------------
# An independent calendar (domstolloven §§ 148-149, helligdagsloven § 2): Easter by the anonymous Gregorian computus,
# the Norwegian public holidays, and roll-over to the next working day.

def oslo_today():
    return datetime.datetime.now(OSLO).date()


def easter(year):
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def holidays(year):
    e = easter(year)
    days = {
        datetime.date(year, 1, 1): "nyttårsdag",
        e - datetime.timedelta(3): "skjærtorsdag",
        e - datetime.timedelta(2): "langfredag",
        e: "første påskedag",
        e + datetime.timedelta(1): "annen påskedag",
        datetime.date(year, 5, 1): "offentlig høytidsdag",
        datetime.date(year, 5, 17): "grunnlovsdag",
        e + datetime.timedelta(39): "Kristi himmelfartsdag",
        e + datetime.timedelta(49): "første pinsedag",
        e + datetime.timedelta(50): "annen pinsedag",
        datetime.date(year, 12, 25): "første juledag",
        datetime.date(year, 12, 26): "annen juledag",
    }
    return days


def is_working_day(d):
    return d.weekday() < 5 and d not in holidays(d.year)


def roll(d):
    """The deadline's last day after roll-over (domstolloven § 149)."""
    while not is_working_day(d):
        d += datetime.timedelta(1)
    return d


def days_ago(n):
    return oslo_today() - datetime.timedelta(n)


def iso(d):
    return d.isoformat()


# --------------------------------------------------------------------------------------
# Calling the daemon.

class CaseMixin:
    """Raw Varlink helpers; self.d is the daemon, self.c a connection to it."""

    def connect_case(self):
        self.c = self.d.connect()
        self.addCleanup(self.c.close)

    def call(self, method, params=None, conn=None):
        """Calls a method that must succeed; returns its reply parameters."""
        r = (conn or self.c).call(PREFIX + method, params)
        self.assertIsNotNone(r, "%s: the daemon closed the connection" % method)
        self.assertNotIn("error", r, "%s(%s) failed: %s" % (method, params, r))
        return r.get("parameters", {})

    def call_error(self, method, params=None, conn=None):
        """Calls a method that must fail; returns (error, parameters)."""
        r = (conn or self.c).call(PREFIX + method, params)
        self.assertIsNotNone(r, "%s: the daemon closed the connection" % method)
        if "error" not in r:
            rec = r.get("parameters", {}).get("recorded", {})
            self.fail("%s(%s) unexpectedly succeeded (event %s, duplicate %s)"
                      % (method, params, rec.get("event"), rec.get("duplicate")))
        return r["error"], r.get("parameters", {})

    def rec(self, method, params):
        """Records an event; returns the Recorded structure."""
        return self.call(method, params)["recorded"]

    def register(self, ref, received, service="okonomisk-stonad", channel="written", **kw):
        p = {"reference": ref, "service": service, "received": received, "channel": channel}
        p.update(kw)
        return self.rec("RegisterApplication", p)

    def decide(self, ref, made, reached=None, outcome="avslatt", written=True, reasoned=True,
               **kw):
        p = {"reference": ref, "made": made, "outcome": outcome, "written": written,
             "reasoned": reasoned}
        if reached is not None:
            p["reached"] = reached
        p.update(kw)
        return self.rec("RecordDecision", p)

    def get_case(self, ref):
        return self.call("GetCase", {"reference": ref})

    def deadline(self, holder, kind, subject=None):
        """The one deadline of a kind (and subject) in a Recorded or GetCase reply."""
        found = [d for d in holder["deadlines"]
                 if d["kind"] == kind and (subject is None or d["subject"] == subject)]
        self.assertEqual(len(found), 1, "expected one %s deadline in %s"
                         % (kind, [(d["kind"], d["subject"]) for d in holder["deadlines"]]))
        return found[0]

    def kinds(self, holder):
        return sorted(d["kind"] for d in holder["deadlines"])

    def counts(self):
        return self.call("Status")["counts"]


class CaseTest(CaseMixin, DaemonTest):
    def setUp(self):
        super().setUp()
        self.connect_case()


STEPS_EASTER_2026 = [
    ("2026-04-02", "skjærtorsdag", "2026-04-03"),
    ("2026-04-03", "langfredag", "2026-04-04"),
    ("2026-04-04", "lørdag", "2026-04-05"),
    ("2026-04-05", "første påskedag", "2026-04-06"),
    ("2026-04-06", "annen påskedag", "2026-04-07"),
]


def steps(d):
    return [(s["day"], s["why"], s["to"]) for s in d["steps"]]


class CalendarHelperTest(unittest.TestCase):
    """The test's own calendar agrees with the law's worked examples before it judges the daemon."""

    def test_easter_and_rollover(self):
        for y, day in ((2025, 20), (2026, 5), (2028, 16), (2030, 21)):
            self.assertEqual(easter(y), datetime.date(y, 4, day))
        self.assertEqual(easter(2027), datetime.date(2027, 3, 28))
        self.assertEqual(easter(2029), datetime.date(2029, 4, 1))
        self.assertEqual(roll(datetime.date(2026, 4, 2)), datetime.date(2026, 4, 7))
        self.assertEqual(roll(datetime.date(2026, 5, 14)), datetime.date(2026, 5, 15))
        self.assertEqual(roll(datetime.date(2026, 5, 17)), datetime.date(2026, 5, 18))
        self.assertEqual(roll(datetime.date(2026, 5, 25)), datetime.date(2026, 5, 26))
        self.assertEqual(roll(datetime.date(2026, 12, 24)), datetime.date(2026, 12, 24))


# --------------------------------------------------------------------------------------
# The stories.

class OkonomiskStonadStoryTest(CaseTest):
    """Økonomisk stønad (sosialtjenesteloven: 3-week complaint deadline)."""

    def test_full_story(self):
        ref = "2026/1001"
        r = self.register(ref, "2026-03-02T09:15:00+01:00", handler="h-17", unit="nav-sentrum")
        self.assertEqual(r["case"]["state"], "open")
        self.assertEqual(r["case"]["service"], "okonomisk-stonad")
        self.assertEqual(r["case"]["service_name"], "Økonomisk stønad")
        self.assertEqual(r["case"]["received"], "2026-03-02T08:15:00Z")
        self.assertEqual(r["case"]["handler"], "h-17")
        self.assertFalse(r["duplicate"])
        received = r["event"]
        self.assertEqual(self.kinds(r), ["preliminary_reply", "processing"])

        # Processing norm: 14 days from Mon 2 Mar → Mon 16 Mar (a local norm, with source).
        p = self.deadline(r, "processing")
        self.assertEqual(p["due"], "2026-03-16")
        self.assertEqual(p["period"], "14d")
        self.assertEqual(p["start"], {"event": received, "type": "received",
                                      "date": "2026-03-02"})
        self.assertEqual(p["duty"], "office")
        self.assertIn("tjenesteerklæring", p["source"])
        self.assertEqual(p["subject"], received)

        # Foreløpig svar: 1 month → Thu 2 Apr (skjærtorsdag) → Tue 7 Apr.
        pr = self.deadline(r, "preliminary_reply")
        self.assertEqual(pr["raw_end"], "2026-04-02")
        self.assertEqual(pr["due"], "2026-04-07")
        self.assertEqual(pr["source"], "forvaltningsloven § 11 a tredje ledd")
        self.assertEqual(steps(pr), STEPS_EASTER_2026)

        # The decision: made Tue 10 Mar, reached the party Thu 12 Mar.
        r = self.decide(ref, "2026-03-10T14:00:00+01:00", "2026-03-12",
                        outcome="delvis_innvilget", legal_basis="sosialtjenesteloven § 18")
        decision = r["event"]
        self.assertEqual(self.deadline(r, "processing")["state"], "met")
        self.assertEqual(self.deadline(r, "processing")["met_on"], "2026-03-10")
        self.assertEqual(self.deadline(r, "processing")["met_by"], decision)
        self.assertEqual(self.deadline(r, "preliminary_reply")["state"], "met")

        k = self.deadline(r, "complaint")
        self.assertEqual(k["subject"], decision)
        self.assertEqual(k["duty"], "party")
        self.assertEqual(k["period"], "3w")
        self.assertEqual(k["source"], "forvaltningsloven § 29")
        self.assertEqual(k["start"], {"event": decision, "type": "decision_reached",
                                      "date": "2026-03-12"})
        self.assertEqual(k["raw_end"], "2026-04-02")
        self.assertEqual(k["due"], "2026-04-07")
        self.assertEqual(steps(k), STEPS_EASTER_2026)
        for why in ("skjærtorsdag", "langfredag", "lørdag", "første påskedag",
                    "annen påskedag"):
            self.assertIn(why, k["text"])
        self.assertIn("2026-04-07", k["text"])
        late = self.deadline(r, "late_complaint")
        self.assertEqual(late["due"], "2027-03-10")
        self.assertEqual(late["source"], "forvaltningsloven § 31")

        # The complaint sent on the last day is in time (fvl. § 30), though received later.
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-07T23:30:00+02:00",
                                         "received": "2026-04-09"})
        complaint = r["event"]
        k = self.deadline(r, "complaint")
        self.assertEqual(k["state"], "met")
        self.assertEqual(k["met_on"], "2026-04-07")
        self.assertEqual(k["met_by"], complaint)
        # Forwarding (local norm 4 weeks from receipt, Thu 9 Apr → Thu 7 May).
        f = self.deadline(r, "forwarding")
        self.assertEqual(f["subject"], complaint)
        self.assertEqual(f["due"], "2026-05-07")

        r = self.rec("ForwardComplaint", {"reference": ref, "forwarded": "2026-04-28"})
        forwarded = r["event"]
        f = self.deadline(r, "forwarding")
        self.assertEqual((f["state"], f["met_on"], f["met_by"]), ("met", "2026-04-28", forwarded))
        self.rec("DecideComplaint", {"reference": ref, "decided": "2026-06-15",
                                     "outcome": "stadfestet"})
        r = self.rec("CloseCase", {"reference": ref, "closed": "2026-06-16"})
        self.assertEqual(r["case"]["state"], "closed")

        # The timeline as GetCase shows it.
        g = self.get_case(ref)
        self.assertEqual([e["type"] for e in g["events"]],
                         ["received", "decision", "complaint", "forwarded",
                          "complaint_decided", "closed"])
        ev = {e["type"]: e for e in g["events"]}
        self.assertEqual(ev["decision"]["data"]["legal_basis"], "sosialtjenesteloven § 18")
        self.assertEqual(ev["decision"]["data"]["reached"], "2026-03-11T23:00:00Z")
        self.assertEqual(ev["complaint"]["data"]["decision"], decision)
        self.assertEqual(ev["complaint"]["occurred"], "2026-04-07T21:30:00Z")
        for e in g["events"]:
            self.assertEqual(e["uid"], os.getuid())
            self.assertIsNone(e["superseded_by"])
        self.assertEqual(self.deadline(g, "complaint")["state"], "met")
        self.assertEqual(self.deadline(g, "complaint")["due"], "2026-04-07")
        self.assertEqual(g["breaches"], [])
        self.assertEqual(g["case"]["state"], "closed")

class ThreeWeekExamplesTest(CaseTest):
    """Worked examples of domstolloven §§ 148-149 through the daemon: 3 weeks from a decision reached. The
    daemon's test clock stands after the last example, so that every one is checked on
    any day the suite runs (the daemon refuses a decision reached in the future)."""

    SUBST = {"clock_control = false;": "clock_control = true;"}

    def test_three_week_examples(self):
        # Worked examples through the daemon: 3 weeks from a decision reached.
        r = self.c.call("no.fristvakt.testing.SetClock", {"now": "2027-01-11T12:00:00+01:00"})
        self.assertNotIn("error", r, r)
        for i, (reached, due) in enumerate((("2026-03-02", "2026-03-23"),
                                            ("2026-04-23", "2026-05-15"),
                                            ("2026-12-03", "2026-12-24"))):
            ref = "ex-%d" % i
            self.register(ref, "2026-02-02")
            r = self.decide(ref, reached, reached)
            self.assertEqual(self.deadline(r, "complaint")["due"], due, reached)
        # Kristi himmelfartsdag is named as the reason; 24 December moves nothing.
        k = self.deadline(self.get_case("ex-1"), "complaint")
        self.assertEqual(len(k["steps"]), 1)
        self.assertEqual((k["steps"][0]["day"], k["steps"][0]["to"]),
                         ("2026-05-14", "2026-05-15"))
        self.assertIn("himmelfart", k["steps"][0]["why"].lower())
        self.assertEqual(self.deadline(self.get_case("ex-2"), "complaint")["steps"], [])


class CliStoryTest(CaseTest):
    """The økonomisk stønad story driven entirely by the CLI, as a case worker would."""

    def setUp(self):
        super().setUp()
        # A case worker's machine in Norway shows local times in Europe/Oslo.
        patcher = mock.patch.dict(os.environ, {"TZ": "Europe/Oslo"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def run_cli(self, *args):
        p = self.d.cli(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (" ".join(args), p.stderr))
        return p.stdout

    def test_story_by_cli(self):
        ref = "2026/2001"
        steps_ = [
            ("case", "add", ref, "--service", "okonomisk-stonad", "--received",
             "2026-03-02T09:15:00+01:00", "--handler", "h-17", "--unit", "nav-sentrum",
             "--event-id", "cs-2001-1"),
            ("documentation", "request", ref, "--requested", "2026-03-05", "--due",
             "2026-03-12"),
            ("documentation", "receive", ref, "--received", "2026-03-09"),
            ("decision", "add", ref, "--made", "2026-03-10T14:00:00+01:00", "--reached",
             "2026-03-12", "--outcome", "delvis_innvilget", "--legal-basis",
             "sosialtjenesteloven § 18"),
            ("complaint", "add", ref, "--sent", "2026-04-07", "--received", "2026-04-09"),
            ("complaint", "forward", ref, "--forwarded", "2026-04-28"),
            ("complaint", "decide", ref, "--decided", "2026-06-15", "--outcome", "stadfestet"),
            ("case", "close", ref, "--at", "2026-06-16"),
        ]
        for n, args in enumerate(steps_, 1):
            out = self.run_cli(*args, "--lang", "en")
            self.assertIn("recorded event %d in case %s" % (n, ref), out)
        # Re-sending the registration with its event id stores nothing.
        self.run_cli(*steps_[0])
        self.assertEqual(self.counts()["events"], len(steps_))

        g = self.get_case(ref)
        self.assertEqual(self.deadline(g, "processing")["due"], "2026-03-20")
        self.assertEqual(self.deadline(g, "complaint")["due"], "2026-04-07")
        self.assertEqual(self.deadline(g, "complaint")["state"], "met")
        self.assertEqual(g["case"]["state"], "closed")

        out = self.run_cli("case", "show", ref)
        self.assertIn("Sak %s" % ref, out)
        self.assertIn("Økonomisk stønad", out)
        self.assertIn("h-17", out)
        self.assertIn("nav-sentrum", out)
        # The timeline: every event, in order, with its local time.
        timeline = out.split("Hendelser", 1)[1].split("Frister", 1)[0]
        lines = [l.strip() for l in timeline.strip().splitlines()]
        self.assertEqual([l.split()[0] for l in lines],
                         [str(e["id"]) for e in g["events"]])
        expect = ["2026-03-02 09:15", "2026-03-05", "2026-03-09", "2026-03-10 14:00",
                  "2026-04-07", "2026-04-28", "2026-06-15", "2026-06-16"]
        for line, when in zip(lines, expect):
            self.assertIn(when, line)
        for word in ("søknad mottatt", "vedtak", "klage", "Statsforvalteren", "avsluttet",
                     "sosialtjenesteloven § 18"):
            self.assertIn(word, timeline)
        # Every deadline: its label and due date on one line, then the whole explanation.
        deadlines = out.split("Frister", 1)[1]
        for d in g["deadlines"]:
            # Forwarding names where the complaint goes (sosialtjenesteloven § 48).
            label = d["label"]
            if d["kind"] == "forwarding":
                self.assertEqual(d["complaint_body"], "Statsforvalteren")
                label = "frist for oversendelse til Statsforvalteren"
            head = [l for l in deadlines.splitlines()
                    if l.strip().startswith(label + " (hendelse %d)" % d["subject"])]
            self.assertEqual(len(head), 1, label)
            self.assertIn(d["due"], head[0])
            for line in d["text"].splitlines():
                self.assertIn(line, deadlines)
        for why in ("skjærtorsdag", "langfredag", "første påskedag", "annen påskedag",
                    "Fristen stod stille fra 2026-03-05", "forvaltningsloven § 29"):
            self.assertIn(why, deadlines)

        # --json gives exactly what GetCase gives.
        self.assertEqual(self.d.cli_json("case", "show", ref), self.get_case(ref))
        out = self.run_cli("case", "list")
        self.assertIn(ref, out)
        out = self.run_cli("deadlines", "--kind", "complaint", "--all")
        self.assertIn(ref, out)
        self.assertIn("2026-04-07", out)

    def test_cli_errors(self):
        p = self.d.cli("complaint", "add", "NO-SUCH", "--sent", "2026-04-07")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no.fristvakt.CaseNotFound", p.stderr)
        self.assertIn("NO-SUCH", p.stderr)
        p = self.d.cli("complaint", "add", "NO-SUCH")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--sent", p.stderr)
        p = self.d.cli("case", "add", "X-1", "--service", "hundepass", "--received",
                       "2026-03-02")
        self.assertEqual(p.returncode, 1)
        self.assertIn("UnknownService", p.stderr)
        self.assertEqual(self.counts()["cases"], 0)


class FourWeekRegimeTest(CaseTest):
    """Pasient- og brukerrettighetsloven (4 weeks, pbrl. § 7-5)."""

    def test_bpa_grunnlovsdag(self):
        ref = "BPA-2026-7"
        r = self.register(ref, "2026-03-30", service="bpa", channel="digital")
        # No municipal processing norm for BPA: only the fvl. § 11 a month.
        self.assertEqual(self.kinds(r), ["preliminary_reply"])
        self.assertEqual(self.deadline(r, "preliminary_reply")["due"], "2026-04-30")
        r = self.decide(ref, "2026-04-16", "2026-04-19T12:00:00+02:00", outcome="avslatt",
                        legal_basis="pasient- og brukerrettighetsloven § 2-1 d")
        k = self.deadline(r, "complaint")
        self.assertEqual(k["period"], "4w")
        self.assertEqual(k["source"], "pasient- og brukerrettighetsloven § 7-5")
        self.assertEqual(k["start"]["date"], "2026-04-19")
        self.assertEqual(k["raw_end"], "2026-05-17")
        self.assertEqual(k["due"], "2026-05-18")
        self.assertEqual(steps(k), [("2026-05-17", "grunnlovsdag", "2026-05-18")])
        self.assertIn("grunnlovsdag", k["text"])
        # The party's deadline passed without a complaint: expired, no breach.
        self.assertEqual(k["state"], "expired")
        self.assertIn("utløpt – ingen klage", k["text"])
        self.assertEqual(self.deadline(r, "late_complaint")["due"], "2027-04-16")

    def test_helsetjenester_pinse(self):
        ref = "HJ-88"
        self.register(ref, "2026-04-01", service="helsetjenester-i-hjemmet")
        r = self.decide(ref, "2026-04-24", "2026-04-27", outcome="delvis_innvilget")
        k = self.deadline(r, "complaint")
        self.assertEqual(k["due"], "2026-05-26")
        self.assertEqual(steps(k), [("2026-05-25", "annen pinsedag", "2026-05-26")])
        # A complaint posted on the last day is in time.
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-05-26"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")

    def test_open_four_week_deadline(self):
        # Relative to today: the deadline is open, with the expected date and days left.
        reached = days_ago(2)
        ref = "stk-open"
        self.register(ref, iso(days_ago(20)), service="stottekontakt")
        r = self.decide(ref, iso(days_ago(3)), iso(reached), outcome="avslatt")
        k = self.deadline(r, "complaint")
        self.assertEqual(k["state"], "open")
        self.assertEqual(k["due"], iso(roll(reached + datetime.timedelta(weeks=4))))
        rows = self.call("ListDeadlines", {"kind": "complaint", "state": "open"})
        self.assertEqual(rows["today"], iso(oslo_today()))
        row = [x for x in rows["deadlines"] if x["reference"] == ref]
        self.assertEqual(len(row), 1)
        self.assertEqual(row[0]["due"], k["due"])
        self.assertEqual(row[0]["days_left"],
                         (datetime.date.fromisoformat(k["due"]) - oslo_today()).days)
        self.assertEqual(row[0]["service"], "stottekontakt")


class NodhjelpTest(CaseTest):
    def test_friday_due_saturday(self):
        # Received Fri 6 Mar 2026: due Sat 7 Mar, no roll-over, missed without a decision.
        r = self.register("N-1", "2026-03-06T15:40:00+01:00", service="nodhjelp",
                          channel="oral")
        self.assertEqual(r["case"]["channel"], "oral")
        p = self.deadline(r, "processing")
        self.assertEqual(p["due"], "2026-03-07")
        self.assertEqual(p["rollover"], "none")
        self.assertEqual(p["steps"], [])
        self.assertEqual(p["state"], "missed")
        # Decided on the Saturday: met.
        r = self.decide("N-1", "2026-03-07T11:00:00+01:00", "2026-03-07", outcome="innvilget")
        p = self.deadline(r, "processing")
        self.assertEqual((p["state"], p["met_on"]), ("met", "2026-03-07"))

    def test_emergency_flag_on_okonomisk_stonad(self):
        r = self.register("N-2", "2026-03-06", channel="oral", emergency=True)
        self.assertTrue(r["case"]["emergency"])
        p = self.deadline(r, "processing")
        self.assertEqual(p["due"], "2026-03-07")
        self.assertEqual(p["period"], "1d")
        self.assertEqual(p["rollover"], "none")
        # Without the flag the ordinary 14-day norm applies.
        r = self.register("N-3", "2026-03-06", channel="oral")
        self.assertEqual(self.deadline(r, "processing")["due"], "2026-03-20")

    def test_latest_friday_relative(self):
        today = oslo_today()
        friday = today - datetime.timedelta((today.weekday() - 4) % 7)
        r = self.register("N-4", iso(friday), service="nodhjelp")
        p = self.deadline(r, "processing")
        due = friday + datetime.timedelta(1)
        self.assertEqual(p["due"], iso(due))
        self.assertEqual(p["state"], "open" if due >= today else "missed")


class PauseTest(CaseTest):
    def test_documentation_pause(self):
        ref = "P-1"
        self.register(ref, "2026-03-02")
        r = self.rec("RequestDocumentation", {"reference": ref, "requested": "2026-03-05",
                                              "due": "2026-03-12"})
        request = r["event"]
        doc = self.deadline(r, "documentation")
        self.assertEqual((doc["duty"], doc["due"], doc["subject"]), ("party", "2026-03-12",
                                                                     request))
        r = self.rec("ReceiveDocumentation", {"reference": ref, "received": "2026-03-09"})
        self.assertEqual(self.deadline(r, "documentation")["state"], "met")
        p = self.deadline(r, "processing")
        # Open 5 Mar → 9 Mar: 4 days; 16 Mar + 4 = Fri 20 Mar.
        self.assertEqual(p["raw_end"], "2026-03-16")
        self.assertEqual(p["pause_days"], 4)
        self.assertEqual(p["paused_end"], "2026-03-20")
        self.assertEqual(p["due"], "2026-03-20")
        self.assertEqual(len(p["pauses"]), 1)
        pause = p["pauses"][0]
        self.assertEqual((pause["event"], pause["from"], pause["to"], pause["days"],
                          pause["open"]), (request, "2026-03-05", "2026-03-09", 4, False))
        self.assertIn("2026-03-05", p["text"])
        # The fvl. § 11 a month never pauses.
        self.assertEqual(self.deadline(r, "preliminary_reply")["due"], "2026-04-07")
        self.assertEqual(self.deadline(r, "preliminary_reply")["pause_days"], 0)
        # A decision on 19 Mar meets the moved norm.
        r = self.decide(ref, "2026-03-19", "2026-03-20")
        self.assertEqual(self.deadline(r, "processing")["state"], "met")

    def test_pause_rolls_over(self):
        # Open 5 Mar → 11 Mar: 6 days; 16 Mar + 6 = Sun 22 Mar → Mon 23 Mar.
        self.register("P-2", "2026-03-02")
        self.rec("RequestDocumentation", {"reference": "P-2", "requested": "2026-03-05",
                                          "due": "2026-03-19"})
        r = self.rec("ReceiveDocumentation", {"reference": "P-2", "received": "2026-03-11"})
        p = self.deadline(r, "processing")
        self.assertEqual((p["pause_days"], p["paused_end"], p["due"]),
                         (6, "2026-03-22", "2026-03-23"))

    def test_open_request_keeps_pausing(self):
        received = days_ago(10)
        requested = days_ago(4)
        self.register("P-3", iso(received))
        r = self.rec("RequestDocumentation", {"reference": "P-3", "requested": iso(requested),
                                              "due": iso(oslo_today() + datetime.timedelta(10))})
        p = self.deadline(r, "processing")
        self.assertEqual(p["state"], "open")
        self.assertEqual(p["pauses"][0]["open"], True)
        self.assertEqual(p["pause_days"], 4)
        self.assertEqual(p["due"], iso(roll(received + datetime.timedelta(14 + 4))))

    def test_norm_without_pause_for_4w_regime(self):
        # Helsetjenester i hjemmet has no processing norm; its fvl. § 11 a month stands.
        self.register("P-4", "2026-03-02", service="helsetjenester-i-hjemmet")
        self.rec("RequestDocumentation", {"reference": "P-4", "requested": "2026-03-05",
                                          "due": "2026-03-12"})
        r = self.rec("ReceiveDocumentation", {"reference": "P-4", "received": "2026-03-20"})
        self.assertEqual(self.deadline(r, "preliminary_reply")["due"], "2026-04-07")


class ReasonsTest(CaseTest):
    def test_request_for_reasons_restarts(self):
        ref = "R-1"
        self.register(ref, "2026-02-20")
        r = self.decide(ref, "2026-03-02", "2026-03-02", reasoned=False)
        decision = r["event"]
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-03-23")
        self.assertEqual([b["code"] for b in r["breaches"]], ["unreasoned_decision"])
        r = self.rec("RequestReasons", {"reference": ref, "requested": "2026-03-10"})
        requested = r["event"]
        k = self.deadline(r, "complaint")
        self.assertIsNone(k["due"])
        self.assertEqual(k["state"], "open")
        self.assertEqual(k["restart"]["requested_event"], requested)
        self.assertEqual(k["restart"]["requested"], "2026-03-10")
        self.assertIsNone(k["restart"]["given"])
        self.assertTrue(any("2026-03-10" in n for n in k["notes"]), k["notes"])
        g = self.get_case(ref)
        self.assertIsNone(self.deadline(g, "complaint")["due"])
        self.assertEqual(g["events"][-1]["data"]["decision"], decision)
        # The late-complaint window is counted from the decision and does not move.
        self.assertEqual(self.deadline(g, "late_complaint")["due"], "2027-03-02")

        r = self.rec("GiveReasons", {"reference": ref, "reached": "2026-03-12"})
        given = r["event"]
        k = self.deadline(r, "complaint")
        # A new full 3 weeks from 12 Mar: 2 Apr → 7 Apr.
        self.assertEqual(k["due"], "2026-04-07")
        self.assertEqual(k["restart"]["given_event"], given)
        self.assertEqual(k["restart"]["given"], "2026-03-12")
        self.assertEqual(steps(k), STEPS_EASTER_2026)
        self.assertTrue(any("2026-03-23" in n for n in k["notes"]), k["notes"])
        self.assertEqual(k["state"], "expired")
        # A complaint on 6 Apr is in time thanks to the restart.
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-06"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")

    def test_reasoned_decision_keeps_its_deadline(self):
        # fvl. § 24 second paragraph with § 29: only a decision given without reasons has
        # its complaint deadline restarted by a request for them. One that gave them keeps
        # its deadline; the request is recorded and explained.
        ref = "R-5"
        self.register(ref, "2026-02-20")
        r = self.decide(ref, "2026-03-02", "2026-03-02", outcome="innvilget", reasoned=True)
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-03-23")
        r = self.rec("RequestReasons", {"reference": ref, "requested": "2026-03-10"})
        k = self.deadline(r, "complaint")
        self.assertEqual(k["due"], "2026-03-23")
        self.assertIsNone(k["restart"])
        self.assertIn("Vedtaket var begrunnet, så klagefristen løper som før "
                      "(forvaltningsloven § 29 jf. § 24 annet ledd).", k["text"])
        self.assertEqual(self.deadline(self.get_case(ref), "complaint")["due"], "2026-03-23")

    def test_reasons_given_before_requested_refused(self):
        # Reasons cannot reach the party before they were asked for: the event does not
        # fit the case. Accepting it leaves the complaint deadline without a date for good.
        ref = "R-4"
        self.register(ref, "2026-03-02")
        self.decide(ref, "2026-03-10", "2026-03-12", reasoned=False)
        self.rec("RequestReasons", {"reference": ref, "requested": "2026-03-13"})
        before = self.counts()
        err, p = self.call_error("GiveReasons", {"reference": ref, "reached": "2026-03-12"})
        self.assertEqual(err, OUT_OF_ORDER_ERROR, p)
        self.assertEqual(self.counts(), before)
        self.assertIsNone(self.deadline(self.get_case(ref), "complaint")["due"])

    def test_request_after_deadline_does_not_restart(self):
        ref = "R-2"
        self.register(ref, "2026-02-20")
        self.decide(ref, "2026-03-02", "2026-03-02", reasoned=False)
        self.rec("RequestReasons", {"reference": ref, "requested": "2026-03-25"})
        r = self.rec("GiveReasons", {"reference": ref, "reached": "2026-03-27"})
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-03-23")

    def test_open_request_relative(self):
        ref = "R-3"
        self.register(ref, iso(days_ago(20)))
        self.decide(ref, iso(days_ago(6)), iso(days_ago(5)), reasoned=False)
        r = self.rec("RequestReasons", {"reference": ref, "requested": iso(days_ago(1))})
        self.assertIsNone(self.deadline(r, "complaint")["due"])
        rows = self.call("ListDeadlines", {"kind": "complaint"})["deadlines"]
        row = [x for x in rows if x["reference"] == ref][0]
        self.assertIsNone(row["due"])
        self.assertIsNone(row["days_left"])
        r = self.rec("GiveReasons", {"reference": ref, "reached": iso(oslo_today())})
        k = self.deadline(r, "complaint")
        self.assertEqual(k["due"], iso(roll(oslo_today() + datetime.timedelta(weeks=3))))
        self.assertEqual(k["state"], "open")


class ExtensionTest(CaseTest):
    def test_extension_before_expiry(self):
        ref = "X-1"
        reached = days_ago(2)
        self.register(ref, iso(days_ago(12)))
        r = self.decide(ref, iso(days_ago(3)), iso(reached))
        decision = r["event"]
        k = self.deadline(r, "complaint")
        due = roll(reached + datetime.timedelta(weeks=3))
        self.assertEqual(k["due"], iso(due))
        self.assertEqual(k["state"], "open")
        until = roll(due + datetime.timedelta(14))
        reason = "Parten er innlagt; forlenget etter avtale"
        r = self.rec("ExtendDeadline", {"reference": ref, "kind": "complaint",
                                        "until": iso(until), "reason": reason})
        extension = r["event"]
        k = self.deadline(r, "complaint")
        self.assertEqual(k["subject"], decision)
        self.assertEqual(k["due"], iso(until))
        self.assertEqual(k["rule_due"], iso(due))
        self.assertEqual(k["state"], "open")
        self.assertEqual(len(k["extensions"]), 1)
        x = k["extensions"][0]
        self.assertEqual(x["event"], extension)
        self.assertEqual(x["why"], reason)
        self.assertIn("uid %d" % os.getuid(), x["who"])
        self.assertIn(pwd.getpwuid(os.getuid()).pw_name, x["who"])
        self.assertIn(reason, k["text"])
        self.assertIn(iso(until), k["text"])
        g = self.get_case(ref)
        self.assertEqual(self.deadline(g, "complaint")["due"], iso(until))
        self.assertEqual(g["events"][-1]["type"], "extension")
        self.assertEqual(g["events"][-1]["data"]["subject"], decision)

    def test_extension_on_the_last_day_and_again(self):
        # The deadline lasts to the end of its last day: extending on that day is in time.
        today = oslo_today()
        reached = today - datetime.timedelta(weeks=3)
        if roll(today) != today:
            self.skipTest("today is not a working day")
        ref = "X-3"
        self.register(ref, iso(reached - datetime.timedelta(5)))
        r = self.decide(ref, iso(reached), iso(reached))
        self.assertEqual(self.deadline(r, "complaint")["due"], iso(today))
        self.assertEqual(self.deadline(r, "complaint")["state"], "open")
        first = roll(today + datetime.timedelta(7))
        r = self.rec("ExtendDeadline", {"reference": ref, "kind": "complaint",
                                        "until": iso(first), "reason": "Første forlengelse"})
        self.assertEqual(self.deadline(r, "complaint")["due"], iso(first))
        # A second extension must go beyond the first.
        err, p = self.call_error("ExtendDeadline", {
            "reference": ref, "kind": "complaint", "until": iso(first - datetime.timedelta(1)),
            "reason": "For kort"})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "until"))
        second = roll(first + datetime.timedelta(7))
        r = self.rec("ExtendDeadline", {"reference": ref, "kind": "complaint",
                                        "until": iso(second), "reason": "Andre forlengelse"})
        k = self.deadline(r, "complaint")
        self.assertEqual(k["due"], iso(second))
        self.assertEqual([(x["date"], x["why"]) for x in k["extensions"]],
                         [(iso(first), "Første forlengelse"), (iso(second), "Andre forlengelse")])

    def test_extension_after_expiry_refused(self):
        ref = "X-2"
        self.register(ref, "2026-03-02")
        self.decide(ref, "2026-03-10", "2026-03-12")
        before = self.counts()
        err, p = self.call_error("ExtendDeadline", {
            "reference": ref, "kind": "complaint", "until": iso(oslo_today()
                                                              + datetime.timedelta(7)),
            "reason": "for sent"})
        self.assertEqual(err, "no.fristvakt.OutOfOrder")
        self.assertEqual(p["reference"], ref)
        # The deadline is named with its rule's configured source, not a section in code.
        self.assertIn("klagefrist expired on 2026-04-07, and a deadline can be extended only "
                      "before it expires. The extension's provision: forvaltningsloven § 29.",
                      p["message"])
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.deadline(self.get_case(ref), "complaint")["due"], "2026-04-07")
        # Under pbrl the klagefrist has another source, and the refusal cites that one.
        self.register("X-3", "2026-03-02", service="bpa")
        self.decide("X-3", "2026-03-10", "2026-03-12")
        err, p = self.call_error("ExtendDeadline", {
            "reference": "X-3", "kind": "complaint", "until": iso(oslo_today()
                                                                 + datetime.timedelta(7)),
            "reason": "for sent"})
        self.assertEqual(err, "no.fristvakt.OutOfOrder")
        # The extension provision and the deadline's source, both from the rule (rules.conf).
        self.assertIn("klagefrist expired on 2026-04-09, and a deadline can be extended only "
                      "before it expires. The extension's provision: forvaltningsloven § 29 "
                      "(pasient- og brukerrettighetsloven § 7-6). The deadline's source: "
                      "pasient- og brukerrettighetsloven § 7-5", p["message"])


class LateComplaintTest(CaseTest):
    def test_late_inside_window(self):
        ref = "L-1"
        self.register(ref, "2026-03-02")
        self.decide(ref, "2026-03-10", "2026-03-12")
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-05-04"})
        complaint = r["event"]
        k = self.deadline(r, "complaint")
        self.assertEqual(k["state"], "expired")
        self.assertEqual(k["due"], "2026-04-07")
        self.assertTrue(any("§ 31" in n and "2027-03-10" in n for n in k["notes"]), k["notes"])
        self.assertIn("forvaltningsloven § 31", k["text"])
        late = self.deadline(r, "late_complaint")
        self.assertEqual((late["state"], late["due"], late["met_by"]),
                         ("met", "2027-03-10", complaint))

    def test_late_after_window(self):
        ref = "L-2"
        self.register(ref, "2025-05-20")
        self.decide(ref, "2025-06-02", "2025-06-04")
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-06-10"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "expired")
        late = self.deadline(r, "late_complaint")
        self.assertEqual(late["due"], "2026-06-02")
        self.assertEqual(late["state"], "expired")
        k = self.deadline(r, "complaint")
        self.assertTrue(any("2026-06-02" in n for n in k["notes"]), k["notes"])


class WithdrawCloseTest(CaseTest):
    def test_withdrawal_cancels_open_deadlines(self):
        ref = "W-1"
        r = self.register(ref, iso(days_ago(3)))
        self.assertEqual({d["state"] for d in r["deadlines"]}, {"open"})
        self.rec("RequestDocumentation", {"reference": ref, "requested": iso(days_ago(1)),
                                          "due": iso(oslo_today() + datetime.timedelta(14))})
        r = self.rec("WithdrawApplication", {"reference": ref, "withdrawn": iso(oslo_today())})
        withdrawn = r["event"]
        self.assertEqual(r["case"]["state"], "withdrawn")
        self.assertEqual(self.kinds(r), ["documentation", "preliminary_reply", "processing"])
        for d in r["deadlines"]:
            self.assertEqual(d["state"], "cancelled", d["kind"])
            self.assertEqual(d["cancelled_on"], iso(oslo_today()))
            self.assertEqual(d["cancelled_by"], withdrawn)
        rows = self.call("ListDeadlines", {"state": "open"})["deadlines"]
        self.assertEqual([x for x in rows if x["reference"] == ref], [])
        # A withdrawn case takes no further events.
        err, _ = self.call_error("RecordDecision", {
            "reference": ref, "made": iso(oslo_today()), "outcome": "innvilget",
            "written": True, "reasoned": True})
        self.assertEqual(err, "no.fristvakt.OutOfOrder")

    def test_withdrawal_keeps_settled_deadlines(self):
        # A deadline already missed stays missed; only open ones are cancelled.
        r = self.register("W-2", "2026-03-02")
        r = self.rec("WithdrawApplication", {"reference": "W-2", "withdrawn": "2026-03-20"})
        self.assertEqual(self.deadline(r, "processing")["state"], "missed")
        pr = self.deadline(r, "preliminary_reply")
        self.assertEqual((pr["state"], pr["cancelled_on"]), ("cancelled", "2026-03-20"))

    def test_close_cancels_processing_only(self):
        # Without a decision: processing and preliminary reply are cancelled.
        self.register("C-1", iso(days_ago(3)))
        r = self.rec("CloseCase", {"reference": "C-1", "closed": iso(oslo_today())})
        self.assertEqual(r["case"]["state"], "closed")
        for kind in ("processing", "preliminary_reply"):
            self.assertEqual(self.deadline(r, kind)["state"], "cancelled")
        # With a decision: the party's complaint deadline runs on after closing.
        reached = days_ago(2)
        self.register("C-2", iso(days_ago(10)))
        self.decide("C-2", iso(days_ago(3)), iso(reached))
        r = self.rec("CloseCase", {"reference": "C-2", "closed": iso(oslo_today())})
        k = self.deadline(r, "complaint")
        self.assertEqual(k["state"], "open")
        self.assertEqual(k["due"], iso(roll(reached + datetime.timedelta(weeks=3))))
        self.assertEqual(self.deadline(r, "late_complaint")["state"], "open")
        # A complaint can still be recorded on a closed case and meets the deadline.
        r = self.rec("RecordComplaint", {"reference": "C-2", "sent": iso(oslo_today())})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")
        rows = self.call("ListDeadlines", {"kind": "complaint", "state": "met"})["deadlines"]
        self.assertIn("C-2", [x["reference"] for x in rows])

    def test_closed_case_once(self):
        self.register("C-3", "2026-03-02")
        closed = self.rec("CloseCase", {"reference": "C-3", "closed": "2026-03-20"})["event"]
        before = self.counts()
        # Neither a second closing nor a withdrawal: both would rewrite the case's end.
        for method, params in (("CloseCase", {"closed": "2026-03-21"}),
                               ("WithdrawApplication", {"withdrawn": "2026-03-21"})):
            err, p = self.call_error(method, dict(params, reference="C-3"))
            self.assertEqual(err, OUT_OF_ORDER_ERROR, p)
            self.assertIn("closed", p["message"])
        self.assertEqual(self.counts(), before)
        g = self.get_case("C-3")
        self.assertEqual(g["case"]["state"], "closed")
        self.assertEqual([e["type"] for e in g["events"]], ["received", "closed"])
        # The closing itself can be corrected, and the case stays closed.
        r = self.rec("CloseCase", {"reference": "C-3", "closed": "2026-03-19",
                                   "supersedes": closed})
        self.assertEqual(r["case"]["state"], "closed")
        self.assertEqual(self.deadline(r, "preliminary_reply")["cancelled_on"], "2026-03-19")
        # Sending the first closing again with its event id is still a duplicate.
        self.register("C-4", "2026-03-02")
        p = {"reference": "C-4", "closed": "2026-03-20", "event_id": "C-4:closed"}
        first = self.rec("CloseCase", p)
        again = self.rec("CloseCase", p)
        self.assertEqual((again["event"], again["duplicate"]), (first["event"], True))


class BreachTest(CaseTest):
    """Findings an audit makes regardless of dates: every enkeltvedtak is written (fvl. § 23),
    whatever its outcome; a decision gives its reasons (fvl. § 24) unless it grants the
    application in full (§ 24 second paragraph). Wording and citations are the rules
    configuration's."""

    def test_oral_refusal(self):
        self.register("O-1", "2026-03-02", channel="oral")
        r = self.decide("O-1", "2026-03-04", "2026-03-04", outcome="avslatt", written=False)
        self.assertEqual(len(r["breaches"]), 1)
        b = r["breaches"][0]
        self.assertEqual((b["event"], b["code"]), (r["event"], "oral_decision"))
        self.assertEqual(b["text"], "Vedtaket ble gitt muntlig, men et enkeltvedtak skal være "
                                    "skriftlig med mindre det av praktiske grunner er særlig "
                                    "byrdefullt (forvaltningsloven § 23).")
        # Possible: the law allows an oral decision where writing is particularly burdensome.
        self.assertEqual((b["closed_by"], b["closed_on"], b["possible"]), (None, None, True))
        self.assertEqual(self.get_case("O-1")["breaches"], r["breaches"])

    def test_unreasoned_refusal(self):
        self.register("O-4", "2026-03-02")
        r = self.decide("O-4", "2026-03-04", "2026-03-04", reasoned=False)
        self.assertEqual([(b["code"], b["text"]) for b in r["breaches"]],
                         [("unreasoned_decision",
                           "Vedtaket ble gitt uten begrunnelse (forvaltningsloven § 24).")])
        # Reasons asked for and given close it; it stays on record.
        self.rec("RequestReasons", {"reference": "O-4", "requested": "2026-03-06"})
        r = self.rec("GiveReasons", {"reference": "O-4", "reached": "2026-03-09"})
        b = r["breaches"][0]
        self.assertEqual((b["code"], b["closed_by"], b["closed_on"]),
                         ("unreasoned_decision", r["event"], "2026-03-09"))

    def test_oral_grant_is_flagged_until_confirmed(self):
        # fvl. § 23: a grant given orally must be written too.
        self.register("O-2", "2026-03-02", channel="oral")
        r = self.decide("O-2", "2026-03-04", "2026-03-04", outcome="innvilget", written=False)
        dec = r["event"]
        self.assertEqual([(b["event"], b["code"], b["closed_by"]) for b in r["breaches"]],
                         [(dec, "oral_decision", None)])
        r = self.rec("ConfirmDecision", {"reference": "O-2", "confirmed": "2026-03-05"})
        self.assertEqual([(b["code"], b["closed_by"], b["closed_on"]) for b in r["breaches"]],
                         [("oral_decision", r["event"], "2026-03-05")])
        # Nothing else about the case changed: the complaint deadline runs as before.
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-03-25")

    def test_unreasoned_grant_is_no_breach(self):
        # fvl. § 24 second paragraph: a full grant may omit the reasons.
        self.register("O-5", "2026-03-02")
        r = self.decide("O-5", "2026-03-04", "2026-03-04", outcome="innvilget", reasoned=False)
        self.assertEqual(r["breaches"], [])

    def test_confirm_needs_a_decision(self):
        self.register("O-6", "2026-03-02")
        err, p = self.call_error("ConfirmDecision", {"reference": "O-6",
                                                     "confirmed": "2026-03-05"})
        self.assertEqual(err, "no.fristvakt.OutOfOrder", p)

    def test_correction_clears_breach(self):
        self.register("O-3", "2026-03-02")
        r = self.decide("O-3", "2026-03-04", "2026-03-04", written=False)
        old = r["event"]
        r = self.decide("O-3", "2026-03-04", "2026-03-05", supersedes=old)
        self.assertEqual(r["breaches"], [])


class BreachCitationTest(CaseMixin, DaemonTest):
    """The law cited in a breach is data: the citations version in force the day the
    decision was made, and no citation where that version names none."""

    CITATIONS = ('citations = (\n'
                 '  { valid_from = "1970-01-01"; written_decision = "gammel lov § 23";\n'
                 '    written_decision_text = "Muntlig vedtak";\n'
                 '    reasoned_decision = "gammel lov § 24";\n'
                 '    reasoned_decision_text = "Vedtaket mangler begrunnelse."; },\n'
                 '  { valid_from = "2026-03-01"; written_decision = "ny lov § 40";\n'
                 '    written_decision_text = "Vedtaket er ikke skriftlig";\n'
                 '    reasoned_decision_text = "Vedtaket mangler begrunnelse"; }\n'
                 ');\n')

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        path = os.path.join(self.d.etc, "rules.conf")
        with open(path) as f:
            text = f.read()
        first = text.index("\ncitations = (")
        end = text.index("\n);\n", first) + 4
        with open(path, "w") as f:
            f.write(text[:first] + "\n" + self.CITATIONS + text[end:])
        self.d.start()
        self.connect_case()

    def texts(self, r):
        return [(b["code"], b["text"]) for b in r["breaches"]]

    def test_citation_by_decision_date(self):
        self.register("BC-1", "2026-02-02", channel="oral")
        r = self.decide("BC-1", "2026-02-27", "2026-02-27", written=False, reasoned=False)
        self.assertEqual(self.texts(r), [
            ("oral_decision", "Muntlig vedtak (gammel lov § 23)."),
            ("unreasoned_decision", "Vedtaket mangler begrunnelse (gammel lov § 24).")])
        self.register("BC-2", "2026-02-02", channel="oral")
        r = self.decide("BC-2", "2026-03-02", "2026-03-02", written=False, reasoned=False)
        self.assertEqual(self.texts(r), [
            ("oral_decision", "Vedtaket er ikke skriftlig (ny lov § 40)."),
            ("unreasoned_decision", "Vedtaket mangler begrunnelse.")])
        self.assertEqual(self.get_case("BC-2")["breaches"], r["breaches"])


class CorrectionTest(CaseTest):
    def test_decision_correction(self):
        ref = "K-1"
        self.register(ref, "2026-03-02")
        r = self.decide(ref, "2026-03-10", "2026-03-12")
        old = r["event"]
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-04-07")
        # The notice actually reached the party on Thu 19 Mar: 3 weeks → Thu 9 Apr.
        r = self.decide(ref, "2026-03-10", "2026-03-19", supersedes=old)
        new = r["event"]
        self.assertNotEqual(new, old)
        k = self.deadline(r, "complaint")
        self.assertEqual(k["subject"], new)
        self.assertEqual(k["due"], "2026-04-09")
        self.assertEqual(k["steps"], [])
        self.assertEqual(k["start"]["date"], "2026-03-19")
        g = self.get_case(ref)
        ev = {e["id"]: e for e in g["events"]}
        self.assertEqual(ev[old]["superseded_by"], new)
        self.assertEqual(ev[new]["supersedes"], old)
        self.assertIsNone(ev[new]["superseded_by"])
        # The old event stays in the timeline with its own data.
        self.assertEqual(ev[old]["data"]["reached"], "2026-03-11T23:00:00Z")
        self.assertEqual(len([e for e in g["events"] if e["type"] == "decision"]), 2)
        self.assertEqual(len([d for d in g["deadlines"] if d["kind"] == "complaint"]), 1)
        # A complaint on 8 Apr is in time under the corrected date.
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-08"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")
        self.assertEqual(self.get_case(ref)["events"][-1]["data"]["decision"], new)
        # An event corrected once cannot be corrected again.
        err, _ = self.call_error("RecordDecision", {
            "reference": ref, "made": "2026-03-10", "reached": "2026-03-20",
            "outcome": "avslatt", "written": True, "reasoned": True, "supersedes": old})
        self.assertEqual(err, "no.fristvakt.OutOfOrder")

    def test_received_correction(self):
        # Registered with the wrong day, channel, handler and unit, and without the
        # emergency flag: the received event is corrected by a new one that supersedes it.
        ref = "K-5"
        first = self.register(ref, "2026-03-02", handler="h-1", unit="u-1")
        old = first["event"]
        self.assertEqual(self.deadline(first, "processing")["due"], "2026-03-16")
        audit_before = len(self.call("ListAudit", {"reference": ref})["entries"])
        r = self.register(ref, "2026-03-06T10:00:00+01:00", channel="oral", handler="h-2",
                          unit="u-2", emergency=True, supersedes=old)
        new = r["event"]
        self.assertNotEqual(new, old)
        self.assertFalse(r["duplicate"])
        want = {"received": "2026-03-06T09:00:00Z", "channel": "oral", "handler": "h-2",
                "unit": "u-2", "emergency": True, "service": "okonomisk-stonad",
                "state": "open"}
        for case in (r["case"], self.get_case(ref)["case"]):
            self.assertEqual({k: case[k] for k in want}, want)
        # The deadlines follow the corrected event: the emergency norm from 6 March.
        p = self.deadline(r, "processing")
        self.assertEqual((p["subject"], p["due"], p["period"]), (new, "2026-03-07", "1d"))
        self.assertEqual(self.deadline(r, "preliminary_reply")["start"]["date"], "2026-03-06")
        g = self.get_case(ref)
        ev = {e["id"]: e for e in g["events"]}
        self.assertEqual((ev[old]["superseded_by"], ev[new]["supersedes"]), (new, old))
        self.assertEqual(ev[old]["data"]["handler"], "h-1")
        self.assertEqual(self.kinds(g), ["preliminary_reply", "processing"])
        # Listings filter on the corrected handler and unit.
        for method, key in (("ListCases", "cases"), ("ListDeadlines", "deadlines")):
            for who, found in (("h-2", True), ("h-1", False)):
                rows = self.call(method, {"handler": who})[key]
                self.assertEqual(ref in [x["reference"] for x in rows], found, (method, who))
            rows = self.call(method, {"unit": "u-2"})[key]
            self.assertIn(ref, [x["reference"] for x in rows])
        # Stored in the case row itself (what survives a restart), and audited.
        db = self.d.db()
        try:
            row = db.execute("SELECT handler, unit, channel, emergency, received FROM cases "
                             "WHERE ref = ?", (ref,)).fetchone()
        finally:
            db.close()
        self.assertEqual(row[:4], ("h-2", "u-2", "oral", 1))
        entries = self.call("ListAudit", {"reference": ref})["entries"]
        self.assertEqual(len(entries), audit_before + 1)
        self.assertEqual((entries[0]["method"], entries[0]["outcome"]),
                         (PREFIX + "RegisterApplication", "ok"))
        # Registering it again as corrected is the same application; as first given it is
        # a conflict that points at the correction.
        again = self.register(ref, "2026-03-06T10:00:00+01:00", channel="oral",
                              handler="h-2", unit="u-2", emergency=True)
        self.assertEqual((again["event"], again["duplicate"]), (new, True))
        err, p = self.call_error("RegisterApplication", {
            "reference": ref, "service": "okonomisk-stonad", "received": "2026-03-02",
            "channel": "written", "handler": "h-1", "unit": "u-1"})
        self.assertEqual(err, "no.fristvakt.CaseConflict")
        self.assertIn("supersedes", p["message"])
        # The first version cannot be corrected again; the newest can, and a decision
        # then fixes how far later corrections may move the received day.
        err, _ = self.call_error("RegisterApplication", {
            "reference": ref, "service": "okonomisk-stonad", "received": "2026-03-05",
            "channel": "oral", "supersedes": old})
        self.assertEqual(err, OUT_OF_ORDER_ERROR)
        self.decide(ref, "2026-03-10", "2026-03-12", outcome="innvilget")
        before = self.counts()
        err, p = self.call_error("RegisterApplication", {
            "reference": ref, "service": "okonomisk-stonad", "received": "2026-03-11",
            "channel": "oral", "supersedes": new})
        self.assertEqual(err, OUT_OF_ORDER_ERROR)
        self.assertIn("correct it first", p["message"])
        self.assertEqual(self.counts(), before)
        r = self.register(ref, "2026-03-06T10:00:00+01:00", channel="oral", handler="h-2",
                          unit="u-2", supersedes=new, event_id="K-5:received-3")
        self.assertEqual(self.deadline(r, "processing")["due"], "2026-03-20")
        self.assertEqual(self.deadline(r, "processing")["state"], "met")
        self.assertFalse(r["case"]["emergency"])
        # Sent again with its event id: the same correction, stored once.
        dup = self.register(ref, "2026-03-06T10:00:00+01:00", channel="oral", handler="h-2",
                            unit="u-2", supersedes=new, event_id="K-5:received-3")
        self.assertEqual((dup["event"], dup["duplicate"]), (r["event"], True))
        self.assertEqual(self.counts()["events"], before["events"] + 1)

    def test_received_correction_by_cli(self):
        ref = "K-6"
        self.d.cli("case", "add", ref, "--service", "okonomisk-stonad", "--received",
                   "2026-03-02", "--handler", "h-1", check=0)
        recv = self.get_case(ref)["events"][0]["id"]
        p = self.d.cli("--lang", "en", "case", "add", ref, "--service", "okonomisk-stonad",
                       "--received", "2026-03-02", "--handler", "h-9", "--supersedes",
                       str(recv), check=0)
        self.assertIn("recorded event %d in case %s" % (recv + 1, ref), p.stdout)
        out = self.d.cli("case", "show", ref, check=0).stdout
        self.assertIn("h-9", out)
        self.assertIn("retter hendelse %d" % recv, out)
        self.assertIn("rettet av hendelse %d" % (recv + 1), out)
        self.assertIn("--supersedes", self.d.cli("case", "add", "--help", check=0).stdout)

    def test_complaint_correction(self):
        # The complaint was in fact posted a day later than first recorded: too late.
        ref = "K-4"
        self.register(ref, "2026-03-02")
        self.decide(ref, "2026-03-10", "2026-03-12")
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-07"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")
        old = r["event"]
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-08",
                                         "supersedes": old})
        k = self.deadline(r, "complaint")
        self.assertEqual((k["state"], k["met_by"]), ("expired", r["event"]))
        self.assertEqual(self.deadline(r, "forwarding")["due"], "2026-05-06")
        self.assertEqual(self.deadline(r, "forwarding")["subject"], r["event"])
        ev = {e["id"]: e for e in self.get_case(ref)["events"]}
        self.assertEqual(ev[old]["superseded_by"], r["event"])

    def test_complaint_deadline_waits_for_reached(self):
        # A decision without a delivery date has no complaint deadline date until a
        # correction supplies it.
        ref = "K-2"
        self.register(ref, "2026-03-02")
        r = self.decide(ref, "2026-03-10")
        k = self.deadline(r, "complaint")
        self.assertIsNone(k["due"])
        r = self.decide(ref, "2026-03-10", "2026-03-12", supersedes=r["event"])
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-04-07")

    def test_digital_delivery(self):
        # Digital delivery: the later of made available (10 Mar) and notice sent (12 Mar).
        ref = "K-3"
        self.register(ref, "2026-03-02", channel="digital")
        r = self.decide(ref, "2026-03-09", made_available="2026-03-10T08:00:00Z",
                        notice_sent="2026-03-12T08:00:00Z")
        k = self.deadline(r, "complaint")
        self.assertEqual(k["start"]["date"], "2026-03-12")
        self.assertEqual(k["due"], "2026-04-07")


class TimeZoneTest(CaseTest):
    """Instants are converted to Europe/Oslo civil dates before counting (the law counts civil days there)."""

    def test_utc_instants(self):
        # 23:30Z on 1 Mar is 00:30 on 2 Mar in Oslo: counted from Monday 2 Mar.
        r = self.register("TZ-1", "2026-03-01T23:30:00Z")
        p = self.deadline(r, "processing")
        self.assertEqual((p["start"]["date"], p["due"]), ("2026-03-02", "2026-03-16"))
        # 22:59Z on 1 Mar is still Sunday 1 Mar in Oslo.
        r = self.register("TZ-2", "2026-03-01T22:59:59Z")
        p = self.deadline(r, "processing")
        self.assertEqual((p["start"]["date"], p["due"]), ("2026-03-01", "2026-03-16"))
        # The night summer time ends: 22:30Z on 24 Oct is 00:30 CEST on Sunday 25 Oct;
        # 14 days → Sun 8 Nov → Mon 9 Nov.
        r = self.register("TZ-3", "2026-10-24T22:30:00Z")
        p = self.deadline(r, "processing")
        self.assertEqual((p["start"]["date"], p["due"]), ("2026-10-25", "2026-11-09"))
        self.assertEqual(r["case"]["received"], "2026-10-24T22:30:00Z")
        # A date alone is the start of that day in Oslo, in summer time too.
        r = self.register("TZ-4", "2026-06-01")
        self.assertEqual(r["case"]["received"], "2026-05-31T22:00:00Z")
        self.assertEqual(self.deadline(r, "processing")["start"]["date"], "2026-06-01")

    def test_complaint_judged_on_oslo_date(self):
        self.register("TZ-5", "2026-03-02")
        self.decide("TZ-5", "2026-03-10", "2026-03-12")
        # 21:59Z on 7 Apr is 23:59 CEST: in time.
        r = self.rec("RecordComplaint", {"reference": "TZ-5", "sent": "2026-04-07T21:59:00Z"})
        self.assertEqual(self.deadline(r, "complaint")["state"], "met")
        self.register("TZ-6", "2026-03-02")
        self.decide("TZ-6", "2026-03-10", "2026-03-12")
        # 22:30Z on 7 Apr is 00:30 on 8 Apr in Oslo: one day late.
        r = self.rec("RecordComplaint", {"reference": "TZ-6", "sent": "2026-04-07T22:30:00Z"})
        k = self.deadline(r, "complaint")
        self.assertEqual((k["state"], k["met_on"]), ("expired", "2026-04-08"))

    def test_future_slack(self):
        # Nothing may lie more than a day in the future.
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        soon = (now + datetime.timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
        r = self.register("TZ-8", soon)
        self.assertEqual(r["case"]["received"], soon)
        late = (now + datetime.timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
        err, p = self.call_error("RegisterApplication", {
            "reference": "TZ-9", "service": "okonomisk-stonad", "received": late,
            "channel": "written"})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "received"))

    def test_month_end(self):
        # 31 Jan + 1 month = 28 Feb (a Saturday) → Mon 2 Mar.
        r = self.register("TZ-7", "2026-01-31")
        pr = self.deadline(r, "preliminary_reply")
        self.assertEqual((pr["raw_end"], pr["due"]), ("2026-02-28", "2026-03-02"))
        self.assertEqual([s["why"] for s in pr["steps"]], ["lørdag", "søndag"])


class CaseShowTodayTest(CaseMixin, DaemonTest):
    """`case show` judges "snart" on the daemon's today, as `deadlines` does, also when the
    test clock has moved it away from the wall clock."""

    SUBST = {"clock_control = false;": "clock_control = true;"}

    def test_case_show_uses_the_daemons_today(self):
        self.connect_case()
        ref = "2026/TODAY-1"
        r = self.register(ref, iso(oslo_today()))
        due = datetime.date.fromisoformat(self.deadline(r, "processing")["due"])
        self.assertGreater((due - oslo_today()).days, 3)
        # The daemon's clock moves to noon the day before the processing deadline.
        noon = datetime.datetime.combine(due - datetime.timedelta(1), datetime.time(12),
                                         OSLO)
        self.call("testing.SetClock", {"now": noon.isoformat()})
        g = self.get_case(ref)
        self.assertEqual(g["today"], iso(due - datetime.timedelta(1)))
        rows = self.call("ListDeadlines", {"kind": "processing"})["deadlines"]
        self.assertEqual([x["days_left"] for x in rows if x["reference"] == ref], [1])

        p = self.d.cli("deadlines", "--kind", "processing", check=0)
        line = [l for l in p.stdout.splitlines() if ref in l]
        self.assertEqual(len(line), 1, p.stdout)
        self.assertEqual(line[0].split()[:3], ["~", iso(due), "1"])
        p = self.d.cli("case", "show", ref, check=0)
        head = [l for l in p.stdout.split("Frister", 1)[1].splitlines()
                if l.strip().startswith("saksbehandlingsfrist")]
        self.assertEqual(len(head), 1, p.stdout)
        self.assertIn(iso(due), head[0])
        self.assertIn("snart (i morgen)", head[0])

        # Past the due date on the daemon's clock: overdue in both.
        self.call("testing.SetClock", {"now": (noon + datetime.timedelta(2)).isoformat()})
        p = self.d.cli("case", "show", ref, check=0)
        head = [l for l in p.stdout.split("Frister", 1)[1].splitlines()
                if l.strip().startswith("saksbehandlingsfrist")]
        self.assertIn("OVERSKREDET", head[0])


class PreliminaryReplyOverrideTest(CaseTest):
    def test_preliminary_reply(self):
        ref = "FS-1"
        self.register(ref, "2026-03-02")
        r = self.rec("RecordPreliminaryReply", {"reference": ref, "sent": "2026-03-20",
                                                "promised": "2026-04-15"})
        reply = r["event"]
        pr = self.deadline(r, "preliminary_reply")
        self.assertEqual((pr["state"], pr["met_on"], pr["met_by"]), ("met", "2026-03-20", reply))
        p = self.deadline(r, "processing")
        self.assertEqual(p["promised_on"], "2026-04-15")
        self.assertIn("2026-04-15", p["text"])

    def test_preliminary_reply_too_late(self):
        self.register("FS-2", "2026-03-02")
        r = self.rec("RecordPreliminaryReply", {"reference": "FS-2", "sent": "2026-04-08",
                                                "promised": "2026-05-15"})
        pr = self.deadline(r, "preliminary_reply")
        self.assertEqual((pr["state"], pr["due"]), ("missed", "2026-04-07"))

    def test_promise_before_sending_refused(self):
        self.register("FS-3", "2026-03-02")
        before = self.counts()
        err, p = self.call_error("RecordPreliminaryReply", {
            "reference": "FS-3", "sent": "2026-03-20", "promised": "2026-03-19"})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "promised"))
        self.assertIn("2026-03-20", p["message"])
        self.assertEqual(self.counts(), before)
        # The same day is a promise that can be kept.
        r = self.rec("RecordPreliminaryReply", {"reference": "FS-3", "sent": "2026-03-20",
                                                "promised": "2026-03-20"})
        self.assertEqual(self.deadline(r, "processing")["promised_on"], "2026-03-20")

    def test_override_needs_the_deadline(self):
        # BPA has no processing norm: an override of one would be stored and change nothing.
        r = self.register("OV-2", "2026-03-02", service="bpa")
        self.assertNotIn("processing", self.kinds(r))
        before = self.counts()
        err, p = self.call_error("OverrideDeadline", {
            "reference": "OV-2", "kind": "processing", "due": "2026-04-20",
            "reason": "Avtalt med leder"})
        self.assertEqual(err, OUT_OF_ORDER_ERROR)
        self.assertIn("saksbehandlingsfrist", p["message"])
        self.assertEqual(self.counts(), before)
        # The deadline it does have can be overridden.
        r = self.rec("OverrideDeadline", {"reference": "OV-2", "kind": "preliminary_reply",
                                          "due": "2026-04-20", "reason": "Avtalt med leder"})
        self.assertEqual(self.deadline(r, "preliminary_reply")["due"], "2026-04-20")

    def test_override(self):
        ref = "OV-1"
        self.register(ref, "2026-03-02")
        r = self.rec("OverrideDeadline", {"reference": ref, "kind": "processing",
                                          "due": "2026-04-20", "reason": "Avtalt med leder"})
        p = self.deadline(r, "processing")
        self.assertEqual((p["due"], p["rule_due"]), ("2026-04-20", "2026-03-16"))
        self.assertEqual(len(p["overrides"]), 1)
        o = p["overrides"][0]
        self.assertEqual((o["event"], o["why"]), (r["event"], "Avtalt med leder"))
        self.assertIn("uid %d" % os.getuid(), o["who"])
        r = self.decide(ref, "2026-04-17", "2026-04-17")
        self.assertEqual(self.deadline(r, "processing")["state"], "met")


class NewDecisionTest(CaseTest):
    def test_second_decision_gets_its_own_complaint_deadline(self):
        ref = "ND-1"
        self.register(ref, "2026-03-02")
        first = self.decide(ref, "2026-03-10", "2026-03-12")["event"]
        self.rec("RecordComplaint", {"reference": ref, "sent": "2026-03-20"})
        self.rec("DecideComplaint", {"reference": ref, "decided": "2026-04-01",
                                     "outcome": "omgjort"})
        r = self.decide(ref, "2026-04-02", "2026-04-03", outcome="delvis_innvilget")
        second = r["event"]
        self.assertEqual(self.deadline(r, "complaint", first)["state"], "met")
        k = self.deadline(r, "complaint", second)
        self.assertEqual(k["due"], "2026-04-24")
        self.assertEqual(self.deadline(r, "late_complaint", second)["due"], "2027-04-02")
        # A complaint without "decision" is about the latest decision.
        r = self.rec("RecordComplaint", {"reference": ref, "sent": "2026-04-20"})
        self.assertEqual(self.get_case(ref)["events"][-1]["data"]["decision"], second)
        self.assertEqual(self.deadline(r, "complaint", second)["state"], "met")


class PrivacyTest(CaseTest):
    def test_contact_is_stored_but_never_returned(self):
        email, phone = "kari.nordmann@example.no", "+47 912 34 567"
        r = self.register("PV-1", "2026-03-02",
                          contact={"email": email, "phone": phone, "consent": True})
        self.assertTrue(r["case"]["has_contact"])
        self.assertFalse(self.register("PV-2", "2026-03-02")["case"]["has_contact"])
        replies = json.dumps([r, self.get_case("PV-1"), self.call("ListCases", {}),
                              self.call("ListDeadlines", {}), self.call("ListAudit", {})])
        self.assertNotIn("kari", replies)
        self.assertNotIn("912 34", replies)
        db = self.d.db()
        self.assertEqual(db.execute("SELECT email, phone FROM contacts").fetchall(),
                         [(email, phone)])
        for table in ("cases", "events", "deadlines", "audit"):
            dumped = repr(db.execute("SELECT * FROM %s" % table).fetchall())
            self.assertNotIn("kari", dumped, table)
        db.close()
        self.assertNotIn("kari", self.d.log_text())


class LengthInCharactersTest(CaseTest):
    """The interface counts handler and unit in characters (1-64) and event_id in
    characters (1-128); names of Norwegian case workers are not ASCII."""

    def test_non_ascii_at_the_limit(self):
        for i, (field, value) in enumerate((("handler", "Å" * 64), ("unit", "ø" * 64),
                                            ("event_id", "æ" * 128),
                                            ("handler", "Saksbehandler Ørjan Åsmundsen"))):
            with self.subTest(field=field, value=value):
                r = self.c.call(PREFIX + "RegisterApplication", {
                    "reference": "LC-1-%d" % i, "service": "okonomisk-stonad",
                    "received": "2026-03-02", "channel": "written", field: value})
                self.assertNotIn("error", r, r.get("parameters"))
                if field != "event_id":
                    self.assertEqual(r["parameters"]["recorded"]["case"][field], value)
        err, p = self.call_error("RegisterApplication", {
            "reference": "LC-2", "service": "okonomisk-stonad", "received": "2026-03-02",
            "channel": "written", "handler": "Å" * 65})
        self.assertEqual((err, p["parameter"]), ("org.varlink.service.InvalidParameter",
                                                 "handler"))


class ListingTest(CaseTest):
    def test_paging(self):
        for i in range(9):
            self.register("PG-%d" % i, "2026-03-%02d" % (2 + i), handler="h-%d" % (i % 2),
                          service=("okonomisk-stonad", "bpa", "nodhjelp")[i % 3])
        full = self.call("ListDeadlines", {"limit": 1000})
        self.assertIsNone(full["next"])
        rows, after, pages = [], None, 0
        while True:
            params = {"limit": 4}
            if after:
                params["after"] = after
            page = self.call("ListDeadlines", params)
            rows += page["deadlines"]
            pages += 1
            after = page["next"]
            if not after:
                break
        self.assertEqual(rows, full["deadlines"])
        self.assertGreaterEqual(pages, 4)
        dues = [r["due"] for r in rows]
        self.assertEqual(dues, sorted(dues))
        # Filters.
        bpa = self.call("ListDeadlines", {"service": "bpa"})["deadlines"]
        self.assertEqual({r["reference"] for r in bpa}, {"PG-1", "PG-4", "PG-7"})
        h1 = self.call("ListDeadlines", {"handler": "h-1", "kind": "processing"})["deadlines"]
        # h-1 has PG-1, 3, 5 and 7; PG-1 and PG-7 are BPA, which has no processing norm.
        self.assertEqual({r["reference"] for r in h1}, {"PG-3", "PG-5"})
        window = self.call("ListDeadlines", {"due_from": "2026-03-16",
                                             "due_to": "2026-03-20"})["deadlines"]
        self.assertTrue(window)
        self.assertTrue(all("2026-03-16" <= r["due"] <= "2026-03-20" for r in window))
        # Every deadline here is long past and none is met: all are missed, and all are
        # overdue (past due and still waiting for what meets them).
        missed = self.call("ListDeadlines", {"state": "missed"})["deadlines"]
        self.assertEqual(len(missed), len(full["deadlines"]))
        overdue = self.call("ListDeadlines", {"overdue": True, "limit": 1000})["deadlines"]
        self.assertEqual(overdue, missed)
        self.assertTrue(all(r["days_left"] < 0 for r in missed))
        # Cases, newest first, in pages.
        cases, after = [], None
        while True:
            page = self.call("ListCases", dict({"limit": 2}, **({"after": after}
                                                                  if after else {})))
            cases += [c["reference"] for c in page["cases"]]
            after = page["next"]
            if not after:
                break
        self.assertEqual(cases, ["PG-%d" % i for i in range(8, -1, -1)])
        self.assertEqual([c["reference"] for c in
                          self.call("ListCases", {"service": "nodhjelp"})["cases"]],
                         ["PG-8", "PG-5", "PG-2"])


# --------------------------------------------------------------------------------------
# Idempotence and conflicts.

class IdempotenceTest(CaseTest):
    def test_resend_decision(self):
        ref = "I-1"
        self.register(ref, "2026-03-02", event_id="cs:I-1:received")
        params = {"reference": ref, "made": "2026-03-10", "reached": "2026-03-12",
                  "outcome": "avslatt", "written": True, "reasoned": True,
                  "event_id": "cs:I-1:vedtak-1"}
        first = self.rec("RecordDecision", params)
        self.assertFalse(first["duplicate"])
        before = self.counts()
        second = self.rec("RecordDecision", params)
        self.assertTrue(second["duplicate"])
        self.assertEqual(second["event"], first["event"])
        self.assertEqual(second["deadlines"], first["deadlines"])
        self.assertEqual(second["case"]["reference"], ref)
        # Nothing was stored, not even an audit row: a re-send changes nothing.
        self.assertEqual(self.counts(), before)
        g = self.get_case(ref)
        decisions = [e for e in g["events"] if e["type"] == "decision"]
        self.assertEqual(len(decisions), 1)
        self.assertEqual(decisions[0]["event_id"], "cs:I-1:vedtak-1")
        self.assertEqual(decisions[0]["id"], first["event"])
        # A re-send over a fresh connection is a duplicate too.
        c2 = self.d.connect()
        self.addCleanup(c2.close)
        third = self.call("RecordDecision", params, conn=c2)["recorded"]
        self.assertEqual((third["event"], third["duplicate"]), (first["event"], True))
        self.assertEqual(self.counts(), before)

    def test_resend_with_other_data_conflicts(self):
        ref = "I-2"
        self.register(ref, "2026-03-02")
        params = {"reference": ref, "made": "2026-03-10", "reached": "2026-03-12",
                  "outcome": "avslatt", "written": True, "reasoned": True, "event_id": "v-2"}
        self.rec("RecordDecision", params)
        before = self.counts()
        err, p = self.call_error("RecordDecision", dict(params, reached="2026-03-13"))
        self.assertEqual((err, p), ("no.fristvakt.EventConflict", {"event_id": "v-2"}))
        # The same event_id for another kind of event is a conflict as well.
        err, _ = self.call_error("RecordComplaint", {"reference": ref, "sent": "2026-03-20",
                                                     "event_id": "v-2"})
        self.assertEqual(err, "no.fristvakt.EventConflict")
        self.assertEqual(self.counts()["events"], before["events"])

    def test_resend_with_fewer_parameters_conflicts(self):
        # "The same event_id with other parameters is an EventConflict": leaving out an
        # optional parameter the original had (the delivery date, the legal basis) or
        # naming another event to supersede is other parameters, not a re-send.
        ref = "I-5"
        self.register(ref, "2026-03-02")
        params = {"reference": ref, "made": "2026-03-10", "reached": "2026-03-12",
                  "outcome": "avslatt", "written": True, "reasoned": True,
                  "legal_basis": "sosialtjenesteloven § 18", "event_id": "v-5"}
        original = self.rec("RecordDecision", params)["event"]
        before = self.counts()
        for what, changed in (("without reached", {k: v for k, v in params.items()
                                                   if k != "reached"}),
                              ("without legal_basis", {k: v for k, v in params.items()
                                                       if k != "legal_basis"}),
                              ("with supersedes", dict(params, supersedes=original))):
            with self.subTest(what):
                r = self.c.call(PREFIX + "RecordDecision", changed)
                rec = r.get("parameters", {}).get("recorded", {})
                self.assertEqual(r.get("error"), "no.fristvakt.EventConflict",
                                 "answered event %s, duplicate=%s"
                                 % (rec.get("event"), rec.get("duplicate")))
        self.assertEqual(self.counts(), before)

    def test_retry_after_withdrawal(self):
        # A client that did not see the reply re-sends the withdrawal: it gets the
        # original event, not OutOfOrder.
        self.register("I-6", "2026-03-02")
        p = {"reference": "I-6", "withdrawn": "2026-03-05", "event_id": "I-6:trukket"}
        first = self.rec("WithdrawApplication", p)
        again = self.rec("WithdrawApplication", p)
        self.assertEqual((again["event"], again["duplicate"]), (first["event"], True))
        err, _ = self.call_error("WithdrawApplication", dict(p, event_id="I-6:trukket-2"))
        self.assertEqual(err, "no.fristvakt.OutOfOrder")

    def test_reregister_identical_is_duplicate(self):
        params = dict(received="2026-03-02T09:15:00+01:00", handler="h-1", unit="u-1")
        first = self.register("I-3", **params)
        before = self.counts()
        again = self.register("I-3", **params)
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["event"], first["event"])
        # The same instant written in UTC is the same application.
        again = self.register("I-3", received="2026-03-02T08:15:00Z", handler="h-1",
                              unit="u-1")
        self.assertTrue(again["duplicate"])
        self.assertEqual(self.counts()["events"], before["events"])
        self.assertEqual(self.counts()["cases"], before["cases"])

    def test_reregister_conflict(self):
        self.register("I-4", "2026-03-02", handler="h-1")
        before = self.counts()
        for change, field in (({"service": "nodhjelp"}, "service"),
                              ({"received": "2026-03-03"}, "received"),
                              ({"channel": "oral"}, "channel"),
                              ({"handler": "h-2"}, "handler")):
            p = {"reference": "I-4", "service": "okonomisk-stonad", "received": "2026-03-02",
                 "channel": "written", "handler": "h-1"}
            p.update(change)
            err, ep = self.call_error("RegisterApplication", p)
            self.assertEqual(err, "no.fristvakt.CaseConflict", change)
            self.assertEqual(ep["reference"], "I-4")
            self.assertIn("'%s'" % field, ep["message"])
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.get_case("I-4")["case"]["service"], "okonomisk-stonad")


# --------------------------------------------------------------------------------------
# Restart.

class RestartTest(CaseMixin, unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.connect_case()

    def test_restart_keeps_cases(self):
        refs = ["RS-1", "RS-2", "RS-3"]
        self.register("RS-1", "2026-03-02", handler="h-1")
        self.decide("RS-1", "2026-03-10", "2026-03-12")
        self.rec("RecordComplaint", {"reference": "RS-1", "sent": "2026-04-07"})
        self.register("RS-2", iso(days_ago(5)), service="bpa", unit="u-2")
        self.decide("RS-2", iso(days_ago(2)), iso(days_ago(1)), event_id="rs2-v")
        self.register("RS-3", iso(days_ago(4)))
        self.rec("RequestDocumentation", {"reference": "RS-3", "requested": iso(days_ago(2)),
                                          "due": iso(oslo_today() + datetime.timedelta(12))})
        before = {ref: self.get_case(ref) for ref in refs}
        deadlines_before = self.call("ListDeadlines", {})
        counts_before = self.counts()
        self.c.close()

        self.assertEqual(self.d.stop(signal.SIGTERM), 0)
        self.d.log.close()
        self.d.start()
        self.connect_case()
        for ref in refs:
            self.assertEqual(self.get_case(ref), before[ref], ref)
        self.assertEqual(self.call("ListDeadlines", {}), deadlines_before)
        self.assertEqual(self.counts()["cases"], counts_before["cases"])
        self.assertEqual(self.counts()["events"], counts_before["events"])
        # Idempotence survives the restart.
        r = self.decide("RS-2", iso(days_ago(2)), iso(days_ago(1)), event_id="rs2-v")
        self.assertTrue(r["duplicate"])

        # The CLI lists the open deadlines with their dates.
        p = self.d.cli("deadlines", "--all")
        self.assertEqual(p.returncode, 0, p.stderr)
        for row in deadlines_before["deadlines"]:
            if row["state"] == "open":
                self.assertIn(row["reference"], p.stdout)
                if row["due"]:
                    self.assertIn(row["due"], p.stdout)


# --------------------------------------------------------------------------------------
# Access: a read-only peer.

class ReadOnlyPeerTest(CaseMixin, DaemonTest):
    SUBST = {'socket_mode = "0660";': 'socket_mode = "0666";',
             '# { group = "fristvakt"; role = "read"; },':
             '{ user = "nobody"; role = "read"; }'}

    def setUp(self):
        super().setUp()
        os.chmod(os.path.dirname(self.d.socket), 0o711)
        self.connect_case()

    def as_nobody(self, calls):
        """Raw Varlink calls made by the account nobody; returns the replies."""
        nobody = pwd.getpwnam("nobody")
        return peer_calls(self, self.d.socket, calls, nobody.pw_uid, nobody.pw_gid)

    def test_read_only_peer(self):
        self.register("RO-1", "2026-03-02", handler="h-1")
        self.decide("RO-1", "2026-03-10", "2026-03-12")
        before = self.counts()

        # The CLI refuses a write for nobody.
        p = self.d.cli("case", "add", "RO-2", "--service", "okonomisk-stonad",
                       "--received", "2026-03-02", "--channel", "written", user="nobody")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("permission denied", p.stderr)
        self.assertIn("RegisterApplication needs the write role; yours is read", p.stderr)
        p = self.d.cli("decision", "add", "RO-1", "--made", "2026-03-10", "--reached",
                       "2026-03-13", "--outcome", "avslatt", user="nobody")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("permission denied", p.stderr)

        r = self.as_nobody([
            [PREFIX + "RegisterApplication", {"reference": "RO-2",
                                               "service": "okonomisk-stonad",
                                               "received": "2026-03-02",
                                               "channel": "written"}],
            [PREFIX + "RecordComplaint", {"reference": "RO-1", "sent": "2026-03-20"}],
            [PREFIX + "ImportEvents", {"items": []}],
            [PREFIX + "GetCase", {"reference": "RO-1"}],
            [PREFIX + "ListDeadlines", {}],
            [PREFIX + "ListCases", {}],
            [PREFIX + "ListAudit", {}],
        ])
        for reply, method in zip(r[:3], ("RegisterApplication", "RecordComplaint",
                                         "ImportEvents")):
            self.assertEqual(reply.get("error"), "no.fristvakt.PermissionDenied", reply)
            self.assertEqual(reply["parameters"], {"method": PREFIX + method, "role": "read",
                                                   "required": "write"})
        self.assertNotIn("error", r[3])
        self.assertEqual(r[3]["parameters"]["case"]["reference"], "RO-1")
        self.assertEqual(r[3]["parameters"], self.get_case("RO-1"))
        self.assertNotIn("error", r[4])
        self.assertEqual({x["reference"] for x in r[4]["parameters"]["deadlines"]}, {"RO-1"})
        self.assertNotIn("error", r[5])
        self.assertEqual(r[6].get("error"), "no.fristvakt.PermissionDenied")
        self.assertEqual(r[6]["parameters"]["required"], "admin")
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.call("ListCases", {})["cases"][0]["reference"], "RO-1")

        # The CLI's read commands work for nobody.
        p = self.d.cli("case", "show", "RO-1", user="nobody")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("RO-1", p.stdout)
        self.assertIn("2026-04-07", p.stdout)
        p = self.d.cli("deadlines", user="nobody")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("RO-1", p.stdout)
        p = self.d.cli("audit", user="nobody")
        self.assertEqual(p.returncode, 1)
        self.assertIn("permission denied", p.stderr)
        self.assertIn("ListAudit needs the admin role; yours is read", p.stderr)

        # Root sees every change with the caller's credentials.
        entries = self.call("ListAudit", {})["entries"]
        self.assertEqual([e["method"] for e in entries],
                         [PREFIX + "RecordDecision", PREFIX + "RegisterApplication"])
        for e in entries:
            self.assertEqual((e["uid"], e["gid"], e["pid"]),
                             (os.getuid(), os.getgid(), os.getpid()))
            self.assertEqual(e["reference"], "RO-1")
            self.assertEqual(e["outcome"], "ok")
            self.assertRegex(e["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertGreater(entries[0]["id"], entries[1]["id"])
        # The CLI shows the same log to root.
        p = self.d.cli("audit", "--case", "RO-1")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [l.split() for l in p.stdout.splitlines()[1:] if l.strip()]
        self.assertEqual(len(rows), 2, p.stdout)
        for row, e in zip(rows, entries):
            self.assertIn(e["method"][len(PREFIX):], row)
            self.assertIn(str(e["pid"]), row)
            self.assertIn("RO-1", row)
        # Paging: the "next" of one page continues with the older entries.
        only = self.call("ListAudit", {"reference": "RO-1", "limit": 1})
        self.assertEqual(len(only["entries"]), 1)
        self.assertIsNotNone(only["next"])
        rest = self.call("ListAudit", {"reference": "RO-1", "after": only["next"]})
        self.assertEqual([e["id"] for e in only["entries"] + rest["entries"]],
                         [e["id"] for e in entries])


if __name__ == "__main__":
    main()
