/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_stats.h"

static const char *const drop_names[DP_DROP_MAX] = {
#define DP_DROP_NAME(name, side) [DP_DROP_##name] = #name,
	DP_DROP_REASONS(DP_DROP_NAME)
#undef DP_DROP_NAME
};

static const enum dp_drop_side drop_sides[DP_DROP_MAX] = {
#define DP_DROP_SIDE(name, side) [DP_DROP_##name] = DP_SIDE_##side,
	DP_DROP_REASONS(DP_DROP_SIDE)
#undef DP_DROP_SIDE
};

const char *
dp_drop_name(enum dp_drop_reason reason)
{
	return reason < DP_DROP_MAX ? drop_names[reason] : "unknown";
}

enum dp_drop_side
dp_drop_side(enum dp_drop_reason reason)
{
	return reason < DP_DROP_MAX ? drop_sides[reason] : DP_SIDE_NONE;
}

void
dp_port_stats_add(struct dp_port_stats *dst, const struct dp_port_stats *src)
{
	dst->rx_packets += src->rx_packets;
	dst->rx_bytes += src->rx_bytes;
	dst->tx_packets += src->tx_packets;
	dst->tx_bytes += src->tx_bytes;
	for (int i = 0; i < DP_DROP_MAX; i++)
		dst->drops[i] += src->drops[i];
}

static uint64_t
sum_side(const struct dp_port_stats *s, enum dp_drop_side side)
{
	uint64_t n = 0;

	for (int i = 0; i < DP_DROP_MAX; i++)
		if (drop_sides[i] == side)
			n += s->drops[i];
	return n;
}

uint64_t
dp_port_stats_rx_dropped(const struct dp_port_stats *s)
{
	return sum_side(s, DP_SIDE_RX);
}

uint64_t
dp_port_stats_tx_dropped(const struct dp_port_stats *s)
{
	return sum_side(s, DP_SIDE_TX);
}
