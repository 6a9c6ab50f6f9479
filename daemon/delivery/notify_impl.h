/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify_impl: what the notifier (delivery/notify.c) shares with the channel types
 * (delivery/log.c, webhook.c, smtp.c), and with nothing else. Everyone else sees
 * delivery only through notify.h.
 *
 * A channel type is one row, a struct channel_ops, in a file of its own: whether a message
 * can go out on it, what it copies of the message, how an attempt starts, and what the
 * answer means. notify.c picks the row by the channel's conf type (CONF_CHANNEL_TYPES)
 * and keeps all that the types share: the lanes and their queues, the curl multi handle
 * driven by the loop, the transfer threads, the done list and the callbacks.
 *
 * A new channel type: its file here with its row, its line in CONF_CHANNEL_TYPES and its
 * reader in conf/channels.c.
 */
#ifndef FV_NOTIFY_IMPL_H
#define FV_NOTIFY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <uv.h>

#include "conf/conf.h"
#include "delivery/notify.h"

/* The longest message id and thread (an RFC 5322 dot-atom). */
#define NOTIFY_ID_MAX 256

/* A channel's settings, shared by the jobs sent on it and freed with the last of them. */
struct chan {
	unsigned refs;
	struct conf_channel c;
};

struct lane;

/* One message on one channel, from notify_send() until its callback ran. */
struct job {
	struct job *next;		 /* in the lane's FIFO or the done list */
	struct job *run_prev, *run_next; /* in notify.running while in flight */
	struct notify *n;
	struct lane *lane;
	struct chan *chan;
	const struct channel_ops *ops; /* the row of the channel's type */
	notify_done_cb cb;
	void *arg;
	int64_t now;	  /* unix seconds at notify_send() */
	uint64_t sent_ms; /* uv_now() at notify_send() */
	char *id, *thread, *topic, *subject, *text;
	char **to; /* copied by the types that use addresses (smtp) */
	size_t n_to;
	char *payload; /* what the transfer sends (webhook: the JSON; smtp: the message) */
	size_t payload_len, payload_off;
	CURL *easy;
	/* A list the transfer hands to curl (webhook: the headers; smtp: the recipients). */
	struct curl_slist *slist;
	char *retry_after; /* the Retry-After value of the last response, or NULL */
	/* A threaded transfer: its thread, and what it found (read after the join). */
	bool threaded;
	uv_thread_t tid;
	CURLcode t_rc;
	long t_code;
	char errbuf[CURL_ERROR_SIZE];
	/* Webhooks: how many times libcurl wrote the request (more than once when it re-sent
	 * it on a new connection after a kept-alive one was closed under it). */
	unsigned sends;
	struct notify_result result;
};

/* Where a channel type's attempt runs once start() set it up. */
enum channel_run {
	CHANNEL_RUN_INLINE, /* nowhere: start() finished the attempt and set the result */
	CHANNEL_RUN_MULTI,  /* on the notifier's curl multi handle, driven by the loop */
	CHANNEL_RUN_THREAD, /* curl_easy_perform() on a thread of its own (all signals blocked) */
};

/* A channel type. Every function runs on the loop, none may block. */
struct channel_ops {
	enum channel_run run;
	/*
	 * Whether m can go out on a channel of this type, beyond what every channel checks
	 * (id, thread and UTF-8 of subject and text). NULL: every message can.
	 */
	bool (*msg_valid)(const struct notify_msg *m);
	/*
	 * Copies what the type needs of m (valid) into the new job j, beyond what every job
	 * copies (id, thread, topic, subject, text): 0, or -EINVAL when it cannot (the
	 * message is refused). NULL: nothing more.
	 */
	int (*accept)(struct job *j, const struct notify_msg *m);
	/*
	 * Starts j's attempt. CHANNEL_RUN_INLINE: does the whole attempt and sets j->result;
	 * returns CURLE_OK. Otherwise j->easy is a handle without options (a new one, or for
	 * CHANNEL_RUN_MULTI one that curl_easy_reset() cleared after an earlier transfer): sets
	 * it up (with notify_easy_common() among the rest) and returns CURLE_OK, or a curl error
	 * with the reason in j->errbuf when it has one; the notifier then runs the transfer.
	 */
	CURLcode (*start)(struct job *j);
	/*
	 * Sets j->result from the transfer's outcome: rc, and code, the last response
	 * code (HTTP status, SMTP reply) or 0. Unused by CHANNEL_RUN_INLINE.
	 */
	void (*classify)(struct job *j, CURLcode rc, long code);
};

/* The rows of the channel types that conf.h lists (CONF_CHANNEL_TYPES): channel_<name>,
 * defined in delivery/<name>.c. */
#define NOTIFY_CHANNEL_DECLARE(TYPE, name, mail) extern const struct channel_ops channel_##name;
CONF_CHANNEL_TYPES(NOTIFY_CHANNEL_DECLARE)
#undef NOTIFY_CHANNEL_DECLARE

/*
 * Forgets the keyed HMAC contexts notify_sign() keeps for the secrets in use (webhook.c):
 * at every reconfiguration and when the notifier is freed.
 */
void webhook_forget_keys(void);

/* ---- Shared by the types, defined in common.c (notify_job_now in notify.c) ---- */

/* Sets j's result: status, code and the detail text from fmt. */
void notify_job_set(struct job *j, enum notify_status status, long code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sets j's result to status with code and curl's words for rc (and j->errbuf when set). */
void notify_job_curl(struct job *j, enum notify_status status, long code, CURLcode rc);

/* The wall clock for j's attempt: now at notify_send() plus the time spent queued. */
int64_t notify_job_now(const struct job *j);

/*
 * Sets the options every transfer has on e (URL, protocols, timeouts, TLS checks, the
 * channel's CA file) for j, protocols as for CURLOPT_PROTOCOLS_STR: CURLE_OK or the first
 * curl error.
 */
CURLcode notify_easy_common(struct job *j, CURL *e, const char *protocols);

/*
 * Keeps the first failure: *rc becomes r when it was CURLE_OK. With NOTIFY_SET, a list of
 * options reads as a list, and the first option refused is the one reported.
 */
static inline void
notify_easy_keep(CURLcode *rc, CURLcode r)
{
	if (*rc == CURLE_OK)
		*rc = r;
}

#define NOTIFY_SET(rc, e, opt, val) notify_easy_keep(&(rc), curl_easy_setopt((e), (opt), (val)))

/* Whether s is an RFC 5322 dot-atom of 1..NOTIFY_ID_MAX characters (NULL is not). */
bool notify_atom_valid(const char *s);

/* Whether s is valid UTF-8; NULL is. */
bool notify_utf8_ok(const char *s);

/* Standard base64 of the len bytes at in (owned, NUL-terminated). */
char *notify_b64_encode(const unsigned char *in, size_t len);

#endif
