/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rules to their canonical text (flow_rule.h): what parsing reads back
 * as the same rule.
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_fields.h"

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool
all_ones(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

/* The prefix length a mask of len bytes stands for, or -1 if it is not a
 * prefix. */
static int
mask_prefix(const uint8_t *mask, size_t len)
{
	int plen = 0;
	size_t i = 0;

	while (i < len && mask[i] == 0xff) {
		plen += 8;
		i++;
	}
	if (i == len)
		return plen;
	for (uint8_t b = mask[i]; b & 0x80; b = (uint8_t)(b << 1))
		plen++;
	if ((uint8_t)(mask[i] << (plen & 7)) != 0)
		return -1;
	for (i++; i < len; i++)
		if (mask[i] != 0)
			return -1;
	return plen;
}

static void
format_ip_masked(struct sbuf *sb, int af, const uint8_t *addr, const uint8_t *mask)
{
	size_t len = af == AF_INET ? 4 : 16;
	int plen = mask_prefix(mask, len);

	flow_sb_addr(sb, af, addr);
	if (plen >= 0 && (size_t)plen == len * 8)
		return;
	if (plen >= 0) {
		flow_sb_str(sb, "/");
		flow_sb_uint(sb, (unsigned int)plen);
	} else {
		flow_sb_str(sb, "/");
		flow_sb_addr(sb, af, mask);
	}
}

void
flow_format_field(struct sbuf *sb, enum field_id id, const struct flow_key *k,
		  const struct flow_key *m, flow_port_name_fn port_name, void *arg)
{
	const struct match_field *f = &flow_fields[id];
	const uint8_t *kp = (const uint8_t *)k + f->off;
	const uint8_t *mp = (const uint8_t *)m + f->off;
	const char *name;
	uint16_t v, mv;

	flow_sb_str(sb, f->name);
	flow_sb_str(sb, "=");
	switch ((enum field_kind)f->kind) {
	case KIND_PORT:
		name = port_name != NULL ? port_name(k->in_port, arg) : NULL;
		flow_sb_str(sb, name != NULL ? name : "?");
		break;
	case KIND_MAC:
		flow_sb_mac(sb, kp);
		if (!all_ones(mp, RTE_ETHER_ADDR_LEN)) {
			flow_sb_str(sb, "/");
			flow_sb_mac(sb, mp);
		}
		break;
	case KIND_ETHTYPE:
		flow_sb_hex(sb, rte_be_to_cpu_16(get16(kp)), 4);
		break;
	case KIND_VID:
		flow_sb_uint(sb, k->vlan_tci & FLOW_VLAN_VID_MASK);
		break;
	case KIND_PCP:
		flow_sb_uint(sb, (k->vlan_tci & FLOW_VLAN_PCP_MASK) >> FLOW_VLAN_PCP_SHIFT);
		break;
	case KIND_IP4:
		format_ip_masked(sb, AF_INET, kp, mp);
		break;
	case KIND_IP6:
		format_ip_masked(sb, AF_INET6, kp, mp);
		break;
	case KIND_U8:
	case KIND_TOS:
		flow_sb_uint(sb, *kp);
		break;
	case KIND_DSCP:
		flow_sb_uint(sb, *kp >> 2);
		break;
	case KIND_TP:
		v = rte_be_to_cpu_16(get16(kp));
		mv = rte_be_to_cpu_16(get16(mp));
		if (mv == 0xffff) {
			flow_sb_uint(sb, v);
		} else {
			flow_sb_hex(sb, v, 4);
			flow_sb_str(sb, "/");
			flow_sb_hex(sb, mv, 4);
		}
		break;
	case KIND_ICMP:
		flow_sb_uint(sb, rte_be_to_cpu_16(get16(kp)) & 0xff);
		break;
	case KIND_TCP_FLAGS:
		v = rte_be_to_cpu_16(get16(kp));
		mv = rte_be_to_cpu_16(get16(mp));
		flow_sb_hex(sb, v, 3);
		if (mv != FLOW_TCP_FLAGS_MASK) {
			flow_sb_str(sb, "/");
			flow_sb_hex(sb, mv, 3);
		}
		break;
	case KIND_CT_STATE:
		for (unsigned int i = 0; i < RTE_DIM(flow_ct_state_names); i++) {
			if (!(*mp & (1u << i)))
				continue;
			flow_sb_str(sb, *kp & (1u << i) ? "+" : "-");
			flow_sb_str(sb, flow_ct_state_names[i]);
		}
		break;
	case KIND_U16:
		flow_sb_uint(sb, get16(kp));
		break;
	}
}

static const struct shorthand *
find_shorthand(const struct flow_rule *r)
{
	for (size_t i = 0; i < flow_n_shorthands; i++) {
		const struct shorthand *sh = &flow_shorthands[i];

		if (dl_type_is(r, sh->dl_type) &&
		    (sh->nw_proto < 0 || nw_proto_is(r, (uint8_t)sh->nw_proto)))
			return sh;
	}
	return NULL;
}

/* Prints a field when the rule's mask touches it. */
static void
format_if_set(struct sbuf *sb, enum field_id id, const struct flow_rule *r,
	      flow_port_name_fn port_name, void *arg)
{
	/* Worked out once: building them for every field of every rule took a
	 * third of formatting's time. Control thread only, so no lock. */
	static struct flow_key bits[F_N];
	static bool have_bits;
	uint64_t set = 0;

	if (!have_bits) {
		for (int i = 0; i < F_N; i++)
			flow_field_bits(&flow_fields[i], &bits[i]);
		have_bits = true;
	}
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		set |= r->mask.w[i] & bits[id].w[i];
	if (set == 0)
		return;
	flow_sb_sep(sb);
	flow_format_field(sb, id, &r->key, &r->mask, port_name, arg);
}

/* The match in canonical order: in_port and the conntrack fields (what the
 * switch knows of the frame, as OVS puts them first), the protocol, then the
 * fields from the outside of the frame in, each under the name its protocol
 * gives it. */
static void
format_match(struct sbuf *sb, const struct flow_rule *r, flow_port_name_fn port_name, void *arg)
{
	bool arp = dl_type_is(r, FLOW_ETH_ARP), ip6 = dl_type_is(r, FLOW_ETH_IPV6);
	bool icmp = (dl_type_is(r, FLOW_ETH_IPV4) && nw_proto_is(r, IPPROTO_ICMP)) ||
		    (ip6 && nw_proto_is(r, IPPROTO_ICMPV6));
	const struct shorthand *sh = find_shorthand(r);

	format_if_set(sb, F_IN_PORT, r, port_name, arg);
	format_if_set(sb, F_CT_STATE, r, NULL, NULL);
	format_if_set(sb, F_CT_ZONE, r, NULL, NULL);
	if (sh != NULL) {
		flow_sb_sep(sb);
		flow_sb_str(sb, sh->name);
	} else {
		format_if_set(sb, F_DL_TYPE, r, NULL, NULL);
	}
	format_if_set(sb, F_DL_SRC, r, NULL, NULL);
	format_if_set(sb, F_DL_DST, r, NULL, NULL);
	format_if_set(sb, F_DL_VLAN, r, NULL, NULL);
	format_if_set(sb, F_DL_VLAN_PCP, r, NULL, NULL);
	if (ip6) {
		format_if_set(sb, F_IPV6_SRC, r, NULL, NULL);
		format_if_set(sb, F_IPV6_DST, r, NULL, NULL);
	} else {
		format_if_set(sb, arp ? F_ARP_SPA : F_NW_SRC, r, NULL, NULL);
		format_if_set(sb, arp ? F_ARP_TPA : F_NW_DST, r, NULL, NULL);
	}
	if (sh == NULL || sh->nw_proto < 0)
		format_if_set(sb, arp ? F_ARP_OP : F_NW_PROTO, r, NULL, NULL);
	format_if_set(sb, F_IP_DSCP, r, NULL, NULL);
	format_if_set(sb, F_NW_TTL, r, NULL, NULL);
	format_if_set(sb, icmp ? F_ICMP_TYPE : F_TP_SRC, r, NULL, NULL);
	format_if_set(sb, icmp ? F_ICMP_CODE : F_TP_DST, r, NULL, NULL);
	format_if_set(sb, F_TCP_FLAGS, r, NULL, NULL);
}

static const char *
set_target_name(uint8_t type)
{
	/* The first name of each type in flow_set_targets is the canonical one. */
	for (size_t i = 0; i < flow_n_set_targets; i++)
		if (flow_set_targets[i].type == type)
			return flow_set_targets[i].name;
	return "?";
}

/* IP[-IP][:PORT[-PORT]], each range shown as one value when it is one. */
static void
format_nat_range(struct sbuf *sb, const struct ct_args *ct)
{
	flow_sb_addr(sb, AF_INET, &ct->ip_min);
	if (ct->ip_max != ct->ip_min) {
		flow_sb_str(sb, "-");
		flow_sb_addr(sb, AF_INET, &ct->ip_max);
	}
	if (!(ct->flags & CT_F_NAT_PORTS))
		return;
	flow_sb_str(sb, ":");
	flow_sb_uint(sb, ct->port_min);
	if (ct->port_max != ct->port_min) {
		flow_sb_str(sb, "-");
		flow_sb_uint(sb, ct->port_max);
	}
}

/* ct(commit,zone=Z,table=T,nat(src=RANGE)): each part only when it says
 * something, in this order. */
static void
format_ct(struct sbuf *sb, const struct ct_args *ct)
{
	const char *sep = "";

	flow_sb_str(sb, "ct(");
	if (ct->flags & CT_F_COMMIT) {
		flow_sb_str(sb, "commit");
		sep = ",";
	}
	if (ct->zone != 0) {
		flow_sb_str(sb, sep);
		flow_sb_str(sb, "zone=");
		flow_sb_uint(sb, ct->zone);
		sep = ",";
	}
	if (ct->flags & CT_F_TABLE) {
		flow_sb_str(sb, sep);
		flow_sb_str(sb, "table=");
		flow_sb_uint(sb, ct->table);
		sep = ",";
	}
	if (ct->flags & (CT_F_NAT | CT_F_NAT_SRC | CT_F_NAT_DST)) {
		flow_sb_str(sb, sep);
		flow_sb_str(sb, "nat");
		if (ct->flags & (CT_F_NAT_SRC | CT_F_NAT_DST)) {
			flow_sb_str(sb, ct->flags & CT_F_NAT_SRC ? "(src=" : "(dst=");
			format_nat_range(sb, ct);
			flow_sb_str(sb, ")");
		}
	}
	flow_sb_str(sb, ")");
}

static void
format_action(struct sbuf *sb, const struct flow_act *a, flow_port_name_fn port_name, void *arg)
{
	const char *name;

	switch (a->type) {
	case FLOW_ACT_OUTPUT:
		name = port_name != NULL ? port_name(a->arg, arg) : NULL;
		flow_sb_str(sb, "output:");
		flow_sb_str(sb, name != NULL ? name : "?");
		return;
	case FLOW_ACT_NORMAL:
		flow_sb_str(sb, "normal");
		return;
	case FLOW_ACT_FLOOD:
		flow_sb_str(sb, "flood");
		return;
	case FLOW_ACT_PUSH_VLAN:
		flow_sb_str(sb, "push_vlan:");
		flow_sb_hex(sb, a->arg, 4);
		return;
	case FLOW_ACT_POP_VLAN:
		flow_sb_str(sb, "pop_vlan");
		return;
	case FLOW_ACT_SET_VLAN_VID:
		flow_sb_str(sb, "mod_vlan_vid:");
		flow_sb_uint(sb, a->arg);
		return;
	case FLOW_ACT_CONTROLLER:
		flow_sb_str(sb, "controller");
		return;
	case FLOW_ACT_DEC_TTL:
		flow_sb_str(sb, "dec_ttl");
		return;
	case FLOW_ACT_GOTO_TABLE:
		flow_sb_str(sb, "goto_table:");
		flow_sb_uint(sb, a->arg);
		return;
	case FLOW_ACT_CT:
		format_ct(sb, &a->val.ct);
		return;
	case FLOW_ACT_SET_DL_SRC:
	case FLOW_ACT_SET_DL_DST:
		flow_sb_str(sb, "set_field:");
		flow_sb_mac(sb, a->val.mac.addr_bytes);
		break;
	case FLOW_ACT_SET_NW_SRC:
	case FLOW_ACT_SET_NW_DST:
		flow_sb_str(sb, "set_field:");
		flow_sb_addr(sb, AF_INET, &a->val.ip4);
		break;
	case FLOW_ACT_SET_IPV6_SRC:
	case FLOW_ACT_SET_IPV6_DST:
		flow_sb_str(sb, "set_field:");
		flow_sb_addr(sb, AF_INET6, a->val.ip6);
		break;
	case FLOW_ACT_SET_TP_SRC:
	case FLOW_ACT_SET_TP_DST:
		flow_sb_str(sb, "set_field:");
		flow_sb_uint(sb, rte_be_to_cpu_16(a->val.port));
		break;
	case FLOW_ACT_SET_DSCP:
		flow_sb_str(sb, "set_field:");
		flow_sb_uint(sb, a->arg);
		break;
	default:
		flow_sb_str(sb, "unknown_action_");
		flow_sb_uint(sb, a->type);
		return;
	}
	flow_sb_str(sb, "->");
	flow_sb_str(sb, set_target_name(a->type));
}

static void
format_actions(struct sbuf *sb, const struct flow_act *acts, uint16_t n,
	       flow_port_name_fn port_name, void *arg)
{
	if (n == 0)
		flow_sb_str(sb, "drop");
	for (uint16_t i = 0; i < n; i++) {
		if (i > 0)
			flow_sb_str(sb, ",");
		format_action(sb, &acts[i], port_name, arg);
	}
}

int
flow_rule_format(const struct flow_rule *rule, flow_port_name_fn port_name, void *arg, char *buf,
		 size_t len)
{
	struct sbuf sb;

	flow_sb_init(&sb, buf, len);
	if (rule->has_table) {
		flow_sb_str(&sb, "table=");
		flow_sb_uint(&sb, rule->table);
	}
	/* A rule built in code may leave has_priority false; its priority still
	 * counts unless it is the default one parsing would give anyway. */
	if (rule->has_priority || rule->priority != FLOW_PRIORITY_DEFAULT) {
		flow_sb_sep(&sb);
		flow_sb_str(&sb, "priority=");
		flow_sb_uint(&sb, rule->priority);
	}
	/* A filter's cookie=0 (mask all ones) is a condition, so it is shown. */
	if (rule->cookie != 0 || rule->cookie_mask != 0) {
		flow_sb_sep(&sb);
		flow_sb_str(&sb, "cookie=");
		flow_sb_hex(&sb, rule->cookie, 1);
		if (rule->cookie_mask != 0 && rule->cookie_mask != UINT64_MAX) {
			flow_sb_str(&sb, "/");
			flow_sb_hex(&sb, rule->cookie_mask, 1);
		}
	}
	if (rule->idle_timeout != 0) {
		flow_sb_sep(&sb);
		flow_sb_str(&sb, "idle_timeout=");
		flow_sb_uint(&sb, rule->idle_timeout);
	}
	if (rule->hard_timeout != 0) {
		flow_sb_sep(&sb);
		flow_sb_str(&sb, "hard_timeout=");
		flow_sb_uint(&sb, rule->hard_timeout);
	}
	format_match(&sb, rule, port_name, arg);
	flow_sb_sep(&sb);
	flow_sb_str(&sb, "actions=");
	format_actions(&sb, rule->actions, rule->n_actions, port_name, arg);
	return flow_sb_result(&sb);
}

int
flow_match_format(const struct flow_rule *rule, flow_port_name_fn port_name, void *arg, char *buf,
		  size_t len)
{
	struct sbuf sb;

	flow_sb_init(&sb, buf, len);
	format_match(&sb, rule, port_name, arg);
	return flow_sb_result(&sb);
}

int
flow_actions_format(const struct flow_act *acts, uint16_t n, flow_port_name_fn port_name, void *arg,
		    char *buf, size_t len)
{
	struct sbuf sb;

	flow_sb_init(&sb, buf, len);
	format_actions(&sb, acts, n, port_name, arg);
	return flow_sb_result(&sb);
}
