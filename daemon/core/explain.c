// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * explain: a deadline and a finding as JSON for the protocol, and a deadline's explanation
 * as Norwegian lines for a case worker (see rules.h, rules_deadline_json() and
 * rules_deadline_text()).
 */
#include "core/rules.h"
#include "core/engine_impl.h"

#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/vocab.h"

/* What the start day is, in the words of a case worker. */
/* The explanation as JSON. */

static json_t *
jdate(bool has, struct cal_date d)
{
	char buf[CAL_DATE_LEN];

	return has ? json_string(cal_date_format(d, buf)) : json_null();
}

/* A string, or null for NULL (and for invalid UTF-8, which jansson refuses). */
static json_t *
jstr(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

static json_t *
jid(bool has, int64_t id)
{
	return has ? json_integer(id) : json_null();
}

static void
set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

static json_t *
steps_json(const struct cal_step *steps, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object();

		set(v, "day", jdate(true, steps[i].day));
		set(v, "why", jstr(steps[i].why));
		set(v, "to", jdate(true, cal_add_days(steps[i].day, 1)));
		json_array_append_new(a, v);
	}
	return a;
}

static json_t *
change_json(const struct rules_change *ch)
{
	json_t *o = json_object();

	set(o, "event", json_integer(ch->event));
	set(o, "date", jdate(true, ch->date));
	set(o, "due", jdate(true, ch->due));
	set(o, "steps", steps_json(ch->steps, ch->n_steps));
	set(o, "applied", json_boolean(ch->applied));
	set(o, "who", jstr(ch->who));
	set(o, "why", jstr(ch->why));
	return o;
}

json_t *
rules_deadline_json(const struct rules_deadline *d)
{
	json_t *o = json_object(), *a, *x, *y, *v;
	char buf[CAL_PERIOD_WORDS_LEN];

	set(o, "kind", json_string(rules_kind_name(d->kind)));
	set(o, "label", json_string(rules_kind_label(d->kind)));
	set(o, "duty", json_string(rules_kind_is_office_duty(d->kind) ? "office" : "party"));
	set(o, "subject", json_integer(d->subject));
	set(o, "state", json_string(rules_state_name(d->state)));
	set(o, "due", jdate(d->has_due, d->due));
	set(o, "met_on", jdate(d->has_met, d->met_on));
	set(o, "met_by", jid(d->has_met, d->met_by));
	set(o, "cancelled_on", jdate(d->has_cancelled, d->cancelled_on));
	set(o, "cancelled_by", jid(d->has_cancelled, d->cancelled_by));
	set(o, "rule", jstr(d->rule));
	set(o, "source", jstr(d->source));
	if (d->has_start) {
		v = json_object();
		set(v, "event", json_integer(d->start_event));
		set(v, "type", json_string(rules_start_name(d->start_type)));
		set(v, "date", jdate(true, d->start));
		set(o, "start", v);
	} else {
		set(o, "start", json_null());
	}
	set(o, "period", d->has_period ? json_string(cal_period_format(d->period, buf)) : NULL);
	set(o, "period_words",
	    d->has_period ? json_string(cal_period_words(d->period, buf)) : NULL);
	set(o, "rollover", json_string(rules_rollover_name(d->rollover)));
	set(o, "calendar", jstr(d->calendar));
	set(o, "raw_end", jdate(d->has_raw_end, d->raw_end));
	set(o, "pause_days", json_integer(d->pause_days));
	set(o, "paused_end", jdate(d->has_raw_end, d->paused_end));
	set(o, "steps", steps_json(d->steps, d->n_steps));
	set(o, "rule_due", jdate(d->has_rule_due, d->rule_due));
	a = json_array();
	for (size_t i = 0; i < d->n_pauses; i++) {
		const struct rules_pause *p = &d->pauses[i];

		v = json_object();
		set(v, "event", json_integer(p->event));
		set(v, "from", jdate(true, p->from));
		set(v, "to", jdate(true, p->to));
		set(v, "days", json_integer(p->days));
		set(v, "open", json_boolean(p->open));
		set(v, "ran_out", json_boolean(p->ran_out));
		set(v, "late", json_boolean(p->late));
		json_array_append_new(a, v);
	}
	set(o, "pauses", a);
	x = json_array();
	y = json_array();
	for (size_t i = 0; i < d->n_changes; i++)
		json_array_append_new(d->changes[i].override ? y : x, change_json(&d->changes[i]));
	set(o, "extensions", x);
	set(o, "overrides", y);
	if (d->has_restart) {
		v = json_object();
		set(v, "requested_event", json_integer(d->restart.requested_event));
		set(v, "requested", jdate(true, d->restart.requested));
		set(v, "given_event", jid(d->restart.given, d->restart.given_event));
		set(v, "given", jdate(d->restart.given, d->restart.given_on));
		set(o, "restart", v);
	} else {
		set(o, "restart", json_null());
	}
	set(o, "promised_on", jdate(d->promised, d->promised_on));
	set(o, "complaint_body", jstr(d->complaint_body));
	set(o, "extension", jstr(d->extension));
	a = json_array();
	for (size_t i = 0; i < d->n_notes; i++)
		json_array_append_new(a, jstr(d->notes[i]));
	set(o, "notes", a);
	return o;
}

json_t *
rules_finding_json(const struct rules_finding *f)
{
	json_t *o = json_object();

	set(o, "event", json_integer(f->event));
	set(o, "code", json_string(f->code));
	set(o, "text", jstr(f->text));
	set(o, "possible", json_boolean(f->possible));
	set(o, "closed_by", jid(f->closed, f->closed_by));
	set(o, "closed_on", jdate(f->closed, f->closed_on));
	return o;
}

/* The explanation as text. */

/* The label with a capital first letter (every label starts with an ASCII letter). */
static void
sb_label(struct strbuf *b, enum rules_kind kind)
{
	const char *l = rules_kind_label(kind);

	strbuf_printf(b, "%c%s", l[0] >= 'a' && l[0] <= 'z' ? l[0] - 'a' + 'A' : l[0], l + 1);
}

/* The deadline's name: its label, the forwarding label naming the complaint body. */
static void
sb_name(struct strbuf *b, const struct rules_deadline *d)
{
	if (d->kind == RULES_KIND_FORWARDING && d->complaint_body)
		strbuf_printf(b, "Frist for oversendelse til %s", d->complaint_body);
	else
		sb_label(b, d->kind);
}

/* s without its final full stops, for a sentence that goes on after it. */
static int
trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		n--;
	return (int)n;
}

static void
text_headline(struct strbuf *b, const struct rules_deadline *d)
{
	char words[CAL_PERIOD_WORDS_LEN];

	sb_name(b, d);
	if (!d->has_start) {
		strbuf_printf(b, " på %s: ingen startdato ennå. Hjemmel: %.*s.\n",
			      cal_period_words(d->period, words), trimmed(d->source), d->source);
		return;
	}
	if (!d->has_period) {
		strbuf_printf(b, " %s, satt %s (%s). Hjemmel: %.*s.\n", DATE(d->raw_end),
			      DATE(d->start), vocab_start_row(d->start_type)->nb,
			      trimmed(d->source), d->source);
		return;
	}
	strbuf_printf(b, " på %s regnet fra %s (%s): %s. Hjemmel: %.*s.\n",
		      cal_period_words(d->period, words), DATE(d->start),
		      vocab_start_row(d->start_type)->nb, DATE(d->raw_end), trimmed(d->source),
		      d->source);
	if (d->pause_days > 0)
		strbuf_printf(b,
			      "Fristen har stått stille i %s mens dokumentasjon ble ventet: %s.\n",
			      DAYS(d->pause_days), DATE(d->paused_end));
}

/* "2026-04-02 skjærtorsdag, 2026-04-03 langfredag → 2026-04-07". */
static void
text_steps(struct strbuf *b, const struct cal_step *steps, size_t n, struct cal_date to)
{
	for (size_t i = 0; i < n; i++)
		strbuf_printf(b, "%s%s %s", i ? ", " : "", DATE(steps[i].day), steps[i].why);
	strbuf_printf(b, " → %s", DATE(to));
}

static void
text_rollover(struct strbuf *b, const struct rules_deadline *d)
{
	const char *why;

	if (!d->has_rule_due)
		return;
	if (d->n_steps > 0) {
		strbuf_printf(b,
			      "Siste dag er ikke en virkedag og flyttes til nærmeste virkedag: ");
		text_steps(b, d->steps, d->n_steps, d->rule_due);
		strbuf_printf(b, ".\n");
	} else if (d->rollover == RULES_ROLLOVER_NONE && cal_is_closed(NULL, d->paused_end, &why)) {
		strbuf_printf(b, "%s er %s, men regelen flytter ikke fristen.\n",
			      DATE(d->paused_end), why);
	}
	if (d->calendar)
		strbuf_printf(b, "Kontorkalenderen «%s» teller med når fristen flyttes.\n",
			      d->calendar);
}

/* The state in words: its label (the vocabulary's), then what made it so. */
static void
text_state(struct strbuf *b, const struct rules_deadline *d)
{
	const struct vocab_state *st = vocab_state_row(d->state);
	bool late = d->has_met && d->has_due && cal_cmp(d->met_on, d->due) > 0;

	if (d->has_due)
		strbuf_printf(b, "Frist: %s. Status: ", DATE(d->due));
	else
		strbuf_printf(b, "Ingen frist ennå. Status: ");
	if (st)
		strbuf_puts(b, st->nb);
	switch (d->state) {
	case RULES_STATE_MET:
		strbuf_printf(b, " %s (hendelse %lld)", DATE(d->met_on), (long long)d->met_by);
		break;
	case RULES_STATE_MISSED:
		if (late)
			strbuf_printf(b, " – fulgt opp %s (hendelse %lld), %s for sent",
				      DATE(d->met_on), (long long)d->met_by,
				      DAYS(cal_diff_days(d->due, d->met_on)));
		else
			strbuf_printf(b, " – ikke oppfylt");
		break;
	case RULES_STATE_EXPIRED:
		if (late)
			strbuf_printf(b, " – %s %s (hendelse %lld), %s for sent",
				      d->kind == RULES_KIND_DOCUMENTATION ? "dokumentasjonen kom"
									  : "klagen ble sendt",
				      DATE(d->met_on), (long long)d->met_by,
				      DAYS(cal_diff_days(d->due, d->met_on)));
		else if (d->kind == RULES_KIND_DOCUMENTATION)
			strbuf_printf(b, " – dokumentasjonen kom ikke");
		else
			strbuf_printf(b, " – ingen klage");
		break;
	case RULES_STATE_CANCELLED:
		strbuf_printf(b, " %s (hendelse %lld)", DATE(d->cancelled_on),
			      (long long)d->cancelled_by);
		break;
	default:
		break;
	}
	strbuf_printf(b, ".\n");
}

static void
text_pause(struct strbuf *b, const struct rules_pause *p)
{
	if (p->late)
		strbuf_printf(
			b,
			"Dokumentasjon etterspurt %s, etter at fristen var ute: fristen stod ikke stille.\n",
			DATE(p->from));
	else if (p->open)
		strbuf_printf(
			b,
			"Fristen står stille fra %s (dokumentasjon etterspurt), fortsatt per %s: %s så langt.\n",
			DATE(p->from), DATE(p->to), DAYS(p->days));
	else if (p->ran_out)
		strbuf_printf(
			b,
			"Fristen stod stille fra %s (dokumentasjon etterspurt) til innsendelsesfristen %s: %s.\n",
			DATE(p->from), DATE(p->to), DAYS(p->days));
	else
		strbuf_printf(b,
			      "Fristen stod stille fra %s (dokumentasjon etterspurt) til %s: %s.\n",
			      DATE(p->from), DATE(p->to), DAYS(p->days));
}

static void
text_change(struct strbuf *b, const struct rules_change *ch, const char *provision)
{
	strbuf_printf(b, "%s til %s (hendelse %lld)", ch->override ? "Overstyrt" : "Forlenget",
		      DATE(ch->date), (long long)ch->event);
	if (ch->who)
		strbuf_printf(b, " av %s", ch->who);
	if (ch->why)
		strbuf_printf(b, ": %.*s", trimmed(ch->why), ch->why);
	strbuf_printf(b, ".");
	if (!ch->override && provision)
		strbuf_printf(b, " Hjemmel for forlengelsen: %.*s.", trimmed(provision), provision);
	strbuf_printf(b, "\n");
	if (ch->n_steps > 0) {
		strbuf_printf(b, "Den nye siste dagen er ikke en virkedag og flyttes: ");
		text_steps(b, ch->steps, ch->n_steps, ch->due);
		strbuf_printf(b, ".\n");
	}
}

char *
rules_deadline_text(const struct rules_deadline *d)
{
	struct strbuf b = { 0 };

	text_headline(&b, d);
	text_rollover(&b, d);
	for (size_t i = 0; i < d->n_pauses; i++)
		text_pause(&b, &d->pauses[i]);
	if (d->has_restart && d->restart.given)
		strbuf_printf(
			&b,
			"Parten ba om begrunnelse %s, og begrunnelsen kom fram %s: ny full klagefrist fra den dagen.\n",
			DATE(d->restart.requested), DATE(d->restart.given_on));
	for (size_t i = 0; i < d->n_changes; i++)
		text_change(&b, &d->changes[i], d->extension);
	for (size_t i = 0; i < d->n_notes; i++)
		strbuf_printf(&b, "%s\n", d->notes[i]);
	text_state(&b, d);
	strbuf_printf(&b, "Regel: %s.\n", d->rule);
	return strbuf_take(&b);
}
