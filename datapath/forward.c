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

static inline void
txbuf_add(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no, struct rte_mbuf *m)
{
	struct fwd_txbuf *b = &ctx->txb[port_no];

	if (b->n == 0)
		ctx->dirty[ctx->n_dirty++] = port_no;
	else if (unlikely(b->n == FWD_TXBUF_SIZE))
		txbuf_flush_port(ctx, snap, port_no); /* stays on the dirty list */
	b->pkts[b->n++] = m;
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

static inline void
queue_learn_events(struct fwd_ctx *ctx, const struct snap_port *ip, uint16_t in_port,
		   const struct fdb_key *src, struct fdb_entry *const ent[], uint16_t n)
{
	struct learn_event ev[FWD_BURST];
	uint16_t n_ev = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct fdb_entry *e = ent[i];

		if (likely(e != NULL && e->port == in_port)) {
			fdb_touch_rcu(e, ctx->now);
			continue;
		}
		/* A burst usually comes from one sender: queue its MAC once. */
		if (n_ev > 0 && memcmp(&ev[n_ev - 1].key, &src[i], sizeof(src[i])) == 0)
			continue;
		ev[n_ev].key = src[i];
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

static inline bool
key_equal(const struct fdb_key *a, const struct fdb_key *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x == y;
}

/*
 * Looks up the n source and n destination keys in one bulk call (rte_hash
 * pipelines the bucket fetches of a bulk), and a key equal to the one before
 * it only once: a burst is mostly one flow, so this usually leaves two
 * lookups for 32 frames.
 */
static inline void
lookup_keys(const struct fdb *fdb, const struct fdb_key *src, const struct fdb_key *dst,
	    uint16_t n, struct fdb_entry *src_ent[], struct fdb_entry *dst_ent[])
{
	const struct fdb_key *uniq[2 * FWD_BURST];
	struct fdb_entry *uent[2 * FWD_BURST];
	uint8_t sidx[FWD_BURST], didx[FWD_BURST];
	unsigned int nu = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (i == 0 || !key_equal(&src[i], &src[i - 1]))
			uniq[nu++] = &src[i];
		sidx[i] = (uint8_t)(nu - 1);
	}
	for (uint16_t i = 0; i < n; i++) {
		if (i == 0 || !key_equal(&dst[i], &dst[i - 1]))
			uniq[nu++] = &dst[i];
		didx[i] = (uint8_t)(nu - 1);
	}
	fdb_lookup_bulk_rcu(fdb, uniq, nu, uent);
	for (uint16_t i = 0; i < n; i++) {
		src_ent[i] = uent[sidx[i]];
		dst_ent[i] = uent[didx[i]];
	}
}

/* The hot loop: stays in one function so the compiler keeps the burst arrays in place. */
void
fwd_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	  struct rte_mbuf **pkts, uint16_t n)
{
	const struct snap_port *ip = &snap->ports[in_port];
	const struct snap_bridge *br = &snap->bridges[ip->bridge];
	struct dp_port_stats *ist = &ctx->stats[in_port];
	struct fdb_key dst[FWD_BURST], src[FWD_BURST];
	struct fdb_entry *src_ent[FWD_BURST], *dst_ent[FWD_BURST];
	struct rte_mbuf *ok[FWD_BURST];
	uint16_t n_ok = 0;
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

	/* Group destinations are never in the table (group sources are dropped
	 * above), so their lookup misses and sends them to flood. */
	lookup_keys(br->fdb, src, dst, n_ok, src_ent, dst_ent);
	queue_learn_events(ctx, ip, in_port, src, src_ent, n_ok);

	for (uint16_t i = 0; i < n_ok; i++) {
		struct rte_mbuf *m = ok[i];
		const struct fdb_entry *e = dst_ent[i];
		uint16_t out;

		if (e == NULL) {
			flood(ctx, snap, br, in_port, m);
			continue;
		}
		out = e->port;
		if (unlikely(out == in_port)) {
			ist->drops[DP_DROP_same_port]++;
			rte_pktmbuf_free(m);
			continue;
		}
		/* An entry can name a port removed a moment ago, before the control
		 * thread flushed it: such a frame is flooded like an unknown one. */
		if (unlikely(out >= DP_MAX_PORTS || !snap->ports[out].in_use ||
			     snap->ports[out].bridge != ip->bridge)) {
			flood(ctx, snap, br, in_port, m);
			continue;
		}
		if (unlikely(!snap->ports[out].link_up)) {
			ctx->stats[out].drops[DP_DROP_tx_link_down]++;
			rte_pktmbuf_free(m);
			continue;
		}
		txbuf_add(ctx, snap, out, m);
	}
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
