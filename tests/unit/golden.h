/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * golden: the byte-for-byte comparison of a text a unit test produced with its golden file
 * under tests/unit/data, shared by the tests of explanations and of messages. With
 * FV_GOLDEN_UPDATE set the file is rewritten first, to be read in review. Include after
 * cmocka.h.
 */
#ifndef FV_TEST_GOLDEN_H
#define FV_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compares got (got_len bytes, freed here) with the file at path; what names the texts. */
static void
golden_compare(const char *path, const char *what, char *got, size_t got_len)
{
	const char *update = getenv("FV_GOLDEN_UPDATE");
	char *want;
	size_t want_len;
	FILE *f;

	if (update && *update) {
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(got, 1, got_len, f);
		fclose(f);
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s missing: run with FV_GOLDEN_UPDATE=1 and read it", path);
	want = calloc(1, 1 << 20);
	assert_non_null(want);
	want_len = fread(want, 1, (1 << 20) - 1, f);
	fclose(f);
	if (want_len != got_len || memcmp(want, got, got_len) != 0) {
		size_t at = 0;

		while (at < got_len && at < want_len && got[at] == want[at])
			at++;
		fail_msg("%s differ from %s at byte %zu:\n--- now:\n%.300s\n--- file:\n%.300s\n"
			 "(if the new wording is right: FV_GOLDEN_UPDATE=1, then review the diff)",
			 what, path, at, got + (at > 100 ? at - 100 : 0),
			 want + (at > 100 ? at - 100 : 0));
	}
	free(want);
	free(got);
}

#endif
