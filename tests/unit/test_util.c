// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_util: the string buffer, UTF-8, and the national identity number check
 * that keeps fødselsnummer and D-nummer out of case references (taushetsplikt, data
 * minimisation), table-driven. Every identity number marked valid below was checked by
 * hand with both modulus-11 check digits (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3
 * 2; a second check digit of 10 makes the number invalid). Numbers issued from 2032 may
 * leave 0, 1, 2 or 3 in the first check (the registry's own examples 02013299903 and
 * 30108299939 are among the rows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/strbuf.h"
#include "core/util.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

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
		{ "15.05.80 45656", true },
		{ "150580 456 56", true },
		/* after more than five other numbers in a long text */
		{ "Møter 1.2, 3.2, 4.2, 5.2, 6.2, 7.2, 8.2, 9.2, 10.2, 11.2, 12.2, 13.2, 14.2, 15.2, "
		  "16.2, 17.2, 18.2, 19.2, 20.2, 21.2, 22.2, 23.2, 24.2, 25.2, 26.2, 27.2, 28.2, 1.3, "
		  "2.3, 3.3, 4.3, 5.3, 6.3, 7.3, 8.3 avlyst; gjelder 15058045656",
		  true },
		/* eleven digits grouped as nobody writes an identity number: other things */
		{ "2026-1505-8045656", false },
		{ "2001/10148-10", false },
		{ "Venter på møte 10.1.2025 08:20", false },
		{ "1.1.2025 07:30:00", false },
		{ "utbetalt til konto 1503.12.34567", false },
		{ "FOR-2011-12-16-1256", false },
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

/*
 * One UTF-8 character at a time: the lead byte's length, the narrowed second byte after
 * E0, ED, F0 and F4, and what is refused (NUL, stray continuation bytes, C0/C1, F5 and
 * above, sequences cut short by the end of the bytes or by a byte that does not continue).
 */
static void
test_utf8_char_len(void **state)
{
	static const struct {
		const char *s;
		size_t avail;
		size_t n;
	} rows[] = {
		{ "a", 1, 1 },
		{ "\x7f", 1, 1 },
		{ "", 1, 0 },
		{ "a", 0, 0 },
		{ "\x80", 1, 0 },
		{ "\xc1\xbf", 2, 0 },
		{ "\xc2\x80", 2, 2 },
		{ "\xc3\xa6", 2, 2 },
		{ "\xc3\xa6", 1, 0 },
		{ "\xc3\x41", 2, 0 },
		{ "\xe0\x9f\xbf", 3, 0 },
		{ "\xe0\xa0\x80", 3, 3 },
		{ "\xe2\x80\x93", 3, 3 },
		{ "\xe2\x80\x93", 2, 0 },
		{ "\xed\x9f\xbf", 3, 3 },
		{ "\xed\xa0\x80", 3, 0 },
		{ "\xef\xbf\xbf", 3, 3 },
		{ "\xf0\x8f\xbf\xbf", 4, 0 },
		{ "\xf0\x90\x80\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 },
		{ "\xf4\x90\x80\x80", 4, 0 },
		{ "\xf0\x9f\x98\x80", 3, 0 },
		{ "\xf0\x9f\x98", 4, 0 },
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		size_t n = fv_utf8_char_len(rows[i].s, rows[i].avail);

		if (n != rows[i].n)
			fail_msg("row %zu: %zu bytes, expected %zu", i, n, rows[i].n);
	}
	assert_true(fv_utf8_valid("Påminnelse – frist 😀", strlen("Påminnelse – frist 😀")));
	assert_false(fv_utf8_valid("ab\0c", 4));
	assert_false(fv_utf8_valid("\xc3\xa6", 1));
	assert_true(fv_utf8_valid("", 0));
}

/* Cutting at the first incomplete or invalid character, and counting characters. */
static void
test_utf8_cut_chars(void **state)
{
	static const struct {
		const char *in, *cut;
		size_t chars;
	} rows[] = {
		{ "", "", 0 },
		{ "frist", "frist", 5 },
		{ "utløpt", "utløpt", 6 },
		{ "utl\xc3", "utl", 4 }, /* a character split by snprintf */
		{ "a\xe2\x82", "a", 2 }, /* three bytes wanted, two there */
		{ "æ\xffø", "æ", 3 },	 /* a byte that starts nothing */
		{ "\xc0\xafx", "", 2 },	 /* overlong '/' */
		{ "søknad – mottatt", "søknad – mottatt", 16 },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < FV_ARRAY_SIZE(rows); i++) {
		snprintf(buf, sizeof(buf), "%s", rows[i].in);
		fv_utf8_cut(buf);
		assert_string_equal(buf, rows[i].cut);
		assert_int_equal(fv_utf8_chars(rows[i].in, strlen(rows[i].in)), rows[i].chars);
	}
}

/* What the reader and the encoder use: reserving ahead, and dropping a consumed head. */
static void
test_strbuf_reserve_drop(void **state)
{
	struct strbuf b = { 0 };
	size_t cap;

	(void)state;
	strbuf_reserve(&b, 1000);
	assert_true(b.cap >= 1001);
	assert_int_equal(b.len, 0);
	cap = b.cap;
	for (int i = 0; i < 1000; i++)
		strbuf_putc(&b, 'x');
	assert_int_equal(b.cap, cap);
	strbuf_reset(&b);
	/* Bytes with NULs inside, as the reader buffers them; the NUL after them is kept. */
	strbuf_add(&b, "one\0two\0three", 13);
	strbuf_drop(&b, 0);
	assert_int_equal(b.len, 13);
	strbuf_drop(&b, 4);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.p, "two\0three", sizeof("two\0three"));
	strbuf_drop(&b, 9);
	assert_int_equal(b.len, 0);
	assert_string_equal(strbuf_str(&b), "");
	assert_int_equal(b.cap, cap);
	strbuf_free(&b);
}

/* The string buffer: empty, growing past its first allocation, formatted, handed over. */
static void
test_strbuf(void **state)
{
	struct strbuf b = { 0 };
	char *s, want[301];

	(void)state;
	assert_string_equal(strbuf_str(&b), "");
	s = strbuf_take(&b);
	assert_string_equal(s, "");
	free(s);
	for (int i = 0; i < 300; i++)
		strbuf_putc(&b, (char)('a' + i % 26));
	for (int i = 0; i < 300; i++)
		want[i] = (char)('a' + i % 26);
	want[300] = '\0';
	assert_int_equal(b.len, 300);
	assert_string_equal(strbuf_str(&b), want);
	strbuf_reset(&b);
	assert_string_equal(strbuf_str(&b), "");
	strbuf_printf(&b, "%s|%d|%.3s", want, 42, "sak 2026/1");
	assert_int_equal(b.len, 300 + 7);
	assert_memory_equal(b.p, want, 300);
	assert_string_equal(b.p + 300, "|42|sak");
	strbuf_add(&b, "xyz", 0);
	strbuf_puts(&b, "!");
	s = strbuf_take(&b);
	assert_int_equal(strlen(s), 308);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(s);
	strbuf_free(&b);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_national_id),    cmocka_unit_test(test_utf8_char_len),
		cmocka_unit_test(test_utf8_cut_chars), cmocka_unit_test(test_strbuf_reserve_drop),
		cmocka_unit_test(test_strbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
