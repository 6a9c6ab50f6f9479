// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * harness: the scratch directory and file writes of the fuzz targets that feed a loader
 * which reads files (the configuration, the templates).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

const char *
fuzz_tmpdir(void)
{
	static char dir[256];

	if (!dir[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

		snprintf(dir, sizeof(dir), "%s/fvfuzz-%ld", base, (long)getpid());
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			perror(dir);
			abort();
		}
	}
	return dir;
}

int
fuzz_write_file(const char *path, const void *data, size_t n)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}
