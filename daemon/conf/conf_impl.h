/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf_impl: what the files of conf/ share among themselves and nobody else sees: the
 * "reminders" group, which conf.c's loader hands to reminders.c.
 */
#ifndef FV_CONF_IMPL_H
#define FV_CONF_IMPL_H

#include <libconfig.h>

#include "conf/conf.h"
#include "core/diag.h"

/*
 * Reads the group "reminders" of root (borrowed; absent: the defaults, no policies and no
 * templates) into c->reminders, checking its channels against c->channels and its
 * policies' services against c->rules, so both are loaded first. Loads the templates and
 * makes sure every stage finds one. 0, or a negative errno with err filled; what was read
 * so far stays in c->reminders for conf_reminders_free().
 */
int conf_reminders_load(const config_setting_t *root, struct conf *c, struct diag *err);

/* Frees what r owns and zeroes it. */
void conf_reminders_free(struct conf_reminders *r);

#endif
