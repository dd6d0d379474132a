/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_FLOW_PARSE_H
#define VSWITCH_BRIDGE_FLOW_PARSE_H

/*
 * The parser's state and helpers, shared by flow_parse.c (the items and the
 * match) and flow_parse_actions.c (the action list). Private to those two;
 * control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "flow_fields.h"

/* A value with its mask, copied out of an item to split it at '/': the
 * longest is an IPv6 address (45 characters). */
#define VALUE_MAX 64

/* Field items wait for the whole match before their prerequisites are
 * checked. The shortest such item ("nw_ttl=1,") takes 9 characters. */
#define MAX_CHECKS (FLOW_TEXT_MAX / 8 + 1)

struct parser {
	enum flow_parse_mode mode;
	flow_port_id_fn port_id;
	void *arg;
	struct flow_rule *rule;
	char *err;
	size_t errlen;
	unsigned int given; /* GIVEN_* (flow_parse.c) */
	unsigned int n_checks;
	struct {
		const char *item;
		uint8_t need;
	} checks[MAX_CHECKS];
	/* The ports the text names, to measure the rule's canonical form before
	 * the caller's port_name callback is at hand. */
	unsigned int n_ports;
	struct {
		uint16_t id;
		const char *name;
	} ports[FLOW_MAX_ACTIONS + 1];
};

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline char *
skip_space(const char *s)
{
	while (is_space(*s))
		s++;
	return (char *)(uintptr_t)s;
}

/* Cuts the spaces around s in place. */
static inline char *
trim(char *s)
{
	size_t n;

	s = skip_space(s);
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static inline bool
name_is(const char *name, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(name, word, len) == 0;
}

/* Writes "at "ITEM": MESSAGE" (or MESSAGE alone without an item) into err.
 * Bytes that are not printable are escaped, so the message always is.
 * Returns -EINVAL. */
int flow_parse_fail(struct parser *p, const char *item, const char *fmt, ...)
	__rte_format_printf(3, 4);
/* Fails on a byte that is neither printable nor a space. */
int flow_parse_check_bytes(struct parser *p, const char *item);
/* Splits an item at its first '=' or ':' into a name (its length, spaces
 * cut) and a value (spaces skipped; NULL without a separator). */
size_t flow_parse_split_item(const char *item, const char **value);
/* A whole unsigned number, decimal or 0x hex, from 0 to max. */
bool flow_parse_num(const char *s, uint64_t max, uint64_t *v);
/* Six groups of two hex digits separated by ':'. */
bool flow_parse_mac(const char *s, uint8_t *mac);
/* A port name to its id through the caller's callback, remembered for
 * measuring the rule's text. */
int flow_parse_port(struct parser *p, const char *item, const char *name, uint16_t *id);

/* The text after "actions=" into p->rule's actions. 0, or a negative errno
 * (-EINVAL, or -ENOMEM when out of memory) with the message in p->err. */
int flow_parse_actions(struct parser *p, char *list);

#endif
