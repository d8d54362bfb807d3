/* test_digest.c - LtHash16: the homomorphic properties the store relies on. */
#include <string.h>

#include "base/util.h"
#include "revocation/digest.h"
#include "testutil.h"

static void digest_of(const ocv_lthash *h, uint8_t out[32])
{
    assert_reason(ocv_lthash_digest(h, out), OCV_OK);
}

static void order_does_not_matter(void **state)
{
    (void)state;
    ocv_lthash ab, ba;
    ocv_lthash_init(&ab);
    ocv_lthash_init(&ba);
    assert_reason(ocv_lthash_add(&ab, (const uint8_t *)"a", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&ab, (const uint8_t *)"b", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&ba, (const uint8_t *)"b", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&ba, (const uint8_t *)"a", 1), OCV_OK);
    uint8_t d1[32], d2[32];
    digest_of(&ab, d1);
    digest_of(&ba, d2);
    assert_memory_equal(d1, d2, 32);
}

static void remove_undoes_add(void **state)
{
    (void)state;
    ocv_lthash h, empty;
    ocv_lthash_init(&h);
    ocv_lthash_init(&empty);
    assert_reason(ocv_lthash_add(&h, (const uint8_t *)"x", 1), OCV_OK);
    assert_memory_not_equal(&h, &empty, sizeof(h));
    assert_reason(ocv_lthash_remove(&h, (const uint8_t *)"x", 1), OCV_OK);
    assert_memory_equal(&h, &empty, sizeof(h));
}

static void different_sets_differ(void **state)
{
    (void)state;
    ocv_lthash a, b;
    ocv_lthash_init(&a);
    ocv_lthash_init(&b);
    assert_reason(ocv_lthash_add(&a, (const uint8_t *)"ab", 2), OCV_OK);
    assert_reason(ocv_lthash_add(&b, (const uint8_t *)"ba", 2), OCV_OK);
    uint8_t d1[32], d2[32];
    digest_of(&a, d1);
    digest_of(&b, d2);
    assert_memory_not_equal(d1, d2, 32);
    /* a multiset: adding twice is not adding once */
    ocv_lthash once, twice;
    ocv_lthash_init(&once);
    ocv_lthash_init(&twice);
    assert_reason(ocv_lthash_add(&once, (const uint8_t *)"e", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&twice, (const uint8_t *)"e", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&twice, (const uint8_t *)"e", 1), OCV_OK);
    assert_memory_not_equal(&once, &twice, sizeof(once));
}

static void combine_is_union(void **state)
{
    (void)state;
    ocv_lthash a, b, all;
    ocv_lthash_init(&a);
    ocv_lthash_init(&b);
    ocv_lthash_init(&all);
    assert_reason(ocv_lthash_add(&a, (const uint8_t *)"1", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&b, (const uint8_t *)"2", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&all, (const uint8_t *)"2", 1), OCV_OK);
    assert_reason(ocv_lthash_add(&all, (const uint8_t *)"1", 1), OCV_OK);
    ocv_lthash_combine(&a, &b);
    assert_memory_equal(&a, &all, sizeof(a));
}

static void serialisation_round_trip(void **state)
{
    (void)state;
    ocv_lthash h, back;
    ocv_lthash_init(&h);
    assert_reason(ocv_lthash_add(&h, (const uint8_t *)"round", 5), OCV_OK);
    uint8_t bytes[OCV_LTHASH_BYTES];
    ocv_lthash_serialize(&h, bytes);
    ocv_lthash_deserialize(&back, bytes);
    assert_memory_equal(&h, &back, sizeof(h));
}

/* The digest is a wire format between authority and devices: these two
 * values pin it, so an accidental change of the construction fails here
 * rather than in the field. */
static void digest_is_stable(void **state)
{
    (void)state;
    ocv_lthash h;
    ocv_lthash_init(&h);
    uint8_t d[32];
    char hex[65];
    digest_of(&h, d);
    ocv_hex_encode(d, 32, hex);
    /* SHA-256 of 2048 zero bytes */
    assert_string_equal(hex, "e5a00aa9991ac8a5ee3109844d84a55583bd20572ad3ffcd42792f3c36b183ad");
    /* {"ocv"}: pins the element expansion (BLAKE2b seed, ChaCha20) */
    assert_reason(ocv_lthash_add(&h, (const uint8_t *)"ocv", 3), OCV_OK);
    digest_of(&h, d);
    ocv_hex_encode(d, 32, hex);
    assert_string_equal(hex, "58e951a4d4ab6f1f4034f6cb292906908ff18de0f1fb1d9ede25cbdff1cdb2c6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_does_not_matter),    cmocka_unit_test(remove_undoes_add),
        cmocka_unit_test(different_sets_differ),    cmocka_unit_test(combine_is_union),
        cmocka_unit_test(serialisation_round_trip), cmocka_unit_test(digest_is_stable),
    };
    return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
