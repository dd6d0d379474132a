/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "port.h"

/* Written by the EAL interrupt thread, read and cleared by the control thread. */
static bool link_event;

static int
on_link_change(uint16_t eth_port, enum rte_eth_event_type type, void *arg, void *ret)
{
	__atomic_store_n(&link_event, true, __ATOMIC_RELEASE);
	return 0;
}

bool
port_link_events_pending(void)
{
	return __atomic_exchange_n(&link_event, false, __ATOMIC_ACQ_REL);
}

static int
configure(uint16_t pid, const struct port_open_params *p, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int socket = rte_eth_dev_socket_id(pid);
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read device info: %s", strerror(-rc));
		return rc;
	}
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	if (p->n_rxq > info.max_rx_queues || p->n_txq > info.max_tx_queues) {
		snprintf(err, errlen, "needs %u rx and %u tx queues, device has %u and %u",
			 p->n_rxq, p->n_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	rc = rte_eth_dev_configure(pid, p->n_rxq, p->n_txq, &conf);
	if (rc < 0) {
		snprintf(err, errlen, "cannot configure: %s", strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, PORT_RX_DESC, socket, NULL, p->pool);
		if (rc < 0) {
			snprintf(err, errlen, "cannot set up rx queue %u: %s", q, strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, PORT_TX_DESC, socket, NULL);
		if (rc < 0) {
			snprintf(err, errlen, "cannot set up tx queue %u: %s", q, strerror(-rc));
			return rc;
		}
	}
	rte_eth_dev_callback_register(pid, RTE_ETH_EVENT_INTR_LSC, on_link_change, NULL);
	rc = rte_eth_dev_start(pid);
	if (rc < 0) {
		rte_eth_dev_callback_unregister(pid, RTE_ETH_EVENT_INTR_LSC, on_link_change, NULL);
		snprintf(err, errlen, "cannot start: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

int
port_open(const struct port_open_params *p, uint16_t *eth_port, char *err, size_t errlen)
{
	uint16_t pid;
	int rc;

	rc = rte_eal_hotplug_add("vdev", p->devname, p->devargs);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create device %s (%s): %s", p->devname, p->devargs,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name(p->devname, &pid);
	if (rc < 0) {
		snprintf(err, errlen, "device %s has no ethdev port", p->devname);
		rte_eal_hotplug_remove("vdev", p->devname);
		return -ENODEV;
	}
	rc = configure(pid, p, err, errlen);
	if (rc < 0) {
		rte_eth_dev_close(pid);
		rte_eal_hotplug_remove("vdev", p->devname);
		return rc;
	}
	*eth_port = pid;
	return 0;
}

void
port_close(uint16_t eth_port)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	if (rte_eth_dev_get_name_by_port(eth_port, name) < 0)
		return;
	rte_eth_dev_callback_unregister(eth_port, RTE_ETH_EVENT_INTR_LSC, on_link_change, NULL);
	rte_eth_dev_stop(eth_port);
	rte_eth_dev_close(eth_port);
	rte_eal_hotplug_remove("vdev", name);
}

bool
port_link_up(uint16_t eth_port)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(eth_port, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}
