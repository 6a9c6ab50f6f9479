/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * case_impl: what the case register's files share and nothing else sees: the refusals
 * (ops/outcome.c), the check of an event's parameters (ops/validate.c), recording one event
 * (ops/record.c, for ImportEvents in ops/import.c), a case's events loaded as a timeline
 * and handed to the rules engine (ops/timeline.c), and the storing of what the engine
 * computed (ops/recompute.c). Everyone else uses ops.h and recompute.h.
 */
#ifndef FV_CASE_IMPL_H
#define FV_CASE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/cal.h"
#include "core/events.h"
#include "core/rules.h"
#include "ops/ops.h"
#include "store/store.h"

/* The outcome of recording one event: an error with its parameters, or success. */
struct outcome {
	enum ops_error error; /* OPS_OK: success */
	json_t *params;	      /* owned */
};

/* Sets o to the error with params (stolen). */
void outcome_fail(struct outcome *o, enum ops_error error, json_t *params);
/* InvalidParameter naming param, with the message made from fmt. */
void outcome_param(struct outcome *o, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* OutOfOrder for case ref, with the message made from fmt. */
void outcome_order(struct outcome *o, const char *ref, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* StorageFailure with the database's message (and logs it). */
void outcome_storage(struct ops_env *env, struct outcome *o);

/* Whether s is one of choices (NULL-terminated). */
bool choices_has(const char *s, const char *const *choices);

/*
 * Checks the parameters of req (borrowed) against the event schema m and builds the
 * event's data (*data, owned): every parameter but reference, event_id, supersedes and
 * contact, instants normalised to RFC 3339 UTC; *when gets the event's instant (req->now
 * when the method has none). False with the refusal in o.
 */
bool event_validate(struct ops_env *env, struct ops_req *req, const struct event_schema *m,
		    json_t **data, int64_t *when, struct outcome *o);

/*
 * Records the event of req (an event method m; both borrowed) in a savepoint of its own.
 * On success *reply is the Recorded reply (owned); on failure o holds the error and
 * nothing of the event stays. Returns whether it succeeded.
 */
bool record_event(struct ops_env *env, struct ops_req *req, const struct event_schema *m,
		  json_t **reply, struct outcome *o);

/* A case's events loaded for the engine: their data parsed, superseded ones resolved. */
struct timeline {
	struct store_event *ev;
	size_t n;
	json_t **data; /* parsed ev[i].data */
};

/* The deadlines the engine computed for a case (rules_deadlines_free() frees them). */
struct computed {
	struct rules_deadline *d;
	size_t n;
};

/* The civil date of the instant now in the configured zone; false when out of range. */
static inline bool
today_of(int64_t now, struct cal_date *today)
{
	return cal_date_of_instant(now, today) == 0;
}

/* Loads the events of case case_id into *tl (owned, timeline_free()). 0 or a negative errno. */
int timeline_load(struct store *st, int64_t case_id, struct timeline *tl);
/* Frees what tl holds and empties it; safe on an empty timeline. */
void timeline_free(struct timeline *tl);
/* The index of event id in tl, or -1. */
ssize_t timeline_find(const struct timeline *tl, int64_t id);
/* The newest version of event id: follows the chain of corrections. */
int64_t timeline_current(const struct timeline *tl, int64_t id);

/*
 * Computes the deadlines of a case of service from its timeline (borrowed) as of today,
 * into *out (owned). 0, or the engine's negative errno (-ENOENT: no such service, -ERANGE:
 * outside the calendar, -EINVAL: the events do not fit); *out is then empty.
 */
int timeline_compute(const struct rules *rules, const char *service, const struct timeline *tl,
		     struct cal_date today, struct computed *out);
/* The deadlines as a reply shows them, with their explanations (a new JSON array). */
json_t *computed_json(const struct computed *c);
/* What an audit would flag in the case (rules_findings), as a new JSON array. */
json_t *timeline_findings_json(const struct rules *rules, const char *service,
			       const struct timeline *tl);
/* The case row as replies show it (a new JSON object). */
json_t *case_row_json(const struct rules *rules, const struct store_case *c);

/*
 * Stores the deadlines comp (borrowed) of case c as computed, replacing what was stored,
 * and plans the case's reminders from them at now, in the current savepoint. With shown,
 * also returns (owned) the deadlines as a reply shows them, with their explanations (the
 * store keeps none); on failure *shown is NULL. 0 or a negative errno.
 */
int recompute_store(struct ops_env *env, const struct store_case *c, const struct computed *comp,
		    int64_t now, json_t **shown);

#endif
