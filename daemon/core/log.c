// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * log: see log.h. The level is the one piece of process state the module keeps; it is set
 * from the configuration at start-up and on reload.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static int max_level = LOG_INFO;

void
log_set_level(int level)
{
	max_level = level;
}

int
log_get_level(void)
{
	return max_level;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (prio > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so that concurrent writers do not interleave. */
	fprintf(stderr, "<%d>%s\n", prio, line);
}
