/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header rewrites for the set_field and dec_ttl actions. Checksums are
 * patched with RFC 1624's HC' = ~(~HC + ~m + m'), so an edit costs the same
 * whatever the payload size.
 *
 * The 16-bit words of the frame are loaded and summed in host order without
 * swapping: one's complement addition gives the same bytes in either order,
 * so the patched checksum can be stored back as it is.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "packet_edit.h"

#define IPV4_CSUM_OFF 10
#define IPV4_SRC_OFF 12
#define IPV4_DST_OFF 16
#define IPV6_SRC_OFF 8
#define IPV6_DST_OFF 24
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define ICMP_CSUM_OFF 2
#define ICMP_ID_OFF 4
#define ICMP_ECHO_HLEN 8

static inline uint16_t
load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
store16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The two 16-bit halves of v, added (not yet folded). */
static inline uint32_t
halves(uint32_t v)
{
	return (v & 0xffff) + (v >> 16);
}

/* What replacing the 32-bit word old by new adds to a one's complement sum. */
static inline uint32_t
delta32(uint32_t old, uint32_t new)
{
	return halves(~old) + halves(new);
}

static inline uint32_t
delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

/* The checksum cksum after the data under it changed by delta. Never returns
 * 0xffff for data that is not all zero, as a checksum computed from scratch. */
static inline uint16_t
csum_patch(uint16_t cksum, uint32_t delta)
{
	uint32_t s = (uint32_t)(uint16_t)~cksum + delta;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void
csum_patch_at(uint8_t *p, uint32_t delta)
{
	store16(p, csum_patch(load16(p), delta));
}

/*
 * Patches the L4 checksum at l4 for a pseudo-header change of delta.
 * A UDP checksum of 0 is "none" over IPv4 and stays so; over IPv6 it is not
 * allowed, and patching it would only make up a wrong value, so it is left
 * alone there too. A UDP checksum that comes out 0 is sent as 0xffff
 * (RFC 768). ICMPv6 has a pseudo-header, ICMP and SCTP do not.
 */
static inline void
l4_csum_patch(uint8_t *l4, uint8_t proto, bool ipv6, uint32_t delta)
{
	uint16_t c;

	if (proto == IPPROTO_TCP) {
		csum_patch_at(l4 + TCP_CSUM_OFF, delta);
	} else if (proto == IPPROTO_UDP) {
		c = load16(l4 + UDP_CSUM_OFF);
		if (c == 0)
			return;
		c = csum_patch(c, delta);
		store16(l4 + UDP_CSUM_OFF, c == 0 ? 0xffff : c);
	} else if (ipv6 && proto == IPPROTO_ICMPV6) {
		csum_patch_at(l4 + ICMP_CSUM_OFF, delta);
	}
}

static inline bool
is_ipv4(const struct flow_offsets *off, const struct flow_key *k)
{
	return off->l3 != 0 && k->dl_type == RTE_BE16(FLOW_ETH_IPV4);
}

static inline bool
is_ipv6(const struct flow_offsets *off, const struct flow_key *k)
{
	return off->l3 != 0 && k->dl_type == RTE_BE16(FLOW_ETH_IPV6);
}

static int
set_mac(struct rte_mbuf *m, unsigned int at, struct rte_ether_addr *key_field,
	const struct rte_ether_addr *mac)
{
	if (rte_pktmbuf_data_len(m) < 2 * RTE_ETHER_ADDR_LEN)
		return -1;
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, at), mac, RTE_ETHER_ADDR_LEN);
	*key_field = *mac;
	return 0;
}

int
packet_set_dl_dst(struct rte_mbuf *m, struct flow_key *k, const struct rte_ether_addr *mac)
{
	return set_mac(m, 0, &k->dl_dst, mac);
}

int
packet_set_dl_src(struct rte_mbuf *m, struct flow_key *k, const struct rte_ether_addr *mac)
{
	return set_mac(m, RTE_ETHER_ADDR_LEN, &k->dl_src, mac);
}

static int
set_ipv4_addr(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
	      unsigned int at, rte_be32_t *key_field, rte_be32_t addr)
{
	uint8_t *ip;
	uint32_t delta;

	if (!is_ipv4(off, k))
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
	delta = delta32(load32(ip + at), addr);
	memcpy(ip + at, &addr, sizeof(addr));
	csum_patch_at(ip + IPV4_CSUM_OFF, delta);
	/* The extractor reports l4 for first fragments only: a later fragment
	 * holds no L4 checksum to fix. */
	if (off->l4 != 0)
		l4_csum_patch(rte_pktmbuf_mtod_offset(m, uint8_t *, off->l4), k->nw_proto, false,
			      delta);
	*key_field = addr;
	return 0;
}

int
packet_set_nw_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		  rte_be32_t addr)
{
	return set_ipv4_addr(m, off, k, IPV4_SRC_OFF, &k->nw_src, addr);
}

int
packet_set_nw_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		  rte_be32_t addr)
{
	return set_ipv4_addr(m, off, k, IPV4_DST_OFF, &k->nw_dst, addr);
}

static int
set_ipv6_addr(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
	      unsigned int at, uint8_t *key_field, const uint8_t addr[16])
{
	uint8_t *ip;
	uint32_t delta = 0;

	if (!is_ipv6(off, k))
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
	for (unsigned int i = 0; i < 16; i += 4)
		delta += delta32(load32(ip + at + i), load32(addr + i));
	memcpy(ip + at, addr, 16);
	if (off->l4 != 0)
		l4_csum_patch(rte_pktmbuf_mtod_offset(m, uint8_t *, off->l4), k->nw_proto, true,
			      delta);
	memcpy(key_field, addr, 16);
	return 0;
}

int
packet_set_ipv6_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		    const uint8_t addr[16])
{
	return set_ipv6_addr(m, off, k, IPV6_SRC_OFF, k->ipv6_src, addr);
}

int
packet_set_ipv6_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		    const uint8_t addr[16])
{
	return set_ipv6_addr(m, off, k, IPV6_DST_OFF, k->ipv6_dst, addr);
}

/* at: 0 for the source port, 2 for the destination; both TCP and UDP put
 * them there. SCTP is refused: its CRC32c cannot be patched. */
static int
set_port(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k, unsigned int at,
	 rte_be16_t *key_field, rte_be16_t port)
{
	uint8_t *l4;
	uint32_t delta;

	if (off->l4 == 0 || !(is_ipv4(off, k) || is_ipv6(off, k)) ||
	    (k->nw_proto != IPPROTO_TCP && k->nw_proto != IPPROTO_UDP))
		return -1;
	l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l4);
	delta = delta16(load16(l4 + at), port);
	store16(l4 + at, port);
	l4_csum_patch(l4, k->nw_proto, is_ipv6(off, k), delta);
	*key_field = port;
	return 0;
}

int
packet_set_tp_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		  rte_be16_t port)
{
	return set_port(m, off, k, 0, &k->tp_src, port);
}

int
packet_set_tp_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		  rte_be16_t port)
{
	return set_port(m, off, k, 2, &k->tp_dst, port);
}

int
packet_set_icmp_id(struct rte_mbuf *m, const struct flow_offsets *off, const struct flow_key *k,
		   rte_be16_t id)
{
	uint8_t *l4;

	if (off->l4 == 0 || !is_ipv4(off, k) || k->nw_proto != IPPROTO_ICMP ||
	    rte_pktmbuf_data_len(m) < off->l4 + ICMP_ECHO_HLEN)
		return -1;
	l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l4);
	csum_patch_at(l4 + ICMP_CSUM_OFF, delta16(load16(l4 + ICMP_ID_OFF), id));
	store16(l4 + ICMP_ID_OFF, id);
	return 0;
}

/* Stores v at p and returns what that adds to a sum over p's words. */
static inline uint32_t
replace16(uint8_t *p, uint16_t v)
{
	uint32_t d = delta16(load16(p), v);

	store16(p, v);
	return d;
}

static inline uint32_t
replace32(uint8_t *p, uint32_t v)
{
	uint32_t d = delta32(load32(p), v);

	memcpy(p, &v, sizeof(v));
	return d;
}

/* Patches the checksum at p by delta; returns what that adds to a sum over
 * the bytes around it (the outer ICMP checksum covers the inner one). */
static inline uint32_t
patch_inner_csum(uint8_t *p, uint32_t delta)
{
	uint16_t old = load16(p);

	csum_patch_at(p, delta);
	return delta16(old, load16(p));
}

/* The same for a UDP checksum, which is sent as 0xffff when it comes out 0
 * (0 would mean "none"). */
static inline uint32_t
patch_inner_udp_csum(uint8_t *p, uint32_t delta)
{
	uint16_t old = load16(p), c = csum_patch(old, delta);

	store16(p, c == 0 ? 0xffff : c);
	return delta16(old, load16(p));
}

int
packet_set_icmp_inner(struct rte_mbuf *m, const struct flow_offsets *off, const struct flow_key *k,
		      uint16_t inner_l3, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
		      rte_be16_t dport)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint8_t *ip, *l4;
	uint32_t hlen, addr_delta, port_delta, outer = 0;

	if (off->l4 == 0 || !is_ipv4(off, k) || k->nw_proto != IPPROTO_ICMP ||
	    inner_l3 < off->l4 + ICMP_ECHO_HLEN || len < inner_l3 + 20u)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, inner_l3);
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (hlen < 20 || len < inner_l3 + hlen + 8)
		return -1;
	l4 = ip + hlen;
	addr_delta = replace32(ip + IPV4_SRC_OFF, src);
	addr_delta += replace32(ip + IPV4_DST_OFF, dst);
	outer += addr_delta;
	outer += patch_inner_csum(ip + IPV4_CSUM_OFF, addr_delta);
	if (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) {
		port_delta = replace16(l4, sport);
		port_delta += replace16(l4 + 2, dport);
		outer += port_delta;
		/* The embedded packet is usually cut short: its L4 checksum is
		 * patched when the frame holds it (UDP's always, TCP's at byte 16
		 * maybe), and over IPv4 a UDP checksum of 0 means none. */
		if (ip[9] == IPPROTO_TCP && len >= inner_l3 + hlen + TCP_CSUM_OFF + 2)
			outer += patch_inner_csum(l4 + TCP_CSUM_OFF, addr_delta + port_delta);
		else if (ip[9] == IPPROTO_UDP && load16(l4 + UDP_CSUM_OFF) != 0)
			outer += patch_inner_udp_csum(l4 + UDP_CSUM_OFF, addr_delta + port_delta);
	} else if (ip[9] == IPPROTO_ICMP) {
		port_delta = replace16(l4 + ICMP_ID_OFF, sport);
		outer += port_delta;
		outer += patch_inner_csum(l4 + ICMP_CSUM_OFF, port_delta);
	}
	/* Every word changed lies at an even offset from the ICMP header (8
	 * bytes, then an IP header of whole 32-bit words), so the deltas add
	 * up to the change of the outer sum. */
	csum_patch_at(rte_pktmbuf_mtod_offset(m, uint8_t *, off->l4) + ICMP_CSUM_OFF, outer);
	return 0;
}

int
packet_set_dscp(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		uint8_t dscp)
{
	uint8_t *ip;
	uint16_t old;

	dscp &= 0x3f;
	if (is_ipv4(off, k)) {
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
		/* The TOS byte shares its checksum word with version and IHL. */
		old = load16(ip);
		ip[1] = (uint8_t)(dscp << 2 | (ip[1] & 0x03));
		csum_patch_at(ip + IPV4_CSUM_OFF, delta16(old, load16(ip)));
		k->nw_tos = ip[1];
		return 0;
	}
	if (is_ipv6(off, k)) {
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
		/* Version (4 bits), traffic class (8), flow label (20): the DSCP
		 * is the low nibble of byte 0 and the top two bits of byte 1. */
		ip[0] = (uint8_t)((ip[0] & 0xf0) | dscp >> 2);
		ip[1] = (uint8_t)((ip[1] & 0x3f) | (dscp & 0x03) << 6);
		k->nw_tos = (uint8_t)(ip[0] << 4 | ip[1] >> 4);
		return 0;
	}
	return -1;
}

int
packet_dec_ttl(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k)
{
	uint8_t *ip;
	uint16_t old;

	if (is_ipv4(off, k)) {
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
		if (ip[8] <= 1)
			return 1;
		/* TTL and protocol make one checksum word. */
		old = load16(ip + 8);
		ip[8]--;
		csum_patch_at(ip + IPV4_CSUM_OFF, delta16(old, load16(ip + 8)));
		k->nw_ttl = ip[8];
		return 0;
	}
	if (is_ipv6(off, k)) {
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, off->l3);
		if (ip[7] <= 1)
			return 1;
		ip[7]--;
		k->nw_ttl = ip[7];
		return 0;
	}
	return -1;
}
