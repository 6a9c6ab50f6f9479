/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics_http: the optional HTTP listener of the metrics (metrics.listen). libmicrohttpd
 * in external epoll mode, driven from the daemon's loop by a uv_poll on its epoll fd and a
 * uv_timer for its timeouts: no thread of its own. GET or HEAD /metrics answers the text
 * exposition of ops_metrics_text(); any other path is 404, any other method 405.
 */
#ifndef FV_METRICS_HTTP_H
#define FV_METRICS_HTTP_H

#include <stddef.h>

#include <uv.h>

struct ops_env;
struct conf_metrics;
struct metrics_http;

/*
 * Listens on the address of m (borrowed; m->listen set) and serves env's metrics from loop.
 * 0 and *out, or a negative errno with a message in err (errlen bytes).
 */
int metrics_http_start(uv_loop_t *loop, const struct conf_metrics *m, struct ops_env *env,
		       struct metrics_http **out, char *err, size_t errlen);
/* Stops listening, closes the connections and frees h once its handles are closed. */
void metrics_http_stop(struct metrics_http *h);

#endif
