/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "rpc_client.h"

struct rpc_client {
	int fd;
	json_int_t next_id;
	char *buf;  /* received bytes not yet consumed */
	size_t len; /* bytes in buf */
	size_t cap;
};

static int __attribute__((format(printf, 3, 4)))
rpc_fail(struct rpc_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	err->code = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return ret;
}

struct rpc_client *
rpc_client_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000};
	struct rpc_client *c;
	int fd, saved;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	/* A unix connect() blocks while the listen backlog is full; Linux bounds
	 * that wait by SO_SNDTIMEO and then fails with EAGAIN. */
	if (timeout_ms > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EAGAIN || errno == EINPROGRESS)
			errno = ETIMEDOUT;
		goto fail;
	}
	/* From here on waits are bounded with poll(). */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->fd = fd;
	c->next_id = 1;
	return c;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

void
rpc_client_close(struct rpc_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on the socket until deadline (0: none). Returns 0 or -errno. */
static int
rpc_wait(struct rpc_client *c, short events, long long deadline)
{
	struct pollfd pfd = {.fd = c->fd, .events = events};
	int timeout, n;

	for (;;) {
		timeout = -1;
		if (deadline != 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		n = poll(&pfd, 1, timeout);
		if (n > 0)
			return 0; /* readable, writable, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int
rpc_send_all(struct rpc_client *c, const char *data, size_t len, long long deadline)
{
	ssize_t n;
	int ret;

	while (len > 0) {
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = rpc_wait(c, POLLOUT, deadline);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Receives until buf holds a '\n'. Returns the line length (without '\n') or -errno. */
static long
rpc_recv_line(struct rpc_client *c, long long deadline)
{
	size_t scanned = 0;
	char *nl;
	ssize_t n;
	int ret;

	for (;;) {
		nl = c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
		if (nl != NULL)
			return nl - c->buf;
		scanned = c->len;
		if (c->len >= RPC_REPLY_MAX)
			return -EMSGSIZE;
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap == 0 ? 65536 : c->cap * 2;
			char *buf = realloc(c->buf, cap);

			if (buf == NULL)
				return -ENOMEM;
			c->buf = buf;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = rpc_wait(c, POLLIN, deadline);
		if (ret < 0)
			return ret;
	}
}

static int
rpc_reply_error(json_t *error, struct rpc_error *err)
{
	json_t *code = json_object_get(error, "code");
	json_t *message = json_object_get(error, "message");
	json_int_t v;

	if (!json_is_object(error) || !json_is_integer(code) || !json_is_string(message))
		return rpc_fail(err, -EPROTO,
				"malformed reply from vswitchd: \"error\" is not an object with "
				"an integer \"code\" and a string \"message\"");
	snprintf(err->message, sizeof(err->message), "%s", json_string_value(message));
	/* Messages are one line for people: keep a multi-line one readable. */
	for (char *p = err->message; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	v = json_integer_value(code);
	err->code = v < INT_MIN || v > INT_MAX ? 0 : (int)v;
	return -EREMOTEIO;
}

int
rpc_reply_parse(const char *line, size_t len, json_int_t id, json_t **result,
		struct rpc_error *err)
{
	json_t *reply, *version, *rid, *res, *error;
	json_error_t jerr;
	int ret;

	*result = NULL;
	reply = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (reply == NULL)
		return rpc_fail(err, -EPROTO, "malformed reply from vswitchd: %s (column %d)",
				jerr.text, jerr.column);
	ret = -EPROTO;
	if (!json_is_object(reply)) {
		rpc_fail(err, ret, "malformed reply from vswitchd: not a JSON object");
		goto out;
	}
	version = json_object_get(reply, "jsonrpc");
	rid = json_object_get(reply, "id");
	res = json_object_get(reply, "result");
	error = json_object_get(reply, "error");
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0) {
		rpc_fail(err, ret, "malformed reply from vswitchd: \"jsonrpc\" is not \"2.0\"");
		goto out;
	}
	if ((res == NULL) == (error == NULL)) {
		rpc_fail(err, ret,
			 "malformed reply from vswitchd: expected exactly one of \"result\" "
			 "and \"error\"");
		goto out;
	}
	/* An error about a request the daemon could not read carries a null id. */
	if (!(json_is_integer(rid) && json_integer_value(rid) == id) &&
	    !(error != NULL && json_is_null(rid))) {
		rpc_fail(err, ret, "malformed reply from vswitchd: \"id\" does not match the "
				   "request");
		goto out;
	}
	if (error != NULL) {
		ret = rpc_reply_error(error, err);
		goto out;
	}
	*result = json_incref(res);
	ret = 0;
out:
	json_decref(reply);
	return ret;
}

int
rpc_client_call(struct rpc_client *c, const char *method, json_t *params, int timeout_ms,
		json_t **result, struct rpc_error *err)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	json_int_t id = c->next_id++;
	json_t *req;
	char *line;
	long n;
	int ret;

	*result = NULL;
	req = json_pack("{s:s, s:s, s:I}", "jsonrpc", "2.0", "method", method, "id", id);
	if (req == NULL || (params != NULL && json_object_set(req, "params", params) < 0)) {
		json_decref(req);
		return rpc_fail(err, -ENOMEM, "out of memory");
	}
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		return rpc_fail(err, -ENOMEM, "out of memory");
	/* A compact dump has no raw newline: strings escape theirs. */
	ret = rpc_send_all(c, line, strlen(line), deadline);
	if (ret == 0)
		ret = rpc_send_all(c, "\n", 1, deadline);
	free(line);
	if (ret == -ETIMEDOUT)
		return rpc_fail(err, ret, "vswitchd did not take the request within %g s",
				timeout_ms / 1000.0);
	if (ret < 0)
		return rpc_fail(err, ret, "cannot send to vswitchd: %s", strerror(-ret));

	n = rpc_recv_line(c, deadline);
	if (n == -ETIMEDOUT)
		return rpc_fail(err, -ETIMEDOUT, "no reply from vswitchd within %g s",
				timeout_ms / 1000.0);
	if (n == -ECONNRESET)
		return rpc_fail(err, -ECONNRESET, "vswitchd closed the connection without a reply");
	if (n == -EMSGSIZE)
		return rpc_fail(err, -EPROTO, "malformed reply from vswitchd: larger than %u MiB",
				RPC_REPLY_MAX >> 20);
	if (n < 0)
		return rpc_fail(err, (int)n, "cannot receive from vswitchd: %s", strerror(-n));

	ret = rpc_reply_parse(c->buf, n, id, result, err);
	/* Keep whatever follows the line for the next call. */
	memmove(c->buf, c->buf + n + 1, c->len - n - 1);
	c->len -= n + 1;
	return ret;
}
