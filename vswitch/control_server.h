/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_CONTROL_SERVER_H
#define VSWITCH_CONTROL_SERVER_H

/*
 * The unix-socket server of the control API. Single-threaded: every call,
 * including the method handlers it runs, happens on the control thread.
 * Non-blocking I/O over epoll, so a client that is slow or silent never
 * delays another.
 */

#include <stddef.h>
#include <sys/types.h>

#include "jsonrpc.h"

/* Responses queued for a client that does not read them; past this it is
 * dropped. A dump of a bridge at its rule limit (262,144 rules) is about 60 MiB. */
#define CONTROL_SERVER_MAX_OUTPUT (128u << 20)
#define CONTROL_SERVER_MAX_REQUEST (32u << 20) /* a bundle of 100,000 rules fits */
#define CONTROL_SERVER_IDLE_MS 60000
#define CONTROL_SERVER_MAX_CLIENTS 64

struct control_server_params {
	const char *path;   /* socket path; a stale socket file there is replaced */
	mode_t mode;        /* e.g. 0660 */
	gid_t gid;          /* group for the socket, or (gid_t)-1 to keep the default */
	const struct jsonrpc_method *methods;
	size_t n_methods;
	void *ctx;          /* passed to every handler */
	size_t max_request; /* 0: CONTROL_SERVER_MAX_REQUEST */
	size_t max_output;  /* 0: CONTROL_SERVER_MAX_OUTPUT */
	unsigned idle_ms;   /* 0: CONTROL_SERVER_IDLE_MS */
};

/* Returns NULL and sets errno (EADDRINUSE when another live server answers on path). */
struct control_server *control_server_create(const struct control_server_params *params);
/* Closes every connection and removes the socket file. */
void control_server_destroy(struct control_server *server);

/* Waits up to timeout_ms for I/O, then serves whatever is ready (accepts,
 * reads, runs handlers, writes). Returns 0, or a negative errno on a fatal
 * error of the listening socket. EINTR is not an error. */
int control_server_poll(struct control_server *server, int timeout_ms);

#endif
