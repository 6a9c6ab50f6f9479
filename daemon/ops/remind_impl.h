/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * remind_impl: what the files of the reminder engine share and nobody else sees — planning
 * (ops/plan.c), rendering (ops/message.c), outcomes and retries (ops/retry.c), digests
 * (ops/digest.c) and the reminder methods (ops/remind.c). Everyone else sees the engine
 * only through ops.h.
 */
#ifndef FV_REMIND_IMPL_H
#define FV_REMIND_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

struct store_case;

/*
 * The names of the recipient bits of a reminder, bit i naming remind_recipient_roles[i]:
 * CONF_RCPT_HANDLER, CONF_RCPT_UNIT, CONF_RCPT_SUPERVISOR, CONF_RCPT_APPLICANT. Static text.
 */
extern const char *const remind_recipient_roles[4];

/*
 * The policy stage called stage (borrowed) that a reminder of deadline kind kind_s in case c
 * belongs to under the reminder policy r, or NULL when the kind is unknown or the policy
 * has no such stage (any more). Points into r.
 */
const struct conf_stage *remind_find_stage(const struct conf_reminders *r, const char *kind_s,
					   const struct store_case *c, const char *stage);

/*
 * After the first attempt (first true: whatever came of it) or the skip of reminder rem of
 * a case, or once it is sent or dead: plans the next reminder of each series of the case
 * from its stored deadlines, inside the current savepoint. After a first attempt or skip,
 * rem's own series considers every stage whose time came since rem was planned. 0 or a
 * negative errno.
 */
struct ops_env;
struct store_reminder;
int remind_plan_next(struct ops_env *env, const struct store_reminder *rem, bool first,
		     int64_t now);

/*
 * Whether the staff's series of awaited deadline d (borrowed) of case c misses the reminder
 * the planner would plan at now, given the case's open reminders (n_open): 1 with what
 * (len bytes) naming the stage and occurrence, 0 when nothing is missing, or a negative
 * errno. Reads only (ops/plan.c; the check of ops/maint.c).
 */
struct rules_deadline;
int remind_series_missing(struct ops_env *env, const struct store_case *c,
			  const struct rules_deadline *d, const struct store_reminder *open,
			  size_t n_open, int64_t now, char *what, size_t len);

#endif
