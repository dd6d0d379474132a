/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TESTS_HARNESS_H
#define VSWITCH_TESTS_HARNESS_H

/*
 * Runs vswitchd for an integration test and talks to it, through vsctl and
 * through raw JSON-RPC on its socket.
 *
 * The paths of the binaries come from the environment, set by meson:
 * VSWITCHD and VSCTL. Each switch gets a fresh temp dir holding its socket,
 * database and logs, and a file prefix unique to the test process.
 *
 * Cleanup: every switch started is remembered. harness_init() registers an
 * atexit handler and SIGTERM/SIGINT/SIGALRM handlers (meson's timeout sends
 * SIGTERM) that kill what is still running, by PID, and remove its temp dir
 * and hugepage files. The daemon also gets SIGKILL when the test process dies
 * (PR_SET_PDEATHSIG), so a crashed test leaves no switch burning a core.
 * cmocka teardowns should still call it_switch_destroy().
 *
 * Not thread safe: one thread drives the harness (test_port_churn's churn
 * thread uses only it_rpc_call, which is safe with its own connection).
 */

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#define IT_PATH_MAX 108 /* sun_path */

struct it_switch {
	pid_t pid;		/* 0 when not running */
	char dir[64];		/* temp dir, removed by it_switch_destroy */
	char sock[IT_PATH_MAX]; /* control socket */
	char db[IT_PATH_MAX];
	char log[IT_PATH_MAX]; /* --log-file */
	char out[IT_PATH_MAX]; /* stdout and stderr of vswitchd */
	char prefix[32];       /* EAL --file-prefix */
	int last_status;       /* wait status of the last stop */
	unsigned starts;
};

/* The result of one vsctl run. */
struct it_result {
	int status;   /* exit code, or 128 + signal when killed */
	json_t *json; /* parsed stdout when it was JSON, else NULL */
	char *out;    /* stdout, NUL-terminated */
	char *err;    /* stderr, NUL-terminated */
};

/*
 * Reads VSWITCHD and VSCTL from the environment and installs the cleanup
 * handlers. Returns 0, or -ENOENT when a binary is missing (the test should
 * then exit 77, "skipped").
 */
int harness_init(void);
const char *harness_vsctl(void);

/*
 * Creates the temp dir (first call only), then starts vswitchd with
 * --no-default-bridge and waits up to 20 s until `vsctl show` answers.
 * Extra arguments for vswitchd (before any "--") may be given in argv
 * (NULL-terminated, may be NULL). Returns 0, -ETIMEDOUT, or -ECHILD when the
 * daemon exited during start (its log is printed to stderr).
 */
int it_switch_start(struct it_switch *sw, const char *const *argv);
/* SIGTERM, wait up to 5 s, then SIGKILL. Returns the wait status (0 = clean exit). */
int it_switch_stop(struct it_switch *sw);
/* Stop, then start on the same db. Returns what it_switch_start returns. */
int it_switch_restart(struct it_switch *sw);
/* Stops (if running), removes the temp dir and the prefix's hugepage files. */
void it_switch_destroy(struct it_switch *sw);
/* Prints the last lines of the daemon's output, for a failing test. */
void it_switch_dump_log(const struct it_switch *sw);
/* A path inside the switch's temp dir (static buffer rotated over 8 calls). */
const char *it_switch_path(const struct it_switch *sw, const char *name);

/*
 * Runs `vsctl --socket SOCK [-j] ARGS...` (args NULL-terminated), waits up to
 * 10 s. Fills res (free with it_result_free). Returns res->status.
 */
int it_vsctl(const struct it_switch *sw, struct it_result *res, bool json, ...)
    __attribute__((sentinel));
/* Same with an argv array, and without adding --socket when sock is NULL. */
int it_vsctl_argv(const char *sock, struct it_result *res, bool json, const char *const *args);
void it_result_free(struct it_result *res);
/* `vsctl -j ARGS...` that must succeed: returns the JSON (new reference) or NULL. */
json_t *it_vsctl_json(const struct it_switch *sw, ...) __attribute__((sentinel));

/* Configuration helpers over JSON-RPC (the protocol is the contract). 0 or the error code. */
int it_add_bridge(const struct it_switch *sw, const char *name);
int it_add_port(const struct it_switch *sw, const char *bridge, const char *name, const char *type,
		const char *socket);
int it_del_port(const struct it_switch *sw, const char *bridge, const char *name);

/*
 * The stored configuration as `vsctl -j show` reports it, reduced to what must
 * survive a restart: {"bridges": [{"name", "mac_aging", "mac_table_size",
 * "ports": [{"name", "type", "socket"}]}]}, in show's order. Compare with
 * json_equal(). NULL when show failed. New reference.
 */
json_t *it_show_config(const struct it_switch *sw);
/* The port object from `show` for a port name, or NULL. New reference. */
json_t *it_show_port(const struct it_switch *sw, const char *port);
/* Waits (bounded) until `show` reports the port's link as state ("up"/"down"). 0 or -ETIMEDOUT. */
int it_wait_port_link(const struct it_switch *sw, const char *port, const char *state,
		      unsigned timeout_ms);
/*
 * Polls `vsctl -j fdb-show BR` until an entry for mac (text form) on port
 * exists. 0 or -ETIMEDOUT.
 */
int it_wait_fdb_entry(const struct it_switch *sw, const char *bridge, const char *mac,
		      const char *port, unsigned timeout_ms);
/* The stats object of a port from `vsctl -j port-stats NAME`, or NULL. New reference. */
json_t *it_port_stats(const struct it_switch *sw, const char *port);
/* A counter from a port-stats object: "rx_packets" or "drops.runt". -1 when absent. */
long long it_stat(const json_t *stats, const char *key);

/* Milliseconds of CLOCK_MONOTONIC. */
unsigned long long it_now_ms(void);
void it_sleep_ms(unsigned ms);

#endif
