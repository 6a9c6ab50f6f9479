/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_maint: the maintenance commands of the fristvakt CLI: backup and check.
 */
#ifndef FV_CLI_MAINT_H
#define FV_CLI_MAINT_H

#include "cli/cli.h"

extern const struct cli_command cli_maint_cmd_backup;
extern const struct cli_command cli_maint_cmd_check;

#endif
