// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * iface: the Varlink method table and interface definitions (see iface.h).
 */
#include "iface.h"

#include <string.h>

#include "embedded.h"
#include "util.h"

static const struct iface_method methods[IFACE_METHOD_COUNT] = {
	{ IFACE_GET_INFO, IFACE_SERVICE ".GetInfo", CONF_ROLE_READ, false },
	{ IFACE_GET_INTERFACE_DESCRIPTION, IFACE_SERVICE ".GetInterfaceDescription", CONF_ROLE_READ,
	  false },
	{ IFACE_STATUS, IFACE_FRISTVAKT ".Status", CONF_ROLE_READ, false },
	{ IFACE_RELOAD, IFACE_FRISTVAKT ".Reload", CONF_ROLE_ADMIN, true },
	{ IFACE_REGISTER_APPLICATION, IFACE_FRISTVAKT ".RegisterApplication", CONF_ROLE_WRITE,
	  true },
	{ IFACE_RECORD_PRELIMINARY_REPLY, IFACE_FRISTVAKT ".RecordPreliminaryReply",
	  CONF_ROLE_WRITE, true },
	{ IFACE_REQUEST_DOCUMENTATION, IFACE_FRISTVAKT ".RequestDocumentation", CONF_ROLE_WRITE,
	  true },
	{ IFACE_RECEIVE_DOCUMENTATION, IFACE_FRISTVAKT ".ReceiveDocumentation", CONF_ROLE_WRITE,
	  true },
	{ IFACE_RECORD_DECISION, IFACE_FRISTVAKT ".RecordDecision", CONF_ROLE_WRITE, true },
	{ IFACE_REQUEST_REASONS, IFACE_FRISTVAKT ".RequestReasons", CONF_ROLE_WRITE, true },
	{ IFACE_GIVE_REASONS, IFACE_FRISTVAKT ".GiveReasons", CONF_ROLE_WRITE, true },
	{ IFACE_EXTEND_DEADLINE, IFACE_FRISTVAKT ".ExtendDeadline", CONF_ROLE_WRITE, true },
	{ IFACE_OVERRIDE_DEADLINE, IFACE_FRISTVAKT ".OverrideDeadline", CONF_ROLE_WRITE, true },
	{ IFACE_RECORD_COMPLAINT, IFACE_FRISTVAKT ".RecordComplaint", CONF_ROLE_WRITE, true },
	{ IFACE_FORWARD_COMPLAINT, IFACE_FRISTVAKT ".ForwardComplaint", CONF_ROLE_WRITE, true },
	{ IFACE_DECIDE_COMPLAINT, IFACE_FRISTVAKT ".DecideComplaint", CONF_ROLE_WRITE, true },
	{ IFACE_WITHDRAW_APPLICATION, IFACE_FRISTVAKT ".WithdrawApplication", CONF_ROLE_WRITE,
	  true },
	{ IFACE_CLOSE_CASE, IFACE_FRISTVAKT ".CloseCase", CONF_ROLE_WRITE, true },
	{ IFACE_GET_CASE, IFACE_FRISTVAKT ".GetCase", CONF_ROLE_READ, false },
	{ IFACE_LIST_CASES, IFACE_FRISTVAKT ".ListCases", CONF_ROLE_READ, false },
	{ IFACE_LIST_DEADLINES, IFACE_FRISTVAKT ".ListDeadlines", CONF_ROLE_READ, false },
	{ IFACE_IMPORT_EVENTS, IFACE_FRISTVAKT ".ImportEvents", CONF_ROLE_WRITE, true },
	{ IFACE_LIST_AUDIT, IFACE_FRISTVAKT ".ListAudit", CONF_ROLE_ADMIN, false },
};

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

const char *const iface_names[] = { IFACE_SERVICE, IFACE_FRISTVAKT, NULL };

const struct iface_method *
iface_method_find(const char *name)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(methods); i++) {
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	}
	return NULL;
}

const struct iface_method *
iface_method_get(enum iface_method_id id)
{
	FV_ASSERT(id < IFACE_METHOD_COUNT && methods[id].id == id);
	return &methods[id];
}

const char *
iface_description(const char *iface)
{
	if (strcmp(iface, IFACE_SERVICE) == 0)
		return service_description;
	if (strcmp(iface, IFACE_FRISTVAKT) == 0)
		return fv_embedded_varlink[0].data;
	return NULL;
}
