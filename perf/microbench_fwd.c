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
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "datapath/dp_stats.h"
#include "datapath/fdb.h"
#include "datapath/forward.h"
#include "mb_common.h"
#include "mb_harness.h"

#define MB_PROG "microbench_fwd"
#define MB_FRAME_LEN 64
#define MB_ETHERTYPE 0x88b5 /* IEEE local experimental: the payload means nothing */
#define MB_DEFAULT_PACKETS 2000000
#define MB_DEFAULT_ROUNDS 5
#define MB_DEFAULT_MACS 10000
#define MB_MAX_MACS (1u << 20)
#define MB_WARMUP_UNSET UINT64_MAX /* no --warmup: packets/10 */

/* Stations' MACs are mb_station_mac()'s. Learn-miss sources use the 06: prefix and a counter,
 * so they never repeat and never collide with a station. */
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
	struct mb_harness h;
	uint32_t hosts_per_port;

	/* Frame generator state, advanced by both loops alike. */
	uint64_t iter;
	uint32_t rng;
	uint64_t next_fresh;

	/* Accounting for the sanity check. */
	uint64_t sent[MB_MAX_PORTS]; /* frames given to fwd_burst, by input port */
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
parse_scenario(const char *s, void *dst)
{
	enum mb_scenario *out = dst;

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
	const struct mb_opt opts[] = {
		MB_FUNC_OPT("scenario", &o->scenario, parse_scenario),
		MB_U64_OPT("packets", &o->packets, FWD_BURST, UINT64_C(1) << 40),
		MB_U64_OPT("warmup", &o->warmup, 0, UINT64_C(1) << 40),
		MB_U32_OPT("rounds", &o->rounds, 1, 1000),
		MB_U32_OPT("macs", &o->macs, 2, MB_MAX_MACS),
		MB_U32_OPT("lcore", &o->lcore, 0, RTE_MAX_LCORE - 1),
	};
	int ret;

	*o = (struct mb_opts){ .scenario = MB_UNICAST, .packets = MB_DEFAULT_PACKETS,
			       .warmup = MB_WARMUP_UNSET, .rounds = MB_DEFAULT_ROUNDS,
			       .macs = MB_DEFAULT_MACS };
	ret = mb_parse_args(MB_PROG, argc, argv, opts, RTE_DIM(opts), usage);
	if (ret != 0)
		return ret;
	if (o->warmup == MB_WARMUP_UNSET)
		o->warmup = o->packets / 10;
	return 0;
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
	mb_mac_put(p, MB_MAC_BCAST);
	mb_mac_put(p + RTE_ETHER_ADDR_LEN, mb_station_mac(0, 0));
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
			dst = mb_station_mac(out_port, 0);
			src = mb_station_mac(in_port, 0);
			break;
		case MB_FLOOD:
			dst = MB_MAC_BCAST;
			src = mb_station_mac(in_port, 0);
			break;
		case MB_LEARN_MISS:
			dst = mb_station_mac(out_port, 0);
			src = MB_MAC_FRESH | b->next_fresh++;
			break;
		case MB_MACS:
		default:
			dst = mb_station_mac(out_port, rng_below(&b->rng, b->hosts_per_port));
			src = mb_station_mac(in_port, rng_below(&b->rng, b->hosts_per_port));
			break;
		}
		mb_mac_put(p, dst);
		mb_mac_put(p + RTE_ETHER_ADDR_LEN, src);
	}
}

/* What the control thread does with the learn queue. Runs between bursts, timed apart. When
 * the table fills up it is flushed and the stations the traffic is sent to are learned again,
 * so the sources keep missing and the destinations keep hitting. */
static void
apply_learn(struct mb_bench *b)
{
	struct learn_event ev[2 * FWD_BURST];
	uint32_t now = b->h.ctx->now;
	unsigned n;

	while ((n = rte_ring_sc_dequeue_burst_elem(b->h.learn_ring, ev, sizeof(ev[0]),
						   RTE_DIM(ev), NULL)) > 0) {
		b->learn_events += n;
		for (unsigned i = 0; i < n; i++) {
			int ret = fdb_learn(b->h.fdb, &ev[i].key, ev[i].port_no, now, NULL);

			if (ret == -ENOSPC) {
				fdb_flush(b->h.fdb);
				b->learn_flushes++;
				ret = mb_harness_learn_stations(&b->h, 1);
				if (ret >= 0)
					ret = fdb_learn(b->h.fdb, &ev[i].key, ev[i].port_no, now,
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
		uint16_t in_port = (uint16_t)(b->iter++ % b->h.n_ports);

		if (unlikely(rte_pktmbuf_alloc_bulk(b->h.pool, pkts, FWD_BURST) != 0))
			return UINT64_MAX;
		fill_burst(b, pkts, in_port);
		if (pipeline) {
			fwd_burst(b->h.ctx, b->h.snap, in_port, pkts, FWD_BURST);
			fwd_flush(b->h.ctx, b->h.snap);
			b->sent[in_port] += FWD_BURST;
		} else {
			rte_pktmbuf_free_bulk(pkts, FWD_BURST);
		}
		mb_harness_drain_tx(&b->h);
		if (learn && pipeline) {
			uint64_t t = rte_rdtsc();

			apply_learn(b);
			b->control_tsc += rte_rdtsc() - t;
		}
		rte_rcu_qsbr_quiescent(b->h.qsbr, 0);
	}
	return rte_rdtsc() - start - (b->control_tsc - ctl_before);
}

static int
setup(struct mb_bench *b)
{
	uint16_t n_ports = mb_scenarios[b->opt.scenario].n_ports;
	uint32_t fdb_entries = FDB_DEFAULT_ENTRIES;
	int ret;

	b->hosts_per_port = b->opt.scenario == MB_MACS ? b->opt.macs / n_ports : 1;
	b->rng = 0x9e3779b9u;
	if (b->opt.scenario == MB_MACS)
		fdb_entries = RTE_MAX(b->opt.macs, 64u);
	ret = mb_harness_init(&b->h, &(struct mb_harness_params){ .prog = MB_PROG,
								   .prefix = "mb",
								   .n_ports = n_ports,
								   .fdb_entries = fdb_entries });
	if (ret < 0)
		return -1;
	rte_mempool_obj_iter(b->h.pool, init_frame, NULL);
	ret = mb_harness_learn_stations(&b->h, b->hosts_per_port);
	if (ret < 0) {
		fprintf(stderr, "microbench_fwd: fdb_learn: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

#define CHECK(cond, ...) MB_CHECK(bad, MB_PROG, cond, __VA_ARGS__)

/* Every frame sent must have come out of every other port (2 ports: the other one; flood: the
 * other 3), and mb_harness_check() must pass: nothing dropped, no mbuf leaked. Returns the
 * number of failures. */
static int
check_results(const struct mb_bench *b)
{
	const struct mb_harness *h = &b->h;
	uint64_t total = 0;
	int bad = mb_harness_check(h);

	for (uint16_t p = 0; p < h->n_ports; p++)
		total += b->sent[p];
	for (uint16_t p = 0; p < h->n_ports; p++) {
		const struct dp_port_stats *st = &h->stats[p];
		uint64_t want_tx = total - b->sent[p];

		CHECK(st->rx_packets == b->sent[p], "port %u rx_packets %" PRIu64 ", sent %" PRIu64,
		      p, st->rx_packets, b->sent[p]);
		CHECK(st->tx_packets == want_tx, "port %u tx_packets %" PRIu64 ", expected %" PRIu64,
		      p, st->tx_packets, want_tx);
		CHECK(h->drained[p] == want_tx, "port %u tx ring gave %" PRIu64 ", expected %" PRIu64,
		      p, h->drained[p], want_tx);
		CHECK(st->tx_bytes == want_tx * MB_FRAME_LEN, "port %u tx_bytes %" PRIu64, p,
		      st->tx_bytes);
	}
	if (b->opt.scenario == MB_LEARN_MISS) {
		CHECK(b->learn_events == total, "learn events %" PRIu64 ", expected one per frame %"
		      PRIu64, b->learn_events, total);
		CHECK(b->learn_error == 0, "fdb_learn failed: %s", strerror(-b->learn_error));
	} else {
		CHECK(rte_ring_count(h->learn_ring) == 0,
		      "%u learn events queued for stations that were all learned",
		      rte_ring_count(h->learn_ring));
	}
	return bad;
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
	ns_tot = mb_median(tot, o->rounds);
	ns_ovh = mb_median(ovh, o->rounds);
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
		printf(" macs=%u", b->hosts_per_port * b->h.n_ports);
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
	if (mb_eal_init(MB_PROG, 512, b.opt.lcore) < 0)
		return 1;
	ret = setup(&b);
	if (ret == 0)
		ret = run(&b);
	mb_harness_fini(&b.h);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
