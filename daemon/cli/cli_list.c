// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_list: the listings of the case register — case list, deadlines (the work list) and
 * audit — page by page, or every page with --all.
 */
#include "cli/cli_case.h"
#include "cli/cli_case_impl.h"

#include "core/cal.h"
#include "core/util.h"

/* The columns and notes of the listings. */
static const struct cli_text case_columns[6] = {
	{ "REFERANSE", "REFERENCE" },	{ "TJENESTE", "SERVICE" }, { "STATUS", "STATE" },
	{ "SAKSBEHANDLER", "HANDLER" }, { "ENHET", "UNIT" },	   { "MOTTATT", "RECEIVED" },
};
static const struct cli_text deadline_columns[8] = {
	{ " ", " " },
	{ "FRIST", "DUE" },
	{ "DAGER", "DAYS" },
	{ "STATUS", "STATE" },
	{ "REFERANSE", "REFERENCE" },
	{ "TYPE", "KIND" },
	{ "SAKSBEHANDLER", "HANDLER" },
	{ "ENHET", "UNIT" },
};
static const struct cli_text audit_columns[7] = {
	{ "TID", "AT" },  { "METODE", "METHOD" }, { "REFERANSE", "REFERENCE" }, { "UID", "UID" },
	{ "GID", "GID" }, { "PID", "PID" },	  { "UTFALL", "OUTCOME" },
};
static const struct cli_text no_cases = { "ingen saker", "no cases" };
static const struct cli_text no_deadlines = { "ingen frister", "no deadlines" };
static const struct cli_text no_audit = { "ingen loggføringer", "no audit entries" };
static const struct cli_text deadlines_as_of = { "frister per", "deadlines as of" };
static const struct cli_text more_cases = { "saker", "cases" };
static const struct cli_text more_deadlines = { "frister", "deadlines" };
static const struct cli_text more_entries = { "loggføringer", "entries" };
/* The header row of a table from one of the column tables above. */
static void
add_header(const struct cli *cli, struct cli_table *tb, const struct cli_text *cols, size_t n)
{
	const char *row[8];

	FV_ASSERT(n <= FV_ARRAY_SIZE(row));
	for (size_t i = 0; i < n; i++)
		row[i] = cli_tr(cli, &cols[i]);
	cli_table_add(tb, row);
}

/*
 * Lists.
 */

/*
 * What every list command does first: parse its options, fetch its pages (all of them
 * with --all) into *r, and print them as JSON when asked. Returns -1 when the caller is to
 * print the table from *r (owned), else the exit status (nothing left to free).
 */
static int
fetch_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, const char *key,
	   json_t **r, bool *all)
{
	const struct spec *sp = cmd->data;
	struct args a;
	int ret = cli_parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	*all = cli_opt_value(&a, "all") != NULL;
	cli_page_size_for_all(a.params, *all);
	ret = cli_list_pages(cli, sp->method, a.params, key, *all, r);
	json_decref(a.params);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(*r);
		json_decref(*r);
		return CLI_EXIT_OK;
	}
	return -1;
}

static int
run_case_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	char t[CAL_INSTANT_LEN];
	struct cli_table tb;
	json_t *r, *c;
	bool all;
	size_t i;
	int ret = fetch_list(cli, cmd, argc, argv, "cases", &r, &all);

	if (ret >= 0)
		return ret;
	cli_table_init(&tb, 6);
	add_header(cli, &tb, case_columns, FV_ARRAY_SIZE(case_columns));
	json_array_foreach(json_object_get(r, "cases"), i, c)
	{
		cli_table_add(&tb, (const char *[]){ str(c, "reference"), str(c, "service"),
						     cli_words(cli->lang, cli_case_state_words,
							       str(c, "state")),
						     str(c, "handler"), str(c, "unit"),
						     cli_local_time(str(c, "received"), t) });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_cases));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_cases);
	cli_table_deinit(&tb);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_deadlines(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	struct strbuf label = { 0 };
	struct cli_table tb;
	json_t *r, *d;
	bool all;
	size_t i;
	int ret = fetch_list(cli, cmd, argc, argv, "deadlines", &r, &all);

	if (ret >= 0)
		return ret;
	printf("%s %s\n", cli_tr(cli, &deadlines_as_of), str_or(r, "today", "?"));
	cli_table_init(&tb, 8);
	add_header(cli, &tb, deadline_columns, FV_ARRAY_SIZE(deadline_columns));
	json_array_foreach(json_object_get(r, "deadlines"), i, d)
	{
		json_t *left = json_object_get(d, "days_left");
		const char *state = str_or(d, "state", "?"), *marker = " ";
		char days[32] = "-";

		if (json_is_integer(left)) {
			json_int_t n = json_integer_value(left);

			snprintf(days, sizeof(days), "%lld", (long long)n);
			if (strcmp(state, "open") == 0 && n >= 0 && n <= SOON_DAYS)
				marker = "~";
		}
		/*
		 * Overdue: an office duty past its date and not met. A duty met late is missed
		 * but needs nothing more; a party's deadline that passed has expired.
		 */
		if (strcmp(state, "missed") == 0 && json_is_null(json_object_get(d, "met_on")))
			marker = "!";
		strbuf_reset(&label);
		cli_deadline_label(cli->lang, &label, d);
		cli_table_add(&tb, (const char *[]){ marker, str(d, "due"), days,
						     cli_deadline_state_word(cli->lang, state),
						     str(d, "reference"), strbuf_str(&label),
						     str(d, "handler"), str(d, "unit") });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_deadlines));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_deadlines);
	cli_table_deinit(&tb);
	strbuf_free(&label);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_audit(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	char t[CAL_INSTANT_LEN], uid[24], gid[24], pid[24];
	struct cli_table tb;
	json_t *r, *e;
	bool all;
	size_t i;
	int ret = fetch_list(cli, cmd, argc, argv, "entries", &r, &all);

	if (ret >= 0)
		return ret;
	cli_table_init(&tb, 7);
	add_header(cli, &tb, audit_columns, FV_ARRAY_SIZE(audit_columns));
	json_array_foreach(json_object_get(r, "entries"), i, e)
	{
		snprintf(uid, sizeof(uid), "%lld", num(e, "uid"));
		snprintf(gid, sizeof(gid), "%lld", num(e, "gid"));
		snprintf(pid, sizeof(pid), "%lld", num(e, "pid"));
		cli_table_add(&tb,
			      (const char *[]){ cli_local_time(str(e, "at"), t),
						short_name(str(e, "method")), str(e, "reference"),
						uid, gid, pid, short_name(str(e, "outcome")) });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_audit));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_entries);
	cli_table_deinit(&tb);
	json_decref(r);
	return CLI_EXIT_OK;
}

static const struct spec case_list_spec = {
	.method = METHOD("ListCases"),
	.opts = {
		{ "state", OPT_STRING, "state", false, NULL },
		{ "service", OPT_STRING, "service", false, NULL },
		{ "handler", OPT_STRING, "handler", false, NULL },
		{ "unit", OPT_STRING, "unit", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_list = {
	.name = "case list",
	.args = "[--state S] [--service ID] [--handler H] [--unit U] [--limit N] [--all]",
	.brief = "list cases, newest first",
	.help = "List cases, newest first: reference, service, state, handler, unit and when the\n"
		"application was received (local time). Needs the read role.\n"
		"\n"
		"  --state S           open, withdrawn or closed\n"
		"  --service ID        only this service\n"
		"  --handler H         only this case worker's cases\n"
		"  --unit U            only this unit's cases\n"
		"  --limit N           cases per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_case_list,
	.data = &case_list_spec,
};

static const struct spec deadlines_spec = {
	.method = METHOD("ListDeadlines"),
	.opts = {
		{ "state", OPT_STRING, "state", false, NULL },
		{ "kind", OPT_STRING, "kind", false, NULL },
		{ "service", OPT_STRING, "service", false, NULL },
		{ "handler", OPT_STRING, "handler", false, NULL },
		{ "unit", OPT_STRING, "unit", false, NULL },
		{ "from", OPT_STRING, "due_from", false, NULL },
		{ "to", OPT_STRING, "due_to", false, NULL },
		{ "overdue", OPT_TRUE, "overdue", false, NULL },
		{ "duty", OPT_STRING, "duty", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_cmd_deadlines = {
	.name = "deadlines",
	.args = "[--state S] [--kind K] [--duty office|party] [--service ID] [--handler H] "
		"[--unit U] [--from DATE] [--to DATE] [--overdue] [--limit N] [--all]",
	.brief = "list deadlines by due date",
	/* The kinds are filled in from core/vocab.c when printed (cli_help_text). */
	.help = "List deadlines by due date, with their state as of today: '!' marks an overdue\n"
		"duty of the office (past its date and not met; one met late is missed but has no\n"
		"mark), '~' an open deadline due within 3 days.\n"
		"The office's duties are {office_kinds}; the party's deadlines are {party_kinds}, "
		"and one that passes has expired (\"utløpt – ingen klage\"): normal, and no "
		"breach.\n"
		"Needs the read role.\n"
		"\n"
		"  --state S           open, met, missed (an office duty), expired (a party's\n"
		"                      deadline) or cancelled\n"
		"  --duty D            office (the office's duties) or party (the party's)\n"
		"  --kind K            only this kind (processing, preliminary_reply, ...)\n"
		"  --service ID        only this service\n"
		"  --handler H         only this case worker's cases\n"
		"  --unit U            only this unit's cases\n"
		"  --from DATE         due on or after DATE\n"
		"  --to DATE           due on or before DATE\n"
		"  --overdue           the work list: the office's duties past their date and\n"
		"                      not met (never a party's expired deadline)\n"
		"  --limit N           deadlines per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_deadlines,
	.data = &deadlines_spec,
};

static const struct spec audit_spec = {
	.method = METHOD("ListAudit"),
	.opts = {
		{ "case", OPT_STRING, "reference", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_cmd_audit = {
	.name = "audit",
	.args = "[--case REF] [--limit N] [--all]",
	.brief = "show the audit log",
	.help = "Show the audit log, newest first: when, the method, the case, the caller's uid,\n"
		"gid and pid, and the outcome. Needs the admin role.\n"
		"\n"
		"  --case REF          only this case's entries\n"
		"  --limit N           entries per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_audit,
	.data = &audit_spec,
};
