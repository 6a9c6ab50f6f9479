#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes tests/integration/data/schema5-release.sql: a small database of the last release
with schema version 5 (commit c49dc3a), dumped as SQL text, for test_migration.py.

The test uses the committed dump; nothing builds the old release in CI. To make it again:

    git worktree add /tmp/rel5-src c49dc3a
    cmake -S /tmp/rel5-src -B /tmp/rel5-build
    cmake --build /tmp/rel5-build -j2 --target fristvaktd fristvakt
    /usr/bin/python3 tests/integration/data/make_schema5.py /tmp/rel5-src /tmp/rel5-build \\
        tests/integration/data/schema5-release.sql
    git worktree remove --force /tmp/rel5-src

It runs that release's fristvaktd on its own shipped configuration (copied, with the test
clock and a webhook channel "hook" to a receiver here, as the integration tests do) and
records, on the test clock in January 2040 (far ahead of the wall clock, so that a daemon
started on the dump finds nothing due until a test moves its clock):

  REL5/1  registered "today" (the last clock time): all 8 reminders pending (processing and
          preliminary reply: before-3/before-5, due, overdue, escalation)
  REL5/2  its processing before-3 sent (200); due, overdue, escalation pending
  REL5/3  registered with a contact (consent) and decided the same day: the processing and
          preliminary-reply reminders cancelled; the complaint deadline's series pending:
          before-7 and due for the handler, before-7, before-1 and due for the applicant
  REL5/4  its processing before-3 dead (the receiver answered 500 until the give-up
          time), with the notice to the administrators sent to the log; the rest pending
  REL5/5  nødhjelp (emergency, hours stages): "now" sent at once; "hours" (+3 h) and
          "overdue" pending (and the preliminary reply's four)
  REL5/6  its processing before-3 failed once (500), to be retried; the rest pending

then stops the daemon (SIGTERM) and writes `sqlite3 DB .dump` with a header and the
schema version (PRAGMA user_version, which .dump leaves out).
"""

import datetime
import json
import os
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

RELEASE = "c49dc3a"
OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.timezone.utc
HERE = os.path.dirname(os.path.abspath(__file__))


def local(y, m, d, hh=8, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=OSLO)


def rfc(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Maker:
    def __init__(self, src, build):
        # The harness of the current tree, on the old release's daemon and configuration.
        os.environ["FRISTVAKTD"] = os.path.join(build, "fristvaktd")
        os.environ["FRISTVAKT"] = os.path.join(build, "fristvakt")
        os.environ["FV_SOURCE_DIR"] = src
        sys.path.insert(0, os.path.dirname(HERE))
        global fvtest, receivers
        import fvtest
        import receivers
        version = subprocess.run([os.environ["FRISTVAKTD"], "--version"], capture_output=True,
                                 text=True, check=True).stdout
        if "source revision " + RELEASE not in version:
            raise SystemExit("%s is not the release %s: %s" % (os.environ["FRISTVAKTD"],
                                                               RELEASE, version))
        self.version = version.strip()
        self.d = fvtest.Daemon()
        path, secret = receivers.write_secret(self.d.dir)
        self.hook = receivers.WebhookReceiver([secret])
        # REL5/4 and REL5/6: the receiver refuses their before-3 reminders.
        self.hook.set_rule(lambda b: 500 if b.get("case_reference") in ("REL5/4", "REL5/6")
                           and b.get("stage") == "before-3" else None)
        self.d.write_config(receivers.reminder_subst(
            channels=[receivers.webhook_channel("hook", self.hook.url, path)], channel="hook",
            retry={"first": 60, "factor": 200, "max_interval": 1800, "give_up": 7200}))
        self.d.start()
        self.c = self.d.connect()

    def call(self, method, params=None, prefix="no.fristvakt."):
        r = self.c.call(prefix + method, params)
        if r is None or "error" in r:
            raise SystemExit("%s(%s): %s" % (method, params, r))
        return r.get("parameters", {})

    def clock(self, dt):
        self.call("testing.SetClock", {"now": rfc(dt)})

    def register(self, ref, received, **kw):
        p = {"reference": ref, "service": "okonomisk-stonad", "received": rfc(received),
             "channel": "written", "handler": "kari", "unit": "nav-sentrum"}
        p.update(kw)
        return self.call("RegisterApplication", p)

    def reminders(self, ref=None):
        p = {"limit": 1000}
        if ref:
            p["reference"] = ref
        return self.call("ListReminders", p)["reminders"]

    def one(self, ref, kind, stage):
        found = [x for x in self.reminders(ref) if x["kind"] == kind and x["stage"] == stage]
        assert len(found) == 1, found
        return found[0]

    def wait(self, pred, what, timeout=15.0):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise SystemExit("not reached within %.0fs: %s" % (timeout, what))
            time.sleep(0.05)

    def settle(self):
        """Until nothing pending or failed is due at the daemon's time and no request is
        held by the receiver."""
        def quiet():
            now = time.time() + self.call("Status")["clock_offset"]
            due = [x for x in self.reminders() if x["state"] in ("pending", "failed") and
                   datetime.datetime.strptime(x["next_attempt"], "%Y-%m-%dT%H:%M:%SZ")
                   .replace(tzinfo=UTC).timestamp() <= now]
            return not due and not self.hook.in_flight
        self.wait(quiet, "the outbox settled")

    def state(self, ref, kind, stage):
        return self.one(ref, kind, stage)["state"]

    def make(self):
        self.clock(local(2040, 1, 9, 7))
        self.register("REL5/2", local(2040, 1, 9, 7))
        self.register("REL5/4", local(2040, 1, 9, 7))
        self.clock(local(2040, 1, 10, 7))
        self.register("REL5/6", local(2040, 1, 10, 7), handler="ola")
        # Wednesday 18 January, 08:00: before-3 of the processing deadlines due Monday 23.
        self.clock(local(2040, 1, 18, 7, 59))
        self.clock(local(2040, 1, 18))
        self.wait(lambda: self.state("REL5/2", "processing", "before-3") == "sent",
                  "REL5/2 before-3 sent")
        self.wait(lambda: self.state("REL5/4", "processing", "before-3") == "failed",
                  "REL5/4 before-3 failed")
        # Refused until it is given up (7200 s after the first attempt).
        for _ in range(12):
            self.call("testing.AdvanceClock", {"seconds": 1200})
            self.settle()
            if self.state("REL5/4", "processing", "before-3") == "dead":
                break
        assert self.state("REL5/4", "processing", "before-3") == "dead"
        self.clock(local(2040, 1, 18, 12))
        self.register("REL5/3", local(2040, 1, 18, 12),
                      contact={"email": "soker@example.org", "consent": True})
        self.clock(local(2040, 1, 18, 13))
        self.call("RecordDecision", {"reference": "REL5/3", "made": rfc(local(2040, 1, 18, 13)),
                                     "reached": "2040-01-18", "outcome": "avslatt",
                                     "written": True, "reasoned": True})
        self.clock(local(2040, 1, 19, 6))
        self.register("REL5/5", local(2040, 1, 19, 6), service="nodhjelp")
        self.wait(lambda: self.state("REL5/5", "processing", "now") == "sent", "REL5/5 now sent")
        self.settle()
        self.clock(local(2040, 1, 19, 7))
        self.register("REL5/1", local(2040, 1, 19, 7))
        # Thursday 19 January, 08:00: before-3 of REL5/6 (due Tuesday 24) is refused once.
        self.clock(local(2040, 1, 19))
        self.wait(lambda: self.state("REL5/6", "processing", "before-3") == "failed",
                  "REL5/6 before-3 failed")
        self.c.close()
        if self.d.stop() != 0:
            raise SystemExit("the release's daemon did not stop cleanly:\n" + self.d.log_text())
        self.hook.close()

    def check(self):
        db = self.d.db()
        try:
            assert db.execute("PRAGMA user_version").fetchone()[0] == 5
            rows = db.execute("SELECT c.ref, r.kind, r.stage, r.recipient, r.state "
                              "FROM reminders r LEFT JOIN cases c ON c.id = r.case_id "
                              "ORDER BY r.id").fetchall()
        finally:
            db.close()
        by = {}
        for ref, kind, stage, recipient, state in rows:
            by.setdefault(ref, []).append((kind, stage, recipient, state))
        assert [s for *_, s in by["REL5/1"]] == ["pending"] * 8, by["REL5/1"]
        assert ("complaint", "before-1", "applicant", "pending") in by["REL5/3"], by["REL5/3"]
        assert ("processing", "hours", "", "pending") in by["REL5/5"], by["REL5/5"]
        assert ("processing", "before-3", "", "failed") in by["REL5/6"], by["REL5/6"]
        return rows

    def dump(self, out):
        text = subprocess.run(["sqlite3", self.d.database, ".dump"], capture_output=True,
                              text=True, check=True).stdout
        assert text.rstrip().endswith("COMMIT;"), text[-200:]
        body = text.rstrip()[:-len("COMMIT;")] + "PRAGMA user_version = 5;\nCOMMIT;\n"
        header = (
            "-- SPDX-License-Identifier: GPL-3.0-or-later\n"
            "--\n"
            "-- A database of schema version 5 made by the release %s on its shipped\n"
            "-- configuration with the test clock, by tests/integration/data/make_schema5.py\n"
            "-- (which says what each case holds), dumped with `sqlite3 DB .dump` (and the\n"
            "-- schema version, which .dump leaves out). Read by test_migration.py. Not to be\n"
            "-- edited by hand: make it again with the script.\n"
            "-- %s\n"
            % (RELEASE, self.version))
        with open(out, "w") as f:
            f.write(header + body)

    def cleanup(self):
        self.d.cleanup()


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: make_schema5.py RELEASE_SOURCE RELEASE_BUILD OUT.sql")
    src, build, out = sys.argv[1:]
    m = Maker(os.path.abspath(src), os.path.abspath(build))
    try:
        m.make()
        rows = m.check()
        m.dump(out)
    finally:
        m.cleanup()
    print(json.dumps(rows, indent=None))


if __name__ == "__main__":
    main()
