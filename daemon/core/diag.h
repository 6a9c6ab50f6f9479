/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * diag: one diagnostic about an input file ("FILE:LINE: message"), as the configuration,
 * rules and template loaders report the first problem they find. A caller owns the struct
 * (on its stack); nothing is allocated.
 */
#ifndef FV_DIAG_H
#define FV_DIAG_H

struct diag {
	char text[512];
};

/* Formats "file:line: msg" into d; line <= 0 leaves the line out, a NULL file says
 * "(config)". */
void diag_set(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
