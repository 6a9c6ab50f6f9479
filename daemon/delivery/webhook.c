// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The webhook channel: an HTTP(S) POST of the message's JSON body, signed after Standard
 * Webhooks (webhook-id, webhook-timestamp and webhook-signature headers, HMAC-SHA256 with
 * the channel's secret, and with the previous one too while it is being rotated). 2xx is
 * delivered; 410 means the receiver wants no more (the channel is disabled); a redirect
 * is not followed; anything else is tried again later, after Retry-After when a 429 or a
 * 5xx gateway answer gives one. The transfers share the notifier's multi handle.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "build_config.h"
#include "conf/conf.h"
#include "core/jsonkit.h"
#include "delivery/notify_impl.h"
#include "core/util.h"

/* The signing key's length, decoded. */
#define KEY_MIN 16
#define KEY_MAX 64
/* The longest wait a Retry-After may ask for. */
#define RETRY_AFTER_CAP (7 * 86400)

/*
 * HMAC-SHA256 contexts already keyed with the secrets in use: a signature copies one
 * (EVP_MAC_CTX_dup) instead of setting up the key, which looks up HMAC and SHA-256
 * among OpenSSL's providers each time (most of a signature's cost, measured). Enough
 * slots for every channel's current and previous secret in a large configuration; the
 * loop's thread only (SMTP threads never sign). Forgotten at every reconfiguration and
 * when the notifier is freed (webhook_forget_keys), so that a secret rotated out of the
 * configuration does not stay in memory.
 */
#define KEYED_SLOTS 16

struct keyed {
	char *secret; /* "whsec_...", owned */
	EVP_MAC_CTX *ctx;
};

static struct keyed keyed[KEYED_SLOTS];
static unsigned keyed_next;

static void
keyed_clear(struct keyed *k)
{
	if (!k->secret)
		return;
	explicit_bzero(k->secret, strlen(k->secret));
	free(k->secret);
	EVP_MAC_CTX_free(k->ctx);
	k->secret = NULL;
	k->ctx = NULL;
}

void
webhook_forget_keys(void)
{
	for (size_t i = 0; i < KEYED_SLOTS; i++)
		keyed_clear(&keyed[i]);
	keyed_next = 0;
}

/* A new context keyed with secret_whsec (the caller frees it), or NULL: -EINVAL, -EIO. */
static EVP_MAC_CTX *
keyed_new(const char *secret_whsec, int *err)
{
	unsigned char key[KEY_MAX + 3];
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *hmac = NULL;
	long klen = conf_base64_decode(secret_whsec + 6, key, sizeof(key));

	*err = -EINVAL;
	if (klen >= KEY_MIN && klen <= KEY_MAX) {
		*err = -EIO;
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
		if (ctx && !EVP_MAC_init(ctx, key, (size_t)klen, params)) {
			EVP_MAC_CTX_free(ctx);
			ctx = NULL;
		}
		EVP_MAC_free(hmac);
	}
	explicit_bzero(key, sizeof(key));
	return ctx;
}

/* A copy of the keyed context of secret_whsec, or NULL with *err set (-EINVAL, -EIO). */
static EVP_MAC_CTX *
keyed_ctx(const char *secret_whsec, int *err)
{
	EVP_MAC_CTX *ctx;
	struct keyed *k;

	for (size_t i = 0; i < KEYED_SLOTS; i++) {
		if (keyed[i].secret && strcmp(keyed[i].secret, secret_whsec) == 0) {
			*err = -EIO;
			return EVP_MAC_CTX_dup(keyed[i].ctx);
		}
	}
	/* A secret that cannot be used takes no slot from one that can. */
	if (!(ctx = keyed_new(secret_whsec, err)))
		return NULL;
	k = &keyed[keyed_next++ % KEYED_SLOTS];
	keyed_clear(k);
	k->ctx = ctx;
	k->secret = xstrdup(secret_whsec);
	return EVP_MAC_CTX_dup(ctx);
}

int
notify_sign(const char *secret_whsec, const char *id, int64_t timestamp, const char *body,
	    size_t len, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char ts[24], *b64 = NULL;
	EVP_MAC_CTX *ctx;
	size_t mac_len = 0;
	int ret = 0;

	if (outlen < NOTIFY_SIGN_MAX)
		return -ENOSPC;
	if (!secret_whsec || !id || (!body && len) || strncmp(secret_whsec, "whsec_", 6) != 0)
		return -EINVAL;
	if (!(ctx = keyed_ctx(secret_whsec, &ret)))
		return ret;
	ret = 0;
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	if (!EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    (len && !EVP_MAC_update(ctx, (const unsigned char *)body, len)) ||
	    !EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac))) {
		ret = -EIO;
		goto out;
	}
	b64 = notify_b64_encode(mac, mac_len);
	snprintf(out, outlen, "v1,%s", b64);
out:
	free(b64);
	EVP_MAC_CTX_free(ctx);
	return ret;
}

/* ---- The message ---- */

static bool
webhook_msg_valid(const struct notify_msg *m)
{
	return m->body && (json_is_object(m->body) || json_is_array(m->body));
}

/*
 * The body is serialised once, here: the signature is over exactly the bytes sent (the
 * bytes of jansson's compact form, written in one pass: a third of jansson's cost, measured).
 */
static int
webhook_accept(struct job *j, const struct notify_msg *m)
{
	j->payload = jsonkit_compact(m->body, &j->payload_len);
	return j->payload ? 0 : -EINVAL;
}

/* ---- The transfer ---- */

static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

/*
 * CURLOPT_DEBUGFUNCTION: counts the request headers written. libcurl re-sends a request on
 * a new connection when a kept-alive one turns out closed after the request went out, and
 * the receiver may have got both; the attempt's record says so.
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

/* Appends one header to j's list (on failure the list is NULL, which the caller checks). */
static void
header_add(struct job *j, const char *h)
{
	j->slist = curl_slist_append(j->slist, h);
}

/* The request's headers, signed at ts, into j->slist. */
static CURLcode
webhook_headers(struct job *j, int64_t ts)
{
	const struct conf_channel *c = &j->chan->c;
	char sig[NOTIFY_SIGN_MAX], sig_prev[NOTIFY_SIGN_MAX], *h;

	if (notify_sign(c->secret, j->id, ts, j->payload, j->payload_len, sig, sizeof(sig)) < 0 ||
	    (c->secret_previous && notify_sign(c->secret_previous, j->id, ts, j->payload,
					       j->payload_len, sig_prev, sizeof(sig_prev)) < 0)) {
		snprintf(j->errbuf, sizeof(j->errbuf), "cannot sign with the channel's secret");
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
	header_add(j, "Content-Type: application/json");
	h = xasprintf("webhook-id: %s", j->id);
	header_add(j, h);
	free(h);
	h = xasprintf("webhook-timestamp: %lld", (long long)ts);
	header_add(j, h);
	free(h);
	if (c->secret_previous)
		h = xasprintf("webhook-signature: %s %s", sig, sig_prev);
	else
		h = xasprintf("webhook-signature: %s", sig);
	header_add(j, h);
	free(h);
	/* No "Expect: 100-continue" round trip. */
	header_add(j, "Expect:");
	return j->slist ? CURLE_OK : CURLE_OUT_OF_MEMORY;
}

static CURLcode
webhook_start(struct job *j)
{
	const struct conf_channel *c = &j->chan->c;
	CURL *e = j->easy;
	CURLcode rc = webhook_headers(j, notify_job_now(j));

	if (rc != CURLE_OK)
		return rc;
	rc = notify_easy_common(j, e, strncasecmp(c->url, "http://", 7) == 0 ? "http" : "https");
	NOTIFY_SET(rc, e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	NOTIFY_SET(rc, e, CURLOPT_FOLLOWLOCATION, 0L);
	NOTIFY_SET(rc, e, CURLOPT_USERAGENT, "fristvakt/" FV_VERSION);
	NOTIFY_SET(rc, e, CURLOPT_POST, 1L);
	NOTIFY_SET(rc, e, CURLOPT_POSTFIELDS, j->payload);
	NOTIFY_SET(rc, e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->payload_len);
	NOTIFY_SET(rc, e, CURLOPT_HTTPHEADER, j->slist);
	NOTIFY_SET(rc, e, CURLOPT_HEADERFUNCTION, header_cb);
	NOTIFY_SET(rc, e, CURLOPT_HEADERDATA, j);
	/* The debug callback sees every request written; nothing goes to stderr. */
	NOTIFY_SET(rc, e, CURLOPT_DEBUGFUNCTION, debug_cb);
	NOTIFY_SET(rc, e, CURLOPT_DEBUGDATA, j);
	NOTIFY_SET(rc, e, CURLOPT_VERBOSE, 1L);
	NOTIFY_SET(rc, e, CURLOPT_WRITEFUNCTION, discard_cb);
	return rc;
}

/* ---- The answer ---- */

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
webhook_classify(struct job *j, CURLcode rc, long code)
{
	if (rc != CURLE_OK) {
		notify_job_curl(j, NOTIFY_RETRY, code, rc);
	} else if (code >= 200 && code <= 299) {
		notify_job_set(j, NOTIFY_OK, code, "%s", "");
	} else if (code == 410) {
		notify_job_set(j, NOTIFY_GONE, code,
			       "HTTP 410 Gone: the endpoint asks to be disabled");
	} else if (code >= 300 && code <= 399) {
		notify_job_set(j, NOTIFY_RETRY, code, "HTTP %ld: redirects are not followed", code);
	} else {
		notify_job_set(j, NOTIFY_RETRY, code, "HTTP %ld", code);
		if (code == 429 || code == 502 || code == 503 || code == 504)
			j->result.retry_after =
				retry_after_parse(j->retry_after, notify_job_now(j));
	}
	if (j->sends > 1) {
		size_t n = strlen(j->result.detail);

		snprintf(j->result.detail + n, sizeof(j->result.detail) - n,
			 "%sthe request was sent %u times: libcurl re-sent it on a new connection "
			 "after the kept-alive one was closed",
			 n ? "; " : "", j->sends);
	}
}

const struct channel_ops channel_webhook = {
	.run = CHANNEL_RUN_MULTI,
	.msg_valid = webhook_msg_valid,
	.accept = webhook_accept,
	.start = webhook_start,
	.classify = webhook_classify,
};
