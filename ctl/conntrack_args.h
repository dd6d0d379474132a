/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_CONNTRACK_ARGS_H
#define VSCTL_CONNTRACK_ARGS_H

/*
 * The arguments of vsctl's conntrack commands, turned into the params of
 * conntrack.show, conntrack.flush and conntrack.set (docs/api.md). Pure
 * functions, unit tested on their own. Everything a command line can get
 * wrong is refused here, before anything is sent; what depends on the
 * switch (a bridge that does not exist, a limit over the table's capacity)
 * is vswitchd's to refuse.
 */

#include <stddef.h>
#include <jansson.h>

#define CT_ARGS_ZONE_MAX 65535
#define CT_ARGS_TIMEOUT_MAX 2147483647

/* The timeouts vswitchd has, in its order: CT_TIMEOUTS of datapath/conntrack.h
 * (test_vsctl_conntrack checks that they agree). */
#define CT_ARGS_N_TIMEOUTS 11
extern const char *const ct_args_timeouts[CT_ARGS_N_TIMEOUTS];

/*
 * conntrack-show and conntrack-flush: "[BRIDGE] [zone=N]" into params
 * {"bridge"?, "zone"?}. Returns 0, or -EINVAL with a message for people in
 * err that starts with cmd: `conntrack-show: zone: 70000 is out of range;
 * expected 0 to 65535`.
 */
int ct_args_select(const char *cmd, int argc, char *const argv[], json_t *params, char *err,
		   size_t err_len);

/*
 * conntrack-set: "[zone=N] [limit=M] [TIMEOUT=SECS ...]" into params
 * {"zone"?, "limit"?, "timeouts"?: {NAME: SECS}}. Timeout names may be spelt
 * with dashes too. No arguments give empty params (the settings are only
 * read). Returns 0, or -EINVAL with a message in err as above.
 */
int ct_args_set(const char *cmd, int argc, char *const argv[], json_t *params, char *err,
		size_t err_len);

#endif
