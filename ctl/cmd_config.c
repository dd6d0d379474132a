/* SPDX-License-Identifier: BSD-3-Clause */
/* vsctl commands that change the configuration, and the raw `call`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "print.h"
#include "reply.h"
#include "settings.h"
#include "vsctl.h"

json_t *
vsctl_params_build(struct vsctl *ctx, const char *name_key, const char *what,
	     const struct kv_spec *specs, int argc, char *argv[])
{
	char err[512];
	json_t *params;

	if (vsctl_check_name(ctx, what, argv[0]) != 0)
		return NULL;
	params = json_pack("{s:s}", name_key, argv[0]);
	if (params == NULL) {
		vsctl_fail(ctx, "out of memory");
		return NULL;
	}
	if (kv_parse(ctx->cmd->name, specs, argc - 1, argv + 1, params, err, sizeof(err)) < 0) {
		json_decref(params);
		/* err already names the command. */
		fprintf(stderr, "vsctl: %s (see 'vsctl help')\n", err);
		return NULL;
	}
	return params;
}

/* Calls a method whose result carries nothing to print. */
static int
call_quiet(struct vsctl *ctx, const char *method, json_t *params)
{
	json_t *result;
	int ret;

	if (params == NULL)
		return VSCTL_EXIT_USAGE;
	ret = vsctl_call(ctx, method, params, &result);
	json_decref(result);
	return ret;
}

int
cmd_add_br(struct vsctl *ctx, int argc, char *argv[])
{
	return call_quiet(ctx, "bridge.add",
			  vsctl_params_build(ctx, "name", "bridge", settings_bridge, argc, argv));
}

int
cmd_del_br(struct vsctl *ctx, int argc, char *argv[])
{
	return call_quiet(ctx, "bridge.del",
			  vsctl_params_build(ctx, "name", "bridge", settings_none, 1, argv));
}

/*
 * set-bridge and set-port: NAME and at least one key=value. Nothing to change
 * is refused here rather than sent: it is a forgotten argument, and an empty
 * change could otherwise pass for a successful one.
 */
static int
call_set(struct vsctl *ctx, const char *method, const char *what, const struct kv_spec *specs,
	 int argc, char *argv[])
{
	json_t *params = vsctl_params_build(ctx, "name", what, specs, argc, argv);
	char keys[128];

	if (params != NULL && json_object_size(params) < 2) {
		json_decref(params);
		kv_list_keys(specs, keys, sizeof(keys));
		return vsctl_usage(ctx, "nothing to set; expected at least one of %s", keys);
	}
	return call_quiet(ctx, method, params);
}

int
cmd_set_bridge(struct vsctl *ctx, int argc, char *argv[])
{
	return call_set(ctx, "bridge.set", "bridge", settings_bridge, argc, argv);
}

int
cmd_add_port(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params;

	if (vsctl_check_name(ctx, "bridge", argv[0]) != 0)
		return VSCTL_EXIT_USAGE;
	params = vsctl_params_build(ctx, "name", "port", settings_port_add, argc - 1, argv + 1);
	if (params != NULL && json_object_set_new(params, "bridge", json_string(argv[0])) < 0) {
		json_decref(params);
		return vsctl_fail(ctx, "out of memory");
	}
	return call_quiet(ctx, "port.add", params);
}

int
cmd_set_port(struct vsctl *ctx, int argc, char *argv[])
{
	return call_set(ctx, "port.set", "port", settings_port_set, argc, argv);
}

int
cmd_del_port(struct vsctl *ctx, int argc, char *argv[])
{
	if (vsctl_check_name(ctx, "bridge", argv[0]) != 0 ||
	    vsctl_check_name(ctx, "port", argv[1]) != 0)
		return VSCTL_EXIT_USAGE;
	return call_quiet(ctx, "port.del",
			  json_pack("{s:s, s:s}", "bridge", argv[0], "name", argv[1]));
}

int
cmd_fdb_flush(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params = vsctl_params_build(ctx, "bridge", "bridge", settings_none, 1, argv);
	json_int_t flushed;
	char err[256];
	struct printer *p;
	json_t *result;
	int ret;

	if (params == NULL)
		return VSCTL_EXIT_USAGE;
	ret = vsctl_call(ctx, "fdb.flush", params, &result);
	if (ret != 0)
		return ret;
	if (!reply_get_fields(result,
			      (const struct reply_field[]){{"flushed", REPLY_INT, false, &flushed}},
			      1, err, sizeof(err))) {
		json_decref(result);
		return vsctl_malformed(ctx, "result", err);
	}
	json_decref(result);

	p = print_create(ctx->json);
	if (p == NULL)
		return vsctl_fail(ctx, "out of memory");
	print_string(p, PRINT_TEXT, NULL, "%s: ", argv[0]);
	print_int(p, PRINT_ANY, "flushed", "flushed %lld MAC entries\n", flushed);
	ret = print_finish(p, stdout);
	print_destroy(p);
	return ret < 0 ? vsctl_fail(ctx, "cannot write the output") : VSCTL_EXIT_OK;
}

int
cmd_call(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params = NULL, *result;
	json_error_t jerr;
	char *out;
	int ret;

	if (argc > 1) {
		params = json_loads(argv[1], JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (params == NULL)
			return vsctl_usage(ctx, "JSON-PARAMS: %s (column %d)", jerr.text,
					   jerr.column);
	}
	ret = vsctl_call(ctx, argv[0], params, &result);
	if (ret != 0)
		return ret;
	out = json_dumps(result, JSON_INDENT(2) | JSON_ENCODE_ANY);
	json_decref(result);
	if (out == NULL)
		return vsctl_fail(ctx, "out of memory");
	printf("%s\n", out);
	free(out);
	return fflush(stdout) == 0 ? VSCTL_EXIT_OK : vsctl_fail(ctx, "cannot write the output");
}
