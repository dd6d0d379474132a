/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MAC learning table: random operations checked against a naive reference model, flap
 * detection, a concurrent reader stress test and parameter checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "datapath/fdb.h"

#define N_READERS 2

static struct rte_rcu_qsbr *qsbr;
static unsigned int seed;
static unsigned int name_seq;

/* rte_hash names are global, so every table of this process gets its own. */
static struct fdb *
make_fdb(uint32_t max_entries, uint32_t aging_sec)
{
	char name[FDB_NAME_MAX + 1];
	struct fdb_params p = {
		.name = name,
		.max_entries = max_entries,
		.aging_sec = aging_sec,
		.socket_id = SOCKET_ID_ANY,
		.qsbr = qsbr,
	};
	struct fdb *fdb;

	snprintf(name, sizeof(name), "tfdb%u", name_seq++);
	fdb = fdb_create(&p);
	assert_non_null(fdb);
	return fdb;
}

static struct fdb_key
make_key(uint32_t id, uint16_t vlan)
{
	struct fdb_key k = {.vlan = vlan};

	k.mac.addr_bytes[0] = 0x02; /* locally administered unicast */
	k.mac.addr_bytes[2] = id >> 24;
	k.mac.addr_bytes[3] = id >> 16;
	k.mac.addr_bytes[4] = id >> 8;
	k.mac.addr_bytes[5] = id;
	return k;
}

static bool
key_eq(const struct fdb_key *a, const struct fdb_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint32_t
elapsed(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);

	return d > 0 ? (uint32_t)d : 0;
}

/* --- reference model: a plain array, searched linearly --------------------------------- */

#define MODEL_CAP 256

struct model_entry {
	struct fdb_key key;
	uint16_t port;
	uint16_t prev_port;
	uint32_t last_seen;
	uint32_t window_start;
	uint32_t recent_moves;
	uint32_t last_move;
	bool flapping;
};

struct model {
	struct model_entry e[MODEL_CAP];
	unsigned n;
	uint32_t max;
	uint32_t aging;
	struct fdb_stats stats;
};

static struct model_entry *
model_find(struct model *m, const struct fdb_key *key)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (key_eq(&m->e[i].key, key))
			return &m->e[i];
	return NULL;
}

static void
model_remove_at(struct model *m, unsigned i)
{
	m->e[i] = m->e[--m->n];
}

static void
model_flap_expire(struct model_entry *e, uint32_t now)
{
	if (e->flapping && elapsed(now, e->last_move) >= FDB_FLAP_WINDOW_SEC)
		e->flapping = false;
}

static int
model_learn(struct model *m, const struct fdb_key *key, uint16_t port, uint32_t now,
	    uint16_t *old_port)
{
	struct model_entry *e = model_find(m, key);

	if (e == NULL) {
		if (m->n >= m->max) {
			m->stats.full++;
			return -ENOSPC;
		}
		e = &m->e[m->n++];
		*e = (struct model_entry){.key = *key, .port = port, .last_seen = now,
					  .prev_port = FDB_PORT_NONE};
		m->stats.learned++;
		return FDB_LEARN_ADDED;
	}
	model_flap_expire(e, now);
	if ((int32_t)(now - e->last_seen) > 0)
		e->last_seen = now;
	if (e->port == port)
		return FDB_LEARN_REFRESHED;
	*old_port = e->port;
	e->prev_port = e->port;
	e->port = port;
	m->stats.moves++;
	if (e->recent_moves == 0 || elapsed(now, e->window_start) >= FDB_FLAP_WINDOW_SEC) {
		e->window_start = now;
		e->recent_moves = 0;
	}
	e->recent_moves++;
	e->last_move = now;
	if (e->recent_moves >= FDB_FLAP_MOVES)
		e->flapping = true;
	return e->flapping ? FDB_LEARN_FLAPPING : FDB_LEARN_MOVED;
}

static unsigned
model_age(struct model *m, uint32_t now)
{
	unsigned i = 0, n = 0;

	while (i < m->n) {
		if (elapsed(now, m->e[i].last_seen) > m->aging) {
			model_remove_at(m, i);
			n++;
		} else {
			model_flap_expire(&m->e[i], now);
			i++;
		}
	}
	m->stats.aged += n;
	return n;
}

static unsigned
model_flush_port(struct model *m, uint16_t port, bool all)
{
	unsigned i = 0, n = 0;

	while (i < m->n) {
		if (all || m->e[i].port == port) {
			model_remove_at(m, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

static int
model_copy_cmp(const void *a, const void *b)
{
	const struct model_entry *x = a, *y = b;

	if (x->last_seen != y->last_seen)
		return x->last_seen > y->last_seen ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Into an empty dst: the most recently seen entries first, ties by key bytes. */
static unsigned
model_copy(struct model *dst, const struct model *src)
{
	struct model_entry sorted[MODEL_CAP];
	unsigned i;

	memcpy(sorted, src->e, src->n * sizeof(sorted[0]));
	qsort(sorted, src->n, sizeof(sorted[0]), model_copy_cmp);
	for (i = 0; i < src->n && dst->n < dst->max; i++)
		dst->e[dst->n++] = sorted[i];
	return dst->n;
}

/* --- comparing the table with the model ------------------------------------------------ */

#define KEY_POOL 96

static struct fdb_key key_pool[KEY_POOL];

struct walk_ctx {
	struct model *m;
	uint32_t now;
	unsigned seen;
};

static int
check_walk_cb(const struct fdb_entry_info *info, void *arg)
{
	struct walk_ctx *w = arg;
	struct model_entry *e = model_find(w->m, &info->key);

	assert_non_null(e);
	assert_int_equal(info->port, e->port);
	assert_int_equal(info->prev_port, e->prev_port);
	assert_int_equal(info->age_sec, elapsed(w->now, e->last_seen));
	assert_int_equal(info->flapping, e->flapping);
	if (e->recent_moves != 0 && elapsed(w->now, e->window_start) < FDB_FLAP_WINDOW_SEC)
		assert_int_equal(info->recent_moves, e->recent_moves);
	else
		assert_int_equal(info->recent_moves, 0);
	w->seen++;
	return 0;
}

static void
check_equal(const struct fdb *fdb, struct model *m, uint32_t now)
{
	const struct fdb_key *keys[KEY_POOL];
	struct fdb_entry *entries[KEY_POOL];
	struct walk_ctx w = {.m = m, .now = now};
	struct fdb_stats st;
	unsigned i;

	assert_int_equal(fdb_count(fdb), m->n);
	assert_true(fdb_count(fdb) <= fdb_max_entries(fdb));
	assert_int_equal(fdb_aging(fdb), m->aging);

	for (i = 0; i < KEY_POOL; i++)
		keys[i] = &key_pool[i];
	/* 96 keys: one full bulk of 64 and a partial one. */
	fdb_lookup_bulk_rcu(fdb, keys, 64, entries);
	fdb_lookup_bulk_rcu(fdb, keys + 64, KEY_POOL - 64, entries + 64);
	for (i = 0; i < KEY_POOL; i++) {
		struct model_entry *e = model_find(m, keys[i]);

		if (e == NULL) {
			assert_null(entries[i]);
			continue;
		}
		assert_non_null(entries[i]);
		assert_int_equal(entries[i]->port, e->port);
		assert_int_equal(entries[i]->last_seen, e->last_seen);
		assert_int_equal(!!(entries[i]->flags & FDB_F_FLAPPING), e->flapping);
	}

	assert_int_equal(fdb_walk(fdb, now, check_walk_cb, &w), 0);
	assert_int_equal(w.seen, m->n);

	fdb_get_stats(fdb, &st);
	assert_int_equal(st.learned, m->stats.learned);
	assert_int_equal(st.moves, m->stats.moves);
	assert_int_equal(st.full, m->stats.full);
	assert_int_equal(st.aged, m->stats.aged);
}

/* --- 1. random operations against the model -------------------------------------------- */

#define MODEL_OPS 20000

static void
test_reference_model(void **state)
{
	static struct model m, m2;
	uint32_t now = 1000;
	struct fdb *fdb, *dst;
	uint16_t old_port, mold_port;
	unsigned i, r, counts[8] = {0};
	int ret, mret;

	srand(seed);
	for (i = 0; i < KEY_POOL; i++)
		key_pool[i] = make_key(rand() % 64, (i % 3 == 0) ? 10 : 0);
	/* Duplicates in the pool only make some keys more frequent; lookups stay valid. */

	memset(&m, 0, sizeof(m));
	m.max = 48;
	m.aging = 30;
	fdb = make_fdb(m.max, m.aging);

	for (i = 0; i < MODEL_OPS; i++) {
		r = rand() % 100;
		if (rand() % 4 == 0)
			now += rand() % 3;
		if (r < 80) {
			/* A few hot keys learned often enough to move within a flap window. */
			const struct fdb_key *k = &key_pool[rand() % (rand() % 3 ? KEY_POOL : 4)];
			/* Few ports so that MACs move back and forth and flap. */
			uint16_t port = rand() % 3;

			old_port = mold_port = FDB_PORT_NONE;
			ret = fdb_learn(fdb, k, port, now, &old_port);
			mret = model_learn(&m, k, port, now, &mold_port);
			assert_int_equal(ret, mret);
			assert_int_equal(old_port, mold_port);
			counts[ret < 0 ? 4 : ret]++;
		} else if (r < 88) {
			now += rand() % 8;
			assert_int_equal(fdb_age(fdb, now), model_age(&m, now));
		} else if (r < 89) {
			assert_int_equal(fdb_flush(fdb), model_flush_port(&m, 0, true));
		} else if (r < 92) {
			uint16_t port = rand() % 3;

			assert_int_equal(fdb_flush_port(fdb, port), model_flush_port(&m, port, false));
		} else if (r < 98) {
			m.aging = 1 + rand() % 100;
			fdb_set_aging(fdb, m.aging);
		} else {
			/* Resize: copy into a new table, then carry on with it. */
			memset(&m2, 0, sizeof(m2));
			m2.max = 8 + rand() % 64;
			m2.aging = m.aging;
			dst = make_fdb(m2.max, m2.aging);
			assert_int_equal(fdb_copy(dst, fdb), model_copy(&m2, &m));
			fdb_destroy(fdb);
			fdb = dst;
			m = m2;
			counts[5]++;
		}
		check_equal(fdb, &m, now);
	}
	print_message("model: %u added, %u refreshed, %u moved, %u flapping, %u full, %u copies\n",
		      counts[FDB_LEARN_ADDED], counts[FDB_LEARN_REFRESHED], counts[FDB_LEARN_MOVED],
		      counts[FDB_LEARN_FLAPPING], counts[4], counts[5]);
	/* The mix must have exercised every outcome, or the test proves little. */
	for (i = 0; i < 6; i++)
		assert_true(counts[i] > 0);
	fdb_destroy(fdb);
}

/* --- 2. flap detection ----------------------------------------------------------------- */

struct flap_seen {
	struct fdb_key key;
	struct fdb_entry_info info;
	bool found;
};

static int
find_cb(const struct fdb_entry_info *info, void *arg)
{
	struct flap_seen *f = arg;

	if (!key_eq(&info->key, &f->key))
		return 0;
	f->info = *info;
	f->found = true;
	return 1;
}

static struct fdb_entry_info
walk_one(const struct fdb *fdb, const struct fdb_key *key, uint32_t now)
{
	struct flap_seen f = {.key = *key};

	assert_int_equal(fdb_walk(fdb, now, find_cb, &f), 1);
	assert_true(f.found);
	return f.info;
}

static void
test_flap(void **state)
{
	struct fdb *fdb = make_fdb(16, 300);
	struct fdb_key k = make_key(7, 0), other = make_key(8, 0);
	struct fdb_entry_info info;
	uint32_t t = 5000;
	uint16_t old = FDB_PORT_NONE;
	int i;

	assert_int_equal(fdb_learn(fdb, &k, 1, t, NULL), FDB_LEARN_ADDED);
	assert_int_equal(fdb_learn(fdb, &other, 3, t, NULL), FDB_LEARN_ADDED);
	info = walk_one(fdb, &k, t);
	assert_int_equal(info.prev_port, FDB_PORT_NONE);
	assert_false(info.flapping);

	/* Moves 1 .. FDB_FLAP_MOVES-1 within the window are plain moves. */
	for (i = 1; i < FDB_FLAP_MOVES; i++) {
		assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t + i, &old), FDB_LEARN_MOVED);
		assert_int_equal(old, 1 + ((i - 1) % 2));
	}
	/* The next one makes it flap. */
	assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t + i, &old), FDB_LEARN_FLAPPING);
	info = walk_one(fdb, &k, t + i);
	assert_true(info.flapping);
	assert_int_equal(info.port, 1 + (i % 2));
	assert_int_equal(info.prev_port, 1 + ((i - 1) % 2));
	assert_int_equal(info.recent_moves, FDB_FLAP_MOVES);
	assert_false(walk_one(fdb, &other, t + i).flapping);

	/* Every further move while flapping says so; refreshes do not move. */
	i++;
	assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t + i, &old), FDB_LEARN_FLAPPING);
	assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t + i, &old), FDB_LEARN_REFRESHED);
	t += i;

	/* Quiet for less than a window: still flapping, in the walk and after aging. */
	assert_int_equal(fdb_age(fdb, t + FDB_FLAP_WINDOW_SEC - 1), 0);
	assert_true(walk_one(fdb, &k, t + FDB_FLAP_WINDOW_SEC - 1).flapping);
	/* Quiet for a whole window: fdb_age clears it. */
	assert_int_equal(fdb_age(fdb, t + FDB_FLAP_WINDOW_SEC), 0);
	info = walk_one(fdb, &k, t + FDB_FLAP_WINDOW_SEC);
	assert_false(info.flapping);
	assert_int_equal(info.recent_moves, 0);

	/* Flap again, then let the next learn (not fdb_age) find the quiet window. */
	t += 2 * FDB_FLAP_WINDOW_SEC;
	for (i = 0; i < FDB_FLAP_MOVES; i++)
		fdb_learn(fdb, &k, 1 + (i % 2), t, NULL);
	assert_true(walk_one(fdb, &k, t).flapping);
	t += FDB_FLAP_WINDOW_SEC;
	assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t, &old), FDB_LEARN_MOVED);
	assert_false(walk_one(fdb, &k, t).flapping);

	/* Slow moves, one per window, never flap. */
	for (i = 1; i <= 3 * FDB_FLAP_MOVES; i++) {
		t += FDB_FLAP_WINDOW_SEC;
		assert_int_equal(fdb_learn(fdb, &k, 1 + (i % 2), t, &old), FDB_LEARN_MOVED);
	}
	fdb_destroy(fdb);
}

/* --- 3. concurrent readers ------------------------------------------------------------- */

/*
 * Key i may only ever be on ports 2i and 2i+1, and the MAC carries i, so a reader can tell
 * from the key alone whether an entry it finds is plausible. An entry reused for another key
 * before the reader's quiescent report would show a port of a different key.
 */
#define STRESS_KEYS 256
#define STRESS_MAX 96
#define STRESS_USEC 1500000

struct stress {
	struct fdb *fdb;
	struct fdb_key keys[STRESS_KEYS];
	uint32_t now; /* advanced by the writer; readers touch entries with it */
	bool stop;
	uint64_t lookups;
	uint64_t hits;
	uint64_t bad;
};

static void *
stress_reader(void *arg)
{
	struct stress *s = arg;
	const struct fdb_key *keys[64];
	struct fdb_entry *entries[64];
	unsigned i, base = 0, id;
	uint16_t port;

	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 64; i++)
			keys[i] = &s->keys[(base + i) % STRESS_KEYS];
		base += 37;
		fdb_lookup_bulk_rcu(s->fdb, keys, 64, entries);
		/* Hold the entries a little, as a PMD thread does while it forwards a burst. */
		for (i = 0; i < 64; i++)
			rte_pause();
		for (i = 0; i < 64; i++) {
			if (entries[i] == NULL)
				continue;
			id = (unsigned)(keys[i] - s->keys);
			port = __atomic_load_n(&entries[i]->port, __ATOMIC_RELAXED);
			if (port / 2 != id)
				s->bad++;
			fdb_touch_rcu(entries[i], __atomic_load_n(&s->now, __ATOMIC_RELAXED));
			s->hits++;
		}
		s->lookups += 64;
		rte_rcu_qsbr_quiescent(qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	return NULL;
}

static uint64_t
usec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
test_concurrent(void **state)
{
	static struct stress s;
	pthread_t reader;
	uint64_t start, ops = 0, added = 0;
	unsigned i, r;
	int ret;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < STRESS_KEYS; i++)
		s.keys[i] = make_key(i, 0);
	s.now = 100;
	s.fdb = make_fdb(STRESS_MAX, 5);
	assert_int_equal(pthread_create(&reader, NULL, stress_reader, &s), 0);

	srand(seed);
	start = usec_now();
	while (usec_now() - start < STRESS_USEC) {
		for (i = 0; i < 256; i++, ops++) {
			unsigned id = rand() % STRESS_KEYS;

			r = rand() % 1000;
			if (r < 900) {
				ret = fdb_learn(s.fdb, &s.keys[id], 2 * id + rand() % 2, s.now, NULL);
				/* Deferred frees must never refuse a learn below the limit. */
				if (ret == -ENOSPC)
					assert_int_equal(fdb_count(s.fdb), STRESS_MAX);
				assert_true(ret >= 0 || ret == -ENOSPC);
				added += ret == FDB_LEARN_ADDED;
			} else if (r < 960) {
				__atomic_store_n(&s.now, s.now + 1, __ATOMIC_RELAXED);
				fdb_age(s.fdb, s.now);
			} else if (r < 990) {
				fdb_flush_port(s.fdb, rand() % (2 * STRESS_KEYS));
			} else {
				fdb_flush(s.fdb);
			}
			assert_true(fdb_count(s.fdb) <= STRESS_MAX);
		}
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(reader, NULL), 0);

	print_message("stress: %" PRIu64 " writer ops (%" PRIu64 " adds), %" PRIu64
		      " reader lookups, %" PRIu64 " hits\n",
		      ops, added, s.lookups, s.hits);
	assert_int_equal(s.bad, 0);
	assert_true(s.lookups > 0 && s.hits > 0);
	/* Far more adds than pool entries: deferred frees were reclaimed and reused. */
	assert_true(added > 4 * STRESS_MAX);
	fdb_destroy(s.fdb);
}

/* --- 4. parameters --------------------------------------------------------------------- */

static void
expect_create_fails(const struct fdb_params *p, int err)
{
	errno = 0;
	assert_null(fdb_create(p));
	assert_int_equal(errno, err);
}

static void
test_bad_params(void **state)
{
	char long_name[64];
	struct fdb_params p = {
		.name = "tfdb_params",
		.max_entries = 16,
		.aging_sec = 300,
		.socket_id = SOCKET_ID_ANY,
		.qsbr = qsbr,
	};
	struct fdb_params bad;
	struct fdb *fdb, *fdb2;

	expect_create_fails(NULL, EINVAL);
	bad = p;
	bad.qsbr = NULL;
	expect_create_fails(&bad, EINVAL);
	bad = p;
	bad.max_entries = 0;
	expect_create_fails(&bad, EINVAL);
	bad = p;
	bad.max_entries = FDB_MAX_ENTRIES + 1;
	expect_create_fails(&bad, EINVAL);
	bad = p;
	bad.name = NULL;
	expect_create_fails(&bad, EINVAL);
	bad = p;
	bad.name = "";
	expect_create_fails(&bad, EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	bad = p;
	bad.name = long_name;
	expect_create_fails(&bad, EINVAL);
	long_name[FDB_NAME_MAX + 1] = '\0';
	expect_create_fails(&bad, EINVAL);

	/* The longest name works, twice over when only its last character differs. */
	long_name[FDB_NAME_MAX] = '\0';
	fdb = fdb_create(&bad);
	assert_non_null(fdb);
	long_name[FDB_NAME_MAX - 1] = 'm';
	fdb2 = fdb_create(&bad);
	assert_non_null(fdb2);
	fdb_destroy(fdb2);
	fdb_destroy(fdb);

	/* A name in use is refused; once freed it can be used again. */
	fdb = fdb_create(&p);
	assert_non_null(fdb);
	expect_create_fails(&p, EEXIST);
	fdb_destroy(fdb);
	fdb = fdb_create(&p);
	assert_non_null(fdb);
	assert_int_equal(fdb_learn(fdb, NULL, 1, 0, NULL), -EINVAL);
	fdb_destroy(fdb);
	fdb_destroy(NULL);

	/* The largest table can be built. */
	bad = p;
	bad.max_entries = FDB_MAX_ENTRIES;
	fdb = fdb_create(&bad);
	assert_non_null(fdb);
	assert_int_equal(fdb_max_entries(fdb), FDB_MAX_ENTRIES);
	fdb_destroy(fdb);
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_flap),
		cmocka_unit_test(test_reference_model),
		cmocka_unit_test(test_concurrent),
	};
	const char *env = getenv("FDB_TEST_SEED");
	size_t sz;
	int ret;

	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_fdb: rte_eal_init failed\n");
		return 1;
	}
	sz = rte_rcu_qsbr_get_memsize(N_READERS);
	qsbr = rte_zmalloc("test_fdb_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, N_READERS) != 0) {
		fprintf(stderr, "test_fdb: cannot create the QSBR variable\n");
		return 1;
	}
	seed = env != NULL && *env != '\0' ? (unsigned)strtoul(env, NULL, 0) : 20221101;
	printf("test_fdb: seed %u (override with FDB_TEST_SEED)\n", seed);

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_free(qsbr);
	rte_eal_cleanup();
	return ret;
}
