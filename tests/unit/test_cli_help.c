// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The CLI's help texts against the tables they describe. An event command's options are
 * made from its method's row of the event schema (core/events.c, through cli/cli_args.c),
 * but its help text, which --help prints and the bash completion is made from, is written
 * by hand (cli/cli_event.c); the texts that list the deadline kinds list them by hand too.
 * These tests fail when the two part: a parameter without its option line, an option line
 * the parser does not take, an enum's choices other than the schema's, a kind of the
 * vocabulary (core/vocab.c) missing from a text that lists the kinds.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli_case_impl.h"
#include "cli/cli_verbs.h"
#include "core/events.h"
#include "core/util.h"
#include "core/vocab.h"

#define MAX_COMMANDS 128
#define WORD_LEN     48
#define MAX_WORDS    16

/* Every command of the table, each group's sub-commands after it, into out. */
static size_t
all_commands(const struct cli_command **out)
{
	size_t n, k = 0;
	const struct cli_command *const *t = cli_command_table(&n);

	for (size_t i = 0; i < n; i++) {
		assert_true(k < MAX_COMMANDS);
		out[k++] = t[i];
		for (const struct cli_command *const *s = t[i]->subs; s && *s; s++) {
			assert_true(k < MAX_COMMANDS);
			out[k++] = *s;
		}
	}
	return k;
}

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Whether word stands in text as a whole word ("complaint" not as part of
 * "late_complaint"). */
static bool
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
			return true;
	}
	return false;
}

/* The option at p ("--name ..."): its name's length, "--" included. */
static size_t
opt_len(const char *p)
{
	size_t n = 2;

	while (word_char(p[n]))
		n++;
	return n;
}

/* The first non-blank of an indented line, or NULL when the line is not indented. */
static const char *
indented(const char *line)
{
	const char *p = line;

	while (*p == ' ')
		p++;
	return p == line ? NULL : p;
}

/* The next line of text after line, or NULL at its end. */
static const char *
next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* The option line of help that documents "--name" ("  --name VALUE   what it is"): the
 * option's "--" in it, or NULL. */
static const char *
option_line(const char *help, const char *name)
{
	size_t n = strlen(name);

	for (const char *line = help; line; line = next_line(line)) {
		const char *p = indented(line);

		if (p && p[0] == '-' && p[1] == '-' && strncmp(p + 2, name, n) == 0 &&
		    !word_char(p[2 + n]))
			return p;
	}
	return NULL;
}

/* Whether the option at p, as its line shows it, takes a value ("--made TIME"): a value
 * follows it after one blank; a description after several. */
static bool
line_takes_value(const char *p)
{
	const char *q = p + opt_len(p);

	return q[0] == ' ' && q[1] != ' ' && q[1] != '\n' && q[1] != '\0';
}

/*
 * The description of the option at p, its continuation lines too, with each run of blanks
 * made one, into buf.
 */
static void
option_description(const char *p, char *buf, size_t size)
{
	size_t k = 0;
	bool blank = false;
	bool value = line_takes_value(p);

	p += opt_len(p);
	/* Past the value ("--outcome OUTCOME"), to what it is. */
	if (value)
		p = strpbrk(p + 1, " \n");
	for (; p && *p; p++) {
		if (*p == '\n') {
			const char *c = indented(p + 1);

			/* A continuation is indented and starts no option of its own. */
			if (!c || *c == '-' || *c == '\n')
				break;
		}
		if (*p == ' ' || *p == '\n') {
			blank = true;
			continue;
		}
		if (blank && k > 0 && k + 1 < size)
			buf[k++] = ' ';
		blank = false;
		if (k + 1 < size)
			buf[k++] = *p;
	}
	buf[k] = '\0';
}

/*
 * The choices an enum option's description lists into words, their number returned. The
 * description must read "[TOPIC: ]a [(note)], b [(note)] or c [(note)][; remark]": the
 * notes in brackets and the remark are for people, the rest are the choices.
 */
static size_t
listed_choices(const char *desc, char words[MAX_WORDS][WORD_LEN])
{
	char buf[512];
	const char *colon = strchr(desc, ':'), *comma = strchr(desc, ',');
	size_t k = 0, n = 0;
	int depth = 0;

	/* A topic ends before the list does. */
	if (colon && comma && colon > comma)
		colon = NULL;
	for (const char *p = colon ? colon + 1 : desc; *p && k + 1 < sizeof(buf); p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && (*p == ';' || *p == '.'))
			break;
		else if (depth == 0)
			buf[k++] = *p == ',' ? ' ' : *p;
	}
	buf[k] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (strcmp(t, "or") == 0)
			continue;
		assert_true(n < MAX_WORDS && strlen(t) < WORD_LEN);
		snprintf(words[n++], WORD_LEN, "%s", t);
	}
	return n;
}

static bool
opt_takes_value(enum opt_kind kind)
{
	return kind != OPT_TRUE && kind != OPT_FALSE && kind != OPT_FLAG;
}

/* The option of o that fills parameter param, or NULL. */
static const struct opt *
option_of_param(const struct optset *o, const char *param)
{
	for (size_t i = 0; i < o->n; i++) {
		if (o->v[i].param && strcmp(o->v[i].param, param) == 0)
			return &o->v[i];
	}
	return NULL;
}

/* Whether the command (its options o) accepts "--name": its own or a common one. */
static bool
accepts(const struct optset *o, const char *name, size_t n)
{
	static const struct option common[] = { CLI_COMMON_OPTIONS };

	for (size_t i = 0; i < o->n; i++) {
		if (strlen(o->v[i].name) == n && strncmp(o->v[i].name, name, n) == 0)
			return true;
	}
	for (size_t i = 0; i < FV_ARRAY_SIZE(common); i++) {
		if (strlen(common[i].name) == n && strncmp(common[i].name, name, n) == 0)
			return true;
	}
	return false;
}

/* Every parameter of the schema row m is filled by an option of o. */
static void
check_params(const struct cli_command *c, const struct event_schema *m, const struct optset *o)
{
	for (size_t i = 0; i < m->n_params; i++) {
		const struct event_param *p = &m->params[i];

		if (p->kind == EVENT_PK_CONTACT ? !o->contact : !option_of_param(o, p->name))
			fail_msg("'%s': parameter '%s' of %s has no option", c->name, p->name,
				 m->method);
	}
}

/* Every option of o has its line in c's help, with a value exactly when it takes one. */
static void
check_documented(const struct cli_command *c, const struct optset *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const char *line = option_line(c->help, o->v[i].name);

		if (!line)
			fail_msg("'%s': the help has no line for --%s", c->name, o->v[i].name);
		if (line_takes_value(line) != opt_takes_value(o->v[i].kind))
			fail_msg("'%s': the help shows --%s %s a value", c->name, o->v[i].name,
				 opt_takes_value(o->v[i].kind) ? "without" : "with");
	}
}

/* Every option c's synopsis or help names is one the parser takes. */
static void
check_accepted(const struct cli_command *c, const struct optset *o)
{
	const char *texts[] = { c->args, c->help };

	for (size_t t = 0; t < FV_ARRAY_SIZE(texts); t++) {
		for (const char *p = strstr(texts[t], "--"); p; p = strstr(p + 2, "--")) {
			size_t n = opt_len(p);

			if (n > 2 && (p == texts[t] || !word_char(p[-1])) &&
			    !accepts(o, p + 2, n - 2))
				fail_msg("'%s': its help names %.*s, which it does not take",
					 c->name, (int)n, p);
		}
	}
}

static bool
in_list(const char *const *list, const char *word)
{
	for (; *list; list++) {
		if (strcmp(*list, word) == 0)
			return true;
	}
	return false;
}

/* The choices the help of c lists for enum parameter p are the schema's, every one. */
static void
check_choices(const struct cli_command *c, const struct optset *o, const struct event_param *p)
{
	const struct opt *opt = option_of_param(o, p->name);
	char desc[512], words[MAX_WORDS][WORD_LEN];
	const char *listed[MAX_WORDS + 1];
	size_t n;

	desc[0] = '\0';
	option_description(option_line(c->help, opt->name), desc, sizeof(desc));
	n = listed_choices(desc, words);
	for (size_t i = 0; i < n; i++) {
		listed[i] = words[i];
		if (!in_list(p->choices, words[i]))
			fail_msg("'%s': --%s lists '%s', no choice of the schema (\"%s\" must "
				 "read 'a, b (note) or c; remark')",
				 c->name, opt->name, words[i], desc);
	}
	listed[n] = NULL;
	for (const char *const *ch = p->choices; *ch; ch++) {
		if (!in_list(listed, *ch))
			fail_msg("'%s': --%s does not list '%s' (\"%s\")", c->name, opt->name, *ch,
				 desc);
	}
}

/* The options of one event command against its help. */
static void
check_event_command(const struct cli_command *c, const struct event_schema *m)
{
	struct optset o;

	cli_command_options(c, &o);
	check_params(c, m, &o);
	check_documented(c, &o);
	check_accepted(c, &o);
	for (size_t i = 0; i < m->n_params; i++) {
		if (m->params[i].kind == EVENT_PK_ENUM)
			check_choices(c, &o, &m->params[i]);
	}
}

/*
 * Every event method has one command, and that command's help documents each option its
 * schema row makes (the exceptions' and --event-id and --supersedes too) and no other, and
 * lists each enum's choices as the schema has them.
 */
static void
test_event_options(void **state)
{
	const struct cli_command *cmds[MAX_COMMANDS];
	size_t n = all_commands(cmds), seen[64] = { 0 };

	(void)state;
	assert_true(events_schema_count() <= FV_ARRAY_SIZE(seen));
	for (size_t i = 0; i < n; i++) {
		const struct event_schema *m = cli_event_schema(cmds[i]);

		if (!m)
			continue;
		for (size_t j = 0; j < events_schema_count(); j++)
			seen[j] += events_schema_at(j) == m;
		check_event_command(cmds[i], m);
	}
	for (size_t j = 0; j < events_schema_count(); j++) {
		if (seen[j] != 1)
			fail_msg("%s has %zu commands", events_schema_at(j)->method, seen[j]);
	}
}

/* Whether command c is about a deadline kind: its help names KIND or --kind, or it sends
 * one (its event schema takes a kind). */
static bool
about_kinds(const struct cli_command *c)
{
	const struct event_schema *m = cli_event_schema(c);

	for (size_t i = 0; m && i < m->n_params; i++) {
		if (m->params[i].kind == EVENT_PK_KIND)
			return true;
	}
	return has_word(c->help, "KIND") || has_word(c->help, "--kind");
}

/*
 * Every help text about a kind lists every kind of the vocabulary as it is printed (the
 * lists are filled in from the vocabulary: cli_help_text), and the lines that list them
 * within 80 columns.
 */
static void
test_kind_lists(void **state)
{
	const struct cli_command *cmds[MAX_COMMANDS];
	size_t n = all_commands(cmds), lists = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct cli_command *c = cmds[i];
		char *help;

		if (!about_kinds(c))
			continue;
		lists++;
		help = cli_help_text(c->help);
		for (int k = 0; k < RULES_KIND_COUNT; k++) {
			const char *kind = rules_kind_name((enum rules_kind)k);

			if (!has_word(help, kind))
				fail_msg("'%s': its help does not list the kind '%s'", c->name,
					 kind);
		}
		if (strstr(help, "kinds}"))
			fail_msg("'%s': a list of kinds was not filled in", c->name);
		for (char *l = strtok(help, "\n"); l; l = strtok(NULL, "\n")) {
			if (fv_utf8_chars(l, strlen(l)) > 80 &&
			    has_word(l, rules_kind_name(RULES_KIND_PROCESSING)))
				fail_msg("'%s': a line of %zu columns: %s", c->name,
					 fv_utf8_chars(l, strlen(l)), l);
		}
		free(help);
	}
	/* extend, override, deadlines and template render at least. */
	assert_true(lists >= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_options),
		cmocka_unit_test(test_kind_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
