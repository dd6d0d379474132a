/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "flow_exec.h"
#include "forward.h"
#include "forward_priv.h"
#include "frame.h"

struct fwd_ctx *
fwd_ctx_create(const struct fwd_ctx_params *p)
{
	struct fwd_ctx *ctx = rte_zmalloc_socket("fwd_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE,
						 p->socket_id);

	if (ctx == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ctx->txq_base = p->pmd;
	ctx->learn_ring = p->learn_ring;
	ctx->stats = p->stats;
	ctx->pool = p->pool;
	ctx->tx_locks = p->tx_locks;
	ctx->fstats = p->fstats;
	ctx->ct = p->ct;
	ctx->punt_ring = p->punt_ring;
	ctx->fcache = flow_cache_create(p->socket_id);
	if (ctx->fcache == NULL) {
		rte_free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	return ctx;
}

void
fwd_ctx_destroy(struct fwd_ctx *ctx)
{
	if (ctx == NULL)
		return;
	flow_cache_destroy(ctx->fcache);
	rte_free(ctx);
}

void
fwd_txbuf_flush_port(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no)
{
	struct fwd_txbuf *b = &ctx->txb[port_no];
	const struct snap_port *p = &snap->ports[port_no];
	struct dp_port_stats *st = &ctx->stats[port_no];
	uint16_t n = b->n, sent, q;
	uint64_t bytes = 0;

	/* Bytes are summed before the burst: a sent mbuf may be freed by the driver. */
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	/* n_txq covers every PMD thread unless a device offers fewer queues. */
	q = likely(ctx->txq_base < p->n_txq) ? ctx->txq_base : ctx->txq_base % p->n_txq;
	if (likely(!p->tx_shared)) {
		sent = rte_eth_tx_burst(p->eth_port, q, b->pkts, n);
	} else {
		rte_spinlock_lock(&ctx->tx_locks[port_no]);
		sent = rte_eth_tx_burst(p->eth_port, q, b->pkts, n);
		rte_spinlock_unlock(&ctx->tx_locks[port_no]);
	}
	if (unlikely(sent < n)) {
		for (uint16_t i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
		rte_pktmbuf_free_bulk(&b->pkts[sent], n - sent);
		st->drops[DP_DROP_tx_queue_full] += n - sent;
	}
	st->tx_packets += sent;
	st->tx_bytes += bytes;
	b->n = 0;
}

/*
 * Sends m to every port of the flood set that carries its VLAN, but the
 * input port. Ports that want the frame as it is share m; the others (it
 * must gain or lose its tag for them) share one tagged or untagged version:
 * m itself when nobody wants it as it is, else a copy.
 */
static inline void
flood(struct fwd_ctx *ctx, const struct snapshot *snap, const struct snap_bridge *br,
      uint16_t in_port, struct rte_mbuf *m, const struct vlan_meta *meta)
{
	uint16_t same[DP_MAX_PORTS], other[DP_MAX_PORTS];
	uint16_t n_same = 0, n_other = 0, vid = meta->tci & VLAN_VID_MAX;
	enum vlan_egress other_eg = meta->tagged ? VLAN_EGRESS_UNTAGGED : VLAN_EGRESS_TAGGED;
	bool too_big = false;
	struct rte_mbuf *m2;

	/* A bridge without VLAN settings, and a frame every port can take: every
	 * port but the input one gets the frame as it is. */
	if (likely(br->vlan_uniform & (meta->len3 <= br->min_mtu))) {
		uint16_t targets = br->n_flood - (snap->ports[in_port].link_up ? 1 : 0);

		if (unlikely(targets == 0)) {
			ctx->stats[in_port].drops[DP_DROP_no_port]++;
			rte_pktmbuf_free(m);
			return;
		}
		if (targets > 1)
			rte_mbuf_refcnt_update(m, (int16_t)(targets - 1));
		for (uint16_t j = 0; j < br->n_flood; j++)
			if (br->flood[j] != in_port)
				txbuf_add(ctx, snap, br->flood[j], m);
		return;
	}
	for (uint16_t j = 0; j < br->n_flood; j++) {
		uint16_t out = br->flood[j];
		const struct snap_port *op = &snap->ports[out];
		enum vlan_egress eg = vlan_egress(&op->vlan, vid);

		if (out == in_port || eg == VLAN_EGRESS_NONE)
			continue;
		if (unlikely(meta->len3 > op->mtu)) {
			ctx->stats[out].drops[DP_DROP_mtu_exceeded]++;
			too_big = true;
			continue;
		}
		if (eg == other_eg)
			other[n_other++] = out;
		else
			same[n_same++] = out;
	}
	if (unlikely(n_same + n_other == 0)) {
		if (!too_big)
			ctx->stats[in_port].drops[DP_DROP_no_port]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (n_other == 0)
		return send_shared(ctx, snap, same, n_same, m);
	m2 = n_same == 0 ? m : rte_pktmbuf_copy(m, ctx->pool, 0, UINT32_MAX);
	if (unlikely(m2 == NULL || vlan_apply(m2, meta, other_eg) < 0)) {
		for (uint16_t j = 0; j < n_other; j++)
			ctx->stats[other[j]].drops[DP_DROP_no_mbuf]++;
		if (m2 != NULL)
			rte_pktmbuf_free(m2);
		if (n_same > 0)
			send_shared(ctx, snap, same, n_same, m);
		return;
	}
	if (n_same > 0)
		send_shared(ctx, snap, same, n_same, m);
	send_shared(ctx, snap, other, n_other, m2);
}

/*
 * A run is a sequence of frames with the same source and destination (the
 * first 12 bytes of the Ethernet header): one flow, as most bursts are.
 * Lookups, learning and the forwarding decision are made once per run.
 */
struct fwd_run {
	uint16_t start;
	uint16_t len;
};

static inline bool
same_addresses(const struct fdb_key *dst, const struct fdb_key *src, uint16_t i)
{
	/* '&', not '&&': both compares are cheaper than a branch between them. */
	return fdb_key_equal(&dst[i - 1], &dst[i]) & fdb_key_equal(&src[i - 1], &src[i]);
}

/* Splits n parsed frames into runs; returns how many. */
static inline uint16_t
find_runs(const struct fdb_key *dst, const struct fdb_key *src, uint16_t n,
	  struct fwd_run *runs)
{
	uint16_t nr = 0;

	runs[0].start = 0;
	for (uint16_t i = 1; i < n; i++) {
		if (!same_addresses(dst, src, i)) {
			runs[nr].len = (uint16_t)(i - runs[nr].start);
			runs[++nr].start = i;
		}
	}
	runs[nr].len = (uint16_t)(n - runs[nr].start);
	return (uint16_t)(nr + 1);
}

/* Touches known sources; queues the others (moved or new) for the control thread. */
static inline void
learn_sources(struct fwd_ctx *ctx, const struct snap_port *ip, uint16_t in_port,
	      const struct fdb_key *src, const struct fwd_run *runs, uint16_t nr,
	      struct fdb_entry *const src_ent[])
{
	struct learn_event ev[FWD_BURST];
	uint16_t n_ev = 0;

	for (uint16_t r = 0; r < nr; r++) {
		struct fdb_entry *e = src_ent[r];
		const struct fdb_key *k = &src[runs[r].start];

		if (likely(e != NULL && e->port == in_port)) {
			fdb_touch_rcu(e, ctx->now);
			continue;
		}
		if (n_ev > 0 && fdb_key_equal(&ev[n_ev - 1].key, k))
			continue;
		ev[n_ev].key = *k;
		ev[n_ev].bridge = ip->bridge;
		ev[n_ev].port_no = in_port;
		ev[n_ev].reserved = 0;
		n_ev++;
	}
	if (n_ev > 0) {
		unsigned int k = rte_ring_sp_enqueue_burst_elem(ctx->learn_ring, ev, sizeof(ev[0]),
								n_ev, NULL);

		ctx->stats[in_port].drops[DP_DROP_learn_queue_full] += n_ev - k;
	}
}

/*
 * Looks up each run's source and destination in one bulk call (rte_hash
 * pipelines the bucket fetches of a bulk). A key equal to the previous run's
 * is not looked up again: runs of new senders often share a destination.
 */
static inline void
lookup_runs(const struct fdb *fdb, const struct fdb_key *src, const struct fdb_key *dst,
	    const struct fwd_run *runs, uint16_t nr, struct fdb_entry *src_ent[],
	    struct fdb_entry *dst_ent[])
{
	const struct fdb_key *keys[2 * FWD_BURST];
	struct fdb_entry *ent[2 * FWD_BURST];
	uint8_t sidx[FWD_BURST], didx[FWD_BURST];
	unsigned int nk = 0;

	for (uint16_t r = 0; r < nr; r++) {
		const struct fdb_key *k = &src[runs[r].start];

		if (r == 0 || !fdb_key_equal(k, keys[nk - 1]))
			keys[nk++] = k;
		sidx[r] = (uint8_t)(nk - 1);
	}
	for (uint16_t r = 0; r < nr; r++) {
		const struct fdb_key *k = &dst[runs[r].start];

		if (r == 0 || !fdb_key_equal(k, keys[nk - 1]))
			keys[nk++] = k;
		didx[r] = (uint8_t)(nk - 1);
	}
	fdb_lookup_bulk_rcu(fdb, keys, nk, ent);
	for (uint16_t r = 0; r < nr; r++) {
		src_ent[r] = ent[sidx[r]];
		dst_ent[r] = ent[didx[r]];
	}
}

static inline void
drop_run(struct dp_port_stats *st, enum dp_drop_reason why, struct rte_mbuf **m, uint16_t k)
{
	st->drops[why] += k;
	rte_pktmbuf_free_bulk(m, k);
}

/* One frame of a run that cannot go out as it is: too big, or its tag must change. */
static inline void
send_fixed(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t out, struct rte_mbuf *m,
	   const struct vlan_meta *meta, enum vlan_egress eg)
{
	struct dp_port_stats *st = &ctx->stats[out];

	if (unlikely(meta->len3 > snap->ports[out].mtu)) {
		st->drops[DP_DROP_mtu_exceeded]++;
		rte_pktmbuf_free(m);
	} else if (unlikely(vlan_apply(m, meta, eg) < 0)) {
		st->drops[DP_DROP_no_mbuf]++;
		rte_pktmbuf_free(m);
	} else {
		txbuf_add(ctx, snap, out, m);
	}
}

/* Sends one run where the destination entry e says, or floods it. */
static inline void
forward_run(struct fwd_ctx *ctx, const struct snapshot *snap, const struct snap_bridge *br,
	    uint16_t in_port, const struct fdb_entry *e, struct rte_mbuf **m,
	    const struct vlan_meta *meta, uint16_t k, const struct burst_info *bi)
{
	const struct snap_port *op;
	enum vlan_egress eg;
	uint16_t out;
	uint8_t want_tag;
	int odd = 0;

	if (e == NULL)
		goto flood;
	out = e->port;
	if (unlikely(out == in_port))
		return drop_run(&ctx->stats[in_port], DP_DROP_same_port, m, k);
	/* An entry can name a port removed a moment ago, or one whose VLANs just
	 * changed, before the control thread flushed it: such frames are flooded
	 * like unknown ones. */
	if (unlikely(out >= DP_MAX_PORTS))
		goto flood;
	op = &snap->ports[out];
	if (unlikely(!op->in_use || op->bridge != snap->ports[in_port].bridge))
		goto flood;
	eg = vlan_egress(&op->vlan, meta[0].tci & VLAN_VID_MAX);
	if (unlikely(eg == VLAN_EGRESS_NONE))
		goto flood;
	if (unlikely(!op->link_up))
		return drop_run(&ctx->stats[out], DP_DROP_tx_link_down, m, k);
	want_tag = eg == VLAN_EGRESS_TAGGED;
	/* What the burst as a whole is decides the common case without a pass
	 * over the run: no frame too big, every frame's tag already right. */
	if (unlikely(bi->max_len3 > op->mtu || bi->tag_kinds != 1u << want_tag)) {
		/* '|', not '||': one pass without branches. */
		for (uint16_t i = 0; i < k; i++)
			odd |= (meta[i].tagged != want_tag) | (meta[i].len3 > op->mtu);
	}
	if (likely(!odd)) {
		txbuf_add_bulk(ctx, snap, out, m, k);
		return;
	}
	for (uint16_t i = 0; i < k; i++)
		send_fixed(ctx, snap, out, m[i], &meta[i], eg);
	return;
flood:
	for (uint16_t i = 0; i < k; i++)
		flood(ctx, snap, br, in_port, m[i], &meta[i]);
}

/* Drops the frames larger than the input port's MTU, adding their bytes to
 * *dropped_bytes; returns how many remain. */
static __rte_noinline uint16_t
drop_oversize(struct dp_port_stats *st, uint16_t mtu, struct rte_mbuf **ok, struct fdb_key *dst,
	      struct fdb_key *src, struct vlan_meta *meta, uint16_t n, struct burst_info *bi,
	      uint64_t *dropped_bytes)
{
	uint16_t kept = 0;

	bi->max_len3 = 0;
	bi->tag_kinds = 0;
	for (uint16_t i = 0; i < n; i++) {
		if (meta[i].len3 > mtu) {
			st->drops[DP_DROP_oversize]++;
			*dropped_bytes += rte_pktmbuf_pkt_len(ok[i]);
			rte_pktmbuf_free(ok[i]);
			continue;
		}
		ok[kept] = ok[i];
		dst[kept] = dst[i];
		src[kept] = src[i];
		meta[kept] = meta[i];
		bi->max_len3 = RTE_MAX(bi->max_len3, meta[i].len3);
		bi->tag_kinds |= (uint8_t)(1u << meta[i].tagged);
		kept++;
	}
	return kept;
}

/* The L2 stage: per run lookups, learning and the forwarding decision. */
static inline void
l2_stage(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	 struct rte_mbuf **ok, struct fdb_key *dst, struct fdb_key *src, struct vlan_meta *meta,
	 uint16_t n_ok, const struct burst_info *bi)
{
	const struct snap_port *ip = &snap->ports[in_port];
	const struct snap_bridge *br = &snap->bridges[ip->bridge];
	struct fdb_entry *src_ent[FWD_BURST], *dst_ent[FWD_BURST];
	struct fwd_run runs[FWD_BURST];
	uint16_t nr;

	nr = find_runs(dst, src, n_ok, runs);
	/* Group destinations are never in the table (group sources are dropped
	 * by parsing), so their lookup misses and sends them to flood. */
	lookup_runs(br->fdb, src, dst, runs, nr, src_ent, dst_ent);
	learn_sources(ctx, ip, in_port, src, runs, nr, src_ent);
	for (uint16_t r = 0; r < nr; r++)
		forward_run(ctx, snap, br, in_port, dst_ent[r], &ok[runs[r].start],
			    &meta[runs[r].start], runs[r].len, bi);
}

void
fwd_l2_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	     struct rte_mbuf **pkts, struct fdb_key *dst, struct fdb_key *src,
	     struct vlan_meta *meta, uint16_t n, const struct burst_info *bi)
{
	l2_stage(ctx, snap, in_port, pkts, dst, src, meta, n, bi);
}

/* The hot loop: per frame only parsing and splitting into runs; the rest is per run. */
void
fwd_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	  struct rte_mbuf **pkts, uint16_t n)
{
	const struct snap_port *ip = &snap->ports[in_port];
	const struct snap_bridge *br = &snap->bridges[ip->bridge];
	struct dp_port_stats *ist = &ctx->stats[in_port];
	struct fdb_key dst[FWD_BURST], src[FWD_BURST];
	struct vlan_meta meta[FWD_BURST];
	struct burst_info bi = {.max_len3 = 0, .tag_kinds = 0};
	struct rte_mbuf *ok[FWD_BURST];
	uint16_t n_ok = 0;
	uint64_t bytes = 0, dropped_bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		int reason;

		bytes += len;
		reason = frame_parse(m, &ip->vlan, &dst[n_ok], &src[n_ok], &meta[n_ok]);
		if (unlikely(reason >= 0)) {
			ist->drops[reason]++;
			dropped_bytes += len;
			rte_pktmbuf_free(m);
			continue;
		}
		bi.max_len3 = RTE_MAX(bi.max_len3, meta[n_ok].len3);
		bi.tag_kinds |= (uint8_t)(1u << meta[n_ok].tagged);
		ok[n_ok++] = m;
	}
	ist->rx_packets += n;
	ist->rx_bytes += bytes;
	/* Frames too big for the input port are rare: one compare per burst finds them. */
	if (unlikely(bi.max_len3 > ip->mtu))
		n_ok = drop_oversize(ist, ip->mtu, ok, dst, src, meta, n_ok, &bi, &dropped_bytes);
	if (unlikely(n_ok == 0))
		return;
	/* A bridge with rules of its own classifies; one with only the default
	 * rule (actions=normal) is the L2 switch and skips that. */
	if (br->pipeline != NULL)
		return flow_exec_burst(ctx, snap, in_port, ok, meta, n_ok);
	/* The bytes of the frames left, from the parsing pass rather than a second one. */
	if (likely(br->count_default))
		flow_stats_count_n(ctx->fstats, br->default_slot, n_ok, bytes - dropped_bytes);
	l2_stage(ctx, snap, in_port, ok, dst, src, meta, n_ok, &bi);
}

void
fwd_flush(struct fwd_ctx *ctx, const struct snapshot *snap)
{
	for (uint16_t i = 0; i < ctx->n_dirty; i++) {
		uint16_t port_no = ctx->dirty[i];

		if (ctx->txb[port_no].n > 0)
			fwd_txbuf_flush_port(ctx, snap, port_no);
	}
	ctx->n_dirty = 0;
}
