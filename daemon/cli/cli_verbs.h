/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_verbs: the CLI's one table of commands. Every command and group is a row (struct
 * cli_command: its words, synopsis, help, run callback and a group's sub-commands); the
 * dispatch of a command line, `fristvakt --help`, `fristvakt help ...`, each command's
 * --help and the bash completion (cli_complete.c) all read this table and nothing else, so
 * a new command is one row here and its entry beside its run callback.
 */
#ifndef FV_CLI_VERBS_H
#define FV_CLI_VERBS_H

#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"

/* The rows of the table in the order --help lists them, hidden ones too; *count gets their
 * number. Borrowed, static. */
const struct cli_command *const *cli_command_table(size_t *count);

/* The command or group of the table named name ("case"), or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* The sub-command of group whose last word is word ("add" of "case"), or NULL. */
const struct cli_command *cli_command_sub(const struct cli_command *group, const char *word);

/* The last word of a command's name (borrowed): what selects it within its group. */
const char *cli_command_word(const struct cli_command *cmd);

/*
 * A command's help text as it is printed (owned): the words that stand for a list of the
 * vocabulary's kinds filled in, each line that holds one broken again within 80
 * columns. "{kinds}": every kind, "a, b or c"; "{office_kinds}" and "{party_kinds}": the
 * office's duties and the party's deadlines, "a, b and c". So a help text that lists the
 * kinds names a new kind without being edited.
 */
char *cli_help_text(const char *help);

/* The CLI's general usage, as `fristvakt --help` prints it. */
void cli_usage(FILE *f);

/*
 * Runs the command line argv (argv[0] the command's word; a group's sub-command follows it)
 * by the table. Returns the exit status: the command's own, or CLI_EXIT_USAGE for an
 * unknown or missing command word (message printed); 0 when a group's help was asked for.
 */
int cli_verbs_run(struct cli *cli, int argc, char **argv);

#endif
