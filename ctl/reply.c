/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "reply.h"

const char *
reply_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

static const char *const reply_expected[] = {
	[REPLY_STRING] = "a string",
	[REPLY_INT] = "an integer",
	[REPLY_BOOL] = "a boolean",
};

bool
reply_get_fields(json_t *obj, const struct reply_field *fields, size_t n, char *err,
		 size_t err_len)
{
	const struct reply_field *f;
	json_t *v;
	bool ok;

	if (!json_is_object(obj)) {
		snprintf(err, err_len, "is %s, expected an object",
			 obj == NULL ? "missing" : reply_type_name(obj));
		return false;
	}
	for (f = fields; f < fields + n; f++) {
		v = json_object_get(obj, f->key);
		if (v == NULL) {
			if (f->optional)
				continue;
			snprintf(err, err_len, "\"%s\" is missing", f->key);
			return false;
		}
		switch (f->type) {
		case REPLY_STRING:
			ok = json_is_string(v);
			if (ok)
				*(const char **)f->value = json_string_value(v);
			break;
		case REPLY_INT:
			ok = json_is_integer(v);
			if (ok)
				*(json_int_t *)f->value = json_integer_value(v);
			break;
		case REPLY_BOOL:
			ok = json_is_boolean(v);
			if (ok)
				*(bool *)f->value = json_is_true(v);
			break;
		default:
			ok = false;
			break;
		}
		if (!ok) {
			snprintf(err, err_len, "\"%s\" is %s, expected %s", f->key,
				 reply_type_name(v), reply_expected[f->type]);
			return false;
		}
	}
	return true;
}

json_t *
reply_get_array(json_t *obj, const char *key, char *err, size_t err_len)
{
	json_t *a = json_object_get(obj, key);

	if (json_is_array(a))
		return a;
	if (!json_is_object(obj))
		snprintf(err, err_len, "is %s, expected an object",
			 obj == NULL ? "missing" : reply_type_name(obj));
	else
		snprintf(err, err_len, "\"%s\" is %s, expected an array", key,
			 a == NULL ? "missing" : reply_type_name(a));
	return NULL;
}
