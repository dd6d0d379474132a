/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/path.h"
#include "control_server.h"

/* Bytes read from one client per poll: a busy client cannot starve others. */
#define READ_CHUNK (64u * 1024)
#define MAX_EVENTS 32

struct client {
	int fd;
	bool closing;   /* stop reading; close once the output is flushed */
	bool dead;      /* closed; freed at the end of the poll round */
	uint32_t armed; /* the epoll events currently asked for */
	uint64_t last_active_ms;
	char *in;
	size_t in_len, in_cap;
	size_t in_scanned; /* bytes of in already known to hold no '\n' */
	char *out;
	size_t out_off, out_len, out_cap;
	struct client *next;
};

struct control_server {
	int listen_fd;
	int epoll_fd;
	char *path;
	dev_t sock_dev; /* identity of our socket file, so destroy never */
	ino_t sock_ino; /* removes one a newer server put at path */
	const struct jsonrpc_method *methods;
	size_t n_methods;
	void *ctx;
	size_t max_request;
	size_t max_output;
	unsigned idle_ms;
	unsigned n_clients;
	struct client *clients;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/*
 * Clears the way for bind(): a socket file nobody answers on is left over
 * from a crash and is removed; a live one means another vswitchd runs.
 * Anything that is not a socket is not ours to remove.
 */
static int
remove_stale_socket(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, rc;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		/* EAGAIN: a full backlog, which only a live server has. */
		close(fd);
		return -EADDRINUSE;
	}
	rc = errno;
	close(fd);
	if (rc != ECONNREFUSED)
		return -rc;
	if (unlink(addr->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int
open_listener(struct control_server *server, const struct control_server_params *params)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (strlen(params->path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, params->path);

	rc = path_make_parents(params->path);
	if (rc < 0)
		return rc;
	rc = remove_stale_socket(&addr);
	if (rc < 0)
		return rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* Nobody can connect before listen(), so fixing the mode and group
	 * after bind() leaves no window with looser permissions. */
	if (chmod(params->path, params->mode) < 0 ||
	    (params->gid != (gid_t)-1 && chown(params->path, (uid_t)-1, params->gid) < 0) ||
	    lstat(params->path, &st) < 0 || listen(fd, SOMAXCONN) < 0) {
		rc = -errno;
		unlink(params->path);
		close(fd);
		return rc;
	}
	server->sock_dev = st.st_dev;
	server->sock_ino = st.st_ino;
	server->listen_fd = fd;
	return 0;
}

struct control_server *
control_server_create(const struct control_server_params *params)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct control_server *server;
	int rc;

	if (params == NULL || params->path == NULL || params->path[0] == '\0' ||
	    (params->methods == NULL && params->n_methods > 0)) {
		errno = EINVAL;
		return NULL;
	}
	server = calloc(1, sizeof(*server));
	if (server == NULL)
		return NULL;
	server->listen_fd = -1;
	server->methods = params->methods;
	server->n_methods = params->n_methods;
	server->ctx = params->ctx;
	server->max_output = params->max_output ? params->max_output : CONTROL_SERVER_MAX_OUTPUT;
	server->max_request = params->max_request ? params->max_request :
						    CONTROL_SERVER_MAX_REQUEST;
	server->idle_ms = params->idle_ms ? params->idle_ms : CONTROL_SERVER_IDLE_MS;
	server->path = strdup(params->path);
	if (server->path == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (server->epoll_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = open_listener(server, params);
	if (rc < 0)
		goto fail_epoll;
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, server->listen_fd, &ev) < 0) {
		rc = -errno;
		unlink(server->path);
		close(server->listen_fd);
		goto fail_epoll;
	}
	return server;

fail_epoll:
	close(server->epoll_fd);
fail:
	free(server->path);
	free(server);
	errno = -rc;
	return NULL;
}

static void
client_close(struct control_server *server, struct client *c)
{
	if (c->dead)
		return;
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	server->n_clients--;
}

static void
client_free(struct client *c)
{
	free(c->in);
	free(c->out);
	free(c);
}

/* Frees the clients closed during this round, now that no event refers to them. */
static void
reap_clients(struct control_server *server)
{
	struct client **pp = &server->clients;

	while (*pp != NULL) {
		struct client *c = *pp;

		if (c->dead) {
			*pp = c->next;
			client_free(c);
		} else {
			pp = &c->next;
		}
	}
}

void
control_server_destroy(struct control_server *server)
{
	struct stat st;

	if (server == NULL)
		return;
	for (struct client *c = server->clients; c != NULL; c = c->next)
		client_close(server, c);
	reap_clients(server);
	close(server->listen_fd);
	close(server->epoll_fd);
	if (lstat(server->path, &st) == 0 && st.st_dev == server->sock_dev &&
	    st.st_ino == server->sock_ino)
		unlink(server->path);
	free(server->path);
	free(server);
}

static void
client_set_events(struct control_server *server, struct client *c)
{
	struct epoll_event ev = {.data.ptr = c};

	ev.events = (c->closing ? 0 : EPOLLIN) | (c->out_len > c->out_off ? EPOLLOUT : 0);
	if (ev.events == c->armed)
		return;
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		client_close(server, c);
		return;
	}
	c->armed = ev.events;
}

/* Sends what the socket takes now; the rest waits for EPOLLOUT. */
static void
client_flush(struct control_server *server, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_close(server, c);
			return;
		}
		c->out_off += n;
		c->last_active_ms = now_ms();
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->closing) {
			client_close(server, c);
			return;
		}
	}
	client_set_events(server, c);
}

/* Queues one response line; a client that lets too much pile up is dropped. */
static void
client_queue(struct control_server *server, struct client *c, const char *line)
{
	size_t len = strlen(line);
	size_t need;

	if (c->dead)
		return;
	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len - c->out_off + len + 1;
	if (need > server->max_output) {
		client_close(server, c);
		return;
	}
	if (c->out_off > 0 && c->out_len + len + 1 > c->out_cap) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + len + 1 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *out;

		while (cap < c->out_len + len + 1)
			cap *= 2;
		out = realloc(c->out, cap);
		if (out == NULL) {
			client_close(server, c);
			return;
		}
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
}

static void
client_refuse_large(struct control_server *server, struct client *c)
{
	char *line = jsonrpc_error_response(JSONRPC_INVALID_REQUEST, "request too large");

	if (line != NULL)
		client_queue(server, c, line);
	free(line);
	c->closing = true;
	c->in_len = c->in_scanned = 0;
}

static void
handle_line(struct control_server *server, struct client *c, const char *line, size_t len)
{
	char *resp;

	/* Tolerate CRLF and blank lines from hand-typed sessions (socat, nc). */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	resp = jsonrpc_handle(server->methods, server->n_methods, server->ctx, line, len);
	if (resp != NULL) {
		client_queue(server, c, resp);
		free(resp);
	}
}

/* Runs every complete line in the input buffer, in order. */
static void
client_process(struct control_server *server, struct client *c)
{
	size_t start = 0;

	while (!c->dead && !c->closing) {
		char *nl = memchr(c->in + c->in_scanned, '\n', c->in_len - c->in_scanned);
		size_t len;

		if (nl == NULL) {
			c->in_scanned = c->in_len;
			break;
		}
		len = nl - (c->in + start);
		if (len > server->max_request) {
			client_refuse_large(server, c);
			return;
		}
		handle_line(server, c, c->in + start, len);
		start += len + 1;
		c->in_scanned = start;
	}
	if (c->dead || c->closing)
		return;
	if (c->in_len - start > server->max_request) {
		client_refuse_large(server, c);
		return;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	c->in_scanned -= start;
}

static void
client_read(struct control_server *server, struct client *c)
{
	ssize_t n;

	if (c->in_cap - c->in_len < READ_CHUNK) {
		size_t cap = c->in_len + READ_CHUNK;
		char *in = realloc(c->in, cap);

		if (in == NULL) {
			client_close(server, c);
			return;
		}
		c->in = in;
		c->in_cap = cap;
	}
	n = recv(c->fd, c->in + c->in_len, READ_CHUNK, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_close(server, c);
		return;
	}
	if (n == 0) {
		/* The client shut down its side: it may still wait for answers,
		 * including one to a last line sent without '\n'. */
		client_process(server, c);
		if (!c->dead && !c->closing && c->in_len > 0)
			handle_line(server, c, c->in, c->in_len);
		c->in_len = c->in_scanned = 0;
		c->closing = true;
		return;
	}
	c->in_len += n;
	c->last_active_ms = now_ms();
	client_process(server, c);
}

/* Sends a best-effort refusal and closes: the newest client is the one to go. */
static void
refuse_client(int fd)
{
	char *line = jsonrpc_error_response(JSONRPC_REFUSED, "too many clients");

	if (line != NULL) {
		size_t len = strlen(line);

		line[len] = '\n';
		(void)send(fd, line, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(line);
	}
	close(fd);
}

static int
accept_clients(struct control_server *server)
{
	for (;;) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct client *c;
		int fd = accept4(server->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors or memory: the pending clients wait
			 * until some go away; it is not fatal for the server. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				return 0;
			return -errno;
		}
		if (server->n_clients >= CONTROL_SERVER_MAX_CLIENTS) {
			refuse_client(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			return 0;
		}
		c->fd = fd;
		c->armed = EPOLLIN;
		c->last_active_ms = now_ms();
		ev.data.ptr = c;
		if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = server->clients;
		server->clients = c;
		server->n_clients++;
	}
}

/* Closes idle clients; returns ms until the next one would expire, or -1. */
static int
expire_idle(struct control_server *server)
{
	uint64_t now = now_ms();
	int64_t next = -1;

	for (struct client *c = server->clients; c != NULL; c = c->next) {
		uint64_t deadline = c->last_active_ms + server->idle_ms;

		if (c->dead)
			continue;
		if (deadline <= now) {
			client_close(server, c);
			continue;
		}
		if (next < 0 || (int64_t)(deadline - now) < next)
			next = deadline - now;
	}
	return next > INT_MAX ? INT_MAX : (int)next;
}

int
control_server_poll(struct control_server *server, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int next_expiry, n, rc = 0;

	/* Never sleep past an idle deadline, so a silent client is closed on
	 * time even when the caller waits forever. */
	next_expiry = expire_idle(server);
	reap_clients(server);
	if (next_expiry >= 0 && (timeout_ms < 0 || next_expiry < timeout_ms))
		timeout_ms = next_expiry;

	n = epoll_wait(server->epoll_fd, events, MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;

	for (int i = 0; i < n; i++) {
		struct client *c = events[i].data.ptr;
		uint32_t e = events[i].events;

		if (c == NULL) {
			if (e & (EPOLLERR | EPOLLHUP))
				rc = -EIO;
			else if (rc == 0)
				rc = accept_clients(server);
			continue;
		}
		if (c->dead)
			continue;
		if (e & EPOLLERR) {
			client_close(server, c);
			continue;
		}
		if ((e & EPOLLIN) && !c->closing)
			client_read(server, c);
		else if ((e & EPOLLHUP) && !(e & EPOLLOUT))
			client_close(server, c);
		if (!c->dead)
			client_flush(server, c);
	}
	expire_idle(server);
	reap_clients(server);
	return rc;
}
