// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * purge: retention (see ops.h). Cases closed or withdrawn longer ago than
 * retention.closed_after are removed with everything of theirs, in slices: each slice looks
 * at a bounded number of cases and removes the ones that may go in one savepoint of the
 * loop turn's transaction (group commit), so that a case goes whole or not at all and the
 * loop is never held long; the purge's audit row goes in the same savepoints, so that what
 * is committed is audited. What is deleted is overwritten with zeros (secure_delete). The
 * host drives the slices, one per loop turn, and gives the space back afterwards.
 */
#include "ops/ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cal.h"
#include "core/log.h"
#include "store/store.h"
#include "core/util.h"

/* Digests and notices removed at most per slice. */
#define PURGE_CASELESS_MAX 500

/* d less the period p: months and years end on the same day number, or the last day of a
 * shorter month, as periods are counted forward (core/cal.c). */
static struct cal_date
period_before(struct cal_date d, struct cal_period p)
{
	int months;

	switch (p.unit) {
	case CAL_UNIT_DAYS:
		return cal_add_days(d, -p.n);
	case CAL_UNIT_WEEKS:
		return cal_add_days(d, -7 * p.n);
	case CAL_UNIT_MONTHS:
	case CAL_UNIT_YEARS:
	default:
		months = d.year * 12 + (d.month - 1) - (p.unit == CAL_UNIT_YEARS ? 12 * p.n : p.n);
		d.year = months / 12;
		d.month = months % 12 + 1;
		if (d.day > cal_days_in_month(d.year, d.month))
			d.day = cal_days_in_month(d.year, d.month);
		return d;
	}
}

int
ops_purge_begin(struct ops_env *env, struct ops_purge *p, const struct ops_req *req, bool dry_run,
		int64_t now)
{
	struct cal_date today, next;

	memset(p, 0, sizeof(*p));
	p->dry_run = dry_run;
	p->req = req;
	p->cases = json_array();
	p->configured = env->conf->has_retention;
	if (!p->configured) {
		p->done = true;
		return 0;
	}
	p->period = env->conf->retention_closed_after;
	if (cal_date_of_instant(now, &today) < 0)
		return -ERANGE;
	cal_date_format(today, p->today);
	/* Cases whose latest event was on the cut-off day or before it go. */
	p->cutoff = period_before(today, p->period);
	next = cal_add_days(p->cutoff, 1);
	if (cal_local_instant(next, 0, &p->before) < 0)
		return -ERANGE;
	return 0;
}

/* Lists case pc (borrowed) in a dry run's reply, up to OPS_PURGE_LIST_MAX of them. */
static void
list_case(struct ops_purge *p, const struct store_purge_case *pc)
{
	struct cal_date day;
	char buf[CAL_DATE_LEN];

	if (json_array_size(p->cases) >= OPS_PURGE_LIST_MAX) {
		p->more_cases++;
		return;
	}
	if (cal_date_of_instant(pc->closed, &day) < 0)
		day = (struct cal_date){ 1970, 1, 1 };
	json_array_append_new(p->cases, json_pack("{ss ss ss}", "reference", pc->ref, "state",
						  pc->state, "closed", cal_date_format(day, buf)));
}

/* "cases=3 events=12 ...": the figures of c, for the audit row and the log. */
static void
counts_text(const struct store_purge_counts *c, char *buf, size_t len)
{
	snprintf(buf, len,
		 "cases=%lld events=%lld deadlines=%lld reminders=%lld attempts=%lld "
		 "contacts=%lld audit_references=%lld notices=%lld",
		 (long long)c->cases, (long long)c->events, (long long)c->deadlines,
		 (long long)c->reminders, (long long)c->attempts, (long long)c->contacts,
		 (long long)c->audit_refs, (long long)c->notices);
}

/*
 * The purge's audit row with its figures so far, in the transaction of what they count:
 * appended by the first slice that removes anything (or at the end, for a request that
 * removed nothing), then its outcome updated.
 */
static int
audit_row(struct ops_env *env, struct ops_purge *p, int64_t now)
{
	char figures[320], outcome[340];
	struct store_audit a;

	counts_text(&p->counts, figures, sizeof(figures));
	/* A purge that stopped on an error says so, with what went before it. */
	snprintf(outcome, sizeof(outcome), "%s %s", p->failed ? "failed" : "ok", figures);
	if (p->audit_id)
		return store_audit_set_outcome(env->store, p->audit_id, outcome);
	if (p->req) {
		a = ops_audit_of(p->req);
	} else {
		a = (struct store_audit){ .at = now,
					  .method = "retention",
					  .uid = (uint32_t)getuid(),
					  .gid = (uint32_t)getgid(),
					  .pid = (int32_t)getpid() };
	}
	a.outcome = outcome;
	return store_audit_append_id(env->store, &a, &p->audit_id);
}

/* Removes (or counts) the cases v[0..n) and old digests and notices in one savepoint. */
static int
purge_slice(struct ops_env *env, struct ops_purge *p, const struct store_purge_case *v, size_t n)
{
	int64_t audit_id = p->audit_id;
	bool removed = false;
	int ret;

	if (p->dry_run) {
		for (size_t i = 0; i < n; i++) {
			if ((ret = store_purge_case(env->store, &v[i], true, &p->counts)) < 0)
				return ret;
			list_case(p, &v[i]);
		}
		return 0;
	}
	/* Nothing to remove in this slice: no transaction (and no commit) at all. */
	if (n == 0 && p->caseless_done)
		return 0;
	if ((ret = ops_txn_enter(env)) < 0)
		return ret;
	ret = store_secure_delete(env->store, true);
	for (size_t i = 0; i < n && ret >= 0; i++)
		ret = store_purge_case(env->store, &v[i], false, &p->counts);
	if (ret >= 0 && !p->caseless_done) {
		int64_t had = p->counts.notices;

		ret = store_purge_caseless(env->store, p->before, PURGE_CASELESS_MAX, false,
					   &p->counts);
		p->caseless_done = p->counts.notices - had < PURGE_CASELESS_MAX;
		removed |= p->counts.notices != had;
	}
	/* Audited in the same transaction: committed together, or rolled back together. */
	if (ret >= 0 && (n > 0 || removed))
		ret = audit_row(env, p, env->now(env->host));
	store_secure_delete(env->store, false);
	if (ops_txn_leave(env, ret >= 0) < 0 && ret >= 0)
		ret = -EIO;
	/*
	 * Committed now, not with the loop turn (the host runs a slice only outside another
	 * writer's transaction, so it is the only write in it): its figures and audit row count
	 * only once the commit went through; a failed commit rolled the slice back whole, and
	 * its cases are still there for the next run.
	 */
	if (ret >= 0) {
		uint64_t failures = env->commit_failures;

		ops_commit(env);
		if (env->commit_failures != failures)
			ret = -EIO;
	}
	if (ret < 0)
		p->audit_id = audit_id; /* a row appended by this slice is gone with it */
	return ret;
}

int
ops_purge_step(struct ops_env *env, struct ops_purge *p, int scan)
{
	struct store_purge_counts before;
	struct store_purge_case *v = NULL;
	size_t n = 0;
	bool more = false;
	int ret;

	if (p->done)
		return 0;
	before = p->counts;
	ret = store_purge_candidates(env->store, &p->cursor, scan, p->before, p->today, &v, &n,
				     &more);
	if (ret == 0)
		ret = purge_slice(env, p, v, n);
	store_purge_cases_free(v, n);
	if (ret < 0) {
		/* The slice was rolled back whole: not one of its cases is half gone. */
		p->counts = before;
		p->failed = true;
		return ret;
	}
	if (!more) {
		/* The digests and notices are counted once for a dry run, at the end. */
		if (p->dry_run)
			ret = store_purge_caseless(env->store, p->before, INT32_MAX, true,
						   &p->counts);
		p->done = true;
	}
	return ret < 0 ? ret : more;
}

int
ops_purge_audit(struct ops_env *env, struct ops_purge *p, int64_t now)
{
	char figures[320];
	int ret;

	counts_text(&p->counts, figures, sizeof(figures));
	/* Never a reference: only how many of each. */
	if (p->counts.cases || p->counts.notices)
		log_notice("retention: purged %s", figures);
	/* What went is audited already, slice by slice; a request is audited whatever came of
	 * it, the daily run only when it removed anything; a purge that failed after a slice
	 * went has its row say so. */
	if (p->dry_run || !p->configured || (p->audit_id && !p->failed) ||
	    (!p->audit_id && !p->req))
		return 0;
	if ((ret = ops_txn_enter(env)) < 0)
		return ret;
	ret = audit_row(env, p, now);
	if (ops_txn_leave(env, ret == 0) < 0 && ret == 0)
		ret = -EIO;
	return ret;
}

json_t *
ops_purge_result(const struct ops_purge *p)
{
	char period[CAL_PERIOD_LEN], day[CAL_DATE_LEN];
	const struct store_purge_counts *c = &p->counts;

	return json_pack(
		"{sb so so sO sI s{sI sI sI sI sI sI sI sI} sI sI sb}", "dry_run", p->dry_run,
		"closed_after",
		p->configured ? json_string(cal_period_format(p->period, period)) : json_null(),
		"cutoff",
		p->configured ? json_string(cal_date_format(p->cutoff, day)) : json_null(), "cases",
		p->cases, "more_cases", (json_int_t)p->more_cases, "counts", "cases",
		(json_int_t)c->cases, "events", (json_int_t)c->events, "deadlines",
		(json_int_t)c->deadlines, "reminders", (json_int_t)c->reminders, "attempts",
		(json_int_t)c->attempts, "contacts", (json_int_t)c->contacts, "audit_references",
		(json_int_t)c->audit_refs, "notices", (json_int_t)c->notices, "file_pages_freed",
		(json_int_t)p->pages_freed, "free_pages", (json_int_t)p->free_pages,
		"wal_truncated", p->wal_truncated);
}

void
ops_purge_deinit(struct ops_purge *p)
{
	json_decref(p->cases);
	p->cases = NULL;
}
