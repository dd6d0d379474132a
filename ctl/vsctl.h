/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_VSCTL_H
#define VSCTL_VSCTL_H

/*
 * Shared between vsctl's dispatcher (vsctl.c) and its command handlers
 * (cmd_config.c, cmd_show.c, cmd_flows.c, cmd_conntrack.c). Handlers return an exit status
 * and have printed the one-line error by then.
 */

#include <stdbool.h>
#include <jansson.h>

#include "rpc_client.h"

#define VSCTL_EXIT_OK 0
#define VSCTL_EXIT_FAILURE 1 /* vswitchd refused, or could not be reached */
#define VSCTL_EXIT_USAGE 2   /* bad command line */

struct vsctl_command;

/* One invocation. */
struct vsctl {
	const char *socket_path;
	int timeout_ms; /* 0: wait forever */
	bool json;	/* -j: JSON output */
	bool strict;	/* --strict, for commands with VSCTL_OPT_STRICT */
	const struct vsctl_command *cmd;
	struct rpc_client *rpc; /* connected on the first call */
};

/*
 * vsctl_command.opts. A command with VSCTL_OPTS takes options anywhere after
 * its name: the dispatcher removes them before counting the arguments, and
 * refuses the ones the command does not have. Without it every argument is an
 * operand, so `call` can pass JSON such as "-1".
 */
#define VSCTL_OPTS (1u << 0)	   /* an argument starting with '-' is an option ("-" is not) */
#define VSCTL_OPT_STRICT (1u << 1) /* --strict sets ctx->strict */
#define VSCTL_OPT_JSON (1u << 2)   /* -j and --json after the command too */

/* One line of the command table; `vsctl help` is generated from it. */
struct vsctl_command {
	const char *name;
	int min_args;
	int max_args;	   /* -1: no limit; options are not counted */
	const char *usage; /* the arguments, e.g. "BRIDGE [mac-aging=N]" */
	const char *help;  /* what it does, a few words */
	int (*handler)(struct vsctl *ctx, int argc, char *argv[]);
	unsigned int opts; /* VSCTL_OPT* */
};

/* Prints "vsctl: CMD: MESSAGE" and returns VSCTL_EXIT_FAILURE. */
int vsctl_fail(struct vsctl *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "vsctl: CMD: MESSAGE (see 'vsctl help')" and returns VSCTL_EXIT_USAGE. */
int vsctl_usage(struct vsctl *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Checks that arg can be a bridge or port name (what: "bridge", "port"):
 * a key=value in its place means the name was forgotten. Returns 0 or
 * VSCTL_EXIT_USAGE after printing why.
 */
int vsctl_check_name(struct vsctl *ctx, const char *what, const char *arg);

/*
 * Calls method with params (stolen; NULL for none), connecting on first use.
 * Returns 0 with *result set (a new reference), or an exit status after
 * printing the error.
 */
int vsctl_call(struct vsctl *ctx, const char *method, json_t *params, json_t **result);

/*
 * vsctl_call() that lets the caller reword vswitchd's error message before it
 * is printed: fix writes the new message to out and returns true, or returns
 * false to keep the message as it is. Flow files use it to turn "ops[3]: ..."
 * into "FILE:LINE: ...".
 */
int vsctl_call_fix(struct vsctl *ctx, const char *method, json_t *params, json_t **result,
		   bool (*fix)(const char *msg, char *out, size_t out_len, void *arg), void *arg);

/*
 * Builds params from name_key=argv[0] (a name: what says of what) and the
 * key=value arguments after it, as specs allow (kv.h). Returns the params
 * (new reference) or NULL after printing a usage error.
 */
struct kv_spec;
json_t *vsctl_params_build(struct vsctl *ctx, const char *name_key, const char *what,
			   const struct kv_spec *specs, int argc, char *argv[]);

/* Prints the reply-validation error "malformed reply from vswitchd: WHERE: WHY". */
int vsctl_malformed(struct vsctl *ctx, const char *where, const char *why);

/* Command handlers: configuration (cmd_config.c). */
int cmd_add_br(struct vsctl *ctx, int argc, char *argv[]);
int cmd_del_br(struct vsctl *ctx, int argc, char *argv[]);
int cmd_set_bridge(struct vsctl *ctx, int argc, char *argv[]);
int cmd_add_port(struct vsctl *ctx, int argc, char *argv[]);
int cmd_set_port(struct vsctl *ctx, int argc, char *argv[]);
int cmd_del_port(struct vsctl *ctx, int argc, char *argv[]);
int cmd_fdb_flush(struct vsctl *ctx, int argc, char *argv[]);
int cmd_call(struct vsctl *ctx, int argc, char *argv[]);

/* Command handlers: state (cmd_show.c). */
int cmd_show(struct vsctl *ctx, int argc, char *argv[]);
int cmd_pmd_rxq_show(struct vsctl *ctx, int argc, char *argv[]);
int cmd_list_br(struct vsctl *ctx, int argc, char *argv[]);
int cmd_list_ports(struct vsctl *ctx, int argc, char *argv[]);
int cmd_fdb_show(struct vsctl *ctx, int argc, char *argv[]);
int cmd_port_stats(struct vsctl *ctx, int argc, char *argv[]);
int cmd_attach_info(struct vsctl *ctx, int argc, char *argv[]);

/* Command handlers: flow rules (cmd_flows.c). */
int cmd_add_flow(struct vsctl *ctx, int argc, char *argv[]);
int cmd_add_flows(struct vsctl *ctx, int argc, char *argv[]);
int cmd_del_flows(struct vsctl *ctx, int argc, char *argv[]);
int cmd_mod_flows(struct vsctl *ctx, int argc, char *argv[]);
int cmd_replace_flows(struct vsctl *ctx, int argc, char *argv[]);
int cmd_bundle(struct vsctl *ctx, int argc, char *argv[]);
int cmd_dump_flows(struct vsctl *ctx, int argc, char *argv[]);

/* Command handlers: connection tracking (cmd_conntrack.c). */
int cmd_conntrack_show(struct vsctl *ctx, int argc, char *argv[]);
int cmd_conntrack_flush(struct vsctl *ctx, int argc, char *argv[]);
int cmd_conntrack_set(struct vsctl *ctx, int argc, char *argv[]);
/* Command handlers: NAT networks (cmd_nat.c). */
int cmd_add_nat_network(struct vsctl *ctx, int argc, char *argv[]);
int cmd_del_nat_network(struct vsctl *ctx, int argc, char *argv[]);
int cmd_add_port_forward(struct vsctl *ctx, int argc, char *argv[]);
int cmd_del_port_forward(struct vsctl *ctx, int argc, char *argv[]);
int cmd_nat_show(struct vsctl *ctx, int argc, char *argv[]);

#endif
