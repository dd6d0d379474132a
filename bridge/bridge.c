/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "bridge.h"
#include "bridge_priv.h"
#include "datapath/flow_pipeline.h"
#include "datapath/port.h"
#include "kernel_iface.h"
#include "link_monitor.h"
#include "port_device.h"

RTE_LOG_REGISTER(bridge_logtype, vswitch.bridge, INFO);

#define LOG(level, ...) rte_log(RTE_LOG_##level, bridge_logtype, "bridge: " __VA_ARGS__)

/* How long a MAC flap warning for one bridge silences the next. */
#define FLAP_LOG_INTERVAL_SEC 10
/* Learn events applied per bridge_run() at most, so API requests keep flowing. */
#define LEARN_BUDGET 65536

static const char *const type_names[] = {
	[PORT_VHOSTUSER] = "vhostuser",
	[PORT_VHOSTUSER_CLIENT] = "vhostuser-client",
	[PORT_DPDK] = "dpdk",
	[PORT_AFXDP] = "afxdp",
	[PORT_AFPACKET] = "afpacket",
	[PORT_INTERNAL] = "internal",
};

void
bridge_settings_default(struct bridge_settings *s)
{
	s->mac_aging = FDB_DEFAULT_AGING_SEC;
	s->mac_table_size = FDB_DEFAULT_ENTRIES;
}

int
port_type_parse(const char *name, enum port_type *type)
{
	for (size_t i = 0; i < RTE_DIM(type_names); i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*type = (enum port_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
port_type_name(enum port_type type)
{
	return (size_t)type < RTE_DIM(type_names) ? type_names[type] : "unknown";
}

const char *
port_type_names(void)
{
	return "vhostuser, vhostuser-client, dpdk, afxdp, afpacket, internal";
}

void
port_settings_default(struct port_settings *ps, enum port_type type)
{
	memset(ps, 0, sizeof(*ps));
	ps->type = type;
	vlan_config_default(&ps->vlan);
}

struct bridge_set *
bridge_set_create(struct datapath *dp)
{
	struct bridge_set *bs = calloc(1, sizeof(*bs));

	char err[256];
	int rc;

	if (bs == NULL)
		return NULL;
	bs->dp = dp;
	bs->links = link_monitor_create(&rc, err, sizeof(err));
	if (bs->links == NULL)
		LOG(WARNING, "cannot watch kernel interfaces (%s): afxdp, afpacket and internal "
		    "ports will not follow their interface going down\n", err);
	return bs;
}

static int
check_name(const char *what, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len == 0 || len > BRIDGE_NAME_MAX) {
		snprintf(err, errlen, "%s name \"%s\" must be 1 to %d characters", what, name,
			 BRIDGE_NAME_MAX);
		return -EINVAL;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    len) {
		snprintf(err, errlen, "%s name \"%s\" may only use A-Z a-z 0-9 _ . -", what, name);
		return -EINVAL;
	}
	return 0;
}

static int
check_settings(const struct bridge_settings *s, char *err, size_t errlen)
{
	if (s->mac_aging < BRIDGE_MAC_AGING_MIN || s->mac_aging > BRIDGE_MAC_AGING_MAX) {
		snprintf(err, errlen, "mac-aging %u out of range; expected %d to %d seconds",
			 s->mac_aging, BRIDGE_MAC_AGING_MIN, BRIDGE_MAC_AGING_MAX);
		return -ERANGE;
	}
	if (s->mac_table_size < BRIDGE_MAC_TABLE_MIN || s->mac_table_size > BRIDGE_MAC_TABLE_MAX) {
		snprintf(err, errlen, "mac-table-size %u out of range; expected %d to %u entries",
			 s->mac_table_size, BRIDGE_MAC_TABLE_MIN, BRIDGE_MAC_TABLE_MAX);
		return -ERANGE;
	}
	return 0;
}

struct bridge *
bridge_find(const struct bridge_set *bs, const char *name)
{
	for (int i = 0; i < DP_MAX_BRIDGES; i++)
		if (bs->bridges[i] != NULL && strcmp(bs->bridges[i]->name, name) == 0)
			return bs->bridges[i];
	return NULL;
}

struct port *
port_find(const struct bridge_set *bs, const char *name)
{
	for (int i = 0; i < DP_MAX_PORTS; i++)
		if (bs->ports[i] != NULL && strcmp(bs->ports[i]->name, name) == 0)
			return bs->ports[i];
	return NULL;
}

/* Builds the snapshot that describes the model as it is now. NULL on ENOMEM. */
static struct snapshot *
snap_build(const struct bridge_set *bs)
{
	struct snapshot *snap = snapshot_create();
	uint16_t n_pmds = (uint16_t)datapath_n_pmds(bs->dp);

	if (snap == NULL)
		return NULL;
	for (int i = 0; i < DP_MAX_BRIDGES; i++) {
		if (bs->bridges[i] == NULL)
			continue;
		snap->bridges[i].in_use = true;
		snap->bridges[i].fdb = bs->bridges[i]->fdb;
		snap->bridges[i].pipeline = bs->bridges[i]->pipeline;
		flow_pipeline_get(snap->bridges[i].pipeline);
		snap->bridges[i].count_default = bs->bridges[i]->flows_default;
		snap->bridges[i].default_slot = bs->bridges[i]->default_slot;
		snap->bridges[i].vlan_uniform = true;
		snap->bridges[i].min_mtu = UINT16_MAX;
	}
	for (uint16_t no = 0; no < DP_MAX_PORTS; no++) {
		const struct port *p = bs->ports[no];
		struct snap_port *sp = &snap->ports[no];
		struct snap_bridge *sb;
		struct snap_pmd *pmd;

		if (p == NULL)
			continue;
		sp->in_use = true;
		sp->link_up = p->link_up;
		sp->eth_port = p->eth_port;
		sp->bridge = p->br->index;
		sp->n_txq = p->n_txq;
		sp->tx_shared = p->n_txq < n_pmds;
		sp->mtu = p->mtu;
		vlan_port_build(&sp->vlan, &p->ps.vlan);
		sb = &snap->bridges[p->br->index];
		sb->vlan_uniform &= p->ps.vlan.mode == VLAN_MODE_TRUNK && p->ps.vlan.trunks_all;
		if (p->link_up && !p->routed) {
			sb->flood[sb->n_flood++] = no;
			sb->min_mtu = RTE_MIN(sb->min_mtu, p->mtu);
		}
		for (uint16_t q = 0; q < p->n_rxq; q++) {
			pmd = &snap->pmds[p->rxq_pmd[q]];
			pmd->rxq[pmd->n_rxq].port_no = no;
			pmd->rxq[pmd->n_rxq].queue = q;
			pmd->n_rxq++;
		}
	}
	return snap;
}

int
bridge_publish(struct bridge_set *bs)
{
	struct snapshot *snap = snap_build(bs);

	if (snap == NULL)
		return -ENOMEM;
	datapath_publish(bs->dp, snap);
	return 0;
}

static void
log_flap(struct bridge *br, const struct fdb_key *key, const struct port *from,
	 const struct port *to, uint32_t now)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (br->flap_logged && now - br->last_flap_log < FLAP_LOG_INTERVAL_SEC)
		return;
	br->flap_logged = true;
	br->last_flap_log = now;
	rte_ether_format_addr(mac, sizeof(mac), &key->mac);
	LOG(WARNING,
	    "%s: MAC %s (vlan %u) keeps moving between ports %s and %s: two hosts use the "
	    "same MAC (a cloned VM that kept its MAC?); give one of them a new MAC\n",
	    br->name, mac, key->vlan, from ? from->name : "?", to->name);
}

static void
learn_apply(struct bridge_set *bs, const struct learn_event *ev, uint32_t now)
{
	struct bridge *br;
	struct port *p;
	uint16_t old = FDB_PORT_NONE;
	int rc;

	if (ev->bridge >= DP_MAX_BRIDGES || ev->port_no >= DP_MAX_PORTS)
		return;
	br = bs->bridges[ev->bridge];
	p = bs->ports[ev->port_no];
	/* Events queued before a port or bridge went away are stale: drop them. */
	if (br == NULL || p == NULL || p->br != br)
		return;
	rc = fdb_learn(br->fdb, &ev->key, ev->port_no, now, &old);
	if (rc == FDB_LEARN_FLAPPING)
		log_flap(br, &ev->key, old < DP_MAX_PORTS ? bs->ports[old] : NULL, p, now);
}

/* Applies every queued learn event, up to budget. */
static void
learn_drain(struct bridge_set *bs, unsigned int budget)
{
	struct learn_event ev[256];
	uint32_t now = fdb_now();
	unsigned int n, total = 0;

	while (total < budget && (n = datapath_learn_dequeue(bs->dp, ev, RTE_DIM(ev))) > 0) {
		for (unsigned int i = 0; i < n; i++)
			learn_apply(bs, &ev[i], now);
		total += n;
	}
}

/*
 * Publishes the model after something was taken out of it, then, once no PMD
 * thread can reach the removed things, discards their queued learn events.
 * On ENOMEM nothing is published and the caller must put things back.
 */
static int
publish_removal(struct bridge_set *bs)
{
	int rc = bridge_publish(bs);

	if (rc == 0)
		learn_drain(bs, UINT32_MAX);
	return rc;
}

static int
fdb_make(struct bridge_set *bs, struct bridge *br, const struct bridge_settings *s,
	 struct fdb **out)
{
	struct fdb_params fp = {
		.max_entries = s->mac_table_size,
		.aging_sec = s->mac_aging,
		.socket_id = SOCKET_ID_ANY,
		.qsbr = datapath_qsbr(bs->dp),
	};
	char name[32];

	/* rte_hash names are global: the generation keeps a resized table's name new. */
	snprintf(name, sizeof(name), "fdb%u_%u", br->index, bs->fdb_generation++);
	fp.name = name;
	*out = fdb_create(&fp);
	return *out == NULL ? -errno : 0;
}

int
bridge_add(struct bridge_set *bs, const char *name, const struct bridge_settings *s, char *err,
	   size_t errlen)
{
	struct bridge *br;
	int rc, idx = -1;

	rc = check_name("bridge", name, err, errlen);
	if (rc < 0)
		return rc;
	rc = check_settings(s, err, errlen);
	if (rc < 0)
		return rc;
	if (bridge_find(bs, name) != NULL) {
		snprintf(err, errlen, "bridge \"%s\" already exists", name);
		return -EEXIST;
	}
	for (int i = 0; i < DP_MAX_BRIDGES && idx < 0; i++)
		if (bs->bridges[i] == NULL)
			idx = i;
	if (idx < 0) {
		snprintf(err, errlen, "too many bridges (at most %d)", DP_MAX_BRIDGES);
		return -ENOSPC;
	}
	br = calloc(1, sizeof(*br));
	if (br == NULL)
		goto nomem;
	snprintf(br->name, sizeof(br->name), "%s", name);
	br->s = *s;
	br->index = (uint16_t)idx;
	if (fdb_make(bs, br, s, &br->fdb) < 0) {
		free(br);
		goto nomem;
	}
	if (bridge_flows_init(bs, br) < 0) {
		bridge_flows_fini(bs, br);
		fdb_destroy(br->fdb);
		free(br);
		goto nomem;
	}
	bs->bridges[idx] = br;
	if (bridge_publish(bs) < 0) {
		bs->bridges[idx] = NULL;
		bridge_flows_fini(bs, br);
		fdb_destroy(br->fdb);
		free(br);
		goto nomem;
	}
	LOG(INFO, "added bridge %s\n", name);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory creating bridge \"%s\"", name);
	return -ENOMEM;
}

/* Frees a port that is out of the model and of every PMD thread's view. */
static void
port_release(struct bridge_set *bs, struct port *p)
{
	fdb_flush_port(p->br->fdb, p->port_no);
	port_device_close(p);
	datapath_port_stats_clear(bs->dp, p->port_no);
	for (uint16_t q = 0; q < p->n_rxq; q++)
		bs->pmd_load[p->rxq_pmd[q]]--;
	free(p);
}

int
bridge_del(struct bridge_set *bs, const char *name, char *err, size_t errlen)
{
	struct bridge *br = bridge_find(bs, name);
	struct port *removed[DP_MAX_PORTS];
	int n = 0;

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", name);
		return -ENOENT;
	}
	for (int i = 0; i < DP_MAX_PORTS; i++) {
		if (bs->ports[i] != NULL && bs->ports[i]->br == br) {
			removed[n++] = bs->ports[i];
			bs->ports[i] = NULL;
		}
	}
	bs->bridges[br->index] = NULL;
	if (publish_removal(bs) < 0) {
		bs->bridges[br->index] = br;
		for (int i = 0; i < n; i++)
			bs->ports[removed[i]->port_no] = removed[i];
		snprintf(err, errlen, "out of memory deleting bridge \"%s\"", name);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		port_release(bs, removed[i]);
	bridge_flows_fini(bs, br);
	/* Its slot may go to a new bridge, which must not inherit connections. */
	conntrack_flush(datapath_conntrack(bs->dp), br->index, -1);
	fdb_destroy(br->fdb);
	LOG(INFO, "deleted bridge %s and its %d port(s)\n", name, n);
	free(br);
	return 0;
}

int
bridge_get(const struct bridge_set *bs, const char *name, struct bridge_settings *s)
{
	const struct bridge *br = bridge_find(bs, name);

	if (br == NULL)
		return -ENOENT;
	*s = br->s;
	return 0;
}

/* A new size needs a new table: copy, publish, then free the old one. */
static int
fdb_resize(struct bridge_set *bs, struct bridge *br, const struct bridge_settings *s)
{
	struct fdb *old = br->fdb, *fresh;
	struct fdb_stats st;
	int rc = fdb_make(bs, br, s, &fresh);

	if (rc < 0)
		return rc;
	fdb_copy(fresh, old);
	br->fdb = fresh;
	rc = publish_removal(bs);
	if (rc < 0) {
		br->fdb = old;
		fdb_destroy(fresh);
		return rc;
	}
	/* Counters describe the bridge, not one table: keep them across the swap. */
	fdb_get_stats(old, &st);
	br->fdb_base.learned += st.learned;
	br->fdb_base.moves += st.moves;
	br->fdb_base.full += st.full;
	br->fdb_base.aged += st.aged;
	fdb_destroy(old);
	return 0;
}

int
bridge_set_settings(struct bridge_set *bs, const char *name, const struct bridge_settings *s,
		    char *err, size_t errlen)
{
	struct bridge *br = bridge_find(bs, name);
	int rc;

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", name);
		return -ENOENT;
	}
	rc = check_settings(s, err, errlen);
	if (rc < 0)
		return rc;
	if (s->mac_table_size != br->s.mac_table_size) {
		rc = fdb_resize(bs, br, s);
		if (rc < 0) {
			snprintf(err, errlen, "cannot resize the MAC table of \"%s\": %s", name,
				 strerror(-rc));
			return rc;
		}
	}
	fdb_set_aging(br->fdb, s->mac_aging);
	br->s = *s;
	return 0;
}

static uint16_t
least_loaded_pmd(const struct bridge_set *bs)
{
	uint16_t best = 0;

	for (uint16_t i = 1; i < datapath_n_pmds(bs->dp); i++)
		if (bs->pmd_load[i] < bs->pmd_load[best])
			best = i;
	return best;
}

static int
check_port_settings(const struct port_settings *ps, char *err, size_t errlen)
{
	if (ps->mtu != 0 && (ps->mtu < PORT_MTU_MIN || ps->mtu > PORT_MTU_MAX)) {
		snprintf(err, errlen, "mtu %u out of range; expected %d to %d", ps->mtu,
			 PORT_MTU_MIN, PORT_MTU_MAX);
		return -ERANGE;
	}
	if (ps->rxq > PORT_RXQ_MAX) {
		snprintf(err, errlen, "rxq %u out of range; expected 1 to %d", ps->rxq,
			 PORT_RXQ_MAX);
		return -ERANGE;
	}
	return vlan_config_check(&ps->vlan, err, errlen);
}

/* Two ports on one socket, interface or device would steal each other's frames. */
static int
check_unshared(const struct bridge_set *bs, const struct port_settings *ps, char *err,
	       size_t errlen)
{
	for (int i = 0; i < DP_MAX_PORTS; i++) {
		const struct port *o = bs->ports[i];
		const char *what = NULL, *val = NULL;

		if (o == NULL)
			continue;
		if (ps->socket[0] && strcmp(o->ps.socket, ps->socket) == 0)
			what = "socket", val = ps->socket;
		else if (ps->iface[0] && port_device_iface(o) &&
			 strcmp(port_device_iface(o), ps->iface) == 0)
			what = "iface", val = ps->iface;
		else if (ps->devargs[0] && strcmp(o->ps.devargs, ps->devargs) == 0)
			what = "device", val = ps->devargs;
		if (what != NULL) {
			snprintf(err, errlen, "%s %s is already used by port \"%s\"", what, val,
				 o->name);
			return -EEXIST;
		}
	}
	return 0;
}

static int
port_check(const struct bridge_set *bs, const char *name, const struct port_settings *ps,
	   char *err, size_t errlen)
{
	int rc = check_name("port", name, err, errlen);

	if (rc < 0)
		return rc;
	if (port_find(bs, name) != NULL) {
		snprintf(err, errlen, "port \"%s\" already exists", name);
		return -EEXIST;
	}
	rc = port_device_check(name, ps, err, errlen);
	if (rc == 0)
		rc = check_port_settings(ps, err, errlen);
	if (rc == 0)
		rc = check_unshared(bs, ps, err, errlen);
	return rc;
}

/* Whether the port can carry frames: its device has link and, for a kernel
 * interface, the interface is up with carrier. */
static bool
port_carrier(const struct port *p)
{
	return port_link_up(p->eth_port) && (port_device_iface(p) == NULL || p->kernel_up);
}

int
bridge_port_add(struct bridge_set *bs, const char *bridge, const char *name,
		const struct port_settings *ps, char *err, size_t errlen)
{
	struct bridge *br = bridge_find(bs, bridge);
	struct port *p;
	int rc, no = -1;

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	rc = port_check(bs, name, ps, err, errlen);
	if (rc < 0)
		return rc;
	for (int i = 0; i < DP_MAX_PORTS && no < 0; i++)
		if (bs->ports[i] == NULL)
			no = i;
	if (no < 0) {
		snprintf(err, errlen, "too many ports (at most %d)", DP_MAX_PORTS);
		return -ENOSPC;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ps = *ps;
	p->br = br;
	p->port_no = (uint16_t)no;
	p->n_rxq = ps->rxq ? ps->rxq : 1;
	rc = port_device_open(p, bs->dp, err, errlen);
	if (rc < 0) {
		free(p);
		return rc;
	}
	/* Queue by queue to the least loaded PMD thread, so one port's queues spread. */
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		p->rxq_pmd[q] = least_loaded_pmd(bs);
		bs->pmd_load[p->rxq_pmd[q]]++;
	}
	p->link_up = port_carrier(p);
	bs->ports[no] = p;
	/* Rules that name the port by name start to apply to it. */
	if (!br->flows_default && bridge_flows_recompile(bs, br) < 0)
		LOG(ERR, "%s: out of memory rebuilding the flow tables: rules naming port %s "
		    "apply to it after the next change\n", bridge, name);
	if (bridge_publish(bs) < 0) {
		bs->ports[no] = NULL;
		for (uint16_t q = 0; q < p->n_rxq; q++)
			bs->pmd_load[p->rxq_pmd[q]]--;
		port_device_close(p);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	LOG(INFO, "added port %s to bridge %s (%s %s%s%s, %u rx queue(s), mtu %u)\n", name, bridge,
	    port_type_name(ps->type), ps->socket, ps->iface, ps->devargs, p->n_rxq, p->mtu);
	return 0;
}

int
bridge_port_del(struct bridge_set *bs, const char *bridge, const char *name, char *err,
		size_t errlen)
{
	struct port *p = port_find(bs, name);

	if (p == NULL || strcmp(p->br->name, bridge) != 0) {
		if (bridge_find(bs, bridge) == NULL)
			snprintf(err, errlen, "no bridge \"%s\"", bridge);
		else
			snprintf(err, errlen, "bridge \"%s\" has no port \"%s\"", bridge, name);
		return -ENOENT;
	}
	bs->ports[p->port_no] = NULL;
	if (!p->br->flows_default && bridge_flows_recompile(bs, p->br) < 0)
		LOG(ERR, "%s: out of memory rebuilding the flow tables without port %s\n",
		    bridge, name);
	if (publish_removal(bs) < 0) {
		bs->ports[p->port_no] = p;
		snprintf(err, errlen, "out of memory deleting port \"%s\"", name);
		return -ENOMEM;
	}
	LOG(INFO, "deleted port %s from bridge %s\n", name, bridge);
	port_release(bs, p);
	return 0;
}

int
bridge_port_set(struct bridge_set *bs, const char *name, const struct port_settings *ps,
		char *err, size_t errlen)
{
	struct port *p = port_find(bs, name);
	struct port_settings old;
	uint16_t old_mtu;
	bool vlan_changed;
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "no port \"%s\"", name);
		return -ENOENT;
	}
	if (ps->type != p->ps.type || ps->rxq != p->ps.rxq || strcmp(ps->socket, p->ps.socket) ||
	    strcmp(ps->iface, p->ps.iface) || strcmp(ps->devargs, p->ps.devargs)) {
		snprintf(err, errlen,
			 "only mtu and the VLAN settings change on a running port; for the rest "
			 "delete the port and add it again");
		return -EINVAL;
	}
	rc = check_port_settings(ps, err, errlen);
	if (rc < 0)
		return rc;
	old = p->ps;
	old_mtu = p->mtu;
	if (ps->mtu != 0 && ps->mtu != p->mtu) {
		rc = port_device_set_mtu(p, ps->mtu, err, errlen);
		if (rc < 0)
			return rc;
		p->mtu = ps->mtu;
	}
	vlan_changed = memcmp(&ps->vlan, &p->ps.vlan, sizeof(ps->vlan)) != 0;
	p->ps = *ps;
	/* Published like a removal: once it returns no PMD thread forwards by the
	 * old VLANs, and the learn events they queued are applied. */
	if (publish_removal(bs) < 0) {
		p->ps = old;
		if (p->mtu != old_mtu)
			port_device_set_mtu(p, old_mtu, err, errlen);
		p->mtu = old_mtu;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Its MACs were learned in VLANs it may no longer carry. */
	if (vlan_changed)
		fdb_flush_port(p->br->fdb, p->port_no);
	LOG(INFO, "port %s: mtu %u, vlan-mode %s\n", name, p->mtu, vlan_mode_name(ps->vlan.mode));
	return 0;
}

int
bridge_port_get(const struct bridge_set *bs, const char *name, const char **bridge,
		struct port_settings *ps)
{
	const struct port *p = port_find(bs, name);

	if (p == NULL)
		return -ENOENT;
	*bridge = p->br->name;
	*ps = p->ps;
	return 0;
}

/* Re-reads every port's link; republishes when one changed. */
static void
links_refresh(struct bridge_set *bs)
{
	bool changed = false;

	for (int i = 0; i < DP_MAX_PORTS; i++) {
		struct port *p = bs->ports[i];
		bool up;

		if (p == NULL)
			continue;
		up = port_carrier(p);
		if (up != p->link_up) {
			p->link_up = up;
			changed = true;
			LOG(INFO, "port %s (bridge %s): link %s\n", p->name, p->br->name,
			    up ? "up" : "down");
		}
	}
	/* On ENOMEM the next refresh tries again: the model keeps the new state. */
	if (changed && bridge_publish(bs) < 0)
		bs->links_stale = true;
}

/* A kernel interface changed: the ports on it follow (NULL: events were lost). */
static void
on_kernel_link(const char *name, int ifindex, bool admin_up, bool oper_up, bool deleted,
	       void *arg)
{
	struct bridge_set *bs = arg;

	for (int i = 0; i < DP_MAX_PORTS; i++) {
		struct port *p = bs->ports[i];
		const char *iface = p ? port_device_iface(p) : NULL;
		struct kernel_iface_info info;
		char err[128];

		if (iface == NULL || (name != NULL && strcmp(iface, name) != 0))
			continue;
		if (name == NULL) {
			p->kernel_up = kernel_iface_get(iface, &info, err, sizeof(err)) == 0 &&
				       info.oper_up;
			continue;
		}
		if (deleted)
			LOG(WARNING, "port %s: its interface %s was deleted; the port stays down: "
			    "delete and re-add the port once the interface is back\n", p->name,
			    iface);
		p->kernel_up = oper_up && !deleted;
	}
}

void
bridge_run(struct bridge_set *bs)
{
	uint32_t now = fdb_now();

	learn_drain(bs, LEARN_BUDGET);
	if (bs->links != NULL && link_monitor_poll(bs->links, on_kernel_link, bs) > 0)
		bs->links_stale = true;
	if (port_link_events_pending() || bs->links_stale || now != bs->last_tick) {
		bs->links_stale = false;
		links_refresh(bs);
	}
	if (now != bs->last_tick) {
		bs->last_tick = now;
		for (int i = 0; i < DP_MAX_BRIDGES; i++)
			if (bs->bridges[i] != NULL)
				fdb_age(bs->bridges[i]->fdb, now);
	}
}

void
bridge_set_destroy(struct bridge_set *bs)
{
	if (bs == NULL)
		return;
	for (int i = 0; i < DP_MAX_PORTS; i++) {
		struct port *p = bs->ports[i];

		if (p != NULL) {
			port_device_close(p);
			free(p);
		}
	}
	for (int i = 0; i < DP_MAX_BRIDGES; i++) {
		if (bs->bridges[i] != NULL) {
			bridge_flows_fini(bs, bs->bridges[i]);
			fdb_destroy(bs->bridges[i]->fdb);
			free(bs->bridges[i]);
		}
	}
	if (bs->links != NULL)
		link_monitor_destroy(bs->links);
	free(bs->port_names);
	free(bs);
}
