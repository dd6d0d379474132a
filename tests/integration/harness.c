/* SPDX-License-Identifier: BSD-3-Clause */
/* Starting, stopping and talking to vswitchd in integration tests; see harness.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "it_rpc.h"

#define IT_MAX_SWITCHES 8
#define IT_MAX_ARGS 48
#define IT_READY_TIMEOUT_MS 20000
#define IT_STOP_TIMEOUT_MS 5000
#define IT_VSCTL_TIMEOUT_MS 10000
#define IT_HUGEPAGE_DIR "/dev/hugepages"
#define IT_RUNTIME_DIR "/var/run/dpdk"

static const char *vswitchd_bin;
static const char *vsctl_bin;
/* Every switch started and not yet destroyed, for the exit and signal handlers. */
static struct it_switch *volatile live[IT_MAX_SWITCHES];
static unsigned n_prefixes;

unsigned long long
it_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
it_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Removes the hugepage files and the runtime dir the EAL made for prefix. */
static void
remove_prefix_files(const char *prefix)
{
	char path[512], start[64];
	struct dirent *de;
	DIR *d;

	if (prefix[0] == '\0')
		return;
	snprintf(start, sizeof(start), "%smap_", prefix);
	d = opendir(IT_HUGEPAGE_DIR);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, start, strlen(start)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", IT_HUGEPAGE_DIR, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/%s", IT_RUNTIME_DIR, prefix);
	d = opendir(path);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char file[768];

			if (de->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			unlink(file);
		}
		closedir(d);
		rmdir(path);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void
remove_tree(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Kills whatever is still running and removes its files. Used at exit and on fatal signals. */
static void
cleanup_all(bool hard)
{
	unsigned i;

	for (i = 0; i < IT_MAX_SWITCHES; i++) {
		struct it_switch *sw = live[i];

		if (sw == NULL)
			continue;
		if (sw->pid > 0) {
			if (hard) {
				kill(sw->pid, SIGKILL);
				waitpid(sw->pid, NULL, 0);
				sw->pid = 0;
			} else {
				it_switch_stop(sw);
			}
		}
		remove_tree(sw->dir);
		remove_prefix_files(sw->prefix);
		live[i] = NULL;
	}
}

static void
cleanup_at_exit(void)
{
	cleanup_all(false);
}

static void
cleanup_on_signal(int sig)
{
	/* Not strictly async-signal-safe (opendir), but the process is going away anyway. */
	cleanup_all(true);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
harness_init(void)
{
	struct sigaction sa;
	int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};
	unsigned i;

	vswitchd_bin = getenv("VSWITCHD");
	vsctl_bin = getenv("VSCTL");
	if (vswitchd_bin == NULL || vsctl_bin == NULL || access(vswitchd_bin, X_OK) < 0 ||
	    access(vsctl_bin, X_OK) < 0) {
		fprintf(stderr, "harness: VSWITCHD and VSCTL must name the built binaries\n");
		return -ENOENT;
	}
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup_at_exit);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cleanup_on_signal;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	return 0;
}

const char *
harness_vsctl(void)
{
	return vsctl_bin;
}

const char *
it_switch_path(const struct it_switch *sw, const char *name)
{
	static char bufs[8][IT_PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, IT_PATH_MAX, "%s/%s", sw->dir, name);
	return b;
}

static void
track(struct it_switch *sw)
{
	unsigned i;

	for (i = 0; i < IT_MAX_SWITCHES; i++)
		if (live[i] == sw)
			return;
	for (i = 0; i < IT_MAX_SWITCHES; i++)
		if (live[i] == NULL) {
			live[i] = sw;
			return;
		}
}

static void
untrack(struct it_switch *sw)
{
	unsigned i;

	for (i = 0; i < IT_MAX_SWITCHES; i++)
		if (live[i] == sw)
			live[i] = NULL;
}

static int
switch_prepare(struct it_switch *sw)
{
	char tmpl[] = "/tmp/vsit.XXXXXX";

	if (sw->dir[0] != '\0')
		return 0;
	if (mkdtemp(tmpl) == NULL)
		return -errno;
	snprintf(sw->dir, sizeof(sw->dir), "%s", tmpl);
	snprintf(sw->sock, sizeof(sw->sock), "%s/vswitchd.sock", sw->dir);
	snprintf(sw->db, sizeof(sw->db), "%s/conf.db", sw->dir);
	snprintf(sw->log, sizeof(sw->log), "%s/vswitchd.log", sw->dir);
	snprintf(sw->out, sizeof(sw->out), "%s/vswitchd.out", sw->dir);
	snprintf(sw->prefix, sizeof(sw->prefix), "it%d_%u", (int)getpid(), n_prefixes++);
	track(sw);
	return 0;
}

static pid_t
switch_spawn(struct it_switch *sw, const char *const *extra)
{
	const char *argv[IT_MAX_ARGS];
	pid_t parent = getpid();
	unsigned n = 0;
	pid_t pid;
	int fd;

	argv[n++] = vswitchd_bin;
	argv[n++] = "--socket";
	argv[n++] = sw->sock;
	argv[n++] = "--db";
	argv[n++] = sw->db;
	argv[n++] = "--file-prefix";
	argv[n++] = sw->prefix;
	argv[n++] = "--log-file";
	argv[n++] = sw->log;
	argv[n++] = "--no-default-bridge";
	while (extra != NULL && *extra != NULL && n < IT_MAX_ARGS - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;

	pid = fork();
	if (pid != 0)
		return pid;
	/* Child: make sure the switch dies with the test, even when the test is killed. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	fd = open(sw->out, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int
it_switch_start(struct it_switch *sw, const char *const *argv)
{
	unsigned long long deadline;
	struct it_result res;
	int ret, status;

	ret = switch_prepare(sw);
	if (ret < 0)
		return ret;
	if (sw->pid > 0)
		return -EBUSY;
	sw->pid = switch_spawn(sw, argv);
	if (sw->pid < 0) {
		sw->pid = 0;
		return -errno;
	}
	sw->starts++;
	deadline = it_now_ms() + IT_READY_TIMEOUT_MS;
	for (;;) {
		if (waitpid(sw->pid, &status, WNOHANG) == sw->pid) {
			sw->pid = 0;
			sw->last_status = status;
			fprintf(stderr, "harness: vswitchd exited during start (status 0x%x)\n",
				status);
			it_switch_dump_log(sw);
			return -ECHILD;
		}
		ret = it_vsctl(sw, &res, false, "show", NULL);
		it_result_free(&res);
		if (ret == 0)
			return 0;
		if (it_now_ms() >= deadline) {
			fprintf(stderr, "harness: vswitchd not ready after %u ms\n",
				IT_READY_TIMEOUT_MS);
			it_switch_dump_log(sw);
			return -ETIMEDOUT;
		}
		it_sleep_ms(50);
	}
}

int
it_switch_stop(struct it_switch *sw)
{
	unsigned long long deadline;
	int status = 0;

	if (sw->pid <= 0)
		return sw->last_status;
	kill(sw->pid, SIGTERM);
	deadline = it_now_ms() + IT_STOP_TIMEOUT_MS;
	for (;;) {
		pid_t r = waitpid(sw->pid, &status, WNOHANG);

		if (r == sw->pid || (r < 0 && errno == ECHILD))
			break;
		if (it_now_ms() >= deadline) {
			fprintf(stderr, "harness: vswitchd %d ignored SIGTERM for %u ms, killing\n",
				(int)sw->pid, IT_STOP_TIMEOUT_MS);
			kill(sw->pid, SIGKILL);
			waitpid(sw->pid, &status, 0);
			break;
		}
		it_sleep_ms(10);
	}
	sw->pid = 0;
	sw->last_status = status;
	return status;
}

int
it_switch_restart(struct it_switch *sw)
{
	it_switch_stop(sw);
	return it_switch_start(sw, NULL);
}

void
it_switch_destroy(struct it_switch *sw)
{
	if (sw->dir[0] == '\0')
		return;
	it_switch_stop(sw);
	remove_tree(sw->dir);
	remove_prefix_files(sw->prefix);
	untrack(sw);
	memset(sw, 0, sizeof(*sw));
}

void
it_switch_dump_log(const struct it_switch *sw)
{
	const char *files[] = {sw->out, sw->log};
	unsigned i;

	for (i = 0; i < 2; i++) {
		char line[512];
		long size;
		FILE *f = fopen(files[i], "r");

		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		/* The last few KiB are what explains a failure. */
		fseek(f, size > 4096 ? size - 4096 : 0, SEEK_SET);
		fprintf(stderr, "---- %s (tail) ----\n", files[i]);
		while (fgets(line, sizeof(line), f) != NULL)
			fputs(line, stderr);
		fclose(f);
	}
}

/* Reads from both pipes until both are closed or the deadline passes. */
static int
collect_output(int out_fd, int err_fd, char **out, char **err, unsigned long long deadline)
{
	int fds[2] = {out_fd, err_fd};
	char *bufs[2] = {NULL, NULL};
	size_t lens[2] = {0, 0}, caps[2] = {0, 0};
	int open_fds = 2, ret = 0;

	while (open_fds > 0) {
		struct pollfd pfd[2];
		int n = 0, i, timeout = (int)(deadline - it_now_ms());

		if ((long long)(deadline - it_now_ms()) <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		for (i = 0; i < 2; i++)
			if (fds[i] >= 0) {
				pfd[n].fd = fds[i];
				pfd[n].events = POLLIN;
				n++;
			}
		if (poll(pfd, n, timeout) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			int k = pfd[i].fd == fds[0] ? 0 : 1;
			ssize_t r;

			if (pfd[i].revents == 0)
				continue;
			if (caps[k] - lens[k] < 4096) {
				caps[k] = caps[k] ? caps[k] * 2 : 8192;
				bufs[k] = realloc(bufs[k], caps[k]);
			}
			r = read(fds[k], bufs[k] + lens[k], caps[k] - lens[k] - 1);
			if (r > 0) {
				lens[k] += r;
			} else if (r == 0 || errno != EINTR) {
				close(fds[k]);
				fds[k] = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (bufs[i] == NULL)
			bufs[i] = calloc(1, 1);
		else
			bufs[i][lens[i]] = '\0';
	}
	*out = bufs[0];
	*err = bufs[1];
	return ret;
}

int
it_vsctl_argv(const char *sock, struct it_result *res, bool json, const char *const *args)
{
	const char *argv[IT_MAX_ARGS];
	int out_pipe[2], err_pipe[2];
	unsigned n = 0;
	int status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	argv[n++] = vsctl_bin;
	if (sock != NULL) {
		argv[n++] = "--socket";
		argv[n++] = sock;
	}
	if (json)
		argv[n++] = "-j";
	while (args != NULL && *args != NULL && n < IT_MAX_ARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;

	if (pipe2(out_pipe, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (pid < 0) {
		close(out_pipe[0]);
		close(err_pipe[0]);
		return -1;
	}
	if (collect_output(out_pipe[0], err_pipe[0], &res->out, &res->err,
			   it_now_ms() + IT_VSCTL_TIMEOUT_MS) < 0) {
		fprintf(stderr, "harness: vsctl %s timed out\n", args && args[0] ? args[0] : "");
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else
		res->status = 128 + WTERMSIG(status);
	if (res->out[0] != '\0')
		res->json = json_loads(res->out, JSON_DECODE_ANY, NULL);
	return res->status;
}

static unsigned
collect_args(const char **args, va_list ap)
{
	unsigned n = 0;
	const char *a;

	while ((a = va_arg(ap, const char *)) != NULL && n < IT_MAX_ARGS - 8)
		args[n++] = a;
	args[n] = NULL;
	return n;
}

int
it_vsctl(const struct it_switch *sw, struct it_result *res, bool json, ...)
{
	const char *args[IT_MAX_ARGS];
	va_list ap;

	va_start(ap, json);
	collect_args(args, ap);
	va_end(ap);
	return it_vsctl_argv(sw->sock, res, json, args);
}

void
it_result_free(struct it_result *res)
{
	json_decref(res->json);
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

json_t *
it_vsctl_json(const struct it_switch *sw, ...)
{
	const char *args[IT_MAX_ARGS];
	struct it_result res;
	json_t *json = NULL;
	va_list ap;

	va_start(ap, sw);
	collect_args(args, ap);
	va_end(ap);
	it_vsctl_argv(sw->sock, &res, true, args);
	if (res.status == 0 && res.json != NULL)
		json = json_incref(res.json);
	else
		fprintf(stderr,
			"harness: vsctl -j %s failed: status %d, stderr: %s, stdout: %.200s\n",
			args[0], res.status, res.err, res.out);
	it_result_free(&res);
	return json;
}

/* ---- configuration and queries ---- */

static int
rpc_checked(const struct it_switch *sw, const char *method, json_t *params)
{
	char msg[512];
	int ret = it_rpc_call(sw->sock, method, params, NULL, msg, sizeof(msg));

	if (ret != 0)
		fprintf(stderr, "harness: %s failed: %d %s\n", method, ret, msg);
	return ret;
}

int
it_add_bridge(const struct it_switch *sw, const char *name)
{
	return rpc_checked(sw, "bridge.add", json_pack("{s:s}", "name", name));
}

int
it_add_port(const struct it_switch *sw, const char *bridge, const char *name, const char *type,
	    const char *socket)
{
	return rpc_checked(sw, "port.add",
			   json_pack("{s:s, s:s, s:s, s:s}", "bridge", bridge, "name", name, "type",
				     type, "socket", socket));
}

int
it_del_port(const struct it_switch *sw, const char *bridge, const char *name)
{
	return rpc_checked(sw, "port.del", json_pack("{s:s, s:s}", "bridge", bridge, "name", name));
}

static json_t *
copy_members(const json_t *from, const char *const *keys)
{
	json_t *to = json_object();

	for (; *keys != NULL; keys++) {
		json_t *v = json_object_get(from, *keys);

		/* A missing member stays missing, so json_equal notices it. */
		if (v != NULL)
			json_object_set(to, *keys, v);
	}
	return to;
}

json_t *
it_show_config(const struct it_switch *sw)
{
	static const char *const bridge_keys[] = {"name", "mac_aging", "mac_table_size", NULL};
	static const char *const port_keys[] = {"name", "type", "socket", NULL};
	json_t *show = it_vsctl_json(sw, "show", NULL);
	json_t *bridges, *bridge, *port, *out;
	size_t i, j;

	if (show == NULL)
		return NULL;
	bridges = json_array();
	json_array_foreach(json_object_get(show, "bridges"), i, bridge)
	{
		json_t *b = copy_members(bridge, bridge_keys);
		json_t *ports = json_array();

		json_array_foreach(json_object_get(bridge, "ports"), j, port)
		    json_array_append_new(ports, copy_members(port, port_keys));
		json_object_set_new(b, "ports", ports);
		json_array_append_new(bridges, b);
	}
	out = json_pack("{s:o}", "bridges", bridges);
	json_decref(show);
	return out;
}

json_t *
it_show_port(const struct it_switch *sw, const char *port)
{
	json_t *show = it_vsctl_json(sw, "show", NULL);
	json_t *bridge, *p, *found = NULL;
	size_t i, j;

	if (show == NULL)
		return NULL;
	json_array_foreach(json_object_get(show, "bridges"), i, bridge)
	{
		json_array_foreach(json_object_get(bridge, "ports"), j, p)
		{
			const char *name = json_string_value(json_object_get(p, "name"));

			if (found == NULL && name != NULL && strcmp(name, port) == 0)
				found = json_incref(p);
		}
	}
	json_decref(show);
	return found;
}

int
it_wait_port_link(const struct it_switch *sw, const char *port, const char *state,
		  unsigned timeout_ms)
{
	unsigned long long deadline = it_now_ms() + timeout_ms;

	for (;;) {
		json_t *p = it_show_port(sw, port);
		const char *link = json_string_value(json_object_get(p, "link"));
		bool ok = link != NULL && strcmp(link, state) == 0;

		json_decref(p);
		if (ok)
			return 0;
		if (it_now_ms() >= deadline)
			return -ETIMEDOUT;
		it_sleep_ms(20);
	}
}

int
it_wait_fdb_entry(const struct it_switch *sw, const char *bridge, const char *mac, const char *port,
		  unsigned timeout_ms)
{
	unsigned long long deadline = it_now_ms() + timeout_ms;

	for (;;) {
		json_t *fdb = it_vsctl_json(sw, "fdb-show", bridge, NULL);
		json_t *e;
		bool ok = false;
		size_t i;

		json_array_foreach(json_object_get(fdb, "entries"), i, e)
		{
			const char *m = json_string_value(json_object_get(e, "mac"));
			const char *p = json_string_value(json_object_get(e, "port"));

			if (m != NULL && p != NULL && strcasecmp(m, mac) == 0 &&
			    strcmp(p, port) == 0)
				ok = true;
		}
		json_decref(fdb);
		if (ok)
			return 0;
		if (it_now_ms() >= deadline)
			return -ETIMEDOUT;
		it_sleep_ms(5);
	}
}

json_t *
it_port_stats(const struct it_switch *sw, const char *port)
{
	json_t *all = it_vsctl_json(sw, "port-stats", port, NULL);
	json_t *p, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(all, "ports"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));

		if (found == NULL && name != NULL && strcmp(name, port) == 0)
			found = json_incref(p);
	}
	json_decref(all);
	return found;
}

long long
it_stat(const json_t *stats, const char *key)
{
	const char *dot = strchr(key, '.');
	json_t *v;

	if (stats == NULL)
		return -1;
	if (dot != NULL) {
		char outer[64];

		snprintf(outer, sizeof(outer), "%.*s", (int)(dot - key), key);
		v = json_object_get(json_object_get(stats, outer), dot + 1);
	} else {
		v = json_object_get(stats, key);
	}
	return json_is_integer(v) ? json_integer_value(v) : -1;
}
