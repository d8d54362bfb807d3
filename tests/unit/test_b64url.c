/* test_b64url.c - strict base64url: RFC 4648 test strings, every rejection. */
#include <string.h>

#include "base/b64url.h"
#include "testutil.h"

static void rfc4648_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *plain, *encoded;
    } v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ocv_bytes e, d;
        assert_reason(ocv_b64url_encode((const uint8_t *)v[i].plain, strlen(v[i].plain), &e),
                      OCV_OK);
        assert_string_equal((char *)e.data, v[i].encoded);
        assert_reason(ocv_b64url_decode_alloc(v[i].encoded, strlen(v[i].encoded), &d), OCV_OK);
        assert_int_equal(d.len, strlen(v[i].plain));
        assert_memory_equal(d.data, v[i].plain, d.len);
        ocv_bytes_free(&e);
        ocv_bytes_free(&d);
    }
    /* the URL-safe characters */
    uint8_t raw[3] = {0xfb, 0xff, 0xbf};
    ocv_bytes e;
    assert_reason(ocv_b64url_encode(raw, 3, &e), OCV_OK);
    assert_string_equal((char *)e.data, "-_-_");
    ocv_bytes_free(&e);
}

static void rejections(void **state)
{
    (void)state;
    const char *bad[] = {"Zg==", "Zg=", "Z",   "Zm9v\n", " Zm9v", "Zm+v",
                         "Zm/v", "Zh",  "Zm9", "Zm:v",   "Zm9vYh"};
    /* "Zh" and "Zm9" and "Zm9vYh" carry non-zero unused bits: second encodings */
    uint8_t out[16];
    size_t n;
    assert_int_equal(ocv_b64url_decode("Zm8", 3, out, sizeof(out), &n), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ocv_b64url_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) == 0)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_int_not_equal(ocv_b64url_decode("Zm9vYmFy", 8, out, 5, &n), 0); /* no room */
    ocv_bytes d;
    assert_reason(ocv_b64url_decode_alloc("Zg=", 3, &d), OCV_MALFORMED);
    assert_null(d.data);
}

static void spans(void **state)
{
    (void)state;
    assert_int_equal(ocv_b64url_span((const uint8_t *)"abc.def", 7), 3);
    assert_int_equal(ocv_b64url_span((const uint8_t *)"", 0), 0);
    assert_int_equal(ocv_b64url_span((const uint8_t *)"a=b", 3), 1);
    assert_int_equal(ocv_b64url_span((const uint8_t *)"-_09azAZ", 8), 8);
    assert_int_equal(ocv_b64url_span((const uint8_t *)"+", 1), 0);
}

static ocv_reason pem(const char *text, ocv_bytes *out)
{
    return ocv_b64_pem_body_decode((const uint8_t *)text, strlen(text), out);
}

/* The PEM body decoder: RFC 4648 §10 vectors in the standard alphabet,
 * with the line breaks and padding PEM writers use, and everything a
 * hostile block could hold refused. */
static void pem_bodies(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } good[] = {
        {"", ""},
        {"Zg==", "f"},
        {"Zm8=", "fo"},
        {"Zm9v", "foo"},
        {"Zm9vYg==", "foob"},
        {"Zm9vYmE=\n", "fooba"},
        {"Zm9v\r\nYmFy\r\n", "foobar"},
        {" Zm9v\tYmFy ", "foobar"},
        {"+/+/", "\xfb\xff\xbf"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ocv_bytes out;
        assert_reason(pem(good[i].in, &out), OCV_OK);
        assert_int_equal(out.len, strlen(good[i].out));
        assert_memory_equal(out.data, good[i].out, out.len);
        ocv_bytes_free(&out);
    }
    static const char *const bad[] = {
        "Zg",                     /* no padding */
        "Zg=",                    /* short padding */
        "Zg===",                  /* long padding */
        "Zm9v=",                  /* padding after a whole quantum */
        "Zg==Zg==",               /* data after the padding */
        "Z",                      /* one character left over */
        "-_-_",                   /* base64url, not base64 */
        "Proc-Type: 4,ENCRYPTED", /* an encrypted-PEM header */
        "Zm9v\x00YmFy",           /* a NUL is not whitespace */
        "Zm9v.YmFy",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ocv_bytes out;
        size_t len = i == 8 ? 9 : strlen(bad[i]);
        assert_reason(ocv_b64_pem_body_decode((const uint8_t *)bad[i], len, &out), OCV_MALFORMED);
        assert_null(out.data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(rejections),
        cmocka_unit_test(spans),
        cmocka_unit_test(pem_bodies),
    };
    return cmocka_run_group_tests_name("b64url", tests, NULL, NULL);
}
