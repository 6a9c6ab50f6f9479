// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * restore: `fristvaktd --restore FILE -c CONF` (see restore.h).
 *
 * The order is what makes it safe to cut off at any point:
 *  1. FILE is copied beside the database under a temporary name (0600) and fsynced, and the
 *     copy is verified: SQLite's header, its integrity check, fristvakt's tables, a schema
 *     this build can open. What was verified is what is put in place, with one row added:
 *     the floor of new reminders' ids, 2^32 above the copy's and the replaced database's
 *     (when it can be read), so that no message id used after the backup was made (or
 *     after an earlier restore of the same backup) is given to another reminder. A refusal leaves the
 *     database as it was (the copy is removed).
 *  2. The database is taken over: an exclusive lock, refused while the daemon (or anything
 *     else) has it open; its write-ahead log is checkpointed into it and deleted. Any -wal,
 *     -shm or -journal still beside it is removed and the directory fsynced, before the new
 *     file arrives: a write-ahead log left over would otherwise be replayed onto the
 *     restored file at the next open, as if it were its own. A database SQLite cannot take
 *     over because it is damaged (not a database, malformed) is, once no process holds a
 *     lock on it or its -shm file, moved aside as it is with its companions, as
 *     <db>.before-restore (its -wal as <db>.before-restore-wal).
 *  3. The old database gets a second name, <db>.before-restore (a hard link: the database's
 *     own name never stops naming a whole database), then the copy is renamed over the
 *     database and the directory fsynced.
 * Cut off before 3 the old database is in place, whole; after it the restored one is. A
 * temporary copy left by a crash in 1 is named <db>.restore-XXXXXX and can be deleted.
 */
#include "server/restore.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/util.h"
#include "store/store.h"

/* Copies the file at from into the open file out: 0, or -errno (what names the side). */
static int
copy_into(const char *from, int out, const char **what)
{
	char buf[1 << 16];
	ssize_t n = 0;
	int in = open(from, O_RDONLY | O_CLOEXEC), ret = 0;

	*what = "read";
	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				*what = "write";
				ret = -errno;
				goto out;
			}
			off += w;
		}
	}
	if (n < 0)
		ret = -errno;
	else if (fsync(out) < 0 && (*what = "write"))
		ret = -errno;
out:
	close(in);
	return ret;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Run as root (rather than as the daemon's user, as fristvaktd(8) says), the copy still
 * goes to the owner of the database's directory, so that the daemon can open it.
 */
static void
give_to_owner(int fd, const char *db)
{
	char *dir_copy = xstrdup(db);
	struct stat sb;

	if (geteuid() == 0 && stat(dirname(dir_copy), &sb) == 0 &&
	    fchown(fd, sb.st_uid, sb.st_gid) < 0)
		fprintf(stderr,
			"fristvaktd: warning: cannot give the restored database to uid %u: %s\n",
			(unsigned)sb.st_uid, strerror(errno));
	free(dir_copy);
}

/* Step 1: the verified copy of file at tmp (a mkstemp template, filled in). An exit status. */
static int
stage_copy(const char *file, const char *db, char *tmp)
{
	struct store_file_info info;
	enum store_verdict v;
	const char *what;
	char err[1024];
	int fd = mkstemp(tmp), ret;

	if (fd < 0) {
		fprintf(stderr, "fristvaktd: cannot create a file beside %s: %s\n", db,
			strerror(errno));
		return FV_RESTORE_FAILED;
	}
	give_to_owner(fd, db);
	ret = copy_into(file, fd, &what);
	close(fd);
	if (ret < 0) {
		fprintf(stderr, "fristvaktd: cannot %s %s: %s\n", what,
			strcmp(what, "read") == 0 ? file : tmp, strerror(-ret));
		unlink(tmp);
		return FV_RESTORE_FAILED;
	}
	v = store_file_verify(tmp, file, true, &info, err, sizeof(err));
	if (v != STORE_FILE_OK) {
		unlink(tmp);
		fprintf(stderr, "fristvaktd: refusing to restore: %s; %s is unchanged\n", err, db);
		return v == STORE_FILE_UNREADABLE ? FV_RESTORE_FAILED : FV_RESTORE_REFUSED;
	}
	printf("verified %s: schema version %d, %lld bytes, integrity ok\n", file,
	       info.schema_version, (long long)info.size);
	if (store_file_reminder_id_floor(tmp, store_file_reminder_id_top(db), err, sizeof(err)) <
	    0) {
		unlink(tmp);
		fprintf(stderr, "fristvaktd: cannot prepare the copy: %s; %s is unchanged\n", err,
			db);
		return FV_RESTORE_FAILED;
	}
	return 0;
}

static const char *const companions[] = { "-wal", "-shm", "-journal" };

/* Removes the companions of the file kept aside at aside (an earlier restore's). */
static int
clear_aside(const char *aside)
{
	char name[PATH_MAX];

	for (size_t i = 0; i < FV_ARRAY_SIZE(companions); i++) {
		snprintf(name, sizeof(name), "%s%s", aside, companions[i]);
		if (unlink(name) < 0 && errno != ENOENT) {
			fprintf(stderr, "fristvaktd: cannot remove %s: %s\n", name,
				strerror(errno));
			return FV_RESTORE_FAILED;
		}
	}
	return 0;
}

/*
 * A damaged database SQLite cannot take over (not a database, malformed) and nobody has
 * open: moved aside as it is, with its companions (not checkpointed: its log may be what
 * is left of it), the log first, so that no log is ever left beside the database's name
 * without its own file. An exit status.
 */
static int
move_damaged_aside(const char *db, const char *why)
{
	char aside[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	int busy = store_file_in_use(db), ret;

	if (busy != 0) {
		fprintf(stderr, "fristvaktd: refusing to restore: %s\n",
			busy > 0 ? "the database is in use: stop fristvaktd (and any other program "
				   "that has it open) first"
				 : strerror(-busy));
		return busy > 0 ? FV_RESTORE_IN_USE : FV_RESTORE_FAILED;
	}
	snprintf(aside, sizeof(aside), "%s.before-restore", db);
	if ((ret = clear_aside(aside)) != 0)
		return ret;
	for (size_t i = 0; i <= FV_ARRAY_SIZE(companions); i++) {
		const char *sfx = i < FV_ARRAY_SIZE(companions) ? companions[i] : "";

		snprintf(from, sizeof(from), "%s%s", db, sfx);
		snprintf(to, sizeof(to), "%s%s", aside, sfx);
		if (rename(from, to) < 0 && errno != ENOENT) {
			fprintf(stderr, "fristvaktd: cannot move %s to %s: %s\n", from, to,
				strerror(errno));
			return FV_RESTORE_FAILED;
		}
	}
	printf("the database is damaged (%s); kept it as %s\n", why, aside);
	return 0;
}

/* Step 2: the old database checkpointed and closed, its companions gone. An exit status. */
static int
stage_take_over(const char *db, const char *dir)
{
	char err[1024], name[PATH_MAX];
	int ret;

	if (access(db, F_OK) == 0 && (ret = store_take_over(db, err, sizeof(err))) < 0) {
		if (ret == -EUCLEAN && (ret = move_damaged_aside(db, err)) != 0)
			return ret;
		if (ret != 0) {
			fprintf(stderr, "fristvaktd: refusing to restore: %s\n", err);
			return ret == -EBUSY ? FV_RESTORE_IN_USE : FV_RESTORE_FAILED;
		}
	}
	for (size_t i = 0; i < FV_ARRAY_SIZE(companions); i++) {
		snprintf(name, sizeof(name), "%s%s", db, companions[i]);
		if (unlink(name) < 0 && errno != ENOENT) {
			fprintf(stderr, "fristvaktd: cannot remove %s: %s\n", name,
				strerror(errno));
			return FV_RESTORE_FAILED;
		}
	}
	if ((ret = sync_dir(dir)) < 0) {
		fprintf(stderr, "fristvaktd: fsync of %s failed: %s\n", dir, strerror(-ret));
		return FV_RESTORE_FAILED;
	}
	return 0;
}

/* Step 3: the old database kept aside, the copy in its place. An exit status. */
static int
stage_swap(const char *db, const char *dir, const char *tmp)
{
	char aside[PATH_MAX];
	int ret;

	snprintf(aside, sizeof(aside), "%s.before-restore", db);
	if (access(db, F_OK) == 0) {
		if ((ret = clear_aside(aside)) != 0)
			return ret;
		if ((unlink(aside) < 0 && errno != ENOENT) || link(db, aside) < 0) {
			fprintf(stderr, "fristvaktd: cannot keep the database as %s: %s\n", aside,
				strerror(errno));
			return FV_RESTORE_FAILED;
		}
		printf("kept the previous database as %s\n", aside);
	}
	if (rename(tmp, db) < 0) {
		fprintf(stderr, "fristvaktd: cannot rename %s to %s: %s\n", tmp, db,
			strerror(errno));
		return FV_RESTORE_FAILED;
	}
	if ((ret = sync_dir(dir)) < 0) {
		fprintf(stderr, "fristvaktd: fsync of %s failed: %s\n", dir, strerror(-ret));
		return FV_RESTORE_FAILED;
	}
	return 0;
}

int
restore_guard(const char *db, bool exclusive, char *err, size_t errlen)
{
	char *dir_copy = xstrdup(db);
	const char *dir = dirname(dir_copy);
	int fd = -1, ret = fv_mkdir_p(dir, 0700);

	if (ret < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-ret));
	} else if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
	} else if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot lock %s: %s", dir, strerror(errno));
		close(fd);
	} else {
		ret = fd;
	}
	free(dir_copy);
	return ret;
}

static int
restore_into(const char *file, const char *db)
{
	char *dir_copy = xstrdup(db), *tmp = xasprintf("%s.restore-XXXXXX", db), err[PATH_MAX + 64];
	const char *dir = dirname(dir_copy);
	int ret, guard = restore_guard(db, true, err, sizeof(err));

	/* Held until the restore exits: a daemon started meanwhile refuses to run. */
	if (guard < 0) {
		fprintf(stderr, "fristvaktd: %s: %s\n",
			guard == -EWOULDBLOCK ? "refusing to restore" : "cannot restore",
			guard == -EWOULDBLOCK ? "the database is in use: stop fristvaktd (and any "
						"other program that has it open) first"
					      : err);
		ret = guard == -EWOULDBLOCK ? FV_RESTORE_IN_USE : FV_RESTORE_FAILED;
		goto out;
	}
	if ((ret = stage_copy(file, db, tmp)) != 0)
		goto out;
	if ((ret = stage_take_over(db, dir)) != 0 || (ret = stage_swap(db, dir, tmp)) != 0) {
		unlink(tmp);
		goto out;
	}
	printf("restored %s to %s; start fristvaktd (it migrates an older schema)\n", file, db);
out:
	if (guard >= 0)
		close(guard);
	free(tmp);
	free(dir_copy);
	return ret;
}

int
restore_run(const char *config_path, const char *file)
{
	struct conf *conf = NULL;
	struct diag err;
	char *abs = fv_abspath(file);
	int ret;

	if (conf_load(config_path, &conf, &err) < 0) {
		fprintf(stderr, "%s\n", err.text);
		free(abs);
		return FV_RESTORE_FAILED;
	}
	ret = restore_into(abs, conf->database);
	conf_free(conf);
	free(abs);
	return ret;
}
