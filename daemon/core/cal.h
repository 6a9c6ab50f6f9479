/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cal: civil dates and the Norwegian legal calendar.
 *
 * Pure code: no I/O, no clock. Dates are proleptic Gregorian civil dates; the supported range
 * is CAL_YEAR_MIN..CAL_YEAR_MAX. Counting follows domstolloven §§ 148-149 (README, "The law"):
 * the start day is not counted, weeks end on the same weekday, months on the same day number
 * or the last day of a shorter month, and a last day that is a Saturday, Sunday, public
 * holiday, 1 May or 17 May rolls forward to the next day that is none of these.
 *
 * The only functions that depend on process state are the instant <-> civil date
 * conversions, which use the process time zone (TZ, set once at start-up before any thread).
 */
#ifndef FV_CAL_H
#define FV_CAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAL_YEAR_MIN 1900
#define CAL_YEAR_MAX 2200

/* A civil date. Valid only when cal_date_valid() says so. */
struct cal_date {
	int year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

/* ISO weekday numbers. */
enum cal_weekday {
	CAL_MONDAY = 1,
	CAL_TUESDAY,
	CAL_WEDNESDAY,
	CAL_THURSDAY,
	CAL_FRIDAY,
	CAL_SATURDAY,
	CAL_SUNDAY,
};

/* The public holidays of helligdagsloven § 2 and the 1947 law on 1 and 17 May. */
enum cal_holiday {
	CAL_HOLIDAY_NONE = 0,
	CAL_NYTTARSDAG,
	CAL_SKJAERTORSDAG,
	CAL_LANGFREDAG,
	CAL_FORSTE_PASKEDAG,
	CAL_ANNEN_PASKEDAG,
	CAL_OFFENTLIG_HOYTIDSDAG, /* 1 May */
	CAL_GRUNNLOVSDAG,	  /* 17 May */
	CAL_KRISTI_HIMMELFARTSDAG,
	CAL_FORSTE_PINSEDAG,
	CAL_ANNEN_PINSEDAG,
	CAL_FORSTE_JULEDAG,
	CAL_ANNEN_JULEDAG,
	CAL_HOLIDAY_COUNT,
};

struct cal_holiday_entry {
	struct cal_date date;
	enum cal_holiday holiday;
};

enum cal_unit {
	CAL_UNIT_DAYS,
	CAL_UNIT_WEEKS,
	CAL_UNIT_MONTHS,
	CAL_UNIT_YEARS,
};

/* A period such as "3w", "14d", "1m", "1y". n is 0..CAL_PERIOD_MAX. */
#define CAL_PERIOD_MAX 9999
struct cal_period {
	int n;
	enum cal_unit unit;
};

/* One closed day of an office calendar: every year (year == 0) or one specific date. */
struct cal_closure {
	int year; /* 0: every year */
	int month;
	int day;
	char *name; /* owned by the calendar, e.g. "julaften" */
};

/*
 * An office calendar: extra closed days beyond the legal ones. It moves a deadline only
 * where a rule names it: 24 and 31 December are working days in law.
 */
struct cal_office {
	char *name;
	struct cal_closure *closures;
	size_t n_closures;
};

/* One day skipped by roll-over: the day and why it is not a working day. */
struct cal_step {
	struct cal_date day;
	const char *why; /* borrowed: static text or the office calendar's closure name */
};

#define CAL_MAX_STEPS 32

/* Days since 1970-01-01 (negative before) <-> civil date. */
int32_t cal_to_days(struct cal_date d);
struct cal_date cal_from_days(int32_t days);

bool cal_date_valid(struct cal_date d);
int cal_days_in_month(int year, int month);
bool cal_is_leap(int year);
enum cal_weekday cal_weekday(struct cal_date d);
/* Norwegian weekday name, lower case ("mandag"); English ("Monday"). "?" out of range. */
const char *cal_weekday_name(enum cal_weekday wd);
const char *cal_weekday_name_en(enum cal_weekday wd);
/* -1, 0, 1 as a is before, equal to, after b. */
int cal_cmp(struct cal_date a, struct cal_date b);
struct cal_date cal_add_days(struct cal_date d, int32_t n);
/* b - a in days. */
int32_t cal_diff_days(struct cal_date a, struct cal_date b);

/* Strict "YYYY-MM-DD" (exactly that, in range): 0 or -EINVAL, -ERANGE (year out of range). */
int cal_date_parse(const char *s, struct cal_date *out);
/* Writes "YYYY-MM-DD" and a NUL; buf must hold CAL_DATE_LEN bytes. Returns buf. */
#define CAL_DATE_LEN 11
char *cal_date_format(struct cal_date d, char *buf);

/* Easter Sunday by the Gregorian computus (valid 1583..4099). */
struct cal_date cal_easter(int year);

/* The holiday on d, or CAL_HOLIDAY_NONE. */
enum cal_holiday cal_holiday_on(struct cal_date d);
/* Norwegian name of a holiday ("grunnlovsdag", "annen påskedag"). */
const char *cal_holiday_name(enum cal_holiday h);
/* The same in English ("Easter Monday"). */
const char *cal_holiday_name_en(enum cal_holiday h);
/* All holidays of a year in date order; returns the count (CAL_HOLIDAY_COUNT - 1). */
size_t cal_holidays(int year, struct cal_holiday_entry out[CAL_HOLIDAY_COUNT]);

/*
 * Whether d is a legal non-working day (Saturday, Sunday, holiday) or, when office is not
 * NULL, a closed day of that office. *why, when not NULL, gets the reason of the first match.
 */
bool cal_is_closed(const struct cal_office *office, struct cal_date d, const char **why);

/* "3w", "14d", "1m", "1y": 0 or -EINVAL. */
int cal_period_parse(const char *s, struct cal_period *out);
/* Writes e.g. "3w"; buf must hold CAL_PERIOD_LEN bytes. Returns buf. */
#define CAL_PERIOD_LEN 16
char *cal_period_format(struct cal_period p, char *buf);
/* Norwegian words, e.g. "3 uker", "1 måned"; buf of CAL_PERIOD_WORDS_LEN bytes. */
#define CAL_PERIOD_WORDS_LEN 32
char *cal_period_words(struct cal_period p, char *buf);

/*
 * The raw end of a period counted from d under domstolloven § 148 (start day not counted,
 * no roll-over). 0, or -ERANGE when the result falls outside the supported range.
 */
int cal_add_period(struct cal_date from, struct cal_period p, struct cal_date *out);

/*
 * Roll d forward under § 149 to the first day that is not closed (legal days, plus the
 * office's closures when office is not NULL). Each skipped day is written to steps (up to
 * max_steps); *n_steps gets the count. 0, or -ERANGE when more than CAL_MAX_STEPS days in a
 * row are closed or the result leaves the supported range.
 */
int cal_roll_forward(const struct cal_office *office, struct cal_date d, struct cal_date *out,
		     struct cal_step *steps, size_t max_steps, size_t *n_steps);

/* Frees the closures and name of an office calendar (the struct itself is the caller's). */
void cal_office_deinit(struct cal_office *office);

/*
 * Instants. Unix seconds (UTC) <-> civil dates in the process time zone.
 * cal_date_of_instant: 0 or -ERANGE.
 * cal_day_start: the first instant of the civil day d in the zone (handles DST gaps).
 * cal_instant_parse: RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", or a date
 *   "YYYY-MM-DD" meaning the start of that day in the zone. 0 or -EINVAL / -ERANGE.
 * cal_instant_format: RFC 3339 in UTC ("2026-03-02T09:15:00Z"), buf of CAL_INSTANT_LEN.
 * cal_instant_format_local: "2026-03-02 10:15" in the zone, buf of CAL_INSTANT_LEN.
 */
#define CAL_INSTANT_LEN 32
int cal_date_of_instant(int64_t t, struct cal_date *out);
int cal_day_start(struct cal_date d, int64_t *out);
/*
 * The instant of local time minute (0..1439 minutes after midnight) on day d: in a DST gap
 * the first instant after it, in an overlap the earlier of the two. 0 or -EINVAL/-ERANGE.
 */
int cal_local_instant(struct cal_date d, int minute, int64_t *out);
int cal_instant_parse(const char *s, int64_t *out);
char *cal_instant_format(int64_t t, char *buf);
char *cal_instant_format_local(int64_t t, char *buf);

#endif
