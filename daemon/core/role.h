/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * role: what a peer of the control socket may do. The configuration's access rules give
 * each peer a role, and each Varlink method names the role it needs.
 */
#ifndef FV_ROLE_H
#define FV_ROLE_H

/* Ordered: each role includes the ones below it. */
enum role {
	ROLE_NONE = 0,
	ROLE_READ,
	ROLE_WRITE,
	ROLE_ADMIN,
};

/* "none", "read", "write", "admin". */
const char *role_name(enum role role);
/* The role named s ("read", "write" or "admin"): 0, or -EINVAL. */
int role_parse(const char *s, enum role *out);

#endif
