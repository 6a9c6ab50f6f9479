// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_rules: the deadline engine and the rule configuration, table-driven.
 *
 * Engine rows run case events through rules_compute() against either the shipped
 * etc/rules.conf or a test configuration written here, and check one deadline each: state,
 * due date, the day it was met and a phrase of its Norwegian explanation. Every expected
 * date was counted by hand (domstolloven §§ 148-149; the worked examples of the README are
 * among them). Config rows feed broken snippets to rules_load() and check the reported
 * line and a word of the message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "golden.h"

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "core/rules.h"
#include "core/util.h"

#ifndef FV_SOURCE_DIR
#error "FV_SOURCE_DIR must name the source tree (the test build defines it)"
#endif

#define D(y, m, d)                                                                                 \
	{                                                                                          \
		(y), (m), (d)                                                                      \
	}
#define RECV(i, dt)                                                                                \
	{                                                                                          \
		.id = (i), .type = RULES_EV_RECEIVED, .date = dt                                   \
	}
#define RECV_EM(i, dt)                                                                             \
	{                                                                                          \
		.id = (i), .type = RULES_EV_RECEIVED, .date = dt, .emergency = true                \
	}
/* A written refusal with its reasons, the usual decision; DEC_UNR gave no reasons. */
#define DEC(i, made, reach)                                                                        \
	{                                                                                          \
		.id = (i), .type = RULES_EV_DECISION, .date = made, .has_reached = true,           \
		.reached = reach, .written = true, .reasoned = true, .outcome = "avslatt"          \
	}
#define DEC_UNR(i, made, reach)                                                                    \
	{                                                                                          \
		.id = (i), .type = RULES_EV_DECISION, .date = made, .has_reached = true,           \
		.reached = reach, .written = true, .outcome = "innvilget"                          \
	}
#define DEC_NR(i, made)                                                                            \
	{                                                                                          \
		.id = (i), .type = RULES_EV_DECISION, .date = made, .written = true,               \
		.reasoned = true, .outcome = "avslatt"                                             \
	}
#define EV(i, t, dt)                                                                               \
	{                                                                                          \
		.id = (i), .type = (t), .date = dt                                                 \
	}
#define EVREF(i, t, dt, r)                                                                         \
	{                                                                                          \
		.id = (i), .type = (t), .date = dt, .ref = (r)                                     \
	}
#define DOCREQ(i, dt, due_)                                                                        \
	{                                                                                          \
		.id = (i), .type = RULES_EV_DOC_REQUESTED, .date = dt, .has_due = true,            \
		.due = due_                                                                        \
	}
#define PRELIM(i, dt, due_)                                                                        \
	{                                                                                          \
		.id = (i), .type = RULES_EV_PRELIMINARY_REPLY, .date = dt, .has_due = true,        \
		.due = due_                                                                        \
	}
#define COMPLAINT(i, sent, recv, r)                                                                \
	{                                                                                          \
		.id = (i), .type = RULES_EV_COMPLAINT, .date = sent, .has_reached = true,          \
		.reached = recv, .ref = (r)                                                        \
	}
#define CHANGE(i, t, dt, k, new_, r, w, y)                                                         \
	{                                                                                          \
		.id = (i), .type = (t), .date = dt, .kind = (k), .has_due = true, .due = new_,     \
		.ref = (r), .who = (w), .why = (y)                                                 \
	}
#define SC(a) (a), FV_ARRAY_SIZE(a)

enum cfg { SHIPPED, TESTCFG };

/* The test configuration: versions, an office calendar, odd starts, an emergency rule. */
static const char test_conf[] =
	"# test configuration for test_rules\n"
	"calendars = (\n"
	"  { name = \"kontor\";\n"
	"    closed = ( { date = \"12-24\"; name = \"julaften\"; },\n"
	"               { date = \"12-31\"; name = \"nyttårsaften\"; },\n"
	"               { date = \"2026-08-14\"; name = \"personaldag\"; } ); }\n"
	");\n"
	"regimes = (\n"
	"  { id = \"vers\"; name = \"Versjoner\"; rules = (\n"
	"    { kind = \"complaint\"; period = \"3w\"; valid_from = \"1970-01-01\";\n"
	"      source = \"gammel lov § 29\"; },\n"
	"    { kind = \"complaint\"; period = \"4w\"; valid_from = \"2027-07-01\";\n"
	"      source = \"ny lov § 3-2\"; },\n"
	"    { kind = \"late_complaint\"; period = \"1y\"; start = \"decision_made\";\n"
	"      valid_from = \"1970-01-01\"; source = \"gammel lov § 31\"; }\n"
	"  ); },\n"
	"  { id = \"tom\"; name = \"Tom\"; rules = (); }\n"
	");\n"
	"services = (\n"
	"  { id = \"versjon\"; name = \"Versjonstest\"; regime = \"vers\"; },\n"
	"  { id = \"kontorfrist\"; name = \"Kontorkalender\"; regime = \"vers\"; rules = (\n"
	"    { kind = \"complaint\"; period = \"3w\"; calendar = \"kontor\";\n"
	"      valid_from = \"1970-01-01\"; source = \"lov § 29 med kontorkalender\"; } ); },\n"
	"  { id = \"ny\"; name = \"Ny\"; regime = \"tom\"; rules = (\n"
	"    { kind = \"complaint\"; period = \"3w\"; valid_from = \"2020-01-01\";\n"
	"      source = \"lov fra 2020\"; } ); },\n"
	"  { id = \"ingen-begrunnelse\"; name = \"Uten § 24\"; regime = \"tom\"; rules = (\n"
	"    { kind = \"complaint\"; period = \"3w\"; reasons_restart = false;\n"
	"      valid_from = \"1970-01-01\"; source = \"lov § 29\"; } ); },\n"
	"  { id = \"fra-truffet\"; name = \"Fra truffet\"; regime = \"tom\"; rules = (\n"
	"    { kind = \"complaint\"; period = \"2w\"; start = \"decision_made\";\n"
	"      valid_from = \"1970-01-01\"; source = \"lov § 2\"; },\n"
	"    { kind = \"forwarding\"; period = \"10d\"; start = \"complaint_sent\";\n"
	"      valid_from = \"1970-01-01\"; source = \"norm\"; } ); },\n"
	"  { id = \"akutt\"; name = \"Akutt\"; regime = \"tom\"; rules = (\n"
	"    { kind = \"processing\"; period = \"3w\"; pauses = true;\n"
	"      valid_from = \"1970-01-01\"; source = \"norm\"; },\n"
	"    { kind = \"processing\"; period = \"0d\"; rollover = \"none\"; emergency = true;\n"
	"      valid_from = \"2026-03-01\"; source = \"nødhjelp samme dag\"; } ); }\n"
	");\n"
	"citations = (\n"
	"  { valid_from = \"2027-07-01\"; counting = \"ny lov § 10\";\n"
	"    written_decision = \"ny lov § 20\"; },\n"
	"  { valid_from = \"1970-01-01\"; counting = \"gammel lov §§ 148–149\";\n"
	"    written_decision = \"gammel lov § 23\"; reasoned_decision = \"gammel lov § 24\"; }\n"
	");\n";

static struct rules *shipped;
static struct rules *testcfg;

/* Writes text to a fresh temporary file; returns its path (owned). */
static char *
write_temp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/test_rules.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Loads a file with libconfig and rules_load(); err gets the message on failure. */
static int
load_file(const char *path, struct rules **out, struct diag *err)
{
	config_t cfg;
	int ret;

	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		snprintf(err->text, sizeof(err->text), "%s:%d: %s", path, config_error_line(&cfg),
			 config_error_text(&cfg));
		config_destroy(&cfg);
		*out = NULL;
		return -EBADMSG;
	}
	ret = rules_load(config_root_setting(&cfg), out, err);
	/* Nothing may point into the config once it is gone (libconfig strings die with it). */
	config_destroy(&cfg);
	return ret;
}

static int
load_string(const char *text, struct rules **out, struct diag *err)
{
	config_t cfg;
	int ret;

	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		snprintf(err->text, sizeof(err->text), "line %d: %s", config_error_line(&cfg),
			 config_error_text(&cfg));
		config_destroy(&cfg);
		*out = NULL;
		return -EBADMSG;
	}
	ret = rules_load(config_root_setting(&cfg), out, err);
	config_destroy(&cfg);
	return ret;
}

static int
group_setup(void **state)
{
	struct diag err = { { 0 } };
	char *path;
	int ret;

	(void)state;
	ret = load_file(FV_SOURCE_DIR "/etc/rules.conf", &shipped, &err);
	if (ret < 0) {
		fprintf(stderr, "etc/rules.conf: %s\n", err.text);
		return -1;
	}
	path = write_temp(test_conf);
	ret = load_file(path, &testcfg, &err);
	unlink(path);
	free(path);
	if (ret < 0) {
		fprintf(stderr, "test configuration: %s\n", err.text);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rules_free(shipped);
	rules_free(testcfg);
	return 0;
}

/* Scenarios: the events of one case each. Dates in 2026 unless the name says otherwise. */

/* okonomisk-stonad: decision made Fri 27 Feb, reached Mon 2 Mar. */
static const struct rules_event sc_a1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
};
/* kvalifiseringsprogram: reached Thu 12 Mar, the Easter example. */
static const struct rules_event sc_a2[] = {
	RECV(1, D(2026, 2, 16)),
	DEC(2, D(2026, 3, 11), D(2026, 3, 12)),
};
/* midlertidig-botilbud: reached Thu 23 Apr, Kristi himmelfart. */
static const struct rules_event sc_a3[] = {
	RECV(1, D(2026, 4, 20)),
	DEC(2, D(2026, 4, 21), D(2026, 4, 23)),
};
/* bpa: reached Sun 19 Apr, 17 May. */
static const struct rules_event sc_a4[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 4, 17), D(2026, 4, 19)),
};
/* sykehjem: reached Mon 27 Apr, annen pinsedag. */
static const struct rules_event sc_a5[] = {
	RECV(1, D(2026, 4, 1)),
	DEC(2, D(2026, 4, 24), D(2026, 4, 27)),
};
/* forvaltningsloven: reached Thu 3 Dec, ends on julaften, not moved. */
static const struct rules_event sc_a6[] = {
	RECV(1, D(2026, 11, 20)),
	DEC(2, D(2026, 12, 2), D(2026, 12, 3)),
};
/* A plain June decision, for every pbrl service and nødhjelp. */
static const struct rules_event sc_june[] = {
	RECV(1, D(2026, 5, 4)),
	DEC(2, D(2026, 6, 1), D(2026, 6, 3)),
};
/* One month: 31 Jan 2028 -> 29 Feb 2028 (leap year); 31 Jan 2026 -> Sat 28 Feb -> 2 Mar. */
static const struct rules_event sc_m1[] = {
	RECV(1, D(2028, 1, 31)),
};
static const struct rules_event sc_m2[] = {
	RECV(1, D(2026, 1, 31)),
};
/* Nødhjelp received Friday 6 March. */
static const struct rules_event sc_n1[] = {
	RECV(1, D(2026, 3, 6)),
};
static const struct rules_event sc_n2[] = {
	RECV(1, D(2026, 3, 6)),
	DEC(2, D(2026, 3, 7), D(2026, 3, 7)),
};
static const struct rules_event sc_n3[] = {
	RECV(1, D(2026, 3, 6)),
	DEC(2, D(2026, 3, 9), D(2026, 3, 9)),
};
static const struct rules_event sc_e1[] = {
	RECV_EM(1, D(2026, 3, 6)),
};
static const struct rules_event sc_e3[] = {
	RECV_EM(1, D(2026, 3, 2)),
};
/* Documentation requests against the pausing 14-day norm (received Mon 2 Mar, raw 16 Mar). */
static const struct rules_event sc_p1[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
	EVREF(3, RULES_EV_DOC_RECEIVED, D(2026, 3, 9), 0),
};
static const struct rules_event sc_p2[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
};
static const struct rules_event sc_p3[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
	DEC(3, D(2026, 3, 10), D(2026, 3, 11)),
};
static const struct rules_event sc_p4[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 18), D(2026, 3, 25)),
	EVREF(3, RULES_EV_DOC_RECEIVED, D(2026, 3, 20), 2),
};
static const struct rules_event sc_p5[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
	DOCREQ(3, D(2026, 3, 6), D(2026, 3, 16)),
	EVREF(4, RULES_EV_DOC_RECEIVED, D(2026, 3, 9), 2),
	EVREF(5, RULES_EV_DOC_RECEIVED, D(2026, 3, 11), 3),
};
static const struct rules_event sc_p6[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
	EV(3, RULES_EV_CLOSED, D(2026, 3, 10)),
};
static const struct rules_event sc_dd[] = {
	RECV(1, D(2026, 3, 2)),
	EV(2, RULES_EV_DOC_REQUESTED, D(2026, 3, 4)),
};
/* Preliminary reply (bpa: no processing norm; the fvl. § 11 a month ends Tue 7 Apr). */
static const struct rules_event sc_r1[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 25), D(2026, 5, 1)),
};
static const struct rules_event sc_r2[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 20), D(2026, 3, 23)),
};
static const struct rules_event sc_r3[] = {
	RECV(1, D(2026, 3, 2)),
};
static const struct rules_event sc_r4[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 4, 8), D(2026, 5, 1)),
};
static const struct rules_event sc_r5[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 10), D(2026, 4, 15)),
};
/* Reasons (fvl. § 24) on the sc_a1 decision, whose complaint deadline ends Mon 23 Mar. */
static const struct rules_event sc_b1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_UNR(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 10), 0),
};
static const struct rules_event sc_b2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_UNR(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 10), 0),
	EVREF(4, RULES_EV_REASONS_GIVEN, D(2026, 3, 17), 2),
};
static const struct rules_event sc_b3[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_UNR(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 23), 2),
	EVREF(4, RULES_EV_REASONS_GIVEN, D(2026, 3, 25), 2),
};
static const struct rules_event sc_b4[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_UNR(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 24), 2),
};
static const struct rules_event sc_b6[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_UNR(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 10), 0),
	COMPLAINT(4, D(2026, 3, 12), D(2026, 3, 13), 0),
};
/* Extensions and overrides. */
static const struct rules_event sc_x1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	CHANGE(3, RULES_EV_EXTENSION, D(2026, 3, 20), RULES_KIND_COMPLAINT, D(2026, 4, 15), 0,
	       "saksbehandler Kari", "parten er innlagt"),
	COMPLAINT(4, D(2026, 4, 10), D(2026, 4, 13), 2),
};
static const struct rules_event sc_x2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	CHANGE(3, RULES_EV_EXTENSION, D(2026, 3, 10), RULES_KIND_COMPLAINT, D(2026, 3, 20), 2,
	       "saksbehandler Kari", NULL),
};
static const struct rules_event sc_x3[] = {
	RECV(1, D(2026, 3, 2)),
	CHANGE(2, RULES_EV_EXTENSION, D(2026, 3, 10), RULES_KIND_PROCESSING, D(2026, 3, 30), 0,
	       "leder", "stor saksmengde"),
};
static const struct rules_event sc_o1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	CHANGE(3, RULES_EV_OVERRIDE, D(2026, 3, 5), RULES_KIND_COMPLAINT, D(2026, 3, 20), 2,
	       "jurist Per", "feil i forkynning rettet"),
};
static const struct rules_event sc_o2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	CHANGE(4, RULES_EV_OVERRIDE, D(2026, 3, 10), RULES_KIND_FORWARDING, D(2026, 5, 1), 3,
	       "leder", "venter på sakkyndig"),
};
/* Complaints on the sc_a1 decision (deadline Mon 23 Mar; § 31 limit Mon 1 Mar 2027). */
static const struct rules_event sc_c1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 23), D(2026, 3, 25), 0),
};
static const struct rules_event sc_c2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 24), D(2026, 3, 25), 0),
};
static const struct rules_event sc_c3[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2027, 4, 23), D(2027, 4, 26), 0),
};
static const struct rules_event sc_c4[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_NR(2, D(2026, 2, 27)),
};
static const struct rules_event sc_c5[] = {
	RECV(1, D(2026, 2, 2)),
	DEC_NR(2, D(2026, 2, 27)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
};
static const struct rules_event sc_c6[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	DEC(3, D(2026, 3, 9), D(2026, 3, 10)),
	COMPLAINT(4, D(2026, 3, 20), D(2026, 3, 23), 2),
};
static const struct rules_event sc_c7[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	DEC(3, D(2026, 3, 9), D(2026, 3, 10)),
	COMPLAINT(4, D(2026, 3, 20), D(2026, 3, 23), 0),
};
/* Digital delivery: made available Mon 2 Mar, notice sent Wed 4 Mar. */
static const struct rules_event sc_d1[] = {
	RECV(1, D(2026, 2, 2)),
	{ .id = 2,
	  .type = RULES_EV_DECISION,
	  .date = D(2026, 3, 2),
	  .has_reached = true,
	  .reached = D(2026, 3, 4),
	  .digital = true },
};
/* Withdrawn and closed. */
static const struct rules_event sc_w1[] = {
	RECV(1, D(2026, 3, 2)),
	EV(2, RULES_EV_WITHDRAWN, D(2026, 3, 5)),
};
static const struct rules_event sc_w2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 16), D(2026, 3, 2)),
	EV(3, RULES_EV_WITHDRAWN, D(2026, 3, 10)),
};
static const struct rules_event sc_w3[] = {
	RECV(1, D(2026, 3, 2)),
	EV(2, RULES_EV_WITHDRAWN, D(2026, 3, 20)),
};
static const struct rules_event sc_cl1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	EV(4, RULES_EV_CLOSED, D(2026, 3, 10)),
};
static const struct rules_event sc_cl2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	EV(3, RULES_EV_CLOSED, D(2026, 3, 4)),
};
static const struct rules_event sc_cl3[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	EV(3, RULES_EV_CLOSED, D(2026, 3, 4)),
	COMPLAINT(4, D(2026, 3, 10), D(2026, 3, 11), 0),
};
/* Forwarding: complaint received Fri 6 Mar, 4 weeks end on langfredag -> Tue 7 Apr. */
static const struct rules_event sc_f1[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	EVREF(4, RULES_EV_FORWARDED, D(2026, 3, 30), 3),
};
#define DECIDED(i, dt, out)                                                                        \
	{                                                                                          \
		.id = (i), .type = RULES_EV_COMPLAINT_DECIDED, .date = dt, .outcome = (out)        \
	}
/* fvl. § 33: the office reverses its decision in full; nothing left to forward. */
static const struct rules_event sc_f2[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	DECIDED(4, D(2026, 3, 20), "omgjort"),
};
/* fvl. § 33: reversed in part, or kept: the complaint must still go to the complaint body. */
static const struct rules_event sc_f5[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	DECIDED(4, D(2026, 3, 20), "delvis_omgjort"),
};
static const struct rules_event sc_f6[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	DECIDED(4, D(2026, 3, 20), "stadfestet"),
	EVREF(5, RULES_EV_FORWARDED, D(2026, 3, 25), 0),
};
/* The party withdraws the complaint: the forwarding duty ends, unmet and unbroken. */
static const struct rules_event sc_f7[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	EVREF(4, RULES_EV_COMPLAINT_WITHDRAWN, D(2026, 3, 16), 3),
};
/* fvl. § 24 second paragraph with § 29: only a decision without reasons restarts. */
static const struct rules_event sc_b7[] = {
	RECV(1, D(2026, 2, 2)),
	{ .id = 2,
	  .type = RULES_EV_DECISION,
	  .date = D(2026, 2, 27),
	  .has_reached = true,
	  .reached = D(2026, 3, 2),
	  .written = true,
	  .reasoned = true,
	  .outcome = "innvilget" },
	EVREF(3, RULES_EV_REASONS_REQUESTED, D(2026, 3, 10), 2),
	EVREF(4, RULES_EV_REASONS_GIVEN, D(2026, 3, 17), 2),
};
/* fvl. § 29 with domstolloven § 149: an extension to 24 Dec 2026 stands (a working day in
 * law); one to Saturday 26 Dec (annen juledag) rolls to Monday 28 Dec. */
static const struct rules_event sc_x4[] = {
	RECV(1, D(2026, 11, 2)),
	DEC(2, D(2026, 11, 20), D(2026, 11, 23)),
	CHANGE(3, RULES_EV_EXTENSION, D(2026, 12, 1), RULES_KIND_COMPLAINT, D(2026, 12, 26), 2,
	       "saksbehandler", "parten er på sykehus"),
};
static const struct rules_event sc_x5[] = {
	RECV(1, D(2026, 11, 2)),
	DEC(2, D(2026, 11, 20), D(2026, 11, 23)),
	CHANGE(3, RULES_EV_EXTENSION, D(2026, 12, 1), RULES_KIND_COMPLAINT, D(2026, 12, 24), 2,
	       "saksbehandler", "parten er på sykehus."),
};
/* fvl. § 11 a: the date a foreløpig svar promised is the office's own deadline. */
static const struct rules_event sc_pr1[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 20), D(2026, 4, 10)),
};
static const struct rules_event sc_pr2[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 20), D(2026, 4, 10)),
	DEC(3, D(2026, 4, 9), D(2026, 4, 10)),
};
/* A new reply before the promised date promises a later one: the first is replaced. */
static const struct rules_event sc_pr3[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 20), D(2026, 4, 10)),
	PRELIM(3, D(2026, 4, 8), D(2026, 4, 30)),
};
/* A promised Sunday rolls to Monday like any last day. */
static const struct rules_event sc_pr4[] = {
	RECV(1, D(2026, 3, 2)),
	PRELIM(2, D(2026, 3, 20), D(2026, 4, 12)),
};
static const struct rules_event sc_f3[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	EVREF(3, RULES_EV_COMPLAINT, D(2026, 3, 5), 0),
};
static const struct rules_event sc_f4[] = {
	RECV(1, D(2026, 2, 2)),
	DEC(2, D(2026, 2, 27), D(2026, 3, 2)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 0),
	EVREF(4, RULES_EV_FORWARDED, D(2026, 4, 8), 3),
};
/* Test configuration: versions by start date (4 weeks from 1 July 2027). */
static const struct rules_event sc_v1[] = {
	RECV(1, D(2027, 6, 1)),
	DEC(2, D(2027, 6, 29), D(2027, 6, 30)),
};
static const struct rules_event sc_v2[] = {
	RECV(1, D(2027, 6, 1)),
	DEC(2, D(2027, 6, 29), D(2027, 7, 1)),
};
static const struct rules_event sc_v3[] = {
	RECV(1, D(2027, 6, 1)),
	DEC(2, D(2027, 6, 28), D(2027, 7, 2)),
};
static const struct rules_event sc_k1[] = {
	RECV(1, D(2026, 11, 20)),
	DEC(2, D(2026, 12, 2), D(2026, 12, 3)),
};
static const struct rules_event sc_k2[] = {
	RECV(1, D(2026, 7, 1)),
	DEC(2, D(2026, 7, 23), D(2026, 7, 24)),
};
static const struct rules_event sc_ny1[] = {
	RECV(1, D(2019, 12, 1)),
	DEC(2, D(2019, 12, 20), D(2019, 12, 31)),
};
static const struct rules_event sc_ny2[] = {
	RECV(1, D(2019, 12, 1)),
	DEC(2, D(2019, 12, 31), D(2020, 1, 2)),
};
static const struct rules_event sc_t1[] = {
	RECV(1, D(2026, 2, 20)),
	DEC(2, D(2026, 3, 2), D(2026, 3, 5)),
	COMPLAINT(3, D(2026, 3, 10), D(2026, 3, 12), 0),
};
static const struct rules_event sc_ak1[] = {
	RECV_EM(1, D(2026, 2, 27)),
};
static const struct rules_event sc_ak2[] = {
	RECV_EM(1, D(2026, 3, 7)),
	DEC(2, D(2026, 3, 7), D(2026, 3, 7)),
};
static const struct rules_event sc_ak3[] = {
	RECV(1, D(2026, 3, 7)),
};
static const struct rules_event sc_ak4[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
	EVREF(3, RULES_EV_DOC_RECEIVED, D(2026, 3, 9), 0),
};

struct row {
	const char *name;
	enum cfg cfg;
	const char *service;
	const struct rules_event *ev;
	size_t n_ev;
	const char *today;
	enum rules_kind kind;
	int64_t subject;
	enum rules_state state;
	const char *due;  /* NULL: no due date (has_due false) */
	const char *met;  /* NULL: not met */
	const char *text; /* NULL, or a phrase of rules_deadline_text() */
};

#define P	RULES_KIND_PROCESSING
#define PR	RULES_KIND_PRELIMINARY_REPLY
#define DO	RULES_KIND_DOCUMENTATION
#define CO	RULES_KIND_COMPLAINT
#define LC	RULES_KIND_LATE_COMPLAINT
#define FW	RULES_KIND_FORWARDING
#define PM	RULES_KIND_PROMISED
#define OPEN	RULES_STATE_OPEN
#define MET	RULES_STATE_MET
#define MISSED	RULES_STATE_MISSED
#define CANCEL	RULES_STATE_CANCELLED
#define EXPIRED RULES_STATE_EXPIRED
/* As a row's state: no deadline of this kind and subject at all. */
#define ABSENT ((enum rules_state)99)

static const struct row rows[] = {
	/* Worked examples through the engine and the shipped rules. */
	{ "sotjl 3w from Mon 2 Mar", SHIPPED, "okonomisk-stonad", SC(sc_a1), "2026-03-10", CO, 2,
	  OPEN, "2026-03-23", NULL,
	  "Klagefrist på 3 uker regnet fra 2026-03-02 (vedtaket kom fram): 2026-03-23. Hjemmel: "
	  "forvaltningsloven § 29." },
	{ "sotjl 3w from Thu 12 Mar over Easter", SHIPPED, "kvalifiseringsprogram", SC(sc_a2),
	  "2026-03-20", CO, 2, OPEN, "2026-04-07", NULL,
	  "2026-04-02 skjærtorsdag, 2026-04-03 langfredag, 2026-04-04 lørdag, 2026-04-05 første "
	  "påskedag, 2026-04-06 annen påskedag → 2026-04-07." },
	{ "sotjl 3w from Thu 23 Apr over Kristi himmelfart", SHIPPED, "midlertidig-botilbud",
	  SC(sc_a3), "2026-05-01", CO, 2, OPEN, "2026-05-15", NULL,
	  "2026-05-14 Kristi himmelfartsdag → 2026-05-15." },
	{ "pbrl 4w from Sun 19 Apr over 17 May", SHIPPED, "bpa", SC(sc_a4), "2026-05-01", CO, 2,
	  OPEN, "2026-05-18", NULL, "2026-05-17 grunnlovsdag → 2026-05-18." },
	{ "pbrl 4w source", SHIPPED, "bpa", SC(sc_a4), "2026-05-01", CO, 2, OPEN, "2026-05-18",
	  NULL,
	  "4 uker regnet fra 2026-04-19 (vedtaket kom fram): 2026-05-17. Hjemmel: pasient- og "
	  "brukerrettighetsloven § 7-5." },
	{ "pbrl 4w from Mon 27 Apr over annen pinsedag", SHIPPED, "sykehjem", SC(sc_a5),
	  "2026-05-01", CO, 2, OPEN, "2026-05-26", NULL,
	  "2026-05-25 annen pinsedag → 2026-05-26." },
	{ "fvl 3w from Thu 3 Dec ends on julaften", SHIPPED, "forvaltningsloven", SC(sc_a6),
	  "2026-12-10", CO, 2, OPEN, "2026-12-24", NULL, "Frist: 2026-12-24. Status: åpen." },
	{ "1 month from 31 Jan 2028 is 29 Feb", SHIPPED, "forvaltningsloven", SC(sc_m1),
	  "2028-02-10", PR, 1, OPEN, "2028-02-29", NULL, "1 måned regnet fra 2028-01-31" },
	{ "1 month from 31 Jan 2026: Sat 28 Feb rolls", SHIPPED, "forvaltningsloven", SC(sc_m2),
	  "2026-02-10", PR, 1, OPEN, "2026-03-02", NULL, "2026-02-28 lørdag, 2026-03-01 søndag" },
	/* Every regime's complaint deadline. */
	{ "stottekontakt is pbrl: 4w", SHIPPED, "stottekontakt", SC(sc_a1), "2026-03-10", CO, 2,
	  OPEN, "2026-03-30", NULL, "pbrl/complaint@1970-01-01" },
	{ "helsetjenester-i-hjemmet 4w", SHIPPED, "helsetjenester-i-hjemmet", SC(sc_june),
	  "2026-06-10", CO, 2, OPEN, "2026-07-01", NULL, NULL },
	{ "praktisk-bistand 4w", SHIPPED, "praktisk-bistand", SC(sc_june), "2026-06-10", CO, 2,
	  OPEN, "2026-07-01", NULL, NULL },
	{ "avlastning 4w", SHIPPED, "avlastning", SC(sc_june), "2026-06-10", CO, 2, OPEN,
	  "2026-07-01", NULL, NULL },
	{ "omsorgsstonad 4w", SHIPPED, "omsorgsstonad", SC(sc_june), "2026-06-10", CO, 2, OPEN,
	  "2026-07-01", NULL, NULL },
	{ "nodhjelp complaint 3w", SHIPPED, "nodhjelp", SC(sc_june), "2026-06-10", CO, 2, OPEN,
	  "2026-06-24", NULL, "sotjl/complaint@1970-01-01" },
	{ "late_complaint 1y from decision made", SHIPPED, "okonomisk-stonad", SC(sc_a1),
	  "2026-03-10", LC, 2, OPEN, "2027-03-01", NULL,
	  "1 år regnet fra 2026-02-27 (vedtaket truffet): 2027-02-27. Hjemmel: forvaltningsloven § 31." },
	/* Processing norms. */
	{ "processing missed by a late decision", SHIPPED, "okonomisk-stonad", SC(sc_a1),
	  "2026-03-10", P, 1, MISSED, "2026-02-16", "2026-02-27", "overskredet" },
	{ "kvalifiseringsprogram 4w met", SHIPPED, "kvalifiseringsprogram", SC(sc_a2), "2026-03-20",
	  P, 1, MET, "2026-03-16", "2026-03-11", NULL },
	{ "midlertidig-botilbud next day met", SHIPPED, "midlertidig-botilbud", SC(sc_a3),
	  "2026-05-01", P, 1, MET, "2026-04-21", "2026-04-21", NULL },
	{ "bpa has no processing norm", SHIPPED, "bpa", SC(sc_a4), "2026-05-01", P, 1, ABSENT, NULL,
	  NULL, NULL },
	{ "nodhjelp Friday: due Saturday, no roll-over", SHIPPED, "nodhjelp", SC(sc_n1),
	  "2026-03-06", P, 1, OPEN, "2026-03-07", NULL,
	  "2026-03-07 er lørdag, men regelen flytter ikke fristen." },
	{ "nodhjelp missed on Monday", SHIPPED, "nodhjelp", SC(sc_n1), "2026-03-09", P, 1, MISSED,
	  "2026-03-07", NULL, "overskredet – ikke oppfylt" },
	{ "nodhjelp decided Saturday", SHIPPED, "nodhjelp", SC(sc_n2), "2026-03-09", P, 1, MET,
	  "2026-03-07", "2026-03-07", NULL },
	{ "nodhjelp decided Monday is late", SHIPPED, "nodhjelp", SC(sc_n3), "2026-03-09", P, 1,
	  MISSED, "2026-03-07", "2026-03-09", NULL },
	{ "emergency application uses the emergency rule", SHIPPED, "okonomisk-stonad", SC(sc_e1),
	  "2026-03-06", P, 1, OPEN, "2026-03-07", NULL,
	  "okonomisk-stonad/processing/emergency@1970-01-01" },
	{ "ordinary application uses the 14-day norm", SHIPPED, "okonomisk-stonad", SC(sc_n1),
	  "2026-03-06", P, 1, OPEN, "2026-03-20", NULL,
	  "Regel: okonomisk-stonad/processing@1970-01-01." },
	{ "emergency flag without an emergency rule", SHIPPED, "kvalifiseringsprogram", SC(sc_e3),
	  "2026-03-10", P, 1, OPEN, "2026-03-30", NULL, "ingen egen nødhjelpsregel" },
	/* Pauses for documentation. */
	{ "pause closed: 5 days", SHIPPED, "okonomisk-stonad", SC(sc_p1), "2026-03-20", P, 1, OPEN,
	  "2026-03-23", NULL,
	  "Fristen stod stille fra 2026-03-04 (dokumentasjon etterspurt) til 2026-03-09: 5 dager." },
	{ "pause closed: headline", SHIPPED, "okonomisk-stonad", SC(sc_p1), "2026-03-20", P, 1,
	  OPEN, "2026-03-23", NULL,
	  "Fristen har stått stille i 5 dager mens dokumentasjon ble ventet: 2026-03-21." },
	{ "documentation met", SHIPPED, "okonomisk-stonad", SC(sc_p1), "2026-03-20", DO, 2, MET,
	  "2026-03-16", "2026-03-09", "2026-03-14 lørdag, 2026-03-15 søndag → 2026-03-16." },
	{ "the § 11 a month never pauses", SHIPPED, "okonomisk-stonad", SC(sc_p2), "2026-03-20", PR,
	  1, OPEN, "2026-04-07", NULL, NULL },
	{ "pause open: 8 days so far", SHIPPED, "okonomisk-stonad", SC(sc_p2), "2026-03-12", P, 1,
	  OPEN, "2026-03-24", NULL, "fortsatt per 2026-03-12: 8 dager så langt." },
	/* The pause ends when the date set for sending (2026-03-14, rolled to Monday 16th)
	 * passes without documents: 12 days, 2026-03-28 Saturday -> Monday 30th. The office
	 * then decides on what it has; the deadline no longer drifts with today. */
	{ "pause ends at the innsendelsesfrist", SHIPPED, "okonomisk-stonad", SC(sc_p2),
	  "2026-03-20", P, 1, OPEN, "2026-03-30", NULL,
	  "til innsendelsesfristen 2026-03-16: 12 dager." },
	{ "pause ended: the same a month later", SHIPPED, "okonomisk-stonad", SC(sc_p2),
	  "2026-04-20", P, 1, MISSED, "2026-03-30", NULL, NULL },
	{ "documentation open", SHIPPED, "okonomisk-stonad", SC(sc_p2), "2026-03-12", DO, 2, OPEN,
	  "2026-03-16", NULL,
	  "Innsendelsesfrist 2026-03-14, satt 2026-03-04 (dokumentasjon etterspurt)" },
	{ "documentation missed", SHIPPED, "okonomisk-stonad", SC(sc_p2), "2026-03-20", DO, 2,
	  EXPIRED, "2026-03-16", NULL, "utløpt – dokumentasjonen kom ikke" },
	{ "pause stops at the decision", SHIPPED, "okonomisk-stonad", SC(sc_p3), "2026-03-20", P, 1,
	  MET, "2026-03-23", "2026-03-10", "til 2026-03-10: 6 dager" },
	{ "request after expiry pauses nothing", SHIPPED, "okonomisk-stonad", SC(sc_p4),
	  "2026-03-25", P, 1, MISSED, "2026-03-16", NULL,
	  "Dokumentasjon etterspurt 2026-03-18, etter at fristen var ute: fristen stod ikke stille." },
	{ "overlapping requests count once", SHIPPED, "okonomisk-stonad", SC(sc_p5), "2026-03-20",
	  P, 1, OPEN, "2026-03-23", NULL, "til 2026-03-11: 2 dager" },
	{ "second documentation deadline met", SHIPPED, "okonomisk-stonad", SC(sc_p5), "2026-03-20",
	  DO, 3, MET, "2026-03-16", "2026-03-11", NULL },
	{ "closing cancels documentation", SHIPPED, "okonomisk-stonad", SC(sc_p6), "2026-03-20", DO,
	  2, CANCEL, "2026-03-16", NULL, "bortfalt 2026-03-10 (hendelse 3)" },
	{ "closing cancels processing", SHIPPED, "okonomisk-stonad", SC(sc_p6), "2026-03-20", P, 1,
	  CANCEL, "2026-03-23", NULL, NULL },
	{ "documentation without a date: 14 days", SHIPPED, "okonomisk-stonad", SC(sc_dd),
	  "2026-03-10", DO, 2, OPEN, "2026-03-18", NULL, "Brevet nevnte ingen dato" },
	/* Preliminary reply. */
	{ "prelim met by a preliminary reply", SHIPPED, "bpa", SC(sc_r1), "2026-04-10", PR, 1, MET,
	  "2026-04-07", "2026-03-25", NULL },
	{ "prelim met by a decision", SHIPPED, "bpa", SC(sc_r2), "2026-04-10", PR, 1, MET,
	  "2026-04-07", "2026-03-20", "Vedtaket 2026-03-20 gjorde et foreløpig svar unødvendig." },
	{ "prelim open on its last day", SHIPPED, "bpa", SC(sc_r3), "2026-04-07", PR, 1, OPEN,
	  "2026-04-07", NULL, NULL },
	{ "prelim missed the day after", SHIPPED, "bpa", SC(sc_r3), "2026-04-08", PR, 1, MISSED,
	  "2026-04-07", NULL, NULL },
	{ "prelim reply too late", SHIPPED, "bpa", SC(sc_r4), "2026-04-10", PR, 1, MISSED,
	  "2026-04-07", "2026-04-08", "fulgt opp 2026-04-08 (hendelse 2), 1 dag for sent" },
	{ "prelim missed when the decision is late", SHIPPED, "bpa", SC(sc_a4), "2026-05-01", PR, 1,
	  MISSED, "2026-04-07", "2026-04-17", NULL },
	{ "prelim due rolls off 1 May weekend", SHIPPED, "sykehjem", SC(sc_a5), "2026-05-01", PR, 1,
	  MET, "2026-05-04", "2026-04-24", "2026-05-01 offentlig høytidsdag" },
	{ "promised answer date noted on processing", SHIPPED, "okonomisk-stonad", SC(sc_r5),
	  "2026-03-12", P, 1, OPEN, "2026-03-16", NULL,
	  "Et foreløpig svar har lovet vedtak innen 2026-04-15" },
	/* Reasons requested (fvl. § 24). */
	{ "reasons requested: no due date", SHIPPED, "okonomisk-stonad", SC(sc_b1), "2026-03-30",
	  CO, 2, OPEN, NULL, NULL,
	  "Parten ba om begrunnelse 2026-03-10 for et vedtak uten begrunnelse: en ny, full klagefrist" },
	{ "reasons given: new full period", SHIPPED, "okonomisk-stonad", SC(sc_b2), "2026-03-30",
	  CO, 2, OPEN, "2026-04-07", NULL,
	  "Parten ba om begrunnelse 2026-03-10, og begrunnelsen kom fram 2026-03-17: ny full klagefrist fra den dagen." },
	{ "reasons given: original noted", SHIPPED, "okonomisk-stonad", SC(sc_b2), "2026-03-30", CO,
	  2, OPEN, "2026-04-07", NULL, "Den opprinnelige klagefristen var 2026-03-23." },
	{ "reasons requested on the last day", SHIPPED, "okonomisk-stonad", SC(sc_b3), "2026-03-30",
	  CO, 2, OPEN, "2026-04-15", NULL, "(begrunnelsen kom fram)" },
	{ "reasons requested too late", SHIPPED, "okonomisk-stonad", SC(sc_b4), "2026-03-25", CO, 2,
	  EXPIRED, "2026-03-23", NULL, "etter at klagefristen gikk ut 2026-03-23" },
	{ "rule without reasons_restart", TESTCFG, "ingen-begrunnelse", SC(sc_b1), "2026-03-12", CO,
	  2, OPEN, "2026-03-23", NULL, "regelen gir ikke ny klagefrist" },
	{ "reasons asked of a reasoned decision: deadline stays", SHIPPED, "okonomisk-stonad",
	  SC(sc_b7), "2026-03-20", CO, 2, OPEN, "2026-03-23", NULL,
	  "Parten ba om begrunnelse 2026-03-10. Vedtaket var begrunnet, så klagefristen løper som "
	  "før (forvaltningsloven § 29 jf. § 24 annet ledd)." },
	{ "reasons asked of a reasoned decision: no restart", SHIPPED, "okonomisk-stonad",
	  SC(sc_b7), "2026-03-24", CO, 2, EXPIRED, "2026-03-23", NULL, NULL },
	{ "complaint while reasons awaited", SHIPPED, "okonomisk-stonad", SC(sc_b6), "2026-03-30",
	  CO, 2, MET, NULL, "2026-03-12", NULL },
	/* Extensions and overrides. */
	{ "extension of the complaint deadline", SHIPPED, "okonomisk-stonad", SC(sc_x1),
	  "2026-04-20", CO, 2, MET, "2026-04-15", "2026-04-10",
	  "Forlenget til 2026-04-15 (hendelse 3) av saksbehandler Kari: parten er innlagt." },
	{ "extension never shortens", SHIPPED, "okonomisk-stonad", SC(sc_x2), "2026-03-12", CO, 2,
	  OPEN, "2026-03-23", NULL, "gir ingen senere frist enn 2026-03-23" },
	{ "extension of processing", SHIPPED, "okonomisk-stonad", SC(sc_x3), "2026-03-20", P, 1,
	  OPEN, "2026-03-30", NULL, "av leder: stor saksmengde" },
	{ "override with who and why", SHIPPED, "okonomisk-stonad", SC(sc_o1), "2026-03-21", CO, 2,
	  EXPIRED, "2026-03-20", NULL,
	  "Overstyrt til 2026-03-20 (hendelse 3) av jurist Per: feil i forkynning rettet." },
	/* domstolloven § 149: an overridden last day on 1 May (Friday) rolls to Monday 4 May. */
	{ "override of forwarding rolls over", SHIPPED, "okonomisk-stonad", SC(sc_o2), "2026-04-10",
	  FW, 3, OPEN, "2026-05-04", NULL, "Overstyrt til 2026-05-01 (hendelse 4)" },
	{ "override roll-over explained", SHIPPED, "okonomisk-stonad", SC(sc_o2), "2026-04-10", FW,
	  3, OPEN, "2026-05-04", NULL,
	  "2026-05-01 offentlig høytidsdag, 2026-05-02 lørdag, 2026-05-03 søndag → 2026-05-04." },
	{ "extension to a holiday rolls over", SHIPPED, "okonomisk-stonad", SC(sc_x4), "2026-12-10",
	  CO, 2, OPEN, "2026-12-28", NULL,
	  "Den nye siste dagen er ikke en virkedag og flyttes: 2026-12-26 annen juledag, "
	  "2026-12-27 søndag → 2026-12-28." },
	{ "extension to 24 December stands", SHIPPED, "okonomisk-stonad", SC(sc_x5), "2026-12-10",
	  CO, 2, OPEN, "2026-12-24", NULL,
	  "Forlenget til 2026-12-24 (hendelse 3) av saksbehandler: parten er på sykehus. Hjemmel "
	  "for forlengelsen: forvaltningsloven § 29.\n" },
	/* The date promised in a foreløpig svar. */
	{ "promised date is an office deadline", SHIPPED, "okonomisk-stonad", SC(sc_pr1),
	  "2026-04-01", PM, 2, OPEN, "2026-04-10", NULL,
	  "Lovet svardato 2026-04-10, satt 2026-03-20 (foreløpig svar sendt)" },
	{ "promised date missed", SHIPPED, "okonomisk-stonad", SC(sc_pr1), "2026-04-11", PM, 2,
	  MISSED, "2026-04-10", NULL, "overskredet – ikke oppfylt" },
	{ "promised date met by the decision", SHIPPED, "okonomisk-stonad", SC(sc_pr2),
	  "2026-04-11", PM, 2, MET, "2026-04-10", "2026-04-09", NULL },
	/* Replaced in time: neither kept nor broken. */
	{ "promised date replaced by a new reply", SHIPPED, "okonomisk-stonad", SC(sc_pr3),
	  "2026-04-20", PM, 2, CANCEL, "2026-04-10", NULL,
	  "Erstattet av et nytt foreløpig svar 2026-04-08, som lover vedtak innen 2026-04-30." },
	{ "the new promise runs", SHIPPED, "okonomisk-stonad", SC(sc_pr3), "2026-04-20", PM, 3,
	  OPEN, "2026-04-30", NULL, NULL },
	/* The date promised is the date: a promise is not a period, it does not roll over. */
	{ "promised Sunday stands", SHIPPED, "bpa", SC(sc_pr4), "2026-04-01", PM, 2, OPEN,
	  "2026-04-12", NULL, "2026-04-12 er søndag, men regelen flytter ikke fristen." },
	/* Complaints in time and late. */
	{ "complaint sent on the last day", SHIPPED, "okonomisk-stonad", SC(sc_c1), "2026-03-30",
	  CO, 2, MET, "2026-03-23", "2026-03-23", NULL },
	{ "complaint one day late, inside § 31", SHIPPED, "okonomisk-stonad", SC(sc_c2),
	  "2026-03-30", CO, 2, EXPIRED, "2026-03-23", "2026-03-24",
	  "Klagen ble sendt 2026-03-24, 1 dag for sent. Den kan likevel tas under behandling hvis "
	  "parten ikke kan lastes for forsinkelsen, eller det av særlige grunner er rimelig at "
	  "klagen blir prøvd, siden den ble sendt innen 2027-03-01 (forvaltningsloven § 31)." },
	{ "late complaint is within the outer limit", SHIPPED, "okonomisk-stonad", SC(sc_c2),
	  "2026-03-30", LC, 2, MET, "2027-03-01", "2026-03-24", NULL },
	{ "complaint 13 months late", SHIPPED, "okonomisk-stonad", SC(sc_c3), "2027-04-30", CO, 2,
	  EXPIRED, "2026-03-23", "2027-04-23",
	  "etter den ytre fristen 2027-03-01 (forvaltningsloven § 31): den kan ikke tas under "
	  "behandling." },
	{ "outer limit missed by that complaint", SHIPPED, "okonomisk-stonad", SC(sc_c3),
	  "2027-04-30", LC, 2, EXPIRED, "2027-03-01", "2027-04-23", NULL },
	{ "complaint deadline open on its last day", SHIPPED, "okonomisk-stonad", SC(sc_a1),
	  "2026-03-23", CO, 2, OPEN, "2026-03-23", NULL, NULL },
	{ "no complaint: window still open", SHIPPED, "okonomisk-stonad", SC(sc_a1), "2026-03-24",
	  CO, 2, EXPIRED, "2026-03-23", NULL,
	  "En klage som sendes senest 2027-03-01, kan likevel tas under behandling" },
	{ "no complaint: both limits passed", SHIPPED, "okonomisk-stonad", SC(sc_a1), "2027-03-02",
	  CO, 2, EXPIRED, "2026-03-23", NULL,
	  "Klagefristen og den ytre fristen 2027-03-01 (forvaltningsloven § 31) er utløpt uten klage." },
	{ "outer limit passes without complaint", SHIPPED, "okonomisk-stonad", SC(sc_a1),
	  "2027-03-02", LC, 2, EXPIRED, "2027-03-01", NULL, NULL },
	{ "decision not yet reached", SHIPPED, "okonomisk-stonad", SC(sc_c4), "2026-06-01", CO, 2,
	  OPEN, NULL, NULL, "Venter på at vedtaket kommer fram" },
	{ "decision not reached: outer limit runs", SHIPPED, "okonomisk-stonad", SC(sc_c4),
	  "2026-06-01", LC, 2, OPEN, "2027-03-01", NULL, NULL },
	{ "complaint before the decision reached", SHIPPED, "okonomisk-stonad", SC(sc_c5),
	  "2026-06-01", CO, 2, MET, NULL, "2026-03-05", NULL },
	{ "complaint names the first decision", SHIPPED, "okonomisk-stonad", SC(sc_c6),
	  "2026-03-25", CO, 2, MET, "2026-03-23", "2026-03-20", NULL },
	{ "other decision stays open", SHIPPED, "okonomisk-stonad", SC(sc_c6), "2026-03-25", CO, 3,
	  OPEN, "2026-03-31", NULL, NULL },
	{ "ref 0 is the latest decision", SHIPPED, "okonomisk-stonad", SC(sc_c7), "2026-03-25", CO,
	  3, MET, "2026-03-31", "2026-03-20", NULL },
	{ "ref 0 leaves the first decision", SHIPPED, "okonomisk-stonad", SC(sc_c7), "2026-03-25",
	  CO, 2, EXPIRED, "2026-03-23", NULL, NULL },
	/* Digital delivery. */
	{ "digital: from the later notice", SHIPPED, "okonomisk-stonad", SC(sc_d1), "2026-03-10",
	  CO, 2, OPEN, "2026-03-25", NULL, "Digitalt vedtak" },
	{ "digital: outer limit from made", SHIPPED, "okonomisk-stonad", SC(sc_d1), "2026-03-10",
	  LC, 2, OPEN, "2027-03-02", NULL, NULL },
	/* Withdrawn and closed. */
	{ "withdrawn cancels processing", SHIPPED, "okonomisk-stonad", SC(sc_w1), "2026-03-10", P,
	  1, CANCEL, "2026-03-16", NULL, "bortfalt 2026-03-05 (hendelse 2)" },
	{ "withdrawn cancels the prelim reply", SHIPPED, "okonomisk-stonad", SC(sc_w1),
	  "2026-03-10", PR, 1, CANCEL, "2026-04-07", NULL, NULL },
	{ "withdrawn cancels the complaint deadline", SHIPPED, "okonomisk-stonad", SC(sc_w2),
	  "2026-03-30", CO, 2, CANCEL, "2026-03-23", NULL, NULL },
	{ "withdrawn cancels the outer limit", SHIPPED, "okonomisk-stonad", SC(sc_w2), "2026-03-30",
	  LC, 2, CANCEL, "2027-02-16", NULL, NULL },
	{ "decision on the last day is met", SHIPPED, "okonomisk-stonad", SC(sc_w2), "2026-03-30",
	  P, 1, MET, "2026-02-16", "2026-02-16", NULL },
	{ "withdrawn after a breach stays missed", SHIPPED, "okonomisk-stonad", SC(sc_w3),
	  "2026-03-25", P, 1, MISSED, "2026-03-16", NULL,
	  "Fristen var allerede overskredet da søknaden ble trukket 2026-03-20." },
	{ "closed keeps the complaint right", SHIPPED, "okonomisk-stonad", SC(sc_cl2), "2026-03-10",
	  CO, 2, OPEN, "2026-03-23", NULL, NULL },
	{ "closed keeps the outer limit", SHIPPED, "okonomisk-stonad", SC(sc_cl2), "2026-03-10", LC,
	  2, OPEN, "2027-03-01", NULL, NULL },
	/* Closing the case does not end the duty to send a complaint on (fvl. § 33). */
	{ "closing leaves forwarding open", SHIPPED, "okonomisk-stonad", SC(sc_cl1), "2026-03-30",
	  FW, 3, OPEN, "2026-04-07", NULL, NULL },
	{ "closing leaves forwarding missed", SHIPPED, "okonomisk-stonad", SC(sc_cl1), "2026-04-08",
	  FW, 3, MISSED, "2026-04-07", NULL, NULL },
	{ "complaint met before closing", SHIPPED, "okonomisk-stonad", SC(sc_cl1), "2026-03-30", CO,
	  2, MET, "2026-03-23", "2026-03-05", NULL },
	{ "complaint after closing is forwarded", SHIPPED, "okonomisk-stonad", SC(sc_cl3),
	  "2026-03-20", FW, 4, OPEN, "2026-04-08", NULL, NULL },
	/* Forwarding. */
	{ "forwarding met", SHIPPED, "okonomisk-stonad", SC(sc_f1), "2026-04-10", FW, 3, MET,
	  "2026-04-07", "2026-03-30", "2026-04-03 langfredag" },
	{ "full reversal ends the forwarding duty", SHIPPED, "okonomisk-stonad", SC(sc_f2),
	  "2026-04-10", FW, 3, MET, "2026-04-07", "2026-03-20",
	  "Kontoret behandlet klagen 2026-03-20 og omgjorde vedtaket i sin helhet: klagen sendes "
	  "ikke videre." },
	{ "partial reversal: forwarding stays open", SHIPPED, "okonomisk-stonad", SC(sc_f5),
	  "2026-03-25", FW, 3, OPEN, "2026-04-07", NULL,
	  "klagen skal fortsatt sendes til Statsforvalteren." },
	{ "partial reversal: forwarding missed", SHIPPED, "okonomisk-stonad", SC(sc_f5),
	  "2026-04-08", FW, 3, MISSED, "2026-04-07", NULL, NULL },
	{ "decision kept: met by the forwarding", SHIPPED, "okonomisk-stonad", SC(sc_f6),
	  "2026-04-08", FW, 3, MET, "2026-04-07", "2026-03-25", NULL },
	{ "forwarding names the complaint body", SHIPPED, "okonomisk-stonad", SC(sc_f1),
	  "2026-04-10", FW, 3, MET, "2026-04-07", "2026-03-30",
	  "Frist for oversendelse til Statsforvalteren på 4 uker" },
	{ "klagenemnd for the generic fvl service", SHIPPED, "forvaltningsloven", SC(sc_f5),
	  "2026-03-25", FW, 3, OPEN, "2026-04-07", NULL,
	  "Frist for oversendelse til kommunens klagenemnd" },
	{ "withdrawn complaint cancels forwarding", SHIPPED, "okonomisk-stonad", SC(sc_f7),
	  "2026-04-10", FW, 3, CANCEL, "2026-04-07", NULL,
	  "Klagen ble trukket 2026-03-16: den sendes ikke videre." },
	{ "withdrawn complaint: complaint deadline stays met", SHIPPED, "okonomisk-stonad",
	  SC(sc_f7), "2026-04-10", CO, 2, MET, "2026-03-23", "2026-03-05", NULL },
	{ "forwarding from the sent date when receipt unknown", SHIPPED, "okonomisk-stonad",
	  SC(sc_f3), "2026-03-10", FW, 3, OPEN, "2026-04-07", NULL, "Mottaksdato mangler" },
	{ "forwarding late", SHIPPED, "okonomisk-stonad", SC(sc_f4), "2026-04-10", FW, 3, MISSED,
	  "2026-04-07", "2026-04-08", "overskredet" },
	/* Versions by start date. */
	{ "old version before 1 July 2027", TESTCFG, "versjon", SC(sc_v1), "2027-07-01", CO, 2,
	  OPEN, "2027-07-21", NULL, "Regel: vers/complaint@1970-01-01." },
	{ "new version from 1 July 2027", TESTCFG, "versjon", SC(sc_v2), "2027-07-01", CO, 2, OPEN,
	  "2027-07-29", NULL,
	  "4 uker regnet fra 2027-07-01 (vedtaket kom fram): 2027-07-29. Hjemmel: ny lov § 3-2." },
	{ "version picked by the day it reached", TESTCFG, "versjon", SC(sc_v3), "2027-07-05", CO,
	  2, OPEN, "2027-07-30", NULL, "vers/complaint@2027-07-01" },
	{ "outer limit of the versioned regime", TESTCFG, "versjon", SC(sc_v3), "2027-07-05", LC, 2,
	  OPEN, "2028-06-28", NULL, "gammel lov § 31" },
	{ "no version in force: no deadline", TESTCFG, "ny", SC(sc_ny1), "2020-01-05", CO, 2,
	  ABSENT, NULL, NULL, NULL },
	{ "first version in force", TESTCFG, "ny", SC(sc_ny2), "2020-01-05", CO, 2, OPEN,
	  "2020-01-23", NULL, NULL },
	/* Office calendar only where a rule names it. */
	{ "office calendar moves julaften", TESTCFG, "kontorfrist", SC(sc_k1), "2026-12-10", CO, 2,
	  OPEN, "2026-12-28", NULL,
	  "2026-12-24 julaften, 2026-12-25 første juledag, 2026-12-26 annen juledag, 2026-12-27 "
	  "søndag → 2026-12-28." },
	{ "office calendar: a one-off closure", TESTCFG, "kontorfrist", SC(sc_k2), "2026-08-01", CO,
	  2, OPEN, "2026-08-17", NULL, "Kontorkalenderen «kontor» teller med" },
	/* Other starts. */
	{ "complaint counted from decision made", TESTCFG, "fra-truffet", SC(sc_t1), "2026-03-12",
	  CO, 2, MET, "2026-03-16", "2026-03-10",
	  "2 uker regnet fra 2026-03-02 (vedtaket truffet)" },
	{ "forwarding counted from sent", TESTCFG, "fra-truffet", SC(sc_t1), "2026-03-12", FW, 3,
	  OPEN, "2026-03-20", NULL, "10 dager regnet fra 2026-03-10 (klagen sendt)" },
	{ "regime without an outer limit", TESTCFG, "fra-truffet", SC(sc_t1), "2026-03-12", LC, 2,
	  ABSENT, NULL, NULL, NULL },
	/* Emergency versions. */
	{ "emergency rule not yet in force", TESTCFG, "akutt", SC(sc_ak1), "2026-03-02", P, 1, OPEN,
	  "2026-03-20", NULL, "ingen egen nødhjelpsregel" },
	{ "emergency rule: same day, Saturday", TESTCFG, "akutt", SC(sc_ak2), "2026-03-09", P, 1,
	  MET, "2026-03-07", "2026-03-07", "akutt/processing/emergency@2026-03-01" },
	{ "ordinary application beside an emergency rule", TESTCFG, "akutt", SC(sc_ak3),
	  "2026-03-10", P, 1, OPEN, "2026-03-30", NULL, "2026-03-28 lørdag" },
	{ "pausing norm without a documentation rule", TESTCFG, "akutt", SC(sc_ak4), "2026-03-10",
	  P, 1, OPEN, "2026-03-30", NULL,
	  "Fristen har stått stille i 5 dager mens dokumentasjon ble ventet: 2026-03-28." },
	{ "no documentation rule: no documentation deadline", TESTCFG, "akutt", SC(sc_ak4),
	  "2026-03-10", DO, 2, ABSENT, NULL, NULL, NULL },
};

static struct cal_date
parse_date(const char *s)
{
	struct cal_date d;

	assert_int_equal(cal_date_parse(s, &d), 0);
	return d;
}

static void
check_date(const char *row, const char *what, bool has, struct cal_date got, const char *want)
{
	char buf[CAL_DATE_LEN];

	if (!want) {
		if (has)
			fail_msg("%s: %s is %s, expected none", row, what,
				 cal_date_format(got, buf));
		return;
	}
	if (!has)
		fail_msg("%s: %s missing, expected %s", row, what, want);
	if (strcmp(cal_date_format(got, buf), want) != 0)
		fail_msg("%s: %s is %s, expected %s", row, what, buf, want);
}

static void
test_engine_row(void **state)
{
	const struct row *r = *state;
	const struct rules *rules = r->cfg == SHIPPED ? shipped : testcfg;
	const struct rules_deadline *d = NULL;
	struct rules_deadline *out = NULL;
	size_t n = 0;
	char *text;
	json_t *j;

	assert_int_equal(
		rules_compute(rules, r->service, r->ev, r->n_ev, parse_date(r->today), &out, &n),
		0);
	for (size_t i = 0; i < n; i++) {
		if (out[i].kind == r->kind && out[i].subject == r->subject) {
			if (d)
				fail_msg("%s: two deadlines of the same kind and subject", r->name);
			d = &out[i];
		}
	}
	if (r->state == ABSENT) {
		if (d)
			fail_msg("%s: unexpected %s deadline", r->name, rules_kind_name(r->kind));
		rules_deadlines_free(out, n);
		return;
	}
	if (!d)
		fail_msg("%s: no %s deadline for event %lld", r->name, rules_kind_name(r->kind),
			 (long long)r->subject);
	text = rules_deadline_text(d);
	if (d->state != r->state)
		fail_msg("%s: state %s, expected %s\n%s", r->name, rules_state_name(d->state),
			 rules_state_name(r->state), text);
	check_date(r->name, "due", d->has_due, d->due, r->due);
	check_date(r->name, "met_on", d->has_met, d->met_on, r->met);
	if (r->text && !strstr(text, r->text))
		fail_msg("%s: explanation lacks \"%s\":\n%s", r->name, r->text, text);
	/* Every deadline also serialises; its due member matches. */
	j = rules_deadline_json(d);
	assert_non_null(j);
	if (r->due)
		assert_string_equal(json_string_value(json_object_get(j, "due")), r->due);
	else
		assert_true(json_is_null(json_object_get(j, "due")));
	assert_string_equal(json_string_value(json_object_get(j, "state")),
			    rules_state_name(r->state));
	json_decref(j);
	free(text);
	rules_deadlines_free(out, n);
}

/* Inconsistent input. */

static const struct rules_event bad_first[] = {
	DEC(1, D(2026, 3, 2), D(2026, 3, 3)),
};
static const struct rules_event bad_two_received[] = {
	RECV(1, D(2026, 3, 2)),
	RECV(2, D(2026, 3, 3)),
};
static const struct rules_event bad_no_decision[] = {
	RECV(1, D(2026, 3, 2)),
	COMPLAINT(2, D(2026, 3, 5), D(2026, 3, 6), 0),
};
static const struct rules_event bad_ref_type[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 3), D(2026, 3, 4)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 1),
};
static const struct rules_event bad_ref_unknown[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 3), D(2026, 3, 4)),
	COMPLAINT(3, D(2026, 3, 5), D(2026, 3, 6), 99),
};
static const struct rules_event bad_ref_forward[] = {
	RECV(1, D(2026, 3, 2)),
	COMPLAINT(2, D(2026, 3, 5), D(2026, 3, 6), 3),
	DEC(3, D(2026, 3, 3), D(2026, 3, 4)),
};
static const struct rules_event bad_reached_before[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 5), D(2026, 3, 4)),
};
static const struct rules_event bad_dup_id[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(1, D(2026, 3, 5), D(2026, 3, 6)),
};
static const struct rules_event bad_zero_id[] = {
	RECV(0, D(2026, 3, 2)),
};
static const struct rules_event bad_date[] = {
	RECV(1, D(2026, 2, 30)),
};
static const struct rules_event bad_ext_no_due[] = {
	RECV(1, D(2026, 3, 2)),
	{ .id = 2,
	  .type = RULES_EV_EXTENSION,
	  .date = D(2026, 3, 3),
	  .kind = RULES_KIND_PROCESSING },
};
static const struct rules_event bad_ext_kind[] = {
	RECV(1, D(2026, 3, 2)),
	CHANGE(2, RULES_EV_EXTENSION, D(2026, 3, 3), RULES_KIND_COUNT, D(2026, 3, 30), 0, NULL,
	       NULL),
};
static const struct rules_event bad_ext_subject[] = {
	RECV(1, D(2026, 3, 2)),
	CHANGE(2, RULES_EV_OVERRIDE, D(2026, 3, 3), RULES_KIND_COMPLAINT, D(2026, 3, 30), 0, NULL,
	       NULL),
};
static const struct rules_event bad_doc_due[] = {
	RECV(1, D(2026, 3, 2)),
	DOCREQ(2, D(2026, 3, 4), D(2026, 3, 3)),
};
static const struct rules_event bad_forwarded[] = {
	RECV(1, D(2026, 3, 2)),
	EVREF(2, RULES_EV_FORWARDED, D(2026, 3, 4), 0),
};
static const struct rules_event bad_type[] = {
	RECV(1, D(2026, 3, 2)),
	EV(2, RULES_EV_COUNT, D(2026, 3, 4)),
};
static const struct rules_event bad_complaint_received[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 3), D(2026, 3, 4)),
	COMPLAINT(3, D(2026, 3, 10), D(2026, 3, 9), 0),
};
static const struct rules_event bad_complaint_early[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 10), D(2026, 3, 11)),
	COMPLAINT(3, D(2026, 3, 9), D(2026, 3, 12), 0),
};
static const struct rules_event bad_forwarded_early[] = {
	RECV(1, D(2026, 3, 2)),
	DEC(2, D(2026, 3, 10), D(2026, 3, 11)),
	COMPLAINT(3, D(2026, 3, 12), D(2026, 3, 13), 0),
	EVREF(4, RULES_EV_FORWARDED, D(2026, 3, 11), 3),
};
static const struct rules_event bad_doc_ref[] = {
	RECV(1, D(2026, 3, 2)),
	EVREF(2, RULES_EV_DOC_RECEIVED, D(2026, 3, 4), 1),
};

static const struct {
	const char *name;
	const char *service;
	const struct rules_event *ev;
	size_t n_ev;
	const char *today;
	int ret;
} bad_rows[] = {
	{ "unknown service", "ukjent", SC(sc_a1), "2026-03-10", -ENOENT },
	{ "no events", "okonomisk-stonad", sc_a1, 0, "2026-03-10", -EINVAL },
	{ "first event not received", "okonomisk-stonad", SC(bad_first), "2026-03-10", -EINVAL },
	{ "two received", "okonomisk-stonad", SC(bad_two_received), "2026-03-10", -EINVAL },
	{ "complaint without decision", "okonomisk-stonad", SC(bad_no_decision), "2026-03-10",
	  -EINVAL },
	{ "ref to the wrong type", "okonomisk-stonad", SC(bad_ref_type), "2026-03-10", -EINVAL },
	{ "ref to an unknown id", "okonomisk-stonad", SC(bad_ref_unknown), "2026-03-10", -EINVAL },
	{ "ref to a later event", "okonomisk-stonad", SC(bad_ref_forward), "2026-03-10", -EINVAL },
	{ "reached before made", "okonomisk-stonad", SC(bad_reached_before), "2026-03-10",
	  -EINVAL },
	{ "duplicate id", "okonomisk-stonad", SC(bad_dup_id), "2026-03-10", -EINVAL },
	{ "id 0", "okonomisk-stonad", SC(bad_zero_id), "2026-03-10", -EINVAL },
	{ "invalid date", "okonomisk-stonad", SC(bad_date), "2026-03-10", -EINVAL },
	{ "extension without a date", "okonomisk-stonad", SC(bad_ext_no_due), "2026-03-10",
	  -EINVAL },
	{ "extension of no kind", "okonomisk-stonad", SC(bad_ext_kind), "2026-03-10", -EINVAL },
	{ "override without a decision", "okonomisk-stonad", SC(bad_ext_subject), "2026-03-10",
	  -EINVAL },
	{ "documentation due before the request", "okonomisk-stonad", SC(bad_doc_due), "2026-03-10",
	  -EINVAL },
	{ "forwarded without complaint", "okonomisk-stonad", SC(bad_forwarded), "2026-03-10",
	  -EINVAL },
	{ "unknown event type", "okonomisk-stonad", SC(bad_type), "2026-03-10", -EINVAL },
	{ "complaint received before sent", "okonomisk-stonad", SC(bad_complaint_received),
	  "2026-03-10", -EINVAL },
	{ "complaint sent before the decision", "okonomisk-stonad", SC(bad_complaint_early),
	  "2026-03-20", -EINVAL },
	{ "forwarded before the complaint", "okonomisk-stonad", SC(bad_forwarded_early),
	  "2026-03-20", -EINVAL },
	{ "documentation received names no request", "okonomisk-stonad", SC(bad_doc_ref),
	  "2026-03-10", -EINVAL },
	{ "invalid today", "okonomisk-stonad", SC(sc_a1), NULL, -EINVAL },
};

static void
test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(bad_rows); i++) {
		struct cal_date today = { 2026, 13, 1 };
		struct rules_deadline *out = (void *)1;
		size_t n = 99;
		int ret;

		if (bad_rows[i].today)
			today = parse_date(bad_rows[i].today);
		ret = rules_compute(shipped, bad_rows[i].service, bad_rows[i].ev, bad_rows[i].n_ev,
				    today, &out, &n);
		if (ret != bad_rows[i].ret)
			fail_msg("%s: returned %d, expected %d", bad_rows[i].name, ret,
				 bad_rows[i].ret);
		assert_null(out);
		assert_int_equal(n, 0);
	}
}

/* Deadlines come in the order of their subject events, kinds in enum order. */
static void
test_order(void **state)
{
	static const enum rules_kind want[] = { P, PR, DO, CO, LC, FW };
	static const int64_t subj[] = { 1, 1, 2, 3, 3, 4 };
	static const struct rules_event ev[] = {
		RECV(1, D(2026, 3, 2)),
		DOCREQ(2, D(2026, 3, 4), D(2026, 3, 14)),
		DEC(3, D(2026, 3, 10), D(2026, 3, 11)),
		COMPLAINT(4, D(2026, 3, 20), D(2026, 3, 21), 0),
	};
	struct rules_deadline *out;
	size_t n;

	(void)state;
	assert_int_equal(rules_compute(shipped, "okonomisk-stonad", SC(ev),
				       parse_date("2026-03-25"), &out, &n),
			 0);
	assert_int_equal(n, FV_ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].kind, want[i]);
		assert_int_equal(out[i].subject, subj[i]);
	}
	rules_deadlines_free(out, n);
}

static json_t *
one_json(const struct rules *rules, const char *service, const struct rules_event *ev, size_t n_ev,
	 const char *today, enum rules_kind kind)
{
	struct rules_deadline *out;
	json_t *j = NULL;
	size_t n;

	assert_int_equal(rules_compute(rules, service, ev, n_ev, parse_date(today), &out, &n), 0);
	for (size_t i = 0; i < n && !j; i++) {
		if (out[i].kind == kind)
			j = rules_deadline_json(&out[i]);
	}
	rules_deadlines_free(out, n);
	assert_non_null(j);
	return j;
}

static const char *
jget(json_t *o, const char *path)
{
	json_t *v = json_object_get(o, path);

	assert_non_null(v);
	return json_string_value(v);
}

static void
test_json(void **state)
{
	json_t *j, *s, *a;

	(void)state;
	/* 4 weeks from Sun 19 Apr 2026 -> Sun 17 May -> Mon 18 May. */
	j = one_json(shipped, "bpa", SC(sc_a4), "2026-05-01", CO);
	assert_string_equal(jget(j, "kind"), "complaint");
	assert_string_equal(jget(j, "label"), "klagefrist");
	assert_string_equal(jget(j, "duty"), "party");
	assert_string_equal(jget(j, "state"), "open");
	assert_string_equal(jget(j, "due"), "2026-05-18");
	assert_string_equal(jget(j, "raw_end"), "2026-05-17");
	assert_string_equal(jget(j, "rule"), "pbrl/complaint@1970-01-01");
	assert_string_equal(jget(j, "source"), "pasient- og brukerrettighetsloven § 7-5");
	assert_string_equal(jget(j, "period"), "4w");
	assert_string_equal(jget(j, "period_words"), "4 uker");
	assert_string_equal(jget(j, "rollover"), "next_working_day");
	assert_true(json_is_null(json_object_get(j, "calendar")));
	s = json_object_get(j, "start");
	assert_int_equal(json_integer_value(json_object_get(s, "event")), 2);
	assert_string_equal(jget(s, "type"), "decision_reached");
	assert_string_equal(jget(s, "date"), "2026-04-19");
	a = json_object_get(j, "steps");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jget(json_array_get(a, 0), "day"), "2026-05-17");
	assert_string_equal(jget(json_array_get(a, 0), "why"), "grunnlovsdag");
	assert_string_equal(jget(json_array_get(a, 0), "to"), "2026-05-18");
	assert_int_equal(json_integer_value(json_object_get(j, "subject")), 2);
	json_decref(j);

	/* Pauses. */
	j = one_json(shipped, "okonomisk-stonad", SC(sc_p1), "2026-03-20", P);
	assert_string_equal(jget(j, "duty"), "office");
	assert_int_equal(json_integer_value(json_object_get(j, "pause_days")), 5);
	assert_string_equal(jget(j, "paused_end"), "2026-03-21");
	a = json_object_get(j, "pauses");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jget(json_array_get(a, 0), "from"), "2026-03-04");
	assert_string_equal(jget(json_array_get(a, 0), "to"), "2026-03-09");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "days")), 5);
	assert_true(json_is_false(json_object_get(json_array_get(a, 0), "open")));
	json_decref(j);

	/* Overrides and extensions keep who and why. */
	j = one_json(shipped, "okonomisk-stonad", SC(sc_o1), "2026-03-21", CO);
	assert_int_equal(json_array_size(json_object_get(j, "extensions")), 0);
	a = json_object_get(j, "overrides");
	assert_int_equal(json_array_size(a), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "event")), 3);
	assert_string_equal(jget(json_array_get(a, 0), "date"), "2026-03-20");
	assert_string_equal(jget(json_array_get(a, 0), "who"), "jurist Per");
	assert_string_equal(jget(json_array_get(a, 0), "why"), "feil i forkynning rettet");
	assert_string_equal(jget(j, "rule_due"), "2026-03-23");
	assert_string_equal(jget(j, "due"), "2026-03-20");
	json_decref(j);
	j = one_json(shipped, "okonomisk-stonad", SC(sc_x1), "2026-04-20", CO);
	a = json_object_get(j, "extensions");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jget(json_array_get(a, 0), "who"), "saksbehandler Kari");
	assert_int_equal(json_integer_value(json_object_get(j, "met_by")), 4);
	json_decref(j);

	/* Restart after reasons. */
	j = one_json(shipped, "okonomisk-stonad", SC(sc_b2), "2026-03-30", CO);
	s = json_object_get(j, "restart");
	assert_string_equal(jget(s, "requested"), "2026-03-10");
	assert_string_equal(jget(s, "given"), "2026-03-17");
	assert_int_equal(json_integer_value(json_object_get(s, "given_event")), 4);
	assert_string_equal(jget(json_object_get(j, "start"), "type"), "reasons_given");
	json_decref(j);
	j = one_json(shipped, "okonomisk-stonad", SC(sc_b1), "2026-03-30", CO);
	s = json_object_get(j, "restart");
	assert_true(json_is_null(json_object_get(s, "given")));
	assert_true(json_is_null(json_object_get(j, "due")));
	assert_int_equal(json_array_size(json_object_get(j, "notes")), 1);
	json_decref(j);

	/* The given documentation date has no period. */
	j = one_json(shipped, "okonomisk-stonad", SC(sc_p1), "2026-03-20", DO);
	assert_true(json_is_null(json_object_get(j, "period")));
	assert_string_equal(jget(j, "raw_end"), "2026-03-14");
	json_decref(j);

	/* Office calendar named. */
	j = one_json(testcfg, "kontorfrist", SC(sc_k1), "2026-12-10", CO);
	assert_string_equal(jget(j, "calendar"), "kontor");
	assert_int_equal(json_array_size(json_object_get(j, "steps")), 4);
	json_decref(j);

	/* Cancelled. */
	j = one_json(shipped, "okonomisk-stonad", SC(sc_w1), "2026-03-10", P);
	assert_string_equal(jget(j, "cancelled_on"), "2026-03-05");
	assert_int_equal(json_integer_value(json_object_get(j, "cancelled_by")), 2);
	json_decref(j);
}

static void
test_names(void **state)
{
	enum rules_kind k;
	enum rules_state s;
	enum rules_event_type t;

	(void)state;
	for (int i = 0; i < RULES_KIND_COUNT; i++) {
		assert_int_equal(rules_kind_parse(rules_kind_name((enum rules_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (int i = 0; i < RULES_STATE_COUNT; i++) {
		assert_int_equal(rules_state_parse(rules_state_name((enum rules_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	for (int i = 0; i < RULES_EV_COUNT; i++) {
		assert_int_equal(
			rules_event_type_parse(rules_event_type_name((enum rules_event_type)i), &t),
			0);
		assert_int_equal(t, i);
	}
	assert_string_equal(rules_kind_name(RULES_KIND_LATE_COMPLAINT), "late_complaint");
	assert_string_equal(rules_kind_label(RULES_KIND_PROCESSING), "saksbehandlingsfrist");
	assert_string_equal(rules_kind_label(RULES_KIND_PRELIMINARY_REPLY),
			    "frist for foreløpig svar");
	assert_string_equal(rules_kind_label(RULES_KIND_DOCUMENTATION), "innsendelsesfrist");
	assert_string_equal(rules_kind_label(RULES_KIND_COMPLAINT), "klagefrist");
	assert_string_equal(rules_kind_label(RULES_KIND_LATE_COMPLAINT),
			    "ytre frist for sen klage");
	assert_string_equal(rules_kind_label(RULES_KIND_FORWARDING),
			    "frist for oversendelse til klageinstansen");
	assert_string_equal(rules_kind_label(RULES_KIND_PROMISED), "lovet svardato");
	/* Whose duty: the office's four, the party's three. */
	assert_true(rules_kind_is_office_duty(RULES_KIND_PROCESSING));
	assert_true(rules_kind_is_office_duty(RULES_KIND_PRELIMINARY_REPLY));
	assert_true(rules_kind_is_office_duty(RULES_KIND_FORWARDING));
	assert_true(rules_kind_is_office_duty(RULES_KIND_PROMISED));
	assert_false(rules_kind_is_office_duty(RULES_KIND_COMPLAINT));
	assert_false(rules_kind_is_office_duty(RULES_KIND_LATE_COMPLAINT));
	assert_false(rules_kind_is_office_duty(RULES_KIND_DOCUMENTATION));
	assert_string_equal(rules_event_type_name(RULES_EV_DOC_REQUESTED),
			    "documentation_requested");
	assert_string_equal(rules_event_type_name(RULES_EV_COMPLAINT_DECIDED), "complaint_decided");
	assert_int_equal(rules_kind_parse("klage", &k), -EINVAL);
	assert_int_equal(rules_state_parse("", &s), -EINVAL);
	assert_int_equal(rules_event_type_parse(NULL, &t), -EINVAL);
	assert_string_equal(rules_kind_name(RULES_KIND_COUNT), "?");
}

static void
test_lookups(void **state)
{
	static const char *const ids[] = {
		"okonomisk-stonad",
		"nodhjelp",
		"midlertidig-botilbud",
		"kvalifiseringsprogram",
		"helsetjenester-i-hjemmet",
		"praktisk-bistand",
		"stottekontakt",
		"bpa",
		"avlastning",
		"sykehjem",
		"omsorgsstonad",
		"forvaltningsloven",
	};
	const struct cal_office *o;

	(void)state;
	assert_int_equal(rules_service_count(shipped), FV_ARRAY_SIZE(ids));
	for (size_t i = 0; i < FV_ARRAY_SIZE(ids); i++) {
		assert_string_equal(rules_service_id(shipped, i), ids[i]);
		assert_true(rules_has_service(shipped, ids[i]));
	}
	assert_null(rules_service_id(shipped, FV_ARRAY_SIZE(ids)));
	assert_false(rules_has_service(shipped, "ukjent"));
	assert_string_equal(rules_service_name(shipped, "okonomisk-stonad"), "Økonomisk stønad");
	assert_null(rules_service_name(shipped, "ukjent"));
	assert_string_equal(rules_service_regime(shipped, "stottekontakt"), "pbrl");
	assert_string_equal(rules_service_regime(shipped, "nodhjelp"), "sotjl");
	assert_string_equal(rules_service_regime(shipped, "forvaltningsloven"), "fvl");
	o = rules_office(shipped, "kontor");
	assert_non_null(o);
	assert_int_equal(o->n_closures, 2);
	assert_int_equal(o->closures[0].year, 0);
	assert_int_equal(o->closures[0].month, 12);
	assert_int_equal(o->closures[0].day, 24);
	assert_string_equal(o->closures[1].name, "nyttårsaften");
	assert_null(rules_office(shipped, "hjemme"));
	assert_int_equal(rules_office_count(shipped), 1);
	assert_ptr_equal(rules_office_at(shipped, 0), o);
	assert_null(rules_office_at(shipped, 1));
	o = rules_office(testcfg, "kontor");
	assert_int_equal(o->closures[2].year, 2026);
	assert_int_equal(rules_service_count(NULL), 0);
	rules_free(NULL);
}

/* The test configuration read from a string gives the same answers as from a file. */
static void
test_load_string(void **state)
{
	struct diag err = { { 0 } };
	struct rules *r;
	struct rules_deadline *out;
	size_t n;

	(void)state;
	assert_int_equal(load_string(test_conf, &r, &err), 0);
	assert_int_equal(rules_compute(r, "versjon", SC(sc_v2), parse_date("2027-07-05"), &out, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].kind, RULES_KIND_COMPLAINT);
	assert_int_equal(out[0].due.day, 29);
	rules_deadlines_free(out, n);
	rules_free(r);

	/* A string config has no file name: the line is still reported. */
	assert_int_equal(load_string("regimes = ();\nservices = (\n  { id = \"x\"; name = \"X\";\n"
				     "    regime = \"nei\"; }\n);\n",
				     &r, &err),
			 -ENOENT);
	assert_null(r);
	assert_non_null(strstr(err.text, ":4:"));
	assert_non_null(strstr(err.text, "unknown regime 'nei'"));
}

/* Broken configurations: the line reported and a word of the message. */

#define RULE_OK                                                                                    \
	"kind = \"complaint\"; period = \"3w\"; valid_from = \"1970-01-01\"; source = \"s\";"

static const struct {
	const char *name;
	const char *text;
	int line; /* 0: no line */
	const char *word;
} bad_conf[] = {
	{ "unknown key in a rule",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK "\n"
	  "      perod = \"3w\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "unknown setting 'perod'" },
	{ "missing source",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; period = \"3w\";\n"
	  "      valid_from = \"1970-01-01\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  3, "missing 'source'" },
	{ "bad period",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\";\n"
	  "      period = \"3x\"; valid_from = \"1970-01-01\"; source = \"s\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "bad period '3x'" },
	{ "period of the wrong type",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\";\n"
	  "      valid_from = \"1970-01-01\"; source = \"s\";\n"
	  "      period = 21; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  5, "'period' must be a string" },
	{ "impossible valid_from",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; period = \"3w\"; source = \"s\";\n"
	  "      valid_from = \"2026-02-30\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "bad date '2026-02-30'" },
	{ "unknown kind",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"klage\"; period = \"3w\"; valid_from = \"1970-01-01\"; source = \"s\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  3, "unknown kind 'klage'" },
	{ "unknown calendar",
	  "calendars = ( { name = \"kontor\"; } );\n"
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK "\n"
	  "      calendar = \"stengt\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  5, "unknown calendar 'stengt' (known: kontor)" },
	{ "unknown regime",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = (\n"
	  "  { id = \"a\"; name = \"A\";\n"
	  "    regime = \"sotjl\"; }\n"
	  ");\n",
	  4, "unknown regime 'sotjl'" },
	{ "duplicate service id",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = (\n"
	  "  { id = \"a\"; name = \"A\"; regime = \"r\"; },\n"
	  "  { id = \"b\"; name = \"B\"; regime = \"r\"; },\n"
	  "  { name = \"A igjen\"; regime = \"r\";\n"
	  "    id = \"a\"; }\n"
	  ");\n",
	  6, "duplicate service id 'a'" },
	{ "duplicate rule version",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK " },\n"
	  "    { kind = \"late_complaint\"; period = \"1y\"; valid_from = \"1970-01-01\"; source = \"s\"; },\n"
	  "    { kind = \"complaint\"; period = \"4w\"; valid_from = \"1970-01-01\"; source = \"t\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  5, "duplicate rule r/complaint@1970-01-01" },
	{ "pauses on the preliminary reply",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"preliminary_reply\"; period = \"1m\"; valid_from = \"1970-01-01\";\n"
	  "      source = \"fvl. § 11 a\";\n"
	  "      pauses = true; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  5, "'pauses' applies only to processing" },
	{ "bad rollover",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK "\n"
	  "      rollover = \"weekend\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "bad rollover 'weekend'" },
	{ "start not allowed for the kind",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK "\n"
	  "      start = \"received\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "start 'received' is not allowed for kind 'complaint'" },
	{ "bad closed date",
	  "calendars = (\n"
	  "  { name = \"kontor\"; closed = (\n"
	  "    { name = \"x\";\n"
	  "      date = \"13-01\"; } ); }\n"
	  ");\n"
	  "regimes = ();\n"
	  "services = ();\n",
	  4, "bad closed date '13-01'" },
	{ "duplicate calendar",
	  "calendars = (\n"
	  "  { name = \"kontor\"; },\n"
	  "  { name = \"kontor\"; }\n"
	  ");\n"
	  "regimes = ();\n"
	  "services = ();\n",
	  3, "duplicate calendar 'kontor'" },
	{ "services is a group",
	  "regimes = ();\n"
	  "services = {\n"
	  "  id = \"a\";\n"
	  "};\n",
	  2, "'services' must be a list" },
	{ "regimes missing", "services = ();\n", 0, "missing 'regimes'" },
	{ "calendar without roll-over",
	  "calendars = ( { name = \"kontor\"; } );\n"
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK " rollover = \"none\";\n"
	  "      calendar = \"kontor\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  5, "needs rollover" },
	{ "emergency on a complaint rule",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { " RULE_OK "\n"
	  "      emergency = true; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "'emergency' applies only to processing" },
	{ "pauses as a string",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"processing\"; period = \"14d\"; valid_from = \"1970-01-01\"; source = \"s\";\n"
	  "      pauses = \"yes\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "'pauses' must be true or false" },
	{ "bad service id",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = (\n"
	  "  { name = \"Ø\"; regime = \"r\";\n"
	  "    id = \"Økonomisk stønad\"; }\n"
	  ");\n",
	  4, "bad service id" },
	{ "service id equal to a regime id",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = (\n"
	  "  { name = \"R\"; regime = \"r\";\n"
	  "    id = \"r\"; }\n"
	  ");\n",
	  4, "also a regime id" },
	{ "a rule that is not a group",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  /* libconfig dates a scalar list element by its look-ahead token: keep ")" here. */
	  "    \"complaint\" ); }\n"
	  ");\n"
	  "services = ();\n",
	  3, "each rule must be a group" },
	{ "empty source",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; period = \"3w\"; valid_from = \"1970-01-01\";\n"
	  "      source = \"\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "'source' must not be empty" },
	{ "promised with a period",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"promised\"; valid_from = \"1970-01-01\"; source = \"s\";\n"
	  "      period = \"14d\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "a promised rule has no period" },
	{ "complaint without a period",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; valid_from = \"1970-01-01\"; source = \"s\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  3, "missing 'period' in a rule" },
	{ "bpa threshold out of range",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = ( { id = \"bpa\"; name = \"BPA\"; regime = \"r\"; bpa = (\n"
	  "  { valid_from = \"2020-07-01\"; hours = 32; hours_justify = 40; min_duration = \"2y\";\n"
	  "    age_limit = 67; source = \"pbrl. § 2-1 d\"; } ); } );\n",
	  3, "'hours_justify' must be between 1 and 32" },
	{ "bpa duration in days",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = ( { id = \"bpa\"; name = \"BPA\"; regime = \"r\"; bpa = (\n"
	  "  { valid_from = \"2020-07-01\"; hours = 32; min_duration = \"700d\";\n"
	  "    age_limit = 67; source = \"pbrl. § 2-1 d\"; } ); } );\n",
	  3, "expected months or years" },
	{ "citations: unknown restart reading",
	  "regimes = ();\nservices = ();\n"
	  "citations = ( { valid_from = \"1970-01-01\";\n"
	  "  reasons_restart_when = \"sometimes\"; } );\n",
	  4,
	  "bad reasons_restart_when 'sometimes' (expected one of \"unreasoned\", \"always\", "
	  "\"never\")" },
	{ "citations: forwarding ended by no outcome",
	  "regimes = ();\nservices = ();\n"
	  "citations = ( { valid_from = \"1970-01-01\";\n"
	  "  forwarding_ended_by = [ \"innvilget\" ]; } );\n",
	  4, "'forwarding_ended_by': 'innvilget' is not a complaint outcome" },
	{ "citations: reasons optional for no outcome",
	  "regimes = ();\nservices = ();\n"
	  "citations = ( { valid_from = \"1970-01-01\";\n"
	  "  reasons_optional_for = [ \"innvilget\", \"kanskje\" ]; } );\n",
	  4, "'reasons_optional_for': 'kanskje' is not a decision outcome" },
	{ "reasons_restart on processing",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"processing\"; period = \"14d\"; valid_from = \"1970-01-01\"; source = \"s\";\n"
	  "      reasons_restart = true; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "'reasons_restart' applies only to complaint" },
	{ "duplicate regime id",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (); },\n"
	  "  { name = \"R2\"; rules = ();\n"
	  "    id = \"r\"; }\n"
	  ");\n"
	  "services = ();\n",
	  4, "duplicate regime id 'r'" },
	{ "regime without rules",
	  "regimes = (\n"
	  "  { id = \"r\";\n"
	  "    name = \"R\"; }\n"
	  ");\n"
	  "services = ();\n",
	  2, "missing 'rules'" },
	{ "unknown key in a service",
	  "regimes = ( { id = \"r\"; name = \"R\"; rules = (); } );\n"
	  "services = (\n"
	  "  { id = \"a\"; name = \"A\"; regime = \"r\";\n"
	  "    regel = (); }\n"
	  ");\n",
	  4, "unknown setting 'regel' in a service" },
	{ "period too long",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; valid_from = \"1970-01-01\"; source = \"s\";\n"
	  "      period = \"10000d\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "bad period '10000d'" },
	{ "closed day without a name",
	  "calendars = (\n"
	  "  { name = \"kontor\"; closed = (\n"
	  "    { date = \"12-24\"; } ); }\n"
	  ");\n"
	  "regimes = ();\n"
	  "services = ();\n",
	  3, "missing 'name' in a closed day" },
	{ "citations not a list",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = { counting = \"lov\"; };\n",
	  3, "'citations' must be a list" },
	{ "citations version not a group",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = ( \"lov\" );\n",
	  3, "each citations version must be a group" },
	{ "unknown key in a citations version",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { valid_from = \"1970-01-01\";\n"
	  "    holidays = \"helligdagsloven\"; }\n"
	  ");\n",
	  5, "unknown setting 'holidays' in a citations version" },
	{ "citations version without valid_from",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { counting = \"lov\"; }\n"
	  ");\n",
	  4, "missing 'valid_from' in a citations version" },
	{ "citations version with a bad valid_from",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { valid_from = \"2027-02-29\"; counting = \"lov\"; }\n"
	  ");\n",
	  4, "bad date '2027-02-29' for 'valid_from'" },
	{ "empty citation",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { valid_from = \"1970-01-01\";\n"
	  "    written_decision = \"\"; }\n"
	  ");\n",
	  5, "'written_decision' must not be empty" },
	{ "citation not a string",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { valid_from = \"1970-01-01\"; counting = 148; }\n"
	  ");\n",
	  4, "'counting' must be a string" },
	{ "duplicate citations version",
	  "regimes = ();\n"
	  "services = ();\n"
	  "citations = (\n"
	  "  { valid_from = \"1970-01-01\"; counting = \"a\"; },\n"
	  "  { valid_from = \"1970-01-01\"; counting = \"b\"; }\n"
	  ");\n",
	  5,
	  "duplicate citations version 1970-01-01 (the same valid_from as the version at line 4)" },
	{ "invalid UTF-8 in a source",
	  "regimes = (\n"
	  "  { id = \"r\"; name = \"R\"; rules = (\n"
	  "    { kind = \"complaint\"; period = \"3w\"; valid_from = \"1970-01-01\";\n"
	  "      source = \"lov \xff\"; }\n"
	  "  ); }\n"
	  ");\n"
	  "services = ();\n",
	  4, "not valid UTF-8" },
};

static void
test_bad_config(void **state)
{
	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(bad_conf); i++) {
		struct diag err = { { 0 } };
		struct rules *r = (void *)1;
		char *path = write_temp(bad_conf[i].text);
		char want[64];
		int ret = load_file(path, &r, &err);

		if (ret == 0 || ret == -EBADMSG)
			fail_msg("%s: loaded with %d (%s)", bad_conf[i].name, ret, err.text);
		assert_null(r);
		/* The message starts with the file name and, where known, the line. */
		if (strncmp(err.text, path, strlen(path)) != 0)
			fail_msg("%s: \"%s\" does not name %s", bad_conf[i].name, err.text, path);
		if (bad_conf[i].line) {
			snprintf(want, sizeof(want), "%s:%d: ", path, bad_conf[i].line);
			if (strncmp(err.text, want, strlen(want)) != 0)
				fail_msg("%s: \"%s\" is not at line %d", bad_conf[i].name, err.text,
					 bad_conf[i].line);
		} else {
			snprintf(want, sizeof(want), "%s: ", path);
			if (strncmp(err.text, want, strlen(want)) != 0)
				fail_msg("%s: \"%s\" should carry no line", bad_conf[i].name,
					 err.text);
		}
		if (!strstr(err.text, bad_conf[i].word))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad_conf[i].name, err.text,
				 bad_conf[i].word);
		unlink(path);
		free(path);
	}
}

/* The citations of the built-in rules are data, picked by date like a rule's version. */
/*
 * A hypothetical day of entry into force for the new Public Administration Act
 * (LOV-2025-06-20-81), 1 January 2028, added as data only: new rule versions and a new
 * citations version with other section numbers and another reading of requests for
 * reasons. Cases started before it keep the old rules; cases started after get the new,
 * with the new citations in their explanations and findings.
 */
static const char new_act_conf[] =
	"regimes = (\n"
	"  { id = \"fvl\"; name = \"Forvaltningsloven\"; complaint_body = \"klagenemnda\";\n"
	"    rules = (\n"
	"    { kind = \"complaint\"; period = \"3w\"; valid_from = \"1970-01-01\";\n"
	"      source = \"forvaltningsloven § 29\"; },\n"
	"    { kind = \"complaint\"; period = \"3w\"; valid_from = \"2028-01-01\";\n"
	"      source = \"forvaltningsloven (2025) § 52\"; }\n"
	"  ); }\n"
	");\n"
	"services = ( { id = \"sak\"; name = \"Sak\"; regime = \"fvl\"; } );\n"
	"citations = (\n"
	"  { valid_from = \"1970-01-01\";\n"
	"    written_decision = \"forvaltningsloven § 23\";\n"
	"    written_decision_text = \"Vedtaket ble gitt muntlig\";\n"
	"    reasons_restart = \"forvaltningsloven § 29 jf. § 24 annet ledd\";\n"
	"    reasons_restart_when = \"unreasoned\"; in_time = \"forvaltningsloven § 30\"; },\n"
	"  { valid_from = \"2028-01-01\";\n"
	"    written_decision = \"forvaltningsloven (2025) § 40\";\n"
	"    written_decision_text = \"Vedtaket er ikke skriftlig\";\n"
	"    reasons_restart = \"forvaltningsloven (2025) § 53\";\n"
	"    reasons_restart_when = \"always\"; in_time = \"forvaltningsloven (2025) § 54\";\n"
	"    in_time_judged_on = \"received\"; }\n"
	");\n";

/* One decision given orally but reasoned, its reasons asked for and given, a complaint. */
#define NEW_ACT_CASE(y, m)                                                                         \
	{                                                                                          \
		RECV(1, D(y, m, 1)),                                                               \
			{ .id = 2,                                                                 \
			  .type = RULES_EV_DECISION,                                               \
			  .date = D(y, m, 10),                                                     \
			  .has_reached = true,                                                     \
			  .reached = D(y, m, 14),                                                  \
			  .reasoned = true,                                                        \
			  .outcome = "avslatt" },                                                  \
			EVREF(3, RULES_EV_REASONS_REQUESTED, D(y, m, 16), 2),                      \
			EVREF(4, RULES_EV_REASONS_GIVEN, D(y, m, 21), 2),                          \
			COMPLAINT(5, D(y, m, 25), D(y, m, 28), 2),                                 \
	}

static void
test_new_act(void **state)
{
	static const struct rules_event before[] = NEW_ACT_CASE(2027, 9);
	static const struct rules_event after[] = NEW_ACT_CASE(2028, 2);
	struct diag err = { { 0 } };
	struct rules_deadline *d = NULL;
	struct rules_finding *f = NULL;
	size_t n = 0, nf = 0;
	struct rules *r;
	char *text;

	(void)state;
	if (load_string(new_act_conf, &r, &err) != 0)
		fail_msg("%s", err.text);

	/* Started in September 2027: the old act. A reasoned decision keeps its deadline:
	 * 14 Sep + 3 weeks = Tue 5 Oct 2027; the complaint judged on the day it was sent. */
	assert_int_equal(rules_compute(r, "sak", SC(before), parse_date("2027-10-01"), &d, &n), 0);
	assert_int_equal(d[0].kind, RULES_KIND_COMPLAINT);
	check_date("old act", "due", d[0].has_due, d[0].due, "2027-10-05");
	check_date("old act", "met_on", d[0].has_met, d[0].met_on, "2027-09-25");
	assert_false(d[0].has_restart);
	text = rules_deadline_text(&d[0]);
	assert_non_null(strstr(text, "Hjemmel: forvaltningsloven § 29."));
	assert_non_null(strstr(text, "Vedtaket var begrunnet, så klagefristen løper som før "
				     "(forvaltningsloven § 29 jf. § 24 annet ledd)."));
	assert_non_null(strstr(text, "(forvaltningsloven § 30)"));
	free(text);
	rules_deadlines_free(d, n);
	assert_int_equal(rules_findings(r, "sak", SC(before), &f, &nf), 0);
	assert_int_equal(nf, 1);
	assert_string_equal(f[0].text, "Vedtaket ble gitt muntlig (forvaltningsloven § 23).");
	rules_findings_free(f, nf);

	/* Started in February 2028: the new act restarts on any request for reasons -
	 * 21 Feb + 3 weeks = Mon 13 Mar 2028 - and judges the complaint on the day received. */
	assert_int_equal(rules_compute(r, "sak", SC(after), parse_date("2028-03-01"), &d, &n), 0);
	check_date("new act", "due", d[0].has_due, d[0].due, "2028-03-13");
	check_date("new act", "met_on", d[0].has_met, d[0].met_on, "2028-02-28");
	assert_true(d[0].has_restart);
	assert_string_equal(d[0].rule, "fvl/complaint@2028-01-01");
	text = rules_deadline_text(&d[0]);
	assert_non_null(strstr(text, "Hjemmel: forvaltningsloven (2025) § 52."));
	assert_non_null(strstr(text, "(forvaltningsloven (2025) § 54)"));
	assert_null(strstr(text, "forvaltningsloven § 29"));
	free(text);
	rules_deadlines_free(d, n);
	assert_int_equal(rules_findings(r, "sak", SC(after), &f, &nf), 0);
	assert_int_equal(nf, 1);
	assert_string_equal(f[0].text,
			    "Vedtaket er ikke skriftlig (forvaltningsloven (2025) § 40).");
	rules_findings_free(f, nf);
	rules_free(r);
}

/*
 * BPA (pasient- og brukerrettighetsloven § 2-1 d), the shipped thresholds: a refusal is a
 * possible breach at 32 hours a week or more, or from 25 where the municipality must
 * justify it, for a need lasting more than two years, for an applicant under 67 - or, since
 * 1 July 2020, one who got the right before 67.
 */
static void
test_bpa(void **state)
{
	static const struct {
		const char *name;
		struct cal_date made;
		const char *outcome;
		int hours, months;
		enum rules_age_group age;
		const char *want; /* a phrase of the finding, or NULL for none */
	} bpa_rows[] = {
		{ "32 h, 3 years, under 67", D(2026, 3, 2), "avslatt", 32, 36,
		  RULES_AGE_UNDER_LIMIT,
		  "gir en søker under 67 år, eller som fikk retten før 67 år, rett til BPA "
		  "(pasient- og brukerrettighetsloven § 2-1 d)." },
		{ "40 h, granted before 67, after 2020", D(2026, 3, 2), "avslatt", 40, 36,
		  RULES_AGE_GRANTED_BEFORE, "et behov på 40 timer i uken" },
		{ "40 h, granted before 67, in 2019", D(2019, 3, 1), "avslatt", 40, 36,
		  RULES_AGE_GRANTED_BEFORE, NULL },
		{ "28 h: justify", D(2026, 3, 2), "avslatt", 28, 36, RULES_AGE_UNDER_LIMIT,
		  "må kommunen dokumentere at BPA vil gi vesentlig høyere kostnader" },
		{ "24 h: discretion", D(2026, 3, 2), "avslatt", 24, 36, RULES_AGE_UNDER_LIMIT,
		  NULL },
		{ "two years exactly: not over two", D(2026, 3, 2), "avslatt", 40, 24,
		  RULES_AGE_UNDER_LIMIT, NULL },
		{ "67 or over: no right", D(2026, 3, 2), "avslatt", 40, 36, RULES_AGE_FROM_LIMIT,
		  NULL },
		{ "granted: nothing to flag", D(2026, 3, 2), "innvilget", 40, 36,
		  RULES_AGE_UNDER_LIMIT, NULL },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(bpa_rows); i++) {
		struct rules_event ev[] = {
			RECV(1, bpa_rows[i].made),
			{ .id = 2,
			  .type = RULES_EV_DECISION,
			  .date = bpa_rows[i].made,
			  .written = true,
			  .reasoned = true,
			  .outcome = bpa_rows[i].outcome,
			  .has_need = true,
			  .need_hours = bpa_rows[i].hours,
			  .need_months = bpa_rows[i].months,
			  .age_group = bpa_rows[i].age },
		};
		struct rules_finding *f = NULL;
		size_t n = 0;

		assert_int_equal(rules_findings(shipped, "bpa", SC(ev), &f, &n), 0);
		if (!bpa_rows[i].want) {
			if (n != 0)
				fail_msg("%s: unexpected finding %s", bpa_rows[i].name, f[0].text);
		} else if (n != 1 || strcmp(f[0].code, "bpa_refusal") != 0 || !f[0].possible ||
			   !strstr(f[0].text, bpa_rows[i].want)) {
			fail_msg("%s: expected \"%s\", got %s", bpa_rows[i].name, bpa_rows[i].want,
				 n ? f[0].text : "none");
		}
		rules_findings_free(f, n);
		/* The same need in a service without BPA thresholds: no finding. */
		assert_int_equal(rules_findings(shipped, "praktisk-bistand", SC(ev), &f, &n), 0);
		assert_int_equal(n, 0);
		rules_findings_free(f, n);
	}
}

/* An oral refusal of BPA against the right, confirmed in writing two days later. */
static const struct rules_event sc_g1[] = {
	RECV(1, D(2026, 3, 2)),
	{ .id = 2,
	  .type = RULES_EV_DECISION,
	  .date = D(2026, 3, 20),
	  .has_reached = true,
	  .reached = D(2026, 3, 20),
	  .reasoned = true,
	  .outcome = "avslatt",
	  .has_need = true,
	  .need_hours = 35,
	  .need_months = 36,
	  .age_group = RULES_AGE_UNDER_LIMIT },
	EVREF(3, RULES_EV_DECISION_WRITTEN, D(2026, 3, 23), 2),
};
static const struct rules_event sc_g2[] = {
	RECV(1, D(2026, 3, 2)),
	{ .id = 2,
	  .type = RULES_EV_DECISION,
	  .date = D(2026, 3, 20),
	  .has_reached = true,
	  .reached = D(2026, 3, 23),
	  .written = true,
	  .reasoned = true,
	  .outcome = "avslatt",
	  .has_need = true,
	  .need_hours = 28,
	  .need_months = 60,
	  .age_group = RULES_AGE_GRANTED_BEFORE },
};

/*
 * Golden explanations: the whole Norwegian text of every deadline and finding of a set of
 * cases, compared byte for byte with tests/unit/data/explanations.txt, so that a change of
 * wording is seen and read in review. FV_GOLDEN_UPDATE=1 rewrites the file instead.
 */
static const struct {
	const char *name;
	const char *service;
	const struct rules_event *ev;
	size_t n;
	const char *today;
} golden[] = {
	{ "sotjl 3w from Mon 2 Mar, no complaint", "okonomisk-stonad", SC(sc_a1), "2026-04-10" },
	{ "documentation answered: pause of 5 days", "okonomisk-stonad", SC(sc_p1), "2026-03-20" },
	{ "documentation never sent: the pause ends", "okonomisk-stonad", SC(sc_p2), "2026-04-20" },
	{ "documentation still awaited", "okonomisk-stonad", SC(sc_p2), "2026-03-12" },
	{ "reasons asked of a decision without them", "okonomisk-stonad", SC(sc_b2), "2026-03-30" },
	{ "reasons asked of a reasoned decision", "okonomisk-stonad", SC(sc_b7), "2026-03-20" },
	{ "reasons asked too late", "okonomisk-stonad", SC(sc_b4), "2026-03-25" },
	{ "extension to annen juledag", "okonomisk-stonad", SC(sc_x4), "2026-12-10" },
	{ "complaint one day late", "okonomisk-stonad", SC(sc_c2), "2026-03-30" },
	{ "partial reversal", "okonomisk-stonad", SC(sc_f5), "2026-04-08" },
	{ "full reversal", "okonomisk-stonad", SC(sc_f2), "2026-04-10" },
	{ "complaint withdrawn", "okonomisk-stonad", SC(sc_f7), "2026-04-10" },
	{ "klagenemnd", "forvaltningsloven", SC(sc_f5), "2026-03-25" },
	{ "promised date replaced", "okonomisk-stonad", SC(sc_pr3), "2026-04-20" },
	{ "promised Sunday", "bpa", SC(sc_pr4), "2026-04-14" },
	{ "withdrawn after a breach", "okonomisk-stonad", SC(sc_w3), "2026-03-25" },
	{ "nødhjelp missed on Monday", "nodhjelp", SC(sc_n1), "2026-03-09" },
	{ "prelim reply one day late", "bpa", SC(sc_r4), "2026-04-10" },
	{ "override of forwarding to 1 May", "okonomisk-stonad", SC(sc_o2), "2026-04-10" },
	{ "oral BPA refusal, confirmed in writing", "bpa", SC(sc_g1), "2026-04-01" },
	{ "BPA refusal where the municipality must justify it", "bpa", SC(sc_g2), "2026-04-01" },
};

static void
golden_case(FILE *f, size_t i)
{
	struct rules_deadline *d = NULL;
	struct rules_finding *x = NULL;
	size_t n = 0, nx = 0;

	fprintf(f, "== %s (%s, today %s)\n", golden[i].name, golden[i].service, golden[i].today);
	assert_int_equal(rules_compute(shipped, golden[i].service, golden[i].ev, golden[i].n,
				       parse_date(golden[i].today), &d, &n),
			 0);
	for (size_t k = 0; k < n; k++) {
		char *text = rules_deadline_text(&d[k]);

		fprintf(f, "-- %s, hendelse %lld\n%s", rules_kind_name(d[k].kind),
			(long long)d[k].subject, text);
		free(text);
	}
	rules_deadlines_free(d, n);
	assert_int_equal(
		rules_findings(shipped, golden[i].service, golden[i].ev, golden[i].n, &x, &nx), 0);
	for (size_t k = 0; k < nx; k++) {
		fprintf(f, "-- funn: %s", x[k].text);
		if (x[k].closed)
			fprintf(f, " Rettet %s (hendelse %lld).",
				cal_date_format(x[k].closed_on, (char[CAL_DATE_LEN]){ 0 }),
				(long long)x[k].closed_by);
		fprintf(f, "\n");
	}
	rules_findings_free(x, nx);
}

static void
test_golden(void **state)
{
	const char *path = FV_SOURCE_DIR "/tests/unit/data/explanations.txt";
	char *got = NULL;
	size_t got_len = 0;
	FILE *f = open_memstream(&got, &got_len);

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < FV_ARRAY_SIZE(golden); i++)
		golden_case(f, i);
	fclose(f);
	golden_compare(path, "explanations", got, got_len);
}

static void
test_citations(void **state)
{
	struct diag err = { { 0 } };
	struct rules *r;

	(void)state;
	/* The shipped file cites the law in force today. */
	assert_string_equal(
		rules_citation(shipped, RULES_CITATION_COUNTING, parse_date("2026-03-12")),
		"domstolloven §§ 148–149");
	assert_string_equal(
		rules_citation(shipped, RULES_CITATION_WRITTEN_DECISION, parse_date("2026-03-12")),
		"forvaltningsloven § 23");
	assert_string_equal(
		rules_citation(shipped, RULES_CITATION_REASONED_DECISION, parse_date("2026-03-12")),
		"forvaltningsloven § 24");
	/* Versions by valid_from, whatever their order in the file. */
	assert_string_equal(
		rules_citation(testcfg, RULES_CITATION_COUNTING, parse_date("2027-06-30")),
		"gammel lov §§ 148–149");
	assert_string_equal(
		rules_citation(testcfg, RULES_CITATION_COUNTING, parse_date("2027-07-01")),
		"ny lov § 10");
	assert_string_equal(
		rules_citation(testcfg, RULES_CITATION_WRITTEN_DECISION, parse_date("1970-01-01")),
		"gammel lov § 23");
	assert_string_equal(
		rules_citation(testcfg, RULES_CITATION_WRITTEN_DECISION, parse_date("2030-01-01")),
		"ny lov § 20");
	/* A key the version in force leaves out is not inherited from an older version. */
	assert_string_equal(
		rules_citation(testcfg, RULES_CITATION_REASONED_DECISION, parse_date("2027-06-30")),
		"gammel lov § 24");
	assert_null(rules_citation(testcfg, RULES_CITATION_REASONED_DECISION,
				   parse_date("2027-07-01")));
	assert_null(rules_citation(testcfg, RULES_CITATION_COUNT, parse_date("2027-07-01")));
	assert_null(rules_citation(NULL, RULES_CITATION_COUNTING, parse_date("2027-07-01")));
	/* Before the first version, and without any, there is no citation. */
	assert_int_equal(load_string("regimes = ();\nservices = ();\ncitations = (\n"
				     "  { valid_from = \"2000-01-01\"; counting = \"lov\"; } );\n",
				     &r, &err),
			 0);
	assert_null(rules_citation(r, RULES_CITATION_COUNTING, parse_date("1999-12-31")));
	assert_string_equal(rules_citation(r, RULES_CITATION_COUNTING, parse_date("2000-01-01")),
			    "lov");
	rules_free(r);
	assert_int_equal(load_string("regimes = ();\nservices = ();\n", &r, &err), 0);
	assert_null(rules_citation(r, RULES_CITATION_COUNTING, parse_date("2026-01-01")));
	rules_free(r);
}

/* Independent of the shipped file: a minimal valid configuration loads. */
static void
test_minimal_config(void **state)
{
	struct diag err = { { 0 } };
	struct rules *r;

	(void)state;
	assert_int_equal(load_string("regimes = ();\nservices = ();\n", &r, &err), 0);
	assert_int_equal(rules_service_count(r), 0);
	assert_int_equal(rules_office_count(r), 0);
	rules_free(r);
	/* Emergency and ordinary versions on the same day are two rules, not a duplicate. */
	assert_int_equal(
		load_string(
			"regimes = ( { id = \"r\"; name = \"R\"; rules = (\n"
			"  { kind = \"processing\"; period = \"1d\"; valid_from = \"2000-01-01\";"
			"    source = \"a\"; },\n"
			"  { kind = \"processing\"; period = \"0d\"; valid_from = \"2000-01-01\";"
			"    source = \"b\"; emergency = true; rollover = \"none\"; }\n"
			"); } );\n"
			"services = ( { id = \"s\"; name = \"S\"; regime = \"r\"; } );\n"
			"log_level = \"info\";\n",
			&r, &err),
		0);
	assert_true(rules_has_service(r, "s"));
	rules_free(r);
}

int
main(void)
{
	size_t n_rows = FV_ARRAY_SIZE(rows);
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_bad_input),  cmocka_unit_test(test_order),
		cmocka_unit_test(test_json),	   cmocka_unit_test(test_names),
		cmocka_unit_test(test_lookups),	   cmocka_unit_test(test_load_string),
		cmocka_unit_test(test_bad_config), cmocka_unit_test(test_minimal_config),
		cmocka_unit_test(test_citations),  cmocka_unit_test(test_new_act),
		cmocka_unit_test(test_bpa),	   cmocka_unit_test(test_golden),
	};
	size_t n = n_rows + FV_ARRAY_SIZE(fixed);
	struct CMUnitTest *tests = xcalloc(n, sizeof(*tests));
	int ret;

	/* One named test per engine row, the row as its state. */
	for (size_t i = 0; i < n_rows; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = test_engine_row;
		tests[i].initial_state = (void *)&rows[i];
	}
	memcpy(tests + n_rows, fixed, sizeof(fixed));
	ret = _cmocka_run_group_tests("rules", tests, n, group_setup, group_teardown);
	free(tests);
	return ret;
}
