// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_maint: the store's maintenance (store/maint.c) on real SQLite files in a fresh
 * mkdtemp() directory: the copy VACUUM INTO makes while the store is open and writing; the
 * verdict of store_file_verify on files made by hand (empty, garbage, cut short, another
 * program's database, schema 0, a newer schema, a good copy); the take-over a restore does
 * (refused while the store has the file open, the write-ahead log folded in and gone
 * after); and the checks of `fristvakt check` that SQL answers, clean and then on a
 * database damaged by hand, each finding worked out from the rows written.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "core/util.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512] = "";

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fv-test-maint.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/fristvakt.db", fx->dir);
	if (store_open(fx->path, &fx->st, err, sizeof(err)) < 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	store_close(fx->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* A path in the test's directory (a static buffer per call site is enough here). */
static const char *
in_dir(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fx->dir, name);
	return buf;
}

static void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Runs sql on the file at path with a connection of its own. */
static void
sql_on(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* One case with its registration event, through the store's own statements. */
static void
add_case(struct store *st, const char *ref, bool with_event)
{
	struct store_case c = { .ref = (char *)ref,
				.service = (char *)"okonomisk-stonad",
				.received = 1772438100,
				.channel = (char *)"written",
				.state = (char *)"open",
				.created = 1772438100,
				.updated = 1772438100 };
	struct store_event e = { .type = (char *)"received",
				 .occurred = 1772438100,
				 .recorded = 1772438100,
				 .data = (char *)"{}" };

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_savepoint(st), 0);
	assert_int_equal(store_case_insert(st, &c), 0);
	if (with_event) {
		e.case_id = c.id;
		assert_int_equal(store_event_insert(st, &e), 0);
	}
	assert_int_equal(store_release(st), 0);
	assert_int_equal(store_commit(st), 0);
}

static void
test_backup_and_verify(void **state)
{
	struct fixture *fx = *state;
	struct store_file_info info;
	char copy[160], err[512];
	struct stat sb;

	add_case(fx->st, "M-1", true);
	in_dir(fx, "copy.db", copy, sizeof(copy));
	/* An empty file, made owner-only by the caller, as the daemon does. */
	write_file(copy, "", 0);
	assert_int_equal(chmod(copy, 0600), 0);
	assert_int_equal(store_backup_into(fx->path, copy, NULL, err, sizeof(err)), 0);
	assert_int_equal(stat(copy, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_file_verify(copy, "copy", true, &info, err, sizeof(err)),
			 STORE_FILE_OK);
	assert_int_equal(info.schema_version, store_schema_latest());
	assert_int_equal(info.size, (int64_t)sb.st_size);
	assert_int_equal(strlen(info.installation), 32);
	/* A file that is there and not empty: VACUUM INTO refuses to overwrite it. */
	assert_true(store_backup_into(fx->path, copy, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "output file already exists"));
}

static void
test_verdicts(void **state)
{
	struct fixture *fx = *state;
	struct store_file_info info;
	char p[160], err[512], head[100], garbage[4096];
	FILE *f;

	in_dir(fx, "missing.db", p, sizeof(p));
	assert_int_equal(store_file_verify(p, "missing.db", true, &info, err, sizeof(err)),
			 STORE_FILE_UNREADABLE);
	assert_string_equal(err, "cannot read missing.db: No such file or directory");

	write_file(in_dir(fx, "empty.db", p, sizeof(p)), "", 0);
	assert_int_equal(store_file_verify(p, "empty.db", true, &info, err, sizeof(err)),
			 STORE_FILE_NOT_SQLITE);
	assert_string_equal(err, "empty.db is not an SQLite database (the file is empty)");

	memset(garbage, 'x', sizeof(garbage));
	write_file(in_dir(fx, "garbage.db", p, sizeof(p)), garbage, sizeof(garbage));
	assert_int_equal(store_file_verify(p, "garbage.db", true, &info, err, sizeof(err)),
			 STORE_FILE_NOT_SQLITE);
	assert_string_equal(err, "garbage.db is not an SQLite database (no SQLite header)");

	/* The first 100 bytes of the real database: its header, and nothing of its pages. */
	store_close(fx->st);
	fx->st = NULL;
	f = fopen(fx->path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	write_file(in_dir(fx, "cut.db", p, sizeof(p)), head, sizeof(head));
	assert_int_equal(store_file_verify(p, "cut.db", true, &info, err, sizeof(err)),
			 STORE_FILE_DAMAGED);
	assert_non_null(strstr(err, "cut.db is damaged"));

	in_dir(fx, "other.db", p, sizeof(p));
	sql_on(p, "CREATE TABLE cases (x); CREATE TABLE events (y); PRAGMA user_version = 2");
	assert_int_equal(store_file_verify(p, "other.db", true, &info, err, sizeof(err)),
			 STORE_FILE_FOREIGN);
	assert_string_equal(
		err, "other.db is an SQLite database but not fristvakt's (no table 'deadlines')");

	in_dir(fx, "zero.db", p, sizeof(p));
	sql_on(p, "CREATE TABLE cases (x); CREATE TABLE events (x); CREATE TABLE deadlines (x); "
		  "CREATE TABLE reminders (x); CREATE TABLE audit (x); CREATE TABLE meta (x)");
	assert_int_equal(store_file_verify(p, "zero.db", true, &info, err, sizeof(err)),
			 STORE_FILE_FOREIGN);
	assert_string_equal(err,
			    "zero.db is an SQLite database but not fristvakt's (schema version 0)");

	/* The real database, one schema ahead of this build. */
	sql_on(fx->path, "PRAGMA user_version = 99");
	assert_int_equal(store_file_verify(fx->path, "newer.db", true, &info, err, sizeof(err)),
			 STORE_FILE_NEWER);
	assert_non_null(strstr(err, "newer.db has schema version 99, newer than this fristvaktd "
				    "supports"));
	sql_on(fx->path, "PRAGMA user_version = 6");
	assert_int_equal(store_file_verify(fx->path, "db", true, &info, err, sizeof(err)),
			 STORE_FILE_OK);
}

static void
test_take_over(void **state)
{
	struct fixture *fx = *state;
	char wal[160], err[512];

	add_case(fx->st, "T-1", true);
	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_int_equal(access(wal, F_OK), 0);
	/* Open in the store: refused, and nothing changes. */
	assert_int_equal(store_take_over(fx->path, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "the database is in use: stop fristvaktd"));
	store_close(fx->st);
	fx->st = NULL;
	/* A write-ahead log left by a crash: a commit that is only in it. */
	{
		sqlite3 *db = NULL;
		char *value = NULL;

		assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      "PRAGMA journal_mode = WAL; INSERT INTO meta "
					      "(key, value) VALUES ('only-in-wal', 'yes')",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(access(wal, F_OK), 0);
		assert_int_equal(store_take_over(fx->path, err, sizeof(err)), 0);
		assert_int_equal(access(wal, F_OK), -1);
		/* In the file itself now. */
		assert_int_equal(store_open(fx->path, &fx->st, err, sizeof(err)), 0);
		assert_int_equal(store_meta_get(fx->st, "only-in-wal", &value), 0);
		assert_string_equal(value, "yes");
		free(value);
	}
}

/* The check of checks named name: its ok, count and first detail ("" when none). */
static void
assert_check(json_t *checks, const char *name, bool ok, int count, const char *detail)
{
	size_t i;
	json_t *c;

	json_array_foreach(checks, i, c)
	{
		json_t *d = json_array_get(json_object_get(c, "details"), 0);

		if (strcmp(json_string_value(json_object_get(c, "name")), name) != 0)
			continue;
		assert_int_equal(json_is_true(json_object_get(c, "ok")), ok);
		assert_int_equal(json_integer_value(json_object_get(c, "count")), count);
		assert_string_equal(d ? json_string_value(d) : "", detail);
		return;
	}
	fail_msg("no check %s", name);
}

static json_t *
run_checks(struct fixture *fx)
{
	struct store *r = NULL;
	char err[512];
	json_t *checks = json_array();

	assert_int_equal(store_reader_open(fx->path, &r, err, sizeof(err)), 0);
	assert_int_equal(store_read_begin(r), 0);
	assert_int_equal(store_check_tables(r, checks), 0);
	store_read_end(r);
	store_close(r);
	assert_int_equal(json_array_size(checks), 4);
	return checks;
}

static void
test_checks(void **state)
{
	struct fixture *fx = *state;
	json_t *checks;

	add_case(fx->st, "K-1", true);
	add_case(fx->st, "K-2", true);
	checks = run_checks(fx);
	assert_check(checks, "integrity", true, 0, "");
	assert_check(checks, "foreign_keys", true, 0, "");
	assert_check(checks, "counts", true, 0, "");
	assert_check(checks, "cases_have_events", true, 0, "");
	json_decref(checks);

	/* By hand: a count off by two, a case without its event, an event without its case. */
	store_close(fx->st);
	fx->st = NULL;
	sql_on(fx->path, "UPDATE counts SET n = n + 2 WHERE name = 'cases';"
			 "DELETE FROM events WHERE case_id = 2;"
			 "UPDATE counts SET n = n - 1 WHERE name = 'events';"
			 "INSERT INTO events (id, case_id, type, occurred, recorded, data, uid) "
			 "VALUES (9, 7, 'received', 0, 0, '{}', 0);"
			 "UPDATE counts SET n = n + 1 WHERE name = 'events'");
	checks = run_checks(fx);
	assert_check(checks, "integrity", true, 0, "");
	assert_check(checks, "foreign_keys", false, 1,
		     "events row 9 refers to a missing row of cases");
	assert_check(checks, "counts", false, 1, "cases: counted 4, stored 2");
	assert_check(checks, "cases_have_events", false, 1, "case #2 has no event");
	json_decref(checks);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
