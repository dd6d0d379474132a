/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_SETTINGS_H
#define VSCTL_SETTINGS_H

/*
 * The key=value settings each vsctl configuration command accepts
 * (docs/api.md). Kept in the library, not beside the handlers, so the unit
 * tests check the very tables the commands use.
 */

#include "kv.h"

/* add-br, set-bridge: bridge.add and bridge.set. */
extern const struct kv_spec settings_bridge[];

/* add-port: port.add. */
extern const struct kv_spec settings_port_add[];

/* set-port: port.set. */
extern const struct kv_spec settings_port_set[];

/* Commands that take no key=value arguments. */
extern const struct kv_spec settings_none[];

#endif
