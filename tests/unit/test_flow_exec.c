/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rule pipeline end to end (datapath/flow_exec.c and what it uses):
 * crafted frames go through fwd_burst() and fwd_flush() of a bridge whose
 * snapshot carries a pipeline built here, and out of ring-backed ethdev
 * ports (as perf/microbench_fwd.c does), where the test reads them byte by
 * byte. Covered: outputs, mirrors and the copy rule, flood, drop and
 * no-match, header rewrites with their checksums, dec_ttl, VLAN push, pop
 * and rewrite, goto_table, per-rule counters, and the flow cache (hits,
 * pipeline swaps, and a random differential test against the classifier
 * alone).
 *
 * Every test ends with every mbuf back in the pool.
 */
#include <errno.h>
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

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "datapath/dp_stats.h"
#include "datapath/flow_actions.h"
#include "datapath/flow_cache.h"
#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "datapath/forward.h"
#include "datapath/snapshot.h"
#include "datapath/vlan.h"

#define N_PORTS 4
#define POOL_SIZE 2047
#define RING_SIZE 1024
#define N_SLOTS 64
#define MAX_RULES N_SLOTS
#define MAX_ACTS 8
#define MAX_OUT 128
#define FRAME_MAX 256

/* ---- the switch: ports, snapshot, context ---- */

static struct rte_mempool *pool;
static struct rte_ring *rx_ring[N_PORTS], *tx_ring[N_PORTS];
static uint16_t eth_port[N_PORTS];
static struct snapshot *snap;
static struct dp_port_stats *stats;
static struct flow_stats_pool *fpool;
static struct fwd_ctx *ctx;
static struct rte_ring *learn_ring;
static rte_spinlock_t tx_locks[DP_MAX_PORTS];

/* rte_eth_tx_burst() needs a started device (see perf/microbench_fwd.c). */
static int
start_ring_port(uint16_t port)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING_SIZE, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING_SIZE, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

static void
ports_default_vlan(void)
{
	struct vlan_config c;

	vlan_config_default(&c);
	for (uint16_t p = 0; p < N_PORTS; p++)
		vlan_port_build(&snap->ports[p].vlan, &c);
}

static int
group_setup(void **state)
{
	struct snap_bridge *br;
	char name[32];

	(void)state;
	pool = rte_pktmbuf_pool_create("fe_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	for (uint16_t p = 0; p < N_PORTS; p++) {
		int id;

		snprintf(name, sizeof(name), "fe_rx%u", p);
		rx_ring[p] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "fe_tx%u", p);
		tx_ring[p] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx_ring[p] == NULL || tx_ring[p] == NULL)
			return -1;
		snprintf(name, sizeof(name), "fe_port%u", p);
		id = rte_eth_from_rings(name, &rx_ring[p], 1, &tx_ring[p], 1, SOCKET_ID_ANY);
		if (id < 0)
			return -1;
		eth_port[p] = (uint16_t)id;
		if (start_ring_port(eth_port[p]) < 0)
			return -1;
	}
	snap = snapshot_create();
	if (snap == NULL)
		return -1;
	br = &snap->bridges[0];
	br->in_use = true;
	br->vlan_uniform = true;
	br->min_mtu = 1500;
	for (uint16_t p = 0; p < N_PORTS; p++) {
		struct snap_port *sp = &snap->ports[p];

		sp->in_use = true;
		sp->link_up = true;
		sp->eth_port = eth_port[p];
		sp->bridge = 0;
		sp->n_txq = 1;
		sp->mtu = 1500;
		br->flood[br->n_flood++] = p;
	}
	ports_default_vlan();
	stats = rte_zmalloc("fe_stats", DP_MAX_PORTS * sizeof(*stats), RTE_CACHE_LINE_SIZE);
	fpool = flow_stats_pool_create(1, SOCKET_ID_ANY);
	learn_ring = rte_ring_create_elem("fe_learn", sizeof(struct learn_event), 1024,
					  SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (stats == NULL || fpool == NULL || learn_ring == NULL)
		return -1;
	for (unsigned int i = 0; i < N_SLOTS; i++)
		if (flow_stats_pool_alloc(fpool) != i)
			return -1;
	ctx = fwd_ctx_create(&(struct fwd_ctx_params){
		.pmd = 0,
		.learn_ring = learn_ring,
		.stats = stats,
		.pool = pool,
		.tx_locks = tx_locks,
		.fstats = flow_stats_pool_pmd(fpool, 0),
		.socket_id = SOCKET_ID_ANY,
	});
	return ctx == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fwd_ctx_destroy(ctx);
	snapshot_destroy(snap);
	for (uint16_t p = 0; p < N_PORTS; p++) {
		rte_eth_dev_stop(eth_port[p]);
		rte_eth_dev_close(eth_port[p]);
		rte_ring_free(rx_ring[p]);
		rte_ring_free(tx_ring[p]);
	}
	rte_ring_free(learn_ring);
	flow_stats_pool_destroy(fpool);
	rte_free(stats);
	rte_mempool_free(pool);
	return 0;
}

/* The snapshot's pipeline becomes pl, whose reference it takes over. */
static void
publish(struct flow_pipeline *pl)
{
	struct snap_bridge *br = &snap->bridges[0];

	flow_pipeline_put(br->pipeline);
	br->pipeline = pl;
}

static void
zero_counters(void)
{
	struct flow_stats *fs = flow_stats_pool_pmd(fpool, 0);

	memset(fs->chunk[0], 0, N_SLOTS * sizeof(struct flow_counter));
}

static unsigned int n_rules;
static unsigned int in_use_at_start; /* mbufs a failed test before left behind */

static void
drain_rings(void)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	for (uint16_t p = 0; p < N_PORTS; p++)
		while ((n = rte_ring_dequeue_burst(tx_ring[p], (void **)m, RTE_DIM(m), NULL)) > 0)
			rte_pktmbuf_free_bulk(m, n);
}

static int
test_setup(void **state)
{
	(void)state;
	drain_rings();
	in_use_at_start = rte_mempool_in_use_count(pool);
	memset(stats, 0, DP_MAX_PORTS * sizeof(*stats));
	zero_counters();
	ports_default_vlan();
	n_rules = 0;
	return 0;
}

static int
test_teardown(void **state)
{
	(void)state;
	publish(NULL);
	return 0;
}

static void
assert_no_leak(void)
{
	unsigned int in_use = rte_mempool_in_use_count(pool);

	if (in_use != in_use_at_start)
		fail_msg("%u mbufs are not back in the pool", in_use - in_use_at_start);
}

/* ---- rules ---- */

static struct flow_pipeline_rule rules[MAX_RULES];
static struct flow_act acts[MAX_RULES][MAX_ACTS];

/* A new rule counting into slot = its index. */
static struct flow_pipeline_rule *
rule(uint8_t table, uint16_t priority)
{
	struct flow_pipeline_rule *r;

	assert_true(n_rules < MAX_RULES);
	r = &rules[n_rules];
	memset(r, 0, sizeof(*r));
	r->table = table;
	r->priority = priority;
	r->stats_slot = n_rules;
	r->acts = acts[n_rules];
	n_rules++;
	return r;
}

static struct flow_act *
act(struct flow_pipeline_rule *r, enum flow_act_type type)
{
	struct flow_act *a;

	assert_true(r->n_acts < MAX_ACTS);
	a = &acts[r - rules][r->n_acts++];
	memset(a, 0, sizeof(*a));
	a->type = (uint8_t)type;
	return a;
}

static void
a_output(struct flow_pipeline_rule *r, uint16_t port)
{
	act(r, FLOW_ACT_OUTPUT)->arg = port;
}

static void
a_arg(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t arg)
{
	act(r, type)->arg = arg;
}

static void
a_ip(struct flow_pipeline_rule *r, enum flow_act_type type, uint32_t addr)
{
	act(r, type)->val.ip4 = rte_cpu_to_be_32(addr);
}

static void
a_tp(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t port)
{
	act(r, type)->val.port = rte_cpu_to_be_16(port);
}

static void
a_mac(struct flow_pipeline_rule *r, enum flow_act_type type, const uint8_t *mac)
{
	memcpy(&act(r, type)->val.mac, mac, RTE_ETHER_ADDR_LEN);
}

static void
m_in_port(struct flow_pipeline_rule *r, uint16_t port)
{
	r->key.in_port = port;
	r->mask.in_port = 0xffff;
}

static void
m_ip(struct flow_pipeline_rule *r)
{
	r->key.dl_type = RTE_BE16(FLOW_ETH_IPV4);
	r->mask.dl_type = 0xffff;
}

static void
m_proto(struct flow_pipeline_rule *r, uint8_t proto)
{
	m_ip(r);
	r->key.nw_proto = proto;
	r->mask.nw_proto = 0xff;
}

static uint32_t
prefix(unsigned int plen)
{
	return plen == 0 ? 0 : UINT32_MAX << (32 - plen);
}

static void
m_nw_dst(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen)
{
	m_ip(r);
	r->mask.nw_dst = rte_cpu_to_be_32(prefix(plen));
	r->key.nw_dst = rte_cpu_to_be_32(addr & prefix(plen));
}

static void
m_nw_src(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen)
{
	m_ip(r);
	r->mask.nw_src = rte_cpu_to_be_32(prefix(plen));
	r->key.nw_src = rte_cpu_to_be_32(addr & prefix(plen));
}

static void
m_tp_dst(struct flow_pipeline_rule *r, uint8_t proto, uint16_t port)
{
	m_proto(r, proto);
	r->key.tp_dst = rte_cpu_to_be_16(port);
	r->mask.tp_dst = 0xffff;
}

static void
m_vlan(struct flow_pipeline_rule *r, uint16_t vid)
{
	r->key.vlan_tci = vid;
	r->mask.vlan_tci = FLOW_VLAN_VID_MASK;
}

static void
m_dl_dst(struct flow_pipeline_rule *r, const uint8_t *mac)
{
	memcpy(&r->key.dl_dst, mac, RTE_ETHER_ADDR_LEN);
	memset(&r->mask.dl_dst, 0xff, RTE_ETHER_ADDR_LEN);
}

/* Builds the rules so far into a pipeline and publishes it; starts a new list. */
static struct flow_pipeline *
build_and_publish(void)
{
	struct flow_pipeline *pl = flow_pipeline_build(rules, n_rules, SOCKET_ID_ANY);

	assert_non_null(pl);
	n_rules = 0;
	publish(pl);
	return pl;
}

/* ---- frames ---- */

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
static const uint8_t mac_c[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};

struct pkt {
	uint8_t dst[6], src[6];
	unsigned int n_tags;
	uint16_t tpid[2], tci[2]; /* outer first */
	uint16_t type;            /* EtherType after the tags */
	uint32_t ip_src, ip_dst;  /* host order */
	uint8_t proto, ttl, tos;
	uint16_t sport, dport;
	uint16_t frag;            /* the IPv4 flags and fragment offset field */
	bool no_udp_csum;
	uint16_t payload;
};

/* An Ethernet/IPv4/UDP frame from a to b, 10.0.0.1 -> 10.0.0.2, 1000 -> 53. */
static struct pkt
udp_pkt(void)
{
	struct pkt p = {
		.type = RTE_ETHER_TYPE_IPV4,
		.ip_src = IP(10, 0, 0, 1),
		.ip_dst = IP(10, 0, 0, 2),
		.proto = IPPROTO_UDP,
		.ttl = 64,
		.sport = 1000,
		.dport = 53,
		.payload = 18,
	};

	memcpy(p.dst, mac_b, 6);
	memcpy(p.src, mac_a, 6);
	return p;
}

/* The same, TCP, 40000 -> 80. */
static struct pkt
tcp_pkt(void)
{
	struct pkt p = udp_pkt();

	p.proto = IPPROTO_TCP;
	p.sport = 40000;
	p.dport = 80;
	p.payload = 10;
	return p;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static unsigned int
l4_len(const struct pkt *s)
{
	if (s->proto == IPPROTO_UDP)
		return 8;
	if (s->proto == IPPROTO_TCP)
		return 20;
	if (s->proto == IPPROTO_ICMP)
		return 8;
	return 0;
}

/* Writes the frame s describes, with correct checksums; returns its length. */
static size_t
frame(uint8_t *buf, const struct pkt *s)
{
	size_t o = 12, l3, l4, end;

	memcpy(buf, s->dst, 6);
	memcpy(buf + 6, s->src, 6);
	for (unsigned int i = 0; i < s->n_tags; i++) {
		put16(buf + o, s->tpid[i]);
		put16(buf + o + 2, s->tci[i]);
		o += 4;
	}
	put16(buf + o, s->type);
	o += 2;
	if (s->type != RTE_ETHER_TYPE_IPV4) {
		end = o + s->payload;
		for (unsigned int i = 0; i < s->payload; i++)
			buf[o + i] = (uint8_t)(0x11 * i + 3);
		goto pad;
	}
	l3 = o;
	l4 = l3 + 20;
	end = l4 + ((s->frag & 0x1fff) ? 0 : l4_len(s)) + s->payload;
	assert_true(end <= FRAME_MAX);
	memset(buf + l3, 0, end - l3);
	buf[l3] = 0x45;
	buf[l3 + 1] = s->tos;
	put16(buf + l3 + 2, (uint16_t)(end - l3));
	put16(buf + l3 + 4, 0x1234);
	put16(buf + l3 + 6, s->frag);
	buf[l3 + 8] = s->ttl;
	buf[l3 + 9] = s->proto;
	put32(buf + l3 + 12, s->ip_src);
	put32(buf + l3 + 16, s->ip_dst);
	o = l4;
	if ((s->frag & 0x1fff) == 0 && l4_len(s) > 0) {
		if (s->proto == IPPROTO_UDP) {
			put16(buf + l4, s->sport);
			put16(buf + l4 + 2, s->dport);
			put16(buf + l4 + 4, (uint16_t)(end - l4));
		} else if (s->proto == IPPROTO_TCP) {
			put16(buf + l4, s->sport);
			put16(buf + l4 + 2, s->dport);
			put32(buf + l4 + 4, 0x01020304);
			buf[l4 + 12] = 0x50;
			buf[l4 + 13] = 0x18; /* PSH ACK */
			put16(buf + l4 + 14, 8192);
		} else {
			buf[l4] = 8; /* echo request */
		}
		o = l4 + l4_len(s);
	}
	for (unsigned int i = 0; i < s->payload; i++)
		buf[o + i] = (uint8_t)(0x37 * i + 1);
	{
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
		uint16_t c;

		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if ((s->frag & 0x1fff) == 0 && s->proto == IPPROTO_UDP && !s->no_udp_csum) {
			c = rte_ipv4_udptcp_cksum(ip, buf + l4);
			memcpy(buf + l4 + 6, &c, 2);
		} else if ((s->frag & 0x1fff) == 0 && s->proto == IPPROTO_TCP) {
			c = rte_ipv4_udptcp_cksum(ip, buf + l4);
			memcpy(buf + l4 + 16, &c, 2);
		} else if ((s->frag & 0x1fff) == 0 && s->proto == IPPROTO_ICMP) {
			c = (uint16_t)~rte_raw_cksum(buf + l4, end - l4);
			memcpy(buf + l4 + 2, &c, 2);
		}
	}
pad:
	/* Pad to the Ethernet minimum like a NIC would hand it over. */
	if (end < 60) {
		memset(buf + end, 0, 60 - end);
		end = 60;
	}
	return end;
}

static struct rte_mbuf *
mbuf_of(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, b, len);
	return m;
}

/* What came out of each port, in order. */
struct outs {
	unsigned int n[N_PORTS];
	struct rte_mbuf *m[N_PORTS][MAX_OUT];
};

static void
collect(struct outs *o)
{
	for (uint16_t p = 0; p < N_PORTS; p++)
		o->n[p] = rte_ring_dequeue_burst(tx_ring[p], (void **)o->m[p], MAX_OUT, NULL);
}

static void
outs_free(struct outs *o)
{
	for (uint16_t p = 0; p < N_PORTS; p++) {
		rte_pktmbuf_free_bulk(o->m[p], o->n[p]);
		o->n[p] = 0;
	}
}

/* Sends n frames (<= FWD_BURST) received on in_port and collects the result. */
static void
send_frames(uint16_t in_port, uint8_t (*bufs)[FRAME_MAX], const size_t *lens, unsigned int n,
	    struct outs *o)
{
	struct rte_mbuf *pkts[FWD_BURST];

	assert_true(n <= FWD_BURST);
	for (unsigned int i = 0; i < n; i++)
		pkts[i] = mbuf_of(bufs[i], lens[i]);
	fwd_burst(ctx, snap, in_port, pkts, (uint16_t)n);
	fwd_flush(ctx, snap);
	collect(o);
}

static void
send1(uint16_t in_port, const struct pkt *s, struct outs *o)
{
	uint8_t buf[1][FRAME_MAX];
	size_t len = frame(buf[0], s);

	send_frames(in_port, buf, &len, 1, o);
}

static void
hexdump(const char *what, const uint8_t *b, size_t len)
{
	print_message("    %s (%zu):", what, len);
	for (size_t i = 0; i < len; i++)
		print_message("%s%02x", i % 4 ? "" : " ", b[i]);
	print_message("\n");
}

static bool
bytes_equal(const struct rte_mbuf *m, const uint8_t *exp, size_t len)
{
	return rte_pktmbuf_pkt_len(m) == len && rte_pktmbuf_data_len(m) == len &&
	       memcmp(rte_pktmbuf_mtod(m, const uint8_t *), exp, len) == 0;
}

/* Port p sent exactly one frame, these bytes. */
static void
assert_one(const struct outs *o, uint16_t p, const uint8_t *exp, size_t len)
{
	if (o->n[p] != 1)
		fail_msg("port %u sent %u frames, expected 1", p, o->n[p]);
	if (!bytes_equal(o->m[p][0], exp, len)) {
		print_message("port %u: frame bytes differ\n", p);
		hexdump("expected", exp, len);
		hexdump("got     ", rte_pktmbuf_mtod(o->m[p][0], const uint8_t *),
			rte_pktmbuf_data_len(o->m[p][0]));
		fail();
	}
}

static void
assert_one_pkt(const struct outs *o, uint16_t p, const struct pkt *s)
{
	uint8_t buf[FRAME_MAX];
	size_t len = frame(buf, s);

	assert_one(o, p, buf, len);
}

/* Which ports sent how many frames: "1 0 0 2" for ports 0..3. */
static void
assert_counts(const struct outs *o, unsigned int c0, unsigned int c1, unsigned int c2,
	      unsigned int c3)
{
	const unsigned int want[N_PORTS] = {c0, c1, c2, c3};

	for (uint16_t p = 0; p < N_PORTS; p++)
		if (o->n[p] != want[p])
			fail_msg("ports sent %u %u %u %u frames, expected %u %u %u %u", o->n[0],
				 o->n[1], o->n[2], o->n[3], c0, c1, c2, c3);
}

/*
 * Whether the IPv4 header checksum and the TCP/UDP checksum of a frame are
 * right, recomputed from scratch. Skips the tags; a UDP checksum of 0 means
 * none. Returns true for frames that are not IPv4.
 */
static bool
csums_ok(const uint8_t *f, size_t len)
{
	uint8_t buf[FRAME_MAX] __rte_aligned(8);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	size_t o = 12, ihl, tot;
	uint16_t stored, c;

	while (o + 4 <= len && vlan_is_tpid_be(f + o))
		o += 4;
	if (o + 2 > len || f[o] != 0x08 || f[o + 1] != 0x00)
		return true;
	o += 2;
	if (len - o < 20)
		return true;
	ihl = (size_t)(f[o] & 0xf) * 4;
	tot = (size_t)f[o + 2] << 8 | f[o + 3];
	if (tot > len - o || tot < ihl)
		return false;
	memcpy(buf, f + o, tot);
	stored = ip->hdr_checksum;
	ip->hdr_checksum = 0;
	if (rte_ipv4_cksum(ip) != stored)
		return false;
	ip->hdr_checksum = stored;
	if ((rte_be_to_cpu_16(ip->fragment_offset) & 0x1fff) != 0)
		return true;
	if (ip->next_proto_id == IPPROTO_UDP && tot >= ihl + 8) {
		memcpy(&stored, buf + ihl + 6, 2);
		if (stored == 0)
			return true;
		memset(buf + ihl + 6, 0, 2);
		c = rte_ipv4_udptcp_cksum(ip, buf + ihl);
		return c == stored;
	}
	if (ip->next_proto_id == IPPROTO_TCP && tot >= ihl + 20) {
		memcpy(&stored, buf + ihl + 16, 2);
		memset(buf + ihl + 16, 0, 2);
		c = rte_ipv4_udptcp_cksum(ip, buf + ihl);
		/* 0 and 0xffff are the same one's complement number. */
		return c == stored || (c == 0 && stored == 0xffff) || (c == 0xffff && stored == 0);
	}
	return true;
}

static void
assert_csums(const struct rte_mbuf *m)
{
	if (!csums_ok(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m))) {
		hexdump("bad checksum", rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m));
		fail();
	}
}

static void
assert_counter(uint32_t slot, uint64_t packets, uint64_t bytes)
{
	struct flow_counter c;

	flow_stats_pool_read(fpool, slot, &c);
	if (c.packets != packets || c.bytes != bytes)
		fail_msg("slot %u counted %" PRIu64 " packets %" PRIu64 " bytes, expected %" PRIu64
			 " and %" PRIu64, slot, c.packets, c.bytes, packets, bytes);
}

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
tag(struct pkt *s, uint16_t tpid, uint16_t tci)
{
	s->tpid[s->n_tags] = tpid;
	s->tci[s->n_tags] = tci;
	s->n_tags++;
}

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
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
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
	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_flow_exec: rte_eal_init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, group_setup, group_teardown);
	rte_eal_cleanup();
	return ret;
}
