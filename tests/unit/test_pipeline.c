/*
 * test_pipeline.c - ocv_open / ocv_check / ocv_reload / ocv_close through
 * the public header only: argument errors, decisions and their fields,
 * explain traces, atomic reload under concurrent checks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static ocv_ctx *open_with(const char *anchors, int no_policy)
{
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.anchors_path = anchors ? test_fixture_path(anchors) : NULL;
    char path_copy[1024];
    if (anchors) {
        strncpy(path_copy, cfg.anchors_path, sizeof(path_copy) - 1);
        path_copy[sizeof(path_copy) - 1] = 0;
        cfg.anchors_path = path_copy;
    }
    cfg.no_policy = no_policy;
    ocv_ctx *ctx = NULL;
    char err[256] = "";
    if (ocv_open(&ctx, &cfg, err, sizeof(err)) != OCV_OK)
        fail_msg("ocv_open: %s", err);
    return ctx;
}

typedef struct request_files {
    ocv_bytes leaf, chain;
} request_files;

static void request_for(request_files *files, ocv_request *req, const char *leaf, const char *chain)
{
    ocv_bytes_init(&files->chain);
    test_fixture_read(leaf, &files->leaf);
    if (chain)
        test_fixture_read(chain, &files->chain);
    ocv_request_init(req);
    req->credential = files->leaf.data;
    req->credential_len = files->leaf.len;
    req->chain = files->chain.data;
    req->chain_len = files->chain.len;
}

static void request_files_free(request_files *files)
{
    ocv_bytes_free(&files->leaf);
    ocv_bytes_free(&files->chain);
}

static void open_errors(void **state)
{
    (void)state;
    ocv_ctx *ctx = (ocv_ctx *)1;
    char err[256] = "";
    assert_reason(ocv_open(&ctx, NULL, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_null(ctx);
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.clock_skew_seconds = -1;
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    ocv_config_init(&cfg);
    cfg.anchors_path = "/nonexistent/anchors.pem";
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "/nonexistent/anchors.pem"));
    ocv_config_init(&cfg);
    cfg.crl_count = OCV_MAX_CRL_FILES + 1;
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_open(NULL, &cfg, err, sizeof(err)), OCV_INTERNAL_ERROR);
    ocv_close(NULL);
}

static void check_argument_errors(void **state)
{
    (void)state;
    ocv_decision d;
    ocv_request req;
    ocv_request_init(&req);
    assert_reason(ocv_check(NULL, &req, &d), OCV_INTERNAL_ERROR);
    assert_false(d.allow);
    ocv_ctx *ctx = open_with("anchors.pem", 1);
    assert_reason(ocv_check(ctx, NULL, &d), OCV_INTERNAL_ERROR);
    assert_reason(ocv_check(ctx, &req, NULL), OCV_INTERNAL_ERROR);
    assert_reason(ocv_check(ctx, &req, &d), OCV_MALFORMED); /* empty credential */
    static uint8_t big[70 * 1024];
    memset(big, 'A', sizeof(big));
    req.credential = big;
    req.credential_len = sizeof(big);
    assert_reason(ocv_check(ctx, &req, &d), OCV_TOO_LARGE);
    req.credential_len = 1000;
    req.chain = big;
    req.chain_len = 64 * 1024;
    assert_reason(ocv_check(ctx, &req, &d), OCV_TOO_LARGE);
    req.chain = NULL;
    req.chain_len = 0;
    assert_reason(ocv_check(ctx, &req, &d), OCV_UNSUPPORTED_FORMAT);
    assert_false(d.allow);
    assert_false(d.historical);
    req.historical = 1; /* a historical question without its time */
    assert_reason(ocv_check(ctx, &req, &d), OCV_INTERNAL_ERROR);
    assert_non_null(strstr(d.detail, "has_at"));
    req.has_at = 1;
    req.at = 1700000000;
    assert_reason(ocv_check(ctx, &req, &d), OCV_UNSUPPORTED_FORMAT);
    assert_true(d.historical);
    assert_int_equal(d.evaluated_at, 1700000000);
    ocv_close(ctx);
}

static void allow_and_deny_fields(void **state)
{
    (void)state;
    ocv_ctx *ctx = open_with("anchors.pem", 1);
    request_files files;
    ocv_request req;
    ocv_decision d;
    request_for(&files, &req, "leaf.pem", "inter.pem");
    req.explain = 1;
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_true(d.allow);
    assert_true(d.policy_skipped);
    assert_true(d.subject_verified);
    assert_string_equal(d.subject, "spiffe://example.org/ns/demo/sa/web");
    assert_int_equal(d.check_count, 6);
    const char *names[] = {"parse", "time", "signature", "revocation", "binding", "policy"};
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(d.checks[i].name, names[i]);
    assert_int_equal(d.checks[5].outcome, OCV_CHECK_SKIPPED);
    request_files_free(&files);

    request_for(&files, &req, "expired.pem", "inter.pem");
    req.explain = 1;
    assert_reason(ocv_check(ctx, &req, &d), OCV_EXPIRED);
    assert_false(d.allow);
    assert_false(d.subject_verified); /* denied before the signature */
    assert_string_equal(d.subject, "spiffe://example.org/ns/demo/sa/web");
    assert_int_equal(d.checks[1].outcome, OCV_CHECK_FAIL);
    assert_int_equal(d.checks[2].outcome, OCV_CHECK_SKIPPED);
    assert_non_null(strstr(d.detail, "expired at"));
    req.explain = 0;
    assert_reason(ocv_check(ctx, &req, &d), OCV_EXPIRED);
    assert_int_equal(d.check_count, 0);
    request_files_free(&files);

    request_for(&files, &req, "leaf.pem", "inter.pem");
    req.has_at = 1;
    req.at = 1000;
    assert_reason(ocv_check(ctx, &req, &d), OCV_NOT_YET_VALID);
    assert_int_equal(d.evaluated_at, 1000);
    request_files_free(&files);
    ocv_close(ctx);
}

static void policy_missing_without_opt_out(void **state)
{
    (void)state;
    ocv_ctx *ctx = open_with("anchors.pem", 0);
    request_files files;
    ocv_request req;
    ocv_decision d;
    request_for(&files, &req, "leaf.pem", "inter.pem");
    assert_reason(ocv_check(ctx, &req, &d), OCV_POLICY_MISSING);
    assert_false(d.allow);
    assert_false(d.policy_skipped);
    request_files_free(&files);
    ocv_close(ctx);
}

static void reload_swaps_and_failure_keeps(void **state)
{
    (void)state;
    ocv_ctx *ctx = open_with("anchors.pem", 1);
    request_files files;
    ocv_request req;
    ocv_decision d;
    request_for(&files, &req, "leaf.pem", "inter.pem");
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);

    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.no_policy = 1;
    char path[1024];
    strncpy(path, test_fixture_path("root2.pem"), sizeof(path) - 1);
    path[sizeof(path) - 1] = 0;
    cfg.anchors_path = path;
    char err[256] = "";
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_check(ctx, &req, &d), OCV_CHAIN_UNTRUSTED);

    cfg.anchors_path = "/nonexistent";
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_check(ctx, &req, &d), OCV_CHAIN_UNTRUSTED); /* old state kept */
    assert_reason(ocv_reload(NULL, &cfg, err, sizeof(err)), OCV_INTERNAL_ERROR);
    request_files_free(&files);
    ocv_close(ctx);
}

typedef struct worker {
    ocv_ctx *ctx;
    const ocv_request *req;
    int wrong;
} worker;

static void *check_loop(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 150; i++) {
        ocv_decision d;
        if (ocv_check(w->ctx, w->req, &d) != OCV_OK || !d.allow)
            w->wrong++;
    }
    return NULL;
}

/* Checks run on four threads while the main thread reloads: every
 * decision is made under one whole configuration (both trust the root). */
static void concurrent_checks_during_reload(void **state)
{
    (void)state;
    ocv_ctx *ctx = open_with("anchors.pem", 1);
    request_files files;
    ocv_request req;
    request_for(&files, &req, "leaf.pem", "inter.pem");
    worker workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker){ctx, &req, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, check_loop, &workers[i]), 0);
    }
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.no_policy = 1;
    char path[1024];
    strncpy(path, test_fixture_path("root.pem"), sizeof(path) - 1);
    path[sizeof(path) - 1] = 0;
    cfg.anchors_path = path;
    for (int i = 0; i < 20; i++) {
        char err[256];
        assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].wrong, 0);
    }
    request_files_free(&files);
    ocv_close(ctx);
}

/* ---- policy reload under load ----------------------------------------- */

static void write_policy(const char *path, const char *purpose)
{
    FILE *f = fopen(path, "w");
    fprintf(f,
            "{\"version\": 1, \"rules\": [{\"id\": \"r-%s\", "
            "\"subjects\": [\"spiffe://example.org/ns/demo/sa/web\"], "
            "\"issuers\": [\"CN=Test Root, O=ocv tests\"], \"purposes\": [\"%s\"]}]}",
            purpose, purpose);
    fclose(f);
}

typedef struct policy_worker {
    ocv_ctx *ctx;
    const ocv_request *req;
    int allowed, denied, other;
} policy_worker;

static void *policy_loop(void *arg)
{
    policy_worker *w = arg;
    for (int i = 0; i < 150; i++) {
        ocv_decision d;
        ocv_reason r = ocv_check(w->ctx, w->req, &d);
        if (r == OCV_OK && strcmp(d.rule, "r-read") == 0)
            w->allowed++;
        else if (r == OCV_PURPOSE_NOT_ALLOWED && strcmp(d.rule, "r-write") == 0)
            w->denied++;
        else
            w->other++;
    }
    return NULL;
}

/* A decision in flight finishes under the policy it started with: every
 * decision is the old policy's allow or the new policy's deny, never a
 * mix, and after the reload only the new policy answers. */
static void reload_swaps_policy_atomically(void **state)
{
    (void)state;
    char a[] = "/tmp/ocv-policy-a-XXXXXX", b[] = "/tmp/ocv-policy-b-XXXXXX";
    close(mkstemp(a));
    close(mkstemp(b));
    write_policy(a, "read");
    write_policy(b, "write");
    ocv_config cfg;
    ocv_config_init(&cfg);
    char anchors[1024];
    strncpy(anchors, test_fixture_path("anchors.pem"), sizeof(anchors) - 1);
    anchors[sizeof(anchors) - 1] = 0;
    cfg.anchors_path = anchors;
    cfg.policy_path = a;
    ocv_ctx *ctx = NULL;
    char err[512] = "";
    if (ocv_open(&ctx, &cfg, err, sizeof(err)) != OCV_OK)
        fail_msg("open: %s", err);
    request_files files;
    ocv_request req;
    request_for(&files, &req, "leaf.pem", "inter.pem");
    req.purpose = "read";
    policy_worker w[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (policy_worker){ctx, &req, 0, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, policy_loop, &w[i]), 0);
    }
    cfg.policy_path = b;
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].other, 0);
    }
    ocv_decision d;
    assert_reason(ocv_check(ctx, &req, &d), OCV_PURPOSE_NOT_ALLOWED);
    assert_string_equal(d.rule, "r-write");
    cfg.policy_path = "/nonexistent/policy.json"; /* a failed reload keeps the policy */
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_check(ctx, &req, &d), OCV_PURPOSE_NOT_ALLOWED);
    request_files_free(&files);
    ocv_close(ctx);
    unlink(a);
    unlink(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_errors),
        cmocka_unit_test(check_argument_errors),
        cmocka_unit_test(allow_and_deny_fields),
        cmocka_unit_test(policy_missing_without_opt_out),
        cmocka_unit_test(reload_swaps_and_failure_keeps),
        cmocka_unit_test(concurrent_checks_during_reload),
        cmocka_unit_test(reload_swaps_policy_atomically),
    };
    return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
