/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_remind: the reminder, template and test-clock commands of the fristvakt CLI.
 */
#ifndef FV_CLI_REMIND_H
#define FV_CLI_REMIND_H

#include "cli.h"

extern const struct cli_command cli_remind_cmd_reminders;
extern const struct cli_command cli_remind_cmd_template;
extern const struct cli_command cli_remind_cmd_clock;

#endif
