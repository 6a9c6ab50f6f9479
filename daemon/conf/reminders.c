// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * conf/reminders: the group "reminders" of the configuration: the channels reminders and
 * notices go out on, the time and language they are sent in, retries, the recipients'
 * address patterns, the digest, and the policies, each a list of stages relative to a
 * deadline's due date. Every stage must find a template (core/tmpl) in the language.
 */
#include "conf/conf_impl.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/kit_impl.h"
#include "core/rules.h"
#include "core/tmpl.h"
#include "core/util.h"
#include "core/vocab.h"

static const char *const recipient_names[] = { "handler", "unit", "supervisor", "applicant", NULL };

/* A list of recipient names -> bits. */
static int
get_recipients(const config_setting_t *g, const char *key, unsigned *out, struct diag *err)
{
	const config_setting_t *l = config_setting_get_member(g, key);

	*out = 0;
	if (!l)
		return 0;
	if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_error_at(err, l,
			      "'%s' must be a list of names such as [\"handler\", \"unit\"]", key);
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(l); i++) {
		const char *name = config_setting_get_string_elem(l, i);
		int k;

		for (k = 0; name && recipient_names[k] && strcmp(name, recipient_names[k]) != 0;
		     k++)
			;
		if (!name || !recipient_names[k]) {
			conf_error_at(err, l,
				      "'%s': recipients are handler, unit, supervisor and "
				      "applicant",
				      key);
			return -EINVAL;
		}
		*out |= 1u << k;
	}
	return 0;
}

static int
load_stage(const config_setting_t *g, int kind, struct conf_stage *st, struct diag *err)
{
	static const char *const keys[] = {
		"name",	  "offset", "working_days", "wait_for_working_day",
		"repeat", "hours",  "repeat_hours", "recipients",
		NULL
	};
	const char *name = NULL;
	uint32_t repeat = 0;
	int ret;
	bool office = rules_kind_is_office_duty((enum rules_kind)kind);

	if (!config_setting_is_group(g)) {
		conf_error_at(err, g, "each stage must be a group { name = ...; offset = ...; }");
		return -EINVAL;
	}
	if ((ret = conf_check_keys(g, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(g, "name", 0, NULL, &name, err)) < 0 ||
	    (ret = conf_get_i32(g, "offset", -366, 366, CONF_GET_BARE_RANGE, &st->offset_days,
				err)) < 0 ||
	    (ret = conf_get_bool(g, "working_days", &st->working_days, err)) < 0 ||
	    (ret = conf_get_bool(g, "wait_for_working_day", &st->wait_for_working_day, err)) < 0 ||
	    (ret = conf_get_u32(g, "repeat", 0, 366, 0, &repeat, err)) < 0 ||
	    (ret = conf_get_u32(g, "hours", 0, 720, 0, &st->hours, err)) < 0 ||
	    (ret = conf_get_u32(g, "repeat_hours", 0, 720, 0, &st->repeat_hours, err)) < 0 ||
	    (ret = get_recipients(g, "recipients", &st->recipients, err)) < 0)
		return ret;
	st->by_hours = config_setting_get_member(g, "hours") != NULL;
	if (!name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name)) {
		conf_error_at(err, g, "a stage needs 'name', of a-z, 0-9, '-' and '_'");
		return -EINVAL;
	}
	if (!st->recipients) {
		conf_error_at(err, g, "stage '%s' needs 'recipients'", name);
		return -EINVAL;
	}
	if ((st->recipients & CONF_RCPT_APPLICANT) && kind != RULES_KIND_COMPLAINT) {
		conf_error_at(err, g,
			      "stage '%s': the applicant may only get complaint-deadline "
			      "reminders",
			      name);
		return -EINVAL;
	}
	if (repeat && st->offset_days <= 0) {
		conf_error_at(err, g,
			      "stage '%s': 'repeat' is for stages after the due date "
			      "(offset > 0)",
			      name);
		return -EINVAL;
	}
	if (st->by_hours &&
	    (kind != RULES_KIND_PROCESSING || config_setting_get_member(g, "offset") ||
	     config_setting_get_member(g, "working_days") || repeat ||
	     config_setting_get_member(g, "wait_for_working_day"))) {
		conf_error_at(err, g,
			      "stage '%s': 'hours' counts from the moment the application was "
			      "received (processing policies only) and goes without 'offset', "
			      "'working_days', 'wait_for_working_day' and 'repeat'",
			      name);
		return -EINVAL;
	}
	if (st->repeat_hours && !st->by_hours) {
		conf_error_at(err, g, "stage '%s': 'repeat_hours' needs 'hours'", name);
		return -EINVAL;
	}
	/* A party's deadline that passed has expired, which is no breach: nothing to chase. */
	if (!office && (st->offset_days > 0 || repeat)) {
		conf_error_at(err, g,
			      "stage '%s': %s is the party's deadline, not the office's duty; when "
			      "it passes it has expired, which is no breach, so a stage after its "
			      "due date (offset > 0) has nothing to chase",
			      name, rules_kind_name((enum rules_kind)kind));
		return -EINVAL;
	}
	st->repeat_days = repeat;
	st->name = xstrdup(name);
	return 0;
}

/* Whether r already has a policy for kind, service (may be NULL) and emergency. */
static bool
policy_exists(const struct conf_reminders *r, int kind, const char *service, bool emergency)
{
	for (size_t j = 0; j < r->n_policies; j++) {
		const struct conf_policy *o = &r->policies[j];

		if (o->kind == kind && !o->service == !service && o->emergency == emergency &&
		    (!service || strcmp(o->service, service) == 0))
			return true;
	}
	return false;
}

/* The list 'stages' of the policy entry e into p, of kind k; two of one name are refused. */
static int
load_stages(const config_setting_t *e, enum rules_kind k, struct conf_policy *p, struct diag *err)
{
	const config_setting_t *stages = config_setting_get_member(e, "stages");
	int ret;

	if (!stages || !config_setting_is_list(stages) || config_setting_length(stages) == 0) {
		conf_error_at(err, stages ? stages : e, "a policy needs 'stages' = ( { ... } )");
		return -EINVAL;
	}
	p->stages = xcalloc((size_t)config_setting_length(stages), sizeof(*p->stages));
	for (int j = 0; j < config_setting_length(stages); j++) {
		const config_setting_t *sg = config_setting_get_elem(stages, (unsigned)j);
		struct conf_stage *st = &p->stages[p->n_stages];

		if ((ret = load_stage(sg, (int)k, st, err)) < 0)
			return ret;
		for (size_t m = 0; m < p->n_stages; m++) {
			if (strcmp(p->stages[m].name, st->name) == 0) {
				conf_error_at(err, sg, "a second stage named '%s'",
					      p->stages[m].name);
				free(st->name);
				return -EEXIST;
			}
		}
		p->n_stages++;
	}
	return 0;
}

/* One entry e of the list 'policies', appended to c->reminders.policies (room made). */
static int
load_policy(const config_setting_t *e, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "kind", "service", "emergency", "stages", NULL };
	struct conf_reminders *r = &c->reminders;
	struct conf_policy *p = &r->policies[r->n_policies];
	const char *kind = NULL, *service = NULL;
	bool emergency = false;
	enum rules_kind k;
	int ret;

	if (!config_setting_is_group(e)) {
		conf_error_at(err, e, "each policy must be a group { kind = ...; stages = ...; }");
		return -EINVAL;
	}
	if ((ret = conf_check_keys(e, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(e, "kind", 0, NULL, &kind, err)) < 0 ||
	    (ret = conf_get_string(e, "service", 0, NULL, &service, err)) < 0 ||
	    (ret = conf_get_bool(e, "emergency", &emergency, err)) < 0)
		return ret;
	if (!kind || rules_kind_parse(kind, &k) < 0) {
		char *names = vocab_kind_names(" or ");

		conf_error_at(err, e, "a policy needs 'kind': %s", names);
		free(names);
		return -EINVAL;
	}
	if (service && !rules_has_service(c->rules, service)) {
		conf_error_at(err, e, "unknown service '%s'", service);
		return -ENOENT;
	}
	if (policy_exists(r, (int)k, service, emergency)) {
		conf_error_at(err, e, "a second %spolicy for kind '%s'%s%s",
			      emergency ? "emergency " : "", kind, service ? " and service " : "",
			      service ? service : "");
		return -EEXIST;
	}
	p->kind = (int)k;
	p->emergency = emergency;
	p->service = service ? xstrdup(service) : NULL;
	r->n_policies++;
	return load_stages(e, k, p, err);
}

static int
load_policies(const config_setting_t *g, struct conf *c, struct diag *err)
{
	const config_setting_t *list = NULL;
	struct conf_reminders *r = &c->reminders;
	int ret;

	if ((ret = conf_get_list(g, "policies", 0, NULL, &list, err)) <= 0)
		return ret;
	r->policies = xcalloc((size_t)config_setting_length(list) + 1, sizeof(*r->policies));
	for (int i = 0; i < config_setting_length(list); i++) {
		ret = load_policy(config_setting_get_elem(list, (unsigned)i), c, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

size_t
conf_stage_templates(int kind, const char *stage, char names[4][64])
{
	const char *k = rules_kind_name((enum rules_kind)kind);
	size_t base = strcspn(stage, "-");
	size_t n = 0;

	snprintf(names[n++], 64, "%s.%s", k, stage);
	if (stage[base])
		snprintf(names[n++], 64, "%s.%.*s", k, (int)base, stage);
	snprintf(names[n++], 64, "%s", k);
	snprintf(names[n++], 64, "default");
	return n;
}

/*
 * When reminders go out by e-mail, every staff role a stage or the digest sends to needs an
 * address pattern: a message with no recipient is retried until it is dead, three days
 * later. (The applicant's address is the contact's e-mail; ops/message.c leaves out an
 * applicant without one.) Refused at the stage's or the digest's 'recipients'.
 */
static int
check_smtp_roles(const config_setting_t *g, const struct conf *c, struct diag *err)
{
	const struct conf_reminders *r = &c->reminders;
	const config_setting_t *list = config_setting_get_member(g, "policies");
	const config_setting_t *digest = config_setting_get_member(g, "digest");
	/* Bit 1 << k is recipient_names[k]: handler, unit, supervisor. */
	const char *const pattern[3] = { r->handler_address, r->unit_address,
					 r->supervisor_address };
	unsigned missing = 0;

	if (!conf_channel_type_mails(conf_channel_find(c, r->channel)->type))
		return 0;
	for (int k = 0; k < 3; k++)
		missing |= pattern[k] ? 0 : 1u << k;
	for (int k = 0; k < 3; k++) {
		if (!(r->digest_recipients & missing & (1u << k)))
			continue;
		conf_error_at(err, config_setting_get_member(digest, "recipients"),
			      "the digest goes to the %s on the smtp channel '%s': set '%s' in "
			      "'addresses'",
			      recipient_names[k], r->channel, recipient_names[k]);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->n_policies; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *stages = config_setting_get_member(e, "stages");
		const struct conf_policy *p = &r->policies[i];

		for (size_t j = 0; j < p->n_stages; j++) {
			const config_setting_t *sg = config_setting_get_elem(stages, (unsigned)j);

			for (int k = 0; k < 3; k++) {
				if (!(p->stages[j].recipients & missing & (1u << k)))
					continue;
				conf_error_at(err, config_setting_get_member(sg, "recipients"),
					      "stage '%s' of kind '%s' sends to the %s on the smtp "
					      "channel '%s': set '%s' in 'addresses'",
					      p->stages[j].name, rules_kind_name(p->kind),
					      recipient_names[k], r->channel, recipient_names[k]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Both channels must be defined in 'channels' (or be the built-in "log"). */
static int
find_channels(const config_setting_t *g, const struct conf *c, const char *channel,
	      const char *admin, struct diag *err)
{
	bool first = !conf_channel_find(c, channel);
	const config_setting_t *at;

	if (!first && conf_channel_find(c, admin))
		return 0;
	at = g ? config_setting_get_member(g, first ? "channel" : "admin_channel") : NULL;
	if (at)
		conf_error_at(err, at, "unknown channel '%s' (see 'channels')",
			      first ? channel : admin);
	else
		diag_set(err, c->path, 0, "unknown channel '%s'", first ? channel : admin);
	return -ENOENT;
}

/* send_time "HH:MM" into minutes after midnight. */
static int
parse_send_time(const config_setting_t *g, const char *send_time, uint32_t *minute,
		struct diag *err)
{
	unsigned hh, mm;
	char extra;

	if (strlen(send_time) != 5 || sscanf(send_time, "%2u:%2u%c", &hh, &mm, &extra) != 2 ||
	    hh > 23 || mm > 59) {
		conf_error_at(err, config_setting_get_member(g, "send_time"),
			      "'send_time' must be a local time HH:MM such as \"08:00\"");
		return -EINVAL;
	}
	*minute = hh * 60 + mm;
	return 0;
}

/* The settings of the group g itself (NULL: no group, the defaults) but its subgroups. */
static int
load_basics(const config_setting_t *g, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "channel",	 "admin_channel", "send_time",
					    "language",	 "templates",	  "retry",
					    "addresses", "digest",	  "policies",
					    NULL };
	struct conf_reminders *r = &c->reminders;
	const char *channel = "log", *admin = "log", *send_time = "08:00", *lang = "nb";
	const char *templates = "templates";
	char *dir_copy;
	int ret;

	if (g && ((ret = conf_check_keys(g, keys, NULL, err)) < 0 ||
		  (ret = conf_get_string(g, "channel", 0, NULL, &channel, err)) < 0 ||
		  (ret = conf_get_string(g, "admin_channel", 0, NULL, &admin, err)) < 0 ||
		  (ret = conf_get_string(g, "send_time", 0, NULL, &send_time, err)) < 0 ||
		  (ret = conf_get_string(g, "language", 0, NULL, &lang, err)) < 0 ||
		  (ret = conf_get_string(g, "templates", 0, NULL, &templates, err)) < 0))
		return ret;
	if ((ret = find_channels(g, c, channel, admin, err)) < 0 ||
	    (ret = parse_send_time(g, send_time, &r->send_minute, err)) < 0)
		return ret;
	if (strcmp(lang, "nb") != 0 && strcmp(lang, "en") != 0) {
		conf_error_at(err, config_setting_get_member(g, "language"),
			      "'language' must be \"nb\" (bokmål) or \"en\"");
		return -EINVAL;
	}
	r->channel = xstrdup(channel);
	r->admin_channel = xstrdup(admin);
	r->language = xstrdup(lang);
	if (templates[0] == '/') {
		r->templates = xstrdup(templates);
	} else {
		dir_copy = xstrdup(c->path);
		r->templates = xasprintf("%s/%s", dirname(dir_copy), templates);
		free(dir_copy);
	}
	return 0;
}

static int
load_retry(const config_setting_t *g, struct conf_reminders *r, struct diag *err)
{
	static const char *const keys[] = { "first", "max_interval", "give_up", "factor", NULL };
	const config_setting_t *sub = g ? config_setting_get_member(g, "retry") : NULL;
	int ret;

	if (!sub)
		return 0;
	if ((ret = conf_check_keys(sub, keys, NULL, err)) < 0 ||
	    (ret = conf_get_u32(sub, "first", 1, 86400, 0, &r->retry_first_s, err)) < 0 ||
	    (ret = conf_get_u32(sub, "max_interval", 1, 7 * 86400, 0, &r->retry_max_interval_s,
				err)) < 0 ||
	    (ret = conf_get_u32(sub, "give_up", 1, 30 * 86400, 0, &r->retry_give_up_s, err)) < 0 ||
	    (ret = conf_get_u32(sub, "factor", 100, 1000, 0, &r->retry_factor_pct, err)) < 0)
		return ret;
	return 0;
}

/* The subgroup 'addresses': the patterns of the staff and the administrators' address. */
static int
load_addresses(const config_setting_t *g, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "handler", "unit",		"supervisor",
					    "admin",   "transliterate", NULL };
	const config_setting_t *sub = g ? config_setting_get_member(g, "addresses") : NULL;
	const char *handler = NULL, *unit = NULL, *supervisor = NULL, *admin = NULL;
	struct conf_reminders *r = &c->reminders;
	int ret;

	if (sub &&
	    ((ret = conf_check_keys(sub, keys, NULL, err)) < 0 ||
	     (ret = conf_get_string(sub, "handler", 0, NULL, &handler, err)) < 0 ||
	     (ret = conf_get_string(sub, "unit", 0, NULL, &unit, err)) < 0 ||
	     (ret = conf_get_string(sub, "supervisor", 0, NULL, &supervisor, err)) < 0 ||
	     (ret = conf_get_string(sub, "admin", 0, NULL, &admin, err)) < 0 ||
	     (ret = conf_get_bool(sub, "transliterate", &r->address_transliterate, err)) < 0))
		return ret;
	/* One address: "{" and "}" are atext, but a pattern here is a mistake. */
	if (admin && (!conf_address_valid(admin) || strpbrk(admin, "{}"))) {
		conf_error_at(err, config_setting_get_member(sub, "admin"),
			      "'admin' \"%s\" must be one plain address such as "
			      "drift@kommune.example",
			      admin);
		return -EINVAL;
	}
	r->handler_address = handler ? xstrdup(handler) : NULL;
	r->unit_address = unit ? xstrdup(unit) : NULL;
	r->supervisor_address = supervisor ? xstrdup(supervisor) : NULL;
	r->admin_address = admin ? xstrdup(admin) : NULL;
	/* Notices on an smtp admin_channel need somewhere to go; without it they die unsent. */
	if (conf_channel_type_mails(conf_channel_find(c, r->admin_channel)->type) && !admin) {
		conf_error_at(err, config_setting_get_member(g, "admin_channel"),
			      "admin_channel '%s' sends e-mail: set 'admin' in 'addresses' to the "
			      "administrators' address",
			      r->admin_channel);
		return -EINVAL;
	}
	return 0;
}

static int
load_digest(const config_setting_t *g, struct conf_reminders *r, struct diag *err)
{
	static const char *const keys[] = { "recipients", "days", NULL };
	const config_setting_t *sub = g ? config_setting_get_member(g, "digest") : NULL;
	int ret;

	if (!sub)
		return 0;
	if ((ret = conf_check_keys(sub, keys, NULL, err)) < 0 ||
	    (ret = get_recipients(sub, "recipients", &r->digest_recipients, err)) < 0 ||
	    (ret = conf_get_u32(sub, "days", 1, 60, 0, &r->digest_days, err)) < 0)
		return ret;
	if (r->digest_recipients & ~(unsigned)(CONF_RCPT_HANDLER | CONF_RCPT_UNIT)) {
		conf_error_at(err, sub, "a digest goes to handlers and units only");
		return -EINVAL;
	}
	return 0;
}

/* Every stage must find a template in the configured language. */
static int
check_templates(const struct conf *c, struct diag *err)
{
	const struct conf_reminders *r = &c->reminders;

	for (size_t i = 0; i < r->n_policies; i++) {
		const struct conf_policy *p = &r->policies[i];

		for (size_t j = 0; j < p->n_stages; j++) {
			char names[4][64];
			const char *cand[4];
			size_t n = conf_stage_templates(p->kind, p->stages[j].name, names);

			for (size_t k = 0; k < n; k++)
				cand[k] = names[k];
			if (tmpl_pick(r->tmpl, r->language, cand, n))
				continue;
			diag_set(err, c->path, 0,
				 "no template for stage '%s' of kind '%s' in %s/%s",
				 p->stages[j].name, rules_kind_name(p->kind), r->templates,
				 r->language);
			return -ENOENT;
		}
	}
	return 0;
}

int
conf_reminders_load(const config_setting_t *root, struct conf *c, struct diag *err)
{
	const config_setting_t *g = config_setting_get_member(root, "reminders");
	struct conf_reminders *r = &c->reminders;
	int ret;

	r->retry_first_s = 60;
	r->retry_max_interval_s = 6 * 3600;
	r->retry_give_up_s = 3 * 86400;
	r->retry_factor_pct = 200;
	r->digest_days = 7;
	if (g && !config_setting_is_group(g)) {
		conf_error_at(err, g, "'reminders' must be a group { ... }");
		return -EINVAL;
	}
	if ((ret = load_basics(g, c, err)) < 0 || (ret = load_retry(g, r, err)) < 0 ||
	    (ret = load_addresses(g, c, err)) < 0 || (ret = load_digest(g, r, err)) < 0)
		return ret;
	/* Without a "reminders" group no reminders are planned and no templates are needed. */
	if (!g)
		return 0;
	if ((ret = load_policies(g, c, err)) < 0 || (ret = check_smtp_roles(g, c, err)) < 0 ||
	    (ret = tmpl_load(r->templates, &r->tmpl, err)) < 0)
		return ret;
	return check_templates(c, err);
}

void
conf_reminders_free(struct conf_reminders *r)
{
	for (size_t i = 0; i < r->n_policies; i++) {
		for (size_t j = 0; j < r->policies[i].n_stages; j++)
			free(r->policies[i].stages[j].name);
		free(r->policies[i].stages);
		free(r->policies[i].service);
	}
	free(r->policies);
	tmpl_free(r->tmpl);
	free(r->channel);
	free(r->admin_channel);
	free(r->language);
	free(r->templates);
	free(r->handler_address);
	free(r->unit_address);
	free(r->supervisor_address);
	free(r->admin_address);
	memset(r, 0, sizeof(*r));
}
