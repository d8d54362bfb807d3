#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

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
