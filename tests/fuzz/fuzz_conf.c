// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_conf: the configuration loader, libconfig text to a validated struct conf
 * (conf_load, with the rules, channels, reminder policies and templates it pulls in).
 *
 * The input is the text of fristvakt.conf, written to a private directory in /dev/shm that
 * also holds the shipped rules.conf (for `@include "rules.conf"`) and a link to the shipped
 * templates. Properties:
 * - a configuration that validates loads the same way twice (every key field compared);
 * - what it holds is within the documented ranges: absolute paths, a send time within the
 *   day, limits above zero, channel names unique, webhooks with a URL and a secret,
 *   reminder channels that exist, every policy stage named and looking for templates;
 * - a refusal says why (a non-empty "file:line: message").
 * Inputs that name /dev, /proc or /sys are skipped: an @include or a secret file there can
 * block (a FIFO, a terminal), which is the administrator's choice, not a parser's fault.
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "fuzz.h"
#include "core/rules.h"

static char conf_path[512];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[512];
	FILE *in;
	char *buf;
	long n;

	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Oslo", 1);
	tzset();
	snprintf(conf_path, sizeof(conf_path), "%s/fristvakt.conf", fuzz_tmpdir());
	snprintf(path, sizeof(path), "%s/templates", fuzz_tmpdir());
	if (symlink(FV_SOURCE_DIR "/etc/templates", path) < 0 && errno != EEXIST)
		abort();
	in = fopen(FV_SOURCE_DIR "/etc/rules.conf", "r");
	if (!in || fseek(in, 0, SEEK_END) < 0 || (n = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) < 0)
		abort();
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, in) != (size_t)n)
		abort();
	fclose(in);
	snprintf(path, sizeof(path), "%s/rules.conf", fuzz_tmpdir());
	if (fuzz_write_file(path, buf, (size_t)n) < 0)
		abort();
	free(buf);
	return 0;
}

static bool
same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
check_sane(const struct conf *c)
{
	const struct conf_reminders *r = &c->reminders;

	FUZZ_CHECK(c->path && c->path[0] == '/', "path");
	FUZZ_CHECK(c->database && c->database[0] == '/', "database '%s'", c->database);
	FUZZ_CHECK(c->socket && c->socket[0] == '/', "socket");
	FUZZ_CHECK(c->timezone && c->timezone[0], "timezone");
	FUZZ_CHECK(c->max_connections > 0 && c->max_connections_per_uid > 0, "connections");
	FUZZ_CHECK(c->max_message > 0 && c->rate_per_second > 0, "limits");
	FUZZ_CHECK(c->rules, "no rules");
	FUZZ_CHECK(r->send_minute < 24 * 60, "send_minute %u", r->send_minute);
	for (size_t i = 0; i < c->n_channels; i++) {
		FUZZ_CHECK(c->channels[i].name && c->channels[i].name[0], "channel name");
		FUZZ_CHECK(c->channels[i].concurrency > 0, "channel concurrency");
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(c->channels[i].name, c->channels[j].name) != 0,
				   "channel '%s' twice", c->channels[i].name);
		if (c->channels[i].type == CONF_CHANNEL_WEBHOOK)
			FUZZ_CHECK(c->channels[i].url && c->channels[i].secret,
				   "webhook without url or secret");
	}
	if (r->channel && strcmp(r->channel, "log") != 0)
		FUZZ_CHECK(conf_channel_find(c, r->channel), "reminder channel '%s' missing",
			   r->channel);
	if (r->admin_channel && strcmp(r->admin_channel, "log") != 0)
		FUZZ_CHECK(conf_channel_find(c, r->admin_channel), "admin channel '%s' missing",
			   r->admin_channel);
	for (size_t i = 0; i < r->n_policies; i++) {
		for (size_t j = 0; j < r->policies[i].n_stages; j++) {
			const struct conf_stage *st = &r->policies[i].stages[j];
			char names[4][64];

			FUZZ_CHECK(st->name && st->name[0], "stage name");
			FUZZ_CHECK(conf_stage_templates(r->policies[i].kind, st->name, names) > 0,
				   "stage '%s' looks for no template", st->name);
		}
	}
	for (size_t i = 0; i < c->n_access; i++)
		FUZZ_CHECK(c->access[i].role > ROLE_NONE && c->access[i].role <= ROLE_ADMIN,
			   "access role");
}

static void
check_same(const struct conf *a, const struct conf *b)
{
	const struct conf_reminders *ra = &a->reminders, *rb = &b->reminders;

	FUZZ_CHECK(same_str(a->path, b->path) && same_str(a->timezone, b->timezone) &&
			   same_str(a->database, b->database) && same_str(a->socket, b->socket),
		   "paths differ");
	FUZZ_CHECK(a->log_level == b->log_level && a->socket_mode == b->socket_mode &&
			   a->has_socket_group == b->has_socket_group &&
			   a->socket_gid == b->socket_gid &&
			   a->max_connections == b->max_connections &&
			   a->max_connections_per_uid == b->max_connections_per_uid &&
			   a->max_message == b->max_message &&
			   a->idle_timeout_ms == b->idle_timeout_ms &&
			   a->rate_per_second == b->rate_per_second &&
			   a->rate_burst == b->rate_burst && a->clock_control == b->clock_control,
		   "control differs");
	FUZZ_CHECK(a->n_access == b->n_access &&
			   (a->n_access == 0 ||
			    memcmp(a->access, b->access, a->n_access * sizeof(*a->access)) == 0),
		   "access differs");
	FUZZ_CHECK(rules_service_count(a->rules) == rules_service_count(b->rules), "services");
	for (size_t i = 0; i < rules_service_count(a->rules); i++)
		FUZZ_CHECK(strcmp(rules_service_id(a->rules, i), rules_service_id(b->rules, i)) ==
				   0,
			   "service %zu differs", i);
	FUZZ_CHECK(a->n_channels == b->n_channels, "channels");
	for (size_t i = 0; i < a->n_channels; i++) {
		const struct conf_channel *x = &a->channels[i], *y = &b->channels[i];

		FUZZ_CHECK(same_str(x->name, y->name) && x->type == y->type &&
				   same_str(x->url, y->url) && same_str(x->secret, y->secret) &&
				   same_str(x->from, y->from) && x->tls == y->tls &&
				   x->concurrency == y->concurrency &&
				   x->timeout_ms == y->timeout_ms,
			   "channel %zu differs", i);
	}
	FUZZ_CHECK(same_str(ra->channel, rb->channel) &&
			   same_str(ra->admin_channel, rb->admin_channel) &&
			   ra->send_minute == rb->send_minute &&
			   same_str(ra->language, rb->language) &&
			   same_str(ra->templates, rb->templates) &&
			   ra->retry_first_s == rb->retry_first_s &&
			   ra->retry_max_interval_s == rb->retry_max_interval_s &&
			   ra->retry_give_up_s == rb->retry_give_up_s &&
			   ra->retry_factor_pct == rb->retry_factor_pct &&
			   ra->digest_recipients == rb->digest_recipients &&
			   ra->digest_days == rb->digest_days && ra->n_policies == rb->n_policies,
		   "reminders differ");
	for (size_t i = 0; i < ra->n_policies; i++) {
		const struct conf_policy *x = &ra->policies[i], *y = &rb->policies[i];

		FUZZ_CHECK(x->kind == y->kind && same_str(x->service, y->service) &&
				   x->n_stages == y->n_stages,
			   "policy %zu differs", i);
		for (size_t j = 0; j < x->n_stages; j++)
			FUZZ_CHECK(same_str(x->stages[j].name, y->stages[j].name) &&
					   x->stages[j].offset_days == y->stages[j].offset_days &&
					   x->stages[j].repeat_days == y->stages[j].repeat_days &&
					   x->stages[j].recipients == y->stages[j].recipients,
				   "stage %zu.%zu differs", i, j);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *a = NULL, *b = NULL;
	struct diag err;
	int ret, ret2;

	if (size > 256 * 1024 || memmem(data, size, "/dev/", 5) ||
	    memmem(data, size, "/proc/", 6) || memmem(data, size, "/sys/", 5))
		return 0;
	if (fuzz_write_file(conf_path, data, size) < 0)
		abort();
	memset(&err, 0, sizeof(err));
	ret = conf_load(conf_path, &a, &err);
	if (ret < 0) {
		FUZZ_CHECK(!a && err.text[0], "refused without a message (%d)", ret);
		return 0;
	}
	FUZZ_CHECK(ret == 0 && a, "conf_load: %d", ret);
	check_sane(a);
	ret2 = conf_load(conf_path, &b, &err);
	FUZZ_CHECK(ret2 == 0 && b, "a valid configuration refused the second time: %s", err.text);
	check_same(a, b);
	conf_free(b);
	conf_free(a);
	return 0;
}
