// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_report: the compliance report's statistics and escaping (core/report.c), with tables
 * checked by hand: nearest-rank percentiles (rank ceil(p/100 * n), 1-based, of the values
 * sorted), shares with zero denominators, calendar months of a period, RFC 4180 fields and
 * HTML text; and the figures' assembly into the reply: months, totals, services by id, and
 * which decisions without reasons needed them by the shipped rules (etc/rules.conf: every
 * outcome but "innvilget", a full grant).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf/conf_impl.h"
#include "core/report.h"
#include "core/rules.h"
#include "core/util.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

static void
test_percentile(void **state)
{
	static const int32_t one[] = { 5 }, two[] = { 7, 21 }, three[] = { 2, 3, 34 },
			     four[] = { 7, 10, 21, 43 }, ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 },
			     eleven[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const struct {
		const int32_t *v;
		size_t n;
		int p;
		int32_t want;
	} rows[] = {
		{ one, 1, 50, 5 },	{ one, 1, 90, 5 },    /* rank 1 */
		{ two, 2, 50, 7 },			      /* ceil(1.0) = 1 */
		{ two, 2, 90, 21 },			      /* ceil(1.8) = 2 */
		{ three, 3, 50, 3 },			      /* ceil(1.5) = 2 */
		{ three, 3, 90, 34 },			      /* ceil(2.7) = 3 */
		{ four, 4, 50, 10 },			      /* ceil(2.0) = 2: the lower middle */
		{ four, 4, 90, 43 },			      /* ceil(3.6) = 4 */
		{ ten, 10, 50, 5 },	{ ten, 10, 90, 9 },   /* ranks 5 and 9 */
		{ ten, 10, 1, 1 },	{ ten, 10, 100, 10 }, /* the ends */
		{ eleven, 11, 50, 6 },			      /* ceil(5.5) = 6 */
		{ eleven, 11, 90, 10 },			      /* ceil(9.9) = 10 */
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++)
		assert_int_equal(report_percentile(rows[i].v, rows[i].n, rows[i].p), rows[i].want);
}

static void
test_share(void **state)
{
	static const struct {
		int64_t num, den;
		bool defined;
		double want;
	} rows[] = {
		{ 0, 0, false, 0 },  { 5, 0, false, 0 },	{ 0, 3, true, 0.0 },
		{ 1, 2, true, 0.5 }, { 2, 3, true, 2.0 / 3.0 }, { 4, 4, true, 1.0 },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		double v = -1;

		assert_int_equal(report_share(rows[i].num, rows[i].den, &v), rows[i].defined);
		if (rows[i].defined)
			assert_true(fabs(v - rows[i].want) < 1e-12);
		else
			assert_true(v == -1); /* untouched */
	}
}

static void
test_month_count(void **state)
{
	static const struct {
		struct cal_date from, to;
		int want;
	} rows[] = {
		{ { 2026, 1, 1 }, { 2026, 3, 31 }, 3 },
		{ { 2026, 1, 12 }, { 2026, 1, 12 }, 1 },
		{ { 2025, 12, 15 }, { 2026, 1, 2 }, 2 },
		{ { 2021, 1, 1 }, { 2025, 12, 31 }, 60 }, /* five years: the most */
		{ { 2021, 1, 1 }, { 2026, 1, 1 }, 61 },
		{ { 2026, 3, 1 }, { 2026, 2, 28 }, 0 },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++)
		assert_int_equal(report_month_count(rows[i].from, rows[i].to), rows[i].want);
}

static void
test_csv_field(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "Økonomisk stønad", "Økonomisk stønad" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\r", "\"cr\r\"" },
		{ "semi;colon 'q'", "semi;colon 'q'" },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		struct strbuf b = { 0 };

		report_csv_field(&b, rows[i].in);
		assert_string_equal(b.p ? b.p : "", rows[i].out);
		strbuf_free(&b);
	}
}

static void
test_html_text(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "plain æøå §", "plain æøå §" },
		{ "<script>", "&lt;script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\"q\" 'a'", "&quot;q&quot; &#39;a&#39;" },
		{ "<a href='//x'>&amp;</a>", "&lt;a href=&#39;//x&#39;&gt;&amp;amp;&lt;/a&gt;" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		struct strbuf b = { 0 };

		report_html_text(&b, rows[i].in);
		assert_string_equal(b.p ? b.p : "", rows[i].out);
		strbuf_free(&b);
	}
}

static json_t *
month_of(json_t *service, size_t m)
{
	return json_array_get(json_object_get(service, "months"), m);
}

static json_int_t
get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* Figures put in by hand come out per month, in total and with services by id. */
static void
test_json(void **state)
{
	struct report r;
	struct report_figures *f;
	json_t *j, *a, *b;

	(void)state;
	report_init(&r, (struct cal_date){ 2026, 1, 1 }, (struct cal_date){ 2026, 2, 28 });
	assert_int_equal(r.months, 2);
	assert_null(report_at(&r, "svc-b", "2026-03-01", NULL, NULL));
	assert_null(report_at(&r, "svc-b", "2025-12-31", NULL, NULL));
	assert_null(report_at(&r, "svc-b", "x", NULL, NULL));
	assert_int_equal(r.n_services, 0);
	report_at(&r, "svc-b", "2026-01-31", NULL, NULL)->applications += 2;
	f = report_at(&r, "svc-a", "2026-02", NULL, NULL);
	f->decided = 3;
	f->within_norm = 1;
	f->norm_judged = 2;
	report_add_days(f, 3);
	report_add_days(f, 1);
	report_add_days(f, 2);
	report_at(&r, "svc-a", "2026-01-05", NULL, NULL)->within_11a = 0; /* a row, no figure */
	report_at(&r, "svc-c", "2026-01-05", NULL, NULL);		  /* no figure at all */
	j = report_json(&r, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(j, "services")), 2);
	a = json_array_get(json_object_get(j, "services"), 0);
	b = json_array_get(json_object_get(j, "services"), 1);
	assert_string_equal(json_string_value(json_object_get(a, "service")), "svc-a");
	assert_string_equal(json_string_value(json_object_get(b, "service")), "svc-b");
	assert_true(json_is_null(json_object_get(a, "name")));
	assert_string_equal(json_string_value(json_object_get(month_of(a, 1), "month")), "2026-02");
	/* days 1, 2, 3: median rank 2 -> 2, p90 rank ceil(2.7) = 3 -> 3 */
	assert_int_equal(get_int(month_of(a, 1), "processing_days_median"), 2);
	assert_int_equal(get_int(month_of(a, 1), "processing_days_p90"), 3);
	assert_true(fabs(json_real_value(json_object_get(month_of(a, 1), "within_norm_share")) -
			 0.5) < 1e-12);
	assert_true(json_is_null(json_object_get(month_of(a, 1), "within_11a_share")));
	assert_true(json_is_null(json_object_get(month_of(a, 0), "processing_days_median")));
	assert_int_equal(get_int(json_object_get(a, "total"), "decided"), 3);
	assert_int_equal(get_int(json_object_get(a, "total"), "processing_days_p90"), 3);
	assert_int_equal(get_int(json_object_get(b, "total"), "applications"), 2);
	assert_int_equal(get_int(month_of(b, 0), "applications"), 2);
	assert_int_equal(get_int(month_of(b, 1), "applications"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "months"), 1)),
			    "2026-02");
	json_decref(j);
	/* A service asked for is kept even without a figure. */
	j = report_json(&r, NULL, "svc-c");
	assert_int_equal(json_array_size(json_object_get(j, "services")), 3);
	json_decref(j);
	report_deinit(&r);
}

static struct rules *
shipped_rules(void)
{
	struct rules *rules = NULL;
	struct diag err = { { 0 } };
	config_t cfg;

	config_init(&cfg);
	assert_int_equal(config_read_file(&cfg, FV_SOURCE_DIR "/etc/rules.conf"), CONFIG_TRUE);
	assert_int_equal(rules_load(config_root_setting(&cfg), &rules, &err), 0);
	config_destroy(&cfg);
	return rules;
}

static void
test_unreasoned(void **state)
{
	struct rules *rules = shipped_rules();
	struct report r;
	json_t *j, *s;

	(void)state;
	report_init(&r, (struct cal_date){ 2026, 1, 1 }, (struct cal_date){ 2026, 2, 28 });
	report_add_decision(&r, "okonomisk-stonad", "2026-01-12", "innvilget", true, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-01-13", "delvis_innvilget", true, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-02-02", "avslatt", true, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-02-03", "avvist", true, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-03-01", "avslatt", true, false);
	assert_int_equal(r.n_decisions, 4); /* the last is outside the period */
	report_judge_decisions(&r, rules);
	j = report_json(&r, rules, NULL);
	s = json_array_get(json_object_get(j, "services"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "Økonomisk stønad");
	assert_int_equal(get_int(month_of(s, 0), "unreasoned_decisions"), 1);
	assert_int_equal(get_int(month_of(s, 1), "unreasoned_decisions"), 2);
	assert_int_equal(get_int(json_object_get(s, "total"), "unreasoned_decisions"), 3);
	assert_int_equal(get_int(json_object_get(s, "total"), "oral_decisions"), 0);
	json_decref(j);
	report_deinit(&r);
	rules_free(rules);
}

/*
 * The shipped rules with a second citations version, in force from 1 February 2026, that
 * requires neither writing nor reasons (no written_decision_text, reasoned_decision_text).
 */
static struct rules *
rules_relaxed_from_february(void)
{
	struct rules *rules = NULL;
	struct diag err = { { 0 } };
	config_setting_t *list, *v;
	config_t cfg;

	config_init(&cfg);
	assert_int_equal(config_read_file(&cfg, FV_SOURCE_DIR "/etc/rules.conf"), CONFIG_TRUE);
	list = config_lookup(&cfg, "citations");
	assert_non_null(list);
	v = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
	config_setting_set_string(config_setting_add(v, "valid_from", CONFIG_TYPE_STRING),
				  "2026-02-01");
	assert_int_equal(rules_load(config_root_setting(&cfg), &rules, &err), 0);
	config_destroy(&cfg);
	return rules;
}

/*
 * Oral and unreasoned decisions count only where the procedure in force on the day made
 * required writing or reasons: the findings' rule (rules_oral_breach(),
 * rules_unreasoned_breach()), the same for both.
 */
static void
test_decisions_by_the_rules(void **state)
{
	struct rules *rules = rules_relaxed_from_february();
	struct report r;
	json_t *j, *s;

	(void)state;
	assert_true(rules_oral_breach(rules_procedure_at(rules, (struct cal_date){ 2026, 1, 31 }),
				      false));
	assert_false(rules_oral_breach(rules_procedure_at(rules, (struct cal_date){ 2026, 2, 1 }),
				       false));
	report_init(&r, (struct cal_date){ 2026, 1, 1 }, (struct cal_date){ 2026, 2, 28 });
	/* January: required; oral, oral and unreasoned, written but unreasoned refusal. */
	report_add_decision(&r, "okonomisk-stonad", "2026-01-12", "avslatt", false, true);
	report_add_decision(&r, "okonomisk-stonad", "2026-01-20", "avslatt", false, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-01-31", "avslatt", true, false);
	/* February: neither required any more. */
	report_add_decision(&r, "okonomisk-stonad", "2026-02-01", "avslatt", false, false);
	report_add_decision(&r, "okonomisk-stonad", "2026-02-10", "avslatt", false, true);
	report_judge_decisions(&r, rules);
	j = report_json(&r, rules, NULL);
	s = json_array_get(json_object_get(j, "services"), 0);
	assert_int_equal(get_int(month_of(s, 0), "oral_decisions"), 2);
	assert_int_equal(get_int(month_of(s, 0), "unreasoned_decisions"), 2);
	assert_int_equal(get_int(month_of(s, 1), "oral_decisions"), 0);
	assert_int_equal(get_int(month_of(s, 1), "unreasoned_decisions"), 0);
	assert_int_equal(get_int(json_object_get(s, "total"), "oral_decisions"), 2);
	json_decref(j);
	report_deinit(&r);
	rules_free(rules);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),  cmocka_unit_test(test_share),
		cmocka_unit_test(test_month_count), cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_html_text),   cmocka_unit_test(test_json),
		cmocka_unit_test(test_unreasoned),  cmocka_unit_test(test_decisions_by_the_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
