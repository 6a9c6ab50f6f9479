// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_import: `fristvakt import FILE`, events from JSON Lines through ImportEvents. The
 * lines go in chunks (at most IMPORT_CHUNK_ITEMS items and IMPORT_CHUNK_BYTES a message) so
 * that the daemon never receives one huge message; each line is stored or rejected on its
 * own, and reported in the file's order.
 */
#include "cli/cli_case.h"
#include "cli/cli_case_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/events.h"
#include "core/util.h"

/* The daemon's largest ImportEvents call. */
#define IMPORT_CHUNK_ITEMS EVENTS_MAX_IMPORT_ITEMS
/* Well under the daemon's default max_message (1 MiB), with room for the envelope. */
#define IMPORT_CHUNK_BYTES (900 * 1024 - 512)
/* Lines held before they are reported, when rejected ones pile up between items. */
#define IMPORT_MAX_PENDING 1000

static const struct cli_text import_words[3] = {
	{ "importert", "imported" },
	{ "fantes fra før", "already present" },
	{ "avvist", "rejected" },
};

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

/* Opens the file to import ("-": standard input); NULL (message printed) when it cannot. */
static FILE *
import_open(const char *arg, const char **name)
{
	struct stat st = { 0 };
	FILE *f;

	if (strcmp(arg, "-") == 0) {
		f = stdin;
		*name = "<stdin>";
	} else {
		f = fopen(arg, "r");
		*name = arg;
	}
	if (!f || fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		int err = f && S_ISDIR(st.st_mode) ? EISDIR : errno;

		fprintf(stderr, "fristvakt import: cannot read %s: %s\n", *name, strerror(err));
		if (f && f != stdin)
			fclose(f);
		return NULL;
	}
	return f;
}

/* Takes every line of f and sends what is left; 0, or the exit status of a failure. */
static int
import_file(struct import *im, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int status = CLI_EXIT_OK;

	while ((n = getline(&line, &cap, f)) >= 0) {
		status = import_line(im, ++lineno, line, (size_t)n);
		if (status != 0)
			break;
	}
	if (status == 0 && ferror(f)) {
		fprintf(stderr, "fristvakt import: reading %s failed at line %ld: %s\n", im->name,
			lineno + 1, strerror(errno));
		import_drop(im);
		status = CLI_EXIT_USAGE;
	}
	if (status == 0)
		status = import_flush(im);
	free(line);
	return status;
}

static int
run_import(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	struct import im = { .cli = cli };
	struct args a;
	FILE *f;
	int ret = cli_parse_args(cli, cmd, argc, argv, &a), status;

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	json_decref(a.params);
	f = import_open(a.arg, &im.name);
	if (!f)
		return CLI_EXIT_USAGE;
	if (cli->json)
		im.all = json_array();
	status = import_file(&im, f);
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
