/*
 * testutil.h - shared helpers for the cmocka unit tests.
 */
#ifndef OCV_TESTS_TESTUTIL_H
#define OCV_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "ocv.h"
#include "revocation/store.h"

/* Compares reasons by name so a failure prints "EXPIRED != OK". */
#define assert_reason(got, want) \
    assert_string_equal(ocv_reason_name(got), ocv_reason_name(want))

/* Path of a file of the test PKI ($OCV_FIXTURES/pki/NAME). */
const char *test_fixture_path(const char *name);

/* Reads a fixture file; fails the test when it cannot. */
void test_fixture_read(const char *name, ocv_bytes *out);

/* The state digest an authority signs for these entries (the LtHash of
 * their elements); fails the test on an error. */
void test_state_digest(const ocv_entry *entries, size_t n, uint8_t out[32]);

/* Strings every JSON text writer is held to jansson on: escapes, control
 * bytes, UTF-8 at its edges, and bytes that are not UTF-8. */
extern const char *const TEST_HOSTILE_TEXTS[];
extern const size_t TEST_HOSTILE_TEXT_COUNT;

#endif
