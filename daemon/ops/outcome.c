// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * outcome: the refusals of the case register, made once so that every step of checking
 * and recording an event names its errors the same way (see case_impl.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"
#include "ops/case_impl.h"

void
outcome_fail(struct outcome *o, enum ops_error error, json_t *params)
{
	o->error = error;
	o->params = params;
}

void
outcome_param(struct outcome *o, const char *param, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	outcome_fail(o, OPS_ERR_INVALID_PARAMETER,
		     json_pack("{ss ss}", "parameter", param, "message", msg));
}

void
outcome_order(struct outcome *o, const char *ref, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	outcome_fail(o, OPS_ERR_OUT_OF_ORDER,
		     json_pack("{ss ss}", "reference", ref, "message", msg));
}

void
outcome_storage(struct ops_env *env, struct outcome *o)
{
	log_err("database: %s", store_errmsg(env->store));
	outcome_fail(o, OPS_ERR_STORAGE_FAILURE,
		     json_pack("{ss}", "message", store_errmsg(env->store)));
}
