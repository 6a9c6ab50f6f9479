// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cases_read: the read methods of the case register: one case with its events, deadlines
 * and findings (GetCase), the cases (ListCases), the deadlines across cases
 * (ListDeadlines) and the audit log (ListAudit), each a page at a time. Their parameters'
 * types and sizes are checked by the method table; what they mean is checked here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/rules.h"
#include "core/util.h"
#include "ops/case_impl.h"
#include "store/store.h"

#define MAX_LIMIT     1000
#define DEFAULT_LIMIT 100

static json_t *
event_json(const struct timeline *tl, size_t i)
{
	const struct store_event *e = &tl->ev[i];

	return json_pack("{sI ss so so s:o s:o s:o sO sI}", "id", (json_int_t)e->id, "type",
			 e->type, "occurred", ops_instant_json(e->occurred), "recorded",
			 ops_instant_json(e->recorded), "event_id",
			 e->client_id ? json_string(e->client_id) : json_null(), "supersedes",
			 e->supersedes ? json_integer(e->supersedes) : json_null(), "superseded_by",
			 e->superseded_by ? json_integer(e->superseded_by) : json_null(), "data",
			 tl->data[i], "uid", (json_int_t)e->uid);
}

void
ops_case_get(struct ops_env *env, struct ops_req *req)
{
	const char *ref;
	struct store_case c = { 0 };
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today;
	char today_s[CAL_DATE_LEN];
	json_t *events, *deadlines;
	int ret;

	ref = json_string_value(json_object_get(req->params, "reference"));
	ret = store_case_by_ref(env->store, ref, &c);
	if (ret == -ENOENT) {
		ops_reply(req, OPS_ERR_CASE_NOT_FOUND, json_pack("{ss}", "reference", ref));
		return;
	}
	if (ret < 0 || (ret = timeline_load(env->store, c.id, &tl)) < 0) {
		store_case_deinit(&c);
		ops_reply_storage_failure(env, req);
		return;
	}
	today_of(req->now, &today);
	/* A service dropped from the configuration leaves the timeline without deadlines. */
	timeline_compute(env->conf->rules, c.service, &tl, today, &comp);
	/* Each deadline's version (sequence, modified), for calendar exports. */
	deadlines = computed_json(&comp);
	if (store_deadline_versions_annotate(env->store, c.id, deadlines) < 0) {
		json_decref(deadlines);
		rules_deadlines_free(comp.d, comp.n);
		timeline_free(&tl);
		store_case_deinit(&c);
		ops_reply_storage_failure(env, req);
		return;
	}
	events = json_array();
	for (size_t i = 0; i < tl.n; i++)
		json_array_append_new(events, event_json(&tl, i));
	ops_reply(req, OPS_OK,
		  json_pack("{so so so so ss}", "case", case_row_json(env->conf->rules, &c),
			    "events", events, "deadlines", deadlines, "breaches",
			    timeline_findings_json(env->conf->rules, c.service, &tl), "today",
			    cal_date_format(today, today_s)));
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	store_case_deinit(&c);
}

/* Reads an optional limit parameter; false (answered) when out of range. */
static bool
get_limit(struct ops_req *req, int *limit)
{
	json_t *v = json_object_get(req->params, "limit");

	*limit = DEFAULT_LIMIT;
	if (!json_is_integer(v))
		return true;
	if (json_integer_value(v) < 1 || json_integer_value(v) > MAX_LIMIT) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "limit", "message",
				    "'limit' must be between 1 and 1000"));
		return false;
	}
	*limit = (int)json_integer_value(v);
	return true;
}

static const char *
opt_string(struct ops_req *req, const char *key)
{
	return json_string_value(json_object_get(req->params, key));
}

static bool
reply_bad(struct ops_req *req, const char *param, const char *msg)
{
	ops_reply(req, OPS_ERR_INVALID_PARAMETER,
		  json_pack("{ss ss}", "parameter", param, "message", msg));
	return false;
}

void
ops_case_list(struct ops_env *env, struct ops_req *req)
{
	static const char *const states[] = { "open", "withdrawn", "closed", NULL };
	struct store_case_filter f = { 0 };
	struct store_case *v = NULL;
	size_t n = 0;
	int64_t next = 0, after = 0;
	json_t *arr;

	if (!get_limit(req, &f.limit))
		return;
	f.state = opt_string(req, "state");
	f.service = opt_string(req, "service");
	f.handler = opt_string(req, "handler");
	f.unit = opt_string(req, "unit");
	if (f.state && !choices_has(f.state, states)) {
		reply_bad(req, "state", "'state' must be open, withdrawn or closed");
		return;
	}
	if (opt_string(req, "after") &&
	    fv_parse_i64(opt_string(req, "after"), 1, INT64_MAX, &after) < 0) {
		reply_bad(req, "after", "'after' must be the 'next' of a previous page");
		return;
	}
	f.before_id = after;
	if (store_cases_list(env->store, &f, &v, &n, &next) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, case_row_json(env->conf->rules, &v[i]));
	store_cases_free(v, n);
	if (next) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)next);
		ops_reply(req, OPS_OK, json_pack("{so ss}", "cases", arr, "next", buf));
	} else {
		ops_reply(req, OPS_OK, json_pack("{so sn}", "cases", arr, "next"));
	}
}

/* The filter of ListDeadlines from its parameters; false (answered) when one is not valid. */
static bool
deadline_filter(struct ops_req *req, struct store_deadline_filter *f)
{
	static const char *const duties[] = { "office", "party", NULL };
	struct cal_date d;
	enum rules_kind kind;
	enum rules_state state;

	f->state = opt_string(req, "state");
	f->kind = opt_string(req, "kind");
	f->duty = opt_string(req, "duty");
	f->service = opt_string(req, "service");
	f->handler = opt_string(req, "handler");
	f->unit = opt_string(req, "unit");
	f->due_from = opt_string(req, "due_from");
	f->due_to = opt_string(req, "due_to");
	f->overdue = json_is_true(json_object_get(req->params, "overdue"));
	/* The states are the vocabulary's; the message lists them as it always did. */
	if (f->state && rules_state_parse(f->state, &state) < 0)
		return reply_bad(req, "state",
				 "'state' must be open, met, missed, expired or cancelled");
	if (f->duty && !choices_has(f->duty, duties))
		return reply_bad(req, "duty", "'duty' must be office or party");
	if (f->kind && rules_kind_parse(f->kind, &kind) < 0)
		return reply_bad(req, "kind", "'kind' must be a deadline kind");
	if (f->due_from && cal_date_parse(f->due_from, &d) < 0)
		return reply_bad(req, "due_from", "'due_from' must be a date YYYY-MM-DD");
	if (f->due_to && cal_date_parse(f->due_to, &d) < 0)
		return reply_bad(req, "due_to", "'due_to' must be a date YYYY-MM-DD");
	return true;
}

/*
 * The page cursor of ListDeadlines, "DUE/ID" or "-/ID" for a row without a due date, into
 * f (its due date copied to after_due, CAL_DATE_LEN bytes, which f then borrows); false
 * (answered) when it is not one.
 */
static bool
deadline_cursor(struct ops_req *req, struct store_deadline_filter *f, char *after_due)
{
	const char *after = opt_string(req, "after");
	const char *slash = after ? strchr(after, '/') : NULL;
	struct cal_date d;
	int64_t id;

	if (!after)
		return true;
	if (!slash || fv_parse_i64(slash + 1, 1, INT64_MAX, &id) < 0 ||
	    (size_t)(slash - after) >= CAL_DATE_LEN)
		return reply_bad(req, "after", "'after' must be the 'next' of a previous page");
	memcpy(after_due, after, (size_t)(slash - after));
	after_due[slash - after] = '\0';
	if (strcmp(after_due, "-") != 0 && cal_date_parse(after_due, &d) < 0)
		return reply_bad(req, "after", "'after' must be the 'next' of a previous page");
	f->has_after = true;
	f->after_due = strcmp(after_due, "-") == 0 ? NULL : after_due;
	f->after_id = id;
	return true;
}

/* A stored deadline row as ListDeadlines shows it: its label, duty and days left. */
static void
deadline_row_annotate(const struct rules *rules, json_t *row, struct cal_date today)
{
	const char *due = json_string_value(json_object_get(row, "due"));
	const char *k = json_string_value(json_object_get(row, "kind"));
	enum rules_kind kind;
	struct cal_date d;

	if (k && rules_kind_parse(k, &kind) == 0) {
		const char *service = json_string_value(json_object_get(row, "service"));
		const char *body = rules_complaint_body(rules, service);
		char *label = rules_deadline_label(rules, service, kind);

		json_object_set_new(row, "label", json_string(label));
		free(label);
		json_object_set_new(
			row, "duty",
			json_string(rules_kind_is_office_duty(kind) ? "office" : "party"));
		json_object_set_new(row, "complaint_body",
				    kind == RULES_KIND_FORWARDING && body ? json_string(body)
									  : json_null());
	}
	if (due && cal_date_parse(due, &d) == 0)
		json_object_set_new(row, "days_left", json_integer(cal_diff_days(today, d)));
	else
		json_object_set_new(row, "days_left", json_null());
}

void
ops_deadlines_list(struct ops_env *env, struct ops_req *req)
{
	struct store_deadline_filter f = { 0 };
	struct cal_date today;
	char today_s[CAL_DATE_LEN], after_due[CAL_DATE_LEN];
	json_t *rows, *row;
	bool has_next;
	char *next_due = NULL;
	int64_t next_id;
	size_t i;

	if (!get_limit(req, &f.limit))
		return;
	today_of(req->now, &today);
	f.today = cal_date_format(today, today_s);
	if (!deadline_filter(req, &f) || !deadline_cursor(req, &f, after_due))
		return;
	if (store_deadlines_list(env->store, &f, &rows, &has_next, &next_due, &next_id) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		deadline_row_annotate(env->conf->rules, row, today);
	}
	if (has_next) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s/%lld", next_due ? next_due : "-",
			 (long long)next_id);
		ops_reply(
			req, OPS_OK,
			json_pack("{so ss ss}", "deadlines", rows, "next", buf, "today", today_s));
	} else {
		ops_reply(req, OPS_OK,
			  json_pack("{so sn ss}", "deadlines", rows, "next", "today", today_s));
	}
	free(next_due);
}

void
ops_audit_list(struct ops_env *env, struct ops_req *req)
{
	json_t *rows, *row;
	int64_t next;
	int limit;
	size_t i;

	if (!get_limit(req, &limit))
		return;
	if (json_is_integer(json_object_get(req->params, "after")) &&
	    json_integer_value(json_object_get(req->params, "after")) < 1) {
		reply_bad(req, "after", "'after' must be the 'next' of a previous page");
		return;
	}
	if (store_audit_list(env->store, opt_string(req, "reference"), limit,
			     json_integer_value(json_object_get(req->params, "after")), &rows,
			     &next) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		json_object_set_new(
			row, "at",
			ops_instant_json(json_integer_value(json_object_get(row, "at"))));
	}
	ops_reply(req, OPS_OK,
		  json_pack("{so so}", "entries", rows, "next",
			    next ? json_integer(next) : json_null()));
}
