/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rule text in and out (bridge/flow_rule.c): every field and action
 * down to the bytes of the key, the defaults of each mode, the error
 * messages, canonical formatting that parses back to the same rule, and the
 * filter relations. No DPDK libraries, only their headers.
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

#include <arpa/inet.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "bridge/flow_rule.h"

/* The ports the callbacks know. "ghost" has an id but no name (a port that
 * went away), "busy" fails with an errno other than ENOENT. */
static const struct {
	const char *name;
	uint16_t id;
} ports[] = {
	{"vm1", 1},
	{"up0", 2},
	{"vm2", 3},
	{"tap-x", 700},
};

static int cb_arg; /* its address is the callbacks' arg */

static int
port_id(const char *name, void *arg)
{
	assert_ptr_equal(arg, &cb_arg);
	if (strcmp(name, "busy") == 0)
		return -EBUSY;
	if (strcmp(name, "ghost") == 0)
		return 9;
	for (size_t i = 0; i < RTE_DIM(ports); i++)
		if (strcmp(name, ports[i].name) == 0)
			return ports[i].id;
	return -ENOENT;
}

static const char *
port_name(uint16_t id, void *arg)
{
	assert_ptr_equal(arg, &cb_arg);
	for (size_t i = 0; i < RTE_DIM(ports); i++)
		if (ports[i].id == id)
			return ports[i].name;
	return NULL;
}

static char err[512];

static int
parse(const char *text, enum flow_parse_mode mode, struct flow_rule *r)
{
	memset(err, 'x', sizeof(err));
	return flow_rule_parse(text, mode, port_id, &cb_arg, r, err, sizeof(err));
}

static void
parse_ok(const char *text, enum flow_parse_mode mode, struct flow_rule *r)
{
	if (parse(text, mode, r) != 0)
		fail_msg("\"%s\": %s", text, err);
	assert_string_equal(err, "");
}

/* Fails to parse with a message containing expect; nothing is left to free
 * but what flow_rule_free() frees. */
static void
parse_bad(const char *text, enum flow_parse_mode mode, const char *expect)
{
	struct flow_rule r;
	int ret = parse(text, mode, &r);

	flow_rule_free(&r);
	if (ret != -EINVAL)
		fail_msg("\"%s\": returned %d, expected -EINVAL", text, ret);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (strstr(err, expect) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err, expect);
}

static void
parse_bad_exact(const char *text, enum flow_parse_mode mode, const char *expect)
{
	parse_bad(text, mode, expect);
	assert_string_equal(err, expect);
}

static void
assert_rules_equal(const struct flow_rule *a, const struct flow_rule *b)
{
	assert_int_equal(a->has_table, b->has_table);
	assert_int_equal(a->table, b->table);
	assert_int_equal(a->has_priority, b->has_priority);
	assert_int_equal(a->priority, b->priority);
	assert_true(a->cookie == b->cookie);
	assert_true(a->cookie_mask == b->cookie_mask);
	assert_int_equal(a->idle_timeout, b->idle_timeout);
	assert_int_equal(a->hard_timeout, b->hard_timeout);
	assert_memory_equal(&a->key, &b->key, sizeof(a->key));
	assert_memory_equal(&a->mask, &b->mask, sizeof(a->mask));
	assert_int_equal(a->n_actions, b->n_actions);
	if (a->n_actions > 0)
		assert_memory_equal(a->actions, b->actions, a->n_actions * sizeof(*a->actions));
}

static void
format(const struct flow_rule *r, char *buf, size_t len)
{
	int n = flow_rule_format(r, port_name, &cb_arg, buf, len);

	assert_true(n > 0 && (size_t)n < len);
	assert_int_equal(strlen(buf), n);
}

/* Parses text in ADD mode and checks its canonical form. */
static void
check_format(const char *text, const char *expect)
{
	struct flow_rule r;
	char buf[2048];

	parse_ok(text, FLOW_PARSE_ADD, &r);
	format(&r, buf, sizeof(buf));
	if (strcmp(buf, expect) != 0)
		fail_msg("\"%s\" formats as \"%s\", expected \"%s\"", text, buf, expect);
	flow_rule_free(&r);
}

/* parse(format(r)) == r, and the form is a fixed point. */
static void
check_round_trip(const char *text, enum flow_parse_mode mode)
{
	struct flow_rule a, b;
	char once[2048], twice[2048];

	parse_ok(text, mode, &a);
	format(&a, once, sizeof(once));
	if (mode == FLOW_PARSE_FILTER) {
		/* A filter has no actions; the formatter shows "drop" for none. */
		size_t n = strlen(once), tail = strlen("actions=drop");

		assert_true(n >= tail);
		assert_string_equal(once + n - tail, "actions=drop");
		n -= tail;
		if (n > 0) {
			assert_int_equal(once[n - 1], ',');
			n--;
		}
		once[n] = '\0';
	}
	if (parse(once, mode, &b) != 0)
		fail_msg("\"%s\" formats as \"%s\", which does not parse: %s", text, once, err);
	assert_rules_equal(&a, &b);
	format(&b, twice, sizeof(twice));
	if (mode == FLOW_PARSE_FILTER)
		twice[strlen(once)] = '\0';
	assert_string_equal(once, twice);
	flow_rule_free(&a);
	flow_rule_free(&b);
}

/* The key and mask a filter text gives. */
static void
check_match(const char *text, const struct flow_key *k, const struct flow_key *m)
{
	struct flow_rule r;

	parse_ok(text, FLOW_PARSE_FILTER, &r);
	if (memcmp(&r.key, k, sizeof(*k)) != 0 || memcmp(&r.mask, m, sizeof(*m)) != 0) {
		for (size_t i = 0; i < sizeof(*k); i++)
			print_error("%2zu key %02x want %02x  mask %02x want %02x\n", i,
				    ((uint8_t *)&r.key)[i], ((const uint8_t *)k)[i],
				    ((uint8_t *)&r.mask)[i], ((const uint8_t *)m)[i]);
		fail_msg("\"%s\": wrong key or mask", text);
	}
	flow_rule_free(&r);
}

static void
clear(struct flow_key *k, struct flow_key *m)
{
	memset(k, 0, sizeof(*k));
	memset(m, 0, sizeof(*m));
}

static void
set_ip(struct flow_key *k, struct flow_key *m, uint16_t dl_type, int nw_proto)
{
	k->dl_type = rte_cpu_to_be_16(dl_type);
	m->dl_type = 0xffff;
	if (nw_proto >= 0) {
		k->nw_proto = (uint8_t)nw_proto;
		m->nw_proto = 0xff;
	}
}

static rte_be32_t
ip4(const char *s)
{
	rte_be32_t a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
ip6(const char *s, uint8_t *a)
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

static void
test_defaults(void **state)
{
	struct flow_rule r;

	parse_ok("actions=drop", FLOW_PARSE_ADD, &r);
	assert_true(r.has_table);
	assert_int_equal(r.table, 0);
	assert_true(r.has_priority);
	assert_int_equal(r.priority, FLOW_PRIORITY_DEFAULT);
	assert_true(r.cookie == 0 && r.cookie_mask == 0);
	assert_int_equal(r.idle_timeout, 0);
	assert_int_equal(r.hard_timeout, 0);
	assert_int_equal(r.n_actions, 0);
	assert_null(r.actions);
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		assert_true(r.key.w[i] == 0 && r.mask.w[i] == 0);
	flow_rule_free(&r);

	parse_ok("", FLOW_PARSE_FILTER, &r);
	assert_false(r.has_table);
	assert_false(r.has_priority);
	assert_int_equal(r.priority, FLOW_PRIORITY_DEFAULT);
	assert_true(r.cookie == 0 && r.cookie_mask == 0);
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		assert_true(r.key.w[i] == 0 && r.mask.w[i] == 0);
	flow_rule_free(&r);
	parse_ok(" \t ", FLOW_PARSE_FILTER, &r);
	flow_rule_free(&r);

	parse_ok("ip,actions=normal", FLOW_PARSE_MODIFY, &r);
	assert_false(r.has_table);
	assert_false(r.has_priority);
	assert_int_equal(r.n_actions, 1);
	flow_rule_free(&r);

	/* Given, they count in every mode. */
	parse_ok("table=3,priority=7", FLOW_PARSE_FILTER, &r);
	assert_true(r.has_table);
	assert_int_equal(r.table, 3);
	assert_true(r.has_priority);
	assert_int_equal(r.priority, 7);
	flow_rule_free(&r);
	parse_ok(" priority = 0 , table = 63 , actions = drop ", FLOW_PARSE_ADD, &r);
	assert_int_equal(r.table, 63);
	assert_int_equal(r.priority, 0);
	flow_rule_free(&r);
	parse_ok("priority=65535,idle_timeout=65535,hard_timeout=1,actions=drop", FLOW_PARSE_ADD,
		 &r);
	assert_int_equal(r.priority, 65535);
	assert_int_equal(r.idle_timeout, 65535);
	assert_int_equal(r.hard_timeout, 1);
	flow_rule_free(&r);

	/* A rule's cookie is a value; a filter's a value and a mask. */
	parse_ok("cookie=0xfedcba9876543210,actions=drop", FLOW_PARSE_ADD, &r);
	assert_true(r.cookie == UINT64_C(0xfedcba9876543210) && r.cookie_mask == 0);
	flow_rule_free(&r);
	parse_ok("cookie=18446744073709551615,actions=drop", FLOW_PARSE_ADD, &r);
	assert_true(r.cookie == UINT64_MAX);
	flow_rule_free(&r);
	parse_ok("cookie=5", FLOW_PARSE_FILTER, &r);
	assert_true(r.cookie == 5 && r.cookie_mask == UINT64_MAX);
	flow_rule_free(&r);
	parse_ok("cookie=0x1234/0xff00,actions=flood", FLOW_PARSE_MODIFY, &r);
	assert_true(r.cookie == 0x1200 && r.cookie_mask == 0xff00);
	flow_rule_free(&r);
	parse_ok("cookie=0x6e6174/-1", FLOW_PARSE_FILTER, &r);
	assert_true(r.cookie == 0x6e6174 && r.cookie_mask == UINT64_MAX);
	flow_rule_free(&r);
}

static void
test_fields(void **state)
{
	struct flow_key k, m;
	struct flow_rule r;
	const uint8_t *b;

	clear(&k, &m);
	k.in_port = 2;
	m.in_port = 0xffff;
	check_match("in_port=up0", &k, &m);
	check_match("in_port = up0", &k, &m);
	k.in_port = 9;
	check_match("in_port=ghost", &k, &m);

	clear(&k, &m);
	memcpy(k.dl_src.addr_bytes, "\x52\x54\x00\xab\xcd\xef", 6);
	memset(m.dl_src.addr_bytes, 0xff, 6);
	check_match("dl_src=52:54:00:ab:cd:ef", &k, &m);
	check_match("dl_src=52:54:00:AB:CD:EF", &k, &m);
	clear(&k, &m);
	memcpy(k.dl_dst.addr_bytes, "\x01\x00\x5e\x00\x00\x00", 6);
	memcpy(m.dl_dst.addr_bytes, "\xff\xff\xff\x80\x00\x00", 6);
	check_match("dl_dst=01:00:5e:7f:12:34/ff:ff:ff:80:00:00", &k, &m);

	clear(&k, &m);
	set_ip(&k, &m, 0x88cc, -1);
	check_match("dl_type=0x88cc", &k, &m);
	check_match("dl_type=35020", &k, &m);
	parse_ok("dl_type=0x0806", FLOW_PARSE_FILTER, &r);
	b = (const uint8_t *)&r.key.dl_type;
	assert_true(b[0] == 0x08 && b[1] == 0x06);
	flow_rule_free(&r);

	/* vlan_tci is host order: PCP in bits 13-15, VID in 0-11. */
	clear(&k, &m);
	k.vlan_tci = 100;
	m.vlan_tci = FLOW_VLAN_VID_MASK;
	check_match("dl_vlan=100", &k, &m);
	k.vlan_tci = 3 << 13 | 100;
	m.vlan_tci = FLOW_VLAN_VID_MASK | FLOW_VLAN_PCP_MASK;
	check_match("dl_vlan=100,dl_vlan_pcp=3", &k, &m);
	check_match("dl_vlan_pcp=3,dl_vlan=100", &k, &m);
	parse_ok("dl_vlan_pcp=7,dl_vlan=4095", FLOW_PARSE_FILTER, &r);
	assert_int_equal(r.key.vlan_tci, 0xefff);
	assert_int_equal(r.mask.vlan_tci, 0xefff);
	flow_rule_free(&r);
	clear(&k, &m);
	m.vlan_tci = FLOW_VLAN_VID_MASK;
	check_match("dl_vlan=0", &k, &m);

	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, -1);
	k.nw_src = ip4("10.1.2.3");
	m.nw_src = 0xffffffff;
	k.nw_dst = ip4("192.168.0.0");
	m.nw_dst = ip4("255.255.0.0");
	check_match("ip,nw_src=10.1.2.3,nw_dst=192.168.7.9/16", &k, &m);
	parse_ok("nw_dst=10.20.30.40,ip", FLOW_PARSE_FILTER, &r);
	b = (const uint8_t *)&r.key.nw_dst;
	assert_true(b[0] == 10 && b[1] == 20 && b[2] == 30 && b[3] == 40);
	flow_rule_free(&r);

	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_ARP, -1);
	k.nw_src = ip4("10.0.0.1");
	m.nw_src = 0xffffffff;
	k.nw_dst = ip4("10.0.0.2");
	m.nw_dst = 0xffffffff;
	k.nw_proto = 2;
	m.nw_proto = 0xff;
	check_match("arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=2", &k, &m);
	check_match("arp,nw_src=10.0.0.1,nw_dst=10.0.0.2,arp_op=2", &k, &m);

	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV6, -1);
	ip6("2001:db8::1", k.ipv6_src);
	memset(m.ipv6_src, 0xff, 16);
	ip6("fe80::", k.ipv6_dst);
	memset(m.ipv6_dst, 0xff, 8);
	check_match("ipv6,ipv6_src=2001:db8::1,ipv6_dst=fe80::1234/64", &k, &m);

	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 47);
	check_match("ip,nw_proto=47", &k, &m);
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV6, 0);
	check_match("ipv6,nw_proto=0", &k, &m);

	/* nw_tos and ip_dscp match the DSCP bits only. */
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, -1);
	k.nw_tos = 0xb8;
	m.nw_tos = 0xfc;
	check_match("ip,nw_tos=184", &k, &m);
	check_match("ip,ip_dscp=46", &k, &m);
	check_match("ip,ip_dscp=46,nw_tos=184", &k, &m);
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV6, -1);
	k.nw_ttl = 1;
	m.nw_ttl = 0xff;
	check_match("ipv6,nw_ttl=1", &k, &m);

	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 6);
	k.tp_src = rte_cpu_to_be_16(1024);
	m.tp_src = rte_cpu_to_be_16(0xfc00);
	k.tp_dst = rte_cpu_to_be_16(443);
	m.tp_dst = 0xffff;
	check_match("tcp,tp_src=0x0400/0xfc00,tp_dst=443", &k, &m);
	check_match("tcp,tp_src=1500/64512,tp_dst=0x1bb", &k, &m);
	parse_ok("udp6,tp_dst=0x1234", FLOW_PARSE_FILTER, &r);
	b = (const uint8_t *)&r.key.tp_dst;
	assert_true(b[0] == 0x12 && b[1] == 0x34);
	assert_int_equal(r.key.dl_type, RTE_BE16(FLOW_ETH_IPV6));
	assert_int_equal(r.key.nw_proto, 17);
	flow_rule_free(&r);
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 132);
	k.tp_dst = rte_cpu_to_be_16(9);
	m.tp_dst = 0xffff;
	check_match("sctp,tp_dst=9", &k, &m);

	/* tcp_flags: network order, numbers or +flag/-flag. */
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 6);
	k.tcp_flags = rte_cpu_to_be_16(0x002);
	m.tcp_flags = rte_cpu_to_be_16(0x012);
	check_match("tcp,tcp_flags=+syn-ack", &k, &m);
	check_match("tcp,tcp_flags=0x002/0x012", &k, &m);
	check_match("tcp,tcp_flags=-ack+syn", &k, &m);
	m.tcp_flags = rte_cpu_to_be_16(FLOW_TCP_FLAGS_MASK);
	check_match("tcp,tcp_flags=2", &k, &m);
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV6);
	k.tcp_flags = rte_cpu_to_be_16(0x1ff);
	m.tcp_flags = rte_cpu_to_be_16(0x1ff);
	check_match("tcp6,tcp_flags=+fin+syn+rst+psh+ack+urg+ece+cwr+ns", &k, &m);
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
	k.tcp_flags = 0;
	check_match("tcp,tcp_flags=-fin-syn-rst-psh-ack-urg-ece-cwr-ns", &k, &m);
	parse_ok("tcp,tcp_flags=0x100/0x100", FLOW_PARSE_FILTER, &r);
	b = (const uint8_t *)&r.key.tcp_flags;
	assert_true(b[0] == 0x01 && b[1] == 0x00);
	flow_rule_free(&r);

	/* ICMP type and code live in tp_src and tp_dst as htons(n). */
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 1);
	k.tp_src = rte_cpu_to_be_16(8);
	m.tp_src = rte_cpu_to_be_16(0xff);
	k.tp_dst = rte_cpu_to_be_16(255);
	m.tp_dst = rte_cpu_to_be_16(0xff);
	check_match("icmp,icmp_type=8,icmp_code=255", &k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV6, 58);
	check_match("icmp6,icmp_type=8,icmp_code=255", &k, &m);
	check_match("ipv6,nw_proto=58,icmp_code=255,icmp_type=8", &k, &m);
	parse_ok("icmp,icmp_type=3", FLOW_PARSE_FILTER, &r);
	b = (const uint8_t *)&r.key.tp_src;
	assert_true(b[0] == 0 && b[1] == 3);
	flow_rule_free(&r);
}

static void
test_shorthands(void **state)
{
	static const struct {
		const char *name;
		uint16_t dl_type;
		int nw_proto;
	} cases[] = {
		{"ip", FLOW_ETH_IPV4, -1},
		{"ipv6", FLOW_ETH_IPV6, -1},
		{"arp", FLOW_ETH_ARP, -1},
		{"tcp", FLOW_ETH_IPV4, 6},
		{"udp", FLOW_ETH_IPV4, 17},
		{"sctp", FLOW_ETH_IPV4, 132},
		{"icmp", FLOW_ETH_IPV4, 1},
		{"tcp6", FLOW_ETH_IPV6, 6},
		{"udp6", FLOW_ETH_IPV6, 17},
		{"sctp6", FLOW_ETH_IPV6, 132},
		{"icmp6", FLOW_ETH_IPV6, 58},
	};
	struct flow_key k, m;
	char text[64];

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		clear(&k, &m);
		set_ip(&k, &m, cases[i].dl_type, cases[i].nw_proto);
		check_match(cases[i].name, &k, &m);
		/* The same thing twice, or spelled out, agrees. */
		snprintf(text, sizeof(text), " %s , %s ", cases[i].name, cases[i].name);
		check_match(text, &k, &m);
		snprintf(text, sizeof(text), "dl_type=0x%04x,%s", cases[i].dl_type, cases[i].name);
		check_match(text, &k, &m);
	}
	clear(&k, &m);
	set_ip(&k, &m, FLOW_ETH_IPV4, 6);
	check_match("ip,tcp", &k, &m);
	check_match("tcp,ip,nw_proto=6", &k, &m);
	check_match("dl_type=0x0800,nw_proto=6", &k, &m);
}

static void
test_masks(void **state)
{
	static const struct {
		const char *text;
		const char *addr, *mask;
	} v4[] = {
		{"ip,nw_dst=10.1.2.3/24", "10.1.2.0", "255.255.255.0"},
		{"ip,nw_dst=10.1.2.3/32", "10.1.2.3", "255.255.255.255"},
		{"ip,nw_dst=10.1.2.3/0", "0.0.0.0", "0.0.0.0"},
		{"ip,nw_dst=10.1.2.3/1", "0.0.0.0", "128.0.0.0"},
		{"ip,nw_dst=10.1.2.3/31", "10.1.2.2", "255.255.255.254"},
		{"ip,nw_dst=10.1.2.3/255.255.0.0", "10.1.0.0", "255.255.0.0"},
		{"ip,nw_dst=10.1.2.3/255.0.255.0", "10.0.2.0", "255.0.255.0"},
	};
	static const struct {
		const char *text;
		const char *addr, *mask;
	} v6[] = {
		{"ipv6,ipv6_src=2001:db8:1:2:3:4:5:6/64",
		 "2001:db8:1:2::", "ffff:ffff:ffff:ffff::"},
		{"ipv6,ipv6_src=2001:db8::1/128",
		 "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"ipv6,ipv6_src=2001:db8::1/0", "::", "::"},
		{"ipv6,ipv6_src=2001:db8:ffff::/33", "2001:db8:8000::", "ffff:ffff:8000::"},
		{"ipv6,ipv6_src=2001:db8::ff/ffff::ff", "2001::ff", "ffff::ff"},
	};
	struct flow_rule r;
	uint8_t a[16];

	for (size_t i = 0; i < RTE_DIM(v4); i++) {
		parse_ok(v4[i].text, FLOW_PARSE_FILTER, &r);
		assert_int_equal(r.key.nw_dst, ip4(v4[i].addr));
		assert_int_equal(r.mask.nw_dst, ip4(v4[i].mask));
		assert_int_equal(r.mask.nw_src, 0);
		flow_rule_free(&r);
	}
	for (size_t i = 0; i < RTE_DIM(v6); i++) {
		parse_ok(v6[i].text, FLOW_PARSE_FILTER, &r);
		ip6(v6[i].addr, a);
		assert_memory_equal(r.key.ipv6_src, a, 16);
		ip6(v6[i].mask, a);
		assert_memory_equal(r.mask.ipv6_src, a, 16);
		flow_rule_free(&r);
	}
	/* Key bits outside the mask are dropped in every field. */
	parse_ok("tcp,tp_dst=0xffff/0x00f0,dl_src=ff:ff:ff:ff:ff:ff/0f:00:00:00:00:01,"
		 "tcp_flags=0xfff/0x003",
		 FLOW_PARSE_FILTER, &r);
	assert_int_equal(r.key.tp_dst, RTE_BE16(0x00f0));
	assert_memory_equal(r.key.dl_src.addr_bytes, "\x0f\x00\x00\x00\x00\x01", 6);
	assert_int_equal(r.key.tcp_flags, RTE_BE16(0x003));
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		assert_true((r.key.w[i] & r.mask.w[i]) == r.key.w[i]);
	flow_rule_free(&r);
}

static void
test_actions(void **state)
{
	struct flow_rule r;
	const struct flow_act *a;
	uint8_t addr[16];

	parse_ok("table=1,actions=output:up0,normal,flood,push_vlan:0x88a8,pop_vlan,strip_vlan,"
		 "mod_vlan_vid:42,dec_ttl,push_vlan:0x8100,output : vm1,goto_table:63",
		 FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 11);
	a = r.actions;
	assert_int_equal(a[0].type, FLOW_ACT_OUTPUT);
	assert_int_equal(a[0].arg, 2);
	assert_int_equal(a[1].type, FLOW_ACT_NORMAL);
	assert_int_equal(a[2].type, FLOW_ACT_FLOOD);
	assert_int_equal(a[3].type, FLOW_ACT_PUSH_VLAN);
	assert_int_equal(a[3].arg, 0x88a8);
	assert_int_equal(a[4].type, FLOW_ACT_POP_VLAN);
	assert_int_equal(a[5].type, FLOW_ACT_POP_VLAN);
	assert_int_equal(a[6].type, FLOW_ACT_SET_VLAN_VID);
	assert_int_equal(a[6].arg, 42);
	assert_int_equal(a[7].type, FLOW_ACT_DEC_TTL);
	assert_int_equal(a[8].arg, 0x8100);
	assert_int_equal(a[9].type, FLOW_ACT_OUTPUT);
	assert_int_equal(a[9].arg, 1);
	assert_int_equal(a[10].type, FLOW_ACT_GOTO_TABLE);
	assert_int_equal(a[10].arg, 63);
	for (int i = 0; i < r.n_actions; i++)
		assert_int_equal(a[i].copy, 0);
	flow_rule_free(&r);
	assert_null(r.actions);

	parse_ok("tcp,actions=set_field:52:54:00:00:00:01->dl_src,mod_dl_dst:52:54:00:00:00:02,"
		 "set_field:10.0.0.1->nw_src,mod_nw_dst:10.0.0.2,set_field:8080->tp_src,"
		 "mod_tp_dst:0x50,set_field:46->ip_dscp,mod_nw_tos:32,"
		 "set_field:1.2.3.4->ipv4_dst,set_field : 7 -> tcp_dst,"
		 "set_field:00:00:00:00:00:09->eth_dst",
		 FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 11);
	a = r.actions;
	assert_int_equal(a[0].type, FLOW_ACT_SET_DL_SRC);
	assert_memory_equal(a[0].val.mac.addr_bytes, "\x52\x54\x00\x00\x00\x01", 6);
	assert_int_equal(a[1].type, FLOW_ACT_SET_DL_DST);
	assert_memory_equal(a[1].val.mac.addr_bytes, "\x52\x54\x00\x00\x00\x02", 6);
	assert_int_equal(a[2].type, FLOW_ACT_SET_NW_SRC);
	assert_memory_equal(&a[2].val.ip4, "\x0a\x00\x00\x01", 4);
	assert_int_equal(a[3].type, FLOW_ACT_SET_NW_DST);
	assert_memory_equal(&a[3].val.ip4, "\x0a\x00\x00\x02", 4);
	assert_int_equal(a[4].type, FLOW_ACT_SET_TP_SRC);
	assert_memory_equal(&a[4].val.port, "\x1f\x90", 2);
	assert_int_equal(a[5].type, FLOW_ACT_SET_TP_DST);
	assert_memory_equal(&a[5].val.port, "\x00\x50", 2);
	assert_int_equal(a[6].type, FLOW_ACT_SET_DSCP);
	assert_int_equal(a[6].arg, 46);
	assert_int_equal(a[7].type, FLOW_ACT_SET_DSCP);
	assert_int_equal(a[7].arg, 8);
	assert_int_equal(a[8].type, FLOW_ACT_SET_NW_DST);
	assert_int_equal(a[9].type, FLOW_ACT_SET_TP_DST);
	assert_int_equal(a[9].val.port, RTE_BE16(7));
	assert_int_equal(a[10].type, FLOW_ACT_SET_DL_DST);
	flow_rule_free(&r);

	parse_ok("udp6,actions=set_field:2001:db8::1->ipv6_src,set_field:fe80::2->ipv6_dst,"
		 "set_field:53->udp_src,set_field:54->tp_dst,set_field:0->ip_dscp",
		 FLOW_PARSE_MODIFY, &r);
	a = r.actions;
	assert_int_equal(a[0].type, FLOW_ACT_SET_IPV6_SRC);
	ip6("2001:db8::1", addr);
	assert_memory_equal(a[0].val.ip6, addr, 16);
	assert_int_equal(a[1].type, FLOW_ACT_SET_IPV6_DST);
	ip6("fe80::2", addr);
	assert_memory_equal(a[1].val.ip6, addr, 16);
	assert_int_equal(a[2].type, FLOW_ACT_SET_TP_SRC);
	assert_int_equal(a[3].type, FLOW_ACT_SET_TP_DST);
	assert_int_equal(a[4].type, FLOW_ACT_SET_DSCP);
	flow_rule_free(&r);

	/* drop alone compiles to nothing. */
	parse_ok("actions=drop", FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 0);
	assert_null(r.actions);
	flow_rule_free(&r);
	parse_ok("actions= drop ", FLOW_PARSE_MODIFY, &r);
	assert_int_equal(r.n_actions, 0);
	flow_rule_free(&r);

	/* Exactly the maximum. */
	{
		char text[FLOW_TEXT_MAX + 1] = "actions=flood";

		for (int i = 1; i < FLOW_MAX_ACTIONS; i++)
			strcat(text, ",flood");
		parse_ok(text, FLOW_PARSE_ADD, &r);
		assert_int_equal(r.n_actions, FLOW_MAX_ACTIONS);
		flow_rule_free(&r);
		strcat(text, ",normal");
		parse_bad(text, FLOW_PARSE_ADD, "at \"normal\": more than 32 actions");
	}
}

static void
test_format(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"tp_dst=80,tcp,priority=100,in_port=vm1,nw_dst=10.0.0.0/24,actions=output:up0",
		 "table=0,priority=100,in_port=vm1,tcp,nw_dst=10.0.0.0/24,tp_dst=80,"
		 "actions=output:up0"},
		{"priority=0,actions=normal", "table=0,priority=0,actions=normal"},
		{"actions=drop", "table=0,priority=32768,actions=drop"},
		{"hard_timeout=20,idle_timeout=10,cookie=5,table=2,priority=7,actions=drop",
		 "table=2,priority=7,cookie=0x5,idle_timeout=10,hard_timeout=20,actions=drop"},
		{"arp,arp_spa=10.0.0.1,arp_tpa=10.1.2.3/255.0.255.0,arp_op=2,actions=flood",
		 "table=0,priority=32768,arp,arp_spa=10.0.0.1,arp_tpa=10.0.2.0/255.0.255.0,"
		 "arp_op=2,actions=flood"},
		{"arp,nw_src=10.0.0.1,actions=flood",
		 "table=0,priority=32768,arp,arp_spa=10.0.0.1,actions=flood"},
		{"dl_type=0x88cc,actions=drop",
		 "table=0,priority=32768,dl_type=0x88cc,actions=drop"},
		{"ip,nw_proto=47,actions=drop",
		 "table=0,priority=32768,ip,nw_proto=47,actions=drop"},
		{"ipv6,nw_proto=58,actions=drop", "table=0,priority=32768,icmp6,actions=drop"},
		{"dl_type=0x0800,nw_proto=6,actions=drop",
		 "table=0,priority=32768,tcp,actions=drop"},
		{"icmp,icmp_code=0,icmp_type=8,actions=drop",
		 "table=0,priority=32768,icmp,icmp_type=8,icmp_code=0,actions=drop"},
		{"udp,tp_src=0x1000/0xf000,tp_dst=53,actions=drop",
		 "table=0,priority=32768,udp,tp_src=0x1000/0xf000,tp_dst=53,actions=drop"},
		{"tcp,tcp_flags=+syn-ack,actions=drop",
		 "table=0,priority=32768,tcp,tcp_flags=0x002/0x012,actions=drop"},
		{"tcp,tcp_flags=2,actions=drop",
		 "table=0,priority=32768,tcp,tcp_flags=0x002,actions=drop"},
		{"dl_src=AA:BB:CC:DD:EE:FF,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop",
		 "table=0,priority=32768,dl_src=aa:bb:cc:dd:ee:ff,"
		 "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop"},
		{"dl_vlan_pcp=5,dl_vlan=10,actions=drop",
		 "table=0,priority=32768,dl_vlan=10,dl_vlan_pcp=5,actions=drop"},
		{"ip,nw_tos=32,nw_ttl=64,actions=drop",
		 "table=0,priority=32768,ip,ip_dscp=8,nw_ttl=64,actions=drop"},
		{"ipv6,ipv6_dst=2001:db8:0:0::1/64,ipv6_src=::1,actions=drop",
		 "table=0,priority=32768,ipv6,ipv6_src=::1,ipv6_dst=2001:db8::/64,actions=drop"},
		{"in_port=ghost,actions=output:ghost",
		 "table=0,priority=32768,in_port=?,actions=output:?"},
		{"ip,nw_dst=10.0.0.0/0,actions=drop", "table=0,priority=32768,ip,actions=drop"},
		{"tcp,actions=strip_vlan,mod_nw_tos:8,mod_dl_src:00:00:00:00:00:01,"
		 "set_field:1.2.3.4->ipv4_dst,mod_tp_src:80,set_field:9->udp_dst",
		 "table=0,priority=32768,tcp,actions=pop_vlan,set_field:2->ip_dscp,"
		 "set_field:00:00:00:00:00:01->dl_src,set_field:1.2.3.4->nw_dst,"
		 "set_field:80->tp_src,set_field:9->tp_dst"},
		{"actions=push_vlan:33024,mod_vlan_vid:0x10,goto_table:1",
		 "table=0,priority=32768,actions=push_vlan:0x8100,mod_vlan_vid:16,goto_table:1"},
	};
	struct flow_rule r;
	char buf[256];
	int n;

	for (size_t i = 0; i < RTE_DIM(cases); i++)
		check_format(cases[i].in, cases[i].out);

	/* The parts alone, and snprintf's truncation. */
	parse_ok("priority=5,in_port=vm1,udp,tp_dst=53,actions=output:up0,normal", FLOW_PARSE_ADD,
		 &r);
	n = flow_match_format(&r, port_name, &cb_arg, buf, sizeof(buf));
	assert_string_equal(buf, "in_port=vm1,udp,tp_dst=53");
	assert_int_equal(n, strlen(buf));
	n = flow_actions_format(r.actions, r.n_actions, port_name, &cb_arg, buf, sizeof(buf));
	assert_string_equal(buf, "output:up0,normal");
	assert_int_equal(n, strlen(buf));
	n = flow_rule_format(&r, port_name, &cb_arg, buf, 11);
	assert_int_equal(n, strlen("table=0,priority=5,in_port=vm1,udp,tp_dst=53,"
				   "actions=output:up0,normal"));
	assert_string_equal(buf, "table=0,pr");
	n = flow_rule_format(&r, port_name, &cb_arg, NULL, 0);
	assert_int_equal(n, strlen("table=0,priority=5,in_port=vm1,udp,tp_dst=53,"
				   "actions=output:up0,normal"));
	memset(buf, 'x', sizeof(buf));
	n = flow_rule_format(&r, NULL, NULL, buf, 1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	flow_rule_free(&r);
	n = flow_actions_format(NULL, 0, port_name, &cb_arg, buf, sizeof(buf));
	assert_string_equal(buf, "drop");
	assert_int_equal(n, 4);

	parse_ok("actions=drop", FLOW_PARSE_ADD, &r);
	n = flow_match_format(&r, port_name, &cb_arg, buf, sizeof(buf));
	assert_int_equal(n, 0);
	assert_string_equal(buf, "");
	flow_rule_free(&r);

	/* A rule made in code rather than parsed, like a bridge's first rule. */
	memset(&r, 0, sizeof(r));
	r.has_table = true;
	r.n_actions = 1;
	r.actions = calloc(1, sizeof(*r.actions));
	assert_non_null(r.actions);
	r.actions[0].type = FLOW_ACT_NORMAL;
	format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "table=0,priority=0,actions=normal");
	flow_rule_free(&r);

	/* Filters show only what they say. */
	parse_ok("cookie=0x10/0xf0,ip", FLOW_PARSE_FILTER, &r);
	format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "cookie=0x10/0xf0,ip,actions=drop");
	flow_rule_free(&r);
	parse_ok("cookie=0,table=4", FLOW_PARSE_FILTER, &r);
	format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "table=4,cookie=0x0,actions=drop");
	flow_rule_free(&r);
}

static void
test_round_trip(void **state)
{
	static const char *const rules[] = {
		"actions=drop",
		"priority=0,actions=normal",
		"table=5,priority=65535,cookie=0xffffffffffffffff,idle_timeout=1,"
		"hard_timeout=65535,actions=flood",
		"in_port=vm1,actions=output:up0",
		"in_port=tap-x,dl_src=52:54:00:00:00:01,actions=output:vm2,output:vm1",
		"dl_dst=01:00:5e:00:00:00/ff:ff:ff:80:00:00,actions=flood",
		"dl_vlan=10,actions=pop_vlan,output:up0",
		"dl_vlan=0,dl_vlan_pcp=7,actions=mod_vlan_vid:4095,normal",
		"dl_vlan_pcp=0,actions=push_vlan:0x88a8,output:up0",
		"dl_type=0x88cc,actions=drop",
		"arp,actions=normal",
		"arp,arp_op=1,arp_tpa=10.0.0.1,actions=flood",
		"arp,arp_spa=10.0.0.0/255.0.0.255,actions=output:vm1",
		"ip,actions=dec_ttl,normal",
		"ip,nw_src=10.0.0.0/8,nw_dst=192.168.1.1,actions=set_field:10.0.0.9->nw_src,"
		"output:up0",
		"ip,nw_dst=0.0.0.0/1,actions=mod_nw_dst:1.1.1.1,output:up0",
		"ip,nw_proto=89,nw_ttl=1,actions=drop",
		"ip,ip_dscp=63,actions=set_field:0->ip_dscp,normal",
		"ipv6,nw_tos=252,actions=mod_nw_tos:4,normal",
		"tcp,tp_dst=80,actions=set_field:8080->tp_dst,set_field:52:54:00:00:00:02->dl_dst,"
		"output:vm1",
		"tcp,tp_src=0/0xfc00,tcp_flags=+syn-ack-rst,actions=output:vm2",
		"tcp,tcp_flags=0x000/0x001,actions=drop",
		"tcp,tcp_flags=0xfff,actions=drop",
		"udp,tp_src=68,tp_dst=67,actions=normal",
		"udp,tp_dst=0x0035/0xffff,actions=mod_tp_src:1000,mod_tp_dst:53,output:up0",
		"sctp,tp_dst=9,actions=output:up0",
		"icmp,icmp_type=8,icmp_code=0,actions=normal",
		"icmp6,icmp_type=135,actions=flood",
		"tcp6,ipv6_src=2001:db8::/32,tp_dst=22,actions=set_field:fe80::1->ipv6_src,"
		"set_field:::->ipv6_dst,output:vm1",
		"udp6,ipv6_dst=ff02::1:ff00:0/104,actions=flood",
		"ipv6,ipv6_src=::1/ffff::1,actions=drop",
		"sctp6,nw_ttl=255,actions=dec_ttl,goto_table:2",
		"table=62,actions=goto_table:63",
		"table=1,in_port=vm1,dl_vlan=5,ip,actions=pop_vlan,push_vlan:0x8100,mod_vlan_vid:6,"
		"set_field:aa:bb:cc:dd:ee:ff->eth_src,mod_dl_dst:00:11:22:33:44:55,dec_ttl,"
		"set_field:10.1.1.1->ipv4_src,set_field:10.2.2.2->ipv4_dst,set_field:7->ip_dscp,"
		"output:up0,normal,flood,goto_table:9",
		"udp,actions=set_field:1->udp_src,set_field:2->udp_dst,set_field:3->tcp_src,"
		"set_field:4->tcp_dst,output:up0",
		"priority=1,cookie=1,in_port=vm2,tcp,nw_src=1.2.3.4,nw_dst=5.6.7.8/30,nw_tos=4,"
		"nw_ttl=3,tp_src=1,tp_dst=2,tcp_flags=-fin,dl_src=00:00:00:00:00:01,"
		"dl_dst=00:00:00:00:00:02,dl_vlan=3,dl_vlan_pcp=4,actions=output:vm1",
	};
	static const char *const filters[] = {
		"",
		"table=0",
		"priority=100",
		"cookie=0",
		"cookie=0x10/0xf0,in_port=vm1",
		"cookie=0xffff/0xffffffffffffffff,tcp,tp_dst=80",
		"cookie=3/0",
		"table=7,priority=1,ipv6,ipv6_dst=::/0",
	};

	for (size_t i = 0; i < RTE_DIM(rules); i++) {
		check_round_trip(rules[i], FLOW_PARSE_ADD);
		/* Rules being modified keep their timeouts. */
		if (strstr(rules[i], "timeout") == NULL)
			check_round_trip(rules[i], FLOW_PARSE_MODIFY);
	}
	for (size_t i = 0; i < RTE_DIM(filters); i++)
		check_round_trip(filters[i], FLOW_PARSE_FILTER);
}

static void
test_spec_errors(void **state)
{
	parse_bad_exact("priority=70000,actions=drop", FLOW_PARSE_ADD,
			"at \"priority=70000\": expected a number from 0 to 65535");
	parse_bad_exact("tcp,tp_dst=http,actions=drop", FLOW_PARSE_ADD,
			"at \"tp_dst=http\": expected a port number or number/mask");
	parse_bad_exact("foo=1,actions=drop", FLOW_PARSE_ADD, "at \"foo=1\": unknown field foo");
	parse_bad_exact("in_port=vm9,actions=drop", FLOW_PARSE_ADD,
			"at \"in_port=vm9\": no port vm9");
	parse_bad_exact("in_port=busy", FLOW_PARSE_FILTER,
			"at \"in_port=busy\": port busy: Device or resource busy");
	parse_bad_exact("actions=output:vm9", FLOW_PARSE_ADD, "at \"output:vm9\": no port vm9");
	parse_bad_exact("actions=outptu:up0", FLOW_PARSE_ADD,
			"at \"outptu:up0\": unknown action outptu; expected one of output, normal, "
			"flood, drop, push_vlan, pop_vlan, mod_vlan_vid, set_field, mod_dl_src, "
			"mod_dl_dst, mod_nw_src, mod_nw_dst, mod_tp_src, mod_tp_dst, mod_nw_tos, "
			"dec_ttl, goto_table, ct, controller");
	parse_bad_exact("tp_dst=80,actions=drop", FLOW_PARSE_ADD,
			"at \"tp_dst=80\": needs tcp, udp or sctp (nw_proto=6, 17 or 132)");
	parse_bad_exact("actions=goto_table:0", FLOW_PARSE_ADD,
			"at \"goto_table:0\": goto_table must go to a later table than 0");
	parse_bad_exact("actions=set_field:10.0.0.1->nw_dst", FLOW_PARSE_ADD,
			"at \"set_field:10.0.0.1->nw_dst\": needs ip in the match");
	parse_bad_exact("ip,actions=drop", FLOW_PARSE_FILTER,
			"at \"actions=drop\": a filter takes no actions");
	parse_bad_exact("idle_timeout=5", FLOW_PARSE_FILTER,
			"at \"idle_timeout=5\": only a rule being added has timeouts");
	parse_bad_exact("hard_timeout=5,actions=drop", FLOW_PARSE_MODIFY,
			"at \"hard_timeout=5\": only a rule being added has timeouts");
	parse_bad_exact("tcp,udp", FLOW_PARSE_FILTER,
			"at \"udp\": conflicts with an earlier nw_proto=6");
	parse_bad_exact("", FLOW_PARSE_ADD, "a rule needs actions=; use actions=drop to drop");
}

static void
test_prerequisites(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
		{"ip,tp_dst=80", "at \"tp_dst=80\": needs tcp, udp"},
		{"arp,arp_op=6,tp_src=80", "at \"tp_src=80\": needs tcp, udp"},
		{"icmp,tp_src=1", "at \"tp_src=1\": needs tcp, udp"},
		{"nw_src=10.0.0.1", "at \"nw_src=10.0.0.1\": needs ip or arp"},
		{"ipv6,nw_dst=10.0.0.1", "at \"nw_dst=10.0.0.1\": needs ip or arp"},
		{"ip,arp_spa=10.0.0.1", "at \"arp_spa=10.0.0.1\": needs arp"},
		{"arp_tpa=10.0.0.1", "at \"arp_tpa=10.0.0.1\": needs arp"},
		{"ip,arp_op=1", "at \"arp_op=1\": needs arp"},
		{"nw_proto=6", "at \"nw_proto=6\": needs ip or ipv6"},
		{"arp,nw_proto=1", "at \"nw_proto=1\": needs ip or ipv6"},
		{"nw_tos=4", "at \"nw_tos=4\": needs ip or ipv6"},
		{"arp,ip_dscp=4", "at \"ip_dscp=4\": needs ip or ipv6"},
		{"nw_ttl=4", "at \"nw_ttl=4\": needs ip or ipv6"},
		{"ip,ipv6_src=::1", "at \"ipv6_src=::1\": needs ipv6"},
		{"ipv6_dst=::1", "at \"ipv6_dst=::1\": needs ipv6"},
		{"udp,tcp_flags=+syn", "at \"tcp_flags=+syn\": needs tcp"},
		{"tcp_flags=2", "at \"tcp_flags=2\": needs tcp"},
		{"tcp,icmp_type=3", "at \"icmp_type=3\": needs icmp or icmp6"},
		{"ip,nw_proto=58,icmp_code=3", "at \"icmp_code=3\": needs icmp or icmp6"},
		{"ipv6,nw_proto=1,icmp_code=3", "at \"icmp_code=3\": needs icmp or icmp6"},
		/* The first item at fault is named. */
		{"tp_dst=80,nw_src=1.2.3.4", "at \"tp_dst=80\""},
	};
	static const char *const fine[] = {
		"tp_dst=80,tcp", "nw_dst=10.0.0.1,ip", "nw_proto=1,dl_type=0x86dd",
		"icmp_type=3,icmp", "tcp_flags=+fin,tcp6", "ipv6_src=::1,ipv6", "arp_op=1,arp",
		"tp_src=5,sctp6", "nw_ttl=9,ipv6",
	};
	struct flow_rule r;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		parse_bad(cases[i].text, FLOW_PARSE_FILTER, cases[i].expect);
		assert_ptr_equal(strstr(err, "at \""), err);
	}
	for (size_t i = 0; i < RTE_DIM(fine); i++) {
		parse_ok(fine[i], FLOW_PARSE_FILTER, &r);
		flow_rule_free(&r);
	}

	/* set_field needs the header it writes in the rule's own match. */
	parse_bad("ipv6,actions=mod_nw_src:1.2.3.4", FLOW_PARSE_ADD,
		  "at \"mod_nw_src:1.2.3.4\": needs ip in the match");
	parse_bad("ip,actions=set_field:::1->ipv6_dst", FLOW_PARSE_ADD,
		  "at \"set_field:::1->ipv6_dst\": needs ipv6 in the match");
	parse_bad("sctp,actions=set_field:1->tp_src", FLOW_PARSE_ADD,
		  "at \"set_field:1->tp_src\": needs tcp or udp in the match");
	parse_bad("ip,actions=mod_tp_dst:1", FLOW_PARSE_MODIFY,
		  "at \"mod_tp_dst:1\": needs tcp or udp in the match");
	parse_bad("arp,actions=set_field:1->ip_dscp", FLOW_PARSE_ADD,
		  "at \"set_field:1->ip_dscp\": needs ip or ipv6 in the match");
	parse_bad("actions=mod_nw_tos:4", FLOW_PARSE_ADD,
		  "at \"mod_nw_tos:4\": needs ip or ipv6 in the match");
	parse_ok("actions=mod_dl_src:00:00:00:00:00:01", FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);
}

static void
test_conflicts(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
		{"ip,ipv6", "at \"ipv6\": conflicts with an earlier dl_type=0x0800"},
		{"dl_type=0x0806,tcp", "at \"tcp\": conflicts with an earlier dl_type=0x0806"},
		{"tcp6,icmp6,ipv6", "at \"icmp6\": conflicts with an earlier nw_proto=6"},
		{"ip,nw_proto=17,tcp", "at \"tcp\": conflicts with an earlier nw_proto=17"},
		{"in_port=vm1,in_port=up0",
		 "at \"in_port=up0\": conflicts with an earlier in_port"},
		{"ip,nw_dst=10.0.0.1,nw_dst=10.0.0.2",
		 "at \"nw_dst=10.0.0.2\": conflicts with an earlier nw_dst=10.0.0.1"},
		{"ip,nw_dst=10.0.0.0/8,nw_dst=10.0.0.0/16",
		 "at \"nw_dst=10.0.0.0/16\": conflicts with an earlier nw_dst=10.0.0.0/8"},
		{"dl_vlan=1,dl_vlan=2", "at \"dl_vlan=2\": conflicts with an earlier dl_vlan=1"},
		{"dl_vlan_pcp=1,dl_vlan=5,dl_vlan_pcp=2",
		 "at \"dl_vlan_pcp=2\": conflicts with an earlier dl_vlan_pcp=1"},
		{"ip,nw_tos=8,ip_dscp=3", "at \"ip_dscp=3\": conflicts with an earlier ip_dscp=2"},
		{"tcp,tp_dst=80,tp_dst=81",
		 "at \"tp_dst=81\": conflicts with an earlier tp_dst=80"},
		{"dl_src=00:00:00:00:00:01,dl_src=00:00:00:00:00:02",
		 "conflicts with an earlier dl_src=00:00:00:00:00:01"},
		{"priority=1,priority=2",
		 "at \"priority=2\": conflicts with an earlier priority=1"},
		{"table=1,table=2", "at \"table=2\": conflicts with an earlier table=1"},
		{"cookie=1,cookie=2", "at \"cookie=2\": conflicts with an earlier cookie=0x1"},
	};
	static const char *const fine[] = {
		"ip,tcp",
		"tcp,tcp",
		"ip,nw_dst=10.0.0.1,nw_dst=10.0.0.1",
		"dl_vlan=5,dl_vlan_pcp=3",
		"ip,nw_tos=8,ip_dscp=2",
		"priority=1,priority=1",
		"arp,nw_src=1.2.3.4,arp_spa=1.2.3.4",
		"tcp,tp_dst=80,tp_dst=0x50/0xffff",
	};
	struct flow_rule r;

	for (size_t i = 0; i < RTE_DIM(cases); i++)
		parse_bad(cases[i].text, FLOW_PARSE_FILTER, cases[i].expect);
	for (size_t i = 0; i < RTE_DIM(fine); i++) {
		parse_ok(fine[i], FLOW_PARSE_FILTER, &r);
		flow_rule_free(&r);
	}
}

static void
test_out_of_range(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
		{"table=64,actions=drop", "at \"table=64\": expected a number from 0 to 63"},
		{"priority=65536,actions=drop",
		 "at \"priority=65536\": expected a number from 0 to 65535"},
		{"cookie=0x10000000000000000,actions=drop", "at \"cookie=0x10000000000000000\""},
		{"cookie=18446744073709551616,actions=drop", "at \"cookie=18446744073709551616\""},
		{"idle_timeout=65536,actions=drop", "at \"idle_timeout=65536\": expected a number"},
		{"hard_timeout=99999,actions=drop", "at \"hard_timeout=99999\": expected a number"},
		{"dl_type=0x10000,actions=drop", "at \"dl_type=0x10000\": expected a number"},
		{"dl_vlan=4096,actions=drop",
		 "at \"dl_vlan=4096\": expected a number from 0 to 4095"},
		{"dl_vlan_pcp=8,actions=drop",
		 "at \"dl_vlan_pcp=8\": expected a number from 0 to 7"},
		{"ip,nw_src=10.0.0.0/33,actions=drop",
		 "at \"nw_src=10.0.0.0/33\": expected an IPv4"},
		{"ip,nw_dst=256.0.0.1,actions=drop", "at \"nw_dst=256.0.0.1\": expected an IPv4"},
		{"ipv6,ipv6_src=::/129,actions=drop", "at \"ipv6_src=::/129\": expected an IPv6"},
		{"ip,nw_proto=256,actions=drop",
		 "at \"nw_proto=256\": expected a number from 0 to 255"},
		{"ip,nw_tos=256,actions=drop", "at \"nw_tos=256\": expected a multiple of 4"},
		{"ip,nw_tos=5,actions=drop", "at \"nw_tos=5\": expected a multiple of 4"},
		{"ip,ip_dscp=64,actions=drop", "at \"ip_dscp=64\": expected a number from 0 to 63"},
		{"ip,nw_ttl=256,actions=drop",
		 "at \"nw_ttl=256\": expected a number from 0 to 255"},
		{"tcp,tp_src=65536,actions=drop", "at \"tp_src=65536\": expected a port number"},
		{"tcp,tp_dst=1/0x10000,actions=drop", "at \"tp_dst=1/0x10000\": expected a port"},
		{"tcp,tcp_flags=0x1000,actions=drop", "at \"tcp_flags=0x1000\": expected a number"},
		{"tcp,tcp_flags=1/0x1000,actions=drop", "at \"tcp_flags=1/0x1000\": expected a"},
		{"icmp,icmp_type=256,actions=drop",
		 "at \"icmp_type=256\": expected a number from 0"},
		{"icmp,icmp_code=300,actions=drop",
		 "at \"icmp_code=300\": expected a number from 0"},
		{"arp,arp_op=256,actions=drop",
		 "at \"arp_op=256\": expected a number from 0 to 255"},
		{"actions=push_vlan:0x8101", "at \"push_vlan:0x8101\": expected push_vlan:0x8100"},
		{"actions=mod_vlan_vid:4096", "at \"mod_vlan_vid:4096\": expected a VLAN ID"},
		{"actions=goto_table:64", "at \"goto_table:64\": expected a table from 0 to 63"},
		{"ip,actions=set_field:64->ip_dscp",
		 "at \"set_field:64->ip_dscp\": expected a number"},
		{"ip,actions=mod_nw_tos:256", "at \"mod_nw_tos:256\": expected a multiple of 4"},
		{"ip,actions=mod_nw_tos:3", "at \"mod_nw_tos:3\": expected a multiple of 4"},
		{"tcp,actions=mod_tp_dst:65536", "at \"mod_tp_dst:65536\": expected a port number"},
		{"ip,actions=mod_nw_src:1.2.3.256",
		 "at \"mod_nw_src:1.2.3.256\": expected an IPv4"},
		{"actions=set_field:00:00:00:00:00:100->dl_src", "expected an Ethernet address"},
		{"ipv6,actions=set_field:1::2::3->ipv6_src", "expected an IPv6 address"},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++)
		parse_bad(cases[i].text, FLOW_PARSE_ADD, cases[i].expect);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *text;
		enum flow_parse_mode mode;
		const char *expect;
	} cases[] = {
		{"ip,nw_src=10.0.0.,actions=drop", FLOW_PARSE_ADD,
		 "at \"nw_src=10.0.0.\": expected"},
		{"ip,nw_src=10.0.0.1/,actions=drop", FLOW_PARSE_ADD, "at \"nw_src=10.0.0.1/\""},
		{"ip,nw_src=10.0.0.1/255.0,actions=drop", FLOW_PARSE_ADD,
		 "at \"nw_src=10.0.0.1/255.0\""},
		{"ipv6,ipv6_dst=fe80::1/", FLOW_PARSE_FILTER, "at \"ipv6_dst=fe80::1/\": expected"},
		{"ipv6,ipv6_dst=fe80:::1", FLOW_PARSE_FILTER, "at \"ipv6_dst=fe80:::1\": expected"},
		{"dl_src=00:11:22:33:44", FLOW_PARSE_FILTER,
		 "at \"dl_src=00:11:22:33:44\": expected"},
		{"dl_src=00:11:22:33:44:5", FLOW_PARSE_FILTER, "at \"dl_src=00:11:22:33:44:5\""},
		{"dl_src=00:11:22:33:44:555", FLOW_PARSE_FILTER,
		 "at \"dl_src=00:11:22:33:44:555\""},
		{"dl_src=00-11-22-33-44-55", FLOW_PARSE_FILTER, "at \"dl_src=00-11-22-33-44-55\""},
		{"dl_dst=00:11:22:33:44:55/ff", FLOW_PARSE_FILTER,
		 "at \"dl_dst=00:11:22:33:44:55/ff\""},
		{"tcp,tp_dst=", FLOW_PARSE_FILTER, "at \"tp_dst=\": expected a port number"},
		{"tcp,tp_dst=-1", FLOW_PARSE_FILTER, "at \"tp_dst=-1\": expected a port number"},
		{"tcp,tp_dst=80/", FLOW_PARSE_FILTER, "at \"tp_dst=80/\": expected a port number"},
		{"tcp,tcp_flags=+syn-", FLOW_PARSE_FILTER, "at \"tcp_flags=+syn-\": expected"},
		{"tcp,tcp_flags=+syn-syn", FLOW_PARSE_FILTER,
		 "at \"tcp_flags=+syn-syn\": expected"},
		{"tcp,tcp_flags=+foo", FLOW_PARSE_FILTER, "at \"tcp_flags=+foo\": expected"},
		{"tcp,tcp_flags=syn", FLOW_PARSE_FILTER, "at \"tcp_flags=syn\": expected"},
		{"cookie=0x", FLOW_PARSE_FILTER, "at \"cookie=0x\": expected a number"},
		{"priority=", FLOW_PARSE_FILTER, "at \"priority=\": expected a number"},
		{"priority=1 2", FLOW_PARSE_FILTER, "at \"priority=1 2\": expected a number"},
		{"priority=+1", FLOW_PARSE_FILTER, "at \"priority=+1\": expected a number"},
		{"priority", FLOW_PARSE_FILTER, "at \"priority\": expected priority=VALUE"},
		{"tp_dst", FLOW_PARSE_FILTER, "at \"tp_dst\": expected tp_dst=VALUE"},
		{"tcp=1", FLOW_PARSE_FILTER, "at \"tcp=1\": tcp takes no value"},
		{"in_port=", FLOW_PARSE_FILTER, "at \"in_port=\": expected a port name"},
		{"dl_type=ip", FLOW_PARSE_FILTER, "at \"dl_type=ip\": expected a number"},
		{"cookie=1/1,actions=drop", FLOW_PARSE_ADD, "at \"cookie=1/1\": only a filter"},
		{"ip,,tcp", FLOW_PARSE_FILTER, "at \"ip\": is followed by an empty item"},
		{"ip,", FLOW_PARSE_FILTER, "at \"ip\": is followed by an empty item"},
		{",ip", FLOW_PARSE_FILTER, "the rule starts with an empty item"},
		{"actions", FLOW_PARSE_ADD, "at \"actions\": unknown field actions"},
		{"ip", FLOW_PARSE_ADD, "a rule needs actions=; use actions=drop to drop"},
		{"ip", FLOW_PARSE_MODIFY, "a rule needs actions=; use actions=drop to drop"},
		{"actions=", FLOW_PARSE_ADD, "a rule needs actions=; use actions=drop to drop"},
		{"ip, actions =  ", FLOW_PARSE_MODIFY, "a rule needs actions=; use actions=drop"},
		{"actions=flood,,normal", FLOW_PARSE_ADD, "at \"flood\": is followed by an empty"},
		{"actions=flood,", FLOW_PARSE_ADD, "at \"flood\": is followed by an empty action"},
		{"actions=,flood", FLOW_PARSE_ADD, "the actions start with an empty one"},
		{"actions=drop,output:vm1", FLOW_PARSE_ADD, "at \"drop\": drop cannot be combined"},
		{"actions=output:vm1,drop", FLOW_PARSE_ADD, "at \"drop\": drop cannot be combined"},
		{"actions=drop,drop", FLOW_PARSE_ADD, "at \"drop\": drop cannot be combined"},
		{"actions=drop:1", FLOW_PARSE_ADD, "at \"drop:1\": drop takes no argument"},
		{"actions=normal:1", FLOW_PARSE_ADD, "at \"normal:1\": normal takes no argument"},
		{"actions=output", FLOW_PARSE_ADD, "at \"output\": expected output:PORT"},
		{"actions=output:", FLOW_PARSE_ADD, "at \"output:\": expected a port name"},
		{"actions=push_vlan", FLOW_PARSE_ADD,
		 "at \"push_vlan\": expected push_vlan:0x8100"},
		{"actions=goto_table:x", FLOW_PARSE_ADD, "at \"goto_table:x\": expected a table"},
		{"table=5,actions=goto_table:3", FLOW_PARSE_ADD,
		 "at \"goto_table:3\": goto_table must go to a later table than 5"},
		{"table=5,actions=goto_table:5", FLOW_PARSE_MODIFY, "a later table than 5"},
		{"actions=goto_table:1,output:vm1", FLOW_PARSE_ADD,
		 "at \"goto_table:1\": goto_table must be the last action"},
		{"actions=goto_table:1,goto_table:2", FLOW_PARSE_ADD,
		 "at \"goto_table:1\": goto_table must be the last action"},
		{"actions=set_field:1", FLOW_PARSE_ADD,
		 "at \"set_field:1\": expected set_field:VALUE->"},
		{"actions=set_field", FLOW_PARSE_ADD,
		 "at \"set_field\": expected set_field:VALUE->"},
		{"actions=set_field:1->foo", FLOW_PARSE_ADD,
		 "at \"set_field:1->foo\": cannot set foo"},
		{"actions=set_field:->dl_src", FLOW_PARSE_ADD, "expected an Ethernet address"},
		{"ip,actions=set_field:10.0.0.1/8->nw_dst", FLOW_PARSE_ADD,
		 "expected an IPv4 address"},
		{"actions=mod_dl_src", FLOW_PARSE_ADD,
		 "at \"mod_dl_src\": expected mod_dl_src:VALUE"},
		{"actions=Output:vm1", FLOW_PARSE_ADD, "unknown action Output;"},
		{"ip,actions=normal", FLOW_PARSE_FILTER, "a filter takes no actions"},
		{"actions=", FLOW_PARSE_FILTER, "at \"actions=\": a filter takes no actions"},
		{"ip,actions=normal", 7, "unknown parse mode 7"},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++)
		parse_bad(cases[i].text, cases[i].mode, cases[i].expect);
}

static void
test_bad_bytes_and_lengths(void **state)
{
	char text[FLOW_TEXT_MAX + 2];
	struct flow_rule r;
	char small[12];
	int ret;

	parse_bad("\x01\x02\xff", FLOW_PARSE_FILTER,
		  "at \"\\x01\\x02\\xff\": unexpected byte 0x01");
	parse_bad("ip,nw_src=1.2.3.4\x80,actions=drop", FLOW_PARSE_ADD,
		  "at \"nw_src=1.2.3.4\\x80\": unexpected byte 0x80");
	parse_bad("actions=output:vm\x7f", FLOW_PARSE_ADD,
		  "at \"output:vm\\x7f\": unexpected byte 0x7f");
	parse_bad("ip,\"=1,actions=drop", FLOW_PARSE_ADD, "at \"\\x22=1\": unknown field \"");
	/* Spaces of every kind around items are fine. */
	parse_ok("\t ip \r\n,\vactions\f=\tdrop\n", FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);

	/* FLOW_TEXT_MAX characters are accepted, one more is not. */
	memset(text, ' ', sizeof(text));
	memcpy(text, "ip", 2);
	memcpy(text + FLOW_TEXT_MAX - strlen(",actions=drop"), ",actions=drop",
	       strlen(",actions=drop"));
	text[FLOW_TEXT_MAX] = '\0';
	parse_ok(text, FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);
	memset(text, ' ', sizeof(text));
	memcpy(text, "ip", 2);
	memcpy(text + FLOW_TEXT_MAX + 1 - strlen(",actions=drop"), ",actions=drop",
	       strlen(",actions=drop"));
	text[FLOW_TEXT_MAX + 1] = '\0';
	parse_bad_exact(text, FLOW_PARSE_ADD, "rule is longer than 1024 characters");

	/* Short forms that grow past the limit when written out are refused. */
	strcpy(text, "tcp,actions=");
	for (int i = 0; i < FLOW_MAX_ACTIONS; i++) {
		if (i > 0)
			strcat(text, ",");
		strcat(text, "mod_dl_src:00:00:00:00:00:01");
	}
	assert_true(strlen(text) <= FLOW_TEXT_MAX);
	parse_bad(text, FLOW_PARSE_ADD, "rule is longer than 1024 characters when written out");
	/* The measure counts the port names the text gives: 26 actions written
	 * out make 1008 characters, 27 make 1044. */
	for (int n = 26; n <= 27; n++) {
		char big[2 * FLOW_TEXT_MAX];

		strcpy(text, "tcp,in_port=tap-x,actions=output:tap-x");
		for (int i = 0; i < n; i++)
			strcat(text, ",mod_dl_src:00:00:00:00:00:01");
		strcat(text, ",output:vm2");
		if (n == 27) {
			parse_bad(text, FLOW_PARSE_ADD, "(1044)");
			continue;
		}
		parse_ok(text, FLOW_PARSE_ADD, &r);
		format(&r, big, sizeof(big));
		assert_int_equal(strlen(big), 1008);
		flow_rule_free(&r);
	}

	/* An action list is quoted only in part. */
	memset(text, 0, sizeof(text));
	strcpy(text, "actions=");
	for (int i = 0; i < 40; i++)
		strcat(text, "normal,");
	parse_bad(text, FLOW_PARSE_FILTER, "...\": a filter takes no actions");
	assert_true(strlen(err) < 140);

	/* Messages are cut to errlen with a NUL; no err at all is fine too. */
	memset(small, 'x', sizeof(small));
	ret = flow_rule_parse("foo=1,actions=drop", FLOW_PARSE_ADD, port_id, &cb_arg, &r, small,
			      sizeof(small) - 1);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(small, "at \"foo=1\"");
	assert_int_equal(small[11], 'x');
	flow_rule_free(&r);
	ret = flow_rule_parse("foo=1,actions=drop", FLOW_PARSE_ADD, port_id, &cb_arg, &r, NULL, 0);
	assert_int_equal(ret, -EINVAL);
	flow_rule_free(&r);
	ret = flow_rule_parse("in_port=vm1", FLOW_PARSE_FILTER, NULL, NULL, &r, err, sizeof(err));
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, "at \"in_port=vm1\": no port vm1");
	flow_rule_free(&r);
	ret = flow_rule_parse(NULL, FLOW_PARSE_FILTER, port_id, &cb_arg, &r, err, sizeof(err));
	assert_int_equal(ret, 0);
	flow_rule_free(&r);
}

/* xorshift64: the same sequence on every run. */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random rules built from valid and broken pieces, some bytes flipped: the
 * parser returns 0 or -EINVAL, always writes a message on failure, and
 * whatever it accepts formats back to the same rule. */
static void
test_random_rules(void **state)
{
	static const char *const items[] = {
		"ip", "ipv6", "arp", "tcp", "udp", "sctp", "icmp", "tcp6", "udp6", "icmp6",
		"in_port=vm1", "in_port=up0", "dl_src=00:00:00:00:00:01",
		"dl_dst=01:00:00:00:00:00/01:00:00:00:00:00", "dl_vlan=7", "dl_vlan_pcp=2",
		"dl_type=0x88cc",
		"nw_src=10.0.0.0/8", "nw_dst=10.1.2.3", "arp_spa=1.2.3.4", "arp_tpa=1.2.3.0/24",
		"ipv6_src=2001:db8::/32", "ipv6_dst=::1", "nw_proto=6", "nw_proto=58", "arp_op=1",
		"nw_tos=8", "ip_dscp=3", "nw_ttl=1", "tp_src=80", "tp_dst=0x100/0xff00",
		"tcp_flags=+syn", "tcp_flags=0x10/0x10", "icmp_type=8", "icmp_code=1", "table=1",
		"table=3", "priority=9", "cookie=0x77", "cookie=0x7/0xf", "idle_timeout=3",
		"hard_timeout=4", "foo=1", "nw_src=1.2.", ",", " ",
	};
	static const char *const acts[] = {
		"output:vm1", "output:up0", "normal", "flood", "drop", "push_vlan:0x8100",
		"pop_vlan", "mod_vlan_vid:9", "dec_ttl", "goto_table:2", "goto_table:5",
		"set_field:00:00:00:00:00:05->dl_dst", "mod_nw_src:1.1.1.1",
		"set_field:::2->ipv6_dst", "mod_tp_dst:99", "set_field:7->ip_dscp", "mod_nw_tos:12",
		"output:nope", "",
	};
	static const enum flow_parse_mode modes[] = {FLOW_PARSE_ADD, FLOW_PARSE_MODIFY,
						     FLOW_PARSE_FILTER};
	uint64_t seed = 0x9e3779b97f4a7c15;
	unsigned int accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		enum flow_parse_mode mode = modes[next_random(&seed) % 3];
		unsigned int n_items = next_random(&seed) % 5, n_acts = next_random(&seed) % 4;
		char text[FLOW_TEXT_MAX + 1] = "";
		struct flow_rule r;
		int ret;

		for (unsigned int i = 0; i < n_items; i++) {
			if (i > 0)
				strcat(text, ",");
			strcat(text, items[next_random(&seed) % RTE_DIM(items)]);
		}
		if (n_acts > 0 || next_random(&seed) % 4 == 0) {
			strcat(text, n_items > 0 ? ",actions=" : "actions=");
			for (unsigned int i = 0; i < n_acts; i++) {
				if (i > 0)
					strcat(text, ",");
				strcat(text, acts[next_random(&seed) % RTE_DIM(acts)]);
			}
		}
		if (text[0] != '\0' && next_random(&seed) % 8 == 0) {
			size_t at = next_random(&seed) % strlen(text);

			text[at] = (char)(1 + next_random(&seed) % 255);
		}

		ret = parse(text, mode, &r);
		if (ret == 0) {
			flow_rule_free(&r);
			check_round_trip(text, mode);
			accepted++;
		} else {
			if (ret != -EINVAL)
				fail_msg("\"%s\": returned %d", text, ret);
			assert_non_null(memchr(err, '\0', sizeof(err)));
			assert_true(strlen(err) > 0);
			flow_rule_free(&r);
		}
	}
	/* Enough of them parse for the round trip to mean something. */
	assert_true(accepted > 1000);
}

static void
test_covered_by(void **state)
{
	static const struct {
		const char *rule, *filter;
		bool covered;
	} cases[] = {
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "", true},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "ip", true},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "tcp", true},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "udp", false},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "ip,nw_dst=10.0.0.0/8", true},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "ip,nw_dst=11.0.0.0/8", false},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "tcp,tp_dst=80", true},
		{"tcp,nw_dst=10.0.0.1,tp_dst=80", "tcp,tp_dst=81", false},
		{"ip,nw_dst=10.1.0.0/16", "ip,nw_dst=10.0.0.0/8", true},
		/* Less specific than the filter: not covered, though they overlap. */
		{"ip,nw_dst=10.0.0.0/8", "ip,nw_dst=10.1.0.0/16", false},
		{"ip", "tcp", false},
		{"in_port=vm1,dl_vlan=5", "in_port=vm1", true},
		{"in_port=vm1,dl_vlan=5", "in_port=up0", false},
		{"dl_vlan=5,dl_vlan_pcp=1", "dl_vlan_pcp=1", true},
		{"cookie=0x1234", "cookie=0x1200/0xff00", true},
		{"cookie=0x1234", "cookie=0x1300/0xff00", false},
		{"cookie=0x1234", "cookie=0x1234", true},
		{"cookie=0x1234", "cookie=0", false},
		{"cookie=0x1234", "table=5,priority=1", true},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct flow_rule r, f;
		char text[256];

		snprintf(text, sizeof(text), "%s,actions=drop", cases[i].rule);
		parse_ok(text, FLOW_PARSE_ADD, &r);
		parse_ok(cases[i].filter, FLOW_PARSE_FILTER, &f);
		if (flow_rule_covered_by(&r, &f) != cases[i].covered)
			fail_msg("\"%s\" covered by \"%s\": expected %d", cases[i].rule,
				 cases[i].filter, cases[i].covered);
		flow_rule_free(&r);
		flow_rule_free(&f);
	}
}

static void
test_overlaps(void **state)
{
	static const struct {
		const char *a, *b;
		bool overlap;
	} cases[] = {
		{"", "tcp,tp_dst=80", true},
		{"ip,nw_dst=10.0.0.0/8", "ip,nw_dst=10.1.2.3", true},
		{"ip,nw_dst=10.0.0.0/8", "ip,nw_dst=11.0.0.1", false},
		{"tcp", "udp", false},
		{"ip", "ipv6", false},
		{"ip", "tcp,tp_dst=80", true},
		{"in_port=vm1", "dl_vlan=5", true},
		{"in_port=vm1", "in_port=up0", false},
		{"tcp,tp_dst=0x0050/0xfff0", "tcp,tp_dst=81", true},
		{"tcp,tp_dst=0x0050/0xfff0", "tcp,tp_dst=96", false},
		{"dl_vlan=5", "dl_vlan_pcp=3", true},
		{"dl_dst=01:00:00:00:00:00/01:00:00:00:00:00", "dl_dst=00:00:00:00:00:01", false},
		{"tcp,tcp_flags=+syn", "tcp,tcp_flags=-syn+ack", false},
		{"tcp,tcp_flags=+syn", "tcp,tcp_flags=+ack", true},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct flow_rule a, b;

		parse_ok(cases[i].a, FLOW_PARSE_FILTER, &a);
		parse_ok(cases[i].b, FLOW_PARSE_FILTER, &b);
		if (flow_rule_overlaps(&a, &b) != cases[i].overlap ||
		    flow_rule_overlaps(&b, &a) != cases[i].overlap)
			fail_msg("\"%s\" and \"%s\": expected overlap %d", cases[i].a, cases[i].b,
				 cases[i].overlap);
		assert_true(flow_rule_overlaps(&a, &a));
		flow_rule_free(&a);
		flow_rule_free(&b);
	}
}

static void
test_copy(void **state)
{
	struct flow_rule a, b;

	parse_ok("table=2,cookie=9,tcp,tp_dst=80,actions=output:vm1,mod_tp_dst:8080,output:up0",
		 FLOW_PARSE_ADD, &a);
	assert_int_equal(flow_rule_copy(&b, &a), 0);
	assert_ptr_not_equal(a.actions, b.actions);
	assert_rules_equal(&a, &b);
	flow_rule_free(&a);
	assert_int_equal(b.n_actions, 3);
	assert_int_equal(b.actions[2].arg, 2);
	flow_rule_free(&b);
	assert_null(b.actions);
	assert_int_equal(b.n_actions, 0);
	flow_rule_free(&b); /* twice is harmless */
	flow_rule_free(NULL);

	parse_ok("ip,actions=drop", FLOW_PARSE_ADD, &a);
	memset(&b, 0xa5, sizeof(b));
	assert_int_equal(flow_rule_copy(&b, &a), 0);
	assert_null(b.actions);
	assert_rules_equal(&a, &b);
	flow_rule_free(&a);
	flow_rule_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_shorthands),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_prerequisites),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bad_bytes_and_lengths),
		cmocka_unit_test(test_random_rules),
		cmocka_unit_test(test_covered_by),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
