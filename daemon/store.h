/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: the SQLite database — schema migrations, transactions and the statements the
 * daemon runs. Knows nothing of the event loop.
 *
 * Durability: WAL with synchronous=FULL, so a committed transaction survives power loss;
 * callers acknowledge a change only after store_commit() returned 0 (DESIGN.md invariant 1).
 * Errors are negative errno values; store_errmsg() keeps SQLite's own text for the reply.
 */
#ifndef FV_STORE_H
#define FV_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_counts {
	int64_t cases;
	int64_t events;
	int64_t deadlines;
	int64_t audit;
};

struct store_audit {
	int64_t at;
	const char *method;
	const char *case_ref; /* may be NULL */
	uint32_t uid;
	uint32_t gid;
	int32_t pid;
	const char *outcome; /* "ok" or the error name */
};

/*
 * Opens (creating it, and its directory, owner-only) the database at path (borrowed),
 * checks it (PRAGMA quick_check) and brings its schema up to date. On failure returns a
 * negative errno and writes a message to err (errlen bytes).
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);

/* The schema version of the open database, and the newest this build knows. */
int store_schema_version(const struct store *st);
int store_schema_latest(void);

/* SQLite's message for the last failure on this connection. */
const char *store_errmsg(struct store *st);

/* Write transactions: BEGIN IMMEDIATE ... COMMIT, with savepoints inside. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

int store_counts(struct store *st, struct store_counts *out);
int store_audit_append(struct store *st, const struct store_audit *a);

#endif
