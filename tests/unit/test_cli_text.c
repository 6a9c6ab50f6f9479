// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The CLI's shared words (cli_text.c): the bokmål side is the calendar's and the rules'
 * own wording, every fact has its English, and what is not known passes through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/cal.h"
#include "cli/cli_text.h"
#include "core/rules.h"
#include "core/vocab.h"

static void
test_weekdays_and_holidays(void **state)
{
	(void)state;
	for (int wd = CAL_MONDAY; wd <= CAL_SUNDAY; wd++) {
		assert_string_equal(cli_text_weekday(CLI_LANG_NB, (enum cal_weekday)wd),
				    cal_weekday_name((enum cal_weekday)wd));
		/* The names given for why a deadline moved become English too. */
		assert_string_equal(
			cli_text_why(CLI_LANG_EN, cal_weekday_name((enum cal_weekday)wd)),
			cli_text_weekday(CLI_LANG_EN, (enum cal_weekday)wd));
	}
	assert_string_equal(cli_text_weekday(CLI_LANG_EN, CAL_WEDNESDAY), "Wednesday");
	for (int h = CAL_HOLIDAY_NONE + 1; h < CAL_HOLIDAY_COUNT; h++) {
		const char *nb = cal_holiday_name((enum cal_holiday)h);
		const char *en = cli_text_holiday(CLI_LANG_EN, (enum cal_holiday)h);

		assert_string_equal(cli_text_holiday(CLI_LANG_NB, (enum cal_holiday)h), nb);
		assert_string_not_equal(en, nb);
		assert_string_equal(cli_text_why(CLI_LANG_EN, nb), en);
		assert_string_equal(cli_text_why(CLI_LANG_NB, nb), nb);
	}
	assert_string_equal(cli_text_holiday(CLI_LANG_EN, CAL_GRUNNLOVSDAG), "Constitution Day");
	assert_string_equal(cli_text_holiday(CLI_LANG_EN, CAL_HOLIDAY_NONE), "?");
	/* An office calendar's closed day is the configuration's name: as written. */
	assert_string_equal(cli_text_why(CLI_LANG_EN, "julaften"), "julaften");
	assert_null(cli_text_why(CLI_LANG_EN, NULL));
}

static void
test_periods(void **state)
{
	static const struct {
		struct cal_period p;
		const char *en;
	} cases[] = {
		{ { 1, CAL_UNIT_DAYS }, "1 day" },     { { 14, CAL_UNIT_DAYS }, "14 days" },
		{ { 1, CAL_UNIT_WEEKS }, "1 week" },   { { 3, CAL_UNIT_WEEKS }, "3 weeks" },
		{ { 1, CAL_UNIT_MONTHS }, "1 month" }, { { 2, CAL_UNIT_MONTHS }, "2 months" },
		{ { 1, CAL_UNIT_YEARS }, "1 year" },   { { 0, CAL_UNIT_DAYS }, "0 days" },
	};
	char a[CAL_PERIOD_WORDS_LEN], b[CAL_PERIOD_WORDS_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(cli_text_period(CLI_LANG_EN, cases[i].p, a), cases[i].en);
		assert_string_equal(cli_text_period(CLI_LANG_NB, cases[i].p, a),
				    cal_period_words(cases[i].p, b));
	}
}

static void
test_kinds(void **state)
{
	(void)state;
	for (int k = 0; k < RULES_KIND_COUNT; k++) {
		const char *name = rules_kind_name((enum rules_kind)k);
		const char *en = cli_text_kind(CLI_LANG_EN, name);

		assert_string_equal(cli_text_kind(CLI_LANG_NB, name),
				    rules_kind_label((enum rules_kind)k));
		assert_true(strstr(en, "deadline") || strstr(en, "limit"));
		/* The vocabulary's short English label. */
		assert_string_equal(en, vocab_kind_row((enum rules_kind)k)->en_short);
	}
	assert_string_equal(cli_text_kind(CLI_LANG_EN, "complaint"), "complaint deadline");
	/* A kind of a newer daemon: its own name. */
	assert_string_equal(cli_text_kind(CLI_LANG_EN, "brand_new"), "brand_new");
	assert_string_equal(cli_text_kind(CLI_LANG_NB, NULL), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekdays_and_holidays),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
