// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_remind: the CLI's reminder commands — list and inspect the outbox, retry a failed
 * reminder, preview a template for a case — and the test clock (only served by a daemon
 * whose configuration enables testing.clock_control).
 */
#include "cli/cli_remind.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "cli/cli_text.h"
#include "cli/cli_verbs.h"
#include "core/util.h"

/* The words of these commands for people, one table per fact (--lang). */

/* The columns of the reminder list. */
static const struct cli_text list_columns[7] = {
	{ "ID", "ID" },	     { "STATUS", "STATE" }, { "NÅR", "WHEN" },	    { "SAK", "CASE" },
	{ "FRIST", "KIND" }, { "TRINN", "STAGE" },  { "KANAL", "CHANNEL" },
};

/* A reminder's state, by its name in the protocol. */
static const struct {
	const char *name;
	struct cli_text text;
} states[] = {
	{ "pending", { "venter", "pending" } },
	{ "failed", { "feilet", "failed" } },
	{ "sent", { "sendt", "sent" } },
	{ "dead", { "gitt opp", "dead" } },
	{ "cancelled", { "avlyst", "cancelled" } },
	{ "held", { "holdt tilbake", "held" } },
};

/* The labels of 'reminders show'. */
enum show_label {
	SHOW_REMINDER,
	SHOW_CASE,
	SHOW_DEADLINE,
	SHOW_SUBJECT,
	SHOW_DUE,
	SHOW_STAGE,
	SHOW_FOR,
	SHOW_CHANNEL,
	SHOW_PLANNED,
	SHOW_NEXT,
	SHOW_LAST_ERROR,
	SHOW_ATTEMPTS,
	SHOW_CODE,
	SHOW_BUILT_IN,
	SHOW_COUNT,
};

static const struct cli_text show_labels[SHOW_COUNT] = {
	[SHOW_REMINDER] = { "påminnelse", "reminder" },
	[SHOW_CASE] = { "sak", "case" },
	[SHOW_DEADLINE] = { "frist", "deadline" },
	[SHOW_SUBJECT] = { "hendelse", "subject" },
	[SHOW_DUE] = { "går ut", "due" },
	[SHOW_STAGE] = { "trinn", "stage" },
	[SHOW_FOR] = { "for", "for" },
	[SHOW_CHANNEL] = { "kanal", "channel" },
	[SHOW_PLANNED] = { "planlagt", "planned" },
	[SHOW_NEXT] = { "neste forsøk", "next try" },
	[SHOW_LAST_ERROR] = { "siste feil", "last error" },
	[SHOW_ATTEMPTS] = { "forsøk", "attempts" },
	[SHOW_CODE] = { "kode", "code" },
	[SHOW_BUILT_IN] = { "innebygd tekst", "built-in text" },
};

static const struct cli_text more_reminders = { "påminnelser", "reminders" };
static const struct cli_text retry_done[2] = {
	{ "påminnelse ", "reminder " },
	{ " sendes på nytt nå", " will be sent again now" },
};
static const struct cli_text template_failed = {
	"fristvakt: malen feilet; dette er den innebygde teksten",
	"fristvakt: the template failed; this is the built-in text",
};
static const struct cli_text clock_words[2] = {
	{ "daemonens tid", "daemon time" },
	{ "forskjøvet", "offset" },
};

static const char *
state_text(const struct cli *cli, const char *state)
{
	for (size_t i = 0; state && i < FV_ARRAY_SIZE(states); i++) {
		if (strcmp(states[i].name, state) == 0)
			return cli_tr(cli, &states[i].text);
	}
	return state ? state : "?";
}

/*
 * A deadline kind in the reminder views: its bokmål label, or in English the protocol's own
 * name, which --state and the daemon's messages use too.
 */
static const char *
kind_text(const struct cli *cli, const char *kind)
{
	return cli->lang == CLI_LANG_EN ? kind : cli_text_kind(CLI_LANG_NB, kind);
}

static const char *
label(const struct cli *cli, enum show_label l)
{
	return cli_tr(cli, &show_labels[l]);
}

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

/* A row of the listing: columns as wide as their widest cell, whatever the kind's length. */
static void
add_reminder_row(const struct cli *cli, struct cli_table *tb, json_t *r)
{
	char t[CAL_INSTANT_LEN], id[24];
	const char *ref = json_string_value(json_object_get(r, "reference"));
	const char *state = str_or(r, "state", "?");
	const char *at = str_or(r, strcmp(state, "sent") == 0 ? "sent_at" : "next_attempt", NULL);
	const char *row[7];

	/* Waiting on a disabled channel: shown as held. */
	if (json_is_true(json_object_get(r, "held")))
		state = "held";
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(r, "id")));
	row[0] = id;
	row[1] = state_text(cli, state);
	row[2] = cli_local_time(at, t);
	row[3] = ref ? ref : str_or(r, "recipient", "-");
	row[4] = kind_text(cli, str_or(r, "kind", "-"));
	row[5] = str_or(r, "stage", "-");
	row[6] = str_or(r, "channel", "-");
	cli_table_add(tb, row);
}

/*
 * The options of reminders list into params (the call's). Returns 1 to go on, 0 when help
 * was shown, -1 on a usage error (message printed).
 */
static int
list_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, json_t *params,
	     bool *all)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int64_t limit;
	int c, ret;

	/* Options may also follow the arguments (getopt permutes them). */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
				return -1;
			}
			json_object_set_new(params, "limit", json_integer(limit));
			break;
		case 'a':
			*all = true;
			break;
		default:
			ret = cli_common_option(cli, cmd, c, argv);
			if (ret <= 0)
				return ret;
		}
	}
	return cli_extra_args(cmd, argc, argv, 0);
}

static int
run_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *params = json_object(), *r, *row;
	const char *head[FV_ARRAY_SIZE(list_columns)];
	struct cli_table tb;
	bool all = false;
	size_t i;
	int ret = list_options(cli, cmd, argc, argv, params, &all);

	if (ret <= 0) {
		json_decref(params);
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	cli_page_size_for_all(params, all);
	ret = cli_list_pages(cli, "no.fristvakt.ListReminders", params, "reminders", all, &r);
	json_decref(params);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	cli_table_init(&tb, FV_ARRAY_SIZE(list_columns));
	for (size_t k = 0; k < FV_ARRAY_SIZE(list_columns); k++)
		head[k] = cli_tr(cli, &list_columns[k]);
	cli_table_add(&tb, head);
	json_array_foreach(json_object_get(r, "reminders"), i, row) add_reminder_row(cli, &tb, row);
	cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_reminders);
	cli_table_deinit(&tb);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_show(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r, *rem, *a;
	struct cli_table tb;
	json_int_t id;
	char t[CAL_INSTANT_LEN], *buf, *stage, *attempts;
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
	printf("%s %lld: %s\n", label(cli, SHOW_REMINDER), (long long)id,
	       state_text(cli, json_string_value(json_object_get(rem, "state"))));
	/* Labels padded to the longest of the language, as a two-column table would. */
	cli_table_init(&tb, 2);
	buf = xasprintf("%s (%s %lld), %s %s", kind_text(cli, str_or(rem, "kind", "?")),
			label(cli, SHOW_SUBJECT),
			(long long)json_integer_value(json_object_get(rem, "subject")),
			label(cli, SHOW_DUE), str_or(rem, "due", "-"));
	stage = xasprintf("%s, %s %s", str_or(rem, "stage", "?"), label(cli, SHOW_FOR),
			  str_or(rem, "occurrence", "?"));
	attempts =
		xasprintf("%lld", (long long)json_integer_value(json_object_get(rem, "attempts")));
	cli_table_add(&tb,
		      (const char *[]){ label(cli, SHOW_CASE), str_or(rem, "reference", "-") });
	cli_table_add(&tb, (const char *[]){ label(cli, SHOW_DEADLINE), buf });
	cli_table_add(&tb, (const char *[]){ label(cli, SHOW_STAGE), stage });
	cli_table_add(&tb,
		      (const char *[]){ label(cli, SHOW_CHANNEL), str_or(rem, "channel", "-") });
	cli_table_add(&tb, (const char *[]){ label(cli, SHOW_PLANNED),
					     cli_local_time(str_or(rem, "planned", NULL), t) });
	cli_table_add(&tb,
		      (const char *[]){ label(cli, SHOW_NEXT),
					cli_local_time(str_or(rem, "next_attempt", NULL), t) });
	if (json_string_value(json_object_get(rem, "last_error")))
		cli_table_add(&tb, (const char *[]){ label(cli, SHOW_LAST_ERROR),
						     str_or(rem, "last_error", "") });
	cli_table_add(&tb, (const char *[]){ label(cli, SHOW_ATTEMPTS), attempts });
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	free(attempts);
	free(stage);
	free(buf);
	json_array_foreach(json_object_get(r, "attempts"), i, a)
	{
		json_t *code = json_object_get(a, "code");

		printf("    %s  %-8s %-7s %4s  %s%s%s%s\n",
		       cli_local_time(json_string_value(json_object_get(a, "at")), t),
		       json_string_value(json_object_get(a, "channel")),
		       json_string_value(json_object_get(a, "outcome")),
		       json_is_integer(code) ? "" : "-", str_or(a, "error", ""),
		       json_is_true(json_object_get(a, "fallback")) ? " (" : "",
		       json_is_true(json_object_get(a, "fallback")) ? label(cli, SHOW_BUILT_IN)
								    : "",
		       json_is_true(json_object_get(a, "fallback")) ? ")" : "");
		if (json_is_integer(code))
			printf("      %s %lld\n", label(cli, SHOW_CODE),
			       (long long)json_integer_value(code));
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
		printf("%s%lld%s\n", cli_tr(cli, &retry_done[0]), (long long)id,
		       cli_tr(cli, &retry_done[1]));
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_render(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'r' },
		{ "applicant", no_argument, NULL, 'a' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = NULL;
	bool applicant = false;
	json_t *r, *params;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ref = optarg;
			break;
		case 'a':
			applicant = true;
			break;
		default:
			ret = cli_common_option(cli, cmd, c, argv);
			if (ret <= 0)
				return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
		}
	}
	if (argc - optind != 2 || !ref) {
		fprintf(stderr, "fristvakt %s: give KIND STAGE and --case REF\n", cmd->name);
		return CLI_EXIT_USAGE;
	}
	params = json_pack("{ss ss ss}", "kind", argv[optind], "stage", argv[optind + 1],
			   "reference", ref);
	/* Sent only when asked for: a daemon older than the parameter still renders. */
	if (applicant)
		json_object_set_new(params, "recipient", json_string("applicant"));
	ret = cli_call(cli, "no.fristvakt.RenderTemplate", params, &r);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		printf("Subject: %s\n\n%s", json_string_value(json_object_get(r, "subject")),
		       json_string_value(json_object_get(r, "text")));
		if (json_is_true(json_object_get(r, "fallback")))
			fprintf(stderr, "%s\n", cli_tr(cli, &template_failed));
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

/* The seconds a unit letter stands for (d, h, m, s); 0 for none. */
static int64_t
duration_unit(char c)
{
	switch (c) {
	case 'd':
		return 86400;
	case 'h':
		return 3600;
	case 'm':
		return 60;
	case 's':
		return 1;
	default:
		return 0;
	}
}

/*
 * A duration of clock advance ("3d", "2h", "15m", "90s", or seconds alone) into *seconds;
 * false (message printed) when s is none.
 */
static bool
parse_duration(const struct cli_command *cmd, const char *s, int64_t *seconds)
{
	size_t len = strlen(s);
	int64_t n, unit = 1;
	char num[32];

	if (len > 0 && len < sizeof(num))
		unit = duration_unit(s[len - 1]);
	snprintf(num, sizeof(num), "%.*s", (int)(len ? len - (unit ? 1 : 0) : 0), s);
	if (len == 0 || len >= sizeof(num) || fv_parse_i64(num, -3660, 3660 * 86400, &n) < 0 ||
	    (unit == 0 && fv_parse_i64(s, -316224000, 316224000, &n) < 0)) {
		fprintf(stderr, "fristvakt %s: '%s' is not a duration such as 3d, 2h, 90s\n",
			cmd->name, s);
		return false;
	}
	*seconds = n * (unit ? unit : 1);
	return true;
}

/*
 * The method and parameters (owned) of a clock command and its arguments; false (message
 * printed) when they do not fit it.
 */
static bool
clock_request(const struct cli_command *cmd, int argc, char **argv, const char **method,
	      json_t **params)
{
	const char *verb = cli_command_word(cmd);
	int64_t seconds;

	*params = NULL;
	if (strcmp(verb, "reset") == 0) {
		if (argc != optind) {
			fprintf(stderr, "fristvakt %s: takes no arguments\n", cmd->name);
			return false;
		}
		*method = "no.fristvakt.testing.ResetClock";
		return true;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "fristvakt %s: give one %s\n", cmd->name,
			strcmp(verb, "set") == 0 ? "time (RFC 3339)"
						 : "duration such as 3d, 2h, 90s");
		return false;
	}
	if (strcmp(verb, "set") == 0) {
		*method = "no.fristvakt.testing.SetClock";
		*params = json_pack("{ss}", "now", argv[optind]);
		return true;
	}
	if (!parse_duration(cmd, argv[optind], &seconds))
		return false;
	*method = "no.fristvakt.testing.AdvanceClock";
	*params = json_pack("{sI}", "seconds", (json_int_t)seconds);
	return true;
}

static int
run_clock(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	char t[CAL_INSTANT_LEN];
	const char *method;
	json_t *params, *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (!clock_request(cmd, argc, argv, &method, &params))
		return CLI_EXIT_USAGE;
	if ((ret = cli_call(cli, method, params, &r)) != CLI_EXIT_OK)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		printf("%s %s (%s %lld s)\n", cli_tr(cli, &clock_words[0]),
		       cli_local_time(json_string_value(json_object_get(r, "now")), t),
		       cli_tr(cli, &clock_words[1]),
		       (long long)json_integer_value(json_object_get(r, "offset")));
	json_decref(r);
	return CLI_EXIT_OK;
}

void
cli_remind_print_channels(json_t *channels, const char *indent)
{
	struct cli_table tb;
	json_t *ch;
	size_t i;

	cli_table_init(&tb, 10);
	cli_table_add(&tb, (const char *[]){ "CHANNEL", "TYPE", "STATE", "SINCE", "PENDING",
					     "FAILED", "DEAD", "HELD", "LAST SUCCESS", "REASON" });
	json_array_foreach(channels, i, ch)
	{
		char t1[CAL_INSTANT_LEN], t2[CAL_INSTANT_LEN], n[4][24], *reason;
		const char *since = json_string_value(json_object_get(ch, "since"));
		const char *last = json_string_value(json_object_get(ch, "last_success"));
		const char *why = json_string_value(json_object_get(ch, "reason"));
		const char *state = str_or(ch, "state", "?");
		static const char *const counts[] = { "pending", "failed", "dead", "held" };

		for (size_t k = 0; k < 4; k++)
			snprintf(n[k], sizeof(n[k]), "%lld",
				 (long long)json_integer_value(json_object_get(ch, counts[k])));
		reason = xasprintf("%s%s", why && strcmp(state, "enabled") != 0 ? why : "",
				   json_is_false(json_object_get(ch, "configured"))
					   ? " (not configured)"
					   : "");
		cli_table_add(&tb,
			      (const char *[]){ str_or(ch, "name", "?"), str_or(ch, "type", "-"),
						state, since ? cli_local_time(since, t1) : "-",
						n[0], n[1], n[2], n[3],
						last ? cli_local_time(last, t2) : "-", reason });
		free(reason);
	}
	cli_table_print(&tb, indent, stdout);
	cli_table_deinit(&tb);
}

static int
run_channels(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if ((ret = cli_call(cli, "no.fristvakt.ListChannels", NULL, &r)) != CLI_EXIT_OK)
		return ret;
	if (cli->json) {
		cli_print_json(r);
	} else {
		cli_remind_print_channels(json_object_get(r, "channels"), "");
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
	.args = "[--state S] [--case REF] [--channel NAME] [--limit N] [--all] [--json]",
	.brief = "list reminders (the outbox), newest first",
	.help = "Lists reminders, newest first. --state pending, failed (an attempt failed; it\n"
		"is retried), sent, dead (given up; a notice went to the administrators) or\n"
		"cancelled (its deadline was met or moved, or its stage passed before it could\n"
		"go out). STATE shows 'held' for a pending or failed reminder whose channel a\n"
		"410 disabled. --limit N reminders per page (1-1000, default 100); --all lists\n"
		"every page, not only the first. Needs the read role.",
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
	.brief = "send a pending, failed or dead reminder now",
	.help = "Sends a pending, failed or dead reminder now with a fresh retry schedule (a\n"
		"repeating stage goes on from it). A reminder held on a channel that a 410 Gone\n"
		"disabled is refused: 'fristvakt channel enable' (admin) releases the channel.\n"
		"Needs the write role.",
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
	.args = "KIND STAGE --case REF [--applicant] [--json]",
	.brief = "preview a reminder's message for a case",
	/* The kinds are filled in from core/vocab.c when printed (cli_help_text). */
	.help = "Renders the template of deadline KIND (one of {kinds}) and STAGE\n"
		"(before-3, due, overdue, escalation, now, hours, ...) with the case's data, as it\n"
		"would be sent now; --applicant shows the applicant's own text (complaint\n"
		"deadlines). Nothing is sent. Needs the read role.",
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
