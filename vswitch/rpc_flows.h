/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_RPC_FLOWS_H
#define VSWITCH_RPC_FLOWS_H

/*
 * The flow rule methods of docs/api.md (flow.add, flow.del, flow.mod,
 * flow.replace, flow.bundle, flow.dump): each is one transaction that is
 * stored and then switched to at one instant, or refused whole. Control
 * thread only, under the daemon lock.
 */

#include <jansson.h>

#include "jsonrpc.h"
#include "vswitch.h"

/* At most this many operations in one request. */
#define RPC_FLOWS_MAX_OPS FLOW_TABLE_MAX_RULES

int rpc_flow_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_flow_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_flow_mod(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_flow_replace(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_flow_bundle(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);
int rpc_flow_dump(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err);

/* Restores a bridge's stored rules ([{"id", "rule"}]) in place of its
 * default one. A stored rule that no longer parses or fits is logged and
 * skipped (it stays stored). Returns how many were skipped. */
int rpc_flows_restore(struct vswitch *vs, const char *bridge, json_t *flows);

/* Samples rule counters and removes expired rules, storing the removal.
 * For the control loop, about once a second. */
void rpc_flows_expire(struct vswitch *vs);

#endif
