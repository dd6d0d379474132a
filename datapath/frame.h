/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FRAME_H
#define VSWITCH_DATAPATH_FRAME_H

/*
 * Parsing a received frame into the keys the L2 pipeline needs. Inline: it
 * runs once per packet in the hot loop. Only the first segment is read; a
 * frame whose Ethernet header does not fit in it is treated as a runt, which
 * no driver here produces for a well-formed frame.
 */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_stats.h"
#include "fdb.h"
#include "vlan.h"

/*
 * Classifies m as received on a port with VLAN settings vp and fills dst and
 * src (keyed by the frame's VLAN) and meta. A priority tag is removed from
 * the frame. Returns -1 when the frame is fine, else the enum dp_drop_reason
 * it must be dropped for: DP_DROP_runt (header or tag truncated),
 * DP_DROP_vlan_filtered (a VLAN the port does not carry) or
 * DP_DROP_bad_src_mac (multicast, broadcast or all-zero source, which no
 * station may use).
 */
static inline int
frame_parse(struct rte_mbuf *m, const struct vlan_port *vp, struct fdb_key *dst,
	    struct fdb_key *src, struct vlan_meta *meta)
{
	const struct rte_ether_hdr *eth;
	uint16_t vid;
	int reason;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return DP_DROP_runt;
	reason = vlan_ingress(vp, m, meta);
	if (unlikely(reason >= 0))
		return reason;
	vid = meta->tci & VLAN_VID_MAX;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	dst->mac = eth->dst_addr;
	dst->vlan = vid;
	src->mac = eth->src_addr;
	src->vlan = vid;
	if (unlikely(!rte_is_unicast_ether_addr(&src->mac) || rte_is_zero_ether_addr(&src->mac)))
		return DP_DROP_bad_src_mac;
	return -1;
}

/* True when dst must be flooded whatever the MAC table says. */
static inline int
frame_is_group(const struct fdb_key *dst)
{
	return rte_is_multicast_ether_addr(&dst->mac);
}

#endif
