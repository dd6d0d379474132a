/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake vswitchd for vsctl's tests: it records the one request vsctl sends
 * and answers it with a canned reply, while vsctl runs as a child process.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_fake.h"

char fake_dir[] = "/tmp/vsctl-test-XXXXXX";

int
fake_setup(void **state)
{
	return mkdtemp(fake_dir) != NULL ? 0 : -1;
}

int
fake_teardown(void **state)
{
	char cmd[64 + sizeof(fake_dir)];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_dir);
	return system(cmd) == 0 ? 0 : -1;
}

void
fake_path(char *path, const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", fake_dir, name);
}

void
fake_write(const char *name, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	fake_path(path, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

char *
fake_read(const char *name)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f, *out = open_memstream(&buf, &len);
	int c;

	fake_path(path, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((c = getc(f)) != EOF)
		putc(c, out);
	fclose(f);
	fclose(out);
	return buf;
}

/* Reads one request line from fd, answers it with reply and returns it. */
static json_t *
fake_serve(int fd, const char *reply)
{
	char buf[65536], *answer;
	size_t used = 0;
	json_t *req;
	ssize_t n;

	while (used == 0 || buf[used - 1] != '\n') {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		assert_int_equal(poll(&pfd, 1, 10000), 1);
		n = read(fd, buf + used, sizeof(buf) - used);
		assert_true(n > 0);
		used += n;
		assert_true(used < sizeof(buf));
	}
	req = json_loadb(buf, used, 0, NULL);
	assert_non_null(req);
	assert_true(json_is_integer(json_object_get(req, "id")));
	assert_true(asprintf(&answer, "{\"jsonrpc\": \"2.0\", \"id\": %lld, %s}\n",
			     (long long)json_integer_value(json_object_get(req, "id")), reply) > 0);
	assert_int_equal(write(fd, answer, strlen(answer)), (ssize_t)strlen(answer));
	free(answer);
	return req;
}

void
fake_run(struct fake_run *r, const char *reply, const char *stdin_text, ...)
{
	char sock[PATH_MAX], in_path[PATH_MAX], out_path[PATH_MAX], err_path[PATH_MAX];
	char *argv[16] = {"vsctl", "--socket", sock, "--timeout", "5"};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int n = 5, lfd, cfd, status, i;
	bool exited = false;
	va_list ap;
	pid_t pid;

	va_start(ap, stdin_text);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		assert_true(++n < 16);
	va_end(ap);
	fake_path(sock, "sock");
	fake_path(in_path, "stdin");
	fake_path(out_path, "stdout");
	fake_path(err_path, "stderr");
	fake_write("stdin", stdin_text != NULL ? stdin_text : "",
		   stdin_text != NULL ? strlen(stdin_text) : 0);
	unlink(sock);
	assert_true(strlen(sock) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(fake_dir) < 0 || freopen(in_path, "r", stdin) == NULL ||
		    freopen(out_path, "w", stdout) == NULL ||
		    freopen(err_path, "w", stderr) == NULL)
			_exit(126);
		execv(VSCTL_BIN, argv);
		_exit(127);
	}

	/* Serve one request, unless vsctl gives up before connecting. */
	memset(r, 0, sizeof(*r));
	for (i = 0; i < 200 && !exited; i++) {
		struct pollfd pfd = {.fd = lfd, .events = POLLIN};

		if (poll(&pfd, 1, 50) == 1) {
			cfd = accept(lfd, NULL, NULL);
			assert_true(cfd >= 0);
			r->request = fake_serve(cfd, reply);
			close(cfd);
			break;
		}
		exited = waitpid(pid, &status, WNOHANG) == pid;
	}
	assert_true(exited || r->request != NULL);
	if (!exited)
		assert_int_equal(waitpid(pid, &status, 0), pid);
	close(lfd);
	assert_true(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
	r->out = fake_read("stdout");
	r->err = fake_read("stderr");
}

void
fake_done(struct fake_run *r)
{
	free(r->out);
	free(r->err);
	json_decref(r->request);
}

void
assert_request(const struct fake_run *r, const char *method, const char *params)
{
	json_t *expected = json_loads(params, JSON_DECODE_ANY, NULL);
	json_t *got;

	assert_non_null(expected);
	assert_non_null(r->request);
	assert_string_equal(json_string_value(json_object_get(r->request, "method")), method);
	got = json_object_get(r->request, "params");
	if (!json_equal(got, expected)) {
		char *s = json_dumps(got, JSON_ENCODE_ANY);

		print_error("params: %s\nexpected: %s\n", s, params);
		free(s);
		fail();
	}
	json_decref(expected);
}

void
assert_json_out(const struct fake_run *r, const char *json)
{
	json_t *expected = json_loads(json, 0, NULL), *got = json_loads(r->out, 0, NULL);

	assert_non_null(expected);
	assert_non_null(got);
	assert_true(json_equal(got, expected));
	json_decref(expected);
	json_decref(got);
}
