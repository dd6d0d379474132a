/* SPDX-License-Identifier: BSD-3-Clause */
/* The bridge model's JSON views (docs/api.md). Control thread only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "bridge_priv.h"
#include "port_options.h"

/* MACs as ip(8) and the kernel print them: lower case. */
static void
format_mac(char *buf, size_t size, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static int
cmp_bridge(const void *a, const void *b)
{
	return strcmp((*(struct bridge *const *)a)->name, (*(struct bridge *const *)b)->name);
}

static int
cmp_port(const void *a, const void *b)
{
	return strcmp((*(struct port *const *)a)->name, (*(struct port *const *)b)->name);
}

/* Ports (of one bridge, or all when br is NULL) sorted by name, so views do
 * not depend on slot numbers, which differ after a restart. */
static unsigned int
ports_sorted(const struct bridge_set *bs, const struct bridge *br, struct port **out)
{
	unsigned int n = 0;

	for (int i = 0; i < DP_MAX_PORTS; i++)
		if (bs->ports[i] != NULL && (br == NULL || bs->ports[i]->br == br))
			out[n++] = bs->ports[i];
	qsort(out, n, sizeof(*out), cmp_port);
	return n;
}

/* The port's options, then what is in force: its number, link, MTU, queues. */
static json_t *
port_json(const struct port *p)
{
	json_t *o = port_options_json(&p->ps);
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	int rc;

	if (o == NULL)
		return NULL;
	rc = json_object_set_new(o, "name", json_string(p->name));
	rc |= json_object_set_new(o, "port_no", json_integer(p->port_no));
	rc |= json_object_set_new(o, "link", json_string(p->link_up ? "up" : "down"));
	rc |= json_object_set_new(o, "mtu", json_integer(p->mtu));
	rc |= json_object_set_new(o, "rxq", json_integer(p->n_rxq));
	if (p->has_mac) {
		format_mac(mac, sizeof(mac), &p->mac);
		rc |= json_object_set_new(o, "mac", json_string(mac));
	}
	if (p->ps.vlan.trunks_all && vlan_mode_has_trunks(p->ps.vlan.mode))
		rc |= json_object_set_new(o, "trunks", json_string("all"));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
pmds_json(const struct bridge_set *bs)
{
	const struct snapshot *snap = datapath_snapshot(bs->dp);
	json_t *pmds = json_array();

	for (unsigned int i = 0; i < datapath_n_pmds(bs->dp); i++) {
		json_t *rxqs = json_array();

		for (uint16_t q = 0; q < snap->pmds[i].n_rxq; q++) {
			const struct port *p = bs->ports[snap->pmds[i].rxq[q].port_no];

			json_array_append_new(rxqs, json_pack("{s:s, s:i}", "port",
							      p ? p->name : "?", "queue",
							      snap->pmds[i].rxq[q].queue));
		}
		json_array_append_new(pmds, json_pack("{s:i, s:o}", "core",
						      datapath_pmd_lcore(bs->dp, i), "rxqs", rxqs));
	}
	return pmds;
}

json_t *
bridge_show_json(const struct bridge_set *bs)
{
	struct bridge *brs[DP_MAX_BRIDGES];
	struct port *ports[DP_MAX_PORTS];
	json_t *bridges = json_array();
	unsigned int nb = 0;

	for (int i = 0; i < DP_MAX_BRIDGES; i++)
		if (bs->bridges[i] != NULL)
			brs[nb++] = bs->bridges[i];
	qsort(brs, nb, sizeof(brs[0]), cmp_bridge);
	for (unsigned int b = 0; b < nb; b++) {
		json_t *pj = json_array();
		unsigned int np = ports_sorted(bs, brs[b], ports);

		for (unsigned int i = 0; i < np; i++)
			json_array_append_new(pj, port_json(ports[i]));
		json_array_append_new(bridges,
				      json_pack("{s:s, s:i, s:i, s:o, s:o}", "name", brs[b]->name,
						"mac_aging", brs[b]->s.mac_aging, "mac_table_size",
						brs[b]->s.mac_table_size, "ports", pj, "flows",
						bridge_flows_summary_json(bs, brs[b]->name)));
	}
	return json_pack("{s:o, s:o}", "bridges", bridges, "pmds", pmds_json(bs));
}

struct fdb_walk_ctx {
	const struct bridge_set *bs;
	json_t *entries;
	json_t *flapping;
};

static const char *
port_name(const struct bridge_set *bs, uint16_t no)
{
	return no < DP_MAX_PORTS && bs->ports[no] != NULL ? bs->ports[no]->name : "?";
}

static int
fdb_entry_json(const struct fdb_entry_info *e, void *arg)
{
	struct fdb_walk_ctx *c = arg;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	format_mac(mac, sizeof(mac), &e->key.mac);
	json_array_append_new(c->entries,
			      json_pack("{s:s, s:i, s:s, s:I, s:b}", "port",
					port_name(c->bs, e->port), "vlan", e->key.vlan, "mac", mac,
					"age", (json_int_t)e->age_sec, "flapping", e->flapping));
	if (e->flapping)
		json_array_append_new(c->flapping,
				      json_pack("{s:s, s:i, s:[s,s], s:I}", "mac", mac, "vlan",
						e->key.vlan, "ports", port_name(c->bs, e->prev_port),
						port_name(c->bs, e->port), "moves",
						(json_int_t)e->recent_moves));
	return 0;
}

json_t *
bridge_fdb_json(struct bridge_set *bs, const char *name, char *err, size_t errlen)
{
	struct bridge *br = bridge_find(bs, name);
	struct fdb_walk_ctx c = {.bs = bs};
	struct fdb_stats st;

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", name);
		return NULL;
	}
	/* Apply what PMD threads queued, so a frame sent just before shows up. */
	bridge_run(bs);
	c.entries = json_array();
	c.flapping = json_array();
	fdb_walk(br->fdb, fdb_now(), fdb_entry_json, &c);
	fdb_get_stats(br->fdb, &st);
	st.learned += br->fdb_base.learned;
	st.moves += br->fdb_base.moves;
	st.full += br->fdb_base.full;
	st.aged += br->fdb_base.aged;
	return json_pack("{s:s, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:o, s:o}", "bridge", br->name,
			 "mac_aging", br->s.mac_aging, "mac_table_size", br->s.mac_table_size,
			 "n_entries", fdb_count(br->fdb), "mac_learned", (json_int_t)st.learned,
			 "mac_moves", (json_int_t)st.moves, "mac_table_full", (json_int_t)st.full,
			 "mac_aged", (json_int_t)st.aged, "entries", c.entries, "flapping",
			 c.flapping);
}

int
bridge_fdb_flush(struct bridge_set *bs, const char *name, unsigned int *flushed, char *err,
		 size_t errlen)
{
	struct bridge *br = bridge_find(bs, name);

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", name);
		return -ENOENT;
	}
	*flushed = fdb_flush(br->fdb);
	return 0;
}

static json_t *
stats_json(const struct port *p, const struct dp_port_stats *s)
{
	json_t *drops = json_object();
	struct rte_eth_stats dev;
	uint64_t missed = 0;

	/* Frames the device (or the kernel, for AF_XDP and AF_PACKET) dropped
	 * before the switch could read them, its rx ring being full. */
	if (rte_eth_stats_get(p->eth_port, &dev) == 0)
		missed = dev.imissed + dev.rx_nombuf;
	for (int r = 0; r < DP_DROP_MAX; r++)
		json_object_set_new(drops, dp_drop_name(r), json_integer((json_int_t)s->drops[r]));
	json_object_set_new(drops, "rx_missed", json_integer((json_int_t)missed));
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "name", p->name,
			 "bridge", p->br->name, "rx_packets", (json_int_t)s->rx_packets,
			 "rx_bytes", (json_int_t)s->rx_bytes, "tx_packets",
			 (json_int_t)s->tx_packets, "tx_bytes", (json_int_t)s->tx_bytes,
			 "rx_dropped", (json_int_t)(dp_port_stats_rx_dropped(s) + missed),
			 "tx_dropped", (json_int_t)dp_port_stats_tx_dropped(s), "drops", drops);
}

json_t *
bridge_port_stats_json(const struct bridge_set *bs, const char *port, char *err, size_t errlen)
{
	struct port *ports[DP_MAX_PORTS];
	unsigned int n = ports_sorted(bs, NULL, ports);
	json_t *arr = json_array();
	struct dp_port_stats s;

	if (port != NULL && port_find(bs, port) == NULL) {
		json_decref(arr);
		snprintf(err, errlen, "no port \"%s\"", port);
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (port != NULL && strcmp(ports[i]->name, port) != 0)
			continue;
		datapath_port_stats(bs->dp, ports[i]->port_no, &s);
		json_array_append_new(arr, stats_json(ports[i], &s));
	}
	return json_pack("{s:o}", "ports", arr);
}

void
bridge_port_visit(const struct bridge_set *bs, bridge_port_visit_fn fn, void *arg)
{
	struct dp_port_stats s;

	for (int i = 0; i < DP_MAX_PORTS; i++) {
		const struct port *p = bs->ports[i];

		if (p == NULL)
			continue;
		datapath_port_stats(bs->dp, p->port_no, &s);
		fn(p->br->name, p->name, &s, arg);
	}
}
