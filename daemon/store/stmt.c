// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * stmt: the cache of prepared statements and the query builder of the listings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/rules.h"
#include "core/util.h"
#include "store/store_impl.h"

/* The cache of prepared statements (store_impl.h). */
int
stmt_prep(struct store *st, const char *sql, sqlite3_stmt **out)
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

/* The office's duties as an SQL condition on d.kind, built once (store_impl.h). */
const char *
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

int
query_prepare(struct store *st, struct query *q, sqlite3_stmt **out)
{
	int rc = stmt_prep(st, q->sql, out);

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
