/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tmpl: the texts of reminders and notices, one file per template and language under the
 * configured directory (etc/templates/nb, etc/templates/en). Every file is read, parsed and
 * validated at load - syntax, encoding and every {{variable}} name - so that a mistake stops
 * a start or a reload with the file and line instead of surfacing at three in the morning
 * when a reminder is due. Rendering then only fails for a value the caller lacks, and the
 * caller falls back to tmpl_fallback(), which never fails. The file format and the escape
 * rule are described atop tmpl.c.
 *
 * Texts name the case reference and the deadline, never the applicant's situation
 * (taushetsplikt); the variables offered (tmpl_known_vars) carry nothing else.
 *
 * Pure code: no I/O after tmpl_load(), no uv, sqlite or curl.
 */
#ifndef FV_TMPL_H
#define FV_TMPL_H

#include <stdbool.h>
#include <stddef.h>

struct diag;

/* Every template of every language, parsed. Immutable once loaded. */
struct tmpl_set;

/* A value for a {{name}} of a template; both strings borrowed. */
struct tmpl_var {
	const char *name;
	const char *value;
};

/* Templates larger than this many bytes are refused at load. */
#define TMPL_MAX_FILE (64 * 1024)
/* At most this many templates per language. */
#define TMPL_MAX_TEMPLATES 1024
/* A rendered subject or body longer than these is refused (-EINVAL). */
#define TMPL_MAX_SUBJECT 998
#define TMPL_MAX_BODY	 (1024 * 1024)

/*
 * Loads every "*.txt" under dir/LANG/ for LANG in "nb" and "en" (both directories must
 * exist; dir borrowed). Each file is one template named by its file name without ".txt"
 * ("complaint.before", "digest", "admin.dead"); other files are ignored. On success 0 and
 * *out a new set owned by the caller (tmpl_free). On failure *out is NULL, the return a
 * negative errno (-EINVAL for a bad template, -ENOENT for a missing directory) and err holds
 * "PATH:LINE: what is wrong" ("PATH: ..." when no line is to blame).
 */
int tmpl_load(const char *dir, struct tmpl_set **out, struct diag *err);
/* Frees set; NULL is a no-op. */
void tmpl_free(struct tmpl_set *set);

/*
 * The first of names (n of them, borrowed, in order of preference - typically "KIND.STAGE",
 * "KIND", "default") that is a template of lang, or NULL. The string returned belongs to set.
 */
const char *tmpl_pick(const struct tmpl_set *set, const char *lang, const char *const *names,
		      size_t n);
/* Whether lang ("nb", "en") has a template called name. */
bool tmpl_has(const struct tmpl_set *set, const char *lang, const char *name);
/*
 * Whether template name of lang uses variable var (in its subject or body): a caller
 * computes a costly value only for the templates that show it.
 */
bool tmpl_uses(const struct tmpl_set *set, const char *lang, const char *name, const char *var);

/*
 * Renders template name of lang with vars (n of them, borrowed; the first entry of a name
 * counts, a NULL value counts as missing, names no template uses are ignored). A value's
 * trailing newlines are dropped, so a multi-line list can stand alone on a template line.
 *
 * On success 0, and *subject (one line, no CR or LF) and *body (UTF-8, every line ending in
 * '\n') are owned by the caller (free). On failure both are NULL and err (errlen bytes;
 * may be NULL) says why: -ENOENT for an unknown language or template, -EINVAL for a
 * variable the template uses but vars lack, a value that is not UTF-8 or holds control
 * characters (a line break only in the body), or a subject or body that comes out empty or
 * too long. The caller then sends tmpl_fallback() and logs err.
 */
int tmpl_render(const struct tmpl_set *set, const char *lang, const char *name,
		const struct tmpl_var *vars, size_t n, char **subject, char **body, char *err,
		size_t errlen);

/*
 * The built-in plain text used when a template fails. Never fails; uses only the variables
 * reference, kind_label and due, each when present and non-empty (cleaned of control
 * characters and invalid UTF-8, shortened when long): "Påminnelse: klagefrist i sak 2026/17,
 * frist 2026-04-07." for "nb" (and any language but "en"), "Reminder: complaint deadline in
 * case 2026/17, due 2026-04-07." for "en". *subject and *body owned by the caller (free).
 */
void tmpl_fallback(const char *lang, const struct tmpl_var *vars, size_t n, char **subject,
		   char **body);

/* The NULL-terminated list of the variable names templates may use. */
extern const char *const tmpl_known_vars[];

/*
 * The label of a deadline kind ("complaint" -> "klagefrist" in "nb", "complaint deadline"
 * in "en"; any other language gets "nb") for the variable kind_label, or NULL for an unknown
 * kind. Static strings.
 */
const char *tmpl_kind_label(const char *lang, const char *kind);
/*
 * The name of ISO weekday wd (1 Monday .. 7 Sunday) for the variable due_weekday: "tirsdag"
 * in "nb" (lower case, as Norwegian writes it), "Tuesday" in "en"; NULL when wd is out of
 * range. Static strings.
 */
const char *tmpl_weekday_name(const char *lang, int wd);
/*
 * A date as people write it, for messages: "tirsdag 22. desember 2026" in "nb" (and any
 * language but "en"), "Tuesday 22 December 2026" in "en". wd is its ISO weekday. Writes
 * YYYY-MM-DD for an impossible month or weekday. Returns buf (len bytes; 48 suffice).
 */
#define TMPL_DATE_WORDS_LEN 48
char *tmpl_date_words(const char *lang, int year, int month, int day, int wd, char *buf,
		      size_t len);

#endif
