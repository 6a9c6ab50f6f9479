// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * conf/kit: the getters every loader of conf/ uses (see kit_impl.h), and conf_error_at(), the
 * one way a loader reports a problem at a setting's file and line.
 */
#include "conf/kit_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "core/util.h"

void
conf_error_at(struct diag *err, const config_setting_t *s, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set(err, config_setting_source_file(s), (int)config_setting_source_line(s), "%s", msg);
}

/* names (NULL-terminated) as "a, b, c" into buf; what does not fit is left out. */
static void
join_names(char *buf, size_t len, const char *const *names)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *const *a = names; *a; a++) {
		int w = snprintf(buf + used, len - used, "%s%s", a == names ? "" : ", ", *a);

		if (w > 0 && (size_t)w < len - used)
			used += (size_t)w;
	}
}

static bool
name_in(const char *name, const char *const *allowed)
{
	for (const char *const *a = allowed; *a; a++) {
		if (strcmp(name, *a) == 0)
			return true;
	}
	return false;
}

int
conf_check_keys(const config_setting_t *s, const char *const *allowed, const char *what,
		struct diag *err)
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		char list[512];

		if (!name || name_in(name, allowed))
			continue;
		if (!what) {
			conf_error_at(err, m, "unknown setting '%s'", name);
			return -EINVAL;
		}
		join_names(list, sizeof(list), allowed);
		conf_error_at(err, m, "unknown setting '%s' in %s (allowed: %s)", name, what, list);
		return -EINVAL;
	}
	return 0;
}

int
conf_need_group(const config_setting_t *s, const char *what, struct diag *err)
{
	if (!config_setting_is_group(s)) {
		conf_error_at(err, s, "each %s must be a group { ... }", what);
		return -EINVAL;
	}
	return 0;
}

/* An absent member: 0, or with CONF_GET_REQUIRED -EINVAL "missing 'KEY' in WHAT" at g. */
static int
absent(const config_setting_t *g, const char *key, unsigned flags, const char *what,
       struct diag *err)
{
	if (!(flags & CONF_GET_REQUIRED))
		return 0;
	conf_error_at(err, g, "missing '%s' in %s", key, what);
	return -EINVAL;
}

int
conf_get_list(const config_setting_t *parent, const char *key, unsigned flags, const char *what,
	      const config_setting_t **out, struct diag *err)
{
	const config_setting_t *s = config_setting_get_member(parent, key);

	if (!s)
		return absent(parent, key, flags, what, err);
	if (!config_setting_is_list(s)) {
		conf_error_at(err, s, "'%s' must be a list ( { ... }, ... )", key);
		return -EINVAL;
	}
	*out = s;
	return 1;
}

int
conf_get_string(const config_setting_t *g, const char *key, unsigned flags, const char *what,
		const char **out, struct diag *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *v;

	if (!s)
		return absent(g, key, flags, what, err);
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error_at(err, s, "'%s' must be a string", key);
		return -EINVAL;
	}
	v = config_setting_get_string(s);
	if (!(flags & CONF_GET_EMPTY_OK) && *v == '\0') {
		conf_error_at(err, s, "'%s' must not be empty", key);
		return -EINVAL;
	}
	if ((flags & CONF_GET_UTF8) && !fv_utf8_valid(v, strlen(v))) {
		conf_error_at(err, s, "'%s' is not valid UTF-8", key);
		return -EINVAL;
	}
	*out = v;
	return 1;
}

int
conf_get_bool(const config_setting_t *g, const char *key, bool *out, struct diag *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error_at(err, s, "'%s' must be true or false", key);
		return -EINVAL;
	}
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

/*
 * Line n (from 1) of the file at path, owned, or NULL. A long line counts as one, as
 * libconfig counts it (getline).
 */
static char *
file_line(const char *path, unsigned n)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	for (unsigned i = 1; getline(&buf, &cap, f) >= 0; i++) {
		if (i == n) {
			fclose(f);
			return buf;
		}
	}
	free(buf);
	fclose(f);
	return NULL;
}

/*
 * The integer literal after the key found at p in line (klen bytes long): 1 with *v,
 * -ERANGE when it does not fit in 64 bits, 0 when p is no "key =" or "key:" with a number
 * after it (such as "timeout" inside "connect_timeout").
 */
static int
literal_after(const char *line, const char *p, size_t klen, long long *v)
{
	const char *q = p + klen;
	char *end;

	if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '-'))
		return 0;
	q += strspn(q, " \t");
	if (*q != '=' && *q != ':')
		return 0;
	q++;
	q += strspn(q, " \t");
	errno = 0;
	*v = strtoll(q, &end, 0);
	if (end == q)
		return 0;
	return errno == ERANGE ? -ERANGE : 1;
}

/*
 * libconfig 1.5 silently wraps an integer literal past 32 bits (without an L suffix) when it
 * parses it. Read the literals back from the file's line and compare, so that
 * "max_connections = 4294967297;" is an error instead of 1. The key may stand on the line
 * more than once ("{ offset = 0; }, { offset = 1; }", or "?timeout=3" inside a URL before
 * "timeout = 5"): any literal equal to the value read is the one, and the file is refused
 * only when none is and one of them does not fit in 32 bits.
 */
bool
conf_int_literal_ok(const config_setting_t *s, const char *key, int64_t v)
{
	const char *file = config_setting_source_file(s);
	unsigned line = config_setting_source_line(s);
	size_t klen = strlen(key);
	bool match = false, wide = false;
	char *buf, *p;

	if (!file || line == 0 || klen == 0 || !(buf = file_line(file, line)))
		return true;
	for (p = strstr(buf, key); p && !match; p = strstr(p + 1, key)) {
		long long raw;
		int r = literal_after(buf, p, klen, &raw);

		if (r > 0 && raw == v)
			match = true;
		else if (r < 0 || (r > 0 && (raw < INT32_MIN || raw > INT32_MAX)))
			wide = true;
	}
	free(buf);
	return match || !wide;
}

int
conf_get_int(const config_setting_t *g, const char *key, int64_t min, int64_t max, unsigned flags,
	     int64_t *out, struct diag *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	bool whole = flags & CONF_GET_WHOLE, wrapped;
	char why[64] = "";
	int64_t v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error_at(err, s, "'%s' must be %s", key,
			      whole ? "a whole number" : "an integer");
		return -EINVAL;
	}
	v = config_setting_get_int64(s);
	wrapped = !whole && !conf_int_literal_ok(s, key, v);
	if (!wrapped && v >= min && v <= max) {
		*out = v;
		return 1;
	}
	if (!(flags & CONF_GET_BARE_RANGE) && wrapped)
		snprintf(why, sizeof(why), " (the number written is too large)");
	else if (!(flags & CONF_GET_BARE_RANGE))
		snprintf(why, sizeof(why), " (is %lld)", (long long)v);
	conf_error_at(err, s, "'%s' must be between %lld and %lld%s", key, (long long)min,
		      (long long)max, why);
	return whole ? -EINVAL : -ERANGE;
}

int
conf_get_i32(const config_setting_t *g, const char *key, int64_t min, int64_t max, unsigned flags,
	     int32_t *out, struct diag *err)
{
	int64_t v;
	int ret = conf_get_int(g, key, min, max, flags, &v, err);

	if (ret > 0)
		*out = (int32_t)v;
	return ret;
}

int
conf_get_u32(const config_setting_t *g, const char *key, int64_t min, int64_t max, unsigned flags,
	     uint32_t *out, struct diag *err)
{
	int64_t v;
	int ret = conf_get_int(g, key, min, max, flags, &v, err);

	if (ret > 0)
		*out = (uint32_t)v;
	return ret;
}

int
conf_get_choice(const config_setting_t *g, const char *key, const char *const *names, size_t n,
		int *out, struct diag *err)
{
	const char *v = NULL;
	char list[160] = "";
	size_t used = 0;
	int ret;

	if ((ret = conf_get_string(g, key, CONF_GET_UTF8, NULL, &v, err)) <= 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "",
				 names[i]);

		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	conf_error_at(err, config_setting_get_member(g, key), "bad %s '%s' (expected one of %s)",
		      key, v, list);
	return -EINVAL;
}
