// SPDX-License-Identifier: GPL-3.0-or-later
/* jsonkit: the shape check of a JSON object and compact JSON text (see jsonkit.h). */
#include "core/jsonkit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"

static void fault_set(struct jsonkit_fault *f, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fault_set(struct jsonkit_fault *f, const char *member, const char *fmt, ...)
{
	va_list ap;

	snprintf(f->member, sizeof(f->member), "%s", member);
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	fv_utf8_cut(f->member);
	fv_utf8_cut(f->detail);
}

static const char *
type_name(enum jsonkit_type t)
{
	switch (t) {
	case JSONKIT_STRING:
		return "a string";
	case JSONKIT_INT:
		return "an integer";
	case JSONKIT_BOOL:
		return "a boolean";
	case JSONKIT_OBJECT:
		return "an object";
	case JSONKIT_ARRAY:
		return "an array";
	}
	return "?";
}

static bool
type_ok(json_t *v, enum jsonkit_type t)
{
	switch (t) {
	case JSONKIT_STRING:
		return json_is_string(v);
	case JSONKIT_INT:
		return json_is_integer(v);
	case JSONKIT_BOOL:
		return json_is_boolean(v);
	case JSONKIT_OBJECT:
		return json_is_object(v);
	case JSONKIT_ARRAY:
		return json_is_array(v);
	}
	return false;
}

/* The first member of obj that fields does not name: -EINVAL with f filled, or 0. */
static int
check_unknown(json_t *obj, const struct jsonkit_field *fields, size_t n, struct jsonkit_fault *f)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t i;

		for (i = 0; i < n && strcmp(fields[i].name, key) != 0; i++)
			;
		if (i == n) {
			fault_set(f, key, "unknown parameter '%.40s'", key);
			return -EINVAL;
		}
	}
	return 0;
}

/* A string member v of fd: UTF-8 without NUL, within fd's characters. 0 or -EINVAL. */
static int
check_string(json_t *v, const struct jsonkit_field *fd, struct jsonkit_fault *f)
{
	size_t len = json_string_length(v);

	if (!fv_utf8_valid(json_string_value(v), len)) {
		fault_set(f, fd->name, "parameter '%s' must be UTF-8 text without NUL", fd->name);
		return -EINVAL;
	}
	if (fd->max_len && fv_utf8_chars(json_string_value(v), len) > fd->max_len) {
		fault_set(f, fd->name, "parameter '%s' is longer than %zu characters", fd->name,
			  fd->max_len);
		return -EINVAL;
	}
	return 0;
}

/* The member of obj that fd describes: present if required, of its type, in bounds. */
static int
check_field(json_t *obj, const struct jsonkit_field *fd, struct jsonkit_fault *f)
{
	json_t *v = json_object_get(obj, fd->name);

	if (!v || json_is_null(v)) {
		if (!fd->required)
			return 0;
		fault_set(f, fd->name, "missing parameter '%s'", fd->name);
		return -EINVAL;
	}
	if (!type_ok(v, fd->type)) {
		fault_set(f, fd->name, "parameter '%s' must be %s", fd->name, type_name(fd->type));
		return -EINVAL;
	}
	if (fd->type == JSONKIT_STRING)
		return check_string(v, fd, f);
	if (fd->type == JSONKIT_ARRAY && fd->max_len && json_array_size(v) > fd->max_len) {
		fault_set(f, fd->name, "parameter '%s' has more than %zu items", fd->name,
			  fd->max_len);
		return -EINVAL;
	}
	return 0;
}

int
jsonkit_check(json_t *obj, const struct jsonkit_field *fields, size_t n, struct jsonkit_fault *f)
{
	int ret = check_unknown(obj, fields, n, f);

	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = check_field(obj, &fields[i], f);
	return ret;
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
jsonkit_compact(const json_t *v, size_t *len)
{
	struct strbuf b = { 0 };

	put_value(&b, v);
	if (len)
		*len = b.len;
	return strbuf_take(&b);
}
