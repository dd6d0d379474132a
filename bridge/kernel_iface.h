/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_KERNEL_IFACE_H
#define VSWITCH_BRIDGE_KERNEL_IFACE_H

/*
 * What the switch asks of and does to kernel network interfaces (the veths,
 * taps and NICs behind afxdp, afpacket and internal ports), through libnl's
 * route netlink API. Control thread only; each call opens and closes its own
 * netlink socket, so nothing here is shared.
 *
 * Errors: -errno, with a reason for people in err that starts with the
 * interface ("iface veth9: no such interface").
 */

#include <stdbool.h>
#include <stddef.h>

#include <rte_ether.h>

#define KERNEL_IFACE_NAME_MAX 15 /* IFNAMSIZ - 1 */

struct kernel_iface_info {
	int ifindex;
	unsigned int mtu;
	struct rte_ether_addr mac;
	bool admin_up; /* IFF_UP */
	bool oper_up;  /* IFF_RUNNING: up and has carrier */
};

/* -EINVAL for a name the kernel would not accept (empty, too long, '/', ...). */
int kernel_iface_check_name(const char *name, char *err, size_t errlen);
/* -ENODEV "iface NAME: no such interface". */
int kernel_iface_get(const char *name, struct kernel_iface_info *info, char *err, size_t errlen);
int kernel_iface_set_up(const char *name, char *err, size_t errlen);
/* The kernel's refusal (an MTU the device cannot take) comes back as its errno. */
int kernel_iface_set_mtu(const char *name, unsigned int mtu, char *err, size_t errlen);

/* A libnl error (negative NLE_*) as a negative errno; link_monitor.c shares it. */
int kernel_iface_nlerr(int nlerr);

#endif
