/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_PRINT_H
#define VSCTL_PRINT_H

/*
 * One helper for both output forms of vsctl: every field is printed once,
 * with its JSON key (snake_case, as in docs/api.md) and its text format.
 * In text mode the format is used; in JSON mode the value is added to a
 * JSON tree under the key. Nothing reaches the output until print_finish(),
 * so a reply found malformed half-way prints nothing at all.
 *
 * A printer is used by one thread.
 */

#include <stdbool.h>
#include <stdio.h>

enum print_kind {
	PRINT_ANY,  /* in both forms */
	PRINT_TEXT, /* text only */
	PRINT_JSON, /* JSON only */
};

struct printer;

/* Returns a printer for text or JSON output (a root object), or NULL with errno. */
struct printer *print_create(bool json);

/* Frees the printer and anything not yet written. NULL is a no-op. */
void print_destroy(struct printer *p);

bool print_is_json(const struct printer *p);

/*
 * Writes everything printed to out: the text, or the JSON root as indented
 * JSON and a newline. Returns 0, -ENOMEM if any print failed to allocate,
 * -EINVAL if objects and arrays were not balanced, -EIO if out failed.
 */
int print_finish(struct printer *p, FILE *out);

/*
 * Containers. key names the member in the enclosing object; it is ignored
 * (pass NULL) inside an array. They produce no text.
 */
void print_open_object(struct printer *p, const char *key);
void print_close_object(struct printer *p);
void print_open_array(struct printer *p, const char *key);
void print_close_array(struct printer *p);

/*
 * Fields. fmt is the text format with one conversion (%s for strings, %lld
 * for integers); it is not used for JSON. Text strings have control
 * characters other than newline and tab replaced by '?', so a daemon cannot
 * send escape sequences to the terminal.
 */
void print_string(struct printer *p, enum print_kind kind, const char *key, const char *fmt,
		  const char *value);
void print_int(struct printer *p, enum print_kind kind, const char *key, const char *fmt,
	       long long value);

/* A JSON boolean; in text, text_if_true is printed when value is true, nothing otherwise. */
void print_bool(struct printer *p, enum print_kind kind, const char *key, const char *text_if_true,
		bool value);

/* Free text, in text mode only: headers, separators, newlines. */
void print_text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
