/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsctl commands for flow rules (docs/api.md, "Flow rules"). Rules go to
 * vswitchd as text: it parses them and says where one is wrong, so vsctl and
 * the daemon cannot disagree on the syntax. Each command is one request, so
 * it applies whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "render.h"
#include "reply.h"
#include "rule_file.h"
#include "vsctl.h"

/* added, removed, modified: what every flow change returns. */
#define N_COUNTS 3

/*
 * Prints the counts a flow change returns: all of them as JSON; in text only
 * the one named by verb ("deleted", with key "removed"), and nothing when verb
 * is NULL. Takes result.
 */
static int
print_counts(struct vsctl *ctx, const char *bridge, json_t *result, const char *key,
	     const char *verb)
{
	json_int_t counts[N_COUNTS];
	const struct reply_field fields[] = {
		{"added", REPLY_INT, false, &counts[0]},
		{"removed", REPLY_INT, false, &counts[1]},
		{"modified", REPLY_INT, false, &counts[2]},
	};
	struct printer *p;
	char err[256];
	size_t i;
	int ret;

	if (!reply_get_fields(result, fields, N_COUNTS, err, sizeof(err))) {
		json_decref(result);
		return vsctl_malformed(ctx, "result", err);
	}
	json_decref(result);
	if (!ctx->json && verb == NULL)
		return VSCTL_EXIT_OK;

	p = print_create(ctx->json);
	if (p == NULL)
		return vsctl_fail(ctx, "out of memory");
	for (i = 0; i < N_COUNTS; i++) {
		print_int(p, PRINT_JSON, fields[i].key, NULL, counts[i]);
		if (verb != NULL && strcmp(fields[i].key, key) == 0)
			print_text(p, "%s: %s %lld rule%s\n", bridge, verb, (long long)counts[i],
				   counts[i] == 1 ? "" : "s");
	}
	ret = print_finish(p, stdout);
	print_destroy(p);
	if (ret == -ENOMEM)
		return vsctl_fail(ctx, "out of memory");
	return ret < 0 ? vsctl_fail(ctx, "cannot write the output") : VSCTL_EXIT_OK;
}

/*
 * Checks the BRIDGE argument, and the RULE or FILTER argument (what) when
 * given: JSON carries only UTF-8, and without this check an invalid byte would
 * surface as a failure to build the request. Returns 0 or VSCTL_EXIT_USAGE.
 */
static int
check_args(struct vsctl *ctx, const char *bridge, const char *what, const char *text)
{
	if (vsctl_check_name(ctx, "bridge", bridge) != 0)
		return VSCTL_EXIT_USAGE;
	if (!rule_file_is_utf8(bridge))
		return vsctl_usage(ctx, "BRIDGE is not valid UTF-8");
	if (text != NULL && !rule_file_is_utf8(text))
		return vsctl_usage(ctx, "%s is not valid UTF-8", what);
	return 0;
}

/* A request of one rule or filter (key: "rule" or "filter"): flow.add, flow.del, flow.mod. */
static int
call_one(struct vsctl *ctx, const char *method, const char *bridge, const char *key,
	 const char *text, const char *count_key, const char *verb)
{
	json_t *params, *result;
	int ret;

	if (check_args(ctx, bridge, strcmp(key, "rule") == 0 ? "RULE" : "FILTER", text) != 0)
		return VSCTL_EXIT_USAGE;
	/* "s*" and "o*" leave the member out when it is NULL. */
	params = json_pack("{s:s, s:s*, s:o*}", "bridge", bridge, key, text, "strict",
			   ctx->strict ? json_true() : NULL);
	if (params == NULL)
		return vsctl_fail(ctx, "out of memory");
	ret = vsctl_call(ctx, method, params, &result);
	return ret != 0 ? ret : print_counts(ctx, bridge, result, count_key, verb);
}

int
cmd_add_flow(struct vsctl *ctx, int argc, char *argv[])
{
	return call_one(ctx, "flow.add", argv[0], "rule", argv[1], NULL, NULL);
}

int
cmd_del_flows(struct vsctl *ctx, int argc, char *argv[])
{
	return call_one(ctx, "flow.del", argv[0], "filter", argc > 1 ? argv[1] : NULL, "removed",
			"deleted");
}

int
cmd_mod_flows(struct vsctl *ctx, int argc, char *argv[])
{
	return call_one(ctx, "flow.mod", argv[0], "rule", argv[1], "modified", "modified");
}

/* What a request built from a rule file calls its elements in errors. */
struct file_errors {
	const struct rule_file *rf;
	const char *array; /* "ops" or "rules" */
};

static bool
fix_file_error(const char *msg, char *out, size_t out_len, void *arg)
{
	const struct file_errors *fe = arg;

	return rule_file_fix_error(fe->rf, fe->array, msg, out, out_len);
}

/* Reads argv[1] into rf after checking the bridge name argv[0]. Returns 0 or an exit status. */
static int
read_rules(struct vsctl *ctx, char *argv[], struct rule_file *rf)
{
	char err[512];

	if (check_args(ctx, argv[0], NULL, NULL) != 0)
		return VSCTL_EXIT_USAGE;
	if (rule_file_read(rf, argv[1], err, sizeof(err)) < 0)
		return vsctl_fail(ctx, "%s", err);
	return 0;
}

/* Sends params (stolen; NULL when building them failed) made from rf, errors mapped to lines. */
static int
call_file(struct vsctl *ctx, const char *method, const char *bridge, json_t *params,
	  struct rule_file *rf, const char *array)
{
	struct file_errors fe = {.rf = rf, .array = array};
	json_t *result;
	int ret;

	if (params == NULL) {
		rule_file_fini(rf);
		return vsctl_fail(ctx, "out of memory");
	}
	ret = vsctl_call_fix(ctx, method, params, &result, fix_file_error, &fe);
	rule_file_fini(rf);
	return ret != 0 ? ret : print_counts(ctx, bridge, result, NULL, NULL);
}

/*
 * Builds {"bridge": bridge, array: [...]} with one element per rule of rf:
 * the rule text itself, or {"op": op, "rule": text} when op is not NULL.
 */
static json_t *
file_params(const char *bridge, const char *array, const struct rule_file *rf, const char *op)
{
	json_t *params = json_pack("{s:s, s:[]}", "bridge", bridge, array);
	json_t *list = json_object_get(params, array);
	size_t i;

	for (i = 0; params != NULL && i < rf->n; i++) {
		const char *text = rf->lines[i].text;
		json_t *v = op == NULL ? json_string(text)
				       : json_pack("{s:s, s:s}", "op", op, "rule", text);

		if (json_array_append_new(list, v) < 0) {
			json_decref(params);
			params = NULL;
		}
	}
	return params;
}

int
cmd_add_flows(struct vsctl *ctx, int argc, char *argv[])
{
	struct rule_file rf;
	int ret = read_rules(ctx, argv, &rf);

	if (ret != 0)
		return ret;
	/* Unlike replace-flows, nothing to add is surely the wrong file. */
	if (rf.n == 0)
		return vsctl_fail(ctx, "no rules in %s", rf.name);
	return call_file(ctx, "flow.bundle", argv[0], file_params(argv[0], "ops", &rf, "add"), &rf,
			 "ops");
}

int
cmd_replace_flows(struct vsctl *ctx, int argc, char *argv[])
{
	struct rule_file rf;
	int ret = read_rules(ctx, argv, &rf);

	if (ret != 0)
		return ret;
	/* An empty file is valid: it deletes every rule. */
	return call_file(ctx, "flow.replace", argv[0], file_params(argv[0], "rules", &rf, NULL),
			 &rf, "rules");
}

/* Builds flow.bundle's params from the lines of rf, or prints why a line is wrong. */
static int
bundle_params(struct vsctl *ctx, const char *bridge, const struct rule_file *rf, json_t **out)
{
	json_t *params = json_pack("{s:s, s:[]}", "bridge", bridge, "ops");
	json_t *ops = json_object_get(params, "ops");
	struct rule_op op;
	char err[256];
	json_t *v;
	size_t i;

	*out = NULL;
	for (i = 0; params != NULL && i < rf->n; i++) {
		if (rule_file_bundle_op(rf->lines[i].text, &op, err, sizeof(err)) < 0) {
			json_decref(params);
			return vsctl_fail(ctx, "%s:%u: %s", rf->name, rf->lines[i].line_no, err);
		}
		v = json_pack("{s:s, s:s, s:o*}", "op", op.op, "rule", op.rule, "strict",
			      op.strict ? json_true() : NULL);
		if (json_array_append_new(ops, v) < 0) {
			json_decref(params);
			params = NULL;
		}
	}
	*out = params;
	return 0;
}

int
cmd_bundle(struct vsctl *ctx, int argc, char *argv[])
{
	struct rule_file rf;
	json_t *params;
	int ret = read_rules(ctx, argv, &rf);

	if (ret != 0)
		return ret;
	/* An empty bundle would succeed doing nothing: as for add-flows, a wrong file. */
	if (rf.n == 0)
		return vsctl_fail(ctx, "no operations in %s", rf.name);
	ret = bundle_params(ctx, argv[0], &rf, &params);
	if (ret != 0) {
		rule_file_fini(&rf);
		return ret;
	}
	return call_file(ctx, "flow.bundle", argv[0], params, &rf, "ops");
}

int
cmd_dump_flows(struct vsctl *ctx, int argc, char *argv[])
{
	struct render_error err;
	struct printer *p;
	json_t *params, *result;
	int ret;

	if (check_args(ctx, argv[0], "FILTER", argc > 1 ? argv[1] : NULL) != 0)
		return VSCTL_EXIT_USAGE;
	params = json_pack("{s:s, s:s*}", "bridge", argv[0], "filter", argc > 1 ? argv[1] : NULL);
	if (params == NULL)
		return vsctl_fail(ctx, "out of memory");
	ret = vsctl_call(ctx, "flow.dump", params, &result);
	if (ret != 0)
		return ret;
	p = print_create(ctx->json);
	if (p == NULL) {
		json_decref(result);
		return vsctl_fail(ctx, "out of memory");
	}
	/* Printed whole or not at all: a malformed reply prints only the error. */
	if (!render_flows(p, result, &err)) {
		ret = vsctl_malformed(ctx, err.where, err.why);
	} else {
		ret = print_finish(p, stdout);
		if (ret < 0)
			ret = vsctl_fail(ctx, ret == -ENOMEM ? "out of memory"
							     : "cannot write the output");
	}
	print_destroy(p);
	json_decref(result);
	return ret;
}
