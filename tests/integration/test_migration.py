# SPDX-License-Identifier: GPL-3.0-or-later
"""An upgrade from the last release of schema version 5 (commit c49dc3a) to this build,
on a database that release made: data/schema5-release.sql, a `sqlite3 .dump` written by
data/make_schema5.py (which says what each case holds; CI builds no old commit, the dump is
committed).

The dump is loaded into a fresh database file and this build's fristvaktd started on it:
the migrations run at the start (db/006: each deadline keeps only its next reminder per
series). What an operator checks after the upgrade: the schema version and the integrity
check in Status, every case, event and deadline still there with its dates and states,
each deadline's explanation shown as before, the outbox holding one reminder to send per
deadline and recipient (the earliest of those the release had planned), the history of
sent, failed, dead and cancelled reminders and their attempts unchanged, ids included;
then, on the test clock, every next stage arriving on its day, once.

The reminder harness of test_reminders.py (ReminderTestCase) runs the daemon with a
signature-checking webhook receiver as the channel "hook" the release sent to.
"""

import datetime
import json
import os
import sqlite3
import time

import test_daemon
import test_reminders as base
from fvtest import SCHEMA_LATEST, main
from test_cases import roll
from test_reminders import D, DAY, HOUR, OSLO, POLICIES, UTC, local, planned_days

DUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "schema5-release.sql")
# The retry settings make_schema5.py ran the release with (its failed reminder is due again
# a minute after the dump's last clock time).
RETRY = {"first": 60, "factor": 200, "max_interval": 1800, "give_up": 7200}
# The last time on the release's test clock (make_schema5.py): 08:00 on 19 January 2040.
DUMP_END = local(D(2040, 1, 19))
# Tables a migration to 6 leaves as they were (deadlines lose a column, reminders rows).
KEPT_TABLES = ("cases", "contacts", "events", "audit", "attempts", "deadline_versions",
               "channel_health", "disabled_channels")
TO_SEND = ("pending", "failed")
# The emergency policy of nødhjelp (etc/fristvakt.conf): (stage, hours, repeat_hours,
# offset, repeat)
NODHJELP = [("now", 0, 0, None, 0), ("hours", 3, 3, None, 0), ("overdue", None, 0, 1, 1)]


def load_dump(path):
    """A database file at path holding the dump (the directory and file modes the daemon
    gives its own)."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(DUMP) as f:
        text = f.read()
    db = sqlite3.connect(path)
    db.executescript(text)
    db.close()
    os.chmod(path, 0o600)


def rows(db, table, order="1, 2, 3"):
    return db.execute("SELECT * FROM %s ORDER BY %s" % (table, order)).fetchall()


def columns(db, table):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]


def series_of(r):
    """A reminder row's series: its case, kind, subject and recipient (staff or applicant)."""
    return (r["case_id"], r["kind"], r["subject"], r["recipient"])


class ReleaseDatabaseTest(base.ReminderTestCase):
    """The release's database, migrated at the first start of this build."""

    def setUp(self):
        self.old = sqlite3.connect(":memory:")
        self.old.row_factory = sqlite3.Row
        with open(DUMP) as f:
            self.old.executescript(f.read())
        self.addCleanup(self.old.close)
        self.assertEqual(self.old.execute("PRAGMA user_version").fetchone()[0], 5)
        self.refs = {r["id"]: r["ref"] for r in rows(self.old, "cases")}

    def start_on_dump(self):
        """This build's daemon on the dump: the migrations run before READY. Returns once
        a recompute of every case, if the start began one, has ended."""
        # The dump's dates must lie ahead of the wall clock, on which the daemon starts.
        self.assertLess(datetime.datetime.now(OSLO), local(D(2040, 1, 9), "00:00"),
                        "the dump's dates have passed: make it again with later dates")
        self.start(retry=RETRY, prepare=lambda d: load_dump(d.database))
        # The rules and reminder policy here are those the release ran with, and nothing
        # is recomputed. Once the shipped rules or policy change, the daemon recomputes
        # every case after READY (which must plan nothing where a series has a reminder
        # waiting): the checks begin when it is done.
        if "the rules changed" in self.d.log_text():
            deadline = time.monotonic() + 20
            while "deadlines recomputed with the rules in force" not in self.d.log_text():
                self.assertLess(time.monotonic(), deadline, "the recompute did not end")
                time.sleep(0.05)
        return self.d

    def new_db(self):
        db = self.d.db()
        db.row_factory = sqlite3.Row
        self.addCleanup(db.close)
        return db

    def expected_outbox(self):
        """The release's reminders as the migration should leave them: of each series'
        reminders still to send the earliest (not_before, then id) stays, the others go;
        every other row stays as it was."""
        old = rows(self.old, "reminders", "id")
        keep = {}
        for r in old:
            if r["case_id"] is not None and r["state"] in TO_SEND:
                k = series_of(r)
                if k not in keep or (r["not_before"], r["id"]) < keep[k]:
                    keep[k] = (r["not_before"], r["id"])
        kept_ids = {i for _, i in keep.values()}
        return [tuple(r) for r in old if r["case_id"] is None or r["state"] not in TO_SEND
                or r["id"] in kept_ids]

    # ---------------------------------------------------------------------------------

    def test_a_reminder_with_an_aborted_attempt_stays(self):
        """A later stage whose transfer was aborted (its channel disabled by a 410 during
        the transfer: an attempt recorded, the reminder's count of attempts still 0) keeps
        its row and its id, since the receiver may have got it; the migration does not
        trip over its attempt."""
        found = {}

        def prepare(d):
            load_dump(d.database)
            db = sqlite3.connect(d.database)
            rid = db.execute("SELECT r.id FROM reminders r JOIN cases c ON c.id = r.case_id "
                             "WHERE c.ref = 'REL5/1' AND r.kind = 'processing' AND "
                             "r.stage = 'due' AND r.attempts = 0").fetchone()[0]
            db.execute("INSERT INTO attempts (reminder_id, at, channel, outcome, error) "
                       "VALUES (?, ?, 'hook', 'aborted', 'the channel was disabled')",
                       (rid, int(DUMP_END.timestamp())))
            db.commit()
            db.close()
            found["id"] = rid

        self.assertLess(datetime.datetime.now(OSLO), local(D(2040, 1, 9), "00:00"),
                        "the dump's dates have passed: make it again with later dates")
        self.start(retry=RETRY, prepare=prepare)
        self.assertEqual(self.call("Status")["schema_version"], SCHEMA_LATEST)
        r = self.new_db().execute("SELECT state, attempts FROM reminders WHERE id = ?",
                                  (found["id"],)).fetchone()
        self.assertEqual(tuple(r), ("pending", 0))

    def test_upgrade_keeps_the_register_and_the_next_reminder_of_each_series(self):
        """After the upgrade: Status shows the latest schema and a passed integrity check;
        every case, event, deadline, attempt and audit line of the release is there,
        unchanged; each series holds one reminder to send, the earliest the release had
        planned, with its id; what was sent, failed, given up or cancelled is untouched;
        GetCase explains each deadline as the release did; Status counts what is stored."""
        self.start_on_dump()
        s = self.call("Status")
        self.assertEqual(s["schema_version"], SCHEMA_LATEST)
        self.assertEqual(SCHEMA_LATEST, 7)
        # The check ran before the migration (a migration never builds on a damaged file).
        self.assertEqual(s["integrity"], "ok")
        self.assertEqual(s["installation"], self.old.execute(
            "SELECT value FROM meta WHERE key = 'installation'").fetchone()[0])
        self.assertIn("at schema version 7", self.d.log_text())
        new = self.new_db()

        # The register, the history of deliveries and the audit trail: every row as it was.
        for table in KEPT_TABLES:
            self.assertEqual([tuple(r) for r in rows(new, table)],
                             [tuple(r) for r in rows(self.old, table)], table)
        self.assertEqual((s["counts"]["cases"], s["counts"]["events"], s["counts"]["deadlines"]),
                         (6, 7, 14))
        # Deadlines: the same but for the stored explanation, which is gone (their row ids
        # are the store's own: a recompute replaces a case's rows).
        self.assertIn("explanation", columns(self.old, "deadlines"))
        self.assertNotIn("explanation", columns(new, "deadlines"))
        # ended_on (007) is new: no duty of the release's cases was missed and then ended.
        self.assertEqual(new.execute("SELECT count(*) FROM deadlines WHERE ended_on IS NOT NULL")
                         .fetchone()[0], 0)
        cols = ", ".join(c for c in columns(new, "deadlines") if c not in ("id", "ended_on"))
        query = "SELECT %s FROM deadlines ORDER BY case_id, kind, subject" % cols
        self.assertEqual([tuple(r) for r in new.execute(query)],
                         [tuple(r) for r in self.old.execute(query)])
        # A few of them as a case worker reads them.
        b = self.get_case("REL5/2")
        self.assertEqual(self.deadline(b, "processing")["due"], "2040-01-23")
        self.assertEqual(roll(D(2040, 1, 9) + 14 * DAY), D(2040, 1, 23))
        self.assertEqual(self.deadline(b, "processing")["state"], "open")
        c = self.get_case("REL5/3")
        self.assertTrue(c["case"]["has_contact"])
        self.assertEqual([(d["kind"], d["state"], d["due"], d["met_on"]) for d in
                          sorted(c["deadlines"], key=lambda d: d["kind"])],
                         [("complaint", "open", roll(D(2040, 1, 18) + 21 * DAY).isoformat(),
                           None),
                          ("late_complaint", "open", "2041-01-18", None),
                          ("preliminary_reply", "met", "2040-02-20", "2040-01-18"),
                          ("processing", "met", "2040-02-01", "2040-01-18")])
        self.assertEqual([e["type"] for e in c["events"]], ["received", "decision"])
        e = self.get_case("REL5/5")
        self.assertEqual(e["case"]["service"], "nodhjelp")
        self.assertEqual(self.deadline(e, "processing")["due"], "2040-01-20")

        # Each deadline's explanation is computed now, and says what the release stored.
        for case_id, ref in self.refs.items():
            shown = {(d["kind"], d["subject"]): d for d in self.get_case(ref)["deadlines"]}
            stored = self.old.execute("SELECT kind, subject, explanation FROM deadlines "
                                      "WHERE case_id = ?", (case_id,)).fetchall()
            self.assertEqual(sorted(shown), sorted((k, s) for k, s, _ in stored), ref)
            for kind, subject, text in stored:
                was = json.loads(text)
                now = shown[(kind, subject)]
                self.assertTrue(now["text"], (ref, kind))
                self.assertEqual({k: now.get(k) for k in was}, was, (ref, kind))

        # The outbox: one reminder to send per series, the earliest; nothing else changed but
        # what 007's recompute of every case at the first start adds: the stage after a
        # reminder being retried (which does not hold it back), never tried yet.
        got = [tuple(r) for r in rows(new, "reminders", "id")]
        expected = self.expected_outbox()
        self.assertEqual([r for r in got if r in expected], expected)
        retried = {(r[1], r[2], r[3], r[6]) for r in expected if r[10] == "failed"}
        for r in got:
            if r not in expected:
                self.assertIn((r[1], r[2], r[3], r[6]), retried, r)
                self.assertEqual((r[10], r[13]), ("pending", 0), r)
        to_send = {}
        for r in rows(new, "reminders", "id"):
            if r["case_id"] is not None and r["state"] in TO_SEND:
                to_send.setdefault(series_of(r), []).append(
                    (self.refs[r["case_id"]], r["kind"], r["recipient"], r["stage"], r["state"]))
        # One to send per series, or one being retried and the stage after it.
        self.assertTrue(all(len(v) == 1 or sorted(x[4] for x in v) == ["failed", "pending"]
                            for v in to_send.values()), to_send)
        self.assertEqual(sorted(x for v in to_send.values() for x in v), sorted([
            ("REL5/6", "processing", "", "due", "pending"),
            ("REL5/1", "processing", "", "before-3", "pending"),
            ("REL5/1", "preliminary_reply", "", "before-5", "pending"),
            ("REL5/2", "processing", "", "due", "pending"),
            ("REL5/2", "preliminary_reply", "", "before-5", "pending"),
            ("REL5/3", "complaint", "", "before-7", "pending"),
            ("REL5/3", "complaint", "applicant", "before-7", "pending"),
            ("REL5/4", "processing", "", "due", "pending"),
            ("REL5/4", "preliminary_reply", "", "before-5", "pending"),
            ("REL5/5", "processing", "", "hours", "pending"),
            ("REL5/5", "preliminary_reply", "", "before-5", "pending"),
            ("REL5/6", "processing", "", "before-3", "failed"),
            ("REL5/6", "preliminary_reply", "", "before-5", "pending")]))
        # Every series the release had something to send in still has one (none lost).
        self.assertEqual(set(to_send), {series_of(r) for r in rows(self.old, "reminders")
                                        if r["case_id"] is not None and r["state"] in TO_SEND})
        # As ListReminders and GetReminder show them: the same ids and states, the failed
        # one with its attempt, the dead one with its seven and the notice about it.
        listed = {x["id"]: x["state"] for x in self.reminders()}
        self.assertEqual(listed, {r["id"]: r["state"] for r in rows(new, "reminders")})
        failed = self.reminder(17)
        self.assertEqual((failed["reminder"]["reference"], failed["reminder"]["stage"],
                          failed["reminder"]["state"], failed["reminder"]["attempts"]),
                         ("REL5/6", "before-3", "failed", 1))
        self.assertEqual([(a["outcome"], a["code"]) for a in failed["attempts"]],
                         [("retry", 500)])
        dead = self.reminder(9)
        self.assertEqual((dead["reminder"]["reference"], dead["reminder"]["state"]),
                         ("REL5/4", "dead"))
        self.assertEqual([a["outcome"] for a in dead["attempts"]], ["retry"] * 7)
        notice = [x for x in self.reminders() if x["kind"] == "admin"]
        self.assertEqual([(x["stage"], x["recipient"], x["state"]) for x in notice],
                         [("dead", "reminder:9", "sent")])
        # 12 pending: the 11 of the series, and the stage after the one being retried.
        self.assertEqual(s["reminders"], {"pending": 12, "failed": 1, "sent": 3, "dead": 1,
                                          "cancelled": 8, "template_fallbacks": 0,
                                          "notices_to_log": 0, "held": 0})

        # The schema: the index of a case's reminders and the JSON checks are gone.
        self.assertIsNone(new.execute("SELECT 1 FROM sqlite_schema WHERE name = "
                                      "'reminders_case'").fetchone())
        for table in ("events", "reminders"):
            self.assertNotIn("json_valid", new.execute(
                "SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0])
        self.assertEqual(new.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(new.execute("PRAGMA foreign_key_check").fetchall(), [])
        test_daemon.LifecycleTest.check_counts(self)
        # Nothing of 2040 was sent on the wall clock.
        self.assertEqual(self.hook.quiet(0.3), [])
        self.assertEqual(self.hook.all(), [])

    # ---------------------------------------------------------------------------------

    def expected_messages(self, end):
        """{(ref, kind, stage, occurrence, recipient): planned instant} of every reminder
        the shipped policies call for from DUMP_END through end, for the deadlines still
        awaited, without those the release already sent or gave up on. Computed here
        from the dump's cases and due dates with the test's own calendar."""
        done = {(self.refs[r["case_id"]], r["kind"], r["stage"], r["occurrence"], r["recipient"])
                for r in rows(self.old, "reminders")
                if r["case_id"] is not None and r["state"] in ("sent", "dead")}
        out = {}
        for d in self.old.execute("SELECT d.case_id, d.kind, d.due, c.service, c.received, "
                                  "EXISTS (SELECT 1 FROM contacts WHERE case_id = c.id) "
                                  "FROM deadlines d JOIN cases c ON c.id = d.case_id "
                                  "WHERE d.state = 'open'"):
            case_id, kind, due, service, received, contact = d
            ref, due = self.refs[case_id], D.fromisoformat(due)
            if kind not in POLICIES and not (kind == "processing" and service == "nodhjelp"):
                continue      # late_complaint: no policy
            found = []
            if kind == "processing" and service == "nodhjelp":
                start = datetime.datetime.fromtimestamp(received, UTC)
                day_end = local(due + DAY, "00:00")
                for stage, hours, rep_h, offset, rep in NODHJELP:
                    if hours is not None:
                        at = start + hours * HOUR
                        while at < day_end:
                            found.append((stage, at.strftime("%Y-%m-%dT%H:%M:%SZ"), "", at))
                            if not rep_h:
                                break
                            at += rep_h * HOUR
                    else:
                        day = due + offset * DAY
                        while local(day) <= end:
                            found.append((stage, day.isoformat(), "", local(day)))
                            day += rep * DAY
            else:
                until = end.astimezone(OSLO).date()
                for roles, recipient in ((("handler", "unit", "supervisor"), ""),
                                         (("applicant",), "applicant")):
                    if recipient and not contact:
                        continue
                    for day, stage, _ in planned_days(kind, due, until, roles):
                        found.append((stage, day.isoformat(), recipient, local(day)))
            for stage, occurrence, recipient, at in found:
                key = (ref, kind, stage, occurrence, recipient)
                if DUMP_END <= at <= end and key not in done:
                    out[key] = at
        return out

    def test_next_stages_come_once_each(self):
        """From the release's last clock time to the complaint deadline of REL5/3 (8
        February 2040), day by day at send_time and every three hours of the emergency's
        hours stage: every stage the policies call for arrives on its day at its time, once
        (one request per reminder, ids unique, the kept reminders with the ids the release
        gave them); the failed one is retried with its id; what the release sent or gave
        up on is not sent again; each series holds one reminder to send at a time."""
        self.start_on_dump()
        end = local(D(2040, 2, 8))
        steps = {DUMP_END + datetime.timedelta(minutes=2)}
        day = DUMP_END.date()
        while local(day) <= end:
            steps.add(local(day))
            day += DAY
        at = local(D(2040, 1, 19), "09:00")
        while at < local(D(2040, 1, 21), "00:00"):
            steps.add(at)
            at += 3 * HOUR
        for at in sorted(steps):
            self.set_clock(at)
            self.settle()
            # One reminder waiting for its first attempt per series at any time (one being
            # retried does not hold back the stage after it, which 007's recompute of every
            # case at the first start plans at once).
            db = self.d.db()
            db.row_factory = sqlite3.Row
            waiting = [series_of(r) for r in rows(db, "reminders")
                       if r["case_id"] is not None and r["state"] in TO_SEND and
                       r["attempts"] == 0]
            db.close()
            self.assertEqual(len(waiting), len(set(waiting)), at)

        reqs = self.hook.all()
        self.assertEqual([q.status for q in reqs], [200] * len(reqs))
        # Each reminder once, with its own id.
        ids = [q.body["reminder_id"] for q in reqs]
        self.assertEqual(len(ids), len(set(ids)), sorted(ids))
        self.assertEqual(len({q.webhook_id for q in reqs}), len(reqs))
        for q in reqs:
            self.assertEqual(q.webhook_id, self.mid(q.body["reminder_id"]))
        new = {r["id"]: r for r in rows(self.new_db(), "reminders")}
        got = {}
        for q in reqs:
            r = new[q.body["reminder_id"]]
            self.assertEqual(r["state"], "sent", q)
            self.assertEqual((q.body["case_reference"], q.body["deadline"]["kind"],
                              q.body["stage"]), (self.refs[r["case_id"]], r["kind"], r["stage"]))
            self.assertEqual(r["recipient"] == "applicant",
                             [x["role"] for x in q.body["recipients"]] == ["applicant"], q)
            got[(self.refs[r["case_id"]], r["kind"], r["stage"], r["occurrence"],
                 r["recipient"])] = q
        want = self.expected_messages(end)
        self.assertEqual(sorted(got), sorted(want))
        # On time: at the planned instant (the clock stood there), not before; the failed
        # one at its retry.
        for key, q in got.items():
            planned = want[key]
            if key[:3] == ("REL5/6", "processing", "before-3"):
                planned += datetime.timedelta(minutes=2)
            self.assertGreaterEqual(q.daemon_time, planned.timestamp(), key)
            self.assertLess(q.daemon_time, planned.timestamp() + 60, key)
        # The reminders the migration kept went out with the ids the release gave them.
        kept = {r[0] for r in self.expected_outbox() if r[1] is not None and r[10] in TO_SEND}
        sent_kept = {q.body["reminder_id"] for q in reqs} & kept
        self.assertEqual(sent_kept, {2, 10, 17, 34, 35, 40, 46, 13, 21, 5})
        self.assertEqual(self.reminder(17)["reminder"]["attempts"], 2)
        # Nothing the release sent or gave up on went out again.
        self.assertFalse({q.body["reminder_id"] for q in reqs} & {1, 9, 25, 39})
        self.assertEqual(len(reqs), len(want))


if __name__ == "__main__":
    main()
