/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_MB_HARNESS_H
#define VSWITCH_PERF_MB_HARNESS_H

/*
 * The forwarding harness of microbench_fwd, microbench_flows and microbench_ct: one PMD
 * context (struct fwd_ctx) in front of one bridge whose ports are ring-backed ethdev ports, an
 * FDB, an mbuf pool and a learn ring, everything on the main lcore. The benchmark puts bursts
 * through fwd_burst() and fwd_flush() and takes the frames off the tx rings with
 * mb_harness_drain_tx(), or has mb_harness_loop() do both, timed, and keeps its figures round
 * by round in a struct mb_timing.
 *
 * Stations have the MAC 02:00:pp:hh:hh:hh: locally administered unicast, the port
 * in bits 24..31 and a host index below it (mb_station_mac()).
 *
 * Main thread only. The QSBR variable has one thread, 0, online: the main thread,
 * which reports quiescent states itself.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
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
#define MB_MAX_ROUNDS 101 /* rounds a struct mb_timing holds */
#define MB_CPU_OK 95 /* below this share of the wall time on a CPU, a scenario is suspect */

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

/*
 * iters bursts of FWD_BURST frames received on port in, copied into fresh mbufs from the
 * n_flows templates of frame_len bytes at frames, from flow *pos on and round again; *pos is
 * left at the next flow. pipeline: through fwd_burst() and fwd_flush(); else the harness alone,
 * the burst freed at once, so that the difference is the pipeline's (allocation, copying, tx
 * draining and the quiescent report are in both). Returns TSC cycles, or UINT64_MAX if the mbuf
 * pool ran dry. The timed loop: always inline, so that the copy has a constant length.
 */
static __rte_always_inline uint64_t
mb_harness_loop(struct mb_harness *h, const uint8_t *frames, size_t frame_len, uint32_t n_flows,
		uint32_t *pos, uint16_t in, uint64_t iters, bool pipeline)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint32_t p = *pos;
	uint64_t start = rte_rdtsc();

	for (uint64_t i = 0; i < iters; i++) {
		if (unlikely(rte_pktmbuf_alloc_bulk(h->pool, pkts, FWD_BURST) != 0))
			return UINT64_MAX;
		for (unsigned int j = 0; j < FWD_BURST; j++) {
			struct rte_mbuf *m = pkts[j];

			memcpy(rte_pktmbuf_mtod(m, uint8_t *), frames + (size_t)p * frame_len,
			       frame_len);
			m->data_len = (uint16_t)frame_len;
			m->pkt_len = (uint32_t)frame_len;
			if (++p == n_flows)
				p = 0;
		}
		if (pipeline) {
			fwd_burst(h->ctx, h->snap, in, pkts, FWD_BURST);
			fwd_flush(h->ctx, h->snap);
		} else {
			rte_pktmbuf_free_bulk(pkts, FWD_BURST);
		}
		mb_harness_drain_tx(h);
		rte_rcu_qsbr_quiescent(h->qsbr, 0);
	}
	start = rte_rdtsc() - start;
	*pos = p;
	return start;
}

/* What one scenario's timed loops measured: per round, then medians over rounds. */
struct mb_timing {
	double tot[MB_MAX_ROUNDS], ovh[MB_MAX_ROUNDS]; /* ns per packet: pipeline loop, harness */
	double cpu_s, wall_s;           /* the timed loops: CPU time this thread got, wall time */
	double tot_ns, ovh_ns, pipe_ns; /* mb_timing_medians(): tot's, ovh's, their difference */
};

/* Records round r: the pipeline loop took c_tot TSC cycles and the harness loop c_ovh, each for
 * pkts packets, and the thread had cpu_s seconds of CPU meanwhile. */
void mb_timing_round(struct mb_timing *t, unsigned int r, uint64_t c_tot, uint64_t c_ovh,
		     uint64_t pkts, double cpu_s);

/* Sets tot_ns, ovh_ns and pipe_ns from rounds 0..rounds-1. */
void mb_timing_medians(struct mb_timing *t, unsigned int rounds);

/* The share of the timed loops' wall time the thread was on a CPU, in percent; 0 before any
 * round. Below MB_CPU_OK, the line is suspect. */
double mb_timing_cpu(const struct mb_timing *t);

/* Prints the report's line that explains the cpu% column; suspect: some line is marked *. */
void mb_print_cpu_note(bool suspect);

/* The checks every run ends with: no drop counted on any port, every mbuf back in the pool.
 * Says what failed on stderr; returns the number of failures. */
int mb_harness_check(const struct mb_harness *h);

#endif
