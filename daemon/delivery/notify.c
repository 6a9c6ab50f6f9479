// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * notify: one attempt to deliver one message on one channel (see notify.h). What differs
 * between channel types is in each type's file, behind its struct channel_ops row
 * (notify_impl.h); this file is what they share.
 *
 * Wiring (the usual way to drive a curl multi handle from libuv, with two rules learnt the
 * hard way: always drain curl_multi_info_read, and pass poll errors on as
 * CURL_CSELECT_ERR): one CURLM for
 * the notifier's life. curl's socket callback keeps one uv_poll_t per socket, remembered
 * with curl_multi_assign() (and in a list of our own, which shutdown walks); its timer
 * callback only arms one uv_timer_t. The poll and timer callbacks call
 * curl_multi_socket_action() and then always drain curl_multi_info_read(); a finished easy
 * handle is removed there, after socket_action returned, never inside a curl callback.
 *
 * A type whose transfer must not run on the loop (CHANNEL_RUN_THREAD: SMTP, see smtp.c)
 * gets curl_easy_perform() on a thread of its own (at most the channel's concurrency of
 * them), with all signals blocked, touching nothing but its job; it reports through a
 * uv_async_t, and the loop joins it. notify_stop() asks those threads to give up through
 * the progress callback, which libcurl calls at least once a second, also while it waits
 * for a reply.
 *
 * Easy handles of transfers on the multi handle are kept for the next ones. A transfer that
 * curl finished with CURLE_OK, once removed from the multi handle, puts its handle on a free
 * list (at most the channels' concurrency summed, NOTIFY_IDLE_CAP at most), reset with
 * curl_easy_reset() at once so that an idle handle holds no pointer into a freed job;
 * job_start takes one from there before it makes a new one. Callgrind over 2,000 webhooks:
 * making and freeing a handle per request cost about 13 k of a delivery's 620 k
 * instructions, a reset costs 3 k. What a reset keeps is harmless: connections and the DNS
 * cache are the multi handle's anyway, and a kept handle's TLS session cache may resume a
 * session with the same receiver on a new connection (keyed by host, port and TLS
 * settings). What a job hands to curl (CURLOPT_PRIVATE, its header list, its buffers) stays
 * the job's: each start() sets it anew, and it is freed with the job. Every other end (a
 * failed transfer, one that could not be set up, one withdrawn by notify_drain() or
 * notify_stop()) cleans its handle up; so do notify_stop() with the free list and a reload
 * with the handles beyond a lower bound. Threaded transfers (SMTP) take a new handle and
 * clean it up on their thread, as before: one message per connection, whose end may wait
 * for the relay.
 *
 * A job's result goes to a done list that a uv_idle_t drains on the next loop turn, so the
 * caller's callback never runs inside notify_send() or inside curl, and the caller may
 * call notify_send() or notify_stop() from it. Each channel name has a lane: the number of
 * transfers in flight and a FIFO of the jobs waiting for a slot.
 *
 * Shutdown (notify_stop): remove and clean up every easy handle, curl_multi_cleanup (which
 * may still call the socket callback), tell the transfer threads to give up, report
 * NOTIFY_ABORTED for every job not yet reported (a threaded transfer that completed
 * meanwhile reports its real outcome), and once the last thread is joined close every uv
 * handle and call the owner's done after the last close callback ran.
 */
#include "delivery/notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>

#include <curl/curl.h>

#include "delivery/notify_impl.h"
#include "core/log.h"
#include "core/util.h"

/* The most idle easy handles kept for reuse, whatever the channels' concurrency. */
#define NOTIFY_IDLE_CAP 64

/* The channel types' rows, by enum conf_channel_type (conf.h lists them). */
#define CHANNEL_ROW(TYPE, name, mail) [CONF_CHANNEL_##TYPE] = &channel_##name,
static const struct channel_ops *const channel_types[] = { CONF_CHANNEL_TYPES(CHANNEL_ROW) };
#undef CHANNEL_ROW

/* The row of type, or NULL for a type without one. */
static const struct channel_ops *
channel_ops_of(enum conf_channel_type type)
{
	if ((size_t)type >= sizeof(channel_types) / sizeof(channel_types[0]))
		return NULL;
	return channel_types[type];
}

/* Concurrency per channel name; survives reconfiguration. */
struct lane {
	struct lane *next;
	char *name;
	unsigned running;
	struct job *head, *tail; /* waiting for a slot, oldest first */
	/* A receiver answered 410: nothing more starts until notify_drain() (the caller
	 * disables the channel and withdraws what waits). */
	bool gone;
};

/* One socket curl asked us to watch. */
struct sock {
	uv_poll_t poll;
	struct notify *n;
	curl_socket_t fd;
	CURL *easy;		  /* the transfer that asked last (compared, never dereferenced) */
	struct sock *prev, *next; /* in notify.socks until closed */
};

struct notify {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer; /* curl's timeout */
	uv_idle_t kick;	  /* delivers the done list */
	uv_async_t async; /* a transfer thread finished */
	uv_mutex_t lock;  /* guards finished */
	struct job *finished;
	atomic_bool aborting; /* transfer threads: give up */
	unsigned threads;     /* transfer threads not joined yet */
	struct chan **chans;
	size_t n_chans;
	struct lane *lanes;
	struct job *running;
	struct job *done_head, *done_tail;
	struct sock *socks;
	/* Easy handles reset for the next transfer on multi, newest last; idle_max at most. */
	CURL *idle[NOTIFY_IDLE_CAP];
	unsigned n_idle, idle_max;
	unsigned pending;
	unsigned open_handles; /* initialised uv handles whose close callback has not run */
	bool stopping, closing, finished_all;
	void (*stop_done)(void *arg);
	void *stop_arg;
};

/* ---- Shared by the channel types (the rest is in common.c) ---- */

int64_t
notify_job_now(const struct job *j)
{
	uint64_t now_ms = uv_now(j->n->loop);

	return j->now + (int64_t)((now_ms - j->sent_ms) / 1000);
}

/* ---- Channels and lanes ---- */

static struct chan *
chan_new(const struct conf_channel *c)
{
	struct chan *ch = xcalloc(1, sizeof(*ch));

	ch->refs = 1;
	conf_channel_copy(&ch->c, c);
	return ch;
}

static void
chan_unref(struct chan *ch)
{
	if (!ch || --ch->refs > 0)
		return;
	conf_channel_clear(&ch->c);
	free(ch);
}

static struct chan *
chan_find(const struct notify *n, const char *name)
{
	for (size_t i = 0; i < n->n_chans; i++) {
		if (strcmp(n->chans[i]->c.name, name) == 0)
			return n->chans[i];
	}
	return NULL;
}

static struct lane *
lane_get(struct notify *n, const char *name)
{
	struct lane *l;

	for (l = n->lanes; l; l = l->next) {
		if (strcmp(l->name, name) == 0)
			return l;
	}
	l = xcalloc(1, sizeof(*l));
	l->name = xstrdup(name);
	l->next = n->lanes;
	n->lanes = l;
	return l;
}

/* The lane's limit: the channel's current setting, else the one its oldest job has. */
static unsigned
lane_limit(const struct notify *n, const struct lane *l)
{
	const struct chan *ch = chan_find(n, l->name);

	if (!ch)
		ch = l->head ? l->head->chan : NULL;
	return ch && ch->c.concurrency ? ch->c.concurrency : 1;
}

/* ---- Jobs ---- */

static void
job_free(struct job *j)
{
	if (!j)
		return;
	FV_ASSERT(!j->easy);
	chan_unref(j->chan);
	free(j->id);
	free(j->thread);
	free(j->topic);
	free(j->subject);
	free(j->text);
	for (size_t i = 0; i < j->n_to; i++)
		free(j->to[i]);
	free(j->to);
	free(j->payload);
	free(j->retry_after);
	free(j);
}

static void kick_cb(uv_idle_t *h);

/* Puts a finished job on the done list, reported on the next loop turn. */
static void
job_done(struct job *j)
{
	struct notify *n = j->n;

	j->next = NULL;
	if (n->done_tail)
		n->done_tail->next = j;
	else
		n->done_head = j;
	n->done_tail = j;
	if (!n->closing)
		uv_idle_start(&n->kick, kick_cb);
}

/*
 * An easy handle for j's transfer: a kept one (reset when it was put back) for a transfer on
 * the multi handle, else a new one; NULL when there is no memory.
 */
static CURL *
easy_take(struct notify *n, const struct job *j)
{
	if (j->ops->run == CHANNEL_RUN_MULTI && n->n_idle > 0)
		return n->idle[--n->n_idle];
	return curl_easy_init();
}

/*
 * Releases the transfer's curl state; the job's result stays. keep: the handle finished a
 * transfer and is out of the multi handle, so it is reset and kept when there is room.
 */
static void
job_release(struct job *j, bool keep)
{
	struct notify *n = j->n;

	if (j->easy && keep && n->n_idle < n->idle_max) {
		curl_easy_reset(j->easy);
		n->idle[n->n_idle++] = j->easy;
	} else if (j->easy) {
		curl_easy_cleanup(j->easy);
	}
	j->easy = NULL;
	curl_slist_free_all(j->slist);
	j->slist = NULL;
}

/* Cleans up idle handles beyond max. */
static void
idle_trim(struct notify *n, unsigned max)
{
	while (n->n_idle > max)
		curl_easy_cleanup(n->idle[--n->n_idle]);
}

/* CURLOPT_XFERINFOFUNCTION of threaded transfers (on their thread): non-zero aborts. */
static int
progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct job *j = ud;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&j->n->aborting) ? 1 : 0;
}

/* On a threaded job's own thread: the whole transfer, then a note to the loop. */
static void
transfer_thread(void *arg)
{
	struct job *j = arg;
	struct notify *n = j->n;

	j->t_rc = curl_easy_perform(j->easy);
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->t_code);
	/* Here too: closing the connection may wait for the peer (SMTP: the reply to QUIT). */
	curl_easy_cleanup(j->easy);
	j->easy = NULL;
	uv_mutex_lock(&n->lock);
	j->next = n->finished;
	n->finished = j;
	uv_mutex_unlock(&n->lock);
	uv_async_send(&n->async);
}

/*
 * Starts j's transfer on a new thread that receives no signals and gives up when the
 * notifier stops: 0, or a uv error (a curl error is reported as UV_EINVAL with the job's
 * result set).
 */
static int
thread_start(struct job *j)
{
	CURLcode rc = CURLE_OK;
	sigset_t all, old;
	int err;

	NOTIFY_SET(rc, j->easy, CURLOPT_NOPROGRESS, 0L);
	NOTIFY_SET(rc, j->easy, CURLOPT_XFERINFOFUNCTION, progress_cb);
	NOTIFY_SET(rc, j->easy, CURLOPT_XFERINFODATA, j);
	if (rc != CURLE_OK) {
		notify_job_curl(j, NOTIFY_RETRY, 0, rc);
		return UV_EINVAL;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = uv_thread_create(&j->tid, transfer_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err < 0) {
		notify_job_set(j, NOTIFY_RETRY, 0, "cannot start a thread: %s", uv_strerror(err));
		return err;
	}
	j->threaded = true;
	j->n->threads++;
	return 0;
}

/* Hands j's transfer (set up) to the multi handle or a thread: 0, or -1 with the result set. */
static int
transfer_run(struct job *j)
{
	CURLMcode mc;

	if (j->ops->run == CHANNEL_RUN_THREAD)
		return thread_start(j) < 0 ? -1 : 0;
	mc = curl_multi_add_handle(j->n->multi, j->easy);
	if (mc != CURLM_OK) {
		notify_job_set(j, NOTIFY_RETRY, 0, "%s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

/*
 * Starts j's attempt: true when a transfer is now in flight, false when the job already
 * finished (a type without a transfer, such as the log, or a transfer that could not be
 * set up) and is on the done list.
 */
static bool
job_start(struct job *j)
{
	struct notify *n = j->n;
	CURLcode rc;

	if (j->ops->run == CHANNEL_RUN_INLINE) {
		j->ops->start(j);
		job_done(j);
		return false;
	}
	j->easy = easy_take(n, j);
	rc = j->easy ? j->ops->start(j) : CURLE_OUT_OF_MEMORY;
	if (rc != CURLE_OK)
		notify_job_curl(j, NOTIFY_RETRY, 0, rc);
	if (rc != CURLE_OK || transfer_run(j) < 0) {
		job_release(j, false);
		job_done(j);
		return false;
	}
	j->run_prev = NULL;
	j->run_next = n->running;
	if (n->running)
		n->running->run_prev = j;
	n->running = j;
	return true;
}

static void
running_unlink(struct job *j)
{
	struct notify *n = j->n;

	if (j->run_prev)
		j->run_prev->run_next = j->run_next;
	else
		n->running = j->run_next;
	if (j->run_next)
		j->run_next->run_prev = j->run_prev;
	j->run_prev = j->run_next = NULL;
}

/* Starts waiting jobs of l while it has free slots. */
static void
lane_pump(struct notify *n, struct lane *l)
{
	while (!n->stopping && !l->gone && l->head && l->running < lane_limit(n, l)) {
		struct job *j = l->head;

		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
		j->next = NULL;
		l->running++;
		if (!job_start(j))
			l->running--;
	}
}

/*
 * A transfer in flight finished with j->result set: report it, free its slot. keep: its
 * handle may serve another transfer (job_release).
 */
static void
transfer_finish(struct notify *n, struct job *j, bool keep)
{
	log_debug("notify: %s %s: %s%s%s", j->chan->c.name, j->id,
		  j->result.status == NOTIFY_OK ? "delivered" : "not delivered",
		  j->result.detail[0] ? ": " : "", j->result.detail);
	job_release(j, keep);
	running_unlink(j);
	j->lane->running--;
	if (j->result.status == NOTIFY_GONE)
		j->lane->gone = true;
	job_done(j);
	lane_pump(n, j->lane);
}

/* A transfer ended (called after socket_action returned, with the message copied out). */
static void
transfer_done(struct notify *n, CURL *e, CURLcode rc)
{
	struct job *j = NULL;
	char *priv = NULL;
	long code = 0;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	j = (struct job *)priv;
	FV_ASSERT(j && j->easy == e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(n->multi, e);
	j->ops->classify(j, rc, code);
	/* Only a transfer that went well leaves a handle whose state is beyond doubt. */
	transfer_finish(n, j, rc == CURLE_OK);
}

/* The loop's side of finished transfer threads: join, classify, report. */
static void
async_cb(uv_async_t *h)
{
	struct notify *n = h->data;
	struct job *list;

	uv_mutex_lock(&n->lock);
	list = n->finished;
	n->finished = NULL;
	uv_mutex_unlock(&n->lock);
	while (list) {
		struct job *j = list;

		list = j->next;
		j->next = NULL;
		uv_thread_join(&j->tid);
		j->threaded = false;
		FV_ASSERT(n->threads > 0);
		n->threads--;
		if (j->t_rc == CURLE_ABORTED_BY_CALLBACK)
			notify_job_set(j, NOTIFY_ABORTED, 0,
				       "the notifier stopped during the transfer");
		else
			j->ops->classify(j, j->t_rc, j->t_code);
		/* The thread cleaned its handle up. */
		transfer_finish(n, j, false);
	}
	/* The last thread of a stopping notifier: the handles may close now. */
	if (n->stopping && n->threads == 0)
		uv_idle_start(&n->kick, kick_cb);
}

/* Reports every finished transfer; always called after curl_multi_socket_action(). */
static void
drain(struct notify *n)
{
	CURLMsg *msg;
	int left;

	while (n->multi && (msg = curl_multi_info_read(n->multi, &left))) {
		CURL *e = msg->easy_handle;
		CURLcode rc = msg->data.result;

		if (msg->msg == CURLMSG_DONE)
			transfer_done(n, e, rc);
	}
}

/* ---- curl on libuv ---- */

static void
close_cb(uv_handle_t *h)
{
	struct notify *n;

	if (h->type == UV_POLL) {
		struct sock *k = h->data;

		n = k->n;
		free(k);
	} else {
		n = h->data;
	}
	FV_ASSERT(n->open_handles > 0);
	n->open_handles--;
	if (n->closing && n->open_handles == 0 && !n->finished_all) {
		n->finished_all = true;
		/* Last: done may free n. */
		n->stop_done(n->stop_arg);
	}
}

static void
sock_close(struct sock *k)
{
	struct notify *n = k->n;

	if (k->prev)
		k->prev->next = k->next;
	else
		n->socks = k->next;
	if (k->next)
		k->next->prev = k->prev;
	k->prev = k->next = NULL;
	uv_poll_stop(&k->poll);
	uv_close((uv_handle_t *)&k->poll, close_cb);
}

static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct sock *k = h->data;
	struct notify *n = k->n;
	int flags = 0, running;

	if (!n->multi)
		return;
	/* libuv 1.44 reports an epoll error as UV_EBADF and stops polling: tell curl. */
	if (status < 0) {
		flags = CURL_CSELECT_ERR;
	} else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	curl_multi_socket_action(n->multi, k->fd, flags, &running);
	drain(n);
}

/* CURLMOPT_SOCKETFUNCTION: no curl calls but curl_multi_assign, no frees (uv_close). */
static int
socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct notify *n = userp;
	struct sock *k = socketp;
	int events = 0, rc;

	(void)e;
	if (!k) {
		/* curl_multi_assign() may be refused inside the callback in some versions. */
		for (k = n->socks; k && k->fd != fd; k = k->next)
			;
	}
	if (what == CURL_POLL_REMOVE) {
		if (k)
			sock_close(k);
		return 0;
	}
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		rc = uv_poll_init_socket(n->loop, &k->poll, fd);
		if (rc < 0) {
			/* The transfer then runs into its timeout and is retried. */
			log_err("notify: cannot watch socket %d: %s", (int)fd, uv_strerror(rc));
			free(k);
			return 0;
		}
		n->open_handles++;
		k->poll.data = k;
		k->n = n;
		k->fd = fd;
		k->next = n->socks;
		if (n->socks)
			n->socks->prev = k;
		n->socks = k;
		curl_multi_assign(n->multi, fd, k);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	rc = uv_poll_start(&k->poll, events, poll_cb);
	if (rc < 0)
		log_err("notify: cannot watch socket %d: %s", (int)fd, uv_strerror(rc));
	return 0;
}

static void
timer_cb(uv_timer_t *h)
{
	struct notify *n = h->data;
	int running;

	if (!n->multi)
		return;
	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain(n);
}

/* CURLMOPT_TIMERFUNCTION: only arms the uv timer (even for 0: never act from here). */
static int
timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct notify *n = userp;

	(void)multi;
	if (n->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&n->timer);
	else
		uv_timer_start(&n->timer, timer_cb, (uint64_t)timeout_ms, 0);
	return 0;
}

static void
start_close(struct notify *n)
{
	n->closing = true;
	while (n->socks)
		sock_close(n->socks);
	uv_timer_stop(&n->timer);
	uv_close((uv_handle_t *)&n->timer, close_cb);
	uv_idle_stop(&n->kick);
	uv_close((uv_handle_t *)&n->kick, close_cb);
	uv_close((uv_handle_t *)&n->async, close_cb);
}

/* Reports the jobs done before this turn; new ones wait for the next turn. */
static void
kick_cb(uv_idle_t *h)
{
	struct notify *n = h->data;
	struct job *list = n->done_head;

	n->done_head = n->done_tail = NULL;
	while (list) {
		struct job *j = list;

		list = j->next;
		FV_ASSERT(n->pending > 0);
		n->pending--;
		j->cb(j->arg, &j->result);
		job_free(j);
	}
	if (n->done_head)
		return;
	uv_idle_stop(&n->kick);
	/* Transfer threads still running report through async_cb, which kicks again. */
	if (n->stopping && !n->closing && n->threads == 0)
		start_close(n);
}

/* ---- What notify.h offers ---- */

int
notify_new(uv_loop_t *loop, struct notify **out)
{
	struct notify *n = xcalloc(1, sizeof(*n));

	*out = NULL;
	n->loop = loop;
	n->multi = curl_multi_init();
	if (!n->multi) {
		free(n);
		return -ENOMEM;
	}
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	uv_timer_init(loop, &n->timer);
	n->timer.data = n;
	uv_idle_init(loop, &n->kick);
	n->kick.data = n;
	uv_async_init(loop, &n->async, async_cb);
	n->async.data = n;
	uv_mutex_init(&n->lock);
	atomic_init(&n->aborting, false);
	n->open_handles = 3;
	*out = n;
	return 0;
}

/*
 * How many idle easy handles n keeps for conf: as many as its channels' transfers on the
 * multi handle can be in flight at once, NOTIFY_IDLE_CAP at most; none once stopping.
 */
static unsigned
idle_bound(const struct notify *n, const struct conf *conf)
{
	unsigned sum = 0;

	if (n->stopping)
		return 0;
	for (size_t i = 0; i < conf->n_channels; i++) {
		const struct conf_channel *c = &conf->channels[i];
		const struct channel_ops *ops = channel_ops_of(c->type);

		if (ops && ops->run == CHANNEL_RUN_MULTI)
			sum += c->concurrency ? c->concurrency : 1;
	}
	return sum < NOTIFY_IDLE_CAP ? sum : NOTIFY_IDLE_CAP;
}

void
notify_configure(struct notify *n, const struct conf *conf)
{
	struct chan **chans = xcalloc(conf->n_channels ? conf->n_channels : 1, sizeof(*chans));

	n->idle_max = idle_bound(n, conf);
	idle_trim(n, n->idle_max);
	webhook_forget_keys();
	for (size_t i = 0; i < conf->n_channels; i++)
		chans[i] = chan_new(&conf->channels[i]);
	for (size_t i = 0; i < n->n_chans; i++)
		chan_unref(n->chans[i]);
	free(n->chans);
	n->chans = chans;
	n->n_chans = conf->n_channels;
	/* Limits may have grown. */
	for (struct lane *l = n->lanes; l; l = l->next)
		lane_pump(n, l);
}

/* Whether m can go out on a channel whose type has the row ops. */
static bool
msg_valid(const struct notify_msg *m, const struct channel_ops *ops)
{
	if (!m || !notify_atom_valid(m->id) || (m->thread && !notify_atom_valid(m->thread)) ||
	    !notify_utf8_ok(m->subject) || !notify_utf8_ok(m->text))
		return false;
	return !ops->msg_valid || ops->msg_valid(m);
}

/* A new job of m on ch (m valid), with what every type copies; NULL when the type refuses. */
static struct job *
job_new(struct notify *n, struct chan *ch, const struct channel_ops *ops,
	const struct notify_msg *m)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->n = n;
	j->chan = ch;
	ch->refs++;
	j->ops = ops;
	j->id = xstrdup(m->id);
	j->thread = m->thread ? xstrdup(m->thread) : NULL;
	j->topic = m->topic ? xstrdup(m->topic) : NULL;
	j->subject = m->subject ? xstrdup(m->subject) : NULL;
	j->text = m->text ? xstrdup(m->text) : NULL;
	j->result.retry_after = -1;
	if (ops->accept && ops->accept(j, m) < 0) {
		job_free(j);
		return NULL;
	}
	return j;
}

int
notify_send(struct notify *n, const char *channel, const struct notify_msg *m, int64_t now,
	    notify_done_cb cb, void *arg)
{
	const struct channel_ops *ops;
	struct chan *ch;
	struct lane *l;
	struct job *j;

	FV_ASSERT(cb);
	if (n->stopping)
		return -ESHUTDOWN;
	ch = chan_find(n, channel);
	if (!ch)
		return -ENOENT;
	ops = channel_ops_of(ch->c.type);
	if (!ops || !msg_valid(m, ops))
		return -EINVAL;
	j = job_new(n, ch, ops, m);
	if (!j)
		return -EINVAL;
	j->cb = cb;
	j->arg = arg;
	j->now = now;
	j->sent_ms = uv_now(n->loop);
	l = lane_get(n, channel);
	j->lane = l;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	n->pending++;
	lane_pump(n, l);
	return 0;
}

unsigned
notify_pending(const struct notify *n)
{
	return n->pending;
}

void
notify_stop(struct notify *n, void (*done)(void *arg), void *arg)
{
	FV_ASSERT(!n->stopping && done);
	n->stopping = true;
	n->stop_done = done;
	n->stop_arg = arg;
	/* Transfer threads give up at their next progress call and report through async_cb. */
	atomic_store(&n->aborting, true);
	for (struct job *j = n->running, *next; j; j = next) {
		next = j->run_next;
		if (j->threaded)
			continue;
		running_unlink(j);
		curl_multi_remove_handle(n->multi, j->easy);
		job_release(j, false);
		j->lane->running--;
		notify_job_set(j, NOTIFY_ABORTED, 0, "the notifier stopped during the transfer");
		j->result.retry_after = -1;
		job_done(j);
	}
	for (struct lane *l = n->lanes; l; l = l->next) {
		while (l->head) {
			struct job *j = l->head;

			l->head = j->next;
			notify_job_set(j, NOTIFY_ABORTED, 0,
				       "the notifier stopped before the transfer");
			job_done(j);
		}
		l->tail = NULL;
	}
	/* No handle is kept from now on. */
	n->idle_max = 0;
	idle_trim(n, 0);
	/* It may call socket_cb (CURL_POLL_REMOVE) for connections in its cache. */
	curl_multi_cleanup(n->multi);
	n->multi = NULL;
	uv_timer_stop(&n->timer);
	while (n->socks)
		sock_close(n->socks);
	/* The done list is reported, then the handles close (kick_cb). */
	uv_idle_start(&n->kick, kick_cb);
}

unsigned
notify_drain(struct notify *n, const char *channel)
{
	unsigned drained = 0;

	if (n->stopping)
		return 0;
	/* Transfers in flight on the multi handle (webhooks): removed before more of them go out. */
	for (struct job *j = n->running, *next; j; j = next) {
		next = j->run_next;
		if (j->threaded || strcmp(j->lane->name, channel) != 0)
			continue;
		running_unlink(j);
		curl_multi_remove_handle(n->multi, j->easy);
		job_release(j, false);
		j->lane->running--;
		notify_job_set(j, NOTIFY_ABORTED, 0,
			       "the channel was disabled during the transfer");
		j->result.retry_after = -1;
		j->result.started = true;
		job_done(j);
		drained++;
	}
	for (struct lane *l = n->lanes; l; l = l->next) {
		if (strcmp(l->name, channel) != 0)
			continue;
		while (l->head) {
			struct job *j = l->head;

			l->head = j->next;
			notify_job_set(j, NOTIFY_ABORTED, 0,
				       "the channel was disabled before the transfer");
			job_done(j);
			drained++;
		}
		l->tail = NULL;
		l->gone = false;
	}
	return drained;
}

void
notify_free(struct notify *n)
{
	if (!n)
		return;
	FV_ASSERT(n->finished_all && n->n_idle == 0);
	webhook_forget_keys();
	uv_mutex_destroy(&n->lock);
	for (size_t i = 0; i < n->n_chans; i++)
		chan_unref(n->chans[i]);
	free(n->chans);
	while (n->lanes) {
		struct lane *l = n->lanes;

		n->lanes = l->next;
		free(l->name);
		free(l);
	}
	free(n);
}
