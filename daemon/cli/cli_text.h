/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_text: the words the CLI shares between its commands for people, in bokmål and
 * English (--lang): weekdays, holidays, periods, deadline kinds and states. Each fact is one
 * table of struct cli_text; the bokmål side is the wording the daemon and the calendar use,
 * word for word. Names of things that come from the configuration (services, office
 * calendars' closed days) and the daemon's own explanations are shown as they are.
 */
#ifndef FV_CLI_TEXT_H
#define FV_CLI_TEXT_H

#include "core/cal.h"
#include "cli/cli.h"

/* A weekday's name ("mandag", "Monday"). */
const char *cli_text_weekday(enum cli_lang lang, enum cal_weekday wd);

/* A public holiday's name ("annen påskedag", "Easter Monday"). */
const char *cli_text_holiday(enum cli_lang lang, enum cal_holiday h);

/*
 * Why a day is not a working day (struct cal_step.why: a weekday's or a holiday's bokmål
 * name, or an office calendar's closed day) in lang; names it does not know stay as given.
 */
const char *cli_text_why(enum cli_lang lang, const char *why);

/* A period in words ("3 uker", "3 weeks"); buf holds CAL_PERIOD_WORDS_LEN bytes. */
char *cli_text_period(enum cli_lang lang, struct cal_period p, char *buf);

/* A deadline kind's name ("processing" as "saksbehandlingsfrist", "processing deadline"). */
const char *cli_text_kind(enum cli_lang lang, const char *kind);

#endif
