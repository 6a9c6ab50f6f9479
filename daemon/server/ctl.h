/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl: the Varlink control server on a unix stream socket — accept, frame, enforce the
 * limits (message size, connections in total and per uid, idle time, per-uid rate), read
 * the peer's credentials (SO_PEERCRED, SO_PEERGROUPS) and map them to a role, and hand each
 * decoded call to dispatch. One call per connection is in progress at a time; replies go
 * out in the order of the calls.
 */
#ifndef FV_CTL_H
#define FV_CTL_H

#include <stddef.h>

#include <uv.h>

struct ops_env;
struct conf;
struct ctl;

/*
 * Starts serving on the socket passed by systemd (socket activation; it must be a listening
 * unix stream socket) or, without one, on conf->socket, which it creates with
 * conf->socket_mode and group. env and conf are borrowed for the server's life (see
 * ctl_set_conf). On failure returns a negative errno and writes a message to err.
 */
int ctl_start(uv_loop_t *loop, const struct conf *conf, struct ops_env *env, struct ctl **out,
	      char *err, size_t errlen);
/* Switches to the limits and access rules of a new configuration (borrowed). */
void ctl_set_conf(struct ctl *ctl, const struct conf *conf);
unsigned ctl_connections(const struct ctl *ctl);
/*
 * Where the server listens, for logs and status: conf->socket, or the real path of the
 * socket systemd passed ("@name" for an abstract socket). Borrowed from ctl; valid until
 * ctl_stop().
 */
const char *ctl_socket_path(const struct ctl *ctl);
/* Stops listening, closes every connection and frees ctl once the handles are closed. */
void ctl_stop(struct ctl *ctl);

#endif
