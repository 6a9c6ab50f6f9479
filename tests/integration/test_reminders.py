# SPDX-License-Identifier: GPL-3.0-or-later
"""Reminders through the real daemon: planned from a case's deadlines and sent
at send_time on the test clock, stopped when the deadline is met, retried while a receiver
is down, sent again (same id) after a crash, daily digests, and DST days.

The daemon's clock is the test clock (testing.clock_control = true, SetClock/AdvanceClock);
receivers (receivers.py) run on 127.0.0.1 and check the Standard Webhooks signature of every
request. Expected dates are computed here with the independent Norwegian calendar of
test_cases.py and the shipped policies of etc/fristvakt.conf. More reminder tests (SMTP,
throttling, 410, dead reminders, templates, the test clock itself) are in
test_reminders_channels.py, which reuses ReminderTestCase from here.
"""

import datetime
import os
import signal
import time
import unittest
from zoneinfo import ZoneInfo

from fvtest import Daemon, main
from receivers import (Answer, SmtpReceiver, WebhookReceiver, describe, hang, reminder_subst,
                       sign, smtp_channel, webhook_channel, write_secret)
from test_cases import CaseMixin, is_working_day, roll

OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
D = datetime.date


# --------------------------------------------------------------------------------------
# Time

def local(day, hhmm="08:00", second=0):
    """An aware datetime: day at hh:mm (Europe/Oslo). Ambiguous times take the first."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.datetime(day.year, day.month, day.day, h, m, second, tzinfo=OSLO)


def rfc(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(s):
    """An RFC 3339 string of the daemon (…Z) as an aware datetime."""
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def ts_local(ts):
    return datetime.datetime.fromtimestamp(ts, OSLO)


def add_working_days(d, n):
    step = -1 if n < 0 else 1
    k = abs(n)
    while k:
        d += step * DAY
        if is_working_day(d):
            k -= 1
    return d


WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")


def words(d):
    """A date as messages write it: "tirsdag 22. desember 2026"."""
    return "%s %d. %s %d" % (WEEKDAYS[d.weekday()], d.day, MONTHS[d.month - 1], d.year)


def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    last = (D(y + m // 12, m % 12 + 1, 1) - DAY).day
    return D(y, m, min(d.day, last))


# --------------------------------------------------------------------------------------
# The shipped policies (etc/fristvakt.conf, "reminders.policies"):
# (stage, offset, working_days, repeat, recipients)

POLICIES = {
    "processing": [("before-3", -3, True, 0, ("handler",)),
                   ("due", 0, False, 0, ("handler",)),
                   ("overdue", 1, False, 1, ("handler",)),
                   ("escalation", 5, False, 7, ("unit", "supervisor"))],
    "preliminary_reply": [("before-5", -5, True, 0, ("handler",)),
                          ("due", 0, False, 0, ("handler",)),
                          ("overdue", 1, False, 1, ("handler",)),
                          ("escalation", 5, False, 7, ("unit", "supervisor"))],
    "complaint": [("before-7", -7, True, 0, ("handler", "applicant")),
                  ("before-1", -1, True, 0, ("applicant",)),
                  ("due", 0, False, 0, ("handler", "applicant"))],
}


def planned_days(kind, due, until, roles=("handler", "unit", "supervisor")):
    """[(day, stage, recipients)] of kind's stages for a deadline due on `due`, up to and
    including `until` (repeating stages repeat), for a case that has `roles`."""
    out = []
    for stage, offset, working, repeat, rcpts in POLICIES[kind]:
        rc = tuple(r for r in rcpts if r in roles)
        if not rc:
            continue
        day = add_working_days(due, offset) if working else due + offset * DAY
        while day <= until:
            out.append((day, stage, rc))
            if not repeat:
                break
            day += repeat * DAY
    return sorted(out)


LABELS = {"processing": "saksbehandlingsfrist", "preliminary_reply": "frist for foreløpig svar",
          "complaint": "klagefrist"}

# Address patterns for reminders by e-mail: the shipped policies send to handlers, units and
# supervisors, and a file that leaves one of them without a pattern is refused.
MAIL_ADDRESSES = {"handler": "{handler}@kommune.example", "unit": "{unit}@kommune.example",
                  "supervisor": "leder.{unit}@kommune.example"}


# --------------------------------------------------------------------------------------

class ReminderTestCase(CaseMixin, unittest.TestCase):
    """A daemon with reminder channels and the test clock. start() takes the receivers to
    set up; self.hook (WebhookReceiver, channel "hook") and self.smtp (SmtpReceiver,
    channel "mail") are then available; self.call() and the CaseMixin helpers talk to it."""

    HOOK_TIMEOUT = 2

    def start(self, webhook=True, smtp=False, channel="hook", hook_default=200, rotate=False,
              hook_timeout=None, hook_concurrency=4, hook_tls=None, hook_ca=None,
              smtp_delay=0.0, smtp_timeout=5, retry=True, extra="", prepare=None, **opts):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        if prepare:
            prepare(self.d)     # e.g. change the copied templates before the start
        channels = []
        self.disabled = set()
        if webhook:
            path, secret = write_secret(self.d.dir)
            secrets, prev = [secret], None
            if rotate:
                prev, old = write_secret(self.d.dir, "previous.secret")
                secrets.append(old)
            self.secrets = secrets
            self.hook = WebhookReceiver(secrets, default=hook_default, tls=hook_tls)
            self.addCleanup(self.hook.close)
            self.addCleanup(self.check_signatures)
            channels.append(webhook_channel("hook", self.hook.url, path, previous_secret_file=prev,
                                            timeout=hook_timeout or self.HOOK_TIMEOUT,
                                            concurrency=hook_concurrency, ca_file=hook_ca))
        if smtp:
            self.smtp = SmtpReceiver(delay=smtp_delay)
            self.addCleanup(self.smtp.close)
            channels.append(smtp_channel("mail", self.smtp.url, timeout=smtp_timeout))
        self.d.write_config(reminder_subst(channels=channels, channel=channel, retry=retry,
                                           **opts), extra)
        self.d.start()
        self.connect_case()
        self.inst = self.call("Status")["installation"]
        return self.d

    def mid(self, rid, kind="reminder"):
        """The message id of reminder rid: webhook-id, e-mail Message-ID's left part."""
        return "fristvakt-%s-%d.%s" % (kind, rid, self.inst)

    def restart(self, kill=False):
        """Stops (SIGKILL when kill) and starts the daemon again on the same database. The
        test clock is not kept: the daemon starts on the wall clock."""
        self.c.close()
        if kill:
            self.d.proc.kill()
            self.d.proc.wait()
        else:
            self.assertEqual(self.d.stop(), 0)
        self.d.log.close()
        if getattr(self, "hook", None):
            self.hook.clock_offset = 0
        self.d.start()
        self.connect_case()

    def check_signatures(self):
        self.assertEqual(self.hook.failures, [], "requests with a bad signature or headers")
        # Webhooks go out as HTTP/1.1 (several HTTP/2 fixes are missing from curl 7.88).
        self.assertEqual({q.version for q in self.hook.all()} - {"HTTP/1.1"}, set())

    # ---- calls ----

    def call(self, method, params=None, conn=None):
        if method.startswith("testing."):
            hook = getattr(self, "hook", None)
            # The receiver learns the new offset before the daemon sends what became due.
            if hook and method == "testing.SetClock":
                hook.clock_offset = instant(params["now"]).timestamp() - time.time()
            elif hook and method == "testing.AdvanceClock":
                hook.clock_offset += params["seconds"]
            r = (conn or self.c).call("no.fristvakt." + method, params)
            self.assertIsNotNone(r, "%s: the daemon closed the connection" % method)
            self.assertNotIn("error", r, "%s(%s) failed: %s" % (method, params, r))
            return r["parameters"]
        return super().call(method, params, conn)

    def set_clock(self, dt):
        r = self.call("testing.SetClock", {"now": rfc(dt)})
        self.assertEqual(instant(r["now"]), dt.astimezone(UTC).replace(microsecond=0))
        return r

    def daemon_now(self):
        return time.time() + self.call("Status")["clock_offset"]

    def reminders(self, **filters):
        """Every reminder (oldest first), filtered as ListReminders."""
        out, after = [], None
        while True:
            p = dict(filters, limit=1000)
            if after:
                p["after"] = after
            r = self.call("ListReminders", p)
            out.extend(r["reminders"])
            after = r["next"]
            if not after:
                return sorted(out, key=lambda x: x["id"])

    def reminder(self, rid):
        return self.call("GetReminder", {"id": rid})

    def case_with_before3(self, ref, received=D(2026, 3, 2), **kw):
        """Registers an økonomisk stønad case received at 07:00 on the test clock; returns
        the day of its processing "before-3" reminder (the due day is the 14-day norm)."""
        self.set_clock(local(received, "07:00"))
        self.register(ref, rfc(local(received, "07:00")), **kw)
        return add_working_days(roll(received + 14 * DAY), -3)

    def wait_state(self, rid, state, timeout=10.0):
        """Waits until reminder rid is in state; returns it (fails after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.reminder(rid)["reminder"]
            if r["state"] == state:
                return r
            if time.monotonic() > deadline:
                self.fail("reminder %d is %s, not %s" % (rid, r["state"], state))
            time.sleep(0.05)

    def settle(self, timeout=10.0):
        """Waits until the daemon has made every attempt due at its current time (nothing
        pending or failed is due, no receiver holds a request)."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.daemon_now()
            due = [r for r in self.reminders()
                   if r["state"] in ("pending", "failed") and r["channel"] not in self.disabled
                   and instant(r["next_attempt"]).timestamp() <= now]
            busy = (getattr(self, "hook", None) and self.hook.in_flight) or \
                   (getattr(self, "smtp", None) and self.smtp.in_flight)
            if not due and not busy:
                return
            if time.monotonic() > deadline:
                self.fail("reminders still due after %.0fs: %s" % (
                    timeout, [(r["id"], r["kind"], r["stage"], r["state"], r["next_attempt"])
                              for r in due]))
            time.sleep(0.05)

    # ---- checks ----

    def check_reminder_body(self, req, ref, kind, stage, due, recipients, subject=None):
        """A webhook request for one reminder: headers, body members and values."""
        b = req.body
        self.assertEqual(set(b), {"type", "reminder_id", "id", "case_reference", "deadline",
                                  "stage", "recipients", "language", "message_subject",
                                  "message_text"}, b)
        self.assertEqual(b["type"], "fristvakt.reminder")
        self.assertEqual(req.webhook_id, self.mid(b["reminder_id"]))
        self.assertEqual(b["id"], req.webhook_id)
        self.assertEqual(b["case_reference"], ref)
        self.assertEqual(set(b["deadline"]), {"kind", "label", "due", "subject"})
        self.assertEqual(b["deadline"]["kind"], kind)
        self.assertEqual(b["deadline"]["label"], LABELS[kind])
        self.assertEqual(b["deadline"]["due"], due.isoformat())
        if subject is not None:
            self.assertEqual(b["deadline"]["subject"], subject)
        self.assertEqual(b["stage"], stage)
        self.assertEqual(b["recipients"], recipients)
        self.assertEqual(b["language"], "nb")
        self.assertIn(ref, b["message_subject"])
        self.assertIn(ref, b["message_text"])
        # The signature is over exactly the bytes received.
        self.assertIn(sign(self.secrets[0], req.webhook_id, req.timestamp, req.raw),
                      req.signatures)

    def expect_day(self, day, expected, start_count, send_time="08:00", wait=5.0):
        """Steps the clock over send_time of day: nothing new just before it, then exactly
        `expected` [(ref, kind, stage)] after it, each stamped at or after send_time.
        Returns the new requests."""
        before = local(day, send_time) - datetime.timedelta(minutes=1)
        self.set_clock(before)
        time.sleep(0.1)
        early = self.hook.all()[start_count:]
        self.assertEqual(early, [], "sent before %s on %s" % (send_time, day))
        at = local(day, send_time)
        self.set_clock(at)
        if expected:
            try:
                self.hook.wait_requests(start_count + len(expected), timeout=wait)
                missing = False
            except AssertionError:
                missing = True
            if missing:
                self.fail("on %s expected %s; got %s" % (
                    day, sorted(expected), self.hook.all()[start_count:]))
        self.settle()
        new = self.hook.all()[start_count:]
        got = sorted((r.body["case_reference"], r.body["deadline"]["kind"], r.body["stage"])
                     for r in new)
        self.assertEqual(got, sorted(expected), "messages on %s" % day)
        for r in new:
            self.assertGreaterEqual(r.daemon_time, int(at.timestamp()), r)
            self.assertLess(r.daemon_time, int(at.timestamp()) + 60, r)
        return new


# --------------------------------------------------------------------------------------
# 1. A full case

class FullCaseTest(ReminderTestCase):
    """Økonomisk stønad, 14-day norm: the reminders of processing and preliminary reply
    arrive at 08:00 on the planned days and stop with the decision; the complaint-deadline
    reminders appear."""

    REF = "2026/101"
    RECEIVED = D(2026, 3, 2)      # Monday

    def register_case(self):
        self.set_clock(local(self.RECEIVED, "07:00"))
        r = self.register(self.REF, rfc(local(self.RECEIVED, "07:00")), handler="kari",
                          unit="nav-sentrum")
        due = {d["kind"]: D.fromisoformat(d["due"]) for d in r["deadlines"]}
        self.assertEqual(due["processing"], roll(self.RECEIVED + 14 * DAY))
        self.assertEqual(due["preliminary_reply"], roll(add_months(self.RECEIVED, 1)))
        self.assertEqual(due["processing"], D(2026, 3, 16))
        self.assertEqual(due["preliminary_reply"], D(2026, 4, 7))    # after Easter
        return r, due

    def test_planned_reminders(self):
        self.start()
        r, due = self.register_case()
        subjects = {d["kind"]: d["subject"] for d in r["deadlines"]}
        got = sorted((x["kind"], x["stage"], x["occurrence"], x["planned"], x["state"],
                      tuple(x["recipients"]), x["due"], x["channel"], x["subject"])
                     for x in self.reminders(reference=self.REF))
        # Only what is next is planned: each deadline holds its earliest stage; the next
        # is planned at that one's first attempt (test_reminders_until_decision).
        want = []
        for kind in ("processing", "preliminary_reply"):
            day, stage, rcpts = planned_days(kind, due[kind], due[kind] + 30 * DAY)[0]
            want.append((kind, stage, day.isoformat(), rfc(local(day)), "pending",
                         tuple(sorted(rcpts, key=["handler", "unit", "supervisor"].index)),
                         due[kind].isoformat(), "hook", subjects[kind]))
        self.assertEqual(got, sorted(want))
        # Shown with the stage days the calendar gives: 3 working days before Monday 16 March
        # is Wednesday 11 March; 5 before Tuesday 7 April skips Easter.
        days = {(x["kind"], x["stage"]): x["occurrence"] for x in self.reminders()}
        self.assertEqual(days[("processing", "before-3")], "2026-03-11")
        self.assertEqual(days[("preliminary_reply", "before-5")], "2026-03-26")
        self.assertEqual(self.call("Status")["reminders"],
                         {"pending": 2, "failed": 0, "sent": 0, "dead": 0, "cancelled": 0,
                          "template_fallbacks": 0, "notices_to_log": 0, "held": 0})

    def test_reminders_until_decision(self):
        self.start()
        r, due = self.register_case()
        decided = D(2026, 3, 13)
        sent = []
        day = self.RECEIVED
        while day < decided:
            exp = [(self.REF, k, stage) for k in ("processing", "preliminary_reply")
                   for d_, stage, _ in planned_days(k, due[k], decided) if d_ == day]
            sent += self.expect_day(day, exp, len(sent))
            day += DAY
        self.assertEqual([(q.body["deadline"]["kind"], q.body["stage"]) for q in sent],
                         [("processing", "before-3")])
        q = sent[0]
        self.check_reminder_body(q, self.REF, "processing", "before-3", due["processing"],
                                 [{"role": "handler", "id": "kari"}])
        self.assertEqual(q.body["message_subject"],
                         "Saksbehandlingsfrist i sak 2026/101 går ut mandag 16. mars 2026")
        self.assertIn("Saksbehandlingsfristen i sak 2026/101 (Økonomisk stønad) går ut "
                      "mandag 16. mars 2026.\nDager igjen: 5\n", q.body["message_text"])
        self.assertEqual(ts_local(q.daemon_time).date(), D(2026, 3, 11))
        rem = self.reminder(q.body["reminder_id"])
        self.assertEqual(rem["reminder"]["state"], "sent")
        self.assertEqual(rem["reminder"]["attempts"], 1)
        self.assertEqual([(a["outcome"], a["code"], a["channel"], a["fallback"])
                          for a in rem["attempts"]], [("ok", 200, "hook", False)])

        # The decision (Friday 13 March, 10:00) meets processing and preliminary reply.
        self.set_clock(local(decided, "10:00"))
        rec = self.decide(self.REF, rfc(local(decided, "10:00")), reached=decided.isoformat(),
                          outcome="innvilget")
        # Sending before-3 planned the processing deadline's next stage (due); the decision
        # cancels what was waiting, and nothing after it was ever planned.
        states = {(x["kind"], x["stage"]): x["state"] for x in self.reminders()
                  if x["kind"] != "complaint"}
        self.assertEqual(states, {("processing", "before-3"): "sent",
                                  ("processing", "due"): "cancelled",
                                  ("preliminary_reply", "before-5"): "cancelled"})
        complaint = D.fromisoformat(self.deadline(rec, "complaint")["due"])
        self.assertEqual(complaint, roll(decided + 21 * DAY))
        self.assertEqual(complaint, D(2026, 4, 7))
        # No contact with consent: the applicant-only stage before-1 is not planned.
        self.assertEqual(
            sorted((x["stage"], x["occurrence"], x["state"], tuple(x["recipients"]))
                   for x in self.reminders() if x["kind"] == "complaint"),
            [("before-7", add_working_days(complaint, -7).isoformat(), "pending", ("handler",))])
        self.assertEqual(add_working_days(complaint, -7), D(2026, 3, 24))

        day = decided + DAY
        while day <= complaint + 2 * DAY:
            exp = [(self.REF, "complaint", stage)
                   for d_, stage, _ in planned_days("complaint", complaint, complaint,
                                                    roles=("handler",)) if d_ == day]
            sent += self.expect_day(day, exp, len(sent))
            day += DAY
        self.assertEqual([(q.body["deadline"]["kind"], q.body["stage"],
                           ts_local(q.daemon_time).date()) for q in sent],
                         [("processing", "before-3", D(2026, 3, 11)),
                          ("complaint", "before-7", D(2026, 3, 24)),
                          ("complaint", "due", D(2026, 4, 7))])
        self.check_reminder_body(sent[2], self.REF, "complaint", "due", complaint,
                                 [{"role": "handler", "id": "kari"}])
        # Nothing was ever sent for a cancelled reminder, nothing twice.
        cancelled = {x["id"] for x in self.reminders(state="cancelled")}
        self.assertEqual(len(cancelled), 2)
        self.assertFalse(cancelled & {q.body["reminder_id"] for q in self.hook.all()})
        self.assertEqual(len({q.webhook_id for q in self.hook.all()}), len(self.hook.all()))
        # The complaint deadline's series ended with its due stage (no stage after it).
        self.assertEqual(self.call("Status")["reminders"],
                         {"pending": 0, "failed": 0, "sent": 3, "dead": 0, "cancelled": 2,
                          "template_fallbacks": 0, "notices_to_log": 0, "held": 0})

    def test_overdue_and_escalation_repeat_until_decision(self):
        """After the due date: "overdue" daily to the handler and "escalation" (offset 5,
        weekly) to unit and supervisor, until the decision."""
        self.start()
        r, due = self.register_case()
        D0 = due["processing"]
        decided = D0 + 8 * DAY
        # Straight to the due day: before-3 is caught up at once.
        self.set_clock(local(D0, "07:00"))
        self.hook.wait_requests(1)
        self.settle()
        sent = self.hook.all()
        day = D0
        while day < decided:
            exp = [(self.REF, "processing", stage)
                   for d_, stage, _ in planned_days("processing", D0, decided) if d_ == day]
            sent += self.expect_day(day, exp, len(sent))
            day += DAY
        got = [(q.body["stage"], ts_local(q.daemon_time).date()) for q in sent
               if q.body["deadline"]["kind"] == "processing"]
        want = ([("before-3", D0)] + [(s, d_) for d_, s, _ in planned_days("processing", D0,
                                                                          decided - DAY)
                                      if d_ >= D0])
        self.assertEqual(sorted(got, key=lambda x: (x[1], x[0])),
                         sorted(want, key=lambda x: (x[1], x[0])))
        esc = [q for q in sent if q.body["stage"] == "escalation"]
        self.check_reminder_body(esc[0], self.REF, "processing", "escalation", D0,
                                 [{"role": "unit", "id": "nav-sentrum"},
                                  {"role": "supervisor", "id": "nav-sentrum"}])
        self.set_clock(local(decided, "07:30"))
        self.decide(self.REF, rfc(local(decided, "07:30")), reached=decided.isoformat())
        n = len(self.hook.all())
        for k in range(3):
            self.set_clock(local(decided + k * DAY, "09:00"))
        time.sleep(0.3)
        self.assertEqual([describe(q.body) for q in self.hook.all()[n:]
                          if q.body["deadline"]["kind"] == "processing"], [])


# --------------------------------------------------------------------------------------
# 2. A receiver down for a day

class ReceiverDownTest(ReminderTestCase):
    def test_down_for_a_day_then_up(self):
        self.start(hook_default=500,
                   retry={"first": 60, "factor": 200, "max_interval": 3600, "give_up": 259200})
        received = D(2026, 3, 2)
        self.set_clock(local(received, "07:00"))
        refs = ["2026/201", "2026/202", "2026/203"]
        for i, ref in enumerate(refs):
            self.register(ref, rfc(local(received, "07:00")), handler="h%d" % i)
        first = add_working_days(roll(received + 14 * DAY), -3)
        start = local(first)
        self.set_clock(start)
        self.hook.wait_requests(3)
        self.settle()
        # Down for a day of moved time, in steps of two hours.
        for step in range(1, 13):
            self.call("testing.AdvanceClock", {"seconds": 7200})
            self.settle()
        failed = self.reminders(state="failed")
        self.assertEqual(len(failed), 3, failed)
        self.assertEqual(self.hook.delivered(), [])
        self.hook.set_default(200)
        self.call("testing.AdvanceClock", {"seconds": 7200})
        self.hook.wait_delivered(3)
        self.settle()
        delivered = self.hook.delivered()
        self.assertEqual(sorted(q.body["case_reference"] for q in delivered), refs)
        for q in delivered:
            rid = q.body["reminder_id"]
            mine = [x for x in self.hook.all() if x.body["reminder_id"] == rid]
            # Every attempt carried the same webhook-id; the last one was accepted.
            self.assertEqual({x.webhook_id for x in mine}, {self.mid(rid)})
            self.assertEqual([x.status for x in mine], [500] * (len(mine) - 1) + [200])
            self.assertGreaterEqual(len(mine), 6)
            stamps = [x.daemon_time for x in mine]
            self.assertEqual(stamps, sorted(stamps))
            self.assertGreaterEqual(stamps[0], int(start.timestamp()))
            self.assertGreaterEqual(stamps[-1], int(start.timestamp()) + 86400)
            g = self.reminder(rid)
            self.assertEqual(g["reminder"]["state"], "sent")
            self.assertEqual(g["reminder"]["attempts"], len(mine))
            self.assertIsNone(g["reminder"]["last_error"])
            self.assertEqual([(a["outcome"], a["code"]) for a in g["attempts"]],
                             [("retry", 500)] * (len(mine) - 1) + [("ok", 200)])
            self.assertEqual(
                [instant(a["at"]).timestamp() >= s - 1 for a, s in zip(g["attempts"], stamps)],
                [True] * len(mine))
            for a in g["attempts"][:-1]:
                self.assertEqual(a["error"], "HTTP 500")
                self.assertFalse(a["fallback"])
        # Every attempt carries the same body but for the text, which is rendered for the
        # day of the attempt ("Dager igjen: 5", a day later "4"); the signature differs
        # with the timestamp (the real time of the attempt) or the text.
        mine = [x for x in self.hook.all() if x.body["reminder_id"] == rid]
        bodies = [dict(x.body, message_text=None) for x in mine]
        self.assertEqual(bodies, [bodies[0]] * len(mine))
        self.assertIn("Dager igjen: 5\n", mine[0].body["message_text"])
        self.assertIn("Dager igjen: 4\n", mine[-1].body["message_text"])
        self.assertEqual(len({x.signatures[0] for x in mine}),
                         len({(x.timestamp, x.raw) for x in mine}))

    def test_timeout_is_an_attempt(self):
        """A receiver that holds the request past the channel's timeout: the attempt is a
        retry (no HTTP status), the next one with the same id succeeds."""
        self.start(hook_default=hang(8))
        received = D(2026, 3, 2)
        self.set_clock(local(received, "07:00"))
        self.register("2026/211", rfc(local(received, "07:00")), handler="kari")
        self.set_clock(local(add_working_days(D(2026, 3, 16), -3)))
        self.hook.wait_requests(1)
        self.hook.set_default(200)
        t0 = time.monotonic()
        deadline = time.monotonic() + 10
        while not self.reminders(state="failed"):
            self.assertLess(time.monotonic(), deadline, "no failed attempt after the timeout")
            time.sleep(0.1)
        self.assertLess(time.monotonic() - t0, self.HOOK_TIMEOUT + 3)
        rid = self.reminders(state="failed")[0]["id"]
        g = self.reminder(rid)
        self.assertEqual(len(g["attempts"]), 1)
        a = g["attempts"][0]
        self.assertEqual(a["outcome"], "retry")
        self.assertIn(a["code"], (None, 0))
        self.assertIn("imeout", a["error"])
        self.call("testing.AdvanceClock", {"seconds": 30})
        self.hook.wait_delivered(1)
        self.settle()
        self.assertEqual({x.webhook_id for x in self.hook.all()},
                         {self.mid(rid)})
        self.assertEqual([a["outcome"] for a in self.reminder(rid)["attempts"]],
                         ["retry", "ok"])


# --------------------------------------------------------------------------------------
# 3. SIGKILL with deliveries in flight

def future_monday():
    """A Monday in February two years ahead: the restarted daemon runs on the wall clock
    first, and nothing of the case may be due then."""
    d = D(datetime.date.today().year + 2, 2, 1)
    while d.weekday() != 0:
        d += DAY
    return d


class CrashTest(ReminderTestCase):
    HOOK_TIMEOUT = 10

    def test_sigkill_webhook_in_flight(self):
        self.start(hook_default=hang(25))
        received = future_monday()
        self.set_clock(local(received, "07:00"))
        refs = ["K/1", "K/2", "K/3"]
        for ref in refs:
            self.register(ref, rfc(local(received, "07:00")), handler="kari")
        first = add_working_days(roll(received + 14 * DAY), -3)
        self.set_clock(local(first))
        self.hook.wait_in_flight(3)
        held = {q.body["reminder_id"]: q.webhook_id for q in self.hook.all()}
        self.assertEqual(len(held), 3)
        self.restart(kill=True)
        self.hook.set_default(200)
        self.hook.release()
        # On the wall clock nothing of these cases is due; back to the test time.
        time.sleep(0.3)
        self.assertEqual(self.hook.delivered(), [])
        self.set_clock(local(first, "08:01"))
        self.hook.wait_delivered(3)
        self.settle()
        for q in self.hook.all():
            rid = q.body["reminder_id"]
            self.assertEqual(q.webhook_id, self.mid(rid))
            self.assertEqual(held[rid], q.webhook_id)
        self.assertEqual(sorted(q.body["case_reference"] for q in self.hook.delivered()), refs)
        for rid in held:
            g = self.reminder(rid)
            self.assertEqual(g["reminder"]["state"], "sent")
            self.assertEqual(g["attempts"][-1]["outcome"], "ok")
        self.assertEqual(len(self.reminders(state="sent")), 3)

    def stages(self, ref, kind="processing"):
        """[(stage, state)] of a case's reminders of one deadline kind, oldest first."""
        return [(x["stage"], x["state"]) for x in self.reminders(reference=ref)
                if x["kind"] == kind]

    def due_stage_once(self, ref, due, rid):
        """The due stage of ref's processing deadline is waiting (planned once, when
        before-3, reminder rid, went out) and arrives on the due day, once; before-3 went
        out with its one recorded attempt. Returns the requests of the case."""
        self.assertEqual(self.stages(ref), [("before-3", "sent"), ("due", "pending")])
        self.assertEqual([(a["outcome"], a["code"]) for a in self.reminder(rid)["attempts"]],
                         [("ok", 200)])
        self.set_clock(local(due, "07:59"))
        self.assertEqual([q for q in self.hook.quiet(0.3) if q.body["stage"] == "due"], [])
        self.set_clock(local(due))
        self.hook.wait(lambda rs: any(q.body["stage"] == "due" for q in rs), what="due")
        self.settle()
        self.set_clock(local(due, "12:00"))
        self.settle()
        reqs = [q for q in self.hook.all() if q.body["case_reference"] == ref]
        dues = [q for q in reqs if q.body["stage"] == "due"]
        self.assertEqual(len(dues), 1, dues)
        self.assertEqual(dues[0].status, 200)
        self.assertEqual(dues[0].webhook_id, self.mid(dues[0].body["reminder_id"]))
        self.assertNotEqual(dues[0].body["reminder_id"], rid)
        # The series goes on: the next stage (overdue, the day after) is waiting, alone.
        self.assertEqual(self.stages(ref), [("before-3", "sent"), ("due", "sent"),
                                            ("overdue", "pending")])
        self.assertEqual({q.body["stage"] for q in reqs}, {"before-3", "due"})
        return reqs

    def test_sigkill_between_a_send_and_the_next_stage(self):
        """SIGKILL while the receiver holds the before-3 request, between the send and the
        planning of the next stage (due), which is written with before-3's outcome, in one
        transaction: after the restart before-3 is still pending, with no attempt, and
        nothing after it is planned; it is sent again with the same webhook-id (at least
        once); then the due stage is planned once and arrives on its day once. No stage
        doubled or lost."""
        self.start()
        self.hook.set_rule(lambda b: hang(25) if b.get("stage") == "before-3" else None)
        received = future_monday()
        due = roll(received + 14 * DAY)
        first = add_working_days(due, -3)
        self.set_clock(local(received, "07:00"))
        self.register("K/21", rfc(local(received, "07:00")), handler="kari")
        # Only what is next is planned: before-3 alone, until it is first tried.
        self.assertEqual(self.stages("K/21"), [("before-3", "pending")])
        self.set_clock(local(first))
        self.hook.wait_in_flight(1)
        held = self.hook.all()
        self.assertEqual(len(held), 1)
        rid = held[0].body["reminder_id"]
        self.assertEqual(held[0].body["stage"], "before-3")
        self.restart(kill=True)
        self.hook.set_rule(None)
        self.hook.release()
        self.assertEqual(self.stages("K/21"), [("before-3", "pending")])
        g = self.reminder(rid)
        self.assertEqual((g["reminder"]["attempts"], g["attempts"]), (0, []))
        # On the wall clock nothing of the case is due; back to the test time.
        self.assertEqual(self.hook.quiet(0.3), [])
        self.set_clock(local(first, "08:01"))
        self.wait_state(rid, "sent")
        self.settle()
        reqs = self.due_stage_once("K/21", due, rid)
        before3 = [q for q in reqs if q.body["stage"] == "before-3"]
        self.assertEqual(len(before3), 2)
        self.assertEqual({q.webhook_id for q in before3}, {self.mid(rid)})
        self.assertEqual([q.status for q in before3], [500, 200])

    def test_sigkill_right_after_the_receiver_accepted(self):
        """SIGKILL right after the receiver answered 200 to before-3: before or after the
        daemon recorded the outcome (and planned the due stage in the same transaction),
        whichever the timing gives. Either way the due stage comes once, and before-3 is
        received once or twice, with the same webhook-id."""
        self.start()
        fired = []

        def kill(req):
            fired.append(req)
            os.kill(pid, signal.SIGKILL)

        received = future_monday()
        due = roll(received + 14 * DAY)
        first = add_working_days(due, -3)
        self.set_clock(local(received, "07:00"))
        self.register("K/22", rfc(local(received, "07:00")), handler="kari")
        pid = self.d.proc.pid
        self.hook.set_rule(lambda b: Answer(200, then=kill)
                           if b.get("stage") == "before-3" and not fired else None)
        self.set_clock(local(first))
        self.assertEqual(self.d.proc.wait(15), -signal.SIGKILL)
        self.assertEqual(len(fired), 1)
        self.assertTrue(fired[0].answered)
        rid = fired[0].body["reminder_id"]
        self.restart(kill=True)
        self.set_clock(local(first, "08:01"))
        self.wait_state(rid, "sent")
        self.settle()
        reqs = self.due_stage_once("K/22", due, rid)
        before3 = [q for q in reqs if q.body["stage"] == "before-3"]
        self.assertIn(len(before3), (1, 2))
        self.assertEqual({q.webhook_id for q in before3}, {self.mid(rid)})
        self.assertEqual([q.status for q in before3], [200] * len(before3))

    def test_second_sigint_exits_at_once(self):
        """SIGINT starts the drain, which waits for a delivery in flight; a second SIGINT
        ends the daemon at once (exit status 130), and the reminder stays pending."""
        self.start(hook_default=hang(25))
        received = future_monday()
        self.set_clock(local(received, "07:00"))
        self.register("K/9", rfc(local(received, "07:00")), handler="kari")
        self.set_clock(local(add_working_days(roll(received + 14 * DAY), -3)))
        self.hook.wait_in_flight(1)
        self.d.proc.send_signal(signal.SIGINT)
        self.d.wait_notify("STOPPING=1")
        time.sleep(0.5)
        self.assertIsNone(self.d.proc.poll(), "the drain did not wait for the delivery")
        t0 = time.monotonic()
        self.d.proc.send_signal(signal.SIGINT)
        self.assertEqual(self.d.proc.wait(10), 130)
        self.assertLess(time.monotonic() - t0, 2)
        self.assertIn("second SIGINT: exiting at once", self.d.log_text())
        self.hook.release()

    def test_sigkill_smtp_in_flight(self):
        self.start(webhook=False, smtp=True, channel="mail", smtp_delay=25, smtp_timeout=10,
                   addresses=MAIL_ADDRESSES)
        received = future_monday()
        self.set_clock(local(received, "07:00"))
        for ref in ("M/1", "M/2"):
            self.register(ref, rfc(local(received, "07:00")), handler="kari")
        first = add_working_days(roll(received + 14 * DAY), -3)
        self.set_clock(local(first))
        # One or both messages are held by the relay (the other may still wait its turn).
        self.smtp.wait_in_flight(1)
        time.sleep(0.5)
        held = {m.message["Message-ID"] for m in self.smtp.all()}
        self.assertIn(len(held), (1, 2))
        self.restart(kill=True)
        self.smtp.delay = 0
        self.smtp.release()
        self.set_clock(local(first, "08:01"))
        self.smtp.wait(lambda ms: len({m.message["Message-ID"] for m in ms if m.accepted}) == 2,
                       what="both messages accepted")
        self.settle()
        sent = {x["reference"]: x["id"] for x in self.reminders(state="sent")}
        self.assertEqual(sorted(sent), ["M/1", "M/2"])
        for m in self.smtp.all():
            ref = "M/1" if "M/1" in str(m.message["Subject"]) else "M/2"
            self.assertEqual(m.message["Message-ID"],
                             "<%s@kommune.example>" % self.mid(sent[ref]), m)
            self.assertEqual(m.rcpt_tos, ["kari@kommune.example"])
        self.assertTrue(held <= {m.message["Message-ID"] for m in self.smtp.all() if m.accepted})


    def test_catch_up_on_start(self):
        """What fell due while the daemon was down is sent when it starts: a reminder
        planned (on the test clock) for a day that is past on the wall clock, for a
        deadline still open on the wall clock, goes out at the start without any clock
        call."""
        today = datetime.datetime.now(OSLO).date()
        due = today + 2 * DAY
        while not is_working_day(due):
            due += DAY
        received = due - 14 * DAY
        first = add_working_days(due, -3)
        self.assertLess(first, today)
        self.start()
        self.set_clock(local(received, "07:00"))
        self.register("C/1", rfc(local(received, "07:00")), handler="kari")
        planned = [x for x in self.reminders() if x["stage"] == "before-3"]
        self.assertEqual([(x["occurrence"], x["state"]) for x in planned],
                         [(first.isoformat(), "pending")])
        self.assertEqual(self.hook.quiet(0.3), [])
        self.restart()
        self.assertEqual(self.call("Status")["clock_offset"], 0)
        q = self.hook.wait_delivered(1)[0]
        self.settle()
        self.assertEqual((q.body["case_reference"], q.body["stage"]), ("C/1", "before-3"))
        self.assertEqual(q.webhook_id, self.mid(planned[0]["id"]))
        self.assertLess(abs(q.timestamp - time.time()), 30)
        g = self.reminder(planned[0]["id"])
        self.assertEqual(g["reminder"]["state"], "sent")
        self.assertEqual([a["outcome"] for a in g["attempts"]], ["ok"])
        # The due stage (a future day) waits.
        self.assertEqual([x["state"] for x in self.reminders()
                          if x["kind"] == "processing" and x["stage"] == "due"], ["pending"])
        self.assertEqual(len(self.hook.all()), 1)


# --------------------------------------------------------------------------------------
# 5. Digests

class DigestTest(ReminderTestCase):
    """reminders.digest.recipients = ["handler"]: one digest a day per handler replaces
    single reminders to handlers."""

    def cases(self):
        self.set_clock(local(D(2026, 3, 5), "07:00"))
        # reference, handler, received, service
        cases = [("2026/501", "kari", D(2026, 3, 2), "okonomisk-stonad"),
                 ("2026/502", "kari", D(2026, 3, 5), "okonomisk-stonad"),
                 ("2026/503", "kari", D(2026, 2, 23), "okonomisk-stonad"),
                 ("2026/504", "ola", D(2026, 3, 2), "okonomisk-stonad"),
                 ("2026/505", "kari", D(2026, 3, 2), "kvalifiseringsprogram")]
        dues = {}
        for ref, handler, received, service in cases:
            r = self.register(ref, rfc(local(received, "07:00")), service=service,
                              handler=handler)
            dues[ref] = (handler, {d["kind"]: D.fromisoformat(d["due"])
                                   for d in r["deadlines"] if d["due"]})
        self.assertEqual(dues["2026/503"][1]["processing"], D(2026, 3, 9))
        return dues

    def expected(self, dues, day, days=7):
        """{recipient: [(due, kind, ref)]} listed on day."""
        out = {}
        for ref, (handler, kinds) in dues.items():
            for kind, due in kinds.items():
                if due <= day + days * DAY:
                    out.setdefault("handler:" + handler, []).append((due.isoformat(), kind, ref))
        return {k: sorted(v) for k, v in out.items()}

    def test_daily_digest_replaces_handler_reminders(self):
        self.start(digest=["handler"])
        dues = self.cases()
        # No single reminder is planned: every stage goes to the handler alone (no unit).
        self.assertEqual(self.reminders(), [])
        n = 0
        for day in (D(2026, 3, 6), D(2026, 3, 9), D(2026, 3, 10), D(2026, 3, 12)):
            exp = self.expected(dues, day)
            self.set_clock(local(day, "07:59"))
            time.sleep(0.15)
            self.assertEqual(self.hook.all()[n:], [], "digest before 08:00 on %s" % day)
            self.set_clock(local(day, "08:00"))
            if exp:
                self.hook.wait_requests(n + len(exp))
            self.settle()
            # Later the same day: no second digest.
            self.set_clock(local(day, "12:00"))
            time.sleep(0.2)
            self.settle()
            new = self.hook.all()[n:]
            n += len(new)
            self.assertEqual(sorted(q.body["recipient"] for q in new), sorted(exp), day)
            for q in new:
                b = q.body
                self.assertEqual(b["type"], "fristvakt.digest")
                self.assertEqual(b["stage"], "daily")
                self.assertEqual(q.webhook_id, self.mid(b["reminder_id"], "digest"))
                self.assertEqual(b["id"], q.webhook_id)
                items = sorted((i["due"], i["kind"], i["reference"]) for i in b["data"]["items"])
                self.assertEqual(items, exp[b["recipient"]], (day, b["recipient"]))
                self.assertEqual(b["message_subject"],
                                 "Fristoversikt %s for %s" % (words(day), b["recipient"]))
                self.assertIn("antall: %d" % len(items), b["message_text"])
                for due, kind, ref in items:
                    self.assertIn("%s: %s, %s\n" % (ref, LABELS[kind],
                                                      words(D.fromisoformat(due))),
                                  b["message_text"])
                self.assertGreaterEqual(q.daemon_time, int(local(day).timestamp()))
                self.assertLess(q.daemon_time, int(local(day, "08:01").timestamp()))
        on_10 = [q.body for q in self.hook.all() if q.body["recipient"] == "handler:kari"
                 and q.body["message_subject"].startswith("Fristoversikt tirsdag 10. mars 2026")]
        self.assertEqual(len(on_10), 1)
        # The overdue deadline of 2026/503 (due 9 March) and the one due 16 March.
        self.assertEqual([(i["reference"], i["due"]) for i in on_10[0]["data"]["items"]],
                         [("2026/503", "2026-03-09"), ("2026/501", "2026-03-16")])
        digests = self.reminders()
        self.assertTrue(all(x["kind"] == "digest" and x["state"] == "sent" for x in digests))
        self.assertEqual(len({(x["recipient"], x["occurrence"]) for x in digests}), len(digests))
        self.assertEqual([x for x in self.hook.all() if x.body["type"] != "fristvakt.digest"], [])

    def test_digests_planned_once_a_day(self):
        """The digest query (every open deadline) runs once a day, not on every scheduler
        run after send_time: later runs that day - here after clock moves and registrations,
        each of which wakes the scheduler - plan nothing and query nothing; the next day
        plans again."""
        self.start(digest=["handler"])
        self.cases()
        day = D(2026, 3, 10)
        self.set_clock(local(day))
        self.hook.wait_requests(2)
        self.settle()
        for i in range(6):
            at = local(day, "09:%02d" % i)
            self.set_clock(at)
            self.register("2026/59%d" % i, rfc(at), handler="kari")
        self.call("testing.AdvanceClock", {"seconds": 3600})
        time.sleep(0.3)
        self.settle()
        self.assertEqual(self.d.log_text().count("digests of 2026-03-10: "), 1,
                         "the digests of one day were planned more than once")
        self.assertEqual(len(self.hook.all()), 2)
        self.set_clock(local(day + DAY))
        self.hook.wait_requests(4)
        self.settle()
        self.assertEqual(self.d.log_text().count("digests of 2026-03-11: "), 1)
        self.assertIn("digests of 2026-03-11: 2 planned, for 2 recipients", self.d.log_text())

    def test_overdue_stays_in_digest_after_recompute(self):
        """A deadline past its due date and not met is "overdue" and stays in the digest,
        also after something recomputed the case (here a preliminary reply recorded in it,
        which does not meet the processing deadline)."""
        self.start(digest=["handler"])
        self.cases()
        self.set_clock(local(D(2026, 3, 10)))
        self.hook.wait_requests(2)
        kari = [q.body for q in self.hook.all() if q.body["recipient"] == "handler:kari"]
        self.assertIn("2026/503", [i["reference"] for i in kari[0]["data"]["items"]])
        self.set_clock(local(D(2026, 3, 10), "10:00"))
        r = self.rec("RecordPreliminaryReply", {"reference": "2026/503",
                                                "sent": rfc(local(D(2026, 3, 10), "10:00")),
                                                "promised": "2026-03-20"})
        p = self.deadline(r, "processing")
        self.assertEqual((p["due"], p["met_on"]), ("2026-03-09", None))
        self.set_clock(local(D(2026, 3, 11)))
        self.hook.wait_requests(4)
        kari = [q.body for q in self.hook.all() if q.body["recipient"] == "handler:kari"]
        self.assertEqual(kari[1]["message_subject"],
                         "Fristoversikt onsdag 11. mars 2026 for handler:kari")
        self.assertIn("2026/503", [i["reference"] for i in kari[1]["data"]["items"]],
                      "the overdue processing deadline of 2026/503 left the digest")


# --------------------------------------------------------------------------------------
# 6. DST days

class DstTest(ReminderTestCase):
    """send_time 02:30: on 29 March 2026 02:30 does not exist in Oslo (02:00 → 03:00), on
    25 October 2026 it occurs twice (03:00 → 02:00). The reminder due that day is sent
    exactly once."""

    @staticmethod
    def no_rollover(d):
        """Both days are Sundays, and an overridden last day rolls over to Monday (domstolloven
        § 149) under a rule that rolls: this daemon's processing norm for økonomisk stønad
        does not, so that the reminder falls on the Sunday of the clock change."""
        path = os.path.join(d.etc, "rules.conf")
        with open(path) as f:
            text = f.read()
        old = 'period = "14d";\n\t\t\t\tstart = "received";\n\t\t\t\trollover = "next_working_day";'
        assert old in text
        with open(path, "w") as f:
            f.write(text.replace(old, old.replace("next_working_day", "none"), 1))

    def due_on(self, ref, day):
        received = day - 10 * DAY
        self.set_clock(local(received, "12:00"))
        self.register(ref, rfc(local(received, "12:00")), handler="kari")
        r = self.rec("OverrideDeadline", {"reference": ref, "kind": "processing",
                                          "due": day.isoformat(), "reason": "test"})
        self.assertEqual(self.deadline(r, "processing")["due"], day.isoformat())
        # Only what is next is planned: the due stage once before-3 went out.
        self.set_clock(local(day - 2 * DAY, "12:00"))
        self.hook.wait(lambda rs: any(q.body["stage"] == "before-3" and
                                      q.body["case_reference"] == ref for q in rs),
                       what="before-3")
        self.settle()
        due = [x for x in self.reminders(reference=ref, state="pending")
               if x["kind"] == "processing" and x["stage"] == "due"]
        self.assertEqual(len(due), 1)
        return due[0]

    def test_spring_forward(self):
        self.start(send_time="02:30", prepare=self.no_rollover)
        day = D(2026, 3, 29)
        rem = self.due_on("2026/601", day)
        planned = instant(rem["planned"])
        self.assertEqual(rem["occurrence"], day.isoformat())
        # Not before the gap, not lost in it: 03:00 CEST (01:00 UTC), the first instant
        # at or after 02:30 that day.
        self.assertEqual(planned, datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
        self.set_clock(datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC))  # 01:59 CET
        time.sleep(0.3)
        n = len([q for q in self.hook.all() if q.body["stage"] == "due"])
        self.assertEqual(n, 0)
        self.set_clock(datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC))   # 03:00 CEST
        self.hook.wait(lambda rs: any(q.body["stage"] == "due" for q in rs), what="due")
        for t in ((1, 30), (2, 0), (5, 0), (23, 0)):
            self.set_clock(datetime.datetime(2026, 3, 29, *t, tzinfo=UTC))
        self.set_clock(local(day + DAY, "01:00"))
        time.sleep(0.3)
        dues = [q for q in self.hook.all() if q.body["stage"] == "due"]
        self.assertEqual(len(dues), 1)
        # Sent at once when the clock reached the planned instant (it runs on meanwhile).
        self.assertGreaterEqual(dues[0].daemon_time, int(planned.timestamp()))
        self.assertLess(dues[0].daemon_time, int(planned.timestamp()) + 10)
        self.assertEqual(self.reminder(rem["id"])["reminder"]["state"], "sent")

    def test_fall_back(self):
        self.start(send_time="02:30", prepare=self.no_rollover)
        day = D(2026, 10, 25)
        rem = self.due_on("2026/602", day)
        planned = instant(rem["planned"])
        # The first 02:30 (CEST, 00:30 UTC); the second (CET, 01:30 UTC) sends nothing.
        self.assertEqual(planned, datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
        self.set_clock(datetime.datetime(2026, 10, 25, 0, 29, tzinfo=UTC))
        time.sleep(0.3)
        self.assertEqual([q for q in self.hook.all() if q.body["stage"] == "due"], [])
        self.set_clock(datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
        self.hook.wait(lambda rs: any(q.body["stage"] == "due" for q in rs), what="due")
        for t in ((1, 29), (1, 30), (1, 31), (3, 0)):
            self.set_clock(datetime.datetime(2026, 10, 25, *t, tzinfo=UTC))
            time.sleep(0.1)
        self.set_clock(local(day + DAY, "03:00"))
        time.sleep(0.3)
        dues = [q for q in self.hook.all() if q.body["stage"] == "due"]
        self.assertEqual(len(dues), 1)
        # Sent at once when the clock reached the planned instant (it runs on meanwhile).
        self.assertGreaterEqual(dues[0].daemon_time, int(planned.timestamp()))
        self.assertLess(dues[0].daemon_time, int(planned.timestamp()) + 10)
        self.assertEqual(self.reminder(rem["id"])["reminder"]["state"], "sent")
        # The overdue stage the next day, also at 02:30 (CET now).
        overdue = [x for x in self.reminders(reference="2026/602")
                   if x["kind"] == "processing" and x["stage"] == "overdue"
                   and x["due"] == day.isoformat()]
        # The clock stands past it, so it was sent and the next day's is planned too.
        self.assertEqual(sorted(instant(x["planned"]) for x in overdue)[0],
                         datetime.datetime(2026, 10, 26, 1, 30, tzinfo=UTC))



class EmergencyTest(ReminderTestCase):
    """Nødhjelp (sosialtjenesteloven § 18, same day in practice) cannot wait for send_time:
    the shipped emergency policies remind at once and every three hours through the last
    day, counted from the moment the application was received."""

    def hours(self, ref, **kw):
        received = datetime.datetime(2026, 3, 7, 14, 20, tzinfo=OSLO)    # a Saturday
        self.set_clock(received)
        r = self.register(ref, rfc(received), handler="kari", unit="nav-sentrum", **kw)
        self.assertEqual(self.deadline(r, "processing")["due"], "2026-03-08")
        return received

    def test_nodhjelp_now_and_every_three_hours(self):
        self.start()
        received = self.hours("2026/701", service="nodhjelp")
        # At once, on a Saturday afternoon, to the handler and the unit.
        q = self.hook.wait(lambda rs: any(r.body["stage"] == "now" for r in rs), what="now")
        now = [r for r in q if r.body["stage"] == "now"][0]
        self.assertEqual(sorted(x["role"] for x in now.body["recipients"]), ["handler", "unit"])
        self.assertEqual(now.body["message_subject"],
                         "Nødhjelp: ny søknad i sak 2026/701 må avgjøres senest "
                         "søndag 8. mars 2026")
        # Sending "now" planned the next stage (only what is next is planned).
        self.settle()
        pend = [x for x in self.reminders(reference="2026/701", state="pending")
                if x["stage"] == "hours"]
        self.assertEqual([instant(x["planned"]) for x in pend],
                         [(received + 3 * HOUR).astimezone(UTC)])
        # 17:20 and 20:20: two more, one at a time, planned from the last.
        for k in (1, 2):
            self.set_clock(received + 3 * k * HOUR)
            self.hook.wait(lambda rs, k=k: sum(r.body["stage"] == "hours" for r in rs) == k,
                           what="hours reminder %d" % k)
            self.settle()
        # Decided at 21:00: nothing more.
        self.set_clock(received + 7 * HOUR)
        self.decide("2026/701", rfc(received + 7 * HOUR), reached=rfc(received + 7 * HOUR))
        self.set_clock(received + 12 * HOUR)
        time.sleep(0.3)
        self.settle()
        self.assertEqual(sum(r.body["stage"] == "hours" for r in self.hook.all()), 2)

    def test_flagged_emergency_uses_the_emergency_policy(self):
        self.start()
        self.hours("2026/702", service="okonomisk-stonad", emergency=True)
        self.hook.wait(lambda rs: any(r.body["stage"] == "now" for r in rs), what="now")
        self.settle()
        stages = {x["stage"] for x in self.reminders(reference="2026/702")}
        self.assertNotIn("before-3", stages)
        self.assertIn("hours", stages)


class PartyDeadlineReminderTest(ReminderTestCase):
    """The party's deadlines are not the office's breaches: nothing chases a complaint
    deadline that expired, and the digest lists the office's duties and the party's
    deadlines still open only."""

    def test_nothing_after_expiry(self):
        self.start(digest=["handler"])
        self.set_clock(local(D(2026, 3, 2), "07:00"))
        self.register("2026/801", rfc(local(D(2026, 3, 2), "07:00")), handler="kari")
        self.register("2026/803", rfc(local(D(2026, 3, 2), "07:00")), handler="kari")
        self.set_clock(local(D(2026, 3, 12), "07:00"))
        self.decide("2026/801", rfc(local(D(2026, 3, 10), "10:00")), reached="2026-03-12")
        # The complaint deadline of 2026/801 was 7 Apr; on 9 Apr the digest lists the
        # office's breaches in 2026/803 and not the expired complaint deadline.
        self.set_clock(local(D(2026, 4, 9), "07:59"))
        time.sleep(0.15)
        self.set_clock(local(D(2026, 4, 9), "08:00"))
        q = self.hook.wait(lambda rs: any(r.body["type"] == "fristvakt.digest" and
                                          "9. april" in r.body["message_subject"] for r in rs),
                           what="the digest of 9 April")
        digest = [r for r in q if "9. april" in r.body["message_subject"]][-1]
        items = {(i["reference"], i["kind"]) for i in digest.body["data"]["items"]}
        self.assertEqual(items, {("2026/803", "processing"), ("2026/803", "preliminary_reply")})
        self.settle()
        late = [x for x in self.reminders(reference="2026/801") if x["kind"] == "complaint"
                and D.fromisoformat(x["occurrence"][:10]) > D(2026, 4, 7)]
        self.assertEqual(late, [])

    def test_promised_date_is_chased(self):
        self.start()
        self.set_clock(local(D(2026, 3, 2), "07:00"))
        self.register("2026/802", rfc(local(D(2026, 3, 2), "07:00")), handler="kari",
                      unit="nav-sentrum")
        self.set_clock(local(D(2026, 3, 20), "07:00"))
        r = self.rec("RecordPreliminaryReply", {"reference": "2026/802",
                                                "sent": rfc(local(D(2026, 3, 20), "07:00")),
                                                "promised": "2026-04-10"})
        self.assertEqual(self.deadline(r, "promised")["due"], "2026-04-10")
        stages = sorted(x["stage"] for x in self.reminders(reference="2026/802")
                        if x["kind"] == "promised")
        # Only what is next is planned: before-3; each stage plans the one after it.
        self.assertEqual(stages, ["before-3"])
        self.set_clock(local(D(2026, 4, 10), "08:00"))
        q = self.hook.wait(lambda rs: any(r.body["deadline"]["kind"] == "promised" and
                                          r.body["stage"] == "due" for r in rs),
                           what="the promised date's due reminder")
        # The "before-3" reminder of 7 April goes out in the same jump, just before this
        # one: pick the due stage itself.
        due = [r for r in q if r.body.get("deadline", {}).get("kind") == "promised"
               and r.body["stage"] == "due"][-1]
        self.assertEqual(due.body["message_subject"],
                         "Lovet svardato i sak 2026/802 er i dag")


class PolicyReloadTest(ReminderTestCase):
    def test_a_stage_added_before_the_waiting_one_is_planned(self):
        """A reload adds "before-7" to the processing policy while a case's "before-3"
        waits: the new, earlier stage is planned for that case too and goes out on its day
        (7 working days before Monday 16 March: Thursday 5 March), and "before-3" still
        comes on its day (Wednesday 11 March), each once."""
        self.start()
        self.set_clock(local(D(2026, 3, 2), "09:00"))
        self.register("2026/901", rfc(local(D(2026, 3, 2), "09:00")), handler="kari")
        self.assertEqual([x["stage"] for x in self.reminders(reference="2026/901")
                          if x["kind"] == "processing"], ["before-3"])
        with open(self.d.config) as f:
            text = f.read()
        old = ('{ kind = "processing"; stages = (\n'
               '\t\t\t{ name = "before-3";')
        self.assertIn(old, text)
        text = text.replace(old, '{ kind = "processing"; stages = (\n'
                            '\t\t\t{ name = "before-7"; offset = -7; working_days = true; '
                            'recipients = ["handler"]; },\n\t\t\t{ name = "before-3";', 1)
        with open(self.d.config, "w") as f:
            f.write(text)
        self.set_clock(local(D(2026, 3, 3), "09:00"))
        self.d.cli("reload", check=0)
        # The reload recomputes every case in the background (the policy changed).
        deadline = time.monotonic() + 10
        while True:
            stages = {x["stage"]: x for x in self.reminders(reference="2026/901")
                      if x["kind"] == "processing"}
            if "before-7" in stages or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(stages["before-7"]["occurrence"], "2026-03-05")
        self.assertEqual(stages["before-3"]["state"], "pending")
        for day, stage in ((D(2026, 3, 5), "before-7"), (D(2026, 3, 11), "before-3")):
            self.set_clock(local(day))
            self.hook.wait(lambda rs, stage=stage: any(r.body["stage"] == stage for r in rs),
                           what=stage)
            self.settle()
        got = [r.body["stage"] for r in self.hook.all()
               if r.body["deadline"]["kind"] == "processing"]
        self.assertEqual(got, ["before-7", "before-3"])

if __name__ == "__main__":
    main()
