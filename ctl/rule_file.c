/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rule_file.h"

/* What surrounds a rule on its line; '\r' so that CRLF files work. */
#define BLANKS " \t\r\v\f"

/* Longest keyword quoted back in a message. */
#define WORD_QUOTE_MAX 40

static int __attribute__((format(printf, 4, 5)))
rule_file_fail(int ret, char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return ret;
}

bool
rule_file_is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp, n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* n: continuation bytes after the lead byte. */
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return false;
		cp = *p & (0x3f >> n);
		/* A NUL is not a continuation byte: this stops at the end. */
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/*
 * Keeps line (a NUL-terminated copy) unless it is blank or a comment. Returns
 * 0, -EILSEQ if it is not UTF-8 (comments may be in any encoding), or -ENOMEM.
 */
static int
rule_file_add(struct rule_file *rf, size_t *cap, unsigned int line_no, char *line)
{
	size_t len;
	char *text;

	line += strspn(line, BLANKS);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (!rule_file_is_utf8(line))
		return -EILSEQ;
	/* line[0] is not blank, so this stops inside the line. */
	len = strlen(line);
	while (strchr(BLANKS, line[len - 1]) != NULL)
		len--;
	if (rf->n == *cap) {
		size_t new_cap = *cap ? 2 * *cap : 64;
		struct rule_line *lines = realloc(rf->lines, new_cap * sizeof(*lines));

		if (lines == NULL)
			return -ENOMEM;
		rf->lines = lines;
		*cap = new_cap;
	}
	text = strndup(line, len);
	if (text == NULL)
		return -ENOMEM;
	rf->lines[rf->n++] = (struct rule_line){.line_no = line_no, .text = text};
	return 0;
}

int
rule_file_parse(struct rule_file *rf, FILE *in, const char *name, char *err, size_t err_len)
{
	char line[RULE_FILE_LINE_MAX + 1];
	unsigned int line_no = 0;
	size_t len, cap = 0;
	int c = 0, ret;

	*rf = (struct rule_file){.name = name};
	while (c != EOF) {
		line_no++;
		len = 0;
		/* By byte, so that a long line is refused without being read whole. */
		while ((c = getc(in)) != EOF && c != '\n') {
			if (c == '\0') {
				ret = rule_file_fail(-EINVAL, err, err_len,
						     "%s:%u: holds a NUL byte", name, line_no);
				goto fail;
			}
			if (len == RULE_FILE_LINE_MAX) {
				ret = rule_file_fail(-EINVAL, err, err_len,
						     "%s:%u: longer than %d characters", name,
						     line_no, RULE_FILE_LINE_MAX);
				goto fail;
			}
			line[len++] = (char)c;
		}
		if (c == EOF && ferror(in)) {
			ret = errno != 0 ? -errno : -EIO;
			rule_file_fail(ret, err, err_len, "cannot read %s: %s", name,
				       strerror(-ret));
			goto fail;
		}
		line[len] = '\0';
		ret = rule_file_add(rf, &cap, line_no, line);
		if (ret == -EILSEQ) {
			rule_file_fail(ret, err, err_len, "%s:%u: not valid UTF-8", name, line_no);
			goto fail;
		}
		if (ret < 0) {
			rule_file_fail(ret, err, err_len, "out of memory");
			goto fail;
		}
	}
	return 0;
fail:
	rule_file_fini(rf);
	return ret;
}

int
rule_file_read(struct rule_file *rf, const char *path, char *err, size_t err_len)
{
	FILE *in;
	int ret;

	if (strcmp(path, "-") == 0)
		return rule_file_parse(rf, stdin, "stdin", err, err_len);
	*rf = (struct rule_file){.name = path};
	in = fopen(path, "r");
	if (in == NULL)
		return rule_file_fail(-errno, err, err_len, "cannot read %s: %s", path,
				      strerror(errno));
	ret = rule_file_parse(rf, in, path, err, err_len);
	fclose(in);
	return ret;
}

void
rule_file_fini(struct rule_file *rf)
{
	size_t i;

	for (i = 0; i < rf->n; i++)
		free(rf->lines[i].text);
	free(rf->lines);
	rf->lines = NULL;
	rf->n = 0;
}

bool
rule_file_fix_error(const struct rule_file *rf, const char *array, const char *msg, char *out,
		    size_t out_len)
{
	size_t len = strlen(array);
	unsigned long i;
	char *end;

	if (strncmp(msg, array, len) != 0 || msg[len] != '[' || msg[len + 1] < '0' ||
	    msg[len + 1] > '9')
		return false;
	errno = 0;
	i = strtoul(msg + len + 1, &end, 10);
	if (errno != 0 || strncmp(end, "]: ", 3) != 0 || i >= rf->n)
		return false;
	snprintf(out, out_len, "%s:%u: %s", rf->name, rf->lines[i].line_no, end + 3);
	return true;
}

static const struct {
	const char *word;
	const char *op;
	bool strict;
} rule_file_keywords[] = {
	{"add", "add", false},
	{"del", "del", false},
	{"del-strict", "del", true},
	{"mod", "mod", false},
	{"mod-strict", "mod", true},
};

int
rule_file_bundle_op(const char *text, struct rule_op *op, char *err, size_t err_len)
{
	size_t len = strcspn(text, BLANKS), i;

	if (strcspn(text, "=,:") < len) {
		*op = (struct rule_op){.op = "add", .strict = false, .rule = text};
		return 0;
	}
	for (i = 0; i < sizeof(rule_file_keywords) / sizeof(rule_file_keywords[0]); i++) {
		if (strlen(rule_file_keywords[i].word) != len ||
		    strncmp(text, rule_file_keywords[i].word, len) != 0)
			continue;
		op->op = rule_file_keywords[i].op;
		op->strict = rule_file_keywords[i].strict;
		op->rule = text + len + strspn(text + len, BLANKS);
		return 0;
	}
	return rule_file_fail(-EINVAL, err, err_len,
			      "unknown operation \"%.*s\"%s; expected add, del, del-strict, mod "
			      "or mod-strict",
			      len > WORD_QUOTE_MAX ? WORD_QUOTE_MAX : (int)len, text,
			      len > WORD_QUOTE_MAX ? "..." : "");
}
