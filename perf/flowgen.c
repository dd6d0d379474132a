/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "flowgen.h"

#define ANY_L4 255  /* nw_proto of a shape: TCP or UDP, drawn per rule */
#define TCP_ACK 0x010

/* One mask shape: what it matches, field by field. Lengths are prefix lengths; 0 leaves the
 * field out. */
struct shape {
	const char *name;
	uint16_t dl_type;
	uint8_t nw_proto;
	uint8_t src_len;
	uint8_t dst_len;
	uint8_t v6_src_len;   /* 0 or 64: the first word of the IPv6 source */
	uint8_t v6_dst_len;   /* 0, 64 or 128 */
	uint16_t tp_src_mask; /* host order */
	uint16_t tp_dst_mask;
	bool in_port, dl_dst, dl_src, vlan, dscp;
};

static const struct shape shapes[FLOWGEN_SHAPES_ALL] = {
	{ "in_port", .in_port = true },
	{ "ip dst/8", .dl_type = 0x0800, .dst_len = 8 },
	{ "ip dst/16", .dl_type = 0x0800, .dst_len = 16 },
	{ "ip dst/24", .dl_type = 0x0800, .dst_len = 24 },
	{ "ip dst/32", .dl_type = 0x0800, .dst_len = 32 },
	{ "ip src/8 dst/16", .dl_type = 0x0800, .src_len = 8, .dst_len = 16 },
	{ "ip src/16 dst/24", .dl_type = 0x0800, .src_len = 16, .dst_len = 24 },
	{ "ip src/24 dst/32", .dl_type = 0x0800, .src_len = 24, .dst_len = 32 },
	{ "ip src/32 dst/32", .dl_type = 0x0800, .src_len = 32, .dst_len = 32 },
	{ "tcp|udp tp_dst", .dl_type = 0x0800, .nw_proto = ANY_L4, .tp_dst_mask = 0xffff },
	{ "udp tp_src", .dl_type = 0x0800, .nw_proto = 17, .tp_src_mask = 0xffff },
	{ "tcp|udp dst/24 tp_dst", .dl_type = 0x0800, .nw_proto = ANY_L4, .dst_len = 24,
	  .tp_dst_mask = 0xffff },
	{ "tcp|udp dst/32 tp_dst", .dl_type = 0x0800, .nw_proto = ANY_L4, .dst_len = 32,
	  .tp_dst_mask = 0xffff },
	{ "tcp src/24 dst/32 tp_dst", .dl_type = 0x0800, .nw_proto = 6, .src_len = 24,
	  .dst_len = 32, .tp_dst_mask = 0xffff },
	{ "dl_dst", .dl_dst = true },
	{ "vlan dl_dst", .vlan = true, .dl_dst = true },
	{ "in_port dl_src", .in_port = true, .dl_src = true },
	{ "in_port vlan", .in_port = true, .vlan = true },
	{ "tcp tp_dst/0xff00", .dl_type = 0x0800, .nw_proto = 6, .tp_dst_mask = 0xff00 },
	{ "ip dscp", .dl_type = 0x0800, .dscp = true },
	/* Past FLOWGEN_SHAPES; the IPv6 ones need FLOWGEN_PARSED keys. */
	{ "ipv6 dst/64", .dl_type = 0x86dd, .v6_dst_len = 64 },
	{ "ipv6 src/64 dst/128", .dl_type = 0x86dd, .v6_src_len = 64, .v6_dst_len = 128 },
	{ "ip proto", .dl_type = 0x0800, .nw_proto = ANY_L4 },
};

uint64_t
flowgen_rng_next(struct flowgen_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint32_t
flowgen_rng_below(struct flowgen_rng *r, uint32_t n)
{
	return (uint32_t)(flowgen_rng_next(r) % n);
}

static rte_be32_t
prefix32(unsigned int len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(UINT32_MAX << (32 - len));
}

static void
random_mac(struct flowgen_rng *r, struct rte_ether_addr *a)
{
	uint64_t v = flowgen_rng_next(r);

	memcpy(a->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	a->addr_bytes[0] = (a->addr_bytes[0] & 0xfe) | 0x02; /* local unicast, never zero */
}

/* What flow_key_extract() makes of the frames flowgen_frame() writes: TCP ones carry ACK. */
static void
fix_tcp_flags(struct flow_key *k)
{
	k->tcp_flags = k->nw_proto == 6 ? RTE_BE16(TCP_ACK) : 0;
}

/* Each kind draws in the order it always has, so that a seed keeps giving the same rules
 * and flows. */
void
flowgen_random_key(struct flowgen_rng *r, enum flowgen_keys kind, uint16_t in_port,
		   struct flow_key *k)
{
	bool parsed = kind == FLOWGEN_PARSED;
	bool v6 = parsed && flowgen_rng_below(r, 8) == 0;

	memset(k, 0, sizeof(*k));
	k->in_port = parsed ? (uint16_t)flowgen_rng_below(r, 1024) : in_port;
	k->dl_type = v6 ? RTE_BE16(FLOW_ETH_IPV6) : RTE_BE16(FLOW_ETH_IPV4);
	if (parsed)
		k->vlan_tci = (uint16_t)flowgen_rng_below(r, 4096);
	k->nw_proto = flowgen_rng_below(r, 2) ? 6 : 17;
	k->nw_tos = (uint8_t)flowgen_rng_below(r, 256);
	random_mac(r, &k->dl_dst);
	random_mac(r, &k->dl_src);
	k->tp_src = (rte_be16_t)flowgen_rng_below(r, 65536);
	k->tp_dst = (rte_be16_t)flowgen_rng_below(r, 65536);
	k->nw_ttl = 64;
	if (!parsed) {
		k->nw_src = (rte_be32_t)flowgen_rng_next(r);
		k->nw_dst = (rte_be32_t)flowgen_rng_next(r);
		fix_tcp_flags(k);
		return;
	}
	/* Whole words: an IPv4 key's bits past its addresses are noise no IPv4 rule masks. */
	k->w[4] = flowgen_rng_next(r);
	k->w[6] = flowgen_rng_next(r);
	if (v6) {
		k->w[5] = flowgen_rng_next(r);
		k->w[7] = flowgen_rng_next(r);
	}
}

void
flowgen_shape_rule(struct flowgen_rng *r, enum flowgen_keys kind, uint32_t s,
		   uint16_t rule_ports, struct flow_key *mask, struct flow_key *key)
{
	const struct shape *sh = &shapes[s];
	bool frames = kind == FLOWGEN_FRAMES;

	flowgen_random_key(r, kind, 0, key);
	memset(mask, 0, sizeof(*mask));
	if (sh->in_port) {
		mask->in_port = 0xffff;
		if (frames)
			key->in_port = (uint16_t)flowgen_rng_below(r, rule_ports);
	}
	if (sh->dl_type != 0) {
		mask->dl_type = 0xffff;
		key->dl_type = rte_cpu_to_be_16(sh->dl_type);
	}
	if (sh->nw_proto != 0) {
		mask->nw_proto = 0xff;
		key->nw_proto = sh->nw_proto != ANY_L4 ? sh->nw_proto
						       : flowgen_rng_below(r, 2) ? 6 : 17;
	}
	if (sh->vlan) {
		mask->vlan_tci = FLOW_VLAN_VID_MASK;
		if (frames) /* not 0, not 4095 */
			key->vlan_tci = (uint16_t)(1 + flowgen_rng_below(r, 4094));
	}
	if (sh->dscp)
		mask->nw_tos = 0xfc;
	if (sh->dl_dst)
		memset(&mask->dl_dst, 0xff, sizeof(mask->dl_dst));
	if (sh->dl_src)
		memset(&mask->dl_src, 0xff, sizeof(mask->dl_src));
	mask->tp_src = rte_cpu_to_be_16(sh->tp_src_mask);
	mask->tp_dst = rte_cpu_to_be_16(sh->tp_dst_mask);
	mask->nw_src = prefix32(sh->src_len);
	mask->nw_dst = prefix32(sh->dst_len);
	if (sh->v6_src_len >= 64)
		mask->w[4] = UINT64_MAX;
	if (sh->v6_dst_len >= 64)
		mask->w[6] = UINT64_MAX;
	if (sh->v6_dst_len >= 128)
		mask->w[7] = UINT64_MAX;
	for (int w = 0; w < FLOW_KEY_WORDS; w++)
		key->w[w] &= mask->w[w];
}

void
flowgen_rules(struct flowgen_rng *r, const struct flowgen_rule_params *p,
	      struct flow_pipeline_rule *rules, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct flow_pipeline_rule *ru = &rules[i];
		uint32_t s = i % FLOWGEN_SHAPES;

		memset(ru, 0, sizeof(*ru));
		flowgen_shape_rule(r, FLOWGEN_FRAMES, s, p->rule_ports, &ru->mask, &ru->key);
		if (p->banded)
			ru->priority = (uint16_t)((FLOWGEN_SHAPES - 1 - s) * FLOWGEN_BAND + 1 +
						  flowgen_rng_below(r, FLOWGEN_BAND));
		else
			ru->priority = (uint16_t)(1 + flowgen_rng_below(r, 65535));
		ru->table = 0;
		ru->stats_slot = i;
		ru->n_acts = 1;
		ru->acts = p->act;
	}
}

void
flowgen_match(struct flowgen_rng *r, enum flowgen_keys kind, uint16_t in_port,
	      const struct flow_key *mask, const struct flow_key *key, struct flow_key *f)
{
	struct flow_key rnd;

	flowgen_random_key(r, kind, in_port, &rnd);
	for (int w = 0; w < FLOW_KEY_WORDS; w++)
		f->w[w] = (key->w[w] & mask->w[w]) | (rnd.w[w] & ~mask->w[w]);
	if (kind == FLOWGEN_FRAMES)
		fix_tcp_flags(f);
}

void
flowgen_flow(struct flowgen_rng *r, uint16_t in_port, const struct flow_pipeline_rule *rules,
	     uint32_t n, struct flow_key *f)
{
	const struct flow_pipeline_rule *ru;

	do
		ru = &rules[flowgen_rng_below(r, n)];
	while (ru->mask.in_port != 0 && ru->key.in_port != in_port);
	flowgen_match(r, FLOWGEN_FRAMES, in_port, &ru->mask, &ru->key, f);
}

static inline void
put16(uint8_t *p, uint16_t host)
{
	rte_be16_t v = rte_cpu_to_be_16(host);

	memcpy(p, &v, sizeof(v));
}

void
flowgen_frame(const struct flow_key *k, uint8_t *p)
{
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t o = 2 * RTE_ETHER_ADDR_LEN;

	memset(p, 0, FLOWGEN_FRAME_LEN);
	memcpy(p, &k->dl_dst, RTE_ETHER_ADDR_LEN);
	memcpy(p + RTE_ETHER_ADDR_LEN, &k->dl_src, RTE_ETHER_ADDR_LEN);
	if (k->vlan_tci != 0) {
		put16(p + o, RTE_ETHER_TYPE_VLAN);
		put16(p + o + 2, k->vlan_tci);
		o += 4;
	}
	put16(p + o, RTE_ETHER_TYPE_IPV4);
	o += 2;
	ip = (struct rte_ipv4_hdr *)(p + o);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = k->nw_tos;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(FLOWGEN_FRAME_LEN - o));
	ip->time_to_live = k->nw_ttl;
	ip->next_proto_id = k->nw_proto;
	ip->src_addr = k->nw_src;
	ip->dst_addr = k->nw_dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4 = p + o + sizeof(*ip);
	memcpy(l4, &k->tp_src, 2);
	memcpy(l4 + 2, &k->tp_dst, 2);
	if (k->nw_proto == 6) {
		l4[12] = 5 << 4; /* data offset: 20 bytes */
		l4[13] = TCP_ACK;
	} else {
		put16(l4 + 4, (uint16_t)(FLOWGEN_FRAME_LEN - o - sizeof(*ip)));
	}
}

int
flowgen_check_frame(struct rte_mempool *mp, const struct flow_key *k, const uint8_t *frame)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct vlan_meta meta = { .u64 = 0 };
	struct flow_key got;
	bool ok;

	if (m == NULL)
		return -ENOMEM;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), frame, FLOWGEN_FRAME_LEN);
	m->data_len = FLOWGEN_FRAME_LEN;
	m->pkt_len = FLOWGEN_FRAME_LEN;
	/* What VLAN ingress of a trunk port says: the tag's TCI, or VLAN 0 untagged. */
	meta.tci = k->vlan_tci;
	meta.tagged = k->vlan_tci != 0;
	flow_key_extract(m, k->in_port, &meta, &got);
	ok = flow_key_equal(&got, k);
	rte_pktmbuf_free(m);
	return ok ? 0 : -EINVAL;
}
