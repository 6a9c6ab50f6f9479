// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_tmpl: the message templates through tmpl.h only. The shipped etc/templates must hold
 * every kind and stage in both languages and render each with a full set of variables
 * into one subject line and a body with no placeholder left, and without the variables a
 * case may lack (handler, unit); the complaint texts, which the applicant may read, must
 * leave out the service, the handler and the unit. A table of bad
 * template files must each be refused with "PATH:LINE: message" naming the exact line (or
 * "PATH: message" when no line is to blame); a missing variable must fail the render and
 * leave tmpl_fallback() a sane text; tmpl_pick() must keep the caller's order; UTF-8 and
 * the "{{{{" / "}}}}" escapes must come through exactly.
 *
 * Fixtures are written to a fresh directory from mkdtemp() and removed afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "golden.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/tmpl.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define SHIPPED FV_SOURCE_DIR "/etc/templates"

static const char *const kinds[] = {
	"processing",	  "preliminary_reply", "documentation", "complaint",
	"late_complaint", "forwarding",	       "promised",
};
static const char *const stages[] = { "before", "due", "overdue", "escalation" };
/* Whether kind has a template for stages[s]: a party's deadline (documentation, complaint,
 * late_complaint) that passed has expired, so it has no overdue or escalation stage. */
static bool
has_stage(const char *kind, size_t s)
{
	bool party = strcmp(kind, "documentation") == 0 || strcmp(kind, "complaint") == 0 ||
		     strcmp(kind, "late_complaint") == 0;

	return !party || s < 2;
}

static const char *const others[] = { "digest", "admin.dead", "admin.endpoint_disabled",
				      "default" };
static const char *const langs[] = { "nb", "en" };

/* ---- A temporary template directory ---- */

static char tmpdir[64];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh tmpdir with empty nb/ and en/. */
static int
setup_dir(void **state)
{
	char p[128];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fv-test-tmpl.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	for (size_t i = 0; i < N_ELEM(langs); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, langs[i]);
		if (mkdir(p, 0700) < 0)
			return -1;
	}
	return 0;
}

static int
teardown_dir(void **state)
{
	(void)state;
	rm_tree(tmpdir);
	return 0;
}

/* Empties nb/ and en/ of tmpdir. */
static void
clear_dir(void)
{
	char p[128];

	for (size_t i = 0; i < N_ELEM(langs); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, langs[i]);
		rm_tree(p);
		if (mkdir(p, 0700) < 0)
			fail_msg("cannot create %s", p);
	}
}

/* Writes len bytes of text (strlen when len is 0) as tmpdir/lang/file. */
static void
write_tmpl(const char *lang, const char *file, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", tmpdir, lang, file);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot create %s", path);
	if (!len)
		len = strlen(text);
	if (fwrite(text, 1, len, f) != len || fclose(f) != 0)
		fail_msg("cannot write %s", path);
}

/* Stands in for *out before a load, to see that tmpl_load() always sets it. */
static struct tmpl_set *const sentinel = (struct tmpl_set *)&tmpdir;

static int
load_dir(struct tmpl_set **set, struct diag *err)
{
	memset(err, 0, sizeof(*err));
	*set = sentinel;
	return tmpl_load(tmpdir, set, err);
}

/* ---- Variables ---- */

static const struct tmpl_var full_nb[] = {
	{ "reference", "2026/17" },
	{ "service", "okonomisk_stonad" },
	{ "service_name", "SERVICE-MARK" },
	{ "kind", "complaint" },
	{ "kind_label", "klagefrist" },
	{ "due", "tirsdag 7. april 2026" },
	{ "due_iso", "2026-04-07" },
	{ "due_weekday", "tirsdag" },
	{ "days_left", "3" },
	{ "days_overdue", "2" },
	{ "stage", "before" },
	{ "handler", "HANDLER-MARK" },
	{ "unit", "UNIT-MARK" },
	{ "source", "forvaltningsloven § 29" },
	{ "rule", "fvl/complaint@2017-01-01" },
	{ "recipient", "nav-sentrum" },
	{ "date", "onsdag 1. april 2026" },
	{ "count", "2" },
	{ "items", "2026/17: klagefrist, tirsdag 7. april 2026\n"
		   "2026/18: saksbehandlingsfrist, torsdag 9. april 2026\n" },
	{ "explanation", "3 uker fra 2026-03-12, flyttet over påsken" },
	{ "complaint_body", "Statsforvalteren" },
};

/* The value of name in full_nb. */
static const char *
full_value(const char *name)
{
	for (size_t i = 0; i < N_ELEM(full_nb); i++)
		if (strcmp(full_nb[i].name, name) == 0)
			return full_nb[i].value;
	return NULL;
}

/* ---- The shipped templates ---- */

static void
test_known_vars(void **state)
{
	size_t n = 0;

	(void)state;
	while (tmpl_known_vars[n])
		n++;
	assert_int_equal(n, 21);
	assert_int_equal(n, N_ELEM(full_nb));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(tmpl_known_vars[i], full_nb[i].name);
}

static void
test_shipped_complete(void **state)
{
	struct diag err = { "" };
	struct tmpl_set *set = NULL;
	char name[64];
	int ret;

	(void)state;
	ret = tmpl_load(SHIPPED, &set, &err);
	if (ret != 0)
		fail_msg("%s does not load (%d): %s", SHIPPED, ret, err.text);
	assert_non_null(set);
	for (size_t l = 0; l < N_ELEM(langs); l++) {
		for (size_t k = 0; k < N_ELEM(kinds); k++) {
			for (size_t s = 0; s < N_ELEM(stages); s++) {
				snprintf(name, sizeof(name), "%s.%s", kinds[k], stages[s]);
				if (tmpl_has(set, langs[l], name) != has_stage(kinds[k], s))
					fail_msg("template %s/%s: %s", langs[l], name,
						 has_stage(kinds[k], s) ? "missing"
									: "a party's deadline has "
									  "no such stage");
			}
		}
		for (size_t o = 0; o < N_ELEM(others); o++)
			if (!tmpl_has(set, langs[l], others[o]))
				fail_msg("no template %s/%s", langs[l], others[o]);
	}
	assert_false(tmpl_has(set, "nb", "complaint"));
	assert_false(tmpl_has(set, "de", "default"));
	assert_false(tmpl_has(set, NULL, "default"));
	tmpl_free(set);
}

/* Renders lang/name with the full set and checks the shape of the result. */
static void
render_full(const struct tmpl_set *set, const char *lang, const char *name, char **subject,
	    char **body)
{
	char err[256] = "";
	size_t n;
	int ret;

	ret = tmpl_render(set, lang, name, full_nb, N_ELEM(full_nb), subject, body, err,
			  sizeof(err));
	if (ret != 0)
		fail_msg("%s/%s does not render (%d): %s", lang, name, ret, err);
	assert_non_null(*subject);
	assert_non_null(*body);
	if ((*subject)[0] == '\0' || strpbrk(*subject, "\r\n"))
		fail_msg("%s/%s: bad subject \"%s\"", lang, name, *subject);
	if (strstr(*subject, "{{") || strstr(*subject, "}}") || strstr(*body, "{{") ||
	    strstr(*body, "}}"))
		fail_msg("%s/%s: a placeholder is left:\n%s\n%s", lang, name, *subject, *body);
	n = strlen(*body);
	if (n == 0 || (*body)[n - 1] != '\n' || strchr(*body, '\r'))
		fail_msg("%s/%s: bad body\n%s", lang, name, *body);
	if (strlen(*subject) > 120)
		fail_msg("%s/%s: subject longer than 120 bytes: %s", lang, name, *subject);
}

static void
expect_in(const char *lang, const char *name, const char *what, const char *text,
	  const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("%s/%s: the %s lacks \"%s\":\n%s", lang, name, what, needle, text);
}

static void
test_shipped_render(void **state)
{
	struct diag err = { "" };
	struct tmpl_set *set = NULL;
	char name[64], *subject, *body;

	(void)state;
	if (tmpl_load(SHIPPED, &set, &err) != 0)
		fail_msg("%s", err.text);
	for (size_t l = 0; l < N_ELEM(langs); l++) {
		const char *lang = langs[l];

		for (size_t k = 0; k < N_ELEM(kinds); k++) {
			for (size_t s = 0; s < N_ELEM(stages); s++) {
				bool applicant;

				snprintf(name, sizeof(name), "%s.%s", kinds[k], stages[s]);
				if (!has_stage(kinds[k], s))
					continue;
				render_full(set, lang, name, &subject, &body);
				/* What every deadline reminder must name. */
				expect_in(lang, name, "subject", subject, full_value("reference"));
				expect_in(lang, name, "body", body, full_value("reference"));
				/* The date as people write it (it names its weekday). */
				expect_in(lang, name, "body", body, full_value("due"));
				expect_in(lang, name, "body", body, full_value("source"));
				if (strcmp(stages[s], "before") == 0)
					expect_in(lang, name, "body", body,
						  full_value("days_left"));
				if (strcmp(stages[s], "overdue") == 0 ||
				    strcmp(stages[s], "escalation") == 0)
					expect_in(lang, name, "body", body,
						  full_value("days_overdue"));
				/*
				 * The applicant may get complaint reminders: nothing about the
				 * service or the office's staff, and nothing internal.
				 */
				applicant = (strcmp(kinds[k], "complaint") == 0 ||
					     strcmp(kinds[k], "late_complaint") == 0) &&
					    strcmp(stages[s], "escalation") != 0;
				if (applicant && (strstr(subject, "MARK") || strstr(body, "MARK") ||
						  strstr(body, full_value("explanation"))))
					fail_msg("%s/%s names the service or staff:\n%s\n%s", lang,
						 name, subject, body);
				free(subject);
				free(body);
			}
		}
		render_full(set, lang, "digest", &subject, &body);
		expect_in(lang, "digest", "subject", subject, full_value("date"));
		expect_in(lang, "digest", "body", body, full_value("recipient"));
		/* The list stands alone, its last newline not doubled. */
		expect_in(lang, "digest", "body", body,
			  "\n\n2026/17: klagefrist, tirsdag 7. april 2026\n"
			  "2026/18: saksbehandlingsfrist, torsdag 9. april 2026\n\n");
		free(subject);
		free(body);
		render_full(set, lang, "admin.dead", &subject, &body);
		expect_in(lang, "admin.dead", "subject", subject, full_value("reference"));
		expect_in(lang, "admin.dead", "body", body, full_value("kind_label"));
		expect_in(lang, "admin.dead", "body", body, full_value("stage"));
		free(subject);
		free(body);
		render_full(set, lang, "admin.endpoint_disabled", &subject, &body);
		expect_in(lang, "admin.endpoint_disabled", "subject", subject,
			  full_value("recipient"));
		expect_in(lang, "admin.endpoint_disabled", "body", body, "410");
		free(subject);
		free(body);
		render_full(set, lang, "default", &subject, &body);
		expect_in(lang, "default", "body", body, full_value("reference"));
		expect_in(lang, "default", "body", body, full_value("due"));
		free(subject);
		free(body);
	}
	/* Spot checks of the words: Norwegian by default, English as the alternative. */
	render_full(set, "nb", "complaint.before", &subject, &body);
	assert_string_equal(subject, "Klagefristen i sak 2026/17 går ut tirsdag 7. april 2026");
	expect_in("nb", "complaint.before", "body", body,
		  "Klagefristen for vedtaket i sak 2026/17 går ut tirsdag 7. april 2026.\n");
	expect_in("nb", "complaint.before", "body", body, "Hjemmel: forvaltningsloven § 29\n");
	free(subject);
	free(body);
	render_full(set, "en", "complaint.before", &subject, &body);
	assert_string_equal(subject,
			    "The complaint deadline in case 2026/17 ends tirsdag 7. april 2026");
	free(subject);
	free(body);
	tmpl_free(set);
}

/* What a reminder of each kind carries, as the daemon fills it in from the shipped rules. */
static const struct {
	const char *kind, *label[2], *source;
} kind_sources[] = {
	{ "processing",
	  { "saksbehandlingsfrist", "processing deadline" },
	  "kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)" },
	{ "preliminary_reply",
	  { "frist for foreløpig svar", "deadline for a preliminary reply" },
	  "forvaltningsloven § 11 a tredje ledd" },
	{ "documentation",
	  { "innsendelsesfrist", "deadline for documentation" },
	  "forvaltningsloven § 17 (innsendelsesfrist satt i brevet; 14 dager er lokal praksis når "
	  "brevet ikke nevner dato)" },
	{ "complaint", { "klagefrist", "complaint deadline" }, "forvaltningsloven § 29" },
	{ "late_complaint",
	  { "ytre frist for sen klage", "outer limit for a late complaint" },
	  "forvaltningsloven § 31" },
	{ "forwarding",
	  { "frist for oversendelse til klageinstansen", "deadline for forwarding to the complaint "
							 "body" },
	  "kommunens norm for saksforberedelse av klager (forvaltningsloven § 33 har ingen fast "
	  "frist)" },
	{ "promised",
	  { "lovet svardato", "promised decision date" },
	  "forvaltningsloven § 11 a annet ledd (svardatoen i det foreløpige svaret)" },
};

/* The values that differ by language: dates as people write them, the digest's lines. */
static const struct {
	const char *name, *value[2];
} lang_values[] = {
	{ "due", { "tirsdag 7. april 2026", "Tuesday 7 April 2026" } },
	{ "due_weekday", { "tirsdag", "Tuesday" } },
	{ "date", { "onsdag 1. april 2026", "Wednesday 1 April 2026" } },
	{ "items",
	  { "2026/17: saksbehandlingsfrist, tirsdag 7. april 2026\n"
	    "2026/18: frist for oversendelse til Statsforvalteren, torsdag 9. april 2026\n",
	    "2026/17: processing deadline, Tuesday 7 April 2026\n"
	    "2026/18: deadline for forwarding to Statsforvalteren, Thursday 9 April 2026\n" } },
};

/*
 * render_full() with what a reminder carries in the daemon: the kind (the template name's
 * first part, after "applicant."), its label and source, and the language's dates.
 */
static void
golden_render(const struct tmpl_set *set, const char *lang, const char *name, char **subject,
	      char **body)
{
	struct tmpl_var v[N_ELEM(full_nb)];
	int en = strcmp(lang, "en") == 0;
	const char *kind = strncmp(name, "applicant.", 10) == 0 ? name + 10 : name;
	size_t klen = strcspn(kind, ".");
	char err[256] = "";

	memcpy(v, full_nb, sizeof(v));
	for (size_t j = 0; j < N_ELEM(v); j++) {
		for (size_t i = 0; i < N_ELEM(lang_values); i++) {
			if (strcmp(v[j].name, lang_values[i].name) == 0)
				v[j].value = lang_values[i].value[en];
		}
		for (size_t i = 0; i < N_ELEM(kind_sources); i++) {
			if (strlen(kind_sources[i].kind) != klen ||
			    strncmp(kind_sources[i].kind, kind, klen) != 0)
				continue;
			if (strcmp(v[j].name, "kind") == 0)
				v[j].value = kind_sources[i].kind;
			else if (strcmp(v[j].name, "kind_label") == 0)
				v[j].value = kind_sources[i].label[en];
			else if (strcmp(v[j].name, "source") == 0)
				v[j].value = kind_sources[i].source;
		}
	}
	if (tmpl_render(set, lang, name, v, N_ELEM(v), subject, body, err, sizeof(err)) != 0)
		fail_msg("%s/%s does not render: %s", lang, name, err);
}

/*
 * Golden messages: every shipped template of both languages rendered with the same values,
 * compared byte for byte with tests/unit/data/templates.txt, so that the words people get
 * are read in review. FV_GOLDEN_UPDATE=1 rewrites the file instead.
 */
static void
test_golden_messages(void **state)
{
	static const char *const extra[] = { "applicant.complaint", "applicant.complaint.due",
					     "processing.now", "processing.hours" };
	const char *path = FV_SOURCE_DIR "/tests/unit/data/templates.txt";
	struct diag err = { { 0 } };
	struct tmpl_set *set = NULL;
	char *got = NULL, name[64], *subject, *body;
	size_t got_len = 0;
	FILE *f = open_memstream(&got, &got_len);

	(void)state;
	assert_non_null(f);
	if (tmpl_load(SHIPPED, &set, &err) != 0)
		fail_msg("%s", err.text);
	for (size_t l = 0; l < N_ELEM(langs); l++) {
		for (size_t k = 0; k < N_ELEM(kinds) + N_ELEM(others) + N_ELEM(extra); k++) {
			for (size_t st = 0; st < N_ELEM(stages); st++) {
				if (k < N_ELEM(kinds) && !has_stage(kinds[k], st))
					continue;
				if (k < N_ELEM(kinds))
					snprintf(name, sizeof(name), "%s.%s", kinds[k], stages[st]);
				else if (st > 0)
					break;
				else if (k < N_ELEM(kinds) + N_ELEM(others))
					snprintf(name, sizeof(name), "%s",
						 others[k - N_ELEM(kinds)]);
				else
					snprintf(name, sizeof(name), "%s",
						 extra[k - N_ELEM(kinds) - N_ELEM(others)]);
				golden_render(set, langs[l], name, &subject, &body);
				fprintf(f, "== %s/%s\nSubject: %s\n\n%s", langs[l], name, subject,
					body);
				free(subject);
				free(body);
			}
		}
	}
	tmpl_free(set);
	fclose(f);
	golden_compare(path, "messages", got, got_len);
}

/* Dates in messages to people, as they are written: weekday, day, month, year. */
static void
test_date_words(void **state)
{
	static const struct {
		const char *lang;
		int y, m, d, wd;
		const char *want;
	} rows[] = {
		{ "nb", 2026, 12, 22, 2, "tirsdag 22. desember 2026" },
		{ "nb", 2026, 4, 7, 2, "tirsdag 7. april 2026" },
		{ "nb", 2026, 5, 17, 7, "søndag 17. mai 2026" },
		{ "nb", 2028, 2, 29, 2, "tirsdag 29. februar 2028" },
		{ "nb", 2027, 1, 1, 5, "fredag 1. januar 2027" },
		{ "en", 2026, 12, 22, 2, "Tuesday 22 December 2026" },
		{ "en", 2026, 3, 1, 7, "Sunday 1 March 2026" },
		{ "xx", 2026, 8, 12, 3, "onsdag 12. august 2026" },
		{ "nb", 2026, 13, 1, 1, "2026-13-01" },
	};
	char buf[TMPL_DATE_WORDS_LEN];

	(void)state;
	for (size_t i = 0; i < N_ELEM(rows); i++)
		assert_string_equal(tmpl_date_words(rows[i].lang, rows[i].y, rows[i].m, rows[i].d,
						    rows[i].wd, buf, sizeof(buf)),
				    rows[i].want);
}

/*
 * A case may have no handler or unit, and its explanation is not for messages: every
 * deadline reminder must render without them, or it would fall back to the built-in text.
 */
static void
test_shipped_minimal(void **state)
{
	static const char *const optional[] = { "handler",   "unit",  "explanation",
						"recipient", "count", "items" };
	struct tmpl_var v[N_ELEM(full_nb)];
	struct diag cerr = { "" };
	struct tmpl_set *set = NULL;
	char name[64], err[256], *subject, *body;
	size_t n = 0;

	(void)state;
	if (tmpl_load(SHIPPED, &set, &cerr) != 0)
		fail_msg("%s", cerr.text);
	for (size_t i = 0; i < N_ELEM(full_nb); i++) {
		bool skip = false;

		for (size_t j = 0; j < N_ELEM(optional); j++)
			skip = skip || strcmp(full_nb[i].name, optional[j]) == 0;
		if (!skip)
			v[n++] = full_nb[i];
	}
	for (size_t l = 0; l < N_ELEM(langs); l++) {
		for (size_t k = 0; k <= N_ELEM(kinds); k++) {
			for (size_t s = 0; s < N_ELEM(stages); s++) {
				if (k < N_ELEM(kinds) && !has_stage(kinds[k], s))
					continue;
				if (k < N_ELEM(kinds))
					snprintf(name, sizeof(name), "%s.%s", kinds[k], stages[s]);
				else
					snprintf(name, sizeof(name), "default");
				if (tmpl_render(set, langs[l], name, v, n, &subject, &body, err,
						sizeof(err)) != 0)
					fail_msg("%s", err);
				free(subject);
				free(body);
			}
		}
	}
	tmpl_free(set);
}

/* ---- Bad files ---- */

struct bad_case {
	const char *what;
	const char *lang;
	const char *file;
	const char *text;
	size_t len; /* 0: strlen(text) */
	int line;   /* 0: the error names no line */
	int ret;
	const char *phrase;
};

#define OKHEAD "Subject: Frist i sak {{reference}}\n\n"

static const struct bad_case bad_cases[] = {
	{ "unknown variable in the body", "nb", "a.txt", OKHEAD "Hei,\n\nsak {{refrence}}\n", 0, 5,
	  -EINVAL, "unknown variable 'refrence'" },
	{ "unknown variable in the subject", "nb", "a.txt", "Subject: {{ name }}\n\nText\n", 0, 1,
	  -EINVAL, "unknown variable 'name'" },
	{ "applicant data is no variable", "en", "a.txt", OKHEAD "{{applicant_name}}\n", 0, 3,
	  -EINVAL, "unknown variable" },
	{ "unterminated placeholder", "nb", "a.txt", OKHEAD "One\nTwo {{due\n", 0, 4, -EINVAL,
	  "unterminated" },
	{ "placeholder across lines", "nb", "a.txt", OKHEAD "Due {{\ndue}}\n", 0, 3, -EINVAL,
	  "unterminated" },
	{ "three braces", "nb", "a.txt", OKHEAD "{{{due}}}\n", 0, 3, -EINVAL,
	  "unknown variable '{due'" },
	{ "empty name", "nb", "a.txt", OKHEAD "x\n\nFrist {{ }}\n", 0, 5, -EINVAL,
	  "empty variable name" },
	{ "empty name, no space", "nb", "a.txt", "Subject: a{{}}b\n\nx\n", 0, 1, -EINVAL,
	  "empty variable name" },
	{ "stray closing braces", "nb", "a.txt", OKHEAD "a\nb }} c\n", 0, 4, -EINVAL,
	  "stray '}}'" },
	{ "no Subject line", "nb", "a.txt", "Klagefrist {{due}}\n\nText\n", 0, 1, -EINVAL,
	  "'Subject: ...'" },
	{ "subject in lower case", "nb", "a.txt", "subject: x\n\nText\n", 0, 1, -EINVAL,
	  "'Subject: ...'" },
	{ "empty subject", "nb", "a.txt", "Subject:  \t\n\nText\n", 0, 1, -EINVAL,
	  "empty subject" },
	{ "empty file", "nb", "a.txt", "", 0, 1, -EINVAL, "empty file" },
	{ "blank first line", "nb", "a.txt", "\n\nText\n", 0, 1, -EINVAL, "'Subject: ...'" },
	{ "no blank line", "nb", "a.txt", "Subject: x\nText\n", 0, 2, -EINVAL,
	  "second line must be empty" },
	{ "subject only", "nb", "a.txt", "Subject: x\n", 0, 2, -EINVAL, "missing the empty line" },
	{ "subject only, no newline", "nb", "a.txt", "Subject: x", 0, 2, -EINVAL,
	  "missing the empty line" },
	{ "no body", "nb", "a.txt", "Subject: x\n\n", 0, 3, -EINVAL, "empty body" },
	{ "blank body", "nb", "a.txt", "Subject: x\n\n  \n\t\n\n", 0, 3, -EINVAL, "empty body" },
	{ "Latin-1 in the body", "nb", "a.txt", OKHEAD "Frist\nKlagefrist g\xe5r ut\n", 0, 4,
	  -EINVAL, "UTF-8" },
	{ "broken UTF-8 in the subject", "nb", "a.txt", "Subject: \xc3\x28\n\nx\n", 0, 1, -EINVAL,
	  "UTF-8" },
	{ "overlong UTF-8", "nb", "a.txt", OKHEAD "\xc0\xaf\n", 0, 3, -EINVAL, "UTF-8" },
	{ "UTF-16 surrogate", "nb", "a.txt", OKHEAD "a\n\xed\xa0\x80\n", 0, 4, -EINVAL, "UTF-8" },
	{ "CRLF line ends", "nb", "a.txt", "Subject: x\r\n\r\nText\r\n", 0, 1, -EINVAL,
	  "carriage return" },
	{ "CR in the body", "nb", "a.txt", OKHEAD "a\nb\nc\rd\n", 0, 5, -EINVAL,
	  "carriage return" },
	{ "NUL byte", "nb", "a.txt", OKHEAD "a\nb\0c\n", sizeof(OKHEAD "a\nb\0c\n") - 1, 4, -EINVAL,
	  "NUL" },
	{ "control character", "nb", "a.txt", OKHEAD "a\x1b[1mb\n", 0, 3, -EINVAL,
	  "control character 0x1b" },
	{ "upper-case file name", "nb", "Complaint.before.txt", OKHEAD "x\n", 0, 0, -EINVAL,
	  "bad template file name" },
	{ "space in the file name", "en", "a b.txt", OKHEAD "x\n", 0, 0, -EINVAL,
	  "bad template file name" },
	{ "non-ASCII file name", "nb", "klage\xc3\xa6.txt", OKHEAD "x\n", 0, 0, -EINVAL,
	  "bad template file name" },
	{ "nameless file", "nb", ".txt", OKHEAD "x\n", 0, 0, -EINVAL, "bad template file name" },
	{ "name starting with a dot", "nb", ".a.txt", OKHEAD "x\n", 0, 0, -EINVAL,
	  "bad template file name" },
	{ "the English side is checked too", "en", "b.txt", OKHEAD "{{nope}}\n", 0, 3, -EINVAL,
	  "unknown variable 'nope'" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct diag err;
		struct tmpl_set *set;
		char want[512];
		int ret;

		clear_dir();
		/* A valid neighbour in both languages, so only the bad file is to blame. */
		write_tmpl("nb", "default.txt", OKHEAD "ok\n", 0);
		write_tmpl("en", "default.txt", OKHEAD "ok\n", 0);
		write_tmpl(c->lang, c->file, c->text, c->len);
		ret = load_dir(&set, &err);
		if (ret != c->ret)
			fail_msg("%s: returned %d, want %d (%s)", c->what, ret, c->ret, err.text);
		if (set != NULL)
			fail_msg("%s: *out not NULL after a failure", c->what);
		if (c->line)
			snprintf(want, sizeof(want), "%s/%s/%s:%d: ", tmpdir, c->lang, c->file,
				 c->line);
		else
			snprintf(want, sizeof(want), "%s/%s/%s: ", tmpdir, c->lang, c->file);
		if (strncmp(err.text, want, strlen(want)) != 0)
			fail_msg("%s: error \"%s\" does not start with \"%s\"", c->what, err.text,
				 want);
		if (!strstr(err.text, c->phrase))
			fail_msg("%s: error \"%s\" lacks \"%s\"", c->what, err.text, c->phrase);
	}
}

static void
test_bad_size(void **state)
{
	size_t len = TMPL_MAX_FILE + 1, hl = strlen(OKHEAD);
	struct diag err;
	struct tmpl_set *set;
	char *text = malloc(len), want[256];

	(void)state;
	assert_non_null(text);
	memcpy(text, OKHEAD, hl);
	memset(text + hl, 'x', len - hl);
	text[len - 1] = '\n';
	clear_dir();
	write_tmpl("nb", "big.txt", text, len);
	assert_int_equal(load_dir(&set, &err), -EINVAL);
	assert_null(set);
	snprintf(want, sizeof(want), "%s/nb/big.txt: file larger than 65536 bytes", tmpdir);
	assert_memory_equal(err.text, want, strlen(want));

	/* Exactly the limit is fine. */
	clear_dir();
	write_tmpl("nb", "big.txt", text, len - 1);
	if (load_dir(&set, &err) != 0)
		fail_msg("%s", err.text);
	assert_true(tmpl_has(set, "nb", "big"));
	tmpl_free(set);
	free(text);
}

static void
test_bad_dirs(void **state)
{
	struct diag err;
	struct tmpl_set *set;
	char p[128], want[256];

	(void)state;
	/* A directory called *.txt is not a template. */
	clear_dir();
	snprintf(p, sizeof(p), "%s/nb/sub.txt", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(load_dir(&set, &err), -EINVAL);
	assert_null(set);
	snprintf(want, sizeof(want), "%s: not a regular file", p);
	assert_string_equal(err.text, want);

	/* Both language directories must exist. */
	clear_dir();
	snprintf(p, sizeof(p), "%s/en", tmpdir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(load_dir(&set, &err), -ENOENT);
	assert_null(set);
	snprintf(want, sizeof(want), "%s: ", p);
	assert_memory_equal(err.text, want, strlen(want));
	assert_non_null(strstr(err.text, "template directory"));

	/* A plain file where the directory should be. */
	write_tmpl(".", "en", "x", 0);
	assert_int_equal(load_dir(&set, &err), -ENOENT);
	assert_null(set);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0700), 0);

	/* No such directory at all. */
	memset(&err, 0, sizeof(err));
	set = sentinel;
	assert_int_equal(tmpl_load("/nonexistent/fv-templates", &set, &err), -ENOENT);
	assert_null(set);
	assert_string_equal(err.text, "/nonexistent/fv-templates/nb: cannot open the template "
				      "directory: No such file or directory");
}

/* Files that are not templates are ignored; empty languages and trailing slashes load. */
static void
test_ignored(void **state)
{
	struct diag err;
	struct tmpl_set *set;
	char dir[128];

	(void)state;
	clear_dir();
	write_tmpl("nb", "README", "Not a template {{\n", 0);
	write_tmpl("nb", "complaint.before.txt~", "backup", 0);
	write_tmpl("nb", "a.txt.swp", "\xff", 0);
	write_tmpl("nb", "ok-1_x.y.txt", "\xef\xbb\xbfSubject:x\n \t\nBody\n", 0);
	write_tmpl(".", "README", "about", 0);
	if (load_dir(&set, &err) != 0)
		fail_msg("%s", err.text);
	assert_true(tmpl_has(set, "nb", "ok-1_x.y"));
	assert_false(tmpl_has(set, "nb", "README"));
	assert_false(tmpl_has(set, "nb", "complaint.before"));
	assert_false(tmpl_has(set, "en", "ok-1_x.y"));
	tmpl_free(set);

	snprintf(dir, sizeof(dir), "%s//", tmpdir);
	set = NULL;
	assert_int_equal(tmpl_load(dir, &set, &err), 0);
	assert_true(tmpl_has(set, "nb", "ok-1_x.y"));
	tmpl_free(set);
	tmpl_free(NULL);
}

/* ---- Rendering ---- */

/* Loads one nb template "t" with text, and "default" in both languages. */
static struct tmpl_set *
load_one(const char *text)
{
	struct diag err;
	struct tmpl_set *set;

	clear_dir();
	write_tmpl("nb", "t.txt", text, 0);
	write_tmpl("nb", "default.txt", OKHEAD "ok\n", 0);
	write_tmpl("en", "default.txt", OKHEAD "ok\n", 0);
	if (load_dir(&set, &err) != 0)
		fail_msg("%s", err.text);
	return set;
}

static void
expect_render(const char *text, const struct tmpl_var *vars, size_t n, const char *subject,
	      const char *body)
{
	struct tmpl_set *set = load_one(text);
	char err[256] = "", *s, *b;
	int ret;

	ret = tmpl_render(set, "nb", "t", vars, n, &s, &b, err, sizeof(err));
	if (ret != 0)
		fail_msg("render failed (%d): %s", ret, err);
	assert_string_equal(s, subject);
	assert_string_equal(b, body);
	free(s);
	free(b);
	tmpl_free(set);
}

static void
test_render_exact(void **state)
{
	static const struct tmpl_var v[] = {
		{ "reference", "2026/17" },
		{ "due", "2026-04-07" },
		{ "kind_label", "klagefrist" },
		{ "reference", "ignored: the first entry counts" },
		{ "no_such_var", "ignored" },
		{ "items", "- a\n- b\n\n" },
		{ "count", "" },
	};

	(void)state;
	/* Spaces in the braces, a value twice, trailing blank lines dropped. */
	expect_render("Subject:   Sak {{ reference }} ({{reference}})  \n\nFrist {{\tdue }}.\n\n\n",
		      v, N_ELEM(v), "Sak 2026/17 (2026/17)", "Frist 2026-04-07.\n");
	/* Escapes and single braces. */
	expect_render("Subject: {{{{x}}}} {a} }\n\n{{{{reference}}}} = {{reference}}\n"
		      "{{{{{{reference}}\n{ {{ due}}} }\n",
		      v, N_ELEM(v), "{{x}} {a} }",
		      "{{reference}} = 2026/17\n{{2026/17\n{ 2026-04-07} }\n");
	/* A body without a final newline gets one; blank lines inside the body stay. */
	expect_render("Subject: x\n\na\n\n  \nb", v, N_ELEM(v), "x", "a\n\n  \nb\n");
	/* A multi-line value stands alone on its line; an empty value is allowed. */
	expect_render("Subject: x\n\nListe ({{count}}):\n{{items}}\nSlutt\n", v, N_ELEM(v), "x",
		      "Liste ():\n- a\n- b\nSlutt\n");
	/* An empty value at the end of the subject leaves no trailing space. */
	expect_render("Subject: Sak {{reference}} {{count}}\n\nx\n", v, N_ELEM(v), "Sak 2026/17",
		      "x\n");
}

static void
test_render_utf8(void **state)
{
	static const struct tmpl_var v[] = {
		{ "reference", "2026/ÆØÅ-17" },
		{ "kind_label", "frist for foreløpig svar" },
		{ "due_weekday", "lørdag" },
		{ "source", "pasient- og brukerrettighetsloven § 7-5 – «fire uker» 😀" },
	};

	(void)state;
	expect_render("Subject: Påminnelse: {{kind_label}} i sak {{reference}}\n\n"
		      "Særlig viktig: {{due_weekday}}, æøå ÆØÅ «»\nGrunnlag: {{source}}\n",
		      v, N_ELEM(v), "Påminnelse: frist for foreløpig svar i sak 2026/ÆØÅ-17",
		      "Særlig viktig: lørdag, æøå ÆØÅ «»\n"
		      "Grunnlag: pasient- og brukerrettighetsloven § 7-5 – «fire uker» 😀\n");
}

struct render_err {
	const char *what;
	const char *text;
	struct tmpl_var var;
	const char *phrase;
};

static void
test_render_errors(void **state)
{
	static const struct render_err cases[] = {
		{ "missing in the body",
		  "Subject: x\n\n{{days_left}}\n",
		  { "due", "1" },
		  "no value for variable 'days_left'" },
		{ "missing in the subject",
		  "Subject: {{due}}\n\nx\n",
		  { "reference", "1" },
		  "no value for variable 'due'" },
		{ "NULL value",
		  "Subject: {{due}}\n\nx\n",
		  { "due", NULL },
		  "no value for variable 'due'" },
		{ "line break in the subject",
		  "Subject: {{due}}\n\nx\n",
		  { "due", "a\nb" },
		  "a line break, not allowed in the subject" },
		{ "CR in the body",
		  "Subject: x\n\n{{items}}\n",
		  { "items", "a\r\nb" },
		  "control character" },
		{ "escape in the body",
		  "Subject: x\n\n{{items}}\n",
		  { "items", "\x1b[31m" },
		  "control character" },
		{ "invalid UTF-8",
		  "Subject: x\n\n{{items}}\n",
		  { "items", "bl\xe5" },
		  "not valid UTF-8" },
		{ "empty subject",
		  "Subject: {{due}}\n\nx\n",
		  { "due", "  " },
		  "the subject is empty" },
		{ "empty body",
		  "Subject: x\n\n{{items}}\n",
		  { "items", "\n\n" },
		  "the body is empty" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct tmpl_set *set = load_one(cases[i].text);
		char err[256] = "", *s = (char *)"x", *b = (char *)"x";
		int ret = tmpl_render(set, "nb", "t", &cases[i].var, 1, &s, &b, err, sizeof(err));

		if (ret != -EINVAL)
			fail_msg("%s: returned %d", cases[i].what, ret);
		assert_null(s);
		assert_null(b);
		if (!strstr(err, cases[i].phrase) || !strstr(err, "nb/t"))
			fail_msg("%s: error \"%s\" lacks \"%s\"", cases[i].what, err,
				 cases[i].phrase);
		/* No error buffer is fine too. */
		assert_int_equal(tmpl_render(set, "nb", "t", &cases[i].var, 1, &s, &b, NULL, 0),
				 -EINVAL);
		tmpl_free(set);
	}
}

static void
test_render_too_long(void **state)
{
	struct tmpl_set *set = load_one("Subject: {{due}}\n\n{{items}}\n");
	size_t big = TMPL_MAX_BODY + 1;
	char *v = malloc(big + 1), err[256] = "", *s, *b;
	struct tmpl_var vars[2] = { { "due", "x" }, { "items", v } };

	(void)state;
	assert_non_null(v);
	memset(v, 'a', big);
	v[big] = '\0';
	assert_int_equal(tmpl_render(set, "nb", "t", vars, 2, &s, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "the body is longer than"));
	v[TMPL_MAX_SUBJECT + 1] = '\0';
	vars[0].value = v;
	vars[1].value = "x";
	assert_int_equal(tmpl_render(set, "nb", "t", vars, 2, &s, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "the subject is longer than"));
	v[TMPL_MAX_SUBJECT] = '\0';
	assert_int_equal(tmpl_render(set, "nb", "t", vars, 2, &s, &b, err, sizeof(err)), 0);
	assert_int_equal(strlen(s), TMPL_MAX_SUBJECT);
	free(s);
	free(b);
	free(v);
	tmpl_free(set);
}

static void
test_render_unknown(void **state)
{
	struct tmpl_set *set = load_one("Subject: x\n\ny\n");
	char err[256] = "", *s, *b;

	(void)state;
	assert_int_equal(tmpl_render(set, "nb", "nope", NULL, 0, &s, &b, err, sizeof(err)),
			 -ENOENT);
	assert_null(s);
	assert_null(b);
	assert_string_equal(err, "no template nb/nope");
	assert_int_equal(tmpl_render(set, "en", "t", NULL, 0, &s, &b, err, sizeof(err)), -ENOENT);
	assert_int_equal(tmpl_render(set, "de", "t", NULL, 0, &s, &b, err, sizeof(err)), -ENOENT);
	assert_int_equal(tmpl_render(set, NULL, "t", NULL, 0, &s, &b, err, sizeof(err)), -ENOENT);
	/* A template without variables needs none. */
	assert_int_equal(tmpl_render(set, "nb", "t", NULL, 0, &s, &b, err, sizeof(err)), 0);
	assert_string_equal(s, "x");
	assert_string_equal(b, "y\n");
	free(s);
	free(b);
	tmpl_free(set);
}

/* A shipped template missing a variable fails; the fallback then says the essentials. */
static void
test_missing_then_fallback(void **state)
{
	struct tmpl_var v[N_ELEM(full_nb)];
	struct diag cerr = { "" };
	struct tmpl_set *set = NULL;
	char err[256] = "", *s, *b;
	size_t n = 0;

	(void)state;
	if (tmpl_load(SHIPPED, &set, &cerr) != 0)
		fail_msg("%s", cerr.text);
	for (size_t i = 0; i < N_ELEM(full_nb); i++)
		if (strcmp(full_nb[i].name, "days_left") != 0)
			v[n++] = full_nb[i];
	assert_int_equal(tmpl_render(set, "nb", "complaint.before", v, n, &s, &b, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "template nb/complaint.before: no value for variable 'days_left'");
	assert_null(s);
	assert_null(b);

	tmpl_fallback("nb", v, n, &s, &b);
	assert_string_equal(s, "Påminnelse: klagefrist i sak 2026/17, frist tirsdag 7. april 2026");
	assert_string_equal(b,
			    "Påminnelse: klagefrist i sak 2026/17, frist tirsdag 7. april 2026.\n");
	free(s);
	free(b);
	tmpl_free(set);
}

static void
test_fallback(void **state)
{
	static const struct tmpl_var en[] = {
		{ "reference", "2026/17" },
		{ "kind_label", "complaint deadline" },
		{ "due", "2026-04-07" },
		{ "handler", "not used" },
	};
	static const struct tmpl_var hostile[] = {
		{ "reference", " 2026/\r\n17\x1b \xff\xc3" },
		{ "kind_label", "" },
		{ "due", "   " },
	};
	static const struct tmpl_var ref_only[] = {
		{ "kind_label", NULL },
		{ "reference", "2026/17" },
	};
	struct tmpl_var longv[1];
	char *s, *b, big[1000];

	(void)state;
	tmpl_fallback("en", en, N_ELEM(en), &s, &b);
	assert_string_equal(s, "Reminder: complaint deadline in case 2026/17, due 2026-04-07");
	assert_string_equal(b, "Reminder: complaint deadline in case 2026/17, due 2026-04-07.\n");
	free(s);
	free(b);
	/* Nothing known: still a text. Unknown languages get Norwegian. */
	tmpl_fallback("nb", NULL, 0, &s, &b);
	assert_string_equal(s, "Påminnelse: frist");
	assert_string_equal(b, "Påminnelse: frist.\n");
	free(s);
	free(b);
	tmpl_fallback(NULL, ref_only, N_ELEM(ref_only), &s, &b);
	assert_string_equal(s, "Påminnelse: frist i sak 2026/17");
	free(s);
	free(b);
	tmpl_fallback("en", ref_only, N_ELEM(ref_only), &s, &b);
	assert_string_equal(s, "Reminder: deadline in case 2026/17");
	free(s);
	free(b);
	/* Line breaks, escapes and broken UTF-8 never reach the text. */
	tmpl_fallback("nb", hostile, N_ELEM(hostile), &s, &b);
	assert_string_equal(s, "Påminnelse: frist i sak 2026/  17  ??");
	assert_string_equal(b, "Påminnelse: frist i sak 2026/  17  ??.\n");
	free(s);
	free(b);
	/* A long value is cut on a character boundary. */
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa6", 2);
	big[sizeof(big) - 2] = '\0';
	longv[0].name = "reference";
	longv[0].value = big;
	tmpl_fallback("nb", longv, 1, &s, &b);
	assert_true(strlen(s) < 260);
	assert_string_equal(s + strlen(s) - 2, "\xc3\xa6");
	free(s);
	free(b);
}

static void
test_pick(void **state)
{
	static const char *const complaint_before[] = { "complaint.before", "complaint",
							"default" };
	static const char *const complaint_due[] = { "complaint.due", "complaint", "default" };
	static const char *const processing_due[] = { "processing.due", "processing", "default" };
	static const char *const reversed[] = { "default", "complaint", "complaint.before" };
	static const char *const none[] = { "x", "y" };
	struct diag err;
	struct tmpl_set *set;
	const char *p;

	(void)state;
	clear_dir();
	write_tmpl("nb", "complaint.before.txt", OKHEAD "a\n", 0);
	write_tmpl("nb", "complaint.txt", OKHEAD "b\n", 0);
	write_tmpl("nb", "default.txt", OKHEAD "c\n", 0);
	write_tmpl("en", "default.txt", OKHEAD "d\n", 0);
	if (load_dir(&set, &err) != 0)
		fail_msg("%s", err.text);

	p = tmpl_pick(set, "nb", complaint_before, 3);
	assert_string_equal(p, "complaint.before");
	assert_ptr_not_equal(p, complaint_before[0]); /* the set's own copy */
	assert_string_equal(tmpl_pick(set, "nb", complaint_due, 3), "complaint");
	assert_string_equal(tmpl_pick(set, "nb", processing_due, 3), "default");
	assert_string_equal(tmpl_pick(set, "nb", reversed, 3), "default");
	assert_string_equal(tmpl_pick(set, "en", complaint_before, 3), "default");
	/* n limits the candidates. */
	assert_null(tmpl_pick(set, "nb", processing_due, 2));
	assert_string_equal(tmpl_pick(set, "nb", complaint_due, 2), "complaint");
	assert_null(tmpl_pick(set, "nb", complaint_before, 0));
	assert_null(tmpl_pick(set, "nb", none, 2));
	assert_null(tmpl_pick(set, "de", complaint_before, 3));
	assert_null(tmpl_pick(set, NULL, complaint_before, 3));
	assert_null(tmpl_pick(NULL, "nb", complaint_before, 3));

	assert_true(tmpl_has(set, "nb", "complaint"));
	assert_false(tmpl_has(set, "en", "complaint"));
	assert_false(tmpl_has(set, "nb", "complaint.before.txt"));
	assert_false(tmpl_has(set, "nb", ""));
	tmpl_free(set);
}

static void
test_labels(void **state)
{
	(void)state;
	for (size_t k = 0; k < N_ELEM(kinds); k++) {
		assert_non_null(tmpl_kind_label("nb", kinds[k]));
		assert_non_null(tmpl_kind_label("en", kinds[k]));
	}
	assert_string_equal(tmpl_kind_label("nb", "complaint"), "klagefrist");
	assert_string_equal(tmpl_kind_label("en", "complaint"), "complaint deadline");
	assert_string_equal(tmpl_kind_label("nb", "preliminary_reply"), "frist for foreløpig svar");
	assert_string_equal(tmpl_kind_label("xx", "documentation"), "innsendelsesfrist");
	assert_string_equal(tmpl_kind_label("en", "late_complaint"),
			    "outer limit for a late complaint");
	assert_string_equal(tmpl_kind_label("en", "promised"), "promised decision date");
	assert_null(tmpl_kind_label("nb", "nope"));
	assert_null(tmpl_kind_label("nb", NULL));
	assert_string_equal(tmpl_weekday_name("nb", 2), "tirsdag");
	assert_string_equal(tmpl_weekday_name("nb", 6), "lørdag");
	assert_string_equal(tmpl_weekday_name("en", 7), "Sunday");
	assert_null(tmpl_weekday_name("nb", 0));
	assert_null(tmpl_weekday_name("en", 8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vars),
		cmocka_unit_test(test_date_words),
		cmocka_unit_test(test_golden_messages),
		cmocka_unit_test(test_shipped_complete),
		cmocka_unit_test(test_shipped_render),
		cmocka_unit_test(test_shipped_minimal),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_bad_dirs),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_render_exact),
		cmocka_unit_test(test_render_utf8),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_render_too_long),
		cmocka_unit_test(test_render_unknown),
		cmocka_unit_test(test_missing_then_fallback),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
