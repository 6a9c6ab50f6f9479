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

/*
 * Cuts s at the first byte that does not start a complete UTF-8 sequence: snprintf may
 * have split a character of a long parameter name, and the text goes into a JSON reply
 * (jansson refuses invalid UTF-8, and the reply would lose it).
 */
static void
utf8_cut(char *s)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len && (n = fv_utf8_char_len(s + i, len - i)) > 0)
		i += n;
	s[i] = '\0';
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
	utf8_cut(f->parameter);
	utf8_cut(f->detail);
}

int
proto_call_parse(const char *msg, size_t len, struct proto_call *call, struct proto_fault *f)
{
	static const struct proto_field fields[] = {
		{ "method", PROTO_STRING, true, 255 }, { "parameters", PROTO_OBJECT, false, 0 },
		{ "oneway", PROTO_BOOL, false, 0 },    { "more", PROTO_BOOL, false, 0 },
		{ "upgrade", PROTO_BOOL, false, 0 },
	};
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
	if (proto_params_check(root, fields, FV_ARRAY_SIZE(fields), f) < 0) {
		/* Structural members are not method parameters: say so. */
		f->error = "no.fristvakt.InvalidMessage";
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

/* jansson's escapes: the two mandatory ones, the short forms, \u00XX for other controls. */
static void
put_string(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	strbuf_reserve(b, n + 2);
	strbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			strbuf_add(b, "\\\"", 2);
			break;
		case '\\':
			strbuf_add(b, "\\\\", 2);
			break;
		case '\b':
			strbuf_add(b, "\\b", 2);
			break;
		case '\f':
			strbuf_add(b, "\\f", 2);
			break;
		case '\n':
			strbuf_add(b, "\\n", 2);
			break;
		case '\r':
			strbuf_add(b, "\\r", 2);
			break;
		case '\t':
			strbuf_add(b, "\\t", 2);
			break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			strbuf_add(b, u, sizeof(u));
			break;
		}
		}
	}
	strbuf_add(b, s + run, n - run);
	strbuf_putc(b, '"');
}

static void
put_integer(struct strbuf *b, json_int_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	/* Negated as unsigned, so that the most negative value works too. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	strbuf_add(b, tmp + i, sizeof(tmp) - i);
}

static void
put_value(struct strbuf *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		bool first = true;

		strbuf_putc(b, '{');
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				strbuf_putc(b, ',');
			first = false;
			put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
			strbuf_putc(b, ':');
			put_value(b, json_object_iter_value(it));
		}
		strbuf_putc(b, '}');
		break;
	}
	case JSON_ARRAY:
		strbuf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				strbuf_putc(b, ',');
			put_value(b, json_array_get(v, i));
		}
		strbuf_putc(b, ']');
		break;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_integer(b, json_integer_value(v));
		break;
	case JSON_REAL: {
		/* Rare in fristvakt's messages: jansson's own formatting, for identical text. */
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		FV_ASSERT(t);
		strbuf_add(b, t, strlen(t));
		free(t);
		break;
	}
	case JSON_TRUE:
		strbuf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		strbuf_add(b, "false", 5);
		break;
	case JSON_NULL:
		strbuf_add(b, "null", 4);
		break;
	}
}

char *
proto_json_compact(const json_t *v, size_t *len)
{
	struct strbuf b = { 0 };

	put_value(&b, v);
	if (len)
		*len = b.len;
	return strbuf_take(&b);
}

/* The message text with its terminating NUL; *len counts the NUL. */
static char *
encode(json_t *obj, size_t *len)
{
	char *buf = proto_json_compact(obj, len);

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

static const char *
type_name(enum proto_type t)
{
	switch (t) {
	case PROTO_STRING:
		return "a string";
	case PROTO_INT:
		return "an integer";
	case PROTO_BOOL:
		return "a boolean";
	case PROTO_OBJECT:
		return "an object";
	case PROTO_ARRAY:
		return "an array";
	}
	return "?";
}

static bool
type_ok(json_t *v, enum proto_type t)
{
	switch (t) {
	case PROTO_STRING:
		return json_is_string(v);
	case PROTO_INT:
		return json_is_integer(v);
	case PROTO_BOOL:
		return json_is_boolean(v);
	case PROTO_OBJECT:
		return json_is_object(v);
	case PROTO_ARRAY:
		return json_is_array(v);
	}
	return false;
}

/* Characters (code points) of valid UTF-8. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* The first member of params that fields does not name: -EINVAL with f filled, or 0. */
static int
check_unknown(json_t *params, const struct proto_field *fields, size_t n, struct proto_fault *f)
{
	const char *key;
	json_t *v;

	json_object_foreach(params, key, v)
	{
		size_t i;

		for (i = 0; i < n && strcmp(fields[i].name, key) != 0; i++)
			;
		if (i == n) {
			fault_set(f, PROTO_ERR_INVALID_PARAMETER, key, "unknown parameter '%.40s'",
				  key);
			return -EINVAL;
		}
	}
	return 0;
}

/* A string member v of fd: UTF-8 without NUL, within fd's characters. 0 or -EINVAL. */
static int
check_string(json_t *v, const struct proto_field *fd, struct proto_fault *f)
{
	size_t len = json_string_length(v);

	if (!fv_utf8_valid(json_string_value(v), len)) {
		fault_set(f, PROTO_ERR_INVALID_PARAMETER, fd->name,
			  "parameter '%s' must be UTF-8 text without NUL", fd->name);
		return -EINVAL;
	}
	if (fd->max_len && utf8_chars(json_string_value(v), len) > fd->max_len) {
		fault_set(f, PROTO_ERR_INVALID_PARAMETER, fd->name,
			  "parameter '%s' is longer than %zu characters", fd->name, fd->max_len);
		return -EINVAL;
	}
	return 0;
}

/* The member of params that fd describes: present if required, of its type, in bounds. */
static int
check_field(json_t *params, const struct proto_field *fd, struct proto_fault *f)
{
	json_t *v = json_object_get(params, fd->name);

	if (!v || json_is_null(v)) {
		if (!fd->required)
			return 0;
		fault_set(f, PROTO_ERR_INVALID_PARAMETER, fd->name, "missing parameter '%s'",
			  fd->name);
		return -EINVAL;
	}
	if (!type_ok(v, fd->type)) {
		fault_set(f, PROTO_ERR_INVALID_PARAMETER, fd->name, "parameter '%s' must be %s",
			  fd->name, type_name(fd->type));
		return -EINVAL;
	}
	if (fd->type == PROTO_STRING)
		return check_string(v, fd, f);
	if (fd->type == PROTO_ARRAY && fd->max_len && json_array_size(v) > fd->max_len) {
		fault_set(f, PROTO_ERR_INVALID_PARAMETER, fd->name,
			  "parameter '%s' has more than %zu items", fd->name, fd->max_len);
		return -EINVAL;
	}
	return 0;
}

int
proto_params_check(json_t *params, const struct proto_field *fields, size_t n,
		   struct proto_fault *f)
{
	int ret = check_unknown(params, fields, n, f);

	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = check_field(params, &fields[i], f);
	return ret;
}
