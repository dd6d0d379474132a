/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_RPC_METHODS_H
#define VSWITCH_RPC_METHODS_H

/*
 * The API methods of docs/api.md. Each change is written to the
 * configuration store and applied to the running switch as one unit: if
 * either fails, neither keeps it. Control thread only.
 */

#include <stddef.h>
#include <jansson.h>

#include "jsonrpc.h"
#include "vswitch.h"

extern const struct jsonrpc_method rpc_methods[];
extern const size_t rpc_n_methods;

/* Applies a stored configuration (config_store_load()) to the running switch:
 * the switch-wide settings, then the bridges. A setting, bridge or port that
 * cannot be applied is logged and skipped, and stays stored. Returns how many
 * items failed. */
int rpc_restore(struct vswitch *vs, json_t *config);

/* Stores and applies the embedded default of a first start: bridge br0 with
 * a vhost-user client port vm0 on /run/vswitch/vm0.sock. 0 or -1 with err. */
int rpc_create_default(struct vswitch *vs, struct jsonrpc_error *err);

#endif
