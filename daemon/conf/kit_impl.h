/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf/kit_impl: the getters every loader of conf/ uses (the configuration, its channels and
 * reminders, the deadline rules) to read one member of a libconfig group, check its type
 * and value and report the first problem at the member's file and line.
 *
 * Private to conf/. The loaders grew up apart and word a few things differently (the
 * rules say "unknown setting 'x' in a rule (allowed: ...)" and "a whole number", the rest
 * "unknown setting 'x'" and "an integer"); the words are part of what users and tests see,
 * so the getters keep each loader's words, chosen by the arguments below.
 *
 * Every getter returns 1 when the member was there and *out is set, 0 when it is absent
 * (*out is left alone, so a caller sets its default first), or a negative errno with err
 * filled. What a getter hands back in *out is borrowed from the libconfig tree.
 */
#ifndef FV_CONF_KIT_IMPL_H
#define FV_CONF_KIT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "core/diag.h"

/* How a getter takes its member (a bit set). */
enum conf_get_flags {
	/* Absent is an error, at the group: "missing 'KEY' in WHAT". */
	CONF_GET_REQUIRED = 1 << 0,
	/* A string may be "". */
	CONF_GET_EMPTY_OK = 1 << 1,
	/* A string must be valid UTF-8 (text people read, such as the rules' citations). */
	CONF_GET_UTF8 = 1 << 2,
	/* A number out of range says only "must be between MIN and MAX", not what it is. */
	CONF_GET_BARE_RANGE = 1 << 3,
	/*
	 * The rules' numbers: a wrong type "must be a whole number", out of range -EINVAL,
	 * and the value taken as libconfig read it (conf_int_literal_ok not asked).
	 */
	CONF_GET_WHOLE = 1 << 4,
};

/*
 * Refuses the first member of group s whose name is not in allowed (NULL-terminated):
 * "unknown setting 'x'", or with what (such as "a rule") "unknown setting 'x' in WHAT
 * (allowed: a, b, c)". 0 or -EINVAL.
 */
int conf_check_keys(const config_setting_t *s, const char *const *allowed, const char *what,
		    struct diag *err);

/* Refuses s unless it is a group: "each WHAT must be a group { ... }". 0 or -EINVAL. */
int conf_need_group(const config_setting_t *s, const char *what, struct diag *err);

/*
 * The list member key of parent, "( { ... }, ... )": with CONF_GET_REQUIRED what names the
 * parent in the message when it is missing. 1, 0 or -EINVAL (see above).
 */
int conf_get_list(const config_setting_t *parent, const char *key, unsigned flags, const char *what,
		  const config_setting_t **out, struct diag *err);

/*
 * The string member key of g, not empty unless CONF_GET_EMPTY_OK, valid UTF-8 with
 * CONF_GET_UTF8; what names g for CONF_GET_REQUIRED (else it may be NULL). 1, 0 or -EINVAL.
 */
int conf_get_string(const config_setting_t *g, const char *key, unsigned flags, const char *what,
		    const char **out, struct diag *err);

/* The boolean member key of g: 1, 0 or -EINVAL ("must be true or false"). */
int conf_get_bool(const config_setting_t *g, const char *key, bool *out, struct diag *err);

/*
 * The integer member key of g within min..max. Unless CONF_GET_WHOLE, a literal that
 * libconfig wrapped past 32 bits is out of range too (conf_int_literal_ok). 1, 0, -EINVAL
 * (not an integer) or -ERANGE (-EINVAL with CONF_GET_WHOLE).
 */
int conf_get_int(const config_setting_t *g, const char *key, int64_t min, int64_t max,
		 unsigned flags, int64_t *out, struct diag *err);

/*
 * libconfig 1.5 wraps an integer literal past 32 bits (without the L suffix) silently. Reads
 * the integer literals written after "key =" (or "key:") on the source line of s back from
 * the file: false only when none of them is v and one of them does not fit in 32 bits (the
 * wrapped case). The same key may stand more than once on a line (two groups on one line, or
 * inside a string before it), so any literal that is v is enough.
 */
bool conf_int_literal_ok(const config_setting_t *s, const char *key, int64_t v);

/* conf_get_int() into an int32_t or a uint32_t (min and max within its range). */
int conf_get_i32(const config_setting_t *g, const char *key, int64_t min, int64_t max,
		 unsigned flags, int32_t *out, struct diag *err);
int conf_get_u32(const config_setting_t *g, const char *key, int64_t min, int64_t max,
		 unsigned flags, uint32_t *out, struct diag *err);

/*
 * The string member key of g (UTF-8) that names one of names[0..n): its index in *out.
 * Anything else: "bad KEY 'v' (expected one of "a", "b")". 1, 0 or -EINVAL.
 */
int conf_get_choice(const config_setting_t *g, const char *key, const char *const *names, size_t n,
		    int *out, struct diag *err);

#endif
