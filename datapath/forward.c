/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
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
	uint16_t n = b->n, sent;
	uint64_t bytes = 0;

	/* Bytes are summed before the burst: a sent mbuf may be freed by the driver. */
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	sent = rte_eth_tx_burst(p->eth_port, ctx->txq_base % p->n_txq, b->pkts, n);
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

/* The hot loop: stays in one function so the compiler keeps the burst arrays in place. */
void
fwd_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
	  struct rte_mbuf **pkts, uint16_t n)
{
	const struct snap_port *ip = &snap->ports[in_port];
	const struct snap_bridge *br = &snap->bridges[ip->bridge];
	struct dp_port_stats *ist = &ctx->stats[in_port];
	struct fdb_key dst[FWD_BURST], src[FWD_BURST];
	const struct fdb_key *keys[FWD_BURST];
	struct fdb_entry *ent[FWD_BURST];
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

	for (uint16_t i = 0; i < n_ok; i++)
		keys[i] = &src[i];
	fdb_lookup_bulk_rcu(br->fdb, keys, n_ok, ent);
	queue_learn_events(ctx, ip, in_port, src, ent, n_ok);

	/* Group destinations are never in the table (group sources are dropped
	 * above), so one lookup of every destination sends them to flood too. */
	for (uint16_t i = 0; i < n_ok; i++)
		keys[i] = &dst[i];
	fdb_lookup_bulk_rcu(br->fdb, keys, n_ok, ent);

	for (uint16_t i = 0; i < n_ok; i++) {
		struct rte_mbuf *m = ok[i];
		const struct fdb_entry *e = ent[i];
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
