/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * microbench_cls: cycles per key of cls_table_lookup_burst(), in bursts of 32.
 *
 * Scenarios: one rule; then --rules N rules over the first --shapes S mask shapes of
 * flowgen's ACL-like palette (the 20 IPv4 and L2 ones by default, then IPv6 ones), with
 * random priorities, against traffic of 100,000 and of 1,000,000 distinct flows (or --flows
 * N). Every flow is made to match some rule: a rule is picked and its masked bits copied into
 * an otherwise random, packet-like key (flowgen's FLOWGEN_PARSED keys).
 *
 * Each burst's keys are copied into a buffer outside the timed part, as the datapath's keys
 * are hot in cache from parsing; the timing covers cls_table_lookup_burst() alone, with
 * rte_rdtsc_precise() on both sides and the cost of an empty interval subtracted. Rounds are
 * reported as their median.
 *
 * "subtables/key" is the mean number of subtables a key is looked up in: it is worked out
 * outside the classifier, from one single-mask table per shape searched in the classifier's
 * order (decreasing max priority), so it can differ slightly when two shapes' max priorities
 * are equal.
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
#include <rte_malloc.h>

#include "datapath/classifier.h"
#include "flowgen.h"
#include "mb_common.h"

#define MB_BURST 32
#define MB_DEFAULT_RULES 10000
#define MB_DEFAULT_LOOKUPS 2000000 /* per round */
#define MB_DEFAULT_ROUNDS 5
#define MB_MAX_ROUNDS 101
#define MB_VISIT_SAMPLE 100000
#define MB_PRIO_BITS 20
#define MB_PROG "microbench_cls"

struct mb_opts {
	uint32_t rules;
	uint32_t shapes;
	uint32_t flows; /* 0: 100,000 then 1,000,000 */
	uint64_t lookups;
	unsigned int rounds;
	uint64_t seed;
	bool banded;
};

/* A rule as the benchmark knows it: the payload points here. */
struct mb_rule {
	struct cls_rule_spec spec;
	uint32_t shape;
};

struct mb_result {
	double cycles_per_key;
	double subtables_per_key;
	uint64_t misses;
};

static void
gen_rules(struct flowgen_rng *r, struct mb_rule *rules, uint32_t n, uint32_t n_shapes, bool banded,
	  uint32_t first_shape)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mb_rule *ru = &rules[i];
		uint32_t s = first_shape + i % n_shapes;
		uint32_t prio = flowgen_rng_below(r, 1u << MB_PRIO_BITS);

		/* Banded: each shape has its own range, so that the first subtable that matches a
		 * key is the last one it needs. */
		if (banded)
			prio |= (n_shapes - i % n_shapes) << MB_PRIO_BITS;
		flowgen_shape_rule(r, FLOWGEN_PARSED, s, 0, &ru->spec.mask, &ru->spec.key);
		ru->spec.priority = prio;
		ru->spec.payload = ru;
		ru->shape = s;
	}
}

/* Each flow takes a random rule's masked bits over a random packet key, so it matches it. */
static void
gen_flows(struct flowgen_rng *r, const struct mb_rule *rules, uint32_t n_rules,
	  struct flow_key *flows, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct cls_rule_spec *s = &rules[flowgen_rng_below(r, n_rules)].spec;

		flowgen_match(r, FLOWGEN_PARSED, 0, &s->mask, &s->key, &flows[i]);
	}
}

/* Cycles of an empty rte_rdtsc_precise() interval, the median of many. */
static uint64_t
timer_overhead(void)
{
	double v[1001];

	for (size_t i = 0; i < RTE_DIM(v); i++) {
		uint64_t t0 = rte_rdtsc_precise();
		uint64_t t1 = rte_rdtsc_precise();

		v[i] = (double)(t1 - t0);
	}
	return (uint64_t)mb_median(v, RTE_DIM(v));
}

/* One round: lookups keys drawn uniformly from the flows. Returns the cycles per key. */
static double
time_round(const struct cls_table *t, const struct flow_key *flows, uint32_t n_flows,
	   uint64_t lookups, struct flowgen_rng *r, uint64_t overhead, uint64_t *misses)
{
	struct flow_key burst[MB_BURST] __rte_cache_aligned;
	const struct flow_key *ptrs[MB_BURST];
	const void *out[MB_BURST];
	uint64_t cycles = 0, n_bursts = lookups / MB_BURST;

	for (unsigned int j = 0; j < MB_BURST; j++)
		ptrs[j] = &burst[j];
	for (uint64_t b = 0; b < n_bursts; b++) {
		uint64_t t0, t1;

		for (unsigned int j = 0; j < MB_BURST; j++)
			burst[j] = flows[flowgen_rng_below(r, n_flows)];
		t0 = rte_rdtsc_precise();
		cls_table_lookup_burst(t, ptrs, MB_BURST, out);
		t1 = rte_rdtsc_precise();
		cycles += t1 - t0 > overhead ? t1 - t0 - overhead : 0;
		for (unsigned int j = 0; j < MB_BURST; j++)
			*misses += out[j] == NULL;
	}
	return (double)cycles / (double)(n_bursts * MB_BURST);
}

/* The classifier's search, replayed shape by shape; see the comment at the top. */
static double
subtables_per_key(const struct mb_rule *rules, uint32_t n_rules, uint32_t first_shape,
		  uint32_t n_shapes, const struct flow_key *flows, uint32_t n_flows,
		  struct flowgen_rng *r)
{
	struct cls_rule_spec *specs = malloc(n_rules * sizeof(*specs));
	struct cls_table *tables[FLOWGEN_SHAPES_ALL] = {0};
	int64_t max[FLOWGEN_SHAPES_ALL];
	uint32_t order[FLOWGEN_SHAPES_ALL];
	uint32_t sample = RTE_MIN(n_flows, (uint32_t)MB_VISIT_SAMPLE);
	uint64_t visits = 0;
	double mean = -1;

	if (specs == NULL)
		return -1;
	for (uint32_t s = 0; s < n_shapes; s++) {
		uint32_t n = 0;

		max[s] = -1;
		for (uint32_t i = 0; i < n_rules; i++) {
			if (rules[i].shape != first_shape + s)
				continue;
			specs[n++] = rules[i].spec;
			max[s] = RTE_MAX(max[s], (int64_t)rules[i].spec.priority);
		}
		tables[s] = cls_table_build(specs, n, SOCKET_ID_ANY);
		if (tables[s] == NULL)
			goto out;
		order[s] = s;
	}
	/* Insertion sort by decreasing max priority, ties in shape order. */
	for (uint32_t i = 1; i < n_shapes; i++)
		for (uint32_t j = i; j > 0 && max[order[j]] > max[order[j - 1]]; j--)
			RTE_SWAP(order[j], order[j - 1]);

	for (uint32_t f = 0; f < sample; f++) {
		const struct flow_key *k = &flows[flowgen_rng_below(r, n_flows)];
		int64_t best = -1;

		for (uint32_t j = 0; j < n_shapes && max[order[j]] >= 0; j++) {
			const struct mb_rule *hit;

			if (best >= max[order[j]])
				break;
			visits++;
			hit = cls_table_lookup(tables[order[j]], k);
			if (hit != NULL && (int64_t)hit->spec.priority > best)
				best = hit->spec.priority;
		}
	}
	mean = (double)visits / sample;
out:
	for (uint32_t s = 0; s < n_shapes; s++)
		cls_table_destroy(tables[s]);
	free(specs);
	return mean;
}

static int
run_scenario(const struct mb_opts *o, const char *label, uint32_t n_rules, uint32_t first_shape,
	     uint32_t n_shapes, uint32_t n_flows, uint64_t overhead)
{
	struct flowgen_rng r = {.s = o->seed};
	struct mb_rule *rules = calloc(n_rules, sizeof(*rules));
	struct flow_key *flows = malloc((size_t)n_flows * sizeof(*flows));
	struct cls_rule_spec *specs = malloc(n_rules * sizeof(*specs));
	double per_round[MB_MAX_ROUNDS];
	struct cls_table *t = NULL;
	uint64_t misses = 0, build_tsc;
	double visited;
	int ret = -ENOMEM;

	if (rules == NULL || flows == NULL || specs == NULL)
		goto out;
	gen_rules(&r, rules, n_rules, n_shapes, o->banded, first_shape);
	gen_flows(&r, rules, n_rules, flows, n_flows);
	for (uint32_t i = 0; i < n_rules; i++)
		specs[i] = rules[i].spec;

	build_tsc = rte_rdtsc();
	t = cls_table_build(specs, n_rules, SOCKET_ID_ANY);
	build_tsc = rte_rdtsc() - build_tsc;
	if (t == NULL) {
		fprintf(stderr, "microbench_cls: cls_table_build(%u rules): %s\n", n_rules,
			strerror(errno));
		ret = -errno;
		goto out;
	}

	time_round(t, flows, n_flows, o->lookups / 10 + MB_BURST, &r, overhead, &misses);
	misses = 0;
	for (unsigned int i = 0; i < o->rounds; i++)
		per_round[i] = time_round(t, flows, n_flows, o->lookups, &r, overhead, &misses);
	mb_sort(per_round, o->rounds);
	visited = subtables_per_key(rules, n_rules, first_shape, n_shapes, flows, n_flows, &r);

	printf("%-26s %7u %7u %9u %9u %8.1f %8.1f %7.1f %8.2f %9.1f %8" PRIu64 " %7.1f\n", label,
	       n_rules, cls_table_n_rules(t), cls_table_n_subtables(t), n_flows,
	       per_round[o->rounds / 2], per_round[0], per_round[o->rounds - 1], visited,
	       (double)cls_table_memory(t) / RTE_MAX(cls_table_n_rules(t), 1u), misses,
	       (double)build_tsc * 1e3 / (double)rte_get_tsc_hz());
	ret = 0;
out:
	if (ret == -ENOMEM)
		fprintf(stderr, "microbench_cls: out of memory for %s\n", label);
	cls_table_destroy(t);
	free(specs);
	free(flows);
	free(rules);
	return ret;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: microbench_cls [--rules N] [--shapes N] [--flows N] [--lookups N] "
		   "[--rounds R] [--seed S] [--banded]\n"
		   "  --rules    rules of the multi-shape scenario (default %d)\n"
		   "  --shapes   mask shapes they spread over, 1..%d (default %d)\n"
		   "  --flows    distinct flows of its traffic (default: 100000, then 1000000)\n"
		   "  --lookups  keys looked up per round (default %d)\n"
		   "  --rounds   rounds per scenario, the median reported, 1..%d (default %d)\n"
		   "  --seed     random seed (default 1)\n"
		   "  --banded   priorities in one band per shape instead of all random\n",
		MB_DEFAULT_RULES, FLOWGEN_SHAPES_ALL, FLOWGEN_SHAPES, MB_DEFAULT_LOOKUPS,
		MB_MAX_ROUNDS, MB_DEFAULT_ROUNDS);
}

/* Returns 0, 1 when --help was asked for, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct mb_opts *o)
{
	const struct mb_opt opts[] = {
		MB_U32_OPT("rules", &o->rules, 1, 1u << 24),
		MB_U32_OPT("shapes", &o->shapes, 1, FLOWGEN_SHAPES_ALL),
		MB_U32_OPT("flows", &o->flows, 1, 1u << 26),
		MB_U64_OPT("lookups", &o->lookups, MB_BURST, UINT64_C(1) << 40),
		MB_U32_OPT("rounds", &o->rounds, 1, MB_MAX_ROUNDS),
		MB_U64_OPT("seed", &o->seed, 0, UINT64_MAX),
		MB_FLAG_OPT("banded", &o->banded),
	};

	*o = (struct mb_opts){ .rules = MB_DEFAULT_RULES, .shapes = FLOWGEN_SHAPES,
			       .lookups = MB_DEFAULT_LOOKUPS, .rounds = MB_DEFAULT_ROUNDS,
			       .seed = 1 };
	return mb_parse_args(MB_PROG, argc, argv, opts, RTE_DIM(opts), usage);
}

int
main(int argc, char **argv)
{
	static const uint32_t default_flows[] = {100000, 1000000};
	char label[64];
	struct mb_opts o;
	uint64_t overhead;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (mb_eal_init(MB_PROG, 1024, 0) < 0)
		return 1;
	overhead = timer_overhead();
	printf("# tsc %.2f GHz, timer overhead %" PRIu64 " cycles per burst (subtracted), "
	       "bursts of %d, %u rounds of %" PRIu64 " lookups, seed %" PRIu64 "%s\n",
	       (double)rte_get_tsc_hz() / 1e9, overhead, MB_BURST, o.rounds, o.lookups, o.seed,
	       o.banded ? ", banded priorities" : "");
	printf("%-26s %7s %7s %9s %9s %8s %8s %7s %8s %9s %8s %7s\n", "# scenario", "rules",
	       "stored", "subtables", "flows", "cyc/key", "min", "max", "subt/key", "bytes/rule",
	       "misses", "build_ms");

	/* One rule of the "ip dst/24" shape. */
	ret = run_scenario(&o, "1 rule", 1, 3, 1, 100000, overhead);
	for (size_t i = 0; ret == 0 && i < RTE_DIM(default_flows); i++) {
		uint32_t flows = o.flows != 0 ? o.flows : default_flows[i];

		snprintf(label, sizeof(label), "%u rules/%u shapes", o.rules, o.shapes);
		ret = run_scenario(&o, label, o.rules, 0, o.shapes, flows, overhead);
		if (o.flows != 0)
			break;
	}
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
