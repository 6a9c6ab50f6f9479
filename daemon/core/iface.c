// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * iface: the interface definitions the daemon serves (see iface.h).
 */
#include "core/iface.h"

#include <string.h>

#include "core/embedded.h"

/* The standard interface every Varlink service implements, as the specification gives it. */
static const char service_description[] =
	"# The Varlink Service Interface is provided by every varlink service. It\n"
	"# describes the service and the interfaces it implements.\n"
	"interface org.varlink.service\n"
	"\n"
	"# Get a list of all the interfaces a service provides and information\n"
	"# about the implementation.\n"
	"method GetInfo() -> (\n"
	"  vendor: string,\n"
	"  product: string,\n"
	"  version: string,\n"
	"  url: string,\n"
	"  interfaces: []string\n"
	")\n"
	"\n"
	"# Get the description of an interface that is implemented by this service.\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n"
	"\n"
	"# The requested interface was not found.\n"
	"error InterfaceNotFound (interface: string)\n"
	"\n"
	"# The requested method was not found\n"
	"error MethodNotFound (method: string)\n"
	"\n"
	"# The interface defines the requested method, but the service does not\n"
	"# implement it.\n"
	"error MethodNotImplemented (method: string)\n"
	"\n"
	"# One of the passed parameters is invalid.\n"
	"error InvalidParameter (parameter: string)\n"
	"\n"
	"# Client is denied access\n"
	"error PermissionDenied ()\n"
	"\n"
	"# Method is expected to be called with 'more' set to true, but wasn't\n"
	"error ExpectedMore ()\n";

const char *const iface_names[] = { IFACE_SERVICE, IFACE_FRISTVAKT, IFACE_TESTING, NULL };

const char *
iface_description(const char *iface, bool testing)
{
	if (strcmp(iface, IFACE_SERVICE) == 0)
		return service_description;
	for (size_t i = 0; fv_embedded_varlink[i].name; i++) {
		const char *name = fv_embedded_varlink[i].name;
		size_t len = strlen(iface);

		/* Files are named after their interface: "no.fristvakt.varlink". */
		if (strncmp(name, iface, len) == 0 && strcmp(name + len, ".varlink") == 0)
			return strcmp(iface, IFACE_TESTING) == 0 && !testing
				       ? NULL
				       : fv_embedded_varlink[i].data;
	}
	return NULL;
}
