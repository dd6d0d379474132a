/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bridge.h"
#include "common/path.h"
#include "vhost_socket.h"

int
vhost_socket_check(const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);

	if (path[0] != '/') {
		snprintf(err, errlen, "socket \"%s\" must be an absolute path", path);
		return -EINVAL;
	}
	if (len > BRIDGE_SOCKET_MAX) {
		snprintf(err, errlen, "socket path is %zu bytes; at most %d fit a unix socket", len,
			 BRIDGE_SOCKET_MAX);
		return -EINVAL;
	}
	if (strpbrk(path, ",=; \t\n") != NULL) {
		snprintf(err, errlen, "socket \"%s\" may not contain ',', '=', ';' or spaces", path);
		return -EINVAL;
	}
	if (path[len - 1] == '/') {
		snprintf(err, errlen, "socket \"%s\" names a directory, not a socket", path);
		return -EINVAL;
	}
	return 0;
}

static int
someone_listens(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

int
vhost_socket_prepare(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	rc = path_make_parents(path);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(-rc));
		return rc;
	}
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; remove it or pick another path",
			 path);
		return -EEXIST;
	}
	if (someone_listens(path)) {
		snprintf(err, errlen, "%s is in use by another process", path);
		return -EADDRINUSE;
	}
	/* A leftover of a process that died: the vhost library cannot bind over it. */
	if (unlink(path) < 0) {
		snprintf(err, errlen, "cannot remove stale socket %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}
