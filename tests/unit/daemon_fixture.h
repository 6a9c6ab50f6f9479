/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daemon_fixture: a daemon without a socket, for the unit tests of the operations: a
 * database in a fresh temporary directory, the ops env around it with a test clock the
 * test sets, and calls made as an administrator through the server's method table, as a
 * case system makes them. Shared by test_ops and test_recompute; include after cmocka.h.
 */
#ifndef FV_TEST_DAEMON_FIXTURE_H
#define FV_TEST_DAEMON_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf/conf.h"
#include "core/cal.h"
#include "core/iface.h"
#include "ops/ops.h"
#include "server/dispatch.h"
#include "store/store.h"

struct daemon_fixture {
	char dir[64];
	char db[96];
	struct store *st;
	struct ops_env env;
	int64_t now; /* the daemon's clock */
};

static int64_t
daemon_fixture_now(void *host)
{
	return ((struct daemon_fixture *)host)->now;
}

static int64_t
daemon_fixture_offset(void *host)
{
	(void)host;
	return 0;
}

static void
daemon_fixture_nothing(void *host)
{
	(void)host;
}

/* The instant of RFC 3339 text s (a test's own: it must parse). */
static int64_t
instant(const char *s)
{
	int64_t t;

	assert_int_equal(cal_instant_parse(s, &t), 0);
	return t;
}

/* JSON text written with ' for " (the tables read better so). */
static json_t *
json_of(const char *text)
{
	char *t = strdup(text);
	json_error_t jerr;
	json_t *v;

	assert_non_null(t);
	for (char *p = t; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(t, 0, &jerr);
	if (!v)
		fail_msg("test JSON %s: %s", text, jerr.text);
	free(t);
	return v;
}

/*
 * Opens a new database in a fresh directory named after test ("/tmp/fv-test-NAME-XXXXXX")
 * and sets up the env with conf (borrowed), the clock at 2026-03-02T10:00:00Z.
 */
static void
daemon_fixture_open(struct daemon_fixture *fx, const char *test, const struct conf *conf)
{
	char msg[256];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fv-test-%s-XXXXXX", test);
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof(fx->db), "%s/fristvakt.db", fx->dir);
	if (store_open(fx->db, &fx->st, msg, sizeof(msg)) < 0)
		fail_msg("%s: %s", fx->db, msg);
	fx->env = (struct ops_env){
		.store = fx->st,
		.conf = conf,
		.host = fx,
		.now = daemon_fixture_now,
		.schedule_commit = daemon_fixture_nothing,
		.clock_offset = daemon_fixture_offset,
	};
	fx->now = instant("2026-03-02T10:00:00Z");
}

/* Closes the database and removes it with its directory. */
static void
daemon_fixture_close(struct daemon_fixture *fx)
{
	char path[128];

	ops_env_deinit(&fx->env);
	store_close(fx->st);
	for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", NULL }; *sfx;
	     sfx++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, *sfx);
		unlink(path);
	}
	rmdir(fx->dir);
}

/*
 * Fills req for a call of method (its short name in no.fristvakt) as an administrator at
 * the fixture's time, the reply to go to reply with data; the caller sets req->params and
 * calls dispatch_call().
 */
static void
daemon_fixture_request(struct daemon_fixture *fx, struct ops_req *req, const char *method,
		       ops_reply_cb reply, void *data)
{
	char name[128];

	*req = (struct ops_req){
		.peer = { .uid = (uint32_t)getuid(),
			  .gid = (uint32_t)getgid(),
			  .pid = 1,
			  .role = ROLE_ADMIN },
		.now = fx->now,
		.reply = reply,
		.data = data,
	};
	snprintf(name, sizeof(name), IFACE_FRISTVAKT ".%s", method);
	req->method = dispatch_method_find(name, false);
	if (!req->method)
		fail_msg("no method %s in the table", name);
}

#endif
