/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dispatch: the method table, one row per Varlink method, and a Varlink call to its handler
 * after the role check and the parameter check of its row; the names the register's errors
 * (enum ops_error) have on the wire (dispatch.c).
 */
#ifndef FV_DISPATCH_H
#define FV_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/jsonkit.h"
#include "core/role.h"
#include "ops/ops.h"

/* A method's handler: answers req (ops_reply()) once, now or after the commit. */
typedef void (*dispatch_handler_cb)(struct ops_env *env, struct ops_req *req);

/*
 * One Varlink method as the daemon serves it: a row of the method table. Dispatch checks
 * the role and the parameters from the row, then calls the handler, which sees only
 * parameters of the declared types and sizes.
 */
struct dispatch_method {
	const char *name; /* "no.fristvakt.Status" */
	enum role role;	  /* needed to call it */
	bool writes;	  /* changes stored state or configuration: audited */
	bool testing;	  /* served only when the configuration enables clock control */
	dispatch_handler_cb handler;
	/* The parameters (jsonkit_check), none when n_params is 0; unused with events. */
	const struct jsonkit_field *params;
	size_t n_params;
	/* An event method: the handler checks the parameters against the event schema
	 * (core/events.h), in stages and with the schema's own messages. */
	bool events;
};

/*
 * The row of the method called name ("no.fristvakt.Status"; borrowed), or NULL when the
 * daemon serves no such method (the testing methods only when testing is true). The row
 * is static.
 */
const struct dispatch_method *dispatch_method_find(const char *name, bool testing);
/* The rows in the order of the interfaces, for those who list them: i < count, or NULL. */
size_t dispatch_method_count(void);
const struct dispatch_method *dispatch_method_at(size_t i);

/* The Varlink error name of error (static), or NULL for OPS_OK and unknown values. */
const char *dispatch_error_name(enum ops_error error);

/*
 * Runs one call (req borrowed until its reply; req->method a row of the table): answers
 * PermissionDenied or InvalidParameter from the row, or calls the row's handler. Every
 * reply, also a read's or an error's, made while the loop turn's transaction holds
 * uncommitted changes waits for the commit: what the call saw may include those changes.
 * req->reply gets errors by their Varlink names (dispatch_error_name()).
 */
void dispatch_call(struct ops_env *env, struct ops_req *req);

#endif
