/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_malloc.h>

#include "flow_pipeline.h"
#include "snapshot.h"

struct snapshot *
snapshot_create(void)
{
	/* Hugepage memory: PMD threads read it on every burst. */
	struct snapshot *snap = rte_zmalloc("snapshot", sizeof(*snap), RTE_CACHE_LINE_SIZE);

	if (snap == NULL)
		errno = ENOMEM;
	return snap;
}

void
snapshot_destroy(struct snapshot *snap)
{
	if (snap == NULL)
		return;
	for (unsigned int i = 0; i < DP_MAX_BRIDGES; i++)
		flow_pipeline_put(snap->bridges[i].pipeline);
	rte_free(snap);
}
