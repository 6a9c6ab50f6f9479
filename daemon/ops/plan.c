// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_plan: which reminders a case's deadlines call for, and when. The policy of each
 * deadline kind (the service's own before the general one, an emergency policy for an
 * emergency application) names its stages: days before or after the due date, in calendar
 * or working days, or hours after the application was received (an emergency). A stage
 * may repeat while its deadline is overdue; the applicant gets messages of their own, and
 * a daily digest takes the place of the day stages of the recipients it goes to.
 *
 * Planning runs in the same savepoint as the event that changed the deadlines (the outbox
 * is written with its cause): a stage that is due later and not yet planned is inserted; a pending
 * reminder whose deadline is no longer open, or whose due date moved, is cancelled. A
 * reminder planned earlier and still valid is never cancelled because its time passed: that
 * is what the scheduler catches up on after a restart. Repeating stages (while overdue) plan
 * one occurrence at a time; the next is planned when one is sent.
 *
 * A reminder's identity is (case, kind, subject, stage, occurrence, recipient) - the
 * occurrence is its day, or for a stage counted in hours its instant: planning
 * the same one twice inserts nothing, so a reminder already sent is never planned again.
 */
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
 * Whether the outbox holds an occurrence of w's stage (for the same recipient) still to be
 * sent: a repeating stage has one at a time.
 */
static bool
stage_open(const struct store_reminder *open, size_t n_open, const struct wanted *w,
	   const char *recipient)
{
	for (size_t k = 0; k < n_open; k++) {
		const struct store_reminder *o = &open[k];

		if ((strcmp(o->state, "pending") == 0 || strcmp(o->state, "failed") == 0) &&
		    o->subject == w->subject && strcmp(o->kind, rules_kind_name(w->kind)) == 0 &&
		    strcmp(o->stage, w->stage->name) == 0 && strcmp(o->recipient, recipient) == 0)
			return true;
	}
	return false;
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
 * and still not met (state missed without a meeting event) — overdue reminders are for
 * exactly those. A party's deadline that passed has expired: nothing to chase.
 */
static bool
awaiting(const struct rules_deadline *d)
{
	if (!d->has_due)
		return false;
	return d->state == RULES_STATE_OPEN || (d->state == RULES_STATE_MISSED && !d->has_met);
}

/*
 * The next occurrence of an hours stage (counted from start, the instant the deadline
 * started) at or after now, repeating every repeat_hours while the due day lasts: false
 * when there is none (a single one long past, or the repeats ran beyond the due day).
 */
static bool
hours_time(const struct conf_stage *st, int64_t start, struct cal_date due, int64_t now,
	   struct cal_date *day, int64_t *at)
{
	int64_t end;

	*at = start + (int64_t)st->hours * 3600;
	if (st->repeat_hours && *at <= now)
		*at += ((now - *at) / (st->repeat_hours * 3600LL) + 1) * st->repeat_hours * 3600LL;
	if (!st->repeat_hours && *at < now - PAST_SLACK)
		return false;
	if (cal_local_instant(cal_add_days(due, 1), 0, &end) < 0 ||
	    (st->repeat_hours && *at >= end && *at > start + (int64_t)st->hours * 3600))
		return false;
	return cal_date_of_instant(*at, day) == 0;
}

/*
 * When stage st of deadline d reaches its next occurrence: fills w's day and instant (and
 * for an hours stage its instant as text). A repeating day stage gives its next occurrence
 * from now on; false when the stage has none that is still to be sent.
 */
static bool
stage_when(const struct conf_reminders *r, const struct store_case *c,
	   const struct rules_deadline *d, int64_t now, struct wanted *w)
{
	const struct conf_stage *st = w->stage;
	int steps = 0;

	if (st->by_hours) {
		/* Processing starts when the application was received. */
		if (!hours_time(st, c->received, d->due, now, &w->day, &w->at))
			return false;
		cal_instant_format(w->at, w->hour);
		return true;
	}
	if (!stage_time(r, st, d->due, &w->day, &w->at))
		return false;
	/* A repeating stage: its next occurrence from now on. */
	/* (One sent at this very second is behind us too.) */
	while (st->repeat_days && w->at <= now && steps++ < MAX_REPEAT_STEPS) {
		if (!next_occurrence(r, w))
			break;
	}
	return st->repeat_days || w->at >= now - PAST_SLACK;
}

/* The reminders a case's deadlines call for: grown as stages are found. */
struct want_list {
	struct wanted *v;
	size_t n;
	size_t cap;
	int reachable; /* the applicant: unknown (-1) until a stage needs it */
};

/* Adds w to the list: the applicant's share of it as a reminder of its own. */
static void
want_add(struct ops_env *env, const struct store_case *c, struct want_list *l, struct wanted w)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	/*
	 * The applicant gets a message of their own: staff addresses and the
	 * applicant's never share a To: line.
	 */
	if (w.recipients & CONF_RCPT_APPLICANT) {
		struct wanted a = w;

		if (l->reachable < 0)
			l->reachable = applicant_reachable(env, c);
		a.recipients = CONF_RCPT_APPLICANT;
		a.unsent = l->reachable ? NULL : NO_APPLICANT_EMAIL;
		l->v[l->n++] = a;
		w.recipients &= ~(unsigned)CONF_RCPT_APPLICANT;
	}
	if (w.recipients)
		l->v[l->n++] = w;
}

/* Adds the reminders the policy asks for deadline d of case c to l. */
static void
want_deadline(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
	      int64_t now, struct want_list *l)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const struct conf_policy *p;

	if (!awaiting(d))
		return;
	p = find_policy(r, d->kind, c->service, c->emergency);
	for (size_t j = 0; p && j < p->n_stages; j++) {
		const struct conf_stage *st = &p->stages[j];
		struct wanted w = {
			.kind = d->kind, .subject = d->subject, .stage = st, .due = d->due
		};

		w.recipients = stage_recipients(r, st, d->kind, c);
		if (w.recipients && stage_when(r, c, d, now, &w))
			want_add(env, c, l, w);
	}
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
 * Inserts wanted reminder w of case c into the outbox unless it is there; a repeating
 * stage's series goes on past an occurrence already there and done. One the applicant
 * cannot get is recorded cancelled. 0 or a negative errno.
 */
static int
plan_one(struct ops_env *env, const struct store_case *c, struct wanted *w,
	 const struct store_reminder *open, size_t n_open, int64_t now)
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
	bool inserted;
	int steps = 0;
	int ret;

	if ((ret = store_reminder_plan(env->store, &rem, &inserted)) < 0)
		return ret;
	/*
	 * A repeating stage whose occurrence is already in the outbox but no longer
	 * to be sent (sent early by a retry, dead, cancelled) and none other waiting:
	 * the series goes on from that occurrence, not from now.
	 */
	while (!inserted && w->stage->repeat_days && steps++ < MAX_REPEAT_STEPS &&
	       !stage_open(open, n_open, w, rem.recipient) && next_occurrence(r, w)) {
		rem.occurrence = cal_date_format(w->day, day);
		rem.planned = rem.not_before = w->at;
		if ((ret = store_reminder_plan(env->store, &rem, &inserted)) < 0)
			return ret;
	}
	if (inserted && w->unsent) {
		/* Recorded, not sent: the identity keeps it from being planned again. */
		rem.state = (char *)"cancelled";
		rem.last_error = (char *)w->unsent;
		if ((ret = store_reminder_update(env->store, &rem)) < 0)
			return ret;
		log_notice("reminder %lld (%s, %s) is not sent: the applicant has no e-mail "
			   "address",
			   (long long)rem.id, rem.kind, rem.stage);
	} else if (inserted) {
		env->reminders_changed = true;
	}
	return 0;
}

int
ops_remind_plan(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
		size_t n, int64_t now)
{
	struct want_list want = { .reachable = -1 };
	struct store_reminder *open = NULL;
	size_t n_open = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		want_deadline(env, c, &d[i], now, &want);
	if ((ret = store_reminders_open_of_case(env->store, c->id, &open, &n_open)) < 0)
		goto out;
	if ((ret = cancel_unfit(env, d, n, open, n_open)) < 0)
		goto out;
	for (size_t i = 0; i < want.n; i++) {
		if ((ret = plan_one(env, c, &want.v[i], open, n_open, now)) < 0)
			goto out;
	}
	ret = 0;
out:
	store_reminders_free(open, n_open);
	free(want.v);
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
