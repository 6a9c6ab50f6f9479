// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * rules: deadline rules from the configuration, and the engine that derives a case's
 * deadlines from its events (see rules.h). The law lives in the configuration; this file
 * knows only which events start, meet, pause, restart, extend and cancel a deadline.
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
 * A service's rules of a kind replace its regime's rules of that kind (emergency and
 * ordinary processing rules count as two kinds here, so adding an emergency variant does
 * not drop the regime's ordinary norm). Among the versions of a kind the one with the latest
 * valid_from on or before the deadline's start date applies. A rule id is
 * "OWNER/KIND[/emergency]@VALID_FROM", OWNER being the service or regime id, which is why a
 * service id may not equal a regime id.
 */
#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

#define NONE SIZE_MAX

static const char *const kind_names[RULES_KIND_COUNT] = {
	"processing", "preliminary_reply", "documentation",
	"complaint",  "late_complaint",	   "forwarding",
};

static const char *const kind_labels[RULES_KIND_COUNT] = {
	"saksbehandlingsfrist", "frist for foreløpig svar", "innsendelsesfrist",
	"klagefrist",		"ytre frist for sen klage", "frist for oversendelse",
};

static const char *const citation_names[RULES_CITATION_COUNT] = {
	"counting",
	"written_decision",
	"reasoned_decision",
};

static const char *const state_names[] = { "open", "met", "missed", "cancelled" };

static const char *const event_names[RULES_EV_COUNT] = {
	"received",
	"preliminary_reply",
	"documentation_requested",
	"documentation_received",
	"decision",
	"reasons_requested",
	"reasons_given",
	"extension",
	"override",
	"complaint",
	"forwarded",
	"complaint_decided",
	"withdrawn",
	"closed",
};

static const char *const start_names[RULES_START_COUNT] = {
	"received",	 "documentation_requested", "decision_made",	  "decision_reached",
	"reasons_given", "complaint_sent",	    "complaint_received",
};

/* What the start day is, in the words of a case worker. */
static const char *const start_words[RULES_START_COUNT] = {
	"søknaden mottatt",  "dokumentasjon etterspurt", "vedtaket truffet",
	"vedtaket kom fram", "begrunnelsen kom fram",	 "klagen sendt",
	"klagen mottatt",
};

#define BIT(s) (1u << (s))

/* The start days each kind may be counted from, and the default. */
static const struct {
	enum rules_start def;
	unsigned allowed;
} kind_starts[RULES_KIND_COUNT] = {
	[RULES_KIND_PROCESSING] = { RULES_START_RECEIVED, BIT(RULES_START_RECEIVED) },
	[RULES_KIND_PRELIMINARY_REPLY] = { RULES_START_RECEIVED, BIT(RULES_START_RECEIVED) },
	[RULES_KIND_DOCUMENTATION] = { RULES_START_DOC_REQUESTED, BIT(RULES_START_DOC_REQUESTED) },
	[RULES_KIND_COMPLAINT] = { RULES_START_DECISION_REACHED,
				   BIT(RULES_START_DECISION_REACHED) |
					   BIT(RULES_START_DECISION_MADE) },
	[RULES_KIND_LATE_COMPLAINT] = { RULES_START_DECISION_MADE,
					BIT(RULES_START_DECISION_MADE) |
						BIT(RULES_START_DECISION_REACHED) },
	[RULES_KIND_FORWARDING] = { RULES_START_COMPLAINT_RECEIVED,
				    BIT(RULES_START_COMPLAINT_RECEIVED) |
					    BIT(RULES_START_COMPLAINT_SENT) },
};

struct rule {
	char *id;
	char *source;
	enum rules_kind kind;
	struct cal_period period;
	enum rules_start start;
	enum rules_rollover rollover;
	const struct cal_office *office; /* into rules->offices, or NULL */
	struct cal_date valid_from;
	bool pauses;
	bool emergency;
	bool reasons_restart;
	int line;
};

struct rule_list {
	struct rule *v;
	size_t n;
};

struct regime {
	char *id;
	char *name;
	struct rule_list rules;
};

struct service {
	char *id;
	char *name;
	const struct regime *regime;
	struct rule_list rules;
};

/* One version of the citations of the built-in rules; text[i] NULL when not given. */
struct citations {
	struct cal_date valid_from;
	char *text[RULES_CITATION_COUNT];
	int line;
};

struct rules {
	struct cal_office *offices;
	size_t n_offices;
	struct regime *regimes;
	size_t n_regimes;
	struct service *services;
	size_t n_services;
	struct citations *citations;
	size_t n_citations;
};

/* Names. */

const char *
rules_kind_name(enum rules_kind kind)
{
	if ((unsigned)kind >= RULES_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

const char *
rules_kind_label(enum rules_kind kind)
{
	if ((unsigned)kind >= RULES_KIND_COUNT)
		return "?";
	return kind_labels[kind];
}

static int
parse_name(const char *s, const char *const *names, size_t n, int *out)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

int
rules_kind_parse(const char *s, enum rules_kind *out)
{
	int v, ret = parse_name(s, kind_names, RULES_KIND_COUNT, &v);

	if (ret == 0)
		*out = (enum rules_kind)v;
	return ret;
}

bool
rules_kind_is_office_duty(enum rules_kind kind)
{
	return kind == RULES_KIND_PROCESSING || kind == RULES_KIND_PRELIMINARY_REPLY ||
	       kind == RULES_KIND_FORWARDING;
}

const char *
rules_state_name(enum rules_state state)
{
	if ((unsigned)state >= FV_ARRAY_SIZE(state_names))
		return "?";
	return state_names[state];
}

int
rules_state_parse(const char *s, enum rules_state *out)
{
	int v, ret = parse_name(s, state_names, FV_ARRAY_SIZE(state_names), &v);

	if (ret == 0)
		*out = (enum rules_state)v;
	return ret;
}

const char *
rules_event_type_name(enum rules_event_type type)
{
	if ((unsigned)type >= RULES_EV_COUNT)
		return "?";
	return event_names[type];
}

int
rules_event_type_parse(const char *s, enum rules_event_type *out)
{
	int v, ret = parse_name(s, event_names, RULES_EV_COUNT, &v);

	if (ret == 0)
		*out = (enum rules_event_type)v;
	return ret;
}

const char *
rules_start_name(enum rules_start start)
{
	if ((unsigned)start >= RULES_START_COUNT)
		return "?";
	return start_names[start];
}

const char *
rules_rollover_name(enum rules_rollover rollover)
{
	return rollover == RULES_ROLLOVER_NONE ? "none" : "next_working_day";
}

/* Loading. Every function below reports the first problem through err and returns < 0. */

static int
check_keys(const config_setting_t *g, const char *const *allowed, const char *what,
	   struct conf_error *err)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		char list[256] = "";
		size_t used = 0;
		bool ok = false;

		if (!name)
			continue;
		for (const char *const *a = allowed; *a; a++) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
					 a == allowed ? "" : ", ", *a);

			ok = ok || strcmp(name, *a) == 0;
			if (w > 0 && (size_t)w < sizeof(list) - used)
				used += (size_t)w;
		}
		if (!ok) {
			conf_error_at(err, m, "unknown setting '%s' in %s (allowed: %s)", name,
				      what, list);
			return -EINVAL;
		}
	}
	return 0;
}

static int
need_group(const config_setting_t *s, const char *what, struct conf_error *err)
{
	if (!config_setting_is_group(s)) {
		conf_error_at(err, s, "each %s must be a group { ... }", what);
		return -EINVAL;
	}
	return 0;
}

/* A list member "( { ... }, ... )": *out NULL when absent and not required. */
static int
get_list(const config_setting_t *parent, const char *key, bool required, const char *what,
	 const config_setting_t **out, struct conf_error *err)
{
	const config_setting_t *s = config_setting_get_member(parent, key);

	*out = NULL;
	if (!s) {
		if (!required)
			return 0;
		conf_error_at(err, parent, "missing '%s' in %s", key, what);
		return -EINVAL;
	}
	if (!config_setting_is_list(s)) {
		conf_error_at(err, s, "'%s' must be a list ( { ... }, ... )", key);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

/* A string member; *out stays NULL when absent and not required. Must be non-empty UTF-8. */
static int
get_str(const config_setting_t *g, const char *key, bool required, const char *what,
	const char **out, struct conf_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *v;

	*out = NULL;
	if (!s) {
		if (!required)
			return 0;
		conf_error_at(err, g, "missing '%s' in %s", key, what);
		return -EINVAL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error_at(err, s, "'%s' must be a string", key);
		return -EINVAL;
	}
	v = config_setting_get_string(s);
	if (!v || !*v) {
		conf_error_at(err, s, "'%s' must not be empty", key);
		return -EINVAL;
	}
	if (!fv_utf8_valid(v, strlen(v))) {
		conf_error_at(err, s, "'%s' is not valid UTF-8", key);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A boolean member; *present tells whether it was there. */
static int
get_bool(const config_setting_t *g, const char *key, bool *out, bool *present,
	 struct conf_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*present = s != NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error_at(err, s, "'%s' must be true or false", key);
		return -EINVAL;
	}
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

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
get_id(const config_setting_t *g, const char *what, const char **out, struct conf_error *err)
{
	int ret = get_str(g, "id", true, what, out, err);

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
load_calendar(struct rules *r, const config_setting_t *g, struct cal_office *o,
	      struct conf_error *err)
{
	static const char *const keys[] = { "name", "closed", NULL };
	static const char *const ckeys[] = { "date", "name", NULL };
	const config_setting_t *closed;
	const char *name;
	int ret, n;

	if ((ret = need_group(g, "calendar", err)) < 0 ||
	    (ret = check_keys(g, keys, "a calendar", err)) < 0 ||
	    (ret = get_str(g, "name", true, "a calendar", &name, err)) < 0 ||
	    (ret = get_list(g, "closed", false, "a calendar", &closed, err)) < 0)
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
		const char *date, *cname;

		if ((ret = need_group(c, "closed day", err)) < 0 ||
		    (ret = check_keys(c, ckeys, "a closed day", err)) < 0 ||
		    (ret = get_str(c, "date", true, "a closed day", &date, err)) < 0 ||
		    (ret = get_str(c, "name", true, "a closed day", &cname, err)) < 0)
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
load_calendars(struct rules *r, const config_setting_t *root, struct conf_error *err)
{
	const config_setting_t *list;
	int ret, n;

	if ((ret = get_list(root, "calendars", false, "the configuration", &list, err)) < 0)
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

static int
load_rule(const struct rules *r, const config_setting_t *g, const char *owner, struct rule *out,
	  struct conf_error *err)
{
	static const char *const keys[] = { "kind",	 "period",	    "valid_from", "source",
					    "start",	 "rollover",	    "calendar",	  "pauses",
					    "emergency", "reasons_restart", NULL };
	const char *kind, *period, *valid_from, *source, *start, *rollover, *calendar;
	bool present;
	char kinds[160];
	int ret, v;

	if ((ret = need_group(g, "rule", err)) < 0 ||
	    (ret = check_keys(g, keys, "a rule", err)) < 0 ||
	    (ret = get_str(g, "kind", true, "a rule", &kind, err)) < 0 ||
	    (ret = get_str(g, "period", true, "a rule", &period, err)) < 0 ||
	    (ret = get_str(g, "valid_from", true, "a rule", &valid_from, err)) < 0 ||
	    (ret = get_str(g, "source", true, "a rule", &source, err)) < 0 ||
	    (ret = get_str(g, "start", false, "a rule", &start, err)) < 0 ||
	    (ret = get_str(g, "rollover", false, "a rule", &rollover, err)) < 0 ||
	    (ret = get_str(g, "calendar", false, "a rule", &calendar, err)) < 0)
		return ret;
	out->line = (int)config_setting_source_line(g);
	if (rules_kind_parse(kind, &out->kind) < 0) {
		snprintf(kinds, sizeof(kinds), "%s, %s, %s, %s, %s, %s", kind_names[0],
			 kind_names[1], kind_names[2], kind_names[3], kind_names[4], kind_names[5]);
		conf_error_at(err, config_setting_get_member(g, "kind"),
			      "unknown kind '%s' (expected one of %s)", kind, kinds);
		return -EINVAL;
	}
	if (cal_period_parse(period, &out->period) < 0) {
		conf_error_at(
			err, config_setting_get_member(g, "period"),
			"bad period '%s' (expected a number and d, w, m or y, such as \"3w\")",
			period);
		return -EINVAL;
	}
	if (cal_date_parse(valid_from, &out->valid_from) < 0) {
		conf_error_at(err, config_setting_get_member(g, "valid_from"),
			      "bad date '%s' for 'valid_from' (expected YYYY-MM-DD)", valid_from);
		return -EINVAL;
	}
	out->start = kind_starts[out->kind].def;
	if (start) {
		if (parse_name(start, start_names, RULES_START_COUNT, &v) < 0 ||
		    !(kind_starts[out->kind].allowed & BIT(v))) {
			conf_error_at(err, config_setting_get_member(g, "start"),
				      "start '%s' is not allowed for kind '%s' (default: %s)",
				      start, kind, start_names[kind_starts[out->kind].def]);
			return -EINVAL;
		}
		out->start = (enum rules_start)v;
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
	if (calendar) {
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
	}
	if ((ret = get_bool(g, "pauses", &out->pauses, &present, err)) < 0)
		return ret;
	/* The fvl. § 11 a month and every other kind run on while the office waits. */
	if (present && out->kind != RULES_KIND_PROCESSING) {
		conf_error_at(err, config_setting_get_member(g, "pauses"),
			      "'pauses' applies only to processing rules");
		return -EINVAL;
	}
	if ((ret = get_bool(g, "emergency", &out->emergency, &present, err)) < 0)
		return ret;
	if (present && out->kind != RULES_KIND_PROCESSING) {
		conf_error_at(err, config_setting_get_member(g, "emergency"),
			      "'emergency' applies only to processing rules");
		return -EINVAL;
	}
	out->reasons_restart = out->kind == RULES_KIND_COMPLAINT;
	if ((ret = get_bool(g, "reasons_restart", &out->reasons_restart, &present, err)) < 0)
		return ret;
	if (present && out->kind != RULES_KIND_COMPLAINT) {
		conf_error_at(err, config_setting_get_member(g, "reasons_restart"),
			      "'reasons_restart' applies only to complaint rules");
		return -EINVAL;
	}
	out->source = xstrdup(source);
	out->id = xasprintf("%s/%s%s@%s", owner, kind_names[out->kind],
			    out->emergency ? "/emergency" : "", valid_from);
	return 0;
}

static int
load_rule_list(const struct rules *r, const config_setting_t *list, const char *owner,
	       struct rule_list *l, struct conf_error *err)
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

static const struct regime *
find_regime(const struct rules *r, const char *id)
{
	for (size_t i = 0; i < r->n_regimes; i++) {
		if (strcmp(r->regimes[i].id, id) == 0)
			return &r->regimes[i];
	}
	return NULL;
}

static const struct service *
find_service(const struct rules *r, const char *id)
{
	if (!r || !id)
		return NULL;
	for (size_t i = 0; i < r->n_services; i++) {
		if (strcmp(r->services[i].id, id) == 0)
			return &r->services[i];
	}
	return NULL;
}

static int
load_regimes(struct rules *r, const config_setting_t *root, struct conf_error *err)
{
	static const char *const keys[] = { "id", "name", "rules", NULL };
	const config_setting_t *list, *rl;
	int ret, n;

	if ((ret = get_list(root, "regimes", true, "the configuration", &list, err)) < 0)
		return ret;
	n = config_setting_length(list);
	r->regimes = xcalloc((size_t)n, sizeof(*r->regimes));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *id, *name;
		struct regime *rg;

		if ((ret = need_group(g, "regime", err)) < 0 ||
		    (ret = check_keys(g, keys, "a regime", err)) < 0 ||
		    (ret = get_id(g, "regime", &id, err)) < 0 ||
		    (ret = get_str(g, "name", true, "a regime", &name, err)) < 0 ||
		    (ret = get_list(g, "rules", true, "a regime", &rl, err)) < 0)
			return ret;
		if (find_regime(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "duplicate regime id '%s'", id);
			return -EINVAL;
		}
		rg = &r->regimes[r->n_regimes++];
		rg->id = xstrdup(id);
		rg->name = xstrdup(name);
		if ((ret = load_rule_list(r, rl, id, &rg->rules, err)) < 0)
			return ret;
	}
	return 0;
}

static int
load_services(struct rules *r, const config_setting_t *root, struct conf_error *err)
{
	static const char *const keys[] = { "id", "name", "regime", "rules", NULL };
	const config_setting_t *list, *rl;
	int ret, n;

	if ((ret = get_list(root, "services", true, "the configuration", &list, err)) < 0)
		return ret;
	n = config_setting_length(list);
	r->services = xcalloc((size_t)n, sizeof(*r->services));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *id, *name, *regime;
		const struct regime *rg;
		struct service *s;

		if ((ret = need_group(g, "service", err)) < 0 ||
		    (ret = check_keys(g, keys, "a service", err)) < 0 ||
		    (ret = get_id(g, "service", &id, err)) < 0 ||
		    (ret = get_str(g, "name", true, "a service", &name, err)) < 0 ||
		    (ret = get_str(g, "regime", true, "a service", &regime, err)) < 0 ||
		    (ret = get_list(g, "rules", false, "a service", &rl, err)) < 0)
			return ret;
		if (find_service(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "duplicate service id '%s'", id);
			return -EINVAL;
		}
		if (find_regime(r, id)) {
			conf_error_at(err, config_setting_get_member(g, "id"),
				      "service id '%s' is also a regime id (rule ids would be "
				      "ambiguous)",
				      id);
			return -EINVAL;
		}
		rg = find_regime(r, regime);
		if (!rg) {
			conf_error_at(err, config_setting_get_member(g, "regime"),
				      "unknown regime '%s'", regime);
			return -ENOENT;
		}
		s = &r->services[r->n_services++];
		s->id = xstrdup(id);
		s->name = xstrdup(name);
		s->regime = rg;
		if ((ret = load_rule_list(r, rl, id, &s->rules, err)) < 0)
			return ret;
	}
	return 0;
}

static int
load_citations(struct rules *r, const config_setting_t *root, struct conf_error *err)
{
	static const char *const keys[] = { "valid_from", "counting", "written_decision",
					    "reasoned_decision", NULL };
	const config_setting_t *list;
	int ret, n;

	if ((ret = get_list(root, "citations", false, "the configuration", &list, err)) < 0)
		return ret;
	n = list ? config_setting_length(list) : 0;
	r->citations = xcalloc((size_t)n, sizeof(*r->citations));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const char *valid_from, *text[RULES_CITATION_COUNT];
		struct citations *c;

		if ((ret = need_group(g, "citations version", err)) < 0 ||
		    (ret = check_keys(g, keys, "a citations version", err)) < 0 ||
		    (ret = get_str(g, "valid_from", true, "a citations version", &valid_from,
				   err)) < 0)
			return ret;
		for (size_t k = 0; k < RULES_CITATION_COUNT; k++) {
			ret = get_str(g, citation_names[k], false, "a citations version", &text[k],
				      err);
			if (ret < 0)
				return ret;
		}
		/* Counted before it is filled so that rules_free() frees a half-loaded one. */
		c = &r->citations[r->n_citations++];
		c->line = (int)config_setting_source_line(g);
		if (cal_date_parse(valid_from, &c->valid_from) < 0) {
			conf_error_at(err, config_setting_get_member(g, "valid_from"),
				      "bad date '%s' for 'valid_from' (expected YYYY-MM-DD)",
				      valid_from);
			return -EINVAL;
		}
		for (size_t k = 0; k + 1 < r->n_citations; k++) {
			if (cal_cmp(r->citations[k].valid_from, c->valid_from) == 0) {
				conf_error_at(err, g,
					      "duplicate citations version %s (the same valid_from "
					      "as the version at line %d)",
					      valid_from, r->citations[k].line);
				return -EINVAL;
			}
		}
		for (size_t k = 0; k < RULES_CITATION_COUNT; k++)
			c->text[k] = text[k] ? xstrdup(text[k]) : NULL;
	}
	return 0;
}

int
rules_load(const config_setting_t *root, struct rules **out, struct conf_error *err)
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

static void
rule_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].source);
	}
	free(l->v);
}

void
rules_free(struct rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_services; i++) {
		rule_list_free(&r->services[i].rules);
		free(r->services[i].name);
		free(r->services[i].id);
	}
	free(r->services);
	for (size_t i = 0; i < r->n_regimes; i++) {
		rule_list_free(&r->regimes[i].rules);
		free(r->regimes[i].name);
		free(r->regimes[i].id);
	}
	free(r->regimes);
	for (size_t i = 0; i < r->n_citations; i++) {
		for (size_t k = 0; k < RULES_CITATION_COUNT; k++)
			free(r->citations[i].text[k]);
	}
	free(r->citations);
	for (size_t i = 0; i < r->n_offices; i++)
		cal_office_deinit(&r->offices[i]);
	free(r->offices);
	free(r);
}

/* Lookups. */

size_t
rules_service_count(const struct rules *r)
{
	return r ? r->n_services : 0;
}

const char *
rules_service_id(const struct rules *r, size_t i)
{
	if (!r || i >= r->n_services)
		return NULL;
	return r->services[i].id;
}

bool
rules_has_service(const struct rules *r, const char *id)
{
	return find_service(r, id) != NULL;
}

const char *
rules_service_name(const struct rules *r, const char *id)
{
	const struct service *s = find_service(r, id);

	return s ? s->name : NULL;
}

const char *
rules_service_regime(const struct rules *r, const char *id)
{
	const struct service *s = find_service(r, id);

	return s ? s->regime->id : NULL;
}

const struct cal_office *
rules_office(const struct rules *r, const char *name)
{
	if (!r || !name)
		return NULL;
	for (size_t i = 0; i < r->n_offices; i++) {
		if (r->offices[i].name && strcmp(r->offices[i].name, name) == 0)
			return &r->offices[i];
	}
	return NULL;
}

size_t
rules_office_count(const struct rules *r)
{
	return r ? r->n_offices : 0;
}

const struct cal_office *
rules_office_at(const struct rules *r, size_t i)
{
	if (!r || i >= r->n_offices)
		return NULL;
	return &r->offices[i];
}

const char *
rules_citation(const struct rules *r, enum rules_citation what, struct cal_date on)
{
	const struct citations *best = NULL;

	if (!r || (unsigned)what >= RULES_CITATION_COUNT)
		return NULL;
	for (size_t i = 0; i < r->n_citations; i++) {
		const struct citations *c = &r->citations[i];

		if (cal_cmp(c->valid_from, on) <= 0 &&
		    (!best || cal_cmp(c->valid_from, best->valid_from) > 0))
			best = c;
	}
	return best ? best->text[what] : NULL;
}

/* The engine. */

struct ctx {
	const struct rules *rules;
	const struct service *svc;
	const struct rules_event *ev;
	size_t n_ev;
	struct cal_date today;
	size_t *target; /* per event: index of the event its ref resolves to, or NONE */
	size_t *answer; /* per documentation request: index of the event answering it, or NONE */
	struct rules_deadline *out;
	size_t n_out;
	size_t cap;
};

static void note(struct rules_deadline *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct rules_deadline *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->notes = xrealloc(d->notes, (d->n_notes + 1) * sizeof(*d->notes));
	d->notes[d->n_notes++] = xstrdup(buf);
}

/* Short-lived date strings for messages: fmt_date(d, (char[CAL_DATE_LEN]){ 0 }). */
static const char *
fmt_date(struct cal_date d, char *buf)
{
	return cal_date_format(d, buf);
}

#define DATE(d) fmt_date((d), (char[CAL_DATE_LEN]){ 0 })

static struct cal_date
date_max(struct cal_date a, struct cal_date b)
{
	return cal_cmp(a, b) >= 0 ? a : b;
}

static struct cal_date
date_min(struct cal_date a, struct cal_date b)
{
	return cal_cmp(a, b) <= 0 ? a : b;
}

/* Index of the event ref names (0: the latest of type recorded before i), or NONE. */
static size_t
resolve(const struct ctx *c, size_t i, int64_t ref, enum rules_event_type type)
{
	for (size_t j = i; j-- > 0;) {
		if (ref == 0 ? c->ev[j].type == type : c->ev[j].id == ref)
			return c->ev[j].type == type ? j : NONE;
	}
	return NONE;
}

/* The event type a deadline of kind belongs to. */
static enum rules_event_type
subject_type(enum rules_kind kind)
{
	switch (kind) {
	case RULES_KIND_DOCUMENTATION:
		return RULES_EV_DOC_REQUESTED;
	case RULES_KIND_COMPLAINT:
	case RULES_KIND_LATE_COMPLAINT:
		return RULES_EV_DECISION;
	case RULES_KIND_FORWARDING:
		return RULES_EV_COMPLAINT;
	default:
		return RULES_EV_RECEIVED;
	}
}

/* Checks the events and resolves every reference: 0 or -EINVAL. */
static int
validate(struct ctx *c)
{
	const struct rules_event *ev = c->ev;

	if (c->n_ev == 0 || ev[0].type != RULES_EV_RECEIVED)
		return -EINVAL;
	for (size_t i = 0; i < c->n_ev; i++) {
		const struct rules_event *e = &ev[i];
		enum rules_event_type want = RULES_EV_COUNT;
		bool need = true;

		c->target[i] = NONE;
		c->answer[i] = NONE;
		if ((unsigned)e->type >= RULES_EV_COUNT || e->id <= 0 || !cal_date_valid(e->date) ||
		    (e->has_due && !cal_date_valid(e->due)) ||
		    (e->has_reached && !cal_date_valid(e->reached)))
			return -EINVAL;
		for (size_t j = 0; j < i; j++) {
			if (ev[j].id == e->id)
				return -EINVAL;
		}
		if (e->has_reached && cal_cmp(e->reached, e->date) < 0)
			return -EINVAL;
		switch (e->type) {
		case RULES_EV_RECEIVED:
			if (i != 0)
				return -EINVAL;
			break;
		case RULES_EV_DOC_REQUESTED:
			if (e->has_due && cal_cmp(e->due, e->date) < 0)
				return -EINVAL;
			break;
		case RULES_EV_DOC_RECEIVED:
			want = RULES_EV_DOC_REQUESTED;
			need = e->ref != 0;
			break;
		case RULES_EV_COMPLAINT:
		case RULES_EV_REASONS_REQUESTED:
		case RULES_EV_REASONS_GIVEN:
			want = RULES_EV_DECISION;
			break;
		case RULES_EV_FORWARDED:
		case RULES_EV_COMPLAINT_DECIDED:
			want = RULES_EV_COMPLAINT;
			break;
		case RULES_EV_EXTENSION:
		case RULES_EV_OVERRIDE:
			if ((unsigned)e->kind >= RULES_KIND_COUNT || !e->has_due)
				return -EINVAL;
			want = subject_type(e->kind);
			break;
		default:
			break;
		}
		if (want != RULES_EV_COUNT) {
			c->target[i] = resolve(c, i, e->ref, want);
			if (c->target[i] == NONE && need)
				return -EINVAL;
			/* A complaint, reasons, an answer or a forwarding follows what it concerns. */
			if (c->target[i] != NONE && e->type != RULES_EV_EXTENSION &&
			    e->type != RULES_EV_OVERRIDE &&
			    cal_cmp(e->date, ev[c->target[i]].date) < 0)
				return -EINVAL;
		}
	}
	/* Which documentation request each documentation_received answers (the earliest). */
	for (size_t k = 0; k < c->n_ev; k++) {
		if (ev[k].type != RULES_EV_DOC_RECEIVED)
			continue;
		for (size_t j = 0; j < k; j++) {
			bool fits = c->target[k] == j ||
				    (c->target[k] == NONE && ev[j].type == RULES_EV_DOC_REQUESTED &&
				     c->answer[j] == NONE);

			if (fits && (c->answer[j] == NONE ||
				     cal_cmp(ev[k].date, ev[c->answer[j]].date) < 0))
				c->answer[j] = k;
		}
	}
	return 0;
}

static bool
list_has(const struct rule_list *l, enum rules_kind kind, bool emergency)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].kind == kind && l->v[i].emergency == emergency)
			return true;
	}
	return false;
}

static const struct rule *
pick_in(const struct rule_list *l, enum rules_kind kind, bool emergency, struct cal_date on)
{
	const struct rule *best = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct rule *r = &l->v[i];

		if (r->kind != kind || r->emergency != emergency || cal_cmp(r->valid_from, on) > 0)
			continue;
		if (!best || cal_cmp(r->valid_from, best->valid_from) > 0)
			best = r;
	}
	return best;
}

/* The rule in force on the start date `on`; emergency prefers an emergency version. */
static const struct rule *
pick(const struct ctx *c, enum rules_kind kind, struct cal_date on, bool emergency)
{
	const struct rule_list *svc = &c->svc->rules, *reg = &c->svc->regime->rules;
	const struct rule *r = NULL;

	if (emergency)
		r = pick_in(list_has(svc, kind, true) ? svc : reg, kind, true, on);
	if (!r)
		r = pick_in(list_has(svc, kind, false) ? svc : reg, kind, false, on);
	return r;
}

static void
clear_count(struct rules_deadline *d)
{
	for (size_t i = 0; i < d->n_steps; i++)
		free((char *)d->steps[i].why);
	free(d->steps);
	d->steps = NULL;
	d->n_steps = 0;
	d->has_raw_end = false;
	d->has_rule_due = false;
	d->has_due = false;
}

static void
deadline_init(struct rules_deadline *d, enum rules_kind kind, const struct rules_event *subject,
	      const struct rule *rule)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->subject = subject->id;
	d->rule = xstrdup(rule->id);
	d->source = xstrdup(rule->source);
	d->has_period = true;
	d->period = rule->period;
	d->rollover = rule->rollover;
	d->calendar = rule->office ? xstrdup(rule->office->name) : NULL;
}

static void
set_start(struct rules_deadline *d, const struct rules_event *e, enum rules_start type,
	  struct cal_date start)
{
	d->has_start = true;
	d->start_event = e->id;
	d->start_type = type;
	d->start = start;
}

/* raw_end from the start (or the date given in the request when given is not NULL). */
static int
count_raw(struct rules_deadline *d, const struct cal_date *given)
{
	int ret = 0;

	if (given) {
		d->has_period = false;
		d->raw_end = *given;
	} else {
		ret = cal_add_period(d->start, d->period, &d->raw_end);
		if (ret < 0)
			return ret == -EINVAL ? -ERANGE : ret;
	}
	d->has_raw_end = true;
	d->paused_end = d->raw_end;
	d->pause_days = 0;
	return ret;
}

/* § 149 roll-over of paused_end into rule_due and due. */
static int
roll(struct rules_deadline *d, const struct rule *rule)
{
	struct cal_step steps[CAL_MAX_STEPS];
	size_t n = 0;
	int ret = 0;

	if (rule->rollover == RULES_ROLLOVER_NONE) {
		d->rule_due = d->paused_end;
	} else {
		ret = cal_roll_forward(rule->office, d->paused_end, &d->rule_due, steps,
				       CAL_MAX_STEPS, &n);
		if (ret < 0)
			return -ERANGE;
		d->steps = xcalloc(n, sizeof(*d->steps));
		for (size_t i = 0; i < n; i++) {
			d->steps[i].day = steps[i].day;
			d->steps[i].why = xstrdup(steps[i].why ? steps[i].why : "stengt");
		}
		d->n_steps = n;
	}
	d->has_rule_due = true;
	d->has_due = true;
	d->due = d->rule_due;
	return ret;
}

static int
count(struct rules_deadline *d, const struct rule *rule, const struct cal_date *given)
{
	int ret = count_raw(d, given);

	if (ret < 0)
		return ret;
	return roll(d, rule);
}

/* The earliest event of type a or b whose ref resolves to subject (NONE: any), or NONE. */
static size_t
first_by_date(const struct ctx *c, enum rules_event_type a, enum rules_event_type b, size_t subject)
{
	size_t best = NONE;

	for (size_t k = 0; k < c->n_ev; k++) {
		if (c->ev[k].type != a && c->ev[k].type != b)
			continue;
		if (subject != NONE && c->target[k] != subject)
			continue;
		if (best == NONE || cal_cmp(c->ev[k].date, c->ev[best].date) < 0)
			best = k;
	}
	return best;
}

static void
set_met(struct rules_deadline *d, const struct rules_event *e)
{
	d->has_met = true;
	d->met_on = e->date;
	d->met_by = e->id;
}

/*
 * The first withdrawal, or closing, recorded after the subject event. Closing a case ends
 * the office's deadlines, not the party's right to complain.
 */
static size_t
find_cancel(const struct ctx *c, enum rules_kind kind, size_t subject)
{
	bool closes = kind != RULES_KIND_COMPLAINT && kind != RULES_KIND_LATE_COMPLAINT;

	for (size_t k = subject + 1; k < c->n_ev; k++) {
		if (c->ev[k].type == RULES_EV_WITHDRAWN ||
		    (closes && c->ev[k].type == RULES_EV_CLOSED))
			return k;
	}
	return NONE;
}

/* Extensions and overrides of this deadline, applied in the order they were recorded. */
static void
apply_changes(const struct ctx *c, struct rules_deadline *d, size_t subject)
{
	for (size_t k = 0; k < c->n_ev; k++) {
		const struct rules_event *e = &c->ev[k];
		struct rules_change *ch;

		if ((e->type != RULES_EV_EXTENSION && e->type != RULES_EV_OVERRIDE) ||
		    e->kind != d->kind || c->target[k] != subject)
			continue;
		d->changes = xrealloc(d->changes, (d->n_changes + 1) * sizeof(*d->changes));
		ch = &d->changes[d->n_changes++];
		ch->event = e->id;
		ch->override = e->type == RULES_EV_OVERRIDE;
		ch->date = e->due;
		ch->who = e->who ? xstrdup(e->who) : NULL;
		ch->why = e->why ? xstrdup(e->why) : NULL;
		/* An extension only ever lengthens; an override sets the date it names. */
		if (!ch->override && d->has_due && cal_cmp(e->due, d->due) <= 0) {
			note(d,
			     "Forlengelsen til %s gir ingen senere frist enn %s; den fristen står.",
			     DATE(e->due), DATE(d->due));
			continue;
		}
		d->has_due = true;
		d->due = e->due;
	}
}

static void
settle(const struct ctx *c, struct rules_deadline *d, size_t subject)
{
	size_t k = find_cancel(c, d->kind, subject);
	const struct rules_event *cancel = k == NONE ? NULL : &c->ev[k];

	if (d->has_met && (!cancel || cal_cmp(d->met_on, cancel->date) <= 0)) {
		d->state = !d->has_due || cal_cmp(d->met_on, d->due) <= 0 ? RULES_STATE_MET
									  : RULES_STATE_MISSED;
	} else if (cancel) {
		if (d->has_due && cal_cmp(cancel->date, d->due) > 0) {
			/* A breach stays a breach when the case ends afterwards. */
			d->state = RULES_STATE_MISSED;
			note(d, "Fristen var ute før saken ble %s %s.",
			     cancel->type == RULES_EV_WITHDRAWN ? "trukket" : "avsluttet",
			     DATE(cancel->date));
		} else {
			d->state = RULES_STATE_CANCELLED;
			d->has_cancelled = true;
			d->cancelled_on = cancel->date;
			d->cancelled_by = cancel->id;
		}
	} else if (d->has_due && cal_cmp(c->today, d->due) > 0) {
		d->state = RULES_STATE_MISSED;
	} else {
		d->state = RULES_STATE_OPEN;
	}
}

static void
push(struct ctx *c, struct rules_deadline *d)
{
	if (c->n_out == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->out = xrealloc(c->out, c->cap * sizeof(*c->out));
	}
	c->out[c->n_out++] = *d;
	memset(d, 0, sizeof(*d));
}

static void
deadline_deinit(struct rules_deadline *d)
{
	clear_count(d);
	free(d->rule);
	free(d->source);
	free(d->calendar);
	free(d->pauses);
	for (size_t i = 0; i < d->n_changes; i++) {
		free(d->changes[i].who);
		free(d->changes[i].why);
	}
	free(d->changes);
	for (size_t i = 0; i < d->n_notes; i++)
		free(d->notes[i]);
	free(d->notes);
	memset(d, 0, sizeof(*d));
}

void
rules_deadlines_free(struct rules_deadline *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		deadline_deinit(&v[i]);
	free(v);
}

/*
 * Documentation requests pause a processing norm that says so: the raw end moves by the
 * whole days each request stood open (to its answer, or to stop: today, the decision or
 * the end of the case). Overlapping requests count once; a request made after the
 * deadline had run out pauses nothing.
 */
static int
add_pauses(const struct ctx *c, struct rules_deadline *d, const struct rule *rule,
	   struct cal_date stop, bool stopped)
{
	struct cal_date end = d->raw_end, covered = { 0, 0, 0 }, due;
	bool have_covered = false;
	size_t n = 0;

	for (size_t j = 0; j < c->n_ev; j++)
		n += c->ev[j].type == RULES_EV_DOC_REQUESTED;
	if (n == 0)
		return 0;
	d->pauses = xcalloc(n, sizeof(*d->pauses));
	for (size_t j = 0; j < c->n_ev; j++) {
		const struct rules_event *e = &c->ev[j];
		struct rules_pause p = { 0 };
		size_t at;

		if (e->type != RULES_EV_DOC_REQUESTED)
			continue;
		p.event = e->id;
		p.from = e->date;
		if (c->answer[j] != NONE) {
			p.to = date_min(c->ev[c->answer[j]].date, stop);
		} else {
			p.to = stop;
			p.open = !stopped;
		}
		p.to = date_max(p.to, p.from);
		/* Insertion by request date, stable. */
		at = d->n_pauses;
		while (at > 0 && cal_cmp(d->pauses[at - 1].from, p.from) > 0) {
			d->pauses[at] = d->pauses[at - 1];
			at--;
		}
		d->pauses[at] = p;
		d->n_pauses++;
	}
	for (size_t i = 0; i < d->n_pauses; i++) {
		struct rules_pause *p = &d->pauses[i];
		struct cal_date from;

		/* Still running on p->from? Compare with the rolled end of the time so far. */
		due = end;
		if (rule->rollover == RULES_ROLLOVER_NEXT_WORKING_DAY &&
		    cal_roll_forward(rule->office, end, &due, NULL, 0, NULL) < 0)
			return -ERANGE;
		if (cal_cmp(p->from, due) > 0) {
			p->late = true;
			continue;
		}
		from = have_covered ? date_max(p->from, covered) : p->from;
		p->days = cal_cmp(p->to, from) > 0 ? cal_diff_days(from, p->to) : 0;
		end = cal_add_days(end, p->days);
		if (!cal_date_valid(end))
			return -ERANGE;
		d->pause_days += p->days;
		covered = have_covered ? date_max(covered, p->to) : p->to;
		have_covered = true;
	}
	d->paused_end = end;
	return 0;
}

static int
do_processing(struct ctx *c)
{
	const struct rules_event *recv = &c->ev[0];
	const struct rule *rule = pick(c, RULES_KIND_PROCESSING, recv->date, recv->emergency);
	struct rules_deadline d;
	struct cal_date stop = c->today;
	bool stopped = false;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_PROCESSING, recv, rule);
	set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if (recv->emergency && rule->emergency)
		note(&d, "Søknaden gjelder nødhjelp: nødhjelpsregelen gjelder.");
	else if (recv->emergency)
		note(&d,
		     "Søknaden er merket som nødhjelp, men ingen egen nødhjelpsregel gjelder for tjenesten på mottaksdagen; den vanlige regelen er brukt.");
	k = first_by_date(c, RULES_EV_DECISION, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		set_met(&d, &c->ev[k]);
		if (cal_cmp(d.met_on, stop) <= 0) {
			stop = d.met_on;
			stopped = true;
		}
	}
	k = find_cancel(c, RULES_KIND_PROCESSING, 0);
	if (k != NONE && cal_cmp(c->ev[k].date, stop) <= 0) {
		stop = c->ev[k].date;
		stopped = true;
	}
	if ((ret = count_raw(&d, NULL)) < 0)
		goto out;
	if (rule->pauses && (ret = add_pauses(c, &d, rule, stop, stopped)) < 0)
		goto out;
	if ((ret = roll(&d, rule)) < 0)
		goto out;
	for (k = 0; k < c->n_ev; k++) {
		if (c->ev[k].type == RULES_EV_PRELIMINARY_REPLY && c->ev[k].has_due) {
			d.promised = true;
			d.promised_on = c->ev[k].due;
		}
	}
	if (d.promised)
		note(&d, "Foreløpig svar lover svar innen %s.", DATE(d.promised_on));
	apply_changes(c, &d, 0);
	settle(c, &d, 0);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

static int
do_preliminary(struct ctx *c)
{
	const struct rules_event *recv = &c->ev[0];
	const struct rule *rule = pick(c, RULES_KIND_PRELIMINARY_REPLY, recv->date, false);
	struct rules_deadline d;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_PRELIMINARY_REPLY, recv, rule);
	set_start(&d, recv, RULES_START_RECEIVED, recv->date);
	if ((ret = count(&d, rule, NULL)) < 0)
		goto out;
	/* A decision within the time makes a preliminary reply unnecessary. */
	k = first_by_date(c, RULES_EV_PRELIMINARY_REPLY, RULES_EV_DECISION, NONE);
	if (k != NONE) {
		set_met(&d, &c->ev[k]);
		if (c->ev[k].type == RULES_EV_DECISION)
			note(&d, "Oppfylt ved vedtak %s.", DATE(c->ev[k].date));
	}
	apply_changes(c, &d, 0);
	settle(c, &d, 0);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

static int
do_documentation(struct ctx *c, size_t j)
{
	const struct rules_event *req = &c->ev[j];
	const struct rule *rule = pick(c, RULES_KIND_DOCUMENTATION, req->date, false);
	struct rules_deadline d;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_DOCUMENTATION, req, rule);
	set_start(&d, req, RULES_START_DOC_REQUESTED, req->date);
	if ((ret = count(&d, rule, req->has_due ? &req->due : NULL)) < 0)
		goto out;
	if (!req->has_due)
		note(&d, "Brevet nevnte ingen dato: fristen er regelens %s.",
		     cal_period_words(rule->period, (char[CAL_PERIOD_WORDS_LEN]){ 0 }));
	if (c->answer[j] != NONE)
		set_met(&d, &c->ev[c->answer[j]]);
	apply_changes(c, &d, j);
	settle(c, &d, j);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

/* The outer limit of fvl. § 31 (whatever the configuration calls it) for decision j. */
static int
late_limit(struct ctx *c, size_t j, const struct rule *rule, struct rules_deadline *d)
{
	const struct rules_event *dec = &c->ev[j];
	size_t k;
	int ret = 0;

	deadline_init(d, RULES_KIND_LATE_COMPLAINT, dec, rule);
	if (rule->start == RULES_START_DECISION_REACHED) {
		if (!dec->has_reached) {
			note(d, "Venter på at vedtaket kommer fram: fristen løper fra den dagen.");
			goto met;
		}
		set_start(d, dec, RULES_START_DECISION_REACHED, dec->reached);
	} else {
		set_start(d, dec, RULES_START_DECISION_MADE, dec->date);
	}
	if ((ret = count(d, rule, NULL)) < 0)
		return ret;
met:
	k = first_by_date(c, RULES_EV_COMPLAINT, RULES_EV_COMPLAINT, j);
	if (k != NONE)
		set_met(d, &c->ev[k]);
	apply_changes(c, d, j);
	settle(c, d, j);
	return 0;
}

/* fvl. § 24: reasons asked for in time restart the complaint deadline when given. */
static int
reasons(struct ctx *c, size_t j, const struct rule *rule, struct rules_deadline *d)
{
	struct cal_date first_due = d->due;
	bool had_due = d->has_due;
	size_t given;
	int ret = 0;

	for (size_t k = j + 1; k < c->n_ev; k++) {
		const struct rules_event *rq = &c->ev[k];

		if (rq->type != RULES_EV_REASONS_REQUESTED || c->target[k] != j)
			continue;
		if (!rule->reasons_restart) {
			note(d, "Begrunnelse bedt om %s; regelen gir ikke ny frist for det.",
			     DATE(rq->date));
			continue;
		}
		if (d->has_restart) {
			note(d, "Ny anmodning om begrunnelse %s endrer ikke fristen.",
			     DATE(rq->date));
			continue;
		}
		if (had_due && cal_cmp(rq->date, first_due) > 0) {
			note(d,
			     "Begrunnelse bedt om %s, etter at klagefristen gikk ut %s: fristen løper ikke på nytt.",
			     DATE(rq->date), DATE(first_due));
			continue;
		}
		d->has_restart = true;
		d->restart.requested_event = rq->id;
		d->restart.requested = rq->date;
		given = NONE;
		for (size_t g = k + 1; g < c->n_ev && given == NONE; g++) {
			if (c->ev[g].type == RULES_EV_REASONS_GIVEN && c->target[g] == j &&
			    cal_cmp(c->ev[g].date, rq->date) >= 0)
				given = g;
		}
		if (given != NONE) {
			d->restart.given = true;
			d->restart.given_event = c->ev[given].id;
			d->restart.given_on = c->ev[given].date;
			if (had_due)
				note(d, "Opprinnelig klagefrist var %s.", DATE(first_due));
			clear_count(d);
			set_start(d, &c->ev[given], RULES_START_REASONS_GIVEN, c->ev[given].date);
			if ((ret = count(d, rule, NULL)) < 0)
				return ret;
		} else {
			d->has_due = false;
			note(d,
			     "Begrunnelse bedt om %s: ny full klagefrist løper fra begrunnelsen kommer fram.",
			     DATE(rq->date));
		}
	}
	return ret;
}

/* What a late complaint, or none, means for the fvl. § 31 window (from the configuration). */
static void
late_notes(const struct ctx *c, struct rules_deadline *d, const struct rules_deadline *late)
{
	bool window = late && late->has_due;
	int32_t n;

	if (d->state != RULES_STATE_MISSED || !d->has_due)
		return;
	if (d->has_met && cal_cmp(d->met_on, d->due) > 0) {
		n = cal_diff_days(d->due, d->met_on);
		if (!window)
			note(d, "Klagen ble sendt %s, %d %s etter fristen.", DATE(d->met_on), n,
			     n == 1 ? "dag" : "dager");
		else if (cal_cmp(d->met_on, late->due) <= 0)
			note(d,
			     "Sen klage (sendt %s, %d %s for sent): kan likevel tas under behandling til og med %s (%s).",
			     DATE(d->met_on), n, n == 1 ? "dag" : "dager", DATE(late->due),
			     late->source);
		else
			note(d,
			     "Klagen ble sendt %s, etter den ytre fristen %s (%s): den kan ikke tas under behandling.",
			     DATE(d->met_on), DATE(late->due), late->source);
	} else if (!d->has_met && window) {
		if (cal_cmp(c->today, late->due) <= 0)
			note(d,
			     "Klagefristen er ute; en sen klage kan likevel tas under behandling til og med %s (%s).",
			     DATE(late->due), late->source);
		else
			note(d, "Klagefristen og den ytre fristen %s (%s) er ute.", DATE(late->due),
			     late->source);
	}
}

static int
do_decision(struct ctx *c, size_t j)
{
	const struct rules_event *dec = &c->ev[j];
	struct cal_date sel = dec->has_reached ? dec->reached : dec->date;
	const struct rule *cr = pick(c, RULES_KIND_COMPLAINT, sel, false);
	const struct rule *lr = pick(c, RULES_KIND_LATE_COMPLAINT, dec->date, false);
	struct rules_deadline d, late;
	size_t k;
	int ret = 0;

	memset(&d, 0, sizeof(d));
	memset(&late, 0, sizeof(late));
	if (lr && (ret = late_limit(c, j, lr, &late)) < 0)
		goto out;
	if (cr) {
		deadline_init(&d, RULES_KIND_COMPLAINT, dec, cr);
		if (cr->start == RULES_START_DECISION_MADE) {
			set_start(&d, dec, RULES_START_DECISION_MADE, dec->date);
		} else if (dec->has_reached) {
			set_start(&d, dec, RULES_START_DECISION_REACHED, dec->reached);
			if (dec->digital)
				note(&d,
				     "Digitalt vedtak: regnet fra det seneste av tilgjengeliggjøring og varsel (%s).",
				     DATE(dec->reached));
		} else {
			note(&d,
			     "Venter på at vedtaket kommer fram: klagefristen løper fra den dagen.");
		}
		if (d.has_start && (ret = count(&d, cr, NULL)) < 0)
			goto out;
		if ((ret = reasons(c, j, cr, &d)) < 0)
			goto out;
		apply_changes(c, &d, j);
		/* In time is judged on the day the complaint was sent (fvl. § 30 pattern). */
		k = first_by_date(c, RULES_EV_COMPLAINT, RULES_EV_COMPLAINT, j);
		if (k != NONE)
			set_met(&d, &c->ev[k]);
		settle(c, &d, j);
		late_notes(c, &d, lr ? &late : NULL);
		push(c, &d);
	}
	if (lr)
		push(c, &late);
out:
	deadline_deinit(&d);
	deadline_deinit(&late);
	return ret;
}

static int
do_forwarding(struct ctx *c, size_t j)
{
	const struct rules_event *cp = &c->ev[j];
	struct cal_date sel = cp->has_reached ? cp->reached : cp->date;
	const struct rule *rule = pick(c, RULES_KIND_FORWARDING, sel, false);
	struct rules_deadline d;
	size_t k;
	int ret;

	if (!rule)
		return 0;
	deadline_init(&d, RULES_KIND_FORWARDING, cp, rule);
	if (rule->start == RULES_START_COMPLAINT_RECEIVED && cp->has_reached) {
		set_start(&d, cp, RULES_START_COMPLAINT_RECEIVED, cp->reached);
	} else {
		set_start(&d, cp, RULES_START_COMPLAINT_SENT, cp->date);
		if (rule->start == RULES_START_COMPLAINT_RECEIVED)
			note(&d, "Mottaksdato mangler: regnet fra da klagen ble sendt (%s).",
			     DATE(cp->date));
	}
	if ((ret = count(&d, rule, NULL)) < 0)
		goto out;
	k = first_by_date(c, RULES_EV_FORWARDED, RULES_EV_COMPLAINT_DECIDED, j);
	if (k != NONE) {
		set_met(&d, &c->ev[k]);
		if (c->ev[k].type == RULES_EV_COMPLAINT_DECIDED)
			note(&d, "Oppfylt ved avgjørelse av klagen %s.", DATE(c->ev[k].date));
	}
	apply_changes(c, &d, j);
	settle(c, &d, j);
	push(c, &d);
out:
	deadline_deinit(&d);
	return ret;
}

int
rules_compute(const struct rules *rules, const char *service, const struct rules_event *ev,
	      size_t n_ev, struct cal_date today, struct rules_deadline **out, size_t *n_out)
{
	struct ctx c = { 0 };
	int ret = 0;

	FV_ASSERT(out && n_out);
	*out = NULL;
	*n_out = 0;
	c.svc = find_service(rules, service);
	if (!c.svc)
		return -ENOENT;
	if ((!ev && n_ev) || n_ev > RULES_MAX_EVENTS || !cal_date_valid(today))
		return -EINVAL;
	c.rules = rules;
	c.ev = ev;
	c.n_ev = n_ev;
	c.today = today;
	c.target = xcalloc(n_ev, sizeof(*c.target));
	c.answer = xcalloc(n_ev, sizeof(*c.answer));
	if ((ret = validate(&c)) < 0 || (ret = do_processing(&c)) < 0 ||
	    (ret = do_preliminary(&c)) < 0)
		goto out;
	for (size_t j = 1; j < n_ev && ret == 0; j++) {
		switch (ev[j].type) {
		case RULES_EV_DOC_REQUESTED:
			ret = do_documentation(&c, j);
			break;
		case RULES_EV_DECISION:
			ret = do_decision(&c, j);
			break;
		case RULES_EV_COMPLAINT:
			ret = do_forwarding(&c, j);
			break;
		default:
			break;
		}
	}
out:
	free(c.target);
	free(c.answer);
	if (ret < 0) {
		rules_deadlines_free(c.out, c.n_out);
	} else {
		*out = c.out;
		*n_out = c.n_out;
	}
	return ret;
}

/* The explanation as JSON. */

static json_t *
jdate(bool has, struct cal_date d)
{
	char buf[CAL_DATE_LEN];

	return has ? json_string(cal_date_format(d, buf)) : json_null();
}

/* A string, or null for NULL (and for invalid UTF-8, which jansson refuses). */
static json_t *
jstr(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

static json_t *
jid(bool has, int64_t id)
{
	return has ? json_integer(id) : json_null();
}

static void
set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

static json_t *
change_json(const struct rules_change *ch)
{
	json_t *o = json_object();

	set(o, "event", json_integer(ch->event));
	set(o, "date", jdate(true, ch->date));
	set(o, "who", jstr(ch->who));
	set(o, "why", jstr(ch->why));
	return o;
}

json_t *
rules_deadline_json(const struct rules_deadline *d)
{
	json_t *o = json_object(), *a, *x, *y, *v;
	char buf[CAL_PERIOD_WORDS_LEN];

	set(o, "kind", json_string(rules_kind_name(d->kind)));
	set(o, "label", json_string(rules_kind_label(d->kind)));
	set(o, "duty", json_string(rules_kind_is_office_duty(d->kind) ? "office" : "party"));
	set(o, "subject", json_integer(d->subject));
	set(o, "state", json_string(rules_state_name(d->state)));
	set(o, "due", jdate(d->has_due, d->due));
	set(o, "met_on", jdate(d->has_met, d->met_on));
	set(o, "met_by", jid(d->has_met, d->met_by));
	set(o, "cancelled_on", jdate(d->has_cancelled, d->cancelled_on));
	set(o, "cancelled_by", jid(d->has_cancelled, d->cancelled_by));
	set(o, "rule", jstr(d->rule));
	set(o, "source", jstr(d->source));
	if (d->has_start) {
		v = json_object();
		set(v, "event", json_integer(d->start_event));
		set(v, "type", json_string(rules_start_name(d->start_type)));
		set(v, "date", jdate(true, d->start));
		set(o, "start", v);
	} else {
		set(o, "start", json_null());
	}
	set(o, "period", d->has_period ? json_string(cal_period_format(d->period, buf)) : NULL);
	set(o, "period_words",
	    d->has_period ? json_string(cal_period_words(d->period, buf)) : NULL);
	set(o, "rollover", json_string(rules_rollover_name(d->rollover)));
	set(o, "calendar", jstr(d->calendar));
	set(o, "raw_end", jdate(d->has_raw_end, d->raw_end));
	set(o, "pause_days", json_integer(d->pause_days));
	set(o, "paused_end", jdate(d->has_raw_end, d->paused_end));
	a = json_array();
	for (size_t i = 0; i < d->n_steps; i++) {
		v = json_object();
		set(v, "day", jdate(true, d->steps[i].day));
		set(v, "why", jstr(d->steps[i].why));
		set(v, "to", jdate(true, cal_add_days(d->steps[i].day, 1)));
		json_array_append_new(a, v);
	}
	set(o, "steps", a);
	set(o, "rule_due", jdate(d->has_rule_due, d->rule_due));
	a = json_array();
	for (size_t i = 0; i < d->n_pauses; i++) {
		const struct rules_pause *p = &d->pauses[i];

		v = json_object();
		set(v, "event", json_integer(p->event));
		set(v, "from", jdate(true, p->from));
		set(v, "to", jdate(true, p->to));
		set(v, "days", json_integer(p->days));
		set(v, "open", json_boolean(p->open));
		set(v, "late", json_boolean(p->late));
		json_array_append_new(a, v);
	}
	set(o, "pauses", a);
	x = json_array();
	y = json_array();
	for (size_t i = 0; i < d->n_changes; i++)
		json_array_append_new(d->changes[i].override ? y : x, change_json(&d->changes[i]));
	set(o, "extensions", x);
	set(o, "overrides", y);
	if (d->has_restart) {
		v = json_object();
		set(v, "requested_event", json_integer(d->restart.requested_event));
		set(v, "requested", jdate(true, d->restart.requested));
		set(v, "given_event", jid(d->restart.given, d->restart.given_event));
		set(v, "given", jdate(d->restart.given, d->restart.given_on));
		set(o, "restart", v);
	} else {
		set(o, "restart", json_null());
	}
	set(o, "promised_on", jdate(d->promised, d->promised_on));
	a = json_array();
	for (size_t i = 0; i < d->n_notes; i++)
		json_array_append_new(a, jstr(d->notes[i]));
	set(o, "notes", a);
	return o;
}

/* The explanation as text. */

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	FV_ASSERT(n >= 0);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = 2 * (b->len + (size_t)n + 1);
		b->p = xrealloc(b->p, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The label with a capital first letter (every label starts with an ASCII letter). */
static void
sb_label(struct sbuf *b, enum rules_kind kind)
{
	const char *l = rules_kind_label(kind);

	sb_printf(b, "%c%s", l[0] >= 'a' && l[0] <= 'z' ? l[0] - 'a' + 'A' : l[0], l + 1);
}

static void
text_headline(struct sbuf *b, const struct rules_deadline *d)
{
	char words[CAL_PERIOD_WORDS_LEN];

	sb_label(b, d->kind);
	if (!d->has_start) {
		sb_printf(b, " %s etter %s: ingen startdato ennå.\n",
			  cal_period_words(d->period, words), d->source);
		return;
	}
	if (!d->has_period) {
		sb_printf(b, " %s, satt i brevet %s (%s), etter %s.\n", DATE(d->raw_end),
			  DATE(d->start), start_words[d->start_type], d->source);
		return;
	}
	sb_printf(b, " %s fra %s (%s) etter %s: %s", cal_period_words(d->period, words),
		  DATE(d->start), start_words[d->start_type], d->source, DATE(d->raw_end));
	if (d->pause_days > 0)
		sb_printf(b, ", pluss %d %s stans = %s", d->pause_days,
			  d->pause_days == 1 ? "dag" : "dager", DATE(d->paused_end));
	sb_printf(b, ".\n");
}

static void
text_rollover(struct sbuf *b, const struct rules_deadline *d)
{
	const char *why;

	if (!d->has_rule_due)
		return;
	if (d->n_steps > 0) {
		for (size_t i = 0; i < d->n_steps; i++)
			sb_printf(b, "%s%s %s", i ? ", " : "", DATE(d->steps[i].day),
				  d->steps[i].why);
		sb_printf(b, " → %s.\n", DATE(d->rule_due));
	} else if (d->rollover == RULES_ROLLOVER_NONE && cal_is_closed(NULL, d->paused_end, &why)) {
		sb_printf(b, "%s er %s, men regelen flytter ikke fristen.\n", DATE(d->paused_end),
			  why);
	}
	if (d->calendar)
		sb_printf(b, "Kontorkalenderen «%s» teller med når fristen flyttes.\n",
			  d->calendar);
}

static void
text_state(struct sbuf *b, const struct rules_deadline *d)
{
	bool office = rules_kind_is_office_duty(d->kind);

	if (d->has_due)
		sb_printf(b, "Frist: %s. Status: ", DATE(d->due));
	else
		sb_printf(b, "Ingen frist ennå. Status: ");
	switch (d->state) {
	case RULES_STATE_OPEN:
		sb_printf(b, "åpen");
		break;
	case RULES_STATE_MET:
		sb_printf(b, "overholdt %s (hendelse %lld)", DATE(d->met_on), (long long)d->met_by);
		break;
	case RULES_STATE_MISSED:
		sb_printf(b, "%s", office ? "overskredet" : "oversittet");
		if (d->has_met && d->has_due && cal_cmp(d->met_on, d->due) > 0)
			sb_printf(b, ", oppfylt %s (hendelse %lld), %d dager for sent",
				  DATE(d->met_on), (long long)d->met_by,
				  cal_diff_days(d->due, d->met_on));
		else
			sb_printf(b, ", ikke oppfylt");
		break;
	case RULES_STATE_CANCELLED:
		sb_printf(b, "bortfalt %s (hendelse %lld)", DATE(d->cancelled_on),
			  (long long)d->cancelled_by);
		break;
	}
	sb_printf(b, ".\n");
}

char *
rules_deadline_text(const struct rules_deadline *d)
{
	struct sbuf b = { 0 };

	text_headline(&b, d);
	text_rollover(&b, d);
	for (size_t i = 0; i < d->n_pauses; i++) {
		const struct rules_pause *p = &d->pauses[i];

		if (p->late)
			sb_printf(
				&b,
				"Dokumentasjon etterspurt %s, etter at fristen var ute: ingen stans.\n",
				DATE(p->from));
		else if (p->open)
			sb_printf(
				&b,
				"Stans fra %s (dokumentasjon etterspurt), fortsatt åpen per %s: %d %s så langt.\n",
				DATE(p->from), DATE(p->to), p->days,
				p->days == 1 ? "dag" : "dager");
		else
			sb_printf(&b, "Stans fra %s (dokumentasjon etterspurt) til %s: %d %s.\n",
				  DATE(p->from), DATE(p->to), p->days,
				  p->days == 1 ? "dag" : "dager");
	}
	if (d->has_restart && d->restart.given)
		sb_printf(&b, "Begrunnelse bedt om %s og gitt %s: ny full frist fra %s.\n",
			  DATE(d->restart.requested), DATE(d->restart.given_on),
			  DATE(d->restart.given_on));
	for (size_t i = 0; i < d->n_changes; i++) {
		const struct rules_change *ch = &d->changes[i];

		sb_printf(&b, "%s til %s (hendelse %lld)", ch->override ? "Overstyrt" : "Forlenget",
			  DATE(ch->date), (long long)ch->event);
		if (ch->who)
			sb_printf(&b, " av %s", ch->who);
		if (ch->why)
			sb_printf(&b, ": %s", ch->why);
		sb_printf(&b, ".\n");
	}
	for (size_t i = 0; i < d->n_notes; i++)
		sb_printf(&b, "%s\n", d->notes[i]);
	text_state(&b, d);
	sb_printf(&b, "Regel: %s.\n", d->rule);
	return b.p;
}
