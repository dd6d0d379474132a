/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "vlan.h"

static const char *const mode_names[] = {
	[VLAN_MODE_TRUNK] = "trunk",
	[VLAN_MODE_ACCESS] = "access",
	[VLAN_MODE_NATIVE_UNTAGGED] = "native-untagged",
	[VLAN_MODE_NATIVE_TAGGED] = "native-tagged",
	[VLAN_MODE_DOT1Q_TUNNEL] = "dot1q-tunnel",
};

static void
bit_set(uint64_t *bitmap, unsigned int vid)
{
	bitmap[vid >> 6] |= UINT64_C(1) << (vid & 63);
}

static void
bit_clear(uint64_t *bitmap, unsigned int vid)
{
	bitmap[vid >> 6] &= ~(UINT64_C(1) << (vid & 63));
}

void
vlan_config_default(struct vlan_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = VLAN_MODE_TRUNK;
	c->trunks_all = true;
}

int
vlan_mode_parse(const char *name, enum vlan_mode *mode)
{
	for (size_t i = 0; i < RTE_DIM(mode_names); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum vlan_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
vlan_mode_name(enum vlan_mode mode)
{
	return (size_t)mode < RTE_DIM(mode_names) ? mode_names[mode] : "unknown";
}

/* One VLAN ID at *s, advancing s; -1 if there is none or it is out of range. */
static long
parse_vid(const char **s)
{
	char *end;
	long v;

	if (**s < '0' || **s > '9')
		return -1;
	v = strtol(*s, &end, 10);
	if (end - *s > 4 || v > VLAN_VID_MAX)
		return -1;
	*s = end;
	return v;
}

int
vlan_trunks_parse(const char *s, struct vlan_config *c, char *err, size_t errlen)
{
	uint64_t bits[VLAN_BITMAP_WORDS] = {0};
	const char *p = s;

	if (*s == '\0' || strcmp(s, "all") == 0) {
		c->trunks_all = true;
		memset(c->trunks, 0, sizeof(c->trunks));
		return 0;
	}
	for (;;) {
		const char *item = p;
		long lo = parse_vid(&p), hi = lo;

		if (lo >= 0 && *p == '-') {
			p++;
			hi = parse_vid(&p);
		}
		if (lo < 0 || hi < 0 || (*p != ',' && *p != '\0')) {
			/* The list can be kilobytes long: quote its start and the bad part. */
			snprintf(err, errlen,
				 "trunks \"%.32s%s\": at \"%.16s\": expected a VLAN ID 0-4095 or a "
				 "range like 30-40",
				 s, strlen(s) > 32 ? "..." : "", item);
			return -EINVAL;
		}
		if (hi < lo) {
			snprintf(err, errlen, "trunks: range %ld-%ld is backwards", lo, hi);
			return -EINVAL;
		}
		for (long v = lo; v <= hi; v++)
			bit_set(bits, (unsigned int)v);
		if (*p == '\0')
			break;
		p++;
	}
	c->trunks_all = false;
	memcpy(c->trunks, bits, sizeof(bits));
	return 0;
}

int
vlan_trunks_format(const struct vlan_config *c, char *buf, size_t len)
{
	size_t used = 0;

	if (c->trunks_all) {
		if (snprintf(buf, len, "all") >= (int)len)
			return -ENOSPC;
		return 0;
	}
	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (unsigned int v = 0; v < VLAN_N_VIDS; v++) {
		unsigned int end = v;
		int n;

		if (!vlan_bit(c->trunks, (uint16_t)v))
			continue;
		while (end + 1 < VLAN_N_VIDS && vlan_bit(c->trunks, (uint16_t)(end + 1)))
			end++;
		if (end == v)
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", v);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", v, end);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
		v = end;
	}
	return 0;
}

bool
vlan_mode_has_trunks(enum vlan_mode m)
{
	return m == VLAN_MODE_TRUNK || m == VLAN_MODE_NATIVE_UNTAGGED ||
	       m == VLAN_MODE_NATIVE_TAGGED;
}

int
vlan_config_check(const struct vlan_config *c, char *err, size_t errlen)
{
	const char *mode = vlan_mode_name(c->mode);

	if ((unsigned int)c->mode >= VLAN_MODE_MAX) {
		snprintf(err, errlen, "unknown vlan-mode");
		return -EINVAL;
	}
	if (c->has_tag && c->tag > VLAN_VID_MAX) {
		snprintf(err, errlen, "tag %u out of range; expected 0 to %d", c->tag,
			 VLAN_VID_MAX);
		return -ERANGE;
	}
	if (c->mode == VLAN_MODE_TRUNK && c->has_tag) {
		snprintf(err, errlen,
			 "vlan-mode trunk takes no tag; for a native VLAN use vlan-mode "
			 "native-untagged or native-tagged");
		return -EINVAL;
	}
	if (c->mode != VLAN_MODE_TRUNK && !c->has_tag) {
		snprintf(err, errlen, "vlan-mode %s needs a tag", mode);
		return -EINVAL;
	}
	if (c->mode != VLAN_MODE_TRUNK && c->mode != VLAN_MODE_ACCESS && c->tag == 0) {
		snprintf(err, errlen, "vlan-mode %s needs a tag from 1 to %d", mode, VLAN_VID_MAX);
		return -ERANGE;
	}
	if (!vlan_mode_has_trunks(c->mode) && !c->trunks_all) {
		snprintf(err, errlen,
			 "vlan-mode %s carries only its tag; trunks apply to trunk, "
			 "native-untagged and native-tagged ports",
			 mode);
		return -EINVAL;
	}
	return 0;
}

void
vlan_port_build(struct vlan_port *vp, const struct vlan_config *c)
{
	memset(vp, 0, sizeof(*vp));
	vp->mode = (uint8_t)c->mode;
	vp->tunnel_tpid = VLAN_TPID_8021AD;
	if (vlan_mode_has_trunks(c->mode)) {
		if (c->trunks_all)
			memset(vp->member, 0xff, sizeof(vp->member));
		else
			memcpy(vp->member, c->trunks, sizeof(vp->member));
	}
	switch (c->mode) {
	case VLAN_MODE_TRUNK:
		vp->accept_tagged = 1;
		vp->untagged_vid = vlan_bit(vp->member, 0) ? 0 : VLAN_NONE;
		memcpy(vp->tagged, vp->member, sizeof(vp->tagged));
		break;
	case VLAN_MODE_NATIVE_UNTAGGED:
	case VLAN_MODE_NATIVE_TAGGED:
		vp->accept_tagged = 1;
		vp->untagged_vid = c->tag;
		bit_set(vp->member, c->tag);
		/* VLAN 0 is the untagged VLAN, which the native VLAN takes over here. */
		bit_clear(vp->member, 0);
		memcpy(vp->tagged, vp->member, sizeof(vp->tagged));
		if (c->mode == VLAN_MODE_NATIVE_UNTAGGED)
			bit_clear(vp->tagged, c->tag);
		break;
	case VLAN_MODE_ACCESS:
	case VLAN_MODE_DOT1Q_TUNNEL:
	default:
		vp->untagged_vid = c->tag;
		bit_set(vp->member, c->tag);
		break;
	}
	/* VLAN 0 is the untagged VLAN: nothing ever leaves with a tag of ID 0. */
	bit_clear(vp->tagged, 0);
	vp->plain_untagged = c->mode != VLAN_MODE_DOT1Q_TUNNEL && vp->untagged_vid != VLAN_NONE;
	if (vp->plain_untagged) {
		struct vlan_meta m = {.tci = vp->untagged_vid, .tpid = VLAN_TPID_8021Q};

		vp->untagged_meta = m.u64;
	}
}
