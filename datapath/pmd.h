/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_PMD_H
#define VSWITCH_DATAPATH_PMD_H

/*
 * A PMD thread: busy-polls the rx queues its snapshot entry assigns it and
 * runs each burst through the forwarding pipeline. It takes no lock: it loads
 * the snapshot once per poll loop and reports a quiescent state at the end of
 * the loop, after transmitting everything it buffered.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_stats.h"
#include "forward.h"
#include "snapshot.h"

struct pmd {
	unsigned int index;                 /* thread id on the QSBR variable */
	unsigned int lcore;
	struct snapshot *const *snap;       /* dp: acquire load per loop, cp: release store */
	struct rte_rcu_qsbr *qsbr;
	struct rte_ring *learn_ring;        /* dp: single producer, cp: single consumer */
	struct rte_ring *inject_ring;       /* shared: frames the control thread sends */
	struct dp_port_stats *stats;        /* [DP_MAX_PORTS]; dp: rw, cp: ro (summing) */
	struct fwd_ctx *fwd;
	bool quit;                          /* dp: ro, cp: set once to stop the thread */
	uint64_t loops;                     /* dp: rw, cp: ro; paces clock reads, shows progress */
} __rte_cache_aligned;

/* lcore entry point (rte_eal_remote_launch); arg is a struct pmd. */
int pmd_main(void *arg);

#endif
