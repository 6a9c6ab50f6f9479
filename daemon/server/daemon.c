// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * daemon: start-up, signals, reload and shutdown (see daemon.h).
 *
 * Start-up order: configuration (exit on error, naming file and line), time zone (before
 * any library starts a thread), database (created, migrated), control socket, signals and
 * watchdog, then READY=1, then the database's integrity check on a thread of its own.
 * Signal handlers are uv_signal_t callbacks and only record intent or start work on the
 * loop; SIGPIPE is ignored. Shutdown stops accepting, closes every handle, and requires
 * uv_loop_close() to succeed.
 */
#include "server/daemon.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <systemd/sd-daemon.h>
#include <uv.h>

#include "ops/ops.h"
#include "build_config.h"
#include "conf/conf.h"
#include "server/ctl.h"
#include "server/maint.h"
#include "server/restore.h"
#include "core/log.h"
#include "core/metrics.h"
#include "delivery/notify.h"
#include "server/metrics_http.h"
#include "server/report_job.h"
#include "server/retention.h"
#include "server/scheduler.h"
#include "store/store.h"
#include "core/util.h"

struct daemon {
	uv_loop_t loop;
	char *config_path;
	struct conf *conf;
	struct store *store;
	int guard; /* the database's directory, locked against a restore (restore_guard) */
	struct ctl *ctl;
	struct metrics_http *metrics; /* NULL: no metrics.listen */
	struct notify *notify;
	struct scheduler *sched;
	struct maint *maint;	     /* Backup and Check on worker threads */
	struct retention *retention; /* the purge of closed cases (retention.closed_after) */
	struct ops_env env;
	int64_t clock_offset; /* the test clock: seconds added to the wall clock */
	uv_timer_t drain;     /* shutdown: waits a bounded time for deliveries in flight */
	uint64_t drain_started;
	uv_signal_t sig_term;
	uv_signal_t sig_int;
	uv_signal_t sig_hup;
	uv_timer_t watchdog;
	/* Group commit: the check handle commits after the loop turn's I/O; the idle handle
	 * keeps that turn's poll from blocking while a commit is due. */
	uv_check_t commit_check;
	uv_idle_t commit_idle;
	/* Recomputing every case's deadlines in chunks, after a reload and at start-up. */
	uv_idle_t recompute;
	int64_t recompute_cursor;
	/* The integrity check of the database, on a thread of its own after READY=1. */
	uv_thread_t check_tid;
	uv_async_t check_async; /* the thread finished */
	struct store_check *check;
	uint64_t check_started;
	bool watchdog_on;
	bool stopping;
	int exit_status; /* of a shutdown that was not asked for: FV_EXIT_DAMAGED */
};

/* Exit status after the integrity check found the database damaged (EX_DATAERR). */
#define FV_EXIT_DAMAGED 65

#define DRAIN_MS 5000

static int64_t
wall_now(void *host)
{
	struct daemon *d = host;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + (d ? d->clock_offset : 0);
}

static void
set_clock_offset(void *host, int64_t offset)
{
	struct daemon *d = host;

	d->clock_offset = offset;
	/* What is due at the new time goes out now. */
	if (d->sched)
		scheduler_kick(d->sched);
	retention_kick(d->retention);
}

static int64_t
clock_offset(void *host)
{
	struct daemon *d = host;

	return d->clock_offset;
}

struct retention *
daemon_retention(void *host)
{
	struct daemon *d = host;

	return d->retention;
}

static unsigned
connections(void *host)
{
	struct daemon *d = host;

	return d->ctl ? ctl_connections(d->ctl) : 0;
}

static void
on_commit_idle(uv_idle_t *h)
{
	(void)h;
}

static void
on_commit_check(uv_check_t *h)
{
	struct daemon *d = h->data;

	uv_check_stop(&d->commit_check);
	uv_idle_stop(&d->commit_idle);
	ops_commit(&d->env);
	/* New or rescheduled reminders are visible now: let the scheduler look. */
	if (d->env.reminders_changed && d->sched) {
		d->env.reminders_changed = false;
		scheduler_kick(d->sched);
	}
}

static void
schedule_commit(void *host)
{
	struct daemon *d = host;

	uv_check_start(&d->commit_check, on_commit_check);
	uv_idle_start(&d->commit_idle, on_commit_idle);
}

#define RECOMPUTE_CHUNK 200

static void
on_recompute(uv_idle_t *h)
{
	struct daemon *d = h->data;
	int ret = ops_recompute_step(&d->env, &d->recompute_cursor, RECOMPUTE_CHUNK, d->env.now(d));

	if (ret > 0)
		return;
	uv_idle_stop(h);
	/* A purge waits for the deadlines it judges by. */
	retention_kick(d->retention);
	if (ret < 0) {
		log_err("recomputing deadlines stopped at case id %lld: %s",
			(long long)d->recompute_cursor, strerror(-ret));
		return;
	}
	/* Done: remember which rules the stored deadlines follow. */
	if (ops_txn_enter(&d->env) == 0) {
		ret = store_meta_set(d->store, "rules_fingerprint", d->conf->rules_fingerprint);
		ops_txn_leave(&d->env, ret == 0);
	}
	log_info("deadlines recomputed with the rules in force");
}

/*
 * Recomputes every case from the first when the rules (or reminder policy) differ from
 * those the stored deadlines were computed with.
 */
static void
recompute_all(struct daemon *d)
{
	char *stored = NULL;

	store_meta_get(d->store, "rules_fingerprint", &stored);
	if (stored && strcmp(stored, d->conf->rules_fingerprint) == 0) {
		free(stored);
		return;
	}
	if (stored)
		log_info("the rules changed: recomputing every case's deadlines and reminders");
	else
		log_info("no record of the rules the stored deadlines follow (a new database, or "
			 "one from an older version): computing every case's deadlines and "
			 "reminders");
	free(stored);
	d->recompute_cursor = 0;
	uv_idle_start(&d->recompute, on_recompute);
}

/* Whether every case's deadlines are being recomputed (the outbox is not checked then). */
static bool
recomputing(void *host)
{
	struct daemon *d = host;

	return uv_is_active((uv_handle_t *)&d->recompute);
}

struct maint *
daemon_maint(void *host)
{
	struct daemon *d = host;

	return d->maint;
}

static void
notify_status(struct daemon *d)
{
	sd_notifyf(0, "STATUS=Serving on %s; configuration %s", ctl_socket_path(d->ctl),
		   d->conf->path);
}

/* Keys that only a restart can change: the reload is refused rather than half-applied. */
static int
check_immutable(const struct conf *old, const struct conf *new, struct diag *err)
{
	if (strcmp(old->database, new->database) != 0)
		diag_set(err, new->path, 0, "'database' cannot change on reload; restart");
	else if (strcmp(old->socket, new->socket) != 0)
		diag_set(err, new->path, 0, "'control.socket' cannot change on reload; restart");
	else if (strcmp(old->timezone, new->timezone) != 0)
		diag_set(err, new->path, 0, "'timezone' cannot change on reload; restart");
	else if (strcmp(old->metrics.listen ? old->metrics.listen : "",
			new->metrics.listen ? new->metrics.listen : "") != 0)
		diag_set(err, new->path, 0, "'metrics.listen' cannot change on reload; restart");
	else
		return 0;
	return -EINVAL;
}

static int
reload(void *host, struct diag *err)
{
	struct daemon *d = host;
	struct conf *conf = NULL;
	struct timespec mono;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading %s",
		   (unsigned long long)mono.tv_sec * 1000000ULL +
			   (unsigned long long)mono.tv_nsec / 1000ULL,
		   d->config_path);
	ret = conf_load(d->config_path, &conf, err);
	if (ret == 0)
		ret = check_immutable(d->conf, conf, err);
	if (ret < 0) {
		log_err("reload failed, keeping the running configuration: %s", err->text);
		metrics_count_reload(false);
		conf_free(conf);
		sd_notify(0, "READY=1");
		notify_status(d);
		return ret;
	}
	/* Everything that borrows the configuration switches at once, in this callback. */
	ctl_set_conf(d->ctl, conf);
	notify_configure(d->notify, conf);
	d->env.conf = conf;
	/*
	 * The test clock lives only while testing.clock_control allows it: without the
	 * methods to move it back, an offset kept past the reload would shift every deadline,
	 * reminder and "in the future" check until a restart.
	 */
	if (!conf->clock_control && d->clock_offset != 0) {
		log_notice("testing.clock_control is off: back to the wall clock (the test "
			   "clock was %lld s off)",
			   (long long)d->clock_offset);
		d->clock_offset = 0;
		d->env.reminders_changed = true;
	}
	d->env.conf_loaded = wall_now(d);
	/* A check running reads the reminder policy it started with: it frees that when done. */
	if (!maint_conf_retired(d->maint, d->conf))
		conf_free(d->conf);
	d->conf = conf;
	log_set_level(conf->log_level);
	log_notice("configuration reloaded from %s", conf->path);
	metrics_count_reload(true);
	scheduler_kick(d->sched);
	retention_kick(d->retention);
	recompute_all(d);
	sd_notify(0, "READY=1");
	notify_status(d);
	return 0;
}

/* Last step of a shutdown: notify has stopped; commit what it reported and close. */
static void
notify_stopped(void *arg)
{
	struct daemon *d = arg;

	notify_free(d->notify);
	d->notify = NULL;
	ops_commit(&d->env);
	uv_close((uv_handle_t *)&d->commit_check, NULL);
	uv_close((uv_handle_t *)&d->commit_idle, NULL);
}

/* Waits for deliveries in flight, a bounded time; what is cut off is sent after a restart. */
static void
on_drain(uv_timer_t *t)
{
	struct daemon *d = t->data;

	if (notify_pending(d->notify) > 0 && uv_now(&d->loop) - d->drain_started < DRAIN_MS)
		return;
	if (notify_pending(d->notify) > 0)
		log_warn("stopping with %u deliveries in flight; they are sent again after the "
			 "restart",
			 notify_pending(d->notify));
	uv_close((uv_handle_t *)&d->drain, NULL);
	notify_stop(d->notify, notify_stopped, d);
}

static void
stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
	log_notice("shutting down");
	/* A purge under way ends with its last slice and answers its caller (audited). */
	retention_stop(d->retention);
	d->retention = NULL;
	/* A report under way gives up and is answered before the socket closes. */
	report_job_stop();
	/* What was accepted in this turn is committed and answered before the socket closes. */
	ops_commit(&d->env);
	ctl_stop(d->ctl);
	d->ctl = NULL;
	metrics_http_stop(d->metrics);
	d->metrics = NULL;
	scheduler_stop(d->sched);
	d->sched = NULL;
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->watchdog, NULL);
	uv_close((uv_handle_t *)&d->recompute, NULL);
	maint_stop(d->maint);
	/* A check still running gives up at once; check_done() runs before the loop ends. */
	if (d->check)
		store_check_interrupt(d->check);
	d->drain_started = uv_now(&d->loop);
	uv_timer_start(&d->drain, on_drain, 0, 100);
	/* SIGINT stays watched: a second one exits at once. */
}

/* A second SIGINT while stopping. Async-signal-safe: write() and _exit() only. */
static void
on_second_sigint(int signum)
{
	static const char msg[] = "<4>second SIGINT: exiting at once\n";
	ssize_t n;

	(void)signum;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(130);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	struct diag err;

	switch (signum) {
	case SIGHUP:
		log_notice("SIGHUP: reloading %s", d->config_path);
		reload(d, &err);
		break;
	case SIGINT:
		/* The second one must work also while a callback holds the loop: from now on
		 * the kernel delivers SIGINT to a handler that only exits. */
		signal(SIGINT, on_second_sigint);
		/* fall through */
	case SIGTERM:
		log_notice("%s received", signum == SIGINT ? "SIGINT" : "SIGTERM");
		stop(d);
		if (signum == SIGTERM)
			uv_close((uv_handle_t *)&d->sig_int, NULL);
		else
			uv_unref((uv_handle_t *)&d->sig_int);
		break;
	default:
		break;
	}
}

/*
 * The check's thread: idle priority (SCHED_IDLE), so that on a busy or single CPU it takes
 * only time the event loop leaves, and no signals (they are the loop's).
 */
static void
check_thread(void *arg)
{
	struct daemon *d = arg;
	struct sched_param sp = { 0 };
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* The shipped unit's system-call filter refuses it (@resources, kept out for the
	 * exposure score): the check then runs at normal priority, which on a server with two
	 * or more CPUs leaves the loop its own. */
	(void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	store_check_run(d->check);
	uv_async_send(&d->check_async);
}

static void
check_done(uv_async_t *h)
{
	struct daemon *d = h->data;
	double secs = (double)(uv_now(&d->loop) - d->check_started) / 1000.0;

	uv_thread_join(&d->check_tid);
	uv_close((uv_handle_t *)&d->check_async, NULL);
	if (!d->stopping) {
		d->env.integrity_at = wall_now(NULL);
		d->env.integrity_seconds = secs;
	}
	if (store_check_ok(d->check)) {
		d->env.integrity = "ok";
		log_info("database %s passed PRAGMA quick_check in %.1f s", d->conf->database,
			 secs);
	} else if (d->stopping) {
		d->env.integrity = "not checked";
		log_info("the database check was cut short by the shutdown");
	} else {
		log_err("database %s failed PRAGMA quick_check: %s; stopping (exit status %d): "
			"restore a backup, see fristvaktd(8)",
			d->conf->database, store_check_result(d->check), FV_EXIT_DAMAGED);
		d->exit_status = FV_EXIT_DAMAGED;
		stop(d);
		/* As after SIGINT: the loop may end, a SIGINT while draining still exits at once. */
		uv_unref((uv_handle_t *)&d->sig_int);
	}
	store_check_free(d->check);
	d->check = NULL;
}

/*
 * PRAGMA quick_check reads the whole file, seconds per GiB: it runs on a thread of its
 * own with a connection of its own while the daemon serves. WAL gives that connection a
 * snapshot of its own; what the daemon writes meanwhile is not checked until the next
 * start.
 */
static void
check_start(struct daemon *d)
{
	char err[512];
	int ret;

	if (store_checked(d->store)) {
		/* Checked before the migration in store_open(), not timed. */
		d->env.integrity = "ok";
		d->env.integrity_at = wall_now(NULL);
		return;
	}
	if (store_check_new(d->conf->database, &d->check, err, sizeof(err)) < 0) {
		log_err("database: %s", err);
		d->env.integrity = "not checked";
		return;
	}
	uv_async_init(&d->loop, &d->check_async, check_done);
	d->check_async.data = d;
	d->check_started = uv_now(&d->loop);
	if ((ret = uv_thread_create(&d->check_tid, check_thread, d)) < 0) {
		log_err("database: cannot start its integrity check: %s", uv_strerror(ret));
		uv_close((uv_handle_t *)&d->check_async, NULL);
		store_check_free(d->check);
		d->check = NULL;
		d->env.integrity = "not checked";
		return;
	}
	d->env.integrity = "checking";
}

static void
on_watchdog(uv_timer_t *t)
{
	(void)t;
	sd_notify(0, "WATCHDOG=1");
}

/* The installation id the migrations made (db/005_installation_channels.sql) into d->env. */
static int
load_installation(struct daemon *d, char *err, size_t errlen)
{
	char *id = NULL;
	int ret = store_meta_get(d->store, "installation", &id);
	size_t n = id ? strlen(id) : 0;

	if (ret == 0 &&
	    (n < 16 || n >= sizeof(d->env.installation) || strspn(id, "0123456789abcdef") != n))
		ret = -EINVAL;
	if (ret < 0)
		snprintf(err, errlen, "the installation id is missing or malformed (%s)",
			 ret == -ENOENT ? "missing" : strerror(-ret));
	else
		memcpy(d->env.installation, id, n + 1);
	free(id);
	return ret;
}

/*
 * The control socket, then the metrics' HTTP listener when metrics.listen asks for it
 * (after the database is open: a scrape reads it). 0, or a negative errno (logged) with
 * neither left open.
 */
static int
start_listeners(struct daemon *d)
{
	char err[512];
	int ret = ctl_start(&d->loop, d->conf, &d->env, &d->ctl, err, sizeof(err));

	if (ret < 0) {
		log_err("control socket: %s", err);
		return ret;
	}
	if (!d->conf->metrics.listen)
		return 0;
	ret = metrics_http_start(&d->loop, &d->conf->metrics, &d->env, &d->metrics, err,
				 sizeof(err));
	if (ret < 0) {
		log_err("%s", err);
		ctl_stop(d->ctl);
		d->ctl = NULL;
	}
	return ret;
}

/* Closes the handles start() made before a listener or the notifier failed. */
static void
close_start_handles(struct daemon *d)
{
	uv_close((uv_handle_t *)&d->commit_check, NULL);
	uv_close((uv_handle_t *)&d->commit_idle, NULL);
	uv_close((uv_handle_t *)&d->recompute, NULL);
	uv_close((uv_handle_t *)&d->drain, NULL);
	uv_run(&d->loop, UV_RUN_DEFAULT);
}

/* The signal handlers and, when systemd asks for one, the watchdog timer. */
static void
start_signals(struct daemon *d)
{
	uint64_t usec = 0;

	uv_signal_init(&d->loop, &d->sig_term);
	uv_signal_init(&d->loop, &d->sig_int);
	uv_signal_init(&d->loop, &d->sig_hup);
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	uv_timer_init(&d->loop, &d->watchdog);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		uv_timer_start(&d->watchdog, on_watchdog, usec / 2000, usec / 2000);
		d->watchdog_on = true;
	}
}

/* The database opened, once no restore runs (and none can start while the daemon runs). */
static int
open_database(struct daemon *d)
{
	char err[PATH_MAX + 64];
	int ret;

	if ((d->guard = restore_guard(d->conf->database, false, err, sizeof(err))) < 0) {
		log_err("database: %s", d->guard == -EWOULDBLOCK
						? "a restore (fristvaktd --restore) is under way: "
						  "start fristvaktd when it is done"
						: err);
		return d->guard;
	}
	if ((ret = store_open(d->conf->database, &d->store, err, sizeof(err))) < 0)
		log_err("database: %s", err);
	return ret;
}

static int
start(struct daemon *d)
{
	char err[512];
	int ret = open_database(d);

	if (ret < 0)
		return ret;
	log_info("database %s at schema version %d", d->conf->database,
		 store_schema_version(d->store));
	d->env = (struct ops_env){
		.store = d->store,
		.conf = d->conf,
		.started = wall_now(d),
		.conf_loaded = wall_now(d),
		.host = d,
		.loop = &d->loop,
		.reload = reload,
		.connections = connections,
		.now = wall_now,
		.schedule_commit = schedule_commit,
		.set_clock_offset = set_clock_offset,
		.clock_offset = clock_offset,
		.recomputing = recomputing,
		.integrity_seconds = -1,
	};
	if ((ret = load_installation(d, err, sizeof(err))) < 0) {
		log_err("database: %s", err);
		return ret;
	}
	uv_check_init(&d->loop, &d->commit_check);
	uv_idle_init(&d->loop, &d->commit_idle);
	uv_idle_init(&d->loop, &d->recompute);
	uv_timer_init(&d->loop, &d->drain);
	d->commit_check.data = d;
	d->recompute.data = d;
	d->drain.data = d;
	d->maint = maint_new(&d->loop, &d->env, recomputing);
	if ((ret = start_listeners(d)) < 0) {
		close_start_handles(d);
		return ret;
	}
	if ((ret = notify_new(&d->loop, &d->notify)) < 0) {
		log_err("notifications: %s", strerror(-ret));
		ctl_stop(d->ctl);
		d->ctl = NULL;
		metrics_http_stop(d->metrics);
		d->metrics = NULL;
		close_start_handles(d);
		return ret;
	}
	notify_configure(d->notify, d->conf);
	scheduler_new(&d->loop, &d->env, d->notify, &d->sched);
	d->retention = retention_new(&d->loop, &d->env, recomputing);
	start_signals(d);
	/* The rules may have changed while the daemon was down. */
	recompute_all(d);
	log_notice("fristvaktd %s ready on %s", FV_VERSION, ctl_socket_path(d->ctl));
	sd_notify(0, "READY=1");
	notify_status(d);
	check_start(d);
	return 0;
}

int
daemon_run(const char *config_path)
{
	struct daemon d = { .guard = -1 };
	struct diag cerr;
	bool curl_ok = false;
	int status = 1;
	int ret;

	signal(SIGPIPE, SIG_IGN);
	d.config_path = fv_abspath(config_path);
	if (conf_load(d.config_path, &d.conf, &cerr) < 0) {
		log_err("%s", cerr.text);
		goto out_free;
	}
	log_set_level(d.conf->log_level);
	/* Set once, before anything can start a thread (setenv is not thread-safe); curl's resolver
	 * threads start later. */
	setenv("TZ", d.conf->timezone, 1);
	tzset();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("libcurl failed to initialise");
		goto out_free;
	}
	curl_ok = true;
	if ((ret = uv_loop_init(&d.loop)) < 0) {
		log_err("event loop: %s", uv_strerror(ret));
		goto out_free;
	}
	if (start(&d) < 0) {
		/* start() fails only before it registers anything that outlives it. */
		uv_run(&d.loop, UV_RUN_NOWAIT);
		uv_loop_close(&d.loop);
		goto out_free;
	}
	uv_run(&d.loop, UV_RUN_DEFAULT);
	/* The loop ran dry: every handle was closed. Close what SIGINT left referenced. */
	if (!uv_is_closing((uv_handle_t *)&d.sig_int))
		uv_close((uv_handle_t *)&d.sig_int, NULL);
	uv_run(&d.loop, UV_RUN_DEFAULT);
	ret = uv_loop_close(&d.loop);
	if (ret < 0) {
		log_err("event loop did not close cleanly: %s", uv_strerror(ret));
		goto out_free;
	}
	log_notice("stopped");
	status = d.exit_status;
out_free:
	metrics_process_reset();
	if (curl_ok)
		curl_global_cleanup();
	ops_env_deinit(&d.env);
	maint_free(d.maint);
	store_close(d.store);
	if (d.guard >= 0)
		close(d.guard);
	conf_free(d.conf);
	free(d.config_path);
	return status;
}
