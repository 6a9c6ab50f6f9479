// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * store: SQLite storage (see store.h).
 *
 * The schema is the ordered list of migrations in db/, compiled in (embedded.h). The
 * database's PRAGMA user_version is the number of migrations applied; each one runs in its
 * own transaction together with the user_version bump, so a crash mid-way leaves the
 * database at the previous version. A database newer than this build is refused rather
 * than guessed at.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/cal.h"
#include "core/embedded.h"
#include "core/rules.h"
#include "core/util.h"

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

/*
 * The first version of event P (a parameter): corrections supersede an event with a newer
 * one, so the chain runs to lower ids and ends; an id that is no event stands for itself.
 */
#define ROOT_OF(P)                                                                                 \
	"coalesce((WITH RECURSIVE chain (id, sup) AS (SELECT id, supersedes FROM events "          \
	"WHERE id = " P " UNION ALL SELECT e.id, e.supersedes FROM events e JOIN chain c "         \
	"ON e.id = c.sup AND c.sup < c.id) SELECT id FROM chain WHERE sup IS NULL), " P ")"

static const char *const stmt_sql[STMT_COUNT] = {
	/* The counts table (db/002), so that Status never scans a table. */
	[STMT_COUNT_GET] = "SELECT n FROM counts WHERE name = ?",
	[STMT_COUNT_ADD] = "UPDATE counts SET n = n + ? WHERE name = ?",
	[STMT_AUDIT_INSERT] = ("INSERT INTO audit (at, method, case_ref, uid, gid, pid, outcome) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)"),
	[STMT_CASE_BY_REF] = "SELECT " CASE_COLUMNS " FROM cases c WHERE c.ref = ?",
	[STMT_CASE_INSERT] = ("INSERT INTO cases (ref, service, handler, unit, received, channel, "
			      "emergency, state, created, updated) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
	[STMT_CASE_SET_STATE] = "UPDATE cases SET state = ?, updated = ? WHERE id = ?",
	[STMT_CASE_UPDATE] = ("UPDATE cases SET service = ?, handler = ?, unit = ?, received = ?, "
			      "channel = ?, emergency = ?, updated = ? WHERE id = ?"),
	[STMT_CONTACT_SET] = ("INSERT OR REPLACE INTO contacts (case_id, email, phone, consent_at) "
			      "VALUES (?, ?, ?, ?)"),
	[STMT_EVENT_BY_CLIENT_ID] = "SELECT " EVENT_COLUMNS " FROM events e WHERE e.client_id = ?",
	[STMT_EVENT_INSERT] = ("INSERT INTO events (case_id, client_id, type, occurred, recorded, "
			       "data, supersedes, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
	[STMT_EVENTS_OF_CASE] =
		"SELECT " EVENT_COLUMNS " FROM events e WHERE e.case_id = ? ORDER BY e.id",
	[STMT_DEADLINES_DELETE] = "DELETE FROM deadlines WHERE case_id = ?",
	[STMT_DEADLINE_INSERT] = ("INSERT INTO deadlines (case_id, kind, subject, state, due, "
				  "met_on, explanation, rule, source) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
	/* A new version only when the due date or the state changed (db/004). */
	[STMT_DEADLINE_VERSION] =
		("INSERT INTO deadline_versions (case_id, kind, subject, due, state, sequence, "
		 "modified) VALUES (?1, ?2, " ROOT_OF(
			 "?3") ", ?4, ?5, 0, unixepoch()) "
			       "ON CONFLICT (case_id, kind, subject) DO UPDATE SET sequence = sequence + 1, "
			       "modified = excluded.modified, due = excluded.due, state = excluded.state "
			       "WHERE due IS NOT excluded.due OR state IS NOT excluded.state"),
	[STMT_DEADLINE_VERSION_GET] =
		("SELECT sequence, modified FROM deadline_versions "
		 "WHERE case_id = ?1 AND kind = ?2 AND subject = " ROOT_OF("?3")),
};

#define STORE_CACHE 48

/* The figures of the counts table that store.c keeps itself (see count_delta). */
enum count_id {
	COUNT_CASES,
	COUNT_EVENTS,
	COUNT_DEADLINES,
	COUNT_AUDIT,
	COUNT_REMINDERS_PENDING,
	COUNT_NOTICES_TO_LOG,
	COUNT_N,
};

static const char *const count_name[COUNT_N] = {
	[COUNT_CASES] = "cases",
	[COUNT_EVENTS] = "events",
	[COUNT_DEADLINES] = "deadlines",
	[COUNT_AUDIT] = "audit",
	[COUNT_REMINDERS_PENDING] = "reminders.pending",
	[COUNT_NOTICES_TO_LOG] = "notices_to_log",
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
	/* The same for the pending reminders of each channel ("channel.NAME.pending"). */
	struct {
		char name[96];
		int64_t delta;
	} chan_delta[8];
	size_t n_chan_delta;
};

/* Maps an SQLite result code to a negative errno. */
static int
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

static int
exec(struct store *st, const char *sql)
{
	return map_rc(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

static int
pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return map_rc(rc);
}

static int
pragma_text(struct store *st, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);

			snprintf(buf, len, "%s", t ? (const char *)t : "");
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return map_rc(rc);
}

/* The number NNN of a migration file named "NNN_what.sql", or -1. */
static int
migration_number(const char *name)
{
	int n = 0;

	for (int i = 0; i < 3; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return name[3] == '_' ? n : -1;
}

int
store_schema_latest(void)
{
	int n = 0;

	while (fv_embedded_migrations[n].name)
		n++;
	return n;
}

/* PRAGMA schema_version + 1: every connection reads the schema again. */
static int
bump_schema_cookie(struct store *st)
{
	char sql[64];
	int cookie = 0, ret;

	if ((ret = pragma_int(st, "PRAGMA schema_version", &cookie)) < 0)
		return ret;
	snprintf(sql, sizeof(sql), "PRAGMA schema_version = %d", cookie + 1);
	return exec(st, sql);
}

static int
migrate(struct store *st, char *err, size_t errlen)
{
	int latest = store_schema_latest();
	bool migrated = false;
	int ret;

	if (st->schema_version > latest) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this fristvaktd supports (%d): "
			 "run the fristvaktd that wrote it, or restore a backup",
			 st->schema_version, latest);
		return -EPROTO;
	}
	for (int v = st->schema_version; v < latest; v++) {
		const struct fv_embedded *m = &fv_embedded_migrations[v];
		char bump[64];

		/* File NNN_name.sql brings the schema to version NNN. */
		if (migration_number(m->name) != v + 1) {
			snprintf(err, errlen, "migration %s is out of sequence (expected %03d_)",
				 m->name, v + 1);
			return -EPROTO;
		}
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if ((ret = exec(st, "BEGIN IMMEDIATE")) < 0)
			goto fail;
		/*
		 * schema_version + 1 after the migration's own statements: a migration may
		 * edit table definitions in sqlite_schema (writable_schema), and only a new
		 * schema cookie makes every connection, this one included, read them again.
		 */
		if ((ret = exec(st, m->data)) < 0 || (ret = exec(st, bump)) < 0 ||
		    (ret = bump_schema_cookie(st)) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", m->name,
				 sqlite3_errmsg(st->db));
			exec(st, "ROLLBACK");
			return ret;
		}
		if ((ret = exec(st, "COMMIT")) < 0)
			goto fail;
		st->schema_version = v + 1;
		migrated = true;
	}
	/*
	 * Into the database file at once: the new user_version is then in the file's header,
	 * where the package's preinst reads it to refuse a downgrade while this daemon runs
	 * (a change left in the write-ahead log is not in the header until a checkpoint).
	 */
	if (migrated && (ret = exec(st, "PRAGMA wal_checkpoint(TRUNCATE)")) < 0) {
		snprintf(err, errlen, "writing the migrated schema into the database failed: %s",
			 sqlite3_errmsg(st->db));
		return ret;
	}
	return 0;
fail:
	snprintf(err, errlen, "migrating the database failed: %s", sqlite3_errmsg(st->db));
	exec(st, "ROLLBACK");
	return ret;
}

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char *dir_copy = xstrdup(path);
	char check[256];
	char mode[16];
	int fd, rc, ret;

	*out = NULL;
	/* Owner-only: the directory and the file hold case data under taushetsplikt. */
	ret = fv_mkdir_p(dirname(dir_copy), 0700);
	if (ret < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(-ret));
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = map_rc(rc);
		snprintf(err, errlen, "cannot open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* A short busy timeout: it blocks the loop, and we are the only writer. */
	sqlite3_busy_timeout(st->db, 200);
	if ((ret = pragma_text(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode))) < 0 ||
	    strcmp(mode, "wal") != 0) {
		snprintf(err, errlen, "%s: cannot switch to WAL mode: %s", path,
			 ret < 0 ? sqlite3_errmsg(st->db) : mode);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	/*
	 * temp_store = MEMORY: the statement journal of each request's savepoint lives in
	 * memory, not in a temporary file opened and unlinked per request (measured: one
	 * open/unlink per write). wal_autocheckpoint: checkpoint every 4000 pages (16 MiB at
	 * 4 KiB) instead of 1000, so that pages written again and again are copied back less
	 * often; the WAL stays bounded.
	 */
	if ((ret = exec(st, "PRAGMA wal_autocheckpoint = 4000")) < 0 ||
	    (ret = exec(st, "PRAGMA synchronous = FULL")) < 0 ||
	    (ret = exec(st, "PRAGMA foreign_keys = ON")) < 0 ||
	    (ret = pragma_int(st, "PRAGMA user_version", &st->schema_version)) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto out;
	}
	/*
	 * A migration rewrites the schema: check the file first, so that it never builds on
	 * a damaged one. Otherwise the daemon checks it after start-up, on a connection of its
	 * own (store_check_*), because the check reads the whole file (seconds per GiB).
	 */
	if (st->schema_version > 0 && st->schema_version < store_schema_latest()) {
		if ((ret = pragma_text(st, "PRAGMA quick_check", check, sizeof(check))) < 0) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
			goto out;
		}
		if (strcmp(check, "ok") != 0) {
			snprintf(err, errlen, "%s failed PRAGMA quick_check: %s", path, check);
			ret = -EUCLEAN;
			goto out;
		}
		st->checked = true;
	}
	/* After the check, whose temporary structures would otherwise grow in memory. */
	if ((ret = exec(st, "PRAGMA temp_store = MEMORY")) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto out;
	}
	if ((ret = migrate(st, err, errlen)) < 0)
		goto out;
	for (int i = 0; i < STMT_COUNT; i++) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			ret = map_rc(rc);
			snprintf(err, errlen, "%s: preparing a statement failed: %s", path,
				 sqlite3_errmsg(st->db));
			goto out;
		}
	}
	*out = st;
	st = NULL;
	ret = 0;
out:
	free(dir_copy);
	store_close(st);
	return ret;
}

void
store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (size_t i = 0; i < STORE_CACHE; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	/* All statements are finalized, so close cannot fail with SQLITE_BUSY. */
	sqlite3_close(st->db);
	free(st);
}

int
store_schema_version(const struct store *st)
{
	return st->schema_version;
}

bool
store_checked(const struct store *st)
{
	return st->checked;
}

/* The integrity check on a read-only connection of its own (see store.h). */
struct store_check {
	sqlite3 *db;
	atomic_bool stop; /* set from another thread: the progress handler ends the check */
	char result[256];
	bool ok;
};

static int
check_progress(void *arg)
{
	struct store_check *c = arg;

	return atomic_load(&c->stop) ? 1 : 0;
}

int
store_check_new(const char *path, struct store_check **out, char *err, size_t errlen)
{
	struct store_check *c = xcalloc(1, sizeof(*c));
	/* Opened and closed on the caller's thread, stepped on the check's own thread. */
	int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	*out = NULL;
	if (rc != SQLITE_OK) {
		int ret = map_rc(rc);

		snprintf(err, errlen, "cannot open %s for its integrity check: %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		store_check_free(c);
		return ret;
	}
	snprintf(c->result, sizeof(c->result), "not run");
	atomic_init(&c->stop, false);
	/* sqlite3_interrupt() would miss a check that has not begun stepping yet. */
	sqlite3_progress_handler(c->db, 10000, check_progress, c);
	*out = c;
	return 0;
}

void
store_check_run(struct store_check *c)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(c->db, "PRAGMA quick_check", -1, &s, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(c->result, sizeof(c->result), "%s", t ? (const char *)t : "");
		c->ok = strcmp(c->result, "ok") == 0;
		/* One log line: SQLite separates its findings with newlines. */
		for (char *p = c->result; *p; p++)
			if (*p == '\n')
				*p = ' ';
	} else {
		snprintf(c->result, sizeof(c->result), "%s", sqlite3_errmsg(c->db));
		c->ok = false;
	}
	sqlite3_finalize(s);
}

void
store_check_interrupt(struct store_check *c)
{
	atomic_store(&c->stop, true);
}

bool
store_check_ok(const struct store_check *c)
{
	return c->ok;
}

const char *
store_check_result(const struct store_check *c)
{
	return c->result;
}

void
store_check_free(struct store_check *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

const char *
store_errmsg(struct store *st)
{
	return st->fault ? st->fault : sqlite3_errmsg(st->db);
}

int
store_begin(struct store *st)
{
	int moved = 0;

	/*
	 * A database file deleted or replaced underneath still works through the open
	 * descriptor, and every commit would vanish when the daemon stops: refuse to write.
	 */
	st->fault = NULL;
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
	    moved) {
		st->fault = "the database file was deleted or replaced while open; restart "
			    "fristvaktd";
		return -ESTALE;
	}
	return exec(st, "BEGIN IMMEDIATE");
}

static int prep(struct store *st, const char *sql, sqlite3_stmt **out);
static void done(sqlite3_stmt *s);

/* Adds delta to the counts row name, which may not exist yet. */
static int
channel_count_add(struct store *st, const char *name, int64_t delta)
{
	static const char *const sql[] = {
		"INSERT OR IGNORE INTO counts (name, n) VALUES (?1, 0)",
		"UPDATE counts SET n = n + ?2 WHERE name = ?1",
	};

	for (size_t i = 0; i < FV_ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *s = NULL;
		int rc = prep(st, sql[i], &s);

		if (rc != SQLITE_OK)
			return map_rc(rc);
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		if (i == 1)
			sqlite3_bind_int64(s, 2, delta);
		rc = sqlite3_step(s);
		done(s);
		if (rc != SQLITE_DONE)
			return map_rc(rc);
	}
	return 0;
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
		int ret = channel_count_add(st, st->chan_delta[i].name, st->chan_delta[i].delta);

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

/* Notes one more pending reminder on channel (written with the counts). */
static int
channel_pending_noted(struct store *st, const char *channel)
{
	char name[sizeof(st->chan_delta[0].name)];
	size_t i;

	snprintf(name, sizeof(name), "channel.%s.pending", channel);
	for (i = 0; i < st->n_chan_delta; i++) {
		if (strcmp(st->chan_delta[i].name, name) == 0) {
			st->chan_delta[i].delta++;
			return 0;
		}
	}
	if (i == FV_ARRAY_SIZE(st->chan_delta))
		return channel_count_add(st, name, 1);
	snprintf(st->chan_delta[i].name, sizeof(st->chan_delta[i].name), "%s", name);
	st->chan_delta[i].delta = 1;
	st->n_chan_delta++;
	return 0;
}

int
store_commit(struct store *st)
{
	int ret = flush_counts(st);

	if (ret == 0)
		ret = exec(st, "COMMIT");

	if (ret < 0) {
		/* Keep why (e.g. "database or disk is full"): the rollback resets the message. */
		snprintf(st->fault_buf, sizeof(st->fault_buf), "%s", sqlite3_errmsg(st->db));
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
static int
count(struct store *st, const char *name, int64_t *out)
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

	if ((ret = count(st, count_name[COUNT_CASES], &out->cases)) < 0 ||
	    (ret = count(st, count_name[COUNT_EVENTS], &out->events)) < 0 ||
	    (ret = count(st, count_name[COUNT_DEADLINES], &out->deadlines)) < 0 ||
	    (ret = count(st, count_name[COUNT_AUDIT], &out->audit)) < 0)
		return ret;
	return 0;
}

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

/*
 * A cache of prepared statements keyed by their SQL text, so that the statements the
 * listings and the outbox build from parts are compiled once, not per call. A statement
 * taken from it is given back with done(), which resets it.
 */
static int
prep(struct store *st, const char *sql, sqlite3_stmt **out)
{
	struct cached *slot = &st->cache[0];
	int rc;

	st->cache_clock++;
	for (size_t i = 0; i < STORE_CACHE; i++) {
		struct cached *c = &st->cache[i];

		if (c->sql && strcmp(c->sql, sql) == 0) {
			c->used = st->cache_clock;
			*out = c->stmt;
			/* Whatever path left it last, it starts clean. */
			sqlite3_reset(c->stmt);
			sqlite3_clear_bindings(c->stmt);
			return SQLITE_OK;
		}
		if (!c->sql || c->used < slot->used)
			slot = c;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (slot->sql) {
		sqlite3_finalize(slot->stmt);
		free(slot->sql);
	}
	slot->sql = xstrdup(sql);
	slot->stmt = *out;
	slot->used = st->cache_clock;
	return SQLITE_OK;
}

static void
done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

/* Binds a string or NULL. */
static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static char *
column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* Runs a statement that returns no rows, then resets it. */
static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

void
store_case_deinit(struct store_case *c)
{
	free(c->ref);
	free(c->service);
	free(c->handler);
	free(c->unit);
	free(c->channel);
	free(c->state);
	memset(c, 0, sizeof(*c));
}

static void
read_case(sqlite3_stmt *s, struct store_case *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->ref = column_text(s, 1);
	c->service = column_text(s, 2);
	c->handler = column_text(s, 3);
	c->unit = column_text(s, 4);
	c->received = sqlite3_column_int64(s, 5);
	c->channel = column_text(s, 6);
	c->emergency = sqlite3_column_int(s, 7) != 0;
	c->state = column_text(s, 8);
	c->has_contact = sqlite3_column_int(s, 9) != 0;
	c->created = sqlite3_column_int64(s, 10);
	c->updated = sqlite3_column_int64(s, 11);
}

int
store_case_by_ref(struct store *st, const char *ref, struct store_case *out)
{
	sqlite3_stmt *s = st->stmt[STMT_CASE_BY_REF];
	int rc, ret;

	memset(out, 0, sizeof(*out));
	bind_text(s, 1, ref);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_case(s, out);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_case_insert(struct store *st, struct store_case *c)
{
	sqlite3_stmt *s = st->stmt[STMT_CASE_INSERT];
	int ret;

	bind_text(s, 1, c->ref);
	bind_text(s, 2, c->service);
	bind_text(s, 3, c->handler);
	bind_text(s, 4, c->unit);
	sqlite3_bind_int64(s, 5, c->received);
	bind_text(s, 6, c->channel);
	sqlite3_bind_int(s, 7, c->emergency);
	bind_text(s, 8, c->state);
	sqlite3_bind_int64(s, 9, c->created);
	sqlite3_bind_int64(s, 10, c->updated);
	ret = step_done(s);
	if (ret == 0) {
		c->id = sqlite3_last_insert_rowid(st->db);
		st->count_delta[COUNT_CASES]++;
	}
	return ret;
}

int
store_case_set_state(struct store *st, int64_t id, const char *state, int64_t updated)
{
	sqlite3_stmt *s = st->stmt[STMT_CASE_SET_STATE];

	bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, updated);
	sqlite3_bind_int64(s, 3, id);
	return step_done(s);
}

int
store_case_update(struct store *st, const struct store_case *c)
{
	sqlite3_stmt *s = st->stmt[STMT_CASE_UPDATE];

	bind_text(s, 1, c->service);
	bind_text(s, 2, c->handler);
	bind_text(s, 3, c->unit);
	sqlite3_bind_int64(s, 4, c->received);
	bind_text(s, 5, c->channel);
	sqlite3_bind_int(s, 6, c->emergency);
	sqlite3_bind_int64(s, 7, c->updated);
	sqlite3_bind_int64(s, 8, c->id);
	return step_done(s);
}

int
store_contact_set(struct store *st, int64_t case_id, const char *email, const char *phone,
		  int64_t at)
{
	sqlite3_stmt *s = st->stmt[STMT_CONTACT_SET];

	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, email);
	bind_text(s, 3, phone);
	sqlite3_bind_int64(s, 4, at);
	return step_done(s);
}

void
store_event_deinit(struct store_event *e)
{
	free(e->client_id);
	free(e->type);
	free(e->data);
	memset(e, 0, sizeof(*e));
}

static void
read_event(sqlite3_stmt *s, struct store_event *e)
{
	e->id = sqlite3_column_int64(s, 0);
	e->case_id = sqlite3_column_int64(s, 1);
	e->client_id = column_text(s, 2);
	e->type = column_text(s, 3);
	e->occurred = sqlite3_column_int64(s, 4);
	e->recorded = sqlite3_column_int64(s, 5);
	e->data = column_text(s, 6);
	e->supersedes = sqlite3_column_int64(s, 7);
	e->superseded_by = sqlite3_column_int64(s, 8);
	e->uid = (uint32_t)sqlite3_column_int64(s, 9);
}

int
store_event_by_client_id(struct store *st, const char *client_id, struct store_event *out)
{
	sqlite3_stmt *s = st->stmt[STMT_EVENT_BY_CLIENT_ID];
	int rc, ret;

	memset(out, 0, sizeof(*out));
	bind_text(s, 1, client_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_event(s, out);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_event_insert(struct store *st, struct store_event *e)
{
	sqlite3_stmt *s = st->stmt[STMT_EVENT_INSERT];
	int ret;

	sqlite3_bind_int64(s, 1, e->case_id);
	bind_text(s, 2, e->client_id);
	bind_text(s, 3, e->type);
	sqlite3_bind_int64(s, 4, e->occurred);
	sqlite3_bind_int64(s, 5, e->recorded);
	bind_text(s, 6, e->data);
	if (e->supersedes)
		sqlite3_bind_int64(s, 7, e->supersedes);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_int64(s, 8, e->uid);
	ret = step_done(s);
	if (ret == 0) {
		e->id = sqlite3_last_insert_rowid(st->db);
		st->count_delta[COUNT_EVENTS]++;
	}
	return ret;
}

int
store_events_of_case(struct store *st, int64_t case_id, struct store_event **out, size_t *n)
{
	sqlite3_stmt *s = st->stmt[STMT_EVENTS_OF_CASE];
	struct store_event *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		read_event(s, &v[len++]);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		store_events_free(v, len);
		return map_rc(rc);
	}
	*out = v;
	*n = len;
	return 0;
}

void
store_events_free(struct store_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_event_deinit(&v[i]);
	free(v);
}

int
store_deadlines_replace(struct store *st, int64_t case_id, const struct store_deadline *v, size_t n)
{
	sqlite3_stmt *s;
	int ret;

	s = st->stmt[STMT_DEADLINES_DELETE];
	sqlite3_bind_int64(s, 1, case_id);
	if ((ret = step_done(s)) < 0)
		return ret;
	st->count_delta[COUNT_DEADLINES] -= sqlite3_changes(st->db);
	s = st->stmt[STMT_DEADLINE_INSERT];
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, case_id);
		bind_text(s, 2, v[i].kind);
		sqlite3_bind_int64(s, 3, v[i].subject);
		bind_text(s, 4, v[i].state);
		bind_text(s, 5, v[i].due);
		bind_text(s, 6, v[i].met_on);
		bind_text(s, 7, v[i].explanation);
		bind_text(s, 8, v[i].rule);
		bind_text(s, 9, v[i].source);
		if ((ret = step_done(s)) < 0)
			return ret;
		st->count_delta[COUNT_DEADLINES]++;
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

/* A growing SQL text with its parameters, for the listings' optional filters. */
struct query {
	char sql[2048];
	size_t len;
	const char *text[16];
	int64_t num[16];
	bool is_num[16];
	int n;
};

static void
q_add(struct query *q, const char *sql)
{
	size_t n = strlen(sql);

	FV_ASSERT(q->len + n < sizeof(q->sql));
	memcpy(q->sql + q->len, sql, n + 1);
	q->len += n;
}

static void
q_text(struct query *q, const char *sql, const char *v)
{
	FV_ASSERT(q->n < 16);
	q_add(q, sql);
	q->text[q->n] = v;
	q->is_num[q->n++] = false;
}

static void
q_num(struct query *q, const char *sql, int64_t v)
{
	FV_ASSERT(q->n < 16);
	q_add(q, sql);
	q->num[q->n] = v;
	q->is_num[q->n++] = true;
}

/*
 * "d.kind IN ('processing', ...)": the kinds that are the office's duties, from the
 * vocabulary (rules_kind_is_office_duty). Listings, the overdue work list and digests use
 * it; the kind names are the program's own constants, not input.
 */
static const char *
office_kinds_sql(void)
{
	static char sql[200];

	if (!sql[0]) {
		size_t used = (size_t)snprintf(sql, sizeof(sql), "d.kind IN (");

		for (int k = 0; k < RULES_KIND_COUNT; k++) {
			if (!rules_kind_is_office_duty((enum rules_kind)k))
				continue;
			used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s'%s'",
						 sql[used - 1] == '(' ? "" : ", ",
						 rules_kind_name((enum rules_kind)k));
			FV_ASSERT(used < sizeof(sql) - 2);
		}
		snprintf(sql + used, sizeof(sql) - used, ")");
	}
	return sql;
}

static int
q_prepare(struct store *st, struct query *q, sqlite3_stmt **out)
{
	int rc = prep(st, q->sql, out);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	for (int i = 0; i < q->n; i++) {
		if (q->is_num[i])
			sqlite3_bind_int64(*out, i + 1, q->num[i]);
		else
			bind_text(*out, i + 1, q->text[i]);
	}
	return 0;
}

static json_t *
json_text_or_null(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? json_string((const char *)t) : json_null();
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
	q_text(&q, sql, f->today);
	if (f->state) {
		if (strcmp(f->state, "open") == 0) {
			q_add(&q, " AND d.state = 'open' AND (d.due IS NULL OR d.due >= ?1)");
		} else if (strcmp(f->state, "missed") == 0 || strcmp(f->state, "expired") == 0) {
			snprintf(sql, sizeof(sql),
				 " AND (d.state = '%s' OR (d.state = 'open' AND d.due < ?1 AND "
				 "%s%s))",
				 strcmp(f->state, "missed") == 0 ? "missed" : "expired",
				 strcmp(f->state, "missed") == 0 ? "" : "NOT ", office);
			q_add(&q, sql);
		} else {
			q_text(&q, " AND d.state = ?", f->state);
		}
	}
	if (f->duty) {
		snprintf(sql, sizeof(sql), " AND %s%s",
			 strcmp(f->duty, "office") == 0 ? "" : "NOT ", office);
		q_add(&q, sql);
	}
	/*
	 * Overdue, the work list: the office's duties past their date and not met (stored
	 * open, or stored missed without met_on). A party's deadline that passed has expired.
	 */
	if (f->overdue) {
		snprintf(sql, sizeof(sql),
			 " AND %s AND (d.state = 'open' OR (d.state = 'missed' AND d.met_on IS "
			 "NULL)) AND d.due < ?1",
			 office);
		q_add(&q, sql);
	}
	if (f->kind)
		q_text(&q, " AND d.kind = ?", f->kind);
	if (f->service)
		q_text(&q, " AND c.service = ?", f->service);
	if (f->handler)
		q_text(&q, " AND c.handler = ?", f->handler);
	if (f->unit)
		q_text(&q, " AND c.unit = ?", f->unit);
	if (f->due_from)
		q_text(&q, " AND d.due >= ?", f->due_from);
	if (f->due_to)
		q_text(&q, " AND d.due <= ?", f->due_to);
	if (f->has_after && f->after_due) {
		q_text(&q, " AND (d.due > ?", f->after_due);
		q_text(&q, " OR (d.due = ?", f->after_due);
		q_num(&q, " AND d.id > ?))", f->after_id);
	} else if (f->has_after) {
		q_num(&q, " AND (d.due IS NOT NULL OR d.id > ?)", f->after_id);
	}
	q_num(&q, " ORDER BY d.due, d.id LIMIT ?", f->limit + 1);
	if ((ret = q_prepare(st, &q, &s)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count++ == f->limit) {
			*has_next = true;
			break;
		}
		json_array_append_new(
			arr,
			json_pack("{s:o s:o s:o s:o s:o s:I s:o s:o s:o s:o s:o}", "reference",
				  json_text_or_null(s, 0), "service", json_text_or_null(s, 1),
				  "handler", json_text_or_null(s, 2), "unit",
				  json_text_or_null(s, 3), "kind", json_text_or_null(s, 4),
				  "subject", (json_int_t)sqlite3_column_int64(s, 5), "state",
				  json_text_or_null(s, 6), "due", json_text_or_null(s, 7), "rule",
				  json_text_or_null(s, 8), "source", json_text_or_null(s, 9),
				  "met_on", json_text_or_null(s, 11)));
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
store_cases_list(struct store *st, const struct store_case_filter *f, struct store_case **out,
		 size_t *n, int64_t *next_id)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	struct store_case *v = xcalloc((size_t)f->limit + 1, sizeof(*v));
	size_t len = 0;
	int rc, ret;

	*next_id = 0;
	q_add(&q, "SELECT " CASE_COLUMNS " FROM cases c WHERE 1");
	if (f->state)
		q_text(&q, " AND c.state = ?", f->state);
	if (f->service)
		q_text(&q, " AND c.service = ?", f->service);
	if (f->handler)
		q_text(&q, " AND c.handler = ?", f->handler);
	if (f->unit)
		q_text(&q, " AND c.unit = ?", f->unit);
	if (f->before_id)
		q_num(&q, " AND c.id < ?", f->before_id);
	q_num(&q, " ORDER BY c.id DESC LIMIT ?", f->limit + 1);
	if ((ret = q_prepare(st, &q, &s)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((int)len == f->limit) {
			*next_id = v[len - 1].id;
			break;
		}
		read_case(s, &v[len++]);
	}
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : map_rc(rc);
out:
	done(s);
	if (ret < 0) {
		store_cases_free(v, len);
		v = NULL;
		len = 0;
	}
	*out = v;
	*n = len;
	return ret;
}

int
store_cases_after(struct store *st, int64_t after_id, int limit, struct store_case **out, size_t *n)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	struct store_case *v = xcalloc((size_t)limit, sizeof(*v));
	size_t len = 0;
	int rc, ret;

	q_num(&q, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id > ?", after_id);
	q_num(&q, " ORDER BY c.id LIMIT ?", limit);
	if ((ret = q_prepare(st, &q, &s)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		read_case(s, &v[len++]);
	ret = rc == SQLITE_DONE ? 0 : map_rc(rc);
out:
	done(s);
	if (ret < 0) {
		store_cases_free(v, len);
		v = NULL;
		len = 0;
	}
	*out = v;
	*n = len;
	return ret;
}

void
store_cases_free(struct store_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_case_deinit(&v[i]);
	free(v);
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
	q_add(&q, "SELECT id, at, method, case_ref, uid, gid, pid, outcome FROM audit WHERE 1");
	if (ref)
		q_text(&q, " AND case_ref = ?", ref);
	if (before_id)
		q_num(&q, " AND id < ?", before_id);
	q_num(&q, " ORDER BY id DESC LIMIT ?", limit + 1);
	if ((ret = q_prepare(st, &q, &s)) < 0)
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
	if ((ret = q_prepare(st, q, &s)) < 0)
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

int
store_reminder_plan(struct store *st, struct store_reminder *r, bool *inserted)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	int rc, ret;

	q_add(&q, "INSERT OR IGNORE INTO reminders (case_id, kind, subject, stage, occurrence, "
		  "recipient, due, recipients, channel, state, planned, not_before, data, "
		  "created) VALUES (");
	if (r->case_id)
		q_num(&q, "?, ", r->case_id);
	else
		q_add(&q, "NULL, ");
	q_text(&q, "?, ", r->kind);
	q_num(&q, "?, ", r->subject);
	q_text(&q, "?, ", r->stage);
	q_text(&q, "?, ", r->occurrence);
	q_text(&q, "?, ", r->recipient ? r->recipient : "");
	q_text(&q, "?, ", r->due);
	q_num(&q, "?, ", r->recipients);
	q_text(&q, "?, 'pending', ", r->channel);
	q_num(&q, "?, ", r->planned);
	q_num(&q, "?, ", r->not_before);
	q_text(&q, "?, ", r->data);
	q_num(&q, "?)", r->created);
	if ((ret = q_prepare(st, &q, &s)) < 0)
		return ret;
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc);
	*inserted = sqlite3_changes(st->db) > 0;
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

	q_num(&q, "SELECT " REMINDER_COLUMNS " WHERE r.case_id = ?", case_id);
	q_add(&q, " AND r.state IN ('pending', 'failed') ORDER BY r.id");
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
	q_num(&q, "SELECT " REMINDER_COLUMNS " WHERE r.id = ?", id);
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

	q_num(&q,
	      "SELECT " REMINDER_COLUMNS " WHERE r.state IN ('pending', 'failed') AND "
	      "r.not_before <= ? AND r.channel NOT IN (SELECT channel FROM disabled_channels)",
	      now);
	if (after) {
		/* The first term lets the index on not_before start at the position. */
		q_num(&q, " AND r.not_before >= ?", after->not_before);
		q_num(&q, " AND (r.not_before > ?", after->not_before);
		q_num(&q, " OR r.id > ?)", after->id);
	}
	q_num(&q, " ORDER BY r.not_before, r.id LIMIT ?", limit);
	return collect_reminders(st, &q, out, n);
}

int
store_reminder_next(struct store *st, int64_t *when)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	rc = prep(st,
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

	q_text(&q, "UPDATE reminders SET state = ?", r->state);
	q_text(&q, ", channel = ?", r->channel);
	q_num(&q, ", not_before = ?", r->not_before);
	q_num(&q, ", attempts = ?", r->attempts);
	q_num(&q, ", first_attempt = nullif(?, 0)", r->first_attempt);
	q_num(&q, ", sent_at = nullif(?, 0)", r->sent_at);
	q_text(&q, ", last_error = ?", r->last_error);
	q_num(&q, " WHERE id = ?", r->id);
	if ((ret = q_prepare(st, &q, &s)) < 0)
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

	q_num(&q,
	      "INSERT INTO attempts (reminder_id, at, channel, outcome, code, error, fallback) "
	      "VALUES (?",
	      reminder_id);
	q_num(&q, ", ?", at);
	q_text(&q, ", ?", channel);
	q_text(&q, ", ?", outcome);
	q_num(&q, ", nullif(?, 0)", code);
	q_text(&q, ", ?", error && *error ? error : NULL);
	q_num(&q, ", ?)", fallback);
	if ((ret = q_prepare(st, &q, &s)) < 0)
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

	q_num(&q,
	      "SELECT at, channel, outcome, code, error, fallback FROM attempts "
	      "WHERE reminder_id = ? ORDER BY id",
	      reminder_id);
	if ((ret = q_prepare(st, &q, &s)) < 0)
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
	q_add(&q, "SELECT " REMINDER_COLUMNS " WHERE 1");
	if (f->state)
		q_text(&q, " AND r.state = ?", f->state);
	if (f->ref)
		q_text(&q, " AND c.ref = ?", f->ref);
	if (f->channel)
		q_text(&q, " AND r.channel = ?", f->channel);
	if (f->before_id)
		q_num(&q, " AND r.id < ?", f->before_id);
	q_num(&q, " ORDER BY r.id DESC LIMIT ?", f->limit + 1);
	if ((ret = collect_reminders(st, &q, out, n)) < 0)
		return ret;
	if (*n > (size_t)f->limit) {
		store_reminder_deinit(&(*out)[*n - 1]);
		(*n)--;
		*next_id = (*out)[*n - 1].id;
	}
	return 0;
}

static int
exec_text(struct store *st, const char *sql, const char *a, int64_t num, const char *b)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st, sql, &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, num);
	if (sqlite3_bind_parameter_count(s) >= 3)
		bind_text(s, 3, b);
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : map_rc(rc);
}

int
store_channel_disable(struct store *st, const char *channel, int64_t at, const char *reason)
{
	return exec_text(st,
			 "INSERT OR REPLACE INTO disabled_channels (channel, at, reason) "
			 "VALUES (?, ?, ?)",
			 channel, at, reason);
}

int
store_channel_enable(struct store *st, const char *channel)
{
	return exec_text(st, "DELETE FROM disabled_channels WHERE channel = ?", channel, 0, NULL);
}

void
store_count_notice_to_log(struct store *st)
{
	st->count_delta[COUNT_NOTICES_TO_LOG]++;
}

int
store_channel_attempt(struct store *st, const char *channel, int64_t at, bool ok, const char *error)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st,
		      ok ? "INSERT INTO channel_health (channel, last_success) VALUES (?1, ?2) "
			   "ON CONFLICT (channel) DO UPDATE SET last_success = ?2, "
			   "failing_since = NULL, last_error = NULL"
			 : "INSERT INTO channel_health (channel, failing_since, last_error) "
			   "VALUES (?1, ?2, ?3) ON CONFLICT (channel) DO UPDATE SET "
			   "failing_since = coalesce(failing_since, ?2), last_error = ?3",
		      &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, channel);
	sqlite3_bind_int64(s, 2, at);
	if (!ok)
		bind_text(s, 3, error && *error ? error : "no detail");
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

/* Sets member key of the object of channel name in o (created as needed) to v (stolen). */
static void
channel_add(json_t *o, const char *name, const char *key, json_t *v)
{
	json_t *ch = json_object_get(o, name);

	if (!ch) {
		ch = json_object();
		json_object_set_new(o, name, ch);
	}
	json_object_set_new(ch, key, v);
}

int
store_channels_json(struct store *st, json_t **out)
{
	static const char *const sql[] = {
		/* The counts of each channel's reminders by state ("channel.NAME.STATE", kept
		 * as reminders are planned and by triggers): no reminder is read. */
		"SELECT substr(name, 9, instr(substr(name, 9), '.') - 1), "
		"substr(name, 9 + instr(substr(name, 9), '.')), n FROM counts WHERE name > "
		"'channel.' AND name < 'channel/' AND n > 0",
		"SELECT channel, at, reason FROM disabled_channels",
		"SELECT channel, last_success, failing_since, last_error FROM channel_health",
	};
	json_t *o = json_object();
	int rc = SQLITE_OK;

	for (size_t q = 0; q < FV_ARRAY_SIZE(sql) && rc == SQLITE_OK; q++) {
		sqlite3_stmt *s = NULL;

		if ((rc = prep(st, sql[q], &s)) != SQLITE_OK)
			break;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);

			if (!name)
				continue;
			if (q == 0) {
				channel_add(o, name, (const char *)sqlite3_column_text(s, 1),
					    json_integer(sqlite3_column_int64(s, 2)));
			} else if (q == 1) {
				channel_add(o, name, "disabled_at",
					    json_integer(sqlite3_column_int64(s, 1)));
				channel_add(o, name, "disabled_reason",
					    json_string((const char *)sqlite3_column_text(s, 2)));
			} else {
				for (int c = 1; c <= 2; c++) {
					if (sqlite3_column_type(s, c) != SQLITE_NULL)
						channel_add(
							o, name,
							c == 1 ? "last_success" : "failing_since",
							json_integer(sqlite3_column_int64(s, c)));
				}
				if (sqlite3_column_type(s, 3) != SQLITE_NULL)
					channel_add(o, name, "last_error",
						    json_string((const char *)sqlite3_column_text(
							    s, 3)));
			}
		}
		done(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		json_decref(o);
		return map_rc(rc);
	}
	*out = o;
	return 0;
}

int
store_reminders_rechannel(struct store *st, const char *from, const char *to, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st,
		      "UPDATE reminders SET channel = ?2 WHERE channel = ?1 AND state IN "
		      "('pending', 'failed') AND kind <> 'admin'",
		      &s);

	*n = 0;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, from);
	bind_text(s, 2, to);
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc);
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_channel_disabled(struct store *st, const char *channel)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st, "SELECT 1 FROM disabled_channels WHERE channel = ?", &s);
	int ret;

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, channel);
	rc = sqlite3_step(s);
	ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : map_rc(rc);
	done(s);
	return ret;
}

int
store_reminder_counts(struct store *st, json_t **out)
{
	static const char *const names[] = { "pending", "failed", "sent", "dead", "cancelled" };
	json_t *o = json_object();
	char key[32];
	int64_t n;
	int ret;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(key, sizeof(key), "reminders.%s", names[i]);
		if ((ret = count(st, key, &n)) < 0)
			goto fail;
		json_object_set_new(o, names[i], json_integer(n));
	}
	/* Attempts that went out with the built-in text because a template failed. */
	if ((ret = count(st, "template_fallbacks", &n)) < 0)
		goto fail;
	json_object_set_new(o, "template_fallbacks", json_integer(n));
	if ((ret = count(st, "notices_to_log", &n)) < 0)
		goto fail;
	json_object_set_new(o, "notices_to_log", json_integer(n));
	*out = o;
	return 0;
fail:
	json_decref(o);
	return ret;
}

int
store_case_by_id(struct store *st, int64_t id, struct store_case *out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	rc = prep(st, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id = ?", &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_case(s, out);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_contact_get(struct store *st, int64_t case_id, char **email, char **phone)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	*email = *phone = NULL;
	rc = prep(st, "SELECT email, phone FROM contacts WHERE case_id = ?", &s);
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, case_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*email = column_text(s, 0);
		*phone = column_text(s, 1);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_deadline_get(struct store *st, int64_t case_id, const char *kind, int64_t subject,
		   struct store_deadline_info *out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	/* The words out of the explanation by SQLite's JSON reader: no parse into objects. */
	rc = prep(st,
		  "SELECT due, rule, source, explanation ->> '$.text' FROM deadlines "
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
		out->text = column_text(s, 3);
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
	free(d->text);
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
		 "JOIN cases c ON c.id = d.case_id WHERE (d.state = 'open' OR "
		 "(d.state = 'missed' AND d.met_on IS NULL)) AND "
		 "d.due IS NOT NULL AND d.due <= ?1 AND %s "
		 "ORDER BY d.due, c.ref",
		 office_kinds_sql());
	rc = prep(st, sql, &s);
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
	rc = prep(st,
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
store_meta_get(struct store *st, const char *key, char **value)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st, "SELECT value FROM meta WHERE key = ?", &s);
	int ret;

	*value = NULL;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = column_text(s, 0);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : map_rc(rc);
	}
	done(s);
	return ret;
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}
