/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "print.h"

/* Deeper than any vsctl output nests. */
#define PRINT_DEPTH_MAX 16

struct printer {
	bool json;
	bool failed;   /* an allocation failed: the output is incomplete */
	bool unbalanced;
	int depth;     /* open containers, root excluded */
	int lost;      /* opens that failed, so their closes are ignored */
	json_t *stack[PRINT_DEPTH_MAX + 1]; /* JSON mode: stack[0] is the root */
	FILE *text;    /* text mode: a memory stream */
	char *text_buf;
	size_t text_len;
};

struct printer *
print_create(bool json)
{
	struct printer *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->json = json;
	if (json)
		p->stack[0] = json_object();
	else
		p->text = open_memstream(&p->text_buf, &p->text_len);
	if ((json && p->stack[0] == NULL) || (!json && p->text == NULL)) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void
print_destroy(struct printer *p)
{
	if (p == NULL)
		return;
	if (p->json) {
		for (; p->depth >= 0; p->depth--)
			json_decref(p->stack[p->depth]);
	} else {
		fclose(p->text);
	}
	free(p->text_buf);
	free(p);
}

bool
print_is_json(const struct printer *p)
{
	return p->json;
}

int
print_finish(struct printer *p, FILE *out)
{
	if (p->failed)
		return -ENOMEM;
	if (p->unbalanced || p->depth != 0)
		return -EINVAL;
	if (p->json) {
		if (json_dumpf(p->stack[0], out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF)
			return -EIO;
	} else {
		if (fflush(p->text) != 0)
			return -ENOMEM;
		if (p->text_len > 0 && fwrite(p->text_buf, 1, p->text_len, out) != p->text_len)
			return -EIO;
	}
	return fflush(out) == 0 ? 0 : -EIO;
}

/* Adds v (stolen) to the innermost open container. */
static void
print_add(struct printer *p, const char *key, json_t *v)
{
	json_t *top = p->stack[p->depth];
	int ret;

	if (v == NULL) {
		p->failed = true;
		return;
	}
	if (json_is_array(top))
		ret = json_array_append_new(top, v);
	else if (key != NULL)
		ret = json_object_set_new(top, key, v);
	else {
		/* A member without a name: a bug in the caller. */
		json_decref(v);
		p->unbalanced = true;
		return;
	}
	if (ret < 0)
		p->failed = true;
}

/*
 * The stack holds a reference to each open container, so it stays valid even
 * if adding it to its parent failed.
 */
static void
print_open(struct printer *p, const char *key, json_t *container)
{
	if (!p->json) {
		p->depth++;
		return;
	}
	if (container == NULL || p->depth == PRINT_DEPTH_MAX || p->lost > 0) {
		json_decref(container);
		p->failed = true;
		p->lost++;
		return;
	}
	print_add(p, key, json_incref(container));
	p->stack[++p->depth] = container;
}

static void
print_close(struct printer *p, bool array)
{
	if (p->lost > 0) {
		p->lost--;
		return;
	}
	if (p->depth == 0) {
		p->unbalanced = true;
		return;
	}
	if (p->json) {
		if (json_is_array(p->stack[p->depth]) != array)
			p->unbalanced = true;
		json_decref(p->stack[p->depth]);
	}
	p->depth--;
}

void
print_open_object(struct printer *p, const char *key)
{
	print_open(p, key, p->json ? json_object() : NULL);
}

void
print_close_object(struct printer *p)
{
	print_close(p, false);
}

void
print_open_array(struct printer *p, const char *key)
{
	print_open(p, key, p->json ? json_array() : NULL);
}

void
print_close_array(struct printer *p)
{
	print_close(p, true);
}

static bool
print_wants(const struct printer *p, enum print_kind kind)
{
	if (kind == PRINT_ANY)
		return true;
	return p->json ? kind == PRINT_JSON : kind == PRINT_TEXT;
}

void
print_string(struct printer *p, enum print_kind kind, const char *key, const char *fmt,
	     const char *value)
{
	char *safe;
	size_t i;

	if (!print_wants(p, kind))
		return;
	if (p->json) {
		print_add(p, key, json_string(value));
		return;
	}
	safe = strdup(value);
	if (safe == NULL) {
		p->failed = true;
		return;
	}
	for (i = 0; safe[i] != '\0'; i++) {
		unsigned char c = safe[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			safe[i] = '?';
	}
	fprintf(p->text, fmt, safe);
	free(safe);
}

void
print_int(struct printer *p, enum print_kind kind, const char *key, const char *fmt,
	  long long value)
{
	if (!print_wants(p, kind))
		return;
	if (p->json)
		print_add(p, key, json_integer(value));
	else
		fprintf(p->text, fmt, value);
}

void
print_bool(struct printer *p, enum print_kind kind, const char *key, const char *text_if_true,
	   bool value)
{
	if (!print_wants(p, kind))
		return;
	if (p->json)
		print_add(p, key, json_boolean(value));
	else if (value)
		fputs(text_if_true, p->text);
}

void
print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->text, fmt, ap);
	va_end(ap);
}
