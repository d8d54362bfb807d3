/*
 * cmd_bench.c - `ocv bench`: how fast decisions are, measured, never
 * asserted. Reports medians and p99 over batches, the raw signature
 * primitive on the same machine in the same run, their ratio, and peak
 * memory (getrusage). Timings are wall-clock on one thread.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>

#include "base/buf.h"
#include "base/limits.h"
#include "bench.h"
#include "cli.h"
#include "ocv.h"
#include "verifier/pkey.h"
#include "verifier/sigalg.h"

const char ocv_bench_usage[] =
    "usage: ocv bench x509 --anchors ROOTS --cert LEAF [--chain INTERMEDIATES]\n"
    "                      [--batches N] [--batch-size N]\n"
    "       ocv bench token [--alg ALG] [--format jwt|cwt|both] [--tokens N]\n"
    "                       [--threads N] [--batches N] [--dir DIR]\n"
    "       ocv bench revocation [--entries N] [--delta N] [--lookups N] [--dir DIR]\n"
    "\n"
    "x509: decisions per second through ocv_check (no policy) for a warm and a cold\n"
    "intermediate, against the leaf's signature alone through the signature seam\n"
    "(this build's backend and mbedtls). token: per algorithm, JWT and CWT, cold and\n"
    "Zipf-repeated decisions with a policy against the OpenSSL EVP and the\n"
    "mbedtls / libsodium primitives. Medians (p99) of batches, peak resident memory.\n"
    "Numbers are reported, never asserted: machines are shared and noisy.\n";

int ocv_bench_check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return ocv_cli_bad_usage("bench: --dir %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ocv_cli_bad_usage("bench: --dir %s: not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return ocv_cli_bad_usage("bench: --dir %s: %s", dir, strerror(errno));
    return 0;
}

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

static ocv_x509_sig leaf_sig(const mbedtls_x509_crt *leaf)
{
    ocv_x509_sig s = {leaf->sig_pk,  leaf->sig_md, leaf->sig_opts, leaf->tbs.p,
                      leaf->tbs.len, leaf->sig.p,  leaf->sig.len};
    return s;
}

/* The raw primitive: the leaf's signature checked with its issuer's key
 * (the first certificate of --chain, or the anchor) through one backend
 * of the signature seam, without cache. ns[b] per batch. */
static int bench_raw(const bench_args *a, const ocv_bytes *cert, const ocv_bytes *chain,
                     const ocv_sig_backend *backend, double *ns)
{
    mbedtls_x509_crt leaf, issuer;
    mbedtls_x509_crt_init(&leaf);
    mbedtls_x509_crt_init(&issuer);
    ocv_pkey key;
    ocv_pkey_init(&key);
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
        mbedtls_x509_crt_parse(&issuer, issuer_file->data, issuer_file->len + 1) != 0 ||
        ocv_pkey_parse(issuer.pk_raw.p, issuer.pk_raw.len, 0, 1, &key, err, sizeof(err)) !=
            OCV_OK ||
        (key.type != OCV_KEY_ED25519 && ocv_pk_precompute(&key.pk) != OCV_OK))
        goto out;
    ocv_x509_sig s = leaf_sig(&leaf);
    if (ocv_sig_verify_x509_with(backend, &key, &s) != OCV_OK) {
        fprintf(stderr, "ocv bench: the leaf is not signed by the first issuer given\n");
        goto out;
    }
    long per = a->batch_size;
    for (long b = 0; b < a->batches; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < per; i++) {
            if (ocv_sig_verify_x509_with(backend, &key, &s) != OCV_OK)
                goto out;
        }
        ns[b] = (ocv_bench_now() - t0) * 1e9 / (double)per;
    }
    rc = 0;
out:
    mbedtls_x509_crt_free(&leaf);
    mbedtls_x509_crt_free(&issuer);
    ocv_pkey_free(&key);
    ocv_bytes_free(&anchors);
    return rc;
}

static int open_x509_ctx(const bench_args *a, ocv_ctx **ctx)
{
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.anchors_path = a->anchors;
    cfg.no_policy = 1;
    char err[256] = "";
    if (ocv_open(ctx, &cfg, err, sizeof(err)) != OCV_OK) {
        fprintf(stderr, "ocv bench: %s\n", err);
        return -1;
    }
    return 0;
}

static int check_once(ocv_ctx *ctx, const ocv_request *req)
{
    ocv_decision d;
    if (ocv_check(ctx, req, &d) == OCV_OK)
        return 0;
    fprintf(stderr, "ocv bench: the credential is denied: %s (%s)\n", ocv_reason_name(d.reason),
            d.detail);
    return -1;
}

/* A cold intermediate: each decision on a context that has never seen the
 * chain (contexts opened before the clock starts). ns[b] per batch. */
static int bench_cold(const bench_args *a, const ocv_request *req, double *ns)
{
    enum { CONTEXTS = 8 };
    for (long b = 0; b < a->batches; b++) {
        ocv_ctx *ctx[CONTEXTS] = {NULL};
        int rc = 0;
        for (int i = 0; i < CONTEXTS && rc == 0; i++)
            rc = open_x509_ctx(a, &ctx[i]);
        double t0 = ocv_bench_now();
        for (int i = 0; i < CONTEXTS && rc == 0; i++)
            rc = check_once(ctx[i], req);
        ns[b] = (ocv_bench_now() - t0) * 1e9 / CONTEXTS;
        for (int i = 0; i < CONTEXTS; i++)
            ocv_close(ctx[i]);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A warm intermediate: the same chain on one context, again and again. */
static int bench_pipeline(const bench_args *a, const ocv_request *req, double *ns)
{
    ocv_ctx *ctx = NULL;
    if (open_x509_ctx(a, &ctx) != 0 || check_once(ctx, req) != 0) {
        ocv_close(ctx);
        return -1;
    }
    int rc = 0;
    for (long b = 0; b < a->batches && rc == 0; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < a->batch_size && rc == 0; i++)
            rc = check_once(ctx, req);
        ns[b] = (ocv_bench_now() - t0) * 1e9 / (double)a->batch_size;
    }
    ocv_close(ctx);
    return rc;
}

static void x509_row(const char *what, double *ns, long n, double ref)
{
    double med, p99;
    ocv_bench_summarise(ns, (size_t)n, &med, &p99);
    printf("%-40s %12.0f %12.0f %12.0f %7.2f\n", what, med, p99, 1e9 / med, ref / med);
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
    size_t n = (size_t)a->batches;
    double *raw = calloc(n, sizeof(double)), *mbed = calloc(n, sizeof(double));
    double *warm = calloc(n, sizeof(double)), *cold = calloc(n, sizeof(double));
    int code = OCV_EXIT_USAGE;
    ocv_request req;
    ocv_request_init(&req);
    req.credential = cert.data;
    req.credential_len = cert.len;
    req.chain = chain.data;
    req.chain_len = chain.len;
    if (raw == NULL || mbed == NULL || warm == NULL || cold == NULL)
        goto out;
    if (bench_raw(a, &cert, &chain, ocv_sig_backend_active(), raw) != 0 ||
        bench_raw(a, &cert, &chain, &ocv_sig_backend_mbedtls, mbed) != 0 ||
        bench_pipeline(a, &req, warm) != 0 || bench_cold(a, &req, cold) != 0)
        goto out;
    double raw_med, raw_p99;
    ocv_bench_summarise(raw, n, &raw_med, &raw_p99);
    printf("bench x509: %ld batches x %ld, one thread, no policy; backend %s\n", a->batches,
           a->batch_size, ocv_sig_backend_active()->name);
    printf("%-40s %12s %12s %12s %7s\n", "", "median ns", "p99 ns", "ops/s", "x prim");
    char label[64];
    snprintf(label, sizeof(label), "leaf signature primitive (%s)", ocv_sig_backend_active()->name);
    x509_row(label, raw, a->batches, raw_med);
    x509_row("leaf signature primitive (mbedtls)", mbed, a->batches, raw_med);
    x509_row("ocv_check, warm intermediate", warm, a->batches, raw_med);
    x509_row("ocv_check, cold intermediate", cold, a->batches, raw_med);
    printf("x prim: the primitive's time over this row's (1.00 = as fast as one leaf signature); "
           "the chain has %s signatures\n",
           a->chain != NULL ? "two or more" : "one");
    printf("peak RSS: %ld KiB\n", ocv_bench_peak_rss_kib());
    code = OCV_EXIT_ALLOW;
out:
    free(raw);
    free(mbed);
    free(warm);
    free(cold);
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
    if (argc < 2)
        return ocv_cli_bad_usage("bench: give a benchmark (x509, token, revocation)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(ocv_bench_usage, stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "token") == 0)
        return ocv_bench_token(argc - 1, argv + 1);
    if (strcmp(argv[1], "revocation") == 0)
        return ocv_bench_revocation(argc - 1, argv + 1);
    if (strcmp(argv[1], "x509") != 0)
        return ocv_cli_bad_usage("bench: unknown benchmark '%s' (x509, token, revocation)",
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
                return ocv_cli_bad_usage("--batches wants 1..10000000");
            break;
        case OPT_BATCH_SIZE:
            if (parse_count(optarg, &a.batch_size) != 0)
                return ocv_cli_bad_usage("--batch-size wants 1..10000000");
            break;
        case OPT_HELP:
            fputs(ocv_bench_usage, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv + 1, ocv_bench_usage);
        }
    }
    if (a.anchors == NULL || a.cert == NULL)
        return ocv_cli_bad_usage("bench x509: --anchors and --cert are required");
    return run_x509_bench(&a);
}
