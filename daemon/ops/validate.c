// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * validate: the parameters of an event method checked against the event schema
 * (core/events.h) before anything is read or stored: their JSON types and sizes, then the
 * shared ones (reference, event_id, supersedes), then each parameter by what it holds
 * (instants, dates, counts, event ids, names, texts, choices, deadline kinds, services,
 * contact details), then how they relate. The event's data is built on the way. Every
 * refusal names the parameter with a message a person can act on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/events.h"
#include "core/jsonkit.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/vocab.h"
#include "ops/case_impl.h"

/* Events may be recorded as happening at most this far ahead of the daemon's clock. */
#define FUTURE_SLACK (24 * 3600)

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

bool
choices_has(const char *s, const char *const *choices)
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
	static const struct jsonkit_field fields[] = {
		{ "email", JSONKIT_STRING, false, 254 },
		{ "phone", JSONKIT_STRING, false, 32 },
		{ "consent", JSONKIT_BOOL, true, 0 },
	};
	struct jsonkit_fault f;
	const char *email, *phone;

	if (jsonkit_check(c, fields, FV_ARRAY_SIZE(fields), &f) < 0) {
		outcome_param(o, "contact", "contact: %s", f.detail);
		return false;
	}
	email = json_string_value(json_object_get(c, "email"));
	phone = json_string_value(json_object_get(c, "phone"));
	if (!json_is_true(json_object_get(c, "consent"))) {
		outcome_param(
			o, "contact",
			"contact details may be stored only with the applicant's consent; leave "
			"'contact' out");
		return false;
	}
	if (!email && !phone) {
		outcome_param(o, "contact", "contact needs 'email' or 'phone'");
		return false;
	}
	if (email && (!strchr(email, '@') || strchr(email, ' ') || has_control(email, false) ||
		      email[0] == '@')) {
		outcome_param(o, "contact", "contact 'email' is not an e-mail address");
		return false;
	}
	if (phone && (strspn(phone, "+0123456789 ") != strlen(phone) || strlen(phone) < 3)) {
		outcome_param(o, "contact", "contact 'phone' may hold only digits, spaces and '+'");
		return false;
	}
	return true;
}

/* The fields every event method takes, then the schema's: checked for type and size. */
static bool
check_fields(struct ops_req *req, const struct event_schema *m, struct outcome *o)
{
	struct jsonkit_field fields[16];
	size_t n = 0;
	struct jsonkit_fault f;

	fields[n++] = (struct jsonkit_field){ "reference", JSONKIT_STRING, true, 256 };
	fields[n++] = (struct jsonkit_field){ "event_id", JSONKIT_STRING, false,
					      EVENTS_MAX_EVENT_ID_LEN };
	if (m->supersedable)
		fields[n++] = (struct jsonkit_field){ "supersedes", JSONKIT_INT, false, 0 };
	for (size_t i = 0; i < m->n_params; i++) {
		const struct event_param *p = &m->params[i];

		fields[n++] = (struct jsonkit_field){ p->name, p->type, p->required, p->max_len };
	}
	if (jsonkit_check(req->params, fields, n, &f) < 0) {
		outcome_fail(o, OPS_ERR_INVALID_PARAMETER,
			     json_pack("{ss ss}", "parameter", f.member, "message", f.detail));
		return false;
	}
	return true;
}

/* The parameters every event method shares: reference, event_id and supersedes. */
static bool
check_common(struct ops_req *req, const struct event_schema *m, struct outcome *o)
{
	const char *ref = json_string_value(json_object_get(req->params, "reference"));
	json_t *eid = json_object_get(req->params, "event_id");
	json_t *sup = json_object_get(req->params, "supersedes");

	/*
	 * A new case's reference is checked; a case registered before (when the check knew
	 * fewer numbers) keeps taking events, since nothing new is stored under its reference.
	 */
	if (m->type == RULES_EV_RECEIVED && !sup && fv_has_national_id(ref)) {
		outcome_param(
			o, "reference",
			"'reference' holds a national identity number (fødselsnummer, D-nummer or "
			"H-nummer); fristvakt never stores one (taushetsplikt, data "
			"minimisation): use the case system's case number");
		return false;
	}
	if (!reference_valid(ref)) {
		outcome_param(o, "reference",
			      "'reference' must be 1-%d letters, digits and -_./: (the case "
			      "system's reference, never a name or an identity number)",
			      EVENTS_MAX_REF_LEN);
		return false;
	}
	if (json_is_string(eid) &&
	    (json_string_length(eid) == 0 || has_control(json_string_value(eid), false))) {
		outcome_param(o, "event_id", "'event_id' must be 1-%d printable characters",
			      EVENTS_MAX_EVENT_ID_LEN);
		return false;
	}
	if (json_is_integer(sup) && json_integer_value(sup) <= 0) {
		outcome_param(o, "supersedes", "'supersedes' must be an event id (> 0)");
		return false;
	}
	return true;
}

/* Handler, unit and reasons never hold a national identity number. */
static bool
check_no_national_id(const struct event_param *p, const char *s, struct outcome *o)
{
	if ((p->kind != EVENT_PK_IDENT && p->kind != EVENT_PK_TEXT) || !fv_has_national_id(s))
		return true;
	outcome_param(o, p->name,
		      "'%s' holds a national identity number (fødselsnummer, D-nummer or "
		      "H-nummer); fristvakt never stores one (taushetsplikt, data "
		      "minimisation)%s",
		      p->name,
		      p->kind == EVENT_PK_IDENT ? ": use the case system's id of the case worker "
						  "or unit"
						: "");
	return false;
}

/*
 * An instant: normalised to RFC 3339 UTC in d, not in the future; the method's own time
 * parameter sets *when.
 */
static bool
check_instant(struct ops_req *req, const struct event_schema *m, const struct event_param *p,
	      const char *s, json_t *d, int64_t *when, struct outcome *o)
{
	int64_t t;
	int ret = cal_instant_parse(s, &t);

	if (ret < 0) {
		outcome_param(o, p->name,
			      "'%s' must be an RFC 3339 time such as 2026-03-02T09:15:00Z or a "
			      "date YYYY-MM-DD (%s)",
			      p->name, ret == -ERANGE ? "out of range" : "invalid");
		return false;
	}
	if (t > req->now + FUTURE_SLACK) {
		outcome_param(o, p->name, "'%s' lies in the future", p->name);
		return false;
	}
	json_object_set_new(d, p->name, ops_instant_json(t));
	if (m->when && strcmp(m->when, p->name) == 0)
		*when = t;
	return true;
}

static bool
check_date(const struct event_param *p, const char *s, struct outcome *o)
{
	struct cal_date date;
	int ret = cal_date_parse(s, &date);

	if (ret == 0)
		return true;
	outcome_param(o, p->name, "'%s' must be a date YYYY-MM-DD (%s)", p->name,
		      ret == -ERANGE ? "year out of range" : "no such date");
	return false;
}

static bool
check_enum(const struct event_param *p, const char *s, struct outcome *o)
{
	json_t *cj;
	char *list;

	if (choices_has(s, p->choices))
		return true;
	cj = choices_json(p->choices);
	list = json_dumps(cj, JSON_COMPACT);
	outcome_param(o, p->name, "'%s' must be one of %s", p->name, list);
	free(list);
	json_decref(cj);
	return false;
}

/* A value of the kinds that need nothing beyond the value itself; true when it fits. */
static bool
check_plain_kind(const struct event_param *p, json_t *v, struct outcome *o)
{
	const char *s = json_string_value(v);
	enum rules_kind k;
	char *kinds;

	switch (p->kind) {
	case EVENT_PK_DATE:
		return check_date(p, s, o);
	case EVENT_PK_COUNT:
		if (json_integer_value(v) >= 0 && json_integer_value(v) <= (json_int_t)p->max_len)
			return true;
		outcome_param(o, p->name, "'%s' must be a whole number 0-%zu", p->name, p->max_len);
		return false;
	case EVENT_PK_EVENT:
		if (json_integer_value(v) > 0)
			return true;
		outcome_param(o, p->name, "'%s' must be an event id (> 0)", p->name);
		return false;
	case EVENT_PK_IDENT:
		if (*s && !has_control(s, false))
			return true;
		outcome_param(o, p->name,
			      "'%s' must be 1-%zu characters without control characters", p->name,
			      p->max_len);
		return false;
	case EVENT_PK_TEXT:
		if (*s && !has_control(s, true))
			return true;
		outcome_param(o, p->name, "'%s' must be non-empty text without control characters",
			      p->name);
		return false;
	case EVENT_PK_ENUM:
		return check_enum(p, s, o);
	case EVENT_PK_KIND:
		if (rules_kind_parse(s, &k) == 0)
			return true;
		kinds = vocab_kind_names(" or ");
		outcome_param(o, p->name, "'%s' must be a deadline kind: %s", p->name, kinds);
		free(kinds);
		return false;
	default:
		return true;
	}
}

/*
 * One parameter p given as v: checked, and put into the event's data d (instants
 * normalised; a contact never). False with the refusal in o.
 */
static bool
check_param(struct ops_env *env, struct ops_req *req, const struct event_schema *m,
	    const struct event_param *p, json_t *v, json_t *d, int64_t *when, struct outcome *o)
{
	const char *s = json_string_value(v);

	if (!check_no_national_id(p, s, o))
		return false;
	switch (p->kind) {
	case EVENT_PK_INSTANT:
		return check_instant(req, m, p, s, d, when, o);
	case EVENT_PK_CONTACT:
		return contact_valid(v, o); /* never part of the event's data */
	case EVENT_PK_SERVICE:
		if (!rules_has_service(env->conf->rules, s)) {
			outcome_fail(o, OPS_ERR_UNKNOWN_SERVICE,
				     json_pack("{ss so}", "service", s, "known",
					       known_services(env->conf->rules)));
			return false;
		}
		break;
	default:
		if (!check_plain_kind(p, v, o))
			return false;
		break;
	}
	json_object_set(d, p->name, v);
	return true;
}

/* A promise or a due date cannot lie before the day it was given. */
static bool
check_not_before_given(const struct event_schema *m, json_t *d, int64_t when, struct outcome *o)
{
	const char *key = m->type == RULES_EV_PRELIMINARY_REPLY ? "promised" : "due";
	struct cal_date date, given;
	char d1[CAL_DATE_LEN], d2[CAL_DATE_LEN];

	if (m->type != RULES_EV_PRELIMINARY_REPLY && m->type != RULES_EV_DOC_REQUESTED)
		return true;
	if (cal_date_parse(json_string_value(json_object_get(d, key)), &date) == 0 &&
	    cal_date_of_instant(when, &given) == 0 && cal_cmp(date, given) < 0) {
		outcome_param(o, key, "'%s' (%s) is before '%s' (%s)", key,
			      cal_date_format(date, d1), m->when, cal_date_format(given, d2));
		return false;
	}
	return true;
}

/* A decision reaches the party either in person ('reached') or digitally (both others). */
static bool
check_delivery(const struct event_schema *m, json_t *d, struct outcome *o)
{
	bool available = json_object_get(d, "made_available") != NULL;

	if (m->type != RULES_EV_DECISION)
		return true;
	if (available != (json_object_get(d, "notice_sent") != NULL)) {
		outcome_param(o, available ? "notice_sent" : "made_available",
			      "digital delivery needs both 'made_available' and 'notice_sent'");
		return false;
	}
	if (json_object_get(d, "reached") && available) {
		outcome_param(
			o, "reached",
			"give either 'reached' or 'made_available' with 'notice_sent', not both");
		return false;
	}
	return true;
}

bool
event_validate(struct ops_env *env, struct ops_req *req, const struct event_schema *m,
	       json_t **data, int64_t *when, struct outcome *o)
{
	json_t *d;

	if (!check_fields(req, m, o) || !check_common(req, m, o))
		return false;
	d = json_object();
	*when = req->now;
	for (size_t i = 0; i < m->n_params; i++) {
		const struct event_param *p = &m->params[i];
		json_t *v = json_object_get(req->params, p->name);

		if (!v || json_is_null(v))
			continue;
		if (!check_param(env, req, m, p, v, d, when, o))
			goto bad;
	}
	if (!check_not_before_given(m, d, *when, o) || !check_delivery(m, d, o))
		goto bad;
	*data = d;
	return true;
bad:
	json_decref(d);
	return false;
}

int
ops_case_validate(const struct conf *conf, const char *method, json_t *params, int64_t now,
		  json_t **data, enum ops_error *error, json_t **why)
{
	const struct event_schema *m = events_schema_find(method);
	struct ops_env env = { .conf = conf };
	struct ops_req req = { .params = params, .now = now };
	struct outcome o = { 0 };
	int64_t when;

	*data = NULL;
	*error = OPS_OK;
	*why = NULL;
	if (!m)
		return -ENOENT;
	if (event_validate(&env, &req, m, data, &when, &o))
		return 0;
	*error = o.error;
	*why = o.params;
	return -EINVAL;
}
