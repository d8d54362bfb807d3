/*
 * bench_revocation.c - `ocv bench revocation`: the store at scale, built
 * through the library (no JSON, no signatures: those are measured apart)
 * in a temporary directory:
 *   - a full state of N entries applied in one transaction,
 *   - a delta of D entries on top,
 *   - a decision's revocation lookups (ocv_store_lookup: serial, jti, key,
 *     subject, subject_before and freshness) for hits and misses,
 *   - the store's size per entry and the peak memory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "bench.h"
#include "cli.h"
#include "revocation/bundle.h"
#include "revocation/store.h"

#define ISSUER "https://issuer.example"

typedef struct entry_set {
    ocv_entry *entries;
    char *values; /* 16 bytes a value: "tok-%011zu" */
    size_t count;
} entry_set;

static int make_entries(entry_set *set, size_t first, size_t count)
{
    set->entries = calloc(count ? count : 1, sizeof(ocv_entry));
    set->values = malloc(count * 16 + 1);
    set->count = count;
    if (set->entries == NULL || set->values == NULL)
        return -1;
    for (size_t i = 0; i < count; i++) {
        char *v = set->values + i * 16;
        snprintf(v, 17, "tok-%011zu", first + i);
        set->entries[i] = (ocv_entry){OCV_ENTRY_JTI, ISSUER, strlen(ISSUER), v, 15, 0, 0};
    }
    return 0;
}

static void free_entries(entry_set *set)
{
    free(set->entries);
    free(set->values);
}

/* The digest the authority would sign: computed here as it would be. */
static int digest_after(const entry_set *a, const entry_set *b, uint8_t out[32])
{
    ocv_lthash h;
    ocv_lthash_init(&h);
    const entry_set *sets[] = {a, b};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; sets[s] && i < sets[s]->count; i++) {
            ocv_bytes el;
            if (ocv_store_entry_element(&sets[s]->entries[i], &el) != OCV_OK ||
                ocv_lthash_add(&h, el.data, el.len) != OCV_OK)
                return -1;
            ocv_bytes_free(&el);
        }
    }
    return ocv_lthash_digest(&h, out) == OCV_OK ? 0 : -1;
}

static double apply(ocv_store *store, ocv_bundle *b)
{
    ocv_apply_result res;
    char detail[256] = "";
    double t0 = ocv_bench_now();
    ocv_reason r =
        ocv_bundle_apply_verified(store, b, b->issued_at, 60, &res, detail, sizeof(detail));
    double t = ocv_bench_now() - t0;
    if (r != OCV_OK) {
        fprintf(stderr, "ocv bench: apply refused: %s %s\n", ocv_reason_name(r), detail);
        return -1;
    }
    return t;
}

static void lookups(ocv_store *store, size_t total, long n, int hit)
{
    double *ns = calloc((size_t)n, sizeof(double));
    ocv_claims c;
    ocv_claims_init(&c);
    c.type = OCV_CREDENTIAL_JWT;
    ocv_strlcpy(c.issuer, ISSUER, sizeof(c.issuer));
    ocv_strlcpy(c.subject, "spiffe://bench.example/ns/a/sa/b", sizeof(c.subject));
    ocv_strlcpy(c.key_id, "kid-bench", sizeof(c.key_id));
    c.has_issued_at = 1;
    c.issued_at = 1800000000;
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t pick = (size_t)(x % total);
        snprintf(c.token_id, sizeof(c.token_id), hit ? "tok-%011zu" : "tok-%011zux", pick);
        ocv_store_verdict v;
        double t0 = ocv_bench_now();
        ocv_reason r = ocv_store_lookup(store, &c, &v);
        ns[i] = (ocv_bench_now() - t0) * 1e9;
        if (r != OCV_OK || v.revoked != hit) {
            fprintf(stderr, "ocv bench: lookup gave the wrong answer\n");
            break;
        }
    }
    double med, p99;
    ocv_bench_summarise(ns, (size_t)n, &med, &p99);
    printf("  lookups per decision, %-6s  median %8.0f ns   p99 %8.0f ns\n",
           hit ? "revoked" : "clean", med, p99);
    free(ns);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static int run(size_t entries, size_t delta, long n_lookups, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/bench-store.db", dir);
    unlink(path);
    ocv_store *store = NULL;
    char err[512] = "";
    if (ocv_store_open(path, 1, &store, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    entry_set full = {0}, more = {0};
    int code = OCV_EXIT_USAGE;
    if (make_entries(&full, 0, entries) != 0 || make_entries(&more, entries, delta) != 0 ||
        ocv_store_begin(store) != OCV_OK ||
        ocv_store_add_authority(store, "bench", (const uint8_t *)"K", 1) != OCV_OK ||
        ocv_store_commit(store) != OCV_OK)
        goto out;
    ocv_bundle b;
    ocv_bundle_init(&b);
    b.authority = "bench";
    b.authority_len = 5;
    b.sequence = 1;
    b.issued_at = ocv_now();
    b.next_update = b.issued_at + 86400;
    b.kind = OCV_BUNDLE_FULL;
    b.added = full.entries;
    b.added_count = full.count;
    if (digest_after(&full, NULL, b.state_digest) != 0)
        goto out;
    double t_full = apply(store, &b);
    if (t_full < 0)
        goto out;
    ocv_authority_state a;
    if (ocv_store_get_authority(store, "bench", &a) != OCV_OK)
        goto out;
    b.sequence = 2;
    b.kind = OCV_BUNDLE_DELTA;
    b.base_sequence = 1;
    memcpy(b.base_digest, a.digest, 32);
    ocv_authority_state_free(&a);
    b.added = more.entries;
    b.added_count = more.count;
    if (digest_after(&full, &more, b.state_digest) != 0)
        goto out;
    double t_delta = apply(store, &b);
    if (t_delta < 0)
        goto out;
    ocv_store_checkpoint(store); /* as `ocv revocation sync` does */
    long size = file_size(path);
    printf("revocation store, %zu entries (+%zu delta)\n", entries, delta);
    printf("  full apply:  %8.3f s  (%.0f entries/s)\n", t_full, (double)entries / t_full);
    printf("  delta apply: %8.3f s  (%zu entries)\n", t_delta, delta);
    printf("  store size:  %ld bytes, %.1f bytes per entry\n", size,
           (double)size / (double)(entries + delta));
    lookups(store, entries + delta, n_lookups, 1);
    lookups(store, entries + delta, n_lookups, 0);
    printf("  peak RSS:    %ld KiB\n", ocv_bench_peak_rss_kib());
    code = OCV_EXIT_ALLOW;
out:
    free_entries(&full);
    free_entries(&more);
    ocv_store_close(store);
    unlink(path);
    snprintf(path, sizeof(path), "%s/bench-store.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/bench-store.db-shm", dir);
    unlink(path);
    return code;
}

static int parse_size(const char *text, long max, long *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != 0 || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int ocv_bench_revocation(int argc, char **argv)
{
    long entries = 1000000, delta = 10000, n = 20000;
    const char *dir = "/tmp";
    static const struct option opts[] = {
        {"entries", required_argument, NULL, 'e'}, {"delta", required_argument, NULL, 'd'},
        {"lookups", required_argument, NULL, 'l'}, {"dir", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == '?' || opt == 'h')
            return opt == 'h' ? (fputs(ocv_bench_usage, stdout), OCV_EXIT_ALLOW)
                              : ocv_cli_bad_option(argv, ocv_bench_usage);
        if ((opt == 'e' && parse_size(optarg, 100000000, &entries) != 0) ||
            (opt == 'd' && parse_size(optarg, 10000000, &delta) != 0) ||
            (opt == 'l' && parse_size(optarg, 10000000, &n) != 0))
            return ocv_cli_bad_usage("bench revocation: --entries 1..100000000, --delta "
                                     "1..10000000, --lookups 1..10000000");
        if (opt == 'D')
            dir = optarg;
    }
    if (optind < argc)
        return ocv_cli_bad_usage("bench revocation: unexpected argument '%s'", argv[optind]);
    if (ocv_bench_check_dir(dir) != 0)
        return OCV_EXIT_USAGE;
    return run((size_t)entries, (size_t)delta, n, dir);
}
