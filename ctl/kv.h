/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_KV_H
#define VSCTL_KV_H

/*
 * key=value command arguments for vsctl, turned into JSON-RPC params.
 * Pure functions (no I/O), so they are unit tested on their own.
 *
 * CLI keys are spelt with dashes ("mac-aging"), JSON members with underscores
 * ("mac_aging"). An underscore spelling is accepted on the command line too.
 */

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum kv_type {
	KV_STRING, /* a JSON string, non-empty unless KV_F_EMPTY_OK */
	KV_INT,	   /* a JSON integer, written in decimal */
};

/* The option must be given. */
#define KV_F_REQUIRED (1u << 0)
/*
 * An empty value ("tag=") is sent as JSON null, which asks vswitchd to remove
 * the setting. Without this flag (or KV_F_EMPTY_OK) an empty value is refused,
 * because it is more often an unset shell variable than an intent.
 */
#define KV_F_EMPTY_NULL (1u << 1)
/* KV_STRING only: an empty value is sent as "", for settings where it means something. */
#define KV_F_EMPTY_OK (1u << 2)

/* One accepted key of a command. Arrays of them end with a zeroed entry. */
struct kv_spec {
	const char *key; /* CLI spelling, with dashes */
	enum kv_type type;
	unsigned int flags; /* KV_F_* */
};

/*
 * Parses argv[0..argc) as key=value arguments of command cmd and adds each
 * to params (an object) under its JSON name, with the type given by specs.
 * The key ends at the first '='; the value is all the rest, '=' and ',' included
 * ("trunks=10,20,30-40").
 *
 * Returns 0, or -EINVAL with a one-line message for people in err (no
 * "vsctl: " prefix, e.g. `add-port: unknown option "sockt"; expected type,
 * socket`). On failure params may hold some of the arguments already.
 */
int kv_parse(const char *cmd, const struct kv_spec *specs, int argc, char *const argv[],
	     json_t *params, char *err, size_t err_len);

/*
 * Parses a whole string as a decimal integer (optional sign, no spaces).
 * Returns 0, or -EINVAL when it is not one, -ERANGE when it does not fit.
 */
int kv_parse_int(const char *s, long long *value);

/* Writes the JSON name of a CLI key ("mac-aging" -> "mac_aging") to out. */
void kv_json_name(const char *key, char *out, size_t out_len);

/* Writes the accepted keys of specs as "a, b, c" to out. */
void kv_list_keys(const struct kv_spec *specs, char *out, size_t out_len);

#endif
