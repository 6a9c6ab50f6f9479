/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * restore: `fristvaktd --restore FILE`, the database of a configuration replaced by a backup
 * (fristvakt backup) while the daemon is stopped. A damaged or foreign backup, or one of a
 * newer schema, is refused and the database left as it was; the database replaced is kept
 * as <database>.before-restore. An older schema is migrated by the daemon's next start.
 */
#ifndef FV_RESTORE_H
#define FV_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

/* The exit statuses of fristvaktd --restore (fristvaktd(8)). */
enum {
	FV_RESTORE_OK = 0,
	FV_RESTORE_FAILED = 1,	 /* configuration, reading or writing failed */
	FV_RESTORE_REFUSED = 65, /* EX_DATAERR: not SQLite, damaged, not fristvakt's, too new */
	FV_RESTORE_IN_USE = 75,	 /* EX_TEMPFAIL: the database is open (the daemon runs) */
};

/*
 * The lock that keeps a restore and a daemon apart: flock(2) on the database's directory
 * (made if missing), shared for the daemon for as long as it runs, exclusive for a restore.
 * The open directory's descriptor, to be kept open (closing it lets go); -EWOULDBLOCK when
 * the other side holds it, or -errno with err filled.
 */
int restore_guard(const char *db, bool exclusive, char *err, size_t errlen);

/* Restores the backup at file into the database of the configuration at config_path,
 * saying what it did on stdout and why not on stderr: an exit status above. */
int restore_run(const char *config_path, const char *file);

#endif
