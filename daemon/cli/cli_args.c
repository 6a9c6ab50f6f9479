// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_args: the parser of the case register's command lines. A command's spec names its
 * Varlink method, its positional argument and, for a method that records no event, its
 * options, each naming the parameter it fills. An event method's options are made from
 * its row of the event schema (core/events.h), so a parameter is spelt once: only what the
 * command line says otherwise is in the table of exceptions below. Option values reach the
 * daemon as typed and its validation stays the only one; the parser checks only what the
 * CLI alone knows: required options, numbers, the arguments.
 */
#include "cli/cli_case_impl.h"

#include <getopt.h>
#include <stdint.h>
#include <time.h>

#include "core/cal.h"
#include "core/events.h"
#include "core/util.h"

/* getopt_long values of a command's options: OPT_VAL + their index. */
#define OPT_VAL 256

/*
 * Where an event command's option is not simply its parameter: "--" and the parameter's
 * name with '-' for '_', a string, number or flag as its JSON type says, required as the
 * schema says. The method is named without "no.fristvakt.". Every option, made or
 * excepted, needs its line in the command's help text (cli_event.c), which
 * tests/unit/test_cli_help.c checks.
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
	opt.kind = p->type == JSONKIT_INT    ? OPT_NUMBER
		   : p->type == JSONKIT_BOOL ? OPT_TRUE
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
	for (size_t i = 0; i < m->n_params; i++)
		optset_add_param(o, short_name(m->method), &m->params[i]);
	optset_add(o, &opt_event_id);
	if (m->supersedable)
		optset_add(o, &opt_supersedes);
}

void
cli_command_options(const struct cli_command *cmd, struct optset *o)
{
	optset_make(o, cmd->data);
}

static bool
takes_value(enum opt_kind kind)
{
	return kind != OPT_TRUE && kind != OPT_FALSE && kind != OPT_FLAG;
}

/* Sets a string parameter; false (message printed) when s is not valid UTF-8. */
bool
cli_set_string(const struct cli_command *cmd, json_t *params, const char *param, const char *what,
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
		return !v || cli_set_string(cmd, params, o->param, what, v);
	case OPT_NOW:
		if (!v)
			v = cal_instant_format((int64_t)time(NULL), now);
		return cli_set_string(cmd, params, o->param, what, v);
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
int
cli_parse_args(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
	       struct args *a)
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
	    !cli_set_string(cmd, a->params, "reference", "REF", a->arg))
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
const char *
cli_opt_value(const struct args *a, const char *name)
{
	for (size_t i = 0; i < a->o.n; i++) {
		if (strcmp(a->o.v[i].name, name) == 0)
			return a->val[i];
	}
	FV_ASSERT(!"option of the command");
	return NULL;
}
