// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_remind: reminders — planning them from a case's deadlines and the policy in the
 * configuration, rendering them, recording what each attempt came to, digests, and the
 * reminder, template and clock methods.
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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/tmpl.h"
#include "core/util.h"

/* A stage whose time passed less than this long before it was planned is still sent. */
#define PAST_SLACK	 (24 * 3600)
#define MAX_REPEAT_STEPS 4000

static const char *const recipient_roles[] = { "handler", "unit", "supervisor", "applicant" };

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
 * On an smtp channel the applicant's reminders need the contact's e-mail address; a contact
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

	if (!ch || ch->type != CONF_CHANNEL_SMTP)
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

int
ops_remind_plan(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
		size_t n, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct wanted *want = NULL;
	size_t n_want = 0, cap = 0;
	struct store_reminder *open = NULL;
	size_t n_open = 0;
	int reachable = -1; /* the applicant: unknown until a stage needs it */
	int ret;

	for (size_t i = 0; i < n; i++) {
		const struct conf_policy *p;

		if (!awaiting(&d[i]))
			continue;
		p = find_policy(r, d[i].kind, c->service, c->emergency);
		for (size_t j = 0; p && j < p->n_stages; j++) {
			const struct conf_stage *st = &p->stages[j];
			struct wanted w = { .kind = d[i].kind,
					    .subject = d[i].subject,
					    .stage = st,
					    .due = d[i].due };
			int steps = 0;

			w.recipients = stage_recipients(r, st, d[i].kind, c);
			if (!w.recipients)
				continue;
			if (st->by_hours) {
				/* Processing starts when the application was received. */
				if (!hours_time(st, c->received, d[i].due, now, &w.day, &w.at))
					continue;
				cal_instant_format(w.at, w.hour);
				goto want;
			}
			if (!stage_time(r, st, d[i].due, &w.day, &w.at))
				continue;
			/* A repeating stage: its next occurrence from now on. */
			/* (One sent at this very second is behind us too.) */
			while (st->repeat_days && w.at <= now && steps++ < MAX_REPEAT_STEPS) {
				if (!next_occurrence(r, &w))
					break;
			}
			if (!st->repeat_days && w.at < now - PAST_SLACK)
				continue;
want:
			if (n_want + 2 > cap) {
				cap = cap ? cap * 2 : 16;
				want = xrealloc(want, cap * sizeof(*want));
			}
			/*
			 * The applicant gets a message of their own: staff addresses and the
			 * applicant's never share a To: line.
			 */
			if (w.recipients & CONF_RCPT_APPLICANT) {
				struct wanted a = w;

				if (reachable < 0)
					reachable = applicant_reachable(env, c);
				a.recipients = CONF_RCPT_APPLICANT;
				a.unsent = reachable ? NULL : NO_APPLICANT_EMAIL;
				want[n_want++] = a;
				w.recipients &= ~(unsigned)CONF_RCPT_APPLICANT;
			}
			if (w.recipients)
				want[n_want++] = w;
		}
	}

	/* Cancel what no longer fits: the deadline is met, cancelled, or its date moved. */
	if ((ret = store_reminders_open_of_case(env->store, c->id, &open, &n_open)) < 0)
		goto out;
	for (size_t k = 0; k < n_open; k++) {
		bool keep = false;
		enum rules_kind kind;

		if (rules_kind_parse(open[k].kind, &kind) < 0)
			continue;
		for (size_t i = 0; i < n && !keep; i++) {
			char due[CAL_DATE_LEN];

			keep = d[i].kind == kind && d[i].subject == open[k].subject &&
			       awaiting(&d[i]) && open[k].due &&
			       strcmp(cal_date_format(d[i].due, due), open[k].due) == 0;
		}
		if (keep)
			continue;
		free(open[k].state);
		open[k].state = xstrdup("cancelled");
		if ((ret = store_reminder_update(env->store, &open[k])) < 0)
			goto out;
		env->reminders_changed = true;
	}

	for (size_t i = 0; i < n_want; i++) {
		struct wanted *w = &want[i];
		char day[CAL_DATE_LEN], due[CAL_DATE_LEN];
		struct store_reminder rem = {
			.case_id = c->id,
			.kind = (char *)rules_kind_name(w->kind),
			.subject = w->subject,
			.stage = w->stage->name,
			.occurrence = w->hour[0] ? (char *)w->hour : cal_date_format(w->day, day),
			.recipient =
				(char *)(w->recipients == CONF_RCPT_APPLICANT ? "applicant" : ""),
			.due = cal_date_format(w->due, due),
			.recipients = w->recipients,
			.channel = r->channel,
			.planned = w->at,
			.not_before = w->at,
			.created = now,
		};
		bool inserted;
		int steps = 0;

		if ((ret = store_reminder_plan(env->store, &rem, &inserted)) < 0)
			goto out;
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
				goto out;
		}
		if (inserted && w->unsent) {
			/* Recorded, not sent: the identity keeps it from being planned again. */
			rem.state = (char *)"cancelled";
			rem.last_error = (char *)w->unsent;
			if ((ret = store_reminder_update(env->store, &rem)) < 0)
				goto out;
			log_notice(
				"reminder %lld (%s, %s) is not sent: the applicant has no e-mail "
				"address",
				(long long)rem.id, rem.kind, rem.stage);
		} else if (inserted) {
			env->reminders_changed = true;
		}
	}
	ret = 0;
out:
	store_reminders_free(open, n_open);
	free(want);
	return ret;
}

void
ops_message_deinit(struct ops_message *m)
{
	free(m->id);
	free(m->thread);
	free(m->topic);
	free(m->subject);
	free(m->text);
	free(m->skipped);
	for (size_t i = 0; i < m->n_to; i++)
		free(m->to[i]);
	free(m->to);
	json_decref(m->body);
	memset(m, 0, sizeof(*m));
}

/* The address of a pattern for case c (conf_address_expand), or NULL. */
static char *
address(const struct conf_reminders *r, const char *pattern, const struct store_case *c)
{
	return conf_address_expand(r, pattern, c->handler, c->unit);
}

/*
 * Adds addr (owned, may be NULL) to the message's recipients. An address that is not valid
 * (an id with letters an address cannot have, from a case registered before the patterns
 * said so) is left out and noted in m->skipped for the attempt's record: one bad recipient
 * must not hold back the others.
 */
static void
add_to(struct ops_message *m, const char *role, char *addr)
{
	if (!addr)
		return;
	if (!conf_address_valid(addr)) {
		/* The applicant's address is contact data: it stays out of the record. */
		bool contact = strcmp(role, "applicant") == 0;
		char *note = xasprintf("%s%snot sent to the %s: '%s' is no valid e-mail address",
				       m->skipped ? m->skipped : "", m->skipped ? "; " : "", role,
				       contact ? "(the contact's)" : addr);

		free(m->skipped);
		m->skipped = note;
		free(addr);
		return;
	}
	m->to = xrealloc(m->to, (m->n_to + 1) * sizeof(*m->to));
	m->to[m->n_to++] = addr;
}

/*
 * s encoded for the id-left of a Message-ID (RFC 5322 dot-atom-text): letters and digits as
 * they are, every other byte as =HH (upper-case hex), '=' included, so that different texts
 * ("2024/1", "2024-1", "2024=2F1") never share an id. Returns false when out (len bytes)
 * is too small for all of it: a cut would map two texts to one.
 */
static bool
id_part(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (n + (plain ? 1 : 3) >= len)
			return false;
		if (plain) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '=';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
	return true;
}

struct vars {
	struct tmpl_var v[24];
	size_t n;
	char buf[8][64];
	size_t nbuf;
};

static void
var(struct vars *vs, const char *name, const char *value)
{
	if (!value || vs->n >= FV_ARRAY_SIZE(vs->v))
		return;
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = value;
	vs->n++;
}

static void
var_int(struct vars *vs, const char *name, long long value)
{
	if (vs->nbuf >= FV_ARRAY_SIZE(vs->buf))
		return;
	snprintf(vs->buf[vs->nbuf], sizeof(vs->buf[0]), "%lld", value);
	var(vs, name, vs->buf[vs->nbuf++]);
}

/* Renders a template by its candidate names, or the built-in text; never fails. */
static void
render(struct ops_env *env, const char *const *names, size_t n, struct vars *vs,
       struct ops_message *m)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const char *name = r->tmpl ? tmpl_pick(r->tmpl, r->language, names, n) : NULL;
	char err[256] = "no template";

	if (name && tmpl_render(r->tmpl, r->language, name, vs->v, vs->n, &m->subject, &m->text,
				err, sizeof(err)) == 0)
		return;
	log_err("template %s (%s): %s; sending the built-in text instead", name ? name : names[0],
		r->language, err);
	m->fallback = true;
	tmpl_fallback(r->language, vs->v, vs->n, &m->subject, &m->text);
}

/* An ISO date as people read it in lang ("tirsdag 22. desember 2026"); NULL stays NULL. */
static const char *
date_words(const char *lang, const char *iso, char *buf)
{
	struct cal_date d;

	if (!iso || cal_date_parse(iso, &d) < 0)
		return iso;
	return tmpl_date_words(lang, d.year, d.month, d.day, (int)cal_weekday(d), buf,
			       TMPL_DATE_WORDS_LEN);
}

static int
case_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
	     struct ops_message *m)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct store_case c = { 0 };
	struct store_deadline_info dl = { 0 };
	const char *due;
	char *email = NULL, *phone = NULL;
	json_t *rcpts;
	struct cal_date today, due_d;
	struct vars vs = { .n = 0 };
	enum rules_kind kind;
	/* A reference (at most 64 bytes) encoded whole, =HH for each byte at worst. */
	char names[4][64], ref[3 * 64 + 1], date[CAL_DATE_LEN], words[2][TMPL_DATE_WORDS_LEN];
	char applicant[4][80];
	const char *cand[8];
	size_t n, k = 0;
	int ret;

	if ((ret = store_case_by_id(env->store, rem->case_id, &c)) < 0)
		return ret;
	rules_kind_parse(rem->kind, &kind);
	store_deadline_get(env->store, rem->case_id, rem->kind, rem->subject, &dl);
	cal_date_of_instant(now, &today);
	due = dl.due ? dl.due : rem->due;
	var(&vs, "reference", c.ref);
	var(&vs, "service", c.service);
	var(&vs, "service_name",
	    rules_service_name(env->conf->rules, c.service)
		    ? rules_service_name(env->conf->rules, c.service)
		    : c.service);
	var(&vs, "kind", rem->kind);
	var(&vs, "kind_label", tmpl_kind_label(r->language, rem->kind));
	var(&vs, "stage", rem->stage);
	var(&vs, "handler", c.handler);
	var(&vs, "unit", c.unit);
	var(&vs, "date", date_words(r->language, cal_date_format(today, date), words[0]));
	var(&vs, "source", dl.source);
	var(&vs, "rule", dl.rule);
	var(&vs, "explanation", dl.text);
	var(&vs, "complaint_body", rules_complaint_body(env->conf->rules, c.service));
	if (due && cal_date_parse(due, &due_d) == 0) {
		int32_t left = cal_diff_days(today, due_d);

		var(&vs, "due", date_words(r->language, due, words[1]));
		var(&vs, "due_iso", due);
		var(&vs, "due_weekday", tmpl_weekday_name(r->language, (int)cal_weekday(due_d)));
		var_int(&vs, "days_left", left);
		var_int(&vs, "days_overdue", left < 0 ? -left : 0);
	}
	n = conf_stage_templates((int)kind, rem->stage, names);
	/* The applicant's own texts first ("applicant.complaint.before-7", ...). */
	for (size_t i = 0; strcmp(rem->recipient, "applicant") == 0 && i + 1 < n; i++) {
		snprintf(applicant[i], sizeof(applicant[i]), "applicant.%.63s", names[i]);
		cand[k++] = applicant[i];
	}
	for (size_t i = 0; i < n; i++)
		cand[k++] = names[i];
	render(env, cand, k, &vs, m);

	/* Recipients: who, and where mail goes. */
	rcpts = json_array();
	for (size_t i = 0; i < FV_ARRAY_SIZE(recipient_roles); i++) {
		const char *id = NULL;
		char *addr = NULL;

		if (!(rem->recipients & (1u << i)))
			continue;
		switch (1u << i) {
		case CONF_RCPT_HANDLER:
			id = c.handler;
			addr = r->handler_address ? address(r, r->handler_address, &c) : NULL;
			break;
		case CONF_RCPT_UNIT:
			id = c.unit;
			addr = r->unit_address ? address(r, r->unit_address, &c) : NULL;
			break;
		case CONF_RCPT_SUPERVISOR:
			id = c.unit;
			addr = r->supervisor_address ? address(r, r->supervisor_address, &c) : NULL;
			break;
		case CONF_RCPT_APPLICANT:
			/* The address goes to the mail relay only, never into the webhook body. */
			if (store_contact_get(env->store, c.id, &email, &phone) == 0 && email)
				addr = xstrdup(email);
			break;
		}
		json_array_append_new(rcpts, json_pack("{ss s:o}", "role", recipient_roles[i], "id",
						       id ? json_string(id) : json_null()));
		add_to(m, recipient_roles[i], addr);
	}
	/* Ids end in the installation id: unique across installations, the same for one
	 * reminder across retries, restarts and a restore of the same database. */
	m->id = xasprintf("fristvakt-reminder-%lld.%s", (long long)rem->id, env->installation);
	/* A reference too long to encode whole gets no thread rather than another's. */
	if (id_part(c.ref, ref, sizeof(ref)))
		m->thread = xasprintf("fristvakt-case-%s.%s", ref, env->installation);
	m->topic = xasprintf("fristvakt %s", c.ref);
	m->body = json_pack("{ss sI ss ss s{ss ss s:o sI} ss so ss ss ss}", "type",
			    "fristvakt.reminder", "reminder_id", (json_int_t)rem->id, "id", m->id,
			    "case_reference", c.ref, "deadline", "kind", rem->kind, "label",
			    rules_kind_label(kind), "due", due ? json_string(due) : json_null(),
			    "subject", (json_int_t)rem->subject, "stage", rem->stage, "recipients",
			    rcpts, "language", r->language, "message_subject", m->subject,
			    "message_text", m->text);
	store_deadline_info_deinit(&dl);
	free(email);
	free(phone);
	store_case_deinit(&c);
	return 0;
}

static int
caseless_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
		 struct ops_message *m)
{
	json_t *data = rem->data ? json_loads(rem->data, 0, NULL) : NULL;
	const char *lang = env->conf->reminders.language;
	struct vars vs = { .n = 0 };
	struct cal_date today;
	char date[CAL_DATE_LEN], name[64], words[TMPL_DATE_WORDS_LEN], due_w[TMPL_DATE_WORDS_LEN];
	const char *cand[2];
	char *items = NULL;

	cal_date_of_instant(now, &today);
	var(&vs, "date", date_words(lang, cal_date_format(today, date), words));
	var(&vs, "recipient", rem->recipient);
	/* A notice speaks of the stage of the reminder it is about. */
	var(&vs, "stage",
	    json_is_string(json_object_get(data, "stage"))
		    ? json_string_value(json_object_get(data, "stage"))
		    : rem->stage);
	var(&vs, "reference", json_string_value(json_object_get(data, "reference")));
	var(&vs, "kind_label", json_string_value(json_object_get(data, "kind_label")));
	var(&vs, "kind", json_string_value(json_object_get(data, "kind")));
	var(&vs, "due", date_words(lang, json_string_value(json_object_get(data, "due")), due_w));
	var(&vs, "due_iso", json_string_value(json_object_get(data, "due")));
	if (strcmp(rem->kind, "digest") == 0) {
		json_t *list = json_object_get(data, "items");
		size_t i, len = 0;
		json_t *it;

		items = xstrdup("");
		json_array_foreach(list, i, it)
		{
			char dw[TMPL_DATE_WORDS_LEN];
			char *line = xasprintf(
				"%s: %s, %s\n", json_string_value(json_object_get(it, "reference")),
				json_string_value(json_object_get(it, "label")),
				date_words(lang, json_string_value(json_object_get(it, "due")),
					   dw));

			len += strlen(line);
			items = xrealloc(items, len + 1);
			strncat(items, line, len + 1);
			free(line);
		}
		var(&vs, "items", items);
		var_int(&vs, "count", (long long)json_array_size(list));
		snprintf(name, sizeof(name), "digest");
	} else {
		snprintf(name, sizeof(name), "admin.%s", rem->stage);
	}
	cand[0] = name;
	cand[1] = "default";
	render(env, cand, 2, &vs, m);
	m->id = xasprintf("fristvakt-%s-%lld.%s", rem->kind, (long long)rem->id, env->installation);
	m->thread = xasprintf("fristvakt-%s.%s", rem->kind, env->installation);
	/* A notice goes to the administrators (conf.c requires the address on smtp). */
	if (strcmp(rem->kind, "admin") == 0 && env->conf->reminders.admin_address) {
		add_to(m, "administrators", xstrdup(env->conf->reminders.admin_address));
	} else if (strncmp(rem->recipient, "handler:", 8) == 0 &&
		   env->conf->reminders.handler_address) {
		struct store_case c = { .handler = rem->recipient + 8 };

		add_to(m, "handler",
		       address(&env->conf->reminders, env->conf->reminders.handler_address, &c));
	} else if (strncmp(rem->recipient, "unit:", 5) == 0 && env->conf->reminders.unit_address) {
		struct store_case c = { .unit = rem->recipient + 5 };

		add_to(m, "unit",
		       address(&env->conf->reminders, env->conf->reminders.unit_address, &c));
	}
	m->body = json_pack("{ss sI ss ss ss s:O ss ss}", "type",
			    strcmp(rem->kind, "digest") == 0 ? "fristvakt.digest"
							     : "fristvakt.notice",
			    "reminder_id", (json_int_t)rem->id, "id", m->id, "stage", rem->stage,
			    "recipient", rem->recipient, "data", data ? data : json_null(),
			    "message_subject", m->subject, "message_text", m->text);
	free(items);
	json_decref(data);
	return 0;
}

int
ops_remind_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
		   struct ops_message *out)
{
	memset(out, 0, sizeof(*out));
	if (rem->case_id)
		return case_message(env, rem, now, out);
	return caseless_message(env, rem, now, out);
}

/* The policy stage a reminder of kind_s in case c belongs to, or NULL. */
static const struct conf_stage *
find_stage(const struct conf_reminders *r, const char *kind_s, const struct store_case *c,
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

bool
ops_remind_outdated(struct ops_env *env, const struct store_reminder *rem, int64_t now, char *why,
		    size_t len)
{
	const struct conf_stage *st;
	struct store_case c = { 0 };
	struct store_deadline_info dl = { 0 };
	struct cal_date today, due;
	const char *due_s;
	bool outdated = false;

	if (!rem->case_id || store_case_by_id(env->store, rem->case_id, &c) < 0)
		return false;
	st = find_stage(&env->conf->reminders, rem->kind, &c, rem->stage);
	store_deadline_get(env->store, rem->case_id, rem->kind, rem->subject, &dl);
	due_s = dl.due ? dl.due : rem->due;
	/* Only a stage for before or on the due date can be outdated: those after it say
	 * how long it has been overdue, rendered for the day they go out. */
	if (st && st->offset_days <= 0 && !st->repeat_days && due_s &&
	    cal_date_parse(due_s, &due) == 0 && cal_date_of_instant(now, &today) == 0 &&
	    cal_diff_days(due, today) > 0) {
		char day[CAL_DATE_LEN];

		snprintf(why, len,
			 "not sent: the deadline was due %s and this %s reminder (for %s) could "
			 "only go out on %s",
			 due_s, rem->stage, rem->occurrence, cal_date_format(today, day));
		outdated = true;
	}
	store_deadline_info_deinit(&dl);
	store_case_deinit(&c);
	return outdated;
}

int
ops_remind_skip(struct ops_env *env, int64_t id, const char *why)
{
	struct store_reminder rem;
	int ret;

	if ((ret = ops_txn_enter(env)) < 0)
		return ret;
	if ((ret = store_reminder_get(env->store, id, &rem)) == 0) {
		free(rem.state);
		rem.state = xstrdup("cancelled");
		free(rem.last_error);
		rem.last_error = xstrdup(why);
		ret = store_reminder_update(env->store, &rem);
		if (ret == 0)
			log_notice("reminder %lld (%s, %s) %s", (long long)rem.id, rem.kind,
				   rem.stage, why);
		store_reminder_deinit(&rem);
	}
	env->reminders_changed = true;
	ops_txn_leave(env, ret == 0);
	return ret;
}

/* Queues a notice to the administrators (unless this is one: no notices about notices). */
static int
admin_notice(struct ops_env *env, const struct store_reminder *about, const char *stage,
	     const char *recipient, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct cal_date today;
	char day[CAL_DATE_LEN];
	enum rules_kind kind;
	json_t *data;
	bool inserted, to_log = false;
	int ret;
	struct store_reminder n = {
		.kind = (char *)"admin",
		.stage = (char *)stage,
		.recipient = (char *)recipient,
		.recipients = 0,
		.channel = r->admin_channel,
		.planned = now,
		.not_before = now,
		.created = now,
	};

	if (about && strcmp(about->kind, "admin") == 0)
		return 0;
	/*
	 * A disabled admin channel cannot carry the news of its own disabling, nor the one that
	 * just failed the news of its own failure: the log does (counted, for Status).
	 */
	if (strcmp(n.channel, "log") != 0 && (store_channel_disabled(env->store, n.channel) == 1 ||
					      (about && strcmp(about->channel, n.channel) == 0))) {
		n.channel = (char *)"log";
		to_log = true;
	}
	cal_date_of_instant(now, &today);
	n.occurrence = cal_date_format(today, day);
	data = json_object();
	if (about) {
		json_object_set_new(data, "reminder", json_integer(about->id));
		if (about->case_ref)
			json_object_set_new(data, "reference", json_string(about->case_ref));
		json_object_set_new(data, "kind", json_string(about->kind));
		json_object_set_new(data, "stage", json_string(about->stage));
		if (rules_kind_parse(about->kind, &kind) == 0)
			json_object_set_new(data, "kind_label",
					    json_string(tmpl_kind_label(r->language, about->kind)));
		if (about->due)
			json_object_set_new(data, "due", json_string(about->due));
		json_object_set_new(data, "channel", json_string(about->channel));
		if (about->last_error)
			json_object_set_new(data, "error", json_string(about->last_error));
	}
	n.data = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	ret = store_reminder_plan(env->store, &n, &inserted);
	free(n.data);
	if (ret == 0 && inserted) {
		env->reminders_changed = true;
		if (to_log) {
			store_count_notice_to_log(env->store);
			log_err("notice to the administrators (%s) goes to the log: the admin "
				"channel %s is the one that failed or is disabled",
				stage, r->admin_channel);
		}
	}
	return ret;
}

/* Whether the policy stage a reminder belongs to repeats while its deadline is open. */
static bool
stage_repeats(const struct conf_reminders *r, const char *kind_s, const struct store_case *c,
	      const char *stage)
{
	const struct conf_stage *st = find_stage(r, kind_s, c, stage);

	return st && (st->repeat_days > 0 || st->repeat_hours > 0);
}

/*
 * Sends notice rem (its state already freed by the caller) to the log instead of the admin
 * channel that could not deliver it, disabling that channel first when it answered 410.
 * Counted for Status. 0 or a negative errno.
 */
static int
notice_to_log(struct ops_env *env, struct store_reminder *rem, bool gone, int64_t now)
{
	char *failed_on = rem->channel;
	int ret = 0;

	log_err("notice %lld to the administrators could not go out on %s (%s); it goes to the "
		"log instead",
		(long long)rem->id, failed_on, rem->last_error ? rem->last_error : "no detail");
	if (gone)
		ret = store_channel_disable(env->store, failed_on, now,
					    "the receiver answered 410 Gone");
	rem->state = xstrdup("pending"); /* the caller freed the one it read */
	rem->not_before = now;
	rem->first_attempt = 0;
	rem->channel = xstrdup("log");
	free(failed_on);
	if (ret == 0)
		ret = store_reminder_update(env->store, rem);
	if (ret == 0)
		store_count_notice_to_log(env->store);
	env->reminders_changed = true;
	return ret;
}

/*
 * After an occurrence of a repeating stage was sent or went dead: plans the next one (the
 * case recomputed, nothing else changed). 0 or a negative errno.
 */
static int
continue_series(struct ops_env *env, const struct store_reminder *rem, int64_t now)
{
	struct store_case c;
	int ret = 0;

	if (!rem->case_id || store_case_by_id(env->store, rem->case_id, &c) < 0)
		return 0;
	if (stage_repeats(&env->conf->reminders, rem->kind, &c, rem->stage))
		ret = ops_recompute_case(env, &c, now);
	store_case_deinit(&c);
	return ret;
}

/* Backoff for the next attempt: first * factor^(attempts-1), capped, with ±20 % jitter. */
static int64_t
backoff(const struct conf_reminders *r, int64_t attempts, uint64_t seed)
{
	double s = r->retry_first_s;
	double jitter;

	for (int64_t i = 1; i < attempts && s < r->retry_max_interval_s; i++)
		s = s * r->retry_factor_pct / 100.0;
	if (s > r->retry_max_interval_s)
		s = r->retry_max_interval_s;
	/* A cheap hash of the reminder and attempt: spreads retries without a global RNG. */
	seed ^= seed >> 33;
	seed *= 0xff51afd7ed558ccdULL;
	seed ^= seed >> 33;
	jitter = 0.8 + 0.4 * (double)(seed % 1000) / 1000.0;
	return (int64_t)(s * jitter) < 1 ? 1 : (int64_t)(s * jitter);
}

int
ops_remind_result(struct ops_env *env, int64_t id, const struct ops_delivery *dl, int64_t now)
{
	static const char *const outcomes[] = { "ok", "retry", "gone", "aborted" };
	const struct conf_reminders *r = &env->conf->reminders;
	struct store_reminder rem;
	int ret;

	if ((ret = ops_txn_enter(env)) < 0)
		return ret;
	if ((ret = store_reminder_get(env->store, id, &rem)) < 0)
		goto out;
	ret = store_attempt_add(env->store, id, now, rem.channel, outcomes[dl->status], dl->code,
				dl->detail, dl->fallback);
	if (ret < 0 || dl->status == OPS_DELIVERY_ABORTED)
		goto out;
	if ((ret = store_channel_attempt(env->store, rem.channel, now,
					 dl->status == OPS_DELIVERY_OK, dl->detail)) < 0)
		goto out;
	if (!rem.first_attempt)
		rem.first_attempt = now;
	rem.attempts++;
	free(rem.last_error);
	/* A success's detail (a note on how it went) is the attempt's, not an error. */
	rem.last_error = dl->status != OPS_DELIVERY_OK && dl->detail && *dl->detail
				 ? xstrdup(dl->detail)
				 : NULL;
	free(rem.state);
	if (dl->status == OPS_DELIVERY_OK) {
		rem.state = xstrdup("sent");
		rem.sent_at = now;
		if ((ret = store_reminder_update(env->store, &rem)) < 0)
			goto out;
		ret = continue_series(env, &rem, now);
		goto out;
	}
	/* A notice that cannot reach the administrators goes to the log instead. */
	if (strcmp(rem.kind, "admin") == 0 && strcmp(rem.channel, "log") != 0 &&
	    (dl->status == OPS_DELIVERY_GONE ||
	     now - rem.first_attempt >= (int64_t)r->retry_give_up_s)) {
		ret = notice_to_log(env, &rem, dl->status == OPS_DELIVERY_GONE, now);
		goto out;
	}
	if (dl->status == OPS_DELIVERY_GONE) {
		rem.state = xstrdup("failed");
		rem.not_before = now;
		log_err("channel %s: the receiver answered 410 Gone; the channel is disabled and its "
			"reminders are held until 'fristvakt channel enable %s'",
			rem.channel, rem.channel);
		if ((ret = store_reminder_update(env->store, &rem)) < 0 ||
		    (ret = store_channel_disable(env->store, rem.channel, now,
						 "the receiver answered 410 Gone")) < 0 ||
		    (ret = admin_notice(env, &rem, "endpoint_disabled", rem.channel, now)) < 0)
			goto out;
		env->reminders_changed = true;
		goto out;
	}
	if (now - rem.first_attempt >= (int64_t)r->retry_give_up_s) {
		rem.state = xstrdup("dead");
		log_err("reminder %lld on %s is dead after %lld attempts: %s", (long long)rem.id,
			rem.channel, (long long)rem.attempts,
			rem.last_error ? rem.last_error : "no detail");
		if ((ret = store_reminder_update(env->store, &rem)) < 0)
			goto out;
		char recipient[32];

		snprintf(recipient, sizeof(recipient), "reminder:%lld", (long long)rem.id);
		if ((ret = admin_notice(env, &rem, "dead", recipient, now)) < 0)
			goto out;
		/* One occurrence is dead; the deadline is still open and the series goes on. */
		ret = continue_series(env, &rem, now);
		goto out;
	}
	rem.state = xstrdup("failed");
	rem.not_before =
		now + backoff(r, rem.attempts, (uint64_t)rem.id * 7919 + (uint64_t)rem.attempts);
	if (dl->retry_after > 0 && now + dl->retry_after > rem.not_before)
		rem.not_before = now + dl->retry_after;
	ret = store_reminder_update(env->store, &rem);
	env->reminders_changed = true;
out:
	store_reminder_deinit(&rem);
	ops_txn_leave(env, ret >= 0);
	return ret;
}

int
ops_remind_digests(struct ops_env *env, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct cal_date today, until;
	int64_t at;
	char day[CAL_DATE_LEN], until_s[CAL_DATE_LEN];
	json_t *rows = NULL, *groups;
	const char *key;
	json_t *items;
	size_t i;
	json_t *row;
	size_t planned = 0;
	int ret;

	if (!r->digest_recipients || cal_date_of_instant(now, &today) < 0 ||
	    cal_local_instant(today, (int)r->send_minute, &at) < 0 || now < at)
		return 0;
	until = cal_add_days(today, (int32_t)r->digest_days);
	if ((ret = store_deadlines_for_digest(env->store, cal_date_format(until, until_s), &rows)) <
	    0)
		return ret;
	groups = json_object();
	json_array_foreach(rows, i, row)
	{
		enum rules_kind kind;
		const char *k = json_string_value(json_object_get(row, "kind"));

		if (k && rules_kind_parse(k, &kind) == 0) {
			char *label = rules_deadline_label(
				env->conf->rules,
				json_string_value(json_object_get(row, "service")), kind);

			json_object_set_new(row, "label", json_string(label));
			free(label);
		}
		for (int role = 0; role < 2; role++) {
			unsigned bit = role == 0 ? CONF_RCPT_HANDLER : CONF_RCPT_UNIT;
			const char *id = json_string_value(
				json_object_get(row, role == 0 ? "handler" : "unit"));
			char name[128];
			json_t *list;

			if (!(r->digest_recipients & bit) || !id)
				continue;
			snprintf(name, sizeof(name), "%s:%s", role == 0 ? "handler" : "unit", id);
			list = json_object_get(groups, name);
			if (!list) {
				list = json_array();
				json_object_set_new(groups, name, list);
			}
			json_array_append(list, row);
		}
	}
	if ((ret = ops_txn_enter(env)) < 0)
		goto out;
	cal_date_format(today, day);
	json_object_foreach(groups, key, items)
	{
		json_t *data = json_pack("{sO}", "items", items);
		struct store_reminder d = {
			.kind = (char *)"digest",
			.stage = (char *)"daily",
			.occurrence = day,
			.recipient = (char *)key,
			.channel = r->channel,
			.planned = at,
			.not_before = now,
			.created = now,
		};
		bool inserted;

		d.data = json_dumps(data, JSON_COMPACT);
		json_decref(data);
		ret = store_reminder_plan(env->store, &d, &inserted);
		free(d.data);
		if (ret < 0)
			break;
		if (inserted) {
			env->reminders_changed = true;
			planned++;
		}
	}
	ops_txn_leave(env, ret >= 0);
	if (ret >= 0)
		log_info("digests of %s: %zu planned, for %zu recipients", day, planned,
			 json_object_size(groups));
out:
	json_decref(groups);
	json_decref(rows);
	return ret;
}

static json_t *
reminder_json(struct ops_env *env, const struct store_reminder *r)
{
	json_t *rc = json_array(), *o;
	bool held = (strcmp(r->state, "pending") == 0 || strcmp(r->state, "failed") == 0) &&
		    store_channel_disabled(env->store, r->channel) == 1;

	for (size_t i = 0; i < FV_ARRAY_SIZE(recipient_roles); i++) {
		if (r->recipients & (1u << i))
			json_array_append_new(rc, json_string(recipient_roles[i]));
	}
	o = json_pack(
		"{sI s:o ss sI ss ss s:o s:o so ss ss so so sI s:o s:o s:o}", "id",
		(json_int_t)r->id, "reference",
		r->case_ref ? json_string(r->case_ref) : json_null(), "kind", r->kind, "subject",
		(json_int_t)r->subject, "stage", r->stage, "occurrence", r->occurrence, "recipient",
		*r->recipient ? json_string(r->recipient) : json_null(), "due",
		r->due ? json_string(r->due) : json_null(), "recipients", rc, "channel", r->channel,
		"state", r->state, "planned", ops_instant_json(r->planned), "next_attempt",
		ops_instant_json(r->not_before), "attempts", (json_int_t)r->attempts, "sent_at",
		r->sent_at ? ops_instant_json(r->sent_at) : json_null(), "last_error",
		r->last_error ? json_string(r->last_error) : json_null(), "data",
		r->data ? json_loads(r->data, 0, NULL) : json_null());
	json_object_set_new(o, "held", json_boolean(held));
	return o;
}

void
ops_reminders_list(struct ops_env *env, struct ops_req *req)
{
	static const char *const states[] = { "pending", "failed", "sent", "dead", "cancelled" };
	struct store_reminder_filter f = { .limit = 100 };
	struct store_reminder *v = NULL;
	json_t *arr, *lim;
	int64_t next;
	size_t n;
	bool ok = false;

	f.state = json_string_value(json_object_get(req->params, "state"));
	f.ref = json_string_value(json_object_get(req->params, "reference"));
	f.channel = json_string_value(json_object_get(req->params, "channel"));
	f.before_id = json_integer_value(json_object_get(req->params, "after"));
	lim = json_object_get(req->params, "limit");
	if (json_is_integer(lim))
		f.limit = (int)json_integer_value(lim);
	for (size_t i = 0; f.state && i < FV_ARRAY_SIZE(states); i++)
		ok = ok || strcmp(f.state, states[i]) == 0;
	if (f.state && !ok) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "state", "message",
				     "'state' must be pending, failed, sent, dead or cancelled"));
		return;
	}
	if (json_is_integer(lim) &&
	    (json_integer_value(lim) < 1 || json_integer_value(lim) > 1000)) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "limit", "message",
				     "'limit' must be between 1 and 1000"));
		return;
	}
	if (store_reminders_list(env->store, &f, &v, &n, &next) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, reminder_json(env, &v[i]));
	store_reminders_free(v, n);
	req->reply(req, NULL,
		   json_pack("{so so}", "reminders", arr, "next",
			     next ? json_integer(next) : json_null()));
}

static bool
get_reminder(struct ops_env *env, struct ops_req *req, struct store_reminder *r)
{
	int64_t id;
	int ret;

	id = json_integer_value(json_object_get(req->params, "id"));
	ret = store_reminder_get(env->store, id, r);
	if (ret == -ENOENT) {
		req->reply(req, "no.fristvakt.ReminderNotFound",
			   json_pack("{sI}", "id", (json_int_t)id));
		return false;
	}
	if (ret < 0) {
		ops_reply_storage_failure(env, req);
		return false;
	}
	return true;
}

void
ops_reminder_get(struct ops_env *env, struct ops_req *req)
{
	struct store_reminder r;
	json_t *attempts, *a;
	size_t i;

	if (!get_reminder(env, req, &r))
		return;
	if (store_attempts_json(env->store, r.id, &attempts) < 0) {
		store_reminder_deinit(&r);
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(attempts, i, a)
	{
		json_object_set_new(a, "at",
				    ops_instant_json(json_integer_value(json_object_get(a, "at"))));
	}
	req->reply(req, NULL,
		   json_pack("{so so}", "reminder", reminder_json(env, &r), "attempts", attempts));
	store_reminder_deinit(&r);
}

void
ops_reminder_retry(struct ops_env *env, struct ops_req *req)
{
	struct store_reminder r;
	struct store_audit a = ops_audit_of(req);
	int ret;

	if (!get_reminder(env, req, &r))
		return;
	if (strcmp(r.state, "sent") == 0 || strcmp(r.state, "cancelled") == 0) {
		req->reply(req, "no.fristvakt.ReminderNotRetryable",
			   json_pack("{sI ss}", "id", (json_int_t)r.id, "state", r.state));
		store_reminder_deinit(&r);
		return;
	}
	/* A channel a 410 disabled is enabled by an administrator (EnableChannel, audited),
	 * not by retrying one of its held reminders. */
	if ((ret = store_channel_disabled(env->store, r.channel)) != 0) {
		if (ret < 0)
			ops_reply_storage_failure(env, req);
		else
			req->reply(req, "no.fristvakt.ChannelDisabled",
				   json_pack("{ss ss}", "name", r.channel, "message",
					     "the channel is disabled after a 410 Gone; an "
					     "administrator enables it with 'fristvakt channel "
					     "enable', and its held reminders go out"));
		store_reminder_deinit(&r);
		return;
	}
	a.case_ref = r.case_ref;
	free(r.state);
	r.state = xstrdup("pending");
	r.not_before = req->now;
	r.first_attempt = 0; /* a fresh retry schedule */
	ret = ops_txn_enter(env);
	if (ret == 0) {
		ret = store_reminder_update(env->store, &r);
		if (ret == 0)
			ret = store_audit_append(env->store, &a);
		ops_txn_leave(env, ret == 0);
	}
	if (ret < 0) {
		store_reminder_deinit(&r);
		ops_reply_storage_failure(env, req);
		return;
	}
	env->reminders_changed = true;
	ops_reply_after_commit(env, req, json_pack("{so}", "reminder", reminder_json(env, &r)));
	store_reminder_deinit(&r);
}

void
ops_template_render(struct ops_env *env, struct ops_req *req)
{
	const char *kind_s, *stage, *ref, *recipient;
	struct store_case c = { 0 };
	struct store_reminder rem = { 0 };
	struct ops_message m;
	enum rules_kind kind;
	char *due = NULL;
	int ret;

	kind_s = json_string_value(json_object_get(req->params, "kind"));
	stage = json_string_value(json_object_get(req->params, "stage"));
	ref = json_string_value(json_object_get(req->params, "reference"));
	recipient = json_string_value(json_object_get(req->params, "recipient"));
	if (recipient && strcmp(recipient, "applicant") != 0 && strcmp(recipient, "staff") != 0) {
		req->reply(
			req, PROTO_ERR_INVALID_PARAMETER,
			json_pack("{ss ss}", "parameter", "recipient", "message",
				  "'recipient' must be \"staff\" (the default) or \"applicant\""));
		return;
	}
	if (rules_kind_parse(kind_s, &kind) < 0) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "kind", "message",
				     "'kind' must be a deadline kind"));
		return;
	}
	/* The applicant is reminded of complaint deadlines only (conf.c); no other text exists. */
	if (recipient && strcmp(recipient, "applicant") == 0 && kind != RULES_KIND_COMPLAINT) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "recipient", "message",
				     "the applicant is reminded only of complaint deadlines: "
				     "'recipient' \"applicant\" needs kind \"complaint\""));
		return;
	}
	ret = store_case_by_ref(env->store, ref, &c);
	if (ret == -ENOENT) {
		req->reply(req, "no.fristvakt.CaseNotFound", json_pack("{ss}", "reference", ref));
		return;
	}
	if (ret < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	/* The latest deadline of that kind in the case supplies the dates (a preview). */
	rem.case_id = c.id;
	rem.case_ref = c.ref;
	rem.kind = (char *)kind_s;
	rem.stage = (char *)stage;
	/* The applicant's own texts (applicant.KIND...) when the preview is for them. */
	if (recipient && strcmp(recipient, "applicant") == 0) {
		rem.recipient = (char *)"applicant";
		rem.recipients = CONF_RCPT_APPLICANT;
	} else {
		rem.recipient = (char *)"";
		rem.recipients = CONF_RCPT_HANDLER;
	}
	rem.channel = env->conf->reminders.channel;
	store_deadline_latest(env->store, c.id, kind_s, &rem.subject, &due);
	rem.due = due;
	ops_remind_message(env, &rem, req->now, &m);
	req->reply(req, NULL,
		   json_pack("{ss ss sb ss}", "subject", m.subject, "text", m.text, "fallback",
			     m.fallback, "language", env->conf->reminders.language));
	ops_message_deinit(&m);
	free(due);
	store_case_deinit(&c);
}

/* Moves the test clock to offset (wall the wall clock), audited, answered after the commit. */
static void
clock_move(struct ops_env *env, struct ops_req *req, int64_t wall, int64_t offset)
{
	struct store_audit a = ops_audit_of(req);
	int ret;

	env->set_clock_offset(env->host, offset);
	env->reminders_changed = true;
	log_notice("test clock: now %lld (offset %lld s)", (long long)(wall + offset),
		   (long long)offset);
	/* A change like any other: audited, answered after the commit. */
	a.at = wall + offset;
	ret = ops_txn_enter(env);
	if (ret == 0) {
		ret = store_audit_append(env->store, &a);
		ops_txn_leave(env, ret == 0);
	}
	if (ret < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	ops_reply_after_commit(env, req,
			       json_pack("{so sI}", "now", ops_instant_json(wall + offset),
					 "offset", (json_int_t)offset));
}

void
ops_clock_set(struct ops_env *env, struct ops_req *req)
{
	int64_t wall = env->now(env->host) - env->clock_offset(env->host);
	int64_t t;

	if (cal_instant_parse(json_string_value(json_object_get(req->params, "now")), &t) < 0) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "now", "message",
				     "'now' must be an RFC 3339 time"));
		return;
	}
	clock_move(env, req, wall, t - wall);
}

void
ops_clock_advance(struct ops_env *env, struct ops_req *req)
{
	int64_t offset = env->clock_offset(env->host);
	int64_t wall = env->now(env->host) - offset;
	json_int_t s = json_integer_value(json_object_get(req->params, "seconds"));

	if (s < -366LL * 86400 * 10 || s > 366LL * 86400 * 10) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "seconds", "message",
				     "'seconds' must be within ten years"));
		return;
	}
	clock_move(env, req, wall, offset + s);
}

void
ops_clock_reset(struct ops_env *env, struct ops_req *req)
{
	clock_move(env, req, env->now(env->host) - env->clock_offset(env->host), 0);
}
