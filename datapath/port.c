/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_devargs_reset() is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_log.h>

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

/*
 * DPDK says why a probe or a queue setup failed only in its log. While a
 * port opens, the log goes to memory as well, so the reason can go back to
 * whoever asked for the port.
 */
struct log_capture {
	FILE *saved;
	FILE *mem;
	char *text;
	size_t len;
};

static void
capture_begin(struct log_capture *c)
{
	c->saved = rte_log_get_stream();
	c->text = NULL;
	c->len = 0;
	c->mem = open_memstream(&c->text, &c->len);
	if (c->mem != NULL)
		rte_openlog_stream(c->mem);
}

/* Restores the log, passes the captured lines on to it, and appends the last
 * few of them to err (when why is true: the open failed). */
static void
capture_end(struct log_capture *c, bool why, char *err, size_t errlen)
{
	const char *lines[3];
	int n = 0;

	if (c->mem == NULL)
		return;
	rte_openlog_stream(c->saved);
	fclose(c->mem);
	if (c->len > 0) {
		fputs(c->text, c->saved);
		fflush(c->saved);
	}
	for (char *line = strtok(c->text, "\n"); why && line != NULL; line = strtok(NULL, "\n")) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0')
			continue;
		if (n == (int)RTE_DIM(lines))
			memmove(lines, lines + 1, sizeof(lines[0]) * --n);
		lines[n++] = line;
	}
	for (int i = 0; i < n; i++) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "%s%s", i == 0 ? " (DPDK: " : "; ", lines[i]);
	}
	if (n > 0) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, ")");
	}
	free(c->text);
}

static int
configure(uint16_t pid, const struct port_open_params *p, uint16_t *n_txq, char *err,
	  size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int socket = rte_eth_dev_socket_id(pid);
	uint16_t txq;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read device info: %s", strerror(-rc));
		return rc;
	}
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	txq = p->paired_queues ? p->n_rxq : RTE_MIN(p->n_txq, info.max_tx_queues);
	if (p->n_rxq > info.max_rx_queues || txq > info.max_tx_queues || txq == 0) {
		snprintf(err, errlen, "needs %u rx and %u tx queues, device has %u and %u",
			 p->n_rxq, txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if (p->mtu != 0) {
		if (p->mtu > info.max_mtu || p->mtu < info.min_mtu) {
			snprintf(err, errlen, "MTU %u out of the device's range %u to %u", p->mtu,
				 info.min_mtu, info.max_mtu);
			return -EINVAL;
		}
		conf.rxmode.mtu = p->mtu;
		/* A jumbo frame spans several mbufs. */
		if (p->mtu + RTE_ETHER_HDR_LEN + 2 * 4 + RTE_ETHER_CRC_LEN >
		    rte_pktmbuf_data_room_size(p->pool) - RTE_PKTMBUF_HEADROOM) {
			if (!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
				snprintf(err, errlen, "MTU %u needs scattered receive, which the "
					 "device lacks", p->mtu);
				return -EINVAL;
			}
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
			conf.txmode.offloads |= info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		}
	}
	rc = rte_eth_dev_configure(pid, p->n_rxq, txq, &conf);
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
	for (uint16_t q = 0; q < txq; q++) {
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
	*n_txq = txq;
	return 0;
}

/* Creates the device; on success sets *pid to its (first) ethdev port. */
static int
probe(const struct port_open_params *p, uint16_t *pid, char *err, size_t errlen)
{
	struct rte_dev_iterator it;
	struct rte_devargs da;
	uint16_t id;
	int rc;

	if (p->devname != NULL) {
		rc = rte_eal_hotplug_add("vdev", p->devname, p->devargs);
		if (rc < 0) {
			snprintf(err, errlen, "cannot create device %s (%s): %s", p->devname,
				 p->devargs, strerror(-rc));
			return rc;
		}
		if (rte_eth_dev_get_port_by_name(p->devname, pid) == 0)
			return 0;
		snprintf(err, errlen, "device %s has no ethdev port", p->devname);
		rte_eal_hotplug_remove("vdev", p->devname);
		return -ENODEV;
	}
	rc = rte_dev_probe(p->devargs);
	if (rc < 0) {
		snprintf(err, errlen, "cannot probe \"%s\": %s", p->devargs, strerror(-rc));
		return rc;
	}
	RTE_ETH_FOREACH_MATCHING_DEV(id, p->devargs, &it) {
		*pid = id;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	snprintf(err, errlen, "\"%s\" was probed but is not an ethernet device", p->devargs);
	if (rte_devargs_parse(&da, p->devargs) == 0) {
		rte_eal_hotplug_remove(rte_bus_name(da.bus), da.name);
		rte_devargs_reset(&da);
	}
	return -ENODEV;
}

static void
unplug(uint16_t pid)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(pid, &info) < 0 || info.device == NULL) {
		rte_eth_dev_close(pid);
		return;
	}
	rte_eth_dev_close(pid);
	rte_dev_remove(info.device);
}

int
port_open(const struct port_open_params *p, uint16_t *eth_port, uint16_t *n_txq, char *err,
	  size_t errlen)
{
	struct log_capture cap;
	uint16_t pid;
	int rc;

	err[0] = '\0';
	capture_begin(&cap);
	rc = probe(p, &pid, err, errlen);
	if (rc == 0) {
		rc = configure(pid, p, n_txq, err, errlen);
		if (rc < 0)
			unplug(pid);
	}
	capture_end(&cap, rc < 0, err, errlen);
	if (rc == 0)
		*eth_port = pid;
	return rc;
}

int
port_set_mtu(uint16_t eth_port, uint16_t mtu, char *err, size_t errlen)
{
	int rc = rte_eth_dev_set_mtu(eth_port, mtu);

	if (rc == -ENOTSUP || rc == 0)
		return 0;
	snprintf(err, errlen, "cannot set MTU %u: %s", mtu, strerror(-rc));
	return rc;
}

void
port_close(uint16_t eth_port)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	if (rte_eth_dev_get_name_by_port(eth_port, name) < 0)
		return;
	rte_eth_dev_callback_unregister(eth_port, RTE_ETH_EVENT_INTR_LSC, on_link_change, NULL);
	rte_eth_dev_stop(eth_port);
	unplug(eth_port);
}

bool
port_link_up(uint16_t eth_port)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(eth_port, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}
