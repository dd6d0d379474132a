/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_ARP_FRAME_H
#define VSWITCH_BRIDGE_ARP_FRAME_H

/*
 * ARP (Ethernet, IPv4) and ICMP echo frames the control thread reads and
 * writes for the NAT network: answers for the addresses the switch owns,
 * and requests that resolve next hops and VMs. Control thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct arp_info {
	uint16_t op;                /* ARP_OP_* */
	struct rte_ether_addr sha;  /* sender hardware address */
	rte_be32_t spa;             /* sender protocol address */
	struct rte_ether_addr tha;
	rte_be32_t tpa;
	uint16_t vlan_tci;          /* the frame's 802.1Q tag, if any */
	bool tagged;
};

/* Reads an ARP frame (untagged or with one 802.1Q tag). False when m is not
 * an Ethernet/IPv4 ARP request or reply, or is cut short. */
bool arp_frame_parse(const struct rte_mbuf *m, struct arp_info *a);

/* A new ARP frame from pool, tagged when a->tagged; dst is the Ethernet
 * destination (broadcast for requests). NULL when the pool is empty. */
struct rte_mbuf *arp_frame_build(struct rte_mempool *pool, const struct rte_ether_addr *dst,
				 const struct arp_info *a);

/* Turns an ICMP echo request to one of our addresses (frame m, IPv4, no
 * options needed) into its reply in place, from mac: swaps the Ethernet and
 * IP addresses, sets type 0 and patches the checksum. False (m unchanged)
 * when m is not such a request. */
bool icmp_echo_answer(struct rte_mbuf *m, rte_be32_t our_ip, const struct rte_ether_addr *mac);

#endif
