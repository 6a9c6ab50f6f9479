// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_case: the case register in the fristvakt CLI (see cli_case.h) — recording events,
 * the story of one case, the case and deadline lists, the audit log, import and export.
 *
 * Every command is described by a struct spec: its Varlink method, its positional argument
 * and its options, each naming the parameter it fills. One parser turns argv into the
 * call's parameters, so option values reach the daemon exactly as typed and the daemon's
 * validation (with its Norwegian-law reasons) stays the only one; the CLI checks only what
 * it alone knows: required options, numbers, the files it reads and writes.
 *
 * Import sends JSON Lines in chunks (at most IMPORT_CHUNK_ITEMS items and
 * IMPORT_CHUNK_BYTES per message) so that the daemon never receives one huge message;
 * export walks the case list page by page and asks for each case in turn, so neither side
 * holds the whole register in memory.
 */
#include "cli/cli_case.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "build_config.h"
#include "core/cal.h"
#include "cli/cli_text.h"
#include "cli/cli.h"
#include "core/events.h"
#include "core/rules.h"
#include "core/strbuf.h"
#include "core/util.h"

#define MAX_OPTS 16
/* getopt_long values of a spec's options: OPT_VAL + their index. */
#define OPT_VAL 256
/* A deadline this many days away or fewer is "snart" (soon). */
#define SOON_DAYS 3
/* The daemon's largest ImportEvents call (ops/case.c). */
#define IMPORT_CHUNK_ITEMS 10
/* Well under the daemon's default max_message (1 MiB), with room for the envelope. */
#define IMPORT_CHUNK_BYTES (900 * 1024 - 512)
/* Lines held before they are reported, when rejected ones pile up between items. */
#define IMPORT_MAX_PENDING 1000

#define METHOD(name) "no.fristvakt." name

/* Small helpers for reply members. */

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
str_or(json_t *o, const char *key, const char *def)
{
	const char *s = str(o, key);

	return s ? s : def;
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static bool
is_true(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* "no.fristvakt.RecordDecision" -> "RecordDecision"; other names stay whole. */
static const char *
short_name(const char *name)
{
	static const char prefix[] = "no.fristvakt.";

	if (name && strncmp(name, prefix, sizeof(prefix) - 1) == 0)
		return name + sizeof(prefix) - 1;
	return name;
}

/*
 * Commands and their options.
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

/*
 * Where an event command's option is not simply its parameter: "--" and the parameter's
 * name with '-' for '_', a string, number or flag as its JSON type says, required as the
 * schema says. The method is named without "no.fristvakt.".
 */
static const struct opt_exception {
	const char *method;
	struct opt opt; /* opt.param names the parameter */
} opt_exceptions[] = {
	/* Most applications are written: the default of the command line. */
	{ "RegisterApplication", { "channel", OPT_STRING, "channel", false, "written" } },
	/* Shorter names for a decision's times. */
	{ "RecordDecision", { "available", OPT_STRING, "made_available", false, NULL } },
	{ "RecordDecision", { "notified", OPT_STRING, "notice_sent", false, NULL } },
	/* A decision is written and reasoned unless the command line says otherwise. */
	{ "RecordDecision", { "oral", OPT_FALSE, "written", false, NULL } },
	{ "RecordDecision", { "unreasoned", OPT_FALSE, "reasoned", false, NULL } },
	/* A case closed or withdrawn now, unless --at says when. */
	{ "CloseCase", { "at", OPT_NOW, "closed", false, NULL } },
	{ "WithdrawApplication", { "at", OPT_NOW, "withdrawn", false, NULL } },
};

/* An applicant's contact ("contact" of RegisterApplication): see add_contact(). */
static const struct opt contact_opts[] = {
	{ "email", OPT_LOCAL, NULL, false, NULL },
	{ "phone", OPT_LOCAL, NULL, false, NULL },
	{ "consent", OPT_FLAG, NULL, false, NULL },
};

static const struct opt opt_event_id = { "event-id", OPT_STRING, "event_id", false, NULL };
static const struct opt opt_supersedes = { "supersedes", OPT_NUMBER, "supersedes", false, NULL };

/* The options of a command, as its spec or its event schema makes them. */
struct optset {
	struct opt v[MAX_OPTS];
	char names[MAX_OPTS][32]; /* of options named after their parameter */
	size_t n;
	bool event;   /* an event method: the Recorded reply is printed */
	bool contact; /* --email, --phone and --consent make up the "contact" */
};

/* A command line, parsed. */
struct args {
	json_t *params;		   /* the call's parameters, owned */
	const char *arg;	   /* the positional argument */
	struct optset o;	   /* the command's options */
	const char *val[MAX_OPTS]; /* each option's value ("" for a flag), NULL if not given */
};

static void
optset_add(struct optset *o, const struct opt *opt)
{
	FV_ASSERT(o->n < MAX_OPTS);
	o->v[o->n++] = *opt;
}

/* The option of an event parameter: its exception, or one made from the schema. */
static void
optset_add_param(struct optset *o, const char *method, const struct event_param *p)
{
	struct opt opt = { .param = p->name, .required = p->required };
	char *name;

	for (size_t i = 0; i < FV_ARRAY_SIZE(opt_exceptions); i++) {
		const struct opt_exception *x = &opt_exceptions[i];

		if (strcmp(x->method, method) == 0 && strcmp(x->opt.param, p->name) == 0) {
			optset_add(o, &x->opt);
			return;
		}
	}
	if (p->kind == EVENT_PK_CONTACT) {
		for (size_t i = 0; i < FV_ARRAY_SIZE(contact_opts); i++)
			optset_add(o, &contact_opts[i]);
		o->contact = true;
		return;
	}
	FV_ASSERT(o->n < MAX_OPTS);
	name = o->names[o->n];
	snprintf(name, sizeof(o->names[0]), "%s", p->name);
	for (char *c = name; *c; c++) {
		if (*c == '_')
			*c = '-';
	}
	opt.name = name;
	opt.kind = p->type == PROTO_INT	   ? OPT_NUMBER
		   : p->type == PROTO_BOOL ? OPT_TRUE
					   : OPT_STRING;
	optset_add(o, &opt);
}

/* The options of command sp into o. */
static void
optset_make(struct optset *o, const struct spec *sp)
{
	const struct event_schema *m = sp->method ? events_schema_find(sp->method) : NULL;

	memset(o, 0, sizeof(*o));
	if (!m) {
		for (size_t i = 0; i < MAX_OPTS && sp->opts[i].name; i++)
			optset_add(o, &sp->opts[i]);
		return;
	}
	o->event = true;
	for (size_t i = 0; i < m->n_params; i++)
		optset_add_param(o, short_name(m->method), &m->params[i]);
	optset_add(o, &opt_event_id);
	if (m->supersedable)
		optset_add(o, &opt_supersedes);
}

static bool
takes_value(enum opt_kind kind)
{
	return kind != OPT_TRUE && kind != OPT_FALSE && kind != OPT_FLAG;
}

/* Sets a string parameter; false (message printed) when s is not valid UTF-8. */
static bool
set_string(const struct cli_command *cmd, json_t *params, const char *param, const char *what,
	   const char *s)
{
	json_t *v = json_string(s);

	if (!v) {
		fprintf(stderr, "fristvakt %s: %s is not valid UTF-8 text\n", cmd->name, what);
		return false;
	}
	json_object_set_new(params, param, v);
	return true;
}

/* An integer parameter from v; false (message printed) when it is no whole number. */
static bool
set_number(const struct cli_command *cmd, json_t *params, const char *param, const char *what,
	   const char *v)
{
	int64_t n;

	if (fv_parse_i64(v, INT64_MIN, INT64_MAX, &n) < 0) {
		fprintf(stderr, "fristvakt %s: %s needs a whole number, not '%s'\n", cmd->name,
			what, v);
		return false;
	}
	json_object_set_new(params, param, json_integer((json_int_t)n));
	return true;
}

/* Puts one option's value into the parameters; false (message printed) when it is bad. */
static bool
fill_param(const struct cli_command *cmd, const struct opt *o, const char *v, json_t *params)
{
	char what[64], now[CAL_INSTANT_LEN];

	snprintf(what, sizeof(what), "--%s", o->name);
	if (!v && o->required) {
		fprintf(stderr, "fristvakt %s: %s is required (see fristvakt %s --help)\n",
			cmd->name, what, cmd->name);
		return false;
	}
	switch (o->kind) {
	case OPT_STRING:
		if (!v)
			v = o->def;
		return !v || set_string(cmd, params, o->param, what, v);
	case OPT_NOW:
		if (!v)
			v = cal_instant_format((int64_t)time(NULL), now);
		return set_string(cmd, params, o->param, what, v);
	case OPT_NUMBER:
		return !v || set_number(cmd, params, o->param, what, v);
	case OPT_TRUE:
		if (v)
			json_object_set_new(params, o->param, json_true());
		return true;
	case OPT_FALSE:
		json_object_set_new(params, o->param, json_boolean(!v));
		return true;
	case OPT_LOCAL:
	case OPT_FLAG:
		return true;
	}
	return true;
}

/* getopt_long's table for the options of o, then the common ones; lo holds MAX_OPTS + 4. */
static void
long_options(const struct optset *o, struct option *lo)
{
	static const struct option common[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };

	for (size_t i = 0; i < o->n; i++)
		lo[i] = (struct option){ o->v[i].name,
					 takes_value(o->v[i].kind) ? required_argument
								   : no_argument,
					 NULL, OPT_VAL + (int)i };
	memcpy(lo + o->n, common, sizeof(common));
}

/*
 * The getopt_long loop of parse_args: each option's value into a->val, the arguments into
 * pos. Returns 1 to go on, 0 when help was shown, -1 on a usage error (message printed).
 */
static int
scan_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, struct args *a,
	     const char *pos[2])
{
	struct option lo[MAX_OPTS + 4];
	int c, ret;

	long_options(&a->o, lo);
	/*
	 * 0 re-initialises getopt; "-" hands over arguments in order (as option 1), so that
	 * "case add REF --service ..." works even under POSIXLY_CORRECT; ":" keeps it quiet.
	 */
	optind = 0;
	while ((c = getopt_long(argc, argv, "-:h", lo, NULL)) != -1) {
		size_t i = (size_t)(c - OPT_VAL);

		if (c == 1) {
			if (!pos[0])
				pos[0] = optarg;
			else if (!pos[1])
				pos[1] = optarg;
		} else if (c < OPT_VAL || i >= a->o.n) {
			ret = cli_common_option(cli, cmd, c, argv);
			if (ret <= 0)
				return ret;
		} else if (a->val[i]) {
			fprintf(stderr, "fristvakt %s: --%s is given twice\n", cmd->name,
				a->o.v[i].name);
			return -1;
		} else {
			a->val[i] = optarg ? optarg : "";
		}
	}
	/* What follows "--" is arguments too. */
	for (; optind < argc && !pos[1]; optind++)
		pos[pos[0] ? 1 : 0] = argv[optind];
	return 1;
}

/* Checks the arguments against the spec's; false (message printed) when they differ. */
static bool
check_arguments(const struct cli_command *cmd, const char *const pos[2])
{
	const struct spec *sp = cmd->data;
	const char *extra = sp->arg ? pos[1] : pos[0];

	if (sp->arg && !pos[0]) {
		fprintf(stderr, "fristvakt %s: %s is missing (see fristvakt %s --help)\n",
			cmd->name, sp->arg, cmd->name);
		return false;
	}
	if (extra) {
		fprintf(stderr, "fristvakt %s: unexpected argument '%s'\n", cmd->name, extra);
		return false;
	}
	return true;
}

/*
 * Parses a command's argv (argv[0] is its last word) by its spec. Options may stand before
 * or after the positional argument. Returns 1 with *a filled (a->params owned by the
 * caller), 0 when help was shown, -1 on a usage error (message printed).
 */
static int
parse_args(struct cli *cli, const struct cli_command *cmd, int argc, char **argv, struct args *a)
{
	const struct spec *sp = cmd->data;
	const char *pos[2] = { NULL, NULL };
	int ret;

	memset(a, 0, sizeof(*a));
	optset_make(&a->o, sp);
	ret = scan_options(cli, cmd, argc, argv, a, pos);
	if (ret <= 0)
		return ret;
	if (!check_arguments(cmd, pos))
		return -1;
	a->arg = pos[0];
	a->params = json_object();
	ret = -1;
	if (sp->arg && strcmp(sp->arg, "REF") == 0 &&
	    !set_string(cmd, a->params, "reference", "REF", a->arg))
		goto out;
	for (size_t i = 0; i < a->o.n; i++) {
		if (!fill_param(cmd, &a->o.v[i], a->val[i], a->params))
			goto out;
	}
	ret = 1;
out:
	if (ret != 1) {
		json_decref(a->params);
		a->params = NULL;
	}
	return ret;
}

/* The value of the option called name, as parsed into a. */
static const char *
opt_value(const struct args *a, const char *name)
{
	for (size_t i = 0; i < a->o.n; i++) {
		if (strcmp(a->o.v[i].name, name) == 0)
			return a->val[i];
	}
	FV_ASSERT(!"option of the command");
	return NULL;
}

/* Words for people for what the daemon names in its protocol (--lang). */

struct word {
	const char *name;
	struct cli_text text;
};

static const struct word event_words[] = {
	{ "received", { "søknad mottatt", "application received" } },
	{ "preliminary_reply", { "foreløpig svar sendt", "preliminary reply sent" } },
	{ "documentation_requested", { "dokumentasjon etterspurt", "documentation requested" } },
	{ "documentation_received", { "dokumentasjon mottatt", "documentation received" } },
	{ "decision", { "vedtak", "decision" } },
	{ "reasons_requested", { "begrunnelse bedt om", "reasons requested" } },
	{ "reasons_given", { "begrunnelsen kom fram", "reasons reached the party" } },
	{ "extension", { "frist forlenget", "deadline extended" } },
	{ "override", { "frist overstyrt", "deadline overridden" } },
	{ "complaint", { "klage", "complaint" } },
	{ "forwarded", { "oversendt klageinstansen", "forwarded to the complaint body" } },
	{ "complaint_decided", { "klage avgjort", "complaint decided" } },
	{ "withdrawn", { "søknad trukket", "application withdrawn" } },
	{ "closed", { "sak avsluttet", "case closed" } },
	{ "complaint_withdrawn", { "klage trukket", "complaint withdrawn" } },
	{ "decision_written", { "vedtaket bekreftet skriftlig", "decision confirmed in writing" } },
	{ NULL, { NULL, NULL } },
};

static const struct word case_state_words[] = {
	{ "open", { "åpen", "open" } },
	{ "withdrawn", { "trukket", "withdrawn" } },
	{ "closed", { "avsluttet", "closed" } },
	{ NULL, { NULL, NULL } },
};

static const struct word channel_words[] = {
	{ "written", { "skriftlig", "written" } },
	{ "oral", { "muntlig", "oral" } },
	{ "digital", { "digital", "digital" } },
	{ NULL, { NULL, NULL } },
};

static const struct word age_words[] = {
	{ "under_67", { "under 67 år", "under 67" } },
	{ "granted_before_67", { "fikk retten før 67 år", "granted the right before 67" } },
	{ "67_or_over", { "67 år eller eldre", "67 or over" } },
	{ NULL, { NULL, NULL } },
};

static const struct word outcome_words[] = {
	{ "innvilget", { "innvilget", "granted" } },
	{ "delvis_innvilget", { "delvis innvilget", "partly granted" } },
	{ "avslatt", { "avslått", "refused" } },
	{ "avvist", { "avvist", "dismissed" } },
	{ "omgjort", { "omgjort i sin helhet", "reversed in full" } },
	{ "delvis_omgjort", { "delvis omgjort", "partly reversed" } },
	{ "stadfestet", { "stadfestet", "upheld" } },
	{ "opphevet", { "opphevet", "quashed" } },
	{ NULL, { NULL, NULL } },
};

static const struct word deadline_state_words[] = {
	{ "open", { "åpen", "open" } },
	{ "met", { "overholdt", "met" } },
	{ "missed", { "overskredet", "missed" } },
	{ "expired", { "utløpt", "expired" } },
	{ "cancelled", { "bortfalt", "cancelled" } },
	{ NULL, { NULL, NULL } },
};

/* The columns and notes of the listings. */
static const struct cli_text case_columns[6] = {
	{ "REFERANSE", "REFERENCE" },	{ "TJENESTE", "SERVICE" }, { "STATUS", "STATE" },
	{ "SAKSBEHANDLER", "HANDLER" }, { "ENHET", "UNIT" },	   { "MOTTATT", "RECEIVED" },
};
static const struct cli_text deadline_columns[8] = {
	{ " ", " " },
	{ "FRIST", "DUE" },
	{ "DAGER", "DAYS" },
	{ "STATUS", "STATE" },
	{ "REFERANSE", "REFERENCE" },
	{ "TYPE", "KIND" },
	{ "SAKSBEHANDLER", "HANDLER" },
	{ "ENHET", "UNIT" },
};
static const struct cli_text audit_columns[7] = {
	{ "TID", "AT" },  { "METODE", "METHOD" }, { "REFERANSE", "REFERENCE" }, { "UID", "UID" },
	{ "GID", "GID" }, { "PID", "PID" },	  { "UTFALL", "OUTCOME" },
};
static const struct cli_text no_cases = { "ingen saker", "no cases" };
static const struct cli_text no_deadlines = { "ingen frister", "no deadlines" };
static const struct cli_text no_audit = { "ingen loggføringer", "no audit entries" };
static const struct cli_text deadlines_as_of = { "frister per", "deadlines as of" };
static const struct cli_text more_cases = { "saker", "cases" };
static const struct cli_text more_deadlines = { "frister", "deadlines" };
static const struct cli_text more_entries = { "loggføringer", "entries" };
static const struct cli_text import_words[3] = {
	{ "importert", "imported" },
	{ "fantes fra før", "already present" },
	{ "avvist", "rejected" },
};

/* The header row of a table from one of the column tables above. */
static void
add_header(const struct cli *cli, struct cli_table *tb, const struct cli_text *cols, size_t n)
{
	const char *row[8];

	FV_ASSERT(n <= FV_ARRAY_SIZE(row));
	for (size_t i = 0; i < n; i++)
		row[i] = cli_tr(cli, &cols[i]);
	cli_table_add(tb, row);
}

/* The words for name, or name itself when it has none (a newer daemon). */
static const char *
words(enum cli_lang lang, const struct word *table, const char *name)
{
	if (!name)
		return "?";
	for (; table->name; table++) {
		if (strcmp(table->name, name) == 0)
			return cli_text_in(lang, &table->text);
	}
	return name;
}

/* The label of a deadline kind (the daemon's in bokmål). */
static const char *
kind_label(enum cli_lang lang, const char *kind)
{
	return cli_text_kind(lang, kind);
}

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
	W_OPEN_STATE,
	W_NO_DATE,
	W_MET,
	W_CANCELLED,
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
	W_EXPIRED,	 /* a party's deadline that passed: no breach */
	W_COMPLAINT_CAME,
	W_DOCUMENTS_CAME,
	W_TOO_LATE,
	W_NO_COMPLAINT,
	W_NO_DOCUMENTS,
	W_MET_LATE,
	W_COUNT,
};

static const struct cli_text word_texts[W_COUNT] = {
	[W_EVENT] = { "hendelse", "event" },
	[W_BREACH] = { "BRUDD", "BREACH" },
	[W_RECORDED] = { "registrerte hendelse", "recorded event" },
	[W_IN_CASE] = { "i sak", "in case" },
	[W_DUPLICATE] = { "allerede registrert som hendelse", "already recorded as event" },
	[W_NO_OPEN] = { "ingen åpne frister", "no open deadlines" },
	[W_OPEN] = { "åpne frister:", "open deadlines:" },
	[W_CASE] = { "Sak", "Case" },
	[W_STATE] = { "Status:", "State:" },
	[W_SERVICE] = { "Tjeneste:", "Service:" },
	[W_HANDLER] = { "Saksbehandler:", "Handler:" },
	[W_UNIT] = { "Enhet:", "Unit:" },
	[W_RECEIVED] = { "Mottatt:", "Received:" },
	[W_EMERGENCY] = { "Nødhjelp:", "Emergency aid:" },
	[W_YES] = { "ja", "yes" },
	[W_CONTACT] = { "Kontakt:", "Contact:" },
	[W_CONTACT_KEPT] = { "lagret med samtykke", "kept with consent" },
	[W_EVENTS] = { "Hendelser", "Events" },
	[W_DEADLINES] = { "Frister", "Deadlines" },
	[W_NONE] = { "ingen", "none" },
	[W_CORRECTS] = { "retter hendelse", "corrects event" },
	[W_CORRECTED_BY] = { "rettet av hendelse", "corrected by event" },
	[W_OVERDUE] = { "OVERSKREDET", "OVERDUE" },
	[W_POSSIBLE_BREACH] = { "MULIG BRUDD", "POSSIBLE BREACH" },
	[W_IN_EVENT] = { "i hendelse", "in event" },
	[W_REMEDIED] = { "Rettet", "Remedied" },
	[W_NEED] = { "behov", "need" },
	[W_HOURS_A_WEEK] = { "timer i uken", "hours a week" },
	[W_FOR] = { "i", "for" },
	[W_MONTHS] = { "måneder", "months" },
	[W_FORWARDED_TO] = { "oversendt", "forwarded to" },
	[W_FORWARDING_TO] = { "frist for oversendelse til", "deadline for forwarding to" },
	[W_EXPIRED] = { "utløpt", "expired" },
	[W_COMPLAINT_CAME] = { "klagen ble sendt", "the complaint was sent" },
	[W_DOCUMENTS_CAME] = { "dokumentasjonen kom", "the documents came" },
	[W_TOO_LATE] = { "for sent", "too late" },
	[W_NO_COMPLAINT] = { "ingen klage", "no complaint" },
	[W_NO_DOCUMENTS] = { "dokumentasjonen kom ikke", "no documents came" },
	[W_MET_LATE] = { "fulgt opp for sent", "met late" },
	[W_SOON] = { "snart", "soon" },
	[W_TODAY] = { "i dag", "today" },
	[W_TOMORROW] = { "i morgen", "tomorrow" },
	[W_IN_DAYS] = { "om", "in" },
	[W_DAYS] = { "dager", "days" },
	[W_OPEN_STATE] = { "åpen", "open" },
	[W_NO_DATE] = { "ingen dato ennå", "no date yet" },
	[W_MET] = { "overholdt", "met" },
	[W_CANCELLED] = { "bortfalt", "cancelled" },
	[W_EMERGENCY_AID] = { "nødhjelp", "emergency aid" },
	[W_PROMISED] = { "svar lovet innen", "answer promised by" },
	[W_DOC_DUE] = { "innsendelsesfrist", "documents due" },
	[W_CONCERNS_REQUEST] = { "gjelder forespørsel i hendelse",
				 "concerns the request in event" },
	[W_ALL_REQUESTS] = { "gjelder alle åpne forespørsler", "concerns every open request" },
	[W_ORAL] = { "muntlig", "oral" },
	[W_UNREASONED] = { "uten begrunnelse", "without reasons" },
	[W_REACHED] = { "kom fram", "reached the party" },
	[W_AVAILABLE] = { "gjort tilgjengelig", "made available" },
	[W_NOTICE_SENT] = { "varsel sendt", "notice sent" },
	[W_LEGAL_BASIS] = { "hjemmel", "legal basis" },
	[W_CONCERNS_DECISION] = { "gjelder vedtaket i hendelse", "concerns the decision in event" },
	[W_EXTENDED_TO] = { "forlenget til", "extended to" },
	[W_SET_TO] = { "satt til", "set to" },
	[W_FOR_EVENT] = { "for hendelse", "for event" },
	[W_BY] = { "av", "by" },
	[W_COMPLAINT_RECEIVED] = { "mottatt", "received" },
	[W_CONCERNS_COMPLAINT] = { "gjelder klagen i hendelse", "concerns the complaint in event" },
};

static const char *
w(enum cli_lang lang, enum word_id id)
{
	return cli_text_in(lang, &word_texts[id]);
}

/*
 * Days from today to a date "YYYY-MM-DD"; false when it has none. today is the daemon's
 * ("YYYY-MM-DD", what its deadline states are judged on, which the test clock moves), or
 * NULL from a daemon that does not say: then the local civil date.
 */
static bool
days_until(const char *date, const char *today_s, int32_t *days)
{
	struct cal_date d, today;

	if (!date || cal_date_parse(date, &d) < 0)
		return false;
	if (today_s ? cal_date_parse(today_s, &today) < 0
		    : cal_date_of_instant((int64_t)time(NULL), &today) < 0)
		return false;
	*days = cal_diff_days(today, d);
	return true;
}

/*
 * Whether a deadline still waits to be met: open, or an office duty missed and not met
 * since. A party's deadline that passed has expired and waits for nothing.
 */
static bool
deadline_pending(json_t *d)
{
	const char *state = str_or(d, "state", "");

	return strcmp(state, "open") == 0 ||
	       (strcmp(state, "missed") == 0 && json_is_null(json_object_get(d, "met_on")));
}

/* The label of a deadline as a case worker reads it: forwarding names the complaint body. */
static void
deadline_label(enum cli_lang lang, struct strbuf *b, json_t *d)
{
	const char *body = str(d, "complaint_body");

	if (strcmp(str_or(d, "kind", ""), "forwarding") == 0 && body)
		strbuf_printf(b, "%s %s", w(lang, W_FORWARDING_TO), body);
	else
		strbuf_puts(b, kind_label(lang, str(d, "kind")));
}

/*
 * Recording events.
 */

/* A finding in English: the daemon's sentence is bokmål. */
static const struct word breach_words[] = {
	{ "oral_decision", { NULL, "a decision given orally (every decision must be written)" } },
	{ "unreasoned_decision",
	  { NULL, "a decision without the reasons it needed (only a full grant may omit them)" } },
	{ "bpa_refusal",
	  { NULL, "a refusal of BPA that conflicts with the right, given the need recorded" } },
	{ NULL, { NULL, NULL } },
};

/*
 * "BRUDD i hendelse 7: Vedtaket ble gitt muntlig, ... (forvaltningsloven § 23)." - each
 * text is a whole sentence with its citation; a finding remedied later says by what.
 */
static void
print_breaches(enum cli_lang lang, json_t *breaches)
{
	json_t *b;
	size_t i;

	json_array_foreach(breaches, i, b)
	{
		const char *text = str_or(b, "text", str_or(b, "code", "?"));

		if (lang == CLI_LANG_EN)
			text = words(lang, breach_words, str_or(b, "code", "?"));
		printf("%s %s %lld: %s%s",
		       w(lang, is_true(b, "possible") ? W_POSSIBLE_BREACH : W_BREACH),
		       w(lang, W_IN_EVENT), num(b, "event"), text, lang == CLI_LANG_EN ? "." : "");
		if (json_is_integer(json_object_get(b, "closed_by")))
			printf(" %s %s (%s %lld).", w(lang, W_REMEDIED),
			       str_or(b, "closed_on", "?"), w(lang, W_EVENT), num(b, "closed_by"));
		putchar('\n');
	}
}

/* The Recorded reply for a person: the event, the open deadlines, any breach. */
static void
print_recorded(enum cli_lang lang, json_t *reply)
{
	json_t *rec = json_object_get(reply, "recorded");
	const char *ref = str_or(json_object_get(rec, "case"), "reference", "?");
	struct cli_table t;
	json_t *d;
	size_t i;

	printf("%s %lld %s %s\n", w(lang, is_true(rec, "duplicate") ? W_DUPLICATE : W_RECORDED),
	       num(rec, "event"), w(lang, W_IN_CASE), ref);
	cli_table_init(&t, 3);
	json_array_foreach(json_object_get(rec, "deadlines"), i, d)
	{
		struct strbuf label = { 0 };

		deadline_label(lang, &label, d);
		if (deadline_pending(d))
			cli_table_add(&t, (const char *[]){ strbuf_str(&label), str(d, "due"),
							    words(lang, deadline_state_words,
								  str(d, "state")) });
		strbuf_free(&label);
	}
	if (t.rows == 0) {
		printf("%s\n", w(lang, W_NO_OPEN));
	} else {
		printf("%s\n", w(lang, W_OPEN));
		cli_table_print(&t, "  ", stdout);
	}
	cli_table_deinit(&t);
	print_breaches(lang, json_object_get(rec, "breaches"));
}

/* case add: --email and --phone go into "contact", with --consent. */
static bool
add_contact(const struct cli_command *cmd, const struct args *a)
{
	const char *email = opt_value(a, "email");
	const char *phone = opt_value(a, "phone");
	bool consent = opt_value(a, "consent") != NULL;
	json_t *c;

	if (!email && !phone) {
		if (consent) {
			fprintf(stderr, "fristvakt %s: --consent goes with --email or --phone\n",
				cmd->name);
			return false;
		}
		return true;
	}
	c = json_object();
	if ((email && !set_string(cmd, c, "email", "--email", email)) ||
	    (phone && !set_string(cmd, c, "phone", "--phone", phone))) {
		json_decref(c);
		return false;
	}
	json_object_set_new(c, "consent", json_boolean(consent));
	json_object_set_new(a->params, "contact", c);
	return true;
}

static int
run_event(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	struct args a;
	json_t *r;
	int ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (a.o.contact && !add_contact(cmd, &a)) {
		json_decref(a.params);
		return CLI_EXIT_USAGE;
	}
	ret = cli_call(cli, sp->method, a.params, &r);
	if (ret != 0)
		return ret;
	if (cli->json)
		cli_print_json(r);
	else
		print_recorded(cli->lang, r);
	json_decref(r);
	return CLI_EXIT_OK;
}

/*
 * case show: the story of one case.
 */

/* "hendelse N" for an event reference in an event's data, when there is one. */
static void
add_ref(struct strbuf *b, json_t *data, const char *key, const char *what)
{
	json_t *v = json_object_get(data, key);

	if (json_is_integer(v))
		strbuf_printf(b, "%s%s %lld", b->len ? ", " : "", what,
			      (long long)json_integer_value(v));
}

static void
add_time(struct strbuf *b, json_t *data, const char *key, const char *what)
{
	char t[CAL_INSTANT_LEN];
	const char *s = str(data, key);

	if (s)
		strbuf_printf(b, "%s%s %s", b->len ? ", " : "", what, cli_local_time(s, t));
}

/* The key data of an event, in words. */
static void
event_details(enum cli_lang lang, struct strbuf *b, const char *type, json_t *data)
{
	const char *s;

	if (strcmp(type, "received") == 0) {
		strbuf_puts(b, words(lang, channel_words, str(data, "channel")));
		if (is_true(data, "emergency"))
			strbuf_printf(b, ", %s", w(lang, W_EMERGENCY_AID));
	} else if (strcmp(type, "preliminary_reply") == 0) {
		strbuf_printf(b, "%s %s", w(lang, W_PROMISED), str_or(data, "promised", "?"));
	} else if (strcmp(type, "documentation_requested") == 0) {
		strbuf_printf(b, "%s %s", w(lang, W_DOC_DUE), str_or(data, "due", "?"));
	} else if (strcmp(type, "documentation_received") == 0) {
		add_ref(b, data, "request", w(lang, W_CONCERNS_REQUEST));
		if (!b->len)
			strbuf_puts(b, w(lang, W_ALL_REQUESTS));
	} else if (strcmp(type, "decision") == 0) {
		strbuf_puts(b, words(lang, outcome_words, str(data, "outcome")));
		if (json_is_false(json_object_get(data, "written")))
			strbuf_printf(b, ", %s", w(lang, W_ORAL));
		if (json_is_false(json_object_get(data, "reasoned")))
			strbuf_printf(b, ", %s", w(lang, W_UNREASONED));
		add_time(b, data, "reached", w(lang, W_REACHED));
		add_time(b, data, "made_available", w(lang, W_AVAILABLE));
		add_time(b, data, "notice_sent", w(lang, W_NOTICE_SENT));
		s = str(data, "legal_basis");
		if (s)
			strbuf_printf(b, ", %s: %s", w(lang, W_LEGAL_BASIS), s);
	} else if (strcmp(type, "reasons_requested") == 0 || strcmp(type, "reasons_given") == 0) {
		add_ref(b, data, "decision", w(lang, W_CONCERNS_DECISION));
	} else if (strcmp(type, "extension") == 0 || strcmp(type, "override") == 0) {
		strbuf_printf(b, "%s %s %s", kind_label(lang, str(data, "kind")),
			      w(lang, strcmp(type, "extension") == 0 ? W_EXTENDED_TO : W_SET_TO),
			      str_or(data, strcmp(type, "extension") == 0 ? "until" : "due", "?"));
		add_ref(b, data, "subject", w(lang, W_FOR_EVENT));
		s = str(data, "by");
		if (s)
			strbuf_printf(b, ", %s %s", w(lang, W_BY), s);
		s = str(data, "reason");
		if (s)
			strbuf_printf(b, ": %s", s);
	} else if (strcmp(type, "complaint") == 0) {
		add_time(b, data, "received", w(lang, W_COMPLAINT_RECEIVED));
		add_ref(b, data, "decision", w(lang, W_CONCERNS_DECISION));
	} else if (strcmp(type, "forwarded") == 0 || strcmp(type, "complaint_withdrawn") == 0) {
		add_ref(b, data, "complaint", w(lang, W_CONCERNS_COMPLAINT));
	} else if (strcmp(type, "complaint_decided") == 0) {
		strbuf_puts(b, words(lang, outcome_words, str(data, "outcome")));
		add_ref(b, data, "complaint", w(lang, W_CONCERNS_COMPLAINT));
	} else if (strcmp(type, "decision_written") == 0) {
		add_ref(b, data, "decision", w(lang, W_CONCERNS_DECISION));
	}
	if (strcmp(type, "decision") == 0 && json_is_integer(json_object_get(data, "need_hours"))) {
		strbuf_printf(b, ", %s %lld %s", w(lang, W_NEED), num(data, "need_hours"),
			      w(lang, W_HOURS_A_WEEK));
		if (json_is_integer(json_object_get(data, "need_months")))
			strbuf_printf(b, " %s %lld %s", w(lang, W_FOR), num(data, "need_months"),
				      w(lang, W_MONTHS));
		s = str(data, "age_group");
		if (s)
			strbuf_printf(b, " (%s)", words(lang, age_words, s));
	}
}

static void
print_header(enum cli_lang lang, json_t *c)
{
	char t[CAL_INSTANT_LEN];
	struct strbuf received = { 0 };
	struct cli_table tb;

	printf("%s %s – %s\n", w(lang, W_CASE), str_or(c, "reference", "?"),
	       str_or(c, "service_name", str_or(c, "service", "?")));
	strbuf_printf(&received, "%s, %s", cli_local_time(str(c, "received"), t),
		      words(lang, channel_words, str(c, "channel")));
	cli_table_init(&tb, 2);
	cli_table_add(&tb, (const char *[]){ w(lang, W_STATE),
					     words(lang, case_state_words, str(c, "state")) });
	cli_table_add(&tb, (const char *[]){ w(lang, W_SERVICE), str(c, "service") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_HANDLER), str(c, "handler") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_UNIT), str(c, "unit") });
	cli_table_add(&tb, (const char *[]){ w(lang, W_RECEIVED), strbuf_str(&received) });
	if (is_true(c, "emergency"))
		cli_table_add(&tb, (const char *[]){ w(lang, W_EMERGENCY), w(lang, W_YES) });
	if (is_true(c, "has_contact"))
		cli_table_add(&tb, (const char *[]){ w(lang, W_CONTACT), w(lang, W_CONTACT_KEPT) });
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	strbuf_free(&received);
}

static void
print_timeline(enum cli_lang lang, json_t *events, const char *body)
{
	char t[CAL_INSTANT_LEN], id[32];
	struct strbuf details = { 0 }, label = { 0 };
	struct cli_table tb;
	json_t *e;
	size_t i;

	printf("\n%s\n", w(lang, W_EVENTS));
	cli_table_init(&tb, 4);
	json_array_foreach(events, i, e)
	{
		const char *type = str_or(e, "type", "?");

		strbuf_reset(&details);
		event_details(lang, &details, type, json_object_get(e, "data"));
		if (json_is_integer(json_object_get(e, "supersedes")))
			strbuf_printf(&details, "%s(%s %lld)", details.len ? " " : "",
				      w(lang, W_CORRECTS), num(e, "supersedes"));
		if (json_is_integer(json_object_get(e, "superseded_by")))
			strbuf_printf(&details, "%s(%s %lld)", details.len ? " " : "",
				      w(lang, W_CORRECTED_BY), num(e, "superseded_by"));
		snprintf(id, sizeof(id), "%lld", num(e, "id"));
		strbuf_reset(&label);
		if (strcmp(type, "forwarded") == 0 && body)
			strbuf_printf(&label, "%s %s", w(lang, W_FORWARDED_TO), body);
		else
			strbuf_puts(&label, words(lang, event_words, type));
		cli_table_add(&tb, (const char *[]){ id, cli_local_time(str(e, "occurred"), t),
						     strbuf_str(&label), strbuf_str(&details) });
	}
	if (tb.rows == 0)
		printf("  %s\n", w(lang, W_NONE));
	cli_table_print(&tb, "  ", stdout);
	cli_table_deinit(&tb);
	strbuf_free(&details);
	strbuf_free(&label);
}

/*
 * A deadline's state for a case worker: OVERSKREDET (an office duty past its date), utløpt
 * (a party's deadline that passed: no breach), snart, åpen, overholdt, bortfalt.
 */
static void
deadline_mark(enum cli_lang lang, struct strbuf *b, json_t *d, const char *today)
{
	const char *state = str_or(d, "state", "?");
	const char *met = str(d, "met_on");
	bool office = strcmp(str_or(d, "duty", "office"), "office") == 0;
	int32_t days = 0;
	bool dated = days_until(str(d, "due"), today, &days);
	bool passed = strcmp(state, "open") == 0 && dated && days < 0;
	bool documentation = strcmp(str_or(d, "kind", ""), "documentation") == 0;

	if (strcmp(state, "expired") == 0 || (passed && !office)) {
		if (met)
			strbuf_printf(b, "%s – %s %s, %s", w(lang, W_EXPIRED),
				      w(lang, documentation ? W_DOCUMENTS_CAME : W_COMPLAINT_CAME),
				      met, w(lang, W_TOO_LATE));
		else
			strbuf_printf(b, "%s – %s", w(lang, W_EXPIRED),
				      w(lang, documentation ? W_NO_DOCUMENTS : W_NO_COMPLAINT));
	} else if (strcmp(state, "missed") == 0 || passed) {
		if (met)
			strbuf_printf(b, "%s – %s %s", w(lang, W_OVERDUE), w(lang, W_MET_LATE),
				      met);
		else
			strbuf_puts(b, w(lang, W_OVERDUE));
	} else if (strcmp(state, "open") == 0 && dated && days <= SOON_DAYS) {
		if (days == 0)
			strbuf_printf(b, "%s (%s)", w(lang, W_SOON), w(lang, W_TODAY));
		else if (days == 1)
			strbuf_printf(b, "%s (%s)", w(lang, W_SOON), w(lang, W_TOMORROW));
		else
			strbuf_printf(b, "%s (%s %d %s)", w(lang, W_SOON), w(lang, W_IN_DAYS),
				      (int)days, w(lang, W_DAYS));
	} else if (strcmp(state, "open") == 0) {
		if (dated)
			strbuf_puts(b, w(lang, W_OPEN_STATE));
		else
			strbuf_printf(b, "%s, %s", w(lang, W_OPEN_STATE), w(lang, W_NO_DATE));
	} else if (strcmp(state, "met") == 0) {
		strbuf_printf(b, "%s %s", w(lang, W_MET), str_or(d, "met_on", ""));
	} else if (strcmp(state, "cancelled") == 0) {
		strbuf_printf(b, "%s %s", w(lang, W_CANCELLED), str_or(d, "cancelled_on", ""));
	} else {
		strbuf_puts(b, state);
	}
}

/* today: the daemon's civil date, as in days_until(). */
/* How a deadline came about, in English, from its parts (the daemon explains in bokmål). */
static const struct cli_text explain_words[] = {
	{ NULL, "Rule" },
	{ NULL, "Runs from" },
	{ NULL, "event" },
	{ NULL, "Period" },
	{ NULL, "ends" },
	{ NULL, "Paused" },
	{ NULL, "days" },
	{ NULL, "By the rule" },
	{ NULL, "moved by an extension or override to" },
	{ NULL, "Met" },
	{ NULL, "Cancelled" },
	{ NULL, "Due" },
};

enum {
	X_RULE,
	X_FROM,
	X_EVENT,
	X_PERIOD,
	X_ENDS,
	X_PAUSED,
	X_DAYS,
	X_BY_RULE,
	X_MOVED,
	X_MET,
	X_CANCELLED,
	X_DUE
};

/* The day a deadline runs from, in English (the protocol's start types). */
static const struct word start_words_en[] = {
	{ "received", { NULL, "the application received" } },
	{ "documentation_requested", { NULL, "documents requested" } },
	{ "decision_made", { NULL, "the decision made" } },
	{ "decision_reached", { NULL, "the decision reached the party" } },
	{ "reasons_given", { NULL, "the reasons reached the party" } },
	{ "complaint_sent", { NULL, "the complaint sent" } },
	{ "complaint_received", { NULL, "the complaint received" } },
	{ "preliminary_reply", { NULL, "the preliminary reply sent" } },
	{ NULL, { NULL, NULL } },
};

/* The English explanation of deadline d, each line after indent, to f. */
static void
explain_en(FILE *f, json_t *d, const char *ind)
{
	json_t *start = json_object_get(d, "start"), *st, *x;
	const char *source = str(d, "source"), *rule_due = str(d, "rule_due"), *due = str(d, "due");
	struct cal_period period;
	char period_buf[48];
	size_t i;

	fprintf(f, "%s%s: %s%s%s%s\n", ind, explain_words[X_RULE].en, str_or(d, "rule", "-"),
		source ? " (" : "", source ? source : "", source ? ")" : "");
	if (json_is_object(start))
		fprintf(f, "%s%s %s (%s, %s %lld)\n", ind, explain_words[X_FROM].en,
			str_or(start, "date", "?"),
			words(CLI_LANG_EN, start_words_en, str_or(start, "type", "?")),
			explain_words[X_EVENT].en, num(start, "event"));
	if (str(d, "period") && cal_period_parse(str(d, "period"), &period) == 0)
		fprintf(f, "%s%s %s, %s %s\n", ind, explain_words[X_PERIOD].en,
			cli_text_period(CLI_LANG_EN, period, period_buf), explain_words[X_ENDS].en,
			str_or(d, "raw_end", "?"));
	json_array_foreach(json_object_get(d, "pauses"), i, x)
	{
		if (num(x, "days") > 0)
			fprintf(f, "%sStood still from %s (documents requested) to %s%s: %lld %s\n",
				ind, str_or(x, "from", "?"), str_or(x, "to", "?"),
				is_true(x, "ran_out") ? " (the date set for sending them)" : "",
				num(x, "days"), num(x, "days") == 1 ? "day" : "days");
	}
	json_array_foreach(json_object_get(d, "steps"), i, st)
	{
		fprintf(f, "%s%s %s → %s\n", ind, str_or(st, "day", "?"),
			cli_text_why(CLI_LANG_EN, str_or(st, "why", "?")), str_or(st, "to", "?"));
	}
	x = json_object_get(d, "restart");
	if (json_is_object(x) && str(x, "given"))
		fprintf(f, "%sReasons asked for on %s reached the party on %s: a new full period\n",
			ind, str_or(x, "requested", "?"), str(x, "given"));
	json_array_foreach(json_object_get(d, "extensions"), i, x)
	{
		fprintf(f, "%sExtended to %s (event %lld)%s%s\n", ind, str_or(x, "date", "?"),
			num(x, "event"), str(d, "extension") ? "; provision: " : "",
			str(d, "extension") ? str(d, "extension") : "");
	}
	json_array_foreach(json_object_get(d, "overrides"), i, x)
	{
		fprintf(f, "%sSet by hand to %s (event %lld)\n", ind, str_or(x, "date", "?"),
			num(x, "event"));
	}
	if (rule_due && due && strcmp(rule_due, due) != 0)
		fprintf(f, "%s%s %s, %s %s\n", ind, explain_words[X_BY_RULE].en, rule_due,
			explain_words[X_MOVED].en, due);
	/* The engine's remarks are its own bokmål sentences: shown as they are, and said so. */
	json_array_foreach(json_object_get(d, "notes"), i, x)
	{
		if (json_is_string(x))
			fprintf(f, "%sNote (in Norwegian): %s\n", ind, json_string_value(x));
	}
	if (str(d, "met_on"))
		fprintf(f, "%s%s %s\n", ind, explain_words[X_MET].en, str(d, "met_on"));
	if (str(d, "cancelled_on"))
		fprintf(f, "%s%s %s\n", ind, explain_words[X_CANCELLED].en, str(d, "cancelled_on"));
	fprintf(f, "%s%s: %s\n", ind, explain_words[X_DUE].en, due ? due : "-");
}

static void
print_deadlines(enum cli_lang lang, json_t *deadlines, const char *today)
{
	struct strbuf label = { 0 }, mark = { 0 };
	size_t width = 0, i;
	json_t *d;

	printf("\n%s\n", w(lang, W_DEADLINES));
	if (json_array_size(deadlines) == 0)
		printf("  %s\n", w(lang, W_NONE));
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(deadlines, i, d)
		{
			const char *text = str_or(d, "text", "");

			strbuf_reset(&label);
			deadline_label(lang, &label, d);
			strbuf_printf(&label, " (%s %lld)", w(lang, W_EVENT), num(d, "subject"));
			if (pass == 0) {
				if (cli_text_width(strbuf_str(&label)) > width)
					width = cli_text_width(strbuf_str(&label));
				continue;
			}
			strbuf_reset(&mark);
			deadline_mark(lang, &mark, d, today);
			fputs("  ", stdout);
			cli_put_padded(stdout, strbuf_str(&label), width);
			printf("  %-10s  %s\n", str_or(d, "due", "-"), strbuf_str(&mark));
			if (lang == CLI_LANG_EN) {
				explain_en(stdout, d, "      ");
				continue;
			}
			while (*text) {
				size_t n = strcspn(text, "\n");

				printf("      %.*s\n", (int)n, text);
				text += n + (text[n] == '\n');
			}
		}
	}
	strbuf_free(&mark);
	strbuf_free(&label);
}

static int
run_case_show(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	struct args a;
	json_t *r, *breaches;
	int ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	ret = cli_call(cli, sp->method, a.params, &r);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	print_header(cli->lang, json_object_get(r, "case"));
	print_timeline(cli->lang, json_object_get(r, "events"),
		       str(json_object_get(r, "case"), "complaint_body"));
	print_deadlines(cli->lang, json_object_get(r, "deadlines"), str(r, "today"));
	breaches = json_object_get(r, "breaches");
	if (json_array_size(breaches) > 0) {
		putchar('\n');
		print_breaches(cli->lang, breaches);
	}
	json_decref(r);
	return CLI_EXIT_OK;
}

/*
 * Lists.
 */

static int
run_case_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	char t[CAL_INSTANT_LEN];
	struct cli_table tb;
	struct args a;
	json_t *r, *c;
	bool all;
	size_t i;
	int ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	all = opt_value(&a, "all") != NULL;
	cli_page_size_for_all(a.params, all);
	ret = cli_list_pages(cli, sp->method, a.params, "cases", all, &r);
	json_decref(a.params);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	cli_table_init(&tb, 6);
	add_header(cli, &tb, case_columns, FV_ARRAY_SIZE(case_columns));
	json_array_foreach(json_object_get(r, "cases"), i, c)
	{
		cli_table_add(&tb,
			      (const char *[]){ str(c, "reference"), str(c, "service"),
						words(cli->lang, case_state_words, str(c, "state")),
						str(c, "handler"), str(c, "unit"),
						cli_local_time(str(c, "received"), t) });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_cases));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_cases);
	cli_table_deinit(&tb);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_deadlines(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	struct strbuf label = { 0 };
	const struct spec *sp = cmd->data;
	struct cli_table tb;
	struct args a;
	json_t *r, *d;
	bool all;
	size_t i;
	int ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	all = opt_value(&a, "all") != NULL;
	cli_page_size_for_all(a.params, all);
	ret = cli_list_pages(cli, sp->method, a.params, "deadlines", all, &r);
	json_decref(a.params);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	printf("%s %s\n", cli_tr(cli, &deadlines_as_of), str_or(r, "today", "?"));
	cli_table_init(&tb, 8);
	add_header(cli, &tb, deadline_columns, FV_ARRAY_SIZE(deadline_columns));
	json_array_foreach(json_object_get(r, "deadlines"), i, d)
	{
		json_t *left = json_object_get(d, "days_left");
		const char *state = str_or(d, "state", "?"), *marker = " ";
		char days[32] = "-";

		if (json_is_integer(left)) {
			json_int_t n = json_integer_value(left);

			snprintf(days, sizeof(days), "%lld", (long long)n);
			if (strcmp(state, "open") == 0 && n >= 0 && n <= SOON_DAYS)
				marker = "~";
		}
		/*
		 * Overdue: an office duty past its date and not met. A duty met late is missed
		 * but needs nothing more; a party's deadline that passed has expired.
		 */
		if (strcmp(state, "missed") == 0 && json_is_null(json_object_get(d, "met_on")))
			marker = "!";
		strbuf_reset(&label);
		deadline_label(cli->lang, &label, d);
		cli_table_add(&tb, (const char *[]){ marker, str(d, "due"), days,
						     words(cli->lang, deadline_state_words, state),
						     str(d, "reference"), strbuf_str(&label),
						     str(d, "handler"), str(d, "unit") });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_deadlines));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_deadlines);
	cli_table_deinit(&tb);
	strbuf_free(&label);
	json_decref(r);
	return CLI_EXIT_OK;
}

static int
run_audit(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct spec *sp = cmd->data;
	char t[CAL_INSTANT_LEN], uid[24], gid[24], pid[24];
	struct cli_table tb;
	struct args a;
	json_t *r, *e;
	bool all;
	size_t i;
	int ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	all = opt_value(&a, "all") != NULL;
	cli_page_size_for_all(a.params, all);
	ret = cli_list_pages(cli, sp->method, a.params, "entries", all, &r);
	json_decref(a.params);
	if (ret != 0)
		return ret;
	if (cli->json) {
		cli_print_json(r);
		json_decref(r);
		return CLI_EXIT_OK;
	}
	cli_table_init(&tb, 7);
	add_header(cli, &tb, audit_columns, FV_ARRAY_SIZE(audit_columns));
	json_array_foreach(json_object_get(r, "entries"), i, e)
	{
		snprintf(uid, sizeof(uid), "%lld", num(e, "uid"));
		snprintf(gid, sizeof(gid), "%lld", num(e, "gid"));
		snprintf(pid, sizeof(pid), "%lld", num(e, "pid"));
		cli_table_add(&tb,
			      (const char *[]){ cli_local_time(str(e, "at"), t),
						short_name(str(e, "method")), str(e, "reference"),
						uid, gid, pid, short_name(str(e, "outcome")) });
	}
	if (tb.rows == 1)
		printf("%s\n", cli_tr(cli, &no_audit));
	else
		cli_table_print(&tb, "", stdout);
	cli_more_hint(cli, r, all, &more_entries);
	cli_table_deinit(&tb);
	json_decref(r);
	return CLI_EXIT_OK;
}

/*
 * import FILE: JSON Lines of {"method": ..., "parameters": {...}} through ImportEvents.
 */

struct import_line {
	long line;
	json_t *item;	/* to send; NULL when rejected here */
	json_t *result; /* an ImportResult, owned */
};

struct import {
	struct cli *cli;
	const char *name; /* the file, for messages */
	struct import_line *v;
	size_t n;
	size_t cap;
	size_t n_items; /* of v, to send */
	size_t bytes;	/* their encoded size */
	long imported;
	long duplicates;
	long rejected;
	json_t *all; /* --json: every result with its line */
};

static void
import_push(struct import *im, long line, json_t *item, json_t *result)
{
	if (im->n == im->cap) {
		im->cap = im->cap ? 2 * im->cap : 64;
		im->v = xrealloc(im->v, im->cap * sizeof(*im->v));
	}
	im->v[im->n++] = (struct import_line){ .line = line, .item = item, .result = result };
}

/* Counts and reports the outcome of every held line, in the file's order. */
static void
import_report(struct import *im)
{
	for (size_t i = 0; i < im->n; i++) {
		struct import_line *l = &im->v[i];
		json_t *r = l->result;
		const char *error = str(r, "error");

		if (is_true(r, "ok")) {
			if (is_true(r, "duplicate"))
				im->duplicates++;
			else
				im->imported++;
		} else {
			char *detail = cli_error_detail(error ? error : "?",
							json_object_get(r, "parameters"));

			im->rejected++;
			fprintf(stderr, "%s:%ld: rejected: %s: %s\n", im->name, l->line,
				error ? error : "?", detail);
			free(detail);
		}
		if (im->all) {
			json_t *o = json_pack("{sI sb}", "line", (json_int_t)l->line, "ok",
					      is_true(r, "ok"));
			static const char *const keys[] = { "event", "duplicate", "error",
							    "parameters" };

			for (size_t k = 0; k < FV_ARRAY_SIZE(keys); k++) {
				json_t *v = json_object_get(r, keys[k]);

				json_object_set(o, keys[k], v ? v : json_null());
			}
			json_array_append_new(im->all, o);
		}
		json_decref(l->item);
		json_decref(l->result);
	}
	im->n = 0;
	im->n_items = 0;
	im->bytes = 0;
}

/* Drops the held lines unsent, saying which. */
static void
import_drop(struct import *im)
{
	if (im->n_items > 0)
		fprintf(stderr, "fristvakt import: %s: lines %ld-%ld were not imported\n", im->name,
			im->v[0].line, im->v[im->n - 1].line);
	for (size_t i = 0; i < im->n; i++) {
		json_decref(im->v[i].item);
		json_decref(im->v[i].result);
	}
	im->n = 0;
	im->n_items = 0;
	im->bytes = 0;
}

/* Sends the held items in one ImportEvents call and reports every held line. */
static int
import_flush(struct import *im)
{
	json_t *items, *r, *results;
	size_t k = 0;
	int ret;

	if (im->n_items == 0) {
		import_report(im);
		return CLI_EXIT_OK;
	}
	items = json_array();
	for (size_t i = 0; i < im->n; i++) {
		if (im->v[i].item)
			json_array_append(items, im->v[i].item);
	}
	ret = cli_call(im->cli, METHOD("ImportEvents"), json_pack("{so}", "items", items), &r);
	if (ret != 0) {
		import_drop(im);
		return ret;
	}
	results = json_object_get(r, "results");
	if (json_array_size(results) != im->n_items) {
		fprintf(stderr, "fristvakt: fristvaktd answered %zu results for %zu items\n",
			json_array_size(results), im->n_items);
		json_decref(r);
		import_drop(im);
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < im->n; i++) {
		if (im->v[i].item)
			im->v[i].result = json_incref(json_array_get(results, k++));
	}
	json_decref(r);
	import_report(im);
	return CLI_EXIT_OK;
}

static json_t *local_rejection(const char *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The ImportResult of a line rejected here, never sent. */
static json_t *
local_rejection(const char *error, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{sb ss s{ss}}", "ok", false, "error", error, "parameters", "message",
			 msg);
}

/* Takes one line of the file (its newline still on). */
static int
import_line(struct import *im, long lineno, char *line, size_t len)
{
	json_error_t jerr;
	json_t *item, *rejection = NULL;
	size_t i = 0, size = 0;
	int ret;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return CLI_EXIT_OK;
	item = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!item) {
		rejection = local_rejection("InvalidJSON", "not JSON: %s (column %d)", jerr.text,
					    jerr.column);
	} else if (!json_is_object(item) || !json_is_string(json_object_get(item, "method")) ||
		   !json_is_object(json_object_get(item, "parameters")) ||
		   json_object_size(item) != 2) {
		rejection = local_rejection("InvalidItem",
					    "a line must be an object {\"method\": NAME, "
					    "\"parameters\": {...}} and nothing more");
	} else {
		size = json_dumpb(item, NULL, 0, JSON_COMPACT) + 1;
		if (size > IMPORT_CHUNK_BYTES)
			rejection =
				local_rejection("InvalidItem",
						"the event takes %zu bytes, more than a message "
						"may carry (%d)",
						size, IMPORT_CHUNK_BYTES);
	}
	if (rejection) {
		json_decref(item);
		import_push(im, lineno, NULL, rejection);
		if (im->n_items == 0 || im->n >= IMPORT_MAX_PENDING)
			return import_flush(im);
		return CLI_EXIT_OK;
	}
	if (im->n_items == IMPORT_CHUNK_ITEMS || im->bytes + size > IMPORT_CHUNK_BYTES ||
	    im->n >= IMPORT_MAX_PENDING) {
		ret = import_flush(im);
		if (ret != 0) {
			json_decref(item);
			return ret;
		}
	}
	import_push(im, lineno, item, NULL);
	im->n_items++;
	im->bytes += size;
	return CLI_EXIT_OK;
}

static int
run_import(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	struct import im = { .cli = cli };
	struct args a;
	struct stat st = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	FILE *f;
	int ret = parse_args(cli, cmd, argc, argv, &a), status = CLI_EXIT_OK;

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	json_decref(a.params);
	if (strcmp(a.arg, "-") == 0) {
		f = stdin;
		im.name = "<stdin>";
	} else {
		f = fopen(a.arg, "r");
		im.name = a.arg;
	}
	if (!f || fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		int err = f && S_ISDIR(st.st_mode) ? EISDIR : errno;

		fprintf(stderr, "fristvakt import: cannot read %s: %s\n", im.name, strerror(err));
		if (f && f != stdin)
			fclose(f);
		return CLI_EXIT_USAGE;
	}
	if (cli->json)
		im.all = json_array();
	while ((n = getline(&line, &cap, f)) >= 0) {
		status = import_line(&im, ++lineno, line, (size_t)n);
		if (status != 0)
			break;
	}
	if (status == 0 && ferror(f)) {
		fprintf(stderr, "fristvakt import: reading %s failed at line %ld: %s\n", im.name,
			lineno + 1, strerror(errno));
		import_drop(&im);
		status = CLI_EXIT_USAGE;
	}
	if (status == 0)
		status = import_flush(&im);
	free(line);
	if (f != stdin)
		fclose(f);
	if (im.all) {
		/* After a failed call stdout holds its error alone, as for every command. */
		if (status == 0)
			cli_print_json(im.all);
		json_decref(im.all);
	} else {
		printf("%s %ld, %s %ld, %s %ld\n", cli_tr(cli, &import_words[0]), im.imported,
		       cli_tr(cli, &import_words[1]), im.duplicates, cli_tr(cli, &import_words[2]),
		       im.rejected);
	}
	free(im.v);
	if (status == 0 && im.rejected > 0)
		status = CLI_EXIT_ERROR;
	return status;
}

/*
 * export: every case, as JSON Lines, CSV (one row per deadline) or iCalendar (one event
 * per open deadline).
 */

enum export_format {
	EXPORT_JSONL,
	EXPORT_CSV,
	EXPORT_ICS,
};

/* What an export run carries from case to case. */
struct export_ctx {
	enum export_format format;
	const char *stamp;  /* the run's time, iCalendar UTC: DTSTAMP */
	bool keep_past;	    /* ics: also met and missed deadlines */
	enum cli_lang lang; /* ics: of the summaries */
	size_t events;	    /* ics: VEVENTs written */
	/* ics: the database's installation id, so that UIDs differ between installations */
	const char *installation;
};

/* Where an export goes: stdout, or a file written under a temporary name and renamed. */
struct output {
	FILE *f;
	const char *path; /* borrowed; NULL for stdout */
	char *tmp;	  /* the temporary file, renamed to path when all went well */
};

static int
output_open(struct output *o, const char *path)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	o->path = path;
	/* A device or a pipe is written directly; a file is replaced only when complete. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		return o->f ? 0 : -errno;
	}
	o->tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return -err;
	}
	return 0;
}

/* Finishes the output: kept (renamed into place) when ok, else removed. 0 or -errno. */
static int
output_close(struct output *o, bool ok)
{
	int ret = 0;

	if (fflush(o->f) != 0 || ferror(o->f))
		ret = -(errno ? errno : EIO);
	if (o->f != stdout && fclose(o->f) != 0 && ret == 0)
		ret = -errno;
	if (o->tmp) {
		if (ok && ret == 0 && rename(o->tmp, o->path) < 0)
			ret = -errno;
		if (!ok || ret < 0)
			unlink(o->tmp);
		free(o->tmp);
	}
	return ret;
}

/* An RFC 4180 field: quoted when it holds a comma, a quote, CR or LF. */
static void
csv_field(FILE *f, const char *s, bool last)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static const char *const csv_columns[] = {
	"reference", "service", "handler", "unit",   "case_state", "kind",   "label",
	"subject",   "state",	"due",	   "met_on", "rule",	   "source",
};

static void
csv_header(FILE *f)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(csv_columns); i++)
		csv_field(f, csv_columns[i], i + 1 == FV_ARRAY_SIZE(csv_columns));
}

static void
csv_case(FILE *f, json_t *r)
{
	json_t *c = json_object_get(r, "case"), *d;
	char subject[24];
	size_t i;

	json_array_foreach(json_object_get(r, "deadlines"), i, d)
	{
		snprintf(subject, sizeof(subject), "%lld", num(d, "subject"));
		csv_field(f, str(c, "reference"), false);
		csv_field(f, str(c, "service"), false);
		csv_field(f, str(c, "handler"), false);
		csv_field(f, str(c, "unit"), false);
		csv_field(f, str(c, "state"), false);
		csv_field(f, str(d, "kind"), false);
		csv_field(f, str(d, "label"), false);
		csv_field(f, subject, false);
		csv_field(f, str(d, "state"), false);
		csv_field(f, str(d, "due"), false);
		csv_field(f, str(d, "met_on"), false);
		csv_field(f, str(d, "rule"), false);
		csv_field(f, str(d, "source"), true);
	}
}

/*
 * Writes one iCalendar content line: CRLF-terminated and folded so that no line exceeds
 * 75 octets, never inside a UTF-8 sequence (RFC 5545 § 3.1).
 */
static void
ics_line(FILE *f, const char *line)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t used = 0;

	while (*p) {
		size_t k = 1;

		while (p[k] && (p[k] & 0xc0) == 0x80)
			k++;
		if (used + k > 75) {
			fputs("\r\n ", f);
			used = 1;
		}
		fwrite(p, 1, k, f);
		used += k;
		p += k;
	}
	fputs("\r\n", f);
}

/* Appends TEXT escaped under RFC 5545 § 3.3.11; other control characters are dropped. */
static void
ics_escape(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == ';' || c == ',') {
			char e[2] = { '\\', (char)c };

			strbuf_add(b, e, 2);
		} else if (c == '\n') {
			strbuf_puts(b, "\\n");
		} else if (c >= 0x20 && c != 0x7f) {
			strbuf_add(b, s, 1);
		}
	}
}

static void
ics_property(FILE *f, struct strbuf *b, const char *name, const char *text)
{
	strbuf_reset(b);
	strbuf_printf(b, "%s:", name);
	ics_escape(b, text);
	ics_line(f, strbuf_str(b));
}

/*
 * The explanation without the accounts that extended or overrode the deadline: a
 * calendar shared beyond the office carries no personal data but the case reference.
 */
static void
anonymous_text(struct strbuf *b, json_t *d)
{
	static const char *const lists[] = { "extensions", "overrides" };
	const char *text = str_or(d, "text", "");
	size_t len;

	strbuf_reset(b);
	strbuf_puts(b, text);
	for (size_t l = 0; l < FV_ARRAY_SIZE(lists); l++) {
		json_t *ch;
		size_t i;

		json_array_foreach(json_object_get(d, lists[l]), i, ch)
		{
			const char *who = str(ch, "who");
			char *needle, *at;

			if (!who || !*who)
				continue;
			needle = xasprintf(" av %s", who);
			for (at = strstr(b->p, needle); at; at = strstr(at, needle)) {
				size_t n = strlen(needle);

				memmove(at, at + n, strlen(at + n) + 1);
				b->len -= n;
			}
			free(needle);
		}
	}
	len = b->len;
	while (len > 0 && b->p[len - 1] == '\n')
		len--;
	b->len = len;
	if (b->p)
		b->p[len] = '\0';
}

static void
ics_header(FILE *f)
{
	ics_line(f, "BEGIN:VCALENDAR");
	ics_line(f, "VERSION:2.0");
	ics_line(f, "PRODID:-//fristvakt//fristvakt " FV_VERSION "//NO");
	ics_line(f, "CALSCALE:GREGORIAN");
	ics_line(f, "METHOD:PUBLISH");
}

/*
 * The first version of event id among a case's events (the GetCase reply's): a correction
 * supersedes an event with a new id, and the deadlines then run from that one, but in a
 * calendar the deadline is still the same event.
 */
static long long
first_version(json_t *events, long long id)
{
	size_t n = json_array_size(events);

	/* Each step goes back to an older event: at most n steps. */
	for (size_t step = 0; step < n; step++) {
		json_t *e, *sup = NULL;
		size_t i;

		json_array_foreach(events, i, e)
		{
			if (num(e, "id") == id) {
				sup = json_object_get(e, "supersedes");
				break;
			}
		}
		if (!json_is_integer(sup))
			break;
		id = (long long)json_integer_value(sup);
	}
	return id;
}

/* An RFC 3339 UTC instant ("2026-03-02T09:15:00Z") as iCalendar UTC; false if it is not. */
static bool
ics_utc(const char *rfc3339, char out[32])
{
	int64_t t;
	char buf[CAL_INSTANT_LEN];
	size_t k = 0;

	if (!rfc3339 || cal_instant_parse(rfc3339, &t) < 0)
		return false;
	cal_instant_format(t, buf);
	for (const char *p = buf; *p && k < 31; p++) {
		if (*p != '-' && *p != ':')
			out[k++] = *p;
	}
	out[k] = '\0';
	return true;
}

/*
 * Whether deadline d goes into the calendar: open ones, and with keep_past those met,
 * missed or expired too (an overdue one stays on its day instead of vanishing the day
 * after), never a cancelled one.
 */
static bool
ics_wanted(json_t *d, bool keep_past)
{
	const char *state = str_or(d, "state", "");

	if (strcmp(state, "open") == 0)
		return true;
	return keep_past && (strcmp(state, "met") == 0 || strcmp(state, "missed") == 0 ||
			     strcmp(state, "expired") == 0);
}

/* The English explanation of d for a calendar (no account names: explain_en has none). */
static void
english_text(struct strbuf *b, json_t *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	strbuf_reset(b);
	if (!f)
		return;
	explain_en(f, d, "");
	fclose(f);
	while (len > 0 && text[len - 1] == '\n')
		len--;
	text[len] = '\0';
	strbuf_puts(b, text);
	free(text);
}

static void
ics_case(FILE *f, json_t *r, struct export_ctx *x)
{
	const char *ref = str_or(json_object_get(r, "case"), "reference", "?");
	struct strbuf line = { 0 }, text = { 0 };
	char *uid_ref = xstrdup(ref), day[16];
	struct cal_date due, end;
	json_t *d;
	size_t i;

	/*
	 * A stable UID: the same deadline keeps it from one export to the next, also when
	 * the event it runs from is corrected (its first version names it).
	 */
	for (char *p = uid_ref; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '-';
	}
	json_array_foreach(json_object_get(r, "deadlines"), i, d)
	{
		char modified[32];

		if (!ics_wanted(d, x->keep_past) || !str(d, "due") ||
		    cal_date_parse(str(d, "due"), &due) < 0)
			continue;
		end = cal_add_days(due, 1);
		x->events++;
		ics_line(f, "BEGIN:VEVENT");
		strbuf_reset(&line);
		strbuf_printf(&line, "UID:%s-%s-%lld@%s.fristvakt", uid_ref, str_or(d, "kind", "?"),
			      first_version(json_object_get(r, "events"), num(d, "subject")),
			      x->installation);
		ics_line(f, strbuf_str(&line));
		strbuf_reset(&line);
		strbuf_printf(&line, "DTSTAMP:%s", x->stamp);
		ics_line(f, strbuf_str(&line));
		/*
		 * Raised whenever the due date or the state changed, and when: an importer
		 * that has the UID replaces its copy only for a higher SEQUENCE.
		 */
		strbuf_reset(&line);
		strbuf_printf(&line, "SEQUENCE:%lld", num(d, "sequence"));
		ics_line(f, strbuf_str(&line));
		if (ics_utc(str(d, "modified"), modified)) {
			strbuf_reset(&line);
			strbuf_printf(&line, "LAST-MODIFIED:%s", modified);
			ics_line(f, strbuf_str(&line));
		}
		strbuf_reset(&line);
		snprintf(day, sizeof(day), "%04d%02d%02d", due.year, due.month, due.day);
		strbuf_printf(&line, "DTSTART;VALUE=DATE:%s", day);
		ics_line(f, strbuf_str(&line));
		strbuf_reset(&line);
		snprintf(day, sizeof(day), "%04d%02d%02d", end.year, end.month, end.day);
		strbuf_printf(&line, "DTEND;VALUE=DATE:%s", day);
		ics_line(f, strbuf_str(&line));
		strbuf_reset(&text);
		deadline_label(x->lang, &text, d);
		strbuf_printf(&text, " %s", ref);
		/* Kept past its time: the summary says how it ended. */
		if (strcmp(str_or(d, "state", ""), "open") != 0) {
			strbuf_puts(&text, " (");
			deadline_mark(x->lang, &text, d, str(r, "today"));
			strbuf_puts(&text, ")");
		}
		ics_property(f, &line, "SUMMARY", strbuf_str(&text));
		if (x->lang == CLI_LANG_EN)
			english_text(&text, d);
		else
			anonymous_text(&text, d);
		ics_property(f, &line, "DESCRIPTION", strbuf_str(&text));
		ics_property(f, &line, "CATEGORIES", str_or(d, "kind", "?"));
		ics_line(f, "TRANSP:TRANSPARENT");
		ics_line(f, "END:VEVENT");
	}
	strbuf_free(&text);
	strbuf_free(&line);
	free(uid_ref);
}

/*
 * The end of a calendar. RFC 5545 wants at least one component in it, so a calendar with
 * no deadline gets a journal entry that says so (calendar programs show no journal entries
 * in a subscribed calendar; an empty VCALENDAR is refused by strict parsers).
 */
static void
ics_footer(FILE *f, const struct export_ctx *x)
{
	char line[128];

	if (x->events == 0) {
		ics_line(f, "BEGIN:VJOURNAL");
		snprintf(line, sizeof(line), "UID:no-deadlines@%.40s.fristvakt", x->installation);
		ics_line(f, line);
		snprintf(line, sizeof(line), "DTSTAMP:%s", x->stamp);
		ics_line(f, line);
		ics_line(f, x->lang == CLI_LANG_EN ? "SUMMARY:fristvakt: no deadlines"
						   : "SUMMARY:fristvakt: ingen frister");
		ics_line(f, "END:VJOURNAL");
	}
	ics_line(f, "END:VCALENDAR");
}

/* Writes one case (the GetCase reply r) in the format. */
static void
export_case(FILE *f, struct export_ctx *x, json_t *r)
{
	json_t *o;

	switch (x->format) {
	case EXPORT_JSONL:
		o = json_pack("{sO sO sO}", "case", json_object_get(r, "case"), "events",
			      json_object_get(r, "events"), "deadlines",
			      json_object_get(r, "deadlines"));
		if (o) {
			json_dumpf(o, f, JSON_COMPACT);
			fputc('\n', f);
		}
		json_decref(o);
		break;
	case EXPORT_CSV:
		csv_case(f, r);
		break;
	case EXPORT_ICS:
		ics_case(f, r, x);
		break;
	}
}

/* Pages through every case and writes each; 0, or the exit status of a failed call. */
static int
export_cases(struct cli *cli, FILE *f, struct export_ctx *x)
{
	json_t *params = json_pack("{si}", "limit", CLI_PAGE_MAX), *page = NULL, *c;
	size_t i;
	int ret;

	for (;;) {
		json_t *next;

		ret = cli_call(cli, METHOD("ListCases"), json_incref(params), &page);
		if (ret != 0)
			break;
		json_array_foreach(json_object_get(page, "cases"), i, c)
		{
			json_t *r;

			ret = cli_call(cli, METHOD("GetCase"),
				       json_pack("{ss}", "reference", str_or(c, "reference", "")),
				       &r);
			if (ret != 0)
				goto out;
			export_case(f, x, r);
			json_decref(r);
		}
		next = json_object_get(page, "next");
		if (!json_is_string(next) || json_equal(next, json_object_get(params, "after")))
			break;
		json_object_set(params, "after", next);
		json_decref(page);
		page = NULL;
	}
out:
	json_decref(page);
	json_decref(params);
	return ret;
}

static int
run_export(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	static const char *const formats[] = { "jsonl", "csv", "ics" };
	const char *fmt, *path;
	struct export_ctx x = { 0 };
	char stamp[32], installation[64];
	struct output out;
	struct args a;
	struct tm tm;
	time_t now = time(NULL);
	size_t k;
	int err, ret = parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	json_decref(a.params);
	fmt = opt_value(&a, "format");
	path = opt_value(&a, "output");
	for (k = 0; fmt && k < FV_ARRAY_SIZE(formats); k++) {
		if (strcmp(fmt, formats[k]) == 0)
			break;
	}
	if (fmt && k == FV_ARRAY_SIZE(formats)) {
		fprintf(stderr, "fristvakt export: --format must be jsonl, csv or ics, not '%s'\n",
			fmt);
		return CLI_EXIT_USAGE;
	}
	x.format = fmt ? (enum export_format)k : EXPORT_JSONL;
	x.keep_past = opt_value(&a, "keep-past") != NULL;
	x.lang = cli->lang;
	if (x.keep_past && x.format != EXPORT_ICS) {
		fprintf(stderr, "fristvakt export: --keep-past goes with --format ics\n");
		return CLI_EXIT_USAGE;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	x.stamp = stamp;
	ret = output_open(&out, path);
	if (ret < 0) {
		fprintf(stderr, "fristvakt export: cannot write %s: %s\n", path, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	if (x.format == EXPORT_ICS) {
		/* UIDs name the installation: two databases never share one. */
		json_t *st;

		ret = cli_call(cli, "no.fristvakt.Status", NULL, &st);
		if (ret != 0) {
			output_close(&out, false);
			return ret;
		}
		snprintf(installation, sizeof(installation), "%s",
			 str_or(st, "installation", "unknown"));
		json_decref(st);
		x.installation = installation;
	}
	if (x.format == EXPORT_CSV)
		csv_header(out.f);
	else if (x.format == EXPORT_ICS)
		ics_header(out.f);
	ret = export_cases(cli, out.f, &x);
	if (ret == 0 && x.format == EXPORT_ICS)
		ics_footer(out.f, &x);
	err = output_close(&out, ret == 0);
	if (err < 0 && ret == 0) {
		fprintf(stderr, "fristvakt export: writing %s failed: %s\n", path ? path : "stdout",
			strerror(-err));
		ret = CLI_EXIT_USAGE;
	}
	return ret;
}

/*
 * The commands.
 */

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

static const struct spec case_add_spec = {
	.method = METHOD("RegisterApplication"),
	.arg = "REF",
};

static const struct cli_command case_add = {
	.name = "case add",
	.args = "REF --service ID --received TIME [OPTIONS]",
	.brief = "register an application (søknad)",
	.help = "Register an application: creates case REF (the case system's reference, never a\n"
		"name or an identity number) and its received event. The deadlines of the\n"
		"service start to run. Registering the same application again is answered as\n"
		"already recorded; with other data it is a CaseConflict: to correct the\n"
		"registration, give it again as it should have been with --supersedes N, N the\n"
		"case's received event (see case show).\n"
		"\n"
		"  --service ID        the service, as in the configuration (fristvakt.conf)\n"
		"  --received TIME     when the application was received\n"
		"  --channel CHANNEL   written (default), oral or digital\n"
		"  --emergency         nødhjelp: the service's emergency norm applies\n"
		"  --handler H         the case worker's id\n"
		"  --unit U            the unit's id\n"
		"  --email E           the applicant's e-mail for complaint-deadline reminders,\n"
		"  --phone P           or phone; stored only with --consent\n"
		"  --consent           the applicant consented to reminders\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_add_spec,
};

static const struct spec case_show_spec = {
	.method = METHOD("GetCase"),
	.arg = "REF",
};

static const struct cli_command case_show = {
	.name = "case show",
	.args = "REF [--json]",
	.brief = "tell a case's story: timeline, deadlines, breaches",
	.help = "Show case REF for a case worker: the case, its timeline (corrected events marked\n"
		"\"rettet av hendelse N\"), every deadline with its state (OVERSKREDET when\n"
		"missed, \"snart\" when due within 3 days) and how it was computed, and any\n"
		"breach of the rules (BRUDD). Times are in the local zone. Needs the read role.\n"
		"\n" COMMON_OPTIONS,
	.run = run_case_show,
	.data = &case_show_spec,
};

static const struct spec case_list_spec = {
	.method = METHOD("ListCases"),
	.opts = {
		{ "state", OPT_STRING, "state", false, NULL },
		{ "service", OPT_STRING, "service", false, NULL },
		{ "handler", OPT_STRING, "handler", false, NULL },
		{ "unit", OPT_STRING, "unit", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

static const struct cli_command case_list = {
	.name = "case list",
	.args = "[--state S] [--service ID] [--handler H] [--unit U] [--limit N] [--all]",
	.brief = "list cases, newest first",
	.help = "List cases, newest first: reference, service, state, handler, unit and when the\n"
		"application was received (local time). Needs the read role.\n"
		"\n"
		"  --state S           open, withdrawn or closed\n"
		"  --service ID        only this service\n"
		"  --handler H         only this case worker's cases\n"
		"  --unit U            only this unit's cases\n"
		"  --limit N           cases per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_case_list,
	.data = &case_list_spec,
};

static const struct spec case_close_spec = {
	.method = METHOD("CloseCase"),
	.arg = "REF",
};

static const struct cli_command case_close = {
	.name = "case close",
	.args = "REF [--at TIME]",
	.brief = "close a case",
	.help = "The office closed case REF: open processing, preliminary-reply, documentation and\n"
		"forwarding deadlines are cancelled; complaint deadlines, the party's right,\n"
		"run on.\n"
		"\n"
		"  --at TIME           when it was closed (default: now)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_close_spec,
};

static const struct spec case_withdraw_spec = {
	.method = METHOD("WithdrawApplication"),
	.arg = "REF",
};

static const struct cli_command case_withdraw = {
	.name = "case withdraw",
	.args = "REF [--at TIME]",
	.brief = "record that the applicant withdrew the application",
	.help = "The applicant withdrew the application in case REF: every open deadline is\n"
		"cancelled and the case takes no further events.\n"
		"\n"
		"  --at TIME           when it was withdrawn (default: now)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &case_withdraw_spec,
};

static const struct cli_command *const case_subs[] = {
	&case_add, &case_show, &case_list, &case_close, &case_withdraw, NULL,
};

const struct cli_command cli_case_cmd_case = {
	.name = "case",
	.args = "COMMAND [ARGS]",
	.brief = "register, show, list, close and withdraw cases",
	.help = "Cases: one application (søknad) each, known by the case system's reference.\n",
	.subs = case_subs,
};

static const struct spec reply_add_spec = {
	.method = METHOD("RecordPreliminaryReply"),
	.arg = "REF",
};

static const struct cli_command reply_add = {
	.name = "reply add",
	.args = "REF --sent TIME --promised DATE",
	.brief = "record a preliminary reply (foreløpig svar)",
	.help = "A preliminary reply (foreløpig svar) was sent in case REF, because the decision\n"
		"would take longer than the law allows without one; it promises an answer by DATE.\n"
		"\n"
		"  --sent TIME         when the reply was sent\n"
		"  --promised DATE     the date the reply promises an answer by\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reply_add_spec,
};

static const struct cli_command *const reply_subs[] = { &reply_add, NULL };

const struct cli_command cli_case_cmd_reply = {
	.name = "reply",
	.args = "COMMAND [ARGS]",
	.brief = "preliminary replies",
	.help = "Preliminary replies (foreløpig svar): the notice that a decision will take longer.\n",
	.subs = reply_subs,
};

static const struct spec doc_request_spec = {
	.method = METHOD("RequestDocumentation"),
	.arg = "REF",
};

static const struct cli_command doc_request = {
	.name = "documentation request",
	.args = "REF --requested TIME [--due DATE]",
	.brief = "record a request for documents",
	.help = "The office asked the applicant in case REF for documents by DATE\n"
		"(innsendelsesfrist).\n"
		"\n"
		"  --requested TIME    when the documents were asked for\n"
		"  --due DATE          the last day to send them (default: the documentation\n"
		"                      rule's period from the request, 14 days as shipped)\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &doc_request_spec,
};

static const struct spec doc_receive_spec = {
	.method = METHOD("ReceiveDocumentation"),
	.arg = "REF",
};

static const struct cli_command doc_receive = {
	.name = "documentation receive",
	.args = "REF --received TIME [--request N]",
	.brief = "record that requested documents arrived",
	.help = "The requested documents arrived in case REF.\n"
		"\n"
		"  --received TIME     when they arrived\n"
		"  --request N         the request (event N) they answer; default: every open one\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &doc_receive_spec,
};

static const struct cli_command *const doc_subs[] = { &doc_request, &doc_receive, NULL };

const struct cli_command cli_case_cmd_documentation = {
	.name = "documentation",
	.args = "COMMAND [ARGS]",
	.brief = "requests for documents and their arrival",
	.help = "Documentation: the office asks for documents, the applicant sends them.\n",
	.subs = doc_subs,
};

static const struct spec decision_add_spec = {
	.method = METHOD("RecordDecision"),
	.arg = "REF",
};

static const struct cli_command decision_add = {
	.name = "decision add",
	.args = "REF --made TIME --outcome OUTCOME [--reached TIME | --available TIME "
		"--notified TIME] [OPTIONS]",
	.brief = "record a decision (vedtak)",
	.help = "A decision (vedtak) was made in case REF. The complaint deadline runs from when\n"
		"the decision reached the party; without --reached (or --available and\n"
		"--notified) it has no date until a correction (--supersedes) supplies one.\n"
		"\n"
		"  --made TIME         when the decision was made\n"
		"  --outcome OUTCOME   innvilget, delvis_innvilget, avslatt or avvist\n"
		"  --reached TIME      when the notice reached the party (kom fram)\n"
		"  --available TIME    digital delivery: when it was made available, and\n"
		"  --notified TIME     when the notice of it was sent (the later one counts)\n"
		"  --oral              the decision was given orally: every decision must be\n"
		"                      written (BRUDD until 'decision confirm' records it)\n"
		"  --unreasoned        the decision gave no reasons: BRUDD unless it grants the\n"
		"                      application in full; a request for reasons then starts\n"
		"                      the complaint deadline again when they reach the party\n"
		"  --legal-basis TEXT  the provision applied, as the decision cites it\n"
		"  --need-hours N      BPA: the assessed need, hours a week (0-168)\n"
		"  --need-months N     BPA: how long the need is expected to last, in months\n"
		"  --age-group G       BPA: under_67, granted_before_67 or 67_or_over; a refusal\n"
		"                      that conflicts with the right is a possible breach\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &decision_add_spec,
};

static const struct spec decision_confirm_spec = {
	.method = METHOD("ConfirmDecision"),
	.arg = "REF",
};

static const struct cli_command decision_confirm = {
	.name = "decision confirm",
	.args = "REF --confirmed TIME [--decision N]",
	.brief = "record that an oral decision was confirmed in writing",
	.help = "A decision given orally in case REF was confirmed in writing (every decision\n"
		"must be written): its BRUDD is marked as remedied.\n"
		"\n"
		"  --confirmed TIME    when the written decision was sent\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &decision_confirm_spec,
};

static const struct cli_command *const decision_subs[] = { &decision_add, &decision_confirm, NULL };

const struct cli_command cli_case_cmd_decision = {
	.name = "decision",
	.args = "COMMAND [ARGS]",
	.brief = "decisions",
	.help = "Decisions (vedtak).\n",
	.subs = decision_subs,
};

static const struct spec reasons_request_spec = {
	.method = METHOD("RequestReasons"),
	.arg = "REF",
};

static const struct cli_command reasons_request = {
	.name = "reasons request",
	.args = "REF --requested TIME [--decision N]",
	.brief = "record that the party asked for reasons",
	.help = "The party in case REF asked for the reasons behind a decision (begrunnelse). For\n"
		"a decision given without reasons, a request made before the complaint deadline\n"
		"ends interrupts it, and a new full deadline starts when the reasons reach the\n"
		"party; for a decision that gave its reasons the request is recorded and the\n"
		"deadline stays.\n"
		"\n"
		"  --requested TIME    when the reasons were asked for\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reasons_request_spec,
};

static const struct spec reasons_give_spec = {
	.method = METHOD("GiveReasons"),
	.arg = "REF",
};

static const struct cli_command reasons_give = {
	.name = "reasons give",
	.args = "REF --reached TIME [--decision N]",
	.brief = "record that the reasons reached the party",
	.help = "The reasons of a decision in case REF reached the party.\n"
		"\n"
		"  --reached TIME      when they reached the party\n"
		"  --decision N        the decision (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &reasons_give_spec,
};

static const struct cli_command *const reasons_subs[] = { &reasons_request, &reasons_give, NULL };

const struct cli_command cli_case_cmd_reasons = {
	.name = "reasons",
	.args = "COMMAND [ARGS]",
	.brief = "requests for the reasons of a decision",
	.help = "Requests for the reasons behind a decision (begrunnelse) and the reasons given.\n",
	.subs = reasons_subs,
};

static const struct spec extend_spec = {
	.method = METHOD("ExtendDeadline"),
	.arg = "REF",
};

#define KIND_NOTE                                                                                  \
	"KIND is processing, preliminary_reply, documentation, complaint, late_complaint or\n"     \
	"forwarding.\n"

const struct cli_command cli_case_cmd_extend = {
	.name = "extend",
	.args = "REF --kind KIND --until DATE --reason TEXT [--subject N]",
	.brief = "extend a deadline (forlenget frist)",
	.help = "Extend a deadline of case REF to DATE (forlenget frist), before it expires.\n"
		"Recorded with your account and the reason.\n"
		"\n"
		"  --kind KIND         the deadline's kind\n"
		"  --until DATE        the new last day\n"
		"  --reason TEXT       why (no personal data)\n"
		"  --subject N         the event the deadline belongs to; default: the latest\n"
		"                      deadline of that kind\n" EVENT_OPTIONS SUPERSEDES_OPTION
			COMMON_OPTIONS "\n" KIND_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &extend_spec,
};

static const struct spec override_spec = {
	.method = METHOD("OverrideDeadline"),
	.arg = "REF",
};

const struct cli_command cli_case_cmd_override = {
	.name = "override",
	.args = "REF --kind KIND --due DATE --reason TEXT [--subject N]",
	.brief = "set a deadline's date by hand",
	.help = "Set the date of a deadline of case REF by hand. Recorded with your account and\n"
		"the reason.\n"
		"\n"
		"  --kind KIND         the deadline's kind\n"
		"  --due DATE          its last day\n"
		"  --reason TEXT       why (no personal data)\n"
		"  --subject N         the event the deadline belongs to; default: the latest\n"
		"                      deadline of that kind\n" EVENT_OPTIONS SUPERSEDES_OPTION
			COMMON_OPTIONS "\n" KIND_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &override_spec,
};

static const struct spec complaint_add_spec = {
	.method = METHOD("RecordComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_add = {
	.name = "complaint add",
	.args = "REF --sent TIME [--received TIME] [--decision N]",
	.brief = "record a complaint (klage)",
	.help = "A complaint (klage) in case REF. Whether it is in time is judged by when it was\n"
		"sent, not when the office got it.\n"
		"\n"
		"  --sent TIME         when it was posted or submitted\n"
		"  --received TIME     when the office got it (default: --sent)\n"
		"  --decision N        the decision complained of (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_add_spec,
};

static const struct spec complaint_forward_spec = {
	.method = METHOD("ForwardComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_forward = {
	.name = "complaint forward",
	.args = "REF --forwarded TIME [--complaint N]",
	.brief = "record that a complaint went to the complaint body",
	.help = "The complaint in case REF was forwarded to the complaint body: Statsforvalteren\n"
		"for the social services and patient rights acts, the municipality's klagenemnd\n"
		"for other decisions (each regime names its body in rules.conf; 'case show'\n"
		"says which).\n"
		"\n"
		"  --forwarded TIME    when it was forwarded\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_forward_spec,
};

static const struct spec complaint_decide_spec = {
	.method = METHOD("DecideComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_decide = {
	.name = "complaint decide",
	.args = "REF --decided TIME --outcome OUTCOME [--complaint N]",
	.brief = "record the outcome of a complaint",
	.help = "The complaint in case REF was decided. Only a full reversal or quashing by the\n"
		"office, or its dismissal of the complaint, ends its duty to forward it; after a\n"
		"partial reversal, or the decision kept, the complaint must still go to the\n"
		"complaint body.\n"
		"\n"
		"  --decided TIME      when it was decided\n"
		"  --outcome OUTCOME   omgjort (reversed in full), delvis_omgjort (in part),\n"
		"                      stadfestet (kept, or upheld by the complaint body),\n"
		"                      opphevet (quashed) or avvist (dismissed)\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_decide_spec,
};

static const struct spec complaint_withdraw_spec = {
	.method = METHOD("WithdrawComplaint"),
	.arg = "REF",
};

static const struct cli_command complaint_withdraw = {
	.name = "complaint withdraw",
	.args = "REF --withdrawn TIME [--complaint N]",
	.brief = "record that the party withdrew a complaint",
	.help = "The party withdrew the complaint in case REF: the duty to forward it ends.\n"
		"\n"
		"  --withdrawn TIME    when it was withdrawn\n"
		"  --complaint N       the complaint (event N); default: the latest\n" EVENT_OPTIONS
			SUPERSEDES_OPTION COMMON_OPTIONS "\n" TIME_NOTE RECORDED_NOTE,
	.run = run_event,
	.data = &complaint_withdraw_spec,
};

static const struct cli_command *const complaint_subs[] = {
	&complaint_add, &complaint_forward, &complaint_decide, &complaint_withdraw, NULL,
};

const struct cli_command cli_case_cmd_complaint = {
	.name = "complaint",
	.args = "COMMAND [ARGS]",
	.brief = "complaints (klage)",
	.help = "Complaints (klage) against decisions, their forwarding and outcome.\n",
	.subs = complaint_subs,
};

static const struct spec deadlines_spec = {
	.method = METHOD("ListDeadlines"),
	.opts = {
		{ "state", OPT_STRING, "state", false, NULL },
		{ "kind", OPT_STRING, "kind", false, NULL },
		{ "service", OPT_STRING, "service", false, NULL },
		{ "handler", OPT_STRING, "handler", false, NULL },
		{ "unit", OPT_STRING, "unit", false, NULL },
		{ "from", OPT_STRING, "due_from", false, NULL },
		{ "to", OPT_STRING, "due_to", false, NULL },
		{ "overdue", OPT_TRUE, "overdue", false, NULL },
		{ "duty", OPT_STRING, "duty", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_cmd_deadlines = {
	.name = "deadlines",
	.args = "[--state S] [--kind K] [--duty office|party] [--service ID] [--handler H] "
		"[--unit U] [--from DATE] [--to DATE] [--overdue] [--limit N] [--all]",
	.brief = "list deadlines by due date",
	.help = "List deadlines by due date, with their state as of today: '!' marks an overdue\n"
		"duty of the office (past its date and not met; one met late is missed but has no\n"
		"mark), '~' an open deadline due within 3 days. The office's duties are processing,\n"
		"preliminary_reply, forwarding and promised (the date a foreløpig svar promised);\n"
		"the party's deadlines are documentation, complaint and late_complaint, and one\n"
		"that passes has expired (\"utløpt – ingen klage\"): normal, and no breach.\n"
		"Needs the read role.\n"
		"\n"
		"  --state S           open, met, missed (an office duty), expired (a party's\n"
		"                      deadline) or cancelled\n"
		"  --duty D            office (the office's duties) or party (the party's)\n"
		"  --kind K            only this kind (processing, preliminary_reply, ...)\n"
		"  --service ID        only this service\n"
		"  --handler H         only this case worker's cases\n"
		"  --unit U            only this unit's cases\n"
		"  --from DATE         due on or after DATE\n"
		"  --to DATE           due on or before DATE\n"
		"  --overdue           the work list: the office's duties past their date and\n"
		"                      not met (never a party's expired deadline)\n"
		"  --limit N           deadlines per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_deadlines,
	.data = &deadlines_spec,
};

static const struct spec audit_spec = {
	.method = METHOD("ListAudit"),
	.opts = {
		{ "case", OPT_STRING, "reference", false, NULL },
		{ "limit", OPT_NUMBER, "limit", false, NULL },
		{ "all", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_cmd_audit = {
	.name = "audit",
	.args = "[--case REF] [--limit N] [--all]",
	.brief = "show the audit log",
	.help = "Show the audit log, newest first: when, the method, the case, the caller's uid,\n"
		"gid and pid, and the outcome. Needs the admin role.\n"
		"\n"
		"  --case REF          only this case's entries\n"
		"  --limit N           entries per page, 1-1000 (default 100)\n"
		"  --all               every page, not only the first\n" COMMON_OPTIONS,
	.run = run_audit,
	.data = &audit_spec,
};

static const struct spec import_spec = {
	.arg = "FILE",
};

const struct cli_command cli_case_cmd_import = {
	.name = "import",
	.args = "FILE [--json]",
	.brief = "record events from a JSON Lines file",
	.help = "Record the events of FILE ('-' for standard input): JSON Lines, one event a line,\n"
		"{\"method\": \"RecordDecision\", \"parameters\": {...}} with the parameters of the\n"
		"method (see no.fristvakt.varlink); blank lines and lines starting with '#' are\n"
		"skipped. Lines go to the daemon in chunks; each line is stored or rejected on its\n"
		"own. Give every line an event_id: running the file again then stores nothing\n"
		"twice (the lines count as already present).\n"
		"\n"
		"Each rejected line is reported on standard error as 'FILE:LINE: rejected: ERROR:\n"
		"WHY'; at the end 'imported N, already present D, rejected R'. Exit status 0 when\n"
		"no line was rejected, 1 when some was, 2 when FILE cannot be read.\n"
		"\n"
		"  --json              print a JSON array of {line, ok, event, duplicate, error,\n"
		"                      parameters} instead of the summary\n"
		"  --help              show this help\n"
		"\n"
		"Needs the write role.\n",
	.run = run_import,
	.data = &import_spec,
};

static const struct spec export_spec = {
	.opts = {
		{ "format", OPT_LOCAL, NULL, false, NULL },
		{ "output", OPT_LOCAL, NULL, false, NULL },
		{ "keep-past", OPT_FLAG, NULL, false, NULL },
	},
};

const struct cli_command cli_case_cmd_export = {
	.name = "export",
	.args = "[--format jsonl|csv|ics [--keep-past]] [--output FILE]",
	.brief = "export every case: JSON Lines, CSV or iCalendar",
	.help = "Export every case.\n"
		"\n"
		"  --format jsonl      one line per case: {\"case\", \"events\", \"deadlines\"} (default)\n"
		"  --format csv        one row per deadline (RFC 4180): reference, service, handler,\n"
		"                      unit, case_state, kind, label, subject, state, due, met_on,\n"
		"                      rule, source\n"
		"  --format ics        an iCalendar file (RFC 5545) with one all-day event per open\n"
		"                      deadline, to subscribe to in a calendar; it names no one but\n"
		"                      the case reference. SEQUENCE and LAST-MODIFIED change when\n"
		"                      a deadline's date or state does, so calendars update it\n"
		"  --keep-past         with --format ics: also the met and missed deadlines (an\n"
		"                      overdue one stays on its day), their state in the summary\n"
		"  --output FILE       write FILE (replaced only when the export is complete, mode\n"
		"                      0600) instead of standard output\n"
		"  --help              show this help\n"
		"\n"
		"Needs the read role.\n",
	.run = run_export,
	.data = &export_spec,
};
