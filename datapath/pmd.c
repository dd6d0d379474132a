/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pmd.h"

int
pmd_main(void *arg)
{
	struct pmd *pmd = arg;
	struct rte_mbuf *pkts[FWD_BURST];
	uint64_t hz = rte_get_tsc_hz();
	uint64_t next_tick = 0;

	rte_rcu_qsbr_thread_register(pmd->qsbr, pmd->index);
	rte_rcu_qsbr_thread_online(pmd->qsbr, pmd->index);

	/* The poll loop: one snapshot per iteration, quiescent at its end. */
	while (!__atomic_load_n(&pmd->quit, __ATOMIC_RELAXED)) {
		const struct snapshot *snap = __atomic_load_n(pmd->snap, __ATOMIC_ACQUIRE);
		const struct snap_pmd *conf = &snap->pmds[pmd->index];
		uint64_t tsc = rte_rdtsc();

		/* The clock of MAC aging has a resolution of one second: divide once a second. */
		if (unlikely(tsc >= next_tick)) {
			pmd->fwd->now = (uint32_t)(tsc / hz);
			next_tick = tsc + hz / 16;
		}
		for (uint16_t q = 0; q < conf->n_rxq; q++) {
			const struct snap_rxq *rxq = &conf->rxq[q];
			uint16_t n = rte_eth_rx_burst(snap->ports[rxq->port_no].eth_port, rxq->queue,
						      pkts, FWD_BURST);

			if (n > 0)
				fwd_burst(pmd->fwd, snap, rxq->port_no, pkts, n);
		}
		fwd_flush(pmd->fwd, snap);
		pmd->loops++;
		rte_rcu_qsbr_quiescent(pmd->qsbr, pmd->index);
	}

	rte_rcu_qsbr_thread_offline(pmd->qsbr, pmd->index);
	rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->index);
	return 0;
}
