// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * dispatch: the method table, one row per Varlink method (name, role, whether it writes,
 * whether it is a testing method, handler, parameters), and a request to its handler after
 * the role check and the parameter check of its row; the Varlink names of the register's
 * errors; and the service and admin methods (GetInfo, GetInterfaceDescription, Status,
 * Reload). The table is the single list of what the daemon serves: the control socket
 * finds methods in it and the interface test checks it against the .varlink files. Group
 * commit is in ops/txn.c.
 */
#include "server/dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "core/cal.h"
#include "core/iface.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/rules.h"
#include "server/daemon.h"
#include "server/retention.h"
#include "store/store.h"
#include "server/maint.h"
#include "core/events.h"
#include "core/util.h"
#include "server/report_job.h"

static void
get_info(struct ops_env *env, struct ops_req *req)
{
	json_t *ifaces;

	ifaces = json_array();
	for (const char *const *n = iface_names; *n; n++) {
		if (iface_description(*n, env->conf->clock_control))
			json_array_append_new(ifaces, json_string(*n));
	}
	ops_reply(req, OPS_OK,
		  json_pack("{ss ss ss ss so}", "vendor", FV_VENDOR, "product", "fristvaktd",
			    "version", FV_VERSION, "url", FV_URL, "interfaces", ifaces));
}

static void
get_interface_description(struct ops_env *env, struct ops_req *req)
{
	const char *name, *text;

	name = json_string_value(json_object_get(req->params, "interface"));
	text = iface_description(name, env->conf->clock_control);
	if (!text) {
		ops_reply(req, OPS_ERR_INTERFACE_NOT_FOUND, json_pack("{ss}", "interface", name));
		return;
	}
	ops_reply(req, OPS_OK, json_pack("{ss}", "description", text));
}

static void
status(struct ops_env *env, struct ops_req *req)
{
	struct store_counts c;
	json_t *reminders, *channels, *ch, *services;
	json_int_t held = 0;
	int64_t lag;
	size_t i;

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
	ops_reply(req, OPS_OK,
		  json_pack("{ss ss so sI ss si ss ss so ss s{sI sI sI sI} si ss so sI so sI so}",
			    "version", FV_VERSION, "installation", env->installation, "started",
			    ops_instant_json(env->started), "uptime_seconds",
			    (json_int_t)(req->now - env->clock_offset(env->host) - env->started),
			    "database", env->conf->database, "schema_version",
			    store_schema_version(env->store), "integrity",
			    env->integrity ? env->integrity : "not checked", "config_file",
			    env->conf->path, "config_loaded", ops_instant_json(env->conf_loaded),
			    "timezone", env->conf->timezone, "counts", "cases", (json_int_t)c.cases,
			    "events", (json_int_t)c.events, "deadlines", (json_int_t)c.deadlines,
			    "audit", (json_int_t)c.audit, "connections",
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

	old_channel = xstrdup(env->conf->reminders.channel);
	ret = env->reload(env->host, &err);
	a.outcome = ret < 0 ? dispatch_error_name(OPS_ERR_CONFIG_INVALID) : "ok";
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
		ops_reply_error_after_commit(env, req, OPS_ERR_CONFIG_INVALID,
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

/* Purge (retention): a dry run or a purge now, answered when it is done (server/retention.c). */
static void
purge(struct ops_env *env, struct ops_req *req)
{
	struct retention *r = daemon_retention(env->host);

	if (!r) {
		ops_reply(req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", "the daemon is starting or stopping"));
		return;
	}
	retention_request(r, env, req);
}

/* The parameters of each method that has any; the event methods' are the event schema's. */
static const struct jsonkit_field p_interface[] = { { "interface", JSONKIT_STRING, true, 255 } };
static const struct jsonkit_field p_get_case[] = { { "reference", JSONKIT_STRING, true, 256 } };
static const struct jsonkit_field p_list_cases[] = {
	{ "state", JSONKIT_STRING, false, 16 },	  { "service", JSONKIT_STRING, false, 64 },
	{ "handler", JSONKIT_STRING, false, 64 }, { "unit", JSONKIT_STRING, false, 64 },
	{ "limit", JSONKIT_INT, false, 0 },	  { "after", JSONKIT_STRING, false, 32 },
};
static const struct jsonkit_field p_list_deadlines[] = {
	{ "state", JSONKIT_STRING, false, 16 },	   { "kind", JSONKIT_STRING, false, 32 },
	{ "duty", JSONKIT_STRING, false, 16 },	   { "service", JSONKIT_STRING, false, 64 },
	{ "handler", JSONKIT_STRING, false, 64 },  { "unit", JSONKIT_STRING, false, 64 },
	{ "due_from", JSONKIT_STRING, false, 16 }, { "due_to", JSONKIT_STRING, false, 16 },
	{ "overdue", JSONKIT_BOOL, false, 0 },	   { "limit", JSONKIT_INT, false, 0 },
	{ "after", JSONKIT_STRING, false, 64 },
};
static const struct jsonkit_field p_import[] = {
	{ "items", JSONKIT_ARRAY, true, EVENTS_MAX_IMPORT_ITEMS },
};
static const struct jsonkit_field p_list_audit[] = {
	{ "reference", JSONKIT_STRING, false, 256 },
	{ "limit", JSONKIT_INT, false, 0 },
	{ "after", JSONKIT_INT, false, 0 },
};
static const struct jsonkit_field p_list_reminders[] = {
	{ "state", JSONKIT_STRING, false, 16 },	  { "reference", JSONKIT_STRING, false, 256 },
	{ "channel", JSONKIT_STRING, false, 64 }, { "limit", JSONKIT_INT, false, 0 },
	{ "after", JSONKIT_INT, false, 0 },
};
static const struct jsonkit_field p_reminder[] = { { "id", JSONKIT_INT, true, 0 } };
static const struct jsonkit_field p_render[] = {
	{ "kind", JSONKIT_STRING, true, 32 },
	{ "stage", JSONKIT_STRING, true, 64 },
	{ "reference", JSONKIT_STRING, true, 256 },
	{ "recipient", JSONKIT_STRING, false, 16 },
};
static const struct jsonkit_field p_channel[] = { { "name", JSONKIT_STRING, true, 64 } };
static const struct jsonkit_field p_backup[] = { { "file", JSONKIT_STRING, true, 4000 } };
static const struct jsonkit_field p_get_report[] = {
	{ "from", JSONKIT_STRING, true, 16 },
	{ "to", JSONKIT_STRING, true, 16 },
	{ "service", JSONKIT_STRING, false, 64 },
	{ "unit", JSONKIT_STRING, false, 64 },
};
static const struct jsonkit_field p_purge[] = { { "dry_run", JSONKIT_BOOL, false, 0 } };
static const struct jsonkit_field p_set_clock[] = { { "now", JSONKIT_STRING, true, 64 } };
static const struct jsonkit_field p_advance_clock[] = { { "seconds", JSONKIT_INT, true, 0 } };

/*
 * M(interface, method, role, writes, handler, parameters): a method whose parameters are
 * the array given; M0: one without parameters; EV: an event method, a write whose
 * parameters the event schema checks (ops_case_record); T, T0: a testing method.
 */
#define ROW(iface, name, role, writes, testing, handler, params, n, events)                        \
	{                                                                                          \
		iface name, ROLE_##role, writes, testing, handler, params, n, events               \
	}
#define M(iface, name, role, writes, handler, p)                                                   \
	ROW(iface, name, role, writes, false, handler, p, FV_ARRAY_SIZE(p), false)
#define M0(iface, name, role, writes, handler)                                                     \
	ROW(iface, name, role, writes, false, handler, NULL, 0, false)
#define EV(name) ROW(IFACE_FRISTVAKT, name, WRITE, true, false, ops_case_record, NULL, 0, true)
#define T(name, handler, p)                                                                        \
	ROW(IFACE_TESTING, name, ADMIN, true, true, handler, p, FV_ARRAY_SIZE(p), false)
#define T0(name, handler) ROW(IFACE_TESTING, name, ADMIN, true, true, handler, NULL, 0, false)

/*
 * Discovery (org.varlink.service) answers every peer that may connect, as Varlink clients
 * expect: the socket's mode and group are the gate, and what it tells (the product, the
 * interfaces and their texts) is public in the source anyway. no.fristvakt keeps its roles.
 */
static const struct dispatch_method methods[] = {
	M0(IFACE_SERVICE, ".GetInfo", NONE, false, get_info),
	M(IFACE_SERVICE, ".GetInterfaceDescription", NONE, false, get_interface_description,
	  p_interface),
	M0(IFACE_FRISTVAKT, ".Status", READ, false, status),
	M0(IFACE_FRISTVAKT, ".Reload", ADMIN, true, reload),
	EV(".RegisterApplication"),
	EV(".RecordPreliminaryReply"),
	EV(".RequestDocumentation"),
	EV(".ReceiveDocumentation"),
	EV(".RecordDecision"),
	EV(".RequestReasons"),
	EV(".GiveReasons"),
	EV(".ExtendDeadline"),
	EV(".OverrideDeadline"),
	EV(".RecordComplaint"),
	EV(".ForwardComplaint"),
	EV(".DecideComplaint"),
	EV(".WithdrawApplication"),
	EV(".CloseCase"),
	EV(".WithdrawComplaint"),
	EV(".ConfirmDecision"),
	M(IFACE_FRISTVAKT, ".GetCase", READ, false, ops_case_get, p_get_case),
	M(IFACE_FRISTVAKT, ".ListCases", READ, false, ops_case_list, p_list_cases),
	M(IFACE_FRISTVAKT, ".ListDeadlines", READ, false, ops_deadlines_list, p_list_deadlines),
	M(IFACE_FRISTVAKT, ".ImportEvents", WRITE, true, ops_import, p_import),
	M(IFACE_FRISTVAKT, ".ListAudit", ADMIN, false, ops_audit_list, p_list_audit),
	M(IFACE_FRISTVAKT, ".ListReminders", READ, false, ops_reminders_list, p_list_reminders),
	M(IFACE_FRISTVAKT, ".GetReminder", READ, false, ops_reminder_get, p_reminder),
	M(IFACE_FRISTVAKT, ".RetryReminder", WRITE, true, ops_reminder_retry, p_reminder),
	M(IFACE_FRISTVAKT, ".RenderTemplate", READ, false, ops_template_render, p_render),
	M0(IFACE_FRISTVAKT, ".ListChannels", READ, false, ops_channels_list),
	M(IFACE_FRISTVAKT, ".EnableChannel", ADMIN, true, ops_channel_enable, p_channel),
	M0(IFACE_FRISTVAKT, ".GetMetrics", READ, false, ops_metrics_get),
	/* Maintenance off the loop (server/maint.c); audited, answered when done. */
	M(IFACE_FRISTVAKT, ".Backup", ADMIN, true, maint_backup, p_backup),
	M0(IFACE_FRISTVAKT, ".Check", ADMIN, true, maint_check),
	M(IFACE_FRISTVAKT, ".GetReport", READ, false, report_job_get, p_get_report),
	M(IFACE_FRISTVAKT, ".Purge", ADMIN, true, purge, p_purge),
	T(".SetClock", ops_clock_set, p_set_clock),
	T(".AdvanceClock", ops_clock_advance, p_advance_clock),
	T0(".ResetClock", ops_clock_reset),
};

const struct dispatch_method *
dispatch_method_find(const char *name, bool testing)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(methods); i++) {
		if (strcmp(methods[i].name, name) == 0)
			return !methods[i].testing || testing ? &methods[i] : NULL;
	}
	return NULL;
}

size_t
dispatch_method_count(void)
{
	return FV_ARRAY_SIZE(methods);
}

const struct dispatch_method *
dispatch_method_at(size_t i)
{
	return i < FV_ARRAY_SIZE(methods) ? &methods[i] : NULL;
}

/*
 * The register's errors by their names in the interfaces (no.fristvakt.varlink and the
 * Varlink service interface): the one place they are spelt in the daemon's code.
 */
static const char *const error_names[OPS_ERR_COUNT] = {
	[OPS_ERR_INVALID_PARAMETER] = PROTO_ERR_INVALID_PARAMETER,
	[OPS_ERR_METHOD_NOT_FOUND] = PROTO_ERR_METHOD_NOT_FOUND,
	[OPS_ERR_STORAGE_FAILURE] = IFACE_FRISTVAKT ".StorageFailure",
	[OPS_ERR_CASE_NOT_FOUND] = IFACE_FRISTVAKT ".CaseNotFound",
	[OPS_ERR_CASE_CONFLICT] = IFACE_FRISTVAKT ".CaseConflict",
	[OPS_ERR_EVENT_NOT_FOUND] = IFACE_FRISTVAKT ".EventNotFound",
	[OPS_ERR_EVENT_CONFLICT] = IFACE_FRISTVAKT ".EventConflict",
	[OPS_ERR_OUT_OF_ORDER] = IFACE_FRISTVAKT ".OutOfOrder",
	[OPS_ERR_UNKNOWN_SERVICE] = IFACE_FRISTVAKT ".UnknownService",
	[OPS_ERR_REMINDER_NOT_FOUND] = IFACE_FRISTVAKT ".ReminderNotFound",
	[OPS_ERR_REMINDER_NOT_RETRYABLE] = IFACE_FRISTVAKT ".ReminderNotRetryable",
	[OPS_ERR_CHANNEL_NOT_FOUND] = IFACE_FRISTVAKT ".ChannelNotFound",
	[OPS_ERR_CHANNEL_DISABLED] = IFACE_FRISTVAKT ".ChannelDisabled",
	[OPS_ERR_PERMISSION_DENIED] = IFACE_FRISTVAKT ".PermissionDenied",
	[OPS_ERR_INTERFACE_NOT_FOUND] = PROTO_ERR_IFACE_NOT_FOUND,
	[OPS_ERR_CONFIG_INVALID] = IFACE_FRISTVAKT ".ConfigInvalid",
	[OPS_ERR_BACKUP_FAILED] = IFACE_FRISTVAKT ".BackupFailed",
	[OPS_ERR_BACKUP_IN_PROGRESS] = IFACE_FRISTVAKT ".BackupInProgress",
	[OPS_ERR_CHECK_IN_PROGRESS] = IFACE_FRISTVAKT ".CheckInProgress",
	[OPS_ERR_REPORT_BUSY] = IFACE_FRISTVAKT ".ReportBusy",
};

const char *
dispatch_error_name(enum ops_error error)
{
	return error > OPS_OK && error < OPS_ERR_COUNT ? error_names[error] : NULL;
}

/* The parameters of a method that is no event method, checked against its row. */
static bool
params_ok(const struct dispatch_method *m, struct ops_req *req)
{
	struct jsonkit_fault f;

	if (jsonkit_check(req->params, m->params, m->n_params, &f) == 0)
		return true;
	/* "message" is not part of the standard error's signature, but a person needs it. */
	ops_reply(req, OPS_ERR_INVALID_PARAMETER,
		  json_pack("{ss ss}", "parameter", f.member, "message", f.detail));
	return false;
}

void
dispatch_call(struct ops_env *env, struct ops_req *req)
{
	const struct dispatch_method *m = req->method;

	ops_req_begin(env, req, m->name, dispatch_error_name);
	if (req->peer.role < m->role) {
		log_notice("uid %u (pid %d) denied %s: role %s, needs %s", req->peer.uid,
			   req->peer.pid, m->name, role_name(req->peer.role), role_name(m->role));
		/* Judged on the role alone, never on the database: answered at once. */
		req->reply(req, dispatch_error_name(OPS_ERR_PERMISSION_DENIED),
			   json_pack("{ss ss ss}", "method", m->name, "role",
				     role_name(req->peer.role), "required", role_name(m->role)));
		return;
	}
	/* The event methods' parameters are checked in stages against the event schema. */
	if (!m->events && !params_ok(m, req))
		return;
	m->handler(env, req);
}
