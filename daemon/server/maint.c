// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * maint: Backup and Check off the event loop (see maint.h).
 *
 * A backup is VACUUM INTO a temporary file beside the one asked for (created 0600 and
 * empty first: the copy holds case data), on a read-only connection of its own, so it is
 * the database as committed when it began while the daemon goes on writing; then the copy
 * is verified (header, tables, schema version), fsynced, renamed to its name, and the
 * directory fsynced. All of that runs on a libuv worker thread; the loop only audits the
 * outcome and answers after the audit row's commit. One backup and one check at a time.
 *
 * A check reads one snapshot (a read transaction on a connection of its own): SQLite's
 * integrity and foreign-key checks, the counts table against its rows, and the outbox's
 * invariant (ops/maint.c), which needs the reminder policy in force: the check keeps the
 * configuration it started with, and a reload meanwhile hands the old one over to it.
 */
#include "server/maint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "server/dispatch.h"
#include "store/store.h"

struct job;

struct maint {
	uv_loop_t *loop;
	struct ops_env *env;
	bool (*recomputing)(void *host);
	struct job *backup; /* running, or NULL */
	struct job *check;
	atomic_bool stop; /* the daemon is stopping: work running gives up */
	bool stopping;
};

struct job {
	uv_work_t work;
	struct maint *m;
	struct ops_req *req;
	char *db;
	/* Backup: the file asked for, its temporary sibling; what the copy is. */
	char *file;
	char *tmp;
	struct store_file_info info;
	/* Check: the configuration it reads (owned once a reload retired it), its result. */
	const struct conf *conf;
	bool conf_owned;
	bool skip_reminders;
	json_t *checks;
	/* Both: when it was asked for (the daemon's clock), how long it took, the failure. */
	int64_t now;
	double seconds;
	int error; /* negative errno, or 0 */
	char err[768];
};

static double
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct maint *
maint_new(uv_loop_t *loop, struct ops_env *env, bool (*recomputing)(void *host))
{
	struct maint *m = xcalloc(1, sizeof(*m));

	m->loop = loop;
	m->env = env;
	m->recomputing = recomputing;
	atomic_init(&m->stop, false);
	return m;
}

void
maint_stop(struct maint *m)
{
	if (!m)
		return;
	m->stopping = true;
	atomic_store(&m->stop, true);
}

void
maint_free(struct maint *m)
{
	free(m);
}

bool
maint_conf_retired(struct maint *m, struct conf *conf)
{
	if (!m || !m->check || m->check->conf != conf || m->check->conf_owned)
		return false;
	m->check->conf_owned = true;
	return true;
}

static void
job_free(struct job *j)
{
	if (j->conf_owned)
		conf_free((struct conf *)j->conf);
	json_decref(j->checks);
	free(j->db);
	free(j->file);
	free(j->tmp);
	free(j);
}

/*
 * Audits req's outcome (ok, or the error's name) and answers it after the audit row's
 * commit: with result on success, else with error and its params (both stolen). While the
 * daemon stops there is no commit to wait for: the outcome is logged and answered.
 */
static void
finish(struct maint *m, struct ops_req *req, enum ops_error error, json_t *params, json_t *result)
{
	struct ops_env *env = m->env;
	struct store_audit a = ops_audit_of(req);
	json_t *out = error == OPS_OK ? result : params;

	json_decref(error == OPS_OK ? params : result);
	a.outcome = error == OPS_OK ? "ok" : dispatch_error_name(error);
	if (m->stopping) {
		log_notice("%s (uid %u) ended while stopping: %s", req->name, req->peer.uid,
			   a.outcome);
		ops_reply(req, error, out);
		return;
	}
	if (ops_txn_enter(env) < 0) {
		json_decref(out);
		ops_reply_storage_failure(env, req);
		return;
	}
	if (store_audit_append(env->store, &a) < 0) {
		ops_txn_leave(env, false);
		json_decref(out);
		ops_reply_storage_failure(env, req);
		return;
	}
	if (ops_txn_leave(env, true) < 0) {
		json_decref(out);
		ops_reply_storage_failure(env, req);
		return;
	}
	if (error == OPS_OK)
		ops_reply_after_commit(env, req, out);
	else
		ops_reply_error_after_commit(env, req, error, out);
}

/* The hint a failure to write path's directory gets: where the daemon can write. */
static const char *
write_hint(int error)
{
	if (error != -EACCES && error != -EROFS && error != -EPERM && error != -ENOENT)
		return "";
	return error == -ENOENT ? " (the directory must exist)"
				: " (fristvaktd writes as its own user, and under systemd only "
				  "its own directories and /var/backups/fristvakt are writable "
				  "for it: back up into /var/backups/fristvakt)";
}

/* Fails job j with -errno error, the message "what: strerror" and the hint. */
static void
backup_fail(struct job *j, int error, const char *what)
{
	j->error = error;
	snprintf(j->err, sizeof(j->err), "%s: %s%s", what, strerror(-error), write_hint(error));
}

/* fsync of the file or directory at path: 0 or -errno. */
static int
sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The copy into j->tmp, verified: 0, or -1 with the job's failure set. */
static int
backup_copy(struct job *j)
{
	char err[512];
	int ret = store_backup_into(j->db, j->tmp, &j->m->stop, err, sizeof(err));

	if (ret < 0) {
		j->error = ret;
		snprintf(j->err, sizeof(j->err), "copying the database failed: %s%s", err,
			 write_hint(ret));
		return -1;
	}
	if (store_file_verify(j->tmp, j->file, false, &j->info, err, sizeof(err)) !=
	    STORE_FILE_OK) {
		j->error = -EIO;
		snprintf(j->err, sizeof(j->err), "the copy does not read back: %s", err);
		return -1;
	}
	return 0;
}

/* The worker thread's part of a backup: every step that touches the disk. */
static void
backup_work(uv_work_t *w)
{
	struct job *j = w->data;
	char *dir_copy = xstrdup(j->file);
	const char *dir = dirname(dir_copy);
	double t0 = mono_seconds();
	struct stat sb;
	int fd, ret;

	fd = mkstemp(j->tmp); /* 0600, empty: VACUUM INTO writes into an empty file */
	if (fd < 0) {
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "cannot create a file in %s", dir);
		backup_fail(j, -errno, what);
		free(j->tmp);
		j->tmp = NULL;
		goto out;
	}
	close(fd);
	if (backup_copy(j) < 0)
		goto out;
	if ((ret = sync_path(j->tmp, O_RDONLY)) < 0) {
		backup_fail(j, ret, "fsync of the copy failed");
		goto out;
	}
	if (stat(j->tmp, &sb) == 0)
		j->info.size = (int64_t)sb.st_size;
	if (rename(j->tmp, j->file) < 0) {
		backup_fail(j, -errno, "cannot rename the copy to the backup's name");
		goto out;
	}
	free(j->tmp);
	j->tmp = NULL;
	if ((ret = sync_path(dir, O_RDONLY | O_DIRECTORY)) < 0)
		backup_fail(j, ret, "fsync of the backup's directory failed");
out:
	if (j->tmp)
		unlink(j->tmp);
	j->seconds = mono_seconds() - t0;
	free(dir_copy);
}

static void
backup_done(uv_work_t *w, int status)
{
	struct job *j = w->data;
	struct maint *m = j->m;

	m->backup = NULL;
	if (status < 0 && !j->error) {
		j->error = -ECANCELED;
		snprintf(j->err, sizeof(j->err), "the backup was cancelled");
	}
	if (j->error) {
		log_err("backup to %s failed: %s", j->file, j->err);
		finish(m, j->req, OPS_ERR_BACKUP_FAILED,
		       json_pack("{ss ss}", "file", j->file, "message", j->err), NULL);
	} else {
		log_notice("backup written to %s: %lld bytes, schema version %d, in %.1f s",
			   j->file, (long long)j->info.size, j->info.schema_version, j->seconds);
		finish(m, j->req, OPS_OK, NULL,
		       json_pack("{ss sI si so sf}", "file", j->file, "size",
				 (json_int_t)j->info.size, "schema_version", j->info.schema_version,
				 "snapshot", ops_instant_json(j->now), "seconds", j->seconds));
	}
	job_free(j);
}

/* Whether path (absolute) names the database at db or one of its companion files. */
static bool
is_database(const char *path, const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char *a = xstrdup(path), *b = xstrdup(db), rd[PATH_MAX], rp[PATH_MAX];
	bool same = false;
	struct stat s1, s2;

	if (realpath(dirname(a), rd) && realpath(dirname(b), rp) && strcmp(rd, rp) == 0) {
		const char *base = strrchr(path, '/') + 1, *dbase = strrchr(db, '/');

		dbase = dbase ? dbase + 1 : db;
		for (size_t i = 0; i < FV_ARRAY_SIZE(sfx); i++) {
			char name[PATH_MAX];

			snprintf(name, sizeof(name), "%s%s", dbase, sfx[i]);
			same = same || strcmp(base, name) == 0;
		}
	}
	if (stat(path, &s1) == 0 && stat(db, &s2) == 0)
		same = same || (s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino);
	free(a);
	free(b);
	return same;
}

/* Whether the directories of paths a and b (absolute) are the same directory. */
static bool
same_dir(const char *a, const char *b)
{
	char *ac = xstrdup(a), *bc = xstrdup(b), ra[PATH_MAX], rb[PATH_MAX];
	bool same = realpath(dirname(ac), ra) && realpath(dirname(bc), rb) && strcmp(ra, rb) == 0;

	free(ac);
	free(bc);
	return same;
}

/*
 * Why file may not be a backup's name (NULL: it may): it exists and is not a regular file
 * (a rename would replace the socket, a symbolic link's target would not be written), or it
 * is in the database's directory or the control socket's, where a copy does not belong.
 */
static const char *
backup_place_refused(const struct conf *conf, const char *file)
{
	struct stat sb;

	if (lstat(file, &sb) == 0 && !S_ISREG(sb.st_mode))
		return S_ISLNK(sb.st_mode) ? "that is a symbolic link: name the file itself"
					   : "that exists and is not a regular file (a directory, "
					     "a socket, a device): choose another file";
	if (same_dir(file, conf->database))
		return "that is in the database's directory: choose another directory, such as "
		       "/var/backups/fristvakt";
	if (same_dir(file, conf->socket))
		return "that is in the control socket's directory: choose another directory, such "
		       "as /var/backups/fristvakt";
	return NULL;
}

/* The refusals of a Backup call before any work: true when req was answered. */
static bool
backup_refused(struct maint *m, struct ops_req *req, const char *file)
{
	const char *base = strrchr(file, '/'), *why = NULL;

	if (file[0] != '/' || !base || !base[1] || strlen(file) > PATH_MAX - 32) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "file", "message",
				    "an absolute path of a file is needed (the CLI makes a "
				    "relative one absolute)"));
		return true;
	}
	if (is_database(file, m->env->conf->database)) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "file", "message",
				    "that is the database itself: choose another file"));
		return true;
	}
	if ((why = backup_place_refused(m->env->conf, file))) {
		ops_reply(req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "file", "message", why));
		return true;
	}
	if (m->backup) {
		finish(m, req, OPS_ERR_BACKUP_IN_PROGRESS,
		       json_pack("{ss}", "file", m->backup->file), NULL);
		return true;
	}
	return false;
}

void
maint_backup(struct ops_env *env, struct ops_req *req)
{
	struct maint *m = daemon_maint(env->host);
	const char *file = json_string_value(json_object_get(req->params, "file"));
	struct job *j;
	char *dir_copy;
	int ret;

	if (backup_refused(m, req, file))
		return;
	j = xcalloc(1, sizeof(*j));
	j->m = m;
	j->req = req;
	j->now = req->now;
	j->db = xstrdup(env->conf->database);
	j->file = xstrdup(file);
	dir_copy = xstrdup(file);
	j->tmp = xasprintf("%s/.%s.tmp-XXXXXX", dirname(dir_copy), strrchr(file, '/') + 1);
	free(dir_copy);
	j->work.data = j;
	if ((ret = uv_queue_work(m->loop, &j->work, backup_work, backup_done)) < 0) {
		j->error = -EAGAIN;
		snprintf(j->err, sizeof(j->err), "cannot start the backup: %s", uv_strerror(ret));
		finish(m, req, OPS_ERR_BACKUP_FAILED,
		       json_pack("{ss ss}", "file", j->file, "message", j->err), NULL);
		job_free(j);
		return;
	}
	m->backup = j;
	log_info("backup to %s started (uid %u)", file, req->peer.uid);
}

/* The outbox's check that was left out, with why: not ok (it did not pass), skipped. */
static void
reminders_skipped(json_t *checks)
{
	json_array_append_new(
		checks, json_pack("{ss sb sb sI s[s]}", "name", "reminders_planned", "ok", 0,
				  "skipped", 1, "count", (json_int_t)0, "details",
				  "not checked: the deadlines are being recomputed after a change "
				  "of the rules or the reminder policy; check again when that is "
				  "done"));
}

/* The worker thread's part of a check: one read transaction on a connection of its own. */
static void
check_work(uv_work_t *w)
{
	struct job *j = w->data;
	double t0 = mono_seconds();
	struct store *st = NULL;
	int ret;

	if ((ret = store_reader_open(j->db, &st, j->err, sizeof(j->err))) < 0) {
		j->error = ret;
		goto out;
	}
	store_stop_when(st, &j->m->stop);
	if ((ret = store_read_begin(st)) < 0 || (ret = store_check_tables(st, j->checks)) < 0) {
		j->error = ret;
		snprintf(j->err, sizeof(j->err), "reading the database failed: %s",
			 store_errmsg(st));
		goto out;
	}
	if (j->skip_reminders) {
		reminders_skipped(j->checks);
	} else {
		struct ops_env env = { .store = st, .conf = j->conf };

		if ((ret = ops_check_reminders(&env, j->now, j->checks)) < 0) {
			j->error = ret;
			snprintf(j->err, sizeof(j->err), "reading the outbox failed: %s",
				 store_errmsg(st));
		}
	}
	store_read_end(st);
out:
	store_close(st);
	j->seconds = mono_seconds() - t0;
}

/*
 * How many checks failed; logs each that did not pass (names and counts only), and counts
 * those skipped (not run: they did not pass either) into *skipped.
 */
static int
checks_failed(const json_t *checks, int *skipped)
{
	int failed = 0;
	size_t i;
	json_t *c;

	*skipped = 0;
	json_array_foreach(checks, i, c)
	{
		if (json_is_true(json_object_get(c, "ok")))
			continue;
		if (json_is_true(json_object_get(c, "skipped"))) {
			(*skipped)++;
			log_notice("fristvakt check: %s not checked",
				   json_string_value(json_object_get(c, "name")));
			continue;
		}
		failed++;
		log_warn("fristvakt check: %s failed (%lld found)",
			 json_string_value(json_object_get(c, "name")),
			 (long long)json_integer_value(json_object_get(c, "count")));
	}
	return failed;
}

/* The integrity check's verdict into Status ("ok" or "damaged"). */
static void
note_integrity(struct maint *m, const json_t *checks, double seconds)
{
	size_t i;
	json_t *c;

	json_array_foreach(checks, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "name")), "integrity") != 0)
			continue;
		m->env->integrity = json_is_true(json_object_get(c, "ok")) ? "ok" : "damaged";
		/* The result, its time and its duration tell of the same check (the metrics). */
		m->env->integrity_at = (int64_t)time(NULL);
		m->env->integrity_seconds = seconds;
	}
}

static void
check_done(uv_work_t *w, int status)
{
	struct job *j = w->data;
	struct maint *m = j->m;
	bool ok;
	int failed, skipped = 0;

	m->check = NULL;
	if (status < 0 || j->error) {
		if (!j->err[0])
			snprintf(j->err, sizeof(j->err), "the check was cancelled");
		log_err("fristvakt check could not run: %s", j->err);
		finish(m, j->req, OPS_ERR_STORAGE_FAILURE, json_pack("{ss}", "message", j->err),
		       NULL);
		job_free(j);
		return;
	}
	note_integrity(m, j->checks, j->seconds);
	failed = checks_failed(j->checks, &skipped);
	ok = failed == 0 && skipped == 0;
	log_notice("fristvakt check: %s in %.1f s",
		   failed ? "problems found"
		   : ok	  ? "everything is fine"
			  : "no problems found, but not everything was checked",
		   j->seconds);
	finish(m, j->req, OPS_OK, NULL,
	       json_pack("{sb si sO ss si so sf}", "ok", ok, "skipped", skipped, "checks",
			 j->checks, "database", j->db, "schema_version",
			 store_schema_version(m->env->store), "started", ops_instant_json(j->now),
			 "seconds", j->seconds));
	job_free(j);
}

void
maint_check(struct ops_env *env, struct ops_req *req)
{
	struct maint *m = daemon_maint(env->host);
	struct job *j;
	int ret;

	if (m->check) {
		finish(m, req, OPS_ERR_CHECK_IN_PROGRESS,
		       json_pack("{so}", "started", ops_instant_json(m->check->now)), NULL);
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->m = m;
	j->req = req;
	j->now = req->now;
	j->db = xstrdup(env->conf->database);
	j->conf = env->conf;
	j->skip_reminders = m->recomputing(env->host);
	j->checks = json_array();
	j->work.data = j;
	if ((ret = uv_queue_work(m->loop, &j->work, check_work, check_done)) < 0) {
		snprintf(j->err, sizeof(j->err), "cannot start the check: %s", uv_strerror(ret));
		finish(m, req, OPS_ERR_STORAGE_FAILURE, json_pack("{ss}", "message", j->err), NULL);
		job_free(j);
		return;
	}
	m->check = j;
}
