/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header rewrites (datapath/packet_edit.h) and action list flags
 * (datapath/flow_actions.h).
 *
 * Each edit is checked against a reference: a copy of the frame with the
 * field written byte by byte and every checksum recomputed from scratch
 * (DPDK's rte_ipv4_cksum and rte_ipv4/ipv6_udptcp_cksum). The edited frame
 * must equal it byte for byte, which checks the field, the checksums and
 * that nothing else moved; its checksums are also verified with a plain
 * sum written here. The key must equal the one extracted from the
 * reference frame.
 *
 * The random test runs chains of edits on one frame, so that incremental
 * updates are checked on top of incremental updates. Its seed is printed;
 * PACKET_EDIT_SEED reruns one.
 */
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

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "datapath/flow_actions.h"
#include "datapath/flow_key.h"
#include "datapath/packet_edit.h"

#define POOL_SIZE 63
#define IN_PORT 3

static struct rte_mempool *pool;
static const struct vlan_meta rx_meta = {.tci = 0x0064, .tpid = 0x8100, .tagged = 1};

/* ---- random numbers (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* ---- frames ---- */

enum kind {
	K_TCP4,
	K_UDP4,
	K_UDP4_NOCSUM, /* UDP checksum 0: none */
	K_ICMP4,
	K_SCTP4,
	K_TCP4_LATER, /* a later fragment: what follows the IPv4 header is payload */
	K_TCP4_CUT,   /* the TCP header cut short by the end of the frame */
	K_TCP6,
	K_UDP6,
	K_ICMP6,
	K_SCTP6,
	K_ARP,
	K_MAX
};

static const struct kind_def {
	const char *name;
	uint16_t dl_type;
	uint8_t proto;
	uint8_t l4_bytes; /* header bytes written after the L3 header */
	bool l4;          /* flow_key_extract_offsets() reports the L4 header */
	bool csum;        /* the L4 checksum is computed (and kept right) */
} kinds[K_MAX] = {
	[K_TCP4] = {"tcp4", FLOW_ETH_IPV4, IPPROTO_TCP, 20, true, true},
	[K_UDP4] = {"udp4", FLOW_ETH_IPV4, IPPROTO_UDP, 8, true, true},
	[K_UDP4_NOCSUM] = {"udp4 no checksum", FLOW_ETH_IPV4, IPPROTO_UDP, 8, true, false},
	[K_ICMP4] = {"icmp4", FLOW_ETH_IPV4, IPPROTO_ICMP, 8, true, true},
	[K_SCTP4] = {"sctp4", FLOW_ETH_IPV4, IPPROTO_SCTP, 12, true, false},
	[K_TCP4_LATER] = {"tcp4 later fragment", FLOW_ETH_IPV4, IPPROTO_TCP, 20, false, false},
	[K_TCP4_CUT] = {"tcp4 cut", FLOW_ETH_IPV4, IPPROTO_TCP, 10, false, false},
	[K_TCP6] = {"tcp6", FLOW_ETH_IPV6, IPPROTO_TCP, 20, true, true},
	[K_UDP6] = {"udp6", FLOW_ETH_IPV6, IPPROTO_UDP, 8, true, true},
	[K_ICMP6] = {"icmp6", FLOW_ETH_IPV6, IPPROTO_ICMPV6, 8, true, true},
	[K_SCTP6] = {"sctp6", FLOW_ETH_IPV6, IPPROTO_SCTP, 12, true, false},
	[K_ARP] = {"arp", FLOW_ETH_ARP, 0, 0, false, false},
};

struct spec {
	enum kind kind;
	unsigned int ntags; /* 0..2 */
	unsigned int ihl;   /* IPv4: 5..15 */
	size_t payload;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t tos, ttl;
};

struct pkt {
	uint8_t b[512];
	size_t len;
	enum kind kind;
	size_t l3, l4;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
is_v4(const struct pkt *p)
{
	return kinds[p->kind].dl_type == FLOW_ETH_IPV4;
}

static bool
is_v6(const struct pkt *p)
{
	return kinds[p->kind].dl_type == FLOW_ETH_IPV6;
}

/* Where the L4 checksum is, from the start of the L4 header. */
static size_t
csum_at(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

/* Recomputes every checksum from scratch, as a sender would. */
static void
fix_csums(struct pkt *p)
{
	const struct kind_def *d = &kinds[p->kind];
	uint8_t *l4 = p->b + p->l4;
	uint16_t c;

	if (is_v4(p)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p->b + p->l3);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (!d->csum)
		return;
	memset(l4 + csum_at(d->proto), 0, 2);
	if (d->proto == IPPROTO_ICMP)
		c = (uint16_t)~rte_raw_cksum(l4, p->len - p->l4);
	else if (is_v4(p))
		c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)(p->b + p->l3), l4);
	else
		c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)(p->b + p->l3), l4);
	memcpy(l4 + csum_at(d->proto), &c, 2);
}

static void
build(struct pkt *p, const struct spec *s)
{
	const struct kind_def *d = &kinds[s->kind];
	uint8_t *b = p->b, *ip, *l4;
	size_t o = 12;

	memset(p, 0, sizeof(*p));
	p->kind = s->kind;
	memcpy(b, "\x02\x00\x00\x00\x00\x0b\x02\x00\x00\x00\x00\x0a", 12);
	for (unsigned int i = 0; i < s->ntags; i++, o += 4) {
		put16(b + o, i == 0 && s->ntags == 2 ? 0x88a8 : 0x8100);
		put16(b + o + 2, (uint16_t)(100 + i));
	}
	put16(b + o, d->dl_type);
	o += 2;
	p->l3 = o;
	ip = b + o;
	if (s->kind == K_ARP) {
		put16(ip, 1);
		put16(ip + 2, 0x0800);
		ip[4] = 6;
		ip[5] = 4;
		put16(ip + 6, 1);
		memcpy(ip + 8, b + 6, 6);
		memcpy(ip + 14, s->src, 4);
		memset(ip + 18, 0, 6);
		memcpy(ip + 24, s->dst, 4);
		p->len = o + 28;
		p->l4 = 0;
		return;
	}
	if (is_v4(p)) {
		rnd_bytes(ip, s->ihl * 4); /* options: random bytes, they are only summed */
		ip[0] = (uint8_t)(0x40 | s->ihl);
		ip[1] = s->tos;
		put16(ip + 6, s->kind == K_TCP4_LATER ? 0x2000 | 100 : 0x4000);
		ip[8] = s->ttl;
		ip[9] = d->proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		o += s->ihl * 4;
	} else {
		ip[0] = (uint8_t)(0x60 | s->tos >> 4);
		ip[1] = (uint8_t)(s->tos << 4 | 0x07);
		put16(ip + 2, 0x89ab);
		ip[6] = d->proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		o += 40;
	}
	p->l4 = o;
	l4 = b + o;
	rnd_bytes(l4, d->l4_bytes);
	if (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP || d->proto == IPPROTO_SCTP) {
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
	}
	if (d->proto == IPPROTO_TCP)
		l4[12] = 0x50;
	o += d->l4_bytes;
	if (s->kind != K_TCP4_CUT) {
		rnd_bytes(b + o, s->payload);
		o += s->payload;
	}
	p->len = o;
	if (d->proto == IPPROTO_UDP)
		put16(l4 + 4, (uint16_t)(p->len - p->l4));
	if (s->kind == K_UDP4_NOCSUM)
		put16(l4 + 6, 0);
	if (is_v4(p))
		put16(ip + 2, (uint16_t)(p->len - p->l3));
	else
		put16(ip + 4, (uint16_t)(p->len - p->l4));
	fix_csums(p);
}

static void
spec_default(struct spec *s, enum kind kind)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4,
					5,    6,    7,    8,    9, 10, 11, 12};
	static const uint8_t dst[16] = {0xfd, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
					0, 0, 0, 0, 0, 0, 0x12, 0x34};

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->ntags = 1;
	s->ihl = 5;
	s->payload = 33;
	memcpy(s->src, src, 16);
	memcpy(s->dst, dst, 16);
	s->sport = 40000;
	s->dport = 443;
	s->tos = 0xb9;
	s->ttl = 64;
}

/* ---- an independent check: the checksums sum to all ones ---- */

static uint32_t
sum_bytes(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Whether the frame's checksums (those that kind keeps) verify. */
static bool
csums_verify(const uint8_t *b, const struct pkt *p)
{
	const struct kind_def *d = &kinds[p->kind];
	const uint8_t *ip = b + p->l3, *l4 = b + p->l4;
	size_t l4len = p->len - p->l4;
	uint32_t s = 0;

	if (is_v4(p) && fold(sum_bytes(0, ip, (ip[0] & 0x0f) * 4u)) != 0xffff)
		return false;
	if (!d->csum)
		return true;
	if (d->proto == IPPROTO_ICMP)
		return fold(sum_bytes(0, l4, l4len)) == 0xffff;
	if (d->proto == IPPROTO_UDP && get16(l4 + 6) == 0)
		return false; /* a computed UDP checksum is never sent as 0 */
	if (is_v4(p))
		s = sum_bytes(s, ip + 12, 8);
	else
		s = sum_bytes(s, ip + 8, 32);
	s += d->proto + (uint32_t)l4len;
	return fold(sum_bytes(s, l4, l4len)) == 0xffff;
}

/* ---- edits ---- */

enum op {
	OP_DL_SRC,
	OP_DL_DST,
	OP_NW_SRC,
	OP_NW_DST,
	OP_IPV6_SRC,
	OP_IPV6_DST,
	OP_TP_SRC,
	OP_TP_DST,
	OP_DSCP,
	OP_DEC_TTL,
	OP_MAX
};

static const char *const op_names[OP_MAX] = {
	"dl_src", "dl_dst", "nw_src", "nw_dst", "ipv6_src", "ipv6_dst",
	"tp_src", "tp_dst", "dscp", "dec_ttl",
};

/* An edit's argument: bytes in frame order for addresses and ports. */
struct val {
	uint8_t b[16];
	uint8_t dscp;
};

static void
val_random(struct val *v)
{
	rnd_bytes(v->b, sizeof(v->b));
	/* Now and then the extremes. */
	switch (rnd_below(8)) {
	case 0:
		memset(v->b, 0, sizeof(v->b));
		break;
	case 1:
		memset(v->b, 0xff, sizeof(v->b));
		break;
	default:
		break;
	}
	v->dscp = (uint8_t)rnd_below(64);
}

static int
do_edit(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k, enum op op,
	const struct val *v)
{
	struct rte_ether_addr mac;
	rte_be32_t a4;
	rte_be16_t port;

	memcpy(&mac, v->b, 6);
	memcpy(&a4, v->b, 4);
	memcpy(&port, v->b, 2);
	switch (op) {
	case OP_DL_SRC:
		return packet_set_dl_src(m, k, &mac);
	case OP_DL_DST:
		return packet_set_dl_dst(m, k, &mac);
	case OP_NW_SRC:
		return packet_set_nw_src(m, off, k, a4);
	case OP_NW_DST:
		return packet_set_nw_dst(m, off, k, a4);
	case OP_IPV6_SRC:
		return packet_set_ipv6_src(m, off, k, v->b);
	case OP_IPV6_DST:
		return packet_set_ipv6_dst(m, off, k, v->b);
	case OP_TP_SRC:
		return packet_set_tp_src(m, off, k, port);
	case OP_TP_DST:
		return packet_set_tp_dst(m, off, k, port);
	case OP_DSCP:
		return packet_set_dscp(m, off, k, v->dscp);
	case OP_DEC_TTL:
		return packet_dec_ttl(m, off, k);
	default:
		fail();
		return -2;
	}
}

/* What the edit should return on p. */
static int
edit_rc(const struct pkt *p, enum op op)
{
	const struct kind_def *d = &kinds[p->kind];
	bool ip = is_v4(p) || is_v6(p);

	switch (op) {
	case OP_DL_SRC:
	case OP_DL_DST:
		return 0;
	case OP_NW_SRC:
	case OP_NW_DST:
		return is_v4(p) ? 0 : -1;
	case OP_IPV6_SRC:
	case OP_IPV6_DST:
		return is_v6(p) ? 0 : -1;
	case OP_TP_SRC:
	case OP_TP_DST:
		return d->l4 && (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP) ? 0 : -1;
	case OP_DSCP:
		return ip ? 0 : -1;
	case OP_DEC_TTL:
		if (!ip)
			return -1;
		return p->b[p->l3 + (is_v4(p) ? 8 : 7)] <= 1 ? 1 : 0;
	default:
		return -2;
	}
}

/* The reference edit: the field written byte by byte, checksums from scratch. */
static void
ref_edit(struct pkt *p, enum op op, const struct val *v)
{
	uint8_t *ip = p->b + p->l3, *l4 = p->b + p->l4;
	uint8_t tc;

	switch (op) {
	case OP_DL_SRC:
		memcpy(p->b + 6, v->b, 6);
		break;
	case OP_DL_DST:
		memcpy(p->b, v->b, 6);
		break;
	case OP_NW_SRC:
		memcpy(ip + 12, v->b, 4);
		break;
	case OP_NW_DST:
		memcpy(ip + 16, v->b, 4);
		break;
	case OP_IPV6_SRC:
		memcpy(ip + 8, v->b, 16);
		break;
	case OP_IPV6_DST:
		memcpy(ip + 24, v->b, 16);
		break;
	case OP_TP_SRC:
		memcpy(l4, v->b, 2);
		break;
	case OP_TP_DST:
		memcpy(l4 + 2, v->b, 2);
		break;
	case OP_DSCP:
		if (is_v4(p)) {
			ip[1] = (uint8_t)((v->dscp << 2) | (ip[1] & 3));
		} else {
			tc = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
			tc = (uint8_t)((v->dscp << 2) | (tc & 3));
			ip[0] = (uint8_t)((ip[0] & 0xf0) | tc >> 4);
			ip[1] = (uint8_t)((ip[1] & 0x0f) | tc << 4);
		}
		break;
	case OP_DEC_TTL:
		ip[is_v4(p) ? 8 : 7]--;
		break;
	default:
		fail();
	}
	fix_csums(p);
}

static struct rte_mbuf *
mbuf_from(const struct pkt *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)p->len));
	memcpy(rte_pktmbuf_mtod(m, void *), p->b, p->len);
	return m;
}

static void
hexdump(const char *what, const uint8_t *b, size_t len)
{
	print_message("    %s (%zu):", what, len);
	for (size_t i = 0; i < len; i++)
		print_message("%s%02x", i % 4 ? "" : " ", b[i]);
	print_message("\n");
}

/* A frame under edit: the mbuf, its key and offsets, and the reference. */
struct subject {
	struct rte_mbuf *m;
	struct flow_key k;
	struct flow_offsets off;
	struct pkt ref;
};

static void
subject_open(struct subject *s, const struct pkt *p)
{
	s->ref = *p;
	s->m = mbuf_from(p);
	flow_key_extract_offsets(s->m, IN_PORT, &rx_meta, &s->k, &s->off);
	assert_int_equal(s->off.l3, p->l3);
	assert_int_equal(s->off.l4, kinds[p->kind].l4 ? p->l4 : 0);
	assert_true(csums_verify(p->b, p));
}

static void
subject_close(struct subject *s)
{
	rte_pktmbuf_free(s->m);
}

/* Runs one edit on s and checks it against the reference; returns the rc. */
static int
edit_check(struct subject *s, enum op op, const struct val *v)
{
	const uint8_t *got = rte_pktmbuf_mtod(s->m, const uint8_t *);
	struct flow_key before = s->k, exp;
	struct rte_mbuf *rm;
	int want = edit_rc(&s->ref, op), rc;
	bool ok = true;

	rc = do_edit(s->m, &s->off, &s->k, op, v);
	if (want == 0)
		ref_edit(&s->ref, op, v);
	if (rc != want) {
		print_message("%s %s: returned %d, expected %d\n", kinds[s->ref.kind].name,
			      op_names[op], rc, want);
		ok = false;
	}
	if (rte_pktmbuf_data_len(s->m) != s->ref.len || memcmp(got, s->ref.b, s->ref.len) != 0) {
		print_message("%s %s: frame differs from the reference\n", kinds[s->ref.kind].name,
			      op_names[op]);
		hexdump("expected", s->ref.b, s->ref.len);
		hexdump("got     ", got, rte_pktmbuf_data_len(s->m));
		ok = false;
	}
	if (!csums_verify(got, &s->ref)) {
		print_message("%s %s: checksums do not verify\n", kinds[s->ref.kind].name,
			      op_names[op]);
		ok = false;
	}
	/* The key: unchanged when nothing was done, else what the reference
	 * frame gives. */
	if (want == 0) {
		rm = mbuf_from(&s->ref);
		flow_key_extract(rm, IN_PORT, &rx_meta, &exp);
		rte_pktmbuf_free(rm);
	} else {
		exp = before;
	}
	if (memcmp(&s->k, &exp, sizeof(exp)) != 0) {
		print_message("%s %s: key not updated as expected\n", kinds[s->ref.kind].name,
			      op_names[op]);
		ok = false;
	}
	assert_true(ok);
	return rc;
}

static void
assert_no_leak(void)
{
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

/* ---- tests ---- */

/* Every edit on every kind of frame, one at a time, from the same start. */
static void
test_each_edit(void **state)
{
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v;

	(void)state;
	memcpy(v.b, "\x0a\x63\xfe\x01\x55\xaa\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x02", 16);
	v.dscp = 46;
	for (enum kind kind = 0; kind < K_MAX; kind++) {
		for (enum op op = 0; op < OP_MAX; op++) {
			spec_default(&sp, kind);
			build(&p, &sp);
			subject_open(&s, &p);
			edit_check(&s, op, &v);
			subject_close(&s);
		}
	}
	assert_no_leak();
}

/* IPv4 options are under the header checksum. */
static void
test_ipv4_options(void **state)
{
	static const enum kind ks[] = {K_TCP4, K_UDP4, K_ICMP4, K_TCP4_LATER};
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(ks); i++) {
		for (unsigned int ihl = 6; ihl <= 15; ihl += 3) {
			spec_default(&sp, ks[i]);
			sp.ihl = ihl;
			build(&p, &sp);
			subject_open(&s, &p);
			for (enum op op = 0; op < OP_MAX; op++) {
				val_random(&v);
				edit_check(&s, op, &v);
			}
			subject_close(&s);
		}
	}
	assert_no_leak();
}

static void
test_dec_ttl(void **state)
{
	static const enum kind ks[] = {K_TCP4, K_UDP6, K_ICMP6, K_TCP4_LATER};
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v = {.dscp = 0};

	(void)state;
	for (size_t i = 0; i < RTE_DIM(ks); i++) {
		size_t at;

		spec_default(&sp, ks[i]);
		sp.ttl = 3;
		build(&p, &sp);
		at = p.l3 + (is_v4(&p) ? 8 : 7);
		subject_open(&s, &p);
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 0);
		assert_int_equal(rte_pktmbuf_mtod(s.m, uint8_t *)[at], 2);
		assert_int_equal(s.k.nw_ttl, 2);
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 0);
		assert_int_equal(s.k.nw_ttl, 1);
		/* At 1 the frame is to be dropped, left as it is. */
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 1);
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 1);
		assert_int_equal(rte_pktmbuf_mtod(s.m, uint8_t *)[at], 1);
		subject_close(&s);

		sp.ttl = 0;
		build(&p, &sp);
		subject_open(&s, &p);
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 1);
		subject_close(&s);

		sp.ttl = 255;
		build(&p, &sp);
		subject_open(&s, &p);
		assert_int_equal(edit_check(&s, OP_DEC_TTL, &v), 0);
		assert_int_equal(s.k.nw_ttl, 254);
		subject_close(&s);
	}
	assert_no_leak();
}

static void
test_dscp_keeps_ecn(void **state)
{
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v;
	const uint8_t *ip;

	(void)state;
	spec_default(&sp, K_UDP4);
	sp.tos = 0x03; /* DSCP 0, ECN CE */
	build(&p, &sp);
	subject_open(&s, &p);
	v.dscp = 46;
	edit_check(&s, OP_DSCP, &v);
	ip = rte_pktmbuf_mtod_offset(s.m, const uint8_t *, s.off.l3);
	assert_int_equal(ip[1], 0xbb);
	assert_int_equal(s.k.nw_tos, 0xbb);
	v.dscp = 0;
	edit_check(&s, OP_DSCP, &v);
	assert_int_equal(ip[1], 0x03);
	subject_close(&s);

	/* IPv6: traffic class 0xb5 is 0x6b 0x5? in bytes 0 and 1. */
	spec_default(&sp, K_TCP6);
	sp.tos = 0xb5;
	build(&p, &sp);
	subject_open(&s, &p);
	ip = rte_pktmbuf_mtod_offset(s.m, const uint8_t *, s.off.l3);
	assert_int_equal(ip[0], 0x6b);
	assert_int_equal(ip[1], 0x57);
	assert_int_equal(s.k.nw_tos, 0xb5);
	v.dscp = 10;
	edit_check(&s, OP_DSCP, &v);
	assert_int_equal(ip[0], 0x62);
	assert_int_equal(ip[1], 0x97);
	assert_int_equal(s.k.nw_tos, 0x29);
	v.dscp = 63;
	edit_check(&s, OP_DSCP, &v);
	assert_int_equal(ip[0], 0x6f);
	assert_int_equal(ip[1], 0xd7);
	assert_int_equal(s.k.nw_tos, 0xfd);
	subject_close(&s);
	assert_no_leak();
}

/* The port value that makes the from-scratch L4 checksum of p come out 0
 * (before UDP's 0 -> 0xffff), or -1. */
static int
port_for_zero_csum(const struct pkt *p)
{
	const struct kind_def *d = &kinds[p->kind];
	const uint8_t *ip = p->b + p->l3;
	size_t l4len = p->len - p->l4;
	struct pkt q = *p;
	uint32_t s = 0;

	if (is_v4(p))
		s = sum_bytes(s, ip + 12, 8);
	else
		s = sum_bytes(s, ip + 8, 32);
	s += d->proto + (uint32_t)l4len;
	memset(q.b + q.l4 + csum_at(d->proto), 0, 2);
	for (uint32_t port = 0; port <= 0xffff; port++) {
		put16(q.b + q.l4, (uint16_t)port);
		if (fold(sum_bytes(s, q.b + q.l4, l4len)) == 0xffff)
			return (int)port;
	}
	return -1;
}

/* The checksums' special values: a UDP checksum that comes out 0 is sent
 * as 0xffff; a TCP one stays 0; the way back gives the start again. */
static void
test_zero_csum(void **state)
{
	static const enum kind ks[] = {K_UDP4, K_UDP6, K_TCP4, K_TCP6};
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v, back;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(ks); i++) {
		const struct kind_def *d = &kinds[ks[i]];
		const uint8_t *c;
		int port;

		spec_default(&sp, ks[i]);
		sp.payload = 11;
		build(&p, &sp);
		port = port_for_zero_csum(&p);
		assert_true(port >= 0);
		subject_open(&s, &p);
		put16(v.b, (uint16_t)port);
		edit_check(&s, OP_TP_SRC, &v);
		c = rte_pktmbuf_mtod_offset(s.m, const uint8_t *, s.off.l4 + csum_at(d->proto));
		assert_int_equal(get16(c), d->proto == IPPROTO_UDP ? 0xffff : 0);
		/* From there, other edits still give right checksums. */
		val_random(&v);
		edit_check(&s, OP_TP_DST, &v);
		put16(back.b, sp.sport);
		edit_check(&s, OP_TP_SRC, &back);
		memcpy(back.b, p.b + p.l4 + 2, 2);
		edit_check(&s, OP_TP_DST, &back);
		assert_memory_equal(rte_pktmbuf_mtod(s.m, const uint8_t *), p.b, p.len);
		subject_close(&s);
	}
	assert_no_leak();
}

/* An IPv4 header checksum that comes out 0 (its sum all ones). */
static void
test_ipv4_zero_header_csum(void **state)
{
	struct spec sp;
	struct pkt p, q;
	struct subject s;
	struct val v;
	int found = -1;

	(void)state;
	spec_default(&sp, K_UDP4);
	build(&p, &sp);
	q = p;
	for (uint32_t low = 0; low <= 0xffff && found < 0; low++) {
		put16(q.b + q.l3 + 18, (uint16_t)low);
		fix_csums(&q);
		if (get16(q.b + q.l3 + 10) == 0)
			found = (int)low;
	}
	assert_true(found >= 0);
	subject_open(&s, &p);
	memcpy(v.b, p.b + p.l3 + 16, 2);
	put16(v.b + 2, (uint16_t)found);
	edit_check(&s, OP_NW_DST, &v);
	assert_int_equal(get16(rte_pktmbuf_mtod_offset(s.m, const uint8_t *, s.off.l3 + 10)), 0);
	edit_check(&s, OP_DEC_TTL, &v);
	memcpy(v.b, p.b + p.l3 + 16, 4);
	edit_check(&s, OP_NW_DST, &v);
	subject_close(&s);
	assert_no_leak();
}

/* The UDP "no checksum" stays so through every edit. */
static void
test_udp_no_csum(void **state)
{
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v;

	(void)state;
	spec_default(&sp, K_UDP4_NOCSUM);
	build(&p, &sp);
	subject_open(&s, &p);
	for (int i = 0; i < 50; i++) {
		val_random(&v);
		edit_check(&s, (enum op)rnd_below(OP_MAX), &v);
		assert_int_equal(get16(rte_pktmbuf_mtod_offset(s.m, const uint8_t *, s.off.l4 + 6)),
				 0);
	}
	subject_close(&s);
	assert_no_leak();
}

/* Frames without the header an edit needs: -1, nothing changed. */
static void
test_missing_headers(void **state)
{
	struct spec sp;
	struct pkt p;
	struct subject s;
	struct val v;
	struct rte_mbuf *m;
	struct flow_key k, k0;
	struct flow_offsets off;
	struct rte_ether_addr mac;

	(void)state;
	memset(&v, 0x42, sizeof(v));

	/* An IPv4 header cut short: dl_type IPv4 but no l3. */
	spec_default(&sp, K_TCP4);
	build(&p, &sp);
	p.len = p.l3 + 19;
	m = mbuf_from(&p);
	flow_key_extract_offsets(m, IN_PORT, &rx_meta, &k, &off);
	assert_int_equal(k.dl_type, RTE_BE16(FLOW_ETH_IPV4));
	assert_int_equal(off.l3, 0);
	k0 = k;
	for (enum op op = OP_NW_SRC; op < OP_MAX; op++) {
		assert_int_equal(do_edit(m, &off, &k, op, &v), -1);
		assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), p.b, p.len);
		assert_memory_equal(&k, &k0, sizeof(k));
	}
	rte_pktmbuf_free(m);

	/* IPv6 edits on IPv4 and the reverse, ports on SCTP, ICMP and a later
	 * fragment: edit_check() expects -1 and an untouched frame and key. */
	spec_default(&sp, K_TCP4);
	build(&p, &sp);
	subject_open(&s, &p);
	assert_int_equal(edit_check(&s, OP_IPV6_SRC, &v), -1);
	assert_int_equal(edit_check(&s, OP_IPV6_DST, &v), -1);
	subject_close(&s);
	spec_default(&sp, K_UDP6);
	build(&p, &sp);
	subject_open(&s, &p);
	assert_int_equal(edit_check(&s, OP_NW_SRC, &v), -1);
	assert_int_equal(edit_check(&s, OP_NW_DST, &v), -1);
	subject_close(&s);
	for (enum kind kind = K_ICMP4; kind <= K_ARP; kind++) {
		if (kind == K_TCP6 || kind == K_UDP6)
			continue;
		spec_default(&sp, kind);
		build(&p, &sp);
		subject_open(&s, &p);
		assert_int_equal(edit_check(&s, OP_TP_SRC, &v), -1);
		assert_int_equal(edit_check(&s, OP_TP_DST, &v), -1);
		subject_close(&s);
	}
	spec_default(&sp, K_ARP);
	build(&p, &sp);
	subject_open(&s, &p);
	for (enum op op = OP_NW_SRC; op < OP_MAX; op++)
		assert_int_equal(edit_check(&s, op, &v), -1);
	subject_close(&s);

	/* Not even the MACs. */
	m = mbuf_from(&p);
	rte_pktmbuf_trim(m, (uint16_t)(p.len - 11));
	memset(&k, 0, sizeof(k));
	k0 = k;
	memcpy(&mac, v.b, sizeof(mac));
	assert_int_equal(packet_set_dl_src(m, &k, &mac), -1);
	assert_int_equal(packet_set_dl_dst(m, &k, &mac), -1);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), p.b, 11);
	assert_memory_equal(&k, &k0, sizeof(k));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

static enum op
random_op(enum kind kind)
{
	/* Mostly edits that apply, so that chains get long. */
	for (;;) {
		enum op op = (enum op)rnd_below(OP_MAX);
		struct pkt p = {.kind = kind};

		if (op == OP_DEC_TTL || edit_rc(&p, op) == 0 || rnd_below(8) == 0)
			return op;
	}
}

static void
test_random(void **state)
{
	static const enum kind ks[] = {K_TCP4, K_UDP4, K_UDP4_NOCSUM, K_ICMP4, K_TCP4_LATER,
				       K_TCP6, K_UDP6, K_ICMP6, K_SCTP4, K_SCTP6};
	uint64_t seed = 0x5eed0f7e57ULL;
	const char *env = getenv("PACKET_EDIT_SEED");
	unsigned int edits = 0;

	(void)state;
	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	print_message("    seed 0x%llx\n", (unsigned long long)seed);
	rng_state = seed;
	for (int iter = 0; iter < 3000; iter++) {
		struct spec sp;
		struct pkt p;
		struct subject s;
		struct val v;

		spec_default(&sp, ks[rnd_below(RTE_DIM(ks))]);
		sp.ntags = rnd_below(3);
		sp.ihl = 5 + (rnd_below(4) == 0 ? rnd_below(11) : 0);
		sp.payload = rnd_below(4) == 0 ? rnd_below(4) : rnd_below(302);
		rnd_bytes(sp.src, 16);
		rnd_bytes(sp.dst, 16);
		sp.sport = (uint16_t)rnd();
		sp.dport = (uint16_t)rnd();
		sp.tos = (uint8_t)rnd();
		sp.ttl = (uint8_t)rnd();
		build(&p, &sp);
		subject_open(&s, &p);
		for (unsigned int n = 1 + rnd_below(8); n > 0; n--) {
			val_random(&v);
			edit_check(&s, random_op(sp.kind), &v);
			edits++;
		}
		subject_close(&s);
	}
	print_message("    %u edits checked\n", edits);
	assert_no_leak();
}

/* ---- flow_actions_finish ---- */

static struct flow_actions *
acts_make(const uint8_t *types, uint16_t n)
{
	struct flow_actions *a = malloc(sizeof(*a) + n * sizeof(a->a[0]));

	assert_non_null(a);
	memset(a, 0, sizeof(*a) + n * sizeof(a->a[0]));
	a->n = n;
	/* Stale flags, to see that they are all rewritten. */
	a->has_normal = 1;
	a->only_output = 1;
	for (uint16_t i = 0; i < n; i++) {
		a->a[i].type = types[i];
		a->a[i].copy = 1;
	}
	return a;
}

static void
check_acts(const uint8_t *types, const uint8_t *copies, uint16_t n, uint8_t has_normal,
	   uint8_t only_output)
{
	struct flow_actions *a = acts_make(types, n);

	flow_actions_finish(a);
	for (uint16_t i = 0; i < n; i++) {
		if (a->a[i].copy != copies[i])
			print_message("action %u of %u: copy %u, expected %u\n", i, n, a->a[i].copy,
				      copies[i]);
		assert_int_equal(a->a[i].copy, copies[i]);
	}
	assert_int_equal(a->n, n);
	assert_int_equal(a->has_normal, has_normal);
	assert_int_equal(a->only_output, only_output);
	free(a);
}

#define ACTS(...) ((const uint8_t[]){__VA_ARGS__})

static void
test_actions_finish(void **state)
{
	(void)state;
	check_acts(NULL, NULL, 0, 0, 0);
	check_acts(ACTS(FLOW_ACT_OUTPUT), ACTS(0), 1, 0, 1);
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_OUTPUT, FLOW_ACT_OUTPUT), ACTS(0, 0, 0), 3, 0,
		   1);
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_SET_DL_SRC, FLOW_ACT_OUTPUT), ACTS(1, 0, 0), 3,
		   0, 0);
	check_acts(ACTS(FLOW_ACT_SET_NW_DST, FLOW_ACT_OUTPUT, FLOW_ACT_OUTPUT), ACTS(0, 0, 0), 3,
		   0, 0);
	check_acts(ACTS(FLOW_ACT_NORMAL), ACTS(0), 1, 1, 0);
	check_acts(ACTS(FLOW_ACT_NORMAL, FLOW_ACT_DEC_TTL, FLOW_ACT_OUTPUT), ACTS(1, 0, 0), 3, 1,
		   0);
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_FLOOD, FLOW_ACT_GOTO_TABLE), ACTS(1, 1, 0), 3, 0,
		   0);
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_NORMAL, FLOW_ACT_OUTPUT), ACTS(0, 0, 0), 3, 1,
		   0);
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_PUSH_VLAN, FLOW_ACT_OUTPUT, FLOW_ACT_POP_VLAN,
			FLOW_ACT_OUTPUT, FLOW_ACT_FLOOD),
		   ACTS(1, 0, 1, 0, 0, 0), 6, 0, 0);
	/* An output after which the frame changes is a copy even when nothing
	 * sends the changed frame. */
	check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_SET_TP_DST), ACTS(1, 0), 2, 0, 0);
	check_acts(ACTS(FLOW_ACT_SET_VLAN_VID), ACTS(0), 1, 0, 0);

	/* Every changing action makes each output before it a copy. */
	for (uint8_t t = FLOW_ACT_PUSH_VLAN; t <= FLOW_ACT_GOTO_TABLE; t++) {
		check_acts(ACTS(FLOW_ACT_OUTPUT, FLOW_ACT_NORMAL, FLOW_ACT_FLOOD, t),
			   ACTS(1, 1, 1, 0), 4, 1, 0);
		check_acts(ACTS(t, FLOW_ACT_OUTPUT, FLOW_ACT_FLOOD), ACTS(0, 0, 0), 3, 0, 0);
	}
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_edit),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_dec_ttl),
		cmocka_unit_test(test_dscp_keeps_ecn),
		cmocka_unit_test(test_zero_csum),
		cmocka_unit_test(test_ipv4_zero_header_csum),
		cmocka_unit_test(test_udp_no_csum),
		cmocka_unit_test(test_missing_headers),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_actions_finish),
	};
	int ret;

	(void)argc;
	rng_state = 1;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_packet_edit: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_packet_edit", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_packet_edit: cannot create the mbuf pool\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
