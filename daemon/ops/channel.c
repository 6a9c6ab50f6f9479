// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_channel: the health of the notification channels — what Status and ListChannels
 * show of each (enabled, failing since, disabled by 410 since; the last success; reminders
 * pending, failed, dead and held), EnableChannel, the outbox lag, and moving the reminders
 * not yet sent when the reminder channel changes on a reload.
 *
 * A reminder is held while its channel is disabled: it stays pending (or failed) in the
 * outbox, the scheduler does not hand it over, and it goes out once the channel is enabled.
 */
#include <errno.h>
#include <string.h>

#include "ops/ops.h"
#include "core/log.h"
#include "store/store.h"
#include "core/util.h"

static json_t *
instant_or_null(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? ops_instant_json(json_integer_value(v)) : json_null();
}

static json_int_t
count_of(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* One channel's row from what the database holds of it (db, borrowed; may be NULL). */
static json_t *
channel_row(const char *name, const struct conf_channel *ch, json_t *db)
{
	bool disabled = json_object_get(db, "disabled_at") != NULL;
	bool failing = json_object_get(db, "failing_since") != NULL;
	json_int_t pending = count_of(db, "pending"), failed = count_of(db, "failed");
	json_t *reason = json_object_get(db, disabled ? "disabled_reason" : "last_error");

	return json_pack("{ss s:o ss s:o s:o s:o sb sI sI sI sI}", "name", name, "type",
			 ch ? json_string(conf_channel_type_name(ch->type)) : json_null(), "state",
			 disabled  ? "disabled"
			 : failing ? "failing"
				   : "enabled",
			 "since", instant_or_null(db, disabled ? "disabled_at" : "failing_since"),
			 "reason", reason ? json_copy(reason) : json_null(), "last_success",
			 instant_or_null(db, "last_success"), "configured", ch != NULL, "pending",
			 disabled ? (json_int_t)0 : pending, "failed",
			 disabled ? (json_int_t)0 : failed, "dead", count_of(db, "dead"), "held",
			 disabled ? pending + failed : 0);
}

json_t *
ops_channels_json(struct ops_env *env)
{
	json_t *db, *rows = json_array(), *v;
	const char *name;

	if (store_channels_json(env->store, &db) < 0) {
		json_decref(rows);
		return NULL;
	}
	for (size_t i = 0; i < env->conf->n_channels; i++) {
		const struct conf_channel *ch = &env->conf->channels[i];

		json_array_append_new(rows,
				      channel_row(ch->name, ch, json_object_get(db, ch->name)));
	}
	/* Channels no longer configured that still hold reminders or a record. */
	json_object_foreach(db, name, v)
	{
		if (!conf_channel_find(env->conf, name))
			json_array_append_new(rows, channel_row(name, NULL, v));
	}
	json_decref(db);
	return rows;
}

int
ops_outbox_lag(struct ops_env *env, int64_t now, int64_t *lag)
{
	int64_t next;
	int ret = store_reminder_next(env->store, &next);

	*lag = 0;
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	*lag = next < now ? now - next : 0;
	return 0;
}

void
ops_channels_list(struct ops_env *env, struct ops_req *req)
{
	json_t *rows;

	if (!(rows = ops_channels_json(env))) {
		ops_reply_storage_failure(env, req);
		return;
	}
	ops_reply(req, OPS_OK, json_pack("{so}", "channels", rows));
}

void
ops_channel_enable(struct ops_env *env, struct ops_req *req)
{
	struct store_audit a = ops_audit_of(req);
	const char *name;
	char *audit_ref;
	json_t *rows, *row, *mine = NULL;
	size_t i;
	int was, ret;

	name = json_string_value(json_object_get(req->params, "name"));
	if (!conf_channel_find(env->conf, name)) {
		ops_reply(req, OPS_ERR_CHANNEL_NOT_FOUND, json_pack("{ss}", "name", name));
		return;
	}
	if ((ret = ops_txn_enter(env)) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	was = store_channel_disabled(env->store, name);
	ret = was < 0 ? was : store_channel_enable(env->store, name);
	/* The audit row names the channel where a case method names its case. */
	a.case_ref = audit_ref = xasprintf("channel:%s", name);
	if (ret == 0)
		ret = store_audit_append(env->store, &a);
	free(audit_ref);
	if (ops_txn_leave(env, ret == 0) < 0 || ret < 0 || !(rows = ops_channels_json(env))) {
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		if (strcmp(json_string_value(json_object_get(row, "name")), name) == 0)
			mine = json_incref(row);
	}
	json_decref(rows);
	if (was == 1) {
		log_notice("channel %s enabled by uid %u; its held reminders go out", name,
			   req->peer.uid);
		env->reminders_changed = true;
	}
	ops_reply_after_commit(env, req,
			       json_pack("{so sb}", "channel", mine, "was_disabled", was == 1));
}

int
ops_channels_follow(struct ops_env *env, const char *from, const char *to, int64_t *moved)
{
	int ret;

	*moved = 0;
	if (strcmp(from, to) == 0)
		return 0;
	ret = store_reminders_rechannel(env->store, from, to, moved);
	if (ret == 0 && *moved) {
		log_notice("reminders.channel changed from %s to %s: %lld reminders not yet sent "
			   "follow it",
			   from, to, (long long)*moved);
		env->reminders_changed = true;
	}
	return ret;
}
