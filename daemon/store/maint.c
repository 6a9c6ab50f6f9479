// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * maint: the database's maintenance (see store.h): a consistent copy with VACUUM INTO on a
 * read-only connection of its own, the verification of a database file before it is
 * restored, and the checks of `fristvakt check` that SQL can answer (integrity, foreign
 * keys, the counts table against its rows, every case has an event). Nothing here knows of
 * threads: the server runs these on a worker thread with a connection of their own.
 */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

/* The tables every fristvakt database has had since schema 1. */
static const char *const own_tables[] = { "cases",     "events", "deadlines",
					  "reminders", "audit",	 "meta" };

/* At most this many findings of one check are named in its details. */
#define DETAILS_MAX 5

static int
backup_progress(void *arg)
{
	const atomic_bool *stop = arg;

	return stop && atomic_load(stop) ? 1 : 0;
}

int
store_backup_into(const char *db_path, const char *dest, const atomic_bool *stop, char *err,
		  size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_progress_handler(db, 1000, backup_progress, (void *)stop);
		rc = sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &s, NULL);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, dest, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		snprintf(err, errlen, "%s",
			 rc == SQLITE_INTERRUPT ? "interrupted: the daemon is stopping"
			 : db			? sqlite3_errmsg(db)
						: sqlite3_errstr(rc));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : map_rc(rc);
}

/* Whether the file at path starts with SQLite's header: 1, 0, or -errno (err filled). */
static int
has_sqlite_header(const char *path, const char *name, int64_t *size, char *err, size_t errlen)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot read %s: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	*size = (int64_t)sb.st_size;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n == (ssize_t)sizeof(head) && memcmp(head, magic, sizeof(magic)) == 0)
		return 1;
	snprintf(err, errlen, "%s is not an SQLite database (%s)", name,
		 n == 0 ? "the file is empty" : "no SQLite header");
	return 0;
}

static int
text_of(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	buf[0] = '\0';
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(buf, len, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The tables of own_tables missing from db: how many; the first one's name in *missing. */
static int
tables_missing(sqlite3 *db, const char **missing)
{
	int n = 0;

	for (size_t i = 0; i < FV_ARRAY_SIZE(own_tables); i++) {
		char sql[128], found[8];

		snprintf(sql, sizeof(sql),
			 "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
			 own_tables[i]);
		if (text_of(db, sql, found, sizeof(found)) != SQLITE_OK || !found[0]) {
			if (n++ == 0)
				*missing = own_tables[i];
		}
	}
	return n;
}

/* The checks of an open database file for store_file_verify: its verdict. */
static enum store_verdict
verify_open(sqlite3 *db, const char *name, bool integrity, struct store_file_info *info, char *err,
	    size_t errlen)
{
	const char *missing = NULL;
	char buf[256];
	int rc;

	if ((rc = text_of(db, "PRAGMA user_version", buf, sizeof(buf))) != SQLITE_OK) {
		snprintf(err, errlen, "%s is damaged or not a database: %s", name,
			 sqlite3_errmsg(db));
		return STORE_FILE_DAMAGED;
	}
	info->schema_version = atoi(buf);
	if (tables_missing(db, &missing) > 0) {
		snprintf(err, errlen,
			 "%s is an SQLite database but not fristvakt's (no table '%s')", name,
			 missing);
		return STORE_FILE_FOREIGN;
	}
	if (info->schema_version <= 0) {
		snprintf(err, errlen,
			 "%s is an SQLite database but not fristvakt's (schema version %d)", name,
			 info->schema_version);
		return STORE_FILE_FOREIGN;
	}
	if (info->schema_version > store_schema_latest()) {
		snprintf(err, errlen,
			 "%s has schema version %d, newer than this fristvaktd supports (%d): "
			 "restore it with the fristvaktd that wrote it",
			 name, info->schema_version, store_schema_latest());
		return STORE_FILE_NEWER;
	}
	text_of(db, "SELECT value FROM meta WHERE key = 'installation'", info->installation,
		sizeof(info->installation));
	if (!integrity)
		return STORE_FILE_OK;
	rc = text_of(db, "PRAGMA integrity_check(5)", buf, sizeof(buf));
	if (rc != SQLITE_OK || strcmp(buf, "ok") != 0) {
		snprintf(err, errlen, "%s is damaged: PRAGMA integrity_check says %s", name,
			 rc != SQLITE_OK ? sqlite3_errmsg(db) : buf);
		return STORE_FILE_DAMAGED;
	}
	return STORE_FILE_OK;
}

enum store_verdict
store_file_verify(const char *path, const char *name, bool integrity, struct store_file_info *info,
		  char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	enum store_verdict v;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = has_sqlite_header(path, name, &info->size, err, errlen);
	if (rc <= 0)
		return rc < 0 ? STORE_FILE_UNREADABLE : STORE_FILE_NOT_SQLITE;
	/* Read-write: the file is the caller's own copy (a backup's temporary file). */
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", name,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return STORE_FILE_UNREADABLE;
	}
	v = verify_open(db, name, integrity, info, err, errlen);
	sqlite3_close(db);
	return v;
}

/* A new check object {name, ok, count, details: []} appended to checks; returns it. */
static json_t *
check_add(json_t *checks, const char *name)
{
	json_t *c = json_pack("{ss sb sI s[]}", "name", name, "ok", 1, "count", (json_int_t)0,
			      "details");

	json_array_append_new(checks, c);
	return c;
}

/* One more finding of check c, named (at most DETAILS_MAX are) by the printf text. */
static void check_fail(json_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check_fail(json_t *c, const char *fmt, ...)
{
	json_int_t n = json_integer_value(json_object_get(c, "count"));
	json_t *details = json_object_get(c, "details");

	json_object_set_new(c, "ok", json_false());
	json_object_set_new(c, "count", json_integer(n + 1));
	if (json_array_size(details) < DETAILS_MAX) {
		char buf[256];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		json_array_append_new(details, json_string(buf));
	}
}

/* Runs sql; each row's first column (text) is a finding of check c. */
static int
rows_are_findings(struct store *st, json_t *c, const char *sql, bool skip_ok)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (!(skip_ok && t && strcmp((const char *)t, "ok") == 0))
			check_fail(c, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return map_rc(rc);
}

/*
 * The counts table (db/002, db/005, db/007) against the rows it counts: every figure the daemon
 * keeps, and every channel and state that has reminders. Names and numbers only.
 */
#define COUNTS_REAL                                                                                \
	"WITH real (name, n) AS ("                                                                 \
	"SELECT 'cases', count(*) FROM cases UNION ALL SELECT 'events', count(*) FROM events "     \
	"UNION ALL SELECT 'cases.' || s.state, (SELECT count(*) FROM cases c "                     \
	"WHERE c.state = s.state) FROM (SELECT 'closed' AS state UNION ALL SELECT 'withdrawn') s " \
	"UNION ALL SELECT name, 0 FROM counts WHERE name LIKE 'cases.%' AND name NOT IN "          \
	"('cases.closed', 'cases.withdrawn') "                                                     \
	"UNION ALL SELECT 'deadlines', count(*) FROM deadlines "                                   \
	"UNION ALL SELECT 'deadlines.' || kind || '.' || state, count(*) FROM deadlines "          \
	"GROUP BY kind, state "                                                                    \
	"UNION ALL SELECT name, 0 FROM counts WHERE name LIKE 'deadlines.%' AND name NOT IN "      \
	"(SELECT 'deadlines.' || kind || '.' || state FROM deadlines) "                            \
	"UNION ALL SELECT 'audit', count(*) FROM audit "                                           \
	"UNION ALL SELECT 'template_fallbacks', count(*) FROM attempts WHERE fallback = 1 "        \
	"UNION ALL SELECT 'reminders.' || s.state, (SELECT count(*) FROM reminders r "             \
	"WHERE r.state = s.state) FROM (SELECT 'pending' AS state UNION ALL SELECT 'failed' "      \
	"UNION ALL SELECT 'sent' UNION ALL SELECT 'dead' UNION ALL SELECT 'cancelled') s "         \
	"UNION ALL SELECT 'channel.' || channel || '.' || state, count(*) FROM reminders "         \
	"GROUP BY channel, state "                                                                 \
	"UNION ALL SELECT name, 0 FROM counts WHERE name LIKE 'channel.%' AND name NOT IN "        \
	"(SELECT 'channel.' || channel || '.' || state FROM reminders)) "
#define COUNTS_SQL                                                                                 \
	COUNTS_REAL "SELECT r.name || ': counted ' || ifnull(k.n, 'nothing') || ', stored ' || "   \
		    "r.n FROM real r LEFT JOIN counts k ON k.name = r.name "                       \
		    "WHERE k.n IS NOT r.n ORDER BY r.name"

int
store_check_tables(struct store *st, json_t *checks)
{
	json_t *c;
	int ret;

	c = check_add(checks, "integrity");
	if ((ret = rows_are_findings(st, c, "PRAGMA integrity_check(100)", true)) < 0)
		return ret;
	c = check_add(checks, "foreign_keys");
	ret = rows_are_findings(st, c,
				"SELECT \"table\" || ' row ' || ifnull(rowid, '?') || "
				"' refers to a missing row of ' || parent "
				"FROM pragma_foreign_key_check",
				false);
	if (ret < 0)
		return ret;
	c = check_add(checks, "counts");
	if ((ret = rows_are_findings(st, c, COUNTS_SQL, false)) < 0)
		return ret;
	/* A case is registered with its first event, in one transaction. */
	c = check_add(checks, "cases_have_events");
	return rows_are_findings(st, c,
				 "SELECT 'case #' || c.id || ' has no event' FROM cases c "
				 "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id)",
				 false);
}

void
store_stop_when(struct store *st, const atomic_bool *stop)
{
	sqlite3_progress_handler(st->db, 10000, backup_progress, (void *)stop);
}

int
store_read_begin(struct store *st)
{
	return exec(st, "BEGIN");
}

void
store_read_end(struct store *st)
{
	exec(st, "COMMIT");
}

int
store_deadlines_awaited(struct store *st, int64_t after_id, int limit, struct store_awaited **out,
			size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct store_awaited *v = NULL;
	size_t len = 0, cap = 0;
	int rc = stmt_prep(
		st,
		"SELECT d.id, d.case_id, d.kind, d.subject, d.state, d.due FROM deadlines d "
		"WHERE d.id > ? AND " AWAITED_SQL " AND d.due IS NOT NULL "
		"ORDER BY d.id LIMIT ?",
		&s);

	*out = NULL;
	*n = 0;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len] = (struct store_awaited){
			.id = sqlite3_column_int64(s, 0),
			.case_id = sqlite3_column_int64(s, 1),
			.row = { .kind = column_text(s, 2),
				 .subject = sqlite3_column_int64(s, 3),
				 .state = column_text(s, 4),
				 .due = column_text(s, 5) },
		};
		len++;
	}
	done(s);
	if (rc != SQLITE_DONE) {
		store_awaited_free(v, len);
		return map_rc(rc);
	}
	*out = v;
	*n = len;
	return 0;
}

void
store_awaited_free(struct store_awaited *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].row.kind);
		free(v[i].row.state);
		free(v[i].row.due);
	}
	free(v);
}

int
store_reminder_would_plan(struct store *st, const struct store_reminder *r, bool *would)
{
	sqlite3_stmt *s = NULL;
	/* As store_reminder_plan: absent, or cancelled unsent because its deadline moved. */
	int rc = stmt_prep(
		st, "SELECT " REMINDER_REVIVABLE_SQL " FROM reminders WHERE " REMINDER_IDENTITY_SQL,
		&s);

	*would = true;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	reminder_identity_bind(s, r);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*would = sqlite3_column_int(s, 0) != 0;
		rc = SQLITE_DONE;
	}
	done(s);
	return map_rc(rc);
}

/* Runs sql on db: an SQLite result code (rows ignored). */
static int
run(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int
store_take_over(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	/* Exclusive before the first read: no other connection may have the file open. */
	if (rc == SQLITE_OK && (rc = run(db, "PRAGMA locking_mode = EXCLUSIVE")) == SQLITE_OK &&
	    (rc = run(db, "BEGIN EXCLUSIVE")) == SQLITE_OK && (rc = run(db, "COMMIT")) == SQLITE_OK)
		rc = run(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", path,
			 (rc & 0xff) == SQLITE_BUSY
				 ? "the database is in use: stop fristvaktd (and any other program "
				   "that has it open) first"
			 : db ? sqlite3_errmsg(db)
			      : sqlite3_errstr(rc));
	/* The last connection's close folds the write-ahead log in and deletes it. */
	if (sqlite3_close(db) != SQLITE_OK && rc == SQLITE_OK) {
		snprintf(err, errlen, "%s: closing it failed", path);
		rc = SQLITE_IOERR;
	}
	return map_rc(rc);
}

/* Whether another process holds a lock on bytes [start, start + len) of the file at path. */
static int
locked_by_other(const char *path, off_t start, off_t len)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len
	};
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = fcntl(fd, F_GETLK, &fl) < 0 ? -errno : fl.l_type != F_UNLCK;
	close(fd);
	return ret;
}

int
store_file_in_use(const char *path)
{
	/* SQLite's (unix VFS): the database's pending, reserved and shared bytes; the -shm
	 * file's locks and the byte every connection with the write-ahead log open holds. */
	char *shm = xasprintf("%s-shm", path);
	int ret = locked_by_other(path, 0x40000000, 512);

	if (ret == 0)
		ret = locked_by_other(shm, 120, 9);
	free(shm);
	return ret;
}

#define REMINDER_ID_TOP "SELECT " REMINDER_ID_TOP_SQL

int64_t
store_file_reminder_id_top(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t top = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, REMINDER_ID_TOP, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		top = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return top;
}

int
store_file_reminder_id_floor(const char *path, int64_t above, char *err, size_t errlen)
{
	char sql[512];
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	snprintf(sql, sizeof(sql),
		 "INSERT INTO meta (key, value) SELECT 'reminder_id_floor', CAST(max((%s), %lld) "
		 "+ 4294967296 AS TEXT) WHERE true "
		 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		 REMINDER_ID_TOP, (long long)above);
	if (rc == SQLITE_OK)
		rc = run(db, sql);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	if (sqlite3_close(db) != SQLITE_OK && rc == SQLITE_OK) {
		snprintf(err, errlen, "%s: closing it failed", path);
		rc = SQLITE_IOERR;
	}
	return map_rc(rc);
}
