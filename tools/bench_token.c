/*
 * bench_token.c - `ocv bench token`: per algorithm and token format,
 * decisions per second through ocv_check with a policy, next to the
 * signature primitives measured in the same run:
 *
 *   evp      OpenSSL EVP alone (EVP_DigestVerifyInit + EVP_DigestVerify on
 *            a parsed EVP_PKEY, digest fetched once; Ed25519 likewise);
 *            default profile only
 *   mbed     mbedtls alone (hash + verify, precomputed key) for ECDSA and
 *            RSA, libsodium crypto_sign_verify_detached for EdDSA
 *   cold     distinct tokens: every decision verifies a signature it has
 *            not seen (a fresh context per batch, default cache)
 *   zipf     the repeated workload: 1,000 tokens, 100,000 decisions drawn
 *            with Zipf(s = 1), default cache; hit% = decisions served
 *            from the cache
 *
 * Every decision runs parse, time, revocation (no store), signature and
 * policy (one rule that allows the token). --threads N runs the
 * decisions of cold and zipf on N threads sharing one context and reports
 * them next to one thread. Figures are medians of batches, reported,
 * never asserted. Keys and tokens are made in memory.
 */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#ifndef OCV_PROFILE_DEVICE
#include <openssl/evp.h>
#include <openssl/x509.h>
#endif

#include "base/b64url.h"
#include "base/cbor_stream.h"
#include "base/util.h"
#include "bench.h"
#include "cli.h"
#include "ocv.h"
#include "verifier/cose_sign1.h"
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

/* --alg names one of CASES, or nothing would be measured. */
static int known_alg(const char *name)
{
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        if (strcmp(name, ocv_alg_name(CASES[i].alg)) == 0)
            return 1;
    }
    return 0;
}

#define SUBJECT        "spiffe://bench.example/ns/a/sa/b"
#define ISSUER         "https://issuer.example"
#define PURPOSE        "bench"
#define AUDIENCE       "svc"
#define ZIPF_TOKENS    1000
#define ZIPF_DECISIONS 100000

typedef struct bench_opts {
    long tokens, batches, threads;
    int jwt, cwt;
    const char *dir, *only;
} bench_opts;

/* ---- tokens ---------------------------------------------------------- */

static int concat3(ocv_bytes *out, const ocv_bytes *a, const ocv_bytes *b, const ocv_bytes *c)
{
    size_t n = a->len + 1 + b->len + (c ? 1 + c->len : 0);
    out->data = malloc(n + 1);
    if (out->data == NULL)
        return -1;
    memcpy(out->data, a->data, a->len);
    out->data[a->len] = '.';
    memcpy(out->data + a->len + 1, b->data, b->len);
    if (c != NULL) {
        out->data[a->len + 1 + b->len] = '.';
        memcpy(out->data + a->len + 2 + b->len, c->data, c->len);
    }
    out->len = n;
    return 0;
}

static int make_jwt(const ocv_pkey *key, ocv_alg alg, long serial, ocv_bytes *token)
{
    char header[64], payload[320];
    snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"kid\":\"bench\"}", ocv_alg_name(alg));
    long long now = (long long)ocv_now();
    snprintf(payload, sizeof(payload),
             "{\"iss\":\"" ISSUER "\",\"sub\":\"" SUBJECT "\",\"aud\":\"" AUDIENCE
             "\",\"scope\":\"" PURPOSE "\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"bench-%ld\"}",
             now, now + 3600, serial);
    ocv_bytes h, p, input, sig, s;
    ocv_bytes_init(&input);
    ocv_bytes_init(&sig);
    if (ocv_b64url_encode((const uint8_t *)header, strlen(header), &h) != OCV_OK)
        return -1;
    if (ocv_b64url_encode((const uint8_t *)payload, strlen(payload), &p) != OCV_OK) {
        ocv_bytes_free(&h);
        return -1;
    }
    int rc = -1;
    if (concat3(&input, &h, &p, NULL) == 0 &&
        ocv_sig_sign(alg, key, input.data, input.len, &sig) == OCV_OK &&
        ocv_b64url_encode(sig.data, sig.len, &s) == OCV_OK) {
        rc = concat3(token, &h, &p, &s);
        ocv_bytes_free(&s);
    }
    ocv_bytes_free(&h);
    ocv_bytes_free(&p);
    ocv_bytes_free(&input);
    ocv_bytes_free(&sig);
    return rc;
}

static int make_cwt(const ocv_pkey *key, ocv_alg alg, long serial, ocv_bytes *token)
{
    int64_t now = ocv_now();
    uint8_t cti[8];
    for (int i = 0; i < 8; i++)
        cti[i] = (uint8_t)((uint64_t)serial >> (8 * i));
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_map(&w, 7);
    ocv_cbor_out_uint(&w, 1);
    ocv_cbor_out_text(&w, ISSUER, strlen(ISSUER));
    ocv_cbor_out_uint(&w, 2);
    ocv_cbor_out_text(&w, SUBJECT, strlen(SUBJECT));
    ocv_cbor_out_uint(&w, 3);
    ocv_cbor_out_text(&w, AUDIENCE, strlen(AUDIENCE));
    ocv_cbor_out_uint(&w, 4);
    ocv_cbor_out_uint(&w, (uint64_t)now + 3600);
    ocv_cbor_out_uint(&w, 6);
    ocv_cbor_out_uint(&w, (uint64_t)now);
    ocv_cbor_out_uint(&w, 7);
    ocv_cbor_out_bytes(&w, cti, sizeof(cti));
    ocv_cbor_out_uint(&w, 9);
    ocv_cbor_out_text(&w, PURPOSE, strlen(PURPOSE));
    ocv_bytes payload;
    if (ocv_cbor_out_finish(&w, &payload) != OCV_OK)
        return -1;
    ocv_reason r =
        ocv_sign1_create(alg, key, (const uint8_t *)"bench", 5, payload.data, payload.len, token);
    ocv_bytes_free(&payload);
    return r == OCV_OK ? 0 : -1;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int rc = f != NULL && fputs(text, f) >= 0 ? 0 : -1;
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    return rc;
}

static int write_jwks(const ocv_pkey *key, const char *path)
{
    char *text = NULL;
    if (ocv_jwks_from_key(key, "bench", OCV_ALG_NONE, &text) != OCV_OK)
        return -1;
    int rc = write_file(path, text);
    free(text);
    return rc;
}

static int write_policy(const char *path)
{
    return write_file(path, "{\"version\": 1,\n"
                            " \"defaults\": {\"max_ttl\": \"1d\"},\n"
                            " \"rules\": [{\"id\": \"bench\", \"subjects\": [\"" SUBJECT "\"],\n"
                            "   \"issuers\": [\"" ISSUER "\"], \"purposes\": [\"" PURPOSE "\"],\n"
                            "   \"audiences\": [\"" AUDIENCE "\"]}]}\n");
}

/* ---- primitives --------------------------------------------------------- */

typedef struct prim_input {
    ocv_alg alg;
    const ocv_pkey *key;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *sig;
    size_t sig_len;
} prim_input;

/* mbedtls (ECDSA, RSA) or libsodium (EdDSA): ops/s, median of batches. */
static double prim_mbed(const prim_input *in, long batches)
{
    double best[64];
    long n = batches > 64 ? 64 : batches;
    long per =
        in->alg == OCV_ALG_EDDSA || in->alg == OCV_ALG_RS256 || in->alg == OCV_ALG_PS256 ? 200 : 10;
    for (long b = 0; b < n; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < per; i++) {
            if (ocv_sig_verify_with(&ocv_sig_backend_mbedtls, in->alg, in->key, in->msg,
                                    in->msg_len, in->sig, in->sig_len) != OCV_OK)
                return -1;
        }
        best[b] = (ocv_bench_now() - t0) / (double)per;
    }
    double med, p99;
    ocv_bench_summarise(best, (size_t)n, &med, &p99);
    return 1 / med;
}

#ifndef OCV_PROFILE_DEVICE
/* OpenSSL EVP alone, as an application would call it on a parsed key. */
static double prim_evp(const prim_input *in, long batches)
{
    ocv_bytes der;
    if (ocv_pkey_public_der(in->key, &der) != OCV_OK)
        return -1;
    const unsigned char *p = der.data;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)der.len);
    ocv_bytes_free(&der);
    if (pkey == NULL)
        return -1;
    const ocv_alg_info *info = ocv_alg_info_of(in->alg);
    const char *name = info->md == MBEDTLS_MD_SHA256   ? "SHA2-256"
                       : info->md == MBEDTLS_MD_SHA384 ? "SHA2-384"
                       : info->md == MBEDTLS_MD_SHA512 ? "SHA2-512"
                                                       : NULL;
    EVP_MD *md = name ? EVP_MD_fetch(NULL, name, NULL) : NULL;
    /* ECDSA in OpenSSL wants DER: convert once, outside the timing */
    uint8_t der_sig[160];
    const uint8_t *sig = in->sig;
    size_t sig_len = in->sig_len;
    if (info->key_type != OCV_KEY_RSA && info->key_type != OCV_KEY_ED25519) {
        size_t half = in->sig_len / 2, n = 0;
        uint8_t body[150];
        for (int k = 0; k < 2; k++) {
            const uint8_t *v = in->sig + k * half;
            size_t len = half;
            while (len > 1 && v[0] == 0) {
                v++;
                len--;
            }
            int pad = (v[0] & 0x80) != 0;
            body[n++] = 0x02;
            body[n++] = (uint8_t)(len + pad);
            if (pad)
                body[n++] = 0;
            memcpy(body + n, v, len);
            n += len;
        }
        size_t h = 0;
        der_sig[h++] = 0x30;
        if (n >= 0x80)
            der_sig[h++] = 0x81;
        der_sig[h++] = (uint8_t)n;
        memcpy(der_sig + h, body, n);
        sig = der_sig;
        sig_len = h + n;
    }
    int pss = in->alg == OCV_ALG_PS256 || in->alg == OCV_ALG_PS384 || in->alg == OCV_ALG_PS512;
    double per_batch[64];
    long n = batches > 64 ? 64 : batches, per = 200;
    double result = -1;
    for (long b = 0; b < n; b++) {
        double t0 = ocv_bench_now();
        for (long i = 0; i < per; i++) {
            EVP_MD_CTX *c = EVP_MD_CTX_new();
            EVP_PKEY_CTX *pc = NULL;
            int ok = c != NULL && EVP_DigestVerifyInit(c, &pc, md, NULL, pkey) == 1;
            if (ok && pss)
                ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) == 1;
            ok = ok && EVP_DigestVerify(c, sig, sig_len, in->msg, in->msg_len) == 1;
            EVP_MD_CTX_free(c);
            if (!ok)
                goto out;
        }
        per_batch[b] = (ocv_bench_now() - t0) / (double)per;
        if (b == 0 && per_batch[0] * per > 0.2)
            per = 20; /* slow curves: fewer per batch */
    }
    double med, p99;
    ocv_bench_summarise(per_batch, (size_t)n, &med, &p99);
    result = 1 / med;
out:
    EVP_MD_free(md);
    EVP_PKEY_free(pkey);
    return result;
}
#endif

/* ---- decisions on threads -------------------------------------------- */

typedef struct run_share {
    ocv_ctx *ctx;
    const ocv_bytes *tokens;
    const uint32_t *order;
    size_t from, to;
    int failed;
} run_share;

static void *run_decisions(void *p)
{
    run_share *s = p;
    ocv_request req;
    ocv_request_init(&req);
    req.purpose = PURPOSE;
    req.audience = AUDIENCE;
    for (size_t i = s->from; i < s->to; i++) {
        const ocv_bytes *t = &s->tokens[s->order[i]];
        req.credential = t->data;
        req.credential_len = t->len;
        ocv_decision d;
        if (ocv_check(s->ctx, &req, &d) != OCV_OK) {
            if (!s->failed)
                fprintf(stderr, "ocv bench: %s %s\n", ocv_reason_name(d.reason), d.detail);
            s->failed = 1;
        }
    }
    return NULL;
}

/* Runs order[0..n) over threads; decisions per second, or -1. */
static double run_threads(ocv_ctx *ctx, const ocv_bytes *tokens, const uint32_t *order, size_t n,
                          long threads)
{
    run_share share[64];
    pthread_t tid[64];
    double t0 = ocv_bench_now();
    for (long i = 0; i < threads; i++) {
        share[i] = (run_share){ctx,
                               tokens,
                               order,
                               n * (size_t)i / (size_t)threads,
                               n * (size_t)(i + 1) / (size_t)threads,
                               0};
        if (threads == 1)
            run_decisions(&share[0]);
        else if (pthread_create(&tid[i], NULL, run_decisions, &share[i]) != 0)
            return -1;
    }
    int failed = 0;
    for (long i = 0; i < threads; i++) {
        if (threads > 1)
            pthread_join(tid[i], NULL);
        failed |= share[i].failed;
    }
    double dt = ocv_bench_now() - t0;
    return failed ? -1 : (double)n / dt;
}

static void zipf_order(uint32_t *order, size_t n, size_t tokens, unsigned seed)
{
    double *cdf = malloc(tokens * sizeof(double)), sum = 0, acc = 0;
    for (size_t i = 0; i < tokens; i++)
        sum += 1.0 / (double)(i + 1);
    for (size_t i = 0; i < tokens; i++) {
        acc += 1.0 / (double)(i + 1) / sum;
        cdf[i] = acc;
    }
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t k = 0; k < n; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        size_t lo = 0, hi = tokens - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cdf[mid] < u)
                lo = mid + 1;
            else
                hi = mid;
        }
        order[k] = (uint32_t)lo;
    }
    free(cdf);
}

typedef struct case_result {
    double evp, mbed, cold[2], ratio[2], zipf[2], prim_scale;
} case_result;

static int open_ctx(const char *jwks, const char *policy, ocv_ctx **ctx)
{
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.jwks_path = jwks;
    cfg.policy_path = policy;
    cfg.audience = AUDIENCE;
    char err[256] = "";
    if (ocv_open(ctx, &cfg, err, sizeof(err)) != OCV_OK) {
        fprintf(stderr, "ocv bench: %s\n", err);
        return -1;
    }
    return 0;
}

static double median_of(double *v, size_t n)
{
    double med, p99;
    ocv_bench_summarise(v, n, &med, &p99);
    return med;
}

/* The reference primitive, one batch, ops/s (prim_evp or prim_mbed). */
typedef double (*prim_fn)(const prim_input *in, long batches);

typedef struct prim_share {
    prim_fn f;
    const prim_input *in;
    double rate;
} prim_share;

static void *prim_thread(void *p)
{
    prim_share *s = p;
    s->rate = s->f(s->in, 3);
    return NULL;
}

/* How the primitive itself scales on this machine: N copies at once, each
 * on its own thread, against one (so ocv's scaling can be read against
 * what the machine gives); -1 on failure. */
static double prim_scale(prim_fn f, const prim_input *in, long threads)
{
    prim_share share[64];
    pthread_t tid[64];
    double one = f(in, 3), total = 0;
    long started = 0;
    for (long i = 0; i < threads && i < 64; i++, started++) {
        share[i] = (prim_share){f, in, -1};
        if (pthread_create(&tid[i], NULL, prim_thread, &share[i]) != 0)
            break;
    }
    for (long i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        total += share[i].rate;
    }
    return one > 0 && started == threads ? total / one : -1;
}

/* cold: each batch a fresh context over every token once, with one batch
 * of the reference primitive just before and just after it: *ratio is the
 * median of cold / primitive over those pairs, so load that comes and
 * goes on a shared machine weighs on both sides alike. zipf: a fresh
 * context, ZIPF_DECISIONS decisions over the first ZIPF_TOKENS tokens. */
static int measure(const bench_opts *o, const char *jwks, const char *policy,
                   const ocv_bytes *tokens, size_t count, long threads, const prim_input *in,
                   prim_fn ref, double *cold, double *ratio, double *zipf)
{
    double ratios[64];
    uint32_t *seq = malloc(count * sizeof(uint32_t));
    uint32_t *z = malloc(ZIPF_DECISIONS * sizeof(uint32_t));
    double per[64];
    long batches = o->batches > 64 ? 64 : o->batches;
    int rc = -1;
    for (size_t i = 0; i < count; i++)
        seq[i] = (uint32_t)i;
    for (long b = 0; b < batches; b++) {
        ocv_ctx *ctx = NULL;
        if (open_ctx(jwks, policy, &ctx) != 0)
            goto out;
        double before = ref(in, 1);
        per[b] = run_threads(ctx, tokens, seq, count, threads);
        double after = ref(in, 1);
        ocv_close(ctx);
        if (per[b] < 0 || before <= 0 || after <= 0)
            goto out;
        ratios[b] = per[b] / ((before + after) / 2);
    }
    *cold = median_of(per, (size_t)batches);
    *ratio = median_of(ratios, (size_t)batches);
    size_t zt = count < ZIPF_TOKENS ? count : ZIPF_TOKENS;
    long zb = batches < 3 ? batches : 3;
    for (long b = 0; b < zb; b++) {
        zipf_order(z, ZIPF_DECISIONS, zt, (unsigned)b + 1);
        ocv_ctx *ctx = NULL;
        if (open_ctx(jwks, policy, &ctx) != 0)
            goto out;
        per[b] = run_threads(ctx, tokens, z, ZIPF_DECISIONS, threads);
        ocv_close(ctx);
        if (per[b] < 0)
            goto out;
    }
    *zipf = median_of(per, (size_t)zb);
    rc = 0;
out:
    free(seq);
    free(z);
    return rc;
}

/* Of the Zipf decisions, the share a default-sized cache serves (the
 * decisions' own cache, replayed on its ids). */
static double zipf_hit_rate(size_t tokens)
{
    ocv_config cfg;
    ocv_config_init(&cfg);
    ocv_sigcache *c = NULL;
    if (ocv_sigcache_new(cfg.signature_cache_entries, &c) != OCV_OK)
        return -1;
    uint32_t *z = malloc(ZIPF_DECISIONS * sizeof(uint32_t));
    zipf_order(z, ZIPF_DECISIONS, tokens, 1);
    uint8_t key[32] = {0};
    long hits = 0;
    for (size_t i = 0; i < ZIPF_DECISIONS; i++) {
        uint8_t id[32];
        if (ocv_sigcache_id(key, 1, (const uint8_t *)&z[i], sizeof(z[i]), NULL, 0, id) != 0)
            break;
        if (ocv_sigcache_hit(c, id))
            hits++;
        else
            ocv_sigcache_remember(c, id, key);
    }
    free(z);
    ocv_sigcache_free(c);
    return (double)hits / ZIPF_DECISIONS;
}

/* The progress line, erased before a table row is printed (NULL: none). */
static ocv_cli_progress *token_progress;

static int run_case(const bench_opts *o, const bench_case *c, ocv_pkey *rsa, int cwt)
{
    ocv_pkey own, *key = rsa;
    if (c->type != OCV_KEY_RSA) {
        if (ocv_pkey_generate(c->type, 0, &own) != OCV_OK)
            return -1;
        key = &own;
    }
    char jwks[4096], policy[4096];
    snprintf(jwks, sizeof(jwks), "%s/ocv-bench-%ld-%d.jwks", o->dir, (long)getpid(), (int)c->alg);
    snprintf(policy, sizeof(policy), "%s/ocv-bench-%ld.policy", o->dir, (long)getpid());
    size_t count = (size_t)o->tokens;
    ocv_bytes *tokens = calloc(count, sizeof(ocv_bytes));
    int rc = -1;
    ocv_bytes input;
    ocv_bytes_init(&input);
    case_result res = {-1, -1, {-1, -1}, {-1, -1}, {-1, -1}, -1};
    if (tokens == NULL || write_jwks(key, jwks) != 0 || write_policy(policy) != 0)
        goto out;
    if (key->type != OCV_KEY_ED25519 && ocv_pk_precompute(&key->pk) != OCV_OK)
        goto out;
    for (size_t i = 0; i < count; i++) {
        if ((cwt ? make_cwt(key, c->alg, (long)i, &tokens[i])
                 : make_jwt(key, c->alg, (long)i, &tokens[i])) != 0)
            goto out;
    }
    /* the primitives verify the first token's own signed bytes */
    uint8_t sig[1024];
    size_t sig_len = 0;
    const uint8_t *t0 = tokens[0].data;
    const uint8_t *dot = (const uint8_t *)strrchr((const char *)t0, '.');
    if (!cwt) {
        if (dot == NULL ||
            ocv_b64url_decode((const char *)dot + 1, tokens[0].len - (size_t)(dot + 1 - t0), sig,
                              sizeof(sig), &sig_len) != 0 ||
            ocv_bytes_copy(&input, t0, (size_t)(dot - t0)) != OCV_OK)
            goto out;
    } else {
        ocv_sign1 msg;
        char detail[128];
        if (ocv_sign1_parse(t0, tokens[0].len, &msg, detail, sizeof(detail)) != OCV_OK ||
            ocv_sign1_to_be_signed(&msg, &input) != OCV_OK || msg.signature_len > sizeof(sig))
            goto out;
        memcpy(sig, msg.signature, msg.signature_len);
        sig_len = msg.signature_len;
    }
    prim_input in = {c->alg, key, input.data, input.len, sig, sig_len};
    res.mbed = prim_mbed(&in, o->batches);
#ifndef OCV_PROFILE_DEVICE
    res.evp = prim_evp(&in, o->batches);
#endif
    /* the reference: OpenSSL EVP, except libsodium for Ed25519 (the
     * primitive ocv uses) and mbedtls in the device profile */
    prim_fn ref = prim_mbed;
#ifndef OCV_PROFILE_DEVICE
    if (c->alg != OCV_ALG_EDDSA)
        ref = prim_evp;
#endif
    if (measure(o, jwks, policy, tokens, count, 1, &in, ref, &res.cold[0], &res.ratio[0],
                &res.zipf[0]) != 0)
        goto out;
    if (o->threads > 1 && measure(o, jwks, policy, tokens, count, o->threads, &in, ref,
                                  &res.cold[1], &res.ratio[1], &res.zipf[1]) != 0)
        goto out;
    if (o->threads > 1)
        res.prim_scale = prim_scale(ref, &in, o->threads);
    char evp[32] = "-";
    if (res.evp > 0)
        snprintf(evp, sizeof(evp), "%.0f", res.evp);
    ocv_cli_progress_pause(token_progress);
    printf("%-6s %-4s %10s %10.0f %10.0f %6.2f %10.0f", ocv_alg_name(c->alg), cwt ? "CWT" : "JWT",
           evp, res.mbed, res.cold[0], res.ratio[0], res.zipf[0]);
    if (o->threads > 1)
        printf(" %10.0f %5.2f %10.0f %5.2f %6.2f", res.cold[1], res.cold[1] / res.cold[0],
               res.zipf[1], res.zipf[1] / res.zipf[0], res.prim_scale);
    printf("\n");
    fflush(stdout);
    rc = 0;
out:
    ocv_bytes_free(&input);
    for (size_t i = 0; tokens != NULL && i < count; i++)
        ocv_bytes_free(&tokens[i]);
    free(tokens);
    unlink(jwks);
    unlink(policy);
    if (key == &own)
        ocv_pkey_free(&own);
    return rc;
}

int ocv_bench_token(int argc, char **argv)
{
    bench_opts o = {ZIPF_TOKENS, 5, 1, 1, 1, "/tmp", NULL};
    static const struct option opts[] = {
        {"alg", required_argument, NULL, 'a'},    {"batches", required_argument, NULL, 'b'},
        {"tokens", required_argument, NULL, 'n'}, {"threads", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'}, {"dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == '?' || opt == 'h')
            return opt == 'h' ? (fputs(ocv_bench_usage, stdout), OCV_EXIT_ALLOW)
                              : ocv_cli_bad_option(argv, ocv_bench_usage);
        char *end = NULL;
        long v = 0;
        if (opt == 'b' || opt == 'n' || opt == 't') {
            v = strtol(optarg, &end, 10);
            long max = opt == 't' ? 64 : opt == 'b' ? 64 : 100000;
            if (end == optarg || *end || v < 1 || v > max)
                return ocv_cli_bad_usage("bench token: --batches 1..64, --tokens 1..100000, "
                                         "--threads 1..64");
        }
        if (opt == 'b')
            o.batches = v;
        else if (opt == 'n')
            o.tokens = v;
        else if (opt == 't')
            o.threads = v;
        else if (opt == 'd')
            o.dir = optarg;
        else if (opt == 'a')
            o.only = optarg;
        else if (opt == 'f' && strcmp(optarg, "jwt") == 0)
            o.cwt = 0;
        else if (opt == 'f' && strcmp(optarg, "cwt") == 0)
            o.jwt = 0;
        else if (opt == 'f' && strcmp(optarg, "both") == 0)
            o.jwt = o.cwt = 1;
        else
            return ocv_cli_bad_usage("bench token: --format wants jwt, cwt or both");
    }
    if (optind < argc)
        return ocv_cli_bad_usage("bench token: unexpected argument '%s'", argv[optind]);
    if (o.only != NULL && !known_alg(o.only))
        return ocv_cli_bad_usage("bench token: --alg %s is not measured (ES256, ES384, ES512, "
                                 "RS256, PS256, EdDSA)",
                                 o.only);
    if (ocv_bench_check_dir(o.dir) != 0)
        return OCV_EXIT_USAGE;
    ocv_pkey rsa;
    if (ocv_pkey_generate(OCV_KEY_RSA, 2048, &rsa) != OCV_OK)
        return ocv_cli_usage_error("bench token: key generation failed");
    size_t nb = 0;
    (void)ocv_sig_backends(&nb);
    printf("bench token: backend %s; %ld distinct tokens per cold batch, median of %ld batches; "
           "zipf: %d decisions over %d tokens (s = 1), default cache (hit rate %.2f%%); "
           "policy on; decisions/s\n",
           ocv_sig_backend_active()->name, o.tokens, o.batches, ZIPF_DECISIONS,
           (int)(o.tokens < ZIPF_TOKENS ? o.tokens : ZIPF_TOKENS),
           100 * zipf_hit_rate((size_t)(o.tokens < ZIPF_TOKENS ? o.tokens : ZIPF_TOKENS)));
    printf("%-6s %-4s %10s %10s %10s %6s %10s", "alg", "fmt", "evp", "mbed/sodm", "cold", "ratio",
           "zipf");
    if (o.threads > 1)
        printf(" %7s x%-2ld %5s %7s x%-2ld %5s %6s", "cold", o.threads, "scale", "zipf", o.threads,
               "scale", "prim");
    printf("\n");
    int code = OCV_EXIT_ALLOW;
    size_t ncases = sizeof(CASES) / sizeof(CASES[0]), total = 0, done = 0;
    for (size_t i = 0; i < ncases; i++)
        total += (o.only == NULL || strcmp(o.only, ocv_alg_name(CASES[i].alg)) == 0) *
                 (size_t)(o.jwt + o.cwt);
    ocv_cli_progress bar;
    ocv_cli_progress_start(&bar, "bench token", "cases", total);
    token_progress = &bar;
    for (size_t i = 0; i < ncases; i++) {
        if (o.only != NULL && strcmp(o.only, ocv_alg_name(CASES[i].alg)) != 0)
            continue;
        for (int cwt = 0; cwt < 2; cwt++) {
            if (!(cwt ? o.cwt : o.jwt))
                continue;
            ocv_cli_progress_step(&bar, done++, ocv_alg_name(CASES[i].alg));
            if (run_case(&o, &CASES[i], &rsa, cwt) != 0)
                code = OCV_EXIT_USAGE;
        }
    }
    ocv_cli_progress_end(&bar);
    token_progress = NULL;
    ocv_pkey_free(&rsa);
    printf("ratio: cold / primitive (OpenSSL EVP; EdDSA: libsodium; device profile: mbedtls), "
           "the median over batches of the primitive measured around each cold batch\n");
    printf("peak RSS: %ld KiB\n", ocv_bench_peak_rss_kib());
    return code;
}
