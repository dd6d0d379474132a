/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_VLAN_H
#define VSWITCH_DATAPATH_VLAN_H

/*
 * VLAN decisions with Open vSwitch's meaning of the port modes (docs/api.md):
 * which VLAN a received frame belongs to, whether a port carries a VLAN, and
 * whether a frame leaves it tagged.
 *
 * A frame inside the switch is in canonical form: its outermost tag, if any,
 * is the tag of its VLAN. A priority tag (VID 0) is removed on ingress (its
 * PCP is kept in the metadata), and a dot1q-tunnel port's frames are taken
 * whole, their own tags being payload. Egress then only ever adds or removes
 * that one outer tag.
 *
 * The control thread turns a struct vlan_config into a struct vlan_port
 * (bitmaps, so the datapath tests one bit per decision); the inline functions
 * below run per frame on PMD threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_stats.h"

#define VLAN_VID_MAX 4095
#define VLAN_N_VIDS 4096
#define VLAN_NONE 0xffff /* no VLAN: such frames are dropped */
#define VLAN_TPID_8021Q 0x8100
#define VLAN_TPID_8021AD 0x88a8
#define VLAN_HLEN 4
#define VLAN_BITMAP_WORDS (VLAN_N_VIDS / 64)

enum vlan_mode {
	VLAN_MODE_TRUNK,
	VLAN_MODE_ACCESS,
	VLAN_MODE_NATIVE_UNTAGGED,
	VLAN_MODE_NATIVE_TAGGED,
	VLAN_MODE_DOT1Q_TUNNEL,
	VLAN_MODE_MAX
};

/* A port's VLAN settings as the user gives them. */
struct vlan_config {
	enum vlan_mode mode;
	bool has_tag;
	uint16_t tag;
	bool trunks_all; /* no trunks given: every VLAN */
	uint64_t trunks[VLAN_BITMAP_WORDS];
};

/* The datapath's form of a struct vlan_config. */
struct vlan_port {
	uint8_t mode;
	uint8_t plain_untagged; /* untagged frames are accepted into untagged_vid as they are */
	uint8_t accept_tagged;  /* tagged frames of a member VLAN are accepted */
	uint64_t untagged_meta; /* struct vlan_meta of such a frame, less its len3 */
	uint16_t untagged_vid;  /* VLAN of untagged and priority-tagged frames, or VLAN_NONE */
	uint16_t tunnel_tpid;   /* dot1q-tunnel: TPID of the service tag pushed elsewhere */
	uint64_t member[VLAN_BITMAP_WORDS]; /* VLANs the port carries */
	uint64_t tagged[VLAN_BITMAP_WORDS]; /* VLANs it sends with a tag */
};

/* What ingress learned about one frame. */
struct vlan_meta {
	union {
		struct {
			uint16_t tci;   /* PCP and VID of the frame's VLAN, as a pushed tag carries them */
			uint16_t tpid;  /* TPID a pushed tag uses */
			uint16_t len3;  /* payload: the frame less its Ethernet header and VLAN tags */
			uint8_t tagged; /* the frame carries its VLAN as its outer tag */
			uint8_t pad;
		};
		uint64_t u64; /* the whole, for one store */
	};
};
_Static_assert(sizeof(struct vlan_meta) == 8, "vlan_meta is stored as one word");

enum vlan_egress {
	VLAN_EGRESS_NONE,     /* the port does not carry the VLAN */
	VLAN_EGRESS_UNTAGGED,
	VLAN_EGRESS_TAGGED,
};

/* ---- control side (vlan.c) ---- */

/* The default: trunk of every VLAN, untagged frames in VLAN 0. */
void vlan_config_default(struct vlan_config *c);
/* "access" <-> VLAN_MODE_ACCESS ...; -EINVAL for an unknown name. */
int vlan_mode_parse(const char *name, enum vlan_mode *mode);
const char *vlan_mode_name(enum vlan_mode mode);
/* Whether the mode carries a trunks list (trunk, native-untagged, native-tagged). */
bool vlan_mode_has_trunks(enum vlan_mode mode);
/* "10,20,30-40"; "" and "all" mean every VLAN. -EINVAL with a reason in err. */
int vlan_trunks_parse(const char *s, struct vlan_config *c, char *err, size_t errlen);
/* The canonical text of c's trunks ("all" or "10,20,30-40"); -ENOSPC if it
 * does not fit (a buffer of VLAN_TRUNKS_TEXT_MAX always does). */
#define VLAN_TRUNKS_TEXT_MAX 20480
int vlan_trunks_format(const struct vlan_config *c, char *buf, size_t len);
/* Whether the settings make a port: a tag where the mode needs one and not
 * where it has none, trunks only for modes that use them. -EINVAL or -ERANGE
 * with a reason. */
int vlan_config_check(const struct vlan_config *c, char *err, size_t errlen);
/* Fills vp from a checked configuration. */
void vlan_port_build(struct vlan_port *vp, const struct vlan_config *c);

/* ---- per frame (PMD threads) ---- */

static inline bool
vlan_bit(const uint64_t *bitmap, uint16_t vid)
{
	return (bitmap[vid >> 6] >> (vid & 63)) & 1;
}

static inline uint16_t
vlan_read16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline bool
vlan_is_tpid(uint16_t type)
{
	return type == VLAN_TPID_8021Q || type == VLAN_TPID_8021AD;
}

/* The same test on the type as it sits in the frame, without a byte swap. */
static inline bool
vlan_is_tpid_be(const uint8_t *type)
{
	uint16_t raw;

	memcpy(&raw, type, sizeof(raw));
	return (raw == RTE_BE16(VLAN_TPID_8021Q)) | (raw == RTE_BE16(VLAN_TPID_8021AD));
}

/* Removes the outer tag. The caller knows the frame has one in its first segment. */
static inline void
vlan_pop(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(p + VLAN_HLEN, p, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, VLAN_HLEN);
}

/* Adds an outer tag. 0, or -1 when m has no headroom. m must not be shared. */
static inline int
vlan_push(struct rte_mbuf *m, uint16_t tpid, uint16_t tci)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, VLAN_HLEN);
	uint16_t tag[2] = {rte_cpu_to_be_16(tpid), rte_cpu_to_be_16(tci)};

	if (unlikely(p == NULL))
		return -1;
	memmove(p, p + VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, tag, sizeof(tag));
	return 0;
}

/*
 * Classifies a frame received on a port with settings vp; the caller has
 * checked that the Ethernet header is in the first segment. Returns -1 when
 * the frame is accepted, with meta filled (and a priority tag removed), else
 * the dp_drop_reason to drop it for: DP_DROP_runt (a tag cut short) or
 * DP_DROP_vlan_filtered (a VLAN the port does not carry).
 */
static inline int
vlan_ingress(const struct vlan_port *vp, struct rte_mbuf *m, struct vlan_meta *meta)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t dlen = rte_pktmbuf_data_len(m);
	uint16_t type, tci, vid, ntags = 1;

	/* The common case first and cheapest: an untagged frame on a port that
	 * takes it as it is. One store of a precomputed word fills the metadata. */
	if (likely((!vlan_is_tpid_be(p + 12)) & vp->plain_untagged)) {
		meta->u64 = vp->untagged_meta |
			    (uint64_t)(uint16_t)(rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN) << 32;
		return -1;
	}
	type = vlan_read16(p + 12);
	if (!vlan_is_tpid(type)) { /* untagged, on a dot1q-tunnel port or one that drops it */
		if (unlikely(vp->mode != VLAN_MODE_DOT1Q_TUNNEL))
			return DP_DROP_vlan_filtered;
		tci = 0;
		ntags = 0;
	} else if (unlikely(dlen < RTE_ETHER_HDR_LEN + VLAN_HLEN)) {
		return DP_DROP_runt;
	} else {
		tci = vlan_read16(p + 14);
		/* A second tag (QinQ) is not payload either, for the MTU. */
		if (dlen >= RTE_ETHER_HDR_LEN + 2 * VLAN_HLEN && vlan_is_tpid(vlan_read16(p + 16)))
			ntags = 2;
	}
	meta->len3 = (uint16_t)(rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN - ntags * VLAN_HLEN);
	meta->pad = 0;
	if (unlikely(vp->mode == VLAN_MODE_DOT1Q_TUNNEL)) {
		/* The customer's tag stays in the frame; its priority carries over. */
		meta->tci = (uint16_t)((tci & 0xe000) | vp->untagged_vid);
		meta->tpid = vp->tunnel_tpid;
		meta->tagged = 0;
		return -1;
	}
	vid = tci & VLAN_VID_MAX;
	if (vid == 0) { /* priority-tagged: untagged, with a priority */
		if (unlikely(vp->untagged_vid == VLAN_NONE))
			return DP_DROP_vlan_filtered;
		vlan_pop(m);
		meta->tci = (uint16_t)((tci & 0xe000) | vp->untagged_vid);
		meta->tpid = VLAN_TPID_8021Q;
		meta->tagged = 0;
		return -1;
	}
	if (unlikely(!vp->accept_tagged || !vlan_bit(vp->member, vid)))
		return DP_DROP_vlan_filtered;
	meta->tci = tci;
	meta->tpid = type;
	meta->tagged = 1;
	return -1;
}

/* How a frame of VLAN vid leaves a port with settings vp. */
static inline enum vlan_egress
vlan_egress(const struct vlan_port *vp, uint16_t vid)
{
	if (!vlan_bit(vp->member, vid))
		return VLAN_EGRESS_NONE;
	return vlan_bit(vp->tagged, vid) ? VLAN_EGRESS_TAGGED : VLAN_EGRESS_UNTAGGED;
}

/* Gives a canonical frame the outer tag (or none) that egress e needs.
 * 0, or -1 when m has no headroom for a tag. m must not be shared. */
static inline int
vlan_apply(struct rte_mbuf *m, const struct vlan_meta *meta, enum vlan_egress e)
{
	bool want = e == VLAN_EGRESS_TAGGED;

	if (want == (bool)meta->tagged)
		return 0;
	if (want)
		return vlan_push(m, meta->tpid, meta->tci);
	vlan_pop(m);
	return 0;
}

#endif
