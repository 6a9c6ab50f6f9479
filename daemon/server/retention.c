// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * retention: the purge on the event loop (see retention.h).
 */
#include "server/retention.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/log.h"
#include "ops/ops.h"
#include "store/store.h"
#include "core/util.h"

/* Cases looked at per slice (a loop turn): a few hundred, a few milliseconds. */
#define RETENTION_SCAN 250
/* Free pages given back per loop turn. */
#define RETENTION_VACUUM_PAGES 2048
/* How often the daily run is looked for, and the log's truncation tried again, besides the
 * kicks. */
#define RETENTION_CHECK_MS 60000
/* A truncation that a reader prevents is tried again this often, so many times, before the
 * purge answers (the loop is free meanwhile); then every RETENTION_CHECK_MS. */
#define RETENTION_TRUNCATE_RETRY_MS 50
#define RETENTION_TRUNCATE_TRIES    20

enum phase {
	PHASE_IDLE,
	PHASE_PURGE,
	PHASE_AUDIT,
	PHASE_VACUUM,
	PHASE_TRUNCATE,
};

struct waiting {
	struct ops_req *req;
	bool dry_run;
	struct waiting *next;
};

struct retention {
	uv_loop_t *loop;
	struct ops_env *env;
	bool (*recomputing)(void *host);
	uv_timer_t check;
	uv_idle_t step;
	int closed; /* handles closed after retention_stop */
	bool stopping;
	enum phase phase;
	struct ops_purge job;
	struct ops_req *req; /* the call the running purge answers; NULL: the daily run */
	struct waiting *queue, **tail;
	int64_t pages_before;
	bool wal_pending;   /* the log still holds what a purge removed: truncated on the timer */
	int truncate_tries; /* this purge's tries */
	bool ran;	    /* the daily run ran on ran_day */
	struct cal_date ran_day; /* memory only: a restart runs the day's purge again */
};

static void start_next(struct retention *r);
static void on_check(uv_timer_t *t);

static void
answer(struct retention *r, int ret)
{
	struct ops_req *req = r->req;

	r->req = NULL;
	if (!req)
		return;
	if (ret < 0)
		ops_reply_storage_failure(r->env, req);
	else
		ops_reply(req, OPS_OK, ops_purge_result(&r->job));
}

/* The purge ended (ret < 0: it failed): answers its caller, and starts the next. */
static void
finish(struct retention *r, int ret)
{
	if (ret < 0) {
		log_err("retention: the purge stopped: %s (%s)", strerror(-ret),
			store_errmsg(r->env->store));
		/* What the slices before the failing one removed stays removed: audited. */
		if (r->phase == PHASE_PURGE && !r->job.dry_run &&
		    ops_purge_audit(r->env, &r->job, r->env->now(r->env->host)) < 0)
			log_err("retention: the audit row failed too");
	}
	answer(r, ret);
	ops_purge_deinit(&r->job);
	r->phase = PHASE_IDLE;
	uv_idle_stop(&r->step);
	if (!r->stopping)
		start_next(r);
}

/*
 * What follows the last slice: the audit row, then the space given back. A dry run and a
 * daily run that removed nothing have neither.
 */
static enum phase
after_purge(const struct retention *r)
{
	const struct ops_purge *p = &r->job;

	if (p->dry_run || !p->configured)
		return PHASE_IDLE;
	if (!r->req && !p->counts.cases && !p->counts.notices)
		return PHASE_IDLE;
	return PHASE_AUDIT;
}

/*
 * Truncates the write-ahead log, which holds what the purge removed, without waiting: false
 * in *complete while a reader holds an older snapshot (then wal_pending, and the timer tries
 * again). 0 or -errno.
 */
static int
truncate_wal(struct retention *r, bool *complete)
{
	struct ops_env *env = r->env;
	int ret = 0;

	*complete = false;
	/* The integrity check reads an older snapshot for seconds: no use trying now. */
	if (!env->integrity || strcmp(env->integrity, "checking") != 0)
		ret = store_wal_truncate(env->store, complete);
	r->wal_pending = !*complete;
	env->wal_purged = r->wal_pending;
	return ret;
}

/* The timer's retry of a truncation that a reader prevented, between purges. */
static void
retry_wal(struct retention *r)
{
	bool complete = false;

	if (!r->wal_pending || r->phase != PHASE_IDLE || r->env->in_txn)
		return;
	if (truncate_wal(r, &complete) < 0)
		log_err("retention: truncating the write-ahead log: %s",
			store_errmsg(r->env->store));
	else if (complete)
		log_notice("retention: the write-ahead log is truncated: nothing purged is left "
			   "in it");
}

/* One turn of the purge's work; the group commit commits what it wrote after the turn. */
static void
on_step(uv_idle_t *h)
{
	struct retention *r = h->data;
	struct ops_env *env = r->env;
	int64_t left = 0;
	bool complete = false;
	int ret = 0;

	/* Another writer's transaction of this turn: the steps below need a fresh one. */
	if (env->in_txn)
		return;
	switch (r->phase) {
	case PHASE_PURGE:
		/* Paused while the deadlines are recomputed (a reload changed the rules). */
		if (r->recomputing(env->host))
			return;
		ret = ops_purge_step(env, &r->job, RETENTION_SCAN);
		if (ret == 0)
			r->phase = after_purge(r);
		if (ret == 0 && r->phase == PHASE_IDLE) {
			finish(r, 0);
			return;
		}
		break;
	case PHASE_AUDIT:
		ret = ops_purge_audit(env, &r->job, env->now(env->host));
		r->phase = PHASE_VACUUM;
		break;
	case PHASE_VACUUM:
		if ((ret = ops_txn_enter(env)) < 0)
			break;
		ret = store_vacuum_step(env->store, RETENTION_VACUUM_PAGES, &left);
		if (ops_txn_leave(env, ret == 0) < 0 && ret == 0)
			ret = -EIO;
		r->job.free_pages = left;
		if (ret == 0 && left == 0)
			r->phase = PHASE_TRUNCATE;
		break;
	case PHASE_TRUNCATE:
		ret = truncate_wal(r, &complete);
		if (ret == 0 && !complete && ++r->truncate_tries < RETENTION_TRUNCATE_TRIES) {
			/* A reader of a moment (a scrape, a listing's thread): soon again. */
			uv_idle_stop(h);
			uv_timer_start(&r->check, on_check, RETENTION_TRUNCATE_RETRY_MS,
				       RETENTION_CHECK_MS);
			return;
		}
		r->job.wal_truncated = complete;
		r->job.pages_freed = r->pages_before - store_page_count(env->store);
		if (ret == 0 && !complete)
			log_notice("retention: the write-ahead log could not be truncated yet (a "
				   "reader holds an older snapshot); tried again every minute");
		finish(r, ret);
		return;
	case PHASE_IDLE:
	default:
		uv_idle_stop(h);
		return;
	}
	if (ret < 0)
		finish(r, ret);
}

/* Starts a purge for req (NULL: the daily run): true, or false when it could not start
 * (its caller was answered). */
static bool
start(struct retention *r, struct ops_req *req, bool dry_run)
{
	int ret;

	r->req = req;
	ret = ops_purge_begin(r->env, &r->job, req, dry_run,
			      req ? req->now : r->env->now(r->env->host));
	if (ret < 0) {
		log_err("retention: the purge could not start: %s", strerror(-ret));
		answer(r, ret);
		ops_purge_deinit(&r->job);
		return false;
	}
	r->pages_before = store_page_count(r->env->store);
	r->truncate_tries = 0;
	r->phase = PHASE_PURGE;
	uv_idle_start(&r->step, on_step);
	return true;
}

/* Whether the day's run is due at now: configured, after RETENTION_MINUTE, not run today. */
static bool
daily_due(struct retention *r, int64_t now, struct cal_date *today)
{
	int64_t at;

	if (!r->env->conf->has_retention || cal_date_of_instant(now, today) < 0 ||
	    cal_local_instant(*today, RETENTION_MINUTE, &at) < 0 || now < at)
		return false;
	return !r->ran || cal_cmp(r->ran_day, *today) != 0;
}

static void
start_next(struct retention *r)
{
	struct waiting *w;
	struct cal_date today;

	if (r->phase != PHASE_IDLE || r->stopping)
		return;
	/* The deadlines are about to change: the kick at the recompute's end starts it. */
	if (r->recomputing(r->env->host))
		return;
	while ((w = r->queue)) {
		bool started;

		r->queue = w->next;
		if (!r->queue)
			r->tail = &r->queue;
		started = start(r, w->req, w->dry_run);
		free(w);
		if (started)
			return;
	}
	if (daily_due(r, r->env->now(r->env->host), &today)) {
		r->ran = true;
		r->ran_day = today;
		start(r, NULL, false);
	}
}

static void
on_check(uv_timer_t *t)
{
	struct retention *r = t->data;

	/* A purge waiting to try its truncation again. */
	if (r->phase == PHASE_TRUNCATE)
		uv_idle_start(&r->step, on_step);
	retry_wal(r);
	start_next(r);
}

struct retention *
retention_new(uv_loop_t *loop, struct ops_env *env, bool (*recomputing)(void *host))
{
	struct retention *r = xcalloc(1, sizeof(*r));

	r->loop = loop;
	r->env = env;
	r->recomputing = recomputing;
	r->tail = &r->queue;
	uv_timer_init(loop, &r->check);
	uv_idle_init(loop, &r->step);
	r->check.data = r->step.data = r;
	uv_timer_start(&r->check, on_check, 0, RETENTION_CHECK_MS);
	return r;
}

void
retention_kick(struct retention *r)
{
	if (r && !r->stopping)
		uv_timer_start(&r->check, on_check, 0, RETENTION_CHECK_MS);
}

void
retention_request(struct retention *r, struct ops_env *env, struct ops_req *req)
{
	json_t *dry = json_object_get(req->params, "dry_run");
	struct waiting *w;

	(void)env;
	w = xcalloc(1, sizeof(*w));
	w->req = req;
	w->dry_run = json_is_true(dry);
	*r->tail = w;
	r->tail = &w->next;
	start_next(r);
}

static void
on_closed(uv_handle_t *h)
{
	struct retention *r = h->data;

	if (++r->closed == 2)
		free(r);
}

void
retention_stop(struct retention *r)
{
	struct waiting *w;

	if (!r)
		return;
	r->stopping = true;
	/*
	 * A purge under way ends after its last slice (each slice commits at once), audited,
	 * and answers with what it removed; the space is given back by the next one.
	 */
	if ((r->phase == PHASE_PURGE || r->phase == PHASE_AUDIT) && !r->job.dry_run &&
	    r->job.configured && ops_purge_audit(r->env, &r->job, r->env->now(r->env->host)) < 0)
		log_err("retention: the purge's audit row failed: %s", store_errmsg(r->env->store));
	if (r->phase != PHASE_IDLE)
		finish(r, 0);
	while ((w = r->queue)) {
		r->queue = w->next;
		ops_reply(w->req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", "the daemon stopped before the purge ran"));
		free(w);
	}
	uv_close((uv_handle_t *)&r->check, on_closed);
	uv_close((uv_handle_t *)&r->step, on_closed);
}
