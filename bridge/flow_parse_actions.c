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
	{"dec_ttl", FLOW_ACT_DEC_TTL},    {"controller", FLOW_ACT_CONTROLLER},
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

/* Cuts the element of a comma-separated list that starts at s at the first
 * comma outside parentheses; *next is what follows that comma, NULL at the
 * end of the list. Returns 0; -1 when a ')' closes nothing (*next then points
 * at it), 1 when a '(' is left open. */
static int
split_list(char *s, char **next)
{
	int depth = 0;

	*next = NULL;
	for (; *s != '\0'; s++) {
		if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth < 0) {
			*next = s;
			return -1;
		} else if (*s == ',' && depth == 0) {
			*s = '\0';
			*next = s + 1;
			return 0;
		}
	}
	return depth > 0 ? 1 : 0;
}

/* s follows the '(' of "NAME(ARGS)": cuts ARGS at the matching ')', which
 * must end the text (false, and s left whole, otherwise). */
static bool
cut_parens(char *s)
{
	int depth = 1;

	for (; *s != '\0'; s++) {
		if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth == 0) {
			if (*skip_space(s + 1) != '\0')
				return false;
			*s = '\0';
			return true;
		}
	}
	return false;
}

/* Splits "NAME=VALUE", "NAME(..." or "NAME" into the name's length (spaces
 * cut) and the value ('=' only: NULL otherwise). */
static size_t
split_arg(const char *arg, const char **value)
{
	size_t n = strcspn(arg, "=(");

	*value = arg[n] == '=' ? skip_space(arg + n + 1) : NULL;
	while (n > 0 && is_space(arg[n - 1]))
		n--;
	return n;
}

static int
parse_port_range(struct parser *p, const char *item, const char *arg, const char *s,
		 struct ct_args *ct)
{
	char lo[VALUE_MAX];
	const char *dash = strchr(s, '-');
	size_t n = dash != NULL ? (size_t)(dash - s) : strlen(s);
	uint64_t min, max;

	if (n >= sizeof(lo))
		n = sizeof(lo) - 1; /* too long for a port: it fails below */
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (!flow_parse_num(trim(lo), 0xffff, &min) ||
	    (dash != NULL && !flow_parse_num(skip_space(dash + 1), 0xffff, &max)))
		return flow_parse_fail(p, item, "%s: expected a port or PORT-PORT from 1 to 65535",
				       arg);
	if (dash == NULL)
		max = min;
	if (min == 0)
		return flow_parse_fail(p, item, "%s: NAT ports are 1 to 65535, not 0", arg);
	if (min > max)
		return flow_parse_fail(p, item, "%s: the first port is after the last", arg);
	ct->port_min = (uint16_t)min;
	ct->port_max = (uint16_t)max;
	ct->flags |= CT_F_NAT_PORTS;
	return 0;
}

/* The RANGE of nat(src=RANGE) or nat(dst=RANGE): IP[-IP][:PORT[-PORT]],
 * IPv4 only. arg is the whole "src=RANGE", dir its "src" or "dst". */
static int
parse_nat_range(struct parser *p, const char *item, const char *arg, const char *dir,
		const char *range, struct ct_args *ct)
{
	const char *colon = strchr(range, ':');
	char ips[VALUE_MAX];
	uint8_t ip6[16];
	char *dash;
	size_t n;

	/* IPv6 has colons of its own (an IPv4 address before a port's colon
	 * has dots), and OVS puts it in brackets. */
	if (strchr(range, '[') != NULL || (colon != NULL && strchr(colon + 1, ':') != NULL &&
					   memchr(range, '.', (size_t)(colon - range)) == NULL))
		return flow_parse_fail(p, item, "%s: nat to IPv6 is not supported", arg);
	n = colon != NULL ? (size_t)(colon - range) : strlen(range);
	if (n >= sizeof(ips))
		n = sizeof(ips) - 1; /* too long for an address: it fails below */
	memcpy(ips, range, n);
	ips[n] = '\0';
	dash = strchr(ips, '-');
	if (dash != NULL)
		*dash = '\0';
	if (inet_pton(AF_INET, trim(ips), &ct->ip_min) != 1 ||
	    (dash != NULL && inet_pton(AF_INET, trim(dash + 1), &ct->ip_max) != 1)) {
		if (inet_pton(AF_INET6, trim(ips), ip6) == 1 ||
		    (dash != NULL && inet_pton(AF_INET6, trim(dash + 1), ip6) == 1))
			return flow_parse_fail(p, item, "%s: nat to IPv6 is not supported", arg);
		return flow_parse_fail(p, item,
				       "%s: expected %s=IP[-IP][:PORT[-PORT]] with IPv4 "
				       "addresses, like %s=192.0.2.1-192.0.2.9:1024-65535",
				       arg, dir, dir);
	}
	if (dash == NULL)
		ct->ip_max = ct->ip_min;
	if (rte_be_to_cpu_32(ct->ip_min) > rte_be_to_cpu_32(ct->ip_max))
		return flow_parse_fail(p, item, "%s: the first address is after the last", arg);
	return colon != NULL ? parse_port_range(p, item, arg, skip_space(colon + 1), ct) : 0;
}

/* The arguments of nat(...) (args, cut out of a copy of item): one src= or
 * dst= range. OVS's flags for choosing among the range are not done. */
static int
parse_nat(struct parser *p, const char *item, char *args, struct ct_args *ct)
{
	static const char *const ovs_flags[] = {"random", "hash", "persistent"};
	char *next;

	if (*skip_space(args) == '\0')
		return 0; /* nat(): as nat */
	for (char *arg = args; arg != NULL; arg = next) {
		const char *value;
		size_t n;

		split_list(arg, &next); /* balanced, as cut_parens found its end */
		arg = trim(arg);
		n = split_arg(arg, &value);
		for (size_t i = 0; i < RTE_DIM(ovs_flags); i++)
			if (name_is(arg, n, ovs_flags[i]))
				return flow_parse_fail(p, item, "nat flag %s is not supported",
						       ovs_flags[i]);
		if (!name_is(arg, n, "src") && !name_is(arg, n, "dst"))
			return flow_parse_fail(p, item,
					       "unknown nat argument \"%s\"; expected src=RANGE "
					       "or dst=RANGE",
					       arg);
		if (ct->flags & (CT_F_NAT_SRC | CT_F_NAT_DST))
			return flow_parse_fail(p, item, "nat takes a single src= or dst=");
		ct->flags |= arg[0] == 's' ? CT_F_NAT_SRC : CT_F_NAT_DST;
		if (value == NULL)
			return flow_parse_fail(p, item, "%s: expected %.*s=IP[-IP][:PORT[-PORT]]",
					       arg, (int)n, arg);
		if (parse_nat_range(p, item, arg, arg[0] == 's' ? "src" : "dst", value, ct) != 0)
			return -EINVAL;
	}
	return 0;
}

/* One argument of ct(...): commit, zone=N, table=N, nat or nat(...). */
static int
parse_ct_arg(struct parser *p, const char *item, char *arg, struct ct_args *ct, unsigned int *given)
{
	static const char *const ovs_args[] = {"force", "exec", "alg", "ct_mark", "ct_label"};
	enum { G_COMMIT = 1, G_ZONE = 2, G_TABLE = 4, G_NAT = 8 };
	const char *value;
	size_t n = split_arg(arg, &value);
	char *rest = arg + n;
	unsigned int bit;
	uint64_t v;

	if (name_is(arg, n, "commit"))
		bit = G_COMMIT;
	else if (name_is(arg, n, "zone"))
		bit = G_ZONE;
	else if (name_is(arg, n, "table"))
		bit = G_TABLE;
	else if (name_is(arg, n, "nat"))
		bit = G_NAT;
	else
		bit = 0;
	for (size_t i = 0; bit == 0 && i < RTE_DIM(ovs_args); i++)
		if (name_is(arg, n, ovs_args[i]))
			return flow_parse_fail(p, item, "ct argument %s is not supported",
					       ovs_args[i]);
	if (bit == 0)
		return flow_parse_fail(p, item,
				       "unknown ct argument \"%s\"; expected commit, zone=N, "
				       "table=N, nat, nat(src=RANGE) or nat(dst=RANGE)",
				       arg);
	if (*given & bit)
		return flow_parse_fail(p, item, "ct argument %.*s is given twice", (int)n, arg);
	*given |= bit;
	switch (bit) {
	case G_COMMIT:
		if (*skip_space(rest) != '\0')
			return flow_parse_fail(p, item, "%s: commit takes no value", arg);
		ct->flags |= CT_F_COMMIT;
		return 0;
	case G_ZONE:
		if (value == NULL || !flow_parse_num(value, 0xffff, &v))
			return flow_parse_fail(p, item, "%s: expected zone=N from 0 to 65535", arg);
		ct->zone = (uint16_t)v;
		return 0;
	case G_TABLE:
		/* Any table, this one and earlier ones too: the datapath bounds
		 * how often a frame goes round. */
		if (value == NULL || !flow_parse_num(value, FLOW_N_TABLES - 1, &v))
			return flow_parse_fail(p, item, "%s: expected table=N from 0 to %d", arg,
					       FLOW_N_TABLES - 1);
		ct->flags |= CT_F_TABLE;
		ct->table = (uint8_t)v;
		return 0;
	}
	/* nat, alone or with its arguments */
	ct->flags |= CT_F_NAT;
	rest = skip_space(rest);
	if (*rest == '\0')
		return 0;
	if (*rest != '(' || !cut_parens(rest + 1))
		return flow_parse_fail(p, item, "%s: expected nat or nat(src=RANGE|dst=RANGE)",
				       arg);
	return parse_nat(p, item, rest + 1, ct);
}

/* The arguments of ct(ARGS) (cut out of a copy of item). */
static int
parse_ct(struct parser *p, const char *item, char *args, struct ct_args *ct)
{
	unsigned int given = 0;
	char *next;

	for (char *arg = *skip_space(args) != '\0' ? args : NULL; arg != NULL; arg = next) {
		int ret;

		split_list(arg, &next); /* balanced, as cut_parens found its end */
		arg = trim(arg);
		if (*arg == '\0')
			return flow_parse_fail(p, item, "ct has an empty argument");
		ret = parse_ct_arg(p, item, arg, ct, &given);
		if (ret != 0)
			return ret;
	}
	/* Only a connection being committed gets a translation; without commit
	 * the range would be ignored. */
	if ((ct->flags & (CT_F_NAT_SRC | CT_F_NAT_DST)) && !(ct->flags & CT_F_COMMIT))
		return flow_parse_fail(p, item, "nat(%s=...) needs commit",
				       ct->flags & CT_F_NAT_SRC ? "src" : "dst");
	return 0;
}

/* "ct(ARGS)", or "ct" as OVS takes it for ct(). Returns 1 for an action of
 * another name. */
static int
parse_ct_item(struct parser *p, const char *item, struct flow_act *a)
{
	char args[FLOW_TEXT_MAX + 1] = "";
	const char *s;
	int ret;

	if (strncmp(item, "ct", 2) != 0)
		return 1;
	s = skip_space(item + 2);
	if (*s != '\0' && *s != '(' && *s != ':' && *s != '=')
		return 1; /* another name that starts with "ct" */
	a->type = FLOW_ACT_CT;
	if (*s == ':' || *s == '=')
		return flow_parse_fail(p, item, "expected ct(ARGS)");
	/* The item is quoted whole in messages, so the arguments are cut up in
	 * a copy; an item is part of a text of at most FLOW_TEXT_MAX. */
	if (*s == '(') {
		size_t n = strlen(s + 1);

		memcpy(args, s + 1, RTE_MIN(n + 1, sizeof(args)));
		args[sizeof(args) - 1] = '\0';
		if (!cut_parens(args))
			return flow_parse_fail(p, item, "expected ct(ARGS) with nothing after its ')'");
	}
	ret = parse_ct(p, item, args, &a->val.ct);
	if (ret != 0)
		return ret;
	/* As in OVS: conntrack follows IP connections only. */
	if (!set_need_met(p->rule, SET_NEEDS_IP_ANY))
		return flow_parse_fail(p, item, "ct needs ip or ipv6 in the match");
	return 0;
}

/* One action into a. Returns 1 for drop, which compiles to nothing. */
static int
parse_action(struct parser *p, const char *item, struct flow_act *a)
{
	const char *value;
	size_t nlen = flow_parse_split_item(item, &value);
	uint64_t v;
	int ret;

	memset(a, 0, sizeof(*a));
	ret = parse_ct_item(p, item, a);
	if (ret <= 0)
		return ret;
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
	    "goto_table, ct, controller",
	    (int)nlen, item);
}

/* Cuts the next action off the list at s (at a comma outside parentheses,
 * so that ct(commit,zone=1) is one action). */
static int
cut_action(struct parser *p, char *s, char **item, char **next)
{
	int ret = split_list(s, next);
	char *comma;

	if (ret == 0) {
		*item = trim(s);
		return 0;
	}
	if (ret > 0)
		return flow_parse_fail(p, trim(s), "unbalanced parentheses: a '(' is not closed");
	/* Quote the action the stray ')' is in, up to the comma after it. */
	comma = strchr(*next, ',');
	if (comma != NULL)
		*comma = '\0';
	return flow_parse_fail(p, trim(s), "unbalanced parentheses: a ')' has no '('");
}

int
flow_parse_actions(struct parser *p, char *list)
{
	struct flow_act acts[FLOW_MAX_ACTIONS];
	const char *drop = NULL, *last = NULL, *last_name = NULL, *prev = NULL;
	unsigned int n_items = 0;
	uint16_t n = 0;
	char *s = list;

	if (*skip_space(list) == '\0')
		return flow_parse_fail(p, NULL, "a rule needs actions=; use actions=drop to drop");
	for (;;) {
		char *item = NULL, *next;
		int ret;

		ret = cut_action(p, s, &item, &next);
		if (ret != 0)
			return ret;
		if (*item == '\0')
			return prev != NULL
				   ? flow_parse_fail(p, prev, "is followed by an empty action")
				   : flow_parse_fail(p, NULL,
						     "the actions start with an empty one");
		if (last != NULL)
			return flow_parse_fail(p, last, "%s must be the last action", last_name);
		ret = flow_parse_check_bytes(p, item);
		if (ret != 0)
			return ret;
		if (n == FLOW_MAX_ACTIONS)
			return flow_parse_fail(p, item, "more than %d actions", FLOW_MAX_ACTIONS);
		ret = parse_action(p, item, &acts[n]);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			drop = item;
		} else if (acts[n].type == FLOW_ACT_GOTO_TABLE) {
			last = item;
			last_name = "goto_table";
		} else if (acts[n].type == FLOW_ACT_CT && (acts[n].val.ct.flags & CT_F_TABLE)) {
			/* The frame goes on in the table; nothing is left to run. */
			last = item;
			last_name = "ct with table=";
		}
		n += ret == 0;
		n_items++;
		prev = item;
		if (next == NULL)
			break;
		s = next;
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
