// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_text: the CLI's shared words in bokmål and English (see cli_text.h).
 */
#include "cli/cli_text.h"

#include <stdio.h>
#include <string.h>

#include "core/rules.h"
#include "core/util.h"
#include "core/vocab.h"

/* Singular and plural of each enum cal_unit. */
static const struct cli_text units[][2] = {
	{ { "dag", "day" }, { "dager", "days" } },
	{ { "uke", "week" }, { "uker", "weeks" } },
	{ { "måned", "month" }, { "måneder", "months" } },
	{ { "år", "year" }, { "år", "years" } },
};

_Static_assert(FV_ARRAY_SIZE(units) == CAL_UNIT_YEARS + 1, "words for every unit");

const char *
cli_text_weekday(enum cli_lang lang, enum cal_weekday wd)
{
	if (wd < CAL_MONDAY || wd > CAL_SUNDAY)
		return "?";
	return lang == CLI_LANG_EN ? cal_weekday_name_en(wd) : cal_weekday_name(wd);
}

const char *
cli_text_holiday(enum cli_lang lang, enum cal_holiday h)
{
	if (h <= CAL_HOLIDAY_NONE || h >= CAL_HOLIDAY_COUNT)
		return "?";
	return lang == CLI_LANG_EN ? cal_holiday_name_en(h) : cal_holiday_name(h);
}

const char *
cli_text_why(enum cli_lang lang, const char *why)
{
	if (lang == CLI_LANG_NB || !why)
		return why;
	for (int wd = CAL_MONDAY; wd <= CAL_SUNDAY; wd++) {
		if (strcmp(why, cal_weekday_name((enum cal_weekday)wd)) == 0)
			return cal_weekday_name_en((enum cal_weekday)wd);
	}
	for (int h = CAL_HOLIDAY_NONE + 1; h < CAL_HOLIDAY_COUNT; h++) {
		if (strcmp(why, cal_holiday_name((enum cal_holiday)h)) == 0)
			return cal_holiday_name_en((enum cal_holiday)h);
	}
	return why;
}

char *
cli_text_period(enum cli_lang lang, struct cal_period p, char *buf)
{
	const struct cli_text *t;

	if (lang == CLI_LANG_NB)
		return cal_period_words(p, buf);
	t = &units[p.unit][p.n != 1];
	snprintf(buf, CAL_PERIOD_WORDS_LEN, "%d %s", p.n, t->en);
	return buf;
}

const char *
cli_text_kind(enum cli_lang lang, const char *kind)
{
	enum rules_kind k;

	if (!kind || rules_kind_parse(kind, &k) < 0)
		return kind ? kind : "?";
	/* The vocabulary's labels; the English is the short one of listings. */
	return lang == CLI_LANG_EN ? vocab_kind_row(k)->en_short : vocab_kind_row(k)->nb;
}
