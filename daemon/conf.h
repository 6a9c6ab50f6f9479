/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf: the configuration file (libconfig) turned into one immutable struct conf.
 *
 * conf_load() parses into a fresh config_t, validates every key, copies what it keeps and
 * destroys the config_t, so a struct conf owns all its strings. A reload builds a complete
 * new struct conf and swaps it in only when it is valid (DESIGN.md invariant 8).
 */
#ifndef FV_CONF_H
#define FV_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libconfig.h>

struct rules;

/* A validation error: "FILE:LINE: message" (LINE omitted when unknown). */
struct conf_error {
	char text[512];
};

/* Formats "file:line: msg" into err; line <= 0 leaves the line out. */
void conf_error_set(struct conf_error *err, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, taking the file and line from a libconfig setting. */
void conf_error_at(struct conf_error *err, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Roles of control-socket peers, ordered: each includes the ones below it. */
enum conf_role {
	CONF_ROLE_NONE = 0,
	CONF_ROLE_READ,
	CONF_ROLE_WRITE,
	CONF_ROLE_ADMIN,
};

const char *conf_role_name(enum conf_role role);

struct conf_access {
	bool is_group; /* gid rule, else uid rule */
	uint32_t id;
	enum conf_role role;
};

struct conf {
	char *path;	/* absolute path of the file loaded */
	int log_level;	/* syslog priority: messages at or below it are written */
	char *timezone; /* IANA zone for legal days, e.g. "Europe/Oslo" */
	char *database; /* absolute path */
	char *socket;	/* absolute path */
	uint32_t socket_mode;
	bool has_socket_group;
	uint32_t socket_gid;
	uint32_t max_connections;
	uint32_t max_connections_per_uid;
	uint32_t max_message;	  /* bytes, including the NUL */
	uint32_t idle_timeout_ms; /* a connection with no complete request for this long closes */
	uint32_t rate_per_second; /* requests per peer uid, sustained */
	uint32_t rate_burst;
	struct conf_access *access;
	size_t n_access;
	bool clock_control; /* enables the admin-only clock methods (tests only) */
	struct rules *rules;
};

/*
 * Loads and validates the file at path (borrowed). On success *out is a new struct conf,
 * owned by the caller (conf_free). On failure returns a negative errno and fills err.
 */
int conf_load(const char *path, struct conf **out, struct conf_error *err);
void conf_free(struct conf *conf);

/*
 * The role of a peer from its uid and groups (borrowed, n_groups of them). The account the
 * daemon runs as (self_uid) and root are always admin.
 */
enum conf_role conf_role_for(const struct conf *conf, uint32_t self_uid, uint32_t uid,
			     const uint32_t *groups, size_t n_groups);

/* Parses a log level name ("debug", "info", "notice", "warning", "err"): 0 or -EINVAL. */
int conf_log_level_parse(const char *s, int *level);

#endif
