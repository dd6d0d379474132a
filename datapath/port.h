/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_PORT_H
#define VSWITCH_DATAPATH_PORT_H

/*
 * Ports are rte_ethdev devices, hot-plugged vdevs or probed devices (NICs),
 * so the forwarding code never cares what is behind a port. Control thread only,
 * except port_link_events_pending(), which any thread may call.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

struct port_open_params {
	/* A vdev to hot-plug (devname and devargs), or, with devname NULL, any
	 * device DPDK can probe from devargs alone: a PCI address of a NIC bound
	 * to vfio-pci ("0000:03:00.0") or a vdev string ("net_null0,size=64"). */
	const char *devname; /* unique vdev name, e.g. "net_vhost_vm1" */
	const char *devargs; /* e.g. "iface=/run/vswitch/vm1.sock,client=1" */
	uint16_t n_rxq;
	uint16_t n_txq;      /* wanted; the device may offer fewer (see port_open) */
	bool paired_queues;  /* the driver wants as many tx as rx queues (af_xdp) */
	uint16_t mtu;        /* set on the device when it supports it; 0: leave as is */
	struct rte_mempool *pool;
};

/*
 * Probes the device, configures its queues and starts it. On success returns
 * 0 and sets *eth_port and *n_txq (the tx queues it got: fewer than asked
 * when the device has fewer). On failure returns -errno, writes a reason for
 * people into err, including what DPDK logged about it, and leaves no device
 * behind.
 */
int port_open(const struct port_open_params *params, uint16_t *eth_port, uint16_t *n_txq,
	      char *err, size_t errlen);

/* Sets the MTU of a running device; -ENOTSUP from devices that have none
 * (vhost-user) is not an error. */
int port_set_mtu(uint16_t eth_port, uint16_t mtu, char *err, size_t errlen);

/* Stops, closes and unplugs the device. */
void port_close(uint16_t eth_port);

/* Link state now, without waiting. */
bool port_link_up(uint16_t eth_port);

/* True once after any port's link changed (set from the interrupt thread):
 * the control thread then re-reads link states. */
bool port_link_events_pending(void);

#endif
