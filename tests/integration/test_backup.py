# SPDX-License-Identifier: GPL-3.0-or-later
"""Backup, check and restore with the real daemon: `fristvakt backup` while a client keeps
writing, restored with `fristvaktd --restore` into a fresh directory where a new daemon
finds every event, deadline and reminder acknowledged before the backup was asked for;
`fristvakt check` clean on a healthy database (also after days of reminders on the test
clock) and failing, exit 1, on one damaged while the daemon was stopped (a reminder
missing from the outbox, a count, an index page); damaged, foreign and too-new backups
refused with the database untouched; the backup file's mode, the audit log, the errors."""

import datetime
import fcntl
import hashlib
import json
import os
import pwd
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest
from zoneinfo import ZoneInfo

from fvtest import FRISTVAKTD, SCHEMA_LATEST, Daemon, DaemonTest, main, need_root
from test_cases import PREFIX, CaseMixin
from test_reminders import ReminderTestCase, local, rfc

OSLO = ZoneInfo("Europe/Oslo")


def restore(d, path, cwd=None):
    """fristvaktd --restore path for daemon d's configuration, run where d runs (its
    database path is relative to that directory)."""
    return subprocess.run([FRISTVAKTD, "--restore", path, "-c", "etc/fristvakt.conf"],
                          capture_output=True, text=True, timeout=60, cwd=cwd or d.dir)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def case_view(conn, ref):
    """What a person checks of a case: its events, its deadlines and its reminders."""
    r = conn.call(PREFIX + "GetCase", {"reference": ref})
    assert "error" not in r, r
    p = r["parameters"]
    events = [(e["id"], e["type"]) for e in p["events"]]
    deadlines = sorted((d["kind"], d["subject"], d["state"], d["due"]) for d in p["deadlines"])
    rem = conn.call(PREFIX + "ListReminders", {"reference": ref, "limit": 1000})
    assert "error" not in rem, rem
    reminders = sorted((x["id"], x["kind"], x["stage"], x["occurrence"], x["state"])
                       for x in rem["parameters"]["reminders"])
    return {"events": events, "deadlines": deadlines, "reminders": reminders}


class Writer(threading.Thread):
    """A client that registers applications and records a preliminary reply in every other
    one, on its own connection, noting when each acknowledgement arrived."""

    def __init__(self, d, prefix):
        super().__init__(daemon=True)
        self.d, self.prefix = d, prefix
        self.stop = threading.Event()
        self.acked = []        # (monotonic time of the reply, reference)
        self.errors = []
        today = datetime.datetime.now(OSLO).date()
        self.received = (today - datetime.timedelta(2)).isoformat() + "T09:00:00+01:00"
        self.sent = (today - datetime.timedelta(1)).isoformat()
        self.promised = (today + datetime.timedelta(30)).isoformat()

    def one(self, conn, method, params):
        r = conn.call(PREFIX + method, params)
        if r is None or "error" in r:
            if r and r.get("error") == PREFIX + "RateLimited":
                time.sleep(r["parameters"]["retry_after_ms"] / 1000.0)
                return self.one(conn, method, params)
            self.errors.append(r)
            return False
        self.acked.append((time.monotonic(), params["reference"]))
        return True

    def run(self):
        conn = self.d.connect()
        i = 0
        try:
            while not self.stop.is_set():
                ref = "%s-%d" % (self.prefix, i)
                if self.one(conn, "RegisterApplication", {
                        "reference": ref, "service": "okonomisk-stonad",
                        "received": self.received, "channel": "written",
                        "handler": "h-%d" % (i % 3), "unit": "nav-sentrum"}) and i % 2:
                    self.one(conn, "RecordPreliminaryReply", {
                        "reference": ref, "sent": self.sent, "promised": self.promised})
                i += 1
        finally:
            conn.close()


class BackupUnderLoadTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.d.start()

    def test_backup_under_load_then_restore_elsewhere(self):
        w = Writer(self.d, "L")
        w.start()
        self.addCleanup(w.stop.set)
        while len(w.acked) < 120 and w.is_alive():
            time.sleep(0.01)
        asked = time.monotonic()
        backup = os.path.join(self.d.dir, "backups", "load.db")
        os.mkdir(os.path.dirname(backup))
        out = self.d.cli_json("backup", backup)
        n_after_reply = len(w.acked)
        # The writer goes on after the reply: the backup did not stop the daemon's writes.
        while len(w.acked) < n_after_reply + 20 and w.is_alive():
            time.sleep(0.01)
        w.stop.set()
        w.join(20)
        self.assertEqual(w.errors, [])
        self.assertEqual(out["file"], backup)
        self.assertEqual(out["schema_version"], SCHEMA_LATEST)
        self.assertEqual(out["size"], os.path.getsize(backup))
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        self.assertEqual([f for f in os.listdir(os.path.dirname(backup))], ["load.db"])
        before = {ref for t, ref in w.acked if t < asked}
        last_touch = {}
        for t, ref in w.acked:
            last_touch[ref] = t
        # Cases whose every write was acknowledged before the backup was asked for are in it
        # exactly as the daemon has them now; the later ones may or may not be.
        settled = sorted(ref for ref in before if last_touch[ref] < asked)
        self.assertGreaterEqual(len(settled), 50)
        c = self.d.connect()
        self.addCleanup(c.close)
        expected = {ref: case_view(c, ref) for ref in settled}

        # A fresh directory: restore there, start, find everything.
        other = Daemon()
        self.addCleanup(other.cleanup)
        p = restore(other, backup)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("restored %s to %s" % (backup, other.database), p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(other.database).st_mode), 0o600)
        other.start()
        oc = other.connect()
        self.addCleanup(oc.close)
        for ref in settled:
            got = case_view(oc, ref)
            self.assertEqual(got, expected[ref], ref)
            self.assertTrue(got["events"] and got["deadlines"] and got["reminders"], ref)
        self.assertEqual(other.cli("check").returncode, 0)
        # The restored installation is the same one (message ids go on as before).
        self.assertEqual(other.cli_json("status")["installation"],
                         self.d.cli_json("status")["installation"])


class BackupTest(DaemonTest):
    def test_relative_file_mode_and_audit(self):
        p = self.d.cli("--lang", "en", "backup", "copy.db", check=0)
        path = os.path.join(self.d.dir, "copy.db")   # the CLI runs in the daemon's directory
        self.assertIn("backup written to %s" % path, p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], SCHEMA_LATEST)
        db.close()
        # Again onto the same name: replaced whole.
        self.d.cli("backup", path, check=0)
        audit = self.d.cli_json("audit")["entries"]
        self.assertEqual([(a["method"], a["outcome"]) for a in audit[:2]],
                         [("no.fristvakt.Backup", "ok")] * 2)

    def test_refusals(self):
        # A directory that does not exist: the system's words, nothing left behind.
        p = self.d.cli("backup", os.path.join(self.d.dir, "nowhere", "b.db"), check=1)
        self.assertIn("BackupFailed", p.stderr)
        self.assertIn("No such file or directory", p.stderr)
        # The database itself, by another spelling.
        p = self.d.cli("backup", os.path.join(self.d.dir, "var", ".", "fristvakt.db"),
                       check=1)
        self.assertIn("that is the database itself", p.stderr)
        # What is not a regular file: the control socket, a directory, a symbolic link (left
        # as they were); and a new file in the database's directory.
        link = os.path.join(self.d.dir, "link.db")
        os.symlink(os.path.join(self.d.dir, "target.db"), link)
        for path, message in (
                (self.d.socket, "that exists and is not a regular file"),
                (os.path.join(self.d.dir, "var"), "that exists and is not a regular file"),
                (link, "that is a symbolic link"),
                (os.path.join(self.d.dir, "var", "copy.db"),
                 "that is in the database's directory")):
            p = self.d.cli("backup", path, check=1)
            self.assertIn("InvalidParameter", p.stderr)
            self.assertIn(message, p.stderr)
        self.assertTrue(stat.S_ISSOCK(os.stat(self.d.socket).st_mode))
        self.assertTrue(os.path.islink(link))
        self.assertFalse(os.path.exists(os.path.join(self.d.dir, "target.db")))
        self.assertEqual(sorted(os.listdir(os.path.join(self.d.dir, "var"))),
                         ["fristvakt.db", "fristvakt.db-shm", "fristvakt.db-wal",
                          "fristvakt.sock"])
        self.assertEqual(self.d.cli("status").returncode, 0)
        # A relative path straight over Varlink: the daemon's working directory is its own.
        c = self.d.connect()
        self.addCleanup(c.close)
        r = c.call(PREFIX + "Backup", {"file": "relative.db"})
        self.assertEqual(r["error"], "org.varlink.service.InvalidParameter")
        audit = self.d.cli_json("audit")["entries"]
        self.assertEqual(audit[0]["outcome"], PREFIX + "BackupFailed")

    def test_socket_directory(self):
        """The database and the socket in directories of their own: neither takes a copy."""
        other = Daemon({'database = "var/fristvakt.db";': 'database = "db/fristvakt.db";'})
        self.addCleanup(other.cleanup)
        other.database = os.path.join(other.dir, "db", "fristvakt.db")
        other.start()
        for sub, message in (("var", "that is in the control socket's directory"),
                             ("db", "that is in the database's directory")):
            p = other.cli("backup", os.path.join(other.dir, sub, "copy.db"), check=1)
            self.assertIn(message, p.stderr)
        self.assertEqual(os.listdir(os.path.join(other.dir, "var")), ["fristvakt.sock"])
        other.cli("backup", os.path.join(other.dir, "copy.db"), check=0)

    def test_unwritable_directory(self):
        """A read-only file system (as a directory outside the unit's writable paths is):
        the error names the cause and where the daemon can write."""
        mnt = tempfile.mkdtemp(prefix="fristvakt-ro-")
        self.addCleanup(shutil.rmtree, mnt, ignore_errors=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mnt],
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs root): " + p.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        p = self.d.cli("--lang", "en", "backup", os.path.join(mnt, "b.db"), check=1)
        self.assertIn("cannot create a file in %s: Read-only file system" % mnt, p.stderr)
        self.assertIn("/var/backups/fristvakt", p.stderr)
        self.assertEqual(os.listdir(mnt), [])


class LargeBackupTest(unittest.TestCase):
    """A database of 96 MiB: the daemon answers while the copy is made, and a second backup
    asked for meanwhile is refused."""

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        # Padding the counts and checks do not look at.
        self.d.start()
        self.assertEqual(self.d.stop(), 0)
        db = sqlite3.connect(self.d.database)
        db.execute("INSERT INTO meta (key, value) VALUES ('test-padding', "
                   "hex(randomblob(48 * 1024 * 1024)))")
        db.commit()
        db.close()
        self.d.start()

    def test_serves_during_backup_and_one_at_a_time(self):
        a, b, s = self.d.connect(), self.d.connect(), self.d.connect()
        for c in (a, b, s):
            self.addCleanup(c.close)
        first = os.path.join(self.d.dir, "first.db")
        a.send_raw(json.dumps({"method": PREFIX + "Backup",
                               "parameters": {"file": first}}).encode() + b"\0")
        time.sleep(0.05)
        t0 = time.monotonic()
        status = s.call(PREFIX + "Status")
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertIn("parameters", status)
        r = b.call(PREFIX + "Backup", {"file": os.path.join(self.d.dir, "second.db")})
        self.assertEqual(r, {"error": PREFIX + "BackupInProgress",
                             "parameters": {"file": first}})
        done = a.recv()
        self.assertEqual(done["parameters"]["file"], first)
        self.assertGreater(done["parameters"]["size"], 96 * 1024 * 1024)
        self.assertFalse(os.path.exists(os.path.join(self.d.dir, "second.db")))
        # Once it is done, the next one runs.
        r = b.call(PREFIX + "Backup", {"file": os.path.join(self.d.dir, "second.db")})
        self.assertIn("parameters", r)


class RestoreRefusalTest(unittest.TestCase):
    """What --restore refuses, each with its exit status, leaving the database as it was."""

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.d.cli("case", "add", "R-1", "--service", "okonomisk-stonad", "--received",
                   "2026-11-02T09:15:00+01:00", check=0)
        self.backup = os.path.join(self.d.dir, "good.db")
        self.d.cli("backup", self.backup, check=0)

    def refused(self, path, status, message):
        p = restore(self.d, path)
        self.assertEqual(p.returncode, status, p.stdout + p.stderr)
        self.assertIn(message, p.stderr)
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.d.database))),
                         self.files_before)
        self.assertEqual(sha256(self.d.database), self.digest)
        return p

    def test_refused_backups(self):
        # While the daemon runs: refused, the running database untouched.
        p = restore(self.d, self.backup)
        self.assertEqual(p.returncode, 75, p.stderr)
        self.assertIn("the database is in use: stop fristvaktd", p.stderr)
        self.assertEqual(self.d.cli("case", "show", "R-1").returncode, 0)
        self.assertEqual(self.d.stop(), 0)
        self.files_before = sorted(os.listdir(os.path.dirname(self.d.database)))
        self.digest = sha256(self.d.database)

        garbage = os.path.join(self.d.dir, "garbage.db")
        with open(garbage, "wb") as f:
            f.write(os.urandom(8192))
        self.refused(garbage, 65, "is not an SQLite database")

        empty = os.path.join(self.d.dir, "empty.db")
        open(empty, "wb").close()
        self.refused(empty, 65, "the file is empty")

        truncated = os.path.join(self.d.dir, "truncated.db")
        with open(self.backup, "rb") as f:
            data = f.read()
        with open(truncated, "wb") as f:
            f.write(data[:len(data) // 2])
        self.refused(truncated, 65, "is damaged")

        foreign = os.path.join(self.d.dir, "foreign.db")
        db = sqlite3.connect(foreign)
        db.execute("CREATE TABLE cases (x)")
        db.execute("PRAGMA user_version = 3")
        db.commit()
        db.close()
        self.refused(foreign, 65, "an SQLite database but not fristvakt's (no table 'events')")

        newer = os.path.join(self.d.dir, "newer.db")
        shutil.copy(self.backup, newer)
        db = sqlite3.connect(newer)
        db.execute("PRAGMA user_version = %d" % (SCHEMA_LATEST + 1))
        db.commit()
        db.close()
        self.refused(newer, 65, "newer than this fristvaktd supports")

        p = self.refused(os.path.join(self.d.dir, "missing.db"), 1, "No such file")

        # The good one goes in; the one it replaced is kept.
        p = restore(self.d, self.backup)
        self.assertEqual(p.returncode, 0, p.stderr)
        aside = self.d.database + ".before-restore"
        self.assertIn("kept the previous database as %s" % aside, p.stdout)
        self.assertEqual(sha256(aside), self.digest)
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.d.database))),
                         ["fristvakt.db", "fristvakt.db.before-restore"])
        self.d.start()
        self.assertEqual(self.d.cli("case", "show", "R-1").returncode, 0)


    def test_restored_as_root_goes_to_the_directory_owner(self):
        need_root(self)
        nobody = pwd.getpwnam("nobody")
        other = Daemon()
        self.addCleanup(other.cleanup)
        var = os.path.dirname(other.database)
        os.mkdir(var, 0o700)
        os.chown(var, nobody.pw_uid, nobody.pw_gid)
        p = restore(other, self.backup)
        self.assertEqual(p.returncode, 0, p.stderr)
        st = os.stat(other.database)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)),
                         (nobody.pw_uid, nobody.pw_gid, 0o600))


class RestoreOverDamagedTest(unittest.TestCase):
    """--restore over a database SQLite cannot open (its header overwritten, the file cut
    short) puts the backup in place and keeps the damaged file aside, as it was; while the
    daemon has the damaged file open it is still refused."""

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.d.cli("case", "add", "R-1", "--service", "okonomisk-stonad", "--received",
                   "2026-11-02T09:15:00+01:00", check=0)
        self.backup = os.path.join(self.d.dir, "good.db")
        self.d.cli("backup", self.backup, check=0)

    def damage(self, how):
        with open(self.d.database, "r+b") as f:
            if how == "garbage":
                f.write(b"garbage garbage garbage garbage garbage")
            else:
                f.truncate(100)

    def test_garbage_and_truncated(self):
        # The daemon still has it open: refused, whatever the file says.
        self.damage("garbage")
        p = restore(self.d, self.backup)
        self.assertEqual(p.returncode, 75, p.stdout + p.stderr)
        self.assertIn("the database is in use: stop fristvaktd", p.stderr)
        self.d.proc.kill()
        self.d.proc.wait()
        # (Its write-ahead log held the first page: the take-over folds it back in.)
        self.assertEqual(restore(self.d, self.backup).returncode, 0)
        self.d.start()
        self.assertEqual(self.d.stop(), 0)
        for how, why in (("garbage", "file is not a database"),
                         ("truncated", "database disk image is malformed")):
            self.damage(how)
            digest = sha256(self.d.database)
            p = restore(self.d, self.backup)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            aside = self.d.database + ".before-restore"
            self.assertIn("the database is damaged", p.stdout)
            self.assertIn(why, p.stdout)
            self.assertIn("kept it as %s" % aside, p.stdout)
            self.assertEqual(sha256(aside), digest)
            self.d.start()
            self.assertEqual(self.d.cli("case", "show", "R-1").returncode, 0)
            self.assertEqual(self.d.stop(), 0)
        # Another program has the damaged file open (its write-ahead log's shared memory):
        # refused as long as it does.
        other = sqlite3.connect(self.d.database)
        self.assertEqual(other.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        other.execute("SELECT count(*) FROM cases").fetchall()
        self.damage("garbage")
        p = restore(self.d, self.backup)
        self.assertEqual(p.returncode, 75, p.stdout + p.stderr)
        self.assertIn("the database is in use", p.stderr)
        other.close()
        self.assertEqual(restore(self.d, self.backup).returncode, 0)


class RestoreLockTest(unittest.TestCase):
    """A restore and a daemon keep apart by a lock on the database's directory (flock, the
    one --restore takes exclusively and the daemon shared): a daemon started while a restore
    runs (as systemd's socket does when a client connects) refuses to start; a restore while
    anything holds the shared lock is refused."""

    def test_lock(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.start()
        backup = os.path.join(d.dir, "good.db")
        d.cli("backup", backup, check=0)
        self.assertEqual(d.stop(), 0)
        var = os.open(os.path.dirname(d.database), os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, var)
        fcntl.flock(var, fcntl.LOCK_EX)       # as a running restore holds it
        d.start(wait=False)
        self.assertEqual(d.proc.wait(timeout=20), 1)
        self.assertIn("a restore (fristvaktd --restore) is under way", d.log_text())
        fcntl.flock(var, fcntl.LOCK_SH)       # as a running daemon holds it
        digest = sha256(d.database)
        p = restore(d, backup)
        self.assertEqual(p.returncode, 75, p.stdout + p.stderr)
        self.assertIn("the database is in use: stop fristvaktd", p.stderr)
        self.assertEqual(sha256(d.database), digest)
        fcntl.flock(var, fcntl.LOCK_UN)
        self.assertEqual(restore(d, backup).returncode, 0)
        d.start()


class ReminderIdsAfterRestoreTest(unittest.TestCase):
    """Reminders planned after a backup was made had message ids; once it is restored, new
    reminders get ids above every id the old daemon used, again after a second restore of
    the same backup (receivers drop a message whose id they have seen)."""

    def ids(self):
        db = sqlite3.connect(self.d.database)
        ids = [r[0] for r in db.execute("SELECT id FROM reminders ORDER BY id")]
        db.close()
        return ids

    def register(self, c, ref):
        r = c.call(PREFIX + "RegisterApplication", {
            "reference": ref, "service": "okonomisk-stonad",
            "received": "2026-01-05T08:00:00Z", "channel": "written", "handler": "h1",
            "unit": "u1"})
        self.assertNotIn("error", r)

    def test_ids_after_restore_are_new(self):
        self.d = Daemon({"clock_control = false;": "clock_control = true;"})
        self.addCleanup(self.d.cleanup)
        self.d.start()
        c = self.d.connect()
        c.call(PREFIX + "testing.SetClock", {"now": "2026-01-05T08:00:00Z"})
        for i in range(3):
            self.register(c, "2026/A%d" % i)
        backup = os.path.join(self.d.dir, "bk.db")
        self.d.cli("backup", backup, check=0)
        at_backup = set(self.ids())
        for i in range(3):
            self.register(c, "2026/B%d" % i)
        used = set(self.ids())
        self.assertGreater(max(used), max(at_backup))
        c.close()
        for round in range(2):
            self.assertEqual(self.d.stop(), 0)
            p = restore(self.d, backup)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.d.start()
            c = self.d.connect()
            for i in range(3):
                self.register(c, "2026/C%d-%d" % (round, i))
            c.close()
            now = set(self.ids())
            new = now - at_backup
            self.assertTrue(new)
            self.assertGreater(min(new), max(used), (round, sorted(new)))
            used |= now


class CheckSkippedTest(unittest.TestCase):
    """While the deadlines are recomputed the outbox is not checked: fristvakt check says so,
    its own exit status (3), and nothing about it reads as a pass."""

    def test_skipped_during_recompute(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.start()
        d.cli("case", "add", "S-1", "--service", "okonomisk-stonad", "--received",
              "2026-11-02T09:15:00+01:00", check=0)
        self.assertEqual(d.stop(), 0)
        # Many cases (copies of S-1 with its events), and no record of the rules their
        # deadlines follow: the daemon recomputes every case after it starts.
        db = sqlite3.connect(d.database)
        db.execute("""INSERT INTO cases (ref, service, handler, unit, received, channel,
                      emergency, state, created, updated)
                      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                                              WHERE i < 20000)
                      SELECT 'S-1-' || i, service, handler, unit, received, channel,
                             emergency, state, created, updated FROM cases, n
                      WHERE ref = 'S-1'""")
        db.execute("""INSERT INTO events (case_id, type, occurred, recorded, data, uid)
                      SELECT c.id, e.type, e.occurred, e.recorded, e.data, e.uid
                      FROM cases c, events e JOIN cases o ON o.id = e.case_id
                      WHERE o.ref = 'S-1' AND c.ref LIKE 'S-1-%'""")
        for table in ("cases", "events"):
            db.execute("UPDATE counts SET n = (SELECT count(*) FROM %s) WHERE name = '%s'"
                       % (table, table))
        db.execute("DELETE FROM meta WHERE key = 'rules_fingerprint'")
        db.commit()
        db.close()
        done = "deadlines recomputed with the rules in force"
        before = d.log_text().count(done)
        d.start()
        p = d.cli("--lang", "en", "check", check=3)
        self.assertIn("SKIPPED reminders_planned", p.stdout)
        self.assertIn("not checked: the deadlines are being recomputed", p.stdout)
        self.assertNotIn("FAIL  reminders_planned", p.stdout)
        self.assertIn("not everything was checked", p.stdout)
        for _ in range(600):
            if d.log_text().count(done) > before:
                break
            time.sleep(0.05)
        j = json.loads(d.cli("--json", "check", check=None).stdout)
        planned = [c for c in j["checks"] if c["name"] == "reminders_planned"][0]
        self.assertNotIn("skipped", planned)
        self.assertEqual(j["skipped"], 0)


class CheckTest(ReminderTestCase):
    """fristvakt check on a healthy database (cases whose reminders went out over days of the
    test clock, with overdue repeats) and on databases damaged while the daemon was down."""

    RECEIVED = datetime.date(2026, 3, 2)    # Monday; processing due 16 March

    def check(self, status):
        p = self.d.cli("--lang", "en", "check", check=status)
        j = json.loads(self.d.cli("--json", "check", check=None).stdout)
        return p.stdout, {c["name"]: c for c in j["checks"]}

    def healthy(self):
        self.start()
        self.set_clock(local(self.RECEIVED, "07:00"))
        for i, unit in enumerate(("nav-sentrum", None, "nav-sentrum")):
            kw = {"handler": "kari"}
            if unit:
                kw["unit"] = unit
            self.register("C-%d" % i, rfc(local(self.RECEIVED, "07:00")), **kw)
        out, checks = self.check(0)
        self.assertIn("everything is fine", out)
        # Through the due day and a week of overdue repeats, checking every day.
        day = self.RECEIVED
        while day < datetime.date(2026, 3, 24):
            day += datetime.timedelta(1)
            self.set_clock(local(day, "09:00"))
            self.settle()
            out, checks = self.check(0)
            self.assertEqual([n for n, c in checks.items() if not c["ok"]], [], (day, out))
        self.decide("C-0", rfc(local(day, "09:00")), reached=day.isoformat())
        self.check(0)
        # C-1 alone stays awaited: the restart below (on the wall clock, months later)
        # sends what is due of the others, and bringing a case up to date before a send
        # plans it anew.
        self.decide("C-2", rfc(local(day, "09:00")), reached=day.isoformat())
        self.check(0)
        sent = [r for r in self.reminders() if r["state"] == "sent"]
        self.assertGreater(len(sent), 10)

    def test_healthy_then_a_reminder_deleted(self):
        self.healthy()
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        # The next reminders of C-1's processing and preliminary-reply series, gone.
        db = sqlite3.connect(self.d.database)
        rows = db.execute(
            "SELECT r.id, r.case_id, r.kind FROM reminders r JOIN cases c ON c.id = r.case_id "
            "WHERE c.ref = 'C-1' AND r.state = 'pending' ORDER BY r.kind").fetchall()
        self.assertEqual([k for _, _, k in rows], ["preliminary_reply", "processing"])
        db.executemany("DELETE FROM reminders WHERE id = ?", [(r[0],) for r in rows])
        db.commit()
        db.close()
        case_id = rows[0][1]
        self.d.start()
        self.connect_case()
        out, checks = self.check(1)
        self.assertFalse(checks["reminders_planned"]["ok"])
        self.assertEqual(checks["reminders_planned"]["count"], 2)
        self.assertEqual(sorted(x.split(":")[0] for x in checks["reminders_planned"]["details"]),
                         ["case #%d, preliminary_reply deadline due 2026-04-07" % case_id,
                          "case #%d, processing deadline due 2026-03-16" % case_id])
        self.assertIn("FAIL  reminders_planned (2)", out)
        self.assertNotIn("C-1", out)     # case references are not shown
        self.assertEqual([n for n, c in checks.items() if not c["ok"]], ["reminders_planned"])
        audit = self.call("ListAudit", {"limit": 1})["entries"]
        self.assertEqual((audit[0]["method"], audit[0]["outcome"]), (PREFIX + "Check", "ok"))

    def test_counts_and_index_damaged(self):
        self.start()
        self.set_clock(local(self.RECEIVED, "07:00"))
        self.register("D-1", rfc(local(self.RECEIVED, "07:00")), handler="kari")
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        db = sqlite3.connect(self.d.database)
        db.execute("UPDATE counts SET n = n + 2 WHERE name = 'cases'")
        # A figure of no state (a repair by hand gone wrong): the metrics would take it off
        # the open cases.
        db.execute("INSERT INTO counts (name, n) VALUES ('cases.bogus', 1)")
        root = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'cases_handler'"
                          ).fetchone()[0]
        page = db.execute("PRAGMA page_size").fetchone()[0]
        db.commit()
        db.close()
        self.assertFalse(os.path.exists(self.d.database + "-wal"))
        # The handler's name in the index only (quick_check at start-up does not compare
        # indexes with their tables; integrity_check does).
        with open(self.d.database, "r+b") as f:
            f.seek((root - 1) * page)
            data = f.read(page)
            at = data.index(b"kari")
            f.seek((root - 1) * page + at)
            f.write(b"kara")
        self.d.start()
        self.connect_case()
        out, checks = self.check(1)
        self.assertEqual(sorted(n for n, c in checks.items() if not c["ok"]),
                         ["counts", "integrity"])
        self.assertIn("cases: counted 3, stored 1", checks["counts"]["details"])
        self.assertIn("cases.bogus: counted 1, stored 0", checks["counts"]["details"])
        # The check's integrity result and its time tell of the same check (the metrics).
        metrics = self.d.cli("metrics", check=0).stdout
        self.assertRegex(metrics, r"(?m)^fristvakt_integrity_ok 0$")
        at = float(re.search(r"(?m)^fristvakt_integrity_check_timestamp_seconds (\S+)$",
                             metrics).group(1))
        self.assertLess(abs(at - time.time()), 120)
        self.assertIn("cases_handler", " ".join(checks["integrity"]["details"]))
        self.assertEqual(self.call("Status")["integrity"], "damaged")
        # Put the count right again for the harness's own comparison at cleanup.
        self.c.close()
        self.assertEqual(self.d.stop(), 0)
        db = sqlite3.connect(self.d.database)
        db.execute("UPDATE counts SET n = n - 2 WHERE name = 'cases'")
        db.execute("DELETE FROM counts WHERE name = 'cases.bogus'")
        db.commit()
        db.close()


if __name__ == "__main__":
    main()
