/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_PORT_OPTIONS_H
#define VSWITCH_BRIDGE_PORT_OPTIONS_H

/*
 * A port's settings as JSON: the members of port.add other than bridge and
 * name (docs/api.md), as the API receives them and the store keeps them.
 */

#include <stddef.h>

#include <jansson.h>

#include "bridge.h"

/* Fills ps from obj; unknown members, wrong types and bad values are refused
 * with -EINVAL and a reason that names the member. Does not check what the
 * type needs (bridge_port_add does). */
int port_options_parse(json_t *obj, struct port_settings *ps, char *err, size_t errlen);

/* The members that differ from the defaults, plus type and vlan_mode. New
 * reference, NULL on ENOMEM. */
json_t *port_options_json(const struct port_settings *ps);

/*
 * Applies a port.set change (mtu, vlan_mode, tag, trunks; "tag": null
 * removes the tag) to a port's options, the way a user means it: a tag on a
 * plain trunk port makes it an access port, and vlan_mode trunk drops the
 * tag. Returns the new options (new reference) or NULL with err set.
 */
json_t *port_options_update(json_t *current, json_t *change, char *err, size_t errlen);

#endif
