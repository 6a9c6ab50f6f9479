// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * notify: one attempt to deliver one message on one channel (see notify.h).
 *
 * Wiring (curl's docs/examples/multi-uv.c, with its fixes: always drain
 * curl_multi_info_read, pass poll errors on as CURL_CSELECT_ERR): one CURLM for
 * the notifier's life. curl's socket callback keeps one uv_poll_t per socket, remembered
 * with curl_multi_assign() (and in a list of our own, which shutdown walks); its timer
 * callback only arms one uv_timer_t. The poll and timer callbacks call
 * curl_multi_socket_action() and then always drain curl_multi_info_read(); a finished easy
 * handle is removed there, after socket_action returned, never inside a curl callback.
 *
 * Except SMTP: libcurl (7.88 and every later version) waits for the relay's reply to the
 * end of the message blocking, inside curl_multi_socket_action(), and for the reply to QUIT
 * when such a connection closes. On the loop that would stall the daemon for as long as the
 * relay takes (up to the timeout) and serialise all mail. So each SMTP transfer runs
 * curl_easy_perform() on a thread of its own (at most the channel's concurrency of them),
 * with all signals blocked, touching nothing but its job; it reports through a uv_async_t,
 * and the loop joins it. notify_stop() asks those threads to give up through the progress
 * callback, which libcurl calls at least once a second, also while it waits for a reply.
 *
 * A job's result goes to a done list that a uv_idle_t drains on the next loop turn, so the
 * caller's callback never runs inside notify_send() or inside curl, and the caller may
 * call notify_send() or notify_stop() from it. Each channel name has a lane: the number of
 * transfers in flight and a FIFO of the jobs waiting for a slot.
 *
 * Shutdown (notify_stop): remove and clean up every easy handle, curl_multi_cleanup (which
 * may still call the socket callback), tell the SMTP threads to give up, report
 * NOTIFY_ABORTED for every job not yet reported (an SMTP transfer that completed meanwhile
 * reports its real outcome), and once the last thread is joined close every uv handle and
 * call the owner's done after the last close callback ran.
 */
#include "delivery/notify.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "build_config.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/util.h"

#define ID_MAX		256
#define TO_MAX		100
#define KEY_MIN		16
#define KEY_MAX		64
#define RETRY_AFTER_CAP (7 * 86400)
/*
 * Input bytes per RFC 2047 encoded word. A line that holds an encoded word has at most 76
 * characters (RFC 2047 § 2): the first, after "Subject: ", takes 39 bytes (52 base64
 * characters, a 64-character word, 73 in all); each continuation line, after its space,
 * 45 (60 characters, a 72-character word, 73 in all).
 */
#define WORD_BYTES_FIRST 39
#define WORD_BYTES	 45
#define ENCODED_LINE_MAX 76
/* "Subject: " */
#define SUBJECT_PREFIX 9

/* A channel's settings, shared by the jobs sent on it and freed with the last of them. */
struct chan {
	unsigned refs;
	struct conf_channel c;
};

struct job;

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

struct job {
	struct job *next;		 /* in the lane's FIFO or the done list */
	struct job *run_prev, *run_next; /* in notify.running while in flight */
	struct notify *n;
	struct lane *lane;
	struct chan *chan;
	notify_done_cb cb;
	void *arg;
	int64_t now;	  /* unix seconds at notify_send() */
	uint64_t sent_ms; /* uv_now() at notify_send() */
	char *id, *thread, *topic, *subject, *text;
	char **to;
	size_t n_to;
	char *payload; /* webhook: the JSON; smtp: the message */
	size_t payload_len, payload_off;
	CURL *easy;
	struct curl_slist *headers, *rcpt;
	char *retry_after; /* the Retry-After value of the last response, or NULL */
	/* SMTP: the thread running the transfer, and what it found (read after the join). */
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
	uv_async_t async; /* an SMTP thread finished */
	uv_mutex_t lock;  /* guards finished */
	struct job *finished;
	atomic_bool aborting; /* SMTP threads: give up */
	unsigned threads;     /* SMTP threads not joined yet */
	struct chan **chans;
	size_t n_chans;
	struct lane *lanes;
	struct job *running;
	struct job *done_head, *done_tail;
	struct sock *socks;
	unsigned pending;
	unsigned open_handles; /* initialised uv handles whose close callback has not run */
	bool stopping, closing, finished_all;
	void (*stop_done)(void *arg);
	void *stop_arg;
};

/* ---- Base64 (standard alphabet) ---- */

static char *
b64_encode(const unsigned char *in, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* ---- Validation of messages ---- */

/* An RFC 5322 dot-atom of 1..ID_MAX characters: safe in a header and in a Message-ID. */
static bool
atom_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > ID_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && !strchr("!#$%&'*+-/=?^_`{|}~.", s[i]))
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	}
	return true;
}

static bool
domain_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	}
	return true;
}

/* A plain addr-spec local@domain (no display name, no quoting). */
static bool
address_valid(const char *s)
{
	const char *at = s ? strrchr(s, '@') : NULL;
	char local[65];
	size_t n;

	if (!at || at == s || strlen(s) > 254)
		return false;
	n = (size_t)(at - s);
	if (n >= sizeof(local))
		return false;
	memcpy(local, s, n);
	local[n] = '\0';
	return atom_valid(local) && domain_valid(at + 1);
}

static bool
utf8_ok(const char *s)
{
	return !s || fv_utf8_valid(s, strlen(s));
}

/* ---- Pure helpers ---- */

int
notify_sign(const char *secret_whsec, const char *id, int64_t timestamp, const char *body,
	    size_t len, char *out, size_t outlen)
{
	unsigned char key[KEY_MAX + 3], mac[EVP_MAX_MD_SIZE];
	char digest[] = "SHA256", ts[24], *b64 = NULL;
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *hmac = NULL;
	size_t mac_len = 0;
	long klen;
	int ret = 0;

	if (outlen < NOTIFY_SIGN_MAX)
		return -ENOSPC;
	if (!secret_whsec || !id || (!body && len) || strncmp(secret_whsec, "whsec_", 6) != 0)
		return -EINVAL;
	klen = fv_base64_decode(secret_whsec + 6, key, sizeof(key));
	if (klen < KEY_MIN || klen > KEY_MAX) {
		ret = -EINVAL;
		goto out;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	if (!ctx || !EVP_MAC_init(ctx, key, (size_t)klen, params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    (len && !EVP_MAC_update(ctx, (const unsigned char *)body, len)) ||
	    !EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac))) {
		ret = -EIO;
		goto out;
	}
	b64 = b64_encode(mac, mac_len);
	snprintf(out, outlen, "v1,%s", b64);
out:
	free(b64);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	explicit_bzero(key, sizeof(key));
	return ret;
}

/* Whether subject can stand in a header as it is (after "Subject: ", unfolded). */
static bool
subject_plain(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return false;
	}
	return !strstr(s, "=?");
}

/*
 * Folds a plain ASCII subject at spaces so that lines stay within 78 octets; NULL when a
 * single word is too long for that (it is then encoded instead, which always folds).
 */
static char *
fold_plain(const char *s)
{
	struct strbuf b = { 0 };
	size_t col = SUBJECT_PREFIX;
	const char *p = s;

	while (*p) {
		/* The next piece: spaces, then a word. */
		size_t n = strspn(p, " ");

		n += strcspn(p + n, " ");
		if (col + n > 78 && col > 1 && p[0] == ' ') {
			strbuf_puts(&b, "\r\n");
			col = 0;
		}
		if (col + n > 78) {
			strbuf_free(&b);
			return NULL;
		}
		strbuf_add(&b, p, n);
		col += n;
		p += n;
	}
	return strbuf_take(&b);
}

char *
notify_rfc2047(const char *subject)
{
	const unsigned char *s = (const unsigned char *)(subject ? subject : "");
	size_t len = strlen((const char *)s), i = 0;
	struct strbuf b = { 0 };

	if (!fv_utf8_valid((const char *)s, len))
		return NULL;
	if (subject_plain((const char *)s)) {
		char *folded;

		if (SUBJECT_PREFIX + len <= 78)
			return xstrdup((const char *)s);
		folded = fold_plain((const char *)s);
		if (folded)
			return folded;
	}
	while (i < len) {
		size_t max = i == 0 ? WORD_BYTES_FIRST : WORD_BYTES;
		size_t n = len - i < max ? len - i : max;
		char *b64;

		/* Whole characters only: do not end inside a UTF-8 sequence. */
		while (i + n < len && n > 1 && (s[i + n] & 0xc0) == 0x80)
			n--;
		b64 = b64_encode(s + i, n);
		if (i > 0)
			strbuf_puts(&b, "\r\n ");
		strbuf_printf(&b, "=?UTF-8?B?%s?=", b64);
		free(b64);
		i += n;
	}
	return strbuf_take(&b);
}

/* The body of the message: 7bit when it can be, else quoted-printable. */
static void
mail_body(struct strbuf *b, const char *text, const char **cte)
{
	bool plain = true;
	size_t line = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p >= 0x80 || *p == '\r' || (*p < 0x20 && *p != '\t' && *p != '\n'))
			plain = false;
		line = *p == '\n' ? 0 : line + 1;
		if (line > 998)
			plain = false;
	}
	*cte = plain ? "7bit" : "quoted-printable";
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n"), col = 0;

		if (plain) {
			strbuf_add(b, p, n);
		} else {
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)p[i];
				bool last = i + 1 == n;
				bool enc = c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
					   ((c == ' ' || c == '\t') && last);
				char tok[4];
				size_t tl;

				if (enc) {
					snprintf(tok, sizeof(tok), "=%02X", c);
					tl = 3;
				} else {
					tok[0] = (char)c;
					tok[1] = '\0';
					tl = 1;
				}
				/* 76 characters a line, the soft break's '=' included. */
				if (col + tl > 75) {
					strbuf_puts(b, "=\r\n");
					col = 0;
				}
				strbuf_add(b, tok, tl);
				col += tl;
			}
		}
		strbuf_puts(b, "\r\n");
		p += n;
		if (*p == '\n')
			p++;
	}
}

char *
notify_mail_text(const struct notify_msg *m, const char *from, int64_t now, const char *domain)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct strbuf b = { 0 }, body = { 0 };
	const char *cte, *text;
	char *subject = NULL;
	time_t t = (time_t)now;
	struct tm tm;
	size_t col;

	if (!m || !from || !address_valid(from) || !atom_valid(m->id) ||
	    (m->thread && !atom_valid(m->thread)) || !utf8_ok(m->text) || (m->n_to && !m->to) ||
	    !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1900)
		return NULL;
	if (!domain)
		domain = strrchr(from, '@') + 1;
	if (!domain_valid(domain))
		return NULL;
	for (size_t i = 0; i < m->n_to; i++) {
		if (!address_valid(m->to[i]))
			return NULL;
	}
	if (m->topic) {
		/* One stable prefix per case, so that mail clients that thread by subject
		 * keep a case's reminders together whatever each one's own subject says. */
		char *full = xasprintf("[%s] %s", m->topic, m->subject ? m->subject : "");

		subject = notify_rfc2047(full);
		free(full);
	} else {
		subject = notify_rfc2047(m->subject);
	}
	if (!subject)
		return NULL;
	strbuf_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
		      tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		      tm.tm_sec);
	strbuf_printf(&b, "From: %s\r\n", from);
	if (m->n_to) {
		strbuf_puts(&b, "To: ");
		col = 4;
		for (size_t i = 0; i < m->n_to; i++) {
			size_t n = strlen(m->to[i]);

			if (i > 0) {
				strbuf_puts(&b, ",");
				col++;
				if (col + 1 + n > 78) {
					strbuf_puts(&b, "\r\n");
					col = 0;
				}
				strbuf_puts(&b, " ");
				col++;
			}
			strbuf_puts(&b, m->to[i]);
			col += n;
		}
		strbuf_puts(&b, "\r\n");
	}
	strbuf_printf(&b, "Subject: %s\r\n", subject);
	/* A msg-id is one token: its line may pass 78 octets (never 998, ID_MAX). */
	strbuf_printf(&b, "Message-ID: <%s@%s>\r\n", m->id, domain);
	if (m->thread) {
		strbuf_printf(&b, "In-Reply-To: <%s@%s>\r\n", m->thread, domain);
		strbuf_printf(&b, "References: <%s@%s>\r\n", m->thread, domain);
	}
	text = m->text ? m->text : "";
	mail_body(&body, text, &cte);
	strbuf_puts(&b, "MIME-Version: 1.0\r\n"
			"Content-Type: text/plain; charset=UTF-8\r\n");
	strbuf_printf(&b, "Content-Transfer-Encoding: %s\r\n", cte);
	/*
	 * No auto-replies (vacation notices, read receipts) to reminders: RFC 3834's
	 * Auto-Submitted, and what Exchange and older list software look at instead.
	 */
	strbuf_puts(&b, "Auto-Submitted: auto-generated\r\n"
			"X-Auto-Response-Suppress: All\r\n"
			"Precedence: bulk\r\n\r\n");
	if (body.len)
		strbuf_add(&b, body.p, body.len);
	strbuf_free(&body);
	free(subject);
	return strbuf_take(&b);
}

/* ---- Channels and lanes ---- */

static struct chan *
chan_new(const struct conf_channel *c)
{
	struct chan *ch = xcalloc(1, sizeof(*ch));

#define DUP(f) (c->f ? xstrdup(c->f) : NULL)
	ch->refs = 1;
	ch->c = *c;
	ch->c.name = DUP(name);
	ch->c.url = DUP(url);
	ch->c.secret = DUP(secret);
	ch->c.secret_previous = DUP(secret_previous);
	ch->c.from = DUP(from);
	ch->c.username = DUP(username);
	ch->c.password = DUP(password);
	ch->c.ca_file = DUP(ca_file);
#undef DUP
	return ch;
}

static void
zfree(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void
chan_unref(struct chan *ch)
{
	if (!ch || --ch->refs > 0)
		return;
	free(ch->c.name);
	free(ch->c.url);
	zfree(ch->c.secret);
	zfree(ch->c.secret_previous);
	free(ch->c.from);
	free(ch->c.username);
	zfree(ch->c.password);
	free(ch->c.ca_file);
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

static void job_set(struct job *j, enum notify_status status, long code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
job_set(struct job *j, enum notify_status status, long code, const char *fmt, ...)
{
	va_list ap;

	j->result.status = status;
	j->result.code = code;
	va_start(ap, fmt);
	vsnprintf(j->result.detail, sizeof(j->result.detail), fmt, ap);
	va_end(ap);
}

/* The wall clock for this attempt: now at notify_send plus the time spent queued. */
static int64_t
job_now(const struct job *j)
{
	uint64_t now_ms = uv_now(j->n->loop);

	return j->now + (int64_t)((now_ms - j->sent_ms) / 1000);
}

/* Writes one log line with control characters replaced (the text is ours, but a line is a line). */
static void
log_line(const char *prefix, const char *id, const char *s, size_t n)
{
	char buf[1024];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < sizeof(buf); i++)
		buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[k] = '\0';
	if (id)
		log_notice("%s %s: %s", prefix, id, buf);
	else
		log_notice("%s%s", prefix, buf);
}

static void
job_log(struct job *j)
{
	const char *p = j->text ? j->text : "";

	log_line("reminder", j->id, j->subject ? j->subject : "",
		 j->subject ? strlen(j->subject) : 0);
	while (*p) {
		size_t n = strcspn(p, "\n");

		log_line("  ", NULL, p, n);
		p += n;
		if (*p == '\n')
			p++;
	}
	job_set(j, NOTIFY_OK, 0, "%s", "");
}

static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

/*
 * CURLOPT_DEBUGFUNCTION of webhooks: counts the request headers written. libcurl re-sends a
 * request on a new connection when a kept-alive one turns out closed after the request
 * went out, and the receiver may have got both; the attempt's record says so.
 */
static int
debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *ud)
{
	struct job *j = ud;

	(void)e;
	(void)data;
	(void)size;
	if (type == CURLINFO_HEADER_OUT)
		j->sends++;
	return 0;
}

/* Keeps the Retry-After value of the last response (a 1xx starts a new one). */
static size_t
header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct job *j = ud;
	size_t len = size * nitems;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		free(j->retry_after);
		j->retry_after = NULL;
	} else if (len > 12 && strncasecmp(buf, "Retry-After:", 12) == 0) {
		const char *v = buf + 12;
		size_t vl = len - 12;

		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl && isspace((unsigned char)v[vl - 1]))
			vl--;
		free(j->retry_after);
		j->retry_after = xstrndup(v, vl < 64 ? vl : 64);
	}
	return len;
}

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct job *j = ud;
	size_t n = size * nitems, left = j->payload_len - j->payload_off;

	if (n > left)
		n = left;
	memcpy(buf, j->payload + j->payload_off, n);
	j->payload_off += n;
	return n;
}

/* CURLOPT_XFERINFOFUNCTION of SMTP transfers (on their thread): non-zero aborts. */
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

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(e, opt, val);                                        \
	} while (0)

/* Options every transfer has. */
static CURLcode
easy_common(struct job *j, CURL *e, const char *protocols)
{
	const struct conf_channel *c = &j->chan->c;
	CURLcode rc = CURLE_OK;

	SET(CURLOPT_PRIVATE, j);
	SET(CURLOPT_ERRORBUFFER, j->errbuf);
	SET(CURLOPT_URL, c->url);
	SET(CURLOPT_PROTOCOLS_STR, protocols);
	SET(CURLOPT_NOSIGNAL, 1L);
	/* A hanging resolver must not make curl join its thread inside the loop. */
	SET(CURLOPT_QUICK_EXIT, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		SET(CURLOPT_CAINFO, c->ca_file);
	return rc;
}

static CURLcode
easy_webhook(struct job *j, CURL *e)
{
	const struct conf_channel *c = &j->chan->c;
	char sig[NOTIFY_SIGN_MAX], sig_prev[NOTIFY_SIGN_MAX], *h;
	int64_t ts = job_now(j);
	CURLcode rc;

	if (notify_sign(c->secret, j->id, ts, j->payload, j->payload_len, sig, sizeof(sig)) < 0 ||
	    (c->secret_previous && notify_sign(c->secret_previous, j->id, ts, j->payload,
					       j->payload_len, sig_prev, sizeof(sig_prev)) < 0)) {
		snprintf(j->errbuf, sizeof(j->errbuf), "cannot sign with the channel's secret");
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
	j->headers = curl_slist_append(j->headers, "Content-Type: application/json");
	h = xasprintf("webhook-id: %s", j->id);
	j->headers = curl_slist_append(j->headers, h);
	free(h);
	h = xasprintf("webhook-timestamp: %lld", (long long)ts);
	j->headers = curl_slist_append(j->headers, h);
	free(h);
	if (c->secret_previous)
		h = xasprintf("webhook-signature: %s %s", sig, sig_prev);
	else
		h = xasprintf("webhook-signature: %s", sig);
	j->headers = curl_slist_append(j->headers, h);
	free(h);
	/* No "Expect: 100-continue" round trip. */
	j->headers = curl_slist_append(j->headers, "Expect:");
	if (!j->headers)
		return CURLE_OUT_OF_MEMORY;

	rc = easy_common(j, e, strncasecmp(c->url, "http://", 7) == 0 ? "http" : "https");
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_USERAGENT, "fristvakt/" FV_VERSION);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, j->payload);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->payload_len);
	SET(CURLOPT_HTTPHEADER, j->headers);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, j);
	/* The debug callback sees every request written; nothing goes to stderr. */
	SET(CURLOPT_DEBUGFUNCTION, debug_cb);
	SET(CURLOPT_DEBUGDATA, j);
	SET(CURLOPT_VERBOSE, 1L);
	SET(CURLOPT_WRITEFUNCTION, discard_cb);
	return rc;
}

static CURLcode
easy_smtp(struct job *j, CURL *e)
{
	const struct conf_channel *c = &j->chan->c;
	struct notify_msg m = {
		.id = j->id,
		.thread = j->thread,
		.topic = j->topic,
		.subject = j->subject,
		.text = j->text,
		.to = (const char *const *)j->to,
		.n_to = j->n_to,
	};
	CURLcode rc;
	char *s;

	j->payload = notify_mail_text(&m, c->from, job_now(j), NULL);
	if (!j->payload) {
		snprintf(j->errbuf, sizeof(j->errbuf), "cannot format the message");
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
	j->payload_len = strlen(j->payload);
	for (size_t i = 0; i < j->n_to; i++) {
		s = xasprintf("<%s>", j->to[i]);
		j->rcpt = curl_slist_append(j->rcpt, s);
		free(s);
	}
	if (!j->rcpt)
		return CURLE_OUT_OF_MEMORY;

	rc = easy_common(j, e, strncasecmp(c->url, "smtps://", 8) == 0 ? "smtps" : "smtp");
	s = xasprintf("<%s>", c->from);
	SET(CURLOPT_MAIL_FROM, s);
	free(s);
	SET(CURLOPT_MAIL_RCPT, j->rcpt);
	/*
	 * A recipient the relay refuses does not hold back the others: the message goes to
	 * those it accepts (the transfer fails only when it accepts none). Spelt with three
	 * L in libcurl 7.88.
	 */
	SET(CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, j);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->payload_len);
	/* STARTTLS or fail, never CURLUSESSL_TRY; "none" is loopback only (conf). */
	SET(CURLOPT_USE_SSL, (long)(c->tls == CONF_SMTP_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	/*
	 * Each reply within the channel's timeout, also the reply to QUIT after a failure
	 * (libcurl's default for that is 120 s); and notify_stop() can interrupt any wait.
	 */
	SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)(c->timeout_ms + 999) / 1000);
	/* One message per connection (the easy handle is used once, on its own thread). */
	SET(CURLOPT_FORBID_REUSE, 1L);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SET(CURLOPT_XFERINFODATA, j);
	if (c->username)
		SET(CURLOPT_USERNAME, c->username);
	if (c->password)
		SET(CURLOPT_PASSWORD, c->password);
	return rc;
}

#undef SET

/* Releases the transfer's curl state; the job's result stays. */
static void
job_release(struct job *j)
{
	if (j->easy)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
	curl_slist_free_all(j->headers);
	j->headers = NULL;
	curl_slist_free_all(j->rcpt);
	j->rcpt = NULL;
}

/* On the SMTP job's own thread: the whole transfer, then a note to the loop. */
static void
smtp_thread(void *arg)
{
	struct job *j = arg;
	struct notify *n = j->n;

	j->t_rc = curl_easy_perform(j->easy);
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->t_code);
	/* Here too: closing the connection waits for the reply to QUIT. */
	curl_easy_cleanup(j->easy);
	j->easy = NULL;
	uv_mutex_lock(&n->lock);
	j->next = n->finished;
	n->finished = j;
	uv_mutex_unlock(&n->lock);
	uv_async_send(&n->async);
}

/* Starts j's SMTP transfer on a new thread that receives no signals: 0 or a uv error. */
static int
smtp_thread_start(struct job *j)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = uv_thread_create(&j->tid, smtp_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0) {
		j->threaded = true;
		j->n->threads++;
	}
	return err;
}

/*
 * Starts j's attempt: true when a transfer is now in flight, false when the job already
 * finished (the log channel, or a transfer that could not be set up) and is on the done
 * list.
 */
static bool
job_start(struct job *j)
{
	struct notify *n = j->n;
	CURLcode rc = CURLE_OK;
	CURLMcode mc;

	if (j->chan->c.type == CONF_CHANNEL_LOG) {
		job_log(j);
		job_done(j);
		return false;
	}
	j->easy = curl_easy_init();
	if (!j->easy)
		rc = CURLE_OUT_OF_MEMORY;
	else if (j->chan->c.type == CONF_CHANNEL_WEBHOOK)
		rc = easy_webhook(j, j->easy);
	else
		rc = easy_smtp(j, j->easy);
	if (rc != CURLE_OK) {
		job_set(j, NOTIFY_RETRY, 0, "%s%s%s", curl_easy_strerror(rc),
			j->errbuf[0] ? ": " : "", j->errbuf);
		job_release(j);
		job_done(j);
		return false;
	}
	if (j->chan->c.type == CONF_CHANNEL_SMTP) {
		int err = smtp_thread_start(j);

		if (err < 0) {
			job_set(j, NOTIFY_RETRY, 0, "cannot start a thread: %s", uv_strerror(err));
			job_release(j);
			job_done(j);
			return false;
		}
	} else {
		mc = curl_multi_add_handle(n->multi, j->easy);
		if (mc != CURLM_OK) {
			job_set(j, NOTIFY_RETRY, 0, "%s", curl_multi_strerror(mc));
			job_release(j);
			job_done(j);
			return false;
		}
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

/* Seconds from Retry-After (delta-seconds or an HTTP-date), capped; -1 when unusable. */
static int64_t
retry_after_parse(const char *v, int64_t now)
{
	int64_t secs;
	time_t t;

	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)v[0])) {
		if (strspn(v, "0123456789") != strlen(v))
			return -1;
		if (fv_parse_i64(v, 0, INT64_MAX, &secs) < 0)
			secs = RETRY_AFTER_CAP;
	} else {
		t = curl_getdate(v, NULL);
		if (t == (time_t)-1)
			return -1;
		secs = (int64_t)t - now;
		if (secs < 0)
			secs = 0;
	}
	return secs > RETRY_AFTER_CAP ? RETRY_AFTER_CAP : secs;
}

static void
classify_webhook(struct job *j, CURLcode rc, long code)
{
	if (rc != CURLE_OK) {
		job_set(j, NOTIFY_RETRY, code, "%s%s%s", curl_easy_strerror(rc),
			j->errbuf[0] ? ": " : "", j->errbuf);
	} else if (code >= 200 && code <= 299) {
		job_set(j, NOTIFY_OK, code, "%s", "");
	} else if (code == 410) {
		job_set(j, NOTIFY_GONE, code, "HTTP 410 Gone: the endpoint asks to be disabled");
	} else if (code >= 300 && code <= 399) {
		job_set(j, NOTIFY_RETRY, code, "HTTP %ld: redirects are not followed", code);
	} else {
		job_set(j, NOTIFY_RETRY, code, "HTTP %ld", code);
		if (code == 429 || code == 502 || code == 503 || code == 504)
			j->result.retry_after = retry_after_parse(j->retry_after, job_now(j));
	}
	if (j->sends > 1) {
		size_t n = strlen(j->result.detail);

		snprintf(j->result.detail + n, sizeof(j->result.detail) - n,
			 "%sthe request was sent %u times: libcurl re-sent it on a new connection "
			 "after the kept-alive one was closed",
			 n ? "; " : "", j->sends);
	}
}

static void
classify_smtp(struct job *j, CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		job_set(j, NOTIFY_OK, code ? code : 250, "%s", "");
	else
		job_set(j, NOTIFY_RETRY, code, "%s%s%s", curl_easy_strerror(rc),
			j->errbuf[0] ? ": " : "", j->errbuf);
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
	if (j->chan->c.type == CONF_CHANNEL_WEBHOOK)
		classify_webhook(j, rc, code);
	else
		classify_smtp(j, rc, code);
	log_debug("notify: %s %s: %s%s%s", j->chan->c.name, j->id,
		  j->result.status == NOTIFY_OK ? "delivered" : "not delivered",
		  j->result.detail[0] ? ": " : "", j->result.detail);
	job_release(j);
	running_unlink(j);
	j->lane->running--;
	if (j->result.status == NOTIFY_GONE)
		j->lane->gone = true;
	job_done(j);
	lane_pump(n, j->lane);
}

/* The loop's side of finished SMTP threads: join, classify, report. */
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
			job_set(j, NOTIFY_ABORTED, 0, "the notifier stopped during the transfer");
		else
			classify_smtp(j, j->t_rc, j->t_code);
		log_debug("notify: %s %s: %s%s%s", j->chan->c.name, j->id,
			  j->result.status == NOTIFY_OK ? "delivered" : "not delivered",
			  j->result.detail[0] ? ": " : "", j->result.detail);
		job_release(j);
		running_unlink(j);
		j->lane->running--;
		job_done(j);
		lane_pump(n, j->lane);
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
	/* SMTP threads still running report through async_cb, which kicks again. */
	if (n->stopping && !n->closing && n->threads == 0)
		start_close(n);
}

/* ---- The API ---- */

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

void
notify_configure(struct notify *n, const struct conf *conf)
{
	struct chan **chans = xcalloc(conf->n_channels ? conf->n_channels : 1, sizeof(*chans));

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

/* Whether m can go out on a channel of type type. */
static bool
msg_valid(const struct notify_msg *m, enum conf_channel_type type)
{
	if (!m || !atom_valid(m->id) || (m->thread && !atom_valid(m->thread)) ||
	    !utf8_ok(m->subject) || !utf8_ok(m->text))
		return false;
	switch (type) {
	case CONF_CHANNEL_LOG:
		return true;
	case CONF_CHANNEL_WEBHOOK:
		return m->body && (json_is_object(m->body) || json_is_array(m->body));
	case CONF_CHANNEL_SMTP:
		if (m->n_to == 0 || m->n_to > TO_MAX || !m->to)
			return false;
		for (size_t i = 0; i < m->n_to; i++) {
			if (!address_valid(m->to[i]))
				return false;
		}
		return true;
	}
	return false;
}

int
notify_send(struct notify *n, const char *channel, const struct notify_msg *m, int64_t now,
	    notify_done_cb cb, void *arg)
{
	struct chan *ch;
	struct lane *l;
	struct job *j;
	char *payload = NULL;

	FV_ASSERT(cb);
	if (n->stopping)
		return -ESHUTDOWN;
	ch = chan_find(n, channel);
	if (!ch)
		return -ENOENT;
	if (!msg_valid(m, ch->c.type))
		return -EINVAL;
	if (ch->c.type == CONF_CHANNEL_WEBHOOK) {
		payload = json_dumps(m->body, JSON_COMPACT);
		if (!payload)
			return -EINVAL;
	}
	j = xcalloc(1, sizeof(*j));
	j->n = n;
	j->chan = ch;
	ch->refs++;
	j->cb = cb;
	j->arg = arg;
	j->now = now;
	j->sent_ms = uv_now(n->loop);
	j->id = xstrdup(m->id);
	j->thread = m->thread ? xstrdup(m->thread) : NULL;
	j->topic = m->topic ? xstrdup(m->topic) : NULL;
	j->subject = m->subject ? xstrdup(m->subject) : NULL;
	j->text = m->text ? xstrdup(m->text) : NULL;
	if (ch->c.type == CONF_CHANNEL_SMTP) {
		j->to = xcalloc(m->n_to, sizeof(*j->to));
		for (size_t i = 0; i < m->n_to; i++)
			j->to[i] = xstrdup(m->to[i]);
		j->n_to = m->n_to;
	}
	if (payload) {
		j->payload = payload;
		j->payload_len = strlen(payload);
	}
	j->result.retry_after = -1;
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
	/* SMTP threads give up at their next progress call and report through async_cb. */
	atomic_store(&n->aborting, true);
	for (struct job *j = n->running, *next; j; j = next) {
		next = j->run_next;
		if (j->threaded)
			continue;
		running_unlink(j);
		curl_multi_remove_handle(n->multi, j->easy);
		job_release(j);
		j->lane->running--;
		job_set(j, NOTIFY_ABORTED, 0, "the notifier stopped during the transfer");
		j->result.retry_after = -1;
		job_done(j);
	}
	for (struct lane *l = n->lanes; l; l = l->next) {
		while (l->head) {
			struct job *j = l->head;

			l->head = j->next;
			job_set(j, NOTIFY_ABORTED, 0, "the notifier stopped before the transfer");
			job_done(j);
		}
		l->tail = NULL;
	}
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
	/* Webhook transfers in flight on the channel: removed before more of them go out. */
	for (struct job *j = n->running, *next; j; j = next) {
		next = j->run_next;
		if (j->threaded || strcmp(j->lane->name, channel) != 0)
			continue;
		running_unlink(j);
		curl_multi_remove_handle(n->multi, j->easy);
		job_release(j);
		j->lane->running--;
		job_set(j, NOTIFY_ABORTED, 0, "the channel was disabled during the transfer");
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
			job_set(j, NOTIFY_ABORTED, 0,
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
	FV_ASSERT(n->finished_all);
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
