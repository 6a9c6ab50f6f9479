/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * jsonkit: JSON work that belongs to no protocol. The shape check of an object against a
 * table of its members (names, JSON types, which are required, sizes), which the Varlink
 * codec runs on a call, the server's dispatch on a method's parameters and the case
 * register on nested objects (a contact, an import item); and compact JSON text written
 * in one buffer. Pure code: jansson only.
 */
#ifndef FV_JSONKIT_H
#define FV_JSONKIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The JSON type a member must have. */
enum jsonkit_type {
	JSONKIT_STRING,
	JSONKIT_INT,
	JSONKIT_BOOL,
	JSONKIT_OBJECT,
	JSONKIT_ARRAY,
};

/* One member of an object as a table describes it. */
struct jsonkit_field {
	const char *name;
	enum jsonkit_type type;
	bool required;
	size_t max_len; /* strings: characters (0: no limit beyond the message's); arrays: items */
};

/*
 * Why an object does not fit its table: member names the offending member (empty when
 * there is none) and detail says what is wrong, for a person ("missing parameter 'x'").
 * Both are valid UTF-8, cut short if need be, so that they can go into a JSON reply.
 */
struct jsonkit_fault {
	char member[64];
	char detail[256];
};

/*
 * Checks obj (a JSON object, borrowed) against fields (n of them): no unknown members,
 * required ones present, types right (null counts as absent for optional members),
 * strings valid UTF-8 without NUL and within max_len, arrays within max_len items. 0, or
 * -EINVAL with f filled.
 */
int jsonkit_check(json_t *obj, const struct jsonkit_field *fields, size_t n,
		  struct jsonkit_fault *f);

/*
 * v (borrowed) as compact JSON text, owned and NUL-terminated, *len its length without
 * the NUL (len may be NULL). The same bytes as jansson's json_dumps(v, JSON_COMPACT |
 * JSON_ENCODE_ANY), written directly into one buffer (jansson's callback per piece cost
 * most of a large reply's time, measured). Strings are assumed valid UTF-8, as jansson's
 * constructors make them.
 */
char *jsonkit_compact(const json_t *v, size_t *len);

#endif
