/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * restore: `fristvaktd --restore FILE`, the database of a configuration replaced by a backup
 * (fristvakt backup) while the daemon is stopped. A damaged or foreign backup, or one of a
 * newer schema, is refused and the database left as it was; the database replaced is kept
 * as <database>.before-restore. An older schema is migrated by the daemon's next start.
 */
#ifndef FV_RESTORE_H
#define FV_RESTORE_H

/* The exit statuses of fristvaktd --restore (fristvaktd(8)). */
enum {
	FV_RESTORE_OK = 0,
	FV_RESTORE_FAILED = 1,	 /* configuration, reading or writing failed */
	FV_RESTORE_REFUSED = 65, /* EX_DATAERR: not SQLite, damaged, not fristvakt's, too new */
	FV_RESTORE_IN_USE = 75,	 /* EX_TEMPFAIL: the database is open (the daemon runs) */
};

/* Restores the backup at file into the database of the configuration at config_path,
 * saying what it did on stdout and why not on stderr: an exit status above. */
int restore_run(const char *config_path, const char *file);

#endif
