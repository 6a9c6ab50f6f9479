// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_digest: the daily digests. Once the day's send time has come, each handler and unit
 * the digest goes to (reminders.digest_recipients) gets one message listing the deadlines
 * of their cases that still wait (open, or overdue and not met) and are due within
 * digest_days from today, each with its label. A digest's identity is its day and
 * recipient, so it is planned once a day however often this runs. The day stages of those
 * recipients are not planned as reminders of their own (ops/plan.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops/ops.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/util.h"

/* Labels digest row (a deadline) with its kind's name for the case's service. */
static void
digest_label(struct ops_env *env, json_t *row)
{
	enum rules_kind kind;
	const char *k = json_string_value(json_object_get(row, "kind"));
	char *label;

	if (!k || rules_kind_parse(k, &kind) < 0)
		return;
	label = rules_deadline_label(env->conf->rules,
				     json_string_value(json_object_get(row, "service")), kind);
	json_object_set_new(row, "label", json_string(label));
	free(label);
}

/*
 * Adds digest row (a deadline) to the digests of the case's handler and unit in groups
 * (an object of arrays keyed "handler:ID" and "unit:ID"), those the digest goes to.
 */
static void
digest_group(const struct conf_reminders *r, json_t *groups, json_t *row)
{
	for (int role = 0; role < 2; role++) {
		unsigned bit = role == 0 ? CONF_RCPT_HANDLER : CONF_RCPT_UNIT;
		const char *id =
			json_string_value(json_object_get(row, role == 0 ? "handler" : "unit"));
		char name[128];
		json_t *list;

		if (!(r->digest_recipients & bit) || !id)
			continue;
		snprintf(name, sizeof(name), "%s:%s", role == 0 ? "handler" : "unit", id);
		list = json_object_get(groups, name);
		if (!list) {
			list = json_array();
			json_object_set_new(groups, name, list);
		}
		json_array_append(list, row);
	}
}

/*
 * Plans the digest of day (at its send time at) for each recipient in groups, inside the
 * current savepoint; *planned counts those new. 0 or a negative errno.
 */
static int
digest_plan(struct ops_env *env, json_t *groups, char *day, int64_t at, int64_t now,
	    size_t *planned)
{
	const char *key;
	json_t *items;
	int ret = 0;

	json_object_foreach(groups, key, items)
	{
		json_t *data = json_pack("{sO}", "items", items);
		struct store_reminder d = {
			.kind = (char *)"digest",
			.stage = (char *)"daily",
			.occurrence = day,
			.recipient = (char *)key,
			.channel = env->conf->reminders.channel,
			.planned = at,
			.not_before = now,
			.created = now,
		};
		bool inserted;

		d.data = json_dumps(data, JSON_COMPACT);
		json_decref(data);
		ret = store_reminder_plan(env->store, &d, &inserted);
		free(d.data);
		if (ret < 0)
			break;
		if (inserted) {
			env->reminders_changed = true;
			(*planned)++;
		}
	}
	return ret;
}

int
ops_remind_digests(struct ops_env *env, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct cal_date today, until;
	int64_t at;
	char day[CAL_DATE_LEN], until_s[CAL_DATE_LEN];
	json_t *rows = NULL, *groups;
	size_t i;
	json_t *row;
	size_t planned = 0;
	int ret;

	if (!r->digest_recipients || cal_date_of_instant(now, &today) < 0 ||
	    cal_local_instant(today, (int)r->send_minute, &at) < 0 || now < at)
		return 0;
	until = cal_add_days(today, (int32_t)r->digest_days);
	if ((ret = store_deadlines_for_digest(env->store, cal_date_format(until, until_s), &rows)) <
	    0)
		return ret;
	groups = json_object();
	json_array_foreach(rows, i, row)
	{
		digest_label(env, row);
		digest_group(r, groups, row);
	}
	if ((ret = ops_txn_enter(env)) < 0)
		goto out;
	cal_date_format(today, day);
	ret = digest_plan(env, groups, day, at, now, &planned);
	ops_txn_leave(env, ret >= 0);
	if (ret >= 0)
		log_info("digests of %s: %zu planned, for %zu recipients", day, planned,
			 json_object_size(groups));
out:
	json_decref(groups);
	json_decref(rows);
	return ret;
}
