/*
 * test_token.c - tokens against public vectors (tests/vectors, README
 * there): Wycheproof JWS and JWK sets, the JOSE cookbook (RFC 7520), RFC
 * 7515 Appendix A, RFC 8037, RFC 8392 (CWT); plus claims, key files and
 * hostile token bytes at library level. Deviations from a label are listed
 * here and in docs/vector-deviations.md, and fail the test when they stop
 * deviating.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/b64url.h"
#include "base/util.h"
#include "testutil.h"
#include "verifier/keyset.h"
#include "verifier/token.h"

static json_t *load_vector(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/%s", getenv("OCV_TEST_ROOT"), name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    return root;
}

/* A JWKS of the public parts of keys (private members dropped, as an
 * operator would publish them). OCV_OK or the loader's reason. */
static ocv_reason keyset_of(json_t *keys_array, ocv_keyset *out)
{
    static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi"};
    json_t *copy = json_deep_copy(keys_array);
    size_t i;
    json_t *k;
    json_array_foreach(copy, i, k)
    {
        for (size_t j = 0; j < sizeof(private_members) / sizeof(private_members[0]); j++)
            json_object_del(k, private_members[j]);
    }
    json_t *set = json_pack("{s:o}", "keys", copy);
    char *text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    char err[256];
    ocv_keyset_init(out);
    ocv_reason r = ocv_keyset_parse((const uint8_t *)text, strlen(text), out, err, sizeof(err));
    free(text);
    return r;
}

static ocv_reason keyset_of_one(json_t *jwk, ocv_keyset *out)
{
    json_t *arr = json_pack("[O]", jwk);
    ocv_reason r = keyset_of(arr, out);
    json_decref(arr);
    return r;
}

static ocv_reason verify_jws(const char *jws, ocv_keyset *keys)
{
    char detail[256];
    return ocv_jws_verify_compact(jws, strlen(jws), keys, detail, sizeof(detail));
}

static int listed(const int *list, size_t n, int tc)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == tc)
            return 1;
    }
    return 0;
}

/* Runs one Wycheproof JWS/JWK file. deviations: tcIds labelled valid that
 * ocv refuses by its stricter rules. */
static void run_wycheproof(const char *file, const int *deviations, size_t n_dev)
{
    json_t *root = load_vector(file);
    size_t gi, ti;
    json_t *group, *test;
    int mismatches = 0, deviated = 0, ok = 0;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        json_t *pub = json_object_get(group, "public");
        ocv_keyset keys;
        ocv_keyset_init(&keys);
        ocv_reason loaded = OCV_CONFIG_INVALID;
        if (json_is_object(pub) && json_object_get(pub, "keys") != NULL)
            loaded = keyset_of(json_object_get(pub, "keys"), &keys);
        else if (json_is_object(pub))
            loaded = keyset_of_one(pub, &keys);
        json_array_foreach(json_object_get(group, "tests"), ti, test)
        {
            int tc = (int)json_integer_value(json_object_get(test, "tcId"));
            const char *jws = json_string_value(json_object_get(test, "jws"));
            int want = strcmp(json_string_value(json_object_get(test, "result")), "valid") == 0;
            /* symmetric-only groups have no public key: every test must fail */
            if (pub == NULL)
                want = 0;
            int got = loaded == OCV_OK && verify_jws(jws, &keys) == OCV_OK;
            int dev = listed(deviations, n_dev, tc);
            if (dev && want && !got) {
                deviated++;
            } else if (got == want && !dev) {
                ok++;
            } else {
                mismatches++;
                print_message("%s tcId %d (%s): ocv %s, label %s%s\n", file, tc,
                              json_string_value(json_object_get(group, "comment")),
                              got ? "valid" : "invalid", want ? "valid" : "invalid",
                              dev ? " (listed deviation)" : "");
            }
        }
        ocv_keyset_free(&keys);
    }
    json_decref(root);
    print_message("%s: %d as labelled, %d deviations\n", file, ok, deviated);
    assert_int_equal(mismatches, 0);
    assert_int_equal(deviated, (int)n_dev);
}

/* As run_wycheproof, for deviations the other way: labelled invalid,
 * accepted by ocv. */
static void run_wycheproof_inverse(const char *file, const int *accepted, size_t n)
{
    json_t *root = load_vector(file);
    size_t gi, ti;
    json_t *group, *test;
    int mismatches = 0, deviated = 0;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        json_t *pub = json_object_get(group, "public");
        ocv_keyset keys;
        ocv_keyset_init(&keys);
        ocv_reason loaded = OCV_CONFIG_INVALID;
        if (json_is_object(pub) && json_object_get(pub, "keys") != NULL)
            loaded = keyset_of(json_object_get(pub, "keys"), &keys);
        json_array_foreach(json_object_get(group, "tests"), ti, test)
        {
            int tc = (int)json_integer_value(json_object_get(test, "tcId"));
            const char *jws = json_string_value(json_object_get(test, "jws"));
            int want = pub != NULL &&
                       strcmp(json_string_value(json_object_get(test, "result")), "valid") == 0;
            int got = loaded == OCV_OK && verify_jws(jws, &keys) == OCV_OK;
            if (listed(accepted, n, tc) && got && !want)
                deviated++;
            else if (got != want || listed(accepted, n, tc)) {
                mismatches++;
                print_message("%s tcId %d: ocv %s, label %s\n", file, tc, got ? "valid" : "invalid",
                              want ? "valid" : "invalid");
            }
        }
        ocv_keyset_free(&keys);
    }
    json_decref(root);
    assert_int_equal(mismatches, 0);
    assert_int_equal(deviated, (int)n);
}

static void wycheproof_jws(void **state)
{
    (void)state;
    /* JWK alg PS256 with header PS384, JWK alg "ES521" (no such JWA name)
     * with header ES512: labelled valid, refused by the alg pin rule */
    static const int jws_deviations[] = {346, 347, 350, 351};
    run_wycheproof("wycheproof/json_web_signature_test.json", jws_deviations, 4);
}

static void wycheproof_jwk(void **state)
{
    (void)state;
    /* tcId 7: an RSA key with the ROCA weakness (CVE-2017-15361); ocv
     * does not run the ROCA fingerprint test */
    static const int roca[] = {7};
    run_wycheproof_inverse("wycheproof/json_web_key_test.json", roca, 1);
}

/* RFC 7520 (cookbook) §4.1-4.4 and RFC 8037 A.4: output.compact with the
 * public part of input.key. */
static void jose_cookbook(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        ocv_reason want;
    } cases[] = {
        {"jose/rfc7520/4_1.rsa_v15_signature.json", OCV_OK},
        {"jose/rfc7520/4_2.rsa-pss_signature.json", OCV_OK},
        {"jose/rfc7520/4_3.ecdsa_signature.json", OCV_OK},
        {"jose/rfc7520/4_4.hmac-sha2_integrity_protection.json", OCV_ALG_NOT_ALLOWED},
        {"jose/rfc8037/ed25519_jws.json", OCV_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *root = load_vector(cases[i].file);
        json_t *key = json_object_get(json_object_get(root, "input"), "key");
        const char *jws =
            json_string_value(json_object_get(json_object_get(root, "output"), "compact"));
        ocv_keyset keys;
        ocv_reason r = keyset_of_one(key, &keys);
        if (r == OCV_OK)
            r = verify_jws(jws, &keys);
        else if (cases[i].want == OCV_ALG_NOT_ALLOWED)
            r = verify_jws(jws, NULL); /* an oct key never loads; the alg is refused first */
        if (r != cases[i].want)
            fail_msg("%s: %s, want %s", cases[i].file, ocv_reason_name(r),
                     ocv_reason_name(cases[i].want));
        ocv_keyset_free(&keys);
        json_decref(root);
    }
}

static void rfc7515_appendix_a(void **state)
{
    (void)state;
    json_t *root = load_vector("jose/rfc7515/appendix_a.json");
    static const ocv_reason want[] = {OCV_ALG_NOT_ALLOWED, OCV_OK, OCV_OK, OCV_OK,
                                      OCV_ALG_NOT_ALLOWED};
    size_t i;
    json_t *ex;
    json_array_foreach(json_object_get(root, "examples"), i, ex)
    {
        json_t *pub = json_object_get(ex, "jwk_public");
        ocv_keyset keys;
        ocv_keyset_init(&keys);
        if (json_is_object(pub) && keyset_of_one(pub, &keys) != OCV_OK)
            ocv_keyset_free(&keys);
        const char *jws = json_string_value(json_object_get(ex, "compact"));
        ocv_reason r = verify_jws(jws, &keys);
        if (r != want[i])
            fail_msg("RFC 7515 %s: %s, want %s", json_string_value(json_object_get(ex, "section")),
                     ocv_reason_name(r), ocv_reason_name(want[i]));
        /* the full JWT path refuses A.4's non-JSON payload */
        if (i == 3) {
            ocv_token t;
            ocv_claims c;
            char detail[128];
            assert_reason(
                ocv_token_parse((const uint8_t *)jws, strlen(jws), &t, &c, detail, sizeof(detail)),
                OCV_MALFORMED);
        }
        ocv_keyset_free(&keys);
    }
    json_decref(root);
}

/* RFC 8392 A.3 with the A.2.3 key (kid in the unprotected header), and
 * A.4 (a MACed CWT). */
static void rfc8392_cwt(void **state)
{
    (void)state;
    json_t *root = load_vector("cose/cwt/rfc8392_appendix_a.json");
    json_t *k = json_object_get(root, "A.2.3_ecdsa_p256_key_decoded");
    const char *xh = json_string_value(json_object_get(k, "-2 x"));
    const char *yh = json_string_value(json_object_get(k, "-3 y"));
    uint8_t x[32], y[32];
    size_t n;
    assert_int_equal(ocv_hex_decode(xh, 64, x, 32, &n), 0);
    assert_int_equal(ocv_hex_decode(yh, 64, y, 32, &n), 0);
    ocv_keyset keys;
    ocv_keyset_init(&keys);
    keys.keys = calloc(1, sizeof(ocv_trusted_key));
    keys.count = 1;
    assert_reason(ocv_pkey_from_ec_point(OCV_KEY_EC_P256, x, 32, y, 32, &keys.keys[0].key), OCV_OK);
    memcpy(keys.keys[0].kid, "AsymmetricECDSA256", 18);
    keys.keys[0].kid_len = 18;
    const char *hex = json_string_value(json_object_get(root, "A.3_signed_cwt_hex"));
    size_t len = strlen(hex);
    uint8_t *cwt = malloc(len / 2);
    assert_int_equal(ocv_hex_decode(hex, len, cwt, len / 2, &n), 0);
    ocv_token t;
    ocv_claims c;
    char detail[128] = "";
    assert_reason(ocv_token_parse(cwt, n, &t, &c, detail, sizeof(detail)), OCV_OK);
    assert_string_equal(c.issuer, "coap://as.example.com");
    assert_string_equal(c.subject, "erikw");
    assert_string_equal(c.audiences[0], "coap://light.example.com");
    assert_int_equal(c.expires_at, 1444064944);
    assert_int_equal(c.not_before, 1443944944);
    assert_int_equal(c.issued_at, 1443944944);
    assert_string_equal(c.token_id, "0b71");
    assert_reason(ocv_token_verify(&t, &keys, detail, sizeof(detail)), OCV_OK);
    ocv_token_free(&t);
    free(cwt);
    hex = json_string_value(json_object_get(root, "A.4_maced_cwt_hex"));
    len = strlen(hex);
    cwt = malloc(len / 2);
    assert_int_equal(ocv_hex_decode(hex, len, cwt, len / 2, &n), 0);
    assert_reason(ocv_token_parse(cwt, n, &t, &c, detail, sizeof(detail)), OCV_ALG_NOT_ALLOWED);
    free(cwt);
    ocv_keyset_free(&keys);
    json_decref(root);
}

static ocv_reason parse_text(const char *text)
{
    ocv_token t;
    ocv_claims c;
    char detail[200];
    ocv_reason r =
        ocv_token_parse((const uint8_t *)text, strlen(text), &t, &c, detail, sizeof(detail));
    ocv_token_free(&t);
    return r;
}

/* Hand-made JWTs: header and claims rules (the signature is never reached). */
static void jwt_rules(void **state)
{
    (void)state;
    static const struct {
        const char *jws;
        ocv_reason want;
    } cases[] = {
        /* {"alg":"ES256"}.{"exp":1}.AA */
        {"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.AA", OCV_OK},
        /* {"alg":"none"} */
        {"eyJhbGciOiJub25lIn0.eyJleHAiOjF9.AA", OCV_ALG_NOT_ALLOWED},
        /* {"alg":"ES256","crit":["b64"]} */
        {"eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiYjY0Il19.eyJleHAiOjF9.AA", OCV_MALFORMED},
        /* {} : no alg */
        {"e30.eyJleHAiOjF9.AA", OCV_MALFORMED},
        /* {"alg":"ES256"}.{"exp":-1} */
        {"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOi0xfQ.AA", OCV_MALFORMED},
        /* {"alg":"ES256"}.{"aud":5,"exp":1} */
        {"eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOjUsImV4cCI6MX0.AA", OCV_MALFORMED},
        /* {"alg":"ES256"}.{"cnf":{"x5t#S256":"AA"},"exp":1} : short thumbprint */
        {"eyJhbGciOiJFUzI1NiJ9.eyJjbmYiOnsieDV0I1MyNTYiOiJBQSJ9LCJleHAiOjF9.AA", OCV_MALFORMED},
        /* {"alg":"ES256"}.[1] : not an object */
        {"eyJhbGciOiJFUzI1NiJ9.WzFd.AA", OCV_MALFORMED},
        /* padding in the payload */
        {"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9=.AA", OCV_UNSUPPORTED_FORMAT},
        /* empty signature */
        {"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.", OCV_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_reason r = parse_text(cases[i].jws);
        if (r != cases[i].want)
            fail_msg("case %zu: %s, want %s", i, ocv_reason_name(r),
                     ocv_reason_name(cases[i].want));
    }
}

static void deep_json_is_refused(void **state)
{
    (void)state;
    /* a payload nested 40 deep: TOO_LARGE, never a stack problem */
    char payload[256] = "";
    for (int i = 0; i < 40; i++)
        strcat(payload, "[");
    for (int i = 0; i < 40; i++)
        strcat(payload, "]");
    ocv_bytes enc;
    assert_reason(ocv_b64url_encode((const uint8_t *)payload, strlen(payload), &enc), OCV_OK);
    char jws[512];
    snprintf(jws, sizeof(jws), "eyJhbGciOiJFUzI1NiJ9.%s.AA", (char *)enc.data);
    assert_reason(parse_text(jws), OCV_TOO_LARGE);
    ocv_bytes_free(&enc);
}

/* an Ed25519 key marked for encryption */
#define ED25519_USE_ENC                                                                            \
    "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"                                       \
    "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"use\":\"enc\"}]}"

static void keyset_rules(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}",
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256K\",\"x\":\"AA\",\"y\":\"AA\"}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AA\"}]}",
        "{\"keys\":{}}",
        "[]",
        ED25519_USE_ENC,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ocv_keyset set;
        ocv_keyset_init(&set);
        char err[256] = "";
        if (ocv_keyset_parse((const uint8_t *)bad[i], strlen(bad[i]), &set, err, sizeof(err)) ==
            OCV_OK)
            fail_msg("accepted key set %zu", i);
        ocv_keyset_free(&set);
    }
    const char *good = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":"
                       "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
    ocv_keyset set;
    ocv_keyset_init(&set);
    char err[256];
    assert_reason(ocv_keyset_parse((const uint8_t *)good, strlen(good), &set, err, sizeof(err)),
                  OCV_OK);
    const ocv_trusted_key *k;
    assert_reason(
        ocv_keyset_select(&set, (const uint8_t *)"a", 1, OCV_ALG_EDDSA, &k, err, sizeof(err)),
        OCV_OK);
    assert_reason(
        ocv_keyset_select(&set, (const uint8_t *)"b", 1, OCV_ALG_EDDSA, &k, err, sizeof(err)),
        OCV_KEY_UNKNOWN);
    assert_reason(ocv_keyset_select(&set, NULL, 0, OCV_ALG_ES256, &k, err, sizeof(err)),
                  OCV_KEY_UNKNOWN);
    uint8_t thumb[32];
    char hex[65];
    assert_reason(ocv_jwk_thumbprint(&set.keys[0].key, thumb), OCV_OK);
    ocv_hex_encode(thumb, 32, hex);
    /* RFC 8037 Appendix A.3: the thumbprint of this very key */
    assert_string_equal(hex, "90facafea9b1556698540f70c0117a22ea37bd5cf3ed3c47093c1707282b4b89");
    ocv_keyset_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wycheproof_jws),       cmocka_unit_test(wycheproof_jwk),
        cmocka_unit_test(jose_cookbook),        cmocka_unit_test(rfc7515_appendix_a),
        cmocka_unit_test(rfc8392_cwt),          cmocka_unit_test(jwt_rules),
        cmocka_unit_test(deep_json_is_refused), cmocka_unit_test(keyset_rules),
    };
    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
