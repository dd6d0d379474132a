/* SPDX-License-Identifier: BSD-3-Clause */
/* vswitchd: EAL start-up, the control loop, and a clean shutdown. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "control_server.h"
#include "datapath/datapath.h"
#include "rpc_conntrack.h"
#include "rpc_flows.h"
#include "rpc_methods.h"
#include "rpc_nat.h"
#include "telemetry.h"

#define DEFAULT_SOCKET "/run/vswitch/vswitchd.sock"
#define DEFAULT_DB "/var/lib/vswitch/conf.db"
#define DEFAULT_PMD_CORES "1"
#define DEFAULT_FILE_PREFIX "vswitchd"
#define CONTROL_POLL_MS 2
#define MAX_EAL_ARGS 64

struct options {
	const char *socket;
	const char *db;
	const char *pmd_cores;
	const char *file_prefix;
	const char *log_file;
	const char *socket_group;
	bool no_default_bridge;
	int n_extra;
	char **extra; /* EAL arguments after "--" */
};

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	stop_requested = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vswitchd [OPTIONS] [-- EAL-ARGS]\n"
		"  --socket PATH        control socket (default " DEFAULT_SOCKET ")\n"
		"  --socket-group NAME  group allowed to use the control socket (mode 0660)\n"
		"  --db PATH            configuration store (default " DEFAULT_DB ")\n"
		"  --pmd-cores LIST     cores for PMD threads, e.g. 1 or 1,2-3 (default " DEFAULT_PMD_CORES ");\n"
		"                       core 0 runs the control thread\n"
		"  --file-prefix NAME   DPDK file prefix (default " DEFAULT_FILE_PREFIX ")\n"
		"  --log-file PATH      append logs there instead of stderr\n"
		"  --no-default-bridge  on a new store, do not create br0 and its port vm0\n"
		"  -h, --help           this text\n");
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"socket-group", required_argument, NULL, 'g'},
		{"db", required_argument, NULL, 'd'},
		{"pmd-cores", required_argument, NULL, 'p'},
		{"file-prefix", required_argument, NULL, 'f'},
		{"log-file", required_argument, NULL, 'l'},
		{"no-default-bridge", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){
		.socket = DEFAULT_SOCKET,
		.db = DEFAULT_DB,
		.pmd_cores = DEFAULT_PMD_CORES,
		.file_prefix = DEFAULT_FILE_PREFIX,
	};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'g': o->socket_group = optarg; break;
		case 'd': o->db = optarg; break;
		case 'p': o->pmd_cores = optarg; break;
		case 'f': o->file_prefix = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'n': o->no_default_bridge = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	o->n_extra = argc - optind;
	o->extra = argv + optind;
	return 0;
}

/* Parses "1,3-4" into lcore ids. Returns the count, or -1 with a message. */
static int
parse_cores(const char *list, unsigned int *cores, int max)
{
	const char *s = list;
	int n = 0;

	while (*s != '\0') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			goto bad;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				goto bad;
		}
		for (unsigned long c = a; c <= b; c++) {
			if (n == max || c == 0 || c >= RTE_MAX_LCORE) {
				fprintf(stderr, "vswitchd: --pmd-cores %s: core %lu is not usable "
						"(core 0 runs the control thread; at most %d PMD cores)\n",
					list, c, max);
				return -1;
			}
			cores[n++] = (unsigned int)c;
		}
		if (*end == ',')
			end++;
		else if (*end != '\0')
			goto bad;
		s = end;
	}
	if (n > 0)
		return n;
bad:
	fprintf(stderr, "vswitchd: --pmd-cores \"%s\": expected a list like 1 or 1,2-3\n", list);
	return -1;
}

static int
eal_start(const struct options *o, const unsigned int *cores, int n_cores, const char *prog)
{
	char lcores[256], prefix[128];
	char *args[MAX_EAL_ARGS];
	int n = 0, len;

	len = snprintf(lcores, sizeof(lcores), "0");
	for (int i = 0; i < n_cores; i++)
		len += snprintf(lcores + len, sizeof(lcores) - (size_t)len, ",%u", cores[i]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", o->file_prefix);
	args[n++] = (char *)prog;
	args[n++] = "-l";
	args[n++] = lcores;
	args[n++] = "--main-lcore=0";
	args[n++] = prefix;
	/* Hugepage files vanish when the process does, even on SIGKILL. */
	args[n++] = "--huge-unlink";
	/* PCI NICs are probed when a dpdk port names one, not at start: an
	 * allow-list with an address no machine has keeps EAL from taking every
	 * NIC bound to vfio-pci, and rte_dev_probe() still adds the ones asked for. */
	args[n++] = "-a";
	args[n++] = "0000:00:00.0";
	for (int i = 0; i < o->n_extra && n < MAX_EAL_ARGS - 1; i++)
		args[n++] = o->extra[i];
	args[n] = NULL;
	if (rte_eal_init(n, args) < 0) {
		fprintf(stderr,
			"vswitchd: DPDK EAL initialisation failed: %s\n"
			"  hugepages: echo 2048 > /proc/sys/vm/nr_hugepages; "
			"mount -t hugetlbfs none /dev/hugepages\n"
			"  another vswitchd with --file-prefix %s may be running\n",
			rte_strerror(rte_errno), o->file_prefix);
		return -1;
	}
	return 0;
}

static int
open_log(const char *path)
{
	FILE *f;

	if (path == NULL)
		return 0;
	f = fopen(path, "a");
	if (f == NULL) {
		fprintf(stderr, "vswitchd: cannot open log file %s: %s\n", path, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f);
}

static struct control_server *
start_server(const struct options *o, struct vswitch *vs)
{
	struct control_server_params p = {
		.path = o->socket,
		.mode = 0660,
		.gid = (gid_t)-1,
		.methods = rpc_methods,
		.n_methods = rpc_n_methods,
		.ctx = vs,
	};
	struct control_server *srv;

	if (o->socket_group != NULL) {
		struct group *g = getgrnam(o->socket_group);

		if (g == NULL) {
			fprintf(stderr, "vswitchd: --socket-group %s: no such group\n", o->socket_group);
			return NULL;
		}
		p.gid = g->gr_gid;
	}
	srv = control_server_create(&p);
	if (srv == NULL)
		fprintf(stderr, "vswitchd: cannot serve %s: %s%s\n", o->socket, strerror(errno),
			errno == EADDRINUSE ? " (another vswitchd is running there)" : "");
	return srv;
}

static int
load_config(struct vswitch *vs, bool created, bool no_default)
{
	struct jsonrpc_error err;
	json_t *config;
	int failed;

	if (created && !no_default) {
		if (rpc_create_default(vs, &err) < 0) {
			fprintf(stderr, "vswitchd: cannot create the default bridge: %s\n",
				err.message);
			return -1;
		}
		printf("vswitchd: new configuration store: created bridge br0 with port vm0\n");
		return 0;
	}
	config = config_store_load(vs->store);
	if (config == NULL) {
		fprintf(stderr, "vswitchd: cannot read the configuration: %s\n",
			config_store_errmsg(vs->store));
		return -1;
	}
	failed = rpc_restore(vs, config);
	if (failed > 0)
		fprintf(stderr, "vswitchd: %d stored item(s) could not be applied (see the log); "
				"they stay stored\n", failed);
	json_decref(config);
	return 0;
}

static void
control_loop(struct control_server *srv, struct vswitch *vs)
{
	uint64_t last_expire = 0;

	while (!stop_requested) {
		int rc = control_server_poll(srv, CONTROL_POLL_MS);

		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "vswitchd: control socket failed: %s\n", strerror(-rc));
			break;
		}
		pthread_mutex_lock(&vs->lock);
		bridge_run(vs->bridges);
		rpc_nat_run(vs);
		/* Once a second: a timeout is in whole seconds, and each pass reads
		 * every rule's counters. */
		if (bridge_flows_now() - last_expire >= 1000) {
			last_expire = bridge_flows_now();
			rpc_flows_expire(vs);
			bridge_conntrack_sweep(vs->bridges);
		}
		pthread_mutex_unlock(&vs->lock);
	}
}

int
main(int argc, char **argv)
{
	struct datapath_params dpp = {0};
	struct vswitch vs = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct control_server *srv = NULL;
	struct datapath *dp = NULL;
	struct options o;
	const char *errmsg = NULL;
	bool created = false;
	int n_cores, rc = EXIT_FAILURE;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	n_cores = parse_cores(o.pmd_cores, dpp.pmd_lcores, DP_MAX_PMDS);
	if (n_cores < 0)
		return 2;
	dpp.n_pmds = (unsigned int)n_cores;
	signal(SIGPIPE, SIG_IGN);

	/* The store first: a bad --db fails before hugepages are touched. */
	vs.store = config_store_open(o.db, &created, &errmsg);
	if (vs.store == NULL) {
		fprintf(stderr, "vswitchd: cannot open the configuration store %s: %s\n", o.db,
			errmsg ? errmsg : strerror(errno));
		return EXIT_FAILURE;
	}
	if (open_log(o.log_file) < 0 || eal_start(&o, dpp.pmd_lcores, n_cores, argv[0]) < 0) {
		config_store_close(vs.store);
		return EXIT_FAILURE;
	}
	dp = datapath_create(&dpp);
	if (dp == NULL) {
		fprintf(stderr, "vswitchd: cannot create the datapath: %s\n", strerror(errno));
		goto out;
	}
	vs.bridges = bridge_set_create(dp);
	if (vs.bridges == NULL || datapath_start(dp) < 0) {
		fprintf(stderr, "vswitchd: cannot start the PMD threads\n");
		goto out;
	}
	if (load_config(&vs, created, o.no_default_bridge) < 0)
		goto out;
	if (telemetry_init(&vs) < 0)
		fprintf(stderr, "vswitchd: telemetry commands unavailable\n");
	srv = start_server(&o, &vs);
	if (srv == NULL)
		goto out;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("vswitchd: ready; control socket %s, configuration %s, PMD cores %s\n", o.socket,
	       o.db, o.pmd_cores);
	fflush(stdout);
	control_loop(srv, &vs);
	rc = EXIT_SUCCESS;
	printf("vswitchd: shutting down\n");
out:
	control_server_destroy(srv);
	if (dp != NULL)
		datapath_stop(dp);
	pthread_mutex_lock(&vs.lock);
	bridge_set_destroy(vs.bridges);
	vs.bridges = NULL;
	rpc_conntrack_fini(&vs);
	rpc_nat_fini(&vs);
	pthread_mutex_unlock(&vs.lock);
	datapath_destroy(dp);
	config_store_close(vs.store);
	rte_eal_cleanup();
	return rc;
}
