/* SPDX-License-Identifier: BSD-3-Clause */
/* The VM stand-in of the integration tests; see vm_peer.h. */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"
#include "vm_peer.h"

#define VM_PEER_BURST 32
#define VM_PEER_RING 256
#define VM_PEER_POOL_SIZE 8191
#define VM_PEER_TX_RETRY_MS 100

struct vm_peer {
	char name[32];
	char vdev[32];
	uint16_t port_id;
	uint32_t id;
	struct rte_ether_addr mac;
	struct vm_peer_frame *frames;
	size_t n_frames;
	size_t cap_frames;
};

static struct rte_mempool *peer_pool;
static char peer_prefix[32];
static atomic_uint next_vdev;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
runtime_dir_remove(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/var/run/dpdk/%s", peer_prefix);
	rmdir(path);
}

int
vm_peer_eal_init(const char *prog)
{
	char *argv[16];
	int argc = 0;
	int ret;

	/* virtio_user writes to the vhost-user socket of a switch that may be gone. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(peer_prefix, sizeof(peer_prefix), "itpeer%d", (int)getpid());
	argv[argc++] = (char *)prog;
	argv[argc++] = "--in-memory";
	argv[argc++] = "--single-file-segments";
	argv[argc++] = "--no-pci";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "--file-prefix";
	argv[argc++] = peer_prefix;
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level";
	argv[argc++] = "*:warning";
	argv[argc] = NULL;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return rte_errno ? -rte_errno : -EINVAL;
	/*
	 * In-memory and without telemetry, the EAL keeps nothing in its runtime
	 * directory: remove it now, so not even a killed test leaves it behind.
	 */
	runtime_dir_remove();

	peer_pool = rte_pktmbuf_pool_create("vm_peer_pool", VM_PEER_POOL_SIZE, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (peer_pool == NULL) {
		ret = -rte_errno;
		rte_eal_cleanup();
		return ret;
	}
	return 0;
}

void
vm_peer_eal_fini(void)
{
	rte_mempool_free(peer_pool);
	peer_pool = NULL;
	rte_eal_cleanup();
	runtime_dir_remove();
}

static int
peer_port_setup(struct vm_peer *peer, bool lsc)
{
	struct rte_eth_conf conf;
	int socket = rte_eth_dev_socket_id(peer->port_id);
	int ret;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	memset(&conf, 0, sizeof(conf));
	/*
	 * A server-mode virtio_user re-registers its interrupt source on every
	 * reconnect. Without link-state interrupts that bookkeeping goes wrong
	 * in DPDK 22.11: after a reconnect, removing the device left a closed fd
	 * in the interrupt thread's list and the EAL panicked ("Error adding fd
	 * ... epoll_ctl, Bad file descriptor"). With them it is consistent.
	 */
	if (lsc)
		conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(peer->port_id, 1, 1, &conf);
	if (ret < 0)
		return ret;
	ret = rte_eth_rx_queue_setup(peer->port_id, 0, VM_PEER_RING, socket, NULL, peer_pool);
	if (ret < 0)
		return ret;
	ret = rte_eth_tx_queue_setup(peer->port_id, 0, VM_PEER_RING, socket, NULL);
	if (ret < 0)
		return ret;
	return rte_eth_dev_start(peer->port_id);
}

struct probe_watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool probed;
	bool fired;
	unsigned timeout_ms;
	const char *socket;
};

/*
 * virtio_user in server mode accepts the switch's first connection inside
 * rte_dev_probe(), with a blocking accept(). If the switch never comes, this
 * thread connects to the socket itself and hangs up, which makes the probe
 * fail instead of hanging the test.
 */
static void *
probe_watchdog_main(void *arg)
{
	struct probe_watchdog *w = arg;
	struct timespec deadline;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += w->timeout_ms / 1000;
	deadline.tv_nsec += (long)(w->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->probed && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&w->cond, &w->lock, &deadline);
	if (!w->probed) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		w->fired = true;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", w->socket);
		if (fd >= 0) {
			connect(fd, (struct sockaddr *)&sun, sizeof(sun));
			close(fd);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
probe_server(const struct vm_peer_params *params, const char *devargs)
{
	struct probe_watchdog w = {
	    .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER,
	    .timeout_ms = params->link_timeout_ms ? params->link_timeout_ms : 10000,
	    .socket = params->socket,
	};
	pthread_t tid;
	int ret;

	if (pthread_create(&tid, NULL, probe_watchdog_main, &w) != 0)
		return -EAGAIN;
	ret = rte_dev_probe(devargs);
	pthread_mutex_lock(&w.lock);
	w.probed = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(tid, NULL);
	if (w.fired) {
		fprintf(stderr, "vm_peer %s: the switch did not connect to %s within %u ms\n",
			params->name, params->socket, w.timeout_ms);
		if (ret == 0) {
			/* The probe raced with the watchdog and won; the device is unusable. */
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(devargs, ","), devargs);
			rte_eal_hotplug_remove("vdev", name);
		}
		return -ETIMEDOUT;
	}
	return ret;
}

struct vm_peer *
vm_peer_open(const struct vm_peer_params *params)
{
	char devargs[512];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vm_peer *peer;
	int ret;

	peer = calloc(1, sizeof(*peer));
	if (peer == NULL)
		return NULL;
	snprintf(peer->name, sizeof(peer->name), "%s", params->name);
	peer->id = atomic_fetch_add(&next_vdev, 1);
	snprintf(peer->vdev, sizeof(peer->vdev), "virtio_user%u", peer->id);
	peer->mac = params->mac;

	rte_ether_format_addr(mac, sizeof(mac), &params->mac);
	snprintf(devargs, sizeof(devargs), "%s,path=%s,queues=1,queue_size=%u,mac=%s%s", peer->vdev,
		 params->socket, VM_PEER_RING, mac, params->server ? ",server=1" : "");
	ret = params->server ? probe_server(params, devargs) : rte_dev_probe(devargs);
	if (ret < 0) {
		fprintf(stderr, "vm_peer %s: probe \"%s\" failed: %s\n", peer->name, devargs,
			strerror(-ret));
		free(peer);
		errno = -ret;
		return NULL;
	}
	ret = rte_eth_dev_get_port_by_name(peer->vdev, &peer->port_id);
	if (ret < 0) {
		rte_eal_hotplug_remove("vdev", peer->vdev);
		free(peer);
		errno = -ret;
		return NULL;
	}
	ret = peer_port_setup(peer, params->server);
	if (ret == 0 && params->link_timeout_ms != 0)
		ret = vm_peer_wait_link(peer, params->link_timeout_ms);
	if (ret < 0) {
		fprintf(stderr, "vm_peer %s: setting up %s failed: %s\n", peer->name, devargs,
			strerror(-ret));
		vm_peer_close(peer);
		errno = -ret;
		return NULL;
	}
	return peer;
}

void
vm_peer_close(struct vm_peer *peer)
{
	struct rte_eth_dev_info info;

	if (peer == NULL)
		return;
	if (rte_eth_dev_info_get(peer->port_id, &info) == 0 && info.device != NULL) {
		rte_eth_dev_stop(peer->port_id);
		/* The virtio_user remove callback closes the port as well. */
		if (rte_dev_remove(info.device) < 0)
			fprintf(stderr, "vm_peer %s: removing %s failed\n", peer->name, peer->vdev);
	}
	free(peer->frames);
	free(peer);
}

bool
vm_peer_link_up(struct vm_peer *peer)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(peer->port_id, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

int
vm_peer_wait_link(struct vm_peer *peer, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (vm_peer_link_up(peer))
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

uint32_t
vm_peer_id(const struct vm_peer *peer)
{
	return peer->id;
}

const char *
vm_peer_name(const struct vm_peer *peer)
{
	return peer->name;
}

const struct rte_ether_addr *
vm_peer_mac(const struct vm_peer *peer)
{
	return &peer->mac;
}

struct rte_ether_addr
vm_peer_mac_make(uint8_t hi, uint8_t lo)
{
	struct rte_ether_addr mac = {.addr_bytes = {0x02, 0, 0, 0, hi, lo}};

	return mac;
}

static struct rte_mbuf *
frame_build(struct vm_peer *peer, const struct rte_ether_addr *dst,
	    const struct rte_ether_addr *src, uint32_t test_id, uint32_t seq)
{
	struct rte_ether_hdr *eth;
	struct vm_peer_payload *pl;
	struct rte_mbuf *m;
	char *data;

	m = rte_pktmbuf_alloc(peer_pool);
	if (m == NULL)
		return NULL;
	data = rte_pktmbuf_append(m, VM_PEER_FRAME_LEN);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(data, 0, VM_PEER_FRAME_LEN);
	eth = (struct rte_ether_hdr *)data;
	eth->dst_addr = *dst;
	eth->src_addr = src != NULL ? *src : peer->mac;
	eth->ether_type = rte_cpu_to_be_16(VM_PEER_ETHERTYPE);
	pl = (struct vm_peer_payload *)(eth + 1);
	pl->magic = rte_cpu_to_be_32(VM_PEER_MAGIC);
	pl->test_id = rte_cpu_to_be_32(test_id);
	pl->seq = rte_cpu_to_be_32(seq);
	pl->sender = rte_cpu_to_be_32(peer->id);
	return m;
}

/* Hands all n mbufs to the device, retrying while it makes progress. Frees what it could not send.
 */
static unsigned
tx_all(struct vm_peer *peer, struct rte_mbuf **pkts, unsigned n)
{
	uint64_t deadline = now_ms() + VM_PEER_TX_RETRY_MS;
	unsigned sent = 0;

	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(peer->port_id, 0, pkts + sent, n - sent);

		sent += k;
		if (k > 0) {
			deadline = now_ms() + VM_PEER_TX_RETRY_MS;
			continue;
		}
		if (now_ms() >= deadline)
			break;
		usleep(100);
	}
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

int
vm_peer_send(struct vm_peer *peer, const struct rte_ether_addr *dst,
	     const struct rte_ether_addr *src, uint32_t test_id, uint32_t seq)
{
	struct rte_mbuf *m = frame_build(peer, dst, src, test_id, seq);

	if (m == NULL)
		return -ENOMEM;
	return tx_all(peer, &m, 1) == 1 ? 0 : -EAGAIN;
}

unsigned
vm_peer_send_burst(struct vm_peer *peer, const struct rte_ether_addr *dst,
		   const struct rte_ether_addr *src, uint32_t test_id, uint32_t first_seq,
		   unsigned n)
{
	struct rte_mbuf *pkts[VM_PEER_BURST];
	unsigned done = 0;

	while (done < n) {
		unsigned k = RTE_MIN(n - done, (unsigned)VM_PEER_BURST);
		unsigned i, sent;

		for (i = 0; i < k; i++) {
			pkts[i] = frame_build(peer, dst, src, test_id, first_seq + done + i);
			if (pkts[i] == NULL)
				break;
		}
		sent = tx_all(peer, pkts, i);
		done += sent;
		if (sent < k)
			break;
	}
	return done;
}

int
vm_peer_send_raw(struct vm_peer *peer, const void *data, uint16_t len)
{
	struct rte_mbuf *m;
	char *p;

	m = rte_pktmbuf_alloc(peer_pool);
	if (m == NULL)
		return -ENOMEM;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	memcpy(p, data, len);
	return tx_all(peer, &m, 1) == 1 ? 0 : -EAGAIN;
}

static void
frame_record(struct vm_peer *peer, struct rte_mbuf *m)
{
	struct vm_peer_frame *f;
	const struct rte_ether_hdr *eth;
	const struct vm_peer_payload *pl;
	uint8_t buf[sizeof(*eth) + sizeof(*pl)];

	if (peer->n_frames == peer->cap_frames) {
		size_t cap = peer->cap_frames ? peer->cap_frames * 2 : 1024;
		struct vm_peer_frame *n = realloc(peer->frames, cap * sizeof(*n));

		if (n == NULL)
			return; /* The counts will then be short and the test fails. */
		peer->frames = n;
		peer->cap_frames = cap;
	}
	f = &peer->frames[peer->n_frames++];
	memset(f, 0, sizeof(*f));
	f->len = rte_pktmbuf_pkt_len(m);
	if (f->len < sizeof(*eth))
		return;
	eth = rte_pktmbuf_read(m, 0, RTE_MIN((size_t)f->len, sizeof(buf)), buf);
	f->dst = eth->dst_addr;
	f->src = eth->src_addr;
	f->ethertype = rte_be_to_cpu_16(eth->ether_type);
	if (f->ethertype != VM_PEER_ETHERTYPE || f->len < sizeof(buf))
		return;
	pl = (const struct vm_peer_payload *)(eth + 1);
	if (rte_be_to_cpu_32(pl->magic) != VM_PEER_MAGIC)
		return;
	f->is_test = true;
	f->test_id = rte_be_to_cpu_32(pl->test_id);
	f->seq = rte_be_to_cpu_32(pl->seq);
	f->sender = rte_be_to_cpu_32(pl->sender);
}

unsigned
vm_peer_poll(struct vm_peer *peer)
{
	struct rte_mbuf *pkts[VM_PEER_BURST];
	unsigned total = 0;
	uint16_t n, i;

	do {
		n = rte_eth_rx_burst(peer->port_id, 0, pkts, VM_PEER_BURST);
		for (i = 0; i < n; i++) {
			frame_record(peer, pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
		total += n;
	} while (n == VM_PEER_BURST);
	return total;
}

static unsigned
poll_peers(struct vm_peer *const *peers, size_t n)
{
	unsigned got = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (peers[i] != NULL)
			got += vm_peer_poll(peers[i]);
	return got;
}

void
vm_peer_poll_all(struct vm_peer *const *peers, size_t n, unsigned duration_ms)
{
	uint64_t deadline = now_ms() + duration_ms;

	do {
		/* Share core 0 with the switch's control thread when there is nothing to do. */
		if (poll_peers(peers, n) == 0)
			usleep(50);
	} while (now_ms() < deadline);
}

bool
vm_peer_poll_until(struct vm_peer *const *peers, size_t n, bool (*done)(void *arg), void *arg,
		   unsigned timeout_ms, unsigned settle_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	bool ok;

	for (;;) {
		if (poll_peers(peers, n) == 0)
			usleep(50);
		ok = done(arg);
		if (ok || now_ms() >= deadline)
			break;
	}
	if (settle_ms != 0)
		vm_peer_poll_all(peers, n, settle_ms);
	return ok;
}

const struct vm_peer_frame *
vm_peer_frames(const struct vm_peer *peer, size_t *n)
{
	*n = peer->n_frames;
	return peer->frames;
}

void
vm_peer_clear(struct vm_peer *peer)
{
	peer->n_frames = 0;
}

unsigned
vm_peer_count(const struct vm_peer *peer, uint32_t test_id, uint32_t sender)
{
	unsigned count = 0;
	size_t i;

	for (i = 0; i < peer->n_frames; i++) {
		const struct vm_peer_frame *f = &peer->frames[i];

		if (f->is_test && f->test_id == test_id &&
		    (sender == UINT32_MAX || f->sender == sender))
			count++;
	}
	return count;
}

unsigned
vm_peer_count_own(const struct vm_peer *peer)
{
	unsigned count = 0;
	size_t i;

	for (i = 0; i < peer->n_frames; i++)
		if (peer->frames[i].is_test && peer->frames[i].sender == peer->id)
			count++;
	return count;
}

int
vm_peer_run_group(const char *prog, const char *name, const struct CMUnitTest *tests,
		  size_t n_tests, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	int ret;

	if (harness_init() < 0) {
		fprintf(stderr, "%s: the test harness cannot start (VSWITCHD and VSCTL set?)\n", name);
		return 1;
	}
	ret = vm_peer_eal_init(prog);
	if (ret < 0) {
		fprintf(stderr, "%s: EAL init failed (%s); hugepages mounted?\n", name, strerror(-ret));
		return 1;
	}
	ret = _cmocka_run_group_tests(name, tests, n_tests, setup, teardown);
	vm_peer_eal_fini();
	return ret;
}
