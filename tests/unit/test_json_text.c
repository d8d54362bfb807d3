/*
 * test_json_text.c - JSON text written directly (base/json_text.h), held
 * to jansson: a string is valid exactly when json_string accepts it, and
 * then written byte for byte as json_dumps writes it under
 * JSON_ENSURE_ASCII, on every escape, controls, DEL, 2-, 3- and 4-byte
 * UTF-8, the edges of the overlong and surrogate ranges, and random bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/json_text.h"
#include "testutil.h"

static void same_as_jansson(const char *s)
{
    json_t *j = json_string(s);
    size_t n = strlen(s);
    if ((j != NULL) != ocv_jtext_utf8_valid(s, n))
        fail_msg("validity differs from jansson's for \"%s\"", s);
    ocv_jtext w;
    ocv_jtext_init(&w);
    ocv_jtext_text_or_null(&w, s);
    char *mine = ocv_jtext_take(&w);
    char *want =
        j != NULL && n > 0 ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : strdup("null");
    assert_non_null(mine);
    assert_non_null(want);
    if (strcmp(mine, want) != 0)
        fail_msg("differs from jansson:\n mine %s\n want %s", mine, want);
    free(mine);
    free(want);
    json_decref(j);
}

static void hostile_strings(void **state)
{
    (void)state;
    for (size_t i = 0; i < TEST_HOSTILE_TEXT_COUNT; i++)
        same_as_jansson(TEST_HOSTILE_TEXTS[i]);
}

static void random_strings(void **state)
{
    (void)state;
    srand(11);
    char text[128];
    for (int round = 0; round < 50000; round++) {
        size_t n = (size_t)(rand() % 40);
        for (size_t i = 0; i < n; i++) {
            int pick = rand() % 5;
            int c = pick == 0   ? rand() % 256
                    : pick == 1 ? 0x80 + rand() % 64    /* continuation */
                    : pick == 2 ? 0xC0 + rand() % 64    /* a lead byte */
                                : 0x01 + rand() % 0x7F; /* ASCII, controls included */
            text[i] = (char)(c == 0 ? 'z' : c);
        }
        text[n] = 0;
        same_as_jansson(text);
    }
}

static void numbers_and_raw(void **state)
{
    (void)state;
    ocv_jtext w;
    ocv_jtext_init(&w);
    ocv_jtext_raw(&w, "[");
    ocv_jtext_int(&w, INT64_MIN);
    ocv_jtext_raw(&w, ",");
    ocv_jtext_int(&w, 0);
    ocv_jtext_raw(&w, ",");
    ocv_jtext_int(&w, INT64_MAX);
    ocv_jtext_raw(&w, "]");
    char *text = ocv_jtext_take(&w);
    assert_string_equal(text, "[-9223372036854775808,0,9223372036854775807]");
    free(text);
    ocv_jtext_init(&w);
    assert_null(ocv_jtext_take(&w)); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_strings),
        cmocka_unit_test(random_strings),
        cmocka_unit_test(numbers_and_raw),
    };
    return cmocka_run_group_tests_name("json_text", tests, NULL, NULL);
}
