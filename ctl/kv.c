/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

/* Longest key compared; longer ones cannot match any spec. */
#define KV_KEY_MAX 64

static int __attribute__((format(printf, 3, 4)))
kv_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
kv_parse_int(const char *s, long long *value)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '+' || *p == '-')
		p++;
	/* strtoll would accept leading spaces and "0x"; a setting must not. */
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*value = v;
	return 0;
}

void
kv_json_name(const char *key, char *out, size_t out_len)
{
	size_t i;

	if (out_len == 0)
		return;
	for (i = 0; key[i] != '\0' && i + 1 < out_len; i++)
		out[i] = key[i] == '-' ? '_' : key[i];
	out[i] = '\0';
}

void
kv_list_keys(const struct kv_spec *specs, char *out, size_t out_len)
{
	size_t used = 0;
	const struct kv_spec *s;

	if (out_len == 0)
		return;
	out[0] = '\0';
	for (s = specs; s->key != NULL; s++) {
		int n = snprintf(out + used, out_len - used, "%s%s", s == specs ? "" : ", ",
				 s->key);

		if (n < 0 || (size_t)n >= out_len - used)
			return;
		used += n;
	}
}

/* Finds the spec of a CLI key of len bytes, spelt with dashes or underscores. */
static const struct kv_spec *
kv_find(const struct kv_spec *specs, const char *key, size_t len)
{
	const struct kv_spec *s;
	size_t i;

	for (s = specs; s->key != NULL; s++) {
		if (strlen(s->key) != len)
			continue;
		for (i = 0; i < len; i++) {
			char c = key[i] == '_' ? '-' : key[i];

			if (c != s->key[i])
				break;
		}
		if (i == len)
			return s;
	}
	return NULL;
}

/* Converts the value of spec's key to JSON in *j. Returns 0, or -EINVAL with a message in err. */
static int
kv_value(const char *cmd, const struct kv_spec *spec, const char *value, json_t **j, char *err,
	 size_t err_len)
{
	long long v;
	int ret;

	if (*value == '\0') {
		if (spec->flags & KV_F_EMPTY_NULL)
			*j = json_null();
		else if (spec->type == KV_STRING && (spec->flags & KV_F_EMPTY_OK))
			*j = json_string("");
		else
			return kv_fail(err, err_len, "%s: %s: empty value", cmd, spec->key);
	} else if (spec->type == KV_INT) {
		ret = kv_parse_int(value, &v);
		if (ret == -ERANGE)
			return kv_fail(err, err_len, "%s: %s: \"%s\" is out of range", cmd,
				       spec->key, value);
		if (ret < 0)
			return kv_fail(err, err_len, "%s: %s: \"%s\" is not a number", cmd,
				       spec->key, value);
		*j = json_integer(v);
	} else {
		*j = json_string(value);
		if (*j == NULL)
			return kv_fail(err, err_len, "%s: %s: value is not valid UTF-8", cmd,
				       spec->key);
	}
	if (*j == NULL)
		return kv_fail(err, err_len, "%s: out of memory", cmd);
	return 0;
}

static int
kv_parse_one(const char *cmd, const struct kv_spec *specs, const char *arg, json_t *params,
	     char *err, size_t err_len)
{
	char keys[256], name[KV_KEY_MAX];
	const char *eq = strchr(arg, '=');
	const struct kv_spec *spec;
	json_t *j;
	int ret;

	kv_list_keys(specs, keys, sizeof(keys));
	if (eq == NULL)
		return kv_fail(err, err_len, "%s: \"%s\" is not key=value; expected %s", cmd, arg,
			       keys[0] != '\0' ? keys : "no options");
	spec = kv_find(specs, arg, eq - arg);
	if (spec == NULL)
		return kv_fail(err, err_len, "%s: unknown option \"%.*s\"; expected %s", cmd,
			       (int)(eq - arg), arg, keys[0] != '\0' ? keys : "no options");
	kv_json_name(spec->key, name, sizeof(name));
	if (json_object_get(params, name) != NULL)
		return kv_fail(err, err_len, "%s: %s given twice", cmd, spec->key);
	/* The value is all after the first '=': it may hold '=' and ',' itself. */
	ret = kv_value(cmd, spec, eq + 1, &j, err, err_len);
	if (ret < 0)
		return ret;
	if (json_object_set_new(params, name, j) < 0)
		return kv_fail(err, err_len, "%s: out of memory", cmd);
	return 0;
}

int
kv_parse(const char *cmd, const struct kv_spec *specs, int argc, char *const argv[],
	 json_t *params, char *err, size_t err_len)
{
	const struct kv_spec *s;
	char name[KV_KEY_MAX];
	int i, ret;

	for (i = 0; i < argc; i++) {
		ret = kv_parse_one(cmd, specs, argv[i], params, err, err_len);
		if (ret < 0)
			return ret;
	}
	for (s = specs; s->key != NULL; s++) {
		kv_json_name(s->key, name, sizeof(name));
		if ((s->flags & KV_F_REQUIRED) && json_object_get(params, name) == NULL)
			return kv_fail(err, err_len, "%s: %s=... is required", cmd, s->key);
	}
	return 0;
}
