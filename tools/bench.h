/*
 * bench.h - what the `ocv bench` benchmarks share.
 */
#ifndef OCV_TOOLS_BENCH_H
#define OCV_TOOLS_BENCH_H

#include <stddef.h>

/* Monotonic seconds. */
double ocv_bench_now(void);
/* Median and p99 of values; sorts in place. */
void ocv_bench_summarise(double *values, size_t n, double *median, double *p99);
/* Peak resident set size of this process, KiB. */
long ocv_bench_peak_rss_kib(void);

int ocv_bench_revocation(int argc, char **argv);
int ocv_bench_token(int argc, char **argv);

#endif
