/* test_config.c - the JSON configuration file: every field, every error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[] = "/tmp/ocv-config-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_config(const char *text)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/ocv.json", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static ocv_reason load(const char *text, ocv_config *cfg, char *err, size_t err_len)
{
    ocv_config_file *storage = NULL;
    ocv_reason r = ocv_config_load(write_config(text), cfg, &storage, err, err_len);
    if (r == OCV_OK)
        assert_non_null(storage);
    else
        assert_null(storage);
    ocv_config_file_free(storage);
    return r;
}

static void every_field(void **state)
{
    (void)state;
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    char err[512] = "";
    const char *path =
        write_config("{\"anchors\": \"roots.pem\", \"crls\": [\"a.crl\", \"/abs/b.crl\"],\n"
                     " \"jwks\": \"keys.jwks\", \"cose_keys\": \"keys.cbor\", \"db\": \"rev.db\",\n"
                     " \"policy\": \"policy.json\", \"no_policy\": true, \"clock_skew\": \"2m\",\n"
                     " \"leaf_eku\": \"serverAuth\", \"identity_fallback\": [\"dns\", \"cn\"],\n"
                     " \"audience\": \"db.prod.example\", \"require_revocation\": true,\n"
                     " \"max_ttl_ceiling\": \"1h\", \"revocation_max_age\": \"12h\"}");
    assert_reason(ocv_config_load(path, &cfg, &storage, err, sizeof(err)), OCV_OK);
    char want[256];
    snprintf(want, sizeof(want), "%s/roots.pem", dir);
    assert_string_equal(cfg.anchors_path, want);
    assert_int_equal(cfg.crl_count, 2);
    assert_string_equal(cfg.crl_paths[1], "/abs/b.crl");
    snprintf(want, sizeof(want), "%s/rev.db", dir);
    assert_string_equal(cfg.db_path, want);
    assert_true(cfg.no_policy);
    assert_int_equal(cfg.clock_skew_seconds, 120);
    assert_int_equal(cfg.leaf_eku, OCV_EKU_SERVER_AUTH);
    assert_int_equal(cfg.identity_fallback, OCV_IDENTITY_FALLBACK_DNS | OCV_IDENTITY_FALLBACK_CN);
    assert_string_equal(cfg.audience, "db.prod.example");
    assert_true(cfg.require_revocation);
    assert_int_equal(cfg.max_ttl_ceiling_seconds, 3600);
    assert_int_equal(cfg.revocation_max_age_seconds, 12 * 3600);
    ocv_config_file_free(storage);
}

static void defaults_when_empty(void **state)
{
    (void)state;
    ocv_config cfg;
    char err[256];
    assert_reason(load("{}", &cfg, err, sizeof(err)), OCV_OK);
    assert_null(cfg.anchors_path);
    assert_int_equal(cfg.clock_skew_seconds, 60);
    assert_false(cfg.no_policy);
    assert_int_equal(cfg.leaf_eku, OCV_EKU_CLIENT_AUTH);
    assert_null(cfg.audience);
    assert_false(cfg.require_revocation);
    assert_int_equal(cfg.max_ttl_ceiling_seconds, 0);
}

static void errors_name_the_problem(void **state)
{
    (void)state;
    /* pos: "LINE:COL" of the error; the message names the member */
    static const struct {
        const char *text, *pos, *want;
    } cases[] = {
        {"{\"anchors\": 5}", "1:13", "\"anchors\": must be a non-empty string"},
        {"{\"anchors\": \"\"}", "1:13", "\"anchors\""},
        {"{\"anchors\": \"a\\u0000b\"}", "1:22", "JSON_ALLOW_NUL"},
        {"{\"anchors\": \"a\",\n  \"frobnicate\": 1}", "2:3", "\"frobnicate\": unknown member"},
        {"{\"no_policy\": \"yes\"}", "1:15", "true or false"},
        {"{\"require_revocation\": 1}", "1:24", "\"require_revocation\": must be true or false"},
        {"{\"clock_skew\": \"soon\"}", "1:16", "duration"},
        {"{\"clock_skew\": 60}", "1:16", "duration"},
        {"{\"clock_skew\": \"2h\"}", "1:16", "\"clock_skew\": must be at most 1h"},
        {"{\"max_ttl_ceiling\": \"15 minutes\"}", "1:21",
         "\"max_ttl_ceiling\": must be a duration"},
        {"{\"max_ttl_ceiling\": \"4000d\"}", "1:21", "at most 3650d"},
        {"{\"revocation_max_age\": true}", "1:24", "\"revocation_max_age\": must be a duration"},
        {"{\"audience\": \"\"}", "1:14", "\"audience\": must be a non-empty string"},
        {"{\"audience\": [\"a\"]}", "1:14", "\"audience\""},
        {"{\"audience\": \"a\\tb\"}", "1:14", "control characters"},
        {"{\"leaf_eku\": \"emailProtection\"}", "1:14", "leaf_eku"},
        {"{\"identity_fallback\": [\"dns\", \"uri\"]}", "1:31", "identity_fallback"},
        {"{\"identity_fallback\": [\"dns\", \"dns\"]}", "1:31", "listed twice"},
        {"{\"identity_fallback\": \"dns\"}", "1:23", "identity_fallback"},
        {"{\"crls\": \"a.crl\"}", "1:10", "crls"},
        {"{\"crls\": [\"a\",\n 1]}", "2:2", "crls"},
        {"[1, 2]", "1:1", "JSON object"},
        {"{\"anchors\": \"a\",\n \"anchors\": \"b\"}", "2:10", "duplicate object key"},
        {"{\"anchors\": \"a\"", "1:", "'}' expected"},
        {"", "1:", "'[' or '{' expected"},
        {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]}",
         "1:37", "nesting deeper than the limit (32)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_config cfg;
        char err[512] = "";
        ocv_reason r = load(cases[i].text, &cfg, err, sizeof(err));
        char want_pos[64];
        snprintf(want_pos, sizeof(want_pos), "ocv.json:%s", cases[i].pos);
        if (r != OCV_CONFIG_INVALID || strstr(err, cases[i].want) == NULL ||
            strstr(err, want_pos) == NULL)
            fail_msg("case %zu: %s '%s', want CONFIG_INVALID at %s with '%s'", i,
                     ocv_reason_name(r), err, cases[i].pos, cases[i].want);
    }
    char many[4096] = "{\"crls\": [";
    for (int i = 0; i < 40; i++)
        strcat(many, i ? ", \"x\"" : "\"x\"");
    strcat(many, "]}");
    ocv_config cfg;
    char err[512];
    assert_reason(load(many, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    ocv_config_file *storage;
    assert_reason(ocv_config_load("/nonexistent/ocv.json", &cfg, &storage, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_reason(ocv_config_load("/nonexistent", NULL, &storage, err, sizeof(err)),
                  OCV_INTERNAL_ERROR);
}

static void open_file_end_to_end(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof(text), "{\"anchors\": \"%s\", \"no_policy\": true}",
             test_fixture_path("anchors.pem"));
    ocv_ctx *ctx = NULL;
    char err[512] = "";
    assert_reason(ocv_open_file(&ctx, write_config(text), err, sizeof(err)), OCV_OK);
    ocv_bytes leaf, inter;
    test_fixture_read("leaf.pem", &leaf);
    test_fixture_read("inter.pem", &inter);
    ocv_request req;
    ocv_request_init(&req);
    req.credential = leaf.data;
    req.credential_len = leaf.len;
    req.chain = inter.data;
    req.chain_len = inter.len;
    ocv_decision d;
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    ocv_close(ctx);
    assert_reason(
        ocv_open_file(&ctx, write_config("{\"anchors\": \"missing.pem\"}"), err, sizeof(err)),
        OCV_CONFIG_INVALID);
    assert_null(ctx);
    assert_non_null(strstr(err, "missing.pem"));
    ocv_bytes_free(&leaf);
    ocv_bytes_free(&inter);
}

/* "leaf_eku" and `ocv verify --eku` take the same words (issue 13). */
static void eku_spellings_match_the_cli(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int ok;
        ocv_eku want;
    } cases[] = {
        {"client", 1, OCV_EKU_CLIENT_AUTH},
        {"clientAuth", 1, OCV_EKU_CLIENT_AUTH},
        {"server", 1, OCV_EKU_SERVER_AUTH},
        {"serverAuth", 1, OCV_EKU_SERVER_AUTH},
        {"any", 1, OCV_EKU_ANY},
        {"emailProtection", 0, OCV_EKU_ANY},
        {"Client", 0, OCV_EKU_ANY},
        {"", 0, OCV_EKU_ANY},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_eku got = (ocv_eku)99;
        int rc = ocv_eku_from_name(cases[i].name, &got);
        assert_int_equal(rc, cases[i].ok ? 0 : -1);
        assert_int_equal(got, cases[i].ok ? cases[i].want : (ocv_eku)99);
    }
    assert_int_equal(ocv_eku_from_name(NULL, NULL), -1);
    /* the CLI's spelling in the configuration */
    ocv_config cfg;
    char err[512] = "";
    assert_int_equal(load("{\"leaf_eku\": \"server\"}", &cfg, err, sizeof(err)), OCV_OK);
    assert_int_equal(cfg.leaf_eku, OCV_EKU_SERVER_AUTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field),          cmocka_unit_test(eku_spellings_match_the_cli),
        cmocka_unit_test(defaults_when_empty),  cmocka_unit_test(errors_name_the_problem),
        cmocka_unit_test(open_file_end_to_end),
    };
    return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
