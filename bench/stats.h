/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats: the clock and the percentiles the benchmark tools share (loadgen.c, sqlbase.c), so
 * that both report latencies the same way. Header only: each tool is one compiled file.
 */
#ifndef FV_BENCH_STATS_H
#define FV_BENCH_STATS_H

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double
now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* qsort order of doubles. */
static inline int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction p of the sorted v[0..n) (nearest rank); 0 when n is 0. */
static inline double
pct(const double *v, long n, double p)
{
	if (n <= 0)
		return 0;
	return v[(long)(p * (double)(n - 1) + 0.5)];
}

#endif
