/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ct() and controller actions in the rule pipeline: real frames through
 * fwd_burst() on the ring-port switch of flow_exec_harness.c. Source NAT
 * out and back with ct_state matched after ct(table=N); a ct(table=N) that
 * goes back to an earlier table; one that loops, cut off and counted; an
 * invalid packet matched as +inv; frames handed to the control thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_ring.h>

#include "datapath/conntrack.h"
#include "flow_exec_harness.h"

#define EXT IP(192, 0, 2, 10)
#define SNAT (CT_F_COMMIT | CT_F_NAT | CT_F_NAT_SRC | CT_F_TABLE)

/* Port 0 is the VM side, port 1 the uplink: SNAT out, ct(nat) back. */
static void
snat_rules(void)
{
	struct flow_pipeline_rule *r;

	r = rule(0, 10);
	m_in_port(r, 0);
	m_ip(r);
	a_ct(r, SNAT, 1, 3, EXT);
	r = rule(0, 10);
	m_in_port(r, 1);
	m_ip(r);
	a_ct(r, CT_F_NAT | CT_F_TABLE, 2, 3, 0);
	r = rule(1, 20); /* 2 */
	m_ct_state(r, CT_STATE_TRK | CT_STATE_INV, CT_STATE_TRK | CT_STATE_INV);
	r = rule(1, 10); /* 3 */
	m_ct_state(r, CT_STATE_TRK | CT_STATE_SNAT, CT_STATE_TRK | CT_STATE_SNAT);
	a_output(r, 1);
	r = rule(2, 20); /* 4 */
	m_ct_state(r, CT_STATE_TRK | CT_STATE_EST | CT_STATE_RPL,
		   CT_STATE_TRK | CT_STATE_EST | CT_STATE_RPL | CT_STATE_INV);
	a_output(r, 0);
	rule(2, 10); /* 5: drop */
	build_and_publish();
}

static void
test_snat_round_trip(void **state)
{
	struct pkt out = udp_pkt(), back, expect;
	struct outs o = {0};

	(void)state;
	conntrack_flush(ct, -1, -1);
	snat_rules();
	send1(0, &out, &o);
	expect = out;
	expect.ip_src = EXT; /* port 1000 is free: kept, though below 1024 */
	assert_one_pkt(&o, 1, &expect);
	assert_csums(o.m[1][0]);
	outs_free(&o);
	assert_int_equal(conntrack_count(ct), 1);

	/* The reply, to the external address, back to the VM. */
	back = udp_pkt();
	memcpy(back.src, out.dst, 6);
	memcpy(back.dst, out.src, 6);
	back.ip_src = out.ip_dst;
	back.ip_dst = EXT;
	back.sport = out.dport;
	back.dport = out.sport;
	send1(1, &back, &o);
	expect = back;
	expect.ip_dst = out.ip_src;
	assert_one_pkt(&o, 0, &expect);
	assert_csums(o.m[0][0]);
	outs_free(&o);
	assert_counter(3, 1, 60);
	assert_counter(4, 1, 60);

	/* Something nobody sent out: +trk+new from the uplink, dropped by rule 5. */
	back.sport = 4444;
	send1(1, &back, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_counter(5, 1, 60);
	assert_no_leak();
}

/* A burst: tuples looked up together, and a flow's second frame in the
 * burst finds the connection its first frame opened. */
static void
test_snat_burst(void **state)
{
	uint8_t bufs[16][FRAME_MAX];
	size_t lens[16];
	struct outs o = {0};
	struct pkt s, expect;

	(void)state;
	conntrack_flush(ct, -1, -1);
	snat_rules();
	for (unsigned int i = 0; i < 16; i++) {
		s = udp_pkt();
		s.sport = (uint16_t)(2000 + i % 8); /* 8 flows, each twice */
		lens[i] = frame(bufs[i], &s);
	}
	send_frames(0, bufs, lens, 16, &o);
	assert_counts(&o, 0, 16, 0, 0);
	for (unsigned int i = 0; i < 16; i++) {
		expect = udp_pkt();
		expect.sport = (uint16_t)(2000 + i % 8);
		expect.ip_src = EXT;
		frame(bufs[i], &expect);
		assert_true(bytes_equal(o.m[1][i], bufs[i], lens[i]));
	}
	outs_free(&o);
	assert_int_equal(conntrack_count(ct), 8);

	/* The replies, in one burst, back to the VM. */
	for (unsigned int i = 0; i < 16; i++) {
		s = udp_pkt();
		memcpy(s.src, udp_pkt().dst, 6);
		memcpy(s.dst, udp_pkt().src, 6);
		s.ip_src = udp_pkt().ip_dst;
		s.ip_dst = EXT;
		s.sport = udp_pkt().dport;
		s.dport = (uint16_t)(2000 + i % 8);
		lens[i] = frame(bufs[i], &s);
	}
	send_frames(1, bufs, lens, 16, &o);
	assert_counts(&o, 16, 0, 0, 0);
	for (unsigned int i = 0; i < 16; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(o.m[0][i], const uint8_t *);

		assert_csums(o.m[0][i]);
		assert_int_equal(b[30] << 24 | b[31] << 16 | b[32] << 8 | b[33], udp_pkt().ip_src);
		assert_int_equal(b[36] << 8 | b[37], 2000 + i % 8);
	}
	outs_free(&o);
	assert_counter(4, 16, 16 * 60);
	assert_no_leak();
}

/* ct(table=0) back to the table it came from: -trk first, +trk then. */
static void
test_recirculate_back(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	struct outs o = {0};

	(void)state;
	r = rule(0, 10);
	m_ct_state(r, 0, CT_STATE_TRK);
	a_ct(r, CT_F_TABLE, 0, 0, 0);
	r = rule(0, 10);
	m_ct_state(r, CT_STATE_TRK | CT_STATE_NEW, CT_STATE_TRK | CT_STATE_NEW);
	a_output(r, 2);
	build_and_publish();
	send1(0, &s, &o); /* the first datagram: +new */
	assert_one_pkt(&o, 2, &s);
	outs_free(&o);
	assert_counter(0, 1, 60);
	assert_counter(1, 1, 60);
	assert_no_leak();
}

/* A rule that sends every frame back to its own table: cut off, counted. */
static void
test_recirculate_loop(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	struct outs o = {0};

	(void)state;
	r = rule(0, 10);
	a_ct(r, CT_F_TABLE, 0, 0, 0);
	build_and_publish();
	stats[0].drops[DP_DROP_recirc_limit] = 0;
	send1(0, &s, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_int_equal(stats[0].drops[DP_DROP_recirc_limit], 1);
	assert_counter(0, 5, 5 * 60); /* the first pass and four more */
	assert_no_leak();
}

/* A TCP segment of no connection is +inv, and a rule can drop it. */
static void
test_invalid(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = tcp_pkt();
	uint8_t buf[1][FRAME_MAX];
	size_t len;
	struct outs o = {0};

	(void)state;
	conntrack_flush(ct, -1, -1);
	r = rule(0, 10);
	a_ct(r, CT_F_COMMIT | CT_F_TABLE, 1, 0, 0);
	r = rule(1, 20);
	m_ct_state(r, CT_STATE_TRK | CT_STATE_INV, CT_STATE_TRK | CT_STATE_INV);
	r = rule(1, 10);
	a_output(r, 1);
	build_and_publish();
	len = frame(buf[0], &s);
	buf[0][14 + 20 + 13] = 0x10; /* ACK alone; the TCP checksum is not checked here */
	send_frames(0, buf, &len, 1, &o);
	assert_counts(&o, 0, 0, 0, 0);
	assert_counter(1, 1, len);
	assert_int_equal(conntrack_count(ct), 0);
	assert_no_leak();
}

/* controller: a copy to the control thread, the frame still output. */
static void
test_controller(void **state)
{
	struct flow_pipeline_rule *r;
	struct pkt s = udp_pkt();
	uint8_t exp[FRAME_MAX];
	size_t len = frame(exp, &s);
	struct outs o = {0};
	struct dp_punt p;

	(void)state;
	r = rule(0, 10);
	a_arg(r, FLOW_ACT_CONTROLLER, 0);
	a_output(r, 3);
	build_and_publish();
	send1(2, &s, &o);
	assert_one_pkt(&o, 3, &s);
	outs_free(&o);
	assert_int_equal(rte_ring_dequeue_elem(punt_ring, &p, sizeof(p)), 0);
	assert_int_equal(p.port_no, 2);
	assert_true(bytes_equal(p.m, exp, len));
	rte_pktmbuf_free(p.m);
	assert_int_not_equal(rte_ring_dequeue_elem(punt_ring, &p, sizeof(p)), 0);

	/* A full queue drops and counts, and does not leak. */
	for (unsigned int i = 0; i < 80; i++) {
		send1(2, &s, &o);
		outs_free(&o);
	}
	assert_true(stats[2].drops[DP_DROP_punt_queue_full] >= 80 - 63);
	while (rte_ring_dequeue_elem(punt_ring, &p, sizeof(p)) == 0)
		rte_pktmbuf_free(p.m);
	assert_no_leak();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snat_round_trip, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_snat_burst, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_recirculate_back, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_recirculate_loop, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_invalid, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_controller, test_setup, test_teardown),
	};
	int ret;

	(void)argc;
	if (fe_eal_init(argv[0], "test_flow_exec_ct") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, group_setup, group_teardown);
	rte_eal_cleanup();
	return ret;
}
