// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * loadgen: load generators and probes for bench/run (built with cc by bench/run, not by CMake).
 *
 * One epoll engine drives C connections, each with one request in flight (strict
 * request/response per connection) or, for filling the peers, a window of pipelined requests
 * on one connection, for three protocols, so that fristvakt and its peers are driven the same
 * way:
 *   loadgen fv-reg  SOCK N CONNS PREFIX BASE_EPOCH SPREAD_S TIME_LIMIT_S
 *        RegisterApplication over Varlink (JSON + NUL on a unix socket): reference PREFIX-<i>,
 *        service okonomisk-stonad, received BASE_EPOCH - (i*7919 % SPREAD_S) (RFC 3339, UTC),
 *        channel written, handler h<i%200>, unit u<i%50>.
 *   loadgen fv-import SOCK N BATCH CONNS PREFIX BASE_EPOCH SPREAD_S TIME_LIMIT_S
 *        the same registrations, BATCH (at most FV_IMPORT_MAX) per ImportEvents call (ops counts
 *        calls): builds big databases.
 *   loadgen bs-put  PORT N CONNS TIME_LIMIT_S     beanstalkd "put 1024 0 3600 200" (200 B body)
 *   loadgen r-zadd  PORT N CONNS TIME_LIMIT_S     Redis "ZADD due <due_ms> reminder:<i>"
 *   loadgen bs-fill PORT N DELAY_S WINDOW TIME_LIMIT_S
 *        N beanstalkd jobs of 200 B delayed by DELAY_S, WINDOW puts in flight on one connection
 *   loadgen r-fill  PORT N WINDOW TIME_LIMIT_S
 *        N Redis jobs, each a ZADD as r-zadd and "HSET due:payload reminder:<i> <200 B>",
 *        WINDOW commands in flight on one connection (ops counts commands, jobs the pairs)
 *   -> "RESULT ops=.. conns=.. [in_flight=..] elapsed_s=.. rate_per_s=.. lat_us_p50=.. p99=..
 *      max=.. errors=.."
 *
 * Probes:
 *   loadgen bs-lag  PORT N DELAY_S WINDOW TIME_LIMIT_S
 *        beanstalkd's timeliness: bs-fill's N puts, then one client reserves and deletes each
 *        job as it falls due -> "RESULT_LAG jobs=.. delay_s=.. lag_ms_p50=.. p99=.. max=.. min=..
 *        last_reserved_after_last_due_ms=.. drain_s=.. early=.. ub_p50=.. ub_p99=.. ub_max=.."
 *        (lag from each put's reply + DELAY_S; ub_*: from its send, an upper bound; see cmd_bs_lag)
 *   loadgen bs-ready PORT TIME_LIMIT_S            retries "stats" until beanstalkd answers
 *   loadgen r-ready  PORT TIME_LIMIT_S            retries PING until Redis answers +PONG
 *        -> "RESULT ready_s=.." (seconds)
 *   loadgen fv-list  SOCK Q TIME_LIMIT_S          Q sequential ListDeadlines(state open, limit 100)
 *   loadgen fv-call  SOCK METHOD PARAMS_JSON      one call; prints the reply (exit 1 on an error reply)
 *   loadgen fv-ready SOCK TIME_LIMIT_S            retries Status until answered; prints seconds
 *   loadgen fv-wait-sent SOCK N TIME_LIMIT_S      polls Status until reminders.sent >= N
 *   loadgen notify-exec PIDFILE SOCK TIME_LIMIT_S -- CMD ARGS...
 *        binds a NOTIFY_SOCKET datagram socket, starts CMD with NOTIFY_SOCKET set (its pid goes to
 *        PIDFILE; it keeps running), prints seconds from exec to READY=1 and to the first
 *        answered Status.
 *   loadgen sink PORT LOGFILE TIME_LIMIT_S        a minimal HTTP/1.1 keep-alive sink answering 204;
 *        writes the receipt time (unix seconds, microseconds) of each request to LOGFILE. Used
 *        when nginx is not installed (smoke runs in CI).
 * Every loop is bounded by a count and by TIME_LIMIT_S.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

/* The most items fristvaktd takes in one ImportEvents call (EVENTS_MAX_IMPORT_ITEMS, core/events.h). */
#define FV_IMPORT_MAX 10

static double
now_real(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
dial_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("socket");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static int
dial_tcp(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("socket");
	a.sin_addr.s_addr = htonl(0x7f000001);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

static void
write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		b += w;
		n -= (size_t)w;
	}
}

/* ---- the engine ------------------------------------------------------------------------ */

enum proto { P_FV, P_FV_IMPORT, P_BS, P_REDIS };

/* A request in flight: its number and when it was sent. */
struct slot {
	long idx;
	double sent;
};

struct conn {
	int fd;
	char *rbuf;
	size_t rlen, rcap;
	struct slot *fly; /* ring of L->window slots; the oldest request is at head */
	int head, inflight;
};

struct load {
	enum proto proto;
	long n; /* requests */
	int conns;
	int window; /* requests in flight on each connection (pipelined); 1: request/response */
	double limit_s;
	const char *prefix;
	long base_epoch, spread;
	int batch;     /* P_FV_IMPORT: registrations per ImportEvents call */
	int bs_delay;  /* P_BS: seconds before a put job is ready */
	int r_payload; /* P_REDIS: a job is two requests, ZADD and HSET due:payload (200 B) */
	/* Optional, indexed by request: when it was sent and answered, and (P_BS) the job id. */
	double *sent_at, *acked_at;
	long *job_id;
	char body[256];
};

static int
build_req(const struct load *L, long i, char *out, size_t cap)
{
	switch (L->proto) {
	case P_FV_IMPORT: {
		size_t o = (size_t)snprintf(out, cap,
					    "{\"method\":\"no.fristvakt.ImportEvents\","
					    "\"parameters\":{\"items\":[");
		for (long k = i * L->batch; k < (i + 1) * L->batch; k++) {
			time_t t = (time_t)(L->base_epoch -
					    (L->spread > 0 ? (k * 7919L) % L->spread : 0));
			struct tm tm;
			char ts[32];
			gmtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
			o += (size_t)snprintf(
				out + o, cap - o,
				"%s{\"method\":\"RegisterApplication\",\"parameters\":{"
				"\"reference\":\"%s-%08ld\",\"service\":\"okonomisk-"
				"stonad\",\"received\":\"%s\",\"channel\":\"written\","
				"\"handler\":\"h%ld\",\"unit\":\"u%ld\"}}",
				k == i * L->batch ? "" : ",", L->prefix, k, ts, k % 200, k % 50);
		}
		o += (size_t)snprintf(out + o, cap - o, "]}}");
		return (int)o + 1;
	}
	case P_FV: {
		time_t t = (time_t)(L->base_epoch - (L->spread > 0 ? (i * 7919L) % L->spread : 0));
		struct tm tm;
		char ts[32];
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return snprintf(out, cap,
				"{\"method\":\"no.fristvakt.RegisterApplication\",\"parameters\":{"
				"\"reference\":\"%s-%08ld\",\"service\":\"okonomisk-stonad\","
				"\"received\":\"%s\",\"channel\":\"written\",\"handler\":\"h%ld\","
				"\"unit\":\"u%ld\"}}",
				L->prefix, i, ts, i % 200, i % 50) +
		       1; /* with the NUL */
	}
	case P_BS:
		return snprintf(out, cap, "put 1024 %d 3600 200\r\n%s\r\n", L->bs_delay, L->body);
	case P_REDIS: {
		/* job j: member reminder:<j>, scored by a due time in ms scattered over jobs s */
		long jobs = L->r_payload ? L->n / 2 : L->n, j = L->r_payload ? i / 2 : i;
		char sc[32], mb[32];
		int ml = snprintf(mb, sizeof(mb), "reminder:%08ld", j), sl;

		if (L->r_payload && i % 2)
			return snprintf(out, cap,
					"*4\r\n$4\r\nHSET\r\n$11\r\ndue:payload\r\n$%d\r\n%s\r\n"
					"$200\r\n%s\r\n",
					ml, mb, L->body);
		sl = snprintf(sc, sizeof(sc), "%lld",
			      1760000000000LL + ((j * 7919LL) % (jobs ? jobs : 1)) * 1000LL +
				      j % 1000);
		return snprintf(out, cap,
				"*4\r\n$4\r\nZADD\r\n$3\r\ndue\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", sl,
				sc, ml, mb);
	}
	}
	return -1;
}

/* Returns the length of a complete reply at the start of c->rbuf (delimiter included), or 0. */
static size_t
reply_len(const struct load *L, const struct conn *c)
{
	char d = L->proto <= P_FV_IMPORT ? '\0' : '\n';
	char *p = memchr(c->rbuf, d, c->rlen);
	return p ? (size_t)(p - c->rbuf) + 1 : 0;
}

static int
reply_ok(const struct load *L, const char *r, size_t len)
{
	switch (L->proto) {
	case P_FV_IMPORT:
		return memmem(r, len, "\"ok\":false", 10) == NULL &&
		       memmem(r, len, "{\"error\"", 8) == NULL;
	case P_FV:
		return memmem(r, len, "\"error\"", 7) == NULL;
	case P_BS:
		return len > 9 && strncmp(r, "INSERTED ", 9) == 0;
	case P_REDIS:
		return len > 1 && r[0] == ':';
	}
	return 0;
}

/* Sends the next requests on c until it has L->window in flight or none are left, in as few
 * writes as fit the buffer (one, in practice). */
static void
send_more(struct load *L, struct conn *c, long *next)
{
	static char req[1 << 20];
	size_t o = 0;

	while (c->inflight < L->window && *next < L->n) {
		struct slot *s = &c->fly[(c->head + c->inflight) % L->window];
		if (sizeof(req) - o < 65536) {
			write_all(c->fd, req, o);
			o = 0;
		}
		o += (size_t)build_req(L, *next, req + o, sizeof(req) - o);
		s->idx = (*next)++;
		s->sent = now_mono();
		if (L->sent_at)
			L->sent_at[s->idx] = s->sent;
		c->inflight++;
	}
	if (o)
		write_all(c->fd, req, o);
}

static int
run_load(struct load *L, const char *target)
{
	struct conn *cs = calloc((size_t)L->conns, sizeof(*cs));
	double *lat = malloc(sizeof(double) * (size_t)(L->n > 0 ? L->n : 1));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long next = 0, done = 0, errors = 0;
	char first_err[512] = "";
	double t0, deadline;

	if (L->window < 1)
		L->window = 1;
	memset(L->body, 'p', 200);
	L->body[200] = 0;
	for (int k = 0; k < L->conns; k++) {
		struct epoll_event ev = { .events = EPOLLIN };
		int fd = L->proto <= P_FV_IMPORT ? dial_unix(target) : dial_tcp(atoi(target));
		if (fd < 0)
			die("connect");
		cs[k].fd = fd;
		cs[k].rcap = 1 << 16;
		cs[k].rbuf = malloc(cs[k].rcap);
		cs[k].fly = calloc((size_t)L->window, sizeof(struct slot));
		ev.data.u32 = (uint32_t)k;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl");
	}
	t0 = now_mono();
	deadline = t0 + L->limit_s;
	for (int k = 0; k < L->conns && next < L->n; k++)
		send_more(L, &cs[k], &next);
	while (done < next) {
		struct epoll_event evs[64];
		int ne = epoll_wait(ep, evs, 64, 1000);
		if (ne < 0 && errno == EINTR)
			continue;
		if (ne < 0)
			die("epoll_wait");
		if (now_mono() > deadline) {
			fprintf(stderr, "loadgen: time limit of %.0f s reached after %ld of %ld\n",
				L->limit_s, done, L->n);
			break;
		}
		for (int e = 0; e < ne; e++) {
			struct conn *c = &cs[evs[e].data.u32];
			size_t rl;
			double t = 0;
			if (c->rcap - c->rlen < 4096) {
				c->rcap *= 2;
				c->rbuf = realloc(c->rbuf, c->rcap);
			}
			ssize_t r = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
			if (r <= 0) {
				if (r < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				fprintf(stderr,
					"loadgen: connection closed by the server (%ld done)\n",
					done);
				goto out;
			}
			c->rlen += (size_t)r;
			while ((rl = reply_len(L, c)) > 0) {
				struct slot *s = &c->fly[c->head];
				t = now_mono();
				if (!c->inflight) {
					fprintf(stderr, "loadgen: a reply to no request: %.*s\n",
						(int)(rl < 400 ? rl : 400), c->rbuf);
					goto out;
				}
				if (!reply_ok(L, c->rbuf, rl)) {
					if (!errors++)
						snprintf(first_err, sizeof(first_err), "%.*s",
							 (int)(rl < 400 ? rl : 400), c->rbuf);
				} else if (L->job_id && L->proto == P_BS) {
					L->job_id[s->idx] = atol(c->rbuf + 9);
				}
				if (L->acked_at)
					L->acked_at[s->idx] = t;
				lat[done++] = (t - s->sent) * 1e6;
				c->head = (c->head + 1) % L->window;
				c->inflight--;
				memmove(c->rbuf, c->rbuf + rl, c->rlen - rl);
				c->rlen -= rl;
			}
			if (t > 0 && t < deadline)
				send_more(L, c, &next);
		}
	}
out:;
	double el = now_mono() - t0;
	char extra[64] = "";
	if (L->window > 1)
		snprintf(extra, sizeof(extra), " in_flight=%d", L->window);
	if (L->r_payload)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " jobs=%ld",
			 done / 2);
	qsort(lat, (size_t)done, sizeof(double), cmpd);
	printf("RESULT ops=%ld conns=%d%s elapsed_s=%.3f rate_per_s=%.0f lat_us_p50=%.1f p99=%.1f "
	       "max=%.1f errors=%ld\n",
	       done, L->conns, extra, el, (double)done / el, pct(lat, done, .5),
	       pct(lat, done, .99), done ? lat[done - 1] : 0.0, errors);
	if (errors)
		fprintf(stderr, "loadgen: first error reply: %s\n", first_err);
	for (int k = 0; k < L->conns; k++) {
		close(cs[k].fd);
		free(cs[k].rbuf);
		free(cs[k].fly);
	}
	free(cs);
	free(lat);
	close(ep);
	return (errors || done < L->n) ? 1 : 0;
}

/* ---- beanstalkd and Redis: readiness, and the timeliness of delayed jobs ------------------ */

/* A blocking connection read through a buffer, line by line. */
struct rd {
	int fd;
	size_t len, pos;
	char buf[65536];
};

static int
rd_fill(struct rd *r)
{
	for (;;) {
		ssize_t n = read(r->fd, r->buf, sizeof(r->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		r->len = (size_t)n;
		r->pos = 0;
		return 0;
	}
}

/* The next line without its CRLF into out (cut to cap - 1 bytes); -1 at EOF, an error or a
 * receive timeout. */
static int
rd_line(struct rd *r, char *out, size_t cap)
{
	size_t o = 0;

	for (;;) {
		while (r->pos < r->len) {
			char ch = r->buf[r->pos++];
			if (ch == '\n') {
				if (o && out[o - 1] == '\r')
					o--;
				out[o] = 0;
				return 0;
			}
			if (o + 1 < cap)
				out[o++] = ch;
		}
		if (rd_fill(r) < 0)
			return -1;
	}
}

/* The next n bytes into out (NUL-terminated; out may be NULL to skip them); -1 as rd_line. */
static int
rd_bytes(struct rd *r, char *out, size_t n)
{
	size_t o = 0;

	while (o < n) {
		size_t k = r->len - r->pos;
		if (!k) {
			if (rd_fill(r) < 0)
				return -1;
			continue;
		}
		if (k > n - o)
			k = n - o;
		if (out)
			memcpy(out + o, r->buf + r->pos, k);
		r->pos += k;
		o += k;
	}
	if (out)
		out[n] = 0;
	return 0;
}

static struct rd *
rd_dial(int port, double timeout_s)
{
	struct timeval tv = { .tv_sec = (time_t)timeout_s,
			      .tv_usec = (suseconds_t)((timeout_s - (double)(time_t)timeout_s) *
						       1e6) };
	int fd = dial_tcp(port);
	struct rd *r;

	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = calloc(1, sizeof(*r));
	r->fd = fd;
	return r;
}

static void
rd_close(struct rd *r)
{
	if (r) {
		close(r->fd);
		free(r);
	}
}

/* Seconds until beanstalkd answers "stats" (it answers only after replaying its binlog),
 * retrying connects; prints how many delayed jobs it holds then. */
static int
cmd_bs_ready(int port, double limit_s)
{
	double t0 = now_mono();

	while (now_mono() - t0 < limit_s) {
		struct rd *r = rd_dial(port, 1.0);
		char line[256], *stats, *d;
		long bytes;

		if (!r) {
			usleep(1000);
			continue;
		}
		write_all(r->fd, "stats\r\n", 7);
		if (rd_line(r, line, sizeof(line)) == 0 && sscanf(line, "OK %ld", &bytes) == 1 &&
		    bytes >= 0 && bytes < (1L << 20)) {
			double t = now_mono() - t0;
			stats = malloc((size_t)bytes + 3);
			if (rd_bytes(r, stats, (size_t)bytes + 2) == 0) {
				d = strstr(stats, "current-jobs-delayed: ");
				printf("RESULT ready_s=%.3f current_jobs_delayed=%ld\n", t,
				       d ? atol(d + 22) : -1L);
				free(stats);
				rd_close(r);
				return 0;
			}
			free(stats);
		}
		rd_close(r);
		usleep(1000);
	}
	printf("RESULT ready_s=timeout\n");
	return 1;
}

/* Seconds until Redis answers PING with +PONG (while it loads its append-only file it
 * answers -LOADING), retrying connects. */
static int
cmd_r_ready(int port, double limit_s)
{
	double t0 = now_mono();

	while (now_mono() - t0 < limit_s) {
		struct rd *r = rd_dial(port, 1.0);
		char line[256];

		if (!r) {
			usleep(1000);
			continue;
		}
		while (now_mono() - t0 < limit_s) {
			write_all(r->fd, "*1\r\n$4\r\nPING\r\n", 14);
			if (rd_line(r, line, sizeof(line)) < 0)
				break;
			if (!strcmp(line, "+PONG")) {
				printf("RESULT ready_s=%.3f\n", now_mono() - t0);
				rd_close(r);
				return 0;
			}
			usleep(2000);
		}
		rd_close(r);
		usleep(1000);
	}
	printf("RESULT ready_s=timeout\n");
	return 1;
}

/*
 * beanstalkd's timeliness: N jobs put with the same delay (WINDOW puts in flight on one
 * connection), then one client reserves and deletes them one by one. A job's due instant is
 * set by the server while it handles the put, so it lies between the put's send time and
 * its INSERTED reply, plus the delay: the lag measured from the reply is a lower bound, and
 * the lag from the send time (ub_*) an upper bound. "last" is the last reservation after the
 * last due instant (by the replies).
 */
static int
cmd_bs_lag(const char *port, long n, int delay, int window, double limit_s)
{
	struct load L = { .proto = P_BS,
			  .n = n,
			  .conns = 1,
			  .window = window,
			  .bs_delay = delay,
			  .limit_s = limit_s };
	double *lag = malloc(sizeof(double) * (size_t)n), *ub = malloc(sizeof(double) * (size_t)n);
	double t0 = now_mono(), last_due = 0, first_res = 0, last_res = 0;
	long min_id = 0, max_id = 0, early = 0, *by_id;
	char line[256];
	struct rd *r;

	if (n < 1 || !lag || !ub)
		return 2;
	L.sent_at = malloc(sizeof(double) * (size_t)n);
	L.acked_at = malloc(sizeof(double) * (size_t)n);
	L.job_id = malloc(sizeof(long) * (size_t)n);
	if (run_load(&L, port))
		return 1;
	for (long i = 0; i < n; i++) {
		if (i == 0 || L.job_id[i] < min_id)
			min_id = L.job_id[i];
		if (i == 0 || L.job_id[i] > max_id)
			max_id = L.job_id[i];
		if (L.acked_at[i] + delay > last_due)
			last_due = L.acked_at[i] + delay;
	}
	printf("# %ld puts answered %.3f s before the first job is due\n", n,
	       L.sent_at[0] + delay - now_mono());
	/* job id -> the put that made it */
	by_id = malloc(sizeof(long) * (size_t)(max_id - min_id + 1));
	for (long k = 0; k <= max_id - min_id; k++)
		by_id[k] = -1;
	for (long i = 0; i < n; i++)
		by_id[L.job_id[i] - min_id] = i;

	if (!(r = rd_dial(atoi(port), limit_s + 5)))
		die("connect");
	for (long k = 0; k < n; k++) {
		char req[64];
		long id, bytes, i;
		double t, left = limit_s - (now_mono() - t0);

		if (left < 1) {
			fprintf(stderr, "loadgen: time limit of %.0f s reached after %ld of %ld\n",
				limit_s, k, n);
			return 1;
		}
		write_all(r->fd, req,
			  (size_t)snprintf(req, sizeof(req), "reserve-with-timeout %d\r\n",
					   (int)left));
		if (rd_line(r, line, sizeof(line)) < 0) {
			fprintf(stderr, "loadgen: no answer to reserve\n");
			return 1;
		}
		t = now_mono();
		if (sscanf(line, "RESERVED %ld %ld", &id, &bytes) != 2 ||
		    rd_bytes(r, NULL, (size_t)bytes + 2) < 0) {
			fprintf(stderr, "loadgen: reserve answered: %s\n", line);
			return 1;
		}
		if (id < min_id || id > max_id || (i = by_id[id - min_id]) < 0) {
			fprintf(stderr, "loadgen: reserved job %ld that this run did not put\n",
				id);
			return 1;
		}
		write_all(r->fd, req, (size_t)snprintf(req, sizeof(req), "delete %ld\r\n", id));
		if (rd_line(r, line, sizeof(line)) < 0 || strcmp(line, "DELETED") != 0) {
			fprintf(stderr, "loadgen: delete answered: %s\n", line);
			return 1;
		}
		if (k == 0)
			first_res = t;
		last_res = t;
		lag[k] = (t - (L.acked_at[i] + delay)) * 1e3;
		ub[k] = (t - (L.sent_at[i] + delay)) * 1e3;
		if (ub[k] < 0)
			early++;
	}
	rd_close(r);
	qsort(lag, (size_t)n, sizeof(double), cmpd);
	qsort(ub, (size_t)n, sizeof(double), cmpd);
	printf("RESULT_LAG jobs=%ld delay_s=%d lag_ms_p50=%.2f p99=%.2f max=%.2f min=%.2f "
	       "last_reserved_after_last_due_ms=%.2f drain_s=%.3f early=%ld ub_p50=%.2f "
	       "ub_p99=%.2f ub_max=%.2f\n",
	       n, delay, pct(lag, n, .5), pct(lag, n, .99), lag[n - 1], lag[0],
	       (last_res - last_due) * 1e3, last_res - first_res, early, pct(ub, n, .5),
	       pct(ub, n, .99), ub[n - 1]);
	return 0;
}

/* ---- single Varlink calls ---------------------------------------------------------------- */

static char *
fv_call_fd(int fd, const char *method, const char *params, size_t *len_out)
{
	static char *buf;
	static size_t cap;
	char *req;
	size_t len = 0;
	int n = asprintf(&req, "{\"method\":\"%s\",\"parameters\":%s}", method, params);

	if (n < 0)
		die("asprintf");
	write_all(fd, req, (size_t)n + 1);
	free(req);
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		char *z = memchr(buf + len, '\0', (size_t)r);
		len += (size_t)r;
		if (z) {
			*len_out = (size_t)(z - buf);
			return buf;
		}
	}
}

static long
json_num_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	return p ? atol(p + strlen(key)) : -1;
}

static int
cmd_fv_list(const char *sock, long q, double limit_s)
{
	int fd = dial_unix(sock);
	double *lat = malloc(sizeof(double) * (size_t)q), t0 = now_mono(), first = 0;
	long done = 0, rows = 0;
	size_t len;

	if (fd < 0)
		die("connect");
	for (long i = 0; i < q && now_mono() - t0 < limit_s; i++) {
		double t = now_mono();
		char *r = fv_call_fd(fd, "no.fristvakt.ListDeadlines",
				     "{\"state\":\"open\",\"limit\":100}", &len);
		if (!r || strstr(r, "\"error\"")) {
			fprintf(stderr, "ListDeadlines failed: %.300s\n", r ? r : "(closed)");
			return 1;
		}
		lat[done] = (now_mono() - t) * 1e6;
		if (i == 0) {
			first = lat[0];
			for (const char *p = r; (p = strstr(p, "\"reference\"")); p++)
				rows++;
		}
		done++;
	}
	qsort(lat, (size_t)done, sizeof(double), cmpd);
	printf("RESULT queries=%ld rows=%ld first_query_us=%.1f lat_us_p50=%.1f p99=%.1f max=%.1f\n",
	       done, rows, first, pct(lat, done, .5), pct(lat, done, .99),
	       done ? lat[done - 1] : 0.0);
	return done == q ? 0 : 1;
}

static int
cmd_fv_call(const char *sock, const char *method, const char *params)
{
	int fd = dial_unix(sock);
	size_t len;
	char *r;

	if (fd < 0)
		die("connect");
	r = fv_call_fd(fd, method, params, &len);
	if (!r)
		return 1;
	printf("%s\n", r);
	return strncmp(r, "{\"error\"", 8) == 0 || strstr(r, "\"error\":") ? 1 : 0;
}

/* Seconds until a Status call is answered (retrying connects), or -1. */
static double
wait_status(const char *sock, double limit_s, double t0)
{
	size_t len;

	while (now_mono() - t0 < limit_s) {
		int fd = dial_unix(sock);
		if (fd >= 0) {
			char *r = fv_call_fd(fd, "no.fristvakt.Status", "{}", &len);
			close(fd);
			if (r && strstr(r, "\"version\""))
				return now_mono() - t0;
		}
		usleep(1000);
	}
	return -1;
}

static int
cmd_fv_wait_sent(const char *sock, long n, double limit_s)
{
	double t0 = now_mono();
	long sent = -1;
	size_t len;
	int fd = dial_unix(sock);

	if (fd < 0)
		die("connect");
	while (now_mono() - t0 < limit_s) {
		char *r = fv_call_fd(fd, "no.fristvakt.Status", "{}", &len);
		if (!r)
			break;
		const char *rem = strstr(r, "\"reminders\"");
		sent = rem ? json_num_after(rem, "\"sent\":") : -1;
		if (sent >= n) {
			printf("RESULT sent=%ld waited_s=%.3f\n", sent, now_mono() - t0);
			return 0;
		}
		usleep(500000);
	}
	printf("RESULT sent=%ld waited_s=timeout\n", sent);
	return 1;
}

static int
cmd_notify_exec(const char *pidfile, const char *sock, double limit_s, char **argv)
{
	char path[108];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	double t0, ready = -1, status;
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/loadgen-notify-%d.sock", (int)getpid());
	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("notify socket");
	t0 = now_mono();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		setenv("NOTIFY_SOCKET", path, 1);
		dup2(2,
		     1); /* the caller reads our stdout to its end: the daemon must not hold it */
		execvp(argv[0], argv);
		_exit(127);
	}
	if (!(f = fopen(pidfile, "w")))
		die(pidfile);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	while (now_mono() - t0 < limit_s) {
		char buf[4096];
		struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t r = recv(s, buf, sizeof(buf) - 1, 0);
		if (r > 0) {
			buf[r] = 0;
			if (strstr(buf, "READY=1")) {
				ready = now_mono() - t0;
				break;
			}
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "notify-exec: the daemon exited before READY\n");
			unlink(path);
			return 1;
		}
	}
	status = wait_status(sock, limit_s, t0);
	unlink(path);
	printf("RESULT ready_notify_s=%.3f first_status_s=%.3f pid=%d\n", ready, status, (int)pid);
	return ready < 0 || status < 0;
}

/* ---- a minimal HTTP sink -------------------------------------------------------------------- */

struct sconn {
	int fd;
	char buf[65536];
	size_t len;
};

static int
cmd_sink(int port, const char *logfile, double limit_s)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	FILE *log = fopen(logfile, "w");
	double t0 = now_mono();
	static const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n";

	if (!log)
		die(logfile);
	setvbuf(log, NULL, _IOLBF, 0);
	a.sin_addr.s_addr = htonl(0x7f000001);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 512) < 0)
		die("sink bind");
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (now_mono() - t0 < limit_s) {
		struct epoll_event evs[64];
		int ne = epoll_wait(ep, evs, 64, 200);
		for (int e = 0; e < ne; e++) {
			struct sconn *c = evs[e].data.ptr;
			if (!c) {
				int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
				if (fd < 0)
					continue;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				c = calloc(1, sizeof(*c));
				c->fd = fd;
				struct epoll_event ce = { .events = EPOLLIN, .data.ptr = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				continue;
			}
			ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
			if (r <= 0) {
				close(c->fd);
				free(c);
				continue;
			}
			c->len += (size_t)r;
			for (;;) {
				c->buf[c->len] = 0;
				char *h = strstr(c->buf, "\r\n\r\n");
				if (!h)
					break;
				long cl = 0;
				char *p = strcasestr(c->buf, "\r\ncontent-length:");
				if (p && p < h)
					cl = atol(p + 17);
				size_t total = (size_t)(h - c->buf) + 4 + (size_t)cl;
				if (c->len < total)
					break;
				fprintf(log, "%.6f\n", now_real());
				write_all(c->fd, resp, sizeof(resp) - 1);
				memmove(c->buf, c->buf + total, c->len - total);
				c->len -= total;
			}
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct load L = { 0 };

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		goto usage;
	const char *m = argv[1];
	if (!strcmp(m, "fv-import") && argc == 10) {
		/* N registrations in ImportEvents calls of BATCH items: for building big databases */
		L.proto = P_FV_IMPORT;
		L.batch = atoi(argv[4]);
		/* fristvaktd refuses an ImportEvents call of more items (core/events.h) */
		if (L.batch < 1 || L.batch > FV_IMPORT_MAX) {
			fprintf(stderr,
				"loadgen: BATCH must be 1-%d, the most one ImportEvents call takes\n",
				FV_IMPORT_MAX);
			return 2;
		}
		L.n = atol(argv[3]) / L.batch;
		L.conns = atoi(argv[5]);
		L.prefix = argv[6];
		L.base_epoch = atol(argv[7]);
		L.spread = atol(argv[8]);
		L.limit_s = atof(argv[9]);
		return run_load(&L, argv[2]);
	}
	if (!strcmp(m, "fv-reg") && argc == 9) {
		L.proto = P_FV;
		L.n = atol(argv[3]);
		L.conns = atoi(argv[4]);
		L.prefix = argv[5];
		L.base_epoch = atol(argv[6]);
		L.spread = atol(argv[7]);
		L.limit_s = atof(argv[8]);
		return run_load(&L, argv[2]);
	}
	if ((!strcmp(m, "bs-put") || !strcmp(m, "r-zadd")) && argc == 6) {
		L.proto = m[0] == 'b' ? P_BS : P_REDIS;
		L.n = atol(argv[3]);
		L.conns = atoi(argv[4]);
		L.limit_s = atof(argv[5]);
		return run_load(&L, argv[2]);
	}
	if (!strcmp(m, "bs-fill") && argc == 7) {
		L.proto = P_BS;
		L.n = atol(argv[3]);
		L.bs_delay = atoi(argv[4]);
		L.conns = 1;
		L.window = atoi(argv[5]);
		L.limit_s = atof(argv[6]);
		return run_load(&L, argv[2]);
	}
	if (!strcmp(m, "r-fill") && argc == 6) {
		L.proto = P_REDIS;
		L.r_payload = 1;
		L.n = 2 * atol(argv[3]);
		L.conns = 1;
		L.window = atoi(argv[4]);
		L.limit_s = atof(argv[5]);
		return run_load(&L, argv[2]);
	}
	if (!strcmp(m, "bs-lag") && argc == 7)
		return cmd_bs_lag(argv[2], atol(argv[3]), atoi(argv[4]), atoi(argv[5]),
				  atof(argv[6]));
	if (!strcmp(m, "bs-ready") && argc == 4)
		return cmd_bs_ready(atoi(argv[2]), atof(argv[3]));
	if (!strcmp(m, "r-ready") && argc == 4)
		return cmd_r_ready(atoi(argv[2]), atof(argv[3]));
	if (!strcmp(m, "fv-list") && argc == 5)
		return cmd_fv_list(argv[2], atol(argv[3]), atof(argv[4]));
	if (!strcmp(m, "fv-call") && argc == 5)
		return cmd_fv_call(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "fv-ready") && argc == 4) {
		double t = wait_status(argv[2], atof(argv[3]), now_mono());
		printf("RESULT first_status_s=%.3f\n", t);
		return t < 0;
	}
	if (!strcmp(m, "fv-wait-sent") && argc == 5)
		return cmd_fv_wait_sent(argv[2], atol(argv[3]), atof(argv[4]));
	if (!strcmp(m, "notify-exec") && argc >= 7 && !strcmp(argv[5], "--"))
		return cmd_notify_exec(argv[2], argv[3], atof(argv[4]), argv + 6);
	if (!strcmp(m, "sink") && argc == 5)
		return cmd_sink(atoi(argv[2]), argv[3], atof(argv[4]));
usage:
	fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
	return 2;
}
