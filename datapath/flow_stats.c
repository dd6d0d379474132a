/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "flow_stats.h"
#include "snapshot.h"

struct flow_stats_pool {
	unsigned int n_pmds;
	int socket_id;
	unsigned int n_chunks;
	uint32_t n_free;
	uint32_t *free_slots; /* a stack of released slots, FLOW_STATS_MAX_SLOTS long */
	uint32_t next_new;    /* slots below this were handed out at least once */
	struct flow_stats *pmd[DP_MAX_PMDS];
};

struct flow_stats_pool *
flow_stats_pool_create(unsigned int n_pmds, int socket_id)
{
	struct flow_stats_pool *pool;

	if (n_pmds == 0 || n_pmds > DP_MAX_PMDS) {
		errno = EINVAL;
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->n_pmds = n_pmds;
	pool->socket_id = socket_id;
	pool->free_slots = malloc(sizeof(uint32_t) * FLOW_STATS_MAX_SLOTS);
	if (pool->free_slots == NULL)
		goto nomem;
	for (unsigned int i = 0; i < n_pmds; i++) {
		pool->pmd[i] = rte_zmalloc_socket("flow_stats", sizeof(struct flow_stats),
						  RTE_CACHE_LINE_SIZE, socket_id);
		if (pool->pmd[i] == NULL)
			goto nomem;
	}
	return pool;
nomem:
	flow_stats_pool_destroy(pool);
	errno = ENOMEM;
	return NULL;
}

void
flow_stats_pool_destroy(struct flow_stats_pool *pool)
{
	if (pool == NULL)
		return;
	for (unsigned int i = 0; i < pool->n_pmds; i++) {
		if (pool->pmd[i] == NULL)
			continue;
		for (unsigned int c = 0; c < pool->n_chunks; c++)
			rte_free(pool->pmd[i]->chunk[c]);
		rte_free(pool->pmd[i]);
	}
	free(pool->free_slots);
	free(pool);
}

struct flow_stats *
flow_stats_pool_pmd(struct flow_stats_pool *pool, unsigned int pmd)
{
	return pool->pmd[pmd];
}

/* Adds one chunk to every PMD thread's counters, all or none. */
static int
add_chunk(struct flow_stats_pool *pool)
{
	unsigned int c = pool->n_chunks;
	unsigned int i;

	if (c == FLOW_STATS_MAX_CHUNKS)
		return -ENOSPC;
	for (i = 0; i < pool->n_pmds; i++) {
		pool->pmd[i]->chunk[c] =
			rte_zmalloc_socket("flow_counters", sizeof(struct flow_counter) *
				FLOW_STATS_CHUNK, RTE_CACHE_LINE_SIZE, pool->socket_id);
		if (pool->pmd[i]->chunk[c] == NULL)
			break;
	}
	if (i < pool->n_pmds) {
		while (i-- > 0) {
			rte_free(pool->pmd[i]->chunk[c]);
			pool->pmd[i]->chunk[c] = NULL;
		}
		return -ENOMEM;
	}
	pool->n_chunks++;
	return 0;
}

int64_t
flow_stats_pool_alloc(struct flow_stats_pool *pool)
{
	if (pool->n_free > 0)
		return pool->free_slots[--pool->n_free];
	if (pool->next_new == pool->n_chunks * FLOW_STATS_CHUNK) {
		int rc = add_chunk(pool);

		if (rc < 0)
			return rc;
	}
	return pool->next_new++;
}

void
flow_stats_pool_release(struct flow_stats_pool *pool, uint32_t slot)
{
	unsigned int c = slot >> FLOW_STATS_CHUNK_SHIFT, k = slot & (FLOW_STATS_CHUNK - 1);

	/* Zeroed now, not at the next alloc: no PMD thread writes it any more. */
	for (unsigned int i = 0; i < pool->n_pmds; i++)
		memset(&pool->pmd[i]->chunk[c][k], 0, sizeof(struct flow_counter));
	pool->free_slots[pool->n_free++] = slot;
}

void
flow_stats_pool_read(const struct flow_stats_pool *pool, uint32_t slot, struct flow_counter *out)
{
	unsigned int c = slot >> FLOW_STATS_CHUNK_SHIFT, k = slot & (FLOW_STATS_CHUNK - 1);

	out->packets = 0;
	out->bytes = 0;
	for (unsigned int i = 0; i < pool->n_pmds; i++) {
		/* A torn read of a counter another core is adding to cannot
		 * happen on a 64-bit target; a stale one is fine. */
		out->packets += __atomic_load_n(&pool->pmd[i]->chunk[c][k].packets,
						__ATOMIC_RELAXED);
		out->bytes += __atomic_load_n(&pool->pmd[i]->chunk[c][k].bytes, __ATOMIC_RELAXED);
	}
}

size_t
flow_stats_pool_memory(const struct flow_stats_pool *pool)
{
	return (size_t)pool->n_pmds *
	       (sizeof(struct flow_stats) +
		(size_t)pool->n_chunks * FLOW_STATS_CHUNK * sizeof(struct flow_counter));
}
