/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection tracking in flow rule text (bridge/flow_rule.c): the ct_state
 * and ct_zone match fields and the ct(...) action, down to the bytes of the
 * key and of struct ct_args, their canonical forms, every error message,
 * and the action list's splitting around parentheses.
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

#include <rte_byteorder.h>
#include <rte_common.h>

#include "bridge/flow_rule.h"

static const struct {
	const char *name;
	uint16_t id;
} ports[] = {
	{"vm1", 1},
	{"up0", 2},
};

static int
port_id(const char *name, void *arg)
{
	RTE_SET_USED(arg);
	for (size_t i = 0; i < RTE_DIM(ports); i++)
		if (strcmp(name, ports[i].name) == 0)
			return ports[i].id;
	return -ENOENT;
}

static const char *
port_name(uint16_t id, void *arg)
{
	RTE_SET_USED(arg);
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
	return flow_rule_parse(text, mode, port_id, NULL, r, err, sizeof(err));
}

static void
parse_ok(const char *text, enum flow_parse_mode mode, struct flow_rule *r)
{
	if (parse(text, mode, r) != 0)
		fail_msg("\"%s\": %s", text, err);
	assert_string_equal(err, "");
}

/* Fails with -EINVAL and a message containing expect. */
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
parse_bad_exact(const char *text, const char *expect)
{
	parse_bad(text, FLOW_PARSE_ADD, expect);
	assert_string_equal(err, expect);
}

static void
assert_rules_equal(const struct flow_rule *a, const struct flow_rule *b)
{
	assert_int_equal(a->table, b->table);
	assert_int_equal(a->priority, b->priority);
	assert_memory_equal(&a->key, &b->key, sizeof(a->key));
	assert_memory_equal(&a->mask, &b->mask, sizeof(a->mask));
	assert_int_equal(a->n_actions, b->n_actions);
	if (a->n_actions > 0)
		assert_memory_equal(a->actions, b->actions, a->n_actions * sizeof(*a->actions));
}

static void
format(const struct flow_rule *r, char *buf, size_t len)
{
	int n = flow_rule_format(r, port_name, NULL, buf, len);

	assert_true(n > 0 && (size_t)n < len);
	assert_int_equal(strlen(buf), n);
}

/* Parses text (a rule being added) and checks its canonical form. */
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

/* parse(format(r)) == r, and the canonical form is a fixed point. */
static void
check_round_trip(const char *text)
{
	struct flow_rule a, b;
	char once[2048], twice[2048];

	parse_ok(text, FLOW_PARSE_ADD, &a);
	format(&a, once, sizeof(once));
	if (parse(once, FLOW_PARSE_ADD, &b) != 0)
		fail_msg("\"%s\" formats as \"%s\", which does not parse: %s", text, once, err);
	assert_rules_equal(&a, &b);
	format(&b, twice, sizeof(twice));
	assert_string_equal(once, twice);
	flow_rule_free(&a);
	flow_rule_free(&b);
}

/* A filter's ct_state and ct_zone, and that nothing else is set. */
static void
check_ct_match(const char *text, uint8_t state, uint8_t state_mask, uint16_t zone,
	       uint16_t zone_mask)
{
	struct flow_key k, m;
	struct flow_rule r;

	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	k.ct_state = state;
	m.ct_state = state_mask;
	k.ct_zone = zone;
	m.ct_zone = zone_mask;
	parse_ok(text, FLOW_PARSE_FILTER, &r);
	if (memcmp(&r.key, &k, sizeof(k)) != 0 || memcmp(&r.mask, &m, sizeof(m)) != 0)
		fail_msg("\"%s\": ct_state 0x%02x/0x%02x ct_zone %u/0x%04x, expected "
			 "0x%02x/0x%02x %u/0x%04x (or other bytes set)",
			 text, r.key.ct_state, r.mask.ct_state, r.key.ct_zone, r.mask.ct_zone,
			 state, state_mask, zone, zone_mask);
	flow_rule_free(&r);
}

/* The one ct action of text must be exactly *expect (unset bytes zero). */
static void
check_ct_action(const char *text, const struct ct_args *expect)
{
	struct flow_act want;
	struct flow_rule r;

	memset(&want, 0, sizeof(want));
	want.type = FLOW_ACT_CT;
	want.val.ct = *expect;
	parse_ok(text, FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 1);
	if (memcmp(&r.actions[0], &want, sizeof(want)) != 0) {
		const struct ct_args *g = &r.actions[0].val.ct;

		fail_msg("\"%s\": type %u flags 0x%02x zone %u table %u ip 0x%08x-0x%08x "
			 "ports %u-%u; expected flags 0x%02x zone %u table %u ip "
			 "0x%08x-0x%08x ports %u-%u",
			 text, r.actions[0].type, g->flags, g->zone, g->table,
			 rte_be_to_cpu_32(g->ip_min), rte_be_to_cpu_32(g->ip_max), g->port_min,
			 g->port_max, expect->flags, expect->zone, expect->table,
			 rte_be_to_cpu_32(expect->ip_min), rte_be_to_cpu_32(expect->ip_max),
			 expect->port_min, expect->port_max);
	}
	flow_rule_free(&r);
}

static void
test_ct_state_values(void **state)
{
	RTE_SET_USED(state);
	/* Flags: the mask is the named bits, the value the + ones. */
	check_ct_match("ct_state=+trk+new", 0x21, 0x21, 0, 0);
	check_ct_match("ct_state=+new+trk", 0x21, 0x21, 0, 0);
	check_ct_match("ct_state=-trk", 0x00, 0x20, 0, 0);
	check_ct_match("ct_state=+trk+est-rpl", 0x22, 0x2a, 0, 0);
	check_ct_match("ct_state=+trk+rel", 0x24, 0x24, 0, 0);
	check_ct_match("ct_state=+trk+inv", 0x30, 0x30, 0, 0);
	check_ct_match("ct_state=+snat-dnat", 0x40, 0xc0, 0, 0);
	check_ct_match("ct_state=+dnat", 0x80, 0x80, 0, 0);
	check_ct_match("ct_state=-new-est-rel-rpl-inv-trk-snat-dnat", 0x00, 0xff, 0, 0);
	check_ct_match("ct_state=+new+est+rel+rpl+inv+trk+snat+dnat", 0xff, 0xff, 0, 0);
	/* Numbers: exact without a mask, and the value is masked. */
	check_ct_match("ct_state=0x21", 0x21, 0xff, 0, 0);
	check_ct_match("ct_state=33", 0x21, 0xff, 0, 0);
	check_ct_match("ct_state=0x21/0x21", 0x21, 0x21, 0, 0);
	check_ct_match("ct_state=0xff/0x0f", 0x0f, 0x0f, 0, 0);
	check_ct_match("ct_state=0", 0x00, 0xff, 0, 0);
	check_ct_match("ct_state = +trk", 0x20, 0x20, 0, 0);
	/* ct_zone: host order, exact. */
	check_ct_match("ct_zone=5", 0, 0, 5, 0xffff);
	check_ct_match("ct_zone=0", 0, 0, 0, 0xffff);
	check_ct_match("ct_zone=65535", 0, 0, 65535, 0xffff);
	check_ct_match("ct_zone=0x1234", 0, 0, 0x1234, 0xffff);
	check_ct_match("ct_zone=7,ct_state=+trk-est", 0x20, 0x22, 7, 0xffff);
	/* Given twice the same way is one condition. */
	check_ct_match("ct_state=+trk,ct_state=+trk,ct_zone=3,ct_zone=3", 0x20, 0x20, 3, 0xffff);
}

static void
test_ct_match_placement(void **state)
{
	struct flow_rule r;

	RTE_SET_USED(state);
	/* The bytes themselves: ct_state is byte 1 of word 3 (byte 25), ct_zone
	 * bytes 4-5 of it (28-29, host order); nothing else is set. */
	assert_int_equal(offsetof(struct flow_key, ct_state), 25);
	assert_int_equal(offsetof(struct flow_key, ct_zone), 28);
	parse_ok("ct_state=+trk,ct_zone=0x0102", FLOW_PARSE_FILTER, &r);
	for (size_t i = 0; i < sizeof(struct flow_key); i++) {
		const uint16_t zone = 0x0102;
		uint8_t k = 0, m = 0;

		if (i == 25) {
			k = 0x20;
			m = 0x20;
		} else if (i == 28 || i == 29) {
			k = ((const uint8_t *)&zone)[i - 28];
			m = 0xff;
		}
		if (((const uint8_t *)&r.key)[i] != k || ((const uint8_t *)&r.mask)[i] != m)
			fail_msg("byte %zu: key 0x%02x mask 0x%02x, expected 0x%02x 0x%02x", i,
				 ((const uint8_t *)&r.key)[i], ((const uint8_t *)&r.mask)[i], k, m);
	}
	flow_rule_free(&r);
	/* No prerequisite: they go with any protocol or none. */
	parse_ok("arp,ct_state=-trk,ct_zone=1,actions=normal", FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);
	parse_ok("ct_state=+trk+est,actions=normal", FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);
	parse_ok("dl_type=0x88cc,ct_zone=9,actions=drop", FLOW_PARSE_ADD, &r);
	flow_rule_free(&r);
}

static void
test_ct_match_format(void **state)
{
	RTE_SET_USED(state);
	check_format("ct_state=+trk+new,actions=drop",
		     "table=0,priority=32768,ct_state=+new+trk,actions=drop");
	check_format("ct_state=-rpl+est+trk,actions=drop",
		     "table=0,priority=32768,ct_state=+est-rpl+trk,actions=drop");
	check_format("ct_state=0x21,actions=drop",
		     "table=0,priority=32768,ct_state=+new-est-rel-rpl-inv+trk-snat-dnat,"
		     "actions=drop");
	check_format("ct_state=0xc0/0xd0,actions=drop",
		     "table=0,priority=32768,ct_state=-inv+snat+dnat,actions=drop");
	/* A mask of nothing matches everything, so there is nothing to show. */
	check_format("ct_state=0x20/0,actions=drop", "table=0,priority=32768,actions=drop");
	check_format("ct_zone=0x10,actions=drop", "table=0,priority=32768,ct_zone=16,actions=drop");
	/* After in_port, before the protocol. */
	check_format("tcp,tp_dst=80,ct_zone=7,ct_state=-trk,in_port=vm1,actions=output:up0",
		     "table=0,priority=32768,in_port=vm1,ct_state=-trk,ct_zone=7,tcp,tp_dst=80,"
		     "actions=output:up0");
	check_format("priority=10,ct_state=+trk+est,ip,nw_dst=10.0.0.0/8,actions=normal",
		     "table=0,priority=10,ct_state=+est+trk,ip,nw_dst=10.0.0.0/8,actions=normal");
}

static void
test_ct_match_errors(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{"ct_state=+trk-trk,actions=drop",
		 "at \"ct_state=+trk-trk\": +trk and -trk contradict each other"},
		{"ct_state=-new+est+new,actions=drop",
		 "at \"ct_state=-new+est+new\": +new and -new contradict each other"},
		{"ct_state=+trk+trk,actions=drop", "at \"ct_state=+trk+trk\": +trk is given twice"},
		{"ct_state=-est-est,actions=drop", "at \"ct_state=-est-est\": -est is given twice"},
		{"ct_state=+trk+foo,actions=drop",
		 "at \"ct_state=+trk+foo\": unknown ct_state flag \"foo\"; expected +FLAG or "
		 "-FLAG with FLAG one of new, est, rel, rpl, inv, trk, snat, dnat"},
		{"ct_state=+TRK,actions=drop",
		 "at \"ct_state=+TRK\": unknown ct_state flag \"TRK\"; expected +FLAG or "
		 "-FLAG with FLAG one of new, est, rel, rpl, inv, trk, snat, dnat"},
		{"ct_state=+,actions=drop",
		 "at \"ct_state=+\": unknown ct_state flag \"\"; expected +FLAG or "
		 "-FLAG with FLAG one of new, est, rel, rpl, inv, trk, snat, dnat"},
		{"ct_state=trk,actions=drop",
		 "at \"ct_state=trk\": expected flags like +trk+est-rpl (new, est, rel, rpl, "
		 "inv, trk, snat, dnat) or a number or number/mask from 0 to 0xff"},
		{"ct_state=0x100,actions=drop",
		 "at \"ct_state=0x100\": expected flags like +trk+est-rpl (new, est, rel, rpl, "
		 "inv, trk, snat, dnat) or a number or number/mask from 0 to 0xff"},
		{"ct_state=1/0x100,actions=drop",
		 "at \"ct_state=1/0x100\": expected flags like +trk+est-rpl (new, est, rel, "
		 "rpl, inv, trk, snat, dnat) or a number or number/mask from 0 to 0xff"},
		{"ct_state=,actions=drop",
		 "at \"ct_state=\": expected flags like +trk+est-rpl (new, est, rel, rpl, "
		 "inv, trk, snat, dnat) or a number or number/mask from 0 to 0xff"},
		{"ct_state,actions=drop", "at \"ct_state\": expected ct_state=VALUE"},
		{"ct_zone=65536,actions=drop",
		 "at \"ct_zone=65536\": expected a number from 0 to 65535"},
		{"ct_zone=-1,actions=drop", "at \"ct_zone=-1\": expected a number from 0 to 65535"},
		{"ct_zone=1/1,actions=drop", "at \"ct_zone=1/1\": expected a number from 0 to 65535"},
		{"ct_zone=zone1,actions=drop",
		 "at \"ct_zone=zone1\": expected a number from 0 to 65535"},
		{"ct_state=+trk,ct_state=-trk,actions=drop",
		 "at \"ct_state=-trk\": conflicts with an earlier ct_state=+trk"},
		{"ct_state=+trk+est,ct_state=+trk,actions=drop",
		 "at \"ct_state=+trk\": conflicts with an earlier ct_state=+est+trk"},
		{"ct_zone=1,ct_zone=2,actions=drop",
		 "at \"ct_zone=2\": conflicts with an earlier ct_zone=1"},
	};

	RTE_SET_USED(state);
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		parse_bad_exact(cases[i].text, cases[i].expect);
}

static struct ct_args
ct(uint8_t flags, uint16_t zone, uint8_t table)
{
	struct ct_args a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.zone = zone;
	a.table = table;
	return a;
}

static struct ct_args
ct_nat(uint8_t flags, uint32_t ip_min, uint32_t ip_max, uint16_t port_min, uint16_t port_max)
{
	struct ct_args a = ct(flags, 0, 0);

	a.ip_min = rte_cpu_to_be_32(ip_min);
	a.ip_max = rte_cpu_to_be_32(ip_max);
	a.port_min = port_min;
	a.port_max = port_max;
	return a;
}

static void
test_ct_action_values(void **state)
{
	const uint8_t src = CT_F_COMMIT | CT_F_NAT | CT_F_NAT_SRC;
	const uint8_t dst = CT_F_COMMIT | CT_F_NAT | CT_F_NAT_DST;
	struct ct_args a;

	RTE_SET_USED(state);
	check_ct_action("ip,actions=ct()", &(struct ct_args){0});
	check_ct_action("ip,actions=ct", &(struct ct_args){0});
	check_ct_action("ipv6,actions=ct( )", &(struct ct_args){0});
	check_ct_action("tcp,actions=ct(commit)", &(struct ct_args){.flags = CT_F_COMMIT});
	a = ct(0, 5, 0);
	check_ct_action("udp,actions=ct(zone=5)", &a);
	a = ct(0, 65535, 0);
	check_ct_action("icmp,actions=ct(zone=0xffff)", &a);
	a = ct(CT_F_TABLE, 0, 2);
	check_ct_action("ip,actions=ct(table=2)", &a);
	/* Any table: the same one, an earlier one, table 0. */
	a = ct(CT_F_TABLE, 0, 7);
	check_ct_action("table=7,ip,actions=ct(table=7)", &a);
	a = ct(CT_F_TABLE, 0, 0);
	check_ct_action("table=63,ip,actions=ct(table=0)", &a);
	a = ct(CT_F_TABLE, 0, 63);
	check_ct_action("ip,actions=ct(table=63)", &a);
	a = ct(CT_F_NAT, 0, 0);
	check_ct_action("ip,actions=ct(nat)", &a);
	check_ct_action("ip,actions=ct(nat())", &a);
	a = ct(CT_F_COMMIT | CT_F_NAT | CT_F_TABLE, 9, 4);
	check_ct_action("tcp6,actions=ct(nat,table=4,zone=9,commit)", &a);

	a = ct_nat(src, 0xc000020a, 0xc000020a, 0, 0);
	check_ct_action("ip,actions=ct(commit,nat(src=192.0.2.10))", &a);
	a = ct_nat(src, 0xc000020a, 0xc0000214, 0, 0);
	check_ct_action("ip,actions=ct(commit,nat(src=192.0.2.10-192.0.2.20))", &a);
	a = ct_nat(src | CT_F_NAT_PORTS, 0xc000020a, 0xc000020a, 1024, 65535);
	check_ct_action("ip,actions=ct(commit,nat(src=192.0.2.10:1024-65535))", &a);
	a = ct_nat(dst | CT_F_NAT_PORTS, 0x0a000001, 0x0a000001, 80, 80);
	check_ct_action("tcp,actions=ct(commit,nat(dst=10.0.0.1:80))", &a);
	a = ct_nat(dst | CT_F_NAT_PORTS, 0x0a000001, 0x0a000009, 8080, 8081);
	check_ct_action("tcp,actions=ct(commit,nat(dst=10.0.0.1-10.0.0.9:8080-8081))", &a);
	a = ct_nat(src | CT_F_NAT_PORTS | CT_F_TABLE, 0xc000020a, 0xc0000214, 1024, 65535);
	a.zone = 5;
	a.table = 2;
	check_ct_action("ip,actions=ct(commit,zone=5,table=2,"
			"nat(src=192.0.2.10-192.0.2.20:1024-65535))",
			&a);
	/* Spaces around everything. */
	a = ct_nat(src | CT_F_NAT_PORTS, 0x0a000001, 0x0a000002, 5, 6);
	a.zone = 3;
	check_ct_action("ip,actions= ct ( commit , zone = 3 , nat ( src = 10.0.0.1 - "
			"10.0.0.2 : 5 - 6 ) ) ",
			&a);
}

static void
test_ct_action_list(void **state)
{
	struct flow_rule r;

	RTE_SET_USED(state);
	/* Commas inside the parentheses do not split the action list. */
	parse_ok("ip,actions=ct(commit,zone=1,nat(src=192.0.2.10:1024-65535)),output:up0",
		 FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 2);
	assert_int_equal(r.actions[0].type, FLOW_ACT_CT);
	assert_int_equal(r.actions[0].val.ct.flags,
			 CT_F_COMMIT | CT_F_NAT | CT_F_NAT_SRC | CT_F_NAT_PORTS);
	assert_int_equal(r.actions[0].val.ct.zone, 1);
	assert_int_equal(r.actions[0].val.ct.port_min, 1024);
	assert_int_equal(r.actions[0].val.ct.port_max, 65535);
	assert_int_equal(r.actions[1].type, FLOW_ACT_OUTPUT);
	assert_int_equal(r.actions[1].arg, 2);
	flow_rule_free(&r);

	/* Without table= other actions may follow; with it, it must be last. */
	parse_ok("ip,actions=ct(commit),output:up0", FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 2);
	flow_rule_free(&r);
	parse_ok("ip,actions=ct(zone=1),ct(zone=2,table=3)", FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 2);
	assert_int_equal(r.actions[0].val.ct.flags, 0);
	assert_int_equal(r.actions[1].val.ct.flags, CT_F_TABLE);
	assert_int_equal(r.actions[1].val.ct.table, 3);
	flow_rule_free(&r);
	parse_ok("ip,actions=output:vm1,ct(commit),goto_table:5", FLOW_PARSE_ADD, &r);
	assert_int_equal(r.n_actions, 3);
	assert_int_equal(r.actions[2].type, FLOW_ACT_GOTO_TABLE);
	flow_rule_free(&r);
	parse_ok("ip,actions=normal,ct(table=1)", FLOW_PARSE_MODIFY, &r);
	assert_int_equal(r.n_actions, 2);
	flow_rule_free(&r);
	parse_bad_exact("ip,actions=ct(table=1),output:up0",
			"at \"ct(table=1)\": ct with table= must be the last action");
	parse_bad_exact("ip,actions=ct(commit,table=1),ct(table=2)",
			"at \"ct(commit,table=1)\": ct with table= must be the last action");
	parse_bad_exact("ip,actions=ct(table=1),goto_table:2",
			"at \"ct(table=1)\": ct with table= must be the last action");
	parse_bad_exact("ip,actions=ct(table=1),drop",
			"at \"ct(table=1)\": ct with table= must be the last action");
	parse_bad_exact("ip,actions=goto_table:1,ct",
			"at \"goto_table:1\": goto_table must be the last action");
	/* Other names that start with ct are other (unknown) actions. */
	parse_bad("ip,actions=ctx", FLOW_PARSE_ADD, "at \"ctx\": unknown action ctx;");
	parse_bad("ip,actions=ct_clear", FLOW_PARSE_ADD, "unknown action ct_clear;");
	parse_bad("ip,actions=foo", FLOW_PARSE_ADD, "goto_table, ct");
}

static void
test_ct_action_format(void **state)
{
	RTE_SET_USED(state);
	check_format("ip,actions=ct", "table=0,priority=32768,ip,actions=ct()");
	check_format("ip,actions=ct(zone=0)", "table=0,priority=32768,ip,actions=ct()");
	check_format("ip,actions=ct(nat())", "table=0,priority=32768,ip,actions=ct(nat)");
	check_format("ip,actions=ct(nat(src=1.2.3.4),table=0x3,zone=0x10,commit)",
		     "table=0,priority=32768,ip,actions=ct(commit,zone=16,table=3,"
		     "nat(src=1.2.3.4))");
	check_format("tcp,actions=ct(commit,nat(dst=10.0.0.1-10.0.0.1:80-80))",
		     "table=0,priority=32768,tcp,actions=ct(commit,nat(dst=10.0.0.1:80))");
	check_format("ip,actions=ct(commit,zone=5,table=2,nat(src=192.0.2.10-192.0.2.20:"
		     "1024-65535))",
		     "table=0,priority=32768,ip,actions=ct(commit,zone=5,table=2,"
		     "nat(src=192.0.2.10-192.0.2.20:1024-65535))");
	check_format("ip,actions=ct(table=0)", "table=0,priority=32768,ip,actions=ct(table=0)");
	check_format("ipv6,actions=ct(zone=1,nat)",
		     "table=0,priority=32768,ipv6,actions=ct(zone=1,nat)");
	check_format("ip , actions = ct ( commit ) , output : up0",
		     "table=0,priority=32768,ip,actions=ct(commit),output:up0");
}

static void
test_ct_round_trip(void **state)
{
	static const char *const texts[] = {
		"ct_state=+trk,actions=drop",
		"ct_state=-trk,ip,actions=ct(table=1)",
		"table=1,ct_state=+trk+new,tcp,actions=ct(commit),normal",
		"table=1,ct_state=+trk+est,ip,actions=normal",
		"table=1,ct_state=+trk+est-rpl+rel,ct_zone=9,ip,actions=normal",
		"ct_state=+inv+trk,actions=drop",
		"ct_state=0x21/0x23,actions=drop",
		"ct_state=0x7e/0x5a,ct_zone=65535,actions=drop",
		"ct_state=+snat+dnat,udp,tp_dst=53,actions=output:up0",
		"ct_zone=0,ipv6,actions=ct(zone=0,table=2)",
		"in_port=vm1,ct_state=-trk,ip,actions=ct(zone=4,table=62)",
		"ip,actions=ct",
		"ip,actions=ct(nat)",
		"ip,actions=ct(commit,nat)",
		"ip,actions=ct(commit,zone=65535)",
		"ip,actions=ct(commit,nat(src=10.0.0.1))",
		"ip,actions=ct(commit,nat(src=10.0.0.1-10.0.0.255))",
		"ip,actions=ct(commit,nat(src=10.0.0.1:1))",
		"ip,actions=ct(commit,nat(src=10.0.0.1:1-65535))",
		"tcp,actions=ct(commit,nat(dst=0.0.0.0-255.255.255.255:65535))",
		"ip,actions=ct(commit,zone=5,table=2,nat(src=192.0.2.10-192.0.2.20:1024-65535))",
		"ip,actions=ct(zone=1),ct(commit,zone=2,nat(dst=10.1.1.1)),output:up0,"
		"ct(table=3)",
		"ip,actions=output:vm1,ct(commit),set_field:10.0.0.1->nw_dst,goto_table:9",
	};

	RTE_SET_USED(state);
	for (size_t i = 0; i < RTE_DIM(texts); i++)
		check_round_trip(texts[i]);
}

static void
test_ct_action_errors(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		/* The match must be IP. */
		{"actions=ct(commit)", "at \"ct(commit)\": ct needs ip or ipv6 in the match"},
		{"actions=ct", "at \"ct\": ct needs ip or ipv6 in the match"},
		{"arp,actions=ct()", "at \"ct()\": ct needs ip or ipv6 in the match"},
		{"dl_type=0x0801,actions=ct(table=1)",
		 "at \"ct(table=1)\": ct needs ip or ipv6 in the match"},
		/* Arguments. */
		{"ip,actions=ct(zone=65536)",
		 "at \"ct(zone=65536)\": zone=65536: expected zone=N from 0 to 65535"},
		{"ip,actions=ct(zone)", "at \"ct(zone)\": zone: expected zone=N from 0 to 65535"},
		{"ip,actions=ct(zone=)", "at \"ct(zone=)\": zone=: expected zone=N from 0 to 65535"},
		{"ip,actions=ct(zone=NXM_NX_REG0[0..15])",
		 "at \"ct(zone=NXM_NX_REG0[0..15])\": zone=NXM_NX_REG0[0..15]: expected zone=N "
		 "from 0 to 65535"},
		{"ip,actions=ct(table=64)",
		 "at \"ct(table=64)\": table=64: expected table=N from 0 to 63"},
		{"ip,actions=ct(table=-1)",
		 "at \"ct(table=-1)\": table=-1: expected table=N from 0 to 63"},
		{"ip,actions=ct(commit=1)", "at \"ct(commit=1)\": commit=1: commit takes no value"},
		{"ip,actions=ct(commit,commit)",
		 "at \"ct(commit,commit)\": ct argument commit is given twice"},
		{"ip,actions=ct(zone=1,zone=1)",
		 "at \"ct(zone=1,zone=1)\": ct argument zone is given twice"},
		{"ip,actions=ct(table=1,table=2)",
		 "at \"ct(table=1,table=2)\": ct argument table is given twice"},
		{"ip,actions=ct(commit,nat,nat(src=1.2.3.4))",
		 "at \"ct(commit,nat,nat(src=1.2.3.4))\": ct argument nat is given twice"},
		{"ip,actions=ct(foo)",
		 "at \"ct(foo)\": unknown ct argument \"foo\"; expected commit, zone=N, table=N, "
		 "nat, nat(src=RANGE) or nat(dst=RANGE)"},
		{"ip,actions=ct(commit,Zone=1)",
		 "at \"ct(commit,Zone=1)\": unknown ct argument \"Zone=1\"; expected commit, "
		 "zone=N, table=N, nat, nat(src=RANGE) or nat(dst=RANGE)"},
		{"ip,actions=ct(force,commit)",
		 "at \"ct(force,commit)\": ct argument force is not supported"},
		{"ip,actions=ct(commit,exec(set_field:1->ct_mark))",
		 "at \"ct(commit,exec(set_field:1->ct_mark))\": ct argument exec is not "
		 "supported"},
		{"ip,actions=ct(alg=ftp)", "at \"ct(alg=ftp)\": ct argument alg is not supported"},
		{"ip,actions=ct(commit,)", "at \"ct(commit,)\": ct has an empty argument"},
		{"ip,actions=ct(,commit)", "at \"ct(,commit)\": ct has an empty argument"},
		{"ip,actions=ct(commit,,zone=1)",
		 "at \"ct(commit,,zone=1)\": ct has an empty argument"},
		{"ip,actions=ct:1", "at \"ct:1\": expected ct(ARGS)"},
		{"ip,actions=ct=commit", "at \"ct=commit\": expected ct(ARGS)"},
		{"ip,actions=ct(commit)x",
		 "at \"ct(commit)x\": expected ct(ARGS) with nothing after its ')'"},
		{"ip,actions=ct(commit)(zone=1)",
		 "at \"ct(commit)(zone=1)\": expected ct(ARGS) with nothing after its ')'"},
		/* NAT. */
		{"ip,actions=ct(nat(src=1.2.3.4))",
		 "at \"ct(nat(src=1.2.3.4))\": nat(src=...) needs commit"},
		{"ip,actions=ct(zone=2,nat(dst=1.2.3.4:80))",
		 "at \"ct(zone=2,nat(dst=1.2.3.4:80))\": nat(dst=...) needs commit"},
		{"ip,actions=ct(commit,nat(src=10.0.0.9-10.0.0.1))",
		 "at \"ct(commit,nat(src=10.0.0.9-10.0.0.1))\": src=10.0.0.9-10.0.0.1: the first "
		 "address is after the last"},
		{"ip,actions=ct(commit,nat(src=10.0.0.1:0))",
		 "at \"ct(commit,nat(src=10.0.0.1:0))\": src=10.0.0.1:0: NAT ports are 1 to "
		 "65535, not 0"},
		{"ip,actions=ct(commit,nat(src=10.0.0.1:0-100))",
		 "at \"ct(commit,nat(src=10.0.0.1:0-100))\": src=10.0.0.1:0-100: NAT ports are 1 "
		 "to 65535, not 0"},
		{"ip,actions=ct(commit,nat(dst=10.0.0.1:90-80))",
		 "at \"ct(commit,nat(dst=10.0.0.1:90-80))\": dst=10.0.0.1:90-80: the first port "
		 "is after the last"},
		{"ip,actions=ct(commit,nat(dst=10.0.0.1:65536))",
		 "at \"ct(commit,nat(dst=10.0.0.1:65536))\": dst=10.0.0.1:65536: expected a port "
		 "or PORT-PORT from 1 to 65535"},
		{"ip,actions=ct(commit,nat(dst=10.0.0.1:))",
		 "at \"ct(commit,nat(dst=10.0.0.1:))\": dst=10.0.0.1:: expected a port or "
		 "PORT-PORT from 1 to 65535"},
		{"ip,actions=ct(commit,nat(dst=10.0.0.1:80:90))",
		 "at \"ct(commit,nat(dst=10.0.0.1:80:90))\": dst=10.0.0.1:80:90: expected a port "
		 "or PORT-PORT from 1 to 65535"},
		{"ip,actions=ct(commit,nat(src=10.0.0))",
		 "at \"ct(commit,nat(src=10.0.0))\": src=10.0.0: expected "
		 "src=IP[-IP][:PORT[-PORT]] with IPv4 addresses, like "
		 "src=192.0.2.1-192.0.2.9:1024-65535"},
		{"ip,actions=ct(commit,nat(dst=10.0.0.1-))",
		 "at \"ct(commit,nat(dst=10.0.0.1-))\": dst=10.0.0.1-: expected "
		 "dst=IP[-IP][:PORT[-PORT]] with IPv4 addresses, like "
		 "dst=192.0.2.1-192.0.2.9:1024-65535"},
		{"ip,actions=ct(commit,nat(src=))",
		 "at \"ct(commit,nat(src=))\": src=: expected src=IP[-IP][:PORT[-PORT]] with IPv4 "
		 "addresses, like src=192.0.2.1-192.0.2.9:1024-65535"},
		{"ip,actions=ct(commit,nat(src))",
		 "at \"ct(commit,nat(src))\": src: expected src=IP[-IP][:PORT[-PORT]]"},
		{"ipv6,actions=ct(commit,nat(src=fd00::1))",
		 "at \"ct(commit,nat(src=fd00::1))\": src=fd00::1: nat to IPv6 is not supported"},
		{"ipv6,actions=ct(commit,nat(dst=[fd00::1]:80))",
		 "at \"ct(commit,nat(dst=[fd00::1]:80))\": dst=[fd00::1]:80: nat to IPv6 is not "
		 "supported"},
		{"ipv6,actions=ct(commit,nat(src=fd00::1-fd00::9))",
		 "at \"ct(commit,nat(src=fd00::1-fd00::9))\": src=fd00::1-fd00::9: nat to IPv6 "
		 "is not supported"},
		{"ipv6,actions=ct(commit,nat(src=::1))",
		 "at \"ct(commit,nat(src=::1))\": src=::1: nat to IPv6 is not supported"},
		{"ip,actions=ct(commit,nat(src=1.2.3.4,dst=1.2.3.5))",
		 "at \"ct(commit,nat(src=1.2.3.4,dst=1.2.3.5))\": nat takes a single src= or dst="},
		{"ip,actions=ct(commit,nat(src=1.2.3.4,src=1.2.3.5))",
		 "at \"ct(commit,nat(src=1.2.3.4,src=1.2.3.5))\": nat takes a single src= or "
		 "dst="},
		{"ip,actions=ct(commit,nat(src=1.2.3.4,random))",
		 "at \"ct(commit,nat(src=1.2.3.4,random))\": nat flag random is not supported"},
		{"ip,actions=ct(commit,nat(dst=1.2.3.4,hash))",
		 "at \"ct(commit,nat(dst=1.2.3.4,hash))\": nat flag hash is not supported"},
		{"ip,actions=ct(commit,nat(persistent,src=1.2.3.4))",
		 "at \"ct(commit,nat(persistent,src=1.2.3.4))\": nat flag persistent is not "
		 "supported"},
		{"ip,actions=ct(commit,nat(foo=1))",
		 "at \"ct(commit,nat(foo=1))\": unknown nat argument \"foo=1\"; expected src=RANGE "
		 "or dst=RANGE"},
		{"ip,actions=ct(commit,nat=1)",
		 "at \"ct(commit,nat=1)\": nat=1: expected nat or nat(src=RANGE|dst=RANGE)"},
		{"ip,actions=ct(commit,nat(src=1.2.3.4)x)",
		 "at \"ct(commit,nat(src=1.2.3.4)x)\": nat(src=1.2.3.4)x: expected nat or "
		 "nat(src=RANGE|dst=RANGE)"},
		/* Parentheses. */
		{"ip,actions=ct(commit,output:up0",
		 "at \"ct(commit,output:up0\": unbalanced parentheses: a '(' is not closed"},
		{"ip,actions=output:up0,ct(commit,nat(src=1.2.3.4)",
		 "at \"ct(commit,nat(src=1.2.3.4)\": unbalanced parentheses: a '(' is not closed"},
		{"ip,actions=ct(commit)),output:up0",
		 "at \"ct(commit))\": unbalanced parentheses: a ')' has no '('"},
		{"ip,actions=normal,output:up0),flood",
		 "at \"output:up0)\": unbalanced parentheses: a ')' has no '('"},
		{"ip,actions=ct(commit,nat(src=1.2.3.4))),normal",
		 "at \"ct(commit,nat(src=1.2.3.4)))\": unbalanced parentheses: a ')' has no '('"},
	};

	RTE_SET_USED(state);
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		parse_bad_exact(cases[i].text, cases[i].expect);
	/* The same checks in a rule's new actions (mod-flows). */
	parse_bad("ip,actions=ct(nat(src=1.2.3.4))", FLOW_PARSE_MODIFY,
		  "nat(src=...) needs commit");
	parse_bad("actions=ct", FLOW_PARSE_MODIFY, "ct needs ip or ipv6 in the match");
}

static void
test_ct_relations(void **state)
{
	static const struct {
		const char *a, *b;
		bool a_covered_by_b, overlap;
	} cases[] = {
		{"ct_state=+trk+est,ip", "ct_state=+trk", true, true},
		{"ct_state=+trk+est,ip", "ct_state=-trk", false, false},
		{"ct_state=+trk", "ct_state=+trk+est", false, true},
		{"ct_state=+trk+est", "ct_state=+trk-est", false, false},
		{"ct_state=+trk+new", "ct_state=+trk+est", false, true},
		{"ct_state=0x21", "ct_state=+trk+new", true, true},
		{"ct_zone=1", "ct_zone=1", true, true},
		{"ct_zone=1", "ct_zone=2", false, false},
		{"ct_zone=1,ct_state=+trk", "ct_zone=1", true, true},
		{"ct_zone=1", "", true, true},
		{"ip", "ct_state=-trk", false, true},
	};

	RTE_SET_USED(state);
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct flow_rule a, b;

		parse_ok(cases[i].a, FLOW_PARSE_FILTER, &a);
		parse_ok(cases[i].b, FLOW_PARSE_FILTER, &b);
		if (flow_rule_covered_by(&a, &b) != cases[i].a_covered_by_b)
			fail_msg("\"%s\" covered by \"%s\": expected %d", cases[i].a, cases[i].b,
				 cases[i].a_covered_by_b);
		if (flow_rule_overlaps(&a, &b) != cases[i].overlap ||
		    flow_rule_overlaps(&b, &a) != cases[i].overlap)
			fail_msg("\"%s\" and \"%s\" overlap: expected %d", cases[i].a, cases[i].b,
				 cases[i].overlap);
		flow_rule_free(&a);
		flow_rule_free(&b);
	}
}

static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random rules of ct pieces, valid and broken, some bytes flipped: the
 * parser returns 0 or -EINVAL with a message, and whatever it accepts
 * formats back to the same rule. */
static void
test_ct_random(void **state)
{
	static const char *const items[] = {
		"ip", "ipv6", "tcp", "arp", "ct_state=+trk", "ct_state=-trk", "ct_state=+est-rpl",
		"ct_state=0x5/0x7", "ct_state=+foo", "ct_zone=1", "ct_zone=70000", "table=3",
		"in_port=vm1",
	};
	static const char *const acts[] = {
		"ct", "ct()", "ct(commit)", "ct(zone=2)", "ct(table=1)", "ct(nat)",
		"ct(commit,nat(src=10.0.0.1-10.0.0.3:100-200))", "ct(commit,nat(dst=1.1.1.1:5))",
		"ct(nat(src=1.1.1.1))", "ct(commit", "nat)", "ct(commit,table=2,zone=3)",
		"output:up0", "normal", "goto_table:9", "drop", "",
	};
	uint64_t seed = 0x2545f4914f6cdd1d;
	unsigned int accepted = 0;

	RTE_SET_USED(state);
	for (int iter = 0; iter < 20000; iter++) {
		unsigned int n_items = next_random(&seed) % 4, n_acts = 1 + next_random(&seed) % 3;
		char text[FLOW_TEXT_MAX + 1] = "";
		struct flow_rule r;
		int ret;

		for (unsigned int i = 0; i < n_items; i++) {
			strcat(text, items[next_random(&seed) % RTE_DIM(items)]);
			strcat(text, ",");
		}
		strcat(text, "actions=");
		for (unsigned int i = 0; i < n_acts; i++) {
			if (i > 0)
				strcat(text, ",");
			strcat(text, acts[next_random(&seed) % RTE_DIM(acts)]);
		}
		if (next_random(&seed) % 8 == 0) {
			size_t at = next_random(&seed) % strlen(text);

			text[at] = (char)(1 + next_random(&seed) % 255);
		}
		ret = parse(text, FLOW_PARSE_ADD, &r);
		flow_rule_free(&r);
		if (ret == 0) {
			check_round_trip(text);
			accepted++;
			continue;
		}
		if (ret != -EINVAL)
			fail_msg("\"%s\": returned %d", text, ret);
		assert_non_null(memchr(err, '\0', sizeof(err)));
		assert_true(strlen(err) > 0);
	}
	assert_true(accepted > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_state_values),
		cmocka_unit_test(test_ct_match_placement),
		cmocka_unit_test(test_ct_match_format),
		cmocka_unit_test(test_ct_match_errors),
		cmocka_unit_test(test_ct_action_values),
		cmocka_unit_test(test_ct_action_list),
		cmocka_unit_test(test_ct_action_format),
		cmocka_unit_test(test_ct_round_trip),
		cmocka_unit_test(test_ct_action_errors),
		cmocka_unit_test(test_ct_relations),
		cmocka_unit_test(test_ct_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
