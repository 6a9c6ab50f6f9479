// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What the channel types share (notify_impl.h): checks of a message's parts, base64, a
 * job's result, and the curl options every transfer has. notify_job_now(), which needs the
 * notifier's loop, is in notify.c.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "delivery/notify_impl.h"
#include "core/util.h"

char *
notify_b64_encode(const unsigned char *in, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

bool
notify_atom_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > NOTIFY_ID_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && !strchr("!#$%&'*+-/=?^_`{|}~.", s[i]))
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	}
	return true;
}

bool
notify_utf8_ok(const char *s)
{
	return !s || fv_utf8_valid(s, strlen(s));
}

void
notify_job_set(struct job *j, enum notify_status status, long code, const char *fmt, ...)
{
	va_list ap;

	j->result.status = status;
	j->result.code = code;
	va_start(ap, fmt);
	vsnprintf(j->result.detail, sizeof(j->result.detail), fmt, ap);
	va_end(ap);
}

void
notify_job_curl(struct job *j, enum notify_status status, long code, CURLcode rc)
{
	notify_job_set(j, status, code, "%s%s%s", curl_easy_strerror(rc), j->errbuf[0] ? ": " : "",
		       j->errbuf);
}

CURLcode
notify_easy_common(struct job *j, CURL *e, const char *protocols)
{
	const struct conf_channel *c = &j->chan->c;
	CURLcode rc = CURLE_OK;

	NOTIFY_SET(rc, e, CURLOPT_PRIVATE, j);
	NOTIFY_SET(rc, e, CURLOPT_ERRORBUFFER, j->errbuf);
	NOTIFY_SET(rc, e, CURLOPT_URL, c->url);
	NOTIFY_SET(rc, e, CURLOPT_PROTOCOLS_STR, protocols);
	NOTIFY_SET(rc, e, CURLOPT_NOSIGNAL, 1L);
	/* A hanging resolver must not make curl join its thread inside the loop. */
	NOTIFY_SET(rc, e, CURLOPT_QUICK_EXIT, 1L);
	NOTIFY_SET(rc, e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	NOTIFY_SET(rc, e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	NOTIFY_SET(rc, e, CURLOPT_SSL_VERIFYPEER, 1L);
	NOTIFY_SET(rc, e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		NOTIFY_SET(rc, e, CURLOPT_CAINFO, c->ca_file);
	return rc;
}
