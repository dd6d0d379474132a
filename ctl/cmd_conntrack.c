/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsctl's connection tracking commands: conntrack-show, conntrack-flush and
 * conntrack-set. Arguments are checked whole before anything is sent
 * (conntrack_args.c); replies are checked while they are printed (render.c).
 */
#include <errno.h>
#include <stdio.h>

#include "conntrack_args.h"
#include "print.h"
#include "render.h"
#include "reply.h"
#include "vsctl.h"

typedef int (*ct_args_fn)(const char *cmd, int argc, char *const argv[], json_t *params,
			  char *err, size_t err_len);

/* The params for argv, or NULL after printing a usage error. */
static json_t *
params_build(struct vsctl *ctx, ct_args_fn parse, int argc, char *argv[])
{
	json_t *params = json_object();
	char err[768];

	if (params == NULL) {
		vsctl_fail(ctx, "out of memory");
		return NULL;
	}
	if (parse(ctx->cmd->name, argc, argv, params, err, sizeof(err)) < 0) {
		json_decref(params);
		/* err already names the command. */
		fprintf(stderr, "vsctl: %s (see 'vsctl help')\n", err);
		return NULL;
	}
	return params;
}

/* Calls method and prints its result with render; nothing is printed from
 * a reply found malformed. */
static int
call_render(struct vsctl *ctx, const char *method, json_t *params,
	    bool (*render)(struct printer *p, json_t *result, void *arg, struct render_error *err),
	    void *arg)
{
	struct render_error rerr;
	struct printer *p;
	json_t *result;
	int ret;

	if (params == NULL)
		return VSCTL_EXIT_USAGE;
	ret = vsctl_call(ctx, method, params, &result);
	if (ret != 0)
		return ret;
	p = print_create(ctx->json);
	if (p == NULL) {
		json_decref(result);
		return vsctl_fail(ctx, "out of memory");
	}
	if (!render(p, result, arg, &rerr)) {
		print_destroy(p);
		json_decref(result);
		return vsctl_malformed(ctx, rerr.where, rerr.why);
	}
	json_decref(result);
	ret = print_finish(p, stdout);
	print_destroy(p);
	if (ret == -ENOMEM)
		return vsctl_fail(ctx, "out of memory");
	return ret < 0 ? vsctl_fail(ctx, "cannot write the output") : VSCTL_EXIT_OK;
}

static bool
show_render(struct printer *p, json_t *result, void *arg, struct render_error *err)
{
	return render_conntrack(p, result, *(bool *)arg, err);
}

int
cmd_conntrack_show(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params = params_build(ctx, ct_args_select, argc, argv);
	/* Connections of every bridge say which bridge they are on. */
	bool all_bridges = json_object_get(params, "bridge") == NULL;

	return call_render(ctx, "conntrack.show", params, show_render, &all_bridges);
}

/* "br0 zone 5: flushed 3 connections", with what was selected. */
static bool
flush_render(struct printer *p, json_t *result, void *arg, struct render_error *err)
{
	json_t *params = arg, *zone = json_object_get(params, "zone");
	const char *bridge = json_string_value(json_object_get(params, "bridge"));
	json_int_t flushed;
	const struct reply_field fields[] = {{"flushed", REPLY_INT, false, &flushed}};

	if (!reply_get_fields(result, fields, 1, err->why, sizeof(err->why))) {
		snprintf(err->where, sizeof(err->where), "result");
		return false;
	}
	if (bridge != NULL)
		print_string(p, PRINT_TEXT, NULL, zone != NULL ? "%s " : "%s: ", bridge);
	if (zone != NULL)
		print_text(p, "zone %lld: ", (long long)json_integer_value(zone));
	print_int(p, PRINT_ANY, "flushed", "flushed %lld connections\n", flushed);
	return true;
}

int
cmd_conntrack_flush(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params = params_build(ctx, ct_args_select, argc, argv);
	int ret;

	/* The request steals params: keep them for the message. */
	json_incref(params);
	ret = call_render(ctx, "conntrack.flush", params, flush_render, params);
	json_decref(params);
	return ret;
}

static bool
settings_render(struct printer *p, json_t *result, void *arg, struct render_error *err)
{
	return render_conntrack_settings(p, result, err);
}

/* A change prints nothing but with -j, where it prints the settings it led
 * to. The reply is still checked, so that a malformed one is reported. */
static bool
set_render(struct printer *p, json_t *result, void *arg, struct render_error *err)
{
	struct printer *none;
	bool ok;

	if (print_is_json(p))
		return render_conntrack_settings(p, result, err);
	none = print_create(false);
	if (none == NULL) {
		snprintf(err->where, sizeof(err->where), "result");
		snprintf(err->why, sizeof(err->why), "out of memory");
		return false;
	}
	ok = render_conntrack_settings(none, result, err);
	print_destroy(none);
	return ok;
}

/* Without arguments, conntrack.set changes nothing and gives the settings. */
int
cmd_conntrack_set(struct vsctl *ctx, int argc, char *argv[])
{
	if (argc == 0)
		return call_render(ctx, "conntrack.set", json_object(), settings_render, NULL);
	return call_render(ctx, "conntrack.set", params_build(ctx, ct_args_set, argc, argv),
			   set_render, NULL);
}
