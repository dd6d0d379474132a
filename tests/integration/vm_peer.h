/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TESTS_VM_PEER_H
#define VSWITCH_TESTS_VM_PEER_H

/*
 * The stand-in for a VM in integration tests: a virtio_user port opened in the
 * test process itself, which speaks the same virtio ring protocol as a guest.
 *
 * Threading contract: vm_peer_eal_init() and vm_peer_eal_fini() run once, on
 * the main thread. After that every function may be called from any thread,
 * but one peer must be used by one thread at a time (ethdev queues are not
 * thread safe); different peers may be used by different threads at once.
 *
 * Functions return 0 or a negative errno unless they say otherwise;
 * constructors return NULL and set errno.
 *
 * Test frames carry, after the Ethernet header, a payload of
 * struct vm_peer_payload (magic, test id, sequence number, sender id), so a
 * receiver can tell which test and which sender a frame came from.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rte_ether.h>

/* IEEE 802 local experimental EtherType: never used by anything else here. */
#define VM_PEER_ETHERTYPE 0x88b5
#define VM_PEER_MAGIC 0x76736974u /* "vsit" */
/* Length of a test frame without FCS: the Ethernet minimum. */
#define VM_PEER_FRAME_LEN 60

struct vm_peer_payload {
	uint32_t magic;	  /* VM_PEER_MAGIC, network order */
	uint32_t test_id; /* network order */
	uint32_t seq;	  /* network order */
	uint32_t sender;  /* vm_peer id of the sender, network order */
} __attribute__((packed));

/* One frame a peer received. */
struct vm_peer_frame {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	uint16_t ethertype; /* host order */
	uint16_t len;
	bool is_test; /* ethertype and magic matched; the fields below are valid */
	uint32_t test_id;
	uint32_t seq;
	uint32_t sender;
};

struct vm_peer;

/*
 * Initialises the EAL of the test process as a short-lived peer: in-memory
 * (no hugepage files left behind), single-file segments (without it vhost-user
 * loses packets here), no PCI, lcore 0, and a file prefix made unique from
 * the pid. Creates the mbuf pool shared by all peers. Main thread only, once.
 * Returns 0, or a negative errno (-ENOMEM when hugepages are missing).
 */
int vm_peer_eal_init(const char *prog);
void vm_peer_eal_fini(void);

/*
 * main() of a test program with DPDK peers: starts the harness and EAL, runs
 * the cmocka group, stops EAL. A harness or EAL that cannot start is a
 * failure (exit 1), never a skip: a broken test bed must not pass quietly.
 */
int vm_peer_run_group(const char *prog, const char *name, const struct CMUnitTest *tests,
		      size_t n_tests, CMFixtureFunction setup, CMFixtureFunction teardown);

struct vm_peer_params {
	const char *name;   /* label in messages, e.g. "p1" */
	const char *socket; /* vhost-user socket path */
	/*
	 * true: the peer listens (the switch's port is vhostuser-client). The
	 * probe then waits for the switch's first connection, so configure the
	 * port before opening the peer; link_timeout_ms (10 s if 0) bounds that
	 * wait too.
	 */
	bool server;
	struct rte_ether_addr mac; /* the virtio device's MAC, also the default source */
	unsigned link_timeout_ms;  /* 0: do not wait for link up (vm_peer_wait_link later) */
};

/*
 * Probes a virtio_user device on params->socket, configures one rx and one tx
 * queue, starts it and, if link_timeout_ms is set, waits for link up.
 * Returns NULL with errno: ETIMEDOUT (link stayed down; the peer is removed),
 * or what rte_dev_probe/ethdev reported.
 */
struct vm_peer *vm_peer_open(const struct vm_peer_params *params);
/* Stops and removes the device; frees the received frames. NULL is a no-op. */
void vm_peer_close(struct vm_peer *peer);

/* Waits up to timeout_ms for link up. 0 or -ETIMEDOUT. */
int vm_peer_wait_link(struct vm_peer *peer, unsigned timeout_ms);
bool vm_peer_link_up(struct vm_peer *peer);

/* The id carried in the sender field of frames sent by this peer (unique per process). */
uint32_t vm_peer_id(const struct vm_peer *peer);
const char *vm_peer_name(const struct vm_peer *peer);
const struct rte_ether_addr *vm_peer_mac(const struct vm_peer *peer);

/*
 * Sends one test frame of VM_PEER_FRAME_LEN bytes. src NULL means the peer's
 * own MAC. Retries a full tx ring for up to 100 ms.
 * Returns 0 or -EAGAIN (the ring stayed full), -ENOMEM.
 */
int vm_peer_send(struct vm_peer *peer, const struct rte_ether_addr *dst,
		 const struct rte_ether_addr *src, uint32_t test_id, uint32_t seq);
/*
 * Sends n test frames with consecutive sequence numbers first_seq.. in
 * bursts. Returns the number handed to the device (n unless the ring stayed
 * full for 100 ms).
 */
unsigned vm_peer_send_burst(struct vm_peer *peer, const struct rte_ether_addr *dst,
			    const struct rte_ether_addr *src, uint32_t test_id, uint32_t first_seq,
			    unsigned n);
/* Sends len bytes exactly as given (len may be below the Ethernet minimum). */
int vm_peer_send_raw(struct vm_peer *peer, const void *data, uint16_t len);

/*
 * Receives whatever is waiting on the peer's rx queue and appends it to the
 * peer's list of received frames. Returns the number of frames received.
 */
unsigned vm_peer_poll(struct vm_peer *peer);
/* Polls all peers (NULL entries skipped) for duration_ms, sleeping briefly when idle. */
void vm_peer_poll_all(struct vm_peer *const *peers, size_t n, unsigned duration_ms);
/*
 * Polls all peers until done(arg) returns true or timeout_ms passes, then
 * keeps polling for settle_ms more to catch frames that should not come.
 * Returns true when done() became true.
 */
bool vm_peer_poll_until(struct vm_peer *const *peers, size_t n, bool (*done)(void *arg), void *arg,
			unsigned timeout_ms, unsigned settle_ms);

/* The received frames, oldest first; valid until the next poll or clear. */
const struct vm_peer_frame *vm_peer_frames(const struct vm_peer *peer, size_t *n);
/* Forgets the received frames. */
void vm_peer_clear(struct vm_peer *peer);

/* Received test frames of test_id (from any sender when sender is UINT32_MAX). */
unsigned vm_peer_count(const struct vm_peer *peer, uint32_t test_id, uint32_t sender);
/* Received test frames that this peer sent itself (never expected from a switch). */
unsigned vm_peer_count_own(const struct vm_peer *peer);

/* A locally administered unicast MAC 02:00:00:00:hi:lo. */
struct rte_ether_addr vm_peer_mac_make(uint8_t hi, uint8_t lo);

#endif
