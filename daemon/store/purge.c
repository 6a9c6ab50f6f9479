// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * purge: retention (see store.h): which closed cases may go, and their removal with
 * everything that belongs to them, inside the caller's savepoint; and giving the space back
 * afterwards (incremental vacuum, the write-ahead log truncated).
 *
 * What belongs to a case: its events, deadlines, deadline versions, reminders and their
 * delivery attempts, and its contact. Audit rows are kept (who changed what and when) but
 * lose the case's reference. Digests and notices to the administrators have no case but
 * name cases in their text: once finished and older than the period they go too.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

void
store_purge_cases_free(struct store_purge_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].state);
	}
	free(v);
}

/*
 * Whether case id may be purged: then 1 and *out filled (owned strings). A case may go when
 * its latest event occurred before `before`, none of its office duties is still awaited
 * (open, or missed and not met since: AWAITED_SQL), none of the party's deadlines is open
 * with a due date today or later (or none), and none of its reminders waits to be sent. 0 when it stays, or a negative errno.
 */
static int
candidate(struct store *st, int64_t id, int64_t before, const char *today,
	  struct store_purge_case *out)
{
	char sql[1536];
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	snprintf(
		sql, sizeof(sql),
		"SELECT c.ref, c.state, "
		"(SELECT max(e.occurred) FROM events e WHERE e.case_id = c.id AND "
		"(e.type = 'closed' OR e.type = 'withdrawn') AND NOT EXISTS (SELECT 1 FROM events "
		"x WHERE x.supersedes = e.id)), "
		"(SELECT max(e.occurred) FROM events e WHERE e.case_id = c.id) AS last, "
		"EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = c.id AND ((%s AND " AWAITED_SQL
		") OR (d.state = 'open' AND (d.due IS NULL OR d.due >= ?2)))), "
		"EXISTS (SELECT 1 FROM reminders r WHERE r.case_id = c.id AND "
		"(r.state = 'pending' OR r.state = 'failed')) "
		"FROM cases c WHERE c.id = ?1 AND (c.state = 'closed' OR c.state = 'withdrawn')",
		office_kinds_sql());
	if ((rc = stmt_prep(st, sql, &s)) != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, today, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 2) != SQLITE_NULL &&
	    sqlite3_column_int64(s, 3) < before && !sqlite3_column_int(s, 4) &&
	    !sqlite3_column_int(s, 5)) {
		*out = (struct store_purge_case){
			.id = id,
			.ref = column_text(s, 0),
			.state = column_text(s, 1),
			.closed = sqlite3_column_int64(s, 2),
		};
		ret = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_purge_candidates(struct store *st, int64_t *cursor, int scan, int64_t before,
		       const char *today, struct store_purge_case **out, size_t *n, bool *more)
{
	sqlite3_stmt *s = NULL;
	int64_t *ids = xcalloc((size_t)scan, sizeof(*ids));
	struct store_purge_case *v = xcalloc((size_t)scan, sizeof(*v));
	size_t n_rows = 0, n_ids = 0, len = 0;
	int rc, ret;

	*out = NULL;
	*n = 0;
	/* At most scan rows looked at, whatever their state: a slice's work is bounded. */
	rc = stmt_prep(st, "SELECT id, state FROM cases WHERE id > ? ORDER BY id LIMIT ?", &s);
	if (rc != SQLITE_OK) {
		ret = map_rc(rc);
		goto out;
	}
	sqlite3_bind_int64(s, 1, *cursor);
	sqlite3_bind_int(s, 2, scan);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 1);

		*cursor = sqlite3_column_int64(s, 0);
		n_rows++;
		if (state && strcmp(state, "open") != 0)
			ids[n_ids++] = *cursor;
	}
	done(s);
	if (rc != SQLITE_DONE) {
		ret = map_rc(rc);
		goto out;
	}
	ret = 0;
	for (size_t i = 0; i < n_ids && ret >= 0; i++) {
		ret = candidate(st, ids[i], before, today, &v[len]);
		len += ret == 1;
	}
	*more = n_rows == (size_t)scan;
out:
	free(ids);
	if (ret < 0) {
		store_purge_cases_free(v, len);
		return ret;
	}
	*out = v;
	*n = len;
	return 0;
}

/* Runs sql with ?1 = id (a cached statement); *changes: the rows it changed. */
static int
run_for(struct store *st, const char *sql, int64_t id, const char *text, int64_t *changes)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st, sql, &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	if (text)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
	if (changes)
		*changes += sqlite3_changes64(st->db);
	return 0;
}

/* What purging case id would remove, added to c. */
static int
count_case(struct store *st, int64_t id, struct store_purge_counts *c)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(
		st,
		"SELECT (SELECT count(*) FROM events WHERE case_id = ?1), "
		"(SELECT count(*) FROM deadlines WHERE case_id = ?1), "
		"(SELECT count(*) FROM reminders WHERE case_id = ?1), "
		"(SELECT count(*) FROM attempts WHERE reminder_id IN "
		"(SELECT id FROM reminders WHERE case_id = ?1)), "
		"(SELECT count(*) FROM contacts WHERE case_id = ?1), "
		"(SELECT count(*) FROM audit WHERE case_ref = (SELECT ref FROM cases WHERE id = ?1))",
		&s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->cases++;
		c->events += sqlite3_column_int64(s, 0);
		c->deadlines += sqlite3_column_int64(s, 1);
		c->reminders += sqlite3_column_int64(s, 2);
		c->attempts += sqlite3_column_int64(s, 3);
		c->contacts += sqlite3_column_int64(s, 4);
		c->audit_refs += sqlite3_column_int64(s, 5);
	}
	done(s);
	return rc == SQLITE_ROW ? 0 : map_rc(rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc);
}

int
store_purge_case(struct store *st, const struct store_purge_case *pc, bool dry_run,
		 struct store_purge_counts *c)
{
	int64_t events = 0, deadlines = 0, cases = 0;
	int ret;

	if (dry_run)
		return count_case(st, pc->id, c);
	/* Children first: the foreign keys are checked at the end of each statement. The ids of
	 * the reminders deleted are never given again. */
	if ((ret = store_reminder_id_floor_raise(st)) < 0 ||
	    (ret = count_case(st, pc->id, c)) < 0 ||
	    (ret = run_for(st,
			   "DELETE FROM attempts WHERE reminder_id IN "
			   "(SELECT id FROM reminders WHERE case_id = ?1)",
			   pc->id, NULL, NULL)) < 0 ||
	    (ret = run_for(st, "DELETE FROM reminders WHERE case_id = ?1", pc->id, NULL, NULL)) <
		    0 ||
	    (ret = deadlines_delete_counted(st, pc->id, &deadlines)) < 0 ||
	    (ret = run_for(st, "DELETE FROM deadline_versions WHERE case_id = ?1", pc->id, NULL,
			   NULL)) < 0 ||
	    (ret = run_for(st, "DELETE FROM contacts WHERE case_id = ?1", pc->id, NULL, NULL)) <
		    0 ||
	    (ret = run_for(st, "DELETE FROM events WHERE case_id = ?1", pc->id, NULL, &events)) <
		    0 ||
	    (ret = run_for(st, "UPDATE audit SET case_ref = NULL WHERE case_ref = ?1", 0, pc->ref,
			   NULL)) < 0 ||
	    (ret = run_for(st, "DELETE FROM cases WHERE id = ?1", pc->id, NULL, &cases)) < 0)
		return ret;
	/* The reminders' figures follow by the triggers of db/002 and db/005. */
	st->count_delta[COUNT_CASES] -= cases;
	st->count_delta[COUNT_EVENTS] -= events;
	return 0;
}

int
store_purge_caseless(struct store *st, int64_t before, int limit, bool dry_run,
		     struct store_purge_counts *c)
{
	static const char *const finished =
		"SELECT id FROM reminders WHERE case_id IS NULL AND created < ?1 AND "
		"(state = 'sent' OR state = 'dead' OR state = 'cancelled') ORDER BY id LIMIT ?2";
	char sql[3][768];
	sqlite3_stmt *s = NULL;
	int rc;

	snprintf(sql[0], sizeof(sql[0]),
		 "SELECT count(*), (SELECT count(*) FROM attempts WHERE reminder_id IN (%s)) "
		 "FROM (%s)",
		 finished, finished);
	snprintf(sql[1], sizeof(sql[1]), "DELETE FROM attempts WHERE reminder_id IN (%s)",
		 finished);
	snprintf(sql[2], sizeof(sql[2]), "DELETE FROM reminders WHERE id IN (%s)", finished);
	if (!dry_run && (rc = store_reminder_id_floor_raise(st)) < 0)
		return rc; /* the ids of the reminders deleted are never given again */
	for (int i = 0; i < (dry_run ? 1 : 3); i++) {
		if ((rc = stmt_prep(st, sql[i], &s)) != SQLITE_OK)
			return map_rc(rc);
		sqlite3_bind_int64(s, 1, before);
		sqlite3_bind_int(s, 2, limit);
		rc = sqlite3_step(s);
		if (i == 0 && rc == SQLITE_ROW) {
			c->notices += sqlite3_column_int64(s, 0);
			c->attempts += sqlite3_column_int64(s, 1);
		}
		done(s);
		if (rc != (i == 0 ? SQLITE_ROW : SQLITE_DONE))
			return map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
	}
	return 0;
}

int
store_secure_delete(struct store *st, bool on)
{
	return exec(st, on ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = FAST");
}

int
store_vacuum_step(struct store *st, int pages, int64_t *left)
{
	char sql[64];
	sqlite3_stmt *s = NULL;
	int mode = 0, rc, ret;

	*left = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA auto_vacuum", -1, &s, NULL)) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		mode = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	/* 2: incremental; a database made with auto_vacuum NONE reuses its free pages. */
	if (mode != 2)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)", pages);
	if ((ret = exec(st, sql)) < 0)
		return ret;
	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA freelist_count", -1, &s, NULL)) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		*left = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return map_rc(rc);
}

int
store_wal_truncate(struct store *st, bool *complete)
{
	int log = -1, done_frames = -1, rc;

	/* Never a wait on the loop: a reader that holds an older snapshot (the integrity check,
	 * a backup, a report, anyone's read transaction) may hold it for minutes. */
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log,
				       &done_frames);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* Busy: such a reader; what it cannot see yet stays in the log until the next try. */
	*complete = rc == SQLITE_OK;
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : map_rc(rc);
}

int64_t
store_page_count(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA page_count", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}
