# SPDX-License-Identifier: GPL-3.0-or-later
"""E-mail addresses from handler and unit ids with Norwegian letters, through
the real daemon, the real CLI and a real SMTP server on 127.0.0.1: ids that give no valid
address are refused when a case is registered or corrected, the Norwegian transliteration
(addresses.transliterate) makes addresses of them, and a case registered before the patterns
said so is still sent to its valid recipients, the invalid one recorded with the attempt."""

import time

import test_reminders as base
from fvtest import main
from test_reminders import D, DAY, MAIL_ADDRESSES, add_working_days, local, roll

TRANSLITERATE = {"# transliterate = true;": "transliterate = true;"}
# The processing deadline's first reminder goes to the handler and the unit in one message.
BEFORE3_TO_BOTH = {
    'name = "before-3"; offset = -3; working_days = true; recipients = ["handler"];':
    'name = "before-3"; offset = -3; working_days = true; recipients = ["handler", "unit"];'}


class AddressTest(base.ReminderTestCase):
    def start_mail(self, transliterate=False, both=False):
        subst = dict(TRANSLITERATE if transliterate else {})
        subst.update(BEFORE3_TO_BOTH if both else {})
        d = self.start(webhook=False, smtp=True, channel="mail", addresses=MAIL_ADDRESSES)
        if subst:
            self.reconfigure(subst)
        return d

    def reconfigure(self, subst):
        """Writes the test's configuration again with subst on top, and reloads."""
        with open(self.d.config) as f:
            text = f.read()
        for old, new in subst.items():
            self.assertIn(old, text)
            text = text.replace(old, new)
        with open(self.d.config, "w") as f:
            f.write(text)
        self.d.cli("reload", check=0)

    def wait_state(self, rid, state, timeout=10.0):
        """Waits until reminder rid is in state; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.reminder(rid)["reminder"]
            if r["state"] == state or time.monotonic() > deadline:
                return r
            time.sleep(0.05)

    def cli_register(self, ref, handler=None, unit=None, supersedes=None):
        args = ["case", "add", ref, "--service", "okonomisk-stonad", "--received",
                "2026-03-02T07:00:00+01:00"]
        if handler is not None:
            args += ["--handler", handler]
        if unit is not None:
            args += ["--unit", unit]
        if supersedes is not None:
            args += ["--supersedes", str(supersedes)]
        return self.d.cli(*args)

    def test_refused_at_registration(self):
        self.start_mail()
        self.set_clock(local(D(2026, 3, 2), "09:00"))
        p = self.cli_register("A-1", handler="bjørn", unit="sentrum")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("InvalidParameter", p.stderr)
        self.assertIn("handler 'bjørn' gives no valid e-mail address with the pattern "
                      "addresses.handler \"{handler}@kommune.example\" "
                      "(\"bjørn@kommune.example\")", p.stderr)
        self.assertIn("addresses.transliterate = true", p.stderr)
        r = self.c.call("no.fristvakt.RegisterApplication", {
            "reference": "A-1", "service": "okonomisk-stonad", "received": "2026-03-02",
            "channel": "written", "unit": "NAV Sørum"})
        self.assertEqual(r["error"], "org.varlink.service.InvalidParameter")
        self.assertEqual(r["parameters"]["parameter"], "unit")
        self.assertIn("addresses.unit", r["parameters"]["message"])
        # Nothing half-written: no case, no event, no reminder, no audit entry.
        self.assertEqual(self.counts()["cases"], 0)
        self.assertEqual(self.reminders(), [])
        # A correction that brings such an id in is refused too.
        p = self.cli_register("A-2", handler="kari", unit="sentrum")
        self.assertEqual(p.returncode, 0, p.stderr)
        event = self.get_case("A-2")["events"][0]["id"]
        p = self.cli_register("A-2", handler="Åse", unit="sentrum", supersedes=event)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("handler 'Åse'", p.stderr)
        self.assertEqual(self.get_case("A-2")["case"]["handler"], "kari")
        # ASCII ids with spaces, dots, hyphens: fine.
        p = self.cli_register("A-3", handler="kari.nordmann", unit="NAV Sentrum-Vest")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_transliteration(self):
        self.start_mail(transliterate=True, both=True)
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "07:00"))
        p = self.cli_register("T-1", handler="Bjørn Ærø", unit="NAV Åsen")
        self.assertEqual(p.returncode, 0, p.stderr)
        before3 = add_working_days(roll(day0 + 14 * DAY), -3)
        self.set_clock(local(before3, "08:00"))
        mails = self.smtp.wait_accepted(1)
        self.settle()
        self.assertEqual(len(self.smtp.all()), 1)
        self.assertEqual(sorted(mails[0].rcpt_tos),
                         ["Bjorn.Aero@kommune.example", "NAV.Aasen@kommune.example"])
        rem = [r for r in self.reminders() if r["stage"] == "before-3"][0]
        self.assertEqual(self.wait_state(rem["id"], "sent")["state"], "sent")

    def test_valid_recipients_still_get_it(self):
        # Registered while the transliteration was on; then it was turned off.
        self.start_mail(transliterate=True, both=True)
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "07:00"))
        p = self.cli_register("V-1", handler="bjørn", unit="sentrum")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.reconfigure({"transliterate = true;": "transliterate = false;"})
        before3 = add_working_days(roll(day0 + 14 * DAY), -3)
        self.set_clock(local(before3, "08:00"))
        mails = self.smtp.wait_accepted(1)
        self.settle()
        self.assertEqual([m.rcpt_tos for m in self.smtp.all()],
                         [["sentrum@kommune.example"]])
        self.assertEqual(str(mails[0].message["To"]), "sentrum@kommune.example")
        rem = [r for r in self.reminders() if r["stage"] == "before-3"][0]
        got = self.wait_state(rem["id"], "sent")
        self.assertEqual(got["attempts"], 1)
        attempts = self.reminder(rem["id"])["attempts"]
        self.assertEqual(len(attempts), 1)
        self.assertEqual(attempts[0]["outcome"], "ok")
        self.assertIn("not sent to the handler: 'bjørn@kommune.example' is no valid e-mail "
                      "address", attempts[0]["error"])
        # The CLI shows it with the reminder.
        p = self.d.cli("reminders", "show", str(rem["id"]), check=0)
        self.assertIn("not sent to the handler", p.stdout)

    def test_relay_refusing_one_recipient(self):
        """The relay refuses one recipient (550 to its RCPT TO): the others still get the
        message, and the reminder is sent."""
        self.start_mail(both=True)

        async def handle_rcpt(server, session, envelope, address, rcpt_options):
            if address == "gone@kommune.example":
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        # Read by aiosmtpd for each new connection.
        self.smtp.controller.handler.handle_RCPT = handle_rcpt
        day0 = D(2026, 3, 2)
        self.set_clock(local(day0, "07:00"))
        p = self.cli_register("R-1", handler="kari", unit="gone")
        self.assertEqual(p.returncode, 0, p.stderr)
        before3 = add_working_days(roll(day0 + 14 * DAY), -3)
        self.set_clock(local(before3, "08:00"))
        mails = self.smtp.wait_accepted(1)
        self.settle()
        self.assertEqual([m.rcpt_tos for m in self.smtp.all()], [["kari@kommune.example"]])
        self.assertEqual(mails[0].mail_from, "fristvakt@kommune.example")
        rem = [r for r in self.reminders() if r["stage"] == "before-3"][0]
        self.assertEqual(self.wait_state(rem["id"], "sent")["state"], "sent")


if __name__ == "__main__":
    main()
