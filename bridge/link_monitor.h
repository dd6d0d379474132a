/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_LINK_MONITOR_H
#define VSWITCH_BRIDGE_LINK_MONITOR_H

/*
 * Kernel link events (RTNLGRP_LINK) read without blocking, so a port's state
 * can follow its kernel interface going down, up, or away. Control thread
 * only: the owner polls it every few milliseconds.
 */

#include <stdbool.h>
#include <stddef.h>

struct link_monitor;

/* One interface changed. name is NULL when events were lost (the socket's
 * buffer overran): the callee must then re-read every interface it cares
 * about. That notice comes once per poll, after every event still queued,
 * as those are older than the lost ones. deleted: the interface is gone, or
 * moved to another network namespace (admin_up and oper_up are then false). */
typedef void (*link_monitor_fn)(const char *name, int ifindex, bool admin_up, bool oper_up,
				bool deleted, void *arg);

/* NULL with -errno in *rc and a reason in err. */
struct link_monitor *link_monitor_create(int *rc, char *err, size_t errlen);
void link_monitor_destroy(struct link_monitor *mon);

/* Delivers every pending event to fn; never blocks. Returns the number of
 * events delivered, or -errno on a socket error other than an overrun. */
int link_monitor_poll(struct link_monitor *mon, link_monitor_fn fn, void *arg);

#endif
