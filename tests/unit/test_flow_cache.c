/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow cache of the rule pipeline (datapath/flow_cache.c as
 * datapath/flow_exec.c uses it), end to end through the switch of
 * flow_exec_harness.c: hits, pipeline swaps, frames whose flow keys are
 * equal but whose paths part after an action, and a random differential
 * test of the cache against the classifier alone.
 *
 * Every test ends with every mbuf back in the pool.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "datapath/dp_stats.h"
#include "datapath/flow_actions.h"
#include "datapath/flow_cache.h"
#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "datapath/forward.h"
#include "datapath/vlan.h"

#include "flow_exec_harness.h"

/* ---- the flow cache ---- */

struct capture {
	unsigned int n[N_PORTS];
	size_t len[N_PORTS][MAX_OUT];
	uint8_t b[N_PORTS][MAX_OUT][FRAME_MAX];
	struct flow_counter c[N_SLOTS];
	uint64_t drops[N_PORTS][DP_DROP_MAX];
};

/* Sends a burst and records what came out, the counters and drop counts
 * it added, then frees the frames. */
static void
capture(uint16_t in_port, uint8_t (*bufs)[FRAME_MAX], const size_t *lens, unsigned int n,
	struct capture *cap)
{
	struct flow_counter before[N_SLOTS];
	uint64_t d[N_PORTS][DP_DROP_MAX];
	struct outs o;

	memset(cap, 0, sizeof(*cap));
	for (unsigned int i = 0; i < N_SLOTS; i++)
		flow_stats_pool_read(fpool, i, &before[i]);
	for (uint16_t p = 0; p < N_PORTS; p++)
		memcpy(d[p], stats[p].drops, sizeof(d[p]));
	send_frames(in_port, bufs, lens, n, &o);
	for (uint16_t p = 0; p < N_PORTS; p++) {
		cap->n[p] = o.n[p];
		for (unsigned int i = 0; i < o.n[p]; i++) {
			const struct rte_mbuf *m = o.m[p][i];

			assert_true(rte_pktmbuf_data_len(m) <= FRAME_MAX);
			assert_int_equal(rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m));
			cap->len[p][i] = rte_pktmbuf_data_len(m);
			memcpy(cap->b[p][i], rte_pktmbuf_mtod(m, const uint8_t *), cap->len[p][i]);
			assert_csums(m);
		}
		for (int k = 0; k < DP_DROP_MAX; k++)
			cap->drops[p][k] = stats[p].drops[k] - d[p][k];
	}
	outs_free(&o);
	for (unsigned int i = 0; i < N_SLOTS; i++) {
		struct flow_counter now;

		flow_stats_pool_read(fpool, i, &now);
		cap->c[i].packets = now.packets - before[i].packets;
		cap->c[i].bytes = now.bytes - before[i].bytes;
	}
}

/* Whether two captures are the same; prints the first difference. */
static bool
capture_equal(const char *what, const struct capture *a, const struct capture *b)
{
	for (uint16_t p = 0; p < N_PORTS; p++) {
		if (a->n[p] != b->n[p]) {
			print_message("%s: port %u sent %u frames, then %u\n", what, p, a->n[p],
				      b->n[p]);
			return false;
		}
		for (unsigned int i = 0; i < a->n[p]; i++) {
			if (a->len[p][i] != b->len[p][i] ||
			    memcmp(a->b[p][i], b->b[p][i], a->len[p][i]) != 0) {
				print_message("%s: port %u frame %u differs\n", what, p, i);
				hexdump("first ", a->b[p][i], a->len[p][i]);
				hexdump("second", b->b[p][i], b->len[p][i]);
				return false;
			}
		}
		for (int k = 0; k < DP_DROP_MAX; k++) {
			if (a->drops[p][k] != b->drops[p][k]) {
				print_message("%s: port %u drop %s %" PRIu64 ", then %" PRIu64 "\n",
					      what, p, dp_drop_name((enum dp_drop_reason)k),
					      a->drops[p][k], b->drops[p][k]);
				return false;
			}
		}
	}
	for (unsigned int i = 0; i < N_SLOTS; i++) {
		if (a->c[i].packets != b->c[i].packets || a->c[i].bytes != b->c[i].bytes) {
			print_message("%s: slot %u counted %" PRIu64 "/%" PRIu64 ", then %" PRIu64
				      "/%" PRIu64 "\n", what, i, a->c[i].packets, a->c[i].bytes,
				      b->c[i].packets, b->c[i].bytes);
			return false;
		}
	}
	return true;
}

/* The rules of the cache tests: 5 subtables in table 0, 2 in table 1. */
static void
cache_rules(uint16_t udp53_out, uint16_t net_out)
{
	struct flow_pipeline_rule *r;

	r = rule(0, 100); /* slot 0 */
	m_in_port(r, 0);
	m_tp_dst(r, IPPROTO_UDP, 53);
	a_ip(r, FLOW_ACT_SET_NW_DST, IP(10, 0, 0, 53));
	a_output(r, udp53_out);
	r = rule(0, 95); /* slot 1 */
	m_nw_dst(r, IP(10, 0, 0, 7), 32);
	a_arg(r, FLOW_ACT_DEC_TTL, 0);
	a_output(r, 3);
	r = rule(0, 90); /* slot 2 */
	m_nw_dst(r, IP(10, 0, 0, 0), 24);
	a_output(r, net_out);
	r = rule(0, 70); /* slot 3 */
	m_in_port(r, 1);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(0, 0); /* slot 4: drop */
	r = rule(1, 10); /* slot 5 */
	m_ip(r);
	a_tp(r, FLOW_ACT_SET_TP_DST, 8080);
	a_output(r, 0);
	r = rule(1, 5); /* slot 6 */
	a_arg(r, FLOW_ACT_FLOOD, 0);
}

/* Frames for cache_rules, received on port 0 and 1 in turn. */
static unsigned int
cache_frames(uint8_t (*bufs)[FRAME_MAX], size_t *lens)
{
	static const uint32_t dsts[] = {IP(10, 0, 0, 2), IP(10, 0, 0, 7), IP(10, 0, 1, 1),
					IP(192, 168, 0, 1)};
	unsigned int n = 0;

	for (unsigned int i = 0; i < RTE_DIM(dsts); i++) {
		for (unsigned int k = 0; k < 3; k++) {
			struct pkt s = k == 2 ? tcp_pkt() : udp_pkt();

			s.ip_dst = dsts[i];
			s.dport = k == 0 ? 53 : (uint16_t)(1000 + i);
			s.payload = (uint16_t)(5 * n);
			lens[n] = frame(bufs[n], &s);
			n++;
		}
	}
	return n;
}

static void
test_cache_hits(void **state)
{
	static uint8_t bufs[FWD_BURST][FRAME_MAX];
	static struct capture c1, c2, c3;
	struct flow_pipeline *pl;
	size_t lens[FWD_BURST];
	uint64_t hits, misses;
	unsigned int n;

	(void)state;
	cache_rules(1, 2);
	pl = build_and_publish();
	assert_true(pl->use_cache);
	n = cache_frames(bufs, lens);

	for (uint16_t in = 0; in <= 1; in++) {
		hits = ctx->fcache->hits;
		misses = ctx->fcache->misses;
		capture(in, bufs, lens, n, &c1);
		assert_int_equal(ctx->fcache->misses - misses, n);
		assert_int_equal(ctx->fcache->hits - hits, 0);
		capture(in, bufs, lens, n, &c2);
		assert_int_equal(ctx->fcache->hits - hits, n);
		assert_int_equal(ctx->fcache->misses - misses, n);
		assert_true(capture_equal("cold then warm", &c1, &c2));
	}
	/* What the rules say for port 0: the 4 UDP frames to port 53 go out of
	 * port 1, the 2 others to 10.0.0.7 out of port 3, the 2 others to
	 * 10.0.0.2 (in the /24) out of port 2, and the other 4 are dropped. */
	capture(0, bufs, lens, n, &c1);
	assert_int_equal(c1.n[1], 4);
	assert_int_equal(c1.n[3], 2);
	assert_int_equal(c1.n[2], 2);
	assert_int_equal(c1.drops[0][DP_DROP_rule_drop], 4);
	assert_int_equal(c1.c[4].packets, 4);

	/* A new pipeline: the cached hits of the old one are not used, and
	 * the frames follow the new rules. */
	cache_rules(2, 3);
	pl = build_and_publish();
	assert_true(pl->use_cache);
	hits = ctx->fcache->hits;
	capture(0, bufs, lens, n, &c3);
	assert_int_equal(ctx->fcache->hits - hits, 0);
	assert_int_equal(c3.n[1], 0);
	assert_int_equal(c3.n[2], 4);
	assert_int_equal(c3.n[3], 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(c3.len[2][i], c1.len[1][i]);
	capture(0, bufs, lens, n, &c2);
	assert_int_equal(ctx->fcache->hits - hits, n);
	assert_true(capture_equal("new pipeline, cold then warm", &c3, &c2));
	assert_no_leak();
}

/*
 * Frames a and b have the same flow key, but an action of the pipeline
 * that publish_rules() publishes changes the key of a and not that of b, so that
 * they part later: a must go out of port 1, b out of port 2, as they do
 * without a cache, whichever of them the cache saw first.
 */
static void
expect_apart(struct flow_pipeline *(*publish_rules)(void), const struct pkt *a, const struct pkt *b,
	     const char *const names[2])
{
	static uint8_t bufs[2][FRAME_MAX];
	const uint16_t want[2] = {1, 2};
	bool bad = false;
	size_t lens[2];
	struct outs o;

	lens[0] = frame(bufs[0], a);
	lens[1] = frame(bufs[1], b);
	for (unsigned int first = 0; first < 2; first++) {
		assert_true(publish_rules()->use_cache); /* a new pipeline: a cold cache */
		for (unsigned int k = 0; k < 2; k++) {
			unsigned int i = k == 0 ? first : 1 - first;
			int got = -1;

			send_frames(0, &bufs[i], &lens[i], 1, &o);
			for (uint16_t p = 0; p < N_PORTS; p++)
				if (o.n[p] == 1)
					got = p;
			if (got != want[i]) {
				print_message("%s, sent %s: out of port %d, expected %u\n",
					      names[i], k == 0 ? "first" : "second", got, want[i]);
				bad = true;
			}
			outs_free(&o);
		}
	}
	assert_no_leak();
	assert_false(bad);
}

/*
 * A QinQ frame (outer VLAN 10, inner 20) and a frame tagged 10 only, both
 * on a trunk, everything else equal: the key holds the outer VLAN and the
 * EtherType after the tags, so the keys are the same. Table 0 pops the
 * outer tag; table 1 sends VLAN 20 to port 1 and the rest to port 2.
 */
static struct flow_pipeline *
pop_rules(void)
{
	struct flow_pipeline_rule *r;

	/* Two masks more than the test needs, to make the cache worth using. */
	r = rule(0, 50);
	m_dl_dst(r, mac_c);
	r = rule(0, 40);
	m_nw_src(r, IP(1, 2, 3, 4), 32);
	r = rule(0, 10);
	m_in_port(r, 0);
	a_arg(r, FLOW_ACT_POP_VLAN, 0);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(1, 10);
	m_vlan(r, 20);
	a_output(r, 1);
	r = rule(1, 5);
	a_output(r, 2);
	return build_and_publish();
}

static void
test_cache_pop_vlan_inner_tag(void **state)
{
	static const char *const names[2] = {"the QinQ frame", "the single-tagged frame"};
	struct pkt qinq = udp_pkt(), single = udp_pkt();

	(void)state;
	tag(&qinq, 0x8100, 10);
	tag(&qinq, 0x8100, 20);
	tag(&single, 0x8100, 10);
	expect_apart(pop_rules, &qinq, &single, names);
}

/*
 * A UDP frame whose ports are 0 and a later fragment of the same flow,
 * which has no UDP header: both keys hold tp_src = tp_dst = 0. Table 0
 * sets tp_dst to 80, which works on the first frame only; table 1 sends
 * tp_dst=80 to port 1, the rest to port 2.
 */
static struct flow_pipeline *
tp_rules(void)
{
	struct flow_pipeline_rule *r;

	r = rule(0, 50);
	m_dl_dst(r, mac_c);
	r = rule(0, 40);
	m_nw_src(r, IP(1, 2, 3, 4), 32);
	r = rule(0, 10);
	m_proto(r, IPPROTO_UDP);
	a_tp(r, FLOW_ACT_SET_TP_DST, 80);
	a_arg(r, FLOW_ACT_GOTO_TABLE, 1);
	r = rule(1, 10);
	m_tp_dst(r, IPPROTO_UDP, 80);
	a_output(r, 1);
	r = rule(1, 5);
	a_output(r, 2);
	return build_and_publish();
}

static void
test_cache_fragment_vs_l4(void **state)
{
	static const char *const names[2] = {"the UDP frame", "the later fragment"};
	struct pkt whole = udp_pkt(), later = udp_pkt();

	(void)state;
	whole.sport = 0;
	whole.dport = 0;
	later.frag = 0x2000 | 185; /* more fragments, offset 1480 */
	expect_apart(tp_rules, &whole, &later, names);
}

/* ---- random rules and frames: the cache against the classifier alone ---- */

static uint32_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state % n;
}

static const uint32_t r_addrs[] = {IP(10, 0, 0, 1), IP(10, 0, 0, 7), IP(10, 0, 1, 5),
				   IP(192, 168, 0, 1), IP(10, 0, 0, 9)};
static const uint16_t r_ports[] = {53, 80, 443, 1234};
static const uint16_t r_vids[] = {10, 20, 30};
static const uint8_t r_protos[] = {IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP};
static const uint8_t *const r_macs[] = {mac_a, mac_b, mac_c};

static void
rnd_match(struct flow_pipeline_rule *r)
{
	unsigned int parts = 1 + rnd(2);

	for (unsigned int i = 0; i < parts; i++) {
		switch (rnd(9)) {
		case 0:
			break; /* matches everything */
		case 1:
			m_in_port(r, (uint16_t)rnd(N_PORTS));
			break;
		case 2:
			m_nw_dst(r, r_addrs[rnd(RTE_DIM(r_addrs))], rnd(2) ? 32 : 24);
			break;
		case 3:
			m_nw_src(r, r_addrs[rnd(RTE_DIM(r_addrs))], rnd(2) ? 32 : 16);
			break;
		case 4:
			m_tp_dst(r, rnd(2) ? IPPROTO_UDP : IPPROTO_TCP,
				 r_ports[rnd(RTE_DIM(r_ports))]);
			break;
		case 5:
			m_vlan(r, r_vids[rnd(RTE_DIM(r_vids))]);
			break;
		case 6:
			m_dl_dst(r, r_macs[rnd(RTE_DIM(r_macs))]);
			break;
		case 7:
			m_proto(r, r_protos[rnd(RTE_DIM(r_protos))]);
			break;
		default:
			r->key.nw_ttl = rnd(2) ? 1 : 64;
			r->mask.nw_ttl = 0xff;
			m_ip(r);
			break;
		}
	}
}

static void
rnd_actions(struct flow_pipeline_rule *r, unsigned int table, unsigned int last_table)
{
	unsigned int n;

	if (rnd(10) == 0)
		return; /* drop */
	n = 1 + rnd(4);
	for (unsigned int i = 0; i < n; i++) {
		switch (rnd(12)) {
		case 2:
			a_arg(r, FLOW_ACT_FLOOD, 0);
			break;
		case 3:
			a_ip(r, FLOW_ACT_SET_NW_DST, r_addrs[rnd(RTE_DIM(r_addrs))]);
			break;
		case 4:
			a_tp(r, rnd(2) ? FLOW_ACT_SET_TP_DST : FLOW_ACT_SET_TP_SRC,
			     r_ports[rnd(RTE_DIM(r_ports))]);
			break;
		case 5:
			a_arg(r, FLOW_ACT_DEC_TTL, 0);
			break;
		case 6:
			a_arg(r, FLOW_ACT_PUSH_VLAN, rnd(2) ? VLAN_TPID_8021Q : VLAN_TPID_8021AD);
			break;
		case 7:
			a_arg(r, FLOW_ACT_POP_VLAN, 0);
			break;
		case 8:
			a_arg(r, FLOW_ACT_SET_VLAN_VID, r_vids[rnd(RTE_DIM(r_vids))]);
			break;
		case 9:
			a_mac(r, FLOW_ACT_SET_DL_DST, r_macs[rnd(RTE_DIM(r_macs))]);
			break;
		case 10:
			a_arg(r, FLOW_ACT_SET_DSCP, (uint16_t)rnd(64));
			break;
		default: /* one time in four */
			a_output(r, (uint16_t)rnd(N_PORTS));
			break;
		}
	}
	if (table < last_table && rnd(3) == 0)
		a_arg(r, FLOW_ACT_GOTO_TABLE, (uint16_t)(table + 1 + rnd(last_table - table)));
}

/*
 * Random rules in tables 0 to 2, with distinct priorities, and four rules
 * that match no frame of these tests (source 0e:...) but give table 0 four
 * more subtables, so that the cache is on. Builds two pipelines of the
 * same rules; the caller forces the first one's cache off.
 */
static void
rnd_pipelines(struct flow_pipeline **ref, struct flow_pipeline **cached)
{
	unsigned int n = 6 + rnd(18);

	n_rules = 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int table = rnd(4) == 0 ? 0 : rnd(3);
		struct flow_pipeline_rule *r = rule((uint8_t)table,
						    (uint16_t)(1000 - 10 * i - rnd(10)));

		rnd_match(r);
		rnd_actions(r, table, 2);
	}
	for (unsigned int k = 0; k < 4; k++) {
		struct flow_pipeline_rule *r = rule(0, (uint16_t)(2000 + k));

		memset(&r->key.dl_src, 0x0e, RTE_ETHER_ADDR_LEN);
		memset(&r->mask.dl_src, 0xff, RTE_ETHER_ADDR_LEN - k);
		a_output(r, 0);
	}
	*ref = flow_pipeline_build(rules, n_rules, SOCKET_ID_ANY);
	*cached = flow_pipeline_build(rules, n_rules, SOCKET_ID_ANY);
	assert_non_null(*ref);
	assert_non_null(*cached);
	assert_true((*cached)->use_cache);
	(*ref)->use_cache = false;
	n_rules = 0;
}

static uint32_t next_src;

static void
set_src(struct pkt *s, uint32_t src)
{
	s->src[3] = (uint8_t)(src >> 16);
	s->src[4] = (uint8_t)(src >> 8);
	s->src[5] = (uint8_t)src;
}

/* A random frame with a source MAC of its own. */
static size_t
rnd_frame(uint8_t *buf)
{
	struct pkt s = rnd(3) == 0 ? tcp_pkt() : udp_pkt();
	unsigned int v = rnd(20);

	if (rnd(8) == 0)
		s.proto = IPPROTO_ICMP;
	memcpy(s.dst, r_macs[rnd(RTE_DIM(r_macs))], 6);
	set_src(&s, next_src++);
	if (v >= 12)
		tag(&s, v >= 17 ? VLAN_TPID_8021AD : VLAN_TPID_8021Q,
		    (uint16_t)(rnd(8) << 13 | r_vids[rnd(RTE_DIM(r_vids))]));
	if (v >= 17)
		tag(&s, VLAN_TPID_8021Q, r_vids[rnd(RTE_DIM(r_vids))]);
	if (rnd(10) == 0)
		s.type = 0x88b5;
	s.ip_src = r_addrs[rnd(RTE_DIM(r_addrs))];
	s.ip_dst = r_addrs[rnd(RTE_DIM(r_addrs))];
	s.sport = rnd(2) ? r_ports[rnd(RTE_DIM(r_ports))] : (uint16_t)rnd(65536);
	s.dport = r_ports[rnd(RTE_DIM(r_ports))];
	s.ttl = (uint8_t[]){1, 2, 64}[rnd(3)];
	s.tos = rnd(2) ? 0 : 0xb8;
	s.payload = (uint16_t)rnd(50);
	if (rnd(12) == 0)
		s.frag = 0x2000 | (uint16_t)(1 + rnd(100)); /* a later fragment */
	return frame(buf, &s);
}

/*
 * A frame from a small set of flow keys that differs in what the key does
 * not hold: payload, tags under the frame's VLAN, an outer tag that only
 * carries a priority, whether it is a later fragment.
 */
static size_t
narrow_frame(uint8_t *buf)
{
	struct pkt s = rnd(2) ? tcp_pkt() : udp_pkt();
	unsigned int v = rnd(6);

	set_src(&s, 0);
	if (v >= 2)
		tag(&s, VLAN_TPID_8021Q, 10);
	if (v >= 4)
		tag(&s, VLAN_TPID_8021Q, r_vids[rnd(RTE_DIM(r_vids))]);
	s.ip_src = IP(10, 0, 0, 1);
	s.ip_dst = r_addrs[rnd(2)];
	s.sport = rnd(2) ? 0 : 1000;
	s.dport = s.sport ? 53 : 0;
	s.payload = (uint16_t)rnd(50);
	if (rnd(6) == 0)
		s.frag = 0x2000 | (uint16_t)(1 + rnd(100));
	return frame(buf, &s);
}

static void
use(struct flow_pipeline *pl)
{
	flow_pipeline_get(pl);
	publish(pl);
}

static unsigned int
seed_from_env(const char *name, unsigned int dflt)
{
	const char *env = getenv(name);
	unsigned int seed = dflt;

	if (env != NULL && *env != '\0')
		seed = (unsigned int)strtoul(env, NULL, 0);

	print_message("    seed %u (override with %s)\n", seed, name);
	return seed ? seed : 1;
}

/*
 * Every burst three times: through the classifier alone, through the cache
 * cold (every key is new), and warm (every key hits). All three must send
 * the same bytes out of the same ports and count the same.
 */
static void
test_cache_random(void **state)
{
	static uint8_t bufs[FWD_BURST][FRAME_MAX];
	static struct capture ref, cold, warm;
	size_t lens[FWD_BURST];
	unsigned int frames = 0, sent = 0;
	uint64_t warm_hits = 0;

	(void)state;
	rng_state = seed_from_env("FLOW_EXEC_TEST_SEED", 20221123);
	for (unsigned int round = 0; round < 150; round++) {
		struct flow_pipeline *pl_ref, *pl;

		rnd_pipelines(&pl_ref, &pl);
		for (unsigned int b = 0; b < 6; b++) {
			uint16_t in = (uint16_t)rnd(N_PORTS);
			unsigned int n = 1 + rnd(FWD_BURST);
			uint64_t hits, misses;
			char what[64];

			for (unsigned int i = 0; i < n; i++)
				lens[i] = rnd_frame(bufs[i]);
			use(pl_ref);
			capture(in, bufs, lens, n, &ref);
			use(pl);
			hits = ctx->fcache->hits;
			misses = ctx->fcache->misses;
			capture(in, bufs, lens, n, &cold);
			assert_int_equal(ctx->fcache->misses - misses, n);
			assert_int_equal(ctx->fcache->hits - hits, 0);
			capture(in, bufs, lens, n, &warm);
			/* Paths that rewrite the frame and then go to another table are
			 * not cached (struct flow_entry): the rest must all hit. */
			assert_true(ctx->fcache->hits - hits <= n);
			warm_hits += ctx->fcache->hits - hits;
			snprintf(what, sizeof(what), "round %u burst %u, cold", round, b);
			assert_true(capture_equal(what, &ref, &cold));
			snprintf(what, sizeof(what), "round %u burst %u, warm", round, b);
			assert_true(capture_equal(what, &ref, &warm));
			frames += n;
			for (uint16_t p = 0; p < N_PORTS; p++)
				sent += ref.n[p];
		}
		publish(NULL);
		flow_pipeline_put(pl_ref);
		flow_pipeline_put(pl);
		zero_counters();
	}
	print_message("    %u frames, %u sent by the reference, %llu warm cache hits\n", frames,
		      sent, (unsigned long long)warm_hits);
	assert_true(sent > frames / 4); /* the rules do send things */
	assert_true(warm_hits > frames / 2); /* and most paths are cached */
	assert_no_leak();
}

/*
 * The same with frames that share flow keys (two source MACs, few other
 * values): frames of one key, however they differ outside the key, must go
 * where the classifier alone sends them, whichever of them the cache saw.
 */
static void
test_cache_random_shared_keys(void **state)
{
	static uint8_t bufs[FWD_BURST][FRAME_MAX];
	static struct capture ref, got;
	size_t lens[FWD_BURST];
	unsigned int frames = 0;
	uint64_t hits = ctx->fcache->hits;

	(void)state;
	rng_state = seed_from_env("FLOW_EXEC_TEST_SEED", 20221124);
	for (unsigned int round = 0; round < 100; round++) {
		struct flow_pipeline *pl_ref, *pl;

		rnd_pipelines(&pl_ref, &pl);
		for (unsigned int b = 0; b < 20; b++) {
			unsigned int n = 1 + rnd(8);
			char what[64];

			for (unsigned int i = 0; i < n; i++)
				lens[i] = narrow_frame(bufs[i]);
			use(pl_ref);
			capture(0, bufs, lens, n, &ref);
			use(pl);
			capture(0, bufs, lens, n, &got);
			snprintf(what, sizeof(what), "round %u burst %u", round, b);
			if (!capture_equal(what, &ref, &got)) {
				for (unsigned int i = 0; i < n; i++)
					hexdump("frame", bufs[i], lens[i]);
				fail();
			}
			frames += n;
		}
		publish(NULL);
		flow_pipeline_put(pl_ref);
		flow_pipeline_put(pl);
		zero_counters();
	}
	print_message("    %u frames, %" PRIu64 " cache hits\n", frames, ctx->fcache->hits - hits);
	assert_no_leak();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_hits, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cache_pop_vlan_inner_tag, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_cache_fragment_vs_l4, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_cache_random, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cache_random_shared_keys, test_setup,
						test_teardown),
	};
	int ret;

	(void)argc;
	if (fe_eal_init(argv[0], "test_flow_cache") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, group_setup, group_teardown);
	rte_eal_cleanup();
	return ret;
}
