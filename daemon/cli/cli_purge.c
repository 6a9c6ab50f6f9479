// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_purge: `fristvakt purge` (see cli_purge.h): the daemon's Purge, for people (what a
 * dry run would purge, as a table, and the counts) and for scripts (--json).
 */
#include "cli/cli_purge.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/util.h"

static const struct cli_text purge_words[] = {
	{ "retention.closed_after er ikke satt: ingenting slettes",
	  "retention.closed_after is not set: nothing is purged" },
	{ "Saker avsluttet eller trukket, siste hendelse",
	  "Cases closed or withdrawn, latest event" },
	{ "eller før", "or before" },
	{ "ville blitt slettet", "would be purged" },
	{ "slettet", "purged" },
	{ "og flere", "and more" },
	{ "Skriveloggen (WAL) har fortsatt det som ble slettet: en leser holder et eldre "
	  "øyeblikksbilde. Tjenesten prøver igjen hvert minutt.",
	  "The write-ahead log still holds what was purged: a reader holds an older snapshot. "
	  "The daemon tries again every minute." },
};

static const struct cli_text count_words[] = {
	{ "saker", "cases" },
	{ "hendelser", "events" },
	{ "frister", "deadlines" },
	{ "påminnelser", "reminders" },
	{ "leveringsforsøk", "delivery attempts" },
	{ "kontakter", "contacts" },
	{ "revisjonsrader som mister saksreferansen", "audit rows that lose the case reference" },
	{ "oversikter og varsler", "digests and notices" },
};

static const char *const count_keys[] = { "cases",    "events",	  "deadlines",	      "reminders",
					  "attempts", "contacts", "audit_references", "notices" };

static const struct cli_text head[] = {
	{ "SAK", "CASE" },
	{ "STATUS", "STATE" },
	{ "AVSLUTTET", "CLOSED" },
};

static void
print_cases(const struct cli *cli, json_t *r)
{
	json_t *cases = json_object_get(r, "cases"), *c;
	const char *row[3];
	struct cli_table tb;
	size_t i;

	if (json_array_size(cases) == 0)
		return;
	cli_table_init(&tb, 3);
	for (size_t k = 0; k < 3; k++)
		row[k] = cli_tr(cli, &head[k]);
	cli_table_add(&tb, row);
	json_array_foreach(cases, i, c)
	{
		row[0] = json_string_value(json_object_get(c, "reference"));
		row[1] = json_string_value(json_object_get(c, "state"));
		row[2] = json_string_value(json_object_get(c, "closed"));
		cli_table_add(&tb, row);
	}
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	if (json_integer_value(json_object_get(r, "more_cases")))
		printf("  ... %s %lld\n", cli_tr(cli, &purge_words[5]),
		       (long long)json_integer_value(json_object_get(r, "more_cases")));
}

static void
print_result(const struct cli *cli, json_t *r)
{
	bool dry = json_is_true(json_object_get(r, "dry_run"));
	json_t *counts = json_object_get(r, "counts");

	if (json_is_null(json_object_get(r, "closed_after"))) {
		printf("%s\n", cli_tr(cli, &purge_words[0]));
		return;
	}
	printf("retention.closed_after = %s. %s %s %s:\n",
	       json_string_value(json_object_get(r, "closed_after")), cli_tr(cli, &purge_words[1]),
	       json_string_value(json_object_get(r, "cutoff")), cli_tr(cli, &purge_words[2]));
	if (dry)
		print_cases(cli, r);
	printf("%s:\n", cli_tr(cli, &purge_words[dry ? 3 : 4]));
	for (size_t k = 0; k < FV_ARRAY_SIZE(count_keys); k++)
		printf("  %8lld %s\n",
		       (long long)json_integer_value(json_object_get(counts, count_keys[k])),
		       cli_tr(cli, &count_words[k]));
	if (!dry && !json_is_true(json_object_get(r, "wal_truncated")))
		printf("%s\n", cli_tr(cli, &purge_words[6]));
}

static int
cmd_purge(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	bool dry = false;
	json_t *r;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'n') {
			dry = true;
			continue;
		}
		ret = cli_common_option(cli, cmd, c, argv);
		if (ret <= 0)
			return ret < 0 ? CLI_EXIT_USAGE : 0;
	}
	if (cli_extra_args(cmd, argc, argv, 0) < 0)
		return CLI_EXIT_USAGE;
	ret = cli_call(cli, "no.fristvakt.Purge", json_pack("{sb}", "dry_run", dry), &r);
	if (ret != 0)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		print_result(cli, r);
	json_decref(r);
	return 0;
}

const struct cli_command cli_purge_cmd_purge = {
	.name = "purge",
	.args = "[--dry-run] [--json]",
	.brief = "purge closed cases older than retention.closed_after",
	.help = "Purge now what the daemon's daily run (03:00) purges: the cases closed or\n"
		"withdrawn whose latest event is older than retention.closed_after, with their\n"
		"events, deadlines, reminders, delivery attempts and contact. A case with an\n"
		"open duty of the office, a deadline of the party still running or a reminder\n"
		"waiting stays. The audit log keeps its rows without the case's reference. Prints\n"
		"how many of each were purged; the purge is audited with those counts. Needs the\n"
		"admin role. Without retention.closed_after nothing is purged.\n"
		"\n"
		"  --dry-run           list the cases that would be purged now (reference,\n"
		"                      state, the day it was closed) and the counts, changing\n"
		"                      nothing\n"
		"  --json              print the daemon's reply as JSON\n",
	.run = cmd_purge,
};
