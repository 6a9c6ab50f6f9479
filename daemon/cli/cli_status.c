// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_status: `fristvakt status` (the daemon's state for people, JSON for scripts, and
 * --check, a health check for monitoring) and `fristvakt reload`.
 */
#include "cli/cli_status.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_remind.h"
#include "core/cal.h"
#include "core/util.h"

static void
format_duration(int64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh %lldm", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
}

/* Outbox lag above which status --check warns, unless --max-lag says otherwise. */
#define CHECK_MAX_LAG_DEFAULT 900

/*
 * status --check: one line per problem, the worst first, and the exit status of a
 * Nagios/Icinga plugin: 0 ok, 1 warning, 2 critical, 3 unknown (a usage error, or an
 * answer that is no status, such as a refusal for want of a role).
 */
#define CHECK_UNKNOWN 3

/* The problems found, the critical ones and the warnings, each a line. */
struct check_report {
	char crit[4096];
	char warn[4096];
	size_t nc;
	size_t nw;
};

static void check_add(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Appends a line to buf (size bytes, *n used); what does not fit is cut off. */
static void
check_add(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*n += (size_t)vsnprintf(buf + *n, *n < size ? size - *n : 0, fmt, ap);
	va_end(ap);
}

/* A disabled channel is critical, a failing one a warning. */
static void
check_channels(json_t *r, struct check_report *rep)
{
	char t[CAL_INSTANT_LEN];
	json_t *ch;
	size_t i;

	json_array_foreach(json_object_get(r, "channels"), i, ch)
	{
		const char *state = json_string_value(json_object_get(ch, "state"));
		const char *since = json_string_value(json_object_get(ch, "since"));
		const char *reason = json_string_value(json_object_get(ch, "reason"));
		const char *name = json_string_value(json_object_get(ch, "name"));

		if (strcmp(state, "disabled") == 0)
			check_add(rep->crit, sizeof(rep->crit), &rep->nc,
				  "CRITICAL: channel %s disabled since %s (%s); %lld reminders "
				  "held; 'fristvakt channel enable %s' when the receiver is back\n",
				  name, since ? cli_local_time(since, t) : "?",
				  reason ? reason : "",
				  (long long)json_integer_value(json_object_get(ch, "held")), name);
		else if (strcmp(state, "failing") == 0)
			check_add(rep->warn, sizeof(rep->warn), &rep->nw,
				  "WARNING: channel %s failing since %s: %s\n", name,
				  since ? cli_local_time(since, t) : "?", reason ? reason : "");
	}
}

static int
status_check(json_t *r, int64_t max_lag)
{
	struct check_report rep = { .nc = 0 };
	json_t *rem = json_object_get(r, "reminders");
	json_int_t dead = json_integer_value(json_object_get(rem, "dead"));
	json_int_t lag = json_integer_value(json_object_get(r, "outbox_lag_seconds"));
	const char *integrity = json_string_value(json_object_get(r, "integrity"));

	check_channels(r, &rep);
	if (integrity && strcmp(integrity, "ok") != 0 && strcmp(integrity, "checking") != 0 &&
	    strcmp(integrity, "not checked") != 0)
		check_add(rep.crit, sizeof(rep.crit), &rep.nc, "CRITICAL: database integrity %s\n",
			  integrity);
	if (dead > 0)
		check_add(rep.warn, sizeof(rep.warn), &rep.nw,
			  "WARNING: %lld dead reminders ('fristvakt reminders list "
			  "--state dead')\n",
			  (long long)dead);
	if (lag > max_lag)
		check_add(rep.warn, sizeof(rep.warn), &rep.nw,
			  "WARNING: outbox lag %llds (over %llds)\n", (long long)lag,
			  (long long)max_lag);
	fputs(rep.crit, stdout);
	fputs(rep.warn, stdout);
	if (rep.nc)
		return 2;
	if (rep.nw)
		return 1;
	printf("OK: fristvaktd %s, %lld reminders pending, outbox lag %llds\n",
	       json_string_value(json_object_get(r, "version")),
	       (long long)json_integer_value(json_object_get(rem, "pending")), (long long)lag);
	return 0;
}

/*
 * The options of status. Returns 1 to go on, 0 when help was shown, -1 on a usage error
 * (message printed).
 */
static int
status_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, bool *check,
	       int64_t *max_lag)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "max-lag", required_argument, NULL, 'l' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	/* Options may also follow one another in any order ("status --json --check"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'c') {
			*check = true;
		} else if (c == 'l') {
			if (fv_parse_i64(optarg, 0, 366LL * 86400, max_lag) < 0) {
				fprintf(stderr,
					"fristvakt %s: --max-lag must be seconds (0-31622400)\n",
					cmd->name);
				return -1;
			}
		} else if ((ret = cli_common_option(cli, cmd, c, argv)) <= 0) {
			return ret;
		}
	}
	return cli_extra_args(cmd, argc, argv, 0);
}

static void print_status(json_t *r);

static int
cmd_status(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r;
	bool check = false;
	int64_t max_lag = CHECK_MAX_LAG_DEFAULT;
	int ret, usage = CLI_EXIT_USAGE;

	/* A monitoring check reports a usage error as UNKNOWN, whatever the option order. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			usage = CHECK_UNKNOWN;
	}
	ret = status_options(cli, cmd, argc, argv, &check, &max_lag);
	if (ret <= 0)
		return ret < 0 ? usage : 0;
	if (check)
		cli->json = false;
	if ((ret = cli_call(cli, "no.fristvakt.Status", NULL, &r)) != 0) {
		if (!check)
			return ret;
		/* The daemon's error or the failure to reach it is on stderr already. */
		if (ret == CLI_EXIT_ERROR) {
			printf("UNKNOWN: fristvaktd answered with an error, not its status\n");
			return CHECK_UNKNOWN;
		}
		printf("CRITICAL: no answer from fristvaktd\n");
		return 2;
	}
	if (check) {
		ret = status_check(r, max_lag);
		json_decref(r);
		return ret;
	}
	if (cli->json)
		cli_print_json(r);
	else
		print_status(r);
	json_decref(r);
	return 0;
}

/* Status for people: the daemon, what it stores, the reminders and the channels. */
static void
print_status(json_t *r)
{
	json_t *counts, *rem;
	char up[64], t1[CAL_INSTANT_LEN], t2[CAL_INSTANT_LEN];

	counts = json_object_get(r, "counts");
	rem = json_object_get(r, "reminders");
	format_duration(json_integer_value(json_object_get(r, "uptime_seconds")), up, sizeof(up));
	printf("fristvaktd %s, up %s (since %s)\n",
	       json_string_value(json_object_get(r, "version")), up,
	       cli_local_time(json_string_value(json_object_get(r, "started")), t1));
	printf("  database     %s (schema version %lld, integrity check: %s)\n",
	       json_string_value(json_object_get(r, "database")),
	       (long long)json_integer_value(json_object_get(r, "schema_version")),
	       json_string_value(json_object_get(r, "integrity")));
	printf("  installation %s\n", json_string_value(json_object_get(r, "installation")));
	printf("  config       %s (loaded %s)\n",
	       json_string_value(json_object_get(r, "config_file")),
	       cli_local_time(json_string_value(json_object_get(r, "config_loaded")), t2));
	printf("  time zone    %s\n", json_string_value(json_object_get(r, "timezone")));
	printf("  stored       %lld cases, %lld events, %lld deadlines, %lld audit records\n",
	       (long long)json_integer_value(json_object_get(counts, "cases")),
	       (long long)json_integer_value(json_object_get(counts, "events")),
	       (long long)json_integer_value(json_object_get(counts, "deadlines")),
	       (long long)json_integer_value(json_object_get(counts, "audit")));
	printf("  reminders    %lld pending, %lld failed, %lld sent, %lld dead, %lld cancelled, "
	       "%lld held\n",
	       (long long)json_integer_value(json_object_get(rem, "pending")),
	       (long long)json_integer_value(json_object_get(rem, "failed")),
	       (long long)json_integer_value(json_object_get(rem, "sent")),
	       (long long)json_integer_value(json_object_get(rem, "dead")),
	       (long long)json_integer_value(json_object_get(rem, "cancelled")),
	       (long long)json_integer_value(json_object_get(rem, "held")));
	printf("               %lld sent with the built-in text, %lld notices to the log; "
	       "outbox lag %llds\n",
	       (long long)json_integer_value(json_object_get(rem, "template_fallbacks")),
	       (long long)json_integer_value(json_object_get(rem, "notices_to_log")),
	       (long long)json_integer_value(json_object_get(r, "outbox_lag_seconds")));
	printf("  connections  %lld\n",
	       (long long)json_integer_value(json_object_get(r, "connections")));
	printf("  your role    %s\n", json_string_value(json_object_get(r, "role")));
	if (json_integer_value(json_object_get(r, "clock_offset")))
		printf("  test clock   %+lld s\n",
		       (long long)json_integer_value(json_object_get(r, "clock_offset")));
	printf("\n");
	cli_remind_print_channels(json_object_get(r, "channels"), "");
}

static int
cmd_reload(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	char t[CAL_INSTANT_LEN];
	json_t *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	if ((ret = cli_call(cli, "no.fristvakt.Reload", NULL, &r)) != 0)
		return ret;
	static const struct cli_text reloaded[2] = { { "lastet", "reloaded" }, { "kl.", "at" } };
	static const struct cli_text moved[3] = {
		{ "reminders.channel er nå", "reminders.channel is now" },
		{ "var", "was" },
		{ "påminnelser som ikke var sendt, følger den",
		  "reminders not yet sent moved to it" },
	};

	if (cli->json) {
		cli_print_json(r);
	} else {
		json_t *rc = json_object_get(r, "reminders_channel");

		printf("%s %s %s %s\n", cli_tr(cli, &reloaded[0]),
		       json_string_value(json_object_get(r, "config_file")),
		       cli_tr(cli, &reloaded[1]),
		       cli_local_time(json_string_value(json_object_get(r, "config_loaded")), t));
		if (strcmp(json_string_value(json_object_get(rc, "from")),
			   json_string_value(json_object_get(rc, "to"))) != 0)
			printf("%s %s (%s %s): %lld %s\n", cli_tr(cli, &moved[0]),
			       json_string_value(json_object_get(rc, "to")), cli_tr(cli, &moved[1]),
			       json_string_value(json_object_get(rc, "from")),
			       (long long)json_integer_value(json_object_get(rc, "moved")),
			       cli_tr(cli, &moved[2]));
	}
	json_decref(r);
	return 0;
}

const struct cli_command cli_status_cmd_status = {
	.name = "status",
	.args = "[--json] [--check [--max-lag SECONDS]]",
	.brief = "show the daemon's state",
	.help = "Show the daemon's state: version, uptime, database and schema version, the\n"
		"installation id, what is stored, the reminders by state, the configuration\n"
		"file and when it was loaded, and each channel's health. Needs the read role.\n"
		"\n"
		"--check: a health check for monitoring (the Nagios/Icinga plugin convention):\n"
		"one line per problem, the worst first, and exit status 0 (OK), 1 (WARNING: a\n"
		"failing channel, dead reminders, the outbox lag over --max-lag seconds, default\n"
		"900), 2 (CRITICAL: a channel disabled by 410, database damage, no answer from\n"
		"the daemon) or 3 (UNKNOWN: a usage error, or an error instead of the status).\n",
	.run = cmd_status,
};

const struct cli_command cli_status_cmd_reload = {
	.name = "reload",
	.args = "[--json]",
	.brief = "make the daemon re-read its configuration",
	.help = "Make the daemon re-read its configuration; returns when the new one is in force.\n"
		"If the file is invalid the daemon keeps the old one and this prints where the\n"
		"file is wrong (exit status 1). Needs the admin role.\n",
	.run = cmd_reload,
};
