/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FDB_H
#define VSWITCH_DATAPATH_FDB_H

/*
 * The MAC learning table (forwarding database) of one bridge.
 *
 * Threading contract:
 * - One writer: the control thread. It alone calls the functions in the
 *   "control thread only" group. PMD threads never insert; they queue learn
 *   events that the control thread applies with fdb_learn().
 * - Any number of lock-free readers: PMD threads call the "_rcu" functions
 *   between two quiescent-state reports on the QSBR variable given at
 *   creation. A deleted entry's memory is reused only after every reader has
 *   reported quiescent, so a reader may keep using an entry pointer until its
 *   next quiescent report.
 * - The one field readers write is fdb_entry.last_seen, with a relaxed store
 *   and only when its value changes, so the cache line stays clean for
 *   frames from a MAC that is already known.
 *
 * The table is an rte_hash created with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF
 * and an extendable bucket table; its data pointer points at a struct
 * fdb_entry from a pool owned by the table. The size limit is enforced by the
 * writer, so a full table costs readers nothing.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#define FDB_PORT_NONE UINT16_MAX

/* Moves of one MAC within FDB_FLAP_WINDOW_SEC that make it "flapping". */
#define FDB_FLAP_MOVES 4
#define FDB_FLAP_WINDOW_SEC 10

#define FDB_MAX_ENTRIES (1u << 20)
#define FDB_DEFAULT_ENTRIES 8192
#define FDB_DEFAULT_AGING_SEC 300

/* Longest fdb_params.name. rte_hash and its RCU defer queue name their rings "HT_<name>",
 * "HASH_RCU_<name>" and so on, and DPDK ring names are at most 28 characters. */
#define FDB_NAME_MAX 19

/* The hash key: 8 bytes, compared whole. vlan is the VLAN id, 0 when untagged. */
struct fdb_key {
	struct rte_ether_addr mac;
	uint16_t vlan;
};
_Static_assert(sizeof(struct fdb_key) == 8, "fdb_key is hashed whole and must have no padding");

/* Whole-key equality as one 64-bit compare. Any thread. */
static inline bool
fdb_key_equal(const struct fdb_key *a, const struct fdb_key *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x == y;
}

struct fdb_entry {
	uint32_t last_seen; /* dp: relaxed store when changed, cp: rw. Seconds (fdb_now()). */
	uint16_t port;      /* dp: ro, cp: rw (atomic 16-bit store on a move). */
	uint16_t flags;     /* FDB_F_* below. dp: ro, cp: rw. */
};

#define FDB_F_FLAPPING (1u << 0)

struct fdb_params {
	const char *name;         /* unique among live tables (rte_hash names are global) */
	uint32_t max_entries;     /* size limit, 1..FDB_MAX_ENTRIES */
	uint32_t aging_sec;       /* idle entries older than this are removed by fdb_age() */
	int socket_id;            /* NUMA socket for the table memory, or SOCKET_ID_ANY */
	struct rte_rcu_qsbr *qsbr; /* readers' QSBR variable; required */
};

/* Result of fdb_learn(). */
enum fdb_learn_status {
	FDB_LEARN_REFRESHED = 0, /* known on the same port; last_seen updated */
	FDB_LEARN_ADDED,         /* new entry */
	FDB_LEARN_MOVED,         /* known on another port; moved to the new one */
	FDB_LEARN_FLAPPING,      /* moved, and the MAC now moves often enough to be flapping */
};

struct fdb_stats {
	uint64_t learned;    /* entries added */
	uint64_t moves;      /* MAC moves */
	uint64_t full;       /* learns refused because the table was at its limit */
	uint64_t aged;       /* entries removed by aging */
};

/* Snapshot of one entry, for display (control thread only). */
struct fdb_entry_info {
	struct fdb_key key;
	uint16_t port;
	uint16_t prev_port;   /* port it was on before its last move, FDB_PORT_NONE if never moved */
	uint32_t age_sec;     /* now - last_seen */
	uint32_t recent_moves; /* moves within the current flap window */
	bool flapping;
};

struct fdb;

/* Seconds on the monotonic TSC clock; the time base of last_seen. Any thread. */
uint32_t fdb_now(void);

/* --- control thread only ------------------------------------------------ */

/* Returns NULL and sets errno (EINVAL bad params, ENOMEM, EEXIST name in use). */
struct fdb *fdb_create(const struct fdb_params *params);

/* Frees the table. The caller guarantees no reader can still reach it
 * (it was unpublished and rte_rcu_qsbr_synchronize() has returned). NULL is a no-op. */
void fdb_destroy(struct fdb *fdb);

/*
 * Learns that key was seen on port at time now.
 * Returns an enum fdb_learn_status (>= 0), or -ENOSPC when the entry is new
 * and the table holds max_entries already (counted in stats.full).
 * On FDB_LEARN_MOVED and FDB_LEARN_FLAPPING, *old_port (if not NULL) is set
 * to the port the MAC was on.
 */
int fdb_learn(struct fdb *fdb, const struct fdb_key *key, uint16_t port, uint32_t now,
	      uint16_t *old_port);

/* Removes entries idle for more than aging_sec; returns how many. */
unsigned fdb_age(struct fdb *fdb, uint32_t now);

/* Removes every entry; with fdb_flush_port(), only those on one port. Return how many. */
unsigned fdb_flush(struct fdb *fdb);
unsigned fdb_flush_port(struct fdb *fdb, uint16_t port);

/* Changes the aging time; takes effect at the next fdb_age(). */
void fdb_set_aging(struct fdb *fdb, uint32_t aging_sec);

/* Copies every entry of src into dst (up to dst's limit), keeping last_seen
 * and port. Used to resize: build a new table, copy, publish, destroy the old.
 * Returns the number copied. */
unsigned fdb_copy(struct fdb *dst, const struct fdb *src);

unsigned fdb_count(const struct fdb *fdb);
uint32_t fdb_max_entries(const struct fdb *fdb);
uint32_t fdb_aging(const struct fdb *fdb);
void fdb_get_stats(const struct fdb *fdb, struct fdb_stats *stats);

/* Calls cb once per entry, in no particular order; stops early when cb returns non-zero
 * and returns that value. */
typedef int (*fdb_walk_cb)(const struct fdb_entry_info *info, void *arg);
int fdb_walk(const struct fdb *fdb, uint32_t now, fdb_walk_cb cb, void *arg);

/* --- lock-free readers (PMD threads), any thread ------------------------ */

/*
 * Looks up n keys (n <= 64). entries[i] is the entry for keys[i], or NULL on
 * a miss. Valid until the caller's next quiescent-state report.
 */
void fdb_lookup_bulk_rcu(const struct fdb *fdb, const struct fdb_key *const keys[], unsigned n,
			 struct fdb_entry *entries[]);

/* Marks the entry as seen at now. Writes only when the second has changed. */
static inline void
fdb_touch_rcu(struct fdb_entry *e, uint32_t now)
{
	if (__atomic_load_n(&e->last_seen, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&e->last_seen, now, __ATOMIC_RELAXED);
}

#endif
