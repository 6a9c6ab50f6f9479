/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_case: the case register's commands of the fristvakt CLI, rows of the command table
 * (cli_verbs.c); they live in cli_event.c, cli_show.c, cli_list.c, cli_import.c and
 * cli_export.c. Groups, whose second word selects the sub-command:
 *
 *   case add|show|list|close|withdraw, reply add, documentation request|receive,
 *   decision add, reasons request|give, complaint add|forward|decide
 *
 * and single commands: extend, override, deadlines, audit, import, export. Every event
 * command sends one event method and prints the event's id and the case's open deadlines
 * (with --json the whole reply); option values go to the daemon as given, which
 * validates them, while what only the CLI knows (required options, numbers, files) is
 * checked here. Each entry's help text documents its options.
 */
#ifndef FV_CLI_CASE_H
#define FV_CLI_CASE_H

#include "cli/cli.h"

/* Groups. */
extern const struct cli_command cli_case_cmd_case;
extern const struct cli_command cli_case_cmd_reply;
extern const struct cli_command cli_case_cmd_documentation;
extern const struct cli_command cli_case_cmd_decision;
extern const struct cli_command cli_case_cmd_reasons;
extern const struct cli_command cli_case_cmd_complaint;

/* Single commands. */
extern const struct cli_command cli_case_cmd_extend;
extern const struct cli_command cli_case_cmd_override;
extern const struct cli_command cli_case_cmd_deadlines;
extern const struct cli_command cli_case_cmd_audit;
extern const struct cli_command cli_case_cmd_import;
extern const struct cli_command cli_case_cmd_export;

#endif
