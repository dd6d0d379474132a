/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "mb_common.h"
#include "mb_harness.h"

/* rte_eth_from_rings() binds the rings, but since DPDK 21.11 rte_eth_tx_burst() goes through
 * fast-path ops that only rte_eth_dev_start() installs, and start wants a configured device.
 * The ring PMD's queue setup only points the queue at the ring it was given. */
static int
start_ring_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, MB_RING_SIZE, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, MB_RING_SIZE, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

static int
setup_ports(struct mb_harness *h, const char *prefix)
{
	char name[RTE_RING_NAMESIZE];

	for (uint16_t p = 0; p < h->n_ports; p++) {
		int id;

		snprintf(name, sizeof(name), "%s_rx%u", prefix, p);
		h->rx[p] = rte_ring_create(name, MB_RING_SIZE, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "%s_tx%u", prefix, p);
		h->tx[p] = rte_ring_create(name, MB_RING_SIZE, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (h->rx[p] == NULL || h->tx[p] == NULL) {
			fprintf(stderr, "%s: rte_ring_create: %s\n", h->prog,
				rte_strerror(rte_errno));
			return -1;
		}
		snprintf(name, sizeof(name), "%s_port%u", prefix, p);
		id = rte_eth_from_rings(name, &h->rx[p], 1, &h->tx[p], 1, SOCKET_ID_ANY);
		if (id < 0) {
			fprintf(stderr, "%s: rte_eth_from_rings %s: %s\n", h->prog, name,
				rte_strerror(rte_errno));
			return -1;
		}
		h->eth_port[p] = (uint16_t)id;
		h->n_eth++;
		if (start_ring_port(h->eth_port[p], h->pool) < 0) {
			fprintf(stderr, "%s: cannot start ring port %s\n", h->prog, name);
			return -1;
		}
	}
	return 0;
}

static int
setup_fdb(struct mb_harness *h, const struct mb_harness_params *p)
{
	size_t qsize = rte_rcu_qsbr_get_memsize(1);
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "%s_qsbr", p->prefix);
	h->qsbr = rte_zmalloc(name, qsize, RTE_CACHE_LINE_SIZE);
	if (h->qsbr == NULL || rte_rcu_qsbr_init(h->qsbr, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(h->qsbr, 0) != 0) {
		fprintf(stderr, "%s: cannot set up the QSBR variable\n", h->prog);
		return -1;
	}
	rte_rcu_qsbr_thread_online(h->qsbr, 0);
	snprintf(name, sizeof(name), "%s_fdb", p->prefix);
	h->fdb = fdb_create(&(struct fdb_params){ .name = name,
						  .max_entries = p->fdb_entries,
						  .aging_sec = FDB_DEFAULT_AGING_SEC,
						  .socket_id = SOCKET_ID_ANY, .qsbr = h->qsbr });
	if (h->fdb == NULL) {
		fprintf(stderr, "%s: fdb_create: %s\n", h->prog, strerror(errno));
		return -1;
	}
	return 0;
}

static int
setup_snapshot(struct mb_harness *h)
{
	struct snap_bridge *br;

	h->snap = snapshot_create();
	if (h->snap == NULL) {
		fprintf(stderr, "%s: snapshot_create: %s\n", h->prog, strerror(errno));
		return -1;
	}
	br = &h->snap->bridges[0];
	br->in_use = true;
	br->fdb = h->fdb;
	br->vlan_uniform = true;
	br->min_mtu = 1500;
	for (uint16_t p = 0; p < h->n_ports; p++) {
		struct snap_port *sp = &h->snap->ports[p];

		sp->in_use = true;
		sp->link_up = true;
		sp->eth_port = h->eth_port[p];
		sp->bridge = 0;
		sp->n_txq = 1;
		sp->mtu = 1500;
		vlan_port_build(&sp->vlan, &h->vlan);
		br->flood[br->n_flood++] = p;
	}
	h->snap->version = 1;
	return 0;
}

int
mb_harness_init(struct mb_harness *h, const struct mb_harness_params *p)
{
	char name[RTE_MEMZONE_NAMESIZE];

	h->prog = p->prog;
	h->n_ports = p->n_ports;
	vlan_config_default(&h->vlan);
	snprintf(name, sizeof(name), "%s_pool", p->prefix);
	h->pool = rte_pktmbuf_pool_create(name, MB_POOL_SIZE, MB_POOL_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (h->pool == NULL) {
		fprintf(stderr, "%s: rte_pktmbuf_pool_create: %s\n", h->prog,
			rte_strerror(rte_errno));
		return -1;
	}
	if (setup_ports(h, p->prefix) < 0 || setup_fdb(h, p) < 0 || setup_snapshot(h) < 0)
		return -1;

	snprintf(name, sizeof(name), "%s_learn", p->prefix);
	h->learn_ring = rte_ring_create_elem(name, sizeof(struct learn_event), MB_RING_SIZE,
					     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	h->stats = aligned_alloc(RTE_CACHE_LINE_SIZE, DP_MAX_PORTS * sizeof(*h->stats));
	if (h->learn_ring == NULL || h->stats == NULL) {
		fprintf(stderr, "%s: cannot allocate the learn ring or stats\n", h->prog);
		return -1;
	}
	memset(h->stats, 0, DP_MAX_PORTS * sizeof(*h->stats));
	h->ctx = fwd_ctx_create(&(struct fwd_ctx_params){
		.pmd = 0,
		.learn_ring = h->learn_ring,
		.stats = h->stats,
		.pool = h->pool,
		.tx_locks = h->tx_locks,
		.socket_id = SOCKET_ID_ANY,
	});
	if (h->ctx == NULL) {
		fprintf(stderr, "%s: fwd_ctx_create: %s\n", h->prog, strerror(errno));
		return -1;
	}
	h->ctx->now = fdb_now();
	return 0;
}

void
mb_harness_fini(struct mb_harness *h)
{
	fwd_ctx_destroy(h->ctx);
	free(h->stats);
	rte_ring_free(h->learn_ring);
	snapshot_destroy(h->snap);
	fdb_destroy(h->fdb);
	for (uint16_t p = 0; p < h->n_ports; p++) {
		if (p < h->n_eth) {
			rte_eth_dev_stop(h->eth_port[p]);
			rte_eth_dev_close(h->eth_port[p]);
		}
		rte_ring_free(h->rx[p]);
		rte_ring_free(h->tx[p]);
	}
	rte_mempool_free(h->pool);
	rte_free(h->qsbr);
}

int
mb_harness_learn_stations(struct mb_harness *h, uint32_t hosts)
{
	uint32_t now = fdb_now();

	for (uint16_t p = 0; p < h->n_ports; p++) {
		for (uint32_t i = 0; i < hosts; i++) {
			struct fdb_key k = { .vlan = 0 };
			int ret;

			mb_mac_put(k.mac.addr_bytes, mb_station_mac(p, i));
			ret = fdb_learn(h->fdb, &k, p, now, NULL);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

void
mb_timing_round(struct mb_timing *t, unsigned int r, uint64_t c_tot, uint64_t c_ovh,
		uint64_t pkts, double cpu_s)
{
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();

	t->cpu_s += cpu_s;
	t->wall_s += (double)(c_ovh + c_tot) * ns_per_cycle * 1e-9;
	t->tot[r] = (double)c_tot * ns_per_cycle / (double)pkts;
	t->ovh[r] = (double)c_ovh * ns_per_cycle / (double)pkts;
}

void
mb_timing_medians(struct mb_timing *t, unsigned int rounds)
{
	t->tot_ns = mb_median(t->tot, rounds);
	t->ovh_ns = mb_median(t->ovh, rounds);
	t->pipe_ns = t->tot_ns - t->ovh_ns;
}

double
mb_timing_cpu(const struct mb_timing *t)
{
	return t->wall_s > 0 ? 100.0 * t->cpu_s / t->wall_s : 0;
}

void
mb_print_cpu_note(bool suspect)
{
	printf("# cpu%%: share of the timed loops' wall time this thread was on a CPU%s\n",
	       suspect ? "; * below " RTE_STR(MB_CPU_OK) "%: other processes took the core, the "
			 "line is suspect" : "");
}

#define CHECK(cond, ...) MB_CHECK(bad, h->prog, cond, __VA_ARGS__)

int
mb_harness_check(const struct mb_harness *h)
{
	int bad = 0;

	for (uint16_t p = 0; p < h->n_ports; p++)
		for (int r = 0; r < DP_DROP_MAX; r++)
			CHECK(h->stats[p].drops[r] == 0, "port %u drop %s = %" PRIu64, p,
			      dp_drop_name((enum dp_drop_reason)r), h->stats[p].drops[r]);
	CHECK(rte_mempool_avail_count(h->pool) == MB_POOL_SIZE, "%u of %u mbufs back in the pool",
	      rte_mempool_avail_count(h->pool), MB_POOL_SIZE);
	return bad;
}
