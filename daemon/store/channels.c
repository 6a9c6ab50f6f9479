// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * channels: what the database knows of each delivery channel: disabled ones, their health,
 * their reminders by state, and moving reminders from one channel to another (see store.h).
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/util.h"
#include "store/store_impl.h"

static int
exec_text(struct store *st, const char *sql, const char *a, int64_t num, const char *b)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st, sql, &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, num);
	if (sqlite3_bind_parameter_count(s) >= 3)
		bind_text(s, 3, b);
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : map_rc(rc);
}

int
store_channel_disable(struct store *st, const char *channel, int64_t at, const char *reason)
{
	return exec_text(st,
			 "INSERT OR REPLACE INTO disabled_channels (channel, at, reason) "
			 "VALUES (?, ?, ?)",
			 channel, at, reason);
}

int
store_channel_enable(struct store *st, const char *channel)
{
	return exec_text(st, "DELETE FROM disabled_channels WHERE channel = ?", channel, 0, NULL);
}

int
store_channel_attempt(struct store *st, const char *channel, int64_t at, bool ok, const char *error)
{
	sqlite3_stmt *s = NULL;
	int rc =
		stmt_prep(st,
			  ok ? "INSERT INTO channel_health (channel, last_success) VALUES (?1, ?2) "
			       "ON CONFLICT (channel) DO UPDATE SET last_success = ?2, "
			       "failing_since = NULL, last_error = NULL"
			     : "INSERT INTO channel_health (channel, failing_since, last_error) "
			       "VALUES (?1, ?2, ?3) ON CONFLICT (channel) DO UPDATE SET "
			       "failing_since = coalesce(failing_since, ?2), last_error = ?3",
			  &s);

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, channel);
	sqlite3_bind_int64(s, 2, at);
	if (!ok)
		bind_text(s, 3, error && *error ? error : "no detail");
	rc = sqlite3_step(s);
	done(s);
	return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

/* Sets member key of the object of channel name in o (created as needed) to v (stolen). */
static void
channel_add(json_t *o, const char *name, const char *key, json_t *v)
{
	json_t *ch = json_object_get(o, name);

	if (!ch) {
		ch = json_object();
		json_object_set_new(o, name, ch);
	}
	json_object_set_new(ch, key, v);
}

/* A row of the counts of a channel's reminders: channel, state, n. */
static void
channel_counts_row(json_t *o, const char *name, sqlite3_stmt *s)
{
	channel_add(o, name, (const char *)sqlite3_column_text(s, 1),
		    json_integer(sqlite3_column_int64(s, 2)));
}

/* A row of disabled_channels: channel, at, reason. */
static void
channel_disabled_row(json_t *o, const char *name, sqlite3_stmt *s)
{
	channel_add(o, name, "disabled_at", json_integer(sqlite3_column_int64(s, 1)));
	channel_add(o, name, "disabled_reason",
		    json_string((const char *)sqlite3_column_text(s, 2)));
}

/* A row of channel_health: channel, last_success, failing_since, last_error (each may be
 * NULL, and then is left out). */
static void
channel_health_row(json_t *o, const char *name, sqlite3_stmt *s)
{
	for (int c = 1; c <= 2; c++) {
		if (sqlite3_column_type(s, c) != SQLITE_NULL)
			channel_add(o, name, c == 1 ? "last_success" : "failing_since",
				    json_integer(sqlite3_column_int64(s, c)));
	}
	if (sqlite3_column_type(s, 3) != SQLITE_NULL)
		channel_add(o, name, "last_error",
			    json_string((const char *)sqlite3_column_text(s, 3)));
}

/* What store_channels_json reads: a query whose first column is the channel's name, and
 * what a row of it adds to the channel's object. */
static const struct {
	const char *sql;
	void (*row)(json_t *o, const char *name, sqlite3_stmt *s);
} channel_queries[] = {
	/* The counts of each channel's reminders by state ("channel.NAME.STATE", kept
	 * as reminders are planned and by triggers): no reminder is read. */
	{ "SELECT substr(name, 9, instr(substr(name, 9), '.') - 1), "
	  "substr(name, 9 + instr(substr(name, 9), '.')), n FROM counts WHERE name > "
	  "'channel.' AND name < 'channel/' AND n > 0",
	  channel_counts_row },
	{ "SELECT channel, at, reason FROM disabled_channels", channel_disabled_row },
	{ "SELECT channel, last_success, failing_since, last_error FROM channel_health",
	  channel_health_row },
};

int
store_channels_json(struct store *st, json_t **out)
{
	json_t *o = json_object();
	int rc = SQLITE_OK;

	for (size_t q = 0; q < FV_ARRAY_SIZE(channel_queries) && rc == SQLITE_OK; q++) {
		sqlite3_stmt *s = NULL;

		if ((rc = stmt_prep(st, channel_queries[q].sql, &s)) != SQLITE_OK)
			break;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);

			if (name)
				channel_queries[q].row(o, name, s);
		}
		done(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		json_decref(o);
		return map_rc(rc);
	}
	*out = o;
	return 0;
}

int
store_reminders_rechannel(struct store *st, const char *from, const char *to, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st,
			   "UPDATE reminders SET channel = ?2 WHERE channel = ?1 AND state IN "
			   "('pending', 'failed') AND kind <> 'admin'",
			   &s);

	*n = 0;
	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, from);
	bind_text(s, 2, to);
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_DONE)
		return map_rc(rc);
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_channel_disabled(struct store *st, const char *channel)
{
	sqlite3_stmt *s = NULL;
	int rc = stmt_prep(st, "SELECT 1 FROM disabled_channels WHERE channel = ?", &s);
	int ret;

	if (rc != SQLITE_OK)
		return map_rc(rc);
	bind_text(s, 1, channel);
	rc = sqlite3_step(s);
	ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : map_rc(rc);
	done(s);
	return ret;
}
