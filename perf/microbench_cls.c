/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * microbench_cls: cycles per key of cls_table_lookup_burst(), in bursts of 32.
 *
 * Scenarios: one rule; then --rules N rules over the first --shapes S mask shapes of an
 * ACL-like palette, with random priorities, against traffic of 100,000 and of 1,000,000
 * distinct flows (or --flows N). Every flow is made to match some rule: a rule is picked and
 * its masked bits copied into an otherwise random, packet-like key.
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
#include <rte_errno.h>
#include <rte_malloc.h>

#include "datapath/classifier.h"

#define MB_BURST 32
#define MB_DEFAULT_RULES 10000
#define MB_DEFAULT_SHAPES 20
#define MB_DEFAULT_LOOKUPS 2000000 /* per round */
#define MB_DEFAULT_ROUNDS 5
#define MB_MAX_ROUNDS 101
#define MB_VISIT_SAMPLE 100000
#define MB_PRIO_BITS 20
#define MB_ANY_L4 255 /* nw_proto of a shape: TCP or UDP, drawn per rule */

/* One mask shape: what it matches, field by field. Lengths are prefix lengths; 0 leaves the
 * field out. */
struct mb_shape {
	const char *name;
	uint16_t dl_type;
	uint8_t nw_proto;
	uint8_t src_len;
	uint8_t dst_len;
	uint8_t v6_src_len;   /* 0 or 64: IPv6 source word 4 */
	uint8_t v6_dst_len;   /* 0, 64 or 128 */
	uint16_t tp_src_mask; /* host order */
	uint16_t tp_dst_mask;
	bool in_port, dl_dst, dl_src, vlan, dscp;
};

static const struct mb_shape mb_shapes[] = {
	{ "in_port", .in_port = true },
	{ "ip dst/8", .dl_type = 0x0800, .dst_len = 8 },
	{ "ip dst/16", .dl_type = 0x0800, .dst_len = 16 },
	{ "ip dst/24", .dl_type = 0x0800, .dst_len = 24 },
	{ "ip dst/32", .dl_type = 0x0800, .dst_len = 32 },
	{ "ip src/8 dst/16", .dl_type = 0x0800, .src_len = 8, .dst_len = 16 },
	{ "ip src/16 dst/24", .dl_type = 0x0800, .src_len = 16, .dst_len = 24 },
	{ "ip src/24 dst/32", .dl_type = 0x0800, .src_len = 24, .dst_len = 32 },
	{ "ip src/32 dst/32", .dl_type = 0x0800, .src_len = 32, .dst_len = 32 },
	{ "tcp|udp tp_dst", .dl_type = 0x0800, .nw_proto = MB_ANY_L4, .tp_dst_mask = 0xffff },
	{ "udp tp_src", .dl_type = 0x0800, .nw_proto = 17, .tp_src_mask = 0xffff },
	{ "tcp|udp dst/24 tp_dst", .dl_type = 0x0800, .nw_proto = MB_ANY_L4, .dst_len = 24,
	  .tp_dst_mask = 0xffff },
	{ "tcp|udp dst/32 tp_dst", .dl_type = 0x0800, .nw_proto = MB_ANY_L4, .dst_len = 32,
	  .tp_dst_mask = 0xffff },
	{ "tcp src/24 dst/32 tp_dst", .dl_type = 0x0800, .nw_proto = 6, .src_len = 24,
	  .dst_len = 32, .tp_dst_mask = 0xffff },
	{ "dl_dst", .dl_dst = true },
	{ "vlan dl_dst", .vlan = true, .dl_dst = true },
	{ "in_port dl_src", .in_port = true, .dl_src = true },
	{ "in_port vlan", .in_port = true, .vlan = true },
	{ "tcp tp_dst/0xff00", .dl_type = 0x0800, .nw_proto = 6, .tp_dst_mask = 0xff00 },
	{ "ip dscp", .dl_type = 0x0800, .dscp = true },
	{ "ipv6 dst/64", .dl_type = 0x86dd, .v6_dst_len = 64 },
	{ "ipv6 src/64 dst/128", .dl_type = 0x86dd, .v6_src_len = 64, .v6_dst_len = 128 },
	{ "ip proto", .dl_type = 0x0800, .nw_proto = MB_ANY_L4 },
};

struct mb_opts {
	uint32_t rules;
	uint32_t shapes;
	uint32_t flows; /* 0: 100,000 then 1,000,000 */
	uint64_t lookups;
	unsigned int rounds;
	uint64_t seed;
	bool banded;
};

struct mb_rng {
	uint64_t s;
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

static uint64_t
rng_next(struct mb_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
rng_below(struct mb_rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static rte_be32_t
prefix32(unsigned int len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(UINT32_MAX << (32 - len));
}

static void
random_mac(struct mb_rng *r, struct rte_ether_addr *a)
{
	uint64_t v = rng_next(r);

	memcpy(a->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	a->addr_bytes[0] = (a->addr_bytes[0] & 0xfe) | 0x02; /* local unicast */
}

/* A key that looks like a parsed packet: mostly IPv4 TCP or UDP, some IPv6, all else random. */
static void
random_packet_key(struct mb_rng *r, struct flow_key *k)
{
	bool v6 = rng_below(r, 8) == 0;

	memset(k, 0, sizeof(*k));
	k->in_port = rng_below(r, 1024);
	k->dl_type = rte_cpu_to_be_16(v6 ? 0x86dd : 0x0800);
	k->vlan_tci = rng_below(r, 4096);
	k->nw_proto = rng_below(r, 2) ? 6 : 17;
	k->nw_tos = rng_below(r, 256);
	random_mac(r, &k->dl_dst);
	random_mac(r, &k->dl_src);
	k->tp_src = rng_below(r, 65536);
	k->tp_dst = rng_below(r, 65536);
	k->nw_ttl = 64;
	k->w[4] = rng_next(r);
	k->w[6] = rng_next(r);
	if (v6) {
		k->w[5] = rng_next(r);
		k->w[7] = rng_next(r);
	}
}

/* Mask and random values for one rule of a shape. */
static void
shape_rule(const struct mb_shape *sh, struct mb_rng *r, struct flow_key *mask,
	   struct flow_key *key)
{
	random_packet_key(r, key);
	memset(mask, 0, sizeof(*mask));
	if (sh->in_port)
		mask->in_port = 0xffff;
	if (sh->dl_type != 0) {
		mask->dl_type = 0xffff;
		key->dl_type = rte_cpu_to_be_16(sh->dl_type);
	}
	if (sh->nw_proto != 0) {
		mask->nw_proto = 0xff;
		key->nw_proto = sh->nw_proto != MB_ANY_L4 ? sh->nw_proto : rng_below(r, 2) ? 6 : 17;
	}
	if (sh->vlan)
		mask->vlan_tci = FLOW_VLAN_VID_MASK;
	if (sh->dscp)
		mask->nw_tos = 0xfc;
	if (sh->dl_dst)
		memset(&mask->dl_dst, 0xff, sizeof(mask->dl_dst));
	if (sh->dl_src)
		memset(&mask->dl_src, 0xff, sizeof(mask->dl_src));
	mask->tp_src = rte_cpu_to_be_16(sh->tp_src_mask);
	mask->tp_dst = rte_cpu_to_be_16(sh->tp_dst_mask);
	mask->nw_src = prefix32(sh->src_len);
	mask->nw_dst = prefix32(sh->dst_len);
	if (sh->v6_src_len >= 64)
		mask->w[4] = UINT64_MAX;
	if (sh->v6_dst_len >= 64)
		mask->w[6] = UINT64_MAX;
	if (sh->v6_dst_len >= 128)
		mask->w[7] = UINT64_MAX;
}

static void
gen_rules(struct mb_rng *r, struct mb_rule *rules, uint32_t n, uint32_t n_shapes, bool banded,
	  uint32_t first_shape)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mb_rule *ru = &rules[i];
		uint32_t s = first_shape + i % n_shapes;
		uint32_t prio = rng_below(r, 1u << MB_PRIO_BITS);

		/* Banded: each shape has its own range, so that the first subtable that matches a
		 * key is the last one it needs. */
		if (banded)
			prio |= (n_shapes - i % n_shapes) << MB_PRIO_BITS;
		shape_rule(&mb_shapes[s], r, &ru->spec.mask, &ru->spec.key);
		ru->spec.priority = prio;
		ru->spec.payload = ru;
		ru->shape = s;
	}
}

/* Each flow takes a random rule's masked bits over a random packet key, so it matches it. */
static void
gen_flows(struct mb_rng *r, const struct mb_rule *rules, uint32_t n_rules, struct flow_key *flows,
	  uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct cls_rule_spec *s = &rules[rng_below(r, n_rules)].spec;

		random_packet_key(r, &flows[i]);
		for (int w = 0; w < FLOW_KEY_WORDS; w++)
			flows[i].w[w] = (s->key.w[w] & s->mask.w[w]) |
					(flows[i].w[w] & ~s->mask.w[w]);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
	qsort(v, RTE_DIM(v), sizeof(v[0]), cmp_double);
	return (uint64_t)v[RTE_DIM(v) / 2];
}

/* One round: lookups keys drawn uniformly from the flows. Returns the cycles per key. */
static double
time_round(const struct cls_table *t, const struct flow_key *flows, uint32_t n_flows,
	   uint64_t lookups, struct mb_rng *r, uint64_t overhead, uint64_t *misses)
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
			burst[j] = flows[rng_below(r, n_flows)];
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
		  struct mb_rng *r)
{
	struct cls_rule_spec *specs = malloc(n_rules * sizeof(*specs));
	struct cls_table *tables[RTE_DIM(mb_shapes)] = {0};
	int64_t max[RTE_DIM(mb_shapes)];
	uint32_t order[RTE_DIM(mb_shapes)];
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
		const struct flow_key *k = &flows[rng_below(r, n_flows)];
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
	struct mb_rng r = {.s = o->seed};
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
	qsort(per_round, o->rounds, sizeof(per_round[0]), cmp_double);
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
		   "  --shapes   mask shapes they spread over, 1..%zu (default %d)\n"
		   "  --flows    distinct flows of its traffic (default: 100000, then 1000000)\n"
		   "  --lookups  keys looked up per round (default %d)\n"
		   "  --rounds   rounds per scenario, the median reported, 1..%d (default %d)\n"
		   "  --seed     random seed (default 1)\n"
		   "  --banded   priorities in one band per shape instead of all random\n",
		MB_DEFAULT_RULES, RTE_DIM(mb_shapes), MB_DEFAULT_SHAPES, MB_DEFAULT_LOOKUPS,
		MB_MAX_ROUNDS, MB_DEFAULT_ROUNDS);
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "microbench_cls: %s: bad value \"%s\"; expected an integer "
				"%" PRIu64 "..%" PRIu64 "\n", opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Returns 0, 1 when --help was asked for, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct mb_opts *o)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "shapes", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'f' },
		{ "lookups", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "banded", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	*o = (struct mb_opts){ .rules = MB_DEFAULT_RULES, .shapes = MB_DEFAULT_SHAPES,
			       .lookups = MB_DEFAULT_LOOKUPS, .rounds = MB_DEFAULT_ROUNDS,
			       .seed = 1 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int ret = 0;

		switch (c) {
		case 'r':
			ret = parse_u64("--rules", optarg, 1, 1u << 24, &v);
			o->rules = (uint32_t)v;
			break;
		case 's':
			ret = parse_u64("--shapes", optarg, 1, RTE_DIM(mb_shapes), &v);
			o->shapes = (uint32_t)v;
			break;
		case 'f':
			ret = parse_u64("--flows", optarg, 1, 1u << 26, &v);
			o->flows = (uint32_t)v;
			break;
		case 'n':
			ret = parse_u64("--lookups", optarg, MB_BURST, UINT64_C(1) << 40,
					&o->lookups);
			break;
		case 'R':
			ret = parse_u64("--rounds", optarg, 1, MB_MAX_ROUNDS, &v);
			o->rounds = (unsigned int)v;
			break;
		case 'S':
			ret = parse_u64("--seed", optarg, 0, UINT64_MAX, &o->seed);
			break;
		case 'b':
			o->banded = true;
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
		fprintf(stderr, "microbench_cls: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		"microbench_cls", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
		"-l", "0", "--no-telemetry", "--log-level=lib.eal:error",
	};
	static const uint32_t default_flows[] = {100000, 1000000};
	char label[64];
	struct mb_opts o;
	uint64_t overhead;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "microbench_cls: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
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
