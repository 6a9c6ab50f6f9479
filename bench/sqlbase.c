// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * sqlbase: the raw SQLite baseline of bench/run (built with cc -lsqlite3 by bench/run, not by
 * CMake; skipped when the SQLite headers are missing).
 *
 * What a user who keeps reminders in SQLite by hand would have: one table,
 *   reminders(id INTEGER PRIMARY KEY, due_ms INTEGER NOT NULL, payload BLOB NOT NULL)
 * with an index on due_ms, 200 B payloads, due times scattered over 30 days, WAL journal.
 *
 *   sqlbase fill  DB N   a fresh database of N rows, 10,000 rows per transaction
 *                        (synchronous=OFF: only the result counts), checkpointed into DB
 *        -> "RESULT rows=.. elapsed_s=.. rows_per_s=.."
 *   sqlbase query DB Q   Q times "the next 100 due at or after T" (ids, due times and
 *                        payloads read out), T drawn at random over the span; the first query
 *                        asks for the head of the queue
 *        -> "RESULT queries=.. rows_avg=.. first_query_us=.. lat_us_p50=.. p99=.. max=.."
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

#define DUE_BASE_MS 1760000000000LL
#define DUE_SPAN_MS (30LL * 86400 * 1000)
#define PAYLOAD	    200
#define FILL_TXN    10000

static sqlite3 *db;

/* splitmix64: a fixed sequence, so every run fills and queries alike. */
static uint64_t
next_rand(void)
{
	static uint64_t state = 0x5eed0f5a11ba5eULL;
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
fail(const char *what)
{
	fprintf(stderr, "sqlbase: %s: %s\n", what, db ? sqlite3_errmsg(db) : "no database");
	exit(1);
}

static void
exec_sql(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail(sql);
}

static sqlite3_stmt *
prepare(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(sql);
	return st;
}

static void
open_db(const char *path)
{
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail(path);
	exec_sql("PRAGMA journal_mode=WAL");
	exec_sql("CREATE TABLE IF NOT EXISTS reminders(id INTEGER PRIMARY KEY, "
		 "due_ms INTEGER NOT NULL, payload BLOB NOT NULL)");
	exec_sql("CREATE INDEX IF NOT EXISTS reminders_due ON reminders(due_ms)");
}

static int
cmd_fill(const char *path, long n)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char payload[PAYLOAD], name[4096];
	sqlite3_stmt *ins;
	double t0 = now_mono(), el;

	for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
		snprintf(name, sizeof(name), "%s%s", path, suffix[k]);
		unlink(name);
	}
	memset(payload, 'p', sizeof(payload));
	open_db(path);
	exec_sql("PRAGMA synchronous=OFF");
	ins = prepare("INSERT INTO reminders(due_ms, payload) VALUES(?, ?)");
	for (long i = 0; i < n; i++) {
		if (i % FILL_TXN == 0)
			exec_sql("BEGIN");
		sqlite3_bind_int64(ins, 1,
				   DUE_BASE_MS + (sqlite3_int64)(next_rand() % DUE_SPAN_MS));
		sqlite3_bind_blob(ins, 2, payload, sizeof(payload), SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			fail("INSERT");
		sqlite3_reset(ins);
		if (i % FILL_TXN == FILL_TXN - 1 || i == n - 1)
			exec_sql("COMMIT");
	}
	sqlite3_finalize(ins);
	exec_sql("PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	el = now_mono() - t0;
	printf("RESULT rows=%ld elapsed_s=%.3f rows_per_s=%.0f\n", n, el, (double)n / el);
	return 0;
}

static int
cmd_query(const char *path, long q)
{
	double *lat = malloc(sizeof(double) * (size_t)(q > 0 ? q : 1));
	sqlite3_stmt *sel;
	long rows = 0;

	if (!lat || q < 1)
		return 2;
	open_db(path);
	sel = prepare("SELECT id, due_ms, payload FROM reminders WHERE due_ms >= ? "
		      "ORDER BY due_ms LIMIT 100");
	for (long k = 0; k < q; k++) {
		/* the head first, then anywhere but the last 1% (always 100 rows to read) */
		sqlite3_int64 from =
			k == 0 ? 0
			       : DUE_BASE_MS +
					 (sqlite3_int64)(next_rand() % (DUE_SPAN_MS / 100 * 99));
		sqlite3_int64 check = 0;
		double t = now_mono();
		int rc;

		sqlite3_bind_int64(sel, 1, from);
		while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
			check += sqlite3_column_int64(sel, 0) + sqlite3_column_int64(sel, 1);
			check += sqlite3_column_bytes(sel, 2) +
				 (sqlite3_column_blob(sel, 2) != NULL);
			rows++;
		}
		if (rc != SQLITE_DONE)
			fail("SELECT");
		sqlite3_reset(sel);
		lat[k] = (now_mono() - t) * 1e6;
		(void)check;
	}
	double first = lat[0];
	qsort(lat, (size_t)q, sizeof(double), cmpd);
	printf("RESULT queries=%ld rows_avg=%.1f first_query_us=%.1f lat_us_p50=%.1f p99=%.1f "
	       "max=%.1f\n",
	       q, (double)rows / (double)q, first, pct(lat, q, .5), pct(lat, q, .99), lat[q - 1]);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "query"))
		return cmd_query(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: sqlbase fill DB N | sqlbase query DB Q (see sqlbase.c)\n");
	return 2;
}
