/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vswitch/control_server.h"

/*
 * The server runs in the test thread: every client helper below drives it
 * with control_server_poll() while it waits, so no step can deadlock.
 */

struct fixture {
	char dir[64];
	char path[128];
	struct control_server *server;
	int calls;
};

struct client {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static int
echo(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct fixture *f = ctx;

	f->calls++;
	*result = json_deep_copy(params);
	return 0;
}

static const struct jsonrpc_method methods[] = {
	{"echo", echo},
};

static struct control_server *
start_server(struct fixture *f, unsigned idle_ms)
{
	struct control_server_params params = {
		.path = f->path,
		.mode = 0660,
		.gid = (gid_t)-1,
		.methods = methods,
		.n_methods = 1,
		.ctx = f,
		.idle_ms = idle_ms,
		/* Limits the tests cross, smaller than the defaults. */
		.max_request = 1u << 20,
		.max_output = 4u << 20,
	};

	return control_server_create(&params);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_control_server.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* A directory that does not exist yet: the server creates it. */
	snprintf(f->path, sizeof(f->path), "%s/run/vswitchd.sock", f->dir);
	*state = f;
	return 0;
}

static int
setup_server(void **state)
{
	struct fixture *f;

	if (setup(state) < 0)
		return -1;
	f = *state;
	f->server = start_server(f, 0);
	return f->server != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	control_server_destroy(f->server);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static struct client *
client_new(struct fixture *f)
{
	struct client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = raw_connect(f->path);
	assert_true(c->fd >= 0);
	assert_int_equal(control_server_poll(f->server, 0), 0);
	return c;
}

static void
client_free(struct client *c)
{
	close(c->fd);
	free(c);
}

/* Sends everything, serving the server while the socket is full.
 * Returns 0, or -errno once the server has closed the connection. */
static int
client_send(struct fixture *f, struct client *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN)
				return -errno;
			assert_int_equal(control_server_poll(f->server, 10), 0);
			continue;
		}
		data += n;
		len -= n;
	}
	return 0;
}

static void
client_send_str(struct fixture *f, struct client *c, const char *s)
{
	assert_int_equal(client_send(f, c, s, strlen(s)), 0);
}

/* Reads one line (without '\n') into line. Returns 1, 0 on EOF, or -errno
 * (-ETIMEDOUT when nothing came for a second). */
static int
client_read_line(struct fixture *f, struct client *c, char *line, size_t size)
{
	uint64_t deadline = now_ms() + 1000;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl != NULL) {
			size_t len = nl - c->buf;

			assert_true(len < size);
			memcpy(line, c->buf, len);
			line[len] = '\0';
			memmove(c->buf, nl + 1, c->len - len - 1);
			c->len -= len + 1;
			return 1;
		}
		assert_true(c->len < sizeof(c->buf));
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
		if (n > 0) {
			c->len += n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno != EAGAIN)
			return -errno;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		assert_int_equal(control_server_poll(f->server, 10), 0);
	}
}

static void
expect_line(struct fixture *f, struct client *c, const char *expected)
{
	char line[1024];

	assert_int_equal(client_read_line(f, c, line, sizeof(line)), 1);
	assert_string_equal(line, expected);
}

/* The server closed: EOF, or a reset when it left our data unread. */
static void
expect_closed(struct fixture *f, struct client *c)
{
	char line[1024];
	int rc = client_read_line(f, c, line, sizeof(line));

	assert_true(rc == 0 || rc == -ECONNRESET);
}

static void
expect_nothing(struct fixture *f, struct client *c)
{
	char b;

	for (int i = 0; i < 5; i++)
		assert_int_equal(control_server_poll(f->server, 2), 0);
	assert_int_equal(recv(c->fd, &b, 1, MSG_DONTWAIT | MSG_PEEK), -1);
	assert_int_equal(errno, EAGAIN);
}

#define REQ(id)                                                                                    \
	"{\"jsonrpc\":\"2.0\",\"id\":" #id ",\"method\":\"echo\",\"params\":{\"n\":" #id "}}"
#define RESP(id) "{\"jsonrpc\":\"2.0\",\"id\":" #id ",\"result\":{\"n\":" #id "}}"

static void
roundtrip(struct fixture *f, struct client *c)
{
	client_send_str(f, c, REQ(42) "\n");
	expect_line(f, c, RESP(42));
}

static void
test_request_response(void **state)
{
	struct fixture *f = *state;
	struct client *c = client_new(f);

	roundtrip(f, c);
	client_send_str(f, c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}\n");
	expect_line(f, c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,"
			  "\"message\":\"unknown method \\\"nope\\\"; expected one of echo\"}}");
	client_send_str(f, c, "{oops\r\n");
	expect_line(f, c, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
			  "\"message\":\"parse error at line 1, column 5: string or '}' expected "
			  "near 'oops'\"}}");
	/* Blank lines are skipped, not answered. */
	client_send_str(f, c, "\n\r\n" REQ(2) "\n");
	expect_line(f, c, RESP(2));
	client_free(c);
}

static void
test_pipelined(void **state)
{
	struct fixture *f = *state;
	struct client *c = client_new(f);

	/* Two calls and a notification in one write: answers in request order. */
	client_send_str(f, c, REQ(1) "\n{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}\n" REQ(2) "\n");
	expect_line(f, c, RESP(1));
	expect_line(f, c, RESP(2));
	expect_nothing(f, c);
	assert_int_equal(f->calls, 3);
	client_free(c);
}

static void
test_split_request(void **state)
{
	struct fixture *f = *state;
	struct client *c = client_new(f);
	const char req[] = REQ(1) "\n" REQ(2) "\n";
	size_t cut[] = {0, 1, 10, 30, sizeof(REQ(1)) - 1, sizeof(REQ(1)) + 5, sizeof(req) - 1};

	for (size_t i = 0; i + 1 < sizeof(cut) / sizeof(cut[0]); i++) {
		client_send(f, c, req + cut[i], cut[i + 1] - cut[i]);
		if (cut[i + 1] < sizeof(REQ(1)))
			expect_nothing(f, c);
	}
	expect_line(f, c, RESP(1));
	expect_line(f, c, RESP(2));
	client_free(c);
}

static void
test_last_line_at_eof(void **state)
{
	struct fixture *f = *state;
	struct client *c = client_new(f);

	/* A client may end its last request with shutdown() instead of '\n'. */
	client_send_str(f, c, REQ(1) "\n" REQ(2));
	assert_int_equal(shutdown(c->fd, SHUT_WR), 0);
	expect_line(f, c, RESP(1));
	expect_line(f, c, RESP(2));
	expect_closed(f, c);
	client_free(c);
}

static void
test_too_large(void **state)
{
	struct fixture *f = *state;
	struct client *big = client_new(f);
	struct client *other = client_new(f);
	size_t len = 2u << 20;
	char *req = malloc(len);
	const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
			    "\"params\":{\"s\":\"";
	int rc;

	assert_non_null(req);
	memset(req, 'a', len);
	memcpy(req, head, sizeof(head) - 1);
	memcpy(req + len - 4, "\"}}\n", 4);
	rc = client_send(f, big, req, len);
	/* The server stops reading past its limit (1 MiB here) and closes. */
	assert_true(rc == -EPIPE || rc == -ECONNRESET);
	expect_line(f, big, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
			    "\"message\":\"request too large\"}}");
	expect_closed(f, big);
	assert_int_equal(f->calls, 0);

	roundtrip(f, other);
	client_free(big);
	client_free(other);
	free(req);
}

static void
test_limit_is_per_line(void **state)
{
	struct fixture *f = *state;
	struct client *c = client_new(f);
	size_t len = 300 * 1024;
	char *req = malloc(len);
	const char head[] = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"s\":\"";

	/* Seven notifications of 300 KiB (2.1 MiB in all) are fine: only one
	 * line may not exceed the limit. */
	assert_non_null(req);
	memset(req, 'a', len);
	memcpy(req, head, sizeof(head) - 1);
	memcpy(req + len - 4, "\"}}\n", 4);
	for (int i = 0; i < 7; i++)
		assert_int_equal(client_send(f, c, req, len), 0);
	roundtrip(f, c);
	assert_int_equal(f->calls, 8);
	client_free(c);
	free(req);
}

static void
test_silent_client(void **state)
{
	struct fixture *f = *state;
	struct client *silent = client_new(f);
	struct client *partial = client_new(f);
	struct client *other = client_new(f);

	client_send_str(f, partial, "{\"jsonrpc\":\"2.0\",\"id\":1,");
	roundtrip(f, other);
	roundtrip(f, other);
	client_free(silent);
	client_free(partial);
	client_free(other);
}

static void
test_idle_timeout(void **state)
{
	struct fixture *f = *state;
	struct client *idle, *busy;
	uint64_t start;
	struct pollfd pfd;

	f->server = start_server(f, 200);
	assert_non_null(f->server);
	idle = client_new(f);
	busy = client_new(f);
	client_send_str(f, idle, "{\"jsonrpc\":");

	/* The server must not sleep past the deadline even when told to wait forever. */
	start = now_ms();
	pfd = (struct pollfd){.fd = idle->fd, .events = POLLIN};
	while (poll(&pfd, 1, 0) == 0 && now_ms() - start < 2000) {
		assert_int_equal(control_server_poll(f->server, 100), 0);
		roundtrip(f, busy);
	}
	assert_true(now_ms() - start >= 200);
	assert_true(now_ms() - start < 1000);
	expect_closed(f, idle);
	roundtrip(f, busy);
	client_free(idle);
	client_free(busy);
}

static void
test_idle_wakeup(void **state)
{
	struct fixture *f = *state;
	struct client *idle;
	uint64_t start;

	f->server = start_server(f, 100);
	assert_non_null(f->server);
	idle = client_new(f);
	start = now_ms();
	/* An infinite wait returns when the idle client is due. */
	assert_int_equal(control_server_poll(f->server, -1), 0);
	assert_int_equal(control_server_poll(f->server, 0), 0);
	assert_true(now_ms() - start < 1000);
	expect_closed(f, idle);
	client_free(idle);
}

static void
test_client_never_reads(void **state)
{
	struct fixture *f = *state;
	struct client *hog = client_new(f);
	struct client *other = client_new(f);
	size_t len = 64 * 1024;
	char *req = malloc(len);
	const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\","
			    "\"params\":{\"s\":\"";
	struct pollfd pfd = {.events = POLLRDHUP};
	int rc = 0, i;

	assert_non_null(req);
	memset(req, 'a', len);
	memcpy(req, head, sizeof(head) - 1);
	memcpy(req + len - 4, "\"}}\n", 4);
	/* 64 KiB requests echoed back: 200 of them would queue 12.5 MiB. */
	for (i = 0; i < 200 && rc == 0; i++) {
		rc = client_send(f, hog, req, len);
		if (i == 20)
			roundtrip(f, other);
	}
	assert_true(rc == -EPIPE || rc == -ECONNRESET);
	assert_true(i < 200);
	pfd.fd = hog->fd;
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & (POLLRDHUP | POLLHUP));
	roundtrip(f, other);
	client_free(hog);
	client_free(other);
	free(req);
}

static void
test_max_clients(void **state)
{
	struct fixture *f = *state;
	struct client *c[CONTROL_SERVER_MAX_CLIENTS + 1];

	for (int i = 0; i <= CONTROL_SERVER_MAX_CLIENTS; i++)
		c[i] = client_new(f);
	expect_line(f, c[CONTROL_SERVER_MAX_CLIENTS],
		    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
		    "\"message\":\"too many clients\"}}");
	expect_closed(f, c[CONTROL_SERVER_MAX_CLIENTS]);
	roundtrip(f, c[0]);
	roundtrip(f, c[CONTROL_SERVER_MAX_CLIENTS - 1]);

	/* A slot freed is a slot for the next client. */
	client_free(c[0]);
	client_free(c[CONTROL_SERVER_MAX_CLIENTS]);
	assert_int_equal(control_server_poll(f->server, 0), 0);
	c[0] = client_new(f);
	roundtrip(f, c[0]);
	for (int i = 0; i < CONTROL_SERVER_MAX_CLIENTS; i++)
		client_free(c[i]);
}

static void
test_stale_socket(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct client *c;
	int fd;

	/* What a crashed vswitchd leaves behind: a socket file nobody listens on. */
	snprintf(f->path, sizeof(f->path), "%s/vswitchd.sock", f->dir);
	strcpy(addr.sun_path, f->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);

	f->server = start_server(f, 0);
	assert_non_null(f->server);
	c = client_new(f);
	roundtrip(f, c);
	client_free(c);
}

static void
test_live_socket(void **state)
{
	struct fixture *f = *state;
	struct control_server *second;
	struct client *c;
	struct stat st;

	errno = 0;
	second = start_server(f, 0);
	assert_null(second);
	assert_int_equal(errno, EADDRINUSE);
	/* The first server keeps its socket and keeps serving. */
	assert_int_equal(stat(f->path, &st), 0);
	c = client_new(f);
	roundtrip(f, c);
	client_free(c);
}

static void
test_not_a_socket(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("keep me", fp);
	fclose(fp);
	assert_null(start_server(f, 0));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 7);
}

static void
test_mode_and_cleanup(void **state)
{
	struct fixture *f = *state;
	struct control_server_params params = {
		.path = f->path, .mode = 0660, .gid = 1, .methods = methods, .n_methods = 1,
	};
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	control_server_destroy(f->server);
	f->server = NULL;
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);

	/* The group, when asked for (needs the right to chown). */
	if (geteuid() == 0) {
		f->server = control_server_create(&params);
		assert_non_null(f->server);
		assert_int_equal(stat(f->path, &st), 0);
		assert_int_equal(st.st_gid, 1);
	}
}

static void
test_bad_params(void **state)
{
	struct control_server_params params = {
		.path = "/tmp/this/path/is/far/too/long/for/a/unix/socket/address/because/"
			"sun_path/holds/only/one/hundred/and/eight/bytes.sock",
		.mode = 0660,
		.gid = (gid_t)-1,
	};

	assert_null(control_server_create(&params));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_null(control_server_create(NULL));
	assert_int_equal(errno, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_response, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_split_request, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_last_line_at_eof, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_limit_is_per_line, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_silent_client, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_never_reads, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_socket, setup_server, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_and_cleanup, setup_server, teardown),
		cmocka_unit_test(test_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
