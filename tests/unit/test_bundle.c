/* test_bundle.c - the bundle payload codec: round trip and hostile input. */
#include <stdlib.h>
#include <string.h>

#include "base/cbor_stream.h"
#include "revocation/bundle.h"
#include "testutil.h"

static ocv_entry entry(ocv_entry_type type, const char *issuer, const char *value, int64_t before)
{
    ocv_entry e = {type, issuer, strlen(issuer), value, strlen(value), before, 0};
    return e;
}

static void sample(ocv_bundle *b, ocv_entry *added, size_t n)
{
    ocv_bundle_init(b);
    b->authority = "auth-1";
    b->authority_len = 6;
    b->sequence = 7;
    b->issued_at = 1800000000;
    b->next_update = 1800086400;
    b->kind = OCV_BUNDLE_FULL;
    b->added = added;
    b->added_count = n;
    memset(b->state_digest, 0xab, 32);
}

static void round_trip(void **state)
{
    (void)state;
    ocv_entry added[] = {
        entry(OCV_ENTRY_JTI, "https://issuer.example", "abc", 0),
        entry(OCV_ENTRY_SERIAL, "00000000000000000000000000000000000000000000000000000000000000ff",
              "0badc0de", 0),
        entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/a", 0),
        entry(OCV_ENTRY_SUBJECT_BEFORE, "", "spiffe://example.org/b", 1700000000),
        entry(OCV_ENTRY_KEY, "", "1111111111111111111111111111111111111111111111111111111111111111",
              0),
    };
    ocv_bundle b;
    sample(&b, added, 5);
    ocv_bytes enc;
    assert_reason(ocv_bundle_encode(&b, &enc), OCV_OK);
    ocv_bundle back;
    char detail[256] = "";
    assert_reason(ocv_bundle_decode(enc.data, enc.len, &back, detail, sizeof(detail)), OCV_OK);
    assert_int_equal(back.sequence, 7);
    assert_int_equal(back.issued_at, 1800000000);
    assert_int_equal(back.kind, OCV_BUNDLE_FULL);
    assert_int_equal(back.added_count, 5);
    assert_int_equal(back.removed_count, 0);
    assert_memory_equal(back.authority, "auth-1", 6);
    assert_int_equal(back.added[3].type, OCV_ENTRY_SUBJECT_BEFORE);
    assert_int_equal(back.added[3].before, 1700000000);
    assert_memory_equal(back.added[0].value, "abc", 3);
    assert_null(back.new_key);
    ocv_bundle_free(&back);
    ocv_bytes_free(&enc);
}

static ocv_reason decode_bytes(const uint8_t *p, size_t n)
{
    ocv_bundle b;
    char detail[256];
    ocv_reason r = ocv_bundle_decode(p, n, &b, detail, sizeof(detail));
    ocv_bundle_free(&b);
    return r;
}

/* Every truncation and every single-byte corruption is refused or, when
 * the corrupted bytes still spell a valid bundle, decoded: never a crash. */
static void hostile_bytes(void **state)
{
    (void)state;
    ocv_entry added[] = {entry(OCV_ENTRY_JTI, "https://i", "x", 0)};
    ocv_bundle b;
    sample(&b, added, 1);
    ocv_bytes enc;
    assert_reason(ocv_bundle_encode(&b, &enc), OCV_OK);
    for (size_t n = 0; n < enc.len; n++)
        assert_reason(decode_bytes(enc.data, n), OCV_BUNDLE_MALFORMED);
    for (size_t i = 0; i < enc.len; i++) {
        uint8_t saved = enc.data[i];
        for (int bit = 0; bit < 8; bit++) {
            enc.data[i] = (uint8_t)(saved ^ (1u << bit));
            ocv_reason r = decode_bytes(enc.data, enc.len);
            assert_true(r == OCV_OK || r == OCV_BUNDLE_MALFORMED);
        }
        enc.data[i] = saved;
    }
    /* trailing byte */
    uint8_t *longer = malloc(enc.len + 1);
    memcpy(longer, enc.data, enc.len);
    longer[enc.len] = 0;
    assert_reason(decode_bytes(longer, enc.len + 1), OCV_BUNDLE_MALFORMED);
    free(longer);
    ocv_bytes_free(&enc);
}

static ocv_reason decode_built(void (*build)(ocv_cbor_out *))
{
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    build(&w);
    ocv_bytes enc;
    assert_reason(ocv_cbor_out_finish(&w, &enc), OCV_OK);
    ocv_reason r = decode_bytes(enc.data, enc.len);
    ocv_bytes_free(&enc);
    return r;
}

static void build_huge_count(ocv_cbor_out *w)
{
    static const uint8_t digest[32];
    ocv_cbor_out_map(w, 10);
    ocv_cbor_out_uint(w, 1);
    ocv_cbor_out_text(w, "a", 1);
    ocv_cbor_out_uint(w, 2);
    ocv_cbor_out_uint(w, 1);
    ocv_cbor_out_uint(w, 3);
    ocv_cbor_out_uint(w, 10);
    ocv_cbor_out_uint(w, 4);
    ocv_cbor_out_uint(w, 20);
    ocv_cbor_out_uint(w, 5);
    ocv_cbor_out_uint(w, 0);
    ocv_cbor_out_uint(w, 6);
    ocv_cbor_out_uint(w, 0);
    ocv_cbor_out_uint(w, 7);
    ocv_cbor_out_bytes(w, digest, 32);
    ocv_cbor_out_uint(w, 8);
    ocv_cbor_out_array(w, 4000000000u); /* claims 4e9 entries, holds none */
}

static void build_nothing(ocv_cbor_out *w)
{
    (void)w;
}

static void hostile_structure(void **state)
{
    (void)state;
    assert_reason(decode_built(build_huge_count), OCV_BUNDLE_MALFORMED);
    assert_reason(decode_built(build_nothing), OCV_BUNDLE_MALFORMED); /* empty payload */
    static const uint8_t indefinite_map[] = {0xbf, 0x01, 0x61, 0x61, 0xff};
    assert_reason(decode_bytes(indefinite_map, sizeof(indefinite_map)), OCV_BUNDLE_MALFORMED);
    static const uint8_t float_key[] = {0xaa, 0xf9, 0x3c, 0x00};
    assert_reason(decode_bytes(float_key, sizeof(float_key)), OCV_BUNDLE_MALFORMED);
    assert_reason(decode_bytes(NULL, 0), OCV_BUNDLE_MALFORMED);
}

static void semantic_rules(void **state)
{
    (void)state;
    ocv_entry bad_before[] = {entry(OCV_ENTRY_SUBJECT, "", "spiffe://x/y", 5)};
    ocv_entry no_issuer[] = {entry(OCV_ENTRY_JTI, "", "x", 0)};
    ocv_entry ctrl[] = {entry(OCV_ENTRY_SUBJECT, "", "a\nb", 0)};
    /* could never match: identities other than SPIFFE IDs are kept in lower case */
    ocv_entry upper_dns[] = {entry(OCV_ENTRY_SUBJECT, "", "Web.example.com", 0)};
    ocv_entry upper_before[] = {entry(OCV_ENTRY_SUBJECT_BEFORE, "", "CN=Web", 5)};
    ocv_entry *cases[] = {bad_before, no_issuer, ctrl, upper_dns, upper_before};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_bundle b;
        sample(&b, cases[i], 1);
        ocv_bytes enc;
        assert_reason(ocv_bundle_encode(&b, &enc), OCV_OK);
        assert_reason(decode_bytes(enc.data, enc.len), OCV_BUNDLE_MALFORMED);
        ocv_bytes_free(&enc);
    }
    ocv_bundle b;
    sample(&b, NULL, 0);
    b.next_update = b.issued_at; /* next_update must be after issued_at */
    ocv_bytes enc;
    assert_reason(ocv_bundle_encode(&b, &enc), OCV_OK);
    assert_reason(decode_bytes(enc.data, enc.len), OCV_BUNDLE_MALFORMED);
    ocv_bytes_free(&enc);
    sample(&b, NULL, 0);
    b.kind = OCV_BUNDLE_DELTA;
    b.base_sequence = 7; /* not below the sequence */
    assert_reason(ocv_bundle_encode(&b, &enc), OCV_OK);
    assert_reason(decode_bytes(enc.data, enc.len), OCV_BUNDLE_MALFORMED);
    ocv_bytes_free(&enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(hostile_bytes),
        cmocka_unit_test(hostile_structure),
        cmocka_unit_test(semantic_rules),
    };
    return cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
}
