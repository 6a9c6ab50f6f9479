// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * iface: the Varlink method table and interface definitions (see iface.h).
 */
#include "core/iface.h"

#include <string.h>

#include "core/embedded.h"
#include "core/util.h"

/*
 * M(id, interface, method, role, writes, testing): the role a method needs, whether it changes
 * state (audited), and whether it belongs to the testing interface.
 */
#define M(id, iface, name, role, writes, testing)                                                  \
	[IFACE_##id] = { IFACE_##id, iface name, ROLE_##role, writes, testing }

/*
 * Discovery (org.varlink.service) answers every peer that may connect, as Varlink clients
 * expect: the socket's mode and group are the gate, and what it tells (the product, the
 * interfaces and their texts) is public in the source anyway. no.fristvakt keeps its roles.
 */
static const struct iface_method methods[IFACE_METHOD_COUNT] = {
	M(GET_INFO, IFACE_SERVICE, ".GetInfo", NONE, false, false),
	M(GET_INTERFACE_DESCRIPTION, IFACE_SERVICE, ".GetInterfaceDescription", NONE, false, false),
	M(STATUS, IFACE_FRISTVAKT, ".Status", READ, false, false),
	M(RELOAD, IFACE_FRISTVAKT, ".Reload", ADMIN, true, false),
	M(REGISTER_APPLICATION, IFACE_FRISTVAKT, ".RegisterApplication", WRITE, true, false),
	M(RECORD_PRELIMINARY_REPLY, IFACE_FRISTVAKT, ".RecordPreliminaryReply", WRITE, true, false),
	M(REQUEST_DOCUMENTATION, IFACE_FRISTVAKT, ".RequestDocumentation", WRITE, true, false),
	M(RECEIVE_DOCUMENTATION, IFACE_FRISTVAKT, ".ReceiveDocumentation", WRITE, true, false),
	M(RECORD_DECISION, IFACE_FRISTVAKT, ".RecordDecision", WRITE, true, false),
	M(REQUEST_REASONS, IFACE_FRISTVAKT, ".RequestReasons", WRITE, true, false),
	M(GIVE_REASONS, IFACE_FRISTVAKT, ".GiveReasons", WRITE, true, false),
	M(EXTEND_DEADLINE, IFACE_FRISTVAKT, ".ExtendDeadline", WRITE, true, false),
	M(OVERRIDE_DEADLINE, IFACE_FRISTVAKT, ".OverrideDeadline", WRITE, true, false),
	M(RECORD_COMPLAINT, IFACE_FRISTVAKT, ".RecordComplaint", WRITE, true, false),
	M(FORWARD_COMPLAINT, IFACE_FRISTVAKT, ".ForwardComplaint", WRITE, true, false),
	M(DECIDE_COMPLAINT, IFACE_FRISTVAKT, ".DecideComplaint", WRITE, true, false),
	M(WITHDRAW_APPLICATION, IFACE_FRISTVAKT, ".WithdrawApplication", WRITE, true, false),
	M(CLOSE_CASE, IFACE_FRISTVAKT, ".CloseCase", WRITE, true, false),
	M(WITHDRAW_COMPLAINT, IFACE_FRISTVAKT, ".WithdrawComplaint", WRITE, true, false),
	M(CONFIRM_DECISION, IFACE_FRISTVAKT, ".ConfirmDecision", WRITE, true, false),
	M(GET_CASE, IFACE_FRISTVAKT, ".GetCase", READ, false, false),
	M(LIST_CASES, IFACE_FRISTVAKT, ".ListCases", READ, false, false),
	M(LIST_DEADLINES, IFACE_FRISTVAKT, ".ListDeadlines", READ, false, false),
	M(IMPORT_EVENTS, IFACE_FRISTVAKT, ".ImportEvents", WRITE, true, false),
	M(LIST_AUDIT, IFACE_FRISTVAKT, ".ListAudit", ADMIN, false, false),
	M(LIST_REMINDERS, IFACE_FRISTVAKT, ".ListReminders", READ, false, false),
	M(GET_REMINDER, IFACE_FRISTVAKT, ".GetReminder", READ, false, false),
	M(RETRY_REMINDER, IFACE_FRISTVAKT, ".RetryReminder", WRITE, true, false),
	M(RENDER_TEMPLATE, IFACE_FRISTVAKT, ".RenderTemplate", READ, false, false),
	M(LIST_CHANNELS, IFACE_FRISTVAKT, ".ListChannels", READ, false, false),
	M(ENABLE_CHANNEL, IFACE_FRISTVAKT, ".EnableChannel", ADMIN, true, false),
	M(SET_CLOCK, IFACE_TESTING, ".SetClock", ADMIN, true, true),
	M(ADVANCE_CLOCK, IFACE_TESTING, ".AdvanceClock", ADMIN, true, true),
	M(RESET_CLOCK, IFACE_TESTING, ".ResetClock", ADMIN, true, true),
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

const char *const iface_names[] = { IFACE_SERVICE, IFACE_FRISTVAKT, IFACE_TESTING, NULL };

const struct iface_method *
iface_method_find(const char *name, bool testing)
{
	for (size_t i = 0; i < FV_ARRAY_SIZE(methods); i++) {
		if (strcmp(methods[i].name, name) == 0)
			return !methods[i].testing || testing ? &methods[i] : NULL;
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
