# SPDX-License-Identifier: GPL-3.0-or-later
"""32 clients at once, each on its own connection: every acknowledged event is stored,
nothing is stored twice, and an acknowledgement survives the daemon being killed (SIGKILL)
in the middle of a wave of writes. Reads in the same loop turn as writes answer only what
was committed: when the turn's commit fails, no reader has seen what it would have stored."""

import datetime
import json
import os
import signal
import sqlite3
import threading
import time
import unittest
from zoneinfo import ZoneInfo

from fvtest import Daemon, Varlink, fill_filesystem, main, mount_tmpfs
from test_cases import PREFIX, CaseMixin

CLIENTS = 32   # the shipped max_connections_per_uid: every client is root here
PER_CLIENT = 25
BASE = datetime.date(2026, 1, 5)


class Disconnected(Exception):
    pass


def call(conn, method, params, log):
    """One call, retried while the daemon answers RateLimited (the shipped rate is 500/s per
    uid and all clients here share a uid). Returns the reply; raises Disconnected when the
    connection breaks."""
    while True:
        try:
            r = conn.call(PREFIX + method, params)
        except (OSError, ValueError) as e:
            raise Disconnected(str(e))
        if r is None:
            raise Disconnected("closed")
        if r.get("error") == "no.fristvakt.RateLimited":
            log["rate_limited"] += 1
            time.sleep(r["parameters"]["retry_after_ms"] / 1000.0)
            continue
        return r


def application(ref, i):
    received = BASE + datetime.timedelta(i % 40)
    return {"reference": ref, "service": ("okonomisk-stonad", "bpa", "nodhjelp")[i % 3],
            "received": received.isoformat() + "T10:00:00+01:00", "channel": "written",
            "handler": "h-%d" % (i % 7), "event_id": ref + ":received"}


def decision(ref, i):
    received = BASE + datetime.timedelta(i % 40)
    return {"reference": ref, "made": (received + datetime.timedelta(5)).isoformat(),
            "reached": (received + datetime.timedelta(7)).isoformat(),
            "outcome": ("innvilget", "avslatt", "delvis_innvilget")[i % 3], "written": True,
            "reasoned": True, "event_id": ref + ":vedtak"}


class Client(threading.Thread):
    """One client: registers its applications, then records a decision for each."""

    def __init__(self, path, wave, n, barrier, interleave=False):
        super().__init__(daemon=True)
        self.path, self.wave, self.n, self.barrier = path, wave, n, barrier
        self.interleave = interleave
        self.acked = []     # (reference, type, event id, duplicate)
        self.errors = []    # replies with an error other than RateLimited
        self.log = {"rate_limited": 0}
        self.disconnected = None
        self.refs = ["%s-%02d-%02d" % (wave, n, i) for i in range(PER_CLIENT)]

    def one(self, conn, kind, ref, i):
        params = application(ref, i) if kind == "received" else decision(ref, i)
        method = "RegisterApplication" if kind == "received" else "RecordDecision"
        r = call(conn, method, params, self.log)
        if "error" in r:
            self.errors.append((ref, kind, r))
        else:
            rec = r["parameters"]["recorded"]
            self.acked.append((ref, kind, rec["event"], rec["duplicate"]))

    def run(self):
        try:
            conn = Varlink(self.path, timeout=30)
        except OSError as e:
            self.disconnected = "connect: %s" % e
            return
        try:
            self.barrier.wait(timeout=30)
            if self.interleave:
                for i, ref in enumerate(self.refs):
                    self.one(conn, "received", ref, i)
                    self.one(conn, "decision", ref, i)
            else:
                for i, ref in enumerate(self.refs):
                    self.one(conn, "received", ref, i)
                for i, ref in enumerate(self.refs):
                    self.one(conn, "decision", ref, i)
        except Disconnected as e:
            self.disconnected = str(e)
        except threading.BrokenBarrierError:
            self.disconnected = "barrier"
        finally:
            conn.close()


def run_wave(path, wave, interleave=False):
    barrier = threading.Barrier(CLIENTS)
    clients = [Client(path, wave, n, barrier, interleave) for n in range(CLIENTS)]
    for c in clients:
        c.start()
    return clients


def stored_events(database):
    db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    try:
        rows = db.execute("SELECT e.id, e.type, c.ref FROM events e JOIN cases c "
                          "ON c.id = e.case_id").fetchall()
        ncases = db.execute("SELECT count(*) FROM cases").fetchone()[0]
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        return {r[0]: (r[2], r[1]) for r in rows}, ncases, check
    finally:
        db.close()


class ConcurrencyTest(CaseMixin, unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.d.start()

    def rcall(self, method, params=None):
        """A call that must succeed, waiting out rate limiting."""
        r = call(self.c, method, params or {}, {"rate_limited": 0})
        self.assertNotIn("error", r, "%s(%s): %s" % (method, params, r))
        return r.get("parameters", {})

    def check_acked(self, clients, events):
        for cl in clients:
            for ref, kind, ev, _ in cl.acked:
                self.assertIn(ev, events, "acknowledged event %d (%s %s) is missing"
                              % (ev, ref, kind))
                self.assertEqual(events[ev], (ref, kind))

    def test_32_clients_then_kill(self):
        started = time.monotonic()
        # Wave 1: 32 clients x 25 applications, then a decision for each.
        clients = run_wave(self.d.socket, "A")
        for cl in clients:
            cl.join(60)
            self.assertFalse(cl.is_alive())
        for cl in clients:
            self.assertIsNone(cl.disconnected, cl.disconnected)
            self.assertEqual(cl.errors, [])
            self.assertEqual(len(cl.acked), 2 * PER_CLIENT)
            self.assertFalse(any(dup for *_, dup in cl.acked))
        acked = [a for cl in clients for a in cl.acked]
        ids = [a[2] for a in acked]
        self.assertEqual(len(set(ids)), len(ids), "two acknowledgements share an event id")

        events, ncases, check = stored_events(self.d.database)
        self.assertEqual(check, "ok")
        self.check_acked(clients, events)
        registered = {a[0] for a in acked if a[1] == "received"}
        self.assertEqual(ncases, len(registered))
        self.assertEqual(len(registered), CLIENTS * PER_CLIENT)
        self.assertEqual(len(events), 2 * CLIENTS * PER_CLIENT)
        self.c = self.d.connect()
        s = self.rcall("Status")
        self.assertEqual(s["counts"]["cases"], CLIENTS * PER_CLIENT)
        self.assertEqual(s["counts"]["events"], 2 * CLIENTS * PER_CLIENT)
        self.assertEqual(s["counts"]["audit"], 2 * CLIENTS * PER_CLIENT)
        # Every case as GetCase shows it: its two events, and the decision's deadlines.
        by_ref = {}
        for ref, kind, ev, _ in acked:
            by_ref.setdefault(ref, {})[kind] = ev
        for ref in sorted(by_ref)[::7]:
            g = self.rcall("GetCase", {"reference": ref})
            self.assertEqual([(e["type"], e["id"]) for e in g["events"]],
                             [("received", by_ref[ref]["received"]),
                              ("decision", by_ref[ref]["decision"])])
            self.assertIn("complaint", [d["kind"] for d in g["deadlines"]])
        self.c.close()

        # Wave 2: the same, interleaved, and the daemon is killed halfway.
        clients2 = run_wave(self.d.socket, "B", interleave=True)
        deadline = time.monotonic() + 30
        while sum(len(cl.acked) for cl in clients2) < CLIENTS * PER_CLIENT:
            self.assertLess(time.monotonic(), deadline, "wave 2 makes no progress")
            time.sleep(0.005)
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait(10)
        for cl in clients2:
            cl.join(30)
            self.assertFalse(cl.is_alive())
        self.assertTrue(any(cl.disconnected for cl in clients2),
                        "the kill came after wave 2 had finished")
        for cl in clients2:
            self.assertEqual(cl.errors, [])
        acked2 = [a for cl in clients2 for a in cl.acked]
        self.assertLess(len(acked2), 2 * CLIENTS * PER_CLIENT)

        self.d.log.close()
        self.d.start()
        events, ncases, check = stored_events(self.d.database)
        self.assertEqual(check, "ok")
        self.check_acked(clients, events)
        self.check_acked(clients2, events)
        # No half-recorded call: every stored wave-2 case has its received event, and
        # every decision its case.
        self.assertGreaterEqual(ncases, CLIENTS * PER_CLIENT
                                + len({a[0] for a in acked2 if a[1] == "received"}))

        # The clients re-send everything with their event ids: what was acknowledged is a
        # duplicate of the same event, the rest is stored now, nothing twice.
        self.c = self.d.connect()
        self.addCleanup(self.c.close)
        log = {"rate_limited": 0}
        acked2_ids = {(ref, kind): ev for ref, kind, ev, _ in acked2}
        for cl in clients2:
            for i, ref in enumerate(cl.refs):
                for kind, params, method in (("received", application(ref, i),
                                              "RegisterApplication"),
                                             ("decision", decision(ref, i),
                                              "RecordDecision")):
                    r = call(self.c, method, params, log)
                    self.assertNotIn("error", r, (ref, kind, r))
                    rec = r["parameters"]["recorded"]
                    if (ref, kind) in acked2_ids:
                        self.assertTrue(rec["duplicate"], (ref, kind))
                        self.assertEqual(rec["event"], acked2_ids[(ref, kind)])
        s = self.rcall("Status")
        self.assertEqual(s["counts"]["cases"], 2 * CLIENTS * PER_CLIENT)
        self.assertEqual(s["counts"]["events"], 4 * CLIENTS * PER_CLIENT)
        events, ncases, check = stored_events(self.d.database)
        self.assertEqual(ncases, 2 * CLIENTS * PER_CLIENT)
        self.assertEqual(sorted(k for k in events.values()),
                         sorted({(ref, kind) for ref, kind in events.values()}))
        self.assertLess(time.monotonic() - started, 60)


class ReadsDuringGroupCommitTest(CaseMixin, unittest.TestCase):
    """Writes of one loop turn share a transaction on the daemon's one database connection, so
    a read in the same turn sees their uncommitted changes. Its reply must wait for the
    commit like theirs: here the commit fails (the database's file system is full), and a
    reader that was answered at once would have seen a case that never existed."""

    def setUp(self):
        self.mnt = mount_tmpfs(self)
        db = os.path.join(self.mnt, "fristvakt.db")
        self.d = Daemon({'database = "var/fristvakt.db";': 'database = "%s";' % db})
        self.d.database = db
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)

    # Received today: no reminder falls due during the test, so that the only writes are
    # the test's own (an overdue case's reminder would be sent at once, and its outcome
    # written, in a loop turn of its own).
    TODAY = datetime.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()

    def register(self, ref, conn=None):
        return (conn or self.c).call(PREFIX + "RegisterApplication", {
            "reference": ref, "service": "okonomisk-stonad", "received": self.TODAY,
            "channel": "written", "handler": "h-1", "unit": "u" * 60})

    def fill(self):
        return fill_filesystem(self, self.mnt)

    @staticmethod
    def wait_stopped(pid):
        """Waits (up to 5 s) until the process pid is stopped (state T in /proc)."""
        for _ in range(500):
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("T", "t"):
                    return
            time.sleep(0.01)
        raise AssertionError("the daemon did not stop on SIGSTOP")

    def test_reads_wait_for_the_commit(self):
        for i in range(5):
            self.assertNotIn("error", self.register("OK-%d" % i))
        filler = self.fill()
        # Write until commits fail: the write-ahead log can no longer grow.
        for i in range(2000):
            r = self.register("FILL-%d" % i)
            if r.get("error") == PREFIX + "StorageFailure":
                break
            self.assertNotIn("error", r, r)
        else:
            self.fail("a full file system never refused a write")
        committed = self.call("ListCases", {"limit": 1000})["cases"]

        writer, readers = self.d.connect(), [self.d.connect() for _ in range(3)]
        for conn in [writer] + readers:
            self.addCleanup(conn.close)
        reads = [("GetCase", {"reference": "GHOST-1"}),
                 ("ListCases", {"limit": 1000}),
                 ("ListDeadlines", {"limit": 1000})]
        for attempt in range(5):
            # The daemon stopped, the write and then the reads wait on their sockets, so
            # that the daemon handles them all in one loop turn, the write first.
            self.d.proc.send_signal(signal.SIGSTOP)
            try:
                # SIGSTOP takes effect when the process is next scheduled: on a busy machine
                # the daemon could still take the write alone before it stops.
                self.wait_stopped(self.d.proc.pid)
                msg = {"method": PREFIX + "RegisterApplication", "parameters": {
                    "reference": "GHOST-1", "service": "okonomisk-stonad",
                    "received": self.TODAY, "channel": "written", "unit": "u" * 60}}
                writer.send_raw(json.dumps(msg).encode() + b"\0")
                time.sleep(0.05)
                for conn, (method, params) in zip(readers, reads):
                    conn.send_raw(json.dumps({"method": PREFIX + method,
                                              "parameters": params}).encode() + b"\0")
                time.sleep(0.05)
            finally:
                self.d.proc.send_signal(signal.SIGCONT)
            w = writer.recv()
            got = [conn.recv() for conn in readers]
            self.assertEqual(w.get("error"), PREFIX + "StorageFailure", w)
            # Nobody was told of the case that was never stored.
            g = got[0]
            self.assertIn(g.get("error"), (PREFIX + "StorageFailure",
                                           PREFIX + "CaseNotFound"), g)
            for r, key in ((got[1], "cases"), (got[2], "deadlines")):
                if "error" in r:
                    self.assertEqual(r["error"], PREFIX + "StorageFailure", r)
                    self.assertIn("call again", r["parameters"]["message"])
                else:
                    self.assertNotIn("GHOST-1",
                                     [x["reference"] for x in r["parameters"][key]])
            if g.get("error") == PREFIX + "StorageFailure":
                break   # the read shared the failed turn, as meant
        else:
            self.fail("the reads never shared the write's loop turn")
        self.assertIn("call again", g["parameters"]["message"])

        # Space returns: the daemon recovers, and the reads answer what is stored.
        os.unlink(filler)
        self.assertEqual(self.call("ListCases", {"limit": 1000})["cases"], committed)
        err, _ = self.call_error("GetCase", {"reference": "GHOST-1"})
        self.assertEqual(err, PREFIX + "CaseNotFound")
        self.assertNotIn("error", self.register("AFTER-1"))
        self.assertEqual(self.call("GetCase", {"reference": "AFTER-1"})["case"]["reference"],
                         "AFTER-1")


if __name__ == "__main__":
    main()
