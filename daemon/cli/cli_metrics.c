// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_metrics: `fristvakt metrics` (see cli_metrics.h): prints what GetMetrics answers,
 * the text the daemon's HTTP listener serves at /metrics (one renderer, ops/metrics.c).
 */
#include "cli/cli_metrics.h"

#include <stdio.h>

static int
cmd_metrics(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	if ((ret = cli_call(cli, "no.fristvakt.GetMetrics", NULL, &r)) != 0)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		fputs(json_string_value(json_object_get(r, "text")), stdout);
	json_decref(r);
	return 0;
}

const struct cli_command cli_metrics_cmd_metrics = {
	.name = "metrics",
	.args = "[--json]",
	.brief = "print the daemon's metrics (Prometheus text format)",
	.help = "Print the daemon's metrics in the Prometheus text exposition format 0.0.4,\n"
		"the text its HTTP listener (metrics.listen) serves at /metrics: cases by\n"
		"state, deadlines by kind and state, the office's overdue duties, the outbox by\n"
		"channel and state, delivery attempts and failures, latencies, group-commit\n"
		"sizes, the database's size and integrity check, reloads and the build. For\n"
		"promtool, or a node exporter's textfile collector. --json: the text in a JSON\n"
		"object. Needs the read role.\n",
	.run = cmd_metrics,
};
