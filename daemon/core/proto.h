/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * proto: the Varlink wire codec, shared by the daemon and the CLI.
 *
 * A Varlink message is one JSON object followed by a NUL byte. The reader accumulates
 * stream bytes and yields complete messages; it refuses to buffer more than its limit, so a
 * peer that never sends a terminator cannot make the daemon grow. Parsing is strict
 * (jansson rejects duplicate keys, invalid UTF-8, NUL escapes and trailing garbage) and every
 * member of a call is checked for type before it is used (core/jsonkit.h). Pure code: no
 * I/O.
 */
#ifndef FV_PROTO_H
#define FV_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/strbuf.h"

struct proto_reader {
	struct strbuf buf; /* the bytes buffered (buf.len of them) */
	size_t max;	   /* largest message accepted, including its NUL */
	size_t head;	   /* start of the first unconsumed message */
	size_t valid;	   /* end of the complete messages checked against max (after a NUL) */
	size_t scan;	   /* bytes already searched for a NUL */
};

void proto_reader_init(struct proto_reader *r, size_t max);
void proto_reader_deinit(struct proto_reader *r);
/* Appends bytes (borrowed). 0, or -EMSGSIZE when a message would exceed the limit. */
int proto_reader_feed(struct proto_reader *r, const char *data, size_t n);
/*
 * The next complete message: 1 and *msg, *len (without the NUL; valid until the next call
 * of any reader function), 0 when none is complete yet.
 */
int proto_reader_next(struct proto_reader *r, const char **msg, size_t *len);
/* Whether bytes of an incomplete message are buffered. */
bool proto_reader_pending(const struct proto_reader *r);

/* A decoded method call; owns method and params. */
struct proto_call {
	char *method;	/* "interface.Method" */
	char *iface;	/* "interface" */
	json_t *params; /* always an object */
	bool oneway;
	bool more;
	bool upgrade;
};

/*
 * Why a message is not a valid call: error is a Varlink error name and detail a human
 * message (static or in the struct's buffer), parameter names the offending member for
 * org.varlink.service.InvalidParameter.
 */
struct proto_fault {
	const char *error;
	char parameter[64];
	char detail[256];
};

#define PROTO_ERR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"
#define PROTO_ERR_METHOD_NOT_FOUND  "org.varlink.service.MethodNotFound"
#define PROTO_ERR_IFACE_NOT_FOUND   "org.varlink.service.InterfaceNotFound"
#define PROTO_ERR_NOT_IMPLEMENTED   "org.varlink.service.MethodNotImplemented"

/* Decodes one message (borrowed) into call (owned by the caller: proto_call_deinit). */
int proto_call_parse(const char *msg, size_t len, struct proto_call *call, struct proto_fault *f);
void proto_call_deinit(struct proto_call *call);

/*
 * Encoders return a fresh buffer holding the JSON text and its terminating NUL; *len counts
 * the NUL. params is borrowed and may be NULL (encoded as {}).
 */
char *proto_reply_encode(json_t *params, bool continues, size_t *len);
char *proto_error_encode(const char *error, json_t *params, size_t *len);
char *proto_call_encode(const char *method, json_t *params, bool more, size_t *len);

/* A decoded reply, for clients. Owns error and params. */
struct proto_reply {
	char *error; /* NULL on success */
	json_t *params;
	bool continues;
};

int proto_reply_parse(const char *msg, size_t len, struct proto_reply *reply);
void proto_reply_deinit(struct proto_reply *reply);

#endif
