/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_metrics: `fristvakt metrics`, the daemon's metrics in the Prometheus text format.
 */
#ifndef FV_CLI_METRICS_H
#define FV_CLI_METRICS_H

#include "cli/cli.h"

extern const struct cli_command cli_metrics_cmd_metrics;

#endif
