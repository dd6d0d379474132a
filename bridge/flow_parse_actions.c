/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The action list of a flow rule's text (after "actions="), into the rule's
 * struct flow_act array.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_parse.h"

static const char *const set_need_text[] = {
	[SET_NEEDS_NOTHING] = "nothing",   [SET_NEEDS_IP] = "ip",
	[SET_NEEDS_IPV6] = "ipv6",	       [SET_NEEDS_TCP_UDP] = "tcp or udp",
	[SET_NEEDS_IP_ANY] = "ip or ipv6",
};

/* The mod_* shorthands, each set_field of one target (by name in
 * flow_set_targets). */
static const struct {
	const char *action;
	const char *target;
} mod_actions[] = {
	{"mod_dl_src", "dl_src"},  {"mod_dl_dst", "dl_dst"}, {"mod_nw_src", "nw_src"},
	{"mod_nw_dst", "nw_dst"},  {"mod_tp_src", "tp_src"}, {"mod_tp_dst", "tp_dst"},
	{"mod_nw_tos", "ip_dscp"}, /* its value is a TOS byte, the DSCP shifted left by 2 */
};

static const struct {
	const char *name;
	uint8_t type;
} plain_actions[] = {
	{"normal", FLOW_ACT_NORMAL},     {"flood", FLOW_ACT_FLOOD},
	{"pop_vlan", FLOW_ACT_POP_VLAN}, {"strip_vlan", FLOW_ACT_POP_VLAN},
	{"dec_ttl", FLOW_ACT_DEC_TTL},
};

static const struct set_target *
find_set_target(const char *name, size_t len)
{
	for (size_t i = 0; i < flow_n_set_targets; i++)
		if (name_is(name, len, flow_set_targets[i].name))
			return &flow_set_targets[i];
	return NULL;
}

static bool
set_need_met(const struct flow_rule *r, enum set_need need)
{
	bool ip = dl_type_is(r, FLOW_ETH_IPV4), ip6 = dl_type_is(r, FLOW_ETH_IPV6);

	switch (need) {
	case SET_NEEDS_NOTHING:
		return true;
	case SET_NEEDS_IP:
		return ip;
	case SET_NEEDS_IPV6:
		return ip6;
	case SET_NEEDS_TCP_UDP:
		return (ip || ip6) && (nw_proto_is(r, IPPROTO_TCP) || nw_proto_is(r, IPPROTO_UDP));
	case SET_NEEDS_IP_ANY:
		return ip || ip6;
	}
	return false;
}

/* The value of a set_field (or a mod_* shorthand: tos says it is
 * mod_nw_tos, whose value is a TOS byte rather than a DSCP). */
static int
parse_set_value(struct parser *p, const char *item, const struct set_target *t, const char *value,
		bool tos, struct flow_act *a)
{
	uint64_t v;

	a->type = t->type;
	switch (t->type) {
	case FLOW_ACT_SET_DL_SRC:
	case FLOW_ACT_SET_DL_DST:
		if (!flow_parse_mac(value, a->val.mac.addr_bytes))
			return flow_parse_fail(
			    p, item, "expected an Ethernet address like 52:54:00:12:34:56");
		break;
	case FLOW_ACT_SET_NW_SRC:
	case FLOW_ACT_SET_NW_DST:
		if (inet_pton(AF_INET, value, &a->val.ip4) != 1)
			return flow_parse_fail(p, item, "expected an IPv4 address like 10.0.0.1");
		break;
	case FLOW_ACT_SET_IPV6_SRC:
	case FLOW_ACT_SET_IPV6_DST:
		if (inet_pton(AF_INET6, value, a->val.ip6) != 1)
			return flow_parse_fail(p, item,
					       "expected an IPv6 address like 2001:db8::1");
		break;
	case FLOW_ACT_SET_TP_SRC:
	case FLOW_ACT_SET_TP_DST:
		if (!flow_parse_num(value, 0xffff, &v))
			return flow_parse_fail(p, item, "expected a port number from 0 to 65535");
		a->val.port = rte_cpu_to_be_16((uint16_t)v);
		break;
	default:
		if (tos && (!flow_parse_num(value, 0xff, &v) || v % 4 != 0))
			return flow_parse_fail(
			    p, item, "expected a multiple of 4 from 0 to 252 (the DSCP bits)");
		if (!tos && !flow_parse_num(value, 63, &v))
			return flow_parse_fail(p, item, "expected a number from 0 to 63");
		a->arg = (uint16_t)(tos ? v >> 2 : v);
		break;
	}
	if (!set_need_met(p->rule, (enum set_need)t->need))
		return flow_parse_fail(p, item, "needs %s in the match", set_need_text[t->need]);
	return 0;
}

static int
parse_set_field(struct parser *p, const char *item, const char *value, struct flow_act *a)
{
	const char *arrow = strstr(value, "->");
	const struct set_target *t;
	char v[VALUE_MAX];
	const char *name;
	size_t n;

	if (arrow == NULL)
		return flow_parse_fail(p, item, "expected set_field:VALUE->FIELD");
	name = skip_space(arrow + 2);
	t = find_set_target(name, strlen(name));
	if (t == NULL)
		return flow_parse_fail(
		    p, item,
		    "cannot set %s; expected one of dl_src, eth_src, dl_dst, eth_dst, "
		    "nw_src, ipv4_src, nw_dst, ipv4_dst, ipv6_src, ipv6_dst, tp_src, "
		    "tcp_src, udp_src, tp_dst, tcp_dst, udp_dst, ip_dscp",
		    name);
	n = (size_t)(arrow - value);
	while (n > 0 && is_space(value[n - 1]))
		n--;
	if (n >= sizeof(v))
		n = sizeof(v) - 1; /* too long for any value: it fails below */
	memcpy(v, value, n);
	v[n] = '\0';
	return parse_set_value(p, item, t, v, false, a);
}

/* One action into a. Returns 1 for drop, which compiles to nothing. */
static int
parse_action(struct parser *p, const char *item, struct flow_act *a)
{
	const char *value;
	size_t nlen = flow_parse_split_item(item, &value);
	uint64_t v;

	memset(a, 0, sizeof(*a));
	if (name_is(item, nlen, "drop")) {
		if (value != NULL)
			return flow_parse_fail(p, item, "drop takes no argument");
		return 1;
	}
	for (size_t i = 0; i < RTE_DIM(plain_actions); i++) {
		if (!name_is(item, nlen, plain_actions[i].name))
			continue;
		if (value != NULL)
			return flow_parse_fail(p, item, "%s takes no argument",
					       plain_actions[i].name);
		a->type = plain_actions[i].type;
		return 0;
	}
	for (size_t i = 0; i < RTE_DIM(mod_actions); i++) {
		const char *target = mod_actions[i].target;

		if (!name_is(item, nlen, mod_actions[i].action))
			continue;
		if (value == NULL)
			return flow_parse_fail(p, item, "expected %s:VALUE", mod_actions[i].action);
		return parse_set_value(p, item, find_set_target(target, strlen(target)), value,
				       strcmp(mod_actions[i].action, "mod_nw_tos") == 0, a);
	}
	if (name_is(item, nlen, "output")) {
		a->type = FLOW_ACT_OUTPUT;
		return value != NULL ? flow_parse_port(p, item, value, &a->arg)
				     : flow_parse_fail(p, item, "expected output:PORT");
	}
	if (name_is(item, nlen, "set_field")) {
		if (value == NULL)
			return flow_parse_fail(p, item, "expected set_field:VALUE->FIELD");
		return parse_set_field(p, item, value, a);
	}
	if (name_is(item, nlen, "push_vlan")) {
		a->type = FLOW_ACT_PUSH_VLAN;
		if (value == NULL || !flow_parse_num(value, 0xffff, &v) ||
		    (v != VLAN_TPID_8021Q && v != VLAN_TPID_8021AD))
			return flow_parse_fail(p, item,
					       "expected push_vlan:0x8100 or push_vlan:0x88a8");
		a->arg = (uint16_t)v;
		return 0;
	}
	if (name_is(item, nlen, "mod_vlan_vid")) {
		a->type = FLOW_ACT_SET_VLAN_VID;
		if (value == NULL || !flow_parse_num(value, VLAN_VID_MAX, &v))
			return flow_parse_fail(p, item, "expected a VLAN ID from 0 to %d",
					       VLAN_VID_MAX);
		a->arg = (uint16_t)v;
		return 0;
	}
	if (name_is(item, nlen, "goto_table")) {
		a->type = FLOW_ACT_GOTO_TABLE;
		if (value == NULL || !flow_parse_num(value, FLOW_N_TABLES - 1, &v))
			return flow_parse_fail(p, item, "expected a table from 0 to %d",
					       FLOW_N_TABLES - 1);
		/* Tables only go forward, so a frame cannot loop among them. */
		if (v <= p->rule->table)
			return flow_parse_fail(
			    p, item, "goto_table must go to a later table than %u", p->rule->table);
		a->arg = (uint16_t)v;
		return 0;
	}
	return flow_parse_fail(
	    p, item,
	    "unknown action %.*s; expected one of output, normal, flood, drop, "
	    "push_vlan, pop_vlan, mod_vlan_vid, set_field, mod_dl_src, mod_dl_dst, "
	    "mod_nw_src, mod_nw_dst, mod_tp_src, mod_tp_dst, mod_nw_tos, dec_ttl, "
	    "goto_table",
	    (int)nlen, item);
}

int
flow_parse_actions(struct parser *p, char *list)
{
	struct flow_act acts[FLOW_MAX_ACTIONS];
	const char *drop = NULL, *last_goto = NULL, *prev = NULL;
	unsigned int n_items = 0;
	uint16_t n = 0;
	char *s = list;

	if (*skip_space(list) == '\0')
		return flow_parse_fail(p, NULL, "a rule needs actions=; use actions=drop to drop");
	for (;;) {
		char *comma = strchr(s, ',');
		char *item;
		int ret;

		if (comma != NULL)
			*comma = '\0';
		item = trim(s);
		if (*item == '\0')
			return prev != NULL
				   ? flow_parse_fail(p, prev, "is followed by an empty action")
				   : flow_parse_fail(p, NULL,
						     "the actions start with an empty one");
		if (last_goto != NULL)
			return flow_parse_fail(p, last_goto, "goto_table must be the last action");
		ret = flow_parse_check_bytes(p, item);
		if (ret != 0)
			return ret;
		if (n == FLOW_MAX_ACTIONS)
			return flow_parse_fail(p, item, "more than %d actions", FLOW_MAX_ACTIONS);
		ret = parse_action(p, item, &acts[n]);
		if (ret < 0)
			return ret;
		if (ret > 0)
			drop = item;
		else if (acts[n++].type == FLOW_ACT_GOTO_TABLE)
			last_goto = item;
		n_items++;
		prev = item;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	if (drop != NULL && n_items > 1)
		return flow_parse_fail(p, drop,
				       "drop cannot be combined with other actions; it means none");
	if (n == 0)
		return 0;
	p->rule->actions = malloc(n * sizeof(acts[0]));
	if (p->rule->actions == NULL) {
		flow_parse_fail(p, NULL, "out of memory");
		return -ENOMEM;
	}
	memcpy(p->rule->actions, acts, n * sizeof(acts[0]));
	p->rule->n_actions = n;
	return 0;
}
