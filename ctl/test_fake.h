/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSCTL_TEST_FAKE_H
#define VSCTL_TEST_FAKE_H

/*
 * A fake vswitchd, and vsctl run against it, for vsctl's tests
 * (test_vsctl.c, test_vsctl_conntrack.c). Each test executable runs its
 * tests as one group with fake_setup and fake_teardown. Failures are cmocka
 * assertions. VSCTL_BIN is the path of the vsctl binary, set by meson.
 */

#include <stdbool.h>
#include <jansson.h>

/* Scratch directory: the fake socket, files for vsctl, vsctl's output. vsctl runs in it. */
extern char fake_dir[];

int fake_setup(void **state);
int fake_teardown(void **state);

/* The path of name in fake_dir (path has PATH_MAX bytes). */
void fake_path(char *path, const char *name);
/* Writes text (len bytes) to the file name in fake_dir. */
void fake_write(const char *name, const char *text, size_t len);
#define FAKE_WRITE(name, text) fake_write(name, text, sizeof(text) - 1)
/* The contents of the file name in fake_dir (free()). */
char *fake_read(const char *name);

struct fake_run {
	int status;	 /* vsctl's exit status */
	char *out;	 /* its stdout */
	char *err;	 /* its stderr */
	json_t *request; /* what it sent, or NULL if it did not call */
};

/*
 * Runs vsctl with the arguments (NULL-terminated) in fake_dir, so file names
 * in its messages are as given, against a fake vswitchd that answers one
 * request with reply: the response's members after "id", `"result": ...` or
 * `"error": ...`. stdin_text is its standard input (NULL: empty).
 */
void fake_run(struct fake_run *r, const char *reply, const char *stdin_text, ...)
	__attribute__((sentinel));
void fake_done(struct fake_run *r);

/* Checks that vsctl called method with exactly the params given as JSON text. */
void assert_request(const struct fake_run *r, const char *method, const char *params);
/* Checks that stdout is the JSON given as text. */
void assert_json_out(const struct fake_run *r, const char *json);

#endif
