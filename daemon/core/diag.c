// SPDX-License-Identifier: GPL-3.0-or-later
/* diag: one diagnostic about an input file (see diag.h). */
#include "core/diag.h"

#include <stdarg.h>
#include <stdio.h>

void
diag_set(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(d->text, sizeof(d->text), "%s:%d: %s", file ? file : "(config)", line,
			 msg);
	else
		snprintf(d->text, sizeof(d->text), "%s: %s", file ? file : "(config)", msg);
}
