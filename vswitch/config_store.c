/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "common/path.h"
#include "config_store.h"

#define SCHEMA_VERSION 3

/* Statements prepared once at open; the order matches sql_text[]. */
enum stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_BRIDGE_PUT,
	STMT_BRIDGE_DEL,
	STMT_PORT_PUT,
	STMT_PORT_DEL,
	STMT_LOAD_BRIDGES,
	STMT_LOAD_PORTS,
	STMT_BRIDGE_ID,
	STMT_FLOW_PUT,
	STMT_FLOW_DEL,
	STMT_LOAD_FLOWS,
	STMT_SETTING_PUT,
	STMT_SETTING_DEL,
	STMT_LOAD_SETTINGS,
	N_STMTS
};

static const char *const sql_text[N_STMTS] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	/* An upsert, not INSERT OR REPLACE: replacing would delete the row,
	 * cascade to its ports and give it a new id (and a new position). */
	[STMT_BRIDGE_PUT] = "INSERT INTO bridges(name, settings) VALUES (?1, ?2) "
			    "ON CONFLICT(name) DO UPDATE SET settings = excluded.settings",
	[STMT_BRIDGE_DEL] = "DELETE FROM bridges WHERE name = ?1",
	/* No row is inserted when the bridge is missing: the caller tells
	 * that from sqlite3_changes() == 0. */
	[STMT_PORT_PUT] = "INSERT INTO ports(name, bridge_id, options) "
			  "SELECT ?1, id, ?3 FROM bridges WHERE name = ?2 "
			  "ON CONFLICT(name) DO UPDATE SET bridge_id = excluded.bridge_id, "
			  "options = excluded.options",
	[STMT_PORT_DEL] = "DELETE FROM ports WHERE name = ?1",
	[STMT_LOAD_BRIDGES] = "SELECT id, name, settings FROM bridges ORDER BY id",
	[STMT_LOAD_PORTS] = "SELECT name, options FROM ports WHERE bridge_id = ?1 ORDER BY id",
	[STMT_BRIDGE_ID] = "SELECT id FROM bridges WHERE name = ?1",
	[STMT_FLOW_PUT] = "INSERT INTO flows(bridge_id, id, rule) VALUES (?1, ?2, ?3) "
			  "ON CONFLICT(bridge_id, id) DO UPDATE SET rule = excluded.rule",
	[STMT_FLOW_DEL] = "DELETE FROM flows WHERE bridge_id = ?1 AND id = ?2",
	[STMT_LOAD_FLOWS] = "SELECT id, rule FROM flows WHERE bridge_id = ?1 ORDER BY id",
	[STMT_SETTING_PUT] = "INSERT INTO settings(key, value) VALUES (?1, ?2) "
			     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[STMT_SETTING_DEL] = "DELETE FROM settings WHERE key = ?1",
	[STMT_LOAD_SETTINGS] = "SELECT key, value FROM settings ORDER BY key",
};

static const char schema_sql[] =
	"CREATE TABLE bridges ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT UNIQUE NOT NULL,"
	" settings TEXT NOT NULL);"
	"CREATE TABLE ports ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT UNIQUE NOT NULL,"
	" bridge_id INTEGER NOT NULL REFERENCES bridges(id) ON DELETE CASCADE,"
	" options TEXT NOT NULL);"
	/* Without it, each cascading bridge delete scans every port. */
	"CREATE INDEX ports_bridge_id ON ports(bridge_id);";

/* Version 2 adds flow rules. A bridge stored by version 1 had no rules of its
 * own and behaved as the default rule says: it gets that rule. */
static const char schema_v2_sql[] =
	"CREATE TABLE flows ("
	" bridge_id INTEGER NOT NULL REFERENCES bridges(id) ON DELETE CASCADE,"
	" id INTEGER NOT NULL,"
	" rule TEXT NOT NULL,"
	" PRIMARY KEY (bridge_id, id)) WITHOUT ROWID;"
	"INSERT INTO flows(bridge_id, id, rule) "
	" SELECT id, 1, 'table=0,priority=0,actions=normal' FROM bridges;"
	"PRAGMA user_version = 2;";

/* Version 3 adds switch-wide settings (connection tracking), a JSON object
 * per key. A store from before had none: every setting keeps its default. */
static const char schema_v3_sql[] =
	"CREATE TABLE settings ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL) WITHOUT ROWID;"
	"PRAGMA user_version = 3;";

struct config_store {
	sqlite3 *db;
	bool in_txn;
	/* The bridge the last flow put or del was for: a bundle writes thousands
	 * of rows of one bridge, and its id need not be looked up for each. */
	char flow_bridge[64];
	sqlite3_int64 flow_bridge_id;
	sqlite3_stmt *stmt[N_STMTS];
	char errmsg[512];
};

/* Room for a path and a copy of store->errmsg. */
static __thread char open_errmsg[PATH_MAX + 600];

static int
sqlite_to_errno(sqlite3 *db, int rc)
{
	int sys = db != NULL ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return EACCES;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_MISMATCH:
		return EINVAL;
	case SQLITE_CONSTRAINT:
		return EEXIST;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return sys > 0 ? sys : EIO;
	default:
		return EIO;
	}
}

static int
store_fail(struct config_store *store, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records why the last call failed and returns -err. */
static int
store_fail(struct config_store *store, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(store->errmsg, sizeof(store->errmsg), fmt, ap);
	va_end(ap);
	return -err;
}

static int
sqlite_fail(struct config_store *store, int rc)
{
	return store_fail(store, sqlite_to_errno(store->db, rc), "%s", sqlite3_errmsg(store->db));
}

/* Runs a statement that returns no rows and resets it for the next use. */
static int
step_done(struct config_store *store, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? 0 : sqlite_fail(store, rc);
}

/* Creates the schema on an empty file, or checks the one already there. */
static int
init_schema(struct config_store *store, bool *created)
{
	sqlite3_stmt *stmt;
	int version, n_objects, rc;

	/* The first read of the file: a file that is not a database fails
	 * here, before anything (journal mode included) writes to it. */
	rc = sqlite3_prepare_v2(store->db,
				"SELECT (SELECT user_version FROM pragma_user_version), "
				"(SELECT count(*) FROM sqlite_schema)",
				-1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return sqlite_fail(store, rc);
	rc = sqlite3_step(stmt);
	version = sqlite3_column_int(stmt, 0);
	n_objects = sqlite3_column_int(stmt, 1);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return sqlite_fail(store, rc);

	if (version > SCHEMA_VERSION)
		return store_fail(store, EINVAL,
				  "schema version %d is newer than this vswitchd supports (%d)",
				  version, SCHEMA_VERSION);
	if (version == 0 && n_objects > 0)
		return store_fail(store, EINVAL, "not a vswitch configuration (unknown tables)");

	rc = sqlite3_exec(store->db,
			  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			  "PRAGMA foreign_keys = ON;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sqlite_fail(store, rc);

	*created = version == 0;
	if (version == SCHEMA_VERSION)
		return 0;
	rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < 1)
		rc = sqlite3_exec(store->db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < 2)
		rc = sqlite3_exec(store->db, schema_v2_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK && version < 3)
		rc = sqlite3_exec(store->db, schema_v3_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = sqlite_fail(store, rc);
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

static int
prepare_all(struct config_store *store)
{
	for (int i = 0; i < N_STMTS; i++) {
		int rc = sqlite3_prepare_v3(store->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &store->stmt[i], NULL);

		if (rc != SQLITE_OK)
			return sqlite_fail(store, rc);
	}
	return 0;
}

struct config_store *
config_store_open(const char *path, bool *created, const char **errmsg)
{
	struct config_store *store;
	bool is_new = false;
	int rc;

	if (errmsg != NULL)
		*errmsg = open_errmsg;
	open_errmsg[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		snprintf(open_errmsg, sizeof(open_errmsg), "empty configuration path");
		errno = EINVAL;
		return NULL;
	}
	rc = path_make_parents(path);
	if (rc < 0) {
		snprintf(open_errmsg, sizeof(open_errmsg), "%s: cannot create directory: %s", path,
			 strerror(-rc));
		errno = -rc;
		return NULL;
	}
	store = calloc(1, sizeof(*store));
	if (store == NULL) {
		snprintf(open_errmsg, sizeof(open_errmsg), "%s: out of memory", path);
		return NULL;
	}

	rc = sqlite3_open_v2(path, &store->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = store->db != NULL ? sqlite_fail(store, rc) :
					 store_fail(store, ENOMEM, "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	/* Wait a little for a sqlite3 shell that someone left in a transaction. */
	sqlite3_busy_timeout(store->db, 2000);

	rc = init_schema(store, &is_new);
	if (rc == 0)
		rc = prepare_all(store);
	if (rc < 0)
		goto fail;
	if (created != NULL)
		*created = is_new;
	return store;

fail:
	snprintf(open_errmsg, sizeof(open_errmsg), "%s: %s", path, store->errmsg);
	config_store_close(store);
	errno = -rc;
	return NULL;
}

void
config_store_close(struct config_store *store)
{
	if (store == NULL)
		return;
	if (store->in_txn)
		config_store_rollback(store);
	for (int i = 0; i < N_STMTS; i++)
		sqlite3_finalize(store->stmt[i]);
	sqlite3_close_v2(store->db);
	free(store);
}

int
config_store_begin(struct config_store *store)
{
	int rc;

	if (store->in_txn)
		return store_fail(store, EBUSY, "a transaction is already open");
	rc = step_done(store, store->stmt[STMT_BEGIN]);
	if (rc == 0)
		store->in_txn = true;
	return rc;
}

int
config_store_commit(struct config_store *store)
{
	int rc;

	if (!store->in_txn)
		return store_fail(store, EINVAL, "no transaction is open");
	rc = step_done(store, store->stmt[STMT_COMMIT]);
	if (rc < 0) {
		/* A failed COMMIT may leave the transaction open; undo it so
		 * that "not stored" really means nothing was stored. */
		config_store_rollback(store);
		return rc;
	}
	store->in_txn = false;
	return 0;
}

void
config_store_rollback(struct config_store *store)
{
	if (!store->in_txn)
		return;
	store->flow_bridge[0] = '\0'; /* its id may have been rolled back */
	if (sqlite3_get_autocommit(store->db) == 0)
		step_done(store, store->stmt[STMT_ROLLBACK]);
	store->in_txn = false;
}

/* Returns compact JSON text for an object (free()), or NULL with errmsg set. */
static char *
dump_object(struct config_store *store, const json_t *obj, const char *what, int *rc)
{
	char *text;

	if (!json_is_object(obj)) {
		*rc = store_fail(store, EINVAL, "%s must be a JSON object", what);
		return NULL;
	}
	text = json_dumps(obj, JSON_COMPACT);
	if (text == NULL)
		*rc = store_fail(store, ENOMEM, "cannot encode %s", what);
	return text;
}

/* Not copied (SQLITE_STATIC): every caller steps the statement and clears its
 * bindings (step_done) before the text goes, and a bundle binds thousands. */
static int
bind_text(struct config_store *store, sqlite3_stmt *stmt, int idx, const char *text)
{
	int rc = sqlite3_bind_text(stmt, idx, text, -1, SQLITE_STATIC);

	if (rc == SQLITE_OK)
		return 0;
	rc = sqlite_fail(store, rc);
	sqlite3_clear_bindings(stmt);
	return rc;
}

/* Binds key and value (a JSON object, as text) to stmt and runs it. */
static int
put_object(struct config_store *store, sqlite3_stmt *stmt, const char *key, const json_t *value,
	   const char *what)
{
	char *text;
	int rc = 0;

	text = dump_object(store, value, what, &rc);
	if (text == NULL)
		return rc;
	rc = bind_text(store, stmt, 1, key);
	if (rc == 0)
		rc = bind_text(store, stmt, 2, text);
	if (rc == 0)
		rc = step_done(store, stmt);
	free(text);
	return rc;
}

int
config_store_bridge_put(struct config_store *store, const char *name, const json_t *settings)
{
	store->flow_bridge[0] = '\0';
	return put_object(store, store->stmt[STMT_BRIDGE_PUT], name, settings, "bridge settings");
}

int
config_store_bridge_del(struct config_store *store, const char *name)
{
	sqlite3_stmt *stmt = store->stmt[STMT_BRIDGE_DEL];
	int rc;

	store->flow_bridge[0] = '\0';
	rc = bind_text(store, stmt, 1, name);
	if (rc == 0)
		rc = step_done(store, stmt);
	if (rc == 0 && sqlite3_changes(store->db) == 0)
		rc = store_fail(store, ENOENT, "no bridge \"%s\"", name);
	return rc;
}

int
config_store_port_put(struct config_store *store, const char *bridge, const char *name,
		      const json_t *options)
{
	sqlite3_stmt *stmt = store->stmt[STMT_PORT_PUT];
	char *text;
	int rc = 0;

	text = dump_object(store, options, "port options", &rc);
	if (text == NULL)
		return rc;
	rc = bind_text(store, stmt, 1, name);
	if (rc == 0)
		rc = bind_text(store, stmt, 2, bridge);
	if (rc == 0)
		rc = bind_text(store, stmt, 3, text);
	if (rc == 0)
		rc = step_done(store, stmt);
	free(text);
	if (rc == 0 && sqlite3_changes(store->db) == 0)
		rc = store_fail(store, ENOENT, "no bridge \"%s\"", bridge);
	return rc;
}

int
config_store_port_del(struct config_store *store, const char *name)
{
	sqlite3_stmt *stmt = store->stmt[STMT_PORT_DEL];
	int rc;

	rc = bind_text(store, stmt, 1, name);
	if (rc == 0)
		rc = step_done(store, stmt);
	if (rc == 0 && sqlite3_changes(store->db) == 0)
		rc = store_fail(store, ENOENT, "no port \"%s\"", name);
	return rc;
}

/* The id of bridge, from the cache when it is the last one asked for. */
static int
flow_bridge_id(struct config_store *store, const char *bridge, sqlite3_int64 *id)
{
	sqlite3_stmt *stmt = store->stmt[STMT_BRIDGE_ID];
	int rc;

	if (store->flow_bridge[0] != '\0' && strcmp(store->flow_bridge, bridge) == 0) {
		*id = store->flow_bridge_id;
		return 0;
	}
	rc = bind_text(store, stmt, 1, bridge);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc == SQLITE_DONE)
		return store_fail(store, ENOENT, "no bridge \"%s\"", bridge);
	if (rc != SQLITE_ROW)
		return sqlite_fail(store, rc);
	if (strlen(bridge) < sizeof(store->flow_bridge)) {
		strcpy(store->flow_bridge, bridge);
		store->flow_bridge_id = *id;
	}
	return 0;
}

int
config_store_flow_put(struct config_store *store, const char *bridge, uint64_t id,
		      const char *rule)
{
	sqlite3_stmt *stmt = store->stmt[STMT_FLOW_PUT];
	sqlite3_int64 bridge_id;
	int rc = flow_bridge_id(store, bridge, &bridge_id);

	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, bridge_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)id);
	rc = bind_text(store, stmt, 3, rule);
	if (rc == 0)
		rc = step_done(store, stmt);
	return rc;
}

int
config_store_flow_del(struct config_store *store, const char *bridge, uint64_t id)
{
	sqlite3_stmt *stmt = store->stmt[STMT_FLOW_DEL];
	sqlite3_int64 bridge_id;
	int rc = flow_bridge_id(store, bridge, &bridge_id);

	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, bridge_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)id);
	rc = step_done(store, stmt);
	if (rc == 0 && sqlite3_changes(store->db) == 0)
		rc = store_fail(store, ENOENT, "bridge \"%s\" has no stored rule %llu", bridge,
				(unsigned long long)id);
	return rc;
}

int
config_store_setting_put(struct config_store *store, const char *key, const json_t *value)
{
	return put_object(store, store->stmt[STMT_SETTING_PUT], key, value, "a setting");
}

int
config_store_setting_del(struct config_store *store, const char *key)
{
	sqlite3_stmt *stmt = store->stmt[STMT_SETTING_DEL];
	int rc = bind_text(store, stmt, 1, key);

	if (rc == 0)
		rc = step_done(store, stmt);
	if (rc == 0 && sqlite3_changes(store->db) == 0)
		rc = store_fail(store, ENOENT, "no setting \"%s\"", key);
	return rc;
}

typedef int (*row_fn)(struct config_store *store, sqlite3_stmt *stmt, json_t *into);

/* Steps stmt (its parameters bound) over its rows, each added to into by
 * row, and resets it. 0, or row's negative errno, or the step's error. */
static int
load_rows(struct config_store *store, sqlite3_stmt *stmt, row_fn row, json_t *into)
{
	int step, rc = 0;

	while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW)
		rc = row(store, stmt, into);
	if (rc == 0 && step != SQLITE_DONE)
		rc = sqlite_fail(store, step);
	sqlite3_reset(stmt);
	return rc;
}

/* A new container for load_rows(), or NULL with *rc set. */
static json_t *
load_container(struct config_store *store, json_t *c, int *rc)
{
	if (c == NULL)
		*rc = store_fail(store, ENOMEM, "out of memory");
	return c;
}

static int
flow_row(struct config_store *store, sqlite3_stmt *stmt, json_t *flows)
{
	const char *rule = (const char *)sqlite3_column_text(stmt, 1);

	if (json_array_append_new(flows, json_pack("{s:I, s:s}", "id",
						   (json_int_t)sqlite3_column_int64(stmt, 0),
						   "rule", rule ? rule : "")) < 0)
		return store_fail(store, ENOMEM, "out of memory");
	return 0;
}

static json_t *
load_flows(struct config_store *store, sqlite3_int64 bridge_id, int *rc)
{
	sqlite3_stmt *stmt = store->stmt[STMT_LOAD_FLOWS];
	json_t *flows = load_container(store, json_array(), rc);

	if (flows == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, bridge_id);
	*rc = load_rows(store, stmt, flow_row, flows);
	if (*rc < 0) {
		json_decref(flows);
		return NULL;
	}
	return flows;
}

/* Parses a stored settings/options column back into an object. */
static json_t *
load_object(struct config_store *store, sqlite3_stmt *stmt, int col, const char *owner)
{
	const char *text = (const char *)sqlite3_column_text(stmt, col);
	json_error_t jerr;
	json_t *obj;

	if (text == NULL) {
		store_fail(store, EINVAL, "%s: no stored settings", owner);
		return NULL;
	}
	obj = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(obj)) {
		store_fail(store, EINVAL, "%s: stored settings are not a JSON object: %s", owner,
			   obj == NULL ? jerr.text : "wrong type");
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int
port_row(struct config_store *store, sqlite3_stmt *stmt, json_t *ports)
{
	const char *name = (const char *)sqlite3_column_text(stmt, 0);
	json_t *options = load_object(store, stmt, 1, name);

	if (options == NULL)
		return -EINVAL;
	if (json_array_append_new(ports, json_pack("{s:s, s:o}", "name", name, "options",
						   options)) < 0)
		return store_fail(store, ENOMEM, "out of memory");
	return 0;
}

static json_t *
load_ports(struct config_store *store, sqlite3_int64 bridge_id, int *rc)
{
	sqlite3_stmt *stmt = store->stmt[STMT_LOAD_PORTS];
	json_t *ports = load_container(store, json_array(), rc);

	if (ports == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, bridge_id);
	*rc = load_rows(store, stmt, port_row, ports);
	if (*rc < 0) {
		json_decref(ports);
		return NULL;
	}
	return ports;
}

/*
 * {key: value}. A value is stored as a JSON object; one that no longer reads
 * as one (the file was edited) is given as its text, a string, so that the
 * reader can report and skip it while the rest still loads.
 */
static int
setting_row(struct config_store *store, sqlite3_stmt *stmt, json_t *settings)
{
	const char *key = (const char *)sqlite3_column_text(stmt, 0);
	const char *text = (const char *)sqlite3_column_text(stmt, 1);
	json_t *value = NULL;

	if (text != NULL)
		value = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(value)) {
		json_decref(value);
		/* Not UTF-8 either: json_string() fails, and null says "unreadable". */
		value = text != NULL ? json_string(text) : NULL;
		if (value == NULL)
			value = json_null();
	}
	/* Keys are never NULL (WITHOUT ROWID keys are NOT NULL). */
	if (json_object_set_new(settings, key != NULL ? key : "", value) < 0)
		return store_fail(store, EINVAL,
				  "setting \"%.64s\": cannot load it (its name is not UTF-8, or "
				  "out of memory)",
				  key != NULL ? key : "");
	return 0;
}

static json_t *
load_settings(struct config_store *store, int *rc)
{
	json_t *settings = load_container(store, json_object(), rc);

	if (settings == NULL)
		return NULL;
	*rc = load_rows(store, store->stmt[STMT_LOAD_SETTINGS], setting_row, settings);
	if (*rc < 0) {
		json_decref(settings);
		return NULL;
	}
	return settings;
}

json_t *
config_store_load(struct config_store *store)
{
	sqlite3_stmt *stmt = store->stmt[STMT_LOAD_BRIDGES];
	json_t *bridges = json_array(), *ports, *settings, *flows;
	int step, rc = -ENOMEM;

	if (bridges == NULL) {
		store_fail(store, ENOMEM, "out of memory");
		goto fail;
	}
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 1);

		settings = load_object(store, stmt, 2, name);
		if (settings == NULL) {
			rc = -EINVAL;
			goto fail;
		}
		ports = load_ports(store, sqlite3_column_int64(stmt, 0), &rc);
		if (ports == NULL) {
			json_decref(settings);
			goto fail;
		}
		flows = load_flows(store, sqlite3_column_int64(stmt, 0), &rc);
		if (flows == NULL) {
			json_decref(settings);
			json_decref(ports);
			goto fail;
		}
		if (json_array_append_new(bridges, json_pack("{s:s, s:o, s:o, s:o}", "name", name,
							     "settings", settings, "ports",
							     ports, "flows", flows)) < 0) {
			rc = store_fail(store, ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (step != SQLITE_DONE) {
		rc = sqlite_fail(store, step);
		goto fail;
	}
	sqlite3_reset(stmt);
	settings = load_settings(store, &rc);
	if (settings == NULL) {
		json_decref(bridges);
		errno = -rc;
		return NULL;
	}
	return json_pack("{s:o, s:o}", "bridges", bridges, "settings", settings);

fail:
	sqlite3_reset(stmt);
	json_decref(bridges);
	errno = -rc;
	return NULL;
}

const char *
config_store_errmsg(const struct config_store *store)
{
	return store->errmsg;
}
