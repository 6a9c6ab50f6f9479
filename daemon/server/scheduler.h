/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scheduler: sends reminders when they fall due. One uv_timer is armed at the earliest due
 * reminder of the outbox, capped at a minute so that a wall-clock jump (or a suspend, during
 * which libuv's monotonic clock stops) is noticed within a minute; every time it fires it
 * reads the clock once, claims what is due (including what fell due while the daemon was
 * down: catch-up), hands each to delivery, and records the outcome through ops/retry.c.
 *
 * A reminder is in memory "in flight" from the hand-over until its outcome is recorded; in
 * the database it stays pending, so a crash in between sends it again after the restart
 * with the same id (at least once, never silently lost).
 */
#ifndef FV_SCHEDULER_H
#define FV_SCHEDULER_H

#include <uv.h>

struct ops_env;
struct notify;
struct scheduler;

/* Starts the scheduler (env and notify borrowed for its life); it runs at once (catch-up). */
int scheduler_new(uv_loop_t *loop, struct ops_env *env, struct notify *notify,
		  struct scheduler **out);
/* Looks at the outbox again soon: after new reminders were committed, or the clock moved. */
void scheduler_kick(struct scheduler *s);
/* Reminders handed to notify whose outcome is not recorded yet. */
unsigned scheduler_in_flight(const struct scheduler *s);
/* Stops sending; outcomes that still arrive are recorded. Frees s once its timer closed and
 * nothing is in flight (the caller stops notify, which reports every job). */
void scheduler_stop(struct scheduler *s);

#endif
