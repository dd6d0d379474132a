/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_SNAPSHOT_H
#define VSWITCH_DATAPATH_SNAPSHOT_H

/*
 * The configuration as PMD threads see it: an immutable snapshot built by
 * the control thread, published with one release store (datapath_publish())
 * and freed only after every PMD thread has reported a quiescent state. A
 * PMD thread loads it with acquire once per poll loop and never writes it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "vlan.h"

struct fdb;
struct flow_pipeline;

#define DP_MAX_PORTS 256
#define DP_MAX_BRIDGES 64
#define DP_MAX_PMDS 16
#define DP_MAX_RXQ_PER_PMD DP_MAX_PORTS

/* A port slot, indexed by port number (port_no). */
struct snap_port {
	bool in_use;
	bool link_up;      /* the port can carry frames; floods skip ports that are down */
	bool tx_shared;    /* fewer tx queues than PMD threads: transmit under the port's lock */
	uint16_t eth_port; /* rte_ethdev port id */
	uint16_t bridge;   /* index into snapshot.bridges */
	uint16_t n_txq;    /* PMD i transmits on queue i % n_txq */
	uint16_t mtu;      /* largest payload (frame less Ethernet header and tags) */
	struct vlan_port vlan;
};

struct snap_bridge {
	bool in_use;
	bool vlan_uniform;  /* every port is a trunk of all VLANs: floods need no VLAN checks */
	uint16_t min_mtu;   /* the smallest MTU of the flood set */
	struct fdb *fdb;
	struct flow_pipeline *pipeline; /* NULL: only the default rule, the L2 switch; the
					 * snapshot holds a reference */
	bool count_default;             /* no pipeline: count frames into default_slot */
	uint32_t default_slot;          /* the default rule's counters */
	uint16_t n_flood;
	uint16_t flood[DP_MAX_PORTS]; /* port numbers whose link is up */
};

struct snap_rxq {
	uint16_t port_no;
	uint16_t queue;
};

struct snap_pmd {
	uint16_t n_rxq;
	struct snap_rxq rxq[DP_MAX_RXQ_PER_PMD];
};

struct snapshot {
	uint64_t version;
	struct snap_port ports[DP_MAX_PORTS];
	struct snap_bridge bridges[DP_MAX_BRIDGES];
	struct snap_pmd pmds[DP_MAX_PMDS];
};

/* Control thread only. NULL with errno ENOMEM. Destroying drops the
 * snapshot's pipeline references. */
struct snapshot *snapshot_create(void);
void snapshot_destroy(struct snapshot *snap);

#endif
