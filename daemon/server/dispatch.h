/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dispatch: the method table, and a Varlink call to its handler after the role check and
 * the parameter check of its row (dispatch.c).
 */
#ifndef FV_DISPATCH_H
#define FV_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ops/ops.h"

/*
 * The row of the method called name ("no.fristvakt.Status"; borrowed), or NULL when the
 * daemon serves no such method (the testing methods only when testing is true). The row
 * is static.
 */
const struct ops_method *dispatch_method_find(const char *name, bool testing);
/* The rows in the order of the interfaces, for those who list them: i < count, or NULL. */
size_t dispatch_method_count(void);
const struct ops_method *dispatch_method_at(size_t i);

/*
 * Runs one call (req borrowed until its reply; req->method a row of the table): answers
 * PermissionDenied or InvalidParameter from the row, or calls the row's handler. Every
 * reply, also a read's or an error's, made while the loop turn's transaction holds
 * uncommitted changes waits for the commit: what the call saw may include those changes.
 */
void dispatch_call(struct ops_env *env, struct ops_req *req);

#endif
