// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_cal: the date, period (duration), instant and local-time parsers of cal.h, and the
 * counting built on them.
 *
 * Input: four bytes that pick a start date, a minute of the day and an office closure,
 * then the text given to every parser. Properties:
 * - a date that parses prints back to the same text, survives the day-number round trip
 *   and rolls forward (§ 149) to an open day past closed days only;
 * - a period that parses prints back to the same text; added to a date (§ 148) it lands
 *   exactly n days/weeks or n months/years later (counted back, the day number is kept or
 *   is the last of a shorter month) or is refused with -ERANGE only when it leaves the
 *   supported years;
 * - an instant that parses prints back (RFC 3339 UTC) to text that parses to the same
 *   instant, and to the same text when it was already in that form; it lies within the
 *   local day that cal_date_of_instant names;
 * - a local time of day (cal_local_instant) falls on its day, at or after the minute asked
 *   (or, in a DST gap that reaches midnight, at the start of the next day).
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "core/cal.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Oslo", 1);
	tzset();
	return 0;
}

static bool
same_date(struct cal_date a, struct cal_date b)
{
	return a.year == b.year && a.month == b.month && a.day == b.day;
}

/* Rolls d forward and checks what § 149 promises. */
static void
check_roll(const struct cal_office *office, struct cal_date d)
{
	struct cal_step steps[CAL_MAX_STEPS];
	struct cal_date r;
	size_t n = 0;
	int ret = cal_roll_forward(office, d, &r, steps, CAL_MAX_STEPS, &n);

	if (ret == -ERANGE) {
		/* Only at the end of the supported range (32 closed days in a row cannot happen). */
		FUZZ_CHECK(d.year == CAL_YEAR_MAX, "roll from %04d-%02d-%02d: -ERANGE", d.year,
			   d.month, d.day);
		return;
	}
	FUZZ_CHECK(ret == 0, "roll: %d", ret);
	FUZZ_CHECK(cal_date_valid(r), "roll result invalid");
	FUZZ_CHECK(cal_cmp(r, d) >= 0, "roll went backwards");
	FUZZ_CHECK(!cal_is_closed(office, r, NULL), "rolled onto a closed day");
	FUZZ_CHECK((size_t)cal_diff_days(d, r) == n, "steps %zu, days %d", n,
		   (int)cal_diff_days(d, r));
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(same_date(steps[i].day, cal_add_days(d, (int32_t)i)), "step %zu", i);
		FUZZ_CHECK(steps[i].why && steps[i].why[0], "step %zu without a reason", i);
		FUZZ_CHECK(cal_is_closed(office, steps[i].day, NULL), "skipped an open day");
	}
}

static void
check_date(const char *s, const struct cal_office *office)
{
	char buf[CAL_DATE_LEN];
	struct cal_date d, back;
	int ret = cal_date_parse(s, &d);

	if (ret == -ERANGE) {
		int year = (int)strtol(s, NULL, 10);

		FUZZ_CHECK(strlen(s) >= 10 && (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX),
			   "-ERANGE for '%s'", s);
		return;
	}
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "cal_date_parse: %d", ret);
		return;
	}
	FUZZ_CHECK(cal_date_valid(d), "parsed an invalid date from '%s'", s);
	FUZZ_CHECK(strcmp(cal_date_format(d, buf), s) == 0, "'%s' prints as '%s'", s, buf);
	back = cal_from_days(cal_to_days(d));
	FUZZ_CHECK(same_date(back, d), "day number round trip of '%s'", s);
	FUZZ_CHECK(cal_weekday(d) >= CAL_MONDAY && cal_weekday(d) <= CAL_SUNDAY, "weekday");
	if (cal_holiday_on(d) != CAL_HOLIDAY_NONE)
		FUZZ_CHECK(cal_is_closed(NULL, d, NULL), "a holiday that is open: '%s'", s);
	check_roll(NULL, d);
	check_roll(office, d);
}

static void
check_period(const char *s, struct cal_date from)
{
	char buf[CAL_PERIOD_LEN], words[CAL_PERIOD_WORDS_LEN];
	struct cal_period p;
	struct cal_date out;
	int64_t target;
	int mult, ret;

	if (cal_period_parse(s, &p) < 0)
		return;
	FUZZ_CHECK(p.n >= 0 && p.n <= CAL_PERIOD_MAX, "n %d from '%s'", p.n, s);
	FUZZ_CHECK(strcmp(cal_period_format(p, buf), s) == 0, "'%s' prints as '%s'", s, buf);
	FUZZ_CHECK(strlen(cal_period_words(p, words)) > 2, "words of '%s'", s);
	ret = cal_add_period(from, p, &out);
	switch (p.unit) {
	case CAL_UNIT_DAYS:
	case CAL_UNIT_WEEKS:
		mult = p.unit == CAL_UNIT_WEEKS ? 7 : 1;
		target = (int64_t)cal_to_days(from) + (int64_t)p.n * mult;
		if (ret == -ERANGE) {
			FUZZ_CHECK(target > cal_to_days((struct cal_date){ CAL_YEAR_MAX, 12, 31 }),
				   "'%s' refused inside the range", s);
			return;
		}
		FUZZ_CHECK(ret == 0, "cal_add_period: %d", ret);
		FUZZ_CHECK(cal_diff_days(from, out) == p.n * mult, "'%s' lands %d days later", s,
			   (int)cal_diff_days(from, out));
		FUZZ_CHECK(same_date(cal_add_days(out, -p.n * mult), from), "counted back");
		break;
	case CAL_UNIT_MONTHS:
	case CAL_UNIT_YEARS:
		mult = p.unit == CAL_UNIT_YEARS ? 12 : 1;
		target = (int64_t)from.year * 12 + from.month - 1 + (int64_t)p.n * mult;
		if (ret == -ERANGE) {
			FUZZ_CHECK(target / 12 > CAL_YEAR_MAX, "'%s' refused inside the range", s);
			return;
		}
		FUZZ_CHECK(ret == 0, "cal_add_period: %d", ret);
		FUZZ_CHECK((int64_t)out.year * 12 + out.month - 1 == target, "'%s': wrong month",
			   s);
		/* Counted back: the same day number, or the last day of a shorter month. */
		FUZZ_CHECK(out.day == from.day ||
				   (out.day < from.day &&
				    out.day == cal_days_in_month(out.year, out.month)),
			   "'%s': day %d from %d", s, out.day, from.day);
		FUZZ_CHECK(cal_diff_days(from, out) >= (int64_t)p.n * mult * 28 &&
				   cal_diff_days(from, out) <= (int64_t)p.n * mult * 31,
			   "'%s': %d days", s, (int)cal_diff_days(from, out));
		break;
	}
	FUZZ_CHECK(cal_date_valid(out), "result invalid");
	if (p.n == 0)
		FUZZ_CHECK(same_date(out, from), "a zero period moved the date");
	check_roll(NULL, out);
}

/* Whether s is already RFC 3339 UTC as cal_instant_format writes it. */
static bool
canonical_instant(const char *s)
{
	return strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z' && strcmp(s + 17, "60Z") != 0;
}

static void
check_instant(const char *s)
{
	char buf[CAL_INSTANT_LEN], local[CAL_INSTANT_LEN];
	struct cal_date d;
	int64_t t, t2, start, next;
	int ret = cal_instant_parse(s, &t);

	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ERANGE, "cal_instant_parse: %d", ret);
		return;
	}
	cal_instant_format(t, buf);
	FUZZ_CHECK(cal_instant_parse(buf, &t2) == 0 && t2 == t, "'%s' -> '%s' does not parse back",
		   s, buf);
	if (canonical_instant(s))
		FUZZ_CHECK(strcmp(buf, s) == 0, "'%s' prints as '%s'", s, buf);
	cal_instant_format_local(t, local);
	FUZZ_CHECK(strlen(local) >= 16, "local text '%s'", local);
	if (cal_date_of_instant(t, &d) < 0)
		return;
	FUZZ_CHECK(cal_date_valid(d), "date of instant");
	if (strlen(s) == 10) {
		/* A bare date means the first instant of that day. */
		struct cal_date sd;

		FUZZ_CHECK(cal_date_parse(s, &sd) == 0 && same_date(sd, d), "'%s' lands on %s", s,
			   local);
	}
	if (cal_day_start(d, &start) == 0) {
		FUZZ_CHECK(start <= t, "'%s' before the start of its day", s);
		if (cal_date_valid(cal_add_days(d, 1)) &&
		    cal_day_start(cal_add_days(d, 1), &next) == 0)
			FUZZ_CHECK(t < next, "'%s' after the end of its day", s);
	}
}

static void
check_local(struct cal_date d, int minute)
{
	char buf[CAL_INSTANT_LEN], want[CAL_DATE_LEN];
	struct cal_date back;
	int64_t t;
	int hh, mm;

	if (cal_local_instant(d, minute, &t) < 0)
		return;
	FUZZ_CHECK(cal_date_of_instant(t, &back) == 0, "no date for a local instant");
	if (!same_date(back, d)) {
		/* A gap that reaches midnight (Oslo, 1940-08-10 23:00): the next day's start. */
		int64_t next;

		FUZZ_CHECK(same_date(back, cal_add_days(d, 1)) &&
				   cal_day_start(cal_add_days(d, 1), &next) == 0 && next == t,
			   "%04d-%02d-%02d minute %d left its day", d.year, d.month, d.day, minute);
		return;
	}
	cal_instant_format_local(t, buf);
	cal_date_format(d, want);
	FUZZ_CHECK(strncmp(buf, want, 10) == 0, "'%s' is not on %s", buf, want);
	hh = (buf[11] - '0') * 10 + (buf[12] - '0');
	mm = (buf[14] - '0') * 10 + (buf[15] - '0');
	/* In a DST gap the first instant after it; never earlier, never hours later. */
	FUZZ_CHECK(hh * 60 + mm >= minute && hh * 60 + mm <= minute + 120, "%s for minute %d", buf,
		   minute);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cal_date first = { CAL_YEAR_MIN, 1, 1 };
	static const struct cal_date last = { CAL_YEAR_MAX, 12, 31 };
	struct cal_closure closure = { 0, 1, 1, (char *)"fuzz closure" };
	struct cal_office office = { (char *)"fuzz", &closure, 1 };
	uint32_t k;
	struct cal_date from;
	char *s;

	if (size < 4)
		return 0;
	k = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 24;
	from = cal_from_days(cal_to_days(first) +
			     (int32_t)(k % (uint32_t)(cal_diff_days(first, last) + 1)));
	closure.month = (int)(k % 12) + 1;
	closure.day = (int)((k >> 8) % 31) + 1;
	closure.year = (k >> 16) & 1 ? from.year : 0;
	s = fuzz_strndup(data + 4, size - 4);
	check_date(s, &office);
	check_period(s, from);
	check_instant(s);
	check_local(from, (int)((k >> 12) % 1440));
	free(s);
	return 0;
}
