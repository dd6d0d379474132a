/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_PORT_ATTACH_H
#define VSWITCH_BRIDGE_PORT_ATTACH_H

/*
 * How a VM attaches to a vhost-user port: the QEMU command-line options and
 * the libvirt <interface> element, with the shared hugepage memory that
 * vhost-user needs. Pure string building; any thread.
 */

#include <jansson.h>

#include "bridge.h"

/* {"name", "type", "socket", "qemu", "libvirt", "note"}; NULL on ENOMEM. */
json_t *port_attach_json(const char *name, const struct port_settings *ps);

#endif
