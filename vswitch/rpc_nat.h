/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_RPC_NAT_H
#define VSWITCH_RPC_NAT_H

/*
 * NAT networks (docs/api.md, "NAT networks"): nat.add, nat.del,
 * nat.forward.add, nat.forward.del and nat.show, and the control thread's
 * side of them: answering ARP and ICMP echo for the gateway and the
 * external address, resolving next hops and VMs by ARP, and replacing the
 * bridge's generated rules (bridge/nat_rules.h) when what they depend on
 * changes. A network's configuration is stored under the setting
 * "nat:BRIDGE"; its rules are stored like any rules.
 *
 * Control thread only, under the daemon lock.
 */

#include <jansson.h>

#include "jsonrpc.h"
#include "vswitch.h"

int rpc_nat_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_nat_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_nat_forward_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_nat_forward_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_nat_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);

/* Sets up the stored networks ("settings" of config_store_load()), after
 * the bridges and ports. Returns how many could not be. */
int rpc_nat_restore(struct vswitch *vs, json_t *settings);

/* Frames the rules sent to the controller, ARP retries, rule updates. For
 * the control loop, every few milliseconds. */
void rpc_nat_run(struct vswitch *vs);

/* A bridge was deleted, in the caller's store transaction: deletes its
 * stored network (if any) there and forgets it. 0 or -errno (the store's:
 * the stored network then outlives the bridge, and is skipped with a log
 * line at the next start). */
int rpc_nat_bridge_deleted(struct vswitch *vs, const char *bridge);

void rpc_nat_fini(struct vswitch *vs);

#endif
