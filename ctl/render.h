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

#endif
