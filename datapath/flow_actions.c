/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiling an action list's flags, once, on the control thread, so that
 * PMD threads decide per action with one byte whether to send a copy.
 */
#include <stdbool.h>
#include <stdint.h>

#include "flow_actions.h"

/* Whether an action hands the frame on rather than changing it. Anything
 * else, including a type this file does not know, is taken to change it:
 * a needless copy costs time, a missing one sends a frame edited after it
 * was queued. */
static bool
act_sends(uint8_t type)
{
	return type == FLOW_ACT_OUTPUT || type == FLOW_ACT_NORMAL || type == FLOW_ACT_FLOOD ||
	       type == FLOW_ACT_CONTROLLER;
}

void
flow_actions_finish(struct flow_actions *acts)
{
	bool changed_later = false;
	bool only_output = acts->n > 0;
	uint8_t has_normal = 0;

	/* Walked backwards, so each sending action knows whether something
	 * after it changes the frame (or, for goto_table, may). */
	for (unsigned int i = acts->n; i-- > 0;) {
		struct flow_act *a = &acts->a[i];

		if (a->type == FLOW_ACT_NORMAL)
			has_normal = 1;
		if (a->type != FLOW_ACT_OUTPUT)
			only_output = false;
		if (act_sends(a->type)) {
			a->copy = changed_later;
		} else {
			a->copy = 0;
			changed_later = true;
		}
	}
	acts->has_normal = has_normal;
	acts->only_output = only_output;
}
