// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * timeline: a case's events as the rules engine sees them. The stored events are loaded
 * with their data parsed; corrections are resolved (only the current version of an event
 * counts, standing where its first version was recorded, and references point at current
 * versions); the engine computes the deadlines and the findings; and the JSON views of a
 * case and its deadlines that the replies share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ops/case_impl.h"
#include "core/util.h"

/* The civil date of an RFC 3339 member of an event's data. */
static bool
data_date(json_t *data, const char *key, struct cal_date *out)
{
	const char *s = json_string_value(json_object_get(data, key));
	int64_t t;

	if (!s)
		return false;
	if (cal_date_parse(s, out) == 0)
		return true;
	return cal_instant_parse(s, &t) == 0 && cal_date_of_instant(t, out) == 0;
}

void
timeline_free(struct timeline *tl)
{
	for (size_t i = 0; i < tl->n; i++)
		json_decref(tl->data[i]);
	free(tl->data);
	store_events_free(tl->ev, tl->n);
	memset(tl, 0, sizeof(*tl));
}

int
timeline_load(struct store *st, int64_t case_id, struct timeline *tl)
{
	int ret = store_events_of_case(st, case_id, &tl->ev, &tl->n);

	if (ret < 0)
		return ret;
	tl->data = xcalloc(tl->n ? tl->n : 1, sizeof(*tl->data));
	for (size_t i = 0; i < tl->n; i++) {
		tl->data[i] = json_loads(tl->ev[i].data, 0, NULL);
		if (!json_is_object(tl->data[i])) {
			json_decref(tl->data[i]);
			tl->data[i] = json_object();
		}
	}
	return 0;
}

ssize_t
timeline_find(const struct timeline *tl, int64_t id)
{
	for (size_t i = 0; i < tl->n; i++) {
		if (tl->ev[i].id == id)
			return (ssize_t)i;
	}
	return -1;
}

/* The newest version of an event: follows the chain of corrections. */
int64_t
timeline_current(const struct timeline *tl, int64_t id)
{
	for (int guard = 0; guard < 1000; guard++) {
		ssize_t i = timeline_find(tl, id);

		if (i < 0 || tl->ev[i].superseded_by == 0)
			return id;
		id = tl->ev[i].superseded_by;
	}
	return id;
}

/* The first version of an event: where it stands in the order of recording. */
static int64_t
root_version(const struct timeline *tl, int64_t id)
{
	for (int guard = 0; guard < 1000; guard++) {
		ssize_t i = timeline_find(tl, id);

		if (i < 0 || tl->ev[i].supersedes == 0)
			return id;
		id = tl->ev[i].supersedes;
	}
	return id;
}

struct engine_input {
	struct rules_event *ev;
	size_t n;
	char **who; /* owned strings the events borrow */
};

static void
engine_input_free(struct engine_input *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->who[i]);
	free(in->who);
	free(in->ev);
}

static int
cmp_position(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* A decision's data: how and when it reached the party, its form, and a BPA assessment. */
static void
decision_input(json_t *d, struct rules_event *e)
{
	struct cal_date a, b;
	json_t *v = json_object_get(d, "need_hours");

	if (data_date(d, "reached", &e->reached)) {
		e->has_reached = true;
	} else if (data_date(d, "made_available", &a) && data_date(d, "notice_sent", &b)) {
		e->has_reached = true;
		e->digital = true;
		e->reached = cal_cmp(a, b) >= 0 ? a : b;
	}
	e->written = json_is_true(json_object_get(d, "written"));
	e->reasoned = json_is_true(json_object_get(d, "reasoned"));
	e->outcome = json_string_value(json_object_get(d, "outcome"));
	e->has_need = json_is_integer(v);
	e->need_hours = (int32_t)json_integer_value(v);
	e->need_months = (int32_t)json_integer_value(json_object_get(d, "need_months"));
	if (rules_age_group_parse(json_string_value(json_object_get(d, "age_group")),
				  &e->age_group) < 0)
		e->age_group = RULES_AGE_UNKNOWN;
}

/* An extension's or override's data: the deadline, its new date, who and why (*who owned). */
static void
change_input(json_t *d, struct rules_event *e, char **who)
{
	json_t *v = json_object_get(d, "by");

	rules_kind_parse(json_string_value(json_object_get(d, "kind")), &e->kind);
	e->has_due = data_date(d, e->type == RULES_EV_EXTENSION ? "until" : "due", &e->due);
	*who = xstrdup(json_is_string(v) ? json_string_value(v) : "?");
	e->who = *who;
	e->why = json_string_value(json_object_get(d, "reason"));
}

/*
 * Fills the engine's event e from the data d of a stored event of e->type (*who gets an
 * owned string e borrows). Returns the data's member naming the event referred to, or NULL.
 */
static const char *
event_input(json_t *d, struct rules_event *e, char **who)
{
	switch (e->type) {
	case RULES_EV_RECEIVED:
		e->emergency = json_is_true(json_object_get(d, "emergency"));
		return NULL;
	case RULES_EV_PRELIMINARY_REPLY:
		e->has_due = data_date(d, "promised", &e->due);
		return NULL;
	case RULES_EV_DOC_REQUESTED:
		e->has_due = data_date(d, "due", &e->due);
		return NULL;
	case RULES_EV_DOC_RECEIVED:
		return "request";
	case RULES_EV_DECISION:
		decision_input(d, e);
		return NULL;
	case RULES_EV_EXTENSION:
	case RULES_EV_OVERRIDE:
		change_input(d, e, who);
		return "subject";
	case RULES_EV_COMPLAINT:
		e->has_reached = data_date(d, "received", &e->reached);
		if (!e->has_reached) {
			e->has_reached = true;
			e->reached = e->date;
		}
		return "decision";
	case RULES_EV_COMPLAINT_DECIDED:
		e->outcome = json_string_value(json_object_get(d, "outcome"));
		return "complaint";
	case RULES_EV_FORWARDED:
	case RULES_EV_COMPLAINT_WITHDRAWN:
		return "complaint";
	case RULES_EV_REASONS_REQUESTED:
	case RULES_EV_REASONS_GIVEN:
	case RULES_EV_DECISION_WRITTEN:
		return "decision";
	default:
		return NULL;
	}
}

/*
 * The current versions of the timeline's events in the order of recording of their first
 * versions: order[k][1] is an index into tl. Returns how many (order holds tl->n rows).
 */
static size_t
current_in_order(const struct timeline *tl, int64_t (*order)[2])
{
	size_t n = 0;

	for (size_t i = 0; i < tl->n; i++) {
		if (tl->ev[i].superseded_by)
			continue;
		order[n][0] = root_version(tl, tl->ev[i].id);
		order[n][1] = (int64_t)i;
		n++;
	}
	qsort(order, n, sizeof(*order), cmp_position);
	return n;
}

/*
 * Turns the timeline into the engine's events: current versions only, each standing where
 * its first version was recorded, references pointing at current versions.
 */
static int
engine_input_build(const struct timeline *tl, struct engine_input *in)
{
	int64_t(*order)[2] = xcalloc(tl->n ? tl->n : 1, sizeof(*order));
	size_t n;

	memset(in, 0, sizeof(*in));
	n = current_in_order(tl, order);
	in->ev = xcalloc(n ? n : 1, sizeof(*in->ev));
	in->who = xcalloc(n ? n : 1, sizeof(*in->who));
	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)order[k][1];
		const struct store_event *se = &tl->ev[i];
		struct rules_event *e = &in->ev[k];
		const char *ref_key;
		json_t *v;

		if (rules_event_type_parse(se->type, &e->type) < 0) {
			free(order);
			in->n = k;
			return -EINVAL;
		}
		e->id = se->id;
		cal_date_of_instant(se->occurred, &e->date);
		ref_key = event_input(tl->data[i], e, &in->who[k]);
		v = ref_key ? json_object_get(tl->data[i], ref_key) : NULL;
		if (json_is_integer(v))
			e->ref = timeline_current(tl, json_integer_value(v));
	}
	in->n = n;
	free(order);
	return 0;
}

int
timeline_compute(const struct rules *rules, const char *service, const struct timeline *tl,
		 struct cal_date today, struct computed *out)
{
	struct engine_input in;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = engine_input_build(tl, &in)) < 0)
		goto out;
	ret = rules_compute(rules, service, in.ev, in.n, today, &out->d, &out->n);
out:
	engine_input_free(&in);
	return ret;
}

json_t *
computed_json(const struct computed *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->n; i++) {
		json_t *o = rules_deadline_json(&c->d[i]);
		char *text = rules_deadline_text(&c->d[i]);

		json_object_set_new(o, "text", json_string(text));
		free(text);
		json_array_append_new(a, o);
	}
	return a;
}

/*
 * What an audit would flag in the case (rules_findings: oral decisions, decisions without
 * the reasons they needed, BPA refusals against the right), as the reply's "breaches".
 */
json_t *
timeline_findings_json(const struct rules *rules, const char *service, const struct timeline *tl)
{
	struct engine_input in;
	struct rules_finding *f = NULL;
	size_t n = 0;
	json_t *a = json_array();

	if (engine_input_build(tl, &in) == 0 &&
	    rules_findings(rules, service, in.ev, in.n, &f, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, rules_finding_json(&f[i]));
	}
	rules_findings_free(f, n);
	engine_input_free(&in);
	return a;
}

json_t *
case_row_json(const struct rules *rules, const struct store_case *c)
{
	const char *name = rules_service_name(rules, c->service);
	const char *body = rules_complaint_body(rules, c->service);

	return json_pack("{ss ss ss ss s:o s:o so ss sb sb so so s:o}", "reference", c->ref,
			 "service", c->service, "service_name", name ? name : c->service, "state",
			 c->state, "handler", c->handler ? json_string(c->handler) : json_null(),
			 "unit", c->unit ? json_string(c->unit) : json_null(), "received",
			 ops_instant_json(c->received), "channel", c->channel, "emergency",
			 c->emergency, "has_contact", c->has_contact, "created",
			 ops_instant_json(c->created), "updated", ops_instant_json(c->updated),
			 "complaint_body", body ? json_string(body) : json_null());
}
