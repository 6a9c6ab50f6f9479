// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_iface: the one method table (server/dispatch.c) and the interface texts it is served
 * with must agree. Every method in the table is declared in its interface's text with the
 * parameters its row (or, for an event method, the event schema) checks, and every method
 * declared in the texts is in the table; every error name the daemon's sources send is declared
 * (the sources are read from FV_SOURCE_DIR, so a new error added to server/dispatch.c or server/ctl.c without
 * a declaration in no.fristvakt.varlink fails here); the compiled-in text is the file in
 * the tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/events.h"
#include "core/iface.h"
#include "core/proto.h"
#include "server/dispatch.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The line after the one p is in, or NULL at the end of the text. */
static const char *
next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* Whether text has a line that starts with prefix. */
static bool
has_line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = next_line(p)) {
		if (strncmp(p, prefix, n) == 0)
			return true;
	}
	return false;
}

static bool
declares(const char *text, const char *keyword, const char *name)
{
	char line[160];

	/* "method Name(" and "error Name (" as the varlink grammar and the files write them. */
	snprintf(line, sizeof(line), strcmp(keyword, "method") == 0 ? "method %s(" : "error %s (",
		 name);
	return has_line_starting(text, line);
}

/* The text of the interface that method (fully qualified) belongs to, or NULL. */
static const char *
description_of(const char *method, char *iface, size_t size)
{
	const char *dot = strrchr(method, '.');

	if (!dot || (size_t)(dot - method) >= size)
		return NULL;
	memcpy(iface, method, (size_t)(dot - method));
	iface[dot - method] = '\0';
	return iface_description(iface, true);
}

/*
 * The parameter list of the declaration "method NAME(" in text: a copy (owned) of what lies
 * between the opening parenthesis and ") ->", or NULL when there is no such declaration.
 */
static char *
declared_params(const char *text, const char *name)
{
	char line[160];
	const char *p, *end;

	snprintf(line, sizeof(line), "method %s(", name);
	for (p = text; p && strncmp(p, line, strlen(line)) != 0; p = next_line(p))
		;
	if (!p)
		return NULL;
	p += strlen(line);
	end = strstr(p, ") ->");
	return end ? strndup(p, (size_t)(end - p)) : NULL;
}

/*
 * Whether the parameter list decl names parameter name (at its top level or inside an
 * object, which is precise enough here), optional ("?type") exactly when not required.
 */
static void
assert_declares_param(const char *method, const char *decl, const char *name, bool required)
{
	size_t len = strlen(name);

	for (const char *p = strstr(decl, name); p; p = strstr(p + 1, name)) {
		bool starts = p == decl || strchr("( \n", p[-1]);

		if (!starts || strncmp(p + len, ": ", 2) != 0)
			continue;
		if ((p[len + 2] == '?') == required)
			fail_msg("%s: '%s' is %s in the table but not in the interface text",
				 method, name, required ? "required" : "optional");
		return;
	}
	fail_msg("%s: the table checks '%s', which the interface text does not declare", method,
		 name);
}

/* The parameters a row checks are those its declaration lists, equally optional. */
static void
check_row_params(const struct dispatch_method *m, const char *text, const char *short_name)
{
	char *decl = declared_params(text, short_name);
	const struct event_schema *ev = events_schema_find(m->name);

	if (!decl)
		fail_msg("%s: no \"method %s(...) ->\" in its interface text", m->name, short_name);
	for (size_t i = 0; i < m->n_params; i++)
		assert_declares_param(m->name, decl, m->params[i].name, m->params[i].required);
	/* An event method: its row defers to the event schema, which must be there. */
	assert_int_equal(m->events, ev != NULL);
	if (ev) {
		assert_int_equal(m->n_params, 0);
		assert_ptr_equal(m->handler, ops_case_record);
		assert_true(m->writes && !m->testing && m->role == ROLE_WRITE);
		assert_declares_param(m->name, decl, "reference", true);
		assert_declares_param(m->name, decl, "event_id", false);
		if (ev->supersedable)
			assert_declares_param(m->name, decl, "supersedes", false);
		for (size_t i = 0; i < ev->n_params; i++)
			assert_declares_param(m->name, decl, ev->params[i].name,
					      ev->params[i].required);
	}
	free(decl);
}

static void
test_table(void **state)
{
	size_t n = dispatch_method_count();

	(void)state;
	assert_true(n > 30);
	assert_null(dispatch_method_at(n));
	for (size_t id = 0; id < n; id++) {
		const struct dispatch_method *m = dispatch_method_at(id);
		const char *dot, *text;
		char iface[128];

		assert_non_null(m);
		assert_non_null(m->name);
		assert_non_null(m->handler);
		assert_true(m->n_params == 0 || m->params);
		/* Found by its name, and only once: no two rows share a name. */
		assert_ptr_equal(dispatch_method_find(m->name, true), m);
		assert_int_equal(m->testing, strncmp(m->name, IFACE_TESTING ".",
						     strlen(IFACE_TESTING ".")) == 0);

		dot = strrchr(m->name, '.');
		assert_non_null(dot);
		assert_true(isupper((unsigned char)dot[1]));
		text = description_of(m->name, iface, sizeof(iface));
		if (!text)
			fail_msg("%s: its interface '%s' is not served", m->name, iface);
		if (!declares(text, "method", dot + 1))
			fail_msg("%s: no \"method %s(\" in the text of %s", m->name, dot + 1,
				 iface);
		check_row_params(m, text, dot + 1);

		/*
		 * Discovery is open to every peer that may connect; every other method needs
		 * some role; whatever changes state needs more than read.
		 */
		if (strcmp(iface, IFACE_SERVICE) == 0)
			assert_int_equal(m->role, ROLE_NONE);
		else
			assert_true(m->role >= ROLE_READ && m->role <= ROLE_ADMIN);
		if (m->writes && m->role < ROLE_WRITE)
			fail_msg("%s writes but needs only role %s", m->name, role_name(m->role));
	}
	/* Every event of the schema is a method of the table. */
	for (size_t i = 0; i < events_schema_count(); i++)
		assert_non_null(dispatch_method_find(events_schema_at(i)->method, false));
}

/* Conversely: each "method X(" of each served interface is in the table. */
static void
test_texts_declare_only_table_methods(void **state)
{
	(void)state;
	for (size_t i = 0; iface_names[i]; i++) {
		const char *text = iface_description(iface_names[i], true);
		char header[160];
		int n_methods = 0;

		assert_non_null(text);
		snprintf(header, sizeof(header), "interface %s\n", iface_names[i]);
		if (!has_line_starting(text, header))
			fail_msg("the text of %s has no line \"interface %s\"", iface_names[i],
				 iface_names[i]);

		for (const char *p = text; p; p = next_line(p)) {
			char full[256];
			size_t len = 0;

			if (strncmp(p, "method ", 7) != 0)
				continue;
			p += 7;
			while (isalnum((unsigned char)p[len]))
				len++;
			if (p[len] != '(' || len == 0)
				fail_msg("%s: malformed method line \"%.40s\"", iface_names[i], p);
			snprintf(full, sizeof(full), "%s.%.*s", iface_names[i], (int)len, p);
			if (!dispatch_method_find(full, true))
				fail_msg(
					"%s is declared in the interface text but not in the table",
					full);
			n_methods++;
		}
		assert_true(n_methods > 0);
	}
}

/* Nothing is declared twice, and each interface names itself exactly once. */
static void
test_texts_unique(void **state)
{
	(void)state;
	for (size_t i = 0; iface_names[i]; i++) {
		const char *text = iface_description(iface_names[i], true);
		int n_interface = 0;

		for (const char *p = text; p; p = next_line(p)) {
			static const char *const kw[] = { "method ", "error ", "type " };

			if (strncmp(p, "interface ", 10) == 0)
				n_interface++;
			for (size_t k = 0; k < N_ELEM(kw); k++) {
				size_t kl = strlen(kw[k]), len = 0;

				if (strncmp(p, kw[k], kl) != 0)
					continue;
				while (isalnum((unsigned char)p[kl + len]))
					len++;
				for (const char *q = next_line(p); q; q = next_line(q)) {
					if (strncmp(q, p, kl + len) == 0 &&
					    !isalnum((unsigned char)q[kl + len]))
						fail_msg("%s: \"%.*s\" is declared twice",
							 iface_names[i], (int)(kl + len), p);
				}
			}
		}
		assert_int_equal(n_interface, 1);
	}
}

static void
test_service_interface(void **state)
{
	static const char *const methods[] = { "GetInfo", "GetInterfaceDescription" };
	/* What proto.h lets the daemon answer with, and what the specification requires. */
	static const char *const errors[] = {
		PROTO_ERR_INVALID_PARAMETER,	   PROTO_ERR_METHOD_NOT_FOUND,
		PROTO_ERR_IFACE_NOT_FOUND,	   PROTO_ERR_NOT_IMPLEMENTED,
		IFACE_SERVICE ".PermissionDenied", IFACE_SERVICE ".ExpectedMore",
	};
	const char *text = iface_description(IFACE_SERVICE, true);

	(void)state;
	assert_non_null(text);
	assert_ptr_equal(iface_description("org.varlink.service", true), text);
	for (size_t i = 0; i < N_ELEM(methods); i++) {
		char full[128];

		if (!declares(text, "method", methods[i]))
			fail_msg("org.varlink.service lacks \"method %s(\"", methods[i]);
		snprintf(full, sizeof(full), "%s.%s", IFACE_SERVICE, methods[i]);
		assert_non_null(dispatch_method_find(full, true));
	}
	assert_true(has_line_starting(text, "method GetInterfaceDescription(interface: string) "
					    "-> (description: string)\n"));
	for (size_t i = 0; i < N_ELEM(errors); i++) {
		const char *prefix = IFACE_SERVICE ".";

		assert_true(strncmp(errors[i], prefix, strlen(prefix)) == 0);
		if (!declares(text, "error", errors[i] + strlen(prefix)))
			fail_msg("org.varlink.service lacks \"error %s (\"",
				 errors[i] + strlen(prefix));
	}
}

static void
test_fristvakt_errors(void **state)
{
	static const char *const errors[] = {
		"PermissionDenied",   "ConfigInvalid", "InvalidMessage", "MessageTooLarge",
		"TooManyConnections", "RateLimited",   "StorageFailure",
	};
	const char *text = iface_description(IFACE_FRISTVAKT, true);

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < N_ELEM(errors); i++) {
		if (!declares(text, "error", errors[i]))
			fail_msg("no.fristvakt lacks \"error %s (\"", errors[i]);
	}
}

static void
test_unknown(void **state)
{
	static const char *const ifaces[] = {
		"",
		"no",
		"no.fristvak",
		"no.fristvakt.",
		"no.fristvakt.Status",
		"NO.FRISTVAKT",
		"org.varlink",
		"org.varlink.service ",
		"org.varlink.resolver",
	};
	static const char *const methods[] = {
		"",
		"Status",
		"no.fristvakt.status",
		"no.fristvakt.Status ",
		"no.fristvakt.StatusX",
		"no.fristvakt",
		"org.varlink.service.Status",
		"no.fristvakt.GetInfo",
		"org.varlink.service.getInfo",
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(ifaces); i++) {
		if (iface_description(ifaces[i], true))
			fail_msg("iface_description(\"%s\", true) is not NULL", ifaces[i]);
	}
	for (size_t i = 0; i < N_ELEM(methods); i++) {
		if (dispatch_method_find(methods[i], true))
			fail_msg("dispatch_method_find(\"%s\", true) is not NULL", methods[i]);
	}
}

static void
test_names(void **state)
{
	size_t n = 0;

	(void)state;
	for (; iface_names[n]; n++)
		assert_non_null(iface_description(iface_names[n], true));
	assert_int_equal(n, 3);
	assert_string_equal(iface_names[0], IFACE_SERVICE);
	assert_string_equal(iface_names[1], IFACE_FRISTVAKT);
	assert_string_equal(iface_names[2], IFACE_TESTING);
	/* The testing interface (the clock) exists only when the configuration enables it. */
	assert_null(iface_description(IFACE_TESTING, false));
	assert_null(dispatch_method_find(IFACE_TESTING ".SetClock", false));
	assert_non_null(dispatch_method_find(IFACE_TESTING ".SetClock", true));
	assert_non_null(dispatch_method_find(IFACE_FRISTVAKT ".Status", false));
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		fail_msg("cannot open %s", path);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The compiled-in text is the file in the tree, whole, without NUL bytes. */
static void
test_embedded_text(void **state)
{
	size_t len;
	char *file = read_file(FV_SOURCE_DIR "/daemon/no.fristvakt.varlink", &len);

	(void)state;
	assert_string_equal(fv_embedded_varlink[0].name, "no.fristvakt.varlink");
	assert_int_equal(fv_embedded_varlink[0].len, len);
	assert_int_equal(strlen(fv_embedded_varlink[0].data), len);
	assert_memory_equal(fv_embedded_varlink[0].data, file, len);
	assert_string_equal(fv_embedded_varlink[1].name, "no.fristvakt.testing.varlink");
	assert_null(fv_embedded_varlink[2].name);
	assert_ptr_equal(iface_description(IFACE_FRISTVAKT, true), fv_embedded_varlink[0].data);
	assert_ptr_equal(iface_description(IFACE_TESTING, true), fv_embedded_varlink[1].data);
	free(file);
}

/*
 * Scans source text for error and method names of an interface written as a string literal
 * ("no.fristvakt.Name") or with the macro (IFACE_FRISTVAKT ".Name") and fails on any that
 * the interface text does not declare.
 */
static int
check_names_in_source(const char *file, const char *src, const char *iface, const char *macro,
		      const char *text)
{
	char lit[64], mac[64];
	int found = 0;

	snprintf(lit, sizeof(lit), "\"%s.", iface);
	snprintf(mac, sizeof(mac), "%s \".", macro);
	for (int pass = 0; pass < 2; pass++) {
		const char *pat = pass ? mac : lit;

		for (const char *p = strstr(src, pat); p; p = strstr(p + 1, pat)) {
			const char *name = p + strlen(pat);
			char buf[64];
			size_t len = 0;

			while (isalnum((unsigned char)name[len]) && len < sizeof(buf) - 1)
				len++;
			/* Only complete names: "no.fristvakt.varlink" is a file, not a name. */
			if (name[len] != '"' || len == 0 || !isupper((unsigned char)name[0]))
				continue;
			memcpy(buf, name, len);
			buf[len] = '\0';
			if (!declares(text, "error", buf) && !declares(text, "method", buf))
				fail_msg("%s uses %s.%s, which %s does not declare", file, iface,
					 buf, iface);
			found++;
		}
	}
	return found;
}

/* Checks every .c and .h file of dir and of its subfolders (one level: the layers). */
static void
scan_sources(const char *dir, int depth, int *found, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name), len;
		char path[512];
		char *src;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR && e->d_name[0] != '.' && depth == 0) {
			scan_sources(path, 1, found, files);
			continue;
		}
		if (nl < 3 || (strcmp(e->d_name + nl - 2, ".c") != 0 &&
			       strcmp(e->d_name + nl - 2, ".h") != 0))
			continue;
		src = read_file(path, &len);
		*found += check_names_in_source(e->d_name, src, IFACE_FRISTVAKT, "IFACE_FRISTVAKT",
						iface_description(IFACE_FRISTVAKT, true));
		*found += check_names_in_source(e->d_name, src, IFACE_SERVICE, "IFACE_SERVICE",
						iface_description(IFACE_SERVICE, true));
		free(src);
		(*files)++;
	}
	closedir(d);
}

static void
test_sources_use_declared_names(void **state)
{
	int found = 0, files = 0;

	(void)state;
	scan_sources(FV_SOURCE_DIR "/daemon", 0, &found, &files);
	assert_true(files > 20);
	/* At least the names this test knows the daemon sends must have been seen. */
	assert_true(found >= 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_texts_declare_only_table_methods),
		cmocka_unit_test(test_texts_unique),
		cmocka_unit_test(test_service_interface),
		cmocka_unit_test(test_fristvakt_errors),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_embedded_text),
		cmocka_unit_test(test_sources_use_declared_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
