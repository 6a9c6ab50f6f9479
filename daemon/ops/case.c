// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_case: the case register methods — record events, read cases, list deadlines, import,
 * and the audit log.
 *
 * Recording an event, in one savepoint of the loop turn's transaction: validate every
 * parameter; answer a re-sent event_id with the original event; load the case and its
 * events; resolve the events this one refers to (an omitted reference means the latest
 * fitting event, and is stored resolved); append the event; recompute every deadline of the
 * case from its events with the rules in force; store them; write the audit row. Any
 * failure rolls back the savepoint alone, so nothing is half-written. A correction of the
 * received event (RegisterApplication with supersedes) also rewrites the case row's
 * registration fields, which always follow the newest version of that event.
 *
 * Instants are stored as unix seconds and, inside an event's data, as RFC 3339 UTC text;
 * the civil date that the law counts from is derived in the configured zone (cal.h).
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ops/case_impl.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/events.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/util.h"

/*
 * Items per ImportEvents call (OPS_MAX_IMPORT_ITEMS, checked by the method table): they all
 * run in one loop callback, about half a millisecond each for a decision (its deadlines
 * recomputed, its reminders planned), so a call stays within a few milliseconds and other
 * connections are not kept waiting (the loop never blocks). The CLI sends imports in
 * chunks of this size (cli_case.c).
 */
#define MAX_LIMIT     1000
#define DEFAULT_LIMIT 100
/* Events may be recorded as happening at most this far ahead of the daemon's clock. */
#define FUTURE_SLACK (24 * 3600)

/* The outcome of recording one event: an error name with its parameters, or success. */
struct outcome {
	const char *error; /* NULL: success */
	json_t *params;	   /* owned */
};

static void
fail(struct outcome *o, const char *error, json_t *params)
{
	o->error = error;
	o->params = params;
}

static void fail_param(struct outcome *o, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail_param(struct outcome *o, const char *param, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail(o, PROTO_ERR_INVALID_PARAMETER,
	     json_pack("{ss ss}", "parameter", param, "message", msg));
}

static void fail_order(struct outcome *o, const char *ref, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail_order(struct outcome *o, const char *ref, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail(o, "no.fristvakt.OutOfOrder", json_pack("{ss ss}", "reference", ref, "message", msg));
}

static void
fail_storage(struct ops_env *env, struct outcome *o)
{
	log_err("database: %s", store_errmsg(env->store));
	fail(o, "no.fristvakt.StorageFailure",
	     json_pack("{ss}", "message", store_errmsg(env->store)));
}

/* A case reference: letters, digits and "-_./:", starting with a letter or digit. */
static bool
reference_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EVENTS_MAX_REF_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("-_./:", c)))
			return false;
	}
	return true;
}

static bool
has_control(const char *s, bool allow_newline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && !(allow_newline && *p == '\n')) || *p == 0x7f)
			return true;
	}
	return false;
}

static bool
in_choices(const char *s, const char *const *choices)
{
	for (; *choices; choices++) {
		if (strcmp(s, *choices) == 0)
			return true;
	}
	return false;
}

static json_t *
choices_json(const char *const *choices)
{
	json_t *a = json_array();

	for (; *choices; choices++)
		json_array_append_new(a, json_string(*choices));
	return a;
}

static json_t *
known_services(const struct rules *rules)
{
	json_t *a = json_array();

	for (size_t i = 0; i < rules_service_count(rules); i++)
		json_array_append_new(a, json_string(rules_service_id(rules, i)));
	return a;
}

/* Checks an optional contact object: { email?, phone?, consent }. */
static bool
contact_valid(json_t *c, struct outcome *o)
{
	static const struct proto_field fields[] = {
		{ "email", PROTO_STRING, false, 254 },
		{ "phone", PROTO_STRING, false, 32 },
		{ "consent", PROTO_BOOL, true, 0 },
	};
	struct proto_fault f;
	const char *email, *phone;

	if (proto_params_check(c, fields, FV_ARRAY_SIZE(fields), &f) < 0) {
		fail_param(o, "contact", "contact: %s", f.detail);
		return false;
	}
	email = json_string_value(json_object_get(c, "email"));
	phone = json_string_value(json_object_get(c, "phone"));
	if (!json_is_true(json_object_get(c, "consent"))) {
		fail_param(o, "contact",
			   "contact details may be stored only with the applicant's consent; leave "
			   "'contact' out");
		return false;
	}
	if (!email && !phone) {
		fail_param(o, "contact", "contact needs 'email' or 'phone'");
		return false;
	}
	if (email && (!strchr(email, '@') || strchr(email, ' ') || has_control(email, false) ||
		      email[0] == '@')) {
		fail_param(o, "contact", "contact 'email' is not an e-mail address");
		return false;
	}
	if (phone && (strspn(phone, "+0123456789 ") != strlen(phone) || strlen(phone) < 3)) {
		fail_param(o, "contact", "contact 'phone' may hold only digits, spaces and '+'");
		return false;
	}
	return true;
}

/*
 * Validates the parameters of an event method and builds the event's data: every
 * parameter but reference, event_id, supersedes and contact, instants normalised to RFC
 * 3339 UTC. *when gets the event's instant (now when the method has none).
 */
static bool
validate(struct ops_env *env, struct ops_req *req, const struct event_schema *m, json_t **data,
	 int64_t *when, struct outcome *o)
{
	struct proto_field fields[16];
	size_t n = 0;
	struct proto_fault f;
	const char *ref;
	json_t *d;

	fields[n++] = (struct proto_field){ "reference", PROTO_STRING, true, 256 };
	fields[n++] =
		(struct proto_field){ "event_id", PROTO_STRING, false, EVENTS_MAX_EVENT_ID_LEN };
	if (m->supersedable)
		fields[n++] = (struct proto_field){ "supersedes", PROTO_INT, false, 0 };
	for (size_t i = 0; i < m->n_params; i++) {
		const struct event_param *p = &m->params[i];

		fields[n++] = (struct proto_field){ p->name, p->type, p->required, p->max_len };
	}
	if (proto_params_check(req->params, fields, n, &f) < 0) {
		fail(o, f.error,
		     json_pack("{ss ss}", "parameter", f.parameter, "message", f.detail));
		return false;
	}
	ref = json_string_value(json_object_get(req->params, "reference"));
	/*
	 * A new case's reference is checked; a case registered before (when the check knew
	 * fewer numbers) keeps taking events, since nothing new is stored under its reference.
	 */
	if (m->type == RULES_EV_RECEIVED && !json_object_get(req->params, "supersedes") &&
	    fv_has_national_id(ref)) {
		fail_param(
			o, "reference",
			"'reference' holds a national identity number (fødselsnummer, D-nummer or "
			"H-nummer); fristvakt never stores one (taushetsplikt, data "
			"minimisation): use the case system's case number");
		return false;
	}
	if (!reference_valid(ref)) {
		fail_param(o, "reference",
			   "'reference' must be 1-%d letters, digits and -_./: (the case system's "
			   "reference, never a name or an identity number)",
			   EVENTS_MAX_REF_LEN);
		return false;
	}
	{
		json_t *eid = json_object_get(req->params, "event_id");

		if (json_is_string(eid) &&
		    (json_string_length(eid) == 0 || has_control(json_string_value(eid), false))) {
			fail_param(o, "event_id", "'event_id' must be 1-%d printable characters",
				   EVENTS_MAX_EVENT_ID_LEN);
			return false;
		}
	}
	{
		json_t *sup = json_object_get(req->params, "supersedes");

		if (json_is_integer(sup) && json_integer_value(sup) <= 0) {
			fail_param(o, "supersedes", "'supersedes' must be an event id (> 0)");
			return false;
		}
	}
	d = json_object();
	*when = req->now;
	for (size_t i = 0; i < m->n_params; i++) {
		const struct event_param *p = &m->params[i];
		json_t *v = json_object_get(req->params, p->name);
		const char *s = json_string_value(v);

		if (!v || json_is_null(v))
			continue;
		if ((p->kind == EVENT_PK_IDENT || p->kind == EVENT_PK_TEXT) &&
		    fv_has_national_id(s)) {
			fail_param(
				o, p->name,
				"'%s' holds a national identity number (fødselsnummer, D-nummer or "
				"H-nummer); fristvakt never stores one (taushetsplikt, data "
				"minimisation)%s",
				p->name,
				p->kind == EVENT_PK_IDENT
					? ": use the case system's id of the case worker "
					  "or unit"
					: "");
			goto bad;
		}
		switch (p->kind) {
		case EVENT_PK_INSTANT: {
			int64_t t;
			int ret = cal_instant_parse(s, &t);

			if (ret < 0) {
				fail_param(o, p->name,
					   "'%s' must be an RFC 3339 time such as "
					   "2026-03-02T09:15:00Z or a date YYYY-MM-DD (%s)",
					   p->name, ret == -ERANGE ? "out of range" : "invalid");
				goto bad;
			}
			if (t > req->now + FUTURE_SLACK) {
				fail_param(o, p->name, "'%s' lies in the future", p->name);
				goto bad;
			}
			json_object_set_new(d, p->name, ops_instant_json(t));
			if (m->when && strcmp(m->when, p->name) == 0)
				*when = t;
			continue;
		}
		case EVENT_PK_DATE: {
			struct cal_date date;
			int ret = cal_date_parse(s, &date);

			if (ret < 0) {
				fail_param(o, p->name, "'%s' must be a date YYYY-MM-DD (%s)",
					   p->name,
					   ret == -ERANGE ? "year out of range" : "no such date");
				goto bad;
			}
			break;
		}
		case EVENT_PK_COUNT:
			if (json_integer_value(v) < 0 ||
			    json_integer_value(v) > (json_int_t)p->max_len) {
				fail_param(o, p->name, "'%s' must be a whole number 0-%zu", p->name,
					   p->max_len);
				goto bad;
			}
			break;
		case EVENT_PK_EVENT:
			if (json_integer_value(v) <= 0) {
				fail_param(o, p->name, "'%s' must be an event id (> 0)", p->name);
				goto bad;
			}
			break;
		case EVENT_PK_IDENT:
			if (!*s || has_control(s, false)) {
				fail_param(o, p->name,
					   "'%s' must be 1-%zu characters without control "
					   "characters",
					   p->name, p->max_len);
				goto bad;
			}
			break;
		case EVENT_PK_TEXT:
			if (!*s || has_control(s, true)) {
				fail_param(o, p->name,
					   "'%s' must be non-empty text without control "
					   "characters",
					   p->name);
				goto bad;
			}
			break;
		case EVENT_PK_ENUM:
			if (!in_choices(s, p->choices)) {
				json_t *cj = choices_json(p->choices);
				char *list = json_dumps(cj, JSON_COMPACT);

				fail_param(o, p->name, "'%s' must be one of %s", p->name, list);
				free(list);
				json_decref(cj);
				goto bad;
			}
			break;
		case EVENT_PK_KIND: {
			enum rules_kind k;

			if (rules_kind_parse(s, &k) < 0) {
				fail_param(o, p->name,
					   "'%s' must be a deadline kind: processing, "
					   "preliminary_reply, documentation, complaint, "
					   "late_complaint or forwarding",
					   p->name);
				goto bad;
			}
			break;
		}
		case EVENT_PK_SERVICE:
			if (!rules_has_service(env->conf->rules, s)) {
				fail(o, "no.fristvakt.UnknownService",
				     json_pack("{ss so}", "service", s, "known",
					       known_services(env->conf->rules)));
				goto bad;
			}
			break;
		case EVENT_PK_CONTACT:
			if (!contact_valid(v, o))
				goto bad;
			continue; /* never part of the event's data */
		case EVENT_PK_PLAIN:
			break;
		}
		json_object_set(d, p->name, v);
	}
	if (m->type == RULES_EV_PRELIMINARY_REPLY || m->type == RULES_EV_DOC_REQUESTED) {
		/* A promise or a due date cannot lie before the day it was given. */
		const char *key = m->type == RULES_EV_PRELIMINARY_REPLY ? "promised" : "due";
		struct cal_date date, given;
		char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];

		if (cal_date_parse(json_string_value(json_object_get(d, key)), &date) == 0 &&
		    cal_date_of_instant(*when, &given) == 0 && cal_cmp(date, given) < 0) {
			fail_param(o, key, "'%s' (%s) is before '%s' (%s)", key,
				   cal_date_format(date, d1), m->when, cal_date_format(given, d2));
			goto bad;
		}
	}
	if (m->type == RULES_EV_DECISION &&
	    !!json_object_get(d, "made_available") != !!json_object_get(d, "notice_sent")) {
		fail_param(o,
			   json_object_get(d, "made_available") ? "notice_sent" : "made_available",
			   "digital delivery needs both 'made_available' and 'notice_sent'");
		goto bad;
	}
	if (m->type == RULES_EV_DECISION && json_object_get(d, "reached") &&
	    json_object_get(d, "made_available")) {
		fail_param(
			o, "reached",
			"give either 'reached' or 'made_available' with 'notice_sent', not both");
		goto bad;
	}
	*data = d;
	return true;
bad:
	json_decref(d);
	return false;
}

int
ops_case_validate(const struct conf *conf, const char *method, json_t *params, int64_t now,
		  json_t **data, char *err, size_t errlen)
{
	const struct event_schema *m = events_schema_find(method);
	struct ops_env env = { .conf = conf };
	struct ops_req req = { .params = params, .now = now };
	struct outcome o = { 0 };
	int64_t when;
	char *text;

	*data = NULL;
	if (!m) {
		snprintf(err, errlen, "%s: %s", PROTO_ERR_METHOD_NOT_FOUND, method);
		return -ENOENT;
	}
	if (validate(&env, &req, m, data, &when, &o))
		return 0;
	text = json_dumps(o.params, JSON_COMPACT);
	snprintf(err, errlen, "%s %s", o.error, text ? text : "{}");
	free(text);
	json_decref(o.params);
	return -EINVAL;
}

static json_t *
event_json(const struct timeline *tl, size_t i)
{
	const struct store_event *e = &tl->ev[i];

	return json_pack("{sI ss so so s:o s:o s:o sO sI}", "id", (json_int_t)e->id, "type",
			 e->type, "occurred", ops_instant_json(e->occurred), "recorded",
			 ops_instant_json(e->recorded), "event_id",
			 e->client_id ? json_string(e->client_id) : json_null(), "supersedes",
			 e->supersedes ? json_integer(e->supersedes) : json_null(), "superseded_by",
			 e->superseded_by ? json_integer(e->superseded_by) : json_null(), "data",
			 tl->data[i], "uid", (json_int_t)e->uid);
}

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
			fail(o, "no.fristvakt.EventNotFound",
			     json_pack("{ss sI ss}", "reference", ref, "event", (json_int_t)id,
				       "message", msg));
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
	fail_order(o, ref, "no %s event is recorded in case %s; '%s' needs one", tname, ref, param);
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
		fail_order(o, c->ref, "the case's deadlines cannot be computed");
		return -1;
	}
	for (size_t i = 0; i < comp->n; i++) {
		if (comp->d[i].kind == kind && comp->d[i].subject == subject)
			return (ssize_t)i;
	}
	fail_order(o, c->ref, "case %s has no %s for event %lld to %s", c->ref,
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
			/* Not fail_order(): its buffer could cut a long source mid-character. */
			char *msg =
				xasprintf("the %s cannot be extended: no rule allows the office "
					  "to extend it (its rule %s, %s, has no 'extension' in "
					  "the rules configuration)",
					  rules_kind_label(kind), d->rule, d->source);

			fail(o, "no.fristvakt.OutOfOrder",
			     json_pack("{ss ss}", "reference", c->ref, "message", msg));
			free(msg);
		} else if (d->state == RULES_STATE_MET || d->state == RULES_STATE_CANCELLED) {
			fail_order(o, c->ref, "the %s is %s; there is nothing to extend",
				   rules_kind_label(kind), rules_state_name(d->state));
		} else if (proc->extension_before_expiry && d->has_due &&
			   cal_cmp(today, d->due) > 0) {
			/* Not fail_order(): its buffer could cut a long source mid-character. */
			char *msg = xasprintf("the %s expired on %s, and a deadline can be "
					      "extended only before it expires. The extension's "
					      "provision: %s. The deadline's source: %s",
					      rules_kind_label(kind), cal_date_format(d->due, d1),
					      d->extension, d->source);

			fail(o, "no.fristvakt.OutOfOrder",
			     json_pack("{ss ss}", "reference", c->ref, "message", msg));
			free(msg);
		} else if (d->has_due && cal_cmp(until, d->due) <= 0) {
			fail_param(o, "until", "'until' (%s) must be after the current due date %s",
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
		fail_order(o, ref, "the case's service is no longer in the configuration");
	else if (ret == -ERANGE)
		fail_order(o, ref, "a deadline of the case falls outside the calendar's range");
	else
		fail_order(o, ref,
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
		fail_order(o, ref,
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
	fail(o, PROTO_ERR_INVALID_PARAMETER,
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

			fail(o, "no.fristvakt.CaseConflict",
			     json_pack("{ss ss}", "reference", ref, "message", msg));
			free(msg);
			return false;
		}
		return true;
	}
	if (ret != -ENOENT) {
		fail_storage(env, o);
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
		fail_storage(env, o);
		return false;
	}
	if (contact) {
		if (store_contact_set(
			    env->store, c->id, json_string_value(json_object_get(contact, "email")),
			    json_string_value(json_object_get(contact, "phone")), req->now) < 0) {
			fail_storage(env, o);
			return false;
		}
		c->has_contact = true;
	}
	return true;
}

/*
 * Records the event of one call inside the current savepoint. On success *reply is the
 * Recorded reply; on failure o holds the error. Returns whether it succeeded.
 */
static bool
record(struct ops_env *env, struct ops_req *req, const struct event_schema *m, json_t **reply,
       struct outcome *o)
{
	const char *ref, *event_id;
	struct store_case c = { 0 };
	struct store_event prior = { 0 }, ev = { 0 };
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today, when_date, received_date;
	json_t *shown = NULL;
	json_t *data = NULL;
	int64_t when, supersedes;
	bool ok = false, existing = false, correction;
	char *text = NULL;
	int ret;

	o->error = NULL;
	o->params = NULL;
	if (!validate(env, req, m, &data, &when, o))
		goto out;
	ref = json_string_value(json_object_get(req->params, "reference"));
	event_id = json_string_value(json_object_get(req->params, "event_id"));
	supersedes = json_integer_value(json_object_get(req->params, "supersedes"));
	/* RegisterApplication with supersedes corrects the received event of a case. */
	correction = m->type == RULES_EV_RECEIVED && supersedes;
	if (!today_of(req->now, &today) || cal_date_of_instant(when, &when_date) < 0) {
		fail_param(o, m->when ? m->when : "reference", "the time is out of range");
		goto out;
	}

	/* Idempotence: a re-sent event_id gets the original event. */
	if (event_id) {
		ret = store_event_by_client_id(env->store, event_id, &prior);
		if (ret == 0) {
			struct store_case pc = { 0 };

			if (store_case_by_ref(env->store, ref, &pc) == 0 &&
			    same_event(&prior, m, data, supersedes, ref, &pc)) {
				ret = recorded_json(env, &pc, prior.id, true, req->now, reply);
				store_case_deinit(&pc);
				if (ret < 0)
					fail_storage(env, o);
				ok = ret == 0;
				goto out;
			}
			store_case_deinit(&pc);
			fail(o, "no.fristvakt.EventConflict",
			     json_pack("{ss}", "event_id", event_id));
			goto out;
		}
		if (ret != -ENOENT) {
			fail_storage(env, o);
			goto out;
		}
	}

	if (m->type == RULES_EV_RECEIVED && !correction) {
		if (!register_case(env, req, data, when, &c, &existing, o))
			goto out;
		if (existing) {
			/* The same application again: answer with its received event as in force. */
			if ((ret = timeline_load(env->store, c.id, &tl)) < 0) {
				fail_storage(env, o);
				goto out;
			}
			ret = recorded_json(env, &c, current_received(&tl), true, req->now, reply);
			if (ret < 0)
				fail_storage(env, o);
			ok = ret == 0;
			goto out;
		}
	} else {
		ret = store_case_by_ref(env->store, ref, &c);
		if (ret == -ENOENT) {
			fail(o, "no.fristvakt.CaseNotFound", json_pack("{ss}", "reference", ref));
			goto out;
		}
		if (ret < 0) {
			fail_storage(env, o);
			goto out;
		}
		if (strcmp(c.state, "withdrawn") == 0) {
			fail_order(o, ref,
				   "the application in case %s was withdrawn; it takes no "
				   "further events",
				   ref);
			goto out;
		}
		/*
		 * A closed case still takes complaints and what follows them (their deadlines
		 * run on), and a correction of its closing, but not a second closing or a
		 * withdrawal of what was already decided and closed.
		 */
		if (strcmp(c.state, "closed") == 0 &&
		    ((m->type == RULES_EV_CLOSED && !supersedes) ||
		     m->type == RULES_EV_WITHDRAWN)) {
			fail_order(o, ref, "case %s is closed; it cannot be %s", ref,
				   m->type == RULES_EV_CLOSED ? "closed again (to correct the "
								"closing, give 'supersedes')"
							      : "withdrawn");
			goto out;
		}
		/* A correction of the registration may move the case to a service in force. */
		if (!correction && !rules_has_service(env->conf->rules, c.service)) {
			fail_order(o, ref,
				   "case %s is of service '%s', which is no longer in the "
				   "configuration",
				   ref, c.service);
			goto out;
		}
		if (correction && json_object_get(req->params, "contact")) {
			fail_param(o, "contact",
				   "'contact' is not part of the received event and cannot be "
				   "corrected with it; leave it out");
			goto out;
		}
		cal_date_of_instant(c.received, &received_date);
		if (!correction && m->when && cal_cmp(when_date, received_date) < 0) {
			char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];

			fail_order(o, ref, "'%s' (%s) is before the application was received (%s)",
				   m->when, cal_date_format(when_date, d1),
				   cal_date_format(received_date, d2));
			goto out;
		}
		if ((ret = timeline_load(env->store, c.id, &tl)) < 0) {
			fail_storage(env, o);
			goto out;
		}
		if (supersedes) {
			ssize_t i = timeline_find(&tl, supersedes);

			if (i < 0 || strcmp(tl.ev[i].type, rules_event_type_name(m->type)) != 0) {
				char msg[160];

				snprintf(msg, sizeof(msg),
					 "'supersedes': event %lld is not a %s event of this case",
					 (long long)supersedes, rules_event_type_name(m->type));
				fail(o, "no.fristvakt.EventNotFound",
				     json_pack("{ss sI ss}", "reference", ref, "event",
					       (json_int_t)supersedes, "message", msg));
				goto out;
			}
			if (tl.ev[i].superseded_by) {
				fail_order(o, ref, "event %lld was already corrected by event %lld",
					   (long long)supersedes,
					   (long long)tl.ev[i].superseded_by);
				goto out;
			}
		}
		if (correction && (!received_correction_fits(&tl, ref, when_date, o) ||
				   !addresses_ok(env, data, o)))
			goto out;
		/* Store references resolved, so that later events cannot change their meaning. */
		if (m->ref_param) {
			json_t *given = json_object_get(data, m->ref_param);
			enum rules_event_type rt = m->ref_type;
			int64_t id = 0;

			if (m->type == RULES_EV_EXTENSION || m->type == RULES_EV_OVERRIDE) {
				enum rules_kind kind;

				rules_kind_parse(json_string_value(json_object_get(data, "kind")),
						 &kind);
				rt = rules_kind_subject(kind);
			}
			if (m->type == RULES_EV_DOC_RECEIVED && !given) {
				id = 0; /* every open request */
				if (!resolve_ref(&tl, ref, m->ref_param, NULL, rt, &id, o))
					goto out;
				id = 0;
			} else if (!resolve_ref(&tl, ref, m->ref_param, given, rt, &id, o)) {
				goto out;
			}
			if (id)
				json_object_set_new(data, m->ref_param, json_integer(id));
		}
		if (m->type == RULES_EV_REASONS_GIVEN &&
		    !reasons_requested(&tl, json_integer_value(json_object_get(data, "decision")),
				       when_date)) {
			fail_order(
				o, ref,
				"no request for the reasons of decision %lld is recorded on "
				"or before that day; record it first (RequestReasons)",
				(long long)json_integer_value(json_object_get(data, "decision")));
			goto out;
		}
		if (m->type == RULES_EV_EXTENSION || m->type == RULES_EV_OVERRIDE) {
			char *who = account_name(req->peer.uid);

			json_object_set_new(data, "by", json_string(who));
			free(who);
		}
		if (m->type == RULES_EV_EXTENSION && !check_extension(env, &c, &tl, data, today, o))
			goto out;
		if (m->type == RULES_EV_OVERRIDE && !check_override(env, &c, &tl, data, today, o))
			goto out;
	}

	/* Append the event. */
	text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	ev = (struct store_event){
		.case_id = c.id,
		.client_id = event_id ? xstrdup(event_id) : NULL,
		.type = xstrdup(rules_event_type_name(m->type)),
		.occurred = when,
		.recorded = req->now,
		.data = text,
		.supersedes = supersedes,
		.uid = req->peer.uid,
	};
	text = NULL;
	if (store_event_insert(env->store, &ev) < 0) {
		fail_storage(env, o);
		goto out;
	}
	if (m->type == RULES_EV_WITHDRAWN || m->type == RULES_EV_CLOSED) {
		free(c.state);
		c.state = xstrdup(m->type == RULES_EV_WITHDRAWN ? "withdrawn" : "closed");
	}
	c.updated = req->now;
	if (correction) {
		/* The case row follows the newest version of its received event. */
		case_set_registration(&c, data, when);
		if (store_case_update(env->store, &c) < 0) {
			fail_storage(env, o);
			goto out;
		}
	}
	if (store_case_set_state(env->store, c.id, c.state, c.updated) < 0) {
		fail_storage(env, o);
		goto out;
	}

	/* Recompute every deadline of the case from its events, and plan its reminders. */
	timeline_free(&tl);
	if ((ret = timeline_load(env->store, c.id, &tl)) < 0) {
		fail_storage(env, o);
		goto out;
	}
	ret = timeline_compute(env->conf->rules, c.service, &tl, today, &comp);
	if (ret < 0) {
		fail_engine(o, ref, ret);
		goto out;
	}
	if (recompute_store(env, &c, &comp, req->now, &shown) < 0) {
		fail_storage(env, o);
		goto out;
	}
	{
		struct store_audit a = ops_audit_of(req);

		a.case_ref = ref;
		a.method = m->method; /* an item of ImportEvents is audited as its own method */

		if (store_audit_append(env->store, &a) < 0) {
			fail_storage(env, o);
			goto out;
		}
	}
	*reply = json_pack("{s{so sI sb so so}}", "recorded", "case",
			   case_row_json(env->conf->rules, &c), "event", (json_int_t)ev.id,
			   "duplicate", false, "deadlines", shown, "breaches",
			   timeline_findings_json(env->conf->rules, c.service, &tl));
	shown = NULL;
	log_info("%s %s: event %lld (%s)", m->method + strlen(IFACE_FRISTVAKT) + 1, ref,
		 (long long)ev.id, rules_event_type_name(m->type));
	ok = true;
out:
	json_decref(shown);
	free(text);
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	store_event_deinit(&ev);
	store_event_deinit(&prior);
	store_case_deinit(&c);
	json_decref(data);
	return ok;
}

/* Runs record() in its own savepoint; returns whether it succeeded. */
static bool
record_in_savepoint(struct ops_env *env, struct ops_req *req, const struct event_schema *m,
		    json_t **reply, struct outcome *o)
{
	bool ok;

	if (ops_txn_enter(env) < 0) {
		fail_storage(env, o);
		return false;
	}
	ok = record(env, req, m, reply, o);
	if (ops_txn_leave(env, ok) < 0 && ok) {
		json_decref(*reply);
		*reply = NULL;
		fail_storage(env, o);
		ok = false;
	}
	return ok;
}

void
ops_case_record(struct ops_env *env, struct ops_req *req)
{
	const struct event_schema *m = events_schema_find(req->method->name);
	struct outcome o;
	json_t *reply = NULL;

	FV_ASSERT(m);
	if (record_in_savepoint(env, req, m, &reply, &o))
		ops_reply_after_commit(env, req, reply);
	else
		req->reply(req, o.error, o.params);
}

void
ops_import(struct ops_env *env, struct ops_req *req)
{
	static const struct proto_field item_fields[] = {
		{ "method", PROTO_STRING, true, 64 },
		{ "parameters", PROTO_OBJECT, true, 0 },
	};
	json_t *items, *results, *item;
	size_t i;

	items = json_object_get(req->params, "items");
	results = json_array();
	json_array_foreach(items, i, item)
	{
		struct ops_req sub = *req;
		const struct event_schema *m = NULL;
		struct proto_fault f;
		struct outcome o = { 0 };
		json_t *reply = NULL;
		char name[128];

		if (!json_is_object(item) ||
		    proto_params_check(item, item_fields, FV_ARRAY_SIZE(item_fields), &f) < 0) {
			json_array_append_new(
				results,
				json_pack(
					"{sb ss s{ss ss}}", "ok", false, "error",
					PROTO_ERR_INVALID_PARAMETER, "parameters", "parameter",
					"items", "message",
					"each item must be {\"method\": ..., \"parameters\": {...}}"));
			continue;
		}
		snprintf(name, sizeof(name), IFACE_FRISTVAKT ".%s",
			 json_string_value(json_object_get(item, "method")));
		m = events_schema_find(name);
		if (!m) {
			json_array_append_new(results,
					      json_pack("{sb ss s{ss}}", "ok", false, "error",
							PROTO_ERR_METHOD_NOT_FOUND, "parameters",
							"method", name));
			continue;
		}
		sub.params = json_object_get(item, "parameters");
		if (record_in_savepoint(env, &sub, m, &reply, &o)) {
			json_t *r = json_object_get(reply, "recorded");

			json_array_append_new(results,
					      json_pack("{sb sO sO}", "ok", true, "event",
							json_object_get(r, "event"), "duplicate",
							json_object_get(r, "duplicate")));
			json_decref(reply);
		} else {
			json_array_append_new(results, json_pack("{sb ss so}", "ok", false, "error",
								 o.error, "parameters", o.params));
		}
	}
	if (env->in_txn)
		ops_reply_after_commit(env, req, json_pack("{so}", "results", results));
	else
		req->reply(req, NULL, json_pack("{so}", "results", results));
}

void
ops_case_get(struct ops_env *env, struct ops_req *req)
{
	const char *ref;
	struct store_case c = { 0 };
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today;
	char today_s[CAL_DATE_LEN];
	json_t *events, *deadlines;
	int ret;

	ref = json_string_value(json_object_get(req->params, "reference"));
	ret = store_case_by_ref(env->store, ref, &c);
	if (ret == -ENOENT) {
		req->reply(req, "no.fristvakt.CaseNotFound", json_pack("{ss}", "reference", ref));
		return;
	}
	if (ret < 0 || (ret = timeline_load(env->store, c.id, &tl)) < 0) {
		store_case_deinit(&c);
		ops_reply_storage_failure(env, req);
		return;
	}
	today_of(req->now, &today);
	/* A service dropped from the configuration leaves the timeline without deadlines. */
	timeline_compute(env->conf->rules, c.service, &tl, today, &comp);
	/* Each deadline's version (sequence, modified), for calendar exports. */
	deadlines = computed_json(&comp);
	if (store_deadline_versions_annotate(env->store, c.id, deadlines) < 0) {
		json_decref(deadlines);
		rules_deadlines_free(comp.d, comp.n);
		timeline_free(&tl);
		store_case_deinit(&c);
		ops_reply_storage_failure(env, req);
		return;
	}
	events = json_array();
	for (size_t i = 0; i < tl.n; i++)
		json_array_append_new(events, event_json(&tl, i));
	req->reply(req, NULL,
		   json_pack("{so so so so ss}", "case", case_row_json(env->conf->rules, &c),
			     "events", events, "deadlines", deadlines, "breaches",
			     timeline_findings_json(env->conf->rules, c.service, &tl), "today",
			     cal_date_format(today, today_s)));
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	store_case_deinit(&c);
}

/* Reads an optional limit parameter; false (answered) when out of range. */
static bool
get_limit(struct ops_req *req, int *limit)
{
	json_t *v = json_object_get(req->params, "limit");

	*limit = DEFAULT_LIMIT;
	if (!json_is_integer(v))
		return true;
	if (json_integer_value(v) < 1 || json_integer_value(v) > MAX_LIMIT) {
		req->reply(req, PROTO_ERR_INVALID_PARAMETER,
			   json_pack("{ss ss}", "parameter", "limit", "message",
				     "'limit' must be between 1 and 1000"));
		return false;
	}
	*limit = (int)json_integer_value(v);
	return true;
}

static const char *
opt_string(struct ops_req *req, const char *key)
{
	return json_string_value(json_object_get(req->params, key));
}

static bool
reply_bad(struct ops_req *req, const char *param, const char *msg)
{
	req->reply(req, PROTO_ERR_INVALID_PARAMETER,
		   json_pack("{ss ss}", "parameter", param, "message", msg));
	return false;
}

void
ops_case_list(struct ops_env *env, struct ops_req *req)
{
	static const char *const states[] = { "open", "withdrawn", "closed", NULL };
	struct store_case_filter f = { 0 };
	struct store_case *v = NULL;
	size_t n = 0;
	int64_t next = 0, after = 0;
	json_t *arr;

	if (!get_limit(req, &f.limit))
		return;
	f.state = opt_string(req, "state");
	f.service = opt_string(req, "service");
	f.handler = opt_string(req, "handler");
	f.unit = opt_string(req, "unit");
	if (f.state && !in_choices(f.state, states)) {
		reply_bad(req, "state", "'state' must be open, withdrawn or closed");
		return;
	}
	if (opt_string(req, "after") &&
	    fv_parse_i64(opt_string(req, "after"), 1, INT64_MAX, &after) < 0) {
		reply_bad(req, "after", "'after' must be the 'next' of a previous page");
		return;
	}
	f.before_id = after;
	if (store_cases_list(env->store, &f, &v, &n, &next) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, case_row_json(env->conf->rules, &v[i]));
	store_cases_free(v, n);
	if (next) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)next);
		req->reply(req, NULL, json_pack("{so ss}", "cases", arr, "next", buf));
	} else {
		req->reply(req, NULL, json_pack("{so sn}", "cases", arr, "next"));
	}
}

void
ops_deadlines_list(struct ops_env *env, struct ops_req *req)
{
	static const char *const states[] = {
		"open", "met", "missed", "expired", "cancelled", NULL
	};
	static const char *const duties[] = { "office", "party", NULL };
	struct store_deadline_filter f = { 0 };
	struct cal_date today, d;
	char today_s[CAL_DATE_LEN], after_due[CAL_DATE_LEN];
	const char *after;
	enum rules_kind kind;
	json_t *rows, *row;
	bool has_next;
	char *next_due = NULL;
	int64_t next_id;
	size_t i;

	if (!get_limit(req, &f.limit))
		return;
	today_of(req->now, &today);
	f.today = cal_date_format(today, today_s);
	f.state = opt_string(req, "state");
	f.kind = opt_string(req, "kind");
	f.duty = opt_string(req, "duty");
	f.service = opt_string(req, "service");
	f.handler = opt_string(req, "handler");
	f.unit = opt_string(req, "unit");
	f.due_from = opt_string(req, "due_from");
	f.due_to = opt_string(req, "due_to");
	f.overdue = json_is_true(json_object_get(req->params, "overdue"));
	if (f.state && !in_choices(f.state, states)) {
		reply_bad(req, "state", "'state' must be open, met, missed, expired or cancelled");
		return;
	}
	if (f.duty && !in_choices(f.duty, duties)) {
		reply_bad(req, "duty", "'duty' must be office or party");
		return;
	}
	if (f.kind && rules_kind_parse(f.kind, &kind) < 0) {
		reply_bad(req, "kind", "'kind' must be a deadline kind");
		return;
	}
	if (f.due_from && cal_date_parse(f.due_from, &d) < 0) {
		reply_bad(req, "due_from", "'due_from' must be a date YYYY-MM-DD");
		return;
	}
	if (f.due_to && cal_date_parse(f.due_to, &d) < 0) {
		reply_bad(req, "due_to", "'due_to' must be a date YYYY-MM-DD");
		return;
	}
	/* The cursor is "DUE/ID" or "-/ID" for a row without a due date. */
	after = opt_string(req, "after");
	if (after) {
		const char *slash = strchr(after, '/');
		int64_t id;

		if (!slash || fv_parse_i64(slash + 1, 1, INT64_MAX, &id) < 0 ||
		    (size_t)(slash - after) >= sizeof(after_due)) {
			reply_bad(req, "after", "'after' must be the 'next' of a previous page");
			return;
		}
		memcpy(after_due, after, (size_t)(slash - after));
		after_due[slash - after] = '\0';
		if (strcmp(after_due, "-") != 0 && cal_date_parse(after_due, &d) < 0) {
			reply_bad(req, "after", "'after' must be the 'next' of a previous page");
			return;
		}
		f.has_after = true;
		f.after_due = strcmp(after_due, "-") == 0 ? NULL : after_due;
		f.after_id = id;
	}
	if (store_deadlines_list(env->store, &f, &rows, &has_next, &next_due, &next_id) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		const char *due = json_string_value(json_object_get(row, "due"));
		const char *k = json_string_value(json_object_get(row, "kind"));

		if (k && rules_kind_parse(k, &kind) == 0) {
			const char *service = json_string_value(json_object_get(row, "service"));
			const char *body = rules_complaint_body(env->conf->rules, service);
			char *label = rules_deadline_label(env->conf->rules, service, kind);

			json_object_set_new(row, "label", json_string(label));
			free(label);
			json_object_set_new(
				row, "duty",
				json_string(rules_kind_is_office_duty(kind) ? "office" : "party"));
			json_object_set_new(row, "complaint_body",
					    kind == RULES_KIND_FORWARDING && body
						    ? json_string(body)
						    : json_null());
		}
		if (due && cal_date_parse(due, &d) == 0)
			json_object_set_new(row, "days_left",
					    json_integer(cal_diff_days(today, d)));
		else
			json_object_set_new(row, "days_left", json_null());
	}
	if (has_next) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s/%lld", next_due ? next_due : "-",
			 (long long)next_id);
		req->reply(
			req, NULL,
			json_pack("{so ss ss}", "deadlines", rows, "next", buf, "today", today_s));
	} else {
		req->reply(req, NULL,
			   json_pack("{so sn ss}", "deadlines", rows, "next", "today", today_s));
	}
	free(next_due);
}

void
ops_audit_list(struct ops_env *env, struct ops_req *req)
{
	json_t *rows, *row;
	int64_t next;
	int limit;
	size_t i;

	if (!get_limit(req, &limit))
		return;
	if (json_is_integer(json_object_get(req->params, "after")) &&
	    json_integer_value(json_object_get(req->params, "after")) < 1) {
		reply_bad(req, "after", "'after' must be the 'next' of a previous page");
		return;
	}
	if (store_audit_list(env->store, opt_string(req, "reference"), limit,
			     json_integer_value(json_object_get(req->params, "after")), &rows,
			     &next) < 0) {
		ops_reply_storage_failure(env, req);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		json_object_set_new(
			row, "at",
			ops_instant_json(json_integer_value(json_object_get(row, "at"))));
	}
	req->reply(req, NULL,
		   json_pack("{so so}", "entries", rows, "next",
			     next ? json_integer(next) : json_null()));
}
