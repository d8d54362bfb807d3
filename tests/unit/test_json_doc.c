/* test_json_doc.c - strict JSON with positions: finding values again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_doc.h"
#include "base/limits.h"
#include "testutil.h"

static void parse(ocv_json_doc *doc, const char *text)
{
    char err[256] = "";
    ocv_reason r = ocv_json_doc_parse(doc, "t.json", (const uint8_t *)text, strlen(text), 4096,
                                      1000, err, sizeof(err));
    if (r != OCV_OK)
        fail_msg("%s: %s", text, err);
}

/* "LINE:COL" of a place. */
static const char *where(const ocv_json_doc *doc, const ocv_json_at *at)
{
    static char out[32];
    ocv_json_pos pos = ocv_json_doc_position(doc, ocv_json_doc_offset(doc, at));
    snprintf(out, sizeof(out), "%lu:%lu", pos.line, pos.column);
    return out;
}

static void paths_find_values(void **state)
{
    (void)state;
    ocv_json_doc doc;
    /* strings holding quotes, backslashes, brackets and commas must not
     * confuse the scan */
    parse(&doc, "{\"a\\\"]\": \"x,}]\\\\\",\n"
                " \"b\": [1, {\"c\": [true, null]}, \"[\\\"\"],\n"
                "  \"d\" :  -1.5e3 ,\"\xc3\xa9\": {}}");
    ocv_json_at root = ocv_json_doc_root(&doc);
    assert_string_equal(where(&doc, &root), "1:1");
    ocv_json_at a = {&root, 0, 0, 0}, a_key = {&root, 0, 1, 0};
    assert_string_equal(where(&doc, &a), "1:10");
    assert_string_equal(where(&doc, &a_key), "1:2");
    ocv_json_at b = {&root, 1, 0, 0};
    assert_string_equal(where(&doc, &b), "2:7");
    ocv_json_at b1 = {&b, 1, 0, 0}, b2 = {&b, 2, 0, 0};
    assert_string_equal(where(&doc, &b1), "2:11");
    assert_string_equal(where(&doc, &b2), "2:32");
    ocv_json_at c = {&b1, 0, 0, 0};
    ocv_json_at c1 = {&c, 1, 0, 0};
    assert_string_equal(where(&doc, &c1), "2:24");
    ocv_json_at d = {&root, 2, 0, 0}, d_key = {&root, 2, 1, 0};
    assert_string_equal(where(&doc, &d), "3:10");
    assert_string_equal(where(&doc, &d_key), "3:3");
    /* columns count characters: "é" is two bytes, one column */
    ocv_json_at e = {&root, 3, 0, 0};
    assert_string_equal(where(&doc, &e), "3:23");
    /* a path that does not exist stops at the deepest place found */
    ocv_json_at missing = {&b, 7, 0, 0};
    assert_string_equal(where(&doc, &missing), "2:7");
    ocv_json_at into_scalar = {&d, 0, 0, 0};
    assert_string_equal(where(&doc, &into_scalar), "3:10");

    size_t offs[3];
    size_t b_off = ocv_json_doc_offset(&doc, &b);
    assert_int_equal(ocv_json_doc_elements(&doc, b_off, offs, 3), 0);
    ocv_json_pos pos[3];
    ocv_json_doc_positions(&doc, offs, 3, pos);
    assert_int_equal(pos[0].column, 8);
    assert_int_equal(pos[1].column, 11);
    assert_int_equal(pos[2].column, 32);
    assert_int_equal(ocv_json_doc_elements(&doc, b_off, offs, 4), -1);
    assert_int_equal(ocv_json_doc_elements(&doc, 0, offs, 1), -1); /* an object */

    char err[128];
    ocv_json_doc_errf(&doc, &c1, err, sizeof(err), "bad %s", "null");
    assert_string_equal(err, "t.json:2:24: bad null");
    ocv_json_doc_free(&doc);
    ocv_json_doc_free(&doc); /* reusable, free twice is fine */
    ocv_json_doc_free(NULL);
}

static void gates_before_the_parser(void **state)
{
    (void)state;
    ocv_json_doc doc;
    char err[256];
    /* exactly the limit, then one more */
    char deep[2 * OCV_MAX_JSON_DEPTH + 3] = "";
    memset(deep, '[', OCV_MAX_JSON_DEPTH);
    memset(deep + OCV_MAX_JSON_DEPTH, ']', OCV_MAX_JSON_DEPTH);
    assert_reason(ocv_json_doc_parse(&doc, "t", (const uint8_t *)deep, strlen(deep), 4096, 1000,
                                     err, sizeof(err)),
                  OCV_OK);
    ocv_json_doc_free(&doc);
    char deeper[2 * OCV_MAX_JSON_DEPTH + 3];
    snprintf(deeper, sizeof(deeper), "[%s]", deep);
    assert_reason(ocv_json_doc_parse(&doc, "t", (const uint8_t *)deeper, strlen(deeper), 4096, 1000,
                                     err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_string_equal(err, "t:1:33: nesting deeper than the limit (32)");
    assert_null(doc.root);

    /* values: member names do not count, every other value does */
    const char *six = "{\"a\": [1, \"x\", {\"k\": null}]}";
    assert_reason(
        ocv_json_doc_parse(&doc, "t", (const uint8_t *)six, strlen(six), 4096, 6, err, sizeof(err)),
        OCV_OK);
    ocv_json_doc_free(&doc);
    assert_reason(
        ocv_json_doc_parse(&doc, "t", (const uint8_t *)six, strlen(six), 4096, 5, err, sizeof(err)),
        OCV_CONFIG_INVALID);
    assert_string_equal(err, "t:1:22: more JSON values than the limit (5)");

    assert_reason(
        ocv_json_doc_parse(&doc, "t", (const uint8_t *)six, strlen(six), 10, 100, err, sizeof(err)),
        OCV_TOO_LARGE);
    const char *scalar = "\"just a string\"";
    assert_reason(ocv_json_doc_parse(&doc, "t", (const uint8_t *)scalar, strlen(scalar), 4096, 100,
                                     err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_reason(ocv_json_doc_load(&doc, "/nonexistent.json", 4096, 100, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "/nonexistent.json"));
    /* an unterminated string in the gate is left to jansson */
    const char *open = "{\"a\": \"[[[[";
    assert_reason(ocv_json_doc_parse(&doc, "t", (const uint8_t *)open, strlen(open), 4096, 100, err,
                                     sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "t:1:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_find_values),
        cmocka_unit_test(gates_before_the_parser),
    };
    return cmocka_run_group_tests_name("json_doc", tests, NULL, NULL);
}
