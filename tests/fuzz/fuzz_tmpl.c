// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_tmpl: the template loader and renderer (tmpl_load, tmpl_render, tmpl_fallback).
 *
 * Input: the text of one template file, a NUL, then values for tmpl_known_vars in order,
 * separated by NULs (fewer values leave the rest missing; an empty value counts as given).
 * The file is written as nb/t.txt of a private template directory in /dev/shm. Properties:
 * - a refusal at load says where (path, and line when one is to blame);
 * - a rendered subject is one line (no CR, LF, "{{" or "}}" when neither the template nor
 *   the values hold them), at most TMPL_MAX_SUBJECT bytes; a body is non-empty, ends
 *   in '\n' and holds no CR; both are UTF-8 without control characters but tab (and
 *   newline in the body); no "{{" or "}}" is left when the template has no brace outside
 *   its placeholders and no value holds one;
 * - rendering is deterministic, and a failure says why and returns nothing;
 * - the fallback never fails and obeys the same rules.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "fuzz.h"
#include "core/tmpl.h"

#define MAX_VARS 32

static char dir[256], file[300];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char sub[300];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/templates", fuzz_tmpdir());
	mkdir(dir, 0700);
	snprintf(sub, sizeof(sub), "%s/nb", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/en", dir);
	mkdir(sub, 0700);
	snprintf(file, sizeof(file), "%s/nb/t.txt", dir);
	return 0;
}

/* Valid UTF-8 without control characters but those allowed. */
static bool
clean_text(const char *s, bool newline)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;

	json_decref(j);
	for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++) {
		if ((*p < 0x20 && *p != '\t' && !(newline && *p == '\n')) || *p == 0x7f)
			ok = false;
	}
	return ok;
}

/*
 * Whether the template has braces outside its placeholders: an escape ("{{{{") or a single
 * brace, which next to a placeholder with an empty value makes a pair in the output.
 */
static bool
stray_braces(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '{' && i + 1 < n && t[i + 1] == '{' &&
		    !(i + 2 < n && t[i + 2] == '{')) {
			const char *close = memmem(t + i + 2, n - i - 2, "}}", 2);

			if (!close)
				return true;
			i = (size_t)(close - t) + 1;
		} else if (t[i] == '{' || t[i] == '}') {
			return true;
		}
	}
	return false;
}

static void
check_message(const char *subject, const char *body, bool braces_possible)
{
	size_t n = strlen(body);

	FUZZ_CHECK(subject[0] && strlen(subject) <= TMPL_MAX_SUBJECT, "subject length");
	FUZZ_CHECK(!strpbrk(subject, "\r\n"), "subject with a line break: '%s'", subject);
	FUZZ_CHECK(clean_text(subject, false), "subject not clean text");
	FUZZ_CHECK(n > 0 && n <= TMPL_MAX_BODY && body[n - 1] == '\n', "body does not end a line");
	FUZZ_CHECK(!strchr(body, '\r') && clean_text(body, true), "body not clean text");
	if (!braces_possible)
		FUZZ_CHECK(!strstr(subject, "{{") && !strstr(body, "{{") &&
				   !strstr(subject, "}}") && !strstr(body, "}}"),
			   "a placeholder survived: '%s' / '%s'", subject, body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct tmpl_var vars[MAX_VARS];
	struct tmpl_set *set = NULL;
	struct diag err;
	char *values, *subject, *body, *s2, *b2, why[256];
	size_t n = 0;
	bool braces;
	int ret, ret2;

	if (tlen > TMPL_MAX_FILE + 16)
		return 0;
	if (fuzz_write_file(file, data, tlen) < 0)
		abort();
	memset(&err, 0, sizeof(err));
	ret = tmpl_load(dir, &set, &err);
	if (ret < 0) {
		FUZZ_CHECK(!set && err.text[0] && strstr(err.text, "t.txt"),
			   "refused without saying where: '%s'", err.text);
		return 0;
	}
	FUZZ_CHECK(set && tmpl_has(set, "nb", "t") && !tmpl_has(set, "en", "t"), "loaded set");

	/* The values: NUL-separated after the template. */
	values = nul ? fuzz_strndup(nul + 1, size - tlen - 1) : fuzz_strndup(data, 0);
	braces = stray_braces((const char *)data, tlen);
	for (char *p = values, *end = values + (nul ? size - tlen - 1 : 0);
	     tmpl_known_vars[n] && n < MAX_VARS && p <= end; p += strlen(p) + 1) {
		vars[n].name = tmpl_known_vars[n];
		vars[n].value = p;
		braces |= strstr(p, "{{") || strstr(p, "}}") || (p[0] && strchr("{}", p[0])) ||
			  (p[0] && strchr("{}", p[strlen(p) - 1]));
		n++;
	}
	ret = tmpl_render(set, "nb", "t", vars, n, &subject, &body, why, sizeof(why));
	ret2 = tmpl_render(set, "nb", "t", vars, n, &s2, &b2, NULL, 0);
	FUZZ_CHECK(ret == ret2, "two renderings differ: %d %d", ret, ret2);
	if (ret < 0) {
		FUZZ_CHECK((ret == -EINVAL || ret == -ENOENT) && !subject && !body && why[0],
			   "failure %d without why", ret);
	} else {
		FUZZ_CHECK(strcmp(subject, s2) == 0 && strcmp(body, b2) == 0, "not deterministic");
		check_message(subject, body, braces);
		free(s2);
		free(b2);
		free(subject);
		free(body);
	}
	FUZZ_CHECK(tmpl_render(set, "en", "t", vars, n, &subject, &body, NULL, 0) == -ENOENT &&
			   !subject && !body,
		   "a template of the wrong language");
	tmpl_fallback(n % 2 ? "en" : "nb", vars, n, &subject, &body);
	check_message(subject, body, true);
	free(subject);
	free(body);
	free(values);
	tmpl_free(set);
	return 0;
}
