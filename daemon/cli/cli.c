// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fristvakt: the control CLI. Talks Varlink to fristvaktd over its unix socket; prints
 * tables for people and, with --json, the reply's parameters for scripts. The calculator
 * commands (deadline, holidays) work without a daemon. The commands are rows of one table
 * (cli_verbs.c), which also dispatches them. This file holds the connection to the daemon
 * and the helpers every command shares (cli.h); main() and its general options are in
 * cli_main.c, so that the commands link without it (the unit tests).
 *
 * Exit status: 0 success, 1 the daemon answered an error, 2 usage error or no connection.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "build_config.h"
#include "core/cal.h"
#include "cli/cli_verbs.h"
#include "conf/conf.h"
#include "core/proto.h"
#include "core/util.h"

#define CLI_TIMEOUT_MS 60000
/* How often a call answered with RateLimited is sent again, and the longest wait. */
#define CLI_RATE_RETRIES 50
#define CLI_RATE_MAX_MS	 5000

/*
 * Whether times are shown in the zone of the configuration (its timezone, which the
 * daemon counts legal days in). When the CLI does not know that zone (--socket without a
 * configuration) or TZ names another, every time shown carries its zone.
 */
static bool local_zone_is_configured;

void
cli_bad_option(const struct cli_command *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "fristvakt %s: option '%s' needs a value", cmd->name, arg);
	else if (optopt && strncmp(arg, "--", 2) != 0)
		fprintf(stderr, "fristvakt %s: unknown option '-%c'", cmd->name, optopt);
	else
		fprintf(stderr, "fristvakt %s: unknown option '%s'", cmd->name, arg);
	fprintf(stderr, " (see fristvakt %s --help)\n", cmd->name);
}

int
cli_lang_parse(const char *s, enum cli_lang *out)
{
	if (strcmp(s, "nb") == 0)
		*out = CLI_LANG_NB;
	else if (strcmp(s, "en") == 0)
		*out = CLI_LANG_EN;
	else
		return -EINVAL;
	return 0;
}

bool
cli_lang_option(struct cli *cli, const struct cli_command *cmd, const char *value)
{
	if (cli_lang_parse(value, &cli->lang) == 0)
		return true;
	fprintf(stderr, "fristvakt%s%s: --lang must be nb or en, not '%s'\n", cmd ? " " : "",
		cmd ? cmd->name : "", value);
	return false;
}

int
cli_common_option(struct cli *cli, const struct cli_command *cmd, int c, char **argv)
{
	switch (c) {
	case 'j':
		cli->json = true;
		return 1;
	case 'L':
		return cli_lang_option(cli, cmd, optarg) ? 1 : -1;
	case 'h':
		cli_command_usage(stdout, cmd);
		return 0;
	default:
		cli_bad_option(cmd, c, argv);
		return -1;
	}
}

int
cli_simple_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		   int max_args)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	/* Options may also follow the arguments ("reminders show 25 --json"): getopt permutes. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		ret = cli_common_option(cli, cmd, c, argv);
		if (ret <= 0)
			return ret;
	}
	return cli_extra_args(cmd, argc, argv, max_args);
}

int
cli_extra_args(const struct cli_command *cmd, int argc, char **argv, int max_args)
{
	if (argc - optind > max_args) {
		fprintf(stderr, "fristvakt %s: unexpected argument '%s'\n", cmd->name,
			argv[optind + max_args]);
		return -1;
	}
	return 1;
}

/* The socket to use: --socket, $FRISTVAKT_SOCKET, the configuration's, the default. */
static char *
resolve_socket(struct cli *cli, bool *failed)
{
	const char *env = getenv("FRISTVAKT_SOCKET");
	const char *path = cli->config ? cli->config : FV_DEFAULT_CONFIG;
	struct diag err;
	char *socket, *tz;

	*failed = false;
	if (cli->socket)
		return xstrdup(cli->socket);
	if (env && *env)
		return xstrdup(env);
	if (access(path, R_OK) == 0 || cli->config) {
		/* Only the socket and the zone: no secrets, no validation of the rest. */
		if (conf_peek(path, &socket, &tz, &err) < 0) {
			fprintf(stderr, "fristvakt: %s\n", err.text);
			*failed = true;
			return NULL;
		}
		/* Times are shown in the zone the daemon counts legal days in. */
		if (tz && !getenv("TZ"))
			setenv("TZ", tz, 1);
		if (tz) {
			const char *cur = getenv("TZ");

			local_zone_is_configured = strcmp(cur[0] == ':' ? cur + 1 : cur, tz) == 0;
		}
		free(tz);
		return socket;
	}
	return xstrdup(FV_DEFAULT_SOCKET);
}

static int
cli_connect(struct cli *cli)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool failed;
	char *path = resolve_socket(cli, &failed);
	int ret = -1;

	if (!path)
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "fristvakt: socket path too long: %s\n", path);
		goto out;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cli->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cli->fd < 0 || connect(cli->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fristvakt: cannot connect to fristvaktd at %s: %s\n", path,
			strerror(errno));
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "fristvakt: is fristvaktd running? (--socket PATH or "
					"FRISTVAKT_SOCKET choose another socket)\n");
		if (cli->fd >= 0)
			close(cli->fd);
		cli->fd = -1;
		goto out;
	}
	proto_reader_init(&cli->rd, 64u << 20);
	ret = 0;
out:
	free(path);
	return ret;
}

void
cli_disconnect(struct cli *cli)
{
	if (cli->fd < 0)
		return;
	close(cli->fd);
	proto_reader_deinit(&cli->rd);
	cli->fd = -1;
}

/*
 * Whether the open connection can take another call. Between calls the daemon sends
 * nothing, so anything readable means it closed the connection (idle_timeout, a limit).
 */
static bool
connection_usable(struct cli *cli)
{
	struct pollfd p = { .fd = cli->fd, .events = POLLIN | POLLRDHUP };

	if (cli->fd < 0)
		return false;
	return poll(&p, 1, 0) == 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one reply; 0 or -1 (message printed). */
static int
read_reply(struct cli *cli, struct proto_reply *reply)
{
	struct pollfd p = { .fd = cli->fd, .events = POLLIN };
	const char *msg;
	size_t len;
	char buf[65536];

	while (proto_reader_next(&cli->rd, &msg, &len) == 0) {
		ssize_t n;
		int r = poll(&p, 1, CLI_TIMEOUT_MS);

		if (r == 0) {
			fprintf(stderr, "fristvakt: no reply from fristvaktd within %d s\n",
				CLI_TIMEOUT_MS / 1000);
			return -1;
		}
		if (r < 0 && errno == EINTR)
			continue;
		n = recv(cli->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "fristvakt: fristvaktd closed the connection%s%s\n",
				n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -1;
		}
		if (proto_reader_feed(&cli->rd, buf, (size_t)n) < 0) {
			fprintf(stderr, "fristvakt: reply too large\n");
			return -1;
		}
	}
	if (proto_reply_parse(msg, len, reply) < 0) {
		fprintf(stderr, "fristvakt: malformed reply from fristvaktd\n");
		return -1;
	}
	return 0;
}

static const char *
param_string(json_t *params, const char *key)
{
	const char *s = json_string_value(json_object_get(params, key));

	return s ? s : "?";
}

static long long
param_int(json_t *params, const char *key)
{
	return (long long)json_integer_value(json_object_get(params, key));
}

char *
cli_error_detail(const char *e, json_t *params)
{
	const char *message = json_string_value(json_object_get(params, "message"));
	const char *s;
	char *text;

	if (message)
		return xstrdup(message);
	if (strcmp(e, "no.fristvakt.CaseNotFound") == 0)
		return xasprintf("no case has the reference '%s'",
				 param_string(params, "reference"));
	if (strcmp(e, "no.fristvakt.EventConflict") == 0)
		return xasprintf("event_id '%s' was used before for an event with other parameters",
				 param_string(params, "event_id"));
	if (strcmp(e, "no.fristvakt.PermissionDenied") == 0)
		return xasprintf("%s needs the %s role; yours is %s",
				 param_string(params, "method"), param_string(params, "required"),
				 param_string(params, "role"));
	if (strcmp(e, "no.fristvakt.RateLimited") == 0)
		return xasprintf("too many calls; try again in %lld ms",
				 param_int(params, "retry_after_ms"));
	if (strcmp(e, "no.fristvakt.MessageTooLarge") == 0)
		return xasprintf("the message exceeds the daemon's limit of %lld bytes",
				 param_int(params, "max"));
	if (strcmp(e, "no.fristvakt.TooManyConnections") == 0)
		return xasprintf("too many connections (at most %lld)", param_int(params, "max"));
	if (strcmp(e, "no.fristvakt.UnknownService") == 0) {
		char *known = json_dumps(json_object_get(params, "known"), JSON_COMPACT);

		text = xasprintf("unknown service '%s'; the configuration has %s",
				 param_string(params, "service"), known ? known : "none");
		free(known);
		return text;
	}
	if (strcmp(e, PROTO_ERR_METHOD_NOT_FOUND) == 0)
		return xasprintf("no method %s", param_string(params, "method"));
	s = json_string_value(json_object_get(params, "reason"));
	if (s)
		return xstrdup(s);
	text = params ? json_dumps(params, JSON_COMPACT) : NULL;
	return text ? text : xstrdup("");
}

/* Prints an error reply for a person. */
static void
print_error(const struct proto_reply *r)
{
	char *detail;

	if (strcmp(r->error, "no.fristvakt.PermissionDenied") == 0) {
		fprintf(stderr,
			"fristvakt: permission denied: %s needs the %s role; yours is %s "
			"(roles are granted in the access setting of fristvakt.conf)\n",
			param_string(r->params, "method"), param_string(r->params, "required"),
			param_string(r->params, "role"));
		return;
	}
	if (strcmp(r->error, "org.varlink.service.InterfaceNotFound") == 0 &&
	    strcmp(param_string(r->params, "interface"), "no.fristvakt.testing") == 0) {
		fprintf(stderr,
			"fristvakt: the test clock is off: the daemon's configuration has "
			"testing.clock_control = false (%s)\n",
			r->error);
		return;
	}
	if (strcmp(r->error, "no.fristvakt.ChannelNotFound") == 0) {
		fprintf(stderr,
			"fristvakt: no channel named '%s' in the daemon's configuration; "
			"'fristvakt channels' lists them (%s)\n",
			param_string(r->params, "name"), r->error);
		return;
	}
	detail = cli_error_detail(r->error, r->params);
	fprintf(stderr, "fristvakt: %s: %s\n", r->error, detail);
	free(detail);
}

/* Sleeps for the wait a RateLimited reply asks for (bounded). */
static void
rate_wait(json_t *params)
{
	json_int_t ms = json_integer_value(json_object_get(params, "retry_after_ms"));
	struct timespec ts;

	if (ms < 1)
		ms = 1;
	if (ms > CLI_RATE_MAX_MS)
		ms = CLI_RATE_MAX_MS;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
cli_call(struct cli *cli, const char *method, json_t *params, json_t **out)
{
	struct proto_reply r = { 0 };
	size_t len;
	char *buf;
	int ret = CLI_EXIT_USAGE;

	*out = NULL;
	buf = proto_call_encode(method, params, false, &len);
	json_decref(params);
	for (int attempt = 0;; attempt++) {
		int err;

		if (!connection_usable(cli)) {
			cli_disconnect(cli);
			if (cli_connect(cli) < 0)
				goto out;
		}
		err = write_all(cli->fd, buf, len);
		if (err < 0) {
			fprintf(stderr, "fristvakt: sending to fristvaktd failed: %s\n",
				strerror(-err));
			cli_disconnect(cli);
			goto out;
		}
		if (read_reply(cli, &r) < 0) {
			cli_disconnect(cli);
			goto out;
		}
		/* Refused before it ran: sending it again after the wait is safe. */
		if (r.error && strcmp(r.error, "no.fristvakt.RateLimited") == 0 &&
		    attempt < CLI_RATE_RETRIES) {
			rate_wait(r.params);
			proto_reply_deinit(&r);
			continue;
		}
		break;
	}
	if (r.error) {
		if (cli->json) {
			json_t *o = json_pack("{sssO}", "error", r.error, "parameters", r.params);

			json_dumpf(o, stdout, JSON_INDENT(2));
			putchar('\n');
			json_decref(o);
		}
		print_error(&r);
		/* The daemon closes the connection after these. */
		if (strcmp(r.error, "no.fristvakt.MessageTooLarge") == 0 ||
		    strcmp(r.error, "no.fristvakt.TooManyConnections") == 0)
			cli_disconnect(cli);
		ret = CLI_EXIT_ERROR;
		goto out;
	}
	*out = json_incref(r.params);
	ret = CLI_EXIT_OK;
out:
	proto_reply_deinit(&r);
	free(buf);
	return ret;
}

void
cli_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}

const char *
cli_local_time(const char *rfc3339, char *buf)
{
	struct tm tm;
	time_t tt;
	int64_t t;
	size_t len;

	if (!rfc3339 || cal_instant_parse(rfc3339, &t) < 0)
		return rfc3339 ? rfc3339 : "?";
	cal_instant_format_local(t, buf);
	tt = (time_t)t;
	len = strlen(buf);
	/* Not the configured zone (or not known to be): say which one the time is in. */
	if (!local_zone_is_configured && buf[len - 1] != 'Z' && localtime_r(&tt, &tm) && tm.tm_zone)
		snprintf(buf + len, CAL_INSTANT_LEN - len, " %s", tm.tm_zone);
	return buf;
}

size_t
cli_text_width(const char *s)
{
	return fv_utf8_chars(s, strlen(s));
}

void
cli_put_padded(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t w = cli_text_width(s); w < width; w++)
		fputc(' ', f);
}

void
cli_table_init(struct cli_table *t, size_t cols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
}

/* Copies a row of t->cols cells (borrowed; NULL is shown as "-"). */
void
cli_table_add(struct cli_table *t, const char *const *row)
{
	if (t->rows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->cell = xrealloc(t->cell, t->cap * t->cols * sizeof(*t->cell));
	}
	for (size_t c = 0; c < t->cols; c++)
		t->cell[t->rows * t->cols + c] = xstrdup(row[c] ? row[c] : "-");
	t->rows++;
}

void
cli_table_print(const struct cli_table *t, const char *indent, FILE *f)
{
	size_t *width = xcalloc(t->cols, sizeof(*width));

	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++) {
			size_t w = cli_text_width(t->cell[r * t->cols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r < t->rows; r++) {
		size_t last = t->cols;

		/* Empty cells at the end of a row leave no trailing blanks. */
		while (last > 1 && !t->cell[r * t->cols + last - 1][0])
			last--;
		fputs(indent, f);
		for (size_t c = 0; c < last; c++) {
			const char *s = t->cell[r * t->cols + c];

			if (c + 1 == last) {
				fputs(s, f);
			} else {
				cli_put_padded(f, s, width[c]);
				fputs("  ", f);
			}
		}
		fputc('\n', f);
	}
	free(width);
}

void
cli_table_deinit(struct cli_table *t)
{
	for (size_t i = 0; i < t->rows * t->cols; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

/*
 * Calls a listing method with params (borrowed; "after" is set on it), following "next"
 * through every page when all is set. *out gets the first reply (owned) with the rows of
 * every page appended to its array member and the last page's "next".
 */
int
cli_list_pages(struct cli *cli, const char *method, json_t *params, const char *member, bool all,
	       json_t **out)
{
	json_t *first = NULL, *page;
	int ret;

	*out = NULL;
	for (;;) {
		json_t *next;

		ret = cli_call(cli, method, json_incref(params), &page);
		if (ret != 0) {
			json_decref(first);
			return ret;
		}
		if (!first) {
			first = page;
		} else {
			json_array_extend(json_object_get(first, member),
					  json_object_get(page, member));
			json_object_set(first, "next", json_object_get(page, "next"));
			json_decref(page);
		}
		next = json_object_get(first, "next");
		if (!all || !next || json_is_null(next) ||
		    json_equal(next, json_object_get(params, "after")))
			break;
		json_object_set(params, "after", next);
	}
	*out = first;
	return CLI_EXIT_OK;
}

/* With --all and no --limit, pages are as large as the daemon allows. */
void
cli_page_size_for_all(json_t *params, bool all)
{
	if (all && !json_object_get(params, "limit"))
		json_object_set_new(params, "limit", json_integer(CLI_PAGE_MAX));
}

void
cli_more_hint(const struct cli *cli, json_t *r, bool all, const struct cli_text *what)
{
	static const struct cli_text more[2] = { { "(flere ", "(more " },
						 { ": --all viser alle sidene)",
						   ": --all lists every page)" } };
	json_t *next = json_object_get(r, "next");

	if (!all && next && !json_is_null(next))
		fprintf(stderr, "%s%s%s\n", cli_tr(cli, &more[0]), cli_tr(cli, what),
			cli_tr(cli, &more[1]));
}
