/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * retention: the purge of closed cases (retention.closed_after) on the event loop. Once a
 * day, on the daemon's clock (the test clock when enabled), after RETENTION_MINUTE local
 * time, and when an administrator calls Purge (`fristvakt purge`), the same purge runs in
 * slices of ops_purge_step, one per loop turn, each committed by the group commit; then
 * the freed pages go back to the file system (incremental vacuum, in steps) and the
 * write-ahead log is truncated, so that nothing of a purged case stays in either file.
 * One purge runs at a time; calls that come meanwhile wait their turn. While every case's
 * deadlines are being recomputed (rules changed) no purge starts and one under way pauses:
 * it would judge by the deadlines about to be replaced.
 */
#ifndef FV_RETENTION_H
#define FV_RETENTION_H

#include <stdbool.h>

#include <uv.h>

struct ops_env;
struct ops_req;
struct retention;

/* Local time of the daily run, in minutes after midnight (03:00). */
#define RETENTION_MINUTE 180

/* Starts the daily check (env borrowed for the life of the object; env->host is passed to
 * recomputing, which says whether the deadlines are being recomputed). */
struct retention *retention_new(uv_loop_t *loop, struct ops_env *env,
				bool (*recomputing)(void *host));
/* Looks at once whether the day's run is due: the clock moved, the configuration, or a
 * recompute ended. */
void retention_kick(struct retention *r);
/* The method Purge (role admin): a dry run or a purge now, answered when it is done. */
void retention_request(struct retention *r, struct ops_env *env, struct ops_req *req);
/* Stops: a purge under way ends after its last committed slice (its caller is answered
 * with what was done); calls still waiting are answered StorageFailure. Frees r later. */
void retention_stop(struct retention *r);

#endif
