/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_RULE_FILE_H
#define VSCTL_RULE_FILE_H

/*
 * Files of flow rules for add-flows, replace-flows and bundle: one rule (or
 * bundle operation) per line; blank lines and lines whose first non-blank
 * character is '#' are skipped. vsctl does not parse the rules: vswitchd does,
 * and its errors name a rule by its index in the request ("ops[3]: ..."),
 * which rule_file_fix_error() turns back into the file and line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest line, without its newline: the longest rule vswitchd accepts. */
#define RULE_FILE_LINE_MAX 1024

struct rule_line {
	unsigned int line_no; /* from 1 */
	char *text;	      /* the line without the blanks around it */
};

struct rule_file {
	const char *name; /* for messages: the path, or "stdin" */
	struct rule_line *lines;
	size_t n;
};

/*
 * Reads the rules of path ("-": stdin) into rf, which is empty after a
 * failure. Returns 0, or a negative errno with a message for people in err
 * (no "vsctl: " prefix), such as
 *   cannot read rules.txt: No such file or directory
 *   rules.txt:7: longer than 1024 characters
 *   rules.txt:8: not valid UTF-8
 */
int rule_file_read(struct rule_file *rf, const char *path, char *err, size_t err_len);

/* rule_file_read() from a stream already open; name is what messages call it. */
int rule_file_parse(struct rule_file *rf, FILE *in, const char *name, char *err,
		    size_t err_len);

/*
 * Whether s is valid UTF-8, as a JSON string must be (jansson's rules:
 * no overlong forms, no surrogates). The lines of a rule file are checked.
 */
bool rule_file_is_utf8(const char *s);

/* Frees the lines; rf is empty afterwards. */
void rule_file_fini(struct rule_file *rf);

/*
 * If msg is "ARRAY[N]: WHY" (array: "ops" or "rules") and N indexes rf's
 * rules, writes "NAME:LINE: WHY" to out and returns true; returns false for
 * any other message.
 */
bool rule_file_fix_error(const struct rule_file *rf, const char *array, const char *msg,
			 char *out, size_t out_len);

/* One line of a bundle file, as a flow.bundle operation. */
struct rule_op {
	const char *op;	  /* "add", "del" or "mod" */
	bool strict;	  /* del-strict, mod-strict */
	const char *rule; /* points into the line; "" for a bare "del" (every rule) */
};

/*
 * Splits a bundle line "[add|del|del-strict|mod|mod-strict] RULE". A rule has
 * '=', ',' or ':' in its first word, so a first word without them is taken
 * as the keyword, and a line that starts with a rule is an add. Returns 0, or
 * -EINVAL for an unknown keyword with a message in err:
 *   unknown operation "delete"; expected add, del, del-strict, mod or mod-strict
 */
int rule_file_bundle_op(const char *text, struct rule_op *op, char *err, size_t err_len);

#endif
