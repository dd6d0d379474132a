/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_VHOST_SOCKET_H
#define VSWITCH_BRIDGE_VHOST_SOCKET_H

/* Checks and preparation of vhost-user socket paths. Control thread. */

#include <stddef.h>

/* An absolute path that fits a unix socket address and the vdev argument
 * syntax (no ',', '=', ';' or spaces). 0 or -EINVAL with a reason in err. */
int vhost_socket_check(const char *path, char *err, size_t errlen);

/* For a socket the switch will serve: creates its directory, and removes a
 * stale socket file nobody listens on. Refuses a path held by a live server
 * or by something that is not a socket. 0 or -errno with a reason in err. */
int vhost_socket_prepare(const char *path, char *err, size_t errlen);

#endif
