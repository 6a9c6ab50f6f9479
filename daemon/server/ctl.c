// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ctl: the Varlink control server (see ctl.h).
 *
 * Each connection owns two handles, its pipe and its idle timer, and is freed when both
 * close callbacks have run. While a call is in progress the connection stops reading, so a
 * client that pipelines cannot make the daemon buffer more than one message limit's worth;
 * replies are written in order. Framing garbage (a message over the limit) is answered with
 * MessageTooLarge and the connection is closed; a message that is framed but not a valid
 * call is answered with a named error and the connection stays usable. A call that says
 * "oneway": true gets no reply at all, not even an error: Varlink clients pair replies with
 * calls by their order, so one stray error would shift every later reply.
 */
#include "server/ctl.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "server/dispatch.h"
#include "conf/conf.h"
#include "core/iface.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/proto.h"
#include "core/util.h"

/* Supplementary groups: a first guess, and the kernel's limit (a process has at most that). */
#define CTL_FIRST_GROUPS 64
#define CTL_MAX_GROUPS	 NGROUPS_MAX
#define CTL_MAX_BUCKETS	 256
#define CTL_DRAIN_MS	 5000

/* A token bucket per peer uid for the call rate. */
struct bucket {
	uint32_t uid;
	double tokens;
	uint64_t last_ms;
	bool used;
};

struct conn {
	uv_pipe_t pipe;
	uv_timer_t idle;
	struct ctl *ctl;
	struct conn *prev, *next;
	struct proto_reader rd;
	struct ops_peer peer;
	uint32_t *groups; /* the primary group, then the supplementary ones */
	size_t n_groups;
	struct proto_call call;
	struct ops_req req;
	/* The call in progress: when its message was read (uv_hrtime), for the metrics; and
	 * the method of the reply conn_send() writes next (NULL: not a call's reply). */
	uint64_t call_started;
	const char *timed_method;
	int open_handles;
	unsigned writes_pending;
	bool busy;	 /* a call awaits its reply */
	bool processing; /* inside process(): replies must not re-enter it */
	bool closing;
	bool close_after_write;
};

struct ctl {
	uv_loop_t *loop;
	uv_pipe_t listener;
	const struct conf *conf;
	struct ops_env *env;
	struct conn *conns;
	unsigned n_conns;
	bool bound_path; /* we created the socket file and remove it on stop */
	char *path;	 /* where we listen: conf->socket, or the name of systemd's socket */
	bool stopping;
	bool listener_closed;
	uv_timer_t drain; /* bounds how long stopping waits for replies to be written */
	bool drain_closed;
	struct bucket buckets[CTL_MAX_BUCKETS];
};

struct write_req {
	uv_write_t req;
	struct conn *conn;
	char *buf;
	const char *method; /* a call's reply: its method, timed until written */
	uint64_t started;
};

static void conn_close(struct conn *c);
static void drain_closed(uv_handle_t *h);
static void process(struct conn *c);
static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void
maybe_free_ctl(struct ctl *ctl)
{
	if (!ctl->stopping || !ctl->listener_closed || ctl->conns)
		return;
	if (!ctl->drain_closed) {
		if (!uv_is_closing((uv_handle_t *)&ctl->drain))
			uv_close((uv_handle_t *)&ctl->drain, drain_closed);
		return;
	}
	if (ctl->bound_path)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

/*
 * Frees a connection once both handles are closed and no call is in progress: a call
 * waiting for the group commit still holds the connection's request.
 */
static void
conn_maybe_free(struct conn *c)
{
	struct ctl *ctl = c->ctl;

	if (c->open_handles > 0 || c->busy)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl->n_conns--;
	proto_reader_deinit(&c->rd);
	proto_call_deinit(&c->call);
	free(c->groups);
	free(c);
	maybe_free_ctl(ctl);
}

static void
conn_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	c->open_handles--;
	conn_maybe_free(c);
}

static void
conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->pipe, conn_handle_closed);
	uv_close((uv_handle_t *)&c->idle, conn_handle_closed);
}

static void
write_done(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct conn *c = wr->conn;

	if (wr->method && status == 0)
		metrics_observe_request(wr->method, (double)(uv_hrtime() - wr->started) / 1e9);
	free(wr->buf);
	free(wr);
	c->writes_pending--;
	if (status < 0 && status != UV_ECANCELED)
		log_debug("control: write to pid %d failed: %s", c->peer.pid, uv_strerror(status));
	if (status < 0 || (c->close_after_write && c->writes_pending == 0))
		conn_close(c);
}

/* Sends one encoded message (buf is stolen, len includes the NUL). */
static void
conn_send(struct conn *c, char *buf, size_t len)
{
	struct write_req *wr;
	uv_buf_t b;
	int ret;

	if (c->closing) {
		free(buf);
		return;
	}
	wr = xcalloc(1, sizeof(*wr));
	wr->conn = c;
	wr->buf = buf;
	wr->method = c->timed_method;
	wr->started = c->call_started;
	c->timed_method = NULL;
	b = uv_buf_init(buf, (unsigned)len);
	ret = uv_write(&wr->req, (uv_stream_t *)&c->pipe, &b, 1, write_done);
	if (ret < 0) {
		free(buf);
		free(wr);
		conn_close(c);
		return;
	}
	c->writes_pending++;
}

static void
conn_send_error(struct conn *c, const char *error, json_t *params)
{
	size_t len;
	char *buf = proto_error_encode(error, params, &len);

	json_decref(params);
	conn_send(c, buf, len);
}

/*
 * Answers a failed call with an error, unless the call was oneway: then the error only goes
 * to the debug log (params is stolen either way).
 */
static void
conn_fail(struct conn *c, bool oneway, const char *error, json_t *params)
{
	if (oneway) {
		log_debug("control: a oneway call of uid %u failed with %s (not answered)",
			  c->peer.uid, error);
		json_decref(params);
		return;
	}
	conn_send_error(c, error, params);
}

/*
 * Whether a message that is not a valid call still asks for no reply ("oneway": true in an
 * object). Garbage that is not even a JSON object cannot ask for anything and is answered.
 */
static bool
declares_oneway(const char *msg, size_t len)
{
	json_t *root = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
	bool oneway = json_is_object(root) && json_is_true(json_object_get(root, "oneway"));

	json_decref(root);
	return oneway;
}

static void
idle_expired(uv_timer_t *t)
{
	struct conn *c = t->data;

	/* A call in progress is the daemon's to finish, not the client's idleness. */
	if (c->busy)
		return;
	log_debug("control: closing idle connection of uid %u", c->peer.uid);
	conn_close(c);
}

static void
reply_cb(struct ops_req *req, const char *error, json_t *params)
{
	struct conn *c = req->data;
	bool oneway = c->call.oneway;
	size_t len;
	char *buf;

	if (!oneway) {
		if (error)
			buf = proto_error_encode(error, params, &len);
		else
			buf = proto_reply_encode(params, false, &len);
		c->timed_method = req->name;
		conn_send(c, buf, len);
	} else {
		metrics_observe_request(req->name, (double)(uv_hrtime() - c->call_started) / 1e9);
	}
	json_decref(params);
	proto_call_deinit(&c->call);
	c->busy = false;
	/* Idle time counts from the reply, not from the start of a long call. */
	if (!c->closing)
		uv_timer_again(&c->idle);
	if (c->closing) {
		conn_maybe_free(c);
		return;
	}
	if (!c->processing) {
		if (!c->close_after_write)
			uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
		process(c);
	}
}

/* Takes a token from the uid's bucket: 0, or the milliseconds until one is available. */
static uint64_t
rate_take(struct ctl *ctl, uint32_t uid)
{
	uint64_t now = uv_now(ctl->loop);
	struct bucket *b = NULL, *oldest = &ctl->buckets[0];
	double rate = ctl->conf->rate_per_second, burst = ctl->conf->rate_burst;

	for (size_t i = 0; i < CTL_MAX_BUCKETS; i++) {
		struct bucket *x = &ctl->buckets[i];

		if (x->used && x->uid == uid) {
			b = x;
			break;
		}
		if (!x->used || (oldest->used && x->last_ms < oldest->last_ms))
			oldest = x;
	}
	if (!b) {
		b = oldest;
		b->used = true;
		b->uid = uid;
		b->tokens = burst;
		b->last_ms = now;
	}
	b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last_ms = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (uint64_t)((1.0 - b->tokens) * 1000.0 / rate) + 1;
}

/* Handles one framed message. */
static void
handle_message(struct conn *c, const char *msg, size_t len)
{
	struct ctl *ctl = c->ctl;
	const struct dispatch_method *m;
	struct proto_fault f;
	uint64_t wait_ms;
	bool oneway;

	/* A rate-limited oneway call is dropped, so it is parsed only far enough to know that. */
	wait_ms = rate_take(ctl, c->peer.uid);
	if (wait_ms) {
		conn_fail(c, declares_oneway(msg, len), "no.fristvakt.RateLimited",
			  json_pack("{sI}", "retry_after_ms", (json_int_t)wait_ms));
		return;
	}
	if (proto_call_parse(msg, len, &c->call, &f) < 0) {
		json_t *p = json_object();

		if (strcmp(f.error, PROTO_ERR_INVALID_PARAMETER) == 0)
			json_object_set_new(p, "parameter", json_string(f.parameter));
		else
			json_object_set_new(p, "reason", json_string(f.detail));
		conn_fail(c, declares_oneway(msg, len), f.error, p);
		return;
	}
	oneway = c->call.oneway;
	m = dispatch_method_find(c->call.method, ctl->conf->clock_control);
	if (!m) {
		if (!iface_description(c->call.iface, ctl->conf->clock_control))
			conn_fail(c, oneway, PROTO_ERR_IFACE_NOT_FOUND,
				  json_pack("{ss}", "interface", c->call.iface));
		else
			conn_fail(c, oneway, PROTO_ERR_METHOD_NOT_FOUND,
				  json_pack("{ss}", "method", c->call.method));
		proto_call_deinit(&c->call);
		return;
	}
	if (c->call.upgrade) {
		conn_fail(c, oneway, PROTO_ERR_NOT_IMPLEMENTED,
			  json_pack("{ss}", "method", c->call.method));
		proto_call_deinit(&c->call);
		return;
	}
	c->busy = true;
	c->call_started = uv_hrtime();
	memset(&c->req, 0, sizeof(c->req));
	c->req.method = m;
	c->req.params = c->call.params;
	c->req.peer = c->peer;
	c->req.peer.role =
		conf_role_for(ctl->conf, (uint32_t)geteuid(), c->peer.uid, c->groups, c->n_groups);
	c->req.now = ctl->env->now(ctl->env->host);
	c->req.reply = reply_cb;
	c->req.data = c;
	dispatch_call(ctl->env, &c->req);
}

static void
process(struct conn *c)
{
	const char *msg;
	size_t len;

	c->processing = true;
	while (!c->busy && !c->closing && proto_reader_next(&c->rd, &msg, &len) == 1) {
		uv_timer_again(&c->idle);
		handle_message(c, msg, len);
	}
	c->processing = false;
	if (c->busy && !c->closing)
		uv_read_stop((uv_stream_t *)&c->pipe);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[65536];

	/* Reads are copied into the connection's reader at once; one static slab suffices. */
	(void)h;
	(void)suggested;
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void
read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = s->data;

	if (n < 0) {
		if (n != UV_EOF)
			log_debug("control: read from pid %d failed: %s", c->peer.pid,
				  uv_strerror((int)n));
		/* With writes pending the reply still goes out on a half-closed socket. */
		if (c->writes_pending && n == UV_EOF) {
			c->close_after_write = true;
			uv_read_stop(s);
		} else {
			conn_close(c);
		}
		return;
	}
	if (n == 0)
		return;
	if (proto_reader_feed(&c->rd, buf->base, (size_t)n) < 0) {
		log_notice("control: message from uid %u over %u bytes; closing", c->peer.uid,
			   c->ctl->conf->max_message);
		uv_read_stop(s);
		c->close_after_write = true;
		conn_send_error(c, "no.fristvakt.MessageTooLarge",
				json_pack("{si}", "max", (int)c->ctl->conf->max_message));
		return;
	}
	process(c);
}

/*
 * The peer's groups: its primary group, then its supplementary groups (SO_PEERGROUPS, Linux
 * 4.13+; without it only the primary group counts). A buffer that is too small is answered
 * with ERANGE and the length needed, so a peer in many groups costs a second call; the
 * length is capped at what the kernel allows a process.
 */
static void
read_groups(struct conn *c, int fd)
{
	gid_t first[CTL_FIRST_GROUPS];
	gid_t *groups = first;
	socklen_t len = sizeof(first);
	size_t n;
	int ret;

	ret = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
	if (ret < 0 && errno == ERANGE && len > sizeof(first) &&
	    len <= CTL_MAX_GROUPS * sizeof(gid_t)) {
		groups = xmalloc(len);
		ret = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
	}
	if (ret < 0) {
		if (errno != ENOPROTOOPT)
			log_notice("control: cannot read the groups of uid %u (pid %d): %s; only "
				   "its primary group counts",
				   c->peer.uid, c->peer.pid, strerror(errno));
		len = 0;
	}
	n = len / sizeof(gid_t);
	c->groups = xcalloc(n + 1, sizeof(*c->groups));
	c->groups[0] = c->peer.gid;
	for (size_t i = 0; i < n; i++)
		c->groups[i + 1] = groups[i];
	c->n_groups = n + 1;
	if (groups != first)
		free(groups);
}

static int
read_peer(struct conn *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0)
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	c->peer.uid = cred.uid;
	c->peer.gid = cred.gid;
	c->peer.pid = cred.pid;
	read_groups(c, fd);
	return 0;
}

static unsigned
conns_of_uid(const struct ctl *ctl, uint32_t uid)
{
	unsigned n = 0;

	for (const struct conn *c = ctl->conns; c; c = c->next)
		n += !c->closing && c->peer.uid == uid;
	return n;
}

static void
accept_cb(uv_stream_t *server, int status)
{
	struct ctl *ctl = server->data;
	struct conn *c;
	unsigned limit = 0;

	if (status < 0) {
		log_warn("control: accept failed: %s", uv_strerror(status));
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	proto_reader_init(&c->rd, ctl->conf->max_message);
	uv_pipe_init(ctl->loop, &c->pipe, 0);
	uv_timer_init(ctl->loop, &c->idle);
	c->pipe.data = c;
	c->idle.data = c;
	c->open_handles = 2;
	c->next = ctl->conns;
	if (ctl->conns)
		ctl->conns->prev = c;
	ctl->conns = c;
	ctl->n_conns++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0 || read_peer(c) < 0) {
		conn_close(c);
		return;
	}
	if (ctl->n_conns > ctl->conf->max_connections)
		limit = ctl->conf->max_connections;
	else if (conns_of_uid(ctl, c->peer.uid) > ctl->conf->max_connections_per_uid)
		limit = ctl->conf->max_connections_per_uid;
	if (limit) {
		log_notice("control: refusing a connection of uid %u: too many connections",
			   c->peer.uid);
		c->close_after_write = true;
		conn_send_error(c, "no.fristvakt.TooManyConnections",
				json_pack("{si}", "max", (int)limit));
		return;
	}
	uv_timer_start(&c->idle, idle_expired, ctl->conf->idle_timeout_ms,
		       ctl->conf->idle_timeout_ms);
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}

/* Removes a stale socket file left by a daemon that died; refuses a live one. */
static int
clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "another daemon is already listening on %s", path);
		ret = -EADDRINUSE;
	} else if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path,
			 strerror(errno));
	}
	close(fd);
	return ret;
}

static int
listen_path(struct ctl *ctl, const struct conf *conf, char *err, size_t errlen)
{
	char *dir = xstrdup(conf->socket);
	char *slash = strrchr(dir, '/');
	mode_t old;
	int ret;

	if (slash && slash != dir) {
		*slash = '\0';
		/* Group members must reach the socket: the directory is 0750 when we make it. */
		ret = fv_mkdir_p(dir, 0750);
		if (ret < 0) {
			snprintf(err, errlen, "cannot create the directory of %s: %s", conf->socket,
				 strerror(-ret));
			goto out;
		}
	}
	if ((ret = clear_stale(conf->socket, err, errlen)) < 0)
		goto out;
	/* No window in which the socket is more open than configured. */
	old = umask(0777 & ~(conf->socket_mode & 0770));
	ret = uv_pipe_bind(&ctl->listener, conf->socket);
	umask(old);
	if (ret < 0) {
		snprintf(err, errlen, "cannot bind %s: %s", conf->socket, uv_strerror(ret));
		ret = -EADDRNOTAVAIL;
		goto out;
	}
	ctl->bound_path = true;
	if (chmod(conf->socket, conf->socket_mode) < 0 ||
	    (conf->has_socket_group && chown(conf->socket, (uid_t)-1, conf->socket_gid) < 0)) {
		ret = -errno;
		snprintf(err, errlen, "cannot set the mode or group of %s: %s", conf->socket,
			 strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(dir);
	return ret;
}

/* The name a socket is bound to: its path, "@name" for an abstract one. Returned owned. */
static char *
socket_name(int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	char buf[sizeof(sa.sun_path) + 2];
	size_t n;

	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return xstrdup("(an unnamed socket)");
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof(sa.sun_path))
		n = sizeof(sa.sun_path);
	if (sa.sun_path[0] == '\0')
		snprintf(buf, sizeof(buf), "@%.*s", (int)(n - 1), sa.sun_path + 1);
	else
		snprintf(buf, sizeof(buf), "%.*s", (int)n, sa.sun_path);
	return xstrdup(buf);
}

/*
 * Takes over the socket systemd passed. It must be what fristvaktd.socket makes: a listening
 * unix stream socket. Anything else (a TCP or datagram socket from a wrong ListenStream= or
 * ListenDatagram=, a stray fd) is refused here rather than served: SO_PEERCRED, and so the
 * whole access control, exists only on unix sockets.
 */
static int
use_passed_socket(struct ctl *ctl, const struct conf *conf, int fd, char *err, size_t errlen)
{
	int ret = sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0);

	if (ret < 0) {
		snprintf(err, errlen, "cannot inspect the socket passed by systemd (fd %d): %s", fd,
			 strerror(-ret));
		return ret;
	}
	if (ret == 0) {
		snprintf(err, errlen,
			 "the socket passed by systemd (fd %d) is not a listening unix stream "
			 "socket; the socket unit needs ListenStream=/path and Accept=no",
			 fd);
		return -ENOTSOCK;
	}
	free(ctl->path);
	ctl->path = socket_name(fd);
	ret = uv_pipe_open(&ctl->listener, fd);
	if (ret < 0) {
		snprintf(err, errlen, "cannot use the socket %s passed by systemd: %s", ctl->path,
			 uv_strerror(ret));
		return ret;
	}
	log_info("control: listening on %s (passed by systemd)", ctl->path);
	/* The CLI finds the socket through the configuration. */
	if (strcmp(ctl->path, conf->socket) != 0)
		log_notice(
			"control: systemd passed %s, not control.socket %s of the configuration; "
			"fristvakt needs --socket %s",
			ctl->path, conf->socket, ctl->path);
	return 0;
}

int
ctl_start(uv_loop_t *loop, const struct conf *conf, struct ops_env *env, struct ctl **out,
	  char *err, size_t errlen)
{
	struct ctl *ctl = xcalloc(1, sizeof(*ctl));
	int n, ret;

	ctl->loop = loop;
	ctl->conf = conf;
	ctl->env = env;
	ctl->path = xstrdup(conf->socket);
	uv_pipe_init(loop, &ctl->listener, 0);
	ctl->listener.data = ctl;
	uv_timer_init(loop, &ctl->drain);
	ctl->drain.data = ctl;
	n = sd_listen_fds(1);
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets; expected one", n);
		ret = -EINVAL;
		goto fail;
	}
	if (n < 0) {
		snprintf(err, errlen, "cannot read the sockets passed by systemd: %s",
			 strerror(-n));
		ret = n;
		goto fail;
	}
	if (n == 1)
		ret = use_passed_socket(ctl, conf, SD_LISTEN_FDS_START, err, errlen);
	else
		ret = listen_path(ctl, conf, err, errlen);
	if (ret < 0)
		goto fail;
	ret = uv_listen((uv_stream_t *)&ctl->listener, 128, accept_cb);
	if (ret < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", ctl->path, uv_strerror(ret));
		goto fail;
	}
	*out = ctl;
	return 0;
fail:
	/* The loop has not run: closing the listener and running once frees it. */
	ctl->stopping = true;
	ctl_stop(ctl);
	uv_run(loop, UV_RUN_DEFAULT);
	*out = NULL;
	return ret < 0 ? ret : -EIO;
}

void
ctl_set_conf(struct ctl *ctl, const struct conf *conf)
{
	ctl->conf = conf;
}

unsigned
ctl_connections(const struct ctl *ctl)
{
	return ctl->n_conns;
}

const char *
ctl_socket_path(const struct ctl *ctl)
{
	return ctl->path;
}

static void
listener_closed(uv_handle_t *h)
{
	struct ctl *ctl = h->data;

	ctl->listener_closed = true;
	maybe_free_ctl(ctl);
}

static void
drain_closed(uv_handle_t *h)
{
	struct ctl *ctl = h->data;

	ctl->drain_closed = true;
	maybe_free_ctl(ctl);
}

static void
drain_expired(uv_timer_t *t)
{
	struct ctl *ctl = t->data;

	for (struct conn *c = ctl->conns; c; c = c->next)
		conn_close(c);
}

void
ctl_stop(struct ctl *ctl)
{
	ctl->stopping = true;
	/* Replies already written out still reach their clients; give them a moment. */
	for (struct conn *c = ctl->conns; c; c = c->next) {
		if (c->writes_pending && !c->closing) {
			c->close_after_write = true;
			uv_read_stop((uv_stream_t *)&c->pipe);
			uv_timer_stop(&c->idle);
		} else {
			conn_close(c);
		}
	}
	uv_timer_start(&ctl->drain, drain_expired, CTL_DRAIN_MS, 0);
	uv_unref((uv_handle_t *)&ctl->drain);
	uv_close((uv_handle_t *)&ctl->listener, listener_closed);
	maybe_free_ctl(ctl);
}
