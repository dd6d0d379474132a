/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of VLAN port modes (datapath/vlan.c): trunks text in and
 * out, mode names, and which configurations make a port. No mbufs, so no
 * EAL: the per-frame decisions are in test_vlan.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>

#include "datapath/vlan.h"

/* A trunks bitmap from "lo-hi" pairs ending with a negative lo. */
static void
bitmap_of(uint64_t *bits, const int *ranges)
{
	memset(bits, 0, VLAN_BITMAP_WORDS * sizeof(uint64_t));
	for (; ranges[0] >= 0; ranges += 2)
		for (int v = ranges[0]; v <= ranges[1]; v++)
			bits[v >> 6] |= UINT64_C(1) << (v & 63);
}

static int
bitmap_first_diff(const uint64_t *a, const uint64_t *b)
{
	for (int v = 0; v < VLAN_N_VIDS; v++)
		if (vlan_bit(a, (uint16_t)v) != vlan_bit(b, (uint16_t)v))
			return v;
	return -1;
}

/* "1,2,3,...": every step-th VID from first to last, in a malloc'd string. */
static char *
vid_list(int first, int last, int step, const char *suffix)
{
	size_t cap = 32768, used = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	s[0] = '\0';
	for (int v = first; v <= last; v += step)
		used += (size_t)snprintf(s + used, cap - used, "%s%d", used ? "," : "", v);
	snprintf(s + used, cap - used, "%s", suffix);
	return s;
}

static void
test_trunks_parse_good(void **state)
{
	static const int r_list[] = {10, 10, 20, 20, 30, 40, -1};
	static const int r_0[] = {0, 0, -1};
	static const int r_4095[] = {4095, 4095, -1};
	static const int r_1_4095[] = {1, 4095, -1};
	static const int r_all_vids[] = {0, 4095, -1};
	static const int r_dup[] = {5, 12, -1};
	static const struct {
		const char *s;
		bool all;
		const int *ranges;
	} cases[] = {
		{"10,20,30-40", false, r_list},
		{"30-40,20,10", false, r_list},
		{"0", false, r_0},
		{"4095", false, r_4095},
		{"4095-4095", false, r_4095},
		{"", true, NULL},
		{"all", true, NULL},
		{"1-4095", false, r_1_4095},
		{"0-4095", false, r_all_vids},
		{"5-10,8-12,12,5", false, r_dup},
	};
	uint64_t want[VLAN_BITMAP_WORDS];
	int failures = 0;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct vlan_config c;
		char err[256] = "";
		int rc, d;

		vlan_config_default(&c);
		/* Start from another list, so that a result cannot be left over. */
		assert_int_equal(vlan_trunks_parse("7", &c, err, sizeof(err)), 0);
		assert_false(c.trunks_all);
		rc = vlan_trunks_parse(cases[i].s, &c, err, sizeof(err));
		if (rc != 0) {
			print_message("trunks \"%s\": refused (%d): %s\n", cases[i].s, rc, err);
			failures++;
			continue;
		}
		if (c.trunks_all != cases[i].all) {
			print_message("trunks \"%s\": trunks_all %d, expected %d\n", cases[i].s,
				      c.trunks_all, cases[i].all);
			failures++;
			continue;
		}
		if (cases[i].all)
			continue;
		bitmap_of(want, cases[i].ranges);
		d = bitmap_first_diff(c.trunks, want);
		if (d >= 0) {
			print_message("trunks \"%s\": VLAN %d is %s, expected %s\n", cases[i].s, d,
				      vlan_bit(c.trunks, (uint16_t)d) ? "in" : "out",
				      vlan_bit(want, (uint16_t)d) ? "in" : "out");
			failures++;
		}
	}
	assert_int_equal(failures, 0);

	/* Very long lists: every VID one by one, and every even one. */
	for (int step = 1; step <= 2; step++) {
		char *s = vid_list(step == 1 ? 1 : 0, 4095, step, "");
		struct vlan_config c;
		char err[256] = "";

		assert_true(strlen(s) > 9000);
		vlan_config_default(&c);
		assert_int_equal(vlan_trunks_parse(s, &c, err, sizeof(err)), 0);
		assert_false(c.trunks_all);
		for (int v = 0; v < VLAN_N_VIDS; v++)
			assert_int_equal(vlan_bit(c.trunks, (uint16_t)v),
					 step == 1 ? v != 0 : v % 2 == 0);
		free(s);
	}
}

static void
test_trunks_parse_bad(void **state)
{
	char *long_bad_word = vid_list(1, 1000, 1, ",zz9");
	char *long_bad_vid = vid_list(1, 1000, 1, ",5000");
	char *long_bad_range = vid_list(1, 1000, 1, ",3000-2000");
	char *long_bad_first = vid_list(1, 1000, 1, "");
	char *long_digits = malloc(10001);
	const struct {
		const char *s;
		const char *bad; /* the part the message must point at */
	} cases[] = {
		{"4096", "4096"},
		{"10-", "10-"},
		{"-5", "-5"},
		{"10,,20", ",,"},
		{"20-10", "20-10"},
		{"abc", "abc"},
		{"10 20", "10 20"},
		{"99999", "99999"},
		{"1,2,", "1,2,"},
		{",5", ",5"},
		{"4095-4096", "4096"},
		{"1-2-3", "1-2-3"},
		{"+5", "+5"},
		{"0x10", "0x10"},
		{" 10", " 10"},
		{"all,10", "all,10"},
		{"10;20", "10;20"},
		{long_bad_word, "zz9"},
		{long_bad_vid, "5000"},
		{long_bad_range, "3000-2000"},
		{long_bad_first, "y,2"},
		{long_digits, "111"},
	};
	int failures = 0;

	assert_non_null(long_digits);
	memset(long_digits, '1', 10000);
	long_digits[10000] = '\0';
	long_bad_first[0] = 'y'; /* "y,2,3,...": the first item is bad */

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct vlan_config c, before;
		char err[256];
		char shown[48];
		int rc;

		snprintf(shown, sizeof(shown), "%.40s%s", cases[i].s,
			 strlen(cases[i].s) > 40 ? "..." : "");
		vlan_config_default(&c);
		assert_int_equal(vlan_trunks_parse("5,6", &c, err, sizeof(err)), 0);
		before = c;
		memset(err, 0, sizeof(err));
		rc = vlan_trunks_parse(cases[i].s, &c, err, sizeof(err));
		if (rc != -EINVAL) {
			print_message("trunks \"%s\": expected -EINVAL, got %d\n", shown, rc);
			failures++;
			continue;
		}
		if (memcmp(&c, &before, sizeof(c)) != 0) {
			print_message("trunks \"%s\": refused but the configuration changed\n", shown);
			failures++;
		}
		if (strstr(err, cases[i].bad) == NULL) {
			print_message("trunks \"%s\" (%zu chars): the message does not mention \"%s\": "
				      "%s\n",
				      shown, strlen(cases[i].s), cases[i].bad, err);
			failures++;
		}
	}

	/* A small buffer gets a terminated message and nothing past its end. */
	{
		struct vlan_config c;
		char buf[16];

		vlan_config_default(&c);
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(vlan_trunks_parse("10,abc", &c, buf, 8), -EINVAL);
		assert_true(memchr(buf, '\0', 8) != NULL);
		for (int i = 8; i < 16; i++)
			assert_int_equal(buf[i], 'Z');
	}
	free(long_bad_word);
	free(long_bad_vid);
	free(long_bad_range);
	free(long_bad_first);
	free(long_digits);
	print_message("trunks bad inputs: %zu cases, %d failed\n", RTE_DIM(cases), failures);
	assert_int_equal(failures, 0);
}

/* Parses s, formats it, compares with text, parses that again and compares bitmaps. */
static int
format_case(const char *s, const char *text)
{
	struct vlan_config c, again;
	char err[256] = "";
	char *buf = malloc(VLAN_TRUNKS_TEXT_MAX);
	int rc, bad = 0;

	assert_non_null(buf);
	vlan_config_default(&c);
	assert_int_equal(vlan_trunks_parse(s, &c, err, sizeof(err)), 0);
	rc = vlan_trunks_format(&c, buf, VLAN_TRUNKS_TEXT_MAX);
	if (rc != 0) {
		print_message("format(\"%.40s\"): %d\n", s, rc);
		free(buf);
		return 1;
	}
	if (text != NULL && strcmp(buf, text) != 0) {
		print_message("format(\"%s\"): \"%s\", expected \"%s\"\n", s, buf, text);
		bad = 1;
	}
	vlan_config_default(&again);
	if (vlan_trunks_parse(buf, &again, err, sizeof(err)) != 0) {
		print_message("format(\"%.40s\") gave \"%.40s\", which is refused: %s\n", s, buf, err);
		bad = 1;
	} else if (again.trunks_all != c.trunks_all ||
		   (!c.trunks_all && bitmap_first_diff(again.trunks, c.trunks) >= 0)) {
		print_message("format(\"%.40s\") gave \"%.40s\", which parses differently\n", s, buf);
		bad = 1;
	}
	free(buf);
	return bad;
}

static void
test_trunks_format(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"1,2,3,5", "1-3,5"},
		{"10,20,30-40", "10,20,30-40"},
		{"30-40,20,10", "10,20,30-40"},
		{"5,4,3", "3-5"},
		{"1-3,4-6", "1-6"},
		{"10,10,10", "10"},
		{"0", "0"},
		{"4095", "4095"},
		{"1-4095", "1-4095"},
		{"0-4095", "0-4095"},
		{"0,4095", "0,4095"},
		{"100-200,150-300,7", "7,100-300"},
		{"all", "all"},
		{"", "all"},
	};
	struct vlan_config c;
	char err[256] = "";
	char buf[16];
	int failures = 0;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++)
		failures += format_case(cases[i].in, cases[i].out);
	/* Pairs (runs of 2) round-trip whichever way they are written. */
	failures += format_case("0,1,4094,4095", NULL);
	assert_int_equal(failures, 0);

	/* The longest texts still fit in VLAN_TRUNKS_TEXT_MAX and round-trip. */
	{
		char *evens = vid_list(0, 4094, 2, "");
		char *pairs = malloc(32768);
		size_t used = 0;

		assert_non_null(pairs);
		pairs[0] = '\0';
		for (int v = 1000; v < VLAN_N_VIDS; v++)
			if (v % 3 != 2)
				used += (size_t)snprintf(pairs + used, 32768 - used, "%s%d",
							 used ? "," : "", v);
		assert_int_equal(format_case(evens, NULL), 0);
		assert_int_equal(format_case(pairs, NULL), 0);
		free(evens);
		free(pairs);
	}

	/* Too small a buffer: -ENOSPC, never a byte past len. */
	vlan_config_default(&c);
	assert_int_equal(vlan_trunks_parse("1,2,3,5", &c, err, sizeof(err)), 0);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vlan_trunks_format(&c, buf, 6), 0);
	assert_string_equal(buf, "1-3,5");
	for (size_t len = 0; len < 6; len++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(vlan_trunks_format(&c, buf, len), -ENOSPC);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
	}
	vlan_config_default(&c);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vlan_trunks_format(&c, buf, 3), -ENOSPC);
	assert_int_equal(buf[3], 'Z');
	assert_int_equal(vlan_trunks_format(&c, buf, 4), 0);
	assert_string_equal(buf, "all");
	assert_int_equal(vlan_trunks_format(&c, buf, 0), -ENOSPC);
}

static void
test_config_check(void **state)
{
	static const struct {
		const char *what;
		enum vlan_mode mode;
		int tag; /* -1: none */
		const char *trunks;
		bool ok;
		const char *keyword; /* the message of a refusal mentions it */
	} cases[] = {
		/* refused */
		{"trunk with tag", VLAN_MODE_TRUNK, 10, NULL, false, "tag"},
		{"trunk with tag 0", VLAN_MODE_TRUNK, 0, NULL, false, "tag"},
		{"trunk with tag and trunks", VLAN_MODE_TRUNK, 10, "10,20", false, "tag"},
		{"access without tag", VLAN_MODE_ACCESS, -1, NULL, false, "tag"},
		{"native-untagged without tag", VLAN_MODE_NATIVE_UNTAGGED, -1, "20", false, "tag"},
		{"native-tagged without tag", VLAN_MODE_NATIVE_TAGGED, -1, NULL, false, "tag"},
		{"dot1q-tunnel without tag", VLAN_MODE_DOT1Q_TUNNEL, -1, NULL, false, "tag"},
		{"native-untagged tag 0", VLAN_MODE_NATIVE_UNTAGGED, 0, NULL, false, "native-untagged"},
		{"native-tagged tag 0", VLAN_MODE_NATIVE_TAGGED, 0, "20", false, "native-tagged"},
		{"access with trunks", VLAN_MODE_ACCESS, 10, "20", false, "trunks"},
		{"access with trunks of its tag", VLAN_MODE_ACCESS, 10, "10", false, "trunks"},
		{"dot1q-tunnel with trunks", VLAN_MODE_DOT1Q_TUNNEL, 100, "100", false, "trunks"},
		{"access tag 4096", VLAN_MODE_ACCESS, 4096, NULL, false, "4096"},
		{"native-untagged tag 4096", VLAN_MODE_NATIVE_UNTAGGED, 4096, NULL, false, "4096"},
		{"dot1q-tunnel tag 65535", VLAN_MODE_DOT1Q_TUNNEL, 65535, NULL, false, "65535"},
		{"unknown mode", VLAN_MODE_MAX, 10, NULL, false, "mode"},
		/* accepted */
		{"default trunk", VLAN_MODE_TRUNK, -1, NULL, true, NULL},
		{"trunk trunks=10,20", VLAN_MODE_TRUNK, -1, "10,20", true, NULL},
		{"trunk trunks=0", VLAN_MODE_TRUNK, -1, "0", true, NULL},
		{"trunk trunks=all", VLAN_MODE_TRUNK, -1, "all", true, NULL},
		{"access tag 10", VLAN_MODE_ACCESS, 10, NULL, true, NULL},
		{"access tag 0", VLAN_MODE_ACCESS, 0, NULL, true, NULL},
		{"access tag 4095", VLAN_MODE_ACCESS, 4095, NULL, true, NULL},
		{"native-untagged tag 10", VLAN_MODE_NATIVE_UNTAGGED, 10, NULL, true, NULL},
		{"native-untagged tag 10 trunks 20", VLAN_MODE_NATIVE_UNTAGGED, 10, "20", true, NULL},
		{"native-tagged tag 4095 trunks 1-4095", VLAN_MODE_NATIVE_TAGGED, 4095, "1-4095", true,
		 NULL},
		{"dot1q-tunnel tag 100", VLAN_MODE_DOT1Q_TUNNEL, 100, NULL, true, NULL},
		{"dot1q-tunnel tag 4095", VLAN_MODE_DOT1Q_TUNNEL, 4095, NULL, true, NULL},
	};
	int failures = 0;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct vlan_config c;
		char err[256] = "";
		int rc;

		vlan_config_default(&c);
		c.mode = cases[i].mode;
		if (cases[i].tag >= 0) {
			c.has_tag = true;
			c.tag = (uint16_t)cases[i].tag;
		}
		if (cases[i].trunks != NULL)
			assert_int_equal(vlan_trunks_parse(cases[i].trunks, &c, err, sizeof(err)), 0);
		rc = vlan_config_check(&c, err, sizeof(err));
		if (cases[i].ok) {
			if (rc != 0) {
				print_message("%s: refused (%d): %s\n", cases[i].what, rc, err);
				failures++;
			}
			continue;
		}
		if (rc != -EINVAL && rc != -ERANGE) {
			print_message("%s: expected a refusal, got %d\n", cases[i].what, rc);
			failures++;
		} else if (strstr(err, cases[i].keyword) == NULL) {
			print_message("%s: the message does not mention \"%s\": %s\n", cases[i].what,
				      cases[i].keyword, err);
			failures++;
		}
	}
	print_message("vlan_config_check: %zu cases, %d failed\n", RTE_DIM(cases), failures);
	assert_int_equal(failures, 0);
}

static void
test_mode_parse(void **state)
{
	static const struct {
		const char *name;
		enum vlan_mode mode;
	} names[] = {
		{"trunk", VLAN_MODE_TRUNK},
		{"access", VLAN_MODE_ACCESS},
		{"native-untagged", VLAN_MODE_NATIVE_UNTAGGED},
		{"native-tagged", VLAN_MODE_NATIVE_TAGGED},
		{"dot1q-tunnel", VLAN_MODE_DOT1Q_TUNNEL},
	};
	static const char *const unknown[] = {
		"", "Trunk", "ACCESS", "native", "native_untagged", "dot1q_tunnel", "trunk ",
		" access", "accessx", "tunnel", "unknown",
	};
	struct vlan_config c;

	assert_int_equal(RTE_DIM(names), VLAN_MODE_MAX);
	for (unsigned int i = 0; i < RTE_DIM(names); i++) {
		enum vlan_mode m = VLAN_MODE_MAX;

		assert_int_equal(vlan_mode_parse(names[i].name, &m), 0);
		assert_int_equal(m, names[i].mode);
		assert_string_equal(vlan_mode_name(names[i].mode), names[i].name);
	}
	for (unsigned int i = 0; i < RTE_DIM(unknown); i++) {
		enum vlan_mode m = VLAN_MODE_ACCESS;

		assert_int_equal(vlan_mode_parse(unknown[i], &m), -EINVAL);
		assert_int_equal(m, VLAN_MODE_ACCESS);
	}
	assert_string_equal(vlan_mode_name(VLAN_MODE_MAX), "unknown");

	/* The default: a trunk of every VLAN without a tag. */
	memset(&c, 0xa5, sizeof(c));
	vlan_config_default(&c);
	assert_int_equal(c.mode, VLAN_MODE_TRUNK);
	assert_false(c.has_tag);
	assert_true(c.trunks_all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trunks_parse_good),
		cmocka_unit_test(test_trunks_parse_bad),
		cmocka_unit_test(test_trunks_format),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_mode_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
