/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_NAT_RULES_H
#define VSWITCH_BRIDGE_NAT_RULES_H

/*
 * A NAT network as flow rules: VMs on a private subnet of a bridge reach
 * the outside through its uplink port under one external address, and
 * chosen ports of that address are forwarded to VMs.
 *
 * The rules (all with cookie NAT_COOKIE, so they can be told apart from
 * the user's and replaced as a set):
 *   table 0: ARP for the gateway and the external address, and ICMP echo
 *     to the gateway, go to the controller (the control thread answers and
 *     learns); traffic from the subnet to the gateway MAC goes through
 *     ct(commit,nat(src=external)) to table NAT_TABLE_OUT; traffic to the
 *     external address from the uplink through ct(nat), or for a forwarded
 *     port ct(commit,nat(dst=vm:port)), to NAT_TABLE_IN; anything else from
 *     the uplink is dropped, so the outside never reaches the VM network at
 *     layer 2.
 *   NAT_TABLE_OUT: invalid connections dropped; the rest TTL-decremented,
 *     re-addressed from the gateway MAC to the next hop's (or the
 *     destination's, without a next hop) and sent out of the uplink. Until
 *     that MAC is known, frames go to the controller, which asks by ARP.
 *   NAT_TABLE_IN: invalid dropped; frames now addressed to a known VM
 *     TTL-decremented, re-addressed and sent to its port; to an unknown VM
 *     of the subnet to the controller; anything else (a new connection
 *     nothing is forwarded for) dropped.
 *
 * Pure: builds text, touches nothing. Control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "bridge.h"

#define NAT_COOKIE 0x6e6174 /* "nat" */
#define NAT_TABLE_OUT 61
#define NAT_TABLE_IN 62
#define NAT_MAX_FORWARDS 256
#define NAT_MAX_NEIGHBORS 1024
#define NAT_PRIORITY_BASE 1000 /* the rules use 1000 to 1100 in table 0 */

struct nat_forward {
	uint8_t proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t ext_port;   /* host order */
	rte_be32_t to_ip;
	uint16_t to_port;    /* host order */
};

/* An address the control thread resolved: where it is and its MAC. */
struct nat_neighbor {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	char port[BRIDGE_NAME_MAX + 1]; /* the port it answered on */
};

struct nat_config {
	char uplink[BRIDGE_NAME_MAX + 1];
	rte_be32_t subnet;    /* network address */
	uint8_t prefix_len;
	rte_be32_t gateway;
	rte_be32_t external_ip;
	rte_be32_t next_hop;  /* 0: destinations are on the uplink's link */
	struct rte_ether_addr mac; /* the gateway's and external address's MAC */
	uint16_t zone;
	unsigned int n_forwards;
	struct nat_forward forwards[NAT_MAX_FORWARDS];
};

/* True when ip is in the config's subnet. */
bool nat_in_subnet(const struct nat_config *c, rte_be32_t ip);

/*
 * The rule texts for c, given the neighbours resolved so far, into a
 * malloc'd array of malloc'd strings (*rules, *n). 0 or -ENOMEM.
 */
int nat_rules_build(const struct nat_config *c, const struct nat_neighbor *nb, unsigned int n_nb,
		    char ***rules, unsigned int *n);
void nat_rules_free(char **rules, unsigned int n);

/* Checks a config for consistency (gateway and forward targets inside the
 * subnet, external address outside it, ...). 0 or -EINVAL with a message. */
int nat_config_check(const struct nat_config *c, char *err, size_t errlen);

#endif
