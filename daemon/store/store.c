// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * store: opening the SQLite database and bringing its schema up to date (see store.h).
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/embedded.h"
#include "core/util.h"
#include "store/store_impl.h"

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
	[STMT_DEADLINES_DELETE] = "DELETE FROM deadlines WHERE case_id = ? RETURNING kind, state",
	[STMT_DEADLINE_INSERT] = ("INSERT INTO deadlines (case_id, kind, subject, state, due, "
				  "met_on, rule, source, ended_on) "
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

/* Creates the directory of path and the file itself, owner-only: 0 or -errno. */
static int
create_file(const char *path, char *err, size_t errlen)
{
	char *dir_copy = xstrdup(path);
	int fd, ret;

	/* Owner-only: the directory and the file hold case data under taushetsplikt. */
	ret = fv_mkdir_p(dirname(dir_copy), 0700);
	free(dir_copy);
	if (ret < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	close(fd);
	return 0;
}

/*
 * Opens the connection of st to path in WAL mode with synchronous=FULL and foreign keys,
 * and reads its schema version: 0 or -errno.
 */
static int
open_connection(struct store *st, const char *path, char *err, size_t errlen)
{
	char mode[16];
	int rc, ret;

	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		return map_rc(rc);
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* A short busy timeout: it blocks the loop, and we are the only writer. */
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/*
	 * A new database gives the pages that retention frees back to the file system (PRAGMA
	 * incremental_vacuum after a purge). Before the first table only: on a database made
	 * without it (by an earlier release) this does nothing, and its free pages are reused
	 * as it grows.
	 */
	if ((ret = exec(st, "PRAGMA auto_vacuum = INCREMENTAL")) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		return ret;
	}
	if ((ret = pragma_text(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode))) < 0 ||
	    strcmp(mode, "wal") != 0) {
		snprintf(err, errlen, "%s: cannot switch to WAL mode: %s", path,
			 ret < 0 ? sqlite3_errmsg(st->db) : mode);
		return ret < 0 ? ret : -EIO;
	}
	/*
	 * temp_store = MEMORY: the statement journal of each request's savepoint lives in
	 * memory, not in a temporary file opened and unlinked per request (measured: one
	 * open/unlink per write). wal_autocheckpoint: checkpoint every 4000 pages (16 MiB at
	 * 4 KiB) instead of 1000, so that pages written again and again are copied back less
	 * often; the WAL stays bounded.
	 */
	/* secure_delete = FAST: what is deleted or overwritten is zeroed where it stood, at no
	 * extra I/O, so no copy of a purged case lingers in a page's free space (retention;
	 * store/purge.c turns it ON during a purge, which zeroes freed pages too). */
	if ((ret = exec(st, "PRAGMA wal_autocheckpoint = 4000")) < 0 ||
	    (ret = exec(st, "PRAGMA secure_delete = FAST")) < 0 ||
	    (ret = exec(st, "PRAGMA synchronous = FULL")) < 0 ||
	    (ret = exec(st, "PRAGMA foreign_keys = ON")) < 0 ||
	    (ret = pragma_int(st, "PRAGMA user_version", &st->schema_version)) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		return ret;
	}
	return 0;
}

/*
 * A migration rewrites the schema: check the file first, so that it never builds on a
 * damaged one. Otherwise the daemon checks it after start-up, on a connection of its own
 * (store_check_*), because the check reads the whole file (seconds per GiB). 0, or -EUCLEAN
 * for a damaged file, or another -errno.
 */
static int
check_before_migration(struct store *st, const char *path, char *err, size_t errlen)
{
	char check[256];
	int ret;

	if (st->schema_version == 0 || st->schema_version >= store_schema_latest())
		return 0;
	if ((ret = pragma_text(st, "PRAGMA quick_check", check, sizeof(check))) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		return ret;
	}
	if (strcmp(check, "ok") != 0) {
		snprintf(err, errlen, "%s failed PRAGMA quick_check: %s", path, check);
		return -EUCLEAN;
	}
	st->checked = true;
	return 0;
}

/* Prepares the statements of stmt_sql, once for the life of the connection: 0 or -errno. */
static int
prepare_statements(struct store *st, const char *path, char *err, size_t errlen)
{
	for (int i = 0; i < STMT_COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &st->stmt[i], NULL);

		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s: preparing a statement failed: %s", path,
				 sqlite3_errmsg(st->db));
			return map_rc(rc);
		}
	}
	return 0;
}

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int ret;

	*out = NULL;
	if ((ret = create_file(path, err, errlen)) < 0 ||
	    (ret = open_connection(st, path, err, errlen)) < 0 ||
	    (ret = check_before_migration(st, path, err, errlen)) < 0)
		goto fail;
	/* After the check, whose temporary structures would otherwise grow in memory. */
	if ((ret = exec(st, "PRAGMA temp_store = MEMORY")) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if ((ret = migrate(st, err, errlen)) < 0 ||
	    (ret = prepare_statements(st, path, err, errlen)) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return ret;
}

int
store_reader_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int rc, ret;

	*out = NULL;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		ret = map_rc(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 1000);
	if ((ret = pragma_int(st, "PRAGMA user_version", &st->schema_version)) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if ((ret = prepare_statements(st, path, err, errlen)) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
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

const char *
store_errmsg(struct store *st)
{
	return st->fault ? st->fault : sqlite3_errmsg(st->db);
}

int
store_meta_get(struct store *st, const char *key, char **value)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st, "SELECT value FROM meta WHERE key = ?", &s);
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
	int rc = stmt_prep(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}
