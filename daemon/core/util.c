// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * util: see util.h. Allocation failure aborts with a message on stderr; nothing here logs
 * through the log module so that util has no dependencies.
 */
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Noreturn void
oom(size_t n)
{
	fprintf(stderr, "<2>fristvakt: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	FV_ASSERT(n >= 0);
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
fv_assert_fail(const char *what, const char *file, int line, const char *func)
{
	fprintf(stderr, "<2>fristvakt: internal error: %s failed at %s:%d (%s)\n", what, file, line,
		func);
	abort();
}

int
fv_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * The length of a character by its first byte c (2 to 4), or 0 when c cannot begin one.
 * Most leads allow any continuation byte (0x80..0xbf) second; four narrow that range to
 * what keeps the character well-formed, and set *lo or *hi: after E0 and F0 the ranges
 * that would be overlong forms go, after ED the surrogates, after F4 what lies past
 * U+10FFFF. ASCII is the caller's business.
 */
static size_t
utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

size_t
fv_utf8_char_len(const char *s, size_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (avail == 0 || p[0] == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	n = utf8_lead(p[0], &lo, &hi);
	if (n == 0 || n > avail || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

void
fv_utf8_cut(char *s)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len && (n = fv_utf8_char_len(s + i, len - i)) > 0)
		i += n;
	s[i] = '\0';
}

size_t
fv_utf8_chars(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

bool
fv_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		/* ASCII but NUL, the common case, without the call. */
		size_t n = (unsigned char)s[i] - 1u < 0x7f ? 1 : fv_utf8_char_len(s + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

int
fv_mkdir_p(const char *path, unsigned mode)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			ret = -errno;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		ret = -errno;
out:
	free(p);
	return ret;
}

char *
fv_abspath(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/*
 * Whether d[0..10] is a Norwegian identity number: a birth date (day + 40 in a D-nummer,
 * month + 40 in an H-nummer, month + 80 in the registry's synthetic test numbers) and
 * two modulus-11 check digits. Numbers issued from 1 January 2032 widen the first check:
 * the weighted sum over the nine digits and k1 may leave 0, 1, 2 or 3 after division by
 * 11, where older numbers leave 0. The second check is the same for both.
 */
static bool
national_id_valid(const int *d)
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int day = d[0] * 10 + d[1], month = d[2] * 10 + d[3];
	int s1 = d[9], s2 = 0, k2;

	if (day > 40)
		day -= 40;
	if (month > 80)
		month -= 80;
	else if (month > 40)
		month -= 40;
	if (day < 1 || day > 31 || month < 1 || month > 12)
		return false;
	for (int i = 0; i < 9; i++)
		s1 += w1[i] * d[i];
	if (s1 % 11 > 3)
		return false;
	for (int i = 0; i < 10; i++)
		s2 += w2[i] * d[i];
	k2 = (11 - s2 % 11) % 11;
	return k2 != 10 && k2 == d[10];
}

/*
 * The ways people write an identity number, as the digit counts of its groups: all eleven
 * digits, the birth date and the personal number apart ("150580 45656"), the date with its
 * own separators ("15.05.80 45656", "15.05.80.456.56"), or the personal number split too.
 * Other groupings of eleven digits are other things: archive references ("2011/10148-10"),
 * dates with times ("10.1.2025 08:20"), account numbers ("1503.12.34567").
 */
static const unsigned char id_shapes[][5] = {
	{ 11 }, { 6, 5 }, { 6, 3, 2 }, { 2, 2, 2, 5 }, { 2, 2, 2, 3, 2 },
};

#define ID_SHAPE_MAX 5

/* Whether the last groups of the window (oldest first) have the digit counts of shape. */
static bool
id_shape_fits(const unsigned char *shape, const int (*d)[11], const int *len, int n_window)
{
	int n_shape = 0, digits[11], k = 0;

	while (n_shape < ID_SHAPE_MAX && shape[n_shape])
		n_shape++;
	if (n_shape > n_window)
		return false;
	for (int g = 0; g < n_shape; g++) {
		int w = n_window - n_shape + g;

		if (len[w] != shape[g])
			return false;
		for (int i = 0; i < len[w]; i++)
			digits[k++] = d[w][i];
	}
	return national_id_valid(digits);
}

bool
fv_has_national_id(const char *s)
{
	/* The last ID_SHAPE_MAX digit groups joined by single separators, oldest first. */
	int d[ID_SHAPE_MAX][11], len[ID_SHAPE_MAX], n_window = 0;
	const char *p = s;

	while (*p) {
		int n = 0;

		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		if (n_window == ID_SHAPE_MAX) {
			memmove(d, d + 1, sizeof(d[0]) * (ID_SHAPE_MAX - 1));
			memmove(len, len + 1, sizeof(len[0]) * (ID_SHAPE_MAX - 1));
			n_window--;
		}
		for (; *p >= '0' && *p <= '9'; p++, n++) {
			if (n < 11)
				d[n_window][n] = *p - '0';
		}
		len[n_window++] = n;
		for (size_t i = 0; i < FV_ARRAY_SIZE(id_shapes); i++) {
			if (id_shape_fits(id_shapes[i], (const int(*)[11])d, len, n_window))
				return true;
		}
		/* One separator joins this group to the next; anything else starts afresh. */
		if (!(*p && strchr(" -./_:", *p) && p[1] >= '0' && p[1] <= '9'))
			n_window = 0;
	}
	return false;
}
