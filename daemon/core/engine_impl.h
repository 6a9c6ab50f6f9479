/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine_impl: the working state of the rules engine and the steps its files share
 * (core/deadline.c, engine.c, findings.c, explain.c), and nothing else's. A call of
 * rules_compute() or rules_findings() fills one struct ctx: the case's events checked and
 * their references resolved. Each deadline then goes through the same steps: the rule in
 * force picked, deadline_init, set_start, count (count_raw, roll), apply_changes, settle,
 * push.
 */
#ifndef FV_ENGINE_IMPL_H
#define FV_ENGINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cal.h"
#include "core/rules.h"
#include "core/rules_impl.h"

/* No event: an index into ctx.ev that is none. */
#define NONE SIZE_MAX

struct ctx {
	const struct rules *rules;
	const struct service *svc;
	const struct rules_event *ev;
	size_t n_ev;
	struct cal_date today;
	size_t *target; /* per event: index of the event its ref resolves to, or NONE */
	size_t *answer; /* per documentation request: index of the event answering it, or NONE */
	/* Per documentation request: its deadline, computed first because its date ends the
	 * pause of the processing norm; pushed in its place afterwards. */
	struct rules_deadline *docs;
	bool *has_doc;
	struct rules_deadline *out;
	size_t n_out;
	size_t cap;
};

/*
 * Sets up c for the n_ev events ev (borrowed, as rules_compute() takes them) of a case of
 * service, as of today, and checks them: 0, -ENOENT for an unknown service or -EINVAL (see
 * rules_compute()). Free with eng_ctx_deinit() whatever it returns.
 */
int eng_ctx_init(struct ctx *c, const struct rules *rules, const char *service,
		 const struct rules_event *ev, size_t n_ev, struct cal_date today);
void eng_ctx_deinit(struct ctx *c);

/* The rule in force on the start date `on`, or NULL; emergency prefers an emergency
 * version. Borrowed from the rules. */
const struct rule *eng_pick(const struct ctx *c, enum rules_kind kind, struct cal_date on,
			    bool emergency);

/* A deadline of kind for the subject event by rule (all borrowed; the strings are copied). */
void eng_deadline_init(struct rules_deadline *d, enum rules_kind kind,
		       const struct rules_event *subject, const struct rule *rule);
void eng_set_start(struct rules_deadline *d, const struct rules_event *e, enum rules_start type,
		   struct cal_date start);
/* Forgets the counted end, roll-over and due date, for counting again. */
void eng_clear_count(struct rules_deadline *d);
/* raw_end from the start (or the date given, when given is not NULL): 0 or -ERANGE. */
int eng_count_raw(struct rules_deadline *d, const struct cal_date *given);
/*
 * Roll-over of day by the rule into *out, with the days skipped as owned steps (none kept
 * when steps is NULL): 0 or -ERANGE.
 */
int eng_roll_day(const struct rule *rule, struct cal_date day, struct cal_date *out,
		 struct cal_step **steps, size_t *n_steps);
/* Roll-over of paused_end into rule_due and due: 0 or -ERANGE. */
int eng_roll(struct rules_deadline *d, const struct rule *rule);
/* eng_count_raw() then eng_roll(). */
int eng_count(struct rules_deadline *d, const struct rule *rule, const struct cal_date *given);
/* The earliest event of type a or b whose ref resolves to subject (NONE: any), or NONE. */
size_t eng_first_by_date(const struct ctx *c, enum rules_event_type a, enum rules_event_type b,
			 size_t subject);
void eng_set_met_on(struct rules_deadline *d, const struct rules_event *e, struct cal_date on);
void eng_set_met(struct rules_deadline *d, const struct rules_event *e);
/* The index of the event that ends a deadline of kind for subject unmet, or NONE. */
size_t eng_find_cancel(const struct ctx *c, enum rules_kind kind, size_t subject);
/* The extensions and overrides of d, in recorded order: 0 or -ERANGE. */
int eng_apply_changes(const struct ctx *c, struct rules_deadline *d, size_t subject,
		      const struct rule *rule);
/* d's state as of today. */
void eng_settle(const struct ctx *c, struct rules_deadline *d, size_t subject);
/* Moves d into c's deadlines; d is left zeroed. */
void eng_push(struct ctx *c, struct rules_deadline *d);
/* Frees what d owns and zeroes it. */
void eng_deadline_deinit(struct rules_deadline *d);

/* Adds a Norwegian sentence to d's notes. */
void eng_note(struct rules_deadline *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether s (may be NULL) is in the NULL-terminated list (may be NULL). */
bool eng_in_list(const char *s, const char *const *list);

/* Short-lived words for messages: date "YYYY-MM-DD", "1 dag" / "3 dager", " (citation)" or
 * "" when the configuration names none. Each returns buf (or "" for no citation). */
const char *eng_fmt_date(struct cal_date d, char *buf);
const char *eng_days_words(int32_t n, char *buf, size_t len);
const char *eng_cite(const char *source, char *buf, size_t len);

#define DATE(d) eng_fmt_date((d), (char[CAL_DATE_LEN]){ 0 })
#define DAYS(n) eng_days_words((n), (char[24]){ 0 }, 24)
#define CITE(s) eng_cite((s), (char[256]){ 0 }, 256)

#endif
