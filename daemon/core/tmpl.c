// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tmpl: message templates, parsed and checked once at load so that rendering a reminder
 * cannot hit a syntax error (see tmpl.h). The format of a template file, and its parser,
 * are in tmpl_parse.c; this file finds and reads the files, looks templates up and renders
 * them, and writes the fallback message.
 *
 * File names: [a-z0-9][a-z0-9_.-]* followed by ".txt", at most 64 characters before the
 * ".txt". Files whose names do not end in ".txt" (a README, editor backups) are ignored.
 *
 * A set holds the templates of each language sorted by name; lookups are binary searches.
 */
#include "core/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/cal.h"
#include "core/strbuf.h"
#include "core/tmpl_impl.h"
#include "core/util.h"
#include "core/vocab.h"

#define MAX_NAME 64
/* The longest value tmpl_fallback() copies, in bytes. */
#define FALLBACK_VALUE_MAX 200

const char *const tmpl_known_vars[] = {
	"reference", "service",	    "service_name",   "kind",	      "kind_label", "due",
	"due_iso",   "due_weekday", "days_left",      "days_overdue", "stage",	    "handler",
	"unit",	     "source",	    "rule",	      "recipient",    "date",	    "count",
	"items",     "explanation", "complaint_body", NULL,
};

static const char *const langs[] = { "nb", "en" };
#define N_LANGS FV_ARRAY_SIZE(langs)

struct tmpl_lang {
	struct tmpl *t; /* sorted by name */
	size_t n;
};

struct tmpl_set {
	struct tmpl_lang lang[N_LANGS];
};

/* ---- Lookup ---- */

static int
lang_index(const char *lang)
{
	if (!lang)
		return -1;
	for (size_t i = 0; i < N_LANGS; i++)
		if (strcmp(lang, langs[i]) == 0)
			return (int)i;
	return -1;
}

static int
tmpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name, ((const struct tmpl *)b)->name);
}

static const struct tmpl *
find(const struct tmpl_set *set, const char *lang, const char *name)
{
	int li = lang_index(lang);
	struct tmpl key;

	if (!set || li < 0 || !name)
		return NULL;
	key.name = (char *)name;
	return bsearch(&key, set->lang[li].t, set->lang[li].n, sizeof(struct tmpl), tmpl_cmp);
}

/* ---- Loading ---- */

static bool
name_valid(const char *base, size_t len)
{
	if (len == 0 || len > MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = base[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* Reads path (at most TMPL_MAX_FILE bytes) into *data (owned) and *len. */
static int
read_file(const char *path, char **data, size_t *len, struct diag *err)
{
	struct stat st;
	char *p = NULL;
	size_t n = 0;
	int fd, ret = 0;

	*data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		diag_set(err, path, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		diag_set(err, path, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_set(err, path, 0, "not a regular file");
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > TMPL_MAX_FILE) {
		diag_set(err, path, 0, "file larger than %d bytes (64 KiB)", TMPL_MAX_FILE);
		ret = -EINVAL;
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew since fstat(). */
	p = xmalloc(TMPL_MAX_FILE + 1);
	while (n < TMPL_MAX_FILE + 1) {
		ssize_t r = read(fd, p + n, TMPL_MAX_FILE + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			diag_set(err, path, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > TMPL_MAX_FILE) {
		diag_set(err, path, 0, "file larger than %d bytes (64 KiB)", TMPL_MAX_FILE);
		ret = -EINVAL;
		goto out;
	}
	*data = p;
	*len = n;
	p = NULL;
out:
	free(p);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
tmpl_entry_free(struct tmpl *t)
{
	free(t->name);
	tmpl_text_free(&t->subject);
	tmpl_text_free(&t->body);
}

/* Whether a directory entry is a template by its name: it ends in ".txt". */
static bool
is_template_file(const char *name)
{
	size_t l = strlen(name);

	return l >= 4 && strcmp(name + l - 4, ".txt") == 0;
}

/*
 * The template files of dirpath, sorted by name, into *files (*n of them; the caller frees
 * both the names and the array, also after an error). 0 or -errno with err set.
 */
static int
list_templates(const char *dirpath, char ***files, size_t *n, struct diag *err)
{
	DIR *d = opendir(dirpath);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = -errno;
		diag_set(err, dirpath, 0, "cannot open the template directory: %s",
			 strerror(errno));
		return ret == -ENOTDIR ? -ENOENT : ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!is_template_file(de->d_name))
			continue;
		if (*n == TMPL_MAX_TEMPLATES) {
			diag_set(err, dirpath, 0, "more than %d templates", TMPL_MAX_TEMPLATES);
			ret = -EINVAL;
			goto out;
		}
		*files = xrealloc(*files, (*n + 1) * sizeof(**files));
		(*files)[(*n)++] = xstrdup(de->d_name);
	}
	if (errno) {
		ret = -errno;
		diag_set(err, dirpath, 0, "cannot read the directory: %s", strerror(errno));
		goto out;
	}
	/* In name order, so that the first error reported does not depend on the file system. */
	if (*n)
		qsort(*files, *n, sizeof(**files), str_cmp);
out:
	closedir(d);
	return ret;
}

/*
 * The template file (a name from list_templates()) of dirpath, read and parsed into the
 * next entry of tl, which has room for it. An entry that fails to parse is counted in tl,
 * so that tmpl_free() frees what it holds.
 */
static int
load_template(const char *dirpath, const char *file, struct tmpl_lang *tl, struct diag *err)
{
	size_t blen = strlen(file) - 4, len = 0;
	struct tmpl *t = &tl->t[tl->n];
	char *path = xasprintf("%s/%s", dirpath, file), *data = NULL;
	int ret;

	if (!name_valid(file, blen)) {
		diag_set(err, path, 0,
			 "bad template file name: want [a-z0-9][a-z0-9_.-]*.txt, at most %d "
			 "characters before .txt",
			 MAX_NAME);
		ret = -EINVAL;
		goto out;
	}
	ret = read_file(path, &data, &len, err);
	if (ret < 0)
		goto out;
	tl->n++;
	t->name = xstrndup(file, blen);
	ret = tmpl_parse(path, data, len, t, err);
out:
	free(data);
	free(path);
	return ret;
}

/* Loads the templates of dirpath (one language) into tl. */
static int
load_lang(const char *dirpath, struct tmpl_lang *tl, struct diag *err)
{
	char **files = NULL;
	size_t n_files = 0;
	int ret;

	ret = list_templates(dirpath, &files, &n_files, err);
	if (ret < 0)
		goto out;
	tl->t = xcalloc(n_files, sizeof(*tl->t));
	for (size_t i = 0; i < n_files; i++) {
		ret = load_template(dirpath, files[i], tl, err);
		if (ret < 0)
			goto out;
	}
	if (tl->n)
		qsort(tl->t, tl->n, sizeof(*tl->t), tmpl_cmp);
out:
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	return ret;
}

int
tmpl_load(const char *dir, struct tmpl_set **out, struct diag *err)
{
	struct tmpl_set *set = xcalloc(1, sizeof(*set));
	size_t dlen = strlen(dir);
	char *path = NULL;
	int ret = 0;

	FV_ASSERT(out && err);
	*out = NULL;
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (size_t i = 0; i < N_LANGS; i++) {
		free(path);
		path = xasprintf("%.*s/%s", (int)dlen, dir, langs[i]);
		ret = load_lang(path, &set->lang[i], err);
		if (ret < 0)
			goto out;
	}
	*out = set;
	set = NULL;
out:
	free(path);
	tmpl_free(set);
	return ret;
}

void
tmpl_free(struct tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < N_LANGS; i++) {
		for (size_t j = 0; j < set->lang[i].n; j++)
			tmpl_entry_free(&set->lang[i].t[j]);
		free(set->lang[i].t);
	}
	free(set);
}

const char *
tmpl_pick(const struct tmpl_set *set, const char *lang, const char *const *names, size_t n)
{
	for (size_t i = 0; names && i < n; i++) {
		const struct tmpl *t = find(set, lang, names[i]);

		if (t)
			return t->name;
	}
	return NULL;
}

bool
tmpl_has(const struct tmpl_set *set, const char *lang, const char *name)
{
	return find(set, lang, name) != NULL;
}

/* Whether text t holds variable var (an index into tmpl_known_vars). */
static bool
text_uses(const struct text *t, size_t var)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!t->parts[i].text && t->parts[i].var == var)
			return true;
	}
	return false;
}

bool
tmpl_uses(const struct tmpl_set *set, const char *lang, const char *name, const char *var)
{
	const struct tmpl *t = find(set, lang, name);

	for (size_t v = 0; t && tmpl_known_vars[v]; v++) {
		if (strcmp(tmpl_known_vars[v], var) == 0)
			return text_uses(&t->subject, v) || text_uses(&t->body, v);
	}
	return false;
}

/* ---- Rendering ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The value of the first entry of vars called name, or NULL. */
static const char *
var_value(const struct tmpl_var *vars, size_t n, const char *name)
{
	for (size_t i = 0; vars && i < n; i++)
		if (vars[i].name && strcmp(vars[i].name, name) == 0)
			return vars[i].value;
	return NULL;
}

/* What one tmpl_render() call renders with, and where it reports. */
struct render {
	const struct tmpl_var *vars;
	size_t n;
	const char *lang;
	const char *name;
	char *err;
	size_t errlen;
};

/*
 * Whether the value v (vlen bytes) of variable vname may go into the subject (in_subject)
 * or the body: UTF-8, no control character but tab, line breaks only in the body.
 */
static int
value_check(const struct render *rc, const char *vname, const char *v, size_t vlen, bool in_subject)
{
	if (!fv_utf8_valid(v, vlen)) {
		set_err(rc->err, rc->errlen, "template %s/%s: variable '%s' is not valid UTF-8",
			rc->lang, rc->name, vname);
		return -EINVAL;
	}
	for (size_t k = 0; k < vlen; k++) {
		unsigned char c = (unsigned char)v[k];

		if (is_control(c) && c != '\t' && (c != '\n' || in_subject)) {
			set_err(rc->err, rc->errlen,
				"template %s/%s: variable '%s' holds %s, not allowed in the %s",
				rc->lang, rc->name, vname,
				c == '\n' ? "a line break" : "a control character",
				in_subject ? "subject" : "body");
			return -EINVAL;
		}
	}
	return 0;
}

/* Reports that the subject (in_subject) or the body outgrew max bytes: -EINVAL. */
static int
too_long(const struct render *rc, bool in_subject, size_t max)
{
	set_err(rc->err, rc->errlen, "template %s/%s: the %s is longer than %zu bytes", rc->lang,
		rc->name, in_subject ? "subject" : "body", max);
	return -EINVAL;
}

/*
 * Appends the value of tmpl_known_vars[var] to out, line breaks at its end dropped, when
 * it is allowed there and out stays within max bytes.
 */
static int
render_var(const struct render *rc, size_t var, bool in_subject, size_t max, struct strbuf *out)
{
	const char *vname = tmpl_known_vars[var];
	const char *v = var_value(rc->vars, rc->n, vname);
	size_t vlen;
	int ret;

	if (!v) {
		set_err(rc->err, rc->errlen, "template %s/%s: no value for variable '%s'", rc->lang,
			rc->name, vname);
		return -EINVAL;
	}
	vlen = strlen(v);
	while (vlen && v[vlen - 1] == '\n')
		vlen--;
	ret = value_check(rc, vname, v, vlen, in_subject);
	if (ret < 0)
		return ret;
	if (vlen > max || out->len > max - vlen)
		return too_long(rc, in_subject, max);
	strbuf_add(out, v, vlen);
	return 0;
}

/* Appends text t to out; in_subject forbids line breaks in values. */
static int
render_text(const struct render *rc, const struct text *t, bool in_subject, size_t max,
	    struct strbuf *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct part *p = &t->parts[i];
		int ret;

		if (p->text) {
			strbuf_add(out, p->text, p->len);
			continue;
		}
		ret = render_var(rc, p->var, in_subject, max, out);
		if (ret < 0)
			return ret;
	}
	if (out->len > max)
		return too_long(rc, in_subject, max);
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *lang, const char *name,
	    const struct tmpl_var *vars, size_t n, char **subject, char **body, char *err,
	    size_t errlen)
{
	const struct render rc = { vars, n, lang, name, err, errlen };
	const struct tmpl *t = find(set, lang, name);
	struct strbuf s = { 0 }, b = { 0 };
	size_t s0 = 0, i;
	int ret = 0;

	*subject = NULL;
	*body = NULL;
	if (!t) {
		set_err(err, errlen, "no template %s/%s", lang ? lang : "(null)",
			name ? name : "(null)");
		ret = -ENOENT;
		goto out;
	}
	ret = render_text(&rc, &t->subject, true, TMPL_MAX_SUBJECT, &s);
	if (ret < 0)
		goto out;
	/* A value that came out empty may leave spaces at either end. */
	while (s0 < s.len && is_blank(s.p[s0]))
		s0++;
	while (s.len > s0 && is_blank(s.p[s.len - 1]))
		s.p[--s.len] = '\0';
	if (s.len == s0) {
		set_err(err, errlen, "template %s/%s: the subject is empty", lang, name);
		ret = -EINVAL;
		goto out;
	}
	ret = render_text(&rc, &t->body, false, TMPL_MAX_BODY, &b);
	if (ret < 0)
		goto out;
	for (i = 0; i < b.len; i++)
		if (!is_blank(b.p[i]) && b.p[i] != '\n')
			break;
	if (i == b.len) {
		set_err(err, errlen, "template %s/%s: the body is empty", lang, name);
		ret = -EINVAL;
		goto out;
	}
	*subject = xstrdup(s.p + s0);
	*body = strbuf_take(&b);
out:
	strbuf_free(&s);
	strbuf_free(&b);
	return ret;
}

/* ---- The fallback ---- */

/*
 * The value of name in vars, cleaned for a one-line text: invalid UTF-8 bytes become '?',
 * control characters spaces, at most FALLBACK_VALUE_MAX bytes, spaces trimmed. NULL when
 * absent or empty. Owned by the caller.
 */
static char *
clean_value(const struct tmpl_var *vars, size_t n, const char *name)
{
	const char *v = var_value(vars, n, name);
	struct strbuf b = { 0 };
	size_t len, i = 0, start = 0;

	if (!v)
		return NULL;
	len = strlen(v);
	while (i < len) {
		size_t k = fv_utf8_char_len(v + i, len - i);

		if (b.len + (k ? k : 1) > FALLBACK_VALUE_MAX)
			break;
		if (k == 0)
			strbuf_add(&b, "?", 1);
		else if (k == 1 && is_control((unsigned char)v[i]))
			strbuf_add(&b, " ", 1);
		else
			strbuf_add(&b, v + i, k);
		i += k ? k : 1;
	}
	while (b.len && is_blank(b.p[b.len - 1]))
		b.p[--b.len] = '\0';
	while (start < b.len && is_blank(b.p[start]))
		start++;
	if (start == b.len) {
		free(b.p);
		return NULL;
	}
	if (start)
		memmove(b.p, b.p + start, b.len - start + 1);
	return b.p;
}

void
tmpl_fallback(const char *lang, const struct tmpl_var *vars, size_t n, char **subject, char **body)
{
	bool en = lang && strcmp(lang, "en") == 0;
	char *ref = clean_value(vars, n, "reference");
	char *label = clean_value(vars, n, "kind_label");
	char *due = clean_value(vars, n, "due");
	struct strbuf b = { 0 };

	strbuf_puts(&b, en ? "Reminder: " : "Påminnelse: ");
	strbuf_puts(&b, label ? label : en ? "deadline" : "frist");
	if (ref) {
		strbuf_puts(&b, en ? " in case " : " i sak ");
		strbuf_puts(&b, ref);
	}
	if (due) {
		strbuf_puts(&b, en ? ", due " : ", frist ");
		strbuf_puts(&b, due);
	}
	*subject = xstrdup(b.p);
	strbuf_puts(&b, ".\n");
	*body = strbuf_take(&b);
	free(due);
	free(label);
	free(ref);
}

/* ---- Labels ---- */

static const char *const months[N_LANGS][12] = {
	{ "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
	  "oktober", "november", "desember" },
	{ "January", "February", "March", "April", "May", "June", "July", "August", "September",
	  "October", "November", "December" },
};

/* The weekday wd (1 Monday .. 7 Sunday) in language li: the calendar's names. */
static const char *
weekday(int li, int wd)
{
	return li == 0 ? cal_weekday_name((enum cal_weekday)wd)
		       : cal_weekday_name_en((enum cal_weekday)wd);
}

/* The labels are the vocabulary's: bokmål, and English as it reads in a message. */
const char *
tmpl_kind_label(const char *lang, const char *kind)
{
	const struct vocab_kind *row;
	enum rules_kind k;

	if (rules_kind_parse(kind, &k) < 0)
		return NULL;
	row = vocab_kind_row(k);
	return lang && strcmp(lang, "en") == 0 ? row->en : row->nb;
}

char *
tmpl_date_words(const char *lang, int year, int month, int day, int wd, char *buf, size_t len)
{
	int li = lang_index(lang);

	if (li < 0)
		li = 0;
	if (month < 1 || month > 12 || wd < 1 || wd > 7) {
		snprintf(buf, len, "%04d-%02d-%02d", year, month, day);
		return buf;
	}
	if (li == 0)
		snprintf(buf, len, "%s %d. %s %d", weekday(li, wd), day, months[li][month - 1],
			 year);
	else
		snprintf(buf, len, "%s %d %s %d", weekday(li, wd), day, months[li][month - 1],
			 year);
	return buf;
}

const char *
tmpl_weekday_name(const char *lang, int wd)
{
	int li = lang_index(lang);

	if (li < 0)
		li = 0;
	if (wd < 1 || wd > 7)
		return NULL;
	return weekday(li, wd);
}
