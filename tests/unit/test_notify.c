// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_notify: the notification channels, through notify.h and conf.h.
 * The Standard Webhooks signature against the specification's test vector and bad secrets;
 * RFC 2047 subjects, decoded back and checked for line lengths and whole characters; the
 * RFC 5322 message notify_mail_text() writes (headers, CRLF, threading, quoted-printable
 * body decoded back); and conf_channels_load() on a good list and on a table of bad ones,
 * each refused with "FILE:LINE: message" at the line marked "#<" in the fixture text; and
 * notify_send() through each channel type (log, webhook, smtp): what each refuses, and an
 * attempt of each that needs no receiver (the log, a failed set-up, a refused connection);
 * and webhooks one after another and in a burst to a small HTTP receiver on the test's own
 * loop, on the easy handles the notifier reuses.
 *
 * Fixtures (configurations and secret files) are written to a fresh directory from
 * mkdtemp() and removed afterwards. Mail to an SMTP server, and webhooks over TLS, are tested
 * in tests/integration/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <libconfig.h>

#include "conf/conf_impl.h"
#include <uv.h>

#include "conf/conf.h"
#include "delivery/notify.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MARK	  "#<"

/* ---- Helpers ---- */

static int
b64val(char c)
{
	const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(abc, c) : NULL;

	return p ? (int)(p - abc) : -1;
}

/* Decodes n characters of padded base64 at s, appending to out (NUL-terminated). */
static size_t
b64_append(const char *s, size_t n, char *out, size_t len, size_t cap)
{
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64val(s[i]);

		assert_true(v >= 0);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(len + 1 < cap);
			out[len++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[len] = '\0';
	return len;
}

/*
 * Decodes a Subject value: unfolds, then joins encoded words (the space between two of them
 * is not text, RFC 2047 6.2). Plain text passes as is. Checks every word's shape and that
 * each decodes to whole UTF-8 characters.
 */
static void
decode_subject(const char *v, char *out, size_t cap)
{
	char unfolded[4096];
	size_t k = 0, len = 0;
	const char *p;

	for (p = v; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		assert_true(k + 1 < sizeof(unfolded));
		unfolded[k++] = *p;
	}
	unfolded[k] = '\0';
	out[0] = '\0';
	if (strncmp(unfolded, "=?", 2) != 0) {
		assert_true(k < cap);
		memcpy(out, unfolded, k + 1);
		return;
	}
	for (p = unfolded; *p;) {
		const char *end;
		size_t before = len;

		assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
		p += 10;
		end = strstr(p, "?=");
		assert_non_null(end);
		assert_true(end - p + 12 <= 75);
		len = b64_append(p, (size_t)(end - p), out, len, cap);
		/* Whole characters in each word: it starts on a lead byte. */
		assert_true(len > before);
		assert_true(((unsigned char)out[before] & 0xc0) != 0x80);
		p = end + 2;
		if (*p == ' ')
			p++;
	}
}

static void
check_lines(const char *s, size_t max)
{
	size_t col = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			p++;
			col = 0;
			continue;
		}
		assert_int_not_equal(*p, '\n');
		col++;
		assert_true(col <= max);
	}
}

/* ---- Signature ---- */

#define VEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VEC_ID	   "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VEC_BODY   "{\"test\": 2432232314}"
#define VEC_SIG	   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
test_sign_vector(void **state)
{
	char sig[NOTIFY_SIGN_MAX];

	(void)state;
	assert_int_equal(notify_sign(VEC_SECRET, VEC_ID, 1614265330, VEC_BODY, strlen(VEC_BODY),
				     sig, sizeof(sig)),
			 0);
	assert_string_equal(sig, VEC_SIG);
	/* Any change of id, time or body changes it. */
	assert_int_equal(notify_sign(VEC_SECRET, VEC_ID, 1614265331, VEC_BODY, strlen(VEC_BODY),
				     sig, sizeof(sig)),
			 0);
	assert_string_not_equal(sig, VEC_SIG);
	assert_int_equal(notify_sign(VEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJel", 1614265330,
				     VEC_BODY, strlen(VEC_BODY), sig, sizeof(sig)),
			 0);
	assert_string_not_equal(sig, VEC_SIG);
	assert_int_equal(notify_sign(VEC_SECRET, VEC_ID, 1614265330, VEC_BODY, strlen(VEC_BODY) - 1,
				     sig, sizeof(sig)),
			 0);
	assert_string_not_equal(sig, VEC_SIG);
	/*
	 * Keyed contexts are kept for a number of secrets at a time: with more secrets in turn
	 * than that, each signature is still its own secret's (against OpenSSL's one-shot
	 * HMAC), and the vector's again at the end.
	 */
	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < 40; k++) {
			unsigned char key[16] = { (unsigned char)k, (unsigned char)round, 7 };
			unsigned char mac[EVP_MAX_MD_SIZE], b64[64];
			unsigned int mac_len = 0;
			char secret[80], want[80], msg[128];

			EVP_EncodeBlock(b64, key, sizeof(key));
			snprintf(secret, sizeof(secret), "whsec_%s", (const char *)b64);
			snprintf(msg, sizeof(msg), "%s.%d.%s", VEC_ID, 1614265330, VEC_BODY);
			HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg,
			     strlen(msg), mac, &mac_len);
			EVP_EncodeBlock(b64, mac, (int)mac_len);
			snprintf(want, sizeof(want), "v1,%s", (const char *)b64);
			assert_int_equal(notify_sign(secret, VEC_ID, 1614265330, VEC_BODY,
						     strlen(VEC_BODY), sig, sizeof(sig)),
					 0);
			assert_string_equal(sig, want);
		}
	}
	assert_int_equal(notify_sign(VEC_SECRET, VEC_ID, 1614265330, VEC_BODY, strlen(VEC_BODY),
				     sig, sizeof(sig)),
			 0);
	assert_string_equal(sig, VEC_SIG);
	/*
	 * A key whose base64 needs padding (17 bytes, 0x00..0x10): the same key with the '='
	 * written out or left off. The expected signature is HMAC-SHA256 computed
	 * independently (Python's hmac) over the vector's id, time and body.
	 */
	for (size_t i = 0; i < 2; i++) {
		static const char *const keys[] = { "whsec_AAECAwQFBgcICQoLDA0ODxA=",
						    "whsec_AAECAwQFBgcICQoLDA0ODxA" };

		assert_int_equal(notify_sign(keys[i], VEC_ID, 1614265330, VEC_BODY,
					     strlen(VEC_BODY), sig, sizeof(sig)),
				 0);
		assert_string_equal(sig, "v1,3raP8vZMIcU5pxlWbRpz+J1nCT6kv9uX8Gx9apNI+S4=");
	}
}

/* 16 base64 characters: 12 bytes. */
#define A16 "AAAAAAAAAAAAAAAA"

static void
test_sign_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"whsec_",
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",	   /* no prefix */
		"WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  /* prefix case */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",  /* not base64 */
		"whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw", /* a space */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwA", /* 4n+1 characters */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=", /* padding where none fits */
		"whsec_MfKQ9r8GKYqr=wjUPD8ILPZIo2LaLaSw",  /* '=' inside */
		"whsec_AAAAAAAAAAAAAAAAAAAA",		   /* 15 bytes: too short */
		"whsec_" A16 A16 A16 A16 A16 A16,	   /* 72 bytes: too long */
	};
	char sig[NOTIFY_SIGN_MAX];

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		if (notify_sign(bad[i], VEC_ID, 1, VEC_BODY, strlen(VEC_BODY), sig, sizeof(sig)) !=
		    -EINVAL)
			fail_msg("secret \"%s\" accepted", bad[i]);
	}
	assert_int_equal(notify_sign(NULL, VEC_ID, 1, "", 0, sig, sizeof(sig)), -EINVAL);
	assert_int_equal(notify_sign(VEC_SECRET, VEC_ID, 1, VEC_BODY, strlen(VEC_BODY), sig,
				     NOTIFY_SIGN_MAX - 1),
			 -ENOSPC);
	/* 16 bytes, the shortest key taken. */
	assert_int_equal(
		notify_sign("whsec_AAAAAAAAAAAAAAAAAAAAAA==", VEC_ID, 1, "", 0, sig, sizeof(sig)),
		0);
	assert_int_equal(strncmp(sig, "v1,", 3), 0);
	assert_int_equal(strlen(sig), 3 + 44);
}

/* ---- RFC 2047 ---- */

static void
test_rfc2047(void **state)
{
	static const char subject[] = "Klagefrist g\xc3\xa5r ut \xe2\x80\x93 sak 2026/17";
	char decoded[1024], *s;

	(void)state;
	s = notify_rfc2047(subject);
	assert_non_null(s);
	assert_true(strncmp(s, "=?UTF-8?B?", 10) == 0);
	for (const char *p = s; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	free(s);

	/* Plain ASCII passes through. */
	s = notify_rfc2047("Frist om 7 dager: sak 2026/17");
	assert_string_equal(s, "Frist om 7 dager: sak 2026/17");
	free(s);
	s = notify_rfc2047("");
	assert_string_equal(s, "");
	free(s);
	s = notify_rfc2047(NULL);
	assert_string_equal(s, "");
	free(s);

	/* What would read as an encoded word, or break the header, is encoded. */
	s = notify_rfc2047("=?UTF-8?B?QUJD?=");
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, "=?UTF-8?B?QUJD?=");
	assert_string_not_equal(s, "=?UTF-8?B?QUJD?=");
	free(s);
	s = notify_rfc2047("two\r\nBcc: x@example.org");
	assert_null(strchr(s, '\n'));
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, "two\r\nBcc: x@example.org");
	free(s);

	/* Not UTF-8. */
	assert_null(notify_rfc2047("sak \xe5r"));
}

static void
test_rfc2047_folding(void **state)
{
	char subject[1024], decoded[2048], *s, *line;
	size_t n = 0;

	(void)state;
	/* 60 times "æøå " (7 bytes each): many words, none split inside a character. */
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(subject + n, sizeof(subject) - n,
				      "\xc3\xa6\xc3\xb8\xc3\xa5 ");
	s = notify_rfc2047(subject);
	assert_non_null(s);
	assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
	/* Every line within 76 octets (RFC 2047 § 2: lines with encoded words), the first
	 * after "Subject: ". */
	line = malloc(strlen(s) + 16);
	snprintf(line, strlen(s) + 16, "Subject: %s", s);
	check_lines(line, 76);
	free(line);
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	free(s);

	/* A long ASCII subject is folded at spaces, and unfolds to itself. */
	n = 0;
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(subject + n, sizeof(subject) - n, "%sfrist%d", i ? " " : "",
				      i);
	s = notify_rfc2047(subject);
	assert_non_null(strstr(s, "\r\n "));
	line = malloc(strlen(s) + 16);
	snprintf(line, strlen(s) + 16, "Subject: %s", s);
	check_lines(line, 78);
	free(line);
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	free(s);

	/* One ASCII word longer than a line: encoded, which folds. */
	memset(subject, 'x', 300);
	subject[300] = '\0';
	s = notify_rfc2047(subject);
	assert_true(strncmp(s, "=?UTF-8?B?", 10) == 0);
	decode_subject(s, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	free(s);
}

/* ---- The message ---- */

/* The value of header name in message m (unfolded, owned), or NULL. */
static char *
header(const char *m, const char *name)
{
	size_t nl = strlen(name);
	const char *end = strstr(m, "\r\n\r\n");
	char *v;
	size_t k = 0;

	assert_non_null(end);
	for (const char *p = m; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		p += nl + 1;
		while (*p == ' ')
			p++;
		v = malloc(strlen(p) + 1);
		while (p < end + 2) {
			if (p[0] == '\r' && p[1] == '\n') {
				if (p[2] != ' ' && p[2] != '\t')
					break;
				p += 2;
				continue;
			}
			v[k++] = *p++;
		}
		v[k] = '\0';
		return v;
	}
	return NULL;
}

static void
assert_header(const char *m, const char *name, const char *want)
{
	char *v = header(m, name);

	if (!v)
		fail_msg("no %s header in:\n%s", name, m);
	if (strcmp(v, want) != 0)
		fail_msg("%s: \"%s\", want \"%s\"", name, v, want);
	free(v);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a quoted-printable body (CRLF lines) to '\n' lines. */
static void
qp_decode(const char *b, char *out, size_t cap)
{
	size_t k = 0;

	for (const char *p = b; *p;) {
		assert_true(k + 2 < cap);
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=') {
			int hi = hexval(p[1]), lo = hexval(p[2]);

			assert_true(hi >= 0 && lo >= 0);
			out[k++] = (char)(hi * 16 + lo);
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			out[k++] = '\n';
			p += 2;
		} else {
			/* Literal bytes are printable ASCII, no trailing space. */
			assert_true(*p == '\t' || (*p >= 0x20 && *p < 0x7f));
			if (*p == ' ' || *p == '\t')
				assert_false(p[1] == '\r');
			out[k++] = *p++;
		}
	}
	out[k] = '\0';
}

static const char *const two_to[] = { "saksbehandler@kommune.no", "leder@kommune.no" };

static void
test_mail_text(void **state)
{
	static const char text[] = "Hei,\n\nklagefristen i sak 2026/17 g\xc3\xa5r ut 03.03.2026.\n"
				   "Linje med = og mellomrom p\xc3\xa5 slutten \n";
	const struct notify_msg m = {
		.id = "rem-42.1",
		.thread = "case-2026-17",
		.subject = "Klagefrist g\xc3\xa5r ut \xe2\x80\x93 sak 2026/17",
		.text = text,
		.to = two_to,
		.n_to = 2,
	};
	char decoded[2048], *s, *v;
	const char *body;

	(void)state;
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1614265330, NULL);
	assert_non_null(s);
	check_lines(s, 998);
	/* Ends with CRLF; the header ends at the first empty line. */
	assert_string_equal(s + strlen(s) - 2, "\r\n");
	body = strstr(s, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_header(s, "Date", "Thu, 25 Feb 2021 15:02:10 +0000");
	assert_header(s, "From", "fristvakt@kommune.no");
	assert_header(s, "To", "saksbehandler@kommune.no, leder@kommune.no");
	assert_header(s, "Message-ID", "<rem-42.1@kommune.no>");
	assert_header(s, "In-Reply-To", "<case-2026-17@kommune.no>");
	assert_header(s, "References", "<case-2026-17@kommune.no>");
	assert_header(s, "MIME-Version", "1.0");
	assert_header(s, "Content-Type", "text/plain; charset=UTF-8");
	assert_header(s, "Content-Transfer-Encoding", "quoted-printable");
	v = header(s, "Subject");
	decode_subject(v, decoded, sizeof(decoded));
	assert_string_equal(decoded, m.subject);
	free(v);
	qp_decode(body, decoded, sizeof(decoded));
	assert_string_equal(decoded, text);
	check_lines(body, 76);
	free(s);

	/* An explicit domain; no thread, no threading headers; an ASCII body is 7bit. */
	{
		const struct notify_msg m2 = {
			.id = "a", .subject = "Frist", .text = "Hei.", .to = two_to, .n_to = 1
		};

		s = notify_mail_text(&m2, "fristvakt@kommune.no", 0, "varsel.kommune.no");
		assert_non_null(s);
		assert_header(s, "Date", "Thu, 01 Jan 1970 00:00:00 +0000");
		assert_header(s, "Message-ID", "<a@varsel.kommune.no>");
		assert_header(s, "Subject", "Frist");
		assert_header(s, "Content-Transfer-Encoding", "7bit");
		assert_null(header(s, "In-Reply-To"));
		assert_null(header(s, "References"));
		assert_string_equal(strstr(s, "\r\n\r\n"), "\r\n\r\nHei.\r\n");
		free(s);
	}
}

/*
 * E-mail conventions: the encoded Subject's lines, the first included, within RFC 2047's 76
 * octets (it was 77: "Subject: " and a 68-character word); the same "[fristvakt REF] "
 * prefix on every subject of a case; no auto-replies (Auto-Submitted,
 * X-Auto-Response-Suppress, Precedence).
 */
static void
test_mail_conventions(void **state)
{
	static const char subject[] = "Saksbehandlingsfristen i sak 2026/17 g\xc3\xa5r ut i dag "
				      "\xe2\x80\x93 \xc3\xb8konomisk st\xc3\xb8nad, "
				      "NAV Sentrum";
	struct notify_msg m = { .id = "rem-1.abc",
				.thread = "case-2026=2F17.abc",
				.topic = "fristvakt 2026/17",
				.subject = subject,
				.text = "Hei.",
				.to = two_to,
				.n_to = 1 };
	char decoded[1024], want[1024], *s, *v, *head, *end;

	(void)state;
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_non_null(s);
	end = strstr(s, "\r\n\r\n");
	head = strndup(s, (size_t)(end - s) + 2);
	/* Every header line within 76 octets here (each holds an encoded word or is short). */
	check_lines(head, 76);
	assert_non_null(strstr(head, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(head, "?=\r\n =?UTF-8?B?"));
	v = header(s, "Subject");
	decode_subject(v, decoded, sizeof(decoded));
	snprintf(want, sizeof(want), "[fristvakt 2026/17] %s", subject);
	assert_string_equal(decoded, want);
	free(v);
	assert_header(s, "Auto-Submitted", "auto-generated");
	assert_header(s, "X-Auto-Response-Suppress", "All");
	assert_header(s, "Precedence", "bulk");
	free(head);
	free(s);

	/* An ASCII subject keeps the prefix and is folded at 78 only when it must. */
	m.subject = "Frist om 7 dager";
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_header(s, "Subject", "[fristvakt 2026/17] Frist om 7 dager");
	free(s);
	/* No topic, no prefix. */
	m.topic = NULL;
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_header(s, "Subject", "Frist om 7 dager");
	free(s);
}

static void
test_mail_text_long_lines(void **state)
{
	char *text = malloc(3001), decoded[4096], *s;
	struct notify_msg m = { .id = "x1", .subject = "s", .to = two_to, .n_to = 1 };

	(void)state;
	/* A 3000-octet ASCII line: quoted-printable keeps lines short. */
	memset(text, 'a', 3000);
	text[3000] = '\0';
	m.text = text;
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_non_null(s);
	check_lines(s, 998);
	assert_header(s, "Content-Transfer-Encoding", "quoted-printable");
	qp_decode(strstr(s, "\r\n\r\n") + 4, decoded, sizeof(decoded));
	assert_int_equal(strlen(decoded), 3001);
	assert_int_equal(strncmp(decoded, text, 3000), 0);
	free(s);

	/* Many recipients fold the To header. */
	{
		const char *many[12];

		for (size_t i = 0; i < N_ELEM(many); i++)
			many[i] = "enhet.barnevern.saksbehandling@kommune.no";
		m.to = many;
		m.n_to = N_ELEM(many);
		m.text = "";
		s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
		check_lines(s, 78);
		free(s);
	}
	free(text);
}

static void
test_mail_text_bad(void **state)
{
	struct notify_msg m = { .id = "ok", .subject = "s", .text = "t", .to = two_to, .n_to = 1 };
	static const char *const bad_ids[] = { "",   "a b", "a\r\nBcc: x", "<a>",
					       ".a", "a.",  "a..b",	   "a@b" };
	static const char *const bad_to[] = { "x@y.no\r\nBcc: z@y.no" };

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad_ids); i++) {
		m.id = bad_ids[i];
		assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL));
		m.id = "ok";
		m.thread = bad_ids[i];
		assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL));
		m.thread = NULL;
	}
	assert_null(notify_mail_text(&m, "not-an-address", 1, NULL));
	assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, "bad domain"));
	m.to = bad_to;
	assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL));
	m.to = two_to;
	m.text = "\xff";
	assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL));
}

/*
 * The longest thread id ops/message.c makes: "fristvakt-case-" and a 64-byte case reference
 * with every byte but the first written =HH (207 characters) threads the mail; ids up to 256
 * characters are accepted, longer ones refused.
 */
static void
test_mail_text_long_thread(void **state)
{
	struct notify_msg m = { .id = "ok", .subject = "s", .text = "t", .to = two_to, .n_to = 1 };
	char thread[300], header[340], *s;
	size_t n;

	(void)state;
	n = (size_t)snprintf(thread, sizeof(thread), "fristvakt-case-A");
	for (int i = 0; i < 63; i++)
		n += (size_t)snprintf(thread + n, sizeof(thread) - n, "=2F");
	assert_int_equal(strlen(thread), 15 + 1 + 63 * 3);
	m.thread = thread;
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_non_null(s);
	snprintf(header, sizeof(header), "\r\nReferences: <%s@kommune.no>\r\n", thread);
	assert_non_null(strstr(s, header));
	free(s);
	memset(thread, 'x', 256);
	thread[256] = '\0';
	s = notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL);
	assert_non_null(s);
	free(s);
	thread[256] = 'x';
	thread[257] = '\0';
	assert_null(notify_mail_text(&m, "fristvakt@kommune.no", 1, NULL));
}

/* ---- Configuration ---- */

static char tmpdir[64];
static char conf_path[128];

#define SECRET_A "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SECRET_B "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static const struct {
	const char *name, *text;
} files[] = {
	{ "a.secret", SECRET_A "\n" },
	{ "b.secret", SECRET_B "  \n\n" },
	{ "pw", "hemmelig\n" },
	{ "nowhsec.secret", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n" },
	{ "short.secret", "whsec_AAAAAAAAAAAAAAAAAAAA\n" },
	{ "notb64.secret", "whsec_MfKQ9r8GKYqrTwjUPD8I*PZIo2LaLaSw\n" },
	{ "empty.secret", "\n" },
	{ "two-lines.pw", "a\nb\n" },
	{ "cred/web", SECRET_B "\n" },
	{ "cred/mail", "passord\n" },
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot create %s", path);
	if (fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("cannot write %s", path);
}

static int
setup_dir(void **state)
{
	char path[192];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fv-test-notify.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/channels.conf", tmpdir);
	snprintf(path, sizeof(path), "%s/cred", tmpdir);
	if (mkdir(path, 0700) < 0)
		return -1;
	for (size_t i = 0; i < N_ELEM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i].name);
		write_file(path, files[i].text);
	}
	snprintf(path, sizeof(path), "%s/cred", tmpdir);
	setenv("CREDENTIALS_DIRECTORY", path, 1);
	return 0;
}

static int
teardown_dir(void **state)
{
	char path[192];

	(void)state;
	for (size_t i = 0; i < N_ELEM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/cred", tmpdir);
	rmdir(path);
	unlink(conf_path);
	return rmdir(tmpdir);
}

/* text with every "@D@" replaced by the fixture directory (owned). */
static char *
expand(const char *text)
{
	size_t cap = strlen(text) * 2 + 1024, k = 0;
	char *out = malloc(cap);

	for (const char *p = text; *p;) {
		if (strncmp(p, "@D@", 3) == 0) {
			k += (size_t)snprintf(out + k, cap - k, "%s", tmpdir);
			p += 3;
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = '\0';
	return out;
}

static int
marked_line(const char *text)
{
	const char *m = strstr(text, MARK);
	int line = 1;

	if (!m)
		return 0;
	for (const char *p = text; p < m; p++)
		line += *p == '\n';
	return line;
}

/* Loads the channels of text: conf_channels_load's result, conf and err filled. */
static int
load(const char *text, struct conf *conf, struct diag *err)
{
	char *t = expand(text);
	config_t cfg;
	int ret;

	write_file(conf_path, t);
	free(t);
	memset(conf, 0, sizeof(*conf));
	memset(err, 0, sizeof(*err));
	config_init(&cfg);
	if (config_read_file(&cfg, conf_path) != CONFIG_TRUE)
		fail_msg("fixture does not parse: %s:%d: %s", conf_path, config_error_line(&cfg),
			 config_error_text(&cfg));
	ret = conf_channels_load(config_root_setting(&cfg), conf, err);
	config_destroy(&cfg);
	return ret;
}

static const char good_text[] =
	"channels = (\n"
	"\t{\n"
	"\t\tname = \"ops-hook\";\n"
	"\t\ttype = \"webhook\";\n"
	"\t\turl = \"https://hooks.kommune.no/fristvakt\";\n"
	"\t\tsecret_file = \"@D@/a.secret\";\n"
	"\t\tprevious_secret_file = \"@D@/b.secret\";\n"
	"\t\tconcurrency = 2;\n"
	"\t\tconnect_timeout = 5;\n"
	"\t\ttimeout = 20;\n"
	"\t},\n"
	"\t{\n"
	"\t\tname = \"local_hook\";\n"
	"\t\ttype = \"webhook\";\n"
	"\t\turl = \"http://127.0.0.1:8080/hook\";\n"
	"\t\tsecret_credential = \"web\";\n"
	"\t},\n"
	"\t{\n"
	"\t\tname = \"mail\";\n"
	"\t\ttype = \"smtp\";\n"
	"\t\turl = \"smtp://smtp.kommune.no:587\";\n"
	"\t\tfrom = \"fristvakt@kommune.no\";\n"
	"\t\tusername = \"fristvakt\";\n"
	"\t\tpassword_credential = \"mail\";\n"
	"\t\tca_file = \"@D@/a.secret\";\n"
	"\t},\n"
	"\t{\n"
	"\t\tname = \"mail2\";\n"
	"\t\ttype = \"smtp\";\n"
	"\t\turl = \"smtps://smtp.kommune.no\";\n"
	"\t\tfrom = \"fristvakt@kommune.no\";\n"
	"\t\tpassword_file = \"@D@/pw\";\n"
	"\t\tusername = \"u\";\n"
	"\t},\n"
	"\t{ name = \"relay\"; type = \"smtp\"; url = \"smtp://localhost:25\"; tls = \"none\";\n"
	"\t  from = \"a@b\"; }\n"
	");\n";

static void
test_channels_good(void **state)
{
	const struct conf_channel *c;
	struct diag err;
	struct conf conf;
	char path[192];

	(void)state;
	if (load(good_text, &conf, &err) != 0)
		fail_msg("good channels refused: %s", err.text);
	assert_int_equal(conf.n_channels, 6);

	c = conf_channel_find(&conf, "ops-hook");
	assert_non_null(c);
	assert_int_equal(c->type, CONF_CHANNEL_WEBHOOK);
	assert_string_equal(c->url, "https://hooks.kommune.no/fristvakt");
	assert_string_equal(c->secret, SECRET_A);
	assert_string_equal(c->secret_previous, SECRET_B);
	assert_int_equal(c->concurrency, 2);
	assert_int_equal(c->connect_timeout_ms, 5000);
	assert_int_equal(c->timeout_ms, 20000);
	assert_null(c->ca_file);

	c = conf_channel_find(&conf, "local_hook");
	assert_non_null(c);
	assert_string_equal(c->secret, SECRET_B);
	assert_null(c->secret_previous);
	assert_int_equal(c->concurrency, 4);
	assert_int_equal(c->connect_timeout_ms, 10000);
	assert_int_equal(c->timeout_ms, 30000);

	c = conf_channel_find(&conf, "mail");
	assert_non_null(c);
	assert_int_equal(c->type, CONF_CHANNEL_SMTP);
	assert_int_equal(c->tls, CONF_SMTP_STARTTLS);
	assert_string_equal(c->from, "fristvakt@kommune.no");
	assert_string_equal(c->username, "fristvakt");
	assert_string_equal(c->password, "passord");
	snprintf(path, sizeof(path), "%s/a.secret", tmpdir);
	assert_string_equal(c->ca_file, path);

	c = conf_channel_find(&conf, "mail2");
	assert_int_equal(c->tls, CONF_SMTP_IMPLICIT);
	assert_string_equal(c->password, "hemmelig");
	c = conf_channel_find(&conf, "relay");
	assert_int_equal(c->tls, CONF_SMTP_NONE);
	assert_null(c->username);
	assert_null(c->password);

	/* The built-in log channel. */
	c = conf_channel_find(&conf, "log");
	assert_non_null(c);
	assert_int_equal(c->type, CONF_CHANNEL_LOG);
	assert_null(conf_channel_find(&conf, "nope"));
	conf_channels_free(&conf);
	assert_null(conf.channels);
	assert_int_equal(conf.n_channels, 0);
	conf_channels_free(&conf);

	/* No list at all, an empty one, and "log" configured explicitly: one log channel. */
	assert_int_equal(load("log_level = \"info\";\n", &conf, &err), 0);
	assert_int_equal(conf.n_channels, 1);
	assert_string_equal(conf.channels[0].name, "log");
	conf_channels_free(&conf);
	assert_int_equal(load("channels = ();\n", &conf, &err), 0);
	assert_int_equal(conf.n_channels, 1);
	conf_channels_free(&conf);
	assert_int_equal(
		load("channels = ( { name = \"log\"; type = \"log\"; concurrency = 1; } );\n",
		     &conf, &err),
		0);
	assert_int_equal(conf.n_channels, 1);
	assert_int_equal(conf.channels[0].concurrency, 1);
	conf_channels_free(&conf);

	/*
	 * Regression: on one line, "connect_timeout = 5" was read back as the literal of
	 * "timeout" (a suffix of it) and the file refused as holding a wrapped integer.
	 */
	assert_int_equal(load("channels = ( { name = \"h\"; type = \"webhook\"; url = "
			      "\"https://x.no/\"; secret_file = \"@D@/a.secret\"; "
			      "connect_timeout = 5; timeout = 20; concurrency = 3; } );\n",
			      &conf, &err),
			 0);
	c = conf_channel_find(&conf, "h");
	assert_int_equal(c->connect_timeout_ms, 5000);
	assert_int_equal(c->timeout_ms, 20000);
	assert_int_equal(c->concurrency, 3);
	conf_channels_free(&conf);
}

struct bad_case {
	const char *name;
	const char *text;
	int ret;
	const char *phrase; /* "@D@" expanded */
};

#define HOOK(lines)                                                                                \
	"channels = (\n\t{\n\t\tname = \"h\";\n\t\ttype = \"webhook\";\n" lines "\t}\n);\n"
#define HOOK_URL    "\t\turl = \"https://hooks.kommune.no/x\";\n"
#define HOOK_SECRET "\t\tsecret_file = \"@D@/a.secret\";\n"
#define MAIL(lines) "channels = (\n\t{\n\t\tname = \"m\";\n\t\ttype = \"smtp\";\n" lines "\t}\n);\n"
#define MAIL_URL    "\t\turl = \"smtp://smtp.kommune.no:587\";\n"
#define MAIL_FROM   "\t\tfrom = \"fristvakt@kommune.no\";\n"

static const struct bad_case bad_cases[] = {
	{ "channels not a list", "channels = { name = \"x\"; }; " MARK "\n", -EINVAL,
	  "'channels' must be a list" },
	{ "entry not a group", "channels = (\n\t\"log\" ); " MARK "\n", -EINVAL,
	  "must be a group" },
	{ "unknown key", HOOK(HOOK_URL HOOK_SECRET "\t\tsecrt = \"x\"; " MARK "\n"), -EINVAL,
	  "unknown setting 'secrt'" },
	{ "missing name",
	  "channels = (\n\t{ " MARK "\n\t\ttype = \"log\";\n\t\tconcurrency = 1;\n\t}\n);\n",
	  -EINVAL, "needs 'name'" },
	{ "bad name",
	  "channels = (\n\t{\n\t\tname = \"Drift Hook\"; " MARK "\n\t\ttype = \"log\";\n\t}\n);\n",
	  -EINVAL, "must be 1 to 64 of a-z" },
	{ "duplicate name",
	  "channels = (\n\t{ name = \"a\"; type = \"log\"; },\n\t{ name = \"a\"; " MARK
	  "\n\t  type = \"log\"; }\n);\n",
	  -EEXIST, "'a' is already defined" },
	{ "unknown type",
	  "channels = (\n\t{\n\t\tname = \"x\";\n\t\ttype = \"sms\"; " MARK "\n\t}\n);\n", -EINVAL,
	  "'type' must be" },
	{ "log redefined",
	  "channels = (\n\t{\n\t\tname = \"log\";\n\t\ttype = \"webhook\"; " MARK "\n\t}\n);\n",
	  -EINVAL, "built in" },
	{ "key of another type on log",
	  "channels = (\n\t{\n\t\tname = \"l\";\n\t\ttype = \"log\";\n\t\turl = \"https://x\"; " MARK
	  "\n\t}\n);\n",
	  -EINVAL, "'url' does not apply to a channel of type \"log\"" },
	{ "concurrency 0", HOOK(HOOK_URL HOOK_SECRET "\t\tconcurrency = 0; " MARK "\n"), -ERANGE,
	  "'concurrency' must be between 1 and 64 (is 0)" },
	{ "concurrency 65", HOOK(HOOK_URL HOOK_SECRET "\t\tconcurrency = 65; " MARK "\n"), -ERANGE,
	  "(is 65)" },
	{ "timeout 301", HOOK(HOOK_URL HOOK_SECRET "\t\ttimeout = 301; " MARK "\n"), -ERANGE,
	  "'timeout' must be between 1 and 300" },
	{ "connect_timeout a string",
	  HOOK(HOOK_URL HOOK_SECRET "\t\tconnect_timeout = \"10\"; " MARK "\n"), -EINVAL,
	  "'connect_timeout' must be an integer" },
	{ "concurrency past 32 bits",
	  HOOK(HOOK_URL HOOK_SECRET "\t\tconcurrency = 4294967297; " MARK "\n"), -ERANGE,
	  "'concurrency' must be between 1 and 64" },

	/* Webhooks. */
	{ "webhook without url",
	  "channels = (\n\t{ " MARK "\n\t\tname = \"h\";\n\t\ttype = \"webhook\";\n" HOOK_SECRET
	  "\t}\n);\n",
	  -EINVAL, "needs 'url'" },
	{ "webhook over http",
	  HOOK("\t\turl = \"http://hooks.kommune.no/x\"; " MARK "\n" HOOK_SECRET), -EINVAL,
	  "must start with https://" },
	{ "webhook over http to 127.0.0.2",
	  HOOK("\t\turl = \"http://127.0.0.2:8080/x\"; " MARK "\n" HOOK_SECRET), -EINVAL,
	  "must start with https://" },
	{ "webhook over ftp",
	  HOOK("\t\turl = \"ftp://hooks.kommune.no/x\"; " MARK "\n" HOOK_SECRET), -EINVAL,
	  "must start with https://" },
	{ "webhook url with user information",
	  HOOK("\t\turl = \"http://localhost@evil.example/x\"; " MARK "\n" HOOK_SECRET), -EINVAL,
	  "user information" },
	{ "webhook url with a bad port",
	  HOOK("\t\turl = \"https://hooks.kommune.no:99999/x\"; " MARK "\n" HOOK_SECRET), -EINVAL,
	  "bad port" },
	{ "webhook url without a host", HOOK("\t\turl = \"https:///x\"; " MARK "\n" HOOK_SECRET),
	  -EINVAL, "has no host" },
	{ "webhook without secret",
	  "channels = (\n\t{ " MARK "\n\t\tname = \"h\";\n\t\ttype = \"webhook\";\n" HOOK_URL
	  "\t}\n);\n",
	  -EINVAL, "needs 'secret_file' or 'secret_credential'" },
	{ "secret file missing",
	  HOOK(HOOK_URL "\t\tsecret_file = \"@D@/missing.secret\"; " MARK "\n"), -ENOENT,
	  "cannot read secret file '@D@/missing.secret': No such file or directory" },
	{ "secret without whsec_",
	  HOOK(HOOK_URL "\t\tsecret_file = \"@D@/nowhsec.secret\"; " MARK "\n"), -EINVAL,
	  "the secret in '@D@/nowhsec.secret' must start with \"whsec_\"" },
	{ "secret too short", HOOK(HOOK_URL "\t\tsecret_file = \"@D@/short.secret\"; " MARK "\n"),
	  -EINVAL, "decodes to 15 bytes" },
	{ "secret not base64", HOOK(HOOK_URL "\t\tsecret_file = \"@D@/notb64.secret\"; " MARK "\n"),
	  -EINVAL, "is not base64" },
	{ "secret file empty", HOOK(HOOK_URL "\t\tsecret_file = \"@D@/empty.secret\"; " MARK "\n"),
	  -EINVAL, "must hold one line" },
	{ "secret file a directory", HOOK(HOOK_URL "\t\tsecret_file = \"@D@\"; " MARK "\n"),
	  -EISDIR, "cannot read secret file '@D@': Is a directory" },
	{ "two secrets", HOOK(HOOK_URL HOOK_SECRET "\t\tsecret_credential = \"web\"; " MARK "\n"),
	  -EINVAL, "set only one of 'secret_file' and 'secret_credential'" },
	{ "credential missing", HOOK(HOOK_URL "\t\tsecret_credential = \"nope\"; " MARK "\n"),
	  -ENOENT, "@D@/cred/nope" },
	{ "credential a path", HOOK(HOOK_URL "\t\tsecret_credential = \"../a.secret\"; " MARK "\n"),
	  -EINVAL, "a credential name, not a path" },
	{ "previous secret malformed",
	  HOOK(HOOK_URL HOOK_SECRET "\t\tprevious_secret_file = \"@D@/short.secret\"; " MARK "\n"),
	  -EINVAL, "decodes to 15 bytes" },
	{ "smtp key on a webhook", HOOK(HOOK_URL HOOK_SECRET "\t\tfrom = \"a@b\"; " MARK "\n"),
	  -EINVAL, "'from' does not apply to a channel of type \"webhook\"" },
	{ "ca_file missing", HOOK(HOOK_URL HOOK_SECRET "\t\tca_file = \"@D@/ca.pem\"; " MARK "\n"),
	  -ENOENT, "cannot read 'ca_file' '@D@/ca.pem'" },

	/* SMTP. */
	{ "smtp without url",
	  "channels = (\n\t{ " MARK "\n\t\tname = \"m\";\n\t\ttype = \"smtp\";\n" MAIL_FROM
	  "\t}\n);\n",
	  -EINVAL, "needs 'url'" },
	{ "smtp url https", MAIL("\t\turl = \"https://smtp.kommune.no\"; " MARK "\n" MAIL_FROM),
	  -EINVAL, "must be smtp://host[:port] or smtps://" },
	{ "smtp url with a path",
	  MAIL("\t\turl = \"smtp://smtp.kommune.no/x\"; " MARK "\n" MAIL_FROM), -EINVAL,
	  "without a path" },
	{ "smtp without from",
	  "channels = (\n\t{ " MARK "\n\t\tname = \"m\";\n\t\ttype = "
	  "\"smtp\";\n" MAIL_URL "\t}\n);\n",
	  -EINVAL, "needs 'from'" },
	{ "smtp from not an address",
	  MAIL(MAIL_URL "\t\tfrom = \"Fristvakt <fristvakt@kommune.no>\"; " MARK "\n"), -EINVAL,
	  "must be a plain address" },
	{ "smtp tls none to a remote relay",
	  MAIL(MAIL_URL MAIL_FROM "\t\ttls = \"none\"; " MARK "\n"), -EINVAL,
	  "only for a relay on 127.0.0.1" },
	{ "smtp tls implicit with smtp://",
	  MAIL(MAIL_URL MAIL_FROM "\t\ttls = \"implicit\"; " MARK "\n"), -EINVAL,
	  "needs an smtps:// 'url'" },
	{ "smtp tls starttls with smtps://",
	  MAIL("\t\turl = \"smtps://smtp.kommune.no\";\n" MAIL_FROM "\t\ttls = \"starttls\"; " MARK
	       "\n"),
	  -EINVAL, "needs 'tls' = \"implicit\"" },
	{ "smtp tls unknown", MAIL(MAIL_URL MAIL_FROM "\t\ttls = \"ssl\"; " MARK "\n"), -EINVAL,
	  "'tls' must be" },
	{ "smtp password without username",
	  "channels = (\n\t{ " MARK "\n\t\tname = \"m\";\n\t\ttype = \"smtp\";\n" MAIL_URL MAIL_FROM
	  "\t\tpassword_file = \"@D@/pw\";\n\t}\n);\n",
	  -EINVAL, "a password but no 'username'" },
	{ "smtp password of two lines",
	  MAIL(MAIL_URL MAIL_FROM
	       "\t\tusername = \"u\";\n\t\tpassword_file = \"@D@/two-lines.pw\"; " MARK "\n"),
	  -EINVAL, "must hold one line" },
	{ "webhook key on smtp",
	  MAIL(MAIL_URL MAIL_FROM "\t\tsecret_credential = \"web\"; " MARK "\n"), -EINVAL,
	  "does not apply to a channel of type \"smtp\"" },
};

static bool
check_bad(const struct bad_case *c)
{
	struct diag err;
	struct conf conf;
	char prefix[256], *phrase = expand(c->phrase);
	int line = marked_line(c->text), ret;
	bool ok = false;

	ret = load(c->text, &conf, &err);
	if (ret >= 0) {
		print_error("%s: accepted\n", c->name);
		conf_channels_free(&conf);
		goto out;
	}
	if (conf.channels || conf.n_channels) {
		print_error("%s: channels left behind after a failure\n", c->name);
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "%s:%d: ", conf_path, line);
	if (ret != c->ret) {
		print_error("%s: returned %d, want %d (%s)\n", c->name, ret, c->ret, err.text);
		goto out;
	}
	if (line == 0 || strncmp(err.text, prefix, strlen(prefix)) != 0) {
		print_error("%s: error \"%s\" does not start with \"%s\"\n", c->name, err.text,
			    prefix);
		goto out;
	}
	if (!strstr(err.text + strlen(prefix), phrase)) {
		print_error("%s: error \"%s\" lacks \"%s\"\n", c->name, err.text, phrase);
		goto out;
	}
	ok = true;
out:
	free(phrase);
	return ok;
}

static void
test_channels_bad(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad_cases); i++)
		failed += !check_bad(&bad_cases[i]);
	if (failed)
		fail_msg("%zu of %zu bad channel lists not refused as they should be", failed,
			 N_ELEM(bad_cases));
}

/* Without $CREDENTIALS_DIRECTORY a credential cannot be found; the error says why. */
static void
test_channels_no_credentials_directory(void **state)
{
	static const struct bad_case c = { "no $CREDENTIALS_DIRECTORY",
					   HOOK(HOOK_URL "\t\tsecret_credential = \"web\"; " MARK
							 "\n"),
					   -ENOENT, "needs $CREDENTIALS_DIRECTORY" };
	char *saved = strdup(getenv("CREDENTIALS_DIRECTORY"));

	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_true(check_bad(&c));
	setenv("CREDENTIALS_DIRECTORY", saved, 1);
	free(saved);
}

/* ---- notify_send through each channel type ---- */

/* What a job's callback saw. */
struct outcome {
	unsigned calls;
	struct notify_result r;
};

static void
outcome_cb(void *arg, const struct notify_result *r)
{
	struct outcome *o = arg;

	o->calls++;
	o->r = *r;
}

static void
stopped_cb(void *arg)
{
	*(bool *)arg = true;
}

/* A TCP port on 127.0.0.1 that refuses connections (bound, not listening), and its socket. */
static int
refusing_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* Runs loop until every outcome of os has its callback. */
static void
run_until(uv_loop_t *loop, struct outcome *const *os, size_t n)
{
	for (int turns = 0; turns < 100000; turns++) {
		size_t done = 0;

		for (size_t i = 0; i < n; i++)
			done += os[i]->calls;
		if (done == n)
			return;
		uv_run(loop, UV_RUN_ONCE);
	}
	fail_msg("the callbacks did not come");
}

/*
 * Each type's checks of a message (notify_send refuses it with -EINVAL), the log's
 * attempt, a webhook and a mail that cannot be set up (bad secret, bad sender), and a
 * webhook and a mail to a port that refuses: each gets its callback once, from the loop,
 * never inside notify_send.
 */
static void
test_send_types(void **state)
{
	char url_hook[64], url_mail[64];
	int fd, port = refusing_port(&fd);
	struct conf_channel ch[] = {
		{ .name = "log", .type = CONF_CHANNEL_LOG },
		{ .name = "hook",
		  .type = CONF_CHANNEL_WEBHOOK,
		  .url = url_hook,
		  .secret = SECRET_A },
		{ .name = "hook-bad",
		  .type = CONF_CHANNEL_WEBHOOK,
		  .url = url_hook,
		  .secret = "whsec_AAAA" },
		{ .name = "mail",
		  .type = CONF_CHANNEL_SMTP,
		  .url = url_mail,
		  .from = "fristvakt@kommune.no",
		  .tls = CONF_SMTP_NONE },
		{ .name = "mail-bad",
		  .type = CONF_CHANNEL_SMTP,
		  .url = url_mail,
		  .from = "nobody",
		  .tls = CONF_SMTP_NONE },
	};
	struct conf conf = { .channels = ch, .n_channels = N_ELEM(ch) };
	const char *to[] = { "postmottak@kommune.no" }, *bad_to[] = { "not an address" };
	json_t *body = json_pack("{ss}", "event", "reminder"), *str = json_string("x");
	struct notify_msg m = { .id = "msg_1", .subject = "Frist", .text = "a\nb" };
	struct outcome o_log = { 0 }, o_hook = { 0 }, o_hook_bad = { 0 }, o_mail = { 0 };
	struct outcome o_mail_bad = { 0 },
		       *all[] = { &o_log, &o_hook, &o_hook_bad, &o_mail, &o_mail_bad };
	uv_loop_t loop;
	struct notify *n;
	bool stopped = false;

	(void)state;
	for (size_t i = 0; i < N_ELEM(ch); i++) {
		ch[i].concurrency = 1;
		ch[i].connect_timeout_ms = ch[i].timeout_ms = 5000;
	}
	snprintf(url_hook, sizeof(url_hook), "http://127.0.0.1:%d/hook", port);
	snprintf(url_mail, sizeof(url_mail), "smtp://127.0.0.1:%d", port);
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(notify_new(&loop, &n), 0);
	notify_configure(n, &conf);

	/* What every type checks, and what each asks beyond that. */
	assert_int_equal(notify_send(n, "nosuch", &m, 1, outcome_cb, &o_log), -ENOENT);
	m.id = "a..b";
	assert_int_equal(notify_send(n, "log", &m, 1, outcome_cb, &o_log), -EINVAL);
	m.id = "msg_1";
	m.subject = "\xc3";
	assert_int_equal(notify_send(n, "log", &m, 1, outcome_cb, &o_log), -EINVAL);
	m.subject = "Frist";
	assert_int_equal(notify_send(n, "hook", &m, 1, outcome_cb, &o_hook), -EINVAL);
	m.body = str;
	assert_int_equal(notify_send(n, "hook", &m, 1, outcome_cb, &o_hook), -EINVAL);
	assert_int_equal(notify_send(n, "mail", &m, 1, outcome_cb, &o_mail), -EINVAL);
	m.to = bad_to;
	m.n_to = 1;
	assert_int_equal(notify_send(n, "mail", &m, 1, outcome_cb, &o_mail), -EINVAL);

	/* Accepted: the callbacks come later, from the loop. */
	m.body = body;
	m.to = to;
	assert_int_equal(notify_send(n, "log", &m, 1, outcome_cb, &o_log), 0);
	assert_int_equal(notify_send(n, "hook", &m, 1, outcome_cb, &o_hook), 0);
	assert_int_equal(notify_send(n, "hook-bad", &m, 1, outcome_cb, &o_hook_bad), 0);
	assert_int_equal(notify_send(n, "mail", &m, 1, outcome_cb, &o_mail), 0);
	assert_int_equal(notify_send(n, "mail-bad", &m, 1, outcome_cb, &o_mail_bad), 0);
	assert_int_equal(notify_pending(n), 5);
	for (size_t i = 0; i < N_ELEM(all); i++)
		assert_int_equal(all[i]->calls, 0);
	run_until(&loop, all, N_ELEM(all));
	assert_int_equal(notify_pending(n), 0);
	for (size_t i = 0; i < N_ELEM(all); i++)
		assert_int_equal(all[i]->calls, 1);
	assert_int_equal(o_log.r.status, NOTIFY_OK);
	assert_string_equal(o_log.r.detail, "");
	assert_int_equal(o_hook_bad.r.status, NOTIFY_RETRY);
	assert_non_null(strstr(o_hook_bad.r.detail, ": cannot sign with the channel's secret"));
	assert_int_equal(o_mail_bad.r.status, NOTIFY_RETRY);
	assert_non_null(strstr(o_mail_bad.r.detail, ": cannot format the message"));
	assert_int_equal(o_hook.r.status, NOTIFY_RETRY);
	assert_int_equal(o_hook.r.code, 0);
	assert_int_equal(o_hook.r.retry_after, -1);
	assert_int_equal(o_mail.r.status, NOTIFY_RETRY);
	assert_int_equal(o_mail.r.retry_after, -1);

	notify_stop(n, stopped_cb, &stopped);
	assert_int_equal(notify_send(n, "log", &m, 1, outcome_cb, &o_log), -ESHUTDOWN);
	while (!stopped)
		uv_run(&loop, UV_RUN_ONCE);
	notify_free(n);
	assert_int_equal(uv_loop_close(&loop), 0);
	curl_global_cleanup();
	json_decref(body);
	json_decref(str);
	close(fd);
}

/* ---- Webhooks to a receiver on the loop ---- */

#define RECV_MAX 16

/* What the receiver saw of one request. */
struct req {
	unsigned conn; /* the connection it came on, from 1 */
	char path[16], id[32];
	unsigned sigs;	/* signatures in webhook-signature */
	bool signed_ok; /* the first is SECRET_A's over this request's id, timestamp and body */
};

/*
 * An HTTP/1.1 receiver on 127.0.0.1 in the test's own loop: answers each request 200 (410 for
 * the path /gone) and keeps the connection.
 */
struct receiver {
	uv_tcp_t server;
	unsigned conns, open;
	struct req reqs[RECV_MAX];
	size_t n_reqs;
};

struct rconn {
	uv_tcp_t tcp;
	struct receiver *r;
	unsigned number;
	char buf[16384];
	size_t len;
};

/* The value of header name in the NUL-terminated head into out ("" when absent). */
static void
header_value(const char *head, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "\r\n%s:", name);
	p = strcasestr(head, key);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	p += strspn(p, " ");
	n = strcspn(p, "\r");
	assert_true(n < cap);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Records the request of head (NUL-terminated) and body. */
static void
receiver_record(struct rconn *c, const char *head, const char *body, size_t body_len)
{
	struct req *q;
	char ts[32], sig[256], want[NOTIFY_SIGN_MAX];

	assert_true(c->r->n_reqs < RECV_MAX);
	q = &c->r->reqs[c->r->n_reqs++];
	q->conn = c->number;
	assert_int_equal(sscanf(head, "POST %15s HTTP/1.1", q->path), 1);
	header_value(head, "webhook-id", q->id, sizeof(q->id));
	header_value(head, "webhook-timestamp", ts, sizeof(ts));
	header_value(head, "webhook-signature", sig, sizeof(sig));
	q->sigs = sig[0] ? 1 : 0;
	for (const char *p = sig; (p = strchr(p, ' ')); p++)
		q->sigs++;
	assert_int_equal(notify_sign(SECRET_A, q->id, strtoll(ts, NULL, 10), body, body_len, want,
				     sizeof(want)),
			 0);
	q->signed_ok = strncmp(sig, want, strlen(want)) == 0;
}

static void
rconn_closed(uv_handle_t *h)
{
	struct rconn *c = h->data;

	c->r->open--;
	free(c);
}

static void
rconn_written(uv_write_t *w, int status)
{
	assert_int_equal(status, 0);
	free(w);
}

/* Answers every whole request in c's buffer. */
static void
rconn_serve(struct rconn *c)
{
	static char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static char gone[] = "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n";
	char *end, len[32];
	size_t head_len, total;

	for (;;) {
		c->buf[c->len] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (!end)
			return;
		*end = '\0';
		header_value(c->buf, "content-length", len, sizeof(len));
		head_len = (size_t)(end - c->buf) + 4;
		total = head_len + (size_t)strtoul(len, NULL, 10);
		if (c->len < total) {
			*end = '\r';
			return;
		}
		receiver_record(c, c->buf, c->buf + head_len, total - head_len);
		uv_write_t *w = calloc(1, sizeof(*w));
		bool is_gone = strcmp(c->r->reqs[c->r->n_reqs - 1].path, "/gone") == 0;

		assert_non_null(w);
		uv_buf_t b = uv_buf_init(is_gone ? gone : ok,
					 (unsigned)(is_gone ? sizeof(gone) : sizeof(ok)) - 1);

		assert_int_equal(uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, rconn_written), 0);
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

static void
rconn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct rconn *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->buf + c->len, (unsigned)(sizeof(c->buf) - 1 - c->len));
}

static void
rconn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct rconn *c = s->data;

	(void)b;
	if (nread < 0) {
		uv_close((uv_handle_t *)s, rconn_closed);
		return;
	}
	c->len += (size_t)nread;
	rconn_serve(c);
}

static void
receiver_accept(uv_stream_t *server, int status)
{
	struct receiver *r = server->data;
	struct rconn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(status, 0);
	c->r = r;
	c->number = ++r->conns;
	c->tcp.data = c;
	assert_int_equal(uv_tcp_init(server->loop, &c->tcp), 0);
	r->open++;
	assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
	assert_int_equal(uv_read_start((uv_stream_t *)&c->tcp, rconn_alloc, rconn_read), 0);
}

/* Starts r on loop; returns its port. */
static int
receiver_start(struct receiver *r, uv_loop_t *loop)
{
	struct sockaddr_in a;
	int len = sizeof(a);

	memset(r, 0, sizeof(*r));
	assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &a), 0);
	assert_int_equal(uv_tcp_init(loop, &r->server), 0);
	r->server.data = r;
	assert_int_equal(uv_tcp_bind(&r->server, (const struct sockaddr *)&a, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&r->server, 8, receiver_accept), 0);
	assert_int_equal(uv_tcp_getsockname(&r->server, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* Sends a message of id on channel and runs the loop until its callback came. */
static void
send_one(uv_loop_t *loop, struct notify *n, const char *channel, const char *id, json_t *body,
	 struct outcome *o)
{
	struct notify_msg m = { .id = id, .subject = "Frist", .text = "t", .body = body };
	struct outcome *os[] = { o };

	assert_int_equal(notify_send(n, channel, &m, 1, outcome_cb, o), 0);
	run_until(loop, os, 1);
}

/*
 * Webhooks one after another on channels with different settings (a second secret, a
 * receiver that answers 410, a refused port), then a burst on two connections: the notifier
 * reuses the easy handles of finished transfers, and each request still carries only its own
 * job's URL, id, headers and body, on the connection the earlier ones left open.
 */
static void
test_webhook_handles_reused(void **state)
{
	char url_a[64], url_b[64], url_gone[64], url_refused[64], id[32];
	int fd, refused = refusing_port(&fd);
	struct conf_channel ch[] = {
		{ .name = "a", .type = CONF_CHANNEL_WEBHOOK, .url = url_a, .secret = SECRET_A },
		{ .name = "b",
		  .type = CONF_CHANNEL_WEBHOOK,
		  .url = url_b,
		  .secret = SECRET_A,
		  .secret_previous = SECRET_B },
		{ .name = "gone",
		  .type = CONF_CHANNEL_WEBHOOK,
		  .url = url_gone,
		  .secret = SECRET_A },
		{ .name = "refused",
		  .type = CONF_CHANNEL_WEBHOOK,
		  .url = url_refused,
		  .secret = SECRET_A },
	};
	struct conf conf = { .channels = ch, .n_channels = N_ELEM(ch) };
	static const char *const paths[] = { "/a", "/b", "/gone", "/a" };
	json_t *body = json_pack("{ss}", "event", "reminder");
	struct outcome o[4] = { { 0 } }, burst[6] = { { 0 } }, *os[6];
	struct receiver r;
	uv_loop_t loop;
	struct notify *n;
	bool stopped = false;
	unsigned seen = 0;
	int port;

	(void)state;
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	assert_int_equal(uv_loop_init(&loop), 0);
	port = receiver_start(&r, &loop);
	snprintf(url_a, sizeof(url_a), "http://127.0.0.1:%d/a", port);
	snprintf(url_b, sizeof(url_b), "http://127.0.0.1:%d/b", port);
	snprintf(url_gone, sizeof(url_gone), "http://127.0.0.1:%d/gone", port);
	snprintf(url_refused, sizeof(url_refused), "http://127.0.0.1:%d/a", refused);
	for (size_t i = 0; i < N_ELEM(ch); i++) {
		ch[i].concurrency = i == 0 ? 2 : 1;
		ch[i].connect_timeout_ms = ch[i].timeout_ms = 5000;
	}
	assert_int_equal(notify_new(&loop, &n), 0);
	notify_configure(n, &conf);

	send_one(&loop, n, "a", "m0", body, &o[0]);
	send_one(&loop, n, "b", "m1", body, &o[1]);
	send_one(&loop, n, "gone", "m2", body, &o[2]);
	send_one(&loop, n, "refused", "mx", body, &o[3]);
	assert_int_equal(o[0].r.status, NOTIFY_OK);
	assert_int_equal(o[0].r.code, 200);
	assert_int_equal(o[1].r.status, NOTIFY_OK);
	assert_int_equal(o[2].r.status, NOTIFY_GONE);
	assert_int_equal(o[2].r.code, 410);
	assert_int_equal(o[3].r.status, NOTIFY_RETRY);
	assert_int_equal(o[3].r.code, 0);
	/* Six at once on "a", two in flight at a time. */
	for (size_t i = 0; i < N_ELEM(burst); i++) {
		struct notify_msg m = { .id = id, .subject = "Frist", .text = "t", .body = body };

		snprintf(id, sizeof(id), "m%zu", i + 3);
		os[i] = &burst[i];
		assert_int_equal(notify_send(n, "a", &m, 1, outcome_cb, os[i]), 0);
	}
	run_until(&loop, os, N_ELEM(burst));
	for (size_t i = 0; i < N_ELEM(burst); i++)
		assert_int_equal(burst[i].r.status, NOTIFY_OK);

	/*
	 * What the receiver saw: each request its own, the first three in order on one
	 * connection, the burst's each once (in the order they went out on two connections).
	 */
	assert_int_equal(r.n_reqs, 9);
	assert_true(r.conns == 1 || r.conns == 2);
	for (size_t i = 0; i < r.n_reqs; i++) {
		const struct req *q = &r.reqs[i];
		unsigned k;

		snprintf(id, sizeof(id), "m%zu", i);
		if (i < 3) {
			assert_int_equal(q->conn, 1);
			assert_string_equal(q->id, id);
		} else {
			assert_int_equal(sscanf(q->id, "m%u", &k), 1);
			assert_true(k >= 3 && k < 9 && !(seen & (1u << k)));
			seen |= 1u << k;
		}
		assert_string_equal(q->path, paths[i < 3 ? i : 3]);
		assert_int_equal(q->sigs, i == 1 ? 2 : 1);
		assert_true(q->signed_ok);
	}

	notify_stop(n, stopped_cb, &stopped);
	while (!stopped)
		uv_run(&loop, UV_RUN_ONCE);
	notify_free(n);
	/* The notifier closed its connections: the receiver's close as they read the end. */
	while (r.open > 0)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&r.server, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	curl_global_cleanup();
	json_decref(body);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_vector),
		cmocka_unit_test(test_sign_bad),
		cmocka_unit_test(test_rfc2047),
		cmocka_unit_test(test_rfc2047_folding),
		cmocka_unit_test(test_mail_conventions),
		cmocka_unit_test(test_mail_text),
		cmocka_unit_test(test_mail_text_long_lines),
		cmocka_unit_test(test_mail_text_bad),
		cmocka_unit_test(test_mail_text_long_thread),
		cmocka_unit_test(test_channels_good),
		cmocka_unit_test(test_channels_bad),
		cmocka_unit_test(test_channels_no_credentials_directory),
		cmocka_unit_test(test_send_types),
		cmocka_unit_test(test_webhook_handles_reused),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
