/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dispatch: a Varlink call to its handler, after the role check (dispatch.c).
 */
#ifndef FV_DISPATCH_H
#define FV_DISPATCH_H

#include "ops/ops.h"

/*
 * Runs one call (req borrowed until its reply). Every reply, also a read's or an error's,
 * made while the loop turn's transaction holds uncommitted changes waits for the commit:
 * what the call saw may include those changes.
 */
void dispatch_call(struct ops_env *env, struct ops_req *req);

#endif
