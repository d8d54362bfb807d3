/*
 * test_cose_sign1.c - COSE_Sign1: create/verify round trips, hostile
 * bytes, and the COSE working group's Sign1 examples (tests/vectors/cose,
 * Unlicense), each with the answer docs/vector-deviations.md gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/b64url.h"
#include "base/util.h"
#include "testutil.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

static void round_trip(void **state)
{
    (void)state;
    static const ocv_key_type types[] = {OCV_KEY_EC_P256, OCV_KEY_ED25519, OCV_KEY_EC_P384};
    for (size_t i = 0; i < 3; i++) {
        ocv_pkey key;
        assert_reason(ocv_pkey_generate(types[i], 0, &key), OCV_OK);
        ocv_bytes msg;
        const uint8_t payload[] = {0xa1, 0x01, 0x02};
        assert_reason(ocv_sign1_create(ocv_alg_for_key(&key), &key, (const uint8_t *)"auth", 4,
                                       payload, sizeof(payload), &msg),
                      OCV_OK);
        ocv_sign1 parsed;
        char detail[128] = "";
        assert_reason(ocv_sign1_parse(msg.data, msg.len, &parsed, detail, sizeof(detail)), OCV_OK);
        assert_int_equal(parsed.kid_len, 4);
        assert_memory_equal(parsed.kid, "auth", 4);
        assert_int_equal(parsed.payload_len, 3);
        assert_reason(ocv_sign1_verify(&parsed, &key), OCV_OK);
        /* every truncation is refused, every bit flip is refused or fails */
        for (size_t n = 0; n < msg.len; n++)
            assert_int_not_equal(ocv_sign1_parse(msg.data, n, &parsed, detail, sizeof(detail)),
                                 OCV_OK);
        for (size_t b = 0; b < msg.len; b++) {
            msg.data[b] ^= 0x10;
            if (ocv_sign1_parse(msg.data, msg.len, &parsed, detail, sizeof(detail)) == OCV_OK)
                assert_int_not_equal(ocv_sign1_verify(&parsed, &key), OCV_OK);
            msg.data[b] ^= 0x10;
        }
        ocv_bytes_free(&msg);
        ocv_pkey_free(&key);
    }
}

static void hostile_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        ocv_reason want;
    } cases[] = {
        {"d862", OCV_UNSUPPORTED_FORMAT},              /* tag 98, nothing after */
        {"d2", OCV_MALFORMED},                         /* tag 18, nothing after */
        {"d8628440a0f640", OCV_UNSUPPORTED_FORMAT},    /* COSE_Sign */
        {"d9036284", OCV_UNSUPPORTED_FORMAT},          /* tag 866 */
        {"9f40a04040ff", OCV_MALFORMED},               /* indefinite array */
        {"8443a10126a0f640", OCV_MALFORMED},           /* detached payload */
        {"8443a10126a040404000", OCV_MALFORMED},       /* trailing byte */
        {"844101a0404040", OCV_MALFORMED},             /* protected not a map */
        {"8441a0a0404040", OCV_ALG_NOT_ALLOWED},       /* protected map without alg */
        {"8440a0404040", OCV_ALG_NOT_ALLOWED},         /* no alg */
        {"8443a10105a0404040", OCV_ALG_NOT_ALLOWED},   /* alg 5: HMAC */
        {"8443a10126a10126404040", OCV_MALFORMED},     /* alg unprotected too */
        {"8447a2012602810140a0404040", OCV_MALFORMED}, /* crit */
        {"8445a201260126a0404040", OCV_MALFORMED},     /* duplicate label */
        {"8443a10126a1182a01404040", OCV_MALFORMED},   /* unknown unprotected label */
        {"", OCV_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[64];
        size_t n = 0;
        assert_int_equal(ocv_hex_decode(cases[i].hex, strlen(cases[i].hex), buf, sizeof(buf), &n),
                         0);
        ocv_sign1 parsed;
        char detail[128] = "";
        ocv_reason r = ocv_sign1_parse(buf, n, &parsed, detail, sizeof(detail));
        if (r != cases[i].want)
            fail_msg("case %zu (%s): %s (%s), want %s", i, cases[i].hex, ocv_reason_name(r), detail,
                     ocv_reason_name(cases[i].want));
    }
}

/* ---- the COSE WG examples ------------------------------------------ */

static int decode_coord(json_t *key, const char *name, uint8_t *out, size_t cap, size_t *len)
{
    char hex_name[16];
    snprintf(hex_name, sizeof(hex_name), "%s_hex", name);
    const char *v = json_string_value(json_object_get(key, name));
    if (v != NULL)
        return ocv_b64url_decode(v, strlen(v), out, cap, len);
    v = json_string_value(json_object_get(key, hex_name));
    return v == NULL ? -1 : ocv_hex_decode(v, strlen(v), out, cap, len);
}

static ocv_reason key_from_example(json_t *key, ocv_pkey *out)
{
    const char *crv = json_string_value(json_object_get(key, "crv"));
    uint8_t x[80], y[80];
    size_t xl = 0, yl = 0;
    if (decode_coord(key, "x", x, sizeof(x), &xl) != 0)
        return OCV_MALFORMED;
    if (strcmp(crv, "Ed25519") == 0)
        return ocv_pkey_from_ed25519(x, xl, out);
    if (strcmp(crv, "Ed448") == 0)
        return OCV_ALG_NOT_ALLOWED;
    if (decode_coord(key, "y", y, sizeof(y), &yl) != 0)
        return OCV_MALFORMED;
    ocv_key_type t = strcmp(crv, "P-256") == 0   ? OCV_KEY_EC_P256
                     : strcmp(crv, "P-384") == 0 ? OCV_KEY_EC_P384
                                                 : OCV_KEY_EC_P521;
    return ocv_pkey_from_ec_point(t, x, xl, y, yl, out);
}

static ocv_reason verify_example(const char *file)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/cose/%s", getenv("OCV_TEST_ROOT"), file);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    json_t *input = json_object_get(root, "input");
    json_t *sign0 = json_object_get(input, "sign0");
    json_t *msg_node = sign0 ? sign0 : json_object_get(input, "sign");
    json_t *key = msg_node ? json_object_get(msg_node, "key") : NULL;
    const char *hex = json_string_value(json_object_get(json_object_get(root, "output"), "cbor"));
    size_t n = strlen(hex);
    uint8_t *bytes = malloc(n / 2);
    size_t len = 0;
    assert_int_equal(ocv_hex_decode(hex, n, bytes, n / 2, &len), 0);
    ocv_sign1 parsed;
    char detail[128];
    ocv_reason r = ocv_sign1_parse(bytes, len, &parsed, detail, sizeof(detail));
    if (r == OCV_OK) {
        ocv_pkey pk;
        if (key == NULL)
            fail_msg("%s: no key in the example", file);
        r = key_from_example(key, &pk);
        if (r == OCV_OK) {
            r = ocv_sign1_verify(&parsed, &pk);
            ocv_pkey_free(&pk);
        }
    }
    free(bytes);
    json_decref(root);
    return r;
}

static void cose_wg_examples(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        ocv_reason want;
    } cases[] = {
        {"sign1/RFC8152/Appendix_C_2_1.json", OCV_OK},
        {"sign1/ecdsa-examples/ecdsa-sig-01.json", OCV_OK},
        {"sign1/ecdsa-examples/ecdsa-sig-02.json", OCV_OK},
        {"sign1/ecdsa-examples/ecdsa-sig-03.json", OCV_OK},
        {"sign1/ecdsa-examples/ecdsa-sig-04.json", OCV_ALG_NOT_ALLOWED}, /* ES512 on P-256 */
        {"sign1/eddsa-examples/eddsa-sig-01.json", OCV_OK},
        {"sign1/eddsa-examples/eddsa-sig-02.json", OCV_ALG_NOT_ALLOWED}, /* Ed448 */
        {"sign1/sign1-tests/sign-pass-01.json", OCV_ALG_NOT_ALLOWED},    /* alg unprotected */
        {"sign1/sign1-tests/sign-pass-02.json", OCV_SIGNATURE_INVALID},  /* needs an AAD */
        {"sign1/sign1-tests/sign-pass-03.json", OCV_OK},                 /* untagged */
        {"sign1/sign1-tests/sign-fail-01.json", OCV_UNSUPPORTED_FORMAT}, /* tag 998 */
        {"sign1/sign1-tests/sign-fail-02.json", OCV_SIGNATURE_INVALID},
        {"sign1/sign1-tests/sign-fail-03.json", OCV_ALG_NOT_ALLOWED},
        {"sign1/sign1-tests/sign-fail-04.json", OCV_ALG_NOT_ALLOWED},
        {"sign1/sign1-tests/sign-fail-06.json", OCV_SIGNATURE_INVALID},
        {"sign1/sign1-tests/sign-fail-07.json", OCV_SIGNATURE_INVALID},
        {"cose_sign/ecdsa-examples/ecdsa-01.json", OCV_UNSUPPORTED_FORMAT},
        {"cose_sign/RFC8152/Appendix_C_1_1.json", OCV_UNSUPPORTED_FORMAT},
        {"cose_sign/rsa-pss-examples/rsa-pss-01.json", OCV_UNSUPPORTED_FORMAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_reason r = verify_example(cases[i].file);
        if (r != cases[i].want)
            fail_msg("%s: %s, want %s", cases[i].file, ocv_reason_name(r),
                     ocv_reason_name(cases[i].want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(hostile_shapes),
        cmocka_unit_test(cose_wg_examples),
    };
    return cmocka_run_group_tests_name("cose_sign1", tests, NULL, NULL);
}
