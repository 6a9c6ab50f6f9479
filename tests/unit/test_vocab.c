// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The vocabulary (core/vocab.c): a full row for every kind, event type, state and start day,
 * names that parse back to their value, and the facts that go with each name as the engine
 * reads them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vocab.h"

static void
assert_text(const char *s)
{
	assert_non_null(s);
	assert_true(s[0] != '\0');
}

static void
test_kinds(void **state)
{
	/* The subject of each kind: what its extensions and overrides name. */
	static const enum rules_event_type subject[RULES_KIND_COUNT] = {
		[RULES_KIND_PROCESSING] = RULES_EV_RECEIVED,
		[RULES_KIND_PRELIMINARY_REPLY] = RULES_EV_RECEIVED,
		[RULES_KIND_DOCUMENTATION] = RULES_EV_DOC_REQUESTED,
		[RULES_KIND_COMPLAINT] = RULES_EV_DECISION,
		[RULES_KIND_LATE_COMPLAINT] = RULES_EV_DECISION,
		[RULES_KIND_FORWARDING] = RULES_EV_COMPLAINT,
		[RULES_KIND_PROMISED] = RULES_EV_PRELIMINARY_REPLY,
	};

	(void)state;
	for (int i = 0; i < RULES_KIND_COUNT; i++) {
		const struct vocab_kind *k = vocab_kind_row((enum rules_kind)i);
		enum rules_kind back;

		assert_non_null(k);
		assert_text(k->name);
		assert_text(k->nb);
		assert_text(k->en);
		assert_text(k->en_short);
		assert_int_equal(rules_kind_parse(k->name, &back), 0);
		assert_int_equal(back, i);
		assert_string_equal(rules_kind_label((enum rules_kind)i), k->nb);
		assert_int_equal(rules_kind_subject((enum rules_kind)i), subject[i]);
		assert_int_equal(rules_kind_is_office_duty((enum rules_kind)i), k->office);
	}
	assert_null(vocab_kind_row(RULES_KIND_COUNT));
	assert_false(rules_kind_is_office_duty(RULES_KIND_COUNT));
	assert_string_equal(rules_kind_label(RULES_KIND_COUNT), "?");
	/* Closing a case does not end the party's right to complain, nor the office's duty to
	 * send a complaint on. */
	for (int i = 0; i < RULES_KIND_COUNT; i++)
		assert_int_equal(vocab_kind_row((enum rules_kind)i)->closing_ends,
				 i != RULES_KIND_COMPLAINT && i != RULES_KIND_LATE_COMPLAINT &&
					 i != RULES_KIND_FORWARDING);
	/* Only a promised date is not counted: the reply named it. */
	for (int i = 0; i < RULES_KIND_COUNT; i++)
		assert_int_equal(vocab_kind_row((enum rules_kind)i)->counted,
				 i != RULES_KIND_PROMISED);
	/* The kinds in a message, in the rows' order. */
	{
		char *a = vocab_kind_names(" or "), *b = vocab_kind_names(", ");

		assert_string_equal(a, "processing, preliminary_reply, documentation, complaint, "
				       "late_complaint, forwarding or promised");
		assert_string_equal(b, "processing, preliminary_reply, documentation, complaint, "
				       "late_complaint, forwarding, promised");
		free(a);
		free(b);
	}
	/* The two English labels: in a message, and in a listing. */
	assert_string_equal(vocab_kind_row(RULES_KIND_LATE_COMPLAINT)->en,
			    "outer limit for a late complaint");
	assert_string_equal(vocab_kind_row(RULES_KIND_LATE_COMPLAINT)->en_short,
			    "late complaint limit");
}

static void
test_events(void **state)
{
	(void)state;
	for (int i = 0; i < RULES_EV_COUNT; i++) {
		const struct vocab_event *e = vocab_event_row((enum rules_event_type)i);
		enum rules_event_type back;

		assert_non_null(e);
		assert_text(e->name);
		assert_text(e->nb);
		assert_text(e->en);
		assert_true((unsigned)e->ref <= RULES_EV_COUNT);
		/* What a ref names was recorded before: never an event of the same type. */
		assert_int_not_equal(e->ref, i);
		assert_int_equal(rules_event_type_parse(e->name, &back), 0);
		assert_int_equal(back, i);
	}
	assert_null(vocab_event_row(RULES_EV_COUNT));
	assert_int_equal(vocab_event_row(RULES_EV_COMPLAINT)->ref, RULES_EV_DECISION);
	assert_int_equal(vocab_event_row(RULES_EV_FORWARDED)->ref, RULES_EV_COMPLAINT);
	assert_int_equal(vocab_event_row(RULES_EV_DOC_RECEIVED)->ref, RULES_EV_DOC_REQUESTED);
	assert_int_equal(vocab_event_row(RULES_EV_RECEIVED)->ref, RULES_EV_COUNT);
	assert_true(vocab_event_row(RULES_EV_EXTENSION)->ref_by_kind);
	assert_true(vocab_event_row(RULES_EV_OVERRIDE)->ref_by_kind);
	assert_false(vocab_event_row(RULES_EV_DECISION)->ref_by_kind);
	assert_string_equal(vocab_event_row(RULES_EV_DECISION_WRITTEN)->nb,
			    "vedtaket bekreftet skriftlig");
}

static void
test_states(void **state)
{
	static const char *const nb[RULES_STATE_COUNT] = {
		"åpen", "overholdt", "overskredet", "bortfalt", "utløpt",
	};

	(void)state;
	for (int i = 0; i < RULES_STATE_COUNT; i++) {
		const struct vocab_state *s = vocab_state_row((enum rules_state)i);
		enum rules_state back;

		assert_non_null(s);
		assert_string_equal(s->nb, nb[i]);
		assert_string_equal(s->en, s->name);
		assert_int_equal(rules_state_parse(s->name, &back), 0);
		assert_int_equal(back, i);
	}
	assert_null(vocab_state_row(RULES_STATE_COUNT));
	assert_string_equal(rules_state_name(RULES_STATE_COUNT), "?");
	assert_int_equal(rules_state_parse("utløpt", &(enum rules_state){ 0 }), -EINVAL);
}

/* The start days: each kind's default is among the days it allows, and every name parses. */
static void
test_starts(void **state)
{
	(void)state;
	for (int i = 0; i < RULES_START_COUNT; i++) {
		const struct vocab_start *st = vocab_start_row((enum rules_start)i);
		enum rules_start back;

		assert_non_null(st);
		assert_text(st->name);
		assert_text(st->nb);
		assert_text(st->en);
		assert_int_equal(rules_start_parse(st->name, &back), 0);
		assert_int_equal(back, i);
		assert_string_equal(rules_start_name((enum rules_start)i), st->name);
	}
	assert_null(vocab_start_row(RULES_START_COUNT));
	for (int k = 0; k < RULES_KIND_COUNT; k++) {
		const struct vocab_kind *row = vocab_kind_row((enum rules_kind)k);

		assert_true(row->starts & (1u << row->start));
	}
	/* Forvaltningsloven § 29: the complaint deadline runs from when the decision reached
	 * the party unless the rule says from when it was made. */
	assert_int_equal(vocab_kind_row(RULES_KIND_COMPLAINT)->start, RULES_START_DECISION_REACHED);
	assert_true(vocab_kind_row(RULES_KIND_COMPLAINT)->starts &
		    (1u << RULES_START_DECISION_MADE));
	assert_false(vocab_kind_row(RULES_KIND_PROCESSING)->starts &
		     (1u << RULES_START_DECISION_MADE));
	assert_string_equal(vocab_start_row(RULES_START_DECISION_REACHED)->nb, "vedtaket kom fram");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
