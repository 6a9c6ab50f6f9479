# SPDX-License-Identifier: GPL-3.0-or-later
"""Receivers for the reminder tests: a Standard Webhooks receiver and an SMTP server, both on
127.0.0.1 with an ephemeral port, plus helpers that write secrets and the configuration
snippets of channels and reminders.

WebhookReceiver verifies the signature of every request it gets (a bad one is recorded in
.failures; tests assert there are none), records each request on arrival (with its HTTP
version, and the most requests it ever held at once in .max_in_flight) and answers what
the test programmed (push() per request, set_default(), set_rule()): a status (200, 500,
503, 410 ...), 429/503 with Retry-After, a redirect (302 with a Location on this receiver,
where any request is recorded in .redirected), or a hang that outlasts the daemon's timeout
(release() ends hangs, e.g. of a daemon that was killed); an answer may also run a function
of the test's right after the reply went out (Answer(then=...), e.g. to kill the daemon).
SmtpReceiver (aiosmtpd, Debian's python3-aiosmtpd: run with /usr/bin/python3) records every
message on arrival, parsed with email.policy.default, and can be a slow relay (delay).

Every wait is bounded; the receivers never reach beyond the loopback interface.
"""

import asyncio
import base64
import collections
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import socket
import ssl
import subprocess
import threading
import time

WEBHOOK_PATH = "/fristvakt/hook"
# Where the receiver's redirects point: a request here means a redirect was followed.
REDIRECT_PATH = "/fristvakt/elsewhere"


# --------------------------------------------------------------------------------------
# Standard Webhooks

def sign(secret, msg_id, timestamp, body):
    """The Standard Webhooks signature "v1,<base64 HMAC-SHA256>" of "{id}.{ts}.{body}"."""
    if not secret.startswith("whsec_"):
        raise ValueError("a secret starts with whsec_")
    key = base64.b64decode(secret[len("whsec_"):])
    if isinstance(body, str):
        body = body.encode()
    mac = hmac.new(key, ("%s.%s." % (msg_id, timestamp)).encode() + body,
                   hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def new_secret():
    """A fresh secret: "whsec_" and base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def write_secret(directory, name="webhook.secret", secret=None):
    """Writes a secret file (mode 0600) into directory: returns (path, secret)."""
    secret = secret or new_secret()
    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    os.chmod(path, 0o600)
    return path, secret


# --------------------------------------------------------------------------------------
# The webhook receiver

class Answer:
    """What the receiver answers one request: a status, optionally Retry-After, optionally
    after hanging for `hang` seconds (bounded; ended early when the receiver closes). A
    request that hangs past the daemon's timeout is not delivered, so give a hang a
    non-2xx status (HANG) unless the point is a slow receiver that still answers in time."""

    def __init__(self, status=200, retry_after=None, hang=0.0, location=None, then=None):
        self.status = status
        self.retry_after = retry_after
        self.hang = hang
        self.location = location
        self.then = then        # called with the Request right after the reply went out

    def __repr__(self):
        return "Answer(%r, retry_after=%r, hang=%r, location=%r)" % (
            self.status, self.retry_after, self.hang, self.location)


OK = Answer(200)


def hang(seconds=25.0, status=500):
    """Holds the request for seconds (past the daemon's timeout), then answers status."""
    return Answer(status, hang=seconds)


def redirect(status=302):
    """A redirect to REDIRECT_PATH on the same receiver (filled in when answered)."""
    return Answer(status, location=REDIRECT_PATH)


def answer(spec):
    """An Answer from an Answer, a status code or (status, retry_after)."""
    if isinstance(spec, Answer):
        return spec
    if isinstance(spec, tuple):
        return Answer(spec[0], retry_after=spec[1])
    return Answer(int(spec))


class Request:
    """One webhook request: webhook_id, timestamp (int), body (parsed), raw (bytes),
    received (time.monotonic()), daemon_time (unix seconds on the daemon's test clock at
    arrival), status (what the receiver answers or answered), hang
    (seconds it was held), signatures (the v1 values), version (the request line's HTTP
    version), answered (the reply went out)."""

    def __init__(self, **kw):
        self.answered = False
        self.__dict__.update(kw)

    def __repr__(self):
        return "<%s -> %d>" % (describe(self.body), self.status)


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1 that verifies and records Standard Webhooks.

    requests: every request that got through the signature check (also those answered
    with an error), in arrival order; delivered(): those answered 2xx; failures: what was
    wrong with requests that failed the checks (tests assert it stays empty)."""

    MAX_HANG = 30.0
    # The Standard Webhooks reference verifier's tolerance for webhook-timestamp.
    TOLERANCE = 300

    def __init__(self, secrets, default=200, tls=None):
        """tls: (certificate file, key file) to serve https:// instead of http://."""
        self.secrets = [secrets] if isinstance(secrets, str) else list(secrets)
        self.cond = threading.Condition()
        self.requests = []
        self.failures = []
        self.default = answer(default)
        self.queue = collections.deque()
        self.rule = None
        self.closing = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self.active = set()         # a token per request being answered
        self.redirected = []
        self.generation = 0
        # Seconds the daemon's test clock is ahead of the real one (kept by the test):
        # each request records the daemon's time of its arrival as daemon_time.
        self.clock_offset = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                if self.path == REDIRECT_PATH:
                    receiver._redirected(self)
                else:
                    receiver._handle(self)

            def do_GET(self):
                if self.path == REDIRECT_PATH:
                    receiver._redirected(self)
                else:
                    receiver._fail("GET %s" % self.path)
                    receiver._reply(self, 405)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        scheme = "http"
        if tls:
            # A failed handshake raises ssl.SSLError (an OSError) in accept(), which
            # socketserver drops: such a client never gets to send a request.
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d%s" % (scheme, self.port, WEBHOOK_PATH)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    # ---- programming the answers ----

    def set_default(self, spec):
        """The answer to every request not covered by queued answers or the rule."""
        with self.cond:
            self.default = answer(spec)

    def push(self, *specs):
        """Answers for the next requests, in order, before the default applies again."""
        with self.cond:
            self.queue.extend(answer(s) for s in specs)

    def set_rule(self, fn):
        """fn(body) -> an answer spec or None (then the queue, then the default)."""
        with self.cond:
            self.rule = fn

    def _pick(self, body):
        with self.cond:
            if self.rule:
                spec = self.rule(body)
                if spec is not None:
                    return answer(spec)
            if self.queue:
                return self.queue.popleft()
            return self.default

    # ---- the request ----

    def _fail(self, what):
        with self.cond:
            self.failures.append(what)
            self.cond.notify_all()

    def _verify(self, h, raw):
        """The reason the request is not a valid Standard Webhook, or None."""
        wid = h.headers.get("webhook-id")
        ts = h.headers.get("webhook-timestamp")
        sig = h.headers.get("webhook-signature")
        if not wid or not ts or not sig:
            return "missing webhook headers: %r" % dict(h.headers)
        if not ts.isdigit():
            return "webhook-timestamp %r is not unix seconds" % ts
        # As the Standard Webhooks verifiers do: a timestamp more than TOLERANCE seconds
        # from the receiver's real clock is refused (a replay, or a sender's wrong clock).
        if abs(int(ts) - time.time()) > self.TOLERANCE:
            return "webhook-timestamp %s is %+d s from the real time" % (
                ts, int(ts) - time.time())
        if h.path != WEBHOOK_PATH:
            return "path %r" % h.path
        if not (h.headers.get("Content-Type") or "").startswith("application/json"):
            return "content type %r" % h.headers.get("Content-Type")
        given = sig.split(" ")
        expected = {sign(s, wid, ts, raw): s for s in self.secrets}
        for g in given:
            if not g.startswith("v1,"):
                return "signature %r is not v1" % g
            if g not in expected:
                return "signature %r matches no configured secret (id %s, ts %s)" % (
                    g, wid, ts)
        if len(set(given)) != len(given):
            return "repeated signature in %r" % sig
        return None

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        received = time.monotonic()
        problem = self._verify(h, raw)
        body = None
        if problem is None:
            try:
                body = json.loads(raw)
            except ValueError as e:
                problem = "body is not JSON: %s" % e
        if problem is None and body.get("id") != h.headers.get("webhook-id"):
            problem = "body id %r differs from webhook-id %r" % (
                body.get("id"), h.headers.get("webhook-id"))
        if problem is not None:
            self._fail(problem)
            self._reply(h, 400)
            return
        a = self._pick(body)
        # Recorded on arrival: a request held until the daemon is killed is seen too.
        req = Request(webhook_id=h.headers.get("webhook-id"),
                      timestamp=int(h.headers.get("webhook-timestamp")), body=body, raw=raw,
                      received=received, daemon_time=time.time() + self.clock_offset,
                      status=a.status, hang=a.hang,
                      signatures=h.headers.get("webhook-signature").split(" "),
                      version=h.request_version)
        token = object()
        with self.cond:
            self.requests.append(req)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.active.add(token)
            self.cond.notify_all()
        try:
            if a.hang:
                self._hold(a.hang)
            location = None
            if a.location:
                location = "http://127.0.0.1:%d%s" % (self.port, a.location)
            req.answered = self._reply(h, a.status, a.retry_after, location)
            if a.then:
                # The function may end the peer (a killed daemon): no next request here.
                h.close_connection = True
                a.then(req)
        finally:
            with self.cond:
                self.in_flight -= 1
                self.active.discard(token)
                self.cond.notify_all()

    def _hold(self, seconds):
        """Holds a request for seconds, or until release() or close()."""
        end = time.monotonic() + min(seconds, self.MAX_HANG)
        with self.cond:
            gen = self.generation
            while not self.closing.is_set() and self.generation == gen:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.2))

    def release(self, timeout=10.0):
        """Ends every hang now (e.g. of a daemon that was killed) and waits until each request
        held at the call is answered. A request that arrives later hangs as its answer says
        (a live daemon keeps sending; waiting for none in flight would race with it)."""
        with self.cond:
            self.generation += 1
            self.cond.notify_all()
            held = set(self.active)
        deadline = time.monotonic() + timeout
        with self.cond:
            while held & self.active:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("webhook receiver: requests still held")
                self.cond.wait(min(left, 0.2))

    def _redirected(self, h):
        """A request to where a redirect pointed: recorded, answered 200."""
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        with self.cond:
            self.redirected.append((h.command, h.path, h.headers.get("webhook-id")))
            self.cond.notify_all()
        self._reply(h, 200)

    @staticmethod
    def _reply(h, status, retry_after=None, location=None):
        try:
            h.send_response(status)
            if retry_after is not None:
                h.send_header("Retry-After", str(retry_after))
            if location is not None:
                h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
            h.wfile.flush()
            return True
        except OSError:
            # The daemon gave up on a hanging request: nothing to answer to.
            h.close_connection = True
            return False

    # ---- what arrived ----

    def all(self):
        with self.cond:
            return list(self.requests)

    def delivered(self):
        """Requests answered 2xx, in arrival order."""
        with self.cond:
            return [r for r in self.requests if 200 <= r.status < 300 and not r.hang]

    def wait(self, pred, timeout=15.0, what="the condition"):
        """Waits (bounded) until pred(requests) is true; returns the requests."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred(list(self.requests)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "webhook receiver: %s not reached within %.0fs; got %s" % (
                            what, timeout, self.requests))
                self.cond.wait(min(left, 0.2))
            return list(self.requests)

    def wait_delivered(self, n, timeout=15.0):
        """Waits until at least n requests were answered 2xx; returns those."""
        self.wait(lambda rs: sum(200 <= r.status < 300 and not r.hang for r in rs) >= n,
                  timeout,
                  "%d delivered messages" % n)
        return self.delivered()

    def wait_requests(self, n, timeout=15.0):
        """Waits until at least n requests were answered (any status)."""
        return self.wait(lambda rs: len(rs) >= n, timeout, "%d requests" % n)

    def wait_in_flight(self, n, timeout=15.0):
        """Waits until at least n requests are being held (hanging) at once."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.in_flight < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("webhook receiver: %d requests in flight, wanted %d"
                                         % (self.in_flight, n))
                self.cond.wait(min(left, 0.2))

    def quiet(self, seconds=1.0):
        """Waits a little (real time) and returns what arrived meanwhile: for checks that
        nothing more comes."""
        before = len(self.all())
        time.sleep(seconds)
        return self.all()[before:]

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def describe(body):
    """A short text for a webhook body, for failure messages."""
    if not isinstance(body, dict):
        return repr(body)
    if body.get("type") == "fristvakt.reminder":
        return "%s %s/%s %s" % (body.get("reminder_id"), body.get("deadline", {}).get("kind"),
                                body.get("stage"), body.get("case_reference"))
    return "%s %s/%s %s" % (body.get("reminder_id"), body.get("type"), body.get("stage"),
                            body.get("recipient"))


# --------------------------------------------------------------------------------------
# The SMTP receiver

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mail:
    """One message: mail_from, rcpt_tos, message (email.message.EmailMessage), raw (bytes),
    received (time.monotonic()), accepted (the server answered 250)."""

    def __init__(self, **kw):
        self.accepted = False
        self.__dict__.update(kw)

    def __repr__(self):
        return "<mail %s %r>" % (self.message["Message-ID"], str(self.message["Subject"]))


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 that records each message on arrival (parsed with
    email.policy.default: decoded Subject, Message-ID, In-Reply-To, References).
    delay: seconds handle_DATA waits before it answers 250 (a slow relay)."""

    def __init__(self, delay=0.0):
        from aiosmtpd.controller import Controller

        self.cond = threading.Condition()
        self.mails = []
        self.delay = delay
        self.in_flight = 0
        self.active = set()         # a token per message being answered
        self.generation = 0
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                raw = envelope.original_content or envelope.content
                if isinstance(raw, str):
                    raw = raw.encode()
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                mail = Mail(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                            message=msg, raw=raw, received=time.monotonic())
                token = object()
                with receiver.cond:
                    receiver.mails.append(mail)
                    receiver.in_flight += 1
                    receiver.active.add(token)
                    receiver.cond.notify_all()
                try:
                    gen = receiver.generation
                    end = time.monotonic() + min(receiver.delay, 30.0)
                    while time.monotonic() < end and receiver.generation == gen:
                        await asyncio.sleep(0.05)
                    if receiver.generation != gen:
                        return "451 released"
                    mail.accepted = True
                    return "250 OK"
                finally:
                    with receiver.cond:
                        receiver.in_flight -= 1
                        receiver.active.discard(token)
                        receiver.cond.notify_all()

        last = None
        for _ in range(5):
            self.port = free_port()
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
            try:
                self.controller.start()
                break
            except Exception as e:  # a port taken between free_port() and the bind
                last = e
        else:
            raise last
        self.url = "smtp://127.0.0.1:%d" % self.port

    def all(self):
        with self.cond:
            return list(self.mails)

    def wait(self, pred, timeout=15.0, what="the condition"):
        """Waits (bounded) until pred(mails) is true; returns the mails."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred(list(self.mails)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("smtp receiver: %s not reached within %.0fs; got %s"
                                         % (what, timeout, self.mails))
                self.cond.wait(min(left, 0.2))
            return list(self.mails)

    def wait_accepted(self, n, timeout=15.0):
        """Waits until at least n messages were accepted; returns those."""
        self.wait(lambda ms: sum(m.accepted for m in ms) >= n, timeout,
                  "%d accepted messages" % n)
        return [m for m in self.all() if m.accepted]

    def wait_in_flight(self, n, timeout=15.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.in_flight < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("smtp receiver: %d messages in flight, wanted %d"
                                         % (self.in_flight, n))
                self.cond.wait(min(left, 0.2))

    def release(self, timeout=10.0):
        """Ends every delay now (answered 451: the client is gone anyway) and waits until
        each message held at the call is answered (later ones are delayed as usual)."""
        with self.cond:
            self.generation += 1
            held = set(self.active)
        deadline = time.monotonic() + timeout
        with self.cond:
            while held & self.active:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("smtp receiver: messages still held")
                self.cond.wait(min(left, 0.2))

    def close(self):
        try:
            self.controller.stop()
        except Exception:
            pass


# --------------------------------------------------------------------------------------
# Configuration snippets (libconfig) for fristvakt.conf

def self_signed_certificate(directory):
    """A self-signed certificate for 127.0.0.1 (openssl(1)), valid two days: returns the
    paths (certificate, key), the certificate being its own CA."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


def webhook_channel(name, url, secret_file, previous_secret_file=None, concurrency=4,
                    timeout=2, connect_timeout=1, ca_file=None):
    # One setting a line: fristvaktd reads integers back from their source line, and
    # a421709 took "timeout" inside "connect_timeout" on the same line for the key
    # (test_reminders_channels.SignatureTest.test_channel_on_one_line).
    s = ('{\n\t\tname = "%s";\n\t\ttype = "webhook";\n\t\turl = "%s";\n'
         '\t\tsecret_file = "%s";\n\t\tconcurrency = %d;\n\t\tconnect_timeout = %d;\n'
         '\t\ttimeout = %d;\n'
         % (name, url, secret_file, concurrency, connect_timeout, timeout))
    if previous_secret_file:
        s += '\t\tprevious_secret_file = "%s";\n' % previous_secret_file
    if ca_file:
        s += '\t\tca_file = "%s";\n' % ca_file
    return s + "\t}"


def smtp_channel(name, url, sender="fristvakt@kommune.example", concurrency=2, timeout=5,
                 connect_timeout=2):
    return ('{\n\t\tname = "%s";\n\t\ttype = "smtp";\n\t\turl = "%s";\n\t\tfrom = "%s";\n'
            '\t\ttls = "none";\n\t\tconcurrency = %d;\n\t\tconnect_timeout = %d;\n'
            '\t\ttimeout = %d;\n\t}'
            % (name, url, sender, concurrency, connect_timeout, timeout))


# Short retries: they happen within minutes of moved clock time.
FAST_RETRY = {"first": 5, "factor": 200, "max_interval": 60, "give_up": 600}


def reminder_subst(channels=(), channel="log", admin_channel="log", retry=None,
                   send_time=None, digest=None, digest_days=None, addresses=None,
                   clock_control=True, language=None):
    """Substitutions of the shipped fristvakt.conf (for Daemon/write_config): the channels
    (snippets), the reminder and admin channels, retry settings, send time, digest
    recipients, e-mail address patterns (and the administrators' address), and the test
    clock."""
    subst = {}
    if channels:
        subst["channels = ("] = "channels = (\n\t" + ",\n\t".join(channels) + "\n"
    subst['\tchannel = "log";\n\tadmin_channel = "log";'] = (
        '\tchannel = "%s";\n\tadmin_channel = "%s";' % (channel, admin_channel))
    if retry:
        r = dict(FAST_RETRY)
        r.update(retry if isinstance(retry, dict) else {})
        subst["\t\tfirst = 60;\n\t\tfactor = 200;\n\t\tmax_interval = 21600;\n"
              "\t\tgive_up = 259200;"] = (
            "\t\tfirst = %d;\n\t\tfactor = %d;\n\t\tmax_interval = %d;\n\t\tgive_up = %d;"
            % (r["first"], r["factor"], r["max_interval"], r["give_up"]))
    if send_time:
        subst['send_time = "08:00";'] = 'send_time = "%s";' % send_time
    if language:
        subst['language = "nb";'] = 'language = "%s";' % language
    if digest is not None:
        subst["recipients = [];"] = "recipients = [%s];" % ", ".join('"%s"' % r for r in digest)
    if digest_days is not None:
        subst["\t\tdays = 7;"] = "\t\tdays = %d;" % digest_days
    for role, pattern in (addresses or {}).items():
        old = {"handler": '# handler = "{handler}@kommune.example";',
               "unit": '# unit = "{unit}@kommune.example";',
               "supervisor": '# supervisor = "leder.{unit}@kommune.example";',
               "admin": '# admin = "fristvakt-drift@kommune.example";'}[role]
        subst[old] = '%s = "%s";' % (role, pattern)
    subst["clock_control = false;"] = "clock_control = %s;" % (
        "true" if clock_control else "false")
    return subst
