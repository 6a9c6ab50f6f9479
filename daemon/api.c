// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * api: dispatch, the service and admin methods, and group commit (see api.h).
 *
 * Group commit (acknowledged means durable, README): the first write of a loop turn opens a transaction
 * and asks the host to call api_commit() after the turn's I/O callbacks; every write runs in
 * a savepoint of its own, so a failing request is rolled back alone, while the successful
 * ones are answered only after the one COMMIT returned. Every call shares the one database
 * connection, so a read (or a refusal) made after another request's savepoint was kept has
 * seen changes that are not committed yet: its reply waits for the commit too. The handler
 * table is indexed by the method ids of iface.h, so the method table there is the single
 * list of what the daemon serves.
 */
#include "api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cal.h"
#include "log.h"
#include "proto.h"
#include "rules.h"
#include "store.h"
#include "util.h"

typedef void (*api_handler_cb)(struct api_env *env, struct api_req *req);

struct api_pending {
	struct api_req *req;
	const char *error; /* NULL: success */
	json_t *params;
	bool held; /* not a write of its own: held back because it saw uncommitted changes */
};

void
api_reply_fault(struct api_req *req, const struct proto_fault *f)
{
	json_t *p = json_object();

	if (strcmp(f->error, PROTO_ERR_INVALID_PARAMETER) == 0)
		json_object_set_new(p, "parameter", json_string(f->parameter));
	/* Not part of the standard error's signature, but a person reading it needs it. */
	json_object_set_new(p, "message", json_string(f->detail));
	req->reply(req, f->error, p);
}

bool
api_check_params(struct api_req *req, const struct proto_field *fields, size_t n)
{
	struct proto_fault f;

	if (proto_params_check(req->params, fields, n, &f) == 0)
		return true;
	api_reply_fault(req, &f);
	return false;
}

void
api_reply_storage_failure(struct api_env *env, struct api_req *req)
{
	log_err("database: %s", store_errmsg(env->store));
	req->reply(req, "no.fristvakt.StorageFailure",
		   json_pack("{ss}", "message", store_errmsg(env->store)));
}

json_t *
api_instant_json(int64_t t)
{
	char buf[CAL_INSTANT_LEN];

	return json_string(cal_instant_format(t, buf));
}

int
api_txn_enter(struct api_env *env)
{
	int ret;

	if (!env->in_txn) {
		if ((ret = store_begin(env->store)) < 0)
			return ret;
		env->in_txn = true;
		env->schedule_commit(env->host);
	}
	ret = store_savepoint(env->store);
	if (ret < 0)
		log_err("database: savepoint: %s", store_errmsg(env->store));
	return ret;
}

int
api_txn_leave(struct api_env *env, bool ok)
{
	int ret;

	if (!ok) {
		store_rollback_to(env->store);
		return 0;
	}
	ret = store_release(env->store);
	if (ret < 0) {
		/* Nothing of the request stays: not its rows, not the counts it changed. */
		store_rollback_to(env->store);
		return ret;
	}
	env->txn_dirty = true;
	return 0;
}

static void
pending_push(struct api_env *env, struct api_req *req, const char *error, json_t *params, bool held)
{
	FV_ASSERT(env->in_txn);
	if (env->n_pending == env->cap_pending) {
		env->cap_pending = env->cap_pending ? env->cap_pending * 2 : 16;
		env->pending = xrealloc(env->pending, env->cap_pending * sizeof(*env->pending));
	}
	env->pending[env->n_pending++] =
		(struct api_pending){ .req = req, .error = error, .params = params, .held = held };
}

void
api_reply_after_commit(struct api_env *env, struct api_req *req, json_t *params)
{
	pending_push(env, req, NULL, params, false);
}

void
api_reply_error_after_commit(struct api_env *env, struct api_req *req, const char *error,
			     json_t *params)
{
	pending_push(env, req, error, params, false);
}

/*
 * req->reply while api_call() runs a handler: a reply made while the transaction holds
 * uncommitted changes may carry them (a case registered a moment ago, a refusal because of
 * it), so it waits in the pending list; otherwise it goes out at once.
 */
static void
reply_when_committed(struct api_req *req, const char *error, json_t *params)
{
	struct api_env *env = req->env;

	if (env->in_txn && env->txn_dirty)
		pending_push(env, req, error, params, true);
	else
		req->deliver(req, error, params);
}

void
api_commit(struct api_env *env)
{
	struct api_pending *list = env->pending;
	size_t n = env->n_pending;
	int ret;

	if (!env->in_txn)
		return;
	env->in_txn = false;
	env->txn_dirty = false;
	ret = store_commit(env->store);
	if (ret < 0)
		log_err("database: commit of %zu requests failed: %s", n, store_errmsg(env->store));
	/*
	 * A reply may run the connection's next pipelined call, which may open the next
	 * transaction and queue anew: hand that a fresh list.
	 */
	env->pending = NULL;
	env->n_pending = env->cap_pending = 0;
	/*
	 * Straight to the caller (deliver), not through reply_when_committed(): these were
	 * committed (or failed) already, whatever transaction a pipelined call opens now.
	 *
	 * A held-back reply whose commit failed is answered StorageFailure too, not sent as it
	 * was: it was read from changes that were just rolled back, so it would tell of cases
	 * and events that never existed. Running the call again is not done here: it would read
	 * the database in the middle of a failing commit's aftermath (a full disk, an I/O
	 * error) and could itself start the next transaction from inside this loop; the caller
	 * can simply call again, and then reads only what is committed.
	 */
	for (size_t i = 0; i < n; i++) {
		struct api_pending p = list[i];

		if (ret == 0) {
			p.req->deliver(p.req, p.error, p.params);
		} else {
			json_decref(p.params);
			p.req->deliver(p.req, "no.fristvakt.StorageFailure",
				       json_pack("{ss+}", "message",
						 p.held ? "the commit of other calls failed; what "
							  "this call read was never stored, call "
							  "again: "
							: "the commit failed; nothing was stored: ",
						 store_errmsg(env->store)));
		}
	}
	free(list);
}

void
api_env_deinit(struct api_env *env)
{
	free(env->pending);
	env->pending = NULL;
	env->n_pending = env->cap_pending = 0;
}

static void
get_info(struct api_env *env, struct api_req *req)
{
	json_t *ifaces;

	if (!api_check_params(req, NULL, 0))
		return;
	ifaces = json_array();
	for (const char *const *n = iface_names; *n; n++) {
		if (iface_description(*n, env->conf->clock_control))
			json_array_append_new(ifaces, json_string(*n));
	}
	req->reply(req, NULL,
		   json_pack("{ss ss ss ss so}", "vendor", FV_VENDOR, "product", "fristvaktd",
			     "version", FV_VERSION, "url", FV_URL, "interfaces", ifaces));
}

static void
get_interface_description(struct api_env *env, struct api_req *req)
{
	static const struct proto_field fields[] = { { "interface", PROTO_STRING, true, 255 } };
	const char *name, *text;

	if (!api_check_params(req, fields, FV_ARRAY_SIZE(fields)))
		return;
	name = json_string_value(json_object_get(req->params, "interface"));
	text = iface_description(name, env->conf->clock_control);
	if (!text) {
		req->reply(req, PROTO_ERR_IFACE_NOT_FOUND, json_pack("{ss}", "interface", name));
		return;
	}
	req->reply(req, NULL, json_pack("{ss}", "description", text));
}

static void
status(struct api_env *env, struct api_req *req)
{
	struct store_counts c;
	json_t *reminders, *channels, *ch, *services;
	json_int_t held = 0;
	int64_t lag;
	size_t i;

	if (!api_check_params(req, NULL, 0))
		return;
	if (store_counts(env->store, &c) < 0 || store_reminder_counts(env->store, &reminders) < 0) {
		api_reply_storage_failure(env, req);
		return;
	}
	if (!(channels = api_channels_json(env)) || api_outbox_lag(env, req->now, &lag) < 0) {
		json_decref(channels);
		json_decref(reminders);
		api_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(channels, i, ch)
	{
		held += json_integer_value(json_object_get(ch, "held"));
	}
	json_object_set_new(reminders, "held", json_integer(held));
	/* The services of the configuration in force (for the CLI's completion, and people). */
	services = json_array();
	for (size_t k = 0; k < rules_service_count(env->conf->rules); k++)
		json_array_append_new(services, json_string(rules_service_id(env->conf->rules, k)));
	req->reply(req, NULL,
		   json_pack("{ss ss so sI ss si ss ss so ss s{sI sI sI sI} si ss so sI so sI so}",
			     "version", FV_VERSION, "installation", env->installation, "started",
			     api_instant_json(env->started), "uptime_seconds",
			     (json_int_t)(req->now - env->clock_offset(env->host) - env->started),
			     "database", env->conf->database, "schema_version",
			     store_schema_version(env->store), "integrity",
			     env->integrity ? env->integrity : "not checked", "config_file",
			     env->conf->path, "config_loaded", api_instant_json(env->conf_loaded),
			     "timezone", env->conf->timezone, "counts", "cases",
			     (json_int_t)c.cases, "events", (json_int_t)c.events, "deadlines",
			     (json_int_t)c.deadlines, "audit", (json_int_t)c.audit, "connections",
			     (int)env->connections(env->host), "role",
			     conf_role_name(req->peer.role), "reminders", reminders, "clock_offset",
			     (json_int_t)env->clock_offset(env->host), "channels", channels,
			     "outbox_lag_seconds", (json_int_t)lag, "services", services));
}

struct store_audit
api_audit_of(const struct api_req *req)
{
	return (struct store_audit){
		.at = req->now,
		.method = req->method->name,
		.uid = req->peer.uid,
		.gid = req->peer.gid,
		.pid = req->peer.pid,
		.outcome = "ok",
	};
}

static void
reload(struct api_env *env, struct api_req *req)
{
	struct store_audit a = api_audit_of(req);
	struct conf_error err;
	char *old_channel;
	int64_t moved = 0;
	int ret;

	if (!api_check_params(req, NULL, 0))
		return;
	old_channel = xstrdup(env->conf->reminders.channel);
	ret = env->reload(env->host, &err);
	a.outcome = ret < 0 ? "no.fristvakt.ConfigInvalid" : "ok";
	/*
	 * The attempt is audited either way; the reply waits for the audit row's commit. A new
	 * reminder channel: what is not yet sent follows it, in the same transaction.
	 */
	if (api_txn_enter(env) < 0) {
		api_reply_storage_failure(env, req);
		goto out;
	}
	if (store_audit_append(env->store, &a) < 0 ||
	    (ret == 0 &&
	     api_channels_follow(env, old_channel, env->conf->reminders.channel, &moved) < 0)) {
		api_txn_leave(env, false);
		api_reply_storage_failure(env, req);
		goto out;
	}
	if (api_txn_leave(env, true) < 0) {
		api_reply_storage_failure(env, req);
		goto out;
	}
	if (ret < 0) {
		/* The audit row of the failed attempt is durable before the answer. */
		api_reply_error_after_commit(env, req, "no.fristvakt.ConfigInvalid",
					     json_pack("{ss}", "message", err.text));
		goto out;
	}
	api_reply_after_commit(env, req,
			       json_pack("{ss so s{ss ss sI}}", "config_file", env->conf->path,
					 "config_loaded", api_instant_json(env->conf_loaded),
					 "reminders_channel", "from", old_channel, "to",
					 env->conf->reminders.channel, "moved", (json_int_t)moved));
out:
	free(old_channel);
}

static const api_handler_cb handlers[IFACE_METHOD_COUNT] = {
	[IFACE_GET_INFO] = get_info,
	[IFACE_GET_INTERFACE_DESCRIPTION] = get_interface_description,
	[IFACE_STATUS] = status,
	[IFACE_RELOAD] = reload,
	[IFACE_REGISTER_APPLICATION] = api_case_record,
	[IFACE_RECORD_PRELIMINARY_REPLY] = api_case_record,
	[IFACE_REQUEST_DOCUMENTATION] = api_case_record,
	[IFACE_RECEIVE_DOCUMENTATION] = api_case_record,
	[IFACE_RECORD_DECISION] = api_case_record,
	[IFACE_REQUEST_REASONS] = api_case_record,
	[IFACE_GIVE_REASONS] = api_case_record,
	[IFACE_EXTEND_DEADLINE] = api_case_record,
	[IFACE_OVERRIDE_DEADLINE] = api_case_record,
	[IFACE_RECORD_COMPLAINT] = api_case_record,
	[IFACE_FORWARD_COMPLAINT] = api_case_record,
	[IFACE_DECIDE_COMPLAINT] = api_case_record,
	[IFACE_WITHDRAW_APPLICATION] = api_case_record,
	[IFACE_CLOSE_CASE] = api_case_record,
	[IFACE_WITHDRAW_COMPLAINT] = api_case_record,
	[IFACE_CONFIRM_DECISION] = api_case_record,
	[IFACE_GET_CASE] = api_case_get,
	[IFACE_LIST_CASES] = api_case_list,
	[IFACE_LIST_DEADLINES] = api_deadlines_list,
	[IFACE_IMPORT_EVENTS] = api_import,
	[IFACE_LIST_AUDIT] = api_audit_list,
	[IFACE_LIST_REMINDERS] = api_reminders_list,
	[IFACE_GET_REMINDER] = api_reminder_get,
	[IFACE_RETRY_REMINDER] = api_reminder_retry,
	[IFACE_RENDER_TEMPLATE] = api_template_render,
	[IFACE_LIST_CHANNELS] = api_channels_list,
	[IFACE_ENABLE_CHANNEL] = api_channel_enable,
	[IFACE_SET_CLOCK] = api_clock,
	[IFACE_ADVANCE_CLOCK] = api_clock,
	[IFACE_RESET_CLOCK] = api_clock,
};

void
api_call(struct api_env *env, struct api_req *req)
{
	const struct iface_method *m = req->method;

	FV_ASSERT(handlers[m->id]);
	FV_ASSERT(req->reply != reply_when_committed);
	req->env = env;
	req->deliver = req->reply;
	req->reply = reply_when_committed;
	if (req->peer.role < m->role) {
		log_notice("uid %u (pid %d) denied %s: role %s, needs %s", req->peer.uid,
			   req->peer.pid, m->name, conf_role_name(req->peer.role),
			   conf_role_name(m->role));
		/* Judged on the role alone, never on the database. */
		req->deliver(req, "no.fristvakt.PermissionDenied",
			     json_pack("{ss ss ss}", "method", m->name, "role",
				       conf_role_name(req->peer.role), "required",
				       conf_role_name(m->role)));
		return;
	}
	handlers[m->id](env, req);
}
