// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * metrics_http: the metrics' HTTP listener (see metrics_http.h).
 *
 * libmicrohttpd parses HTTP; it runs in external epoll mode: its one epoll fd is watched by
 * a uv_poll, and after every MHD_run() its next timeout (idle connections) arms a uv_timer.
 * A scrape reads the database on the daemon's one connection, so MHD_run() waits while the
 * loop turn's group commit holds uncommitted changes (a scrape never reports what might
 * still be rolled back): it runs from a timer in the next turn instead. The listening
 * socket is made here (its errors name the address), then handed to libmicrohttpd, which
 * closes it when it stops.
 */
#include "server/metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "ops/ops.h"

/*
 * Connections at once, from one address, and how long one may idle (seconds). A scraper
 * sends its request at once, so a connection silent for HTTP_TIMEOUT_S, one that has not
 * finished its request's header or one kept alive between scrapes, is closed: a handful of
 * half-sent requests no longer take the places of the scrapes (Prometheus then opens a new
 * connection for each scrape). Each connection costs a file descriptor and libmicrohttpd's
 * 32 KiB memory pool: 4 MiB at most. A local user who keeps opening connections can still
 * fill them (the README says so: bind to an address only Prometheus reaches).
 */
#define HTTP_MAX_CONNECTIONS 128
#define HTTP_MAX_PER_IP	     64
#define HTTP_TIMEOUT_S	     5

struct metrics_http {
	struct MHD_Daemon *mhd;
	struct ops_env *env;
	uv_poll_t poll;
	uv_timer_t timer;
	int open_handles;
};

static const char content_type[] = "text/plain; version=0.0.4; charset=utf-8";

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, char *body, const char *type,
       const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct metrics_http *h = cls;
	struct strbuf b = { 0 };

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			      xstrdup("only GET and HEAD are allowed\n"), "text/plain",
			      "GET, HEAD");
	if (strcmp(url, "/metrics") != 0)
		return answer(conn, MHD_HTTP_NOT_FOUND, xstrdup("not found; try /metrics\n"),
			      "text/plain", NULL);
	if (ops_metrics_text(h->env, h->env->now(h->env->host), &b) < 0) {
		strbuf_free(&b);
		return answer(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			      xstrdup("the database could not be read\n"), "text/plain", NULL);
	}
	return answer(conn, MHD_HTTP_OK, strbuf_take(&b), content_type, NULL);
}

static void on_timer(uv_timer_t *t);

/* Runs libmicrohttpd once it may read the database, and arms the timer for its next
 * timeout. */
static void
run(struct metrics_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (h->env->in_txn && h->env->txn_dirty) {
		uv_timer_start(&h->timer, on_timer, 0, 0);
		return;
	}
	MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		uv_timer_start(&h->timer, on_timer, ms, 0);
	else
		uv_timer_stop(&h->timer);
}

static void
on_timer(uv_timer_t *t)
{
	run(t->data);
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	run(p->data);
}

static void log_mhd(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("metrics: %s", msg);
}

/* A listening TCP socket on m's address: the fd, or a negative errno with err filled. */
static int
listen_on(const struct conf_metrics *m, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1, ret;

	if (m->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(m->port);
		memcpy(&a->sin6_addr, m->addr, 16);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(m->port);
		memcpy(&a->sin_addr, m->addr, 4);
		len = sizeof(*a);
	}
	fd = socket(m->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "metrics.listen %s: cannot make a socket: %s", m->listen,
			 strerror(errno));
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (m->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 32) < 0) {
		ret = -errno;
		snprintf(err, errlen, "metrics.listen %s: cannot listen: %s", m->listen,
			 strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

int
metrics_http_start(uv_loop_t *loop, const struct conf_metrics *m, struct ops_env *env,
		   struct metrics_http **out, char *err, size_t errlen)
{
	struct metrics_http *h;
	const union MHD_DaemonInfo *info;
	int fd, ret;

	*out = NULL;
	if ((fd = listen_on(m, err, errlen)) < 0)
		return fd;
	h = xcalloc(1, sizeof(*h));
	h->env = env;
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					  (m->family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				  MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_END);
	info = h->mhd ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		snprintf(err, errlen, "metrics.listen %s: libmicrohttpd did not start", m->listen);
		if (h->mhd)
			MHD_stop_daemon(h->mhd);
		else
			close(fd);
		free(h);
		return -EIO;
	}
	if ((ret = uv_poll_init(loop, &h->poll, info->epoll_fd)) < 0) {
		snprintf(err, errlen, "metrics.listen %s: %s", m->listen, uv_strerror(ret));
		MHD_stop_daemon(h->mhd);
		free(h);
		return ret;
	}
	uv_timer_init(loop, &h->timer);
	h->poll.data = h->timer.data = h;
	h->open_handles = 2;
	uv_poll_start(&h->poll, UV_READABLE, on_poll);
	log_info("metrics: serving http://%s/metrics", m->listen);
	*out = h;
	return 0;
}

static void
handle_closed(uv_handle_t *handle)
{
	struct metrics_http *h = handle->data;

	if (--h->open_handles == 0)
		free(h);
}

void
metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	/* The poll stops watching the epoll fd now; libmicrohttpd then closes it. */
	uv_close((uv_handle_t *)&h->poll, handle_closed);
	uv_close((uv_handle_t *)&h->timer, handle_closed);
	MHD_stop_daemon(h->mhd);
	h->mhd = NULL;
}
