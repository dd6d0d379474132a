/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_VSWITCH_H
#define VSWITCH_VSWITCH_H

/*
 * The daemon's state, passed to every API handler. The control thread owns
 * it; the telemetry thread reads counters through it under lock. The lock
 * serialises control-plane threads only: PMD threads never see it.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "bridge/bridge.h"
#include "config_store.h"

/* The connection tracking settings (rpc_conntrack.c): the table itself
 * keeps the values, these say which of them were set and how they are
 * stored. Control thread, under the daemon lock. */
struct vswitch_ct {
	bool ready;             /* default_limit has been read from the table */
	uint32_t default_limit; /* for zones without a limit of their own */
	json_t *zone_limits;    /* {"5": 100}: the zones with their own limit */
	json_t *stored;         /* the stored "conntrack" setting; NULL: none stored */
};

struct nat_set;

struct vswitch {
	struct bridge_set *bridges;
	struct config_store *store;
	pthread_mutex_t lock;
	struct vswitch_ct ct;
	struct nat_set *nat; /* NAT networks (rpc_nat.c); NULL until the first */
};

#endif
