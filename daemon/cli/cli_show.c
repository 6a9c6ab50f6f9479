// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_show: `fristvakt case show`, the story of one case for a case worker: the case, its
 * timeline in words, every deadline with its state and how it was computed (the daemon's
 * explanation in bokmål, made here from its parts in English), and the findings.
 */
#include "cli/cli_case_impl.h"

#include "core/cal.h"
#include "core/util.h"
#include "core/vocab.h"

static const struct word channel_words[] = {
	{ "written", { "skriftlig", "written" } },
	{ "oral", { "muntlig", "oral" } },
	{ "digital", { "digital", "digital" } },
	{ NULL, { NULL, NULL } },
};

static const struct word age_words[] = {
	{ "under_67", { "under 67 år", "under 67" } },
	{ "granted_before_67", { "fikk retten før 67 år", "granted the right before 67" } },
	{ "67_or_over", { "67 år eller eldre", "67 or over" } },
	{ NULL, { NULL, NULL } },
};

static const struct word outcome_words[] = {
	{ "innvilget", { "innvilget", "granted" } },
	{ "delvis_innvilget", { "delvis innvilget", "partly granted" } },
	{ "avslatt", { "avslått", "refused" } },
	{ "avvist", { "avvist", "dismissed" } },
	{ "omgjort", { "omgjort i sin helhet", "reversed in full" } },
	{ "delvis_omgjort", { "delvis omgjort", "partly reversed" } },
	{ "stadfestet", { "stadfestet", "upheld" } },
	{ "opphevet", { "opphevet", "quashed" } },
	{ NULL, { NULL, NULL } },
};

/*
 * case show: the story of one case.
 */

/* "hendelse N" for an event reference in an event's data, when there is one. */
static void
add_ref(struct strbuf *b, json_t *data, const char *key, const char *what)
{
	json_t *v = json_object_get(data, key);

	if (json_is_integer(v))
		strbuf_printf(b, "%s%s %lld", b->len ? ", " : "", what,
			      (long long)json_integer_value(v));
}

static void
add_time(struct strbuf *b, json_t *data, const char *key, const char *what)
{
	char t[CAL_INSTANT_LEN];
	const char *s = str(data, key);

	if (s)
		strbuf_printf(b, "%s%s %s", b->len ? ", " : "", what, cli_local_time(s, t));
}

/* The key data of each type of event, in words. */

static void
details_received(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	strbuf_puts(b, cli_words(lang, channel_words, str(data, "channel")));
	if (is_true(data, "emergency"))
		strbuf_printf(b, ", %s", w(lang, W_EMERGENCY_AID));
}

static void
details_prelim(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	strbuf_printf(b, "%s %s", w(lang, W_PROMISED), str_or(data, "promised", "?"));
}

static void
details_doc_requested(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	strbuf_printf(b, "%s %s", w(lang, W_DOC_DUE), str_or(data, "due", "?"));
}

static void
details_doc_received(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	add_ref(b, data, "request", w(lang, W_CONCERNS_REQUEST));
	if (!b->len)
		strbuf_puts(b, w(lang, W_ALL_REQUESTS));
}

/* BPA: the need recorded with a decision. */
static void
details_need(enum cli_lang lang, struct strbuf *b, json_t *data)
{
	const char *s;

	if (!json_is_integer(json_object_get(data, "need_hours")))
		return;
	strbuf_printf(b, ", %s %lld %s", w(lang, W_NEED), num(data, "need_hours"),
		      w(lang, W_HOURS_A_WEEK));
	if (json_is_integer(json_object_get(data, "need_months")))
		strbuf_printf(b, " %s %lld %s", w(lang, W_FOR), num(data, "need_months"),
			      w(lang, W_MONTHS));
	s = str(data, "age_group");
	if (s)
		strbuf_printf(b, " (%s)", cli_words(lang, age_words, s));
}

static void
details_decision(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	const char *s;

	(void)type;
	strbuf_puts(b, cli_words(lang, outcome_words, str(data, "outcome")));
	if (json_is_false(json_object_get(data, "written")))
		strbuf_printf(b, ", %s", w(lang, W_ORAL));
	if (json_is_false(json_object_get(data, "reasoned")))
		strbuf_printf(b, ", %s", w(lang, W_UNREASONED));
	add_time(b, data, "reached", w(lang, W_REACHED));
	add_time(b, data, "made_available", w(lang, W_AVAILABLE));
	add_time(b, data, "notice_sent", w(lang, W_NOTICE_SENT));
	s = str(data, "legal_basis");
	if (s)
		strbuf_printf(b, ", %s: %s", w(lang, W_LEGAL_BASIS), s);
	details_need(lang, b, data);
}

static void
details_of_decision(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	add_ref(b, data, "decision", w(lang, W_CONCERNS_DECISION));
}

static void
details_change(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	bool extension = strcmp(type, "extension") == 0;
	const char *s;

	strbuf_printf(b, "%s %s %s", cli_text_kind(lang, str(data, "kind")),
		      w(lang, extension ? W_EXTENDED_TO : W_SET_TO),
		      str_or(data, extension ? "until" : "due", "?"));
	add_ref(b, data, "subject", w(lang, W_FOR_EVENT));
	s = str(data, "by");
	if (s)
		strbuf_printf(b, ", %s %s", w(lang, W_BY), s);
	s = str(data, "reason");
	if (s)
		strbuf_printf(b, ": %s", s);
}

static void
details_complaint(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	add_time(b, data, "received", w(lang, W_COMPLAINT_RECEIVED));
	add_ref(b, data, "decision", w(lang, W_CONCERNS_DECISION));
}

static void
details_of_complaint(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	add_ref(b, data, "complaint", w(lang, W_CONCERNS_COMPLAINT));
}

static void
details_complaint_decided(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	(void)type;
	strbuf_puts(b, cli_words(lang, outcome_words, str(data, "outcome")));
	add_ref(b, data, "complaint", w(lang, W_CONCERNS_COMPLAINT));
}

static const struct {
	const char *type;
	void (*fn)(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data);
} event_details_by_type[] = {
	{ "received", details_received },
	{ "preliminary_reply", details_prelim },
	{ "documentation_requested", details_doc_requested },
	{ "documentation_received", details_doc_received },
	{ "decision", details_decision },
	{ "reasons_requested", details_of_decision },
	{ "reasons_given", details_of_decision },
	{ "extension", details_change },
	{ "override", details_change },
	{ "complaint", details_complaint },
	{ "forwarded", details_of_complaint },
	{ "complaint_withdrawn", details_of_complaint },
	{ "complaint_decided", details_complaint_decided },
	{ "decision_written", details_of_decision },
};

/* The key data of an event, in words; nothing for a type it does not know. */
static void
event_details(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(event_details_by_type); i++) {
		if (strcmp(event_details_by_type[i].type, type) == 0) {
			event_details_by_type[i].fn(lang, b, type, data);
			return;
		}
	}
}

static void
print_header(enum cli_lang lang, json_t *c)
{
	char t[CAL_INSTANT_LEN];
	struct strbuf received = { 0 };
	struct cli_table tb;

	printf("%s %s – %s\n", w(lang, W_CASE), str_or(c, "reference", "?"),
	       str_or(c, "service_name", str_or(c, "service", "?")));
	strbuf_printf(&received, "%s, %s", cli_local_time(str(c, "received"), t),
		      cli_words(lang, channel_words, str(c, "channel")));
	cli_table_init(&tb, 2);
	cli_table_add(&tb, (const char *[]){ w(lang, W_STATE), cli_words(lang, cli_case_state_words,
									 str(c, "state")) });
	cli_table_add(&tb, (const char *[]){ w(lang, W_SERVICE), str(c, "service") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_HANDLER), str(c, "handler") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_UNIT), str(c, "unit") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_RECEIVED), strbuf_str(&received) });
	if (is_true(c, "emergency"))
		cli_table_add(&tb, (const char *[]){ w(lang, W_EMERGENCY), w(lang, W_YES) });
	if (is_true(c, "has_contact"))
		cli_table_add(&tb, (const char *[]){ w(lang, W_CONTACT), w(lang, W_CONTACT_KEPT) });
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	strbuf_free(&received);
}

static void
print_timeline(enum cli_lang lang, json_t *events, const char *body)
{
	char t[CAL_INSTANT_LEN], id[32];
	struct strbuf details = { 0 }, label = { 0 };
	struct cli_table tb;
	json_t *e;
	size_t i;

	printf("\n%s\n", w(lang, W_EVENTS));
	cli_table_init(&tb, 4);
	json_array_foreach(events, i, e)
	{
		const char *type = str_or(e, "type", "?");

		strbuf_reset(&details);
		event_details(lang, &details, type, json_object_get(e, "data"));
		if (json_is_integer(json_object_get(e, "supersedes")))
			strbuf_printf(&details, "%s(%s %lld)", details.len ? " " : "",
				      w(lang, W_CORRECTS), num(e, "supersedes"));
		if (json_is_integer(json_object_get(e, "superseded_by")))
			strbuf_printf(&details, "%s(%s %lld)", details.len ? " " : "",
				      w(lang, W_CORRECTED_BY), num(e, "superseded_by"));
		snprintf(id, sizeof(id), "%lld", num(e, "id"));
		strbuf_reset(&label);
		if (strcmp(type, "forwarded") == 0 && body)
			strbuf_printf(&label, "%s %s", w(lang, W_FORWARDED_TO), body);
		else
			strbuf_puts(&label, cli_event_word(lang, type));
		cli_table_add(&tb, (const char *[]){ id, cli_local_time(str(e, "occurred"), t),
						     strbuf_str(&label), strbuf_str(&details) });
	}
	if (tb.rows == 0)
		printf("  %s\n", w(lang, W_NONE));
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	strbuf_free(&details);
	strbuf_free(&label);
}

/* How a deadline came about, in English, from its parts (the daemon explains in bokmål). */
static const struct cli_text explain_words[] = {
	{ NULL, "Rule" },
	{ NULL, "Runs from" },
	{ NULL, "event" },
	{ NULL, "Period" },
	{ NULL, "ends" },
	{ NULL, "Paused" },
	{ NULL, "days" },
	{ NULL, "By the rule" },
	{ NULL, "moved by an extension or override to" },
	{ NULL, "Met" },
	{ NULL, "Cancelled" },
	{ NULL, "Due" },
};

enum {
	X_RULE,
	X_FROM,
	X_EVENT,
	X_PERIOD,
	X_ENDS,
	X_PAUSED,
	X_DAYS,
	X_BY_RULE,
	X_MOVED,
	X_MET,
	X_CANCELLED,
	X_DUE
};

/* The day a deadline runs from, in English (the protocol's start types). */
/* The rule, the day the deadline runs from and its period. */
/* The start day named name, in English, from the vocabulary; name when it has none. */
static const char *
start_word_en(const char *name)
{
	enum rules_start st;

	return rules_start_parse(name, &st) < 0 ? name : vocab_start_row(st)->en;
}

static void
explain_rule(FILE *f, json_t *d, const char *ind)
{
	json_t *start = json_object_get(d, "start");
	const char *source = str(d, "source");
	struct cal_period period;
	char period_buf[48];

	fprintf(f, "%s%s: %s%s%s%s\n", ind, explain_words[X_RULE].en, str_or(d, "rule", "-"),
		source ? " (" : "", source ? source : "", source ? ")" : "");
	if (json_is_object(start))
		fprintf(f, "%s%s %s (%s, %s %lld)\n", ind, explain_words[X_FROM].en,
			str_or(start, "date", "?"), start_word_en(str_or(start, "type", "?")),
			explain_words[X_EVENT].en, num(start, "event"));
	if (str(d, "period") && cal_period_parse(str(d, "period"), &period) == 0)
		fprintf(f, "%s%s %s, %s %s\n", ind, explain_words[X_PERIOD].en,
			cli_text_period(CLI_LANG_EN, period, period_buf), explain_words[X_ENDS].en,
			str_or(d, "raw_end", "?"));
}

/* The days the deadline stood still, the days its end moved past, a new full period. */
static void
explain_counting(FILE *f, json_t *d, const char *ind)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(d, "pauses"), i, x)
	{
		if (num(x, "days") > 0)
			fprintf(f, "%sStood still from %s (documents requested) to %s%s: %lld %s\n",
				ind, str_or(x, "from", "?"), str_or(x, "to", "?"),
				is_true(x, "ran_out") ? " (the date set for sending them)" : "",
				num(x, "days"), num(x, "days") == 1 ? "day" : "days");
	}
	json_array_foreach(json_object_get(d, "steps"), i, x)
	{
		fprintf(f, "%s%s %s → %s\n", ind, str_or(x, "day", "?"),
			cli_text_why(CLI_LANG_EN, str_or(x, "why", "?")), str_or(x, "to", "?"));
	}
	x = json_object_get(d, "restart");
	if (json_is_object(x) && str(x, "given"))
		fprintf(f, "%sReasons asked for on %s reached the party on %s: a new full period\n",
			ind, str_or(x, "requested", "?"), str(x, "given"));
}

/* The extensions and overrides, and the engine's remarks. */
static void
explain_changes(FILE *f, json_t *d, const char *ind)
{
	const char *rule_due = str(d, "rule_due"), *due = str(d, "due");
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(d, "extensions"), i, x)
	{
		fprintf(f, "%sExtended to %s (event %lld)%s%s\n", ind, str_or(x, "date", "?"),
			num(x, "event"), str(d, "extension") ? "; provision: " : "",
			str(d, "extension") ? str(d, "extension") : "");
	}
	json_array_foreach(json_object_get(d, "overrides"), i, x)
	{
		fprintf(f, "%sSet by hand to %s (event %lld)\n", ind, str_or(x, "date", "?"),
			num(x, "event"));
	}
	if (rule_due && due && strcmp(rule_due, due) != 0)
		fprintf(f, "%s%s %s, %s %s\n", ind, explain_words[X_BY_RULE].en, rule_due,
			explain_words[X_MOVED].en, due);
	/* The engine's remarks are its own bokmål sentences: shown as they are, and said so. */
	json_array_foreach(json_object_get(d, "notes"), i, x)
	{
		if (json_is_string(x))
			fprintf(f, "%sNote (in Norwegian): %s\n", ind, json_string_value(x));
	}
}

void
cli_explain_en(FILE *f, json_t *d, const char *ind)
{
	const char *due = str(d, "due");

	explain_rule(f, d, ind);
	explain_counting(f, d, ind);
	explain_changes(f, d, ind);
	if (str(d, "met_on"))
		fprintf(f, "%s%s %s\n", ind, explain_words[X_MET].en, str(d, "met_on"));
	if (str(d, "cancelled_on"))
		fprintf(f, "%s%s %s\n", ind, explain_words[X_CANCELLED].en, str(d, "cancelled_on"));
	fprintf(f, "%s%s: %s\n", ind, explain_words[X_DUE].en, due ? due : "-");
}

static void
print_deadlines(enum cli_lang lang, json_t *deadlines, const char *today)
{
	struct strbuf label = { 0 }, mark = { 0 };
	size_t width = 0, i;
	json_t *d;

	printf("\n%s\n", w(lang, W_DEADLINES));
	if (json_array_size(deadlines) == 0)
		printf("  %s\n", w(lang, W_NONE));
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(deadlines, i, d)
		{
			const char *text = str_or(d, "text", "");

			strbuf_reset(&label);
			cli_deadline_label(lang, &label, d);
			strbuf_printf(&label, " (%s %lld)", w(lang, W_EVENT), num(d, "subject"));
			if (pass == 0) {
				if (cli_text_width(strbuf_str(&label)) > width)
					width = cli_text_width(strbuf_str(&label));
				continue;
			}
			strbuf_reset(&mark);
			cli_deadline_mark(lang, &mark, d, today);
			fputs("  ", stdout);
			cli_put_padded(stdout, strbuf_str(&label), width);
			printf("  %-10s  %s\n", str_or(d, "due", "-"), strbuf_str(&mark));
			if (lang == CLI_LANG_EN) {
				cli_explain_en(stdout, d, "      ");
				continue;
			}
			while (*text) {
				size_t n = strcspn(text, "\n");

				printf("      %.*s\n", (int)n, text);
				text += n + (text[n] == '\n');
			}
		}
	}
	strbuf_free(&mark);
	strbuf_free(&label);
}

static int
run_case_show(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	struct args a;
	json_t *r, *breaches;
	int ret = cli_parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	ret = cli_call(cli, sp->method, a.params, &r);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	print_header(cli->lang, json_object_get(r, "case"));
	print_timeline(cli->lang, json_object_get(r, "events"),
		       str(json_object_get(r, "case"), "complaint_body"));
	print_deadlines(cli->lang, json_object_get(r, "deadlines"), str(r, "today"));
	breaches = json_object_get(r, "breaches");
	if (json_array_size(breaches) > 0) {
		putchar('\n');
		cli_print_breaches(cli->lang, breaches);
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

static const struct spec case_show_spec = {
	.method = METHOD("GetCase"),
	.arg = "REF",
};

const struct cli_command cli_case_show = {
	.name = "case show",
	.args = "REF [--json]",
	.brief = "tell a case's story: timeline, deadlines, breaches",
	.help = "Show case REF for a case worker: the case, its timeline (corrected events marked\n"
		"\"rettet av hendelse N\"), every deadline with its state (OVERSKREDET when\n"
		"missed, \"snart\" when due within 3 days) and how it was computed, and any\n"
		"breach of the rules (BRUDD). Times are in the local zone. Needs the read role.\n"
		"\n" COMMON_OPTIONS,
	.run = run_case_show,
	.data = &case_show_spec,
};
