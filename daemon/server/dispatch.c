// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * dispatch: a request to its handler, after the role check; and the service and admin
 * methods (GetInfo, GetInterfaceDescription, Status, Reload). The handler table is indexed
 * by the method ids of core/iface.h, so the method table there is the single list of what
 * the daemon serves. Group commit is in ops/txn.c.
 */
#include "server/dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/util.h"

typedef void (*dispatch_handler_cb)(struct ops_env *env, struct ops_req *req);

static void
get_info(struct ops_env *env, struct ops_req *req)
{
	json_t *ifaces;

	if (!ops_check_params(req, NULL, 0))
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
get_interface_description(struct ops_env *env, struct ops_req *req)
{
	static const struct proto_field fields[] = { { "interface", PROTO_STRING, true, 255 } };
	const char *name, *text;

	if (!ops_check_params(req, fields, FV_ARRAY_SIZE(fields)))
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
status(struct ops_env *env, struct ops_req *req)
{
	struct store_counts c;
	json_t *reminders, *channels, *ch, *services;
	json_int_t held = 0;
	int64_t lag;
	size_t i;

	if (!ops_check_params(req, NULL, 0))
		return;
	if (store_counts(env->store, &c) < 0 || store_reminder_counts(env->store, &reminders) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	if (!(channels = ops_channels_json(env)) || ops_outbox_lag(env, req->now, &lag) < 0) {
		json_decref(channels);
		json_decref(reminders);
		ops_reply_storage_failure(env, req);
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
			     ops_instant_json(env->started), "uptime_seconds",
			     (json_int_t)(req->now - env->clock_offset(env->host) - env->started),
			     "database", env->conf->database, "schema_version",
			     store_schema_version(env->store), "integrity",
			     env->integrity ? env->integrity : "not checked", "config_file",
			     env->conf->path, "config_loaded", ops_instant_json(env->conf_loaded),
			     "timezone", env->conf->timezone, "counts", "cases",
			     (json_int_t)c.cases, "events", (json_int_t)c.events, "deadlines",
			     (json_int_t)c.deadlines, "audit", (json_int_t)c.audit, "connections",
			     (int)env->connections(env->host), "role", role_name(req->peer.role),
			     "reminders", reminders, "clock_offset",
			     (json_int_t)env->clock_offset(env->host), "channels", channels,
			     "outbox_lag_seconds", (json_int_t)lag, "services", services));
}

static void
reload(struct ops_env *env, struct ops_req *req)
{
	struct store_audit a = ops_audit_of(req);
	struct diag err;
	char *old_channel;
	int64_t moved = 0;
	int ret;

	if (!ops_check_params(req, NULL, 0))
		return;
	old_channel = xstrdup(env->conf->reminders.channel);
	ret = env->reload(env->host, &err);
	a.outcome = ret < 0 ? "no.fristvakt.ConfigInvalid" : "ok";
	/*
	 * The attempt is audited either way; the reply waits for the audit row's commit. A new
	 * reminder channel: what is not yet sent follows it, in the same transaction.
	 */
	if (ops_txn_enter(env) < 0) {
		ops_reply_storage_failure(env, req);
		goto out;
	}
	if (store_audit_append(env->store, &a) < 0 ||
	    (ret == 0 &&
	     ops_channels_follow(env, old_channel, env->conf->reminders.channel, &moved) < 0)) {
		ops_txn_leave(env, false);
		ops_reply_storage_failure(env, req);
		goto out;
	}
	if (ops_txn_leave(env, true) < 0) {
		ops_reply_storage_failure(env, req);
		goto out;
	}
	if (ret < 0) {
		/* The audit row of the failed attempt is durable before the answer. */
		ops_reply_error_after_commit(env, req, "no.fristvakt.ConfigInvalid",
					     json_pack("{ss}", "message", err.text));
		goto out;
	}
	ops_reply_after_commit(env, req,
			       json_pack("{ss so s{ss ss sI}}", "config_file", env->conf->path,
					 "config_loaded", ops_instant_json(env->conf_loaded),
					 "reminders_channel", "from", old_channel, "to",
					 env->conf->reminders.channel, "moved", (json_int_t)moved));
out:
	free(old_channel);
}

static const dispatch_handler_cb handlers[IFACE_METHOD_COUNT] = {
	[IFACE_GET_INFO] = get_info,
	[IFACE_GET_INTERFACE_DESCRIPTION] = get_interface_description,
	[IFACE_STATUS] = status,
	[IFACE_RELOAD] = reload,
	[IFACE_REGISTER_APPLICATION] = ops_case_record,
	[IFACE_RECORD_PRELIMINARY_REPLY] = ops_case_record,
	[IFACE_REQUEST_DOCUMENTATION] = ops_case_record,
	[IFACE_RECEIVE_DOCUMENTATION] = ops_case_record,
	[IFACE_RECORD_DECISION] = ops_case_record,
	[IFACE_REQUEST_REASONS] = ops_case_record,
	[IFACE_GIVE_REASONS] = ops_case_record,
	[IFACE_EXTEND_DEADLINE] = ops_case_record,
	[IFACE_OVERRIDE_DEADLINE] = ops_case_record,
	[IFACE_RECORD_COMPLAINT] = ops_case_record,
	[IFACE_FORWARD_COMPLAINT] = ops_case_record,
	[IFACE_DECIDE_COMPLAINT] = ops_case_record,
	[IFACE_WITHDRAW_APPLICATION] = ops_case_record,
	[IFACE_CLOSE_CASE] = ops_case_record,
	[IFACE_WITHDRAW_COMPLAINT] = ops_case_record,
	[IFACE_CONFIRM_DECISION] = ops_case_record,
	[IFACE_GET_CASE] = ops_case_get,
	[IFACE_LIST_CASES] = ops_case_list,
	[IFACE_LIST_DEADLINES] = ops_deadlines_list,
	[IFACE_IMPORT_EVENTS] = ops_import,
	[IFACE_LIST_AUDIT] = ops_audit_list,
	[IFACE_LIST_REMINDERS] = ops_reminders_list,
	[IFACE_GET_REMINDER] = ops_reminder_get,
	[IFACE_RETRY_REMINDER] = ops_reminder_retry,
	[IFACE_RENDER_TEMPLATE] = ops_template_render,
	[IFACE_LIST_CHANNELS] = ops_channels_list,
	[IFACE_ENABLE_CHANNEL] = ops_channel_enable,
	[IFACE_SET_CLOCK] = ops_clock,
	[IFACE_ADVANCE_CLOCK] = ops_clock,
	[IFACE_RESET_CLOCK] = ops_clock,
};

void
dispatch_call(struct ops_env *env, struct ops_req *req)
{
	const struct iface_method *m = req->method;

	FV_ASSERT(handlers[m->id]);
	ops_req_begin(env, req);
	if (req->peer.role < m->role) {
		log_notice("uid %u (pid %d) denied %s: role %s, needs %s", req->peer.uid,
			   req->peer.pid, m->name, role_name(req->peer.role), role_name(m->role));
		/* Judged on the role alone, never on the database. */
		req->deliver(req, "no.fristvakt.PermissionDenied",
			     json_pack("{ss ss ss}", "method", m->name, "role",
				       role_name(req->peer.role), "required", role_name(m->role)));
		return;
	}
	handlers[m->id](env, req);
}
