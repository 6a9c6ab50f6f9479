// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * conf_address: the e-mail addresses of reminder recipients, made from the patterns of
 * reminders.addresses ({handler}, {unit}), and the check of a case's ids against those
 * patterns (see conf.h). Pure: the daemon checks ids when a case is registered or its
 * registration corrected, and makes addresses when a reminder is sent.
 *
 * An address is plain ASCII (conf_address_valid), while handler and unit ids may be
 * Norwegian words. With addresses.transliterate the usual Norwegian spelling in ASCII is
 * used (æ ae, ø o, å aa; capitals Ae, O, Aa); without it such an id gives no address, and
 * a case with one is refused at registration rather than retried for days at sending.
 */
#include "conf/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"

static const struct {
	const char *from; /* UTF-8 */
	const char *to;
} transliteration[] = {
	{ "\xc3\xa6", "ae" }, /* æ */
	{ "\xc3\xb8", "o" },  /* ø */
	{ "\xc3\xa5", "aa" }, /* å */
	{ "\xc3\x86", "Ae" }, /* Æ */
	{ "\xc3\x98", "O" },  /* Ø */
	{ "\xc3\x85", "Aa" }, /* Å */
};

/* An id as it goes into an address: spaces become dots, æøå their ASCII spelling if asked. */
static void
put_id(struct strbuf *o, const char *id, bool transliterate)
{
	while (*id) {
		size_t k;

		if (*id == ' ') {
			strbuf_add(o, ".", 1);
			id++;
			continue;
		}
		for (k = 0; transliterate && k < FV_ARRAY_SIZE(transliteration); k++) {
			size_t n = strlen(transliteration[k].from);

			if (strncmp(id, transliteration[k].from, n) == 0) {
				strbuf_add(o, transliteration[k].to, strlen(transliteration[k].to));
				id += n;
				break;
			}
		}
		if (!transliterate || k == FV_ARRAY_SIZE(transliteration))
			strbuf_add(o, id++, 1);
	}
}

char *
conf_address_expand(const struct conf_reminders *r, const char *pattern, const char *handler,
		    const char *unit)
{
	struct strbuf o = { 0 };

	for (const char *p = pattern; *p;) {
		const char *v;

		if (strncmp(p, "{handler}", 9) == 0) {
			v = handler;
			p += 9;
		} else if (strncmp(p, "{unit}", 6) == 0) {
			v = unit;
			p += 6;
		} else {
			strbuf_add(&o, p++, 1);
			continue;
		}
		if (!v) {
			strbuf_free(&o);
			return NULL;
		}
		put_id(&o, v, r->address_transliterate);
	}
	return strbuf_take(&o);
}

/* The ids a pattern may hold, as {handler} and {unit}. */
static const char *const id_names[] = { "handler", "unit" };

/*
 * Whether id, as id_names[i] and with the other id standing valid ("x"), gives a valid
 * address with the pattern of addresses.ROLE: 0, or -EINVAL with msg (len bytes) saying why.
 */
static int
check_pattern(const struct conf_reminders *r, size_t i, const char *id, const char *role,
	      const char *pattern, char *msg, size_t len)
{
	char *addr = conf_address_expand(r, pattern, i == 0 ? id : "x", i == 1 ? id : "x");
	bool ok = addr && conf_address_valid(addr);

	if (!ok)
		snprintf(msg, len,
			 "%s '%s' gives no valid e-mail address with the pattern "
			 "addresses.%s \"%s\" (\"%s\"): use letters a-z, digits, '.', "
			 "'-' and '_'%s",
			 id_names[i], id, role, pattern, addr ? addr : "",
			 r->address_transliterate
				 ? ""
				 : ", or set addresses.transliterate = true for æ, "
				   "ø and å");
	free(addr);
	return ok ? 0 : -EINVAL;
}

int
conf_address_check(const struct conf_reminders *r, const char *handler, const char *unit,
		   const char **param, char *msg, size_t len)
{
	static const char *const roles[] = { "handler", "unit", "supervisor" };
	const char *const patterns[] = { r->handler_address, r->unit_address,
					 r->supervisor_address };
	const char *const ids[] = { handler, unit };

	for (size_t i = 0; i < FV_ARRAY_SIZE(ids); i++) {
		char placeholder[16];

		if (!ids[i])
			continue;
		snprintf(placeholder, sizeof(placeholder), "{%s}", id_names[i]);
		for (size_t k = 0; k < FV_ARRAY_SIZE(patterns); k++) {
			if (!patterns[k] || !strstr(patterns[k], placeholder))
				continue;
			if (check_pattern(r, i, ids[i], roles[k], patterns[k], msg, len) < 0) {
				*param = id_names[i];
				return -EINVAL;
			}
		}
	}
	return 0;
}
