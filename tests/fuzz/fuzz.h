/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz: what the libFuzzer targets share. A target checks properties of what the code under
 * test returns, not only that it returns: FUZZ_CHECK prints the broken property and aborts,
 * which libFuzzer reports as a crash with the input saved.
 */
#ifndef FV_FUZZ_H
#define FV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, __LINE__,        \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated copy of data (owned by the caller: free). */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * A private directory for files the code under test must read from disk, in a tmpfs when
 * there is one (/dev/shm), removed by nobody: the path holds the pid, and one directory per
 * process is what libFuzzer's -fork and -jobs modes need.
 */
const char *fuzz_tmpdir(void);
/* Writes n bytes of data to path: 0 or -1. */
int fuzz_write_file(const char *path, const void *data, size_t n);

/* event_check.c: the event methods' validation (ops_case_validate) and its properties. */
struct conf;
#include <jansson.h>
/* The shipped configuration (etc/fristvakt.conf), loaded once. */
const struct conf *fuzz_event_conf(void);
/* The daemon's clock for the targets: 2026-11-23T12:00:00Z. */
#define FUZZ_NOW 1795435200
/*
 * Validates params (borrowed) for method as the daemon does and checks the properties of
 * the outcome. Returns the event's data (owned) or NULL when refused or not an event method.
 */
json_t *fuzz_event_check(const char *method, json_t *params);

#endif
