// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * import: ImportEvents, a batch of event method calls recorded one by one, each in a
 * savepoint of its own (ops/record.c), each answered in the results: a failing item does
 * not stop the others. Items are found by the event schema and audited as their method.
 *
 * Items per call are limited by the method table (EVENTS_MAX_IMPORT_ITEMS): they all run in
 * one loop callback, about half a millisecond each for a decision (its deadlines
 * recomputed, its reminders planned), so a call stays within a few milliseconds and other
 * connections are not kept waiting (the loop never blocks). The CLI sends imports in
 * chunks of this size (cli/cli_import.c).
 */
#include "core/events.h"
#include "core/jsonkit.h"
#include "core/util.h"
#include "ops/case_impl.h"

void
ops_import(struct ops_env *env, struct ops_req *req)
{
	static const struct jsonkit_field item_fields[] = {
		{ "method", JSONKIT_STRING, true, 64 },
		{ "parameters", JSONKIT_OBJECT, true, 0 },
	};
	json_t *items, *results, *item;
	size_t i;

	items = json_object_get(req->params, "items");
	results = json_array();
	json_array_foreach(items, i, item)
	{
		struct ops_req sub = *req;
		const struct event_schema *m = NULL;
		struct jsonkit_fault f;
		struct outcome o = { 0 };
		json_t *reply = NULL;
		char name[128];

		if (!json_is_object(item) ||
		    jsonkit_check(item, item_fields, FV_ARRAY_SIZE(item_fields), &f) < 0) {
			json_array_append_new(
				results,
				json_pack(
					"{sb ss s{ss ss}}", "ok", false, "error",
					req->error_name(OPS_ERR_INVALID_PARAMETER), "parameters",
					"parameter", "items", "message",
					"each item must be {\"method\": ..., \"parameters\": {...}}"));
			continue;
		}
		m = events_schema_find_name(json_string_value(json_object_get(item, "method")),
					    name, sizeof(name));
		if (!m) {
			json_array_append_new(results,
					      json_pack("{sb ss s{ss}}", "ok", false, "error",
							req->error_name(OPS_ERR_METHOD_NOT_FOUND),
							"parameters", "method", name));
			continue;
		}
		sub.params = json_object_get(item, "parameters");
		if (record_event(env, &sub, m, &reply, &o)) {
			json_t *r = json_object_get(reply, "recorded");

			json_array_append_new(results,
					      json_pack("{sb sO sO}", "ok", true, "event",
							json_object_get(r, "event"), "duplicate",
							json_object_get(r, "duplicate")));
			json_decref(reply);
		} else {
			json_array_append_new(results, json_pack("{sb ss so}", "ok", false, "error",
								 req->error_name(o.error),
								 "parameters", o.params));
		}
	}
	if (env->in_txn)
		ops_reply_after_commit(env, req, json_pack("{so}", "results", results));
	else
		ops_reply(req, OPS_OK, json_pack("{so}", "results", results));
}
