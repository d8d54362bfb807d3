/*
 * cmd_bench.c - `ocv bench`: how fast decisions are, measured, never
 * asserted. Reports medians and p99 over batches, the raw signature
 * primitive on the same machine in the same run, their ratio, and peak
 * memory (getrusage). Timings are wall-clock on one thread.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>

#include "base/buf.h"
#include "base/limits.h"
#include "bench.h"
#include "cli.h"
#include "ocv.h"

static const char BENCH_USAGE[] =
    "usage: ocv bench x509 --anchors ROOTS --cert LEAF [--chain INTERMEDIATES]\n"
    "                      [--batches N] [--batch-size N]\n"
    "       ocv bench token [--alg ALG] [--batches N] [--batch-size N]\n"
    "       ocv bench revocation [--entries N] [--delta N] [--lookups N] [--dir DIR]\n"
    "\n"
    "Measures decisions per second through ocv_check (no policy) against the raw\n"
    "mbedtls verification of the leaf's signature, on one thread, and prints the\n"
    "median and p99 of per-batch figures and the peak resident memory.\n"
    "Numbers are reported, never asserted: machines are shared and noisy.\n";

double ocv_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median and p99 of per-operation nanoseconds; sorts in place. */
void ocv_bench_summarise(double *ns, size_t n, double *median, double *p99)
{
    qsort(ns, n, sizeof(ns[0]), compare_double);
    *median = ns[n / 2];
    size_t i = (size_t)((double)(n - 1) * 0.99);
    *p99 = ns[i];
}

long ocv_bench_peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

typedef struct bench_args {
    const char *anchors, *cert, *chain;
    long batches, batch_size;
} bench_args;

static int raw_verify_leaf(const mbedtls_x509_crt *leaf, const mbedtls_x509_crt *issuer)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(leaf->sig_md);
    if (md == NULL || mbedtls_md(md, leaf->tbs.p, leaf->tbs.len, hash) != 0)
        return -1;
    return mbedtls_pk_verify_ext(leaf->sig_pk, leaf->sig_opts, (mbedtls_pk_context *)&issuer->pk,
                                 leaf->sig_md, hash, mbedtls_md_get_size(md), leaf->sig.p,
                                 leaf->sig.len);
}

/* The raw primitive: the leaf's signature checked with its issuer's key
 * (the first certificate of --chain, or the anchor). */
static int bench_raw(const bench_args *a, const ocv_bytes *cert, const ocv_bytes *chain, double *ns)
{
    mbedtls_x509_crt leaf, issuer;
    mbedtls_x509_crt_init(&leaf);
    mbedtls_x509_crt_init(&issuer);
    int rc = -1;
    char err[256];
    ocv_bytes anchors;
    ocv_bytes_init(&anchors);
    const ocv_bytes *issuer_file = chain;
    if (chain->len == 0) {
        if (ocv_file_read(a->anchors, OCV_MAX_TRUST_FILE_BYTES, &anchors, err, sizeof(err)) !=
            OCV_OK)
            goto out;
        issuer_file = &anchors;
    }
    if (mbedtls_x509_crt_parse(&leaf, cert->data, cert->len + 1) != 0 ||
        mbedtls_x509_crt_parse(&issuer, issuer_file->data, issuer_file->len + 1) != 0)
        goto out;
    if (raw_verify_leaf(&leaf, &issuer) != 0) {
        fprintf(stderr, "ocv bench: the leaf is not signed by the first issuer given\n");
        goto out;
    }
    for (long b = 0; b < a->batches; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < a->batch_size; i++) {
            if (raw_verify_leaf(&leaf, &issuer) != 0)
                goto out;
        }
        ns[b] = (ocv_bench_now() - t0) * 1e9 / (double)a->batch_size;
    }
    rc = 0;
out:
    mbedtls_x509_crt_free(&leaf);
    mbedtls_x509_crt_free(&issuer);
    ocv_bytes_free(&anchors);
    return rc;
}

static int bench_pipeline(const bench_args *a, const ocv_bytes *cert, const ocv_bytes *chain,
                          double *ns)
{
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.anchors_path = a->anchors;
    cfg.no_policy = 1;
    ocv_ctx *ctx = NULL;
    char err[256] = "";
    if (ocv_open(&ctx, &cfg, err, sizeof(err)) != OCV_OK) {
        fprintf(stderr, "ocv bench: %s\n", err);
        return -1;
    }
    ocv_request req;
    ocv_request_init(&req);
    req.credential = cert->data;
    req.credential_len = cert->len;
    req.chain = chain->data;
    req.chain_len = chain->len;
    int rc = 0;
    for (long b = 0; b < a->batches && rc == 0; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < a->batch_size; i++) {
            ocv_decision d;
            if (ocv_check(ctx, &req, &d) != OCV_OK) {
                fprintf(stderr, "ocv bench: the credential is denied: %s (%s)\n",
                        ocv_reason_name(d.reason), d.detail);
                rc = -1;
                break;
            }
        }
        ns[b] = (ocv_bench_now() - t0) * 1e9 / (double)a->batch_size;
    }
    ocv_close(ctx);
    return rc;
}

static int run_x509_bench(const bench_args *a)
{
    ocv_bytes cert, chain;
    ocv_bytes_init(&chain);
    char err[256] = "";
    if (ocv_file_read(a->cert, OCV_MAX_CREDENTIAL_BYTES, &cert, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    if (a->chain != NULL &&
        ocv_file_read(a->chain, OCV_MAX_CREDENTIAL_BYTES, &chain, err, sizeof(err)) != OCV_OK) {
        ocv_bytes_free(&cert);
        return ocv_cli_usage_error("%s", err);
    }
    double *raw = calloc((size_t)a->batches, sizeof(double));
    double *pipe = calloc((size_t)a->batches, sizeof(double));
    int code = OCV_EXIT_USAGE;
    if (raw == NULL || pipe == NULL)
        goto out;
    if (bench_raw(a, &cert, &chain, raw) != 0 || bench_pipeline(a, &cert, &chain, pipe) != 0)
        goto out;
    double raw_med, raw_p99, pipe_med, pipe_p99;
    ocv_bench_summarise(raw, (size_t)a->batches, &raw_med, &raw_p99);
    ocv_bench_summarise(pipe, (size_t)a->batches, &pipe_med, &pipe_p99);
    printf("bench x509: %ld batches x %ld, one thread\n", a->batches, a->batch_size);
    printf("%-34s %12s %12s %12s\n", "", "median ns", "p99 ns", "ops/s");
    printf("%-34s %12.0f %12.0f %12.0f\n", "raw leaf signature (mbedtls)", raw_med, raw_p99,
           1e9 / raw_med);
    printf("%-34s %12.0f %12.0f %12.0f\n", "ocv_check (parse+chain+checks)", pipe_med, pipe_p99,
           1e9 / pipe_med);
    printf("ratio ocv_check / raw signature: %.2f (the chain has %s signatures to check)\n",
           pipe_med / raw_med, a->chain != NULL ? "two or more" : "one");
    printf("peak RSS: %ld KiB\n", ocv_bench_peak_rss_kib());
    code = OCV_EXIT_ALLOW;
out:
    free(raw);
    free(pipe);
    ocv_bytes_free(&cert);
    ocv_bytes_free(&chain);
    return code;
}

enum { OPT_ANCHORS = 256, OPT_CERT, OPT_CHAIN, OPT_BATCHES, OPT_BATCH_SIZE, OPT_HELP };

static const struct option BENCH_OPTIONS[] = {
    {"anchors", required_argument, NULL, OPT_ANCHORS},
    {"cert", required_argument, NULL, OPT_CERT},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"batches", required_argument, NULL, OPT_BATCHES},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_count(const char *text, long *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != 0 || v < 1 || v > 10000000)
        return -1;
    *out = v;
    return 0;
}

int ocv_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(BENCH_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? OCV_EXIT_USAGE : OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "token") == 0)
        return ocv_bench_token(argc - 1, argv + 1);
    if (strcmp(argv[1], "revocation") == 0)
        return ocv_bench_revocation(argc - 1, argv + 1);
    if (strcmp(argv[1], "x509") != 0)
        return ocv_cli_usage_error("bench: unknown benchmark '%s' (x509, token, revocation)",
                                   argv[1]);
    bench_args a = {NULL, NULL, NULL, 21, 200};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc - 1, argv + 1, "", BENCH_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_ANCHORS:
            a.anchors = optarg;
            break;
        case OPT_CERT:
            a.cert = optarg;
            break;
        case OPT_CHAIN:
            a.chain = optarg;
            break;
        case OPT_BATCHES:
            if (parse_count(optarg, &a.batches) != 0)
                return ocv_cli_usage_error("--batches wants 1..10000000");
            break;
        case OPT_BATCH_SIZE:
            if (parse_count(optarg, &a.batch_size) != 0)
                return ocv_cli_usage_error("--batch-size wants 1..10000000");
            break;
        case OPT_HELP:
            fputs(BENCH_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            fputs(BENCH_USAGE, stderr);
            return OCV_EXIT_USAGE;
        }
    }
    if (a.anchors == NULL || a.cert == NULL)
        return ocv_cli_usage_error("bench x509: --anchors and --cert are required");
    return run_x509_bench(&a);
}
