/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "port_options.h"

static int
copy_str(char *dst, size_t size, const char *src, const char *member, char *err, size_t errlen)
{
	if (src == NULL)
		return 0;
	if (strlen(src) >= size) {
		snprintf(err, errlen, "%s is %zu bytes; at most %zu", member, strlen(src), size - 1);
		return -EINVAL;
	}
	snprintf(dst, size, "%s", src);
	return 0;
}

static int
range(json_int_t v, const char *member, long lo, long hi, uint16_t *out, char *err,
      size_t errlen)
{
	if (v == -1) /* absent */
		return 0;
	if (v < lo || v > hi) {
		snprintf(err, errlen, "%s %lld out of range; expected %ld to %ld", member,
			 (long long)v, lo, hi);
		return -ERANGE;
	}
	*out = (uint16_t)v;
	return 0;
}

int
port_options_parse(json_t *obj, struct port_settings *ps, char *err, size_t errlen)
{
	const char *type, *socket = NULL, *iface = NULL, *devargs = NULL, *mode = NULL;
	const char *trunks = NULL;
	json_int_t mtu = -1, rxq = -1, tag = -1;
	json_error_t jerr;
	enum port_type t;
	int rc;

	static const char *const ints[] = {"mtu", "rxq", "tag"};
	const char *key;
	json_t *v;

	/* jansson's type errors do not name the member: say which it is. */
	json_object_foreach(obj, key, v) {
		bool want_int = false;

		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			want_int |= strcmp(key, ints[i]) == 0;
		if (want_int ? !json_is_integer(v) : !json_is_string(v)) {
			snprintf(err, errlen, "%s: expected %s", key,
				 want_int ? "an integer" : "a string");
			return -EINVAL;
		}
	}
	if (json_unpack_ex(obj, &jerr, JSON_STRICT,
			   "{s:s, s?:s, s?:s, s?:s, s?:I, s?:I, s?:s, s?:I, s?:s}", "type", &type,
			   "socket", &socket, "iface", &iface, "devargs", &devargs, "mtu", &mtu,
			   "rxq", &rxq, "vlan_mode", &mode, "tag", &tag, "trunks", &trunks) < 0) {
		snprintf(err, errlen, "%s", jerr.text);
		return -EINVAL;
	}
	if (port_type_parse(type, &t) < 0) {
		snprintf(err, errlen, "unknown port type \"%s\"; expected one of %s", type,
			 port_type_names());
		return -EINVAL;
	}
	port_settings_default(ps, t);
	if ((rc = copy_str(ps->socket, sizeof(ps->socket), socket, "socket", err, errlen)) < 0 ||
	    (rc = copy_str(ps->iface, sizeof(ps->iface), iface, "iface", err, errlen)) < 0 ||
	    (rc = copy_str(ps->devargs, sizeof(ps->devargs), devargs, "devargs", err, errlen)) < 0 ||
	    (rc = range(mtu, "mtu", PORT_MTU_MIN, PORT_MTU_MAX, &ps->mtu, err, errlen)) < 0 ||
	    (rc = range(rxq, "rxq", 1, PORT_RXQ_MAX, &ps->rxq, err, errlen)) < 0 ||
	    (rc = range(tag, "tag", 0, VLAN_VID_MAX, &ps->vlan.tag, err, errlen)) < 0)
		return rc;
	ps->vlan.has_tag = tag != -1;
	/* As in OVS: without a mode, a tag makes an access port. */
	ps->vlan.mode = ps->vlan.has_tag ? VLAN_MODE_ACCESS : VLAN_MODE_TRUNK;
	if (mode != NULL && vlan_mode_parse(mode, &ps->vlan.mode) < 0) {
		snprintf(err, errlen,
			 "unknown vlan_mode \"%s\"; expected access, trunk, native-untagged, "
			 "native-tagged or dot1q-tunnel",
			 mode);
		return -EINVAL;
	}
	if (trunks != NULL && (rc = vlan_trunks_parse(trunks, &ps->vlan, err, errlen)) < 0)
		return rc;
	return vlan_config_check(&ps->vlan, err, errlen);
}

json_t *
port_options_json(const struct port_settings *ps)
{
	static char trunks[VLAN_TRUNKS_TEXT_MAX];
	json_t *o = json_pack("{s:s, s:s}", "type", port_type_name(ps->type), "vlan_mode",
			      vlan_mode_name(ps->vlan.mode));
	int rc = 0;

	if (o == NULL)
		return NULL;
	if (ps->socket[0])
		rc |= json_object_set_new(o, "socket", json_string(ps->socket));
	if (ps->iface[0])
		rc |= json_object_set_new(o, "iface", json_string(ps->iface));
	if (ps->devargs[0])
		rc |= json_object_set_new(o, "devargs", json_string(ps->devargs));
	if (ps->mtu)
		rc |= json_object_set_new(o, "mtu", json_integer(ps->mtu));
	if (ps->rxq)
		rc |= json_object_set_new(o, "rxq", json_integer(ps->rxq));
	if (ps->vlan.has_tag)
		rc |= json_object_set_new(o, "tag", json_integer(ps->vlan.tag));
	if (!ps->vlan.trunks_all) {
		/* Control thread only, and the text can reach 20 KiB: not on the stack. */
		rc |= vlan_trunks_format(&ps->vlan, trunks, sizeof(trunks));
		rc |= json_object_set_new(o, "trunks", json_string(trunks));
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
port_options_update(json_t *current, json_t *change, char *err, size_t errlen)
{
	json_t *o = json_deep_copy(current), *tag = json_object_get(change, "tag");
	const char *mode = json_string_value(json_object_get(change, "vlan_mode"));
	const char *cur_mode = json_string_value(json_object_get(current, "vlan_mode"));
	const char *key;
	json_t *v;

	if (o == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_object_foreach(change, key, v) {
		if (json_is_null(v))
			json_object_del(o, key);
		else
			json_object_set(o, key, v);
	}
	if (mode == NULL && tag != NULL && !json_is_null(tag) && cur_mode != NULL &&
	    strcmp(cur_mode, "trunk") == 0 && json_object_get(current, "trunks") == NULL)
		json_object_set_new(o, "vlan_mode", json_string("access"));
	if (mode != NULL && strcmp(mode, "trunk") == 0 && tag == NULL)
		json_object_del(o, "tag");
	/* Without a tag the mode falls back to what the remaining members say. */
	if (mode == NULL && tag != NULL && json_is_null(tag))
		json_object_del(o, "vlan_mode");
	return o;
}
