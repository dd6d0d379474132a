/* SPDX-License-Identifier: BSD-3-Clause */
/* vsctl commands for NAT networks: add-nat-network, del-nat-network,
 * add-port-forward, del-port-forward, nat-show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "vsctl.h"

static const struct kv_spec nat_add_specs[] = {
	{"subnet", KV_STRING, KV_F_REQUIRED},	   {"gateway", KV_STRING, KV_F_REQUIRED},
	{"uplink", KV_STRING, KV_F_REQUIRED},	   {"external-ip", KV_STRING, KV_F_REQUIRED},
	{"next-hop", KV_STRING, 0},		   {"mac", KV_STRING, 0},
	{"zone", KV_INT, 0},			   {NULL, 0, 0},
};

static const struct kv_spec no_specs[] = {{NULL, 0, 0}};

static const struct kv_spec forward_add_specs[] = {
	{"proto", KV_STRING, KV_F_REQUIRED},
	{"external-port", KV_INT, KV_F_REQUIRED},
	{"to", KV_STRING, KV_F_REQUIRED},
	{NULL, 0, 0},
};

static const struct kv_spec forward_del_specs[] = {
	{"proto", KV_STRING, KV_F_REQUIRED},
	{"external-port", KV_INT, KV_F_REQUIRED},
	{NULL, 0, 0},
};

static int
call_print(struct vsctl *ctx, const char *method, json_t *params, bool print)
{
	json_t *result;
	int ret;

	if (params == NULL)
		return VSCTL_EXIT_USAGE;
	ret = vsctl_call(ctx, method, params, &result);
	if (ret != 0)
		return ret;
	if (print && ctx->json) {
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	}
	json_decref(result);
	return VSCTL_EXIT_OK;
}

/* Every NAT command starts with the bridge, then key=value arguments. */
static json_t *
nat_params(struct vsctl *ctx, const struct kv_spec *specs, int argc, char *argv[])
{
	return vsctl_params_build(ctx, "bridge", "bridge", specs, argc, argv);
}

int
cmd_add_nat_network(struct vsctl *ctx, int argc, char *argv[])
{
	return call_print(ctx, "nat.add", nat_params(ctx, nat_add_specs, argc, argv), true);
}

int
cmd_del_nat_network(struct vsctl *ctx, int argc, char *argv[])
{
	return call_print(ctx, "nat.del", nat_params(ctx, no_specs, 1, argv), false);
}

int
cmd_add_port_forward(struct vsctl *ctx, int argc, char *argv[])
{
	return call_print(ctx, "nat.forward.add", nat_params(ctx, forward_add_specs, argc, argv),
			  true);
}

int
cmd_del_port_forward(struct vsctl *ctx, int argc, char *argv[])
{
	return call_print(ctx, "nat.forward.del", nat_params(ctx, forward_del_specs, argc, argv),
			  false);
}

static const char *
str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "?";
}

static void
print_network(json_t *n)
{
	json_t *x;
	size_t i;

	printf("bridge %s: subnet %s, gateway %s (%s), uplink %s, external-ip %s", str(n, "bridge"),
	       str(n, "subnet"), str(n, "gateway"), str(n, "mac"), str(n, "uplink"),
	       str(n, "external_ip"));
	if (json_object_get(n, "next_hop") != NULL)
		printf(", next-hop %s", str(n, "next_hop"));
	printf(", zone %lld, cookie %#llx\n", (long long)json_integer_value(json_object_get(n, "zone")),
	       (long long)json_integer_value(json_object_get(n, "cookie")));
	json_array_foreach(json_object_get(n, "forwards"), i, x)
		printf("  forward %s %lld -> %s\n", str(x, "proto"),
		       (long long)json_integer_value(json_object_get(x, "external_port")), str(x, "to"));
	json_array_foreach(json_object_get(n, "neighbors"), i, x)
		printf("  neighbor %s is %s on %s\n", str(x, "ip"), str(x, "mac"), str(x, "port"));
	json_array_foreach(json_object_get(n, "resolving"), i, x)
		printf("  resolving %s\n", json_string_value(x) ? json_string_value(x) : "?");
}

int
cmd_nat_show(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params = json_object(), *result, *n;
	size_t i;
	int ret;

	if (argc > 0) {
		if (vsctl_check_name(ctx, "bridge", argv[0]) != 0) {
			json_decref(params);
			return VSCTL_EXIT_USAGE;
		}
		json_object_set_new(params, "bridge", json_string(argv[0]));
	}
	ret = vsctl_call(ctx, "nat.show", params, &result);
	if (ret != 0)
		return ret;
	if (!json_is_array(json_object_get(result, "networks"))) {
		json_decref(result);
		return vsctl_malformed(ctx, "networks", "expected an array");
	}
	if (ctx->json) {
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else {
		json_array_foreach(json_object_get(result, "networks"), i, n)
			print_network(n);
	}
	json_decref(result);
	return VSCTL_EXIT_OK;
}
