// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * engine: rules_compute(), the derivation of a case's deadlines from its events (see
 * rules.h). The law lives in the configuration; this file knows only which events start,
 * meet, pause, restart, extend and cancel each kind of deadline, one function per kind,
 * built on the steps every deadline shares (core/deadline.c).
 */
#include "core/rules.h"
#include "core/rules_impl.h"
#include "core/engine_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static struct cal_date
date_max(struct cal_date a, struct cal_date b)
{
	return cal_cmp(a, b) >= 0 ? a : b;
}

/*
 * The pause documentation request j makes, before overlaps and lateness are weighed: from
 * the request until the documents arrived, the date set for sending them passed, or stop.
 */
static struct rules_pause
pause_of(const struct ctx *c, size_t j, struct cal_date stop, bool stopped)
{
	const struct rules_event *e = &c->ev[j];
	struct rules_pause p = { .event = e->id, .from = e->date, .to = stop, .open = !stopped };

	if (c->answer[j] != NONE && cal_cmp(c->ev[c->answer[j]].date, p.to) < 0) {
		p.to = c->ev[c->answer[j]].date;
		p.open = false;
	}
	/* The date set for sending: the documentation deadline, or without a rule for it the
	 * date the request named. */
	if (c->has_doc[j] ? c->docs[j].has_due : e->has_due) {
		struct cal_date set = c->has_doc[j] ? c->docs[j].due : e->due;

		if (cal_cmp(set, p.to) < 0) {
			p.to = set;
			p.open = false;
			p.ran_out = true;
		}
	}
	p.to = date_max(p.to, p.from);
	return p;
}

/* d's pauses, one per documentation request, in order of request date (stable). */
static void
collect_pauses(const struct ctx *c, struct rules_deadline *d, struct cal_date stop, bool stopped)
{
	size_t n = 0;

	for (size_t j = 0; j < c->n_ev; j++)
		n += c->ev[j].type == RULES_EV_DOC_REQUESTED;
	if (n == 0)
		return;
	d->pauses = xcalloc(n, sizeof(*d->pauses));
	for (size_t j = 0; j < c->n_ev; j++) {
		struct rules_pause p;
		size_t at;

		if (c->ev[j].type != RULES_EV_DOC_REQUESTED)
			continue;
		p = pause_of(c, j, stop, stopped);
		at = d->n_pauses;
		while (at > 0 && cal_cmp(d->pauses[at - 1].from, p.from) > 0) {
			d->pauses[at] = d->pauses[at - 1];
			at--;
		}
		d->pauses[at] = p;
		d->n_pauses++;
	}
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

	collect_pauses(c, d, stop, stopped);
	for (size_t i = 0; i < d->n_pauses; i++) {
		struct rules_pause *p = &d->pauses[i];
		struct cal_date from;

		/* Still running on p->from? Compare with the rolled end of the time so far. */
		if (eng_roll_day(rule, end, &due, NULL, NULL) < 0)
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
	const struct rule *rule = eng_pick(c, RULES_KIND_PROCESSING, recv->date, recv->emergency);
	struct rules_deadline d;
	struct cal_date stop = c->today;
	bool stopped = false;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	eng_deadline_init(&d, RULES_KIND_PROCESSING, recv, rule);
	eng_set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if (recv->emergency && rule->emergency)
		eng_note(&d, "Søknaden gjelder nødhjelp: nødhjelpsregelen gjelder.");
	else if (recv->emergency)
		eng_note(
			&d,
			"Søknaden er merket som nødhjelp, men tjenesten har ingen egen nødhjelpsregel på mottaksdagen; den vanlige regelen er brukt.");
	k = eng_first_by_date(c, RULES_EV_DECISION, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		eng_set_met(&d, &c->ev[k]);
		if (cal_cmp(d.met_on, stop) <= 0) {
			stop = d.met_on;
			stopped = true;
		}
	}
	k = eng_find_cancel(c, RULES_KIND_PROCESSING, 0);
	if (k != NONE && cal_cmp(c->ev[k].date, stop) <= 0) {
		stop = c->ev[k].date;
		stopped = true;
	}
	if ((ret = eng_count_raw(&d, NULL)) < 0)
		goto out;
	if (rule->pauses && (ret = add_pauses(c, &d, rule, stop, stopped)) < 0)
		goto out;
	if ((ret = eng_roll(&d, rule)) < 0)
		goto out;
	for (k = 0; k < c->n_ev; k++) {
		if (c->ev[k].type == RULES_EV_PRELIMINARY_REPLY && c->ev[k].has_due) {
			d.promised = true;
			d.promised_on = c->ev[k].due;
		}
	}
	if (d.promised)
		eng_note(
			&d,
			"Et foreløpig svar har lovet vedtak innen %s (egen frist: lovet svardato).",
			DATE(d.promised_on));
	if ((ret = eng_apply_changes(c, &d, 0, rule)) < 0)
		goto out;
	eng_settle(c, &d, 0);
	eng_push(c, &d);
out:
	eng_deadline_deinit(&d);
	return ret;
}

static int
do_preliminary(struct ctx *c)
{
	const struct rules_event *recv = &c->ev[0];
	const struct rule *rule = eng_pick(c, RULES_KIND_PRELIMINARY_REPLY, recv->date, false);
	struct rules_deadline d;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	eng_deadline_init(&d, RULES_KIND_PRELIMINARY_REPLY, recv, rule);
	eng_set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if ((ret = eng_count(&d, rule, NULL)) < 0)
		goto out;
	/* A decision within the time makes a preliminary reply unnecessary. */
	k = eng_first_by_date(c, RULES_EV_PRELIMINARY_REPLY, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		eng_set_met(&d, &c->ev[k]);
		if (c->ev[k].type == RULES_EV_DECISION)
			eng_note(&d, "Vedtaket %s gjorde et foreløpig svar unødvendig.",
				 DATE(c->ev[k].date));
	}
	if ((ret = eng_apply_changes(c, &d, 0, rule)) < 0)
		goto out;
	eng_settle(c, &d, 0);
	eng_push(c, &d);
out:
	eng_deadline_deinit(&d);
	return ret;
}

/* The documentation deadline of request j into *d (not pushed): 0 with has false when the
 * service has no rule for it. */
static int
build_documentation(struct ctx *c, size_t j, struct rules_deadline *d, bool *has)
{
	const struct rules_event *req = &c->ev[j];
	const struct rule *rule = eng_pick(c, RULES_KIND_DOCUMENTATION, req->date, false);
	int ret;

	*has = false;
	memset(d, 0, sizeof(*d));
	if (!rule)
		return 0;
	eng_deadline_init(d, RULES_KIND_DOCUMENTATION, req, rule);
	eng_set_start(d, req, RULES_START_DOC_REQUESTED, req->date);
	if ((ret = eng_count(d, rule, req->has_due ? &req->due : NULL)) < 0)
		return ret;
	if (!req->has_due)
		eng_note(d, "Brevet nevnte ingen dato: fristen er regelens %s.",
			 cal_period_words(rule->period, (char[CAL_PERIOD_WORDS_LEN]){ 0 }));
	if (c->answer[j] != NONE)
		eng_set_met(d, &c->ev[c->answer[j]]);
	if ((ret = eng_apply_changes(c, d, j, rule)) < 0)
		return ret;
	eng_settle(c, d, j);
	if (d->state == RULES_STATE_EXPIRED && !d->has_met)
		eng_note(
			d,
			"Dokumentasjonen kom ikke innen fristen: saken avgjøres på det som foreligger.");
	*has = true;
	return 0;
}

/* The date a preliminary reply promised (fvl. § 11 a): an office deadline of its own. */
static int
do_promised(struct ctx *c, size_t j)
{
	const struct rules_event *rp = &c->ev[j];
	const struct rule *rule = eng_pick(c, RULES_KIND_PROMISED, rp->date, false);
	struct rules_deadline d;
	size_t dec, next = NONE;
	int ret;

	if (!rule || !rp->has_due)
		return 0;
	eng_deadline_init(&d, RULES_KIND_PROMISED, rp, rule);
	eng_set_start(&d, rp, RULES_START_PRELIMINARY_REPLY, rp->date);
	if ((ret = eng_count(&d, rule, &rp->due)) < 0)
		goto out;
	/* Met by the decision, or replaced by a later reply that promises a new date. */
	dec = eng_first_by_date(c, RULES_EV_DECISION, RULES_EV_DECISION, NONE);
	for (size_t k = j + 1; k < c->n_ev && next == NONE; k++) {
		if (c->ev[k].type == RULES_EV_PRELIMINARY_REPLY && c->ev[k].has_due)
			next = k;
	}
	if (dec != NONE && (next == NONE || cal_cmp(c->ev[dec].date, c->ev[next].date) <= 0)) {
		eng_set_met(&d, &c->ev[dec]);
	} else if (next != NONE) {
		eng_set_met(&d, &c->ev[next]);
		eng_note(&d, "Erstattet av et nytt foreløpig svar %s, som lover vedtak innen %s.",
			 DATE(c->ev[next].date), DATE(c->ev[next].due));
	}
	if ((ret = eng_apply_changes(c, &d, j, rule)) < 0)
		goto out;
	eng_settle(c, &d, j);
	/* Replaced in time by a new promise: neither kept nor broken. */
	if (d.state == RULES_STATE_MET && next != NONE && d.met_by == c->ev[next].id) {
		d.state = RULES_STATE_CANCELLED;
		d.has_met = false;
		d.has_cancelled = true;
		d.cancelled_on = c->ev[next].date;
		d.cancelled_by = c->ev[next].id;
	}
	eng_push(c, &d);
out:
	eng_deadline_deinit(&d);
	return ret;
}

/* The outer limit of fvl. § 31 (whatever the configuration calls it) for decision j. */
static int
late_limit(struct ctx *c, size_t j, const struct rule *rule, struct rules_deadline *d)
{
	const struct rules_event *dec = &c->ev[j];
	size_t k;
	int ret = 0;

	eng_deadline_init(d, RULES_KIND_LATE_COMPLAINT, dec, rule);
	if (rule->start == RULES_START_DECISION_REACHED) {
		if (!dec->has_reached) {
			eng_note(d,
				 "Venter på at vedtaket kommer fram: fristen løper fra den dagen.");
			goto met;
		}
		eng_set_start(d, dec, RULES_START_DECISION_REACHED, dec->reached);
	} else {
		eng_set_start(d, dec, RULES_START_DECISION_MADE, dec->date);
	}
	if ((ret = eng_count(d, rule, NULL)) < 0)
		return ret;
met:
	k = eng_first_by_date(c, RULES_EV_COMPLAINT, RULES_EV_COMPLAINT, j);
	if (k != NONE)
		eng_set_met(d, &c->ev[k]);
	if ((ret = eng_apply_changes(c, d, j, rule)) < 0)
		return ret;
	eng_settle(c, d, j);
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

/* The first reasons_given for decision j recorded after request k and not before it, or
 * NONE. */
static size_t
reasons_given_after(const struct ctx *c, size_t j, size_t k)
{
	for (size_t g = k + 1; g < c->n_ev; g++) {
		if (c->ev[g].type == RULES_EV_REASONS_GIVEN && c->target[g] == j &&
		    cal_cmp(c->ev[g].date, c->ev[k].date) >= 0)
			return g;
	}
	return NONE;
}

/*
 * Request k restarts d: a full new period from the day the reasons were given (event given),
 * or no due date while they are awaited (given NONE). 0 or -ERANGE.
 */
static int
restart(const struct ctx *c, size_t k, size_t given, const struct rule *rule,
	struct rules_deadline *d, const char *src)
{
	const struct rules_event *rq = &c->ev[k];

	d->has_restart = true;
	d->restart.requested_event = rq->id;
	d->restart.requested = rq->date;
	if (given == NONE) {
		d->has_due = false;
		eng_note(
			d,
			"Parten ba om begrunnelse %s for et vedtak uten begrunnelse: en ny, full klagefrist løper fra begrunnelsen kommer fram%s.",
			DATE(rq->date), CITE(src));
		return 0;
	}
	d->restart.given = true;
	d->restart.given_event = c->ev[given].id;
	d->restart.given_on = c->ev[given].date;
	eng_clear_count(d);
	eng_set_start(d, &c->ev[given], RULES_START_REASONS_GIVEN, c->ev[given].date);
	return eng_count(d, rule, NULL);
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
			eng_note(
				d,
				dec->reasoned
					? "Parten ba om begrunnelse %s. Vedtaket var begrunnet, så klagefristen løper som før%s."
					: "Parten ba om begrunnelse %s; regelen gir ikke ny klagefrist for det%s.",
				DATE(rq->date), CITE(src));
			continue;
		}
		if (d->has_restart) {
			eng_note(d, "Ny anmodning om begrunnelse %s endrer ikke klagefristen.",
				 DATE(rq->date));
			continue;
		}
		if (had_due && cal_cmp(rq->date, first_due) > 0) {
			eng_note(
				d,
				"Parten ba om begrunnelse %s, etter at klagefristen gikk ut %s: fristen begynner ikke på nytt.",
				DATE(rq->date), DATE(first_due));
			continue;
		}
		given = reasons_given_after(c, j, k);
		if (given != NONE && had_due)
			eng_note(d, "Den opprinnelige klagefristen var %s.", DATE(first_due));
		if ((ret = restart(c, k, given, rule, d, src)) < 0)
			return ret;
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
			eng_note(d, "Klagen ble sendt %s, %s etter fristen.", DATE(d->met_on),
				 DAYS(n));
		else if (cal_cmp(d->met_on, late->due) <= 0)
			eng_note(
				d,
				"Klagen ble sendt %s, %s for sent. Den kan likevel tas under behandling hvis parten ikke kan lastes for forsinkelsen, eller det av særlige grunner er rimelig at klagen blir prøvd, siden den ble sendt innen %s (%s).",
				DATE(d->met_on), DAYS(n), DATE(late->due), late->source);
		else
			eng_note(
				d,
				"Klagen ble sendt %s, etter den ytre fristen %s (%s): den kan ikke tas under behandling.",
				DATE(d->met_on), DATE(late->due), late->source);
	} else if (!d->has_met && window) {
		if (cal_cmp(c->today, late->due) <= 0)
			eng_note(
				d,
				"Klagefristen er utløpt uten klage. En klage som sendes senest %s, kan likevel tas under behandling hvis parten ikke kan lastes for forsinkelsen, eller det av særlige grunner er rimelig at klagen blir prøvd (%s).",
				DATE(late->due), late->source);
		else
			eng_note(d,
				 "Klagefristen og den ytre fristen %s (%s) er utløpt uten klage.",
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

/* Where decision j's complaint deadline starts by rule cr; no start while the decision has
 * not reached the party. */
static void
complaint_start(struct rules_deadline *d, const struct rules_event *dec, const struct rule *cr)
{
	if (cr->start == RULES_START_DECISION_MADE) {
		eng_set_start(d, dec, RULES_START_DECISION_MADE, dec->date);
	} else if (dec->has_reached) {
		eng_set_start(d, dec, RULES_START_DECISION_REACHED, dec->reached);
		if (dec->digital)
			eng_note(
				d,
				"Digitalt vedtak: regnet fra det seneste av da vedtaket ble gjort tilgjengelig og da varselet ble sendt (%s).",
				DATE(dec->reached));
	} else {
		eng_note(d, "Venter på at vedtaket kommer fram: klagefristen løper fra den dagen.");
	}
}

/* Decision j's complaint deadline by rule cr into *d (not pushed): 0 or -ERANGE. */
static int
complaint_deadline(struct ctx *c, size_t j, const struct rule *cr,
		   const struct rules_procedure *proc, struct rules_deadline *d)
{
	struct cal_date on;
	size_t k;
	int ret;

	eng_deadline_init(d, RULES_KIND_COMPLAINT, &c->ev[j], cr);
	complaint_start(d, &c->ev[j], cr);
	if (d->has_start && (ret = eng_count(d, cr, NULL)) < 0)
		return ret;
	if ((ret = reasons(c, j, cr, d)) < 0)
		return ret;
	if ((ret = eng_apply_changes(c, d, j, cr)) < 0)
		return ret;
	/* In time is judged on the day the complaint was sent (or as configured). */
	k = first_complaint(c, j, proc->in_time, &on);
	if (k != NONE) {
		eng_set_met_on(d, &c->ev[k], on);
		if (proc->citation[RULES_CITATION_IN_TIME])
			eng_note(d, "Klagen er vurdert etter dagen den ble %s (%s).",
				 proc->in_time == RULES_IN_TIME_SENT ? "sendt" : "mottatt",
				 proc->citation[RULES_CITATION_IN_TIME]);
	}
	eng_settle(c, d, j);
	return 0;
}

static int
do_decision(struct ctx *c, size_t j)
{
	const struct rules_event *dec = &c->ev[j];
	struct cal_date sel = dec->has_reached ? dec->reached : dec->date;
	const struct rule *cr = eng_pick(c, RULES_KIND_COMPLAINT, sel, false);
	const struct rule *lr = eng_pick(c, RULES_KIND_LATE_COMPLAINT, dec->date, false);
	const struct rules_procedure *proc = rules_procedure_at(c->rules, sel);
	struct rules_deadline d, late;
	int ret = 0;

	memset(&d, 0, sizeof(d));
	memset(&late, 0, sizeof(late));
	if (lr && (ret = late_limit(c, j, lr, &late)) < 0)
		goto out;
	if (cr) {
		if ((ret = complaint_deadline(c, j, cr, proc, &d)) < 0)
			goto out;
		late_notes(c, &d, lr ? &late : NULL);
		eng_push(c, &d);
	}
	if (lr)
		eng_push(c, &late);
out:
	eng_deadline_deinit(&d);
	eng_deadline_deinit(&late);
	return ret;
}

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
	return eng_in_list(outcome, proc->forwarding_ended_by);
}

/* Complaint j forwarded, or settled by a review that ends the duty: d met by the first. */
static void
forwarding_met(const struct ctx *c, size_t j, const struct rules_procedure *proc,
	       struct rules_deadline *d)
{
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (c->target[k] != j || (d->has_met && cal_cmp(e->date, d->met_on) >= 0))
			continue;
		if (e->type == RULES_EV_FORWARDED || (e->type == RULES_EV_COMPLAINT_DECIDED &&
						      outcome_ends_forwarding(proc, e->outcome)))
			eng_set_met(d, e);
	}
}

/* What each review of complaint j by the office means for forwarding it to body. */
static void
review_notes(const struct ctx *c, size_t j, const struct rules_procedure *proc, const char *body,
	     struct rules_deadline *d)
{
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];

		if (c->target[k] != j || e->type != RULES_EV_COMPLAINT_DECIDED)
			continue;
		if (outcome_ends_forwarding(proc, e->outcome))
			eng_note(d,
				 "Kontoret behandlet klagen %s og %s: klagen sendes ikke videre.",
				 DATE(e->date), review_words(e->outcome));
		else if (!d->has_met || d->met_by == e->id || cal_cmp(e->date, d->met_on) <= 0)
			eng_note(
				d,
				"Kontoret behandlet klagen %s og %s: klagen skal fortsatt sendes til %s.",
				DATE(e->date), review_words(e->outcome), body);
	}
}

static int
do_forwarding(struct ctx *c, size_t j)
{
	const struct rules_event *cp = &c->ev[j];
	struct cal_date sel = cp->has_reached ? cp->reached : cp->date;
	const struct rule *rule = eng_pick(c, RULES_KIND_FORWARDING, sel, false);
	const char *body = c->svc->regime->complaint_body;
	const struct rules_procedure *proc = rules_procedure_at(c->rules, sel);
	struct rules_deadline d;
	int ret;

	if (!rule)
		return 0;
	eng_deadline_init(&d, RULES_KIND_FORWARDING, cp, rule);
	d.complaint_body = xstrdup(body);
	if (rule->start == RULES_START_COMPLAINT_RECEIVED && cp->has_reached) {
		eng_set_start(&d, cp, RULES_START_COMPLAINT_RECEIVED, cp->reached);
	} else {
		eng_set_start(&d, cp, RULES_START_COMPLAINT_SENT, cp->date);
		if (rule->start == RULES_START_COMPLAINT_RECEIVED)
			eng_note(&d, "Mottaksdato mangler: regnet fra da klagen ble sendt (%s).",
				 DATE(cp->date));
	}
	if ((ret = eng_count(&d, rule, NULL)) < 0)
		goto out;
	forwarding_met(c, j, proc, &d);
	review_notes(c, j, proc, body, &d);
	if ((ret = eng_apply_changes(c, &d, j, rule)) < 0)
		goto out;
	eng_settle(c, &d, j);
	for (size_t k = 0; d.has_cancelled && k < c->n_ev; k++) {
		if (c->ev[k].id == d.cancelled_by && c->ev[k].type == RULES_EV_COMPLAINT_WITHDRAWN)
			eng_note(&d, "Klagen ble trukket %s: den sendes ikke videre.",
				 DATE(c->ev[k].date));
	}
	eng_push(c, &d);
out:
	eng_deadline_deinit(&d);
	return ret;
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
	if ((ret = eng_ctx_init(&c, rules, service, ev, n_ev, today)) < 0)
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
				eng_push(&c, &c.docs[j]);
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
	eng_ctx_deinit(&c);
	return ret;
}
