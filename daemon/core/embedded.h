/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * embedded: text files compiled into the binaries by daemon/embed.cmake — the Varlink
 * interface definition and the database migrations in db/.
 */
#ifndef FV_EMBEDDED_H
#define FV_EMBEDDED_H

#include <stddef.h>

struct fv_embedded {
	const char *name; /* file name, e.g. "001_initial.sql" */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* no.fristvakt.varlink */
extern const struct fv_embedded fv_embedded_varlink[];
/* db/NNN_*.sql in order */
extern const struct fv_embedded fv_embedded_migrations[];

#endif
