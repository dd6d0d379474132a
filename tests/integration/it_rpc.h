/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TESTS_IT_RPC_H
#define VSWITCH_TESTS_IT_RPC_H

/*
 * A raw client of vswitchd's JSON-RPC socket (docs/api.md), for tests that
 * must send what vsctl never would. it_rpc_call may be used from several
 * threads at once (each call has its own connection); the raw connection
 * functions are for one thread per connection.
 */

#include <stddef.h>

#include <jansson.h>

/*
 * One JSON-RPC call on a new connection. params is stolen (may be NULL).
 * On success returns 0 and *result (if not NULL) gets the result (new ref).
 * On an error response returns its code (negative JSON-RPC code) and
 * copies its message to errmsg. Returns 1 on a transport failure.
 */
int it_rpc_call(const char *sock, const char *method, json_t *params, json_t **result, char *errmsg,
		size_t errmsg_len);

/* Raw client connections, for the protocol tests. */
int it_rpc_connect(const char *sock); /* fd or -errno */
/* Writes all of buf (MSG_NOSIGNAL). 0 or -errno (-EPIPE when the server closed). */
int it_rpc_write(int fd, const void *buf, size_t len);
/*
 * Reads one line (without '\n') within timeout_ms. Returns a malloc'd string,
 * or NULL with errno: ETIMEDOUT, ECONNRESET/EPIPE, or 0 on orderly EOF.
 * Bytes after the line stay buffered for the next call on the same fd
 * (up to 8 connections tracked).
 */
char *it_rpc_read_line(int fd, unsigned timeout_ms);
/* Waits until the peer closes: 0 on EOF/reset, -ETIMEDOUT otherwise. Discards data. */
int it_rpc_wait_closed(int fd, unsigned timeout_ms);
void it_rpc_close(int fd);

#endif
