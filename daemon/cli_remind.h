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
extern const struct cli_command cli_remind_cmd_channels;
extern const struct cli_command cli_remind_cmd_channel;

/* One row of a channel table (a Channel of ListChannels or Status), and its header. */
void cli_remind_print_channel_header(void);
void cli_remind_print_channel(json_t *ch);

#endif
