/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_impl: the open database's own layout and the statement helpers that the files of
 * the store share, and nothing outside daemon/store/ includes. Everyone else sees struct
 * store only through store.h.
 *
 * store.c opens the database and runs the migrations; txn.c holds the transactions and the
 * figures of the counts table they carry; stmt.c the cache of prepared statements and the
 * query builder of the listings; check.c the integrity check on a connection of its own;
 * cases.c, deadlines.c, reminders.c, channels.c and audit.c the tables they are named for.
 */
#ifndef FV_STORE_IMPL_H
#define FV_STORE_IMPL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/util.h"
#include "store/store.h"

/* The statements prepared once at open (store.c stmt_sql), for the hot paths. */
enum stmt_id {
	STMT_COUNT_GET,
	STMT_COUNT_ADD,
	STMT_AUDIT_INSERT,
	STMT_CASE_BY_REF,
	STMT_CASE_INSERT,
	STMT_CASE_SET_STATE,
	STMT_CASE_UPDATE,
	STMT_CONTACT_SET,
	STMT_EVENT_BY_CLIENT_ID,
	STMT_EVENT_INSERT,
	STMT_EVENTS_OF_CASE,
	STMT_DEADLINES_DELETE,
	STMT_DEADLINE_INSERT,
	STMT_DEADLINE_VERSION,
	STMT_DEADLINE_VERSION_GET,
	STMT_COUNT,
};

#define CASE_COLUMNS                                                                               \
	"c.id, c.ref, c.service, c.handler, c.unit, c.received, c.channel, c.emergency, "          \
	"c.state, EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = c.id), c.created, "           \
	"c.updated"
#define EVENT_COLUMNS                                                                              \
	"e.id, e.case_id, e.client_id, e.type, e.occurred, e.recorded, e.data, "                   \
	"ifnull(e.supersedes, 0), "                                                                \
	"ifnull((SELECT min(s.id) FROM events s WHERE s.supersedes = e.id), 0), e.uid"

/* Slots of the cache of prepared statements (stmt_prep). */
#define STORE_CACHE 48

/* The figures of the counts table that the store keeps itself (see count_delta). */
enum count_id {
	COUNT_CASES,
	COUNT_EVENTS,
	COUNT_DEADLINES,
	COUNT_AUDIT,
	COUNT_REMINDERS_PENDING,
	COUNT_NOTICES_TO_LOG,
	COUNT_N,
};

struct cached {
	char *sql;
	sqlite3_stmt *stmt;
	uint64_t used;
};

struct store {
	sqlite3 *db;
	int schema_version;
	sqlite3_stmt *stmt[STMT_COUNT];
	const char *fault; /* the store's own text for the last failure; NULL: SQLite's */
	char fault_buf[256];
	struct cached cache[STORE_CACHE];
	uint64_t cache_clock;
	bool checked; /* quick_check ran in store_open (before a migration) */
	/*
	 * What this request's savepoint (or the transaction, outside one) added to the
	 * figures of the counts table that the hot inserts change; written by flush_counts()
	 * with the savepoint's release, forgotten with its rollback. Per-row triggers did
	 * this at a quarter of a registration's time (measured); the rarer changes (a
	 * reminder's state, a fallback attempt) stay with triggers.
	 */
	int64_t count_delta[COUNT_N];
	/* The same for the figures named at run time: the pending reminders of each channel
	 * ("channel.NAME.pending") and the deadlines by kind and state ("deadlines.KIND.STATE"). */
	struct {
		char name[96];
		int64_t delta;
	} chan_delta[8];
	size_t n_chan_delta;
};

/* Maps an SQLite result code to a negative errno. */
static inline int
map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* Runs sql (no rows, no parameters): 0 or -errno. */
static inline int
exec(struct store *st, const char *sql)
{
	return map_rc(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

/*
 * A cache of prepared statements keyed by their SQL text, so that the statements the
 * listings and the outbox build from parts are compiled once, not per call. A statement
 * taken from it (*out, owned by the cache) is given back with done(), which resets it.
 * Returns an SQLite result code.
 */
int stmt_prep(struct store *st, const char *sql, sqlite3_stmt **out);

/* Resets a statement of the cache (or NULL) for its next use. */
static inline void
done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

/* Binds a string or NULL. */
static inline void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Column i as an owned string, NULL for NULL. */
static inline char *
column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* Runs a statement that returns no rows, then resets it. */
static inline int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

/* Column i as a JSON string (new reference), or JSON null. */
static inline json_t *
json_text_or_null(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? json_string((const char *)t) : json_null();
}

/* A growing SQL text with its parameters, for the listings' optional filters. */
struct query {
	char sql[2048];
	size_t len;
	const char *text[16];
	int64_t num[16];
	bool is_num[16];
	int n;
};

/* Appends sql to the text of q. */
static inline void
query_add(struct query *q, const char *sql)
{
	size_t n = strlen(sql);

	FV_ASSERT(q->len + n < sizeof(q->sql));
	memcpy(q->sql + q->len, sql, n + 1);
	q->len += n;
}

/* Appends sql, whose next parameter is the string v (borrowed, NULL binds NULL). */
static inline void
query_text(struct query *q, const char *sql, const char *v)
{
	FV_ASSERT(q->n < 16);
	query_add(q, sql);
	q->text[q->n] = v;
	q->is_num[q->n++] = false;
}

/* Appends sql, whose next parameter is the number v. */
static inline void
query_num(struct query *q, const char *sql, int64_t v)
{
	FV_ASSERT(q->n < 16);
	query_add(q, sql);
	q->num[q->n] = v;
	q->is_num[q->n++] = true;
}

/* Takes q's statement from the cache (stmt_prep) with its parameters bound: 0 or -errno. */
int query_prepare(struct store *st, struct query *q, sqlite3_stmt **out);

/*
 * "d.kind IN ('processing', ...)": the kinds that are the office's duties, from the
 * vocabulary (rules_kind_is_office_duty). Listings, the overdue work list and digests use
 * it; the kind names are the program's own constants, not input.
 */
const char *office_kinds_sql(void);

/* The daemon's busy timeout: short, it blocks the loop, and the daemon is the only writer. */
#define STORE_BUSY_MS 200

/*
 * The highest reminder id ever given: the highest row's, or the floor in meta (db/007)
 * that purges and restores raise (store/reminders.c). A new reminder takes this + 1.
 */
#define REMINDER_ID_TOP_SQL                                                                        \
	"max(coalesce((SELECT max(id) FROM reminders), 0), coalesce((SELECT CAST(value AS "        \
	"INTEGER) FROM meta WHERE key = 'reminder_id_floor'), 0))"

/*
 * A reminder's identity in its series, bound as ?1..?6 by reminder_identity_bind, and
 * whether a row of it is one the planner may make pending again: cancelled unsent because
 * its deadline moved (ops/retry.c gives that reason), never attempted.
 */
#define REMINDER_IDENTITY_SQL                                                                      \
	"case_id = ?1 AND kind = ?2 AND subject = ?3 AND stage = ?4 AND occurrence = ?5 AND "      \
	"recipient = ?6"
#define REMINDER_REVIVABLE_SQL                                                                     \
	"(state = 'cancelled' AND attempts = 0 AND (last_error IS NULL OR last_error LIKE "        \
	"'not sent: its deadline was met, cancelled or moved%') AND NOT EXISTS (SELECT 1 FROM "    \
	"attempts a WHERE a.reminder_id = reminders.id))"
void reminder_identity_bind(sqlite3_stmt *s, const struct store_reminder *r);

/*
 * A deadline (alias d) still awaited: stored open, or stored missed and not met since. An
 * office duty that passed unmet is stored missed with met_on NULL and is still owed: the
 * overdue work list, the digests and the purge (which keeps its case) judge by this, as
 * the planner's awaiting() (ops/plan.c) does.
 */
#define AWAITED_SQL                                                                                \
	"(d.state = 'open' OR (d.state = 'missed' AND d.met_on IS NULL AND d.ended_on IS NULL))"

/* A figure of the counts table; a missing row is a damaged database. 0 or -errno. */
int counts_get(struct store *st, const char *name, int64_t *out);
/* Notes one more pending reminder on channel (written with the counts). 0 or -errno. */
int channel_pending_noted(struct store *st, const char *channel);
/* Deletes the deadlines of case_id (*deleted of them), noted in the counts. 0 or -errno. */
int deadlines_delete_counted(struct store *st, int64_t case_id, int64_t *deleted);
/* Notes delta more of the counts row name (written with the other figures). */
int count_noted(struct store *st, const char *name, int64_t delta);

#endif
