// SPDX-License-Identifier: GPL-3.0-or-later
/* strbuf: see strbuf.h. */
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Room for n more bytes and the NUL; capacity doubles from 64 bytes. */
void
strbuf_reserve(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;

	FV_ASSERT(n < SIZE_MAX / 2 - b->len);
	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	FV_ASSERT(n >= 0);
	strbuf_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
strbuf_drop(struct strbuf *b, size_t n)
{
	FV_ASSERT(n <= b->len);
	if (n == 0)
		return;
	memmove(b->p, b->p + n, b->len - n + 1);
	b->len -= n;
}

void
strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

const char *
strbuf_str(const struct strbuf *b)
{
	return b->p ? b->p : "";
}

char *
strbuf_take(struct strbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");

	memset(b, 0, sizeof(*b));
	return p;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
