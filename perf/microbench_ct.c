/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * microbench_ct: source NAT through conntrack in the forwarding loop, against the L2 switch,
 * and the rate at which it opens new connections.
 *
 * The loop is microbench_flows': bursts of 32 64-byte frames go through the real fwd_burst()
 * and fwd_flush() into ring-backed ethdev ports, and the same loop with the pipeline replaced
 * by a plain free of the burst measures the harness, so
 *   pipeline_ns_per_packet = ns_per_packet - overhead_ns_per_packet.
 * Every burst is copied afresh from per-flow templates into new mbufs (SNAT rewrites frames in
 * place); that copy is in both loops, so the subtraction takes it out.
 *
 * Frames are UDP (or with --proto tcp, TCP ACKs) from VMs 10.0.0.2... on port "vm" (p0) to
 * a few servers in 198.18.0.0/15 port 443, addressed to the gateway MAC, which the FDB knows
 * on port "uplink" (p1); ctgen.h makes the flows and their frames and reads frames back. The
 * bridge has the rules a NAT network generates (bridge/nat_rules.c, --rule-set): table 0 sends
 * the subnet through ct(commit,zone=0,table=61,nat(src=192.0.2.10)), table 61 drops +inv and
 * routes the rest out of the uplink. Scenarios:
 *   l2         no pipeline: the default rule only, the L2 learning switch, over the same
 *              10,000 frames as snat-10k (the reference: vs_l2 is relative to it)
 *   snat-10    10 connections
 *   snat-10k   10,000 connections
 *   snat-100k  100,000 connections
 *   ct-new     every frame a new connection (--new-conns per round): connections per second
 * Each ct scenario has a connection table of its own, all of one capacity (--ct-capacity).
 *
 * Before the rounds, each snat scenario opens its connections (untimed): one frame per flow
 * through the pipeline in random order (so that the table's slots are not in the order the
 * timed loops visit them), each translated frame read back for its NAT port, then the server's
 * answer, translated back by conntrack_execute() directly (TCP: the SYN-ACK; the ACKs that
 * follow establish the connection), then a pass that checks every frame again. The timed loops
 * then cycle through the flows in order, 32 different connections a burst.
 *
 * Every round runs every scenario in turn: a warm-up pass over its flows, then the harness loop
 * and the pipeline loop in alternating order. ct-new: flush, a warm-up pass (every frame
 * checked), flush (timed, reported), then the two loops over --new-conns frames, each opening a
 * connection. Figures are medians over rounds, so drift on the machine hits every scenario
 * alike.
 *
 * Checks (exit 1 if any fails): every frame the pipeline got came out of the uplink and nothing
 * was dropped or leaked; frames read back (creation, checking and ct-new warm-up passes) have
 * source 192.0.2.10, the connection's NAT port, the server's address and port, TTL 63, the
 * rule's MACs and valid IPv4 and L4 checksums, and answers are translated back to the VM;
 * rule counters: the NAT rule and the routing rule each counted every frame, nothing else;
 * conntrack counters: no invalid, refused or NAT-failed packet, one connection created per
 * flow (snat) or per frame (ct-new).
 *
 * Under callgrind (--callgrind), each scenario's measured loop runs once, bracketed by
 * CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT(name).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "bridge/flow_rule.h"
#include "bridge/nat_rules.h"
#include "datapath/classifier.h"
#include "datapath/conntrack.h"
#include "datapath/flow_cache.h"
#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "datapath/forward.h"
#include "ctgen.h"
#include "flowgen.h"
#include "mb_common.h"
#include "mb_harness.h"

#define MB_PROG "microbench_ct"
#define MB_FRAME_LEN CTGEN_FRAME_LEN
#define MB_IN CTGEN_PORT_VM      /* "vm": every frame is received here */
#define MB_OUT CTGEN_PORT_UPLINK /* "uplink" */
#define MB_N_PORTS 2
#define MB_DEFAULT_PACKETS 2000000 /* per l2/snat scenario, over all rounds */
#define MB_DEFAULT_ROUNDS 5
#define MB_DEFAULT_NEW_CONNS 200000
#define MB_DEFAULT_VMS 256
#define MB_DEFAULT_SERVERS 8
#define MB_L2_FLOWS 10000
#define MB_MAX_COMPLAINTS 5 /* frame check messages per scenario */

enum mb_scen_id { MB_L2, MB_SNAT10, MB_SNAT10K, MB_SNAT100K, MB_CT_NEW, MB_N_SCEN };

static const char *const mb_scen_names[MB_N_SCEN] = {
	[MB_L2] = "l2", [MB_SNAT10] = "snat-10", [MB_SNAT10K] = "snat-10k",
	[MB_SNAT100K] = "snat-100k", [MB_CT_NEW] = "ct-new",
};

static const uint32_t mb_scen_flows[MB_N_SCEN] = {
	[MB_L2] = MB_L2_FLOWS, [MB_SNAT10] = 10, [MB_SNAT10K] = 10000, [MB_SNAT100K] = 100000,
	[MB_CT_NEW] = 0, /* --new-conns */
};

struct mb_opts {
	bool want[MB_N_SCEN];
	uint64_t packets;
	uint64_t warmup;
	unsigned int rounds;
	uint64_t seed;
	unsigned int lcore;
	uint32_t ct_capacity;
	uint32_t new_conns;
	uint32_t vms;
	uint32_t servers;
	bool tcp;      /* --proto tcp */
	bool full_set; /* --rule-set nat */
	bool callgrind;
};

struct mb_scen {
	enum mb_scen_id id;
	uint32_t n_flows;
	struct ctgen_flow *flows;
	uint8_t (*frames)[MB_FRAME_LEN]; /* the timed loops' templates, one per flow */
	rte_be16_t *nat_port;            /* per flow, read off its first translated frame */
	struct conntrack *ct;            /* NULL for l2 */
	size_t ct_heap;                  /* DPDK heap bytes conntrack_create() took */
	struct flow_stats_pool *pool;
	uint32_t pos; /* the next flow to send */
	double flush_ms[MB_MAX_ROUNDS];
	uint64_t pipeline_pkts; /* frames given to fwd_burst, warm-ups included */
	uint64_t direct_ct;     /* answers run through conntrack_execute() directly */
	uint64_t tx_out;        /* frames out of the uplink meanwhile */
	uint64_t inspected;     /* output frames read back and checked */
	uint64_t bad_frames;
	uint64_t hits, misses; /* flow cache, measured pipeline loops */
	struct mb_timing t;
};

struct mb_bench {
	struct mb_opts opt;
	struct mb_harness h;
	struct flowgen_rng rng;
	struct flow_pipeline *pl; /* the NAT rules */
	uint32_t n_rules;
	uint32_t nat_slot, fwd_slot; /* the ct(commit,...nat(src=)) rule's, the routing rule's */
	char **rule_text;
	struct mb_scen scen[MB_N_SCEN];
	uint64_t sent; /* frames given to fwd_burst */
	int bad;       /* failed checks */
};

#define CHECK(cond, ...) MB_CHECK(b->bad, MB_PROG, cond, __VA_ARGS__)

static double
tsc_ms(uint64_t cycles)
{
	return (double)cycles * 1e3 / (double)rte_get_tsc_hz();
}

/* ---- frames and flows ---------------------------------------------------------------------- */

/* Checks a frame out of the uplink against flow f; *nat_port is learned when 0, else
 * compared. Returns true when it is right. */
static bool
check_out(struct mb_bench *b, struct mb_scen *sc, const struct rte_mbuf *m,
	  const struct ctgen_flow *f, rte_be16_t *nat_port)
{
	struct ctgen_fields x = { 0 };
	bool ok;

	ok = ctgen_read(m, &x) && ctgen_check_out(&x, f, *nat_port);
	sc->inspected++;
	if (ok) {
		*nat_port = x.sport;
		return true;
	}
	if (sc->bad_frames++ < MB_MAX_COMPLAINTS) {
		char vm[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &f->vm_ip, vm, sizeof(vm));
		inet_ntop(AF_INET, &x.src, src, sizeof(src));
		fprintf(stderr, "%s: %s: frame of flow %s:%u out of the uplink is wrong: src %s:%u "
				"(expected 192.0.2.10:%u), ttl %u, checksums %s\n", MB_PROG,
			mb_scen_names[sc->id], vm, rte_be_to_cpu_16(f->vm_port), src,
			rte_be_to_cpu_16(x.sport), rte_be_to_cpu_16(*nat_port), x.ttl,
			x.csum_ok ? "ok" : "bad");
	}
	b->bad++;
	return false;
}

/* The scenario's flows (ctgen_flows()) and their templates; n flows. */
static int
make_flows(struct mb_bench *b, struct mb_scen *sc, uint32_t n)
{
	const struct mb_opts *o = &b->opt;
	uint64_t space = ctgen_pairs(o->vms);

	if (n > space) {
		fprintf(stderr, "%s: %s needs %u distinct (VM, port) pairs; --vms %u gives %" PRIu64
				"\n", MB_PROG, mb_scen_names[sc->id], n, o->vms, space);
		return -1;
	}
	sc->n_flows = n;
	sc->flows = calloc(n, sizeof(*sc->flows));
	sc->frames = aligned_alloc(RTE_CACHE_LINE_SIZE, (size_t)n * MB_FRAME_LEN);
	sc->nat_port = calloc(n, sizeof(*sc->nat_port));
	if (sc->flows == NULL || sc->frames == NULL || sc->nat_port == NULL) {
		fprintf(stderr, "%s: no memory for %u flows\n", MB_PROG, n);
		return -1;
	}
	ctgen_flows(o->seed, o->vms, o->servers, sc->flows, n);
	/* ct-new opens a connection with every frame: with TCP, a SYN. */
	for (uint32_t i = 0; i < n; i++)
		ctgen_flow_frame(&sc->flows[i], o->tcp,
				 sc->id == MB_CT_NEW ? RTE_TCP_SYN_FLAG : RTE_TCP_ACK_FLAG,
				 sc->frames[i]);
	return 0;
}

/* ---- rules -------------------------------------------------------------------------------- */

static int
port_id(const char *name, void *arg)
{
	if (strcmp(name, "vm") == 0)
		return MB_IN;
	if (strcmp(name, "uplink") == 0)
		return MB_OUT;
	return -ENOENT;
}

static void
mac_text(uint64_t mac, char *buf)
{
	struct rte_ether_addr a;

	mb_mac_put(a.addr_bytes, mac);
	snprintf(buf, RTE_ETHER_ADDR_FMT_SIZE, RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&a));
}

/* --rule-set nat: everything nat_rules_build() makes of this network, the uplink's next hop
 * resolved. */
static int
full_rule_set(char ***rules, unsigned int *n)
{
	static struct nat_config c; /* large: the port forwards */
	struct nat_neighbor nh = { .ip = RTE_BE32(CTGEN_NEXT_HOP), .port = "uplink" };
	char err[256];

	memset(&c, 0, sizeof(c));
	strcpy(c.uplink, "uplink");
	c.subnet = RTE_BE32(CTGEN_SUBNET);
	c.prefix_len = 8;
	c.gateway = RTE_BE32(CTGEN_GATEWAY);
	c.external_ip = RTE_BE32(CTGEN_EXT_IP);
	c.next_hop = RTE_BE32(CTGEN_NEXT_HOP);
	mb_mac_put(c.mac.addr_bytes, CTGEN_GW_MAC);
	mb_mac_put(nh.mac.addr_bytes, CTGEN_NH_MAC);
	if (nat_config_check(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: nat_config_check: %s\n", MB_PROG, err);
		return -1;
	}
	return nat_rules_build(&c, &nh, 1, rules, n) == 0 ? 0 : -1;
}

static char *
text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A malloc'd string, or NULL. */
static char *
text(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The rules' texts, the default rule last: --rule-set minimal (the NAT rule and table 61) or
 * nat. */
static int
rule_texts(struct mb_bench *b)
{
	char gw[RTE_ETHER_ADDR_FMT_SIZE], nh[RTE_ETHER_ADDR_FMT_SIZE];
	char **r = NULL, **more;
	unsigned int n = 0;

	mac_text(CTGEN_GW_MAC, gw);
	mac_text(CTGEN_NH_MAC, nh);
	if (b->opt.full_set) {
		if (full_rule_set(&r, &n) < 0)
			return -1;
	} else {
		r = calloc(3, sizeof(*r));
		if (r == NULL)
			return -1;
		n = 3;
		r[0] = text("table=0,priority=1000,ip,nw_src=10.0.0.0/8,actions=ct(commit,zone=0,"
			    "table=%d,nat(src=192.0.2.10))", NAT_TABLE_OUT);
		r[1] = text("table=%d,priority=100,ct_state=+trk+inv,actions=drop", NAT_TABLE_OUT);
		r[2] = text("table=%d,priority=50,ip,actions=dec_ttl,mod_dl_src:%s,mod_dl_dst:%s,"
			    "output:uplink", NAT_TABLE_OUT, gw, nh);
	}
	more = realloc(r, (n + 1) * sizeof(*r));
	if (more != NULL) {
		r = more;
		r[n++] = text("table=0,priority=0,actions=normal");
	}
	b->rule_text = r;
	b->n_rules = n;
	for (unsigned int i = 0; i < n; i++)
		if (r[i] == NULL)
			more = NULL;
	if (more == NULL)
		fprintf(stderr, "%s: no memory for the rules\n", MB_PROG);
	return more != NULL ? 0 : -1;
}

/* Parses the rules as the control side does (ports named "vm" and "uplink" are p0 and p1) and
 * builds their pipeline; rule i counts into slot i. */
static int
build_pipeline(struct mb_bench *b)
{
	struct flow_pipeline_rule *pr = calloc(b->n_rules, sizeof(*pr));
	struct flow_rule *fr = calloc(b->n_rules, sizeof(*fr));
	int ret = -1;

	b->nat_slot = b->fwd_slot = UINT32_MAX;
	for (uint32_t i = 0; pr != NULL && fr != NULL && i < b->n_rules; i++) {
		char err[256];

		if (flow_rule_parse(b->rule_text[i], FLOW_PARSE_ADD, port_id, NULL, &fr[i], err,
				    sizeof(err)) != 0) {
			fprintf(stderr, "%s: rule \"%s\": %s\n", MB_PROG, b->rule_text[i], err);
			goto out;
		}
		pr[i] = (struct flow_pipeline_rule){
			.table = fr[i].table, .priority = fr[i].priority, .stats_slot = i,
			.key = fr[i].key, .mask = fr[i].mask, .n_acts = fr[i].n_actions,
			.acts = fr[i].actions };
		for (uint16_t j = 0; j < fr[i].n_actions; j++) {
			const struct flow_act *a = &fr[i].actions[j];

			if (a->type == FLOW_ACT_CT && (a->val.ct.flags & CT_F_NAT_SRC))
				b->nat_slot = i;
			if (a->type == FLOW_ACT_OUTPUT && fr[i].table == NAT_TABLE_OUT)
				b->fwd_slot = i;
		}
	}
	if (pr == NULL || fr == NULL || b->nat_slot == UINT32_MAX || b->fwd_slot == UINT32_MAX) {
		fprintf(stderr, "%s: no memory, or the rules lack a nat(src=) or routing rule\n",
			MB_PROG);
		goto out;
	}
	b->pl = flow_pipeline_build(pr, b->n_rules, SOCKET_ID_ANY);
	if (b->pl == NULL)
		fprintf(stderr, "%s: flow_pipeline_build: %s\n", MB_PROG, strerror(errno));
	else
		ret = 0;
out:
	for (uint32_t i = 0; fr != NULL && i < b->n_rules; i++)
		flow_rule_free(&fr[i]);
	free(fr);
	free(pr);
	return ret;
}

/* ---- connection tables -------------------------------------------------------------------- */

static size_t
heap_used(void)
{
	size_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats s;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			sum += s.heap_allocsz_bytes;
	}
	return sum;
}

static int
make_conntrack(struct mb_bench *b, struct mb_scen *sc)
{
	uint32_t cap = b->opt.ct_capacity;
	size_t before = heap_used();
	int ret;

	if (sc->n_flows > cap) {
		fprintf(stderr, "%s: %s needs %u connections; --ct-capacity is %u\n", MB_PROG,
			mb_scen_names[sc->id], sc->n_flows, cap);
		return -1;
	}
	sc->ct = conntrack_create(&(struct conntrack_params){
		.capacity = cap, .n_threads = 1, .socket_id = SOCKET_ID_ANY, .qsbr = b->h.qsbr });
	if (sc->ct == NULL) {
		fprintf(stderr, "%s: conntrack_create(%u): %s\n", MB_PROG, cap, strerror(errno));
		return -1;
	}
	sc->ct_heap = heap_used() - before;
	/* Zone 0 would stop at CT_LIMIT_DEFAULT connections. */
	ret = conntrack_set_limit(sc->ct, 0, cap);
	if (ret < 0) {
		fprintf(stderr, "%s: conntrack_set_limit: %s\n", MB_PROG, strerror(-ret));
		return -1;
	}
	return 0;
}

/* The main thread is the only reader the QSBR variable knows: offline, the flush's grace
 * periods do not wait for it. Returns the milliseconds conntrack_flush() took. */
static double
flush(struct mb_bench *b, struct mb_scen *sc)
{
	uint64_t t0;
	unsigned int n;

	rte_rcu_qsbr_thread_offline(b->h.qsbr, 0);
	t0 = rte_rdtsc();
	n = conntrack_flush(sc->ct, -1, -1);
	t0 = rte_rdtsc() - t0;
	rte_rcu_qsbr_thread_online(b->h.qsbr, 0);
	CHECK(conntrack_count(sc->ct) == 0, "%s: %u connections left after flushing %u",
	      mb_scen_names[sc->id], conntrack_count(sc->ct), n);
	return tsc_ms(t0);
}

/* ---- the passes that are not timed -------------------------------------------------------- */

/* Points the bridge at the scenario's pipeline (none for l2, whose frames are counted into the
 * default rule's slot), the thread at its counters and connection table. */
static void
select_scenario(struct mb_bench *b, const struct mb_scen *sc)
{
	struct snap_bridge *br = &b->h.snap->bridges[0];

	br->pipeline = sc->ct != NULL ? b->pl : NULL;
	br->count_default = sc->ct == NULL;
	br->default_slot = 0;
	b->h.ctx->fstats = flow_stats_pool_pmd(sc->pool, 0);
	b->h.ctx->ct = sc->ct;
}

enum pass_kind {
	PASS_OPEN,  /* the first frame of each flow (TCP: a SYN); learns its NAT port */
	PASS_CHECK, /* the template; the NAT port must be the one learned */
	PASS_NEW,   /* ct-new: the template; any NAT port */
};

/* Every flow once, in the order given (NULL: in order), each translated frame read back and
 * checked. Returns -1 if frames went missing or the mbuf pool ran dry. */
static int
pass(struct mb_bench *b, struct mb_scen *sc, const uint32_t *order, enum pass_kind kind)
{
	struct mb_harness *h = &b->h;
	uint64_t tx0 = h->stats[MB_OUT].tx_packets;

	for (uint32_t i = 0; i < sc->n_flows; i += FWD_BURST) {
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)FWD_BURST, sc->n_flows - i);
		struct rte_mbuf *pkts[FWD_BURST];
		uint32_t idx[FWD_BURST];
		unsigned int got;

		if (rte_pktmbuf_alloc_bulk(h->pool, pkts, n) != 0)
			return -1;
		for (uint16_t j = 0; j < n; j++) {
			uint8_t *p = rte_pktmbuf_mtod(pkts[j], uint8_t *);

			idx[j] = order != NULL ? order[i + j] : i + j;
			if (kind == PASS_OPEN && b->opt.tcp)
				ctgen_flow_frame(&sc->flows[idx[j]], true, RTE_TCP_SYN_FLAG, p);
			else
				memcpy(p, sc->frames[idx[j]], MB_FRAME_LEN);
			pkts[j]->data_len = MB_FRAME_LEN;
			pkts[j]->pkt_len = MB_FRAME_LEN;
		}
		fwd_burst(h->ctx, h->snap, MB_IN, pkts, n);
		fwd_flush(h->ctx, h->snap);
		b->sent += n;
		sc->pipeline_pkts += n;
		/* The uplink's frames, in the order sent. */
		got = rte_ring_dequeue_burst(h->tx[MB_OUT], (void **)pkts, FWD_BURST, NULL);
		h->drained[MB_OUT] += got;
		for (unsigned int j = 0; j < got && got == n; j++) {
			rte_be16_t any = 0;

			check_out(b, sc, pkts[j], &sc->flows[idx[j]],
				  kind == PASS_NEW ? &any : &sc->nat_port[idx[j]]);
		}
		rte_pktmbuf_free_bulk(pkts, got);
		mb_harness_drain_tx(h);
		rte_rcu_qsbr_quiescent(h->qsbr, 0);
		if (got != n) {
			struct ct_stats s;

			conntrack_stats(sc->ct, &s);
			fprintf(stderr, "%s: %s: %u of %u frames came out of the uplink "
					"(conntrack: %" PRIu64 " invalid, %" PRIu64 " refused, %"
					PRIu64 " nat_failed)\n", MB_PROG, mb_scen_names[sc->id],
				got, n, s.c[CT_CNT_invalid], s.c[CT_CNT_refused],
				s.c[CT_CNT_nat_failed]);
			b->bad++;
			return -1;
		}
	}
	sc->tx_out += h->stats[MB_OUT].tx_packets - tx0;
	return 0;
}

/* The servers answer every flow (TCP: SYN-ACK) at 192.0.2.10 and its NAT port; conntrack must
 * find the connection and translate the answer back to the VM. */
static int
answer(struct mb_bench *b, struct mb_scen *sc)
{
	const struct ct_args nat = { .flags = CT_F_NAT, .zone = 0 };
	uint8_t want = CT_STATE_TRK | CT_STATE_RPL | CT_STATE_SNAT;

	for (uint32_t i = 0; i < sc->n_flows; i++) {
		const struct ctgen_flow *f = &sc->flows[i];
		struct rte_mbuf *m = rte_pktmbuf_alloc(b->h.pool);
		struct vlan_meta meta = { .u64 = 0 };
		struct flow_offsets off;
		struct flow_key k;
		struct ctgen_fields x;
		uint8_t state;

		if (m == NULL)
			return -1;
		ctgen_answer_frame(f, sc->nat_port[i], b->opt.tcp, rte_pktmbuf_mtod(m, uint8_t *));
		m->data_len = MB_FRAME_LEN;
		m->pkt_len = MB_FRAME_LEN;
		flow_key_extract_offsets(m, MB_OUT, &meta, &k, &off);
		state = conntrack_execute(sc->ct, 0, m, &off, &k, 0, &nat, b->h.ctx->now);
		sc->direct_ct++;
		if ((state & (want | CT_STATE_INV)) != want || !ctgen_read(m, &x) ||
		    !ctgen_check_answer(&x, f)) {
			if (sc->bad_frames++ < MB_MAX_COMPLAINTS)
				fprintf(stderr, "%s: %s: the answer to flow %u: ct_state %#x, not "
						"translated back to the VM as expected\n", MB_PROG,
					mb_scen_names[sc->id], i, state);
			b->bad++;
		}
		rte_pktmbuf_free(m);
	}
	return 0;
}

struct walk_count {
	uint32_t live, replied, established, snat;
};

static int
walk_cb(const struct ct_conn_info *info, void *arg)
{
	struct walk_count *w = arg;

	w->live++;
	w->replied += info->replied;
	w->established += strcmp(info->state, "ESTABLISHED") == 0;
	w->snat += (info->nat & CT_STATE_SNAT) != 0;
	return 0;
}

/* Opens the scenario's connections (see the top of the file) and checks them. */
static int
open_connections(struct mb_bench *b, struct mb_scen *sc)
{
	uint32_t n = sc->n_flows, *order = malloc(n * sizeof(*order));
	struct walk_count w = { 0 };
	struct ct_stats s;
	int ret = -1;

	if (order == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = flowgen_rng_below(&b->rng, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	select_scenario(b, sc);
	if (pass(b, sc, order, PASS_OPEN) < 0 || answer(b, sc) < 0 ||
	    pass(b, sc, order, PASS_CHECK) < 0)
		goto out;
	conntrack_walk(sc->ct, -1, -1, b->h.ctx->now, walk_cb, &w);
	conntrack_stats(sc->ct, &s);
	CHECK(s.c[CT_CNT_created] == n && w.live == n && w.replied == n && w.snat == n &&
	      (!b->opt.tcp || w.established == n),
	      "%s: %" PRIu64 " connections created, %u live, %u answered, %u established, %u "
	      "with source NAT; expected %u", mb_scen_names[sc->id], s.c[CT_CNT_created], w.live,
	      w.replied, w.established, w.snat, n);
	ret = 0;
out:
	free(order);
	return ret;
}

/* ---- setup -------------------------------------------------------------------------------- */

static int
make_pool(struct mb_scen *sc, uint32_t slots)
{
	sc->pool = flow_stats_pool_create(1, SOCKET_ID_ANY);
	if (sc->pool == NULL) {
		fprintf(stderr, "%s: flow_stats_pool_create: %s\n", MB_PROG, strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < slots; i++)
		if (flow_stats_pool_alloc(sc->pool) != (int64_t)i) {
			fprintf(stderr, "%s: flow_stats_pool_alloc did not give slot %u\n", MB_PROG,
				i);
			return -1;
		}
	return 0;
}

static int
setup(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	int ret;

	b->rng.s = o->seed;
	if (mb_harness_init(&b->h, &(struct mb_harness_params){
				   .prog = MB_PROG, .prefix = "mc", .n_ports = MB_N_PORTS,
				   .fdb_entries = FDB_DEFAULT_ENTRIES }) < 0)
		return -1;
	/* The VMs on p0 and the gateway MAC (station 0 of p1); nothing else is learned. */
	ret = mb_harness_learn_stations(&b->h, o->vms);
	if (ret < 0) {
		fprintf(stderr, "%s: fdb_learn: %s\n", MB_PROG, strerror(-ret));
		return -1;
	}
	if (rule_texts(b) < 0 || build_pipeline(b) < 0)
		return -1;
	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		sc->id = (enum mb_scen_id)i;
		if (!o->want[i])
			continue;
		if (make_flows(b, sc, i == MB_CT_NEW ? o->new_conns : mb_scen_flows[i]) < 0 ||
		    make_pool(sc, i == MB_L2 ? 1 : b->n_rules) < 0)
			return -1;
		if (i == MB_L2)
			continue;
		if (make_conntrack(b, sc) < 0)
			return -1;
		if (i != MB_CT_NEW && open_connections(b, sc) < 0)
			return -1;
	}
	return 0;
}

static void
teardown(struct mb_bench *b)
{
	if (b->h.snap != NULL)
		b->h.snap->bridges[0].pipeline = NULL; /* ours, put below */
	mb_harness_fini(&b->h);
	flow_pipeline_put(b->pl);
	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		conntrack_destroy(sc->ct);
		flow_stats_pool_destroy(sc->pool);
		free(sc->flows);
		free(sc->frames);
		free(sc->nat_port);
	}
	if (b->rule_text != NULL)
		nat_rules_free(b->rule_text, b->n_rules);
}

/* ---- the measured loop -------------------------------------------------------------------- */

/* iters bursts of the scenario's next flows through mb_harness_loop(), counting what went
 * through the pipeline and what came out of the uplink. */
static uint64_t
run_loop(struct mb_bench *b, struct mb_scen *sc, uint64_t iters, bool pipeline)
{
	uint64_t tx0 = b->h.stats[MB_OUT].tx_packets;
	uint64_t c = mb_harness_loop(&b->h, &sc->frames[0][0], MB_FRAME_LEN, sc->n_flows,
				     &sc->pos, MB_IN, iters, pipeline);

	if (pipeline && c != UINT64_MAX) {
		b->sent += iters * FWD_BURST;
		sc->pipeline_pkts += iters * FWD_BURST;
		sc->tx_out += b->h.stats[MB_OUT].tx_packets - tx0;
	}
	return c;
}

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

/* ct-new's measured loop: one pass over its flows from an empty table, each frame opening a
 * connection; checks that each did. */
static uint64_t
run_new(struct mb_bench *b, struct mb_scen *sc)
{
	uint64_t iters = sc->n_flows / FWD_BURST, c;
	struct ct_stats s0, s1;

	conntrack_stats(sc->ct, &s0);
	sc->pos = 0;
	c = run_measured(b, sc, iters);
	conntrack_stats(sc->ct, &s1);
	CHECK(s1.c[CT_CNT_created] - s0.c[CT_CNT_created] == iters * FWD_BURST &&
	      conntrack_count(sc->ct) == iters * FWD_BURST,
	      "ct-new: %" PRIu64 " frames created %" PRIu64 " connections, %u live",
	      iters * FWD_BURST, s1.c[CT_CNT_created] - s0.c[CT_CNT_created],
	      conntrack_count(sc->ct));
	return c;
}

static uint64_t
warmup_iters(const struct mb_bench *b, const struct mb_scen *sc)
{
	uint64_t pkts = b->opt.warmup != 0 ? b->opt.warmup
					   : RTE_MAX(sc->n_flows, (uint32_t)FWD_BURST);

	return (pkts + FWD_BURST - 1) / FWD_BURST;
}

/* One round of a scenario: the two loops in the order the round says; cycles in *c_tot and
 * *c_ovh, the CPU time they got in *cpu_s. -1 when the mbuf pool ran dry. */
static int
run_scenario(struct mb_bench *b, struct mb_scen *sc, unsigned int r, uint64_t iters,
	     uint64_t *c_tot, uint64_t *c_ovh, double *cpu_s)
{
	bool new = sc->id == MB_CT_NEW;
	double cpu0;

	if (new) {
		flush(b, sc);
		if (pass(b, sc, NULL, PASS_NEW) < 0)
			return -1;
		sc->flush_ms[r] = flush(b, sc);
		iters = sc->n_flows / FWD_BURST;
	} else if (run_loop(b, sc, warmup_iters(b, sc), true) == UINT64_MAX) {
		return -1;
	}
	cpu0 = mb_thread_cpu_s();
	if (r % 2 == 0) {
		*c_ovh = run_loop(b, sc, iters, false);
		*c_tot = new ? run_new(b, sc) : run_measured(b, sc, iters);
	} else {
		*c_tot = new ? run_new(b, sc) : run_measured(b, sc, iters);
		*c_ovh = run_loop(b, sc, iters, false);
	}
	*cpu_s = mb_thread_cpu_s() - cpu0;
	return *c_tot == UINT64_MAX || *c_ovh == UINT64_MAX ? -1 : 0;
}

static int
run_rounds(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	uint64_t iters = (o->packets / o->rounds + FWD_BURST - 1) / FWD_BURST;

	for (unsigned int r = 0; r < o->rounds; r++) {
		for (int i = 0; i < MB_N_SCEN; i++) {
			struct mb_scen *sc = &b->scen[i];
			uint64_t c_tot, c_ovh, pkts;
			double cpu_s;

			if (!o->want[i])
				continue;
			select_scenario(b, sc);
			if (run_scenario(b, sc, r, iters, &c_tot, &c_ovh, &cpu_s) < 0)
				goto dry;
			pkts = (sc->id == MB_CT_NEW ? sc->n_flows / FWD_BURST : iters) * FWD_BURST;
			mb_timing_round(&sc->t, r, c_tot, c_ovh, pkts, cpu_s);
		}
	}
	return 0;
dry:
	fprintf(stderr, "%s: the mbuf pool ran dry or frames went missing\n", MB_PROG);
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
		uint64_t c, pkts;

		if (!o->want[i])
			continue;
		select_scenario(b, sc);
		if (sc->id == MB_CT_NEW) {
			flush(b, sc);
			pkts = sc->n_flows / FWD_BURST * FWD_BURST;
			CALLGRIND_ZERO_STATS;
			c = run_new(b, sc);
		} else {
			if (run_loop(b, sc, warmup_iters(b, sc), true) == UINT64_MAX)
				return -1;
			pkts = iters * FWD_BURST;
			CALLGRIND_ZERO_STATS;
			c = run_measured(b, sc, iters);
		}
		CALLGRIND_DUMP_STATS_AT(mb_scen_names[i]);
		if (c == UINT64_MAX)
			return -1;
		printf("callgrind scenario=%s packets=%" PRIu64 "\n", mb_scen_names[i], pkts);
	}
	return 0;
}

/* ---- checks and report -------------------------------------------------------------------- */

static void
check_scenario(struct mb_bench *b, struct mb_scen *sc)
{
	const char *name = mb_scen_names[sc->id];
	uint64_t pkts = 0, nat = 0, fwd = 0;
	uint32_t slots = sc->ct != NULL ? b->n_rules : 1;
	struct ct_stats s;

	CHECK(sc->tx_out == sc->pipeline_pkts, "%s: %" PRIu64 " frames out of the uplink, %" PRIu64
	      " went in", name, sc->tx_out, sc->pipeline_pkts);
	for (uint32_t i = 0; i < slots; i++) {
		struct flow_counter c;

		flow_stats_pool_read(sc->pool, i, &c);
		pkts += c.packets;
		if (i == b->nat_slot)
			nat = c.packets;
		if (i == b->fwd_slot)
			fwd = c.packets;
	}
	if (sc->ct == NULL) {
		CHECK(pkts == sc->pipeline_pkts, "%s: the default rule counted %" PRIu64 " of %"
		      PRIu64 " frames", name, pkts, sc->pipeline_pkts);
		return;
	}
	/* Every frame hits the NAT rule, then the routing rule; nothing else. */
	CHECK(nat == sc->pipeline_pkts && fwd == sc->pipeline_pkts && pkts == 2 * nat,
	      "%s: of %" PRIu64 " frames the NAT rule counted %" PRIu64 ", the routing rule %"
	      PRIu64 ", the others %" PRIu64, name, sc->pipeline_pkts, nat, fwd, pkts - nat - fwd);
	conntrack_stats(sc->ct, &s);
	CHECK(s.c[CT_CNT_packets] == sc->pipeline_pkts + sc->direct_ct &&
	      s.c[CT_CNT_invalid] == 0 && s.c[CT_CNT_refused] == 0 && s.c[CT_CNT_nat_failed] == 0,
	      "%s: conntrack saw %" PRIu64 " packets (expected %" PRIu64 "), invalid %" PRIu64
	      ", refused %" PRIu64 ", nat_failed %" PRIu64, name, s.c[CT_CNT_packets],
	      sc->pipeline_pkts + sc->direct_ct, s.c[CT_CNT_invalid], s.c[CT_CNT_refused],
	      s.c[CT_CNT_nat_failed]);
	if (sc->id == MB_CT_NEW)
		CHECK(s.c[CT_CNT_created] == sc->pipeline_pkts,
		      "ct-new: %" PRIu64 " frames opened %" PRIu64 " connections",
		      sc->pipeline_pkts, s.c[CT_CNT_created]);
	else
		CHECK(s.c[CT_CNT_created] == sc->n_flows && conntrack_count(sc->ct) == sc->n_flows,
		      "%s: %" PRIu64 " connections created, %u live; expected %u", name,
		      s.c[CT_CNT_created], conntrack_count(sc->ct), sc->n_flows);
}

/* A last pass over every snat scenario's flows (their NAT ports must not have changed), then
 * the counters. Returns the number of failures. */
static int
check_results(struct mb_bench *b)
{
	const struct mb_harness *h = &b->h;
	const struct dp_port_stats *in = &h->stats[MB_IN], *out = &h->stats[MB_OUT];

	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		if (!b->opt.want[i] || sc->ct == NULL || sc->id == MB_CT_NEW)
			continue;
		select_scenario(b, sc);
		if (pass(b, sc, NULL, PASS_CHECK) < 0)
			b->bad++;
	}
	b->bad += mb_harness_check(h);
	CHECK(in->rx_packets == b->sent, "vm rx_packets %" PRIu64 ", sent %" PRIu64,
	      in->rx_packets, b->sent);
	CHECK(out->tx_packets == b->sent && h->drained[MB_OUT] == b->sent,
	      "uplink tx_packets %" PRIu64 ", its ring gave %" PRIu64 ", sent %" PRIu64,
	      out->tx_packets, h->drained[MB_OUT], b->sent);
	CHECK(h->drained[MB_IN] == 0, "vm's tx ring gave %" PRIu64 ", expected 0",
	      h->drained[MB_IN]);
	CHECK(rte_ring_count(h->learn_ring) == 0, "%u learn events queued",
	      rte_ring_count(h->learn_ring));
	for (int i = 0; i < MB_N_SCEN; i++)
		if (b->opt.want[i])
			check_scenario(b, &b->scen[i]);
	return b->bad;
}

static void
report_header(const struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	const struct flow_pipeline *pl = b->pl;
	unsigned int subt = 0;

	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		if (pl->tables[t] != NULL)
			subt += cls_table_n_subtables(pl->tables[t]);
	printf("# tsc %.2f GHz; %u rounds of %" PRIu64 " packets per l2/snat scenario, %u per "
	       "ct-new; bursts of %d 64-byte %s frames, 32 different flows each; %u VMs, %u "
	       "servers; seed %" PRIu64 "\n", (double)rte_get_tsc_hz() / 1e9, o->rounds,
	       (o->packets / o->rounds + FWD_BURST - 1) / FWD_BURST * FWD_BURST,
	       o->new_conns / FWD_BURST * FWD_BURST, FWD_BURST, o->tcp ? "TCP" : "UDP", o->vms,
	       o->servers, o->seed);
	printf("# rule set %s: %u rules, %u subtables, flow cache %s\n",
	       o->full_set ? "nat" : "minimal", b->n_rules, subt, pl->use_cache ? "on" : "off");
	for (uint32_t i = 0; i < b->n_rules; i++)
		printf("#   %s\n", b->rule_text[i]);
}

static void
report(struct mb_bench *b)
{
	const struct mb_opts *o = &b->opt;
	const struct mb_scen *base = o->want[MB_L2] ? &b->scen[MB_L2] : NULL;
	bool suspect = false;

	report_header(b);
	printf("%-10s %7s %7s %7s %8s %6s %6s %10s %5s %8s %5s\n", "# scenario", "conns",
	       "ns/pkt", "harness", "pipeline", "Mpps", "vs_l2", "conn/s", "hit%", "checked",
	       "cpu%");
	for (int i = 0; i < MB_N_SCEN; i++) {
		struct mb_scen *sc = &b->scen[i];

		if (!o->want[i])
			continue;
		mb_timing_medians(&sc->t, o->rounds);
	}
	for (int i = 0; i < MB_N_SCEN; i++) {
		const struct mb_scen *sc = &b->scen[i];
		char vs[16] = "-", cps[16] = "-", hits[16] = "-", conns[16] = "-";
		double cpu;

		if (!o->want[i])
			continue;
		if (sc->ct != NULL)
			snprintf(conns, sizeof(conns), "%u", sc->n_flows);
		if (base != NULL && base->t.pipe_ns > 0 && sc->t.pipe_ns > 0)
			snprintf(vs, sizeof(vs), "%.3f", base->t.pipe_ns / sc->t.pipe_ns);
		if (sc->id == MB_CT_NEW && sc->t.pipe_ns > 0)
			snprintf(cps, sizeof(cps), "%.0f", 1e9 / sc->t.pipe_ns);
		if (sc->hits + sc->misses > 0)
			snprintf(hits, sizeof(hits), "%.1f",
				 100.0 * (double)sc->hits / (double)(sc->hits + sc->misses));
		cpu = mb_timing_cpu(&sc->t);
		printf("%-10s %7s %7.2f %7.2f %8.2f %6.2f %6s %10s %5s %8" PRIu64 " %5.1f%s\n",
		       mb_scen_names[i], conns, sc->t.tot_ns, sc->t.ovh_ns, sc->t.pipe_ns,
		       sc->t.pipe_ns > 0 ? 1e3 / sc->t.pipe_ns : 0.0, vs, cps, hits, sc->inspected,
		       cpu,
		       cpu < MB_CPU_OK ? " *" : "");
		suspect |= cpu < MB_CPU_OK;
	}
	printf("# pipeline = ns/pkt - harness (medians over rounds; the harness copies each frame "
	       "from its template into a fresh mbuf); vs_l2 = packet rate relative to l2\n"
	       "# conn/s: ct-new's connections opened per second (one a frame); hit%%: flow cache "
	       "hits; checked: output frames read back and checked\n");
	mb_print_cpu_note(suspect);
	/* Every table has the same capacity: one line says what each costs. */
	for (int i = 0; i < MB_N_SCEN; i++) {
		const struct mb_scen *sc = &b->scen[i];
		size_t bytes;
		uint32_t cap;

		if (!o->want[i] || sc->ct == NULL)
			continue;
		bytes = conntrack_bytes(sc->ct);
		cap = conntrack_capacity(sc->ct);
		printf("# each connection table: capacity %u; conntrack_bytes() %.1f MiB = %.1f "
		       "B per connection; DPDK heap taken by conntrack_create() %.1f MiB = %.1f "
		       "B per connection\n", cap, (double)bytes / (1 << 20), (double)bytes / cap,
		       (double)sc->ct_heap / (1 << 20), (double)sc->ct_heap / cap);
		break;
	}
	if (o->want[MB_CT_NEW]) {
		struct mb_scen *sc = &b->scen[MB_CT_NEW];

		printf("# ct-new: conntrack_flush() of %u connections took %.1f ms (median)\n",
		       sc->n_flows, mb_median(sc->flush_ms, o->rounds));
	}
}

/* ---- options ------------------------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: microbench_ct [--scenarios LIST] [--packets N] [--warmup N] [--rounds R]\n"
		"                     [--new-conns N] [--ct-capacity N] [--vms N] [--servers N]\n"
		"                     [--proto udp|tcp] [--rule-set minimal|nat] [--seed S] "
		"[--lcore C] [--callgrind]\n"
		"  --scenarios    comma-separated subset of l2,snat-10,snat-10k,snat-100k,ct-new "
		"(default: all)\n"
		"  --packets      measured packets per l2/snat scenario, all rounds (default %d)\n"
		"  --warmup       packets through the pipeline before each l2/snat measurement\n"
		"                 (default: one pass over its flows)\n"
		"  --rounds       rounds, the medians reported, 1..%d (default %d)\n"
		"  --new-conns    connections ct-new opens per round, a multiple of 32 used "
		"(default %d)\n"
		"  --ct-capacity  every connection table's capacity (default %u)\n"
		"  --vms          VM addresses 10.0.0.2... on the vm port (default %d)\n"
		"  --servers      server addresses 198.18.0.1... port 443 (default %d)\n"
		"  --proto        udp (default) or tcp: TCP connections are established before\n"
		"                 timing, ct-new sends SYNs\n"
		"  --rule-set     minimal (default: the NAT rule, table 61's two rules and the\n"
		"                 default rule) or nat (all nat_rules_build() makes, and the\n"
		"                 default rule)\n"
		"  --seed         random seed (default 1)\n"
		"  --lcore        core to run on (default 0)\n"
		"  --callgrind    one measured loop per scenario, one callgrind dump each (run\n"
		"                 under valgrind --tool=callgrind --collect-atstart=no\n"
		"                 --toggle-collect=fwd_burst --toggle-collect=fwd_flush)\n",
		MB_DEFAULT_PACKETS, MB_MAX_ROUNDS, MB_DEFAULT_ROUNDS, MB_DEFAULT_NEW_CONNS,
		CT_CAPACITY_DEFAULT, MB_DEFAULT_VMS, MB_DEFAULT_SERVERS);
}

static int
parse_proto(const char *v, void *dst)
{
	if (strcmp(v, "udp") != 0 && strcmp(v, "tcp") != 0) {
		fprintf(stderr, "%s: --proto: bad value \"%s\"; expected udp or tcp\n", MB_PROG, v);
		return -EINVAL;
	}
	*(bool *)dst = v[0] == 't';
	return 0;
}

static int
parse_rule_set(const char *v, void *dst)
{
	if (strcmp(v, "minimal") != 0 && strcmp(v, "nat") != 0) {
		fprintf(stderr, "%s: --rule-set: bad value \"%s\"; expected minimal or nat\n",
			MB_PROG, v);
		return -EINVAL;
	}
	*(bool *)dst = v[0] == 'n';
	return 0;
}

/* Returns 0, 1 when --help was asked for, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct mb_opts *o)
{
	const struct mb_opt opts[] = {
		MB_NAMES_OPT("scenarios", o->want, mb_scen_names, MB_N_SCEN),
		MB_U64_OPT("packets", &o->packets, FWD_BURST, UINT64_C(1) << 40),
		MB_U64_OPT("warmup", &o->warmup, 0, UINT64_C(1) << 40),
		MB_U32_OPT("rounds", &o->rounds, 1, MB_MAX_ROUNDS),
		MB_U32_OPT("new-conns", &o->new_conns, FWD_BURST, 1u << 24),
		MB_U32_OPT("ct-capacity", &o->ct_capacity, FWD_BURST, 1u << 24),
		MB_U32_OPT("vms", &o->vms, 1, 1u << 16),
		MB_U32_OPT("servers", &o->servers, 1, 1u << 16),
		MB_FUNC_OPT("proto", &o->tcp, parse_proto),
		MB_FUNC_OPT("rule-set", &o->full_set, parse_rule_set),
		MB_U64_OPT("seed", &o->seed, 0, UINT64_MAX),
		MB_U32_OPT("lcore", &o->lcore, 0, RTE_MAX_LCORE - 1),
		MB_FLAG_OPT("callgrind", &o->callgrind),
	};
	int ret;

	*o = (struct mb_opts){ .packets = MB_DEFAULT_PACKETS, .rounds = MB_DEFAULT_ROUNDS,
			       .seed = 1, .ct_capacity = CT_CAPACITY_DEFAULT,
			       .new_conns = MB_DEFAULT_NEW_CONNS, .vms = MB_DEFAULT_VMS,
			       .servers = MB_DEFAULT_SERVERS };
	for (int i = 0; i < MB_N_SCEN; i++)
		o->want[i] = true;
	ret = mb_parse_args(MB_PROG, argc, argv, opts, RTE_DIM(opts), usage);
	if (ret != 0)
		return ret;
	o->new_conns = o->new_conns / FWD_BURST * FWD_BURST;
	return o->callgrind ? mb_callgrind_check(MB_PROG) : 0;
}

int
main(int argc, char **argv)
{
	static struct mb_bench b; /* large: the scenarios' per-round figures */
	unsigned int mem_mb;
	int ret;

	ret = parse_args(argc, argv, &b.opt);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	/* The flow cache and mbufs, and up to 4 connection tables of under 400 bytes a slot. */
	mem_mb = 256 + (unsigned int)(4 * (uint64_t)b.opt.ct_capacity * 400 >> 20);
	if (mb_eal_init(MB_PROG, mem_mb, b.opt.lcore) < 0)
		return 1;
	ret = setup(&b);
	if (ret == 0)
		ret = b.opt.callgrind ? run_callgrind(&b) : run_rounds(&b);
	if (ret == 0) {
		int bad = check_results(&b);

		if (!b.opt.callgrind)
			report(&b);
		printf("check=%s\n", bad ? "FAILED" : "ok");
		ret = bad ? -1 : 0;
	} else {
		printf("check=FAILED\n");
	}
	teardown(&b);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
