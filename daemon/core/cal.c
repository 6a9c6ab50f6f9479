// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cal: civil dates, the Norwegian legal calendar and deadline counting (see cal.h and
 * the README, "The law as fristvakt reads it").
 *
 * Dates are converted to a day number with Howard Hinnant's days_from_civil algorithm, so
 * all date arithmetic is exact integer arithmetic with no dependency on the C library's
 * time functions. Easter is computed (Anonymous Gregorian / Meeus-Jones-Butcher); there is
 * no year table. Only the instant functions touch process state: they read the zone
 * through tzset() and localtime_r(), and deliberately avoid mktime(), whose choice in a
 * DST overlap depends on earlier calls (glibc keeps state between them). Instead the start of a day
 * is found by probing UTC offsets with localtime_r(), which is unambiguous.
 */
#include "core/cal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* Widest UTC offset we assume any zone uses (real zones stay within -12 h .. +14 h). */
#define MAX_UTC_OFFSET (26 * 3600)

/* The weekdays' and holidays' names in bokmål (lower case but for a name) and English. */
static const struct {
	const char *nb, *en;
} weekday_names[] = {
	[CAL_MONDAY] = { "mandag", "Monday" },	     [CAL_TUESDAY] = { "tirsdag", "Tuesday" },
	[CAL_WEDNESDAY] = { "onsdag", "Wednesday" }, [CAL_THURSDAY] = { "torsdag", "Thursday" },
	[CAL_FRIDAY] = { "fredag", "Friday" },	     [CAL_SATURDAY] = { "lørdag", "Saturday" },
	[CAL_SUNDAY] = { "søndag", "Sunday" },
};

static const struct {
	const char *nb, *en;
} holiday_names[] = {
	[CAL_HOLIDAY_NONE] = { "", "" },
	[CAL_NYTTARSDAG] = { "nyttårsdag", "New Year's Day" },
	[CAL_SKJAERTORSDAG] = { "skjærtorsdag", "Maundy Thursday" },
	[CAL_LANGFREDAG] = { "langfredag", "Good Friday" },
	[CAL_FORSTE_PASKEDAG] = { "første påskedag", "Easter Sunday" },
	[CAL_ANNEN_PASKEDAG] = { "annen påskedag", "Easter Monday" },
	[CAL_OFFENTLIG_HOYTIDSDAG] = { "offentlig høytidsdag", "Labour Day" },
	[CAL_GRUNNLOVSDAG] = { "grunnlovsdag", "Constitution Day" },
	[CAL_KRISTI_HIMMELFARTSDAG] = { "Kristi himmelfartsdag", "Ascension Day" },
	[CAL_FORSTE_PINSEDAG] = { "første pinsedag", "Whit Sunday" },
	[CAL_ANNEN_PINSEDAG] = { "annen pinsedag", "Whit Monday" },
	[CAL_FORSTE_JULEDAG] = { "første juledag", "Christmas Day" },
	[CAL_ANNEN_JULEDAG] = { "annen juledag", "Boxing Day" },
};

/* Movable holidays as days after Easter Sunday, in enum order. */
static const struct {
	enum cal_holiday holiday;
	int offset;
} movable[] = {
	{ CAL_SKJAERTORSDAG, -3 },	   { CAL_LANGFREDAG, -2 },
	{ CAL_FORSTE_PASKEDAG, 0 },	   { CAL_ANNEN_PASKEDAG, 1 },
	{ CAL_KRISTI_HIMMELFARTSDAG, 39 }, { CAL_FORSTE_PINSEDAG, 49 },
	{ CAL_ANNEN_PINSEDAG, 50 },
};

/* Fixed-date holidays, in enum order. */
static const struct {
	enum cal_holiday holiday;
	int month;
	int day;
} fixed[] = {
	{ CAL_NYTTARSDAG, 1, 1 },      { CAL_OFFENTLIG_HOYTIDSDAG, 5, 1 },
	{ CAL_GRUNNLOVSDAG, 5, 17 },   { CAL_FORSTE_JULEDAG, 12, 25 },
	{ CAL_ANNEN_JULEDAG, 12, 26 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int32_t
cal_to_days(struct cal_date d)
{
	return (int32_t)days_from_civil(d.year, d.month, d.day);
}

struct cal_date
cal_from_days(int32_t days)
{
	struct cal_date d;
	int64_t y;

	civil_from_days(days, &y, &d.month, &d.day);
	d.year = (int)y;
	return d;
}

bool
cal_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
cal_days_in_month(int year, int month)
{
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cal_is_leap(year))
		return 29;
	return len[month - 1];
}

bool
cal_date_valid(struct cal_date d)
{
	return d.year >= CAL_YEAR_MIN && d.year <= CAL_YEAR_MAX && d.month >= 1 && d.month <= 12 &&
	       d.day >= 1 && d.day <= cal_days_in_month(d.year, d.month);
}

enum cal_weekday
cal_weekday(struct cal_date d)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int64_t wd = (days_from_civil(d.year, d.month, d.day) + 3) % 7;

	if (wd < 0)
		wd += 7;
	return (enum cal_weekday)(wd + 1);
}

const char *
cal_weekday_name(enum cal_weekday wd)
{
	if (wd < CAL_MONDAY || wd > CAL_SUNDAY)
		return "?";
	return weekday_names[wd].nb;
}

const char *
cal_weekday_name_en(enum cal_weekday wd)
{
	if (wd < CAL_MONDAY || wd > CAL_SUNDAY)
		return "?";
	return weekday_names[wd].en;
}

int
cal_cmp(struct cal_date a, struct cal_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

struct cal_date
cal_add_days(struct cal_date d, int32_t n)
{
	int64_t days = days_from_civil(d.year, d.month, d.day) + n;

	/* Saturate rather than overflow; such a date is never valid anyway. */
	if (days > INT32_MAX)
		days = INT32_MAX;
	if (days < INT32_MIN)
		days = INT32_MIN;
	return cal_from_days((int32_t)days);
}

int32_t
cal_diff_days(struct cal_date a, struct cal_date b)
{
	return cal_to_days(b) - cal_to_days(a);
}

/* Exactly n ASCII digits at s; stops at the first non-digit, so never reads past a NUL. */
static bool
parse_digits(const char *s, int n, int *out)
{
	int v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * "YYYY-MM-DD" at the start of s, with no check of what follows. slack widens the year
 * range by that many years on each side (an RFC 3339 instant in UTC can fall on the day
 * before or after the supported local dates).
 */
static int
parse_date_prefix(const char *s, struct cal_date *out, int slack)
{
	struct cal_date d;

	if (!parse_digits(s, 4, &d.year) || s[4] != '-' || !parse_digits(s + 5, 2, &d.month) ||
	    s[7] != '-' || !parse_digits(s + 8, 2, &d.day))
		return -EINVAL;
	if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > cal_days_in_month(d.year, d.month))
		return -EINVAL;
	if (d.year < CAL_YEAR_MIN - slack || d.year > CAL_YEAR_MAX + slack)
		return -ERANGE;
	*out = d;
	return 0;
}

int
cal_date_parse(const char *s, struct cal_date *out)
{
	struct cal_date d;
	int err = -EINVAL;

	if (!s || !out)
		goto out;
	err = parse_date_prefix(s, &d, 0);
	if (err)
		goto out;
	if (s[10] != '\0') {
		err = -EINVAL;
		goto out;
	}
	*out = d;
out:
	return err;
}

/* v (0 <= v < 10^width) as width decimal digits, zero-padded, no terminator. */
static void
put_digits(char *out, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *
cal_date_format(struct cal_date d, char *buf)
{
	/* By hand: the engine formats dozens of dates per event (snprintf was 5 % of a
	 * registration, measured). The modulus keeps any input in the widths; valid dates
	 * never need it. */
	int y = (d.year % 10000 + 10000) % 10000;
	int m = (d.month % 100 + 100) % 100;
	int dd = (d.day % 100 + 100) % 100;

	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, dd, 2);
	buf[10] = '\0';
	return buf;
}

struct cal_date
cal_easter(int year)
{
	/* Anonymous Gregorian algorithm (Meeus, Astronomical Algorithms, ch. 8). */
	int a = year % 19;
	int b = year / 100;
	int c = year % 100;
	int d = b / 4;
	int e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4;
	int k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	struct cal_date easter;

	easter.year = year;
	easter.month = (h + l - 7 * m + 114) / 31;
	easter.day = (h + l - 7 * m + 114) % 31 + 1;
	return easter;
}

/*
 * 1 May or 17 May can fall on Kristi himmelfartsdag or annen pinsedag (17 May 2027 is
 * annen pinsedag). The fixed-date days are checked first, so such a day is named after the
 * constitutional or public holiday that every calendar prints for it.
 */
enum cal_holiday
cal_holiday_on(struct cal_date d)
{
	enum cal_holiday h = CAL_HOLIDAY_NONE;
	int64_t diff;
	size_t i;

	if (!cal_date_valid(d))
		goto out;
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (fixed[i].month == d.month && fixed[i].day == d.day) {
			h = fixed[i].holiday;
			goto out;
		}
	}
	/* Movable holidays lie between 19 March and 14 June. */
	if (d.month < 3 || d.month > 6)
		goto out;
	diff = days_from_civil(d.year, d.month, d.day) - cal_to_days(cal_easter(d.year));
	for (i = 0; i < ARRAY_SIZE(movable); i++) {
		if (movable[i].offset == diff) {
			h = movable[i].holiday;
			goto out;
		}
	}
out:
	return h;
}

const char *
cal_holiday_name(enum cal_holiday h)
{
	if (h < CAL_HOLIDAY_NONE || h >= CAL_HOLIDAY_COUNT)
		return "?";
	return holiday_names[h].nb;
}

const char *
cal_holiday_name_en(enum cal_holiday h)
{
	if (h < CAL_HOLIDAY_NONE || h >= CAL_HOLIDAY_COUNT)
		return "?";
	return holiday_names[h].en;
}

size_t
cal_holidays(int year, struct cal_holiday_entry out[CAL_HOLIDAY_COUNT])
{
	struct cal_holiday_entry tmp;
	struct cal_date easter = cal_easter(year);
	size_t n = 0;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		out[n].date = (struct cal_date){ year, fixed[i].month, fixed[i].day };
		out[n].holiday = fixed[i].holiday;
		n++;
	}
	for (i = 0; i < ARRAY_SIZE(movable); i++) {
		out[n].date = cal_add_days(easter, movable[i].offset);
		out[n].holiday = movable[i].holiday;
		n++;
	}
	/* Insertion sort by date, then by enum order where two holidays share a day. */
	for (i = 1; i < n; i++) {
		tmp = out[i];
		j = i;
		while (j > 0) {
			int c = cal_cmp(out[j - 1].date, tmp.date);

			if (c < 0 || (c == 0 && out[j - 1].holiday < tmp.holiday))
				break;
			out[j] = out[j - 1];
			j--;
		}
		out[j] = tmp;
	}
	return n;
}

static const char *
office_closure(const struct cal_office *office, struct cal_date d)
{
	const struct cal_closure *c;
	size_t i;

	for (i = 0; i < office->n_closures; i++) {
		c = &office->closures[i];
		if ((c->year == 0 || c->year == d.year) && c->month == d.month && c->day == d.day) {
			if (c->name)
				return c->name;
			return office->name ? office->name : "stengt";
		}
	}
	return NULL;
}

bool
cal_is_closed(const struct cal_office *office, struct cal_date d, const char **why)
{
	const char *reason = NULL;
	enum cal_holiday h;
	enum cal_weekday wd;

	if (!cal_date_valid(d))
		goto out;
	/* A holiday on a Sunday is reported as the holiday: it is the more telling reason. */
	h = cal_holiday_on(d);
	if (h != CAL_HOLIDAY_NONE) {
		reason = cal_holiday_name(h);
		goto out;
	}
	wd = cal_weekday(d);
	if (wd == CAL_SATURDAY || wd == CAL_SUNDAY) {
		reason = cal_weekday_name(wd);
		goto out;
	}
	if (office && office->closures)
		reason = office_closure(office, d);
out:
	if (why)
		*why = reason;
	return reason != NULL;
}

int
cal_period_parse(const char *s, struct cal_period *out)
{
	struct cal_period p = { 0, CAL_UNIT_DAYS };
	size_t i = 0;
	int err = -EINVAL;

	if (!s || !out)
		goto out;
	/* 1 to 4 digits, no sign, no leading zero except "0" itself. */
	while (s[i] >= '0' && s[i] <= '9') {
		if (i == 4 || (i == 1 && s[0] == '0'))
			goto out;
		p.n = p.n * 10 + (s[i] - '0');
		i++;
	}
	if (i == 0)
		goto out;
	switch (s[i]) {
	case 'd':
		p.unit = CAL_UNIT_DAYS;
		break;
	case 'w':
		p.unit = CAL_UNIT_WEEKS;
		break;
	case 'm':
		p.unit = CAL_UNIT_MONTHS;
		break;
	case 'y':
		p.unit = CAL_UNIT_YEARS;
		break;
	default:
		goto out;
	}
	if (s[i + 1] != '\0')
		goto out;
	*out = p;
	err = 0;
out:
	return err;
}

static char
unit_letter(enum cal_unit u)
{
	switch (u) {
	case CAL_UNIT_DAYS:
		return 'd';
	case CAL_UNIT_WEEKS:
		return 'w';
	case CAL_UNIT_MONTHS:
		return 'm';
	case CAL_UNIT_YEARS:
		return 'y';
	}
	return '?';
}

char *
cal_period_format(struct cal_period p, char *buf)
{
	snprintf(buf, CAL_PERIOD_LEN, "%d%c", p.n, unit_letter(p.unit));
	return buf;
}

char *
cal_period_words(struct cal_period p, char *buf)
{
	const char *word = "?";
	bool one = p.n == 1;

	switch (p.unit) {
	case CAL_UNIT_DAYS:
		word = one ? "dag" : "dager";
		break;
	case CAL_UNIT_WEEKS:
		word = one ? "uke" : "uker";
		break;
	case CAL_UNIT_MONTHS:
		word = one ? "måned" : "måneder";
		break;
	case CAL_UNIT_YEARS:
		word = "år";
		break;
	}
	snprintf(buf, CAL_PERIOD_WORDS_LEN, "%d %s", p.n, word);
	return buf;
}

static bool
period_valid(struct cal_period p)
{
	if (p.n < 0 || p.n > CAL_PERIOD_MAX)
		return false;
	switch (p.unit) {
	case CAL_UNIT_DAYS:
	case CAL_UNIT_WEEKS:
	case CAL_UNIT_MONTHS:
	case CAL_UNIT_YEARS:
		return true;
	}
	return false;
}

/*
 * Also returns -EINVAL for an invalid from date or period (an addition to cal.h's
 * contract, which only names -ERANGE).
 */
int
cal_add_period(struct cal_date from, struct cal_period p, struct cal_date *out)
{
	struct cal_date d;
	int64_t months, days;
	int err = -EINVAL;

	if (!out || !cal_date_valid(from) || !period_valid(p))
		goto out;
	switch (p.unit) {
	case CAL_UNIT_DAYS:
	case CAL_UNIT_WEEKS:
		days = days_from_civil(from.year, from.month, from.day) +
		       (int64_t)p.n * (p.unit == CAL_UNIT_WEEKS ? 7 : 1);
		d = cal_from_days((int32_t)days);
		break;
	case CAL_UNIT_MONTHS:
	case CAL_UNIT_YEARS:
		months = (int64_t)from.year * 12 + (from.month - 1) +
			 (int64_t)p.n * (p.unit == CAL_UNIT_YEARS ? 12 : 1);
		d.year = (int)(months / 12);
		d.month = (int)(months % 12) + 1;
		/* § 148: a month without that day number ends on its last day. */
		d.day = from.day;
		if (d.year <= CAL_YEAR_MAX && d.day > cal_days_in_month(d.year, d.month))
			d.day = cal_days_in_month(d.year, d.month);
		break;
	}
	if (!cal_date_valid(d)) {
		err = -ERANGE;
		goto out;
	}
	*out = d;
	err = 0;
out:
	return err;
}

/*
 * *n_steps gets the number of days skipped; at most max_steps of them are written, and
 * steps may be NULL when max_steps is 0. With max_steps >= CAL_MAX_STEPS every step fits.
 * Also -EINVAL for an invalid d or a NULL out.
 */
int
cal_roll_forward(const struct cal_office *office, struct cal_date d, struct cal_date *out,
		 struct cal_step *steps, size_t max_steps, size_t *n_steps)
{
	const char *why;
	size_t n = 0;
	int err = -EINVAL;

	if (n_steps)
		*n_steps = 0;
	if (!out || !cal_date_valid(d))
		goto out;
	if (!steps)
		max_steps = 0;
	err = -ERANGE;
	while (cal_is_closed(office, d, &why)) {
		if (n == CAL_MAX_STEPS)
			goto out;
		if (n < max_steps) {
			steps[n].day = d;
			steps[n].why = why;
		}
		n++;
		d = cal_add_days(d, 1);
		if (!cal_date_valid(d))
			goto out;
	}
	*out = d;
	if (n_steps)
		*n_steps = n;
	err = 0;
out:
	return err;
}

void
cal_office_deinit(struct cal_office *office)
{
	size_t i;

	if (!office)
		return;
	for (i = 0; i < office->n_closures; i++)
		free(office->closures[i].name);
	free(office->closures);
	free(office->name);
	office->closures = NULL;
	office->n_closures = 0;
	office->name = NULL;
}

/* Instants far enough outside the supported years are refused before any libc call. */
static bool
instant_in_range(int64_t t)
{
	int64_t lo = (days_from_civil(CAL_YEAR_MIN, 1, 1) - 3) * SECS_PER_DAY;
	int64_t hi = (days_from_civil(CAL_YEAR_MAX, 12, 31) + 4) * SECS_PER_DAY;

	return t >= lo && t < hi;
}

/* Local wall-clock time of t in the zone, as seconds since 1970-01-01 00:00 local. */
static int
local_seconds(int64_t t, int64_t *loc, struct tm *tm)
{
	time_t tt = (time_t)t;

	if (!instant_in_range(t) || (int64_t)tt != t || !localtime_r(&tt, tm))
		return -ERANGE;
	*loc = days_from_civil((int64_t)tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday) *
		       SECS_PER_DAY +
	       tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
	return 0;
}

static int
utc_offset(int64_t t, int64_t *off)
{
	struct tm tm;
	int64_t loc;
	int err;

	err = local_seconds(t, &loc, &tm);
	if (!err)
		*off = loc - t;
	return err;
}

int
cal_date_of_instant(int64_t t, struct cal_date *out)
{
	struct tm tm;
	struct cal_date d;
	int64_t loc;
	int err = -EINVAL;

	if (!out)
		goto out;
	tzset();
	err = local_seconds(t, &loc, &tm);
	if (err)
		goto out;
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	if (!cal_date_valid(d)) {
		err = -ERANGE;
		goto out;
	}
	*out = d;
out:
	return err;
}

/*
 * The first instant t whose local time is at or after 00:00 on d. Walk forward from an
 * instant surely on an earlier day: with the offset seen at t, local midnight would be at
 * midnight - off. If the offset there is the same, that is the answer. Otherwise find the
 * transition by bisection: if the clock jumps past midnight there (a gap at midnight), the
 * day starts at the transition; if not (a fall-back), continue from the transition. In an
 * overlap this reaches the earlier of the two midnights, as required.
 */
/*
 * The first instant whose local wall-clock time is at or after local (seconds of the civil
 * calendar, as if UTC): in a DST gap the first instant after it, in an overlap the earlier.
 */
static int
first_local_at_or_after(int64_t midnight, int64_t *out)
{
	int64_t t, next, lo, hi, mid, off, off2;
	int err = -EINVAL;
	int round;

	tzset();
	t = midnight - SECS_PER_DAY - MAX_UTC_OFFSET;
	err = utc_offset(t, &off);
	if (err)
		goto out;
	for (round = 0; round < 16; round++) {
		next = midnight - off;
		err = utc_offset(next, &off2);
		if (err)
			goto out;
		if (off2 == off) {
			*out = next;
			goto out;
		}
		lo = t;
		hi = next;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			err = utc_offset(mid, &off2);
			if (err)
				goto out;
			if (off2 == off)
				lo = mid;
			else
				hi = mid;
		}
		err = utc_offset(hi, &off2);
		if (err)
			goto out;
		if (hi + off2 >= midnight) {
			*out = hi;
			goto out;
		}
		t = hi;
		off = off2;
	}
	err = -ERANGE;
out:
	return err;
}

int
cal_day_start(struct cal_date d, int64_t *out)
{
	if (!out || !cal_date_valid(d))
		return -EINVAL;
	return first_local_at_or_after(days_from_civil(d.year, d.month, d.day) * SECS_PER_DAY, out);
}

int
cal_local_instant(struct cal_date d, int minute, int64_t *out)
{
	if (!out || !cal_date_valid(d) || minute < 0 || minute >= 24 * 60)
		return -EINVAL;
	return first_local_at_or_after(
		days_from_civil(d.year, d.month, d.day) * SECS_PER_DAY + (int64_t)minute * 60, out);
}

/*
 * The time of day of an RFC 3339 instant at p, "Thh:mm:ss" with an optional fraction: its
 * seconds since midnight in *secs. "T" may be lower case, the fraction is truncated and a
 * leap second (:60) reads as :59 so that it stays on its own day. The text after it, or
 * NULL when p does not start with such a time.
 */
static const char *
parse_time_of_day(const char *p, int64_t *secs)
{
	int hh, mm, ss;

	if ((p[0] != 'T' && p[0] != 't') || !parse_digits(p + 1, 2, &hh) || p[3] != ':' ||
	    !parse_digits(p + 4, 2, &mm) || p[6] != ':' || !parse_digits(p + 7, 2, &ss))
		return NULL;
	if (hh > 23 || mm > 59 || ss > 60)
		return NULL;
	if (ss == 60)
		ss = 59;
	p += 9;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*secs = hh * 3600 + mm * 60 + ss;
	return p;
}

/*
 * The offset of an RFC 3339 instant at p, "Z" (or "z") or "+hh:mm" / "-hh:mm": seconds
 * east of UTC in *off. The text after it, or NULL when p does not start with one.
 */
static const char *
parse_utc_offset(const char *p, int64_t *off)
{
	int oh, om;

	if (*p == 'Z' || *p == 'z') {
		*off = 0;
		return p + 1;
	}
	if (*p != '+' && *p != '-')
		return NULL;
	if (!parse_digits(p + 1, 2, &oh) || p[3] != ':' || !parse_digits(p + 4, 2, &om))
		return NULL;
	if (oh > 23 || om > 59)
		return NULL;
	*off = (int64_t)oh * 3600 + om * 60;
	if (*p == '-')
		*off = -*off;
	return p + 6;
}

/* RFC 3339 (section 5.6), a date alone meaning the start of that day in the zone. */
int
cal_instant_parse(const char *s, int64_t *out)
{
	struct cal_date d;
	const char *p;
	int64_t secs = 0, off = 0, t;
	int err;

	if (!s || !out)
		return -EINVAL;
	err = parse_date_prefix(s, &d, 1);
	if (err)
		return err;
	if (s[10] == '\0') {
		if (d.year < CAL_YEAR_MIN || d.year > CAL_YEAR_MAX)
			return -ERANGE;
		return cal_day_start(d, out);
	}
	p = parse_time_of_day(s + 10, &secs);
	if (p)
		p = parse_utc_offset(p, &off);
	if (!p || *p != '\0')
		return -EINVAL;
	t = days_from_civil(d.year, d.month, d.day) * SECS_PER_DAY + secs - off;
	/*
	 * In range means on a supported civil date in the zone, as for cal_date_of_instant:
	 * then what cal_instant_format prints (UTC, possibly a day outside) parses back.
	 */
	if (cal_date_of_instant(t, &d) < 0)
		return -ERANGE;
	*out = t;
	return 0;
}

char *
cal_instant_format(int64_t t, char *buf)
{
	int64_t days, secs, year;
	int month, day;

	/* Clamp to years 0..9999 so the text always fits; real instants are far inside. */
	if (t < days_from_civil(0, 1, 1) * SECS_PER_DAY)
		t = days_from_civil(0, 1, 1) * SECS_PER_DAY;
	if (t > days_from_civil(10000, 1, 1) * SECS_PER_DAY - 1)
		t = days_from_civil(10000, 1, 1) * SECS_PER_DAY - 1;
	days = floor_div(t, SECS_PER_DAY);
	secs = t - days * SECS_PER_DAY;
	civil_from_days(days, &year, &month, &day);
	/* After the clamp the modulus changes nothing. */
	put_digits(buf, (int)(year % 10000), 4);
	buf[4] = '-';
	put_digits(buf + 5, month % 100, 2);
	buf[7] = '-';
	put_digits(buf + 8, day % 100, 2);
	buf[10] = 'T';
	put_digits(buf + 11, (int)(secs / 3600 % 24), 2);
	buf[13] = ':';
	put_digits(buf + 14, (int)(secs / 60 % 60), 2);
	buf[16] = ':';
	put_digits(buf + 17, (int)(secs % 60), 2);
	buf[19] = 'Z';
	buf[20] = '\0';
	return buf;
}

char *
cal_instant_format_local(int64_t t, char *buf)
{
	struct tm tm;
	int64_t loc;

	tzset();
	if (local_seconds(t, &loc, &tm))
		return cal_instant_format(t, buf);
	/* The year is in range here; the modulus only bounds the width for the compiler. */
	snprintf(buf, CAL_INSTANT_LEN, "%04d-%02d-%02d %02d:%02d", (tm.tm_year + 1900) % 10000,
		 (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100);
	return buf;
}
