/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: the SQLite database — schema migrations, transactions and the statements the
 * daemon runs. Knows nothing of the event loop.
 *
 * Durability: WAL with synchronous=FULL, so a committed transaction survives power loss;
 * callers acknowledge a change only after store_commit() returned 0 (acknowledged means durable).
 * Errors are negative errno values; store_errmsg() keeps SQLite's own text for the reply.
 */
#ifndef FV_STORE_H
#define FV_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;

struct store_counts {
	int64_t cases;
	int64_t events;
	int64_t deadlines;
	int64_t audit;
};

struct store_audit {
	int64_t at;
	const char *method;
	const char *case_ref; /* may be NULL */
	uint32_t uid;
	uint32_t gid;
	int32_t pid;
	const char *outcome; /* "ok" or the error name */
};

/*
 * Opens (creating it, and its directory, owner-only) the database at path (borrowed)
 * and brings its schema up to date. Before a migration it checks the file (PRAGMA
 * quick_check) and refuses a damaged one; otherwise the check is the caller's, with
 * store_check_* below. On failure returns a negative errno and writes a message to err
 * (errlen bytes).
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);

/* The schema version of the open database, and the newest this build knows. */
int store_schema_version(const struct store *st);
int store_schema_latest(void);
/* Whether store_open() already ran the integrity check (it did before a migration). */
bool store_checked(const struct store *st);

/*
 * The integrity check (PRAGMA quick_check) of the database at path, on a read-only
 * connection of its own, so that it can run on a worker thread while the daemon serves:
 * it reads the whole file. store_check_new() and store_check_free() run on the caller's
 * thread, store_check_run() (blocking) on any one thread, store_check_interrupt() from any
 * thread while it runs (the result is then "interrupted"). The result text is SQLite's
 * ("ok", or the first problems found) and is borrowed from the check.
 */
struct store_check;
int store_check_new(const char *path, struct store_check **out, char *err, size_t errlen);
void store_check_run(struct store_check *c);
void store_check_interrupt(struct store_check *c);
bool store_check_ok(const struct store_check *c);
const char *store_check_result(const struct store_check *c);
void store_check_free(struct store_check *c);

/*
 * Maintenance (store/maint.c), for fristvakt backup, check and fristvaktd --restore. None of
 * these touch the daemon's own connection: they open connections of their own, so that the
 * server can run them on a worker thread while the daemon serves.
 *
 * store_backup_into: a consistent copy of the database at db_path into dest (an empty file
 * or none) with VACUUM INTO, on a read-only connection: one read transaction, so the copy is
 * the database as committed when it began, whatever the daemon writes meanwhile. Ends early
 * (interrupted) once *stop is set (may be NULL). 0, or -errno with err filled.
 */
int store_backup_into(const char *db_path, const char *dest, const atomic_bool *stop, char *err,
		      size_t errlen);

/* What store_file_verify() found a file to be. */
enum store_verdict {
	STORE_FILE_OK,
	STORE_FILE_UNREADABLE, /* cannot be opened or read */
	STORE_FILE_NOT_SQLITE, /* no SQLite header: empty, truncated, garbage */
	STORE_FILE_DAMAGED,    /* SQLite's, but the integrity check fails */
	STORE_FILE_FOREIGN,    /* a database, but not a fristvakt one (its tables) */
	STORE_FILE_NEWER,      /* a schema newer than this build */
};

struct store_file_info {
	int64_t size;
	int schema_version;
	char installation[40]; /* meta "installation", "" when absent (schema < 5) */
};

/*
 * Whether the file at path is a fristvakt database this build can open: its header, its
 * tables, its schema version, and with integrity PRAGMA integrity_check. Opens it
 * read-write, so path must be the caller's own copy; messages call it name. The verdict;
 * err says why when it is not STORE_FILE_OK.
 */
enum store_verdict store_file_verify(const char *path, const char *name, bool integrity,
				     struct store_file_info *info, char *err, size_t errlen);

/*
 * Takes the database at path over for a restore: an exclusive lock (refused with -EBUSY
 * while the daemon or anyone else has it open), its write-ahead log checkpointed into the
 * file, and closed, which deletes the log. 0, or -errno with err filled.
 */
int store_take_over(const char *path, char *err, size_t errlen);
/*
 * Whether another process has the database at path open, as SQLite's locks on it and on
 * its -shm file show (a test, nothing is locked): 1, 0, or -errno.
 */
int store_file_in_use(const char *path);
/*
 * The highest reminder id the database at path has used (its ids and their floor), read
 * read-only; 0 when it cannot be read (missing, damaged).
 */
int64_t store_file_reminder_id_top(const char *path);
/*
 * Sets the floor of new reminders' ids in the database file at path (the caller's own copy,
 * one being restored) to 2^32 above every reminder id it has used and above `above` (the
 * top of the database it replaces), so that no id handed out after it was copied can come
 * again. 0, or -errno with err filled.
 */
int store_file_reminder_id_floor(const char *path, int64_t above, char *err, size_t errlen);

/*
 * Opens the database at path read-only, with the statements of the store prepared, for the
 * reads of the checks on a thread of its own (it is never migrated or written). 0, or -errno
 * with err filled.
 */
int store_reader_open(const char *path, struct store **out, char *err, size_t errlen);
/* Ends what st runs (interrupted, an error) once *stop is set: from any thread. */
void store_stop_when(struct store *st, const atomic_bool *stop);
/* A read transaction on it: everything read until store_read_end() is one snapshot. */
int store_read_begin(struct store *st);
void store_read_end(struct store *st);

/*
 * The checks of `fristvakt check` that SQL answers, appended to the JSON array checks as
 * objects {name, ok, count, details: [text]} (details name row ids and table names, never
 * what a row holds): "integrity" (PRAGMA integrity_check), "foreign_keys", "counts" (the
 * counts table against the rows) and "cases_have_events". 0, or -errno.
 */
int store_check_tables(struct store *st, json_t *checks);

/* SQLite's message for the last failure on this connection. */
const char *store_errmsg(struct store *st);

/* Write transactions: BEGIN IMMEDIATE ... COMMIT, with savepoints inside. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/*
 * Savepoints inside the open transaction, one per request, so that one failing request
 * does not fail its neighbours in a group commit.
 */
int store_savepoint(struct store *st);
int store_release(struct store *st);
void store_rollback_to(struct store *st);

int store_counts(struct store *st, struct store_counts *out);
/* A value of the meta table (owned), or -ENOENT. */
int store_meta_get(struct store *st, const char *key, char **value);
int store_meta_set(struct store *st, const char *key, const char *value);
int store_audit_append(struct store *st, const struct store_audit *a);
/* Appends a, and gives its row's id in *id (for store_audit_set_outcome). */
int store_audit_append_id(struct store *st, const struct store_audit *a, int64_t *id);
/* Sets the outcome of audit row id: a long job's row kept in step with what it committed. */
int store_audit_set_outcome(struct store *st, int64_t id, const char *outcome);

/* A case row. Strings are owned (store_case_deinit); handler and unit may be NULL. */
struct store_case {
	int64_t id;
	char *ref;
	char *service;
	char *handler;
	char *unit;
	int64_t received;
	char *channel;
	bool emergency;
	char *state;
	bool has_contact;
	int64_t created;
	int64_t updated;
};

void store_case_deinit(struct store_case *c);
/* 0, -ENOENT, or another negative errno. */
int store_case_by_ref(struct store *st, const char *ref, struct store_case *out);
/* Inserts c (borrowed) and sets c->id. */
int store_case_insert(struct store *st, struct store_case *c);
int store_case_by_id(struct store *st, int64_t id, struct store_case *out);
/* The applicant's contact (owned strings, NULL when absent): 0 or -ENOENT. */
int store_contact_get(struct store *st, int64_t case_id, char **email, char **phone);
/* What a reminder's message tells of a stored deadline; owned strings, NULL when absent. */
struct store_deadline_info {
	char *due;
	char *rule;
	char *source;
};
/* A stored deadline: 0 or -ENOENT. */
int store_deadline_get(struct store *st, int64_t case_id, const char *kind, int64_t subject,
		       struct store_deadline_info *out);
void store_deadline_info_deinit(struct store_deadline_info *d);
/* A stored deadline as planning its reminders reads it; owned strings, NULL when absent. */
struct store_deadline_row {
	char *kind;
	int64_t subject;
	char *state;
	char *due;
	char *met_on;
	char *ended_on;
};
/* The stored deadlines of a case (*out owned, store_deadline_rows_free). 0 or -errno. */
int store_deadlines_of_case(struct store *st, int64_t case_id, struct store_deadline_row **out,
			    size_t *n);
void store_deadline_rows_free(struct store_deadline_row *v, size_t n);
/* An office duty or party deadline still awaited: open or missed, not met, with a due date. */
struct store_awaited {
	int64_t id;
	int64_t case_id;
	struct store_deadline_row row; /* owned strings; met_on NULL */
};

/* Up to limit awaited deadlines with id > after_id, in id order (store_awaited_free). */
int store_deadlines_awaited(struct store *st, int64_t after_id, int limit,
			    struct store_awaited **out, size_t *n);
void store_awaited_free(struct store_awaited *v, size_t n);
/*
 * The office's duties not met and due on or before until (overdue ones included), for
 * digests: an owned JSON array of {reference, handler, unit, kind, due, service} sorted by
 * due date.
 */
/* The latest stored deadline of a kind in a case: its subject and due date (owned). */
int store_deadline_latest(struct store *st, int64_t case_id, const char *kind, int64_t *subject,
			  char **due);
int store_deadlines_for_digest(struct store *st, const char *until, json_t **rows);
int store_case_set_state(struct store *st, int64_t id, const char *state, int64_t updated);
/*
 * Writes the registration's fields of c (borrowed) — service, handler, unit, received,
 * channel, emergency — and updated to its row (a correction of the received event).
 */
int store_case_update(struct store *st, const struct store_case *c);
int store_contact_set(struct store *st, int64_t case_id, const char *email, const char *phone,
		      int64_t at);

/* An event row. Strings owned (store_events_free / store_event_deinit). */
struct store_event {
	int64_t id;
	int64_t case_id;
	char *client_id; /* may be NULL */
	char *type;
	int64_t occurred;
	int64_t recorded;
	char *data;	       /* JSON object text */
	int64_t supersedes;    /* 0: none */
	int64_t superseded_by; /* 0: none (derived) */
	uint32_t uid;
};

void store_event_deinit(struct store_event *e);
int store_event_by_client_id(struct store *st, const char *client_id, struct store_event *out);
/* Inserts e (borrowed) and sets e->id. */
int store_event_insert(struct store *st, struct store_event *e);
/* Every event of a case in id order: an owned array (store_events_free). */
int store_events_of_case(struct store *st, int64_t case_id, struct store_event **out, size_t *n);
void store_events_free(struct store_event *v, size_t n);

/* A computed deadline to store; all borrowed. due and met_on may be NULL. */
struct store_deadline {
	const char *kind;
	int64_t subject;
	const char *state;
	const char *due;
	const char *met_on;
	const char *rule;     /* the rule's id, also in the explanation; may be NULL */
	const char *source;   /* its legal source, also in the explanation; may be NULL */
	const char *ended_on; /* a missed duty ended unmet afterwards (rules.h has_ended) */
};

/* Replaces the stored deadlines of a case with these. */
int store_deadlines_replace(struct store *st, int64_t case_id, const struct store_deadline *v,
			    size_t n);

/*
 * Sets "sequence" (how often the due date or state changed) and "modified" (RFC 3339, when
 * it last did) on each deadline object of the array deadlines (borrowed; "kind" and
 * "subject" identify one, a corrected subject event standing for its first version) that
 * the case has a stored version of. 0 or a negative errno.
 */
int store_deadline_versions_annotate(struct store *st, int64_t case_id, json_t *deadlines);

/* Filters of store_deadlines_list; NULL members do not filter. */
struct store_deadline_filter {
	const char *state; /* open, met, missed, expired, cancelled (judged on today) */
	const char *kind;
	const char *duty; /* "office", "party" or NULL */
	const char *service;
	const char *handler;
	const char *unit;
	const char *due_from;
	const char *due_to;
	bool overdue;
	const char *today; /* YYYY-MM-DD */
	int limit;
	bool has_after;	       /* keyset cursor: rows after (after_due, after_id) */
	const char *after_due; /* NULL: the cursor row had no due date */
	int64_t after_id;
};

/*
 * Deadlines by due date (rows without one first), as an owned JSON array of objects
 * (reference, service, handler, unit, kind, subject, state, due, rule, source) and, when
 * more rows follow, *next_due / *next_id / *has_next for the cursor (next_due owned).
 */
int store_deadlines_list(struct store *st, const struct store_deadline_filter *f, json_t **rows,
			 bool *has_next, char **next_due, int64_t *next_id);

struct store_case_filter {
	const char *state;
	const char *service;
	const char *handler;
	const char *unit;
	int limit;
	int64_t before_id; /* 0: from the newest */
};

/* Cases newest first: an owned array of store_case (store_cases_free); *next_id is the
 * cursor for the next page or 0. */
int store_cases_list(struct store *st, const struct store_case_filter *f, struct store_case **out,
		     size_t *n, int64_t *next_id);
void store_cases_free(struct store_case *v, size_t n);

/* Up to limit cases with id > after_id in id order (for recomputing in chunks). */
int store_cases_after(struct store *st, int64_t after_id, int limit, struct store_case **out,
		      size_t *n);

/* A reminder row (the outbox). Strings owned (store_reminder_deinit). */
struct store_reminder {
	int64_t id;
	int64_t case_id; /* 0: a digest or a notice */
	char *case_ref;	 /* joined from cases, NULL without a case */
	char *kind;	 /* deadline kind, "digest" or "admin" */
	int64_t subject;
	char *stage;
	char *occurrence; /* YYYY-MM-DD this instance is for */
	char *recipient;  /* digests: "handler:ID" / "unit:ID"; else "" */
	char *due;	  /* the deadline's due date when planned, may be NULL */
	unsigned recipients;
	char *channel;
	char *state; /* pending, failed, sent, dead, cancelled */
	int64_t planned;
	int64_t not_before;
	int64_t attempts;
	int64_t first_attempt; /* 0: none yet */
	int64_t sent_at;       /* 0: not sent */
	char *last_error;
	char *data; /* JSON text or NULL: what a digest or notice says */
	int64_t created;
};

void store_reminder_deinit(struct store_reminder *r);
void store_reminders_free(struct store_reminder *v, size_t n);
/*
 * Inserts r unless a reminder with the same identity exists; *inserted says which. A
 * reminder of a case with that identity that was cancelled, never tried, because its
 * deadline moved (no reason, or the reason that says so) is made pending again instead,
 * with r's times, and counts as inserted.
 */
int store_reminder_plan(struct store *st, struct store_reminder *r, bool *inserted);
/*
 * Raises the floor of new reminders' ids to the highest id there is: called before
 * reminders are deleted, so that their ids (their messages' ids) are never given again.
 * 0 or -errno.
 */
int store_reminder_id_floor_raise(struct store *st);
/*
 * Whether store_reminder_plan() of r's identity (case_id, kind, subject, stage, occurrence,
 * recipient) would insert or revive it: *would. For the check of the planned reminders.
 */
int store_reminder_would_plan(struct store *st, const struct store_reminder *r, bool *would);
/* The pending and failed reminders of a case. */
int store_reminders_open_of_case(struct store *st, int64_t case_id, struct store_reminder **out,
				 size_t *n);
int store_reminder_get(struct store *st, int64_t id, struct store_reminder *out);
/*
 * Pending or failed reminders due at now, earliest first (by not_before, then id), skipping
 * disabled channels; with after, only those that come after that position in this order.
 */
struct store_due_after {
	int64_t not_before;
	int64_t id;
};
int store_reminders_due(struct store *st, int64_t now, const struct store_due_after *after,
			int limit, struct store_reminder **out, size_t *n);
/* The earliest not_before of a pending or failed reminder on an enabled channel, -ENOENT. */
int store_reminder_next(struct store *st, int64_t *when);
/* Writes back state, not_before, attempts, first_attempt, sent_at, last_error of r. */
int store_reminder_update(struct store *st, const struct store_reminder *r);
int store_attempt_add(struct store *st, int64_t reminder_id, int64_t at, const char *channel,
		      const char *outcome, long code, const char *error, bool fallback);
/* The attempts of a reminder, oldest first, as an owned JSON array. */
int store_attempts_json(struct store *st, int64_t reminder_id, json_t **rows);

struct store_reminder_filter {
	const char *state;
	const char *ref;
	const char *channel;
	int limit;
	int64_t before_id;
};

int store_reminders_list(struct store *st, const struct store_reminder_filter *f,
			 struct store_reminder **out, size_t *n, int64_t *next_id);
int store_channel_disable(struct store *st, const char *channel, int64_t at, const char *reason);
int store_channel_enable(struct store *st, const char *channel);
/* 1 disabled, 0 enabled, or a negative errno. */
int store_channel_disabled(struct store *st, const char *channel);
/* Counts a notice to the administrators that went to the log instead (Status). */
void store_count_notice_to_log(struct store *st);
/* Records an attempt's outcome in the channel's health: a success, or a failure with its
 * error (failing since the first failure after the last success). 0 or a negative errno. */
int store_channel_attempt(struct store *st, const char *channel, int64_t at, bool ok,
			  const char *error);
/*
 * What the database knows of each channel (owned JSON object by channel name, each an
 * object of the members present: pending, failed, dead, disabled_at, disabled_reason,
 * last_success, failing_since, last_error). 0 or a negative errno.
 */
int store_channels_json(struct store *st, json_t **out);
/* Moves the reminders not yet sent (notices to the administrators excepted) from channel
 * from to channel to; *n how many. 0 or a negative errno. */
int store_reminders_rechannel(struct store *st, const char *from, const char *to, int64_t *n);
/* Counts of reminders by state, as an owned JSON object. */
int store_reminder_counts(struct store *st, json_t **out);

/*
 * The row counts of a metrics scrape (store/metrics.c), one call of row per group: cases by
 * state (b NULL); deadlines by kind and state as stored; the deadlines stored open whose
 * date is before today (YYYY-MM-DD) by kind (b NULL); the office's overdue duties by kind
 * (b NULL; the work list of ListDeadlines overdue); reminders by channel and state. 0 or a
 * negative errno.
 */
enum store_metric_group {
	STORE_METRIC_CASES,
	STORE_METRIC_DEADLINES,
	STORE_METRIC_OPEN_PAST,
	STORE_METRIC_OVERDUE,
	STORE_METRIC_REMINDERS,
};
typedef void (*store_metric_row_cb)(void *arg, const char *a, const char *b, int64_t n);
int store_metric_groups(struct store *st, enum store_metric_group g, const char *today,
			store_metric_row_cb row, void *arg);

/*
 * Retention (store/purge.c). A case that may be purged: closed or withdrawn, its latest
 * event before the cut-off, no office duty awaited (open, or missed and not met), no
 * deadline of the party still running, no reminder waiting. Strings owned
 * (store_purge_cases_free).
 */
struct store_purge_case {
	int64_t id;
	char *ref;
	char *state;
	int64_t closed; /* when the event that closed or withdrew it occurred (unix seconds) */
};

/* What a purge removed (or, dry, would remove). */
struct store_purge_counts {
	int64_t cases;
	int64_t events;
	int64_t deadlines;
	int64_t reminders;
	int64_t attempts;
	int64_t contacts;
	int64_t audit_refs; /* audit rows that lost the case's reference */
	int64_t notices;    /* digests and notices without a case, finished and old */
};

/*
 * Looks at up to scan closed or withdrawn cases with id > *cursor, in id order: those that
 * may be purged (latest event before `before`, unix seconds; party deadlines judged on
 * today, YYYY-MM-DD) in *out (owned, *n of them). *cursor moves past the cases looked at;
 * *more is false once the last was. 0 or a negative errno.
 */
int store_purge_candidates(struct store *st, int64_t *cursor, int scan, int64_t before,
			   const char *today, struct store_purge_case **out, size_t *n, bool *more);
void store_purge_cases_free(struct store_purge_case *v, size_t n);
/*
 * Removes case pc (borrowed) with its events, deadlines and their versions, reminders and
 * attempts and contact, and clears its reference from the audit rows, in the caller's
 * savepoint; adds what went to c. dry_run: only counts. 0 or a negative errno.
 */
int store_purge_case(struct store *st, const struct store_purge_case *pc, bool dry_run,
		     struct store_purge_counts *c);
/* Removes up to limit digests and notices (reminders without a case) that are sent, dead or
 * cancelled and were created before `before`, with their attempts (counted in c->notices). */
int store_purge_caseless(struct store *st, int64_t before, int limit, bool dry_run,
			 struct store_purge_counts *c);
/* PRAGMA secure_delete: what is deleted is overwritten with zeros. 0 or a negative errno. */
int store_secure_delete(struct store *st, bool on);
/*
 * Gives up to pages free pages back to the file system (PRAGMA incremental_vacuum) inside
 * the open transaction when the database was made with auto_vacuum = INCREMENTAL (else
 * nothing: its free pages are reused); *left: the free pages that remain. 0 or -errno.
 */
int store_vacuum_step(struct store *st, int pages, int64_t *left);
/*
 * Copies the write-ahead log into the database and truncates it to nothing (outside a
 * transaction), without waiting: *complete is false when a reader held an older snapshot
 * (try again later). 0 or -errno.
 */
int store_wal_truncate(struct store *st, bool *complete);
/* The pages of the database file (PRAGMA page_count), 0 when it cannot be read. */
int64_t store_page_count(struct store *st);

/* The audit log newest first, as an owned JSON array; *next_id as for cases. */
int store_audit_list(struct store *st, const char *ref, int limit, int64_t before_id, json_t **rows,
		     int64_t *next_id);

/*
 * The compliance report's figures (core/report.h) of the database at path into r (made by
 * report_init() for the period from..to), on a read-only connection of its own and in one
 * read transaction: blocking, for a worker thread (opened, run and closed on it). The
 * days are "YYYY-MM-DD" (borrowed); service and unit filter the cases (NULL: all); today
 * judges open deadlines past their day. When a unit is asked for and no case of the
 * register has it, r->unit_unknown is set and nothing else is read. stop (may be NULL),
 * set by another thread, makes the queries give up soon (an error, err filled).
 * 0, or a negative errno with err filled.
 */
struct report;
struct store_report_query {
	const char *from;
	const char *to;
	const char *service;
	const char *unit;
	const char *today;
	atomic_bool *stop;
};
int store_report_read(const char *path, const struct store_report_query *q, struct report *r,
		      char *err, size_t errlen);

#endif
