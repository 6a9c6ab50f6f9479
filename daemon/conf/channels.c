// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * conf_channels: the list "channels = ( { ... }, ... )" of the configuration, turned into
 * struct conf_channel entries (conf.h) that own all their strings, secrets included.
 *
 * Secrets and passwords never sit in the configuration file itself: they are read from a
 * file or from a systemd credential ($CREDENTIALS_DIRECTORY/NAME, LoadCredential= in the
 * unit) while the file is loaded, so a bad or missing secret is a load error with the file
 * and line, not a failed delivery days later. Every key that does not apply to a channel's
 * type is refused rather than ignored. The channel "log" (type log) always exists.
 *
 * No uv or curl here (the CLI links this to check configurations); OpenSSL for base64 only.
 */
#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/kit_impl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/util.h"

/* Largest secret or password file read; real ones are a few dozen bytes. */
#define SECRET_FILE_MAX 4096
/* Decoded Standard Webhooks key sizes accepted. */
#define SECRET_KEY_MIN 16
#define SECRET_KEY_MAX 64

static bool
name_valid(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return false;
	}
	return true;
}

/* A plain addr-spec (conf.h); notify.c checks every To: address again before it sends. */
bool
conf_address_valid(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254 || at[1] == '\0')
		return false;
	for (p = s; p < at; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-/=?^_`{|}~.", *p))
			return false;
		if (*p == '.' && (p == s || p + 1 == at || p[1] == '.'))
			return false;
	}
	for (p = at + 1; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
		if (*p == '.' && (p == at + 1 || p[1] == '\0' || p[1] == '.'))
			return false;
	}
	return true;
}

struct url_parts {
	char scheme[8];
	char host[256]; /* as written, IPv6 literals with their brackets */
	bool has_path;
};

/* The port after a host's ':' (digits up to end): 1 to 65535, or false. */
static bool
port_valid(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	char digits[8];
	int64_t port;

	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, p, n);
	digits[n] = '\0';
	return fv_parse_i64(digits, 1, 65535, &port) == 0 && isdigit((unsigned char)digits[0]);
}

/*
 * The length of the host at host (the authority ends at end): an IPv6 literal with its
 * brackets, or up to a ':', '/', '?' or '#'. -EINVAL with why for a malformed literal.
 */
static long
host_len(const char *host, const char *end, const char **why)
{
	const char *close;

	if (*host != '[')
		return (long)strcspn(host, ":/?#");
	close = memchr(host, ']', (size_t)(end - host));
	if (!close || close == host + 1) {
		*why = "has a malformed IPv6 address";
		return -EINVAL;
	}
	return (long)(close - host) + 1;
}

/* The host and port of a URL, from host to end (the end of the authority), into u. */
static int
url_host(const char *host, const char *end, struct url_parts *u, const char **why)
{
	long n = host_len(host, end, why);

	if (n < 0)
		return -EINVAL;
	if (n == 0 || (size_t)n >= sizeof(u->host)) {
		*why = "has no host";
		return -EINVAL;
	}
	memcpy(u->host, host, (size_t)n);
	if (host[n] == ':' ? !port_valid(host + n + 1, end) : host + n != end) {
		*why = host[n] == ':' ? "has a bad port" : "has a malformed host";
		return -EINVAL;
	}
	return 0;
}

/* Whether url holds printable ASCII only (no space, no control character). */
static bool
url_printable(const char *url)
{
	for (const char *c = url; *c; c++) {
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return false;
	}
	return true;
}

/*
 * Splits scheme://host[:port][/path]: 0, or -EINVAL with why (a static string). No user
 * information (it would hide which host is meant), no spaces or control characters.
 */
static int
url_split(const char *url, struct url_parts *u, const char **why)
{
	const char *p = strstr(url, "://"), *host, *end;

	memset(u, 0, sizeof(*u));
	if (!url_printable(url)) {
		*why = "contains a space, a control character or a non-ASCII byte";
		return -EINVAL;
	}
	if (!p || p == url || (size_t)(p - url) >= sizeof(u->scheme)) {
		*why = "has no scheme://";
		return -EINVAL;
	}
	for (size_t i = 0; i < (size_t)(p - url); i++)
		u->scheme[i] = (char)tolower((unsigned char)url[i]);
	host = p + 3;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host))) {
		*why = "holds user information (user@host), which is not supported";
		return -EINVAL;
	}
	if (url_host(host, end, u, why) < 0)
		return -EINVAL;
	u->has_path = *end != '\0' && strcmp(end, "/") != 0;
	return 0;
}

static bool
host_is_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	       strcasecmp(host, "localhost") == 0;
}

/* ---- Secrets ---- */

/*
 * Reads a small secret file into *out (owned), trailing whitespace trimmed: 0, or a negative
 * errno with err filled at setting s.
 */
static int
read_secret(const config_setting_t *s, const char *what, const char *path, char **out,
	    struct diag *err)
{
	char *buf = xmalloc(SECRET_FILE_MAX + 1);
	size_t len;
	FILE *f;
	int ret = 0;

	errno = 0;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		conf_error_at(err, s, "cannot read %s '%s': %s", what, path, strerror(errno));
		goto out;
	}
	len = fread(buf, 1, SECRET_FILE_MAX + 1, f);
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		conf_error_at(err, s, "cannot read %s '%s': %s", what, path, strerror(-ret));
		goto out;
	}
	if (len > SECRET_FILE_MAX) {
		ret = -EFBIG;
		conf_error_at(err, s, "%s '%s' is larger than %d bytes", what, path,
			      SECRET_FILE_MAX);
		goto out;
	}
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	if (len == 0 || memchr(buf, '\0', len) || strpbrk(buf, "\r\n")) {
		ret = -EINVAL;
		conf_error_at(err, s, "%s '%s' must hold one line of text", what, path);
		goto out;
	}
	*out = xstrndup(buf, len);
out:
	if (f)
		fclose(f);
	explicit_bzero(buf, SECRET_FILE_MAX + 1);
	free(buf);
	return ret;
}

/*
 * OpenSSL's EVP_DecodeBlock is more lenient than the base64 accepted here (it skips blanks
 * at either end and reads a '=' anywhere as zero bits) and takes whole groups of four only,
 * so the text is checked first, then decoded a group at a time with the last one padded,
 * and only the bytes the characters stand for are kept. Counting needs no decoding.
 */
long
conf_base64_decode(const char *s, unsigned char *out, size_t cap)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789+/";
	size_t len = strlen(s), pad = 0, o = 0;

	while (len > 0 && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (len == 0 || len % 4 == 1 || (pad && (len + pad) % 4 != 0) ||
	    strspn(s, alphabet) < len || (out && len * 6 / 8 > cap))
		return -1;
	/* A group of four characters at a time, the last one padded: nothing allocated. */
	for (size_t i = 0; out && i < len; i += 4) {
		size_t k = len - i < 4 ? len - i : 4;
		unsigned char group[4], bytes[3];

		memcpy(group, s + i, k);
		memset(group + k, '=', 4 - k);
		if (EVP_DecodeBlock(bytes, group, 4) != 3)
			return -1;
		memcpy(out + o, bytes, k * 6 / 8);
		explicit_bzero(group, sizeof(group));
		explicit_bzero(bytes, sizeof(bytes));
		o += k * 6 / 8;
	}
	return (long)(len * 6 / 8);
}

/* Checks a Standard Webhooks secret ("whsec_" and base64 of 16..64 bytes) read from path. */
static int
check_whsec(const config_setting_t *s, const char *path, const char *secret, struct diag *err)
{
	long n;

	if (strncmp(secret, "whsec_", 6) != 0) {
		conf_error_at(err, s, "the secret in '%s' must start with \"whsec_\"", path);
		return -EINVAL;
	}
	n = conf_base64_decode(secret + 6, NULL, 0);
	if (n < 0) {
		conf_error_at(err, s, "the secret in '%s' is not base64 after \"whsec_\"", path);
		return -EINVAL;
	}
	if (n < SECRET_KEY_MIN || n > SECRET_KEY_MAX) {
		conf_error_at(err, s,
			      "the secret in '%s' decodes to %ld bytes; it must be %d to %d bytes",
			      path, n, SECRET_KEY_MIN, SECRET_KEY_MAX);
		return -EINVAL;
	}
	return 0;
}

/*
 * The secret named by KEY_file or KEY_credential in group g (at most one of them), checked
 * as a Standard Webhooks secret when whsec. Absent leaves *out NULL. what names it in errors.
 */
static int
load_secret(const config_setting_t *g, const char *key, const char *what, bool whsec, char **out,
	    struct diag *err)
{
	char file_key[48], cred_key[48], *path = NULL;
	const char *file = NULL, *cred = NULL, *dir;
	const config_setting_t *s;
	int ret;

	snprintf(file_key, sizeof(file_key), "%s_file", key);
	snprintf(cred_key, sizeof(cred_key), "%s_credential", key);
	if ((ret = conf_get_string(g, file_key, 0, NULL, &file, err)) < 0 ||
	    (ret = conf_get_string(g, cred_key, 0, NULL, &cred, err)) < 0)
		return ret;
	if (file && cred) {
		conf_error_at(err, config_setting_get_member(g, cred_key),
			      "set only one of '%s' and '%s'", file_key, cred_key);
		return -EINVAL;
	}
	if (!file && !cred)
		return 0;
	if (file) {
		s = config_setting_get_member(g, file_key);
		path = xstrdup(file);
	} else {
		s = config_setting_get_member(g, cred_key);
		if (strchr(cred, '/') || strcmp(cred, ".") == 0 || strcmp(cred, "..") == 0) {
			conf_error_at(err, s, "'%s' must be a credential name, not a path",
				      cred_key);
			return -EINVAL;
		}
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir) {
			conf_error_at(err, s,
				      "'%s' = \"%s\" needs $CREDENTIALS_DIRECTORY (LoadCredential= "
				      "in the service unit), which is not set",
				      cred_key, cred);
			return -ENOENT;
		}
		path = xasprintf("%s/%s", dir, cred);
	}
	ret = read_secret(s, what, path, out, err);
	if (ret == 0 && whsec) {
		ret = check_whsec(s, path, *out, err);
		if (ret < 0) {
			explicit_bzero(*out, strlen(*out));
			free(*out);
			*out = NULL;
		}
	}
	free(path);
	return ret;
}

/* ---- One channel ---- */

void
conf_channel_clear(struct conf_channel *ch)
{
	free(ch->name);
	free(ch->url);
	if (ch->secret)
		explicit_bzero(ch->secret, strlen(ch->secret));
	free(ch->secret);
	if (ch->secret_previous)
		explicit_bzero(ch->secret_previous, strlen(ch->secret_previous));
	free(ch->secret_previous);
	free(ch->from);
	free(ch->username);
	if (ch->password)
		explicit_bzero(ch->password, strlen(ch->password));
	free(ch->password);
	free(ch->ca_file);
	memset(ch, 0, sizeof(*ch));
}

void
conf_channel_copy(struct conf_channel *dst, const struct conf_channel *src)
{
#define DUP(f) (src->f ? xstrdup(src->f) : NULL)
	*dst = *src;
	dst->name = DUP(name);
	dst->url = DUP(url);
	dst->secret = DUP(secret);
	dst->secret_previous = DUP(secret_previous);
	dst->from = DUP(from);
	dst->username = DUP(username);
	dst->password = DUP(password);
	dst->ca_file = DUP(ca_file);
#undef DUP
}

static void
channel_defaults(struct conf_channel *ch)
{
	ch->tls = CONF_SMTP_STARTTLS;
	ch->concurrency = 4;
	ch->connect_timeout_ms = 10 * 1000;
	ch->timeout_ms = 30 * 1000;
}

/* Refuses each key of keys present in g: it does not apply to a channel of this type. */
static int
refuse_keys(const config_setting_t *g, const char *const *keys, const char *type, struct diag *err)
{
	for (const char *const *k = keys; *k; k++) {
		const config_setting_t *s = config_setting_get_member(g, *k);

		if (s) {
			conf_error_at(err, s, "'%s' does not apply to a channel of type \"%s\"", *k,
				      type);
			return -EINVAL;
		}
	}
	return 0;
}

static int
load_webhook(const config_setting_t *g, struct conf_channel *ch, struct diag *err)
{
	static const char *const not_here[] = { "from",		 "username",
						"password_file", "password_credential",
						"tls",		 NULL };
	const config_setting_t *us = config_setting_get_member(g, "url");
	struct url_parts u;
	const char *why;
	int ret;

	if ((ret = refuse_keys(g, not_here, "webhook", err)) < 0)
		return ret;
	if (!ch->url) {
		conf_error_at(err, g, "webhook channel '%s' needs 'url'", ch->name);
		return -EINVAL;
	}
	if (url_split(ch->url, &u, &why) < 0) {
		conf_error_at(err, us, "'url' \"%s\" %s", ch->url, why);
		return -EINVAL;
	}
	if (strcmp(u.scheme, "https") != 0 &&
	    !(strcmp(u.scheme, "http") == 0 && host_is_loopback(u.host))) {
		conf_error_at(err, us,
			      "'url' must start with https:// (http:// only for 127.0.0.1, "
			      "[::1] or localhost)");
		return -EINVAL;
	}
	if ((ret = load_secret(g, "secret", "secret file", true, &ch->secret, err)) < 0 ||
	    (ret = load_secret(g, "previous_secret", "previous secret file", true,
			       &ch->secret_previous, err)) < 0)
		return ret;
	if (!ch->secret) {
		conf_error_at(err, g,
			      "webhook channel '%s' needs 'secret_file' or "
			      "'secret_credential'",
			      ch->name);
		return -EINVAL;
	}
	return 0;
}

/* 'tls' (NULL: the url's scheme decides) into ch->tls, checked against the url. */
static int
smtp_tls(const config_setting_t *g, const struct url_parts *u, const char *tls,
	 struct conf_channel *ch, struct diag *err)
{
	const config_setting_t *us = config_setting_get_member(g, "url");
	const config_setting_t *ts = config_setting_get_member(g, "tls");
	bool smtps = strcmp(u->scheme, "smtps") == 0;

	if (!tls)
		ch->tls = smtps ? CONF_SMTP_IMPLICIT : CONF_SMTP_STARTTLS;
	else if (strcmp(tls, "starttls") == 0)
		ch->tls = CONF_SMTP_STARTTLS;
	else if (strcmp(tls, "implicit") == 0)
		ch->tls = CONF_SMTP_IMPLICIT;
	else if (strcmp(tls, "none") == 0)
		ch->tls = CONF_SMTP_NONE;
	else {
		conf_error_at(err, ts, "'tls' must be \"starttls\", \"implicit\" or \"none\"");
		return -EINVAL;
	}
	if (ch->tls == CONF_SMTP_IMPLICIT && !smtps) {
		conf_error_at(err, ts ? ts : us, "'tls' = \"implicit\" needs an smtps:// 'url'");
		return -EINVAL;
	}
	if (ch->tls != CONF_SMTP_IMPLICIT && smtps) {
		conf_error_at(err, ts, "an smtps:// 'url' needs 'tls' = \"implicit\"");
		return -EINVAL;
	}
	if (ch->tls == CONF_SMTP_NONE && !host_is_loopback(u->host)) {
		conf_error_at(err, ts,
			      "'tls' = \"none\" is allowed only for a relay on 127.0.0.1, [::1] "
			      "or localhost");
		return -EINVAL;
	}
	return 0;
}

/* 'from' and 'username' (NULL: not set), and the password that goes with the name. */
static int
smtp_login(const config_setting_t *g, const char *from, const char *user, struct conf_channel *ch,
	   struct diag *err)
{
	int ret;

	if (!from) {
		conf_error_at(err, g, "smtp channel '%s' needs 'from'", ch->name);
		return -EINVAL;
	}
	if (!conf_address_valid(from)) {
		conf_error_at(err, config_setting_get_member(g, "from"),
			      "'from' \"%s\" must be a plain address such as "
			      "fristvakt@kommune.no",
			      from);
		return -EINVAL;
	}
	ch->from = xstrdup(from);
	if (user && strpbrk(user, "\r\n")) {
		conf_error_at(err, config_setting_get_member(g, "username"),
			      "'username' must be one line");
		return -EINVAL;
	}
	ch->username = user ? xstrdup(user) : NULL;
	if ((ret = load_secret(g, "password", "password file", false, &ch->password, err)) < 0)
		return ret;
	if (ch->password && !ch->username) {
		conf_error_at(err, g, "smtp channel '%s' has a password but no 'username'",
			      ch->name);
		return -EINVAL;
	}
	return 0;
}

static int
load_smtp(const config_setting_t *g, struct conf_channel *ch, struct diag *err)
{
	static const char *const not_here[] = { "secret_file", "secret_credential",
						"previous_secret_file",
						"previous_secret_credential", NULL };
	const config_setting_t *us = config_setting_get_member(g, "url");
	const char *tls = NULL, *from = NULL, *user = NULL, *why;
	struct url_parts u;
	int ret;

	if ((ret = refuse_keys(g, not_here, "smtp", err)) < 0 ||
	    (ret = conf_get_string(g, "tls", 0, NULL, &tls, err)) < 0 ||
	    (ret = conf_get_string(g, "from", 0, NULL, &from, err)) < 0 ||
	    (ret = conf_get_string(g, "username", 0, NULL, &user, err)) < 0)
		return ret;
	if (!ch->url) {
		conf_error_at(err, g, "smtp channel '%s' needs 'url'", ch->name);
		return -EINVAL;
	}
	if (url_split(ch->url, &u, &why) < 0) {
		conf_error_at(err, us, "'url' \"%s\" %s", ch->url, why);
		return -EINVAL;
	}
	if (strcmp(u.scheme, "smtp") != 0 && strcmp(u.scheme, "smtps") != 0) {
		conf_error_at(err, us, "'url' must be smtp://host[:port] or smtps://host[:port]");
		return -EINVAL;
	}
	if (u.has_path) {
		conf_error_at(err, us,
			      "'url' must be smtp://host[:port] or smtps://host[:port], "
			      "without a path");
		return -EINVAL;
	}
	if ((ret = smtp_tls(g, &u, tls, ch, err)) < 0)
		return ret;
	return smtp_login(g, from, user, ch, err);
}

/* Every key a channel may have. */
static const char *const channel_keys[] = { "name",
					    "type",
					    "url",
					    "secret_file",
					    "secret_credential",
					    "previous_secret_file",
					    "previous_secret_credential",
					    "from",
					    "username",
					    "password_file",
					    "password_credential",
					    "tls",
					    "ca_file",
					    "concurrency",
					    "connect_timeout",
					    "timeout",
					    NULL };

/* The keys that do not apply to a channel of type "log". */
static const char *const not_log[] = { "url",
				       "secret_file",
				       "secret_credential",
				       "previous_secret_file",
				       "previous_secret_credential",
				       "from",
				       "username",
				       "password_file",
				       "password_credential",
				       "tls",
				       "ca_file",
				       NULL };

/* A channel of type "log": nothing to read, and the keys of the others refused. */
static int
load_log(const config_setting_t *g, struct conf_channel *ch, struct diag *err)
{
	(void)ch;
	return refuse_keys(g, not_log, "log", err);
}

/* 'ca_file' must be readable now; kept as an absolute path. */
static int
load_ca_file(const config_setting_t *g, const char *ca, struct conf_channel *ch, struct diag *err)
{
	FILE *f = fopen(ca, "re");
	int ret;

	if (!f) {
		ret = -errno;
		conf_error_at(err, config_setting_get_member(g, "ca_file"),
			      "cannot read 'ca_file' '%s': %s", ca, strerror(-ret));
		return ret;
	}
	fclose(f);
	ch->ca_file = fv_abspath(ca);
	return 0;
}

/* The channel types by enum conf_channel_type: each one's name and reader. */
static const struct {
	const char *name;
	int (*load)(const config_setting_t *g, struct conf_channel *ch, struct diag *err);
	bool mails;
} channel_types[] = {
#define CHANNEL_TYPE_ROW(TYPE, n, mail) [CONF_CHANNEL_##TYPE] = { #n, load_##n, mail },
	CONF_CHANNEL_TYPES(CHANNEL_TYPE_ROW)
#undef CHANNEL_TYPE_ROW
};

const char *
conf_channel_type_name(enum conf_channel_type type)
{
	return (size_t)type < FV_ARRAY_SIZE(channel_types) ? channel_types[type].name : "?";
}

bool
conf_channel_type_mails(enum conf_channel_type type)
{
	return (size_t)type < FV_ARRAY_SIZE(channel_types) && channel_types[type].mails;
}

/* The type called name, or -1. */
static int
channel_type_find(const char *name)
{
	for (size_t t = 0; t < FV_ARRAY_SIZE(channel_types); t++) {
		if (strcmp(channel_types[t].name, name) == 0)
			return (int)t;
	}
	return -1;
}

/* "\"log\", \"webhook\" or \"smtp\"": the types, for a message. */
static void
channel_type_list(char *buf, size_t len)
{
	size_t n = FV_ARRAY_SIZE(channel_types), used = 0;

	buf[0] = '\0';
	for (size_t t = 0; t < n && used < len; t++) {
		const char *sep = t == 0 ? "" : t + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s\"%s\"", sep, channel_types[t].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* The rest of channel g, named ch->name, by its type: url, ca, then the type's own keys. */
static int
load_channel_type(const config_setting_t *g, struct conf_channel *ch, const char *type,
		  const char *url, const char *ca, struct diag *err)
{
	const char *name = ch->name;
	char types[64];
	int t, ret;

	channel_type_list(types, sizeof(types));
	if (!type) {
		conf_error_at(err, g, "channel '%s' needs 'type' (%s)", name, types);
		return -EINVAL;
	}
	t = channel_type_find(type);
	/* A log channel takes none of the settings below. */
	if (t == CONF_CHANNEL_LOG) {
		ch->type = CONF_CHANNEL_LOG;
		return load_log(g, ch, err);
	}
	if (url)
		ch->url = xstrdup(url);
	if (ca && (ret = load_ca_file(g, ca, ch, err)) < 0)
		return ret;
	if (strcmp(name, "log") == 0) {
		conf_error_at(err, config_setting_get_member(g, "type"),
			      "the channel \"log\" is built in and must be of type \"log\"");
		return -EINVAL;
	}
	if (t < 0) {
		conf_error_at(err, config_setting_get_member(g, "type"),
			      "'type' must be %s (is \"%s\")", types, type);
		return -EINVAL;
	}
	ch->type = (enum conf_channel_type)t;
	return channel_types[t].load(g, ch, err);
}

static int
load_channel(const config_setting_t *g, struct conf_channel *ch, struct diag *err)
{
	const char *name = NULL, *type = NULL, *url = NULL, *ca = NULL;
	uint32_t connect_s = 10, timeout_s = 30;
	int ret;

	channel_defaults(ch);
	if ((ret = conf_need_group(g, "'channels' entry", err)) < 0 ||
	    (ret = conf_check_keys(g, channel_keys, NULL, err)) < 0 ||
	    (ret = conf_get_string(g, "name", 0, NULL, &name, err)) < 0 ||
	    (ret = conf_get_string(g, "type", 0, NULL, &type, err)) < 0 ||
	    (ret = conf_get_string(g, "url", 0, NULL, &url, err)) < 0 ||
	    (ret = conf_get_string(g, "ca_file", 0, NULL, &ca, err)) < 0 ||
	    (ret = conf_get_u32(g, "concurrency", 1, 64, 0, &ch->concurrency, err)) < 0 ||
	    (ret = conf_get_u32(g, "connect_timeout", 1, 120, 0, &connect_s, err)) < 0 ||
	    (ret = conf_get_u32(g, "timeout", 1, 300, 0, &timeout_s, err)) < 0)
		return ret;
	if (!name) {
		conf_error_at(err, g, "a channel needs 'name'");
		return -EINVAL;
	}
	if (!name_valid(name)) {
		conf_error_at(err, config_setting_get_member(g, "name"),
			      "channel name \"%s\" must be 1 to 64 of a-z, 0-9, '_' and '-'", name);
		return -EINVAL;
	}
	ch->name = xstrdup(name);
	ch->connect_timeout_ms = connect_s * 1000;
	ch->timeout_ms = timeout_s * 1000;
	return load_channel_type(g, ch, type, url, ca, err);
}

/* ---- The list ---- */

const struct conf_channel *
conf_channel_find(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_channels; i++) {
		if (strcmp(conf->channels[i].name, name) == 0)
			return &conf->channels[i];
	}
	return NULL;
}

void
conf_channels_free(struct conf *conf)
{
	for (size_t i = 0; i < conf->n_channels; i++)
		conf_channel_clear(&conf->channels[i]);
	free(conf->channels);
	conf->channels = NULL;
	conf->n_channels = 0;
}

int
conf_channels_load(const config_setting_t *root, struct conf *conf, struct diag *err)
{
	const config_setting_t *list = NULL;
	int n = 0, ret;

	conf_channels_free(conf);
	if ((ret = conf_get_list(root, "channels", 0, NULL, &list, err)) < 0)
		return ret;
	if (list)
		n = config_setting_length(list);
	ret = 0;
	/* One more for the built-in "log". */
	conf->channels = xcalloc((size_t)n + 1, sizeof(*conf->channels));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct conf_channel *ch = &conf->channels[conf->n_channels];
		const struct conf_channel *dup;

		ret = load_channel(g, ch, err);
		if (ret < 0) {
			conf_channel_clear(ch);
			goto out;
		}
		dup = conf_channel_find(conf, ch->name);
		if (dup) {
			conf_error_at(err, config_setting_get_member(g, "name"),
				      "a channel named '%s' is already defined", ch->name);
			conf_channel_clear(ch);
			ret = -EEXIST;
			goto out;
		}
		conf->n_channels++;
	}
	if (!conf_channel_find(conf, "log")) {
		struct conf_channel *ch = &conf->channels[conf->n_channels++];

		channel_defaults(ch);
		ch->name = xstrdup("log");
		ch->type = CONF_CHANNEL_LOG;
	}
out:
	if (ret < 0)
		conf_channels_free(conf);
	return ret;
}
