// SPDX-License-Identifier: GPL-3.0-or-later
/* events: the event schema, one row per event method (see events.h). */
#include "core/events.h"

#include <stdio.h>
#include <string.h>

#include "core/iface.h"
#include "core/util.h"

static const char *const channels[] = { "written", "oral", "digital", NULL };
const char *const events_decision_outcomes[] = { "innvilget", "delvis_innvilget", "avslatt",
						 "avvist", NULL };
const char *const events_complaint_outcomes[] = { "omgjort",  "delvis_omgjort", "stadfestet",
						  "opphevet", "avvist",		NULL };

static const struct event_param p_register[] = {
	{ "service", JSONKIT_STRING, true, EVENT_PK_SERVICE, NULL, 64 },
	{ "received", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "channel", JSONKIT_STRING, true, EVENT_PK_ENUM, channels, 16 },
	{ "emergency", JSONKIT_BOOL, false, EVENT_PK_PLAIN, NULL, 0 },
	{ "handler", JSONKIT_STRING, false, EVENT_PK_IDENT, NULL, EVENTS_MAX_IDENT_LEN },
	{ "unit", JSONKIT_STRING, false, EVENT_PK_IDENT, NULL, EVENTS_MAX_IDENT_LEN },
	{ "contact", JSONKIT_OBJECT, false, EVENT_PK_CONTACT, NULL, 0 },
};
static const struct event_param p_prelim[] = {
	{ "sent", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "promised", JSONKIT_STRING, true, EVENT_PK_DATE, NULL, 16 },
};
static const struct event_param p_doc_req[] = {
	{ "requested", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	/* Without it the rule's period counts from the request (rules.conf). */
	{ "due", JSONKIT_STRING, false, EVENT_PK_DATE, NULL, 16 },
};
static const struct event_param p_doc_rcv[] = {
	{ "received", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "request", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_decision[] = {
	{ "made", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "outcome", JSONKIT_STRING, true, EVENT_PK_ENUM, events_decision_outcomes, 32 },
	{ "written", JSONKIT_BOOL, true, EVENT_PK_PLAIN, NULL, 0 },
	{ "reasoned", JSONKIT_BOOL, true, EVENT_PK_PLAIN, NULL, 0 },
	{ "reached", JSONKIT_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "made_available", JSONKIT_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "notice_sent", JSONKIT_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "legal_basis", JSONKIT_STRING, false, EVENT_PK_TEXT, NULL, 200 },
	/* The assessed need for personal assistance (BPA) and the applicant's age group. */
	{ "need_hours", JSONKIT_INT, false, EVENT_PK_COUNT, NULL, 168 },
	{ "need_months", JSONKIT_INT, false, EVENT_PK_COUNT, NULL, 1200 },
	{ "age_group", JSONKIT_STRING, false, EVENT_PK_ENUM, &rules_age_group_names[1], 32 },
};
static const struct event_param p_reasons_req[] = {
	{ "requested", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_reasons_given[] = {
	{ "reached", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_extend[] = {
	{ "kind", JSONKIT_STRING, true, EVENT_PK_KIND, NULL, 32 },
	{ "until", JSONKIT_STRING, true, EVENT_PK_DATE, NULL, 16 },
	{ "reason", JSONKIT_STRING, true, EVENT_PK_TEXT, NULL, EVENTS_MAX_TEXT_LEN },
	{ "subject", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_override[] = {
	{ "kind", JSONKIT_STRING, true, EVENT_PK_KIND, NULL, 32 },
	{ "due", JSONKIT_STRING, true, EVENT_PK_DATE, NULL, 16 },
	{ "reason", JSONKIT_STRING, true, EVENT_PK_TEXT, NULL, EVENTS_MAX_TEXT_LEN },
	{ "subject", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_complaint[] = {
	{ "sent", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "received", JSONKIT_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_forward[] = {
	{ "forwarded", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "complaint", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_complaint_decided[] = {
	{ "decided", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "outcome", JSONKIT_STRING, true, EVENT_PK_ENUM, events_complaint_outcomes, 32 },
	{ "complaint", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_withdraw[] = {
	{ "withdrawn", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
};
static const struct event_param p_close[] = {
	{ "closed", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
};
static const struct event_param p_withdraw_complaint[] = {
	{ "withdrawn", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "complaint", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_confirm[] = {
	{ "confirmed", JSONKIT_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", JSONKIT_INT, false, EVENT_PK_EVENT, NULL, 0 },
};

/* A row: the method's name within no.fristvakt (a string literal), then the rest. */
#define EM(name, type, when, ref, sup, p)                                                          \
	{                                                                                          \
		IFACE_FRISTVAKT "." name, name, type, when, ref, sup, p, FV_ARRAY_SIZE(p)          \
	}

static const struct event_schema schemas[] = {
	EM("RegisterApplication", RULES_EV_RECEIVED, "received", NULL, true, p_register),
	EM("RecordPreliminaryReply", RULES_EV_PRELIMINARY_REPLY, "sent", NULL, true, p_prelim),
	EM("RequestDocumentation", RULES_EV_DOC_REQUESTED, "requested", NULL, true, p_doc_req),
	EM("ReceiveDocumentation", RULES_EV_DOC_RECEIVED, "received", "request", true, p_doc_rcv),
	EM("RecordDecision", RULES_EV_DECISION, "made", NULL, true, p_decision),
	EM("RequestReasons", RULES_EV_REASONS_REQUESTED, "requested", "decision", true,
	   p_reasons_req),
	EM("GiveReasons", RULES_EV_REASONS_GIVEN, "reached", "decision", true, p_reasons_given),
	EM("ExtendDeadline", RULES_EV_EXTENSION, NULL, "subject", true, p_extend),
	EM("OverrideDeadline", RULES_EV_OVERRIDE, NULL, "subject", true, p_override),
	EM("RecordComplaint", RULES_EV_COMPLAINT, "sent", "decision", true, p_complaint),
	EM("ForwardComplaint", RULES_EV_FORWARDED, "forwarded", "complaint", true, p_forward),
	EM("DecideComplaint", RULES_EV_COMPLAINT_DECIDED, "decided", "complaint", true,
	   p_complaint_decided),
	EM("WithdrawApplication", RULES_EV_WITHDRAWN, "withdrawn", NULL, true, p_withdraw),
	EM("CloseCase", RULES_EV_CLOSED, "closed", NULL, true, p_close),
	EM("WithdrawComplaint", RULES_EV_COMPLAINT_WITHDRAWN, "withdrawn", "complaint", true,
	   p_withdraw_complaint),
	EM("ConfirmDecision", RULES_EV_DECISION_WRITTEN, "confirmed", "decision", true, p_confirm),
};

const struct event_schema *
events_schema_find(const char *method)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(schemas); i++) {
		if (strcmp(schemas[i].method, method) == 0)
			return &schemas[i];
	}
	return NULL;
}

const struct event_schema *
events_schema_find_name(const char *name, char *full, size_t size)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(schemas); i++) {
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	}
	if (full)
		snprintf(full, size, IFACE_FRISTVAKT ".%s", name);
	return NULL;
}

size_t
events_schema_count(void)
{
	return FV_ARRAY_SIZE(schemas);
}

const struct event_schema *
events_schema_at(size_t i)
{
	return i < FV_ARRAY_SIZE(schemas) ? &schemas[i] : NULL;
}
