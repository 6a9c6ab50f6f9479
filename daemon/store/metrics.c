// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * metrics: the row counts a metrics scrape reports (see store.h): the reminders by channel
 * and state and the cases by state from the counts table (db/005, db/007); deadlines
 * grouped by kind and state on their index (db/007), those past due and the office's
 * overdue duties on ranges of the index on (state, due). No statement reads a whole table.
 */
#include "store/store.h"

#include <stdio.h>

#include <sqlite3.h>

#include "store/store_impl.h"

/* The queries, one per enum store_metric_group; ?1 is today (YYYY-MM-DD). */
static const char *
group_sql(enum store_metric_group g, char *buf, size_t len)
{
	switch (g) {
	case STORE_METRIC_CASES:
		/* The counts table (db/007): the open ones are all the others less these. */
		return "SELECT substr(name, 7), NULL, n FROM counts WHERE name > 'cases.' AND "
		       "name < 'cases/' UNION ALL SELECT 'open', NULL, (SELECT n FROM counts "
		       "WHERE name = 'cases') - (SELECT coalesce(sum(n), 0) FROM counts WHERE "
		       "name > 'cases.' AND name < 'cases/')";
	case STORE_METRIC_DEADLINES:
		/* As stored: the counts table's "deadlines.KIND.STATE" (db/007). */
		return "SELECT substr(name, 11, instr(substr(name, 11), '.') - 1), "
		       "substr(name, 11 + instr(substr(name, 11), '.')), n FROM counts "
		       "WHERE name > 'deadlines.' AND name < 'deadlines/' AND n <> 0";
	case STORE_METRIC_OPEN_PAST:
		/* Stored open and past due, judged on today as listings do (missed or expired): a
		 * range of the index on (state, due). */
		return "SELECT kind, NULL, count(*) FROM deadlines WHERE state = 'open' AND due < ?1 "
		       "GROUP BY kind";
	case STORE_METRIC_OVERDUE:
		/* The work list of `deadlines --overdue`, by the index on (state, due). */
		snprintf(buf, len,
			 "SELECT kind, NULL, count(*) FROM deadlines d WHERE %s AND " AWAITED_SQL
			 " AND d.due < ?1 GROUP BY kind",
			 office_kinds_sql());
		return buf;
	case STORE_METRIC_REMINDERS:
		return "SELECT substr(name, 9, instr(substr(name, 9), '.') - 1), "
		       "substr(name, 9 + instr(substr(name, 9), '.')), n FROM counts "
		       "WHERE name > 'channel.' AND name < 'channel/'";
	}
	return NULL;
}

int
store_metric_groups(struct store *st, enum store_metric_group g, const char *today,
		    store_metric_row_cb row, void *arg)
{
	char buf[1024];
	const char *sql = group_sql(g, buf, sizeof(buf));
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st, sql, &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	if (sqlite3_bind_parameter_count(s) >= 1)
		bind_text(s, 1, today);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), sqlite3_column_int64(s, 2));
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}
