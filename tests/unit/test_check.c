// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_check: the outbox's invariant of `fristvakt check` (ops_check_reminders,
 * ops/maint.c): every office duty still awaited whose reminder policy has a stage to come
 * holds that next reminder. On a real database with the shipped configuration (the log
 * channel, reminders at 08:00 Oslo time, 07:00 UTC in March) and the test playing the
 * scheduler: no false alarm at any ten minutes of four weeks of a case that is never
 * decided (the stages sent, one refused and retried, overdue repeats every day and the
 * weekly escalation), nor after its decision; and each reminder taken out by hand is named,
 * by its case's row id, kind, due date, stage and day (worked out by hand: processing due
 * Monday 16 March, "before-3" on 11 March; foreløpig svar due 7 April, "before-5" on 26
 * March, see test_recompute.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "conf/conf.h"
#include "core/cal.h"
#include "core/diag.h"
#include "ops/ops.h"
#include "server/dispatch.h"
#include "store/store.h"

#include "daemon_fixture.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

struct fixture {
	struct daemon_fixture d;
	struct conf *conf;
	const char *error;
	json_t *params;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct diag err = { "" };

	assert_non_null(fx);
	if (conf_load(FV_SOURCE_DIR "/etc/fristvakt.conf", &fx->conf, &err) < 0)
		fail_msg("etc/fristvakt.conf: %s", err.text);
	daemon_fixture_open(&fx->d, "check", fx->conf);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	json_decref(fx->params);
	daemon_fixture_close(&fx->d);
	conf_free(fx->conf);
	free(fx);
	return 0;
}

static void
capture(struct ops_req *req, const char *error, json_t *params)
{
	struct fixture *fx = req->data;

	json_decref(fx->params);
	fx->error = error;
	fx->params = params;
}

/* One call of method with params (quoted as json_of), committed; it must succeed. */
static void
call(struct fixture *fx, const char *method, const char *params)
{
	struct ops_req req;

	daemon_fixture_request(&fx->d, &req, method, capture, fx);
	req.params = json_of(params);
	dispatch_call(&fx->d.env, &req);
	ops_commit(&fx->d.env);
	json_decref(req.params);
	if (fx->error)
		fail_msg("%s: %s", method, fx->error);
}

#define CASE1 "'reference': '2026/0001'"
#define REGISTER1                                                                                  \
	"{" CASE1 ", 'service': 'okonomisk-stonad', 'received': '2026-03-02T09:00:00+01:00', "     \
	"'channel': 'written', 'handler': 'saksbeh-7', 'unit': 'nav-ost'}"

/* The check at the fixture's time: its count, and its details joined by " | " into buf. */
static int
check(struct fixture *fx, char *buf, size_t len)
{
	json_t *checks = json_array(), *c, *d;
	size_t i;
	int n;

	assert_int_equal(ops_check_reminders(&fx->d.env, fx->d.now, checks), 0);
	c = json_array_get(checks, 0);
	assert_string_equal(json_string_value(json_object_get(c, "name")), "reminders_planned");
	n = (int)json_integer_value(json_object_get(c, "count"));
	assert_int_equal(json_is_true(json_object_get(c, "ok")), n == 0);
	buf[0] = '\0';
	json_array_foreach(json_object_get(c, "details"), i, d)
	{
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i ? " | " : "", json_string_value(d));
	}
	json_decref(checks);
	return n;
}

static const struct ops_delivery delivered = { .status = OPS_DELIVERY_OK,
					       .code = 200,
					       .retry_after = -1 };
static const struct ops_delivery bounced = {
	.status = OPS_DELIVERY_RETRY, .code = 550, .retry_after = -1, .detail = "550 no such user"
};

/*
 * Plays the scheduler from from to to in steps of ten minutes: each reminder due is skipped
 * when outdated, else attempted (refused when its stage is fail_stage); after each step the
 * check must find nothing.
 */
static void
play_and_check(struct fixture *fx, const char *from, const char *to, const char *fail_stage)
{
	char details[1024];

	for (int64_t t = instant(from); t <= instant(to); t += 600) {
		struct store_reminder_filter f = { .ref = "2026/0001", .limit = 1000 };
		struct store_reminder *v = NULL;
		int64_t next = 0;
		size_t n;

		fx->d.now = t;
		assert_int_equal(store_reminders_list(fx->d.st, &f, &v, &n, &next), 0);
		for (size_t i = 0; i < n; i++) {
			char why[256];

			if ((strcmp(v[i].state, "pending") != 0 &&
			     strcmp(v[i].state, "failed") != 0) ||
			    v[i].not_before > t)
				continue;
			if (ops_remind_outdated(&fx->d.env, &v[i], t, why, sizeof(why)) > 0)
				assert_int_equal(ops_remind_skip(&fx->d.env, v[i].id, why, t), 0);
			else
				assert_int_equal(
					ops_remind_result(
						&fx->d.env, v[i].id,
						fail_stage && strcmp(v[i].stage, fail_stage) == 0
							? &bounced
							: &delivered,
						t),
					0);
			ops_commit(&fx->d.env);
		}
		store_reminders_free(v, n);
		if (check(fx, details, sizeof(details)) != 0) {
			char at[CAL_INSTANT_LEN];

			fail_msg("at %s: %s", cal_instant_format(t, at), details);
		}
	}
}

/* Four weeks of a case never decided, then decided: never a false alarm. */
static void
test_no_false_alarm(void **state)
{
	struct fixture *fx = *state;
	char details[256];

	call(fx, "RegisterApplication", REGISTER1);
	assert_int_equal(check(fx, details, sizeof(details)), 0);
	/* The handler's address bounces for the daily overdue reminders (retried, then dead). */
	play_and_check(fx, "2026-03-02T10:00:00Z", "2026-03-30T12:00:00Z", "overdue");
	call(fx, "RecordDecision",
	     "{" CASE1 ", 'made': '2026-03-30', 'reached': '2026-03-31', 'outcome': 'avslatt', "
	     "'written': true, 'reasoned': true}");
	play_and_check(fx, "2026-03-30T12:10:00Z", "2026-04-09T12:00:00Z", NULL);
}

/* Deletes the pending reminder of case 1 of kind (as a damaged outbox would lack it). */
static void
delete_pending(struct fixture *fx, const char *kind)
{
	char sql[256];
	sqlite3 *db = NULL;

	snprintf(sql, sizeof(sql),
		 "DELETE FROM reminders WHERE case_id = 1 AND kind = '%s' AND state = 'pending'",
		 kind);
	assert_int_equal(sqlite3_open(fx->d.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
}

static void
test_missing_reminders_named(void **state)
{
	struct fixture *fx = *state;
	char details[512];

	call(fx, "RegisterApplication", REGISTER1);
	delete_pending(fx, "processing");
	assert_int_equal(check(fx, details, sizeof(details)), 1);
	assert_string_equal(details, "case #1, processing deadline due 2026-03-16: stage before-3 "
				     "(2026-03-11) is not in the outbox");
	delete_pending(fx, "preliminary_reply");
	assert_int_equal(check(fx, details, sizeof(details)), 2);
	assert_string_equal(details,
			    "case #1, processing deadline due 2026-03-16: stage before-3 "
			    "(2026-03-11) is not in the outbox | case #1, preliminary_reply "
			    "deadline due 2026-04-07: stage before-5 (2026-03-26) is not in the "
			    "outbox");
	/* Later on, what the planner would want then: on 17 March the daily "overdue". */
	fx->d.now = instant("2026-03-17T09:00:00Z");
	assert_int_equal(check(fx, details, sizeof(details)), 2);
	assert_non_null(strstr(details, "processing deadline due 2026-03-16: stage overdue "
					"(2026-03-17) is not in the outbox"));
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_false_alarm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_reminders_named, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
