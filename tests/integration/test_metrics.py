#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Metrics: the HTTP listener (metrics.listen) and `fristvakt metrics`, checked by promtool
and scraped by a real Prometheus whose query API must see a value the test changes.

promtool and prometheus are Debian's `prometheus` package (CI installs it); without them
the tests that need them are skipped.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import fvtest
import test_reminders as base
from fvtest import FRISTVAKTD, SOURCE_DIR, Daemon, DaemonTest
from receivers import Answer
from test_reminders import local

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, timeout=10):
    """(status, headers, body text) of one request."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def samples(text):
    """{(name, frozenset of label pairs): value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert m, "not a sample line: %r" % line
        labels = frozenset(re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(s, name, **labels):
    return s.get((name, frozenset(labels.items())))


def promtool_check(test, text):
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    test.assertEqual(p.returncode, 0, "promtool check metrics: %s%s" % (p.stdout, p.stderr))


class MetricsTest(DaemonTest):
    """A daemon with the listener on a free port of 127.0.0.1 and the test clock."""

    SUBST = {"clock_control = false": "clock_control = true"}

    def setUp(self):
        self.port = free_port()
        self.EXTRA = '\nmetrics = { listen = "127.0.0.1:%d"; };\n' % self.port
        super().setUp()
        self.url = "http://127.0.0.1:%d/metrics" % self.port
        self.conn = self.d.connect()
        self.addCleanup(self.conn.close)
        self.n = 0

    def call(self, method, params=None):
        r = self.conn.call("no.fristvakt." + method, params)
        self.assertNotIn("error", r, r)
        return r["parameters"]

    def register(self, count):
        for _ in range(count):
            self.n += 1
            self.call("RegisterApplication", {
                "reference": "2026/%d" % self.n, "service": "okonomisk-stonad",
                "received": "2026-03-02T09:15:00+01:00", "channel": "written",
                "handler": "kari", "unit": "nav-sentrum"})

    def scrape(self):
        status, headers, body = http("GET", self.url)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return body

    def test_what_a_user_checks(self):
        self.call("testing.SetClock", {"now": "2026-03-02T12:00:00+01:00"})
        self.register(3)
        self.call("CloseCase", {"reference": "2026/3", "closed": "2026-03-02"})
        s = samples(self.scrape())
        self.assertEqual(value(s, "fristvakt_cases", state="open"), 2)
        self.assertEqual(value(s, "fristvakt_cases", state="closed"), 1)
        self.assertEqual(value(s, "fristvakt_cases", state="withdrawn"), 0)
        status = self.call("Status")
        self.assertEqual(value(s, "fristvakt_build_info", version=status["version"],
                               revision=self.d.cli("--version").stdout.split("(")[-1]
                               .split(")")[0].split()[-1]), 1)
        # The outbox as Status counts it, by channel and state.
        for state in ("pending", "sent", "failed", "dead", "cancelled"):
            self.assertEqual(sum(v for (n, l), v in s.items() if n == "fristvakt_reminders"
                                 and ("state", state) in l),
                             status["reminders"][state], state)
        # Nothing is overdue on the day of receipt; after the month of fvl. § 11 a and the
        # norm, two duties of each open case are.
        self.assertEqual(value(s, "fristvakt_office_duties_overdue", kind="processing"), 0)
        self.call("testing.AdvanceClock", {"seconds": 90 * 86400})
        s = samples(self.scrape())
        self.assertEqual(value(s, "fristvakt_office_duties_overdue", kind="preliminary_reply"), 2)
        self.assertEqual(value(s, "fristvakt_deadlines", kind="preliminary_reply",
                               state="missed"), 2)
        # Server-side latency of the calls made, by method.
        self.assertEqual(value(s, "fristvakt_varlink_request_duration_seconds_count",
                               method="no.fristvakt.RegisterApplication"), 3)
        self.assertEqual(value(s, "fristvakt_integrity_ok"), 1)
        self.assertGreater(value(s, "fristvakt_database_size_bytes"), 0)
        self.assertEqual(value(s, "fristvakt_config_reloads_total", result="ok"), 0)
        self.d.cli("reload", check=0)
        s = samples(self.scrape())
        self.assertEqual(value(s, "fristvakt_config_reloads_total", result="ok"), 1)
        # No case reference in the exposition.
        self.assertNotIn("2026/", self.scrape())

    def test_deliveries_counted(self):
        """The log channel's sends: attempts and the due-to-sent latency, as they happen."""
        self.call("testing.SetClock", {"now": "2026-03-02T12:00:00+01:00"})
        self.register(2)
        # Day by day (a jump past a reminder's day would skip it, as after downtime),
        # until the first reminders went out to the log.
        for _ in range(45):
            self.call("testing.AdvanceClock", {"seconds": 86400})
            time.sleep(0.2)
            if self.call("Status")["reminders"]["sent"] > 0:
                break
        deadline = time.monotonic() + 30
        while True:
            s = samples(self.scrape())
            sent = self.call("Status")["reminders"]["sent"]
            attempts = value(s, "fristvakt_delivery_attempts_total", channel="log")
            if sent > 0 and attempts == sent:
                break
            self.assertLess(time.monotonic(), deadline,
                            "sent %d, attempts counted %r" % (sent, attempts))
            time.sleep(0.1)
        self.assertEqual(value(s, "fristvakt_reminder_send_delay_seconds_count"), sent)
        self.assertEqual(value(s, "fristvakt_reminder_send_delay_seconds_bucket", le="+Inf"),
                         sent)
        self.assertGreaterEqual(value(s, "fristvakt_group_commit_writes_count"), 1)

    def test_http_paths_and_methods(self):
        status, _, body = http("GET", "http://127.0.0.1:%d/" % self.port)
        self.assertEqual(status, 404)
        status, _, _ = http("GET", "http://127.0.0.1:%d/metrics/x" % self.port)
        self.assertEqual(status, 404)
        status, headers, _ = http("POST", self.url)
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "GET, HEAD")
        status, headers, body = http("HEAD", self.url)
        self.assertEqual((status, body), (200, ""))
        self.assertGreater(int(headers["Content-Length"]), 0)

    def test_half_sent_requests_do_not_block_scrapes(self):
        """40 connections from 127.0.0.1 that never finish their request's header (5 times
        the 8 that once filled the places of one address): a scrape from the same address
        is answered while they are open, and the daemon closes them after its 5 s timeout."""
        held = []
        for _ in range(40):
            c = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.addCleanup(c.close)
            c.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            held.append(c)
        time.sleep(0.3)
        self.assertIn("fristvakt_cases", self.scrape())
        # Answered while the half-sent ones still hold their places: they are open.
        for c in held:
            c.setblocking(False)
            with self.assertRaises(BlockingIOError):
                c.recv(100)
        # Then closed by the daemon: end of file (or a reset), within the sockets' 10 s.
        for c in held:
            c.settimeout(10)
            try:
                self.assertEqual(c.recv(100), b"")
            except ConnectionResetError:
                pass
        self.assertIn("fristvakt_cases", self.scrape())

    @unittest.skipUnless(PROMTOOL, "promtool (Debian package prometheus) is not installed")
    def test_promtool_accepts_http_and_cli(self):
        self.register(2)
        http_text = self.scrape()
        cli_text = self.d.cli("metrics", check=0).stdout
        promtool_check(self, http_text)
        promtool_check(self, cli_text)
        # One renderer: the same families, in the same order, and the same values but the
        # latency of the scrapes themselves.
        types = lambda t: [l for l in t.splitlines() if l.startswith("# ")]
        self.assertEqual(types(http_text), types(cli_text))
        a, b = samples(http_text), samples(cli_text)
        self.assertEqual(set(k for k in a if "duration" not in k[0] and "wal" not in k[0]),
                         set(k for k in b if "duration" not in k[0] and "wal" not in k[0]))
        self.assertEqual(value(a, "fristvakt_cases", state="open"),
                         value(b, "fristvakt_cases", state="open"))
        j = self.d.cli_json("metrics")
        self.assertTrue(j["text"].startswith("# HELP fristvakt_"))

    def test_reload_cannot_move_the_listener(self):
        self.d.write_config(self.SUBST, '\nmetrics = { listen = "127.0.0.1:%d"; };\n'
                            % free_port())
        p = self.d.cli("reload", check=1)
        self.assertIn("'metrics.listen' cannot change on reload; restart", p.stderr)
        self.assertEqual(self.scrape()[:7], "# HELP ")
        s = samples(self.scrape())
        self.assertEqual(value(s, "fristvakt_config_reloads_total", result="error"), 1)

    @unittest.skipUnless(PROMETHEUS, "prometheus (Debian package prometheus) is not installed")
    def test_prometheus_scrapes(self):
        """A real Prometheus scrapes the daemon every second; its query API follows the
        count of open cases as the test registers more."""
        tmp = tempfile.mkdtemp(prefix="fristvakt-prom-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        web = free_port()
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: fristvakt\n"
                    "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % self.port)
        log = open(os.path.join(tmp, "prometheus.log"), "wb")
        self.addCleanup(log.close)
        prom = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + os.path.join(tmp, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(tmp, "data"),
             "--web.listen-address=127.0.0.1:%d" % web], stdout=log, stderr=log)

        def kill():
            prom.send_signal(signal.SIGTERM)
            try:
                prom.wait(20)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()
        self.addCleanup(kill)

        def query(q):
            status, _, body = http("GET", "http://127.0.0.1:%d/api/v1/query?%s"
                                   % (web, urllib.parse.urlencode({"query": q})))
            if status != 200:
                return None
            import json
            r = json.loads(body)["data"]["result"]
            return float(r[0]["value"][1]) if r else None

        def wait_for(q, want, timeout=60):
            deadline = time.monotonic() + timeout
            got = None
            while time.monotonic() < deadline:
                self.assertIsNone(prom.poll(), "prometheus exited")
                try:
                    got = query(q)
                except (urllib.error.URLError, ConnectionError, OSError):
                    got = None
                if got == want:
                    return
                time.sleep(0.25)
            with open(os.path.join(tmp, "prometheus.log"), "rb") as f:
                tail = f.read()[-3000:].decode(errors="replace")
            self.fail("%s: %r, wanted %r; prometheus log:\n%s" % (q, got, want, tail))

        self.register(2)
        wait_for('up{job="fristvakt"}', 1)
        wait_for('fristvakt_cases{state="open"}', 2)
        self.register(3)
        wait_for('fristvakt_cases{state="open"}', 5)
        wait_for('sum(fristvakt_varlink_request_duration_seconds_count'
                 '{method="no.fristvakt.RegisterApplication"})', 5)


class ChannelStateTest(base.ReminderTestCase):
    """A webhook channel disabled by a 410 Gone: its state and the reminders it holds."""

    def scrape(self):
        status, _, body = http("GET", self.url)
        self.assertEqual(status, 200, body)
        return samples(body)

    def test_gone_channel_is_disabled_and_holds_reminders(self):
        port = free_port()
        self.url = "http://127.0.0.1:%d/metrics" % port
        self.start(hook_concurrency=1, hook_default=Answer(410),
                   extra='\nmetrics = { listen = "127.0.0.1:%d"; };\n' % port)
        s = self.scrape()
        for state, v in (("enabled", 1), ("failing", 0), ("disabled", 0)):
            self.assertEqual(value(s, "fristvakt_channel_state", channel="hook", state=state),
                             v, state)
        self.assertEqual(value(s, "fristvakt_reminders_held", channel="hook"), 0)
        day = self.case_with_before3("2026/1601", handler="kari")
        self.case_with_before3("2026/1602", handler="kari")
        self.set_clock(local(day))
        self.hook.wait_requests(1)
        self.disabled.add("hook")
        deadline = time.monotonic() + 10
        while value(s, "fristvakt_channel_state", channel="hook", state="disabled") != 1:
            self.assertLess(time.monotonic(), deadline, "not disabled in the metrics")
            time.sleep(0.05)
            s = self.scrape()
        held = self.call("Status")["reminders"]["held"]
        self.assertGreater(held, 0)
        self.assertEqual(value(s, "fristvakt_reminders_held", channel="hook"), held)
        self.assertEqual(value(s, "fristvakt_channel_state", channel="hook", state="enabled"), 0)
        self.assertEqual(value(s, "fristvakt_delivery_failures_total",
                               **{"channel": "hook", "class": "gone"}), 1)
        # Enabled again: nothing held, the two reminders due go out (the later stages
        # held with them wait for their days).
        self.hook.set_default(200)
        self.disabled.clear()
        self.d.cli("channel", "enable", "hook", check=0)
        self.hook.wait_delivered(2)
        s = self.scrape()
        self.assertEqual(value(s, "fristvakt_channel_state", channel="hook", state="enabled"), 1)
        self.assertEqual(value(s, "fristvakt_reminders_held", channel="hook"), 0)


class ListenerConfig(unittest.TestCase):
    """metrics.listen: off by default, a bad value refused with file and line."""

    def test_off_by_default(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.start()
        # The daemon's sockets: none of them a listening TCP socket.
        inodes = set()
        for fd in os.listdir("/proc/%d/fd" % d.proc.pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (d.proc.pid, fd))
            except OSError:
                continue
            m = re.fullmatch(r"socket:\[(\d+)\]", target)
            if m:
                inodes.add(m.group(1))
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    self.assertFalse(cols[3] == "0A" and cols[9] in inodes,
                                     "fristvaktd listens on TCP: " + line)
        self.assertNotIn("metrics: serving", d.log_text())
        # Nothing to scrape over HTTP; over the socket the metrics are there all the same.
        self.assertIn("fristvakt_cases{state=\"open\"} 0", d.cli("metrics", check=0).stdout)

    def test_bad_values_refused(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        for bad in ("localhost:9467", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                    "::1:9467", "[::1]9467", "[127.0.0.1]:9467", "", "127.0.0.1:94x"):
            d.write_config(extra='\nmetrics = {\n\tlisten = "%s";\n};\n' % bad)
            with open(d.config) as f:
                line = sum(1 for _ in f) - 1
            p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 1, bad)
            self.assertIn("fristvakt.conf:%d: " % line, p.stderr, bad)
            self.assertIn("listen", p.stderr, bad)
        d.write_config(extra='\nmetrics = { port = 9467; };\n')
        p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown setting 'port'", p.stderr)
        for good in ("127.0.0.1:9467", "[::1]:9467", "0.0.0.0:9467"):
            d.write_config(extra='\nmetrics = { listen = "%s"; };\n' % good)
            p = subprocess.run([FRISTVAKTD, "--check-config", "-c", d.config],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, good + p.stderr)

    def test_port_in_use(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            d = Daemon(extra='\nmetrics = { listen = "127.0.0.1:%d"; };\n' % port)
            self.addCleanup(d.cleanup)
            d.start(wait=False)
            self.assertEqual(d.proc.wait(20), 1)
            self.assertIn("metrics.listen 127.0.0.1:%d: cannot listen: Address already in use"
                          % port, d.log_text())

    def test_ipv6_loopback(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.bind(("::1", 0))
                port = s.getsockname()[1]
        except OSError:
            self.skipTest("no ::1 on this machine")
        d = Daemon(extra='\nmetrics = { listen = "[::1]:%d"; };\n' % port)
        self.addCleanup(d.cleanup)
        d.start()
        status, _, body = http("GET", "http://[::1]:%d/metrics" % port)
        self.assertEqual(status, 200)
        self.assertIn("fristvakt_build_info", body)


@unittest.skipUnless(PROMTOOL, "promtool (Debian package prometheus) is not installed")
class AlertRules(unittest.TestCase):
    """The example alert rules of README.md ("### Metrics") are valid Prometheus rules."""

    def rules(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        section = readme.split("\n### Metrics\n", 1)[1].split("\n## ", 1)[0]
        return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)

    def test_readme_rules(self):
        rules = self.rules()
        self.assertIn("fristvakt_office_duties_overdue", rules)
        self.assertIn('fristvakt_channel_state{state="disabled"}', rules)
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            f.write(rules)
            f.flush()
            p = subprocess.run([PROMTOOL, "check", "rules", f.name], capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_channel_disabled_fires(self):
        """FristvaktChannelDisabled (promtool test rules): quiet while channel hook is
        enabled, firing once it is disabled, for that channel only."""
        tmp = tempfile.mkdtemp(prefix="fristvakt-rules-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        with open(os.path.join(tmp, "rules.yml"), "w") as f:
            f.write(self.rules())
        series = lambda ch, st, v: ("      - series: 'fristvakt_channel_state{instance=\"f\","
                                    "channel=\"%s\",state=\"%s\"}'\n        values: '%s'\n"
                                    % (ch, st, v))
        with open(os.path.join(tmp, "test.yml"), "w") as f:
            f.write("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n"
                    "  - interval: 1m\n    input_series:\n"
                    + series("hook", "disabled", "0 0 1 1")
                    + series("hook", "enabled", "1 1 0 0")
                    + series("log", "disabled", "0 0 0 0")
                    + "    alert_rule_test:\n"
                    "      - eval_time: 1m\n        alertname: FristvaktChannelDisabled\n"
                    "        exp_alerts: []\n"
                    "      - eval_time: 3m\n        alertname: FristvaktChannelDisabled\n"
                    "        exp_alerts:\n"
                    "          - exp_labels: {severity: critical, instance: f, channel: hook,"
                    " state: disabled}\n"
                    "            exp_annotations: {summary: 'channel hook was disabled by a 410"
                    " Gone; its reminders are held until `fristvakt channel enable hook`'}\n")
        p = subprocess.run([PROMTOOL, "test", "rules", "test.yml"], cwd=tmp,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    fvtest.main()
