// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_remind: the CLI's reminder commands — list and inspect the outbox, retry a failed
 * reminder, preview a template for a case — and the test clock (only served by a daemon
 * whose configuration enables testing.clock_control).
 */
#include "cli_remind.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"
#include "util.h"

/* A string member, or dflt when absent or null. */
static const char *
str_or(json_t *o, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : dflt;
}

/* Parses a positive id argument; prints and returns false when it is not one. */
static bool
parse_id(const struct cli_command *cmd, const char *s, json_int_t *out)
{
	int64_t v;

	if (fv_parse_i64(s, 1, INT64_MAX, &v) < 0) {
		fprintf(stderr, "fristvakt %s: '%s' is not a reminder id\n", cmd->name, s);
		return false;
	}
	*out = v;
	return true;
}

static void
print_reminder_row(json_t *r)
{
	char t[CAL_INSTANT_LEN];
	const char *ref = json_string_value(json_object_get(r, "reference"));
	const char *state = json_string_value(json_object_get(r, "state"));

	/* Waiting on a disabled channel: shown as held. */
	if (json_is_true(json_object_get(r, "held")))
		state = "held";
	printf("%6lld  %-9s %-16s %-18s %-12s %-10s %s\n",
	       (long long)json_integer_value(json_object_get(r, "id")), state,
	       cli_local_time(json_string_value(json_object_get(
				      r, strcmp(state, "sent") == 0 ? "sent_at" : "next_attempt")),
			      t),
	       ref ? ref : str_or(r, "recipient", "-"),
	       json_string_value(json_object_get(r, "kind")),
	       json_string_value(json_object_get(r, "stage")),
	       json_string_value(json_object_get(r, "channel")));
}

static int
run_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *params = json_object(), *r, *row;
	int64_t limit;
	size_t i;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			json_object_set_new(params, "state", json_string(optarg));
			break;
		case 'r':
			json_object_set_new(params, "reference", json_string(optarg));
			break;
		case 'c':
			json_object_set_new(params, "channel", json_string(optarg));
			break;
		case 'l':
			if (fv_parse_i64(optarg, 1, 1000, &limit) < 0) {
				fprintf(stderr, "fristvakt %s: --limit must be 1-1000\n",
					cmd->name);
				json_decref(params);
				return CLI_EXIT_USAGE;
			}
			json_object_set_new(params, "limit", json_integer(limit));
			break;
		case 'j':
			cli->json = true;
			break;
		case 'h':
			cli_command_usage(stdout, cmd);
			json_decref(params);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(cmd, c, argv);
			json_decref(params);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fristvakt %s: unexpected argument '%s'\n", cmd->name,
			argv[optind]);
		json_decref(params);
		return CLI_EXIT_USAGE;
	}
	if ((ret = cli_call(cli, "no.fristvakt.ListReminders", params, &r)) != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		printf("%6s  %-9s %-16s %-18s %-12s %-10s %s\n", "ID", "STATE", "WHEN", "CASE",
		       "KIND", "STAGE", "CHANNEL");
		json_array_foreach(json_object_get(r, "reminders"), i, row) print_reminder_row(row);
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_show(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r, *rem, *a;
	json_int_t id;
	char t[CAL_INSTANT_LEN];
	size_t i;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (argc - optind != 1) {
		fprintf(stderr, "fristvakt %s: give one reminder id\n", cmd->name);
		return CLI_EXIT_USAGE;
	}
	if (!parse_id(cmd, argv[optind], &id))
		return CLI_EXIT_USAGE;
	if ((ret = cli_call(cli, "no.fristvakt.GetReminder", json_pack("{sI}", "id", id), &r)) !=
	    CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	rem = json_object_get(r, "reminder");
	printf("reminder %lld: %s\n", (long long)id,
	       json_string_value(json_object_get(rem, "state")));
	printf("  case        %s\n", str_or(rem, "reference", "-"));
	printf("  deadline    %s (subject %lld), due %s\n",
	       json_string_value(json_object_get(rem, "kind")),
	       (long long)json_integer_value(json_object_get(rem, "subject")),
	       str_or(rem, "due", "-"));
	printf("  stage       %s, for %s\n", json_string_value(json_object_get(rem, "stage")),
	       json_string_value(json_object_get(rem, "occurrence")));
	printf("  channel     %s\n", json_string_value(json_object_get(rem, "channel")));
	printf("  planned     %s\n",
	       cli_local_time(json_string_value(json_object_get(rem, "planned")), t));
	printf("  next try    %s\n",
	       cli_local_time(json_string_value(json_object_get(rem, "next_attempt")), t));
	if (json_string_value(json_object_get(rem, "last_error")))
		printf("  last error  %s\n", json_string_value(json_object_get(rem, "last_error")));
	printf("  attempts    %lld\n",
	       (long long)json_integer_value(json_object_get(rem, "attempts")));
	json_array_foreach(json_object_get(r, "attempts"), i, a)
	{
		json_t *code = json_object_get(a, "code");

		printf("    %s  %-8s %-7s %4s  %s%s\n",
		       cli_local_time(json_string_value(json_object_get(a, "at")), t),
		       json_string_value(json_object_get(a, "channel")),
		       json_string_value(json_object_get(a, "outcome")),
		       json_is_integer(code) ? "" : "-", str_or(a, "error", ""),
		       json_is_true(json_object_get(a, "fallback")) ? " (built-in text)" : "");
		if (json_is_integer(code))
			printf("      code %lld\n", (long long)json_integer_value(code));
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_retry(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r;
	json_int_t id;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (argc - optind != 1) {
		fprintf(stderr, "fristvakt %s: give one reminder id\n", cmd->name);
		return CLI_EXIT_USAGE;
	}
	if (!parse_id(cmd, argv[optind], &id))
		return CLI_EXIT_USAGE;
	if ((ret = cli_call(cli, "no.fristvakt.RetryReminder", json_pack("{sI}", "id", id), &r)) !=
	    CLI_EXIT_OK)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		printf("reminder %lld will be sent again now\n", (long long)id);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_render(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = NULL;
	json_t *r;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ref = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'h':
			cli_command_usage(stdout, cmd);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(cmd, c, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || !ref) {
		fprintf(stderr, "fristvakt %s: give KIND STAGE and --case REF\n", cmd->name);
		return CLI_EXIT_USAGE;
	}
	ret = cli_call(cli, "no.fristvakt.RenderTemplate",
		       json_pack("{ss ss ss}", "kind", argv[optind], "stage", argv[optind + 1],
				 "reference", ref),
		       &r);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		printf("Subject: %s\n\n%s", json_string_value(json_object_get(r, "subject")),
		       json_string_value(json_object_get(r, "text")));
		if (json_is_true(json_object_get(r, "fallback")))
			fprintf(stderr,
				"fristvakt: the template failed; this is the built-in text\n");
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_clock(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const char *verb = strrchr(cmd->name, ' ') ? strrchr(cmd->name, ' ') + 1 : cmd->name;
	json_t *params = NULL, *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);
	const char *method;

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (strcmp(verb, "reset") == 0) {
		if (argc != optind) {
			fprintf(stderr, "fristvakt %s: takes no arguments\n", cmd->name);
			return CLI_EXIT_USAGE;
		}
		method = "no.fristvakt.testing.ResetClock";
	} else if (argc - optind != 1) {
		fprintf(stderr, "fristvakt %s: give one %s\n", cmd->name,
			strcmp(verb, "set") == 0 ? "time (RFC 3339)"
						 : "duration such as 3d, 2h, 90s");
		return CLI_EXIT_USAGE;
	} else if (strcmp(verb, "set") == 0) {
		method = "no.fristvakt.testing.SetClock";
		params = json_pack("{ss}", "now", argv[optind]);
	} else {
		const char *s = argv[optind];
		size_t len = strlen(s);
		int64_t n, unit = 1;
		char num[32];

		if (len > 0 && len < sizeof(num)) {
			switch (s[len - 1]) {
			case 'd':
				unit = 86400;
				break;
			case 'h':
				unit = 3600;
				break;
			case 'm':
				unit = 60;
				break;
			case 's':
				unit = 1;
				break;
			default:
				unit = 0;
				break;
			}
		}
		snprintf(num, sizeof(num), "%.*s", (int)(len ? len - (unit ? 1 : 0) : 0), s);
		if (len == 0 || len >= sizeof(num) ||
		    fv_parse_i64(num, -3660, 3660 * 86400, &n) < 0 ||
		    (unit == 0 && fv_parse_i64(s, -316224000, 316224000, &n) < 0)) {
			fprintf(stderr,
				"fristvakt %s: '%s' is not a duration such as 3d, 2h, 90s\n",
				cmd->name, s);
			return CLI_EXIT_USAGE;
		}
		method = "no.fristvakt.testing.AdvanceClock";
		params = json_pack("{sI}", "seconds", (json_int_t)(n * (unit ? unit : 1)));
	}
	if ((ret = cli_call(cli, method, params, &r)) != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		char t[CAL_INSTANT_LEN];

		printf("daemon time %s (offset %lld s)\n",
		       cli_local_time(json_string_value(json_object_get(r, "now")), t),
		       (long long)json_integer_value(json_object_get(r, "offset")));
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

void
cli_remind_print_channel(json_t *ch)
{
	char t1[CAL_INSTANT_LEN], t2[CAL_INSTANT_LEN];
	const char *since = json_string_value(json_object_get(ch, "since"));
	const char *last = json_string_value(json_object_get(ch, "last_success"));
	const char *reason = json_string_value(json_object_get(ch, "reason"));
	const char *state = json_string_value(json_object_get(ch, "state"));

	printf("%-14s %-8s %-9s %-16s %7lld %7lld %5lld %5lld  %-16s %s%s\n",
	       json_string_value(json_object_get(ch, "name")), str_or(ch, "type", "-"), state,
	       since ? cli_local_time(since, t1) : "-",
	       (long long)json_integer_value(json_object_get(ch, "pending")),
	       (long long)json_integer_value(json_object_get(ch, "failed")),
	       (long long)json_integer_value(json_object_get(ch, "dead")),
	       (long long)json_integer_value(json_object_get(ch, "held")),
	       last ? cli_local_time(last, t2) : "-",
	       reason && strcmp(state, "enabled") != 0 ? reason : "",
	       json_is_false(json_object_get(ch, "configured")) ? " (not configured)" : "");
}

void
cli_remind_print_channel_header(void)
{
	printf("%-14s %-8s %-9s %-16s %7s %7s %5s %5s  %-16s %s\n", "CHANNEL", "TYPE", "STATE",
	       "SINCE", "PENDING", "FAILED", "DEAD", "HELD", "LAST SUCCESS", "REASON");
}

static int
run_channels(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r, *ch;
	size_t i;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if ((ret = cli_call(cli, "no.fristvakt.ListChannels", NULL, &r)) != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		cli_remind_print_channel_header();
		json_array_foreach(json_object_get(r, "channels"), i, ch)
			cli_remind_print_channel(ch);
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_channel_enable(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (argc - optind != 1) {
		fprintf(stderr, "fristvakt %s: give the channel's name\n", cmd->name);
		return CLI_EXIT_USAGE;
	}
	ret = cli_call(cli, "no.fristvakt.EnableChannel", json_pack("{ss}", "name", argv[optind]),
		       &r);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		json_t *ch = json_object_get(r, "channel");

		printf(json_is_true(json_object_get(r, "was_disabled"))
			       ? "channel %s enabled; its held reminders go out now\n"
			       : "channel %s was not disabled; nothing changed\n",
		       json_string_value(json_object_get(ch, "name")));
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

const struct cli_command cli_remind_cmd_channels = {
	.name = "channels",
	.args = "[--json]",
	.brief = "the notification channels and their health",
	.help = "Lists every channel: its type; its state (enabled; failing since the first\n"
		"failed attempt after the last success, with the last error; disabled since a\n"
		"receiver answered 410 Gone); how many reminders are pending, failed (waiting for\n"
		"a retry), dead and held (waiting while the channel is disabled); and its last\n"
		"success. Needs the read role.",
	.run = run_channels,
};

static const struct cli_command cmd_channel_enable = {
	.name = "channel enable",
	.args = "NAME [--json]",
	.brief = "enable a channel that a 410 disabled",
	.help = "Enables channel NAME after a receiver disabled it with 410 Gone: its held\n"
		"reminders go out (with the ids they had). Audited. Needs the admin role.",
	.run = run_channel_enable,
};

static const struct cli_command *const channel_subs[] = { &cmd_channel_enable, NULL };

const struct cli_command cli_remind_cmd_channel = {
	.name = "channel",
	.args = "enable NAME",
	.brief = "a channel: enable",
	.help = "",
	.subs = channel_subs,
};

static const struct cli_command cmd_reminders_list = {
	.name = "reminders list",
	.args = "[--state S] [--case REF] [--channel NAME] [--limit N] [--json]",
	.brief = "list reminders (the outbox), newest first",
	.help = "Lists reminders, newest first. --state pending, failed (an attempt failed; it\n"
		"is retried), sent, dead (given up; a notice went to the administrators) or\n"
		"cancelled (its deadline was met or moved, or its stage passed before it could\n"
		"go out). STATE shows 'held' for a pending or failed reminder whose channel a\n"
		"410 disabled. Needs the read role.",
	.run = run_list,
};

static const struct cli_command cmd_reminders_show = {
	.name = "reminders show",
	.args = "ID [--json]",
	.brief = "one reminder with every delivery attempt",
	.help = "Shows a reminder and every attempt to deliver it: when, on which channel, and\n"
		"what the receiver answered. Needs the read role.",
	.run = run_show,
};

static const struct cli_command cmd_reminders_retry = {
	.name = "reminders retry",
	.args = "ID [--json]",
	.brief = "send a failed or dead reminder again now",
	.help = "Sends a failed or dead reminder again now with a fresh retry schedule, and\n"
		"re-enables its channel if a receiver had disabled it (410 Gone). Needs the\n"
		"write role.",
	.run = run_retry,
};

static const struct cli_command *const reminders_subs[] = {
	&cmd_reminders_list,
	&cmd_reminders_show,
	&cmd_reminders_retry,
	NULL,
};

const struct cli_command cli_remind_cmd_reminders = {
	.name = "reminders",
	.args = "[list [OPTIONS] | show ID | retry ID]",
	.brief = "the reminders: list, show, retry",
	.help = "'fristvakt reminders' alone lists reminders (as 'reminders list').",
	.run = run_list,
	.subs = reminders_subs,
};

static const struct cli_command cmd_template_render = {
	.name = "template render",
	.args = "KIND STAGE --case REF [--json]",
	.brief = "preview a reminder's message for a case",
	.help = "Renders the template of deadline KIND (processing, preliminary_reply,\n"
		"documentation, complaint, late_complaint, forwarding) and STAGE (before-3, due,\n"
		"overdue, escalation, ...) with the case's data, as it would be sent now. Nothing\n"
		"is sent. Needs the read role.",
	.run = run_render,
};

static const struct cli_command *const template_subs[] = { &cmd_template_render, NULL };

const struct cli_command cli_remind_cmd_template = {
	.name = "template",
	.args = "render KIND STAGE --case REF",
	.brief = "message templates: render",
	.help = "",
	.subs = template_subs,
};

static const struct cli_command cmd_clock_set = {
	.name = "clock set",
	.args = "TIME [--json]",
	.brief = "set the daemon's test clock",
	.help = "Sets the daemon's time (RFC 3339). Only for tests: the daemon serves it only\n"
		"when fristvakt.conf sets testing.clock_control = true. Needs the admin role.",
	.run = run_clock,
};

static const struct cli_command cmd_clock_advance = {
	.name = "clock advance",
	.args = "DURATION [--json]",
	.brief = "move the daemon's test clock forward",
	.help = "Moves the daemon's time forward by DURATION (3d, 2h, 15m, 90s; negative moves\n"
		"it back). Only for tests, as 'clock set'.",
	.run = run_clock,
};

static const struct cli_command cmd_clock_reset = {
	.name = "clock reset",
	.args = "[--json]",
	.brief = "return the daemon to the wall clock",
	.help = "Returns the daemon to the wall clock. Only for tests, as 'clock set'.",
	.run = run_clock,
};

static const struct cli_command *const clock_subs[] = { &cmd_clock_set, &cmd_clock_advance,
							&cmd_clock_reset, NULL };

const struct cli_command cli_remind_cmd_clock = {
	.name = "clock",
	.args = "set TIME | advance DURATION | reset",
	.brief = "the test clock (tests only)",
	.help = "",
	.subs = clock_subs,
};
