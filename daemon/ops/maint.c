// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * maint: the daemon's own invariant of the outbox for `fristvakt check`: every office duty
 * still awaited whose reminder policy has a stage to come holds that next reminder (only the
 * next of each series is planned, see ops/plan.c). Reads only; the server runs it on a
 * worker thread with a read-only store and the configuration in force at the check's start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/remind_impl.h"
#include "core/cal.h"
#include "core/rules.h"
#include "core/vocab.h"
#include "store/store.h"
#include "core/util.h"

#define CHUNK	    500
#define DETAILS_MAX 5

/* A stored awaited deadline as the planner reads it; false when it cannot be read. */
static bool
awaited_deadline(const struct store_awaited *a, struct rules_deadline *d)
{
	memset(d, 0, sizeof(*d));
	d->subject = a->row.subject;
	d->has_due = a->row.due && cal_date_parse(a->row.due, &d->due) == 0;
	return rules_kind_parse(a->row.kind, &d->kind) == 0 &&
	       rules_state_parse(a->row.state, &d->state) == 0;
}

/* One finding: the deadline (by its case's row id, never its reference) and the stage. */
static void
finding(json_t *check, const struct store_awaited *a, const char *what)
{
	json_t *details = json_object_get(check, "details");

	json_object_set_new(check, "ok", json_false());
	json_object_set_new(check, "count",
			    json_integer(json_integer_value(json_object_get(check, "count")) + 1));
	if (json_array_size(details) < DETAILS_MAX)
		json_array_append_new(details,
				      json_sprintf("case #%lld, %s deadline due %s: %s is not in "
						   "the outbox",
						   (long long)a->case_id, a->row.kind, a->row.due,
						   what));
}

/* The case of a (its row and open reminders) into *c, unless it is there already. */
static int
load_case(struct ops_env *env, int64_t case_id, struct store_case *c, struct store_reminder **open,
	  size_t *n_open)
{
	int ret;

	if (c->id == case_id)
		return 0;
	store_case_deinit(c);
	store_reminders_free(*open, *n_open);
	*open = NULL;
	*n_open = 0;
	memset(c, 0, sizeof(*c));
	if ((ret = store_case_by_id(env->store, case_id, c)) < 0)
		return ret;
	return store_reminders_open_of_case(env->store, case_id, open, n_open);
}

/* One chunk of awaited deadlines after *after: 1 more may follow, 0 done, or -errno. */
static int
check_chunk(struct ops_env *env, int64_t now, int64_t *after, json_t *check)
{
	struct store_case c = { .id = 0 };
	struct store_reminder *open = NULL;
	struct store_awaited *v;
	size_t n, n_open = 0;
	int ret = store_deadlines_awaited(env->store, *after, CHUNK, &v, &n);

	for (size_t i = 0; ret >= 0 && i < n; i++) {
		struct rules_deadline d;
		char what[160];

		*after = v[i].id;
		if (!awaited_deadline(&v[i], &d) || !rules_kind_is_office_duty(d.kind))
			continue;
		if ((ret = load_case(env, v[i].case_id, &c, &open, &n_open)) < 0)
			break;
		ret = remind_series_missing(env, &c, &d, open, n_open, now, what, sizeof(what));
		if (ret == 1)
			finding(check, &v[i], what);
	}
	store_case_deinit(&c);
	store_reminders_free(open, n_open);
	store_awaited_free(v, n);
	return ret < 0 ? ret : n == CHUNK;
}

int
ops_check_reminders(struct ops_env *env, int64_t now, json_t *checks)
{
	json_t *check = json_pack("{ss sb sI s[]}", "name", "reminders_planned", "ok", 1, "count",
				  (json_int_t)0, "details");
	int64_t after = 0;
	int ret;

	json_array_append_new(checks, check);
	while ((ret = check_chunk(env, now, &after, check)) > 0)
		;
	return ret;
}
