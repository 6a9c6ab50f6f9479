/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics: metric families (counters, gauges, histograms with up to three labels) and
 * their rendering in the Prometheus text exposition format 0.0.4; and the daemon's own
 * process-lifetime counters and histograms, which ops, delivery outcomes and the server
 * add to. Pure C, no event loop: every layer above may count. Not thread-safe: the
 * daemon counts on its loop thread only.
 */
#ifndef FV_METRICS_H
#define FV_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
};

#define METRICS_MAX_LABELS 3

/* One labelled series of a family: its value (counter, gauge) or its histogram. */
struct metrics_series {
	char *labels[METRICS_MAX_LABELS]; /* owned, n_labels of the family */
	double value;
	uint64_t *buckets; /* histogram: observations per bound (not cumulative), owned */
	uint64_t count;
	double sum;
};

/*
 * A family: its name (with the fristvakt_ prefix and its unit), help text, type, label
 * names, and for a histogram its buckets' upper bounds (ascending; +Inf is implied). The
 * strings and arrays given are borrowed for the family's life (static in practice).
 */
struct metrics_family {
	const char *name;
	const char *help;
	enum metrics_type type;
	const char *const *label_names;
	size_t n_labels;
	const double *bounds;
	size_t n_bounds;
	struct metrics_series *series; /* in the order first seen */
	size_t n_series;
	size_t cap_series;
};

/* A family with no series yet (f->series etc. zeroed). */
void metrics_family_init(struct metrics_family *f, const char *name, const char *help,
			 enum metrics_type type, const char *const *label_names, size_t n_labels,
			 const double *bounds, size_t n_bounds);
/* Frees the series of f; the family stays usable, empty. */
void metrics_family_clear(struct metrics_family *f);

/* The series of f with these label values (n_labels of them; NULL when none), made at 0 if
 * new. */
struct metrics_series *metrics_series_get(struct metrics_family *f, const char *const *labels);
/* Counter: adds v (>= 0). Gauge: sets it. Histogram: observes v. */
void metrics_add(struct metrics_family *f, const char *const *labels, double v);
void metrics_set(struct metrics_family *f, const char *const *labels, double v);
void metrics_observe(struct metrics_family *f, const char *const *labels, double v);

/*
 * Appends f in the text format to out: "# HELP", "# TYPE", then one line per series (a
 * histogram's cumulative _bucket lines with le, "+Inf" last, then _sum and _count). A
 * family without labels and without series renders one series at 0 (a histogram: its
 * empty buckets); one with labels and no series only its HELP and TYPE lines.
 */
void metrics_render(const struct metrics_family *f, struct strbuf *out);

/* A sample value as the format writes it: the shortest text that reads back as v, "+Inf",
 * "-Inf" or "NaN". */
void metrics_format_value(double v, char buf[32]);

/* The daemon's process-lifetime metrics (reset on restart, as Prometheus expects). */

/*
 * The class of a failed delivery attempt from its outcome ("retry", "gone", "aborted") and
 * its HTTP status or SMTP reply code (0: none): "connection" (no answer: DNS, connect, TLS,
 * timeout), "status_4xx", "status_5xx", "other_status", "gone" (410), "aborted".
 */
const char *metrics_failure_class(const char *outcome, long code);
/* One delivery attempt on channel: failure_class NULL when it was accepted. */
void metrics_count_attempt(const char *channel, const char *failure_class);
/* A reminder sent seconds after it was due. */
void metrics_observe_send_delay(double seconds);
/* A Varlink call of method (its full name) answered seconds after its message was read. */
void metrics_observe_request(const char *method, double seconds);
/* A group commit that carried n writes. */
void metrics_observe_commit(size_t n);
/* A configuration reload, ok or refused. */
void metrics_count_reload(bool ok);
/* Makes the attempt series of channel exist at 0, so that rates start from the first. */
void metrics_touch_channel(const char *channel);
/* Appends the process-lifetime families to out. */
void metrics_render_process(struct strbuf *out);
/* Forgets every process-lifetime series (at exit, and between unit tests). */
void metrics_process_reset(void);

#endif
