// SPDX-License-Identifier: GPL-3.0-or-later
/* report_job: GetReport on a worker thread (see report_job.h). */
#include "server/report_job.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/cal.h"
#include "core/log.h"
#include "core/report.h"
#include "core/rules.h"
#include "core/util.h"
#include "store/store.h"

struct report_job {
	uv_work_t work;
	struct report_job *next; /* in jobs */
	atomic_bool stop;	 /* set on the loop at shutdown; the worker's queries give up */
	bool recomputing;	 /* the deadlines were being recomputed when it was asked for */
	struct ops_env *env;
	struct ops_req *req;
	struct report r;
	struct store_report_query q;
	char from[CAL_DATE_LEN];
	char to[CAL_DATE_LEN];
	char today[CAL_DATE_LEN];
	char *service;
	char *unit;
	char *path;
	char err[512];
	int ret;
	uint64_t started; /* uv_hrtime() */
};

/* The reports under way (on the loop thread only): at most REPORT_JOBS_MAX. */
static struct report_job *jobs;
static unsigned n_jobs;

static void
job_free(struct report_job *j)
{
	for (struct report_job **p = &jobs; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			n_jobs--;
			break;
		}
	}
	report_deinit(&j->r);
	free(j->service);
	free(j->unit);
	free(j->path);
	free(j);
}

/* Whether every case's deadlines are being recomputed (a change of the rules). */
static bool
recomputing_now(struct ops_env *env)
{
	return env->recomputing && env->recomputing(env->host);
}

/* On the worker thread: the store's queries, nothing of the loop's. */
static void
job_work(uv_work_t *w)
{
	struct report_job *j = w->data;

	j->ret = store_report_read(j->path, &j->q, &j->r, j->err, sizeof(j->err));
}

static void
job_done(uv_work_t *w, int status)
{
	struct report_job *j = w->data;
	const struct rules *rules = j->env->conf->rules;
	double ms = (double)(uv_hrtime() - j->started) / 1e6;
	json_t *out;

	if (status == UV_ECANCELED || atomic_load(&j->stop)) {
		log_info("GetReport: cut short by the shutdown");
		ops_reply(j->req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", "the daemon is shutting down"));
		job_free(j);
		return;
	}
	if (status < 0 || j->ret < 0) {
		log_err("GetReport: %s", status < 0 ? uv_strerror(status) : j->err);
		ops_reply(j->req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", status < 0 ? uv_strerror(status) : j->err));
		job_free(j);
		return;
	}
	if (j->r.unit_unknown) {
		ops_reply(j->req, OPS_ERR_INVALID_PARAMETER,
			  json_pack("{ss ss}", "parameter", "unit", "message",
				    "no case of the register has this unit"));
		job_free(j);
		return;
	}
	log_debug("GetReport: %d months read in %.1f ms", j->r.months, ms);
	report_judge_decisions(&j->r, rules);
	out = report_json(&j->r, rules, j->service);
	json_object_set_new(out, "service", j->service ? json_string(j->service) : json_null());
	json_object_set_new(out, "unit", j->unit ? json_string(j->unit) : json_null());
	json_object_set_new(out, "today", json_string(j->today));
	json_object_set_new(out, "recomputing",
			    json_boolean(j->recomputing || recomputing_now(j->env)));
	ops_reply(j->req, OPS_OK, out);
	job_free(j);
}

static bool
bad(struct ops_req *req, const char *parameter, const char *message)
{
	ops_reply(req, OPS_ERR_INVALID_PARAMETER,
		  json_pack("{ss ss}", "parameter", parameter, "message", message));
	return false;
}

/* The period's days from the parameters: false when answered with an error. */
static bool
period(struct ops_req *req, struct cal_date *from, struct cal_date *to)
{
	const char *f = json_string_value(json_object_get(req->params, "from"));
	const char *t = json_string_value(json_object_get(req->params, "to"));

	if (cal_date_parse(f, from) < 0)
		return bad(req, "from", "'from' must be a date YYYY-MM-DD");
	if (cal_date_parse(t, to) < 0)
		return bad(req, "to", "'to' must be a date YYYY-MM-DD");
	if (cal_cmp(*to, *from) < 0)
		return bad(req, "to", "'to' is before 'from'");
	if (report_month_count(*from, *to) > REPORT_MAX_MONTHS)
		return bad(req, "to", "a report covers at most 60 calendar months (5 years)");
	return true;
}

static json_t *
known_services(const struct rules *rules)
{
	json_t *a = json_array();

	for (size_t i = 0; i < rules_service_count(rules); i++)
		json_array_append_new(a, json_string(rules_service_id(rules, i)));
	return a;
}

void
report_job_get(struct ops_env *env, struct ops_req *req)
{
	const char *service = json_string_value(json_object_get(req->params, "service"));
	const char *unit = json_string_value(json_object_get(req->params, "unit"));
	struct cal_date from, to, today;
	struct report_job *j;
	int ret;

	if (!period(req, &from, &to))
		return;
	if (service && !rules_has_service(env->conf->rules, service)) {
		ops_reply(req, OPS_ERR_UNKNOWN_SERVICE,
			  json_pack("{ss so}", "service", service, "known",
				    known_services(env->conf->rules)));
		return;
	}
	if (n_jobs >= REPORT_JOBS_MAX) {
		ops_reply(req, OPS_ERR_REPORT_BUSY, json_pack("{si}", "running", (int)n_jobs));
		return;
	}
	j = xcalloc(1, sizeof(*j));
	atomic_init(&j->stop, false);
	j->recomputing = recomputing_now(env);
	j->env = env;
	j->req = req;
	j->work.data = j;
	j->started = uv_hrtime();
	report_init(&j->r, from, to);
	if (service) /* shown even when it has no figure */
		report_at(&j->r, service, cal_date_format(from, j->from), NULL, NULL);
	cal_date_of_instant(req->now, &today);
	j->service = service ? xstrdup(service) : NULL;
	j->unit = unit ? xstrdup(unit) : NULL;
	j->path = xstrdup(env->conf->database);
	j->q = (struct store_report_query){
		.from = cal_date_format(from, j->from),
		.to = cal_date_format(to, j->to),
		.service = j->service,
		.unit = j->unit,
		.today = cal_date_format(today, j->today),
		.stop = &j->stop,
	};
	j->next = jobs;
	jobs = j;
	n_jobs++;
	if ((ret = uv_queue_work(env->loop, &j->work, job_work, job_done)) < 0) {
		ops_reply(req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", uv_strerror(ret)));
		job_free(j);
	}
}

void
report_job_stop(void)
{
	for (struct report_job *j = jobs; j; j = j->next) {
		atomic_store(&j->stop, true);
		/* Not started yet: job_done() comes with UV_ECANCELED; else the queries give up. */
		uv_cancel((uv_req_t *)&j->work);
	}
}
