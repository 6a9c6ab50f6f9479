// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * scheduler: the reminder scheduler (see scheduler.h).
 *
 * What it keeps in memory only, so that one run does not repeat another's work: the day
 * the digests were last planned (their query reads every open deadline; the outbox's
 * unique index keeps a restart from planning a day's digest twice), the position of its
 * sweep through the due reminders (see struct scheduler), and a backoff for reminders
 * whose message cannot be rendered nor the failure recorded (a storage fault), which would
 * otherwise be due again at once.
 */
#include "server/scheduler.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/ops.h"
#include "core/cal.h"
#include "core/log.h"
#include "delivery/notify.h"
#include "store/store.h"
#include "core/util.h"

/* At most this many reminders are handed to notify at once. */
#define SCHED_MAX_IN_FLIGHT 512
/* The timer never sleeps longer: a wall-clock jump is noticed within this. */
#define SCHED_MAX_SLEEP_MS 60000
/* After a run that could neither send nor record a due reminder: the first wait (doubling
 * up to SCHED_MAX_SLEEP_MS), and how often such trouble is logged at most. */
#define SCHED_TROUBLE_FIRST_MS 2000
#define SCHED_TROUBLE_LOG_MS   60000

struct job {
	struct scheduler *s;
	int64_t id;
	char *channel;
	bool fallback;
	char *skipped; /* recipients the message left out (ops_message.skipped), owned */
	struct job *next;
};

struct scheduler {
	uv_loop_t *loop;
	uv_timer_t timer;
	struct ops_env *env;
	struct notify *notify;
	struct job *jobs; /* in flight */
	unsigned n_jobs;
	bool stopping;
	bool timer_closed;
	bool saturated; /* the last run stopped at SCHED_MAX_IN_FLIGHT: a freed slot wakes it */
	/* The digests were planned for digest_day with the configuration of digest_rules
	 * (its rules_fingerprint, which covers the reminders group). */
	bool digest_done;
	struct cal_date digest_day;
	char digest_rules[sizeof(((struct conf *)0)->rules_fingerprint)];
	/*
	 * The sweep through what is due: the position after the last reminder handed over.
	 * Reminders in flight stay pending in the database until their outcome is recorded;
	 * reading from the start on every run would read every one of them again (measured:
	 * most of the scheduler's time with 10,000 due at once). The sweep starts from the
	 * first again once a run reaches the end of what is due.
	 */
	bool sweeping;
	struct store_due_after sweep;
	/* Reminders due that were neither handed over nor recorded in the last run. */
	bool stuck;
	uint64_t trouble_ms;	 /* the current wait after such a run; 0: none */
	uint64_t trouble_logged; /* uv_now() of the last log line about it */
	unsigned trouble_quiet;	 /* lines left out since */
};

static void run(struct scheduler *s);

static bool
in_flight(const struct scheduler *s, int64_t id)
{
	for (const struct job *j = s->jobs; j; j = j->next) {
		if (j->id == id)
			return true;
	}
	return false;
}

static void
maybe_free(struct scheduler *s)
{
	if (s->stopping && s->timer_closed && !s->jobs)
		free(s);
}

static void
job_done(void *arg, const struct notify_result *r)
{
	struct job *j = arg, **pp;
	struct scheduler *s = j->s;
	struct ops_delivery dl = {
		.code = r->code,
		.retry_after = r->retry_after,
		.detail = r->detail,
		.fallback = j->fallback,
	};
	char *detail = NULL;
	int ret;

	/* Recipients left out are recorded with the attempt, whatever its outcome. */
	if (j->skipped) {
		detail = r->detail[0] ? xasprintf("%s; %s", r->detail, j->skipped)
				      : xstrdup(j->skipped);
		dl.detail = detail;
	}
	for (pp = &s->jobs; *pp != j; pp = &(*pp)->next)
		;
	*pp = j->next;
	s->n_jobs--;
	switch (r->status) {
	case NOTIFY_OK:
		dl.status = OPS_DELIVERY_OK;
		break;
	case NOTIFY_GONE:
		dl.status = OPS_DELIVERY_GONE;
		break;
	case NOTIFY_ABORTED:
		dl.status = OPS_DELIVERY_ABORTED;
		break;
	default:
		dl.status = OPS_DELIVERY_RETRY;
		break;
	}
	/*
	 * An aborted attempt is not recorded (shutdown, or a message withdrawn before its
	 * transfer because the channel was disabled): the reminder stays due and goes out
	 * again after the restart, or once the channel is enabled, with the same id. One
	 * withdrawn during its transfer is recorded ("aborted"): the receiver may have got it.
	 */
	if (r->status == NOTIFY_ABORTED && r->started) {
		ret = ops_remind_result(s->env, j->id, &dl, s->env->now(s->env->host));
		if (ret < 0)
			log_err("reminder %lld: recording the attempt failed: %s", (long long)j->id,
				strerror(-ret));
	} else if (r->status != NOTIFY_ABORTED) {
		ret = ops_remind_result(s->env, j->id, &dl, s->env->now(s->env->host));
		if (ret < 0)
			log_err("reminder %lld: recording the attempt failed: %s", (long long)j->id,
				strerror(-ret));
		if (r->status != NOTIFY_OK)
			log_warn("reminder %lld: attempt failed (%ld): %s", (long long)j->id,
				 r->code, r->detail[0] ? r->detail : "no detail");
	}
	/* 410: the channel is disabled; what else was handed to it does not go out. */
	if (r->status == NOTIFY_GONE && !s->stopping) {
		unsigned n = notify_drain(s->notify, j->channel);

		if (n)
			log_notice(
				"channel %s: %u messages withdrawn from delivery; their reminders "
				"are held until the channel is enabled",
				j->channel, n);
	}
	free(detail);
	free(j->skipped);
	free(j->channel);
	free(j);
	if (s->saturated && !s->stopping) {
		s->saturated = false;
		scheduler_kick(s);
	}
	maybe_free(s);
}

/* Logs a fault that may repeat on every run at most once per SCHED_TROUBLE_LOG_MS. */
static void trouble(struct scheduler *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
trouble(struct scheduler *s, const char *fmt, ...)
{
	uint64_t t = uv_now(s->loop);
	char msg[384];
	va_list ap;

	if (s->trouble_logged && t - s->trouble_logged < SCHED_TROUBLE_LOG_MS) {
		s->trouble_quiet++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->trouble_quiet)
		log_err("%s (and %u such faults not logged since the last)", msg, s->trouble_quiet);
	else
		log_err("%s", msg);
	s->trouble_logged = t ? t : 1;
	s->trouble_quiet = 0;
}

/*
 * Whether reminder r is still to go out at now, its case brought up to date: one whose
 * deadline was met or moved meanwhile, or a stage whose moment has passed, says nothing true
 * any more and is recorded, not sent. On a database failure nothing is sent.
 */
static bool
still_due(struct scheduler *s, const struct store_reminder *r, int64_t now)
{
	char why[256];
	int ret = ops_remind_outdated(s->env, r, now, why, sizeof(why));

	if (ret < 0) {
		trouble(s, "reminder %lld: its case could not be brought up to date: %s",
			(long long)r->id, strerror(-ret));
		s->stuck = true;
	} else if (ret > 0 && ops_remind_skip(s->env, r->id, why, now) < 0) {
		s->stuck = true;
	}
	return ret == 0;
}

static void
hand_over(struct scheduler *s, const struct store_reminder *r, int64_t now)
{
	struct ops_message m;
	struct notify_msg nm;
	struct job *j;
	int ret;

	if (!still_due(s, r, now))
		return;
	ret = ops_remind_message(s->env, r, now, &m);
	if (ret < 0) {
		/* A failed attempt (the database could not give what the message needs): the
		 * retry schedule applies, not the next run a second later. */
		char detail[160];
		struct ops_delivery dl = {
			.status = OPS_DELIVERY_RETRY,
			.retry_after = -1,
			.detail = detail,
		};

		ops_message_deinit(&m);
		snprintf(detail, sizeof(detail), "the message could not be rendered: %s",
			 strerror(-ret));
		trouble(s, "reminder %lld: the message could not be rendered: %s", (long long)r->id,
			strerror(-ret));
		if (ops_remind_result(s->env, r->id, &dl, now) < 0)
			s->stuck = true;
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->id = r->id;
	j->channel = xstrdup(r->channel);
	j->fallback = m.fallback;
	j->skipped = m.skipped;
	m.skipped = NULL;
	nm = (struct notify_msg){
		.id = m.id,
		.thread = m.thread,
		.topic = m.topic,
		.subject = m.subject,
		.text = m.text,
		.to = (const char *const *)m.to,
		.n_to = m.n_to,
		.body = m.body,
	};
	/* The wire carries the real time (webhook-timestamp, Date): receivers check it against
	 * their clocks. The test clock moves only what is due when. */
	ret = notify_send(s->notify, r->channel, &nm, now - s->env->clock_offset(s->env->host),
			  job_done, j);
	ops_message_deinit(&m);
	if (ret < 0) {
		/* Not accepted (the channel left the configuration, or no address): an attempt
		 * that failed, retried on the schedule like any other. */
		struct ops_delivery dl = {
			.status = OPS_DELIVERY_RETRY,
			.retry_after = -1,
			.detail = ret == -ENOENT ? "the channel is not in the configuration"
				  : j->skipped	 ? j->skipped
						 : "the message cannot go out on this channel "
						   "(no recipient address?)",
			.fallback = j->fallback,
		};

		if (ops_remind_result(s->env, r->id, &dl, now) < 0)
			s->stuck = true;
		free(j->skipped);
		free(j->channel);
		free(j);
		return;
	}
	j->next = s->jobs;
	s->jobs = j;
	s->n_jobs++;
}

/* Milliseconds from the daemon's now (wall clock plus the test offset) until second t. */
static uint64_t
until_ms(const struct scheduler *s, int64_t t)
{
	struct timespec ts;
	int64_t now_ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = ((int64_t)ts.tv_sec + s->env->clock_offset(s->env->host)) * 1000 +
		 ts.tv_nsec / 1000000;
	return t * 1000 > now_ms ? (uint64_t)(t * 1000 - now_ms) : 0;
}

static void
on_timer(uv_timer_t *t)
{
	run(t->data);
}

/* Plans today's digests once their time has come, once a day (and after a reload that
 * changed the reminders configuration). */
static void
digests(struct scheduler *s, int64_t now)
{
	const struct conf *conf = s->env->conf;
	const struct conf_reminders *r = &conf->reminders;
	struct cal_date today;
	int64_t at;
	int ret;

	if (!r->digest_recipients || cal_date_of_instant(now, &today) < 0 ||
	    cal_local_instant(today, (int)r->send_minute, &at) < 0 || now < at)
		return;
	if (s->digest_done && cal_diff_days(s->digest_day, today) == 0 &&
	    strcmp(s->digest_rules, conf->rules_fingerprint) == 0)
		return;
	ret = ops_remind_digests(s->env, now);
	if (ret < 0) {
		trouble(s, "digests: %s", strerror(-ret));
		return;
	}
	s->digest_done = true;
	s->digest_day = today;
	snprintf(s->digest_rules, sizeof(s->digest_rules), "%s", conf->rules_fingerprint);
}

static void
run(struct scheduler *s)
{
	struct store_reminder *due = NULL;
	size_t n = 0, free_slots;
	int64_t now, next;
	uint64_t sleep_ms = SCHED_MAX_SLEEP_MS;
	int ret;

	if (s->stopping)
		return;
	now = s->env->now(s->env->host);
	digests(s, now);
	s->stuck = false;
	free_slots = SCHED_MAX_IN_FLIGHT - s->n_jobs;
	if (free_slots > 0 &&
	    (ret = store_reminders_due(s->env->store, now, s->sweeping ? &s->sweep : NULL,
				       (int)free_slots, &due, &n)) < 0)
		log_err("scheduler: reading the outbox failed: %s", store_errmsg(s->env->store));
	/* Fewer than asked for: the end of what is due; the next run starts from the first. */
	s->sweeping = n == free_slots;
	for (size_t i = 0; i < n && s->n_jobs < SCHED_MAX_IN_FLIGHT; i++) {
		s->sweep = (struct store_due_after){ due[i].not_before, due[i].id };
		if (!in_flight(s, due[i].id))
			hand_over(s, &due[i], now);
	}
	s->saturated = s->n_jobs >= SCHED_MAX_IN_FLIGHT;
	store_reminders_free(due, n);
	ret = store_reminder_next(s->env->store, &next);
	if (ret == 0 && next > now)
		sleep_ms = until_ms(s, next);
	else if (ret == 0)
		sleep_ms = 1000; /* due but in flight: their outcomes wake us, or look again */
	/* Due reminders that could be neither sent nor recorded: wait longer each time. */
	if (s->stuck) {
		s->trouble_ms = s->trouble_ms ? s->trouble_ms * 2 : SCHED_TROUBLE_FIRST_MS;
		if (s->trouble_ms > SCHED_MAX_SLEEP_MS)
			s->trouble_ms = SCHED_MAX_SLEEP_MS;
		if (sleep_ms < s->trouble_ms)
			sleep_ms = s->trouble_ms;
	} else {
		s->trouble_ms = 0;
	}
	if (sleep_ms > SCHED_MAX_SLEEP_MS)
		sleep_ms = SCHED_MAX_SLEEP_MS;
	uv_timer_start(&s->timer, on_timer, sleep_ms, 0);
}

int
scheduler_new(uv_loop_t *loop, struct ops_env *env, struct notify *notify, struct scheduler **out)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));

	s->loop = loop;
	s->env = env;
	s->notify = notify;
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	uv_timer_start(&s->timer, on_timer, 0, 0);
	*out = s;
	return 0;
}

void
scheduler_kick(struct scheduler *s)
{
	if (!s->stopping)
		uv_timer_start(&s->timer, on_timer, 0, 0);
}

unsigned
scheduler_in_flight(const struct scheduler *s)
{
	return s->n_jobs;
}

static void
timer_closed(uv_handle_t *h)
{
	struct scheduler *s = h->data;

	s->timer_closed = true;
	maybe_free(s);
}

void
scheduler_stop(struct scheduler *s)
{
	s->stopping = true;
	uv_close((uv_handle_t *)&s->timer, timer_closed);
}
