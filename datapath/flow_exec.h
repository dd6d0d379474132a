/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_EXEC_H
#define VSWITCH_DATAPATH_FLOW_EXEC_H

/*
 * The rule pipeline for one burst of a bridge that has flow rules: extract
 * each frame's flow key, classify the burst table by table starting at
 * table 0, count the hits, and run each hit rule's actions. Frames that an
 * action hands to "normal" go through the L2 stage together at the end.
 *
 * Datapath only; same threading as forward.h.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "forward.h"
#include "vlan.h"

/* n parsed frames received on in_port (VLAN ingress done, oversize ones
 * dropped), whose bridge has a pipeline. Takes ownership of the mbufs. */
void flow_exec_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
		     struct rte_mbuf **pkts, struct vlan_meta *meta, uint16_t n);

#endif
