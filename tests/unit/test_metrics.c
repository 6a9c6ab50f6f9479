// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The metrics' text exposition (core/metrics.c): a small registry rendered byte for byte as
 * worked out by hand from the Prometheus text format 0.0.4: histogram buckets cumulative,
 * "+Inf" equal to _count, _sum, label values escaped; sample values; the classes of failed
 * deliveries; and the process-lifetime families.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

static void
test_values(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ -3, "-3" },
		{ 0.5, "0.5" },
		{ 0.0005, "0.0005" },
		{ 0.1, "0.1" },
		{ 2.5, "2.5" },
		{ 86400, "86400" },
		{ 1796638208, "1796638208" },
		{ 1e300, "1e+300" },
		{ 1.0 / 3, "0.3333333333333333" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		metrics_format_value(cases[i].v, buf);
		assert_string_equal(buf, cases[i].text);
	}
	metrics_format_value(INFINITY, buf);
	assert_string_equal(buf, "+Inf");
	metrics_format_value(-INFINITY, buf);
	assert_string_equal(buf, "-Inf");
	metrics_format_value(NAN, buf);
	assert_string_equal(buf, "NaN");
}

static void
test_histogram(void **state)
{
	static const char *const names[] = { "method" };
	static const double bounds[] = { 0.125, 1, 10 };
	const char *a[] = { "no.fristvakt.Status" };
	const char *b[] = { "x\"y\\z\nw" };
	struct metrics_family f;
	struct strbuf out = { 0 };

	(void)state;
	metrics_family_init(&f, "t_seconds", "Help with \\ and\nnewline.", METRICS_HISTOGRAM, names,
			    1, bounds, 3);
	/* 0.0625 and 0.125 in the first bucket (le is inclusive), 0.5 in the second, 5 in
	 * the third, 50 only in +Inf: cumulative 2, 3, 4, 5; sum 55.6875 (exact in binary). */
	metrics_observe(&f, a, 0.0625);
	metrics_observe(&f, a, 0.125);
	metrics_observe(&f, a, 0.5);
	metrics_observe(&f, a, 5);
	metrics_observe(&f, a, 50);
	metrics_observe(&f, b, 2);
	metrics_render(&f, &out);
	assert_string_equal(strbuf_str(&out),
			    "# HELP t_seconds Help with \\\\ and\\nnewline.\n"
			    "# TYPE t_seconds histogram\n"
			    "t_seconds_bucket{method=\"no.fristvakt.Status\",le=\"0.125\"} 2\n"
			    "t_seconds_bucket{method=\"no.fristvakt.Status\",le=\"1\"} 3\n"
			    "t_seconds_bucket{method=\"no.fristvakt.Status\",le=\"10\"} 4\n"
			    "t_seconds_bucket{method=\"no.fristvakt.Status\",le=\"+Inf\"} 5\n"
			    "t_seconds_sum{method=\"no.fristvakt.Status\"} 55.6875\n"
			    "t_seconds_count{method=\"no.fristvakt.Status\"} 5\n"
			    "t_seconds_bucket{method=\"x\\\"y\\\\z\\nw\",le=\"0.125\"} 0\n"
			    "t_seconds_bucket{method=\"x\\\"y\\\\z\\nw\",le=\"1\"} 0\n"
			    "t_seconds_bucket{method=\"x\\\"y\\\\z\\nw\",le=\"10\"} 1\n"
			    "t_seconds_bucket{method=\"x\\\"y\\\\z\\nw\",le=\"+Inf\"} 1\n"
			    "t_seconds_sum{method=\"x\\\"y\\\\z\\nw\"} 2\n"
			    "t_seconds_count{method=\"x\\\"y\\\\z\\nw\"} 1\n");
	metrics_family_clear(&f);
	strbuf_free(&out);
}

static void
test_counters_gauges(void **state)
{
	static const char *const names[] = { "channel", "state" };
	const char *hook_pending[] = { "hook", "pending" };
	const char *hook_sent[] = { "hook", "sent" };
	struct metrics_family c, g, empty, bare_h;
	static const double bounds[] = { 1, 2 };
	struct strbuf out = { 0 };

	(void)state;
	metrics_family_init(&c, "t_total", "A counter.", METRICS_COUNTER, NULL, 0, NULL, 0);
	metrics_family_init(&g, "t_rows", "A gauge.", METRICS_GAUGE, names, 2, NULL, 0);
	metrics_family_init(&empty, "t_none", "No series.", METRICS_GAUGE, names, 2, NULL, 0);
	metrics_family_init(&bare_h, "t_n", "Empty histogram.", METRICS_HISTOGRAM, NULL, 0, bounds,
			    2);
	metrics_render(&c, &out); /* no series, no labels: one sample of 0 */
	metrics_add(&c, NULL, 2);
	metrics_add(&c, NULL, 1);
	metrics_set(&g, hook_pending, 7);
	metrics_set(&g, hook_sent, 3);
	metrics_set(&g, hook_pending, 4); /* a gauge is set, not added */
	metrics_render(&c, &out);
	metrics_render(&g, &out);
	metrics_render(&empty, &out);
	metrics_render(&bare_h, &out);
	assert_string_equal(strbuf_str(&out), "# HELP t_total A counter.\n"
					      "# TYPE t_total counter\n"
					      "t_total 0\n"
					      "# HELP t_total A counter.\n"
					      "# TYPE t_total counter\n"
					      "t_total 3\n"
					      "# HELP t_rows A gauge.\n"
					      "# TYPE t_rows gauge\n"
					      "t_rows{channel=\"hook\",state=\"pending\"} 4\n"
					      "t_rows{channel=\"hook\",state=\"sent\"} 3\n"
					      "# HELP t_none No series.\n"
					      "# TYPE t_none gauge\n"
					      "# HELP t_n Empty histogram.\n"
					      "# TYPE t_n histogram\n"
					      "t_n_bucket{le=\"1\"} 0\n"
					      "t_n_bucket{le=\"2\"} 0\n"
					      "t_n_bucket{le=\"+Inf\"} 0\n"
					      "t_n_sum 0\n"
					      "t_n_count 0\n");
	metrics_family_clear(&c);
	metrics_family_clear(&g);
	strbuf_free(&out);
}

static void
test_failure_class(void **state)
{
	(void)state;
	assert_string_equal(metrics_failure_class("retry", 0), "connection");
	assert_string_equal(metrics_failure_class("retry", 429), "status_4xx");
	assert_string_equal(metrics_failure_class("retry", 503), "status_5xx");
	assert_string_equal(metrics_failure_class("retry", 451), "status_4xx"); /* SMTP */
	assert_string_equal(metrics_failure_class("retry", 302), "other_status");
	assert_string_equal(metrics_failure_class("gone", 410), "gone");
	assert_string_equal(metrics_failure_class("aborted", 0), "aborted");
}

static void
test_process(void **state)
{
	struct strbuf out = { 0 };
	const char *text;

	(void)state;
	metrics_process_reset();
	metrics_count_attempt("hook", NULL);
	metrics_count_attempt("hook", "status_5xx");
	metrics_count_attempt("hook", "status_5xx");
	metrics_count_reload(false);
	metrics_observe_commit(3);
	metrics_render_process(&out);
	text = strbuf_str(&out);
	assert_non_null(strstr(text, "\nfristvakt_delivery_attempts_total{channel=\"hook\"} 3\n"));
	assert_non_null(strstr(text, "\nfristvakt_delivery_failures_total{channel=\"hook\","
				     "class=\"status_5xx\"} 2\n"));
	assert_non_null(strstr(text, "\nfristvakt_config_reloads_total{result=\"ok\"} 0\n"
				     "fristvakt_config_reloads_total{result=\"error\"} 1\n"));
	assert_non_null(strstr(text, "\nfristvakt_group_commit_writes_bucket{le=\"2\"} 0\n"
				     "fristvakt_group_commit_writes_bucket{le=\"4\"} 1\n"));
	assert_non_null(strstr(text, "\n# TYPE fristvakt_reminder_send_delay_seconds histogram\n"
				     "fristvakt_reminder_send_delay_seconds_bucket{le=\"1\"} 0\n"));
	metrics_process_reset();
	strbuf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_counters_gauges), cmocka_unit_test(test_failure_class),
		cmocka_unit_test(test_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
