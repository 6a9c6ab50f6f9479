// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * metrics: the group "metrics" of the configuration (see conf.h, struct conf_metrics): the
 * address of the optional HTTP listener for Prometheus, a numeric IPv4 or IPv6 address and
 * a port, so that starting it never waits for name resolution.
 */
#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/kit_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/util.h"

/*
 * Splits "ADDRESS:PORT" or "[ADDRESS]:PORT" (s) into m's family, address and port.
 * 0 or -EINVAL.
 */
static int
parse_listen(const char *s, struct conf_metrics *m)
{
	char host[64];
	const char *colon, *hs = s;
	size_t hn;
	int64_t port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hs = s + 1;
		hn = (size_t)(close - hs);
		colon = close + 1;
		m->family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL;
		hn = (size_t)(colon - s);
		m->family = AF_INET;
	}
	if (hn == 0 || hn >= sizeof(host))
		return -EINVAL;
	memcpy(host, hs, hn);
	host[hn] = '\0';
	if (inet_pton(m->family, host, m->addr) != 1)
		return -EINVAL;
	if (fv_parse_i64(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	m->port = (uint16_t)port;
	return 0;
}

int
conf_metrics_load(const config_setting_t *root, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "listen", NULL };
	const config_setting_t *g = config_setting_get_member(root, "metrics");
	const char *listen = NULL;
	int ret;

	if (!g)
		return 0;
	if (!config_setting_is_group(g)) {
		conf_error_at(err, g, "'metrics' must be a group { ... }");
		return -EINVAL;
	}
	if ((ret = conf_check_keys(g, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(g, "listen", 0, NULL, &listen, err)) < 0)
		return ret;
	if (!listen)
		return 0;
	if (parse_listen(listen, &c->metrics) < 0) {
		conf_error_at(err, config_setting_get_member(g, "listen"),
			      "bad 'listen' \"%s\": expected a numeric address and a port, such "
			      "as \"127.0.0.1:9467\" or \"[::1]:9467\" (port 1-65535)",
			      listen);
		return -EINVAL;
	}
	c->metrics.listen = xstrdup(listen);
	return 0;
}
