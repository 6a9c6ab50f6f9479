/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_status: the daemon's own commands of the fristvakt CLI: status (also a monitoring
 * check) and reload.
 */
#ifndef FV_CLI_STATUS_H
#define FV_CLI_STATUS_H

#include "cli/cli.h"

extern const struct cli_command cli_status_cmd_status;
extern const struct cli_command cli_status_cmd_reload;

#endif
