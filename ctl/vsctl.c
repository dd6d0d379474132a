/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsctl: command-line client of vswitchd's JSON-RPC control socket
 * (docs/api.md). This file holds option parsing, the command table and
 * dispatch; the handlers live in cmd_config.c, cmd_show.c, cmd_flows.c and
 * cmd_conntrack.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsctl.h"

#ifndef VSCTL_VERSION
#define VSCTL_VERSION "unknown"
#endif

#define VSCTL_DEFAULT_SOCKET "/run/vswitch/vswitchd.sock"
#define VSCTL_DEFAULT_TIMEOUT_MS 10000

static int cmd_help(struct vsctl *ctx, int argc, char *argv[]);

static const struct vsctl_command vsctl_commands[] = {
	{"add-br", 1, 3, "BRIDGE [mac-aging=N] [mac-table-size=N]", "create a bridge",
	 cmd_add_br, 0},
	{"del-br", 1, 1, "BRIDGE", "delete a bridge and all its ports", cmd_del_br, 0},
	{"set-bridge", 1, 3, "BRIDGE [mac-aging=N] [mac-table-size=N]",
	 "change bridge settings (at least one)", cmd_set_bridge, 0},
	{"list-br", 0, 0, "", "list bridge names", cmd_list_br, 0},
	/* No argument limit: kv_parse refuses a key given twice or unknown, more clearly. */
	{"add-port", 2, -1,
	 "BRIDGE PORT type=TYPE [socket=PATH] [iface=IFACE] [devargs=STRING] [mtu=N] [rxq=N] "
	 "[vlan-mode=MODE] [tag=N] [trunks=LIST]",
	 "add a port; TYPE is vhostuser, vhostuser-client, dpdk, afxdp, afpacket or internal; "
	 "MODE is trunk, access, native-untagged, native-tagged or dot1q-tunnel",
	 cmd_add_port, 0},
	{"set-port", 1, -1, "PORT [mtu=N] [vlan-mode=MODE] [tag=[N]] [trunks=[LIST]]",
	 "change port settings (at least one); tag= removes the tag", cmd_set_port, 0},
	{"del-port", 2, 2, "BRIDGE PORT", "delete a port", cmd_del_port, 0},
	{"list-ports", 1, 1, "BRIDGE", "list the ports of a bridge", cmd_list_ports, 0},
	{"attach-info", 1, 1, "PORT", "print the QEMU and libvirt settings to attach a VM",
	 cmd_attach_info, 0},
	{"show", 0, 0, "", "show bridges, ports and PMD queue assignment", cmd_show, 0},
	{"pmd-rxq-show", 0, 0, "", "show which receive queues each PMD thread polls",
	 cmd_pmd_rxq_show, 0},
	{"fdb-show", 1, 1, "BRIDGE", "show the MAC learning table", cmd_fdb_show, 0},
	{"fdb-flush", 1, 1, "BRIDGE", "remove all learned MAC addresses", cmd_fdb_flush, 0},
	{"port-stats", 0, 1, "[PORT]", "show port counters and drops", cmd_port_stats, 0},
	{"add-flow", 2, 2, "BRIDGE RULE",
	 "add a flow rule (it replaces one with the same table, priority and match)", cmd_add_flow,
	 VSCTL_OPTS},
	{"add-flows", 2, 2, "BRIDGE FILE",
	 "add the rules of FILE, one per line (- for stdin), all or none", cmd_add_flows,
	 VSCTL_OPTS},
	{"del-flows", 1, 2, "BRIDGE [FILTER] [--strict]",
	 "delete the rules FILTER covers (every rule without it); --strict: the one rule with "
	 "FILTER's table, priority and match",
	 cmd_del_flows, VSCTL_OPTS | VSCTL_OPT_STRICT},
	{"mod-flows", 2, 2, "BRIDGE RULE [--strict]",
	 "give RULE's actions to the rules its match selects (as del-flows)", cmd_mod_flows,
	 VSCTL_OPTS | VSCTL_OPT_STRICT},
	{"replace-flows", 2, 2, "BRIDGE FILE",
	 "make the rules of FILE the bridge's only rules; unchanged rules keep their counters",
	 cmd_replace_flows, VSCTL_OPTS},
	{"bundle", 2, 2, "BRIDGE FILE",
	 "apply FILE's lines \"[add|del|del-strict|mod|mod-strict] RULE\" in order, all or none",
	 cmd_bundle, VSCTL_OPTS},
	{"dump-flows", 1, 2, "BRIDGE [FILTER]", "show the flow rules (those FILTER covers) and "
	 "their counters", cmd_dump_flows, VSCTL_OPTS},
	{"add-nat-network", 2, -1,
	 "BRIDGE subnet=NET/LEN gateway=IP uplink=PORT external-ip=IP [next-hop=IP] [mac=MAC] "
	 "[zone=N]",
	 "put BRIDGE's other ports on a NAT network behind PORT (rules with cookie 0x6e6174)",
	 cmd_add_nat_network, VSCTL_OPTS | VSCTL_OPT_JSON},
	{"del-nat-network", 1, 1, "BRIDGE", "remove the NAT network and its rules",
	 cmd_del_nat_network, 0},
	{"add-port-forward", 4, 4, "BRIDGE proto=tcp|udp external-port=N to=IP:PORT",
	 "forward a port of the external address to a VM", cmd_add_port_forward, 0},
	{"del-port-forward", 3, 3, "BRIDGE proto=tcp|udp external-port=N", "remove a port forward",
	 cmd_del_port_forward, 0},
	{"nat-show", 0, 1, "[BRIDGE] [-j]", "show NAT networks, forwards and resolved neighbours",
	 cmd_nat_show, VSCTL_OPTS | VSCTL_OPT_JSON},
	{"conntrack-show", 0, 2, "[BRIDGE] [zone=N] [-j]",
	 "show tracked connections, one line each as ovs-appctl dpctl/dump-conntrack, then each "
	 "listed zone's count, limit and refusals, and the counters that are not 0",
	 cmd_conntrack_show, VSCTL_OPTS | VSCTL_OPT_JSON},
	{"conntrack-flush", 0, 2, "[BRIDGE] [zone=N] [-j]",
	 "remove tracked connections (of every bridge and zone unless given)", cmd_conntrack_flush,
	 VSCTL_OPTS | VSCTL_OPT_JSON},
	/* No argument limit: a timeout given twice or unknown is refused more clearly. */
	{"conntrack-set", 0, -1, "[zone=N] [limit=M] [TIMEOUT=SECS ...] [-j]",
	 "set the connection limit of every zone, or with zone=N of that zone (limit=0: back to "
	 "the default), and timeouts: tcp_syn_sent, tcp_syn_recv, tcp_established, tcp_fin_wait, "
	 "tcp_time_wait, tcp_close, udp_first, udp_stream, icmp, other_first, other_stream; "
	 "without arguments print the settings",
	 cmd_conntrack_set, VSCTL_OPTS | VSCTL_OPT_JSON},
	{"call", 1, 2, "METHOD [JSON-PARAMS]", "raw JSON-RPC call; prints the result as JSON",
	 cmd_call, 0},
	{"help", 0, 0, "", "print this help", cmd_help, 0},
};

#define N_COMMANDS (sizeof(vsctl_commands) / sizeof(vsctl_commands[0]))

static void
vsctl_vprint_error(struct vsctl *ctx, const char *suffix, const char *fmt, va_list ap)
{
	fputs("vsctl: ", stderr);
	if (ctx->cmd != NULL)
		fprintf(stderr, "%s: ", ctx->cmd->name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", suffix);
}

int
vsctl_fail(struct vsctl *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsctl_vprint_error(ctx, "", fmt, ap);
	va_end(ap);
	return VSCTL_EXIT_FAILURE;
}

int
vsctl_usage(struct vsctl *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsctl_vprint_error(ctx, " (see 'vsctl help')", fmt, ap);
	va_end(ap);
	return VSCTL_EXIT_USAGE;
}

int
vsctl_check_name(struct vsctl *ctx, const char *what, const char *arg)
{
	if (arg[0] == '\0' || strchr(arg, '=') != NULL)
		return vsctl_usage(ctx, "expected a %s name, got \"%s\"; usage: %s %s", what, arg,
				   ctx->cmd->name, ctx->cmd->usage);
	return 0;
}

int
vsctl_malformed(struct vsctl *ctx, const char *where, const char *why)
{
	return vsctl_fail(ctx, "malformed reply from vswitchd: %s: %s", where, why);
}

static const char *
connect_hint(int err)
{
	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		return " (is vswitchd running?)";
	case EACCES:
	case EPERM:
		return " (is your user in the socket's group?)";
	case ETIMEDOUT:
		return " (vswitchd is not accepting connections)";
	default:
		return "";
	}
}

int
vsctl_call(struct vsctl *ctx, const char *method, json_t *params, json_t **result)
{
	return vsctl_call_fix(ctx, method, params, result, NULL, NULL);
}

int
vsctl_call_fix(struct vsctl *ctx, const char *method, json_t *params, json_t **result,
	       bool (*fix)(const char *msg, char *out, size_t out_len, void *arg), void *arg)
{
	struct rpc_error err;
	char fixed[sizeof(err.message) + 256]; /* room for a FILE:LINE longer than "ops[N]" */
	int ret;

	if (ctx->rpc == NULL) {
		ctx->rpc = rpc_client_connect(ctx->socket_path, ctx->timeout_ms);
		if (ctx->rpc == NULL) {
			int e = errno;
			const struct vsctl_command *cmd = ctx->cmd;

			json_decref(params);
			/* Not the command's fault: no command prefix. */
			ctx->cmd = NULL;
			if (e == ENAMETOOLONG)
				vsctl_fail(ctx, "cannot connect to %s: path longer than 107 bytes",
					   ctx->socket_path);
			else
				vsctl_fail(ctx, "cannot connect to %s: %s%s", ctx->socket_path,
					   strerror(e), connect_hint(e));
			ctx->cmd = cmd;
			return VSCTL_EXIT_FAILURE;
		}
	}
	ret = rpc_client_call(ctx->rpc, method, params, ctx->timeout_ms, result, &err);
	json_decref(params);
	if (ret == 0)
		return VSCTL_EXIT_OK;
	/* `call` is for scripts and debugging: it shows the JSON-RPC code too. */
	if (ret == -EREMOTEIO && strcmp(ctx->cmd->name, "call") == 0)
		return vsctl_fail(ctx, "%s (error %d)", err.message, err.code);
	if (ret == -EREMOTEIO && fix != NULL && fix(err.message, fixed, sizeof(fixed), arg))
		return vsctl_fail(ctx, "%s", fixed);
	return vsctl_fail(ctx, "%s", err.message);
}

/* `vsctl help` wraps at this width, which its widest fixed lines already reach. */
#define HELP_WIDTH 100
/* Column where the description of each command starts. */
#define HELP_COLUMN 40

/*
 * Prints the words of s from column col; a word that would pass HELP_WIDTH
 * starts a new line indented to column indent. Returns the column reached.
 */
static int
help_words(const char *s, int col, int indent)
{
	bool first = true;
	int len;

	for (s += strspn(s, " "); *s != '\0'; s += len + strspn(s + len, " ")) {
		len = (int)strcspn(s, " ");
		if (!first && col + 1 + len > HELP_WIDTH) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", len, s);
		first = false;
	}
	return col;
}

static int
cmd_help(struct vsctl *ctx, int argc, char *argv[])
{
	const struct vsctl_command *c;
	int col;

	printf("Usage: vsctl [OPTIONS] COMMAND [ARG...]\n"
	       "Configure and inspect vswitchd through its control socket.\n\n"
	       "Commands:\n");
	for (c = vsctl_commands; c < vsctl_commands + N_COMMANDS; c++) {
		col = printf("  %s", c->name);
		if (c->usage[0] != '\0') {
			putchar(' ');
			/* A long usage continues under its first argument. */
			col = help_words(c->usage, col + 1, col + 1);
		}
		/* The description needs two spaces before it, else it goes below. */
		if (col + 2 > HELP_COLUMN) {
			putchar('\n');
			col = 0;
		}
		printf("%*s", HELP_COLUMN - col, "");
		help_words(c->help, HELP_COLUMN, HELP_COLUMN);
		putchar('\n');
	}
	printf("\nOptions (before COMMAND):\n"
	       "  --socket PATH       control socket (default $VSCTL_SOCKET, else %s)\n"
	       "  -j, --json          print show commands' results, and flow changes' counts, "
	       "as JSON\n"
	       "                      (the conntrack commands take it after COMMAND too)\n"
	       "  --timeout SECONDS   give up when vswitchd does not answer in time "
	       "(default %d, 0: wait forever)\n"
	       "  -h, --help          print this help\n"
	       "  --version           print the version\n"
	       "\nExit status: 0 on success, 1 when vswitchd refused or could not be reached, "
	       "2 for a bad command line.\n",
	       VSCTL_DEFAULT_SOCKET, VSCTL_DEFAULT_TIMEOUT_MS / 1000);
	return VSCTL_EXIT_OK;
}

static const struct vsctl_command *
vsctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(vsctl_commands[i].name, name) == 0)
			return &vsctl_commands[i];
	return NULL;
}

/* Parses --timeout's SECONDS (fractions allowed). Returns 0 or -EINVAL. */
static int
parse_timeout(const char *s, int *timeout_ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > 86400 * 24)
		return -EINVAL;
	*timeout_ms = (int)ceil(v * 1000);
	return 0;
}

/*
 * Takes the options of ctx->cmd out of argv[0..argc), wherever they are, and
 * packs the operands at the front. Returns how many operands are left, or -1
 * after printing a usage error.
 */
static int
take_options(struct vsctl *ctx, int argc, char *argv[])
{
	const struct vsctl_command *cmd = ctx->cmd;
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		/* A lone "-" is the FILE operand meaning stdin. */
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			argv[n++] = argv[i];
		else if ((cmd->opts & VSCTL_OPT_STRICT) && strcmp(argv[i], "--strict") == 0)
			ctx->strict = true;
		else if ((cmd->opts & VSCTL_OPT_JSON) &&
			 (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0))
			ctx->json = true;
		else
			goto unknown;
	}
	return n;
unknown:
	if (cmd->opts & (VSCTL_OPT_STRICT | VSCTL_OPT_JSON))
		vsctl_usage(ctx, "unknown option \"%s\"; expected %s%s%s", argv[i],
			    cmd->opts & VSCTL_OPT_STRICT ? "--strict" : "",
			    (cmd->opts & VSCTL_OPT_STRICT) && (cmd->opts & VSCTL_OPT_JSON) ? " or "
											  : "",
			    cmd->opts & VSCTL_OPT_JSON ? "-j (--json)" : "");
	else
		vsctl_usage(ctx, "unknown option \"%s\"; %s has no options", argv[i], cmd->name);
	return -1;
}

static int
vsctl_run(struct vsctl *ctx, int argc, char *argv[])
{
	const struct vsctl_command *cmd = vsctl_find(argv[0]);
	int n = argc - 1;

	if (cmd == NULL)
		return vsctl_usage(ctx, "unknown command \"%s\"", argv[0]);
	ctx->cmd = cmd;
	if (cmd->opts & VSCTL_OPTS) {
		n = take_options(ctx, n, argv + 1);
		if (n < 0)
			return VSCTL_EXIT_USAGE;
	}
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args))
		return vsctl_usage(ctx, "%s arguments; usage: %s%s%s",
				   n < cmd->min_args ? "missing" : "too many", cmd->name,
				   cmd->usage[0] ? " " : "", cmd->usage);
	return cmd->handler(ctx, n, argv + 1);
}

int
main(int argc, char *argv[])
{
	enum { OPT_SOCKET = 256, OPT_TIMEOUT, OPT_VERSION };
	static const struct option long_opts[] = {
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct vsctl ctx = {
		.socket_path = VSCTL_DEFAULT_SOCKET,
		.timeout_ms = VSCTL_DEFAULT_TIMEOUT_MS,
	};
	const char *env = getenv("VSCTL_SOCKET");
	int opt, ret;

	if (env != NULL && env[0] != '\0')
		ctx.socket_path = env;
	opterr = 0;
	/* "+": options stop at the command, so its arguments may start with '-'. */
	while ((opt = getopt_long(argc, argv, "+:jh", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SOCKET:
			if (optarg[0] == '\0')
				return vsctl_usage(&ctx, "--socket: empty path");
			ctx.socket_path = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &ctx.timeout_ms) < 0)
				return vsctl_usage(&ctx, "--timeout: \"%s\" is not a number of "
							 "seconds",
						   optarg);
			break;
		case 'h':
			return cmd_help(&ctx, 0, NULL);
		case OPT_VERSION:
			printf("vsctl %s\n", VSCTL_VERSION);
			return VSCTL_EXIT_OK;
		case ':':
			return vsctl_usage(&ctx, "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				return vsctl_usage(&ctx, "unknown option \"-%c\"", optopt);
			return vsctl_usage(&ctx, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return vsctl_usage(&ctx, "missing command");

	ret = vsctl_run(&ctx, argc - optind, argv + optind);
	rpc_client_close(ctx.rpc);
	return ret;
}
