# SPDX-License-Identifier: GPL-3.0-or-later
"""What integrators and operators hit in delivery, through the real daemon with
a signature-checking webhook receiver and an SMTP server on 127.0.0.1: message ids unique
across installations, the real time on the wire under the test clock, repeating stages
that keep their series, and messages that say what is true when they are sent.

ReminderTestCase (test_reminders.py) starts the daemon with the receivers and the test
clock.
"""

import datetime
import email.utils
import os
import re
import shutil
import socket
import threading
import time

import test_reminders as base
from fvtest import SCHEMA_LATEST, Daemon, main
from receivers import Answer, reminder_subst, webhook_channel, write_secret
from test_reminders import D, DAY, MAIL_ADDRESSES, OSLO, local, rfc, roll


class DeliveryTestCase(base.ReminderTestCase):
    """The reminder harness (case_with_before3, wait_state) for the delivery tests."""


# --------------------------------------------------------------------------------------
# 1. Ids unique across installations

class InstallationIdTest(DeliveryTestCase):
    def test_two_installations_never_share_an_id(self):
        """Two daemons, each with a new database, send reminder 1 for the same case to the
        same receiver: the webhook-ids differ (a receiver that drops repeats by id keeps
        both), and each carries its database's installation id."""
        self.start()
        first = self.d
        inst1 = self.inst
        day = self.case_with_before3("2026/1201", handler="kari")
        self.set_clock(local(day))
        self.hook.wait_delivered(1)
        self.settle()
        # A second installation, its own database, the same receiver and secret.
        second = Daemon()
        self.addCleanup(second.cleanup)
        path, _ = write_secret(second.dir, secret=self.secrets[0])
        second.write_config(reminder_subst(
            channels=[webhook_channel("hook", self.hook.url, path)], channel="hook",
            retry=True))
        second.start()
        c2 = second.connect()
        self.addCleanup(c2.close)
        inst2 = self.call("Status", conn=c2)["installation"]
        self.assertNotEqual(inst1, inst2)
        for inst in (inst1, inst2):
            self.assertRegex(inst, r"^[0-9a-f]{32}$")
        self.call("testing.SetClock", {"now": rfc(local(D(2026, 3, 2), "07:00"))}, conn=c2)
        self.call("RegisterApplication", {"reference": "2026/1201", "service": "okonomisk-stonad",
                                          "received": rfc(local(D(2026, 3, 2), "07:00")),
                                          "channel": "written", "handler": "kari"}, conn=c2)
        self.call("testing.SetClock", {"now": rfc(local(day))}, conn=c2)
        self.hook.wait_delivered(2)
        reqs = self.hook.delivered()
        self.assertEqual([q.body["reminder_id"] for q in reqs], [1, 1])
        self.assertEqual(len({q.webhook_id for q in reqs}), 2, reqs)
        self.assertEqual(reqs[0].webhook_id, "fristvakt-reminder-1.%s" % inst1)
        self.assertEqual(reqs[1].webhook_id, "fristvakt-reminder-1.%s" % inst2)
        self.assertEqual(first, self.d)

    def test_same_id_across_retry_restart_and_restore(self):
        """A reminder keeps its id across a failed attempt, a restart, and a restore of the
        database file into another directory (the same installation)."""
        self.start(hook_default=500, retry={"give_up": 30 * 86400})
        # Dates ahead of the real ones: after a restart, on the wall clock, nothing is due
        # until the test clock moves again.
        received = datetime.datetime.now(OSLO).date() + 2 * DAY
        received += (7 - received.weekday()) % 7 * DAY        # a Monday
        day = self.case_with_before3("2026/1202", received=received, handler="kari")
        self.set_clock(local(day))
        self.hook.wait_requests(1)
        self.settle()
        rid = self.reminders(state="failed")[0]["id"]
        inst = self.inst
        self.restart()
        self.assertEqual(self.call("Status")["installation"], inst)
        self.set_clock(local(day, "10:00"))
        self.hook.wait_requests(2)
        self.settle()
        # A restore: the database copied (the daemon stopped) into a new installation
        # directory keeps its installation id.
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        restored = Daemon()
        self.addCleanup(restored.cleanup)
        os.makedirs(os.path.dirname(restored.database), exist_ok=True)
        shutil.copy(self.d.database, restored.database)
        path, _ = write_secret(restored.dir, secret=self.secrets[0])
        restored.write_config(reminder_subst(
            channels=[webhook_channel("hook", self.hook.url, path)], channel="hook",
            retry=True))
        self.hook.set_default(200)
        restored.start()
        self.d = restored
        self.connect_case()
        self.assertEqual(self.call("Status")["installation"], inst)
        self.set_clock(local(day, "12:00"))
        self.wait_state(rid, "sent")
        mine = [q for q in self.hook.all() if q.body["reminder_id"] == rid]
        self.assertEqual({q.webhook_id for q in mine}, {"fristvakt-reminder-%d.%s" % (rid, inst)})
        self.assertGreaterEqual(len(mine), 3)

    def test_existing_database_gets_one_at_migration(self):
        """A database of schema version 2 (long before installation ids, which came with 5)
        gets one when it is migrated, and keeps it from then on."""
        self.start()
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        db = self.d.db()
        # Schema version 2: what 004 (deadline versions), 005, 006 and 007 changed undone (003
        # and 006 edited CHECK constraints, which stay as they are).
        db.execute("DROP TABLE deadline_versions")
        db.execute("DELETE FROM meta WHERE key = 'installation'")
        db.execute("DELETE FROM counts WHERE name = 'notices_to_log'")
        db.execute("DROP TABLE channel_health")
        db.execute("DELETE FROM counts WHERE name LIKE 'channel.%'")
        db.execute("DROP TRIGGER IF EXISTS reminders_channel_recounted")
        db.execute("DROP TRIGGER IF EXISTS reminders_channel_uncounted")
        # And 006: the explanations (stand-ins) and the index of a case's reminders.
        db.execute("ALTER TABLE deadlines ADD COLUMN explanation TEXT NOT NULL DEFAULT '{}'")
        db.execute("CREATE INDEX reminders_case ON reminders (case_id, state)")
        # And 007: the counts of cases no longer open and of deadlines, the triggers.
        db.execute("DELETE FROM counts WHERE name LIKE 'cases.%' OR name LIKE 'deadlines.%'")
        for trigger in ("cases_state_recounted", "cases_state_uncounted", "fallbacks_uncounted",
                        "deadlines_recounted"):
            db.execute("DROP TRIGGER %s" % trigger)
        db.execute("PRAGMA user_version = 2")
        db.commit()
        db.close()
        self.d.start()
        self.connect_case()
        s = self.call("Status")
        self.assertEqual(s["schema_version"], SCHEMA_LATEST)
        self.assertRegex(s["installation"], r"^[0-9a-f]{32}$")
        self.assertNotEqual(s["installation"], self.inst)
        self.restart()
        self.assertEqual(self.call("Status")["installation"], s["installation"])


# --------------------------------------------------------------------------------------
# 2. The real time on the wire

class RealTimeTest(DeliveryTestCase):
    def test_webhook_timestamp_and_mail_date_are_real(self):
        """The test clock most of a year ahead: webhook-timestamp and Date are the real time
        (within a minute), the signature verifies over it (the receiver refuses a
        timestamp more than five minutes off, as the Standard Webhooks verifiers do), and
        Status's uptime is real time."""
        self.start(smtp=True, addresses=MAIL_ADDRESSES)
        day = self.case_with_before3("2026/1203", received=D(2027, 9, 6), handler="kari")
        self.set_clock(local(day))
        self.hook.wait_delivered(1)
        self.settle()
        q = self.hook.delivered()[0]
        self.assertLess(abs(q.timestamp - time.time()), 60)
        self.assertEqual(self.hook.failures, [])
        s = self.call("Status")
        self.assertGreater(s["clock_offset"], 200 * 86400)
        self.assertLess(s["uptime_seconds"], 600)
        self.assertGreaterEqual(s["uptime_seconds"], 0)
        self.c.close()

    def test_mail_date_is_real(self):
        self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        day = self.case_with_before3("2026/1204", received=D(2027, 9, 6), handler="kari")
        self.set_clock(local(day))
        mails = self.smtp.wait_accepted(1)
        date = email.utils.parsedate_to_datetime(str(mails[0].message["Date"]))
        self.assertLess(abs(date.timestamp() - time.time()), 60)



# --------------------------------------------------------------------------------------
# 3, 4. Repeating stages keep their series

class RepeatTest(DeliveryTestCase):
    """Økonomisk stønad received Monday 2 March 2026: processing due Monday 16 March; the
    daily "overdue" stage starts on the 17th."""

    DUE = D(2026, 3, 16)

    def overdue(self, state=None):
        return [x for x in self.reminders(reference="2026/1230")
                if x["kind"] == "processing" and x["stage"] == "overdue"
                and (state is None or x["state"] == state)]

    def test_retry_of_a_pending_occurrence_keeps_the_series(self):
        """`reminders retry` on the pending occurrence of the 18th (sent early on the 17th)
        plans the 19th: the series goes on from the occurrence, not from now."""
        self.start()
        self.case_with_before3("2026/1230", handler="kari")
        self.set_clock(local(self.DUE + DAY))
        # Only the overdue of the 17th: before-3 and due are outdated (§ 7).
        self.hook.wait_delivered(1)
        self.settle()
        self.set_clock(local(self.DUE + DAY, "10:00"))
        pending = self.overdue("pending")
        self.assertEqual([x["occurrence"] for x in pending], ["2026-03-18"])
        n = len(self.hook.delivered())
        p = self.d.cli("--lang", "en", "reminders", "retry", str(pending[0]["id"]), check=0)
        self.assertIn("will be sent again now", p.stdout)
        self.hook.wait_delivered(n + 1)
        self.settle()
        self.assertEqual(self.reminder(pending[0]["id"])["reminder"]["state"], "sent")
        self.assertEqual([x["occurrence"] for x in self.overdue("pending")], ["2026-03-19"])
        # And it goes out on the 19th.
        self.set_clock(local(self.DUE + 3 * DAY))
        self.hook.wait_delivered(n + 2)
        self.settle()
        self.assertEqual(self.hook.delivered()[-1].body["stage"], "overdue")

    def test_a_dead_occurrence_does_not_stop_the_series(self):
        """The receiver refuses every "overdue" message: the occurrence of the 17th goes
        dead after the retry schedule (give_up 600 s), and the next occurrence is planned
        all the same (the deadline is still open)."""
        self.start()
        self.hook.set_rule(lambda b: 500 if b.get("stage") == "overdue" else None)
        self.case_with_before3("2026/1230", handler="kari")
        self.set_clock(local(self.DUE + DAY))
        self.settle()
        for _ in range(12):
            self.call("testing.AdvanceClock", {"seconds": 60})
            self.settle()
            if self.overdue("dead"):
                break
        self.assertEqual([x["occurrence"] for x in self.overdue("dead")], ["2026-03-17"])
        self.assertEqual([x["occurrence"] for x in self.overdue("pending")], ["2026-03-18"])
        # The series goes on with the receiver back.
        self.hook.set_rule(None)
        self.set_clock(local(self.DUE + 2 * DAY))
        self.hook.wait_delivered(1)
        self.settle()
        self.assertEqual(self.overdue("sent")[0]["occurrence"], "2026-03-18")
        self.assertEqual([x["occurrence"] for x in self.overdue("pending")], ["2026-03-19"])



# --------------------------------------------------------------------------------------
# 9. E-mail conventions

class MailConventionsTest(DeliveryTestCase):
    def test_headers_and_one_subject_prefix_per_case(self):
        """Every mail of a case: header lines within RFC 5322's 78 octets and RFC 2047's 76
        where they hold encoded words (the Subject's first line included), the same
        "[fristvakt REF] " subject prefix whatever the stage, and the headers that stop
        auto-replies."""
        self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        ref = "2026/1290"
        day = self.case_with_before3(ref, handler="kari", unit="nav-sentrum")
        self.set_clock(local(day))
        self.smtp.wait_accepted(1)
        self.set_clock(local(roll(D(2026, 3, 16))))
        mails = self.smtp.wait_accepted(2)      # before-3 and due of the processing deadline
        self.settle()
        subjects = set()
        for m in mails:
            head = m.raw.split(b"\r\n\r\n", 1)[0]
            for line in head.split(b"\r\n"):
                # A msg-id is one token that cannot be folded: within 998 (RFC 5322).
                one_token = re.match(rb"(Message-ID|In-Reply-To|References): <[^ ]*>$", line)
                self.assertLessEqual(len(line), 76 if b"=?" in line else
                                     998 if one_token else 78, line)
            self.assertTrue(re.search(rb"\r\nSubject: =\?UTF-8\?B\?", head), head)
            msg = m.message
            subject = str(msg["Subject"])
            self.assertTrue(subject.startswith("[fristvakt %s] " % ref), subject)
            subjects.add(subject)
            self.assertEqual(msg["Auto-Submitted"], "auto-generated")
            self.assertEqual(msg["X-Auto-Response-Suppress"], "All")
            self.assertEqual(msg["Precedence"], "bulk")
        self.assertGreaterEqual(len(subjects), 2)



# --------------------------------------------------------------------------------------
# 7. A reminder sent late says what is true when it is sent

class LateTest(DeliveryTestCase):
    DUE = D(2026, 3, 16)

    def test_outdated_stages_are_recorded_not_sent(self):
        """The clock jumps from before the "before-3" day (11 March) to the day after the
        due date: "before-3" and "due" are not sent ("Dager igjen: -1", "går ut i dag"
        would be false) but cancelled with the reason; "overdue" goes out and says one
        day overdue."""
        self.start()
        self.case_with_before3("2026/1270", handler="kari")
        self.set_clock(local(self.DUE + DAY))
        self.hook.wait_delivered(1)
        self.settle()
        time.sleep(0.3)
        stages = [q.body["stage"] for q in self.hook.all()]
        self.assertEqual(stages, ["overdue"])
        q = self.hook.all()[0]
        self.assertNotIn("Dager igjen: -", q.body["message_text"])
        mine = {x["stage"]: x for x in self.reminders(reference="2026/1270")
                if x["kind"] == "processing" and x["occurrence"] <= "2026-03-17"}
        for stage in ("before-3", "due"):
            self.assertEqual(mine[stage]["state"], "cancelled", mine[stage])
            self.assertIn("not sent: the deadline was due 2026-03-16", mine[stage]["last_error"])
            self.assertEqual(self.reminder(mine[stage]["id"])["attempts"], [])
        self.assertEqual(mine["overdue"]["state"], "sent")

    def test_a_day_late_renders_for_that_day(self):
        """Sent a day after its day (12 March, not 11), "before-3" says the days left on
        the day it goes out: 4."""
        self.start()
        self.case_with_before3("2026/1271", handler="kari")
        self.set_clock(local(D(2026, 3, 12)))
        q = self.hook.wait_delivered(1)[0]
        self.assertEqual(q.body["stage"], "before-3")
        self.assertIn("Dager igjen: 4\n", q.body["message_text"])



# --------------------------------------------------------------------------------------
# 5, 10, 11. A 410 stops the channel at once; channel health; the health check

class ChannelHealthTest(DeliveryTestCase):
    N = 8

    def cases_due_together(self):
        """N cases whose "before-3" reminders fall due at the same moment; returns it."""
        for i in range(self.N):
            day = self.case_with_before3("2026/15%02d" % i, handler="h%d" % i)
        return local(day)

    def channel(self, name):
        rows = {c["name"]: c for c in self.call("ListChannels")["channels"]}
        return rows[name]

    def check(self, *args):
        p = self.d.cli("--lang", "en", "status", "--check", *args)
        return p.returncode, p.stdout.splitlines()

    def test_gone_drains_the_channel_and_holds_its_reminders(self):
        """Concurrency 1 and N reminders due at once; the first request is answered 410
        (slowly, so that the rest wait in the channel's queue): no other request goes out,
        every reminder is held, visibly, until `fristvakt channel enable hook`, then each
        goes out once with its id."""
        self.start(hook_concurrency=1, hook_default=Answer(410, hang=0.5))
        at = self.cases_due_together()
        self.set_clock(at)
        self.hook.wait_requests(1)
        self.disabled.add("hook")
        deadline = time.monotonic() + 10
        while self.channel("hook")["state"] != "disabled":
            self.assertLess(time.monotonic(), deadline, "the channel was not disabled")
            time.sleep(0.05)
        self.assertEqual(self.hook.quiet(1.0), [])
        self.assertEqual(len(self.hook.all()), 1, self.hook.all())
        rems = [x for x in self.reminders() if x["stage"] == "before-3"]
        self.assertEqual(len(rems), self.N)
        self.assertEqual([x["held"] for x in rems], [True] * self.N)
        # Every reminder not yet sent on the channel is held, the later stages too.
        waiting = [x for x in self.reminders() if x["state"] in ("pending", "failed")]
        self.assertEqual({x["held"] for x in waiting}, {True})
        held = len(waiting)
        # Visible: ListChannels, Status, `fristvakt channels`, `reminders list`, the check.
        ch = self.channel("hook")
        self.assertEqual((ch["state"], ch["held"], ch["pending"], ch["failed"]),
                         ("disabled", held, 0, 0))
        self.assertIn("410", ch["reason"])
        self.assertIsNotNone(ch["since"])
        self.assertEqual(self.call("Status")["reminders"]["held"], held)
        out = self.d.cli("--lang", "en", "channels", check=0).stdout
        self.assertRegex(out, r"(?m)^hook +webhook +disabled .* %d +- +.*410" % held)
        out = self.d.cli("--lang", "en", "reminders", "list", "--limit", "1000", check=0).stdout
        self.assertEqual(out.count(" held "), held, out)
        code, lines = self.check()
        self.assertEqual(code, 2, lines)
        self.assertTrue(lines[0].startswith("CRITICAL: channel hook disabled"), lines)
        # Enabled again (admin role, audited): each reminder goes out once.
        self.hook.set_default(200)
        self.disabled.clear()
        p = self.d.cli("--lang", "en", "channel", "enable", "hook", check=0)
        self.assertIn("channel hook enabled", p.stdout)
        self.hook.wait_delivered(self.N)
        self.settle()
        got = [q.webhook_id for q in self.hook.delivered()]
        self.assertEqual(sorted(got), sorted(self.mid(x["id"]) for x in rems))
        self.assertEqual(self.channel("hook")["state"], "enabled")
        self.assertIsNotNone(self.channel("hook")["last_success"])
        audit = self.d.cli_json("audit")
        self.assertIn("no.fristvakt.EnableChannel", [e["method"] for e in audit["entries"]])
        code, lines = self.check()
        self.assertEqual((code, lines[0][:3]), (0, "OK:"), lines)

    def test_gone_withdraws_the_transfer_in_flight(self):
        """Concurrency 2: while the first request waits for its 410, the second is in
        flight (the receiver holds it). The 410 withdraws it: recorded as an "aborted"
        attempt (the receiver got it), so requests received and attempts recorded agree;
        once the channel is enabled it goes out again with the same id."""
        self.start(hook_concurrency=2, hook_timeout=10)
        self.hook.set_rule(lambda b: Answer(410, hang=0.5)
                           if b.get("case_reference") == "2026/1500"
                           else Answer(200, hang=3))
        at = self.cases_due_together()
        self.set_clock(at)
        self.hook.wait_requests(2)
        self.disabled.add("hook")
        deadline = time.monotonic() + 10
        while self.channel("hook")["state"] != "disabled":
            self.assertLess(time.monotonic(), deadline, "the channel was not disabled")
            time.sleep(0.05)
        time.sleep(0.5)
        self.assertEqual(len(self.hook.all()), 2, self.hook.all())
        # The one in flight beside the 410 (they may arrive in either order).
        second = [q.body["reminder_id"] for q in self.hook.all()
                  if q.body["case_reference"] != "2026/1500"][0]
        g = self.reminder(second)
        self.assertEqual([a["outcome"] for a in g["attempts"]], ["aborted"])
        self.assertIn("disabled during the transfer", g["attempts"][0]["error"])
        self.assertTrue(g["reminder"]["held"])
        recorded = sum(1 for x in self.reminders() for a in self.reminder(x["id"])["attempts"]
                       if a["channel"] == "hook")
        self.assertEqual(recorded, len(self.hook.all()))
        self.hook.release()
        self.hook.set_rule(None)
        self.disabled.clear()
        self.d.cli("--lang", "en", "channel", "enable", "hook", check=0)
        self.wait_state(second, "sent")
        mine = [q for q in self.hook.all() if q.body["reminder_id"] == second]
        self.assertEqual({q.webhook_id for q in mine}, {self.mid(second)})
        self.assertEqual(len(mine), 2)

    def test_enable_names_a_configured_channel(self):
        self.start()
        p = self.d.cli("--lang", "en", "channel", "enable", "nosuch")
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("ChannelNotFound", p.stderr)
        self.assertIn("no channel named 'nosuch'", p.stderr)
        p = self.d.cli("--lang", "en", "channel", "enable", "hook", check=0)
        self.assertIn("was not disabled", p.stdout)

    def test_failing_channel_and_the_check(self):
        """A receiver answering 500: the channel is failing since the first failed attempt,
        with the last error; the check warns (exit 1). After a success it is enabled, with
        its last success. Dead reminders warn; no daemon is critical (exit 2)."""
        self.start(hook_default=500)
        code, lines = self.check()
        self.assertEqual((code, lines), (0, lines[:1]), lines)
        self.assertTrue(lines[0].startswith("OK: fristvaktd"), lines)
        at = local(self.case_with_before3("2026/1550", handler="kari"))
        self.set_clock(at)
        self.hook.wait_requests(1)
        self.settle()
        ch = self.channel("hook")
        self.assertEqual((ch["state"], ch["reason"], ch["failed"]),
                         ("failing", "HTTP 500", 1))
        # The first failed attempt: at the planned time, or a moment later on a busy
        # machine (the test clock runs on from where it was set).
        since = datetime.datetime.fromisoformat(ch["since"].replace("Z", "+00:00"))
        self.assertTrue(at <= since <= at + datetime.timedelta(seconds=5), (ch["since"], at))
        self.assertIsNone(ch["last_success"])
        code, lines = self.check()
        self.assertEqual(code, 1, lines)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("WARNING: channel hook failing since "), lines)
        self.assertTrue(lines[0].endswith(": HTTP 500"), lines)
        # The status text shows the reminder counts and the channel.
        out = self.d.cli("--lang", "en", "status", check=0).stdout
        self.assertRegex(out, r"reminders +\d+ pending, 1 failed, 0 sent, 0 dead, "
                              r"\d+ cancelled, 0 held")
        self.assertRegex(out, r"(?m)^hook +webhook +failing ")
        # Given up: dead reminders warn.
        for _ in range(12):
            self.call("testing.AdvanceClock", {"seconds": 60})
            self.settle()
        self.assertEqual(self.channel("hook")["dead"], 1)
        code, lines = self.check()
        self.assertEqual(code, 1, lines)
        self.assertIn("WARNING: 1 dead reminders ('fristvakt reminders list --state dead')",
                      lines)
        # A success clears the failing state.
        self.hook.set_default(200)
        rid = self.reminders(state="dead")[0]["id"]
        self.d.cli("--lang", "en", "reminders", "retry", str(rid), check=0)
        self.wait_state(rid, "sent")
        ch = self.channel("hook")
        self.assertEqual((ch["state"], ch["since"], ch["reason"]), ("enabled", None, None))
        self.assertIsNotNone(ch["last_success"])
        # A usage error is UNKNOWN (3), not CRITICAL, whatever the option order.
        p = self.d.cli("--lang", "en", "status", "--max-lag", "abc", "--check")
        self.assertEqual(p.returncode, 3, p.stderr)
        # A refusal (a peer without the read role) is UNKNOWN too: the daemon did answer.
        p = self.d.cli("--lang", "en", "status", "--check", user="nobody")
        if p.returncode != 2:       # 2: nobody may not even reach the socket here
            self.assertEqual((p.returncode, p.stdout.strip()),
                             (3, "UNKNOWN: fristvaktd answered with an error, not its status"))
        # No answer.
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        code, lines = self.check()
        self.assertEqual((code, lines), (2, ["CRITICAL: no answer from fristvaktd"]))

    def test_outbox_lag(self):
        """A receiver that holds each request for 4 s: what is due waits; over --max-lag
        the check warns."""
        self.start(hook_concurrency=1, hook_default=Answer(200, hang=4), hook_timeout=10)
        at = self.cases_due_together()
        self.set_clock(at)
        self.hook.wait_requests(1)
        time.sleep(2.5)
        self.assertGreaterEqual(self.call("Status")["outbox_lag_seconds"], 2)
        code, lines = self.check("--max-lag", "1")
        self.assertEqual(code, 1, lines)
        self.assertTrue([x for x in lines
                         if re.match(r"^WARNING: outbox lag \d+s \(over 1s\)$", x)], lines)
        code, lines = self.check("--max-lag", "3600")
        self.assertEqual(code, 0, lines)
        self.hook.release()


# --------------------------------------------------------------------------------------
# 10. The reminder channel changes on reload

class ReloadChannelTest(DeliveryTestCase):
    def test_reminders_follow_the_new_channel(self):
        self.start()
        self.case_with_before3("2026/1560", handler="kari")
        pending = self.reminders(state="pending")
        self.assertTrue(pending)
        self.assertEqual({x["channel"] for x in pending}, {"hook"})
        with open(self.d.config) as f:
            text = f.read()
        old = '\tchannel = "hook";\n'
        self.assertIn(old, text)
        with open(self.d.config, "w") as f:
            f.write(text.replace(old, '\tchannel = "log";\n'))
        r = self.d.cli_json("reload")
        self.assertEqual(r["reminders_channel"],
                         {"from": "hook", "to": "log", "moved": len(pending)})
        self.assertEqual({x["channel"] for x in self.reminders(state="pending")}, {"log"})
        # Back, in words.
        with open(self.d.config, "w") as f:
            f.write(text)
        p = self.d.cli("--lang", "en", "reload", check=0)
        self.assertIn("reminders.channel is now hook (was log): %d reminders not yet sent "
                      "moved to it" % len(pending), p.stdout)
        p = self.d.cli("--lang", "en", "reload", check=0)
        self.assertNotIn("moved", p.stdout)


# --------------------------------------------------------------------------------------
# 6. Notices to the administrators are never lost silently

class NoticeTest(DeliveryTestCase):
    def give_up(self, pred, what):
        for _ in range(40):
            self.call("testing.AdvanceClock", {"seconds": 60})
            self.settle()
            if pred():
                return
        self.fail(what)

    def test_admin_channel_that_failed_falls_back_to_the_log(self):
        """Reminders and notices on the same webhook, which answers 500: the notice of a
        dead reminder goes to the log (the channel that failed cannot carry it), and
        Status counts it."""
        self.start(hook_default=500, admin_channel="hook")
        self.set_clock(local(self.case_with_before3("2026/1580", handler="kari")))
        self.settle()
        self.give_up(lambda: self.reminders(state="dead"), "no dead reminder")
        self.settle()
        notices = [x for x in self.reminders() if x["kind"] == "admin"]
        self.assertEqual([(n["stage"], n["channel"]) for n in notices], [("dead", "log")])
        self.wait_state(notices[0]["id"], "sent")
        self.assertIn("%s: " % self.mid(notices[0]["id"], "admin"), self.d.log_text())
        self.assertEqual(self.call("Status")["reminders"]["notices_to_log"], 1)
        self.assertEqual([q for q in self.hook.all() if q.body["type"] != "fristvakt.reminder"],
                         [])

    def test_dead_notice_falls_back_to_the_log(self):
        """Reminders by e-mail through a relay slower than the channel's timeout, notices
        on a webhook answering 500: the reminder goes dead, its notice goes dead on the
        webhook too and then to the log, counted."""
        self.start(smtp=True, channel="mail", admin_channel="hook", hook_default=500,
                   smtp_delay=3, smtp_timeout=1, addresses=MAIL_ADDRESSES)
        self.set_clock(local(self.case_with_before3("2026/1581", handler="kari")))
        self.give_up(lambda: [x for x in self.reminders() if x["kind"] == "admin"],
                     "no notice")
        notice = [x for x in self.reminders() if x["kind"] == "admin"][0]
        self.assertEqual(notice["channel"], "hook")
        self.give_up(lambda: self.reminder(notice["id"])["reminder"]["channel"] == "log",
                     "the notice did not fall back to the log")
        g = self.wait_state(notice["id"], "sent")
        self.assertEqual(g["channel"], "log")
        self.assertGreaterEqual(len(self.hook.all()), 2)
        self.assertEqual(self.call("Status")["reminders"]["notices_to_log"], 1)
        self.assertIn("%s: " % self.mid(notice["id"], "admin"), self.d.log_text())



# --------------------------------------------------------------------------------------
# Also: a request libcurl re-sends is recorded as such

class ClosingReceiver:
    """An HTTP/1.1 server on 127.0.0.1 that answers 200 and keeps the connection, except
    that it reads the second request of its first connection and then closes that
    connection without an answer (a kept-alive connection closed under the client).
    .requests: the webhook-id of every request read, in order."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = "http://127.0.0.1:%d/fristvakt/hook" % self.sock.getsockname()[1]
        self.requests = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.closing.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn, self.connections),
                             daemon=True).start()

    def handle(self, conn, number):
        f = conn.makefile("rb")
        served = 0
        try:
            while not self.closing.is_set():
                line = f.readline()
                if not line:
                    return
                headers = {}
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode().partition(":")
                    headers[k.strip().lower()] = v.strip()
                f.read(int(headers.get("content-length", "0")))
                with self.lock:
                    self.requests.append(headers.get("webhook-id"))
                served += 1
                if number == 1 and served == 2:
                    return          # read, never answered: the connection closes
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        finally:
            f.close()
            conn.close()

    def close(self):
        self.closing.set()
        self.thread.join(5)
        self.sock.close()


class ResentTest(DeliveryTestCase):
    def test_a_resent_request_is_recorded(self):
        """The second reminder goes out on the kept-alive connection of the first, which
        the receiver closes after reading it; libcurl sends it again on a new connection.
        The receiver got three requests; the attempts recorded say three as well."""
        recv = ClosingReceiver()
        self.addCleanup(recv.close)
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        path, _ = write_secret(self.d.dir)
        self.d.write_config(reminder_subst(
            channels=[webhook_channel("hook", recv.url, path)], channel="hook", retry=True))
        self.d.start()
        self.connect_case()
        self.inst = self.call("Status")["installation"]
        day_a = self.case_with_before3("2026/1590", handler="kari")
        day_b = self.case_with_before3("2026/1591", received=D(2026, 3, 3), handler="ola")
        self.set_clock(local(day_a))
        ids = {}
        for ref, day in (("2026/1590", day_a), ("2026/1591", day_b)):
            self.set_clock(local(day))
            rid = [x for x in self.reminders(reference=ref) if x["stage"] == "before-3"][0]
            ids[ref] = rid["id"]
            self.wait_state(rid["id"], "sent")
        self.assertEqual(recv.requests, [self.mid(ids["2026/1590"]), self.mid(ids["2026/1591"]),
                                         self.mid(ids["2026/1591"])])
        attempts = [a for rid in ids.values() for a in self.reminder(rid)["attempts"]]
        self.assertEqual([a["outcome"] for a in attempts], ["ok", "ok"])
        self.assertIsNone(attempts[0]["error"])
        self.assertIn("the request was sent 2 times", attempts[1]["error"])
        sent = sum(int(re.search(r"sent (\d+) times", a["error"]).group(1))
                   if a["error"] else 1 for a in attempts)
        self.assertEqual(sent, len(recv.requests))
        self.assertIsNone(self.reminder(ids["2026/1591"])["reminder"]["last_error"])


if __name__ == "__main__":
    main()
