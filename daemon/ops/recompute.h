/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * recompute: the one owner of "recompute a case": its events through the rules engine,
 * the deadlines stored, its reminders planned. Recording an event, the outcome of a
 * delivery and a reload of the rules all call down into it (ops/recompute.c).
 */
#ifndef FV_RECOMPUTE_H
#define FV_RECOMPUTE_H

#include <stdint.h>

struct ops_env;
struct store_case;

/*
 * Recomputes one case's stored deadlines (c borrowed) as of now and plans its reminders, in
 * the current savepoint. A case the rules can no longer compute keeps what was stored for
 * it. 0 or a negative errno.
 */
int ops_recompute_case(struct ops_env *env, const struct store_case *c, int64_t now);

/*
 * Before a reminder of case case_id goes out: recomputes the case as of now and, when its
 * deadlines changed since they were stored (a pause that runs on moves a due date by the
 * day), stores them and plans its reminders anew (in a savepoint of its own; reminders
 * that no longer fit are cancelled). Nothing is written when nothing changed, or when the
 * rules can no longer compute the case. 1 when the deadlines changed, 0 when not, or a
 * negative errno.
 */
int ops_recompute_before_send(struct ops_env *env, int64_t case_id, int64_t now);

/*
 * Recomputes the stored deadlines of up to max cases with id > *cursor (after a reload
 * changed the rules, or at start-up), inside the loop turn's transaction. Advances *cursor;
 * returns 1 while cases remain, 0 when done, or a negative errno.
 */
int ops_recompute_step(struct ops_env *env, int64_t *cursor, int max, int64_t now);

#endif
