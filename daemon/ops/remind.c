// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_remind: the reminder, template and clock methods — listing reminders, one reminder
 * with its attempts, retrying one by hand, previewing a template for a case, and the test
 * clock. The engine behind them is in files of its own: planning (ops/plan.c), rendering
 * (ops/message.c), what an attempt came to, retries and backoff (ops/retry.c), and the
 * daily digests (ops/digest.c); ops/remind_impl.h is what they share.
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
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "state", "message",
				    "'state' must be pending, failed, sent, dead or cancelled"));
		return;
	}
	if (json_is_integer(lim) &&
	    (json_integer_value(lim) < 1 || json_integer_value(lim) > 1000)) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
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
	ops_reply(req, OPS_OK,
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
		ops_reply(req, OPS_ERR_REMINDER_NOT_FOUND, json_pack("{sI}", "id", (json_int_t)id));
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
	ops_reply(req, OPS_OK,
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
		ops_reply(req, OPS_ERR_REMINDER_NOT_RETRYABLE,
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
			ops_reply(req, OPS_ERR_CHANNEL_DISABLED,
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
		ops_reply(
			req, OPS_ERR_INVALID_PARAMETER,
			json_pack("{ss ss}", "parameter", "recipient", "message",
				  "'recipient' must be \"staff\" (the default) or \"applicant\""));
		return;
	}
	if (rules_kind_parse(kind_s, &kind) < 0) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "kind", "message",
				    "'kind' must be a deadline kind"));
		return;
	}
	/* The applicant is reminded of complaint deadlines only (conf/reminders.c); no other text exists. */
	if (recipient && strcmp(recipient, "applicant") == 0 && kind != RULES_KIND_COMPLAINT) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "recipient", "message",
				    "the applicant is reminded only of complaint deadlines: "
				    "'recipient' \"applicant\" needs kind \"complaint\""));
		return;
	}
	ret = store_case_by_ref(env->store, ref, &c);
	if (ret == -ENOENT) {
		ops_reply(req, OPS_ERR_CASE_NOT_FOUND, json_pack("{ss}", "reference", ref));
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
	ops_reply(req, OPS_OK,
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
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
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
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
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
