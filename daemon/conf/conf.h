/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf: the configuration file (libconfig) turned into one immutable struct conf.
 *
 * conf_load() parses into a fresh config_t, validates every key, copies what it keeps and
 * destroys the config_t, so a struct conf owns all its strings. A reload builds a complete
 * new struct conf and swaps it in only when it is valid (reload is atomic).
 */
#ifndef FV_CONF_H
#define FV_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cal.h"
#include "core/diag.h"
#include "core/role.h"

struct rules;

/*
 * Decodes the standard base64 text s (the alphabet with '+' and '/', '=' padding optional
 * but complete when written, no whitespace, nothing after it), as webhook secrets carry
 * their key after "whsec_", into out (cap bytes; NULL only counts). Returns the number of
 * bytes, or -1 when s is not such base64 or does not fit (conf/channels.c, with OpenSSL).
 */
long conf_base64_decode(const char *s, unsigned char *out, size_t cap);

struct conf_access {
	bool is_group; /* gid rule, else uid rule */
	uint32_t id;
	enum role role;
};

/*
 * The channel types, one X(TYPE, name, mail) each: the one list that names them all. The
 * configuration reads a channel of type "name" with load_<name>() in conf/channels.c, and
 * delivery sends through the row channel_<name> in delivery/<name>.c. mail: the type sends
 * to people's e-mail addresses, so reminders on it need the addresses' patterns and notices
 * the administrators' address. A new type is its line here (with the settings it needs in
 * struct conf_channel), its load_<name>(), and its delivery file.
 */
#define CONF_CHANNEL_TYPES(X)                                                                      \
	X(LOG, log, false)	   /* the rendered message to the daemon's log */                  \
	X(WEBHOOK, webhook, false) /* HTTPS POST of a signed JSON body (Standard Webhooks) */      \
	X(SMTP, smtp, true)	   /* e-mail through the municipality's relay */

/* A notification channel (group "channels"); parsed by conf/channels.c. */
enum conf_channel_type {
#define CONF_CHANNEL_ENUM(TYPE, name, mail) CONF_CHANNEL_##TYPE,
	CONF_CHANNEL_TYPES(CONF_CHANNEL_ENUM)
#undef CONF_CHANNEL_ENUM
		CONF_CHANNEL_TYPE_COUNT
};

enum conf_smtp_tls {
	CONF_SMTP_STARTTLS, /* smtp:// with STARTTLS required (the default) */
	CONF_SMTP_IMPLICIT, /* smtps:// */
	CONF_SMTP_NONE,	    /* plain SMTP: only for a relay on the loopback interface */
};

struct conf_channel {
	char *name;
	enum conf_channel_type type;
	char *url;	       /* webhook: https://...; smtp: smtp://host:port or smtps:// */
	char *secret;	       /* webhook: "whsec_..." signing secret (from a file/credential) */
	char *secret_previous; /* webhook: the previous secret during rotation, or NULL */
	char *from;	       /* smtp: envelope and header sender */
	char *username;	       /* smtp: optional login */
	char *password;	       /* smtp: from a file or credential, or NULL */
	enum conf_smtp_tls tls;
	char *ca_file;	      /* optional CA bundle (a private CA); NULL: the system's */
	uint32_t concurrency; /* transfers in flight at once on this channel */
	uint32_t connect_timeout_ms;
	uint32_t timeout_ms;
};

/* The name of a channel type in the configuration and in listings ("webhook"). */
const char *conf_channel_type_name(enum conf_channel_type type);
/* Whether a channel of type sends e-mail to people's addresses (CONF_CHANNEL_TYPES). */
bool conf_channel_type_mails(enum conf_channel_type type);
/* Copies src into dst, every string duplicated (dst owns them; conf_channel_clear). */
void conf_channel_copy(struct conf_channel *dst, const struct conf_channel *src);
/* Frees what ch owns, secrets wiped first, and zeroes it. */
void conf_channel_clear(struct conf_channel *ch);

/* Who a reminder goes to (a bit set). */
enum conf_recipient {
	CONF_RCPT_HANDLER = 1,
	CONF_RCPT_UNIT = 2,
	CONF_RCPT_SUPERVISOR = 4,
	CONF_RCPT_APPLICANT = 8, /* complaint deadlines only, and only with consent */
};

/* One stage of a reminder policy, relative to a deadline's due date. */
struct conf_stage {
	char *name;		   /* "before-7", "due", "overdue", "escalation", ... */
	int32_t offset_days;	   /* < 0 before the due date, 0 on it, > 0 after it */
	bool working_days;	   /* count the offset in working days (legal calendar) */
	bool wait_for_working_day; /* a closed day moves the reminder to the next working day */
	uint32_t repeat_days;	   /* after the due date: again every N days while still open */
	/*
	 * A stage counted in hours from the moment the deadline started (processing: the
	 * instant the application was received), sent at that hour rather than at send_time:
	 * for norms that cannot wait for the next morning (nødhjelp). hours 0 is at once.
	 */
	bool by_hours;
	uint32_t hours;
	uint32_t repeat_hours; /* again every N hours while the deadline is open (0: once) */
	unsigned recipients;   /* enum conf_recipient bits */
};

struct conf_policy {
	int kind;	/* enum rules_kind */
	char *service;	/* NULL: every service without a policy of its own */
	bool emergency; /* for applications flagged as nødhjelp (emergency) */
	struct conf_stage *stages;
	size_t n_stages;
};

struct tmpl_set;

struct conf_reminders {
	char *channel;	      /* the channel reminders go out on */
	char *admin_channel;  /* notices to the administrators (dead reminders, disabled ends) */
	uint32_t send_minute; /* local time of day reminders are sent, minutes after 00:00 */
	char *language;	      /* "nb" or "en" */
	char *templates;      /* absolute directory of the templates */
	/* Retries: first after retry_first_s, then factor times longer (with jitter), at most
	 * retry_max_interval_s apart; dead once retry_give_up_s after the first attempt. */
	uint32_t retry_first_s;
	uint32_t retry_max_interval_s;
	uint32_t retry_give_up_s;
	uint32_t retry_factor_pct; /* e.g. 200 for doubling */
	struct conf_policy *policies;
	size_t n_policies;
	/* Addresses, with {handler} / {unit} replaced. */
	char *handler_address;
	char *unit_address;
	char *supervisor_address;
	char *admin_address;	    /* plain: where notices go on an smtp admin_channel */
	bool address_transliterate; /* æ ae, ø o, å aa in {handler} and {unit} */
	/* A daily digest replaces single reminders to these recipients (bits; 0: none). */
	unsigned digest_recipients;
	uint32_t digest_days;  /* what falls due within this many days is in the digest */
	struct tmpl_set *tmpl; /* the loaded, validated templates */
};

/* The HTTP listener of the metrics (group "metrics"; conf/metrics.c). */
struct conf_metrics {
	char *listen; /* "ADDRESS:PORT" as written; NULL: no listener (the default) */
	int family;   /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	uint16_t port;
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
	struct conf_channel *channels;
	size_t n_channels;
	struct conf_reminders reminders;
	struct conf_metrics metrics;
	/* Retention (group "retention", conf/retention.c): cases closed or withdrawn longer
	 * ago than retention_closed_after are purged; nothing is purged without it. */
	bool has_retention;
	struct cal_period retention_closed_after;
	/* A hash of everything deadlines and reminders are computed from (calendars, regimes,
	 * services, reminders): equal fingerprints mean stored deadlines need no recompute. */
	char rules_fingerprint[17];
};

/*
 * The template names a reminder stage looks for, in order: KIND.STAGE, KIND.BASE (the stage
 * name up to a '-'), KIND, default. Returns how many were written.
 */
size_t conf_stage_templates(int kind, const char *stage, char names[4][64]);

/* The channel called name, or NULL. */
const struct conf_channel *conf_channel_find(const struct conf *conf, const char *name);

/*
 * Whether s is a plain addr-spec: local@domain in ASCII, a dot-atom local part and a host
 * name domain (no display name, no quoted local part).
 */
bool conf_address_valid(const char *s);

/*
 * The address pattern (borrowed) with {handler} and {unit} replaced by the ids (borrowed,
 * may be NULL): spaces become dots, and with r->address_transliterate æ, ø and å (and
 * capitals) become ae, o and aa (Ae, O, Aa). Returns it owned, or NULL when the pattern
 * names an id that is NULL. The result may still be no valid address (conf_address_valid).
 */
char *conf_address_expand(const struct conf_reminders *r, const char *pattern, const char *handler,
			  const char *unit);

/*
 * Whether the ids of a case (borrowed, may be NULL) give valid addresses with every pattern
 * of r that uses them. 0, or -EINVAL with *param the id at fault ("handler" or "unit") and
 * msg (len bytes) saying why, with the pattern and the address it gave.
 */
int conf_address_check(const struct conf_reminders *r, const char *handler, const char *unit,
		       const char **param, char *msg, size_t len);

void conf_channels_free(struct conf *conf);

/*
 * The period of retention.closed_after, s such as "12m" (d days, w weeks, m months, y
 * years; at least three months): 0, or -EINVAL (no period) or -ERANGE (too short) with *why
 * the end of a sentence that starts with the value (static text).
 */
int conf_retention_period_parse(const char *s, struct cal_period *out, const char **why);

/*
 * Loads and validates the file at path (borrowed). On success *out is a new struct conf,
 * owned by the caller (conf_free). On failure returns a negative errno and fills err.
 */
int conf_load(const char *path, struct conf **out, struct diag *err);
void conf_free(struct conf *conf);

/*
 * Reads only what a client needs from the file at path — the control socket (made absolute)
 * and the time zone — without validating the rest or reading any secret. Returns 0 with
 * *socket and *timezone owned (timezone may be NULL: not set), or a negative errno with err
 * filled.
 */
int conf_peek(const char *path, char **socket, char **timezone, struct diag *err);

/*
 * The string setting at a libconfig path ("reminders.language") of the file at path,
 * owned, or NULL when the file cannot be read or has no such string. Validates nothing and
 * reads no secret: for a client's defaults.
 */
char *conf_peek_string(const char *path, const char *setting);

/*
 * Reads only the deadline rules of the file at path (calendars, regimes, services,
 * citations), for the calculator: nothing else is validated and no secret is read, so a
 * user who may read the configuration but not the daemon's secrets can use it. Returns 0
 * with *rules owned (rules_free), or a negative errno with err filled (file:line).
 */
int conf_load_rules(const char *path, struct rules **rules, struct diag *err);

/*
 * The role of a peer from its uid and groups (borrowed, n_groups of them). The account the
 * daemon runs as (self_uid) and root are always admin.
 */
enum role conf_role_for(const struct conf *conf, uint32_t self_uid, uint32_t uid,
			const uint32_t *groups, size_t n_groups);

/* Parses a log level name ("debug", "info", "notice", "warning", "err"): 0 or -EINVAL. */
int conf_log_level_parse(const char *s, int *level);

#endif
