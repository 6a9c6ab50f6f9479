// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_recompute: what recording an event does to a case's reminders, on a real database
 * (SQLite in a temporary directory) with the shipped configuration (etc/fristvakt.conf: its
 * reminder policies, the log channel, reminders sent at 08:00 Oslo time, and the rules of
 * etc/rules.conf). Calls go through the server's method table as a case system makes them;
 * what was stored is read back with the store's own read functions: the planned
 * reminders (stage, day, the instant planned, channel, state) and the case row.
 *
 * The promise under test: an event recomputes its case and plans or cancels the case's
 * reminders in the same call (the outbox is written with its cause), a correction of the
 * registration moves them with the deadlines, and a refused event leaves them as they were.
 *
 * Every date was counted by hand. Working days are the legal calendar's: no Saturdays,
 * Sundays or Norwegian public holidays (2026's Easter: skjærtorsdag 2 April, langfredag
 * 3 April, 2. påskedag 6 April). A reminder goes out at 08:00 local time: 07:00 UTC until
 * summer time starts on Sunday 29 March 2026, 06:00 UTC from then on. No scheduler runs
 * here, so nothing is ever sent: a reminder whose time has passed is still pending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "core/cal.h"
#include "core/diag.h"
#include "core/iface.h"
#include "core/util.h"
#include "server/dispatch.h"
#include "store/store.h"

#include "daemon_fixture.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

/* The reply to one call. */
struct reply {
	int count;
	const char *error;
	json_t *params;
};

/* A daemon without a socket: the configuration, the database and the env around them. */
struct fixture {
	struct daemon_fixture d;
	struct conf *conf;
	struct reply last; /* the last call's reply */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct diag err = { "" };

	assert_non_null(fx);
	/* Loading names the database and the socket but creates neither. */
	if (conf_load(FV_SOURCE_DIR "/etc/fristvakt.conf", &fx->conf, &err) < 0)
		fail_msg("etc/fristvakt.conf: %s", err.text);
	assert_string_equal(fx->conf->reminders.channel, "log");
	assert_int_equal(fx->conf->reminders.send_minute, 8 * 60);
	assert_int_equal(fx->conf->reminders.digest_recipients, 0);
	daemon_fixture_open(&fx->d, "recompute", fx->conf);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	json_decref(fx->last.params);
	daemon_fixture_close(&fx->d);
	conf_free(fx->conf);
	free(fx);
	return 0;
}

static void
capture(struct ops_req *req, const char *error, json_t *params)
{
	struct reply *r = req->data;

	json_decref(r->params);
	r->count++;
	r->error = error;
	r->params = params;
}

/*
 * Starts a call of method (its short name in no.fristvakt) with params (in the quoting of
 * json_of) as an administrator, through the method table, without committing: the reply
 * goes to *r, at once or at the next ops_commit(). req is filled; its params are the
 * caller's to free after the reply.
 */
static void
dispatch(struct fixture *fx, struct ops_req *req, struct reply *r, const char *method,
	 const char *params)
{
	daemon_fixture_request(&fx->d, req, method, capture, r);
	req->params = json_of(params);
	dispatch_call(&fx->d.env, req);
}

/* One call, committed: its reply is then fx->last. */
static void
callq(struct fixture *fx, const char *method, const char *params)
{
	struct ops_req req;
	int before = fx->last.count;

	dispatch(fx, &req, &fx->last, method, params);
	ops_commit(&fx->d.env);
	assert_int_equal(fx->last.count, before + 1);
	json_decref(req.params);
}

/* The last reply is a Recorded one (of event id event when event > 0). */
static void
assert_recorded(const struct reply *r, int64_t event)
{
	json_t *rec = json_object_get(r->params, "recorded");

	if (r->error || !rec) {
		char *got = json_dumps(r->params, JSON_COMPACT);

		fail_msg("want Recorded, got %s %s", r->error ? r->error : "success", got);
	}
	if (event > 0)
		assert_int_equal(json_integer_value(json_object_get(rec, "event")), event);
}

static void
assert_error(const struct reply *r, const char *error)
{
	if (!r->error || strcmp(r->error, error) != 0) {
		char *got = json_dumps(r->params, JSON_COMPACT);

		fail_msg("want %s, got %s %s", error, r->error ? r->error : "success", got);
	}
}

/*
 * One reminder as the outbox holds it: its deadline (kind, subject event, due date when
 * planned), its stage and day (occurrence), "applicant" for the applicant's own message or
 * "" for the office's, the instant planned (UTC), and its state. The channel is always
 * "log", the shipped reminders.channel.
 */
struct want_rem {
	const char *kind;
	int64_t subject;
	const char *due;
	const char *stage;
	const char *occurrence;
	const char *recipient;
	const char *planned;
	const char *state;
};

#define REM_LINE 256

static void
rem_line(char *buf, const char *kind, int64_t subject, const char *due, const char *stage,
	 const char *occurrence, const char *recipient, const char *planned, const char *channel,
	 const char *state)
{
	snprintf(buf, REM_LINE, "%s/%lld due %s %s %s to '%s' at %s on %s: %s", kind,
		 (long long)subject, due ? due : "-", stage, occurrence, recipient, planned,
		 channel, state);
}

/*
 * The reminders of case ref, oldest first, as lines (owned, *n of them; free each and the
 * array).
 */
static char **
rem_lines(struct fixture *fx, const char *ref, size_t *n)
{
	struct store_reminder_filter f = { .ref = ref, .limit = 1000 };
	struct store_reminder *v = NULL;
	int64_t next = 0;
	char **lines;

	assert_int_equal(store_reminders_list(fx->d.st, &f, &v, n, &next), 0);
	assert_int_equal(next, 0);
	lines = calloc(*n ? *n : 1, sizeof(*lines));
	assert_non_null(lines);
	/* Listed newest first. */
	for (size_t i = 0; i < *n; i++) {
		const struct store_reminder *r = &v[*n - 1 - i];
		char planned[CAL_INSTANT_LEN];

		lines[i] = malloc(REM_LINE);
		assert_non_null(lines[i]);
		rem_line(lines[i], r->kind, r->subject, r->due, r->stage, r->occurrence,
			 r->recipient, cal_instant_format(r->planned, planned), r->channel,
			 r->state);
		assert_int_equal(r->not_before, r->planned);
	}
	store_reminders_free(v, *n);
	return lines;
}

static void
lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void
print_lines(const char *what, char **lines, size_t n)
{
	print_message("%s (%zu):\n", what, n);
	for (size_t i = 0; i < n; i++)
		print_message("  %s\n", lines[i]);
}

/* A run of the reminders wanted: v (n of them), each in state when that is not NULL. */
struct part {
	const struct want_rem *v;
	size_t n;
	const char *state;
};

#define PART(v, state)                                                                             \
	{                                                                                          \
		v, FV_ARRAY_SIZE(v), state                                                         \
	}

/* The want lines of the parts (owned, *n of them; lines_free). */
static char **
want_lines(const struct part *parts, size_t n_parts, size_t *n)
{
	char **lines;
	size_t k = 0;

	*n = 0;
	for (size_t p = 0; p < n_parts; p++)
		*n += parts[p].n;
	lines = calloc(*n ? *n : 1, sizeof(*lines));
	assert_non_null(lines);
	for (size_t p = 0; p < n_parts; p++) {
		for (size_t i = 0; i < parts[p].n; i++) {
			const struct want_rem *w = &parts[p].v[i];

			lines[k] = malloc(REM_LINE);
			assert_non_null(lines[k]);
			rem_line(lines[k++], w->kind, w->subject, w->due, w->stage, w->occurrence,
				 w->recipient, w->planned, "log",
				 parts[p].state ? parts[p].state : w->state);
		}
	}
	return lines;
}

/* The reminders of case ref are exactly those of the parts, in the order they were planned. */
static void
assert_reminders(struct fixture *fx, const char *ref, const struct part *parts, size_t n_parts)
{
	size_t got_n, want_n;
	char **got = rem_lines(fx, ref, &got_n);
	char **want = want_lines(parts, n_parts, &want_n);
	bool same = got_n == want_n;

	for (size_t i = 0; same && i < want_n; i++)
		same = strcmp(want[i], got[i]) == 0;
	if (!same) {
		print_lines("want", want, want_n);
		print_lines("got", got, got_n);
	}
	lines_free(got, got_n);
	lines_free(want, want_n);
	if (!same)
		fail_msg("the reminders of %s differ", ref);
}

#define CASE1 "'reference': '2026/0001'"
/* Received on Monday 2 March 2026 at 09:00 Oslo time; the applicant consented to reminders. */
#define REGISTER1                                                                                  \
	"{" CASE1 ", 'service': 'okonomisk-stonad', 'received': '2026-03-02T09:00:00+01:00', "     \
	"'channel': 'written', 'handler': 'saksbeh-7', 'unit': 'nav-ost', "                        \
	"'contact': {'email': 'ola@example.no', 'consent': true}}"
/* Made on 10 March, reached the party on 12 March: event 2 of case 1. */
#define DECISION1                                                                                  \
	"{" CASE1 ", 'made': '2026-03-10', 'reached': '2026-03-12', 'outcome': 'avslatt', "        \
	"'written': true, 'reasoned': true}"

/*
 * What registering REGISTER1 plans: only what is next, the first stage of each deadline.
 * Processing: 14 days from Monday 2 March, Monday 16 March; its policy's first stage,
 * "before-3", 3 working days before (Fri 13, Thu 12, Wed 11): 11 March. Foreløpig svar: 1
 * month, 2 April, skjærtorsdag; langfredag, the weekend and 2. påskedag follow, so Tuesday
 * 7 April. "before-5", 5 working days before, skips 6, 5, 4, 3 and 2 April: Wed 1 April
 * (1), Tue 31 (2), Mon 30 (3), Fri 27 (4), Thu 26 March (5). The stages after them are
 * planned as each goes out (test_sending_plans_the_next).
 */
static const struct want_rem at_registration[] = {
	{ "processing", 1, "2026-03-16", "before-3", "2026-03-11", "", "2026-03-11T07:00:00Z",
	  "pending" },
	{ "preliminary_reply", 1, "2026-04-07", "before-5", "2026-03-26", "",
	  "2026-03-26T07:00:00Z", "pending" },
};

/*
 * What DECISION1 plans: the klagefrist of 3 weeks from 12 March ends 2 April, skjærtorsdag,
 * and Easter moves it to Tuesday 7 April (subject: the decision, event 2). Its policy's
 * first stage, "before-7", 7 working days before (skipping 6, 5, 4, 3 and 2 April): Wed 1
 * April (1), Tue 31 (2), Mon 30 (3), Fri 27 (4), Thu 26 (5), Wed 25 (6), Tue 24 March (7),
 * to the handler and the applicant. The applicant's share of a stage is a message of its
 * own, a series of its own, planned before the office's. The late complaint (a year) has
 * no policy.
 */
static const struct want_rem at_decision[] = {
	{ "complaint", 2, "2026-04-07", "before-7", "2026-03-24", "applicant",
	  "2026-03-24T07:00:00Z", "pending" },
	{ "complaint", 2, "2026-04-07", "before-7", "2026-03-24", "", "2026-03-24T07:00:00Z",
	  "pending" },
};

/* Registering an application plans its deadlines' reminders at the policy's stages. */
static void
test_register_plans(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	assert_recorded(&fx->last, 1);
	assert_reminders(fx, "2026/0001", (const struct part[]){ PART(at_registration, NULL) }, 1);
	assert_true(fx->d.env.reminders_changed);
}

/*
 * The decision meets the processing deadline and the foreløpig svar: their reminders, also
 * the one whose day (11 March) has passed unsent, are cancelled by the same call that
 * plans the klagefrist's.
 */
static void
test_decision_cancels_and_plans(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	assert_recorded(&fx->last, 2);
	assert_reminders(fx, "2026/0001",
			 (const struct part[]){ PART(at_registration, "cancelled"),
						PART(at_decision, NULL) },
			 2);
}

/*
 * The application reached the office on Wednesday 4 March, not on the 2nd, and was
 * registered under the wrong handler, unit and channel: corrected on 4 March (event 2
 * supersedes event 1). Processing: 14 days from Wednesday 4 March, Wednesday 18 March;
 * "before-3": Tue 17 (1), Mon 16 (2), Fri 13 March (3); "overdue" 19 March; "escalation"
 * Monday 23 March. Foreløpig svar: 1 month, Saturday 4 April; Sunday and 2. påskedag
 * follow, so Tuesday 7 April again, with the same first stage as before. The deadlines now
 * follow the corrected event (subject 2): every reminder of event 1 is cancelled, the new
 * ones are planned.
 */
static const struct want_rem at_correction[] = {
	{ "processing", 2, "2026-03-18", "before-3", "2026-03-13", "", "2026-03-13T07:00:00Z",
	  "pending" },
	{ "preliminary_reply", 2, "2026-04-07", "before-5", "2026-03-26", "",
	  "2026-03-26T07:00:00Z", "pending" },
};

#define CORRECTION1                                                                                \
	"{" CASE1 ", 'supersedes': 1, 'service': 'okonomisk-stonad', "                             \
	"'received': '2026-03-04T09:30:00+01:00', 'channel': 'digital', 'handler': 'saksbeh-9', "  \
	"'unit': 'nav-vest'}"

/* The case row as stored: its registration fields and state. */
static void
assert_case_row(struct fixture *fx, const char *handler, const char *unit, const char *received,
		const char *channel)
{
	struct store_case c = { 0 };
	char at[CAL_INSTANT_LEN];

	assert_int_equal(store_case_by_ref(fx->d.st, "2026/0001", &c), 0);
	assert_string_equal(c.service, "okonomisk-stonad");
	assert_string_equal(c.handler, handler);
	assert_string_equal(c.unit, unit);
	assert_string_equal(cal_instant_format(c.received, at), received);
	assert_string_equal(c.channel, channel);
	assert_false(c.emergency);
	assert_true(c.has_contact);
	assert_string_equal(c.state, "open");
	store_case_deinit(&c);
}

/* The stored deadline of a kind and subject is due on due. */
static void
assert_stored_due(struct fixture *fx, const char *kind, int64_t subject, const char *due)
{
	struct store_case c = { 0 };
	struct store_deadline_info d = { 0 };

	assert_int_equal(store_case_by_ref(fx->d.st, "2026/0001", &c), 0);
	assert_int_equal(store_deadline_get(fx->d.st, c.id, kind, subject, &d), 0);
	assert_string_equal(d.due, due);
	store_deadline_info_deinit(&d);
	store_case_deinit(&c);
}

static void
test_correction_moves_reminders(void **state)
{
	struct fixture *fx = *state;
	struct store_case c = { 0 };
	struct store_event *ev = NULL;
	size_t n = 0;
	json_t *old;

	callq(fx, "RegisterApplication", REGISTER1);
	assert_case_row(fx, "saksbeh-7", "nav-ost", "2026-03-02T08:00:00Z", "written");
	assert_stored_due(fx, "processing", 1, "2026-03-16");

	fx->d.now = instant("2026-03-04T10:00:00Z");
	callq(fx, "RegisterApplication", CORRECTION1);
	assert_recorded(&fx->last, 2);
	assert_case_row(fx, "saksbeh-9", "nav-vest", "2026-03-04T08:30:00Z", "digital");
	assert_stored_due(fx, "processing", 2, "2026-03-18");
	assert_stored_due(fx, "preliminary_reply", 2, "2026-04-07");
	assert_reminders(fx, "2026/0001",
			 (const struct part[]){ PART(at_registration, "cancelled"),
						PART(at_correction, NULL) },
			 2);

	/* The first version stays in the history, marked as corrected. */
	assert_int_equal(store_case_by_ref(fx->d.st, "2026/0001", &c), 0);
	assert_int_equal(store_events_of_case(fx->d.st, c.id, &ev, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].type, "received");
	assert_int_equal(ev[0].superseded_by, 2);
	assert_int_equal(ev[1].supersedes, 1);
	assert_int_equal(ev[1].superseded_by, 0);
	old = json_loads(ev[0].data, 0, NULL);
	assert_non_null(old);
	assert_string_equal(json_string_value(json_object_get(old, "handler")), "saksbeh-7");
	assert_string_equal(json_string_value(json_object_get(old, "received")),
			    "2026-03-02T08:00:00Z");
	json_decref(old);
	store_events_free(ev, n);
	store_case_deinit(&c);
}

/*
 * Forwarding, after the complaint of Saturday 21 March (event 3): within 4 weeks of its
 * receipt, Saturday 18 April, so Monday 20 April. "before-3": Fri 17 (1), Thu 16 (2), Wed
 * 15 April (3).
 */
static const struct want_rem at_complaint[] = {
	{ "forwarding", 3, "2026-04-20", "before-3", "2026-04-15", "", "2026-04-15T06:00:00Z",
	  "pending" },
};

/*
 * Refused events, after REGISTER1 and DECISION1. Each would have changed the reminders had
 * it been taken; the last three are refused by the rules engine when the case is
 * recomputed, after the event (for the fourth, the correction of event 2) and the case
 * row's update were written, so that only the rollback of the request's savepoint keeps them
 * out.
 */
static const struct {
	const char *method;
	const char *params;
	const char *message;
} refused[] = {
	/* Would move the processing deadline and rewrite the case row. */
	{ "RegisterApplication",
	  "{" CASE1 ", 'supersedes': 1, 'service': 'okonomisk-stonad', 'received': "
	  "'2026-03-11', 'channel': 'digital', 'handler': 'saksbeh-9'}",
	  "event 2 (decision, 2026-03-10) lies before the corrected 'received' (2026-03-11); "
	  "correct it first" },
	{ "RecordDecision",
	  "{" CASE1 ", 'made': '2026-03-01', 'outcome': 'avslatt', 'written': true, "
	  "'reasoned': true}",
	  "'made' (2026-03-01) is before the application was received (2026-03-02)" },
	/* Would meet the klagefrist and plan the forwarding's reminders. */
	{ "RecordComplaint", "{" CASE1 ", 'sent': '2026-03-09'}",
	  "the event does not fit the case: a date before the event it refers to, or an event "
	  "the case cannot have now" },
	/* Would move the klagefrist. */
	{ "RecordDecision",
	  "{" CASE1 ", 'supersedes': 2, 'made': '2026-03-10', 'reached': '2026-03-09', "
	  "'outcome': 'avslatt', 'written': true, 'reasoned': true}",
	  "the event does not fit the case: a date before the event it refers to, or an event "
	  "the case cannot have now" },
	{ "ConfirmDecision", "{" CASE1 ", 'confirmed': '2026-03-09'}",
	  "the event does not fit the case: a date before the event it refers to, or an event "
	  "the case cannot have now" },
};

/* The case has n events, none of them corrected, and its row was last updated at updated. */
static void
assert_events(struct fixture *fx, size_t n, const char *updated)
{
	struct store_case c = { 0 };
	struct store_event *ev = NULL;
	size_t got = 0;
	char at[CAL_INSTANT_LEN];

	assert_int_equal(store_case_by_ref(fx->d.st, "2026/0001", &c), 0);
	assert_string_equal(cal_instant_format(c.updated, at), updated);
	assert_int_equal(store_events_of_case(fx->d.st, c.id, &ev, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(ev[i].superseded_by, 0);
	store_events_free(ev, got);
	store_case_deinit(&c);
}

/* A refused event leaves the outbox, the events and the case row as they were. */
static void
test_refused_writes_nothing(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	fx->d.now = instant("2026-03-13T12:00:00Z");
	for (size_t i = 0; i < FV_ARRAY_SIZE(refused); i++) {
		callq(fx, refused[i].method, refused[i].params);
		assert_error(&fx->last, "no.fristvakt.OutOfOrder");
		assert_string_equal(json_string_value(json_object_get(fx->last.params, "message")),
				    refused[i].message);
		assert_reminders(fx, "2026/0001",
				 (const struct part[]){ PART(at_registration, "cancelled"),
							PART(at_decision, NULL) },
				 2);
		assert_events(fx, 2, "2026-03-12T12:00:00Z");
		assert_case_row(fx, "saksbeh-7", "nav-ost", "2026-03-02T08:00:00Z", "written");
	}
}

/*
 * In one loop turn (one transaction, a savepoint per request) a complaint is recorded, then
 * a correction of the decision is refused: the complaint's changes to the outbox stand
 * (the klagefrist's reminders cancelled, the forwarding's planned), the refused one's do
 * not.
 */
static void
test_refused_beside_recorded(void **state)
{
	struct fixture *fx = *state;
	struct ops_req req[2];
	struct reply r[2] = { 0 };

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	fx->d.now = instant("2026-03-21T12:00:00Z");
	dispatch(fx, &req[0], &r[0], "RecordComplaint", "{" CASE1 ", 'sent': '2026-03-21'}");
	dispatch(fx, &req[1], &r[1], refused[3].method, refused[3].params);
	ops_commit(&fx->d.env);
	assert_int_equal(r[0].count, 1);
	assert_int_equal(r[1].count, 1);
	assert_recorded(&r[0], 3);
	assert_error(&r[1], "no.fristvakt.OutOfOrder");
	assert_reminders(fx, "2026/0001",
			 (const struct part[]){ PART(at_registration, "cancelled"),
						PART(at_decision, "cancelled"),
						PART(at_complaint, NULL) },
			 3);
	assert_events(fx, 3, "2026-03-21T12:00:00Z");
	for (size_t i = 0; i < 2; i++) {
		json_decref(r[i].params);
		json_decref(req[i].params);
	}
}

/*
 * Each reminder of the processing deadline of REGISTER1 (Monday 16 March) sent at an
 * instant, and the next one that sending plans: its stage, day and instant. The policy:
 * "before-3" (11 March), "due" on the day, "overdue" from the day after and daily,
 * "escalation" 5 calendar days after (Saturday 21 March) and weekly. Two stages due at
 * the same instant go in the policy's order, one after the other. A reminder sent late (as
 * after the daemon was down) plans the latest occurrence of a repeating stage that is less
 * than a day old, at once, not the next day's.
 */
static const struct {
	const char *sent_at;
	const char *stage, *occurrence, *planned;
} series[] = {
	{ "2026-03-11T07:00:00Z", "due", "2026-03-16", "2026-03-16T07:00:00Z" },
	{ "2026-03-16T07:00:00Z", "overdue", "2026-03-17", "2026-03-17T07:00:00Z" },
	{ "2026-03-17T07:00:00Z", "overdue", "2026-03-18", "2026-03-18T07:00:00Z" },
	/* Sent two days late, at 11:00 on Friday 20 March: that morning's, at once. */
	{ "2026-03-20T10:00:00Z", "overdue", "2026-03-20", "2026-03-20T07:00:00Z" },
	{ "2026-03-20T10:00:00Z", "overdue", "2026-03-21", "2026-03-21T07:00:00Z" },
	{ "2026-03-21T07:00:00Z", "escalation", "2026-03-21", "2026-03-21T07:00:00Z" },
	{ "2026-03-21T07:00:00Z", "overdue", "2026-03-22", "2026-03-22T07:00:00Z" },
	/* Six days late: both stages' occurrences of Saturday 28 March, in the policy's order. */
	{ "2026-03-28T07:30:00Z", "overdue", "2026-03-28", "2026-03-28T07:00:00Z" },
	{ "2026-03-28T07:30:00Z", "escalation", "2026-03-28", "2026-03-28T07:00:00Z" },
	{ "2026-03-28T07:30:00Z", "overdue", "2026-03-29", "2026-03-29T06:00:00Z" },
};

/* The one pending reminder of kind in case 2026/0001 (owned). */
static struct store_reminder
pending_of(struct fixture *fx, const char *kind)
{
	struct store_reminder_filter f = { .ref = "2026/0001", .state = "pending", .limit = 100 };
	struct store_reminder *v = NULL, r = { 0 };
	int64_t next = 0;
	size_t n = 0, found = 0;

	assert_int_equal(store_reminders_list(fx->d.st, &f, &v, &n, &next), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].kind, kind) == 0) {
			store_reminder_deinit(&r);
			r = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			found++;
		}
	}
	store_reminders_free(v, n);
	if (found != 1)
		fail_msg("%zu pending %s reminders, want 1", found, kind);
	return r;
}

/* Sending a reminder plans the next of its deadline's series, in the same transaction. */
static void
test_sending_plans_the_next(void **state)
{
	struct fixture *fx = *state;
	const struct ops_delivery ok = { .status = OPS_DELIVERY_OK,
					 .code = 200,
					 .retry_after = -1 };

	callq(fx, "RegisterApplication", REGISTER1);
	for (size_t i = 0; i < FV_ARRAY_SIZE(series); i++) {
		struct store_reminder r = pending_of(fx, "processing");
		char planned[CAL_INSTANT_LEN];

		fx->d.now = instant(series[i].sent_at);
		assert_int_equal(ops_remind_result(&fx->d.env, r.id, &ok, fx->d.now), 0);
		ops_commit(&fx->d.env);
		store_reminder_deinit(&r);
		r = pending_of(fx, "processing");
		print_message("sent at %s: next %s %s\n", series[i].sent_at, r.stage, r.occurrence);
		assert_string_equal(r.stage, series[i].stage);
		assert_string_equal(r.occurrence, series[i].occurrence);
		assert_string_equal(cal_instant_format(r.planned, planned), series[i].planned);
		store_reminder_deinit(&r);
	}
	/* The foreløpig svar's series waits for its own first stage, untouched. */
	{
		struct store_reminder r = pending_of(fx, "preliminary_reply");

		assert_string_equal(r.stage, "before-5");
		store_reminder_deinit(&r);
	}
}

/* ---- The outbox over weeks: the scheduler's part played by the test ----------------- */

static const struct ops_delivery delivered = { .status = OPS_DELIVERY_OK,
					       .code = 200,
					       .retry_after = -1 };
static const struct ops_delivery bounced = {
	.status = OPS_DELIVERY_RETRY, .code = 550, .retry_after = -1, .detail = "550 no such user"
};

/* The reminders of case 2026/0001 in state (NULL: all), newest first (owned, *n of them). */
static struct store_reminder *
reminders_of(struct fixture *fx, const char *state, size_t *n)
{
	struct store_reminder_filter f = { .ref = "2026/0001", .state = state, .limit = 1000 };
	struct store_reminder *v = NULL;
	int64_t next = 0;

	assert_int_equal(store_reminders_list(fx->d.st, &f, &v, n, &next), 0);
	assert_int_equal(next, 0);
	return v;
}

/*
 * Plays the scheduler from from to to in steps of ten minutes, except while held (from
 * hold_from to hold_to: the daemon down, or the channel held): every reminder due is
 * checked for being outdated and skipped, or attempted: refused when its stage is
 * fail_stage (a bouncing address), delivered otherwise.
 */
static void
play(struct fixture *fx, const char *from, const char *to, const char *hold_from,
     const char *hold_to, const char *fail_stage)
{
	for (int64_t t = instant(from); t <= instant(to); t += 600) {
		if (hold_from && t >= instant(hold_from) && t < instant(hold_to))
			continue;
		fx->d.now = t;
		for (int s = 0; s < 2; s++) {
			size_t n;
			struct store_reminder *v = reminders_of(fx, s ? "failed" : "pending", &n);

			for (size_t i = 0; i < n; i++) {
				const struct ops_delivery *dl = &delivered;
				char why[256];

				if (v[i].not_before > t)
					continue;
				if (ops_remind_outdated(&fx->d.env, &v[i], t, why, sizeof(why)) >
				    0) {
					assert_int_equal(
						ops_remind_skip(&fx->d.env, v[i].id, why, t), 0);
				} else {
					if (fail_stage && strcmp(v[i].stage, fail_stage) == 0)
						dl = &bounced;
					assert_int_equal(
						ops_remind_result(&fx->d.env, v[i].id, dl, t), 0);
				}
				ops_commit(&fx->d.env);
			}
			store_reminders_free(v, n);
		}
	}
}

/* How many reminders of kind processing at stage, for occurrence (NULL: any), are in state. */
static size_t
count_stage(struct fixture *fx, const char *stage, const char *occurrence, const char *state)
{
	size_t n, k = 0;
	struct store_reminder *v = reminders_of(fx, state, &n);

	for (size_t i = 0; i < n; i++) {
		k += strcmp(v[i].kind, "processing") == 0 && strcmp(v[i].stage, stage) == 0 &&
		     (!occurrence || strcmp(v[i].occurrence, occurrence) == 0);
	}
	store_reminders_free(v, n);
	return k;
}

/*
 * The handler's address bounces: every "overdue" reminder to the handler is refused and
 * retried until it is dead (3 days). Each is still planned on its day, and the escalation
 * to the unit and its leader goes out on its days all the same: Saturday 21 and 28 March,
 * then every Saturday (the stage is weekly, and does not wait for a working day). A
 * reminder being retried does not hold back the stages after it.
 */
static void
test_failing_reminder_holds_nothing_back(void **state)
{
	static const char *const saturdays[] = { "2026-03-21", "2026-03-28", "2026-04-04",
						 "2026-04-11", "2026-04-18" };
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	play(fx, "2026-03-11T07:00:00Z", "2026-04-20T00:00:00Z", NULL, NULL, "overdue");
	for (size_t i = 0; i < FV_ARRAY_SIZE(saturdays); i++)
		assert_int_equal(count_stage(fx, "escalation", saturdays[i], "sent"), 1);
	assert_int_equal(count_stage(fx, "escalation", NULL, NULL), 5);
	/* Every day's overdue from 17 March to 20 April (that one planned on the 19th, when
	 * the one before it was first tried), none sent, none twice. */
	assert_int_equal(count_stage(fx, "overdue", NULL, NULL), 35);
	assert_int_equal(count_stage(fx, "overdue", NULL, "sent"), 0);
	assert_int_equal(count_stage(fx, "overdue", "2026-03-17", "dead"), 1);
	assert_int_equal(count_stage(fx, "overdue", "2026-04-20", "pending"), 1);
}

/*
 * Nothing goes out from 15 March to 11:00 on 25 March (the daemon down, or the channel
 * held). Then: the "due" reminder of 16 March is recorded as not sent (what it says is
 * no longer true), the escalation of Saturday 21 March goes out at once, and the overdue
 * reminder of that morning; then one a day again. No stage that fell due in the gap is
 * passed over, and none goes out twice.
 */
static void
test_stages_missed_in_a_gap_come_after_it(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	play(fx, "2026-03-11T07:00:00Z", "2026-03-29T09:00:00Z", "2026-03-15T00:00:00Z",
	     "2026-03-25T10:00:00Z", NULL);
	assert_int_equal(count_stage(fx, "due", "2026-03-16", "cancelled"), 1);
	assert_int_equal(count_stage(fx, "escalation", "2026-03-21", "sent"), 1);
	assert_int_equal(count_stage(fx, "escalation", "2026-03-28", "sent"), 1);
	assert_int_equal(count_stage(fx, "overdue", "2026-03-25", "sent"), 1);
	assert_int_equal(count_stage(fx, "overdue", "2026-03-29", "sent"), 1);
	/* Nothing of the gap's days but the escalation: the overdue of that morning stands
	 * for the days before it. */
	assert_int_equal(count_stage(fx, "overdue", "2026-03-20", NULL), 0);
	assert_int_equal(count_stage(fx, "overdue", NULL, "sent"), 5);
}

/*
 * Documentation asked for on 9 March, to be sent by 23 March: the processing norm stands
 * still meanwhile (okonomisk-stonad pauses), so its last day moves from 16 to 30 March
 * (16 March plus the 14 days of the pause; Monday). The case is brought up to date before
 * each reminder goes out, so none speaks of a day that is no longer the last: "before-3"
 * once, "due" on 30 March, "overdue" from 31 March, and no escalation by then.
 */
static void
test_a_running_pause_moves_the_reminders(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-09T08:00:00Z");
	callq(fx, "RequestDocumentation",
	      "{" CASE1 ", 'requested': '2026-03-09', 'due': '2026-03-23'}");
	assert_recorded(&fx->last, 2);
	play(fx, "2026-03-09T08:00:00Z", "2026-03-31T09:00:00Z", NULL, NULL, NULL);
	/* One "before-3", for the last day as it stands once the pause is over: Wednesday
	 * 25 March, 3 working days before Monday 30 March. While the pause ran, each earlier
	 * one was cancelled when it was about to go out, its day having moved. */
	assert_int_equal(count_stage(fx, "before-3", NULL, "sent"), 1);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-25", "sent"), 1);
	assert_int_equal(count_stage(fx, "due", NULL, "sent"), 1);
	assert_int_equal(count_stage(fx, "due", "2026-03-30", "sent"), 1);
	assert_int_equal(count_stage(fx, "overdue", NULL, "sent"), 1);
	assert_int_equal(count_stage(fx, "overdue", "2026-03-31", "sent"), 1);
	assert_int_equal(count_stage(fx, "escalation", NULL, NULL), 0);
	assert_stored_due(fx, "processing", 1, "2026-03-30");
}

/*
 * The before-3 reminder is handed to its channel; meanwhile the decision meets the
 * deadline and cancels it; then the attempt fails. The attempt is recorded, the reminder
 * stays cancelled (it is not brought back to be retried), and nothing more is planned.
 */
static void
test_cancelled_in_flight_stays_cancelled(void **state)
{
	struct fixture *fx = *state;
	struct store_reminder r;
	size_t n;
	struct store_reminder *v;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-11T07:00:00Z");
	r = pending_of(fx, "processing");
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'made': '2026-03-11', 'reached': '2026-03-11', 'outcome': "
	      "'innvilget', 'written': true, 'reasoned': true}");
	assert_int_equal(ops_remind_result(&fx->d.env, r.id, &bounced, fx->d.now), 0);
	ops_commit(&fx->d.env);
	store_reminder_deinit(&r);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-11", "cancelled"), 1);
	v = reminders_of(fx, "failed", &n);
	store_reminders_free(v, n);
	assert_int_equal(n, 0);
	assert_int_equal(count_stage(fx, "due", NULL, NULL), 0);
}

/* The same, but the receiver answered 410 Gone: the reminder stays cancelled, and the
 * channel is disabled all the same (the receiver is gone for the others too). */
static void
test_gone_in_flight_disables_the_channel(void **state)
{
	static const struct ops_delivery gone = {
		.status = OPS_DELIVERY_GONE, .code = 410, .retry_after = -1, .detail = "HTTP 410"
	};
	struct fixture *fx = *state;
	struct store_reminder r;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-11T07:00:00Z");
	r = pending_of(fx, "processing");
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'made': '2026-03-11', 'reached': '2026-03-11', 'outcome': "
	      "'innvilget', 'written': true, 'reasoned': true}");
	assert_int_equal(ops_remind_result(&fx->d.env, r.id, &gone, fx->d.now), 0);
	ops_commit(&fx->d.env);
	assert_int_equal(store_channel_disabled(fx->d.st, r.channel), 1);
	store_reminder_deinit(&r);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-11", "cancelled"), 1);
}

/*
 * Documentation asked for on 9 March: on 11 March the "before-3" reminder (for 16 March) is
 * about to go out when the pause has moved the last day to 18 March, so it is cancelled
 * and planned for 13 March. Then the documents turn out to have arrived on 9 March: the
 * pause was nothing, the last day is 16 March again, and the "before-3" of 11 March is
 * wanted once more, less than a day late: it goes out (the cancelled one made pending
 * again, with its id, since it was never tried), once.
 */
static void
test_a_stage_cancelled_for_a_move_comes_back(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-09T08:00:00Z");
	callq(fx, "RequestDocumentation",
	      "{" CASE1 ", 'requested': '2026-03-09', 'due': '2026-03-23'}");
	play(fx, "2026-03-09T08:00:00Z", "2026-03-11T07:10:00Z", NULL, NULL, NULL);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-11", "cancelled"), 1);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-13", "pending"), 1);
	fx->d.now = instant("2026-03-11T08:00:00Z");
	callq(fx, "ReceiveDocumentation", "{" CASE1 ", 'received': '2026-03-09', 'request': 2}");
	assert_recorded(&fx->last, 3);
	play(fx, "2026-03-11T08:00:00Z", "2026-03-17T09:00:00Z", NULL, NULL, NULL);
	assert_stored_due(fx, "processing", 1, "2026-03-16");
	assert_int_equal(count_stage(fx, "before-3", NULL, "sent"), 1);
	assert_int_equal(count_stage(fx, "before-3", "2026-03-11", "sent"), 1);
	assert_int_equal(count_stage(fx, "due", "2026-03-16", "sent"), 1);
	assert_int_equal(count_stage(fx, "overdue", "2026-03-17", "sent"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decision_cancels_and_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sending_plans_the_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_reminder_holds_nothing_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stages_missed_in_a_gap_come_after_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_running_pause_moves_the_reminders, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_in_flight_stays_cancelled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gone_in_flight_disables_the_channel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_stage_cancelled_for_a_move_comes_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_correction_moves_reminders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_beside_recorded, setup, teardown),
	};

	setenv("TZ", "Europe/Oslo", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
