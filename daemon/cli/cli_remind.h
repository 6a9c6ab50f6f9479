/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_remind: the reminder, template and test-clock commands of the fristvakt CLI.
 */
#ifndef FV_CLI_REMIND_H
#define FV_CLI_REMIND_H

#include "cli/cli.h"

extern const struct cli_command cli_remind_cmd_reminders;
extern const struct cli_command cli_remind_cmd_template;
extern const struct cli_command cli_remind_cmd_clock;
extern const struct cli_command cli_remind_cmd_channels;
extern const struct cli_command cli_remind_cmd_channel;

/* The channel table (the Channels of ListChannels or Status), columns as wide as their
 * widest cell, each line after indent (borrowed). */
void cli_remind_print_channels(json_t *channels, const char *indent);

#endif
