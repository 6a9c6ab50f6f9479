// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * report: the compliance report's figures read from the database (see store.h and
 * core/report.h), on a read-only connection of its own inside one read transaction, so
 * that it can run on a worker thread while the daemon serves and sees one snapshot.
 *
 * Days are civil dates in the daemon's zone: SQLite's 'localtime' follows TZ, which the
 * daemon sets to the configured zone before any thread starts. Only the current version
 * of an event counts (one no other event supersedes). Deadlines are read as stored: the
 * engine's states and met days, never the law computed again.
 */
#include "store/store.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/report.h"
#include "core/util.h"
#include "store/store_impl.h"

/* The cases a report covers: the service and unit filters (NULL: all). */
#define CASES_FILTER "(:svc IS NULL OR c.service = :svc) AND (:unit IS NULL OR c.unit = :unit)"
#define LOCAL_DAY(x) "date(" x ", 'unixepoch', 'localtime')"
#define CURRENT(e)   "NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = " e ".id)"
/* A deadline missed: stored as missed, or still open after its day (as of :today). */
#define MISSED "(d.state = 'missed' OR (d.state = 'open' AND d.due < :today))"
/*
 * A forwarding deadline d met by forwarding the complaint: a current 'forwarded' event of
 * the case on the day it was met. The engine also marks it met when the office's own
 * review ends the duty (the rules' forwarding_ended_by): then there is none.
 */
#define FORWARDED                                                                                  \
	"EXISTS (SELECT 1 FROM events f WHERE f.case_id = d.case_id AND f.type = 'forwarded' "     \
	"AND " CURRENT("f") " AND " LOCAL_DAY("f.occurred") " = d.met_on)"

/* A count per service and month ('YYYY-MM') added to one member of the figures. */
struct count_query {
	const char *sql;
	size_t member; /* offsetof(struct report_figures, ...) */
};

static const struct count_query counts[] = {
	{ "SELECT c.service, substr(" LOCAL_DAY(
		  "c.received") ", 1, 7) AS m, count(*) "
				"FROM cases c WHERE " LOCAL_DAY(
					"c.received") " BETWEEN :from AND :to AND " CASES_FILTER
						      " GROUP BY c.service, m",
	  offsetof(struct report_figures, applications) },
	{ "SELECT c.service, substr(d.due, 1, 7) AS m, count(*) FROM deadlines d "
	  "JOIN cases c ON c.id = d.case_id WHERE d.kind = 'forwarding' AND (d.state = 'missed' "
	  "OR (d.state = 'open' AND d.due < :today)) AND d.due BETWEEN :from AND :to AND " CASES_FILTER
	  " GROUP BY c.service, m",
	  offsetof(struct report_figures, late_forwarding) },
	{ "SELECT c.service, substr(d.due, 1, 7) AS m, count(*) FROM deadlines d "
	  "JOIN cases c ON c.id = d.case_id WHERE d.kind = 'promised' AND (d.state = 'missed' "
	  "OR (d.state = 'open' AND d.due < :today)) AND d.due BETWEEN :from AND :to AND " CASES_FILTER
	  " GROUP BY c.service, m",
	  offsetof(struct report_figures, missed_promised) },
	{ "SELECT c.service, substr(" LOCAL_DAY(
		  "e.occurred") ", 1, 7) AS m, count(*) "
				"FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'complaint' AND " CURRENT(
					"e") " AND " LOCAL_DAY("e.occurred") " BETWEEN :from AND :to AND " CASES_FILTER
									     " GROUP BY c.service, m",
	  offsetof(struct report_figures, complaints) },
	{ "SELECT c.service, substr(d.met_on, 1, 7) AS m, count(*) FROM deadlines d "
	  "JOIN cases c ON c.id = d.case_id WHERE d.kind = 'complaint' AND d.state = 'met' "
	  "AND d.met_on BETWEEN :from AND :to AND " CASES_FILTER " GROUP BY c.service, m",
	  offsetof(struct report_figures, complaints_in_time) },
	{ "SELECT c.service, substr(" LOCAL_DAY(
		  "e.occurred") ", 1, 7) AS m, count(*) "
				"FROM deadlines d JOIN events e ON e.id = d.subject JOIN cases c ON c.id = d.case_id "
				"WHERE d.kind = 'forwarding' AND d.state = 'met' AND " FORWARDED
				" AND " LOCAL_DAY(
					"e.occurred") " BETWEEN :from AND :to AND " CASES_FILTER
						      " GROUP BY c.service, m",
	  offsetof(struct report_figures, forwarded_in_time) },
	{ "SELECT c.service, substr(" LOCAL_DAY(
		  "e.occurred") ", 1, 7) AS m, count(*) "
				"FROM deadlines d JOIN events e ON e.id = d.subject JOIN cases c ON c.id = d.case_id "
				"WHERE d.kind = 'forwarding' AND d.state = 'met' AND NOT " FORWARDED
				" AND " LOCAL_DAY(
					"e.occurred") " BETWEEN :from AND :to AND " CASES_FILTER
						      " GROUP BY c.service, m",
	  offsetof(struct report_figures, settled_by_office) },
	{ "SELECT c.service, substr(d.due, 1, 7) AS m, count(*) FROM deadlines d "
	  "JOIN cases c ON c.id = d.case_id WHERE d.kind = 'processing' AND " MISSED
	  " AND d.due BETWEEN :from AND :to AND " CASES_FILTER " GROUP BY c.service, m",
	  offsetof(struct report_figures, norm_missed) },
	{ "SELECT c.service, substr(d.due, 1, 7) AS m, count(*) FROM deadlines d "
	  "JOIN cases c ON c.id = d.case_id WHERE d.kind = 'preliminary_reply' AND " MISSED
	  " AND d.due BETWEEN :from AND :to AND " CASES_FILTER " GROUP BY c.service, m",
	  offsetof(struct report_figures, missed_11a) },
};

/*
 * One row per case whose first decision (its earliest current one) was made in the
 * period: the service, the day it was made, the calendar days from the day received, and
 * the stored states of its processing norm and § 11 a month (the latest of each kind).
 */
static const char decided_sql[] =
	"WITH first AS (SELECT e.case_id, min(e.occurred) AS made FROM events e "
	"WHERE e.type = 'decision' AND " CURRENT(
		"e") " GROUP BY e.case_id) "
		     "SELECT c.service, " LOCAL_DAY("f.made") " AS day, CAST(julianday(" LOCAL_DAY("f.made") ") - julianday(" LOCAL_DAY(
			     "c.received") ") AS INTEGER), "
					   "(SELECT d.state FROM deadlines d WHERE d.case_id = c.id AND d.kind = 'processing' "
					   "ORDER BY d.subject DESC LIMIT 1), "
					   "(SELECT d.state FROM deadlines d WHERE d.case_id = c.id AND d.kind = 'preliminary_reply' "
					   "ORDER BY d.subject DESC LIMIT 1) "
					   "FROM first f JOIN cases c ON c.id = f.case_id WHERE day BETWEEN :from AND :to AND " CASES_FILTER;

/* Current decisions made in the period as oral or without reasons: whether that was a
 * breach is the rules' (report_judge_decisions()). */
static const char decisions_sql[] = "SELECT c.service, " LOCAL_DAY(
	"e.occurred") " AS day, e.data ->> '$.outcome', "
		      "coalesce(e.data ->> '$.written', 1), coalesce(e.data ->> '$.reasoned', 1) "
		      "FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'decision' AND " CURRENT(
			      "e") " AND (e.data ->> '$.written' = 0 OR e.data ->> '$.reasoned' = 0) "
				   "AND day BETWEEN :from AND :to AND " CASES_FILTER;

/* Whether any case of the register (whatever its service) has the unit asked for. */
static const char unit_sql[] = "SELECT EXISTS (SELECT 1 FROM cases WHERE unit = :unit)";

static void
bind_named(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		bind_text(s, i, v);
}

static int
prepare(sqlite3 *db, const char *sql, const struct store_report_query *q, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);

	if (rc != SQLITE_OK)
		return rc;
	bind_named(*out, ":from", q->from);
	bind_named(*out, ":to", q->to);
	bind_named(*out, ":svc", q->service);
	bind_named(*out, ":unit", q->unit);
	bind_named(*out, ":today", q->today);
	return SQLITE_OK;
}

static int
run_count(sqlite3 *db, const struct count_query *cq, const struct store_report_query *q,
	  struct report *r)
{
	sqlite3_stmt *s;
	int rc = prepare(db, cq->sql, q, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_figures *f =
			report_at(r, (const char *)sqlite3_column_text(s, 0),
				  (const char *)sqlite3_column_text(s, 1), NULL, NULL);

		if (f)
			*(int64_t *)((char *)f + cq->member) += sqlite3_column_int64(s, 2);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A stored state as met (1), missed (0) or neither (-1: none, open or cancelled). */
static int
judged(sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	if (!t)
		return -1;
	return strcmp(t, "met") == 0 ? 1 : strcmp(t, "missed") == 0 ? 0 : -1;
}

static int
run_decided(sqlite3 *db, const struct store_report_query *q, struct report *r)
{
	sqlite3_stmt *s;
	int rc = prepare(db, decided_sql, q, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_figures *f =
			report_at(r, (const char *)sqlite3_column_text(s, 0),
				  (const char *)sqlite3_column_text(s, 1), NULL, NULL);
		int norm = judged(s, 3), month = judged(s, 4);

		rc = SQLITE_OK;
		if (!f)
			continue;
		f->decided++;
		report_add_days(f, (int32_t)sqlite3_column_int64(s, 2));
		f->norm_judged += norm >= 0;
		f->within_norm += norm == 1;
		f->judged_11a += month >= 0;
		f->within_11a += month == 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
run_decisions(sqlite3 *db, const struct store_report_query *q, struct report *r)
{
	sqlite3_stmt *s;
	int rc = prepare(db, decisions_sql, q, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		report_add_decision(r, (const char *)sqlite3_column_text(s, 0),
				    (const char *)sqlite3_column_text(s, 1),
				    (const char *)sqlite3_column_text(s, 2),
				    sqlite3_column_int(s, 3) != 0, sqlite3_column_int(s, 4) != 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
run_unit(sqlite3 *db, const struct store_report_query *q, struct report *r)
{
	sqlite3_stmt *s;
	int rc;

	if (!q->unit)
		return SQLITE_OK;
	rc = prepare(db, unit_sql, q, &s);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->unit_unknown = sqlite3_column_int(s, 0) == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int
run_all(sqlite3 *db, const struct store_report_query *q, struct report *r)
{
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = run_unit(db, q, r);
	if (rc == SQLITE_OK && r->unit_unknown)
		goto out;
	for (size_t i = 0; rc == SQLITE_OK && i < FV_ARRAY_SIZE(counts); i++)
		rc = run_count(db, &counts[i], q, r);
	if (rc == SQLITE_OK)
		rc = run_decided(db, q, r);
	if (rc == SQLITE_OK)
		rc = run_decisions(db, q, r);
out:
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* The progress handler: non-zero (the query ends with SQLITE_INTERRUPT) once asked to stop. */
static int
stop_asked(void *stop)
{
	return stop && atomic_load((atomic_bool *)stop);
}

int
store_report_read(const char *path, const struct store_report_query *q, struct report *r, char *err,
		  size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		if (q->stop)
			sqlite3_progress_handler(db, 1000, stop_asked, (void *)q->stop);
		rc = stop_asked((void *)q->stop) ? SQLITE_INTERRUPT : run_all(db, q, r);
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "the report's query failed: %s",
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return map_rc(rc);
}
