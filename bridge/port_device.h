/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_PORT_DEVICE_H
#define VSWITCH_BRIDGE_PORT_DEVICE_H

/*
 * The device behind a port, per port type: which DPDK driver and devargs,
 * how many queues, and what the kernel interface behind afxdp, afpacket and
 * internal ports needs (it must exist, be up, have the port's MTU). Control
 * thread only.
 */

#include <stdbool.h>
#include <stddef.h>

#include "bridge_priv.h"

/* Checks the members ps gives against what its type needs. -EINVAL + reason. */
int port_device_check(const char *name, const struct port_settings *ps, char *err, size_t errlen);

/* The kernel interface behind the port, or NULL for vhost-user and dpdk ports. */
const char *port_device_iface(const struct port *p);

/* Opens the device for p (name and ps set) with n_rxq queues: sets eth_port,
 * n_txq, mtu, and for kernel interfaces mac and kernel_up. -errno + reason. */
int port_device_open(struct port *p, struct datapath *dp, char *err, size_t errlen);
void port_device_close(struct port *p);

/* Gives the device (and its kernel interface) a new MTU. */
int port_device_set_mtu(struct port *p, uint16_t mtu, char *err, size_t errlen);

#endif
