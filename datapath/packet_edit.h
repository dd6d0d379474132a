/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_PACKET_EDIT_H
#define VSWITCH_DATAPATH_PACKET_EDIT_H

/*
 * Rewriting header fields of a frame in place, for the set_field and
 * dec_ttl actions, with checksums updated incrementally (RFC 1624): the IPv4
 * header checksum when an IPv4 field changes, and the TCP or UDP checksum
 * when an address of its pseudo-header or a port changes (ICMPv6's for IPv6
 * addresses). A UDP-over-IPv4 checksum of zero means "none" and stays zero.
 * SCTP ports are not rewritten (its CRC32c cannot be updated incrementally).
 *
 * off comes from flow_key_extract_offsets() on the frame as it is now. A
 * function returns -1 and changes nothing when the frame lacks the header
 * (not that protocol, or cut short); the caller then leaves the frame as it
 * is. Each also stores the new value into k, so later tables see it.
 *
 * Only the first segment is touched; the headers edited must lie in it,
 * which flow_key_extract_offsets() guarantees when it reports them.
 * Datapath use: no allocation, no locking.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "flow_key.h"

int packet_set_dl_src(struct rte_mbuf *m, struct flow_key *k, const struct rte_ether_addr *mac);
int packet_set_dl_dst(struct rte_mbuf *m, struct flow_key *k, const struct rte_ether_addr *mac);

/* IPv4 only (not ARP). */
int packet_set_nw_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		      rte_be32_t addr);
int packet_set_nw_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		      rte_be32_t addr);

int packet_set_ipv6_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
			const uint8_t addr[16]);
int packet_set_ipv6_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
			const uint8_t addr[16]);

/* TCP or UDP over IPv4 or IPv6. */
int packet_set_tp_src(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		      rte_be16_t port);
int packet_set_tp_dst(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		      rte_be16_t port);

/* The identifier of an ICMP echo request or reply over IPv4 (the key has
 * no field for it, so it is left alone). */
int packet_set_icmp_id(struct rte_mbuf *m, const struct flow_offsets *off,
		       const struct flow_key *k, rte_be16_t id);

/*
 * The packet an ICMPv4 error carries, whose IPv4 header starts at inner_l3
 * and must be followed by 8 bytes of its L4 header within the first
 * segment: sets its addresses and its ports (TCP, UDP; for ICMP, sport is
 * the echo identifier and dport is ignored), patches the inner IPv4
 * checksum, the inner L4 checksum where the frame holds it, and the outer
 * ICMP checksum.
 */
int packet_set_icmp_inner(struct rte_mbuf *m, const struct flow_offsets *off,
			  const struct flow_key *k, uint16_t inner_l3, rte_be32_t src,
			  rte_be32_t dst, rte_be16_t sport, rte_be16_t dport);

/* The DSCP bits (the upper six) of the IPv4 TOS or IPv6 traffic class; ECN kept. */
int packet_set_dscp(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
		    uint8_t dscp);

/* Decrements the IPv4 TTL or IPv6 hop limit. Returns 0 when done, 1 when
 * it was 0 or 1 (the frame must be dropped; nothing is changed), -1 when the
 * frame is not IP. */
int packet_dec_ttl(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k);

#endif
