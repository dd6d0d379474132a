/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "datapath/port.h"
#include "kernel_iface.h"
#include "port_device.h"
#include "vhost_socket.h"

/* AF_PACKET rings: with the driver's defaults nothing was received here
 * (TESTBED.md); a frame slot must hold the largest frame plus its header. */
#define AFPACKET_FRAMES 512
#define AFPACKET_SLOT_OVERHEAD 128

static bool
is_vhost(enum port_type t)
{
	return t == PORT_VHOSTUSER || t == PORT_VHOSTUSER_CLIENT;
}

static bool
is_kernel(enum port_type t)
{
	return t == PORT_AFXDP || t == PORT_AFPACKET || t == PORT_INTERNAL;
}

const char *
port_device_iface(const struct port *p)
{
	if (p->ps.type == PORT_INTERNAL)
		return p->name;
	return is_kernel(p->ps.type) ? p->ps.iface : NULL;
}

static int
refuse_member(const char *type, const char *member, char *err, size_t errlen)
{
	snprintf(err, errlen, "type %s takes no %s", type, member);
	return -EINVAL;
}

int
port_device_check(const char *name, const struct port_settings *ps, char *err, size_t errlen)
{
	const char *type = port_type_name(ps->type);
	bool wants_socket = is_vhost(ps->type);
	bool wants_iface = ps->type == PORT_AFXDP || ps->type == PORT_AFPACKET;
	bool wants_devargs = ps->type == PORT_DPDK;

	if ((unsigned int)ps->type >= PORT_TYPE_MAX) {
		snprintf(err, errlen, "unknown port type");
		return -EINVAL;
	}
	if (wants_socket && ps->socket[0] == '\0') {
		snprintf(err, errlen, "type %s needs socket=PATH", type);
		return -EINVAL;
	}
	if (wants_iface && ps->iface[0] == '\0') {
		snprintf(err, errlen, "type %s needs iface=NAME (a kernel interface)", type);
		return -EINVAL;
	}
	if (wants_devargs && ps->devargs[0] == '\0') {
		snprintf(err, errlen,
			 "type dpdk needs devargs=... (a PCI address like 0000:03:00.0 or a "
			 "vdev like net_null0)");
		return -EINVAL;
	}
	if (!wants_socket && ps->socket[0] != '\0')
		return refuse_member(type, "socket", err, errlen);
	if (!wants_iface && ps->iface[0] != '\0')
		return refuse_member(type, "iface", err, errlen);
	if (!wants_devargs && ps->devargs[0] != '\0')
		return refuse_member(type, "devargs", err, errlen);
	if (wants_socket)
		return vhost_socket_check(ps->socket, err, errlen);
	if (wants_iface)
		return kernel_iface_check_name(ps->iface, err, errlen);
	if (ps->type == PORT_INTERNAL)
		return kernel_iface_check_name(name, err, errlen);
	return 0;
}

/* Brings the kernel interface up, gives it the MTU asked for, and reads it back. */
static int
kernel_prepare(struct port *p, const char *iface, char *err, size_t errlen)
{
	struct kernel_iface_info info;
	int rc;

	if (p->ps.mtu != 0) {
		rc = kernel_iface_set_mtu(iface, p->ps.mtu, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = kernel_iface_set_up(iface, err, errlen);
	if (rc == 0)
		rc = kernel_iface_get(iface, &info, err, errlen);
	if (rc < 0)
		return rc;
	p->mtu = (uint16_t)RTE_MIN(info.mtu, (unsigned int)PORT_MTU_MAX);
	p->mac = info.mac;
	p->has_mac = true;
	p->kernel_up = info.oper_up;
	return 0;
}

int
port_device_open(struct port *p, struct datapath *dp, char *err, size_t errlen)
{
	uint16_t n_pmds = (uint16_t)datapath_n_pmds(dp);
	char devname[64], devargs[PORT_DEVARGS_MAX + 128];
	struct port_open_params op = {
		.devname = devname,
		.devargs = devargs,
		.n_rxq = p->n_rxq,
		/* One tx queue per PMD thread, so threads need not share one. */
		.n_txq = n_pmds,
		.pool = datapath_mempool(dp),
	};
	const char *iface = port_device_iface(p);
	struct kernel_iface_info info;
	unsigned int slot;
	int rc;

	p->mtu = p->ps.mtu ? p->ps.mtu : PORT_MTU_DEFAULT;
	switch (p->ps.type) {
	case PORT_VHOSTUSER:
	case PORT_VHOSTUSER_CLIENT:
		if (p->ps.type == PORT_VHOSTUSER) {
			rc = vhost_socket_prepare(p->ps.socket, err, errlen);
			if (rc < 0)
				return rc;
		}
		snprintf(devname, sizeof(devname), "net_vhost_%s", p->name);
		snprintf(devargs, sizeof(devargs), "iface=%s,queues=%u,client=%d", p->ps.socket,
			 RTE_MAX(n_pmds, p->n_rxq), p->ps.type == PORT_VHOSTUSER_CLIENT);
		break;
	case PORT_DPDK:
		op.devname = NULL;
		snprintf(devargs, sizeof(devargs), "%s", p->ps.devargs);
		op.mtu = p->mtu;
		break;
	case PORT_AFXDP:
	case PORT_AFPACKET:
		/* Before DPDK, which would say vaguely what kernel_iface says
		 * plainly ("iface veth9: no such interface"). */
		rc = kernel_prepare(p, iface, err, errlen);
		if (rc < 0)
			return rc;
		if (p->ps.type == PORT_AFXDP) {
			snprintf(devname, sizeof(devname), "net_af_xdp_%s", p->name);
			snprintf(devargs, sizeof(devargs), "iface=%s,start_queue=0,queue_count=%u",
				 iface, p->n_rxq);
			/* Each queue pair is one XDP socket. */
			op.paired_queues = true;
		} else {
			slot = p->mtu + AFPACKET_SLOT_OVERHEAD <= 2048 ? 2048 : 16384;
			snprintf(devname, sizeof(devname), "net_af_packet_%s", p->name);
			snprintf(devargs, sizeof(devargs),
				 "iface=%s,qpairs=%u,blocksz=%u,framesz=%u,framecnt=%u", iface,
				 p->n_rxq, RTE_MAX(slot, 4096u), slot, AFPACKET_FRAMES);
		}
		break;
	case PORT_INTERNAL:
	default:
		if (kernel_iface_get(iface, &info, err, errlen) == 0) {
			snprintf(err, errlen,
				 "iface %s already exists in the kernel; an internal port creates "
				 "its own tap: pick another port name or delete that interface",
				 iface);
			return -EEXIST;
		}
		snprintf(devname, sizeof(devname), "net_tap_%s", p->name);
		snprintf(devargs, sizeof(devargs), "iface=%s", iface);
		break;
	}
	rc = port_open(&op, &p->eth_port, &p->n_txq, err, errlen);
	if (rc < 0)
		return rc;
	if (p->ps.type == PORT_INTERNAL) {
		rc = kernel_prepare(p, iface, err, errlen);
		if (rc < 0) {
			port_close(p->eth_port);
			return rc;
		}
	}
	return 0;
}

void
port_device_close(struct port *p)
{
	port_close(p->eth_port);
}

int
port_device_set_mtu(struct port *p, uint16_t mtu, char *err, size_t errlen)
{
	const char *iface = port_device_iface(p);

	if (iface != NULL)
		return kernel_iface_set_mtu(iface, mtu, err, errlen);
	if (p->ps.type == PORT_DPDK)
		return port_set_mtu(p->eth_port, mtu, err, errlen);
	return 0;
}
