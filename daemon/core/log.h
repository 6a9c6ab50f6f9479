/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log: one line per message on stderr, prefixed with the syslog priority ("<3>") so that
 * journald files it at the right level. Messages never carry personal data: case
 * references are fine, names, contact details and free text from case workers are not.
 */
#ifndef FV_LOG_H
#define FV_LOG_H

#include <syslog.h>

void log_set_level(int level);
int log_get_level(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
