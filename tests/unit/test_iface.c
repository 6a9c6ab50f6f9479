// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_iface: the one method table (server/dispatch.c) and the interface texts it is served
 * with must agree. Every method in the table is declared in its interface's text with
 * exactly the parameters its row (or, for an event method, the event schema) checks, each
 * of the same JSON type and equally optional, and every method declared in the texts is in
 * the table; every error name the daemon's sources send is declared
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
#include "core/jsonkit.h"
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

/* A parameter as a declaration or a row gives it. */
struct param {
	char name[64];
	enum jsonkit_type type;
	bool required;
};

#define MAX_PARAMS 32

static const char *const type_names[] = {
	[JSONKIT_STRING] = "string", [JSONKIT_INT] = "int",	[JSONKIT_BOOL] = "bool",
	[JSONKIT_OBJECT] = "object", [JSONKIT_ARRAY] = "array",
};

/*
 * The JSON type of the varlink type t (len bytes, without a leading '?') in text: the
 * built-in types, arrays, maps and inline objects, and a named type as what its "type
 * NAME (" declaration makes it (an object when it has members, an enum's string otherwise).
 * Fails on a type the table cannot express (float, an undeclared name).
 */
static enum jsonkit_type
json_type_of(const char *where, const char *text, const char *t, size_t len)
{
	static const struct {
		const char *name;
		enum jsonkit_type type;
	} builtin[] = { { "string", JSONKIT_STRING },
			{ "int", JSONKIT_INT },
			{ "bool", JSONKIT_BOOL },
			{ "object", JSONKIT_OBJECT } };
	char line[96];
	const char *p, *end;

	for (size_t i = 0; i < N_ELEM(builtin); i++) {
		if (len == strlen(builtin[i].name) && strncmp(t, builtin[i].name, len) == 0)
			return builtin[i].type;
	}
	if (len > 2 && strncmp(t, "[]", 2) == 0)
		return JSONKIT_ARRAY;
	if (len > 8 && strncmp(t, "[string]", 8) == 0)
		return JSONKIT_OBJECT;
	if (t[0] == '(')
		return JSONKIT_OBJECT;
	if (!isupper((unsigned char)t[0]))
		fail_msg("%s: type \"%.*s\" has no JSON type of the method table", where, (int)len,
			 t);
	snprintf(line, sizeof(line), "type %.*s (", (int)len, t);
	for (p = text; p && strncmp(p, line, strlen(line)) != 0; p = next_line(p))
		;
	if (!p)
		fail_msg("%s: type %.*s is not declared", where, (int)len, t);
	p += strlen(line);
	end = strchr(p, ')');
	assert_non_null(end);
	return memchr(p, ':', (size_t)(end - p)) ? JSONKIT_OBJECT : JSONKIT_STRING;
}

/* Copies the text of [p, end) without blanks and newlines into buf (size bytes). */
static void
squeeze(const char *p, const char *end, char *buf, size_t size)
{
	size_t n = 0;

	for (; p < end && n + 1 < size; p++) {
		if (!isspace((unsigned char)*p))
			buf[n++] = *p;
	}
	buf[n] = '\0';
}

/*
 * The parameters of the declaration "method NAME(" of text, as name, JSON type and
 * whether required, into out (MAX_PARAMS); their number. Fails when there is no such
 * declaration.
 */
static size_t
declared_params(const char *where, const char *text, const char *name, struct param *out)
{
	char line[160], buf[2048];
	const char *p, *end, *item;
	size_t n = 0;
	int depth = 0;

	snprintf(line, sizeof(line), "method %s(", name);
	for (p = text; p && strncmp(p, line, strlen(line)) != 0; p = next_line(p))
		;
	if (!p)
		fail_msg("%s: no \"method %s(\" in its interface text", where, name);
	p += strlen(line);
	/* The parenthesis that closes the list (inline objects nest). */
	for (end = p; *end && (*end != ')' || depth > 0); end++)
		depth += (*end == '(') - (*end == ')');
	if (!*end)
		fail_msg("%s: \"method %s(\" is not closed", where, name);
	squeeze(p, end, buf, sizeof(buf));
	/* "a:string,b:?[]X,c:?(x:int,y:int)": split at the commas outside parentheses. */
	for (item = buf; *item; n++) {
		const char *colon = strchr(item, ':'), *q;

		if (!colon || n == MAX_PARAMS)
			fail_msg("%s: cannot read the parameters \"%s\"", where, buf);
		depth = 0;
		for (q = colon + 1; *q && (*q != ',' || depth > 0); q++)
			depth += (*q == '(') - (*q == ')');
		snprintf(out[n].name, sizeof(out[n].name), "%.*s", (int)(colon - item), item);
		out[n].required = colon[1] != '?';
		colon += !out[n].required;
		out[n].type = json_type_of(where, text, colon + 1, (size_t)(q - colon - 1));
		item = *q ? q + 1 : q;
	}
	return n;
}

/* The parameter called name among ps (n of them), or NULL. */
static const struct param *
param_find(const struct param *ps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ps[i].name, name) == 0)
			return &ps[i];
	}
	return NULL;
}

/*
 * The parameters the daemon checks (checked, from the row or the event schema) are exactly
 * those the declaration lists, each of the same JSON type and equally optional.
 */
static void
assert_same_params(const char *method, const struct param *checked, size_t n_checked,
		   const struct param *declared, size_t n_declared)
{
	for (size_t i = 0; i < n_checked; i++) {
		const struct param *d = param_find(declared, n_declared, checked[i].name);

		if (!d)
			fail_msg("%s: the table checks '%s', which the interface text does not "
				 "declare",
				 method, checked[i].name);
		if (d->type != checked[i].type)
			fail_msg("%s: '%s' is %s in the table but %s in the interface text", method,
				 d->name, type_names[checked[i].type], type_names[d->type]);
		if (d->required != checked[i].required)
			fail_msg("%s: '%s' is %s in the table but not in the interface text",
				 method, d->name, checked[i].required ? "required" : "optional");
	}
	for (size_t i = 0; i < n_declared; i++) {
		if (!param_find(checked, n_checked, declared[i].name))
			fail_msg("%s: the interface text declares '%s', which the table does not "
				 "check",
				 method, declared[i].name);
	}
}

/* Appends a parameter to ps (MAX_PARAMS, *n of them). */
static void
param_add(struct param *ps, size_t *n, const char *name, enum jsonkit_type type, bool required)
{
	assert_true(*n < MAX_PARAMS);
	snprintf(ps[*n].name, sizeof(ps[*n].name), "%s", name);
	ps[*n].type = type;
	ps[*n].required = required;
	(*n)++;
}

/*
 * The parameters a row checks are those its declaration lists, equally typed and optional;
 * an event method's are the event schema's with those every event method shares.
 */
static void
check_row_params(const struct dispatch_method *m, const char *text, const char *short_name)
{
	struct param declared[MAX_PARAMS], checked[MAX_PARAMS];
	size_t n_declared = declared_params(m->name, text, short_name, declared), n_checked = 0;
	const struct event_schema *ev = events_schema_find(m->name);

	for (size_t i = 0; i < m->n_params; i++)
		param_add(checked, &n_checked, m->params[i].name, m->params[i].type,
			  m->params[i].required);
	/* An event method: its row defers to the event schema, which must be there. */
	assert_int_equal(m->events, ev != NULL);
	if (ev) {
		assert_int_equal(m->n_params, 0);
		assert_ptr_equal(m->handler, ops_case_record);
		assert_true(m->writes && !m->testing && m->role == ROLE_WRITE);
		assert_string_equal(ev->name, short_name);
		assert_ptr_equal(events_schema_find_name(short_name, NULL, 0), ev);
		param_add(checked, &n_checked, "reference", JSONKIT_STRING, true);
		param_add(checked, &n_checked, "event_id", JSONKIT_STRING, false);
		if (ev->supersedable)
			param_add(checked, &n_checked, "supersedes", JSONKIT_INT, false);
		for (size_t i = 0; i < ev->n_params; i++)
			param_add(checked, &n_checked, ev->params[i].name, ev->params[i].type,
				  ev->params[i].required);
	}
	assert_same_params(m->name, checked, n_checked, declared, n_declared);
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

/* Every error of the register has a Varlink name, declared by its interface. */
static void
test_error_names(void **state)
{
	(void)state;
	assert_null(dispatch_error_name(OPS_OK));
	assert_null(dispatch_error_name(OPS_ERR_COUNT));
	for (int e = OPS_OK + 1; e < OPS_ERR_COUNT; e++) {
		const char *name = dispatch_error_name((enum ops_error)e), *dot;
		char iface[128];

		if (!name)
			fail_msg("error %d of enum ops_error has no Varlink name", e);
		dot = strrchr(name, '.');
		assert_non_null(dot);
		assert_true((size_t)(dot - name) < sizeof(iface));
		memcpy(iface, name, (size_t)(dot - name));
		iface[dot - name] = '\0';
		assert_non_null(iface_description(iface, false));
		if (!declares(iface_description(iface, false), "error", dot + 1))
			fail_msg("%s (error %d) is not declared by %s", name, e, iface);
		for (int f = OPS_OK + 1; f < e; f++)
			assert_string_not_equal(dispatch_error_name((enum ops_error)f), name);
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
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_embedded_text),
		cmocka_unit_test(test_sources_use_declared_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
