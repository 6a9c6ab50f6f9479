// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_plan: which reminders a case's deadlines call for, and when. The policy of each
 * deadline kind (the service's own before the general one, an emergency policy for an
 * emergency application) names its stages: days before or after the due date, in calendar
 * or working days, or hours after the application was received (an emergency). A stage
 * may repeat while its deadline is overdue; the applicant gets messages of their own, and
 * a daily digest takes the place of the day stages of the recipients it goes to.
 *
 * Only what is next is planned: each deadline still awaited holds one reminder to send
 * for the staff (and one for the applicant), the earliest occurrence of its stages that is
 * not in the outbox yet. Planning runs in the same savepoint as its cause: the event that
 * changed the deadlines, or the first attempt (whatever came of it) or the skip of the
 * reminder before it, which plans from the stored deadlines (remind_plan_next); those were
 * brought up to date just before that reminder went out (ops_recompute_before_send: a
 * pause that runs on moves a due date by the day). A reminder that was tried and is being
 * retried, or held on a disabled channel, does not hold back the stages after it. A
 * pending reminder whose deadline is no longer awaited, or whose due date moved, is
 * cancelled. A reminder planned earlier and still valid is never cancelled because its
 * time passed: that is what the scheduler catches up on after a restart. A stage whose
 * time passed less than a day ago is still planned (a repeating one: its latest
 * occurrence), older ones not; but after the first attempt of a reminder, every stage of
 * its own series whose time came since that reminder's is (the daemon was down, the
 * channel held).
 *
 * A reminder's identity is (case, kind, subject, stage, occurrence, recipient) - the
 * occurrence is its day, or for a stage counted in hours its instant: planning
 * the same one twice inserts nothing, so a reminder already sent is never planned again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/remind_impl.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/util.h"

/* A stage whose time passed less than this long before it was planned is still sent. */
#define PAST_SLACK	 (24 * 3600)
#define MAX_REPEAT_STEPS 4000

/*
 * The policy for a deadline kind of a case: the service's own before the general one; for
 * an emergency (nødhjelp) application an emergency policy before an ordinary one, so that
 * emergencies get the emergency policy by default and a service may still have its own.
 */
static const struct conf_policy *
find_policy(const struct conf_reminders *r, enum rules_kind kind, const char *service,
	    bool emergency)
{
	const struct conf_policy *best = NULL;
	int best_rank = 0;

	for (size_t i = 0; i < r->n_policies; i++) {
		const struct conf_policy *p = &r->policies[i];
		int rank;

		if (p->kind != (int)kind || (p->emergency && !emergency) ||
		    (p->service && strcmp(p->service, service) != 0))
			continue;
		rank = 1 + (p->service ? 2 : 0) + (p->emergency ? 1 : 0);
		if (rank > best_rank) {
			best = p;
			best_rank = rank;
		}
	}
	return best;
}

/* d moved by n working days (legal calendar), backwards when n < 0. */
static struct cal_date
add_working_days(struct cal_date d, int32_t n)
{
	int step = n < 0 ? -1 : 1;

	for (int32_t k = n < 0 ? -n : n; k > 0;) {
		d = cal_add_days(d, step);
		if (!cal_is_closed(NULL, d, NULL))
			k--;
	}
	return d;
}

struct wanted {
	enum rules_kind kind;
	int64_t subject;
	const struct conf_stage *stage;
	struct cal_date day;
	struct cal_date due;
	int64_t at;
	unsigned recipients;
	const char *unsent; /* why it is recorded as cancelled instead of planned, or NULL */
	bool done;	    /* planning: this stage has nothing more to offer */
	/* An hours stage's occurrence is its instant, RFC 3339 UTC (several a day). */
	char hour[CAL_INSTANT_LEN];
};

/* Moves w to the next occurrence of its repeating stage: false when out of range. */
static bool next_occurrence(const struct conf_reminders *r, struct wanted *w);

static struct cal_date
next_working_day(struct cal_date d)
{
	for (int guard = 0; guard < CAL_MAX_STEPS && cal_is_closed(NULL, d, NULL); guard++)
		d = cal_add_days(d, 1);
	return d;
}

/* The day and instant of a stage for a due date; false when out of range. */
static bool
stage_time(const struct conf_reminders *r, const struct conf_stage *st, struct cal_date due,
	   struct cal_date *day, int64_t *at)
{
	FV_ASSERT(!st->by_hours);
	*day = st->working_days ? add_working_days(due, st->offset_days)
				: cal_add_days(due, st->offset_days);
	if (st->wait_for_working_day)
		*day = next_working_day(*day);
	return cal_local_instant(*day, (int)r->send_minute, at) == 0;
}

static bool
next_occurrence(const struct conf_reminders *r, struct wanted *w)
{
	struct conf_stage once = *w->stage;

	once.offset_days = (int32_t)cal_diff_days(w->due, w->day) + (int32_t)w->stage->repeat_days;
	once.working_days = false;
	return stage_time(r, &once, w->due, &w->day, &w->at);
}

/*
 * On a channel that sends e-mail the applicant's reminders need the contact's address; a contact
 * with a phone number only would give messages without a recipient, retried until dead.
 * Those are recorded cancelled, with the reason, so that the case's reminders show why.
 */
#define NO_APPLICANT_EMAIL                                                                         \
	"not sent: the applicant's contact has no e-mail address and reminders go out by e-mail"

/* Whether reminders to the applicant of case c can be sent on the reminder channel. */
static bool
applicant_reachable(struct ops_env *env, const struct store_case *c)
{
	const struct conf_channel *ch = conf_channel_find(env->conf, env->conf->reminders.channel);
	char *email = NULL, *phone = NULL;
	bool ok;

	if (!ch || !conf_channel_type_mails(ch->type))
		return true;
	ok = store_contact_get(env->store, c->id, &email, &phone) == 0 && email && *email;
	free(email);
	free(phone);
	return ok;
}

/* Which recipients a stage reaches for this case. */
static unsigned
stage_recipients(const struct conf_reminders *r, const struct conf_stage *st, enum rules_kind kind,
		 const struct store_case *c)
{
	/* A digest replaces the day's reminders, never the hours of an emergency. */
	unsigned rc = st->by_hours ? st->recipients : st->recipients & ~r->digest_recipients;

	if (!c->handler)
		rc &= ~(unsigned)CONF_RCPT_HANDLER;
	if (!c->unit)
		rc &= ~(unsigned)(CONF_RCPT_UNIT | CONF_RCPT_SUPERVISOR);
	if (kind != RULES_KIND_COMPLAINT || !c->has_contact)
		rc &= ~(unsigned)CONF_RCPT_APPLICANT;
	return rc;
}

/*
 * Whether a deadline still waits for what meets it: open, or an office duty past its date
 * and still not met (state missed without a meeting event) nor ended since (the
 * application withdrawn, the case closed) — overdue reminders are for exactly those. A party's deadline that passed has expired: nothing to chase.
 */
static bool
awaiting(const struct rules_deadline *d)
{
	if (!d->has_due)
		return false;
	return d->state == RULES_STATE_OPEN ||
	       (d->state == RULES_STATE_MISSED && !d->has_met && !d->has_ended);
}

/* The instant an hours stage's day ends: midnight after the due day. */
static bool
due_day_end(struct cal_date due, int64_t *end)
{
	return cal_local_instant(cal_add_days(due, 1), 0, end) == 0;
}

/*
 * The first occurrence of an hours stage (counted from start, the instant the deadline
 * started) still to consider at now: for a repeating one the latest at or before now, when
 * that is not before since, else the next; repeats end with the due day. False when there
 * is none.
 */
static bool
hours_first(const struct conf_stage *st, int64_t start, struct cal_date due, int64_t now,
	    int64_t since, struct wanted *w)
{
	int64_t first = start + (int64_t)st->hours * 3600, rep = st->repeat_hours * 3600LL, end;

	w->at = first;
	if (rep && w->at <= now)
		w->at += (now - w->at) / rep * rep;
	if (rep && w->at < since)
		w->at += rep;
	if (!rep && w->at < since)
		return false;
	if (!due_day_end(due, &end) || (rep && w->at >= end && w->at > first))
		return false;
	cal_instant_format(w->at, w->hour);
	return cal_date_of_instant(w->at, &w->day) == 0;
}

/*
 * The first occurrence of stage w->stage of deadline d still to consider at now: a single
 * stage's own, if it is not before since; for a repeating stage the latest at or before
 * now (not before since: sent at once, as after a restart), else the next one. False when
 * the stage has none.
 */
static bool
stage_first(const struct conf_reminders *r, const struct store_case *c,
	    const struct rules_deadline *d, int64_t now, int64_t since, struct wanted *w)
{
	const struct conf_stage *st = w->stage;
	struct wanted next;
	int steps = 0;

	/* Processing starts when the application was received. */
	if (st->by_hours)
		return hours_first(st, c->received, d->due, now, since, w);
	if (!stage_time(r, st, d->due, &w->day, &w->at))
		return false;
	if (!st->repeat_days)
		return w->at >= since;
	next = *w;
	while (next.at <= now && steps++ < MAX_REPEAT_STEPS) {
		*w = next;
		if (!next_occurrence(r, &next))
			return w->at >= since;
	}
	/* w: the latest occurrence at or before now (next the one after it), or the first. */
	if (w->at <= now && w->at < since)
		*w = next;
	return true;
}

/* Moves w to its stage's next occurrence: false when the stage does not repeat or ended. */
static bool
stage_advance(const struct conf_reminders *r, struct wanted *w)
{
	const struct conf_stage *st = w->stage;
	int64_t end;

	if (st->by_hours) {
		w->at += st->repeat_hours * 3600LL;
		if (!st->repeat_hours || !due_day_end(w->due, &end) || w->at >= end)
			return false;
		cal_instant_format(w->at, w->hour);
		return cal_date_of_instant(w->at, &w->day) == 0;
	}
	return st->repeat_days && next_occurrence(r, w);
}

/*
 * A series: one deadline's reminders for one kind of recipient (the staff, or the applicant,
 * who gets messages of their own). It holds one reminder to send at a time: the earliest
 * of its stages' occurrences that is not in the outbox yet.
 */
struct series {
	struct wanted *v; /* the candidates: each stage's next occurrence */
	size_t n;
	size_t cap;
	bool applicant;
};

static void
series_add(struct series *s, struct wanted w)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = w;
}

/* The candidate due first (the policy's order between equals), or NULL when none is left. */
static struct wanted *
series_earliest(struct series *s)
{
	struct wanted *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (!s->v[i].done && (!best || s->v[i].at < best->at))
			best = &s->v[i];
	}
	return best;
}

/*
 * Whether the outbox holds a reminder of the series of deadline d for recipient that waits
 * for its first attempt (pending, never tried) and is due at or before at: then nothing
 * after it is planned yet. A reminder already tried (failing, retried, held on a disabled
 * channel) does not hold the series back: the stages after it are planned all the same.
 */
static bool
series_blocked(const struct store_reminder *open, size_t n_open, const struct rules_deadline *d,
	       const char *recipient, int64_t at)
{
	for (size_t k = 0; k < n_open; k++) {
		const struct store_reminder *o = &open[k];

		if ((strcmp(o->state, "pending") == 0 || strcmp(o->state, "failed") == 0) &&
		    o->attempts == 0 && o->not_before <= at && o->subject == d->subject &&
		    strcmp(o->kind, rules_kind_name(d->kind)) == 0 &&
		    strcmp(o->recipient, recipient) == 0)
			return true;
	}
	return false;
}

/* Fills s with the first occurrence of every stage of deadline d that reaches s's recipients. */
static void
series_fill(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
	    int64_t now, int64_t since, struct series *s)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const struct conf_policy *p = find_policy(r, d->kind, c->service, c->emergency);

	for (size_t j = 0; p && j < p->n_stages; j++) {
		const struct conf_stage *st = &p->stages[j];
		unsigned rc = stage_recipients(r, st, d->kind, c);
		struct wanted w = {
			.kind = d->kind, .subject = d->subject, .stage = st, .due = d->due
		};

		w.recipients = s->applicant ? rc & CONF_RCPT_APPLICANT
					    : rc & ~(unsigned)CONF_RCPT_APPLICANT;
		if (w.recipients && stage_first(r, c, d, now, since, &w))
			series_add(s, w);
	}
}

/*
 * Inserts w of case c into the outbox unless a reminder with its identity is there
 * (*inserted says which). One the applicant cannot get is recorded cancelled, with the
 * reason. 0 or a negative errno.
 */
static int
plan_one(struct ops_env *env, const struct store_case *c, const struct wanted *w, int64_t now,
	 bool *inserted)
{
	const struct conf_reminders *r = &env->conf->reminders;
	char day[CAL_DATE_LEN], due[CAL_DATE_LEN];
	struct store_reminder rem = {
		.case_id = c->id,
		.kind = (char *)rules_kind_name(w->kind),
		.subject = w->subject,
		.stage = w->stage->name,
		.occurrence = w->hour[0] ? (char *)w->hour : cal_date_format(w->day, day),
		.recipient = (char *)(w->recipients == CONF_RCPT_APPLICANT ? "applicant" : ""),
		.due = cal_date_format(w->due, due),
		.recipients = w->recipients,
		.channel = r->channel,
		.planned = w->at,
		.not_before = w->at,
		.created = now,
	};
	int ret;

	if ((ret = store_reminder_plan(env->store, &rem, inserted)) < 0 || !*inserted)
		return ret;
	if (!w->unsent) {
		env->reminders_changed = true;
		return 0;
	}
	/* Recorded, not sent: the identity keeps it from being planned again. */
	rem.state = (char *)"cancelled";
	rem.last_error = (char *)w->unsent;
	if ((ret = store_reminder_update(env->store, &rem)) < 0)
		return ret;
	log_notice("reminder %lld (%s, %s) is not sent: the applicant has no e-mail address",
		   (long long)rem.id, rem.kind, rem.stage);
	return 0;
}

/*
 * Plans the next reminder of series s of deadline d: the earliest candidate not in the
 * outbox yet, unless a reminder of the series that was never tried comes before it. A
 * candidate that is there (sent, dead, cancelled, or sent early by a retry) gives way to
 * its stage's next occurrence, so a repeating stage goes on from the occurrence, not from
 * now. A stage that a new policy put before the reminder waiting is planned too. The
 * applicant's stages without an address are all recorded at once, cancelled. 0 or a
 * negative errno.
 */
static int
series_plan(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
	    struct series *s, const struct store_reminder *open, size_t n_open, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const char *recipient = s->applicant ? "applicant" : "";
	struct wanted *w;
	int steps = 0, ret;

	while ((w = series_earliest(s)) && steps++ < MAX_REPEAT_STEPS) {
		bool inserted;

		if (series_blocked(open, n_open, d, recipient, w->at))
			return 0;
		if ((ret = plan_one(env, c, w, now, &inserted)) < 0)
			return ret;
		if (inserted && !w->unsent)
			return 0;
		w->done = w->unsent || !stage_advance(r, w);
	}
	return 0;
}

/*
 * From when series (deadline d, the applicant's or not) considers stages at now: a day
 * back, or, for the series of reminder from after its first attempt or skip, back to when
 * that one was planned (no stage that fell due meanwhile is passed over).
 */
static int64_t
series_since(const struct rules_deadline *d, bool applicant, const struct store_reminder *from,
	     int64_t now)
{
	int64_t since = now - PAST_SLACK;

	if (from && from->subject == d->subject &&
	    strcmp(from->kind, rules_kind_name(d->kind)) == 0 &&
	    (strcmp(from->recipient, "applicant") == 0) == applicant && from->planned < since)
		since = from->planned;
	return since;
}

/* Plans the next reminder of each series of deadline d (the staff's and the applicant's). */
static int
plan_deadline(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
	      const struct store_reminder *open, size_t n_open, int *reachable, int64_t now,
	      const struct store_reminder *from)
{
	int ret = 0;

	if (!awaiting(d))
		return 0;
	for (int a = 0; a < 2 && ret == 0; a++) {
		struct series s = { .applicant = a == 0 }; /* the applicant's first */

		series_fill(env, c, d, now, series_since(d, s.applicant, from, now), &s);
		if (s.applicant && s.n) {
			if (*reachable < 0)
				*reachable = applicant_reachable(env, c);
			for (size_t i = 0; !*reachable && i < s.n; i++)
				s.v[i].unsent = NO_APPLICANT_EMAIL;
		}
		ret = series_plan(env, c, d, &s, open, n_open, now);
		free(s.v);
	}
	return ret;
}

/* Whether open reminder o still fits one of the deadlines d: awaited, the same due date. */
static bool
still_fits(const struct store_reminder *o, const struct rules_deadline *d, size_t n)
{
	enum rules_kind kind;

	if (rules_kind_parse(o->kind, &kind) < 0)
		return true; /* a kind not known here: left as it is */
	for (size_t i = 0; i < n; i++) {
		char due[CAL_DATE_LEN];

		if (d[i].kind == kind && d[i].subject == o->subject && awaiting(&d[i]) && o->due &&
		    strcmp(cal_date_format(d[i].due, due), o->due) == 0)
			return true;
	}
	return false;
}

/*
 * Cancels the open reminders (n_open of them) that no longer fit: the deadline is met,
 * cancelled, or its date moved. 0 or a negative errno.
 */
static int
cancel_unfit(struct ops_env *env, const struct rules_deadline *d, size_t n,
	     struct store_reminder *open, size_t n_open)
{
	int ret;

	for (size_t k = 0; k < n_open; k++) {
		if (still_fits(&open[k], d, n))
			continue;
		free(open[k].state);
		open[k].state = xstrdup("cancelled");
		if ((ret = store_reminder_update(env->store, &open[k])) < 0)
			return ret;
		env->reminders_changed = true;
	}
	return 0;
}

/*
 * Plans case c's reminders from its deadlines d (n of them); from: the reminder whose first
 * attempt or skip this follows, or NULL. 0 or a negative errno.
 */
static int
plan_case(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d, size_t n,
	  int64_t now, const struct store_reminder *from)
{
	struct store_reminder *open = NULL;
	size_t n_open = 0;
	int reachable = -1; /* the applicant: unknown until a stage needs it */
	int ret;

	if ((ret = store_reminders_open_of_case(env->store, c->id, &open, &n_open)) < 0)
		return ret;
	ret = cancel_unfit(env, d, n, open, n_open);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = plan_deadline(env, c, &d[i], open, n_open, &reachable, now, from);
	store_reminders_free(open, n_open);
	return ret;
}

int
ops_remind_plan(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
		size_t n, int64_t now)
{
	return plan_case(env, c, d, n, now, NULL);
}

/* A stored deadline as the planner reads it; false when it cannot be read. */
static bool
deadline_of_row(const struct store_deadline_row *row, struct rules_deadline *d)
{
	memset(d, 0, sizeof(*d));
	d->subject = row->subject;
	d->has_due = row->due && cal_date_parse(row->due, &d->due) == 0;
	d->has_met = row->met_on != NULL;
	d->has_ended = row->ended_on != NULL;
	return rules_kind_parse(row->kind, &d->kind) == 0 &&
	       rules_state_parse(row->state, &d->state) == 0;
}

int
remind_plan_next(struct ops_env *env, const struct store_reminder *rem, bool first, int64_t now)
{
	struct store_deadline_row *rows = NULL;
	struct rules_deadline *d;
	struct store_case c;
	size_t n = 0, k = 0;
	int ret;

	if ((ret = store_case_by_id(env->store, rem->case_id, &c)) < 0)
		return ret == -ENOENT ? 0 : ret;
	if ((ret = store_deadlines_of_case(env->store, c.id, &rows, &n)) < 0)
		goto out;
	d = xcalloc(n ? n : 1, sizeof(*d));
	for (size_t i = 0; i < n; i++)
		k += deadline_of_row(&rows[i], &d[k]);
	ret = plan_case(env, &c, d, k, now, first ? rem : NULL);
	free(d);
	store_deadline_rows_free(rows, n);
out:
	store_case_deinit(&c);
	return ret;
}

/*
 * The check of fristvakt check: whether the staff's series of awaited deadline d of case c
 * misses its next reminder at now. It asks what the planner would ask, as an event would
 * plan the case now (stages from a day back): the earliest candidate of the series that a
 * pending reminder never tried does not come after, and that the outbox does not hold.
 * After a reminder's first attempt or skip the planner plans that (from further back),
 * after an event it plans the same, so a daemon that planned every change has nothing to
 * add: a candidate it would add is a reminder that will never be planned.
 */
int
remind_series_missing(struct ops_env *env, const struct store_case *c,
		      const struct rules_deadline *d, const struct store_reminder *open,
		      size_t n_open, int64_t now, char *what, size_t len)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct series s = { .applicant = false };
	struct wanted *w;
	int steps = 0, ret = 0;

	if (!awaiting(d))
		return 0;
	series_fill(env, c, d, now, now - PAST_SLACK, &s);
	while ((w = series_earliest(&s)) && steps++ < MAX_REPEAT_STEPS) {
		char day[CAL_DATE_LEN];
		struct store_reminder rem = {
			.case_id = c->id,
			.kind = (char *)rules_kind_name(w->kind),
			.subject = w->subject,
			.stage = w->stage->name,
			.occurrence = w->hour[0] ? (char *)w->hour : cal_date_format(w->day, day),
			.recipient = (char *)"",
		};
		bool would;

		if (series_blocked(open, n_open, d, "", w->at))
			break;
		if ((ret = store_reminder_would_plan(env->store, &rem, &would)) < 0)
			break;
		if (would) {
			snprintf(what, len, "stage %s (%s)", rem.stage, rem.occurrence);
			ret = 1;
			break;
		}
		w->done = !stage_advance(r, w);
	}
	free(s.v);
	return ret;
}

const struct conf_stage *
remind_find_stage(const struct conf_reminders *r, const char *kind_s, const struct store_case *c,
		  const char *stage)
{
	const struct conf_policy *p;
	enum rules_kind kind;

	if (rules_kind_parse(kind_s, &kind) < 0)
		return NULL;
	p = find_policy(r, kind, c->service, c->emergency);
	for (size_t i = 0; p && i < p->n_stages; i++) {
		if (strcmp(p->stages[i].name, stage) == 0)
			return &p->stages[i];
	}
	return NULL;
}
