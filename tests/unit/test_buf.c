/* test_buf.c - owned buffers, the bounded reader, bounded file reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "testutil.h"

static void reader_reads_and_finishes(void **state)
{
    (void)state;
    const uint8_t data[] = {1, 2, 3, 4, 5};
    ocv_reader r;
    ocv_reader_init(&r, data, sizeof(data));
    assert_int_equal(ocv_reader_u8(&r), 1);
    ocv_reader child = ocv_reader_sub(&r, 3);
    assert_int_equal(ocv_reader_remaining(&child), 3);
    assert_non_null(ocv_reader_take(&child, 3));
    assert_int_equal(ocv_reader_finish(&child), 0);
    assert_int_equal(ocv_reader_remaining(&r), 1);
    assert_int_not_equal(ocv_reader_finish(&r), 0); /* one byte left */
    assert_int_equal(ocv_reader_u8(&r), 5);
    assert_int_equal(ocv_reader_finish(&r), 0);
}

static void reader_error_is_sticky(void **state)
{
    (void)state;
    const uint8_t data[] = {9, 8};
    ocv_reader r;
    ocv_reader_init(&r, data, sizeof(data));
    assert_null(ocv_reader_take(&r, 3));
    assert_int_equal(ocv_reader_u8(&r), 0); /* no move after an error */
    assert_int_equal(ocv_reader_remaining(&r), 0);
    assert_int_not_equal(ocv_reader_finish(&r), 0);
    ocv_reader child = ocv_reader_sub(&r, 1);
    assert_int_not_equal(ocv_reader_finish(&child), 0);
    ocv_reader_init(&r, data, sizeof(data));
    assert_null(ocv_reader_take(&r, SIZE_MAX)); /* no overflow */
}

static char *temp_file(const char *content, size_t len)
{
    char *path = strdup("/tmp/ocv-test-buf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static void file_read_limits(void **state)
{
    (void)state;
    char *path = temp_file("0123456789", 10);
    ocv_bytes b;
    char err[256];
    assert_reason(ocv_file_read(path, 10, &b, err, sizeof(err)), OCV_OK);
    assert_int_equal(b.len, 10);
    assert_int_equal(b.data[10], 0); /* NUL-terminated */
    ocv_bytes_free(&b);
    assert_null(b.data);
    ocv_bytes_free(&b); /* free is idempotent */
    assert_reason(ocv_file_read(path, 9, &b, err, sizeof(err)), OCV_TOO_LARGE);
    assert_null(b.data);
    assert_non_null(strstr(err, "limit"));
    unlink(path);
    free(path);
    assert_reason(ocv_file_read("/nonexistent/ocv", 10, &b, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "/nonexistent/ocv"));
    assert_reason(ocv_file_read("", 10, &b, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_file_read(NULL, 10, &b, err, sizeof(err)), OCV_CONFIG_INVALID);
}

static void file_read_large_growth(void **state)
{
    (void)state;
    size_t n = 300000;
    char *big = malloc(n);
    memset(big, 'x', n);
    char *path = temp_file(big, n);
    ocv_bytes b;
    assert_reason(ocv_file_read(path, n, &b, NULL, 0), OCV_OK);
    assert_int_equal(b.len, n);
    ocv_bytes_free(&b);
    assert_reason(ocv_file_read(path, 4096, &b, NULL, 0), OCV_TOO_LARGE);
    unlink(path);
    free(path);
    free(big);
}

static void bytes_copy(void **state)
{
    (void)state;
    ocv_bytes b;
    assert_reason(ocv_bytes_copy(&b, "abc", 3), OCV_OK);
    assert_int_equal(b.len, 3);
    assert_string_equal((char *)b.data, "abc");
    ocv_bytes_free(&b);
    assert_reason(ocv_bytes_copy(&b, NULL, 0), OCV_OK);
    assert_int_equal(b.len, 0);
    ocv_bytes_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_reads_and_finishes),
        cmocka_unit_test(reader_error_is_sticky),
        cmocka_unit_test(file_read_limits),
        cmocka_unit_test(file_read_large_growth),
        cmocka_unit_test(bytes_copy),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
