# SPDX-License-Identifier: GPL-3.0-or-later
"""The foundation: fristvaktd starts, keeps its data, answers on its socket, reloads,
refuses what it must refuse, and stops cleanly."""

import json
import os
import pwd
import re
import shutil
import signal
import sqlite3
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from fvtest import (FRISTVAKT, FRISTVAKTD, SCHEMA_LATEST, SOURCE_DIR, Daemon, DaemonTest, Varlink, main,
                    peer_calls)


# The release: the upstream part of debian/changelog's newest entry, as the build takes it.
with open(os.path.join(SOURCE_DIR, "debian", "changelog")) as _f:
    RELEASE = re.match(r"fristvakt \(([0-9.]+)", _f.readline()).group(1)


class StatusTest(DaemonTest):
    def test_status_human(self):
        p = self.d.cli("status", check=0)
        self.assertIn("fristvaktd %s" % RELEASE, p.stdout)
        self.assertIn(self.d.database, p.stdout)
        self.assertIn("schema version %d" % SCHEMA_LATEST, p.stdout)
        self.assertIn("Europe/Oslo", p.stdout)
        self.assertIn("your role    admin", p.stdout)

    def test_version(self):
        """Both programs name the release (debian/changelog) and the source revision."""
        for prog, name in ((FRISTVAKTD, "fristvaktd"), (FRISTVAKT, "fristvakt")):
            out = subprocess.run([prog, "--version"], capture_output=True, text=True,
                                 check=True).stdout
            self.assertRegex(out, r"^%s %s \(source revision ([0-9a-f]{7,}(-dirty)?|"
                             r"[\w.-]+-g[0-9a-f]+(-dirty)?|unknown)\)\n$"
                             % (name, re.escape(RELEASE)))

    def test_status_json(self):
        s = self.d.cli_json("status")
        self.assertEqual(s["database"], self.d.database)
        self.assertEqual(s["schema_version"], SCHEMA_LATEST)
        self.assertIn(s["integrity"], ("checking", "ok"))
        self.assertEqual(s["config_file"], self.d.config)
        self.assertEqual(s["timezone"], "Europe/Oslo")
        self.assertEqual(s["counts"], {"cases": 0, "events": 0, "deadlines": 0, "audit": 0})
        self.assertGreaterEqual(s["uptime_seconds"], 0)
        self.assertRegex(s["started"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(s["connections"], 1)
        self.assertEqual(s["role"], "admin")
        self.assertIn("okonomisk-stonad", s["services"])

    def test_get_info_and_description(self):
        c = self.d.connect()
        r = c.call("org.varlink.service.GetInfo")
        self.assertEqual(r["parameters"]["product"], "fristvaktd")
        self.assertEqual(r["parameters"]["interfaces"], ["org.varlink.service", "no.fristvakt"])
        r = c.call("org.varlink.service.GetInterfaceDescription", {"interface": "no.fristvakt"})
        text = r["parameters"]["description"]
        self.assertTrue(text.startswith("# fristvakt"))
        self.assertIn("interface no.fristvakt", text)
        self.assertIn("method Status() -> (", text)
        self.assertIn("method Reload() -> (", text)
        r = c.call("org.varlink.service.GetInterfaceDescription",
                   {"interface": "org.varlink.service"})
        self.assertIn("method GetInfo()", r["parameters"]["description"])
        r = c.call("org.varlink.service.GetInterfaceDescription", {"interface": "no.such"})
        self.assertEqual(r["error"], "org.varlink.service.InterfaceNotFound")
        self.assertEqual(r["parameters"]["interface"], "no.such")

    def test_standard_errors(self):
        c = self.d.connect()
        r = c.call("no.fristvakt.NoSuchMethod")
        self.assertEqual(r["error"], "org.varlink.service.MethodNotFound")
        self.assertEqual(r["parameters"]["method"], "no.fristvakt.NoSuchMethod")
        r = c.call("com.example.Foo")
        self.assertEqual(r["error"], "org.varlink.service.InterfaceNotFound")
        r = c.call("no.fristvakt.Status", {"verbose": True})
        self.assertEqual(r["error"], "org.varlink.service.InvalidParameter")
        self.assertEqual(r["parameters"]["parameter"], "verbose")
        r = c.call("org.varlink.service.GetInterfaceDescription", {"interface": 7})
        self.assertEqual(r["error"], "org.varlink.service.InvalidParameter")
        self.assertEqual(r["parameters"]["parameter"], "interface")
        # The connection is still usable after every error.
        self.assertIn("parameters", c.call("no.fristvakt.Status"))

    def test_parameters_null_or_empty(self):
        c = self.d.connect()
        for params in (None, {}):
            r = c.call("no.fristvakt.Status", params)
            self.assertNotIn("error", r)
        c.send_raw(b'{"method":"no.fristvakt.Status","parameters":null}\0')
        self.assertNotIn("error", c.recv())

    def test_pipelined_and_oneway(self):
        c = self.d.connect()
        msgs = b"".join(json.dumps({"method": m}).encode() + b"\0" for m in (
            "no.fristvakt.Status", "org.varlink.service.GetInfo", "no.fristvakt.Status"))
        # A oneway call gets no reply; the others are answered in order.
        msgs = (json.dumps({"method": "no.fristvakt.Status", "oneway": True}).encode()
                + b"\0" + msgs)
        c.send_raw(msgs)
        r1, r2, r3 = c.recv(), c.recv(), c.recv()
        self.assertIn("schema_version", r1["parameters"])
        self.assertIn("vendor", r2["parameters"])
        self.assertIn("schema_version", r3["parameters"])

    def test_file_modes(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.d.database).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.d.database)).st_mode), 0o700)
        st = os.stat(self.d.socket)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)

    def test_database_settings(self):
        db = self.d.db()
        self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], SCHEMA_LATEST)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self.assertTrue({"cases", "events", "deadlines", "audit"} <= tables)


class BadInputTest(DaemonTest):
    SUBST = {"max_message = 1048576;": "max_message = 65536;"}

    def test_garbage_keeps_serving(self):
        c = self.d.connect()
        c.send_raw(b"this is not json\0")
        r = c.recv()
        self.assertEqual(r["error"], "no.fristvakt.InvalidMessage")
        self.assertIn("not valid JSON", r["parameters"]["reason"])
        for bad in (b"[1,2]\0", b'"x"\0', b'{"method":1}\0', b'{"method":"x"}\0',
                    b'{"method":"no.fristvakt.Status","foo":1}\0',
                    b'{"method":"no.fristvakt.Status"} trailing\0',
                    b'{"method":"no.fristvakt.Status","method":"x.Y"}\0',
                    b'{"method":"no.fristvakt.St\xffatus"}\0'):
            c.send_raw(bad)
            r = c.recv()
            self.assertEqual(r["error"], "no.fristvakt.InvalidMessage", bad)
        self.assertIn("parameters", c.call("no.fristvakt.Status"))
        self.assertEqual(self.d.cli("status").returncode, 0)

    def test_oversized_message_closes_connection(self):
        c = self.d.connect()
        try:
            c.send_raw(b'{"method":"no.fristvakt.Status","parameters":{"x":"'
                       + b"a" * 70000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.recv()
        self.assertEqual(r["error"], "no.fristvakt.MessageTooLarge")
        self.assertEqual(r["parameters"]["max"], 65536)
        self.assertTrue(c.closed())
        self.assertEqual(self.d.cli("status").returncode, 0)
        self.assertIsNone(self.d.proc.poll())

    def test_client_disconnects_midway(self):
        for _ in range(20):
            c = self.d.connect()
            c.send_raw(b'{"method":"no.fristvakt.Sta')
            c.close()
        c = self.d.connect()
        c.send_raw(b'{"method":"no.fristvakt.Status"}\0')
        c.close()
        self.assertEqual(self.d.cli("status").returncode, 0)


class LimitsTest(DaemonTest):
    SUBST = {"max_connections = 64;": "max_connections = 4;",
             "idle_timeout = 60;": "idle_timeout = 1;"}

    def test_connection_limit(self):
        held = [self.d.connect() for _ in range(4)]
        extra = Varlink(self.d.socket)
        r = extra.recv()
        self.assertEqual(r["error"], "no.fristvakt.TooManyConnections")
        self.assertEqual(r["parameters"]["max"], 4)
        self.assertTrue(extra.closed())
        for c in held:
            c.close()
        time.sleep(0.2)
        self.assertEqual(self.d.cli("status").returncode, 0)

    def test_idle_timeout(self):
        c = self.d.connect()
        start = time.monotonic()
        self.assertTrue(c.closed(timeout=5))
        self.assertLess(time.monotonic() - start, 4.5)
        # A trickle of bytes that never completes a call does not keep it open.
        c = self.d.connect()
        c.send_raw(b"{")
        time.sleep(0.5)
        try:
            c.send_raw(b'"')
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(c.closed(timeout=5))


class RateLimitTest(DaemonTest):
    SUBST = {"rate = 500;": "rate = 5;", "rate_burst = 1000;": "rate_burst = 10;"}

    def test_flood_is_rate_limited(self):
        c = self.d.connect()
        errors = []
        for _ in range(40):
            r = c.call("no.fristvakt.Status")
            if "error" in r:
                errors.append(r)
        self.assertGreater(len(errors), 20)
        self.assertEqual(errors[0]["error"], "no.fristvakt.RateLimited")
        self.assertGreater(errors[0]["parameters"]["retry_after_ms"], 0)
        time.sleep(0.5)
        self.assertNotIn("error", c.call("no.fristvakt.Status"))


class ReloadTest(DaemonTest):
    def status(self):
        return self.d.cli_json("status")

    def test_reload_good(self):
        before = self.status()["config_loaded"]
        time.sleep(1.1)
        self.d.write_config({'log_level = "info";': 'log_level = "debug";'})
        mark = len(self.d.notifications)
        p = self.d.cli("--lang", "en", "reload", check=0)
        self.assertIn("reloaded", p.stdout)
        self.assertNotEqual(self.status()["config_loaded"], before)
        self.d.wait_notify("RELOADING=1", after=mark)
        self.assertTrue(any(n.startswith("MONOTONIC_USEC=")
                            for n in self.d.notifications[mark:]))
        # The reload is audited.
        rows = self.d.db().execute("SELECT method, outcome, uid FROM audit").fetchall()
        self.assertEqual(rows, [("no.fristvakt.Reload", "ok", os.getuid())])

    def test_reload_bad_keeps_old(self):
        before = self.status()["config_loaded"]
        self.d.write_config({'log_level = "info";': 'log_level = = "info";'})
        p = self.d.cli("reload", check=1)
        self.assertRegex(p.stderr, r"ConfigInvalid: .*fristvakt\.conf:\d+: ")
        self.assertEqual(self.status()["config_loaded"], before)
        self.d.write_config({"idle_timeout = 60;": "idle_timeout = 0;"})
        p = self.d.cli("reload", check=1)
        line = next(i for i, l in enumerate(open(self.d.config), 1) if "idle_timeout = 0" in l)
        self.assertIn("fristvakt.conf:%d: 'idle_timeout' must be between" % line, p.stderr)
        rows = self.d.db().execute("SELECT outcome FROM audit").fetchall()
        self.assertEqual(rows, [("no.fristvakt.ConfigInvalid",)] * 2,
                         (self.d.log_text(), self.d.db().execute("SELECT * FROM audit").fetchall(), p.stderr))
        self.assertEqual(self.d.cli("status").returncode, 0)

    def test_reload_refuses_restart_only_keys(self):
        self.d.write_config({'timezone = "Europe/Oslo";': 'timezone = "UTC";'})
        p = self.d.cli("reload", check=1)
        self.assertIn("'timezone' cannot change on reload", p.stderr)
        self.assertEqual(self.status()["timezone"], "Europe/Oslo")

    def test_sighup(self):
        before = self.status()["config_loaded"]
        self.d.write_config({'log_level = "info";': 'log_level = "info"; bogus_key = 1;'})
        self.d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "unknown setting 'bogus_key'" not in self.d.log_text():
            self.assertLess(time.monotonic(), deadline, self.d.log_text())
            time.sleep(0.05)
        self.assertEqual(self.status()["config_loaded"], before)
        time.sleep(1.1)
        self.d.write_config()
        mark = len(self.d.notifications)
        self.d.proc.send_signal(signal.SIGHUP)
        self.d.wait_notify("RELOADING=1", after=mark)
        deadline = time.monotonic() + 10
        while self.status()["config_loaded"] == before:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)

    def test_sigterm_clean_exit(self):
        self.d.start()
        mark = len(self.d.notifications)
        self.assertEqual(self.d.stop(signal.SIGTERM), 0)
        self.d.wait_notify("STOPPING=1", after=mark)
        self.assertFalse(os.path.exists(self.d.socket))
        self.assertIn("stopped", self.d.log_text())

    def test_notify_status_and_watchdog(self):
        # As systemd runs it with WatchdogSec=: pings at half the interval, from the loop.
        self.d.start(env={"WATCHDOG_USEC": "400000"})
        self.d.wait_notify("WATCHDOG=1", timeout=5)
        status = [n for n in self.d.notifications if n.startswith("STATUS=")]
        self.assertIn("STATUS=Serving on %s; configuration %s" % (self.d.socket, self.d.config),
                      status)
        mark = len(self.d.notifications)
        self.d.wait_notify("WATCHDOG=1", timeout=5, after=mark)
        self.assertEqual(self.d.stop(), 0)

    def test_sigint_clean_exit(self):
        self.d.start()
        self.assertEqual(self.d.stop(signal.SIGINT), 0)

    def test_restart_keeps_data(self):
        self.d.start()
        self.d.cli("reload", check=0)
        self.assertEqual(self.d.stop(), 0)
        self.d.start()
        s = self.d.cli_json("status")
        self.assertEqual(s["counts"]["audit"], 1)
        self.assertEqual(s["schema_version"], SCHEMA_LATEST)

    def test_stale_socket_is_replaced(self):
        self.d.start()
        self.d.proc.kill()
        self.d.proc.wait()
        self.assertTrue(os.path.exists(self.d.socket))
        self.d.start()
        self.assertEqual(self.d.cli("status").returncode, 0)

    def test_second_daemon_refused(self):
        self.d.start()
        other = subprocess.run([FRISTVAKTD, "-c", "etc/fristvakt.conf"], cwd=self.d.dir,
                               capture_output=True, text=True, timeout=20)
        self.assertEqual(other.returncode, 1)
        self.assertIn("another daemon is already listening", other.stderr)
        self.assertEqual(self.d.cli("status").returncode, 0)

    def test_newer_database_refused(self):
        self.d.start()
        self.d.stop()
        db = self.d.db()
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(20), 1)
        self.assertIn("database schema version 99 is newer than this fristvaktd supports (%d)"
                      % SCHEMA_LATEST,
                      self.d.log_text())
        self.assertFalse(os.path.exists(self.d.socket))

    def register_many(self, n):
        """n cases, through ImportEvents in small batches (a database of many pages)."""
        c = self.d.connect()
        for k in range(0, n, 10):
            items = [{"method": "RegisterApplication", "parameters": {
                "reference": "DMG-%d" % i, "service": "okonomisk-stonad",
                "received": "2026-03-02T09:00:00Z", "channel": "written"}}
                for i in range(k, min(n, k + 10))]
            r = c.call("no.fristvakt.ImportEvents", {"items": items})
            self.assertTrue(all(x["ok"] for x in r["parameters"]["results"]), r)
        c.close()

    def downgrade_to_v1(self):
        """A database of this build turned back into schema version 1 (db/001 only): the
        table of 003 and the columns and index of 002 dropped, the table definitions of 001
        put back."""
        with open(os.path.join(SOURCE_DIR, "db", "001_initial.sql")) as f:
            v1 = f.read()
        db = self.d.db()
        for (name,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'")\
                .fetchall():
            db.execute("DROP TRIGGER %s" % name)
        db.execute("DROP TABLE deadline_versions")
        db.execute("DROP TABLE counts")
        # And of 003 (its triggers and counts went above): the installation id, channel
        # health.
        db.execute("DELETE FROM meta WHERE key = 'installation'")
        db.execute("DROP TABLE channel_health")
        # And of 007: the day a missed duty ended.
        db.execute("ALTER TABLE deadlines DROP COLUMN ended_on")
        # And of 006: the explanations (a stand-in holding the rule and source, which 002
        # reads out of them) and the index of a case's reminders.
        db.execute("ALTER TABLE deadlines ADD COLUMN explanation TEXT")
        db.execute("UPDATE deadlines SET explanation = json_object('rule', rule, "
                   "'source', source)")
        db.execute("CREATE INDEX reminders_case ON reminders (case_id, state)")
        db.execute("ALTER TABLE deadlines DROP COLUMN rule")
        db.execute("ALTER TABLE deadlines DROP COLUMN source")
        db.commit()
        cookie = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        for table in ("cases", "events", "deadlines", "reminders", "attempts"):
            m = re.search(r"CREATE TABLE %s \(.*?\n\) STRICT" % table, v1, re.S)
            db.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
                       (m.group(0), table))
        db.execute("PRAGMA schema_version = %d" % (cookie + 1))
        db.execute("PRAGMA writable_schema = OFF")
        db.execute("PRAGMA user_version = 1")
        db.commit()
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertIn("state IN ('pending', 'failed', 'sent', 'dead', 'cancelled')",
                      db.execute("SELECT sql FROM sqlite_schema WHERE name = 'reminders'")
                      .fetchone()[0])
        db.close()

    def check_counts(self):
        """Status's counts, kept by triggers, equal the rows in the tables."""
        db = self.d.db()
        want = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("cases", "events", "deadlines", "audit")}
        states = dict(db.execute("SELECT state, count(*) FROM reminders GROUP BY state"))
        fallbacks = db.execute("SELECT count(*) FROM attempts WHERE fallback = 1").fetchone()[0]
        db.close()
        s = self.d.cli_json("status")
        self.assertEqual(s["counts"], want)
        for state in ("pending", "failed", "sent", "dead", "cancelled"):
            self.assertEqual(s["reminders"][state], states.get(state, 0), state)
        self.assertEqual(s["reminders"]["template_fallbacks"], fallbacks)
        self.assertGreater(want["deadlines"], 0)

    def check_schema_constraints(self):
        """The CHECK constraints are comparisons, enforced, and need no temporary b-tree
        per row written (an IN list of three or more values does, in SQLite 3.40)."""
        db = self.d.db()
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        for table, sql in (
                ("reminders", "INSERT INTO reminders (case_id, kind, subject, stage, "
                 "occurrence, recipients, channel, state, planned, not_before, created) "
                 "VALUES (NULL, 'k', 1, 's', 'o', 1, 'log', ?, 0, 0, 0)"),
                ("cases", "INSERT INTO cases (ref, service, received, channel, emergency, "
                 "state, created, updated) VALUES ('X', 'bpa', 0, 'oral', 0, ?, 0, 0)")):
            plan = db.execute("EXPLAIN " + sql, ("pending",)).fetchall()
            self.assertNotIn("OpenEphemeral", [row[1] for row in plan], table)
            with self.assertRaises(sqlite3.IntegrityError, msg=table):
                db.execute(sql, ("no such state",))
        db.rollback()
        db.close()

    def test_fresh_schema_constraints(self):
        self.d.start()
        self.assertEqual(self.d.stop(), 0)
        self.check_schema_constraints()

    def test_migration_from_version_1(self):
        self.d.start()
        self.d.cli("case", "add", "MIG/1", "--service", "bpa", "--received",
                   "2026-03-02T09:00:00+01:00", check=0)
        before = self.d.cli_json("deadlines")
        self.assertEqual(self.d.stop(), 0)
        self.downgrade_to_v1()
        self.d.start()
        s = self.d.cli_json("status")
        self.assertEqual(s["schema_version"], SCHEMA_LATEST)
        # Checked before the migration, so not again after READY.
        self.assertEqual(s["integrity"], "ok")
        db = self.d.db()
        rows = db.execute("SELECT rule, source FROM deadlines").fetchall()
        # 006: the explanations are computed when shown, not stored.
        columns = [r[1] for r in db.execute("PRAGMA table_info(deadlines)")]
        db.close()
        self.assertTrue(rows)
        for rule, source in rows:
            self.assertTrue(rule and source)
        self.assertNotIn("explanation", columns)
        self.assertEqual(self.d.cli_json("deadlines"), before)
        # 003: every stored deadline has its first version.
        db = self.d.db()
        self.assertEqual(db.execute(
            "SELECT count(*) FROM deadlines d JOIN deadline_versions v USING "
            "(case_id, kind, subject) WHERE v.sequence = 0 AND v.due IS d.due").fetchone()[0],
            len(rows))
        db.close()
        self.check_schema_constraints()
        self.check_counts()

    def test_damaged_database_not_migrated(self):
        self.d.start()
        self.register_many(200)
        self.assertEqual(self.d.stop(), 0)
        self.downgrade_to_v1()
        db = self.d.db()
        db.execute("VACUUM")
        db.close()
        size = os.path.getsize(self.d.database)
        with open(self.d.database, "r+b") as f:
            f.seek((size // 4096 // 2) * 4096)
            f.write(bytes(range(256)) * 16)
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(30), 1)
        self.assertIn("failed PRAGMA quick_check", self.d.log_text())
        db = self.d.db()
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 1)
        db.close()

    def test_corrupt_database_refused(self):
        os.makedirs(os.path.dirname(self.d.database), mode=0o700)
        with open(self.d.database, "wb") as f:
            f.write(b"this is not a database" * 100)
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(20), 1)
        self.assertIn("database:", self.d.log_text())

    def test_integrity_checked_after_ready(self):
        self.d.start()
        deadline = time.monotonic() + 20
        while self.d.cli_json("status")["integrity"] == "checking":
            self.assertLess(time.monotonic(), deadline, "the check did not finish")
            time.sleep(0.05)
        self.assertEqual(self.d.cli_json("status")["integrity"], "ok")
        self.assertIn("integrity check: ok", self.d.cli("status", check=0).stdout)
        self.assertIn("passed PRAGMA quick_check", self.d.log_text())

    def test_damaged_database_stops_daemon(self):
        # A database with many pages, then one page in the middle overwritten: the header
        # still reads, so the daemon starts; the check after READY finds the damage.
        self.d.start()
        self.register_many(200)
        self.assertEqual(self.d.stop(), 0)
        size = os.path.getsize(self.d.database)
        self.assertGreater(size, 64 * 4096)
        with open(self.d.database, "r+b") as f:
            f.seek((size // 4096 // 2) * 4096)
            f.write(bytes(range(256)) * 16)
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(30), 65)
        log = self.d.log_text()
        self.assertIn("failed PRAGMA quick_check", log)
        self.assertIn("exit status 65", log)

    def test_bad_config_exits_with_line(self):
        self.d.write_config({"max_connections = 64;": "max_connections = 0;"})
        self.d.start(wait=False)
        self.assertEqual(self.d.proc.wait(20), 1)
        line = next(i for i, l in enumerate(open(self.d.config), 1)
                    if "max_connections = 0" in l)
        self.assertIn("fristvakt.conf:%d: 'max_connections' must be between" % line,
                      self.d.log_text())

    def test_check_config(self):
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", self.d.config],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration is valid", p.stdout)
        self.d.write_config(extra="\nlog_level = \"debug\";\n")
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", self.d.config],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"fristvakt\.conf:\d+: ")
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", "/nonexistent.conf"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent.conf: cannot open: No such file or directory", p.stderr)


class CliTest(unittest.TestCase):
    def test_cannot_connect(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        p = d.cli("status")
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot connect to fristvaktd at %s" % d.socket, p.stderr)

    def test_usage(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        self.assertEqual(d.cli().returncode, 2)
        self.assertEqual(d.cli("frobnicate").returncode, 2)
        self.assertEqual(d.cli("status", "extra").returncode, 2)
        for cmd in ("status", "reload", "deadline", "holidays"):
            p = d.cli(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("Usage", p.stdout)
        self.assertEqual(d.cli("--help").returncode, 0)


class AccessTest(DaemonTest):
    """Peers are mapped to roles from their credentials."""

    SUBST = {'socket_mode = "0660";': 'socket_mode = "0666";',
             '# { group = "fristvakt"; role = "read"; },':
             '{ user = "nobody"; role = "read"; }'}

    def setUp(self):
        super().setUp()
        # nobody must be able to reach the socket in var/ (0700 as the database's dir).
        os.chmod(os.path.dirname(self.d.socket), 0o711)

    def test_read_role(self):
        s = self.d.cli_json("status", user="nobody")
        self.assertEqual(s["role"], "read")
        p = self.d.cli("reload", user="nobody")
        self.assertEqual(p.returncode, 1)
        self.assertIn("permission denied: no.fristvakt.Reload needs the admin role; yours is read",
                      p.stderr)
        self.assertEqual(self.d.db().execute("SELECT count(*) FROM audit").fetchone()[0], 0)

    def test_no_role(self):
        p = self.d.cli("status", user="daemon")
        self.assertEqual(p.returncode, 1)
        self.assertIn("needs the read role; yours is none", p.stderr)

    def test_discovery_open_to_every_peer(self):
        """org.varlink.service answers a peer the access list grants nothing (the socket's
        mode is the gate); no.fristvakt keeps its roles for the same peer."""
        daemon = pwd.getpwnam("daemon")
        r = peer_calls(self, self.d.socket, [
            ["org.varlink.service.GetInfo", {}],
            ["org.varlink.service.GetInterfaceDescription", {"interface": "no.fristvakt"}],
            ["org.varlink.service.GetInterfaceDescription",
             {"interface": "org.varlink.service"}],
            ["org.varlink.service.GetInterfaceDescription", {"interface": "no.such"}],
            ["no.fristvakt.Status", {}],
            ["no.fristvakt.ListCases", {}],
        ], daemon.pw_uid, daemon.pw_gid)
        self.assertNotIn("error", r[0], r[0])
        self.assertEqual(r[0]["parameters"]["product"], "fristvaktd")
        self.assertEqual(r[0]["parameters"]["interfaces"],
                         ["org.varlink.service", "no.fristvakt"])
        self.assertNotIn("error", r[1], r[1])
        with open(os.path.join(SOURCE_DIR, "daemon", "no.fristvakt.varlink")) as f:
            self.assertEqual(r[1]["parameters"]["description"], f.read())
        self.assertIn("method GetInfo()", r[2]["parameters"]["description"])
        self.assertEqual(r[3]["error"], "org.varlink.service.InterfaceNotFound")
        for reply, method in zip(r[4:], ("Status", "ListCases")):
            self.assertEqual(reply.get("error"), "no.fristvakt.PermissionDenied", reply)
            self.assertEqual(reply["parameters"], {"method": "no.fristvakt." + method,
                                                   "role": "none", "required": "read"})
        # Nothing a peer without a role did is audited.
        self.assertEqual(self.d.db().execute("SELECT count(*) FROM audit").fetchone()[0], 0)


class NonRootWriterAuditTest(DaemonTest):
    """The audit log and the event record the caller's own uid, gid and pid: checked with a
    peer whose uid and gid differ from each other and from root's, so that any mix-up of
    the three shows."""

    UID, GID = 65534, 4242  # nobody, in a group of its own number
    SUBST = {'socket_mode = "0660";': 'socket_mode = "0666";',
             '# { group = "fristvakt"; role = "read"; },':
             '{ user = "nobody"; role = "write"; }'}

    def setUp(self):
        super().setUp()
        os.chmod(os.path.dirname(self.d.socket), 0o711)

    def test_audit_has_the_peers_uid_and_gid(self):
        r = peer_calls(self, self.d.socket, [
            ["no.fristvakt.RegisterApplication", {"reference": "AU-1",
                                                  "service": "okonomisk-stonad",
                                                  "received": "2026-03-02",
                                                  "channel": "written"}],
            ["no.fristvakt.Status", {}],
        ], self.UID, self.GID)
        self.assertNotIn("error", r[0], r[0])
        self.assertEqual(r[1]["parameters"]["role"], "write")
        entries = self.d.cli_json("audit")["entries"]
        self.assertEqual(len(entries), 1, entries)
        e = entries[0]
        self.assertEqual((e["method"], e["reference"], e["uid"], e["gid"], e["outcome"]),
                         ("no.fristvakt.RegisterApplication", "AU-1", self.UID, self.GID,
                          "ok"))
        self.assertGreater(e["pid"], 1)
        self.assertNotEqual(e["pid"], os.getpid())
        row = self.d.db().execute("SELECT uid, gid FROM audit").fetchall()
        self.assertEqual(row, [(self.UID, self.GID)])
        g = self.d.cli_json("case", "show", "AU-1")
        self.assertEqual([ev["uid"] for ev in g["events"]], [self.UID])
        # The table shows the same figures.
        p = self.d.cli("audit", check=0)
        line = [ln for ln in p.stdout.splitlines() if "RegisterApplication" in ln]
        self.assertEqual(len(line), 1, p.stdout)
        self.assertRegex(line[0], r"\b%d\b.*\b%d\b" % (self.UID, self.GID))


class InstalledInterfaceTest(DaemonTest):
    """cmake --install puts the interface files where clients look for them, with the text
    the daemon serves."""

    SUBST = {"clock_control = false;": "clock_control = true;"}

    def test_install_interface_files(self):
        build = os.path.dirname(os.path.abspath(FRISTVAKTD))
        prefix = tempfile.mkdtemp(prefix="fristvakt-install-")
        self.addCleanup(shutil.rmtree, prefix, ignore_errors=True)
        p = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        c = self.d.connect()
        self.addCleanup(c.close)
        for iface in ("no.fristvakt", "no.fristvakt.testing"):
            path = os.path.join(prefix, "share", "fristvakt", "varlink", iface + ".varlink")
            self.assertTrue(os.path.isfile(path), path)
            r = c.call("org.varlink.service.GetInterfaceDescription", {"interface": iface})
            self.assertNotIn("error", r, r)
            with open(path) as f:
                self.assertEqual(f.read(), r["parameters"]["description"])


class TestClockEndsWithClockControlTest(DaemonTest):
    """A reload that turns testing.clock_control off returns the daemon to the wall clock."""

    SUBST = {"clock_control = false;": "clock_control = true;"}

    def in_days(self, days):
        return time.strftime("%Y-%m-%d", time.localtime(time.time() + days * 86400))

    def test_reload_without_clock_control_returns_to_wall_clock(self):
        self.d.cli("clock", "advance", "%ds" % (40 * 86400), check=0)
        self.assertEqual(self.d.cli_json("status")["clock_offset"], 40 * 86400)
        # On the test clock, a day 30 days ahead of the wall clock is in the past.
        self.d.cli("case", "add", "CLK-1", "--service", "okonomisk-stonad", "--received",
                   self.in_days(30), "--channel", "written", check=0)

        self.d.write_config({"clock_control = false;": "clock_control = false;"})
        self.d.cli("reload", check=0)
        s = self.d.cli_json("status")
        self.assertEqual(s["clock_offset"], 0)
        # The "in the future" check uses the wall clock again.
        p = self.d.cli("case", "add", "CLK-2", "--service", "okonomisk-stonad", "--received",
                       self.in_days(30), "--channel", "written")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("lies in the future", p.stderr)
        # The clock methods are gone with the setting.
        p = self.d.cli("clock", "reset")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("InterfaceNotFound", p.stderr)
        self.assertIn("the test clock is off", p.stderr)
        self.assertIn("back to the wall clock", self.d.log_text())

        # Turned on again, the clock starts from the wall clock, not the old offset.
        self.d.write_config({"clock_control = false;": "clock_control = true;"})
        self.d.cli("reload", check=0)
        self.assertEqual(self.d.cli_json("status")["clock_offset"], 0)
        self.d.cli("clock", "reset", check=0)


# For ControlSocketEdgesTest (kept beside it: the tests above are not touched by it).
import fcntl  # noqa: E402
import sys  # noqa: E402

from fvtest import FRISTVAKT  # noqa: E402


class ControlSocketEdgesTest(unittest.TestCase):
    """Oneway calls (no reply, errors included), peers in many groups, and what systemd
    passes as the listening socket."""

    def daemon(self, subst=None, start=True):
        d = Daemon(subst)
        self.addCleanup(d.cleanup)
        if start:
            d.start()
        return d

    def assert_quiet(self, c):
        """Nothing more is queued on the connection."""
        c.sock.settimeout(0.3)
        try:
            self.assertEqual(c.sock.recv(65536), b"", "unexpected data after the replies")
        except socket.timeout:
            pass
        c.sock.settimeout(10)

    def test_oneway_errors_get_no_reply(self):
        d = self.daemon()
        c = d.connect()
        self.addCleanup(c.close)
        oneway = [
            {"method": "no.fristvakt.NoSuchMethod"},                    # MethodNotFound
            {"method": "com.example.Foo"},                              # InterfaceNotFound
            {"method": "no.fristvakt.Status", "upgrade": True},         # MethodNotImplemented
            {"method": "no.fristvakt.Status", "parameters": {"verbose": True}},
            {"method": "no.fristvakt.Status", "bogus": 1},              # InvalidMessage
            {"method": "nodot"},                                        # InvalidMessage
        ]
        c.send_raw(b"".join(json.dumps(dict(m, oneway=True)).encode() + b"\0"
                            for m in oneway))
        # The next reply on the connection belongs to the next call that wants one.
        r = c.call("org.varlink.service.GetInfo")
        self.assertNotIn("error", r)
        self.assertEqual(r["parameters"]["product"], "fristvaktd")
        self.assertIn("schema_version", c.call("no.fristvakt.Status")["parameters"])
        self.assert_quiet(c)
        # Only "oneway": true asks for silence; what is not a JSON object is answered.
        c.send_raw(b'{"method":"no.fristvakt.Status","oneway":"yes"}\0')
        self.assertEqual(c.recv()["error"], "no.fristvakt.InvalidMessage")
        c.send_raw(b'{"oneway":true,\0')
        self.assertEqual(c.recv()["error"], "no.fristvakt.InvalidMessage")
        self.assertNotIn("error", c.call("no.fristvakt.Status"))
        self.assertIsNone(d.proc.poll())

    def test_oneway_rate_limited_gets_no_reply(self):
        d = self.daemon({"rate = 500;": "rate = 5;", "rate_burst = 1000;": "rate_burst = 10;"})
        c = d.connect()
        self.addCleanup(c.close)
        call = json.dumps({"method": "no.fristvakt.Status", "oneway": True}).encode() + b"\0"
        # 10 go through (their replies suppressed), 30 are rate-limited (errors suppressed).
        c.send_raw(call * 40)
        time.sleep(1.5)
        r = c.call("no.fristvakt.Status")
        self.assertNotIn("error", r)
        self.assertIn("schema_version", r["parameters"])
        self.assert_quiet(c)

    def test_oneway_framing_garbage_still_closes(self):
        d = self.daemon({"max_message = 1048576;": "max_message = 65536;"})
        c = d.connect()
        self.addCleanup(c.close)
        try:
            c.send_raw(b'{"oneway":true,"method":"no.fristvakt.Status","parameters":{"x":"'
                       + b"a" * 70000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertEqual(c.recv()["error"], "no.fristvakt.MessageTooLarge")
        self.assertTrue(c.closed())
        self.assertEqual(d.cli("status").returncode, 0)

    def cli_as_daemon_user(self, d, groups):
        return subprocess.run([FRISTVAKT, "--socket", d.socket, "--json", "status"],
                              capture_output=True, text=True, timeout=60, cwd=d.dir,
                              user="daemon", group=1, extra_groups=groups)

    def test_role_from_a_group_beyond_the_64th(self):
        # Supplementary groups come sorted by gid, so 60100 is the 101st: past the buffer a
        # first SO_PEERGROUPS fills, and found only when the daemon asks again.
        d = self.daemon({'socket_mode = "0660";': 'socket_mode = "0666";',
                         '# { group = "fristvakt"; role = "read"; },':
                         '{ group = "60100"; role = "read"; }'})
        os.chmod(os.path.dirname(d.socket), 0o711)
        many = list(range(60000, 60100))
        for groups in ([60100], many + [60100], list(range(60101, 61101)) + many + [60100]):
            with self.subTest(n=len(groups)):
                p = self.cli_as_daemon_user(d, groups)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(json.loads(p.stdout)["role"], "read")
        p = self.cli_as_daemon_user(d, many)
        self.assertEqual(p.returncode, 1)
        self.assertIn("yours is none", p.stderr)

    def start_with_socket(self, d, sock):
        """Starts fristvaktd the way systemd does: sock as fd 3, LISTEN_FDS=1, LISTEN_PID."""
        fd = fcntl.fcntl(sock.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)
        self.addCleanup(os.close, fd)
        wrapper = ("import os, sys\n"
                   "os.dup2(%d, 3)\n"
                   "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid()))\n"
                   "os.execv(sys.argv[1], sys.argv[1:])\n" % fd)
        e = dict(os.environ, NOTIFY_SOCKET=d.notify_path)
        e.pop("LISTEN_FDS", None)
        e.pop("LISTEN_PID", None)
        d.log = open(d.log_path, "ab")
        d.proc = subprocess.Popen([sys.executable, "-c", wrapper, FRISTVAKTD,
                                   "-c", "etc/fristvakt.conf"],
                                  cwd=d.dir, stdout=d.log, stderr=d.log, env=e, pass_fds=(fd,))
        return d.proc

    def test_socket_activation(self):
        d = self.daemon(start=False)
        os.makedirs(os.path.dirname(d.database), mode=0o700)
        path = os.path.join(d.dir, "var", "activated.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.listen(16)
        self.start_with_socket(d, sock)
        d.wait_notify("READY=1")
        p = d.cli("--socket", path, "status", check=0)
        self.assertIn("fristvaktd %s" % RELEASE, p.stdout)
        self.assertFalse(os.path.exists(d.socket), "bound control.socket despite activation")
        log = d.log_text()
        self.assertIn("listening on %s (passed by systemd)" % path, log)
        self.assertIn("fristvakt needs --socket %s" % path, log)
        self.assertEqual(d.stop(), 0)
        # The socket belongs to the socket unit: the daemon leaves it in place.
        self.assertTrue(os.path.exists(path))

    def test_socket_activation_refuses_other_sockets(self):
        def tcp():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            s.listen(4)
            return s

        def unix_not_listening():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(os.path.join(d.dir, "idle.sock"))
            return s

        def unix_datagram():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(os.path.join(d.dir, "dgram.sock"))
            return s

        for make in (tcp, unix_not_listening, unix_datagram):
            with self.subTest(socket=make.__name__):
                d = self.daemon(start=False)
                sock = make()
                self.addCleanup(sock.close)
                proc = self.start_with_socket(d, sock)
                try:
                    rc = proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.fail("fristvaktd served a %s socket; log:\n%s"
                              % (make.__name__, d.log_text()))
                self.assertEqual(rc, 1, d.log_text())
                self.assertIn("the socket passed by systemd (fd 3) is not a listening unix "
                              "stream socket", d.log_text())
                self.assertFalse(os.path.exists(d.socket))


if __name__ == "__main__":
    main()
