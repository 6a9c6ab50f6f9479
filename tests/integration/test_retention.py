# SPDX-License-Identifier: GPL-3.0-or-later
"""Retention (personvern) through the real daemon and its test clock.

retention.closed_after set: the cases closed or withdrawn longer ago than the period are
purged by the daily run (03:00 on the daemon's clock) with their events, deadlines,
reminders, delivery attempts and contact; a younger closed case, an open case and a closed
case whose party deadline still runs stay, and so does a case whose office duty was missed
and is still owed (a complaint never forwarded). `fristvakt purge --dry-run` lists the same
and changes nothing. The audit row of the purge gives counts and no reference, and the purged
cases' audit rows lose their reference. Afterwards neither the database file nor its
write-ahead log holds a purged reference or contact address (the raw bytes are read), also
when a reader held an older snapshot during the purge: the daemon truncates the log once
the reader is gone. No setting, no purge; a bad setting is refused by --check-config with the file and line. A
SIGKILL in the middle of a large purge leaves every case whole (a case goes in one
transaction) and every case gone audited, and the next run finishes; the file gives the
space back. No case is purged while the deadlines are being recomputed. A SIGTERM in the
middle of `fristvakt purge` answers it with what went, audited. Purge needs the admin role.
"""

import datetime
import json
import os
import signal
import sqlite3
import subprocess
import time
import unittest

from fvtest import FRISTVAKT, FRISTVAKTD, SOURCE_DIR, Daemon, main, peer_calls

CLOCK = {"clock_control = false;": "clock_control = true;"}
RETENTION = 'retention = {\n\tclosed_after = "%s";\n};\n'

# References and the contact address of the cases that go, and of those that stay.
OLD_CLOSED = "2026/OLDC-4711"
OLD_WITHDRAWN = "2026/OLDW-4712"
OPEN = "2026/OPEN-4713"
DECIDED = "2026/DECI-4714"
YOUNG = "2026/YNGC-4715"
OLD_EMAIL = "oldc.applicant@example.org"
YOUNG_EMAIL = "young.applicant@example.org"


class RetentionCase(unittest.TestCase):
    """A daemon with the test clock and, unless period is None, retention.closed_after."""

    def start(self, period="3m", extra="", subst=None):
        conf = (RETENTION % period if period else "") + extra
        self.d = Daemon(dict(CLOCK, **(subst or {})), conf)
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)

    def call(self, method, params=None):
        r = self.c.call("no.fristvakt." + method, params)
        self.assertIsNotNone(r, "%s: the daemon closed the connection" % method)
        self.assertNotIn("error", r, "%s(%s) failed: %s" % (method, params, r))
        return r.get("parameters", {})

    def set_clock(self, now):
        self.call("testing.SetClock", {"now": now})

    def counts(self):
        return self.call("Status")["counts"]

    def exists(self, ref):
        r = self.c.call("no.fristvakt.GetCase", {"reference": ref})
        if "error" in r:
            self.assertEqual(r["error"], "no.fristvakt.CaseNotFound", r)
            return False
        return True

    def wait_for(self, what, pred, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            time.sleep(0.05)
        self.fail("no %s within %.0f s; log:\n%s" % (what, timeout, self.d.log_text()[-3000:]))

    def rows(self):
        """What the database holds, table by table (a read-only connection, closed)."""
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        try:
            return {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                    for t in ("cases", "events", "deadlines", "deadline_versions",
                              "reminders", "attempts", "contacts", "audit")}
        finally:
            db.close()

    def raw(self):
        """The bytes of the database file and of its write-ahead log."""
        out = b""
        for suffix in ("", "-wal"):
            path = self.d.database + suffix
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out += f.read()
        return out


class PurgeSetup(RetentionCase):
    """Old closed and withdrawn cases, an open one, a closed one whose § 31 year runs and a
    young closed one, on the test clock (closed_after = 3m); the clock at 00:30 on the day
    the old ones are due to go."""

    SUBST = None

    def register(self, ref, received, **kw):
        p = {"reference": ref, "service": "okonomisk-stonad", "received": received,
             "channel": "written", "handler": "h1", "unit": "u1"}
        p.update(kw)
        return self.call("RegisterApplication", p)["recorded"]

    def setUp(self):
        self.start("3m", subst=self.SUBST)
        # Winter: Oslo is UTC+1.
        self.set_clock("2026-01-05T08:00:00Z")
        first = self.register(OLD_CLOSED, "2026-01-05T08:00:00Z",
                              contact={"email": OLD_EMAIL, "consent": True})
        # A correction: the case's events refer to each other (supersedes).
        self.register(OLD_CLOSED, "2026-01-05T08:00:00Z", handler="h2",
                      supersedes=first["event"])
        self.register(OLD_WITHDRAWN, "2026-01-05T08:00:00Z")
        self.register(OPEN, "2026-01-05T08:00:00Z")
        self.register(DECIDED, "2026-01-05T08:00:00Z")
        # The next morning's reminders go out on the log channel: attempts are recorded.
        due = [d["due"] for d in self.call("GetCase", {"reference": OLD_CLOSED})["deadlines"]
               if d["kind"] == "processing"][0]
        self.set_clock(due + "T07:30:00Z")
        self.wait_for("reminder sent", lambda: self.rows()["attempts"] > 0)
        self.call("CloseCase", {"reference": OLD_CLOSED, "closed": due + "T08:00:00Z"})
        self.call("WithdrawApplication", {"reference": OLD_WITHDRAWN,
                                          "withdrawn": due + "T08:00:00Z"})
        # Decided and closed on the same day, but the § 31 year for a late complaint runs.
        self.call("RecordDecision", {"reference": DECIDED, "made": due + "T08:00:00Z",
                                     "reached": due, "outcome": "avslatt", "written": True,
                                     "reasoned": True})
        self.call("CloseCase", {"reference": DECIDED, "closed": due + "T08:00:00Z"})
        # Closed six weeks later: younger than three months on the day of the purge.
        self.set_clock("2026-03-02T08:00:00Z")
        self.register(YOUNG, "2026-03-02T08:00:00Z",
                      contact={"email": YOUNG_EMAIL, "consent": True})
        self.call("CloseCase", {"reference": YOUNG, "closed": "2026-03-02T08:00:00Z"})
        self.closed_on = due
        # 00:30 on 1 May (CEST: UTC+2), more than three months after the old cases were
        # closed, less after YOUNG: the day's run at 03:00 has not come yet.
        self.set_clock("2026-04-30T22:30:00Z")


class PurgeTest(PurgeSetup):
    """The dry run, the daily run and its audit row, what stays."""

    def quiet_rows(self):
        """rows() once the outbox is quiet: what fell due at the new time (the open case's
        daily overdue reminder) was sent, and nothing is due before 08:00."""
        last = self.rows()
        for _ in range(100):
            time.sleep(0.2)
            now = self.rows()
            if now == last:
                return now
            last = now
        self.fail("the outbox does not settle")

    def test_dry_run_lists_and_changes_nothing_then_the_daily_run_purges(self):
        before = self.quiet_rows()
        p = self.d.cli("purge", "--dry-run", "--lang", "en", check=0)
        self.assertIn(OLD_CLOSED, p.stdout)
        self.assertIn(OLD_WITHDRAWN, p.stdout)
        for ref in (OPEN, DECIDED, YOUNG):
            self.assertNotIn(ref, p.stdout)
        self.assertRegex(p.stdout, r"\b2 cases\b")
        r = self.d.cli_json("purge", "--dry-run")
        self.assertTrue(r["dry_run"])
        self.assertEqual(r["closed_after"], "3m")
        self.assertEqual(sorted((c["reference"], c["state"], c["closed"]) for c in r["cases"]),
                         [(OLD_CLOSED, "closed", self.closed_on),
                          (OLD_WITHDRAWN, "withdrawn", self.closed_on)])
        n = r["counts"]
        self.assertEqual(n["cases"], 2)
        self.assertEqual(n["events"], 5)  # received, its correction, closed; received, withdrawn
        self.assertEqual(n["contacts"], 1)
        self.assertGreater(n["reminders"], 0)
        self.assertGreater(n["attempts"], 0)
        self.assertGreater(n["audit_references"], 0)
        # Nothing changed: not a row, not an audit record.
        self.assertEqual(self.rows(), before)

        # Past 03:00: the daily run purges the old ones.
        self.call("testing.AdvanceClock", {"seconds": 3 * 3600})
        self.wait_for("purge", lambda: not self.exists(OLD_CLOSED))
        self.wait_for("purge", lambda: not self.exists(OLD_WITHDRAWN))
        for ref in (OPEN, DECIDED, YOUNG):
            self.assertTrue(self.exists(ref), ref)
        after = self.rows()
        self.assertEqual(after["cases"], before["cases"] - 2)
        self.assertEqual(after["events"], before["events"] - 5)
        self.assertEqual(after["contacts"], before["contacts"] - 1)
        self.assertLessEqual(after["attempts"], before["attempts"] - n["attempts"])
        self.assertEqual(after["reminders"], before["reminders"] - n["reminders"] - n["notices"])
        self.assertEqual(self.counts()["cases"], after["cases"])

        # The audit row says how many, and names no case.
        audit = self.call("ListAudit", {"limit": 1000})["entries"]
        runs = [a for a in audit if a["method"] == "retention"]
        self.assertEqual(len(runs), 1, audit)
        self.assertIsNone(runs[0]["reference"])
        self.assertEqual(runs[0]["outcome"],
                         "ok cases=2 events=5 deadlines=%d reminders=%d attempts=%d contacts=1 "
                         "audit_references=%d notices=%d"
                         % (n["deadlines"], n["reminders"], n["attempts"],
                            n["audit_references"], n["notices"]))
        refs = {a["reference"] for a in audit}
        self.assertNotIn(OLD_CLOSED, refs)
        self.assertNotIn(OLD_WITHDRAWN, refs)
        self.assertIn(OPEN, refs)
        self.assertEqual(self.call("ListAudit", {"reference": OLD_CLOSED})["entries"], [])

        # Run again by hand: nothing left to purge; audited with the counts.
        p = self.d.cli("purge", "--lang", "en", check=0)
        self.assertRegex(p.stdout, r"\b0 cases\b")
        audit = self.call("ListAudit", {"limit": 1})["entries"]
        self.assertEqual(audit[0]["method"], "no.fristvakt.Purge")
        self.assertTrue(audit[0]["outcome"].startswith("ok cases=0 events=0 "), audit)

    def test_a_party_deadline_still_running_keeps_the_case(self):
        # A year later the § 31 year of the decided case has passed too.
        self.call("testing.AdvanceClock", {"seconds": 3 * 3600})
        self.wait_for("purge", lambda: not self.exists(OLD_CLOSED))
        self.assertTrue(self.exists(DECIDED))
        self.set_clock("2027-02-01T09:00:00Z")
        self.wait_for("purge", lambda: not self.exists(DECIDED))
        self.assertFalse(self.exists(YOUNG))
        self.assertTrue(self.exists(OPEN))


class MissedDutyTest(RetentionCase):
    """A duty the office missed and still owes keeps its case: a complaint never forwarded
    (the forwarding stored missed, not met) stays however old; once forwarded, late, the
    case goes after the period like any other."""

    # The forwarding's overdue reminder once, no escalation: no reminder waits afterwards.
    SUBST = {'{ name = "overdue"; offset = 1; repeat = 1; recipients = ["handler"]; },\n'
             '\t\t\t{ name = "escalation"; offset = 5; repeat = 7; recipients = '
             '["supervisor", "unit"]; }\n\t\t); }\n\t);':
             '{ name = "overdue"; offset = 1; recipients = ["handler"]; }\n\t\t); }\n\t);'}

    def test_a_complaint_never_forwarded_keeps_its_case(self):
        self.start("3m", subst=self.SUBST)
        ref = "2026/KLAG-4716"
        self.set_clock("2026-01-05T08:00:00Z")
        self.call("RegisterApplication", {"reference": ref, "service": "okonomisk-stonad",
                                          "received": "2026-01-05T08:00:00Z",
                                          "channel": "written", "handler": "h1"})
        self.set_clock("2026-01-10T10:00:00Z")
        self.call("RecordDecision", {"reference": ref, "made": "2026-01-10T08:00:00Z",
                                     "reached": "2026-01-10", "outcome": "avslatt",
                                     "written": True, "reasoned": True})
        self.call("CloseCase", {"reference": ref, "closed": "2026-01-10T09:00:00Z"})
        self.set_clock("2026-01-20T10:00:00Z")
        self.call("RecordComplaint", {"reference": ref, "sent": "2026-01-20T08:00:00Z"})
        # Months later, never forwarded: the duty is missed and still owed.
        self.set_clock("2026-09-01T08:00:00Z")
        self.wait_for("the forwarding stored missed", lambda: self.forwarding() == ("missed", None))
        overdue = self.d.cli_json("deadlines", "--overdue")
        self.assertIn(ref, json.dumps(overdue))
        self.assertEqual(self.d.cli_json("purge", "--dry-run")["cases"], [])
        self.assertEqual(self.d.cli_json("purge")["counts"]["cases"], 0)
        self.assertTrue(self.exists(ref))
        # Forwarded at last (late: missed, met): the case goes three months later.
        self.call("ForwardComplaint", {"reference": ref, "forwarded": "2026-09-01T08:00:00Z"})
        self.assertEqual(self.forwarding()[0], "missed")
        self.assertIsNotNone(self.forwarding()[1])
        self.set_clock("2026-12-15T08:00:00Z")
        self.wait_for("purge", lambda: not self.exists(ref))

    def test_a_duty_missed_then_withdrawn_is_owed_no_more(self):
        """Withdrawn after its processing norm and § 11 a month had passed: the breaches
        stay (missed), but nothing is owed any more: no reminder waits, the overdue list
        leaves it out, and the case goes after the period like any other."""
        self.start("3m")
        ref = "2026/TRUKKET-1"
        self.set_clock("2026-01-05T08:00:00Z")
        self.call("RegisterApplication", {"reference": ref, "service": "okonomisk-stonad",
                                          "received": "2026-01-05T08:00:00Z",
                                          "channel": "written", "handler": "h1"})
        self.set_clock("2026-03-01T10:00:00Z")
        self.assertIn(ref, json.dumps(self.d.cli_json("deadlines", "--overdue")))
        self.call("WithdrawApplication", {"reference": ref,
                                          "withdrawn": "2026-03-01T09:00:00Z"})
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        try:
            rows = db.execute("SELECT kind, state, met_on, ended_on FROM deadlines "
                              "WHERE kind IN ('processing', 'preliminary_reply') "
                              "ORDER BY kind").fetchall()
        finally:
            db.close()
        self.assertEqual(rows, [("preliminary_reply", "missed", None, "2026-03-01"),
                                ("processing", "missed", None, "2026-03-01")])
        self.assertNotIn(ref, json.dumps(self.d.cli_json("deadlines", "--overdue")))
        waiting = self.call("ListReminders", {"reference": ref, "state": "pending"})
        self.assertEqual(waiting["reminders"], [])
        # Weeks on: no reminder was sent for it after the withdrawal.
        self.set_clock("2026-04-15T08:00:00Z")
        time.sleep(0.5)
        withdrawn = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.timezone.utc).timestamp()
        sent = self.call("ListReminders", {"reference": ref, "state": "sent"})["reminders"]
        self.assertTrue(sent)  # the overdue reminders before the withdrawal
        later = [r for r in sent if datetime.datetime.fromisoformat(
            r["sent_at"].replace("Z", "+00:00")).timestamp() > withdrawn]
        self.assertEqual(later, [])
        # And after the period it is purged like any other.
        self.set_clock("2026-06-02T08:00:00Z")
        self.wait_for("purge", lambda: not self.exists(ref))
        self.d.cli("check", check=0)

    def test_closing_does_not_end_a_missed_forwarding(self):
        """A complaint never forwarded, then the case closed: the duty to send the complaint
        on (fvl. § 33) is not ended by closing the case. It stays on the overdue list and the
        case is not purged."""
        self.start("3m", subst=self.SUBST)
        ref = "2026/KLAG-LUKKET"
        self.set_clock("2026-01-05T08:00:00Z")
        self.call("RegisterApplication", {"reference": ref, "service": "okonomisk-stonad",
                                          "received": "2026-01-05T08:00:00Z",
                                          "channel": "written", "handler": "h1"})
        self.set_clock("2026-01-10T10:00:00Z")
        self.call("RecordDecision", {"reference": ref, "made": "2026-01-10T08:00:00Z",
                                     "reached": "2026-01-10", "outcome": "avslatt",
                                     "written": True, "reasoned": True})
        self.set_clock("2026-01-20T10:00:00Z")
        self.call("RecordComplaint", {"reference": ref, "sent": "2026-01-20T08:00:00Z"})
        self.set_clock("2026-04-01T08:00:00Z")
        self.call("CloseCase", {"reference": ref, "closed": "2026-04-01T07:00:00Z"})
        self.assertEqual(self.forwarding(), ("missed", None))
        self.assertIn(ref, json.dumps(self.d.cli_json("deadlines", "--overdue")))
        self.set_clock("2026-07-15T08:00:00Z")
        self.assertEqual(self.d.cli_json("purge", "--dry-run")["cases"], [])
        self.assertEqual(self.d.cli_json("purge")["counts"]["cases"], 0)
        self.assertTrue(self.exists(ref))

    def forwarding(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        try:
            return db.execute("SELECT state, met_on FROM deadlines WHERE kind = 'forwarding'"
                              ).fetchone()
        finally:
            db.close()


class RawBytesTest(PurgeSetup):
    """Nothing of a purged case is left in the database file or its write-ahead log: not in
    its own rows, the index, the audit log, nor the daily digests that listed it."""

    # Daily digests to the handlers: they name the cases they list.
    SUBST = {"recipients = [];": 'recipients = ["handler"];'}

    def test_purged_data_is_gone_from_the_file_and_the_wal(self):
        self.assertIn(OLD_CLOSED.encode(), self.raw())
        # The digest of the day OLD_CLOSED was due named it; it is old and sent now.
        self.assertGreater(self.d.cli_json("purge", "--dry-run")["counts"]["notices"], 0)
        self.assertIn(OLD_EMAIL.encode(), self.raw())
        self.call("testing.AdvanceClock", {"seconds": 3 * 3600})
        # Purge answers once the daily run before it is done, the WAL truncated after it.
        r = self.d.cli_json("purge")
        self.assertFalse(r["dry_run"])
        self.assertTrue(r["wal_truncated"], r)
        self.assertFalse(self.exists(OLD_CLOSED))
        raw = self.raw()
        self.assertEqual(os.path.getsize(self.d.database + "-wal"), 0)
        for gone in (OLD_CLOSED, OLD_WITHDRAWN, OLD_EMAIL):
            self.assertNotIn(gone.encode(), raw, "%s is still in the database file" % gone)
        # What stays is found the same way.
        for kept in (OPEN, DECIDED, YOUNG, YOUNG_EMAIL):
            self.assertIn(kept.encode(), raw)
        # The database is whole after the purge: counts, keys, the outbox's invariant.
        self.d.cli("check", check=0)


class ReaderDuringPurgeTest(PurgeSetup):
    """A reader that holds an older snapshot during a purge (a backup, a report, anyone's read
    transaction) keeps the write-ahead log from being truncated: the purge says so, and the
    daemon tries again until it can; then nothing purged is left in the file or the log."""

    def test_the_log_is_truncated_once_the_reader_is_gone(self):
        reader = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True,
                                 isolation_level=None)
        try:
            reader.execute("BEGIN")
            self.assertGreater(reader.execute("SELECT count(*) FROM cases").fetchone()[0], 0)
            self.call("testing.AdvanceClock", {"seconds": 3 * 3600})
            r = self.d.cli_json("purge")  # after the daily run
            self.assertFalse(r["wal_truncated"], r)
            self.assertFalse(self.exists(OLD_CLOSED))
            p = self.d.cli("purge", "--lang", "en", check=0)
            self.assertIn("The write-ahead log still holds what was purged", p.stdout)
            self.assertIn("\nfristvakt_retention_wal_pending 1\n", self.metrics())
            self.assertIn(OLD_CLOSED.encode(), self.raw())
            # Still held a minute later: still there, and the daemon answers meanwhile.
            self.call("testing.AdvanceClock", {"seconds": 60})
            self.assertIn(OLD_CLOSED.encode(), self.raw())
        finally:
            reader.execute("ROLLBACK")
            reader.close()
        # The reader is gone: the next try (every minute; the clock's move kicks it) wins.
        self.call("testing.AdvanceClock", {"seconds": 60})
        self.wait_for("the log truncated", lambda: OLD_CLOSED.encode() not in self.raw())
        raw = self.raw()
        for gone in (OLD_CLOSED, OLD_WITHDRAWN, OLD_EMAIL):
            self.assertNotIn(gone.encode(), raw, "%s is still in the database file" % gone)
        self.assertIn(YOUNG.encode(), raw)
        self.assertIn("the write-ahead log is truncated", self.d.log_text())
        self.assertIn("\nfristvakt_retention_wal_pending 0\n", self.metrics())

    def metrics(self):
        return self.d.cli("metrics", check=0).stdout


class NoRetentionTest(RetentionCase):
    def test_nothing_is_purged_without_the_setting(self):
        self.start(None)
        self.set_clock("2026-01-05T08:00:00Z")
        self.call("RegisterApplication", {"reference": OLD_CLOSED, "service": "okonomisk-stonad",
                                          "received": "2026-01-05", "channel": "written"})
        self.call("CloseCase", {"reference": OLD_CLOSED, "closed": "2026-01-06"})
        for day in ("2027-01-10", "2028-01-10", "2030-06-01"):
            self.set_clock(day + "T09:00:00Z")
            r = self.d.cli_json("purge", "--dry-run")
            self.assertIsNone(r["closed_after"])
            self.assertEqual(r["cases"], [])
        r = self.d.cli_json("purge")
        self.assertEqual(r["counts"]["cases"], 0)
        p = self.d.cli("purge", "--lang", "en", check=0)
        self.assertIn("retention.closed_after is not set: nothing is purged", p.stdout)
        self.assertTrue(self.exists(OLD_CLOSED))
        self.assertNotIn("retention: purged", self.d.log_text())


class RoleTest(RetentionCase):
    def test_purge_needs_the_admin_role(self):
        self.start("3m", subst={'socket_mode = "0660";': 'socket_mode = "0666";',
                                '# { group = "fristvakt"; role = "read"; },':
                                '{ user = "nobody"; role = "write"; }'})
        os.chmod(os.path.dirname(self.d.socket), 0o711)
        r = peer_calls(self, self.d.socket, [["no.fristvakt.Purge", {"dry_run": True}],
                                             ["no.fristvakt.Purge", {}]], 65534, 65534)
        for reply in r:
            self.assertEqual(reply.get("error"), "no.fristvakt.PermissionDenied", reply)
            self.assertEqual(reply["parameters"]["required"], "admin")


class ConfigTest(unittest.TestCase):
    def check(self, value):
        d = Daemon(None, RETENTION % value)
        self.addCleanup(d.cleanup)
        return subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config],
                              capture_output=True, text=True, timeout=30)

    def test_bad_or_too_short_periods_are_refused_with_file_and_line(self):
        with open(os.path.join(SOURCE_DIR, "etc", "fristvakt.conf")) as f:
            line = f.read().count("\n") + 2
        for value, why in (("12x", "must be a period such as \"12m\""),
                           ("1m", "is shorter than three months"),
                           ("90d", "is shorter than three months"),
                           ("12 months", "must be a period")):
            p = self.check(value)
            self.assertNotEqual(p.returncode, 0, value)
            self.assertIn("fristvakt.conf:%d: 'closed_after' \"%s\" %s" % (line, value, why),
                          p.stderr)
        for value in ("12m", "3m", "2y", "92d", "14w"):
            p = self.check(value)
            self.assertEqual(p.returncode, 0, "%s: %s" % (value, p.stderr))


class InterruptedPurgeTest(RetentionCase):
    N = 3000

    def test_sigkill_in_a_large_purge_leaves_no_half_purged_case(self):
        self.start("3m")
        self.set_clock("2026-01-20T09:00:00Z")
        self.bulk()
        per_case = self.per_case()
        self.assertEqual(len(per_case), self.N + 1)
        whole = per_case["BULK-00000"]
        self.assertEqual(whole[0], 2)  # received, closed
        self.assertTrue(all(v == whole for k, v in per_case.items() if k != OPEN))
        pages_before = self.pages()

        # The daily run starts at the new day; kill the daemon in the middle of it.
        self.set_clock("2026-05-01T09:00:00Z")
        left = self.wait_purging()
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait()
        self.assertGreater(left, 1, "the purge ended before it could be interrupted")

        # Each case that is left is whole; the ones that went, went whole.
        per_case = self.per_case()
        self.assertLess(len(per_case), self.N + 1)
        self.assertGreater(len(per_case), 1)
        for ref, v in per_case.items():
            if ref != OPEN:
                self.assertEqual(v, whole, ref)
        rows = self.d.db().execute(
            "SELECT (SELECT count(*) FROM events WHERE case_id NOT IN (SELECT id FROM cases)),"
            " (SELECT count(*) FROM contacts WHERE case_id NOT IN (SELECT id FROM cases))"
        ).fetchone()
        self.assertEqual(rows, (0, 0))
        self.assertEqual(self.d.count_mismatch(), {})
        # Every case that went is audited: the audit row is in the slices' transactions.
        gone = self.N + 1 - len(per_case)
        self.assertEqual(self.audited(), [gone])

        # The next run (after the restart, on the day of the purge) finishes.
        self.d.start()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)
        self.set_clock("2026-05-01T09:00:00Z")
        r = self.d.cli_json("purge")  # waits for the daily run before it
        self.assertTrue(r["wal_truncated"], self.d.log_text()[-3000:])
        self.assertEqual(list(self.per_case()), [OPEN])
        # Two runs, two rows: the killed one's and the one that finished.
        self.assertEqual(self.audited(), [gone, self.N - gone])
        # The pages went back to the file system (a new database: auto_vacuum incremental).
        self.assertLess(os.path.getsize(self.d.database), pages_before * 4096 // 4)
        self.assertEqual(self.pages() * 4096, os.path.getsize(self.d.database))

    def test_sigterm_in_a_purge_answers_it_and_audits_what_went(self):
        self.start("3m")
        self.set_clock("2026-01-20T09:00:00Z")
        self.bulk()
        # 00:30 on 1 May: the day's run has not come; the command purges.
        self.set_clock("2026-04-30T22:30:00Z")
        cli = subprocess.Popen([FRISTVAKT, "--socket", self.d.socket, "--json", "purge"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(cli.wait)
        left = self.wait_purging()
        self.assertEqual(self.d.stop(), 0)
        out, err = cli.communicate(timeout=30)
        self.assertEqual(cli.returncode, 0, err)
        r = json.loads(out)
        gone = r["counts"]["cases"]
        self.assertGreaterEqual(gone, self.N - left)
        self.assertLess(gone, self.N, "the purge ended before the daemon was stopped")
        per_case = self.per_case()
        self.assertEqual(len(per_case), self.N + 1 - gone)
        db = self.d.db()
        try:
            outcome = db.execute("SELECT outcome, case_ref FROM audit WHERE method = "
                                 "'no.fristvakt.Purge'").fetchall()
        finally:
            db.close()
        self.assertEqual(len(outcome), 1)
        self.assertTrue(outcome[0][0].startswith("ok cases=%d events=%d " % (gone, 2 * gone)),
                        outcome)
        self.assertIsNone(outcome[0][1])

    def test_the_purge_waits_for_a_recompute(self):
        self.start("3m")
        self.set_clock("2026-01-20T09:00:00Z")
        self.bulk()
        # No record of the rules the deadlines follow: the start recomputes every case.
        self.assertEqual(self.d.stop(), 0)
        db = self.d.db()
        with db:
            db.execute("DELETE FROM meta WHERE key = 'rules_fingerprint'")
        db.close()
        self.d.start()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)
        self.set_clock("2026-05-01T09:00:00Z")
        # Until the recompute records the rules it followed, not one case is gone: each
        # look is one snapshot of both.
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True,
                             isolation_level=None)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                db.execute("BEGIN")
                done = db.execute("SELECT count(*) FROM meta WHERE key = 'rules_fingerprint'"
                                  ).fetchone()[0]
                left = db.execute("SELECT count(*) FROM cases").fetchone()[0]
                db.execute("COMMIT")
                if done:
                    break
                self.assertEqual(left, self.N + 1, "a case purged during the recompute")
                time.sleep(0.005)
        finally:
            db.close()
        self.d.cli_json("purge")  # after the day's run, which waited for the recompute
        self.assertEqual(list(self.per_case()), [OPEN])
        log = self.d.log_text()
        recomputed = log.find("deadlines recomputed with the rules in force")
        self.assertGreater(recomputed, log.find("computing every case's deadlines"), log[-2000:])
        self.assertLess(recomputed, log.find("retention: purged cases=%d " % self.N), log[-2000:])

    def audited(self):
        """The cases each audit row of the daily run says it purged, in order."""
        db = self.d.db()
        try:
            rows = db.execute("SELECT outcome FROM audit WHERE method = 'retention' "
                              "ORDER BY id").fetchall()
        finally:
            db.close()
        for (outcome,) in rows:
            self.assertRegex(outcome, r"^ok cases=\d+ events=\d+ deadlines=\d+ ")
        return [int(o.split()[1].split("=")[1]) for (o,) in rows]

    def bulk(self):
        """N cases received on 5 January and closed on the 10th (import), and one open."""
        lines = []
        for i in range(self.N):
            ref = "BULK-%05d" % i
            lines.append(json.dumps({"method": "RegisterApplication", "parameters": {
                "reference": ref, "service": "okonomisk-stonad", "received": "2026-01-05",
                "channel": "written", "handler": "h1",
                "contact": {"email": "bulk%05d@example.org" % i, "consent": True}}}))
            lines.append(json.dumps({"method": "CloseCase", "parameters": {
                "reference": ref, "closed": "2026-01-10"}}))
        self.d.cli("import", "-", input="\n".join(lines) + "\n", check=0)
        self.call("RegisterApplication", {"reference": OPEN, "service": "okonomisk-stonad",
                                          "received": "2026-01-06", "channel": "written"})

    def wait_purging(self):
        """Waits until a purge under way has removed a slice or more; the cases left."""
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        deadline = time.monotonic() + 30
        left = self.N + 1
        try:
            while time.monotonic() < deadline:
                left = db.execute("SELECT count(*) FROM cases").fetchone()[0]
                if left <= self.N - 250:
                    break
                time.sleep(0.001)
        finally:
            db.close()
        return left

    def per_case(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        try:
            return {r[0]: tuple(r[1:]) for r in db.execute(
                "SELECT c.ref, (SELECT count(*) FROM events WHERE case_id = c.id),"
                " (SELECT count(*) FROM deadlines WHERE case_id = c.id),"
                " (SELECT count(*) FROM reminders WHERE case_id = c.id),"
                " (SELECT count(*) FROM contacts WHERE case_id = c.id),"
                " (SELECT count(*) FROM deadline_versions WHERE case_id = c.id)"
                " FROM cases c")}
        finally:
            db.close()

    def pages(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.d.database, uri=True)
        try:
            return db.execute("PRAGMA page_count").fetchone()[0]
        finally:
            db.close()


if __name__ == "__main__":
    main()
