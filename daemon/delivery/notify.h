/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify: delivers one message on one channel (conf.h: log, webhook, smtp) and reports the
 * outcome of that one attempt. Retrying, backoff and recording attempts are the caller's
 * (sched); notify never retries by itself, so every attempt is seen and recorded
 * (at least once, never silently lost or doubled). The message id is stable across attempts: it is the webhook-id
 * header and the local part of the e-mail Message-ID, so a receiver can drop repeats.
 *
 * Webhook transfers share one curl multi handle driven by the libuv loop (described atop
 * notify.c). SMTP transfers each
 * run on a thread of their own, because libcurl waits for some SMTP replies blocking (see
 * smtp.c). Each channel has a concurrency limit; jobs beyond it wait in a FIFO per
 * channel.
 *
 * The process must call curl_global_init(CURL_GLOBAL_DEFAULT) before notify_new() and
 * before any thread starts, set TZ before that, and ignore SIGPIPE.
 */
#ifndef FV_NOTIFY_H
#define FV_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "conf/conf.h"

struct notify;

/* A message; every pointer is borrowed for the call to notify_send() only (it copies). */
struct notify_msg {
	/*
	 * Stable across attempts: the webhook-id header and the Message-ID local part. 1 to 256
	 * characters of an RFC 5322 dot-atom (letters, digits, !#$%&'*+-/=?^_`{|}~ and dots
	 * that neither start, end nor follow each other).
	 */
	const char *id;
	/* Per case, the same rules as id, or NULL: In-Reply-To and References of mails. */
	const char *thread;
	/* Per case, UTF-8, or NULL: mails' subjects start "[topic] " (one stable prefix per
	 * case, for mail clients that thread by subject). */
	const char *topic;
	const char *subject; /* UTF-8; NULL is "" */
	const char *text;    /* UTF-8, '\n' line ends; NULL is "" */
	/* E-mail addresses (smtp: at least one, plain local@domain); unused by webhook, log. */
	const char *const *to;
	size_t n_to;
	/*
	 * webhook: the JSON body (an object or array), serialised (compact) once by
	 * notify_send(); the signature is over exactly the bytes sent. Unused by smtp and log.
	 */
	json_t *body;
};

enum notify_status {
	NOTIFY_OK,	/* accepted: 2xx, or 250 from the relay, or written to the log */
	NOTIFY_RETRY,	/* not accepted this time; retry later (retry_after when the peer said) */
	NOTIFY_GONE,	/* HTTP 410: the endpoint is gone; disable it */
	NOTIFY_ABORTED, /* notify_stop() came first; the attempt's outcome is unknown */
};

struct notify_result {
	enum notify_status status;
	long code;	     /* HTTP status or last SMTP reply code, 0 if none */
	int64_t retry_after; /* seconds from Retry-After (429, 502, 503, 504), -1 if none */
	char detail[256];    /* what went wrong (curl's error text), or "" */
	/* NOTIFY_ABORTED by notify_drain() during the transfer: the receiver may have got it. */
	bool started;
};

/* Called exactly once per accepted notify_send(), from a later loop callback; r is borrowed. */
typedef void (*notify_done_cb)(void *arg, const struct notify_result *r);

/* Creates the notifier on loop: 0, or a negative errno. *out is owned (notify_free). */
int notify_new(uv_loop_t *loop, struct notify **out);

/*
 * Takes the channels of conf (copied: conf may be freed after the call). Jobs already
 * queued or in flight keep the channel settings they were sent with; new concurrency
 * limits apply from now on.
 */
void notify_configure(struct notify *n, const struct conf *conf);

/*
 * Sends m (copied) on the channel called channel at now (unix seconds: the
 * webhook-timestamp and the mail Date, plus the time spent queued). Returns 0 and calls
 * cb(arg, result) exactly once later, always from a loop callback and never from inside
 * notify_send(); or returns -ENOENT (no such channel), -EINVAL (m is not valid for the
 * channel: see struct notify_msg) or -ESHUTDOWN (notify_stop() was called), and cb is not
 * called.
 */
int notify_send(struct notify *n, const char *channel, const struct notify_msg *m, int64_t now,
		notify_done_cb cb, void *arg);

/* Messages accepted by notify_send() whose callback has not run yet (in flight + queued). */
unsigned notify_pending(const struct notify *n);

/*
 * Withdraws every message of channel not yet delivered: those waiting for a slot and the
 * webhook transfers in flight (an SMTP transfer on its thread finishes). Each gets
 * NOTIFY_ABORTED (from a later loop callback), as on notify_stop(), with started set for
 * a transfer that had begun. Returns how many. From a webhook's NOTIFY_GONE until this
 * call, no transfer of that channel starts.
 */
unsigned notify_drain(struct notify *n, const char *channel);

/*
 * Stops: every job not yet reported gets NOTIFY_ABORTED (from a later loop callback),
 * curl is cleaned up, every uv handle is closed, and then done(arg) is called once. After
 * done, only notify_free() may be called (also from inside done). Call once.
 */
void notify_stop(struct notify *n, void (*done)(void *arg), void *arg);

/* Frees a stopped notifier (after done ran); NULL is a no-op. */
void notify_free(struct notify *n);

/* ---- Helpers, exposed for the unit tests ---- */

/*
 * The Standard Webhooks signature "v1,<base64 HMAC-SHA256>" of "{id}.{timestamp}.{body}"
 * with the key in secret_whsec ("whsec_<base64 of 16..64 bytes>") into out: 0, -EINVAL
 * (bad secret), -EIO (OpenSSL failed) or -ENOSPC (outlen < NOTIFY_SIGN_MAX). Keeps the
 * keyed HMAC state of the secrets it saw until the notifier is reconfigured or freed;
 * the loop's thread only.
 */
#define NOTIFY_SIGN_MAX 48
int notify_sign(const char *secret_whsec, const char *id, int64_t timestamp, const char *body,
		size_t len, char *out, size_t outlen);

/*
 * A Subject header value (owned): subject itself when it is printable ASCII (and short
 * enough to need no folding), else RFC 2047 "=?UTF-8?B?...?=" words of whole characters,
 * folded with CRLF SP so that every line fits in 78 octets after "Subject: " (76 when it
 * holds an encoded word, RFC 2047 § 2).
 */
char *notify_rfc2047(const char *subject);

/*
 * The whole RFC 5322 message for m (owned), CRLF line ends: Date (UTC) at now, From, To,
 * Subject ("[topic] subject"), Message-ID <id@domain>, In-Reply-To and References
 * <thread@domain>, MIME headers, Auto-Submitted, X-Auto-Response-Suppress and Precedence,
 * and the text (7bit when ASCII with short lines, else quoted-printable). domain
 * NULL is the domain of from. NULL when m is not valid (see struct notify_msg).
 */
char *notify_mail_text(const struct notify_msg *m, const char *from, int64_t now,
		       const char *domain);

#endif
