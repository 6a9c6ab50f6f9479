// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * findings: what an audit would flag in a case beyond its deadlines (see rules.h,
 * rules_findings()): an oral decision, one without the reasons it needed, a refusal of BPA
 * that conflicts with the right.
 */
#include "core/rules.h"
#include "core/rules_impl.h"
#include "core/engine_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"

struct findings {
	struct rules_finding *v;
	size_t n;
};

/* Appends a finding whose text is sentence (its final full stop dropped) and citation. */
static struct rules_finding *
finding_add(struct findings *f, int64_t event, const char *code, bool possible,
	    const char *sentence, const char *source)
{
	struct rules_finding *x;
	size_t len = strlen(sentence);

	while (len > 0 && sentence[len - 1] == '.')
		len--;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->event = event;
	x->code = code;
	x->possible = possible;
	x->text = source ? xasprintf("%.*s (%s).", (int)len, sentence, source)
			 : xasprintf("%.*s.", (int)len, sentence);
	return x;
}

/* Closes x with the first event of type that refers to decision j. */
static void
finding_close(const struct ctx *c, struct rules_finding *x, size_t j, enum rules_event_type type)
{
	for (size_t k = j + 1; k < c->n_ev; k++) {
		if (c->ev[k].type == type && c->target[k] == j) {
			x->closed = true;
			x->closed_by = c->ev[k].id;
			x->closed_on = c->ev[k].date;
			return;
		}
	}
}

static const struct bpa_rule *
bpa_at(const struct service *s, struct cal_date on)
{
	const struct bpa_rule *best = NULL;

	for (size_t i = 0; i < s->n_bpa; i++) {
		if (cal_cmp(s->bpa[i].valid_from, on) <= 0 &&
		    (!best || cal_cmp(s->bpa[i].valid_from, best->valid_from) > 0))
			best = &s->bpa[i];
	}
	return best;
}

/* text with {hours}, {months} and {age_limit} filled in: an owned string. */
static char *
bpa_text(const char *text, int hours, int months, int age_limit)
{
	static const char *const names[] = { "{hours}", "{months}", "{age_limit}" };
	const int values[] = { hours, months, age_limit };
	struct strbuf out = { 0 };

	while (*text) {
		size_t k = 0;

		while (k < FV_ARRAY_SIZE(names) && strncmp(text, names[k], strlen(names[k])) != 0)
			k++;
		if (k < FV_ARRAY_SIZE(names)) {
			strbuf_printf(&out, "%d", values[k]);
			text += strlen(names[k]);
		} else {
			strbuf_putc(&out, *text++);
		}
	}
	return strbuf_take(&out);
}

/*
 * A refusal of BPA that conflicts with the right as the thresholds in force describe it,
 * in the words of the bpa version (right_text, justify_text).
 */
static void
bpa_finding(const struct ctx *c, struct findings *f, const struct rules_event *dec)
{
	const struct bpa_rule *b = bpa_at(c->svc, dec->date);
	const char *text;
	bool age_ok;
	char *msg;

	if (!b || !dec->has_need || !dec->outcome || strcmp(dec->outcome, "avslatt") != 0)
		return;
	age_ok = dec->age_group == RULES_AGE_UNDER_LIMIT ||
		 (dec->age_group == RULES_AGE_GRANTED_BEFORE && b->continues_past_limit);
	if (!age_ok || dec->need_months <= b->min_months || dec->need_hours < b->hours_justify)
		return;
	text = dec->need_hours >= b->hours_right ? b->right_text : b->justify_text;
	if (!text)
		return;
	msg = bpa_text(text, dec->need_hours, b->min_months, b->age_limit);
	finding_add(f, dec->id, "bpa_refusal", true, msg, b->source);
	free(msg);
}

bool
rules_oral_breach(const struct rules_procedure *proc, bool written)
{
	return proc && !written && proc->written_text;
}

bool
rules_unreasoned_breach(const struct rules_procedure *proc, bool reasoned, const char *outcome)
{
	return proc && !reasoned && proc->reasoned_text &&
	       !eng_in_list(outcome ? outcome : "", proc->reasons_optional);
}

int
rules_findings(const struct rules *rules, const char *service, const struct rules_event *ev,
	       size_t n_ev, struct rules_finding **out, size_t *n_out)
{
	struct findings f = { 0 };
	struct ctx c;
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = eng_ctx_init(&c, rules, service, ev, n_ev,
			   n_ev ? ev[0].date : (struct cal_date){ 0 });
	for (size_t j = 1; ret == 0 && j < n_ev; j++) {
		const struct rules_event *dec = &ev[j];
		const struct rules_procedure *proc;
		struct rules_finding *x;

		if (dec->type != RULES_EV_DECISION)
			continue;
		proc = rules_procedure_at(rules, dec->date);
		if (rules_oral_breach(proc, dec->written)) {
			/* Possible: the law lets a decision be oral where writing is too burdensome. */
			x = finding_add(&f, dec->id, "oral_decision", true, proc->written_text,
					proc->citation[RULES_CITATION_WRITTEN_DECISION]);
			finding_close(&c, x, j, RULES_EV_DECISION_WRITTEN);
		}
		if (rules_unreasoned_breach(proc, dec->reasoned, dec->outcome)) {
			x = finding_add(&f, dec->id, "unreasoned_decision", false,
					proc->reasoned_text,
					proc->citation[RULES_CITATION_REASONED_DECISION]);
			finding_close(&c, x, j, RULES_EV_REASONS_GIVEN);
		}
		bpa_finding(&c, &f, dec);
	}
	eng_ctx_deinit(&c);
	if (ret < 0) {
		rules_findings_free(f.v, f.n);
		return ret;
	}
	*out = f.v;
	*n_out = f.n;
	return 0;
}

void
rules_findings_free(struct rules_finding *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}
