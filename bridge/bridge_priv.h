/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_BRIDGE_PRIV_H
#define VSWITCH_BRIDGE_BRIDGE_PRIV_H

/* The model's structures, shared by the bridge module's own files only. */

#include "bridge.h"
#include "datapath/fdb.h"

struct link_monitor;
struct flow_builder;
struct flow_pipeline;
struct flow_table;

struct bridge {
	char name[BRIDGE_NAME_MAX + 1];
	struct bridge_settings s;
	uint16_t index;      /* slot in bridge_set.bridges and snapshot.bridges */
	struct fdb *fdb;
	struct fdb_stats fdb_base; /* counters of the tables a resize replaced */
	bool flap_logged;
	uint32_t last_flap_log;
	struct flow_table *flows;       /* its rules, as the user gave them */
	struct flow_builder *builder;   /* their compiled form, changed in place */
	struct flow_pipeline *pipeline; /* cut from it (a reference); NULL when
					 * flows_default */
	bool flows_default;             /* only the default rule: the plain L2 path */
	uint32_t default_slot;          /* then: the default rule's counters */
};

struct port {
	char name[BRIDGE_NAME_MAX + 1];
	struct port_settings ps;
	struct bridge *br;
	uint16_t port_no;    /* slot in bridge_set.ports and snapshot.ports */
	uint16_t eth_port;
	uint16_t n_rxq;
	uint16_t n_txq;      /* what the device gave; fewer than the PMDs means a shared queue */
	uint16_t rxq_pmd[PORT_RXQ_MAX]; /* the PMD thread polling each rx queue; fixed for the
					 * port's life so two threads never poll one queue
					 * during a snapshot swap */
	uint16_t mtu;        /* in force: ps.mtu or the default */
	bool link_up;        /* what the datapath was told */
	bool kernel_up;      /* kernel interface ports: up and with carrier */
	bool routed;         /* not flooded to (a NAT network's uplink) */
	bool has_mac;
	struct rte_ether_addr mac; /* kernel interface ports */
};

struct bridge_set {
	struct datapath *dp;
	struct link_monitor *links; /* NULL if it could not start: link state then
				     * follows only the DPDK devices */
	struct bridge *bridges[DP_MAX_BRIDGES];
	struct port *ports[DP_MAX_PORTS];
	unsigned int pmd_load[DP_MAX_PMDS];
	unsigned int fdb_generation;
	uint32_t last_tick;
	bool links_stale;
	char (*port_names)[BRIDGE_NAME_MAX + 1]; /* every port name a rule has used: ids */
	unsigned int n_port_names, cap_port_names;
};

struct bridge *bridge_find(const struct bridge_set *bs, const char *name);
struct port *port_find(const struct bridge_set *bs, const char *name);

/* Builds a snapshot of the model and makes it current. 0 or -ENOMEM. */
int bridge_publish(struct bridge_set *bs);

/* bridge_flows.c: a new bridge's rule table with the default rule; freeing
 * it once the bridge is out of the published snapshot; rebuilding the
 * pipeline after the bridge's ports changed (names to numbers). */
int bridge_flows_init(struct bridge_set *bs, struct bridge *br);
void bridge_flows_fini(struct bridge_set *bs, struct bridge *br);
int bridge_flows_recompile(struct bridge_set *bs, struct bridge *br);
void bridge_flows_recompile_all(struct bridge_set *bs);

#endif
