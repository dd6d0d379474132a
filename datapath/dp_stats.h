/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_DP_STATS_H
#define VSWITCH_DATAPATH_DP_STATS_H

/*
 * Per-port counters. Each PMD thread owns one struct dp_port_stats per port
 * and is the only writer; the control thread sums all PMDs' copies when it
 * reads, so counting costs the hot path no atomic operation and no shared
 * cache line.
 */

#include <stdint.h>
#include <rte_common.h>

/*
 * Every reason a frame (or a learn event) is dropped, in one list so that the
 * counters, their names in the API and the sums cannot drift apart.
 * X(name, side): side is RX or TX (summed into rx_dropped / tx_dropped) or
 * NONE for events that are not frame drops.
 */
#define DP_DROP_REASONS(X)                                                                         \
	X(runt, RX)             /* shorter than an Ethernet header, or a VLAN tag cut short */     \
	X(bad_src_mac, RX)      /* multicast or all-zero source MAC */                             \
	X(vlan_filtered, RX)    /* a VLAN the input port does not carry */                         \
	X(oversize, RX)         /* payload larger than the input port's MTU */                     \
	X(same_port, RX)        /* destination learned on the input port */                        \
	X(no_port, RX)          /* nothing to flood to */                                          \
	X(no_match, RX)         /* no flow rule of a table matched */                              \
	X(rule_drop, RX)        /* a flow rule's actions are drop */                               \
	X(ttl_exceeded, RX)     /* dec_ttl on a TTL or hop limit of 0 or 1 */                      \
	X(recirc_limit, RX)     /* ct(table=N) passed more than 4 times */                         \
	X(mtu_exceeded, TX)     /* payload larger than the output port's MTU */                    \
	X(tx_queue_full, TX)    /* the port's tx queue did not take the frame */                   \
	X(tx_link_down, TX)     /* the port's link is down */                                      \
	X(no_mbuf, TX)          /* no buffer for a copy or room for a tag */                       \
	X(punt_queue_full, RX)  /* the control thread has not taken the frames sent to it */       \
	X(learn_queue_full, NONE) /* a learn event was lost: the control thread lags */

enum dp_drop_reason {
#define DP_DROP_ENUM(name, side) DP_DROP_##name,
	DP_DROP_REASONS(DP_DROP_ENUM)
#undef DP_DROP_ENUM
	DP_DROP_MAX
};

enum dp_drop_side { DP_SIDE_RX, DP_SIDE_TX, DP_SIDE_NONE };

struct dp_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DP_DROP_MAX];
} __rte_cache_aligned;

/* Name of a reason as shown by the API ("tx_queue_full"). */
const char *dp_drop_name(enum dp_drop_reason reason);
enum dp_drop_side dp_drop_side(enum dp_drop_reason reason);

/* Adds src into dst, field by field. */
void dp_port_stats_add(struct dp_port_stats *dst, const struct dp_port_stats *src);
uint64_t dp_port_stats_rx_dropped(const struct dp_port_stats *s);
uint64_t dp_port_stats_tx_dropped(const struct dp_port_stats *s);

#endif
