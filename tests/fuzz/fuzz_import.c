// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_import: the import line parser, end to end without a socket. The input is a JSON
 * Lines file as `fristvakt import FILE` reads it. Each line goes through the CLI's line
 * rules (cli/cli_import.c import_line: trailing CR/LF dropped, blank lines and '#' comments
 * skipped, strict JSON, exactly {"method": NAME, "parameters": {...}}), the accepted items
 * travel as one ImportEvents call (proto_call_encode, the reader, proto_call_parse) and the
 * daemon takes them apart as ops_import does (the items check, the method found by its
 * name in the event schema, the event's validation). Properties:
 * - the ImportEvents message carries the items unchanged, and passes the daemon's check of
 *   its parameters;
 * - every item the CLI accepts passes the daemon's item check (the two agree);
 * - an item validates the same straight from its line and after the trip, with the
 *   properties of event_check.c.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "core/events.h"
#include "core/jsonkit.h"
#include "core/proto.h"
#include "core/util.h"

#define MAX_ITEMS 500 /* not the daemon's limit (EVENTS_MAX_IMPORT_ITEMS, core/events.h) */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_event_conf();
	return 0;
}

/* The CLI's rules for one line (without its '\n'): the item, or NULL when skipped/refused. */
static json_t *
cli_line(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *item;
	size_t i = 0;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return NULL;
	item = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!item)
		return NULL;
	if (!json_is_object(item) || !json_is_string(json_object_get(item, "method")) ||
	    !json_is_object(json_object_get(item, "parameters")) || json_object_size(item) != 2) {
		json_decref(item);
		return NULL;
	}
	return item;
}

/* The daemon's side, as ops_import: the event's data or NULL. */
static json_t *
daemon_item(json_t *item)
{
	static const struct jsonkit_field item_fields[] = {
		{ "method", JSONKIT_STRING, true, 64 },
		{ "parameters", JSONKIT_OBJECT, true, 0 },
	};
	const char *method = json_string_value(json_object_get(item, "method"));
	struct jsonkit_fault f;
	const struct event_schema *m;
	char name[128];
	int ret = jsonkit_check(item, item_fields, FV_ARRAY_SIZE(item_fields), &f);

	/*
	 * The CLI does not limit the method's length; the daemon refuses a name over 64
	 * characters for that item alone (InvalidParameter). Otherwise the two agree.
	 */
	if (method && fv_utf8_chars(method, strlen(method)) > 64) {
		FUZZ_CHECK(ret < 0, "a method name over 64 characters passed");
		return NULL;
	}
	FUZZ_CHECK(ret == 0, "an item the CLI accepts is refused by the daemon: %s", f.detail);
	/* As ops_import finds it: by its name within the interface. */
	m = events_schema_find_name(method, name, sizeof(name));
	return fuzz_event_check(m ? m->method : name, json_object_get(item, "parameters"));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct jsonkit_field fields[] = {
		{ "items", JSONKIT_ARRAY, true, MAX_ITEMS },
	};
	const char *p = (const char *)data, *end = p + size;
	json_t *items = json_array(), *direct = json_array(), *params, *item, *d;
	struct proto_reader r;
	struct proto_call call;
	struct proto_fault f;
	struct jsonkit_fault jf;
	const char *msg;
	size_t i, n, len;
	char *buf;

	while (p < end && json_array_size(items) < MAX_ITEMS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		item = cli_line(p, llen);
		p += llen;
		if (!item)
			continue;
		/* Method names with a NUL cannot be sent (snprintf would cut them). */
		if (strlen(json_string_value(json_object_get(item, "method"))) !=
		    json_string_length(json_object_get(item, "method"))) {
			json_decref(item);
			continue;
		}
		d = daemon_item(item);
		json_array_append_new(direct, d ? d : json_null());
		json_array_append_new(items, item);
	}
	if (json_array_size(items) == 0)
		goto out;

	/* The trip: the CLI encodes one ImportEvents call, the daemon frames and decodes it. */
	params = json_pack("{sO}", "items", items);
	buf = proto_call_encode("no.fristvakt.ImportEvents", params, false, &n);
	json_decref(params);
	proto_reader_init(&r, n);
	FUZZ_CHECK(proto_reader_feed(&r, buf, n) == 0 && proto_reader_next(&r, &msg, &len) == 1,
		   "ImportEvents not framed");
	FUZZ_CHECK(proto_call_parse(msg, len, &call, &f) == 0, "ImportEvents refused: %s",
		   f.detail);
	FUZZ_CHECK(jsonkit_check(call.params, fields, FV_ARRAY_SIZE(fields), &jf) == 0,
		   "ImportEvents parameters refused: %s", jf.detail);
	FUZZ_CHECK(json_equal(json_object_get(call.params, "items"), items), "items changed");
	json_array_foreach(json_object_get(call.params, "items"), i, item)
	{
		d = daemon_item(item);
		FUZZ_CHECK(json_equal(d ? d : json_null(), json_array_get(direct, i)),
			   "item %zu validates differently after the trip", i);
		json_decref(d);
	}
	proto_call_deinit(&call);
	proto_reader_deinit(&r);
	free(buf);
out:
	json_decref(direct);
	json_decref(items);
	return 0;
}
