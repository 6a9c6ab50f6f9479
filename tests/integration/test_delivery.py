# SPDX-License-Identifier: GPL-3.0-or-later
"""What integrators and operators hit in delivery (issue 12), through the real daemon with
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
import time

import test_reminders as base
from fvtest import SCHEMA_LATEST, main
from receivers import WebhookReceiver, reminder_subst, webhook_channel, write_secret
from fvtest import Daemon
from test_reminders import D, DAY, MAIL_ADDRESSES, OSLO, add_working_days, local, rfc, roll


class DeliveryTestCase(base.ReminderTestCase):
    def case_with_before3(self, ref, received=D(2026, 3, 2), **kw):
        """Registers an økonomisk stønad case received at 07:00 on the test clock; returns
        the day of its processing "before-3" reminder (the due day is the 14-day norm)."""
        self.set_clock(local(received, "07:00"))
        self.register(ref, rfc(local(received, "07:00")), **kw)
        return add_working_days(roll(received + 14 * DAY), -3)

    def wait_state(self, rid, state, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            r = self.reminder(rid)["reminder"]
            if r["state"] == state:
                return r
            if time.monotonic() > deadline:
                self.fail("reminder %d is %s, not %s" % (rid, r["state"], state))
            time.sleep(0.05)


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
        """A database of schema version 2 (before installation ids) gets one when it is
        migrated, and keeps it from then on."""
        self.start()
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        db = self.d.db()
        db.execute("DELETE FROM meta WHERE key = 'installation'")
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
        p = self.d.cli("reminders", "retry", str(pending[0]["id"]), check=0)
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


if __name__ == "__main__":
    main()
