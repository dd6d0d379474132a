/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_STATS_H
#define VSWITCH_DATAPATH_FLOW_STATS_H

/*
 * Per-rule packet and byte counters. A rule gets a slot number for its
 * whole life; every PMD thread has its own counter for each slot, which it
 * alone writes, and the control thread sums them. A rule keeps its slot when
 * its table is rebuilt, so counters survive every other change to the rules.
 *
 * Slots live in chunks allocated when first needed and never moved, so a
 * PMD thread reaches a counter with two loads and no bounds check: a
 * published table only names slots whose chunk exists.
 */

#include <stdint.h>

#include <rte_common.h>

#define FLOW_STATS_CHUNK_SHIFT 12
#define FLOW_STATS_CHUNK (1u << FLOW_STATS_CHUNK_SHIFT)
#define FLOW_STATS_MAX_CHUNKS 256
#define FLOW_STATS_MAX_SLOTS (FLOW_STATS_CHUNK * FLOW_STATS_MAX_CHUNKS)

struct flow_counter {
	uint64_t packets;
	uint64_t bytes;
};

/* One PMD thread's counters. chunk[] is written by the control thread
 * before any published table names a slot of that chunk. */
struct flow_stats {
	struct flow_counter *chunk[FLOW_STATS_MAX_CHUNKS];
};

/* Datapath: counts one packet of len bytes for slot. */
static inline void
flow_stats_count(struct flow_stats *fs, uint32_t slot, uint32_t len)
{
	struct flow_counter *c =
		&fs->chunk[slot >> FLOW_STATS_CHUNK_SHIFT][slot & (FLOW_STATS_CHUNK - 1)];

	c->packets++;
	c->bytes += len;
}

/* Datapath: counts n packets of bytes in all for slot. */
static inline void
flow_stats_count_n(struct flow_stats *fs, uint32_t slot, uint32_t n, uint64_t bytes)
{
	struct flow_counter *c =
		&fs->chunk[slot >> FLOW_STATS_CHUNK_SHIFT][slot & (FLOW_STATS_CHUNK - 1)];

	c->packets += n;
	c->bytes += bytes;
}

/* The control side: slot allocation and reading. Control thread only. */
struct flow_stats_pool;

/* For n_pmds threads whose struct flow_stats the pool allocates. NULL with errno. */
struct flow_stats_pool *flow_stats_pool_create(unsigned int n_pmds, int socket_id);
void flow_stats_pool_destroy(struct flow_stats_pool *pool);
/* The counters PMD thread pmd writes. */
struct flow_stats *flow_stats_pool_pmd(struct flow_stats_pool *pool, unsigned int pmd);

/* A free slot with zero counters, or -ENOSPC / -ENOMEM. */
int64_t flow_stats_pool_alloc(struct flow_stats_pool *pool);
/* Returns slot to the pool. Only once no published table names it any more
 * (after datapath_publish() of a snapshot without it). */
void flow_stats_pool_release(struct flow_stats_pool *pool, uint32_t slot);
/* Sums slot over all PMD threads. */
void flow_stats_pool_read(const struct flow_stats_pool *pool, uint32_t slot,
			  struct flow_counter *out);
/* Bytes allocated, for the memory benchmark. */
size_t flow_stats_pool_memory(const struct flow_stats_pool *pool);

#endif
