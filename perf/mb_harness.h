/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_MB_HARNESS_H
#define VSWITCH_PERF_MB_HARNESS_H

/*
 * The forwarding harness of microbench_fwd and microbench_flows: one PMD
 * context (struct fwd_ctx) in front of one bridge whose ports are ring-backed
 * ethdev ports, an FDB, an mbuf pool and a learn ring, everything on the main
 * lcore. The benchmark puts bursts through fwd_burst() and fwd_flush() and takes
 * the frames off the tx rings with mb_harness_drain_tx().
 *
 * Stations have the MAC 02:00:pp:hh:hh:hh: locally administered unicast, the port
 * in bits 24..31 and a host index below it (mb_station_mac()).
 *
 * Main thread only. The QSBR variable has one thread, 0, online: the main thread,
 * which reports quiescent states itself.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "datapath/dp_stats.h"
#include "datapath/fdb.h"
#include "datapath/forward.h"
#include "datapath/snapshot.h"
#include "datapath/vlan.h"

#define MB_MAX_PORTS 4
#define MB_POOL_SIZE 4095 /* mbufs */
#define MB_POOL_CACHE 256
#define MB_RING_SIZE 1024 /* each port's rx and tx ring and queue, and the learn ring */
#define MB_MAC_STATION UINT64_C(0x020000000000)

struct mb_harness_params {
	const char *prog;     /* for messages */
	const char *prefix;   /* of the DPDK objects' names: "<prefix>_pool", "<prefix>_rx0", ... */
	uint16_t n_ports;     /* 1..MB_MAX_PORTS */
	uint32_t fdb_entries; /* the FDB's capacity */
};

struct mb_harness {
	const char *prog;
	uint16_t n_ports;
	struct rte_mempool *pool; /* MB_POOL_SIZE mbufs of RTE_MBUF_DEFAULT_BUF_SIZE */
	struct rte_ring *rx[MB_MAX_PORTS], *tx[MB_MAX_PORTS];
	uint16_t eth_port[MB_MAX_PORTS];
	uint16_t n_eth; /* ethdev ports created, for mb_harness_fini() */
	struct rte_rcu_qsbr *qsbr;
	struct fdb *fdb;
	struct snapshot *snap; /* version 1: bridge 0, no pipeline, over every port */
	struct rte_ring *learn_ring;
	struct dp_port_stats *stats; /* DP_MAX_PORTS of them, the context's */
	struct fwd_ctx *ctx;         /* PMD 0; no flow counters (ctx->fstats) */
	struct vlan_config vlan;     /* every port's: the default trunk of all VLANs */
	rte_spinlock_t tx_locks[DP_MAX_PORTS];
	uint64_t drained[MB_MAX_PORTS]; /* frames taken off each tx ring */
};

/*
 * Sets up h, which the caller has zeroed, as described above, with ctx->now set
 * to fdb_now(). Returns 0, or -1 after saying what failed on stderr; either way
 * mb_harness_fini() undoes it.
 */
int mb_harness_init(struct mb_harness *h, const struct mb_harness_params *p);

/* Frees everything mb_harness_init() made, including the snapshot and any pipeline it holds. */
void mb_harness_fini(struct mb_harness *h);

static inline uint64_t
mb_station_mac(uint16_t port, uint32_t host)
{
	return MB_MAC_STATION | ((uint64_t)port << 24) | host;
}

/* Writes the 48-bit mac (in its low bits) in network order at p. */
static inline void
mb_mac_put(uint8_t *p, uint64_t mac)
{
	uint64_t be = rte_cpu_to_be_64(mac << 16);

	memcpy(p, &be, RTE_ETHER_ADDR_LEN);
}

/* Teaches the FDB, in VLAN 0, stations 0..hosts-1 of every port on that port. Returns 0, or
 * fdb_learn()'s negative errno. */
int mb_harness_learn_stations(struct mb_harness *h, uint32_t hosts);

/* Takes every frame off the tx rings and frees it, counting them in drained[]. Part of the
 * timed loops, hence inline. */
static inline void
mb_harness_drain_tx(struct mb_harness *h)
{
	struct rte_mbuf *out[2 * FWD_BURST];

	for (uint16_t p = 0; p < h->n_ports; p++) {
		unsigned int n;

		while ((n = rte_ring_dequeue_burst(h->tx[p], (void **)out, RTE_DIM(out), NULL)) >
		       0) {
			h->drained[p] += n;
			rte_pktmbuf_free_bulk(out, n);
		}
	}
}

/* The checks every run ends with: no drop counted on any port, every mbuf back in the pool.
 * Says what failed on stderr; returns the number of failures. */
int mb_harness_check(const struct mb_harness *h);

#endif
