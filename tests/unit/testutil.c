#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "revocation/digest.h"

const char *test_fixture_path(const char *name)
{
    static _Thread_local char path[1024];
    const char *root = getenv("OCV_FIXTURES");
    if (root == NULL) {
        fail_msg("OCV_FIXTURES is not set: run the tests with 'make test'");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/pki/%s", root, name);
    return path;
}

void test_fixture_read(const char *name, ocv_bytes *out)
{
    char err[256] = "";
    ocv_reason r =
        ocv_file_read(test_fixture_path(name), 64u * 1024u * 1024u, out, err, sizeof(err));
    if (r != OCV_OK)
        fail_msg("fixture %s: %s", name, err);
}

void test_state_digest(const ocv_entry *entries, size_t n, uint8_t out[32])
{
    ocv_lthash h;
    ocv_lthash_init(&h);
    for (size_t i = 0; i < n; i++) {
        ocv_bytes el;
        assert_reason(ocv_store_entry_element(&entries[i], &el), OCV_OK);
        assert_reason(ocv_lthash_add(&h, el.data, el.len), OCV_OK);
        ocv_bytes_free(&el);
    }
    assert_reason(ocv_lthash_digest(&h, out), OCV_OK);
}

const char *const TEST_HOSTILE_TEXTS[] = {
    "",
    "plain",
    "quote \" backslash \\ slash / del \x7f",
    "\b\f\n\r\t\x01\x1f",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf",
    "\xed\xa0\x80",              /* a surrogate, encoded */
    "\xed\x9f\xbf \xee\x80\x80", /* U+D7FF and U+E000: just outside the surrogates */
    "\xc0\xaf",                  /* overlong '/' */
    "\xe0\x80\xaf",              /* overlong, 3 bytes */
    "\xe0\x9f\xbf",              /* overlong U+07FF, at the edge */
    "\xe0\xa0\x80",              /* U+0800, the first 3-byte one */
    "\xf0\x80\x80\xaf",          /* overlong, 4 bytes */
    "\xf0\x8f\xbf\xbf",          /* overlong U+FFFF, at the edge */
    "\xf0\x90\x80\x80",          /* U+10000, the first 4-byte one */
    "\xf4\x90\x80\x80",          /* above U+10FFFF */
    "\x80",                      /* a stray continuation byte */
    "\xc3",                      /* cut short */
    "\xe2\x82",                  /* cut short */
    "ok then \xff",              /* never UTF-8 */
    "x\xff",
    "spiffe://example.org/ns/a/sa/web",
};
const size_t TEST_HOSTILE_TEXT_COUNT = sizeof(TEST_HOSTILE_TEXTS) / sizeof(TEST_HOSTILE_TEXTS[0]);
