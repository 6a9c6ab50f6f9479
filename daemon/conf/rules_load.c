// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * rules_load: the deadline rules read from the configuration (libconfig) into struct rules
 * (core/rules_impl.h), every key and value checked, the first problem reported with its
 * file and line.
 *
 * The configuration format (etc/rules.conf is the documented example):
 *
 *   calendars = (                           # optional: office calendars
 *     { name = "kontor";                    # referred to by a rule's calendar key
 *       closed = ( { date = "12-24"; name = "julaften"; },       # every year (MM-DD)
 *                  { date = "2026-08-14"; name = "..."; } ); }    # one day (YYYY-MM-DD)
 *   );
 *   regimes = (                             # required: the rules of a body of law
 *     { id = "sotjl"; name = "Sosialtjenesteloven"; rules = ( RULE, ... ); }
 *   );
 *   services = (                            # required: what people apply for
 *     { id = "okonomisk-stonad"; name = "Økonomisk stønad"; regime = "sotjl";
 *       rules = ( RULE, ... ); }            # optional
 *   );
 *   citations = (                           # optional: citations of the built-in rules
 *     { valid_from = "1970-01-01";          # versions, picked like a rule's
 *       counting = "...";                   # each optional: how periods are counted,
 *       written_decision = "...";           # that a refusal must be written,
 *       reasoned_decision = "..."; }        # and that it must give its reasons
 *   );
 *
 *   RULE = { kind = "complaint";            # processing, preliminary_reply, documentation,
 *                                           # complaint, late_complaint, forwarding
 *            period = "3w";                 # Nd, Nw, Nm, Ny (domstolloven § 148 counting)
 *            valid_from = "1970-01-01";     # first start date this version applies to
 *            source = "forvaltningsloven § 29";   # the citation shown to people
 *            start = "decision_reached";    # optional, per kind (below)
 *            rollover = "next_working_day"; # optional (the default) or "none"
 *            calendar = "kontor";           # optional office calendar for roll-over
 *            pauses = true;                 # optional, processing only
 *            emergency = true;              # optional, processing only: for nødhjelp
 *            reasons_restart = true; }      # optional, complaint only (default true)
 *
 * Starts: processing and preliminary_reply "received"; documentation
 * "documentation_requested" (period is the default when the request names no date);
 * complaint "decision_reached" (default) or "decision_made"; late_complaint "decision_made"
 * (default) or "decision_reached"; forwarding "complaint_received" (default) or
 * "complaint_sent".
 *
 * A rule id is "OWNER/KIND[/emergency]@VALID_FROM", OWNER being the service or regime id,
 * which is why a service id may not equal a regime id.
 */
#include "core/rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/kit_impl.h"
#include "core/events.h"
#include "core/rules_impl.h"
#include "core/strbuf.h"
#include "core/util.h"

static const char *const citation_names[RULES_CITATION_COUNT] = {
	"counting", "written_decision", "reasoned_decision", "reasons_restart", "in_time",
};

/* Loading. Every function below reports the first problem through err and returns < 0. */

/* The rules are text people read: every string is UTF-8. */
enum {
	OPTIONAL = CONF_GET_UTF8,
	REQUIRED = CONF_GET_UTF8 | CONF_GET_REQUIRED,
};

/* Ids end up in rule ids and URLs: lower-case letters, digits, '-' and '_'. */
static bool
id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-' || s[0] == '_')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static int
get_id(const config_setting_t *g, const char *what, const char **out, struct diag *err)
{
	int ret = conf_get_string(g, "id", REQUIRED, what, out, err);

	if (ret < 0)
		return ret;
	if (!id_valid(*out)) {
		conf_error_at(
			err, config_setting_get_member(g, "id"),
			"bad %s id '%s' (lower-case letters, digits, '-' and '_', at most 64)",
			what, *out);
		return -EINVAL;
	}
	return 0;
}

/* "MM-DD" (every year, 02-29 allowed) or "YYYY-MM-DD". */
static int
closure_parse(const char *s, struct cal_closure *c)
{
	struct cal_date d;

	if (strlen(s) == 5 && s[2] == '-') {
		char buf[CAL_DATE_LEN];

		/* Checked against a leap year so that 02-29 is accepted. */
		snprintf(buf, sizeof(buf), "2000-%s", s);
		if (cal_date_parse(buf, &d) < 0)
			return -EINVAL;
		c->year = 0;
	} else if (cal_date_parse(s, &d) == 0) {
		c->year = d.year;
	} else {
		return -EINVAL;
	}
	c->month = d.month;
	c->day = d.day;
	return 0;
}

static int
load_calendar(struct rules *r, const config_setting_t *g, struct cal_office *o, struct diag *err)
{
	static const char *const keys[] = { "name", "closed", NULL };
	static const char *const ckeys[] = { "date", "name", NULL };
	const config_setting_t *closed = NULL;
	const char *name = NULL;
	int ret, n;

	if ((ret = conf_need_group(g, "calendar", err)) < 0 ||
	    (ret = conf_check_keys(g, keys, "a calendar", err)) < 0 ||
	    (ret = conf_get_string(g, "name", REQUIRED, "a calendar", &name, err)) < 0 ||
	    (ret = conf_get_list(g, "closed", 0, "a calendar", &closed, err)) < 0)
		return ret;
	if (rules_office(r, name)) {
		conf_error_at(err, g, "duplicate calendar '%s'", name);
		return -EINVAL;
	}
	o->name = xstrdup(name);
	n = closed ? config_setting_length(closed) : 0;
	o->closures = xcalloc((size_t)n, sizeof(*o->closures));
	for (int i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(closed, (unsigned)i);
		struct cal_closure *cl = &o->closures[o->n_closures];
		const char *date = NULL, *cname = NULL;

		if ((ret = conf_need_group(c, "closed day", err)) < 0 ||
		    (ret = conf_check_keys(c, ckeys, "a closed day", err)) < 0 ||
		    (ret = conf_get_string(c, "date", REQUIRED, "a closed day", &date, err)) < 0 ||
		    (ret = conf_get_string(c, "name", REQUIRED, "a closed day", &cname, err)) < 0)
			return ret;
		if (closure_parse(date, cl) < 0) {
			conf_error_at(err, config_setting_get_member(c, "date"),
				      "bad closed date '%s' (expected MM-DD or YYYY-MM-DD)", date);
			return -EINVAL;
		}
		cl->name = xstrdup(cname);
		o->n_closures++;
	}
	return 0;
}

static int
load_calendars(struct rules *r, const config_setting_t *root, struct diag *err)
{
	const config_setting_t *list = NULL;
	int ret, n;

	if ((ret = conf_get_list(root, "calendars", 0, "the configuration", &list, err)) < 0)
		return ret;
	n = list ? config_setting_length(list) : 0;
	r->offices = xcalloc((size_t)n, sizeof(*r->offices));
	for (int i = 0; i < n; i++) {
		/* Counted before loading so that rules_free() frees a half-loaded calendar. */
		struct cal_office *o = &r->offices[r->n_offices++];

		ret = load_calendar(r, config_setting_get_elem(list, (unsigned)i), o, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void
known_calendars(const struct rules *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_offices && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", r->offices[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (r->n_offices == 0)
		snprintf(buf, len, "none");
}

/* The kind and the period of rule g (the period is checked against the kind). */
static int
rule_kind_period(const config_setting_t *g, const char *kind, const char *period, struct rule *out,
		 struct diag *err)
{
	if (rules_kind_parse(kind, &out->kind) < 0) {
		char *names = vocab_kind_names(", ");

		conf_error_at(err, config_setting_get_member(g, "kind"),
			      "unknown kind '%s' (expected one of %s)", kind, names);
		free(names);
		return -EINVAL;
	}
	/* A promised date is the one the reply named: there is nothing to count. */
	if (!vocab_kind_row(out->kind)->counted && period) {
		conf_error_at(err, config_setting_get_member(g, "period"),
			      "a promised rule has no period: its date is the one the "
			      "preliminary reply promised");
		return -EINVAL;
	}
	if (vocab_kind_row(out->kind)->counted && !period) {
		conf_error_at(err, g, "missing 'period' in a rule");
		return -EINVAL;
	}
	if (period && cal_period_parse(period, &out->period) < 0) {
		conf_error_at(
			err, config_setting_get_member(g, "period"),
			"bad period '%s' (expected a number and d, w, m or y, such as \"3w\")",
			period);
		return -EINVAL;
	}
	return 0;
}

/* Where the rule counts from and what happens on a closed day. */
static int
rule_start_rollover(const config_setting_t *g, const char *kind, const char *start,
		    const char *rollover, struct rule *out, struct diag *err)
{
	enum rules_start st;

	out->start = vocab_kind_row(out->kind)->start;
	if (start) {
		if (rules_start_parse(start, &st) < 0 ||
		    !(vocab_kind_row(out->kind)->starts & (1u << st))) {
			conf_error_at(err, config_setting_get_member(g, "start"),
				      "start '%s' is not allowed for kind '%s' (default: %s)",
				      start, kind,
				      rules_start_name(vocab_kind_row(out->kind)->start));
			return -EINVAL;
		}
		out->start = st;
	}
	out->rollover = RULES_ROLLOVER_NEXT_WORKING_DAY;
	if (rollover) {
		if (strcmp(rollover, "none") == 0) {
			out->rollover = RULES_ROLLOVER_NONE;
		} else if (strcmp(rollover, "next_working_day") != 0) {
			conf_error_at(
				err, config_setting_get_member(g, "rollover"),
				"bad rollover '%s' (expected \"next_working_day\" or \"none\")",
				rollover);
			return -EINVAL;
		}
	}
	return 0;
}

/* The office calendar the rule rolls over by (rollover "next_working_day" only). */
static int
rule_calendar(const struct rules *r, const config_setting_t *g, const char *calendar,
	      struct rule *out, struct diag *err)
{
	char known[200];

	out->office = rules_office(r, calendar);
	if (!out->office) {
		known_calendars(r, known, sizeof(known));
		conf_error_at(err, config_setting_get_member(g, "calendar"),
			      "unknown calendar '%s' (known: %s)", calendar, known);
		return -ENOENT;
	}
	if (out->rollover == RULES_ROLLOVER_NONE) {
		conf_error_at(err, config_setting_get_member(g, "calendar"),
			      "a calendar needs rollover = \"next_working_day\"");
		return -EINVAL;
	}
	return 0;
}

/* The boolean key of rule g into *out; set on a rule it does not apply to, it is refused. */
static int
rule_flag(const config_setting_t *g, const char *key, bool applies, const char *which, bool *out,
	  struct diag *err)
{
	int ret = conf_get_bool(g, key, out, err);

	if (ret <= 0 || applies)
		return ret < 0 ? ret : 0;
	conf_error_at(err, config_setting_get_member(g, key), "'%s' applies only to %s rules", key,
		      which);
	return -EINVAL;
}

static int
load_rule(const struct rules *r, const config_setting_t *g, const char *owner, struct rule *out,
	  struct diag *err)
{
	static const char *const keys[] = { "kind",	 "period",	    "valid_from", "source",
					    "start",	 "rollover",	    "calendar",	  "pauses",
					    "emergency", "reasons_restart", "extension",  NULL };
	const char *kind = NULL, *period = NULL, *valid_from = NULL, *source = NULL;
	const char *start = NULL, *rollover = NULL, *calendar = NULL, *extension = NULL;
	int ret;

	if ((ret = conf_need_group(g, "rule", err)) < 0 ||
	    (ret = conf_check_keys(g, keys, "a rule", err)) < 0 ||
	    (ret = conf_get_string(g, "kind", REQUIRED, "a rule", &kind, err)) < 0 ||
	    (ret = conf_get_string(g, "period", OPTIONAL, "a rule", &period, err)) < 0 ||
	    (ret = conf_get_string(g, "valid_from", REQUIRED, "a rule", &valid_from, err)) < 0 ||
	    (ret = conf_get_string(g, "source", REQUIRED, "a rule", &source, err)) < 0 ||
	    (ret = conf_get_string(g, "start", OPTIONAL, "a rule", &start, err)) < 0 ||
	    (ret = conf_get_string(g, "rollover", OPTIONAL, "a rule", &rollover, err)) < 0 ||
	    (ret = conf_get_string(g, "calendar", OPTIONAL, "a rule", &calendar, err)) < 0 ||
	    (ret = conf_get_string(g, "extension", OPTIONAL, "a rule", &extension, err)) < 0)
		return ret;
	out->line = (int)config_setting_source_line(g);
	if ((ret = rule_kind_period(g, kind, period, out, err)) < 0)
		return ret;
	if (cal_date_parse(valid_from, &out->valid_from) < 0) {
		conf_error_at(err, config_setting_get_member(g, "valid_from"),
			      "bad date '%s' for 'valid_from' (expected YYYY-MM-DD)", valid_from);
		return -EINVAL;
	}
	if ((ret = rule_start_rollover(g, kind, start, rollover, out, err)) < 0 ||
	    (calendar && (ret = rule_calendar(r, g, calendar, out, err)) < 0))
		return ret;
	out->reasons_restart = out->kind == RULES_KIND_COMPLAINT;
	/* Pauses: the fvl. § 11 a month and every other kind run on while the office waits. */
	if ((ret = rule_flag(g, "pauses", out->kind == RULES_KIND_PROCESSING, "processing",
			     &out->pauses, err)) < 0 ||
	    (ret = rule_flag(g, "emergency", out->kind == RULES_KIND_PROCESSING, "processing",
			     &out->emergency, err)) < 0 ||
	    (ret = rule_flag(g, "reasons_restart", out->kind == RULES_KIND_COMPLAINT, "complaint",
			     &out->reasons_restart, err)) < 0)
		return ret;
	out->source = xstrdup(source);
	out->extension = extension ? xstrdup(extension) : NULL;
	out->id = xasprintf("%s/%s%s@%s", owner, rules_kind_name(out->kind),
			    out->emergency ? "/emergency" : "", valid_from);
	return 0;
}

static int
load_rule_list(const struct rules *r, const config_setting_t *list, const char *owner,
	       struct rule_list *l, struct diag *err)
{
	int ret, n = list ? config_setting_length(list) : 0;

	l->v = xcalloc((size_t)n, sizeof(*l->v));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct rule *rule = &l->v[l->n++];

		if ((ret = load_rule(r, g, owner, rule, err)) < 0)
			return ret;
		for (size_t k = 0; k + 1 < l->n; k++) {
			const struct rule *o = &l->v[k];

			if (o->kind == rule->kind && o->emergency == rule->emergency &&
			    cal_cmp(o->valid_from, rule->valid_from) == 0) {
				conf_error_at(err, g,
					      "duplicate rule %s (kind, valid_from and emergency "
					      "as the rule at line %d)",
					      rule->id, o->line);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int
load_regimes(struct rules *r, const config_setting_t *root, struct diag *err)
{
	static const char *const keys[] = {
		"id", "name", "complaint_body", "complaint_body_source", "rules", NULL
	};
	const config_setting_t *list = NULL;
	int ret, n;

	if ((ret = conf_get_list(root, "regimes", CONF_GET_REQUIRED, "the configuration", &list,
				 err)) < 0)
		return ret;
	n = config_setting_length(list);
	r->regimes = xcalloc((size_t)n, sizeof(*r->regimes));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *id = NULL, *name = NULL, *body = NULL, *body_src = NULL;
		const config_setting_t *rl = NULL;
		struct regime *rg;

		if ((ret = conf_need_group(g, "regime", err)) < 0 ||
		    (ret = conf_check_keys(g, keys, "a regime", err)) < 0 ||
		    (ret = get_id(g, "regime", &id, err)) < 0 ||
		    (ret = conf_get_string(g, "name", REQUIRED, "a regime", &name, err)) < 0 ||
		    (ret = conf_get_string(g, "complaint_body", OPTIONAL, "a regime", &body, err)) <
			    0 ||
		    (ret = conf_get_string(g, "complaint_body_source", OPTIONAL, "a regime",
					   &body_src, err)) < 0 ||
		    (ret = conf_get_list(g, "rules", CONF_GET_REQUIRED, "a regime", &rl, err)) < 0)
			return ret;
		if (rules_find_regime(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "duplicate regime id '%s'", id);
			return -EINVAL;
		}
		rg = &r->regimes[r->n_regimes++];
		rg->id = xstrdup(id);
		rg->name = xstrdup(name);
		rg->complaint_body = xstrdup(body ? body : "klageinstansen");
		rg->complaint_body_source = body_src ? xstrdup(body_src) : NULL;
		if ((ret = load_rule_list(r, rl, id, &rg->rules, err)) < 0)
			return ret;
	}
	return 0;
}

/* The hours and the age limit of a bpa version g into b. */
static int
load_bpa_numbers(const config_setting_t *g, struct bpa_rule *b, struct diag *err)
{
	int ret;

	if ((ret = conf_get_i32(g, "hours", 1, 168, CONF_GET_WHOLE, &b->hours_right, err)) <= 0) {
		if (ret < 0)
			return ret;
		conf_error_at(err, g, "missing 'hours' in a bpa version");
		return -EINVAL;
	}
	b->hours_justify = b->hours_right;
	if ((ret = conf_get_i32(g, "hours_justify", 1, b->hours_right, CONF_GET_WHOLE,
				&b->hours_justify, err)) < 0 ||
	    (ret = conf_get_i32(g, "age_limit", 1, 150, CONF_GET_WHOLE, &b->age_limit, err)) <= 0) {
		if (ret < 0)
			return ret;
		conf_error_at(err, g, "missing 'age_limit' in a bpa version");
		return -EINVAL;
	}
	ret = conf_get_bool(g, "continues_past_limit", &b->continues_past_limit, err);
	return ret < 0 ? ret : 0;
}

/* One version g of a service's bpa list, appended to s->bpa (room made). */
static int
load_bpa_version(struct service *s, const config_setting_t *g, struct diag *err)
{
	static const char *const keys[] = {
		"valid_from",		"hours",  "hours_justify", "min_duration", "age_limit",
		"continues_past_limit", "source", "right_text",	   "justify_text", NULL
	};
	const char *valid_from = NULL, *source = NULL, *dur = NULL, *right = NULL;
	const char *justify = NULL;
	struct bpa_rule *b;
	struct cal_period p;
	int ret;

	if ((ret = conf_need_group(g, "bpa version", err)) < 0 ||
	    (ret = conf_check_keys(g, keys, "a bpa version", err)) < 0 ||
	    (ret = conf_get_string(g, "valid_from", REQUIRED, "a bpa version", &valid_from, err)) <
		    0 ||
	    (ret = conf_get_string(g, "source", REQUIRED, "a bpa version", &source, err)) < 0 ||
	    (ret = conf_get_string(g, "min_duration", REQUIRED, "a bpa version", &dur, err)) < 0 ||
	    (ret = conf_get_string(g, "right_text", OPTIONAL, "a bpa version", &right, err)) < 0 ||
	    (ret = conf_get_string(g, "justify_text", OPTIONAL, "a bpa version", &justify, err)) <
		    0)
		return ret;
	b = &s->bpa[s->n_bpa++];
	b->source = xstrdup(source);
	b->right_text = right ? xstrdup(right) : NULL;
	b->justify_text = justify ? xstrdup(justify) : NULL;
	b->line = (int)config_setting_source_line(g);
	if (cal_date_parse(valid_from, &b->valid_from) < 0) {
		conf_error_at(err, config_setting_get_member(g, "valid_from"),
			      "bad date '%s' for 'valid_from' (expected YYYY-MM-DD)", valid_from);
		return -EINVAL;
	}
	if (cal_period_parse(dur, &p) < 0 ||
	    (p.unit != CAL_UNIT_MONTHS && p.unit != CAL_UNIT_YEARS)) {
		conf_error_at(err, config_setting_get_member(g, "min_duration"),
			      "bad min_duration '%s' (expected months or years, such as \"2y\")",
			      dur);
		return -EINVAL;
	}
	b->min_months = p.unit == CAL_UNIT_YEARS ? 12 * p.n : p.n;
	if ((ret = load_bpa_numbers(g, b, err)) < 0)
		return ret;
	for (size_t k = 0; k + 1 < s->n_bpa; k++) {
		if (cal_cmp(s->bpa[k].valid_from, b->valid_from) == 0) {
			conf_error_at(err, g,
				      "duplicate bpa version %s (the same valid_from as the "
				      "version at line %d)",
				      valid_from, s->bpa[k].line);
			return -EINVAL;
		}
	}
	return 0;
}

/* A service's bpa list: versions of the BPA right's thresholds. */
static int
load_bpa(struct service *s, const config_setting_t *list, struct diag *err)
{
	int ret, n = list ? config_setting_length(list) : 0;

	s->bpa = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*s->bpa));
	for (int i = 0; i < n; i++) {
		ret = load_bpa_version(s, config_setting_get_elem(list, (unsigned)i), err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
load_services(struct rules *r, const config_setting_t *root, struct diag *err)
{
	static const char *const keys[] = { "id", "name", "regime", "rules", "bpa", NULL };
	const config_setting_t *list = NULL;
	int ret, n;

	if ((ret = conf_get_list(root, "services", CONF_GET_REQUIRED, "the configuration", &list,
				 err)) < 0)
		return ret;
	n = config_setting_length(list);
	r->services = xcalloc((size_t)n, sizeof(*r->services));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *id = NULL, *name = NULL, *regime = NULL;
		const config_setting_t *rl = NULL, *bl = NULL;
		const struct regime *rg;
		struct service *s;

		if ((ret = conf_need_group(g, "service", err)) < 0 ||
		    (ret = conf_check_keys(g, keys, "a service", err)) < 0 ||
		    (ret = get_id(g, "service", &id, err)) < 0 ||
		    (ret = conf_get_string(g, "name", REQUIRED, "a service", &name, err)) < 0 ||
		    (ret = conf_get_string(g, "regime", REQUIRED, "a service", &regime, err)) < 0 ||
		    (ret = conf_get_list(g, "rules", 0, "a service", &rl, err)) < 0 ||
		    (ret = conf_get_list(g, "bpa", 0, "a service", &bl, err)) < 0)
			return ret;
		if (rules_find_service(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "duplicate service id '%s'", id);
			return -EINVAL;
		}
		if (rules_find_regime(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "service id '%s' is also a regime id (rule ids would be "
				      "ambiguous)",
				      id);
			return -EINVAL;
		}
		rg = rules_find_regime(r, regime);
		if (!rg) {
			conf_error_at(err, config_setting_get_member(g, "regime"),
				      "unknown regime '%s'", regime);
			return -ENOENT;
		}
		s = &r->services[r->n_services++];
		s->id = xstrdup(id);
		s->name = xstrdup(name);
		s->regime = rg;
		if ((ret = load_rule_list(r, rl, id, &s->rules, err)) < 0 ||
		    (ret = load_bpa(s, bl, err)) < 0)
			return ret;
	}
	return 0;
}

/* The string array member key (NULL-terminated copy in *out, NULL when absent). */
static int
get_str_array(const config_setting_t *g, const char *key, const char *const *allowed,
	      size_t n_allowed, const char *what, char ***out, struct diag *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	int n;

	*out = NULL;
	if (!s)
		return 0;
	if (!config_setting_is_array(s)) {
		conf_error_at(err, s, "'%s' must be an array of strings [ \"...\", ... ]", key);
		return -EINVAL;
	}
	n = config_setting_length(s);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, (unsigned)i);
		int idx;

		if (!v || rules_name_index(v, allowed, n_allowed, &idx) < 0) {
			conf_error_at(err, s, "'%s': '%s' is not %s", key, v ? v : "(not a string)",
				      what);
			return -EINVAL;
		}
		(*out)[i] = xstrdup(v);
	}
	return 0;
}

static const char *const restart_names[] = { "unreasoned", "always", "never" };
static const char *const in_time_names[] = { "sent", "received" };

/* The names before the NULL that ends names. */
static size_t
names_count(const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

/* The parameters of a citations version beyond its citations. */
static int
load_procedure(struct citations *c, const config_setting_t *g, struct diag *err)
{
	const char *written = NULL, *reasoned = NULL;
	int ret, v;

	if ((ret = conf_get_string(g, "written_decision_text", OPTIONAL, "a citations version",
				   &written, err)) < 0 ||
	    (ret = conf_get_string(g, "reasoned_decision_text", OPTIONAL, "a citations version",
				   &reasoned, err)) < 0)
		return ret;
	c->written_text = written ? xstrdup(written) : NULL;
	c->reasoned_text = reasoned ? xstrdup(reasoned) : NULL;
	if ((ret = get_str_array(g, "reasons_optional_for", events_decision_outcomes,
				 names_count(events_decision_outcomes), "a decision outcome",
				 &c->optional, err)) < 0 ||
	    (ret = get_str_array(g, "forwarding_ended_by", events_complaint_outcomes,
				 names_count(events_complaint_outcomes), "a complaint outcome",
				 &c->ends, err)) < 0)
		return ret;
	if (!c->optional)
		c->optional = xcalloc(1, sizeof(*c->optional));
	if (!c->ends) {
		c->ends = xcalloc(2, sizeof(*c->ends));
		c->ends[0] = xstrdup("omgjort");
	}
	v = RULES_RESTART_UNREASONED;
	if ((ret = conf_get_choice(g, "reasons_restart_when", restart_names,
				   FV_ARRAY_SIZE(restart_names), &v, err)) < 0)
		return ret;
	c->p.restart_when = (enum rules_restart_when)v;
	v = RULES_IN_TIME_SENT;
	if ((ret = conf_get_choice(g, "in_time_judged_on", in_time_names,
				   FV_ARRAY_SIZE(in_time_names), &v, err)) < 0)
		return ret;
	c->p.in_time = (enum rules_in_time)v;
	c->p.extension_before_expiry = true;
	ret = conf_get_bool(g, "extension_before_expiry", &c->p.extension_before_expiry, err);
	return ret < 0 ? ret : 0;
}

static int
load_citations(struct rules *r, const config_setting_t *root, struct diag *err)
{
	static const char *const keys[] = { "valid_from",	    "counting",
					    "written_decision",	    "written_decision_text",
					    "reasoned_decision",    "reasoned_decision_text",
					    "reasons_optional_for", "reasons_restart",
					    "reasons_restart_when", "in_time",
					    "in_time_judged_on",    "extension_before_expiry",
					    "forwarding_ended_by",  NULL };
	const config_setting_t *list = NULL;
	int ret, n;

	if ((ret = conf_get_list(root, "citations", 0, "the configuration", &list, err)) < 0)
		return ret;
	n = list ? config_setting_length(list) : 0;
	r->citations = xcalloc((size_t)n, sizeof(*r->citations));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *valid_from = NULL, *text[RULES_CITATION_COUNT] = { 0 };
		struct citations *c;

		if ((ret = conf_need_group(g, "citations version", err)) < 0 ||
		    (ret = conf_check_keys(g, keys, "a citations version", err)) < 0 ||
		    (ret = conf_get_string(g, "valid_from", REQUIRED, "a citations version",
					   &valid_from, err)) < 0)
			return ret;
		for (size_t k = 0; k < RULES_CITATION_COUNT; k++) {
			ret = conf_get_string(g, citation_names[k], OPTIONAL, "a citations version",
					      &text[k], err);
			if (ret < 0)
				return ret;
		}
		/* Counted before it is filled so that rules_free() frees a half-loaded one. */
		c = &r->citations[r->n_citations++];
		c->line = (int)config_setting_source_line(g);
		if (cal_date_parse(valid_from, &c->p.valid_from) < 0) {
			conf_error_at(err, config_setting_get_member(g, "valid_from"),
				      "bad date '%s' for 'valid_from' (expected YYYY-MM-DD)",
				      valid_from);
			return -EINVAL;
		}
		for (size_t k = 0; k + 1 < r->n_citations; k++) {
			if (cal_cmp(r->citations[k].p.valid_from, c->p.valid_from) == 0) {
				conf_error_at(err, g,
					      "duplicate citations version %s (the same valid_from "
					      "as the version at line %d)",
					      valid_from, r->citations[k].line);
				return -EINVAL;
			}
		}
		for (size_t k = 0; k < RULES_CITATION_COUNT; k++) {
			c->text[k] = text[k] ? xstrdup(text[k]) : NULL;
			c->p.citation[k] = c->text[k];
		}
		if ((ret = load_procedure(c, g, err)) < 0)
			return ret;
		c->p.written_text = c->written_text;
		c->p.reasoned_text = c->reasoned_text;
		c->p.reasons_optional = (const char *const *)c->optional;
		c->p.forwarding_ended_by = (const char *const *)c->ends;
	}
	return 0;
}

int
rules_load(const config_setting_t *root, struct rules **out, struct diag *err)
{
	struct rules *r = xcalloc(1, sizeof(*r));
	int ret;

	if (!config_setting_is_group(root)) {
		conf_error_at(err, root, "the configuration root must be a group");
		ret = -EINVAL;
		goto out;
	}
	if ((ret = load_calendars(r, root, err)) < 0 || (ret = load_regimes(r, root, err)) < 0 ||
	    (ret = load_services(r, root, err)) < 0 || (ret = load_citations(r, root, err)) < 0)
		goto out;
out:
	if (ret < 0) {
		rules_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}
