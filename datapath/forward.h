/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FORWARD_H
#define VSWITCH_DATAPATH_FORWARD_H

/*
 * The L2 learning pipeline for one burst: parse and classify into VLANs,
 * queue learn events, look up destinations, flood or forward within the
 * VLAN, tag or untag for the output port, and buffer frames per output port.
 *
 * Threading: a struct fwd_ctx belongs to one PMD thread. fwd_burst() and
 * fwd_flush() run between that thread's quiescent reports, with the
 * snapshot it loaded for this poll loop. Lock-free, allocation-free.
 */

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "conntrack.h"
#include "dp_stats.h"
#include "fdb.h"
#include "flow_cache.h"
#include "flow_stats.h"
#include "snapshot.h"

#define FWD_BURST 32
#define FWD_TXBUF_SIZE (2 * FWD_BURST)

/* What a PMD thread tells the control thread to learn. 16 bytes. */
struct learn_event {
	struct fdb_key key;
	uint16_t bridge;
	uint16_t port_no;
	uint32_t reserved;
};

/* A frame a rule's controller action hands to the control thread, or one
 * the control thread sends out of a port. 16 bytes. */
struct dp_punt {
	struct rte_mbuf *m;
	uint16_t port_no; /* punt: the input port; inject: the output port */
	uint16_t reserved[3];
};

struct fwd_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[FWD_TXBUF_SIZE];
};

struct fwd_ctx {
	uint16_t txq_base;               /* this PMD's index, for picking tx queues */
	uint32_t now;                    /* fdb_now(), refreshed by the PMD loop well within a second */
	struct rte_ring *learn_ring;     /* single producer: this thread */
	struct dp_port_stats *stats;     /* [DP_MAX_PORTS], written by this thread only */
	struct rte_mempool *pool;        /* for the copies a flood with mixed tagging needs */
	rte_spinlock_t *tx_locks;        /* [DP_MAX_PORTS], shared by all PMD threads */
	struct flow_stats *fstats;       /* per-rule counters, written by this thread only */
	struct flow_cache *fcache;       /* this thread's exact-match cache of rule hits */
	struct conntrack *ct;            /* shared; this thread counts as ct thread txq_base */
	struct rte_ring *punt_ring;      /* shared, multi-producer: to the control thread */
	uint16_t n_dirty;
	uint16_t dirty[DP_MAX_PORTS];    /* ports with frames waiting in txb */
	struct fwd_txbuf txb[DP_MAX_PORTS];
};

struct fwd_ctx_params {
	uint16_t pmd; /* this PMD thread's index */
	struct rte_ring *learn_ring;
	struct dp_port_stats *stats;
	struct rte_mempool *pool;
	rte_spinlock_t *tx_locks;
	struct flow_stats *fstats;
	struct conntrack *ct;
	struct rte_ring *punt_ring;
	int socket_id;
};

/* Control side: allocates a context for one PMD thread. NULL with errno. */
struct fwd_ctx *fwd_ctx_create(const struct fwd_ctx_params *params);
void fwd_ctx_destroy(struct fwd_ctx *ctx);

/* Runs n (<= FWD_BURST) frames received on in_port through the pipeline. Takes
 * ownership of every mbuf: each is buffered for transmission or freed. */
void fwd_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	       struct rte_mbuf **pkts, uint16_t n);

/* Transmits everything buffered. Must run before the thread reports quiescent,
 * so no buffered frame outlives the snapshot that chose its port. */
void fwd_flush(struct fwd_ctx *ctx, const struct snapshot *snap);

#endif
