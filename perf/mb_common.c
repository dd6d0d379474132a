/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "mb_common.h"

static int
parse_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
	  uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "%s: --%s: bad value \"%s\"; expected an integer %" PRIu64
				"..%" PRIu64 "\n", prog, opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A comma-separated subset of names into want[], which the list must not leave empty. The list
 * is copied because strtok_r() writes into it. */
static int
parse_names(const char *prog, const struct mb_opt *o, const char *list)
{
	bool *want = o->dst;
	char buf[256], *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf))
		goto bad;
	strcpy(buf, list);
	memset(want, 0, o->n_names * sizeof(*want));
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		unsigned int i;

		for (i = 0; i < o->n_names; i++)
			if (strcmp(tok, o->names[i]) == 0)
				break;
		if (i == o->n_names)
			goto bad;
		want[i] = true;
	}
	for (unsigned int i = 0; i < o->n_names; i++)
		if (want[i])
			return 0;
bad:
	fprintf(stderr, "%s: --%s: bad list \"%s\"; expected names from ", prog, o->name, list);
	for (unsigned int i = 0; i < o->n_names; i++)
		fprintf(stderr, "%s%s", i > 0 ? ", " : "", o->names[i]);
	fprintf(stderr, ", separated by commas\n");
	return -EINVAL;
}

static int
store(const char *prog, const struct mb_opt *o, const char *val)
{
	uint64_t v;
	int ret;

	switch (o->type) {
	case MB_OPT_FLAG:
		*(bool *)o->dst = true;
		return 0;
	case MB_OPT_U32:
		ret = parse_u64(prog, o->name, val, o->min, o->max, &v);
		if (ret == 0)
			*(uint32_t *)o->dst = (uint32_t)v;
		return ret;
	case MB_OPT_U64:
		return parse_u64(prog, o->name, val, o->min, o->max, o->dst);
	case MB_OPT_NAMES:
		return parse_names(prog, o, val);
	case MB_OPT_FUNC:
	default:
		return o->parse(val, o->dst);
	}
}

int
mb_parse_args(const char *prog, int argc, char **argv, const struct mb_opt *opts,
	      unsigned int n, void (*usage)(FILE *f))
{
	struct option longopts[MB_MAX_OPTS + 2];
	int c;

	if (n > MB_MAX_OPTS)
		return -EINVAL;
	/* Option i comes back from getopt_long() as 256 + i: never a character. */
	for (unsigned int i = 0; i < n; i++)
		longopts[i] = (struct option){
			.name = opts[i].name,
			.has_arg = opts[i].type == MB_OPT_FLAG ? no_argument : required_argument,
			.val = 256 + (int)i,
		};
	longopts[n] = (struct option){ .name = "help", .has_arg = no_argument, .val = 'h' };
	longopts[n + 1] = (struct option){ 0 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int ret;

		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c < 256 || c >= 256 + (int)n) {
			usage(stderr);
			return -EINVAL;
		}
		ret = store(prog, &opts[c - 256], optarg);
		if (ret < 0)
			return ret;
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int
mb_eal_init(const char *prog, unsigned int mem_mb, unsigned int lcore)
{
	char mem_arg[16], lcore_arg[16];
	char *args[] = {
		(char *)prog, "--no-huge", "-m", mem_arg, "--no-pci", "--no-shconf",
		"-l", lcore_arg, "--no-telemetry", "--log-level=lib.eal:error",
	};

	snprintf(mem_arg, sizeof(mem_arg), "%u", mem_mb);
	snprintf(lcore_arg, sizeof(lcore_arg), "%u", lcore);
	if (rte_eal_init((int)RTE_DIM(args), args) < 0) {
		fprintf(stderr, "%s: rte_eal_init: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int
mb_callgrind_check(const char *prog)
{
	if (MB_HAVE_CALLGRIND)
		return 0;
	fprintf(stderr, "%s: --callgrind: built without <valgrind/callgrind.h> (apt-get install "
			"valgrind, then rebuild)\n", prog);
	return -EINVAL;
}

double
mb_thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
mb_sort(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double
mb_median(double *v, unsigned int n)
{
	mb_sort(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
