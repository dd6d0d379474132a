/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_FLOW_RULE_H
#define VSWITCH_BRIDGE_FLOW_RULE_H

/*
 * A flow rule as the control side holds it, and its text form, which is
 * ovs-ofctl's:
 *
 *   table=0,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24,tcp,tp_dst=80,actions=output:up0
 *
 * The grammar, every field and action, and the defaults are in docs/flows.md.
 * Ports are named; the parser turns a name into a port id through a
 * callback (the bridge interns names, so a rule outlives its port and works
 * again when a port of that name comes back).
 *
 * Control thread only. Functions return 0 or a negative errno and write a
 * message for people into err, which says where the problem is:
 *   at "tp_dst=http": expected a port number or number/mask
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/flow_actions.h"
#include "datapath/flow_key.h"

#define FLOW_N_TABLES 64
#define FLOW_PRIORITY_DEFAULT 32768
#define FLOW_PRIORITY_MAX 65535
#define FLOW_MAX_ACTIONS 32
#define FLOW_TIMEOUT_MAX 65535 /* seconds */
#define FLOW_TEXT_MAX 1024     /* longest rule text accepted and produced */
#define FLOW_PORT_NONE 0xffff  /* no such port id */

enum flow_parse_mode {
	FLOW_PARSE_ADD,    /* a whole rule: actions required; cookie without mask */
	FLOW_PARSE_MODIFY, /* a filter and the new actions; cookie=value/mask filters */
	FLOW_PARSE_FILTER, /* a filter only (del-flows, dump-flows): no actions, no timeouts */
};

struct flow_rule {
	bool has_table;        /* filters: false means every table; rules: always true */
	uint8_t table;         /* 0 .. FLOW_N_TABLES-1; default 0 */
	uint16_t priority;     /* default FLOW_PRIORITY_DEFAULT */
	bool has_priority;     /* given in the text (a filter uses it only when strict) */
	uint64_t cookie;
	uint64_t cookie_mask;  /* filters: bits of cookie that must match; rules: 0 */
	uint16_t idle_timeout; /* seconds without a hit before removal; 0: never */
	uint16_t hard_timeout; /* seconds after insertion before removal; 0: never */
	/* key.in_port is a port id from the lookup callback when mask.in_port
	 * is 0xffff; key is always masked (key & mask == key). */
	struct flow_key key;
	struct flow_key mask;
	uint16_t n_actions;
	struct flow_act *actions; /* malloc'd, owned; an output's arg is a port id */
};

/* Port name -> id. Returns the id (0 .. 0xfffe) or a negative errno, in
 * which case the parser reports "no port NAME" (-ENOENT) or the errno. */
typedef int (*flow_port_id_fn)(const char *name, void *arg);
/* Port id -> name, for formatting; NULL gives "?". */
typedef const char *(*flow_port_name_fn)(uint16_t id, void *arg);

/* Parses text into rule (which the caller frees with flow_rule_free(), also
 * after a failure). */
int flow_rule_parse(const char *text, enum flow_parse_mode mode, flow_port_id_fn port_id,
		    void *arg, struct flow_rule *rule, char *err, size_t errlen);
void flow_rule_free(struct flow_rule *rule);
/* Deep copy into dst (uninitialised). 0 or -ENOMEM. */
int flow_rule_copy(struct flow_rule *dst, const struct flow_rule *src);

/*
 * Text forms, canonical so that parsing them gives the same rule:
 * flow_rule_format: "table=0,priority=100,cookie=0x5,idle_timeout=10,in_port=vm1,
 *   tcp,nw_dst=10.0.0.0/24,tp_dst=80,actions=output:up0" (cookie and
 *   timeouts only when not zero; in_port and shorthands before other fields);
 * flow_match_format: the match part alone ("in_port=vm1,tcp,...", "" for all);
 * flow_actions_format: the action part alone ("output:up0", "drop" for none).
 * Return the length written (truncated to len-1 with a NUL) like snprintf.
 */
int flow_rule_format(const struct flow_rule *rule, flow_port_name_fn port_name, void *arg,
		     char *buf, size_t len);
int flow_match_format(const struct flow_rule *rule, flow_port_name_fn port_name, void *arg,
		      char *buf, size_t len);
int flow_actions_format(const struct flow_act *acts, uint16_t n, flow_port_name_fn port_name,
			void *arg, char *buf, size_t len);

/* True when every bit the filter's mask sets, the rule's mask sets too, with
 * the same value: the rule is at least as specific as the filter (del-flows
 * without --strict). The cookie filter counts too; table and priority not. */
bool flow_rule_covered_by(const struct flow_rule *rule, const struct flow_rule *filter);

/* True when some packet could match both (equal values wherever both masks
 * set bits). Table and priority not compared. */
bool flow_rule_overlaps(const struct flow_rule *a, const struct flow_rule *b);

#endif
