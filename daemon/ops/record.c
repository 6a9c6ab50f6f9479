// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * record: recording one event of a case, the handler of every event method.
 *
 * In one savepoint of the loop turn's transaction, a pipeline of named steps: check every
 * parameter (ops/validate.c); replay: answer a re-sent event_id with the original event;
 * admit: register the case, or load it and its events and see that it takes the event;
 * supersede: a correction names an event in force; resolve the events this one refers to
 * (an omitted reference means the latest fitting event, and is stored resolved); append
 * the event; recompute every deadline of the case from its events with the rules in force,
 * store them and plan the reminders (ops/recompute.c); write the audit row. Any failure
 * rolls back the savepoint alone, so nothing is half-written. A correction of the received
 * event (RegisterApplication with supersedes) also rewrites the case row's registration
 * fields, which always follow the newest version of that event.
 *
 * Instants are stored as unix seconds and, inside an event's data, as RFC 3339 UTC text;
 * the civil date that the law counts from is derived in the configured zone (cal.h).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/cal.h"
#include "core/events.h"
#include "core/log.h"
#include "core/rules.h"
#include "core/vocab.h"
#include "core/util.h"
#include "ops/case_impl.h"
#include "store/store.h"

/* The Recorded reply for a case after an event: reloads the timeline. */
static int
recorded_json(struct ops_env *env, const struct store_case *c, int64_t event, bool duplicate,
	      int64_t now, json_t **out)
{
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today;
	int ret;

	if ((ret = timeline_load(env->store, c->id, &tl)) < 0)
		return ret;
	today_of(now, &today);
	ret = timeline_compute(env->conf->rules, c->service, &tl, today, &comp);
	*out = json_pack("{s{so sI sb so so}}", "recorded", "case",
			 case_row_json(env->conf->rules, c), "event", (json_int_t)event,
			 "duplicate", duplicate, "deadlines",
			 ret == 0 ? computed_json(&comp) : json_array(), "breaches",
			 timeline_findings_json(env->conf->rules, c->service, &tl));
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	return 0;
}

/*
 * Whether a stored event is the same as a re-sent one: same case and type, same correction
 * target, and the same data — except what the daemon added when it stored the original (a
 * reference it resolved because the caller left it out, and the author of an extension).
 */
static bool
same_event(const struct store_event *e, const struct event_schema *m, json_t *data,
	   int64_t supersedes, const char *ref, const struct store_case *c)
{
	json_t *old = json_loads(e->data, 0, NULL);
	bool same = old && strcmp(e->type, rules_event_type_name(m->type)) == 0 &&
		    e->case_id == c->id && strcmp(c->ref, ref) == 0 && e->supersedes == supersedes;
	const char *key;
	json_t *v;

	if (same) {
		json_object_foreach(data, key, v)
		{
			if (!json_equal(json_object_get(old, key), v)) {
				same = false;
				break;
			}
		}
	}
	if (same) {
		json_object_foreach(old, key, v)
		{
			bool added = strcmp(key, "by") == 0 ||
				     (m->ref_param && strcmp(key, m->ref_param) == 0);

			if (!json_object_get(data, key) && !added) {
				same = false;
				break;
			}
		}
	}
	json_decref(old);
	return same;
}

/* Resolves an event reference: explicit (checked) or the latest current one of a type. */
static bool
resolve_ref(const struct timeline *tl, const char *ref, const char *param, json_t *given,
	    enum rules_event_type type, int64_t *out, struct outcome *o)
{
	const char *tname = rules_event_type_name(type);

	if (json_is_integer(given)) {
		int64_t id = json_integer_value(given);
		ssize_t i = timeline_find(tl, id);

		if (i < 0 || strcmp(tl->ev[i].type, tname) != 0) {
			char msg[160];

			snprintf(msg, sizeof(msg), "event %lld is not a %s event of this case",
				 (long long)id, tname);
			outcome_fail(o, OPS_ERR_EVENT_NOT_FOUND,
				     json_pack("{ss sI ss}", "reference", ref, "event",
					       (json_int_t)id, "message", msg));
			return false;
		}
		*out = timeline_current(tl, id);
		return true;
	}
	for (size_t i = tl->n; i-- > 0;) {
		if (!tl->ev[i].superseded_by && strcmp(tl->ev[i].type, tname) == 0) {
			*out = tl->ev[i].id;
			return true;
		}
	}
	outcome_order(o, ref, "no %s event is recorded in case %s; '%s' needs one", tname, ref,
		      param);
	return false;
}

/*
 * Whether the party asked for the reasons of decision (a current event of the case) on or
 * before the day given: reasons cannot reach the party before they were asked for.
 */
static bool
reasons_requested(const struct timeline *tl, int64_t decision, struct cal_date given)
{
	for (size_t i = 0; i < tl->n; i++) {
		json_t *d = json_object_get(tl->data[i], "decision");
		struct cal_date asked;

		if (!tl->ev[i].superseded_by && strcmp(tl->ev[i].type, "reasons_requested") == 0 &&
		    json_is_integer(d) && timeline_current(tl, json_integer_value(d)) == decision &&
		    cal_date_of_instant(tl->ev[i].occurred, &asked) == 0 &&
		    cal_cmp(asked, given) <= 0)
			return true;
	}
	return false;
}

/* The account name of a uid, for the explanation of extensions and overrides. */
static char *
account_name(uint32_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		return xasprintf("%s (uid %u)", res->pw_name, uid);
	return xasprintf("uid %u", uid);
}

/*
 * The deadline an extension or override (data, with its subject resolved) is about, among
 * the case's deadlines as computed today (*comp, the caller's to free): its index, or -1
 * with o filled when the case has no such deadline — an event that would change nothing.
 * verb ("extend", "override") is for the message.
 */
static ssize_t
subject_deadline(struct ops_env *env, const struct store_case *c, const struct timeline *tl,
		 json_t *data, struct cal_date today, const char *verb, struct computed *comp,
		 struct outcome *o)
{
	enum rules_kind kind;
	int64_t subject = json_integer_value(json_object_get(data, "subject"));

	rules_kind_parse(json_string_value(json_object_get(data, "kind")), &kind);
	if (timeline_compute(env->conf->rules, c->service, tl, today, comp) < 0) {
		outcome_order(o, c->ref, "the case's deadlines cannot be computed");
		return -1;
	}
	for (size_t i = 0; i < comp->n; i++) {
		if (comp->d[i].kind == kind && comp->d[i].subject == subject)
			return (ssize_t)i;
	}
	outcome_order(o, c->ref, "case %s has no %s for event %lld to %s", c->ref,
		      rules_kind_label(kind), (long long)subject, verb);
	return -1;
}

/* Overrides: only of a deadline the case has. */
static bool
check_override(struct ops_env *env, const struct store_case *c, const struct timeline *tl,
	       json_t *data, struct cal_date today, struct outcome *o)
{
	struct computed comp = { 0 };
	bool ok = subject_deadline(env, c, tl, data, today, "override", &comp, o) >= 0;

	rules_deadlines_free(comp.d, comp.n);
	return ok;
}

/*
 * Extensions: the deadline must exist, not have expired, and move later (fvl. § 29). The
 * refusal names the deadline by its label and its configured source, not by a section.
 */
static bool
check_extension(struct ops_env *env, const struct store_case *c, const struct timeline *tl,
		json_t *data, struct cal_date today, struct outcome *o)
{
	struct computed comp = { 0 };
	enum rules_kind kind;
	struct cal_date until;
	bool ok = false;
	char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];
	ssize_t i = subject_deadline(env, c, tl, data, today, "extend", &comp, o);

	rules_kind_parse(json_string_value(json_object_get(data, "kind")), &kind);
	cal_date_parse(json_string_value(json_object_get(data, "until")), &until);
	if (i >= 0) {
		const struct rules_deadline *d = &comp.d[i];
		const struct rules_procedure *proc =
			rules_procedure_at(env->conf->rules, d->has_start ? d->start : today);

		if (!d->extension) {
			/* Not outcome_order(): its buffer could cut a long source mid-character. */
			char *msg =
				xasprintf("the %s cannot be extended: no rule allows the office "
					  "to extend it (its rule %s, %s, has no 'extension' in "
					  "the rules configuration)",
					  rules_kind_label(kind), d->rule, d->source);

			outcome_fail(o, OPS_ERR_OUT_OF_ORDER,
				     json_pack("{ss ss}", "reference", c->ref, "message", msg));
			free(msg);
		} else if (d->state == RULES_STATE_MET || d->state == RULES_STATE_CANCELLED) {
			outcome_order(o, c->ref, "the %s is %s; there is nothing to extend",
				      rules_kind_label(kind), rules_state_name(d->state));
		} else if (proc->extension_before_expiry && d->has_due &&
			   cal_cmp(today, d->due) > 0) {
			/* Not outcome_order(): its buffer could cut a long source mid-character. */
			char *msg = xasprintf("the %s expired on %s, and a deadline can be "
					      "extended only before it expires. The extension's "
					      "provision: %s. The deadline's source: %s",
					      rules_kind_label(kind), cal_date_format(d->due, d1),
					      d->extension, d->source);

			outcome_fail(o, OPS_ERR_OUT_OF_ORDER,
				     json_pack("{ss ss}", "reference", c->ref, "message", msg));
			free(msg);
		} else if (d->has_due && cal_cmp(until, d->due) <= 0) {
			outcome_param(o, "until",
				      "'until' (%s) must be after the current due date %s",
				      cal_date_format(until, d1), cal_date_format(d->due, d2));
		} else {
			ok = true;
		}
	}
	rules_deadlines_free(comp.d, comp.n);
	return ok;
}

/* Maps the engine's refusal to a reply. */
static void
fail_engine(struct outcome *o, const char *ref, int ret)
{
	if (ret == -ENOENT)
		outcome_order(o, ref, "the case's service is no longer in the configuration");
	else if (ret == -ERANGE)
		outcome_order(o, ref, "a deadline of the case falls outside the calendar's range");
	else
		outcome_order(
			o, ref,
			"the event does not fit the case: a date before the event it refers to, "
			"or an event the case cannot have now");
}

/* The current version of the case's received event (0 when it has none). */
static int64_t
current_received(const struct timeline *tl)
{
	for (size_t i = tl->n; i-- > 0;) {
		if (!tl->ev[i].superseded_by && strcmp(tl->ev[i].type, "received") == 0)
			return tl->ev[i].id;
	}
	return 0;
}

/*
 * A correction of the received event may move the day the application was received, but
 * not past an event of the case that is in force (correct that one first): every other
 * event happens on or after that day.
 */
static bool
received_correction_fits(const struct timeline *tl, const char *ref, struct cal_date received,
			 struct outcome *o)
{
	for (size_t i = 0; i < tl->n; i++) {
		const struct store_event *e = &tl->ev[i];
		struct cal_date day;
		char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];

		if (e->superseded_by || strcmp(e->type, "received") == 0 ||
		    cal_date_of_instant(e->occurred, &day) < 0 || cal_cmp(day, received) >= 0)
			continue;
		outcome_order(o, ref,
			      "event %lld (%s, %s) lies before the corrected 'received' (%s); "
			      "correct it first",
			      (long long)e->id, e->type, cal_date_format(day, d1),
			      cal_date_format(received, d2));
		return false;
	}
	return true;
}

/* The registration's fields of the case row from a received event's data. */
static void
case_set_registration(struct store_case *c, json_t *data, int64_t received)
{
	const char *handler = json_string_value(json_object_get(data, "handler"));
	const char *unit = json_string_value(json_object_get(data, "unit"));

	free(c->service);
	free(c->handler);
	free(c->unit);
	free(c->channel);
	c->service = xstrdup(json_string_value(json_object_get(data, "service")));
	c->handler = handler ? xstrdup(handler) : NULL;
	c->unit = unit ? xstrdup(unit) : NULL;
	c->channel = xstrdup(json_string_value(json_object_get(data, "channel")));
	c->emergency = json_is_true(json_object_get(data, "emergency"));
	c->received = received;
}

/*
 * Whether the handler and unit of a registration's data give valid e-mail addresses with
 * the configured patterns (reminders.addresses): checked when a case is registered or its
 * registration corrected, so that a reminder is never retried for days to an address that
 * cannot exist. False with the failure in o.
 */
static bool
addresses_ok(struct ops_env *env, json_t *data, struct outcome *o)
{
	const char *param = NULL;
	char msg[512];

	if (conf_address_check(&env->conf->reminders,
			       json_string_value(json_object_get(data, "handler")),
			       json_string_value(json_object_get(data, "unit")), &param, msg,
			       sizeof(msg)) == 0)
		return true;
	outcome_fail(o, OPS_ERR_INVALID_PARAMETER,
		     json_pack("{ss ss}", "parameter", param, "message", msg));
	return false;
}

/* Registers the case of a RegisterApplication, or finds it registered with the same data. */
static bool
register_case(struct ops_env *env, struct ops_req *req, json_t *data, int64_t when,
	      struct store_case *c, bool *existing, struct outcome *o)
{
	const char *ref = json_string_value(json_object_get(req->params, "reference"));
	const char *service = json_string_value(json_object_get(data, "service"));
	const char *channel = json_string_value(json_object_get(data, "channel"));
	const char *handler = json_string_value(json_object_get(data, "handler"));
	const char *unit = json_string_value(json_object_get(data, "unit"));
	bool emergency = json_is_true(json_object_get(data, "emergency"));
	json_t *contact = json_object_get(req->params, "contact");
	int ret = store_case_by_ref(env->store, ref, c);

	*existing = ret == 0;
	if (ret == 0) {
		const char *diff = NULL;

		if (strcmp(c->service, service) != 0)
			diff = "service";
		else if (c->received != when)
			diff = "received";
		else if (strcmp(c->channel, channel) != 0)
			diff = "channel";
		else if (c->emergency != emergency)
			diff = "emergency";
		else if ((handler || c->handler) &&
			 (!handler || !c->handler || strcmp(handler, c->handler) != 0))
			diff = "handler";
		else if ((unit || c->unit) && (!unit || !c->unit || strcmp(unit, c->unit) != 0))
			diff = "unit";
		if (diff) {
			char *msg =
				xasprintf("case %s is registered with another '%s'; to change "
					  "it, record a correction instead: RegisterApplication "
					  "with 'supersedes' naming the case's received event",
					  ref, diff);

			outcome_fail(o, OPS_ERR_CASE_CONFLICT,
				     json_pack("{ss ss}", "reference", ref, "message", msg));
			free(msg);
			return false;
		}
		return true;
	}
	if (ret != -ENOENT) {
		outcome_storage(env, o);
		return false;
	}
	if (!addresses_ok(env, data, o))
		return false;
	*c = (struct store_case){
		.ref = xstrdup(ref),
		.service = xstrdup(service),
		.handler = handler ? xstrdup(handler) : NULL,
		.unit = unit ? xstrdup(unit) : NULL,
		.received = when,
		.channel = xstrdup(channel),
		.emergency = emergency,
		.state = xstrdup("open"),
		.created = req->now,
		.updated = req->now,
	};
	if (store_case_insert(env->store, c) < 0) {
		outcome_storage(env, o);
		return false;
	}
	if (contact) {
		if (store_contact_set(
			    env->store, c->id, json_string_value(json_object_get(contact, "email")),
			    json_string_value(json_object_get(contact, "phone")), req->now) < 0) {
			outcome_storage(env, o);
			return false;
		}
		c->has_contact = true;
	}
	return true;
}

/*
 * Recording one event, step by step. Each step reads and fills the record r and answers
 * whether the pipeline goes on, is done (the reply made, e.g. for an event sent again) or
 * failed (r->o holds the refusal).
 */
enum step {
	STEP_ON,
	STEP_DONE,
	STEP_FAILED,
};

struct record {
	struct ops_env *env;
	struct ops_req *req;
	const struct event_schema *m;
	struct outcome *o;
	json_t **reply;

	const char *ref;      /* borrowed from the parameters */
	const char *event_id; /* borrowed, or NULL */
	int64_t supersedes;   /* the event corrected, or 0 */
	bool correction;      /* RegisterApplication with supersedes: corrects the registration */
	json_t *data;	      /* the event's data, owned */
	int64_t when;
	struct cal_date today, when_date;

	struct store_case c; /* the case, owned */
	struct timeline tl;  /* its events, owned */
	struct store_event ev;
	struct computed comp;
	json_t *shown; /* the deadlines as stored, for the reply */
};

static void
record_deinit(struct record *r)
{
	json_decref(r->shown);
	rules_deadlines_free(r->comp.d, r->comp.n);
	timeline_free(&r->tl);
	store_event_deinit(&r->ev);
	store_case_deinit(&r->c);
	json_decref(r->data);
}

/* A step that answers with the Recorded reply of an event already stored. */
static enum step
step_recorded(struct record *r, const struct store_case *c, int64_t event)
{
	if (recorded_json(r->env, c, event, true, r->req->now, r->reply) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	return STEP_DONE;
}

/* Checks the parameters and reads what the steps after need of them. */
static enum step
step_check(struct record *r)
{
	const struct event_schema *m = r->m;
	json_t *params = r->req->params;

	if (!event_validate(r->env, r->req, m, &r->data, &r->when, r->o))
		return STEP_FAILED;
	r->ref = json_string_value(json_object_get(params, "reference"));
	r->event_id = json_string_value(json_object_get(params, "event_id"));
	r->supersedes = json_integer_value(json_object_get(params, "supersedes"));
	r->correction = m->type == RULES_EV_RECEIVED && r->supersedes;
	if (!today_of(r->req->now, &r->today) || cal_date_of_instant(r->when, &r->when_date) < 0) {
		outcome_param(r->o, m->when ? m->when : "reference", "the time is out of range");
		return STEP_FAILED;
	}
	return STEP_ON;
}

/* Idempotence: a re-sent event_id gets the original event; another event under it fails. */
static enum step
step_replay(struct record *r)
{
	struct store_event prior = { 0 };
	struct store_case pc = { 0 };
	enum step s;
	int ret;

	if (!r->event_id)
		return STEP_ON;
	ret = store_event_by_client_id(r->env->store, r->event_id, &prior);
	if (ret == -ENOENT)
		return STEP_ON;
	if (ret < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	if (store_case_by_ref(r->env->store, r->ref, &pc) == 0 &&
	    same_event(&prior, r->m, r->data, r->supersedes, r->ref, &pc)) {
		s = step_recorded(r, &pc, prior.id);
	} else {
		outcome_fail(r->o, OPS_ERR_EVENT_CONFLICT,
			     json_pack("{ss}", "event_id", r->event_id));
		s = STEP_FAILED;
	}
	store_case_deinit(&pc);
	store_event_deinit(&prior);
	return s;
}

/* A new application: registers its case, or answers for the same one registered before. */
static enum step
admit_registration(struct record *r)
{
	bool existing = false;

	if (!register_case(r->env, r->req, r->data, r->when, &r->c, &existing, r->o))
		return STEP_FAILED;
	if (!existing)
		return STEP_ON;
	/* The same application again: answer with its received event as in force. */
	if (timeline_load(r->env->store, r->c.id, &r->tl) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	return step_recorded(r, &r->c, current_received(&r->tl));
}

/* Whether the case, as it stands, takes this event at all. */
static bool
case_takes(struct record *r)
{
	const struct store_case *c = &r->c;
	enum rules_event_type type = r->m->type;

	if (strcmp(c->state, "withdrawn") == 0) {
		outcome_order(r->o, r->ref,
			      "the application in case %s was withdrawn; it takes no further "
			      "events",
			      r->ref);
		return false;
	}
	/*
	 * A closed case still takes complaints and what follows them (their deadlines run
	 * on), and a correction of its closing, but not a second closing or a withdrawal of
	 * what was already decided and closed.
	 */
	if (strcmp(c->state, "closed") == 0 &&
	    ((type == RULES_EV_CLOSED && !r->supersedes) || type == RULES_EV_WITHDRAWN)) {
		outcome_order(r->o, r->ref, "case %s is closed; it cannot be %s", r->ref,
			      type == RULES_EV_CLOSED ? "closed again (to correct the closing, "
							"give 'supersedes')"
						      : "withdrawn");
		return false;
	}
	/* A correction of the registration may move the case to a service in force. */
	if (!r->correction && !rules_has_service(r->env->conf->rules, c->service)) {
		outcome_order(r->o, r->ref,
			      "case %s is of service '%s', which is no longer in the configuration",
			      r->ref, c->service);
		return false;
	}
	return true;
}

/* The event's own time fits the case: not before the application was received. */
static bool
time_fits(struct record *r)
{
	struct cal_date received;
	char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];

	if (r->correction && json_object_get(r->req->params, "contact")) {
		outcome_param(r->o, "contact",
			      "'contact' is not part of the received event and cannot be "
			      "corrected with it; leave it out");
		return false;
	}
	cal_date_of_instant(r->c.received, &received);
	if (!r->correction && r->m->when && cal_cmp(r->when_date, received) < 0) {
		outcome_order(r->o, r->ref, "'%s' (%s) is before the application was received (%s)",
			      r->m->when, cal_date_format(r->when_date, d1),
			      cal_date_format(received, d2));
		return false;
	}
	return true;
}

/* Admits the event to its case: registers a new one, or loads the case and its events. */
static enum step
step_admit(struct record *r)
{
	int ret;

	if (r->m->type == RULES_EV_RECEIVED && !r->correction)
		return admit_registration(r);
	ret = store_case_by_ref(r->env->store, r->ref, &r->c);
	if (ret == -ENOENT) {
		outcome_fail(r->o, OPS_ERR_CASE_NOT_FOUND, json_pack("{ss}", "reference", r->ref));
		return STEP_FAILED;
	}
	if (ret < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	if (!case_takes(r) || !time_fits(r))
		return STEP_FAILED;
	if (timeline_load(r->env->store, r->c.id, &r->tl) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	return STEP_ON;
}

/* A correction (supersedes): of an event of the same type in force in the case. */
static enum step
step_supersede(struct record *r)
{
	const char *tname = rules_event_type_name(r->m->type);
	ssize_t i = r->supersedes ? timeline_find(&r->tl, r->supersedes) : 0;

	if (r->supersedes && (i < 0 || strcmp(r->tl.ev[i].type, tname) != 0)) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "'supersedes': event %lld is not a %s event of this case",
			 (long long)r->supersedes, tname);
		outcome_fail(r->o, OPS_ERR_EVENT_NOT_FOUND,
			     json_pack("{ss sI ss}", "reference", r->ref, "event",
				       (json_int_t)r->supersedes, "message", msg));
		return STEP_FAILED;
	}
	if (r->supersedes && r->tl.ev[i].superseded_by) {
		outcome_order(r->o, r->ref, "event %lld was already corrected by event %lld",
			      (long long)r->supersedes, (long long)r->tl.ev[i].superseded_by);
		return STEP_FAILED;
	}
	if (r->correction && (!received_correction_fits(&r->tl, r->ref, r->when_date, r->o) ||
			      !addresses_ok(r->env, r->data, r->o)))
		return STEP_FAILED;
	return STEP_ON;
}

/*
 * The event this one refers to, stored resolved so that later events cannot change its
 * meaning: the one given (checked), or the latest fitting one.
 */
static bool
resolve_reference(struct record *r)
{
	const struct event_schema *m = r->m;
	json_t *given = json_object_get(r->data, m->ref_param);
	enum rules_event_type rt = vocab_event_row(m->type)->ref;
	int64_t id = 0;

	if (vocab_event_row(m->type)->ref_by_kind) {
		enum rules_kind kind;

		rules_kind_parse(json_string_value(json_object_get(r->data, "kind")), &kind);
		rt = rules_kind_subject(kind);
	}
	if (m->type == RULES_EV_DOC_RECEIVED && !given) {
		/* Every open request: one must exist, but none is named. */
		return resolve_ref(&r->tl, r->ref, m->ref_param, NULL, rt, &id, r->o);
	}
	if (!resolve_ref(&r->tl, r->ref, m->ref_param, given, rt, &id, r->o))
		return false;
	if (id)
		json_object_set_new(r->data, m->ref_param, json_integer(id));
	return true;
}

/* Resolves references, and checks what the event does to what it refers to. */
static enum step
step_resolve(struct record *r)
{
	enum rules_event_type type = r->m->type;

	if (r->m->ref_param && !resolve_reference(r))
		return STEP_FAILED;
	if (type == RULES_EV_REASONS_GIVEN) {
		int64_t decision = json_integer_value(json_object_get(r->data, "decision"));

		if (!reasons_requested(&r->tl, decision, r->when_date)) {
			outcome_order(r->o, r->ref,
				      "no request for the reasons of decision %lld is recorded on "
				      "or before that day; record it first (RequestReasons)",
				      (long long)decision);
			return STEP_FAILED;
		}
	}
	if (type == RULES_EV_EXTENSION || type == RULES_EV_OVERRIDE) {
		char *who = account_name(r->req->peer.uid);

		json_object_set_new(r->data, "by", json_string(who));
		free(who);
	}
	if (type == RULES_EV_EXTENSION &&
	    !check_extension(r->env, &r->c, &r->tl, r->data, r->today, r->o))
		return STEP_FAILED;
	if (type == RULES_EV_OVERRIDE &&
	    !check_override(r->env, &r->c, &r->tl, r->data, r->today, r->o))
		return STEP_FAILED;
	return STEP_ON;
}

/* The case row after the event: its state, and a corrected registration. */
static int
update_case(struct record *r)
{
	struct store_case *c = &r->c;
	enum rules_event_type type = r->m->type;

	if (type == RULES_EV_WITHDRAWN || type == RULES_EV_CLOSED) {
		free(c->state);
		c->state = xstrdup(type == RULES_EV_WITHDRAWN ? "withdrawn" : "closed");
	}
	c->updated = r->req->now;
	if (r->correction) {
		/* The case row follows the newest version of its received event. */
		case_set_registration(c, r->data, r->when);
		if (store_case_update(r->env->store, c) < 0)
			return -EIO;
	}
	return store_case_set_state(r->env->store, c->id, c->state, c->updated);
}

/* Appends the event to its case, and updates the case row. */
static enum step
step_append(struct record *r)
{
	r->ev = (struct store_event){
		.case_id = r->c.id,
		.client_id = r->event_id ? xstrdup(r->event_id) : NULL,
		.type = xstrdup(rules_event_type_name(r->m->type)),
		.occurred = r->when,
		.recorded = r->req->now,
		.data = json_dumps(r->data, JSON_COMPACT | JSON_SORT_KEYS),
		.supersedes = r->supersedes,
		.uid = r->req->peer.uid,
	};
	if (store_event_insert(r->env->store, &r->ev) < 0 || update_case(r) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	return STEP_ON;
}

/* Recomputes every deadline of the case from its events, and plans its reminders. */
static enum step
step_recompute(struct record *r)
{
	int ret;

	timeline_free(&r->tl);
	if (timeline_load(r->env->store, r->c.id, &r->tl) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	ret = timeline_compute(r->env->conf->rules, r->c.service, &r->tl, r->today, &r->comp);
	if (ret < 0) {
		fail_engine(r->o, r->ref, ret);
		return STEP_FAILED;
	}
	if (recompute_store(r->env, &r->c, &r->comp, r->req->now, &r->shown) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	return STEP_ON;
}

/* Writes the audit row (under the event's own method, also for an item of an import). */
static enum step
step_audit(struct record *r)
{
	struct store_audit a = ops_audit_of(r->req);
	const struct rules *rules = r->env->conf->rules;

	a.case_ref = r->ref;
	a.method = r->m->method;
	if (store_audit_append(r->env->store, &a) < 0) {
		outcome_storage(r->env, r->o);
		return STEP_FAILED;
	}
	*r->reply =
		json_pack("{s{so sI sb so so}}", "recorded", "case", case_row_json(rules, &r->c),
			  "event", (json_int_t)r->ev.id, "duplicate", false, "deadlines", r->shown,
			  "breaches", timeline_findings_json(rules, r->c.service, &r->tl));
	r->shown = NULL;
	log_info("%s %s: event %lld (%s)", r->m->name, r->ref, (long long)r->ev.id,
		 rules_event_type_name(r->m->type));
	return STEP_DONE;
}

/*
 * Records the event of one call inside the current savepoint: check -> replay -> admit ->
 * supersede -> resolve -> append -> recompute -> audit. On success *reply is the Recorded
 * reply; on failure o holds the error. Returns whether it succeeded.
 */
static bool
record(struct ops_env *env, struct ops_req *req, const struct event_schema *m, json_t **reply,
       struct outcome *o)
{
	static enum step (*const steps[])(struct record *) = {
		step_check,   step_replay, step_admit,	   step_supersede,
		step_resolve, step_append, step_recompute, step_audit,
	};
	struct record r = { .env = env, .req = req, .m = m, .o = o, .reply = reply };
	enum step s = STEP_ON;

	o->error = OPS_OK;
	o->params = NULL;
	for (size_t i = 0; i < FV_ARRAY_SIZE(steps) && s == STEP_ON; i++)
		s = steps[i](&r);
	record_deinit(&r);
	return s == STEP_DONE;
}

bool
record_event(struct ops_env *env, struct ops_req *req, const struct event_schema *m, json_t **reply,
	     struct outcome *o)
{
	bool ok;

	if (ops_txn_enter(env) < 0) {
		outcome_storage(env, o);
		return false;
	}
	ok = record(env, req, m, reply, o);
	if (ops_txn_leave(env, ok) < 0 && ok) {
		json_decref(*reply);
		*reply = NULL;
		outcome_storage(env, o);
		ok = false;
	}
	return ok;
}

void
ops_case_record(struct ops_env *env, struct ops_req *req)
{
	const struct event_schema *m = events_schema_find(req->name);
	struct outcome o;
	json_t *reply = NULL;

	FV_ASSERT(m);
	if (record_event(env, req, m, &reply, &o))
		ops_reply_after_commit(env, req, reply);
	else
		ops_reply(req, o.error, o.params);
}
