/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * microbench_fwd: a single-process yardstick for the forwarding pipeline.
 *
 * Synthetic bursts of 32 64-byte frames go through the real fwd_burst() and
 * fwd_flush() into ring-backed ethdev ports; the frames are then taken off the
 * tx rings and freed. The same loop with the pipeline replaced by a plain free
 * of the burst measures the harness, so
 *   pipeline_ns_per_packet = ns_per_packet - overhead_ns_per_packet.
 * Rounds of both loops alternate and each figure is the median over rounds, so
 * a burst of noise on the machine hits one round of each rather than one loop.
 *
 * Under callgrind, collect only inside fwd_burst/fwd_flush: the program prints
 * pipeline_packets, the number of frames those functions saw (warm-up
 * included), to divide the collected instruction count by.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "datapath/dp_stats.h"
#include "datapath/fdb.h"
#include "datapath/forward.h"
#include "datapath/snapshot.h"

#define MB_FRAME_LEN 64
#define MB_ETHERTYPE 0x88b5 /* IEEE local experimental: the payload means nothing */
#define MB_MAX_PORTS 4
#define MB_POOL_SIZE 4095
#define MB_POOL_CACHE 256
#define MB_TX_RING_SIZE 1024
#define MB_LEARN_RING_SIZE 1024
#define MB_DEFAULT_PACKETS 2000000
#define MB_DEFAULT_ROUNDS 5
#define MB_DEFAULT_MACS 10000
#define MB_MAX_MACS (1u << 20)

/* Station MACs are 02:00:00:pp:ii:ii:ii in spirit: locally administered unicast, the port in
 * bits 24..31 and a host index below it. Learn-miss sources use the 06: prefix and a counter,
 * so they never repeat and never collide with a station. */
#define MB_MAC_STATION UINT64_C(0x020000000000)
#define MB_MAC_FRESH UINT64_C(0x060000000000)
#define MB_MAC_BCAST UINT64_C(0xffffffffffff)

enum mb_scenario { MB_UNICAST, MB_FLOOD, MB_LEARN_MISS, MB_MACS };

static const struct {
	const char *name;
	uint16_t n_ports;
	const char *what;
} mb_scenarios[] = {
	[MB_UNICAST] = { "unicast", 2, "known unicast between 2 ports, both ways" },
	[MB_FLOOD] = { "flood", 4, "broadcast on 4 ports: each frame goes to the 3 others" },
	[MB_LEARN_MISS] = { "learn-miss", 2, "a never-seen source on every frame; the learn "
					      "queue is drained and applied outside the timing" },
	[MB_MACS] = { "macs", 2, "unicast between 2 ports over --macs N learned stations, "
				 "random pairs" },
};

struct mb_opts {
	enum mb_scenario scenario;
	uint64_t packets; /* measured, over all rounds */
	uint64_t warmup;
	unsigned rounds;
	uint32_t macs;
	unsigned lcore;
};

struct mb_bench {
	struct mb_opts opt;
	uint16_t n_ports;
	uint32_t hosts_per_port;

	struct rte_mempool *pool;
	struct rte_ring *rx[MB_MAX_PORTS];
	struct rte_ring *tx[MB_MAX_PORTS];
	uint16_t eth_port[MB_MAX_PORTS];
	uint16_t n_eth; /* ports created, for teardown */
	struct rte_ring *learn_ring;
	struct rte_rcu_qsbr *qsbr;
	struct fdb *fdb;
	struct snapshot *snap;
	struct dp_port_stats *stats;
	struct fwd_ctx *ctx;
	struct vlan_config vlan; /* every port's: the default trunk of all VLANs */
	rte_spinlock_t tx_locks[DP_MAX_PORTS];

	/* Frame generator state, advanced by both loops alike. */
	uint64_t iter;
	uint32_t rng;
	uint64_t next_fresh;

	/* Accounting for the sanity check. */
	uint64_t sent[MB_MAX_PORTS];    /* frames given to fwd_burst, by input port */
	uint64_t drained[MB_MAX_PORTS]; /* frames taken off each tx ring */
	uint64_t learn_events;
	uint64_t learn_flushes;
	uint64_t control_tsc; /* time spent applying learn events: subtracted from the loop */
	int learn_error;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: microbench_fwd [--scenario NAME] [--packets N] [--warmup N] "
		   "[--rounds R] [--macs N] [--lcore C]\n"
		   "  --scenario  one of:\n");
	for (size_t i = 0; i < RTE_DIM(mb_scenarios); i++)
		fprintf(f, "      %-11s %s\n", mb_scenarios[i].name, mb_scenarios[i].what);
	fprintf(f, "  --packets   measured packets over all rounds (default %d)\n"
		   "  --warmup    packets through the pipeline before measuring (default packets/10)\n"
		   "  --rounds    alternating overhead/pipeline rounds, medians reported (default %d)\n"
		   "  --macs      stations for the macs scenario, 2..%u (default %d)\n"
		   "  --lcore     core to run on (default 0)\n",
		MB_DEFAULT_PACKETS, MB_DEFAULT_ROUNDS, MB_MAX_MACS, MB_DEFAULT_MACS);
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "microbench_fwd: %s: bad value \"%s\"; expected an integer "
				"%" PRIu64 "..%" PRIu64 "\n", opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
parse_scenario(const char *s, enum mb_scenario *out)
{
	for (size_t i = 0; i < RTE_DIM(mb_scenarios); i++) {
		if (strcmp(s, mb_scenarios[i].name) == 0) {
			*out = (enum mb_scenario)i;
			return 0;
		}
	}
	fprintf(stderr, "microbench_fwd: --scenario: unknown scenario \"%s\"; expected one of "
			"unicast, flood, learn-miss, macs\n", s);
	return -EINVAL;
}

/* Returns 0, 1 when --help was asked for, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct mb_opts *o)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "packets", required_argument, NULL, 'p' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "macs", required_argument, NULL, 'm' },
		{ "lcore", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool warmup_set = false;
	uint64_t v;
	int c;

	*o = (struct mb_opts){ .scenario = MB_UNICAST, .packets = MB_DEFAULT_PACKETS,
			       .rounds = MB_DEFAULT_ROUNDS, .macs = MB_DEFAULT_MACS };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int ret = 0;

		switch (c) {
		case 's':
			ret = parse_scenario(optarg, &o->scenario);
			break;
		case 'p':
			ret = parse_u64("--packets", optarg, FWD_BURST, UINT64_C(1) << 40,
					&o->packets);
			break;
		case 'w':
			ret = parse_u64("--warmup", optarg, 0, UINT64_C(1) << 40, &o->warmup);
			warmup_set = true;
			break;
		case 'r':
			ret = parse_u64("--rounds", optarg, 1, 1000, &v);
			o->rounds = (unsigned)v;
			break;
		case 'm':
			ret = parse_u64("--macs", optarg, 2, MB_MAX_MACS, &v);
			o->macs = (uint32_t)v;
			break;
		case 'l':
			ret = parse_u64("--lcore", optarg, 0, RTE_MAX_LCORE - 1, &v);
			o->lcore = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
	if (optind != argc) {
		fprintf(stderr, "microbench_fwd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	if (!warmup_set)
		o->warmup = o->packets / 10;
	return 0;
}

static int
eal_init(unsigned lcore)
{
	char lcore_arg[16];
	char *args[] = {
		"microbench_fwd", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
		"-l", lcore_arg, "--no-telemetry", "--log-level=lib.eal:error",
	};

	snprintf(lcore_arg, sizeof(lcore_arg), "%u", lcore);
	if (rte_eal_init((int)RTE_DIM(args), args) < 0) {
		fprintf(stderr, "microbench_fwd: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static inline uint64_t
station_mac(uint16_t port, uint32_t host)
{
	return MB_MAC_STATION | ((uint64_t)port << 24) | host;
}

static inline void
mac_put(uint8_t *p, uint64_t mac)
{
	uint64_t be = rte_cpu_to_be_64(mac << 16);

	memcpy(p, &be, RTE_ETHER_ADDR_LEN);
}

static struct fdb_key
station_key(uint64_t mac)
{
	struct fdb_key k = { .vlan = 0 };

	mac_put(k.mac.addr_bytes, mac);
	return k;
}

/* rte_mempool_obj_iter callback: writes the frame template once, so that the loop only has to
 * set the lengths and the MAC addresses. alloc and free leave the data in place. */
static void
init_frame(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct rte_mbuf *m = obj;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t et = rte_cpu_to_be_16(MB_ETHERTYPE);

	memset(p, 0, MB_FRAME_LEN);
	mac_put(p, MB_MAC_BCAST);
	mac_put(p + RTE_ETHER_ADDR_LEN, station_mac(0, 0));
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, &et, sizeof(et));
	for (unsigned i = RTE_ETHER_HDR_LEN; i < MB_FRAME_LEN; i++)
		p[i] = (uint8_t)(i + idx);
}

/* A cheap generator for the macs scenario; xorshift32, never 0. */
static inline uint32_t
rng_next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* Uniform in [0, n) without a division. */
static inline uint32_t
rng_below(uint32_t *s, uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_next(s) * n) >> 32);
}

/* Sets lengths and addresses of a freshly allocated burst received on in_port. */
static inline void
fill_burst(struct mb_bench *b, struct rte_mbuf **pkts, uint16_t in_port)
{
	uint16_t out_port = (uint16_t)(1 - in_port); /* the 2-port scenarios */

	for (unsigned i = 0; i < FWD_BURST; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		uint64_t dst, src;

		m->data_len = MB_FRAME_LEN;
		m->pkt_len = MB_FRAME_LEN;
		switch (b->opt.scenario) {
		case MB_UNICAST:
			dst = station_mac(out_port, 0);
			src = station_mac(in_port, 0);
			break;
		case MB_FLOOD:
			dst = MB_MAC_BCAST;
			src = station_mac(in_port, 0);
			break;
		case MB_LEARN_MISS:
			dst = station_mac(out_port, 0);
			src = MB_MAC_FRESH | b->next_fresh++;
			break;
		case MB_MACS:
		default:
			dst = station_mac(out_port, rng_below(&b->rng, b->hosts_per_port));
			src = station_mac(in_port, rng_below(&b->rng, b->hosts_per_port));
			break;
		}
		mac_put(p, dst);
		mac_put(p + RTE_ETHER_ADDR_LEN, src);
	}
}

static inline void
drain_tx(struct mb_bench *b)
{
	struct rte_mbuf *out[2 * FWD_BURST];

	for (uint16_t p = 0; p < b->n_ports; p++) {
		unsigned n;

		while ((n = rte_ring_dequeue_burst(b->tx[p], (void **)out, RTE_DIM(out), NULL)) >
		       0) {
			b->drained[p] += n;
			rte_pktmbuf_free_bulk(out, n);
		}
	}
}

static int
learn_stations(struct mb_bench *b, uint32_t hosts)
{
	uint32_t now = fdb_now();

	for (uint16_t p = 0; p < b->n_ports; p++) {
		for (uint32_t h = 0; h < hosts; h++) {
			struct fdb_key k = station_key(station_mac(p, h));
			int ret = fdb_learn(b->fdb, &k, p, now, NULL);

			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* What the control thread does with the learn queue. Runs between bursts, timed apart. When
 * the table fills up it is flushed and the stations the traffic is sent to are learned again,
 * so the sources keep missing and the destinations keep hitting. */
static void
apply_learn(struct mb_bench *b)
{
	struct learn_event ev[2 * FWD_BURST];
	uint32_t now = b->ctx->now;
	unsigned n;

	while ((n = rte_ring_sc_dequeue_burst_elem(b->learn_ring, ev, sizeof(ev[0]), RTE_DIM(ev),
						   NULL)) > 0) {
		b->learn_events += n;
		for (unsigned i = 0; i < n; i++) {
			int ret = fdb_learn(b->fdb, &ev[i].key, ev[i].port_no, now, NULL);

			if (ret == -ENOSPC) {
				fdb_flush(b->fdb);
				b->learn_flushes++;
				ret = learn_stations(b, 1);
				if (ret >= 0)
					ret = fdb_learn(b->fdb, &ev[i].key, ev[i].port_no, now,
							NULL);
			}
			if (ret < 0 && b->learn_error == 0)
				b->learn_error = ret;
		}
	}
}

/*
 * The measured loop, for iters bursts; returns TSC cycles. pipeline selects the real
 * fwd_burst()/fwd_flush() or the harness alone (the burst is freed at once). Everything
 * else, allocation, frame writing, tx ring draining and the quiescent report, is common.
 */
static uint64_t
run_loop(struct mb_bench *b, uint64_t iters, bool pipeline)
{
	struct rte_mbuf *pkts[FWD_BURST];
	bool learn = b->opt.scenario == MB_LEARN_MISS;
	uint64_t ctl_before = b->control_tsc;
	uint64_t start = rte_rdtsc();

	for (uint64_t i = 0; i < iters; i++) {
		uint16_t in_port = (uint16_t)(b->iter++ % b->n_ports);

		if (unlikely(rte_pktmbuf_alloc_bulk(b->pool, pkts, FWD_BURST) != 0))
			return UINT64_MAX;
		fill_burst(b, pkts, in_port);
		if (pipeline) {
			fwd_burst(b->ctx, b->snap, in_port, pkts, FWD_BURST);
			fwd_flush(b->ctx, b->snap);
			b->sent[in_port] += FWD_BURST;
		} else {
			rte_pktmbuf_free_bulk(pkts, FWD_BURST);
		}
		drain_tx(b);
		if (learn && pipeline) {
			uint64_t t = rte_rdtsc();

			apply_learn(b);
			b->control_tsc += rte_rdtsc() - t;
		}
		rte_rcu_qsbr_quiescent(b->qsbr, 0);
	}
	return rte_rdtsc() - start - (b->control_tsc - ctl_before);
}

/* rte_eth_from_rings() binds the rings, but since DPDK 21.11 rte_eth_tx_burst() goes through
 * fast-path ops that only rte_eth_dev_start() installs, and start wants a configured device.
 * The ring PMD's queue setup only points the queue at the ring it was given. */
static int
start_ring_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, MB_TX_RING_SIZE, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, MB_TX_RING_SIZE, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

static int
setup_ports(struct mb_bench *b)
{
	char name[RTE_RING_NAMESIZE];

	for (uint16_t p = 0; p < b->n_ports; p++) {
		int id;

		snprintf(name, sizeof(name), "mb_rx%u", p);
		b->rx[p] = rte_ring_create(name, MB_TX_RING_SIZE, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "mb_tx%u", p);
		b->tx[p] = rte_ring_create(name, MB_TX_RING_SIZE, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (b->rx[p] == NULL || b->tx[p] == NULL) {
			fprintf(stderr, "microbench_fwd: rte_ring_create: %s\n",
				rte_strerror(rte_errno));
			return -1;
		}
		snprintf(name, sizeof(name), "mb_port%u", p);
		id = rte_eth_from_rings(name, &b->rx[p], 1, &b->tx[p], 1, SOCKET_ID_ANY);
		if (id < 0) {
			fprintf(stderr, "microbench_fwd: rte_eth_from_rings %s: %s\n", name,
				rte_strerror(rte_errno));
			return -1;
		}
		b->eth_port[p] = (uint16_t)id;
		b->n_eth++;
		if (start_ring_port(b->eth_port[p], b->pool) < 0) {
			fprintf(stderr, "microbench_fwd: cannot start ring port %s\n", name);
			return -1;
		}
	}
	return 0;
}

static int
setup_snapshot(struct mb_bench *b)
{
	struct snap_bridge *br;

	b->snap = snapshot_create();
	if (b->snap == NULL) {
		fprintf(stderr, "microbench_fwd: snapshot_create: %s\n", strerror(errno));
		return -1;
	}
	br = &b->snap->bridges[0];
	br->in_use = true;
	br->fdb = b->fdb;
	br->vlan_uniform = true;
	br->min_mtu = 1500;
	for (uint16_t p = 0; p < b->n_ports; p++) {
		struct snap_port *sp = &b->snap->ports[p];

		sp->in_use = true;
		sp->link_up = true;
		sp->eth_port = b->eth_port[p];
		sp->bridge = 0;
		sp->n_txq = 1;
		sp->mtu = 1500;
		vlan_port_build(&sp->vlan, &b->vlan);
		br->flood[br->n_flood++] = p;
	}
	b->snap->version = 1;
	return 0;
}

static int
setup_fdb(struct mb_bench *b)
{
	size_t qsize = rte_rcu_qsbr_get_memsize(1);
	uint32_t max = FDB_DEFAULT_ENTRIES;
	struct fdb_params fp;
	int ret;

	b->qsbr = rte_zmalloc("mb_qsbr", qsize, RTE_CACHE_LINE_SIZE);
	if (b->qsbr == NULL || rte_rcu_qsbr_init(b->qsbr, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(b->qsbr, 0) != 0) {
		fprintf(stderr, "microbench_fwd: cannot set up the QSBR variable\n");
		return -1;
	}
	rte_rcu_qsbr_thread_online(b->qsbr, 0);

	if (b->opt.scenario == MB_MACS)
		max = RTE_MAX(b->opt.macs, 64u);
	fp = (struct fdb_params){ .name = "mb_fdb", .max_entries = max,
				  .aging_sec = FDB_DEFAULT_AGING_SEC, .socket_id = SOCKET_ID_ANY,
				  .qsbr = b->qsbr };
	b->fdb = fdb_create(&fp);
	if (b->fdb == NULL) {
		fprintf(stderr, "microbench_fwd: fdb_create: %s\n", strerror(errno));
		return -1;
	}
	ret = learn_stations(b, b->hosts_per_port);
	if (ret < 0) {
		fprintf(stderr, "microbench_fwd: fdb_learn: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

static int
setup(struct mb_bench *b)
{
	b->n_ports = mb_scenarios[b->opt.scenario].n_ports;
	b->hosts_per_port = b->opt.scenario == MB_MACS ? b->opt.macs / b->n_ports : 1;
	b->rng = 0x9e3779b9u;
	vlan_config_default(&b->vlan);

	b->pool = rte_pktmbuf_pool_create("mb_pool", MB_POOL_SIZE, MB_POOL_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (b->pool == NULL) {
		fprintf(stderr, "microbench_fwd: rte_pktmbuf_pool_create: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	rte_mempool_obj_iter(b->pool, init_frame, NULL);

	if (setup_ports(b) < 0 || setup_fdb(b) < 0 || setup_snapshot(b) < 0)
		return -1;

	b->learn_ring = rte_ring_create_elem("mb_learn", sizeof(struct learn_event),
					     MB_LEARN_RING_SIZE, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	b->stats = aligned_alloc(RTE_CACHE_LINE_SIZE, DP_MAX_PORTS * sizeof(*b->stats));
	if (b->learn_ring == NULL || b->stats == NULL) {
		fprintf(stderr, "microbench_fwd: cannot allocate the learn ring or stats\n");
		return -1;
	}
	memset(b->stats, 0, DP_MAX_PORTS * sizeof(*b->stats));
	b->ctx = fwd_ctx_create(&(struct fwd_ctx_params){
		.pmd = 0,
		.learn_ring = b->learn_ring,
		.stats = b->stats,
		.pool = b->pool,
		.tx_locks = b->tx_locks,
		.socket_id = SOCKET_ID_ANY,
	});
	if (b->ctx == NULL) {
		fprintf(stderr, "microbench_fwd: fwd_ctx_create: %s\n", strerror(errno));
		return -1;
	}
	b->ctx->now = fdb_now();
	return 0;
}

static void
teardown(struct mb_bench *b)
{
	fwd_ctx_destroy(b->ctx);
	free(b->stats);
	rte_ring_free(b->learn_ring);
	snapshot_destroy(b->snap);
	fdb_destroy(b->fdb);
	for (uint16_t p = 0; p < b->n_ports; p++) {
		if (p < b->n_eth) {
			rte_eth_dev_stop(b->eth_port[p]);
			rte_eth_dev_close(b->eth_port[p]);
		}
		rte_ring_free(b->rx[p]);
		rte_ring_free(b->tx[p]);
	}
	rte_mempool_free(b->pool);
	rte_free(b->qsbr);
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "microbench_fwd: check failed: " __VA_ARGS__);             \
			fputc('\n', stderr);                                                       \
			bad++;                                                                     \
		}                                                                                  \
	} while (0)

/* Every frame sent must have come out of every other port (2 ports: the other one; flood: the
 * other 3), nothing may be dropped, and no mbuf may leak. Returns the number of failures. */
static int
check_results(const struct mb_bench *b)
{
	uint64_t total = 0;
	int bad = 0;

	for (uint16_t p = 0; p < b->n_ports; p++)
		total += b->sent[p];
	for (uint16_t p = 0; p < b->n_ports; p++) {
		const struct dp_port_stats *st = &b->stats[p];
		uint64_t want_tx = total - b->sent[p];

		CHECK(st->rx_packets == b->sent[p], "port %u rx_packets %" PRIu64 ", sent %" PRIu64,
		      p, st->rx_packets, b->sent[p]);
		CHECK(st->tx_packets == want_tx, "port %u tx_packets %" PRIu64 ", expected %" PRIu64,
		      p, st->tx_packets, want_tx);
		CHECK(b->drained[p] == want_tx, "port %u tx ring gave %" PRIu64 ", expected %" PRIu64,
		      p, b->drained[p], want_tx);
		CHECK(st->tx_bytes == want_tx * MB_FRAME_LEN, "port %u tx_bytes %" PRIu64, p,
		      st->tx_bytes);
		for (int r = 0; r < DP_DROP_MAX; r++)
			CHECK(st->drops[r] == 0, "port %u drop %s = %" PRIu64, p,
			      dp_drop_name((enum dp_drop_reason)r), st->drops[r]);
	}
	if (b->opt.scenario == MB_LEARN_MISS) {
		CHECK(b->learn_events == total, "learn events %" PRIu64 ", expected one per frame %"
		      PRIu64, b->learn_events, total);
		CHECK(b->learn_error == 0, "fdb_learn failed: %s", strerror(-b->learn_error));
	} else {
		CHECK(rte_ring_count(b->learn_ring) == 0,
		      "%u learn events queued for stations that were all learned",
		      rte_ring_count(b->learn_ring));
	}
	CHECK(rte_mempool_avail_count(b->pool) == MB_POOL_SIZE, "%u of %u mbufs back in the pool",
	      rte_mempool_avail_count(b->pool), MB_POOL_SIZE);
	return bad;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
run(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	uint64_t iters = (o->packets / o->rounds + FWD_BURST - 1) / FWD_BURST;
	uint64_t warm = (o->warmup + FWD_BURST - 1) / FWD_BURST;
	double hz = (double)rte_get_tsc_hz();
	double *tot, *ovh;
	double ns_tot, ns_ovh;
	int bad;

	tot = calloc(o->rounds, sizeof(*tot));
	ovh = calloc(o->rounds, sizeof(*ovh));
	if (tot == NULL || ovh == NULL) {
		free(tot);
		free(ovh);
		fprintf(stderr, "microbench_fwd: out of memory\n");
		return -1;
	}
	if (iters == 0)
		iters = 1;
	run_loop(b, warm, true);
	run_loop(b, warm / 4 + 1, false);
	for (unsigned r = 0; r < o->rounds; r++) {
		uint64_t c_ovh = run_loop(b, iters, false);
		uint64_t c_tot = run_loop(b, iters, true);

		if (c_ovh == UINT64_MAX || c_tot == UINT64_MAX) {
			fprintf(stderr, "microbench_fwd: the mbuf pool ran dry\n");
			free(tot);
			free(ovh);
			return -1;
		}
		ovh[r] = (double)c_ovh * 1e9 / hz / (double)(iters * FWD_BURST);
		tot[r] = (double)c_tot * 1e9 / hz / (double)(iters * FWD_BURST);
	}
	ns_tot = median(tot, o->rounds);
	ns_ovh = median(ovh, o->rounds);
	free(tot);
	free(ovh);

	bad = check_results(b);
	printf("scenario=%s packets=%" PRIu64 " rounds=%u ns_per_packet=%.2f mpps=%.2f "
	       "overhead_ns_per_packet=%.2f pipeline_ns_per_packet=%.2f pipeline_mpps=%.2f "
	       "pipeline_packets=%" PRIu64 " tsc_hz=%.0f",
	       mb_scenarios[o->scenario].name, iters * FWD_BURST * o->rounds, o->rounds, ns_tot,
	       1e3 / ns_tot, ns_ovh, ns_tot - ns_ovh,
	       ns_tot > ns_ovh ? 1e3 / (ns_tot - ns_ovh) : 0.0,
	       b->sent[0] + b->sent[1] + b->sent[2] + b->sent[3], hz);
	if (o->scenario == MB_MACS)
		printf(" macs=%u", b->hosts_per_port * b->n_ports);
	if (o->scenario == MB_LEARN_MISS)
		printf(" learn_events=%" PRIu64 " fdb_flushes=%" PRIu64 " control_ns_per_packet=%.2f",
		       b->learn_events, b->learn_flushes,
		       (double)b->control_tsc * 1e9 / hz / (double)(b->sent[0] + b->sent[1]));
	printf(" check=%s\n", bad ? "FAILED" : "ok");
	return bad ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct mb_bench b;
	int ret;

	memset(&b, 0, sizeof(b));
	ret = parse_args(argc, argv, &b.opt);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (eal_init(b.opt.lcore) < 0)
		return 1;
	ret = setup(&b);
	if (ret == 0)
		ret = run(&b);
	teardown(&b);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
