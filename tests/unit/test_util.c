// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_util: the national identity number check that keeps fødselsnummer and D-nummer out
 * of case references (taushetsplikt, data minimisation), table-driven. Every number marked
 * valid below was checked by hand with both modulus-11 check digits (weights 3 7 6 1 8 9 4
 * 5 2 and 5 4 3 2 7 6 5 4 3 2; a remainder giving 10 makes the number invalid). Numbers
 * issued from 2032 may leave 0, 1, 2 or 3 in the first check (the registry's own
 * examples 02013299903 and 30108299939 are among the rows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util.h"

static void
test_national_id(void **state)
{
	static const struct {
		const char *s;
		bool id;
	} rows[] = {
		/* fødselsnummer 15.05.80, individual number 456: check digits 5 and 6 */
		{ "15058045656", true },
		{ "150580 45656", true },
		{ "150580-45656", true },
		{ "15.05.80.456.56", true },
		/* D-nummer: the first digit plus 4 */
		{ "41019012393", true },
		{ "29022800149", true },
		{ "01017000108", true },
		/* H-nummer (month + 40) and the registry's synthetic test numbers (month + 80) */
		{ "15054545638", true },
		{ "15058545640", true },
		/* issued from 2032: the first check leaves 1, 2 or 3 */
		{ "02013299903", true },
		{ "30108299939", true },
		{ "15058045664", true },
		{ "15058045680", true },
		/* ... but not 4: a case number */
		{ "15058045699", false },
		/* valid check digits around a date that cannot be a birth date */
		{ "32018012323", false },
		{ "15138012317", false },
		{ "00128012370", false },
		{ "72018012317", false },
		/* inside a reference: a run of exactly 11 digits, or groups as people write them */
		{ "NAV-15058045656", true },
		{ "2026/31129987688", true },
		{ "S-150580-45656", true },
		{ "2026/150580-45656", true },
		{ "sak 150580 45656 ny", true },
		{ "2026-1505-8045656", true },
		/* a wrong check digit, one digit too few or too many: case numbers */
		{ "15058045657", false },
		{ "15058045665", false },
		{ "1505804565", false },
		{ "150580456561", false },
		{ "2026/1234", false },
		{ "2026-0001234", false },
		{ "", false },
		/* 12 digits with a valid 11-digit prefix: no run of exactly 11 */
		{ "150580456560", false },
		{ "150580-456560", false },
		/* two separators in a row part the groups */
		{ "150580--45656", false },
		/* separators other than the usual ones make it something else */
		{ "150580a45656", false },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		if (fv_has_national_id(rows[i].s) != rows[i].id)
			fail_msg("'%s': expected %s", rows[i].s,
				 rows[i].id ? "a national identity number" : "none");
	}
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_national_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
