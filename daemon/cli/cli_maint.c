// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_maint: `fristvakt backup FILE` and `fristvakt check` (see cli_maint.h). The daemon does
 * the work (no.fristvakt.Backup, no.fristvakt.Check); the CLI makes a relative FILE absolute
 * against its own working directory, since the daemon's is another.
 */
#include "cli/cli_maint.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/util.h"

/* A size in bytes for people: "812 KiB", "3.4 GiB". */
static void
format_size(double n, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (n >= 1024 && u + 1 < FV_ARRAY_SIZE(units)) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", n, units[u]);
}

static int
cmd_backup(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct cli_text t[4] = {
		{ "sikkerhetskopi skrevet til", "backup written to" },
		{ "skjemaversjon", "schema version" },
		{ "alt som var lagret før", "everything committed before" },
		{ "tok", "took" },
	};
	char when[CAL_INSTANT_LEN], size[32];
	json_t *r;
	char *file;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	if (optind >= argc || !argv[optind][0]) {
		fprintf(stderr, "fristvakt backup: FILE is missing\n");
		cli_command_usage(stderr, cmd);
		return CLI_EXIT_USAGE;
	}
	file = fv_abspath(argv[optind]);
	ret = cli_call(cli, "no.fristvakt.Backup", json_pack("{ss}", "file", file), &r);
	free(file);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		format_size((double)json_integer_value(json_object_get(r, "size")), size,
			    sizeof(size));
		printf("%s %s: %s, %s %lld\n%s %s (%s %.1f s)\n", cli_tr(cli, &t[0]),
		       json_string_value(json_object_get(r, "file")), size, cli_tr(cli, &t[1]),
		       (long long)json_integer_value(json_object_get(r, "schema_version")),
		       cli_tr(cli, &t[2]),
		       cli_local_time(json_string_value(json_object_get(r, "snapshot")), when),
		       cli_tr(cli, &t[3]), json_real_value(json_object_get(r, "seconds")));
	}
	json_decref(r);
	return 0;
}

const struct cli_command cli_maint_cmd_backup = {
	.name = "backup",
	.args = "FILE [--json]",
	.brief = "write a consistent copy of the database",
	.help = "Make the daemon write a consistent copy of its database to FILE while it goes on\n"
		"serving: everything committed before the request is in it. The copy is written\n"
		"beside FILE under a temporary name (mode 0600), synced to disk and renamed, so\n"
		"FILE is either the whole backup or untouched; a file of that name is replaced.\n"
		"Returns when the copy is durable. A relative FILE is taken from the current\n"
		"directory. The daemon writes it as its own user: under systemd only\n"
		"/var/backups/fristvakt is writable for it. Refused: a FILE that is not a regular\n"
		"file (the socket, a directory, a symbolic link), or one in the database's or the\n"
		"socket's directory. Restore with fristvaktd --restore FILE (see fristvaktd(8)).\n"
		"Needs the admin role; audited.\n",
	.run = cmd_backup,
};

/* fristvakt check's exit status when nothing failed but a check was not run. */
#define CHECK_EXIT_SKIPPED 3

/* Prints one check's line and its details; returns whether it passed. */
static bool
print_check(const struct cli *cli, const json_t *c)
{
	static const struct cli_text t[3] = { { "ok", "ok" },
					      { "FEIL", "FAIL" },
					      { "IKKE SJEKKET", "SKIPPED" } };
	bool ok = json_is_true(json_object_get(c, "ok")),
	     skipped = json_is_true(json_object_get(c, "skipped"));
	json_int_t n = json_integer_value(json_object_get(c, "count"));
	json_t *details = json_object_get(c, "details"), *d;
	size_t i;

	printf("%-5s %s",
	       cli_tr(cli, &t[ok	? 0
			      : skipped ? 2
					: 1]),
	       json_string_value(json_object_get(c, "name")));
	if (!ok && !skipped)
		printf(" (%lld)", (long long)n);
	putchar('\n');
	json_array_foreach(details, i, d)
	{
		printf("      %s\n", json_string_value(d));
	}
	if (!ok && !skipped && n > (json_int_t)json_array_size(details))
		printf("      ... (%lld)\n", (long long)n);
	return ok;
}

static int
cmd_check(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct cli_text t[3] = {
		{ "alt i orden", "everything is fine" },
		{ "problemer funnet", "problems found" },
		{ "ingen problemer funnet, men ikke alt ble sjekket",
		  "no problems found, but not everything was checked" },
	};
	json_t *r, *c;
	bool ok;
	int verdict, failed = 0;
	size_t i;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	if ((ret = cli_call(cli, "no.fristvakt.Check", NULL, &r)) != 0)
		return ret;
	ok = json_is_true(json_object_get(r, "ok"));
	json_array_foreach(json_object_get(r, "checks"), i, c)
	{
		failed += !json_is_true(json_object_get(c, "ok")) &&
			  !json_is_true(json_object_get(c, "skipped"));
	}
	verdict = ok ? 0 : failed ? 1 : 2;
	if (cli->json) {
		cli_print_json(r);
	} else {
		json_array_foreach(json_object_get(r, "checks"), i, c)
		{
			print_check(cli, c);
		}
		printf("%s: %s (%.1f s)\n", json_string_value(json_object_get(r, "database")),
		       cli_tr(cli, &t[verdict]), json_real_value(json_object_get(r, "seconds")));
	}
	json_decref(r);
	return verdict == 0 ? CLI_EXIT_OK : verdict == 1 ? CLI_EXIT_ERROR : CHECK_EXIT_SKIPPED;
}

const struct cli_command cli_maint_cmd_check = {
	.name = "check",
	.args = "[--json]",
	.brief = "check the database and the planned reminders",
	.help = "Make the daemon check its database, in one snapshot and off its event loop:\n"
		"SQLite's integrity and foreign-key checks, the counts that status shows against\n"
		"the rows, that every case has its events, and that every office duty still\n"
		"awaited whose reminder policy has a stage to come has that next reminder in the\n"
		"outbox. Prints each check (ok or FAIL, with the first problems, never what a case\n"
		"holds; SKIPPED for one that was not run, as the outbox's while the deadlines are\n"
		"recomputed). Exit status 0 when every check passed, 1 when one failed (or the\n"
		"daemon answered an error), 2 on a usage error or no connection, 3 when none failed\n"
		"but one was skipped (check again later). Needs the admin role; audited.\n",
	.run = cmd_check,
};
