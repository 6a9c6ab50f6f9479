// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cli_report: `fristvakt report`, the compliance report of GetReport per service and
 * month, as an aligned table, CSV (RFC 4180), the daemon's JSON, or one self-contained HTML
 * page (inline CSS and SVG charts made here, no script, no external reference, a data
 * table behind every chart, the definitions of the figures, readable when printed).
 */
#include "cli/cli_report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "core/strbuf.h"
#include "core/util.h"

enum format { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_HTML };
enum ftype { F_INT, F_SHARE, F_DAYS };

/* A figure shown in the table and on the page; a share names its count and base. */
struct field {
	const char *key;
	struct cli_text head;
	enum ftype type;
	const char *num;
	const char *den;
};

static const struct field fields[] = {
	{ "applications", { "Søknader", "Applications" }, F_INT, NULL, NULL },
	{ "decided", { "Vedtak", "Decided" }, F_INT, NULL, NULL },
	{ "within_norm_share",
	  { "Innen normen", "Within norm" },
	  F_SHARE,
	  "within_norm",
	  "norm_judged" },
	{ "within_11a_share",
	  { "Innen § 11 a", "Within § 11 a" },
	  F_SHARE,
	  "within_11a",
	  "judged_11a" },
	{ "processing_days_median", { "Median dager", "Median days" }, F_DAYS, NULL, NULL },
	{ "processing_days_p90", { "P90 dager", "P90 days" }, F_DAYS, NULL, NULL },
	{ "norm_deadlines_missed", { "Norm brutt", "Norm missed" }, F_INT, NULL, NULL },
	{ "deadlines_11a_missed", { "§ 11 a brutt", "§ 11 a missed" }, F_INT, NULL, NULL },
	{ "oral_decisions", { "Muntlige", "Oral" }, F_INT, NULL, NULL },
	{ "unreasoned_decisions", { "Uten begrunnelse", "Unreasoned" }, F_INT, NULL, NULL },
	{ "late_forwardings", { "Sen oversendelse", "Late forwarding" }, F_INT, NULL, NULL },
	{ "missed_promised_dates", { "Lovet dato brutt", "Promise missed" }, F_INT, NULL, NULL },
	{ "complaints", { "Klager", "Complaints" }, F_INT, NULL, NULL },
	{ "complaints_in_time", { "Klager i tide", "In time" }, F_INT, NULL, NULL },
	{ "complaints_forwarded_in_time",
	  { "Oversendt i tide", "Forwarded in time" },
	  F_INT,
	  NULL,
	  NULL },
	{ "complaints_settled_by_office",
	  { "Avgjort av kontoret", "Settled by office" },
	  F_INT,
	  NULL,
	  NULL },
};

/* The members of a row in CSV, in this order after service, name and month. */
static const char *const csv_keys[] = {
	"applications",
	"decided",
	"within_norm",
	"norm_judged",
	"within_norm_share",
	"within_11a",
	"judged_11a",
	"within_11a_share",
	"processing_days_median",
	"processing_days_p90",
	"oral_decisions",
	"unreasoned_decisions",
	"late_forwardings",
	"missed_promised_dates",
	"complaints",
	"complaints_in_time",
	"complaints_forwarded_in_time",
	"complaints_settled_by_office",
	"norm_deadlines_missed",
	"deadlines_11a_missed",
};

static const struct cli_text t_title = { "Etterlevelsesrapport", "Compliance report" };
static const struct cli_text t_month = { "Måned", "Month" };
static const struct cli_text t_total = { "Totalt", "Total" };
static const struct cli_text t_period = { "Periode", "Period" };
static const struct cli_text t_unit = { "Enhet", "Unit" };
static const struct cli_text t_judged = { "per", "as of" };
static const struct cli_text t_none = { "Ingen tall i perioden.", "No figures in the period." };
static const struct cli_text t_of = { "av", "of" };
static const struct cli_text t_defs = { "Definisjoner", "Definitions" };
static const struct cli_text t_recomputing = {
	"Merk: fristene ble beregnet på nytt etter en endring av reglene mens rapporten ble "
	"laget; tallene kan blande gamle og nye frister. Ta rapporten på nytt når "
	"beregningen er ferdig.",
	"Note: the deadlines were being recomputed after a change of the rules while the "
	"report was made; its figures may mix old and new deadlines. Take it again once that "
	"is done.",
};
static const struct cli_text t_chart = {
	"Andel avgjort innen normen og innen § 11 a, per måned",
	"Share decided within the norm and within § 11 a, per month",
};
static const struct cli_text t_table = {
	"Tallene per måned og for hele perioden",
	"The figures per month and for the whole period",
};

/* The definitions of the figures (the README's "Compliance report" says the same). */
static const struct cli_text defs[][2] = {
	{ { "Søknader", "Applications" },
	  { "saker registrert med mottaksdag i måneden.",
	    "cases registered with the day received in the month." } },
	{ { "Vedtak", "Decided" },
	  { "saker der det første vedtaket ble truffet i måneden (senere vedtak, for eksempel "
	    "etter klage, telles ikke igjen).",
	    "cases whose first decision was made in the month (later decisions, e.g. after a "
	    "complaint, are not counted again)." } },
	{ { "Innen normen", "Within the norm" },
	  { "av sakene avgjort i måneden: andelen der den kommunale saksbehandlingsfristen ble "
	    "overholdt, slik fristvakt har lagret fristen (overholdt av vurderte); tjenester "
	    "uten norm vurderes ikke. Saker som ennå ikke er avgjort, er ikke med i andelene, "
	    "men i «Norm brutt» og «§ 11 a brutt».",
	    "of the cases decided in the month: the share whose municipal processing norm was "
	    "met, as fristvakt stored the deadline (met of judged); services without a norm are "
	    "not judged. Cases not yet decided are in neither share, but in «Norm missed» and "
	    "«§ 11 a missed»." } },
	{ { "Innen § 11 a", "Within § 11 a" },
	  { "av sakene avgjort i måneden: andelen der måneden i forvaltningsloven § 11 a ble "
	    "overholdt – avgjort innen en måned, eller foreløpig svar sendt i tide.",
	    "of the cases decided in the month: the share whose month of forvaltningsloven "
	    "§ 11 a was met – decided within a month, or a preliminary reply sent in time." } },
	{ { "Median og P90 dager", "Median and P90 days" },
	  { "kalenderdager fra mottaksdagen til dagen for det første vedtaket, for sakene avgjort "
	    "i måneden; median og 90-persentil etter nærmeste rang (verdien på plass ⌈p/100 × n⌉ "
	    "av de n sorterte).",
	    "calendar days from the day received to the day of the first decision, for the "
	    "cases decided in the month; median and 90th percentile by nearest rank (the value "
	    "at rank ⌈p/100 × n⌉ of the n sorted)." } },
	{ { "Norm brutt, § 11 a brutt", "Norm missed, § 11 a missed" },
	  { "saksbehandlingsfrister etter normen, og måneder etter § 11 a uten vedtak eller "
	    "foreløpig svar i tide, som ble overskredet eller har passert uten å være "
	    "overholdt, i måneden fristen løp ut – avgjort eller ikke, så restansene synes.",
	    "processing-norm deadlines, and § 11 a months with neither a decision nor a "
	    "preliminary reply in time, missed or passed unmet, in the month of the deadline – "
	    "decided or not, so that the backlog shows." } },
	{ { "Muntlige, uten begrunnelse", "Oral, unreasoned" },
	  { "vedtak truffet i måneden som er registrert som muntlige der reglene i kraft krevde "
	    "skriftlighet (§ 23), eller uten den begrunnelsen de krevde (§ 24), også om det ble "
	    "rettet senere – det samme som funnene i saken.",
	    "decisions made in the month recorded as oral where the rules in force required "
	    "writing (§ 23), or without the reasons they required (§ 24), even if put right "
	    "later – the same as the case's findings." } },
	{ { "Sen oversendelse, lovet dato brutt", "Late forwarding, promise missed" },
	  { "frister for å sende klagen til klageinstansen (§ 33) og lovede svardatoer (§ 11 a) "
	    "som ble overskredet eller har passert uten å være overholdt, i måneden fristen "
	    "løp ut.",
	    "deadlines for forwarding a complaint to the complaint body (§ 33) and promised "
	    "decision dates (§ 11 a) missed or passed unmet, in the month of the deadline." } },
	{ { "Klager, i tide, oversendt i tide, avgjort av kontoret",
	    "Complaints, in time, forwarded in time, settled by office" },
	  { "klager registrert, i måneden de ble sendt; klagefrister overholdt av en klage, i "
	    "måneden klagen ble vurdert etter; klager oversendt klageinstansen i tide, og klager "
	    "kontoret selv avgjorde slik at de ikke skulle oversendes (omgjort, opphevet eller "
	    "avvist etter reglene), begge i måneden klagen ble sendt.",
	    "complaints recorded, in the month they were sent; complaint deadlines met by a "
	    "complaint, in the month of the day it was judged on; complaints forwarded to the "
	    "complaint body in time, and complaints the office settled itself so that they were "
	    "not to be forwarded (reversed, quashed or dismissed by the rules), both in the "
	    "month the complaint was sent." } },
	{ { "Totalt", "Total" },
	  { "hele perioden; andeler og persentiler regnes av alle sakene, ikke som snitt av "
	    "månedene. Dager er kalenderdager i fristvakts tidssone; åpne frister som har "
	    "passert, vurderes per rapportdagen; – betyr at det ikke var noe å regne av. "
	    "Rapporten har ingen saksreferanser eller personopplysninger.",
	    "the whole period; shares and percentiles are of all its cases, not averages of the "
	    "months. Days are civil dates in the daemon's time zone; open deadlines past their "
	    "day are judged as of the report's day; – means there was nothing to count from. "
	    "The report holds no case references or personal data." } },
};

static int64_t
num(json_t *row, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(row, key));
}

/* A figure of row for people, into buf: "-" when there is none. */
static const char *
cell_text(const struct cli *cli, json_t *row, const struct field *f, char *buf, size_t len)
{
	json_t *v = json_object_get(row, f->key);

	if (!v || json_is_null(v))
		return "–";
	if (f->type != F_SHARE) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	snprintf(buf, len, "%.1f %% (%lld %s %lld)", json_number_value(v) * 100.0,
		 (long long)num(row, f->num), cli_tr(cli, &t_of), (long long)num(row, f->den));
	if (cli->lang == CLI_LANG_NB) {
		char *dot = strchr(buf, '.');

		if (dot)
			*dot = ',';
	}
	return buf;
}

static const char *
service_title(json_t *s, char *buf, size_t len)
{
	const char *id = json_string_value(json_object_get(s, "service"));
	const char *name = json_string_value(json_object_get(s, "name"));

	if (name)
		snprintf(buf, len, "%s (%s)", name, id);
	else
		snprintf(buf, len, "%s", id);
	return buf;
}

static void
table_row(const struct cli *cli, struct cli_table *tb, const char *label, json_t *row)
{
	char bufs[FV_ARRAY_SIZE(fields)][64];
	const char *cells[FV_ARRAY_SIZE(fields) + 1];

	cells[0] = label;
	for (size_t i = 0; i < FV_ARRAY_SIZE(fields); i++)
		cells[i + 1] = cell_text(cli, row, &fields[i], bufs[i], sizeof(bufs[i]));
	cli_table_add(tb, cells);
}

static void
print_table(const struct cli *cli, json_t *r)
{
	json_t *services = json_object_get(r, "services"), *s, *row;
	size_t i, k;
	char title[256];

	printf("%s %s – %s\n", cli_tr(cli, &t_title), json_string_value(json_object_get(r, "from")),
	       json_string_value(json_object_get(r, "to")));
	if (json_is_true(json_object_get(r, "recomputing")))
		printf("\n%s\n", cli_tr(cli, &t_recomputing));
	if (json_array_size(services) == 0)
		printf("\n%s\n", cli_tr(cli, &t_none));
	json_array_foreach(services, i, s)
	{
		struct cli_table tb;
		const char *head[FV_ARRAY_SIZE(fields) + 1];

		cli_table_init(&tb, FV_ARRAY_SIZE(fields) + 1);
		head[0] = cli_tr(cli, &t_month);
		for (k = 0; k < FV_ARRAY_SIZE(fields); k++)
			head[k + 1] = cli_tr(cli, &fields[k].head);
		cli_table_add(&tb, head);
		json_array_foreach(json_object_get(s, "months"), k, row)
		{
			table_row(cli, &tb, json_string_value(json_object_get(row, "month")), row);
		}
		table_row(cli, &tb, cli_tr(cli, &t_total), json_object_get(s, "total"));
		printf("\n%s\n", service_title(s, title, sizeof(title)));
		cli_table_print(&tb, "  ", stdout);
		cli_table_deinit(&tb);
	}
}

/*
 * One CSV record: service, name, month ("total": the totals), then csv_keys, then whether
 * the deadlines were being recomputed (the report's, on every record); CRLF.
 */
static void
csv_row(struct strbuf *b, json_t *s, const char *month, json_t *row, bool recomputing)
{
	report_csv_field(b, json_string_value(json_object_get(s, "service")));
	strbuf_putc(b, ',');
	report_csv_field(b, json_string_value(json_object_get(s, "name")));
	strbuf_putc(b, ',');
	report_csv_field(b, month);
	for (size_t i = 0; i < FV_ARRAY_SIZE(csv_keys); i++) {
		json_t *v = json_object_get(row, csv_keys[i]);

		strbuf_putc(b, ',');
		if (json_is_real(v))
			strbuf_printf(b, "%.4f", json_real_value(v));
		else if (json_is_integer(v))
			strbuf_printf(b, "%lld", (long long)json_integer_value(v));
	}
	strbuf_puts(b, recomputing ? ",true\r\n" : ",false\r\n");
}

static void
print_csv(json_t *r)
{
	struct strbuf b = { 0 };
	bool rc = json_is_true(json_object_get(r, "recomputing"));
	json_t *s, *row;
	size_t i, k;

	strbuf_puts(&b, "service,name,month");
	for (i = 0; i < FV_ARRAY_SIZE(csv_keys); i++)
		strbuf_printf(&b, ",%s", csv_keys[i]);
	strbuf_puts(&b, ",recomputing\r\n");
	json_array_foreach(json_object_get(r, "services"), i, s)
	{
		json_array_foreach(json_object_get(s, "months"), k, row)
		{
			csv_row(&b, s, json_string_value(json_object_get(row, "month")), row, rc);
		}
		csv_row(&b, s, "total", json_object_get(s, "total"), rc);
	}
	fwrite(b.p ? b.p : "", 1, b.len, stdout);
	strbuf_free(&b);
}

/*
 * HTML.
 */

static const char html_style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;"
	"color:#1a1a1a;background:#fff;margin:2rem auto;max-width:80rem;padding:0 1rem;"
	"line-height:1.4}"
	"h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.5rem;"
	"border-bottom:2px solid #1f4e79;padding-bottom:.2rem}"
	".meta{color:#444;margin-top:0}"
	"figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.4rem}"
	"svg{max-width:100%;height:auto}"
	".legend span{display:inline-block;margin-right:1.2rem}"
	".sw{display:inline-block;width:.9rem;height:.9rem;vertical-align:-.1rem;"
	"margin-right:.3rem}"
	".norm{background:#1f4e79}.fvl{background:#c55a11}"
	"table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0 1rem;width:100%}"
	"caption{text-align:left;font-weight:600;padding:.3rem 0}"
	"th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:right;vertical-align:top}"
	"td{white-space:nowrap}.wide{overflow-x:auto}"
	".warn{border-left:4px solid #c55a11;background:#fdf1e8;padding:.4rem .6rem}"
	"thead th{background:#eef2f7;text-align:center}"
	"tbody th{text-align:left;white-space:nowrap}"
	"tr.total th,tr.total td{font-weight:700;background:#f6f6f6;border-top:2px solid #555}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}"
	"dt{font-weight:600}dd{margin:0}"
	"@page{size:A4 landscape;margin:10mm}"
	"@media print{body{margin:0;max-width:none;font-size:9pt}"
	".wide{overflow:visible}table{font-size:7pt}"
	"th,td{padding:.1rem .2rem;white-space:normal}"
	"thead{display:table-header-group}tr{break-inside:avoid}"
	"figure,svg{break-inside:avoid}h2{break-after:avoid}"
	"thead th,tr.total td,tr.total th{background:none}"
	".norm,.fvl{print-color-adjust:exact;-webkit-print-color-adjust:exact}}";

static void
html_head(const struct cli *cli, struct strbuf *b, json_t *r)
{
	const char *unit = json_string_value(json_object_get(r, "unit"));

	strbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		      cli->lang == CLI_LANG_EN ? "en" : "nb");
	strbuf_puts(b,
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	strbuf_printf(b, "<title>%s ", cli_tr(cli, &t_title));
	report_html_text(b, json_string_value(json_object_get(r, "from")));
	strbuf_puts(b, " – ");
	report_html_text(b, json_string_value(json_object_get(r, "to")));
	strbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>%s</h1>\n", html_style,
		      cli_tr(cli, &t_title));
	strbuf_printf(b, "<p class=\"meta\">%s ", cli_tr(cli, &t_period));
	report_html_text(b, json_string_value(json_object_get(r, "from")));
	strbuf_puts(b, " – ");
	report_html_text(b, json_string_value(json_object_get(r, "to")));
	if (unit) {
		strbuf_printf(b, " · %s ", cli_tr(cli, &t_unit));
		report_html_text(b, unit);
	}
	strbuf_printf(b, " · %s ", cli_tr(cli, &t_judged));
	report_html_text(b, json_string_value(json_object_get(r, "today")));
	strbuf_puts(b, "</p>\n");
	if (json_is_true(json_object_get(r, "recomputing")))
		strbuf_printf(b, "<p class=\"warn\" role=\"alert\">%s</p>\n",
			      cli_tr(cli, &t_recomputing));
}

/*
 * Chart geometry: the plot's height and top and left margins, each month's width and its
 * bars'. A chart has at most CH_ROW_MONTHS months: a longer period gets a chart per
 * calendar year, its months at the same places, so that it stays readable on a screen and
 * on an A4 page in landscape.
 */
#define CH_PLOT	      200
#define CH_TOP	      12
#define CH_LEFT	      48
#define CH_GROUP      72
#define CH_BAR	      28
#define CH_ROW_MONTHS 12

/*
 * The bar of row's share key (or a dash when none) at x, with its value as text for the
 * eye; both name the month and the figure (data-month, data-field).
 */
static void
svg_bar(struct strbuf *b, json_t *row, const char *key, int x, const char *color)
{
	json_t *v = json_object_get(row, key);
	const char *month = json_string_value(json_object_get(row, "month"));
	int base = CH_TOP + CH_PLOT;
	double s = json_is_number(v) ? json_number_value(v) : -1;
	int h = s >= 0 ? (int)(s * CH_PLOT + 0.5) : 0;

	if (s < 0) {
		strbuf_printf(b,
			      "<text x=\"%d\" y=\"%d\" class=\"na\" data-month=\"%s\" "
			      "data-field=\"%s\">–</text>",
			      x + CH_BAR / 2, base - 4, month ? month : "", key);
		return;
	}
	strbuf_printf(b,
		      "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
		      "data-month=\"%s\" data-field=\"%s\"/>"
		      "<text x=\"%d\" y=\"%d\" class=\"v\" data-month=\"%s\" "
		      "data-field=\"%s\">%.0f</text>",
		      x, base - h, CH_BAR, h, color, month ? month : "", key, x + CH_BAR / 2,
		      base - h - 3, month ? month : "", key, s * 100.0);
}

/* The chart's grid: 0, 50 and 100 % lines with their labels. */
static void
svg_grid(struct strbuf *b, int width)
{
	for (int p = 0; p <= 100; p += 50) {
		int y = CH_TOP + CH_PLOT - p * CH_PLOT / 100;

		strbuf_printf(b,
			      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
			      "<text x=\"%d\" y=\"%d\" class=\"ax\">%d %%</text>",
			      CH_LEFT, y, width - 4, y, p ? "#ccc" : "#555", CH_LEFT - 6, y + 4, p);
	}
}

/* The description of a chart for those who do not see it: its months' two shares. */
static void
svg_desc(const struct cli *cli, struct strbuf *b, json_t *months, size_t from, size_t to)
{
	char buf[64];

	for (size_t i = from; i < to; i++) {
		json_t *row = json_array_get(months, i);

		strbuf_printf(b, "%s%s: ", i > from ? "; " : "",
			      json_string_value(json_object_get(row, "month")));
		strbuf_printf(b, "%s %s, ", cli_tr(cli, &fields[2].head),
			      cell_text(cli, row, &fields[2], buf, sizeof(buf)));
		strbuf_printf(b, "%s %s", cli_tr(cli, &fields[3].head),
			      cell_text(cli, row, &fields[3], buf, sizeof(buf)));
	}
	strbuf_puts(b, ".");
}

/* The calendar month (1-12) of a row of months. */
static int
row_month(json_t *months, size_t i)
{
	const char *m = json_string_value(json_object_get(json_array_get(months, i), "month"));

	return m && strlen(m) >= 7 ? atoi(m + 5) : 1;
}

/*
 * One chart of the months from..to (excluded), the first at place slot0 of slots; id names
 * its title and description.
 */
static void
svg_chart(const struct cli *cli, struct strbuf *b, json_t *months, size_t from, size_t to,
	  int slot0, int slots, const char *id)
{
	int width = CH_LEFT + CH_GROUP * slots + 8, height = CH_TOP + CH_PLOT + 24;

	strbuf_printf(b,
		      "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		      "aria-labelledby=\"%s-title %s-desc\"><title id=\"%s-title\">%s</title>"
		      "<desc id=\"%s-desc\">",
		      width, height, width, height, id, id, id, cli_tr(cli, &t_chart), id);
	svg_desc(cli, b, months, from, to);
	strbuf_puts(b, "</desc><style>text{font:12px sans-serif;fill:#333}.v,.na{text-anchor:"
		       "middle;font-size:11px}.ax{text-anchor:end}.m{text-anchor:middle}</style>");
	svg_grid(b, width);
	for (size_t i = from; i < to; i++) {
		json_t *row = json_array_get(months, i);
		int x = CH_LEFT + CH_GROUP * (slot0 + (int)(i - from)) + 6;

		svg_bar(b, row, "within_norm_share", x, "#1f4e79");
		svg_bar(b, row, "within_11a_share", x + CH_BAR + 2, "#c55a11");
		strbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"m\">", x + CH_BAR,
			      CH_TOP + CH_PLOT + 16);
		report_html_text(b, json_string_value(json_object_get(row, "month")));
		strbuf_puts(b, "</text>");
	}
	strbuf_puts(b, "</svg>\n");
}

static void
html_chart(const struct cli *cli, struct strbuf *b, json_t *s, size_t idx)
{
	json_t *months = json_object_get(s, "months");
	size_t n = json_array_size(months), from = 0;
	char id[48];

	strbuf_printf(b, "<figure>\n<figcaption>%s</figcaption>\n", cli_tr(cli, &t_chart));
	if (n <= CH_ROW_MONTHS) {
		snprintf(id, sizeof(id), "c%zu-1", idx);
		svg_chart(cli, b, months, 0, n, 0, (int)n, id);
	}
	/* Longer: a chart per calendar year, January at the first place. */
	for (int k = 1; n > CH_ROW_MONTHS && from < n; k++) {
		size_t to = from + 1;

		while (to < n && row_month(months, to) != 1)
			to++;
		snprintf(id, sizeof(id), "c%zu-%d", idx, k);
		svg_chart(cli, b, months, from, to, row_month(months, from) - 1, CH_ROW_MONTHS, id);
		from = to;
	}
	strbuf_printf(b,
		      "<p class=\"legend\"><span><span class=\"sw norm\"></span>%s</span>"
		      "<span><span class=\"sw fvl\"></span>%s</span></p>\n</figure>\n",
		      cli_tr(cli, &fields[2].head), cli_tr(cli, &fields[3].head));
}

static void
html_row(const struct cli *cli, struct strbuf *b, const char *label, json_t *row, bool total)
{
	char buf[64];

	strbuf_printf(b, "<tr%s><th scope=\"row\">", total ? " class=\"total\"" : "");
	report_html_text(b, label);
	strbuf_puts(b, "</th>");
	for (size_t k = 0; k < FV_ARRAY_SIZE(fields); k++) {
		const char *t = cell_text(cli, row, &fields[k], buf, sizeof(buf));

		strbuf_printf(b, "<td data-field=\"%s\">", fields[k].key);
		report_html_text(b, t);
		strbuf_puts(b, "</td>");
	}
	strbuf_puts(b, "</tr>\n");
}

static void
html_table(const struct cli *cli, struct strbuf *b, json_t *s, const char *title)
{
	json_t *row;
	size_t i;

	strbuf_printf(b, "<div class=\"wide\">\n<table>\n<caption>%s: ", cli_tr(cli, &t_table));
	report_html_text(b, title);
	strbuf_printf(b, "</caption>\n<thead><tr><th scope=\"col\">%s</th>", cli_tr(cli, &t_month));
	for (i = 0; i < FV_ARRAY_SIZE(fields); i++)
		strbuf_printf(b, "<th scope=\"col\">%s</th>", cli_tr(cli, &fields[i].head));
	strbuf_puts(b, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(s, "months"), i, row)
	{
		html_row(cli, b, json_string_value(json_object_get(row, "month")), row, false);
	}
	html_row(cli, b, cli_tr(cli, &t_total), json_object_get(s, "total"), true);
	strbuf_puts(b, "</tbody>\n</table>\n</div>\n");
}

static void
html_definitions(const struct cli *cli, struct strbuf *b)
{
	strbuf_printf(b, "<section id=\"definitions\">\n<h2>%s</h2>\n<dl>\n", cli_tr(cli, &t_defs));
	for (size_t i = 0; i < FV_ARRAY_SIZE(defs); i++)
		strbuf_printf(b, "<dt>%s</dt><dd>%s</dd>\n", cli_tr(cli, &defs[i][0]),
			      cli_tr(cli, &defs[i][1]));
	strbuf_puts(b, "</dl>\n</section>\n");
}

static void
print_html(const struct cli *cli, json_t *r)
{
	struct strbuf b = { 0 };
	json_t *s;
	size_t i;
	char title[256];

	html_head(cli, &b, r);
	if (json_array_size(json_object_get(r, "services")) == 0)
		strbuf_printf(&b, "<p>%s</p>\n", cli_tr(cli, &t_none));
	json_array_foreach(json_object_get(r, "services"), i, s)
	{
		service_title(s, title, sizeof(title));
		strbuf_printf(&b, "<section class=\"service\" data-service=\"");
		report_html_text(&b, json_string_value(json_object_get(s, "service")));
		strbuf_puts(&b, "\">\n<h2>");
		report_html_text(&b, title);
		strbuf_puts(&b, "</h2>\n");
		html_chart(cli, &b, s, i + 1);
		html_table(cli, &b, s, title);
		strbuf_puts(&b, "</section>\n");
	}
	html_definitions(cli, &b);
	strbuf_puts(&b, "</body>\n</html>\n");
	fwrite(b.p ? b.p : "", 1, b.len, stdout);
	strbuf_free(&b);
}

/*
 * The command.
 */

static int
parse_format(const char *s, enum format *out)
{
	static const char *const names[] = { "table", "csv", "json", "html" };

	for (size_t i = 0; i < FV_ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum format)i;
			return 0;
		}
	}
	return -1;
}

/* Options into params and *fmt: 1 to go on, 0 when help was shown, -1 usage error. */
static int
report_options(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
	       json_t *params, enum format *fmt)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "service", required_argument, NULL, 's' },
		{ "unit", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'F' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[] = {
		['f'] = "from", ['t'] = "to", ['s'] = "service", ['u'] = "unit"
	};
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'f' || c == 't' || c == 's' || c == 'u') {
			json_object_set_new(params, keys[c], json_string(optarg));
		} else if (c == 'F') {
			if (parse_format(optarg, fmt) < 0) {
				fprintf(stderr,
					"fristvakt %s: --format must be table, csv, json or html\n",
					cmd->name);
				return -1;
			}
		} else if ((ret = cli_common_option(cli, cmd, c, argv)) <= 0) {
			return ret;
		}
	}
	if (!json_object_get(params, "from") || !json_object_get(params, "to")) {
		fprintf(stderr, "fristvakt %s: --from and --to are required\n", cmd->name);
		return -1;
	}
	return cli_extra_args(cmd, argc, argv, 0);
}

static int
cmd_report(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	enum format fmt = FMT_TABLE;
	json_t *params = json_object(), *r;
	int ret = report_options(cli, cmd, argc, argv, params, &fmt);

	if (ret <= 0) {
		json_decref(params);
		return ret < 0 ? CLI_EXIT_USAGE : 0;
	}
	if (cli->json)
		fmt = FMT_JSON;
	if ((ret = cli_call(cli, "no.fristvakt.GetReport", params, &r)) != 0)
		return ret;
	if (fmt == FMT_JSON)
		cli_print_json(r);
	else if (fmt == FMT_CSV)
		print_csv(r);
	else if (fmt == FMT_HTML)
		print_html(cli, r);
	else
		print_table(cli, r);
	json_decref(r);
	return 0;
}

const struct cli_command cli_report_cmd_report = {
	.name = "report",
	.args = "--from DATE --to DATE [--service S] [--unit U] [--format table|csv|json|html]",
	.brief = "the compliance report per service and month",
	.help = "The compliance report: per service and calendar month of the period, and in\n"
		"total, applications received, decided, the share decided within the municipal\n"
		"norm and within forvaltningsloven § 11 a, median and 90th-percentile processing\n"
		"days, breaches (norm deadlines and § 11 a months missed, decided or not; oral\n"
		"or unreasoned decisions, late forwarding, missed promised dates) and complaints\n"
		"(received, in time, forwarded in time, settled by the office). No case\n"
		"references or personal data. The README defines each figure. At most two\n"
		"reports at a time (ReportBusy). Needs the read role.\n"
		"\n"
		"  --from DATE         the first day of the period, YYYY-MM-DD\n"
		"  --to DATE           the last day of the period (at most 60 months in all)\n"
		"  --service S         only this service\n"
		"  --unit U            only the cases of this unit (one some case has)\n"
		"  --format table|csv|json|html\n"
		"                      table for a terminal (the default), CSV (RFC 4180, a row\n"
		"                      per service and month and one of its totals), the daemon's\n"
		"                      JSON, or one self-contained HTML page with charts\n"
		"  --json              the same as --format json\n"
		"  --lang nb|en        the language of the table and the page\n"
		"  --help              show this help\n",
	.run = cmd_report,
};
