/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * microbench_flows: the rule pipeline in the forwarding loop, several rule sets in one run.
 *
 * The loop is microbench_fwd's: bursts of 32 64-byte frames go through the real fwd_burst()
 * and fwd_flush() into ring-backed ethdev ports, and the same loop with the pipeline replaced
 * by a plain free of the burst measures the harness, so
 *   pipeline_ns_per_packet = ns_per_packet - overhead_ns_per_packet.
 * Here the frames are Ethernet + IPv4 + TCP or UDP (802.1Q-tagged when a flow's rule matches
 * a VLAN), all received on port p0, and the bridge carries a pipeline from
 * flow_pipeline_build() whose every rule says output:p1. Scenarios:
 *   l2          no pipeline: the default rule only, the L2 learning switch (reference)
 *   1rule       in_port=p0,actions=output:p1 (the baseline the others are compared with)
 *   10k         --rules rules over 20 mask shapes with random priorities, traffic of --flows
 *               distinct flows, each made to match some rule
 *   10k-1M      the same rules, traffic of --big-flows flows
 *   10k-banded  --rules rules, priorities in one band per shape (early-exit friendly)
 * Flows are cycled through in order, so every burst carries 32 different flows.
 *
 * Every round runs every scenario in turn: a warm-up pass over its flows (which fills the
 * flow cache), then the harness loop and the pipeline loop in alternating order. Figures are
 * medians over rounds, so drift on the machine hits every scenario alike.
 *
 * Checks at the end: every frame came out of p1 and nothing was dropped, each scenario's
 * rule counters add up to the frames it put through the pipeline, and no mbuf leaked. The
 * program exits 1 if any check fails.
 *
 * Under callgrind (--callgrind), each scenario's measured loop runs once, bracketed by
 * CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT(name): one dump per scenario, whose total
 * divided by the packets printed is the instructions per packet.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "datapath/classifier.h"
#include "datapath/dp_stats.h"
#include "datapath/fdb.h"
#include "datapath/flow_actions.h"
#include "datapath/flow_cache.h"
#include "datapath/flow_key.h"
#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "datapath/forward.h"
#include "datapath/snapshot.h"
#include "flowgen.h"
#include "mb_common.h"
#include "mb_harness.h"

#define MB_PROG "microbench_flows"
#define MB_FRAME_LEN FLOWGEN_FRAME_LEN
#define MB_IN 0  /* the port every frame is received on: p0 */
#define MB_OUT 1 /* and the one every rule sends it to: p1 */
#define MB_N_PORTS 2
#define MB_RULE_PORTS 16 /* in_port values rules draw from: the bridge's other ports get none */
#define MB_DEFAULT_PACKETS 2000000 /* per scenario, over all rounds */
#define MB_DEFAULT_ROUNDS 5
#define MB_DEFAULT_RULES 10000
#define MB_DEFAULT_FLOWS 100000
#define MB_DEFAULT_BIG_FLOWS 1000000
#define MB_MAX_FLOWS (1u << 24)

enum mb_scen_id { MB_L2, MB_1RULE, MB_MANY, MB_MANY_BIG, MB_BANDED, MB_N_SCEN };

static const char *const mb_scen_names[MB_N_SCEN] = {
	[MB_L2] = "l2", [MB_1RULE] = "1rule", [MB_MANY] = "10k", [MB_MANY_BIG] = "10k-1M",
	[MB_BANDED] = "10k-banded",
};

struct mb_opts {
	bool want[MB_N_SCEN];
	uint32_t rules;
	uint32_t flows;
	uint32_t big_flows;
	uint64_t packets; /* measured per scenario, over all rounds */
	uint64_t warmup;  /* 0: one pass over the scenario's flows */
	unsigned int rounds;
	uint64_t seed;
	unsigned int lcore;
	bool callgrind;
};

/* A rule set with its traffic. */
struct mb_set {
	struct flow_pipeline_rule *rules;
	uint32_t n_rules;
	uint8_t (*frames)[MB_FRAME_LEN]; /* one template per flow */
	uint32_t n_frames;
	struct flow_stats_pool *pool;
	struct flow_pipeline *pl; /* our reference; NULL for the L2 switch */
	double build_ms;
};

struct mb_scen {
	enum mb_scen_id id;
	struct mb_set *set;
	uint32_t n_flows; /* a prefix of set->frames */
	uint32_t pos;     /* the next flow to send */
	uint64_t hits, misses;  /* flow cache, measured pipeline loops only */
	uint64_t pipeline_pkts; /* everything given to fwd_burst, warm-ups included */
	struct mb_timing t;
};

struct mb_bench {
	struct mb_opts opt;
	struct mb_harness h; /* MB_N_PORTS ports */
	struct flowgen_rng rng;
	struct flow_act out_act; /* output:p1 */

	struct mb_set plain;  /* l2: the default rule only */
	struct mb_set one;    /* 1rule; shares plain's frames */
	struct mb_set many;   /* 10k */
	struct mb_set big;    /* 10k-1M: many's rules and frames, a pipeline of its own */
	struct mb_set banded; /* 10k-banded */
	struct mb_scen scen[MB_N_SCEN];

	uint64_t sent; /* frames given to fwd_burst */
};

/* ---- setup -------------------------------------------------------------------------------- */

static int
alloc_frames(struct mb_set *s, uint32_t n)
{
	s->frames = aligned_alloc(RTE_CACHE_LINE_SIZE, (size_t)n * MB_FRAME_LEN);
	if (s->frames == NULL) {
		fprintf(stderr, "microbench_flows: no memory for %u frames\n", n);
		return -1;
	}
	s->n_frames = n;
	return 0;
}

/* Allocates the set's counter slots (0 .. n_rules-1, or the default rule's slot 0) and
 * builds its pipeline. */
static int
build_set(struct mb_set *s, bool pipeline)
{
	uint32_t slots = pipeline ? s->n_rules : 1;
	uint64_t t0;

	s->pool = flow_stats_pool_create(1, SOCKET_ID_ANY);
	if (s->pool == NULL) {
		fprintf(stderr, "microbench_flows: flow_stats_pool_create: %s\n", strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < slots; i++) {
		int64_t slot = flow_stats_pool_alloc(s->pool);

		if (slot != (int64_t)i) {
			fprintf(stderr, "microbench_flows: flow_stats_pool_alloc gave %" PRId64
					", expected %u\n", slot, i);
			return -1;
		}
	}
	if (!pipeline)
		return 0;
	t0 = rte_rdtsc();
	s->pl = flow_pipeline_build(s->rules, s->n_rules, SOCKET_ID_ANY);
	s->build_ms = (double)(rte_rdtsc() - t0) * 1e3 / (double)rte_get_tsc_hz();
	if (s->pl == NULL) {
		fprintf(stderr, "microbench_flows: flow_pipeline_build(%u rules): %s\n", s->n_rules,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* A rule set over the 20 shapes and n_flows flows that match it. */
static int
setup_rule_set(struct mb_bench *b, struct mb_set *s, bool banded, uint32_t n_flows)
{
	s->n_rules = b->opt.rules;
	s->rules = calloc(s->n_rules, sizeof(*s->rules));
	if (s->rules == NULL || alloc_frames(s, n_flows) < 0)
		return -1;
	flowgen_rules(&b->rng, &(struct flowgen_rule_params){ .rule_ports = MB_RULE_PORTS,
							     .banded = banded, .act = &b->out_act },
		      s->rules, s->n_rules);
	for (uint32_t i = 0; i < n_flows; i++) {
		struct flow_key k;

		flowgen_flow(&b->rng, MB_IN, s->rules, s->n_rules, &k);
		flowgen_frame(&k, s->frames[i]);
		if (flowgen_check_frame(b->h.pool, &k, s->frames[i]) < 0) {
			fprintf(stderr, "microbench_flows: flow %u: the frame does not parse back to "
					"its key\n", i);
			return -1;
		}
	}
	return build_set(s, true);
}

/* The l2 and 1rule traffic: flows drawn like the 10k ones, but untagged and from the station
 * on p0 to the station on p1, so that the L2 switch knows the destination. */
static int
setup_plain(struct mb_bench *b)
{
	static struct flow_pipeline_rule one;
	uint32_t n = b->opt.flows;
	struct flowgen_rng r = { .s = b->opt.seed ^ UINT64_C(0x5eed) };

	if (alloc_frames(&b->plain, n) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k;

		if (b->many.rules != NULL)
			flowgen_flow(&b->rng, MB_IN, b->many.rules, b->many.n_rules, &k);
		else
			flowgen_random_key(&r, FLOWGEN_FRAMES, MB_IN, &k);
		k.vlan_tci = 0;
		mb_mac_put(k.dl_src.addr_bytes, mb_station_mac(MB_IN, 0));
		mb_mac_put(k.dl_dst.addr_bytes, mb_station_mac(MB_OUT, 0));
		flowgen_frame(&k, b->plain.frames[i]);
	}
	if (build_set(&b->plain, false) < 0)
		return -1;

	one = (struct flow_pipeline_rule){ .table = 0, .priority = 32768, .stats_slot = 0,
					   .n_acts = 1, .acts = &b->out_act };
	one.key.in_port = MB_IN;
	one.mask.in_port = 0xffff;
	b->one.rules = &one;
	b->one.n_rules = 1;
	b->one.frames = b->plain.frames;
	b->one.n_frames = b->plain.n_frames;
	return build_set(&b->one, true);
}

static int
setup(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	uint32_t many_flows = 0;
	int ret;

	b->rng.s = o->seed;
	b->out_act = (struct flow_act){ .type = FLOW_ACT_OUTPUT, .arg = MB_OUT };
	/* The context counts into no rule set's slots yet: select_scenario() picks them. */
	if (mb_harness_init(&b->h, &(struct mb_harness_params){
				   .prog = MB_PROG, .prefix = "mf", .n_ports = MB_N_PORTS,
				   .fdb_entries = FDB_DEFAULT_ENTRIES }) < 0)
		return -1;
	/* The FDB knows the two stations of the l2 traffic; nothing else is ever learned. */
	ret = mb_harness_learn_stations(&b->h, 1);
	if (ret < 0) {
		fprintf(stderr, "microbench_flows: fdb_learn: %s\n", strerror(-ret));
		return -1;
	}

	if (o->want[MB_MANY])
		many_flows = o->flows;
	if (o->want[MB_MANY_BIG])
		many_flows = RTE_MAX(many_flows, o->big_flows);
	if (many_flows > 0 && setup_rule_set(b, &b->many, false, many_flows) < 0)
		return -1;
	/* Built apart, so that its flow cache entries are not the 10k scenario's: with one
	 * pipeline generation, the 1M flows' entries would crowd out the 100k flows' ones in
	 * the next round instead of being stale. */
	if (o->want[MB_MANY_BIG]) {
		b->big.rules = b->many.rules;
		b->big.n_rules = b->many.n_rules;
		b->big.frames = b->many.frames;
		b->big.n_frames = b->many.n_frames;
		if (build_set(&b->big, true) < 0)
			return -1;
	}
	if (o->want[MB_BANDED] && setup_rule_set(b, &b->banded, true, o->flows) < 0)
		return -1;
	if ((o->want[MB_L2] || o->want[MB_1RULE]) && setup_plain(b) < 0)
		return -1;

	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		sc->id = (enum mb_scen_id)i;
		switch (sc->id) {
		case MB_L2:
			sc->set = &b->plain;
			sc->n_flows = o->flows;
			break;
		case MB_1RULE:
			sc->set = &b->one;
			sc->n_flows = o->flows;
			break;
		case MB_MANY:
			sc->set = &b->many;
			sc->n_flows = o->flows;
			break;
		case MB_MANY_BIG:
			sc->set = &b->big;
			sc->n_flows = o->big_flows;
			break;
		case MB_BANDED:
		default:
			sc->set = &b->banded;
			sc->n_flows = o->flows;
			break;
		}
	}
	return 0;
}

static void
free_set(struct mb_set *s, bool own_frames, bool own_rules)
{
	flow_pipeline_put(s->pl);
	flow_stats_pool_destroy(s->pool);
	if (own_frames)
		free(s->frames);
	if (own_rules)
		free(s->rules);
}

static void
teardown(struct mb_bench *b)
{
	if (b->h.snap != NULL)
		b->h.snap->bridges[0].pipeline = NULL; /* the sets hold the references */
	mb_harness_fini(&b->h);
	free_set(&b->plain, true, false);
	free_set(&b->one, false, false);
	free_set(&b->many, true, true);
	free_set(&b->big, false, false);
	free_set(&b->banded, true, true);
}

/* ---- the measured loop -------------------------------------------------------------------- */

/* Points the bridge at the scenario's pipeline (none for l2, whose frames are counted into
 * the default rule's slot) and the thread at its counters. Between bursts, as a snapshot
 * swap would be; the flow cache tells pipelines apart by their generation. */
static void
select_scenario(struct mb_bench *b, const struct mb_scen *sc)
{
	struct snap_bridge *br = &b->h.snap->bridges[0];

	br->pipeline = sc->set->pl;
	br->count_default = sc->set->pl == NULL;
	br->default_slot = 0;
	b->h.ctx->fstats = flow_stats_pool_pmd(sc->set->pool, 0);
}

/* iters bursts of the scenario's next flows through mb_harness_loop(), counting what went
 * through the pipeline. */
static uint64_t
run_loop(struct mb_bench *b, struct mb_scen *sc, uint64_t iters, bool pipeline)
{
	uint64_t c = mb_harness_loop(&b->h, &sc->set->frames[0][0], MB_FRAME_LEN, sc->n_flows,
				     &sc->pos, MB_IN, iters, pipeline);

	if (pipeline && c != UINT64_MAX) {
		b->sent += iters * FWD_BURST;
		sc->pipeline_pkts += iters * FWD_BURST;
	}
	return c;
}

/* The pipeline loop, counting the flow cache's hits and misses. */
static uint64_t
run_measured(struct mb_bench *b, struct mb_scen *sc, uint64_t iters)
{
	const struct flow_cache *fc = b->h.ctx->fcache;
	uint64_t h = fc->hits, m = fc->misses, c;

	c = run_loop(b, sc, iters, true);
	sc->hits += fc->hits - h;
	sc->misses += fc->misses - m;
	return c;
}

static uint64_t
warmup_iters(const struct mb_bench *b, const struct mb_scen *sc)
{
	uint64_t pkts = b->opt.warmup != 0 ? b->opt.warmup : sc->n_flows;

	return (pkts + FWD_BURST - 1) / FWD_BURST;
}

static int
run_rounds(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	uint64_t iters = (o->packets / o->rounds + FWD_BURST - 1) / FWD_BURST;

	for (unsigned int r = 0; r < o->rounds; r++) {
		for (int i = 0; i < MB_N_SCEN; i++) {
			struct mb_scen *sc = &b->scen[i];
			uint64_t c_tot, c_ovh, w;
			double cpu0;

			if (!o->want[i])
				continue;
			select_scenario(b, sc);
			w = warmup_iters(b, sc);
			if (run_loop(b, sc, w, true) == UINT64_MAX)
				goto dry;
			cpu0 = mb_thread_cpu_s();
			if (r % 2 == 0) {
				c_ovh = run_loop(b, sc, iters, false);
				c_tot = run_measured(b, sc, iters);
			} else {
				c_tot = run_measured(b, sc, iters);
				c_ovh = run_loop(b, sc, iters, false);
			}
			if (c_ovh == UINT64_MAX || c_tot == UINT64_MAX)
				goto dry;
			mb_timing_round(&sc->t, r, c_tot, c_ovh, iters * FWD_BURST,
					mb_thread_cpu_s() - cpu0);
		}
	}
	return 0;
dry:
	fprintf(stderr, "microbench_flows: the mbuf pool ran dry\n");
	return -1;
}

/* --callgrind: each scenario's measured loop once, one callgrind dump per scenario. */
static int
run_callgrind(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	uint64_t iters = (o->packets + FWD_BURST - 1) / FWD_BURST;

	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];
		uint64_t c;

		if (!o->want[i])
			continue;
		select_scenario(b, sc);
		if (run_loop(b, sc, warmup_iters(b, sc), true) == UINT64_MAX)
			return -1;
		CALLGRIND_ZERO_STATS;
		c = run_measured(b, sc, iters);
		CALLGRIND_DUMP_STATS_AT(mb_scen_names[i]);
		if (c == UINT64_MAX)
			return -1;
		printf("callgrind scenario=%s packets=%" PRIu64 " cache_hits=%" PRIu64
		       " cache_misses=%" PRIu64 "\n", mb_scen_names[i], iters * FWD_BURST, sc->hits,
		       sc->misses);
	}
	return 0;
}

/* ---- checks and report -------------------------------------------------------------------- */

#define CHECK(cond, ...) MB_CHECK(bad, MB_PROG, cond, __VA_ARGS__)

/* Every frame out of p1, none dropped or leaked, and each scenario's rule counters sum to
 * the frames it put through the pipeline. Returns the number of failures. */
static int
check_results(const struct mb_bench *b)
{
	const struct mb_harness *h = &b->h;
	const struct dp_port_stats *in = &h->stats[MB_IN], *out = &h->stats[MB_OUT];
	int bad = mb_harness_check(h);

	CHECK(in->rx_packets == b->sent, "p0 rx_packets %" PRIu64 ", sent %" PRIu64,
	      in->rx_packets, b->sent);
	CHECK(out->tx_packets == b->sent, "p1 tx_packets %" PRIu64 ", sent %" PRIu64,
	      out->tx_packets, b->sent);
	CHECK(h->drained[MB_OUT] == b->sent, "p1 tx ring gave %" PRIu64 ", sent %" PRIu64,
	      h->drained[MB_OUT], b->sent);
	CHECK(h->drained[MB_IN] == 0, "p0 tx ring gave %" PRIu64 ", expected 0", h->drained[MB_IN]);
	for (int i = 0; i < MB_N_SCEN; i++) {
		const struct mb_scen *sc = &b->scen[i];
		uint64_t pkts = 0, bytes = 0;
		uint32_t slots;

		if (!b->opt.want[i])
			continue;
		slots = sc->set->pl != NULL ? sc->set->n_rules : 1;
		for (uint32_t s = 0; s < slots; s++) {
			struct flow_counter c;

			flow_stats_pool_read(sc->set->pool, s, &c);
			pkts += c.packets;
			bytes += c.bytes;
		}
		CHECK(pkts == sc->pipeline_pkts && bytes == pkts * MB_FRAME_LEN,
		      "%s: rule counters say %" PRIu64 " packets, %" PRIu64 " bytes; %" PRIu64
		      " packets went through", mb_scen_names[i], pkts, bytes, sc->pipeline_pkts);
	}
	CHECK(rte_ring_count(h->learn_ring) == 0, "%u learn events queued",
	      rte_ring_count(h->learn_ring));
	return bad;
}

static void
report(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	const struct mb_scen *base = o->want[MB_1RULE] ? &b->scen[MB_1RULE] : NULL;
	bool suspect = false;

	printf("# tsc %.2f GHz; %u rounds of %" PRIu64 " packets per scenario; bursts of %d "
	       "64-byte frames, all on p0, 32 different flows each; seed %" PRIu64 "\n",
	       (double)rte_get_tsc_hz() / 1e9, o->rounds,
	       (o->packets / o->rounds + FWD_BURST - 1) / FWD_BURST * FWD_BURST, FWD_BURST,
	       o->seed);
	printf("%-11s %6s %6s %4s %8s %5s %7s %7s %8s %6s %8s %6s %10s %9s %8s %5s\n",
	       "# scenario", "rules", "stored", "subt", "flows", "cache", "ns/pkt", "harness",
	       "pipeline", "Mpps", "vs_1rule", "hit%", "dp_B/rule", "stats_B/r", "build_ms", "cpu%");
	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		if (!o->want[i])
			continue;
		mb_timing_medians(&sc->t, o->rounds);
	}
	for (int i = 0; i < MB_N_SCEN; i++) {
		const struct mb_scen *sc = &b->scen[i];
		const struct flow_pipeline *pl = sc->set->pl;
		unsigned int stored = 0, subt = 0;
		double cpu;
		char vs[16] = "-", hits[16] = "-", dpb[16] = "-", stb[16] = "-", bms[16] = "-";

		if (!o->want[i])
			continue;
		if (pl != NULL) {
			stored = cls_table_n_rules(pl->tables[0]);
			subt = cls_table_n_subtables(pl->tables[0]);
			snprintf(dpb, sizeof(dpb), "%.1f",
				 (double)flow_pipeline_memory(pl) / pl->n_rules);
			snprintf(stb, sizeof(stb), "%.1f",
				 (double)flow_stats_pool_memory(sc->set->pool) / pl->n_rules);
			snprintf(bms, sizeof(bms), "%.1f", sc->set->build_ms);
			if (pl->use_cache && sc->hits + sc->misses > 0)
				snprintf(hits, sizeof(hits), "%.1f",
					 100.0 * (double)sc->hits / (double)(sc->hits + sc->misses));
		}
		printf("%-11s %6u %6u %4u %8u %5s %7.2f %7.2f %8.2f %6.2f", mb_scen_names[i],
		       pl != NULL ? pl->n_rules : 0, stored, subt, sc->n_flows,
		       pl == NULL ? "-" : pl->use_cache ? "on" : "off", sc->t.tot_ns, sc->t.ovh_ns,
		       sc->t.pipe_ns, sc->t.pipe_ns > 0 ? 1e3 / sc->t.pipe_ns : 0.0);
		if (base != NULL && base->t.pipe_ns > 0 && sc->t.pipe_ns > 0)
			snprintf(vs, sizeof(vs), "%.3f", base->t.pipe_ns / sc->t.pipe_ns);
		cpu = mb_timing_cpu(&sc->t);
		printf(" %8s %6s %10s %9s %8s %5.1f%s\n", vs, hits, dpb, stb, bms, cpu,
		       cpu < MB_CPU_OK ? " *" : "");
		suspect |= cpu < MB_CPU_OK;
	}
	printf("# pipeline = ns/pkt - harness (medians over rounds); vs_1rule = packet rate "
	       "relative to 1rule (1rule ns / this ns)\n"
	       "# dp_B/rule: flow_pipeline_memory() / rules (classifier, entries, actions); "
	       "stats_B/r: flow_stats_pool_memory() / rules, one PMD thread\n"
	       "# datapath bytes only: the control side's struct flow_rule and store are not in "
	       "this process. Flow cache: %zu bytes per PMD thread, whatever the rules\n",
	       sizeof(struct flow_cache));
	mb_print_cpu_note(suspect);
	if (base != NULL && o->want[MB_MANY] && base->t.pipe_ns > 0) {
		double rel = base->t.pipe_ns / b->scen[MB_MANY].t.pipe_ns;

		printf("# target: %u rules / %d shapes / %u flows at >= 0.50 of the 1rule packet "
		       "rate: %.3f, %s\n", o->rules, FLOWGEN_SHAPES, o->flows, rel,
		       rel >= 0.5 ? "met" : "NOT met");
	}
}

/* ---- options ------------------------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: microbench_flows [--scenarios LIST] [--rules N] [--flows N] "
		"[--big-flows N]\n"
		"                        [--packets N] [--warmup N] [--rounds R] [--seed S] "
		"[--lcore C] [--callgrind]\n"
		"  --scenarios  comma-separated subset of l2,1rule,10k,10k-1M,10k-banded "
		"(default: all)\n"
		"  --rules      rules of the 10k scenarios (default %d)\n"
		"  --flows      distinct flows of every scenario but 10k-1M (default %d)\n"
		"  --big-flows  distinct flows of 10k-1M (default %d)\n"
		"  --packets    measured packets per scenario over all rounds (default %d)\n"
		"  --warmup     packets through the pipeline before each scenario's measurement\n"
		"               (default: one pass over its flows)\n"
		"  --rounds     rounds, the medians reported, 1..%d (default %d)\n"
		"  --seed       random seed (default 1)\n"
		"  --lcore      core to run on (default 0)\n"
		"  --callgrind  one measured loop per scenario, one callgrind dump each (run under\n"
		"               valgrind --tool=callgrind --collect-atstart=no\n"
		"               --toggle-collect=fwd_burst --toggle-collect=fwd_flush)\n",
		MB_DEFAULT_RULES, MB_DEFAULT_FLOWS, MB_DEFAULT_BIG_FLOWS, MB_DEFAULT_PACKETS,
		MB_MAX_ROUNDS, MB_DEFAULT_ROUNDS);
}

/* Returns 0, 1 when --help was asked for, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct mb_opts *o)
{
	const struct mb_opt opts[] = {
		MB_NAMES_OPT("scenarios", o->want, mb_scen_names, MB_N_SCEN),
		MB_U32_OPT("rules", &o->rules, FLOWGEN_SHAPES, FLOW_STATS_MAX_SLOTS),
		MB_U32_OPT("flows", &o->flows, FWD_BURST, MB_MAX_FLOWS),
		MB_U32_OPT("big-flows", &o->big_flows, FWD_BURST, MB_MAX_FLOWS),
		MB_U64_OPT("packets", &o->packets, FWD_BURST, UINT64_C(1) << 40),
		MB_U64_OPT("warmup", &o->warmup, 0, UINT64_C(1) << 40),
		MB_U32_OPT("rounds", &o->rounds, 1, MB_MAX_ROUNDS),
		MB_U64_OPT("seed", &o->seed, 0, UINT64_MAX),
		MB_U32_OPT("lcore", &o->lcore, 0, RTE_MAX_LCORE - 1),
		MB_FLAG_OPT("callgrind", &o->callgrind),
	};
	int ret;

	*o = (struct mb_opts){ .rules = MB_DEFAULT_RULES, .flows = MB_DEFAULT_FLOWS,
			       .big_flows = MB_DEFAULT_BIG_FLOWS, .packets = MB_DEFAULT_PACKETS,
			       .rounds = MB_DEFAULT_ROUNDS, .seed = 1 };
	for (int i = 0; i < MB_N_SCEN; i++)
		o->want[i] = true;
	ret = mb_parse_args(MB_PROG, argc, argv, opts, RTE_DIM(opts), usage);
	if (ret != 0)
		return ret;
	return o->callgrind ? mb_callgrind_check(MB_PROG) : 0;
}

int
main(int argc, char **argv)
{
	static struct mb_bench b; /* large: the scenarios' per-round figures */
	int ret, bad;

	ret = parse_args(argc, argv, &b.opt);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (mb_eal_init(MB_PROG, 1024, b.opt.lcore) < 0)
		return 1;
	ret = setup(&b);
	if (ret == 0)
		ret = b.opt.callgrind ? run_callgrind(&b) : run_rounds(&b);
	if (ret == 0) {
		bad = check_results(&b);
		if (!b.opt.callgrind)
			report(&b);
		printf("check=%s\n", bad ? "FAILED" : "ok");
		ret = bad ? -1 : 0;
	}
	teardown(&b);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
