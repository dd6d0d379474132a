/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "kernel_iface.h"

/*
 * What the kernel said when it refused a request. libnl folds the kernel's
 * errno into its own NLE_* codes, losing detail (ENOSPC and many others all
 * become NLE_FAILURE) and the extended ack text that says which limit was hit,
 * so both are picked off the NLMSG_ERROR before libnl sees it.
 */
struct kernel_reply {
	int error; /* positive errno; 0 when the kernel did not refuse */
	char text[128];
};

/* One route netlink socket per call: see the header. */
struct rtnl_conn {
	struct nl_sock *sk;
	struct kernel_reply reply;
};

int
kernel_iface_nlerr(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

int
kernel_iface_check_name(const char *name, char *err, size_t errlen)
{
	const char *p;
	size_t len;

	/* The same rules as the kernel's dev_valid_name(), so a bad name is refused
	 * with a reason here rather than with a bare EINVAL from netlink. */
	if (name == NULL || name[0] == '\0') {
		snprintf(err, errlen, "iface name is empty");
		return -EINVAL;
	}
	len = strlen(name);
	if (len > KERNEL_IFACE_NAME_MAX) {
		snprintf(err, errlen, "iface %s: name is %zu bytes long; at most %d fit", name, len,
			 KERNEL_IFACE_NAME_MAX);
		return -EINVAL;
	}
	/* The name becomes a directory under /sys/class/net. */
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(err, errlen, "iface %s: \".\" and \"..\" cannot be interface names", name);
		return -EINVAL;
	}
	for (p = name; *p != '\0'; p++) {
		/* ':' is taken by the old alias syntax (eth0:1). */
		if (*p == '/' || *p == ':') {
			snprintf(err, errlen, "iface %s: '%c' is not allowed in an interface name",
				 name, *p);
			return -EINVAL;
		}
		if (isspace((unsigned char)*p)) {
			snprintf(err, errlen,
				 "iface %s: whitespace is not allowed in an interface name", name);
			return -EINVAL;
		}
	}
	return 0;
}

static int
on_msg_in(struct nl_msg *msg, void *arg)
{
	struct kernel_reply *reply = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct nlmsgerr *e;
	struct nlattr *text;
	int datalen, off;

	if (nlh->nlmsg_type != NLMSG_ERROR || !nlmsg_valid_hdr(nlh, sizeof(*e)))
		return NL_OK;
	e = nlmsg_data(nlh);
	if (e->error == 0)
		return NL_OK;
	reply->error = e->error < 0 ? -e->error : e->error;
	reply->text[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_OK;
	/* The attributes follow the echoed request, which is cut down to its header
	 * when the kernel says it capped it. */
	datalen = nlmsg_datalen(nlh);
	off = NLMSG_ALIGN(sizeof(*e));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= datalen)
		return NL_OK;
	text = nla_find((struct nlattr *)((char *)e + off), datalen - off, NLMSGERR_ATTR_MSG);
	if (text != NULL)
		nla_strlcpy(reply->text, text, sizeof(reply->text));
	return NL_OK;
}

static int
conn_open(struct rtnl_conn *conn, const char *name, char *err, size_t errlen)
{
	int one = 1;
	int rc;

	memset(conn, 0, sizeof(*conn));
	conn->sk = nl_socket_alloc();
	if (conn->sk == NULL) {
		snprintf(err, errlen, "iface %s: out of memory for a netlink socket", name);
		return -ENOMEM;
	}
	rc = nl_connect(conn->sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(err, errlen, "iface %s: cannot open a route netlink socket: %s", name,
			 nl_geterror(rc));
		nl_socket_free(conn->sk);
		return kernel_iface_nlerr(rc);
	}
	/* Best effort: a kernel without extended acks still sends the errno. */
	setsockopt(nl_socket_get_fd(conn->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	rc = nl_socket_modify_cb(conn->sk, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, &conn->reply);
	if (rc < 0) {
		snprintf(err, errlen, "iface %s: cannot set up a netlink socket: %s", name,
			 nl_geterror(rc));
		nl_socket_free(conn->sk);
		return kernel_iface_nlerr(rc);
	}
	return 0;
}

/* nlerr is libnl's answer to the last request on conn; what says what failed. */
static int
conn_fail(struct rtnl_conn *conn, int nlerr, const char *name, const char *what, char *err,
	  size_t errlen)
{
	const struct kernel_reply *reply = &conn->reply;
	const char *reason;
	int rc;

	if (reply->error != 0) {
		rc = -reply->error;
		reason = reply->text[0] != '\0' ? reply->text : strerror(reply->error);
	} else {
		rc = kernel_iface_nlerr(nlerr);
		reason = nl_geterror(nlerr);
	}
	/* Also covers an interface that went away between the lookup and the change. */
	if (rc == -ENODEV)
		snprintf(err, errlen, "iface %s: no such interface", name);
	else
		snprintf(err, errlen, "iface %s: %s: %s", name, what, reason);
	return rc;
}

static int
conn_lookup(struct rtnl_conn *conn, const char *name, struct rtnl_link **link, char *err,
	    size_t errlen)
{
	int rc;

	conn->reply.error = 0;
	rc = rtnl_link_get_kernel(conn->sk, 0, name, link);
	if (rc < 0)
		return conn_fail(conn, rc, name, "cannot read its state", err, errlen);
	return 0;
}

int
kernel_iface_get(const char *name, struct kernel_iface_info *info, char *err, size_t errlen)
{
	struct rtnl_link *link;
	struct rtnl_conn conn;
	struct nl_addr *addr;
	unsigned int flags;
	int rc;

	rc = kernel_iface_check_name(name, err, errlen);
	if (rc < 0)
		return rc;
	rc = conn_open(&conn, name, err, errlen);
	if (rc < 0)
		return rc;
	rc = conn_lookup(&conn, name, &link, err, errlen);
	if (rc < 0)
		goto out;

	memset(info, 0, sizeof(*info));
	info->ifindex = rtnl_link_get_ifindex(link);
	info->mtu = rtnl_link_get_mtu(link);
	flags = rtnl_link_get_flags(link);
	info->admin_up = (flags & IFF_UP) != 0;
	info->oper_up = (flags & IFF_RUNNING) != 0;
	/* Interfaces without an Ethernet address (a tun, an IP tunnel) keep
	 * the zero MAC rather than a truncated or foreign-length one. */
	addr = rtnl_link_get_addr(link);
	if (addr != NULL && nl_addr_get_len(addr) == RTE_ETHER_ADDR_LEN)
		memcpy(info->mac.addr_bytes, nl_addr_get_binary_addr(addr), RTE_ETHER_ADDR_LEN);
	rtnl_link_put(link);
out:
	nl_socket_free(conn.sk);
	return rc;
}

/* Sets one attribute (set(change, value): rtnl_link_set_flags or
 * rtnl_link_set_mtu) on the interface called name. */
static int
change_link(const char *name, void (*set)(struct rtnl_link *, unsigned int), unsigned int value,
	    const char *what, char *err, size_t errlen)
{
	struct rtnl_link *orig, *change;
	struct rtnl_conn conn;
	int rc;

	rc = kernel_iface_check_name(name, err, errlen);
	if (rc < 0)
		return rc;
	change = rtnl_link_alloc();
	if (change == NULL) {
		snprintf(err, errlen, "iface %s: out of memory", name);
		return -ENOMEM;
	}
	set(change, value);
	rc = conn_open(&conn, name, err, errlen);
	if (rc < 0)
		goto put;
	/* rtnl_link_change() needs the current link: it addresses the request
	 * by ifindex and merges the flags into the current ones. */
	rc = conn_lookup(&conn, name, &orig, err, errlen);
	if (rc < 0)
		goto out;
	conn.reply.error = 0;
	rc = rtnl_link_change(conn.sk, orig, change, 0);
	if (rc < 0)
		rc = conn_fail(&conn, rc, name, what, err, errlen);
	rtnl_link_put(orig);
out:
	nl_socket_free(conn.sk);
put:
	rtnl_link_put(change);
	return rc;
}

int
kernel_iface_set_up(const char *name, char *err, size_t errlen)
{
	return change_link(name, rtnl_link_set_flags, IFF_UP, "cannot bring it up", err, errlen);
}

int
kernel_iface_set_mtu(const char *name, unsigned int mtu, char *err, size_t errlen)
{
	char what[40];

	snprintf(what, sizeof(what), "cannot set MTU %u", mtu);
	return change_link(name, rtnl_link_set_mtu, mtu, what, err, errlen);
}
