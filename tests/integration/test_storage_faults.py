# SPDX-License-Identifier: GPL-3.0-or-later
"""Storage faults under the real daemon.

- The database's file system full: a 2 MiB tmpfs mounted by the test (skipped with the
  reason when mounting is not permitted; see below). Writes answer
  no.fristvakt.StorageFailure with SQLite's message, nothing acknowledged is lost (checked
  through the daemon, after a restart, and in the file), and the daemon recovers by itself
  once space returns.
- The database file made read-only underneath the daemon (chattr +i: root ignores mode
  bits) - the open descriptor keeps working and what is acknowledged is kept; a restart
  refuses with a message naming the file. The file deleted underneath - writes answer
  StorageFailure instead of vanishing into the unlinked file; no crash either way.

Run as a script (ctest does: tests/CMakeLists.txt), the exit status is 77 when nothing
failed but a test was skipped (no CAP_SYS_ADMIN for the tmpfs, no chattr), and ctest, told
SKIP_RETURN_CODE 77, reports the test as skipped instead of passed.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
from zoneinfo import ZoneInfo

from fvtest import Daemon, fill_filesystem, main, mount_tmpfs

PREFIX = "no.fristvakt."


# Received today: no reminder falls due during a test, so the only writes are the test's own
# (an overdue case's reminder would be sent at once, and its outcome written in a loop turn
# of its own, which fails on the full file system like any other write).
TODAY = datetime.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()


def register(conn, ref):
    return conn.call(PREFIX + "RegisterApplication", {
        "reference": ref, "service": "okonomisk-stonad", "received": TODAY,
        "channel": "written", "handler": "h-1",
        # Bulk in each event so that a small file system fills in a few hundred writes.
        "unit": "u" * 60})


def references_in(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {r[0] for r in db.execute("SELECT ref FROM cases")}
    finally:
        db.close()


class StorageTest(unittest.TestCase):
    def start_daemon(self, database_dir):
        db = os.path.join(database_dir, "fristvakt.db")
        self.d = Daemon({'database = "var/fristvakt.db";': 'database = "%s";' % db})
        self.d.database = db
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.c = self.d.connect()
        self.addCleanup(lambda: self.c.close())

    def reconnect(self):
        self.c.close()
        self.c = self.d.connect()

    def alive(self):
        self.assertIsNone(self.d.proc.poll(), "fristvaktd exited:\n" + self.d.log_text()[-3000:])
        r = self.c.call(PREFIX + "Status")
        self.assertIsNotNone(r, "connection closed")
        self.assertNotIn("error", r, r)

    def present(self, refs):
        missing = []
        for ref in refs:
            r = self.c.call(PREFIX + "GetCase", {"reference": ref})
            if "error" in r:
                missing.append(ref)
        self.assertEqual(missing, [], "acknowledged but lost")


class FullFileSystemTest(StorageTest):
    def setUp(self):
        # Room for the first registrations' WAL frames (about 90 KiB each, none checkpointed
        # yet) and, once the filler is removed, for the write that must then succeed.
        self.mnt = mount_tmpfs(self, size="4m")
        self.start_daemon(self.mnt)

    def fill(self):
        return fill_filesystem(self, self.mnt)

    def test_full_then_space_returns(self):
        acked = []
        for i in range(20):
            r = register(self.c, "FS-%d" % i)
            self.assertNotIn("error", r, r)
            acked.append("FS-%d" % i)
        filler = self.fill()

        # Writes until the file system refuses: each answer is a success or a named error.
        failures = []
        for i in range(20, 2000):
            r = register(self.c, "FS-%d" % i)
            self.assertIsNotNone(r, "connection closed on a full file system")
            if "error" in r:
                self.assertEqual(r["error"], PREFIX + "StorageFailure", r)
                failures.append(r["parameters"]["message"])
                if len(failures) >= 5:
                    break
            else:
                acked.append("FS-%d" % i)
        self.assertTrue(failures, "a full file system never refused a write")
        self.assertTrue(any("full" in m for m in failures), failures)
        self.alive()
        self.present(acked)

        # Space returns: the next write succeeds, without a restart.
        os.unlink(filler)
        r = register(self.c, "FS-after")
        self.assertNotIn("error", r, r)
        acked.append("FS-after")
        self.present(acked)

        # Nothing acknowledged is lost across a restart, and the file is sound.
        self.d.stop()
        self.assertTrue(set(acked) <= references_in(self.d.database))
        self.d.start()
        self.reconnect()
        self.present(acked)

    def test_restart_while_full(self):
        for i in range(5):
            self.assertNotIn("error", register(self.c, "RF-%d" % i))
        filler = self.fill()
        self.d.stop()
        # Starting on a full file system: ready (reads work) or a clear refusal, no crash.
        try:
            self.d.start()
        except AssertionError as e:
            self.assertIn("database", str(e))
            self.assertNotIn("Sanitizer", str(e))
            os.unlink(filler)
            self.d.start()
        self.reconnect()
        self.present(["RF-%d" % i for i in range(5)])
        if os.path.exists(filler):
            os.unlink(filler)
        self.assertNotIn("error", register(self.c, "RF-after"))


class DatabaseUnderneathTest(StorageTest):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fristvakt-db-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.start_daemon(self.dir)

    def test_made_read_only(self):
        self.assertNotIn("error", register(self.c, "RO-1"))
        os.chmod(self.d.database, 0o400)
        p = subprocess.run(["chattr", "+i", self.d.database], capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("chattr +i not supported here: " + p.stderr.strip())
        self.addCleanup(subprocess.run, ["chattr", "-i", self.d.database])
        # The open descriptor still writes: a success (kept) or a named error, no crash.
        acked = ["RO-1"]
        for i in range(3):
            r = register(self.c, "RO-%d" % (i + 2))
            if "error" in r:
                self.assertEqual(r["error"], PREFIX + "StorageFailure", r)
            else:
                acked.append("RO-%d" % (i + 2))
        self.alive()
        self.present(acked)
        # A restart cannot open it for writing: a clear refusal that names the file.
        self.d.stop()
        with self.assertRaises(AssertionError) as cm:
            self.d.start()
        self.assertIn(self.d.database, str(cm.exception))
        self.assertNotIn("Sanitizer", str(cm.exception))
        subprocess.run(["chattr", "-i", self.d.database], check=True)
        self.assertTrue(set(acked) <= references_in(self.d.database))

    def test_deleted(self):
        self.assertNotIn("error", register(self.c, "DL-1"))
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.d.database + suffix):
                os.unlink(self.d.database + suffix)
        for i in range(3):
            r = register(self.c, "DL-%d" % (i + 2))
            self.assertEqual(r.get("error"), PREFIX + "StorageFailure", r)
            self.assertIn("deleted", r["parameters"]["message"])
        self.alive()
        # A restart starts afresh on a new file (the old one is gone), and works.
        self.d.stop()
        self.d.start()
        self.reconnect()
        self.assertNotIn("error", register(self.c, "DL-new"))


if __name__ == "__main__":
    main()
