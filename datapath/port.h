/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_PORT_H
#define VSWITCH_DATAPATH_PORT_H

/*
 * Ports are rte_ethdev devices created by hot-plugging a vdev, so the
 * forwarding code never cares what is behind a port. Control thread only,
 * except port_link_events_pending(), which any thread may call.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

struct port_open_params {
	const char *devname;  /* unique vdev name, e.g. "net_vhost_vm1" */
	const char *devargs;  /* driver arguments, e.g. "iface=/run/vswitch/vm1.sock,client=1" */
	uint16_t n_rxq;
	uint16_t n_txq;
	struct rte_mempool *pool;
};

/*
 * Probes the device, configures its queues and starts it. On success returns
 * 0 and sets *eth_port. On failure returns -errno, writes a reason for people
 * into err, and leaves no device behind.
 */
int port_open(const struct port_open_params *params, uint16_t *eth_port, char *err, size_t errlen);

/* Stops, closes and unplugs the device. */
void port_close(uint16_t eth_port);

/* Link state now, without waiting. */
bool port_link_up(uint16_t eth_port);

/* True once after any port's link changed (set from the interrupt thread):
 * the control thread then re-reads link states. */
bool port_link_events_pending(void);

#endif
