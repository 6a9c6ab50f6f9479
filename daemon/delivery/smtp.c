// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The smtp channel: an e-mail through the municipality's relay. The message is written
 * here (RFC 5322 headers with RFC 2047 subjects, 7bit or quoted-printable text), one per
 * connection, to every recipient the relay accepts.
 *
 * The transfer runs on a thread of its own (CHANNEL_RUN_THREAD): libcurl (7.88 and every
 * later version) waits for the relay's reply to the end of the message blocking, inside
 * curl_multi_socket_action(), and for the reply to QUIT when such a connection closes. On
 * the loop that would stall the daemon for as long as the relay takes (up to the timeout)
 * and serialise all mail.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "delivery/notify_impl.h"
#include "core/strbuf.h"
#include "core/util.h"

/* Recipients of one message at most. */
#define TO_MAX 100
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

/* ---- Addresses ---- */

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
	return notify_atom_valid(local) && domain_valid(at + 1);
}

/* ---- The subject ---- */

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
		b64 = notify_b64_encode(s + i, n);
		if (i > 0)
			strbuf_puts(&b, "\r\n ");
		strbuf_printf(&b, "=?UTF-8?B?%s?=", b64);
		free(b64);
		i += n;
	}
	return strbuf_take(&b);
}

/* The Subject header's value of m (owned): "[topic] subject" when m has a topic; NULL when
 * it is not UTF-8. */
static char *
mail_subject(const struct notify_msg *m)
{
	char *full, *subject;

	if (!m->topic)
		return notify_rfc2047(m->subject);
	/* One stable prefix per case, so that mail clients that thread by subject keep a
	 * case's reminders together whatever each one's own subject says. */
	full = xasprintf("[%s] %s", m->topic, m->subject ? m->subject : "");
	subject = notify_rfc2047(full);
	free(full);
	return subject;
}

/* ---- The text ---- */

/* Whether text can go as it is (7bit): ASCII, no control characters but tab and line
 * feed, lines within 998 octets. */
static bool
body_plain(const char *text)
{
	size_t line = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p >= 0x80 || *p == '\r' || (*p < 0x20 && *p != '\t' && *p != '\n'))
			return false;
		line = *p == '\n' ? 0 : line + 1;
		if (line > 998)
			return false;
	}
	return true;
}

/* One line of text (n bytes, without its line end) quoted-printable into b. */
static void
qp_line(struct strbuf *b, const char *p, size_t n)
{
	size_t col = 0;

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

/* The body of the message: 7bit when it can be, else quoted-printable. */
static void
mail_body(struct strbuf *b, const char *text, const char **cte)
{
	bool plain = body_plain(text);

	*cte = plain ? "7bit" : "quoted-printable";
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		if (plain)
			strbuf_add(b, p, n);
		else
			qp_line(b, p, n);
		strbuf_puts(b, "\r\n");
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* ---- The message ---- */

/* Whether m can be written as a mail from from (all but the date and the domain). */
static bool
mail_valid(const struct notify_msg *m, const char *from)
{
	if (!m || !from || !address_valid(from) || !notify_atom_valid(m->id) ||
	    (m->thread && !notify_atom_valid(m->thread)) || !notify_utf8_ok(m->text) ||
	    (m->n_to && !m->to))
		return false;
	for (size_t i = 0; i < m->n_to; i++) {
		if (!address_valid(m->to[i]))
			return false;
	}
	return true;
}

/* The Date header at tm (UTC). */
static void
mail_date(struct strbuf *b, const struct tm *tm)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	strbuf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm->tm_wday],
		      tm->tm_mday, months[tm->tm_mon], tm->tm_year + 1900, tm->tm_hour, tm->tm_min,
		      tm->tm_sec);
}

/* The To header of m's recipients (at least one), folded between addresses. */
static void
mail_to(struct strbuf *b, const struct notify_msg *m)
{
	size_t col = 4;

	strbuf_puts(b, "To: ");
	for (size_t i = 0; i < m->n_to; i++) {
		size_t n = strlen(m->to[i]);

		if (i > 0) {
			strbuf_puts(b, ",");
			col++;
			if (col + 1 + n > 78) {
				strbuf_puts(b, "\r\n");
				col = 0;
			}
			strbuf_puts(b, " ");
			col++;
		}
		strbuf_puts(b, m->to[i]);
		col += n;
	}
	strbuf_puts(b, "\r\n");
}

char *
notify_mail_text(const struct notify_msg *m, const char *from, int64_t now, const char *domain)
{
	struct strbuf b = { 0 }, body = { 0 };
	const char *cte;
	char *subject;
	time_t t = (time_t)now;
	struct tm tm;

	if (!mail_valid(m, from) || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 1900)
		return NULL;
	if (!domain)
		domain = strrchr(from, '@') + 1;
	if (!domain_valid(domain))
		return NULL;
	subject = mail_subject(m);
	if (!subject)
		return NULL;
	mail_date(&b, &tm);
	strbuf_printf(&b, "From: %s\r\n", from);
	if (m->n_to)
		mail_to(&b, m);
	strbuf_printf(&b, "Subject: %s\r\n", subject);
	/* A msg-id is one token: its line may pass 78 octets (never 998, NOTIFY_ID_MAX). */
	strbuf_printf(&b, "Message-ID: <%s@%s>\r\n", m->id, domain);
	if (m->thread) {
		strbuf_printf(&b, "In-Reply-To: <%s@%s>\r\n", m->thread, domain);
		strbuf_printf(&b, "References: <%s@%s>\r\n", m->thread, domain);
	}
	mail_body(&body, m->text ? m->text : "", &cte);
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

static bool
smtp_msg_valid(const struct notify_msg *m)
{
	if (m->n_to == 0 || m->n_to > TO_MAX || !m->to)
		return false;
	for (size_t i = 0; i < m->n_to; i++) {
		if (!address_valid(m->to[i]))
			return false;
	}
	return true;
}

static int
smtp_accept(struct job *j, const struct notify_msg *m)
{
	j->to = xcalloc(m->n_to, sizeof(*j->to));
	for (size_t i = 0; i < m->n_to; i++)
		j->to[i] = xstrdup(m->to[i]);
	j->n_to = m->n_to;
	return 0;
}

/* ---- The transfer ---- */

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

/* The message and its envelope's recipients (j->slist), as at now. */
static CURLcode
smtp_message(struct job *j)
{
	struct notify_msg m = {
		.id = j->id,
		.thread = j->thread,
		.topic = j->topic,
		.subject = j->subject,
		.text = j->text,
		.to = (const char *const *)j->to,
		.n_to = j->n_to,
	};

	j->payload = notify_mail_text(&m, j->chan->c.from, notify_job_now(j), NULL);
	if (!j->payload) {
		snprintf(j->errbuf, sizeof(j->errbuf), "cannot format the message");
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
	j->payload_len = strlen(j->payload);
	for (size_t i = 0; i < j->n_to; i++) {
		char *s = xasprintf("<%s>", j->to[i]);

		j->slist = curl_slist_append(j->slist, s);
		free(s);
	}
	return j->slist ? CURLE_OK : CURLE_OUT_OF_MEMORY;
}

static CURLcode
smtp_start(struct job *j)
{
	const struct conf_channel *c = &j->chan->c;
	CURL *e = j->easy;
	CURLcode rc = smtp_message(j);
	char *s;

	if (rc != CURLE_OK)
		return rc;
	rc = notify_easy_common(j, e, strncasecmp(c->url, "smtps://", 8) == 0 ? "smtps" : "smtp");
	s = xasprintf("<%s>", c->from);
	NOTIFY_SET(rc, e, CURLOPT_MAIL_FROM, s);
	free(s);
	NOTIFY_SET(rc, e, CURLOPT_MAIL_RCPT, j->slist);
	/*
	 * A recipient the relay refuses does not hold back the others: the message goes to
	 * those it accepts (the transfer fails only when it accepts none). Spelt with three
	 * L in libcurl 7.88.
	 */
	NOTIFY_SET(rc, e, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	NOTIFY_SET(rc, e, CURLOPT_UPLOAD, 1L);
	NOTIFY_SET(rc, e, CURLOPT_READFUNCTION, read_cb);
	NOTIFY_SET(rc, e, CURLOPT_READDATA, j);
	NOTIFY_SET(rc, e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->payload_len);
	/* STARTTLS or fail, never CURLUSESSL_TRY; "none" is loopback only (conf). */
	NOTIFY_SET(rc, e, CURLOPT_USE_SSL,
		   (long)(c->tls == CONF_SMTP_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	/*
	 * Each reply within the channel's timeout, also the reply to QUIT after a failure
	 * (libcurl's default for that is 120 s); and notify_stop() can interrupt any wait.
	 */
	NOTIFY_SET(rc, e, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)(c->timeout_ms + 999) / 1000);
	/* One message per connection (the easy handle is used once, on its own thread). */
	NOTIFY_SET(rc, e, CURLOPT_FORBID_REUSE, 1L);
	if (c->username)
		NOTIFY_SET(rc, e, CURLOPT_USERNAME, c->username);
	if (c->password)
		NOTIFY_SET(rc, e, CURLOPT_PASSWORD, c->password);
	return rc;
}

/* ---- The answer ---- */

static void
smtp_classify(struct job *j, CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		notify_job_set(j, NOTIFY_OK, code ? code : 250, "%s", "");
	else
		notify_job_curl(j, NOTIFY_RETRY, code, rc);
}

const struct channel_ops channel_smtp = {
	.run = CHANNEL_RUN_THREAD,
	.msg_valid = smtp_msg_valid,
	.accept = smtp_accept,
	.start = smtp_start,
	.classify = smtp_classify,
};
