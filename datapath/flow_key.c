/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing a frame into a struct flow_key. Runs once per frame on PMD threads.
 *
 * Every read is checked against the first segment's data length before it
 * is made. The key is zeroed first, so a header cut short simply leaves its
 * fields (and all that follows) as they were: zero.
 */
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "flow_key.h"

#define ETH_ADDRS_LEN (2 * RTE_ETHER_ADDR_LEN)
#define IPV4_MIN_HLEN 20
#define IPV6_HLEN 40
#define ARP_ETH_IPV4_LEN 28
#define TCP_MIN_HLEN 20
#define UDP_HLEN 8
#define SCTP_COMMON_HLEN 12
/* ICMP's and ICMPv6's type, code and checksum: what the key and the editing
 * actions use. The four bytes after them depend on the message type. */
#define ICMP_MIN_HLEN 4

#define IPV4_FRAG_OFFSET_MASK 0x1fff

static inline rte_be16_t
read_be16(const uint8_t *p)
{
	rte_be16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The L4 fields of a header at offset o of a frame of len bytes (o <= len).
 * icmp is the protocol number that means ICMP for this L3 (1 or 58), so that
 * ICMP over IPv6 and ICMPv6 over IPv4 are left alone.
 */
static inline void
extract_l4(const uint8_t *p, uint32_t o, uint32_t len, uint8_t proto, uint8_t icmp,
	   struct flow_key *k, struct flow_offsets *off)
{
	const uint8_t *l4 = p + o;
	uint32_t avail = len - o;

	if (proto == IPPROTO_TCP) {
		if (avail < TCP_MIN_HLEN)
			return;
		/* Data offset (4 bits) then the 12 flag bits, NS to FIN. */
		k->tcp_flags = read_be16(l4 + 12) & RTE_BE16(FLOW_TCP_FLAGS_MASK);
	} else if (proto == IPPROTO_UDP) {
		if (avail < UDP_HLEN)
			return;
	} else if (proto == IPPROTO_SCTP) {
		if (avail < SCTP_COMMON_HLEN)
			return;
	} else if (proto == icmp) {
		if (avail < ICMP_MIN_HLEN)
			return;
		k->tp_src = rte_cpu_to_be_16(l4[0]);
		k->tp_dst = rte_cpu_to_be_16(l4[1]);
		off->l4 = (uint16_t)o;
		return;
	} else {
		return;
	}
	/* TCP, UDP and SCTP all start with the two ports. */
	k->tp_src = read_be16(l4);
	k->tp_dst = read_be16(l4 + 2);
	off->l4 = (uint16_t)o;
}

static inline void
extract_ipv4(const uint8_t *p, uint32_t o, uint32_t len, struct flow_key *k,
	     struct flow_offsets *off)
{
	const uint8_t *ip = p + o;
	uint32_t hlen;

	if (len - o < IPV4_MIN_HLEN)
		return;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (hlen < IPV4_MIN_HLEN || hlen > len - o)
		return;
	k->nw_tos = ip[1];
	k->nw_ttl = ip[8];
	k->nw_proto = ip[9];
	memcpy(&k->nw_src, ip + 12, sizeof(k->nw_src));
	memcpy(&k->nw_dst, ip + 16, sizeof(k->nw_dst));
	off->l3 = (uint16_t)o;
	/* Only the first fragment carries the L4 header; in later ones the
	 * bytes after the IP header are the middle of the payload. */
	if ((read_be16(ip + 6) & RTE_BE16(IPV4_FRAG_OFFSET_MASK)) == 0)
		extract_l4(p, o + hlen, len, ip[9], IPPROTO_ICMP, k, off);
}

/*
 * The fixed header only: extension headers are not walked, so a frame whose
 * next header is one (hop-by-hop, routing, fragment, ...) gets that as its
 * nw_proto and no L4 fields. Walking them would put a loop of unbounded
 * length in the per-frame path for traffic that is rare on this switch.
 */
static inline void
extract_ipv6(const uint8_t *p, uint32_t o, uint32_t len, struct flow_key *k,
	     struct flow_offsets *off)
{
	const uint8_t *ip = p + o;

	if (len - o < IPV6_HLEN)
		return;
	k->nw_tos = (uint8_t)((ip[0] << 4) | (ip[1] >> 4));
	k->nw_proto = ip[6];
	k->nw_ttl = ip[7];
	memcpy(k->ipv6_src, ip + 8, sizeof(k->ipv6_src));
	memcpy(k->ipv6_dst, ip + 24, sizeof(k->ipv6_dst));
	off->l3 = (uint16_t)o;
	extract_l4(p, o + IPV6_HLEN, len, ip[6], IPPROTO_ICMPV6, k, off);
}

/* Ethernet/IPv4 ARP only: other hardware or protocol types have addresses
 * that do not fit the key's fields. */
static inline void
extract_arp(const uint8_t *p, uint32_t o, uint32_t len, struct flow_key *k,
	    struct flow_offsets *off)
{
	const uint8_t *a = p + o;

	if (len - o < ARP_ETH_IPV4_LEN)
		return;
	if (read_be16(a) != RTE_BE16(1) || read_be16(a + 2) != RTE_BE16(FLOW_ETH_IPV4) ||
	    a[4] != RTE_ETHER_ADDR_LEN || a[5] != 4)
		return;
	k->nw_proto = a[7];
	memcpy(&k->nw_src, a + 14, sizeof(k->nw_src));
	memcpy(&k->nw_dst, a + 24, sizeof(k->nw_dst));
	off->l3 = (uint16_t)o;
}

void
flow_key_extract_offsets(const struct rte_mbuf *m, uint16_t in_port, const struct vlan_meta *meta,
			 struct flow_key *k, struct flow_offsets *off)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t o = ETH_ADDRS_LEN;
	rte_be16_t type;

	memset(k, 0, sizeof(*k));
	off->l3 = 0;
	off->l4 = 0;
	k->in_port = in_port;
	k->vlan_tci = meta->tci;
	if (len < ETH_ADDRS_LEN) /* not even both addresses */
		return;
	memcpy(&k->dl_dst, p, RTE_ETHER_ADDR_LEN);
	memcpy(&k->dl_src, p + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);

	/* Up to two tags (the frame's VLAN, and a customer tag on a dot1q-tunnel
	 * port or the inner tag of QinQ). A tag cut short leaves dl_type 0. */
	if (len < o + 2)
		return;
	if (vlan_is_tpid_be(p + o)) {
		o += VLAN_HLEN;
		if (len < o + 2)
			return;
		if (vlan_is_tpid_be(p + o)) {
			o += VLAN_HLEN;
			if (len < o + 2)
				return;
		}
	}
	type = read_be16(p + o);
	k->dl_type = type;
	o += 2;

	if (type == RTE_BE16(FLOW_ETH_IPV4))
		extract_ipv4(p, o, len, k, off);
	else if (type == RTE_BE16(FLOW_ETH_IPV6))
		extract_ipv6(p, o, len, k, off);
	else if (type == RTE_BE16(FLOW_ETH_ARP))
		extract_arp(p, o, len, k, off);
}

void
flow_key_extract(const struct rte_mbuf *m, uint16_t in_port, const struct vlan_meta *meta,
		 struct flow_key *k)
{
	struct flow_offsets off;

	flow_key_extract_offsets(m, in_port, meta, k, &off);
}
