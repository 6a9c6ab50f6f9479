// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_store: the storage layer through store.h, on a real SQLite database in a fresh
 * mkdtemp() directory (store_open wants a file: WAL mode, an owner-only directory). Each
 * test opens its own database and removes it afterwards.
 *
 * What is checked is what a user of the register would see: the schema brought to the
 * newest version (and an older database migrated, a newer one refused with its message),
 * transactions and request savepoints (a rolled-back request leaves no row and no count),
 * cases, events and deadlines as written, the listings with their filters and pages, the
 * outbox and its attempts, the audit log and the health of the channels. Every expected
 * row was worked out by hand from the rows the test writes; the dates are civil dates, the
 * instants plain numbers.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "core/util.h"
#include "store/store.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

/* The directory of one test, its database, and the store open on it. */
struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

static struct store *
open_store(struct fixture *fx)
{
	char err[512] = "";
	int ret = store_open(fx->path, &fx->st, err, sizeof(err));

	if (ret < 0)
		fail_msg("store_open %s: %d %s", fx->path, ret, err);
	return fx->st;
}

static int
setup_empty(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fv-test-store.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/fristvakt.db", fx->dir);
	*state = fx;
	return 0;
}

/* A fresh directory with the database open in it. */
static int
setup_open(void **state)
{
	if (setup_empty(state) < 0)
		return -1;
	open_store(*state);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	store_close(fx->st);
	for (size_t i = 0; i < FV_ARRAY_SIZE(suffix); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffix[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Runs sql on a connection of the test's own to the database at path. */
static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(db);
}

/* PRAGMA user_version of the database at path, read on a connection of the test's own. */
static int
user_version(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The migrations in the source tree's db/ (NNN_*.sql): one schema version each. */
static int
migrations_in_tree(void)
{
	glob_t g;
	int n;

	assert_int_equal(glob(FV_SOURCE_DIR "/db/[0-9][0-9][0-9]_*.sql", 0, NULL, &g), 0);
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Inserts an open written case (service, handler, unit borrowed) and returns its id. */
static int64_t
add_case(struct store *st, const char *ref, const char *service, const char *handler,
	 const char *unit)
{
	struct store_case c = {
		.ref = (char *)ref,
		.service = (char *)service,
		.handler = (char *)handler,
		.unit = (char *)unit,
		.received = 1767225600, /* 2026-01-01 00:00 UTC */
		.channel = (char *)"written",
		.state = (char *)"open",
		.created = 1767225600,
		.updated = 1767225600,
	};

	assert_int_equal(store_case_insert(st, &c), 0);
	assert_true(c.id > 0);
	return c.id;
}

/* --- schema and migrations --------------------------------------------------------- */

static void
test_open_new_database(void **state)
{
	struct fixture *fx = *state;
	struct store_counts n = { .cases = -1 };
	char *value = NULL;

	/* One schema version per migration file; a new database gets every one. */
	assert_int_equal(store_schema_latest(), migrations_in_tree());
	assert_true(store_schema_latest() >= 5);
	assert_int_equal(store_schema_version(fx->st), store_schema_latest());
	assert_int_equal(user_version(fx->path), store_schema_latest());
	/* Nothing to check before migrating an empty file. */
	assert_false(store_checked(fx->st));

	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 0);
	assert_int_equal(n.events, 0);
	assert_int_equal(n.deadlines, 0);
	assert_int_equal(n.audit, 0);

	/* Migration 5 made the installation id: 128 random bits in lower-case hex. */
	assert_int_equal(store_meta_get(fx->st, "installation", &value), 0);
	assert_int_equal(strlen(value), 32);
	assert_int_equal(strspn(value, "0123456789abcdef"), 32);
	free(value);
	assert_int_equal(store_meta_get(fx->st, "rules_fingerprint", &value), -ENOENT);
	assert_null(value);
}

static void
test_reopen_is_idempotent(void **state)
{
	struct fixture *fx = *state;
	struct store_counts n;
	struct store_case c;
	char *first = NULL, *again = NULL;

	assert_int_equal(store_meta_get(fx->st, "installation", &first), 0);
	assert_int_equal(store_begin(fx->st), 0);
	add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	assert_int_equal(store_meta_set(fx->st, "rules_fingerprint", "abc"), 0);
	assert_int_equal(store_commit(fx->st), 0);
	store_close(fx->st);
	fx->st = NULL;

	open_store(fx);
	assert_int_equal(store_schema_version(fx->st), store_schema_latest());
	/* At the newest version already: no migration, so no check before one. */
	assert_false(store_checked(fx->st));
	/* The installation id is made once, not per open. */
	assert_int_equal(store_meta_get(fx->st, "installation", &again), 0);
	assert_string_equal(again, first);
	free(first);
	free(again);
	assert_int_equal(store_meta_get(fx->st, "rules_fingerprint", &again), 0);
	assert_string_equal(again, "abc");
	free(again);
	assert_int_equal(store_case_by_ref(fx->st, "2026/1", &c), 0);
	assert_string_equal(c.service, "bygg");
	store_case_deinit(&c);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 1);
}

static void
test_newer_database_refused(void **state)
{
	struct fixture *fx = *state;
	char sql[64], want[256], err[512] = "";
	struct store *st = NULL;
	int newer = store_schema_latest() + 1;

	store_close(fx->st);
	fx->st = NULL;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
	sql_exec(fx->path, sql);

	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), -EPROTO);
	assert_null(st);
	snprintf(want, sizeof(want),
		 "database schema version %d is newer than this fristvaktd supports (%d): "
		 "run the fristvaktd that wrote it, or restore a backup",
		 newer, newer - 1);
	assert_string_equal(err, want);
	/* Refused, not touched: the version stays what the newer program wrote. */
	assert_int_equal(user_version(fx->path), newer);
}

static void
test_old_database_migrated(void **state)
{
	struct fixture *fx = *state;
	char *initial = read_text(FV_SOURCE_DIR "/db/001_initial.sql");
	struct store_counts n;
	struct store_case c;
	char *value = NULL;

	/* A database of schema version 1 with one case, as the first release left it. */
	sql_exec(fx->path, initial);
	free(initial);
	sql_exec(fx->path, "INSERT INTO cases (ref, service, received, channel, emergency, "
			   "created, updated) VALUES ('2020/7', 'bygg', 0, 'oral', 0, 0, 0);"
			   "PRAGMA user_version = 1");

	open_store(fx);
	/* Checked before the migrations rewrote it, then brought to the newest version. */
	assert_true(store_checked(fx->st));
	assert_int_equal(store_schema_version(fx->st), store_schema_latest());
	assert_int_equal(user_version(fx->path), store_schema_latest());
	/* Migration 2 counted the case that was there; migration 5 made the id. */
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 1);
	assert_int_equal(store_meta_get(fx->st, "installation", &value), 0);
	free(value);
	assert_int_equal(store_case_by_ref(fx->st, "2020/7", &c), 0);
	assert_string_equal(c.channel, "oral");
	assert_string_equal(c.state, "open");
	assert_null(c.handler);
	store_case_deinit(&c);
}

static void
test_not_a_database_refused(void **state)
{
	struct fixture *fx = *state;
	char junk[4096], err[512] = "";
	struct store *st = NULL;
	FILE *f;

	memset(junk, 'x', sizeof(junk));
	f = fopen(fx->path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	fclose(f);

	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), -EUCLEAN);
	assert_null(st);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "file is not a database"));
}

static void
test_integrity_check(void **state)
{
	struct fixture *fx = *state;
	struct store_check *c = NULL;
	char err[512] = "";

	assert_int_equal(store_check_new(fx->path, &c, err, sizeof(err)), 0);
	assert_string_equal(store_check_result(c), "not run");
	store_check_run(c);
	assert_true(store_check_ok(c));
	assert_string_equal(store_check_result(c), "ok");
	store_check_free(c);
}

/* --- transactions ------------------------------------------------------------------ */

static void
test_savepoints(void **state)
{
	struct fixture *fx = *state;
	struct store_audit a = { .at = 5, .method = "Register", .outcome = "ok" };
	struct store_counts n;
	struct store_case c;
	json_t *rows = NULL;
	int64_t next = -1;

	/* Three requests in one group commit: the second fails and is rolled back. */
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_savepoint(fx->st), 0);
	add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	a.case_ref = "2026/1";
	assert_int_equal(store_audit_append(fx->st, &a), 0);
	assert_int_equal(store_release(fx->st), 0);

	assert_int_equal(store_savepoint(fx->st), 0);
	add_case(fx->st, "2026/2", "bygg", NULL, NULL);
	a.case_ref = "2026/2";
	assert_int_equal(store_audit_append(fx->st, &a), 0);
	store_rollback_to(fx->st);

	assert_int_equal(store_savepoint(fx->st), 0);
	add_case(fx->st, "2026/3", "bygg", NULL, NULL);
	assert_int_equal(store_release(fx->st), 0);
	assert_int_equal(store_commit(fx->st), 0);

	assert_int_equal(store_case_by_ref(fx->st, "2026/1", &c), 0);
	store_case_deinit(&c);
	assert_int_equal(store_case_by_ref(fx->st, "2026/2", &c), -ENOENT);
	assert_int_equal(store_case_by_ref(fx->st, "2026/3", &c), 0);
	store_case_deinit(&c);
	/* The rolled-back request counted nothing either. */
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 2);
	assert_int_equal(n.audit, 1);
	assert_int_equal(store_audit_list(fx->st, "2026/2", 10, 0, &rows, &next), 0);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);

	/* A whole transaction rolled back: no row, no count. */
	assert_int_equal(store_begin(fx->st), 0);
	add_case(fx->st, "2026/4", "bygg", NULL, NULL);
	store_rollback(fx->st);
	assert_int_equal(store_case_by_ref(fx->st, "2026/4", &c), -ENOENT);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 2);
	/* Rolling back with no transaction open is harmless. */
	store_rollback(fx->st);
}

static void
test_constraint_in_savepoint(void **state)
{
	struct fixture *fx = *state;
	struct store_case dup = {
		.ref = (char *)"2026/1",
		.service = (char *)"sosial",
		.channel = (char *)"digital",
		.state = (char *)"open",
	};
	struct store_counts n;
	struct store_case c;

	/* Two requests, as the daemon makes them: every write inside a request's savepoint
	 * (the figures of the counts table go with the savepoint they were made in). */
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_savepoint(fx->st), 0);
	add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	assert_int_equal(store_release(fx->st), 0);
	assert_int_equal(store_savepoint(fx->st), 0);
	/* The reference is the case system's key: a second case with it is refused. */
	assert_int_equal(store_case_insert(fx->st, &dup), -EEXIST);
	store_rollback_to(fx->st);
	assert_int_equal(store_commit(fx->st), 0);

	assert_int_equal(store_case_by_ref(fx->st, "2026/1", &c), 0);
	assert_string_equal(c.service, "bygg");
	store_case_deinit(&c);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.cases, 1);
}

static void
test_database_deleted_underneath(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(unlink(fx->path), 0);
	assert_int_equal(store_begin(fx->st), -ESTALE);
	assert_string_equal(store_errmsg(fx->st),
			    "the database file was deleted or replaced while open; restart "
			    "fristvaktd");
}

/* --- cases and events -------------------------------------------------------------- */

static void
test_case_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct store_case in = {
		.ref = (char *)"2026/0042",
		.service = (char *)"sosialhjelp",
		.handler = (char *)"kari",
		.unit = (char *)"nav-sentrum",
		.received = 1767340800,
		.channel = (char *)"digital",
		.emergency = true,
		.state = (char *)"open",
		.created = 1767340900,
		.updated = 1767340900,
	};
	struct store_case c;
	char *email = NULL, *phone = NULL;

	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_case_insert(fx->st, &in), 0);
	assert_int_equal(store_commit(fx->st), 0);

	assert_int_equal(store_case_by_ref(fx->st, "2026/0042", &c), 0);
	assert_int_equal(c.id, in.id);
	assert_string_equal(c.ref, "2026/0042");
	assert_string_equal(c.service, "sosialhjelp");
	assert_string_equal(c.handler, "kari");
	assert_string_equal(c.unit, "nav-sentrum");
	assert_int_equal(c.received, 1767340800);
	assert_string_equal(c.channel, "digital");
	assert_true(c.emergency);
	assert_string_equal(c.state, "open");
	assert_false(c.has_contact);
	assert_int_equal(c.created, 1767340900);
	assert_int_equal(c.updated, 1767340900);
	store_case_deinit(&c);
	assert_int_equal(store_contact_get(fx->st, in.id, &email, &phone), -ENOENT);
	assert_int_equal(store_case_by_ref(fx->st, "2026/0043", &c), -ENOENT);
	assert_int_equal(store_case_by_id(fx->st, in.id + 1, &c), -ENOENT);

	/* A correction of the registration, a contact given with consent, a withdrawal. */
	in.service = (char *)"bostotte";
	in.handler = NULL;
	in.channel = (char *)"oral";
	in.emergency = false;
	in.updated = 1767427200;
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_case_update(fx->st, &in), 0);
	assert_int_equal(store_contact_set(fx->st, in.id, "a@example.org", NULL, 1767427200), 0);
	assert_int_equal(store_case_set_state(fx->st, in.id, "withdrawn", 1767513600), 0);
	assert_int_equal(store_commit(fx->st), 0);

	assert_int_equal(store_case_by_id(fx->st, in.id, &c), 0);
	assert_string_equal(c.ref, "2026/0042");
	assert_string_equal(c.service, "bostotte");
	assert_null(c.handler);
	assert_string_equal(c.unit, "nav-sentrum");
	assert_string_equal(c.channel, "oral");
	assert_false(c.emergency);
	assert_string_equal(c.state, "withdrawn");
	assert_true(c.has_contact);
	assert_int_equal(c.created, 1767340900);
	assert_int_equal(c.updated, 1767513600);
	store_case_deinit(&c);
	assert_int_equal(store_contact_get(fx->st, in.id, &email, &phone), 0);
	assert_string_equal(email, "a@example.org");
	assert_null(phone);
	free(email);
}

static void
test_events_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct store_event e1 = {
		.client_id = (char *)"k-1",
		.type = (char *)"received",
		.occurred = 100,
		.recorded = 110,
		.data = (char *)"{\"date\":\"2026-01-05\"}",
		.uid = 1000,
	};
	struct store_event e2 = {
		.type = (char *)"decision",
		.occurred = 200,
		.recorded = 210,
		.data = (char *)"{}",
		.uid = 1001,
	};
	struct store_event fix = {
		.client_id = (char *)"k-3",
		.type = (char *)"received",
		.occurred = 100,
		.recorded = 300,
		.data = (char *)"{\"date\":\"2026-01-06\"}",
		.uid = 1000,
	};
	struct store_event got, *v = NULL;
	struct store_counts n;
	size_t len = 0;
	int64_t case_id;

	assert_int_equal(store_begin(fx->st), 0);
	case_id = add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	e1.case_id = e2.case_id = fix.case_id = case_id;
	assert_int_equal(store_event_insert(fx->st, &e1), 0);
	assert_int_equal(store_event_insert(fx->st, &e2), 0);
	/* A correction names the event it supersedes. */
	fix.supersedes = e1.id;
	assert_int_equal(store_event_insert(fx->st, &fix), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_true(e1.id < e2.id && e2.id < fix.id);

	/* A re-sent event is found by its client id; the correction shows on the old one. */
	assert_int_equal(store_event_by_client_id(fx->st, "k-1", &got), 0);
	assert_int_equal(got.id, e1.id);
	assert_int_equal(got.case_id, case_id);
	assert_string_equal(got.type, "received");
	assert_int_equal(got.occurred, 100);
	assert_int_equal(got.recorded, 110);
	assert_string_equal(got.data, "{\"date\":\"2026-01-05\"}");
	assert_int_equal(got.supersedes, 0);
	assert_int_equal(got.superseded_by, fix.id);
	assert_int_equal(got.uid, 1000);
	store_event_deinit(&got);
	assert_int_equal(store_event_by_client_id(fx->st, "k-2", &got), -ENOENT);

	assert_int_equal(store_events_of_case(fx->st, case_id, &v, &len), 0);
	assert_int_equal(len, 3);
	assert_int_equal(v[0].id, e1.id);
	assert_int_equal(v[1].id, e2.id);
	assert_null(v[1].client_id);
	assert_string_equal(v[1].type, "decision");
	assert_int_equal(v[1].superseded_by, 0);
	assert_int_equal(v[1].uid, 1001);
	assert_int_equal(v[2].id, fix.id);
	assert_int_equal(v[2].supersedes, e1.id);
	assert_string_equal(v[2].client_id, "k-3");
	store_events_free(v, len);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.events, 3);
}

/* --- deadlines ----------------------------------------------------------------------- */

/*
 * Two cases and their deadlines, judged on 2026-03-10 (see test_deadlines_list):
 *   2026/1 bygg   h1 u1: preliminary_reply (no date) open; processing 03-01 open;
 *                        complaint 03-05 open
 *   2026/2 sosial h2 u1: forwarding 02-01 missed, not met; documentation 03-20 met 03-08;
 *                        processing 04-01 open
 */
static void
add_deadlines(struct store *st, int64_t *a, int64_t *b)
{
	static const struct store_deadline da[] = {
		{ "preliminary_reply", 1, "open", NULL, NULL, "fvl-11a", "fvl. § 11 a", NULL },
		{ "processing", 1, "open", "2026-03-01", NULL, "bygg-12u", "pbl. § 21-7", NULL },
		{ "complaint", 2, "open", "2026-03-05", NULL, NULL, NULL, NULL },
	};
	static const struct store_deadline db[] = {
		{ "forwarding", 5, "missed", "2026-02-01", NULL, NULL, NULL, NULL },
		{ "documentation", 4, "met", "2026-03-20", "2026-03-08", NULL, NULL, NULL },
		{ "processing", 3, "open", "2026-04-01", NULL, NULL, NULL, NULL },
	};

	*a = add_case(st, "2026/1", "bygg", "h1", "u1");
	*b = add_case(st, "2026/2", "sosial", "h2", "u1");
	assert_int_equal(store_deadlines_replace(st, *a, da, FV_ARRAY_SIZE(da)), 0);
	assert_int_equal(store_deadlines_replace(st, *b, db, FV_ARRAY_SIZE(db)), 0);
}

static void
test_deadlines_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct store_deadline_info info;
	struct store_deadline_row *rows = NULL;
	size_t n_rows = 0;
	struct store_counts n;
	int64_t a, b, subject = 0;
	char *due = NULL;

	assert_int_equal(store_begin(fx->st), 0);
	add_deadlines(fx->st, &a, &b);
	assert_int_equal(store_commit(fx->st), 0);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.deadlines, 6);

	assert_int_equal(store_deadline_get(fx->st, a, "processing", 1, &info), 0);
	assert_string_equal(info.due, "2026-03-01");
	assert_string_equal(info.rule, "bygg-12u");
	assert_string_equal(info.source, "pbl. § 21-7");
	store_deadline_info_deinit(&info);
	assert_int_equal(store_deadline_get(fx->st, a, "preliminary_reply", 1, &info), 0);
	assert_null(info.due);
	store_deadline_info_deinit(&info);
	assert_int_equal(store_deadline_get(fx->st, a, "processing", 2, &info), -ENOENT);

	/* What planning reads of a case's deadlines: kind, subject, state, dates. */
	assert_int_equal(store_deadlines_of_case(fx->st, b, &rows, &n_rows), 0);
	assert_int_equal(n_rows, 3);
	assert_string_equal(rows[0].kind, "documentation"); /* by kind, then subject */
	assert_string_equal(rows[0].met_on, "2026-03-08");
	assert_string_equal(rows[1].kind, "forwarding");
	assert_int_equal(rows[1].subject, 5);
	assert_string_equal(rows[1].state, "missed");
	assert_string_equal(rows[1].due, "2026-02-01");
	assert_null(rows[1].met_on);
	assert_string_equal(rows[2].kind, "processing");
	store_deadline_rows_free(rows, n_rows);

	assert_int_equal(store_deadline_latest(fx->st, b, "processing", &subject, &due), 0);
	assert_int_equal(subject, 3);
	assert_string_equal(due, "2026-04-01");
	free(due);
	assert_int_equal(store_deadline_latest(fx->st, b, "complaint", &subject, &due), -ENOENT);
	assert_null(due);

	/* Replacing a case's deadlines replaces them all, and the count follows. */
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_deadlines_replace(fx->st, a, NULL, 0), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.deadlines, 3);
	assert_int_equal(store_deadline_get(fx->st, a, "processing", 1, &info), -ENOENT);
}

/* The "sequence" of the deadline of kind and subject in the array d, or -1. */
static json_int_t
sequence_of(json_t *d, const char *kind, json_int_t subject)
{
	json_t *dl;
	size_t i;

	json_array_foreach(d, i, dl)
	{
		if (strcmp(jstr(dl, "kind"), kind) == 0 && jint(dl, "subject") == subject)
			return json_object_get(dl, "sequence") ? jint(dl, "sequence") : -1;
	}
	return -1;
}

static void
test_deadline_versions(void **state)
{
	struct fixture *fx = *state;
	struct store_event recv = { .type = (char *)"received", .data = (char *)"{}" };
	struct store_event fix = { .type = (char *)"received", .data = (char *)"{}" };
	struct store_deadline d = { "processing", 0, "open", "2026-03-01", NULL, NULL, NULL, NULL };
	json_t *list;
	int64_t case_id;

	assert_int_equal(store_begin(fx->st), 0);
	case_id = add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	recv.case_id = fix.case_id = case_id;
	assert_int_equal(store_event_insert(fx->st, &recv), 0);
	d.subject = recv.id;
	assert_int_equal(store_deadlines_replace(fx->st, case_id, &d, 1), 0);
	/* Stored again unchanged: the same version. */
	assert_int_equal(store_deadlines_replace(fx->st, case_id, &d, 1), 0);
	assert_int_equal(store_commit(fx->st), 0);

	list = json_pack("[{s:s s:I} {s:s s:I}]", "kind", "processing", "subject",
			 (json_int_t)recv.id, "kind", "complaint", "subject", (json_int_t)recv.id);
	assert_int_equal(store_deadline_versions_annotate(fx->st, case_id, list), 0);
	assert_int_equal(sequence_of(list, "processing", recv.id), 0);
	assert_true(json_is_string(json_object_get(json_array_get(list, 0), "modified")));
	/* No stored version: nothing added. */
	assert_int_equal(sequence_of(list, "complaint", recv.id), -1);
	json_decref(list);

	/* The received date corrected: the deadline now runs from the correction and moves,
	 * but it is the same deadline, one version on. */
	assert_int_equal(store_begin(fx->st), 0);
	fix.supersedes = recv.id;
	assert_int_equal(store_event_insert(fx->st, &fix), 0);
	d.subject = fix.id;
	d.due = "2026-03-02";
	assert_int_equal(store_deadlines_replace(fx->st, case_id, &d, 1), 0);
	/* The state changed too: one more. */
	d.state = "met";
	d.met_on = "2026-02-20";
	assert_int_equal(store_deadlines_replace(fx->st, case_id, &d, 1), 0);
	assert_int_equal(store_commit(fx->st), 0);

	list = json_pack("[{s:s s:I}]", "kind", "processing", "subject", (json_int_t)fix.id);
	assert_int_equal(store_deadline_versions_annotate(fx->st, case_id, list), 0);
	assert_int_equal(sequence_of(list, "processing", fix.id), 2);
	json_decref(list);
}

/* The listing as "ref kind state" words, one per row, joined with "; ". */
static void
listing_text(json_t *rows, char *buf, size_t len)
{
	size_t used = 0;
	json_t *r;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(rows, i, r)
	{
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s %s", i ? "; " : "",
					 jstr(r, "reference"), jstr(r, "kind"), jstr(r, "state"));
		assert_true(used < len);
	}
}

/* Lists with f and compares the rows (listing_text) with want; returns whether a next
 * page follows and keeps its cursor in f. */
static bool
list_is(struct store *st, struct store_deadline_filter *f, const char *want)
{
	static char next_due[16];
	json_t *rows = NULL;
	char *due = NULL, got[1024];
	bool more = false;
	int64_t id = 0;

	assert_int_equal(store_deadlines_list(st, f, &rows, &more, &due, &id), 0);
	listing_text(rows, got, sizeof(got));
	assert_string_equal(got, want);
	json_decref(rows);
	if (!more) {
		assert_null(due);
		return false;
	}
	f->has_after = true;
	f->after_id = id;
	f->after_due = NULL;
	if (due) {
		snprintf(next_due, sizeof(next_due), "%s", due);
		f->after_due = next_due;
	}
	free(due);
	return true;
}

static void
test_deadlines_list(void **state)
{
	struct fixture *fx = *state;
	struct store_deadline_filter f = { .today = "2026-03-10", .limit = 10 };
	int64_t a, b;
	json_t *rows = NULL, *r;
	char *due = NULL;
	bool more = true;
	int64_t id = -1;

	assert_int_equal(store_begin(fx->st), 0);
	add_deadlines(fx->st, &a, &b);
	assert_int_equal(store_commit(fx->st), 0);

	/* By due date, the one without a date first; an open deadline whose date passed is
	 * missed when it is the office's, expired when it is the party's. */
	assert_false(list_is(fx->st, &f,
			     "2026/1 preliminary_reply open; 2026/2 forwarding missed; "
			     "2026/1 processing missed; 2026/1 complaint expired; "
			     "2026/2 documentation met; 2026/2 processing open"));

	/* Every member of a row. */
	assert_int_equal(store_deadlines_list(fx->st, &f, &rows, &more, &due, &id), 0);
	assert_false(more);
	assert_null(due);
	r = json_array_get(rows, 2);
	assert_string_equal(jstr(r, "reference"), "2026/1");
	assert_string_equal(jstr(r, "service"), "bygg");
	assert_string_equal(jstr(r, "handler"), "h1");
	assert_string_equal(jstr(r, "unit"), "u1");
	assert_int_equal(jint(r, "subject"), 1);
	assert_string_equal(jstr(r, "due"), "2026-03-01");
	assert_string_equal(jstr(r, "rule"), "bygg-12u");
	assert_string_equal(jstr(r, "source"), "pbl. § 21-7");
	assert_true(json_is_null(json_object_get(r, "met_on")));
	assert_string_equal(jstr(json_array_get(rows, 4), "met_on"), "2026-03-08");
	assert_true(json_is_null(json_object_get(json_array_get(rows, 0), "due")));
	json_decref(rows);

	f.state = "open";
	list_is(fx->st, &f, "2026/1 preliminary_reply open; 2026/2 processing open");
	f.state = "missed";
	list_is(fx->st, &f, "2026/2 forwarding missed; 2026/1 processing missed");
	f.state = "expired";
	list_is(fx->st, &f, "2026/1 complaint expired");
	f.state = "met";
	list_is(fx->st, &f, "2026/2 documentation met");
	f.state = NULL;

	f.duty = "office";
	list_is(fx->st, &f,
		"2026/1 preliminary_reply open; 2026/2 forwarding missed; "
		"2026/1 processing missed; 2026/2 processing open");
	f.duty = "party";
	list_is(fx->st, &f, "2026/1 complaint expired; 2026/2 documentation met");
	f.duty = NULL;

	/* The work list: the office's duties past their date and not met. */
	f.overdue = true;
	list_is(fx->st, &f, "2026/2 forwarding missed; 2026/1 processing missed");
	f.overdue = false;

	f.kind = "processing";
	list_is(fx->st, &f, "2026/1 processing missed; 2026/2 processing open");
	f.kind = NULL;
	f.service = "sosial";
	list_is(fx->st, &f,
		"2026/2 forwarding missed; 2026/2 documentation met; 2026/2 processing open");
	f.service = NULL;
	f.handler = "h1";
	list_is(fx->st, &f,
		"2026/1 preliminary_reply open; 2026/1 processing missed; "
		"2026/1 complaint expired");
	f.handler = NULL;
	f.unit = "u2";
	list_is(fx->st, &f, "");
	f.unit = NULL;
	f.due_from = "2026-03-01";
	f.due_to = "2026-03-20";
	list_is(fx->st, &f,
		"2026/1 processing missed; 2026/1 complaint expired; 2026/2 documentation met");
}

static void
test_deadlines_pages(void **state)
{
	struct fixture *fx = *state;
	struct store_deadline_filter f = { .today = "2026-03-10", .limit = 2 };
	int64_t a, b;

	assert_int_equal(store_begin(fx->st), 0);
	add_deadlines(fx->st, &a, &b);
	assert_int_equal(store_commit(fx->st), 0);

	/* Pages of two, each from the cursor the one before gave. */
	assert_true(list_is(fx->st, &f, "2026/1 preliminary_reply open; 2026/2 forwarding missed"));
	assert_string_equal(f.after_due, "2026-02-01");
	assert_true(list_is(fx->st, &f, "2026/1 processing missed; 2026/1 complaint expired"));
	assert_string_equal(f.after_due, "2026-03-05");
	assert_false(list_is(fx->st, &f, "2026/2 documentation met; 2026/2 processing open"));

	/* A page that ends on the row without a date: its cursor has no date either. */
	memset(&f, 0, sizeof(f));
	f.today = "2026-03-10";
	f.limit = 1;
	assert_true(list_is(fx->st, &f, "2026/1 preliminary_reply open"));
	assert_null(f.after_due);
	assert_true(list_is(fx->st, &f, "2026/2 forwarding missed"));
	assert_true(list_is(fx->st, &f, "2026/1 processing missed"));
}

static void
test_deadlines_for_digest(void **state)
{
	struct fixture *fx = *state;
	json_t *rows = NULL, *r;
	int64_t a, b;

	assert_int_equal(store_begin(fx->st), 0);
	add_deadlines(fx->st, &a, &b);
	assert_int_equal(store_commit(fx->st), 0);

	/* The office's duties not met, due by the day: no party's deadline, none met. */
	assert_int_equal(store_deadlines_for_digest(fx->st, "2026-03-10", &rows), 0);
	assert_int_equal(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	assert_string_equal(jstr(r, "reference"), "2026/2");
	assert_string_equal(jstr(r, "handler"), "h2");
	assert_string_equal(jstr(r, "unit"), "u1");
	assert_string_equal(jstr(r, "kind"), "forwarding");
	assert_string_equal(jstr(r, "due"), "2026-02-01");
	assert_string_equal(jstr(r, "service"), "sosial");
	r = json_array_get(rows, 1);
	assert_string_equal(jstr(r, "reference"), "2026/1");
	assert_string_equal(jstr(r, "kind"), "processing");
	json_decref(rows);

	assert_int_equal(store_deadlines_for_digest(fx->st, "2026-04-30", &rows), 0);
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(jstr(json_array_get(rows, 2), "due"), "2026-04-01");
	json_decref(rows);
}

static void
test_cases_list(void **state)
{
	struct fixture *fx = *state;
	struct store_case_filter f = { .limit = 2 };
	struct store_case *v = NULL;
	size_t n = 0;
	int64_t id[3], next = -1;

	assert_int_equal(store_begin(fx->st), 0);
	id[0] = add_case(fx->st, "2026/1", "bygg", "h1", "u1");
	id[1] = add_case(fx->st, "2026/2", "sosial", "h2", "u1");
	id[2] = add_case(fx->st, "2026/3", "bygg", "h2", "u2");
	assert_int_equal(store_case_set_state(fx->st, id[1], "closed", 1767225700), 0);
	assert_int_equal(store_commit(fx->st), 0);

	/* Newest first, in pages. */
	assert_int_equal(store_cases_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].ref, "2026/3");
	assert_string_equal(v[1].ref, "2026/2");
	assert_int_equal(next, id[1]);
	store_cases_free(v, n);
	f.before_id = next;
	assert_int_equal(store_cases_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].ref, "2026/1");
	assert_int_equal(next, 0);
	store_cases_free(v, n);

	memset(&f, 0, sizeof(f));
	f.limit = 10;
	f.service = "bygg";
	f.handler = "h2";
	assert_int_equal(store_cases_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].ref, "2026/3");
	assert_string_equal(v[0].unit, "u2");
	store_cases_free(v, n);
	memset(&f, 0, sizeof(f));
	f.limit = 10;
	f.state = "closed";
	assert_int_equal(store_cases_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].ref, "2026/2");
	store_cases_free(v, n);
	f.state = NULL;
	f.unit = "u1";
	assert_int_equal(store_cases_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 2);
	assert_int_equal(next, 0);
	store_cases_free(v, n);

	/* In id order from a position, for recomputing in chunks. */
	assert_int_equal(store_cases_after(fx->st, 0, 2, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id[0]);
	assert_int_equal(v[1].id, id[1]);
	store_cases_free(v, n);
	assert_int_equal(store_cases_after(fx->st, id[1], 2, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id[2]);
	store_cases_free(v, n);
	assert_int_equal(store_cases_after(fx->st, id[2], 2, &v, &n), 0);
	assert_int_equal(n, 0);
	store_cases_free(v, n);
}

/* --- reminders, attempts, channels ----------------------------------------------- */

/* Plans a reminder; returns its id, or 0 when one with its identity was there. */
static int64_t
plan(struct store *st, int64_t case_id, const char *kind, const char *occurrence,
     const char *recipient, const char *channel, int64_t not_before)
{
	struct store_reminder r = {
		.case_id = case_id,
		.kind = (char *)kind,
		.subject = case_id ? 1 : 0,
		.stage = (char *)"before",
		.occurrence = (char *)occurrence,
		.recipient = (char *)recipient,
		.due = case_id ? (char *)"2026-03-01" : NULL,
		.recipients = 1,
		.channel = (char *)channel,
		.planned = 100,
		.not_before = not_before,
		.data = case_id ? NULL : (char *)"{\"n\":2}",
		.created = 100,
	};
	bool inserted = false;

	assert_int_equal(store_reminder_plan(st, &r, &inserted), 0);
	return inserted ? r.id : 0;
}

/* The reminders due at now (after: may be NULL) as their ids, in order, 0-terminated. */
static void
due_ids(struct store *st, int64_t now, const struct store_due_after *after, int limit, int64_t *ids,
	size_t len)
{
	struct store_reminder *v = NULL;
	size_t n = 0;

	assert_int_equal(store_reminders_due(st, now, after, limit, &v, &n), 0);
	assert_true(n < len);
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	ids[n] = 0;
	store_reminders_free(v, n);
}

static void
assert_counts(struct store *st, json_int_t pending, json_int_t failed, json_int_t sent,
	      json_int_t fallbacks)
{
	json_t *o = NULL;

	assert_int_equal(store_reminder_counts(st, &o), 0);
	assert_int_equal(jint(o, "pending"), pending);
	assert_int_equal(jint(o, "failed"), failed);
	assert_int_equal(jint(o, "sent"), sent);
	assert_int_equal(jint(o, "dead"), 0);
	assert_int_equal(jint(o, "cancelled"), 0);
	assert_int_equal(jint(o, "template_fallbacks"), fallbacks);
	json_decref(o);
}

static void
test_reminders(void **state)
{
	struct fixture *fx = *state;
	struct store_reminder r, *v = NULL;
	int64_t a, r1, r2, r3, ids[8], when = 0;
	struct store_due_after after;
	json_t *att = NULL;
	size_t n = 0;

	assert_int_equal(store_begin(fx->st), 0);
	a = add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	r1 = plan(fx->st, a, "processing", "2026-02-22", "", "email", 1000);
	r2 = plan(fx->st, a, "complaint", "2026-02-26", "", "webhook", 2000);
	r3 = plan(fx->st, 0, "digest", "2026-03-10", "handler:h1", "email", 1500);
	/* Planned again, as a recompute does: the same identity is not planned twice. */
	assert_int_equal(plan(fx->st, a, "processing", "2026-02-22", "", "email", 1000), 0);
	assert_int_equal(plan(fx->st, 0, "digest", "2026-03-10", "handler:h1", "email", 1500), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_true(r1 && r2 && r3);
	assert_counts(fx->st, 3, 0, 0, 0);

	/* Due by not_before, then id; none before the first is due. */
	due_ids(fx->st, 999, NULL, 10, ids, 8);
	assert_int_equal(ids[0], 0);
	due_ids(fx->st, 1500, NULL, 10, ids, 8);
	assert_int_equal(ids[0], r1);
	assert_int_equal(ids[1], r3);
	assert_int_equal(ids[2], 0);
	due_ids(fx->st, 5000, NULL, 1, ids, 8);
	assert_int_equal(ids[0], r1);
	assert_int_equal(ids[1], 0);
	after = (struct store_due_after){ .not_before = 1000, .id = r1 };
	due_ids(fx->st, 5000, &after, 10, ids, 8);
	assert_int_equal(ids[0], r3);
	assert_int_equal(ids[1], r2);
	assert_int_equal(ids[2], 0);
	assert_int_equal(store_reminder_next(fx->st, &when), 0);
	assert_int_equal(when, 1000);

	/* A digest has no case; what it says is its data. */
	assert_int_equal(store_reminder_get(fx->st, r3, &r), 0);
	assert_int_equal(r.case_id, 0);
	assert_null(r.case_ref);
	assert_string_equal(r.kind, "digest");
	assert_string_equal(r.recipient, "handler:h1");
	assert_null(r.due);
	assert_string_equal(r.data, "{\"n\":2}");
	assert_string_equal(r.state, "pending");
	store_reminder_deinit(&r);
	assert_int_equal(store_reminder_get(fx->st, r3 + 100, &r), -ENOENT);

	assert_int_equal(store_reminders_open_of_case(fx->st, a, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, r1);
	assert_string_equal(v[0].case_ref, "2026/1");
	assert_string_equal(v[0].due, "2026-03-01");
	assert_int_equal(v[1].id, r2);
	store_reminders_free(v, n);

	/* The first attempt fails and the reminder waits; the second goes out with the
	 * built-in text. */
	assert_int_equal(store_reminder_get(fx->st, r1, &r), 0);
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_attempt_add(fx->st, r1, 1000, "email", "retry", 0, "timeout", false),
			 0);
	free(r.state);
	free(r.last_error);
	r.state = xstrdup("failed");
	r.attempts = 1;
	r.first_attempt = 1000;
	r.not_before = 1600;
	r.last_error = xstrdup("timeout");
	assert_int_equal(store_reminder_update(fx->st, &r), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_counts(fx->st, 2, 1, 0, 0);
	due_ids(fx->st, 1500, NULL, 10, ids, 8);
	assert_int_equal(ids[0], r3);
	assert_int_equal(ids[1], 0);

	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_attempt_add(fx->st, r1, 1600, "email", "ok", 250, "", true), 0);
	free(r.state);
	free(r.last_error);
	r.state = xstrdup("sent");
	r.attempts = 2;
	r.sent_at = 1600;
	r.last_error = NULL;
	assert_int_equal(store_reminder_update(fx->st, &r), 0);
	assert_int_equal(store_commit(fx->st), 0);
	store_reminder_deinit(&r);
	assert_counts(fx->st, 2, 0, 1, 1);

	assert_int_equal(store_reminder_get(fx->st, r1, &r), 0);
	assert_string_equal(r.state, "sent");
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.first_attempt, 1000);
	assert_int_equal(r.sent_at, 1600);
	assert_null(r.last_error);
	store_reminder_deinit(&r);
	assert_int_equal(store_attempts_json(fx->st, r1, &att), 0);
	assert_int_equal(json_array_size(att), 2);
	assert_int_equal(jint(json_array_get(att, 0), "at"), 1000);
	assert_string_equal(jstr(json_array_get(att, 0), "channel"), "email");
	assert_string_equal(jstr(json_array_get(att, 0), "outcome"), "retry");
	assert_true(json_is_null(json_object_get(json_array_get(att, 0), "code")));
	assert_string_equal(jstr(json_array_get(att, 0), "error"), "timeout");
	assert_true(json_is_false(json_object_get(json_array_get(att, 0), "fallback")));
	assert_string_equal(jstr(json_array_get(att, 1), "outcome"), "ok");
	assert_int_equal(jint(json_array_get(att, 1), "code"), 250);
	assert_true(json_is_null(json_object_get(json_array_get(att, 1), "error")));
	assert_true(json_is_true(json_object_get(json_array_get(att, 1), "fallback")));
	json_decref(att);
	assert_int_equal(store_reminder_next(fx->st, &when), 0);
	assert_int_equal(when, 1500);
}

/* A purge of the newest reminder does not let its id (its message's id) be given again. */
static void
test_reminder_ids_not_reused(void **state)
{
	struct fixture *fx = *state;
	struct store_purge_counts c = { 0 };
	struct store_reminder r;
	int64_t r1, r2, r3;

	assert_int_equal(store_begin(fx->st), 0);
	r1 = plan(fx->st, 0, "digest", "2026-03-10", "handler:h1", "email", 1500);
	r2 = plan(fx->st, 0, "digest", "2026-03-11", "handler:h1", "email", 1500);
	assert_int_equal(store_reminder_get(fx->st, r2, &r), 0);
	free(r.state);
	r.state = xstrdup("sent");
	assert_int_equal(store_reminder_update(fx->st, &r), 0);
	store_reminder_deinit(&r);
	/* The newest, sent and old, is purged; the next one planned gets an id above it. */
	assert_int_equal(store_purge_caseless(fx->st, 200, 10, false, &c), 0);
	assert_int_equal(c.notices, 1);
	assert_int_equal(store_reminder_get(fx->st, r2, &r), -ENOENT);
	r3 = plan(fx->st, 0, "digest", "2026-03-12", "handler:h1", "email", 1500);
	assert_int_equal(store_commit(fx->st), 0);
	assert_int_equal(r2, r1 + 1);
	assert_int_equal(r3, r2 + 1);
}

static void
test_reminders_list(void **state)
{
	struct fixture *fx = *state;
	struct store_reminder_filter f = { .limit = 2 };
	struct store_reminder *v = NULL;
	int64_t a, b, r1, r2, r3, next = -1;
	size_t n = 0;

	assert_int_equal(store_begin(fx->st), 0);
	a = add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	b = add_case(fx->st, "2026/2", "bygg", NULL, NULL);
	r1 = plan(fx->st, a, "processing", "2026-02-22", "", "email", 1000);
	r2 = plan(fx->st, b, "processing", "2026-02-22", "", "sms", 1000);
	r3 = plan(fx->st, a, "complaint", "2026-02-26", "", "email", 2000);
	assert_int_equal(store_commit(fx->st), 0);

	/* Newest first, in pages. */
	assert_int_equal(store_reminders_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, r3);
	assert_int_equal(v[1].id, r2);
	assert_int_equal(next, r2);
	store_reminders_free(v, n);
	f.before_id = next;
	assert_int_equal(store_reminders_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, r1);
	assert_int_equal(next, 0);
	store_reminders_free(v, n);

	memset(&f, 0, sizeof(f));
	f.limit = 10;
	f.ref = "2026/2";
	assert_int_equal(store_reminders_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, r2);
	assert_string_equal(v[0].channel, "sms");
	store_reminders_free(v, n);
	f.ref = NULL;
	f.channel = "email";
	f.state = "pending";
	assert_int_equal(store_reminders_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, r3);
	assert_int_equal(v[1].id, r1);
	store_reminders_free(v, n);
	f.state = "sent";
	assert_int_equal(store_reminders_list(fx->st, &f, &v, &n, &next), 0);
	assert_int_equal(n, 0);
	store_reminders_free(v, n);
}

static void
test_channels(void **state)
{
	struct fixture *fx = *state;
	int64_t a, r1, r2, r3, ids[8], moved = -1, when = 0;
	json_t *o = NULL, *ch;

	assert_int_equal(store_begin(fx->st), 0);
	a = add_case(fx->st, "2026/1", "bygg", NULL, NULL);
	r1 = plan(fx->st, a, "processing", "2026-02-22", "", "email", 1000);
	r2 = plan(fx->st, a, "complaint", "2026-02-26", "", "webhook", 500);
	r3 = plan(fx->st, 0, "digest", "2026-03-10", "handler:h1", "email", 1500);
	/* A receiver answered Gone: the channel is disabled until an administrator acts. */
	assert_int_equal(store_channel_disable(fx->st, "webhook", 700, "410 Gone"), 0);
	/* Two failures, then a success, on e-mail. */
	assert_int_equal(store_channel_attempt(fx->st, "email", 1000, false, "timeout"), 0);
	assert_int_equal(store_channel_attempt(fx->st, "email", 1200, false, ""), 0);
	assert_int_equal(store_channel_attempt(fx->st, "sms", 900, true, NULL), 0);
	assert_int_equal(store_channel_attempt(fx->st, "sms", 950, false, "503"), 0);
	store_count_notice_to_log(fx->st);
	assert_int_equal(store_commit(fx->st), 0);

	assert_int_equal(store_channel_disabled(fx->st, "webhook"), 1);
	assert_int_equal(store_channel_disabled(fx->st, "email"), 0);
	/* A disabled channel's reminders are not due, nor the next to wait for. */
	due_ids(fx->st, 5000, NULL, 10, ids, 8);
	assert_int_equal(ids[0], r1);
	assert_int_equal(ids[1], r3);
	assert_int_equal(ids[2], 0);
	assert_int_equal(store_reminder_next(fx->st, &when), 0);
	assert_int_equal(when, 1000);

	assert_int_equal(store_channels_json(fx->st, &o), 0);
	ch = json_object_get(o, "email");
	assert_int_equal(jint(ch, "pending"), 2);
	/* Failing since the first failure; no detail given reads "no detail". */
	assert_int_equal(jint(ch, "failing_since"), 1000);
	assert_string_equal(jstr(ch, "last_error"), "no detail");
	assert_null(json_object_get(ch, "last_success"));
	assert_null(json_object_get(ch, "disabled_at"));
	ch = json_object_get(o, "webhook");
	assert_int_equal(jint(ch, "pending"), 1);
	assert_int_equal(jint(ch, "disabled_at"), 700);
	assert_string_equal(jstr(ch, "disabled_reason"), "410 Gone");
	ch = json_object_get(o, "sms");
	assert_int_equal(jint(ch, "last_success"), 900);
	assert_int_equal(jint(ch, "failing_since"), 950);
	assert_string_equal(jstr(ch, "last_error"), "503");
	assert_null(json_object_get(ch, "pending"));
	json_decref(o);

	/* A success clears the failure; the disabled channel's reminders move to sms. */
	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_channel_attempt(fx->st, "email", 1600, true, NULL), 0);
	assert_int_equal(store_reminders_rechannel(fx->st, "webhook", "sms", &moved), 0);
	assert_int_equal(store_channel_enable(fx->st, "webhook"), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(store_channel_disabled(fx->st, "webhook"), 0);

	assert_int_equal(store_channels_json(fx->st, &o), 0);
	ch = json_object_get(o, "email");
	assert_int_equal(jint(ch, "last_success"), 1600);
	assert_null(json_object_get(ch, "failing_since"));
	assert_null(json_object_get(ch, "last_error"));
	assert_null(json_object_get(o, "webhook"));
	assert_int_equal(jint(json_object_get(o, "sms"), "pending"), 1);
	json_decref(o);
	due_ids(fx->st, 5000, NULL, 10, ids, 8);
	assert_int_equal(ids[0], r2);
	assert_int_equal(ids[1], r1);
	assert_int_equal(ids[2], r3);

	assert_int_equal(store_reminder_counts(fx->st, &o), 0);
	assert_int_equal(jint(o, "notices_to_log"), 1);
	json_decref(o);
}

/* --- audit --------------------------------------------------------------------------- */

static void
test_audit(void **state)
{
	struct fixture *fx = *state;
	static const struct store_audit rows[] = {
		{ 10, "Register", "2026/1", 1000, 1000, 42, "ok" },
		{ 11, "Status", NULL, 0, 0, 1, "ok" },
		{ 12, "RecordEvent", "2026/1", 1001, 100, 43, "InvalidParameter" },
	};
	struct store_counts n;
	json_t *list = NULL, *r;
	int64_t next = -1, first;

	assert_int_equal(store_begin(fx->st), 0);
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++)
		assert_int_equal(store_audit_append(fx->st, &rows[i]), 0);
	assert_int_equal(store_commit(fx->st), 0);
	assert_int_equal(store_counts(fx->st, &n), 0);
	assert_int_equal(n.audit, 3);

	/* Newest first, every member. */
	assert_int_equal(store_audit_list(fx->st, NULL, 10, 0, &list, &next), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(next, 0);
	r = json_array_get(list, 0);
	assert_int_equal(jint(r, "at"), 12);
	assert_string_equal(jstr(r, "method"), "RecordEvent");
	assert_string_equal(jstr(r, "reference"), "2026/1");
	assert_int_equal(jint(r, "uid"), 1001);
	assert_int_equal(jint(r, "gid"), 100);
	assert_int_equal(jint(r, "pid"), 43);
	assert_string_equal(jstr(r, "outcome"), "InvalidParameter");
	r = json_array_get(list, 1);
	assert_string_equal(jstr(r, "method"), "Status");
	assert_true(json_is_null(json_object_get(r, "reference")));
	first = jint(json_array_get(list, 2), "id");
	assert_true(first < jint(json_array_get(list, 0), "id"));
	json_decref(list);

	/* One case's rows, a page at a time. */
	assert_int_equal(store_audit_list(fx->st, "2026/1", 1, 0, &list, &next), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(jstr(json_array_get(list, 0), "method"), "RecordEvent");
	assert_int_equal(next, jint(json_array_get(list, 0), "id"));
	json_decref(list);
	assert_int_equal(store_audit_list(fx->st, "2026/1", 1, next, &list, &next), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(jint(json_array_get(list, 0), "id"), first);
	assert_int_equal(next, 0);
	json_decref(list);
}

#define T(f)	   cmocka_unit_test_setup_teardown(f, setup_open, teardown)
#define T_EMPTY(f) cmocka_unit_test_setup_teardown(f, setup_empty, teardown)

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		T(test_open_new_database),
		T(test_reopen_is_idempotent),
		T(test_newer_database_refused),
		T_EMPTY(test_old_database_migrated),
		T_EMPTY(test_not_a_database_refused),
		T(test_integrity_check),
		T(test_savepoints),
		T(test_constraint_in_savepoint),
		T(test_database_deleted_underneath),
		T(test_case_round_trip),
		T(test_events_round_trip),
		T(test_deadlines_round_trip),
		T(test_deadline_versions),
		T(test_deadlines_list),
		T(test_deadlines_pages),
		T(test_deadlines_for_digest),
		T(test_cases_list),
		T(test_reminders),
		T(test_reminder_ids_not_reused),
		T(test_reminders_list),
		T(test_channels),
		T(test_audit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
