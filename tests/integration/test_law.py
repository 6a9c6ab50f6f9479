#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the daemon reads the events of a case in law, through the real socket and CLI: the
party's deadlines expire and are no breach, a request for reasons restarts only where the
reasons were missing, the documentation pause ends, forwarding ends only with a full
reversal or a withdrawn complaint, extended days roll over, promised dates are tracked,
every decision is written, the complaint body follows the regime, and a national identity
number is never a case reference. Each test names its legal source; every date was counted
by hand (domstolloven §§ 148-149)."""

import datetime
import os
import sqlite3
import time

from fvtest import main
from test_cases import CaseTest, iso, oslo_today, roll

INVALID = "org.varlink.service.InvalidParameter"


class PartyDeadlineTest(CaseTest):
    """The complaint deadline and the one-year limit are the party's (fvl. §§ 29, 31): when
    they pass without a complaint they have expired, which is no breach by the office. The
    office's duties (processing, the § 11 a reply, forwarding, promised dates) are the work
    list."""

    def setUp(self):
        super().setUp()
        # Received Mon 2 Mar 2026, decided 10 Mar, reached the party 12 Mar: the
        # complaint deadline is 12 Mar + 3 weeks = 2 Apr, skjærtorsdag -> Tue 7 Apr 2026.
        self.register("P-1", "2026-03-02")
        self.decide("P-1", "2026-03-10", "2026-03-12")
        # A second case with no decision at all: its processing norm (14 days: Mon 16
        # Mar) and § 11 a month (2 Apr -> 7 Apr) are the office's breaches.
        self.register("P-2", "2026-03-02")

    def test_expired_is_not_overdue(self):
        k = self.deadline(self.get_case("P-1"), "complaint")
        self.assertEqual((k["state"], k["duty"], k["due"]), ("expired", "party", "2026-04-07"))
        self.assertIn("Status: utløpt – ingen klage.", k["text"])
        self.assertNotIn("overskredet", k["text"])
        rows = self.call("ListDeadlines", {"overdue": True, "limit": 1000})["deadlines"]
        got = sorted((r["reference"], r["kind"]) for r in rows if r["reference"].startswith("P-"))
        self.assertEqual(got, [("P-2", "preliminary_reply"), ("P-2", "processing")])
        self.assertTrue(all(r["duty"] == "office" for r in rows))
        # The party's deadlines have their own filter and word.
        rows = self.call("ListDeadlines", {"duty": "party", "state": "expired",
                                            "limit": 1000})["deadlines"]
        got = sorted((r["reference"], r["kind"]) for r in rows if r["reference"].startswith("P-"))
        self.assertEqual(got, [("P-1", "complaint")])
        rows = self.call("ListDeadlines", {"state": "missed", "limit": 1000})["deadlines"]
        self.assertNotIn("complaint", [r["kind"] for r in rows])

    def test_cli_work_list(self):
        out = self.d.cli("deadlines", "--overdue", "--all", check=0).stdout
        self.assertIn("P-2", out)
        self.assertNotIn("P-1 ", out)
        out = self.d.cli("case", "show", "P-1", check=0).stdout
        self.assertIn("utløpt – ingen klage", out)
        self.assertNotIn("OVERSKREDET", out)
        out = self.d.cli("case", "show", "P-2", check=0).stdout
        self.assertIn("OVERSKREDET", out)
        out = self.d.cli("deadlines", "--duty", "party", "--all", check=0).stdout
        line = [l for l in out.splitlines() if "P-1" in l and "klagefrist" in l][0]
        self.assertFalse(line.startswith("!"), line)
        self.assertIn("utløpt", line)
        out = self.d.cli("deadlines", "--duty", "party", "--all", "--lang", "en",
                         check=0).stdout
        self.assertIn("expired", [l for l in out.splitlines() if "P-1" in l][0])
        p = self.d.cli("deadlines", "--duty", "nobody")
        self.assertEqual(p.returncode, 1)
        self.assertIn("'duty' must be office or party", p.stderr)


class ReasonsTest(CaseTest):
    """fvl. § 24 second paragraph with § 29: a request for reasons restarts the complaint
    deadline only for a decision given without them."""

    def test_restart_only_without_reasons(self):
        self.register("R-1", "2026-03-02")
        self.decide("R-1", "2026-03-10", "2026-03-12", outcome="innvilget", reasoned=True)
        self.rec("RequestReasons", {"reference": "R-1", "requested": "2026-03-16"})
        r = self.rec("GiveReasons", {"reference": "R-1", "reached": "2026-03-19"})
        self.assertEqual(self.deadline(r, "complaint")["due"], "2026-04-07")
        self.register("R-2", "2026-03-02")
        self.decide("R-2", "2026-03-10", "2026-03-12", outcome="innvilget", reasoned=False)
        self.rec("RequestReasons", {"reference": "R-2", "requested": "2026-03-16"})
        r = self.rec("GiveReasons", {"reference": "R-2", "reached": "2026-03-19"})
        # 19 Mar + 3 weeks = Thu 9 Apr 2026.
        k = self.deadline(r, "complaint")
        self.assertEqual(k["due"], "2026-04-09")
        self.assertEqual(k["start"]["type"], "reasons_given")


class PauseTest(CaseTest):
    """A processing norm that pauses stands still from the request for documents until they
    arrive or the date set for sending them has passed, whichever comes first."""

    def test_pause_ends_at_the_date_set(self):
        # Received Mon 2 Mar: 14 days -> Mon 16 Mar. Documents asked for on 4 Mar by Fri 13
        # Mar, never sent: 9 days, 16 + 9 = Wed 25 Mar - whatever day it is now.
        self.register("D-1", "2026-03-02")
        r = self.rec("RequestDocumentation", {"reference": "D-1", "requested": "2026-03-04",
                                              "due": "2026-03-13"})
        k = self.deadline(r, "processing")
        self.assertEqual((k["due"], k["pause_days"]), ("2026-03-25", 9))
        self.assertEqual(k["pauses"][0]["to"], "2026-03-13")
        self.assertTrue(k["pauses"][0]["ran_out"])
        self.assertIn("til innsendelsesfristen 2026-03-13: 9 dager.", k["text"])
        self.assertIn("Fristen har stått stille i 9 dager", k["text"])
        # Documents that came earlier end the pause when they came: 4 -> 9 Mar, 5 days.
        r = self.rec("ReceiveDocumentation", {"reference": "D-1", "received": "2026-03-09"})
        self.assertEqual(self.deadline(r, "processing")["due"], "2026-03-23")


class DocumentationFallbackTest(CaseTest):
    """A letter asking for documents that names no date: the documentation rule's period (14
    days, a local practice in the shipped rules) counts from the request."""

    def test_no_date_named(self):
        self.register("DF-1", "2026-03-02")
        r = self.rec("RequestDocumentation", {"reference": "DF-1", "requested": "2026-03-04"})
        k = self.deadline(r, "documentation")
        # 4 Mar + 14 days = Wed 18 Mar 2026.
        self.assertEqual((k["due"], k["period"]), ("2026-03-18", "14d"))
        self.assertIn("Brevet nevnte ingen dato", k["text"])
        out = self.d.cli("documentation", "request", "DF-1", "--requested", "2026-03-05",
                         check=0).stdout
        self.assertIn("DF-1", out)


class ForwardingTest(CaseTest):
    """fvl. § 33: unless the office reverses its decision in full, or the complaint is
    withdrawn, it forwards the complaint to the complaint body."""

    def complaint(self, ref, service="okonomisk-stonad"):
        self.register(ref, "2026-03-02", service=service)
        self.decide(ref, "2026-03-10", "2026-03-12")
        return self.rec("RecordComplaint", {"reference": ref, "sent": "2026-03-20",
                                            "received": "2026-03-23"})

    def test_partial_reversal_still_forwards(self):
        self.complaint("F-1")
        r = self.rec("DecideComplaint", {"reference": "F-1", "decided": "2026-04-01",
                                         "outcome": "delvis_omgjort"})
        k = self.deadline(r, "forwarding")
        # 23 Mar + 4 weeks = Mon 20 Apr 2026, long past: the duty is missed, not met.
        self.assertEqual((k["state"], k["met_on"]), ("missed", None))
        self.assertIn("skal fortsatt sendes til Statsforvalteren", k["text"])
        r = self.rec("ForwardComplaint", {"reference": "F-1", "forwarded": "2026-04-10"})
        self.assertEqual(self.deadline(r, "forwarding")["state"], "met")

    def test_full_reversal_ends_it(self):
        self.complaint("F-2")
        r = self.rec("DecideComplaint", {"reference": "F-2", "decided": "2026-04-01",
                                         "outcome": "omgjort"})
        k = self.deadline(r, "forwarding")
        self.assertEqual((k["state"], k["met_on"]), ("met", "2026-04-01"))

    def test_withdrawn_complaint_ends_it(self):
        self.complaint("F-3")
        r = self.rec("WithdrawComplaint", {"reference": "F-3", "withdrawn": "2026-03-30"})
        k = self.deadline(r, "forwarding")
        self.assertEqual((k["state"], k["cancelled_on"]), ("cancelled", "2026-03-30"))
        out = self.d.cli("case", "show", "F-3", check=0).stdout
        self.assertIn("klage trukket", out)

    def test_complaint_body_by_regime(self):
        # Statsforvalteren under sosialtjenesteloven (§ 48) and pasient- og
        # brukerrettighetsloven (§ 7-2); the municipal klagenemnd otherwise (fvl. § 28).
        for ref, service, body in (("F-4", "okonomisk-stonad", "Statsforvalteren"),
                                   ("F-5", "bpa", "Statsforvalteren"),
                                   ("F-6", "forvaltningsloven", "kommunens klagenemnd")):
            r = self.complaint(ref, service)
            self.assertEqual(r["case"]["complaint_body"], body)
            k = self.deadline(r, "forwarding")
            self.assertEqual(k["complaint_body"], body)
            self.assertIn("Frist for oversendelse til %s" % body, k["text"])
            self.rec("ForwardComplaint", {"reference": ref, "forwarded": "2026-03-30"})
            out = self.d.cli("case", "show", ref, check=0).stdout
            self.assertIn("oversendt %s" % body, out)


class RolloverTest(CaseTest):
    """domstolloven § 149: an extended (fvl. § 29) or overridden last day that is not a
    working day rolls over like any other."""

    def test_extension_to_a_sunday(self):
        # An extension is made before the deadline expires, so the dates follow today: a
        # decision that reached the party two days ago, extended to a Sunday six weeks on.
        today = oslo_today()
        self.register("X-1", iso(today - datetime.timedelta(3)))
        r = self.decide("X-1", iso(today - datetime.timedelta(3)),
                        iso(today - datetime.timedelta(2)))
        self.assertEqual(self.deadline(r, "complaint")["state"], "open")
        sunday = today + datetime.timedelta(42 + (6 - (today + datetime.timedelta(42)).weekday()))
        r = self.rec("ExtendDeadline", {"reference": "X-1", "kind": "complaint",
                                        "until": iso(sunday), "reason": "parten er syk"})
        k = self.deadline(r, "complaint")
        self.assertEqual(k["extensions"][0]["date"], iso(sunday))
        self.assertEqual(k["due"], iso(roll(sunday)))
        self.assertNotEqual(k["due"], iso(sunday))
        self.assertIn("Den nye siste dagen er ikke en virkedag og flyttes: %s søndag"
                      % iso(sunday), k["text"])

    def test_statutory_limits_cannot_be_extended(self):
        # The fvl. § 11 a month and the fvl. § 31 outer limit are fixed by law; only a rule
        # with "extension" (rules.conf) may be extended, and the refusal says why.
        today = oslo_today()
        self.register("X-3", iso(today - datetime.timedelta(3)))
        r = self.decide("X-3", iso(today - datetime.timedelta(2)), iso(today))
        before = self.counts()
        for kind in ("preliminary_reply", "late_complaint"):
            err, p = self.call_error("ExtendDeadline", {
                "reference": "X-3", "kind": kind,
                "until": iso(today + datetime.timedelta(400)), "reason": "travelt"})
            self.assertEqual(err, "no.fristvakt.OutOfOrder", kind)
            self.assertIn("cannot be extended: no rule allows the office to extend it",
                          p["message"])
        self.assertEqual(self.counts(), before)
        self.assertIsNone(self.deadline(r, "preliminary_reply")["extension"])
        self.assertEqual(self.deadline(r, "complaint")["extension"], "forvaltningsloven § 29")

    def test_override_to_a_holiday(self):
        self.register("X-2", "2026-03-02")
        self.decide("X-2", "2026-03-10", "2026-03-12")
        r = self.rec("RecordComplaint", {"reference": "X-2", "sent": "2026-03-20"})
        r = self.rec("OverrideDeadline", {"reference": "X-2", "kind": "forwarding",
                                          "due": "2026-05-17", "reason": "sakkyndig"})
        k = self.deadline(r, "forwarding")
        # Sun 17 May 2026 is grunnlovsdag and a Sunday: Mon 18 May.
        self.assertEqual(k["due"], "2026-05-18")
        self.assertEqual(k["overrides"][0]["date"], "2026-05-17")
        self.assertEqual(k["overrides"][0]["due"], "2026-05-18")
        self.assertEqual([(s["day"], s["why"]) for s in k["overrides"][0]["steps"]],
                         [("2026-05-17", "grunnlovsdag")])
        self.assertIn("Den nye siste dagen er ikke en virkedag og flyttes: 2026-05-17 "
                      "grunnlovsdag → 2026-05-18.", k["text"])


class PromisedDateTest(CaseTest):
    """fvl. § 11 a: a foreløpig svar says when an answer can be expected; that date is the
    office's own deadline, tracked and listed like the others."""

    def test_promised_date(self):
        self.register("L-1", "2026-03-02")
        r = self.rec("RecordPreliminaryReply", {"reference": "L-1", "sent": "2026-03-20",
                                                "promised": "2026-04-12"})
        k = self.deadline(r, "promised")
        # The date promised is the date, a Sunday or not (rules.conf: rollover "none").
        self.assertEqual((k["due"], k["duty"], k["subject"]), ("2026-04-12", "office",
                                                                r["event"]))
        self.assertEqual(k["state"], "missed")
        rows = self.call("ListDeadlines", {"overdue": True, "kind": "promised"})["deadlines"]
        self.assertEqual([x["reference"] for x in rows], ["L-1"])
        r = self.decide("L-1", "2026-04-10", "2026-04-14")
        self.assertEqual(self.deadline(r, "promised")["state"], "met")


class WrittenDecisionTest(CaseTest):
    """fvl. § 23: every enkeltvedtak is written; an oral one is flagged until a written
    confirmation is recorded (the citation and the sentence are the rules file's)."""

    def test_oral_decision_of_any_outcome(self):
        for n, outcome in enumerate(("innvilget", "delvis_innvilget", "avslatt", "avvist")):
            ref = "W-%d" % n
            self.register(ref, "2026-03-02", channel="oral")
            r = self.decide(ref, "2026-03-04", "2026-03-04", outcome=outcome, written=False)
            self.assertEqual([b["code"] for b in r["breaches"]], ["oral_decision"], outcome)
        r = self.rec("ConfirmDecision", {"reference": "W-0", "confirmed": "2026-03-06"})
        b = r["breaches"][0]
        self.assertEqual((b["closed_by"], b["closed_on"]), (r["event"], "2026-03-06"))
        out = self.d.cli("case", "show", "W-0", check=0).stdout
        self.assertIn("MULIG BRUDD i hendelse %d: Vedtaket ble gitt muntlig, men et enkeltvedtak skal "
                      "være skriftlig med mindre det av praktiske grunner er særlig byrdefullt "
                      "(forvaltningsloven § 23). Rettet 2026-03-06 (hendelse %d)."
                      % (b["event"], r["event"]), out)
        self.assertNotIn(").)", out)
        self.assertNotIn(". (hendelse", out)


class BpaTest(CaseTest):
    """pasient- og brukerrettighetsloven § 2-1 d: a refusal that conflicts with the right,
    given the recorded need and age group, is a possible breach."""

    def test_refusal_against_the_right(self):
        self.register("B-1", "2026-03-02", service="bpa")
        r = self.decide("B-1", "2026-03-20", "2026-03-23", need_hours=35, need_months=36,
                        age_group="under_67")
        b = r["breaches"]
        self.assertEqual([(x["code"], x["possible"]) for x in b], [("bpa_refusal", True)])
        self.assertIn("(pasient- og brukerrettighetsloven § 2-1 d).", b[0]["text"])
        out = self.d.cli("case", "show", "B-1", check=0).stdout
        self.assertIn("MULIG BRUDD i hendelse 2:", out)
        self.assertIn("behov 35 timer i uken i 36 måneder (under 67 år)", out)
        self.register("B-2", "2026-03-02", service="bpa")
        r = self.decide("B-2", "2026-03-20", "2026-03-23", need_hours=20, need_months=36,
                        age_group="under_67")
        self.assertEqual(r["breaches"], [])
        err, p = self.call_error("RecordDecision", {
            "reference": "B-2", "made": "2026-03-21", "outcome": "avslatt", "written": True,
            "reasoned": True, "age_group": "senior"})
        self.assertEqual((err, p["parameter"]), (INVALID, "age_group"))
        err, p = self.call_error("RecordDecision", {
            "reference": "B-2", "made": "2026-03-21", "outcome": "avslatt", "written": True,
            "reasoned": True, "need_hours": 200})
        self.assertEqual((err, p["parameter"]), (INVALID, "need_hours"))


class NationalIdTest(CaseTest):
    """Taushetsplikt and data minimisation: a fødselsnummer or D-nummer is never a case
    reference. Nothing is stored, and the error says why."""

    def test_refused(self):
        before = self.counts()
        for ref in ("15058045656", "150580-45656", "41019012393", "NAV-15058045656",
                    "S-150580-45656", "2026/150580 45656"):
            err, p = self.call_error("RegisterApplication", {
                "reference": ref, "service": "okonomisk-stonad", "received": "2026-03-02",
                "channel": "written"})
            self.assertEqual((err, p["parameter"]), (INVALID, "reference"), ref)
            self.assertIn("national identity number", p["message"])
            self.assertNotIn(ref, p["message"])
        self.assertEqual(self.counts(), before)
        p = self.d.cli("case", "add", "15058045656", "--service", "okonomisk-stonad",
                       "--received", "2026-03-02")
        self.assertEqual(p.returncode, 1)
        self.assertIn("fødselsnummer", p.stderr)
        # An 11-digit case number whose check digits do not fit is a case number, and so
        # is one whose first six digits cannot be a birth date.
        self.register("15058045657", "2026-03-02")
        self.register("32018012323", "2026-03-02")

    def test_numbers_issued_from_2032(self):
        """From 2032 the first check digit may take four values; such numbers are
        refused too, like the older ones."""
        for ref in ("02013299903", "30108299939", "S-301082 99939"):
            err, p = self.call_error("RegisterApplication", {
                "reference": ref, "service": "okonomisk-stonad", "received": "2026-03-02",
                "channel": "written"})
            self.assertEqual((err, p["parameter"]), (INVALID, "reference"), ref)

    def test_other_fields(self):
        """Handler, unit, a reason and a legal basis are refused with the number in them,
        and nothing of the request is stored."""
        self.register("N-1", "2026-03-02")
        before = self.counts()
        err, p = self.call_error("RegisterApplication", {
            "reference": "N-2", "service": "okonomisk-stonad", "received": "2026-03-02",
            "channel": "written", "handler": "15058045656"})
        self.assertEqual((err, p["parameter"]), (INVALID, "handler"))
        self.assertIn("national identity number", p["message"])
        err, p = self.call_error("ExtendDeadline", {
            "reference": "N-1", "kind": "processing", "until": "2026-04-30",
            "reason": "venter på uttalelse om 150580 45656"})
        self.assertEqual((err, p["parameter"]), (INVALID, "reason"))
        self.assertNotIn("45656", p["message"])
        err, p = self.call_error("RecordDecision", {
            "reference": "N-1", "made": "2026-03-10", "outcome": "avslatt", "written": True,
            "reasoned": True, "legal_basis": "sosialtjenesteloven § 18, jf. 02013299903"})
        self.assertEqual((err, p["parameter"]), (INVALID, "legal_basis"))
        self.assertEqual(self.counts(), before)


class MigrationTest(CaseTest):
    """Schema 3: a database written before it stored a party's passed deadlines as missed;
    the migration forgets which rules the stored deadlines follow (db/003), so the daemon
    recomputes every case after it starts."""

    def test_old_rows_recomputed(self):
        self.register("M-1", "2026-03-02")
        self.decide("M-1", "2026-03-10", "2026-03-12")
        self.d.stop()
        with open(os.path.join(os.environ.get("FV_SOURCE_DIR", "../.."), "db",
                               "003_expired_party_deadlines.sql")) as f:
            self.assertIn("DELETE FROM meta WHERE key = 'rules_fingerprint';", f.read())
        db = self.d.db()
        db.execute("UPDATE deadlines SET state = 'missed' WHERE kind = 'complaint'")
        db.execute("DELETE FROM meta WHERE key = 'rules_fingerprint'")
        db.commit()
        db.close()
        self.d.start()
        self.connect_case()
        for _ in range(100):
            if "deadlines recomputed with the rules in force" in self.d.log_text():
                break
            time.sleep(0.05)
        rows = self.call("ListDeadlines", {"kind": "complaint", "limit": 1000})["deadlines"]
        self.assertEqual([(x["reference"], x["state"]) for x in rows], [("M-1", "expired")])
        db = self.d.db()
        self.assertEqual(db.execute("SELECT state FROM deadlines WHERE kind = 'complaint'")
                         .fetchall(), [("expired",)])
        db.close()


if __name__ == "__main__":
    main()
