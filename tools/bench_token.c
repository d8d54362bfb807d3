/*
 * bench_token.c - `ocv bench token`: per algorithm, cold verifications per
 * second of a JWT through ocv_check (parse, time, revocation with no
 * store, signature) next to the raw signature check of the same bytes
 * (ocv_sig_verify: the hash and the mbedtls / libsodium call), on one
 * thread, in the same run, with the signature cache off (cold); and the
 * same token repeated with the cache on, as a sidecar sees it. Keys and
 * tokens are made in memory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/b64url.h"
#include "base/util.h"
#include "bench.h"
#include "cli.h"
#include "ocv.h"
#include "verifier/keyset.h"
#include "verifier/pkey.h"
#include "verifier/sigalg.h"

typedef struct bench_case {
    ocv_alg alg;
    ocv_key_type type;
} bench_case;

static const bench_case CASES[] = {
    {OCV_ALG_ES256, OCV_KEY_EC_P256}, {OCV_ALG_ES384, OCV_KEY_EC_P384},
    {OCV_ALG_ES512, OCV_KEY_EC_P521}, {OCV_ALG_RS256, OCV_KEY_RSA},
    {OCV_ALG_PS256, OCV_KEY_RSA},     {OCV_ALG_EDDSA, OCV_KEY_ED25519},
};

/* A JWT "header.payload.signature" signed with key. */
static int make_token(const ocv_pkey *key, ocv_alg alg, ocv_bytes *token, ocv_bytes *input,
                      ocv_bytes *sig)
{
    char header[64], payload[256];
    snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"kid\":\"bench\"}", ocv_alg_name(alg));
    long long now = (long long)ocv_now();
    snprintf(payload, sizeof(payload),
             "{\"iss\":\"https://issuer.example\",\"sub\":\"spiffe://bench.example/ns/a/sa/b\","
             "\"aud\":\"svc\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"bench-1\"}",
             now, now + 3600);
    ocv_bytes h, p, s;
    if (ocv_b64url_encode((const uint8_t *)header, strlen(header), &h) != OCV_OK ||
        ocv_b64url_encode((const uint8_t *)payload, strlen(payload), &p) != OCV_OK)
        return -1;
    size_t n = h.len + 1 + p.len;
    input->data = malloc(n + 1);
    memcpy(input->data, h.data, h.len);
    input->data[h.len] = '.';
    memcpy(input->data + h.len + 1, p.data, p.len);
    input->len = n;
    ocv_bytes_free(&h);
    ocv_bytes_free(&p);
    if (ocv_sig_sign(alg, key, input->data, input->len, sig) != OCV_OK ||
        ocv_b64url_encode(sig->data, sig->len, &s) != OCV_OK)
        return -1;
    token->data = malloc(n + 1 + s.len + 1);
    memcpy(token->data, input->data, n);
    token->data[n] = '.';
    memcpy(token->data + n + 1, s.data, s.len);
    token->len = n + 1 + s.len;
    ocv_bytes_free(&s);
    return 0;
}

static int write_jwks(const ocv_pkey *key, const char *path)
{
    char *text = NULL;
    if (ocv_jwks_from_key(key, "bench", OCV_ALG_NONE, &text) != OCV_OK)
        return -1;
    FILE *f = fopen(path, "w");
    int rc = f != NULL && fputs(text, f) >= 0 ? 0 : -1;
    if (f != NULL)
        fclose(f);
    free(text);
    return rc;
}

static int run_case(const bench_case *c, ocv_pkey *rsa, long batches, long size, const char *dir)
{
    ocv_pkey own, *key = rsa;
    if (c->type != OCV_KEY_RSA) {
        if (ocv_pkey_generate(c->type, 0, &own) != OCV_OK)
            return -1;
        key = &own;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/ocv-bench-%d.jwks", dir, (int)c->alg);
    ocv_bytes token, input, sig;
    ocv_bytes_init(&token);
    ocv_bytes_init(&input);
    ocv_bytes_init(&sig);
    ocv_ctx *ctx = NULL, *warm_ctx = NULL;
    double *raw = calloc((size_t)batches, sizeof(double));
    double *pipe = calloc((size_t)batches, sizeof(double));
    double *warm = calloc((size_t)batches, sizeof(double));
    int rc = -1;
    if (make_token(key, c->alg, &token, &input, &sig) != 0 || write_jwks(key, path) != 0)
        goto out;
    if (key->type != OCV_KEY_ED25519 && ocv_pk_precompute(&key->pk) != OCV_OK)
        goto out;
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.jwks_path = path;
    cfg.no_policy = 1;
    char err[256];
    if (ocv_open(&warm_ctx, &cfg, err, sizeof(err)) != OCV_OK)
        goto out;
    cfg.signature_cache_entries = 0; /* cold: every decision verifies */
    if (ocv_open(&ctx, &cfg, err, sizeof(err)) != OCV_OK)
        goto out;
    ocv_request req;
    ocv_request_init(&req);
    req.credential = token.data;
    req.credential_len = token.len;
    for (long b = 0; b < batches; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < size; i++) {
            if (ocv_sig_verify(c->alg, key, input.data, input.len, sig.data, sig.len) != OCV_OK)
                goto out;
        }
        raw[b] = (ocv_bench_now() - t0) * 1e9 / (double)size;
        t0 = ocv_bench_now();
        for (long i = 0; i < size; i++) {
            ocv_decision d;
            if (ocv_check(ctx, &req, &d) != OCV_OK) {
                fprintf(stderr, "ocv bench: %s %s\n", ocv_reason_name(d.reason), d.detail);
                goto out;
            }
        }
        pipe[b] = (ocv_bench_now() - t0) * 1e9 / (double)size;
        t0 = ocv_bench_now();
        for (long i = 0; i < size; i++) {
            ocv_decision d;
            if (ocv_check(warm_ctx, &req, &d) != OCV_OK)
                goto out;
        }
        warm[b] = (ocv_bench_now() - t0) * 1e9 / (double)size;
    }
    double rm, rp, pm, pp, wm, wp;
    ocv_bench_summarise(raw, (size_t)batches, &rm, &rp);
    ocv_bench_summarise(pipe, (size_t)batches, &pm, &pp);
    ocv_bench_summarise(warm, (size_t)batches, &wm, &wp);
    printf("%-6s %12.0f %12.0f %10.0f %12.0f %10.0f %9.1f%% %12.0f %9.0f\n", ocv_alg_name(c->alg),
           1e9 / rm, rm, rp, 1e9 / pm, pm, (pm / rm - 1) * 100, 1e9 / wm, wm);
    rc = 0;
out:
    ocv_close(ctx);
    ocv_close(warm_ctx);
    free(warm);
    unlink(path);
    free(raw);
    free(pipe);
    ocv_bytes_free(&token);
    ocv_bytes_free(&input);
    ocv_bytes_free(&sig);
    if (key == &own)
        ocv_pkey_free(&own);
    return rc;
}

int ocv_bench_token(int argc, char **argv)
{
    long batches = 11, size = 50;
    const char *dir = "/tmp", *only = NULL;
    static const struct option opts[] = {
        {"alg", required_argument, NULL, 'a'},
        {"batches", required_argument, NULL, 'b'},
        {"batch-size", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        if (opt == 'b' || opt == 's') {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000000)
                return ocv_cli_usage_error("bench token: counts are 1..1000000");
            *(opt == 'b' ? &batches : &size) = v;
        } else if (opt == 'd') {
            dir = optarg;
        } else if (opt == 'a') {
            only = optarg;
        } else {
            return ocv_cli_usage_error("bench token: [--alg ALG] [--batches N] [--batch-size N] "
                                       "[--dir D]");
        }
    }
    ocv_pkey rsa;
    if (ocv_pkey_generate(OCV_KEY_RSA, 2048, &rsa) != OCV_OK)
        return ocv_cli_usage_error("bench token: key generation failed");
    printf("bench token: JWT, %ld batches x %ld, one thread; medians (p99) in ns\n", batches, size);
    printf("%-6s %12s %12s %10s %12s %10s %10s %12s %9s\n", "alg", "raw ops/s", "raw median",
           "raw p99", "ocv_check/s", "median", "overhead", "repeat/s", "median");
    int code = OCV_EXIT_ALLOW;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        if (only != NULL && strcmp(only, ocv_alg_name(CASES[i].alg)) != 0)
            continue;
        if (run_case(&CASES[i], &rsa, batches, size, dir) != 0)
            code = OCV_EXIT_USAGE;
    }
    ocv_pkey_free(&rsa);
    printf("peak RSS: %ld KiB\n", ocv_bench_peak_rss_kib());
    return code;
}
