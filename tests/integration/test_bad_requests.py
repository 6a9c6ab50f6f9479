# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad requests to the case register: each is refused with the documented error (and, for
InvalidParameter, the parameter at fault), the connection stays usable, and nothing of any
of them reaches the database - not a case, an event, a deadline or an audit row."""

import datetime
import json
import sqlite3
import unittest

from fvtest import DaemonTest, main
from test_cases import PREFIX, CaseMixin, days_ago, iso, oslo_today
from test_import_export import MAX_IMPORT_ITEMS

INVALID = "org.varlink.service.InvalidParameter"
OUT_OF_ORDER = "no.fristvakt.OutOfOrder"
NOT_FOUND = "no.fristvakt.EventNotFound"


def future(days):
    return iso(oslo_today() + datetime.timedelta(days))


def reg(**kw):
    """RegisterApplication parameters of a new, valid case, changed by kw (None: left out)."""
    p = {"reference": "NEW-1", "service": "okonomisk-stonad", "received": "2026-03-02",
         "channel": "written"}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def dec(ref="BR-1", **kw):
    """RecordDecision parameters, changed by kw (None: left out)."""
    p = {"reference": ref, "made": "2026-03-10", "reached": "2026-03-12",
         "outcome": "avslatt", "written": True, "reasoned": True}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def ext(ref="BR-4", **kw):
    p = {"reference": ref, "kind": "complaint", "until": future(60),
         "reason": "Parten trenger mer tid"}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def dump(path):
    """Every row of every table, read through a read-only connection."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for t in tables:
            out[t] = sorted(db.execute('SELECT * FROM "%s"' % t).fetchall(), key=repr)
        out["user_version"] = db.execute("PRAGMA user_version").fetchone()[0]
        return out
    finally:
        db.close()


class BadRequestTest(CaseMixin, DaemonTest):
    def setUp(self):
        super().setUp()
        self.connect_case()
        # BR-1: a decided case with a complaint deadline long expired.
        self.register("BR-1", "2026-03-02", handler="h-1")
        self.dec1 = self.decide("BR-1", "2026-03-10", "2026-03-12",
                                event_id="cs:BR-1:vedtak")["event"]
        # BR-2: withdrawn.
        self.recv2 = self.register("BR-2", "2026-03-02")["event"]
        self.rec("WithdrawApplication", {"reference": "BR-2", "withdrawn": "2026-03-05"})
        # BR-3: received, nothing else.
        self.recv3 = self.register("BR-3", "2026-03-02")["event"]
        # BR-4: a complaint deadline still open.
        self.recv4 = self.register("BR-4", iso(days_ago(10)))["event"]
        r = self.decide("BR-4", iso(days_ago(3)), iso(days_ago(2)))
        self.dec4 = r["event"]
        self.due4 = self.deadline(r, "complaint")["due"]
        # BR-5: closed.
        self.register("BR-5", "2026-03-02")
        self.rec("CloseCase", {"reference": "BR-5", "closed": "2026-03-20"})
        # BR-6: BPA, a service without a processing norm (no processing deadline).
        r = self.register("BR-6", "2026-03-02", service="bpa")
        self.assertNotIn("processing", self.kinds(r))

    def table(self):
        """(what, method, parameters, error, parameter-or-None)."""
        ref65 = "A" * 65
        return [
            # Wrong types.
            ("reference as int", "RegisterApplication", reg(reference=123), INVALID,
             "reference"),
            ("written as 'yes'", "RecordDecision", dec(written="yes"), INVALID, "written"),
            ("emergency as 1", "RegisterApplication", reg(emergency=1), INVALID, "emergency"),
            ("reasoned as null", "RecordDecision", dec(reasoned=None) | {"reasoned": None},
             INVALID, "reasoned"),
            ("supersedes as string", "RecordDecision", dec(supersedes=str(self.dec1)),
             INVALID, "supersedes"),
            ("decision as float", "RecordComplaint",
             {"reference": "BR-1", "sent": "2026-03-20", "decision": 1.5}, INVALID,
             "decision"),
            ("contact as string", "RegisterApplication", reg(contact="a@b.no"), INVALID,
             "contact"),
            ("reference as array", "GetCase", {"reference": ["BR-1"]}, INVALID, "reference"),
            # Unknown fields.
            ("unknown field name", "RegisterApplication", reg(name="Kari Nordmann"), INVALID,
             "name"),
            ("unknown field fnr", "RecordDecision", dec(fnr="01017012345"), INVALID, "fnr"),
            ("supersedes as string on RegisterApplication", "RegisterApplication",
             reg(reference="BR-3", supersedes=str(self.recv3)), INVALID, "supersedes"),
            ("unknown contact member", "RegisterApplication",
             reg(contact={"email": "a@b.no", "consent": True, "name": "Kari"}), INVALID,
             "contact"),
            # Missing required fields.
            ("no service", "RegisterApplication", reg(service=None), INVALID, "service"),
            ("no received", "RegisterApplication", reg(received=None), INVALID, "received"),
            ("no channel", "RegisterApplication", reg(channel=None), INVALID, "channel"),
            ("no reference", "RecordDecision", dec(reference=None), INVALID, "reference"),
            ("no outcome", "RecordDecision", dec(outcome=None), INVALID, "outcome"),
            ("no written", "RecordDecision", dec(written=None), INVALID, "written"),
            ("no reason", "ExtendDeadline", ext(reason=None), INVALID, "reason"),
            ("no sent", "RecordComplaint", {"reference": "BR-1"}, INVALID, "sent"),
            ("GetCase without reference", "GetCase", {}, INVALID, "reference"),
            # Impossible dates and times.
            ("30 February", "RecordDecision", dec(made="2026-02-30"), INVALID, "made"),
            ("month 13", "RegisterApplication", reg(received="2026-13-01"), INVALID,
             "received"),
            ("unpadded date", "RegisterApplication", reg(received="2026-3-2"), INVALID,
             "received"),
            ("'yesterday'", "RecordComplaint", {"reference": "BR-1", "sent": "yesterday"},
             INVALID, "sent"),
            ("hour 25", "RecordDecision", dec(reached="2026-03-12T25:00:00Z"), INVALID,
             "reached"),
            ("empty instant", "RegisterApplication", reg(received=""), INVALID, "received"),
            ("promised 29 Feb 2026", "RecordPreliminaryReply",
             {"reference": "BR-3", "sent": "2026-03-05", "promised": "2026-02-29"}, INVALID,
             "promised"),
            ("promised before sent", "RecordPreliminaryReply",
             {"reference": "BR-3", "sent": "2026-03-05T10:00:00+01:00",
              "promised": "2026-03-04"}, INVALID, "promised"),
            ("documentation due before requested", "RequestDocumentation",
             {"reference": "BR-3", "requested": "2026-03-05", "due": "2026-03-04"}, INVALID,
             "due"),
            ("until not a date", "ExtendDeadline", ext(until="2026-04-07T00:00:00Z"), INVALID,
             "until"),
            # Instants in the future, years out of range.
            ("received next week", "RegisterApplication", reg(received=future(7)), INVALID,
             "received"),
            ("complaint sent in 3 days", "RecordComplaint",
             {"reference": "BR-1", "sent": future(3) + "T12:00:00Z"}, INVALID, "sent"),
            ("year 0000", "RegisterApplication", reg(received="0000-01-01"), INVALID,
             "received"),
            ("year 10000", "RecordDecision", dec(made="10000-01-01"), INVALID, "made"),
            ("due in year 99999", "RequestDocumentation",
             {"reference": "BR-3", "requested": "2026-03-05", "due": "99999-01-01"}, INVALID,
             "due"),
            # Out of order.
            ("complaint before any decision", "RecordComplaint",
             {"reference": "BR-3", "sent": "2026-03-20"}, OUT_OF_ORDER, None),
            ("decision before received", "RecordDecision",
             dec(ref="BR-3", made="2026-03-01", reached="2026-03-03"), OUT_OF_ORDER, None),
            ("documentation received, none requested", "ReceiveDocumentation",
             {"reference": "BR-3", "received": "2026-03-09"}, OUT_OF_ORDER, None),
            ("reasons given with no decision", "GiveReasons",
             {"reference": "BR-3", "reached": "2026-03-09"}, OUT_OF_ORDER, None),
            ("forwarding with no complaint", "ForwardComplaint",
             {"reference": "BR-1", "forwarded": "2026-04-20"}, OUT_OF_ORDER, None),
            ("decision on a withdrawn case", "RecordDecision", dec(ref="BR-2"), OUT_OF_ORDER,
             None),
            ("complaint on a withdrawn case", "RecordComplaint",
             {"reference": "BR-2", "sent": "2026-03-20"}, OUT_OF_ORDER, None),
            ("closing a withdrawn case", "CloseCase",
             {"reference": "BR-2", "closed": "2026-03-20"}, OUT_OF_ORDER, None),
            ("closing a closed case", "CloseCase",
             {"reference": "BR-5", "closed": "2026-03-21"}, OUT_OF_ORDER, None),
            ("closing a closed case with its own event_id", "CloseCase",
             {"reference": "BR-5", "closed": "2026-03-21", "event_id": "BR-5:close-2"},
             OUT_OF_ORDER, None),
            ("withdrawing a closed case", "WithdrawApplication",
             {"reference": "BR-5", "withdrawn": "2026-03-21"}, OUT_OF_ORDER, None),
            ("override of a deadline the case lacks", "OverrideDeadline",
             {"reference": "BR-6", "kind": "processing", "due": future(30),
              "reason": "Ny vurdering"}, OUT_OF_ORDER, None),
            ("override with a received event as the complaint subject", "OverrideDeadline",
             {"reference": "BR-4", "kind": "complaint", "due": future(30),
              "reason": "Ny vurdering", "subject": self.recv4}, NOT_FOUND, None),
            ("extension after expiry", "ExtendDeadline", ext(ref="BR-1"), OUT_OF_ORDER, None),
            # Unknown case, service, events.
            ("unknown case", "RecordDecision", dec(ref="NO-SUCH"), "no.fristvakt.CaseNotFound",
             None),
            ("GetCase unknown", "GetCase", {"reference": "NO-SUCH"},
             "no.fristvakt.CaseNotFound", None),
            ("unknown service", "RegisterApplication", reg(service="hundepass"),
             "no.fristvakt.UnknownService", None),
            ("supersedes another type", "RecordComplaint",
             {"reference": "BR-1", "sent": "2026-03-20", "supersedes": self.dec1}, NOT_FOUND,
             None),
            ("supersedes another case's event", "RecordDecision",
             dec(ref="BR-4", made=iso(days_ago(3)), reached=iso(days_ago(1)),
                 supersedes=self.dec1), NOT_FOUND, None),
            ("supersedes no event", "RecordDecision", dec(supersedes=999999), NOT_FOUND, None),
            # Corrections of the received event (RegisterApplication with supersedes).
            ("received correction of an unknown case", "RegisterApplication",
             reg(reference="NEW-9", supersedes=self.recv3), "no.fristvakt.CaseNotFound", None),
            ("received correction superseding a decision", "RegisterApplication",
             reg(reference="BR-1", handler="h-1", supersedes=self.dec1), NOT_FOUND, None),
            ("received correction of another case's event", "RegisterApplication",
             reg(reference="BR-1", handler="h-1", supersedes=self.recv3), NOT_FOUND, None),
            ("received correction after the decision", "RegisterApplication",
             reg(reference="BR-1", handler="h-1", received="2026-03-11",
                 supersedes=self.dec1 - 1), OUT_OF_ORDER, None),
            ("received correction on a withdrawn case", "RegisterApplication",
             reg(reference="BR-2", received="2026-03-03", supersedes=self.recv2),
             OUT_OF_ORDER, None),
            ("received correction with a contact", "RegisterApplication",
             reg(reference="BR-3", supersedes=self.recv3,
                 contact={"email": "kari@example.no", "consent": True}), INVALID, "contact"),
            ("received correction to an unknown service", "RegisterApplication",
             reg(reference="BR-3", service="hundepass", supersedes=self.recv3),
             "no.fristvakt.UnknownService", None),
            ("decision ref to a received event", "RequestReasons",
             {"reference": "BR-1", "requested": "2026-03-13", "decision": self.recv3},
             NOT_FOUND, None),
            ("decision ref to BR-1's own received event", "RecordComplaint",
             {"reference": "BR-1", "sent": "2026-03-20", "decision": self.dec1 - 1},
             NOT_FOUND, None),
            ("extension subject of another case", "ExtendDeadline",
             ext(subject=self.dec1), NOT_FOUND, None),
            # References.
            ("reference with a space", "RegisterApplication", reg(reference="2026 17"),
             INVALID, "reference"),
            ("reference starting with '/'", "RegisterApplication", reg(reference="/2026/17"),
             INVALID, "reference"),
            ("reference of 65 characters", "RegisterApplication", reg(reference=ref65),
             INVALID, "reference"),
            ("empty reference", "RegisterApplication", reg(reference=""), INVALID,
             "reference"),
            ("reference with a national id and name", "RegisterApplication",
             reg(reference="Kari Nordmann 01017012345"), INVALID, "reference"),
            ("non-ASCII reference", "RegisterApplication", reg(reference="sak-æøå"), INVALID,
             "reference"),
            # Oversized and control characters.
            ("handler of 65 characters", "RegisterApplication", reg(handler="h" * 65),
             INVALID, "handler"),
            ("unit of 65 characters", "RegisterApplication", reg(unit="u" * 65), INVALID,
             "unit"),
            ("reason of 501 bytes", "ExtendDeadline", ext(reason="r" * 501), INVALID,
             "reason"),
            ("event_id of 129 characters", "RecordDecision", dec(event_id="e" * 129), INVALID,
             "event_id"),
            ("empty event_id", "RecordDecision", dec(event_id=""), INVALID, "event_id"),
            ("control character in handler", "RegisterApplication", reg(handler="h\x01x"),
             INVALID, "handler"),
            ("newline in handler", "RegisterApplication", reg(handler="h\nx"), INVALID,
             "handler"),
            ("DEL in unit", "RegisterApplication", reg(unit="u\x7f"), INVALID, "unit"),
            ("empty handler", "RegisterApplication", reg(handler=""), INVALID, "handler"),
            ("escape in reason", "ExtendDeadline", ext(reason="mer tid\x1b[31m"), INVALID,
             "reason"),
            ("supersedes 0", "RecordDecision", dec(supersedes=0), INVALID, "supersedes"),
            # Contact details.
            ("contact without consent", "RegisterApplication",
             reg(contact={"email": "kari@example.no", "consent": False}), INVALID, "contact"),
            ("contact, consent missing", "RegisterApplication",
             reg(contact={"email": "kari@example.no"}), INVALID, "contact"),
            ("contact with consent, no email/phone", "RegisterApplication",
             reg(contact={"consent": True}), INVALID, "contact"),
            ("contact email without @", "RegisterApplication",
             reg(contact={"email": "kari.example.no", "consent": True}), INVALID, "contact"),
            ("contact phone with letters", "RegisterApplication",
             reg(contact={"phone": "ring meg", "consent": True}), INVALID, "contact"),
            # Bad enum values.
            ("channel fax", "RegisterApplication", reg(channel="fax"), INVALID, "channel"),
            ("channel in capitals", "RegisterApplication", reg(channel="WRITTEN"), INVALID,
             "channel"),
            ("outcome maybe", "RecordDecision", dec(outcome="maybe"), INVALID, "outcome"),
            ("outcome with ø", "RecordDecision", dec(outcome="avslått"), INVALID, "outcome"),
            ("complaint outcome maybe", "DecideComplaint",
             {"reference": "BR-1", "decided": "2026-05-01", "outcome": "maybe"}, INVALID,
             "outcome"),
            ("kind nonsense", "ExtendDeadline", ext(kind="nonsense"), INVALID, "kind"),
            ("override kind nonsense", "OverrideDeadline",
             {"reference": "BR-4", "kind": "nonsense", "due": future(30), "reason": "x"},
             INVALID, "kind"),
            # Digital delivery half given, or both ways at once.
            ("made_available without notice_sent", "RecordDecision",
             dec(reached=None, made_available="2026-03-11"), INVALID, "notice_sent"),
            ("reached and made_available", "RecordDecision",
             dec(made_available="2026-03-11", notice_sent="2026-03-11"), INVALID, "reached"),
            # Extension to a day not after the current due date.
            ("until before the current due", "ExtendDeadline",
             ext(until=iso(datetime.date.fromisoformat(self.due4)
                           - datetime.timedelta(1))), INVALID, "until"),
            ("until equal to the current due", "ExtendDeadline", ext(until=self.due4),
             INVALID, "until"),
            # Imports and listings.
            ("ImportEvents with one item too many", "ImportEvents",
             {"items": [{"method": "RegisterApplication",
                         "parameters": reg(reference="IMP-%d" % i)}
                        for i in range(MAX_IMPORT_ITEMS + 1)]},
             INVALID, "items"),
            ("ImportEvents items not an array", "ImportEvents", {"items": {}}, INVALID,
             "items"),
            ("ImportEvents without items", "ImportEvents", {}, INVALID, "items"),
            ("ListDeadlines limit 0", "ListDeadlines", {"limit": 0}, INVALID, "limit"),
            ("ListDeadlines limit 1001", "ListDeadlines", {"limit": 1001}, INVALID, "limit"),
            ("ListDeadlines state foo", "ListDeadlines", {"state": "foo"}, INVALID, "state"),
            ("ListDeadlines due_from x", "ListDeadlines", {"due_from": "x"}, INVALID,
             "due_from"),
            ("ListDeadlines due_to 2026-02-30", "ListDeadlines", {"due_to": "2026-02-30"},
             INVALID, "due_to"),
            ("ListDeadlines kind foo", "ListDeadlines", {"kind": "foo"}, INVALID, "kind"),
            ("ListDeadlines overdue 'yes'", "ListDeadlines", {"overdue": "yes"}, INVALID,
             "overdue"),
            ("ListDeadlines after garbage", "ListDeadlines", {"after": "garbage"}, INVALID,
             "after"),
            ("ListCases state foo", "ListCases", {"state": "foo"}, INVALID, "state"),
            ("ListCases limit -1", "ListCases", {"limit": -1}, INVALID, "limit"),
            ("ListAudit limit 1001", "ListAudit", {"limit": 1001}, INVALID, "limit"),
            ("ListAudit after -1", "ListAudit", {"after": -1}, INVALID, "after"),
            ("ListAudit after 0", "ListAudit", {"after": 0}, INVALID, "after"),
            # Idempotence and conflicts.
            ("event_id reused with other data", "RecordDecision",
             dec(reached="2026-03-13", event_id="cs:BR-1:vedtak"),
             "no.fristvakt.EventConflict", None),
            ("event_id reused for another case", "RecordDecision",
             dec(ref="BR-4", made=iso(days_ago(3)), reached=iso(days_ago(2)),
                 event_id="cs:BR-1:vedtak"), "no.fristvakt.EventConflict", None),
            ("existing reference, other service", "RegisterApplication",
             reg(reference="BR-3", service="nodhjelp"), "no.fristvakt.CaseConflict", None),
            ("existing reference, other received", "RegisterApplication",
             reg(reference="BR-3", received="2026-03-03"), "no.fristvakt.CaseConflict", None),
        ]

    def test_table(self):
        table = self.table()
        self.assertGreaterEqual(len(table), 40)
        before = dump(self.d.database)
        counts = self.counts()
        for what, method, params, error, parameter in table:
            with self.subTest(what):
                err, p = self.call_error(method, params)
                self.assertEqual(err, error, "%s: %s" % (what, p))
                if error == INVALID:
                    self.assertEqual(p.get("parameter"), parameter, p)
                if error in (OUT_OF_ORDER, NOT_FOUND, "no.fristvakt.CaseConflict",
                             "no.fristvakt.CaseNotFound"):
                    self.assertEqual(p.get("reference"), params["reference"], p)
                if error in (OUT_OF_ORDER, NOT_FOUND, "no.fristvakt.CaseConflict"):
                    self.assertTrue(p.get("message"), p)
                if error == "no.fristvakt.UnknownService":
                    self.assertEqual(p["service"], "hundepass")
                    self.assertIn("okonomisk-stonad", p["known"])
                    self.assertIn("bpa", p["known"])
                if error == "no.fristvakt.EventConflict":
                    self.assertEqual(p, {"event_id": params["event_id"]})
        # The connection still works, and nothing at all was stored.
        self.assertEqual(self.counts(), counts)
        self.assertEqual(dump(self.d.database), before)

    def test_specific_parameters(self):
        # Errors that carry more than a name say which event or case they are about.
        err, p = self.call_error("RecordComplaint", {"reference": "BR-1", "sent": "2026-03-20",
                                                     "decision": self.recv3})
        self.assertEqual((err, p["event"]), (NOT_FOUND, self.recv3))
        err, p = self.call_error("RecordDecision", dec(supersedes=999999))
        self.assertEqual((err, p["event"]), (NOT_FOUND, 999999))
        err, p = self.call_error("RecordDecision", dec(ref="NO-SUCH"))
        self.assertEqual(p, {"reference": "NO-SUCH"})
        err, p = self.call_error("RecordComplaint", {"reference": "BR-3", "sent": "2026-03-20"})
        self.assertIn("decision", p["message"])
        err, p = self.call_error("RecordDecision", dec(ref="BR-3", made="2026-03-01"))
        self.assertIn("2026-03-02", p["message"])

    def test_raw_messages(self):
        """Messages that are not valid calls at all: InvalidMessage, nothing stored."""
        before = dump(self.d.database)
        reg_json = json.dumps({"method": PREFIX + "RegisterApplication",
                               "parameters": reg(reference="RAW-1", handler="HANDLER")})
        bad = [
            # Invalid UTF-8 inside a string.
            reg_json.replace("HANDLER", "h").encode().replace(b'"h"', b'"h\xff"'),
            reg_json.encode().replace(b"HANDLER", b"h\xc3\x28x"),
            reg_json.encode().replace(b"RAW-1", b"RAW\xed\xa0\x80"),
            # Not JSON, not an object, parameters not an object.
            b'{"method":"no.fristvakt.RegisterApplication","parameters":{"reference":',
            b'{"method":"no.fristvakt.GetCase","parameters":["BR-1"]}',
            b'{"method":"no.fristvakt.GetCase","parameters":"BR-1"}',
        ]
        for msg in bad:
            with self.subTest(msg=msg):
                self.c.send_raw(msg + b"\0")
                r = self.c.recv()
                self.assertIsNotNone(r)
                self.assertEqual(r.get("error"), "no.fristvakt.InvalidMessage", r)
                self.assertTrue(r["parameters"]["reason"])
        # NUL-free raw bytes of a valid call work on the same connection.
        self.c.send_raw(json.dumps({"method": PREFIX + "GetCase",
                                    "parameters": {"reference": "BR-1"}}).encode() + b"\0")
        self.assertNotIn("error", self.c.recv())
        self.assertEqual(dump(self.d.database), before)

    def test_oneway_bad_request_stores_nothing(self):
        before = dump(self.d.database)
        self.c.send_raw(json.dumps({"method": PREFIX + "RecordDecision",
                                    "parameters": dec(outcome="maybe"),
                                    "oneway": True}).encode() + b"\0")
        self.assertEqual(self.call("GetCase", {"reference": "BR-1"})["case"]["reference"],
                         "BR-1")
        self.assertEqual(dump(self.d.database), before)


if __name__ == "__main__":
    main()
