// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_retry: what the outcome of an attempt to send a reminder means for it (the channel
 * has classified the answer: delivered, worth retrying, 410 Gone, or aborted).
 *
 * Delivered: sent. At a reminder's first attempt, whatever came of it, the next reminder
 * of its deadline is planned (remind_plan_next). Worth retrying (no
 * connection, a 3xx, 4xx or 5xx other than 410, a mail relay's refusal): failed, and tried
 * again after a backoff: the first interval grown by the factor at each attempt, capped at
 * the longest interval, with a jitter of a fifth either way; a Retry-After the receiver sent
 * (with a 429 or 502-504) is waited out when it is longer. A reminder whose first attempt
 * lies the give-up time back is dead, the administrators get a notice, and the series
 * goes on. A 410 Gone disables the channel: its reminders are held until an
 * administrator enables it again. A notice to the administrators that cannot get through
 * goes to the log instead: there are no notices about notices. Aborted (the notifier
 * stopped, or the channel was disabled, during the transfer): the attempt is recorded and
 * the reminder left as it was, due again with the same id.
 *
 * Also here: a reminder that would no longer be true if sent now (its due date passed while
 * the daemon was down) is recorded as not sent, with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/recompute.h"
#include "ops/remind_impl.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/tmpl.h"
#include "core/util.h"

static int plan_next(struct ops_env *env, const struct store_reminder *rem, bool first,
		     int64_t now);

/*
 * Brings the case of reminder rem up to date before it goes out (its dates may have moved
 * since they were stored): 1 to send it, 0 when it is then no longer to be sent (its
 * deadline was met, cancelled or moved, and rem cancelled with it; why says so), or a
 * negative errno when the database failed (nothing is sent then).
 */
static int
still_to_send(struct ops_env *env, const struct store_reminder *rem, int64_t now, char *why,
	      size_t len)
{
	struct store_reminder cur;
	int ret = ops_recompute_before_send(env, rem->case_id, now);

	if (ret <= 0)
		return ret < 0 ? ret : 1;
	if ((ret = store_reminder_get(env->store, rem->id, &cur)) < 0)
		return ret;
	ret = strcmp(cur.state, "pending") == 0 || strcmp(cur.state, "failed") == 0;
	store_reminder_deinit(&cur);
	if (!ret)
		snprintf(why, len,
			 "not sent: its deadline was met, cancelled or moved (due %s when planned) "
			 "before it went out",
			 rem->due ? rem->due : "-");
	return ret;
}

int
ops_remind_outdated(struct ops_env *env, const struct store_reminder *rem, int64_t now, char *why,
		    size_t len)
{
	const struct conf_stage *st;
	struct store_case c = { 0 };
	struct store_deadline_info dl = { 0 };
	struct cal_date today, due;
	const char *due_s;
	int outdated = 0;

	if (!rem->case_id)
		return 0;
	if ((outdated = still_to_send(env, rem, now, why, len)) <= 0)
		return outdated < 0 ? outdated : 1;
	outdated = 0;
	if (store_case_by_id(env->store, rem->case_id, &c) < 0)
		return 0;
	st = remind_find_stage(&env->conf->reminders, rem->kind, &c, rem->stage);
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
		outdated = 1;
	}
	store_deadline_info_deinit(&dl);
	store_case_deinit(&c);
	return outdated;
}

int
ops_remind_skip(struct ops_env *env, int64_t id, const char *why, int64_t now)
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
		if (ret == 0)
			ret = plan_next(env, &rem, true, now);
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
 * A reminder of a case was tried for the first time (first), or skipped (first), or went
 * out or dead after more tries: the next reminder of each series of the case is planned,
 * in the same transaction. 0 or a negative errno.
 */
static int
plan_next(struct ops_env *env, const struct store_reminder *rem, bool first, int64_t now)
{
	return rem->case_id ? remind_plan_next(env, rem, first, now) : 0;
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

/* Reminder rem (its state freed by the caller) went out. 0 or a negative errno. */
static int
result_sent(struct ops_env *env, struct store_reminder *rem, int64_t now)
{
	int ret;

	rem->state = xstrdup("sent");
	rem->sent_at = now;
	ret = store_reminder_update(env->store, rem);
	return ret;
}

/* The receiver of rem's channel answered 410 Gone: the channel is disabled, the
 * administrators are told. 0 or a negative errno. */
static int
channel_gone(struct ops_env *env, const struct store_reminder *rem, int64_t now)
{
	int ret;

	log_err("channel %s: the receiver answered 410 Gone; the channel is disabled and its "
		"reminders are held until 'fristvakt channel enable %s'",
		rem->channel, rem->channel);
	if ((ret = store_channel_disable(env->store, rem->channel, now,
					 "the receiver answered 410 Gone")) < 0 ||
	    (ret = admin_notice(env, rem, "endpoint_disabled", rem->channel, now)) < 0)
		return ret;
	env->reminders_changed = true;
	return 0;
}

/*
 * The receiver of rem's channel answered 410 Gone: the channel is disabled, rem (its state
 * freed by the caller) is held with the others, and the administrators are told. 0 or a
 * negative errno.
 */
static int
result_gone(struct ops_env *env, struct store_reminder *rem, int64_t now)
{
	int ret;

	rem->state = xstrdup("failed");
	rem->not_before = now;
	if ((ret = store_reminder_update(env->store, rem)) < 0)
		return ret;
	return channel_gone(env, rem, now);
}

/*
 * Reminder rem (its state freed by the caller) ran out of the retry schedule: dead, with a
 * notice to the administrators; the series goes on. 0 or a negative errno.
 */
static int
result_dead(struct ops_env *env, struct store_reminder *rem, int64_t now)
{
	char recipient[32];
	int ret;

	rem->state = xstrdup("dead");
	log_err("reminder %lld on %s is dead after %lld attempts: %s", (long long)rem->id,
		rem->channel, (long long)rem->attempts,
		rem->last_error ? rem->last_error : "no detail");
	if ((ret = store_reminder_update(env->store, rem)) < 0)
		return ret;
	snprintf(recipient, sizeof(recipient), "reminder:%lld", (long long)rem->id);
	/* One occurrence is dead; the deadline is still open and the series goes on. */
	return admin_notice(env, rem, "dead", recipient, now);
}

/*
 * Reminder rem (its state freed by the caller) failed and is tried again after the backoff,
 * or after the receiver's Retry-After when that is longer. 0 or a negative errno.
 */
static int
result_failed(struct ops_env *env, struct store_reminder *rem, const struct ops_delivery *dl,
	      int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	int ret;

	rem->state = xstrdup("failed");
	rem->not_before =
		now + backoff(r, rem->attempts, (uint64_t)rem->id * 7919 + (uint64_t)rem->attempts);
	if (dl->retry_after > 0 && now + dl->retry_after > rem->not_before)
		rem->not_before = now + dl->retry_after;
	ret = store_reminder_update(env->store, rem);
	env->reminders_changed = true;
	return ret;
}

/* What attempt dl (not aborted) means for reminder rem, its attempt counted. */
static int
result_apply(struct ops_env *env, struct store_reminder *rem, const struct ops_delivery *dl,
	     int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	bool give_up = now - rem->first_attempt >= (int64_t)r->retry_give_up_s;

	free(rem->state);
	if (dl->status == OPS_DELIVERY_OK)
		return result_sent(env, rem, now);
	/* A notice that cannot reach the administrators goes to the log instead. */
	if (strcmp(rem->kind, "admin") == 0 && strcmp(rem->channel, "log") != 0 &&
	    (dl->status == OPS_DELIVERY_GONE || give_up))
		return notice_to_log(env, rem, dl->status == OPS_DELIVERY_GONE, now);
	if (dl->status == OPS_DELIVERY_GONE)
		return result_gone(env, rem, now);
	if (give_up)
		return result_dead(env, rem, now);
	return result_failed(env, rem, dl, now);
}

int
ops_remind_result(struct ops_env *env, int64_t id, const struct ops_delivery *dl, int64_t now)
{
	static const char *const outcomes[] = { "ok", "retry", "gone", "aborted" };
	struct store_reminder rem;
	int ret;

	if ((ret = ops_txn_enter(env)) < 0)
		return ret;
	if ((ret = store_reminder_get(env->store, id, &rem)) < 0)
		goto out;
	ret = store_attempt_add(env->store, id, now, rem.channel, outcomes[dl->status], dl->code,
				dl->detail, dl->fallback);
	if (ret == 0)
		metrics_count_attempt(
			rem.channel,
			dl->status == OPS_DELIVERY_OK
				? NULL
				: metrics_failure_class(outcomes[dl->status], dl->code));
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
	/*
	 * Cancelled while in flight (its deadline met meanwhile): the attempt is recorded as it
	 * went; a failure does not bring the reminder back (a success is what happened).
	 */
	if (strcmp(rem.state, "cancelled") == 0 && dl->status != OPS_DELIVERY_OK) {
		ret = store_reminder_update(env->store, &rem);
		/* The receiver is gone all the same: the channel is disabled. */
		if (ret == 0 && dl->status == OPS_DELIVERY_GONE)
			ret = channel_gone(env, &rem, now);
		goto out;
	}
	ret = result_apply(env, &rem, dl, now);
	/* Sent: how long after its time (planned, which retries do not move). */
	if (ret == 0 && strcmp(rem.state, "sent") == 0)
		metrics_observe_send_delay((double)(now - rem.planned));
	/*
	 * The series goes on from the first attempt: a reminder being retried, or held on a
	 * disabled channel, does not hold back the stages after it. Sent or dead after more
	 * tries, planning runs once more (for a series whose next stage was not planned at
	 * its first attempt: a database migrated from before).
	 */
	if (ret == 0 &&
	    (rem.attempts == 1 || strcmp(rem.state, "sent") == 0 || strcmp(rem.state, "dead") == 0))
		ret = plan_next(env, &rem, rem.attempts == 1, now);
out:
	store_reminder_deinit(&rem);
	ops_txn_leave(env, ret >= 0);
	return ret;
}
