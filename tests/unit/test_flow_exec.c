/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rule pipeline end to end (datapath/flow_exec.c and what it uses):
 * crafted frames go through fwd_burst() and fwd_flush() of a bridge whose
 * snapshot carries a pipeline built here, and out of ring-backed ethdev
 * ports (flow_exec_harness.c), where the test reads them byte by byte.
 * Covered: outputs, mirrors and the copy rule, flood, drop and no-match,
 * header rewrites with their checksums, dec_ttl, VLAN push, pop and
 * rewrite, goto_table and per-rule counters. The flow cache has its own
 * tests, in test_flow_cache.c.
 *
 * Every test ends with every mbuf back in the pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "datapath/dp_stats.h"
#include "datapath/flow_actions.h"
#include "datapath/flow_pipeline.h"
#include "datapath/snapshot.h"
#include "datapath/vlan.h"

#include "flow_exec_harness.h"

/* ---- outputs ---- */

static void
test_output(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	uint8_t buf[FRAME_MAX];
	size_t len = frame(buf, &s);
	struct outs o;

	(void)state;
	r = rule(0, 10);
	m_in_port(r, 0);
	a_output(r, 2);
	r = rule(0, 10);
	m_in_port(r, 1);
	a_output(r, 3);
	build_and_publish();

	send1(0, &s, &o);
	assert_counts(&o, 0, 0, 1, 0);
	assert_one(&o, 2, buf, len);
	outs_free(&o);
	send1(1, &s, &o);
	assert_counts(&o, 0, 0, 0, 1);
	assert_one(&o, 3, buf, len);
	outs_free(&o);
	assert_counter(0, 1, len);
	assert_counter(1, 1, len);
	assert_int_equal(stats[2].tx_packets, 1);
	assert_int_equal(stats[2].tx_bytes, len);
	assert_int_equal(stats[0].rx_packets, 1);

	/* Output to the input port sends nothing. */
	send1(2, &s, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[2].drops[DP_DROP_no_match], 1);
	r = rule(0, 10);
	a_output(r, 1);
	build_and_publish();
	send1(1, &s, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[1].drops[DP_DROP_same_port], 1);
	assert_no_leak();
}

static void
test_mirror(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = tcp_pkt();
	uint8_t buf[FRAME_MAX];
	size_t len = frame(buf, &s);
	struct outs o;

	(void)state;
	r = rule(0, 10);
	a_output(r, 1);
	a_output(r, 2);
	a_output(r, 3);
	build_and_publish();
	send1(0, &s, &o);
	assert_counts(&o, 0, 1, 1, 1);
	for (uint16_t p = 1; p < N_PORTS; p++)
		assert_one(&o, p, buf, len);
	outs_free(&o);
	assert_no_leak();
}

/* An output before a rewrite sends the frame as it was then; the one after, the new one. */
static void
test_output_then_rewrite(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt(), s2;
	struct outs o;

	(void)state;
	r = rule(0, 10);
	a_output(r, 1);
	a_ip(r, FLOW_ACT_SET_NW_DST, IP(10, 9, 9, 9));
	a_output(r, 2);
	a_tp(r, FLOW_ACT_SET_TP_DST, 5353);
	a_output(r, 3);
	build_and_publish();
	send1(0, &s, &o);
	assert_counts(&o, 0, 1, 1, 1);
	assert_one_pkt(&o, 1, &s);
	s2 = s;
	s2.ip_dst = IP(10, 9, 9, 9);
	assert_one_pkt(&o, 2, &s2);
	s2.dport = 5353;
	assert_one_pkt(&o, 3, &s2);
	assert_true(o.m[1][0] != o.m[2][0] && o.m[2][0] != o.m[3][0]);
	outs_free(&o);
	assert_no_leak();
}

static void
test_flood(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt(), s2;
	uint8_t buf[FRAME_MAX];
	size_t len = frame(buf, &s);
	struct outs o;

	(void)state;
	r = rule(0, 10);
	m_in_port(r, 1);
	a_arg(r, FLOW_ACT_FLOOD, 0);
	r = rule(0, 10);
	m_in_port(r, 2);
	a_arg(r, FLOW_ACT_FLOOD, 0);
	a_arg(r, FLOW_ACT_DEC_TTL, 0);
	a_output(r, 0);
	build_and_publish();

	send1(1, &s, &o);
	assert_counts(&o, 1, 0, 1, 1);
	assert_one(&o, 0, buf, len);
	assert_one(&o, 2, buf, len);
	assert_one(&o, 3, buf, len);
	outs_free(&o);

	/* Flood, then a rewrite and another output: the flood has the original. */
	send1(2, &s, &o);
	assert_counts(&o, 2, 1, 0, 1);
	assert_one(&o, 1, buf, len);
	assert_one(&o, 3, buf, len);
	assert_true(bytes_equal(o.m[0][0], buf, len));
	s2 = s;
	s2.ttl = 63;
	len = frame(buf, &s2);
	assert_true(bytes_equal(o.m[0][1], buf, len));
	outs_free(&o);

	/* A port whose link is down is left out. */
	snap->ports[3].link_up = false;
	snap->bridges[0].flood[3] = 0;
	snap->bridges[0].n_flood = 3;
	send1(1, &s, &o);
	snap->ports[3].link_up = true;
	snap->bridges[0].flood[3] = 3;
	snap->bridges[0].n_flood = 4;
	assert_counts(&o, 1, 0, 1, 0);
	outs_free(&o);
	assert_no_leak();
}

static void
test_drop_and_no_match(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	uint8_t bufs[3][FRAME_MAX];
	size_t lens[3];
	struct outs o;

	(void)state;
	r = rule(0, 10);
	m_in_port(r, 0); /* no actions: drop */
	r = rule(0, 10);
	m_in_port(r, 1);
	m_proto(r, IPPROTO_TCP);
	a_output(r, 2);
	build_and_publish();
	for (unsigned int i = 0; i < 3; i++) {
		s.payload = (uint16_t)(20 + i);
		lens[i] = frame(bufs[i], &s);
	}
	send_frames(0, bufs, lens, 3, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[0].drops[DP_DROP_rule_drop], 3);
	assert_int_equal(stats[0].drops[DP_DROP_no_match], 0);
	assert_counter(0, 3, lens[0] + lens[1] + lens[2]);
	assert_no_leak();

	/* UDP from port 1: no rule. */
	send_frames(1, bufs, lens, 3, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[1].drops[DP_DROP_no_match], 3);
	assert_counter(1, 0, 0);
	assert_no_leak();

	/* A goto into an empty table: no match there. */
	r = rule(0, 10);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 7);
	build_and_publish();
	send_frames(1, bufs, lens, 3, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[1].drops[DP_DROP_no_match], 6);
	assert_no_leak();
}

/* ---- rewrites ---- */

static void
test_rewrite_checksums(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt u = udp_pkt(), t = tcp_pkt(), x;
	struct outs o;

	(void)state;
	r = rule(0, 10);
	m_in_port(r, 0);
	a_ip(r, FLOW_ACT_SET_NW_DST, IP(192, 168, 7, 200));
	a_tp(r, FLOW_ACT_SET_TP_DST, 8053);
	a_output(r, 1);
	r = rule(0, 10);
	m_in_port(r, 1);
	a_ip(r, FLOW_ACT_SET_NW_SRC, IP(172, 16, 0, 1));
	a_tp(r, FLOW_ACT_SET_TP_SRC, 2);
	a_arg(r, FLOW_ACT_SET_DSCP, 46);
	a_output(r, 2);
	r = rule(0, 10);
	m_in_port(r, 2);
	a_mac(r, FLOW_ACT_SET_DL_DST, mac_c);
	a_mac(r, FLOW_ACT_SET_DL_SRC, mac_b);
	a_output(r, 3);
	build_and_publish();

	const struct pkt *in[] = {&u, &t};

	for (unsigned int i = 0; i < RTE_DIM(in); i++) {
		send1(0, in[i], &o);
		x = *in[i];
		x.ip_dst = IP(192, 168, 7, 200);
		x.dport = 8053;
		assert_one_pkt(&o, 1, &x);
		assert_csums(o.m[1][0]);
		outs_free(&o);

		send1(1, in[i], &o);
		x = *in[i];
		x.ip_src = IP(172, 16, 0, 1);
		x.sport = 2;
		x.tos = 46 << 2;
		assert_one_pkt(&o, 2, &x);
		assert_csums(o.m[2][0]);
		outs_free(&o);

		send1(2, in[i], &o);
		x = *in[i];
		memcpy(x.dst, mac_c, 6);
		memcpy(x.src, mac_b, 6);
		assert_one_pkt(&o, 3, &x);
		outs_free(&o);
	}

	/* UDP without a checksum keeps none. */
	u.no_udp_csum = true;
	send1(0, &u, &o);
	x = u;
	x.ip_dst = IP(192, 168, 7, 200);
	x.dport = 8053;
	assert_one_pkt(&o, 1, &x);
	outs_free(&o);

	/* Many addresses and ports: the patched checksums always verify. */
	for (uint32_t i = 0; i < 200; i++) {
		x = (i & 1) ? udp_pkt() : tcp_pkt();
		x.ip_src = 0x0a000000u + i * 7919u;
		x.ip_dst = 0xc0a80000u ^ (i * 104729u);
		x.sport = (uint16_t)(i * 31);
		x.dport = (uint16_t)(65535 - i);
		x.payload = (uint16_t)(i % 40);
		send1(0, &x, &o);
		assert_int_equal(o.n[1], 1);
		assert_csums(o.m[1][0]);
		x.ip_dst = IP(192, 168, 7, 200);
		x.dport = 8053;
		assert_one_pkt(&o, 1, &x);
		outs_free(&o);
	}
	assert_no_leak();
}

static void
test_dec_ttl(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt(), x;
	uint8_t buf[FRAME_MAX];
	size_t len;
	struct outs o;

	(void)state;
	r = rule(0, 10);
	a_output(r, 1);
	a_arg(r, FLOW_ACT_DEC_TTL, 0);
	a_output(r, 2);
	build_and_publish();

	send1(0, &s, &o);
	assert_one_pkt(&o, 1, &s);
	x = s;
	x.ttl = 63;
	assert_one_pkt(&o, 2, &x);
	assert_csums(o.m[2][0]);
	outs_free(&o);

	/* TTL 2 goes out with 1; TTL 1 and 0 are dropped after the first output. */
	s.ttl = 2;
	send1(0, &s, &o);
	x = s;
	x.ttl = 1;
	assert_one_pkt(&o, 2, &x);
	outs_free(&o);
	for (uint8_t ttl = 0; ttl <= 1; ttl++) {
		s.ttl = ttl;
		send1(0, &s, &o);
		assert_counts(&o, 0, 1, 0, 0);
		assert_one_pkt(&o, 1, &s);
		outs_free(&o);
	}
	assert_int_equal(stats[0].drops[DP_DROP_ttl_exceeded], 2);

	/* Not IP: passes unchanged. */
	s = udp_pkt();
	s.type = 0x88b5;
	s.payload = 40;
	len = frame(buf, &s);
	send1(0, &s, &o);
	assert_counts(&o, 0, 1, 1, 0);
	assert_one(&o, 2, buf, len);
	outs_free(&o);
	assert_no_leak();
}

/* ---- VLAN actions ---- */

static void
test_vlan_actions(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt(), x;
	struct outs o;

	(void)state;
	/* From port 0: push a tag, then set its VID; out 1 in between. */
	r = rule(0, 10);
	m_in_port(r, 0);
	a_arg(r, FLOW_ACT_PUSH_VLAN, VLAN_TPID_8021Q);
	a_output(r, 1);
	a_arg(r, FLOW_ACT_SET_VLAN_VID, 10);
	a_output(r, 2);
	/* From port 1: set the VID (tags an untagged frame), rewrite nw_dst
	 * behind the tag, pop. */
	r = rule(0, 10);
	m_in_port(r, 1);
	a_arg(r, FLOW_ACT_SET_VLAN_VID, 30);
	a_ip(r, FLOW_ACT_SET_NW_DST, IP(10, 1, 1, 1));
	a_output(r, 2);
	a_arg(r, FLOW_ACT_POP_VLAN, 0);
	a_output(r, 3);
	/* From port 2: push an S-tag over whatever is there. */
	r = rule(0, 10);
	m_in_port(r, 2);
	a_arg(r, FLOW_ACT_PUSH_VLAN, VLAN_TPID_8021AD);
	a_output(r, 3);
	/* From port 3: pop the outer tag and go on with the VLAN found under it. */
	r = rule(0, 10);
	m_in_port(r, 3);
	a_arg(r, FLOW_ACT_POP_VLAN, 0);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(1, 10);
	m_vlan(r, 200);
	a_output(r, 1);
	r = rule(1, 5);
	a_output(r, 2);
	build_and_publish();

	/* An untagged frame on a trunk is in VLAN 0: the pushed tag says so. */
	send1(0, &s, &o);
	x = s;
	tag(&x, 0x8100, 0);
	assert_one_pkt(&o, 1, &x);
	x.tci[0] = 10;
	assert_one_pkt(&o, 2, &x);
	outs_free(&o);

	/* A tagged frame (PCP 5, VID 20): the push carries VLAN and priority. */
	x = s;
	tag(&x, 0x8100, 5 << 13 | 20);
	send1(0, &x, &o);
	{
		struct pkt y = s;

		tag(&y, 0x8100, 5 << 13 | 20);
		tag(&y, 0x8100, 5 << 13 | 20);
		assert_one_pkt(&o, 1, &y);
		y.tci[0] = 5 << 13 | 10; /* the outer tag's VID; PCP kept */
		assert_one_pkt(&o, 2, &y);
	}
	outs_free(&o);

	send1(1, &s, &o);
	x = s;
	x.ip_dst = IP(10, 1, 1, 1);
	tag(&x, 0x8100, 30);
	assert_one_pkt(&o, 2, &x);
	assert_csums(o.m[2][0]);
	x.n_tags = 0;
	assert_one_pkt(&o, 3, &x);
	outs_free(&o);

	/* Tagged: the VID changes in place, the priority stays. */
	x = s;
	tag(&x, 0x8100, 3 << 13 | 20);
	send1(1, &x, &o);
	x.ip_dst = IP(10, 1, 1, 1);
	x.tci[0] = 3 << 13 | 30;
	assert_one_pkt(&o, 2, &x);
	x.n_tags = 0;
	assert_one_pkt(&o, 3, &x);
	outs_free(&o);

	x = s;
	tag(&x, 0x8100, 7 << 13 | 44);
	send1(2, &x, &o);
	{
		struct pkt y = s;

		tag(&y, 0x88a8, 7 << 13 | 44);
		tag(&y, 0x8100, 7 << 13 | 44);
		assert_one_pkt(&o, 3, &y);
	}
	outs_free(&o);

	/* QinQ: popping 100 leaves 200, which table 1 matches. */
	x = s;
	tag(&x, 0x88a8, 100);
	tag(&x, 0x8100, 200);
	send1(3, &x, &o);
	assert_counts(&o, 0, 1, 0, 0);
	x.n_tags = 1;
	x.tpid[0] = 0x8100;
	x.tci[0] = 200;
	assert_one_pkt(&o, 1, &x);
	outs_free(&o);
	/* One tag only: after the pop, still VLAN 100, untagged. */
	x = s;
	tag(&x, 0x8100, 100);
	send1(3, &x, &o);
	assert_counts(&o, 0, 0, 1, 0);
	assert_one_pkt(&o, 2, &s);
	outs_free(&o);

	/* A VID set in table 0 is the frame's VLAN in table 1. */
	r = rule(0, 10);
	a_arg(r, FLOW_ACT_SET_VLAN_VID, 40);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(1, 10);
	m_vlan(r, 40);
	a_output(r, 3);
	r = rule(1, 5);
	a_output(r, 1);
	build_and_publish();
	send1(0, &s, &o);
	x = s;
	tag(&x, 0x8100, 40);
	assert_counts(&o, 0, 0, 0, 1);
	assert_one_pkt(&o, 3, &x);
	outs_free(&o);
	x = s;
	tag(&x, 0x8100, 2 << 13 | 20);
	send1(0, &x, &o);
	x.tci[0] = 2 << 13 | 40;
	assert_counts(&o, 0, 0, 0, 1);
	assert_one_pkt(&o, 3, &x);
	outs_free(&o);
	assert_no_leak();
}

/* ---- tables and counters ---- */

static void
test_goto_table(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt(), x;
	struct outs o;

	(void)state;
	r = rule(0, 10); /* slot 0 */
	m_nw_dst(r, IP(10, 0, 0, 2), 32);
	a_ip(r, FLOW_ACT_SET_NW_DST, IP(10, 0, 0, 99));
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(0, 5); /* slot 1 */
	m_ip(r);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(1, 10); /* slot 2: the new address */
	m_nw_dst(r, IP(10, 0, 0, 99), 32);
	a_output(r, 3);
	r = rule(1, 10); /* slot 3: the old one */
	m_nw_dst(r, IP(10, 0, 0, 2), 32);
	a_output(r, 1);
	r = rule(1, 1); /* slot 4 */
	a_output(r, 2);
	build_and_publish();

	send1(0, &s, &o);
	assert_counts(&o, 0, 0, 0, 1);
	x = s;
	x.ip_dst = IP(10, 0, 0, 99);
	assert_one_pkt(&o, 3, &x);
	assert_csums(o.m[3][0]);
	outs_free(&o);
	x = s;
	x.ip_dst = IP(10, 0, 0, 3);
	send1(0, &x, &o);
	assert_counts(&o, 0, 0, 1, 0);
	assert_one_pkt(&o, 2, &x);
	outs_free(&o);

	assert_counter(0, 1, 60);
	assert_counter(1, 1, 60);
	assert_counter(2, 1, 60);
	assert_counter(3, 0, 0);
	assert_counter(4, 1, 60);
	assert_no_leak();
}

static void
test_counters(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	uint8_t bufs[5][FRAME_MAX];
	size_t lens[5], sum = 0;
	struct outs o;

	(void)state;
	r = rule(0, 10); /* slot 0 */
	m_tp_dst(r, IPPROTO_UDP, 53);
	a_arg(r, FLOW_ACT_PUSH_VLAN, VLAN_TPID_8021Q);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 2);
	r = rule(0, 5); /* slot 1 */
	a_output(r, 1);
	r = rule(2, 5); /* slot 2 */
	a_output(r, 2);
	build_and_publish();

	for (unsigned int i = 0; i < 5; i++) {
		s.payload = (uint16_t)(10 + 50 * i);
		lens[i] = frame(bufs[i], &s);
		sum += lens[i];
	}
	send_frames(0, bufs, lens, 5, &o);
	assert_counts(&o, 0, 0, 5, 0);
	outs_free(&o);
	assert_counter(0, 5, sum);
	assert_counter(1, 0, 0);
	/* Table 2 counts the frames as they reach it, tag included. */
	assert_counter(2, 5, sum + 5 * VLAN_HLEN);
	s.dport = 54;
	lens[0] = frame(bufs[0], &s);
	send_frames(3, bufs, lens, 1, &o);
	outs_free(&o);
	assert_counter(1, 1, lens[0]);
	assert_counter(0, 5, sum);
	assert_no_leak();
}

/* ---- changes in place ---- */

/* Where one UDP frame from port 0 goes: the port it leaves on, or -1. */
static int
udp_goes_to(void)
{
	struct pkt s = udp_pkt();
	struct outs o;
	int out = -1;

	send1(0, &s, &o);
	for (uint16_t p = 0; p < N_PORTS; p++)
		if (o.n[p] > 0)
			out = p;
	outs_free(&o);
	return out;
}

/*
 * A builder changed in place: the published pipeline keeps its rules while the next one is
 * prepared, an abort takes the changes back (the handles too), and a commit, publish and
 * reclaim move to the new rules.
 */
static void
test_builder_changes(void **state)
{
	struct flow_builder *b = flow_builder_create(SOCKET_ID_ANY);
	struct flow_builder_rule *to2 = NULL, *to3 = NULL, *kept;
	struct flow_pipeline_rule *r;
	struct flow_pipeline *pl;

	(void)state;
	assert_non_null(b);
	r = rule(0, 10);
	m_in_port(r, 0);
	a_output(r, 2);
	assert_int_equal(flow_builder_add(b, r, &to2), 0);
	assert_non_null(to2);
	pl = flow_builder_pipeline(b);
	assert_non_null(pl);
	flow_builder_commit(b);
	publish(pl);
	assert_int_equal(udp_goes_to(), 2);

	/* Prepared, not published: the frames go where they went. */
	kept = to2;
	assert_int_equal(flow_builder_remove(b, to2), 0);
	r = rule(0, 10);
	m_in_port(r, 0);
	a_output(r, 3);
	assert_int_equal(flow_builder_add(b, r, &to2), 0);
	assert_ptr_not_equal(to2, kept);
	assert_int_equal(flow_builder_add(b, NULL, &to3), 0);
	pl = flow_builder_pipeline(b);
	assert_non_null(pl);
	assert_int_equal(pl->n_rules, 1);
	assert_int_equal(udp_goes_to(), 2);

	/* Aborted: the handles are back and the next pipeline is the old rule set. */
	flow_builder_abort(b);
	flow_pipeline_put(pl);
	assert_ptr_equal(to2, kept);
	assert_null(to3);
	pl = flow_builder_pipeline(b);
	assert_non_null(pl);
	flow_builder_commit(b);
	publish(pl);
	assert_int_equal(udp_goes_to(), 2);

	/* Committed and published: the new rule, and the old one freed. */
	assert_int_equal(flow_builder_remove(b, to2), 0);
	assert_int_equal(flow_builder_add(b, r, &to3), 0);
	pl = flow_builder_pipeline(b);
	assert_non_null(pl);
	flow_builder_commit(b);
	publish(pl);
	flow_builder_reclaim(b, NULL);
	assert_int_equal(udp_goes_to(), 3);
	assert_int_equal(pl->n_rules, 1);

	/* Every rule gone: the frames find none. */
	assert_int_equal(flow_builder_remove(b, to3), 0);
	pl = flow_builder_pipeline(b);
	assert_non_null(pl);
	assert_int_equal(pl->tables_used, 0);
	flow_builder_commit(b);
	publish(pl);
	flow_builder_reclaim(b, NULL);
	assert_int_equal(udp_goes_to(), -1);
	flow_builder_put(b); /* the published pipeline still holds it */
	assert_no_leak();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_mirror, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_output_then_rewrite, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_flood, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_drop_and_no_match, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_checksums, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_dec_ttl, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_vlan_actions, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_goto_table, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_counters, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_builder_changes, test_setup, test_teardown),
	};
	int ret;

	(void)argc;
	if (fe_eal_init(argv[0], "test_flow_exec") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, group_setup, group_teardown);
	rte_eal_cleanup();
	return ret;
}
