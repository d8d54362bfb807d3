/* test_receipt.c - sync receipts: create and verify, issued_at, nonce,
 * audit head, old (7-key) receipts, malformed extras, the wrong key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cbor_stream.h"
#include "revocation/receipt.h"
#include "revocation/store.h"
#include "testutil.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

static char path[64];
static ocv_store *store;
static ocv_pkey device, other;

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/ocv-receipt-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char err[256];
    if (ocv_store_open(path, 1, &store, err, sizeof(err)) != OCV_OK ||
        ocv_store_begin(store) != OCV_OK ||
        ocv_store_add_authority(store, "acme", (const uint8_t *)"KEY1", 4) != OCV_OK ||
        ocv_store_commit(store) != OCV_OK)
        return -1;
    if (ocv_pkey_generate(OCV_KEY_ED25519, 0, &device) != OCV_OK ||
        ocv_pkey_generate(OCV_KEY_EC_P256, 0, &other) != OCV_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ocv_store_close(store);
    ocv_pkey_free(&device);
    ocv_pkey_free(&other);
    char p[80];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    return 0;
}

static void plain_receipt_round_trip(void **state)
{
    (void)state;
    ocv_bytes out;
    assert_reason(ocv_receipt_create(store, "acme", "edge-7", &device, 1800000000, NULL, &out),
                  OCV_OK);
    ocv_receipt rc;
    char detail[128] = "";
    assert_reason(ocv_receipt_verify(out.data, out.len, &device, &rc, detail, sizeof(detail)),
                  OCV_OK);
    assert_int_equal(rc.issued_at, 1800000000);
    assert_int_equal(rc.device_id_len, 6);
    assert_memory_equal(rc.authority, "acme", 4);
    assert_null(rc.nonce);
    assert_int_equal(rc.has_audit_head, 0);
    ocv_bytes_free(&out);
}

static void extras_round_trip(void **state)
{
    (void)state;
    ocv_receipt_extras x;
    memset(&x, 0, sizeof(x));
    x.nonce = "n-0451";
    x.has_audit_head = 1;
    x.audit_count = 42;
    memset(x.audit_head, 0xab, sizeof(x.audit_head));
    ocv_bytes out;
    assert_reason(ocv_receipt_create(store, "acme", "edge-7", &device, 1800000000, &x, &out),
                  OCV_OK);
    ocv_receipt rc;
    char detail[128] = "";
    assert_reason(ocv_receipt_verify(out.data, out.len, &device, &rc, detail, sizeof(detail)),
                  OCV_OK);
    assert_int_equal(rc.nonce_len, 6);
    assert_memory_equal(rc.nonce, "n-0451", 6);
    assert_int_equal(rc.has_audit_head, 1);
    assert_int_equal(rc.audit_count, 42);
    assert_memory_equal(rc.audit_head, x.audit_head, 32);
    /* the wrong key, of another type or the same: SIGNATURE_INVALID */
    assert_reason(ocv_receipt_verify(out.data, out.len, &other, &rc, detail, sizeof(detail)),
                  OCV_SIGNATURE_INVALID);
    assert_string_equal(detail, "the receipt's signature does not verify with this key");
    ocv_pkey again;
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &again), OCV_OK);
    assert_reason(ocv_receipt_verify(out.data, out.len, &again, &rc, detail, sizeof(detail)),
                  OCV_SIGNATURE_INVALID);
    ocv_pkey_free(&again);
    ocv_bytes_free(&out);
    /* a nonce out of bounds is refused at creation */
    char big[OCV_MAX_RECEIPT_NONCE_BYTES + 2];
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    x.nonce = big;
    assert_reason(ocv_receipt_create(store, "acme", "edge-7", &device, 1, &x, &out), OCV_MALFORMED);
    x.nonce = "";
    assert_reason(ocv_receipt_create(store, "acme", "edge-7", &device, 1, &x, &out), OCV_MALFORMED);
}

/* Signs a hand-made payload: keys 1..7 and then `extra` raw CBOR pairs. */
static void sign_payload(uint64_t pairs, const uint8_t *extra, size_t extra_len, ocv_bytes *out)
{
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_map(&w, 7 + pairs);
    ocv_cbor_out_uint(&w, 1);
    ocv_cbor_out_text(&w, "edge-7", 6);
    ocv_cbor_out_uint(&w, 2);
    ocv_cbor_out_text(&w, "acme", 4);
    for (uint64_t k = 3; k <= 7; k++) {
        ocv_cbor_out_uint(&w, k);
        if (k == 4) {
            uint8_t d[32] = {0};
            ocv_cbor_out_bytes(&w, d, sizeof(d));
        } else {
            ocv_cbor_out_uint(&w, 5);
        }
    }
    ocv_cbor_out_raw(&w, extra, extra_len);
    ocv_bytes payload;
    assert_reason(ocv_cbor_out_finish(&w, &payload), OCV_OK);
    assert_reason(ocv_sign1_create(ocv_alg_for_key(&device), &device, (const uint8_t *)"edge-7", 6,
                                   payload.data, payload.len, out),
                  OCV_OK);
    ocv_bytes_free(&payload);
}

static void malformed_extras(void **state)
{
    (void)state;
    static const struct {
        uint64_t pairs;
        uint8_t bytes[40];
        size_t len;
        ocv_reason want;
    } cases[] = {
        {0, {0}, 0, OCV_OK},                                       /* the old 7-key receipt */
        {1, {0x08, 0x61, 'n'}, 3, OCV_OK},                         /* nonce only */
        {1, {0x09, 0x05}, 2, OCV_MALFORMED},                       /* count without head */
        {1, {0x0a, 0x41, 0x00}, 3, OCV_MALFORMED},                 /* short head, no count */
        {1, {0x08, 0x60}, 2, OCV_MALFORMED},                       /* empty nonce */
        {1, {0x0b, 0x00}, 2, OCV_MALFORMED},                       /* unknown key 11 */
        {2, {0x08, 0x61, 'n', 0x08, 0x61, 'm'}, 6, OCV_MALFORMED}, /* duplicate key */
        {1, {0x07, 0x00}, 2, OCV_MALFORMED},                       /* key 7 again */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_bytes cose;
        sign_payload(cases[i].pairs, cases[i].bytes, cases[i].len, &cose);
        ocv_receipt rc;
        char detail[128] = "";
        assert_reason(ocv_receipt_verify(cose.data, cose.len, &device, &rc, detail, sizeof(detail)),
                      cases[i].want);
        ocv_bytes_free(&cose);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(plain_receipt_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(extras_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_extras, setup, teardown),
    };
    return cmocka_run_group_tests_name("receipt", tests, NULL, NULL);
}
