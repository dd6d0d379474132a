/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_telemetry.h>

#include "datapath/conntrack.h"
#include "telemetry.h"

/* Telemetry callbacks take no context argument: the one daemon state is kept here. */
static struct vswitch *telemetry_vs;

static void
list_port(const char *bridge, const char *port, const struct dp_port_stats *s, void *arg)
{
	rte_tel_data_add_array_string(arg, port);
}

static int
cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&telemetry_vs->lock);
	if (telemetry_vs->bridges != NULL) /* NULL once shutdown has begun */
		bridge_port_visit(telemetry_vs->bridges, list_port, d);
	pthread_mutex_unlock(&telemetry_vs->lock);
	return 0;
}

struct stats_query {
	const char *name;
	struct rte_tel_data *d;
	bool found;
};

static void
add_port_stats(const char *bridge, const char *port, const struct dp_port_stats *s, void *arg)
{
	struct stats_query *q = arg;
	struct rte_tel_data *d = q->d;

	if (strcmp(port, q->name) != 0)
		return;
	q->found = true;
	rte_tel_data_add_dict_string(d, "bridge", bridge);
	rte_tel_data_add_dict_u64(d, "rx_packets", s->rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", s->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", s->tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", s->tx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_dropped", dp_port_stats_rx_dropped(s));
	rte_tel_data_add_dict_u64(d, "tx_dropped", dp_port_stats_tx_dropped(s));
	for (int r = 0; r < DP_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, dp_drop_name(r), s->drops[r]);
}

static int
cmd_port_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stats_query q = {.name = params, .d = d};

	if (params == NULL || *params == '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&telemetry_vs->lock);
	if (telemetry_vs->bridges != NULL)
		bridge_port_visit(telemetry_vs->bridges, add_port_stats, &q);
	pthread_mutex_unlock(&telemetry_vs->lock);
	return q.found ? 0 : -ENOENT;
}

/* The connection table's fill and counters, named as in conntrack.show. */
static int
cmd_conntrack(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct conntrack *ct;
	struct ct_stats st;
	int rc = 0;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&telemetry_vs->lock);
	if (telemetry_vs->bridges != NULL) {
		ct = bridge_set_conntrack(telemetry_vs->bridges);
		conntrack_stats(ct, &st);
		rte_tel_data_add_dict_u64(d, "count", conntrack_count(ct));
		rte_tel_data_add_dict_u64(d, "capacity", conntrack_capacity(ct));
		for (int i = 0; i < CT_CNT_MAX; i++)
			rte_tel_data_add_dict_u64(d, ct_counter_name(i), st.c[i]);
	} else {
		rc = -ENODEV; /* shutting down */
	}
	pthread_mutex_unlock(&telemetry_vs->lock);
	return rc;
}

int
telemetry_init(struct vswitch *vs)
{
	int rc;

	telemetry_vs = vs;
	rc = rte_telemetry_register_cmd("/vswitch/ports", cmd_ports, "Lists the switch's ports.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/vswitch/port_stats", cmd_port_stats,
						"Counters of one port. Parameters: port name");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/vswitch/conntrack", cmd_conntrack,
						"Connection table: count, capacity and counters.");
	return rc;
}
