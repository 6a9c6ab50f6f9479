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
#include "store.h"

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

#include "embedded.h"
#include "util.h"

enum stmt_id {
	STMT_COUNT_CASES,
	STMT_COUNT_EVENTS,
	STMT_COUNT_DEADLINES,
	STMT_COUNT_AUDIT,
	STMT_AUDIT_INSERT,
	STMT_COUNT,
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_COUNT_CASES] = "SELECT count(*) FROM cases",
	[STMT_COUNT_EVENTS] = "SELECT count(*) FROM events",
	[STMT_COUNT_DEADLINES] = "SELECT count(*) FROM deadlines",
	[STMT_COUNT_AUDIT] = "SELECT count(*) FROM audit",
	[STMT_AUDIT_INSERT] = ("INSERT INTO audit (at, method, case_ref, uid, gid, pid, outcome) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)"),
};

struct store {
	sqlite3 *db;
	int schema_version;
	sqlite3_stmt *stmt[STMT_COUNT];
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

static int
migrate(struct store *st, char *err, size_t errlen)
{
	int latest = store_schema_latest();
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
		if ((ret = exec(st, m->data)) < 0 || (ret = exec(st, bump)) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", m->name,
				 sqlite3_errmsg(st->db));
			exec(st, "ROLLBACK");
			return ret;
		}
		if ((ret = exec(st, "COMMIT")) < 0)
			goto fail;
		st->schema_version = v + 1;
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
	if ((ret = exec(st, "PRAGMA synchronous = FULL")) < 0 ||
	    (ret = exec(st, "PRAGMA foreign_keys = ON")) < 0 ||
	    (ret = pragma_text(st, "PRAGMA quick_check", check, sizeof(check))) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto out;
	}
	if (strcmp(check, "ok") != 0) {
		snprintf(err, errlen, "%s failed PRAGMA quick_check: %s", path, check);
		ret = -EUCLEAN;
		goto out;
	}
	if ((ret = pragma_int(st, "PRAGMA user_version", &st->schema_version)) < 0) {
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
	/* All statements are finalized, so close cannot fail with SQLITE_BUSY. */
	sqlite3_close(st->db);
	free(st);
}

int
store_schema_version(const struct store *st)
{
	return st->schema_version;
}

const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

int
store_begin(struct store *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *st)
{
	int ret = exec(st, "COMMIT");

	if (ret < 0)
		exec(st, "ROLLBACK");
	return ret;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK");
}

static int
count(struct store *st, enum stmt_id id, int64_t *out)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_reset(s);
	return map_rc(rc);
}

int
store_counts(struct store *st, struct store_counts *out)
{
	int ret;

	if ((ret = count(st, STMT_COUNT_CASES, &out->cases)) < 0 ||
	    (ret = count(st, STMT_COUNT_EVENTS, &out->events)) < 0 ||
	    (ret = count(st, STMT_COUNT_DEADLINES, &out->deadlines)) < 0 ||
	    (ret = count(st, STMT_COUNT_AUDIT, &out->audit)) < 0)
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
	return map_rc(rc);
}
