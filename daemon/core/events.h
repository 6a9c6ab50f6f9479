/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * events: the event schema. One row per event method of the Varlink interface: the event
 * type it records, which parameter is its time, which names an earlier event, and every
 * parameter with its JSON type, what it holds and its limits. The daemon checks requests
 * against it (ops/validate.c) and the CLI makes its event commands' options from it
 * (cli/cli_args.c; their help lines in cli/cli_event.c are checked against it by
 * tests/unit/test_cli_help.c), so a parameter is spelt once.
 */
#ifndef FV_EVENTS_H
#define FV_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/jsonkit.h"
#include "core/rules.h"

/* Case references are the case system's: 1-64 letters, digits and -_./: */
#define EVENTS_MAX_REF_LEN	64
#define EVENTS_MAX_IDENT_LEN	64 /* handler, unit */
#define EVENTS_MAX_EVENT_ID_LEN 128
#define EVENTS_MAX_TEXT_LEN	500 /* a reason */

/* What a parameter holds beyond its JSON type. */
enum event_pkind {
	EVENT_PK_PLAIN,
	EVENT_PK_INSTANT, /* RFC 3339 or a date: normalised to RFC 3339 UTC */
	EVENT_PK_DATE,	  /* YYYY-MM-DD */
	EVENT_PK_EVENT,	  /* the id of an event of the case */
	EVENT_PK_IDENT,	  /* handler, unit: no control characters */
	EVENT_PK_TEXT,	  /* a reason: no control characters but newlines */
	EVENT_PK_ENUM,
	EVENT_PK_KIND, /* a deadline kind */
	EVENT_PK_SERVICE,
	EVENT_PK_CONTACT,
	EVENT_PK_COUNT, /* an integer 0..max_len */
};

/*
 * Events per ImportEvents call, as the interface says. They all run in one loop callback,
 * about half a millisecond each for a decision (its deadlines recomputed, its reminders
 * planned), so a call stays within a few milliseconds and other connections are not kept
 * waiting; the CLI sends imports in chunks of this size.
 */
#define EVENTS_MAX_IMPORT_ITEMS 10

struct event_param {
	const char *name;
	enum jsonkit_type type;
	bool required;
	enum event_pkind kind;
	const char *const *choices; /* EVENT_PK_ENUM, NULL-terminated */
	size_t max_len;
};

struct event_schema {
	const char *method; /* "no.fristvakt.RegisterApplication" */
	const char *name;   /* "RegisterApplication": the method within its interface */
	enum rules_event_type type;
	const char *when; /* the instant parameter that is the event's time; NULL: now */
	/* The parameter naming an earlier event, or NULL; the type of that event is the
	 * vocabulary's (struct vocab_event's ref). */
	const char *ref_param;
	bool supersedable;
	const struct event_param *params;
	size_t n_params;
};

/* A decision's and a complaint decision's outcomes, NULL-terminated (also the values the
 * rules file's reasons_optional_for and forwarding_ended_by take). */
extern const char *const events_decision_outcomes[];
extern const char *const events_complaint_outcomes[];

/* The row of a method ("no.fristvakt.RecordDecision"), or NULL: not an event method. */
const struct event_schema *events_schema_find(const char *method);
/*
 * The row of the event method called name within the interface ("RecordDecision", as an
 * ImportEvents item names it), or NULL. When there is none, full (size bytes) gets the
 * fully qualified name that name stands for ("no.fristvakt.RecordDecision"), cut to fit,
 * for the refusal; full may be NULL.
 */
const struct event_schema *events_schema_find_name(const char *name, char *full, size_t size);
/* The rows in the order of the interface, for those who list them. */
size_t events_schema_count(void);
const struct event_schema *events_schema_at(size_t i);

#endif
