// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_ops: the case operations on a real database (SQLite in a temporary directory) with
 * the shipped rules (etc/rules.conf), called through the server's method table as a case
 * system calls them: the check of an event's parameters with its exact messages,
 * recording, corrections (supersedes), event_id replays, the recompute after an event and
 * ImportEvents. What is asserted is what a case worker reads: the deadlines' due dates and
 * states, the events in force. Every date was counted by hand (domstolloven §§ 148-149;
 * 2026's Easter: skjærtorsdag 2 April to 2. påskedag 6 April).
 */
#include <errno.h>
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
#include "core/proto.h"
#include "core/rules.h"
#include "ops/ops.h"
#include "server/dispatch.h"
#include "store/store.h"

#include "daemon_fixture.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

/* A daemon without a socket: the configuration, the database and the env around them. */
struct fixture {
	struct daemon_fixture d;
	struct conf conf;
	/* The last reply. */
	int replies;
	const char *error;
	json_t *params;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct diag err;

	assert_non_null(fx);
	if (conf_load_rules(FV_SOURCE_DIR "/etc/rules.conf", &fx->conf.rules, &err) < 0)
		fail_msg("etc/rules.conf: %s", err.text);
	fx->conf.timezone = "Europe/Oslo";
	fx->conf.reminders.channel = "log";
	daemon_fixture_open(&fx->d, "ops", &fx->conf);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	json_decref(fx->params);
	daemon_fixture_close(&fx->d);
	rules_free(fx->conf.rules);
	free(fx);
	return 0;
}

static void
capture(struct ops_req *req, const char *error, json_t *params)
{
	struct fixture *fx = req->data;

	json_decref(fx->params);
	fx->replies++;
	fx->error = error;
	fx->params = params;
}

/*
 * Calls method (its short name in no.fristvakt) with params (JSON text) as an
 * administrator, through the method table, and commits: the reply is then in fx.
 */
static void
call(struct fixture *fx, const char *method, const char *params)
{
	json_error_t jerr;
	struct ops_req req;
	int before = fx->replies;

	daemon_fixture_request(&fx->d, &req, method, capture, fx);
	req.params = json_loads(params, 0, &jerr);
	if (!req.params)
		fail_msg("test parameters of %s: %s", method, jerr.text);
	dispatch_call(&fx->d.env, &req);
	ops_commit(&fx->d.env);
	assert_int_equal(fx->replies, before + 1);
	json_decref(req.params);
}

/* Calls with parameters in the quoting of json_of(). */
static void
callq(struct fixture *fx, const char *method, const char *params)
{
	json_t *v = json_of(params);
	char *text = json_dumps(v, JSON_COMPACT);

	call(fx, method, text);
	free(text);
	json_decref(v);
}

/* Asserts the last reply is the error (and, when given, the parameter and message). */
static void
assert_error(struct fixture *fx, const char *error, const char *param, const char *message)
{
	if (!fx->error || strcmp(fx->error, error) != 0) {
		char *got = json_dumps(fx->params, JSON_COMPACT);

		fail_msg("want %s, got %s %s", error, fx->error ? fx->error : "success", got);
	}
	if (param)
		assert_string_equal(json_string_value(json_object_get(fx->params, "parameter")),
				    param);
	if (message)
		assert_string_equal(json_string_value(json_object_get(fx->params, "message")),
				    message);
}

static json_t *
recorded(struct fixture *fx)
{
	json_t *r = json_object_get(fx->params, "recorded");

	if (fx->error || !r) {
		char *got = json_dumps(fx->params, JSON_COMPACT);

		fail_msg("want Recorded, got %s %s", fx->error ? fx->error : "success", got);
	}
	return r;
}

/* One deadline as a case worker reads it; NULL: the member is null. */
struct want {
	const char *kind;
	int64_t subject;
	const char *state;
	const char *due;
	const char *met_on;
};

static void
assert_string_or_null(json_t *row, const char *key, const char *want)
{
	json_t *v = json_object_get(row, key);

	if (!want) {
		if (!json_is_null(v))
			fail_msg("%s: want null, got %s", key, json_string_value(v));
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fail_msg("%s %s: want %s, got %s", json_string_value(json_object_get(row, "kind")),
			 key, want, json_is_string(v) ? json_string_value(v) : "null");
}

/* The deadlines (a JSON array) are exactly want, in that order. */
static void
assert_deadlines(json_t *deadlines, const struct want *want, size_t n)
{
	assert_true(json_is_array(deadlines));
	if (json_array_size(deadlines) != n)
		fail_msg("want %zu deadlines, got %zu", n, json_array_size(deadlines));
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(deadlines, i);

		assert_string_or_null(row, "kind", want[i].kind);
		assert_int_equal(json_integer_value(json_object_get(row, "subject")),
				 want[i].subject);
		assert_string_or_null(row, "state", want[i].state);
		assert_string_or_null(row, "due", want[i].due);
		if (json_object_get(row, "met_on"))
			assert_string_or_null(row, "met_on", want[i].met_on);
	}
}

#define CASE1 "'reference': '2026/0001'"
#define REGISTER1                                                                                  \
	"{" CASE1 ", 'service': 'okonomisk-stonad', 'received': '2026-03-02T09:00:00+01:00', "     \
	"'channel': 'written'}"
/* Made on 10 March, reached the party on 12 March: event 2 of case 1. */
#define DECISION1                                                                                  \
	"{" CASE1 ", 'made': '2026-03-10', 'reached': '2026-03-12', 'outcome': 'avslatt', "        \
	"'written': true, 'reasoned': true}"

/*
 * The parameters of the event methods, checked without a store: each refusal names its
 * parameter with the exact message the daemon sends.
 */
static const struct {
	const char *method;
	const char *params;
	const char *parameter;
	const char *message;
} bad_params[] = {
	{ "RegisterApplication",
	  "{'reference': 'a b', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written'}",
	  "reference",
	  "'reference' must be 1-64 letters, digits and -_./: (the case system's reference, "
	  "never a name or an identity number)" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-32', "
	  "'channel': 'written'}",
	  "received",
	  "'received' must be an RFC 3339 time such as 2026-03-02T09:15:00Z or a date "
	  "YYYY-MM-DD (invalid)" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-05', "
	  "'channel': 'written'}",
	  "received", "'received' lies in the future" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'fax'}",
	  "channel", "'channel' must be one of [\"written\",\"oral\",\"digital\"]" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'handler': ''}",
	  "handler", "'handler' must be 1-64 characters without control characters" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'contact': {'email': 'ola@example.no', 'consent': false}}",
	  "contact",
	  "contact details may be stored only with the applicant's consent; leave 'contact' "
	  "out" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'contact': {'consent': true}}",
	  "contact", "contact needs 'email' or 'phone'" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'contact': {'email': 'ola', 'consent': true}}",
	  "contact", "contact 'email' is not an e-mail address" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'contact': {'phone': '12ab', 'consent': true}}",
	  "contact", "contact 'phone' may hold only digits, spaces and '+'" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'event_id': ''}",
	  "event_id", "'event_id' must be 1-128 printable characters" },
	{ "RegisterApplication",
	  "{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': '2026-03-02', "
	  "'channel': 'written', 'supersedes': 0}",
	  "supersedes", "'supersedes' must be an event id (> 0)" },
	{ "RecordPreliminaryReply",
	  "{'reference': 'K-1', 'sent': '2026-03-02', 'promised': '2026-03-01'}", "promised",
	  "'promised' (2026-03-01) is before 'sent' (2026-03-02)" },
	{ "RecordDecision",
	  "{'reference': 'K-1', 'made': '2026-03-02', 'outcome': 'ja', 'written': true, "
	  "'reasoned': true}",
	  "outcome",
	  "'outcome' must be one of [\"innvilget\",\"delvis_innvilget\",\"avslatt\",\"avvist\"]" },
	{ "RecordDecision",
	  "{'reference': 'K-1', 'made': '2026-03-02', 'outcome': 'avslatt', 'written': true, "
	  "'reasoned': true, 'made_available': '2026-03-02'}",
	  "notice_sent", "digital delivery needs both 'made_available' and 'notice_sent'" },
	{ "RecordDecision",
	  "{'reference': 'K-1', 'made': '2026-03-02', 'outcome': 'avslatt', 'written': true, "
	  "'reasoned': true, 'reached': '2026-03-02', 'made_available': '2026-03-02', "
	  "'notice_sent': '2026-03-02'}",
	  "reached", "give either 'reached' or 'made_available' with 'notice_sent', not both" },
	{ "RecordDecision",
	  "{'reference': 'K-1', 'made': '2026-03-02', 'outcome': 'innvilget', 'written': true, "
	  "'reasoned': true, 'need_hours': 200}",
	  "need_hours", "'need_hours' must be a whole number 0-168" },
	{ "ExtendDeadline",
	  "{'reference': 'K-1', 'kind': 'snart', 'until': '2026-04-01', 'reason': 'sykdom'}",
	  "kind",
	  "'kind' must be a deadline kind: processing, preliminary_reply, documentation, "
	  "complaint, late_complaint, forwarding or promised" },
	{ "ExtendDeadline",
	  "{'reference': 'K-1', 'kind': 'processing', 'until': '2026-02-30', 'reason': 'sykdom'}",
	  "until", "'until' must be a date YYYY-MM-DD (no such date)" },
	{ "ExtendDeadline",
	  "{'reference': 'K-1', 'kind': 'processing', 'until': '2026-04-01', 'reason': 'a\\tb'}",
	  "reason", "'reason' must be non-empty text without control characters" },
	{ "ExtendDeadline",
	  "{'reference': 'K-1', 'kind': 'processing', 'until': '2026-04-01', 'reason': 'sykdom', "
	  "'subject': 0}",
	  "subject", "'subject' must be an event id (> 0)" },
	{ "GiveReasons", "{'reference': 'K-1', 'reached': '2026-03-02', 'decision': -1}",
	  "decision", "'decision' must be an event id (> 0)" },
};

static void
test_validate_refusals(void **state)
{
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(bad_params) / sizeof(bad_params[0]); i++) {
		char method[128], *want_text, *got_text;
		json_t *params = json_of(bad_params[i].params), *data = (json_t *)1, *want, *why;
		enum ops_error error;
		int ret;

		snprintf(method, sizeof(method), IFACE_FRISTVAKT ".%s", bad_params[i].method);
		ret = ops_case_validate(&fx->conf, method, params, fx->d.now, &data, &error, &why);
		want = json_pack("{ss ss}", "parameter", bad_params[i].parameter, "message",
				 bad_params[i].message);
		want_text = json_dumps(want, JSON_COMPACT);
		got_text = why ? json_dumps(why, JSON_COMPACT) : NULL;
		if (ret != -EINVAL || error != OPS_ERR_INVALID_PARAMETER || !got_text ||
		    strcmp(got_text, want_text) != 0)
			fail_msg("row %zu (%s): want %s, got %d (error %d) %s", i,
				 bad_params[i].method, want_text, ret, (int)error,
				 got_text ? got_text : "");
		assert_null(data);
		free(want_text);
		free(got_text);
		json_decref(why);
		json_decref(want);
		json_decref(params);
	}
}

static void
test_validate_accepts(void **state)
{
	struct fixture *fx = *state;
	enum ops_error error;
	json_t *params, *data, *why;
	char *text;

	/* A date means the start of that day in Oslo (UTC+1 in March); contact is not data. */
	params = json_of("{'reference': 'K-1', 'service': 'okonomisk-stonad', 'received': "
			 "'2026-03-02', 'channel': 'oral', 'handler': 'saksbeh-7', 'event_id': "
			 "'sak-1', 'contact': {'phone': '+47 22 00 00 00', 'consent': true}}");
	assert_int_equal(ops_case_validate(&fx->conf, IFACE_FRISTVAKT ".RegisterApplication",
					   params, fx->d.now, &data, &error, &why),
			 0);
	assert_int_equal(error, OPS_OK);
	assert_null(why);
	text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"channel\":\"oral\",\"handler\":\"saksbeh-7\",\"received\":"
				  "\"2026-03-01T23:00:00Z\",\"service\":\"okonomisk-stonad\"}");
	free(text);
	json_decref(data);
	json_decref(params);

	/* An unknown service names the services there are. */
	params = json_of("{'reference': 'K-1', 'service': 'hagearbeid', 'received': "
			 "'2026-03-02', 'channel': 'written'}");
	assert_int_equal(ops_case_validate(&fx->conf, IFACE_FRISTVAKT ".RegisterApplication",
					   params, fx->d.now, &data, &error, &why),
			 -EINVAL);
	assert_int_equal(error, OPS_ERR_UNKNOWN_SERVICE);
	text = json_dumps(why, JSON_COMPACT);
	assert_non_null(strstr(text, "{\"service\":\"hagearbeid\","
				     "\"known\":[\"okonomisk-stonad\",\"nodhjelp\","));
	free(text);
	json_decref(why);
	json_decref(params);

	/* A method that records no event. */
	params = json_object();
	assert_int_equal(ops_case_validate(&fx->conf, IFACE_FRISTVAKT ".GetCase", params, fx->d.now,
					   &data, &error, &why),
			 -ENOENT);
	assert_null(data);
	assert_null(why);
	json_decref(params);
}

/*
 * Registered on Monday 2 March 2026: processing 14 days (the municipal norm) to Monday 16
 * March; a foreløpig svar within 1 month, 2 April, is skjærtorsdag, and Easter moves it
 * to Tuesday 7 April. The decision of 10 March meets both; it reached the party on 12
 * March, so the klagefrist of 3 weeks ends 2 April, again moved to 7 April; a late
 * complaint is possible until a year after the decision was made, 10 March 2027.
 */
static void
test_record_and_recompute(void **state)
{
	static const struct want registered[] = {
		{ "processing", 1, "open", "2026-03-16", NULL },
		{ "preliminary_reply", 1, "open", "2026-04-07", NULL },
	};
	static const struct want decided[] = {
		{ "processing", 1, "met", "2026-03-16", "2026-03-10" },
		{ "preliminary_reply", 1, "met", "2026-04-07", "2026-03-10" },
		{ "complaint", 2, "open", "2026-04-07", NULL },
		{ "late_complaint", 2, "open", "2027-03-10", NULL },
	};
	struct fixture *fx = *state;
	json_t *r;

	callq(fx, "RegisterApplication", REGISTER1);
	r = recorded(fx);
	assert_int_equal(json_integer_value(json_object_get(r, "event")), 1);
	assert_false(json_is_true(json_object_get(r, "duplicate")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r, "case"), "received")),
		"2026-03-02T08:00:00Z");
	assert_deadlines(json_object_get(r, "deadlines"), registered, 2);

	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	r = recorded(fx);
	assert_int_equal(json_integer_value(json_object_get(r, "event")), 2);
	assert_deadlines(json_object_get(r, "deadlines"), decided, 4);

	/* What was stored is what GetCase computes again. */
	callq(fx, "GetCase", "{" CASE1 "}");
	assert_null(fx->error);
	assert_deadlines(json_object_get(fx->params, "deadlines"), decided, 4);
	assert_int_equal(json_array_size(json_object_get(fx->params, "events")), 2);

	/*
	 * A complaint sent on Saturday 21 March meets the klagefrist and the outer limit; it
	 * is forwarded within 4 weeks of its receipt (here the day it was sent): 18 April is
	 * a Saturday, so Monday 20 April.
	 */
	fx->d.now = instant("2026-03-21T12:00:00Z");
	callq(fx, "RecordComplaint", "{" CASE1 ", 'sent': '2026-03-21'}");
	r = recorded(fx);
	{
		static const struct want complained[] = {
			{ "processing", 1, "met", "2026-03-16", "2026-03-10" },
			{ "preliminary_reply", 1, "met", "2026-04-07", "2026-03-10" },
			{ "complaint", 2, "met", "2026-04-07", "2026-03-21" },
			{ "late_complaint", 2, "met", "2027-03-10", "2026-03-21" },
			{ "forwarding", 3, "open", "2026-04-20", NULL },
		};

		assert_deadlines(json_object_get(r, "deadlines"), complained, 5);
	}
}

/*
 * A correction (supersedes) of the decision: it reached the party on Friday 20 March, not
 * on the 12th, so the klagefrist runs to Friday 10 April. The correction stands where the
 * decision stood; the deadlines follow it (subject 3, the current version).
 */
static void
test_supersede(void **state)
{
	static const struct want corrected[] = {
		{ "processing", 1, "met", "2026-03-16", "2026-03-10" },
		{ "preliminary_reply", 1, "met", "2026-04-07", "2026-03-10" },
		{ "complaint", 3, "open", "2026-04-10", NULL },
		{ "late_complaint", 3, "open", "2027-03-10", NULL },
	};
	struct fixture *fx = *state;
	json_t *events, *e2, *e3;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-21T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'supersedes': 2, 'made': '2026-03-10', 'reached': '2026-03-20', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_int_equal(json_integer_value(json_object_get(recorded(fx), "event")), 3);
	assert_deadlines(json_object_get(recorded(fx), "deadlines"), corrected, 4);

	callq(fx, "GetCase", "{" CASE1 "}");
	events = json_object_get(fx->params, "events");
	e2 = json_array_get(events, 1);
	e3 = json_array_get(events, 2);
	assert_int_equal(json_integer_value(json_object_get(e2, "superseded_by")), 3);
	assert_int_equal(json_integer_value(json_object_get(e3, "supersedes")), 2);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(e3, "data"), "reached")),
		"2026-03-19T23:00:00Z");

	/* A version corrected already is not corrected again; nor is an event of another type. */
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'supersedes': 2, 'made': '2026-03-10', 'reached': '2026-03-13', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_error(fx, "no.fristvakt.OutOfOrder", NULL,
		     "event 2 was already corrected by event 3");
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'supersedes': 1, 'made': '2026-03-10', 'reached': '2026-03-13', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_error(fx, "no.fristvakt.EventNotFound", NULL,
		     "'supersedes': event 1 is not a decision event of this case");
	/* Nothing of the refused calls stayed. */
	callq(fx, "GetCase", "{" CASE1 "}");
	assert_int_equal(json_array_size(json_object_get(fx->params, "events")), 3);
	assert_deadlines(json_object_get(fx->params, "deadlines"), corrected, 4);
}

/* An event sent again with its event_id is answered with the first; another under it fails. */
static void
test_replay(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'event_id': 'vedtak-17', 'made': '2026-03-10', 'reached': '2026-03-12', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_int_equal(json_integer_value(json_object_get(recorded(fx), "event")), 2);
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'event_id': 'vedtak-17', 'made': '2026-03-10', 'reached': '2026-03-12', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_int_equal(json_integer_value(json_object_get(recorded(fx), "event")), 2);
	assert_true(json_is_true(json_object_get(recorded(fx), "duplicate")));
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'event_id': 'vedtak-17', 'made': '2026-03-11', 'reached': '2026-03-12', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}");
	assert_error(fx, "no.fristvakt.EventConflict", NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(fx->params, "event_id")),
			    "vedtak-17");
	/* The same application registered again is the same case. */
	callq(fx, "RegisterApplication", REGISTER1);
	assert_int_equal(json_integer_value(json_object_get(recorded(fx), "event")), 1);
	assert_true(json_is_true(json_object_get(recorded(fx), "duplicate")));
}

/* What a case refuses, each with the message the case worker sees. */
static void
test_refusals(void **state)
{
	struct fixture *fx = *state;

	callq(fx, "RegisterApplication", REGISTER1);
	callq(fx, "RegisterApplication",
	      "{" CASE1 ", 'service': 'okonomisk-stonad', 'received': '2026-03-02T09:00:00+01:00', "
	      "'channel': 'oral'}");
	assert_error(fx, "no.fristvakt.CaseConflict", NULL,
		     "case 2026/0001 is registered with another 'channel'; to change it, record a "
		     "correction instead: RegisterApplication with 'supersedes' naming the case's "
		     "received event");
	callq(fx, "RecordDecision",
	      "{'reference': '2026/9999', 'made': '2026-03-02', 'outcome': 'avslatt', 'written': "
	      "true, 'reasoned': true}");
	assert_error(fx, "no.fristvakt.CaseNotFound", NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(fx->params, "reference")),
			    "2026/9999");
	callq(fx, "RecordDecision",
	      "{" CASE1 ", 'made': '2026-03-01', 'outcome': 'avslatt', 'written': true, "
	      "'reasoned': true}");
	assert_error(fx, "no.fristvakt.OutOfOrder", NULL,
		     "'made' (2026-03-01) is before the application was received (2026-03-02)");
	callq(fx, "ExtendDeadline",
	      "{" CASE1 ", 'kind': 'preliminary_reply', 'until': '2026-04-20', 'reason': 'ferie'}");
	assert_error(fx, "no.fristvakt.OutOfOrder", NULL,
		     "the frist for foreløpig svar cannot be extended: no rule allows the office "
		     "to extend it (its rule sotjl/preliminary_reply@1970-01-01, forvaltningsloven "
		     "§ 11 a tredje ledd, has no 'extension' in the rules configuration)");
	callq(fx, "ExtendDeadline",
	      "{" CASE1 ", 'kind': 'processing', 'until': '2026-03-13', 'reason': 'ferie'}");
	assert_error(fx, "org.varlink.service.InvalidParameter", "until",
		     "'until' (2026-03-13) must be after the current due date 2026-03-16");
	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "RecordDecision", DECISION1);
	callq(fx, "GiveReasons", "{" CASE1 ", 'reached': '2026-03-12'}");
	assert_error(fx, "no.fristvakt.OutOfOrder", NULL,
		     "no request for the reasons of decision 2 is recorded on or before that day; "
		     "record it first (RequestReasons)");
	callq(fx, "CloseCase", "{" CASE1 ", 'closed': '2026-03-12'}");
	recorded(fx);
	callq(fx, "CloseCase", "{" CASE1 ", 'closed': '2026-03-12'}");
	assert_error(fx, "no.fristvakt.OutOfOrder", NULL,
		     "case 2026/0001 is closed; it cannot be closed again (to correct the "
		     "closing, give 'supersedes')");
	/* The method table's own check, before the handler. */
	call(fx, "GetCase", "{}");
	assert_error(fx, "org.varlink.service.InvalidParameter", "reference", NULL);
}

/* An extension moves the processing deadline and says who extended it. */
static void
test_extension(void **state)
{
	static const struct want extended[] = {
		{ "processing", 1, "open", "2026-03-23", NULL },
		{ "preliminary_reply", 1, "open", "2026-04-07", NULL },
	};
	struct fixture *fx = *state;
	json_t *events, *data;

	callq(fx, "RegisterApplication", REGISTER1);
	fx->d.now = instant("2026-03-10T12:00:00Z");
	callq(fx, "ExtendDeadline",
	      "{" CASE1 ", 'kind': 'processing', 'until': '2026-03-23', 'reason': 'venter på "
	      "uttalelse'}");
	assert_deadlines(json_object_get(recorded(fx), "deadlines"), extended, 2);
	callq(fx, "GetCase", "{" CASE1 "}");
	events = json_object_get(fx->params, "events");
	data = json_object_get(json_array_get(events, 1), "data");
	/* The subject, left out, is stored resolved: the received event. */
	assert_int_equal(json_integer_value(json_object_get(data, "subject")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(data, "by")), "uid "));
}

/* ImportEvents: each item recorded or refused on its own. */
static void
test_import(void **state)
{
	static const struct want imported[] = {
		{ "processing", 1, "met", "2026-03-16", "2026-03-10" },
		{ "preliminary_reply", 1, "met", "2026-04-07", "2026-03-10" },
		{ "complaint", 2, "open", "2026-04-07", NULL },
		{ "late_complaint", 2, "open", "2027-03-10", NULL },
	};
	struct fixture *fx = *state;
	json_t *results;

	fx->d.now = instant("2026-03-12T12:00:00Z");
	callq(fx, "ImportEvents",
	      "{'items': [{'method': 'RegisterApplication', 'parameters': " REGISTER1 "}, "
	      "{'method': 'Nope', 'parameters': {}}, 'not an item', "
	      "{'method': 'RecordDecision', 'parameters': " DECISION1 "}, "
	      "{'method': 'RecordDecision', 'parameters': {" CASE1 ", 'made': '2026-03-01', "
	      "'outcome': 'avslatt', 'written': true, 'reasoned': true}}]}");
	assert_null(fx->error);
	results = json_object_get(fx->params, "results");
	assert_int_equal(json_array_size(results), 5);
	assert_true(json_is_true(json_object_get(json_array_get(results, 0), "ok")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(results, 0), "event")),
			 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 1), "error")),
			    PROTO_ERR_METHOD_NOT_FOUND);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(results, 1), "parameters"), "method")),
		"no.fristvakt.Nope");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(results, 2), "parameters"), "message")),
		"each item must be {\"method\": ..., \"parameters\": {...}}");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(results, 3), "event")),
			 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 4), "error")),
			    "no.fristvakt.OutOfOrder");

	callq(fx, "GetCase", "{" CASE1 "}");
	assert_deadlines(json_object_get(fx->params, "deadlines"), imported, 4);
	/* Each item is audited as its own method. */
	callq(fx, "ListAudit", "{" CASE1 "}");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(fx->params, "entries"), 0), "method")),
		IFACE_FRISTVAKT ".RecordDecision");

	/* More than EVENTS_MAX_IMPORT_ITEMS items: refused by the method table. */
	callq(fx, "ImportEvents", "{'items': [1,2,3,4,5,6,7,8,9,10,11]}");
	assert_error(fx, "org.varlink.service.InvalidParameter", "items", NULL);
}

/*
 * After a reload changes the rules (the processing norm of økonomisk stønad from 14 days to
 * 3 weeks), the stored deadlines are recomputed: Monday 23 March.
 */
static void
test_recompute_after_rules_change(void **state)
{
	struct fixture *fx = *state;
	struct rules *old = fx->conf.rules, *changed;
	char path[128], *text, *at;
	FILE *f;
	long len;
	struct diag err;
	int64_t cursor = 0;
	json_t *row;

	callq(fx, "RegisterApplication", REGISTER1);
	callq(fx, "ListDeadlines", "{'kind': 'processing'}");
	row = json_array_get(json_object_get(fx->params, "deadlines"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "due")), "2026-03-16");

	f = fopen(FV_SOURCE_DIR "/etc/rules.conf", "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	at = strstr(strstr(text, "id = \"okonomisk-stonad\""), "period = \"14d\"");
	assert_non_null(at);
	memcpy(at, "period = \"3w\" ", strlen("period = \"14d\""));
	snprintf(path, sizeof(path), "%s/rules.conf", fx->d.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	if (conf_load_rules(path, &changed, &err) < 0)
		fail_msg("changed rules: %s", err.text);

	fx->conf.rules = changed;
	assert_int_equal(ops_recompute_step(&fx->d.env, &cursor, 10, fx->d.now), 1);
	assert_int_equal(cursor, 1);
	assert_int_equal(ops_recompute_step(&fx->d.env, &cursor, 10, fx->d.now), 0);
	ops_commit(&fx->d.env);
	callq(fx, "ListDeadlines", "{'kind': 'processing'}");
	row = json_array_get(json_object_get(fx->params, "deadlines"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "due")), "2026-03-23");
	assert_string_equal(json_string_value(json_object_get(row, "reference")), "2026/0001");
	unlink(path);
	rules_free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validate_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_accepts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_and_recompute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supersede, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recompute_after_rules_change, setup, teardown),
	};

	setenv("TZ", "Europe/Oslo", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
