// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * txn: group commit, and the replies of a request (see ops.h).
 *
 * Acknowledged means durable: the first write of a loop turn opens a transaction and asks
 * the host to call ops_commit() after the turn's I/O callbacks; every write runs in a
 * savepoint of its own, so a failing request is rolled back alone, while the successful
 * ones are answered only after the one COMMIT returned. Every call shares the one database
 * connection, so a read (or a refusal) made after another request's savepoint was kept has
 * seen changes that are not committed yet: its reply waits for the commit too.
 */
#include "ops/ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/store.h"
#include "core/util.h"

struct ops_pending {
	struct ops_req *req;
	enum ops_error error;
	json_t *params;
	bool held; /* not a write of its own: held back because it saw uncommitted changes */
};

void
ops_reply_storage_failure(struct ops_env *env, struct ops_req *req)
{
	log_err("database: %s", store_errmsg(env->store));
	ops_reply(req, OPS_ERR_STORAGE_FAILURE,
		  json_pack("{ss}", "message", store_errmsg(env->store)));
}

json_t *
ops_instant_json(int64_t t)
{
	char buf[CAL_INSTANT_LEN];

	return json_string(cal_instant_format(t, buf));
}

int
ops_txn_enter(struct ops_env *env)
{
	int ret;

	if (!env->in_txn) {
		if ((ret = store_begin(env->store)) < 0)
			return ret;
		env->in_txn = true;
		env->schedule_commit(env->host);
	}
	ret = store_savepoint(env->store);
	if (ret < 0)
		log_err("database: savepoint: %s", store_errmsg(env->store));
	return ret;
}

int
ops_txn_leave(struct ops_env *env, bool ok)
{
	int ret;

	if (!ok) {
		store_rollback_to(env->store);
		return 0;
	}
	ret = store_release(env->store);
	if (ret < 0) {
		/* Nothing of the request stays: not its rows, not the counts it changed. */
		store_rollback_to(env->store);
		return ret;
	}
	env->txn_dirty = true;
	env->txn_writes++;
	return 0;
}

static void
pending_push(struct ops_env *env, struct ops_req *req, enum ops_error error, json_t *params,
	     bool held)
{
	FV_ASSERT(env->in_txn);
	if (env->n_pending == env->cap_pending) {
		env->cap_pending = env->cap_pending ? env->cap_pending * 2 : 16;
		env->pending = xrealloc(env->pending, env->cap_pending * sizeof(*env->pending));
	}
	env->pending[env->n_pending++] =
		(struct ops_pending){ .req = req, .error = error, .params = params, .held = held };
}

void
ops_reply_after_commit(struct ops_env *env, struct ops_req *req, json_t *params)
{
	pending_push(env, req, OPS_OK, params, false);
}

void
ops_reply_error_after_commit(struct ops_env *env, struct ops_req *req, enum ops_error error,
			     json_t *params)
{
	pending_push(env, req, error, params, false);
}

/* Hands the outcome to the caller, the error by the name its host gave it. */
static void
deliver(struct ops_req *req, enum ops_error error, json_t *params)
{
	const char *name = error == OPS_OK ? NULL : req->error_name(error);

	/* An error without a name would go out as a success. */
	FV_ASSERT(error == OPS_OK || name);
	req->reply(req, name, params);
}

/*
 * A reply made while the transaction holds uncommitted changes may carry them (a case
 * registered a moment ago, a refusal because of it), so it waits in the pending list;
 * otherwise it goes out at once.
 */
void
ops_reply(struct ops_req *req, enum ops_error error, json_t *params)
{
	struct ops_env *env = req->env;

	if (env->in_txn && env->txn_dirty)
		pending_push(env, req, error, params, true);
	else
		deliver(req, error, params);
}

void
ops_commit(struct ops_env *env)
{
	struct ops_pending *list = env->pending;
	size_t n = env->n_pending;
	int ret;

	if (!env->in_txn)
		return;
	env->in_txn = false;
	env->txn_dirty = false;
	if (env->txn_writes)
		metrics_observe_commit(env->txn_writes);
	env->txn_writes = 0;
	ret = store_commit(env->store);
	if (ret < 0)
		env->commit_failures++;
	if (ret < 0)
		log_err("database: commit of %zu requests failed: %s", n, store_errmsg(env->store));
	/*
	 * A reply may run the connection's next pipelined call, which may open the next
	 * transaction and queue anew: hand that a fresh list.
	 */
	env->pending = NULL;
	env->n_pending = env->cap_pending = 0;
	/*
	 * Straight to the caller (deliver()), not through ops_reply(): these were
	 * committed (or failed) already, whatever transaction a pipelined call opens now.
	 *
	 * A held-back reply whose commit failed is answered StorageFailure too, not sent as it
	 * was: it was read from changes that were just rolled back, so it would tell of cases
	 * and events that never existed. Running the call again is not done here: it would read
	 * the database in the middle of a failing commit's aftermath (a full disk, an I/O
	 * error) and could itself start the next transaction from inside this loop; the caller
	 * can simply call again, and then reads only what is committed.
	 */
	for (size_t i = 0; i < n; i++) {
		struct ops_pending p = list[i];

		if (ret == 0) {
			deliver(p.req, p.error, p.params);
		} else {
			json_decref(p.params);
			deliver(p.req, OPS_ERR_STORAGE_FAILURE,
				json_pack("{ss+}", "message",
					  p.held ? "the commit of other calls failed; what "
						   "this call read was never stored, call "
						   "again: "
						 : "the commit failed; nothing was stored: ",
					  store_errmsg(env->store)));
		}
	}
	free(list);
}

void
ops_env_deinit(struct ops_env *env)
{
	free(env->pending);
	env->pending = NULL;
	env->n_pending = env->cap_pending = 0;
}

void
ops_req_begin(struct ops_env *env, struct ops_req *req, const char *name,
	      ops_error_name_cb error_name)
{
	req->env = env;
	req->name = name;
	req->error_name = error_name;
}

struct store_audit
ops_audit_of(const struct ops_req *req)
{
	return (struct store_audit){
		.at = req->now,
		.method = req->name,
		.uid = req->peer.uid,
		.gid = req->peer.gid,
		.pid = req->peer.pid,
		.outcome = "ok",
	};
}
