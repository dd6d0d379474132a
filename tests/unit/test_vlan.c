/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN port modes (datapath/vlan.h, docs/api.md "port.add"), table-driven:
 * ingress classification of every frame kind on every mode, egress decisions,
 * adding and removing tags on real mbufs, and whole trips through the switch.
 * The control side (trunks text, mode names, checks) is in test_vlan_config.c.
 *
 * The table tests report every mismatching case before failing, so that one
 * run shows the whole picture.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "datapath/frame.h"
#include "datapath/vlan.h"

#define POOL_SIZE 255

static struct rte_mempool *pool;

static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};

#define TCI(pcp, vid) ((uint16_t)(((pcp) << 13) | (vid)))

/* ---- frames ---- */

struct tag {
	uint16_t tpid;
	uint16_t tci;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Writes len bytes of a frame: MACs, the tags, ethertype IPv4, then a payload
 * pattern. A len shorter than the headers cuts them short. Returns len.
 */
static size_t
frame_bytes(uint8_t *buf, const struct tag *tags, unsigned int ntags, size_t len)
{
	uint8_t full[256];
	size_t off = 0;

	assert_true(len <= sizeof(full));
	memcpy(full, mac_dst, 6);
	memcpy(full + 6, mac_src, 6);
	off = 12;
	for (unsigned int i = 0; i < ntags; i++) {
		put16(full + off, tags[i].tpid);
		put16(full + off + 2, tags[i].tci);
		off += 4;
	}
	put16(full + off, RTE_ETHER_TYPE_IPV4);
	off += 2;
	for (size_t i = off; i < sizeof(full); i++)
		full[i] = (uint8_t)(0x40 + (i - off) * 7);
	memcpy(buf, full, len);
	return len;
}

/* An mbuf of len bytes copied from b, with the pool's default headroom. */
static struct rte_mbuf *
mbuf_from(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_true(len == 0 || p != NULL);
	memcpy(rte_pktmbuf_mtod(m, void *), b, len);
	return m;
}

static void
hexdump(const char *what, const uint8_t *b, size_t len)
{
	print_message("    %s (%zu):", what, len);
	for (size_t i = 0; i < len; i++)
		print_message("%s%02x", i % 4 ? "" : " ", b[i]);
	print_message("\n");
}

/* Whether m holds exactly the len bytes exp in one segment; prints both if not. */
static bool
bytes_are(const char *ctx, const struct rte_mbuf *m, const uint8_t *exp, size_t len)
{
	const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_pkt_len(m) == len && rte_pktmbuf_data_len(m) == len &&
	    memcmp(got, exp, len) == 0)
		return true;
	print_message("%s: frame bytes differ\n", ctx);
	hexdump("expected", exp, len);
	hexdump("got     ", got, rte_pktmbuf_data_len(m));
	return false;
}

static void
assert_bytes(const struct rte_mbuf *m, const uint8_t *exp, size_t len)
{
	assert_true(bytes_are("frame", m, exp, len));
}

/* exp less the 4 bytes at offset 12: the frame with its outer tag removed. */
static size_t
without_outer_tag(uint8_t *out, const uint8_t *in, size_t len)
{
	memcpy(out, in, 12);
	memcpy(out + 12, in + 16, len - 16);
	return len - 4;
}

static void
assert_no_leak(void)
{
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

/* ---- ports ---- */

struct port_def {
	const char *name;
	enum vlan_mode mode;
	int tag;            /* -1: none */
	const char *trunks; /* NULL: not given (every VLAN) */
};

static void
port_make(struct vlan_port *vp, const struct port_def *d)
{
	struct vlan_config c;
	char err[256] = "";

	vlan_config_default(&c);
	c.mode = d->mode;
	if (d->tag >= 0) {
		c.has_tag = true;
		c.tag = (uint16_t)d->tag;
	}
	if (d->trunks != NULL && vlan_trunks_parse(d->trunks, &c, err, sizeof(err)) != 0)
		fail_msg("port %s: trunks \"%s\" refused: %s", d->name, d->trunks, err);
	if (vlan_config_check(&c, err, sizeof(err)) != 0)
		fail_msg("port %s: configuration refused: %s", d->name, err);
	vlan_port_build(vp, &c);
}

enum {
	P_TRUNK_ALL,
	P_TRUNK_10_20,
	P_ACCESS_10,
	P_ACCESS_0,
	P_NATIVE_UNTAGGED,
	P_NATIVE_TAGGED,
	P_TUNNEL_100,
	P_MAX
};

static const struct port_def ports[P_MAX] = {
	[P_TRUNK_ALL] = {"trunk", VLAN_MODE_TRUNK, -1, NULL},
	[P_TRUNK_10_20] = {"trunk trunks=10,20", VLAN_MODE_TRUNK, -1, "10,20"},
	[P_ACCESS_10] = {"access tag=10", VLAN_MODE_ACCESS, 10, NULL},
	[P_ACCESS_0] = {"access tag=0", VLAN_MODE_ACCESS, 0, NULL},
	[P_NATIVE_UNTAGGED] = {"native-untagged tag=10 trunks=20", VLAN_MODE_NATIVE_UNTAGGED, 10,
			       "20"},
	[P_NATIVE_TAGGED] = {"native-tagged tag=10 trunks=20", VLAN_MODE_NATIVE_TAGGED, 10, "20"},
	[P_TUNNEL_100] = {"dot1q-tunnel tag=100", VLAN_MODE_DOT1Q_TUNNEL, 100, NULL},
};

/* ---- 1. ingress ---- */

enum {
	F_UNTAGGED,
	F_PRIO,
	F_PRIO_AD,
	F_VID10,
	F_VID20,
	F_VID30,
	F_VID4095,
	F_QINQ,
	F_TRUNC14,
	F_TRUNC15,
	F_TRUNC16,
	F_TRUNC17,
	F_TRUNC16_AD,
	F_TAGGED18,
	F_PRIO18,
	F_QINQ22,
	F_MAX
};

struct frame_def {
	const char *name;
	unsigned int ntags;
	struct tag tags[2];
	uint16_t len;  /* bytes in the frame */
	uint16_t len3; /* its payload: less the Ethernet header and up to two tags */
};

static const struct frame_def frames[F_MAX] = {
	[F_UNTAGGED] = {"untagged", 0, {{0}}, 64, 50},
	[F_PRIO] = {"priority-tagged PCP 5", 1, {{0x8100, TCI(5, 0)}}, 68, 50},
	[F_PRIO_AD] = {"priority-tagged 802.1ad PCP 5", 1, {{0x88a8, TCI(5, 0)}}, 68, 50},
	[F_VID10] = {"802.1Q VID 10 PCP 2", 1, {{0x8100, TCI(2, 10)}}, 68, 50},
	[F_VID20] = {"802.1Q VID 20", 1, {{0x8100, TCI(0, 20)}}, 68, 50},
	[F_VID30] = {"802.1Q VID 30 PCP 7", 1, {{0x8100, TCI(7, 30)}}, 68, 50},
	[F_VID4095] = {"802.1Q VID 4095", 1, {{0x8100, TCI(0, 4095)}}, 68, 50},
	[F_QINQ] = {"802.1ad VID 100 PCP 1 + 802.1Q VID 10", 2,
		    {{0x88a8, TCI(1, 100)}, {0x8100, TCI(0, 10)}}, 72, 50},
	[F_TRUNC14] = {"TPID, 14 bytes", 1, {{0x8100, TCI(0, 10)}}, 14, 0},
	[F_TRUNC15] = {"TPID, 15 bytes", 1, {{0x8100, TCI(0, 10)}}, 15, 0},
	[F_TRUNC16] = {"TPID, 16 bytes", 1, {{0x8100, TCI(0, 10)}}, 16, 0},
	[F_TRUNC17] = {"TPID, 17 bytes", 1, {{0x8100, TCI(0, 10)}}, 17, 0},
	[F_TRUNC16_AD] = {"802.1ad TPID, 16 bytes", 1, {{0x88a8, TCI(0, 100)}}, 16, 0},
	[F_TAGGED18] = {"802.1Q VID 10 PCP 6, 18 bytes", 1, {{0x8100, TCI(6, 10)}}, 18, 0},
	[F_PRIO18] = {"priority-tagged PCP 5, 18 bytes", 1, {{0x8100, TCI(5, 0)}}, 18, 0},
	[F_QINQ22] = {"802.1ad VID 100 + 802.1Q VID 10, 22 bytes", 2,
		      {{0x88a8, TCI(0, 100)}, {0x8100, TCI(0, 10)}}, 22, 0},
};

struct ingress_expect {
	int rc; /* -1: accepted */
	uint16_t vid;
	uint8_t pcp;
	uint8_t tagged;
	uint16_t tpid;
	uint8_t popped; /* the priority tag was removed */
};

#define RUNT {DP_DROP_runt, 0, 0, 0, 0, 0}
#define FILT {DP_DROP_vlan_filtered, 0, 0, 0, 0, 0}
/* Accepted untagged, frame as it came. */
#define UNT(vid, pcp) {-1, vid, pcp, 0, 0x8100, 0}
/* Accepted untagged after removing a priority tag; pushed tags are 802.1Q whatever its TPID. */
#define POP(vid, pcp) {-1, vid, pcp, 0, 0x8100, 1}
/* Accepted in the VLAN of its outer tag, which stays. */
#define TAG(vid, pcp, tpid) {-1, vid, pcp, 1, tpid, 0}
/* Accepted whole into service VLAN 100 (the frame's own tags are payload). */
#define SVC(pcp) {-1, 100, pcp, 0, 0x88a8, 0}

static const struct ingress_expect ingress_table[P_MAX][F_MAX] = {
	[P_TRUNK_ALL] = {
		[F_UNTAGGED] = UNT(0, 0),
		[F_PRIO] = POP(0, 5),
		[F_PRIO_AD] = POP(0, 5),
		[F_VID10] = TAG(10, 2, 0x8100),
		[F_VID20] = TAG(20, 0, 0x8100),
		[F_VID30] = TAG(30, 7, 0x8100),
		[F_VID4095] = TAG(4095, 0, 0x8100),
		[F_QINQ] = TAG(100, 1, 0x88a8),
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = TAG(10, 6, 0x8100),
		[F_PRIO18] = POP(0, 5),
		[F_QINQ22] = TAG(100, 0, 0x88a8),
	},
	[P_TRUNK_10_20] = {
		/* VLAN 0 is not in trunks: no untagged frames. */
		[F_UNTAGGED] = FILT,
		[F_PRIO] = FILT,
		[F_PRIO_AD] = FILT,
		[F_VID10] = TAG(10, 2, 0x8100),
		[F_VID20] = TAG(20, 0, 0x8100),
		[F_VID30] = FILT,
		[F_VID4095] = FILT,
		[F_QINQ] = FILT,
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = TAG(10, 6, 0x8100),
		[F_PRIO18] = FILT,
		[F_QINQ22] = FILT,
	},
	[P_ACCESS_10] = {
		[F_UNTAGGED] = UNT(10, 0),
		[F_PRIO] = POP(10, 5),
		[F_PRIO_AD] = POP(10, 5),
		[F_VID10] = FILT, /* even its own VLAN: access ports take no tagged frames */
		[F_VID20] = FILT,
		[F_VID30] = FILT,
		[F_VID4095] = FILT,
		[F_QINQ] = FILT,
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = FILT,
		[F_PRIO18] = POP(10, 5),
		[F_QINQ22] = FILT,
	},
	[P_ACCESS_0] = {
		[F_UNTAGGED] = UNT(0, 0),
		[F_PRIO] = POP(0, 5),
		[F_PRIO_AD] = POP(0, 5),
		[F_VID10] = FILT,
		[F_VID20] = FILT,
		[F_VID30] = FILT,
		[F_VID4095] = FILT,
		[F_QINQ] = FILT,
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = FILT,
		[F_PRIO18] = POP(0, 5),
		[F_QINQ22] = FILT,
	},
	[P_NATIVE_UNTAGGED] = {
		[F_UNTAGGED] = UNT(10, 0),
		[F_PRIO] = POP(10, 5),
		[F_PRIO_AD] = POP(10, 5),
		[F_VID10] = TAG(10, 2, 0x8100), /* the native VLAN is always carried */
		[F_VID20] = TAG(20, 0, 0x8100),
		[F_VID30] = FILT,
		[F_VID4095] = FILT,
		[F_QINQ] = FILT,
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = TAG(10, 6, 0x8100),
		[F_PRIO18] = POP(10, 5),
		[F_QINQ22] = FILT,
	},
	[P_NATIVE_TAGGED] = {
		[F_UNTAGGED] = UNT(10, 0),
		[F_PRIO] = POP(10, 5),
		[F_PRIO_AD] = POP(10, 5),
		[F_VID10] = TAG(10, 2, 0x8100),
		[F_VID20] = TAG(20, 0, 0x8100),
		[F_VID30] = FILT,
		[F_VID4095] = FILT,
		[F_QINQ] = FILT,
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = TAG(10, 6, 0x8100),
		[F_PRIO18] = POP(10, 5),
		[F_QINQ22] = FILT,
	},
	[P_TUNNEL_100] = {
		/* Every frame whole; the service tag takes the PCP of the frame's own
		 * outer tag (vlan.h: "its priority carries over"). */
		[F_UNTAGGED] = SVC(0),
		[F_PRIO] = SVC(5),
		[F_PRIO_AD] = SVC(5),
		[F_VID10] = SVC(2),
		[F_VID20] = SVC(0),
		[F_VID30] = SVC(7),
		[F_VID4095] = SVC(0),
		[F_QINQ] = SVC(1),
		[F_TRUNC14] = RUNT, [F_TRUNC15] = RUNT, [F_TRUNC16] = RUNT, [F_TRUNC17] = RUNT,
		[F_TRUNC16_AD] = RUNT,
		[F_TAGGED18] = SVC(6),
		[F_PRIO18] = SVC(5),
		[F_QINQ22] = SVC(0),
	},
};

static const char *
rc_name(int rc)
{
	return rc < 0 ? "accepted" : rc == DP_DROP_runt ? "runt"
		: rc == DP_DROP_vlan_filtered ? "vlan_filtered" : "other drop";
}

/* Checks one ingress case; returns the number of mismatches (0 or 1). */
static int
ingress_case(const struct vlan_port *vp, unsigned int pi, unsigned int fi, bool via_frame_parse)
{
	const struct frame_def *f = &frames[fi];
	const struct ingress_expect *e = &ingress_table[pi][fi];
	uint8_t in[256], want[256];
	size_t want_len;
	struct vlan_meta meta;
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	char ctx[160];
	int rc, bad = 0;

	snprintf(ctx, sizeof(ctx), "%s [%s] on %s", via_frame_parse ? "frame_parse" : "vlan_ingress",
		 f->name, ports[pi].name);
	frame_bytes(in, f->tags, f->ntags, f->len);
	m = mbuf_from(in, f->len);
	memset(&meta, 0xee, sizeof(meta));
	memset(&dst, 0xee, sizeof(dst));
	memset(&src, 0xee, sizeof(src));
	if (via_frame_parse)
		rc = frame_parse(m, vp, &dst, &src, &meta);
	else
		rc = vlan_ingress(vp, m, &meta);
	if (rc != e->rc) {
		print_message("%s: expected %s, got %s (%d)\n", ctx, rc_name(e->rc), rc_name(rc), rc);
		rte_pktmbuf_free(m);
		return 1;
	}
	if (rc >= 0) {
		/* A dropped frame is left as it came. */
		bad |= !bytes_are(ctx, m, in, f->len);
		rte_pktmbuf_free(m);
		return bad;
	}
	if ((meta.tci & 0xfff) != e->vid || meta.tci >> 13 != e->pcp || meta.tagged != e->tagged ||
	    meta.tpid != e->tpid || meta.len3 != f->len3) {
		print_message("%s: expected vid %u pcp %u tagged %u tpid %#x len3 %u, "
			      "got vid %u pcp %u tagged %u tpid %#x len3 %u\n",
			      ctx, e->vid, e->pcp, e->tagged, e->tpid, f->len3, meta.tci & 0xfff,
			      meta.tci >> 13, meta.tagged, meta.tpid, meta.len3);
		bad = 1;
	}
	if (meta.tci & 0x1000) {
		print_message("%s: DEI/CFI bit set in tci %#x\n", ctx, meta.tci);
		bad = 1;
	}
	if (e->popped) {
		want_len = without_outer_tag(want, in, f->len);
		/* The MACs are intact and the ethertype is now the inner one. */
		if (f->len >= 18 && (want[12] != 0x08 || want[13] != 0x00)) {
			print_message("%s: bad expectation\n", ctx);
			bad = 1;
		}
	} else {
		memcpy(want, in, f->len);
		want_len = f->len;
	}
	if (!bytes_are(ctx, m, want, want_len))
		bad = 1;
	if (via_frame_parse &&
	    (dst.vlan != e->vid || src.vlan != e->vid || memcmp(&dst.mac, mac_dst, 6) != 0 ||
	     memcmp(&src.mac, mac_src, 6) != 0)) {
		print_message("%s: keys: expected VLAN %u, got dst %u src %u (or MACs wrong)\n", ctx,
			      e->vid, dst.vlan, src.vlan);
		bad = 1;
	}
	rte_pktmbuf_free(m);
	return bad;
}

static void
test_ingress(void **state)
{
	int failures = 0, cases = 0;

	for (unsigned int pi = 0; pi < P_MAX; pi++) {
		struct vlan_port vp;

		port_make(&vp, &ports[pi]);
		for (unsigned int fi = 0; fi < F_MAX; fi++) {
			failures += ingress_case(&vp, pi, fi, false);
			failures += ingress_case(&vp, pi, fi, true);
			cases += 2;
		}
	}
	print_message("ingress: %d cases, %d failed\n", cases, failures);
	assert_int_equal(failures, 0);
	assert_no_leak();
}

/* ---- 2. egress ---- */

static const uint16_t egress_vids[] = {0, 10, 20, 30, 100, 4095};
#define N_EGRESS_VIDS RTE_DIM(egress_vids)

#define N VLAN_EGRESS_NONE
#define U VLAN_EGRESS_UNTAGGED
#define T VLAN_EGRESS_TAGGED

static const enum vlan_egress egress_table[P_MAX][N_EGRESS_VIDS] = {
	/*                      0  10 20 30 100 4095 */
	[P_TRUNK_ALL] =       {U, T, T, T, T, T},
	[P_TRUNK_10_20] =     {N, T, T, N, N, N},
	[P_ACCESS_10] =       {N, U, N, N, N, N},
	[P_ACCESS_0] =        {U, N, N, N, N, N},
	[P_NATIVE_UNTAGGED] = {N, U, T, N, N, N},
	[P_NATIVE_TAGGED] =   {N, T, T, N, N, N},
	[P_TUNNEL_100] =      {N, N, N, N, U, N},
};

static const char *
egress_name(enum vlan_egress e)
{
	return e == VLAN_EGRESS_NONE ? "NONE" : e == VLAN_EGRESS_UNTAGGED ? "UNTAGGED"
		: e == VLAN_EGRESS_TAGGED ? "TAGGED" : "?";
}

static int
egress_check(const char *port, const struct vlan_port *vp, uint16_t vid, enum vlan_egress want)
{
	enum vlan_egress got = vlan_egress(vp, vid);

	if (got == want)
		return 0;
	print_message("vlan_egress(%s, VLAN %u): expected %s, got %s\n", port, vid,
		      egress_name(want), egress_name(got));
	return 1;
}

static void
test_egress(void **state)
{
	int failures = 0, cases = 0;

	for (unsigned int pi = 0; pi < P_MAX; pi++) {
		struct vlan_port vp;

		port_make(&vp, &ports[pi]);
		for (unsigned int vi = 0; vi < N_EGRESS_VIDS; vi++) {
			failures += egress_check(ports[pi].name, &vp, egress_vids[vi],
						 egress_table[pi][vi]);
			cases++;
		}
	}
	print_message("egress: %d cases, %d failed\n", cases, failures);
	assert_int_equal(failures, 0);
}

/*
 * VLAN 0 (untagged frames of trunk ports) on other port configurations. OVS
 * never lets a native-* port trunk VLAN 0 (ofproto-dpif.c bundle_set: "Force
 * trunking the native VLAN and prohibit trunking VLAN 0"), even with trunks
 * absent or listing 0: otherwise VLAN 0 frames would leave untagged and merge
 * into the native VLAN on the wire (or, native-tagged, leave untagged at all).
 */
static void
test_egress_vlan0(void **state)
{
	static const struct {
		struct port_def port;
		uint16_t vid;
		enum vlan_egress want;
	} cases[] = {
		{{"trunk trunks=0,10", VLAN_MODE_TRUNK, -1, "0,10"}, 0, U},
		{{"trunk trunks=0,10", VLAN_MODE_TRUNK, -1, "0,10"}, 10, T},
		{{"trunk trunks=0,10", VLAN_MODE_TRUNK, -1, "0,10"}, 20, N},
		{{"trunk trunks=10", VLAN_MODE_TRUNK, -1, "10"}, 0, N},
		{{"native-untagged tag=10", VLAN_MODE_NATIVE_UNTAGGED, 10, NULL}, 10, U},
		{{"native-untagged tag=10", VLAN_MODE_NATIVE_UNTAGGED, 10, NULL}, 30, T},
		{{"native-untagged tag=10", VLAN_MODE_NATIVE_UNTAGGED, 10, NULL}, 0, N},
		{{"native-tagged tag=10", VLAN_MODE_NATIVE_TAGGED, 10, NULL}, 10, T},
		{{"native-tagged tag=10", VLAN_MODE_NATIVE_TAGGED, 10, NULL}, 30, T},
		{{"native-tagged tag=10", VLAN_MODE_NATIVE_TAGGED, 10, NULL}, 0, N},
		{{"native-untagged tag=10 trunks=0,20", VLAN_MODE_NATIVE_UNTAGGED, 10, "0,20"}, 0, N},
		{{"native-tagged tag=10 trunks=0,20", VLAN_MODE_NATIVE_TAGGED, 10, "0,20"}, 0, N},
		{{"native-untagged tag=10 trunks=0,20", VLAN_MODE_NATIVE_UNTAGGED, 10, "0,20"}, 20, T},
	};
	int failures = 0;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct vlan_port vp;

		port_make(&vp, &cases[i].port);
		failures += egress_check(cases[i].port.name, &vp, cases[i].vid, cases[i].want);
	}
	print_message("egress VLAN 0: %zu cases, %d failed\n", RTE_DIM(cases), failures);
	assert_int_equal(failures, 0);
}

#undef N
#undef U
#undef T

/* ---- 3. vlan_apply ---- */

static void
test_apply_pop(void **state)
{
	static const struct tag t = {0x8100, TCI(3, 10)};
	uint8_t in[68], want[68];
	struct vlan_meta meta = {.tci = TCI(3, 10), .tpid = 0x8100, .len3 = 50, .tagged = 1};
	struct rte_mbuf *m;
	uint16_t headroom;

	frame_bytes(in, &t, 1, sizeof(in));
	m = mbuf_from(in, sizeof(in));
	headroom = rte_pktmbuf_headroom(m);
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_UNTAGGED), 0);
	/* dst, src, IPv4 ethertype, the payload: the 4 tag bytes gone and nothing else. */
	assert_int_equal(without_outer_tag(want, in, sizeof(in)), 64);
	assert_int_equal(want[12], 0x08);
	assert_int_equal(want[13], 0x00);
	assert_memory_equal(want, mac_dst, 6);
	assert_memory_equal(want + 6, mac_src, 6);
	assert_bytes(m, want, 64);
	assert_int_equal(rte_pktmbuf_headroom(m), headroom + 4);
	/* Already untagged: nothing more to do. */
	meta.tagged = 0;
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_UNTAGGED), 0);
	assert_bytes(m, want, 64);
	rte_pktmbuf_free(m);

	/* Tagged and leaving tagged: untouched, tag and all. */
	m = mbuf_from(in, sizeof(in));
	meta.tagged = 1;
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), 0);
	assert_bytes(m, in, sizeof(in));
	rte_pktmbuf_free(m);

	/* The shortest tagged frame: 18 bytes become a bare 14-byte header. */
	m = mbuf_from(in, 18);
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_UNTAGGED), 0);
	assert_bytes(m, want, 14);
	rte_pktmbuf_free(m);
	assert_no_leak();
}

static void
test_apply_push(void **state)
{
	static const struct tag t = {0x88a8, TCI(3, 100)};
	uint8_t in[64], want[68];
	struct vlan_meta meta = {.tci = TCI(3, 100), .tpid = 0x88a8, .len3 = 50, .tagged = 0};
	struct rte_mbuf *m;

	frame_bytes(in, NULL, 0, sizeof(in));
	frame_bytes(want, &t, 1, sizeof(want));
	/* Spelled out: the tag is 88 a8, then PCP 3 / VID 100 = 0x6064. */
	assert_int_equal(want[12], 0x88);
	assert_int_equal(want[13], 0xa8);
	assert_int_equal(want[14], 0x60);
	assert_int_equal(want[15], 0x64);
	assert_memory_equal(want + 16, in + 12, sizeof(in) - 12);

	m = mbuf_from(in, sizeof(in));
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), 0);
	assert_bytes(m, want, sizeof(want));
	rte_pktmbuf_free(m);

	/* Untagged and leaving untagged: untouched. */
	m = mbuf_from(in, sizeof(in));
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_UNTAGGED), 0);
	assert_bytes(m, in, sizeof(in));
	rte_pktmbuf_free(m);

	/* 802.1Q with DEI clear and the highest VID. */
	meta.tpid = 0x8100;
	meta.tci = TCI(7, 4095);
	m = mbuf_from(in, sizeof(in));
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), 0);
	want[12] = 0x81;
	want[13] = 0x00;
	want[14] = 0xef;
	want[15] = 0xff;
	assert_bytes(m, want, sizeof(want));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

/* An untagged frame in an mbuf with exactly headroom bytes before it. */
static struct rte_mbuf *
mbuf_with_headroom(const uint8_t *b, size_t len, uint16_t headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	m->data_off = headroom;
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)len));
	memcpy(rte_pktmbuf_mtod(m, void *), b, len);
	assert_int_equal(rte_pktmbuf_headroom(m), headroom);
	return m;
}

static void
test_apply_no_headroom(void **state)
{
	static const struct tag t = {0x8100, TCI(0, 10)};
	uint8_t in[64], want[68];
	struct vlan_meta meta = {.tci = TCI(0, 10), .tpid = 0x8100, .len3 = 50, .tagged = 0};
	struct rte_mbuf *m;

	frame_bytes(in, NULL, 0, sizeof(in));
	frame_bytes(want, &t, 1, sizeof(want));
	for (uint16_t h = 0; h < VLAN_HLEN; h++) {
		m = mbuf_with_headroom(in, sizeof(in), h);
		assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), -1);
		assert_bytes(m, in, sizeof(in));
		assert_int_equal(rte_pktmbuf_headroom(m), h);
		rte_pktmbuf_free(m);
	}
	/* Exactly enough. */
	m = mbuf_with_headroom(in, sizeof(in), VLAN_HLEN);
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), 0);
	assert_bytes(m, want, sizeof(want));
	assert_int_equal(rte_pktmbuf_headroom(m), 0);
	rte_pktmbuf_free(m);

	/* Headroom used up with rte_pktmbuf_prepend, the frame copied to the new start. */
	m = mbuf_from(in, sizeof(in));
	while (rte_pktmbuf_headroom(m) >= VLAN_HLEN)
		assert_non_null(rte_pktmbuf_prepend(m, 1));
	memcpy(rte_pktmbuf_mtod(m, void *), in, sizeof(in));
	assert_int_equal(rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - sizeof(in))), 0);
	assert_true(rte_pktmbuf_headroom(m) < VLAN_HLEN);
	assert_int_equal(vlan_apply(m, &meta, VLAN_EGRESS_TAGGED), -1);
	assert_bytes(m, in, sizeof(in));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

/* ---- 4. round trips ---- */

/* Receives b on port in, then sends a private copy out of port out; NULL if the
 * frame is dropped on the way in or out. *meta gets the ingress metadata. */
static struct rte_mbuf *
switch_frame(const struct port_def *in, const struct port_def *out, const uint8_t *b, size_t len,
	     struct vlan_meta *meta)
{
	struct vlan_port vin, vout;
	struct rte_mbuf *m, *c;
	enum vlan_egress e;

	port_make(&vin, in);
	port_make(&vout, out);
	m = mbuf_from(b, len);
	if (vlan_ingress(&vin, m, meta) >= 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	e = vlan_egress(&vout, meta->tci & VLAN_VID_MAX);
	if (e == VLAN_EGRESS_NONE) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* A flooded frame: each output port gets its own copy. */
	c = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
	assert_non_null(c);
	rte_pktmbuf_free(m);
	assert_int_equal(vlan_apply(c, meta, e), 0);
	return c;
}

static void
test_roundtrip_access_trunk(void **state)
{
	static const struct port_def access10 = {"access tag=10", VLAN_MODE_ACCESS, 10, NULL};
	static const struct port_def access20 = {"access tag=20", VLAN_MODE_ACCESS, 20, NULL};
	static const struct port_def trunk = {"trunk", VLAN_MODE_TRUNK, -1, NULL};
	static const struct port_def nu = {"native-untagged tag=10", VLAN_MODE_NATIVE_UNTAGGED, 10,
					   "20"};
	static const struct port_def nt = {"native-tagged tag=10", VLAN_MODE_NATIVE_TAGGED, 10,
					   "20"};
	static const struct tag prio = {0x8100, TCI(5, 0)};
	static const struct tag vlan10_pcp5 = {0x8100, TCI(5, 10)};
	static const struct tag vlan10 = {0x8100, TCI(0, 10)};
	uint8_t in_prio[68], in_untagged[64], tagged[68], tagged0[68];
	struct vlan_meta meta;
	struct rte_mbuf *m;

	frame_bytes(in_prio, &prio, 1, sizeof(in_prio));
	frame_bytes(in_untagged, NULL, 0, sizeof(in_untagged));
	frame_bytes(tagged, &vlan10_pcp5, 1, sizeof(tagged));
	frame_bytes(tagged0, &vlan10, 1, sizeof(tagged0));
	/* 81 00 a0 0a: 802.1Q, PCP 5, VID 10. */
	assert_int_equal(tagged[14], 0xa0);
	assert_int_equal(tagged[15], 0x0a);

	/* Priority-tagged on access 10 -> trunk: tagged 10, PCP kept. */
	m = switch_frame(&access10, &trunk, in_prio, sizeof(in_prio), &meta);
	assert_non_null(m);
	assert_bytes(m, tagged, sizeof(tagged));
	rte_pktmbuf_free(m);
	/* -> native-tagged 10: tagged too; -> native-untagged 10: untagged. */
	m = switch_frame(&access10, &nt, in_prio, sizeof(in_prio), &meta);
	assert_non_null(m);
	assert_bytes(m, tagged, sizeof(tagged));
	rte_pktmbuf_free(m);
	m = switch_frame(&access10, &nu, in_prio, sizeof(in_prio), &meta);
	assert_non_null(m);
	assert_bytes(m, in_untagged, sizeof(in_untagged));
	rte_pktmbuf_free(m);
	/* -> another access 10 port: untagged, priority tag gone; -> access 20: not at all. */
	m = switch_frame(&access10, &access10, in_prio, sizeof(in_prio), &meta);
	assert_non_null(m);
	assert_bytes(m, in_untagged, sizeof(in_untagged));
	rte_pktmbuf_free(m);
	assert_null(switch_frame(&access10, &access20, in_prio, sizeof(in_prio), &meta));

	/* Untagged on access 10 -> trunk: 802.1Q VID 10, PCP 0. */
	m = switch_frame(&access10, &trunk, in_untagged, sizeof(in_untagged), &meta);
	assert_non_null(m);
	assert_bytes(m, tagged0, sizeof(tagged0));
	rte_pktmbuf_free(m);

	/* And back: tagged 10 on a trunk -> access 10 untagged, -> access 20 nothing. */
	m = switch_frame(&trunk, &access10, tagged, sizeof(tagged), &meta);
	assert_non_null(m);
	assert_bytes(m, in_untagged, sizeof(in_untagged));
	rte_pktmbuf_free(m);
	assert_null(switch_frame(&trunk, &access20, tagged, sizeof(tagged), &meta));
	/* Trunk to trunk: as it came. */
	m = switch_frame(&trunk, &trunk, tagged, sizeof(tagged), &meta);
	assert_non_null(m);
	assert_bytes(m, tagged, sizeof(tagged));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

static void
test_roundtrip_tunnel(void **state)
{
	static const struct port_def tunnel = {"dot1q-tunnel tag=100", VLAN_MODE_DOT1Q_TUNNEL, 100,
					       NULL};
	static const struct port_def tunnel200 = {"dot1q-tunnel tag=200", VLAN_MODE_DOT1Q_TUNNEL,
						  200, NULL};
	static const struct port_def trunk = {"trunk", VLAN_MODE_TRUNK, -1, NULL};
	static const struct port_def access100 = {"access tag=100", VLAN_MODE_ACCESS, 100, NULL};
	/* Customer frames with PCP 0, so the service tag's PCP is 0 whichever rule applies. */
	static const struct tag cust[] = {{0x8100, TCI(0, 10)}};
	static const struct tag svc_cust[] = {{0x88a8, TCI(0, 100)}, {0x8100, TCI(0, 10)}};
	static const struct tag svc[] = {{0x88a8, TCI(0, 100)}};
	uint8_t customer[68], on_trunk[72], untagged[64], untagged_on_trunk[68];
	struct vlan_meta meta;
	struct rte_mbuf *m;

	frame_bytes(customer, cust, 1, sizeof(customer));
	frame_bytes(on_trunk, svc_cust, 2, sizeof(on_trunk));
	frame_bytes(untagged, NULL, 0, sizeof(untagged));
	frame_bytes(untagged_on_trunk, svc, 1, sizeof(untagged_on_trunk));
	/* 88 a8 00 64 81 00 00 0a 08 00: service tag ahead of the customer's. */
	assert_int_equal(on_trunk[12], 0x88);
	assert_int_equal(on_trunk[13], 0xa8);
	assert_int_equal(on_trunk[15], 0x64);
	assert_int_equal(on_trunk[16], 0x81);
	assert_int_equal(on_trunk[19], 0x0a);

	/* Customer VID 10 on the tunnel port -> trunk: 0x88a8 VID 100 pushed in front. */
	m = switch_frame(&tunnel, &trunk, customer, sizeof(customer), &meta);
	assert_non_null(m);
	assert_int_equal(meta.tci & VLAN_VID_MAX, 100);
	assert_int_equal(meta.len3, 50);
	assert_bytes(m, on_trunk, sizeof(on_trunk));
	rte_pktmbuf_free(m);

	/* Back: the trunk takes it in VLAN 100 (outer 802.1ad); the tunnel port
	 * strips the service tag and the customer's tag stays. */
	m = switch_frame(&trunk, &tunnel, on_trunk, sizeof(on_trunk), &meta);
	assert_non_null(m);
	assert_int_equal(meta.tci & VLAN_VID_MAX, 100);
	assert_int_equal(meta.tpid, 0x88a8);
	assert_int_equal(meta.tagged, 1);
	assert_int_equal(meta.len3, 50);
	assert_bytes(m, customer, sizeof(customer));
	rte_pktmbuf_free(m);
	/* Another tunnel's trunk VLAN does not reach it. */
	assert_null(switch_frame(&trunk, &tunnel200, on_trunk, sizeof(on_trunk), &meta));

	/* An untagged customer frame the same way. */
	m = switch_frame(&tunnel, &trunk, untagged, sizeof(untagged), &meta);
	assert_non_null(m);
	assert_bytes(m, untagged_on_trunk, sizeof(untagged_on_trunk));
	rte_pktmbuf_free(m);
	m = switch_frame(&trunk, &tunnel, untagged_on_trunk, sizeof(untagged_on_trunk), &meta);
	assert_non_null(m);
	assert_bytes(m, untagged, sizeof(untagged));
	rte_pktmbuf_free(m);

	/* Tunnel to tunnel of the same service VLAN: the customer frame unchanged. */
	m = switch_frame(&tunnel, &tunnel, customer, sizeof(customer), &meta);
	assert_non_null(m);
	assert_bytes(m, customer, sizeof(customer));
	rte_pktmbuf_free(m);
	/* Tunnel to an access port of VLAN 100: untagged, customer tag kept. */
	m = switch_frame(&tunnel, &access100, customer, sizeof(customer), &meta);
	assert_non_null(m);
	assert_bytes(m, customer, sizeof(customer));
	rte_pktmbuf_free(m);
	assert_no_leak();
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ingress),
		cmocka_unit_test(test_egress),
		cmocka_unit_test(test_egress_vlan0),
		cmocka_unit_test(test_apply_pop),
		cmocka_unit_test(test_apply_push),
		cmocka_unit_test(test_apply_no_headroom),
		cmocka_unit_test(test_roundtrip_access_trunk),
		cmocka_unit_test(test_roundtrip_tunnel),
	};
	int ret;

	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_vlan: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_vlan", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_vlan: cannot create the mbuf pool\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
