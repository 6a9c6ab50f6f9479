/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tmpl_impl: a parsed template's layout, shared by the loader and renderer (core/tmpl.c)
 * and the parser of the file format (core/tmpl_parse.c) and by nothing else. Everyone else
 * sees templates only through tmpl.h.
 */
#ifndef FV_TMPL_IMPL_H
#define FV_TMPL_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

/* A piece of a parsed text: literal bytes, or (text NULL) the variable tmpl_known_vars[var]. */
struct part {
	char *text;
	size_t len;
	size_t var;
};

struct text {
	struct part *parts;
	size_t n;
};

struct tmpl {
	char *name;
	struct text subject;
	struct text body; /* every line ends in '\n' */
};

/* A space or a tab. */
static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A C0 control character or DEL. */
static inline bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Parses the template text (len bytes, borrowed) read from path into t, whose name the
 * caller sets. 0, or -EINVAL with err naming the line. What was parsed before an error
 * stays in t for tmpl_text_free().
 */
int tmpl_parse(const char *path, const char *data, size_t len, struct tmpl *t, struct diag *err);

/* Frees the parts of t and leaves it empty (t itself is the caller's). */
void tmpl_text_free(struct text *t);

#endif
