/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow key extraction (datapath/flow_key.h) on frames built byte by byte:
 * every protocol the key knows, with and without VLAN tags, IPv4 options and
 * fragments, malformed headers, and every truncation of whole frames.
 *
 * The truncation test runs each cut twice: once in a pool mbuf that still
 * holds the rest of the frame past data_len (a read past the end would find
 * real values and show in the key), and once in a heap buffer of exactly the
 * cut's size, so that valgrind reports any read past it.
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
#include <rte_mbuf.h>

#include "datapath/flow_key.h"

#define POOL_SIZE 63

static struct rte_mempool *pool;

#define IN_PORT 7
#define META_TCI 0xa064 /* PCP 5, VID 100 */

static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t ip4_src[4] = {10, 0, 0, 1};
static const uint8_t ip4_dst[4] = {192, 168, 1, 2};
static const uint8_t ip6_src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6_dst[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
				    0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

#define TOS 0xb9
#define TTL 63
#define SPORT 0x1f90 /* 8080 */
#define DPORT 0xc350 /* 50000 */

/* ---- frames ---- */

struct frame {
	uint8_t b[256];
	size_t len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with ntags tags of the given TPIDs, then type. */
static void
put_eth(struct frame *f, const uint16_t *tpids, unsigned int ntags, uint16_t type)
{
	memcpy(f->b, mac_dst, 6);
	memcpy(f->b + 6, mac_src, 6);
	f->len = 12;
	for (unsigned int i = 0; i < ntags; i++) {
		put16(f->b + f->len, tpids[i]);
		put16(f->b + f->len + 2, (uint16_t)(0x2000 | (200 + i))); /* not META_TCI */
		f->len += 4;
	}
	put16(f->b + f->len, type);
	f->len += 2;
}

/* An IPv4 header with IHL ihl (at least 20 bytes written even when ihl < 5;
 * options are NOPs). frag is the whole flags/fragment offset word. */
static void
put_ipv4(struct frame *f, uint8_t ihl, uint8_t proto, uint16_t frag)
{
	uint8_t *ip = f->b + f->len;
	size_t hlen = ihl < 5 ? 20 : (size_t)ihl * 4;

	memset(ip, 0x01, hlen);
	ip[0] = (uint8_t)(0x40 | ihl);
	ip[1] = TOS;
	put16(ip + 2, 0);
	put16(ip + 4, 0x1234);
	put16(ip + 6, frag);
	ip[8] = TTL;
	ip[9] = proto;
	put16(ip + 10, 0xbeef);
	memcpy(ip + 12, ip4_src, 4);
	memcpy(ip + 16, ip4_dst, 4);
	f->len += hlen;
}

/* An IPv6 header: version 6, traffic class tc across bytes 0 and 1, a flow
 * label with bits set on both sides of it. */
static void
put_ipv6(struct frame *f, uint8_t tc, uint8_t next)
{
	uint8_t *ip = f->b + f->len;

	ip[0] = (uint8_t)(0x60 | tc >> 4);
	ip[1] = (uint8_t)(tc << 4 | 0x0a);
	put16(ip + 2, 0xbcde);
	put16(ip + 4, 0);
	ip[6] = next;
	ip[7] = TTL;
	memcpy(ip + 8, ip6_src, 16);
	memcpy(ip + 24, ip6_dst, 16);
	f->len += 40;
}

static void
put_tcp(struct frame *f, uint16_t flags)
{
	uint8_t *t = f->b + f->len;

	put16(t, SPORT);
	put16(t + 2, DPORT);
	memset(t + 4, 0x5a, 8); /* sequence and acknowledgement numbers */
	put16(t + 12, (uint16_t)(0x5000 | flags));
	put16(t + 14, 0xffff);
	put16(t + 16, 0x1111);
	put16(t + 18, 0);
	f->len += 20;
}

static void
put_udp(struct frame *f)
{
	uint8_t *u = f->b + f->len;

	put16(u, SPORT);
	put16(u + 2, DPORT);
	put16(u + 4, 8);
	put16(u + 6, 0x2222);
	f->len += 8;
}

static void
put_sctp(struct frame *f)
{
	uint8_t *s = f->b + f->len;

	put16(s, SPORT);
	put16(s + 2, DPORT);
	memset(s + 4, 0x77, 8); /* verification tag and CRC32c */
	f->len += 12;
}

static void
put_icmp(struct frame *f, uint8_t type, uint8_t code)
{
	uint8_t *c = f->b + f->len;

	c[0] = type;
	c[1] = code;
	put16(c + 2, 0x3333);
	memset(c + 4, 0x44, 4);
	f->len += 8;
}

static void
put_arp(struct frame *f, uint16_t htype, uint16_t ptype, uint8_t hlen, uint8_t plen, uint16_t op)
{
	uint8_t *a = f->b + f->len;

	put16(a, htype);
	put16(a + 2, ptype);
	a[4] = hlen;
	a[5] = plen;
	put16(a + 6, op);
	memcpy(a + 8, mac_src, 6);
	memcpy(a + 14, ip4_src, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, ip4_dst, 4);
	f->len += 28;
}

static void
put_payload(struct frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f->b[f->len + i] = (uint8_t)(0x80 + i * 13);
	f->len += n;
}

static struct rte_mbuf *
mbuf_from(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_true(len == 0 || p != NULL);
	if (len > 0)
		memcpy(rte_pktmbuf_mtod(m, void *), b, len);
	return m;
}

static void
assert_no_leak(void)
{
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

/* ---- keys ---- */

static const struct vlan_meta rx_meta = {.tci = META_TCI, .tpid = 0x8100, .tagged = 1};

/* What every frame of these tests gives before its L3 fields. */
static void
key_base(struct flow_key *k, uint16_t dl_type)
{
	memset(k, 0, sizeof(*k));
	k->in_port = IN_PORT;
	k->vlan_tci = META_TCI;
	memcpy(&k->dl_dst, mac_dst, 6);
	memcpy(&k->dl_src, mac_src, 6);
	k->dl_type = rte_cpu_to_be_16(dl_type);
}

static void
key_ipv4(struct flow_key *k, uint8_t proto)
{
	key_base(k, FLOW_ETH_IPV4);
	k->nw_proto = proto;
	k->nw_tos = TOS;
	k->nw_ttl = TTL;
	memcpy(&k->nw_src, ip4_src, 4);
	memcpy(&k->nw_dst, ip4_dst, 4);
}

static void
key_ipv6(struct flow_key *k, uint8_t tc, uint8_t next)
{
	key_base(k, FLOW_ETH_IPV6);
	k->nw_proto = next;
	k->nw_tos = tc;
	k->nw_ttl = TTL;
	memcpy(k->ipv6_src, ip6_src, 16);
	memcpy(k->ipv6_dst, ip6_dst, 16);
}

static void
key_ports(struct flow_key *k)
{
	k->tp_src = RTE_BE16(SPORT);
	k->tp_dst = RTE_BE16(DPORT);
}

static void
print_key(const char *what, const struct flow_key *k)
{
	print_message("    %s: in_port %u dl_type %04x tci %04x proto %u tos %02x ttl %u "
		      "tp %u>%u flags %03x\n      words:",
		      what, k->in_port, rte_be_to_cpu_16(k->dl_type), k->vlan_tci, k->nw_proto,
		      k->nw_tos, k->nw_ttl, rte_be_to_cpu_16(k->tp_src),
		      rte_be_to_cpu_16(k->tp_dst), rte_be_to_cpu_16(k->tcp_flags));
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		print_message(" %016llx", (unsigned long long)k->w[i]);
	print_message("\n");
}

/* Whether got is exactly exp, every bit including padding; prints both if not. */
static bool
key_is(const char *ctx, const struct flow_key *got, const struct flow_key *exp)
{
	if (memcmp(got, exp, sizeof(*got)) == 0)
		return true;
	print_message("%s: keys differ\n", ctx);
	print_key("expected", exp);
	print_key("got     ", got);
	return false;
}

/* Extracts b (len bytes) both ways and checks the key and offsets. */
static void
check_frame(const char *ctx, const uint8_t *b, size_t len, const struct flow_key *exp, uint16_t l3,
	    uint16_t l4)
{
	struct rte_mbuf *m = mbuf_from(b, len);
	struct flow_key k, k2;
	struct flow_offsets off = {0xffff, 0xffff};

	memset(&k, 0xa5, sizeof(k));
	flow_key_extract_offsets(m, IN_PORT, &rx_meta, &k, &off);
	assert_true(key_is(ctx, &k, exp));
	if (off.l3 != l3 || off.l4 != l4) {
		print_message("%s: offsets l3 %u l4 %u, expected %u %u\n", ctx, off.l3, off.l4, l3,
			      l4);
		fail();
	}
	memset(&k2, 0x5a, sizeof(k2));
	flow_key_extract(m, IN_PORT, &rx_meta, &k2);
	assert_true(key_is(ctx, &k2, exp));
	rte_pktmbuf_free(m);
}

static void
check(const char *ctx, const struct frame *f, const struct flow_key *exp, uint16_t l3, uint16_t l4)
{
	check_frame(ctx, f->b, f->len, exp, l3, l4);
}

/* ---- tests ---- */

static const uint16_t tag_q[] = {0x8100};
static const uint16_t tag_qinq[] = {0x88a8, 0x8100};
static const uint16_t tag_qq[] = {0x8100, 0x8100};
static const uint16_t tag_three[] = {0x88a8, 0x8100, 0x8100};

static void
test_tcp_ipv4(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_TCP, 0);
	/* Every flag bit, and the three bits above them that are not flags. */
	put_tcp(&f, 0x0fff);
	put_payload(&f, 10);
	key_ipv4(&exp, IPPROTO_TCP);
	key_ports(&exp);
	exp.tcp_flags = RTE_BE16(0x0fff);
	check("tcp/ipv4", &f, &exp, 14, 34);

	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_TCP, 0x4000); /* DF: not a fragment */
	put_tcp(&f, 0x0012);                  /* SYN ACK */
	exp.tcp_flags = RTE_BE16(0x0012);
	check("tcp/ipv4 syn-ack df", &f, &exp, 14, 34);
	assert_no_leak();
}

static void
test_tcp_flags_mask(void **state)
{
	struct frame f;
	struct flow_key exp;
	uint8_t *t;

	(void)state;
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_TCP, 0);
	t = f.b + f.len;
	put_tcp(&f, 0x0001);
	/* Data offset 15 and the reserved bits: none of it is a flag. */
	put16(t + 12, 0xf101);
	key_ipv4(&exp, IPPROTO_TCP);
	key_ports(&exp);
	exp.tcp_flags = RTE_BE16(0x0101);
	check("tcp flags", &f, &exp, 14, 34);
}

static void
test_udp_tagged(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	put_eth(&f, tag_q, 1, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0);
	put_udp(&f);
	put_payload(&f, 3);
	key_ipv4(&exp, IPPROTO_UDP);
	key_ports(&exp);
	check("udp/ipv4 802.1q", &f, &exp, 18, 38);

	put_eth(&f, tag_qinq, 2, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0);
	put_udp(&f);
	check("udp/ipv4 qinq", &f, &exp, 22, 42);

	put_eth(&f, tag_qq, 2, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0);
	put_udp(&f);
	check("udp/ipv4 two 802.1q", &f, &exp, 22, 42);
	assert_no_leak();
}

static void
test_three_tags(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	/* Only two tags are skipped: the third's TPID is the EtherType. */
	put_eth(&f, tag_three, 3, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0);
	put_udp(&f);
	key_base(&exp, 0x8100);
	check("three tags", &f, &exp, 0, 0);
}

static void
test_sctp_icmp_ipv4(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	put_eth(&f, tag_qinq, 2, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_SCTP, 0);
	put_sctp(&f);
	key_ipv4(&exp, IPPROTO_SCTP);
	key_ports(&exp);
	check("sctp/ipv4", &f, &exp, 22, 42);

	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_ICMP, 0);
	put_icmp(&f, 3, 13); /* destination unreachable, administratively prohibited */
	key_ipv4(&exp, IPPROTO_ICMP);
	exp.tp_src = RTE_BE16(3);
	exp.tp_dst = RTE_BE16(13);
	check("icmp", &f, &exp, 14, 34);

	/* ICMPv6's number over IPv4 is just a protocol with no L4 fields. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_ICMPV6, 0);
	put_icmp(&f, 128, 0);
	key_ipv4(&exp, IPPROTO_ICMPV6);
	check("icmpv6 in ipv4", &f, &exp, 14, 0);

	/* Other protocols: L3 fields only. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_GRE, 0);
	put_payload(&f, 30);
	key_ipv4(&exp, IPPROTO_GRE);
	check("gre", &f, &exp, 14, 0);
	assert_no_leak();
}

static void
test_ipv4_options(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	key_ipv4(&exp, IPPROTO_TCP);
	key_ports(&exp);
	exp.tcp_flags = RTE_BE16(0x0018);
	for (uint8_t ihl = 6; ihl <= 15; ihl++) {
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "ihl %u", ihl);
		put_eth(&f, tag_q, 1, FLOW_ETH_IPV4);
		put_ipv4(&f, ihl, IPPROTO_TCP, 0);
		put_tcp(&f, 0x0018);
		check(ctx, &f, &exp, 18, (uint16_t)(18 + ihl * 4));
	}

	/* Options that fit but leave no room for the whole TCP header. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 15, IPPROTO_TCP, 0);
	put_tcp(&f, 0x0018);
	key_ipv4(&exp, IPPROTO_TCP);
	check_frame("ihl 15, tcp cut", f.b, f.len - 1, &exp, 14, 0);
	check_frame("ihl 15, no tcp", f.b, f.len - 20, &exp, 14, 0);
	assert_no_leak();
}

static void
test_ipv4_fragments(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	/* A first fragment (MF, offset 0) has the L4 header. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0x2000);
	put_udp(&f);
	put_payload(&f, 40);
	key_ipv4(&exp, IPPROTO_UDP);
	key_ports(&exp);
	check("first fragment", &f, &exp, 14, 34);

	/* Later fragments, the last one too, have none: their first bytes are
	 * payload that must not be read as ports. */
	key_ipv4(&exp, IPPROTO_UDP);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0x2000 | 185);
	put_udp(&f);
	check("middle fragment", &f, &exp, 14, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 1);
	put_udp(&f);
	check("last fragment", &f, &exp, 14, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_UDP, 0x1fff);
	put_udp(&f);
	check("highest offset", &f, &exp, 14, 0);

	key_ipv4(&exp, IPPROTO_TCP);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 6, IPPROTO_TCP, 0x0100);
	put_tcp(&f, 0x0002);
	check("later tcp fragment", &f, &exp, 14, 0);
	key_ipv4(&exp, IPPROTO_ICMP);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_ICMP, 0x0100);
	put_icmp(&f, 8, 0);
	check("later icmp fragment", &f, &exp, 14, 0);
	assert_no_leak();
}

static void
test_ipv4_bad_ihl(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	key_base(&exp, FLOW_ETH_IPV4);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
		put_ipv4(&f, ihl, IPPROTO_TCP, 0);
		put_tcp(&f, 0x0002);
		check("ihl < 5", &f, &exp, 0, 0);
	}
	/* IHL 15 (60 bytes) with 59 bytes of IPv4 in the frame, then 20. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 15, IPPROTO_TCP, 0);
	check_frame("ihl past the data", f.b, f.len - 1, &exp, 0, 0);
	check_frame("ihl past the data", f.b, 14 + 20, &exp, 0, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 6, IPPROTO_TCP, 0);
	check_frame("ihl 6, 23 bytes", f.b, f.len - 1, &exp, 0, 0);
	assert_no_leak();
}

static void
test_ipv6(void **state)
{
	static const struct {
		const char *name;
		uint8_t next;
		bool ports;
		uint16_t l4;
	} cases[] = {
		{"tcp", IPPROTO_TCP, true, 20},  {"udp", IPPROTO_UDP, true, 8},
		{"sctp", IPPROTO_SCTP, true, 12},
	};
	struct frame f;
	struct flow_key exp;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		put_eth(&f, tag_q, 1, FLOW_ETH_IPV6);
		put_ipv6(&f, 0xb5, cases[i].next);
		if (cases[i].next == IPPROTO_TCP)
			put_tcp(&f, 0x0011);
		else if (cases[i].next == IPPROTO_UDP)
			put_udp(&f);
		else
			put_sctp(&f);
		put_payload(&f, 5);
		key_ipv6(&exp, 0xb5, cases[i].next);
		key_ports(&exp);
		if (cases[i].next == IPPROTO_TCP)
			exp.tcp_flags = RTE_BE16(0x0011);
		check(cases[i].name, &f, &exp, 18, 58);
	}

	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0x00, IPPROTO_ICMPV6);
	put_icmp(&f, 135, 0); /* neighbour solicitation */
	key_ipv6(&exp, 0x00, IPPROTO_ICMPV6);
	exp.tp_src = RTE_BE16(135);
	exp.tp_dst = RTE_BE16(0);
	check("icmpv6", &f, &exp, 14, 54);

	/* ICMP's number over IPv6 has no L4 fields. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0xff, IPPROTO_ICMP);
	put_icmp(&f, 8, 0);
	key_ipv6(&exp, 0xff, IPPROTO_ICMP);
	check("icmp in ipv6", &f, &exp, 14, 0);

	/* Extension headers are not walked: the first one is nw_proto. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0x12, IPPROTO_HOPOPTS);
	put_payload(&f, 8);
	put_udp(&f);
	key_ipv6(&exp, 0x12, IPPROTO_HOPOPTS);
	check("hop-by-hop", &f, &exp, 14, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0x12, IPPROTO_FRAGMENT);
	put_payload(&f, 8);
	put_tcp(&f, 0x0002);
	key_ipv6(&exp, 0x12, IPPROTO_FRAGMENT);
	check("fragment header", &f, &exp, 14, 0);

	/* L4 cut short: L3 fields only. */
	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0x12, IPPROTO_ICMPV6);
	put_icmp(&f, 1, 4);
	key_ipv6(&exp, 0x12, IPPROTO_ICMPV6);
	check_frame("icmpv6 cut", f.b, 14 + 40 + 3, &exp, 14, 0);
	exp.tp_src = RTE_BE16(1);
	exp.tp_dst = RTE_BE16(4);
	check_frame("icmpv6 type code checksum", f.b, 14 + 40 + 4, &exp, 14, 54);
	assert_no_leak();
}

static void
test_arp(void **state)
{
	struct frame f;
	struct flow_key exp;

	(void)state;
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 6, 4, 1);
	put_payload(&f, 18); /* Ethernet padding */
	key_base(&exp, FLOW_ETH_ARP);
	exp.nw_proto = 1;
	memcpy(&exp.nw_src, ip4_src, 4);
	memcpy(&exp.nw_dst, ip4_dst, 4);
	check("arp request", &f, &exp, 14, 0);

	put_eth(&f, tag_q, 1, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 6, 4, 0x0102); /* only the opcode's low byte is kept */
	exp.nw_proto = 2;
	check("arp reply, tagged", &f, &exp, 18, 0);

	/* Anything but Ethernet/IPv4 ARP gives dl_type alone. */
	key_base(&exp, FLOW_ETH_ARP);
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 8, 4, 1);
	check("arp hlen 8", &f, &exp, 0, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 6, 16, 1);
	check("arp plen 16", &f, &exp, 0, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 6, 0x0800, 6, 4, 1);
	check("arp htype 6", &f, &exp, 0, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x86dd, 6, 4, 1);
	check("arp ptype ipv6", &f, &exp, 0, 0);
	put_eth(&f, NULL, 0, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 6, 4, 1);
	check_frame("arp cut", f.b, f.len - 1, &exp, 0, 0);
	assert_no_leak();
}

static void
test_non_ip(void **state)
{
	static const uint16_t types[] = {0x88cc, 0x8847, 0x8035, 0x0000, 0x05dc, 0xffff, 0x86dc};
	struct frame f;
	struct flow_key exp;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(types); i++) {
		put_eth(&f, tag_q, 1, types[i]);
		/* What follows looks like an IPv4 header: it must not be read. */
		put_ipv4(&f, 5, IPPROTO_UDP, 0);
		put_udp(&f);
		key_base(&exp, types[i]);
		check("non-ip", &f, &exp, 0, 0);
	}
	assert_no_leak();
}

static void
test_meta(void **state)
{
	struct vlan_meta meta = {.tci = 0xffff, .tpid = 0x88a8, .tagged = 0};
	struct flow_key k;
	struct flow_offsets off;
	struct frame f;
	struct rte_mbuf *m;

	(void)state;
	/* vlan_tci is the metadata's, not the frame's tag, and in_port is as given. */
	put_eth(&f, tag_q, 1, 0x88cc);
	m = mbuf_from(f.b, f.len);
	flow_key_extract_offsets(m, 0xfffe, &meta, &k, &off);
	assert_int_equal(k.vlan_tci, 0xffff);
	assert_int_equal(k.in_port, 0xfffe);
	meta.tci = 0;
	flow_key_extract(m, 0, &meta, &k);
	assert_int_equal(k.vlan_tci, 0);
	assert_int_equal(k.in_port, 0);
	assert_int_equal(k.dl_type, RTE_BE16(0x88cc));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

/* ---- truncation ---- */

/* Where the parts of a frame end: a cut before one of them leaves its
 * fields (and those after it) zero. */
struct layout {
	size_t macs; /* 12 */
	size_t type; /* the end of the EtherType */
	size_t l3;   /* the end of the L3 header */
	size_t l4;   /* the end of the L4 header */
	uint16_t l3_off, l4_off;
};

static void
key_cut(struct flow_key *k, const struct flow_key *full, const struct layout *lo, size_t len)
{
	*k = *full;
	if (len < lo->l4) {
		k->tp_src = 0;
		k->tp_dst = 0;
		k->tcp_flags = 0;
	}
	if (len < lo->l3) {
		k->nw_proto = 0;
		k->nw_tos = 0;
		k->nw_ttl = 0;
		memset(k->ipv6_src, 0, 16);
		memset(k->ipv6_dst, 0, 16);
	}
	if (len < lo->type)
		k->dl_type = 0;
	if (len < lo->macs) {
		memset(&k->dl_dst, 0, 6);
		memset(&k->dl_src, 0, 6);
	}
}

/* An mbuf whose buffer is a heap block of exactly len bytes, so that
 * valgrind sees a read past its end. Only the fields rte_pktmbuf_mtod and
 * rte_pktmbuf_data_len use are set. */
static void
extract_exact(const uint8_t *b, size_t len, struct flow_key *k, struct flow_offsets *off)
{
	struct rte_mbuf m;
	uint8_t *buf = malloc(len > 0 ? len : 1);

	assert_non_null(buf);
	memset(&m, 0, sizeof(m));
	if (len > 0)
		memcpy(buf, b, len);
	/* Data placed at the block's end, for len 0 too. */
	m.buf_addr = buf + (len > 0 ? 0 : 1);
	m.buf_len = (uint16_t)len;
	m.data_off = 0;
	m.data_len = (uint16_t)len;
	m.pkt_len = (uint32_t)len;
	m.nb_segs = 1;
	flow_key_extract_offsets(&m, IN_PORT, &rx_meta, k, off);
	free(buf);
}

static void
check_cuts(const char *name, const struct frame *f, const struct layout *lo)
{
	struct flow_key full, exp, k;
	struct flow_offsets off;
	struct rte_mbuf *m = mbuf_from(f->b, f->len);
	bool ok = true;

	flow_key_extract_offsets(m, IN_PORT, &rx_meta, &full, &off);
	assert_int_equal(off.l3, lo->l3_off);
	assert_int_equal(off.l4, lo->l4_off);
	/* The whole frame stays in the mbuf; only data_len says where it ends. */
	for (size_t len = 0; len <= f->len; len++) {
		char ctx[64];
		uint16_t l3 = len >= lo->l3 ? lo->l3_off : 0;
		uint16_t l4 = len >= lo->l4 ? lo->l4_off : 0;

		snprintf(ctx, sizeof(ctx), "%s cut to %zu", name, len);
		key_cut(&exp, &full, lo, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		memset(&k, 0xa5, sizeof(k));
		flow_key_extract_offsets(m, IN_PORT, &rx_meta, &k, &off);
		if (!key_is(ctx, &k, &exp) || off.l3 != l3 || off.l4 != l4) {
			print_message("%s: offsets %u %u, expected %u %u\n", ctx, off.l3, off.l4,
				      l3, l4);
			ok = false;
		}
		memset(&k, 0xa5, sizeof(k));
		extract_exact(f->b, len, &k, &off);
		if (!key_is(ctx, &k, &exp) || off.l3 != l3 || off.l4 != l4)
			ok = false;
	}
	rte_pktmbuf_free(m);
	assert_true(ok);
}

static void
test_truncation(void **state)
{
	struct frame f;
	struct layout lo;

	(void)state;
	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_TCP, 0);
	put_tcp(&f, 0x0fff);
	put_payload(&f, 7);
	lo = (struct layout){12, 14, 34, 54, 14, 34};
	check_cuts("tcp/ipv4", &f, &lo);

	put_eth(&f, tag_qinq, 2, FLOW_ETH_IPV4);
	put_ipv4(&f, 7, IPPROTO_TCP, 0);
	put_tcp(&f, 0x0019);
	put_payload(&f, 1);
	lo = (struct layout){12, 22, 50, 70, 22, 50};
	check_cuts("tcp/ipv4 qinq options", &f, &lo);

	put_eth(&f, NULL, 0, FLOW_ETH_IPV6);
	put_ipv6(&f, 0xb5, IPPROTO_UDP);
	put_udp(&f);
	put_payload(&f, 9);
	lo = (struct layout){12, 14, 54, 62, 14, 54};
	check_cuts("udp/ipv6", &f, &lo);

	put_eth(&f, tag_q, 1, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_SCTP, 0);
	put_sctp(&f);
	lo = (struct layout){12, 18, 38, 50, 18, 38};
	check_cuts("sctp/ipv4 tagged", &f, &lo);

	put_eth(&f, NULL, 0, FLOW_ETH_IPV4);
	put_ipv4(&f, 5, IPPROTO_ICMP, 0);
	put_icmp(&f, 11, 1);
	lo = (struct layout){12, 14, 34, 38, 14, 34};
	check_cuts("icmp", &f, &lo);

	put_eth(&f, tag_q, 1, FLOW_ETH_IPV6);
	put_ipv6(&f, 0x3c, IPPROTO_ICMPV6);
	put_icmp(&f, 129, 0);
	lo = (struct layout){12, 18, 58, 62, 18, 58};
	check_cuts("icmpv6 tagged", &f, &lo);

	put_eth(&f, tag_q, 1, FLOW_ETH_ARP);
	put_arp(&f, 1, 0x0800, 6, 4, 2);
	lo = (struct layout){12, 18, 46, 46, 18, 0};
	check_cuts("arp tagged", &f, &lo);
	assert_no_leak();
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_ipv4),
		cmocka_unit_test(test_tcp_flags_mask),
		cmocka_unit_test(test_udp_tagged),
		cmocka_unit_test(test_three_tags),
		cmocka_unit_test(test_sctp_icmp_ipv4),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_non_ip),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_truncation),
	};
	int ret;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_flow_key: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_flow_key", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_flow_key: cannot create the mbuf pool\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
