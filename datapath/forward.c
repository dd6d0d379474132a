/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "forward.h"
#include "frame.h"

struct fwd_ctx *
fwd_ctx_create(uint16_t pmd, struct rte_ring *learn_ring, struct dp_port_stats *stats,
	       int socket_id)
{
	struct fwd_ctx *ctx = rte_zmalloc_socket("fwd_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE,
						 socket_id);

	if (ctx == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ctx->txq_base = pmd;
	ctx->learn_ring = learn_ring;
	ctx->stats = stats;
	return ctx;
}

void
fwd_ctx_destroy(struct fwd_ctx *ctx)
{
	rte_free(ctx);
}

static void
txbuf_flush_port(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no)
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
	sent = rte_eth_tx_burst(p->eth_port, q, b->pkts, n);
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

/* Appends k frames for one port; k <= FWD_BURST. */
static inline void
txbuf_add_bulk(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no,
	       struct rte_mbuf *const *m, uint16_t k)
{
	struct fwd_txbuf *b = &ctx->txb[port_no];

	if (b->n == 0)
		ctx->dirty[ctx->n_dirty++] = port_no;
	else if (unlikely(b->n + k > FWD_TXBUF_SIZE))
		txbuf_flush_port(ctx, snap, port_no); /* stays on the dirty list */
	/* A loop, not memcpy(): runs are short and a libc call costs more. */
	for (uint16_t i = 0; i < k; i++)
		b->pkts[b->n + i] = m[i];
	b->n += k;
}

static inline void
txbuf_add(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no, struct rte_mbuf *m)
{
	txbuf_add_bulk(ctx, snap, port_no, &m, 1);
}

/* One mbuf goes to every port of the flood set but the input port, shared by
 * reference count: every port type here copies or only reads the frame. */
static inline void
flood(struct fwd_ctx *ctx, const struct snapshot *snap, const struct snap_bridge *br,
      uint16_t in_port, struct rte_mbuf *m)
{
	uint16_t targets = br->n_flood - (snap->ports[in_port].link_up ? 1 : 0);

	if (unlikely(targets == 0)) {
		ctx->stats[in_port].drops[DP_DROP_no_port]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (targets > 1)
		rte_mbuf_refcnt_update(m, targets - 1);
	for (uint16_t j = 0; j < br->n_flood; j++) {
		uint16_t out = br->flood[j];

		if (out != in_port)
			txbuf_add(ctx, snap, out, m);
	}
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

/* Sends one run where the destination entry e says, or floods it. */
static inline void
forward_run(struct fwd_ctx *ctx, const struct snapshot *snap, const struct snap_bridge *br,
	    uint16_t in_port, const struct fdb_entry *e, struct rte_mbuf **m, uint16_t k)
{
	const struct snap_port *op;
	uint16_t out;

	if (e == NULL)
		goto flood;
	out = e->port;
	if (unlikely(out == in_port))
		return drop_run(&ctx->stats[in_port], DP_DROP_same_port, m, k);
	/* An entry can name a port removed a moment ago, before the control
	 * thread flushed it: such frames are flooded like unknown ones. */
	if (unlikely(out >= DP_MAX_PORTS))
		goto flood;
	op = &snap->ports[out];
	if (unlikely(!op->in_use || op->bridge != snap->ports[in_port].bridge))
		goto flood;
	if (unlikely(!op->link_up))
		return drop_run(&ctx->stats[out], DP_DROP_tx_link_down, m, k);
	txbuf_add_bulk(ctx, snap, out, m, k);
	return;
flood:
	for (uint16_t i = 0; i < k; i++)
		flood(ctx, snap, br, in_port, m[i]);
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
	struct fdb_entry *src_ent[FWD_BURST], *dst_ent[FWD_BURST];
	struct fwd_run runs[FWD_BURST];
	struct rte_mbuf *ok[FWD_BURST];
	uint16_t n_ok = 0, nr;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int reason = frame_parse(m, &dst[n_ok], &src[n_ok]);

		bytes += rte_pktmbuf_pkt_len(m);
		if (unlikely(reason >= 0)) {
			ist->drops[reason]++;
			rte_pktmbuf_free(m);
			continue;
		}
		ok[n_ok++] = m;
	}
	ist->rx_packets += n;
	ist->rx_bytes += bytes;
	if (unlikely(n_ok == 0))
		return;

	nr = find_runs(dst, src, n_ok, runs);
	/* Group destinations are never in the table (group sources are dropped
	 * above), so their lookup misses and sends them to flood. */
	lookup_runs(br->fdb, src, dst, runs, nr, src_ent, dst_ent);
	learn_sources(ctx, ip, in_port, src, runs, nr, src_ent);
	for (uint16_t r = 0; r < nr; r++)
		forward_run(ctx, snap, br, in_port, dst_ent[r], &ok[runs[r].start], runs[r].len);
}

void
fwd_flush(struct fwd_ctx *ctx, const struct snapshot *snap)
{
	for (uint16_t i = 0; i < ctx->n_dirty; i++) {
		uint16_t port_no = ctx->dirty[i];

		if (ctx->txb[port_no].n > 0)
			txbuf_flush_port(ctx, snap, port_no);
	}
	ctx->n_dirty = 0;
}
