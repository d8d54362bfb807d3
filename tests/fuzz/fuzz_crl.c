/*
 * fuzz_crl.c - libFuzzer target for CRL input, both ways ocv takes it:
 * as a --crl file (ocv_x509_crls_load, then ocv_x509_check_crls against
 * the verified fuzz chain root -> intermediate -> leaf at FUZZ_AT) and as
 * `revocation import-crl` (ocv_crl_import into an in-memory store, the
 * fuzz root and intermediate as trusted CAs). The seeds in
 * tests/fuzz/corpus/crl are signed by those CAs, so signature, freshness,
 * CRL number and store paths are reached. Any crash, leak, hang or
 * sanitizer report is a bug; so is a check_crls reason its header does
 * not list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "revocation/crl_import.h"
#include "revocation/store.h"
#include "verifier/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ocv_x509_options opt = {FUZZ_AT, 60, OCV_EKU_CLIENT_AUTH, 0, NULL, 0, NULL};
static ocv_x509_anchors root_only, both_cas;
static ocv_x509_chain chain;
static ocv_store *store;

static void load_anchors(ocv_x509_anchors *a, const char *pem, size_t len)
{
    char err[256];
    ocv_x509_anchors_init(a);
    if (ocv_x509_anchors_load(a, fuzz_scratch("anchors.pem", (const uint8_t *)pem, len), err,
                              sizeof(err)) != OCV_OK)
        abort();
}

static void teardown(void)
{
    ocv_store_close(store);
    ocv_x509_chain_free(&chain);
    ocv_x509_anchors_free(&both_cas);
    ocv_x509_anchors_free(&root_only);
}

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    char err[256];
    load_anchors(&root_only, fuzz_root_pem, sizeof(fuzz_root_pem) - 1);
    char both[sizeof(fuzz_root_pem) + sizeof(fuzz_inter_pem)];
    memcpy(both, fuzz_root_pem, sizeof(fuzz_root_pem) - 1);
    memcpy(both + sizeof(fuzz_root_pem) - 1, fuzz_inter_pem, sizeof(fuzz_inter_pem));
    load_anchors(&both_cas, both, strlen(both));
    ocv_claims claims;
    ocv_x509_chain_init(&chain);
    if (ocv_x509_parse((const uint8_t *)fuzz_leaf_pem, sizeof(fuzz_leaf_pem) - 1,
                       (const uint8_t *)fuzz_inter_pem, sizeof(fuzz_inter_pem) - 1, &opt, &chain,
                       &claims, err, sizeof(err)) != OCV_OK ||
        ocv_x509_verify_chain(&chain, &root_only, &opt, &claims, err, sizeof(err)) != OCV_OK)
        abort();
    if (ocv_store_open(":memory:", 1, &store, err, sizeof(err)) != OCV_OK)
        abort();
    atexit(teardown);
}

static void as_crl_file(const uint8_t *data, size_t size)
{
    ocv_x509_crls crls;
    ocv_x509_crls_init(&crls);
    char err[256];
    if (ocv_x509_crls_load(&crls, fuzz_scratch("crl", data, size), err, sizeof(err)) == OCV_OK) {
        ocv_reason r = ocv_x509_check_crls(&chain, &crls, &opt, err, sizeof(err));
        if (r != OCV_OK && r != OCV_REVOKED && r != OCV_REVOCATION_STALE &&
            r != OCV_REVOCATION_MISSING && r != OCV_ALG_NOT_ALLOWED)
            abort(); /* only the reasons the header promises */
    }
    ocv_x509_crls_free(&crls);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    as_crl_file(data, size);
    ocv_crl_import_result res;
    char detail[256];
    ocv_reason r = ocv_crl_import(store, &both_cas, data, size, FUZZ_AT, 60, &res, detail,
                                  sizeof(detail));
    (void)r;
    return 0;
}
