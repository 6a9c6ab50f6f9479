// SPDX-License-Identifier: GPL-3.0-or-later
/* events: the event schema, one row per event method (see events.h). */
#include "core/events.h"

#include <string.h>

#include "core/iface.h"
#include "core/util.h"

static const char *const channels[] = { "written", "oral", "digital", NULL };
static const char *const decision_outcomes[] = { "innvilget", "delvis_innvilget", "avslatt",
						 "avvist", NULL };
static const char *const complaint_outcomes[] = { "omgjort",  "delvis_omgjort", "stadfestet",
						  "opphevet", "avvist",		NULL };

static const struct event_param p_register[] = {
	{ "service", PROTO_STRING, true, EVENT_PK_SERVICE, NULL, 64 },
	{ "received", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "channel", PROTO_STRING, true, EVENT_PK_ENUM, channels, 16 },
	{ "emergency", PROTO_BOOL, false, EVENT_PK_PLAIN, NULL, 0 },
	{ "handler", PROTO_STRING, false, EVENT_PK_IDENT, NULL, EVENTS_MAX_IDENT_LEN },
	{ "unit", PROTO_STRING, false, EVENT_PK_IDENT, NULL, EVENTS_MAX_IDENT_LEN },
	{ "contact", PROTO_OBJECT, false, EVENT_PK_CONTACT, NULL, 0 },
};
static const struct event_param p_prelim[] = {
	{ "sent", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "promised", PROTO_STRING, true, EVENT_PK_DATE, NULL, 16 },
};
static const struct event_param p_doc_req[] = {
	{ "requested", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	/* Without it the rule's period counts from the request (rules.conf). */
	{ "due", PROTO_STRING, false, EVENT_PK_DATE, NULL, 16 },
};
static const struct event_param p_doc_rcv[] = {
	{ "received", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "request", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const char *const age_groups[] = { "under_67", "granted_before_67", "67_or_over", NULL };
static const struct event_param p_decision[] = {
	{ "made", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "outcome", PROTO_STRING, true, EVENT_PK_ENUM, decision_outcomes, 32 },
	{ "written", PROTO_BOOL, true, EVENT_PK_PLAIN, NULL, 0 },
	{ "reasoned", PROTO_BOOL, true, EVENT_PK_PLAIN, NULL, 0 },
	{ "reached", PROTO_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "made_available", PROTO_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "notice_sent", PROTO_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "legal_basis", PROTO_STRING, false, EVENT_PK_TEXT, NULL, 200 },
	/* The assessed need for personal assistance (BPA) and the applicant's age group. */
	{ "need_hours", PROTO_INT, false, EVENT_PK_COUNT, NULL, 168 },
	{ "need_months", PROTO_INT, false, EVENT_PK_COUNT, NULL, 1200 },
	{ "age_group", PROTO_STRING, false, EVENT_PK_ENUM, age_groups, 32 },
};
static const struct event_param p_reasons_req[] = {
	{ "requested", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_reasons_given[] = {
	{ "reached", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_extend[] = {
	{ "kind", PROTO_STRING, true, EVENT_PK_KIND, NULL, 32 },
	{ "until", PROTO_STRING, true, EVENT_PK_DATE, NULL, 16 },
	{ "reason", PROTO_STRING, true, EVENT_PK_TEXT, NULL, EVENTS_MAX_TEXT_LEN },
	{ "subject", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_override[] = {
	{ "kind", PROTO_STRING, true, EVENT_PK_KIND, NULL, 32 },
	{ "due", PROTO_STRING, true, EVENT_PK_DATE, NULL, 16 },
	{ "reason", PROTO_STRING, true, EVENT_PK_TEXT, NULL, EVENTS_MAX_TEXT_LEN },
	{ "subject", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_complaint[] = {
	{ "sent", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "received", PROTO_STRING, false, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_forward[] = {
	{ "forwarded", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "complaint", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_complaint_decided[] = {
	{ "decided", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "outcome", PROTO_STRING, true, EVENT_PK_ENUM, complaint_outcomes, 32 },
	{ "complaint", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_withdraw[] = {
	{ "withdrawn", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
};
static const struct event_param p_close[] = {
	{ "closed", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
};
static const struct event_param p_withdraw_complaint[] = {
	{ "withdrawn", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "complaint", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};
static const struct event_param p_confirm[] = {
	{ "confirmed", PROTO_STRING, true, EVENT_PK_INSTANT, NULL, 64 },
	{ "decision", PROTO_INT, false, EVENT_PK_EVENT, NULL, 0 },
};

#define EM(id, type, when, ref, sup, p)                                                            \
	{                                                                                          \
		id, type, when, ref, sup, p, FV_ARRAY_SIZE(p)                                      \
	}

static const struct event_schema schemas[] = {
	EM(IFACE_FRISTVAKT ".RegisterApplication", RULES_EV_RECEIVED, "received", NULL, true,
	   p_register),
	EM(IFACE_FRISTVAKT ".RecordPreliminaryReply", RULES_EV_PRELIMINARY_REPLY, "sent", NULL,
	   true, p_prelim),
	EM(IFACE_FRISTVAKT ".RequestDocumentation", RULES_EV_DOC_REQUESTED, "requested", NULL, true,
	   p_doc_req),
	EM(IFACE_FRISTVAKT ".ReceiveDocumentation", RULES_EV_DOC_RECEIVED, "received", "request",
	   true, p_doc_rcv),
	EM(IFACE_FRISTVAKT ".RecordDecision", RULES_EV_DECISION, "made", NULL, true, p_decision),
	EM(IFACE_FRISTVAKT ".RequestReasons", RULES_EV_REASONS_REQUESTED, "requested", "decision",
	   true, p_reasons_req),
	EM(IFACE_FRISTVAKT ".GiveReasons", RULES_EV_REASONS_GIVEN, "reached", "decision", true,
	   p_reasons_given),
	EM(IFACE_FRISTVAKT ".ExtendDeadline", RULES_EV_EXTENSION, NULL, "subject", true, p_extend),
	EM(IFACE_FRISTVAKT ".OverrideDeadline", RULES_EV_OVERRIDE, NULL, "subject", true,
	   p_override),
	EM(IFACE_FRISTVAKT ".RecordComplaint", RULES_EV_COMPLAINT, "sent", "decision", true,
	   p_complaint),
	EM(IFACE_FRISTVAKT ".ForwardComplaint", RULES_EV_FORWARDED, "forwarded", "complaint", true,
	   p_forward),
	EM(IFACE_FRISTVAKT ".DecideComplaint", RULES_EV_COMPLAINT_DECIDED, "decided", "complaint",
	   true, p_complaint_decided),
	EM(IFACE_FRISTVAKT ".WithdrawApplication", RULES_EV_WITHDRAWN, "withdrawn", NULL, true,
	   p_withdraw),
	EM(IFACE_FRISTVAKT ".CloseCase", RULES_EV_CLOSED, "closed", NULL, true, p_close),
	EM(IFACE_FRISTVAKT ".WithdrawComplaint", RULES_EV_COMPLAINT_WITHDRAWN, "withdrawn",
	   "complaint", true, p_withdraw_complaint),
	EM(IFACE_FRISTVAKT ".ConfirmDecision", RULES_EV_DECISION_WRITTEN, "confirmed", "decision",
	   true, p_confirm),
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
