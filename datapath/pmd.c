/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "forward_priv.h"
#include "pmd.h"

#define CLOCK_LOOPS 1024

/* Frames the control thread sends (ARP answers and requests): whichever
 * PMD thread sees them first transmits them on its own queues. */
static void
pmd_inject(struct pmd *pmd, const struct snapshot *snap)
{
	struct dp_punt p[FWD_BURST];
	unsigned int n = rte_ring_mc_dequeue_burst_elem(pmd->inject_ring, p, sizeof(p[0]),
							FWD_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		const struct snap_port *sp = &snap->ports[p[i].port_no % DP_MAX_PORTS];

		if (p[i].port_no >= DP_MAX_PORTS || !sp->in_use || !sp->link_up) {
			rte_pktmbuf_free(p[i].m);
			continue;
		}
		txbuf_add(pmd->fwd, snap, p[i].port_no, p[i].m);
	}
	if (n > 0)
		fwd_flush(pmd->fwd, snap);
}

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

		/* MAC aging counts whole seconds, and rdtsc costs tens of cycles in a
		 * VM: read the clock every CLOCK_LOOPS loops (well under a second even
		 * when every loop forwards full bursts). */
		if (unlikely((pmd->loops & (CLOCK_LOOPS - 1)) == 0)) {
			uint64_t tsc = rte_rdtsc();

			if (tsc >= next_tick) {
				pmd->fwd->now = (uint32_t)(tsc / hz);
				next_tick = tsc + hz / 16;
			}
		}
		for (uint16_t q = 0; q < conf->n_rxq; q++) {
			const struct snap_rxq *rxq = &conf->rxq[q];
			uint16_t n = rte_eth_rx_burst(snap->ports[rxq->port_no].eth_port, rxq->queue,
						      pkts, FWD_BURST);

			/* Transmit before polling the next queue: frames waiting in a
			 * buffer add latency, and a VM's TCP window feels it. */
			if (n > 0) {
				fwd_burst(pmd->fwd, snap, rxq->port_no, pkts, n);
				fwd_flush(pmd->fwd, snap);
			}
		}
		if (unlikely(!rte_ring_empty(pmd->inject_ring)))
			pmd_inject(pmd, snap);
		pmd->loops++;
		rte_rcu_qsbr_quiescent(pmd->qsbr, pmd->index);
	}

	rte_rcu_qsbr_thread_offline(pmd->qsbr, pmd->index);
	rte_rcu_qsbr_thread_unregister(pmd->qsbr, pmd->index);
	return 0;
}
