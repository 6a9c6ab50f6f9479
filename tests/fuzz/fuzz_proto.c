// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_proto: the Varlink framing (proto_reader) and message decoder (proto_call_parse,
 * proto_reply_parse, jsonkit_check) as the daemon and the CLI use them.
 *
 * Input: one control byte (the reader's limit and how the stream is cut into reads), then
 * the stream. Properties:
 * - the reader yields exactly the NUL-terminated messages of the stream, in order, none
 *   longer than its limit, and refuses (-EMSGSIZE) exactly when a message or the
 *   unterminated tail reaches the limit, however the stream is cut into reads;
 * - a call that decodes, re-encoded and re-decoded (through a fresh reader) equals itself,
 *   and encodes to the same bytes again; a refused call names an error and says why;
 * - a reply that decodes survives the same round trip;
 * - parameters that pass jsonkit_check hold only known members of the right type,
 *   within their length limits.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "core/jsonkit.h"
#include "core/proto.h"
#include "core/util.h"

/* Characters (code points) in a UTF-8 string jansson accepted. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	}
	return c;
}

/* Feeds buf (n bytes, ending in its NUL) to a fresh reader: it must yield it whole. */
static void
check_frame(const char *buf, size_t n)
{
	struct proto_reader r;
	const char *msg;
	size_t len;

	FUZZ_CHECK(n > 0 && buf[n - 1] == '\0', "encoding not NUL-terminated");
	FUZZ_CHECK(memchr(buf, '\0', n - 1) == NULL, "NUL inside an encoded message");
	proto_reader_init(&r, n);
	FUZZ_CHECK(proto_reader_feed(&r, buf, n) == 0, "own encoding refused");
	FUZZ_CHECK(proto_reader_next(&r, &msg, &len) == 1 && len == n - 1 &&
			   memcmp(msg, buf, len) == 0,
		   "own encoding not framed back");
	FUZZ_CHECK(proto_reader_next(&r, &msg, &len) == 0, "a second message from one");
	FUZZ_CHECK(!proto_reader_pending(&r), "bytes left over");
	proto_reader_deinit(&r);
}

/* A fault's texts go into a JSON reply (the server's dispatch, ctl.c): they must be UTF-8. */
static void
check_fault_text(const char *parameter, const char *detail)
{
	json_t *a = json_string(parameter), *b = json_string(detail);

	FUZZ_CHECK(a && b, "fault text not UTF-8: '%s' '%s'", parameter, detail);
	json_decref(a);
	json_decref(b);
}

static void
check_params(json_t *params)
{
	static const struct jsonkit_field fields[] = {
		{ "reference", JSONKIT_STRING, true, 64 }, { "limit", JSONKIT_INT, false, 0 },
		{ "more", JSONKIT_BOOL, false, 0 },	   { "contact", JSONKIT_OBJECT, false, 0 },
		{ "items", JSONKIT_ARRAY, false, 3 },	   { "text", JSONKIT_STRING, false, 0 },
	};
	struct jsonkit_fault f;
	const char *key;
	json_t *v;

	memset(&f, 0, sizeof(f));
	if (jsonkit_check(params, fields, FV_ARRAY_SIZE(fields), &f) < 0) {
		FUZZ_CHECK(f.detail[0], "a refusal without a reason");
		check_fault_text(f.member, f.detail);
		return;
	}
	FUZZ_CHECK(json_is_string(json_object_get(params, "reference")), "required missing");
	json_object_foreach(params, key, v)
	{
		size_t i;

		for (i = 0; i < FV_ARRAY_SIZE(fields); i++) {
			if (strcmp(fields[i].name, key) == 0)
				break;
		}
		FUZZ_CHECK(i < FV_ARRAY_SIZE(fields), "unknown member '%s' passed", key);
		if (json_is_null(v))
			continue;
		switch (fields[i].type) {
		case JSONKIT_STRING:
			FUZZ_CHECK(json_is_string(v), "'%s' not a string", key);
			FUZZ_CHECK(memchr(json_string_value(v), '\0', json_string_length(v)) ==
					   NULL,
				   "NUL in '%s'", key);
			if (fields[i].max_len)
				FUZZ_CHECK(utf8_chars(json_string_value(v),
						      json_string_length(v)) <= fields[i].max_len,
					   "'%s' too long", key);
			break;
		case JSONKIT_INT:
			FUZZ_CHECK(json_is_integer(v), "'%s' not an integer", key);
			break;
		case JSONKIT_BOOL:
			FUZZ_CHECK(json_is_boolean(v), "'%s' not a boolean", key);
			break;
		case JSONKIT_OBJECT:
			FUZZ_CHECK(json_is_object(v), "'%s' not an object", key);
			break;
		case JSONKIT_ARRAY:
			FUZZ_CHECK(json_is_array(v) && json_array_size(v) <= fields[i].max_len,
				   "'%s' not an array within its limit", key);
			break;
		}
	}
}

static void
check_call(const char *msg, size_t len)
{
	struct proto_call call, again;
	struct proto_fault f;
	char *buf, *buf2;
	size_t n, n2;

	memset(&f, 0, sizeof(f));
	if (proto_call_parse(msg, len, &call, &f) < 0) {
		FUZZ_CHECK(f.error && strchr(f.error, '.') && f.detail[0], "refused without why");
		check_fault_text(f.parameter, f.detail);
		FUZZ_CHECK(!call.method && !call.params, "a refused call keeps members");
		return;
	}
	FUZZ_CHECK(call.method && call.iface && json_is_object(call.params), "decoded call");
	FUZZ_CHECK(strncmp(call.method, call.iface, strlen(call.iface)) == 0 &&
			   call.method[strlen(call.iface)] == '.',
		   "iface '%s' of '%s'", call.iface, call.method);
	check_params(call.params);
	buf = proto_call_encode(call.method, call.params, call.more, &n);
	check_frame(buf, n);
	FUZZ_CHECK(proto_call_parse(buf, n - 1, &again, &f) == 0, "re-encoded call refused: %s",
		   f.detail);
	FUZZ_CHECK(strcmp(again.method, call.method) == 0 && strcmp(again.iface, call.iface) == 0 &&
			   json_equal(again.params, call.params) && again.more == call.more &&
			   !again.oneway && !again.upgrade,
		   "re-encoded call differs");
	buf2 = proto_call_encode(again.method, again.params, again.more, &n2);
	FUZZ_CHECK(n2 == n && memcmp(buf, buf2, n) == 0, "encoding not stable");
	free(buf2);
	free(buf);
	proto_call_deinit(&again);
	proto_call_deinit(&call);
}

static void
check_reply(const char *msg, size_t len)
{
	struct proto_reply rep, again;
	char *buf;
	size_t n;

	if (proto_reply_parse(msg, len, &rep) < 0) {
		FUZZ_CHECK(!rep.error && !rep.params, "a refused reply keeps members");
		return;
	}
	FUZZ_CHECK(json_is_object(rep.params), "reply parameters");
	if (rep.error)
		buf = proto_error_encode(rep.error, rep.params, &n);
	else
		buf = proto_reply_encode(rep.params, rep.continues, &n);
	check_frame(buf, n);
	FUZZ_CHECK(proto_reply_parse(buf, n - 1, &again) == 0, "re-encoded reply refused");
	FUZZ_CHECK(!rep.error == !again.error &&
			   (!rep.error || strcmp(rep.error, again.error) == 0) &&
			   json_equal(rep.params, again.params) &&
			   (rep.error || rep.continues == again.continues),
		   "re-encoded reply differs");
	free(buf);
	proto_reply_deinit(&again);
	proto_reply_deinit(&rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *stream = (const char *)data + 1;
	size_t n, max, cut, off = 0, done = 0, seg = 0;
	bool oversize = false, refused = false;
	struct proto_reader r;
	const char *msg;
	size_t len;

	if (size < 1)
		return 0;
	n = size - 1;
	max = (size_t)16 << (data[0] >> 4) % 12; /* 16 bytes .. 32 KiB */
	cut = data[0] & 0x0f;			 /* 0: one read; else reads of 1..15 bytes */

	/* The reference: is any message, or the unterminated tail, at or past the limit? */
	for (size_t i = 0, start = 0; i <= n; i++) {
		if (i == n) {
			oversize |= n - start >= max;
		} else if (stream[i] == '\0') {
			oversize |= i + 1 - start > max;
			start = i + 1;
		}
	}

	proto_reader_init(&r, max);
	while (off < n || (n == 0 && off == 0)) {
		size_t k = cut ? (n - off < cut ? n - off : cut) : n - off;
		int ret = proto_reader_feed(&r, stream + off, k);

		off += k;
		if (ret < 0) {
			FUZZ_CHECK(ret == -EMSGSIZE, "feed: %d", ret);
			refused = true;
			break;
		}
		while (proto_reader_next(&r, &msg, &len) == 1) {
			/* The next message of the reference split. */
			const char *nul = memchr(stream + seg, '\0', n - seg);

			FUZZ_CHECK(nul, "a message the stream does not end");
			FUZZ_CHECK(len == (size_t)(nul - (stream + seg)) &&
					   memcmp(msg, stream + seg, len) == 0,
				   "message at %zu differs", seg);
			FUZZ_CHECK(len < max, "message of %zu bytes past limit %zu", len, max);
			seg += len + 1;
			check_call(msg, len);
			check_reply(msg, len);
		}
		if (n == 0)
			break;
	}
	if (!refused) {
		const char *last = n ? (const char *)memrchr(stream, '\0', n) : NULL;

		done = last ? (size_t)(last - stream) + 1 : 0;
		FUZZ_CHECK(seg == done, "yielded %zu of %zu framed bytes", seg, done);
		FUZZ_CHECK(proto_reader_pending(&r) == (done < n), "pending");
	}
	FUZZ_CHECK(refused == oversize, "limit %zu: refused %d, expected %d", max, refused,
		   oversize);
	proto_reader_deinit(&r);
	return 0;
}
