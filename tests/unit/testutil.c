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
