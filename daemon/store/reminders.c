// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * reminders: the outbox (planned reminders, digests and notices) and the attempts to deliver
 * them (see store.h).
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

#define REMINDER_COLUMNS                                                                           \
	"r.id, ifnull(r.case_id, 0), c.ref, r.kind, r.subject, r.stage, r.occurrence, "            \
	"r.recipient, r.due, r.recipients, r.channel, r.state, r.planned, r.not_before, "          \
	"r.attempts, ifnull(r.first_attempt, 0), ifnull(r.sent_at, 0), r.last_error, "             \
	"r.data, r.created FROM reminders r LEFT JOIN cases c ON c.id = r.case_id"

void
store_reminder_deinit(struct store_reminder *r)
{
	free(r->case_ref);
	free(r->kind);
	free(r->stage);
	free(r->occurrence);
	free(r->recipient);
	free(r->due);
	free(r->channel);
	free(r->state);
	free(r->last_error);
	free(r->data);
	memset(r, 0, sizeof(*r));
}

void
store_reminders_free(struct store_reminder *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_reminder_deinit(&v[i]);
	free(v);
}

static void
read_reminder(sqlite3_stmt *s, struct store_reminder *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->case_id = sqlite3_column_int64(s, 1);
	r->case_ref = column_text(s, 2);
	r->kind = column_text(s, 3);
	r->subject = sqlite3_column_int64(s, 4);
	r->stage = column_text(s, 5);
	r->occurrence = column_text(s, 6);
	r->recipient = column_text(s, 7);
	r->due = column_text(s, 8);
	r->recipients = (unsigned)sqlite3_column_int64(s, 9);
	r->channel = column_text(s, 10);
	r->state = column_text(s, 11);
	r->planned = sqlite3_column_int64(s, 12);
	r->not_before = sqlite3_column_int64(s, 13);
	r->attempts = sqlite3_column_int64(s, 14);
	r->first_attempt = sqlite3_column_int64(s, 15);
	r->sent_at = sqlite3_column_int64(s, 16);
	r->last_error = column_text(s, 17);
	r->data = column_text(s, 18);
	r->created = sqlite3_column_int64(s, 19);
}

/* Runs a prepared query and collects its reminder rows. */
static int
collect_reminders(struct store *st, struct query *q, struct store_reminder **out, size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct store_reminder *v = NULL;
	size_t len = 0, cap = 0;
	int rc, ret;

	*out = NULL;
	*n = 0;
	if ((ret = query_prepare(st, q, &s)) < 0)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[len], 0, sizeof(v[len]));
		read_reminder(s, &v[len++]);
	}
	done(s);
	if (rc != SQLITE_DONE) {
		store_reminders_free(v, len);
		return map_rc(rc);
	}
	*out = v;
	*n = len;
	return 0;
}

/*
 * Brings back reminder r's identity if it was cancelled before it was ever tried because its
 * deadline moved (cancelled when the case was recomputed, or just before it was to go out)
 * and is wanted again: the planner asks for exactly it once more. One cancelled for another
 * reason (outdated, no address for the applicant) or ever tried stays as it is. *revived
 * says which; r->id is set. The counts follow by the triggers of a state change.
 */
static int
reminder_revive(struct store *st, struct store_reminder *r, bool *revived)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st,
			   "UPDATE reminders SET state = 'pending', due = ?7, recipients = ?8, "
			   "channel = ?9, planned = ?10, not_before = ?10, last_error = NULL "
			   "WHERE " REMINDER_IDENTITY_SQL " AND " REMINDER_REVIVABLE_SQL
			   " RETURNING id",
			   &s);

	*revived = false;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	reminder_identity_bind(s, r);
	bind_text(s, 7, r->due);
	sqlite3_bind_int64(s, 8, r->recipients);
	bind_text(s, 9, r->channel);
	sqlite3_bind_int64(s, 10, r->planned);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(s, 0);
		*revived = true;
		rc = sqlite3_step(s);
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

/*
 * A reminder's id is also its message's (ops/message.c): receivers drop a message whose id
 * they have seen. The floor in meta (db/007) keeps ids that were used once from coming
 * again when the highest rows go: a purge raises it to max(id) before it deletes, a
 * restore sets it 2^32 above the restored copy's ids (store_file_reminder_id_floor).
 */
#define REMINDER_NEXT_ID "(SELECT " REMINDER_ID_TOP_SQL " + 1)"

void
reminder_identity_bind(sqlite3_stmt *s, const struct store_reminder *r)
{
	sqlite3_bind_int64(s, 1, r->case_id);
	bind_text(s, 2, r->kind);
	sqlite3_bind_int64(s, 3, r->subject);
	bind_text(s, 4, r->stage);
	bind_text(s, 5, r->occurrence);
	bind_text(s, 6, r->recipient ? r->recipient : "");
}

int
store_reminder_id_floor_raise(struct store *st)
{
	return exec(st, "INSERT INTO meta (key, value) SELECT 'reminder_id_floor', CAST(m AS TEXT) "
			"FROM (SELECT max(id) AS m FROM reminders) WHERE m IS NOT NULL "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value "
			"WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)");
}

int
store_reminder_plan(struct store *st, struct store_reminder *r, bool *inserted)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	int rc, ret;

	/* The id above every id used before (see store_reminder_id_floor_raise): two seeks. */
	query_add(&q, "INSERT OR IGNORE INTO reminders (id, case_id, kind, subject, stage, "
		      "occurrence, recipient, due, recipients, channel, state, planned, "
		      "not_before, data, created) VALUES (" REMINDER_NEXT_ID ", ");
	if (r->case_id)
		query_num(&q, "?, ", r->case_id);
	else
		query_add(&q, "NULL, ");
	query_text(&q, "?, ", r->kind);
	query_num(&q, "?, ", r->subject);
	query_text(&q, "?, ", r->stage);
	query_text(&q, "?, ", r->occurrence);
	query_text(&q, "?, ", r->recipient ? r->recipient : "");
	query_text(&q, "?, ", r->due);
	query_num(&q, "?, ", r->recipients);
	query_text(&q, "?, 'pending', ", r->channel);
	query_num(&q, "?, ", r->planned);
	query_num(&q, "?, ", r->not_before);
	query_text(&q, "?, ", r->data);
	query_num(&q, "?)", r->created);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		return ret;
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc);
	*inserted = sqlite3_changes(st->db) > 0;
	if (!*inserted && r->case_id)
		return reminder_revive(st, r, inserted);
	if (*inserted) {
		r->id = sqlite3_last_insert_rowid(st->db);
		st->count_delta[COUNT_REMINDERS_PENDING]++;
		return channel_pending_noted(st, r->channel);
	}
	return 0;
}

int
store_reminders_open_of_case(struct store *st, int64_t case_id, struct store_reminder **out,
			     size_t *n)
{
	struct query q = { .len = 0 };

	query_num(&q, "SELECT " REMINDER_COLUMNS " WHERE r.case_id = ?", case_id);
	query_add(&q, " AND r.state IN ('pending', 'failed') ORDER BY r.id");
	return collect_reminders(st, &q, out, n);
}

int
store_reminder_get(struct store *st, int64_t id, struct store_reminder *out)
{
	struct query q = { .len = 0 };
	struct store_reminder *v;
	size_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	query_num(&q, "SELECT " REMINDER_COLUMNS " WHERE r.id = ?", id);
	if ((ret = collect_reminders(st, &q, &v, &n)) < 0)
		return ret;
	if (n == 0) {
		free(v);
		return -ENOENT;
	}
	*out = v[0];
	free(v);
	return 0;
}

int
store_reminders_due(struct store *st, int64_t now, const struct store_due_after *after, int limit,
		    struct store_reminder **out, size_t *n)
{
	struct query q = { .len = 0 };

	query_num(&q,
		  "SELECT " REMINDER_COLUMNS " WHERE r.state IN ('pending', 'failed') AND "
		  "r.not_before <= ? AND r.channel NOT IN (SELECT channel FROM disabled_channels)",
		  now);
	if (after) {
		/* The first term lets the index on not_before start at the position. */
		query_num(&q, " AND r.not_before >= ?", after->not_before);
		query_num(&q, " AND (r.not_before > ?", after->not_before);
		query_num(&q, " OR r.id > ?)", after->id);
	}
	query_num(&q, " ORDER BY r.not_before, r.id LIMIT ?", limit);
	return collect_reminders(st, &q, out, n);
}

int
store_reminder_next(struct store *st, int64_t *when)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	rc = stmt_prep(st,
		       "SELECT min(not_before) FROM reminders WHERE state IN ('pending', "
		       "'failed') AND channel NOT IN (SELECT channel FROM disabled_channels)",
		       &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*when = sqlite3_column_int64(s, 0);
		ret = 0;
	} else {
		ret = rc == SQLITE_ROW ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_reminder_update(struct store *st, const struct store_reminder *r)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	int rc, ret;

	query_text(&q, "UPDATE reminders SET state = ?", r->state);
	query_text(&q, ", channel = ?", r->channel);
	query_num(&q, ", not_before = ?", r->not_before);
	query_num(&q, ", attempts = ?", r->attempts);
	query_num(&q, ", first_attempt = nullif(?, 0)", r->first_attempt);
	query_num(&q, ", sent_at = nullif(?, 0)", r->sent_at);
	query_text(&q, ", last_error = ?", r->last_error);
	query_num(&q, " WHERE id = ?", r->id);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		return ret;
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

int
store_attempt_add(struct store *st, int64_t reminder_id, int64_t at, const char *channel,
		  const char *outcome, long code, const char *error, bool fallback)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	int rc, ret;

	query_num(&q,
		  "INSERT INTO attempts (reminder_id, at, channel, outcome, code, error, fallback) "
		  "VALUES (?",
		  reminder_id);
	query_num(&q, ", ?", at);
	query_text(&q, ", ?", channel);
	query_text(&q, ", ?", outcome);
	query_num(&q, ", nullif(?, 0)", code);
	query_text(&q, ", ?", error && *error ? error : NULL);
	query_num(&q, ", ?)", fallback);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		return ret;
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

int
store_attempts_json(struct store *st, int64_t reminder_id, json_t **rows)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	json_t *arr;
	int rc, ret;

	query_num(&q,
		  "SELECT at, channel, outcome, code, error, fallback FROM attempts "
		  "WHERE reminder_id = ? ORDER BY id",
		  reminder_id);
	if ((ret = query_prepare(st, &q, &s)) < 0)
		return ret;
	arr = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_array_append_new(arr,
				      json_pack("{s:I s:o s:o s:o s:o s:b}", "at",
						(json_int_t)sqlite3_column_int64(s, 0), "channel",
						json_text_or_null(s, 1), "outcome",
						json_text_or_null(s, 2), "code",
						sqlite3_column_type(s, 3) == SQLITE_NULL
							? json_null()
							: json_integer(sqlite3_column_int64(s, 3)),
						"error", json_text_or_null(s, 4), "fallback",
						sqlite3_column_int(s, 5) != 0));
	}
	done(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return map_rc(rc);
	}
	*rows = arr;
	return 0;
}

int
store_reminders_list(struct store *st, const struct store_reminder_filter *f,
		     struct store_reminder **out, size_t *n, int64_t *next_id)
{
	struct query q = { .len = 0 };
	int ret;

	*next_id = 0;
	query_add(&q, "SELECT " REMINDER_COLUMNS " WHERE 1");
	if (f->state)
		query_text(&q, " AND r.state = ?", f->state);
	if (f->ref)
		query_text(&q, " AND c.ref = ?", f->ref);
	if (f->channel)
		query_text(&q, " AND r.channel = ?", f->channel);
	if (f->before_id)
		query_num(&q, " AND r.id < ?", f->before_id);
	query_num(&q, " ORDER BY r.id DESC LIMIT ?", f->limit + 1);
	if ((ret = collect_reminders(st, &q, out, n)) < 0)
		return ret;
	if (*n > (size_t)f->limit) {
		store_reminder_deinit(&(*out)[*n - 1]);
		(*n)--;
		*next_id = (*out)[*n - 1].id;
	}
	return 0;
}

int
store_reminder_counts(struct store *st, json_t **out)
{
	static const char *const names[] = { "pending", "failed", "sent", "dead", "cancelled" };
	json_t *o = json_object();
	char key[32];
	int64_t n = 0; /* set by counts_get(); gcc -O3 cannot see it */
	int ret;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(key, sizeof(key), "reminders.%s", names[i]);
		if ((ret = counts_get(st, key, &n)) < 0)
			goto fail;
		json_object_set_new(o, names[i], json_integer(n));
	}
	/* Attempts that went out with the built-in text because a template failed. */
	if ((ret = counts_get(st, "template_fallbacks", &n)) < 0)
		goto fail;
	json_object_set_new(o, "template_fallbacks", json_integer(n));
	if ((ret = counts_get(st, "notices_to_log", &n)) < 0)
		goto fail;
	json_object_set_new(o, "notices_to_log", json_integer(n));
	*out = o;
	return 0;
fail:
	json_decref(o);
	return ret;
}
