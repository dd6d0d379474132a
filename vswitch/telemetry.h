/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TELEMETRY_H
#define VSWITCH_TELEMETRY_H

/*
 * Port counters through DPDK telemetry (dpdk-telemetry.py, the socket under
 * /var/run/dpdk/<file-prefix>/): /vswitch/ports lists ports,
 * /vswitch/port_stats,NAME gives one port's counters with the same names as
 * `vsctl -j port-stats`, and /vswitch/conntrack the connection table's
 * count, capacity and counters (conntrack.show's "counters").
 */

#include "vswitch.h"

/* Registers the commands; vs must outlive the process's telemetry thread. 0 or -errno. */
int telemetry_init(struct vswitch *vs);

#endif
