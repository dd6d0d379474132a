/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_MB_COMMON_H
#define VSWITCH_PERF_MB_COMMON_H

/*
 * What every microbenchmark does the same way: options, EAL start-up, medians
 * and self-checks. Messages start with the program's name, prog. Main thread
 * only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* --callgrind brackets each measured loop with CALLGRIND_ZERO_STATS and
 * CALLGRIND_DUMP_STATS_AT(name). Without <valgrind/callgrind.h> they do nothing, so that the
 * benchmarks build anywhere, and mb_callgrind_check() refuses the option. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define MB_HAVE_CALLGRIND 1
#endif
#endif
#ifndef MB_HAVE_CALLGRIND
#define MB_HAVE_CALLGRIND 0
#define CALLGRIND_ZERO_STATS do {} while (0)
#define CALLGRIND_DUMP_STATS_AT(s) do { (void)(s); } while (0)
#endif

/* How an option's value is stored at its dst. */
enum mb_opt_type {
	MB_OPT_FLAG,  /* no value: sets the bool */
	MB_OPT_U32,   /* an integer min..max (decimal, 0x hex or 0 octal) into a uint32_t */
	MB_OPT_U64,   /* the same into a uint64_t */
	MB_OPT_FUNC,  /* parse(value, dst): 0, or a negative errno after saying what was wrong */
	MB_OPT_NAMES, /* a comma-separated list of names[]: dst[i] true if it has names[i] */
};

/* One long option of a program. */
struct mb_opt {
	const char *name; /* without the "--" */
	enum mb_opt_type type;
	void *dst;
	uint64_t min, max;                        /* MB_OPT_U32, MB_OPT_U64 */
	int (*parse)(const char *val, void *dst); /* MB_OPT_FUNC */
	const char *const *names;                 /* MB_OPT_NAMES: dst is a bool[n_names] */
	unsigned int n_names;
};

/* Initializers of the five kinds. */
#define MB_U32_OPT(n, d, lo, hi)                                                                   \
	{ .name = (n), .type = MB_OPT_U32, .dst = (d), .min = (lo), .max = (hi) }
#define MB_U64_OPT(n, d, lo, hi)                                                                   \
	{ .name = (n), .type = MB_OPT_U64, .dst = (d), .min = (lo), .max = (hi) }
#define MB_FLAG_OPT(n, d) { .name = (n), .type = MB_OPT_FLAG, .dst = (d) }
#define MB_FUNC_OPT(n, d, f) { .name = (n), .type = MB_OPT_FUNC, .dst = (d), .parse = (f) }
#define MB_NAMES_OPT(n, d, nm, nn)                                                                 \
	{ .name = (n), .type = MB_OPT_NAMES, .dst = (d), .names = (nm), .n_names = (nn) }

#define MB_MAX_OPTS 16

/*
 * Parses argv against the n (<= MB_MAX_OPTS) options and --help (-h), storing
 * each value as it comes. Returns 0; 1 for --help, after usage(stdout); or
 * -EINVAL after saying on stderr what was wrong and what is accepted (and
 * usage(stderr) for an unknown option or an argument that is not an option).
 */
int mb_parse_args(const char *prog, int argc, char **argv, const struct mb_opt *opts,
		  unsigned int n, void (*usage)(FILE *f));

/*
 * Starts the EAL on one lcore, without hugepages, PCI, shared config or
 * telemetry, with mem_mb MB of memory and only EAL errors logged. Returns 0, or
 * -1 after saying why on stderr.
 */
int mb_eal_init(const char *prog, unsigned int mem_mb, unsigned int lcore);

/* For --callgrind: 0 when this build has <valgrind/callgrind.h>, else -EINVAL after saying so. */
int mb_callgrind_check(const char *prog);

/* The CPU time the calling thread has had, in seconds. */
double mb_thread_cpu_s(void);

/* Sorts v[0..n-1] in increasing order. */
void mb_sort(double *v, unsigned int n);

/* Sorts v[0..n-1] (n >= 1) and returns its median: the mean of the middle two when n is
 * even. */
double mb_median(double *v, unsigned int n);

/* A self-check: when cond is false, says so on stderr and counts one more failure in bad. */
#define MB_CHECK(bad, prog, cond, ...)                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s: check failed: ", prog);                               \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			(bad)++;                                                                   \
		}                                                                                  \
	} while (0)

#endif
