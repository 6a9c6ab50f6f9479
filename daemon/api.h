/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: one handler per Varlink method — check the caller's role, validate the parameters,
 * run the domain operation, reply or answer a named error. Knows nothing of sockets: the
 * control server (ctl) hands it a decoded call and a reply callback.
 */
#ifndef FV_API_H
#define FV_API_H

#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "iface.h"

struct store;

/* Who is calling, from SO_PEERCRED and the access rules. */
struct api_peer {
	uint32_t uid;
	uint32_t gid;
	int32_t pid;
	enum conf_role role;
};

struct api_req;

/*
 * Delivers the outcome of a call: error is NULL on success or a Varlink error name; params
 * is stolen (may be NULL). Called exactly once per call that is not oneway, possibly from
 * within api_call().
 */
typedef void (*api_reply_cb)(struct api_req *req, const char *error, json_t *params);

struct api_req {
	const struct iface_method *method;
	json_t *params; /* borrowed from the caller until the reply */
	struct api_peer peer;
	int64_t now;    /* unix seconds, read once by the caller's callback */
	api_reply_cb reply;
	void *data;     /* the caller's */
};

/* What the API needs from the daemon that hosts it. */
struct api_env {
	struct store *store;
	const struct conf *conf; /* the configuration in force */
	int64_t started;         /* unix seconds */
	int64_t conf_loaded;     /* unix seconds */
	void *host;
	/* Reloads the configuration: 0, or negative errno with err filled. */
	int (*reload)(void *host, struct conf_error *err);
	unsigned (*connections)(void *host);
	/* The daemon's clock (unix seconds): the wall clock, or the test clock when enabled. */
	int64_t (*now)(void *host);
};

/* Runs one call (req borrowed until its reply). */
void api_call(struct api_env *env, struct api_req *req);

#endif
