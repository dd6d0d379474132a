/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_CONFIG_STORE_H
#define VSWITCH_CONFIG_STORE_H

/*
 * The persistent configuration: bridges, their ports and flow rules, and
 * switch-wide settings, in one SQLite file.
 * Control thread only. Every write is durable (committed) when the function
 * returns 0, so the daemon acknowledges a change only after it is stored.
 *
 * Settings and options are kept as JSON objects so later features (VLANs,
 * rules) extend them without a schema migration.
 *
 * Functions return 0 or a negative errno; config_store_errmsg() then says
 * what SQLite reported.
 */

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct config_store;

/* Opens (creating if needed) the store at path; its directory is created too.
 * *created is set true when the file did not exist before (first start).
 * Returns NULL and sets errno on failure; *errmsg (if not NULL) gets a
 * static or thread-local message. */
struct config_store *config_store_open(const char *path, bool *created, const char **errmsg);
void config_store_close(struct config_store *store);

/* Group several writes into one transaction: all or none are stored.
 * Transactions do not nest: begin returns -EBUSY while one is open, commit
 * -EINVAL when none is. A failed commit rolls back. Rollback without an open
 * transaction does nothing. */
int config_store_begin(struct config_store *store);
int config_store_commit(struct config_store *store);
void config_store_rollback(struct config_store *store);

/* Insert or replace. settings/options are JSON objects (not stolen); anything
 * else is -EINVAL. Replacing keeps the entry's position and, for a bridge, its
 * ports. port_put returns -ENOENT when the bridge does not exist; putting an
 * existing port with another bridge moves it there. */
int config_store_bridge_put(struct config_store *store, const char *name, const json_t *settings);
/* Deletes the bridge and its ports. -ENOENT if absent. */
int config_store_bridge_del(struct config_store *store, const char *name);
int config_store_port_put(struct config_store *store, const char *bridge, const char *name,
			  const json_t *options);
/* -ENOENT if absent. */
int config_store_port_del(struct config_store *store, const char *name);

/* A bridge's flow rule by its id (unique in the bridge), as its text. put
 * inserts or replaces; -ENOENT when the bridge (or, for del, the rule) is
 * absent. A bridge's rules go with it. */
int config_store_flow_put(struct config_store *store, const char *bridge, uint64_t id,
			  const char *rule);
int config_store_flow_del(struct config_store *store, const char *bridge, uint64_t id);

/* A switch-wide setting, a JSON object under a key ("conntrack"). put
 * inserts or replaces (value not stolen; anything but an object is -EINVAL);
 * del returns -ENOENT when the key is absent. */
int config_store_setting_put(struct config_store *store, const char *key, const json_t *value);
int config_store_setting_del(struct config_store *store, const char *key);

/* Everything stored, bridges in insertion order:
 * {"bridges": [{"name": "br0", "settings": {...}, "ports": [{"name": "vm1", "options": {...}}],
 *               "flows": [{"id": 1, "rule": "table=0,priority=0,actions=normal"}]}],
 *  "settings": {"conntrack": {...}}}
 * A stored setting that no longer reads as a JSON object (the file was edited
 * by hand) is given as its stored text, a JSON string (null if that is not
 * UTF-8), so the reader can report it and carry on.
 * New reference; NULL with errno on failure. */
json_t *config_store_load(struct config_store *store);

const char *config_store_errmsg(const struct config_store *store);

#endif
