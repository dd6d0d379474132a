/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "vswitch/config_store.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_config_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* A sub-directory that does not exist yet: open must create it. */
	snprintf(f->path, sizeof(f->path), "%s/etc/vswitch/conf.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct config_store *
open_store(struct fixture *f, bool expect_created)
{
	const char *errmsg = NULL;
	bool created = !expect_created;
	struct config_store *store = config_store_open(f->path, &created, &errmsg);

	if (store == NULL)
		fail_msg("open %s: %s", f->path, errmsg);
	assert_true(created == expect_created);
	return store;
}

static json_t *
settings(int aging)
{
	return json_pack("{s:i, s:i}", "mac_aging", aging, "mac_table_size", 8192);
}

static void
put_bridge(struct config_store *store, const char *name, int aging)
{
	json_t *s = settings(aging);

	assert_int_equal(config_store_bridge_put(store, name, s), 0);
	json_decref(s);
}

static void
put_port(struct config_store *store, const char *bridge, const char *name)
{
	json_t *o = json_pack("{s:s, s:s}", "type", "vhostuser", "socket", "/run/x.sock");

	assert_int_equal(config_store_port_put(store, bridge, name, o), 0);
	json_decref(o);
}

/* Compares a load against the expected JSON text; one without "settings"
 * expects none stored. */
static void
assert_loaded(struct config_store *store, const char *expected_json)
{
	json_t *expected = json_loads(expected_json, 0, NULL);
	json_t *got = config_store_load(store);

	assert_non_null(expected);
	assert_non_null(got);
	if (json_object_get(expected, "settings") == NULL)
		json_object_set_new(expected, "settings", json_object());
	if (!json_equal(got, expected)) {
		char *text = json_dumps(got, JSON_COMPACT);

		fail_msg("loaded %s\nexpected %s", text, expected_json);
	}
	json_decref(expected);
	json_decref(got);
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);

	assert_loaded(store, "{\"bridges\":[]}");
	put_bridge(store, "br0", 300);
	put_port(store, "br0", "vm1");
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":300,"
			     "\"mac_table_size\":8192},\"ports\":[{\"name\":\"vm1\",\"options\":"
			     "{\"type\":\"vhostuser\",\"socket\":\"/run/x.sock\"}}],\"flows\":[]}]}");
	config_store_close(store);
}

static void
test_order(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);
	json_t *loaded, *bridge;
	size_t i;
	static const char *const names[] = {"zz", "br1", "aa"};

	put_bridge(store, "zz", 1);
	put_bridge(store, "br1", 2);
	put_bridge(store, "aa", 3);
	put_port(store, "br1", "p9");
	put_port(store, "zz", "p5");
	put_port(store, "br1", "p1");
	/* Replacing keeps the position and the ports of the bridge. */
	put_bridge(store, "zz", 100);
	put_port(store, "br1", "p9");

	loaded = config_store_load(store);
	assert_int_equal(json_array_size(json_object_get(loaded, "bridges")), 3);
	json_array_foreach(json_object_get(loaded, "bridges"), i, bridge) {
		assert_string_equal(json_string_value(json_object_get(bridge, "name")), names[i]);
	}
	json_decref(loaded);
	assert_loaded(store, "{\"bridges\":["
			     "{\"name\":\"zz\","
			     "\"settings\":{\"mac_aging\":100,\"mac_table_size\":8192},"
			     "\"ports\":[{\"name\":\"p5\",\"options\":{\"type\":\"vhostuser\","
			     "\"socket\":\"/run/x.sock\"}}],\"flows\":[]},"
			     "{\"name\":\"br1\","
			     "\"settings\":{\"mac_aging\":2,\"mac_table_size\":8192},"
			     "\"ports\":[{\"name\":\"p9\",\"options\":{\"type\":\"vhostuser\","
			     "\"socket\":\"/run/x.sock\"}},{\"name\":\"p1\",\"options\":{\"type\":"
			     "\"vhostuser\",\"socket\":\"/run/x.sock\"}}],\"flows\":[]},"
			     "{\"name\":\"aa\","
			     "\"settings\":{\"mac_aging\":3,\"mac_table_size\":8192},"
			     "\"ports\":[],\"flows\":[]}]}");
	config_store_close(store);
}

static void
test_delete(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);

	put_bridge(store, "br0", 1);
	put_bridge(store, "br1", 1);
	put_port(store, "br0", "a");
	put_port(store, "br0", "b");
	put_port(store, "br1", "c");

	assert_int_equal(config_store_port_del(store, "b"), 0);
	assert_int_equal(config_store_port_del(store, "b"), -ENOENT);
	assert_string_equal(config_store_errmsg(store), "no port \"b\"");
	assert_int_equal(config_store_bridge_del(store, "br0"), 0);
	assert_int_equal(config_store_bridge_del(store, "br0"), -ENOENT);
	/* The cascade removed port a: the name is free again on another bridge. */
	assert_int_equal(config_store_port_del(store, "a"), -ENOENT);
	put_port(store, "br1", "a");
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br1\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":["
			     "{\"name\":\"c\",\"options\":{\"type\":\"vhostuser\",\"socket\":"
			     "\"/run/x.sock\"}},"
			     "{\"name\":\"a\",\"options\":{\"type\":\"vhostuser\",\"socket\":"
			     "\"/run/x.sock\"}}],\"flows\":[]}]}");
	config_store_close(store);
}

static void
test_port_on_missing_bridge(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);
	json_t *o = json_object();
	json_t *notobj = json_array();

	assert_int_equal(config_store_port_put(store, "nope", "vm1", o), -ENOENT);
	assert_string_equal(config_store_errmsg(store), "no bridge \"nope\"");
	assert_int_equal(config_store_bridge_put(store, "br0", notobj), -EINVAL);
	assert_int_equal(config_store_bridge_put(store, "br0", NULL), -EINVAL);
	assert_loaded(store, "{\"bridges\":[]}");
	json_decref(o);
	json_decref(notobj);
	config_store_close(store);
}

static void
test_transaction(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);

	put_bridge(store, "br0", 1);

	assert_int_equal(config_store_begin(store), 0);
	assert_int_equal(config_store_begin(store), -EBUSY);
	put_bridge(store, "br1", 1);
	put_port(store, "br1", "vm1");
	put_bridge(store, "br0", 99);
	assert_int_equal(config_store_bridge_del(store, "br0"), 0);
	config_store_rollback(store);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":[],\"flows\":[]}]}");

	assert_int_equal(config_store_commit(store), -EINVAL);
	config_store_rollback(store);

	assert_int_equal(config_store_begin(store), 0);
	put_bridge(store, "br1", 2);
	assert_int_equal(config_store_commit(store), 0);
	config_store_close(store);

	/* Committed data survives, the rolled-back data never appears. */
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":["
			     "{\"name\":\"br0\","
			     "\"settings\":{\"mac_aging\":1,\"mac_table_size\":8192},"
			     "\"ports\":[],\"flows\":[]},"
			     "{\"name\":\"br1\","
			     "\"settings\":{\"mac_aging\":2,\"mac_table_size\":8192},"
			     "\"ports\":[],\"flows\":[]}]}");

	/* Closing with an open transaction discards it. */
	assert_int_equal(config_store_begin(store), 0);
	assert_int_equal(config_store_bridge_del(store, "br0"), 0);
	config_store_close(store);
	store = open_store(f, false);
	assert_int_equal(config_store_bridge_del(store, "br0"), 0);
	config_store_close(store);
}

static void
test_reopen(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);

	put_bridge(store, "br0", 5);
	put_port(store, "br0", "vm1");
	config_store_close(store);

	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":5,"
			     "\"mac_table_size\":8192},\"ports\":[{\"name\":\"vm1\",\"options\":"
			     "{\"type\":\"vhostuser\",\"socket\":\"/run/x.sock\"}}],\"flows\":[]}]}");
	/* Foreign keys are enforced on the reopened connection too. */
	assert_int_equal(config_store_bridge_del(store, "br0"), 0);
	assert_loaded(store, "{\"bridges\":[]}");
	config_store_close(store);
}

static void
test_flows(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);

	put_bridge(store, "br0", 1);
	put_bridge(store, "br1", 1);
	assert_int_equal(config_store_flow_put(store, "br0", 7, "priority=5,actions=drop"), 0);
	assert_int_equal(config_store_flow_put(store, "br0", 2, "ip,actions=normal"), 0);
	assert_int_equal(config_store_flow_put(store, "br1", 2, "arp,actions=flood"), 0);
	/* Same id again: replaced in place. */
	assert_int_equal(config_store_flow_put(store, "br0", 7, "priority=6,actions=drop"), 0);
	assert_int_equal(config_store_flow_put(store, "nope", 1, "actions=drop"), -ENOENT);
	assert_string_equal(config_store_errmsg(store), "no bridge \"nope\"");
	assert_int_equal(config_store_flow_del(store, "br1", 9), -ENOENT);
	assert_loaded(store, "{\"bridges\":["
			     "{\"name\":\"br0\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":[],\"flows\":["
			     "{\"id\":2,\"rule\":\"ip,actions=normal\"},"
			     "{\"id\":7,\"rule\":\"priority=6,actions=drop\"}]},"
			     "{\"name\":\"br1\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":[],\"flows\":["
			     "{\"id\":2,\"rule\":\"arp,actions=flood\"}]}]}");
	assert_int_equal(config_store_flow_del(store, "br0", 2), 0);
	/* A bridge's rules go with it. */
	assert_int_equal(config_store_bridge_del(store, "br1"), 0);
	put_bridge(store, "br1", 1);
	assert_loaded(store, "{\"bridges\":["
			     "{\"name\":\"br0\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":[],\"flows\":["
			     "{\"id\":7,\"rule\":\"priority=6,actions=drop\"}]},"
			     "{\"name\":\"br1\",\"settings\":{\"mac_aging\":1,"
			     "\"mac_table_size\":8192},\"ports\":[],\"flows\":[]}]}");
	config_store_close(store);
}

/* A store written before rules existed (schema 1): its bridges get the
 * default rule, which is how they behaved. */
static void
test_upgrade_from_v1(void **state)
{
	struct fixture *f = *state;
	struct config_store *store;
	char dir[sizeof(f->path)];
	sqlite3 *db;

	/* The store's directory, as config_store_open() would create it. */
	snprintf(dir, sizeof(dir), "%s/etc", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/etc/vswitch", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE bridges (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
		" settings TEXT NOT NULL);"
		"CREATE TABLE ports (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
		" bridge_id INTEGER NOT NULL REFERENCES bridges(id) ON DELETE CASCADE,"
		" options TEXT NOT NULL);"
		"CREATE INDEX ports_bridge_id ON ports(bridge_id);"
		"INSERT INTO bridges(name, settings) VALUES ('br0', '{\"mac_aging\":9}');"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":9},"
			     "\"ports\":[],\"flows\":[{\"id\":1,"
			     "\"rule\":\"table=0,priority=0,actions=normal\"}]}]}");
	config_store_close(store);
	/* Upgraded once: reopening changes nothing. */
	store = open_store(f, false);
	assert_int_equal(config_store_flow_del(store, "br0", 1), 0);
	config_store_close(store);
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":9},"
			     "\"ports\":[],\"flows\":[]}]}");
	config_store_close(store);
}

/* Creates the store's directory, as config_store_open() would, and runs sql
 * on a new database there: a store written by an older vswitchd. */
static void
make_old_store(struct fixture *f, const char *sql)
{
	char dir[sizeof(f->path)];
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "%s/etc", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/etc/vswitch", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int
user_version(struct fixture *f)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int v;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

/* A store written before settings existed (schema 2) keeps everything it had
 * and gets an empty settings table. */
static void
test_upgrade_from_v2(void **state)
{
	struct fixture *f = *state;
	struct config_store *store;
	json_t *ct = json_pack("{s:i}", "default_limit", 1000);

	make_old_store(f,
		"CREATE TABLE bridges (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
		" settings TEXT NOT NULL);"
		"CREATE TABLE ports (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
		" bridge_id INTEGER NOT NULL REFERENCES bridges(id) ON DELETE CASCADE,"
		" options TEXT NOT NULL);"
		"CREATE INDEX ports_bridge_id ON ports(bridge_id);"
		"CREATE TABLE flows (bridge_id INTEGER NOT NULL REFERENCES bridges(id)"
		" ON DELETE CASCADE, id INTEGER NOT NULL, rule TEXT NOT NULL,"
		" PRIMARY KEY (bridge_id, id)) WITHOUT ROWID;"
		"INSERT INTO bridges(name, settings) VALUES ('br0', '{\"mac_aging\":9}');"
		"INSERT INTO ports(name, bridge_id, options) VALUES ('vm1', 1, '{\"type\":\"x\"}');"
		"INSERT INTO flows(bridge_id, id, rule) VALUES (1, 4, 'ip,actions=drop');"
		"PRAGMA user_version = 2;");
	store = open_store(f, false);
	assert_int_equal(user_version(f), 3);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":9},"
			     "\"ports\":[{\"name\":\"vm1\",\"options\":{\"type\":\"x\"}}],"
			     "\"flows\":[{\"id\":4,\"rule\":\"ip,actions=drop\"}]}],"
			     "\"settings\":{}}");
	assert_int_equal(config_store_setting_put(store, "conntrack", ct), 0);
	config_store_close(store);
	/* Upgraded once: reopening keeps what was stored since. */
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[{\"name\":\"br0\",\"settings\":{\"mac_aging\":9},"
			     "\"ports\":[{\"name\":\"vm1\",\"options\":{\"type\":\"x\"}}],"
			     "\"flows\":[{\"id\":4,\"rule\":\"ip,actions=drop\"}]}],"
			     "\"settings\":{\"conntrack\":{\"default_limit\":1000}}}");
	config_store_close(store);
	json_decref(ct);
}

static void
test_settings(void **state)
{
	struct fixture *f = *state;
	struct config_store *store = open_store(f, true);
	json_t *a = json_pack("{s:i, s:{s:i}}", "default_limit", 5, "zone_limits", "7", 100);
	json_t *b = json_pack("{s:{s:i}}", "timeouts", "icmp", 9);
	json_t *notobj = json_integer(3);
	sqlite3 *db;

	assert_int_equal(user_version(f), 3);
	assert_int_equal(config_store_setting_put(store, "conntrack", a), 0);
	assert_int_equal(config_store_setting_put(store, "other", b), 0);
	assert_loaded(store, "{\"bridges\":[],\"settings\":{"
			     "\"conntrack\":{\"default_limit\":5,\"zone_limits\":{\"7\":100}},"
			     "\"other\":{\"timeouts\":{\"icmp\":9}}}}");
	/* Replaced whole, not merged. */
	assert_int_equal(config_store_setting_put(store, "conntrack", b), 0);
	assert_int_equal(config_store_setting_put(store, "conntrack", notobj), -EINVAL);
	assert_int_equal(config_store_setting_put(store, "conntrack", NULL), -EINVAL);
	assert_int_equal(config_store_setting_del(store, "other"), 0);
	assert_int_equal(config_store_setting_del(store, "other"), -ENOENT);
	assert_string_equal(config_store_errmsg(store), "no setting \"other\"");

	/* A rolled-back put leaves the old value. */
	assert_int_equal(config_store_begin(store), 0);
	assert_int_equal(config_store_setting_put(store, "conntrack", a), 0);
	config_store_rollback(store);
	config_store_close(store);
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[],\"settings\":{"
			     "\"conntrack\":{\"timeouts\":{\"icmp\":9}}}}");
	config_store_close(store);

	/* A value edited into something else than an object comes back as its
	 * text, and the rest of the store still loads. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE settings SET value = '{broken' "
					  "WHERE key = 'conntrack';"
					  "INSERT INTO settings VALUES ('list', '[1]');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[],\"settings\":{\"conntrack\":\"{broken\","
			     "\"list\":\"[1]\"}}");
	config_store_close(store);
	json_decref(a);
	json_decref(b);
	json_decref(notobj);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
assert_file_is(const char *path, const char *data, size_t len)
{
	char buf[8192];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	assert_int_equal(n, len);
	assert_memory_equal(buf, data, len);
}

static void
test_corrupt_file(void **state)
{
	struct fixture *f = *state;
	char junk[4096], expected[512], wal[160];
	const char *errmsg = NULL;
	struct config_store *store;
	bool created = true;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	snprintf(f->path, sizeof(f->path), "%s/junk.db", f->dir);
	write_file(f->path, junk, sizeof(junk));

	errno = 0;
	store = config_store_open(f->path, &created, &errmsg);
	assert_null(store);
	assert_int_equal(errno, EINVAL);
	snprintf(expected, sizeof(expected), "%s: file is not a database", f->path);
	assert_string_equal(errmsg, expected);
	assert_file_is(f->path, junk, sizeof(junk));
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(access(wal, F_OK), -1);

	/* A short text file too. */
	write_file(f->path, "hello\n", 6);
	assert_null(config_store_open(f->path, NULL, &errmsg));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(errmsg, expected);
	assert_file_is(f->path, "hello\n", 6);
}

static void
test_created_flag(void **state)
{
	struct fixture *f = *state;
	struct config_store *store;
	struct stat st;

	assert_int_equal(stat(f->path, &st), -1);
	store = open_store(f, true);
	config_store_close(store);
	assert_int_equal(stat(f->path, &st), 0);
	store = open_store(f, false);
	config_store_close(store);
	/* Even an empty store is not "created" the second time. */
	store = open_store(f, false);
	assert_loaded(store, "{\"bridges\":[]}");
	config_store_close(store);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_on_missing_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_flag, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
