/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_KEY_H
#define VSWITCH_DATAPATH_FLOW_KEY_H

/*
 * The fields a flow rule can match, as one 64-byte key: eight 64-bit words,
 * so masking and comparing are eight ANDs and the classifier can hash only
 * the words a rule's mask touches.
 *
 * A mask is a struct flow_key too: a 1 bit means "this bit must match".
 * Addresses, ports and EtherTypes are kept in network byte order, as they
 * are in the frame; in_port, vlan_tci and the one-byte fields in host order.
 *
 * Fields that share words by protocol: nw_src/nw_dst (IPv4, and ARP's SPA
 * and TPA) are the first 4 bytes of the IPv6 address fields; nw_proto holds
 * the ARP opcode for ARP; tp_src/tp_dst hold the ICMP type and code for
 * ICMP and ICMPv6. The rule parser requires the protocol (dl_type, nw_proto)
 * whenever such a field is matched, so the aliases never meet.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vlan.h"

#define FLOW_KEY_WORDS 8

#define FLOW_VLAN_PCP_SHIFT 13
#define FLOW_VLAN_PCP_MASK 0xe000
#define FLOW_VLAN_VID_MASK 0x0fff

#define FLOW_TCP_FLAGS_MASK 0x0fff /* host order: FIN 0x001 ... NS 0x100 */

struct flow_key {
	union {
		struct {
			/* word 0 */
			uint16_t in_port;   /* the input port's number (port_no) */
			rte_be16_t dl_type; /* EtherType after the VLAN tags */
			uint16_t vlan_tci;  /* the frame's VLAN: PCP << 13 | VID (host order) */
			uint8_t nw_proto;   /* IP protocol / IPv6 next header; ARP: opcode's low byte */
			uint8_t nw_tos;     /* IPv4 TOS / IPv6 traffic class: DSCP << 2 | ECN */
			/* word 1 */
			struct rte_ether_addr dl_dst;
			rte_be16_t tp_src;  /* TCP/UDP/SCTP source port; ICMP: htons(type) */
			/* word 2 */
			struct rte_ether_addr dl_src;
			rte_be16_t tp_dst;  /* TCP/UDP/SCTP destination port; ICMP: htons(code) */
			/* word 3 */
			uint8_t nw_ttl;       /* IPv4 TTL / IPv6 hop limit */
			uint8_t ct_state;     /* CT_STATE_* (conntrack.h); 0 until a ct() action */
			rte_be16_t tcp_flags; /* the 12 flag bits of the TCP header */
			uint16_t ct_zone;     /* the zone of the last ct() action (host order) */
			uint16_t pad1;
			/* words 4-5 and 6-7 */
			union {
				rte_be32_t nw_src; /* IPv4 source; ARP: sender protocol address */
				uint8_t ipv6_src[16];
			};
			union {
				rte_be32_t nw_dst; /* IPv4 destination; ARP: target protocol address */
				uint8_t ipv6_dst[16];
			};
		};
		uint64_t w[FLOW_KEY_WORDS];
	};
} __rte_aligned(8);

_Static_assert(sizeof(struct flow_key) == 64, "struct flow_key must be 8 words");

#define FLOW_ETH_IPV4 0x0800
#define FLOW_ETH_ARP 0x0806
#define FLOW_ETH_IPV6 0x86dd

/*
 * Fills k from frame m as received on port in_port, after VLAN ingress
 * (meta says the frame's VLAN and whether it carries it as its outer tag).
 * Reads only the first segment and never past its data: a header cut short
 * leaves its fields and everything after it zero (a truncated IPv4 header
 * gives dl_type 0x0800 and no addresses). Up to two VLAN tags are skipped to
 * find dl_type. L4 fields are read for TCP, UDP, SCTP, ICMP and ICMPv6 when
 * they follow the IPv4 header (first fragments only) or the fixed IPv6
 * header directly. Inline-sized, but out of line: it is called once per
 * frame and is not the bottleneck of the rule pipeline.
 */
void flow_key_extract(const struct rte_mbuf *m, uint16_t in_port, const struct vlan_meta *meta,
		      struct flow_key *k);

/* Offsets of the L3 and L4 headers in the first segment, as flow_key_extract
 * found them; 0 when there is none. Used by the packet editing actions. */
struct flow_offsets {
	uint16_t l3;
	uint16_t l4;
};

/* flow_key_extract() that also reports the header offsets. */
void flow_key_extract_offsets(const struct rte_mbuf *m, uint16_t in_port,
			      const struct vlan_meta *meta, struct flow_key *k,
			      struct flow_offsets *off);

static inline void
flow_key_and(struct flow_key *dst, const struct flow_key *a, const struct flow_key *mask)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		dst->w[i] = a->w[i] & mask->w[i];
}

/* True when key (unmasked) matches the rule (rule_key already masked). */
static inline bool
flow_key_matches(const struct flow_key *key, const struct flow_key *rule_key,
		 const struct flow_key *mask)
{
	uint64_t diff = 0;

	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		diff |= (key->w[i] & mask->w[i]) ^ rule_key->w[i];
	return diff == 0;
}

static inline bool
flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t diff = 0;

	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		diff |= a->w[i] ^ b->w[i];
	return diff == 0;
}

#endif
