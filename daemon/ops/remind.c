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
#include "ops/remind_impl.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/tmpl.h"
#include "core/util.h"

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
	const struct conf_stage *st = remind_find_stage(r, kind_s, c, stage);

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

	for (size_t i = 0; i < FV_ARRAY_SIZE(remind_recipient_roles); i++) {
		if (r->recipients & (1u << i))
			json_array_append_new(rc, json_string(remind_recipient_roles[i]));
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
	static const struct proto_field fields[] = {
		{ "state", PROTO_STRING, false, 16 },	{ "reference", PROTO_STRING, false, 256 },
		{ "channel", PROTO_STRING, false, 64 }, { "limit", PROTO_INT, false, 0 },
		{ "after", PROTO_INT, false, 0 },
	};
	struct store_reminder_filter f = { .limit = 100 };
	struct store_reminder *v = NULL;
	json_t *arr, *lim;
	int64_t next;
	size_t n;
	bool ok = false;

	if (!ops_check_params(req, fields, FV_ARRAY_SIZE(fields)))
		return;
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
	static const struct proto_field fields[] = { { "id", PROTO_INT, true, 0 } };
	int64_t id;
	int ret;

	if (!ops_check_params(req, fields, FV_ARRAY_SIZE(fields)))
		return false;
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
	static const struct proto_field fields[] = {
		{ "kind", PROTO_STRING, true, 32 },
		{ "stage", PROTO_STRING, true, 64 },
		{ "reference", PROTO_STRING, true, 256 },
		{ "recipient", PROTO_STRING, false, 16 },
	};
	const char *kind_s, *stage, *ref, *recipient;
	struct store_case c = { 0 };
	struct store_reminder rem = { 0 };
	struct ops_message m;
	enum rules_kind kind;
	char *due = NULL;
	int ret;

	if (!ops_check_params(req, fields, FV_ARRAY_SIZE(fields)))
		return;
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

void
ops_clock(struct ops_env *env, struct ops_req *req)
{
	static const struct proto_field set_fields[] = { { "now", PROTO_STRING, true, 64 } };
	static const struct proto_field adv_fields[] = { { "seconds", PROTO_INT, true, 0 } };
	int64_t offset = env->clock_offset(env->host);
	int64_t wall = env->now(env->host) - offset;

	switch (req->method->id) {
	case IFACE_SET_CLOCK: {
		int64_t t;

		if (!ops_check_params(req, set_fields, 1))
			return;
		if (cal_instant_parse(json_string_value(json_object_get(req->params, "now")), &t) <
		    0) {
			req->reply(req, PROTO_ERR_INVALID_PARAMETER,
				   json_pack("{ss ss}", "parameter", "now", "message",
					     "'now' must be an RFC 3339 time"));
			return;
		}
		offset = t - wall;
		break;
	}
	case IFACE_ADVANCE_CLOCK: {
		json_int_t s;

		if (!ops_check_params(req, adv_fields, 1))
			return;
		s = json_integer_value(json_object_get(req->params, "seconds"));
		if (s < -366LL * 86400 * 10 || s > 366LL * 86400 * 10) {
			req->reply(req, PROTO_ERR_INVALID_PARAMETER,
				   json_pack("{ss ss}", "parameter", "seconds", "message",
					     "'seconds' must be within ten years"));
			return;
		}
		offset += s;
		break;
	}
	default:
		if (!ops_check_params(req, NULL, 0))
			return;
		offset = 0;
		break;
	}
	env->set_clock_offset(env->host, offset);
	env->reminders_changed = true;
	log_notice("test clock: now %lld (offset %lld s)", (long long)(wall + offset),
		   (long long)offset);
	{
		/* A change like any other: audited, answered after the commit. */
		struct store_audit a = ops_audit_of(req);
		int ret;

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
	}
	ops_reply_after_commit(env, req,
			       json_pack("{so sI}", "now", ops_instant_json(wall + offset),
					 "offset", (json_int_t)offset));
}
