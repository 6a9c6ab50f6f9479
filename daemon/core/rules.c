// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * rules: the deadline rules as loaded (conf/rules_load.c reads them from the configuration):
 * the names of start days, roll-over and age groups, the lookups of services, regimes,
 * office calendars and citations, and freeing it all. The engine that derives a case's
 * deadlines from its events is core/engine.c and core/deadline.c, its findings
 * core/findings.c, the explanations core/explain.c.
 */
#include "core/rules.h"
#include "core/rules_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const rules_age_group_names[RULES_AGE_COUNT + 1] = {
	"unknown", "under_67", "granted_before_67", "67_or_over", NULL,
};

/* Names. */

int
rules_name_index(const char *s, const char *const *names, size_t n, int *out)
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

const char *
rules_age_group_name(enum rules_age_group g)
{
	if ((unsigned)g >= RULES_AGE_COUNT)
		return "?";
	return rules_age_group_names[g];
}

int
rules_age_group_parse(const char *s, enum rules_age_group *out)
{
	int v, ret = rules_name_index(s, rules_age_group_names, RULES_AGE_COUNT, &v);

	if (ret == 0)
		*out = (enum rules_age_group)v;
	return ret;
}

const char *
rules_rollover_name(enum rules_rollover rollover)
{
	return rollover == RULES_ROLLOVER_NONE ? "none" : "next_working_day";
}

/* Lookups, shared with the loader (rules_impl.h). */

const struct regime *
rules_find_regime(const struct rules *r, const char *id)
{
	for (size_t i = 0; i < r->n_regimes; i++) {
		if (strcmp(r->regimes[i].id, id) == 0)
			return &r->regimes[i];
	}
	return NULL;
}

const struct service *
rules_find_service(const struct rules *r, const char *id)
{
	if (!r || !id)
		return NULL;
	for (size_t i = 0; i < r->n_services; i++) {
		if (strcmp(r->services[i].id, id) == 0)
			return &r->services[i];
	}
	return NULL;
}

static void
rule_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].source);
		free(l->v[i].extension);
	}
	free(l->v);
}

void
rules_free(struct rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_services; i++) {
		for (size_t k = 0; k < r->services[i].n_bpa; k++) {
			free(r->services[i].bpa[k].source);
			free(r->services[i].bpa[k].right_text);
			free(r->services[i].bpa[k].justify_text);
		}
		free(r->services[i].bpa);
		rule_list_free(&r->services[i].rules);
		free(r->services[i].name);
		free(r->services[i].id);
	}
	free(r->services);
	for (size_t i = 0; i < r->n_regimes; i++) {
		rule_list_free(&r->regimes[i].rules);
		free(r->regimes[i].complaint_body);
		free(r->regimes[i].complaint_body_source);
		free(r->regimes[i].name);
		free(r->regimes[i].id);
	}
	free(r->regimes);
	for (size_t i = 0; i < r->n_citations; i++) {
		struct citations *c = &r->citations[i];

		for (size_t k = 0; k < RULES_CITATION_COUNT; k++)
			free(c->text[k]);
		for (size_t k = 0; c->optional && c->optional[k]; k++)
			free(c->optional[k]);
		free(c->optional);
		for (size_t k = 0; c->ends && c->ends[k]; k++)
			free(c->ends[k]);
		free(c->ends);
		free(c->written_text);
		free(c->reasoned_text);
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
	return rules_find_service(r, id) != NULL;
}

const char *
rules_service_name(const struct rules *r, const char *id)
{
	const struct service *s = rules_find_service(r, id);

	return s ? s->name : NULL;
}

const char *
rules_service_regime(const struct rules *r, const char *id)
{
	const struct service *s = rules_find_service(r, id);

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

const struct rules_procedure *
rules_procedure_at(const struct rules *r, struct cal_date on)
{
	static const char *const none[] = { NULL };
	static const char *const full_reversal[] = { "omgjort", NULL };
	static const struct rules_procedure fallback = {
		.reasons_optional = none,
		.forwarding_ended_by = full_reversal,
		.restart_when = RULES_RESTART_UNREASONED,
		.in_time = RULES_IN_TIME_SENT,
		.extension_before_expiry = true,
	};
	const struct citations *best = NULL;

	for (size_t i = 0; r && i < r->n_citations; i++) {
		const struct citations *c = &r->citations[i];

		if (cal_cmp(c->p.valid_from, on) <= 0 &&
		    (!best || cal_cmp(c->p.valid_from, best->p.valid_from) > 0))
			best = c;
	}
	return best ? &best->p : &fallback;
}

const char *
rules_citation(const struct rules *r, enum rules_citation what, struct cal_date on)
{
	if ((unsigned)what >= RULES_CITATION_COUNT)
		return NULL;
	return rules_procedure_at(r, on)->citation[what];
}

const char *
rules_complaint_body(const struct rules *r, const char *service)
{
	const struct service *s = rules_find_service(r, service);

	return s ? s->regime->complaint_body : NULL;
}

char *
rules_deadline_label(const struct rules *r, const char *service, enum rules_kind kind)
{
	const char *body = rules_complaint_body(r, service);

	if (kind == RULES_KIND_FORWARDING && body)
		return xasprintf("frist for oversendelse til %s", body);
	return xstrdup(rules_kind_label(kind));
}

const char *
rules_complaint_body_source(const struct rules *r, const char *service)
{
	const struct service *s = rules_find_service(r, service);

	return s ? s->regime->complaint_body_source : NULL;
}
