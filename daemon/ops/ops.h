/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ops: the operations of the register, one handler per method of the interface: run the
 * domain operation on the store and answer its result, or one of the register's errors
 * (enum ops_error) with its parameters. The role and the parameters' types were checked by
 * the server's dispatch from the method's row (server/dispatch.h); what the values mean is
 * checked here. Knows nothing of sockets, the event loop or the wire protocol: the server
 * hands in a decoded call with a reply callback and names the errors, and group commit
 * (ops/txn.c) holds each reply until the change it reports is on disk.
 */
#ifndef FV_OPS_H
#define FV_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf/conf.h"
#include "core/cal.h"
#include "core/role.h"
#include "store/store.h"

struct store;

/* Who is calling, from SO_PEERCRED and the access rules. */
struct ops_peer {
	uint32_t uid;
	uint32_t gid;
	int32_t pid;
	enum role role;
};

/*
 * What a call can end in besides success, each answered with its parameters (a JSON
 * object, as the interface declares them for the error). The server's dispatch gives each
 * its name on the wire (server/dispatch.c); the register itself never spells those names.
 * The three after OPS_ERR_CHANNEL_DISABLED are the server's own methods' (the role check,
 * GetInterfaceDescription, Reload), and so are the backup's and the check's after them (the
 * maintenance methods, server/maint.c); their replies wait for the commit like the
 * register's.
 */
enum ops_error {
	OPS_OK,
	OPS_ERR_INVALID_PARAMETER,	/* parameter, message */
	OPS_ERR_METHOD_NOT_FOUND,	/* method: an import item's, no event method */
	OPS_ERR_STORAGE_FAILURE,	/* message */
	OPS_ERR_CASE_NOT_FOUND,		/* reference */
	OPS_ERR_CASE_CONFLICT,		/* reference, message */
	OPS_ERR_EVENT_NOT_FOUND,	/* reference, event, message */
	OPS_ERR_EVENT_CONFLICT,		/* event_id */
	OPS_ERR_OUT_OF_ORDER,		/* reference, message */
	OPS_ERR_UNKNOWN_SERVICE,	/* service, known */
	OPS_ERR_REMINDER_NOT_FOUND,	/* id */
	OPS_ERR_REMINDER_NOT_RETRYABLE, /* id, state */
	OPS_ERR_CHANNEL_NOT_FOUND,	/* name */
	OPS_ERR_CHANNEL_DISABLED,	/* name, message */
	OPS_ERR_PERMISSION_DENIED,	/* method, role, required */
	OPS_ERR_INTERFACE_NOT_FOUND,	/* interface */
	OPS_ERR_CONFIG_INVALID,		/* message */
	OPS_ERR_BACKUP_FAILED,		/* file, message */
	OPS_ERR_BACKUP_IN_PROGRESS,	/* file */
	OPS_ERR_CHECK_IN_PROGRESS,	/* started */
	OPS_ERR_REPORT_BUSY,		/* running */
	OPS_ERR_COUNT
};

struct ops_req;

/*
 * The caller's reply callback: error is NULL on success, or the name the caller's
 * ops_req_begin() gave the error (the server: its Varlink error name); params is stolen
 * (may be NULL). Called exactly once per call, possibly from within the call.
 */
typedef void (*ops_reply_cb)(struct ops_req *req, const char *error, json_t *params);

/* How the host names an error for its caller: a static string. */
typedef const char *(*ops_error_name_cb)(enum ops_error error);

struct ops_req {
	/* The host's own: which of its methods was called (the server keeps its method row
	 * here). The register never looks into it. */
	const void *method;
	json_t *params; /* borrowed from the caller until the reply */
	struct ops_peer peer;
	int64_t now; /* unix seconds, read once by the caller's callback */
	ops_reply_cb reply;
	void *data; /* the caller's */

	/* Set by ops_req_begin(). */
	struct ops_env *env;
	/* The method's full name ("no.fristvakt.Reload"): what audit rows and log lines say. */
	const char *name;
	ops_error_name_cb error_name;
};

struct ops_pending;

/* What the operations need from the daemon that hosts them, and their own state. */
struct ops_env {
	struct store *store;
	const struct conf *conf; /* the configuration in force */
	int64_t started;	 /* unix seconds */
	int64_t conf_loaded;	 /* unix seconds */
	/* The start-up integrity check: "checking", "ok", or "not checked" (static text). */
	const char *integrity;
	/* When the last integrity check finished (unix seconds, 0: none yet) and how long it
	 * took (seconds, negative: not measured), for the metrics. */
	int64_t integrity_at;
	double integrity_seconds;
	/* The write-ahead log still holds what a purge removed (a reader held an older
	 * snapshot; server/retention.c tries again), for the metrics. */
	bool wal_purged;
	/* The database's installation id (meta "installation", 32 hex digits): part of every
	 * message id, so that ids never repeat across installations. */
	char installation[40];
	void *host;
	/* The host's event loop (a uv_loop_t, opaque here): for the server's handlers that run
	 * work on a thread (GetReport). */
	void *loop;
	/* Reloads the configuration: 0, or negative errno with err filled. */
	int (*reload)(void *host, struct diag *err);
	unsigned (*connections)(void *host);
	/* The daemon's clock (unix seconds): the wall clock, or the test clock when enabled. */
	int64_t (*now)(void *host);
	/* Asks the host to call ops_commit() once the current loop turn's I/O is handled. */
	void (*schedule_commit)(void *host);
	/* Moves the test clock: the daemon's time becomes the wall clock + offset seconds. */
	void (*set_clock_offset)(void *host, int64_t offset);
	int64_t (*clock_offset)(void *host);
	/* Whether every case's deadlines are being recomputed after a change of the rules (may
	 * be NULL: never). */
	bool (*recomputing)(void *host);
	/* Set when reminders were planned or rescheduled: the host re-arms the scheduler after
	 * the commit. */
	bool reminders_changed;

	/* Group commit (ops/txn.c): the transaction of this loop turn, whether it holds
	 * changes not yet committed (a request's savepoint was kept), and the replies that
	 * wait for its commit. */
	bool in_txn;
	bool txn_dirty;
	uint64_t commit_failures; /* commits that failed since the start (ops_commit) */
	size_t txn_writes; /* savepoints kept in the open transaction (the metrics' batch size) */
	struct ops_pending *pending;
	size_t n_pending;
	size_t cap_pending;
};

/*
 * Takes req (borrowed until its reply) into env, as the call of the method called name
 * (static; for audit rows and log lines), its errors named by error_name when they reach
 * req->reply: from now on every reply (ops_reply()), also a read's or an error's, made
 * while the loop turn's transaction holds uncommitted changes waits for the commit, since
 * what the call saw may include those changes. The server's dispatch calls it before the
 * handler.
 */
void ops_req_begin(struct ops_env *env, struct ops_req *req, const char *name,
		   ops_error_name_cb error_name);

/*
 * Answers req: with params (stolen, may be NULL) as the result when error is OPS_OK, as the
 * error's parameters otherwise. At once, or after the commit when the loop turn's
 * transaction holds uncommitted changes (see ops_req_begin()).
 */
void ops_reply(struct ops_req *req, enum ops_error error, json_t *params);

/*
 * Commits the loop turn's transaction, then sends the replies that waited for it: as they
 * were when the commit succeeded, as StorageFailure when it failed (nothing of theirs was
 * stored, and what a read saw was never stored either). Safe to call when nothing is
 * pending.
 */
void ops_commit(struct ops_env *env);
void ops_env_deinit(struct ops_env *env);

/* For the handlers: the server's (server/dispatch.c) and the operations' own. */

/* Joins the loop turn's transaction (opening it if needed) and starts a savepoint for one
 * request. 0, or a negative errno (the caller answers StorageFailure). */
int ops_txn_enter(struct ops_env *env);
/* Ends the request's savepoint: keeps its changes (ok) or rolls them back. When keeping
 * them fails they are rolled back too, and a negative errno is returned. */
int ops_txn_leave(struct ops_env *env, bool ok);
/* Queues a success reply until the commit (params stolen). */
void ops_reply_after_commit(struct ops_env *env, struct ops_req *req, json_t *params);
/* The same for an error that must wait for the commit (its audit row). */
void ops_reply_error_after_commit(struct ops_env *env, struct ops_req *req, enum ops_error error,
				  json_t *params);
void ops_reply_storage_failure(struct ops_env *env, struct ops_req *req);

/* The audit record of req: now, the method and the peer, outcome "ok" until told otherwise. */
struct store_audit ops_audit_of(const struct ops_req *req);
/* RFC 3339 UTC text of an instant, as a new JSON string. */
json_t *ops_instant_json(int64_t t);

/*
 * The case register: one handler per method, its parameters checked by the method table's
 * row before it runs: recording events (ops/record.c), ImportEvents (ops/import.c), the
 * reads and the audit log (ops/cases_read.c).
 */
void ops_case_record(struct ops_env *env, struct ops_req *req);
void ops_case_get(struct ops_env *env, struct ops_req *req);
void ops_case_list(struct ops_env *env, struct ops_req *req);
void ops_deadlines_list(struct ops_env *env, struct ops_req *req);
void ops_import(struct ops_env *env, struct ops_req *req);
void ops_audit_list(struct ops_env *env, struct ops_req *req);

/*
 * The parameter validation of an event method (its full name, "no.fristvakt.RecordDecision",
 * as the event schema keys it; borrowed, as are conf and params) exactly as the daemon runs
 * it, without a store or a socket (ops/validate.c): for the fuzz targets and the unit
 * tests. 0 and *data the event's data (owned); -ENOENT for a method that records no event;
 * -EINVAL for a refusal, with *error and *why its parameters (owned).
 */
int ops_case_validate(const struct conf *conf, const char *method, json_t *params, int64_t now,
		      json_t **data, enum ops_error *error, json_t **why);

struct rules_deadline;
struct store_case;
struct store_reminder;

/*
 * Plans the reminders of a case from its deadlines (borrowed) as computed now, inside the
 * current savepoint: each deadline holds the next reminder its policy asks for (one for the
 * staff, one for the applicant), planned unless one is waiting; pending reminders whose
 * deadline was met, cancelled or moved are cancelled. 0 or a negative errno.
 */
int ops_remind_plan(struct ops_env *env, const struct store_case *c, const struct rules_deadline *d,
		    size_t n, int64_t now);

/* A reminder rendered for sending (ops_remind_message): everything owned. */
struct ops_message {
	char *id;     /* stable: webhook-id, Message-ID */
	char *thread; /* per case */
	char *topic;  /* per case: the stable prefix of mail subjects, or NULL */
	char *subject;
	char *text;
	char **to; /* e-mail addresses, each valid */
	size_t n_to;
	char *skipped; /* recipients left out (no valid address) and why, or NULL */
	json_t *body;  /* the webhook body */
	bool fallback; /* the template failed; the built-in text is used */
};

void ops_message_deinit(struct ops_message *m);
/* Renders reminder r (borrowed) for its channel at now. 0 or a negative errno. */
int ops_remind_message(struct ops_env *env, const struct store_reminder *r, int64_t now,
		       struct ops_message *out);

/* What a channel answered for one attempt. */
enum ops_delivery_status {
	OPS_DELIVERY_OK,
	OPS_DELIVERY_RETRY,
	OPS_DELIVERY_GONE,
	OPS_DELIVERY_ABORTED,
};

struct ops_delivery {
	enum ops_delivery_status status;
	long code;
	int64_t retry_after; /* seconds, -1: none */
	const char *detail;
	bool fallback;
};

/*
 * Records an attempt of reminder id and its consequence (sent; retried later with backoff;
 * dead after the retry schedule, with a notice to the admin channel; the channel disabled
 * on 410) inside the loop turn's transaction. 0 or a negative errno.
 */
int ops_remind_result(struct ops_env *env, int64_t id, const struct ops_delivery *dl, int64_t now);

/*
 * Whether reminder r (borrowed) would no longer be true if sent at now. Its case is first
 * brought up to date (a savepoint of its own, when the case's deadlines changed since they
 * were stored: reminders that no longer fit are cancelled, r perhaps, and planned anew).
 * 1 when r is not to be sent: its deadline was met or moved meanwhile, or it is a stage for
 * before or on the due date (not repeating) whose due date has passed (after downtime or a
 * clock jump); then why (len bytes) says so, for ops_remind_skip(). 0 to send it; a
 * negative errno when the database failed (send nothing).
 */
int ops_remind_outdated(struct ops_env *env, const struct store_reminder *r, int64_t now, char *why,
			size_t len);
/* Records reminder id as not sent (cancelled) for the reason why, and plans the next of its
 * series. 0 or a negative errno. */
int ops_remind_skip(struct ops_env *env, int64_t id, const char *why, int64_t now);

/* Creates today's digests once their time has come (ops/digest.c). */
int ops_remind_digests(struct ops_env *env, int64_t now);

/* The channels (ops/channel.c): one row per channel (owned JSON array), NULL when the
 * database could not be read; the methods; the outbox lag (seconds the earliest reminder
 * due on an enabled channel has waited, 0 when none is due); and the move of the
 * reminders not yet sent from channel from to channel to (*moved how many). */
json_t *ops_channels_json(struct ops_env *env);
void ops_channels_list(struct ops_env *env, struct ops_req *req);
void ops_channel_enable(struct ops_env *env, struct ops_req *req);
int ops_outbox_lag(struct ops_env *env, int64_t now, int64_t *lag);
int ops_channels_follow(struct ops_env *env, const char *from, const char *to, int64_t *moved);

/* The reminder, template and clock methods (ops/remind.c), their parameters checked by the
 * method table's row before they run. */
void ops_reminders_list(struct ops_env *env, struct ops_req *req);
void ops_reminder_get(struct ops_env *env, struct ops_req *req);
void ops_reminder_retry(struct ops_env *env, struct ops_req *req);
void ops_template_render(struct ops_env *env, struct ops_req *req);
void ops_clock_set(struct ops_env *env, struct ops_req *req);
void ops_clock_advance(struct ops_env *env, struct ops_req *req);
void ops_clock_reset(struct ops_env *env, struct ops_req *req);

/*
 * The metrics (ops/metrics.c): the Prometheus text exposition of the register at now,
 * appended to out (the gauges read from the database now, then the process-lifetime
 * counters of core/metrics.h): 0 or a negative errno. GetMetrics answers it as "text"; the
 * server's HTTP listener serves the same.
 */
struct strbuf;
int ops_metrics_text(struct ops_env *env, int64_t now, struct strbuf *out);
void ops_metrics_get(struct ops_env *env, struct ops_req *req);

/*
 * The outbox's invariant for `fristvakt check` (ops/maint.c): appends to the JSON array
 * checks the check "reminders_planned" {name, ok, count, details}: every office duty still
 * awaited whose policy has a stage to come holds its next reminder. Reads env->store (a
 * reader of its own may be given) and env->conf only. 0 or a negative errno.
 */
int ops_check_reminders(struct ops_env *env, int64_t now, json_t *checks);

/*
 * Retention (ops/purge.c): a purge of the cases closed or withdrawn longer ago than
 * retention.closed_after, run by the host in slices, one per loop turn (ops_purge_step).
 * The purge's audit row is written with the first slice that removes anything and kept in
 * step by each slice after it, in that slice's transaction: what is committed is audited,
 * also when the daemon is killed in the middle. ops_purge_audit ends it (a request that
 * removed nothing is audited then). A dry run only counts and lists (at most
 * OPS_PURGE_LIST_MAX cases; more_cases the rest).
 */
#define OPS_PURGE_LIST_MAX 1000
struct ops_purge {
	bool dry_run;
	bool configured;	   /* retention.closed_after is set; else nothing is purged */
	const struct ops_req *req; /* the call it answers (borrowed); NULL: the daily run */
	int64_t audit_id;	   /* its audit row, once written; 0 before */
	bool failed;		   /* a slice failed (rolled back): the purge stopped there */
	bool done;
	bool caseless_done; /* no old digest or notice is left to remove */
	struct cal_period period;
	char today[CAL_DATE_LEN];
	struct cal_date cutoff; /* cases whose latest event was on this day or before go */
	int64_t before;		/* the instant after the cut-off day */
	int64_t cursor;		/* the last case id looked at */
	struct store_purge_counts counts;
	json_t *cases; /* a dry run's list */
	int64_t more_cases;
	/* Filled by the host after the purge: what the file gave back. */
	int64_t pages_freed;
	int64_t free_pages;
	bool wal_truncated;
};

/* Starts p (to be ops_purge_deinit'ed) at now for req (borrowed, to outlive p; NULL: the
 * daemon's daily run). 0, or -ERANGE for a date out of range. */
int ops_purge_begin(struct ops_env *env, struct ops_purge *p, const struct ops_req *req,
		    bool dry_run, int64_t now);
/* One slice: looks at up to scan cases, removes those that may go in one savepoint of the
 * loop turn's transaction. 1 when more follow, 0 when done, or a negative errno (the slice
 * was rolled back; the slices before it stay). */
int ops_purge_step(struct ops_env *env, struct ops_purge *p, int scan);
/* Ends a purge (finished, failed or stopped): a log line with the figures, and the audit row
 * of a request that removed nothing (the daily run that removed nothing has none). */
int ops_purge_audit(struct ops_env *env, struct ops_purge *p, int64_t now);
/* The reply of Purge (owned). */
json_t *ops_purge_result(const struct ops_purge *p);
void ops_purge_deinit(struct ops_purge *p);

/* Recomputing a case (ops/recompute.c) is declared in its own header; included here for the
 * reminder engine, which recomputes a case when a series continues. */
#include "ops/recompute.h"

#endif
