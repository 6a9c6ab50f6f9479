// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_calc: `fristvakt deadline` and `fristvakt holidays` (see cli_calc.h). They show the
 * counting that every deadline in fristvakt rests on, in the words a case worker uses:
 * the raw end of the period, each day the end moved past and why, and the due date. Only
 * cal is used, and the deadline rules of the configuration for its office calendars
 * (--calendar) and the citation of the counting rules; no daemon, and nothing else of the
 * configuration (conf_load_rules: no secrets, which a case worker may not read). The
 * counting itself is built in and needs no configuration, so without one it is explained
 * without a citation.
 */
#include "cli/cli_calc.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "build_config.h"
#include "core/cal.h"
#include "cli/cli.h"
#include "cli/cli_text.h"
#include "conf/conf.h"
#include "core/rules.h"
#include "core/util.h"

#define EXIT_ERROR 1
#define EXIT_USAGE 2

static const char deadline_usage[] =
	"Usage: fristvakt deadline --from DATE --period PERIOD [--calendar NAME] [--json]\n"
	"\n"
	"Count PERIOD from DATE (YYYY-MM-DD) the way Norwegian administrative deadlines are\n"
	"counted and print the due date with its explanation, citing the counting rules as\n"
	"the configuration's citations name them (when it can be read).\n"
	"\n"
	"  --from DATE      the day of the triggering event (not itself counted)\n"
	"  --period PERIOD  a number and a unit: 14d days, 3w weeks, 1m months, 1y years\n"
	"  --calendar NAME  also skip the closed days of this office calendar from the\n"
	"                   configuration (by law only Saturdays, Sundays, public holidays,\n"
	"                   1 May and 17 May move a deadline)\n"
	"  --json           print a JSON object instead (the citation in \"source\")\n"
	"  --lang nb|en     the language of the explanation\n"
	"  --help           show this help\n";

static const char holidays_usage[] =
	"Usage: fristvakt holidays YEAR [--json]\n"
	"\n"
	"List the Norwegian public holidays of YEAR (the statutory holidays, and 1 and 17 May)\n"
	"with date, weekday and name.\n"
	"\n"
	"  --json  print a JSON array of {\"date\", \"name\", \"weekday\"} (names in bokmål)\n"
	"  --lang nb|en  the language of the names in the table\n"
	"  --help  show this help\n";

/*
 * The counting rule in words, printed under every computed deadline; its citation (the law
 * may renumber it) follows from the configuration.
 */
static const struct cli_text counting_words = {
	"Telling: dagen fristen løper fra, telles ikke med; en frist i uker ender på samme\n"
	"ukedag, en frist i måneder på samme dato (eller siste dag i en kortere måned); faller\n"
	"siste dag på en lørdag, søndag, helligdag, 1. eller 17. mai, flyttes fristen til\n"
	"nærmeste virkedag.\n",
	"Counting: the day the period runs from is not counted; a period in weeks ends on the\n"
	"same weekday, in months on the same day of the month (or the last day of a shorter\n"
	"month); a last day that is a Saturday, Sunday, public holiday, 1 May or 17 May moves\n"
	"to the next day that is none of these.\n",
};

/* The parts of a computed deadline's lines, one fact each. */
static const struct cli_text due_word = { "Frist", "Due" };
static const struct cli_text from_word = { "fra", "from" };
static const struct cli_text raw_end_words = { "regnet slutt", "the period ends" };
static const struct cli_text no_move_line = {
	"Siste dag er en virkedag: fristen flyttes ikke.\n",
	"The last day is a working day: the deadline does not move.\n",
};
/* Around the office calendar's name. */
static const struct cli_text office_line[2] = {
	{ "Kontorkalenderen «", "The office calendar \"" },
	{ "» teller med: dens stengte dager flytter også fristen.\n",
	  "\" counts: its closed days move the deadline too.\n" },
};
static const struct cli_text unused_line = {
	"Kontorkalendere ikke regnet med (--calendar NAVN tar én med):",
	"Office calendars not applied (--calendar NAME applies one):",
};
static const struct cli_text source_word = { "Hjemmel", "Legal basis" };

/* Reports the option getopt_long refused: unknown, or missing its value. */
static void
bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "fristvakt %s: option '%s' needs a value\n", cmd, arg);
	else if (optopt && strncmp(arg, "--", 2) != 0)
		fprintf(stderr, "fristvakt %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "fristvakt %s: unknown option '%s'\n", cmd, arg);
}

static int
parse_date_arg(const char *cmd, const char *s, struct cal_date *out)
{
	int ret = cal_date_parse(s, out);

	if (ret == -ERANGE)
		fprintf(stderr, "fristvakt %s: date '%s' is outside the years %d-%d\n", cmd, s,
			CAL_YEAR_MIN, CAL_YEAR_MAX);
	else if (ret < 0)
		fprintf(stderr,
			"fristvakt %s: invalid date '%s' (expected a real day as YYYY-MM-DD)\n",
			cmd, s);
	return ret;
}

static json_t *
jdate(struct cal_date d)
{
	char buf[CAL_DATE_LEN];

	return json_string(cal_date_format(d, buf));
}

/*
 * The office calendars of the configuration not applied (none with --calendar): said, so
 * that leaving them out is a visible choice, not a silent one.
 */
static json_t *
unused_offices(const struct rules *rules, const struct cal_office *office)
{
	json_t *a = json_array();
	size_t n = rules ? rules_office_count(rules) : 0;

	for (size_t i = 0; i < n && !office; i++)
		json_array_append_new(a, json_string(rules_office_at(rules, i)->name));
	return a;
}

static void
print_deadline(enum cli_lang lang, struct cal_date from, struct cal_period p, struct cal_date raw,
	       struct cal_date due, const struct cal_step *steps, size_t n_steps,
	       const struct cal_office *office, const char *source, json_t *unused)
{
	char b1[CAL_DATE_LEN], b2[CAL_DATE_LEN], words[CAL_PERIOD_WORDS_LEN];
	size_t k;
	json_t *v;

	printf("%s: %s (%s)\n", cli_text_in(lang, &due_word), cal_date_format(due, b1),
	       cli_text_weekday(lang, cal_weekday(due)));
	printf("%s %s %s (%s): %s %s (%s).\n", cli_text_period(lang, p, words),
	       cli_text_in(lang, &from_word), cal_date_format(from, b1),
	       cli_text_weekday(lang, cal_weekday(from)), cli_text_in(lang, &raw_end_words),
	       cal_date_format(raw, b2), cli_text_weekday(lang, cal_weekday(raw)));
	for (size_t i = 0; i < n_steps; i++)
		printf("%s %s → %s\n", cal_date_format(steps[i].day, b1),
		       cli_text_why(lang, steps[i].why),
		       cal_date_format(cal_add_days(steps[i].day, 1), b2));
	if (n_steps == 0)
		printf("%s", cli_text_in(lang, &no_move_line));
	if (office)
		printf("%s%s%s", cli_text_in(lang, &office_line[0]), office->name,
		       cli_text_in(lang, &office_line[1]));
	if (json_array_size(unused) > 0) {
		printf("%s", cli_text_in(lang, &unused_line));
		json_array_foreach(unused, k, v)
			printf("%s %s", k ? "," : "", json_string_value(v));
		printf(".\n");
	}
	printf("%s", cli_text_in(lang, &counting_words));
	if (source)
		printf("%s: %.*s.\n", cli_text_in(lang, &source_word), (int)strcspn(source, "."),
		       source);
}

static void
print_deadline_json(struct cal_date from, struct cal_period p, struct cal_date raw,
		    struct cal_date due, const struct cal_step *steps, size_t n_steps,
		    const struct cal_office *office, const char *source, json_t *unused)
{
	char buf[CAL_PERIOD_LEN];
	json_t *o = json_object(), *a = json_array(), *s;
	char *text;

	for (size_t i = 0; i < n_steps; i++) {
		s = json_object();
		json_object_set_new(s, "day", jdate(steps[i].day));
		json_object_set_new(s, "why", json_string(steps[i].why));
		json_object_set_new(s, "to", jdate(cal_add_days(steps[i].day, 1)));
		json_array_append_new(a, s);
	}
	json_object_set_new(o, "from", jdate(from));
	json_object_set_new(o, "period", json_string(cal_period_format(p, buf)));
	json_object_set_new(o, "raw_end", jdate(raw));
	json_object_set_new(o, "steps", a);
	json_object_set_new(o, "calendar", office ? json_string(office->name) : json_null());
	json_object_set(o, "calendars_not_applied", unused);
	json_object_set_new(o, "due", jdate(due));
	json_object_set_new(o, "weekday", json_string(cal_weekday_name(cal_weekday(due))));
	json_object_set_new(o, "source", source ? json_string(source) : json_null());
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

/*
 * The deadline rules of the configuration at path into *rules, or an exit status. With
 * --calendar (needed) they must load. Otherwise they supply the citation and the names of
 * the calendars not applied: a file that cannot be read is skipped, one that fails to load
 * costs the citation and a note on stderr, never the answer.
 */
static int
load_rules(const char *path, bool needed, struct rules **rules)
{
	struct diag err = { { 0 } };

	if (!path && needed) {
		fprintf(stderr, "fristvakt deadline: --calendar needs a configuration file\n");
		return EXIT_USAGE;
	}
	if (!path || (!needed && access(path, R_OK) != 0))
		return 0;
	if (conf_load_rules(path, rules, &err) < 0) {
		if (needed) {
			fprintf(stderr, "fristvakt deadline: %s\n", err.text);
			return EXIT_ERROR;
		}
		fprintf(stderr, "fristvakt deadline: configuration not used, no citation: %s\n",
			err.text);
	}
	return 0;
}

/* The office calendar called name from the loaded configuration, or an exit status. */
static int
find_office(const struct rules *rules, const char *name, const struct cal_office **office)
{
	char known[256] = "";
	size_t used = 0, n;

	*office = rules_office(rules, name);
	if (*office)
		return 0;
	n = rules_office_count(rules);
	for (size_t i = 0; i < n && used < sizeof(known); i++) {
		int w = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
				 rules_office_at(rules, i)->name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	fprintf(stderr, "fristvakt deadline: unknown calendar '%s' (known: %s)\n", name,
		n ? known : "none");
	return EXIT_USAGE;
}

/* What `fristvakt deadline` was given. */
struct deadline_args {
	const char *from;
	const char *period;
	const char *calendar;
	enum cli_lang lang;
	bool json;
};

/*
 * The options of deadline into *x. Returns 1 to go on, 0 when help was shown, -1 on a
 * usage error (message printed).
 */
static int
deadline_options(int argc, char **argv, struct deadline_args *x)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "period", required_argument, NULL, 'p' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Start afresh: the caller may have run getopt over its own options. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			x->from = optarg;
			break;
		case 'p':
			x->period = optarg;
			break;
		case 'c':
			x->calendar = optarg;
			break;
		case 'j':
			x->json = true;
			break;
		case 'L':
			if (cli_lang_parse(optarg, &x->lang) < 0) {
				fprintf(stderr, "fristvakt deadline: --lang must be nb or en\n");
				return -1;
			}
			break;
		case 'h':
			fputs(deadline_usage, stdout);
			return 0;
		default:
			bad_option("deadline", c, argv);
			return -1;
		}
	}
	return 1;
}

/* The arguments of deadline checked, the start and the period parsed; 0 or EXIT_USAGE. */
static int
deadline_check(int argc, char **argv, const struct deadline_args *x, struct cal_date *from,
	       struct cal_period *p)
{
	if (optind < argc) {
		fprintf(stderr, "fristvakt deadline: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!x->from || !x->period) {
		fprintf(stderr,
			"fristvakt deadline: missing %s (try 'fristvakt deadline --help')\n",
			!x->from ? "--from DATE" : "--period PERIOD");
		return EXIT_USAGE;
	}
	if (parse_date_arg("deadline", x->from, from) < 0)
		return EXIT_USAGE;
	if (cal_period_parse(x->period, p) < 0) {
		fprintf(stderr,
			"fristvakt deadline: invalid period '%s' (expected a number up to %d "
			"and d, w, m or y, such as 3w, 4w, 14d, 1m)\n",
			x->period, CAL_PERIOD_MAX);
		return EXIT_USAGE;
	}
	return 0;
}

int
cli_calc_deadline(int argc, char **argv, const char *config_path)
{
	struct deadline_args x = { .lang = CLI_LANG_NB };
	const char *source = NULL;
	const struct cal_office *office = NULL;
	struct cal_step steps[CAL_MAX_STEPS];
	struct cal_date from, raw, due;
	struct rules *rules = NULL;
	json_t *unused = NULL;
	struct cal_period p;
	size_t n_steps = 0;
	int ret = deadline_options(argc, argv, &x);

	if (ret <= 0)
		return ret < 0 ? EXIT_USAGE : 0;
	if ((ret = deadline_check(argc, argv, &x, &from, &p)) != 0)
		goto out;
	if ((ret = load_rules(config_path, x.calendar != NULL, &rules)) != 0 ||
	    (x.calendar && (ret = find_office(rules, x.calendar, &office)) != 0))
		goto out;
	/* The counting of the law in force on the day the period runs from. */
	if (rules)
		source = rules_citation(rules, RULES_CITATION_COUNTING, from);
	unused = unused_offices(rules, office);
	ret = EXIT_USAGE;
	if (cal_add_period(from, p, &raw) < 0 ||
	    cal_roll_forward(office, raw, &due, steps, CAL_MAX_STEPS, &n_steps) < 0) {
		fprintf(stderr, "fristvakt deadline: %s from %s ends outside the years %d-%d\n",
			x.period, x.from, CAL_YEAR_MIN, CAL_YEAR_MAX);
		goto out;
	}
	if (x.json)
		print_deadline_json(from, p, raw, due, steps, n_steps, office, source, unused);
	else
		print_deadline(x.lang, from, p, raw, due, steps, n_steps, office, source, unused);
	ret = 0;
out:
	json_decref(unused);
	rules_free(rules);
	return ret;
}

/* Display width of UTF-8 text: the code points (every Norwegian name is one column each). */
static int
width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * The options of holidays into *lang and *json. Returns 1 to go on, 0 when help was shown,
 * -1 on a usage error (message printed).
 */
static int
holidays_options(int argc, char **argv, enum cli_lang *lang, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'L':
			if (cli_lang_parse(optarg, lang) < 0) {
				fprintf(stderr, "fristvakt holidays: --lang must be nb or en\n");
				return -1;
			}
			break;
		case 'h':
			fputs(holidays_usage, stdout);
			return 0;
		default:
			bad_option("holidays", c, argv);
			return -1;
		}
	}
	return 1;
}

/* The YEAR argument of holidays into *year; false (message printed) when it is none. */
static bool
holidays_year(int argc, char **argv, int64_t *year)
{
	if (optind >= argc) {
		fprintf(stderr,
			"fristvakt holidays: missing YEAR (try 'fristvakt holidays --help')\n");
		return false;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "fristvakt holidays: unexpected argument '%s'\n", argv[optind + 1]);
		return false;
	}
	switch (fv_parse_i64(argv[optind], CAL_YEAR_MIN, CAL_YEAR_MAX, year)) {
	case 0:
		return true;
	case -ERANGE:
		fprintf(stderr, "fristvakt holidays: year '%s' is outside %d-%d\n", argv[optind],
			CAL_YEAR_MIN, CAL_YEAR_MAX);
		return false;
	default:
		fprintf(stderr, "fristvakt holidays: invalid year '%s'\n", argv[optind]);
		return false;
	}
}

/* The holidays as a JSON array of {"date", "name", "weekday"}, names in bokmål. */
static void
print_holidays_json(const struct cal_holiday_entry *h, size_t n)
{
	json_t *a = json_array();
	char buf[CAL_DATE_LEN], *text;

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "date", json_string(cal_date_format(h[i].date, buf)));
		json_object_set_new(o, "name", json_string(cal_holiday_name(h[i].holiday)));
		json_object_set_new(o, "weekday",
				    json_string(cal_weekday_name(cal_weekday(h[i].date))));
		json_array_append_new(a, o);
	}
	text = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(a);
}

int
cli_calc_holidays(int argc, char **argv)
{
	enum cli_lang lang = CLI_LANG_NB;
	struct cal_holiday_entry h[CAL_HOLIDAY_COUNT];
	char buf[CAL_DATE_LEN];
	bool json = false;
	int64_t year;
	size_t n;
	int ret = holidays_options(argc, argv, &lang, &json);

	if (ret <= 0)
		return ret < 0 ? EXIT_USAGE : 0;
	if (!holidays_year(argc, argv, &year))
		return EXIT_USAGE;
	n = cal_holidays((int)year, h);
	if (json) {
		print_holidays_json(h, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *wd = cli_text_weekday(lang, cal_weekday(h[i].date));
		/* The longest weekday name: "torsdag", "Wednesday". */
		int col = lang == CLI_LANG_EN ? 9 : 7;

		printf("%s  %s%*s  %s\n", cal_date_format(h[i].date, buf), wd, col - width(wd), "",
		       cli_text_holiday(lang, h[i].holiday));
	}
	return 0;
}

/* The calculator commands parse their own options; a global --json is passed on. */
static int
with_json(struct cli *cli, int argc, char **argv, int (*fn)(int, char **, const char *))
{
	char **v = xcalloc((size_t)argc + 4, sizeof(*v));
	int ret;

	/* The run's language first: a --lang of the command's own, later, overrides it. */
	v[0] = argv[0];
	v[1] = (char *)"--lang";
	v[2] = (char *)(cli->lang == CLI_LANG_EN ? "en" : "nb");
	memcpy(v + 3, argv + 1, (size_t)(argc - 1) * sizeof(*v));
	argc += 2;
	if (cli->json)
		v[argc++] = (char *)"--json";
	optind = 0;
	ret = fn(argc, v, cli->config ? cli->config : FV_DEFAULT_CONFIG);
	free(v);
	return ret;
}

static int
holidays_adapter(int argc, char **argv, const char *config)
{
	(void)config;
	return cli_calc_holidays(argc, argv);
}

static int
cmd_deadline(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_json(cli, argc, argv, cli_calc_deadline);
}

static int
cmd_holidays(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	(void)cmd;
	return with_json(cli, argc, argv, holidays_adapter);
}

const struct cli_command cli_calc_cmd_deadline = {
	.name = "deadline",
	.args = "--from DATE --period PERIOD [--calendar NAME] [--json]",
	.brief = "compute a deadline without a daemon",
	.help = "Compute a deadline without a daemon: PERIOD counted from DATE (YYYY-MM-DD) the\n"
		"way the law counts deadlines, e.g. --period 3w, 4w, 14d, 1m. --calendar names an\n"
		"office calendar of the configuration whose closed days also move the deadline.\n",
	.run = cmd_deadline,
};

const struct cli_command cli_calc_cmd_holidays = {
	.name = "holidays",
	.args = "YEAR [--json]",
	.brief = "list the Norwegian public holidays of a year",
	.help = "List the Norwegian public holidays of YEAR with their names.\n",
	.run = cmd_holidays,
};
