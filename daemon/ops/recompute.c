// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * recompute: a case's deadlines computed from its events with the rules in force, stored,
 * and its reminders planned from them (see recompute.h). Everything that changes what a
 * case's deadlines are comes here: an event recorded (ops/record.c), a delivery's outcome
 * that continues a series (ops/retry.c), a reload of the rules (the server's steps).
 */
#include "ops/recompute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ops/case_impl.h"

/*
 * Stores the case's deadlines as computed today: their dates and states, not their
 * explanations (derived data: computed again when a reply or a message shows them). With
 * shown, also returns (owned) the deadlines as a reply shows them, with explanations.
 */
static int
store_deadlines(struct ops_env *env, const struct store_case *c, const struct computed *comp,
		json_t **shown)
{
	struct store_deadline *rows = xcalloc(comp->n ? comp->n : 1, sizeof(*rows));
	char(*due)[CAL_DATE_LEN] = xcalloc(comp->n ? comp->n : 1, sizeof(*due));
	char(*met)[CAL_DATE_LEN] = xcalloc(comp->n ? comp->n : 1, sizeof(*met));
	char(*ended)[CAL_DATE_LEN] = xcalloc(comp->n ? comp->n : 1, sizeof(*ended));
	int ret;

	for (size_t i = 0; i < comp->n; i++) {
		const struct rules_deadline *d = &comp->d[i];

		rows[i] = (struct store_deadline){
			.kind = rules_kind_name(d->kind),
			.subject = d->subject,
			.state = rules_state_name(d->state),
			.due = d->has_due ? cal_date_format(d->due, due[i]) : NULL,
			.met_on = d->has_met ? cal_date_format(d->met_on, met[i]) : NULL,
			.ended_on = d->has_ended ? cal_date_format(d->ended_on, ended[i]) : NULL,
			.rule = d->rule,
			.source = d->source,
		};
	}
	ret = store_deadlines_replace(env->store, c->id, rows, comp->n);
	if (ret == 0 && shown)
		*shown = computed_json(comp);
	free(ended);
	free(met);
	free(due);
	free(rows);
	return ret;
}

int
recompute_store(struct ops_env *env, const struct store_case *c, const struct computed *comp,
		int64_t now, json_t **shown)
{
	int ret = store_deadlines(env, c, comp, shown);

	if (ret == 0)
		ret = ops_remind_plan(env, c, comp->d, comp->n, now);
	if (ret < 0 && shown) {
		json_decref(*shown);
		*shown = NULL;
	}
	return ret;
}

int
ops_recompute_step(struct ops_env *env, int64_t *cursor, int max, int64_t now)
{
	struct store_case *v = NULL;
	size_t n = 0;
	int ret;

	if ((ret = store_cases_after(env->store, *cursor, max, &v, &n)) < 0)
		return ret;
	if (n == 0)
		goto out;
	if ((ret = ops_txn_enter(env)) < 0)
		goto out;
	for (size_t i = 0; i < n && ret >= 0; i++) {
		*cursor = v[i].id;
		ret = ops_recompute_case(env, &v[i], now);
	}
	ops_txn_leave(env, ret >= 0);
	ret = ret < 0 ? ret : 1;
out:
	store_cases_free(v, n);
	return ret;
}

int
ops_recompute_case(struct ops_env *env, const struct store_case *c, int64_t now)
{
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today;
	int ret;

	if (!today_of(now, &today))
		return -ERANGE;
	if ((ret = timeline_load(env->store, c->id, &tl)) < 0)
		return ret;
	/* A case the rules can no longer compute keeps what was stored for it. */
	if (timeline_compute(env->conf->rules, c->service, &tl, today, &comp) == 0) {
		ret = recompute_store(env, c, &comp, now, NULL);
	}
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	return ret;
}

/* Whether the stored deadlines (rows, n of them) are those of comp. */
static bool
stored_same(const struct computed *comp, const struct store_deadline_row *rows, size_t n)
{
	if (n != comp->n)
		return false;
	for (size_t i = 0; i < comp->n; i++) {
		const struct rules_deadline *d = &comp->d[i];
		char due[CAL_DATE_LEN], met[CAL_DATE_LEN], ended[CAL_DATE_LEN];
		bool found = false;

		cal_date_format(d->due, due);
		cal_date_format(d->met_on, met);
		cal_date_format(d->ended_on, ended);
		for (size_t k = 0; k < n && !found; k++) {
			const struct store_deadline_row *r = &rows[k];

			found = r->subject == d->subject &&
				strcmp(r->kind, rules_kind_name(d->kind)) == 0 &&
				strcmp(r->state, rules_state_name(d->state)) == 0 &&
				(d->has_due ? r->due && strcmp(r->due, due) == 0 : !r->due) &&
				(d->has_met ? r->met_on && strcmp(r->met_on, met) == 0
					    : !r->met_on) &&
				(d->has_ended ? r->ended_on && strcmp(r->ended_on, ended) == 0
					      : !r->ended_on);
		}
		if (!found)
			return false;
	}
	return true;
}

int
ops_recompute_before_send(struct ops_env *env, int64_t case_id, int64_t now)
{
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct store_deadline_row *rows = NULL;
	struct store_case c;
	struct cal_date today;
	size_t n = 0;
	int ret;

	if (!today_of(now, &today))
		return -ERANGE;
	if ((ret = store_case_by_id(env->store, case_id, &c)) < 0)
		return ret == -ENOENT ? 0 : ret;
	ret = timeline_load(env->store, c.id, &tl);
	if (ret == 0)
		ret = store_deadlines_of_case(env->store, c.id, &rows, &n);
	/* A case the rules can no longer compute keeps what was stored for it. */
	if (ret == 0 && timeline_compute(env->conf->rules, c.service, &tl, today, &comp) == 0 &&
	    !stored_same(&comp, rows, n) && (ret = ops_txn_enter(env)) == 0) {
		int left;

		ret = recompute_store(env, &c, &comp, now, NULL);
		left = ops_txn_leave(env, ret == 0);
		ret = ret < 0 ? ret : left < 0 ? left : 1;
	}
	store_deadline_rows_free(rows, n);
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	store_case_deinit(&c);
	return ret;
}
