// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * txn: write transactions, the savepoint of each request inside them, and the figures of
 * the counts table that each savepoint adds to (written with its release, forgotten with its
 * rollback).
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

static const char *const count_name[COUNT_N] = {
	[COUNT_CASES] = "cases",
	[COUNT_EVENTS] = "events",
	[COUNT_DEADLINES] = "deadlines",
	[COUNT_AUDIT] = "audit",
	[COUNT_REMINDERS_PENDING] = "reminders.pending",
	[COUNT_NOTICES_TO_LOG] = "notices_to_log",
};

#define MOVED_FAULT "the database file was deleted or replaced while open; restart fristvaktd"

/*
 * A database file deleted or replaced underneath still works through the open descriptor,
 * and every commit would vanish when the daemon stops: whether that happened.
 */
static bool
file_moved(struct store *st)
{
	int moved = 0;

	return sqlite3_file_control(st->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
	       moved;
}

int
store_begin(struct store *st)
{
	st->fault = NULL;
	if (file_moved(st)) {
		st->fault = MOVED_FAULT;
		return -ESTALE;
	}
	return exec(st, "BEGIN IMMEDIATE");
}

/* Adds delta to the counts row name, which may not exist yet. */
static int
named_count_add(struct store *st, const char *name, int64_t delta)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st,
			   "INSERT INTO counts (name, n) VALUES (?1, ?2) "
			   "ON CONFLICT (name) DO UPDATE SET n = n + excluded.n",
			   &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, delta);
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

/* Writes the figures noted since the last flush into the counts table. */
static int
flush_counts(struct store *st)
{
	sqlite3_stmt *s = st->stmt[STMT_COUNT_ADD];

	for (int i = 0; i < COUNT_N; i++) {
		int rc;

		if (!st->count_delta[i])
			continue;
		sqlite3_bind_int64(s, 1, st->count_delta[i]);
		sqlite3_bind_text(s, 2, count_name[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			return map_rc(rc);
		st->count_delta[i] = 0;
	}
	for (size_t i = 0; i < st->n_chan_delta; i++) {
		int ret = st->chan_delta[i].delta == 0 ? 0
						       : named_count_add(st, st->chan_delta[i].name,
									 st->chan_delta[i].delta);

		if (ret < 0)
			return ret;
	}
	st->n_chan_delta = 0;
	return 0;
}

static void
forget_counts(struct store *st)
{
	memset(st->count_delta, 0, sizeof(st->count_delta));
	st->n_chan_delta = 0;
}

int
count_noted(struct store *st, const char *name, int64_t delta)
{
	size_t i;

	for (i = 0; i < st->n_chan_delta; i++) {
		if (strcmp(st->chan_delta[i].name, name) == 0) {
			st->chan_delta[i].delta += delta;
			return 0;
		}
	}
	/* More names in one request than slots (or one too long): written at once. */
	if (i == FV_ARRAY_SIZE(st->chan_delta) || strlen(name) >= sizeof(st->chan_delta[i].name))
		return named_count_add(st, name, delta);
	snprintf(st->chan_delta[i].name, sizeof(st->chan_delta[i].name), "%s", name);
	st->chan_delta[i].delta = delta;
	st->n_chan_delta++;
	return 0;
}

/* Notes one more pending reminder on channel (written with the counts). */
int
channel_pending_noted(struct store *st, const char *channel)
{
	char name[sizeof(st->chan_delta[0].name) + 64];

	snprintf(name, sizeof(name), "channel.%s.pending", channel);
	return count_noted(st, name, 1);
}

int
store_commit(struct store *st)
{
	int ret = flush_counts(st);

	/* Checked again here: the file may have gone after the transaction began. */
	if (ret == 0 && file_moved(st)) {
		snprintf(st->fault_buf, sizeof(st->fault_buf), "%s", MOVED_FAULT);
		ret = -ESTALE;
	} else if (ret == 0) {
		ret = exec(st, "COMMIT");
		if (ret < 0)
			snprintf(st->fault_buf, sizeof(st->fault_buf), "%s",
				 sqlite3_errmsg(st->db));
	} else {
		snprintf(st->fault_buf, sizeof(st->fault_buf), "%s", sqlite3_errmsg(st->db));
	}
	if (ret < 0) {
		/* Keep why (e.g. "database or disk is full"): the rollback resets the message. */
		st->fault = st->fault_buf;
		forget_counts(st);
		exec(st, "ROLLBACK");
	}
	return ret;
}

int
store_savepoint(struct store *st)
{
	return exec(st, "SAVEPOINT request");
}

int
store_release(struct store *st)
{
	int ret = flush_counts(st);

	return ret < 0 ? ret : exec(st, "RELEASE request");
}

void
store_rollback_to(struct store *st)
{
	forget_counts(st);
	exec(st, "ROLLBACK TO request");
	exec(st, "RELEASE request");
}

void
store_rollback(struct store *st)
{
	forget_counts(st);
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK");
}

/* A figure of the counts table; a missing row is a damaged database. */
int
counts_get(struct store *st, const char *name, int64_t *out)
{
	sqlite3_stmt *s = st->stmt[STMT_COUNT_GET];
	int rc;

	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_CORRUPT;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return map_rc(rc);
}

int
store_counts(struct store *st, struct store_counts *out)
{
	int ret;

	if ((ret = counts_get(st, count_name[COUNT_CASES], &out->cases)) < 0 ||
	    (ret = counts_get(st, count_name[COUNT_EVENTS], &out->events)) < 0 ||
	    (ret = counts_get(st, count_name[COUNT_DEADLINES], &out->deadlines)) < 0 ||
	    (ret = counts_get(st, count_name[COUNT_AUDIT], &out->audit)) < 0)
		return ret;
	return 0;
}

void
store_count_notice_to_log(struct store *st)
{
	st->count_delta[COUNT_NOTICES_TO_LOG]++;
}
