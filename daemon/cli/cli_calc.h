/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_calc: the calculator commands of the fristvakt CLI, usable without a daemon.
 *
 *   fristvakt deadline --from DATE --period 3w|4w|14d|1m [--calendar NAME] [--json]
 *   fristvakt holidays YEAR [--json]
 *
 * Each takes the command's own argv (argv[0] is the command name), parses it with
 * getopt_long, prints to stdout and returns the exit status: 0 success (also for --help),
 * 2 bad input (a one-line message naming the bad value goes to stderr), 1 when the
 * configuration needed for --calendar cannot be loaded.
 */
#ifndef FV_CLI_CALC_H
#define FV_CLI_CALC_H

#include "cli/cli.h"

/*
 * config_path (borrowed) must load when --calendar is given; otherwise it is read, when it
 * is readable, only for the citation of the counting rules.
 */
int cli_calc_deadline(int argc, char **argv, const char *config_path);
int cli_calc_holidays(int argc, char **argv);

/*
 * The two as rows of the command table: they pass the run's --lang and --json on to the
 * functions above, which parse the rest.
 */
extern const struct cli_command cli_calc_cmd_deadline;
extern const struct cli_command cli_calc_cmd_holidays;

#endif
