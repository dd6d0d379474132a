/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conntrack_args.h"
#include "kv.h"

const char *const ct_args_timeouts[CT_ARGS_N_TIMEOUTS] = {
	"tcp_syn_sent", "tcp_syn_recv", "tcp_established", "tcp_fin_wait",
	"tcp_time_wait", "tcp_close", "udp_first", "udp_stream",
	"icmp", "other_first", "other_stream",
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Whether the len bytes of key spell name, a dash standing for an underscore. */
static bool
key_is(const char *key, size_t len, const char *name)
{
	if (strlen(name) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((key[i] == '-' ? '_' : key[i]) != name[i])
			return false;
	return true;
}

/* The integer value of key=value, from min to max. */
static int
int_value(const char *cmd, const char *key, const char *value, long long min, long long max,
	  const char *expected, long long *out, char *err, size_t err_len)
{
	int ret;

	if (*value == '\0')
		return fail(err, err_len, "%s: %s: empty value", cmd, key);
	ret = kv_parse_int(value, out);
	if (ret == -EINVAL)
		return fail(err, err_len, "%s: %s: \"%s\" is not a number", cmd, key, value);
	if (ret < 0 || *out < min || *out > max)
		return fail(err, err_len, "%s: %s: %s is out of range; expected %s", cmd, key,
			    value, expected);
	return 0;
}

static int
set_int(const char *cmd, json_t *obj, const char *name, long long v, char *err, size_t err_len)
{
	if (json_object_get(obj, name) != NULL)
		return fail(err, err_len, "%s: %s given twice", cmd, name);
	if (json_object_set_new(obj, name, json_integer(v)) < 0)
		return fail(err, err_len, "%s: out of memory", cmd);
	return 0;
}

/* zone=N into params. */
static int
zone_arg(const char *cmd, const char *value, json_t *params, char *err, size_t err_len)
{
	long long v;

	if (int_value(cmd, "zone", value, 0, CT_ARGS_ZONE_MAX, "0 to 65535", &v, err, err_len) < 0)
		return -EINVAL;
	return set_int(cmd, params, "zone", v, err, err_len);
}

int
ct_args_select(const char *cmd, int argc, char *const argv[], json_t *params, char *err,
	       size_t err_len)
{
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		/* The bridge comes first; a second name is a mistake, not a bridge. */
		if (eq == NULL && i == 0 && argv[i][0] != '\0') {
			if (json_object_set_new(params, "bridge", json_string(argv[i])) < 0)
				return fail(err, err_len, "%s: the bridge name is not UTF-8", cmd);
			continue;
		}
		if (eq == NULL)
			return fail(err, err_len, "%s: \"%s\" is not key=value; expected zone=N "
						  "after the bridge",
				    cmd, argv[i]);
		if (!key_is(argv[i], (size_t)(eq - argv[i]), "zone"))
			return fail(err, err_len, "%s: unknown option \"%.*s\"; expected zone", cmd,
				    (int)(eq - argv[i]), argv[i]);
		if (zone_arg(cmd, eq + 1, params, err, err_len) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
timeout_id(const char *key, size_t len)
{
	for (int i = 0; i < CT_ARGS_N_TIMEOUTS; i++)
		if (key_is(key, len, ct_args_timeouts[i]))
			return i;
	return -1;
}

static void
list_timeouts(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < CT_ARGS_N_TIMEOUTS && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 ct_args_timeouts[i]);
}

/* One TIMEOUT=SECS into params.timeouts. */
static int
timeout_arg(const char *cmd, int id, const char *value, json_t *params, char *err,
	    size_t err_len)
{
	const char *name = ct_args_timeouts[id];
	json_t *timeouts = json_object_get(params, "timeouts");
	long long v;

	if (int_value(cmd, name, value, 1, CT_ARGS_TIMEOUT_MAX, "1 to 2147483647 seconds", &v, err,
		      err_len) < 0)
		return -EINVAL;
	if (timeouts == NULL) {
		timeouts = json_object();
		if (json_object_set_new(params, "timeouts", timeouts) < 0)
			return fail(err, err_len, "%s: out of memory", cmd);
	}
	return set_int(cmd, timeouts, name, v, err, err_len);
}

int
ct_args_set(const char *cmd, int argc, char *const argv[], json_t *params, char *err,
	    size_t err_len)
{
	char names[256];
	long long limit;
	json_t *zone;

	list_timeouts(names, sizeof(names));
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t len = eq != NULL ? (size_t)(eq - argv[i]) : 0;
		int id = eq != NULL ? timeout_id(argv[i], len) : -1;

		if (eq == NULL)
			return fail(err, err_len,
				    "%s: \"%s\" is not key=value; expected zone, limit or a "
				    "timeout: %s",
				    cmd, argv[i], names);
		if (key_is(argv[i], len, "zone")) {
			if (zone_arg(cmd, eq + 1, params, err, err_len) < 0)
				return -EINVAL;
		} else if (key_is(argv[i], len, "limit")) {
			/* The upper bound is the table's capacity: vswitchd's to check. */
			if (int_value(cmd, "limit", eq + 1, 0, LLONG_MAX,
				      "0 up to the connection table's capacity", &limit, err,
				      err_len) < 0 ||
			    set_int(cmd, params, "limit", limit, err, err_len) < 0)
				return -EINVAL;
		} else if (id >= 0) {
			if (timeout_arg(cmd, id, eq + 1, params, err, err_len) < 0)
				return -EINVAL;
		} else {
			return fail(err, err_len,
				    "%s: unknown option \"%.*s\"; expected zone, limit or a "
				    "timeout: %s",
				    cmd, (int)len, argv[i], names);
		}
	}
	zone = json_object_get(params, "zone");
	limit = json_integer_value(json_object_get(params, "limit"));
	if (zone != NULL && json_object_get(params, "limit") == NULL)
		return fail(err, err_len, "%s: zone=%lld needs limit=M: only the limit is per zone "
					  "(timeouts apply to every zone)",
			    cmd, (long long)json_integer_value(zone));
	if (zone == NULL && json_object_get(params, "limit") != NULL && limit == 0)
		return fail(err, err_len, "%s: limit: 0 is out of range for the default limit; "
					  "expected 1 or more (limit=0 with zone=N gives that "
					  "zone the default limit again)",
			    cmd);
	return 0;
}
