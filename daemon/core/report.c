// SPDX-License-Identifier: GPL-3.0-or-later
/* report: the compliance report's figures, statistics and escaping (see report.h). */
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"
#include "core/util.h"

int
report_month_count(struct cal_date from, struct cal_date to)
{
	int n = (to.year - from.year) * 12 + (to.month - from.month) + 1;

	return n > 0 ? n : 0;
}

void
report_init(struct report *r, struct cal_date from, struct cal_date to)
{
	memset(r, 0, sizeof(*r));
	r->from = from;
	r->to = to;
	r->months = report_month_count(from, to);
}

void
report_deinit(struct report *r)
{
	for (size_t i = 0; i < r->n_services * (size_t)r->months; i++)
		free(r->cells[i].days);
	for (size_t i = 0; i < r->n_services; i++)
		free(r->services[i]);
	free(r->cells);
	free(r->services);
	free(r->decisions);
	memset(r, 0, sizeof(*r));
}

/* The month index of day ("YYYY-MM..."), or -1 outside the period or when no month. */
static int
month_of(const struct report *r, const char *day)
{
	int y, m, n = 0, idx;

	if (!day || sscanf(day, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || m < 1 || m > 12)
		return -1;
	idx = (y - r->from.year) * 12 + (m - r->from.month);
	return idx >= 0 && idx < r->months ? idx : -1;
}

static size_t
service_index(struct report *r, const char *service)
{
	size_t i, months = (size_t)r->months;

	for (i = 0; i < r->n_services; i++) {
		if (strcmp(r->services[i], service) == 0)
			return i;
	}
	r->services = xrealloc(r->services, (i + 1) * sizeof(*r->services));
	r->services[i] = xstrdup(service);
	r->cells = xrealloc(r->cells, (i + 1) * months * sizeof(*r->cells));
	memset(&r->cells[i * months], 0, months * sizeof(*r->cells));
	r->n_services = i + 1;
	return i;
}

struct report_figures *
report_at(struct report *r, const char *service, const char *day, size_t *svc, int *month)
{
	int m = month_of(r, day);
	size_t s;

	if (m < 0 || !service)
		return NULL;
	s = service_index(r, service);
	if (svc)
		*svc = s;
	if (month)
		*month = m;
	return &r->cells[s * (size_t)r->months + (size_t)m];
}

void
report_add_days(struct report_figures *f, int32_t days)
{
	if (f->n_days == f->cap_days) {
		f->cap_days = f->cap_days ? 2 * f->cap_days : 16;
		f->days = xrealloc(f->days, f->cap_days * sizeof(*f->days));
	}
	f->days[f->n_days++] = days;
}

void
report_add_decision(struct report *r, const char *service, const char *made, const char *outcome,
		    bool written, bool reasoned)
{
	struct report_decision *u;
	struct cal_date day;
	size_t s;
	int m;

	if (!made || cal_date_parse(made, &day) < 0 || !report_at(r, service, made, &s, &m))
		return;
	r->decisions = xrealloc(r->decisions, (r->n_decisions + 1) * sizeof(*r->decisions));
	u = &r->decisions[r->n_decisions++];
	u->service = s;
	u->month = m;
	u->made = day;
	snprintf(u->outcome, sizeof(u->outcome), "%s", outcome ? outcome : "");
	u->written = written;
	u->reasoned = reasoned;
}

void
report_judge_decisions(struct report *r, const struct rules *rules)
{
	for (size_t i = 0; i < r->n_decisions; i++) {
		const struct report_decision *u = &r->decisions[i];
		const struct rules_procedure *proc = rules_procedure_at(rules, u->made);
		struct report_figures *f =
			&r->cells[u->service * (size_t)r->months + (size_t)u->month];

		f->oral += rules_oral_breach(proc, u->written);
		f->unreasoned += rules_unreasoned_breach(proc, u->reasoned, u->outcome);
	}
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

int32_t
report_percentile(const int32_t *sorted, size_t n, int p)
{
	/* rank = ceil(p * n / 100), at least 1. */
	size_t rank = ((size_t)p * n + 99) / 100;

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

bool
report_share(int64_t num, int64_t den, double *out)
{
	if (den <= 0)
		return false;
	*out = (double)num / (double)den;
	return true;
}

static json_t *
share_json(int64_t num, int64_t den)
{
	double v;

	return report_share(num, den, &v) ? json_real(v) : json_null();
}

/* f's days sorted (f is a copy the caller owns). */
static json_t *
figures_json(struct report_figures *f)
{
	json_t *o;

	if (f->n_days > 1)
		qsort(f->days, f->n_days, sizeof(*f->days), cmp_i32);
	o = json_pack("{sI sI sI sI so sI sI so sI sI sI sI sI sI sI sI sI sI}", "applications",
		      (json_int_t)f->applications, "decided", (json_int_t)f->decided, "within_norm",
		      (json_int_t)f->within_norm, "norm_judged", (json_int_t)f->norm_judged,
		      "within_norm_share", share_json(f->within_norm, f->norm_judged), "within_11a",
		      (json_int_t)f->within_11a, "judged_11a", (json_int_t)f->judged_11a,
		      "within_11a_share", share_json(f->within_11a, f->judged_11a),
		      "oral_decisions", (json_int_t)f->oral, "unreasoned_decisions",
		      (json_int_t)f->unreasoned, "late_forwardings", (json_int_t)f->late_forwarding,
		      "missed_promised_dates", (json_int_t)f->missed_promised, "complaints",
		      (json_int_t)f->complaints, "complaints_in_time",
		      (json_int_t)f->complaints_in_time, "complaints_forwarded_in_time",
		      (json_int_t)f->forwarded_in_time, "complaints_settled_by_office",
		      (json_int_t)f->settled_by_office, "norm_deadlines_missed",
		      (json_int_t)f->norm_missed, "deadlines_11a_missed",
		      (json_int_t)f->missed_11a);
	json_object_set_new(o, "processing_days_median",
			    f->n_days ? json_integer(report_percentile(f->days, f->n_days, 50))
				      : json_null());
	json_object_set_new(o, "processing_days_p90",
			    f->n_days ? json_integer(report_percentile(f->days, f->n_days, 90))
				      : json_null());
	return o;
}

/* Adds the counts and days of f to t. */
static void
figures_add(struct report_figures *t, const struct report_figures *f)
{
	t->applications += f->applications;
	t->decided += f->decided;
	t->within_norm += f->within_norm;
	t->norm_judged += f->norm_judged;
	t->within_11a += f->within_11a;
	t->judged_11a += f->judged_11a;
	t->oral += f->oral;
	t->unreasoned += f->unreasoned;
	t->late_forwarding += f->late_forwarding;
	t->missed_promised += f->missed_promised;
	t->complaints += f->complaints;
	t->complaints_in_time += f->complaints_in_time;
	t->forwarded_in_time += f->forwarded_in_time;
	t->settled_by_office += f->settled_by_office;
	t->norm_missed += f->norm_missed;
	t->missed_11a += f->missed_11a;
	for (size_t i = 0; i < f->n_days; i++)
		report_add_days(t, f->days[i]);
}

static bool
figures_empty(const struct report_figures *f)
{
	return !f->applications && !f->decided && !f->oral && !f->unreasoned &&
	       !f->late_forwarding && !f->missed_promised && !f->complaints &&
	       !f->complaints_in_time && !f->forwarded_in_time && !f->settled_by_office &&
	       !f->norm_missed && !f->missed_11a;
}

static char *
month_name(const struct report *r, int m)
{
	int k = r->from.month - 1 + m;

	return xasprintf("%04d-%02d", r->from.year + k / 12, k % 12 + 1);
}

/* Service i's object, or NULL when it has no figure and is not kept. */
static json_t *
service_json(const struct report *r, size_t i, const struct rules *rules, const char *keep)
{
	struct report_figures total = { 0 };
	const char *name = rules ? rules_service_name(rules, r->services[i]) : NULL;
	json_t *months = json_array(), *o;

	for (int m = 0; m < r->months; m++) {
		const struct report_figures *f = &r->cells[i * (size_t)r->months + (size_t)m];
		struct report_figures copy = *f;
		json_t *row;
		char *mn = month_name(r, m);

		figures_add(&total, f);
		copy.days = copy.n_days ? xmalloc(copy.n_days * sizeof(*copy.days)) : NULL;
		if (copy.n_days)
			memcpy(copy.days, f->days, copy.n_days * sizeof(*copy.days));
		row = figures_json(&copy);
		json_object_set_new(row, "month", json_string(mn));
		json_array_append_new(months, row);
		free(copy.days);
		free(mn);
	}
	if (figures_empty(&total) && !(keep && strcmp(keep, r->services[i]) == 0)) {
		json_decref(months);
		free(total.days);
		return NULL;
	}
	o = json_pack("{ss so so so}", "service", r->services[i], "name",
		      name ? json_string(name) : json_null(), "months", months, "total",
		      figures_json(&total));
	free(total.days);
	return o;
}

json_t *
report_json(const struct report *r, const struct rules *rules, const char *keep)
{
	char from[CAL_DATE_LEN], to[CAL_DATE_LEN];
	json_t *months = json_array(), *services = json_array();
	size_t *order = xcalloc(r->n_services + 1, sizeof(*order));

	for (int m = 0; m < r->months; m++) {
		char *mn = month_name(r, m);

		json_array_append_new(months, json_string(mn));
		free(mn);
	}
	/* Services by id, so that the order does not depend on the rows' order. */
	for (size_t i = 0; i < r->n_services; i++) {
		size_t k = i;

		while (k > 0 && strcmp(r->services[order[k - 1]], r->services[i]) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (size_t k = 0; k < r->n_services; k++) {
		json_t *s = service_json(r, order[k], rules, keep);

		if (s)
			json_array_append_new(services, s);
	}
	free(order);
	return json_pack("{ss ss so so}", "from", cal_date_format(r->from, from), "to",
			 cal_date_format(r->to, to), "months", months, "services", services);
}

void
report_csv_field(struct strbuf *b, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_puts(b, s);
		return;
	}
	strbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_putc(b, '"');
		strbuf_putc(b, *s);
	}
	strbuf_putc(b, '"');
}

void
report_html_text(struct strbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			strbuf_puts(b, "&amp;");
			break;
		case '<':
			strbuf_puts(b, "&lt;");
			break;
		case '>':
			strbuf_puts(b, "&gt;");
			break;
		case '"':
			strbuf_puts(b, "&quot;");
			break;
		case '\'':
			strbuf_puts(b, "&#39;");
			break;
		default:
			strbuf_putc(b, *s);
		}
	}
}
