/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "nat_rules.h"

struct rule_list {
	char **r;
	unsigned int n, cap;
	bool failed;
};

static void add(struct rule_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct rule_list *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->failed)
		return;
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 32;
		char **r = realloc(l->r, cap * sizeof(*r));

		if (r == NULL) {
			l->failed = true;
			return;
		}
		l->r = r;
		l->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		l->failed = true;
		s = NULL;
	}
	va_end(ap);
	if (s != NULL)
		l->r[l->n++] = s;
}

static const char *
ip(rte_be32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static const char *
mac(const struct rte_ether_addr *m, char *buf)
{
	/* Lower case, as dump-flows prints it. */
	snprintf(buf, RTE_ETHER_ADDR_FMT_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", m->addr_bytes[0],
		 m->addr_bytes[1], m->addr_bytes[2], m->addr_bytes[3], m->addr_bytes[4],
		 m->addr_bytes[5]);
	return buf;
}

static rte_be32_t
prefix_mask(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
}

bool
nat_in_subnet(const struct nat_config *c, rte_be32_t a)
{
	return (a & prefix_mask(c->prefix_len)) == c->subnet;
}

static const struct nat_neighbor *
find(const struct nat_neighbor *nb, unsigned int n, rte_be32_t a)
{
	for (unsigned int i = 0; i < n; i++)
		if (nb[i].ip == a)
			return &nb[i];
	return NULL;
}

/* Table 0: what the switch answers itself, and the way into each side. */
static void
entry_rules(struct rule_list *l, const struct nat_config *c)
{
	char gw[INET_ADDRSTRLEN], ext[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN], m[32], to[INET_ADDRSTRLEN];
	const char *up = c->uplink;
	unsigned int p = NAT_PRIORITY_BASE;

	ip(c->gateway, gw);
	ip(c->external_ip, ext);
	ip(c->subnet, net);
	mac(&c->mac, m);
	add(l, "cookie=%#x,table=0,priority=%u,arp,arp_tpa=%s,actions=controller", NAT_COOKIE,
	    p + 100, gw);
	add(l, "cookie=%#x,table=0,priority=%u,in_port=%s,arp,arp_tpa=%s,actions=controller",
	    NAT_COOKIE, p + 100, up, ext);
	add(l, "cookie=%#x,table=0,priority=%u,icmp,nw_dst=%s,icmp_type=8,actions=controller",
	    NAT_COOKIE, p + 90, gw);
	for (unsigned int i = 0; i < c->n_forwards; i++) {
		const struct nat_forward *f = &c->forwards[i];

		add(l, "cookie=%#x,table=0,priority=%u,in_port=%s,%s,nw_dst=%s,tp_dst=%u,"
		       "actions=ct(commit,zone=%u,table=%u,nat(dst=%s:%u))",
		    NAT_COOKIE, p + 70, up, f->proto == IPPROTO_TCP ? "tcp" : "udp", ext,
		    f->ext_port, c->zone, NAT_TABLE_IN, ip(f->to_ip, to), f->to_port);
	}
	add(l, "cookie=%#x,table=0,priority=%u,in_port=%s,ip,nw_dst=%s,actions=ct(zone=%u,table=%u,nat)",
	    NAT_COOKIE, p + 60, up, ext, c->zone, NAT_TABLE_IN);
	add(l, "cookie=%#x,table=0,priority=%u,in_port=%s,actions=drop", NAT_COOKIE, p + 50, up);
	/* The subnet talking to itself through the gateway stays inside. */
	add(l, "cookie=%#x,table=0,priority=%u,ip,dl_dst=%s,nw_dst=%s/%u,actions=drop", NAT_COOKIE,
	    p + 10, m, net, c->prefix_len);
	add(l, "cookie=%#x,table=0,priority=%u,ip,dl_dst=%s,nw_src=%s/%u,"
	       "actions=ct(commit,zone=%u,table=%u,nat(src=%s))",
	    NAT_COOKIE, p, m, net, c->prefix_len, c->zone, NAT_TABLE_OUT, ext);
}

/* The step both directions end with: routed from the gateway MAC to dst. */
static void
route(struct rule_list *l, unsigned int table, unsigned int prio, const char *match,
      const struct nat_config *c, const struct nat_neighbor *to)
{
	char m[32], d[32];

	add(l, "cookie=%#x,table=%u,priority=%u,ip%s,actions=dec_ttl,mod_dl_src:%s,mod_dl_dst:%s,"
	       "output:%s",
	    NAT_COOKIE, table, prio, match, mac(&c->mac, m), mac(&to->mac, d), to->port);
}

static void
out_rules(struct rule_list *l, const struct nat_config *c, const struct nat_neighbor *nb,
	  unsigned int n_nb)
{
	const unsigned int t = NAT_TABLE_OUT;
	char match[64], a[INET_ADDRSTRLEN];

	add(l, "cookie=%#x,table=%u,priority=100,ct_state=+trk+inv,actions=drop", NAT_COOKIE, t);
	if (c->next_hop != 0) {
		const struct nat_neighbor *nh = find(nb, n_nb, c->next_hop);

		if (nh != NULL) {
			route(l, t, 50, "", c, nh);
			return;
		}
	} else {
		for (unsigned int i = 0; i < n_nb; i++) {
			if (nat_in_subnet(c, nb[i].ip) || strcmp(nb[i].port, c->uplink) != 0)
				continue;
			snprintf(match, sizeof(match), ",nw_dst=%s", ip(nb[i].ip, a));
			route(l, t, 60, match, c, &nb[i]);
		}
	}
	add(l, "cookie=%#x,table=%u,priority=50,ip,actions=controller", NAT_COOKIE, t);
}

static void
in_rules(struct rule_list *l, const struct nat_config *c, const struct nat_neighbor *nb,
	 unsigned int n_nb)
{
	const unsigned int t = NAT_TABLE_IN;
	char match[64], a[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

	add(l, "cookie=%#x,table=%u,priority=100,ct_state=+trk+inv,actions=drop", NAT_COOKIE, t);
	for (unsigned int i = 0; i < n_nb; i++) {
		if (!nat_in_subnet(c, nb[i].ip) || strcmp(nb[i].port, c->uplink) == 0)
			continue;
		snprintf(match, sizeof(match), ",nw_dst=%s", ip(nb[i].ip, a));
		route(l, t, 60, match, c, &nb[i]);
	}
	add(l, "cookie=%#x,table=%u,priority=50,ip,nw_dst=%s/%u,actions=controller", NAT_COOKIE, t,
	    ip(c->subnet, net), c->prefix_len);
	add(l, "cookie=%#x,table=%u,priority=10,actions=drop", NAT_COOKIE, t);
}

int
nat_rules_build(const struct nat_config *c, const struct nat_neighbor *nb, unsigned int n_nb,
		char ***rules, unsigned int *n)
{
	struct rule_list l = {0};

	entry_rules(&l, c);
	out_rules(&l, c, nb, n_nb);
	in_rules(&l, c, nb, n_nb);
	if (l.failed) {
		nat_rules_free(l.r, l.n);
		return -ENOMEM;
	}
	*rules = l.r;
	*n = l.n;
	return 0;
}

void
nat_rules_free(char **rules, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(rules[i]);
	free(rules);
}

/* A host address of the subnet: inside it, neither its network nor its broadcast address. */
static bool
host_in_subnet(const struct nat_config *c, rte_be32_t a)
{
	rte_be32_t host = ~prefix_mask(c->prefix_len);

	return nat_in_subnet(c, a) && (a & host) != 0 && (a & host) != host;
}

/* 0.0.0.0/8, 127.0.0.0/8, multicast, 240.0.0.0/4 and the broadcast address are nobody's. */
static bool
unicast(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 14;
}

int
nat_config_check(const struct nat_config *c, char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];

	if (c->prefix_len < 8 || c->prefix_len > 30) {
		snprintf(err, errlen, "subnet: a prefix from /8 to /30 is needed, not /%u",
			 c->prefix_len);
		return -EINVAL;
	}
	if ((c->subnet & ~prefix_mask(c->prefix_len)) != 0) {
		snprintf(err, errlen, "subnet: %s/%u has host bits set", ip(c->subnet, a),
			 c->prefix_len);
		return -EINVAL;
	}
	if (!host_in_subnet(c, c->gateway)) {
		snprintf(err, errlen, "gateway %s is not a host address of the subnet",
			 ip(c->gateway, a));
		return -EINVAL;
	}
	if (nat_in_subnet(c, c->external_ip)) {
		snprintf(err, errlen, "external-ip %s is inside the subnet", ip(c->external_ip, a));
		return -EINVAL;
	}
	if (!unicast(c->external_ip)) {
		snprintf(err, errlen, "external-ip %s is not a unicast address", ip(c->external_ip, a));
		return -EINVAL;
	}
	if (c->next_hop != 0 && (nat_in_subnet(c, c->next_hop) || c->next_hop == c->external_ip)) {
		snprintf(err, errlen, "next-hop %s must be outside the subnet and not the external-ip",
			 ip(c->next_hop, a));
		return -EINVAL;
	}
	for (unsigned int i = 0; i < c->n_forwards; i++)
		if (!host_in_subnet(c, c->forwards[i].to_ip)) {
			snprintf(err, errlen, "port forward to %s: not a host address of the subnet",
				 ip(c->forwards[i].to_ip, a));
			return -EINVAL;
		}
	return 0;
}
