// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * deadlines: the stored deadlines of the cases, their versions, and the listings of them
 * (see store.h).
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/cal.h"
#include "core/util.h"
#include "store/store_impl.h"

/* Notes delta more deadlines of kind in state ("deadlines.KIND.STATE", db/007). */
static int
kind_state_noted(struct store *st, const char *kind, const char *state, int64_t delta)
{
	char name[96];

	snprintf(name, sizeof(name), "deadlines.%s.%s", kind, state);
	st->count_delta[COUNT_DEADLINES] += delta;
	return count_noted(st, name, delta);
}

int
deadlines_delete_counted(struct store *st, int64_t case_id, int64_t *deleted)
{
	sqlite3_stmt *s = st->stmt[STMT_DEADLINES_DELETE];
	int rc, ret = 0;

	*deleted = 0;
	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && ret == 0) {
		ret = kind_state_noted(st, (const char *)sqlite3_column_text(s, 0),
				       (const char *)sqlite3_column_text(s, 1), -1);
		(*deleted)++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

int
store_deadlines_replace(struct store *st, int64_t case_id, const struct store_deadline *v, size_t n)
{
	sqlite3_stmt *s;
	int64_t deleted;
	int ret;

	if ((ret = deadlines_delete_counted(st, case_id, &deleted)) < 0)
		return ret;
	s = st->stmt[STMT_DEADLINE_INSERT];
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, case_id);
		bind_text(s, 2, v[i].kind);
		sqlite3_bind_int64(s, 3, v[i].subject);
		bind_text(s, 4, v[i].state);
		bind_text(s, 5, v[i].due);
		bind_text(s, 6, v[i].met_on);
		bind_text(s, 7, v[i].rule);
		bind_text(s, 8, v[i].source);
		bind_text(s, 9, v[i].ended_on);
		if ((ret = step_done(s)) < 0 ||
		    (ret = kind_state_noted(st, v[i].kind, v[i].state, 1)) < 0)
			return ret;
		s = st->stmt[STMT_DEADLINE_VERSION];
		sqlite3_bind_int64(s, 1, case_id);
		bind_text(s, 2, v[i].kind);
		sqlite3_bind_int64(s, 3, v[i].subject);
		bind_text(s, 4, v[i].due);
		bind_text(s, 5, v[i].state);
		if ((ret = step_done(s)) < 0)
			return ret;
		s = st->stmt[STMT_DEADLINE_INSERT];
	}
	return 0;
}

int
store_deadline_versions_annotate(struct store *st, int64_t case_id, json_t *deadlines)
{
	sqlite3_stmt *s = st->stmt[STMT_DEADLINE_VERSION_GET];
	char at[CAL_INSTANT_LEN];
	json_t *d;
	size_t i;
	int rc = SQLITE_DONE;

	json_array_foreach(deadlines, i, d)
	{
		sqlite3_bind_int64(s, 1, case_id);
		bind_text(s, 2, json_string_value(json_object_get(d, "kind")));
		sqlite3_bind_int64(s, 3, json_integer_value(json_object_get(d, "subject")));
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			json_object_set_new(d, "sequence",
					    json_integer((json_int_t)sqlite3_column_int64(s, 0)));
			json_object_set_new(
				d, "modified",
				json_string(cal_instant_format(sqlite3_column_int64(s, 1), at)));
			rc = SQLITE_DONE;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			break;
	}
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

/*
 * The state filter of a listing: "open" only before the due date; "missed" and "expired"
 * also the deadlines stored open whose date has passed (the office's missed, a party's
 * expired); any other state as stored.
 */
static void
deadlines_where_state(struct query *q, const char *state, const char *office)
{
	char sql[1024];
	bool missed = strcmp(state, "missed") == 0;

	if (strcmp(state, "open") == 0) {
		query_add(q, " AND d.state = 'open' AND (d.due IS NULL OR d.due >= ?1)");
	} else if (missed || strcmp(state, "expired") == 0) {
		snprintf(sql, sizeof(sql),
			 " AND (d.state = '%s' OR (d.state = 'open' AND d.due < ?1 AND %s%s))",
			 missed ? "missed" : "expired", missed ? "" : "NOT ", office);
		query_add(q, sql);
	} else {
		query_text(q, " AND d.state = ?", state);
	}
}

/* The filters of whose duty a deadline is: the office's or a party's, and overdue. */
static void
deadlines_where_duty(struct query *q, const struct store_deadline_filter *f, const char *office)
{
	char sql[1024];

	if (f->duty) {
		snprintf(sql, sizeof(sql), " AND %s%s",
			 strcmp(f->duty, "office") == 0 ? "" : "NOT ", office);
		query_add(q, sql);
	}
	/*
	 * Overdue, the work list: the office's duties past their date and not met (stored
	 * open, or stored missed without met_on). A party's deadline that passed has expired.
	 */
	if (f->overdue) {
		snprintf(sql, sizeof(sql), " AND %s AND " AWAITED_SQL " AND d.due < ?1", office);
		query_add(q, sql);
	}
}

/* The filters by kind, by case and by due date, and the keyset cursor. */
static void
deadlines_where_rest(struct query *q, const struct store_deadline_filter *f)
{
	if (f->kind)
		query_text(q, " AND d.kind = ?", f->kind);
	if (f->service)
		query_text(q, " AND c.service = ?", f->service);
	if (f->handler)
		query_text(q, " AND c.handler = ?", f->handler);
	if (f->unit)
		query_text(q, " AND c.unit = ?", f->unit);
	if (f->due_from)
		query_text(q, " AND d.due >= ?", f->due_from);
	if (f->due_to)
		query_text(q, " AND d.due <= ?", f->due_to);
	if (f->has_after && f->after_due) {
		query_text(q, " AND (d.due > ?", f->after_due);
		query_text(q, " OR (d.due = ?", f->after_due);
		query_num(q, " AND d.id > ?))", f->after_id);
	} else if (f->has_after) {
		query_num(q, " AND (d.due IS NOT NULL OR d.id > ?)", f->after_id);
	}
}

/* The query of store_deadlines_list: one row more than the limit tells a next page. */
static void
deadlines_query(struct query *q, const struct store_deadline_filter *f)
{
	const char *office = office_kinds_sql();
	char sql[1024];

	/* A deadline stored open whose date has passed: missed (office) or expired (party). */
	snprintf(sql, sizeof(sql),
		 "SELECT c.ref, c.service, c.handler, c.unit, d.kind, d.subject, "
		 "CASE WHEN d.state = 'open' AND d.due < ?1 THEN "
		 "CASE WHEN %s THEN 'missed' ELSE 'expired' END ELSE d.state END, "
		 "d.due, d.rule, d.source, d.id, d.met_on "
		 "FROM deadlines d JOIN cases c ON c.id = d.case_id WHERE 1",
		 office);
	query_text(q, sql, f->today);
	if (f->state)
		deadlines_where_state(q, f->state, office);
	deadlines_where_duty(q, f, office);
	deadlines_where_rest(q, f);
	query_num(q, " ORDER BY d.due, d.id LIMIT ?", f->limit + 1);
}

/* A row of the deadlines_query as the listing's object (a new reference). */
static json_t *
deadline_row(sqlite3_stmt *s)
{
	return json_pack("{s:o s:o s:o s:o s:o s:I s:o s:o s:o s:o s:o}", "reference",
			 json_text_or_null(s, 0), "service", json_text_or_null(s, 1), "handler",
			 json_text_or_null(s, 2), "unit", json_text_or_null(s, 3), "kind",
			 json_text_or_null(s, 4), "subject", (json_int_t)sqlite3_column_int64(s, 5),
			 "state", json_text_or_null(s, 6), "due", json_text_or_null(s, 7), "rule",
			 json_text_or_null(s, 8), "source", json_text_or_null(s, 9), "met_on",
			 json_text_or_null(s, 11));
}

int
store_deadlines_list(struct store *st, const struct store_deadline_filter *f, json_t **rows,
		     bool *has_next, char **next_due, int64_t *next_id)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int rc, ret, count = 0;

	*has_next = false;
	*next_due = NULL;
	*next_id = 0;
	deadlines_query(&q, f);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count++ == f->limit) {
			*has_next = true;
			break;
		}
		json_array_append_new(arr, deadline_row(s));
		*next_id = sqlite3_column_int64(s, 10);
		free(*next_due);
		*next_due = column_text(s, 7);
	}
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : map_rc(rc);
out:
	done(s);
	if (ret < 0 || !*has_next) {
		free(*next_due);
		*next_due = NULL;
	}
	if (ret < 0) {
		json_decref(arr);
		arr = NULL;
	}
	*rows = arr;
	return ret;
}

int
store_deadline_get(struct store *st, int64_t case_id, const char *kind, int64_t subject,
		   struct store_deadline_info *out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	rc = stmt_prep(st,
		       "SELECT due, rule, source FROM deadlines "
		       "WHERE case_id = ? AND kind = ? AND subject = ?",
		       &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, subject);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->due = column_text(s, 0);
		out->rule = column_text(s, 1);
		out->source = column_text(s, 2);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

void
store_deadline_info_deinit(struct store_deadline_info *d)
{
	free(d->due);
	free(d->rule);
	free(d->source);
	memset(d, 0, sizeof(*d));
}

int
store_deadlines_for_digest(struct store *st, const char *until, json_t **rows)
{
	sqlite3_stmt *s = NULL;
	json_t *arr;
	int rc;

	char sql[1024];

	/* The office's duties not met: the party's deadlines are no work of the office's. */
	snprintf(sql, sizeof(sql),
		 "SELECT c.ref, c.handler, c.unit, d.kind, d.due, c.service FROM deadlines d "
		 "JOIN cases c ON c.id = d.case_id WHERE " AWAITED_SQL " AND "
		 "d.due IS NOT NULL AND d.due <= ?1 AND %s "
		 "ORDER BY d.due, c.ref",
		 office_kinds_sql());
	rc = stmt_prep(st, sql, &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, until);
	arr = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			arr,
			json_pack("{s:o s:o s:o s:o s:o s:o}", "reference", json_text_or_null(s, 0),
				  "handler", json_text_or_null(s, 1), "unit",
				  json_text_or_null(s, 2), "kind", json_text_or_null(s, 3), "due",
				  json_text_or_null(s, 4), "service", json_text_or_null(s, 5)));
	done(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return map_rc(rc);
	}
	*rows = arr;
	return 0;
}

int
store_deadline_latest(struct store *st, int64_t case_id, const char *kind, int64_t *subject,
		      char **due)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	*due = NULL;
	rc = stmt_prep(st,
		       "SELECT subject, due FROM deadlines WHERE case_id = ? AND kind = ? "
		       "ORDER BY subject DESC LIMIT 1",
		       &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, kind);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*subject = sqlite3_column_int64(s, 0);
		*due = column_text(s, 1);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_deadlines_of_case(struct store *st, int64_t case_id, struct store_deadline_row **out,
			size_t *n)
{
	struct store_deadline_row *v = NULL;
	sqlite3_stmt *s = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = stmt_prep(
		st,
		"SELECT kind, subject, state, due, met_on, ended_on FROM deadlines WHERE case_id = ? "
		"ORDER BY kind, subject",
		&s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len++] = (struct store_deadline_row){
			.kind = column_text(s, 0),
			.subject = sqlite3_column_int64(s, 1),
			.state = column_text(s, 2),
			.due = column_text(s, 3),
			.met_on = column_text(s, 4),
			.ended_on = column_text(s, 5),
		};
	}
	done(s);
	if (rc != SQLITE_DONE) {
		store_deadline_rows_free(v, len);
		return map_rc(rc);
	}
	*out = v;
	*n = len;
	return 0;
}

void
store_deadline_rows_free(struct store_deadline_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].state);
		free(v[i].due);
		free(v[i].met_on);
		free(v[i].ended_on);
	}
	free(v);
}
