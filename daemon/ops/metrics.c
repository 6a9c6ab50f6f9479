// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * metrics: the exposition a scrape returns, the same for GetMetrics and the HTTP listener
 * (see ops.h): gauges read from the database now (cases, deadlines, the office's overdue
 * duties, the outbox, its lag, the channels' state and held reminders, the file's size),
 * the daemon's own state (build, start, integrity check), then the process-lifetime
 * counters and histograms of core/metrics.c.
 * Labels carry states, kinds, channels and method names, never a case reference.
 */
#include "ops/ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "build_config.h"
#include "core/cal.h"
#include "core/metrics.h"
#include "core/rules.h"
#include "core/vocab.h"
#include "store/store.h"

static const char *const l_state[] = { "state" };
static const char *const l_kind[] = { "kind" };
static const char *const l_kind_state[] = { "kind", "state" };
static const char *const l_channel_state[] = { "channel", "state" };
static const char *const l_channel[] = { "channel" };
static const char *const l_build[] = { "version", "revision" };

/* The families read at scrape time, in the order they are written. */
enum {
	F_BUILD,
	F_START,
	F_CASES,
	F_DEADLINES,
	F_OVERDUE,
	F_REMINDERS,
	F_LAG,
	F_CHANNEL_STATE,
	F_HELD,
	F_DB_SIZE,
	F_WAL_SIZE,
	F_INTEGRITY,
	F_INTEGRITY_AT,
	F_INTEGRITY_SECONDS,
	F_WAL_PURGED,
	F_COUNT
};

static void
families_init(struct metrics_family *f)
{
	metrics_family_init(&f[F_BUILD], "fristvakt_build_info",
			    "The release and source revision of the running daemon (always 1).",
			    METRICS_GAUGE, l_build, 2, NULL, 0);
	metrics_family_init(&f[F_START], "fristvakt_start_time_seconds",
			    "When the daemon started, in unix seconds.", METRICS_GAUGE, NULL, 0,
			    NULL, 0);
	metrics_family_init(&f[F_CASES], "fristvakt_cases", "Cases by state.", METRICS_GAUGE,
			    l_state, 1, NULL, 0);
	metrics_family_init(&f[F_DEADLINES], "fristvakt_deadlines",
			    "Deadlines by kind and state, judged on today (a deadline stored open "
			    "whose date has passed is missed or expired).",
			    METRICS_GAUGE, l_kind_state, 2, NULL, 0);
	metrics_family_init(&f[F_OVERDUE], "fristvakt_office_duties_overdue",
			    "The office's duties past their date and not met, by kind.",
			    METRICS_GAUGE, l_kind, 1, NULL, 0);
	metrics_family_init(&f[F_REMINDERS], "fristvakt_reminders",
			    "Reminders and notices in the outbox, by channel and state.",
			    METRICS_GAUGE, l_channel_state, 2, NULL, 0);
	metrics_family_init(&f[F_LAG], "fristvakt_outbox_lag_seconds",
			    "Seconds the earliest reminder due on an enabled channel has waited "
			    "(0 when none is due).",
			    METRICS_GAUGE, NULL, 0, NULL, 0);
	metrics_family_init(&f[F_CHANNEL_STATE], "fristvakt_channel_state",
			    "A channel's state as `fristvakt channels` shows it: 1 for the one it "
			    "is in (enabled, failing, or disabled by a 410 Gone until enabled "
			    "again), 0 for the others.",
			    METRICS_GAUGE, l_channel_state, 2, NULL, 0);
	metrics_family_init(&f[F_HELD], "fristvakt_reminders_held",
			    "Reminders held on a disabled channel (pending or failed, not handed "
			    "over until the channel is enabled again).",
			    METRICS_GAUGE, l_channel, 1, NULL, 0);
	metrics_family_init(&f[F_DB_SIZE], "fristvakt_database_size_bytes",
			    "Size of the database file.", METRICS_GAUGE, NULL, 0, NULL, 0);
	metrics_family_init(&f[F_WAL_SIZE], "fristvakt_database_wal_size_bytes",
			    "Size of the database's write-ahead log.", METRICS_GAUGE, NULL, 0, NULL,
			    0);
	metrics_family_init(&f[F_INTEGRITY], "fristvakt_integrity_ok",
			    "1 when the database's integrity check passed, 0 while it runs, when "
			    "it could not run or found damage.",
			    METRICS_GAUGE, NULL, 0, NULL, 0);
	metrics_family_init(&f[F_INTEGRITY_AT], "fristvakt_integrity_check_timestamp_seconds",
			    "When the last integrity check finished, in unix seconds.",
			    METRICS_GAUGE, NULL, 0, NULL, 0);
	metrics_family_init(&f[F_INTEGRITY_SECONDS], "fristvakt_integrity_check_duration_seconds",
			    "How long the last integrity check took.", METRICS_GAUGE, NULL, 0, NULL,
			    0);
	metrics_family_init(
		&f[F_WAL_PURGED], "fristvakt_retention_wal_pending",
		"1 while the write-ahead log still holds what a purge removed (a reader "
		"holds an older snapshot; the daemon tries again every minute).",
		METRICS_GAUGE, NULL, 0, NULL, 0);
}

static void
row_cb(void *arg, const char *a, const char *b, int64_t n)
{
	const char *labels[] = { a ? a : "", b ? b : "" };

	metrics_set(arg, labels, (double)n);
}

/* A kind's deadlines stored open whose date has passed: missed (the office's) or expired
 * (a party's), as listings judge them. */
static void
past_row_cb(void *arg, const char *kind, const char *b, int64_t n)
{
	enum rules_kind k;
	bool office = rules_kind_parse(kind, &k) == 0 && rules_kind_is_office_duty(k);
	const char *open[] = { kind, "open" };
	const char *past[] = { kind, office ? "missed" : "expired" };

	(void)b;
	metrics_series_get(arg, open)->value -= (double)n;
	metrics_series_get(arg, past)->value += (double)n;
}

static int64_t
file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Each channel's state (a set of 0/1 series, one per state) and held reminders, as
 * ListChannels and `fristvakt channels` show them: the configured channels and those no
 * longer configured that still hold reminders or a record. 0 or -EIO. */
static int
read_channels(struct ops_env *env, struct metrics_family *f)
{
	static const char *const states[] = { "enabled", "failing", "disabled" };
	json_t *rows = ops_channels_json(env), *row;
	size_t i;

	if (!rows)
		return -EIO;
	json_array_foreach(rows, i, row)
	{
		const char *name = json_string_value(json_object_get(row, "name"));
		const char *state = json_string_value(json_object_get(row, "state"));

		for (size_t k = 0; k < 3; k++) {
			const char *labels[] = { name, states[k] };

			metrics_set(&f[F_CHANNEL_STATE], labels,
				    state && strcmp(state, states[k]) == 0 ? 1 : 0);
		}
		metrics_set(&f[F_HELD], &name,
			    (double)json_integer_value(json_object_get(row, "held")));
	}
	json_decref(rows);
	return 0;
}

/* The gauges read from the database. 0 or a negative errno. */
static int
read_database(struct ops_env *env, int64_t now, struct metrics_family *f)
{
	static const char *const case_states[] = { "open", "withdrawn", "closed" };
	char today[CAL_DATE_LEN];
	struct cal_date d;
	int64_t lag = 0;
	int ret;

	if (cal_date_of_instant(now, &d) < 0)
		return -EINVAL;
	cal_date_format(d, today);
	for (size_t i = 0; i < 3; i++)
		metrics_set(&f[F_CASES], &case_states[i], 0);
	for (int k = 0; k < RULES_KIND_COUNT; k++) {
		const char *kind = rules_kind_name((enum rules_kind)k);

		if (rules_kind_is_office_duty((enum rules_kind)k))
			metrics_set(&f[F_OVERDUE], &kind, 0);
	}
	if ((ret = store_metric_groups(env->store, STORE_METRIC_CASES, today, row_cb,
				       &f[F_CASES])) < 0 ||
	    (ret = store_metric_groups(env->store, STORE_METRIC_DEADLINES, today, row_cb,
				       &f[F_DEADLINES])) < 0 ||
	    (ret = store_metric_groups(env->store, STORE_METRIC_OPEN_PAST, today, past_row_cb,
				       &f[F_DEADLINES])) < 0 ||
	    (ret = store_metric_groups(env->store, STORE_METRIC_OVERDUE, today, row_cb,
				       &f[F_OVERDUE])) < 0 ||
	    (ret = store_metric_groups(env->store, STORE_METRIC_REMINDERS, today, row_cb,
				       &f[F_REMINDERS])) < 0 ||
	    (ret = ops_outbox_lag(env, now, &lag)) < 0 || (ret = read_channels(env, f)) < 0)
		return ret;
	metrics_set(&f[F_LAG], NULL, (double)lag);
	return 0;
}

/* The daemon's own state: build, start, database file, integrity check. */
static void
read_daemon(struct ops_env *env, struct metrics_family *f)
{
	const char *build[] = { FV_VERSION, FV_REVISION };

	metrics_set(&f[F_BUILD], build, 1);
	metrics_set(&f[F_START], NULL, (double)env->started);
	metrics_set(&f[F_DB_SIZE], NULL, (double)file_size(env->conf->database, ""));
	metrics_set(&f[F_WAL_SIZE], NULL, (double)file_size(env->conf->database, "-wal"));
	metrics_set(&f[F_INTEGRITY], NULL,
		    env->integrity && strcmp(env->integrity, "ok") == 0 ? 1 : 0);
	if (env->integrity_at > 0)
		metrics_set(&f[F_INTEGRITY_AT], NULL, (double)env->integrity_at);
	if (env->integrity_seconds >= 0 && env->integrity_at > 0)
		metrics_set(&f[F_INTEGRITY_SECONDS], NULL, env->integrity_seconds);
	metrics_set(&f[F_WAL_PURGED], NULL, env->wal_purged ? 1 : 0);
	for (size_t i = 0; i < env->conf->n_channels; i++)
		metrics_touch_channel(env->conf->channels[i].name);
}

int
ops_metrics_text(struct ops_env *env, int64_t now, struct strbuf *out)
{
	struct metrics_family f[F_COUNT];
	int ret;

	families_init(f);
	read_daemon(env, f);
	ret = read_database(env, now, f);
	if (ret == 0) {
		for (size_t i = 0; i < F_COUNT; i++) {
			/* A value never measured is left out, not written as 0. */
			if ((i == F_INTEGRITY_AT || i == F_INTEGRITY_SECONDS) && !f[i].n_series)
				continue;
			metrics_render(&f[i], out);
		}
		metrics_render_process(out);
	}
	for (size_t i = 0; i < F_COUNT; i++)
		metrics_family_clear(&f[i]);
	return ret;
}

void
ops_metrics_get(struct ops_env *env, struct ops_req *req)
{
	struct strbuf b = { 0 };

	if (ops_metrics_text(env, req->now, &b) < 0) {
		strbuf_free(&b);
		ops_reply_storage_failure(env, req);
		return;
	}
	ops_reply(req, OPS_OK, json_pack("{ss}", "text", strbuf_str(&b)));
	strbuf_free(&b);
}
