// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * event_check: the properties of the event methods' parameter validation, shared by
 * fuzz_validate (Varlink calls) and fuzz_import (JSON Lines). The validation is the
 * daemon's own (ops_case_validate, the code every write method and ImportEvents run) with
 * the shipped configuration. Properties:
 * - a refusal is InvalidParameter naming the parameter, or UnknownService, with a message
 *   or the services there are;
 * - accepted data holds only members the caller sent, unchanged but for instants, which
 *   come out as RFC 3339 UTC text naming the same instant, not in the future (beyond the
 *   day of slack) and on a supported civil date, so the engine can always read them back;
 * - validation is a fixpoint: the accepted data sent again is accepted as the same data,
 *   and validating twice gives the same answer.
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "ops/ops.h"
#include "core/cal.h"
#include "conf/conf.h"
#include "fuzz.h"

const struct conf *
fuzz_event_conf(void)
{
	static struct conf *conf;

	if (!conf) {
		struct diag err;

		setenv("TZ", "Europe/Oslo", 1);
		tzset();
		if (conf_load(FV_SOURCE_DIR "/etc/fristvakt.conf", &conf, &err) < 0) {
			fprintf(stderr, "fuzz: %s\n", err.text);
			abort();
		}
	}
	return conf;
}

/* Members of params that never become event data. */
static bool
envelope_member(const char *key)
{
	return strcmp(key, "reference") == 0 || strcmp(key, "event_id") == 0 ||
	       strcmp(key, "supersedes") == 0 || strcmp(key, "contact") == 0;
}

static void
check_refusal(const char *method, json_t *params, enum ops_error error, json_t *p)
{
	json_t *param;

	FUZZ_CHECK(json_is_object(p), "%s: refusal %d without parameters", method, (int)error);
	FUZZ_CHECK(json_string_length(json_object_get(p, "message")) > 0 ||
			   json_object_get(p, "known"),
		   "%s: refusal %d without a message", method, (int)error);
	if (error == OPS_ERR_INVALID_PARAMETER) {
		/* The parameter is named: one sent, or (missing) a required one. */
		param = json_object_get(p, "parameter");
		FUZZ_CHECK(json_is_string(param) && (json_string_length(param) > 0 ||
						     json_object_get(params, "") != NULL),
			   "%s: InvalidParameter without a parameter", method);
	} else
		FUZZ_CHECK(error == OPS_ERR_UNKNOWN_SERVICE, "%s: unexpected refusal %d", method,
			   (int)error);
}

static void
check_data(const char *method, json_t *params, json_t *data)
{
	const char *key;
	json_t *v;

	FUZZ_CHECK(json_is_object(data), "%s: data not an object", method);
	json_object_foreach(data, key, v)
	{
		json_t *given = json_object_get(params, key);
		const char *s = json_string_value(v);
		struct cal_date d;
		int64_t t, t0;
		char buf[CAL_INSTANT_LEN];

		FUZZ_CHECK(given && !envelope_member(key), "%s: data member '%s' not sent", method,
			   key);
		FUZZ_CHECK(!json_is_null(v), "%s: null '%s' kept", method, key);
		if (json_equal(v, given))
			continue;
		/* Only instants are rewritten: to canonical UTC text of the same instant. */
		FUZZ_CHECK(s && json_is_string(given), "%s: '%s' changed type", method, key);
		FUZZ_CHECK(cal_instant_parse(s, &t) == 0 &&
				   strcmp(cal_instant_format(t, buf), s) == 0,
			   "%s: '%s' = '%s' is not canonical", method, key, s);
		FUZZ_CHECK(cal_instant_parse(json_string_value(given), &t0) == 0 && t0 == t,
			   "%s: '%s' moved from '%s' to '%s'", method, key,
			   json_string_value(given), s);
		FUZZ_CHECK(t <= FUZZ_NOW + 24 * 3600, "%s: '%s' in the future", method, key);
		FUZZ_CHECK(cal_date_of_instant(t, &d) == 0, "%s: '%s' = '%s' has no civil date",
			   method, key, s);
	}
}

json_t *
fuzz_event_check(const char *method, json_t *params)
{
	const struct conf *conf = fuzz_event_conf();
	enum ops_error error, error2;
	json_t *data = NULL, *data2 = NULL, *why = NULL, *why2 = NULL, *again;
	int ret, ret2;

	ret = ops_case_validate(conf, method, params, FUZZ_NOW, &data, &error, &why);
	ret2 = ops_case_validate(conf, method, params, FUZZ_NOW, &data2, &error2, &why2);
	FUZZ_CHECK(ret == ret2 && error == error2 &&
			   (ret < 0 ? (!why && !why2) || json_equal(why, why2)
				    : json_equal(data, data2)),
		   "%s: two validations differ", method);
	json_decref(data2);
	json_decref(why2);
	data2 = NULL;
	if (ret == -ENOENT) {
		FUZZ_CHECK(!data && !why, "data for an unknown method");
		return NULL;
	}
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL && !data, "%s: %d", method, ret);
		check_refusal(method, params, error, why);
		json_decref(why);
		return NULL;
	}
	FUZZ_CHECK(ret == 0 && data, "%s: %d", method, ret);
	check_data(method, params, data);

	/* The fixpoint: the data, with the envelope, sent again. */
	again = json_deep_copy(params);
	FUZZ_CHECK(json_object_update(again, data) == 0, "update");
	ret = ops_case_validate(conf, method, again, FUZZ_NOW, &data2, &error, &why);
	FUZZ_CHECK(ret == 0, "%s: accepted data refused when sent again (%d)", method, (int)error);
	FUZZ_CHECK(json_equal(data, data2), "%s: validation is not a fixpoint", method);
	json_decref(data2);
	json_decref(again);
	return data;
}
