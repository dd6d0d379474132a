/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "datapath.h"
#include "pmd.h"

#define DEFAULT_MBUFS 32767
#define MBUF_CACHE 256

struct datapath {
	struct snapshot *snap; /* dp: acquire load, cp: release store */
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *qsbr;
	struct flow_stats_pool *flow_stats;
	struct conntrack *ct;
	struct rte_ring *punt_ring;   /* PMD threads -> control thread */
	struct rte_ring *inject_ring; /* control thread -> any PMD thread */
	unsigned int n_pmds;
	bool running;
	struct pmd pmds[DP_MAX_PMDS];
	rte_spinlock_t tx_locks[DP_MAX_PORTS]; /* for ports with fewer tx queues than PMDs */
};

static int
pmd_init(struct datapath *dp, unsigned int i, unsigned int lcore)
{
	struct pmd *pmd = &dp->pmds[i];
	int socket = (int)rte_lcore_to_socket_id(lcore);
	char name[RTE_RING_NAMESIZE];

	pmd->index = i;
	pmd->lcore = lcore;
	pmd->snap = &dp->snap;
	pmd->qsbr = dp->qsbr;
	pmd->inject_ring = dp->inject_ring;
	snprintf(name, sizeof(name), "learn%u", i);
	pmd->learn_ring = rte_ring_create_elem(name, sizeof(struct learn_event),
					       DATAPATH_LEARN_RING_SIZE, socket,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
	pmd->stats = rte_zmalloc_socket("pmd_stats", sizeof(struct dp_port_stats) * DP_MAX_PORTS,
					RTE_CACHE_LINE_SIZE, socket);
	if (pmd->learn_ring == NULL || pmd->stats == NULL)
		return -ENOMEM;
	pmd->fwd = fwd_ctx_create(&(struct fwd_ctx_params){
		.pmd = (uint16_t)i,
		.learn_ring = pmd->learn_ring,
		.stats = pmd->stats,
		.pool = dp->pool,
		.tx_locks = dp->tx_locks,
		.fstats = flow_stats_pool_pmd(dp->flow_stats, i),
		.ct = dp->ct,
		.punt_ring = dp->punt_ring,
		.socket_id = socket,
	});
	return pmd->fwd == NULL ? -ENOMEM : 0;
}

/* Frees the frames a ring still holds, then the ring. */
static void
drain_free(struct rte_ring *r)
{
	struct dp_punt p;

	if (r == NULL)
		return;
	while (rte_ring_dequeue_elem(r, &p, sizeof(p)) == 0)
		rte_pktmbuf_free(p.m);
	rte_ring_free(r);
}

struct datapath *
datapath_create(const struct datapath_params *params)
{
	struct datapath *dp;
	size_t qsz;

	if (params->n_pmds == 0 || params->n_pmds > DP_MAX_PMDS) {
		errno = EINVAL;
		return NULL;
	}
	dp = rte_zmalloc("datapath", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		goto nomem;
	dp->n_pmds = params->n_pmds;
	dp->pool = rte_pktmbuf_pool_create("mbufs", params->n_mbufs ? params->n_mbufs : DEFAULT_MBUFS,
					   MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	qsz = rte_rcu_qsbr_get_memsize(params->n_pmds);
	dp->qsbr = rte_zmalloc("qsbr", qsz, RTE_CACHE_LINE_SIZE);
	dp->snap = snapshot_create();
	dp->flow_stats = flow_stats_pool_create(params->n_pmds, (int)rte_socket_id());
	if (dp->pool == NULL || dp->qsbr == NULL || dp->snap == NULL || dp->flow_stats == NULL)
		goto nomem;
	rte_rcu_qsbr_init(dp->qsbr, params->n_pmds);
	dp->ct = conntrack_create(&(struct conntrack_params){
		.capacity = params->ct_capacity,
		.n_threads = params->n_pmds,
		.socket_id = (int)rte_socket_id(),
		.qsbr = dp->qsbr,
	});
	if (dp->ct == NULL)
		goto nomem;
	dp->punt_ring = rte_ring_create_elem("punt", sizeof(struct dp_punt), DATAPATH_PUNT_RING_SIZE,
					     (int)rte_socket_id(), RING_F_SC_DEQ);
	dp->inject_ring = rte_ring_create_elem("inject", sizeof(struct dp_punt),
					       DATAPATH_PUNT_RING_SIZE, (int)rte_socket_id(), 0);
	if (dp->punt_ring == NULL || dp->inject_ring == NULL)
		goto nomem;
	for (unsigned int i = 0; i < DP_MAX_PORTS; i++)
		rte_spinlock_init(&dp->tx_locks[i]);
	for (unsigned int i = 0; i < params->n_pmds; i++) {
		if (!rte_lcore_is_enabled(params->pmd_lcores[i]) ||
		    params->pmd_lcores[i] == rte_get_main_lcore()) {
			datapath_destroy(dp);
			errno = EINVAL;
			return NULL;
		}
		if (pmd_init(dp, i, params->pmd_lcores[i]) < 0)
			goto nomem;
	}
	return dp;
nomem:
	datapath_destroy(dp);
	errno = ENOMEM;
	return NULL;
}

void
datapath_destroy(struct datapath *dp)
{
	if (dp == NULL)
		return;
	datapath_stop(dp);
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		fwd_ctx_destroy(dp->pmds[i].fwd);
		rte_free(dp->pmds[i].stats);
		rte_ring_free(dp->pmds[i].learn_ring);
	}
	snapshot_destroy(dp->snap);
	flow_stats_pool_destroy(dp->flow_stats);
	conntrack_destroy(dp->ct);
	drain_free(dp->punt_ring);
	drain_free(dp->inject_ring);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

int
datapath_start(struct datapath *dp)
{
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		int rc = rte_eal_remote_launch(pmd_main, &dp->pmds[i], dp->pmds[i].lcore);

		if (rc < 0) {
			datapath_stop(dp);
			return rc;
		}
		dp->running = true;
	}
	return 0;
}

void
datapath_stop(struct datapath *dp)
{
	if (!dp->running)
		return;
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		__atomic_store_n(&dp->pmds[i].quit, true, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		rte_eal_wait_lcore(dp->pmds[i].lcore);
	dp->running = false;
}

struct rte_mempool *
datapath_mempool(const struct datapath *dp)
{
	return dp->pool;
}

struct flow_stats_pool *
datapath_flow_stats(const struct datapath *dp)
{
	return dp->flow_stats;
}

struct conntrack *
datapath_conntrack(const struct datapath *dp)
{
	return dp->ct;
}

struct rte_rcu_qsbr *
datapath_qsbr(const struct datapath *dp)
{
	return dp->qsbr;
}

unsigned int
datapath_n_pmds(const struct datapath *dp)
{
	return dp->n_pmds;
}

unsigned int
datapath_pmd_lcore(const struct datapath *dp, unsigned int pmd)
{
	return dp->pmds[pmd].lcore;
}

const struct snapshot *
datapath_snapshot(const struct datapath *dp)
{
	return dp->snap;
}

void
datapath_publish(struct datapath *dp, struct snapshot *snap)
{
	struct snapshot *old = dp->snap;

	snap->version = old->version + 1;
	__atomic_store_n(&dp->snap, snap, __ATOMIC_RELEASE);
	/* Threads that are not running (before start, after stop) are offline
	 * and do not hold this up. */
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
	snapshot_destroy(old);
}

unsigned int
datapath_learn_dequeue(struct datapath *dp, struct learn_event *events, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < dp->n_pmds && n < max; i++)
		n += rte_ring_sc_dequeue_burst_elem(dp->pmds[i].learn_ring, events + n,
						    sizeof(*events), max - n, NULL);
	return n;
}

unsigned int
datapath_punt_dequeue(struct datapath *dp, struct dp_punt *out, unsigned int max)
{
	return rte_ring_sc_dequeue_burst_elem(dp->punt_ring, out, sizeof(*out), max, NULL);
}

int
datapath_inject(struct datapath *dp, uint16_t port_no, struct rte_mbuf *m)
{
	struct dp_punt p = {.m = m, .port_no = port_no};

	return rte_ring_mp_enqueue_elem(dp->inject_ring, &p, sizeof(p)) == 0 ? 0 : -ENOBUFS;
}

void
datapath_port_stats(const struct datapath *dp, uint16_t port_no, struct dp_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (port_no >= DP_MAX_PORTS)
		return;
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		dp_port_stats_add(out, &dp->pmds[i].stats[port_no]);
}

void
datapath_port_stats_clear(struct datapath *dp, uint16_t port_no)
{
	if (port_no >= DP_MAX_PORTS)
		return;
	for (unsigned int i = 0; i < dp->n_pmds; i++)
		memset(&dp->pmds[i].stats[port_no], 0, sizeof(struct dp_port_stats));
}
