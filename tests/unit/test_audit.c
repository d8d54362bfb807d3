/* test_audit.c - the hash-chained audit log: append, verify, tampering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decision/audit.h"
#include "testutil.h"

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/ocv-audit-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void append_n(int n)
{
    for (int i = 0; i < n; i++) {
        json_t *f = json_pack("{s:s, s:i}", "bundle", "b.cose", "sequence", i + 1);
        char err[256] = "";
        assert_reason(ocv_audit_append(path, "bundle", 1800000000 + i, f, err, sizeof(err)),
                      OCV_OK);
        json_decref(f);
    }
}

static char *slurp(void)
{
    ocv_bytes b;
    assert_reason(ocv_file_read(path, 1 << 20, &b, NULL, 0), OCV_OK);
    return (char *)b.data;
}

static void spit(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static ocv_reason verify(size_t *n, char *err, size_t len)
{
    return ocv_audit_verify(path, n, err, len);
}

static void chain_verifies(void **state)
{
    (void)state;
    append_n(5);
    size_t n = 0;
    char err[256] = "";
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, 5);
    char *text = slurp();
    assert_non_null(strstr(text, "\"seq\":5"));
    assert_non_null(strstr(text, "\"event\":\"bundle\""));
    free(text);
}

static void edits_are_found(void **state)
{
    (void)state;
    append_n(4);
    char *orig = slurp();
    size_t n;
    char err[256];
    /* an edited field */
    char *edited = strdup(orig);
    char *p = strstr(edited, "\"sequence\":2");
    p[11] = '9';
    spit(edited);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":2:"));
    /* a removed record */
    char *second = strchr(orig, '\n') + 1;
    char *third = strchr(second, '\n') + 1;
    char removed[8192];
    snprintf(removed, sizeof(removed), "%.*s%s", (int)(second - orig), orig, third);
    spit(removed);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    /* reordered records */
    char swapped[8192];
    snprintf(swapped, sizeof(swapped), "%.*s%.*s%s", (int)(third - second), second,
             (int)(second - orig), orig, third);
    spit(swapped);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":1:"));
    /* a torn last line: verify says so and append refuses to chain on it */
    orig[strlen(orig) - 5] = 0;
    spit(orig);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    assert_reason(ocv_audit_append(path, "x", 1, NULL, err, sizeof(err)), OCV_INTERNAL_ERROR);
    free(edited);
    free(orig);
}

static void unwritable(void **state)
{
    (void)state;
    char err[256] = "";
    assert_reason(ocv_audit_append("/nonexistent/dir/audit.log", "x", 1, NULL, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    size_t n;
    assert_reason(ocv_audit_verify("/nonexistent/audit.log", &n, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(edits_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
