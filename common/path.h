/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_COMMON_PATH_H
#define VSWITCH_COMMON_PATH_H

/*
 * Creates every missing directory above a file path (mode 0755), like
 * `mkdir -p "$(dirname PATH)"`, so sockets and stores can live in fresh
 * directories such as /run/vswitch. Returns 0 or -errno. Any thread.
 */
int path_make_parents(const char *path);

#endif
