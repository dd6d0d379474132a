/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_REPLY_H
#define VSCTL_REPLY_H

/*
 * Checks on the result objects vswitchd sends, so that an unexpected reply
 * gives a message naming the member instead of a crash. Members not asked
 * for are ignored, so a newer vswitchd still works. Pure functions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum reply_type {
	REPLY_STRING, /* value: const char ** (borrowed from the object) */
	REPLY_INT,    /* value: json_int_t * */
	REPLY_BOOL,   /* value: bool * */
};

struct reply_field {
	const char *key;
	enum reply_type type;
	bool optional; /* if absent, *value is left alone */
	void *value;
};

/*
 * Reads fields[0..n) from obj. Returns true, or false with a message in err
 * such as `"port_no" is a string, expected an integer`.
 */
bool reply_get_fields(json_t *obj, const struct reply_field *fields, size_t n, char *err,
		      size_t err_len);

/* Returns obj's member key if it is an array, else NULL with a message in err. */
json_t *reply_get_array(json_t *obj, const char *key, char *err, size_t err_len);

/* The JSON type of v for messages: "a string", "an integer", "null"... */
const char *reply_type_name(const json_t *v);

#endif
