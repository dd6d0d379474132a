/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_CACHE_H
#define VSWITCH_DATAPATH_FLOW_CACHE_H

/*
 * A PMD thread's exact-match cache in front of the classifier: for a flow
 * key seen before, the rules it hit, table after table, so a packet of a
 * known flow costs one hash and one compare instead of a search of every
 * subtable. It is a cache, not a table: a set-associative array that
 * overwrites a way when a set is full, which is why it is not an rte_hash
 * (that refuses inserts when full and has no eviction).
 *
 * Entries carry the generation of the pipeline they were computed from; a
 * pipeline swap makes every older entry a miss without touching the cache,
 * and no pointer in a stale entry is followed.
 *
 * One per PMD thread, which alone reads and writes it: no locking.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "flow_key.h"
#include "flow_pipeline.h"

#define FLOW_CACHE_WAYS 4
#define FLOW_CACHE_SETS (1u << 17) /* 524,288 entries, 64 MiB: 100,000 flows rarely overflow a set */
#define FLOW_CACHE_CHAIN 6         /* tables a cached flow may pass through */

/* Two cache lines: what a lookup tests and returns in the first, which is
 * prefetched for every way of a set; the key in the second, read only for
 * the way whose hash and generation match. */
struct flow_cache_entry {
	uint64_t gen;  /* the pipeline's; 0: empty */
	uint32_t hash;
	uint8_t n_hits;
	uint8_t partial; /* the last hit changes the frame (or its ct_state) and goes on:
			  * the tables after it are searched, not cached */
	uint8_t pad[2];
	const struct flow_entry *hit[FLOW_CACHE_CHAIN]; /* NULL: no rule matched there */
	struct flow_key key;
} __rte_aligned(RTE_CACHE_LINE_SIZE);

struct flow_cache {
	uint32_t victim; /* rotates the way overwritten in a full set */
	uint64_t hits, misses;
	struct flow_cache_entry e[FLOW_CACHE_SETS][FLOW_CACHE_WAYS];
};

/* Control side. NULL with errno. */
struct flow_cache *flow_cache_create(int socket_id);
void flow_cache_destroy(struct flow_cache *fc);

static inline uint32_t
flow_cache_hash(const struct flow_key *k)
{
	return rte_hash_crc(k, sizeof(*k), 0);
}

static inline void
flow_cache_prefetch(const struct flow_cache *fc, uint32_t hash)
{
	const struct flow_cache_entry *set = fc->e[hash & (FLOW_CACHE_SETS - 1)];

	rte_prefetch0(&set[0]);
	rte_prefetch0(&set[1]);
	rte_prefetch0(&set[2]);
	rte_prefetch0(&set[3]);
}

/* The entry for k under pipeline generation gen, or NULL. */
static inline const struct flow_cache_entry *
flow_cache_find(struct flow_cache *fc, const struct flow_key *k, uint32_t hash, uint64_t gen)
{
	const struct flow_cache_entry *set = fc->e[hash & (FLOW_CACHE_SETS - 1)];

	for (unsigned int w = 0; w < FLOW_CACHE_WAYS; w++) {
		if (set[w].hash == hash && set[w].gen == gen && flow_key_equal(&set[w].key, k)) {
			fc->hits++;
			return &set[w];
		}
	}
	fc->misses++;
	return NULL;
}

/* Remembers that k hit hits[0..n-1] under generation gen; partial: see
 * struct flow_cache_entry. */
static inline void
flow_cache_insert(struct flow_cache *fc, const struct flow_key *k, uint32_t hash, uint64_t gen,
		  const struct flow_entry *const *hits, unsigned int n, bool partial)
{
	struct flow_cache_entry *set = fc->e[hash & (FLOW_CACHE_SETS - 1)];
	struct flow_cache_entry *e = NULL;

	for (unsigned int w = 0; w < FLOW_CACHE_WAYS && e == NULL; w++)
		if (set[w].gen != gen)
			e = &set[w];
	if (e == NULL)
		e = &set[fc->victim++ & (FLOW_CACHE_WAYS - 1)];
	e->key = *k;
	e->gen = gen;
	e->hash = hash;
	e->n_hits = (uint8_t)n;
	e->partial = partial;
	for (unsigned int i = 0; i < n; i++)
		e->hit[i] = hits[i];
}

#endif
