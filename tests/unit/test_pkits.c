/*
 * test_pkits.c - NIST PKITS 2011 (sections 4.1-4.16) through the library.
 *
 * Each row of tests/pkits/cases.tsv (made by tests/pkits/gen_cases.py) is
 * one run: the leaf, the CA certificates a directory would hold for it,
 * their CRLs, the initial policy settings, and the expected outcome. The
 * run parses the leaf and intermediates, verifies the chain to PKITS's
 * trust anchor and checks it against the CRLs, in the generic PKI identity
 * mode (PKITS leaves carry no SPIFFE ID). A run counts as valid when every
 * step returns OK.
 *
 * The test fails on any disagreement that is not listed in the PKITS table
 * of docs/vector-deviations.md, and on a listed deviation that no longer
 * deviates, so the list stays exact. It prints the score by section.
 * PKITS data: $OCV_PKITS_DIR, default the Debian python3-cryptography-vectors
 * path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "testutil.h"
#include "verifier/x509.h"

#define DEFAULT_PKITS  "/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data"
#define PKITS_AT       1609459200 /* 2021-01-01: every PKITS 2011 object is current */
#define MAX_DEVIATIONS 64
#define MAX_SECTIONS   16

static const char *pkits_dir(void)
{
    const char *d = getenv("OCV_PKITS_DIR");
    return d != NULL && d[0] ? d : DEFAULT_PKITS;
}

static void read_file_or_fail(const char *path, ocv_bytes *out)
{
    char err[256] = "";
    if (ocv_file_read(path, 1u << 20, out, err, sizeof(err)) != OCV_OK)
        fail_msg("%s", err);
}

/* Appends the DER of one PKITS file to buf. */
static void append(ocv_bytes *buf, const char *kind, const char *name, const char *ext)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s/%s%s", pkits_dir(), kind, name, ext);
    ocv_bytes f;
    read_file_or_fail(path, &f);
    uint8_t *grown = realloc(buf->data, buf->len + f.len + 1);
    assert_non_null(grown);
    memcpy(grown + buf->len, f.data, f.len);
    buf->data = grown;
    buf->len += f.len;
    ocv_bytes_free(&f);
}

/* NIST-test-policy-n: 2.16.840.1.101.3.2.1.48.n */
static uint8_t policy_oids[7][10];

static void settings(const char *s, ocv_x509_policy_init *p)
{
    memset(p, 0, sizeof(*p));
    for (const char *c = s; *c; c++) {
        if (*c == 'E')
            p->explicit_policy = 1;
        else if (*c == 'M')
            p->inhibit_mapping = 1;
        else if (*c == 'A')
            p->inhibit_any = 1;
        else if (*c == 'P') {
            int n = c[1] - '0';
            static const uint8_t prefix[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x02, 0x01, 0x30};
            memcpy(policy_oids[n], prefix, sizeof(prefix));
            policy_oids[n][9] = (uint8_t)n;
            p->oids[p->count].p = policy_oids[n];
            p->oids[p->count].len = 10;
            p->count++;
        }
    }
}

/* Runs one case: the reason of the first step that failed, or OK. */
static ocv_reason run_case(char *leaf, char *inters, char *crls, const char *set,
                           const ocv_x509_anchors *anchors, char *detail, size_t detail_len)
{
    ocv_bytes leaf_der, inter_der;
    ocv_bytes_init(&leaf_der);
    ocv_bytes_init(&inter_der);
    append(&leaf_der, "certs", leaf, ".crt");
    char *save = NULL;
    if (strcmp(inters, "-") != 0) {
        for (char *t = strtok_r(inters, ",", &save); t; t = strtok_r(NULL, ",", &save))
            append(&inter_der, "certs", t, ".crt");
    }
    ocv_x509_crls crl_set;
    ocv_x509_crls_init(&crl_set);
    if (strcmp(crls, "-") != 0) {
        for (char *t = strtok_r(crls, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char path[512], err[256];
            snprintf(path, sizeof(path), "%s/crls/%s.crl", pkits_dir(), t);
            if (ocv_x509_crls_load(&crl_set, path, err, sizeof(err)) != OCV_OK)
                fail_msg("CRL load is a configuration error: %s", err);
        }
    }
    ocv_x509_policy_init pol;
    settings(set, &pol);
    ocv_x509_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.at = PKITS_AT;
    opt.skew = 0;
    opt.leaf_eku = OCV_EKU_ANY;
    opt.identity_fallback = OCV_IDENTITY_PKI;
    opt.policy = &pol;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    ocv_claims claims;
    ocv_reason r = ocv_x509_parse(leaf_der.data, leaf_der.len, inter_der.data, inter_der.len, &opt,
                                  &chain, &claims, detail, detail_len);
    if (r == OCV_OK)
        r = ocv_x509_verify_chain(&chain, anchors, &opt, &claims, detail, detail_len);
    if (r == OCV_OK)
        r = ocv_x509_check_crls(&chain, &crl_set, &opt, detail, detail_len);
    ocv_x509_chain_free(&chain);
    ocv_x509_crls_free(&crl_set);
    ocv_bytes_free(&leaf_der);
    ocv_bytes_free(&inter_der);
    return r;
}

/* Test ids of the PKITS table in docs/vector-deviations.md. */
static size_t load_deviations(char ids[MAX_DEVIATIONS][16])
{
    char path[512];
    snprintf(path, sizeof(path), "%s/../docs/vector-deviations.md", getenv("OCV_TEST_ROOT"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    size_t n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char id[16];
        if (strncmp(line, "| pkits ", 8) != 0 || n >= MAX_DEVIATIONS)
            continue;
        size_t k = 0;
        for (const char *c = line + 8; *c && *c != ' ' && k + 1 < sizeof(id); c++)
            id[k++] = *c;
        id[k] = 0;
        ocv_strlcpy(ids[n++], id, 16);
    }
    fclose(f);
    return n;
}

/* "4.10.1" lists every run of 4.10.1; "4.10.1.b" one run. */
static int listed(const char *id, const char *run)
{
    size_t l = strlen(id);
    return strcmp(id, run) == 0 ||
           (strncmp(id, run, l) == 0 && run[l] == '.' && strlen(run) == l + 2);
}

typedef struct section_score {
    char name[8];
    int tests, agree, invalid_accepted;
    char last_test[16];
    int last_ok;
} section_score;

static void test_pkits_all(void **state)
{
    (void)state;
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/certs/TrustAnchorRootCertificate.crt", pkits_dir());
    ocv_x509_anchors anchors;
    ocv_x509_anchors_init(&anchors);
    if (ocv_x509_anchors_load(&anchors, path, err, sizeof(err)) != OCV_OK)
        fail_msg("PKITS anchor: %s", err);
    char ids[MAX_DEVIATIONS][16];
    size_t ndev = load_deviations(ids);
    int used[MAX_DEVIATIONS] = {0};
    snprintf(path, sizeof(path), "%s/pkits/cases.tsv", getenv("OCV_TEST_ROOT"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    section_score sec[MAX_SECTIONS];
    size_t nsec = 0;
    int unexpected = 0, runs = 0;
    char line[4096];
    while (fgets(line, sizeof(line), f) != NULL) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *save = NULL, *col[7];
        size_t nc = 0;
        for (char *t = strtok_r(line, "\t", &save); t && nc < 7; t = strtok_r(NULL, "\t", &save))
            col[nc++] = t;
        assert_int_equal(nc, 7);
        char detail[256] = "";
        const char *set = strcmp(col[5], "-") == 0 ? "" : col[5];
        char run_id[16];
        ocv_strlcpy(run_id, col[0], sizeof(run_id));
        ocv_reason r = run_case(col[2], col[3], col[4], set, &anchors, detail, sizeof(detail));
        int want_valid = strcmp(col[6], "valid") == 0;
        int agree = (r == OCV_OK) == want_valid;
        runs++;
        size_t s = 0;
        while (s < nsec && strcmp(sec[s].name, col[1]) != 0)
            s++;
        if (s == nsec) {
            assert_true(nsec < MAX_SECTIONS);
            memset(&sec[s], 0, sizeof(sec[s]));
            ocv_strlcpy(sec[s].name, col[1], sizeof(sec[s].name));
            nsec++;
        }
        /* a test with several runs scores once: every run must agree */
        char test_id[16];
        ocv_strlcpy(test_id, run_id, sizeof(test_id));
        char *dot = strrchr(test_id, '.');
        if (dot != NULL && dot[1] >= 'a' && dot[1] <= 'd' && dot[2] == 0)
            *dot = 0;
        if (strcmp(sec[s].last_test, test_id) != 0) {
            sec[s].tests++;
            sec[s].agree++;
            ocv_strlcpy(sec[s].last_test, test_id, sizeof(sec[s].last_test));
            sec[s].last_ok = 1;
        }
        if (!agree && sec[s].last_ok) {
            sec[s].agree--;
            sec[s].last_ok = 0;
        }
        if (!agree && !want_valid)
            sec[s].invalid_accepted++;
        int dev = 0;
        for (size_t k = 0; k < ndev; k++) {
            if (listed(ids[k], run_id)) {
                used[k] = 1;
                dev = 1;
            }
        }
        if (!agree && !dev) {
            print_message("PKITS %s (%s, %s): expected %s, got %s: %s\n", run_id, col[2],
                          set[0] ? set : "default", col[6], ocv_reason_name(r), detail);
            unexpected++;
        } else if (agree && dev) {
            print_message("PKITS %s is listed as a deviation but now agrees\n", run_id);
            unexpected++;
        }
    }
    fclose(f);
    for (size_t k = 0; k < ndev; k++) {
        if (!used[k]) {
            print_message("deviation %s matches no PKITS run\n", ids[k]);
            unexpected++;
        }
    }
    int path_tests = 0, path_ok = 0, pol_tests = 0, pol_ok = 0, accepted = 0;
    print_message("PKITS by section (tests agreeing / tests):\n");
    for (size_t s = 0; s < nsec; s++) {
        print_message("  %-5s %3d / %3d%s\n", sec[s].name, sec[s].agree, sec[s].tests,
                      sec[s].invalid_accepted ? "  (invalid accepted!)" : "");
        int pol = strcmp(sec[s].name, "4.8") == 0 || strcmp(sec[s].name, "4.9") == 0 ||
                  strcmp(sec[s].name, "4.10") == 0 || strcmp(sec[s].name, "4.11") == 0 ||
                  strcmp(sec[s].name, "4.12") == 0;
        (pol ? &pol_tests : &path_tests)[0] += sec[s].tests;
        (pol ? &pol_ok : &path_ok)[0] += sec[s].agree;
        accepted += sec[s].invalid_accepted;
    }
    print_message("PKITS path tests %d/%d, policy tests %d/%d, %d runs, invalid accepted: %d\n",
                  path_ok, path_tests, pol_ok, pol_tests, runs, accepted);
    ocv_x509_anchors_free(&anchors);
    assert_int_equal(path_tests, 161);
    assert_int_equal(pol_tests, 63);
    assert_int_equal(unexpected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkits_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
