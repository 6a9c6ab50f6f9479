// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fristvaktd: the deadline daemon. Parses the command line and hands over to daemon_run();
 * --check-config validates a configuration file and exits; --restore FILE puts a backup in
 * place of the configuration's database (server/restore.c) and exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "build_config.h"
#include "conf/conf.h"
#include "server/daemon.h"
#include "server/restore.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: fristvaktd [-c PATH] [--check-config | --restore FILE]\n"
		"\n"
		"Guards the legal deadlines of Norwegian municipal social and care services.\n"
		"Runs in the foreground and logs to standard error (for systemd's journal).\n"
		"\n"
		"  -c, --config PATH   configuration file (default %s)\n"
		"      --check-config  validate the configuration and exit: 0 when valid,\n"
		"                      1 with \"file:line: what is wrong\" when not\n"
		"      --restore FILE  replace the database by the backup FILE (fristvakt backup)\n"
		"                      with the daemon stopped: 0 restored, 1 failed, 65 FILE is\n"
		"                      refused (damaged, not fristvakt's, too new), 75 the\n"
		"                      database is in use; the old one is kept as .before-restore\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"Signals: SIGTERM and SIGINT stop gracefully (a second SIGINT exits at once),\n"
		"SIGHUP reloads the configuration. See fristvaktd(8).\n",
		FV_DEFAULT_CONFIG);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "restore", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = FV_DEFAULT_CONFIG;
	const char *restore = NULL;
	bool check = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'r':
			restore = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("fristvaktd %s (source revision %s)\n", FV_VERSION, FV_REVISION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fristvaktd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (check && restore) {
		fprintf(stderr, "fristvaktd: --check-config and --restore exclude each other\n");
		return 2;
	}
	if (restore)
		return restore_run(config, restore);
	if (check) {
		struct diag err;
		struct conf *conf;

		if (conf_load(config, &conf, &err) < 0) {
			fprintf(stderr, "%s\n", err.text);
			return 1;
		}
		printf("%s: configuration is valid\n", conf->path);
		conf_free(conf);
		return 0;
	}
	return daemon_run(config);
}
