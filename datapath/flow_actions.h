/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_ACTIONS_H
#define VSWITCH_DATAPATH_FLOW_ACTIONS_H

/*
 * A flow rule's actions in the form PMD threads execute them: a short array
 * of fixed-size records, run in order. The control side (bridge/flow_rule.h)
 * uses the same records, with an output's port given as a port-name id that
 * compiling turns into a port number.
 *
 * What each action does to a frame is documented in docs/api.md ("Flow
 * rules"). In short: outputs send the frame as the actions so far have left
 * it; normal hands it to the L2 learning switch; an empty list drops.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "conntrack.h"

enum flow_act_type {
	FLOW_ACT_OUTPUT,       /* arg: port */
	FLOW_ACT_NORMAL,       /* the L2 learning switch, with VLANs */
	FLOW_ACT_FLOOD,        /* every port of the bridge whose link is up, but the input one */
	FLOW_ACT_PUSH_VLAN,    /* arg: TPID (host order); the tag carries the frame's VLAN */
	FLOW_ACT_POP_VLAN,     /* removes the outer tag if there is one */
	FLOW_ACT_SET_VLAN_VID, /* arg: VID; tags the frame if it has no tag */
	FLOW_ACT_SET_DL_SRC,   /* val.mac */
	FLOW_ACT_SET_DL_DST,   /* val.mac */
	FLOW_ACT_SET_NW_SRC,   /* val.ip4; IPv4 header and TCP/UDP checksums updated */
	FLOW_ACT_SET_NW_DST,   /* val.ip4 */
	FLOW_ACT_SET_IPV6_SRC, /* val.ip6; TCP/UDP/ICMPv6 checksum updated */
	FLOW_ACT_SET_IPV6_DST, /* val.ip6 */
	FLOW_ACT_SET_TP_SRC,   /* val.port (network order); TCP/UDP checksum updated */
	FLOW_ACT_SET_TP_DST,   /* val.port */
	FLOW_ACT_SET_DSCP,     /* arg: DSCP 0..63; IPv4 checksum updated */
	FLOW_ACT_DEC_TTL,      /* a frame whose TTL or hop limit would reach 0 is dropped */
	FLOW_ACT_GOTO_TABLE,   /* arg: a table after this one; always the last action */
	FLOW_ACT_CT,           /* val.ct: conntrack (and NAT); with CT_F_TABLE, always the last */
	FLOW_ACT_CONTROLLER,   /* a copy of the frame as it is to the control thread */
	FLOW_ACT_MAX
};

/* One action. 20 bytes. */
struct flow_act {
	uint8_t type;  /* enum flow_act_type */
	uint8_t copy;  /* output: send a copy, since later actions change the frame */
	uint16_t arg;
	union {
		struct rte_ether_addr mac;
		rte_be32_t ip4;
		uint8_t ip6[16];
		rte_be16_t port;
		struct ct_args ct;
	} val;
};

/* The compiled action list of one rule. */
struct flow_actions {
	uint16_t n;
	uint8_t has_normal;  /* some action is FLOW_ACT_NORMAL */
	uint8_t only_output; /* every action is an output: the frame is never changed */
	struct flow_act a[];
};

/* Sets the copy flags of an action list: an output followed by any action
 * that changes the frame (or by goto_table, whose rules may) sends a copy;
 * the others share the frame. Also sets has_normal and only_output. */
void flow_actions_finish(struct flow_actions *acts);

#endif
