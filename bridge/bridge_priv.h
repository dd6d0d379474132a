/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_BRIDGE_PRIV_H
#define VSWITCH_BRIDGE_BRIDGE_PRIV_H

/* The model's structures, shared by the bridge module's own files only. */

#include "bridge.h"
#include "datapath/fdb.h"

struct bridge {
	char name[BRIDGE_NAME_MAX + 1];
	struct bridge_settings s;
	uint16_t index;      /* slot in bridge_set.bridges and snapshot.bridges */
	struct fdb *fdb;
	struct fdb_stats fdb_base; /* counters of the tables a resize replaced */
	bool flap_logged;
	uint32_t last_flap_log;
};

struct port {
	char name[BRIDGE_NAME_MAX + 1];
	struct port_settings ps;
	struct bridge *br;
	uint16_t port_no;    /* slot in bridge_set.ports and snapshot.ports */
	uint16_t eth_port;
	uint16_t pmd;        /* the PMD thread polling its rx queue; fixed for the port's life
			      * so two threads never poll one queue during a snapshot swap */
	bool link_up;
};

struct bridge_set {
	struct datapath *dp;
	struct bridge *bridges[DP_MAX_BRIDGES];
	struct port *ports[DP_MAX_PORTS];
	unsigned int pmd_load[DP_MAX_PMDS];
	unsigned int fdb_generation;
	uint32_t last_tick;
	bool links_stale;
};

struct bridge *bridge_find(const struct bridge_set *bs, const char *name);
struct port *port_find(const struct bridge_set *bs, const char *name);

#endif
