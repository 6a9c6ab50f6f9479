// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * loadgen: load generators and probes for bench/run (built with cc by bench/run, not by CMake).
 *
 * One epoll engine drives C connections, each with exactly one request in flight (strict
 * request/response per connection), for three protocols, so that fristvakt and its peers are
 * driven the same way:
 *   loadgen fv-reg  SOCK N CONNS PREFIX BASE_EPOCH SPREAD_S TIME_LIMIT_S
 *        RegisterApplication over Varlink (JSON + NUL on a unix socket): reference PREFIX-<i>,
 *        service okonomisk-stonad, received BASE_EPOCH - (i*7919 % SPREAD_S) (RFC 3339, UTC),
 *        channel written, handler h<i%200>, unit u<i%50>.
 *   loadgen fv-import SOCK N BATCH CONNS PREFIX BASE_EPOCH SPREAD_S TIME_LIMIT_S
 *        the same registrations, BATCH (at most FV_IMPORT_MAX) per ImportEvents call (ops counts
 *        calls): builds big databases.
 *   loadgen bs-put  PORT N CONNS TIME_LIMIT_S     beanstalkd "put 1024 0 3600 200" (200 B body)
 *   loadgen r-zadd  PORT N CONNS TIME_LIMIT_S     Redis "ZADD due <due_ms> reminder:<i>"
 *   -> "RESULT ops=.. conns=.. elapsed_s=.. rate_per_s=.. lat_us_p50=.. p99=.. max=.. errors=.."
 *
 * Probes:
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

/* The most items fristvaktd takes in one ImportEvents call (EVENTS_MAX_IMPORT_ITEMS, core/events.h). */
#define FV_IMPORT_MAX 10

static double
now_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
now_real(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
pct(const double *v, long n, double p)
{
	if (n <= 0)
		return 0;
	long i = (long)(p * (double)(n - 1) + 0.5);
	return v[i];
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

struct conn {
	int fd;
	char *rbuf;
	size_t rlen, rcap;
	double sent;
	long idx; /* request in flight, -1 none */
};

struct load {
	enum proto proto;
	long n;
	int conns;
	double limit_s;
	const char *prefix;
	long base_epoch, spread;
	int batch; /* P_FV_IMPORT: registrations per ImportEvents call */
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
		return snprintf(out, cap, "put 1024 0 3600 200\r\n%s\r\n", L->body);
	case P_REDIS: {
		char sc[32], mb[32];
		int sl = snprintf(sc, sizeof(sc), "%lld",
				  1760000000000LL + ((i * 7919LL) % (L->n ? L->n : 1)) * 1000LL +
					  i % 1000);
		int ml = snprintf(mb, sizeof(mb), "reminder:%08ld", i);
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

static int
run_load(struct load *L, const char *target)
{
	struct conn *cs = calloc((size_t)L->conns, sizeof(*cs));
	double *lat = malloc(sizeof(double) * (size_t)(L->n > 0 ? L->n : 1));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long next = 0, done = 0, errors = 0;
	static char req[1 << 20];
	char first_err[512] = "";
	double t0, deadline;

	memset(L->body, 'p', 200);
	L->body[200] = 0;
	for (int k = 0; k < L->conns; k++) {
		struct epoll_event ev = { .events = EPOLLIN };
		int fd = L->proto <= P_FV_IMPORT ? dial_unix(target) : dial_tcp(atoi(target));
		if (fd < 0)
			die("connect");
		cs[k].fd = fd;
		cs[k].idx = -1;
		cs[k].rcap = 1 << 16;
		cs[k].rbuf = malloc(cs[k].rcap);
		ev.data.u32 = (uint32_t)k;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl");
	}
	t0 = now_mono();
	deadline = t0 + L->limit_s;
	for (int k = 0; k < L->conns && next < L->n; k++) {
		int len = build_req(L, next, req, sizeof(req));
		cs[k].idx = next++;
		cs[k].sent = now_mono();
		write_all(cs[k].fd, req, (size_t)len);
	}
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
				double t = now_mono();
				if (!reply_ok(L, c->rbuf, rl)) {
					if (!errors++)
						snprintf(first_err, sizeof(first_err), "%.*s",
							 (int)(rl < 400 ? rl : 400), c->rbuf);
				}
				lat[done++] = (t - c->sent) * 1e6;
				memmove(c->rbuf, c->rbuf + rl, c->rlen - rl);
				c->rlen -= rl;
				c->idx = -1;
				if (next < L->n && t < deadline) {
					int len = build_req(L, next, req, sizeof(req));
					c->idx = next++;
					c->sent = now_mono();
					write_all(c->fd, req, (size_t)len);
				}
			}
		}
	}
out:;
	double el = now_mono() - t0;
	qsort(lat, (size_t)done, sizeof(double), cmpd);
	printf("RESULT ops=%ld conns=%d elapsed_s=%.3f rate_per_s=%.0f lat_us_p50=%.1f p99=%.1f "
	       "max=%.1f errors=%ld\n",
	       done, L->conns, el, (double)done / el, pct(lat, done, .5), pct(lat, done, .99),
	       done ? lat[done - 1] : 0.0, errors);
	if (errors)
		fprintf(stderr, "loadgen: first error reply: %s\n", first_err);
	for (int k = 0; k < L->conns; k++)
		close(cs[k].fd);
	return (errors || done < L->n) ? 1 : 0;
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
