// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * audit: every change, attributed to the control-socket peer that made it (see store.h).
 */
#include "store/store.h"

#include <errno.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

int
store_audit_append(struct store *st, const struct store_audit *a)
{
	sqlite3_stmt *s = st->stmt[STMT_AUDIT_INSERT];
	int rc;

	sqlite3_bind_int64(s, 1, a->at);
	sqlite3_bind_text(s, 2, a->method, -1, SQLITE_STATIC);
	if (a->case_ref)
		sqlite3_bind_text(s, 3, a->case_ref, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_int64(s, 4, a->uid);
	sqlite3_bind_int64(s, 5, a->gid);
	sqlite3_bind_int64(s, 6, a->pid);
	sqlite3_bind_text(s, 7, a->outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		st->count_delta[COUNT_AUDIT]++;
	return map_rc(rc);
}

int
store_audit_append_id(struct store *st, const struct store_audit *a, int64_t *id)
{
	int ret = store_audit_append(st, a);

	*id = ret == 0 ? sqlite3_last_insert_rowid(st->db) : 0;
	return ret;
}

int
store_audit_set_outcome(struct store *st, int64_t id, const char *outcome)
{
	sqlite3_stmt *s = NULL;
	/* Only a purge's own row (retention or Purge), never another request's. */
	int rc = stmt_prep(st,
			   "UPDATE audit SET outcome = ?1 WHERE id = ?2 AND "
			   "method IN ('retention', 'no.fristvakt.Purge')",
			   &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_text(s, 1, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
	return sqlite3_changes(st->db) == 1 ? 0 : -ENOENT;
}

int
store_audit_list(struct store *st, const char *ref, int limit, int64_t before_id, json_t **rows,
		 int64_t *next_id)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int rc, ret, count = 0;
	int64_t last = 0;

	*next_id = 0;
	query_add(&q, "SELECT id, at, method, case_ref, uid, gid, pid, outcome FROM audit WHERE 1");
	if (ref)
		query_text(&q, " AND case_ref = ?", ref);
	if (before_id)
		query_num(&q, " AND id < ?", before_id);
	query_num(&q, " ORDER BY id DESC LIMIT ?", limit + 1);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count++ == limit) {
			*next_id = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(arr, json_pack("{s:I s:I s:o s:o s:I s:I s:I s:o}", "id",
						     (json_int_t)last, "at",
						     (json_int_t)sqlite3_column_int64(s, 1),
						     "method", json_text_or_null(s, 2), "reference",
						     json_text_or_null(s, 3), "uid",
						     (json_int_t)sqlite3_column_int64(s, 4), "gid",
						     (json_int_t)sqlite3_column_int64(s, 5), "pid",
						     (json_int_t)sqlite3_column_int64(s, 6),
						     "outcome", json_text_or_null(s, 7)));
	}
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : map_rc(rc);
out:
	done(s);
	if (ret < 0) {
		json_decref(arr);
		arr = NULL;
	}
	*rows = arr;
	return ret;
}
