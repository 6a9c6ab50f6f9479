// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tmpl: message templates, parsed and checked once at load so that rendering a reminder
 * cannot hit a syntax error (see tmpl.h). A template file looks like this:
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
 * - File names: [a-z0-9][a-z0-9_.-]* followed by ".txt", at most 64 characters before the
 *   ".txt". Files whose names do not end in ".txt" (a README, editor backups) are ignored.
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
#include "core/strbuf.h"
#include "core/util.h"

#define MAX_NAME       64
#define SUBJECT_PREFIX "Subject:"
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

struct tmpl_lang {
	struct tmpl *t; /* sorted by name */
	size_t n;
};

struct tmpl_set {
	struct tmpl_lang lang[N_LANGS];
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

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

static int
var_index(const char *name, size_t len)
{
	for (size_t i = 0; tmpl_known_vars[i]; i++)
		if (strlen(tmpl_known_vars[i]) == len && memcmp(tmpl_known_vars[i], name, len) == 0)
			return (int)i;
	return -1;
}

/* ---- Parsing ---- */

static void
text_free(struct text *t)
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

/* Parses the placeholders of one line (s, len bytes) into t, literals collecting in lit. */
static int
parse_line(const char *s, size_t len, struct text *t, struct strbuf *lit, const char *path, int ln,
	   struct diag *err)
{
	size_t i = 0;

	while (i < len) {
		const char *close;
		size_t a, b;
		int var;

		if (starts(s + i, len - i, "{{{{") || starts(s + i, len - i, "}}}}")) {
			strbuf_add(lit, s + i, 2);
			i += 4;
			continue;
		}
		if (starts(s + i, len - i, "}}")) {
			diag_set(
				err, path, ln,
				"stray '}}' outside a placeholder (write '}}}}' for a literal '}}')");
			return -EINVAL;
		}
		if (!starts(s + i, len - i, "{{")) {
			strbuf_add(lit, s + i, 1);
			i++;
			continue;
		}
		a = i + 2;
		close = memmem(s + a, len - a, "}}", 2);
		if (!close) {
			diag_set(err, path, ln,
				 "unterminated '{{' (a placeholder ends with '}}' on the same "
				 "line; write '{{{{' for a literal '{{')");
			return -EINVAL;
		}
		b = (size_t)(close - s);
		i = b + 2;
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
			char known[384];
			size_t k = 0;

			known[0] = '\0';
			for (size_t j = 0; tmpl_known_vars[j] && k < sizeof(known); j++)
				k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s",
						      j ? ", " : "", tmpl_known_vars[j]);
			diag_set(err, path, ln, "unknown variable '%.*s' (known: %s)",
				 (int)(b - a > 40 ? 40 : b - a), s + a, known);
			return -EINVAL;
		}
		text_flush(t, lit);
		text_push(t, NULL, 0, (size_t)var);
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

/* Parses the template text (len bytes, borrowed) read from path into t (name not set). */
static int
parse(const char *path, const char *data, size_t len, struct tmpl *t, struct diag *err)
{
	struct strbuf lit = { 0 };
	struct line *lines = NULL;
	size_t n = 0, last = 0, i, pl = strlen(SUBJECT_PREFIX);
	int ret = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	/* Split into lines; a final '\n' ends the last line, it does not start another. */
	for (i = 0; i < len; i++)
		n += data[i] == '\n';
	lines = xcalloc(n + 1, sizeof(*lines));
	n = 0;
	for (i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;

		lines[n].off = i;
		lines[n].len = end - i;
		n++;
		i = end + 1;
	}
	/* The last line that is not blank (1-based): the end of the body. */
	for (i = n; i > 0; i--) {
		if (!line_blank(data + lines[i - 1].off, lines[i - 1].len)) {
			last = i;
			break;
		}
	}
	if (n == 0) {
		diag_set(err, path, 1, "empty file: the first line must be 'Subject: ...'");
		ret = -EINVAL;
		goto out;
	}
	/* Lines 1 and 2 are checked even when blank; blank lines after the body are not. */
	for (i = 0; i < n && i < (last > 2 ? last : 2); i++) {
		const char *s = data + lines[i].off;
		size_t l = lines[i].len;
		int ln = (int)i + 1;

		ret = check_line(s, l, path, ln, err);
		if (ret < 0)
			goto out;
		if (ln == 1) {
			if (!starts(s, l, SUBJECT_PREFIX)) {
				diag_set(err, path, ln,
					 "the first line must be 'Subject: ...' (the subject)");
				ret = -EINVAL;
				goto out;
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
				diag_set(err, path, ln, "empty subject after 'Subject:'");
				ret = -EINVAL;
				goto out;
			}
			ret = parse_line(s, l, &t->subject, &lit, path, ln, err);
			if (ret < 0)
				goto out;
			text_flush(&t->subject, &lit);
		} else if (ln == 2) {
			if (!line_blank(s, l)) {
				diag_set(err, path, ln,
					 "the second line must be empty: it separates the "
					 "subject from the body");
				ret = -EINVAL;
				goto out;
			}
		} else {
			ret = parse_line(s, l, &t->body, &lit, path, ln, err);
			if (ret < 0)
				goto out;
			strbuf_add(&lit, "\n", 1);
		}
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
	free(lit.p);
	free(lines);
	return ret;
}

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
	text_free(&t->subject);
	text_free(&t->body);
}

/* Loads the templates of dirpath (one language) into tl. */
static int
load_lang(const char *dirpath, struct tmpl_lang *tl, struct diag *err)
{
	DIR *d = NULL;
	struct dirent *de;
	char **files = NULL;
	size_t n_files = 0;
	char *path = NULL, *data = NULL;
	size_t len = 0;
	int ret = 0;

	d = opendir(dirpath);
	if (!d) {
		ret = -errno;
		diag_set(err, dirpath, 0, "cannot open the template directory: %s",
			 strerror(errno));
		if (ret == -ENOTDIR)
			ret = -ENOENT;
		goto out;
	}
	for (;;) {
		size_t l;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				ret = -errno;
				diag_set(err, dirpath, 0, "cannot read the directory: %s",
					 strerror(errno));
				goto out;
			}
			break;
		}
		l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		if (n_files == TMPL_MAX_TEMPLATES) {
			diag_set(err, dirpath, 0, "more than %d templates", TMPL_MAX_TEMPLATES);
			ret = -EINVAL;
			goto out;
		}
		files = xrealloc(files, (n_files + 1) * sizeof(*files));
		files[n_files++] = xstrdup(de->d_name);
	}
	/* In name order, so that the first error reported does not depend on the file system. */
	if (n_files)
		qsort(files, n_files, sizeof(*files), str_cmp);
	tl->t = xcalloc(n_files, sizeof(*tl->t));
	for (size_t i = 0; i < n_files; i++) {
		size_t blen = strlen(files[i]) - 4;
		struct tmpl *t = &tl->t[tl->n];

		free(path);
		path = xasprintf("%s/%s", dirpath, files[i]);
		if (!name_valid(files[i], blen)) {
			diag_set(err, path, 0,
				 "bad template file name: want [a-z0-9][a-z0-9_.-]*.txt, at "
				 "most %d characters before .txt",
				 MAX_NAME);
			ret = -EINVAL;
			goto out;
		}
		free(data);
		ret = read_file(path, &data, &len, err);
		if (ret < 0)
			goto out;
		tl->n++;
		t->name = xstrndup(files[i], blen);
		ret = parse(path, data, len, t, err);
		if (ret < 0)
			goto out;
	}
	if (tl->n)
		qsort(tl->t, tl->n, sizeof(*tl->t), tmpl_cmp);
out:
	free(data);
	free(path);
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	if (d)
		closedir(d);
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

/* Appends text t with vars to out; in_subject forbids line breaks in values. */
static int
render_text(const struct text *t, const struct tmpl_var *vars, size_t n, bool in_subject,
	    size_t max, struct strbuf *out, const char *lang, const char *name, char *err,
	    size_t errlen)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct part *p = &t->parts[i];
		const char *vname, *v;
		size_t vlen;

		if (p->text) {
			strbuf_add(out, p->text, p->len);
			continue;
		}
		vname = tmpl_known_vars[p->var];
		v = var_value(vars, n, vname);
		if (!v) {
			set_err(err, errlen, "template %s/%s: no value for variable '%s'", lang,
				name, vname);
			return -EINVAL;
		}
		vlen = strlen(v);
		while (vlen && v[vlen - 1] == '\n')
			vlen--;
		if (!fv_utf8_valid(v, vlen)) {
			set_err(err, errlen, "template %s/%s: variable '%s' is not valid UTF-8",
				lang, name, vname);
			return -EINVAL;
		}
		for (size_t k = 0; k < vlen; k++) {
			unsigned char c = (unsigned char)v[k];

			if (is_control(c) && c != '\t' && (c != '\n' || in_subject)) {
				set_err(err, errlen,
					"template %s/%s: variable '%s' holds %s, not allowed in the "
					"%s",
					lang, name, vname,
					c == '\n' ? "a line break" : "a control character",
					in_subject ? "subject" : "body");
				return -EINVAL;
			}
		}
		if (vlen > max || out->len > max - vlen) {
			set_err(err, errlen, "template %s/%s: the %s is longer than %zu bytes",
				lang, name, in_subject ? "subject" : "body", max);
			return -EINVAL;
		}
		strbuf_add(out, v, vlen);
	}
	if (out->len > max) {
		set_err(err, errlen, "template %s/%s: the %s is longer than %zu bytes", lang, name,
			in_subject ? "subject" : "body", max);
		return -EINVAL;
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *lang, const char *name,
	    const struct tmpl_var *vars, size_t n, char **subject, char **body, char *err,
	    size_t errlen)
{
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
	ret = render_text(&t->subject, vars, n, true, TMPL_MAX_SUBJECT, &s, lang, name, err,
			  errlen);
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
	ret = render_text(&t->body, vars, n, false, TMPL_MAX_BODY, &b, lang, name, err, errlen);
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
	free(s.p);
	free(b.p);
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

static const char *const kinds[] = {
	"processing",	  "preliminary_reply", "documentation", "complaint",
	"late_complaint", "forwarding",	       "promised",
};

static const char *const kind_labels[N_LANGS][FV_ARRAY_SIZE(kinds)] = {
	{
		"saksbehandlingsfrist",
		"frist for foreløpig svar",
		"innsendelsesfrist",
		"klagefrist",
		"ytre frist for sen klage",
		"frist for oversendelse til klageinstansen",
		"lovet svardato",
	},
	{
		"processing deadline",
		"deadline for a preliminary reply",
		"deadline for documentation",
		"complaint deadline",
		"outer limit for a late complaint",
		"deadline for forwarding to the complaint body",
		"promised decision date",
	},
};

static const char *const months[N_LANGS][12] = {
	{ "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
	  "oktober", "november", "desember" },
	{ "January", "February", "March", "April", "May", "June", "July", "August", "September",
	  "October", "November", "December" },
};

static const char *const weekdays[N_LANGS][7] = {
	{ "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag" },
	{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" },
};

const char *
tmpl_kind_label(const char *lang, const char *kind)
{
	int li = lang_index(lang);

	if (li < 0)
		li = 0;
	for (size_t i = 0; kind && i < FV_ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return kind_labels[li][i];
	return NULL;
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
		snprintf(buf, len, "%s %d. %s %d", weekdays[li][wd - 1], day, months[li][month - 1],
			 year);
	else
		snprintf(buf, len, "%s %d %s %d", weekdays[li][wd - 1], day, months[li][month - 1],
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
	return weekdays[li][wd - 1];
}
