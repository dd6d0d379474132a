/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FORWARD_PRIV_H
#define VSWITCH_DATAPATH_FORWARD_PRIV_H

/*
 * What the L2 pipeline (forward.c) shares with the rule pipeline
 * (flow_exec.c): transmit buffering and the L2 learning switch as a stage
 * that takes parsed frames. Datapath only, same threading as forward.h.
 */

#include "forward.h"
#include "vlan.h"

/* What fwd_burst() learned about all the frames of a burst while parsing. */
struct burst_info {
	uint16_t max_len3;
	uint8_t tag_kinds; /* bit 0: some frame is untagged; bit 1: some is tagged */
};

/* Transmits what is buffered for port_no. */
void fwd_txbuf_flush_port(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no);

/* Appends k frames for one port; k <= FWD_BURST. */
static inline void
txbuf_add_bulk(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t port_no,
	       struct rte_mbuf *const *m, uint16_t k)
{
	struct fwd_txbuf *b = &ctx->txb[port_no];

	if (b->n == 0)
		ctx->dirty[ctx->n_dirty++] = port_no;
	else if (unlikely(b->n + k > FWD_TXBUF_SIZE))
		fwd_txbuf_flush_port(ctx, snap, port_no); /* stays on the dirty list */
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

/* One mbuf to n ports, shared by reference count: every port type here
 * copies or only reads the frame. */
static inline void
send_shared(struct fwd_ctx *ctx, const struct snapshot *snap, const uint16_t *ports, uint16_t n,
	    struct rte_mbuf *m)
{
	if (n > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(n - 1));
	for (uint16_t j = 0; j < n; j++)
		txbuf_add(ctx, snap, ports[j], m);
}

/* The L2 learning switch for n parsed frames received on in_port (the
 * "normal" action): learning, lookups, forwarding and flooding within the
 * frames' VLANs. Takes ownership of the mbufs. bi must describe the n frames. */
void fwd_l2_burst(struct fwd_ctx *ctx, const struct snapshot *snap, uint16_t in_port,
		  struct rte_mbuf **pkts, struct fdb_key *dst, struct fdb_key *src,
		  struct vlan_meta *meta, uint16_t n, const struct burst_info *bi);

#endif
