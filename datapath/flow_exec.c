/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <string.h>

#include "classifier.h"
#include "flow_cache.h"
#include "flow_exec.h"
#include "flow_key.h"
#include "flow_pipeline.h"
#include "forward_priv.h"
#include "packet_edit.h"

/* Frames the burst's rules handed to the L2 switch. */
struct normal_batch {
	uint16_t n;
	struct burst_info bi;
	struct rte_mbuf *m[FWD_BURST];
	struct fdb_key dst[FWD_BURST];
	struct fdb_key src[FWD_BURST];
	struct vlan_meta meta[FWD_BURST];
};

/* The state of one frame while its actions run. */
struct frame_ctx {
	struct rte_mbuf *m;
	struct vlan_meta *meta;
	struct flow_key *key;
	struct flow_offsets *off;
	uint16_t in_port;
	bool consumed;   /* m itself was handed on: nothing may touch it any more */
	uint8_t *recirc; /* ct(table=N) passes so far */
};

/* ct(table=N) may go back to an earlier table; a frame that keeps going
 * around is dropped after this many passes. */
#define FLOW_MAX_RECIRC 4

/*
 * The mbuf to hand to one consumer: m itself when this is the last action,
 * a copy when later actions change the frame, else m shared by reference.
 * NULL when a copy could not be made.
 */
static inline struct rte_mbuf *
take(struct fwd_ctx *ctx, struct frame_ctx *f, bool copy, bool last)
{
	if (last) {
		f->consumed = true;
		return f->m;
	}
	if (copy)
		return rte_pktmbuf_copy(f->m, ctx->pool, 0, UINT32_MAX);
	rte_mbuf_refcnt_update(f->m, 1);
	return f->m;
}

static inline void
output(struct fwd_ctx *ctx, const struct snapshot *snap, struct frame_ctx *f, uint16_t out,
       bool copy, bool last)
{
	const struct snap_port *op = &snap->ports[out];
	struct rte_mbuf *x;

	if (unlikely(out == f->in_port)) {
		ctx->stats[f->in_port].drops[DP_DROP_same_port]++;
		return;
	}
	/* Compiling drops outputs to ports not in the snapshot; this guards a
	 * port removed from the bridge while its table is being rebuilt. */
	if (unlikely(!op->in_use || op->bridge != snap->ports[f->in_port].bridge))
		return;
	if (unlikely(!op->link_up)) {
		ctx->stats[out].drops[DP_DROP_tx_link_down]++;
		return;
	}
	if (unlikely(f->meta->len3 > op->mtu)) {
		ctx->stats[out].drops[DP_DROP_mtu_exceeded]++;
		return;
	}
	x = take(ctx, f, copy, last);
	if (unlikely(x == NULL)) {
		ctx->stats[out].drops[DP_DROP_no_mbuf]++;
		return;
	}
	txbuf_add(ctx, snap, out, x);
}

/* To the control thread, which answers ARP and resolves neighbours for
 * the rules it generates. */
static void
to_controller(struct fwd_ctx *ctx, struct frame_ctx *f, bool copy, bool last)
{
	struct rte_mbuf *x = take(ctx, f, copy, last);
	struct dp_punt p = {.m = x, .port_no = f->in_port};

	if (unlikely(x == NULL)) {
		ctx->stats[f->in_port].drops[DP_DROP_no_mbuf]++;
		return;
	}
	if (unlikely(rte_ring_mp_enqueue_elem(ctx->punt_ring, &p, sizeof(p)) != 0)) {
		ctx->stats[f->in_port].drops[DP_DROP_punt_queue_full]++;
		rte_pktmbuf_free(x);
	}
}

/* Every port of the bridge whose link is up but the input one, frame as it is. */
static void
flood_as_is(struct fwd_ctx *ctx, const struct snapshot *snap, struct frame_ctx *f, bool copy)
{
	const struct snap_bridge *br = &snap->bridges[snap->ports[f->in_port].bridge];
	struct rte_mbuf *x = f->m;
	uint16_t targets[DP_MAX_PORTS], n = 0;

	for (uint16_t j = 0; j < br->n_flood; j++) {
		uint16_t out = br->flood[j];

		if (out == f->in_port)
			continue;
		if (unlikely(f->meta->len3 > snap->ports[out].mtu)) {
			ctx->stats[out].drops[DP_DROP_mtu_exceeded]++;
			continue;
		}
		targets[n++] = out;
	}
	if (n == 0) {
		ctx->stats[f->in_port].drops[DP_DROP_no_port]++;
		return;
	}
	if (copy) {
		x = rte_pktmbuf_copy(f->m, ctx->pool, 0, UINT32_MAX);
		if (unlikely(x == NULL)) {
			ctx->stats[f->in_port].drops[DP_DROP_no_mbuf]++;
			return;
		}
	} else {
		rte_mbuf_refcnt_update(x, 1); /* the caller keeps its own reference */
	}
	send_shared(ctx, snap, targets, n, x);
}

/* Hands the frame to the L2 switch, which may retag it: it needs a frame of its own. */
static void
to_normal(struct fwd_ctx *ctx, struct frame_ctx *f, bool last, struct normal_batch *nb)
{
	const struct rte_ether_hdr *eth;
	struct rte_mbuf *x;
	uint16_t vid = f->meta->tci & VLAN_VID_MAX;
	uint16_t i = nb->n;

	if (last && rte_mbuf_refcnt_read(f->m) == 1) {
		f->consumed = true;
		x = f->m;
	} else {
		x = rte_pktmbuf_copy(f->m, ctx->pool, 0, UINT32_MAX);
		if (unlikely(x == NULL)) {
			ctx->stats[f->in_port].drops[DP_DROP_no_mbuf]++;
			return;
		}
	}
	eth = rte_pktmbuf_mtod(x, const struct rte_ether_hdr *);
	nb->m[i] = x;
	nb->dst[i] = (struct fdb_key){.mac = eth->dst_addr, .vlan = vid};
	nb->src[i] = (struct fdb_key){.mac = eth->src_addr, .vlan = vid};
	nb->meta[i] = *f->meta;
	nb->bi.max_len3 = RTE_MAX(nb->bi.max_len3, f->meta->len3);
	nb->bi.tag_kinds |= (uint8_t)(1u << f->meta->tagged);
	nb->n++;
}

static inline void
shift_offsets(struct flow_offsets *off, int delta)
{
	if (off->l3 != 0)
		off->l3 = (uint16_t)(off->l3 + delta);
	if (off->l4 != 0)
		off->l4 = (uint16_t)(off->l4 + delta);
}

static int
push_vlan(struct frame_ctx *f, uint16_t tpid)
{
	if (unlikely(vlan_push(f->m, tpid, f->meta->tci) < 0))
		return -1;
	f->meta->tagged = 1;
	f->meta->tpid = tpid;
	shift_offsets(f->off, VLAN_HLEN);
	return 0;
}

static void
pop_vlan(struct frame_ctx *f)
{
	const uint8_t *p;

	if (!f->meta->tagged)
		return;
	vlan_pop(f->m);
	shift_offsets(f->off, -VLAN_HLEN);
	p = rte_pktmbuf_mtod(f->m, const uint8_t *);
	/* An inner tag becomes the frame's VLAN. */
	if (rte_pktmbuf_data_len(f->m) >= RTE_ETHER_HDR_LEN + VLAN_HLEN && vlan_is_tpid_be(p + 12)) {
		f->meta->tci = vlan_read16(p + 14);
		f->meta->tpid = vlan_read16(p + 12);
		f->key->vlan_tci = f->meta->tci;
	} else {
		f->meta->tagged = 0;
	}
}

static int
set_vlan_vid(struct frame_ctx *f, uint16_t vid)
{
	uint16_t tci = (uint16_t)((f->meta->tci & ~VLAN_VID_MAX) | vid);

	f->meta->tci = tci;
	f->key->vlan_tci = tci;
	if (!f->meta->tagged)
		return push_vlan(f, f->meta->tpid ? f->meta->tpid : VLAN_TPID_8021Q);
	tci = rte_cpu_to_be_16(tci);
	memcpy(rte_pktmbuf_mtod_offset(f->m, uint8_t *, 14), &tci, sizeof(tci));
	return 0;
}

/*
 * Runs one rule's actions on a frame. Returns the table to continue in, or
 * -1 when the frame is done with (sent, queued for the L2 switch or freed).
 */
static int
run_actions(struct fwd_ctx *ctx, const struct snapshot *snap, struct frame_ctx *f,
	    const struct flow_actions *acts, struct normal_batch *nb, bool ct_done)
{
	uint16_t n = acts->n;

	if (unlikely(n == 0)) {
		ctx->stats[f->in_port].drops[DP_DROP_rule_drop]++;
		rte_pktmbuf_free(f->m);
		return -1;
	}
	for (uint16_t j = 0; j < n; j++) {
		const struct flow_act *a = &acts->a[j];
		bool last = j == n - 1;
		int rc = 0;

		switch (a->type) {
		case FLOW_ACT_OUTPUT:
			output(ctx, snap, f, a->arg, a->copy, last);
			break;
		case FLOW_ACT_NORMAL:
			to_normal(ctx, f, last, nb);
			break;
		case FLOW_ACT_FLOOD:
			flood_as_is(ctx, snap, f, a->copy);
			break;
		case FLOW_ACT_CONTROLLER:
			to_controller(ctx, f, a->copy, last);
			break;
		case FLOW_ACT_PUSH_VLAN:
			rc = push_vlan(f, a->arg);
			break;
		case FLOW_ACT_POP_VLAN:
			pop_vlan(f);
			break;
		case FLOW_ACT_SET_VLAN_VID:
			rc = set_vlan_vid(f, a->arg);
			break;
		case FLOW_ACT_SET_DL_SRC:
			packet_set_dl_src(f->m, f->key, &a->val.mac);
			break;
		case FLOW_ACT_SET_DL_DST:
			packet_set_dl_dst(f->m, f->key, &a->val.mac);
			break;
		case FLOW_ACT_SET_NW_SRC:
			packet_set_nw_src(f->m, f->off, f->key, a->val.ip4);
			break;
		case FLOW_ACT_SET_NW_DST:
			packet_set_nw_dst(f->m, f->off, f->key, a->val.ip4);
			break;
		case FLOW_ACT_SET_IPV6_SRC:
			packet_set_ipv6_src(f->m, f->off, f->key, a->val.ip6);
			break;
		case FLOW_ACT_SET_IPV6_DST:
			packet_set_ipv6_dst(f->m, f->off, f->key, a->val.ip6);
			break;
		case FLOW_ACT_SET_TP_SRC:
			packet_set_tp_src(f->m, f->off, f->key, a->val.port);
			break;
		case FLOW_ACT_SET_TP_DST:
			packet_set_tp_dst(f->m, f->off, f->key, a->val.port);
			break;
		case FLOW_ACT_SET_DSCP:
			packet_set_dscp(f->m, f->off, f->key, (uint8_t)a->arg);
			break;
		case FLOW_ACT_DEC_TTL:
			if (packet_dec_ttl(f->m, f->off, f->key) == 1) {
				ctx->stats[f->in_port].drops[DP_DROP_ttl_exceeded]++;
				j = n; /* what is already sent stays sent; nothing more */
			}
			break;
		case FLOW_ACT_GOTO_TABLE:
			return a->arg; /* always last: the frame is still ours */
		case FLOW_ACT_CT:
			if (!(j == 0 && ct_done))
				conntrack_execute(ctx->ct, ctx->txq_base, f->m, f->off, f->key,
						  snap->ports[f->in_port].bridge, &a->val.ct,
						  ctx->now);
			if (!(a->val.ct.flags & CT_F_TABLE))
				break;
			/* always last, like goto_table */
			if (unlikely(++*f->recirc > FLOW_MAX_RECIRC)) {
				ctx->stats[f->in_port].drops[DP_DROP_recirc_limit]++;
				rte_pktmbuf_free(f->m);
				return -1;
			}
			return a->val.ct.table;
		default:
			break;
		}
		if (unlikely(rc < 0)) { /* no headroom for a tag */
			ctx->stats[f->in_port].drops[DP_DROP_no_mbuf]++;
			break;
		}
		if (f->consumed)
			return -1;
	}
	/* Drops the reference this function held; whoever shares the frame keeps theirs. */
	rte_pktmbuf_free(f->m);
	return -1;
}

/* What the burst's frames hit so far, for the flow cache. */
struct cache_state {
	bool on;
	uint64_t gen;
	uint32_t hash[FWD_BURST];
	const struct flow_cache_entry *ce[FWD_BURST]; /* a hit: the rules to apply */
	uint8_t step[FWD_BURST];                      /* a hit: its rules used so far */
	uint8_t n_rec[FWD_BURST];  /* a miss: hits recorded; stops at a rule that rewrites and goes on */
	bool partial[FWD_BURST];   /* a miss: recording stopped there */
	struct flow_key orig[FWD_BURST];              /* a miss: the key before any set_field */
	const struct flow_entry *rec[FWD_BURST][FLOW_CACHE_CHAIN];
};

/* Looks every frame up in the cache, hashing and prefetching the whole
 * burst first so the sets' cache misses overlap. */
static void
cache_lookup(struct fwd_ctx *ctx, struct cache_state *cs, const struct flow_key *keys,
	     uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		cs->hash[i] = flow_cache_hash(&keys[i]);
		flow_cache_prefetch(ctx->fcache, cs->hash[i]);
	}
	for (uint16_t i = 0; i < n; i++) {
		cs->ce[i] = flow_cache_find(ctx->fcache, &keys[i], cs->hash[i], cs->gen);
		if (cs->ce[i] == NULL)
			cs->orig[i] = keys[i];
		cs->step[i] = 0;
		cs->n_rec[i] = 0;
		cs->partial[i] = false;
	}
}

static void
cache_fill(struct fwd_ctx *ctx, const struct cache_state *cs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (cs->ce[i] == NULL && cs->n_rec[i] <= FLOW_CACHE_CHAIN)
			flow_cache_insert(ctx->fcache, &cs->orig[i], cs->hash[i], cs->gen,
					  cs->rec[i], cs->n_rec[i], cs->partial[i]);
}

/* The rule each of the k frames idx[] hits in table t: from the cache for
 * cached flows, from the classifier for the others (recorded for the cache). */
static void
resolve(const struct flow_pipeline *pl, unsigned int t, struct cache_state *cs,
	const struct flow_key *keys, const uint8_t *idx, unsigned int k, const void **hit)
{
	const struct flow_key *kp[FWD_BURST];
	uint8_t miss[FWD_BURST];
	const void *found[FWD_BURST];
	unsigned int nm = 0;

	for (unsigned int j = 0; j < k; j++) {
		uint8_t i = idx[j];
		const struct flow_cache_entry *ce = cs->on ? cs->ce[i] : NULL;

		/* A partial entry's frame goes on in the classifier once past it. */
		if (ce != NULL && (cs->step[i] < ce->n_hits || !ce->partial)) {
			hit[j] = cs->step[i] < ce->n_hits ? ce->hit[cs->step[i]] : NULL;
			cs->step[i]++;
			continue;
		}
		miss[nm] = (uint8_t)j;
		kp[nm++] = &keys[i];
	}
	if (nm == 0)
		return;
	if (pl->tables[t] != NULL)
		cls_table_lookup_burst(pl->tables[t], kp, nm, found);
	else
		memset(found, 0, sizeof(found[0]) * nm);
	for (unsigned int m = 0; m < nm; m++) {
		uint8_t j = miss[m], i = idx[j];

		hit[j] = found[m];
		if (cs->on && cs->ce[i] == NULL && !cs->partial[i]) {
			const struct flow_entry *e = found[m];

			if (cs->n_rec[i] < FLOW_CACHE_CHAIN)
				cs->rec[i][cs->n_rec[i]] = e;
			cs->n_rec[i]++; /* past FLOW_CACHE_CHAIN: too long to cache */
			/* What the next table sees depends on more than the key
			 * (see struct flow_entry): the cache keeps the way up to here. */
			if (e != NULL && e->rewrites_then_goto)
				cs->partial[i] = true;
		}
	}
}

/* Runs the ct() that starts the actions of several of the k frames idx[]
 * for all of them at once (their tuples looked up together); ct_done[j]
 * says it was run for frame j. */
static void
ct_batch(struct fwd_ctx *ctx, uint16_t bridge, const void *const *hit, const uint8_t *idx,
	 unsigned int k, struct rte_mbuf **pkts, const struct flow_offsets *off,
	 struct flow_key *keys, bool *ct_done)
{
	struct ct_frame cf[FWD_BURST];
	uint8_t which[FWD_BURST];
	unsigned int n = 0;

	for (unsigned int j = 0; j < k; j++) {
		const struct flow_entry *e = hit[j];
		uint8_t i = idx[j];

		ct_done[j] = false;
		if (e == NULL || e->acts->n == 0 || e->acts->a[0].type != FLOW_ACT_CT)
			continue;
		cf[n] = (struct ct_frame){.m = pkts[i], .off = &off[i], .k = &keys[i],
					  .args = &e->acts->a[0].val.ct};
		which[n++] = (uint8_t)j;
	}
	if (n < 2)
		return; /* alone, it is run with the other actions */
	conntrack_execute_burst(ctx->ct, ctx->txq_base, cf, n, bridge, ctx->now);
	for (unsigned int m = 0; m < n; m++)
		ct_done[which[m]] = true;
}

void
flow_exec_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
		struct rte_mbuf **pkts, struct vlan_meta *meta, uint16_t n)
{
	const struct snap_port *ip = &snap->ports[in_port];
	const struct flow_pipeline *pl = snap->bridges[ip->bridge].pipeline;
	struct dp_port_stats *ist = &ctx->stats[in_port];
	struct flow_key keys[FWD_BURST];
	struct flow_offsets off[FWD_BURST];
	uint8_t table[FWD_BURST];
	uint8_t recirc[FWD_BURST];
	struct normal_batch nb;
	struct cache_state cs;
	uint64_t pending = 1; /* tables with frames waiting; every frame starts in table 0 */

	nb.n = 0;
	nb.bi.max_len3 = 0;
	nb.bi.tag_kinds = 0;
	for (uint16_t i = 0; i < n; i++) {
		flow_key_extract_offsets(pkts[i], in_port, &meta[i], &keys[i], &off[i]);
		table[i] = 0;
		recirc[i] = 0;
	}
	cs.on = pl->use_cache;
	cs.gen = pl->gen;
	if (cs.on)
		cache_lookup(ctx, &cs, keys, n);
	/* goto_table only goes forward, so handling tables in increasing order
	 * sees every frame of a table at once (ct(table=N) may go back: such
	 * a frame waits for its table's next turn). */
	while (pending != 0) {
		unsigned int t = (unsigned int)__builtin_ctzll(pending);
		const void *hit[FWD_BURST];
		bool ct_done[FWD_BURST];
		uint8_t idx[FWD_BURST];
		unsigned int k = 0;

		pending &= pending - 1;
		for (uint16_t i = 0; i < n; i++)
			if (pkts[i] != NULL && table[i] == t)
				idx[k++] = (uint8_t)i;
		resolve(pl, t, &cs, keys, idx, k, hit);
		ct_batch(ctx, ip->bridge, hit, idx, k, pkts, off, keys, ct_done);
		for (unsigned int j = 0; j < k; j++) {
			const struct flow_entry *e = hit[j];
			uint16_t i = idx[j];
			struct frame_ctx f = {
				.m = pkts[i],
				.meta = &meta[i],
				.key = &keys[i],
				.off = &off[i],
				.in_port = in_port,
				.consumed = false,
				.recirc = &recirc[i],
			};
			int next;

			if (e == NULL) {
				ist->drops[DP_DROP_no_match]++;
				rte_pktmbuf_free(pkts[i]);
				pkts[i] = NULL;
				continue;
			}
			flow_stats_count(ctx->fstats, e->stats_slot, rte_pktmbuf_pkt_len(pkts[i]));
			next = run_actions(ctx, snap, &f, e->acts, &nb, ct_done[j]);
			if (next >= 0) {
				table[i] = (uint8_t)next;
				pending |= UINT64_C(1) << next;
			} else {
				pkts[i] = NULL;
			}
		}
	}
	if (cs.on)
		cache_fill(ctx, &cs, n);
	if (nb.n > 0)
		fwd_l2_burst(ctx, snap, in_port, nb.m, nb.dst, nb.src, nb.meta, nb.n, &nb.bi);
}
