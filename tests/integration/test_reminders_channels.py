# SPDX-License-Identifier: GPL-3.0-or-later
"""Reminder channels and delivery outcomes through the real daemon: e-mail
over SMTP (threads per case, every recipient with an address, notices to the
administrators by e-mail), signatures during a secret rotation, the webhook transfer
itself (certificate verification, HTTP/1.1, redirects not followed, the per-channel
concurrency limit), 429/503 with Retry-After, 410 Gone disabling a channel, dead
reminders, messages that cannot be rendered, templates that fail at render time or at
load, the CLI's reminder and template commands, and the test clock's absence in
production.

ReminderTestCase (test_reminders.py) starts the daemon with receivers on 127.0.0.1
(receivers.py) and the test clock.
"""

import datetime
import email.utils
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import test_reminders as base
from fvtest import FRISTVAKTD, Daemon, DaemonTest, main
from receivers import (Answer, redirect, reminder_subst, self_signed_certificate, sign,
                       smtp_channel, webhook_channel, write_secret)
from test_reminders import (D, DAY, MAIL_ADDRESSES, UTC, add_working_days, instant, local, rfc,
                            roll)

PREFIX = "no.fristvakt."


class ChannelTestCase(base.ReminderTestCase):
    def one(self, **filters):
        found = self.reminders(**filters)
        self.assertEqual(len(found), 1, found)
        return found[0]


# --------------------------------------------------------------------------------------
# 4. SMTP

class SmtpTest(ChannelTestCase):
    def test_complaint_reminders_by_mail(self):
        self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        ref = "2026/401"
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "09:00"))
        r = self.register(ref, rfc(local(day0, "09:00")), handler="Kari Nordmann",
                          contact={"email": "soker@example.no", "consent": True})
        self.assertTrue(r["case"]["has_contact"])
        r = self.decide(ref, rfc(local(day0, "10:00")), reached=day0.isoformat(),
                        outcome="avslatt")
        due = D.fromisoformat(self.deadline(r, "complaint")["due"])
        self.assertEqual(due, roll(day0 + 21 * DAY))
        self.assertEqual(due, D(2026, 3, 23))
        pending = self.reminders(state="pending")
        b7, b1 = add_working_days(due, -7), add_working_days(due, -1)
        self.assertEqual((b7, b1), (D(2026, 3, 12), D(2026, 3, 20)))
        # The applicant gets messages of their own: staff and applicant never share a To.
        # Only what is next is planned: each series' first stage (the others when the one
        # before them went out, below).
        self.assertEqual(sorted((x["kind"], x["stage"], x["occurrence"], tuple(x["recipients"]))
                                for x in pending),
                         [("complaint", "before-7", b7.isoformat(), ("applicant",)),
                          ("complaint", "before-7", b7.isoformat(), ("handler",))])
        handler = "Kari.Nordmann@kommune.example"
        applicant = "soker@example.no"
        # Dates as people write them; the applicant gets a text of their own.
        subject = "Klagefristen i sak 2026/401 går ut mandag 23. mars 2026"
        to_party = "Klagefristen for vedtaket i sak 2026/401 går ut mandag 23. mars 2026"
        want = {b7: [("before-7", "handler", handler, subject),
                     ("before-7", "applicant", applicant, to_party)],
                b1: [("before-1", "applicant", applicant, to_party)],
                due: [("due", "handler", handler, "Klagefristen i sak 2026/401 går ut i dag"),
                      ("due", "applicant", applicant,
                       "Klagefristen for vedtaket i sak 2026/401 går ut i dag")]}
        n = 0
        for day, expected in sorted(want.items()):
            self.set_clock(local(day, "07:59"))
            time.sleep(0.1)
            self.assertEqual(len(self.smtp.all()), n)
            self.set_clock(local(day))
            self.smtp.wait_accepted(n + len(expected))
            self.settle()
            got = self.smtp.all()[n:]
            n += len(got)
            self.assertEqual(len(got), len(expected), got)
            ids = {(x["stage"], x["recipients"][0]): x["id"]
                   for x in self.reminders(reference=ref) if x["state"] == "sent"}
            by_id = {m.message["Message-ID"]: m for m in got}
            for stage, role, addr, subj in expected:
                mid = "<%s@kommune.example>" % self.mid(ids[(stage, role)])
                self.assertIn(mid, by_id, (stage, role))
                m = by_id[mid]
                msg = m.message
                self.assertEqual(m.mail_from, "fristvakt@kommune.example")
                self.assertEqual(m.rcpt_tos, [addr])
                self.assertEqual(str(msg["To"]), addr)
                self.assertEqual(str(msg["From"]), "fristvakt@kommune.example")
                # A UTF-8 subject, RFC 2047 encoded on the wire, decoded here.
                # One prefix for every mail of the case, so mail clients thread it.
                self.assertEqual(str(msg["Subject"]), "[fristvakt 2026/401] " + subj)
                self.assertIn("å", str(msg["Subject"]))
                self.assertIn(b"\r\nSubject: =?UTF-8?B?", m.raw)
                # The reference in the thread's id: "/" is written =2F.
                self.assertEqual(msg["In-Reply-To"],
                                 "<fristvakt-case-2026=2F401.%s@kommune.example>" % self.inst)
                self.assertEqual(msg["References"],
                                 "<fristvakt-case-2026=2F401.%s@kommune.example>" % self.inst)
                self.assertEqual(msg["Auto-Submitted"], "auto-generated")
                self.assertEqual(msg.get_content_type(), "text/plain")
                self.assertEqual(msg.get_content_charset(), "utf-8")
                # The real time, not the test clock's.
                date = email.utils.parsedate_to_datetime(str(msg["Date"]))
                self.assertLess(abs(date.timestamp() - time.time()), 60)
                text = msg.get_content()
                self.assertIn("mandag 23. mars 2026", text)
                self.assertNotIn("2026-03-23", text)
                if role == "applicant":
                    # Where to send it (fvl. § 32), help with writing it (fvl. § 11), a
                    # longer deadline, and where it goes next (sosialtjenesteloven § 48).
                    self.assertIn("Send klagen til kontoret som traff vedtaket.", text)
                    self.assertIn("Kontoret kan hjelpe deg med å skrive klagen.", text)
                    self.assertIn("be kontoret om å forlenge fristen før den går ut", text)
                    self.assertIn("Omgjør ikke kontoret vedtaket i sin helhet, sender det "
                                  "klagen til Statsforvalteren.", text)
                else:
                    self.assertIn("Klagefristen for vedtaket i sak 2026/401 går ut", text)
                self.assertIn("Dette er en automatisk påminnelse fra fristvakt.", text)
                # Written for the applicant too: no service, handler or unit.
                self.assertNotIn("Økonomisk stønad", text)
                self.assertNotIn("Kari", text)
        mails = self.smtp.all()
        self.assertEqual(len(mails), 5)
        self.assertEqual(len({m.message["Message-ID"] for m in mails}), 5)
        self.assertEqual({m.message["References"] for m in mails},
                         {"<fristvakt-case-2026=2F401.%s@kommune.example>" % self.inst})
        self.assertEqual({m.message["In-Reply-To"] for m in mails},
                         {"<fristvakt-case-2026=2F401.%s@kommune.example>" % self.inst})
        for rid in ids.values():
            g = self.reminder(rid)
            self.assertEqual(g["reminder"]["state"], "sent")
            self.assertEqual([(a["outcome"], a["code"], a["channel"]) for a in g["attempts"]],
                             [("ok", 250, "mail")])

    def test_slow_relay_within_timeout(self):
        """A relay that takes 3 s to accept each message, the channel's timeout 5 s and its
        concurrency 2: both messages due at once are accepted at the first attempt, and the
        daemon answers calls meanwhile (a loop held by the transfer would answer only when
        the relay does; the margin leaves room for a loaded machine)."""
        self.start(webhook=False, smtp=True, channel="mail", smtp_delay=3, smtp_timeout=5,
                   addresses=MAIL_ADDRESSES)
        day = self.case_with_before3("2026/411", handler="kari")
        self.case_with_before3("2026/412", handler="ola")
        self.set_clock(local(day))
        # While the relay holds the messages the daemon keeps answering.
        self.smtp.wait_in_flight(1)
        t0 = time.monotonic()
        self.call("Status")
        self.assertLess(time.monotonic() - t0, 1.5, "the daemon stalled while the relay "
                                                    "held a message")
        self.smtp.wait_accepted(2, timeout=20)
        self.settle(timeout=20)
        for x in self.reminders():
            if x["occurrence"] != day.isoformat():
                continue
            g = self.reminder(x["id"])
            self.assertEqual([(a["outcome"], a["code"], a["error"]) for a in g["attempts"]],
                             [("ok", 250, None)], x["reference"])
        self.assertEqual(len(self.smtp.all()), 2, "the relay got a message twice")


    def test_references_thread_apart(self):
        """References that differ only in their punctuation ("2026/421", "2026-421",
        "2026.421", "2026:421", "2026_421") are different threads: the thread id keeps
        letters and digits and writes every other byte as =HH (RFC 5322 atext; "=" itself
        would be =3D)."""
        self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        want = {"2026/421": "2026=2F421", "2026-421": "2026=2D421", "2026.421": "2026=2E421",
                "2026:421": "2026=3A421", "2026_421": "2026=5F421"}
        for ref in want:
            day = self.case_with_before3(ref, handler="kari")
        self.set_clock(local(day))
        mails = self.smtp.wait_accepted(len(want))
        self.settle()
        self.assertEqual(len(mails), len(want))
        got = {}
        for m in mails:
            # "[fristvakt REF] Saksbehandlingsfrist i sak REF går ut ..."
            ref = str(m.message["Subject"]).split(" ")[5]
            got[ref] = m.message["References"]
            self.assertEqual(m.message["In-Reply-To"], m.message["References"])
        self.assertEqual(got, {ref: "<fristvakt-case-%s.%s@kommune.example>" % (enc, self.inst)
                               for ref, enc in want.items()})

    def test_every_recipient_needs_an_address(self):
        """On an smtp reminder channel, a stage whose role has no address pattern is
        refused at load with its line, not a message without a recipient that dies after
        three days; so is an smtp admin_channel without the administrators' address."""
        d = Daemon()
        self.addCleanup(d.cleanup)
        mail = smtp_channel("mail", "smtp://127.0.0.1:9")
        d.write_config(reminder_subst(channels=[mail], channel="mail",
                                      addresses={"handler": "{handler}@kommune.example",
                                                 "unit": "{unit}@kommune.example"}))
        with open(d.config) as f:
            line = next(i for i, l in enumerate(f, 1) if 'name = "escalation"' in l)
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("fristvakt.conf:%d: stage 'escalation' of kind 'processing' sends to "
                      "the supervisor on the smtp channel 'mail': set 'supervisor' in "
                      "'addresses'" % line, p.stderr)
        d.write_config(reminder_subst(channels=[mail], admin_channel="mail"))
        with open(d.config) as f:
            line = next(i for i, l in enumerate(f, 1) if "admin_channel = " in l)
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("fristvakt.conf:%d: admin_channel 'mail' sends e-mail: set 'admin' in "
                      "'addresses'" % line, p.stderr)
        d.write_config(reminder_subst(channels=[mail], channel="mail", admin_channel="mail",
                                      addresses=dict(MAIL_ADDRESSES,
                                                     admin="drift@kommune.example")))
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_applicant_without_email(self):
        """An applicant who consented with a phone number only gets no e-mail reminders:
        they are recorded cancelled with the reason when planned, and never attempted;
        the handler's go out."""
        self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        ref = "2026/431"
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "09:00"))
        r = self.register(ref, rfc(local(day0, "09:00")), handler="kari",
                          contact={"phone": "+47 912 34 567", "consent": True})
        self.assertTrue(r["case"]["has_contact"])
        r = self.decide(ref, rfc(local(day0, "10:00")), reached=day0.isoformat(),
                        outcome="avslatt")
        due = D.fromisoformat(self.deadline(r, "complaint")["due"])
        complaint = [x for x in self.reminders(reference=ref) if x["kind"] == "complaint"]
        self.assertEqual(sorted((x["stage"], x["recipients"][0], x["state"]) for x in complaint),
                         [("before-1", "applicant", "cancelled"),
                          ("before-7", "applicant", "cancelled"),
                          ("before-7", "handler", "pending"),
                          ("due", "applicant", "cancelled")])
        for x in complaint:
            if x["recipients"] == ["applicant"]:
                self.assertIn("no e-mail address", x["last_error"])
                self.assertEqual(x["attempts"], 0)
        unsent = [x for x in complaint if x["recipients"] == ["applicant"]][0]
        p = self.d.cli("--lang", "en", "reminders", "show", str(unsent["id"]), check=0)
        self.assertIn("reminder %d: cancelled\n" % unsent["id"], p.stdout)
        self.assertIn("no e-mail address", p.stdout)
        self.set_clock(local(due))
        mails = self.smtp.wait_accepted(2)
        self.settle()
        self.assertEqual(len(self.smtp.all()), 2)
        self.assertEqual([m.rcpt_tos for m in mails], [["kari@kommune.example"]] * 2)
        self.assertEqual(self.reminders(state="failed"), [])
        self.assertEqual(self.reminders(state="dead"), [])


class AdminMailTest(ChannelTestCase):
    def test_notice_by_mail(self):
        """An smtp admin_channel: the notice of a channel disabled by 410 goes to
        addresses.admin and is sent (before, it had no To: and died after three days)."""
        self.start(smtp=True, admin_channel="mail", addresses={"admin": "drift@kommune.example"})
        day = self.case_with_before3("2026/741", handler="kari")
        self.hook.push(410)
        self.set_clock(local(day))
        self.hook.wait_requests(1)
        self.disabled.add("hook")
        m = self.smtp.wait_accepted(1)[0]
        self.settle()
        notice = [x for x in self.reminders() if x["kind"] == "admin"]
        self.assertEqual(len(notice), 1, notice)
        n = self.wait_state(notice[0]["id"], "sent")
        self.assertEqual((n["stage"], n["channel"]), ("endpoint_disabled", "mail"))
        self.assertEqual(m.rcpt_tos, ["drift@kommune.example"])
        self.assertEqual(str(m.message["To"]), "drift@kommune.example")
        self.assertEqual(m.message["Message-ID"],
                         "<%s@kommune.example>" % self.mid(n["id"], "admin"))
        self.assertIn("hook", str(m.message["Subject"]))
        self.assertEqual([(a["outcome"], a["code"]) for a in self.reminder(n["id"])["attempts"]],
                         [("ok", 250)])


# --------------------------------------------------------------------------------------
# The webhook transfer: TLS, HTTP/1.1, redirects, concurrency

class WebhookTransferTest(ChannelTestCase):
    def test_redirect_not_followed(self):
        """A 302 answer is a failed attempt (retried on the schedule); its Location is not
        fetched."""
        self.start(retry={"first": 60, "give_up": 3600})
        day = self.case_with_before3("2026/751", handler="kari")
        self.hook.push(redirect(302))
        self.set_clock(local(day))
        self.hook.wait_requests(1)
        self.settle()
        rem = self.one(state="failed")
        g = self.reminder(rem["id"])
        self.assertEqual([(a["outcome"], a["code"]) for a in g["attempts"]], [("retry", 302)])
        self.assertIn("redirects are not followed", g["attempts"][0]["error"])
        self.assertGreater(instant(g["reminder"]["next_attempt"]), instant(g["attempts"][0]["at"]))
        self.assertEqual(self.hook.quiet(0.5), [])
        self.assertEqual(self.hook.redirected, [], "the redirect was followed")
        self.assertEqual([q.version for q in self.hook.all()], ["HTTP/1.1"])
        # The retry goes to the configured URL again, and is accepted there.
        self.call("testing.AdvanceClock", {"seconds": 80})
        self.hook.wait_delivered(1)
        self.settle()
        self.assertEqual(self.reminder(rem["id"])["reminder"]["state"], "sent")
        self.assertEqual(self.hook.redirected, [])

    def test_concurrency_limit(self):
        """Eight reminders due at once on a channel with concurrency = 2, each held 0.5 s
        by the receiver: never more than two requests in flight, and all delivered."""
        self.start(hook_concurrency=2, hook_default=Answer(200, hang=0.5))
        day = None
        for i in range(8):
            day = self.case_with_before3("2026/76%d" % i, handler="h%d" % i)
        self.set_clock(local(day))
        self.hook.wait(lambda rs: len(rs) >= 8 and self.hook.in_flight == 0, timeout=20,
                       what="8 requests answered")
        self.settle(timeout=20)
        self.assertEqual(self.hook.max_in_flight, 2)
        self.assertEqual(len(self.hook.all()), 8)
        self.assertEqual({q.version for q in self.hook.all()}, {"HTTP/1.1"})
        sent = [x for x in self.reminders(state="sent") if x["stage"] == "before-3"]
        self.assertEqual(len(sent), 8)

    def test_certificate_verified(self):
        """https:// to a receiver whose certificate no trusted CA signed: the attempt fails
        on the certificate and no request arrives; with the certificate as ca_file the
        same receiver gets the reminder."""
        tmp = tempfile.mkdtemp(prefix="fristvakt-tls-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cert, key = self_signed_certificate(tmp)
        self.start(hook_tls=(cert, key), retry={"first": 60, "give_up": 3600})
        self.assertTrue(self.hook.url.startswith("https://127.0.0.1:"))
        day = self.case_with_before3("2026/771", handler="kari")
        self.set_clock(local(day))
        deadline = time.monotonic() + 10
        while not self.reminders(state="failed"):
            self.assertLess(time.monotonic(), deadline, "no failed attempt")
            time.sleep(0.1)
        rem = self.one(state="failed")
        a = self.reminder(rem["id"])["attempts"]
        self.assertEqual([x["outcome"] for x in a], ["retry"])
        self.assertIn(a[0]["code"], (None, 0))
        self.assertIn("certificate", a[0]["error"])
        self.assertEqual(self.hook.all(), [])
        # Trusted through ca_file: delivered.
        self.hook.close()
        self.d.stop()
        self.start(hook_tls=(cert, key), hook_ca=cert)
        day = self.case_with_before3("2026/772", handler="kari")
        self.set_clock(local(day))
        q = self.hook.wait_delivered(1)[0]
        self.assertEqual((q.body["case_reference"], q.version), ("2026/772", "HTTP/1.1"))


# --------------------------------------------------------------------------------------
# Signatures

class SignatureTest(ChannelTestCase):
    def test_rotation_signs_with_both_secrets(self):
        self.start(rotate=True)
        day = self.case_with_before3("2026/301", handler="kari")
        self.set_clock(local(day))
        q = self.hook.wait_delivered(1)[0]
        new, old = self.secrets
        self.assertEqual(q.signatures, [sign(new, q.webhook_id, q.timestamp, q.raw),
                                        sign(old, q.webhook_id, q.timestamp, q.raw)])
        self.assertGreaterEqual(q.daemon_time, int(local(day).timestamp()))
        self.assertLess(q.daemon_time, int(local(day).timestamp()) + 10)

    def test_secret_file_checked_at_load(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        path = os.path.join(d.dir, "short.secret")
        with open(path, "w") as f:
            f.write("whsec_" + "QUJD" + "\n")     # 3 bytes
        os.chmod(path, 0o600)
        d.write_config(reminder_subst(channels=[webhook_channel("hook", "http://127.0.0.1:9/x",
                                                                path)], channel="hook"))
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"fristvakt\.conf:\d+: the secret in '.*short\.secret' "
                                   r"decodes to 3 bytes")
        # Plain http only on the loopback interface.
        path, _ = write_secret(d.dir)
        d.write_config(reminder_subst(channels=[webhook_channel(
            "hook", "http://hooks.kommune.example/x", path)], channel="hook"))
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"fristvakt\.conf:\d+: ")

    def test_channel_on_one_line(self):
        """A channel written on one line, with connect_timeout and timeout of different
        values, is a valid configuration."""
        d = Daemon()
        self.addCleanup(d.cleanup)
        path, _ = write_secret(d.dir)
        line = ('{ name = "hook"; type = "webhook"; url = "http://127.0.0.1:9/x"; '
                'secret_file = "%s"; connect_timeout = 5; timeout = 10; }' % path)
        d.write_config(reminder_subst(channels=[line], channel="hook"))
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)


# --------------------------------------------------------------------------------------
# 7. 429/503 with Retry-After, 410 Gone

class ThrottleTest(ChannelTestCase):
    def test_retry_after_honoured(self):
        self.start(retry={"give_up": 3600})
        day = self.case_with_before3("2026/701", handler="kari")
        at = local(day)
        self.hook.push((429, 600))
        self.set_clock(at)
        self.hook.wait_requests(1)
        self.settle()
        rem = self.one(state="failed")
        g = self.reminder(rem["id"])
        a = g["attempts"][0]
        self.assertEqual((a["outcome"], a["code"], a["error"]), ("retry", 429, "HTTP 429"))
        # Not the backoff (first = 5 s) but Retry-After: 600 s after the attempt.
        self.assertEqual(instant(g["reminder"]["next_attempt"]) - instant(a["at"]),
                         datetime.timedelta(seconds=600))
        self.call("testing.AdvanceClock", {"seconds": 300})
        self.assertEqual(self.hook.quiet(0.5), [])
        # Then 503 with an HTTP-date 120 s ahead of the receiver's (real) clock: the daemon
        # compares it with the real time, not the test clock's.
        self.hook.push((503, email.utils.formatdate(time.time() + 120, usegmt=True)))
        self.call("testing.AdvanceClock", {"seconds": 305})
        self.hook.wait_requests(2)
        self.settle()
        g = self.reminder(rem["id"])
        a = g["attempts"][1]
        self.assertEqual((a["outcome"], a["code"]), ("retry", 503))
        wait = instant(g["reminder"]["next_attempt"]) - instant(a["at"])
        self.assertGreaterEqual(wait, datetime.timedelta(seconds=110))
        self.assertLessEqual(wait, datetime.timedelta(seconds=121))
        self.call("testing.AdvanceClock", {"seconds": 60})
        self.assertEqual(self.hook.quiet(0.5), [])
        self.call("testing.AdvanceClock", {"seconds": 70})
        self.hook.wait_delivered(1)
        self.settle()
        reqs = self.hook.all()
        self.assertEqual([q.status for q in reqs], [429, 503, 200])
        self.assertEqual({q.webhook_id for q in reqs}, {self.mid(rem["id"])})
        self.assertGreaterEqual(reqs[1].daemon_time - reqs[0].daemon_time, 600)
        self.assertGreaterEqual(reqs[2].daemon_time - reqs[1].daemon_time, 110)
        g = self.reminder(rem["id"])
        self.assertEqual([(a["outcome"], a["code"]) for a in g["attempts"]],
                         [("retry", 429), ("retry", 503), ("ok", 200)])
        self.assertEqual(g["reminder"]["state"], "sent")

    def test_gone_disables_channel_until_enabled(self):
        self.start(admin_channel="log")
        day_a = self.case_with_before3("2026/711", handler="kari")
        day_b = self.case_with_before3("2026/712", received=D(2026, 3, 3), handler="ola")
        self.assertEqual(day_b, day_a + DAY)
        self.hook.push(410)
        self.set_clock(local(day_a))
        self.hook.wait_requests(1)
        self.disabled.add("hook")
        self.settle()
        a = [x for x in self.reminders(reference="2026/711") if x["stage"] == "before-3"][0]
        a = self.wait_state(a["id"], "failed")
        g = self.reminder(a["id"])
        self.assertEqual([(x["outcome"], x["code"]) for x in g["attempts"]], [("gone", 410)])
        # The notice to the administrators, on the admin channel (the log).
        notice = [x for x in self.reminders() if x["kind"] == "admin"]
        self.assertEqual(len(notice), 1, notice)
        n = notice[0]
        self.assertEqual((n["stage"], n["recipient"], n["channel"], n["reference"]),
                         ("endpoint_disabled", "hook", "log", None))
        self.assertEqual(n["data"]["channel"], "hook")
        self.assertEqual(n["data"]["reminder"], a["id"])
        self.wait_state(n["id"], "sent")
        log = self.d.log_text()
        self.assertIn("%s: fristvakt: kanalen hook er slått av" % self.mid(n["id"], "admin"), log)
        self.assertIn("channel hook: the receiver answered 410 Gone", log)
        # The disabled channel carries nothing: B's reminder the next day stays pending.
        self.set_clock(local(day_b, "09:00"))
        self.assertEqual(self.hook.quiet(0.5), [])
        b = [x for x in self.reminders(reference="2026/712") if x["stage"] == "before-3"][0]
        self.assertEqual((b["state"], b["attempts"]), ("pending", 0))
        # A retry does not release the channel (write role); an administrator enables it
        # (admin role, audited): A and B go out.
        p = self.d.cli("--lang", "en", "reminders", "retry", str(a["id"]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no.fristvakt.ChannelDisabled", p.stderr)
        self.assertIn("fristvakt channel enable", p.stderr)
        self.assertEqual(self.hook.quiet(0.3), [])
        self.d.cli("--lang", "en", "channel", "enable", "hook", check=0)
        self.disabled.clear()
        self.hook.wait_delivered(2)
        self.settle()
        self.assertEqual(sorted(q.body["case_reference"] for q in self.hook.delivered()),
                         ["2026/711", "2026/712"])
        g = self.reminder(a["id"])
        self.assertEqual([(x["outcome"], x["code"]) for x in g["attempts"]],
                         [("gone", 410), ("ok", 200)])
        self.assertEqual(g["reminder"]["state"], "sent")
        self.assertEqual(self.reminder(b["id"])["reminder"]["state"], "sent")
        self.assertEqual({q.webhook_id for q in self.hook.all()
                          if q.body["case_reference"] == "2026/711"},
                         {self.mid(a["id"])})
        audit = self.call("ListAudit", {"reference": "channel:hook"})["entries"]
        self.assertEqual([e["method"] for e in audit], [PREFIX + "EnableChannel"])


# --------------------------------------------------------------------------------------
# 8. Dead reminders

class DeadTest(ChannelTestCase):
    def test_dead_after_give_up(self):
        self.start(hook_default=500, admin_channel="log",
                   retry={"first": 5, "factor": 200, "max_interval": 60, "give_up": 600})
        day = self.case_with_before3("2026/801", handler="kari")
        self.set_clock(local(day))
        self.hook.wait_requests(1)
        self.settle()
        for _ in range(7):
            self.call("testing.AdvanceClock", {"seconds": 100})
            self.settle()
        rem = self.one(state="dead")
        self.assertEqual((rem["reference"], rem["kind"], rem["stage"]),
                         ("2026/801", "processing", "before-3"))
        g = self.reminder(rem["id"])
        attempts = g["attempts"]
        self.assertGreaterEqual(len(attempts), 5)
        self.assertEqual({(a["outcome"], a["code"]) for a in attempts}, {("retry", 500)})
        self.assertGreaterEqual(instant(attempts[-1]["at"]) - instant(attempts[0]["at"]),
                                datetime.timedelta(seconds=600))
        self.assertEqual(g["reminder"]["attempts"], len(attempts))
        self.assertEqual(len(self.hook.all()), len(attempts))
        self.assertEqual(g["reminder"]["last_error"], "HTTP 500")
        # The notice.
        notices = [x for x in self.reminders() if x["kind"] == "admin"]
        self.assertEqual(len(notices), 1, notices)
        n = notices[0]
        self.assertEqual((n["stage"], n["recipient"], n["channel"]),
                         ("dead", "reminder:%d" % rem["id"], "log"))
        self.assertEqual(n["data"]["reminder"], rem["id"])
        self.assertEqual(n["data"]["reference"], "2026/801")
        self.assertEqual(n["data"]["error"], "HTTP 500")
        self.assertIn("fristvakt: påminnelse i sak 2026/801 kunne ikke leveres",
                      self.d.log_text())
        # The text names the stage that went dead, not the notice's own.
        self.assertEqual(n["data"]["stage"], "before-3")
        self.assertIn("(trinn: before-3)", self.d.log_text())
        self.assertIn("reminder %d on hook is dead after %d attempts"
                      % (rem["id"], len(attempts)), self.d.log_text())
        # No more attempts.
        self.call("testing.AdvanceClock", {"seconds": 3600})
        self.assertEqual(self.hook.quiet(0.5), [])
        # The CLI lists it.
        p = self.d.cli("--lang", "en", "reminders", "--state", "dead", check=0)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^ID\s+STATE\s+WHEN\s+CASE\s+KIND\s+STAGE\s+CHANNEL$")
        self.assertEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[1], r"^\s*%d\s+dead\s+.*\s2026/801\s+processing\s+before-3\s+hook$"
                         % rem["id"])
        j = self.d.cli_json("reminders", "list", "--state", "dead")
        self.assertEqual([x["id"] for x in j["reminders"]], [rem["id"]])
        p = self.d.cli("--lang", "en", "reminders", "show", str(rem["id"]), check=0)
        self.assertIn("reminder %d: dead\n" % rem["id"], p.stdout)
        self.assertRegex(p.stdout, r"\n  case\s+2026/801\n")
        self.assertRegex(p.stdout, r"\n  deadline\s+processing \(subject \d+\), due 2026-03-16\n")
        self.assertRegex(p.stdout, r"\n  stage\s+before-3, for 2026-03-11\n")
        self.assertRegex(p.stdout, r"\n  channel\s+hook\n")
        self.assertRegex(p.stdout, r"\n  last error\s+HTTP 500\n")
        self.assertRegex(p.stdout, r"\n  attempts\s+%d\n" % len(attempts))
        self.assertEqual(p.stdout.count(" retry "), len(attempts))
        self.assertEqual(p.stdout.count("code 500"), len(attempts))
        # A dead reminder can be sent again.
        self.hook.set_default(200)
        self.call("RetryReminder", {"id": rem["id"]})
        self.hook.wait_delivered(1)
        self.settle()
        self.assertEqual(self.reminder(rem["id"])["reminder"]["state"], "sent")
        err = self.c.call(PREFIX + "RetryReminder", {"id": rem["id"]})
        self.assertEqual(err["error"], PREFIX + "ReminderNotRetryable")
        self.assertEqual(err["parameters"], {"id": rem["id"], "state": "sent"})
        err = self.c.call(PREFIX + "GetReminder", {"id": 99999})
        self.assertEqual(err["error"], PREFIX + "ReminderNotFound")


# --------------------------------------------------------------------------------------
# Messages that cannot be rendered

class RenderFailureTest(ChannelTestCase):
    def test_render_failure_is_an_attempt(self):
        """A reminder whose message cannot be rendered (here its case row is gone from the
        database) is a failed attempt on the retry schedule: not handed over again every
        second with a log line each time."""
        self.start(retry={"first": 60, "give_up": 3600})
        day = self.case_with_before3("2026/951", handler="kari")
        rid = [x for x in self.reminders(reference="2026/951") if x["stage"] == "before-3"][0]["id"]
        db = self.d.db()
        try:
            db.execute("PRAGMA foreign_keys = OFF")
            db.execute("UPDATE reminders SET case_id = 999999 WHERE id = ?", (rid,))
            db.commit()
        finally:
            db.close()
        self.set_clock(local(day))
        deadline = time.monotonic() + 10
        while not self.reminder(rid)["attempts"]:
            self.assertLess(time.monotonic(), deadline, "no attempt recorded:\n"
                            + self.d.log_text()[-2000:])
            time.sleep(0.1)
        time.sleep(3)
        g = self.reminder(rid)
        self.assertEqual([a["outcome"] for a in g["attempts"]], ["retry"])
        self.assertIn("could not be rendered", g["attempts"][0]["error"])
        self.assertEqual(g["reminder"]["state"], "failed")
        wait = instant(g["reminder"]["next_attempt"]) - instant(g["attempts"][0]["at"])
        self.assertGreaterEqual(wait, datetime.timedelta(seconds=40))
        self.assertEqual(self.d.log_text().count("reminder %d: the message could not be "
                                                 "rendered" % rid), 1)
        self.assertEqual(self.hook.all(), [])


# --------------------------------------------------------------------------------------
# 9. Templates

class TemplateTest(ChannelTestCase):
    def edit_template(self, d, name, old, new):
        path = os.path.join(d.etc, "templates", "nb", name)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
        return path

    def test_render_failure_falls_back(self):
        # The texts use {{handler}}; the case has none.
        def prepare(d):
            for name in ("complaint.before.txt", "applicant.complaint.txt"):
                self.edit_template(d, name, "Dager igjen: {{days_left}}",
                                   "Dager igjen: {{days_left}}\nSaksbehandler: {{handler}}")
        self.start(prepare=prepare)
        ref = "2026/901"
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "09:00"))
        self.register(ref, rfc(local(day0, "09:00")),
                      contact={"email": "soker@example.no", "consent": True})
        self.decide(ref, rfc(local(day0, "10:00")), reached=day0.isoformat())
        before7 = add_working_days(D(2026, 3, 23), -7)
        self.set_clock(local(before7))
        q = self.hook.wait_delivered(1)[0]
        b = q.body
        self.assertEqual((b["deadline"]["kind"], b["stage"]), ("complaint", "before-7"))
        self.assertEqual(b["recipients"], [{"role": "applicant", "id": None}])
        self.assertEqual(b["message_subject"], "Påminnelse: klagefrist i sak 2026/901, "
                                               "frist mandag 23. mars 2026")
        self.assertEqual(b["message_text"], b["message_subject"] + ".\n")
        # The applicant's address never goes into a webhook.
        self.assertNotIn(b"soker@example.no", q.raw)
        self.settle()
        g = self.reminder(b["reminder_id"])
        self.assertEqual([(a["outcome"], a["fallback"]) for a in g["attempts"]], [("ok", True)])
        self.assertIn("template applicant.complaint (nb): ", self.d.log_text())
        self.assertIn("sending the built-in text instead", self.d.log_text())
        p = self.d.cli("--lang", "en", "reminders", "show", str(b["reminder_id"]), check=0)
        self.assertIn("(built-in text)", p.stdout)
        # Counted, for the administrators.
        self.assertEqual(self.d.cli_json("status")["reminders"]["template_fallbacks"], 1)
        # The preview shows the same.
        p = self.d.cli("--lang", "en", "template", "render", "complaint", "before-7", "--case",
                       ref, check=0)
        self.assertEqual(p.stdout, "Subject: Påminnelse: klagefrist i sak 2026/901, frist "
                                   "mandag 23. mars 2026\n\nPåminnelse: klagefrist i sak "
                                   "2026/901, frist mandag 23. mars 2026.\n")
        self.assertIn("the template failed; this is the built-in text", p.stderr)
        j = self.d.cli_json("template", "render", "complaint", "before-7", "--case", ref)
        self.assertEqual((j["fallback"], j["language"]), (True, "nb"))
        # complaint.due.txt is intact: the due reminder has its text.
        self.set_clock(local(D(2026, 3, 23)))
        self.hook.wait(lambda rs: any(r.body["stage"] == "due" for r in rs), what="due")
        self.settle()
        due = [q for q in self.hook.all() if q.body["stage"] == "due"][0]
        self.assertEqual(due.body["message_subject"],
                         "Klagefristen for vedtaket i sak 2026/901 går ut i dag")
        self.assertEqual([a["fallback"] for a in self.reminder(due.body["reminder_id"])
                          ["attempts"]], [False])

    def test_unknown_variable_refused_at_load(self):
        self.start()
        path = self.edit_template(self.d, "processing.due.txt",
                                  "Det er ikke registrert vedtak i saken.",
                                  "Det er ikke registrert vedtak i saken {{saksnummer}}.")
        with open(path) as f:
            line = next(i for i, l in enumerate(f, 1) if "{{saksnummer}}" in l)
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", self.d.config],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("templates/nb/processing.due.txt:%d: unknown variable 'saksnummer'" % line,
                      p.stderr)
        # A reload keeps the running configuration and says where.
        p = self.d.cli("reload", check=1)
        self.assertIn("processing.due.txt:%d: unknown variable 'saksnummer'" % line, p.stderr)
        self.assertEqual(self.d.cli("status").returncode, 0)
        # A start fails.
        self.assertEqual(self.d.stop(), 0)
        self.d.log.close()
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(20), 1)
        self.assertIn("processing.due.txt:%d: unknown variable 'saksnummer'" % line,
                      self.d.log_text())

    def test_cli_render_and_show(self):
        self.start()
        day = self.case_with_before3("2026/101", handler="kari", unit="nav-sentrum")
        p = self.d.cli("template", "render", "processing", "before-3", "--case", "2026/101",
                       check=0)
        self.assertTrue(p.stdout.startswith(
            "Subject: Saksbehandlingsfrist i sak 2026/101 går ut mandag 16. mars 2026\n\n"
            "Saksbehandlingsfristen i sak 2026/101 (Økonomisk stønad) går ut mandag "
            "16. mars 2026.\nDager igjen: 14\n"), p.stdout)
        self.assertIn("Hjemmel: kommunens tjenesteerklæring for økonomisk stønad", p.stdout)
        self.assertEqual(p.stderr, "")
        # The applicant is reminded of complaint deadlines only: no text of theirs here.
        p = self.d.cli("template", "render", "processing", "before-3", "--case", "2026/101",
                       "--applicant")
        self.assertEqual(p.returncode, 1)
        self.assertIn("InvalidParameter", p.stderr)
        self.assertEqual(p.stdout, "")
        p = self.d.cli("template", "render", "processing", "escalation", "--case", "2026/101",
                       check=0)
        self.assertIn("Subject: Overskredet saksbehandlingsfrist i sak 2026/101\n", p.stdout)
        p = self.d.cli("template", "render", "nosuch", "due", "--case", "2026/101")
        self.assertEqual(p.returncode, 1)
        p = self.d.cli("template", "render", "processing", "due", "--case", "2026/999")
        self.assertEqual(p.returncode, 1)
        self.assertIn("CaseNotFound", p.stderr)
        self.set_clock(local(day))
        q = self.hook.wait_delivered(1)[0]
        self.settle()
        rid = q.body["reminder_id"]
        p = self.d.cli("--lang", "en", "reminders", "show", str(rid), check=0)
        self.assertIn("reminder %d: sent\n" % rid, p.stdout)
        self.assertRegex(p.stdout, r"\n  case\s+2026/101\n")
        self.assertRegex(p.stdout, r"\n  deadline\s+processing \(subject \d+\), due 2026-03-16\n")
        self.assertRegex(p.stdout, r"\n  stage\s+before-3, for 2026-03-11\n")
        self.assertRegex(p.stdout, r"\n  channel\s+hook\n")
        # Times in the CLI's own zone (TZ of the test run), named: the CLI was given only
        # the socket, so it does not know the configured zone.
        shown = datetime.datetime.fromtimestamp(local(day).timestamp()).strftime(
            "%Y-%m-%d %H:%M")
        self.assertRegex(p.stdout, r"\n  planned\s+%s" % shown)
        self.assertRegex(p.stdout, r"\n  attempts\s+1\n")
        self.assertRegex(p.stdout, r"\n    %s [A-Z+-][A-Za-z0-9+-]*\s+hook\s+ok\s" % shown)
        self.assertIn("code 200", p.stdout)
        self.assertNotIn("built-in text", p.stdout)
        j = self.d.cli_json("reminders", "show", str(rid))
        self.assertEqual(j["reminder"]["id"], rid)
        self.assertEqual(j["attempts"][0]["code"], 200)
        p = self.d.cli("reminders", "--case", "2026/101", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 1 + len(self.reminders()))
        self.assertEqual(self.d.cli("reminders", "show", "x").returncode, 2)
        p = self.d.cli("reminders", "show", "424242")
        self.assertEqual(p.returncode, 1)
        self.assertIn("ReminderNotFound", p.stderr)
        # The applicant's own text of a complaint deadline, as the applicant gets it.
        self.decide("2026/101", rfc(local(D(2026, 3, 11), "10:00")), reached="2026-03-11")
        p = self.d.cli("template", "render", "complaint", "before-1", "--case", "2026/101",
                       "--applicant", check=0)
        self.assertIn("Send klagen til kontoret som traff vedtaket.", p.stdout)
        self.assertEqual(p.stderr, "")
        p = self.d.cli("template", "render", "complaint", "before-1", "--case", "2026/101",
                       check=0)
        self.assertNotIn("Send klagen til kontoret som traff vedtaket.", p.stdout)
        self.assertEqual(p.stderr, "")


# --------------------------------------------------------------------------------------
# 10. The test clock

class NoClockTest(DaemonTest):
    """The shipped configuration (clock_control = false) has no test clock."""

    def test_clock_absent(self):
        for args in (("clock", "set", "2026-03-02T08:00:00Z"), ("clock", "advance", "1d"),
                     ("clock", "reset")):
            p = self.d.cli(*args)
            self.assertEqual(p.returncode, 1, args)
            self.assertRegex(p.stderr, r"(InterfaceNotFound|MethodNotFound)", args)
        c = self.d.connect()
        self.addCleanup(c.close)
        r = c.call("org.varlink.service.GetInfo")
        self.assertNotIn("no.fristvakt.testing", r["parameters"]["interfaces"])
        r = c.call("org.varlink.service.GetInterfaceDescription",
                   {"interface": "no.fristvakt.testing"})
        self.assertEqual(r["error"], "org.varlink.service.InterfaceNotFound")
        r = c.call("no.fristvakt.testing.SetClock", {"now": "2026-03-02T08:00:00Z"})
        self.assertIn(r["error"], ("org.varlink.service.InterfaceNotFound",
                                   "org.varlink.service.MethodNotFound"))
        self.assertEqual(self.d.cli_json("status")["clock_offset"], 0)
        self.assertNotIn("test clock", self.d.log_text())


class ClockTest(ChannelTestCase):
    def test_clock_commands(self):
        self.start(webhook=False, channel="log")
        c = self.d.connect()
        self.addCleanup(c.close)
        r = c.call("org.varlink.service.GetInfo")
        self.assertIn("no.fristvakt.testing", r["parameters"]["interfaces"])
        r = c.call("org.varlink.service.GetInterfaceDescription",
                   {"interface": "no.fristvakt.testing"})
        self.assertIn("method SetClock(now: string)", r["parameters"]["description"])
        p = self.d.cli("--lang", "en", "clock", "set", "2026-03-02T07:00:00Z", check=0)
        shown = datetime.datetime.fromtimestamp(
            datetime.datetime(2026, 3, 2, 7, 0, tzinfo=UTC).timestamp()).strftime(
            "%Y-%m-%d %H:%M")
        self.assertRegex(p.stdout, r"^daemon time %s [A-Z+-][A-Za-z0-9+-]* \(offset -?\d+ s\)\n$"
                         % shown)
        j = self.d.cli_json("clock", "advance", "2h")
        self.assertLess(abs(instant(j["now"]) - datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
                        datetime.timedelta(seconds=10))
        off = self.d.cli_json("status")["clock_offset"]
        self.assertAlmostEqual(off, j["offset"], delta=2)
        self.assertLess(off, 0)
        j = self.d.cli_json("clock", "reset")
        self.assertEqual(j["offset"], 0)
        self.assertEqual(self.d.cli("clock", "advance", "soon").returncode, 2)


if __name__ == "__main__":
    main()
