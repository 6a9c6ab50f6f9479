// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_verbs: the table of the CLI's commands (see cli_verbs.h), their lookup, the usage
 * texts made from it, `fristvakt help` and the dispatch of a command line: the first word
 * selects a row; a group's second word selects its sub-command.
 */
#include "cli/cli_verbs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cli/cli_calc.h"
#include "cli/cli_case.h"
#include "cli/cli_complete.h"
#include "cli/cli_maint.h"
#include "cli/cli_metrics.h"
#include "cli/cli_purge.h"
#include "cli/cli_remind.h"
#include "cli/cli_report.h"
#include "cli/cli_status.h"
#include "cli/cli_text.h"
#include "core/rules.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/vocab.h"

static bool
is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

const char *
cli_command_word(const struct cli_command *cmd)
{
	const char *sp = strrchr(cmd->name, ' ');

	return sp ? sp + 1 : cmd->name;
}

/* The kinds whose row's office flag is office, as "a, b and c", into b. */
static void
put_kinds_of(struct strbuf *b, bool office)
{
	int n = 0, total = 0;

	for (int k = 0; k < RULES_KIND_COUNT; k++)
		total += vocab_kind_row((enum rules_kind)k)->office == office;
	for (int k = 0; k < RULES_KIND_COUNT; k++) {
		if (vocab_kind_row((enum rules_kind)k)->office != office)
			continue;
		strbuf_printf(b, "%s%s",
			      n == 0	      ? ""
			      : n + 1 < total ? ", "
					      : " and ",
			      rules_kind_name((enum rules_kind)k));
		n++;
	}
}

/* Appends line p (n bytes, no newline) to b, broken at spaces into lines of 80 columns. */
static void
put_wrapped(struct strbuf *b, const char *p, size_t n)
{
	size_t col = 0, i = 0;

	while (i < n) {
		size_t w = 0, ww;

		while (i < n && p[i] == ' ')
			i++;
		while (i + w < n && p[i + w] != ' ')
			w++;
		if (w == 0)
			break;
		ww = fv_utf8_chars(p + i, w);
		if (col > 0 && col + 1 + ww > 80) {
			strbuf_putc(b, '\n');
			col = 0;
		} else if (col > 0) {
			strbuf_putc(b, ' ');
			col++;
		}
		strbuf_add(b, p + i, w);
		col += ww;
		i += w;
	}
}

/* Fills in the placeholders of line p (n bytes) into b. */
static void
put_expanded(struct strbuf *b, const char *p, size_t n)
{
	static const char *const names[] = { "{kinds}", "{office_kinds}", "{party_kinds}" };

	for (size_t i = 0; i < n;) {
		size_t k = 0;

		while (k < FV_ARRAY_SIZE(names) &&
		       (n - i < strlen(names[k]) ||
			strncmp(p + i, names[k], strlen(names[k])) != 0))
			k++;
		if (k == FV_ARRAY_SIZE(names)) {
			strbuf_putc(b, p[i++]);
			continue;
		}
		if (k == 0) {
			char *all = vocab_kind_names(" or ");

			strbuf_puts(b, all);
			free(all);
		} else {
			put_kinds_of(b, k == 1);
		}
		i += strlen(names[k]);
	}
}

char *
cli_help_text(const char *help)
{
	struct strbuf out = { 0 }, line = { 0 };
	const char *p = help;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (memchr(p, '{', n)) {
			strbuf_reset(&line);
			put_expanded(&line, p, n);
			put_wrapped(&out, strbuf_str(&line), line.len);
		} else {
			strbuf_add(&out, p, n);
		}
		if (!nl)
			break;
		strbuf_putc(&out, '\n');
		p = nl + 1;
	}
	strbuf_free(&line);
	return strbuf_take(&out);
}

void
cli_command_usage(FILE *f, const struct cli_command *cmd)
{
	char *help = cli_help_text(cmd->help);

	fprintf(f, "Usage: fristvakt [OPTIONS] %s%s%s\n\n%s", cmd->name, cmd->args[0] ? " " : "",
		cmd->args, help);
	if (help[0] && help[strlen(help) - 1] != '\n')
		fputc('\n', f);
	free(help);
	if (!cmd->subs)
		return;
	fprintf(f, "\nCommands:\n");
	for (const struct cli_command *const *s = cmd->subs; *s; s++)
		fprintf(f, "  %-22s %s\n", (*s)->name, (*s)->brief);
	fprintf(f, "\n'fristvakt %s COMMAND --help' explains one.\n", cmd->name);
}

static int
cmd_help(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_command *c;

	(void)cli;
	if (argc < 2) {
		cli_usage(stdout);
		return 0;
	}
	if (is_help(argv[1])) {
		cli_command_usage(stdout, cmd);
		return 0;
	}
	c = cli_command_find(argv[1]);
	if (c && c->subs && argc > 2) {
		const struct cli_command *sub = cli_command_sub(c, argv[2]);

		if (!sub) {
			fprintf(stderr,
				"fristvakt: unknown command '%s %s' (see fristvakt %s --help)\n",
				argv[1], argv[2], argv[1]);
			return CLI_EXIT_USAGE;
		}
		c = sub;
	}
	if (!c) {
		fprintf(stderr, "fristvakt: unknown command '%s'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	cli_command_usage(stdout, c);
	return 0;
}

static const struct cli_command help_command = {
	.name = "help",
	.args = "[COMMAND [SUBCOMMAND]]",
	.brief = "show help for a command",
	.help = "Show help for a command, e.g. 'fristvakt help case add'.\n",
	.run = cmd_help,
};

/* Every command, in the order --help lists them. */
/* clang-format off */
static const struct cli_command *const commands[] = {
	&cli_status_cmd_status,
	&cli_status_cmd_reload,
	&cli_maint_cmd_backup,
	&cli_maint_cmd_check,
	&cli_metrics_cmd_metrics,
	&cli_report_cmd_report,
	&cli_purge_cmd_purge,
	&cli_case_cmd_case,
	&cli_case_cmd_reply,
	&cli_case_cmd_documentation,
	&cli_case_cmd_decision,
	&cli_case_cmd_reasons,
	&cli_case_cmd_extend,
	&cli_case_cmd_override,
	&cli_case_cmd_complaint,
	&cli_case_cmd_deadlines,
	&cli_case_cmd_audit,
	&cli_case_cmd_import,
	&cli_case_cmd_export,
	&cli_remind_cmd_reminders,
	&cli_remind_cmd_template,
	&cli_remind_cmd_clock,
	&cli_remind_cmd_channels,
	&cli_remind_cmd_channel,
	&cli_calc_cmd_deadline,
	&cli_calc_cmd_holidays,
	&help_command,
	&cli_complete_cmd_completion,
};
/* clang-format on */

const struct cli_command *const *
cli_command_table(size_t *count)
{
	*count = FV_ARRAY_SIZE(commands);
	return commands;
}

const struct cli_command *
cli_command_find(const char *name)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	return NULL;
}

const struct cli_command *
cli_command_sub(const struct cli_command *group, const char *word)
{
	for (const struct cli_command *const *s = group->subs; *s; s++) {
		if (strcmp(cli_command_word(*s), word) == 0)
			return *s;
	}
	return NULL;
}

void
cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: fristvakt [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Control fristvaktd, the deadline daemon, and compute legal deadlines.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   the daemon's control socket (default: $FRISTVAKT_SOCKET,\n"
		"                      else control.socket of the configuration, else %s)\n"
		"  -c, --config PATH   configuration file (default %s)\n"
		"      --json          print JSON for scripts\n"
		"      --lang nb|en    the language of what is printed for people (default:\n"
		"                      reminders.language of the configuration, else LANG)\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"Commands:\n",
		FV_DEFAULT_SOCKET, FV_DEFAULT_CONFIG);
	for (size_t i = 0; i < FV_ARRAY_SIZE(commands); i++) {
		const struct cli_command *c = commands[i];

		if (c->hidden)
			continue;
		if (!c->subs) {
			fprintf(f, "  %-22s %s\n", c->name, c->brief);
			continue;
		}
		for (const struct cli_command *const *s = c->subs; *s; s++)
			fprintf(f, "  %-22s %s\n", (*s)->name, (*s)->brief);
	}
	fprintf(f, "\n'fristvakt help COMMAND' or 'fristvakt COMMAND --help' explains one.\n"
		   "Exit status: 0 success, 1 the daemon answered an error, 2 usage error or no\n"
		   "connection.\n");
}

/*
 * Selects the sub-command of a group from the word after it. Returns the command, or NULL
 * with *status set (help shown: 0; missing or unknown word: 2).
 */
static const struct cli_command *
dispatch_group(const struct cli_command *group, int argc, char **argv, int *status)
{
	const struct cli_command *sub;

	/* A group that is also a command ("reminders" lists) runs itself without a word. */
	if (group->run && (argc < 2 || (argv[1][0] == '-' && !is_help(argv[1]))))
		return group;
	if (argc < 2) {
		fprintf(stderr, "fristvakt %s: which command?\n\n", group->name);
		cli_command_usage(stderr, group);
		*status = CLI_EXIT_USAGE;
		return NULL;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		cli_command_usage(stdout, group);
		*status = 0;
		return NULL;
	}
	sub = cli_command_sub(group, argv[1]);
	if (!sub) {
		fprintf(stderr, "fristvakt: unknown command '%s %s' (see fristvakt %s --help)\n",
			group->name, argv[1], group->name);
		*status = CLI_EXIT_USAGE;
	}
	return sub;
}

int
cli_verbs_run(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = cli_command_find(argv[0]);
	int ret;

	if (!cmd) {
		fprintf(stderr, "fristvakt: unknown command '%s' (see fristvakt --help)\n",
			argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (cmd->subs) {
		const struct cli_command *group = cmd;

		cmd = dispatch_group(group, argc, argv, &ret);
		if (!cmd)
			return ret;
		/* A sub-command's argv starts at its own word. */
		if (cmd != group) {
			argc--;
			argv++;
		}
	}
	return cmd->run(cli, cmd, argc, argv);
}
