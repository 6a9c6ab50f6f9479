// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * rules: the deadline rules as loaded (conf/rules_load.c reads them from the configuration),
 * and the engine that derives a case's deadlines from its events (see rules.h). The law
 * lives in the configuration; this file knows only which events start, meet, pause,
 * restart, extend and cancel a deadline.
 *
 * A service's rules of a kind replace its regime's rules of that kind (emergency and
 * ordinary processing rules count as two kinds here, so adding an emergency variant does
 * not drop the regime's ordinary norm). Among the versions of a kind the one with the latest
 * valid_from on or before the deadline's start date applies.
 */
#include "core/rules.h"
#include "core/rules_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"

#define NONE SIZE_MAX

static const char *const age_group_names[RULES_AGE_COUNT] = { "unknown", "under_67",
							      "granted_before_67", "67_or_over" };

const char *const rules_start_names[RULES_START_COUNT] = {
	"received",	 "documentation_requested", "decision_made",	  "decision_reached",
	"reasons_given", "complaint_sent",	    "complaint_received", "preliminary_reply",
};

/* What the start day is, in the words of a case worker. */
static const char *const start_words[RULES_START_COUNT] = {
	"søknaden mottatt",  "dokumentasjon etterspurt", "vedtaket truffet",
	"vedtaket kom fram", "begrunnelsen kom fram",	 "klagen sendt",
	"klagen mottatt",    "foreløpig svar sendt",
};

/* Names. */

int
rules_name_index(const char *s, const char *const *names, size_t n, int *out)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
rules_age_group_name(enum rules_age_group g)
{
	if ((unsigned)g >= RULES_AGE_COUNT)
		return "?";
	return age_group_names[g];
}

int
rules_age_group_parse(const char *s, enum rules_age_group *out)
{
	int v, ret = rules_name_index(s, age_group_names, RULES_AGE_COUNT, &v);

	if (ret == 0)
		*out = (enum rules_age_group)v;
	return ret;
}

const char *
rules_start_name(enum rules_start start)
{
	if ((unsigned)start >= RULES_START_COUNT)
		return "?";
	return rules_start_names[start];
}

const char *
rules_rollover_name(enum rules_rollover rollover)
{
	return rollover == RULES_ROLLOVER_NONE ? "none" : "next_working_day";
}

/* Lookups, shared with the loader (rules_impl.h). */

const struct regime *
rules_find_regime(const struct rules *r, const char *id)
{
	for (size_t i = 0; i < r->n_regimes; i++) {
		if (strcmp(r->regimes[i].id, id) == 0)
			return &r->regimes[i];
	}
	return NULL;
}

const struct service *
rules_find_service(const struct rules *r, const char *id)
{
	if (!r || !id)
		return NULL;
	for (size_t i = 0; i < r->n_services; i++) {
		if (strcmp(r->services[i].id, id) == 0)
			return &r->services[i];
	}
	return NULL;
}

static void
rule_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].source);
		free(l->v[i].extension);
	}
	free(l->v);
}

void
rules_free(struct rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_services; i++) {
		for (size_t k = 0; k < r->services[i].n_bpa; k++) {
			free(r->services[i].bpa[k].source);
			free(r->services[i].bpa[k].right_text);
			free(r->services[i].bpa[k].justify_text);
		}
		free(r->services[i].bpa);
		rule_list_free(&r->services[i].rules);
		free(r->services[i].name);
		free(r->services[i].id);
	}
	free(r->services);
	for (size_t i = 0; i < r->n_regimes; i++) {
		rule_list_free(&r->regimes[i].rules);
		free(r->regimes[i].complaint_body);
		free(r->regimes[i].complaint_body_source);
		free(r->regimes[i].name);
		free(r->regimes[i].id);
	}
	free(r->regimes);
	for (size_t i = 0; i < r->n_citations; i++) {
		struct citations *c = &r->citations[i];

		for (size_t k = 0; k < RULES_CITATION_COUNT; k++)
			free(c->text[k]);
		for (size_t k = 0; c->optional && c->optional[k]; k++)
			free(c->optional[k]);
		free(c->optional);
		for (size_t k = 0; c->ends && c->ends[k]; k++)
			free(c->ends[k]);
		free(c->ends);
		free(c->written_text);
		free(c->reasoned_text);
	}
	free(r->citations);
	for (size_t i = 0; i < r->n_offices; i++)
		cal_office_deinit(&r->offices[i]);
	free(r->offices);
	free(r);
}

/* Lookups. */

size_t
rules_service_count(const struct rules *r)
{
	return r ? r->n_services : 0;
}

const char *
rules_service_id(const struct rules *r, size_t i)
{
	if (!r || i >= r->n_services)
		return NULL;
	return r->services[i].id;
}

bool
rules_has_service(const struct rules *r, const char *id)
{
	return rules_find_service(r, id) != NULL;
}

const char *
rules_service_name(const struct rules *r, const char *id)
{
	const struct service *s = rules_find_service(r, id);

	return s ? s->name : NULL;
}

const char *
rules_service_regime(const struct rules *r, const char *id)
{
	const struct service *s = rules_find_service(r, id);

	return s ? s->regime->id : NULL;
}

const struct cal_office *
rules_office(const struct rules *r, const char *name)
{
	if (!r || !name)
		return NULL;
	for (size_t i = 0; i < r->n_offices; i++) {
		if (r->offices[i].name && strcmp(r->offices[i].name, name) == 0)
			return &r->offices[i];
	}
	return NULL;
}

size_t
rules_office_count(const struct rules *r)
{
	return r ? r->n_offices : 0;
}

const struct cal_office *
rules_office_at(const struct rules *r, size_t i)
{
	if (!r || i >= r->n_offices)
		return NULL;
	return &r->offices[i];
}

const struct rules_procedure *
rules_procedure_at(const struct rules *r, struct cal_date on)
{
	static const char *const none[] = { NULL };
	static const char *const full_reversal[] = { "omgjort", NULL };
	static const struct rules_procedure fallback = {
		.reasons_optional = none,
		.forwarding_ended_by = full_reversal,
		.restart_when = RULES_RESTART_UNREASONED,
		.in_time = RULES_IN_TIME_SENT,
		.extension_before_expiry = true,
	};
	const struct citations *best = NULL;

	for (size_t i = 0; r && i < r->n_citations; i++) {
		const struct citations *c = &r->citations[i];

		if (cal_cmp(c->p.valid_from, on) <= 0 &&
		    (!best || cal_cmp(c->p.valid_from, best->p.valid_from) > 0))
			best = c;
	}
	return best ? &best->p : &fallback;
}

const char *
rules_citation(const struct rules *r, enum rules_citation what, struct cal_date on)
{
	if ((unsigned)what >= RULES_CITATION_COUNT)
		return NULL;
	return rules_procedure_at(r, on)->citation[what];
}

const char *
rules_complaint_body(const struct rules *r, const char *service)
{
	const struct service *s = rules_find_service(r, service);

	return s ? s->regime->complaint_body : NULL;
}

char *
rules_deadline_label(const struct rules *r, const char *service, enum rules_kind kind)
{
	const char *body = rules_complaint_body(r, service);

	if (kind == RULES_KIND_FORWARDING && body)
		return xasprintf("frist for oversendelse til %s", body);
	return xstrdup(rules_kind_label(kind));
}

const char *
rules_complaint_body_source(const struct rules *r, const char *service)
{
	const struct service *s = rules_find_service(r, service);

	return s ? s->regime->complaint_body_source : NULL;
}

/* The engine. */

struct ctx {
	const struct rules *rules;
	const struct service *svc;
	const struct rules_event *ev;
	size_t n_ev;
	struct cal_date today;
	size_t *target; /* per event: index of the event its ref resolves to, or NONE */
	size_t *answer; /* per documentation request: index of the event answering it, or NONE */
	/* Per documentation request: its deadline, computed first because its date ends the
	 * pause of the processing norm; pushed in its place afterwards. */
	struct rules_deadline *docs;
	bool *has_doc;
	struct rules_deadline *out;
	size_t n_out;
	size_t cap;
};

static void note(struct rules_deadline *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct rules_deadline *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->notes = xrealloc(d->notes, (d->n_notes + 1) * sizeof(*d->notes));
	d->notes[d->n_notes++] = xstrdup(buf);
}

/* Short-lived date strings for messages: fmt_date(d, (char[CAL_DATE_LEN]){ 0 }). */
static const char *
fmt_date(struct cal_date d, char *buf)
{
	return cal_date_format(d, buf);
}

#define DATE(d) fmt_date((d), (char[CAL_DATE_LEN]){ 0 })

/* "1 dag", "3 dager". */
static const char *
days_words(int32_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%d %s", n, n == 1 || n == -1 ? "dag" : "dager");
	return buf;
}

#define DAYS(n) days_words((n), (char[24]){ 0 }, 24)

/* " (citation)" or "" when the configuration names none. */
static const char *
cite(const char *source, char *buf, size_t len)
{
	if (!source)
		return "";
	snprintf(buf, len, " (%s)", source);
	return buf;
}

#define CITE(s) cite((s), (char[256]){ 0 }, 256)

static struct cal_date
date_max(struct cal_date a, struct cal_date b)
{
	return cal_cmp(a, b) >= 0 ? a : b;
}

/* Index of the event ref names (0: the latest of type recorded before i), or NONE. */
static size_t
resolve(const struct ctx *c, size_t i, int64_t ref, enum rules_event_type type)
{
	for (size_t j = i; j-- > 0;) {
		if (ref == 0 ? c->ev[j].type == type : c->ev[j].id == ref)
			return c->ev[j].type == type ? j : NONE;
	}
	return NONE;
}

/* The event type an event's ref names, or RULES_EV_COUNT for none. */
static enum rules_event_type
ref_type(const struct rules_event *e)
{
	const struct vocab_event *row = vocab_event_row(e->type);

	return row->ref_by_kind ? rules_kind_subject(e->kind) : row->ref;
}

/* Checks one event on its own: 0 or -EINVAL. */
static int
validate_one(const struct ctx *c, size_t i)
{
	const struct rules_event *e = &c->ev[i];

	if ((unsigned)e->type >= RULES_EV_COUNT || e->id <= 0 || !cal_date_valid(e->date) ||
	    (e->has_due && !cal_date_valid(e->due)) ||
	    (e->has_reached && !cal_date_valid(e->reached)) ||
	    (unsigned)e->age_group >= RULES_AGE_COUNT)
		return -EINVAL;
	for (size_t j = 0; j < i; j++) {
		if (c->ev[j].id == e->id)
			return -EINVAL;
	}
	if (e->has_reached && cal_cmp(e->reached, e->date) < 0)
		return -EINVAL;
	if ((e->type == RULES_EV_RECEIVED) != (i == 0))
		return -EINVAL;
	if (e->type == RULES_EV_DOC_REQUESTED && e->has_due && cal_cmp(e->due, e->date) < 0)
		return -EINVAL;
	if ((e->type == RULES_EV_EXTENSION || e->type == RULES_EV_OVERRIDE) &&
	    ((unsigned)e->kind >= RULES_KIND_COUNT || !e->has_due))
		return -EINVAL;
	return 0;
}

/* Checks the events and resolves every reference: 0 or -EINVAL. */
static int
validate(struct ctx *c)
{
	const struct rules_event *ev = c->ev;

	if (c->n_ev == 0)
		return -EINVAL;
	for (size_t i = 0; i < c->n_ev; i++) {
		const struct rules_event *e = &ev[i];
		enum rules_event_type want;
		/* Documents received without a reference answer every open request. */
		bool need = e->type != RULES_EV_DOC_RECEIVED || e->ref != 0;

		c->target[i] = NONE;
		c->answer[i] = NONE;
		if (validate_one(c, i) < 0)
			return -EINVAL;
		want = ref_type(e);
		if (want == RULES_EV_COUNT)
			continue;
		c->target[i] = resolve(c, i, e->ref, want);
		if (c->target[i] == NONE && need)
			return -EINVAL;
		/* What follows an event happens on or after its day. */
		if (c->target[i] != NONE && e->type != RULES_EV_EXTENSION &&
		    e->type != RULES_EV_OVERRIDE && cal_cmp(e->date, ev[c->target[i]].date) < 0)
			return -EINVAL;
	}
	/* Which documentation request each documentation_received answers (the earliest). */
	for (size_t k = 0; k < c->n_ev; k++) {
		if (ev[k].type != RULES_EV_DOC_RECEIVED)
			continue;
		for (size_t j = 0; j < k; j++) {
			bool fits = c->target[k] == j ||
				    (c->target[k] == NONE && ev[j].type == RULES_EV_DOC_REQUESTED &&
				     c->answer[j] == NONE);

			if (fits && (c->answer[j] == NONE ||
				     cal_cmp(ev[k].date, ev[c->answer[j]].date) < 0))
				c->answer[j] = k;
		}
	}
	return 0;
}

static bool
list_has(const struct rule_list *l, enum rules_kind kind, bool emergency)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].kind == kind && l->v[i].emergency == emergency)
			return true;
	}
	return false;
}

static const struct rule *
pick_in(const struct rule_list *l, enum rules_kind kind, bool emergency, struct cal_date on)
{
	const struct rule *best = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct rule *r = &l->v[i];

		if (r->kind != kind || r->emergency != emergency || cal_cmp(r->valid_from, on) > 0)
			continue;
		if (!best || cal_cmp(r->valid_from, best->valid_from) > 0)
			best = r;
	}
	return best;
}

/* The rule in force on the start date `on`; emergency prefers an emergency version. */
static const struct rule *
pick(const struct ctx *c, enum rules_kind kind, struct cal_date on, bool emergency)
{
	const struct rule_list *svc = &c->svc->rules, *reg = &c->svc->regime->rules;
	const struct rule *r = NULL;

	if (emergency)
		r = pick_in(list_has(svc, kind, true) ? svc : reg, kind, true, on);
	if (!r)
		r = pick_in(list_has(svc, kind, false) ? svc : reg, kind, false, on);
	return r;
}

static void
free_steps(struct cal_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)steps[i].why);
	free(steps);
}

static void
clear_count(struct rules_deadline *d)
{
	free_steps(d->steps, d->n_steps);
	d->steps = NULL;
	d->n_steps = 0;
	d->has_raw_end = false;
	d->has_rule_due = false;
	d->has_due = false;
}

static void
deadline_init(struct rules_deadline *d, enum rules_kind kind, const struct rules_event *subject,
	      const struct rule *rule)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->subject = subject->id;
	d->rule = xstrdup(rule->id);
	d->source = xstrdup(rule->source);
	d->extension = rule->extension ? xstrdup(rule->extension) : NULL;
	d->has_period = kind != RULES_KIND_PROMISED;
	d->period = rule->period;
	d->rollover = rule->rollover;
	d->calendar = rule->office ? xstrdup(rule->office->name) : NULL;
}

static void
set_start(struct rules_deadline *d, const struct rules_event *e, enum rules_start type,
	  struct cal_date start)
{
	d->has_start = true;
	d->start_event = e->id;
	d->start_type = type;
	d->start = start;
}

/* raw_end from the start (or the date given in the request when given is not NULL). */
static int
count_raw(struct rules_deadline *d, const struct cal_date *given)
{
	int ret = 0;

	if (given) {
		d->has_period = false;
		d->raw_end = *given;
	} else {
		ret = cal_add_period(d->start, d->period, &d->raw_end);
		if (ret < 0)
			return ret == -EINVAL ? -ERANGE : ret;
	}
	d->has_raw_end = true;
	d->paused_end = d->raw_end;
	d->pause_days = 0;
	return ret;
}

/*
 * § 149 roll-over of day by the rule into *out, with the days skipped as owned steps (NULL
 * when steps is NULL): 0 or -ERANGE.
 */
static int
roll_day(const struct rule *rule, struct cal_date day, struct cal_date *out,
	 struct cal_step **steps, size_t *n_steps)
{
	struct cal_step tmp[CAL_MAX_STEPS];
	size_t n = 0;

	if (steps) {
		*steps = NULL;
		*n_steps = 0;
	}
	if (rule->rollover == RULES_ROLLOVER_NONE) {
		*out = day;
		return 0;
	}
	if (cal_roll_forward(rule->office, day, out, tmp, CAL_MAX_STEPS, &n) < 0)
		return -ERANGE;
	if (steps) {
		*steps = xcalloc(n ? n : 1, sizeof(**steps));
		for (size_t i = 0; i < n; i++) {
			(*steps)[i].day = tmp[i].day;
			(*steps)[i].why = xstrdup(tmp[i].why ? tmp[i].why : "stengt");
		}
		*n_steps = n;
	}
	return 0;
}

/* § 149 roll-over of paused_end into rule_due and due. */
static int
roll(struct rules_deadline *d, const struct rule *rule)
{
	int ret = roll_day(rule, d->paused_end, &d->rule_due, &d->steps, &d->n_steps);

	if (ret < 0)
		return ret;
	d->has_rule_due = true;
	d->has_due = true;
	d->due = d->rule_due;
	return 0;
}

static int
count(struct rules_deadline *d, const struct rule *rule, const struct cal_date *given)
{
	int ret = count_raw(d, given);

	if (ret < 0)
		return ret;
	return roll(d, rule);
}

/* The earliest event of type a or b whose ref resolves to subject (NONE: any), or NONE. */
static size_t
first_by_date(const struct ctx *c, enum rules_event_type a, enum rules_event_type b, size_t subject)
{
	size_t best = NONE;

	for (size_t k = 0; k < c->n_ev; k++) {
		if (c->ev[k].type != a && c->ev[k].type != b)
			continue;
		if (subject != NONE && c->target[k] != subject)
			continue;
		if (best == NONE || cal_cmp(c->ev[k].date, c->ev[best].date) < 0)
			best = k;
	}
	return best;
}

static void
set_met_on(struct rules_deadline *d, const struct rules_event *e, struct cal_date on)
{
	d->has_met = true;
	d->met_on = on;
	d->met_by = e->id;
}

static void
set_met(struct rules_deadline *d, const struct rules_event *e)
{
	set_met_on(d, e, e->date);
}

/*
 * What ends a deadline unmet, recorded after its subject event: the application withdrawn;
 * for the office's deadlines also the case closed (closing does not end the party's right
 * to complain); for forwarding also the complaint withdrawn.
 */
static size_t
find_cancel(const struct ctx *c, enum rules_kind kind, size_t subject)
{
	bool closes = rules_kind_is_office_duty(kind) || kind == RULES_KIND_DOCUMENTATION;

	for (size_t k = subject + 1; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (e->type == RULES_EV_WITHDRAWN || (closes && e->type == RULES_EV_CLOSED) ||
		    (kind == RULES_KIND_FORWARDING && e->type == RULES_EV_COMPLAINT_WITHDRAWN &&
		     c->target[k] == subject))
			return k;
	}
	return NONE;
}

/*
 * Extensions and overrides of this deadline, applied in the order they were recorded. The
 * new last day rolls over like any other (the rule's roll-over and office calendar).
 */
static int
apply_changes(const struct ctx *c, struct rules_deadline *d, size_t subject,
	      const struct rule *rule)
{
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];
		struct rules_change *ch;

		if ((e->type != RULES_EV_EXTENSION && e->type != RULES_EV_OVERRIDE) ||
		    e->kind != d->kind || c->target[k] != subject)
			continue;
		d->changes = xrealloc(d->changes, (d->n_changes + 1) * sizeof(*d->changes));
		ch = &d->changes[d->n_changes++];
		memset(ch, 0, sizeof(*ch));
		ch->event = e->id;
		ch->override = e->type == RULES_EV_OVERRIDE;
		ch->date = e->due;
		ch->who = e->who ? xstrdup(e->who) : NULL;
		ch->why = e->why ? xstrdup(e->why) : NULL;
		if (roll_day(rule, e->due, &ch->due, &ch->steps, &ch->n_steps) < 0)
			return -ERANGE;
		/* An extension only ever lengthens; an override sets the date it names. */
		if (!ch->override && d->has_due && cal_cmp(ch->due, d->due) <= 0) {
			note(d,
			     "Forlengelsen til %s gir ingen senere frist enn %s; den fristen står.",
			     DATE(ch->due), DATE(d->due));
			continue;
		}
		ch->applied = true;
		d->has_due = true;
		d->due = ch->due;
	}
	return 0;
}

/*
 * The state as of today: met when met on or before the due date (or while there was none);
 * past the due date unmet or met late, an office duty is missed and a party's deadline has
 * expired; ended by a withdrawal or closing before that, cancelled; else open.
 */
static void
settle(const struct ctx *c, struct rules_deadline *d, size_t subject)
{
	size_t k = find_cancel(c, d->kind, subject);
	const struct rules_event *cancel = k == NONE ? NULL : &c->ev[k];
	enum rules_state passed =
		rules_kind_is_office_duty(d->kind) ? RULES_STATE_MISSED : RULES_STATE_EXPIRED;

	if (d->has_met && (!cancel || cal_cmp(d->met_on, cancel->date) <= 0)) {
		d->state =
			!d->has_due || cal_cmp(d->met_on, d->due) <= 0 ? RULES_STATE_MET : passed;
	} else if (cancel) {
		if (d->has_due && cal_cmp(cancel->date, d->due) > 0) {
			/* A breach stays a breach when the case ends afterwards. */
			d->state = passed;
			if (passed == RULES_STATE_MISSED)
				note(d, "Fristen var allerede overskredet da %s %s.",
				     cancel->type == RULES_EV_WITHDRAWN ? "søknaden ble trukket"
									: "saken ble avsluttet",
				     DATE(cancel->date));
		} else {
			d->state = RULES_STATE_CANCELLED;
			d->has_cancelled = true;
			d->cancelled_on = cancel->date;
			d->cancelled_by = cancel->id;
		}
	} else if (d->has_due && cal_cmp(c->today, d->due) > 0) {
		d->state = passed;
	} else {
		d->state = RULES_STATE_OPEN;
	}
}

static void
push(struct ctx *c, struct rules_deadline *d)
{
	if (c->n_out == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->out = xrealloc(c->out, c->cap * sizeof(*c->out));
	}
	c->out[c->n_out++] = *d;
	memset(d, 0, sizeof(*d));
}

static void
deadline_deinit(struct rules_deadline *d)
{
	clear_count(d);
	free(d->rule);
	free(d->source);
	free(d->calendar);
	free(d->pauses);
	for (size_t i = 0; i < d->n_changes; i++) {
		free_steps(d->changes[i].steps, d->changes[i].n_steps);
		free(d->changes[i].who);
		free(d->changes[i].why);
	}
	free(d->changes);
	free(d->complaint_body);
	free(d->extension);
	for (size_t i = 0; i < d->n_notes; i++)
		free(d->notes[i]);
	free(d->notes);
	memset(d, 0, sizeof(*d));
}

void
rules_deadlines_free(struct rules_deadline *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		deadline_deinit(&v[i]);
	free(v);
}

/*
 * Documentation requests pause a processing norm that says so, for the whole days from the
 * request until the documents arrived or the date set for sending them (the documentation
 * deadline, after roll-over and extensions) passed, whichever came first - after that the
 * office decides on what it has - or until stop (today, the decision, or the end of the
 * case). Overlapping requests count once; a request made after the deadline had run out
 * pauses nothing.
 */
static int
add_pauses(const struct ctx *c, struct rules_deadline *d, const struct rule *rule,
	   struct cal_date stop, bool stopped)
{
	struct cal_date end = d->raw_end, covered = { 0, 0, 0 }, due;
	bool have_covered = false;
	size_t n = 0;

	for (size_t j = 0; j < c->n_ev; j++)
		n += c->ev[j].type == RULES_EV_DOC_REQUESTED;
	if (n == 0)
		return 0;
	d->pauses = xcalloc(n, sizeof(*d->pauses));
	for (size_t j = 0; j < c->n_ev; j++) {
		const struct rules_event *e = &c->ev[j];
		struct rules_pause p = { 0 };
		size_t at;

		if (e->type != RULES_EV_DOC_REQUESTED)
			continue;
		p.event = e->id;
		p.from = e->date;
		p.to = stop;
		p.open = !stopped;
		if (c->answer[j] != NONE && cal_cmp(c->ev[c->answer[j]].date, p.to) < 0) {
			p.to = c->ev[c->answer[j]].date;
			p.open = false;
		}
		/* The date set for sending: the documentation deadline, or without a rule for
		 * it the date the request named. */
		if (c->has_doc[j] ? c->docs[j].has_due : e->has_due) {
			struct cal_date set = c->has_doc[j] ? c->docs[j].due : e->due;

			if (cal_cmp(set, p.to) < 0) {
				p.to = set;
				p.open = false;
				p.ran_out = true;
			}
		}
		p.to = date_max(p.to, p.from);
		/* Insertion by request date, stable. */
		at = d->n_pauses;
		while (at > 0 && cal_cmp(d->pauses[at - 1].from, p.from) > 0) {
			d->pauses[at] = d->pauses[at - 1];
			at--;
		}
		d->pauses[at] = p;
		d->n_pauses++;
	}
	for (size_t i = 0; i < d->n_pauses; i++) {
		struct rules_pause *p = &d->pauses[i];
		struct cal_date from;

		/* Still running on p->from? Compare with the rolled end of the time so far. */
		if (roll_day(rule, end, &due, NULL, NULL) < 0)
			return -ERANGE;
		if (cal_cmp(p->from, due) > 0) {
			p->late = true;
			continue;
		}
		from = have_covered ? date_max(p->from, covered) : p->from;
		p->days = cal_cmp(p->to, from) > 0 ? cal_diff_days(from, p->to) : 0;
		end = cal_add_days(end, p->days);
		if (!cal_date_valid(end))
			return -ERANGE;
		d->pause_days += p->days;
		covered = have_covered ? date_max(covered, p->to) : p->to;
		have_covered = true;
	}
	d->paused_end = end;
	return 0;
}

static int
do_processing(struct ctx *c)
{
	const struct rules_event *recv = &c->ev[0];
	const struct rule *rule = pick(c, RULES_KIND_PROCESSING, recv->date, recv->emergency);
	struct rules_deadline d;
	struct cal_date stop = c->today;
	bool stopped = false;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_PROCESSING, recv, rule);
	set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if (recv->emergency && rule->emergency)
		note(&d, "Søknaden gjelder nødhjelp: nødhjelpsregelen gjelder.");
	else if (recv->emergency)
		note(&d,
		     "Søknaden er merket som nødhjelp, men tjenesten har ingen egen nødhjelpsregel på mottaksdagen; den vanlige regelen er brukt.");
	k = first_by_date(c, RULES_EV_DECISION, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		set_met(&d, &c->ev[k]);
		if (cal_cmp(d.met_on, stop) <= 0) {
			stop = d.met_on;
			stopped = true;
		}
	}
	k = find_cancel(c, RULES_KIND_PROCESSING, 0);
	if (k != NONE && cal_cmp(c->ev[k].date, stop) <= 0) {
		stop = c->ev[k].date;
		stopped = true;
	}
	if ((ret = count_raw(&d, NULL)) < 0)
		goto out;
	if (rule->pauses && (ret = add_pauses(c, &d, rule, stop, stopped)) < 0)
		goto out;
	if ((ret = roll(&d, rule)) < 0)
		goto out;
	for (k = 0; k < c->n_ev; k++) {
		if (c->ev[k].type == RULES_EV_PRELIMINARY_REPLY && c->ev[k].has_due) {
			d.promised = true;
			d.promised_on = c->ev[k].due;
		}
	}
	if (d.promised)
		note(&d,
		     "Et foreløpig svar har lovet vedtak innen %s (egen frist: lovet svardato).",
		     DATE(d.promised_on));
	if ((ret = apply_changes(c, &d, 0, rule)) < 0)
		goto out;
	settle(c, &d, 0);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

static int
do_preliminary(struct ctx *c)
{
	const struct rules_event *recv = &c->ev[0];
	const struct rule *rule = pick(c, RULES_KIND_PRELIMINARY_REPLY, recv->date, false);
	struct rules_deadline d;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_PRELIMINARY_REPLY, recv, rule);
	set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if ((ret = count(&d, rule, NULL)) < 0)
		goto out;
	/* A decision within the time makes a preliminary reply unnecessary. */
	k = first_by_date(c, RULES_EV_PRELIMINARY_REPLY, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		set_met(&d, &c->ev[k]);
		if (c->ev[k].type == RULES_EV_DECISION)
			note(&d, "Vedtaket %s gjorde et foreløpig svar unødvendig.",
			     DATE(c->ev[k].date));
	}
	if ((ret = apply_changes(c, &d, 0, rule)) < 0)
		goto out;
	settle(c, &d, 0);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

/* The documentation deadline of request j into *d (not pushed): 0 with has false when the
 * service has no rule for it. */
static int
build_documentation(struct ctx *c, size_t j, struct rules_deadline *d, bool *has)
{
	const struct rules_event *req = &c->ev[j];
	const struct rule *rule = pick(c, RULES_KIND_DOCUMENTATION, req->date, false);
	int ret;

	*has = false;
	memset(d, 0, sizeof(*d));
	if (!rule)
		return 0;
	deadline_init(d, RULES_KIND_DOCUMENTATION, req, rule);
	set_start(d, req, RULES_START_DOC_REQUESTED, req->date);
	if ((ret = count(d, rule, req->has_due ? &req->due : NULL)) < 0)
		return ret;
	if (!req->has_due)
		note(d, "Brevet nevnte ingen dato: fristen er regelens %s.",
		     cal_period_words(rule->period, (char[CAL_PERIOD_WORDS_LEN]){ 0 }));
	if (c->answer[j] != NONE)
		set_met(d, &c->ev[c->answer[j]]);
	if ((ret = apply_changes(c, d, j, rule)) < 0)
		return ret;
	settle(c, d, j);
	if (d->state == RULES_STATE_EXPIRED && !d->has_met)
		note(d,
		     "Dokumentasjonen kom ikke innen fristen: saken avgjøres på det som foreligger.");
	*has = true;
	return 0;
}

/* The date a preliminary reply promised (fvl. § 11 a): an office deadline of its own. */
static int
do_promised(struct ctx *c, size_t j)
{
	const struct rules_event *rp = &c->ev[j];
	const struct rule *rule = pick(c, RULES_KIND_PROMISED, rp->date, false);
	struct rules_deadline d;
	size_t dec, next = NONE;
	int ret;

	if (!rule || !rp->has_due)
		return 0;
	deadline_init(&d, RULES_KIND_PROMISED, rp, rule);
	set_start(&d, rp, RULES_START_PRELIMINARY_REPLY, rp->date);
	if ((ret = count(&d, rule, &rp->due)) < 0)
		goto out;
	/* Met by the decision, or replaced by a later reply that promises a new date. */
	dec = first_by_date(c, RULES_EV_DECISION, RULES_EV_DECISION, NONE);
	for (size_t k = j + 1; k < c->n_ev && next == NONE; k++) {
		if (c->ev[k].type == RULES_EV_PRELIMINARY_REPLY && c->ev[k].has_due)
			next = k;
	}
	if (dec != NONE && (next == NONE || cal_cmp(c->ev[dec].date, c->ev[next].date) <= 0)) {
		set_met(&d, &c->ev[dec]);
	} else if (next != NONE) {
		set_met(&d, &c->ev[next]);
		note(&d, "Erstattet av et nytt foreløpig svar %s, som lover vedtak innen %s.",
		     DATE(c->ev[next].date), DATE(c->ev[next].due));
	}
	if ((ret = apply_changes(c, &d, j, rule)) < 0)
		goto out;
	settle(c, &d, j);
	/* Replaced in time by a new promise: neither kept nor broken. */
	if (d.state == RULES_STATE_MET && next != NONE && d.met_by == c->ev[next].id) {
		d.state = RULES_STATE_CANCELLED;
		d.has_met = false;
		d.has_cancelled = true;
		d.cancelled_on = c->ev[next].date;
		d.cancelled_by = c->ev[next].id;
	}
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

/* The outer limit of fvl. § 31 (whatever the configuration calls it) for decision j. */
static int
late_limit(struct ctx *c, size_t j, const struct rule *rule, struct rules_deadline *d)
{
	const struct rules_event *dec = &c->ev[j];
	size_t k;
	int ret = 0;

	deadline_init(d, RULES_KIND_LATE_COMPLAINT, dec, rule);
	if (rule->start == RULES_START_DECISION_REACHED) {
		if (!dec->has_reached) {
			note(d, "Venter på at vedtaket kommer fram: fristen løper fra den dagen.");
			goto met;
		}
		set_start(d, dec, RULES_START_DECISION_REACHED, dec->reached);
	} else {
		set_start(d, dec, RULES_START_DECISION_MADE, dec->date);
	}
	if ((ret = count(d, rule, NULL)) < 0)
		return ret;
met:
	k = first_by_date(c, RULES_EV_COMPLAINT, RULES_EV_COMPLAINT, j);
	if (k != NONE)
		set_met(d, &c->ev[k]);
	if ((ret = apply_changes(c, d, j, rule)) < 0)
		return ret;
	settle(c, d, j);
	return 0;
}

/* Whether a request for the reasons of dec restarts its complaint deadline. */
static bool
restarts(const struct rule *rule, const struct rules_procedure *proc, const struct rules_event *dec)
{
	if (!rule->reasons_restart)
		return false;
	switch (proc->restart_when) {
	case RULES_RESTART_ALWAYS:
		return true;
	case RULES_RESTART_UNREASONED:
		return !dec->reasoned;
	default:
		return false;
	}
}

/*
 * A request for reasons of a decision given without them, made before the complaint
 * deadline ended, restarts it: a full new period from the day the reasons reach the party
 * (rule key reasons_restart, citations key reasons_restart_when). A request for the reasons
 * of a decision that gave them is recorded, and the deadline stays.
 */
static int
reasons(struct ctx *c, size_t j, const struct rule *rule, struct rules_deadline *d)
{
	const struct rules_event *dec = &c->ev[j];
	const struct rules_procedure *proc = rules_procedure_at(c->rules, dec->date);
	const char *src = proc->citation[RULES_CITATION_REASONS_RESTART];
	struct cal_date first_due = d->due;
	bool had_due = d->has_due;
	size_t given;
	int ret = 0;

	for (size_t k = j + 1; k < c->n_ev; k++) {
		const struct rules_event *rq = &c->ev[k];

		if (rq->type != RULES_EV_REASONS_REQUESTED || c->target[k] != j)
			continue;
		if (!restarts(rule, proc, dec)) {
			note(d,
			     dec->reasoned
				     ? "Parten ba om begrunnelse %s. Vedtaket var begrunnet, så klagefristen løper som før%s."
				     : "Parten ba om begrunnelse %s; regelen gir ikke ny klagefrist for det%s.",
			     DATE(rq->date), CITE(src));
			continue;
		}
		if (d->has_restart) {
			note(d, "Ny anmodning om begrunnelse %s endrer ikke klagefristen.",
			     DATE(rq->date));
			continue;
		}
		if (had_due && cal_cmp(rq->date, first_due) > 0) {
			note(d,
			     "Parten ba om begrunnelse %s, etter at klagefristen gikk ut %s: fristen begynner ikke på nytt.",
			     DATE(rq->date), DATE(first_due));
			continue;
		}
		d->has_restart = true;
		d->restart.requested_event = rq->id;
		d->restart.requested = rq->date;
		given = NONE;
		for (size_t g = k + 1; g < c->n_ev && given == NONE; g++) {
			if (c->ev[g].type == RULES_EV_REASONS_GIVEN && c->target[g] == j &&
			    cal_cmp(c->ev[g].date, rq->date) >= 0)
				given = g;
		}
		if (given != NONE) {
			d->restart.given = true;
			d->restart.given_event = c->ev[given].id;
			d->restart.given_on = c->ev[given].date;
			if (had_due)
				note(d, "Den opprinnelige klagefristen var %s.", DATE(first_due));
			clear_count(d);
			set_start(d, &c->ev[given], RULES_START_REASONS_GIVEN, c->ev[given].date);
			if ((ret = count(d, rule, NULL)) < 0)
				return ret;
		} else {
			d->has_due = false;
			note(d,
			     "Parten ba om begrunnelse %s for et vedtak uten begrunnelse: en ny, full klagefrist løper fra begrunnelsen kommer fram%s.",
			     DATE(rq->date), CITE(src));
		}
	}
	return ret;
}

/* What a late complaint, or none, means for the fvl. § 31 window (from the configuration). */
static void
late_notes(const struct ctx *c, struct rules_deadline *d, const struct rules_deadline *late)
{
	bool window = late && late->has_due;

	if (d->state != RULES_STATE_EXPIRED || !d->has_due)
		return;
	if (d->has_met && cal_cmp(d->met_on, d->due) > 0) {
		int32_t n = cal_diff_days(d->due, d->met_on);

		if (!window)
			note(d, "Klagen ble sendt %s, %s etter fristen.", DATE(d->met_on), DAYS(n));
		else if (cal_cmp(d->met_on, late->due) <= 0)
			note(d,
			     "Klagen ble sendt %s, %s for sent. Den kan likevel tas under behandling hvis parten ikke kan lastes for forsinkelsen, eller det av særlige grunner er rimelig at klagen blir prøvd, siden den ble sendt innen %s (%s).",
			     DATE(d->met_on), DAYS(n), DATE(late->due), late->source);
		else
			note(d,
			     "Klagen ble sendt %s, etter den ytre fristen %s (%s): den kan ikke tas under behandling.",
			     DATE(d->met_on), DATE(late->due), late->source);
	} else if (!d->has_met && window) {
		if (cal_cmp(c->today, late->due) <= 0)
			note(d,
			     "Klagefristen er utløpt uten klage. En klage som sendes senest %s, kan likevel tas under behandling hvis parten ikke kan lastes for forsinkelsen, eller det av særlige grunner er rimelig at klagen blir prøvd (%s).",
			     DATE(late->due), late->source);
		else
			note(d, "Klagefristen og den ytre fristen %s (%s) er utløpt uten klage.",
			     DATE(late->due), late->source);
	}
}

/* The complaint that meets decision j's complaint deadline, judged on the day it was sent
 * (or received, as the citations version says): its index, with the day in *on. */
static size_t
first_complaint(const struct ctx *c, size_t j, enum rules_in_time in_time, struct cal_date *on)
{
	size_t best = NONE;

	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];
		struct cal_date day;

		if (e->type != RULES_EV_COMPLAINT || c->target[k] != j)
			continue;
		day = in_time == RULES_IN_TIME_RECEIVED && e->has_reached ? e->reached : e->date;
		if (best == NONE || cal_cmp(day, *on) < 0) {
			best = k;
			*on = day;
		}
	}
	return best;
}

static int
do_decision(struct ctx *c, size_t j)
{
	const struct rules_event *dec = &c->ev[j];
	struct cal_date sel = dec->has_reached ? dec->reached : dec->date, on;
	const struct rule *cr = pick(c, RULES_KIND_COMPLAINT, sel, false);
	const struct rule *lr = pick(c, RULES_KIND_LATE_COMPLAINT, dec->date, false);
	const struct rules_procedure *proc = rules_procedure_at(c->rules, sel);
	struct rules_deadline d, late;
	size_t k;
	int ret = 0;

	memset(&d, 0, sizeof(d));
	memset(&late, 0, sizeof(late));
	if (lr && (ret = late_limit(c, j, lr, &late)) < 0)
		goto out;
	if (cr) {
		deadline_init(&d, RULES_KIND_COMPLAINT, dec, cr);
		if (cr->start == RULES_START_DECISION_MADE) {
			set_start(&d, dec, RULES_START_DECISION_MADE, dec->date);
		} else if (dec->has_reached) {
			set_start(&d, dec, RULES_START_DECISION_REACHED, dec->reached);
			if (dec->digital)
				note(&d,
				     "Digitalt vedtak: regnet fra det seneste av da vedtaket ble gjort tilgjengelig og da varselet ble sendt (%s).",
				     DATE(dec->reached));
		} else {
			note(&d,
			     "Venter på at vedtaket kommer fram: klagefristen løper fra den dagen.");
		}
		if (d.has_start && (ret = count(&d, cr, NULL)) < 0)
			goto out;
		if ((ret = reasons(c, j, cr, &d)) < 0)
			goto out;
		if ((ret = apply_changes(c, &d, j, cr)) < 0)
			goto out;
		/* In time is judged on the day the complaint was sent (or as configured). */
		k = first_complaint(c, j, proc->in_time, &on);
		if (k != NONE) {
			set_met_on(&d, &c->ev[k], on);
			if (proc->citation[RULES_CITATION_IN_TIME])
				note(&d, "Klagen er vurdert etter dagen den ble %s (%s).",
				     proc->in_time == RULES_IN_TIME_SENT ? "sendt" : "mottatt",
				     proc->citation[RULES_CITATION_IN_TIME]);
		}
		settle(c, &d, j);
		late_notes(c, &d, lr ? &late : NULL);
		push(c, &d);
	}
	if (lr)
		push(c, &late);
out:
	deadline_deinit(&d);
	deadline_deinit(&late);
	return ret;
}

static bool in_list(const char *s, const char *const *list);

/* What the office did with a complaint it reviewed (fvl. § 33), in words. */
static const char *
review_words(const char *outcome)
{
	static const struct {
		const char *outcome, *words;
	} w[] = {
		{ "omgjort", "omgjorde vedtaket i sin helhet" },
		{ "delvis_omgjort", "omgjorde vedtaket bare delvis" },
		{ "stadfestet", "opprettholdt vedtaket" },
		{ "opphevet", "opphevet vedtaket" },
		{ "avvist", "avviste klagen" },
	};

	for (size_t i = 0; outcome && i < FV_ARRAY_SIZE(w); i++) {
		if (strcmp(outcome, w[i].outcome) == 0)
			return w[i].words;
	}
	return "traff en avgjørelse";
}

/*
 * Whether an outcome of the office's review settles the complaint without the complaint
 * body: a full reversal (fvl. § 33, the citations version's forwarding_ended_by); a partial
 * one, or the decision kept, still goes on.
 */
static bool
outcome_ends_forwarding(const struct rules_procedure *proc, const char *outcome)
{
	return in_list(outcome, proc->forwarding_ended_by);
}

static int
do_forwarding(struct ctx *c, size_t j)
{
	const struct rules_event *cp = &c->ev[j];
	struct cal_date sel = cp->has_reached ? cp->reached : cp->date;
	const struct rule *rule = pick(c, RULES_KIND_FORWARDING, sel, false);
	const char *body = c->svc->regime->complaint_body;
	const struct rules_procedure *proc = rules_procedure_at(c->rules, sel);
	struct rules_deadline d;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_FORWARDING, cp, rule);
	d.complaint_body = xstrdup(body);
	if (rule->start == RULES_START_COMPLAINT_RECEIVED && cp->has_reached) {
		set_start(&d, cp, RULES_START_COMPLAINT_RECEIVED, cp->reached);
	} else {
		set_start(&d, cp, RULES_START_COMPLAINT_SENT, cp->date);
		if (rule->start == RULES_START_COMPLAINT_RECEIVED)
			note(&d, "Mottaksdato mangler: regnet fra da klagen ble sendt (%s).",
			     DATE(cp->date));
	}
	if ((ret = count(&d, rule, NULL)) < 0)
		goto out;
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (c->target[k] != j || (d.has_met && cal_cmp(e->date, d.met_on) >= 0))
			continue;
		if (e->type == RULES_EV_FORWARDED) {
			set_met(&d, e);
		} else if (e->type == RULES_EV_COMPLAINT_DECIDED &&
			   outcome_ends_forwarding(proc, e->outcome)) {
			set_met(&d, e);
		}
	}
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (c->target[k] != j || e->type != RULES_EV_COMPLAINT_DECIDED)
			continue;
		if (outcome_ends_forwarding(proc, e->outcome))
			note(&d, "Kontoret behandlet klagen %s og %s: klagen sendes ikke videre.",
			     DATE(e->date), review_words(e->outcome));
		else if (!d.has_met || d.met_by == e->id || cal_cmp(e->date, d.met_on) <= 0)
			note(&d,
			     "Kontoret behandlet klagen %s og %s: klagen skal fortsatt sendes til %s.",
			     DATE(e->date), review_words(e->outcome), body);
	}
	if ((ret = apply_changes(c, &d, j, rule)) < 0)
		goto out;
	settle(c, &d, j);
	for (size_t k = 0; d.has_cancelled && k < c->n_ev; k++) {
		if (c->ev[k].id == d.cancelled_by && c->ev[k].type == RULES_EV_COMPLAINT_WITHDRAWN)
			note(&d, "Klagen ble trukket %s: den sendes ikke videre.",
			     DATE(c->ev[k].date));
	}
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

static void
ctx_deinit(struct ctx *c)
{
	for (size_t j = 0; c->docs && j < c->n_ev; j++) {
		if (c->has_doc[j])
			deadline_deinit(&c->docs[j]);
	}
	free(c->docs);
	free(c->has_doc);
	free(c->target);
	free(c->answer);
}

static int
ctx_init(struct ctx *c, const struct rules *rules, const char *service,
	 const struct rules_event *ev, size_t n_ev, struct cal_date today)
{
	memset(c, 0, sizeof(*c));
	c->svc = rules_find_service(rules, service);
	if (!c->svc)
		return -ENOENT;
	if ((!ev && n_ev) || n_ev > RULES_MAX_EVENTS || !cal_date_valid(today))
		return -EINVAL;
	c->rules = rules;
	c->ev = ev;
	c->n_ev = n_ev;
	c->today = today;
	c->target = xcalloc(n_ev ? n_ev : 1, sizeof(*c->target));
	c->answer = xcalloc(n_ev ? n_ev : 1, sizeof(*c->answer));
	c->docs = xcalloc(n_ev ? n_ev : 1, sizeof(*c->docs));
	c->has_doc = xcalloc(n_ev ? n_ev : 1, sizeof(*c->has_doc));
	return validate(c);
}

int
rules_compute(const struct rules *rules, const char *service, const struct rules_event *ev,
	      size_t n_ev, struct cal_date today, struct rules_deadline **out, size_t *n_out)
{
	struct ctx c;
	int ret = 0;

	FV_ASSERT(out && n_out);
	*out = NULL;
	*n_out = 0;
	if ((ret = ctx_init(&c, rules, service, ev, n_ev, today)) < 0)
		goto out;
	for (size_t j = 1; j < n_ev && ret == 0; j++) {
		if (ev[j].type == RULES_EV_DOC_REQUESTED)
			ret = build_documentation(&c, j, &c.docs[j], &c.has_doc[j]);
	}
	if (ret < 0 || (ret = do_processing(&c)) < 0 || (ret = do_preliminary(&c)) < 0)
		goto out;
	for (size_t j = 1; j < n_ev && ret == 0; j++) {
		switch (ev[j].type) {
		case RULES_EV_DOC_REQUESTED:
			if (c.has_doc[j]) {
				push(&c, &c.docs[j]);
				c.has_doc[j] = false;
			}
			break;
		case RULES_EV_PRELIMINARY_REPLY:
			ret = do_promised(&c, j);
			break;
		case RULES_EV_DECISION:
			ret = do_decision(&c, j);
			break;
		case RULES_EV_COMPLAINT:
			ret = do_forwarding(&c, j);
			break;
		default:
			break;
		}
	}
out:
	if (ret < 0) {
		rules_deadlines_free(c.out, c.n_out);
	} else {
		*out = c.out;
		*n_out = c.n_out;
	}
	ctx_deinit(&c);
	return ret;
}

/* Findings. */

struct findings {
	struct rules_finding *v;
	size_t n;
};

/* Appends a finding whose text is sentence (its final full stop dropped) and citation. */
static struct rules_finding *
finding_add(struct findings *f, int64_t event, const char *code, bool possible,
	    const char *sentence, const char *source)
{
	struct rules_finding *x;
	size_t len = strlen(sentence);

	while (len > 0 && sentence[len - 1] == '.')
		len--;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->event = event;
	x->code = code;
	x->possible = possible;
	x->text = source ? xasprintf("%.*s (%s).", (int)len, sentence, source)
			 : xasprintf("%.*s.", (int)len, sentence);
	return x;
}

/* Closes x with the first event of type that refers to decision j. */
static void
finding_close(const struct ctx *c, struct rules_finding *x, size_t j, enum rules_event_type type)
{
	for (size_t k = j + 1; k < c->n_ev; k++) {
		if (c->ev[k].type == type && c->target[k] == j) {
			x->closed = true;
			x->closed_by = c->ev[k].id;
			x->closed_on = c->ev[k].date;
			return;
		}
	}
}

static bool
in_list(const char *s, const char *const *list)
{
	for (; s && list && *list; list++) {
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}

static const struct bpa_rule *
bpa_at(const struct service *s, struct cal_date on)
{
	const struct bpa_rule *best = NULL;

	for (size_t i = 0; i < s->n_bpa; i++) {
		if (cal_cmp(s->bpa[i].valid_from, on) <= 0 &&
		    (!best || cal_cmp(s->bpa[i].valid_from, best->valid_from) > 0))
			best = &s->bpa[i];
	}
	return best;
}

/* text with {hours}, {months} and {age_limit} filled in: an owned string. */
static char *
bpa_text(const char *text, int hours, int months, int age_limit)
{
	static const char *const names[] = { "{hours}", "{months}", "{age_limit}" };
	const int values[] = { hours, months, age_limit };
	size_t cap = strlen(text) + 64, len = 0;
	char *out = xmalloc(cap);

	while (*text) {
		size_t k = 0;

		while (k < FV_ARRAY_SIZE(names) && strncmp(text, names[k], strlen(names[k])) != 0)
			k++;
		if (len + 16 >= cap)
			out = xrealloc(out, cap *= 2);
		if (k < FV_ARRAY_SIZE(names)) {
			len += (size_t)snprintf(out + len, cap - len, "%d", values[k]);
			text += strlen(names[k]);
		} else {
			out[len++] = *text++;
		}
	}
	out[len] = '\0';
	return out;
}

/*
 * A refusal of BPA that conflicts with the right as the thresholds in force describe it,
 * in the words of the bpa version (right_text, justify_text).
 */
static void
bpa_finding(const struct ctx *c, struct findings *f, const struct rules_event *dec)
{
	const struct bpa_rule *b = bpa_at(c->svc, dec->date);
	const char *text;
	bool age_ok;
	char *msg;

	if (!b || !dec->has_need || !dec->outcome || strcmp(dec->outcome, "avslatt") != 0)
		return;
	age_ok = dec->age_group == RULES_AGE_UNDER_LIMIT ||
		 (dec->age_group == RULES_AGE_GRANTED_BEFORE && b->continues_past_limit);
	if (!age_ok || dec->need_months <= b->min_months || dec->need_hours < b->hours_justify)
		return;
	text = dec->need_hours >= b->hours_right ? b->right_text : b->justify_text;
	if (!text)
		return;
	msg = bpa_text(text, dec->need_hours, b->min_months, b->age_limit);
	finding_add(f, dec->id, "bpa_refusal", true, msg, b->source);
	free(msg);
}

int
rules_findings(const struct rules *rules, const char *service, const struct rules_event *ev,
	       size_t n_ev, struct rules_finding **out, size_t *n_out)
{
	struct findings f = { 0 };
	struct ctx c;
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = ctx_init(&c, rules, service, ev, n_ev, n_ev ? ev[0].date : (struct cal_date){ 0 });
	for (size_t j = 1; ret == 0 && j < n_ev; j++) {
		const struct rules_event *dec = &ev[j];
		const struct rules_procedure *proc;
		struct rules_finding *x;

		if (dec->type != RULES_EV_DECISION)
			continue;
		proc = rules_procedure_at(rules, dec->date);
		if (!dec->written && proc->written_text) {
			/* Possible: the law lets a decision be oral where writing is too burdensome. */
			x = finding_add(&f, dec->id, "oral_decision", true, proc->written_text,
					proc->citation[RULES_CITATION_WRITTEN_DECISION]);
			finding_close(&c, x, j, RULES_EV_DECISION_WRITTEN);
		}
		if (!dec->reasoned && proc->reasoned_text &&
		    !in_list(dec->outcome, proc->reasons_optional)) {
			x = finding_add(&f, dec->id, "unreasoned_decision", false,
					proc->reasoned_text,
					proc->citation[RULES_CITATION_REASONED_DECISION]);
			finding_close(&c, x, j, RULES_EV_REASONS_GIVEN);
		}
		bpa_finding(&c, &f, dec);
	}
	ctx_deinit(&c);
	if (ret < 0) {
		rules_findings_free(f.v, f.n);
		return ret;
	}
	*out = f.v;
	*n_out = f.n;
	return 0;
}

void
rules_findings_free(struct rules_finding *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}

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
			      DATE(d->start), start_words[d->start_type], trimmed(d->source),
			      d->source);
		return;
	}
	strbuf_printf(b, " på %s regnet fra %s (%s): %s. Hjemmel: %.*s.\n",
		      cal_period_words(d->period, words), DATE(d->start),
		      start_words[d->start_type], DATE(d->raw_end), trimmed(d->source), d->source);
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

static void
text_state(struct strbuf *b, const struct rules_deadline *d)
{
	bool late = d->has_met && d->has_due && cal_cmp(d->met_on, d->due) > 0;

	if (d->has_due)
		strbuf_printf(b, "Frist: %s. Status: ", DATE(d->due));
	else
		strbuf_printf(b, "Ingen frist ennå. Status: ");
	switch (d->state) {
	case RULES_STATE_OPEN:
		strbuf_printf(b, "åpen");
		break;
	case RULES_STATE_MET:
		strbuf_printf(b, "overholdt %s (hendelse %lld)", DATE(d->met_on),
			      (long long)d->met_by);
		break;
	case RULES_STATE_MISSED:
		if (late)
			strbuf_printf(b, "overskredet – fulgt opp %s (hendelse %lld), %s for sent",
				      DATE(d->met_on), (long long)d->met_by,
				      DAYS(cal_diff_days(d->due, d->met_on)));
		else
			strbuf_printf(b, "overskredet – ikke oppfylt");
		break;
	case RULES_STATE_EXPIRED:
		if (late)
			strbuf_printf(b, "utløpt – %s %s (hendelse %lld), %s for sent",
				      d->kind == RULES_KIND_DOCUMENTATION ? "dokumentasjonen kom"
									  : "klagen ble sendt",
				      DATE(d->met_on), (long long)d->met_by,
				      DAYS(cal_diff_days(d->due, d->met_on)));
		else if (d->kind == RULES_KIND_DOCUMENTATION)
			strbuf_printf(b, "utløpt – dokumentasjonen kom ikke");
		else
			strbuf_printf(b, "utløpt – ingen klage");
		break;
	case RULES_STATE_CANCELLED:
		strbuf_printf(b, "bortfalt %s (hendelse %lld)", DATE(d->cancelled_on),
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
