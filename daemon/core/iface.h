/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * iface: the one table of Varlink methods. It drives the daemon's dispatch (api.c keeps a
 * handler per entry), the role each method needs, and the CLI's help; the interface
 * definitions served by org.varlink.service.GetInterfaceDescription are compiled in from
 * daemon/no.fristvakt.varlink, and a unit test checks that table and text agree.
 */
#ifndef FV_IFACE_H
#define FV_IFACE_H

#include <stdbool.h>

#include "core/role.h"

#define IFACE_FRISTVAKT "no.fristvakt"
#define IFACE_SERVICE	"org.varlink.service"
#define IFACE_TESTING	"no.fristvakt.testing"

enum iface_method_id {
	IFACE_GET_INFO,
	IFACE_GET_INTERFACE_DESCRIPTION,
	IFACE_STATUS,
	IFACE_RELOAD,
	IFACE_REGISTER_APPLICATION,
	IFACE_RECORD_PRELIMINARY_REPLY,
	IFACE_REQUEST_DOCUMENTATION,
	IFACE_RECEIVE_DOCUMENTATION,
	IFACE_RECORD_DECISION,
	IFACE_REQUEST_REASONS,
	IFACE_GIVE_REASONS,
	IFACE_EXTEND_DEADLINE,
	IFACE_OVERRIDE_DEADLINE,
	IFACE_RECORD_COMPLAINT,
	IFACE_FORWARD_COMPLAINT,
	IFACE_DECIDE_COMPLAINT,
	IFACE_WITHDRAW_APPLICATION,
	IFACE_CLOSE_CASE,
	IFACE_WITHDRAW_COMPLAINT,
	IFACE_CONFIRM_DECISION,
	IFACE_GET_CASE,
	IFACE_LIST_CASES,
	IFACE_LIST_DEADLINES,
	IFACE_IMPORT_EVENTS,
	IFACE_LIST_AUDIT,
	IFACE_LIST_REMINDERS,
	IFACE_GET_REMINDER,
	IFACE_RETRY_REMINDER,
	IFACE_RENDER_TEMPLATE,
	IFACE_LIST_CHANNELS,
	IFACE_ENABLE_CHANNEL,
	IFACE_SET_CLOCK,
	IFACE_ADVANCE_CLOCK,
	IFACE_RESET_CLOCK,
	IFACE_METHOD_COUNT,
};

struct iface_method {
	enum iface_method_id id;
	const char *name; /* "no.fristvakt.Status" */
	enum role role;	  /* needed to call it */
	bool writes;	  /* changes stored state or configuration: audited */
	bool testing;	  /* served only when the configuration enables clock control */
};

/* The method called name, or NULL (testing methods only when testing is true). */
const struct iface_method *iface_method_find(const char *name, bool testing);
const struct iface_method *iface_method_get(enum iface_method_id id);
/*
 * The definition text of an interface, or NULL when the daemon does not serve it (the
 * testing interface only when testing is true).
 */
const char *iface_description(const char *iface, bool testing);
/* Interface names served, NULL-terminated; the last is the testing interface. */
extern const char *const iface_names[];

#endif
