/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch of test_flow_exec and test_flow_cache, and the builders and
 * checks they share (flow_exec_harness.h says what each one does).
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
#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "datapath/forward.h"
#include "datapath/snapshot.h"
#include "datapath/vlan.h"

#include "flow_exec_harness.h"

#define POOL_SIZE 2047
#define RING_SIZE 1024

/* ---- the switch: ports, snapshot, context ---- */

static struct rte_mempool *pool;
static struct rte_ring *rx_ring[N_PORTS], *tx_ring[N_PORTS];
static uint16_t eth_port[N_PORTS];
struct snapshot *snap;
struct dp_port_stats *stats;
struct flow_stats_pool *fpool;
struct fwd_ctx *ctx;
struct conntrack *ct;
struct rte_ring *punt_ring;
static struct rte_ring *learn_ring;
static rte_spinlock_t tx_locks[DP_MAX_PORTS];

/* rte_eth_tx_burst() needs a started device (see perf/mb_harness.c). */
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

int
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
	ct = conntrack_create(&(struct conntrack_params){
		.capacity = 1024, .n_threads = 1, .socket_id = SOCKET_ID_ANY});
	punt_ring = rte_ring_create_elem("fe_punt", sizeof(struct dp_punt), 64, SOCKET_ID_ANY,
					 RING_F_SC_DEQ);
	if (stats == NULL || fpool == NULL || learn_ring == NULL || ct == NULL || punt_ring == NULL)
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
		.ct = ct,
		.punt_ring = punt_ring,
		.socket_id = SOCKET_ID_ANY,
	});
	return ctx == NULL ? -1 : 0;
}

int
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
	rte_ring_free(punt_ring);
	conntrack_destroy(ct);
	flow_stats_pool_destroy(fpool);
	rte_free(stats);
	rte_mempool_free(pool);
	return 0;
}

/* The snapshot's pipeline becomes pl, whose reference it takes over. */
void
publish(struct flow_pipeline *pl)
{
	struct snap_bridge *br = &snap->bridges[0];

	flow_pipeline_put(br->pipeline);
	br->pipeline = pl;
}

void
zero_counters(void)
{
	struct flow_stats *fs = flow_stats_pool_pmd(fpool, 0);

	memset(fs->chunk[0], 0, N_SLOTS * sizeof(struct flow_counter));
}

unsigned int n_rules;
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

int
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

int
test_teardown(void **state)
{
	(void)state;
	publish(NULL);
	return 0;
}

void
assert_no_leak(void)
{
	unsigned int in_use = rte_mempool_in_use_count(pool);

	if (in_use != in_use_at_start)
		fail_msg("%u mbufs are not back in the pool", in_use - in_use_at_start);
}

/* ---- rules ---- */

struct flow_pipeline_rule rules[MAX_RULES];
static struct flow_act acts[MAX_RULES][MAX_ACTS];

/* A new rule counting into slot = its index. */
struct flow_pipeline_rule *
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

void
a_output(struct flow_pipeline_rule *r, uint16_t port)
{
	act(r, FLOW_ACT_OUTPUT)->arg = port;
}

void
a_arg(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t arg)
{
	act(r, type)->arg = arg;
}

void
a_ct(struct flow_pipeline_rule *r, uint8_t flags, uint8_t table, uint16_t zone, uint32_t nat_ip)
{
	struct flow_act *a = act(r, FLOW_ACT_CT);

	a->val.ct = (struct ct_args){.flags = flags, .table = table, .zone = zone,
				     .ip_min = rte_cpu_to_be_32(nat_ip),
				     .ip_max = rte_cpu_to_be_32(nat_ip)};
}

void
m_ct_state(struct flow_pipeline_rule *r, uint8_t value, uint8_t mask)
{
	r->key.ct_state = value & mask;
	r->mask.ct_state = mask;
}

void
a_ip(struct flow_pipeline_rule *r, enum flow_act_type type, uint32_t addr)
{
	act(r, type)->val.ip4 = rte_cpu_to_be_32(addr);
}

void
a_tp(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t port)
{
	act(r, type)->val.port = rte_cpu_to_be_16(port);
}

void
a_mac(struct flow_pipeline_rule *r, enum flow_act_type type, const uint8_t *mac)
{
	memcpy(&act(r, type)->val.mac, mac, RTE_ETHER_ADDR_LEN);
}

void
m_in_port(struct flow_pipeline_rule *r, uint16_t port)
{
	r->key.in_port = port;
	r->mask.in_port = 0xffff;
}

void
m_ip(struct flow_pipeline_rule *r)
{
	r->key.dl_type = RTE_BE16(FLOW_ETH_IPV4);
	r->mask.dl_type = 0xffff;
}

void
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

void
m_nw_dst(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen)
{
	m_ip(r);
	r->mask.nw_dst = rte_cpu_to_be_32(prefix(plen));
	r->key.nw_dst = rte_cpu_to_be_32(addr & prefix(plen));
}

void
m_nw_src(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen)
{
	m_ip(r);
	r->mask.nw_src = rte_cpu_to_be_32(prefix(plen));
	r->key.nw_src = rte_cpu_to_be_32(addr & prefix(plen));
}

void
m_tp_dst(struct flow_pipeline_rule *r, uint8_t proto, uint16_t port)
{
	m_proto(r, proto);
	r->key.tp_dst = rte_cpu_to_be_16(port);
	r->mask.tp_dst = 0xffff;
}

void
m_vlan(struct flow_pipeline_rule *r, uint16_t vid)
{
	r->key.vlan_tci = vid;
	r->mask.vlan_tci = FLOW_VLAN_VID_MASK;
}

void
m_dl_dst(struct flow_pipeline_rule *r, const uint8_t *mac)
{
	memcpy(&r->key.dl_dst, mac, RTE_ETHER_ADDR_LEN);
	memset(&r->mask.dl_dst, 0xff, RTE_ETHER_ADDR_LEN);
}

/* Builds the rules so far into a pipeline and publishes it; starts a new list. */
struct flow_pipeline *
build_and_publish(void)
{
	struct flow_pipeline *pl = flow_pipeline_build(rules, n_rules, SOCKET_ID_ANY);

	assert_non_null(pl);
	n_rules = 0;
	publish(pl);
	return pl;
}

/* ---- frames ---- */

const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
const uint8_t mac_c[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};

/* An Ethernet/IPv4/UDP frame from a to b, 10.0.0.1 -> 10.0.0.2, 1000 -> 53. */
struct pkt
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
struct pkt
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
size_t
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

static void
collect(struct outs *o)
{
	for (uint16_t p = 0; p < N_PORTS; p++)
		o->n[p] = rte_ring_dequeue_burst(tx_ring[p], (void **)o->m[p], MAX_OUT, NULL);
}

void
outs_free(struct outs *o)
{
	for (uint16_t p = 0; p < N_PORTS; p++) {
		rte_pktmbuf_free_bulk(o->m[p], o->n[p]);
		o->n[p] = 0;
	}
}

/* Sends n frames (<= FWD_BURST) received on in_port and collects the result. */
void
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

void
send1(uint16_t in_port, const struct pkt *s, struct outs *o)
{
	uint8_t buf[1][FRAME_MAX];
	size_t len = frame(buf[0], s);

	send_frames(in_port, buf, &len, 1, o);
}

void
hexdump(const char *what, const uint8_t *b, size_t len)
{
	print_message("    %s (%zu):", what, len);
	for (size_t i = 0; i < len; i++)
		print_message("%s%02x", i % 4 ? "" : " ", b[i]);
	print_message("\n");
}

bool
bytes_equal(const struct rte_mbuf *m, const uint8_t *exp, size_t len)
{
	return rte_pktmbuf_pkt_len(m) == len && rte_pktmbuf_data_len(m) == len &&
	       memcmp(rte_pktmbuf_mtod(m, const uint8_t *), exp, len) == 0;
}

/* Port p sent exactly one frame, these bytes. */
void
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

void
assert_one_pkt(const struct outs *o, uint16_t p, const struct pkt *s)
{
	uint8_t buf[FRAME_MAX];
	size_t len = frame(buf, s);

	assert_one(o, p, buf, len);
}

/* Which ports sent how many frames: "1 0 0 2" for ports 0..3. */
void
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

void
assert_csums(const struct rte_mbuf *m)
{
	if (!csums_ok(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m))) {
		hexdump("bad checksum", rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m));
		fail();
	}
}

void
assert_counter(uint32_t slot, uint64_t packets, uint64_t bytes)
{
	struct flow_counter c;

	flow_stats_pool_read(fpool, slot, &c);
	if (c.packets != packets || c.bytes != bytes)
		fail_msg("slot %u counted %" PRIu64 " packets %" PRIu64 " bytes, expected %" PRIu64
			 " and %" PRIu64, slot, c.packets, c.bytes, packets, bytes);
}


void
tag(struct pkt *s, uint16_t tpid, uint16_t tci)
{
	s->tpid[s->n_tags] = tpid;
	s->tci[s->n_tags] = tci;
	s->n_tags++;
}

int
fe_eal_init(char *argv0, const char *test_name)
{
	char *eal_args[] = {
		argv0, "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};

	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed\n", test_name);
		return -1;
	}
	return 0;
}
