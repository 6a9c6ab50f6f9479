// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * proto: the Varlink wire codec (see proto.h).
 *
 * The reader keeps one strbuf; the messages handed out are dropped at the next feed by
 * moving the unread tail to the front once, so a burst of pipelined calls costs one copy.
 * The encoder writes into a strbuf too.
 */
#include "core/proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonkit.h"
#include "core/strbuf.h"
#include "core/util.h"

void
proto_reader_init(struct proto_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void
proto_reader_deinit(struct proto_reader *r)
{
	strbuf_free(&r->buf);
	memset(r, 0, sizeof(*r));
}

/* Drops the messages already handed out: the rest moves to the front of the buffer. */
static void
reader_compact(struct proto_reader *r)
{
	if (r->head == 0)
		return;
	strbuf_drop(&r->buf, r->head);
	r->valid -= r->head;
	r->scan -= r->head;
	r->head = 0;
}

int
proto_reader_feed(struct proto_reader *r, const char *data, size_t n)
{
	const char *buf;
	size_t len;

	reader_compact(r);
	strbuf_add(&r->buf, data, n);
	buf = r->buf.p;
	len = r->buf.len;
	/*
	 * Check every message the new bytes complete, and the unterminated tail: a message
	 * longer than max is refused even when a short one came first in the same read.
	 */
	while (r->scan < len) {
		const char *nul = memchr(buf + r->scan, '\0', len - r->scan);
		size_t end;

		if (!nul) {
			r->scan = len;
			break;
		}
		end = (size_t)(nul - buf) + 1;
		if (end - r->valid > r->max)
			return -EMSGSIZE;
		r->valid = r->scan = end;
	}
	if (len - r->valid >= r->max)
		return -EMSGSIZE;
	return 0;
}

int
proto_reader_next(struct proto_reader *r, const char **msg, size_t *len)
{
	const char *nul;

	/* Only messages already checked by proto_reader_feed() are handed out. */
	if (r->head >= r->valid)
		return 0;
	nul = memchr(r->buf.p + r->head, '\0', r->valid - r->head);
	FV_ASSERT(nul);
	*msg = r->buf.p + r->head;
	*len = (size_t)(nul - *msg);
	r->head = (size_t)(nul - r->buf.p) + 1;
	return 1;
}

bool
proto_reader_pending(const struct proto_reader *r)
{
	return r->buf.len > r->head;
}

static void fault_set(struct proto_fault *f, const char *error, const char *parameter,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
fault_set(struct proto_fault *f, const char *error, const char *parameter, const char *fmt, ...)
{
	va_list ap;

	f->error = error;
	snprintf(f->parameter, sizeof(f->parameter), "%s", parameter ? parameter : "");
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	fv_utf8_cut(f->parameter);
	fv_utf8_cut(f->detail);
}

int
proto_call_parse(const char *msg, size_t len, struct proto_call *call, struct proto_fault *f)
{
	static const struct jsonkit_field fields[] = {
		{ "method", JSONKIT_STRING, true, 255 }, { "parameters", JSONKIT_OBJECT, false, 0 },
		{ "oneway", JSONKIT_BOOL, false, 0 },	 { "more", JSONKIT_BOOL, false, 0 },
		{ "upgrade", JSONKIT_BOOL, false, 0 },
	};
	struct jsonkit_fault jf;
	json_error_t jerr;
	json_t *root, *p;
	const char *method, *dot;
	int ret = -EINVAL;

	memset(call, 0, sizeof(*call));
	root = json_loadb(msg, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fault_set(f, "no.fristvakt.InvalidMessage", NULL, "not valid JSON: %s (column %d)",
			  jerr.text, jerr.column);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		fault_set(f, "no.fristvakt.InvalidMessage", NULL, "a call must be a JSON object");
		goto out;
	}
	if (jsonkit_check(root, fields, FV_ARRAY_SIZE(fields), &jf) < 0) {
		/* Structural members are not method parameters: say so. */
		fault_set(f, "no.fristvakt.InvalidMessage", jf.member, "%s", jf.detail);
		goto out;
	}
	method = json_string_value(json_object_get(root, "method"));
	dot = strrchr(method, '.');
	if (!dot || dot == method || dot[1] < 'A' || dot[1] > 'Z') {
		fault_set(f, "no.fristvakt.InvalidMessage", "method",
			  "'method' must be a fully qualified name such as "
			  "\"org.varlink.service.GetInfo\"");
		goto out;
	}
	call->method = xstrdup(method);
	call->iface = xstrndup(method, (size_t)(dot - method));
	p = json_object_get(root, "parameters");
	call->params = json_is_object(p) ? json_incref(p) : json_object();
	call->oneway = json_is_true(json_object_get(root, "oneway"));
	call->more = json_is_true(json_object_get(root, "more"));
	call->upgrade = json_is_true(json_object_get(root, "upgrade"));
	ret = 0;
out:
	json_decref(root);
	if (ret < 0)
		proto_call_deinit(call);
	return ret;
}

void
proto_call_deinit(struct proto_call *call)
{
	free(call->method);
	free(call->iface);
	json_decref(call->params);
	memset(call, 0, sizeof(*call));
}

/* The message text with its terminating NUL; *len counts the NUL. */
static char *
encode(json_t *obj, size_t *len)
{
	char *buf = jsonkit_compact(obj, len);

	*len += 1;
	return buf;
}

char *
proto_reply_encode(json_t *params, bool continues, size_t *len)
{
	json_t *o = json_object();
	char *buf;

	json_object_set_new(o, "parameters", params ? json_incref(params) : json_object());
	if (continues)
		json_object_set_new(o, "continues", json_true());
	buf = encode(o, len);
	json_decref(o);
	return buf;
}

char *
proto_error_encode(const char *error, json_t *params, size_t *len)
{
	json_t *o = json_object();
	char *buf;

	json_object_set_new(o, "error", json_string(error));
	json_object_set_new(o, "parameters", params ? json_incref(params) : json_object());
	buf = encode(o, len);
	json_decref(o);
	return buf;
}

char *
proto_call_encode(const char *method, json_t *params, bool more, size_t *len)
{
	json_t *o = json_object();
	char *buf;

	json_object_set_new(o, "method", json_string(method));
	json_object_set_new(o, "parameters", params ? json_incref(params) : json_object());
	if (more)
		json_object_set_new(o, "more", json_true());
	buf = encode(o, len);
	json_decref(o);
	return buf;
}

int
proto_reply_parse(const char *msg, size_t len, struct proto_reply *reply)
{
	json_error_t jerr;
	json_t *root, *err, *p;
	int ret = -EINVAL;

	memset(reply, 0, sizeof(*reply));
	root = json_loadb(msg, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root))
		goto out;
	err = json_object_get(root, "error");
	if (err && !json_is_string(err))
		goto out;
	p = json_object_get(root, "parameters");
	if (p && !json_is_object(p) && !json_is_null(p))
		goto out;
	reply->error = err ? xstrdup(json_string_value(err)) : NULL;
	reply->params = json_is_object(p) ? json_incref(p) : json_object();
	reply->continues = json_is_true(json_object_get(root, "continues"));
	ret = 0;
out:
	json_decref(root);
	return ret;
}

void
proto_reply_deinit(struct proto_reply *reply)
{
	free(reply->error);
	json_decref(reply->params);
	memset(reply, 0, sizeof(*reply));
}
