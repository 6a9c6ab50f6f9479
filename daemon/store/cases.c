// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cases: the cases, their applicants' contacts and their events (see store.h).
 */
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

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
store_cases_list(struct store *st, const struct store_case_filter *f, struct store_case **out,
		 size_t *n, int64_t *next_id)
{
	struct query q = { .len = 0 };
	sqlite3_stmt *s = NULL;
	struct store_case *v = xcalloc((size_t)f->limit + 1, sizeof(*v));
	size_t len = 0;
	int rc, ret;

	*next_id = 0;
	query_add(&q, "SELECT " CASE_COLUMNS " FROM cases c WHERE 1");
	if (f->state)
		query_text(&q, " AND c.state = ?", f->state);
	if (f->service)
		query_text(&q, " AND c.service = ?", f->service);
	if (f->handler)
		query_text(&q, " AND c.handler = ?", f->handler);
	if (f->unit)
		query_text(&q, " AND c.unit = ?", f->unit);
	if (f->before_id)
		query_num(&q, " AND c.id < ?", f->before_id);
	query_num(&q, " ORDER BY c.id DESC LIMIT ?", f->limit + 1);
	if ((ret = query_prepare(st, &q, &s)) < 0)
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

	query_num(&q, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id > ?", after_id);
	query_num(&q, " ORDER BY c.id LIMIT ?", limit);
	if ((ret = query_prepare(st, &q, &s)) < 0)
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
store_case_by_id(struct store *st, int64_t id, struct store_case *out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	rc = stmt_prep(st, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id = ?", &s);
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
	rc = stmt_prep(st, "SELECT email, phone FROM contacts WHERE case_id = ?", &s);
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
