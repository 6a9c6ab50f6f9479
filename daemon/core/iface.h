/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * iface: the Varlink interfaces the daemon serves, by name, and their definition texts
 * (org.varlink.service.GetInterfaceDescription), compiled in from the .varlink files. The
 * methods themselves are rows of the server's method table (server/dispatch.c); a unit
 * test checks that table and these texts agree.
 */
#ifndef FV_IFACE_H
#define FV_IFACE_H

#include <stdbool.h>

#define IFACE_FRISTVAKT "no.fristvakt"
#define IFACE_SERVICE	"org.varlink.service"
#define IFACE_TESTING	"no.fristvakt.testing"

/*
 * The definition text of an interface, or NULL when the daemon does not serve it (the
 * testing interface only when testing is true).
 */
const char *iface_description(const char *iface, bool testing);
/* Interface names served, NULL-terminated; the last is the testing interface. */
extern const char *const iface_names[];

#endif
