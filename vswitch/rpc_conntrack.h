/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_RPC_CONNTRACK_H
#define VSWITCH_RPC_CONNTRACK_H

/*
 * The connection tracking methods of docs/api.md: conntrack.show,
 * conntrack.flush and conntrack.set. conntrack.set checks the whole request,
 * stores the settings it leads to (key "conntrack" of the configuration
 * store: only what was set, {"default_limit"?, "zone_limits"?, "timeouts"?})
 * and then applies them; a refused request changes nothing. Control thread
 * only, under the daemon lock.
 */

#include <jansson.h>

#include "jsonrpc.h"
#include "vswitch.h"

/* The setting's key in the configuration store. */
#define RPC_CONNTRACK_SETTING "conntrack"

int rpc_conntrack_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_conntrack_flush(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_conntrack_set(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);

/*
 * Applies the stored settings (the "settings" object of config_store_load(),
 * may be NULL) at start. A stored item that cannot be applied (unreadable,
 * an unknown timeout, a limit over the table's capacity) is logged and
 * skipped, and stays stored. Returns how many items were skipped.
 */
int rpc_conntrack_restore(struct vswitch *vs, json_t *settings);

/* Frees vs->ct. */
void rpc_conntrack_fini(struct vswitch *vs);

#endif
