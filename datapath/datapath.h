/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_DATAPATH_H
#define VSWITCH_DATAPATH_DATAPATH_H

/*
 * The poll-mode engine: the mbuf pool, the PMD threads, the published
 * snapshot and the QSBR variable that guards it, the learn-event rings and
 * the per-thread counters.
 *
 * Every function here is for the control thread only (the one that created
 * the datapath); PMD threads see only struct pmd.
 */

#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "conntrack.h"
#include "dp_stats.h"
#include "flow_stats.h"
#include "forward.h"
#include "snapshot.h"

#define DATAPATH_LEARN_RING_SIZE 4096
#define DATAPATH_PUNT_RING_SIZE 1024

struct datapath_params {
	unsigned int n_pmds;
	unsigned int pmd_lcores[DP_MAX_PMDS];
	unsigned int n_mbufs; /* 0: a default that suits a few dozen ports */
	uint32_t ct_capacity; /* connections; 0: CT_CAPACITY_DEFAULT */
};

struct datapath;

/* Creates the pool, rings, counters and an empty snapshot; starts no thread.
 * NULL with errno (EINVAL, ENOMEM). */
struct datapath *datapath_create(const struct datapath_params *params);
/* Stops the PMD threads if running, then frees everything. */
void datapath_destroy(struct datapath *dp);

/* Launches one PMD thread per configured lcore. 0 or -errno. */
int datapath_start(struct datapath *dp);
void datapath_stop(struct datapath *dp);

struct rte_mempool *datapath_mempool(const struct datapath *dp);
struct rte_rcu_qsbr *datapath_qsbr(const struct datapath *dp);
/* The connection table of every bridge's ct() actions. */
struct conntrack *datapath_conntrack(const struct datapath *dp);
/* The per-rule counters: slots for rules, and their sums. */
struct flow_stats_pool *datapath_flow_stats(const struct datapath *dp);
unsigned int datapath_n_pmds(const struct datapath *dp);
unsigned int datapath_pmd_lcore(const struct datapath *dp, unsigned int pmd);

/* The snapshot PMD threads use now. Never modify it: build a new one. */
const struct snapshot *datapath_snapshot(const struct datapath *dp);

/* Makes snap current (taking ownership), waits until no PMD thread can still
 * see the previous one, and frees it. When it returns, nothing refers to a
 * port or table that snap no longer holds. */
void datapath_publish(struct datapath *dp, struct snapshot *snap);

/* Dequeues up to max learn events from all PMD threads' rings. */
unsigned int datapath_learn_dequeue(struct datapath *dp, struct learn_event *events,
				    unsigned int max);

/* Dequeues up to max frames the controller action sent (the caller owns
 * them: free each). */
unsigned int datapath_punt_dequeue(struct datapath *dp, struct dp_punt *out, unsigned int max);
/* Queues m for transmission on port_no by a PMD thread (dropped there if
 * the port is gone or down). 0, or -ENOBUFS: the caller still owns m. */
int datapath_inject(struct datapath *dp, uint16_t port_no, struct rte_mbuf *m);

/* Sums the counters of port_no over all PMD threads. */
void datapath_port_stats(const struct datapath *dp, uint16_t port_no, struct dp_port_stats *out);
/* Zeroes them, for a port number about to be reused. Only for a port absent
 * from the published snapshot (so no PMD thread writes them any more). */
void datapath_port_stats_clear(struct datapath *dp, uint16_t port_no);

#endif
