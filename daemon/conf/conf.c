// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * conf: libconfig text -> validated, immutable struct conf (see conf.h).
 *
 * Every key the file may hold is listed in a table beside its loader and documented in
 * etc/fristvakt.conf; an unknown key is an error at its line, so a typo never silently
 * leaves a default in force. Integers are read as 64-bit and range-checked (libconfig 1.5
 * wraps 32-bit ints silently; kit.c). This file reads the top level, "control", "access"
 * and "testing"; the deadline rules (calendars, regimes, services, citations) are
 * rules_load.c's, "channels" channels.c's and "reminders" reminders.c's.
 */
#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/kit_impl.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "core/rules.h"
#include "core/strbuf.h"
#include "core/util.h"

int
conf_log_level_parse(const char *s, int *level)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "err", LOG_ERR },	  { "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < FV_ARRAY_SIZE(levels); i++) {
		if (strcmp(s, levels[i].name) == 0) {
			*level = levels[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

static int
resolve_group(const char *name, uint32_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int64_t v;

	if (fv_parse_i64(name, 0, UINT32_MAX - 1, &v) == 0) {
		*gid = (uint32_t)v;
		return 0;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*gid = res->gr_gid;
	return 0;
}

static int
resolve_user(const char *name, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int64_t v;

	if (fv_parse_i64(name, 0, UINT32_MAX - 1, &v) == 0) {
		*uid = (uint32_t)v;
		return 0;
	}
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*uid = res->pw_uid;
	return 0;
}

static bool
is_tzif(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

static int
load_control(const config_setting_t *root, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "socket",
					    "socket_mode",
					    "socket_group",
					    "max_connections",
					    "max_connections_per_uid",
					    "max_message",
					    "idle_timeout",
					    "rate",
					    "rate_burst",
					    NULL };
	const config_setting_t *g = config_setting_get_member(root, "control");
	const char *socket = NULL, *mode = NULL, *group = NULL;
	uint32_t idle = 60;
	char *end;
	long m;
	int ret;

	if (!g) {
		diag_set(err, c->path, 0, "missing group 'control'");
		return -EINVAL;
	}
	if (!config_setting_is_group(g)) {
		conf_error_at(err, g, "'control' must be a group { ... }");
		return -EINVAL;
	}
	if ((ret = conf_check_keys(g, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(g, "socket", 0, NULL, &socket, err)) < 0 ||
	    (ret = conf_get_string(g, "socket_mode", 0, NULL, &mode, err)) < 0 ||
	    (ret = conf_get_string(g, "socket_group", CONF_GET_EMPTY_OK, NULL, &group, err)) < 0 ||
	    (ret = conf_get_u32(g, "max_connections", 1, 65536, 0, &c->max_connections, err)) < 0 ||
	    (ret = conf_get_u32(g, "max_connections_per_uid", 1, 65536, 0,
				&c->max_connections_per_uid, err)) < 0 ||
	    (ret = conf_get_u32(g, "max_message", 4096, 64 << 20, 0, &c->max_message, err)) < 0 ||
	    (ret = conf_get_u32(g, "idle_timeout", 1, 86400, 0, &idle, err)) < 0 ||
	    (ret = conf_get_u32(g, "rate", 1, 1000000, 0, &c->rate_per_second, err)) < 0 ||
	    (ret = conf_get_u32(g, "rate_burst", 1, 10000000, 0, &c->rate_burst, err)) < 0)
		return ret;
	if (!socket) {
		conf_error_at(err, g, "'control' needs 'socket', the path of the control socket");
		return -EINVAL;
	}
	if (strlen(socket) >= 100) {
		conf_error_at(err, config_setting_get_member(g, "socket"),
			      "'socket' path is too long for a unix socket (max 99 bytes)");
		return -ENAMETOOLONG;
	}
	c->socket = fv_abspath(socket);
	if (strlen(c->socket) >= 108) {
		conf_error_at(err, config_setting_get_member(g, "socket"),
			      "'socket' resolves to '%s', too long for a unix socket", c->socket);
		return -ENAMETOOLONG;
	}
	if (mode) {
		errno = 0;
		m = strtol(mode, &end, 8);
		if (*end || errno || m < 0 || m > 0777 || (m & 0600) != 0600) {
			conf_error_at(err, config_setting_get_member(g, "socket_mode"),
				      "'socket_mode' must be an octal mode such as \"0660\" that "
				      "lets the owner read and write");
			return -EINVAL;
		}
		c->socket_mode = (uint32_t)m;
	}
	if (group && *group) {
		if (resolve_group(group, &c->socket_gid) < 0) {
			conf_error_at(err, config_setting_get_member(g, "socket_group"),
				      "unknown group '%s'", group);
			return -ENOENT;
		}
		c->has_socket_group = true;
	}
	c->idle_timeout_ms = idle * 1000;
	if (c->max_connections_per_uid > c->max_connections)
		c->max_connections_per_uid = c->max_connections;
	return 0;
}

static int
load_access(const config_setting_t *root, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "user", "group", "role", NULL };
	const config_setting_t *list = NULL;
	int n, ret;

	if ((ret = conf_get_list(root, "access", 0, NULL, &list, err)) <= 0)
		return ret;
	n = config_setting_length(list);
	c->access = xcalloc((size_t)n, sizeof(*c->access));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *user = NULL, *group = NULL, *role = NULL;
		struct conf_access *a = &c->access[c->n_access];

		if ((ret = conf_need_group(e, "'access' entry", err)) < 0 ||
		    (ret = conf_check_keys(e, keys, NULL, err)) < 0 ||
		    (ret = conf_get_string(e, "user", 0, NULL, &user, err)) < 0 ||
		    (ret = conf_get_string(e, "group", 0, NULL, &group, err)) < 0 ||
		    (ret = conf_get_string(e, "role", 0, NULL, &role, err)) < 0)
			return ret;
		if (!!user == !!group) {
			conf_error_at(err, e,
				      "an 'access' entry needs exactly one of 'user' or 'group'");
			return -EINVAL;
		}
		if (!role || role_parse(role, &a->role) < 0) {
			conf_error_at(err, e,
				      "an 'access' entry needs 'role' = \"read\", \"write\" or "
				      "\"admin\"");
			return -EINVAL;
		}
		a->is_group = group != NULL;
		if (group ? resolve_group(group, &a->id) < 0 : resolve_user(user, &a->id) < 0) {
			conf_error_at(err, e, "unknown %s '%s'", group ? "group" : "user",
				      group ? group : user);
			return -ENOENT;
		}
		c->n_access++;
	}
	return 0;
}

/* FNV-1a over a setting's name, type and value, recursively. */
static void
hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void
hash_setting(uint64_t *h, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	int type = config_setting_type(s);

	if (name)
		hash_bytes(h, name, strlen(name) + 1);
	hash_bytes(h, &type, sizeof(type));
	switch (type) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		for (int i = 0; i < config_setting_length(s); i++)
			hash_setting(h, config_setting_get_elem(s, (unsigned)i));
		hash_bytes(h, "}", 1);
		break;
	case CONFIG_TYPE_STRING: {
		const char *v = config_setting_get_string(s);

		hash_bytes(h, v, strlen(v) + 1);
		break;
	}
	case CONFIG_TYPE_BOOL: {
		int v = config_setting_get_bool(s);

		hash_bytes(h, &v, sizeof(v));
		break;
	}
	case CONFIG_TYPE_FLOAT: {
		double v = config_setting_get_float(s);

		hash_bytes(h, &v, sizeof(v));
		break;
	}
	default: {
		long long v = config_setting_get_int64(s);

		hash_bytes(h, &v, sizeof(v));
		break;
	}
	}
}

static void
fingerprint(const config_setting_t *root, struct conf *c)
{
	static const char *const groups[] = { "calendars", "regimes",	"services",
					      "citations", "reminders", "timezone" };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < FV_ARRAY_SIZE(groups); i++) {
		const config_setting_t *s = config_setting_get_member(root, groups[i]);

		hash_bytes(&h, groups[i], strlen(groups[i]) + 1);
		if (s)
			hash_setting(&h, s);
	}
	snprintf(c->rules_fingerprint, sizeof(c->rules_fingerprint), "%016llx",
		 (unsigned long long)h);
}

static int
load_root(const config_setting_t *root, struct conf *c, struct diag *err)
{
	static const char *const keys[] = { "log_level", "timezone",  "database",  "control",
					    "access",	 "testing",   "calendars", "regimes",
					    "services",	 "citations", "channels",  "reminders",
					    "metrics",	 "retention", NULL };
	static const char *const testing_keys[] = { "clock_control", NULL };
	const char *level = NULL, *tz = "Europe/Oslo", *db = NULL;
	const config_setting_t *testing;
	char zonefile[512];
	struct stat st;
	int ret;

	if ((ret = conf_check_keys(root, keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(root, "log_level", 0, NULL, &level, err)) < 0 ||
	    (ret = conf_get_string(root, "timezone", 0, NULL, &tz, err)) < 0 ||
	    (ret = conf_get_string(root, "database", 0, NULL, &db, err)) < 0)
		return ret;
	if (level && conf_log_level_parse(level, &c->log_level) < 0) {
		conf_error_at(err, config_setting_get_member(root, "log_level"),
			      "'log_level' must be one of err, warning, notice, info, debug");
		return -EINVAL;
	}
	/*
	 * A zone name must name a compiled tzdata file (it starts "TZif"); glibc silently
	 * falls back to UTC for anything else, such as zone.tab.
	 */
	snprintf(zonefile, sizeof(zonefile), "/usr/share/zoneinfo/%s", tz);
	if (strstr(tz, "..") || tz[0] == '/' || stat(zonefile, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !is_tzif(zonefile)) {
		conf_error_at(err, config_setting_get_member(root, "timezone"),
			      "unknown time zone '%s' (no %s)", tz, zonefile);
		return -EINVAL;
	}
	c->timezone = xstrdup(tz);
	if (!db) {
		diag_set(err, c->path, 0, "missing 'database', the path of the SQLite file");
		return -EINVAL;
	}
	c->database = fv_abspath(db);
	if ((ret = load_control(root, c, err)) < 0 || (ret = load_access(root, c, err)) < 0)
		return ret;
	testing = config_setting_get_member(root, "testing");
	if (testing) {
		if (!config_setting_is_group(testing)) {
			conf_error_at(err, testing, "'testing' must be a group { ... }");
			return -EINVAL;
		}
		if ((ret = conf_check_keys(testing, testing_keys, NULL, err)) < 0 ||
		    (ret = conf_get_bool(testing, "clock_control", &c->clock_control, err)) < 0)
			return ret;
	}
	if ((ret = rules_load(root, &c->rules, err)) < 0 ||
	    (ret = conf_channels_load(root, c, err)) < 0 ||
	    (ret = conf_reminders_load(root, c, err)) < 0 ||
	    (ret = conf_metrics_load(root, c, err)) < 0 ||
	    (ret = conf_retention_load(root, c, err)) < 0)
		return ret;
	fingerprint(root, c);
	return 0;
}

/* The whole file at path, owned, *len bytes (no NUL added), or NULL when it cannot be opened. */
static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct strbuf b = { 0 };
	char chunk[65536];
	size_t got;

	*len = 0;
	if (!f)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&b, chunk, got);
	fclose(f);
	*len = b.len;
	return strbuf_take(&b);
}

/*
 * Whether the line at p (the text ends at end) is "@include "NAME"", with blanks before
 * and between: then *name is NAME's first byte and *n its length.
 */
static bool
include_at(const char *p, const char *end, const char **name, size_t *n)
{
	const char *q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 10 || memcmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
		return false;
	for (p += 8; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p == end || *p != '"')
		return false;
	q = memchr(p + 1, '"', (size_t)(end - p - 1));
	if (!q)
		return false;
	*name = p + 1;
	*n = (size_t)(q - p - 1);
	return true;
}

static int check_includes(const char *path, const char *dir, int depth, struct diag *err);

/* The include of NAME (n bytes) at line lineno of path: refused, or followed. */
static int
check_include(const char *path, int lineno, const char *name, size_t n, const char *dir, int depth,
	      struct diag *err)
{
	char *full = name[0] == '/' ? xstrndup(name, n) : xasprintf("%s/%.*s", dir, (int)n, name);
	struct stat st;
	bool bad = false;
	int ret;

	for (size_t k = 0; k < n; k++)
		bad |= (unsigned char)name[k] < 0x20 || name[k] == '\\';
	if (bad) {
		diag_set(err, path, lineno,
			 "@include: a file name with a control character or '\\' is not supported");
		ret = -EINVAL;
	} else if (stat(full, &st) == 0 && !S_ISREG(st.st_mode)) {
		diag_set(err, path, lineno, "@include \"%s\": not a regular file", full);
		ret = -EINVAL;
	} else {
		ret = check_includes(full, dir, depth + 1, err);
	}
	free(full);
	return ret;
}

/*
 * libconfig 1.5 ends the process (a flex fatal error, exit(2)) when the file or an
 * @include names something it can open but not read as text, such as a directory (an
 * empty name is the include directory itself), and a FIFO or device would block or never
 * end: so check path and, to libconfig's depth of 10, every "@include "NAME"" at the
 * start of a line first. NAME runs to the next '"', across lines, as in libconfig's
 * scanner. Refused: a target that exists and is not a regular file, and a NAME with a
 * control character or '\\' (an escape). A missing file is libconfig's to report.
 * 0 or -EINVAL with err filled.
 */
static int
check_includes(const char *path, const char *dir, int depth, struct diag *err)
{
	const char *name;
	size_t len, n;
	struct stat st;
	int lineno = 1, ret = 0;
	char *text;

	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode)) {
		diag_set(err, path, 0, "not a regular file");
		return -EINVAL;
	}
	text = depth < 10 ? read_all(path, &len) : NULL;
	if (!text)
		return 0;
	for (size_t i = 0; i < len && ret == 0; i++) {
		if (i > 0 && text[i - 1] != '\n')
			continue;
		lineno += i > 0;
		if (include_at(text + i, text + len, &name, &n))
			ret = check_include(path, lineno, name, n, dir, depth, err);
	}
	free(text);
	return ret;
}

/*
 * Parses the file at abs into cfg (initialised by the caller): opened first (libconfig
 * reports a missing file without a reason), @include relative to the file's directory
 * (not the working directory), the includes checked before libconfig follows them.
 * 0 or a negative errno.
 */
static int
read_file(config_t *cfg, const char *abs, struct diag *err)
{
	char *dir_copy = xstrdup(abs);
	const char *dir = dirname(dir_copy);
	FILE *f;
	int ret = 0;

	f = fopen(abs, "r");
	if (!f) {
		ret = -errno;
		diag_set(err, abs, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	fclose(f);
	config_set_include_dir(cfg, dir);
	ret = check_includes(abs, dir, 0, err);
	if (ret < 0)
		goto out;
	if (config_read_file(cfg, abs) != CONFIG_TRUE) {
		diag_set(err, config_error_file(cfg) ? config_error_file(cfg) : abs,
			 config_error_line(cfg), "%s", config_error_text(cfg));
		ret = -EINVAL;
	}
out:
	free(dir_copy);
	return ret;
}

int
conf_load(const char *path, struct conf **out, struct diag *err)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	config_t cfg;
	int ret;

	config_init(&cfg);
	c->path = fv_abspath(path);
	c->log_level = LOG_INFO;
	c->socket_mode = 0660;
	c->max_connections = 64;
	c->max_connections_per_uid = 32;
	c->max_message = 1 << 20;
	c->rate_per_second = 500;
	c->rate_burst = 1000;

	ret = read_file(&cfg, c->path, err);
	if (ret < 0)
		goto out;
	ret = load_root(config_root_setting(&cfg), c, err);
out:
	config_destroy(&cfg);
	if (ret < 0) {
		conf_free(c);
		c = NULL;
	}
	*out = c;
	return ret;
}

int
conf_load_rules(const char *path, struct rules **rules, struct diag *err)
{
	char *abs = fv_abspath(path);
	config_t cfg;
	int ret;

	*rules = NULL;
	config_init(&cfg);
	ret = read_file(&cfg, abs, err);
	if (ret == 0)
		ret = rules_load(config_root_setting(&cfg), rules, err);
	config_destroy(&cfg);
	free(abs);
	return ret;
}

int
conf_peek(const char *path, char **socket, char **timezone, struct diag *err)
{
	char *abs = fv_abspath(path);
	const char *sock = NULL, *tz = NULL;
	config_t cfg;
	int ret;

	*socket = *timezone = NULL;
	config_init(&cfg);
	ret = read_file(&cfg, abs, err);
	if (ret < 0)
		goto out;
	if (config_lookup_string(&cfg, "control.socket", &sock) != CONFIG_TRUE || !*sock) {
		diag_set(err, abs, 0, "no control.socket");
		ret = -ENOENT;
		goto out;
	}
	*socket = fv_abspath(sock);
	if (config_lookup_string(&cfg, "timezone", &tz) == CONFIG_TRUE)
		*timezone = xstrdup(tz);
out:
	config_destroy(&cfg);
	free(abs);
	return ret;
}

char *
conf_peek_string(const char *path, const char *setting)
{
	struct diag err;
	char *abs = fv_abspath(path), *out = NULL;
	const char *s = NULL;
	config_t cfg;

	config_init(&cfg);
	if (read_file(&cfg, abs, &err) == 0 &&
	    config_lookup_string(&cfg, setting, &s) == CONFIG_TRUE)
		out = xstrdup(s);
	config_destroy(&cfg);
	free(abs);
	return out;
}

void
conf_free(struct conf *c)
{
	if (!c)
		return;
	conf_reminders_free(&c->reminders);
	conf_channels_free(c);
	free(c->metrics.listen);
	rules_free(c->rules);
	free(c->access);
	free(c->socket);
	free(c->database);
	free(c->timezone);
	free(c->path);
	free(c);
}

enum role
conf_role_for(const struct conf *c, uint32_t self_uid, uint32_t uid, const uint32_t *groups,
	      size_t n_groups)
{
	enum role role = ROLE_NONE;

	if (uid == 0 || uid == self_uid)
		return ROLE_ADMIN;
	for (size_t i = 0; i < c->n_access; i++) {
		const struct conf_access *a = &c->access[i];
		bool match = false;

		if (!a->is_group) {
			match = a->id == uid;
		} else {
			for (size_t k = 0; k < n_groups && !match; k++)
				match = groups[k] == a->id;
		}
		if (match && a->role > role)
			role = a->role;
	}
	return role;
}
