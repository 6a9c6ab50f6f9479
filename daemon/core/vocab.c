// SPDX-License-Identifier: GPL-3.0-or-later
/* vocab: one row per deadline kind, event type and state (see vocab.h). */
#include "core/vocab.h"

#include <errno.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"

#define START(s) (1u << (s))

static const struct vocab_kind kinds[] = {
	[RULES_KIND_PROCESSING] = {
		.name = "processing",
		.nb = "saksbehandlingsfrist",
		.en = "processing deadline",
		.en_short = "processing deadline",
		.office = true,
		.subject = RULES_EV_RECEIVED,
		.closing_ends = true,
		.counted = true,
		.start = RULES_START_RECEIVED,
		.starts = START(RULES_START_RECEIVED),
	},
	[RULES_KIND_PRELIMINARY_REPLY] = {
		.name = "preliminary_reply",
		.nb = "frist for foreløpig svar",
		.en = "deadline for a preliminary reply",
		.en_short = "preliminary reply deadline",
		.office = true,
		.subject = RULES_EV_RECEIVED,
		.closing_ends = true,
		.counted = true,
		.start = RULES_START_RECEIVED,
		.starts = START(RULES_START_RECEIVED),
	},
	[RULES_KIND_DOCUMENTATION] = {
		.name = "documentation",
		.nb = "innsendelsesfrist",
		.en = "deadline for documentation",
		.en_short = "documentation deadline",
		.office = false,
		.subject = RULES_EV_DOC_REQUESTED,
		.closing_ends = true,
		.counted = true,
		.start = RULES_START_DOC_REQUESTED,
		.starts = START(RULES_START_DOC_REQUESTED),
	},
	[RULES_KIND_COMPLAINT] = {
		.name = "complaint",
		.nb = "klagefrist",
		.en = "complaint deadline",
		.en_short = "complaint deadline",
		.office = false,
		.subject = RULES_EV_DECISION,
		.closing_ends = false,
		.counted = true,
		.start = RULES_START_DECISION_REACHED,
		.starts = START(RULES_START_DECISION_REACHED) | START(RULES_START_DECISION_MADE),
	},
	[RULES_KIND_LATE_COMPLAINT] = {
		.name = "late_complaint",
		.nb = "ytre frist for sen klage",
		.en = "outer limit for a late complaint",
		.en_short = "late complaint limit",
		.office = false,
		.subject = RULES_EV_DECISION,
		.closing_ends = false,
		.counted = true,
		.start = RULES_START_DECISION_MADE,
		.starts = START(RULES_START_DECISION_MADE) | START(RULES_START_DECISION_REACHED),
	},
	[RULES_KIND_FORWARDING] = {
		.name = "forwarding",
		.nb = "frist for oversendelse til klageinstansen",
		.en = "deadline for forwarding to the complaint body",
		.en_short = "deadline for forwarding to the complaint body",
		.office = true,
		.subject = RULES_EV_COMPLAINT,
		/* Only the complaint withdrawn ends it unmet (fvl. § 33), not the case closed. */
		.closing_ends = false,
		.counted = true,
		.start = RULES_START_COMPLAINT_RECEIVED,
		.starts = START(RULES_START_COMPLAINT_RECEIVED) | START(RULES_START_COMPLAINT_SENT),
	},
	[RULES_KIND_PROMISED] = {
		.name = "promised",
		.nb = "lovet svardato",
		.en = "promised decision date",
		.en_short = "promised decision deadline",
		.office = true,
		.subject = RULES_EV_PRELIMINARY_REPLY,
		.closing_ends = true,
		.counted = false,
		.start = RULES_START_PRELIMINARY_REPLY,
		.starts = START(RULES_START_PRELIMINARY_REPLY),
	},
};

/* No reference: RULES_EV_COUNT. */
#define NOREF RULES_EV_COUNT

static const struct vocab_event events[] = {
	[RULES_EV_RECEIVED] = { "received", "søknad mottatt", "application received", NOREF,
				false },
	[RULES_EV_PRELIMINARY_REPLY] = { "preliminary_reply", "foreløpig svar sendt",
					 "preliminary reply sent", NOREF, false },
	[RULES_EV_DOC_REQUESTED] = { "documentation_requested", "dokumentasjon etterspurt",
				     "documentation requested", NOREF, false },
	[RULES_EV_DOC_RECEIVED] = { "documentation_received", "dokumentasjon mottatt",
				    "documentation received", RULES_EV_DOC_REQUESTED, false },
	[RULES_EV_DECISION] = { "decision", "vedtak", "decision", NOREF, false },
	[RULES_EV_REASONS_REQUESTED] = { "reasons_requested", "begrunnelse bedt om",
					 "reasons requested", RULES_EV_DECISION, false },
	[RULES_EV_REASONS_GIVEN] = { "reasons_given", "begrunnelsen kom fram",
				     "reasons reached the party", RULES_EV_DECISION, false },
	[RULES_EV_EXTENSION] = { "extension", "frist forlenget", "deadline extended", NOREF, true },
	[RULES_EV_OVERRIDE] = { "override", "frist overstyrt", "deadline overridden", NOREF, true },
	[RULES_EV_COMPLAINT] = { "complaint", "klage", "complaint", RULES_EV_DECISION, false },
	[RULES_EV_FORWARDED] = { "forwarded", "oversendt klageinstansen",
				 "forwarded to the complaint body", RULES_EV_COMPLAINT, false },
	[RULES_EV_COMPLAINT_DECIDED] = { "complaint_decided", "klage avgjort", "complaint decided",
					 RULES_EV_COMPLAINT, false },
	[RULES_EV_WITHDRAWN] = { "withdrawn", "søknad trukket", "application withdrawn", NOREF,
				 false },
	[RULES_EV_CLOSED] = { "closed", "sak avsluttet", "case closed", NOREF, false },
	[RULES_EV_COMPLAINT_WITHDRAWN] = { "complaint_withdrawn", "klage trukket",
					   "complaint withdrawn", RULES_EV_COMPLAINT, false },
	[RULES_EV_DECISION_WRITTEN] = { "decision_written", "vedtaket bekreftet skriftlig",
					"decision confirmed in writing", RULES_EV_DECISION, false },
};

static const struct vocab_start starts[] = {
	[RULES_START_RECEIVED] = { "received", "søknaden mottatt", "the application received" },
	[RULES_START_DOC_REQUESTED] = { "documentation_requested", "dokumentasjon etterspurt",
					"documents requested" },
	[RULES_START_DECISION_MADE] = { "decision_made", "vedtaket truffet", "the decision made" },
	[RULES_START_DECISION_REACHED] = { "decision_reached", "vedtaket kom fram",
					   "the decision reached the party" },
	[RULES_START_REASONS_GIVEN] = { "reasons_given", "begrunnelsen kom fram",
					"the reasons reached the party" },
	[RULES_START_COMPLAINT_SENT] = { "complaint_sent", "klagen sendt", "the complaint sent" },
	[RULES_START_COMPLAINT_RECEIVED] = { "complaint_received", "klagen mottatt",
					     "the complaint received" },
	[RULES_START_PRELIMINARY_REPLY] = { "preliminary_reply", "foreløpig svar sendt",
					    "the preliminary reply sent" },
};

static const struct vocab_state states[] = {
	[RULES_STATE_OPEN] = { "open", "åpen", "open" },
	[RULES_STATE_MET] = { "met", "overholdt", "met" },
	[RULES_STATE_MISSED] = { "missed", "overskredet", "missed" },
	[RULES_STATE_CANCELLED] = { "cancelled", "bortfalt", "cancelled" },
	[RULES_STATE_EXPIRED] = { "expired", "utløpt", "expired" },
};

_Static_assert(FV_ARRAY_SIZE(kinds) == RULES_KIND_COUNT, "a row for every kind");
_Static_assert(FV_ARRAY_SIZE(events) == RULES_EV_COUNT, "a row for every event type");
_Static_assert(FV_ARRAY_SIZE(states) == RULES_STATE_COUNT, "a row for every state");
_Static_assert(FV_ARRAY_SIZE(starts) == RULES_START_COUNT, "a row for every start day");

const struct vocab_kind *
vocab_kind_row(enum rules_kind kind)
{
	return (unsigned)kind < RULES_KIND_COUNT ? &kinds[kind] : NULL;
}

const struct vocab_event *
vocab_event_row(enum rules_event_type type)
{
	return (unsigned)type < RULES_EV_COUNT ? &events[type] : NULL;
}

const struct vocab_state *
vocab_state_row(enum rules_state state)
{
	return (unsigned)state < RULES_STATE_COUNT ? &states[state] : NULL;
}

const struct vocab_start *
vocab_start_row(enum rules_start start)
{
	return (unsigned)start < RULES_START_COUNT ? &starts[start] : NULL;
}

/*
 * The index of the row named s among n rows of size bytes each, whose first member is the
 * name: 0 with *out set, or -EINVAL.
 */
static int
find(const char *s, const void *rows, size_t n, size_t size, int *out)
{
	for (size_t i = 0; s && i < n; i++) {
		const char *name = *(const char *const *)((const char *)rows + i * size);

		if (strcmp(s, name) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
rules_kind_name(enum rules_kind kind)
{
	const struct vocab_kind *k = vocab_kind_row(kind);

	return k ? k->name : "?";
}

const char *
rules_kind_label(enum rules_kind kind)
{
	const struct vocab_kind *k = vocab_kind_row(kind);

	return k ? k->nb : "?";
}

int
rules_kind_parse(const char *s, enum rules_kind *out)
{
	int v, ret = find(s, kinds, RULES_KIND_COUNT, sizeof(kinds[0]), &v);

	if (ret == 0)
		*out = (enum rules_kind)v;
	return ret;
}

bool
rules_kind_is_office_duty(enum rules_kind kind)
{
	const struct vocab_kind *k = vocab_kind_row(kind);

	return k && k->office;
}

enum rules_event_type
rules_kind_subject(enum rules_kind kind)
{
	const struct vocab_kind *k = vocab_kind_row(kind);

	return k ? k->subject : RULES_EV_RECEIVED;
}

const char *
rules_state_name(enum rules_state state)
{
	const struct vocab_state *s = vocab_state_row(state);

	return s ? s->name : "?";
}

int
rules_state_parse(const char *s, enum rules_state *out)
{
	int v, ret = find(s, states, RULES_STATE_COUNT, sizeof(states[0]), &v);

	if (ret == 0)
		*out = (enum rules_state)v;
	return ret;
}

const char *
rules_event_type_name(enum rules_event_type type)
{
	const struct vocab_event *e = vocab_event_row(type);

	return e ? e->name : "?";
}

int
rules_event_type_parse(const char *s, enum rules_event_type *out)
{
	int v, ret = find(s, events, RULES_EV_COUNT, sizeof(events[0]), &v);

	if (ret == 0)
		*out = (enum rules_event_type)v;
	return ret;
}

const char *
rules_start_name(enum rules_start start)
{
	const struct vocab_start *s = vocab_start_row(start);

	return s ? s->name : "?";
}

int
rules_start_parse(const char *s, enum rules_start *out)
{
	int v, ret = find(s, starts, RULES_START_COUNT, sizeof(starts[0]), &v);

	if (ret == 0)
		*out = (enum rules_start)v;
	return ret;
}

char *
vocab_kind_names(const char *last_sep)
{
	struct strbuf b = { 0 };

	for (int k = 0; k < RULES_KIND_COUNT; k++)
		strbuf_printf(&b, "%s%s",
			      k == 0			 ? ""
			      : k + 1 < RULES_KIND_COUNT ? ", "
							 : last_sep,
			      kinds[k].name);
	return strbuf_take(&b);
}
