// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_case: the words the case register's views share (see cli_case_impl.h): the states
 * of cases and deadlines, the words of the views in bokmål and English, and how a deadline
 * is labelled and marked for a case worker — in case show, the replies to recorded events,
 * the deadline list and the calendar export alike.
 */
#include "cli/cli_case.h"
#include "cli/cli_case_impl.h"

#include <time.h>

#include "core/cal.h"
#include "core/vocab.h"
#include "core/util.h"

const struct word cli_case_state_words[] = {
	{ "open", { "åpen", "open" } },
	{ "withdrawn", { "trukket", "withdrawn" } },
	{ "closed", { "avsluttet", "closed" } },
	{ NULL, { NULL, NULL } },
};

const char *
cli_deadline_state_word(enum cli_lang lang, const char *name)
{
	enum rules_state s;

	if (!name)
		return "?";
	if (rules_state_parse(name, &s) < 0)
		return name;
	return lang == CLI_LANG_EN ? vocab_state_row(s)->en : vocab_state_row(s)->nb;
}

const char *
cli_event_word(enum cli_lang lang, const char *name)
{
	enum rules_event_type t;

	if (!name)
		return "?";
	if (rules_event_type_parse(name, &t) < 0)
		return name;
	return lang == CLI_LANG_EN ? vocab_event_row(t)->en : vocab_event_row(t)->nb;
}

/* The words for name, or name itself when it has none (a newer daemon). */
const char *
cli_words(enum cli_lang lang, const struct word *table, const char *name)
{
	if (!name)
		return "?";
	for (; table->name; table++) {
		if (strcmp(table->name, name) == 0)
			return cli_text_in(lang, &table->text);
	}
	return name;
}

const struct cli_text cli_case_words[W_COUNT] = {
	[W_EVENT] = { "hendelse", "event" },
	[W_BREACH] = { "BRUDD", "BREACH" },
	[W_RECORDED] = { "registrerte hendelse", "recorded event" },
	[W_IN_CASE] = { "i sak", "in case" },
	[W_DUPLICATE] = { "allerede registrert som hendelse", "already recorded as event" },
	[W_NO_OPEN] = { "ingen åpne frister", "no open deadlines" },
	[W_OPEN] = { "åpne frister:", "open deadlines:" },
	[W_CASE] = { "Sak", "Case" },
	[W_STATE] = { "Status:", "State:" },
	[W_SERVICE] = { "Tjeneste:", "Service:" },
	[W_HANDLER] = { "Saksbehandler:", "Handler:" },
	[W_UNIT] = { "Enhet:", "Unit:" },
	[W_RECEIVED] = { "Mottatt:", "Received:" },
	[W_EMERGENCY] = { "Nødhjelp:", "Emergency aid:" },
	[W_YES] = { "ja", "yes" },
	[W_CONTACT] = { "Kontakt:", "Contact:" },
	[W_CONTACT_KEPT] = { "lagret med samtykke", "kept with consent" },
	[W_EVENTS] = { "Hendelser", "Events" },
	[W_DEADLINES] = { "Frister", "Deadlines" },
	[W_NONE] = { "ingen", "none" },
	[W_CORRECTS] = { "retter hendelse", "corrects event" },
	[W_CORRECTED_BY] = { "rettet av hendelse", "corrected by event" },
	[W_OVERDUE] = { "OVERSKREDET", "OVERDUE" },
	[W_POSSIBLE_BREACH] = { "MULIG BRUDD", "POSSIBLE BREACH" },
	[W_IN_EVENT] = { "i hendelse", "in event" },
	[W_REMEDIED] = { "Rettet", "Remedied" },
	[W_NEED] = { "behov", "need" },
	[W_HOURS_A_WEEK] = { "timer i uken", "hours a week" },
	[W_FOR] = { "i", "for" },
	[W_MONTHS] = { "måneder", "months" },
	[W_FORWARDED_TO] = { "oversendt", "forwarded to" },
	[W_FORWARDING_TO] = { "frist for oversendelse til", "deadline for forwarding to" },
	[W_COMPLAINT_CAME] = { "klagen ble sendt", "the complaint was sent" },
	[W_DOCUMENTS_CAME] = { "dokumentasjonen kom", "the documents came" },
	[W_TOO_LATE] = { "for sent", "too late" },
	[W_NO_COMPLAINT] = { "ingen klage", "no complaint" },
	[W_NO_DOCUMENTS] = { "dokumentasjonen kom ikke", "no documents came" },
	[W_MET_LATE] = { "fulgt opp for sent", "met late" },
	[W_SOON] = { "snart", "soon" },
	[W_TODAY] = { "i dag", "today" },
	[W_TOMORROW] = { "i morgen", "tomorrow" },
	[W_IN_DAYS] = { "om", "in" },
	[W_DAYS] = { "dager", "days" },
	[W_NO_DATE] = { "ingen dato ennå", "no date yet" },
	[W_EMERGENCY_AID] = { "nødhjelp", "emergency aid" },
	[W_PROMISED] = { "svar lovet innen", "answer promised by" },
	[W_DOC_DUE] = { "innsendelsesfrist", "documents due" },
	[W_CONCERNS_REQUEST] = { "gjelder forespørsel i hendelse",
				 "concerns the request in event" },
	[W_ALL_REQUESTS] = { "gjelder alle åpne forespørsler", "concerns every open request" },
	[W_ORAL] = { "muntlig", "oral" },
	[W_UNREASONED] = { "uten begrunnelse", "without reasons" },
	[W_REACHED] = { "kom fram", "reached the party" },
	[W_AVAILABLE] = { "gjort tilgjengelig", "made available" },
	[W_NOTICE_SENT] = { "varsel sendt", "notice sent" },
	[W_LEGAL_BASIS] = { "hjemmel", "legal basis" },
	[W_CONCERNS_DECISION] = { "gjelder vedtaket i hendelse", "concerns the decision in event" },
	[W_EXTENDED_TO] = { "forlenget til", "extended to" },
	[W_SET_TO] = { "satt til", "set to" },
	[W_FOR_EVENT] = { "for hendelse", "for event" },
	[W_BY] = { "av", "by" },
	[W_COMPLAINT_RECEIVED] = { "mottatt", "received" },
	[W_CONCERNS_COMPLAINT] = { "gjelder klagen i hendelse", "concerns the complaint in event" },
};

/*
 * Days from today to a date "YYYY-MM-DD"; false when it has none. today is the daemon's
 * ("YYYY-MM-DD", what its deadline states are judged on, which the test clock moves), or
 * NULL from a daemon that does not say: then the local civil date.
 */
static bool
days_until(const char *date, const char *today_s, int32_t *days)
{
	struct cal_date d, today;

	if (!date || cal_date_parse(date, &d) < 0)
		return false;
	if (today_s ? cal_date_parse(today_s, &today) < 0
		    : cal_date_of_instant((int64_t)time(NULL), &today) < 0)
		return false;
	*days = cal_diff_days(today, d);
	return true;
}

/* The label of a deadline as a case worker reads it: forwarding names the complaint body. */
void
cli_deadline_label(enum cli_lang lang, struct strbuf *b, json_t *d)
{
	const char *body = str(d, "complaint_body");

	if (strcmp(str_or(d, "kind", ""), "forwarding") == 0 && body)
		strbuf_printf(b, "%s %s", w(lang, W_FORWARDING_TO), body);
	else
		strbuf_puts(b, cli_text_kind(lang, str(d, "kind")));
}

/*
 * A deadline's state for a case worker: OVERSKREDET (an office duty past its date), utløpt
 * (a party's deadline that passed: no breach), snart, åpen, overholdt, bortfalt.
 */
/* A party's deadline that passed: what came, too late, or that nothing came. */
/* A deadline state's word for people, from the vocabulary. */
static const char *
state_word(enum cli_lang lang, enum rules_state st)
{
	return lang == CLI_LANG_EN ? vocab_state_row(st)->en : vocab_state_row(st)->nb;
}

static void
mark_expired(enum cli_lang lang, struct strbuf *b, const char *met, bool documentation)
{
	if (met)
		strbuf_printf(b, "%s – %s %s, %s", state_word(lang, RULES_STATE_EXPIRED),
			      w(lang, documentation ? W_DOCUMENTS_CAME : W_COMPLAINT_CAME), met,
			      w(lang, W_TOO_LATE));
	else
		strbuf_printf(b, "%s – %s", state_word(lang, RULES_STATE_EXPIRED),
			      w(lang, documentation ? W_NO_DOCUMENTS : W_NO_COMPLAINT));
}

/* An open deadline due within SOON_DAYS days. */
static void
mark_soon(enum cli_lang lang, struct strbuf *b, int32_t days)
{
	if (days == 0)
		strbuf_printf(b, "%s (%s)", w(lang, W_SOON), w(lang, W_TODAY));
	else if (days == 1)
		strbuf_printf(b, "%s (%s)", w(lang, W_SOON), w(lang, W_TOMORROW));
	else
		strbuf_printf(b, "%s (%s %d %s)", w(lang, W_SOON), w(lang, W_IN_DAYS), (int)days,
			      w(lang, W_DAYS));
}

/* A deadline that passed or ended: met, cancelled, or a state this CLI does not know. */
static void
mark_ended(enum cli_lang lang, struct strbuf *b, json_t *d, const char *state)
{
	if (strcmp(state, "met") == 0)
		strbuf_printf(b, "%s %s", state_word(lang, RULES_STATE_MET),
			      str_or(d, "met_on", ""));
	else if (strcmp(state, "cancelled") == 0)
		strbuf_printf(b, "%s %s", state_word(lang, RULES_STATE_CANCELLED),
			      str_or(d, "cancelled_on", ""));
	else
		strbuf_puts(b, state);
}

void
cli_deadline_mark(enum cli_lang lang, struct strbuf *b, json_t *d, const char *today)
{
	const char *state = str_or(d, "state", "?");
	const char *met = str(d, "met_on");
	bool office = strcmp(str_or(d, "duty", "office"), "office") == 0;
	bool open = strcmp(state, "open") == 0;
	int32_t days = 0;
	bool dated = days_until(str(d, "due"), today, &days);
	bool passed = open && dated && days < 0;

	if (strcmp(state, "expired") == 0 || (passed && !office)) {
		mark_expired(lang, b, met, strcmp(str_or(d, "kind", ""), "documentation") == 0);
	} else if (strcmp(state, "missed") == 0 || passed) {
		if (met)
			strbuf_printf(b, "%s – %s %s", w(lang, W_OVERDUE), w(lang, W_MET_LATE),
				      met);
		else
			strbuf_puts(b, w(lang, W_OVERDUE));
	} else if (open && dated && days <= SOON_DAYS) {
		mark_soon(lang, b, days);
	} else if (open) {
		if (dated)
			strbuf_puts(b, state_word(lang, RULES_STATE_OPEN));
		else
			strbuf_printf(b, "%s, %s", state_word(lang, RULES_STATE_OPEN),
				      w(lang, W_NO_DATE));
	} else {
		mark_ended(lang, b, d, state);
	}
}

/* A finding in English: the daemon's sentence is bokmål. */
static const struct word breach_words[] = {
	{ "oral_decision", { NULL, "a decision given orally (every decision must be written)" } },
	{ "unreasoned_decision",
	  { NULL, "a decision without the reasons it needed (only a full grant may omit them)" } },
	{ "bpa_refusal",
	  { NULL, "a refusal of BPA that conflicts with the right, given the need recorded" } },
	{ NULL, { NULL, NULL } },
};

/*
 * "BRUDD i hendelse 7: Vedtaket ble gitt muntlig, ... (forvaltningsloven § 23)." - each
 * text is a whole sentence with its citation; a finding remedied later says by what.
 */
void
cli_print_breaches(enum cli_lang lang, json_t *breaches)
{
	json_t *b;
	size_t i;

	json_array_foreach(breaches, i, b)
	{
		const char *text = str_or(b, "text", str_or(b, "code", "?"));

		if (lang == CLI_LANG_EN)
			text = cli_words(lang, breach_words, str_or(b, "code", "?"));
		printf("%s %s %lld: %s%s",
		       w(lang, is_true(b, "possible") ? W_POSSIBLE_BREACH : W_BREACH),
		       w(lang, W_IN_EVENT), num(b, "event"), text, lang == CLI_LANG_EN ? "." : "");
		if (json_is_integer(json_object_get(b, "closed_by")))
			printf(" %s %s (%s %lld).", w(lang, W_REMEDIED),
			       str_or(b, "closed_on", "?"), w(lang, W_EVENT), num(b, "closed_by"));
		putchar('\n');
	}
}
