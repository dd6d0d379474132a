/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rule text to struct flow_rule (flow_rule.h): the rule's items, its
 * match and the checks that span it; the action list is
 * flow_parse_actions.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_parse.h"

/* Longest part of an item quoted in an error message: an action list can be
 * most of a kilobyte, and the start says which one it is. */
#define QUOTE_MAX 80

static const char *const need_text[] = {
	[NEED_NOTHING] = "nothing",
	[NEED_IP_OR_ARP] = "ip or arp (dl_type=0x0800 or 0x0806)",
	[NEED_ARP] = "arp (dl_type=0x0806)",
	[NEED_IP_ANY] = "ip or ipv6 (dl_type=0x0800 or 0x86dd)",
	[NEED_IPV6] = "ipv6 (dl_type=0x86dd)",
	[NEED_L4] = "tcp, udp or sctp (nw_proto=6, 17 or 132)",
	[NEED_TCP] = "tcp (nw_proto=6)",
	[NEED_ICMP] = "icmp or icmp6 (nw_proto=1 with ip, 58 with ipv6)",
};

/* Bit i of tcp_flags is tcp_flag_names[i]. */
static const char *const tcp_flag_names[] = {"fin", "syn", "rst", "psh", "ack",
					     "urg", "ece", "cwr", "ns"};

/* Rule-level items, remembered so that a second one must agree. */
enum {
	GIVEN_TABLE = 1 << 0,
	GIVEN_PRIORITY = 1 << 1,
	GIVEN_COOKIE = 1 << 2,
	GIVEN_IDLE = 1 << 3,
	GIVEN_HARD = 1 << 4,
};

int
flow_parse_fail(struct parser *p, const char *item, const char *fmt, ...)
{
	struct sbuf sb;
	va_list ap;

	flow_sb_init(&sb, p->err, p->errlen);
	if (item != NULL) {
		size_t n = strlen(item);

		flow_sb_printf(&sb, "at \"");
		for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
			unsigned char c = (unsigned char)item[i];

			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				flow_sb_printf(&sb, "%c", c);
			else
				flow_sb_printf(&sb, "\\x%02x", c);
		}
		flow_sb_printf(&sb, "%s\": ", n > QUOTE_MAX ? "..." : "");
	}
	va_start(ap, fmt);
	flow_sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
flow_parse_check_bytes(struct parser *p, const char *item)
{
	for (const char *s = item; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && !is_space(*s)) || c >= 0x7f)
			return flow_parse_fail(p, item, "unexpected byte 0x%02x", c);
	}
	return 0;
}

size_t
flow_parse_split_item(const char *item, const char **value)
{
	size_t n = strcspn(item, "=:");

	*value = item[n] != '\0' ? skip_space(item + n + 1) : NULL;
	while (n > 0 && is_space(item[n - 1]))
		n--;
	return n;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
flow_parse_num(const char *s, uint64_t max, uint64_t *v)
{
	unsigned int base = 10;
	uint64_t x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		int d = hex_digit(*s);

		if (d < 0 || (unsigned int)d >= base || x > (UINT64_MAX - (unsigned int)d) / base)
			return false;
		x = x * base + (unsigned int)d;
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

/* Copies "VALUE" or "VALUE/MASK" into v and m (size bytes each). */
static bool
split_slash(const char *s, char *v, char *m, size_t size, bool *has_mask)
{
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);

	if (n >= size)
		return false;
	memcpy(v, s, n);
	v[n] = '\0';
	*has_mask = slash != NULL;
	if (slash != NULL) {
		n = strlen(slash + 1);
		if (n >= size)
			return false;
		memcpy(m, slash + 1, n + 1);
	}
	return true;
}

bool
flow_parse_mac(const char *s, uint8_t *mac)
{
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		int hi = hex_digit(s[0]);
		int lo = hi >= 0 ? hex_digit(s[1]) : -1;

		if (lo < 0)
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < RTE_ETHER_ADDR_LEN - 1 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

/* A mask of len bytes with the first plen bits set. */
static void
prefix_mask(uint8_t *mask, size_t len, unsigned int plen)
{
	for (size_t i = 0; i < len; i++) {
		mask[i] = plen >= 8 ? 0xff : (uint8_t)(0xff00 >> plen);
		plen = plen > 8 ? plen - 8 : 0;
	}
}

/* An IPv4 or IPv6 address, optionally /PREFIX or /ADDRESS-MASK. */
static bool
parse_ip_masked(int af, const char *s, uint8_t *addr, uint8_t *mask)
{
	size_t len = af == AF_INET ? 4 : 16;
	char v[VALUE_MAX], m[VALUE_MAX];
	bool has_mask;
	uint64_t plen;

	if (!split_slash(s, v, m, sizeof(v), &has_mask) || inet_pton(af, v, addr) != 1)
		return false;
	if (!has_mask)
		memset(mask, 0xff, len);
	else if (strchr(m, af == AF_INET ? '.' : ':') != NULL)
		return inet_pton(af, m, mask) == 1;
	else if (m[0] >= '0' && m[0] <= '9' && flow_parse_num(m, len * 8, &plen))
		prefix_mask(mask, len, (unsigned int)plen);
	else
		return false;
	return true;
}

/* tcp_flags: "V", "V/M" or flags like "+syn-ack". Host order. */
static bool
parse_tcp_flags(const char *s, uint16_t *v, uint16_t *m)
{
	char a[VALUE_MAX], b[VALUE_MAX];
	uint64_t x, y = FLOW_TCP_FLAGS_MASK;
	bool has_mask;

	if (*s != '+' && *s != '-') {
		if (!split_slash(s, a, b, sizeof(a), &has_mask) ||
		    !flow_parse_num(a, FLOW_TCP_FLAGS_MASK, &x) ||
		    (has_mask && !flow_parse_num(b, FLOW_TCP_FLAGS_MASK, &y)))
			return false;
		*v = (uint16_t)x;
		*m = (uint16_t)y;
		return true;
	}
	*v = *m = 0;
	while (*s == '+' || *s == '-') {
		bool set = *s++ == '+';
		size_t n = strcspn(s, "+-");
		size_t i = 0;

		while (i < RTE_DIM(tcp_flag_names) && !name_is(s, n, tcp_flag_names[i]))
			i++;
		/* Naming a flag twice is a typo, whatever the signs say. */
		if (i == RTE_DIM(tcp_flag_names) || (*m & (1u << i)))
			return false;
		*m |= (uint16_t)(1u << i);
		if (set)
			*v |= (uint16_t)(1u << i);
		s += n;
	}
	return *s == '\0';
}

/* ct_state: "V", "V/M" or flags like "+trk-est", each named once. */
static int
parse_ct_state(struct parser *p, const char *item, const char *s, uint8_t *v, uint8_t *m)
{
	char a[VALUE_MAX], b[VALUE_MAX];
	uint64_t x, y = 0xff;
	bool has_mask;

	if (*s != '+' && *s != '-') {
		if (!split_slash(s, a, b, sizeof(a), &has_mask) || !flow_parse_num(a, 0xff, &x) ||
		    (has_mask && !flow_parse_num(b, 0xff, &y)))
			return flow_parse_fail(p, item,
					       "expected flags like +trk+est-rpl (new, est, rel, "
					       "rpl, inv, trk, snat, dnat) or a number or "
					       "number/mask from 0 to 0xff");
		*v = (uint8_t)x;
		*m = (uint8_t)y;
		return 0;
	}
	*v = *m = 0;
	while (*s == '+' || *s == '-') {
		char sign = *s++;
		size_t n = strcspn(s, "+-");
		unsigned int i = 0;

		while (i < RTE_DIM(flow_ct_state_names) && !name_is(s, n, flow_ct_state_names[i]))
			i++;
		if (i == RTE_DIM(flow_ct_state_names))
			return flow_parse_fail(p, item,
					       "unknown ct_state flag \"%.*s\"; expected +FLAG or "
					       "-FLAG with FLAG one of new, est, rel, rpl, inv, "
					       "trk, snat, dnat",
					       (int)n, s);
		if ((*m & (1u << i)) && ((*v & (1u << i)) != 0) != (sign == '+'))
			return flow_parse_fail(p, item, "+%s and -%s contradict each other",
					       flow_ct_state_names[i], flow_ct_state_names[i]);
		/* Naming a flag twice is a typo, as for tcp_flags. */
		if (*m & (1u << i))
			return flow_parse_fail(p, item, "%c%s is given twice", sign,
					       flow_ct_state_names[i]);
		*m |= (uint8_t)(1u << i);
		if (sign == '+')
			*v |= (uint8_t)(1u << i);
		s += n;
	}
	return 0; /* each name ends at a sign or at the end */
}

int
flow_parse_port(struct parser *p, const char *item, const char *name, uint16_t *id)
{
	int ret;

	if (*name == '\0')
		return flow_parse_fail(p, item, "expected a port name");
	if (p->port_id == NULL)
		return flow_parse_fail(p, item, "no port %s", name);
	ret = p->port_id(name, p->arg);
	if (ret == -ENOENT || ret >= FLOW_PORT_NONE)
		return flow_parse_fail(p, item, "no port %s", name);
	if (ret < 0)
		return flow_parse_fail(p, item, "port %s: %s", name, strerror(-ret));
	*id = (uint16_t)ret;
	for (unsigned int i = 0; i < p->n_ports; i++)
		if (p->ports[i].id == *id)
			return 0;
	if (p->n_ports < RTE_DIM(p->ports)) {
		p->ports[p->n_ports].id = *id;
		p->ports[p->n_ports].name = name;
		p->n_ports++;
	}
	return 0;
}

static const char *
text_port_name(uint16_t id, void *arg)
{
	const struct parser *p = arg;

	for (unsigned int i = 0; i < p->n_ports; i++)
		if (p->ports[i].id == id)
			return p->ports[i].name;
	return NULL;
}

static bool
need_met(const struct flow_rule *r, enum field_need need)
{
	bool ip = dl_type_is(r, FLOW_ETH_IPV4), ip6 = dl_type_is(r, FLOW_ETH_IPV6);

	switch (need) {
	case NEED_NOTHING:
		return true;
	case NEED_IP_OR_ARP:
		return ip || dl_type_is(r, FLOW_ETH_ARP);
	case NEED_ARP:
		return dl_type_is(r, FLOW_ETH_ARP);
	case NEED_IP_ANY:
		return ip || ip6;
	case NEED_IPV6:
		return ip6;
	case NEED_L4:
		return (ip || ip6) && (nw_proto_is(r, IPPROTO_TCP) || nw_proto_is(r, IPPROTO_UDP) ||
				       nw_proto_is(r, IPPROTO_SCTP));
	case NEED_TCP:
		return (ip || ip6) && nw_proto_is(r, IPPROTO_TCP);
	case NEED_ICMP:
		return (ip && nw_proto_is(r, IPPROTO_ICMP)) ||
		       (ip6 && nw_proto_is(r, IPPROTO_ICMPV6));
	}
	return false;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Merges one field's key and mask (masked, zero outside the field) into the
 * rule. A field given again must say exactly the same. */
static int
merge_field(struct parser *p, const char *item, enum field_id id, const struct flow_key *k,
	    const struct flow_key *m)
{
	struct flow_rule *r = p->rule;
	bool was_set = false, same = true;
	struct flow_key bits;

	flow_field_bits(&flow_fields[id], &bits);
	for (int i = 0; i < FLOW_KEY_WORDS; i++) {
		uint64_t old_mask = r->mask.w[i] & bits.w[i];

		was_set |= old_mask != 0;
		same &= old_mask == m->w[i] && (r->key.w[i] & bits.w[i]) == k->w[i];
	}
	if (was_set && !same) {
		char old[128];
		struct sbuf sb;

		if (id == F_IN_PORT)
			return flow_parse_fail(p, item, "conflicts with an earlier in_port");
		flow_sb_init(&sb, old, sizeof(old));
		flow_format_field(&sb, id, &r->key, &r->mask, NULL, NULL);
		return flow_parse_fail(p, item, "conflicts with an earlier %s", old);
	}
	for (int i = 0; i < FLOW_KEY_WORDS; i++) {
		r->key.w[i] = (r->key.w[i] & ~bits.w[i]) | k->w[i];
		r->mask.w[i] |= m->w[i];
	}
	return 0;
}

/* Reads a field's value into k and m (zeroed by the caller). */
static int
parse_field_value(struct parser *p, const char *item, const struct match_field *f,
		  const char *value, struct flow_key *k, struct flow_key *m)
{
	uint8_t *kp = (uint8_t *)k + f->off, *mp = (uint8_t *)m + f->off;
	char a[VALUE_MAX], b[VALUE_MAX];
	uint64_t v, mv = 0xffff;
	uint16_t flags, flags_mask;
	bool has_mask;

	switch ((enum field_kind)f->kind) {
	case KIND_PORT:
		m->in_port = 0xffff;
		return flow_parse_port(p, item, value, &k->in_port);
	case KIND_MAC:
		if (!split_slash(value, a, b, sizeof(a), &has_mask) || !flow_parse_mac(a, kp) ||
		    (has_mask && !flow_parse_mac(b, mp)))
			return flow_parse_fail(p, item,
					       "expected an Ethernet address like "
					       "52:54:00:12:34:56, optionally /MASK");
		if (!has_mask)
			memset(mp, 0xff, RTE_ETHER_ADDR_LEN);
		return 0;
	case KIND_ETHTYPE:
		if (!flow_parse_num(value, 0xffff, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 0xffff");
		put16(kp, rte_cpu_to_be_16((uint16_t)v));
		put16(mp, 0xffff);
		return 0;
	case KIND_VID:
		if (!flow_parse_num(value, VLAN_VID_MAX, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to %d",
					       VLAN_VID_MAX);
		k->vlan_tci = (uint16_t)v;
		m->vlan_tci = FLOW_VLAN_VID_MASK;
		return 0;
	case KIND_PCP:
		if (!flow_parse_num(value, 7, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 7");
		k->vlan_tci = (uint16_t)(v << FLOW_VLAN_PCP_SHIFT);
		m->vlan_tci = FLOW_VLAN_PCP_MASK;
		return 0;
	case KIND_IP4:
		if (!parse_ip_masked(AF_INET, value, kp, mp))
			return flow_parse_fail(p, item,
					       "expected an IPv4 address like 10.0.0.1, optionally "
					       "/PREFIX or /MASK");
		return 0;
	case KIND_IP6:
		if (!parse_ip_masked(AF_INET6, value, kp, mp))
			return flow_parse_fail(
			    p, item,
			    "expected an IPv6 address like 2001:db8::1, optionally "
			    "/PREFIX");
		return 0;
	case KIND_U8:
		if (!flow_parse_num(value, 0xff, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 255");
		*kp = (uint8_t)v;
		*mp = 0xff;
		return 0;
	case KIND_TOS:
	case KIND_DSCP:
		/* Only the DSCP bits are matched: ECN changes along the path. */
		if (f->kind == KIND_TOS && (!flow_parse_num(value, 0xff, &v) || v % 4 != 0))
			return flow_parse_fail(
			    p, item, "expected a multiple of 4 from 0 to 252 (the DSCP bits)");
		if (f->kind == KIND_DSCP && !flow_parse_num(value, 63, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 63");
		*kp = (uint8_t)(f->kind == KIND_DSCP ? v << 2 : v);
		*mp = 0xfc;
		return 0;
	case KIND_TP:
		if (!split_slash(value, a, b, sizeof(a), &has_mask) ||
		    !flow_parse_num(a, 0xffff, &v) || (has_mask && !flow_parse_num(b, 0xffff, &mv)))
			return flow_parse_fail(p, item, "expected a port number or number/mask");
		put16(kp, rte_cpu_to_be_16((uint16_t)v));
		put16(mp, rte_cpu_to_be_16((uint16_t)mv));
		return 0;
	case KIND_ICMP:
		if (!flow_parse_num(value, 0xff, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 255");
		put16(kp, rte_cpu_to_be_16((uint16_t)v));
		put16(mp, RTE_BE16(0x00ff));
		return 0;
	case KIND_TCP_FLAGS:
		if (!parse_tcp_flags(value, &flags, &flags_mask))
			return flow_parse_fail(
			    p, item,
			    "expected a number or number/mask from 0 to 0xfff, or "
			    "flags like +syn-ack (fin, syn, rst, psh, ack, urg, "
			    "ece, cwr, ns, each once)");
		put16(kp, rte_cpu_to_be_16(flags));
		put16(mp, rte_cpu_to_be_16(flags_mask));
		return 0;
	case KIND_CT_STATE:
		return parse_ct_state(p, item, value, kp, mp);
	case KIND_U16:
		if (!flow_parse_num(value, 0xffff, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 65535");
		put16(kp, (uint16_t)v);
		put16(mp, 0xffff);
		return 0;
	}
	return flow_parse_fail(p, item, "cannot parse this field");
}

static int
parse_field(struct parser *p, const char *item, enum field_id id, const char *value)
{
	struct flow_key k, m;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	ret = parse_field_value(p, item, &flow_fields[id], value, &k, &m);
	if (ret != 0)
		return ret;
	flow_key_and(&k, &k, &m);
	ret = merge_field(p, item, id, &k, &m);
	if (ret != 0 || flow_fields[id].need == NEED_NOTHING)
		return ret;
	if (p->n_checks == MAX_CHECKS)
		return flow_parse_fail(p, item, "too many fields");
	p->checks[p->n_checks].item = item;
	p->checks[p->n_checks].need = flow_fields[id].need;
	p->n_checks++;
	return 0;
}

static int
parse_shorthand(struct parser *p, const char *item, const struct shorthand *sh)
{
	struct flow_key k, m;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	k.dl_type = rte_cpu_to_be_16(sh->dl_type);
	m.dl_type = RTE_BE16(0xffff);
	ret = merge_field(p, item, F_DL_TYPE, &k, &m);
	if (ret != 0 || sh->nw_proto < 0)
		return ret;
	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	k.nw_proto = (uint8_t)sh->nw_proto;
	m.nw_proto = 0xff;
	return merge_field(p, item, F_NW_PROTO, &k, &m);
}

static int
parse_cookie(struct parser *p, const char *item, const char *value)
{
	struct flow_rule *r = p->rule;
	char a[VALUE_MAX], b[VALUE_MAX];
	uint64_t v, m = UINT64_MAX;
	bool has_mask;

	/* "/-1" is every bit, as ovs-ofctl writes it. */
	if (!split_slash(value, a, b, sizeof(a), &has_mask) || !flow_parse_num(a, UINT64_MAX, &v) ||
	    (has_mask && strcmp(b, "-1") != 0 && !flow_parse_num(b, UINT64_MAX, &m)))
		return flow_parse_fail(p, item, "expected a number%s from 0 to 0xffffffffffffffff",
				       p->mode == FLOW_PARSE_ADD ? "" : " or number/mask");
	if (has_mask && p->mode == FLOW_PARSE_ADD)
		return flow_parse_fail(p, item,
				       "only a filter has a cookie mask; a rule being added has "
				       "one cookie");
	/* A rule's cookie is a value; a filter's says which bits to compare. */
	if (p->mode == FLOW_PARSE_ADD)
		m = 0;
	else
		v &= m;
	if ((p->given & GIVEN_COOKIE) && (r->cookie != v || r->cookie_mask != m))
		return flow_parse_fail(p, item, "conflicts with an earlier cookie=0x%" PRIx64,
				       r->cookie);
	r->cookie = v;
	r->cookie_mask = m;
	p->given |= GIVEN_COOKIE;
	return 0;
}

/* table, priority, cookie and the timeouts. Returns 1 for another name. */
static int
parse_rule_item(struct parser *p, const char *item, size_t nlen, const char *value)
{
	static const struct {
		const char *name;
		unsigned int bit;
		uint64_t max;
	} items[] = {
	    {"table", GIVEN_TABLE, FLOW_N_TABLES - 1},
	    {"priority", GIVEN_PRIORITY, FLOW_PRIORITY_MAX},
	    {"cookie", GIVEN_COOKIE, UINT64_MAX},
	    {"idle_timeout", GIVEN_IDLE, FLOW_TIMEOUT_MAX},
	    {"hard_timeout", GIVEN_HARD, FLOW_TIMEOUT_MAX},
	};
	struct flow_rule *r = p->rule;
	uint64_t v, old;
	size_t i = 0;

	while (i < RTE_DIM(items) && !name_is(item, nlen, items[i].name))
		i++;
	if (i == RTE_DIM(items))
		return 1;
	if (value == NULL)
		return flow_parse_fail(p, item, "expected %s=VALUE", items[i].name);
	if ((items[i].bit & (GIVEN_IDLE | GIVEN_HARD)) && p->mode != FLOW_PARSE_ADD)
		return flow_parse_fail(p, item, "only a rule being added has timeouts");
	if (items[i].bit == GIVEN_COOKIE)
		return parse_cookie(p, item, value);
	if (!flow_parse_num(value, items[i].max, &v))
		return flow_parse_fail(p, item, "expected a number from 0 to %" PRIu64,
				       items[i].max);
	switch (items[i].bit) {
	case GIVEN_TABLE:
		old = r->table;
		r->table = (uint8_t)v;
		r->has_table = true;
		break;
	case GIVEN_PRIORITY:
		old = r->priority;
		r->priority = (uint16_t)v;
		r->has_priority = true;
		break;
	case GIVEN_IDLE:
		old = r->idle_timeout;
		r->idle_timeout = (uint16_t)v;
		break;
	default:
		old = r->hard_timeout;
		r->hard_timeout = (uint16_t)v;
		break;
	}
	if ((p->given & items[i].bit) && old != v)
		return flow_parse_fail(p, item, "conflicts with an earlier %s=%" PRIu64,
				       items[i].name, old);
	p->given |= items[i].bit;
	return 0;
}

static int
parse_item(struct parser *p, const char *item)
{
	const char *value;
	size_t nlen;
	int ret;

	ret = flow_parse_check_bytes(p, item);
	if (ret != 0)
		return ret;
	nlen = flow_parse_split_item(item, &value);
	ret = parse_rule_item(p, item, nlen, value);
	if (ret <= 0)
		return ret;
	for (size_t i = 0; i < flow_n_shorthands; i++) {
		if (!name_is(item, nlen, flow_shorthands[i].name))
			continue;
		if (value != NULL)
			return flow_parse_fail(p, item, "%s takes no value",
					       flow_shorthands[i].name);
		return parse_shorthand(p, item, &flow_shorthands[i]);
	}
	for (int id = 0; id < F_N; id++) {
		if (!name_is(item, nlen, flow_fields[id].name))
			continue;
		if (value == NULL)
			return flow_parse_fail(p, item, "expected %s=VALUE", flow_fields[id].name);
		return parse_field(p, item, (enum field_id)id, value);
	}
	return flow_parse_fail(p, item, "unknown field %.*s", (int)nlen, item);
}

/* Parses the items before "actions=" and finds that one: it takes the rest
 * of the text, commas and all. */
static int
parse_match(struct parser *p, char *text, char **actions_item, char **actions)
{
	const char *prev = NULL;
	char *s = text;

	if (*skip_space(text) == '\0')
		return 0;
	for (;;) {
		char *name = skip_space(s), *after;
		char *comma, *item;
		int ret;

		if (strncmp(name, "actions", strlen("actions")) == 0) {
			after = skip_space(name + strlen("actions"));
			if (*after == '=' || *after == ':') {
				*actions = after + 1;
				*actions_item = trim(name);
				return 0;
			}
		}
		comma = strchr(s, ',');
		if (comma != NULL)
			*comma = '\0';
		item = trim(s);
		if (*item == '\0')
			return prev != NULL
				   ? flow_parse_fail(p, prev, "is followed by an empty item")
				   : flow_parse_fail(p, NULL, "the rule starts with an empty item");
		ret = parse_item(p, item);
		if (ret != 0 || comma == NULL)
			return ret;
		prev = item;
		s = comma + 1;
	}
}

int
flow_rule_parse(const char *text, enum flow_parse_mode mode, flow_port_id_fn port_id, void *arg,
		struct flow_rule *rule, char *err, size_t errlen)
{
	struct parser p = {
	    .mode = mode,
	    .port_id = port_id,
	    .arg = arg,
	    .rule = rule,
	    .err = err,
	    .errlen = errlen,
	};
	char buf[FLOW_TEXT_MAX + 1];
	char *actions_item = NULL, *actions = NULL;
	size_t len;
	int ret;

	memset(rule, 0, sizeof(*rule));
	rule->priority = FLOW_PRIORITY_DEFAULT;
	/* A rule being added always has a table and a priority, given or not;
	 * for a filter they narrow the search only when given. */
	rule->has_table = mode == FLOW_PARSE_ADD;
	rule->has_priority = mode == FLOW_PARSE_ADD;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (mode != FLOW_PARSE_ADD && mode != FLOW_PARSE_MODIFY && mode != FLOW_PARSE_FILTER)
		return flow_parse_fail(&p, NULL, "unknown parse mode %d", (int)mode);
	if (text == NULL)
		text = "";
	len = strnlen(text, FLOW_TEXT_MAX + 1);
	if (len > FLOW_TEXT_MAX)
		return flow_parse_fail(&p, NULL, "rule is longer than %d characters",
				       FLOW_TEXT_MAX);
	memcpy(buf, text, len + 1);

	ret = parse_match(&p, buf, &actions_item, &actions);
	if (ret != 0)
		return ret;
	for (unsigned int i = 0; i < p.n_checks; i++)
		if (!need_met(rule, (enum field_need)p.checks[i].need))
			return flow_parse_fail(&p, p.checks[i].item, "needs %s",
					       need_text[p.checks[i].need]);
	if (mode == FLOW_PARSE_FILTER && actions_item != NULL)
		return flow_parse_fail(&p, actions_item, "a filter takes no actions");
	if (mode != FLOW_PARSE_FILTER && actions_item == NULL)
		return flow_parse_fail(&p, NULL, "a rule needs actions=; use actions=drop to drop");
	if (actions_item != NULL) {
		ret = flow_parse_actions(&p, actions);
		if (ret != 0)
			return ret;
	}
	/* The canonical form spells out what shorthands abbreviate (set_field
	 * for mod_*, hex flags for +syn): keep it within FLOW_TEXT_MAX too, so
	 * that a rule stored as text always reads back. */
	len = (size_t)flow_rule_format(rule, text_port_name, &p, NULL, 0);
	if (len > FLOW_TEXT_MAX)
		return flow_parse_fail(
		    &p, NULL, "rule is longer than %d characters when written out in full (%zu)",
		    FLOW_TEXT_MAX, len);
	return 0;
}
