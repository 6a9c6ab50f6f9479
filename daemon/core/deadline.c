// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * deadline: what the engine does for every kind of deadline. A case's events checked and
 * their references resolved; for one deadline the rule in force picked, the period counted,
 * the last day rolled over, extensions and overrides applied and the state settled as of
 * today (see engine_impl.h).
 *
 * A service's rules of a kind replace its regime's rules of that kind (emergency and
 * ordinary processing rules count as two kinds here, so adding an emergency variant does
 * not drop the regime's ordinary norm). Among the versions of a kind the one with the latest
 * valid_from on or before the deadline's start date applies.
 */
#include "core/rules.h"
#include "core/rules_impl.h"
#include "core/engine_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/vocab.h"

void
eng_note(struct rules_deadline *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->notes = xrealloc(d->notes, (d->n_notes + 1) * sizeof(*d->notes));
	d->notes[d->n_notes++] = xstrdup(buf);
}

const char *
eng_fmt_date(struct cal_date d, char *buf)
{
	return cal_date_format(d, buf);
}

const char *
eng_days_words(int32_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%d %s", n, n == 1 || n == -1 ? "dag" : "dager");
	return buf;
}

const char *
eng_cite(const char *source, char *buf, size_t len)
{
	if (!source)
		return "";
	snprintf(buf, len, " (%s)", source);
	return buf;
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
const struct rule *
eng_pick(const struct ctx *c, enum rules_kind kind, struct cal_date on, bool emergency)
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

void
eng_clear_count(struct rules_deadline *d)
{
	free_steps(d->steps, d->n_steps);
	d->steps = NULL;
	d->n_steps = 0;
	d->has_raw_end = false;
	d->has_rule_due = false;
	d->has_due = false;
}

void
eng_deadline_init(struct rules_deadline *d, enum rules_kind kind, const struct rules_event *subject,
		  const struct rule *rule)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->subject = subject->id;
	d->rule = xstrdup(rule->id);
	d->source = xstrdup(rule->source);
	d->extension = rule->extension ? xstrdup(rule->extension) : NULL;
	d->has_period = vocab_kind_row(kind)->counted;
	d->period = rule->period;
	d->rollover = rule->rollover;
	d->calendar = rule->office ? xstrdup(rule->office->name) : NULL;
}

void
eng_set_start(struct rules_deadline *d, const struct rules_event *e, enum rules_start type,
	      struct cal_date start)
{
	d->has_start = true;
	d->start_event = e->id;
	d->start_type = type;
	d->start = start;
}

/* raw_end from the start (or the date given in the request when given is not NULL). */
int
eng_count_raw(struct rules_deadline *d, const struct cal_date *given)
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
int
eng_roll_day(const struct rule *rule, struct cal_date day, struct cal_date *out,
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
int
eng_roll(struct rules_deadline *d, const struct rule *rule)
{
	int ret = eng_roll_day(rule, d->paused_end, &d->rule_due, &d->steps, &d->n_steps);

	if (ret < 0)
		return ret;
	d->has_rule_due = true;
	d->has_due = true;
	d->due = d->rule_due;
	return 0;
}

int
eng_count(struct rules_deadline *d, const struct rule *rule, const struct cal_date *given)
{
	int ret = eng_count_raw(d, given);

	if (ret < 0)
		return ret;
	return eng_roll(d, rule);
}

/* The earliest event of type a or b whose ref resolves to subject (NONE: any), or NONE. */
size_t
eng_first_by_date(const struct ctx *c, enum rules_event_type a, enum rules_event_type b,
		  size_t subject)
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

void
eng_set_met_on(struct rules_deadline *d, const struct rules_event *e, struct cal_date on)
{
	d->has_met = true;
	d->met_on = on;
	d->met_by = e->id;
}

void
eng_set_met(struct rules_deadline *d, const struct rules_event *e)
{
	eng_set_met_on(d, e, e->date);
}

/*
 * What ends a deadline unmet, recorded after its subject event: the application withdrawn;
 * for the office's duties towards the application also the case closed (closing does not
 * end the party's right to complain). Forwarding a complaint is ended only by the complaint
 * withdrawn (fvl. § 33; the office settling it itself meets it): neither closing the case
 * nor a withdrawal of the application ends the duty to send a complaint on.
 */
size_t
eng_find_cancel(const struct ctx *c, enum rules_kind kind, size_t subject)
{
	bool closes = vocab_kind_row(kind)->closing_ends;

	for (size_t k = subject + 1; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (kind == RULES_KIND_FORWARDING) {
			if (e->type == RULES_EV_COMPLAINT_WITHDRAWN && c->target[k] == subject)
				return k;
		} else if (e->type == RULES_EV_WITHDRAWN ||
			   (closes && e->type == RULES_EV_CLOSED)) {
			return k;
		}
	}
	return NONE;
}

/*
 * Extensions and overrides of this deadline, applied in the order they were recorded. The
 * new last day rolls over like any other (the rule's roll-over and office calendar).
 */
int
eng_apply_changes(const struct ctx *c, struct rules_deadline *d, size_t subject,
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
		if (eng_roll_day(rule, e->due, &ch->due, &ch->steps, &ch->n_steps) < 0)
			return -ERANGE;
		/* An extension only ever lengthens; an override sets the date it names. */
		if (!ch->override && d->has_due && cal_cmp(ch->due, d->due) <= 0) {
			eng_note(
				d,
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
void
eng_settle(const struct ctx *c, struct rules_deadline *d, size_t subject)
{
	size_t k = eng_find_cancel(c, d->kind, subject);
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
			d->has_ended = passed == RULES_STATE_MISSED;
			d->ended_on = cancel->date;
			if (passed == RULES_STATE_MISSED)
				eng_note(d, "Fristen var allerede overskredet da %s %s.",
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

void
eng_push(struct ctx *c, struct rules_deadline *d)
{
	if (c->n_out == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->out = xrealloc(c->out, c->cap * sizeof(*c->out));
	}
	c->out[c->n_out++] = *d;
	memset(d, 0, sizeof(*d));
}

void
eng_deadline_deinit(struct rules_deadline *d)
{
	eng_clear_count(d);
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
		eng_deadline_deinit(&v[i]);
	free(v);
}

void
eng_ctx_deinit(struct ctx *c)
{
	for (size_t j = 0; c->docs && j < c->n_ev; j++) {
		if (c->has_doc[j])
			eng_deadline_deinit(&c->docs[j]);
	}
	free(c->docs);
	free(c->has_doc);
	free(c->target);
	free(c->answer);
}

int
eng_ctx_init(struct ctx *c, const struct rules *rules, const char *service,
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

bool
eng_in_list(const char *s, const char *const *list)
{
	for (; s && list && *list; list++) {
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}
