/*
 * policy_bench.c - policy evaluation time per decision (median, p99) with
 * 10 and 10,000 rules. A standalone program over libocv.a; `make bench`
 * may run it. Build (from the repository root, after `make`):
 *
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -I. \
 *      bench/policy_bench.c build/libocv.a -lmbedx509 -lmbedcrypto -lsodium \
 *      -lcbor -ljansson -lsqlite3 -pthread -o build/policy_bench
 *
 * Usage: policy_bench [DECISIONS]   (default 200000 per policy size)
 *
 * Each policy has as many rules as named: half name exact SPIFFE IDs,
 * half a namespace prefix ("spiffe://prod.example/ns/nN/ *"), every
 * rule with purposes, an audience, algorithms, max_ttl and a revocation
 * max age, so an allowed decision runs every check. Requests cycle over
 * identities that hit exact rules, prefix rules (four path segments, so
 * up to three prefix lookups) and no rule at all. Each decision is timed
 * on its own with CLOCK_MONOTONIC; the clock's own cost (its median over
 * as many empty readings) is subtracted. The explain columns time the
 * same decisions with every check's detail written (--explain).
 * Reported, never asserted; exit 1 if a decision came out wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/claims.h"
#include "policy/policy.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static char *make_policy(size_t rules, size_t *len)
{
    size_t cap = rules * 400 + 1024;
    char *text = malloc(cap);
    if (text == NULL)
        return NULL;
    size_t n = (size_t)snprintf(text, cap,
                                "{\"version\": 1, \"defaults\": {\"max_ttl\": \"1h\", "
                                "\"revocation_max_age\": \"24h\"}, \"rules\": [\n");
    for (size_t i = 0; i < rules; i++) {
        char subject[128];
        if (i % 2 == 0)
            snprintf(subject, sizeof(subject), "spiffe://prod.example/ns/n%zu/sa/svc", i);
        else
            snprintf(subject, sizeof(subject), "spiffe://prod.example/ns/n%zu/*", i);
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"id\": \"r%zu\", \"subjects\": [\"%s\"], \"issuers\": "
                              "[\"https://issuer.prod.example\", \"CN=Root %zu\"], "
                              "\"purposes\": [\"db:read\", \"db:write\"], \"audiences\": "
                              "[\"db.prod.example\"], \"algorithms\": [\"ES256\", \"EdDSA\"], "
                              "\"max_ttl\": \"15m\", \"revocation\": {\"max_age\": \"1h\"}}\n",
                              i ? "," : "", i, subject, i % 7);
    }
    n += (size_t)snprintf(text + n, cap - n, "]}\n");
    *len = n;
    return text;
}

static int run(size_t rules, size_t decisions)
{
    size_t len = 0;
    char *text = make_policy(rules, &len);
    if (text == NULL)
        return 1;
    char err[512] = "";
    ocv_policy *p = NULL;
    int64_t t0 = now_ns();
    ocv_reason r = ocv_policy_parse("bench.json", (const uint8_t *)text, len, &p, err, sizeof(err));
    int64_t load_ns = now_ns() - t0;
    free(text);
    if (r != OCV_OK) {
        fprintf(stderr, "policy_bench: %s\n", err);
        return 1;
    }
    /* 64 request shapes: exact hits, prefix hits, misses */
    enum { SHAPES = 64 };
    static ocv_claims claims[SHAPES];
    ocv_reason want[SHAPES];
    for (size_t s = 0; s < SHAPES; s++) {
        ocv_claims *c = &claims[s];
        ocv_claims_init(c);
        c->type = OCV_CREDENTIAL_JWT;
        c->alg = OCV_ALG_ES256;
        snprintf(c->issuer, sizeof(c->issuer), "https://issuer.prod.example");
        c->issued_at = 1000;
        c->expires_at = 1600;
        c->has_issued_at = c->has_expires_at = 1;
        size_t rule = (s * 7919) % rules;
        if (s % 8 == 7) {
            snprintf(c->subject, sizeof(c->subject), "spiffe://prod.example/ns/x%zu/sa/svc", s);
            want[s] = OCV_NO_MATCHING_RULE;
        } else {
            /* an even rule names this ID exactly, an odd one its namespace */
            snprintf(c->subject, sizeof(c->subject), "spiffe://prod.example/ns/n%zu/sa/svc", rule);
            want[s] = OCV_OK;
        }
    }
    int64_t *times = malloc(decisions * sizeof(*times));
    if (times == NULL)
        return 1;
    for (size_t i = 0; i < decisions; i++) {
        int64_t a = now_ns();
        times[i] = now_ns() - a;
    }
    qsort(times, decisions, sizeof(*times), cmp_i64);
    int64_t clock_cost = times[decisions / 2];
    int64_t median[2], p99[2];
    size_t wrong = 0;
    for (int explain = 0; explain <= 1; explain++) {
        for (size_t i = 0; i < decisions; i++) {
            ocv_policy_input in;
            ocv_policy_input_init(&in);
            in.claims = &claims[i % SHAPES];
            in.purpose = "db:read";
            in.audience = "db.prod.example";
            in.has_revocation_data = 1;
            in.revocation_age = 600;
            in.explain = explain;
            ocv_policy_result res;
            int64_t a = now_ns();
            r = ocv_policy_evaluate(p, &in, &res);
            int64_t t = now_ns() - a - clock_cost;
            times[i] = t < 0 ? 0 : t;
            if (r != want[i % SHAPES])
                wrong++;
        }
        qsort(times, decisions, sizeof(*times), cmp_i64);
        median[explain] = times[decisions / 2];
        p99[explain] = times[decisions * 99 / 100];
    }
    printf("%-8zu %8lld %8lld %10lld %10lld %10.1f %8zu\n", rules, (long long)median[0],
           (long long)p99[0], (long long)median[1], (long long)p99[1], (double)load_ns / 1e6,
           wrong);
    free(times);
    ocv_policy_free(p);
    return wrong != 0;
}

int main(int argc, char **argv)
{
    size_t decisions = 200000;
    if (argc > 1) {
        char *end = NULL;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (end == argv[1] || *end != 0 || v < 100 || v > 100000000) {
            fprintf(stderr, "usage: policy_bench [DECISIONS (100..100000000)]\n");
            return 2;
        }
        decisions = (size_t)v;
    }
    printf("policy evaluation, ns per decision (%zu decisions each; clock cost subtracted)\n",
           decisions);
    printf("%-8s %8s %8s %10s %10s %10s %8s\n", "rules", "median", "p99", "explain-med",
           "explain-p99", "load ms", "wrong");
    int bad = run(10, decisions);
    bad |= run(10000, decisions);
    bad |= run(100000, decisions);
    return bad;
}
