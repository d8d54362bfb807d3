/*
 * test_trust.c - trust sources through the public API: SPIFFE bundle
 * sequences survive a reload only forward (rollback refused, the old
 * bundle stays in force), ocv_trust_describe reports them, and the
 * configuration rules of ocv_trust_load.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ED_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

static char dir[64];

static const char *write_bundle(const char *name, const char *seq_member)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"keys\":[{\"use\":\"jwt-svid\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"j1\","
            "\"x\":\"" ED_X "\"},{\"use\":\"enc\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X
            "\"}]%s%s}",
            seq_member[0] ? "," : "", seq_member);
    fclose(f);
    return path;
}

static void config_for(ocv_config *cfg, ocv_trust_source_config *src, const char *bundle)
{
    ocv_config_init(cfg);
    cfg->no_policy = 1;
    memset(src, 0, sizeof(*src));
    src->name = "td";
    src->kind = OCV_TRUST_SPIFFE;
    src->trust_domain = "spiffe://example.org";
    src->files[0] = bundle;
    src->file_count = 1;
    cfg->trust_sources = src;
    cfg->trust_source_count = 1;
}

static uint64_t sequence_in_force(ocv_ctx *ctx)
{
    ocv_trust_info info;
    assert_int_equal(ocv_trust_count(ctx), 1);
    assert_reason(ocv_trust_describe(ctx, 0, &info), OCV_OK);
    assert_true(info.has_sequence);
    return info.sequence;
}

static void rollback_refused_on_reload(void **state)
{
    (void)state;
    ocv_config cfg;
    ocv_trust_source_config src;
    ocv_ctx *ctx = NULL;
    char err[512] = "";
    config_for(&cfg, &src,
               write_bundle("b5.json", "\"spiffe_sequence\":5,\"spiffe_refresh_hint\":60"));
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_int_equal(sequence_in_force(ctx), 5);
    ocv_trust_info info;
    assert_reason(ocv_trust_describe(ctx, 0, &info), OCV_OK);
    assert_int_equal(info.key_count, 1);
    assert_int_equal(info.skipped_keys, 1);
    assert_int_equal(info.refresh_hint, 60);
    assert_string_equal(info.trust_domain, "spiffe://example.org");
    assert_reason(ocv_trust_describe(ctx, 1, &info), OCV_CONFIG_INVALID);

    /* an older bundle: refused, the one in force stays */
    config_for(&cfg, &src, write_bundle("b4.json", "\"spiffe_sequence\":4"));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "spiffe_sequence 4, older than 5 in force"));
    assert_int_equal(sequence_in_force(ctx), 5);
    /* a bundle without a sequence cannot replace one with */
    config_for(&cfg, &src, write_bundle("bnone.json", ""));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "rollback"));
    /* the same sequence reloads; a newer one moves forward */
    config_for(&cfg, &src, write_bundle("b5b.json", "\"spiffe_sequence\":5"));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    config_for(&cfg, &src, write_bundle("b9.json", "\"spiffe_sequence\":9"));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_int_equal(sequence_in_force(ctx), 9);
    config_for(&cfg, &src, write_bundle("b5c.json", "\"spiffe_sequence\":5"));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_int_equal(sequence_in_force(ctx), 9);
    /* a fresh open has nothing in force to compare with */
    ocv_close(ctx);
    ctx = NULL;
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_int_equal(sequence_in_force(ctx), 5);
    ocv_close(ctx);
}

static void configuration_rules(void **state)
{
    (void)state;
    ocv_config cfg;
    ocv_trust_source_config src[2];
    ocv_ctx *ctx = NULL;
    char err[512] = "";
    const char *bundle = write_bundle("ok.json", "\"spiffe_sequence\":1");
    config_for(&cfg, &src[0], bundle);
    src[1] = src[0];
    src[1].trust_domain = "spiffe://other.org";
    cfg.trust_sources = src;
    cfg.trust_source_count = 2;
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "two trust sources are named 'td'"));
    src[1].name = "td2";
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_int_equal(ocv_trust_count(ctx), 2);
    ocv_close(ctx);
    ctx = NULL;
    static const char *const bad_td[] = {"spiffe://Example.org", "spiffe://example.org/path",
                                         "https://example.org", ""};
    for (size_t i = 0; i < sizeof(bad_td) / sizeof(bad_td[0]); i++) {
        src[1].trust_domain = bad_td[i];
        assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
        assert_null(ctx);
    }
    src[1].trust_domain = "spiffe://other.org";
    src[1].name = "bad name";
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    src[1].name = "td2";
    src[1].kind = OCV_TRUST_OIDC; /* oidc without an issuer */
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "needs an issuer"));
    src[1].kind = OCV_TRUST_SPIFFE;
    cfg.jwks_path = bundle; /* the old flags beside trust sources */
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "cannot be combined with trust_sources"));
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ocv_test_trust.XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rollback_refused_on_reload),
        cmocka_unit_test(configuration_rules),
    };
    return cmocka_run_group_tests_name("trust", tests, setup, teardown);
}
