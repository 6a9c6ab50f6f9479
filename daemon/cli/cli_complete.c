// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_complete: `fristvakt completion bash|cases|services` (hidden from the command list).
 *
 * The bash script is generated, never written by hand: the commands and sub-commands come
 * from the command table, and each command's options from what its --help shows people —
 * the synopsis (".args") and the option lines of its help text ("  --service ID   ...") —
 * so an option documented for a command is completed for it, with the options every
 * command takes (--json, --lang, --config, --socket) and, for a group that runs a
 * sub-command alone, that sub-command's. The build runs the CLI it has just linked to
 * write the script that is installed (CMakeLists.txt), and
 * tests/integration/test_completion.py checks both ways: every option offered is one the
 * command accepts, and every option name any command knows that a command accepts is
 * offered for it. Arguments and option values named REF are completed with the daemon's case
 * references and --service with the services of its configuration, when the daemon
 * answers; FILE and PATH with file names; a value written as alternatives ("nb|en") with
 * those.
 */
#include "cli/cli_complete.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cli/cli_verbs.h"
#include "core/util.h"

/* The longest option name or metavar kept, and the options of one command. */
#define WORD_MAX 48
#define OPTS_MAX 64

struct copt {
	char name[WORD_MAX];	/* "--service" or "-s" */
	char metavar[WORD_MAX]; /* "ID", "nb|en"; empty when it takes no value */
};

struct copts {
	struct copt v[OPTS_MAX];
	size_t n;
};

/* Copies the n bytes at s into a WORD_MAX buffer; false when they do not fit. */
static bool
word_copy(char *dst, const char *s, size_t n)
{
	if (n == 0 || n >= WORD_MAX)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* Adds an option once; a later mention with a value gives it that value. */
static void
opt_add(struct copts *o, const char *name, size_t nlen, const char *mv, size_t mlen)
{
	struct copt c = { .name = "" };

	if (!word_copy(c.name, name, nlen))
		return;
	if (mlen)
		word_copy(c.metavar, mv, mlen);
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->v[i].name, c.name) == 0) {
			if (!o->v[i].metavar[0])
				memcpy(o->v[i].metavar, c.metavar, sizeof(c.metavar));
			return;
		}
	}
	FV_ASSERT(o->n < OPTS_MAX);
	o->v[o->n++] = c;
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/*
 * One option at s ("-s", "--socket"): its name's length into *nlen and, when a single blank
 * and a value follow, the value and its length (with trailing "]" or "," removed). In a
 * synopsis (strict) only a value in capitals or one of alternatives counts, so that
 * "[--format jsonl|csv|ics [--keep-past]]" gives --format a value and --keep-past none.
 */
static const char *
opt_scan(const char *s, size_t *nlen, size_t *mlen, bool strict)
{
	const char *p = s + (s[1] == '-' ? 2 : 1), *mv;
	bool caps = true, alts = false;

	while (name_char(*p))
		p++;
	*nlen = (size_t)(p - s);
	*mlen = 0;
	if (p[0] != ' ' || p[1] == ' ' || p[1] == '-' || p[1] == '[' || p[1] == '|' ||
	    p[1] == '\0' || p[1] == '\n')
		return NULL;
	mv = p + 1;
	for (p = mv; *p && *p != ' ' && *p != '\n' && *p != ']' && *p != ','; p++) {
		if (islower((unsigned char)*p))
			caps = false;
		if (*p == '|')
			alts = true;
	}
	if (strict && !caps && !alts)
		return NULL;
	*mlen = (size_t)(p - mv);
	return mv;
}

/* The options a synopsis names: every "--name" after a blank, "[" or "|". */
static void
opts_from_synopsis(struct copts *o, const char *s)
{
	for (const char *p = s; *p; p++) {
		size_t nlen, mlen;
		const char *mv;

		if (p[0] != '-' || p[1] != '-' || (p != s && !strchr(" [|", p[-1])))
			continue;
		mv = opt_scan(p, &nlen, &mlen, true);
		opt_add(o, p, nlen, mv, mlen);
		p += nlen - 1;
	}
}

/* The options of a help text's option lines: "  -s, --socket PATH   what it is". */
static void
opts_from_help(struct copts *o, const char *text)
{
	for (const char *line = text, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
		const char *p = line;

		nl = strchr(line, '\n');
		while (*p == ' ')
			p++;
		if (p == line || p[0] != '-' || !name_char(p[1]))
			continue;
		for (;;) {
			size_t nlen, mlen;
			const char *mv = opt_scan(p, &nlen, &mlen, false);

			/* "-s, --socket PATH": the short form takes the long one's value. */
			if (p[1] != '-' && p[nlen] == ',' && p[nlen + 1] == ' ' &&
			    p[nlen + 2] == '-') {
				const char *lng = p + nlen + 2;
				size_t lnlen, lmlen;
				const char *lmv = opt_scan(lng, &lnlen, &lmlen, false);

				opt_add(o, p, nlen, lmv, lmlen);
				p = lng;
				continue;
			}
			opt_add(o, p, nlen, mv, mlen);
			break;
		}
	}
}

/* What `fristvakt --help` prints, owned. */
static char *
usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	FV_ASSERT(f);
	cli_usage(f);
	FV_ASSERT(fclose(f) == 0);
	return buf;
}

/* The capitalised words a synopsis starts with: "REF", "KIND STAGE", "FILE". */
static void
print_args(const char *args)
{
	const char *p = args;
	bool first = true;

	for (;;) {
		const char *w = p;

		while (isupper((unsigned char)*p) || *p == '_')
			p++;
		if (p == w || (*p != ' ' && *p != '\0'))
			break;
		printf("%s%.*s", first ? "" : " ", (int)(p - w), w);
		first = false;
		if (*p == '\0')
			break;
		p++;
	}
}

/*
 * What every command takes besides its own options (cli.h's CLI_COMMON_OPTIONS but
 * --help, which comes last, and main's --config and --socket, which may follow the
 * command too), with their values as completion offers them.
 */
static const struct copt common_opts[] = {
	{ "--json", "" },
	{ "--lang", "nb|en" },
	{ "--config", "FILE" },
	{ "--socket", "PATH" },
};

/* The options of cmd's synopsis and help text into o. */
static void
opts_of(struct copts *o, const struct cli_command *cmd)
{
	opts_from_synopsis(o, cmd->args);
	opts_from_help(o, cmd->help);
}

/* The options a command (NULL: the general ones) is completed with. */
static void
spec_options(struct copts *o, const struct cli_command *cmd)
{
	if (!cmd) {
		char *text = usage_text();

		opts_from_help(o, text);
		free(text);
		return;
	}
	/* A group that is not also a command takes only --help before its sub-command. */
	if (cmd->run || !cmd->subs) {
		opts_of(o, cmd);
		/* A group that runs one of its sub-commands alone ("reminders" lists) takes
		 * its options too. */
		for (const struct cli_command *const *s = cmd->subs; s && *s; s++) {
			if ((*s)->run == cmd->run)
				opts_of(o, *s);
		}
		for (size_t i = 0; i < FV_ARRAY_SIZE(common_opts); i++)
			opt_add(o, common_opts[i].name, strlen(common_opts[i].name),
				common_opts[i].metavar, strlen(common_opts[i].metavar));
	}
	opt_add(o, "--help", 6, NULL, 0);
}

/* The words after a command (NULL: the commands, but hidden ones). */
static void
print_subs(const struct cli_command *cmd)
{
	if (!cmd) {
		size_t n;
		const struct cli_command *const *t = cli_command_table(&n);
		bool first = true;

		for (size_t i = 0; i < n; i++) {
			if (t[i]->hidden)
				continue;
			printf("%s%s", first ? "" : " ", t[i]->name);
			first = false;
		}
	} else if (cmd->subs) {
		for (const struct cli_command *const *s = cmd->subs; *s; s++)
			printf("%s%s", s == cmd->subs ? "" : " ", cli_command_word(*s));
	}
}

/* One case of _fristvakt_spec: cmd NULL is the general options and the command words. */
static void
print_spec(const struct cli_command *cmd)
{
	struct copts o = { .n = 0 };
	size_t n = 0;

	spec_options(&o, cmd);
	printf("\t'%s')\n\t\tsubs='", cmd ? cmd->name : "");
	print_subs(cmd);
	printf("'\n\t\topts='");
	for (size_t i = 0; i < o.n; i++)
		printf("%s%s", i ? " " : "", o.v[i].name);
	printf("'\n\t\tvopts='");
	for (size_t i = 0; i < o.n; i++) {
		if (o.v[i].metavar[0])
			printf("%s%s=%s", n++ ? " " : "", o.v[i].name, o.v[i].metavar);
	}
	printf("'\n\t\targs='");
	if (cmd && !cmd->subs)
		print_args(cmd->args);
	printf("'\n\t\t;;\n");
}

/* The part of the script that does not depend on the table. */
static const char script_body[] =
	"}\n"
	"\n"
	"# The value of option $2 of command $1 (its metavar), or status 1 when it takes none.\n"
	"_fristvakt_metavar()\n"
	"{\n"
	"\tlocal subs opts vopts args v\n"
	"\t_fristvakt_spec \"$1\"\n"
	"\tfor v in $vopts; do\n"
	"\t\tif [[ ${v%%=*} == \"$2\" ]]; then\n"
	"\t\t\tprintf '%s\\n' \"${v#*=}\"\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\tdone\n"
	"\treturn 1\n"
	"}\n"
	"\n"
	"# Words the daemon knows ($1: cases or services; $2: what is typed), asked with the\n"
	"# line's own --socket and --config; nothing when it does not answer within 2 seconds.\n"
	"_fristvakt_daemon()\n"
	"{\n"
	"\ttimeout 2 \"${_fristvakt_conn[@]}\" completion \"$1\" \"$2\" 2>/dev/null\n"
	"}\n"
	"\n"
	"# Completes the value of option $1 (empty for an argument) whose metavar is $2.\n"
	"_fristvakt_values()\n"
	"{\n"
	"\tcase $1:$2 in\n"
	"\t--service:*)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$(_fristvakt_daemon services \"$cur\")\" \\\n"
	"\t\t\t-- \"$cur\")\n"
	"\t\t;;\n"
	"\t*:REF)\n"
	"\t\tmapfile -t COMPREPLY < <(_fristvakt_daemon cases \"$cur\")\n"
	"\t\t;;\n"
	"\t*:FILE | *:PATH)\n"
	"\t\t_filedir\n"
	"\t\t;;\n"
	"\t*'|'*)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"${2//|/ }\" -- \"$cur\")\n"
	"\t\t;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"_fristvakt()\n"
	"{\n"
	"\tlocal cur prev words cword split\n"
	"\t_init_completion -s || return\n"
	"\n"
	"\tlocal subs opts vopts args cmd='' w i=1\n"
	"\tlocal -a pos=() _fristvakt_conn=(\"$1\")\n"
	"\t# The general options and the command (a group's word and its sub-command's), then\n"
	"\t# the command's arguments; an option's value is not an argument.\n"
	"\twhile ((i < cword)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif [[ -z $cmd ]]; then\n"
	"\t\t\tcase $w in\n"
	"\t\t\t-s | --socket | -c | --config)\n"
	"\t\t\t\t((i + 1 < cword)) && _fristvakt_conn+=(\"$w\" \"${words[i + 1]}\")\n"
	"\t\t\t\t((i += 2))\n"
	"\t\t\t\tcontinue\n"
	"\t\t\t\t;;\n"
	"\t\t\t--socket=* | --config=*)\n"
	"\t\t\t\t_fristvakt_conn+=(\"$w\")\n"
	"\t\t\t\t;;\n"
	"\t\t\t-*)\n"
	"\t\t\t\t_fristvakt_metavar '' \"$w\" >/dev/null && ((i++))\n"
	"\t\t\t\t;;\n"
	"\t\t\t*)\n"
	"\t\t\t\tcmd=$w\n"
	"\t\t\t\t_fristvakt_spec \"$cmd\"\n"
	"\t\t\t\tif [[ -n $subs ]] && ((i + 1 < cword)) &&\n"
	"\t\t\t\t\t[[ \" $subs \" == *\" ${words[i + 1]} \"* ]]; then\n"
	"\t\t\t\t\tcmd=\"$cmd ${words[i + 1]}\"\n"
	"\t\t\t\t\t((i++))\n"
	"\t\t\t\tfi\n"
	"\t\t\t\t;;\n"
	"\t\t\tesac\n"
	"\t\telif [[ $w == -* ]]; then\n"
	"\t\t\t[[ $w != *=* ]] && _fristvakt_metavar \"$cmd\" \"$w\" >/dev/null && ((i++))\n"
	"\t\telse\n"
	"\t\t\tpos+=(\"$w\")\n"
	"\t\tfi\n"
	"\t\t((i++))\n"
	"\tdone\n"
	"\n"
	"\tlocal m\n"
	"\tif m=$(_fristvakt_metavar \"$cmd\" \"$prev\"); then\n"
	"\t\t_fristvakt_values \"$prev\" \"$m\"\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t_fristvakt_spec \"$cmd\"\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -z $cmd || $cmd == help ]]; then\n"
	"\t\t# A command, or for help the command and then its sub-command.\n"
	"\t\tif [[ -n $cmd ]]; then\n"
	"\t\t\t((${#pos[@]} > 1)) && return\n"
	"\t\t\t_fristvakt_spec \"${pos[0]-}\"\n"
	"\t\tfi\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$subs\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -n $subs && ${#pos[@]} -eq 0 ]]; then\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$subs\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tlocal -a a\n"
	"\tread -ra a <<<\"$args\"\n"
	"\tif ((${#pos[@]} < ${#a[@]})); then\n"
	"\t\t_fristvakt_values '' \"${a[${#pos[@]}]}\"\n"
	"\tfi\n"
	"} &&\n"
	"\tcomplete -F _fristvakt fristvakt\n";

static int
complete_bash(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_command *const *t;
	size_t n;
	int ret = cli_simple_options(cli, cmd, argc, argv, 0);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	printf("# bash completion for fristvakt(1) %s -*- shell-script -*-\n"
	       "# Generated by `fristvakt completion bash` from the CLI's command table and the\n"
	       "# options its --help names: do not edit, regenerate.\n"
	       "\n"
	       "# Sets subs (sub-commands; for '' the commands), opts (options), vopts (those\n"
	       "# that take a value, as OPTION=METAVAR) and args (its arguments) of command $1\n"
	       "# ('' for the general options).\n"
	       "_fristvakt_spec()\n"
	       "{\n"
	       "\tcase $1 in\n",
	       FV_VERSION);
	print_spec(NULL);
	t = cli_command_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (t[i]->hidden)
			continue;
		print_spec(t[i]);
		for (const struct cli_command *const *s = t[i]->subs; s && *s; s++)
			print_spec(*s);
	}
	printf("\t*)\n\t\tsubs='' opts='' vopts='' args=''\n\t\t;;\n\tesac\n");
	fputs(script_body, stdout);
	return 0;
}

/* The newest cases (one page of the listing) whose reference starts with argv[1]. */
static int
complete_cases(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const char *prefix;
	json_t *r, *c;
	size_t i;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	prefix = optind < argc ? argv[optind] : "";
	ret = cli_call(cli, "no.fristvakt.ListCases", json_pack("{si}", "limit", CLI_PAGE_MAX), &r);
	if (ret != 0)
		return ret;
	json_array_foreach(json_object_get(r, "cases"), i, c)
	{
		const char *ref = json_string_value(json_object_get(c, "reference"));

		if (ref && strncmp(ref, prefix, strlen(prefix)) == 0)
			printf("%s\n", ref);
	}
	json_decref(r);
	return 0;
}

/* The services of the daemon's configuration. */
static int
complete_services(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	json_t *r, *s;
	size_t i;
	int ret = cli_simple_options(cli, cmd, argc, argv, 1);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	if ((ret = cli_call(cli, "no.fristvakt.Status", NULL, &r)) != 0)
		return ret;
	json_array_foreach(json_object_get(r, "services"), i, s)
		printf("%s\n", json_string_value(s));
	json_decref(r);
	return 0;
}

static const struct cli_command completion_bash = {
	.name = "completion bash",
	.args = "",
	.brief = "write the bash completion script",
	.help = "Write the bash completion script for fristvakt to standard output (installed as\n"
		"/usr/share/bash-completion/completions/fristvakt).\n",
	.run = complete_bash,
};

static const struct cli_command completion_cases = {
	.name = "completion cases",
	.args = "[PREFIX]",
	.brief = "list case references for completion",
	.help = "The references of the newest 1000 cases that start with PREFIX, one a line.\n"
		"Needs the read role.\n",
	.run = complete_cases,
};

static const struct cli_command completion_services = {
	.name = "completion services",
	.args = "[PREFIX]",
	.brief = "list the daemon's services for completion",
	.help = "The ids of the services of the daemon's configuration, one a line. Needs the\n"
		"read role.\n",
	.run = complete_services,
};

static const struct cli_command *const completion_subs[] = {
	&completion_bash,
	&completion_cases,
	&completion_services,
	NULL,
};

const struct cli_command cli_complete_cmd_completion = {
	.name = "completion",
	.args = "COMMAND",
	.brief = "shell completion (not listed)",
	.help = "Shell completion: the script, and the words the daemon knows.\n",
	.subs = completion_subs,
	.hidden = true,
};
