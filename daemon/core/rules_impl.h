/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rules_impl: the loaded rules' own layout, shared by the engine (core/rules.c and the files
 * named in engine_impl.h) and the loader (conf/rules_load.c) and by nothing else. Everyone else sees struct rules only
 * through rules.h.
 */
#ifndef FV_RULES_IMPL_H
#define FV_RULES_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cal.h"
#include "core/rules.h"

struct rule {
	char *id;
	char *source;
	char *extension; /* the provision allowing an extension, or NULL: none allowed */
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
	char *complaint_body;	     /* "Statsforvalteren" */
	char *complaint_body_source; /* the provision naming it, or NULL */
	struct rule_list rules;
};

/* One version of the BPA right's thresholds (a service's bpa list). */
struct bpa_rule {
	struct cal_date valid_from;
	int hours_right;	   /* a need of at least this many hours a week gives the right */
	int hours_justify;	   /* from this many the office must justify a refusal */
	int min_months;		   /* the need must be expected to last longer than this */
	int age_limit;		   /* the right is for those under this age */
	bool continues_past_limit; /* a right granted before the age limit continues */
	char *source;
	/* The finding's sentences, with {hours}, {months} and {age_limit}; NULL: no finding. */
	char *right_text;   /* the need gives the right */
	char *justify_text; /* the municipality must justify a refusal */
	int line;
};

struct service {
	char *id;
	char *name;
	const struct regime *regime;
	struct rule_list rules;
	struct bpa_rule *bpa;
	size_t n_bpa;
};

/* One version of the citations list: the public part points into the owned strings. */
struct citations {
	struct rules_procedure p;
	char *text[RULES_CITATION_COUNT];
	char *written_text;
	char *reasoned_text;
	char **optional; /* NULL-terminated */
	char **ends;	 /* NULL-terminated: forwarding_ended_by */
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

/* The start days' names in the rules file and the protocol. */

/* The index of s in names[0..n): 0 with *out set, or -EINVAL. */
int rules_name_index(const char *s, const char *const *names, size_t n, int *out);
/* The regime or service with that id, or NULL. */
const struct regime *rules_find_regime(const struct rules *r, const char *id);
const struct service *rules_find_service(const struct rules *r, const char *id);

#endif
