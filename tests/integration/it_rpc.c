/* SPDX-License-Identifier: BSD-3-Clause */
/* A raw JSON-RPC client of the control socket, for integration tests; see it_rpc.h. */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "it_rpc.h"

#define IT_RPC_TIMEOUT_MS 10000

struct line_buf {
	int fd;
	char *data;
	size_t len;
	size_t cap;
};

#define IT_LINE_BUFS 8
static struct line_buf line_bufs[IT_LINE_BUFS] = {
    [0 ... IT_LINE_BUFS - 1] = {.fd = -1},
};
static pthread_mutex_t line_bufs_lock = PTHREAD_MUTEX_INITIALIZER;

int
it_rpc_connect(const char *sock)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(sock) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

int
it_rpc_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= w;
	}
	return 0;
}

/*
 * Reads one line into lb. Returns the line (malloc'd) or NULL with errno set
 * (0 on EOF). Bytes after the newline stay in lb.
 */
static char *
read_line(struct line_buf *lb, int fd, unsigned timeout_ms)
{
	unsigned long long deadline = it_now_ms() + timeout_ms;

	for (;;) {
		char *nl = lb->len ? memchr(lb->data, '\n', lb->len) : NULL;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left;
		ssize_t r;

		if (nl != NULL) {
			size_t n = nl - lb->data;
			char *line = malloc(n + 1);

			if (line == NULL)
				return NULL;
			memcpy(line, lb->data, n);
			line[n] = '\0';
			memmove(lb->data, nl + 1, lb->len - n - 1);
			lb->len -= n + 1;
			return line;
		}
		left = (long long)(deadline - it_now_ms());
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if (lb->cap - lb->len < 65536) {
			size_t cap = lb->cap ? lb->cap * 2 : 131072;
			char *d = realloc(lb->data, cap);

			if (d == NULL)
				return NULL;
			lb->data = d;
			lb->cap = cap;
		}
		r = recv(fd, lb->data + lb->len, lb->cap - lb->len, 0);
		if (r == 0) {
			errno = 0;
			return NULL;
		}
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return NULL;
		}
		lb->len += r;
	}
}

static struct line_buf *
line_buf_get(int fd)
{
	struct line_buf *free_lb = NULL;
	unsigned i;

	for (i = 0; i < IT_LINE_BUFS; i++) {
		if (line_bufs[i].fd == fd)
			return &line_bufs[i];
		if (line_bufs[i].fd < 0 && free_lb == NULL)
			free_lb = &line_bufs[i];
	}
	if (free_lb != NULL) {
		free_lb->fd = fd;
		free_lb->len = 0;
	}
	return free_lb;
}

char *
it_rpc_read_line(int fd, unsigned timeout_ms)
{
	struct line_buf *lb;
	char *line;

	pthread_mutex_lock(&line_bufs_lock);
	lb = line_buf_get(fd);
	pthread_mutex_unlock(&line_bufs_lock);
	if (lb == NULL) {
		errno = EMFILE;
		return NULL;
	}
	line = read_line(lb, fd, timeout_ms);
	return line;
}

int
it_rpc_wait_closed(int fd, unsigned timeout_ms)
{
	unsigned long long deadline = it_now_ms() + timeout_ms;
	char buf[4096];

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = (long long)(deadline - it_now_ms());
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			return 0;
	}
}

void
it_rpc_close(int fd)
{
	unsigned i;

	pthread_mutex_lock(&line_bufs_lock);
	for (i = 0; i < IT_LINE_BUFS; i++)
		if (line_bufs[i].fd == fd) {
			free(line_bufs[i].data);
			line_bufs[i].data = NULL;
			line_bufs[i].len = line_bufs[i].cap = 0;
			line_bufs[i].fd = -1;
		}
	pthread_mutex_unlock(&line_bufs_lock);
	close(fd);
}

int
it_rpc_call(const char *sock, const char *method, json_t *params, json_t **result, char *errmsg,
	    size_t errmsg_len)
{
	static atomic_int next_id = 1;
	struct line_buf lb = {.fd = -1};
	json_t *req, *resp = NULL, *err;
	char *text = NULL, *line = NULL;
	int fd, ret = 1;

	if (result != NULL)
		*result = NULL;
	if (errmsg != NULL && errmsg_len > 0)
		errmsg[0] = '\0';
	req = json_pack("{s:s, s:s, s:i}", "jsonrpc", "2.0", "method", method, "id",
			atomic_fetch_add(&next_id, 1));
	if (params != NULL)
		json_object_set_new(req, "params", params);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	fd = it_rpc_connect(sock);
	if (fd < 0 || text == NULL)
		goto out;
	if (it_rpc_write(fd, text, strlen(text)) < 0 || it_rpc_write(fd, "\n", 1) < 0)
		goto out;
	line = read_line(&lb, fd, IT_RPC_TIMEOUT_MS);
	if (line == NULL)
		goto out;
	resp = json_loads(line, 0, NULL);
	if (resp == NULL)
		goto out;
	err = json_object_get(resp, "error");
	if (err != NULL) {
		ret = (int)json_integer_value(json_object_get(err, "code"));
		if (ret == 0)
			ret = 1;
		if (errmsg != NULL)
			snprintf(errmsg, errmsg_len, "%s",
				 json_string_value(json_object_get(err, "message")) ?: "");
	} else if (json_object_get(resp, "result") != NULL) {
		if (result != NULL)
			*result = json_incref(json_object_get(resp, "result"));
		ret = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	free(lb.data);
	free(line);
	free(text);
	json_decref(resp);
	return ret;
}
