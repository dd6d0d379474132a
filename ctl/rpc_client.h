/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_RPC_CLIENT_H
#define VSCTL_RPC_CLIENT_H

/*
 * A JSON-RPC 2.0 client for the vswitchd control socket (docs/api.md): one
 * JSON object per line each way, one request outstanding at a time.
 * A client is used by one thread.
 */

#include <jansson.h>

/* Replies larger than this are refused (a full 1M-entry MAC table is ~100 MiB). */
#define RPC_REPLY_MAX (256u << 20)

struct rpc_error {
	int code;	    /* JSON-RPC error code from vswitchd; 0 for local failures */
	char message[512]; /* one line for people */
};

struct rpc_client;

/*
 * Connects to the unix socket at path, waiting at most timeout_ms for a busy
 * daemon to accept (0: no limit). Returns the client, or NULL with errno set:
 * ENAMETOOLONG (path does not fit a sockaddr_un), ETIMEDOUT, or connect()'s
 * errno (ENOENT, ECONNREFUSED, EACCES...).
 */
struct rpc_client *rpc_client_connect(const char *path, int timeout_ms);

/* Closes the connection. NULL is a no-op. */
void rpc_client_close(struct rpc_client *c);

/*
 * Sends method with params (borrowed; NULL for none) and waits at most
 * timeout_ms (0: no limit) for the reply. Returns:
 *   0            *result is the reply's result (a new reference, any JSON type);
 *   -EREMOTEIO   vswitchd answered with an error: err->code and err->message;
 *   -ETIMEDOUT   no complete reply in time;
 *   -EPROTO      the reply is not a valid JSON-RPC 2.0 response to this request;
 *   other -errno the connection failed (-ECONNRESET when closed by vswitchd).
 * err->message is set on every failure.
 */
int rpc_client_call(struct rpc_client *c, const char *method, json_t *params, int timeout_ms,
		    json_t **result, struct rpc_error *err);

/*
 * Checks one reply line (without its '\n') against the request id. Same
 * return values as rpc_client_call for 0, -EREMOTEIO and -EPROTO. Pure; used
 * by rpc_client_call and by the unit tests.
 */
int rpc_reply_parse(const char *line, size_t len, json_int_t id, json_t **result,
		    struct rpc_error *err);

#endif
