// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * api: the Varlink methods (see api.h). The handler table is indexed by the method ids of
 * iface.h, so the method table there is the single list of what the daemon serves.
 */
#include "api.h"

#include <errno.h>
#include <string.h>

#include "build_config.h"
#include "cal.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "util.h"

typedef void (*api_handler_cb)(struct api_env *env, struct api_req *req);

static void
reply_fault(struct api_req *req, const struct proto_fault *f)
{
	json_t *p = json_object();

	if (strcmp(f->error, PROTO_ERR_INVALID_PARAMETER) == 0)
		json_object_set_new(p, "parameter", json_string(f->parameter));
	/* Not part of the standard error's signature, but a person reading it needs it. */
	json_object_set_new(p, "message", json_string(f->detail));
	req->reply(req, f->error, p);
}

static bool
check_params(struct api_req *req, const struct proto_field *fields, size_t n)
{
	struct proto_fault f;

	if (proto_params_check(req->params, fields, n, &f) == 0)
		return true;
	reply_fault(req, &f);
	return false;
}

static void
reply_storage_failure(struct api_env *env, struct api_req *req)
{
	req->reply(req, "no.fristvakt.StorageFailure",
		   json_pack("{ss}", "message", store_errmsg(env->store)));
}

static json_t *
instant_json(int64_t t)
{
	char buf[CAL_INSTANT_LEN];

	return json_string(cal_instant_format(t, buf));
}

/* Writes the audit row of a change in its own transaction. */
static int
audit(struct api_env *env, struct api_req *req, const char *case_ref, const char *outcome)
{
	struct store_audit a = {
		.at = req->now,
		.method = req->method->name,
		.case_ref = case_ref,
		.uid = req->peer.uid,
		.gid = req->peer.gid,
		.pid = req->peer.pid,
		.outcome = outcome,
	};
	int ret;

	if ((ret = store_begin(env->store)) < 0)
		return ret;
	if ((ret = store_audit_append(env->store, &a)) < 0) {
		store_rollback(env->store);
		return ret;
	}
	return store_commit(env->store);
}

static void
get_info(struct api_env *env, struct api_req *req)
{
	json_t *ifaces = json_array();

	(void)env;
	if (!check_params(req, NULL, 0)) {
		json_decref(ifaces);
		return;
	}
	for (const char *const *n = iface_names; *n; n++)
		json_array_append_new(ifaces, json_string(*n));
	req->reply(req, NULL,
		   json_pack("{ss ss ss ss so}", "vendor", FV_VENDOR, "product", "fristvaktd",
			     "version", FV_VERSION, "url", FV_URL, "interfaces", ifaces));
}

static void
get_interface_description(struct api_env *env, struct api_req *req)
{
	static const struct proto_field fields[] = { { "interface", PROTO_STRING, true, 255 } };
	const char *name, *text;

	(void)env;
	if (!check_params(req, fields, FV_ARRAY_SIZE(fields)))
		return;
	name = json_string_value(json_object_get(req->params, "interface"));
	text = iface_description(name);
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

	if (!check_params(req, NULL, 0))
		return;
	if (store_counts(env->store, &c) < 0) {
		reply_storage_failure(env, req);
		return;
	}
	req->reply(req, NULL,
		   json_pack("{ss so sI ss si ss so ss s{sI sI sI sI} si ss}", "version",
			     FV_VERSION, "started", instant_json(env->started), "uptime_seconds",
			     (json_int_t)(req->now - env->started), "database",
			     env->conf->database, "schema_version",
			     store_schema_version(env->store), "config_file", env->conf->path,
			     "config_loaded", instant_json(env->conf_loaded), "timezone",
			     env->conf->timezone, "counts", "cases", (json_int_t)c.cases, "events",
			     (json_int_t)c.events, "deadlines", (json_int_t)c.deadlines, "audit",
			     (json_int_t)c.audit, "connections", (int)env->connections(env->host),
			     "role", conf_role_name(req->peer.role)));
}

static void
reload(struct api_env *env, struct api_req *req)
{
	struct conf_error err;
	int ret;

	if (!check_params(req, NULL, 0))
		return;
	ret = env->reload(env->host, &err);
	if (audit(env, req, NULL, ret < 0 ? "no.fristvakt.ConfigInvalid" : "ok") < 0)
		log_warn("audit: recording a reload failed: %s", store_errmsg(env->store));
	if (ret < 0) {
		req->reply(req, "no.fristvakt.ConfigInvalid", json_pack("{ss}", "message", err.text));
		return;
	}
	req->reply(req, NULL,
		   json_pack("{ss so}", "config_file", env->conf->path, "config_loaded",
			     instant_json(env->conf_loaded)));
}

static const api_handler_cb handlers[IFACE_METHOD_COUNT] = {
	[IFACE_GET_INFO] = get_info,
	[IFACE_GET_INTERFACE_DESCRIPTION] = get_interface_description,
	[IFACE_STATUS] = status,
	[IFACE_RELOAD] = reload,
};

void
api_call(struct api_env *env, struct api_req *req)
{
	const struct iface_method *m = req->method;

	FV_ASSERT(handlers[m->id]);
	if (req->peer.role < m->role) {
		log_notice("uid %u (pid %d) denied %s: role %s, needs %s", req->peer.uid,
			   req->peer.pid, m->name, conf_role_name(req->peer.role),
			   conf_role_name(m->role));
		req->reply(req, "no.fristvakt.PermissionDenied",
			   json_pack("{ss ss ss}", "method", m->name, "role",
				     conf_role_name(req->peer.role), "required",
				     conf_role_name(m->role)));
		return;
	}
	handlers[m->id](env, req);
}
