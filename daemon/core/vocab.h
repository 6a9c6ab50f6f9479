/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vocab: the words deadlines are told in. One row per deadline kind, per event type and per
 * deadline state, each with its name in the protocol, the database and the rules file, its
 * labels for people in bokmål and English, and the facts that belong to the name: whose duty
 * a deadline is and which event it belongs to, which earlier event an event refers to. The
 * rules engine, the explanations, the message templates and the CLI all read these rows, so
 * a kind, an event type or a state is spelt in one place.
 *
 * A new deadline kind is a value in enum rules_kind, a row in vocab.c and its derivation in
 * the rules engine (a do_* function in core/engine.c, called from rules_compute()); the
 * rules file then takes it, with the start days its row allows.
 *
 * Pure data: no I/O, static strings only.
 */
#ifndef FV_VOCAB_H
#define FV_VOCAB_H

#include <stdbool.h>

enum rules_kind {
	RULES_KIND_PROCESSING,	      /* "processing": municipal norm (saksbehandlingsfrist) */
	RULES_KIND_PRELIMINARY_REPLY, /* "preliminary_reply": foreløpig svar */
	RULES_KIND_DOCUMENTATION,     /* "documentation": innsendelsesfrist */
	RULES_KIND_COMPLAINT,	      /* "complaint": klagefrist */
	RULES_KIND_LATE_COMPLAINT,    /* "late_complaint": outer limit for a late complaint */
	RULES_KIND_FORWARDING,	      /* "forwarding": oversendelse til klageinstansen */
	RULES_KIND_PROMISED,	      /* "promised": the date a foreløpig svar promised */
	RULES_KIND_COUNT,
};

enum rules_state {
	RULES_STATE_OPEN,
	RULES_STATE_MET,
	RULES_STATE_MISSED,
	RULES_STATE_CANCELLED,
	/*
	 * A party's deadline (complaint, late_complaint, documentation) that passed without
	 * what it waits for, or with it late: normal, and no breach by the office. Office
	 * duties that pass unmet are RULES_STATE_MISSED instead.
	 */
	RULES_STATE_EXPIRED,
	RULES_STATE_COUNT,
};

enum rules_event_type {
	RULES_EV_RECEIVED,
	RULES_EV_PRELIMINARY_REPLY,
	RULES_EV_DOC_REQUESTED,
	RULES_EV_DOC_RECEIVED,
	RULES_EV_DECISION,
	RULES_EV_REASONS_REQUESTED,
	RULES_EV_REASONS_GIVEN,
	RULES_EV_EXTENSION,
	RULES_EV_OVERRIDE,
	RULES_EV_COMPLAINT,
	RULES_EV_FORWARDED,
	RULES_EV_COMPLAINT_DECIDED,
	RULES_EV_WITHDRAWN,
	RULES_EV_CLOSED,
	RULES_EV_COMPLAINT_WITHDRAWN, /* the party withdrew a complaint */
	RULES_EV_DECISION_WRITTEN,    /* an oral decision was confirmed in writing */
	RULES_EV_COUNT,
};

/* The day a deadline of a kind may be counted from (a rule's start). */
enum rules_start {
	RULES_START_RECEIVED,		/* "received" */
	RULES_START_DOC_REQUESTED,	/* "documentation_requested" */
	RULES_START_DECISION_MADE,	/* "decision_made" */
	RULES_START_DECISION_REACHED,	/* "decision_reached" */
	RULES_START_REASONS_GIVEN,	/* "reasons_given" */
	RULES_START_COMPLAINT_SENT,	/* "complaint_sent" */
	RULES_START_COMPLAINT_RECEIVED, /* "complaint_received" */
	RULES_START_PRELIMINARY_REPLY,	/* "preliminary_reply": the reply that promised */
	RULES_START_COUNT,
};

/* A deadline kind. */
struct vocab_kind {
	const char *name; /* "complaint" */
	const char *nb;	  /* bokmål, lower case: "klagefrist" */
	/* English in messages and notifications: "deadline for a preliminary reply" */
	const char *en;
	/* English in the CLI's listings, shorter: "preliminary reply deadline" */
	const char *en_short;
	/*
	 * The office's duty (processing, preliminary_reply, forwarding, promised) or the
	 * party's (documentation, complaint, late_complaint). A party's deadline that passes
	 * expires; an office duty that passes is missed.
	 */
	bool office;
	/* The event a deadline of this kind belongs to (its subject). */
	enum rules_event_type subject;
	/* Closing the case ends it unmet: all but the party's right to complain. */
	bool closing_ends;
	/* Counted: its rules give a period to count from the start day. Not counted: the date
	 * is one an event named (a promised date), and its rules have no period. */
	bool counted;
	/* The start day a rule of this kind counts from unless it names one, and the start
	 * days it may name (bits 1u << enum rules_start). */
	enum rules_start start;
	unsigned starts;
};

/* An event type. */
struct vocab_event {
	const char *name; /* "documentation_requested" */
	const char *nb;	  /* "dokumentasjon etterspurt" */
	const char *en;	  /* "documentation requested" */
	/*
	 * The type of the earlier event its ref names, RULES_EV_COUNT when it names none.
	 * ref_by_kind: the subject of the deadline kind the event names instead (extension,
	 * override).
	 */
	enum rules_event_type ref;
	bool ref_by_kind;
};

/* A start day: what the day a deadline is counted from is. */
struct vocab_start {
	const char *name; /* "decision_reached" (rules file, explanations' JSON) */
	const char *nb;	  /* "vedtaket kom fram" */
	const char *en;	  /* "the decision reached the party" */
};

/* A deadline's state. */
struct vocab_state {
	const char *name; /* "expired" */
	const char *nb;	  /* "utløpt" */
	const char *en;	  /* "expired" */
};

/* The row of a kind, event type or state; NULL when out of range. Static. */
const struct vocab_kind *vocab_kind_row(enum rules_kind kind);
const struct vocab_event *vocab_event_row(enum rules_event_type type);
const struct vocab_state *vocab_state_row(enum rules_state state);
const struct vocab_start *vocab_start_row(enum rules_start start);

/*
 * Every kind's name in the order of the rows, for a message: "processing, preliminary_reply,
 * ..." with last_sep before the last one (", " or " or "). Owned by the caller.
 */
char *vocab_kind_names(const char *last_sep);

/*
 * Readers of the rows. The *_name functions return "?" for a value out of range, the
 * *_parse functions 0 with *out set, or -EINVAL for NULL or an unknown name.
 */
const char *rules_kind_name(enum rules_kind kind);
/* Norwegian label, lower case: "klagefrist". */
const char *rules_kind_label(enum rules_kind kind);
int rules_kind_parse(const char *s, enum rules_kind *out);
/* Whose duty the deadline is: true for the office's (see struct vocab_kind). */
bool rules_kind_is_office_duty(enum rules_kind kind);
/* The event type a deadline of kind belongs to (its subject): received, documentation
 * request, decision, complaint or preliminary reply. */
enum rules_event_type rules_kind_subject(enum rules_kind kind);
const char *rules_state_name(enum rules_state state);
int rules_state_parse(const char *s, enum rules_state *out);
const char *rules_event_type_name(enum rules_event_type type);
const char *rules_start_name(enum rules_start start);
int rules_start_parse(const char *s, enum rules_start *out);
int rules_event_type_parse(const char *s, enum rules_event_type *out);

#endif
