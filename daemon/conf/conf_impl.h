/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf_impl: what the files of conf/ share among themselves, and the unit tests of its
 * loaders: the readers of one part of a libconfig tree. Everyone else sees the loaded
 * structs through conf.h, without libconfig.
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

/* The same as diag_set(), taking the file and line from a libconfig setting. */
void conf_error_at(struct diag *err, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * conf/rules_load.c: reads the lists calendars (optional), regimes, services and
 * citations (optional) of root (borrowed; other members are left to the caller) into a new
 * struct rules, owned by the caller (rules_free). Nothing is borrowed from the config
 * afterwards. On failure returns -EINVAL (or -ENOENT for a name that refers to nothing),
 * fills err with file:line and sets *out to NULL.
 */
int rules_load(const config_setting_t *root, struct rules **out, struct diag *err);

/*
 * Reads the group "channels" of root (conf/channels.c) into conf->channels: 0, or a
 * negative errno with err filled (file:line).
 */
int conf_channels_load(const config_setting_t *root, struct conf *conf, struct diag *err);

/*
 * Reads the group "metrics" of root (conf/metrics.c) into conf->metrics: absent, no
 * listener. 0, or a negative errno with err filled (file:line).
 */
int conf_metrics_load(const config_setting_t *root, struct conf *conf, struct diag *err);

/*
 * Reads the group "retention" of root (conf/retention.c; absent: nothing is purged) into
 * c->has_retention and c->retention_closed_after. 0, or a negative errno with err filled.
 */
int conf_retention_load(const config_setting_t *root, struct conf *c, struct diag *err);

#endif
