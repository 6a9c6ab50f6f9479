/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_job: GetReport, the compliance report (core/report.h), read by the store on a
 * libuv worker thread with a read-only connection of its own (store_report_read()), so
 * that the aggregation over every case of the period never holds the event loop: other
 * clients are served and the watchdog is fed meanwhile. The call's reply waits for it.
 * At most REPORT_JOBS_MAX run at a time: a call beyond them is answered ReportBusy at
 * once (nothing is queued), so that reports cannot crowd out backups and checks on the
 * thread pool.
 */
#ifndef FV_SERVER_REPORT_JOB_H
#define FV_SERVER_REPORT_JOB_H

#include "ops/ops.h"

/* The handler of no.fristvakt.GetReport (parameters checked by its row). */
void report_job_get(struct ops_env *env, struct ops_req *req);

#define REPORT_JOBS_MAX 2

/*
 * At shutdown: every report under way gives up at once (work not started is cancelled, a
 * running one's queries are interrupted), so that the loop does not wait for it; its
 * connection is closed with the others, without a reply.
 */
void report_job_stop(void);

#endif
