/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_VSWITCH_H
#define VSWITCH_VSWITCH_H

/*
 * The daemon's state, passed to every API handler. The control thread owns
 * it; the telemetry thread reads counters through it under lock. The lock
 * serialises control-plane threads only: PMD threads never see it.
 */

#include <pthread.h>

#include "bridge/bridge.h"
#include "config_store.h"

struct vswitch {
	struct bridge_set *bridges;
	struct config_store *store;
	pthread_mutex_t lock;
};

#endif
