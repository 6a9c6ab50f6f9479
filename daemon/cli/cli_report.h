/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_report: `fristvakt report`, the compliance report (GetReport) as a table, CSV, JSON
 * or one self-contained HTML page.
 */
#ifndef FV_CLI_REPORT_H
#define FV_CLI_REPORT_H

#include "cli/cli.h"

extern const struct cli_command cli_report_cmd_report;

#endif
