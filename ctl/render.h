/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_RENDER_H
#define VSCTL_RENDER_H

/*
 * Parts of vswitchd's results that vsctl checks and prints, kept apart from
 * the command handlers so the unit tests can render canned replies without a
 * daemon. Members not asked for are ignored, so a newer vswitchd still works.
 */

#include <stdbool.h>
#include <jansson.h>

#include "print.h"

/* Where a reply is malformed and why: "WHERE: WHY" after "malformed reply from vswitchd: ". */
struct render_error {
	char where[64]; /* e.g. "bridges[0].ports[2]" */
	char why[256];	/* e.g. "\"mtu\" is a string, expected an integer" */
};

/*
 * Prints one port of `show`'s bridges[].ports[] (at where) as one text line,
 * or as an object in the enclosing JSON array. The members a port type or an
 * older vswitchd does not send are left out; a member of the wrong type is an
 * error. Returns true, or false with err set.
 */
bool render_show_port(struct printer *p, json_t *port, const char *where, struct render_error *err);

/*
 * Prints the "pmds" array of a `show` result: each PMD thread's core and the
 * receive queues it polls, as text or as {"pmds": [...]}. Returns true, or
 * false with err set.
 */
bool render_pmd_rxqs(struct printer *p, json_t *result, struct render_error *err);

/*
 * Prints a flow.dump result: in text one line per rule, as ovs-ofctl
 * dump-flows does,
 *    table=0, priority=100, n_packets=12, n_bytes=1248, age=30s, idle=2s, in_port=vm1 actions=drop
 * with the cookie and timeouts only when not 0 and the match only when not
 * empty; in JSON {"bridge": ..., "flows": [...]} with every member, as
 * vswitchd sent it. Returns true, or false with err set.
 */
bool render_flows(struct printer *p, json_t *result, struct render_error *err);

/*
 * Prints a conntrack.show result. In text, one line per connection as
 * ovs-appctl dpctl/dump-conntrack does,
 *    tcp,orig=(src=10.0.0.5,dst=192.0.2.1,sport=40000,dport=80),reply=(src=192.0.2.1,
 *    dst=192.0.2.10,sport=80,dport=40000),zone=0,state=ESTABLISHED,nat=snat,expires=86399
 * (one line; "bridge=NAME," first when with_bridge, id= for ICMP, state= only
 * when the protocol has one, nat= only when translated), then a line per
 * listed zone, "bridge br0 zone 0: 12 connections, limit 65536, 0 refused",
 * the total and capacity, and the counters that are not zero. In JSON every
 * member, as vswitchd sent it. Returns true, or false with err set.
 */
bool render_conntrack(struct printer *p, json_t *result, bool with_bridge,
		      struct render_error *err);

/*
 * Prints a conntrack.set result. In text, as conntrack-set takes them, one
 * per line: "limit=65536", "zone=5 limit=100", "tcp_established=86400"...;
 * in JSON as vswitchd sent it. Returns true, or false with err set.
 */
bool render_conntrack_settings(struct printer *p, json_t *result, struct render_error *err);

/* A name vswitchd sends as an object key (a drop reason, a counter, a
 * timeout) is snake_case: anything else could garble the text output. */
bool render_is_snake_name(const char *s);

#endif
