/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "kernel_iface.h"
#include "link_monitor.h"

/*
 * libnl's default of 32 KiB holds a couple of dozen RTM_NEWLINK messages (each
 * carries stats and more, 1-2 KiB), fewer than a bridge's worth of ports
 * flapping at once. The kernel caps the request at net.core.rmem_max.
 */
#define LINK_MONITOR_RCVBUF (1 << 20)

struct link_monitor {
	struct nl_sock *sk;
	/* The current poll's callback, for on_link_msg(). */
	link_monitor_fn fn;
	void *arg;
	int delivered;
};

static int
on_link_msg(struct nl_msg *msg, void *arg)
{
	struct link_monitor *mon = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct ifinfomsg *ifi;
	struct nlattr *attr;
	char name[IFNAMSIZ];
	bool deleted;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return NL_SKIP;
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)))
		return NL_SKIP;
	ifi = nlmsg_data(nlh);
	/* The bridge module sends its port notifications (AF_BRIDGE) to this
	 * group too; its RTM_DELLINK means "left a bridge", not "gone". */
	if (ifi->ifi_family != AF_UNSPEC)
		return NL_SKIP;
	attr = nlmsg_find_attr(nlh, sizeof(*ifi), IFLA_IFNAME);
	if (attr == NULL)
		return NL_SKIP;
	nla_strlcpy(name, attr, sizeof(name));

	deleted = nlh->nlmsg_type == RTM_DELLINK;
	mon->fn(name, ifi->ifi_index, !deleted && (ifi->ifi_flags & IFF_UP),
		!deleted && (ifi->ifi_flags & IFF_RUNNING), deleted, mon->arg);
	mon->delivered++;
	return NL_OK;
}

static struct link_monitor *
create_fail(struct link_monitor *mon, int nlerr, const char *what, int *rc, char *err,
	    size_t errlen)
{
	snprintf(err, errlen, "link monitor: %s: %s", what, nl_geterror(nlerr));
	*rc = kernel_iface_nlerr(nlerr);
	link_monitor_destroy(mon);
	return NULL;
}

struct link_monitor *
link_monitor_create(int *rc, char *err, size_t errlen)
{
	struct link_monitor *mon = calloc(1, sizeof(*mon));
	int nlerr;

	if (mon == NULL)
		return create_fail(NULL, -NLE_NOMEM, "cannot allocate", rc, err, errlen);
	mon->sk = nl_socket_alloc();
	if (mon->sk == NULL)
		return create_fail(mon, -NLE_NOMEM, "cannot allocate a netlink socket", rc, err,
				   errlen);
	/* Multicast notifications carry sequence number 0, never the next one
	 * libnl expects. */
	nl_socket_disable_seq_check(mon->sk);
	nlerr = nl_socket_modify_cb(mon->sk, NL_CB_VALID, NL_CB_CUSTOM, on_link_msg, mon);
	if (nlerr < 0)
		return create_fail(mon, nlerr, "cannot set up a netlink socket", rc, err, errlen);
	nlerr = nl_connect(mon->sk, NETLINK_ROUTE);
	if (nlerr < 0)
		return create_fail(mon, nlerr, "cannot open a route netlink socket", rc, err,
				   errlen);
	nlerr = nl_socket_add_membership(mon->sk, RTNLGRP_LINK);
	if (nlerr < 0)
		return create_fail(mon, nlerr, "cannot subscribe to link events", rc, err, errlen);
	nlerr = nl_socket_set_nonblocking(mon->sk);
	if (nlerr < 0)
		return create_fail(mon, nlerr, "cannot make the netlink socket non-blocking", rc,
				   err, errlen);
	nlerr = nl_socket_set_buffer_size(mon->sk, LINK_MONITOR_RCVBUF, 0);
	if (nlerr < 0)
		return create_fail(mon, nlerr, "cannot size the netlink socket's buffer", rc, err,
				   errlen);
	*rc = 0;
	return mon;
}

void
link_monitor_destroy(struct link_monitor *mon)
{
	if (mon == NULL)
		return;
	nl_socket_free(mon->sk);
	free(mon);
}

int
link_monitor_poll(struct link_monitor *mon, link_monitor_fn fn, void *arg)
{
	bool overrun = false;
	int nlerr, rc = 0;

	mon->fn = fn;
	mon->arg = arg;
	mon->delivered = 0;
	/* One datagram per call: read until the socket would block. */
	for (;;) {
		nlerr = nl_recvmsgs_default(mon->sk);
		if (nlerr >= 0)
			continue;
		if (nlerr == -NLE_AGAIN)
			break;
		/* ENOBUFS, which libnl reports as NLE_NOMEM: the kernel dropped
		 * events, and the socket keeps working. */
		if (nlerr == -NLE_NOMEM || nlerr == -NLE_MSG_OVERFLOW) {
			overrun = true;
			continue;
		}
		rc = kernel_iface_nlerr(nlerr);
		break;
	}
	/* Last, because what was still queued is older than what was lost: told
	 * earlier, the owner would re-read every interface and then have the
	 * fresh state overwritten by those stale events. */
	if (overrun) {
		fn(NULL, 0, false, false, false, arg);
		mon->delivered++;
	}
	return rc < 0 ? rc : mon->delivered;
}
