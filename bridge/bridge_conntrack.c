/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table as the API shows it: connections by bridge name and
 * zone, flushing, and the once-a-second sweep of expired connections.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "bridge_priv.h"
#include "datapath/conntrack.h"
#include "datapath/datapath.h"

#define ZONES_LISTED_MAX 256

struct ct_show {
	const struct bridge_set *bs;
	json_t *conns;
	struct ct_zone_seen {
		uint16_t bridge, zone;
	} zones[ZONES_LISTED_MAX];
	unsigned int n_zones;
};

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static json_t *
tuple_json(const struct ct_tuple_info *t, uint8_t proto)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->src, src, sizeof(src));
	inet_ntop(AF_INET, &t->dst, dst, sizeof(dst));
	if (proto == IPPROTO_ICMP)
		return json_pack("{s:s, s:s, s:i}", "src", src, "dst", dst, "id",
				 rte_be_to_cpu_16(t->sport));
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return json_pack("{s:s, s:s}", "src", src, "dst", dst);
	return json_pack("{s:s, s:s, s:i, s:i}", "src", src, "dst", dst, "sport",
			 rte_be_to_cpu_16(t->sport), "dport", rte_be_to_cpu_16(t->dport));
}

static void
note_zone(struct ct_show *s, uint16_t bridge, uint16_t zone)
{
	for (unsigned int i = 0; i < s->n_zones; i++)
		if (s->zones[i].bridge == bridge && s->zones[i].zone == zone)
			return;
	if (s->n_zones < ZONES_LISTED_MAX)
		s->zones[s->n_zones++] = (struct ct_zone_seen){bridge, zone};
}

static int
conn_json(const struct ct_conn_info *c, void *arg)
{
	struct ct_show *s = arg;
	const struct bridge *br = c->bridge < DP_MAX_BRIDGES ? s->bs->bridges[c->bridge] : NULL;
	char pbuf[8];
	const char *nat = c->nat & CT_STATE_SNAT ? "snat" : c->nat & CT_STATE_DNAT ? "dnat" : NULL;
	json_t *j;

	if (br == NULL)
		return 0; /* a bridge being deleted: its connections are flushed with it */
	note_zone(s, c->bridge, c->zone);
	j = json_pack("{s:s, s:i, s:s, s:o, s:o, s:s, s:b, s:s?, s:I, s:[I,I], s:[I,I]}",
		      "bridge", br->name, "zone", c->zone, "proto",
		      proto_name(c->proto, pbuf, sizeof(pbuf)), "orig", tuple_json(&c->orig, c->proto),
		      "reply", tuple_json(&c->reply, c->proto), "state", c->state, "replied",
		      c->replied, "nat", nat, "expires_in", (json_int_t)c->expires_in, "packets",
		      (json_int_t)c->packets[0], (json_int_t)c->packets[1], "bytes",
		      (json_int_t)c->bytes[0], (json_int_t)c->bytes[1]);
	return j == NULL || json_array_append_new(s->conns, j) < 0 ? -1 : 0;
}

static json_t *
counters_json(const struct conntrack *ct)
{
	struct ct_stats st;
	json_t *j = json_object();

	conntrack_stats(ct, &st);
	for (int i = 0; j != NULL && i < CT_CNT_MAX; i++)
		json_object_set_new(j, ct_counter_name(i), json_integer((json_int_t)st.c[i]));
	return j;
}

static json_t *
timeouts_json(const struct conntrack *ct)
{
	json_t *j = json_object();

	for (int i = 0; j != NULL && i < CT_TMO_MAX; i++)
		json_object_set_new(j, ct_timeout_name(i), json_integer(conntrack_timeout(ct, i)));
	return j;
}

static json_t *
zones_json(const struct ct_show *s, const struct conntrack *ct)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; arr != NULL && i < s->n_zones; i++) {
		const struct ct_zone_seen *z = &s->zones[i];

		json_array_append_new(
		    arr, json_pack("{s:s, s:i, s:i, s:i, s:I}", "bridge", s->bs->bridges[z->bridge]->name,
				   "zone", z->zone, "connections",
				   conntrack_zone_count(ct, z->bridge, z->zone), "limit",
				   conntrack_limit(ct, z->zone), "refused",
				   (json_int_t)conntrack_zone_refused(ct, z->bridge, z->zone)));
	}
	return arr;
}

/* The bridge slot a name selects: -1 for NULL (every bridge). */
static int
select_bridge(const struct bridge_set *bs, const char *name, int *slot, char *err, size_t errlen)
{
	const struct bridge *br;

	*slot = -1;
	if (name == NULL)
		return 0;
	br = bridge_find(bs, name);
	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", name);
		return -1;
	}
	*slot = br->index;
	return 0;
}

json_t *
bridge_conntrack_json(struct bridge_set *bs, const char *bridge, int zone, char *err, size_t errlen)
{
	struct conntrack *ct = datapath_conntrack(bs->dp);
	struct ct_show *s;
	json_t *res = NULL;
	int slot;

	if (select_bridge(bs, bridge, &slot, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->bs = bs;
	s->conns = json_array();
	/* A zone that is asked for, or each bridge's default zone, is listed
	 * even when it has no connection: its limit and refusals still count. */
	for (int i = 0; i < DP_MAX_BRIDGES; i++)
		if (bs->bridges[i] != NULL && (slot < 0 || slot == i))
			note_zone(s, (uint16_t)i, zone >= 0 ? (uint16_t)zone : 0);
	if (s->conns == NULL ||
	    conntrack_walk(ct, slot, zone, fdb_now(), conn_json, s) != 0)
		goto nomem;
	res = json_pack("{s:o, s:i, s:i, s:o, s:o, s:o}", "connections", s->conns, "count",
			conntrack_count(ct), "capacity", conntrack_capacity(ct), "zones",
			zones_json(s, ct), "counters", counters_json(ct), "timeouts",
			timeouts_json(ct));
	s->conns = NULL;
	if (res == NULL)
		goto nomem;
	free(s);
	return res;
nomem:
	if (s != NULL)
		json_decref(s->conns);
	free(s);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int
bridge_conntrack_flush(struct bridge_set *bs, const char *bridge, int zone, unsigned int *flushed,
		       char *err, size_t errlen)
{
	int slot;

	if (select_bridge(bs, bridge, &slot, err, errlen) < 0)
		return -ENOENT;
	*flushed = conntrack_flush(datapath_conntrack(bs->dp), slot, zone);
	return 0;
}

void
bridge_conntrack_sweep(struct bridge_set *bs)
{
	conntrack_sweep(datapath_conntrack(bs->dp), fdb_now());
}

struct conntrack *
bridge_set_conntrack(const struct bridge_set *bs)
{
	return datapath_conntrack(bs->dp);
}
