/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report: the compliance report's figures per service and month (GetReport, `fristvakt
 * report`), and the statistics and escaping they need. The store fills a struct report
 * from the database (store/report.c); this module judges what needs the rules, adds the
 * totals and makes the JSON reply; the CLI formats it (cli/cli_report.c). No case
 * reference, handler or other personal data is ever part of it: only counts and days.
 *
 * The definitions of the figures are in the README ("Compliance report") and on the HTML
 * page; each figure is counted in the month of one day, named with its field below.
 */
#ifndef FV_REPORT_H
#define FV_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/cal.h"
#include "core/strbuf.h"

struct rules;

/* The longest period a report covers, in calendar months (5 years). */
#define REPORT_MAX_MONTHS 60

/* The figures of one service in one month (or over the whole period). */
struct report_figures {
	int64_t applications;	 /* cases received (day received) */
	int64_t decided;	 /* cases whose first decision was made (day made) */
	int64_t within_norm;	 /* of those: processing norm met */
	int64_t norm_judged;	 /* of those: with a processing norm met or missed */
	int64_t within_11a;	 /* of those: § 11 a month met (decision or preliminary reply) */
	int64_t judged_11a;	 /* of those: with a § 11 a deadline met or missed */
	int64_t oral;		 /* oral decisions where writing was required (day made) */
	int64_t unreasoned;	 /* decisions without the reasons they needed (day made) */
	int64_t late_forwarding; /* forwarding deadlines missed (due day) */
	int64_t missed_promised; /* promised dates missed (due day) */
	int64_t complaints;	 /* complaints (day sent) */
	int64_t complaints_in_time; /* complaint deadlines met by a complaint (day judged) */
	int64_t forwarded_in_time;  /* forwarding deadlines met by forwarding (day sent) */
	int64_t settled_by_office;  /* forwarding deadlines ended by the office's own review
				     * of the complaint, never forwarded (day sent) */
	int64_t norm_missed;	    /* processing-norm deadlines missed (due day) */
	int64_t missed_11a; /* § 11 a months missed: neither decided nor replied (due day) */
	/* Processing days (calendar days from received to decided) of the decided cases. */
	int32_t *days;
	size_t n_days;
	size_t cap_days;
};

/*
 * A decision recorded as oral or without reasons: whether that breached the rules depends
 * on the procedure in force on the day it was made (rules_oral_breach(),
 * rules_unreasoned_breach()).
 */
struct report_decision {
	size_t service;
	int month;
	struct cal_date made;
	char outcome[32];
	bool written;
	bool reasoned;
};

struct report {
	struct cal_date from, to; /* the period, both days included */
	int months;		  /* calendar months from from's to to's, both included */
	char **services;	  /* ids, in the order first seen */
	size_t n_services;
	struct report_figures *cells; /* n_services * months */
	struct report_decision *decisions;
	size_t n_decisions;
	/* Set by the store when a unit was asked for and no case of the register has it. */
	bool unit_unknown;
};

/*
 * The number of calendar months from the month of from to that of to, both included
 * (0 when to is before from).
 */
int report_month_count(struct cal_date from, struct cal_date to);

/* An empty report of the period from..to (1 <= months <= REPORT_MAX_MONTHS). */
void report_init(struct report *r, struct cal_date from, struct cal_date to);
void report_deinit(struct report *r);

/*
 * The figures of service (borrowed; a row is added when new) in the month of day
 * ("YYYY-MM-DD", or "YYYY-MM"), or NULL when that month is outside the period or day is
 * no date. *service_index and *month get where they are, when not NULL.
 */
struct report_figures *report_at(struct report *r, const char *service, const char *day,
				 size_t *service_index, int *month);
/* Adds a case's processing days to f. */
void report_add_days(struct report_figures *f, int32_t days);
/* Notes a decision made on day made with outcome, recorded as oral or without reasons. */
void report_add_decision(struct report *r, const char *service, const char *made,
			 const char *outcome, bool written, bool reasoned);
/*
 * Counts the decisions noted by report_add_decision() as oral_decisions and
 * unreasoned_decisions when they breached the procedure in force on the day they were made,
 * by the same rule as the findings (rules_oral_breach(), rules_unreasoned_breach()).
 */
void report_judge_decisions(struct report *r, const struct rules *rules);

/*
 * The reply of GetReport (new reference): period, months and per service (rules gives the
 * names; a service the rules no longer know has none) each month's figures and the totals.
 * Only services with a figure, unless keep names one to show anyway (may be NULL).
 */
json_t *report_json(const struct report *r, const struct rules *rules, const char *keep);

/*
 * The p-th percentile (1..100) of n values sorted ascending by the nearest-rank method: the
 * value at rank ceil(p/100 * n) (1-based). n must be at least 1.
 */
int32_t report_percentile(const int32_t *sorted, size_t n, int p);

/* num / den, or false when den is 0 (no share: nothing to judge). */
bool report_share(int64_t num, int64_t den, double *out);

/* Appends s as one RFC 4180 field: quoted (quotes doubled) when it holds , " CR or LF. */
void report_csv_field(struct strbuf *b, const char *s);
/* Appends s with & < > " ' escaped, for HTML and SVG text and attribute values. */
void report_html_text(struct strbuf *b, const char *s);

#endif
