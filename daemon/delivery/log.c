// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The log channel: the message goes to the daemon's log, a "reminder <id>: <subject>" line
 * and one indented line per line of the text. Nothing travels, so the attempt finishes
 * where it starts, and always succeeds.
 */
#include <string.h>

#include "delivery/notify_impl.h"
#include "core/log.h"

/* Writes one log line with control characters replaced (the text is ours, but a line is a line). */
static void
log_line(const char *prefix, const char *id, const char *s, size_t n)
{
	char buf[1024];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < sizeof(buf); i++)
		buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[k] = '\0';
	if (id)
		log_notice("%s %s: %s", prefix, id, buf);
	else
		log_notice("%s%s", prefix, buf);
}

static CURLcode
log_start(struct job *j)
{
	const char *p = j->text ? j->text : "";

	log_line("reminder", j->id, j->subject ? j->subject : "",
		 j->subject ? strlen(j->subject) : 0);
	while (*p) {
		size_t n = strcspn(p, "\n");

		log_line("  ", NULL, p, n);
		p += n;
		if (*p == '\n')
			p++;
	}
	notify_job_set(j, NOTIFY_OK, 0, "%s", "");
	return CURLE_OK;
}

const struct channel_ops channel_log = {
	.run = CHANNEL_RUN_INLINE,
	.start = log_start,
};
