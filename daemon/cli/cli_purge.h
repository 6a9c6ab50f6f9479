/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_purge: `fristvakt purge [--dry-run]`, the retention purge (retention.closed_after).
 */
#ifndef FV_CLI_PURGE_H
#define FV_CLI_PURGE_H

#include "cli/cli.h"

extern const struct cli_command cli_purge_cmd_purge;

#endif
