# SPDX-License-Identifier: GPL-3.0-or-later
"""Test harness: the real fristvaktd in a temporary directory, driven by the real CLI.

Each Daemon gets its own directory holding a copy of the shipped etc/ configuration (with
optional text substitutions), its database and socket under var/, and a notify socket that
records what the daemon tells systemd (READY=1, RELOADING=1, STOPPING=1, ...).
"""

import errno
import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

FRISTVAKTD = os.environ.get("FRISTVAKTD", "fristvaktd")
FRISTVAKT = os.environ.get("FRISTVAKT", "fristvakt")
SOURCE_DIR = os.environ.get(
    "FV_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

START_TIMEOUT = 20.0

# The schema version this build migrates to: the number of the newest migration in db/.
SCHEMA_LATEST = max(int(f[:3]) for f in os.listdir(os.path.join(SOURCE_DIR, "db"))
                    if f[:3].isdigit() and f.endswith(".sql"))


class Daemon:
    """A fristvaktd process with its own directory, configuration and database."""

    def __init__(self, subst=None, extra=""):
        self.dir = tempfile.mkdtemp(prefix="fristvakt-test-")
        os.chmod(self.dir, 0o755)
        self.etc = os.path.join(self.dir, "etc")
        # The shipped configuration: rules.conf and the templates beside fristvakt.conf.
        shutil.copytree(os.path.join(SOURCE_DIR, "etc"), self.etc)
        self.write_config(subst, extra)
        self.config = os.path.join(self.etc, "fristvakt.conf")
        self.socket = os.path.join(self.dir, "var", "fristvakt.sock")
        self.database = os.path.join(self.dir, "var", "fristvakt.db")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.proc = None
        self.notify_path = os.path.join(self.dir, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.setblocking(False)
        self.notifications = []

    def write_config(self, subst=None, extra=""):
        with open(os.path.join(SOURCE_DIR, "etc", "fristvakt.conf")) as f:
            text = f.read()
        for old, new in (subst or {}).items():
            if old not in text:
                raise AssertionError("config has no %r to replace" % old)
            text = text.replace(old, new)
        with open(os.path.join(self.etc, "fristvakt.conf"), "w") as f:
            f.write(text + extra)

    def start(self, wait=True, env=None):
        e = dict(os.environ)
        e["NOTIFY_SOCKET"] = self.notify_path
        e.pop("LISTEN_FDS", None)
        e.update(env or {})
        self.read_notify()
        mark = len(self.notifications)
        if getattr(self, "log", None):
            self.log.close()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [FRISTVAKTD, "-c", "etc/fristvakt.conf"], cwd=self.dir,
            stdout=self.log, stderr=self.log, env=e)
        if wait:
            self.wait_notify("READY=1", after=mark)
        return self.proc

    def read_notify(self):
        while True:
            try:
                msg = self.notify.recv(4096).decode()
            except BlockingIOError:
                return
            self.notifications.extend(msg.split("\n"))

    def wait_notify(self, line, timeout=START_TIMEOUT, after=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read_notify()
            if line in self.notifications[after:]:
                return
            if self.proc and self.proc.poll() is not None:
                raise AssertionError(
                    "fristvaktd exited with %d before %r; log:\n%s"
                    % (self.proc.returncode, line, self.log_text()))
            time.sleep(0.02)
        raise AssertionError("no %r from fristvaktd within %.0fs; log:\n%s"
                             % (line, timeout, self.log_text()))

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("fristvaktd did not stop within %ds" % timeout)

    def cleanup(self):
        """Stops the daemon (gracefully, so that LeakSanitizer runs) and removes its
        directory; fails when a sanitizer reported anything in the daemon's log."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
        self.notify.close()
        mismatch = self.count_mismatch()
        report = ""
        if os.path.exists(self.log_path):
            text = self.log_text()
            if "Sanitizer" in text or "runtime error:" in text:
                report = text
        shutil.rmtree(self.dir, ignore_errors=True)
        if report:
            raise AssertionError("sanitizer report in fristvaktd's log:\n" + report[-6000:])
        if mismatch:
            raise AssertionError("the counts table disagrees with the tables: %r" % mismatch)

    def count_mismatch(self):
        """After the daemon stopped: the figures Status reports (the counts table, kept by
        triggers) against the rows really stored. {} when they agree or there is nothing
        to compare (no database, an older schema, a database a test damaged)."""
        if not os.path.exists(self.database):
            return {}
        try:
            db = sqlite3.connect("file:%s?mode=ro" % self.database, uri=True)
            try:
                if not db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'counts'").fetchone():
                    return {}
                kept = dict(db.execute("SELECT name, n FROM counts"))
                real = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                        for t in ("cases", "events", "deadlines", "audit")}
                real["template_fallbacks"] = db.execute(
                    "SELECT count(*) FROM attempts WHERE fallback = 1").fetchone()[0]
                states = dict(db.execute("SELECT state, count(*) FROM reminders GROUP BY state"))
                for state in ("pending", "failed", "sent", "dead", "cancelled"):
                    real["reminders." + state] = states.get(state, 0)
                # Per channel and state (schema 3): every row kept, and every group counted.
                if SCHEMA_LATEST >= 3 and db.execute("PRAGMA user_version").fetchone()[0] >= 3:
                    for name, n in kept.items():
                        if name.startswith("channel."):
                            real.setdefault(name, 0)
                    for ch, state, n in db.execute("SELECT channel, state, count(*) FROM "
                                                   "reminders GROUP BY channel, state"):
                        real["channel.%s.%s" % (ch, state)] = n
                # Cases no longer open, deadlines by kind and state (schema 7, the metrics).
                if SCHEMA_LATEST >= 7 and db.execute("PRAGMA user_version").fetchone()[0] >= 7:
                    for state in ("closed", "withdrawn"):
                        real["cases." + state] = db.execute(
                            "SELECT count(*) FROM cases WHERE state = ?", (state,)).fetchone()[0]
                    for name in kept:
                        if name.startswith("deadlines."):
                            real.setdefault(name, 0)
                    for kind, state, n in db.execute("SELECT kind, state, count(*) FROM "
                                                     "deadlines GROUP BY kind, state"):
                        real["deadlines.%s.%s" % (kind, state)] = n
            finally:
                db.close()
        except sqlite3.DatabaseError:
            return {}
        return {k: (kept.get(k), v) for k, v in real.items() if kept.get(k) != v}

    def cli(self, *args, user=None, check=None, input=None):
        """Runs the CLI against this daemon; returns the CompletedProcess."""
        cmd = [FRISTVAKT, "--socket", self.socket] + list(args)
        kw = {}
        if user is not None:
            kw["user"] = user
            kw["group"] = pwd.getpwnam(user).pw_gid
            kw["extra_groups"] = []
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                           cwd=self.dir, input=input, **kw)
        if check is not None and p.returncode != check:
            raise AssertionError("%s exited %d, expected %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
        return p

    def cli_json(self, *args, **kw):
        p = self.cli("--json", *args, check=0, **kw)
        return json.loads(p.stdout)

    def connect(self):
        return Varlink(self.socket)

    def db(self):
        return sqlite3.connect(self.database)


class Varlink:
    """A raw Varlink connection: send exact bytes, read NUL-terminated replies."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self):
        """The next message as a dict, or None when the daemon closed the connection."""
        while b"\0" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, **flags):
        msg = {"method": method}
        if params is not None:
            msg["parameters"] = params
        msg.update(flags)
        self.send_raw(json.dumps(msg).encode() + b"\0")
        return self.recv()

    def closed(self, timeout=5.0):
        """Whether the daemon closes the connection within timeout (no more data)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


class DaemonTest(unittest.TestCase):
    """A test case with a started daemon in self.d (subclasses may set SUBST/EXTRA)."""

    SUBST = None
    EXTRA = ""

    def setUp(self):
        self.d = Daemon(self.SUBST, self.EXTRA)
        self.addCleanup(self.d.cleanup)
        self.d.start()


PEER_SCRIPT = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
buf = b""
out = []
for method, params in json.loads(sys.stdin.read()):
    s.sendall(json.dumps({"method": method, "parameters": params}).encode() + b"\0")
    while b"\0" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    out.append(json.loads(msg))
print(json.dumps(out))
"""


def need_root(test):
    """Skips the test unless it runs as root (it acts as other accounts)."""
    if os.geteuid() != 0:
        test.skipTest("needs root to act as another uid and gid")


def peer_calls(test, path, calls, uid, gid):
    """Raw Varlink calls [(method, params), ...] made on the socket at path by a process
    of the given uid and gid (no supplementary groups); returns the replies."""
    need_root(test)
    p = subprocess.run([sys.executable, "-c", PEER_SCRIPT, path], input=json.dumps(calls),
                       capture_output=True, text=True, user=uid, group=gid, extra_groups=[],
                       timeout=30, cwd="/")
    test.assertEqual(p.returncode, 0, p.stderr)
    return json.loads(p.stdout)


def mount_tmpfs(test, size="2m"):
    """A small tmpfs of the test's own (unmounted and removed at cleanup), for a file system
    that fills up; skips the test where mounting is not allowed (root or CAP_SYS_ADMIN)."""
    mnt = tempfile.mkdtemp(prefix="fristvakt-full-")
    test.addCleanup(shutil.rmtree, mnt, ignore_errors=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        test.skipTest("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): " + p.stderr.strip())
    test.addCleanup(subprocess.run, ["umount", "-l", mnt])
    return mnt


def fill_filesystem(test, directory):
    """Fills the file system of directory with a filler file; returns its path."""
    filler = os.path.join(directory, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        test.assertEqual(e.errno, errno.ENOSPC)
    finally:
        os.close(fd)
    return filler


# Exit status of main() when every test that ran passed and at least one was skipped
# (automake's): ctest (SKIP_RETURN_CODE, tests/CMakeLists.txt) then reports "Skipped", so a
# test that could not run here is never counted as passed.
EXIT_SKIPPED = 77


def main():
    """unittest.main() for the test files: 0 passed, 1 failed, EXIT_SKIPPED skipped some."""
    result = unittest.main(exit=False).result
    if not result.wasSuccessful():
        raise SystemExit(1)
    if result.skipped:
        print("skipped: %s" % "; ".join("%s (%s)" % (t.id(), why) for t, why in result.skipped),
              flush=True)
        raise SystemExit(EXIT_SKIPPED)
    raise SystemExit(0)
