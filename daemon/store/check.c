// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * check: the integrity check (PRAGMA quick_check) on a read-only connection of its own, so
 * that it can run on a worker thread while the daemon serves (see store.h).
 */
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

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
