/*
 * test_x509_crl.c - ocv's CRL parser on CRLs as PKIs issue them (the
 * PKITS 2011 files: issuingDistributionPoint, onlySomeReasons, delta,
 * unknown critical CRL and entry extensions, DSA), loading what loads,
 * and a certificate covered by a CRL file that was skipped: that is
 * REVOCATION_MISSING naming the file. PKITS §4.4, 4.14 and 4.15 in
 * test_pkits.c check the revocation algorithm end to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "testutil.h"
#include "verifier/x509.h"
#include "verifier/x509_crl.h"

#define DEFAULT_PKITS "/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data"

static const char *pkits(const char *kind, const char *name, const char *ext)
{
    static char path[512];
    const char *d = getenv("OCV_PKITS_DIR");
    snprintf(path, sizeof(path), "%s/%s/%s%s", d && d[0] ? d : DEFAULT_PKITS, kind, name, ext);
    return path;
}

static ocv_reason parse_file(const char *name, ocv_x509_crl *crl)
{
    ocv_bytes f;
    char err[256];
    if (ocv_file_read(pkits("crls", name, ".crl"), 1u << 20, &f, err, sizeof(err)) != OCV_OK)
        fail_msg("%s", err);
    ocv_reason r = ocv_x509_crl_parse(f.data, f.len, crl, err, sizeof(err));
    ocv_bytes_free(&f);
    return r;
}

static void parses_real_crls(void **state)
{
    (void)state;
    ocv_x509_crl crl;
    assert_reason(parse_file("deltaCRLCA1deltaCRL", &crl), OCV_OK);
    assert_true(crl.is_delta);
    assert_non_null(crl.base_number.p);
    assert_non_null(crl.number.p);
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("distributionPoint1CACRL", &crl), OCV_OK);
    assert_true(crl.has_idp);
    assert_non_null(crl.idp_full_names.p);
    assert_false(crl.unusable);
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("onlySomeReasonsCA1compromiseCRL", &crl), OCV_OK);
    assert_int_equal(crl.only_reasons, (1u << 1) | (1u << 2)); /* key and CA compromise */
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("onlyContainsUserCertsCACRL", &crl), OCV_OK);
    assert_true(crl.only_user);
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("UnknownCRLExtensionCACRL", &crl), OCV_OK);
    assert_true(crl.unusable);
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("UnknownCRLEntryExtensionCACRL", &crl), OCV_OK);
    assert_true(crl.unusable);
    assert_true(crl.entry_count > 0);
    ocv_x509_crl_free(&crl);

    assert_reason(parse_file("DSACACRL", &crl), OCV_ALG_NOT_ALLOWED);
}

static void hostile_bytes(void **state)
{
    (void)state;
    ocv_bytes f;
    char err[256];
    assert_reason(ocv_file_read(pkits("crls", "GoodCACRL", ".crl"), 1u << 20, &f, err, sizeof(err)),
                  OCV_OK);
    ocv_x509_crl crl;
    /* every truncation is refused, never read past */
    for (size_t n = 0; n < f.len; n += 7)
        assert_reason(ocv_x509_crl_parse(f.data, n, &crl, err, sizeof(err)), OCV_MALFORMED);
    /* trailing bytes */
    uint8_t *longer = malloc(f.len + 1);
    memcpy(longer, f.data, f.len);
    longer[f.len] = 0;
    assert_reason(ocv_x509_crl_parse(longer, f.len + 1, &crl, err, sizeof(err)), OCV_MALFORMED);
    free(longer);
    ocv_bytes_free(&f);
}

/* A CRL of Good CA whose signature algorithm ocv cannot use: the file is
 * skipped at load (not a configuration error) and the certificates it
 * covers are REVOCATION_MISSING, naming it. */
static void skipped_file_covers_its_issuer(void **state)
{
    (void)state;
    ocv_bytes f;
    char err[256] = "";
    assert_reason(ocv_file_read(pkits("crls", "GoodCACRL", ".crl"), 1u << 20, &f, err, sizeof(err)),
                  OCV_OK);
    /* sha256WithRSAEncryption (1.2.840.113549.1.1.11) -> ...1.1.99, both copies */
    static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
    int changed = 0;
    for (size_t i = 0; i + sizeof(oid) <= f.len; i++) {
        if (memcmp(f.data + i, oid, sizeof(oid)) == 0) {
            f.data[i + sizeof(oid) - 1] = 0x63;
            changed++;
        }
    }
    assert_int_equal(changed, 2);
    char path[] = "/tmp/ocv-crl-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    assert_int_equal(fwrite(f.data, 1, f.len, out), f.len);
    fclose(out);
    ocv_bytes_free(&f);

    ocv_x509_crls crls;
    ocv_x509_crls_init(&crls);
    assert_reason(ocv_x509_crls_load(&crls, path, err, sizeof(err)), OCV_OK);
    assert_int_equal(crls.skipped_count, 1);
    assert_non_null(strstr(err, "CRL skipped"));
    char problems[512] = "";
    assert_int_equal(ocv_x509_crls_describe_problems(&crls, problems, sizeof(problems)), 1);
    assert_non_null(strstr(problems, path));

    ocv_x509_anchors anchors;
    ocv_x509_anchors_init(&anchors);
    assert_reason(ocv_x509_anchors_load(&anchors,
                                        pkits("certs", "TrustAnchorRootCertificate", ".crt"), err,
                                        sizeof(err)),
                  OCV_OK);
    ocv_bytes leaf, inter;
    assert_reason(ocv_file_read(pkits("certs", "ValidCertificatePathTest1EE", ".crt"), 1u << 20,
                                &leaf, err, sizeof(err)),
                  OCV_OK);
    assert_reason(
        ocv_file_read(pkits("certs", "GoodCACert", ".crt"), 1u << 20, &inter, err, sizeof(err)),
        OCV_OK);
    ocv_x509_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.at = 1609459200;
    opt.leaf_eku = OCV_EKU_ANY;
    opt.identity_fallback = OCV_IDENTITY_PKI_SUBJECT;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    ocv_claims claims;
    char detail[512] = "";
    assert_reason(ocv_x509_parse(leaf.data, leaf.len, inter.data, inter.len, &opt, &chain, &claims,
                                 detail, sizeof(detail)),
                  OCV_OK);
    assert_reason(ocv_x509_verify_chain(&chain, &anchors, &opt, &claims, detail, sizeof(detail)),
                  OCV_OK);
    assert_reason(ocv_x509_check_crls(&chain, &crls, &opt, detail, sizeof(detail)),
                  OCV_REVOCATION_MISSING);
    assert_non_null(strstr(detail, path));
    ocv_x509_chain_free(&chain);
    ocv_x509_anchors_free(&anchors);
    ocv_bytes_free(&leaf);
    ocv_bytes_free(&inter);
    ocv_x509_crls_free(&crls);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_real_crls),
        cmocka_unit_test(hostile_bytes),
        cmocka_unit_test(skipped_file_covers_its_issuer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
