/* SPDX-License-Identifier: BSD-3-Clause */
#include "settings.h"

const struct kv_spec settings_bridge[] = {
	{"mac-aging", KV_INT, 0},
	{"mac-table-size", KV_INT, 0},
	{NULL, 0, 0},
};

/*
 * Which of socket, iface and devargs a type needs is vswitchd's to say: it
 * names the missing or unused one, and new types need no vsctl change.
 * trunks is passed through as written ("10,20,30-40"); empty means every VLAN.
 */
const struct kv_spec settings_port_add[] = {
	{"type", KV_STRING, KV_F_REQUIRED},
	{"socket", KV_STRING, 0},
	{"iface", KV_STRING, 0},
	{"devargs", KV_STRING, 0},
	{"mtu", KV_INT, 0},
	{"rxq", KV_INT, 0},
	{"vlan-mode", KV_STRING, 0},
	{"tag", KV_INT, 0},
	{"trunks", KV_STRING, KV_F_EMPTY_OK},
	{NULL, 0, 0},
};

/* An empty tag= sends "tag": null, which removes the tag. */
const struct kv_spec settings_port_set[] = {
	{"mtu", KV_INT, 0},
	{"vlan-mode", KV_STRING, 0},
	{"tag", KV_INT, KV_F_EMPTY_NULL},
	{"trunks", KV_STRING, KV_F_EMPTY_OK},
	{NULL, 0, 0},
};

const struct kv_spec settings_none[] = {
	{NULL, 0, 0},
};
