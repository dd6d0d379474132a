/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_FLOW_FIELDS_H
#define VSWITCH_BRIDGE_FLOW_FIELDS_H

/*
 * What the flow rule files share, private to them: the tables of match
 * fields, shorthands and set_field targets (defined in flow_rule.c), so that
 * parsing, conflict messages and formatting spell each name the same way,
 * and the string builder that errors and text forms are written with.
 * Control thread only, like flow_rule.h.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "flow_rule.h"

/* A string being built like snprintf does: used counts what would have been
 * written had there been room, so it is the length to return. */
struct sbuf {
	char *buf;
	size_t len;
	size_t used;
};

void flow_sb_init(struct sbuf *sb, char *buf, size_t len);
void flow_sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap);
void flow_sb_printf(struct sbuf *sb, const char *fmt, ...) __rte_format_printf(2, 3);
/* Appenders for formatting rules, which is on the control path for every
 * rule added: they write what flow_sb_printf would, without its cost. */
void flow_sb_put(struct sbuf *sb, const char *s, size_t n);
/* Inline so that a literal's length is known when compiling. */
static inline void
flow_sb_str(struct sbuf *sb, const char *s)
{
	flow_sb_put(sb, s, strlen(s));
}
/* v as "%" PRIu64 writes it. */
void flow_sb_uint(struct sbuf *sb, uint64_t v);
/* v as "0x%0*" PRIx64 writes it, min_digits (at most 16) being the width. */
void flow_sb_hex(struct sbuf *sb, uint64_t v, unsigned int min_digits);
/* Starts a new comma-separated item unless this is the first. */
void flow_sb_sep(struct sbuf *sb);
/* The length to return, like snprintf's. */
int flow_sb_result(const struct sbuf *sb);
void flow_sb_mac(struct sbuf *sb, const uint8_t *mac);
void flow_sb_addr(struct sbuf *sb, int af, const void *addr);

/* Match fields. Several names share storage (see flow_key.h); each has its
 * own entry so that prerequisites and messages name what the user wrote. */
enum field_kind {
	KIND_PORT,
	KIND_MAC,
	KIND_ETHTYPE,
	KIND_VID,
	KIND_PCP,
	KIND_IP4,
	KIND_IP6,
	KIND_U8,
	KIND_TOS,
	KIND_DSCP,
	KIND_TP,
	KIND_ICMP,
	KIND_TCP_FLAGS,
	KIND_CT_STATE,
	KIND_U16, /* host order, exact */
};

/* What the rest of the match must say for a field to mean anything. */
enum field_need {
	NEED_NOTHING,
	NEED_IP_OR_ARP,
	NEED_ARP,
	NEED_IP_ANY,
	NEED_IPV6,
	NEED_L4,
	NEED_TCP,
	NEED_ICMP,
};

enum field_id {
	F_IN_PORT,
	F_DL_TYPE,
	F_DL_SRC,
	F_DL_DST,
	F_DL_VLAN,
	F_DL_VLAN_PCP,
	F_NW_SRC,
	F_NW_DST,
	F_ARP_SPA,
	F_ARP_TPA,
	F_IPV6_SRC,
	F_IPV6_DST,
	F_NW_PROTO,
	F_ARP_OP,
	F_NW_TOS,
	F_IP_DSCP,
	F_NW_TTL,
	F_TP_SRC,
	F_TP_DST,
	F_ICMP_TYPE,
	F_ICMP_CODE,
	F_TCP_FLAGS,
	F_CT_STATE,
	F_CT_ZONE,
	F_N
};

struct match_field {
	const char *name;
	uint8_t kind; /* enum field_kind */
	uint8_t need; /* enum field_need */
	uint8_t off;  /* where in struct flow_key */
	uint8_t size;
};

extern const struct match_field flow_fields[F_N];

/* Shorthands, in the order formatting prefers them: one naming nw_proto too
 * wins over its dl_type alone. */
struct shorthand {
	const char *name;
	uint16_t dl_type;
	int16_t nw_proto; /* -1: dl_type only */
};

extern const struct shorthand flow_shorthands[];
extern const size_t flow_n_shorthands;

/* Targets of set_field, and what the rule's own match must say for the
 * datapath to find the header it rewrites. */
enum set_need {
	SET_NEEDS_NOTHING,
	SET_NEEDS_IP,
	SET_NEEDS_IPV6,
	SET_NEEDS_TCP_UDP,
	SET_NEEDS_IP_ANY,
};

/* A set_field target. The first entry of each action type in
 * flow_set_targets is the name formatting gives it. */
struct set_target {
	const char *name;
	uint8_t type; /* enum flow_act_type */
	uint8_t need; /* enum set_need */
};

extern const struct set_target flow_set_targets[];
extern const size_t flow_n_set_targets;

/* Bit i of ct_state is flow_ct_state_names[i] (CT_STATE_NEW is bit 0). */
extern const char *const flow_ct_state_names[8];

static inline bool
dl_type_is(const struct flow_rule *r, uint16_t type)
{
	return r->mask.dl_type == RTE_BE16(0xffff) && r->key.dl_type == rte_cpu_to_be_16(type);
}

static inline bool
nw_proto_is(const struct flow_rule *r, uint8_t proto)
{
	return r->mask.nw_proto == 0xff && r->key.nw_proto == proto;
}

/* The bits of the key a field owns. */
void flow_field_bits(const struct match_field *f, struct flow_key *bits);

/* "name=value" of one field of a match; the parser reads it back as it was. */
void flow_format_field(struct sbuf *sb, enum field_id id, const struct flow_key *k,
		       const struct flow_key *m, flow_port_name_fn port_name, void *arg);

#endif
