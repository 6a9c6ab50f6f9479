// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_export: `fristvakt export`, every case as JSON Lines, CSV (one row per deadline) or
 * iCalendar (one all-day event per open deadline). It walks the case list page by page and
 * asks for each case in turn, so neither side holds the whole register in memory.
 */
#include "cli/cli_case.h"
#include "cli/cli_case_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build_config.h"
#include "core/cal.h"
#include "core/util.h"

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
	cli_explain_en(f, d, "");
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
		cli_deadline_label(x->lang, &text, d);
		strbuf_printf(&text, " %s", ref);
		/* Kept past its time: the summary says how it ended. */
		if (strcmp(str_or(d, "state", ""), "open") != 0) {
			strbuf_puts(&text, " (");
			cli_deadline_mark(x->lang, &text, d, str(r, "today"));
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
	int err, ret = cli_parse_args(cli, cmd, argc, argv, &a);

	if (ret <= 0)
		return ret < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	json_decref(a.params);
	fmt = cli_opt_value(&a, "format");
	path = cli_opt_value(&a, "output");
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
	x.keep_past = cli_opt_value(&a, "keep-past") != NULL;
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
