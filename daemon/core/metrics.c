// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * metrics: families, series and the Prometheus text exposition format 0.0.4 (see
 * metrics.h); the daemon's process-lifetime families at the end.
 *
 * Series are found by a linear search: a family has a few dozen at most (the methods of
 * the interface, the channels of the configuration times their classes).
 */
#include "core/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void
metrics_family_init(struct metrics_family *f, const char *name, const char *help,
		    enum metrics_type type, const char *const *label_names, size_t n_labels,
		    const double *bounds, size_t n_bounds)
{
	FV_ASSERT(n_labels <= METRICS_MAX_LABELS);
	*f = (struct metrics_family){
		.name = name,
		.help = help,
		.type = type,
		.label_names = label_names,
		.n_labels = n_labels,
		.bounds = bounds,
		.n_bounds = n_bounds,
	};
}

void
metrics_family_clear(struct metrics_family *f)
{
	for (size_t i = 0; i < f->n_series; i++) {
		for (size_t k = 0; k < f->n_labels; k++)
			free(f->series[i].labels[k]);
		free(f->series[i].buckets);
	}
	free(f->series);
	f->series = NULL;
	f->n_series = f->cap_series = 0;
}

static bool
labels_equal(const struct metrics_family *f, const struct metrics_series *s,
	     const char *const *labels)
{
	for (size_t k = 0; k < f->n_labels; k++) {
		if (strcmp(s->labels[k], labels[k] ? labels[k] : "") != 0)
			return false;
	}
	return true;
}

struct metrics_series *
metrics_series_get(struct metrics_family *f, const char *const *labels)
{
	struct metrics_series *s;

	for (size_t i = 0; i < f->n_series; i++) {
		if (labels_equal(f, &f->series[i], labels))
			return &f->series[i];
	}
	if (f->n_series == f->cap_series) {
		f->cap_series = f->cap_series ? f->cap_series * 2 : 8;
		f->series = xrealloc(f->series, f->cap_series * sizeof(*f->series));
	}
	s = &f->series[f->n_series++];
	memset(s, 0, sizeof(*s));
	for (size_t k = 0; k < f->n_labels; k++)
		s->labels[k] = xstrdup(labels[k] ? labels[k] : "");
	if (f->type == METRICS_HISTOGRAM)
		s->buckets = xcalloc(f->n_bounds ? f->n_bounds : 1, sizeof(*s->buckets));
	return s;
}

void
metrics_add(struct metrics_family *f, const char *const *labels, double v)
{
	metrics_series_get(f, labels)->value += v;
}

void
metrics_set(struct metrics_family *f, const char *const *labels, double v)
{
	metrics_series_get(f, labels)->value = v;
}

void
metrics_observe(struct metrics_family *f, const char *const *labels, double v)
{
	struct metrics_series *s = metrics_series_get(f, labels);

	for (size_t i = 0; i < f->n_bounds; i++) {
		if (v <= f->bounds[i]) {
			s->buckets[i]++;
			break;
		}
	}
	s->count++;
	s->sum += v;
}

void
metrics_format_value(double v, char buf[32])
{
	if (isnan(v)) {
		strcpy(buf, "NaN");
		return;
	}
	if (isinf(v)) {
		strcpy(buf, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* Whole numbers in plain digits (counts, bytes, unix seconds, bucket bounds), the
	 * rest as the shortest %g text that reads back as the same double. */
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
		snprintf(buf, 32, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Appends s with backslash, newline and (in label values) double quote escaped. */
static void
put_escaped(struct strbuf *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_puts(out, "\\\\");
		else if (*s == '\n')
			strbuf_puts(out, "\\n");
		else if (*s == '"' && quote)
			strbuf_puts(out, "\\\"");
		else
			strbuf_putc(out, *s);
	}
}

/* name{labels,le="bound"} value: le is NULL for a sample without it. */
static void
put_sample(struct strbuf *out, const struct metrics_family *f, const char *suffix,
	   const struct metrics_series *s, const char *le, double value)
{
	char num[32];
	bool any = f->n_labels > 0 || le;

	strbuf_puts(out, f->name);
	strbuf_puts(out, suffix);
	if (any)
		strbuf_putc(out, '{');
	for (size_t k = 0; k < f->n_labels; k++) {
		strbuf_printf(out, "%s%s=\"", k ? "," : "", f->label_names[k]);
		put_escaped(out, s->labels[k], true);
		strbuf_putc(out, '"');
	}
	if (le)
		strbuf_printf(out, "%sle=\"%s\"", f->n_labels ? "," : "", le);
	if (any)
		strbuf_putc(out, '}');
	metrics_format_value(value, num);
	strbuf_printf(out, " %s\n", num);
}

static void
put_histogram(struct strbuf *out, const struct metrics_family *f, const struct metrics_series *s)
{
	uint64_t cum = 0;
	char le[32];

	for (size_t i = 0; i < f->n_bounds; i++) {
		cum += s->buckets[i];
		metrics_format_value(f->bounds[i], le);
		put_sample(out, f, "_bucket", s, le, (double)cum);
	}
	put_sample(out, f, "_bucket", s, "+Inf", (double)s->count);
	put_sample(out, f, "_sum", s, NULL, s->sum);
	put_sample(out, f, "_count", s, NULL, (double)s->count);
}

void
metrics_render(const struct metrics_family *f, struct strbuf *out)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };

	strbuf_printf(out, "# HELP %s ", f->name);
	put_escaped(out, f->help, false);
	strbuf_printf(out, "\n# TYPE %s %s\n", f->name, types[f->type]);
	if (f->n_series == 0 && f->n_labels == 0) {
		/* One series without labels exists from the start, at zero. */
		struct metrics_series zero = { 0 };

		zero.buckets = xcalloc(f->n_bounds ? f->n_bounds : 1, sizeof(*zero.buckets));
		if (f->type == METRICS_HISTOGRAM)
			put_histogram(out, f, &zero);
		else
			put_sample(out, f, "", &zero, NULL, 0);
		free(zero.buckets);
		return;
	}
	for (size_t i = 0; i < f->n_series; i++) {
		if (f->type == METRICS_HISTOGRAM)
			put_histogram(out, f, &f->series[i]);
		else
			put_sample(out, f, "", &f->series[i], NULL, f->series[i].value);
	}
}

/* The daemon's process-lifetime families. */

static const char *const l_channel[] = { "channel" };
static const char *const l_channel_class[] = { "channel", "class" };
static const char *const l_method[] = { "method" };
static const char *const l_result[] = { "result" };

/* Seconds from a reminder's time to its successful send: the scheduler's second, a slow
 * receiver, retries over minutes, hours and days. */
static const double send_delay_bounds[] = { 1, 5, 15, 60, 300, 900, 3600, 14400, 86400, 259200 };
/* Seconds from a call read to its reply written: mostly well below a millisecond, a
 * group commit's fsync, an import of thousands of events. */
static const double request_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					 0.1,	 0.25,	0.5,	1,     2.5,  5,	    10 };
static const double commit_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };

static struct metrics_family fam_attempts = {
	.name = "fristvakt_delivery_attempts_total",
	.help = "Delivery attempts of reminders and notices, by channel.",
	.type = METRICS_COUNTER,
	.label_names = l_channel,
	.n_labels = 1,
};
static struct metrics_family fam_failures = {
	.name = "fristvakt_delivery_failures_total",
	.help = "Delivery attempts that failed, by channel and class (connection, status_4xx, "
		"status_5xx, other_status, gone, aborted).",
	.type = METRICS_COUNTER,
	.label_names = l_channel_class,
	.n_labels = 2,
};
static struct metrics_family fam_send_delay = {
	.name = "fristvakt_reminder_send_delay_seconds",
	.help = "Seconds from the time a reminder was due to its successful send.",
	.type = METRICS_HISTOGRAM,
	.bounds = send_delay_bounds,
	.n_bounds = FV_ARRAY_SIZE(send_delay_bounds),
};
static struct metrics_family fam_requests = {
	.name = "fristvakt_varlink_request_duration_seconds",
	.help = "Seconds from reading a Varlink call to writing its reply, by method.",
	.type = METRICS_HISTOGRAM,
	.label_names = l_method,
	.n_labels = 1,
	.bounds = request_bounds,
	.n_bounds = FV_ARRAY_SIZE(request_bounds),
};
static struct metrics_family fam_commit = {
	.name = "fristvakt_group_commit_writes",
	.help = "Writes (requests and recorded delivery outcomes) carried by each group commit.",
	.type = METRICS_HISTOGRAM,
	.bounds = commit_bounds,
	.n_bounds = FV_ARRAY_SIZE(commit_bounds),
};
static struct metrics_family fam_reloads = {
	.name = "fristvakt_config_reloads_total",
	.help = "Configuration reloads, by result (ok, error).",
	.type = METRICS_COUNTER,
	.label_names = l_result,
	.n_labels = 1,
};

static struct metrics_family *const process_families[] = {
	&fam_attempts, &fam_failures, &fam_send_delay, &fam_requests, &fam_commit, &fam_reloads,
};

const char *
metrics_failure_class(const char *outcome, long code)
{
	if (strcmp(outcome, "gone") == 0)
		return "gone";
	if (strcmp(outcome, "aborted") == 0)
		return "aborted";
	if (code <= 0)
		return "connection";
	if (code >= 400 && code < 500)
		return "status_4xx";
	if (code >= 500 && code < 600)
		return "status_5xx";
	return "other_status";
}

void
metrics_touch_channel(const char *channel)
{
	metrics_add(&fam_attempts, &channel, 0);
}

void
metrics_count_attempt(const char *channel, const char *failure_class)
{
	const char *labels[] = { channel, failure_class };

	metrics_add(&fam_attempts, labels, 1);
	if (failure_class)
		metrics_add(&fam_failures, labels, 1);
}

void
metrics_observe_send_delay(double seconds)
{
	metrics_observe(&fam_send_delay, NULL, seconds < 0 ? 0 : seconds);
}

void
metrics_observe_request(const char *method, double seconds)
{
	metrics_observe(&fam_requests, &method, seconds);
}

void
metrics_observe_commit(size_t n)
{
	metrics_observe(&fam_commit, NULL, (double)n);
}

void
metrics_count_reload(bool ok)
{
	static const char *const results[] = { "ok", "error" };

	/* Both results exist from the first reload on, so that either can be graphed. */
	metrics_add(&fam_reloads, &results[0], ok ? 1 : 0);
	metrics_add(&fam_reloads, &results[1], ok ? 0 : 1);
}

void
metrics_render_process(struct strbuf *out)
{
	static const char *const results[] = { "ok", "error" };

	for (size_t k = 0; k < FV_ARRAY_SIZE(results); k++)
		metrics_series_get(&fam_reloads, &results[k]);
	for (size_t i = 0; i < FV_ARRAY_SIZE(process_families); i++)
		metrics_render(process_families[i], out);
}

void
metrics_process_reset(void)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(process_families); i++)
		metrics_family_clear(process_families[i]);
}
