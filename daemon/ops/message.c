// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * ops_message: what a reminder says and to whom, rendered for its channel. A case's
 * reminder fills its template's variables (the case, the deadline with its rule and
 * explanation, the dates in words, days left or overdue) and picks the first template that
 * exists of the stage's names, the applicant's own texts before the staff's; a template
 * that fails gives the built-in text. Digests and notices to the administrators have
 * templates of their own. The recipients' addresses come from the address patterns; one
 * that is no valid address is left out and noted. Message ids and thread ids are stable
 * for a reminder and a case and end in the installation id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/case_impl.h"
#include "ops/remind_impl.h"
#include "core/cal.h"
#include "core/log.h"
#include "core/rules.h"
#include "store/store.h"
#include "core/tmpl.h"
#include "core/strbuf.h"
#include "core/util.h"

const char *const remind_recipient_roles[4] = { "handler", "unit", "supervisor", "applicant" };

void
ops_message_deinit(struct ops_message *m)
{
	free(m->id);
	free(m->thread);
	free(m->topic);
	free(m->subject);
	free(m->text);
	free(m->skipped);
	for (size_t i = 0; i < m->n_to; i++)
		free(m->to[i]);
	free(m->to);
	json_decref(m->body);
	memset(m, 0, sizeof(*m));
}

/* The address of a pattern for case c (conf_address_expand), or NULL. */
static char *
address(const struct conf_reminders *r, const char *pattern, const struct store_case *c)
{
	return conf_address_expand(r, pattern, c->handler, c->unit);
}

/*
 * Adds addr (owned, may be NULL) to the message's recipients. An address that is not valid
 * (an id with letters an address cannot have, from a case registered before the patterns
 * said so) is left out and noted in m->skipped for the attempt's record: one bad recipient
 * must not hold back the others.
 */
static void
add_to(struct ops_message *m, const char *role, char *addr)
{
	if (!addr)
		return;
	if (!conf_address_valid(addr)) {
		/* The applicant's address is contact data: it stays out of the record. */
		bool contact = strcmp(role, "applicant") == 0;
		char *note = xasprintf("%s%snot sent to the %s: '%s' is no valid e-mail address",
				       m->skipped ? m->skipped : "", m->skipped ? "; " : "", role,
				       contact ? "(the contact's)" : addr);

		free(m->skipped);
		m->skipped = note;
		free(addr);
		return;
	}
	m->to = xrealloc(m->to, (m->n_to + 1) * sizeof(*m->to));
	m->to[m->n_to++] = addr;
}

/*
 * s encoded for the id-left of a Message-ID (RFC 5322 dot-atom-text): letters and digits as
 * they are, every other byte as =HH (upper-case hex), '=' included, so that different texts
 * ("2024/1", "2024-1", "2024=2F1") never share an id. Returns false when out (len bytes)
 * is too small for all of it: a cut would map two texts to one.
 */
static bool
id_part(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (n + (plain ? 1 : 3) >= len)
			return false;
		if (plain) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '=';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
	return true;
}

struct vars {
	struct tmpl_var v[24];
	size_t n;
	char buf[8][64];
	size_t nbuf;
};

static void
var(struct vars *vs, const char *name, const char *value)
{
	if (!value || vs->n >= FV_ARRAY_SIZE(vs->v))
		return;
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = value;
	vs->n++;
}

static void
var_int(struct vars *vs, const char *name, long long value)
{
	if (vs->nbuf >= FV_ARRAY_SIZE(vs->buf))
		return;
	snprintf(vs->buf[vs->nbuf], sizeof(vs->buf[0]), "%lld", value);
	var(vs, name, vs->buf[vs->nbuf++]);
}

/* Renders a template by its candidate names, or the built-in text; never fails. */
static void
render(struct ops_env *env, const char *const *names, size_t n, struct vars *vs,
       struct ops_message *m)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const char *name = r->tmpl ? tmpl_pick(r->tmpl, r->language, names, n) : NULL;
	char err[256] = "no template";

	if (name && tmpl_render(r->tmpl, r->language, name, vs->v, vs->n, &m->subject, &m->text,
				err, sizeof(err)) == 0)
		return;
	log_err("template %s (%s): %s; sending the built-in text instead", name ? name : names[0],
		r->language, err);
	m->fallback = true;
	tmpl_fallback(r->language, vs->v, vs->n, &m->subject, &m->text);
}

/* An ISO date as people read it in lang ("tirsdag 22. desember 2026"); NULL stays NULL. */
static const char *
date_words(const char *lang, const char *iso, char *buf)
{
	struct cal_date d;

	if (!iso || cal_date_parse(iso, &d) < 0)
		return iso;
	return tmpl_date_words(lang, d.year, d.month, d.day, (int)cal_weekday(d), buf,
			       TMPL_DATE_WORDS_LEN);
}

/*
 * The recipient that bit (one of CONF_RCPT_*) stands for in case c: its id in *id
 * (borrowed from c, or NULL) and its address (owned), or NULL when it has none.
 */
static char *
recipient_address(struct ops_env *env, const struct store_case *c, unsigned bit, const char **id)
{
	const struct conf_reminders *r = &env->conf->reminders;
	char *email = NULL, *phone = NULL, *addr = NULL;

	*id = NULL;
	switch (bit) {
	case CONF_RCPT_HANDLER:
		*id = c->handler;
		addr = r->handler_address ? address(r, r->handler_address, c) : NULL;
		break;
	case CONF_RCPT_UNIT:
		*id = c->unit;
		addr = r->unit_address ? address(r, r->unit_address, c) : NULL;
		break;
	case CONF_RCPT_SUPERVISOR:
		*id = c->unit;
		addr = r->supervisor_address ? address(r, r->supervisor_address, c) : NULL;
		break;
	case CONF_RCPT_APPLICANT:
		/* The address goes to the mail relay only, never into the webhook body. */
		if (store_contact_get(env->store, c->id, &email, &phone) == 0 && email)
			addr = xstrdup(email);
		break;
	}
	free(email);
	free(phone);
	return addr;
}

/*
 * Adds the recipients of reminder rem in case c to m, those with a valid address to its
 * To: list. Returns who they are (role and id) for the webhook body: owned.
 */
static json_t *
case_recipients(struct ops_env *env, const struct store_reminder *rem, const struct store_case *c,
		struct ops_message *m)
{
	json_t *rcpts = json_array();

	for (size_t i = 0; i < FV_ARRAY_SIZE(remind_recipient_roles); i++) {
		const char *id;
		char *addr;

		if (!(rem->recipients & (1u << i)))
			continue;
		addr = recipient_address(env, c, 1u << i, &id);
		json_array_append_new(rcpts,
				      json_pack("{ss s:o}", "role", remind_recipient_roles[i], "id",
						id ? json_string(id) : json_null()));
		add_to(m, remind_recipient_roles[i], addr);
	}
	return rcpts;
}

/*
 * The explanation in words of deadline (kind, subject) of case c, as the rules in force
 * compute it today from the case's events: owned, or NULL. The stored deadlines keep no
 * explanation (derived data, computed on the few occasions a template shows it).
 */
static char *
explanation_words(struct ops_env *env, const struct store_case *c, const char *kind,
		  int64_t subject, int64_t now)
{
	struct timeline tl = { 0 };
	struct computed comp = { 0 };
	struct cal_date today;
	enum rules_kind k;
	char *text = NULL;

	if (rules_kind_parse(kind, &k) < 0 || !today_of(now, &today) ||
	    timeline_load(env->store, c->id, &tl) < 0)
		return NULL;
	if (timeline_compute(env->conf->rules, c->service, &tl, today, &comp) == 0) {
		for (size_t i = 0; i < comp.n && !text; i++) {
			if (comp.d[i].kind == k && comp.d[i].subject == subject)
				text = rules_deadline_text(&comp.d[i]);
		}
	}
	rules_deadlines_free(comp.d, comp.n);
	timeline_free(&tl);
	return text;
}

/* The template candidates' pick uses {{explanation}}: its words, else NULL (owned). */
static char *
explanation_if_shown(struct ops_env *env, const struct store_reminder *rem,
		     const struct store_case *c, const char *const *cand, size_t n, int64_t now)
{
	const struct conf_reminders *r = &env->conf->reminders;
	const char *name = r->tmpl ? tmpl_pick(r->tmpl, r->language, cand, n) : NULL;

	if (!name || !tmpl_uses(r->tmpl, r->language, name, "explanation"))
		return NULL;
	return explanation_words(env, c, rem->kind, rem->subject, now);
}

static int
case_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
	     struct ops_message *m)
{
	const struct conf_reminders *r = &env->conf->reminders;
	struct store_case c = { 0 };
	struct store_deadline_info dl = { 0 };
	const char *due;
	json_t *rcpts;
	struct cal_date today, due_d;
	struct vars vs = { .n = 0 };
	enum rules_kind kind;
	/* A reference (at most 64 bytes) encoded whole, =HH for each byte at worst. */
	char names[4][64], ref[3 * 64 + 1], date[CAL_DATE_LEN], words[2][TMPL_DATE_WORDS_LEN];
	char applicant[4][80];
	const char *cand[8];
	char *expl;
	size_t n, k = 0;
	int ret;

	if ((ret = store_case_by_id(env->store, rem->case_id, &c)) < 0)
		return ret;
	rules_kind_parse(rem->kind, &kind);
	store_deadline_get(env->store, rem->case_id, rem->kind, rem->subject, &dl);
	cal_date_of_instant(now, &today);
	due = dl.due ? dl.due : rem->due;
	var(&vs, "reference", c.ref);
	var(&vs, "service", c.service);
	var(&vs, "service_name",
	    rules_service_name(env->conf->rules, c.service)
		    ? rules_service_name(env->conf->rules, c.service)
		    : c.service);
	var(&vs, "kind", rem->kind);
	var(&vs, "kind_label", tmpl_kind_label(r->language, rem->kind));
	var(&vs, "stage", rem->stage);
	var(&vs, "handler", c.handler);
	var(&vs, "unit", c.unit);
	var(&vs, "date", date_words(r->language, cal_date_format(today, date), words[0]));
	var(&vs, "source", dl.source);
	var(&vs, "rule", dl.rule);
	var(&vs, "complaint_body", rules_complaint_body(env->conf->rules, c.service));
	if (due && cal_date_parse(due, &due_d) == 0) {
		int32_t left = cal_diff_days(today, due_d);

		var(&vs, "due", date_words(r->language, due, words[1]));
		var(&vs, "due_iso", due);
		var(&vs, "due_weekday", tmpl_weekday_name(r->language, (int)cal_weekday(due_d)));
		var_int(&vs, "days_left", left);
		var_int(&vs, "days_overdue", left < 0 ? -left : 0);
	}
	n = conf_stage_templates((int)kind, rem->stage, names);
	/* The applicant's own texts first ("applicant.complaint.before-7", ...). */
	for (size_t i = 0; strcmp(rem->recipient, "applicant") == 0 && i + 1 < n; i++) {
		snprintf(applicant[i], sizeof(applicant[i]), "applicant.%.63s", names[i]);
		cand[k++] = applicant[i];
	}
	for (size_t i = 0; i < n; i++)
		cand[k++] = names[i];
	expl = explanation_if_shown(env, rem, &c, cand, k, now);
	var(&vs, "explanation", expl);
	render(env, cand, k, &vs, m);
	free(expl);

	/* Recipients: who, and where mail goes. */
	rcpts = case_recipients(env, rem, &c, m);
	/* Ids end in the installation id: unique across installations, the same for one
	 * reminder across retries, restarts and a restore of the same database. */
	m->id = xasprintf("fristvakt-reminder-%lld.%s", (long long)rem->id, env->installation);
	/* A reference too long to encode whole gets no thread rather than another's. */
	if (id_part(c.ref, ref, sizeof(ref)))
		m->thread = xasprintf("fristvakt-case-%s.%s", ref, env->installation);
	m->topic = xasprintf("fristvakt %s", c.ref);
	m->body = json_pack("{ss sI ss ss s{ss ss s:o sI} ss so ss ss ss}", "type",
			    "fristvakt.reminder", "reminder_id", (json_int_t)rem->id, "id", m->id,
			    "case_reference", c.ref, "deadline", "kind", rem->kind, "label",
			    rules_kind_label(kind), "due", due ? json_string(due) : json_null(),
			    "subject", (json_int_t)rem->subject, "stage", rem->stage, "recipients",
			    rcpts, "language", r->language, "message_subject", m->subject,
			    "message_text", m->text);
	store_deadline_info_deinit(&dl);
	store_case_deinit(&c);
	return 0;
}

static int
caseless_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
		 struct ops_message *m)
{
	json_t *data = rem->data ? json_loads(rem->data, 0, NULL) : NULL;
	const char *lang = env->conf->reminders.language;
	struct vars vs = { .n = 0 };
	struct cal_date today;
	char date[CAL_DATE_LEN], name[64], words[TMPL_DATE_WORDS_LEN], due_w[TMPL_DATE_WORDS_LEN];
	const char *cand[2];
	char *items = NULL;

	cal_date_of_instant(now, &today);
	var(&vs, "date", date_words(lang, cal_date_format(today, date), words));
	var(&vs, "recipient", rem->recipient);
	/* A notice speaks of the stage of the reminder it is about. */
	var(&vs, "stage",
	    json_is_string(json_object_get(data, "stage"))
		    ? json_string_value(json_object_get(data, "stage"))
		    : rem->stage);
	var(&vs, "reference", json_string_value(json_object_get(data, "reference")));
	var(&vs, "kind_label", json_string_value(json_object_get(data, "kind_label")));
	var(&vs, "kind", json_string_value(json_object_get(data, "kind")));
	var(&vs, "due", date_words(lang, json_string_value(json_object_get(data, "due")), due_w));
	var(&vs, "due_iso", json_string_value(json_object_get(data, "due")));
	if (strcmp(rem->kind, "digest") == 0) {
		json_t *list = json_object_get(data, "items");
		struct strbuf b = { 0 };
		size_t i;
		json_t *it;

		json_array_foreach(list, i, it)
		{
			char dw[TMPL_DATE_WORDS_LEN];

			strbuf_printf(&b, "%s: %s, %s\n",
				      json_string_value(json_object_get(it, "reference")),
				      json_string_value(json_object_get(it, "label")),
				      date_words(lang,
						 json_string_value(json_object_get(it, "due")),
						 dw));
		}
		items = strbuf_take(&b);
		var(&vs, "items", items);
		var_int(&vs, "count", (long long)json_array_size(list));
		snprintf(name, sizeof(name), "digest");
	} else {
		snprintf(name, sizeof(name), "admin.%s", rem->stage);
	}
	cand[0] = name;
	cand[1] = "default";
	render(env, cand, 2, &vs, m);
	m->id = xasprintf("fristvakt-%s-%lld.%s", rem->kind, (long long)rem->id, env->installation);
	m->thread = xasprintf("fristvakt-%s.%s", rem->kind, env->installation);
	/* A notice goes to the administrators (conf/reminders.c requires the address on smtp). */
	if (strcmp(rem->kind, "admin") == 0 && env->conf->reminders.admin_address) {
		add_to(m, "administrators", xstrdup(env->conf->reminders.admin_address));
	} else if (strncmp(rem->recipient, "handler:", 8) == 0 &&
		   env->conf->reminders.handler_address) {
		struct store_case c = { .handler = rem->recipient + 8 };

		add_to(m, "handler",
		       address(&env->conf->reminders, env->conf->reminders.handler_address, &c));
	} else if (strncmp(rem->recipient, "unit:", 5) == 0 && env->conf->reminders.unit_address) {
		struct store_case c = { .unit = rem->recipient + 5 };

		add_to(m, "unit",
		       address(&env->conf->reminders, env->conf->reminders.unit_address, &c));
	}
	m->body = json_pack("{ss sI ss ss ss s:O ss ss}", "type",
			    strcmp(rem->kind, "digest") == 0 ? "fristvakt.digest"
							     : "fristvakt.notice",
			    "reminder_id", (json_int_t)rem->id, "id", m->id, "stage", rem->stage,
			    "recipient", rem->recipient, "data", data ? data : json_null(),
			    "message_subject", m->subject, "message_text", m->text);
	free(items);
	json_decref(data);
	return 0;
}

int
ops_remind_message(struct ops_env *env, const struct store_reminder *rem, int64_t now,
		   struct ops_message *out)
{
	memset(out, 0, sizeof(*out));
	if (rem->case_id)
		return case_message(env, rem, now, out);
	return caseless_message(env, rem, now, out);
}
