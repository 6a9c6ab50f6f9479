/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util: allocation that aborts on failure, checked number parsing and the always-on
 * invariant check. Running out of memory is fatal by design, so callers have
 * no ENOMEM paths; every size that comes from outside is capped before it is allocated.
 */
#ifndef FV_UTIL_H
#define FV_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Internal invariant: always checked, fatal. Never use it on outside input. */
#define FV_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fv_assert_fail(#cond, __FILE__, __LINE__, __func__);                       \
	} while (0)
_Noreturn void fv_assert_fail(const char *what, const char *file, int line, const char *func);

/* Whole-string decimal parsing with range checks: 0 or -EINVAL / -ERANGE. */
int fv_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Whether s (len bytes) is valid UTF-8 without NUL bytes. */
bool fv_utf8_valid(const char *s, size_t len);

/*
 * The length in bytes (1 to 4) of the well-formed UTF-8 character at s, which has avail
 * bytes left; 0 when avail is 0 or s starts with a NUL byte, a byte that cannot begin a
 * character, or a sequence that is cut short, overlong, a surrogate or past U+10FFFF.
 */
size_t fv_utf8_char_len(const char *s, size_t avail);

/*
 * Cuts the string s at the first byte that does not start a complete, well-formed UTF-8
 * character (snprintf may have split one; jansson refuses invalid UTF-8).
 */
void fv_utf8_cut(char *s);

/* The characters (code points, so terminal columns for the text we print) of the n bytes
 * of UTF-8 at s: every byte that is not a continuation byte counts. */
size_t fv_utf8_chars(const char *s, size_t n);

/*
 * Whether s holds a Norwegian national identity number (fødselsnummer, D-nummer or
 * H-nummer) anywhere in it, written as people write one: 11 digits in a row, or the birth
 * date and the personal number apart, joined by single separators (space - . / _ :):
 * "15058045656", "150580-45656", "S-150580 45656", "15.05.80 45656", "15.05.80.456.56".
 * The number's birth date must be a date (D-nummer, H-nummer and the registry's synthetic
 * test numbers included) and its modulus-11 check digits valid, by the rule of numbers
 * issued before 2032 or the wider one of those issued from 1 January 2032. Such a number
 * must never be stored. Eleven digits grouped otherwise ("2011/10148-10") are not one.
 */
bool fv_has_national_id(const char *s);

/* Creates a directory and its missing parents with mode (existing ones are left alone). */
int fv_mkdir_p(const char *path, unsigned mode);

/* A fresh absolute path: path itself if absolute, else joined to the working directory. */
char *fv_abspath(const char *path);

#endif
