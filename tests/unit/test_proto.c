// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_proto: the Varlink wire codec through proto.h - the NUL framing of the stream
 * reader and its size limit, the strict decoding of calls (every way a peer can send a
 * malformed one must be answered with a named error, never accepted or asserted on), the
 * exact bytes the encoders produce - and what it builds on in core/jsonkit.h: the shape
 * check of an object (the parameter checker) and the compact JSON writer. Expected JSON
 * texts are written out by hand.
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

#include <jansson.h>

#include "core/jsonkit.h"
#include "core/proto.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define INVALID_MESSAGE "no.fristvakt.InvalidMessage"

/* A regression check for a daemon bug found and fixed: fails with what is wrong. */
static void regression(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
regression(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("%s", msg);
}

static void
expect_str(const char *ctx, const char *what, const char *got, const char *want)
{
	if (!got && !want)
		return;
	if (!got || !want || strcmp(got, want) != 0)
		fail_msg("%s: %s is \"%s\", want \"%s\"", ctx, what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void
expect_int(const char *ctx, const char *what, long long got, long long want)
{
	if (got != want)
		fail_msg("%s: %s is %lld, want %lld", ctx, what, got, want);
}

/* Parses test data; a mistake in the table is a test failure, not a crash. */
static json_t *
json_of(const char *ctx, const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fail_msg("%s: test data \"%s\" is not JSON: %s", ctx, text, jerr.text);
	return v;
}

static void
expect_json(const char *ctx, const char *what, json_t *got, const char *want)
{
	json_t *w = json_of(ctx, want);

	if (!json_equal(got, w)) {
		char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

		print_error("%s: %s is %s, want %s\n", ctx, what, g ? g : "(null)", want);
		free(g);
		json_decref(w);
		fail();
	}
	json_decref(w);
}

/* ---- Reader: NUL framing and the size limit ---- */

/* A byte string with embedded NULs: sizeof counts them, strlen would not. */
struct bytes {
	const char *data;
	size_t len;
};
#define B(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}

struct reader_case {
	const char *name;
	size_t max;
	/* Fed in order; a row stops at the first feed that fails. */
	struct bytes feeds[6];
	/* When > 0, the feeds are concatenated and fed in pieces of this many bytes. */
	size_t step;
	/* Return of the last feed made (0 or -EMSGSIZE); every earlier feed returns 0. */
	int ret;
	/* The messages proto_reader_next() yields, draining after every feed, in order. */
	const char *msgs[4];
	bool pending;
};

static const struct reader_case reader_cases[] = {
	{ "one message",
	  64,
	  { B("{\"method\":\"a.B\"}\0") },
	  0,
	  0,
	  { "{\"method\":\"a.B\"}" },
	  false },
	{ "two messages in one feed",
	  64,
	  { B("{\"a\":1}\0{\"b\":2}\0") },
	  0,
	  0,
	  { "{\"a\":1}", "{\"b\":2}" },
	  false },
	{ "three messages across feeds",
	  64,
	  { B("{\"a\":1}\0{\"b\""), B(":2}\0{"), B("\"c\":3}\0") },
	  0,
	  0,
	  { "{\"a\":1}", "{\"b\":2}", "{\"c\":3}" },
	  false },
	{ "one message in 1-byte feeds",
	  64,
	  { B("{\"method\":\"a.B\"}\0") },
	  1,
	  0,
	  { "{\"method\":\"a.B\"}" },
	  false },
	{ "two messages in 1-byte feeds", 64, { B("{}\0[1]\0") }, 1, 0, { "{}", "[1]" }, false },
	{ "two messages in 3-byte feeds",
	  64,
	  { B("{\"a\":1}\0{\"b\":2}\0") },
	  3,
	  0,
	  { "{\"a\":1}", "{\"b\":2}" },
	  false },
	{ "empty message", 64, { B("\0") }, 0, 0, { "" }, false },
	{ "empty messages between others", 64, { B("\0{}\0\0") }, 0, 0, { "", "{}", "" }, false },
	{ "nothing fed yet", 64, { { NULL, 0 } }, 0, 0, { NULL }, false },
	{ "incomplete message", 64, { B("{\"a\":") }, 0, 0, { NULL }, true },
	{ "complete message and an incomplete tail",
	  64,
	  { B("{}\0{\"a\":") },
	  0,
	  0,
	  { "{}" },
	  true },
	{ "tail completed by the next feed",
	  64,
	  { B("{}\0{\"a\":"), B("1}\0") },
	  0,
	  0,
	  { "{}", "{\"a\":1}" },
	  false },
	{ "max-1 bytes and the NUL",
	  16,
	  { B("0123456789abcde\0") },
	  0,
	  0,
	  { "0123456789abcde" },
	  false },
	{ "max-1 bytes and the NUL, 1-byte feeds",
	  16,
	  { B("0123456789abcde\0") },
	  1,
	  0,
	  { "0123456789abcde" },
	  false },
	{ "max-1 bytes, NUL in the next feed",
	  16,
	  { B("0123456789abcde"), B("\0") },
	  0,
	  0,
	  { "0123456789abcde" },
	  false },
	{ "max bytes without a NUL", 16, { B("0123456789abcdef") }, 0, -EMSGSIZE, { NULL }, true },
	{ "max bytes without a NUL, 1-byte feeds",
	  16,
	  { B("0123456789abcdef") },
	  1,
	  -EMSGSIZE,
	  { NULL },
	  true },
	{ "max bytes and the NUL", 16, { B("0123456789abcdef\0") }, 0, -EMSGSIZE, { NULL }, true },
	{ "over max in two feeds",
	  16,
	  { B("01234567"), B("89abcdefg") },
	  0,
	  -EMSGSIZE,
	  { NULL },
	  true },
	{ "limit is per message, not per stream",
	  16,
	  { B("0123456789\0"), B("0123456789\0"), B("0123456789\0"), B("0123456789abcde\0") },
	  0,
	  0,
	  { "0123456789", "0123456789", "0123456789", "0123456789abcde" },
	  false },
	{ "tail over max after a message",
	  16,
	  { B("{}\0"), B("0123456789abcdef") },
	  0,
	  -EMSGSIZE,
	  { "{}" },
	  true },
};

/* Feeds one chunk and drains every complete message into got[]. */
static int
feed_and_drain(struct proto_reader *r, const char *data, size_t len, const char *ctx,
	       const char *const *want, size_t *n_got)
{
	const char *msg;
	size_t mlen;
	int ret = proto_reader_feed(r, data, len);

	if (ret < 0)
		return ret;
	while (proto_reader_next(r, &msg, &mlen) == 1) {
		if (*n_got >= 4 || !want[*n_got])
			fail_msg("%s: unexpected message %zu \"%.*s\"", ctx, *n_got, (int)mlen,
				 msg);
		if (mlen != strlen(want[*n_got]) || memcmp(msg, want[*n_got], mlen) != 0)
			fail_msg("%s: message %zu is \"%.*s\" (%zu bytes), want \"%s\"", ctx,
				 *n_got, (int)mlen, msg, mlen, want[*n_got]);
		(*n_got)++;
	}
	return 0;
}

static void
test_reader_framing(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(reader_cases); i++) {
		const struct reader_case *c = &reader_cases[i];
		struct proto_reader r;
		size_t n_got = 0, n_want = 0, total = 0, off = 0;
		char all[256];
		int ret = 0;

		for (size_t k = 0; k < N_ELEM(c->feeds) && c->feeds[k].data; k++) {
			assert_true(total + c->feeds[k].len <= sizeof(all));
			memcpy(all + total, c->feeds[k].data, c->feeds[k].len);
			total += c->feeds[k].len;
		}
		proto_reader_init(&r, c->max);
		assert_false(proto_reader_pending(&r));
		if (c->step) {
			while (off < total && ret == 0) {
				size_t n = total - off < c->step ? total - off : c->step;

				ret = feed_and_drain(&r, all + off, n, c->name, c->msgs, &n_got);
				off += n;
			}
		} else {
			for (size_t k = 0; k < N_ELEM(c->feeds) && c->feeds[k].data && ret == 0;
			     k++) {
				ret = feed_and_drain(&r, c->feeds[k].data, c->feeds[k].len, c->name,
						     c->msgs, &n_got);
			}
		}
		while (n_want < N_ELEM(c->msgs) && c->msgs[n_want])
			n_want++;
		expect_int(c->name, "return of the last feed", ret, c->ret);
		expect_int(c->name, "messages", (long long)n_got, (long long)n_want);
		if (ret == 0)
			expect_int(c->name, "pending", proto_reader_pending(&r), c->pending);
		proto_reader_deinit(&r);
	}
}

/* Before anything is fed (the CLI asks for a reply before its first read). */
static void
test_reader_fresh(void **state)
{
	struct proto_reader r;
	const char *msg = NULL;
	size_t len = 99;

	(void)state;
	proto_reader_init(&r, 4096);
	assert_false(proto_reader_pending(&r));
	assert_int_equal(proto_reader_next(&r, &msg, &len), 0);
	assert_int_equal(proto_reader_next(&r, &msg, &len), 0);
	assert_null(msg);
	assert_int_equal(len, 99);
	assert_false(proto_reader_pending(&r));
	proto_reader_deinit(&r);
	/* deinit leaves a reader that can be deinitialised again. */
	proto_reader_deinit(&r);
}

/* A message of the largest size allowed, across buffer growth, then the same plus one. */
static void
test_reader_large(void **state)
{
	const size_t max = 100000;
	char *big = malloc(max + 1);
	struct proto_reader r;
	const char *msg;
	size_t len;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', max + 1);
	big[max - 1] = '\0';

	proto_reader_init(&r, max);
	for (size_t off = 0; off < max; off += 4000) {
		size_t n = max - off < 4000 ? max - off : 4000;

		assert_int_equal(proto_reader_feed(&r, big + off, n), 0);
		if (off + n < max) {
			assert_int_equal(proto_reader_next(&r, &msg, &len), 0);
			assert_true(proto_reader_pending(&r));
		}
	}
	assert_int_equal(proto_reader_next(&r, &msg, &len), 1);
	assert_int_equal(len, max - 1);
	assert_int_equal(msg[0], 'x');
	assert_int_equal(msg[max - 2], 'x');
	assert_false(proto_reader_pending(&r));
	proto_reader_deinit(&r);

	big[max - 1] = 'x';
	big[max] = '\0';
	proto_reader_init(&r, max);
	assert_int_equal(proto_reader_feed(&r, big, max + 1), -EMSGSIZE);
	proto_reader_deinit(&r);
	free(big);
}

/* Many pipelined calls through one reader: consumed messages are dropped, none is lost. */
static void
test_reader_many(void **state)
{
	struct proto_reader r;
	char buf[64], want[64];
	const char *msg;
	size_t len;
	int n_in = 0, n_out = 0;

	(void)state;
	proto_reader_init(&r, 32);
	while (n_in < 5000) {
		/* Two messages per feed, the second split after its first byte. */
		int a = snprintf(buf, sizeof(buf), "{\"n\":%d}", n_in++);
		int b;

		assert_true(a > 0);
		buf[a] = '\0';
		b = snprintf(buf + a + 1, sizeof(buf) - (size_t)a - 1, "{\"n\":%d}", n_in++);
		assert_true(b > 0);
		assert_int_equal(proto_reader_feed(&r, buf, (size_t)a + 2), 0);
		assert_int_equal(proto_reader_feed(&r, buf + a + 2, (size_t)b - 1), 0);
		assert_int_equal(proto_reader_feed(&r, "", 1), 0);
		while (proto_reader_next(&r, &msg, &len) == 1) {
			snprintf(want, sizeof(want), "{\"n\":%d}", n_out++);
			assert_int_equal(len, strlen(want));
			assert_memory_equal(msg, want, len);
		}
	}
	assert_int_equal(n_out, n_in);
	assert_false(proto_reader_pending(&r));
	proto_reader_deinit(&r);
}

/*
 * The limit holds for every message, also for one that follows a small message in the same
 * read: max_message is a promise to the operator, not only a memory bound. Known bug: feed
 * checks only the first message it finds, so everything behind it in the same read escapes.
 */
static void
test_reader_limit_after_message(void **state)
{
	static const char two[] = "{}\0{\"s\":\"0123456789abcdefghij\"}";
	struct proto_reader r;
	const char *msg;
	size_t len;
	int ret;

	(void)state;
	/* Terminated: "{}" is fine, the second message is 31 bytes with a limit of 16. */
	proto_reader_init(&r, 16);
	ret = proto_reader_feed(&r, two, sizeof(two));
	if (ret == 0) {
		assert_int_equal(proto_reader_next(&r, &msg, &len), 1);
		assert_int_equal(len, 2);
		if (proto_reader_next(&r, &msg, &len) == 1) {
			proto_reader_deinit(&r);
			regression("a %zu-byte message was yielded by a reader limited to 16 bytes",
				   len + 1);
		}
	} else {
		assert_int_equal(ret, -EMSGSIZE);
	}
	proto_reader_deinit(&r);

	/* Unterminated: the tail alone is already over the limit. */
	proto_reader_init(&r, 16);
	ret = proto_reader_feed(&r, two, sizeof(two) - 1);
	if (ret == 0) {
		assert_int_equal(proto_reader_next(&r, &msg, &len), 1);
		assert_int_equal(proto_reader_next(&r, &msg, &len), 0);
		proto_reader_deinit(&r);
		regression(
			"a %zu-byte unterminated tail was accepted by a reader limited to 16 bytes",
			sizeof(two) - 4);
	}
	assert_int_equal(ret, -EMSGSIZE);
	proto_reader_deinit(&r);
}

/* ---- Decoding calls ---- */

struct call_case {
	const char *name;
	const char *msg;
	size_t len; /* 0: strlen(msg) */
	/* Expected failure: error name and offending member ("" for none); NULL: success. */
	const char *error;
	const char *parameter;
	/* Expected success. */
	const char *method;
	const char *iface;
	const char *params;
	bool oneway, more, upgrade;
};

#define OK(name, msg, method, iface, params, ow, mo, up)                                           \
	{                                                                                          \
		name, msg, 0, NULL, NULL, method, iface, params, ow, mo, up                        \
	}
#define BAD(name, msg, error, parameter)                                                           \
	{                                                                                          \
		name, msg, 0, error, parameter, NULL, NULL, NULL, false, false, false              \
	}
/* A message with NUL bytes in it: its length is that of the literal. */
#define BADN(name, msg, error, parameter)                                                          \
	{                                                                                          \
		name, msg, sizeof(msg) - 1, error, parameter, NULL, NULL, NULL, false, false,      \
			false                                                                      \
	}

static const struct call_case call_cases[] = {
	OK("no parameters", "{\"method\":\"org.varlink.service.GetInfo\"}",
	   "org.varlink.service.GetInfo", "org.varlink.service", "{}", false, false, false),
	OK("parameters",
	   "{\"method\":\"org.varlink.service.GetInterfaceDescription\","
	   "\"parameters\":{\"interface\":\"no.fristvakt\"}}",
	   "org.varlink.service.GetInterfaceDescription", "org.varlink.service",
	   "{\"interface\":\"no.fristvakt\"}", false, false, false),
	OK("parameters null", "{\"method\":\"no.fristvakt.Status\",\"parameters\":null}",
	   "no.fristvakt.Status", "no.fristvakt", "{}", false, false, false),
	OK("empty parameters", "{\"parameters\":{},\"method\":\"no.fristvakt.Status\"}",
	   "no.fristvakt.Status", "no.fristvakt", "{}", false, false, false),
	OK("nested parameters",
	   "{\"method\":\"a.B\",\"parameters\":{\"o\":{\"l\":[1,\"x\",null]},\"s\":\"Tromsø\"}}",
	   "a.B", "a", "{\"o\":{\"l\":[1,\"x\",null]},\"s\":\"Tromsø\"}", false, false, false),
	OK("oneway", "{\"method\":\"no.fristvakt.Reload\",\"oneway\":true}", "no.fristvakt.Reload",
	   "no.fristvakt", "{}", true, false, false),
	OK("more", "{\"method\":\"no.fristvakt.Status\",\"more\":true}", "no.fristvakt.Status",
	   "no.fristvakt", "{}", false, true, false),
	OK("upgrade", "{\"method\":\"no.fristvakt.Status\",\"upgrade\":true}",
	   "no.fristvakt.Status", "no.fristvakt", "{}", false, false, true),
	OK("flags false", "{\"method\":\"a.B\",\"oneway\":false,\"more\":false,\"upgrade\":false}",
	   "a.B", "a", "{}", false, false, false),
	OK("flags null", "{\"method\":\"a.B\",\"oneway\":null,\"more\":null}", "a.B", "a", "{}",
	   false, false, false),
	OK("whitespace around", " \n{ \"method\" : \"a.B\" }\t\r\n ", "a.B", "a", "{}", false,
	   false, false),
	OK("minimal name", "{\"method\":\"a.B\"}", "a.B", "a", "{}", false, false, false),
	OK("escaped method", "{\"method\":\"no.fristvakt.\\u0053tatus\"}", "no.fristvakt.Status",
	   "no.fristvakt", "{}", false, false, false),
	BAD("malformed JSON", "{\"method\":", INVALID_MESSAGE, ""),
	BAD("empty message", "", INVALID_MESSAGE, ""),
	BAD("only whitespace", "  ", INVALID_MESSAGE, ""),
	BAD("trailing garbage", "{\"method\":\"a.B\"}x", INVALID_MESSAGE, ""),
	BAD("two objects", "{\"method\":\"a.B\"}{\"method\":\"a.B\"}", INVALID_MESSAGE, ""),
	BAD("JSON array", "[{\"method\":\"a.B\"}]", INVALID_MESSAGE, ""),
	BAD("JSON string", "\"a.B\"", INVALID_MESSAGE, ""),
	BAD("JSON number", "42", INVALID_MESSAGE, ""),
	BAD("JSON null", "null", INVALID_MESSAGE, ""),
	BAD("single quotes", "{'method':'a.B'}", INVALID_MESSAGE, ""),
	BAD("method missing", "{\"parameters\":{}}", INVALID_MESSAGE, "method"),
	BAD("empty object", "{}", INVALID_MESSAGE, "method"),
	BAD("method null", "{\"method\":null}", INVALID_MESSAGE, "method"),
	BAD("method not a string", "{\"method\":42}", INVALID_MESSAGE, "method"),
	BAD("method an object", "{\"method\":{\"a\":\"B\"}}", INVALID_MESSAGE, "method"),
	BAD("method empty", "{\"method\":\"\"}", INVALID_MESSAGE, "method"),
	BAD("method without a dot", "{\"method\":\"GetInfo\"}", INVALID_MESSAGE, "method"),
	BAD("method lower case", "{\"method\":\"org.varlink.service.getInfo\"}", INVALID_MESSAGE,
	    "method"),
	BAD("method leading dot", "{\"method\":\".GetInfo\"}", INVALID_MESSAGE, "method"),
	BAD("method trailing dot", "{\"method\":\"org.varlink.service.\"}", INVALID_MESSAGE,
	    "method"),
	BAD("method name a digit", "{\"method\":\"a.1B\"}", INVALID_MESSAGE, "method"),
	BAD("parameters an array", "{\"method\":\"a.B\",\"parameters\":[]}", INVALID_MESSAGE,
	    "parameters"),
	BAD("parameters a string", "{\"method\":\"a.B\",\"parameters\":\"{}\"}", INVALID_MESSAGE,
	    "parameters"),
	BAD("oneway a string", "{\"method\":\"a.B\",\"oneway\":\"true\"}", INVALID_MESSAGE,
	    "oneway"),
	BAD("more a number", "{\"method\":\"a.B\",\"more\":1}", INVALID_MESSAGE, "more"),
	BAD("upgrade a string", "{\"method\":\"a.B\",\"upgrade\":\"yes\"}", INVALID_MESSAGE,
	    "upgrade"),
	BAD("unknown member", "{\"method\":\"a.B\",\"foo\":1}", INVALID_MESSAGE, "foo"),
	BAD("unknown member null", "{\"foo\":null,\"method\":\"a.B\"}", INVALID_MESSAGE, "foo"),
	BAD("duplicate method", "{\"method\":\"a.B\",\"method\":\"a.C\"}", INVALID_MESSAGE, ""),
	BAD("duplicate parameter", "{\"method\":\"a.B\",\"parameters\":{\"x\":1,\"x\":2}}",
	    INVALID_MESSAGE, ""),
	BAD("invalid UTF-8 byte", "{\"method\":\"a.B\",\"parameters\":{\"s\":\"\xff\"}}",
	    INVALID_MESSAGE, ""),
	BAD("invalid UTF-8 in a key", "{\"method\":\"a.B\",\"parameters\":{\"\xc3\":1}}",
	    INVALID_MESSAGE, ""),
	BAD("overlong UTF-8", "{\"method\":\"a.B\",\"parameters\":{\"s\":\"\xc0\xaf\"}}",
	    INVALID_MESSAGE, ""),
	BAD("UTF-8 surrogate", "{\"method\":\"a.B\",\"parameters\":{\"s\":\"\xed\xa0\x80\"}}",
	    INVALID_MESSAGE, ""),
	BAD("escaped lone surrogate", "{\"method\":\"a.B\",\"parameters\":{\"s\":\"\\ud800\"}}",
	    INVALID_MESSAGE, ""),
	BAD("\\u0000 in a string", "{\"method\":\"a.B\",\"parameters\":{\"s\":\"a\\u0000b\"}}",
	    INVALID_MESSAGE, ""),
	BAD("\\u0000 in a key", "{\"method\":\"a.B\",\"parameters\":{\"a\\u0000b\":1}}",
	    INVALID_MESSAGE, ""),
	BAD("\\u0000 in the method", "{\"method\":\"a.B\\u0000\"}", INVALID_MESSAGE, ""),
	BADN("raw NUL after the object", "{\"method\":\"a.B\"}\0", INVALID_MESSAGE, ""),
	BADN("raw NUL between objects", "{\"method\":\"a.B\"}\0{}", INVALID_MESSAGE, ""),
	BADN("raw NUL inside a string", "{\"method\":\"a.B\0\"}", INVALID_MESSAGE, ""),
	{ "length cuts the message", "{\"method\":\"a.B\"}", 10, INVALID_MESSAGE, "", NULL, NULL,
	  NULL, false, false, false },
};

static void
check_call(const char *ctx, const char *msg, size_t len, const struct call_case *c)
{
	struct proto_call call;
	struct proto_fault f;
	int ret;

	memset(&f, 0, sizeof(f));
	memset(&call, 0xa5, sizeof(call));
	ret = proto_call_parse(msg, len, &call, &f);
	if (c->error) {
		expect_int(ctx, "return", ret, -EINVAL);
		expect_str(ctx, "error", f.error, c->error);
		expect_str(ctx, "parameter", f.parameter, c->parameter);
		if (f.detail[0] == '\0')
			fail_msg("%s: no detail", ctx);
		/* A failed parse leaves nothing owned behind. */
		assert_null(call.method);
		assert_null(call.iface);
		assert_null(call.params);
		proto_call_deinit(&call);
		return;
	}
	if (ret != 0)
		fail_msg("%s: returned %d (%s, %s: %s)", ctx, ret, f.error, f.parameter, f.detail);
	expect_str(ctx, "method", call.method, c->method);
	expect_str(ctx, "iface", call.iface, c->iface);
	if (!json_is_object(call.params))
		fail_msg("%s: params is not an object", ctx);
	expect_json(ctx, "params", call.params, c->params);
	expect_int(ctx, "oneway", call.oneway, c->oneway);
	expect_int(ctx, "more", call.more, c->more);
	expect_int(ctx, "upgrade", call.upgrade, c->upgrade);
	proto_call_deinit(&call);
	assert_null(call.method);
	assert_null(call.params);
	/* Deinitialising twice is harmless. */
	proto_call_deinit(&call);
}

static void
test_call_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(call_cases); i++) {
		const struct call_case *c = &call_cases[i];
		size_t len = c->len ? c->len : strlen(c->msg);
		/* An exact-size copy, so that a read past len is caught by ASan. */
		char *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, c->msg, len);
		check_call(c->name, copy, len, c);
		free(copy);
	}
}

/* The method name is capped at 255 bytes. */
static void
test_call_method_length(void **state)
{
	static const struct call_case ok =
		OK("255-byte method", NULL, NULL, "i", "{}", false, false, false);
	static const struct call_case bad = BAD("256-byte method", NULL, INVALID_MESSAGE, "method");
	char method[300], msg[400];
	struct call_case want = ok;

	(void)state;
	memset(method, 'M', sizeof(method));
	method[0] = 'i';
	method[1] = '.';
	method[255] = '\0';
	want.method = method;
	snprintf(msg, sizeof(msg), "{\"method\":\"%s\"}", method);
	check_call(ok.name, msg, strlen(msg), &want);

	method[255] = 'M';
	method[256] = '\0';
	snprintf(msg, sizeof(msg), "{\"method\":\"%s\"}", method);
	check_call(bad.name, msg, strlen(msg), &bad);
}

/* Nesting deeper than the parser allows is refused, not a stack overflow. */
static void
test_call_deep_nesting(void **state)
{
	static const struct call_case bad = BAD("deep nesting", NULL, INVALID_MESSAGE, "");
	const size_t depth = 100000;
	static const char head[] = "{\"method\":\"a.B\",\"parameters\":{\"x\":";
	size_t len = sizeof(head) - 1 + 2 * depth + 2;
	char *msg = malloc(len);
	char *p;

	(void)state;
	assert_non_null(msg);
	p = msg;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	memset(p, '[', depth);
	p += depth;
	memset(p, ']', depth);
	p += depth;
	memcpy(p, "}}", 2);
	check_call(bad.name, msg, len, &bad);
	free(msg);
}

/* ---- Encoding ---- */

enum enc_kind {
	ENC_REPLY,
	ENC_ERROR,
	ENC_CALL,
};

struct enc_case {
	const char *name;
	enum enc_kind kind;
	const char *word;   /* error or method name */
	const char *params; /* JSON text, NULL: pass NULL */
	bool flag;	    /* continues (reply) or more (call) */
	const char *want;   /* exact text, without the NUL */
};

static const struct enc_case enc_cases[] = {
	{ "reply, no parameters", ENC_REPLY, NULL, NULL, false, "{\"parameters\":{}}" },
	{ "reply, empty parameters", ENC_REPLY, NULL, "{}", false, "{\"parameters\":{}}" },
	{ "reply, continues", ENC_REPLY, NULL, NULL, true,
	  "{\"parameters\":{},\"continues\":true}" },
	{ "reply, parameters", ENC_REPLY, NULL, "{\"version\":\"0.1.0\",\"uptime\":12}", false,
	  "{\"parameters\":{\"version\":\"0.1.0\",\"uptime\":12}}" },
	{ "reply, parameters and continues", ENC_REPLY, NULL, "{\"a\":[1,2,{\"b\":null}]}", true,
	  "{\"parameters\":{\"a\":[1,2,{\"b\":null}]},\"continues\":true}" },
	{ "reply, UTF-8 kept as is", ENC_REPLY, NULL, "{\"kommune\":\"Tromsø\",\"s\":\"a/b\"}",
	  false, "{\"parameters\":{\"kommune\":\"Tromsø\",\"s\":\"a/b\"}}" },
	{ "reply, escapes", ENC_REPLY, NULL, "{\"s\":\"\\\"\\\\\\n\\t\\u0001\"}", false,
	  "{\"parameters\":{\"s\":\"\\\"\\\\\\n\\t\\u0001\"}}" },
	{ "error, no parameters", ENC_ERROR, "org.varlink.service.MethodNotFound", NULL, false,
	  "{\"error\":\"org.varlink.service.MethodNotFound\",\"parameters\":{}}" },
	{ "error, parameters", ENC_ERROR, "no.fristvakt.RateLimited", "{\"retry_after_ms\":250}",
	  false,
	  "{\"error\":\"no.fristvakt.RateLimited\",\"parameters\":{\"retry_after_ms\":250}}" },
	{ "error, invalid parameter", ENC_ERROR, "org.varlink.service.InvalidParameter",
	  "{\"parameter\":\"interface\"}", false,
	  "{\"error\":\"org.varlink.service.InvalidParameter\","
	  "\"parameters\":{\"parameter\":\"interface\"}}" },
	{ "call, no parameters", ENC_CALL, "no.fristvakt.Status", NULL, false,
	  "{\"method\":\"no.fristvakt.Status\",\"parameters\":{}}" },
	{ "call, more", ENC_CALL, "no.fristvakt.Status", NULL, true,
	  "{\"method\":\"no.fristvakt.Status\",\"parameters\":{},\"more\":true}" },
	{ "call, parameters", ENC_CALL, "org.varlink.service.GetInterfaceDescription",
	  "{\"interface\":\"no.fristvakt\"}", false,
	  "{\"method\":\"org.varlink.service.GetInterfaceDescription\","
	  "\"parameters\":{\"interface\":\"no.fristvakt\"}}" },
};

static char *
encode(const struct enc_case *c, json_t *params, size_t *len)
{
	switch (c->kind) {
	case ENC_REPLY:
		return proto_reply_encode(params, c->flag, len);
	case ENC_ERROR:
		return proto_error_encode(c->word, params, len);
	case ENC_CALL:
		return proto_call_encode(c->word, params, c->flag, len);
	}
	return NULL;
}

static void
test_encode(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(enc_cases); i++) {
		const struct enc_case *c = &enc_cases[i];
		json_t *params = c->params ? json_of(c->name, c->params) : NULL;
		size_t len = 0, want_len = strlen(c->want);
		char *buf = encode(c, params, &len);

		assert_non_null(buf);
		expect_int(c->name, "len", (long long)len, (long long)want_len + 1);
		if (memcmp(buf, c->want, want_len) != 0)
			fail_msg("%s: encoded \"%.*s\", want \"%s\"", c->name, (int)len, buf,
				 c->want);
		expect_int(c->name, "last byte", buf[len - 1], '\0');
		/* params is borrowed: the caller's reference is the only one left. */
		if (params)
			expect_int(c->name, "params refcount", (long long)params->refcount, 1);
		free(buf);
		json_decref(params);
	}
}

/* What the encoders produce, the decoders read back (the NUL is not part of the message). */
static void
test_encode_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(enc_cases); i++) {
		const struct enc_case *c = &enc_cases[i];
		json_t *params = c->params ? json_of(c->name, c->params) : NULL;
		const char *want_params = c->params ? c->params : "{}";
		size_t len = 0;
		char *buf = encode(c, params, &len);

		if (c->kind == ENC_CALL) {
			struct proto_call call;
			struct proto_fault f;

			expect_int(c->name, "call parse", proto_call_parse(buf, len - 1, &call, &f),
				   0);
			expect_str(c->name, "method", call.method, c->word);
			expect_json(c->name, "params", call.params, want_params);
			expect_int(c->name, "more", call.more, c->flag);
			expect_int(c->name, "oneway", call.oneway, false);
			proto_call_deinit(&call);
		} else {
			struct proto_reply reply;

			expect_int(c->name, "reply parse", proto_reply_parse(buf, len - 1, &reply),
				   0);
			expect_str(c->name, "error", reply.error,
				   c->kind == ENC_ERROR ? c->word : NULL);
			expect_json(c->name, "params", reply.params, want_params);
			expect_int(c->name, "continues", reply.continues,
				   c->kind == ENC_REPLY && c->flag);
			proto_reply_deinit(&reply);
		}
		free(buf);
		json_decref(params);
	}
}

static void
test_reply_parse(void **state)
{
	static const struct {
		const char *msg;
		int ret;
		const char *error;
		const char *params;
		bool continues;
	} rows[] = {
		{ "{\"parameters\":{\"a\":1}}", 0, NULL, "{\"a\":1}", false },
		{ "{\"parameters\":{},\"continues\":true}", 0, NULL, "{}", true },
		{ "{\"parameters\":{},\"continues\":false}", 0, NULL, "{}", false },
		{ "{\"parameters\":null}", 0, NULL, "{}", false },
		{ "{}", 0, NULL, "{}", false },
		{ "{\"error\":\"no.fristvakt.ConfigInvalid\",\"parameters\":{\"message\":\"x:1: y\"}}",
		  0, "no.fristvakt.ConfigInvalid", "{\"message\":\"x:1: y\"}", false },
		{ "{\"error\":\"a.B\"}", 0, "a.B", "{}", false },
		{ "{\"error\":42}", -EINVAL, NULL, NULL, false },
		{ "{\"error\":null}", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":[]}", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":\"x\"}", -EINVAL, NULL, NULL, false },
		{ "[]", -EINVAL, NULL, NULL, false },
		{ "\"x\"", -EINVAL, NULL, NULL, false },
		{ "", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":{}", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":{}}x", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":{},\"parameters\":{}}", -EINVAL, NULL, NULL, false },
		{ "{\"parameters\":{\"s\":\"\xff\"}}", -EINVAL, NULL, NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(rows); i++) {
		struct proto_reply reply;
		int ret;

		memset(&reply, 0xa5, sizeof(reply));
		ret = proto_reply_parse(rows[i].msg, strlen(rows[i].msg), &reply);
		expect_int(rows[i].msg, "return", ret, rows[i].ret);
		if (ret == 0) {
			expect_str(rows[i].msg, "error", reply.error, rows[i].error);
			expect_json(rows[i].msg, "params", reply.params, rows[i].params);
			expect_int(rows[i].msg, "continues", reply.continues, rows[i].continues);
		} else {
			assert_null(reply.error);
			assert_null(reply.params);
		}
		proto_reply_deinit(&reply);
		proto_reply_deinit(&reply);
	}
}

/* ---- Parameter checks (jsonkit_check) ---- */

static const struct jsonkit_field fields[] = {
	{ "name", JSONKIT_STRING, true, 8 },  { "count", JSONKIT_INT, false, 0 },
	{ "flag", JSONKIT_BOOL, false, 0 },   { "opts", JSONKIT_OBJECT, false, 0 },
	{ "items", JSONKIT_ARRAY, false, 3 }, { "note", JSONKIT_STRING, false, 0 },
	{ "all", JSONKIT_ARRAY, false, 0 },
};

struct params_case {
	const char *name;
	const char *params; /* JSON text */
	/* When set, "note" is replaced by these raw bytes, which jansson would refuse. */
	const char *raw;
	size_t raw_len;
	/* Expected offending member and a phrase of the detail; NULL: accepted. */
	const char *parameter;
	const char *phrase;
};

#define RAW(s) s, sizeof(s) - 1

static const struct params_case params_cases[] = {
	{ "required only", "{\"name\":\"x\"}", NULL, 0, NULL, NULL },
	{ "every member",
	  "{\"name\":\"x\",\"count\":-3,\"flag\":false,\"opts\":{\"a\":1},\"items\":[],"
	  "\"note\":\"\",\"all\":[1,2,3,4,5]}",
	  NULL, 0, NULL, NULL },
	{ "null for optional members",
	  "{\"name\":\"x\",\"count\":null,\"flag\":null,\"opts\":null,\"items\":null,\"note\":null}",
	  NULL, 0, NULL, NULL },
	{ "string at max_len", "{\"name\":\"12345678\"}", NULL, 0, NULL, NULL },
	{ "max_len counts bytes, not characters", "{\"name\":\"øøøø\"}", NULL, 0, NULL, NULL },
	{ "array at max_len", "{\"name\":\"x\",\"items\":[1,2,3]}", NULL, 0, NULL, NULL },
	{ "large integer", "{\"name\":\"x\",\"count\":9007199254740993}", NULL, 0, NULL, NULL },
	{ "4-byte UTF-8", "{\"name\":\"x\"}", RAW("\xf0\x9f\x98\x80"), NULL, NULL },
	{ "U+10FFFF", "{\"name\":\"x\"}", RAW("\xf4\x8f\xbf\xbf"), NULL, NULL },
	{ "U+FFFF", "{\"name\":\"x\"}", RAW("a\xef\xbf\xbf"), NULL, NULL },
	{ "empty object", "{}", NULL, 0, "name", "missing parameter 'name'" },
	{ "required null", "{\"name\":null}", NULL, 0, "name", "missing parameter 'name'" },
	{ "unknown member", "{\"name\":\"x\",\"bogus\":1}", NULL, 0, "bogus",
	  "unknown parameter 'bogus'" },
	{ "unknown null member", "{\"name\":\"x\",\"bogus\":null}", NULL, 0, "bogus",
	  "unknown parameter" },
	{ "unknown before missing", "{\"Name\":\"x\"}", NULL, 0, "Name", "unknown parameter" },
	{ "string given a number", "{\"name\":1}", NULL, 0, "name", "must be a string" },
	{ "string given an array", "{\"name\":[\"x\"]}", NULL, 0, "name", "must be a string" },
	{ "integer given a string", "{\"name\":\"x\",\"count\":\"1\"}", NULL, 0, "count",
	  "must be an integer" },
	{ "integer given a real", "{\"name\":\"x\",\"count\":1.0}", NULL, 0, "count",
	  "must be an integer" },
	{ "integer given a boolean", "{\"name\":\"x\",\"count\":true}", NULL, 0, "count",
	  "must be an integer" },
	{ "boolean given a number", "{\"name\":\"x\",\"flag\":1}", NULL, 0, "flag",
	  "must be a boolean" },
	{ "boolean given a string", "{\"name\":\"x\",\"flag\":\"true\"}", NULL, 0, "flag",
	  "must be a boolean" },
	{ "object given an array", "{\"name\":\"x\",\"opts\":[]}", NULL, 0, "opts",
	  "must be an object" },
	{ "object given a string", "{\"name\":\"x\",\"opts\":\"{}\"}", NULL, 0, "opts",
	  "must be an object" },
	{ "array given an object", "{\"name\":\"x\",\"items\":{}}", NULL, 0, "items",
	  "must be an array" },
	{ "array given a string", "{\"name\":\"x\",\"items\":\"1,2\"}", NULL, 0, "items",
	  "must be an array" },
	{ "string over max_len", "{\"name\":\"123456789\"}", NULL, 0, "name",
	  "longer than 8 characters" },
	{ "string over max_len in characters", "{\"name\":\"øøøøøøøøø\"}", NULL, 0, "name",
	  "longer than 8 characters" },
	{ "array over max_len", "{\"name\":\"x\",\"items\":[1,2,3,4]}", NULL, 0, "items",
	  "more than 3 items" },
	{ "invalid UTF-8 byte", "{\"name\":\"x\"}", RAW("\xff"), "note", "UTF-8" },
	{ "continuation byte alone", "{\"name\":\"x\"}", RAW("a\x80z"), "note", "UTF-8" },
	{ "truncated sequence", "{\"name\":\"x\"}", RAW("ok\xc3"), "note", "UTF-8" },
	{ "truncated 4-byte sequence", "{\"name\":\"x\"}", RAW("\xf0\x9f\x98"), "note", "UTF-8" },
	{ "overlong 2-byte", "{\"name\":\"x\"}", RAW("\xc0\xaf"), "note", "UTF-8" },
	{ "overlong 3-byte", "{\"name\":\"x\"}", RAW("\xe0\x80\xaf"), "note", "UTF-8" },
	{ "overlong 4-byte", "{\"name\":\"x\"}", RAW("\xf0\x80\x80\xaf"), "note", "UTF-8" },
	{ "surrogate", "{\"name\":\"x\"}", RAW("\xed\xa0\x80"), "note", "UTF-8" },
	{ "past U+10FFFF", "{\"name\":\"x\"}", RAW("\xf4\x90\x80\x80"), "note", "UTF-8" },
	{ "embedded NUL", "{\"name\":\"x\"}", RAW("a\0b"), "note", "without NUL" },
};

static void
test_params_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(params_cases); i++) {
		const struct params_case *c = &params_cases[i];
		json_t *params = json_of(c->name, c->params);
		struct jsonkit_fault f;
		int ret;

		if (c->raw)
			json_object_set_new(params, "note",
					    json_stringn_nocheck(c->raw, c->raw_len));
		memset(&f, 0, sizeof(f));
		ret = jsonkit_check(params, fields, N_ELEM(fields), &f);
		if (!c->parameter) {
			if (ret != 0)
				fail_msg("%s: refused (%s: %s)", c->name, f.member, f.detail);
		} else {
			expect_int(c->name, "return", ret, -EINVAL);
			expect_str(c->name, "member", f.member, c->parameter);
			if (!strstr(f.detail, c->phrase))
				fail_msg("%s: detail \"%s\" lacks \"%s\"", c->name, f.detail,
					 c->phrase);
		}
		json_decref(params);
	}
}

/* No fields: only the empty object passes. */
static void
test_params_check_none(void **state)
{
	json_t *empty = json_object();
	json_t *one = json_pack("{si}", "x", 1);
	struct jsonkit_fault f;

	(void)state;
	assert_int_equal(jsonkit_check(empty, NULL, 0, &f), 0);
	assert_int_equal(jsonkit_check(one, NULL, 0, &f), -EINVAL);
	assert_string_equal(f.member, "x");
	json_decref(one);
	json_decref(empty);
}

/* jsonkit_compact writes exactly what json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes. */
static void
assert_same_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len = 0;
	char *got = jsonkit_compact(v, &len);

	assert_non_null(want);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(got);
	free(want);
}

static void
test_json_compact_table(void **state)
{
	static const char *const texts[] = {
		"{}",
		"[]",
		"\"\"",
		"0",
		"-1",
		"9223372036854775807",
		"-9223372036854775808",
		"1.5",
		"-0.25",
		"1e+300",
		"true",
		"false",
		"null",
		"{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{}}",
		"{\"z\":1,\"a\":2,\"m\":3}",
		"[\"\\\"quoted\\\" and \\\\ back\"]",
		"[\"tab\\there\\nnew\\rline\\bbell\\fform\"]",
		"[\"\\u0001\\u001f\\u007f\\u0000 controls\"]",
		"[\"slash / stays\"]",
		"{\"søknad\":\"økonomisk stønad — § 18 → ✓ 😀\"}",
		"{\"key with \\\"quote\\\"\":\"v\",\"ctl\\u0002\":[]}",
		"[[[[[[[[[[[]]]]]]]]]]]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_error_t err;
		json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

		if (!v)
			fail_msg("test input %zu does not parse: %s", i, err.text);
		assert_same_as_jansson(v);
		json_decref(v);
	}
}

/* Random trees of every type, with strings of every byte class, against jansson. */
static json_t *
random_value(unsigned *seed, int depth)
{
	static const char *const pieces[] = { "a",  "Z",  " ",	"\"",	"\\",	"/",	"\n", "\t",
					      "\r", "\b", "\f", "\x01", "\x1f", "\x7f", "ø",  "§",
					      "€",  "😀",  "{",	"}",	",",	":" };
	int kind = depth > 4 ? (int)(rand_r(seed) % 6) : (int)(rand_r(seed) % 8);

	switch (kind) {
	case 0:
		return json_integer((json_int_t)rand_r(seed) * (rand_r(seed) % 2 ? -1 : 1) *
				    (json_int_t)rand_r(seed));
	case 1:
		return json_boolean(rand_r(seed) % 2);
	case 2:
		return json_null();
	case 3:
	case 4:
	case 5: {
		char text[256] = "";
		size_t n = 0;
		int parts = (int)(rand_r(seed) % 12);

		for (int i = 0; i < parts; i++) {
			const char *p = pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))];

			if (n + strlen(p) >= sizeof(text))
				break;
			memcpy(text + n, p, strlen(p) + 1);
			n += strlen(p);
		}
		return json_string(text);
	}
	case 6: {
		json_t *a = json_array();
		int n = (int)(rand_r(seed) % 5);

		for (int i = 0; i < n; i++)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		int n = (int)(rand_r(seed) % 5);

		for (int i = 0; i < n; i++) {
			json_t *k = random_value(seed, 99);
			char key[64];

			snprintf(key, sizeof(key), "k%d%s", i,
				 json_is_string(k) ? json_string_value(k) : "");
			json_object_set_new(o, key, random_value(seed, depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

static void
test_json_compact_random(void **state)
{
	unsigned seed = 20261203;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		json_t *v = random_value(&seed, 0);

		assert_same_as_jansson(v);
		json_decref(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_framing),
		cmocka_unit_test(test_reader_fresh),
		cmocka_unit_test(test_reader_large),
		cmocka_unit_test(test_reader_many),
		cmocka_unit_test(test_reader_limit_after_message),
		cmocka_unit_test(test_call_parse),
		cmocka_unit_test(test_call_method_length),
		cmocka_unit_test(test_call_deep_nesting),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_json_compact_table),
		cmocka_unit_test(test_json_compact_random),
		cmocka_unit_test(test_reply_parse),
		cmocka_unit_test(test_params_check),
		cmocka_unit_test(test_params_check_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
