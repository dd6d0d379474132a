/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_BRIDGE_H
#define VSWITCH_BRIDGE_BRIDGE_H

/*
 * The bridge model: bridges, their ports and MAC tables, as the control
 * thread knows them, and the translation into datapath snapshots.
 *
 * Control thread only. Every change is applied completely or not at all:
 * on failure the functions return -errno, leave the model and the datapath
 * as they were, and write a reason for people into err (errlen bytes).
 * Nothing here touches the configuration store: the caller stores first and
 * applies, or applies and undoes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "datapath/datapath.h"
#include "datapath/dp_stats.h"
#include "datapath/vlan.h"
#include "flow_rule.h"
#include "flow_table.h"

#define BRIDGE_NAME_MAX 15
#define BRIDGE_SOCKET_MAX 107
#define BRIDGE_MAC_AGING_MIN 1
#define BRIDGE_MAC_AGING_MAX 86400
#define BRIDGE_MAC_TABLE_MIN 1
#define BRIDGE_MAC_TABLE_MAX (1u << 20)
#define PORT_IFACE_MAX 15
#define PORT_DEVARGS_MAX 255
#define PORT_MTU_MIN 68
#define PORT_MTU_MAX 9000
#define PORT_MTU_DEFAULT 1500
#define PORT_RXQ_MAX 16

enum port_type {
	PORT_VHOSTUSER,        /* the switch is the vhost-user server */
	PORT_VHOSTUSER_CLIENT, /* QEMU is the server; the switch reconnects */
	PORT_DPDK,             /* any device DPDK probes from devargs: a NIC, a vdev */
	PORT_AFXDP,            /* a kernel interface through AF_XDP */
	PORT_AFPACKET,         /* a kernel interface through AF_PACKET */
	PORT_INTERNAL,         /* a tap named like the port: the host's stack */
	PORT_TYPE_MAX
};

struct bridge_settings {
	uint32_t mac_aging;      /* seconds */
	uint32_t mac_table_size; /* entries */
};

/* What the user asked for; the members a type does not use stay empty. */
struct port_settings {
	enum port_type type;
	char socket[BRIDGE_SOCKET_MAX + 1];
	char iface[PORT_IFACE_MAX + 1];
	char devargs[PORT_DEVARGS_MAX + 1];
	uint16_t mtu; /* 0: the default (1500, or the kernel interface's own) */
	uint16_t rxq; /* 0: one */
	struct vlan_config vlan;
};

struct bridge_set;

/* Wraps a created (not yet started) datapath. NULL with errno. */
struct bridge_set *bridge_set_create(struct datapath *dp);
/* Closes every port and frees every table; the datapath stays the caller's. */
void bridge_set_destroy(struct bridge_set *bs);

void bridge_settings_default(struct bridge_settings *s);
/* Zeroes ps and sets the default VLAN settings (trunk of every VLAN). */
void port_settings_default(struct port_settings *ps, enum port_type type);
/* "vhostuser" <-> PORT_VHOSTUSER ...; -EINVAL for an unknown name. */
int port_type_parse(const char *name, enum port_type *type);
const char *port_type_name(enum port_type type);
/* The accepted type names, for messages: "vhostuser, vhostuser-client, ...". */
const char *port_type_names(void);

int bridge_add(struct bridge_set *bs, const char *name, const struct bridge_settings *s,
	       char *err, size_t errlen);
int bridge_del(struct bridge_set *bs, const char *name, char *err, size_t errlen);
int bridge_get(const struct bridge_set *bs, const char *name, struct bridge_settings *s);
int bridge_set_settings(struct bridge_set *bs, const char *name, const struct bridge_settings *s,
			char *err, size_t errlen);

int bridge_port_add(struct bridge_set *bs, const char *bridge, const char *name,
		    const struct port_settings *ps, char *err, size_t errlen);
int bridge_port_del(struct bridge_set *bs, const char *bridge, const char *name, char *err,
		    size_t errlen);
/* Changes a running port's MTU and VLAN settings at once; the other members
 * of ps must be the port's own (from bridge_port_get). */
int bridge_port_set(struct bridge_set *bs, const char *name, const struct port_settings *ps,
		    char *err, size_t errlen);
/* The port's bridge name and settings; -ENOENT if no such port. */
int bridge_port_get(const struct bridge_set *bs, const char *name, const char **bridge,
		    struct port_settings *ps);

/* Periodic work: applies learn events, ages MAC tables, follows link state.
 * Call every few milliseconds. */
void bridge_run(struct bridge_set *bs);

/* JSON views for the API (docs/api.md). New references; NULL with err set. */
json_t *bridge_show_json(const struct bridge_set *bs);
json_t *bridge_fdb_json(struct bridge_set *bs, const char *name, char *err, size_t errlen);
json_t *bridge_port_stats_json(const struct bridge_set *bs, const char *port, char *err,
			       size_t errlen);
int bridge_fdb_flush(struct bridge_set *bs, const char *name, unsigned int *flushed, char *err,
		     size_t errlen);

/*
 * Flow rules (docs/api.md, "Flow rules"). A change is a transaction:
 * bridge_flows_begin() applies a list of operations to the bridge's rules
 * and builds the datapath tables for the result (nothing reaches PMD
 * threads yet); the caller stores what bridge_flows_txn_visit() reports,
 * then calls bridge_flows_finish() to switch every PMD thread to the new
 * tables at one instant, or bridge_flows_abort() to undo it all.
 */
#define BRIDGE_DEFAULT_FLOW_ID 1 /* the id of a new bridge's table=0,priority=0,actions=normal */

struct bridge_flow_txn;
typedef int (*bridge_flow_put_fn)(uint64_t id, const char *text, void *arg);
typedef int (*bridge_flow_del_fn)(uint64_t id, void *arg);
/* Stores an expiry transaction; 0 to let it finish, <0 to abort it. */
typedef int (*bridge_flow_expire_fn)(struct bridge_set *bs, const struct bridge_flow_txn *t,
				     void *arg);

/* Milliseconds on the clock rules are timed by (monotonic). */
uint64_t bridge_flows_now(void);
/* Parses a rule or filter of bridge; ports must be the bridge's unless
 * restoring (stored rules may name ports that are gone). The caller frees
 * rule with flow_rule_free(), also after a failure. */
int bridge_flow_parse(struct bridge_set *bs, const char *bridge, const char *text,
		      enum flow_parse_mode mode, bool restoring, struct flow_rule *rule, char *err,
		      size_t errlen);
/* On failure *failed is the index of the operation at fault. */
int bridge_flows_begin(struct bridge_set *bs, const char *bridge, const struct flow_op *ops,
		       unsigned int n, struct bridge_flow_txn **txn, unsigned int *failed,
		       char *err, size_t errlen);
/* put(id, canonical text) for each rule added or changed, del(id) for each
 * removed, in order; stops at the first negative return and returns it. */
int bridge_flows_txn_visit(const struct bridge_set *bs, const struct bridge_flow_txn *txn,
			   bridge_flow_put_fn put, bridge_flow_del_fn del, void *arg);
void bridge_flows_txn_counts(const struct bridge_flow_txn *txn, unsigned int *added,
			     unsigned int *removed, unsigned int *modified);
const char *bridge_flows_txn_bridge(const struct bridge_flow_txn *txn);
void bridge_flows_abort(struct bridge_set *bs, struct bridge_flow_txn *txn);
void bridge_flows_finish(struct bridge_set *bs, struct bridge_flow_txn *txn);
/* Samples every rule's counters and removes the rules whose timeout passed,
 * one transaction per bridge, each stored through fn first. Call about once
 * a second. Returns how many rules were removed. */
unsigned int bridge_flows_expire(struct bridge_set *bs, bridge_flow_expire_fn fn, void *arg);
/* The rules of bridge (those filter covers, if not NULL) as a JSON array;
 * NULL with err set. */
json_t *bridge_flows_json(const struct bridge_set *bs, const char *bridge,
			  const struct flow_rule *filter, char *err, size_t errlen);
/* {"n_rules", "classifier", "datapath_bytes"}; NULL if no such bridge. */
json_t *bridge_flows_summary_json(const struct bridge_set *bs, const char *bridge);

/* Visits every port with its summed counters (for telemetry). */
typedef void (*bridge_port_visit_fn)(const char *bridge, const char *port,
				     const struct dp_port_stats *stats, void *arg);
void bridge_port_visit(const struct bridge_set *bs, bridge_port_visit_fn fn, void *arg);

/*
 * Connection tracking (bridge_conntrack.c). bridge NULL means every bridge,
 * zone -1 every zone. The JSON is docs/api.md's conntrack.show result.
 */
json_t *bridge_conntrack_json(struct bridge_set *bs, const char *bridge, int zone, char *err,
			      size_t errlen);
int bridge_conntrack_flush(struct bridge_set *bs, const char *bridge, int zone,
			   unsigned int *flushed, char *err, size_t errlen);
/* Removes expired connections; for the control loop, about once a second. */
void bridge_conntrack_sweep(struct bridge_set *bs);
/* For limits and timeouts. */
struct conntrack *bridge_set_conntrack(const struct bridge_set *bs);

/*
 * Frames between the control thread and ports (port_io.c), for the control
 * plane's own protocols (ARP for the NAT network).
 */
struct bridge_punt {
	struct rte_mbuf *m; /* the caller's: free it */
	const char *bridge; /* valid until the model next changes */
	const char *port;   /* the input port */
};
/* Frames the controller action sent up, at most max. Frames from ports that
 * are gone are freed, not returned. */
unsigned int bridge_punt_dequeue(struct bridge_set *bs, struct bridge_punt *out, unsigned int max);
/* Sends m out of port; takes m, also when failing. 0 or -errno (-ENOENT: no
 * such port; -ENOBUFS: the datapath's queue is full). */
int bridge_port_send(struct bridge_set *bs, const char *port, struct rte_mbuf *m);
struct rte_mempool *bridge_set_mempool(const struct bridge_set *bs);
/* A routed port takes no part in the L2 switch's flooding (normal, flood):
 * only rules that name it send to it. -ENOENT when there is no such port. */
int bridge_port_set_routed(struct bridge_set *bs, const char *port, bool routed);
/* The names of bridge's ports, for sending to all (at most max). */
unsigned int bridge_port_names(const struct bridge_set *bs, const char *bridge, const char **names,
			       unsigned int max);

#endif
