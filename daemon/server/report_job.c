// SPDX-License-Identifier: GPL-3.0-or-later
/* report_job: GetReport on a worker thread (see report_job.h). */
#include "server/report_job.h"

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

static void
job_free(struct report_job *j)
{
	report_deinit(&j->r);
	free(j->service);
	free(j->unit);
	free(j->path);
	free(j);
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

	if (status < 0 || j->ret < 0) {
		log_err("GetReport: %s", status < 0 ? uv_strerror(status) : j->err);
		ops_reply(j->req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", status < 0 ? uv_strerror(status) : j->err));
		job_free(j);
		return;
	}
	log_debug("GetReport: %d months read in %.1f ms", j->r.months, ms);
	report_judge_unreasoned(&j->r, rules);
	out = report_json(&j->r, rules, j->service);
	json_object_set_new(out, "service", j->service ? json_string(j->service) : json_null());
	json_object_set_new(out, "unit", j->unit ? json_string(j->unit) : json_null());
	json_object_set_new(out, "today", json_string(j->today));
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
	j = xcalloc(1, sizeof(*j));
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
	};
	if ((ret = uv_queue_work(env->loop, &j->work, job_work, job_done)) < 0) {
		ops_reply(req, OPS_ERR_STORAGE_FAILURE,
			  json_pack("{ss}", "message", uv_strerror(ret)));
		job_free(j);
	}
}
