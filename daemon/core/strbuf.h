/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strbuf: the one growable string of the code base, always NUL-terminated once anything
 * was added. A zeroed struct strbuf is an empty string; growth aborts on out of memory
 * like the rest of util. The buffer owns p until strbuf_take() hands it over or
 * strbuf_free() releases it.
 */
#ifndef FV_STRBUF_H
#define FV_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *p;    /* NULL until the first addition */
	size_t len; /* bytes in p, not counting the NUL */
	size_t cap; /* bytes allocated at p */
};

/*
 * Makes room for n more bytes (and the NUL) at once, so that a writer that knows how much
 * is coming grows the buffer once instead of piece by piece. Changes no text.
 */
void strbuf_reserve(struct strbuf *b, size_t n);

/*
 * Appends n bytes of s (which need not be NUL-terminated; n may be 0). Inline, as is
 * strbuf_putc(): the JSON encoder calls them for every piece of a reply, and only growth
 * should cost a call.
 */
static inline void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (n >= b->cap - b->len)
		strbuf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends the string s. */
void strbuf_puts(struct strbuf *b, const char *s);

/* Appends one byte. */
static inline void
strbuf_putc(struct strbuf *b, char c)
{
	if (b->cap - b->len < 2)
		strbuf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Appends printf-formatted text. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Removes the first n bytes (at most len) and moves the rest to the front, keeping the
 * memory: for a reader that hands out what it buffered from the head.
 */
void strbuf_drop(struct strbuf *b, size_t n);

/* Empties b and keeps its memory for reuse. */
void strbuf_reset(struct strbuf *b);

/* The text so far: "" while nothing was added. Valid until the next change of b. */
const char *strbuf_str(const struct strbuf *b);

/* The text so far as a string the caller owns and frees ("" when empty); b is empty after. */
char *strbuf_take(struct strbuf *b);

/* Releases the memory of b and leaves it empty. */
void strbuf_free(struct strbuf *b);

#endif
