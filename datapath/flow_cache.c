/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_malloc.h>

#include "flow_cache.h"

struct flow_cache *
flow_cache_create(int socket_id)
{
	/* Zeroed: generation 0 is no pipeline's, so every entry starts empty. */
	struct flow_cache *fc = rte_zmalloc_socket("flow_cache", sizeof(*fc), RTE_CACHE_LINE_SIZE,
						   socket_id);

	if (fc == NULL)
		errno = ENOMEM;
	return fc;
}

void
flow_cache_destroy(struct flow_cache *fc)
{
	rte_free(fc);
}
