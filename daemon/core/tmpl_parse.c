// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tmpl_parse: the template file format and its parser (see tmpl_impl.h). A template file
 * looks like this:
 *
 *	Subject: Klagefrist i sak {{reference}} går ut {{due}}
 *
 *	Klagefristen for vedtaket i sak {{reference}} går ut {{due_weekday}} {{due}}.
 *
 * - UTF-8 with Unix line ends: no CR, no NUL, no control character but tab; at most
 *   TMPL_MAX_FILE bytes. A byte order mark at the very start is skipped.
 * - Line 1 is "Subject:" and the subject (required; spaces around it are dropped).
 * - Line 2 is empty (spaces and tabs allowed): it separates the subject from the body.
 * - The rest is the body, at least one line that is not blank. Blank lines at its end are
 *   dropped; every line of it, the last included, ends in '\n' when rendered.
 * - {{name}}, or {{ name }}, stands for the value of a variable of tmpl_known_vars. A
 *   placeholder does not span lines. Values are inserted as they are, never scanned for
 *   placeholders themselves.
 * - Escape rule: "{{{{" is a literal "{{" and "}}}}" a literal "}}"; single braces are plain
 *   text. A "{{" without "}}" later on its line and a "}}" outside a placeholder are errors,
 *   so a stray brace pair never slips silently into a message.
 *
 * A parsed text is a list of parts, literal bytes and variables, so that rendering only
 * copies and looks values up.
 */
#include "core/tmpl_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/strbuf.h"
#include "core/tmpl.h"
#include "core/util.h"

#define SUBJECT_PREFIX "Subject:"

/* The index in tmpl_known_vars of the name (len bytes), or -1. */
static int
var_index(const char *name, size_t len)
{
	for (size_t i = 0; tmpl_known_vars[i]; i++)
		if (strlen(tmpl_known_vars[i]) == len && memcmp(tmpl_known_vars[i], name, len) == 0)
			return (int)i;
	return -1;
}

void
tmpl_text_free(struct text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->parts[i].text);
	free(t->parts);
	memset(t, 0, sizeof(*t));
}

static void
text_push(struct text *t, char *text, size_t len, size_t var)
{
	t->parts = xrealloc(t->parts, (t->n + 1) * sizeof(*t->parts));
	t->parts[t->n].text = text;
	t->parts[t->n].len = len;
	t->parts[t->n].var = var;
	t->n++;
}

/* Moves the literal collected in lit, if any, to the end of t. */
static void
text_flush(struct text *t, struct strbuf *lit)
{
	size_t len = lit->len;

	if (len)
		text_push(t, strbuf_take(lit), len, 0);
}

static bool
starts(const char *s, size_t len, const char *with)
{
	size_t n = strlen(with);

	return len >= n && memcmp(s, with, n) == 0;
}

/* Reports the unknown variable name (len bytes) with the list of the known ones. */
static void
unknown_var(const char *name, size_t len, const char *path, int ln, struct diag *err)
{
	char known[384];
	size_t k = 0;

	known[0] = '\0';
	for (size_t j = 0; tmpl_known_vars[j] && k < sizeof(known); j++)
		k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s", j ? ", " : "",
				      tmpl_known_vars[j]);
	diag_set(err, path, ln, "unknown variable '%.*s' (known: %s)", (int)(len > 40 ? 40 : len),
		 name, known);
}

/*
 * The placeholder that starts with "{{" at s[*i] (of a line of len bytes): appends it to t
 * after the literal collected in lit, and moves *i past its "}}". 0 or -EINVAL.
 */
static int
parse_placeholder(const char *s, size_t len, size_t *i, struct text *t, struct strbuf *lit,
		  const char *path, int ln, struct diag *err)
{
	size_t a = *i + 2, b;
	const char *close = memmem(s + a, len - a, "}}", 2);
	int var;

	if (!close) {
		diag_set(err, path, ln,
			 "unterminated '{{' (a placeholder ends with '}}' on the same "
			 "line; write '{{{{' for a literal '{{')");
		return -EINVAL;
	}
	b = (size_t)(close - s);
	*i = b + 2;
	while (a < b && is_blank(s[a]))
		a++;
	while (b > a && is_blank(s[b - 1]))
		b--;
	if (a == b) {
		diag_set(err, path, ln, "empty variable name in '{{ }}'");
		return -EINVAL;
	}
	var = var_index(s + a, b - a);
	if (var < 0) {
		unknown_var(s + a, b - a, path, ln, err);
		return -EINVAL;
	}
	text_flush(t, lit);
	text_push(t, NULL, 0, (size_t)var);
	return 0;
}

/* Parses the placeholders of one line (s, len bytes) into t, literals collecting in lit. */
static int
parse_line(const char *s, size_t len, struct text *t, struct strbuf *lit, const char *path, int ln,
	   struct diag *err)
{
	size_t i = 0;

	while (i < len) {
		if (starts(s + i, len - i, "{{{{") || starts(s + i, len - i, "}}}}")) {
			strbuf_add(lit, s + i, 2);
			i += 4;
		} else if (starts(s + i, len - i, "}}")) {
			diag_set(
				err, path, ln,
				"stray '}}' outside a placeholder (write '}}}}' for a literal '}}')");
			return -EINVAL;
		} else if (starts(s + i, len - i, "{{")) {
			int ret = parse_placeholder(s, len, &i, t, lit, path, ln, err);

			if (ret < 0)
				return ret;
		} else {
			strbuf_add(lit, s + i, 1);
			i++;
		}
	}
	return 0;
}

/* Checks the bytes of one line: UTF-8, no CR, no NUL, no control character but tab. */
static int
check_line(const char *s, size_t len, const char *path, int ln, struct diag *err)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			diag_set(err, path, ln,
				 "carriage return (CR) character: save with Unix line ends (LF)");
			return -EINVAL;
		}
		if (c == '\0') {
			diag_set(err, path, ln, "NUL byte");
			return -EINVAL;
		}
		if (is_control(c) && c != '\t') {
			diag_set(err, path, ln, "control character 0x%02x", c);
			return -EINVAL;
		}
	}
	if (!fv_utf8_valid(s, len)) {
		diag_set(err, path, ln, "invalid UTF-8 (save the file as UTF-8)");
		return -EINVAL;
	}
	return 0;
}

static bool
line_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* A line of a file: start offset and length without the '\n'. */
struct line {
	size_t off;
	size_t len;
};

/*
 * The lines of data (len bytes): an array the caller frees, *n entries. A final '\n' ends
 * the last line, it does not start another.
 */
static struct line *
split_lines(const char *data, size_t len, size_t *n)
{
	struct line *lines;
	size_t k = 0;

	for (size_t i = 0; i < len; i++)
		k += data[i] == '\n';
	lines = xcalloc(k + 1, sizeof(*lines));
	k = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;

		lines[k].off = i;
		lines[k].len = end - i;
		k++;
		i = end + 1;
	}
	*n = k;
	return lines;
}

/* The number (1-based) of the last line that is not blank, 0 when all are: the body's end. */
static size_t
last_text_line(const char *data, const struct line *lines, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		if (!line_blank(data + lines[i - 1].off, lines[i - 1].len))
			return i;
	}
	return 0;
}

/* Line 1, "Subject: ..." (s, l bytes): its text, trimmed, into t->subject. */
static int
parse_subject(const char *s, size_t l, struct tmpl *t, struct strbuf *lit, const char *path,
	      struct diag *err)
{
	size_t pl = strlen(SUBJECT_PREFIX);
	int ret;

	if (!starts(s, l, SUBJECT_PREFIX)) {
		diag_set(err, path, 1, "the first line must be 'Subject: ...' (the subject)");
		return -EINVAL;
	}
	s += pl;
	l -= pl;
	while (l && is_blank(*s)) {
		s++;
		l--;
	}
	while (l && is_blank(s[l - 1]))
		l--;
	if (l == 0) {
		diag_set(err, path, 1, "empty subject after 'Subject:'");
		return -EINVAL;
	}
	ret = parse_line(s, l, &t->subject, lit, path, 1, err);
	if (ret < 0)
		return ret;
	text_flush(&t->subject, lit);
	return 0;
}

/*
 * Line ln (1-based; s, l bytes) of a template into t by its place: the subject, the empty
 * separator, or a line of the body (its literal text collecting in lit).
 */
static int
parse_numbered_line(const char *s, size_t l, int ln, struct tmpl *t, struct strbuf *lit,
		    const char *path, struct diag *err)
{
	int ret = check_line(s, l, path, ln, err);

	if (ret < 0)
		return ret;
	if (ln == 1)
		return parse_subject(s, l, t, lit, path, err);
	if (ln == 2) {
		if (line_blank(s, l))
			return 0;
		diag_set(err, path, ln,
			 "the second line must be empty: it separates the subject from the body");
		return -EINVAL;
	}
	ret = parse_line(s, l, &t->body, lit, path, ln, err);
	if (ret < 0)
		return ret;
	strbuf_add(lit, "\n", 1);
	return 0;
}

int
tmpl_parse(const char *path, const char *data, size_t len, struct tmpl *t, struct diag *err)
{
	struct strbuf lit = { 0 };
	struct line *lines;
	size_t n, last;
	int ret = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	lines = split_lines(data, len, &n);
	last = last_text_line(data, lines, n);
	if (n == 0) {
		diag_set(err, path, 1, "empty file: the first line must be 'Subject: ...'");
		ret = -EINVAL;
		goto out;
	}
	/* Lines 1 and 2 are checked even when blank; blank lines after the body are not. */
	for (size_t i = 0; i < n && i < (last > 2 ? last : 2); i++) {
		ret = parse_numbered_line(data + lines[i].off, lines[i].len, (int)i + 1, t, &lit,
					  path, err);
		if (ret < 0)
			goto out;
	}
	if (n < 2) {
		diag_set(err, path, 2,
			 "missing the empty line and the body after the Subject line");
		ret = -EINVAL;
		goto out;
	}
	if (last < 3) {
		diag_set(err, path, 3, "empty body: the message text starts on line 3");
		ret = -EINVAL;
		goto out;
	}
	text_flush(&t->body, &lit);
out:
	strbuf_free(&lit);
	free(lines);
	return ret;
}
