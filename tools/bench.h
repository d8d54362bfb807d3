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

/* `ocv bench --help`, for every benchmark's -h and usage errors. */
extern const char ocv_bench_usage[];

/* A directory that exists, for --dir; 0, or OCV_EXIT_USAGE after saying why. */
int ocv_bench_check_dir(const char *dir);

int ocv_bench_revocation(int argc, char **argv);
int ocv_bench_token(int argc, char **argv);

#endif
