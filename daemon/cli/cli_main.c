// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fristvakt's main(): the general options (--socket, --config, --json, --lang, --help,
 * --version), the language when none is given, and the command line handed to the table
 * of commands (cli_verbs.c). Everything else of the CLI is in the fv_cli library.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "cli/cli_verbs.h"
#include "conf/conf.h"
#include "core/util.h"

/*
 * The language when no --lang is given: the configuration's reminders.language (the
 * language of the municipality's messages), then the locale's (LC_ALL, LC_MESSAGES, LANG:
 * nb, nn or no is bokmål, en English), else bokmål.
 */
static enum cli_lang
default_lang(const struct cli *cli)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *path = cli->config ? cli->config : FV_DEFAULT_CONFIG;
	enum cli_lang lang = CLI_LANG_NB;
	char *conf = NULL;

	if (access(path, R_OK) == 0)
		conf = conf_peek_string(path, "reminders.language");
	if (conf && cli_lang_parse(conf, &lang) == 0) {
		free(conf);
		return lang;
	}
	free(conf);
	for (size_t i = 0; i < FV_ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (!v || !*v)
			continue;
		if (strncmp(v, "nb", 2) == 0 || strncmp(v, "nn", 2) == 0 ||
		    strncmp(v, "no", 2) == 0)
			return CLI_LANG_NB;
		if (strncmp(v, "en", 2) == 0)
			return CLI_LANG_EN;
		/* The first one set decides, as in setlocale(); C and POSIX say nothing. */
		break;
	}
	return CLI_LANG_NB;
}

/*
 * Takes --config/-c and --socket/-s with their values out of a command's arguments (argv[0]
 * is the command word), wherever they stand, and keeps them in cli; returns the new argc.
 * The commands have no options of these names.
 */
static int
take_global_options(struct cli *cli, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			slot = &cli->config;
		else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0)
			slot = &cli->socket;
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
			continue;
		}
		if (strncmp(a, "--config=", 9) == 0) {
			cli->config = a + 9;
			continue;
		}
		if (strncmp(a, "--socket=", 9) == 0) {
			cli->socket = a + 9;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .fd = -1 };
	const char *lang = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+s:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.socket = optarg;
			break;
		case 'c':
			cli.config = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'L':
			lang = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		case 'V':
			printf("fristvakt %s (source revision %s)\n", FV_VERSION, FV_REVISION);
			return 0;
		default:
			cli_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	/* The global options may also follow the command ("status -c FILE"). */
	argc = optind + take_global_options(&cli, argc - optind, argv + optind);
	/* A command's own --lang, parsed later, overrides this. */
	if (lang) {
		if (!cli_lang_option(&cli, NULL, lang))
			return CLI_EXIT_USAGE;
	} else {
		cli.lang = default_lang(&cli);
	}
	ret = cli_verbs_run(&cli, argc - optind, argv + optind);
	cli_disconnect(&cli);
	return ret;
}
