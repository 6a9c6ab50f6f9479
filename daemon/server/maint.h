/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * maint: the daemon's maintenance methods, Backup and Check, run off the event loop: each on
 * a libuv worker thread with a connection of its own to the database (store/maint.c), so the
 * daemon keeps serving and the watchdog keeps being fed however large the database. The
 * reply, after the audit row's commit, comes when the work is done: for a backup, when the
 * copy is durable under its name.
 */
#ifndef FV_MAINT_H
#define FV_MAINT_H

#include <stdbool.h>

#include <uv.h>

#include "ops/ops.h"

struct maint;

/*
 * A new maintenance runner on loop for the daemon whose operations' environment is env
 * (borrowed; env->host is passed to recomputing, which says whether the deadlines are being
 * recomputed after a change of the rules: the outbox's invariant is not checked then).
 */
struct maint *maint_new(uv_loop_t *loop, struct ops_env *env, bool (*recomputing)(void *host));

/*
 * The daemon is stopping: a backup or check running gives up soon (its reply says so), none
 * starts. The work is a loop request: the loop ends only after it.
 */
void maint_stop(struct maint *m);
/* After the loop ended. */
void maint_free(struct maint *m);

/*
 * The configuration conf (owned) is being replaced by a reload: true when a check running
 * still reads it and takes it over (frees it when done), false when the caller frees it.
 */
bool maint_conf_retired(struct maint *m, struct conf *conf);

/* The methods (server/dispatch.c's table): no.fristvakt.Backup and no.fristvakt.Check. */
void maint_backup(struct ops_env *env, struct ops_req *req);
void maint_check(struct ops_env *env, struct ops_req *req);

/* The daemon's maintenance runner (server/daemon.c), for the methods above. */
struct maint *daemon_maint(void *host);

#endif
