/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "bridge/arp_frame.h"
#include "bridge/nat_rules.h"
#include "datapath/fdb.h"
#include "rpc_flows.h"
#include "rpc_nat.h"

RTE_LOG_REGISTER(nat_logtype, vswitch.nat, INFO);

#define LOG(level, ...) rte_log(RTE_LOG_##level, nat_logtype, "vswitchd: " __VA_ARGS__)

#define SETTING_PREFIX "nat:"
#define ASK_MAX 64         /* addresses being resolved at once, per network */
#define ASK_INTERVAL 1     /* seconds between two ARP requests for one address */
#define ASK_GIVE_UP 5      /* requests before an address is forgotten until asked again */
#define PUNT_BUDGET 64     /* frames handled per call */
#define MAX_PORTS_SENT 256

struct nat_ask {
	rte_be32_t ip;
	uint32_t last;      /* fdb_now() of the last request */
	unsigned int tries;
};

struct nat_net {
	char bridge[BRIDGE_NAME_MAX + 1];
	struct nat_config cfg;
	struct nat_neighbor nb[NAT_MAX_NEIGHBORS];
	unsigned int n_nb;
	struct nat_ask ask[ASK_MAX];
	unsigned int n_ask;
	bool dirty; /* the rules do not yet show what nb says */
	bool nb_full_logged;
	uint32_t sync_failed_at; /* fdb_now() of the last failed update; retried a second on */
};

struct nat_set {
	struct nat_net *nets[DP_MAX_BRIDGES];
};

static struct nat_net *
net_find(const struct vswitch *vs, const char *bridge)
{
	if (vs->nat == NULL)
		return NULL;
	for (int i = 0; i < DP_MAX_BRIDGES; i++)
		if (vs->nat->nets[i] != NULL && strcmp(vs->nat->nets[i]->bridge, bridge) == 0)
			return vs->nat->nets[i];
	return NULL;
}

static int
net_slot(struct vswitch *vs)
{
	if (vs->nat == NULL) {
		vs->nat = calloc(1, sizeof(*vs->nat));
		if (vs->nat == NULL)
			return -ENOMEM;
	}
	for (int i = 0; i < DP_MAX_BRIDGES; i++)
		if (vs->nat->nets[i] == NULL)
			return i;
	return -ENOSPC;
}

static void
net_remove(struct vswitch *vs, struct nat_net *n)
{
	for (int i = 0; vs->nat != NULL && i < DP_MAX_BRIDGES; i++)
		if (vs->nat->nets[i] == n)
			vs->nat->nets[i] = NULL;
	free(n);
}

/* ---- configuration as JSON ---- */

static const char *
ip_str(rte_be32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static int
parse_ip(const char *what, const char *s, rte_be32_t *out, char *err, size_t errlen)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1) {
		snprintf(err, errlen, "%s: expected an IPv4 address, not \"%s\"", what,
			 s ? s : "");
		return -EINVAL;
	}
	*out = a.s_addr;
	return 0;
}

static int
parse_subnet(const char *s, struct nat_config *c, char *err, size_t errlen)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		goto bad;
	*slash = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || end == slash + 1 || len < 0 || len > 32)
		goto bad;
	c->prefix_len = (uint8_t)len;
	return parse_ip("subnet", buf, &c->subnet, err, errlen);
bad:
	snprintf(err, errlen, "subnet: expected ADDRESS/PREFIX (10.0.0.0/24), not \"%s\"", s);
	return -EINVAL;
}

static int
parse_proto(const char *s, uint8_t *proto, char *err, size_t errlen)
{
	if (strcmp(s, "tcp") == 0)
		*proto = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*proto = IPPROTO_UDP;
	else {
		snprintf(err, errlen, "proto: expected tcp or udp, not \"%s\"", s);
		return -EINVAL;
	}
	return 0;
}

static int
parse_port(const char *what, json_int_t v, uint16_t *out, char *err, size_t errlen)
{
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "%s: expected a port from 1 to 65535, not %lld", what,
			 (long long)v);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

/* "10.0.0.5:22" */
static int
parse_target(const char *s, struct nat_forward *f, char *err, size_t errlen)
{
	char buf[INET_ADDRSTRLEN + 8], *colon, *end;
	long port;

	if (strlen(s) >= sizeof(buf) || (colon = strchr(strcpy(buf, s), ':')) == NULL)
		goto bad;
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1)
		goto bad;
	if (parse_ip("to", buf, &f->to_ip, err, errlen) < 0 ||
	    parse_port("to", port, &f->to_port, err, errlen) < 0)
		return -EINVAL;
	return 0;
bad:
	snprintf(err, errlen, "to: expected ADDRESS:PORT (10.0.0.5:22), not \"%s\"", s);
	return -EINVAL;
}

static int
forward_parse(json_t *j, struct nat_forward *f, char *err, size_t errlen)
{
	const char *proto, *to;
	json_int_t ext;
	json_error_t jerr;

	if (json_unpack_ex(j, &jerr, JSON_STRICT, "{s:s, s:I, s:s}", "proto", &proto,
			   "external_port", &ext, "to", &to) < 0) {
		snprintf(err, errlen, "expected {\"proto\": \"tcp\"|\"udp\", \"external_port\": "
				      "number, \"to\": \"ADDRESS:PORT\"}: %s", jerr.text);
		return -EINVAL;
	}
	if (parse_proto(proto, &f->proto, err, errlen) < 0 ||
	    parse_port("external_port", ext, &f->ext_port, err, errlen) < 0)
		return -EINVAL;
	return parse_target(to, f, err, errlen);
}

/* The stored form, also nat.add's params (with "bridge"). */
static int
config_parse(json_t *j, bool with_bridge, struct nat_config *c, char *err, size_t errlen)
{
	const char *bridge = NULL, *subnet, *gw, *uplink, *ext, *nh = NULL, *mac = NULL;
	json_int_t zone = 0;
	json_t *fw = NULL, *fj;
	json_error_t jerr;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = with_bridge ? json_unpack_ex(j, &jerr, JSON_STRICT,
					  "{s:s, s:s, s:s, s:s, s:s, s?:s, s?:s, s?:I}", "bridge",
					  &bridge, "subnet", &subnet, "gateway", &gw, "uplink",
					  &uplink, "external_ip", &ext, "next_hop", &nh, "mac", &mac,
					  "zone", &zone)
			 : json_unpack_ex(j, &jerr, JSON_STRICT,
					  "{s:s, s:s, s:s, s:s, s?:s, s:s, s:I, s?:o}", "subnet",
					  &subnet, "gateway", &gw, "uplink", &uplink, "external_ip",
					  &ext, "next_hop", &nh, "mac", &mac, "zone", &zone,
					  "forwards", &fw);
	if (rc < 0) {
		snprintf(err, errlen, "%s", jerr.text);
		return -EINVAL;
	}
	if (strlen(uplink) > BRIDGE_NAME_MAX) {
		snprintf(err, errlen, "uplink: no port \"%s\"", uplink);
		return -EINVAL;
	}
	strcpy(c->uplink, uplink);
	if (parse_subnet(subnet, c, err, errlen) < 0 ||
	    parse_ip("gateway", gw, &c->gateway, err, errlen) < 0 ||
	    parse_ip("external_ip", ext, &c->external_ip, err, errlen) < 0 ||
	    (nh != NULL && parse_ip("next_hop", nh, &c->next_hop, err, errlen) < 0))
		return -EINVAL;
	if (zone < 0 || zone > 65535) {
		snprintf(err, errlen, "zone: expected 0 to 65535, not %lld", (long long)zone);
		return -EINVAL;
	}
	c->zone = (uint16_t)zone;
	if (mac != NULL && rte_ether_unformat_addr(mac, &c->mac) < 0) {
		snprintf(err, errlen, "mac: expected xx:xx:xx:xx:xx:xx, not \"%s\"", mac);
		return -EINVAL;
	}
	if (mac != NULL && !rte_is_unicast_ether_addr(&c->mac)) {
		snprintf(err, errlen, "mac: %s is not a unicast address", mac);
		return -EINVAL;
	}
	if (fw != NULL && (!json_is_array(fw) || json_array_size(fw) > NAT_MAX_FORWARDS)) {
		snprintf(err, errlen, "forwards: expected an array of at most %d", NAT_MAX_FORWARDS);
		return -EINVAL;
	}
	json_array_foreach(fw, i, fj) {
		if (forward_parse(fj, &c->forwards[c->n_forwards++], err, errlen) < 0)
			return -EINVAL;
	}
	return nat_config_check(c, err, errlen);
}

/* Lower case, as dump-flows and fdb-show print MACs. */
static void
mac_str(const struct rte_ether_addr *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m->addr_bytes[0], m->addr_bytes[1],
		 m->addr_bytes[2], m->addr_bytes[3], m->addr_bytes[4], m->addr_bytes[5]);
}

static json_t *
forward_json(const struct nat_forward *f)
{
	char to[INET_ADDRSTRLEN + 8], a[INET_ADDRSTRLEN];

	snprintf(to, sizeof(to), "%s:%u", ip_str(f->to_ip, a), f->to_port);
	return json_pack("{s:s, s:i, s:s}", "proto", f->proto == IPPROTO_TCP ? "tcp" : "udp",
			 "external_port", f->ext_port, "to", to);
}

static json_t *
config_json(const struct nat_config *c)
{
	char net[INET_ADDRSTRLEN + 4], a[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN],
	    ext[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *fw = json_array(), *j;

	for (unsigned int i = 0; fw != NULL && i < c->n_forwards; i++)
		json_array_append_new(fw, forward_json(&c->forwards[i]));
	snprintf(net, sizeof(net), "%s/%u", ip_str(c->subnet, a), c->prefix_len);
	mac_str(&c->mac, mac, sizeof(mac));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "subnet", net, "gateway",
		      ip_str(c->gateway, gw), "uplink", c->uplink, "external_ip",
		      ip_str(c->external_ip, ext), "mac", mac, "zone", c->zone, "forwards", fw);
	if (j != NULL && c->next_hop != 0)
		json_object_set_new(j, "next_hop", json_string(ip_str(c->next_hop, a)));
	return j;
}

/* A locally administered MAC that stays the same for a bridge across restarts. */
static void
default_mac(const char *bridge, struct rte_ether_addr *mac)
{
	uint32_t h = 2166136261u;

	for (const char *s = bridge; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[1] = 0x6e; /* 'n' */
	memcpy(&mac->addr_bytes[2], &h, 4);
}

/* ---- rules ---- */

/* Replaces the bridge's generated rules (stored, like any rules). */
static int
sync_rules(struct vswitch *vs, struct nat_net *n, bool remove_only, struct jsonrpc_error *err)
{
	char **rules = NULL, filter[64];
	unsigned int nr = 0;
	json_t *ops, *params, *result = NULL;
	int rc;

	if (!remove_only && nat_rules_build(&n->cfg, n->nb, n->n_nb, &rules, &nr) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	snprintf(filter, sizeof(filter), "cookie=%#x/0xffffffffffffffff", NAT_COOKIE);
	ops = json_array();
	json_array_append_new(ops, json_pack("{s:s, s:s}", "op", "del", "rule", filter));
	for (unsigned int i = 0; i < nr; i++)
		json_array_append_new(ops, json_pack("{s:s, s:s}", "op", "add", "rule", rules[i]));
	nat_rules_free(rules, nr);
	params = json_pack("{s:s, s:o}", "bridge", n->bridge, "ops", ops);
	if (params == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	rc = rpc_flow_bundle(vs, params, &result, err);
	json_decref(params);
	json_decref(result);
	if (rc == 0)
		n->dirty = false;
	return rc;
}

static int
store_net(struct vswitch *vs, const struct nat_net *n, bool del)
{
	char key[sizeof(SETTING_PREFIX) + BRIDGE_NAME_MAX];
	json_t *j = del ? NULL : config_json(&n->cfg);
	int rc;

	snprintf(key, sizeof(key), SETTING_PREFIX "%s", n->bridge);
	if (!del && j == NULL)
		return -ENOMEM;
	rc = config_store_begin(vs->store);
	if (rc == 0)
		rc = del ? config_store_setting_del(vs->store, key)
			 : config_store_setting_put(vs->store, key, j);
	if (rc == 0)
		rc = config_store_commit(vs->store);
	else
		config_store_rollback(vs->store);
	json_decref(j);
	return rc;
}

/* ---- ARP ---- */

static bool
on_uplink(const struct nat_net *n, const char *port)
{
	return strcmp(port, n->cfg.uplink) == 0;
}

static void
send_arp(struct vswitch *vs, const struct nat_net *n, const char *port, uint16_t op,
	 rte_be32_t spa, const struct rte_ether_addr *dst, const struct rte_ether_addr *tha,
	 rte_be32_t tpa)
{
	struct arp_info a = {.op = op, .sha = n->cfg.mac, .spa = spa, .tha = *tha, .tpa = tpa};
	struct rte_mbuf *m = arp_frame_build(bridge_set_mempool(vs->bridges), dst, &a);

	if (m != NULL)
		bridge_port_send(vs->bridges, port, m);
}

/* Asks who has ip: on the uplink for the outside, on every other port of
 * the bridge for the subnet. At most once per ASK_INTERVAL per address. */
static void
ask(struct vswitch *vs, struct nat_net *n, rte_be32_t ip, uint32_t now)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;
	struct nat_ask *q = NULL;
	const char *ports[MAX_PORTS_SENT];
	unsigned int np;

	for (unsigned int i = 0; i < n->n_ask; i++)
		if (n->ask[i].ip == ip)
			q = &n->ask[i];
	if (q == NULL) {
		if (n->n_ask == ASK_MAX)
			return; /* busy: the address is asked for when its traffic comes again */
		q = &n->ask[n->n_ask++];
		*q = (struct nat_ask){.ip = ip, .last = now - ASK_INTERVAL};
	}
	if (now - q->last < ASK_INTERVAL)
		return;
	q->last = now;
	q->tries++;
	if (!nat_in_subnet(&n->cfg, ip)) {
		send_arp(vs, n, n->cfg.uplink, ARP_OP_REQUEST, n->cfg.external_ip, &bcast, &zero, ip);
		return;
	}
	np = bridge_port_names(vs->bridges, n->bridge, ports, MAX_PORTS_SENT);
	for (unsigned int i = 0; i < np; i++)
		if (!on_uplink(n, ports[i]))
			send_arp(vs, n, ports[i], ARP_OP_REQUEST, n->cfg.gateway, &bcast, &zero, ip);
}

static void
ask_done(struct nat_net *n, rte_be32_t ip)
{
	for (unsigned int i = 0; i < n->n_ask; i++)
		if (n->ask[i].ip == ip) {
			n->ask[i] = n->ask[--n->n_ask];
			return;
		}
}

/* Learns where ip is, from any ARP it sent. Only addresses the rules use
 * are kept: the subnet's (on its side) and, on the uplink, the next hop or
 * (without one) any outside address. */
static void
learn(struct nat_net *n, rte_be32_t ip, const struct rte_ether_addr *mac, const char *port)
{
	bool inside = nat_in_subnet(&n->cfg, ip), up = on_uplink(n, port);
	struct nat_neighbor *e = NULL;

	if (ip == 0 || ip == n->cfg.gateway || ip == n->cfg.external_ip || inside == up ||
	    (up && n->cfg.next_hop != 0 && ip != n->cfg.next_hop) || !rte_is_unicast_ether_addr(mac))
		return;
	ask_done(n, ip);
	for (unsigned int i = 0; i < n->n_nb; i++)
		if (n->nb[i].ip == ip)
			e = &n->nb[i];
	if (e != NULL && rte_is_same_ether_addr(&e->mac, mac) && strcmp(e->port, port) == 0)
		return;
	if (e == NULL) {
		if (n->n_nb == NAT_MAX_NEIGHBORS) {
			/* Once: an ARP storm must not become a log storm. */
			if (!n->nb_full_logged)
				LOG(WARNING, "NAT network of %s: %u neighbours known, no room for "
					     "more; traffic to the others is dropped\n",
				    n->bridge, NAT_MAX_NEIGHBORS);
			n->nb_full_logged = true;
			return;
		}
		e = &n->nb[n->n_nb++];
		e->ip = ip;
	}
	e->mac = *mac;
	snprintf(e->port, sizeof(e->port), "%s", port);
	n->dirty = true;
}

static void
on_arp(struct vswitch *vs, struct nat_net *n, const struct arp_info *a, const char *port)
{
	bool up = on_uplink(n, port);
	rte_be32_t ours = up ? n->cfg.external_ip : n->cfg.gateway;

	learn(n, a->spa, &a->sha, port);
	if (a->op == ARP_OP_REQUEST && a->tpa == ours)
		send_arp(vs, n, port, ARP_OP_REPLY, ours, &a->sha, &a->sha, a->spa);
}

/* A frame a rule sent up for want of a MAC: ask for its next hop. */
static void
on_ip(struct vswitch *vs, struct nat_net *n, const struct rte_mbuf *m, const char *port)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), o = 12;
	rte_be32_t dst;

	if (len >= o + 4 && p[o] == 0x81 && p[o + 1] == 0x00)
		o += 4;
	if (len < o + 2 + 20 || p[o] != 0x08 || p[o + 1] != 0x00)
		return;
	memcpy(&dst, p + o + 2 + 16, 4);
	if (on_uplink(n, port)) {
		if (nat_in_subnet(&n->cfg, dst))
			ask(vs, n, dst, fdb_now());
	} else {
		ask(vs, n, n->cfg.next_hop != 0 ? n->cfg.next_hop : dst, fdb_now());
	}
}

void
rpc_nat_run(struct vswitch *vs)
{
	struct bridge_punt p[32];
	unsigned int n, done = 0;

	/* Drained even without a network: a user's controller rule must not
	 * keep mbufs waiting for nobody. */
	while (done < PUNT_BUDGET && (n = bridge_punt_dequeue(vs->bridges, p, RTE_DIM(p))) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct nat_net *net = net_find(vs, p[i].bridge);
			struct arp_info a;

			if (net == NULL) {
				rte_pktmbuf_free(p[i].m);
				continue;
			}
			if (arp_frame_parse(p[i].m, &a)) {
				on_arp(vs, net, &a, p[i].port);
			} else if (!on_uplink(net, p[i].port) &&
				   icmp_echo_answer(p[i].m, net->cfg.gateway, &net->cfg.mac)) {
				bridge_port_send(vs->bridges, p[i].port, p[i].m);
				continue;
			} else {
				on_ip(vs, net, p[i].m, p[i].port);
			}
			rte_pktmbuf_free(p[i].m);
		}
		done += n;
	}
	for (int i = 0; vs->nat != NULL && i < DP_MAX_BRIDGES; i++) {
		struct nat_net *net = vs->nat->nets[i];
		struct jsonrpc_error err = {0};
		uint32_t now = fdb_now();

		if (net == NULL)
			continue;
		/* Asked addresses nobody answers are given up after a few tries;
		 * the next hop is asked for until it answers. */
		for (unsigned int k = 0; k < net->n_ask;) {
			struct nat_ask *q = &net->ask[k];

			if (q->tries >= ASK_GIVE_UP && q->ip != net->cfg.next_hop) {
				*q = net->ask[--net->n_ask];
				continue;
			}
			if (now - q->last >= ASK_INTERVAL)
				ask(vs, net, q->ip, now);
			k++;
		}
		if (!net->dirty || now == net->sync_failed_at)
			continue;
		if (sync_rules(vs, net, false, &err) < 0) {
			net->sync_failed_at = now;
			LOG(ERR, "NAT network of %s: cannot update its rules: %s; trying again in "
				 "a second\n", net->bridge, err.message);
		}
	}
}

/* ---- methods ---- */

static int
refuse(struct jsonrpc_error *err, const char *msg)
{
	return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
}

/* The bridge must exist and the uplink be one of its ports. */
static int
check_ports(struct vswitch *vs, const char *bridge, const struct nat_config *c, char *msg,
	    size_t len)
{
	const char *owner = NULL;
	struct port_settings ps;

	if (bridge_get(vs->bridges, bridge, &(struct bridge_settings){0}) < 0) {
		snprintf(msg, len, "no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	if (bridge_port_get(vs->bridges, c->uplink, &owner, &ps) < 0 || strcmp(owner, bridge) != 0) {
		snprintf(msg, len, "uplink: bridge %s has no port \"%s\"", bridge, c->uplink);
		return -ENOENT;
	}
	return 0;
}

/* Makes the network current: uplink routed, rules in place, next hop asked. */
static int
net_start(struct vswitch *vs, struct nat_net *n, struct jsonrpc_error *err)
{
	if (bridge_port_set_routed(vs->bridges, n->cfg.uplink, true) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	if (sync_rules(vs, n, false, err) < 0) {
		bridge_port_set_routed(vs->bridges, n->cfg.uplink, false);
		return -1;
	}
	if (n->cfg.next_hop != 0)
		ask(vs, n, n->cfg.next_hop, fdb_now());
	return 0;
}

static int
net_add(struct vswitch *vs, const char *bridge, const struct nat_config *c, bool store,
	struct jsonrpc_error *err)
{
	struct nat_net *n;
	int slot = net_slot(vs);

	if (slot < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	n->cfg = *c;
	if (rte_is_zero_ether_addr(&n->cfg.mac))
		default_mac(bridge, &n->cfg.mac);
	if (store && store_net(vs, n, false) < 0) {
		free(n);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "cannot store the NAT network: %s",
					 config_store_errmsg(vs->store));
	}
	vs->nat->nets[slot] = n;
	if (net_start(vs, n, err) < 0) {
		if (store)
			store_net(vs, n, true);
		net_remove(vs, n);
		return -1;
	}
	return 0;
}

int
rpc_nat_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct nat_config *c = malloc(sizeof(*c));
	const char *bridge = NULL;
	char msg[300];
	int rc = -1;

	if (c == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	json_unpack(params, "{s:s}", "bridge", &bridge);
	if (config_parse(params, true, c, msg, sizeof(msg)) < 0) {
		jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	} else if (check_ports(vs, bridge, c, msg, sizeof(msg)) < 0) {
		refuse(err, msg);
	} else if (net_find(vs, bridge) != NULL) {
		jsonrpc_error_set(err, JSONRPC_REFUSED,
				  "bridge %s already has a NAT network; delete it first", bridge);
	} else if (net_add(vs, bridge, c, true, err) == 0) {
		*result = config_json(&net_find(vs, bridge)->cfg);
		rc = 0;
	}
	free(c);
	return rc;
}

static int
net_del(struct vswitch *vs, struct nat_net *n, struct jsonrpc_error *err)
{
	if (sync_rules(vs, n, true, err) < 0)
		return -1;
	if (store_net(vs, n, true) < 0)
		LOG(ERR, "NAT network of %s deleted, but its stored setting could not be: it comes "
			 "back at the next start (%s)\n", n->bridge, config_store_errmsg(vs->store));
	bridge_port_set_routed(vs->bridges, n->cfg.uplink, false);
	net_remove(vs, n);
	return 0;
}

static struct nat_net *
net_param(struct vswitch *vs, const char *bridge, struct jsonrpc_error *err)
{
	struct nat_net *n = net_find(vs, bridge);

	if (n == NULL)
		jsonrpc_error_set(err, JSONRPC_REFUSED, "bridge \"%s\" has no NAT network", bridge);
	return n;
}

int
rpc_nat_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge;
	struct nat_net *n;

	if (jsonrpc_unpack(params, err, "{s:s}", "bridge", &bridge) < 0 ||
	    (n = net_param(vs, bridge, err)) == NULL || net_del(vs, n, err) < 0)
		return -1;
	*result = json_object();
	return 0;
}

static int
find_forward(const struct nat_config *c, uint8_t proto, uint16_t port)
{
	for (unsigned int i = 0; i < c->n_forwards; i++)
		if (c->forwards[i].proto == proto && c->forwards[i].ext_port == port)
			return (int)i;
	return -1;
}

/* Changes the forwards to next: stored and the rules replaced, or neither. */
static int
forwards_change(struct vswitch *vs, struct nat_net *n, const struct nat_config *next,
		struct jsonrpc_error *err)
{
	struct nat_config *prev = malloc(sizeof(*prev));

	if (prev == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	*prev = n->cfg;
	n->cfg = *next;
	if (store_net(vs, n, false) < 0) {
		n->cfg = *prev;
		free(prev);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "cannot store the NAT network: %s",
					 config_store_errmsg(vs->store));
	}
	if (sync_rules(vs, n, false, err) < 0) {
		n->cfg = *prev;
		store_net(vs, n, false);
		free(prev);
		return -1;
	}
	free(prev);
	return 0;
}

int
rpc_nat_forward_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct nat_config *next;
	struct nat_forward f;
	const char *bridge;
	json_t *fj;
	struct nat_net *n;
	char msg[300];
	int rc = -1;

	if (jsonrpc_unpack(params, err, "{s:s, s:s, s:I, s:s}", "bridge", &bridge, "proto",
			   &(const char *){NULL}, "external_port", &(json_int_t){0}, "to",
			   &(const char *){NULL}) < 0 ||
	    (n = net_param(vs, bridge, err)) == NULL)
		return -1;
	fj = json_deep_copy(params);
	json_object_del(fj, "bridge");
	rc = forward_parse(fj, &f, msg, sizeof(msg));
	json_decref(fj);
	if (rc < 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	if (!nat_in_subnet(&n->cfg, f.to_ip) || f.to_ip == n->cfg.gateway)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "to: %s is not a VM address of %s's "
				 "subnet", ip_str(f.to_ip, msg), bridge);
	if (find_forward(&n->cfg, f.proto, f.ext_port) >= 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED,
					 "%s port %u is already forwarded; delete that first",
					 f.proto == IPPROTO_TCP ? "tcp" : "udp", f.ext_port);
	if (n->cfg.n_forwards == NAT_MAX_FORWARDS)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "at most %d port forwards",
					 NAT_MAX_FORWARDS);
	next = malloc(sizeof(*next));
	if (next == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	*next = n->cfg;
	next->forwards[next->n_forwards++] = f;
	/* The subnet's network and broadcast addresses, say. */
	if (nat_config_check(next, msg, sizeof(msg)) < 0) {
		free(next);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
	}
	rc = forwards_change(vs, n, next, err);
	free(next);
	if (rc == 0)
		*result = forward_json(&f);
	return rc;
}

int
rpc_nat_forward_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct nat_config *next;
	const char *bridge, *proto;
	json_int_t ext;
	struct nat_net *n;
	uint8_t pr;
	uint16_t port;
	char msg[200];
	int i, rc;

	if (jsonrpc_unpack(params, err, "{s:s, s:s, s:I}", "bridge", &bridge, "proto", &proto,
			   "external_port", &ext) < 0 ||
	    (n = net_param(vs, bridge, err)) == NULL)
		return -1;
	if (parse_proto(proto, &pr, msg, sizeof(msg)) < 0 ||
	    parse_port("external_port", ext, &port, msg, sizeof(msg)) < 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	i = find_forward(&n->cfg, pr, port);
	if (i < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s port %u is not forwarded on %s",
					 proto, port, bridge);
	next = malloc(sizeof(*next));
	if (next == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	*next = n->cfg;
	next->forwards[i] = next->forwards[--next->n_forwards];
	rc = forwards_change(vs, n, next, err);
	free(next);
	if (rc == 0)
		*result = json_object();
	return rc;
}

static json_t *
net_json(const struct nat_net *n)
{
	json_t *j = config_json(&n->cfg), *nb = json_array(), *pending = json_array();
	char a[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	for (unsigned int i = 0; nb != NULL && i < n->n_nb; i++) {
		mac_str(&n->nb[i].mac, mac, sizeof(mac));
		json_array_append_new(nb, json_pack("{s:s, s:s, s:s}", "ip", ip_str(n->nb[i].ip, a),
						    "mac", mac, "port", n->nb[i].port));
	}
	for (unsigned int i = 0; pending != NULL && i < n->n_ask; i++)
		json_array_append_new(pending, json_string(ip_str(n->ask[i].ip, a)));
	json_object_set_new(j, "bridge", json_string(n->bridge));
	json_object_set_new(j, "neighbors", nb);
	json_object_set_new(j, "resolving", pending);
	json_object_set_new(j, "cookie", json_integer(NAT_COOKIE));
	return j;
}

int
rpc_nat_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge = NULL;
	json_t *arr;

	if (jsonrpc_unpack(params, err, "{s?:s}", "bridge", &bridge) < 0)
		return -1;
	if (bridge != NULL && net_param(vs, bridge, err) == NULL)
		return -1;
	arr = json_array();
	for (int i = 0; vs->nat != NULL && i < DP_MAX_BRIDGES; i++) {
		const struct nat_net *n = vs->nat->nets[i];

		if (n != NULL && (bridge == NULL || strcmp(bridge, n->bridge) == 0))
			json_array_append_new(arr, net_json(n));
	}
	*result = json_pack("{s:o}", "networks", arr);
	return 0;
}

int
rpc_nat_restore(struct vswitch *vs, json_t *settings)
{
	const char *key;
	json_t *v;
	int failed = 0;

	json_object_foreach(settings, key, v) {
		struct jsonrpc_error err = {0};
		const char *bridge = key + strlen(SETTING_PREFIX);
		struct nat_config *c;
		char msg[300];

		if (strncmp(key, SETTING_PREFIX, strlen(SETTING_PREFIX)) != 0)
			continue;
		c = malloc(sizeof(*c));
		if (c == NULL)
			return failed + 1;
		if (config_parse(v, false, c, msg, sizeof(msg)) < 0 ||
		    check_ports(vs, bridge, c, msg, sizeof(msg)) < 0) {
			LOG(ERR, "stored NAT network of %s: %s; skipped (it stays stored)\n", bridge,
			    msg);
			failed++;
		} else if (net_add(vs, bridge, c, false, &err) < 0) {
			LOG(ERR, "cannot restore the NAT network of %s: %s\n", bridge, err.message);
			failed++;
		}
		free(c);
	}
	return failed;
}

int
rpc_nat_bridge_deleted(struct vswitch *vs, const char *bridge)
{
	char key[sizeof(SETTING_PREFIX) + BRIDGE_NAME_MAX];
	struct nat_net *n = net_find(vs, bridge);
	int rc;

	/* Part of the caller's transaction: the setting goes with the bridge's
	 * rows, or stays with them. */
	snprintf(key, sizeof(key), SETTING_PREFIX "%s", bridge);
	rc = config_store_setting_del(vs->store, key);
	if (n != NULL)
		net_remove(vs, n); /* the bridge and its rules are gone already */
	return rc == -ENOENT ? 0 : rc;
}

void
rpc_nat_fini(struct vswitch *vs)
{
	for (int i = 0; vs->nat != NULL && i < DP_MAX_BRIDGES; i++)
		free(vs->nat->nets[i]);
	free(vs->nat);
	vs->nat = NULL;
}
