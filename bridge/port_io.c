/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the control thread receives from rules' controller actions and
 * sends out of ports, and the routed flag that keeps a port out of the L2
 * switch's floods.
 */
#include <errno.h>
#include <string.h>

#include "bridge_priv.h"

unsigned int
bridge_punt_dequeue(struct bridge_set *bs, struct bridge_punt *out, unsigned int max)
{
	struct dp_punt p[32];
	unsigned int n, k = 0;

	n = datapath_punt_dequeue(bs->dp, p, RTE_MIN(max, (unsigned int)RTE_DIM(p)));
	for (unsigned int i = 0; i < n; i++) {
		const struct port *port = p[i].port_no < DP_MAX_PORTS ? bs->ports[p[i].port_no] : NULL;

		/* Queued before its port went away: nobody to answer. */
		if (port == NULL) {
			rte_pktmbuf_free(p[i].m);
			continue;
		}
		out[k++] = (struct bridge_punt){.m = p[i].m, .bridge = port->br->name,
						.port = port->name};
	}
	return k;
}

int
bridge_port_send(struct bridge_set *bs, const char *name, struct rte_mbuf *m)
{
	const struct port *p = port_find(bs, name);
	int rc;

	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOENT;
	}
	rc = datapath_inject(bs->dp, p->port_no, m);
	if (rc < 0)
		rte_pktmbuf_free(m);
	return rc;
}

struct rte_mempool *
bridge_set_mempool(const struct bridge_set *bs)
{
	return datapath_mempool(bs->dp);
}

int
bridge_port_set_routed(struct bridge_set *bs, const char *name, bool routed)
{
	struct port *p = port_find(bs, name);

	if (p == NULL)
		return -ENOENT;
	if (p->routed == routed)
		return 0;
	p->routed = routed;
	if (bridge_publish(bs) < 0) {
		p->routed = !routed;
		return -ENOMEM;
	}
	return 0;
}

unsigned int
bridge_port_names(const struct bridge_set *bs, const char *bridge, const char **names,
		  unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < DP_MAX_PORTS && n < max; i++) {
		const struct port *p = bs->ports[i];

		if (p != NULL && strcmp(p->br->name, bridge) == 0)
			names[n++] = p->name;
	}
	return n;
}
