/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daemon: the life of fristvaktd — start-up order, signals, reload, systemd notification
 * (READY, STATUS, RELOADING, STOPPING, WATCHDOG) and an orderly shutdown.
 */
#ifndef FV_DAEMON_H
#define FV_DAEMON_H

/*
 * Runs the daemon on the configuration file at config_path until it is told to stop.
 * Returns the process exit status: 0 after a clean shutdown, 1 when start-up failed (the
 * reason is logged).
 */
int daemon_run(const char *config_path);

/* The purge of closed cases of the daemon that hosts an ops_env (env->host), for the method
 * Purge; NULL while it starts or stops. */
struct retention *daemon_retention(void *host);

#endif
