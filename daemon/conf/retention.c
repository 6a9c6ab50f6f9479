// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * retention: the group "retention" of the configuration (see conf.h): how long a case that
 * was closed or withdrawn is kept before the daemon purges it.
 *
 * The period is written as the rules' periods are ("14d", "3w", "12m", "2y"): a number and
 * one letter, d days, w weeks, m months (never minutes: no setting of the file counts
 * minutes), y years. Absent: nothing is ever purged. Shorter than three months is refused:
 * the compliance report counts the cases of the last quarter, and an office must be able
 * to look a closed case up while a late complaint or an inquiry about it is still likely.
 */
#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/kit_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/cal.h"

/* The shortest period of each unit: three months, at most a day or two less. */
static const int retention_min[] = {
	[CAL_UNIT_DAYS] = 92,
	[CAL_UNIT_WEEKS] = 14,
	[CAL_UNIT_MONTHS] = 3,
	[CAL_UNIT_YEARS] = 1,
};

int
conf_retention_period_parse(const char *s, struct cal_period *out, const char **why)
{
	struct cal_period p;

	if (cal_period_parse(s, &p) < 0) {
		*why = "must be a period such as \"12m\": a number and d (days), w (weeks), m "
		       "(months) or y (years)";
		return -EINVAL;
	}
	if (p.n < retention_min[p.unit]) {
		*why = "is shorter than three months (\"3m\", \"14w\", \"92d\" or \"1y\" at the "
		       "least)";
		return -ERANGE;
	}
	*out = p;
	*why = NULL;
	return 0;
}

int
conf_retention_load(const config_setting_t *root, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "closed_after", NULL };
	const config_setting_t *g = config_setting_get_member(root, "retention");
	const char *closed_after = NULL, *why;
	int ret;

	c->has_retention = false;
	if (!g)
		return 0;
	if (!config_setting_is_group(g)) {
		conf_error_at(err, g, "'retention' must be a group { ... }");
		return -EINVAL;
	}
	if ((ret = conf_check_keys(g, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(g, "closed_after", 0, NULL, &closed_after, err)) < 0)
		return ret;
	if (!closed_after)
		return 0;
	if ((ret = conf_retention_period_parse(closed_after, &c->retention_closed_after, &why)) <
	    0) {
		conf_error_at(err, config_setting_get_member(g, "closed_after"),
			      "'closed_after' \"%s\" %s", closed_after, why);
		return ret;
	}
	c->has_retention = true;
	return 0;
}
