/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rule text (ovs-ofctl's syntax, documented for users in docs/flows.md)
 * to struct flow_rule and back. One table of match fields serves parsing,
 * conflict messages and formatting, so a field is spelled the same way in
 * all three. The module's files:
 *   flow_rule.c          the shared tables and string builder (flow_fields.h),
 *                        and the rule relations: free, copy, covered_by, overlaps;
 *   flow_parse.c         text to rule: items, the match, the parser's helpers
 *                        (flow_parse.h);
 *   flow_parse_actions.c the action list;
 *   flow_format.c        rule to canonical text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_fields.h"

void
flow_sb_init(struct sbuf *sb, char *buf, size_t len)
{
	sb->buf = buf;
	sb->len = buf != NULL ? len : 0;
	sb->used = 0;
	if (sb->len > 0)
		buf[0] = '\0';
}

/* What vsnprintf would have done with these n bytes: write what fits,
 * terminated, and count all n in used. */
void
flow_sb_put(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->used < sb->len) {
		size_t fit = RTE_MIN(n, sb->len - sb->used - 1);

		memcpy(sb->buf + sb->used, s, fit);
		sb->buf[sb->used + fit] = '\0';
	}
	sb->used += n;
}

void
flow_sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	size_t room = sb->used < sb->len ? sb->len - sb->used : 0;
	int n = vsnprintf(room > 0 ? sb->buf + sb->used : NULL, room, fmt, ap);

	if (n > 0)
		sb->used += (size_t)n;
}

void
flow_sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	flow_sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void
flow_sb_uint(struct sbuf *sb, uint64_t v)
{
	char text[20]; /* UINT64_MAX's digits */
	char *p = text + sizeof(text);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	flow_sb_put(sb, p, (size_t)(text + sizeof(text) - p));
}

static const char hex_digits[] = "0123456789abcdef";

void
flow_sb_hex(struct sbuf *sb, uint64_t v, unsigned int min_digits)
{
	char text[2 + 16];
	char *p = text + sizeof(text);

	do {
		*--p = hex_digits[v & 0xf];
		v >>= 4;
	} while (v != 0 || p > text + sizeof(text) - min_digits);
	*--p = 'x';
	*--p = '0';
	flow_sb_put(sb, p, (size_t)(text + sizeof(text) - p));
}

void
flow_sb_sep(struct sbuf *sb)
{
	if (sb->used > 0)
		flow_sb_put(sb, ",", 1);
}

int
flow_sb_result(const struct sbuf *sb)
{
	return sb->used > INT_MAX ? INT_MAX : (int)sb->used;
}

void
flow_sb_mac(struct sbuf *sb, const uint8_t *mac)
{
	char text[RTE_ETHER_ADDR_LEN * 3];

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		text[3 * i] = hex_digits[mac[i] >> 4];
		text[3 * i + 1] = hex_digits[mac[i] & 0xf];
		text[3 * i + 2] = ':';
	}
	flow_sb_put(sb, text, sizeof(text) - 1); /* not the last ':' */
}

void
flow_sb_addr(struct sbuf *sb, int af, const void *addr)
{
	const uint8_t *b = addr;
	char text[INET6_ADDRSTRLEN];

	if (af == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i > 0)
				flow_sb_put(sb, ".", 1);
			flow_sb_uint(sb, b[i]);
		}
		return;
	}
	flow_sb_str(sb, inet_ntop(af, addr, text, sizeof(text)) != NULL ? text : "?");
}

#define KEY_AT(member) offsetof(struct flow_key, member), RTE_SIZEOF_FIELD(struct flow_key, member)

const struct match_field flow_fields[F_N] = {
	[F_IN_PORT] = {"in_port", KIND_PORT, NEED_NOTHING, KEY_AT(in_port)},
	[F_DL_TYPE] = {"dl_type", KIND_ETHTYPE, NEED_NOTHING, KEY_AT(dl_type)},
	[F_DL_SRC] = {"dl_src", KIND_MAC, NEED_NOTHING, KEY_AT(dl_src)},
	[F_DL_DST] = {"dl_dst", KIND_MAC, NEED_NOTHING, KEY_AT(dl_dst)},
	[F_DL_VLAN] = {"dl_vlan", KIND_VID, NEED_NOTHING, KEY_AT(vlan_tci)},
	[F_DL_VLAN_PCP] = {"dl_vlan_pcp", KIND_PCP, NEED_NOTHING, KEY_AT(vlan_tci)},
	[F_NW_SRC] = {"nw_src", KIND_IP4, NEED_IP_OR_ARP, KEY_AT(nw_src)},
	[F_NW_DST] = {"nw_dst", KIND_IP4, NEED_IP_OR_ARP, KEY_AT(nw_dst)},
	[F_ARP_SPA] = {"arp_spa", KIND_IP4, NEED_ARP, KEY_AT(nw_src)},
	[F_ARP_TPA] = {"arp_tpa", KIND_IP4, NEED_ARP, KEY_AT(nw_dst)},
	[F_IPV6_SRC] = {"ipv6_src", KIND_IP6, NEED_IPV6, KEY_AT(ipv6_src)},
	[F_IPV6_DST] = {"ipv6_dst", KIND_IP6, NEED_IPV6, KEY_AT(ipv6_dst)},
	[F_NW_PROTO] = {"nw_proto", KIND_U8, NEED_IP_ANY, KEY_AT(nw_proto)},
	[F_ARP_OP] = {"arp_op", KIND_U8, NEED_ARP, KEY_AT(nw_proto)},
	[F_NW_TOS] = {"nw_tos", KIND_TOS, NEED_IP_ANY, KEY_AT(nw_tos)},
	[F_IP_DSCP] = {"ip_dscp", KIND_DSCP, NEED_IP_ANY, KEY_AT(nw_tos)},
	[F_NW_TTL] = {"nw_ttl", KIND_U8, NEED_IP_ANY, KEY_AT(nw_ttl)},
	[F_TP_SRC] = {"tp_src", KIND_TP, NEED_L4, KEY_AT(tp_src)},
	[F_TP_DST] = {"tp_dst", KIND_TP, NEED_L4, KEY_AT(tp_dst)},
	[F_ICMP_TYPE] = {"icmp_type", KIND_ICMP, NEED_ICMP, KEY_AT(tp_src)},
	[F_ICMP_CODE] = {"icmp_code", KIND_ICMP, NEED_ICMP, KEY_AT(tp_dst)},
	[F_TCP_FLAGS] = {"tcp_flags", KIND_TCP_FLAGS, NEED_TCP, KEY_AT(tcp_flags)},
	/* Like OVS, no prerequisite: a frame that no ct() has seen is -trk. */
	[F_CT_STATE] = {"ct_state", KIND_CT_STATE, NEED_NOTHING, KEY_AT(ct_state)},
	[F_CT_ZONE] = {"ct_zone", KIND_U16, NEED_NOTHING, KEY_AT(ct_zone)},
};

const struct shorthand flow_shorthands[] = {
	{"tcp", FLOW_ETH_IPV4, IPPROTO_TCP},
	{"udp", FLOW_ETH_IPV4, IPPROTO_UDP},
	{"sctp", FLOW_ETH_IPV4, IPPROTO_SCTP},
	{"icmp", FLOW_ETH_IPV4, IPPROTO_ICMP},
	{"tcp6", FLOW_ETH_IPV6, IPPROTO_TCP},
	{"udp6", FLOW_ETH_IPV6, IPPROTO_UDP},
	{"sctp6", FLOW_ETH_IPV6, IPPROTO_SCTP},
	{"icmp6", FLOW_ETH_IPV6, IPPROTO_ICMPV6},
	{"ip", FLOW_ETH_IPV4, -1},
	{"ipv6", FLOW_ETH_IPV6, -1},
	{"arp", FLOW_ETH_ARP, -1},
};

const size_t flow_n_shorthands = RTE_DIM(flow_shorthands);

const struct set_target flow_set_targets[] = {
	{"dl_src", FLOW_ACT_SET_DL_SRC, SET_NEEDS_NOTHING},
	{"eth_src", FLOW_ACT_SET_DL_SRC, SET_NEEDS_NOTHING},
	{"dl_dst", FLOW_ACT_SET_DL_DST, SET_NEEDS_NOTHING},
	{"eth_dst", FLOW_ACT_SET_DL_DST, SET_NEEDS_NOTHING},
	{"nw_src", FLOW_ACT_SET_NW_SRC, SET_NEEDS_IP},
	{"ipv4_src", FLOW_ACT_SET_NW_SRC, SET_NEEDS_IP},
	{"nw_dst", FLOW_ACT_SET_NW_DST, SET_NEEDS_IP},
	{"ipv4_dst", FLOW_ACT_SET_NW_DST, SET_NEEDS_IP},
	{"ipv6_src", FLOW_ACT_SET_IPV6_SRC, SET_NEEDS_IPV6},
	{"ipv6_dst", FLOW_ACT_SET_IPV6_DST, SET_NEEDS_IPV6},
	{"tp_src", FLOW_ACT_SET_TP_SRC, SET_NEEDS_TCP_UDP},
	{"tcp_src", FLOW_ACT_SET_TP_SRC, SET_NEEDS_TCP_UDP},
	{"udp_src", FLOW_ACT_SET_TP_SRC, SET_NEEDS_TCP_UDP},
	{"tp_dst", FLOW_ACT_SET_TP_DST, SET_NEEDS_TCP_UDP},
	{"tcp_dst", FLOW_ACT_SET_TP_DST, SET_NEEDS_TCP_UDP},
	{"udp_dst", FLOW_ACT_SET_TP_DST, SET_NEEDS_TCP_UDP},
	{"ip_dscp", FLOW_ACT_SET_DSCP, SET_NEEDS_IP_ANY},
};

const size_t flow_n_set_targets = RTE_DIM(flow_set_targets);

const char *const flow_ct_state_names[8] = {
	"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
};

_Static_assert(CT_STATE_NEW == 1 << 0 && CT_STATE_EST == 1 << 1 && CT_STATE_REL == 1 << 2 &&
		   CT_STATE_RPL == 1 << 3 && CT_STATE_INV == 1 << 4 && CT_STATE_TRK == 1 << 5 &&
		   CT_STATE_SNAT == 1 << 6 && CT_STATE_DNAT == 1 << 7,
	       "flow_ct_state_names follows the CT_STATE_* bits");

void
flow_field_bits(const struct match_field *f, struct flow_key *bits)
{
	memset(bits, 0, sizeof(*bits));
	if (f->kind == KIND_VID)
		bits->vlan_tci = FLOW_VLAN_VID_MASK;
	else if (f->kind == KIND_PCP)
		bits->vlan_tci = FLOW_VLAN_PCP_MASK;
	else
		memset((uint8_t *)bits + f->off, 0xff, f->size);
}

void
flow_rule_free(struct flow_rule *rule)
{
	if (rule == NULL)
		return;
	free(rule->actions);
	rule->actions = NULL;
	rule->n_actions = 0;
}

int
flow_rule_copy(struct flow_rule *dst, const struct flow_rule *src)
{
	*dst = *src;
	dst->actions = NULL;
	if (src->n_actions == 0)
		return 0;
	dst->actions = malloc(src->n_actions * sizeof(*src->actions));
	if (dst->actions == NULL) {
		dst->n_actions = 0;
		return -ENOMEM;
	}
	memcpy(dst->actions, src->actions, src->n_actions * sizeof(*src->actions));
	return 0;
}

bool
flow_rule_covered_by(const struct flow_rule *rule, const struct flow_rule *filter)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++) {
		uint64_t m = filter->mask.w[i];

		if ((rule->mask.w[i] & m) != m || (rule->key.w[i] & m) != filter->key.w[i])
			return false;
	}
	return ((rule->cookie ^ filter->cookie) & filter->cookie_mask) == 0;
}

bool
flow_rule_overlaps(const struct flow_rule *a, const struct flow_rule *b)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if ((a->key.w[i] ^ b->key.w[i]) & a->mask.w[i] & b->mask.w[i])
			return false;
	return true;
}
