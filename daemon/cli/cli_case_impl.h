/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_case_impl: what the case register's command files share, private to them: the
 * command specs and their parser (cli_args.c), the words of the views for people and the
 * deadline labels (cli_case.c), the help texts' common parts, and small helpers for the
 * members of a reply. The commands themselves are in cli_event.c (recording events),
 * cli_show.c (case show), cli_list.c (case list, deadlines, audit), cli_import.c and
 * cli_export.c; cli_case.h lists them for the command table.
 */
#ifndef FV_CLI_CASE_IMPL_H
#define FV_CLI_CASE_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "core/strbuf.h"

struct event_schema;

/* The most options a command has, its own and those every event command takes. */
#define MAX_OPTS 16
/* A deadline this many days away or fewer is "snart" (soon). */
#define SOON_DAYS 3

#define METHOD(name) "no.fristvakt." name

/* Small helpers for reply members. */

static inline const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static inline const char *
str_or(json_t *o, const char *key, const char *def)
{
	const char *s = str(o, key);

	return s ? s : def;
}

static inline long long
num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static inline bool
is_true(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* "no.fristvakt.RecordDecision" -> "RecordDecision"; other names stay whole. */
static inline const char *
short_name(const char *name)
{
	static const char prefix[] = "no.fristvakt.";

	if (name && strncmp(name, prefix, sizeof(prefix) - 1) == 0)
		return name + sizeof(prefix) - 1;
	return name;
}

/*
 * Commands and their options (cli_args.c).
 */

enum opt_kind {
	OPT_STRING, /* --name VALUE: a string parameter (def when not given) */
	OPT_NUMBER, /* --name N: an integer parameter (event ids, limits) */
	OPT_TRUE,   /* --name: the parameter is true; left out otherwise */
	OPT_FALSE,  /* --name: the parameter is false; true otherwise */
	OPT_NOW,    /* --name TIME: a string parameter, the current time when not given */
	OPT_LOCAL,  /* --name VALUE: for the command itself */
	OPT_FLAG,   /* --name: for the command itself */
};

struct opt {
	const char *name; /* the long option, without "--" */
	enum opt_kind kind;
	const char *param; /* the Varlink parameter it fills */
	bool required;
	const char *def; /* OPT_STRING: the value sent when the option is not given */
};

/*
 * A command: its Varlink method, its positional argument and, unless the method is an
 * event method, its options. An event method's options are made from its row of the event
 * schema (core/events.h): one option per parameter, --event-id, and --supersedes when the
 * event may be corrected.
 */
struct spec {
	const char *method;	   /* the Varlink method called */
	const char *arg;	   /* the positional argument ("REF" fills "reference"), or NULL */
	struct opt opts[MAX_OPTS]; /* not an event method: ended by a NULL name */
};

/* The options of a command, as its spec or its event schema makes them. */
struct optset {
	struct opt v[MAX_OPTS];
	char names[MAX_OPTS][32]; /* of options named after their parameter */
	size_t n;
	bool contact; /* --email, --phone and --consent make up the "contact" */
};

/* A command line, parsed. */
struct args {
	json_t *params;		   /* the call's parameters, owned */
	const char *arg;	   /* the positional argument */
	struct optset o;	   /* the command's options */
	const char *val[MAX_OPTS]; /* each option's value ("" for a flag), NULL if not given */
};

/*
 * Parses a command's argv (argv[0] is its last word) by its spec (cmd->data): an event
 * method's options are made from the event schema. Options may stand before or after the
 * positional argument. Returns 1 with *a filled (a->params owned by the caller), 0 when
 * help was shown, -1 on a usage error (message printed).
 */
int cli_parse_args(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		   struct args *a);

/*
 * The options command cmd takes (its spec is cmd->data), made as cli_parse_args() makes
 * them, into o; the common ones (CLI_COMMON_OPTIONS) are not among them. For the help
 * texts' test (tests/unit/test_cli_help.c).
 */
void cli_command_options(const struct cli_command *cmd, struct optset *o);

/* The event schema row (static) of the method command cmd records, or NULL when cmd is no
 * command of cli_event.c. */
const struct event_schema *cli_event_schema(const struct cli_command *cmd);

/* Sets a string parameter of params; false (message printed, naming what) when s is not
 * valid UTF-8. */
bool cli_set_string(const struct cli_command *cmd, json_t *params, const char *param,
		    const char *what, const char *s);

/* The value (borrowed) of the command's option called name, as parsed into a; NULL when
 * it was not given. */
const char *cli_opt_value(const struct args *a, const char *name);

/*
 * Words for people (cli_case.c).
 */

struct word {
	const char *name;
	struct cli_text text;
};

/* The words (borrowed) for name in table, or name itself when it has none (a newer
 * daemon); "?" for NULL. */
const char *cli_words(enum cli_lang lang, const struct word *table, const char *name);

/* The states of a case. */
extern const struct word cli_case_state_words[];
/* A deadline's state and an event's type for people, from the vocabulary (core/vocab.c);
 * name itself when the vocabulary has no such name (a newer daemon), "?" for NULL. */
const char *cli_deadline_state_word(enum cli_lang lang, const char *name);
const char *cli_event_word(enum cli_lang lang, const char *name);

/* Words of the case register's views for people, one per fact. */
enum word_id {
	W_EVENT,    /* "hendelse N" */
	W_BREACH,   /* a breach of the rules */
	W_RECORDED, /* recorded event N in case R */
	W_IN_CASE,
	W_DUPLICATE, /* already recorded as event N */
	W_NO_OPEN,   /* no open deadlines */
	W_OPEN,	     /* open deadlines: */
	W_CASE,	     /* "Sak R – service" */
	W_STATE,
	W_SERVICE,
	W_HANDLER,
	W_UNIT,
	W_RECEIVED,
	W_EMERGENCY,
	W_YES,
	W_CONTACT,
	W_CONTACT_KEPT,
	W_EVENTS,    /* heading */
	W_DEADLINES, /* heading */
	W_NONE,
	W_CORRECTS,	/* (retter hendelse N) */
	W_CORRECTED_BY, /* (rettet av hendelse N) */
	W_OVERDUE,
	W_SOON,
	W_TODAY,
	W_TOMORROW,
	W_IN_DAYS, /* "om N dager" */
	W_DAYS,
	W_NO_DATE,
	W_EMERGENCY_AID, /* ", nødhjelp" */
	W_PROMISED,
	W_DOC_DUE,
	W_CONCERNS_REQUEST,
	W_ALL_REQUESTS,
	W_ORAL,
	W_UNREASONED,
	W_REACHED,
	W_AVAILABLE,
	W_NOTICE_SENT,
	W_LEGAL_BASIS,
	W_CONCERNS_DECISION,
	W_EXTENDED_TO,
	W_SET_TO,
	W_FOR_EVENT,
	W_BY,
	W_COMPLAINT_RECEIVED,
	W_CONCERNS_COMPLAINT,
	W_POSSIBLE_BREACH, /* a finding to be assessed */
	W_IN_EVENT,	   /* "BRUDD i hendelse N" */
	W_REMEDIED,	   /* "Rettet DATE (hendelse N)" */
	W_NEED,		   /* BPA: the need recorded */
	W_HOURS_A_WEEK,
	W_FOR,
	W_MONTHS,
	W_FORWARDED_TO,	 /* the timeline's forwarded event, the complaint body named */
	W_FORWARDING_TO, /* the forwarding deadline, the complaint body named */
	W_COMPLAINT_CAME,
	W_DOCUMENTS_CAME,
	W_TOO_LATE,
	W_NO_COMPLAINT,
	W_NO_DOCUMENTS,
	W_MET_LATE,
	W_COUNT,
};

extern const struct cli_text cli_case_words[W_COUNT];

/* The text (borrowed) of a word of the views in lang. */
static inline const char *
w(enum cli_lang lang, enum word_id id)
{
	return cli_text_in(lang, &cli_case_words[id]);
}

/* The label of deadline d (a reply's) as a case worker reads it, appended to b. */
void cli_deadline_label(enum cli_lang lang, struct strbuf *b, json_t *d);

/* Deadline d's state for a case worker ("OVERSKREDET", "snart (i morgen)") appended to b;
 * today is the daemon's civil date ("YYYY-MM-DD") or NULL. */
void cli_deadline_mark(enum cli_lang lang, struct strbuf *b, json_t *d, const char *today);

/* The findings of a reply ("BRUDD i hendelse 7: ..."), a line each, to stdout. */
void cli_print_breaches(enum cli_lang lang, json_t *breaches);

/* The English explanation of deadline d (a reply's), each line after ind, to f
 * (cli_show.c). */
void cli_explain_en(FILE *f, json_t *d, const char *ind);

/* The sub-commands of 'case' that are not events (cli_show.c, cli_list.c). */
extern const struct cli_command cli_case_show;
extern const struct cli_command cli_case_list;

/* The parts of the help texts that commands share. */
#define EVENT_OPTIONS                                                                              \
	"  --event-id ID       your own id for the event: sending it again is answered with\n"     \
	"                      the stored event (already recorded), nothing is stored twice\n"
#define SUPERSEDES_OPTION                                                                          \
	"  --supersedes N      this event corrects event N (of the same type) of the case\n"
#define COMMON_OPTIONS                                                                             \
	"  --json              print the daemon's reply as JSON\n"                                 \
	"  --lang nb|en        the language of the text for people\n"                              \
	"  --help              show this help\n"
#define TIME_NOTE                                                                                  \
	"TIME is RFC 3339 (2026-03-02T09:15:00+01:00, 2026-03-02T08:15:00Z) or a date\n"           \
	"YYYY-MM-DD (the start of that day); DATE is YYYY-MM-DD. Nothing may lie more than a\n"    \
	"day in the future.\n"
#define RECORDED_NOTE "Prints the event's id and the case's open deadlines. Needs the write role.\n"

#endif
