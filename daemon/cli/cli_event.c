// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_event: the commands that record events of a case — case add, close and withdraw,
 * reply add, documentation, decision, reasons, extend, override and complaint. Each sends
 * its event method with the options its event schema makes (cli_args.c) and prints the
 * event's id, the case's open deadlines and any finding (with --json the whole reply).
 *
 * Each command's help text documents its options, and the bash completion offers what the
 * help documents (cli_complete.c). A new parameter of an event method's schema
 * (core/events.c) is an option by itself (cli_args.c; its name or argument changed there,
 * in the table of exceptions); its line goes into the help text of its command below,
 * "  --name VALUE        what it holds" (a flag without VALUE), and an enum's line lists
 * the schema's choices as "a, b (note) or c; remark". tests/unit/test_cli_help.c fails
 * until help, parser and schema agree, and while a text about KIND misses a kind of
 * core/vocab.c.
 */
#include "cli/cli_case.h"
#include "cli/cli_case_impl.h"

#include "core/events.h"
#include "core/util.h"

/*
 * Whether a deadline still waits to be met: open, or an office duty missed and not met
 * since. A party's deadline that passed has expired and waits for nothing.
 */
static bool
deadline_pending(json_t *d)
{
	const char *state = str_or(d, "state", "");

	return strcmp(state, "open") == 0 ||
	       (strcmp(state, "missed") == 0 && json_is_null(json_object_get(d, "met_on")));
}

/* The Recorded reply for a person: the event, the open deadlines, any breach. */
static void
print_recorded(enum cli_lang lang, json_t *reply)
{
	json_t *rec = json_object_get(reply, "recorded");
	const char *ref = str_or(json_object_get(rec, "case"), "reference", "?");
	struct cli_table t;
	json_t *d;
	size_t i;

	printf("%s %lld %s %s\n", w(lang, is_true(rec, "duplicate") ? W_DUPLICATE : W_RECORDED),
	       num(rec, "event"), w(lang, W_IN_CASE), ref);
	cli_table_init(&t, 3);
	json_array_foreach(json_object_get(rec, "deadlines"), i, d)
	{
		struct strbuf label = { 0 };

		cli_deadline_label(lang, &label, d);
		if (deadline_pending(d))
			cli_table_add(&t, (const char *[]){
						  strbuf_str(&label), str(d, "due"),
						  cli_deadline_state_word(lang, str(d, "state")) });
		strbuf_free(&label);
	}
	if (t.rows == 0) {
		printf("%s\n", w(lang, W_NO_OPEN));
	} else {
		printf("%s\n", w(lang, W_OPEN));
		cli_table_print(&t, "  ", stdout);
	}
	cli_table_deinit(&t);
	cli_print_breaches(lang, json_object_get(rec, "breaches"));
}

/* case add: --email and --phone go into "contact", with --consent. */
static bool
add_contact(const struct cli_command *cmd, const struct args *a)
{
	const char *email = cli_opt_value(a, "email");
	const char *phone = cli_opt_value(a, "phone");
	bool consent = cli_opt_value(a, "consent") != NULL;
	json_t *c;

	if (!email && !phone) {
		if (consent) {
			fprintf(stderr, "fristvakt %s: --consent goes with --email or --phone\n",
				cmd->name);
			return false;
		}
		return true;
	}
	c = json_object();
	if ((email && !cli_set_string(cmd, c, "email", "--email", email)) ||
	    (phone && !cli_set_string(cmd, c, "phone", "--phone", phone))) {
		json_decref(c);
		return false;
	}
	json_object_set_new(c, "consent", json_boolean(consent));
	json_object_set_new(a->params, "contact", c);
	return true;
}

static int
run_event(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	struct args a;
	json_t *r;
	int ret = cli_parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (a.o.contact && !add_contact(cmd, &a)) {
		json_decref(a.params);
		return CLI_EXIT_USAGE;
	}
	ret = cli_call(cli, sp->method, a.params, &r);
	if (ret != 0)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		print_recorded(cli->lang, r);
	json_decref(r);
	return CLI_EXIT_OK;
}

const struct event_schema *
cli_event_schema(const struct cli_command *cmd)
{
	const struct spec *sp = cmd->data;

	return cmd->run == run_event ? events_schema_find(sp->method) : NULL;
}

/*
 * The commands.
 */

static const struct spec case_add_spec = {
	.method = METHOD("RegisterApplication"),
	.arg = "REF",
};

static const struct cli_command case_add = {
	.name = "case add",
	.args = "REF --service ID --received TIME [OPTIONS]",
	.brief = "register an application (søknad)",
	.help = "Register an application: creates case REF (the case system's reference, never a\n"
		"name or an identity number) and its received event. The deadlines of the\n"
		"service start to run. Registering the same application again is answered as\n"
		"already recorded; with other data it is a CaseConflict: to correct the\n"
		"registration, give it again as it should have been with --supersedes N, N the\n"
		"case's received event (see case show).\n"
		"\n"
		"  --service ID        the service, as in the configuration (fristvakt.conf)\n"
		"  --received TIME     when the application was received\n"
		"  --channel CHANNEL   written (default), oral or digital\n"
		"  --emergency         nødhjelp: the service's emergency norm applies\n"
		"  --handler H         the case worker's id\n"
		"  --unit U            the unit's id\n"
		"  --email E           the applicant's e-mail for complaint-deadline reminders,\n"
		"  --phone P           or phone; stored only with --consent\n"
		"  --consent           the applicant consented to reminders\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_add_spec,
};

static const struct spec case_close_spec = {
	.method = METHOD("CloseCase"),
	.arg = "REF",
};

static const struct cli_command case_close = {
	.name = "case close",
	.args = "REF [--at TIME]",
	.brief = "close a case",
	.help = "The office closed case REF: open processing, preliminary-reply, documentation and\n"
		"forwarding deadlines are cancelled; complaint deadlines, the party's right,\n"
		"run on.\n"
		"\n"
		"  --at TIME           when it was closed (default: now)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_close_spec,
};

static const struct spec case_withdraw_spec = {
	.method = METHOD("WithdrawApplication"),
	.arg = "REF",
};

static const struct cli_command case_withdraw = {
	.name = "case withdraw",
	.args = "REF [--at TIME]",
	.brief = "record that the applicant withdrew the application",
	.help = "The applicant withdrew the application in case REF: every open deadline is\n"
		"cancelled and the case takes no further events.\n"
		"\n"
		"  --at TIME           when it was withdrawn (default: now)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_withdraw_spec,
};

static const struct cli_command *const case_subs[] = {
	&case_add, &cli_case_show, &cli_case_list, &case_close, &case_withdraw, NULL,
};

const struct cli_command cli_case_cmd_case = {
	.name = "case",
	.args = "COMMAND [ARGS]",
	.brief = "register, show, list, close and withdraw cases",
	.help = "Cases: one application (søknad) each, known by the case system's reference.\n",
	.subs = case_subs,
};

static const struct spec reply_add_spec = {
	.method = METHOD("RecordPreliminaryReply"),
	.arg = "REF",
};

static const struct cli_command reply_add = {
	.name = "reply add",
	.args = "REF --sent TIME --promised DATE",
	.brief = "record a preliminary reply (foreløpig svar)",
	.help = "A preliminary reply (foreløpig svar) was sent in case REF, because the decision\n"
		"would take longer than the law allows without one; it promises an answer by DATE.\n"
		"\n"
		"  --sent TIME         when the reply was sent\n"
		"  --promised DATE     the date the reply promises an answer by\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reply_add_spec,
};

static const struct cli_command *const reply_subs[] = { &reply_add, NULL };

const struct cli_command cli_case_cmd_reply = {
	.name = "reply",
	.args = "COMMAND [ARGS]",
	.brief = "preliminary replies",
	.help = "Preliminary replies (foreløpig svar): the notice that a decision will take longer.\n",
	.subs = reply_subs,
};

static const struct spec doc_request_spec = {
	.method = METHOD("RequestDocumentation"),
	.arg = "REF",
};

static const struct cli_command doc_request = {
	.name = "documentation request",
	.args = "REF --requested TIME [--due DATE]",
	.brief = "record a request for documents",
	.help = "The office asked the applicant in case REF for documents by DATE\n"
		"(innsendelsesfrist).\n"
		"\n"
		"  --requested TIME    when the documents were asked for\n"
		"  --due DATE          the last day to send them (default: the documentation\n"
		"                      rule's period from the request, 14 days as shipped)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &doc_request_spec,
};

static const struct spec doc_receive_spec = {
	.method = METHOD("ReceiveDocumentation"),
	.arg = "REF",
};

static const struct cli_command doc_receive = {
	.name = "documentation receive",
	.args = "REF --received TIME [--request N]",
	.brief = "record that requested documents arrived",
	.help = "The requested documents arrived in case REF.\n"
		"\n"
		"  --received TIME     when they arrived\n"
		"  --request N         the request (event N) they answer; default: every open one\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &doc_receive_spec,
};

static const struct cli_command *const doc_subs[] = { &doc_request, &doc_receive, NULL };

const struct cli_command cli_case_cmd_documentation = {
	.name = "documentation",
	.args = "COMMAND [ARGS]",
	.brief = "requests for documents and their arrival",
	.help = "Documentation: the office asks for documents, the applicant sends them.\n",
	.subs = doc_subs,
};

static const struct spec decision_add_spec = {
	.method = METHOD("RecordDecision"),
	.arg = "REF",
};

static const struct cli_command decision_add = {
	.name = "decision add",
	.args = "REF --made TIME --outcome OUTCOME [--reached TIME | --available TIME "
		"--notified TIME] [OPTIONS]",
	.brief = "record a decision (vedtak)",
	.help = "A decision (vedtak) was made in case REF. The complaint deadline runs from when\n"
		"the decision reached the party; without --reached (or --available and\n"
		"--notified) it has no date until a correction (--supersedes) supplies one.\n"
		"\n"
		"  --made TIME         when the decision was made\n"
		"  --outcome OUTCOME   innvilget, delvis_innvilget, avslatt or avvist\n"
		"  --reached TIME      when the notice reached the party (kom fram)\n"
		"  --available TIME    digital delivery: when it was made available, and\n"
		"  --notified TIME     when the notice of it was sent (the later one counts)\n"
		"  --oral              the decision was given orally: every decision must be\n"
		"                      written (BRUDD until 'decision confirm' records it)\n"
		"  --unreasoned        the decision gave no reasons: BRUDD unless it grants the\n"
		"                      application in full; a request for reasons then starts\n"
		"                      the complaint deadline again when they reach the party\n"
		"  --legal-basis TEXT  the provision applied, as the decision cites it\n"
		"  --need-hours N      BPA: the assessed need, hours a week (0-168)\n"
		"  --need-months N     BPA: how long the need is expected to last, in months\n"
		"  --age-group G       BPA: under_67, granted_before_67 or 67_or_over; a refusal\n"
		"                      that conflicts with the right is a possible breach\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &decision_add_spec,
};

static const struct spec decision_confirm_spec = {
	.method = METHOD("ConfirmDecision"),
	.arg = "REF",
};

static const struct cli_command decision_confirm = {
	.name = "decision confirm",
	.args = "REF --confirmed TIME [--decision N]",
	.brief = "record that an oral decision was confirmed in writing",
	.help = "A decision given orally in case REF was confirmed in writing (every decision\n"
		"must be written): its BRUDD is marked as remedied.\n"
		"\n"
		"  --confirmed TIME    when the written decision was sent\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &decision_confirm_spec,
};

static const struct cli_command *const decision_subs[] = { &decision_add, &decision_confirm, NULL };

const struct cli_command cli_case_cmd_decision = {
	.name = "decision",
	.args = "COMMAND [ARGS]",
	.brief = "decisions",
	.help = "Decisions (vedtak).\n",
	.subs = decision_subs,
};

static const struct spec reasons_request_spec = {
	.method = METHOD("RequestReasons"),
	.arg = "REF",
};

static const struct cli_command reasons_request = {
	.name = "reasons request",
	.args = "REF --requested TIME [--decision N]",
	.brief = "record that the party asked for reasons",
	.help = "The party in case REF asked for the reasons behind a decision (begrunnelse). For\n"
		"a decision given without reasons, a request made before the complaint deadline\n"
		"ends interrupts it, and a new full deadline starts when the reasons reach the\n"
		"party; for a decision that gave its reasons the request is recorded and the\n"
		"deadline stays.\n"
		"\n"
		"  --requested TIME    when the reasons were asked for\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reasons_request_spec,
};

static const struct spec reasons_give_spec = {
	.method = METHOD("GiveReasons"),
	.arg = "REF",
};

static const struct cli_command reasons_give = {
	.name = "reasons give",
	.args = "REF --reached TIME [--decision N]",
	.brief = "record that the reasons reached the party",
	.help = "The reasons of a decision in case REF reached the party.\n"
		"\n"
		"  --reached TIME      when they reached the party\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reasons_give_spec,
};

static const struct cli_command *const reasons_subs[] = { &reasons_request, &reasons_give, NULL };

const struct cli_command cli_case_cmd_reasons = {
	.name = "reasons",
	.args = "COMMAND [ARGS]",
	.brief = "requests for the reasons of a decision",
	.help = "Requests for the reasons behind a decision (begrunnelse) and the reasons given.\n",
	.subs = reasons_subs,
};

static const struct spec extend_spec = {
	.method = METHOD("ExtendDeadline"),
	.arg = "REF",
};

/* Every deadline kind of core/vocab.c, filled in when printed (cli_help_text). */
#define KIND_NOTE "KIND is {kinds}.\n"

const struct cli_command cli_case_cmd_extend = {
	.name = "extend",
	.args = "REF --kind KIND --until DATE --reason TEXT [--subject N]",
	.brief = "extend a deadline (forlenget frist)",
	.help = "Extend a deadline of case REF to DATE (forlenget frist), before it expires.\n"
		"Recorded with your account and the reason.\n"
		"\n"
		"  --kind KIND         the deadline's kind\n"
		"  --until DATE        the new last day\n"
		"  --reason TEXT       why (no personal data)\n"
		"  --subject N         the event the deadline belongs to; default: the latest\n"
		"                      deadline of that kind\n" EVENT_OPTIONS SUPERSEDES_OPTION
			COMMON_OPTIONS "\n" KIND_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &extend_spec,
};

static const struct spec override_spec = {
	.method = METHOD("OverrideDeadline"),
	.arg = "REF",
};

const struct cli_command cli_case_cmd_override = {
	.name = "override",
	.args = "REF --kind KIND --due DATE --reason TEXT [--subject N]",
	.brief = "set a deadline's date by hand",
	.help = "Set the date of a deadline of case REF by hand. Recorded with your account and\n"
		"the reason.\n"
		"\n"
		"  --kind KIND         the deadline's kind\n"
		"  --due DATE          its last day\n"
		"  --reason TEXT       why (no personal data)\n"
		"  --subject N         the event the deadline belongs to; default: the latest\n"
		"                      deadline of that kind\n" EVENT_OPTIONS SUPERSEDES_OPTION
			COMMON_OPTIONS "\n" KIND_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &override_spec,
};

static const struct spec complaint_add_spec = {
	.method = METHOD("RecordComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_add = {
	.name = "complaint add",
	.args = "REF --sent TIME [--received TIME] [--decision N]",
	.brief = "record a complaint (klage)",
	.help = "A complaint (klage) in case REF. Whether it is in time is judged by when it was\n"
		"sent, not when the office got it.\n"
		"\n"
		"  --sent TIME         when it was posted or submitted\n"
		"  --received TIME     when the office got it (default: --sent)\n"
		"  --decision N        the decision complained of (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_add_spec,
};

static const struct spec complaint_forward_spec = {
	.method = METHOD("ForwardComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_forward = {
	.name = "complaint forward",
	.args = "REF --forwarded TIME [--complaint N]",
	.brief = "record that a complaint went to the complaint body",
	.help = "The complaint in case REF was forwarded to the complaint body: Statsforvalteren\n"
		"for the social services and patient rights acts, the municipality's klagenemnd\n"
		"for other decisions (each regime names its body in rules.conf; 'case show'\n"
		"says which).\n"
		"\n"
		"  --forwarded TIME    when it was forwarded\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_forward_spec,
};

static const struct spec complaint_decide_spec = {
	.method = METHOD("DecideComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_decide = {
	.name = "complaint decide",
	.args = "REF --decided TIME --outcome OUTCOME [--complaint N]",
	.brief = "record the outcome of a complaint",
	.help = "The complaint in case REF was decided. Only a full reversal or quashing by the\n"
		"office, or its dismissal of the complaint, ends its duty to forward it; after a\n"
		"partial reversal, or the decision kept, the complaint must still go to the\n"
		"complaint body.\n"
		"\n"
		"  --decided TIME      when it was decided\n"
		"  --outcome OUTCOME   omgjort (reversed in full), delvis_omgjort (in part),\n"
		"                      stadfestet (kept, or upheld by the complaint body),\n"
		"                      opphevet (quashed) or avvist (dismissed)\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_decide_spec,
};

static const struct spec complaint_withdraw_spec = {
	.method = METHOD("WithdrawComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_withdraw = {
	.name = "complaint withdraw",
	.args = "REF --withdrawn TIME [--complaint N]",
	.brief = "record that the party withdrew a complaint",
	.help = "The party withdrew the complaint in case REF: the duty to forward it ends.\n"
		"\n"
		"  --withdrawn TIME    when it was withdrawn\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_withdraw_spec,
};

static const struct cli_command *const complaint_subs[] = {
	&complaint_add, &complaint_forward, &complaint_decide, &complaint_withdraw, NULL,
};

const struct cli_command cli_case_cmd_complaint = {
	.name = "complaint",
	.args = "COMMAND [ARGS]",
	.brief = "complaints (klage)",
	.help = "Complaints (klage) against decisions, their forwarding and outcome.\n",
	.subs = complaint_subs,
};
