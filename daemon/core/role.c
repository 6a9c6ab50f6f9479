// SPDX-License-Identifier: GPL-3.0-or-later
/* role: what a peer of the control socket may do (see role.h). */
#include "core/role.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

const char *
role_name(enum role role)
{
	switch (role) {
	case ROLE_READ:
		return "read";
	case ROLE_WRITE:
		return "write";
	case ROLE_ADMIN:
		return "admin";
	case ROLE_NONE:
		break;
	}
	return "none";
}

int
role_parse(const char *s, enum role *out)
{
	static const enum role roles[] = { ROLE_READ, ROLE_WRITE, ROLE_ADMIN };

	for (size_t i = 0; i < FV_ARRAY_SIZE(roles); i++) {
		if (strcmp(s, role_name(roles[i])) == 0) {
			*out = roles[i];
			return 0;
		}
	}
	return -EINVAL;
}
