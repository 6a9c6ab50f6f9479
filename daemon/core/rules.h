/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rules: the deadline rules of each service and the engine that turns a case's events into
 * its deadlines, each with a state and a structured explanation (the README, "The law as
 * fristvakt reads it", says what it implements).
 *
 * Every legal parameter - period, start event, roll-over, office calendar, the citation
 * shown to people, also for the rules built into the code (citations) - is data read from
 * the configuration (calendars, regimes, services, citations; the format is described atop
 * conf/rules_load.c and in etc/rules.conf), each version with a valid_from date. The code
 * knows only the shape of the process: which events start, meet, pause, restart, extend or
 * cancel which kind of deadline.
 *
 * The kinds, event types and states with their names and labels are core/vocab.h. The code
 * behind this header: core/rules.c (lookups), core/engine.c and core/deadline.c
 * (rules_compute), core/findings.c, core/explain.c (JSON and text).
 *
 * Pure code: no I/O, no clock (today is passed in), no uv, sqlite or curl.
 */
#ifndef FV_RULES_H
#define FV_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/cal.h"
#include "core/vocab.h"

struct diag;
struct rules;

/* The most events rules_compute() takes for one case. */
#define RULES_MAX_EVENTS 10000

/*
 * The day a deadline is counted from. A rule's "start" key names one of these (each kind
 * allows a few, see conf/rules_load.c); RULES_START_REASONS_GIVEN is never configured, it is the new
 * start after a request for reasons.
 */
enum rules_rollover {
	RULES_ROLLOVER_NEXT_WORKING_DAY, /* "next_working_day": domstolloven § 149 */
	RULES_ROLLOVER_NONE,		 /* "none": the end day stands, weekend or not */
};

/*
 * The rules built into the code whose legal citation and parameters, like everything legal,
 * are data: the configuration's citations list (versions with valid_from, as rules have)
 * names the provision for each and sets what the law leaves to it; the law may renumber or
 * change them.
 */
enum rules_citation {
	RULES_CITATION_COUNTING,	  /* "counting": how a period is counted, roll-over */
	RULES_CITATION_WRITTEN_DECISION,  /* "written_decision": every decision in writing */
	RULES_CITATION_REASONED_DECISION, /* "reasoned_decision": and give its reasons */
	RULES_CITATION_REASONS_RESTART,	  /* "reasons_restart": reasons asked for restart */
	RULES_CITATION_IN_TIME,		  /* "in_time": a complaint sent in time is in time */
	RULES_CITATION_COUNT,
};

/* Which requests for reasons restart a complaint deadline ("reasons_restart_when"). */
enum rules_restart_when {
	RULES_RESTART_UNREASONED, /* "unreasoned": only for a decision given without reasons */
	RULES_RESTART_ALWAYS,	  /* "always" */
	RULES_RESTART_NEVER,	  /* "never" */
};

/* The day a complaint is judged in time on ("in_time_judged_on"). */
enum rules_in_time {
	RULES_IN_TIME_SENT,	/* "sent": posted or submitted */
	RULES_IN_TIME_RECEIVED, /* "received": arrived at the office */
};

/* One version of the citations list; strings owned by the rules, NULL when not given. */
struct rules_procedure {
	struct cal_date valid_from;
	const char *citation[RULES_CITATION_COUNT];
	const char *written_text;  /* the breach sentence for an oral decision */
	const char *reasoned_text; /* the breach sentence for a decision without reasons */
	/* Decision outcomes that may be given without reasons, NULL-terminated. */
	const char *const *reasons_optional;
	enum rules_restart_when restart_when;
	enum rules_in_time in_time;
	bool extension_before_expiry; /* an extension only before the deadline expires */
	/* Outcomes of the office's review of a complaint that end its duty to forward it
	 * ("forwarding_ended_by"; a full reversal), NULL-terminated. */
	const char *const *forwarding_ended_by;
};

/* The applicant's age group, for the BPA right (recorded with a decision). */
enum rules_age_group {
	RULES_AGE_UNKNOWN,
	RULES_AGE_UNDER_LIMIT,	  /* "under_67" */
	RULES_AGE_GRANTED_BEFORE, /* "granted_before_67": a right granted before the limit */
	RULES_AGE_FROM_LIMIT,	  /* "67_or_over" */
	RULES_AGE_COUNT,
};

/*
 * One event of a case, as the caller recorded it (civil dates already converted from
 * instants). The events of a case come in the order they were recorded, corrected
 * (superseded) events removed; the first must be the one RULES_EV_RECEIVED.
 *
 * ref names an earlier event by id, 0 meaning the latest fitting one recorded before:
 *   complaint, reasons_requested, reasons_given  -> the decision
 *   forwarded, complaint_decided                 -> the complaint
 *   documentation_received                       -> the documentation request
 *                                                   (0: every request still unanswered)
 *   complaint_withdrawn                          -> the complaint
 *   decision_written                             -> the decision
 *   extension, override -> the subject of the deadline of `kind`: the received event for
 *                          processing and preliminary_reply, the documentation request,
 *                          the decision (complaint, late_complaint), the complaint
 *                          (forwarding), the preliminary reply (promised)
 */
struct rules_event {
	int64_t id; /* > 0, unique in the case */
	enum rules_event_type type;
	/*
	 * The legally relevant day: received (received), sent (preliminary_reply, complaint,
	 * forwarded), requested (documentation_requested, reasons_requested), arrived
	 * (documentation_received), made (decision, complaint_decided), reached the party
	 * (reasons_given), made (extension, override), and so on.
	 */
	struct cal_date date;
	/*
	 * documentation_requested: the innsendelsesfrist named in the letter;
	 * preliminary_reply: the day an answer was promised; extension, override: the new date.
	 */
	bool has_due;
	struct cal_date due;
	/*
	 * decision: the day the notice reached the party (kom fram); for digital delivery the
	 * later of made-available and notice-sent, with digital = true.
	 * complaint: the day the office received it (the deadline is judged on date, the day
	 * it was sent; forwarding is counted from this one).
	 */
	bool has_reached;
	struct cal_date reached;
	bool digital;
	int64_t ref;
	enum rules_kind kind; /* extension, override: which deadline */
	bool emergency;	      /* received: nødhjelp, use the emergency processing rule */
	/* decision: given in writing, with its reasons */
	bool written;
	bool reasoned;
	/* decision: innvilget, delvis_innvilget, avslatt, avvist; complaint_decided: omgjort,
	 * delvis_omgjort, stadfestet, opphevet, avvist. Borrowed, may be NULL. */
	const char *outcome;
	/* decision: the assessed need for personal assistance (BPA), when recorded */
	bool has_need;
	int32_t need_hours;  /* hours a week */
	int32_t need_months; /* expected duration in months, 0: not known */
	enum rules_age_group age_group;
	const char *who; /* borrowed: author of an extension or override */
	const char *why; /* borrowed: its reason */
};

/* A stretch of days a processing norm stood still while documentation was awaited. */
struct rules_pause {
	int64_t event;	      /* the documentation request */
	struct cal_date from; /* the day it was requested */
	/* The day the count resumed: the documents arrived, the date set for sending them
	 * (the documentation deadline) passed, the case was decided or ended; or today. */
	struct cal_date to;
	int32_t days; /* whole days added to the deadline (0 when it overlapped) */
	bool open;    /* still awaited: to is today and grows */
	bool ran_out; /* ended because the date set for sending the documents passed */
	bool late;    /* requested after the deadline had run out: no pause */
};

/* An extension (forlenget frist) or a manual override of a deadline. */
struct rules_change {
	int64_t event;
	bool override;		/* false: extension */
	struct cal_date date;	/* the new date asked for */
	struct cal_date due;	/* that date after roll-over: the due date it gave */
	struct cal_step *steps; /* the days skipped by roll-over; why owned here */
	size_t n_steps;
	bool applied; /* false: an extension that gave no later date */
	char *who;    /* owned, may be NULL */
	char *why;    /* owned, may be NULL */
};

/* The party asked for the reasons before the complaint deadline ended, and the decision had
 * given none: the complaint deadline starts again when they reach the party. */
struct rules_restart {
	int64_t requested_event;
	struct cal_date requested;
	bool given; /* false: still waiting, the complaint deadline has no due date */
	int64_t given_event;
	struct cal_date given_on; /* the new start */
};

struct rules_deadline {
	enum rules_kind kind;
	/* Received event (processing, preliminary_reply), documentation request, decision
	 * (complaint, late_complaint) or complaint (forwarding). */
	int64_t subject;
	enum rules_state state;
	/* False only while the complaint deadline waits for the decision to reach the party
	 * or for requested reasons. */
	bool has_due;
	struct cal_date due;
	bool has_met; /* the meeting event, also when it came too late */
	struct cal_date met_on;
	int64_t met_by;
	bool has_cancelled;
	struct cal_date cancelled_on;
	int64_t cancelled_by;
	/* An office duty missed, then ended unmet by what would have cancelled it before its
	 * day (the application withdrawn, the case closed): the breach stays (state missed),
	 * but nothing is owed any more (not awaited: no reminders, not overdue, may be purged). */
	bool has_ended;
	struct cal_date ended_on;

	/* The explanation. */
	char *rule;   /* owned: "sotjl/complaint@1970-01-01" (owner/kind[/emergency]@valid_from) */
	char *source; /* owned: the citation from the configuration */
	bool has_start;
	int64_t start_event;
	enum rules_start start_type;
	struct cal_date start;
	bool has_period; /* false: documentation due date named in the request, not counted */
	struct cal_period period;
	enum rules_rollover rollover;
	char *calendar; /* owned office calendar name, NULL: legal days only */
	bool has_raw_end;
	struct cal_date raw_end;    /* start + period, § 148, before pauses and roll-over */
	int32_t pause_days;	    /* sum of pauses[].days */
	struct cal_date paused_end; /* raw_end + pause_days: what roll-over starts from */
	struct cal_step *steps;	    /* the days skipped by roll-over; why owned here */
	size_t n_steps;
	bool has_rule_due;
	struct cal_date rule_due; /* the due date by the rule, before extensions and overrides */
	struct rules_pause *pauses;
	size_t n_pauses;
	struct rules_change *changes; /* extensions and overrides, in order of recording */
	size_t n_changes;
	bool has_restart;
	struct rules_restart restart;
	bool promised; /* processing: a preliminary reply promised an answer by promised_on */
	struct cal_date promised_on;
	char *complaint_body; /* owned, forwarding: where the complaint goes; else NULL */
	/* owned: the provision that lets the office extend this deadline (the rule's key
	 * "extension"), or NULL when it cannot be extended (statutory limits). */
	char *extension;
	char **notes; /* owned Norwegian sentences */
	size_t n_notes;
};

/*
 * Something in a case an audit would flag beyond its deadlines: a decision given orally
 * (every enkeltvedtak shall be written), one without the reasons it needed, a refusal of
 * BPA that conflicts with the right. Closed when remedied later (a written confirmation,
 * the reasons given); a closed finding stays on record.
 */
struct rules_finding {
	int64_t event;	  /* the decision it concerns */
	const char *code; /* static: "oral_decision", "unreasoned_decision", "bpa_refusal" */
	char *text;	  /* owned Norwegian sentence, ending with its citation when known */
	bool possible;	  /* a possible breach to be assessed, not a certain one */
	bool closed;
	int64_t closed_by;
	struct cal_date closed_on;
};

/* The kinds', event types' and states' names and labels: core/vocab.h. */
const char *rules_rollover_name(enum rules_rollover rollover);

void rules_free(struct rules *rules);

size_t rules_service_count(const struct rules *rules);
/* The id of the i-th service in configuration order, or NULL past the end. */
const char *rules_service_id(const struct rules *rules, size_t i);
bool rules_has_service(const struct rules *rules, const char *id);
/* The display name of a service, or NULL when unknown. */
const char *rules_service_name(const struct rules *rules, const char *id);
/* The regime id of a service, or NULL when unknown. */
const char *rules_service_regime(const struct rules *rules, const char *id);
/*
 * The complaint body of a service's regime ("Statsforvalteren", "kommunens klagenemnd") and
 * the provision that names it, or NULL for an unknown service. Borrowed from rules.
 */
const char *rules_complaint_body(const struct rules *rules, const char *service);
const char *rules_complaint_body_source(const struct rules *rules, const char *service);
/*
 * The Norwegian label of a deadline kind in a case of service, as people read it: the
 * forwarding deadline names the regime's complaint body ("frist for oversendelse til
 * Statsforvalteren"). An owned string.
 */
char *rules_deadline_label(const struct rules *rules, const char *service, enum rules_kind kind);
/* An office calendar by name, or NULL. Borrowed from rules. */
const struct cal_office *rules_office(const struct rules *rules, const char *name);
size_t rules_office_count(const struct rules *rules);
const struct cal_office *rules_office_at(const struct rules *rules, size_t i);
/*
 * The citation of a built-in rule from the citations version in force on `on` (the one with
 * the latest valid_from on or before it), or NULL when no version is in force or that version
 * names none (a version does not inherit from an older one). Borrowed from rules, which may
 * be NULL.
 */
const char *rules_citation(const struct rules *rules, enum rules_citation what, struct cal_date on);
/*
 * The citations version in force on `on`, or a built-in default (no citations, the
 * parameters of forvaltningsloven 1967) when none is. Borrowed from rules (may be NULL).
 */
const struct rules_procedure *rules_procedure_at(const struct rules *rules, struct cal_date on);

/*
 * Computes every deadline of a case of service (borrowed) from its n_ev events (borrowed),
 * with states as of today. On success *out is an owned array of *n_out deadlines (free with
 * rules_deadlines_free), in the order of their subject events; for each subject the kinds
 * come in enum order. A kind without a rule in force at the start date gives no deadline.
 * Returns 0, -ENOENT for an unknown service, -EINVAL for inconsistent events (first event
 * not received, a reference to no fitting earlier event, a date before the event it
 * belongs to, an invalid date, a duplicate or non-positive id, an extension or override
 * without its date, more than RULES_MAX_EVENTS events), -ERANGE when a date leaves the
 * calendar's range.
 *
 * What each kind is and what meets it (the rule picked by its start date):
 *   processing         from received; the emergency version when the application is
 *                      flagged and one is in force. Met by the earliest decision. With
 *                      pauses = true the raw end moves by the whole days each documentation
 *                      request stood open: to the day the documents arrived or the date set
 *                      for sending them (the documentation deadline after roll-over and
 *                      extensions) passed, whichever came first, or to today / the decision
 *                      / the end of the case; overlapping requests count once, a request
 *                      made after the deadline had run out pauses nothing.
 *   preliminary_reply  from received, never paused; met by a preliminary reply or a
 *                      decision, whichever is earlier.
 *   promised           per preliminary reply that names a date: that date, rolled over;
 *                      met by a decision, or by a later preliminary reply with a new date
 *                      (in time when sent on or before it).
 *   documentation      per request: the date the request names (else the rule's period);
 *                      met by documentation_received.
 *   complaint          per decision, from the rule's start (the day it reached the party by
 *                      default; unknown -> no due date yet). A request for reasons of a
 *                      decision given without them (as the citations version in force on
 *                      the day it was made reads it, reasons_restart_when), on or before
 *                      the due date, empties the due date until the reasons are given, then
 *                      a full new period runs from that day (rule key reasons_restart). Met
 *                      by the first complaint, judged on the day it was sent (or received,
 *                      in_time_judged_on); a complaint while there is no due date is in
 *                      time. A late one leaves the deadline expired, with a note on the
 *                      late_complaint window.
 *   late_complaint     per decision, from the day it was made; met when the first complaint
 *                      was sent within it, expired when it was sent later or when the limit
 *                      passes with none.
 *   forwarding         per complaint, from the day it was received (the complaint's reached
 *                      date; the day sent when that is unknown, with a note); met by
 *                      forwarded, or by complaint_decided with outcome "omgjort" (a full
 *                      reversal); cancelled by complaint_withdrawn. Any other outcome of the
 *                      office's review leaves it open.
 * Extensions and overrides apply in recorded order after the rule, each new date rolled
 * over by the rule: an extension only ever moves the due date later (or gives one where
 * there was none), an override sets it.
 * State: met when met on or before the due date (or while there was none); past the due
 * date unmet, or met later, an office duty is missed and a party's deadline expired;
 * cancelled when the case is withdrawn - or, for all but complaint and late_complaint,
 * closed - after the subject event and before the deadline was met or had run out (a
 * deadline already run out stays missed or expired); otherwise open.
 */
int rules_compute(const struct rules *rules, const char *service, const struct rules_event *ev,
		  size_t n_ev, struct cal_date today, struct rules_deadline **out, size_t *n_out);
void rules_deadlines_free(struct rules_deadline *deadlines, size_t n);

/*
 * The rules of form the findings judge a decision by, shared with the compliance report
 * (core/report.c): a decision made under proc (its version in force on the day made; NULL:
 * none) breaches the written form when it is oral and proc requires writing (has a
 * written_decision_text), and the duty to give reasons when it has none, proc requires
 * them (reasoned_decision_text) and its outcome is not in reasons_optional_for.
 */
bool rules_oral_breach(const struct rules_procedure *proc, bool written);
bool rules_unreasoned_breach(const struct rules_procedure *proc, bool reasoned,
			     const char *outcome);

/*
 * The findings of a case (see struct rules_finding) from its events, as rules_compute()
 * takes them; decisions are judged by the citations version in force on the day they were
 * made, BPA refusals by the service's bpa thresholds in force on that day. *out is an owned
 * array of *n_out findings (rules_findings_free). Returns 0, or what rules_compute() would
 * for events it refuses.
 */
int rules_findings(const struct rules *rules, const char *service, const struct rules_event *ev,
		   size_t n_ev, struct rules_finding **out, size_t *n_out);
void rules_findings_free(struct rules_finding *findings, size_t n);
/* A finding as JSON (new reference): event, code, text, possible, closed_by, closed_on. */
json_t *rules_finding_json(const struct rules_finding *f);
/* The age groups' names in enum order ("unknown" first), NULL-terminated; the rest from
 * index 1 are what a decision's age_group takes. */
extern const char *const rules_age_group_names[RULES_AGE_COUNT + 1];
const char *rules_age_group_name(enum rules_age_group g);
int rules_age_group_parse(const char *s, enum rules_age_group *out);

/*
 * The deadline as a JSON object (new reference): kind, label, duty, subject, state, due,
 * met_on, met_by, cancelled_on, cancelled_by, rule, source, start {event, type, date},
 * period, period_words, rollover, calendar, raw_end, pause_days, paused_end, steps
 * [{day, why, to}], rule_due, pauses, extensions, overrides, restart, promised_on, notes.
 * Dates are "YYYY-MM-DD"; absent values are null.
 */
json_t *rules_deadline_json(const struct rules_deadline *d);
/* The explanation as Norwegian lines for a case worker, '\n'-terminated; owned string. */
char *rules_deadline_text(const struct rules_deadline *d);

#endif
