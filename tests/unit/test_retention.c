// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_retention: the period of retention.closed_after against a hand-checked table
 * (conf_retention_period_parse: the units d, w, m for months and y, the shortest period
 * of three months, what is no period), the group "retention" of a configuration file:
 * absent (nothing is purged), set, and refused with the file and the line of the value;
 * and the cut-off day of a purge (ops_purge_begin: today less the period, months ending on
 * the same day number or the last day of a shorter month) with the instant after it, in
 * Europe/Oslo (the unit tests run with TZ=Europe/Oslo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/cal.h"
#include "core/util.h"
#include "ops/ops.h"

static const struct {
	const char *text;
	int ret;
	int n;
	enum cal_unit unit;
} periods[] = {
	/* Accepted: three months and longer, in every unit. */
	{ "12m", 0, 12, CAL_UNIT_MONTHS },
	{ "3m", 0, 3, CAL_UNIT_MONTHS },
	{ "18m", 0, 18, CAL_UNIT_MONTHS },
	{ "1y", 0, 1, CAL_UNIT_YEARS },
	{ "10y", 0, 10, CAL_UNIT_YEARS },
	{ "92d", 0, 92, CAL_UNIT_DAYS },
	{ "365d", 0, 365, CAL_UNIT_DAYS },
	{ "14w", 0, 14, CAL_UNIT_WEEKS },
	{ "52w", 0, 52, CAL_UNIT_WEEKS },
	{ "9999d", 0, 9999, CAL_UNIT_DAYS },
	/* Too short: under three months. "m" is months, so "1m" is one month, not a minute. */
	{ "2m", -ERANGE, 0, 0 },
	{ "1m", -ERANGE, 0, 0 },
	{ "0m", -ERANGE, 0, 0 },
	{ "0y", -ERANGE, 0, 0 },
	{ "91d", -ERANGE, 0, 0 },
	{ "13w", -ERANGE, 0, 0 },
	{ "30d", -ERANGE, 0, 0 },
	/* No period. */
	{ "", -EINVAL, 0, 0 },
	{ "12", -EINVAL, 0, 0 },
	{ "m", -EINVAL, 0, 0 },
	{ "12M", -EINVAL, 0, 0 },
	{ "12 m", -EINVAL, 0, 0 },
	{ " 12m", -EINVAL, 0, 0 },
	{ "12m ", -EINVAL, 0, 0 },
	{ "12mo", -EINVAL, 0, 0 },
	{ "12h", -EINVAL, 0, 0 },
	{ "12s", -EINVAL, 0, 0 },
	{ "1y6m", -EINVAL, 0, 0 },
	{ "-12m", -EINVAL, 0, 0 },
	{ "+12m", -EINVAL, 0, 0 },
	{ "012m", -EINVAL, 0, 0 },
	{ "10000d", -EINVAL, 0, 0 },
	{ "1.5y", -EINVAL, 0, 0 },
};

static void
test_period_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(periods); i++) {
		struct cal_period p = { -1, CAL_UNIT_DAYS };
		const char *why = NULL;
		int ret = conf_retention_period_parse(periods[i].text, &p, &why);

		if (ret != periods[i].ret)
			fail_msg("\"%s\": %d, expected %d", periods[i].text, ret, periods[i].ret);
		if (ret == 0 && (p.n != periods[i].n || p.unit != periods[i].unit))
			fail_msg("\"%s\": read as %d of unit %d", periods[i].text, p.n,
				 (int)p.unit);
		if (ret == 0 && why)
			fail_msg("\"%s\": accepted with a reason \"%s\"", periods[i].text, why);
		if (ret < 0 && (!why || !*why))
			fail_msg("\"%s\": refused without a reason", periods[i].text);
		if (ret < 0 && p.n != -1)
			fail_msg("\"%s\": refused, but the period was written", periods[i].text);
	}
}

static char dir[64];
static char path[96];

static int
load(const char *retention, struct conf **c, struct diag *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot write %s", path);
	fprintf(f,
		"database = \"var/t.db\";\n"
		"control = { socket = \"/run/fv-test.sock\"; };\n"
		"regimes = ();\nservices = ();\n%s",
		retention);
	fclose(f);
	memset(err, 0, sizeof(*err));
	return conf_load(path, c, err);
}

static void
test_config(void **state)
{
	static const struct {
		const char *text;
		const char *message; /* NULL: accepted */
	} files[] = {
		{ "", NULL },
		{ "retention = {};\n", NULL },
		{ "retention = {\n\tclosed_after = \"12m\";\n};\n", NULL },
		{ "retention = {\n\tclosed_after = \"12x\";\n};\n",
		  ":6: 'closed_after' \"12x\" must be a period such as \"12m\"" },
		{ "retention = {\n\n\tclosed_after = \"1m\";\n};\n",
		  ":7: 'closed_after' \"1m\" is shorter than three months" },
		{ "retention = {\n\tclosed_after = 12;\n};\n", ":6: 'closed_after' must be" },
		{ "retention = {\n\tclosed = \"12m\";\n};\n", ":6: unknown setting 'closed'" },
		{ "retention = \"12m\";\n", ":5: 'retention' must be a group" },
	};

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fv-test-retention.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fristvakt.conf", dir);
	for (size_t i = 0; i < FV_ARRAY_SIZE(files); i++) {
		struct conf *c = NULL;
		struct diag err;
		int ret = load(files[i].text, &c, &err);

		if (!files[i].message) {
			if (ret != 0)
				fail_msg("file %zu refused: %s", i, err.text);
			assert_int_equal(c->has_retention, strstr(files[i].text, "12m") != NULL);
			if (c->has_retention) {
				assert_int_equal(c->retention_closed_after.n, 12);
				assert_int_equal(c->retention_closed_after.unit, CAL_UNIT_MONTHS);
			}
			conf_free(c);
			continue;
		}
		if (ret == 0)
			fail_msg("file %zu accepted, expected \"%s\"", i, files[i].message);
		assert_null(c);
		/* The file and the line of the value, then why. */
		if (strncmp(err.text, path, strlen(path)) != 0 ||
		    !strstr(err.text, files[i].message))
			fail_msg("file %zu: \"%s\", expected %s%s", i, err.text, path,
				 files[i].message);
	}
	unlink(path);
	rmdir(dir);
}

static void
test_cutoff(void **state)
{
	static const struct {
		int64_t now; /* the daemon's clock */
		struct cal_period period;
		const char *cutoff;
		int64_t before; /* the first instant of the day after the cut-off */
	} cases[] = {
		/* 2026-12-07 12:00 UTC, 12 months: the same day a year before. */
		{ 1796644800, { 12, CAL_UNIT_MONTHS }, "2025-12-07", 1765148400 },
		/* 2026-05-31 10:00 UTC, 3 months: 31 February is the last day of February. */
		{ 1780221600, { 3, CAL_UNIT_MONTHS }, "2026-02-28", 1772319600 },
		/* 2028-05-31, 3 months: a leap year's 29 February. */
		{ 1843380000, { 3, CAL_UNIT_MONTHS }, "2028-02-29", 1835478000 },
		/* 2024-02-29, 1 year: 28 February 2023. */
		{ 1709200800, { 1, CAL_UNIT_YEARS }, "2023-02-28", 1677625200 },
		/* 2027-01-15, 3 months: over the turn of the year, into summer time (UTC+2). */
		{ 1800007200, { 3, CAL_UNIT_MONTHS }, "2026-10-15", 1792101600 },
		/* 2026-03-01, 92 days and 14 weeks. */
		{ 1772362800, { 92, CAL_UNIT_DAYS }, "2025-11-29", 1764457200 },
		{ 1772362800, { 14, CAL_UNIT_WEEKS }, "2025-11-23", 1763938800 },
		/* 00:30 local on 2026-05-01 (22:30 UTC the day before) is 1 May already. */
		{ 1777588200, { 3, CAL_UNIT_MONTHS }, "2026-02-01", 1769986800 },
	};
	struct conf c = { 0 };
	struct ops_env env = { .conf = &c };
	struct ops_purge p;
	char day[CAL_DATE_LEN];

	(void)state;
	/* Without the setting nothing is to do. */
	assert_int_equal(ops_purge_begin(&env, &p, NULL, false, cases[0].now), 0);
	assert_false(p.configured);
	assert_true(p.done);
	ops_purge_deinit(&p);
	c.has_retention = true;
	for (size_t i = 0; i < FV_ARRAY_SIZE(cases); i++) {
		c.retention_closed_after = cases[i].period;
		assert_int_equal(ops_purge_begin(&env, &p, NULL, true, cases[i].now), 0);
		assert_true(p.configured && p.dry_run && !p.done);
		if (strcmp(cal_date_format(p.cutoff, day), cases[i].cutoff) != 0 ||
		    p.before != cases[i].before)
			fail_msg("case %zu: cut-off %s before %lld, expected %s before %lld", i,
				 day, (long long)p.before, cases[i].cutoff,
				 (long long)cases[i].before);
		ops_purge_deinit(&p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_table),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_cutoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
