/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli: what the parts of the fristvakt CLI share. cli.c owns the connection to fristvaktd
 * and the helpers that print its replies, cli_main.c main(); the command modules define their
 * commands as struct cli_command entries, the rows of the one command table (cli_verbs.c)
 * that dispatch, usage, help and completion read.
 *
 * A command is one word ("status") or a group word and a sub-command ("case add"). Its run
 * callback gets the command's own argv (argv[0] is the last word of its name) and returns
 * the exit status: CLI_EXIT_OK, CLI_EXIT_ERROR (the daemon answered an error) or
 * CLI_EXIT_USAGE (usage error, unreadable input, or no connection).
 */
#ifndef FV_CLI_H
#define FV_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "core/proto.h"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_ERROR = 1,
	CLI_EXIT_USAGE = 2,
};

struct cli_command;

/* The language of what the CLI prints for people (--lang). */
enum cli_lang {
	CLI_LANG_NB, /* bokmål */
	CLI_LANG_EN,
};

/*
 * One fact in both languages. The CLI's words for people live in tables of these, one
 * table per fact (a heading, the words for states, the labels of a view), so that a
 * language is never mixed into another.
 */
struct cli_text {
	const char *nb;
	const char *en;
};

/* One run of the CLI: global options and the connection (fd -1 until the first call). */
struct cli {
	const char *socket;
	const char *config;
	bool json;
	enum cli_lang lang;
	int fd;
	struct proto_reader rd;
};

/* The text of t (borrowed) in lang. */
static inline const char *
cli_text_in(enum cli_lang lang, const struct cli_text *t)
{
	return lang == CLI_LANG_EN ? t->en : t->nb;
}

/* The text of t (borrowed) in the language of the run. */
static inline const char *
cli_tr(const struct cli *cli, const struct cli_text *t)
{
	return cli_text_in(cli->lang, t);
}

/* "nb" or "en" into *out: 0, or -EINVAL. */
int cli_lang_parse(const char *s, enum cli_lang *out);

/* Sets cli->lang from a --lang value; false (message printed) when it is neither. */
bool cli_lang_option(struct cli *cli, const struct cli_command *cmd, const char *value);

typedef int (*cli_run_cb)(struct cli *cli, const struct cli_command *cmd, int argc, char **argv);

struct cli_command {
	const char *name;		       /* the words that select it: "status", "case add" */
	const char *args;		       /* its synopsis after the name */
	const char *brief;		       /* one line for the command list */
	const char *help;		       /* what it does and its options, for --help */
	cli_run_cb run;			       /* NULL for a group */
	const struct cli_command *const *subs; /* a group's sub-commands, NULL-terminated */
	const void *data;		       /* the command's own description, for run */
	bool hidden;			       /* left out of the command list and completion */
};

/*
 * Calls method (the full name, "no.fristvakt.GetCase") with params (stolen; NULL for none)
 * and returns the reply's parameters (owned) in *out. Connects on the first call and keeps
 * the connection for the next; waits out RateLimited. Returns CLI_EXIT_OK, CLI_EXIT_ERROR
 * (the error is printed, and with --json also written to stdout) or CLI_EXIT_USAGE (no
 * connection; printed).
 */
int cli_call(struct cli *cli, const char *method, json_t *params, json_t **out);

/* Closes the connection, if any; the next cli_call() connects again. */
void cli_disconnect(struct cli *cli);

/* Prints v (borrowed) as indented JSON with sorted keys and a newline. */
void cli_print_json(json_t *v);

/*
 * An RFC 3339 instant (borrowed, may be NULL) as "2026-03-02 10:15" in the local zone, with
 * the zone's abbreviation after it ("2026-03-02 10:15 UTC") unless the local zone is the
 * configuration's; buf holds CAL_INSTANT_LEN bytes. Returns buf, or the input itself when it
 * does not parse.
 */
const char *cli_local_time(const char *rfc3339, char *buf);

/* What an error reply says, for a person: its message, or its parameters. Owned. */
char *cli_error_detail(const char *error, json_t *params);

/*
 * The options every command takes besides its own, as getopt_long entries: --json, --lang
 * and --help (values 'j', 'L', 'h'). A command lists them after its own options.
 */
/* clang-format off */
#define CLI_COMMON_OPTIONS                                                                         \
	{ "json", no_argument, NULL, 'j' },                                                        \
	{ "lang", required_argument, NULL, 'L' },                                                  \
	{ "help", no_argument, NULL, 'h' }
/* clang-format on */

/*
 * Handles what getopt_long returned (c) when it is none of the command's own options: the
 * common ones above, or else an option it refused (reported with cli_bad_option). Returns
 * 1 to go on, 0 when help was shown, or -1 on a usage error (message printed).
 */
int cli_common_option(struct cli *cli, const struct cli_command *cmd, int c, char **argv);

/*
 * Parses a command's own options when they are only --json and --help, and allows at most
 * max_args arguments (optind is left at the first). Returns 1 to go on, 0 when help was
 * shown, or -1 on a usage error (message printed).
 */
int cli_simple_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		       int max_args);
/* After getopt: 1 when at most max_args arguments are left, else -1 with "unexpected
 * argument" said. */
int cli_extra_args(const struct cli_command *cmd, int argc, char **argv, int max_args);

/* "Usage: fristvakt NAME ARGS" and the command's help. */
void cli_command_usage(FILE *f, const struct cli_command *cmd);

/*
 * Reports the option getopt_long refused (c is ':' for a missing value, else '?') and
 * points at --help.
 */
void cli_bad_option(const struct cli_command *cmd, int c, char **argv);

/* The daemon's largest page of a listing. */
#define CLI_PAGE_MAX 1000

/* Display width of UTF-8 text: its code points (every Norwegian letter is one column). */
size_t cli_text_width(const char *s);

/* Writes s (borrowed) and blanks up to width columns. */
void cli_put_padded(FILE *f, const char *s, size_t width);

/* A table for people: rows of cells, columns as wide as their widest cell. */
struct cli_table {
	size_t cols;
	size_t rows;
	size_t cap;
	char **cell; /* rows * cols, owned */
};

void cli_table_init(struct cli_table *t, size_t cols);
/* Copies a row of t->cols cells (borrowed; NULL is shown as "-"). */
void cli_table_add(struct cli_table *t, const char *const *row);
/* Prints every row, each after indent; empty cells at a row's end leave no blanks. */
void cli_table_print(const struct cli_table *t, const char *indent, FILE *f);
void cli_table_deinit(struct cli_table *t);

/*
 * Calls a listing method with params (borrowed; "after" is set on it), following "next"
 * through every page when all is set. *out gets the first reply (owned) with the rows of
 * every page appended to its array member and the last page's "next". Returns an exit
 * status as cli_call.
 */
int cli_list_pages(struct cli *cli, const char *method, json_t *params, const char *member,
		   bool all, json_t **out);

/* With --all and no --limit in params (borrowed), pages are as large as the daemon allows. */
void cli_page_size_for_all(json_t *params, bool all);

/* Without --all, says on stderr that reply r (borrowed) has more "what" on further pages. */
void cli_more_hint(const struct cli *cli, json_t *r, bool all, const struct cli_text *what);

#endif
