/* test_serve_parse.c - the sidecar's request parsing (serve_request.c), its
 * configuration section (serve_config.c), metrics text and logfmt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "serve/serve.h"
#include "serve/serve_internal.h"
#include "testutil.h"

static void path_check(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int ok;
    } CASES[] = {
        {"/", 1},   {"/a/b", 1},  {"/a/b/", 1},  {"/a.b/..c/", 1}, {"", 0},      {"a/b", 0},
        {"//a", 0}, {"/a//b", 0}, {"/a/./b", 0}, {"/a/../b", 0},   {"/a/..", 0}, {"/a/.", 0},
        {"/..", 0}, {"/a\\b", 0}, {"/a\x01", 0}, {"/a\x7f", 0},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        int got = ocv_serve_path_check(CASES[i].path, strlen(CASES[i].path)) == 0;
        if (got != CASES[i].ok)
            fail_msg("path '%s': got %d want %d", CASES[i].path, got, CASES[i].ok);
    }
}

static void percent_decode(void **state)
{
    (void)state;
    char out[64];
    size_t n = 0;
    assert_int_equal(ocv_serve_percent_decode("/a%2Fb%20c+", 11, out, sizeof(out), &n), 0);
    assert_string_equal(out, "/a/b c+");
    assert_int_equal(n, 7);
    assert_int_equal(ocv_serve_percent_decode("%00", 3, out, sizeof(out), &n), -1);
    assert_int_equal(ocv_serve_percent_decode("%4", 2, out, sizeof(out), &n), -1);
    assert_int_equal(ocv_serve_percent_decode("abc%", 4, out, sizeof(out), &n), -1);
    assert_int_equal(ocv_serve_percent_decode("%zz", 3, out, sizeof(out), &n), -1);
    assert_int_equal(ocv_serve_percent_decode("abcdef", 6, out, 6, &n), -1); /* no room for NUL */
    assert_int_equal(ocv_serve_percent_decode("abcde", 5, out, 6, &n), 0);
}

static void route_order(void **state)
{
    (void)state;
    ocv_serve_route r[5];
    memset(r, 0, sizeof(r));
    ocv_strlcpy(r[0].path, "/api/", sizeof(r[0].path));
    ocv_strlcpy(r[0].purpose, "read", sizeof(r[0].purpose));
    r[0].methods = OCV_METHOD_GET | OCV_METHOD_HEAD;
    ocv_strlcpy(r[1].path, "/api/orders", sizeof(r[1].path));
    ocv_strlcpy(r[1].purpose, "orders", sizeof(r[1].purpose));
    ocv_strlcpy(r[2].path, "/api/orders", sizeof(r[2].path));
    ocv_strlcpy(r[2].purpose, "order-write", sizeof(r[2].purpose));
    r[2].exact = 1;
    r[2].methods = OCV_METHOD_POST;
    ocv_strlcpy(r[3].path, "/api/", sizeof(r[3].path));
    ocv_strlcpy(r[3].purpose, "second", sizeof(r[3].purpose));
    r[3].methods = OCV_METHOD_GET;
    ocv_strlcpy(r[4].path, "/", sizeof(r[4].path));
    ocv_strlcpy(r[4].purpose, "root", sizeof(r[4].purpose));
    r[4].methods = OCV_METHOD_DELETE;
    const ocv_serve_route *m;
    m = ocv_serve_route_match(r, 5, "GET", "/api/x");
    assert_string_equal(m->purpose, "read"); /* tie: first in file */
    m = ocv_serve_route_match(r, 5, "GET", "/api/orders/7");
    assert_string_equal(m->purpose, "orders"); /* longest prefix */
    m = ocv_serve_route_match(r, 5, "POST", "/api/orders");
    assert_string_equal(m->purpose, "order-write"); /* exact beats prefix */
    m = ocv_serve_route_match(r, 5, "POST", "/api/x");
    assert_null(m); /* no rule for POST there */
    m = ocv_serve_route_match(r, 5, "DELETE", "/api/x");
    assert_string_equal(m->purpose, "root");
    assert_null(ocv_serve_route_match(r, 5, "BREW", "/api/x"));
    assert_null(ocv_serve_route_match(r, 5, "get", "/api/x")); /* methods are case-sensitive */
}

static void bearer(void **state)
{
    (void)state;
    ocv_serve_credential c;
    ocv_serve_credential_init(&c);
    assert_int_equal(ocv_serve_parse_bearer(NULL, &c), OCV_SERVE_CRED_NONE);
    assert_int_equal(ocv_serve_parse_bearer("bearer  abc.DEF_-~+/==  ", &c), OCV_SERVE_CRED_OK);
    assert_int_equal(c.token_len, 14);
    assert_memory_equal(c.token, "abc.DEF_-~+/==", 14);
    static const char *const BAD[] = {"Basic dXNlcjpwYXNz", "Bearer",   "Bearer ",     "Bearer a b",
                                      "Bearer a=b",         "Bearer =", "Bearer a\"b", "Bearerabc"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        if (ocv_serve_parse_bearer(BAD[i], &c) != OCV_SERVE_CRED_UNREADABLE)
            fail_msg("'%s' should be unreadable", BAD[i]);
    }
    char *huge = malloc(70000);
    memcpy(huge, "Bearer ", 7);
    memset(huge + 7, 'a', 70000 - 8);
    huge[70000 - 1] = 0;
    assert_int_equal(ocv_serve_parse_bearer(huge, &c), OCV_SERVE_CRED_UNREADABLE);
    free(huge);
}

static void escaped_cert(void **state)
{
    (void)state;
    ocv_serve_credential c;
    ocv_serve_credential_init(&c);
    assert_int_equal(ocv_serve_parse_escaped_cert(NULL, &c), OCV_SERVE_CRED_NONE);
    assert_int_equal(ocv_serve_parse_escaped_cert("", &c), OCV_SERVE_CRED_NONE);
    assert_int_equal(ocv_serve_parse_escaped_cert("-----BEGIN%20CERTIFICATE-----%0AMII+/=%0A", &c),
                     OCV_SERVE_CRED_OK);
    assert_int_equal(c.cert.len, 35);
    assert_memory_equal(c.cert.data, "-----BEGIN CERTIFICATE-----\nMII+/=\n", 35);
    assert_int_equal(ocv_serve_parse_escaped_cert("abc%0", &c), OCV_SERVE_CRED_UNREADABLE);
    assert_int_equal(ocv_serve_parse_escaped_cert("abc%00def", &c), OCV_SERVE_CRED_UNREADABLE);
    ocv_serve_credential_free(&c);
}

static void xfcc(void **state)
{
    (void)state;
    ocv_serve_credential c;
    ocv_serve_credential_init(&c);
    assert_int_equal(ocv_serve_parse_xfcc(NULL, &c), OCV_SERVE_CRED_NONE);
    /* URI= alone is never a credential. */
    assert_int_equal(ocv_serve_parse_xfcc("By=spiffe://a/b;URI=spiffe://a/c", &c),
                     OCV_SERVE_CRED_NONE);
    assert_int_equal(ocv_serve_parse_xfcc("By=spiffe://a/b;Hash=ab12;Cert=\"-----BEGIN%20X\";"
                                          "Subject=\"CN=x,O=y;z\";URI=spiffe://a/c;Chain=\"P%0AQ\"",
                                          &c),
                     OCV_SERVE_CRED_OK);
    assert_int_equal(c.cert.len, 12);
    assert_memory_equal(c.cert.data, "-----BEGIN X", 12);
    assert_int_equal(c.chain.len, 3);
    assert_memory_equal(c.chain.data, "P\nQ", 3);
    ocv_serve_credential_free(&c);
    assert_int_equal(ocv_serve_parse_xfcc("cert=abc", &c), OCV_SERVE_CRED_OK);
    ocv_serve_credential_free(&c);
    static const char *const BAD[] = {
        "Cert=a,Cert=b", /* two elements */
        "Cert=a;Cert=b", /* duplicate key */
        "Cert=\"abc",    /* unterminated quote */
        "Cert",          /* no '=' */
        "=abc",          /* empty key */
        "Cert=a;",       /* trailing ';' */
        "Cert=a\"b",     /* quote inside a bare value */
        "URI=x,By=y",    /* two elements, even without Cert */
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        if (ocv_serve_parse_xfcc(BAD[i], &c) != OCV_SERVE_CRED_BAD_REQUEST)
            fail_msg("'%s' should be a bad request", BAD[i]);
        assert_int_equal(c.cert.len, 0);
    }
    assert_int_equal(ocv_serve_parse_xfcc("Cert=%zz", &c), OCV_SERVE_CRED_UNREADABLE);
    assert_int_equal(c.cert.len, 0);
}

static const char *write_config(const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "/tmp/ocv-test-serve-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void config_good(void **state)
{
    (void)state;
    const char *path = write_config(
        "{\"no_policy\": true, \"serve\": {\"listen\": [\"127.0.0.1:9191\", \"unix:/run/o.sock\"],"
        " \"threads\": 4, \"auth_path\": \"/check\", \"envoy_prefix\": \"\","
        " \"headers\": {\"purpose\": \"\", \"client_cert\": \"X-SSL-Cert\", \"subject\": \"x-id\"},"
        " \"limits\": {\"max_header_bytes\": 4096, \"max_body_bytes\": 0, \"max_connections\": 10,"
        "  \"max_connections_per_ip\": 3, \"connection_timeout\": \"2s\", \"drain_timeout\": "
        "\"1m\"},"
        " \"routes\": [{\"methods\": [\"GET\"], \"prefix\": \"/api/\", \"purpose\": \"read\"},"
        "  {\"path\": \"/x\", \"purpose\": \"x\"}],"
        " \"log\": {\"format\": \"logfmt\", \"level\": \"warn\"},"
        " \"audit\": {\"path\": \"audit.log\", \"batch_count\": 8, \"batch_ms\": 2, \"decisions\": "
        "\"deny\", \"device_key\": \"dev.key\", \"device_id\": \"edge-7\", "
        "\"checkpoint_every\": 50}}}");
    ocv_serve_config c;
    ocv_serve_config_init(&c);
    char err[512] = "";
    assert_reason(ocv_serve_config_load(path, &c, err, sizeof(err)), OCV_OK);
    assert_int_equal(c.listen_count, 2);
    assert_string_equal(c.listen[1], "unix:/run/o.sock");
    assert_int_equal(c.threads, 4);
    assert_string_equal(c.auth_path, "/check");
    assert_string_equal(c.envoy_prefix, "");
    assert_string_equal(c.purpose_header, "");
    assert_string_equal(c.client_cert_header, "X-SSL-Cert");
    assert_string_equal(c.xfcc_header, "x-forwarded-client-cert");
    assert_int_equal(c.max_header_bytes, 4096);
    assert_int_equal(c.max_body_bytes, 0);
    assert_int_equal(c.max_per_ip, 3);
    assert_int_equal(c.connection_timeout, 2);
    assert_int_equal(c.drain_timeout, 60);
    assert_int_equal(c.route_count, 2);
    assert_int_equal(c.routes[0].methods, OCV_METHOD_GET);
    assert_int_equal(c.routes[1].exact, 1);
    assert_int_equal(c.log_format, OCV_SERVE_LOG_LOGFMT);
    assert_int_equal(c.log_level, OCV_SERVE_LOG_WARN);
    assert_string_equal(c.audit_path, "/tmp/audit.log");
    assert_int_equal(c.audit_which, OCV_SERVE_AUDIT_DENIES);
    assert_int_equal(c.audit_batch_count, 8);
    assert_int_equal(c.audit_batch_ms, 2);
    assert_string_equal(c.audit_device_key, "/tmp/dev.key");
    assert_string_equal(c.audit_device_id, "edge-7");
    assert_int_equal(c.audit_checkpoint_every, 50);
    ocv_serve_config_free(&c);
    /* The library's reader accepts the section and keeps the rest. */
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    assert_reason(ocv_config_load(path, &cfg, &storage, err, sizeof(err)), OCV_OK);
    assert_int_equal(cfg.no_policy, 1);
    ocv_config_file_free(storage);
    unlink(path);
}

static void config_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } CASES[] = {
        {"{\"serve\": {\"nope\": 1}}", "1:12: \"serve.nope\": unknown member"},
        {"{\"serve\": {\"threads\": 0}}", "\"serve.threads\": must be an integer from 1 to 256"},
        {"{\"serve\": {\"limits\": {\"connection_timeout\": \"0s\"}}}",
         "\"serve.limits.connection_timeout\": must be a duration from 1s to 3600s"},
        {"{\"serve\": {\"limits\": {\"max_header_bytes\": 10}}}",
         "\"serve.limits.max_header_bytes\": must be an integer from 1024 to 1048576"},
        {"{\"serve\": {\"routes\": [{\"prefix\": \"/a/../b\", \"purpose\": \"p\"}]}}",
         "\"serve.routes.path\": must be a path"},
        {"{\"serve\": {\"routes\": [{\"prefix\": \"/a\"}]}}", "a rule needs"},
        {"{\"serve\": {\"routes\": [{\"path\": \"/a\", \"prefix\": \"/b\", \"purpose\": \"p\"}]}}",
         "give one of"},
        {"{\"serve\": {\"routes\": [{\"methods\": [\"BREW\"], \"path\": \"/a\", \"purpose\": "
         "\"p\"}]}}",
         "\"serve.routes.methods\": entries must be GET"},
        {"{\"serve\": {\"headers\": {\"purpose\": \"X Bad\"}}}",
         "\"serve.headers.purpose\": must be a header name"},
        {"{\"serve\": {\"log\": {\"level\": \"loud\"}}}", "\"serve.log.level\""},
        {"{\"serve\": {\"audit\": {\"decisions\": \"some\"}}}", "\"serve.audit.decisions\""},
        {"{\"serve\": {\"audit\": {\"device_key\": \"\"}}}",
         "\"serve.audit.device_key\": must be a non-empty path"},
        {"{\"serve\": {\"audit\": {\"device_id\": 7}}}",
         "\"serve.audit.device_id\": must be a string of 1..128 bytes"},
        {"{\"serve\": {\"audit\": {\"checkpoint_every\": -1}}}",
         "\"serve.audit.checkpoint_every\": must be an integer from 0 to 1000000"},
        {"{\"serve\": {\"audit\": {\"fsync\": false}}}",
         "\"serve.audit\": unknown member (path, batch_count, batch_ms, decisions, device_key"},
        {"{\"serve\": {\"listen\": [\"nohostport\"]}}", "\"serve.listen\": entries must be"},
        {"{\"serve\": []}", "\"serve.serve\": must be an object"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const char *path = write_config(CASES[i].text);
        ocv_serve_config c;
        ocv_serve_config_init(&c);
        char err[512] = "";
        ocv_reason r = ocv_serve_config_load(path, &c, err, sizeof(err));
        if (r != OCV_CONFIG_INVALID || strstr(err, CASES[i].want) == NULL)
            fail_msg("case %zu: %s: got %s '%s'", i, CASES[i].text, ocv_reason_name(r), err);
        assert_int_equal(c.threads, 2);              /* untouched on failure */
        assert_int_equal(c.audit_batch_count, 1024); /* the audit defaults */
        assert_int_equal(c.audit_batch_ms, 5);
        assert_int_equal(c.audit_which, OCV_SERVE_AUDIT_BOTH);
        assert_int_equal(c.audit_checkpoint_every, 1000);
        assert_string_equal(c.audit_device_key, "");
        ocv_serve_config_free(&c);
        unlink(path);
    }
    /* The library refuses a "serve" that is not an object. */
    const char *path = write_config("{\"serve\": 3}");
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    char err[512] = "";
    assert_reason(ocv_config_load(path, &cfg, &storage, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "\"serve\": must be an object"));
    unlink(path);
}

static void logfmt(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:n, s:s, s:[]}", "event", "decision", "detail",
                          "a \"b\"=c\n", "status", 403, "ok", 0, "rule", "path", "", "checks");
    char *line = ocv_serve_logfmt(o);
    assert_string_equal(
        line, "event=decision detail=\"a \\\"b\\\"=c\\n\" status=403 ok=false rule= path=\"\"");
    free(line);
    json_decref(o);
}

static void metrics_text(void **state)
{
    (void)state;
    ocv_serve_metrics m;
    ocv_serve_metrics_init(&m);
    ocv_decision allow = {.allow = 1,
                          .reason = OCV_OK,
                          .signature_cache = OCV_CACHE_HIT,
                          .store_read = OCV_CACHE_HIT};
    ocv_decision revoked = {.allow = 0,
                            .reason = OCV_REVOKED,
                            .signature_cache = OCV_CACHE_MISS,
                            .store_read = OCV_CACHE_HIT};
    ocv_decision bad_cert = {.allow = 0, .reason = OCV_EXPIRED, .store_read = OCV_CACHE_MISS};
    ocv_serve_metrics_decision(&m, &allow, 30000);     /* 30 us */
    ocv_serve_metrics_decision(&m, &revoked, 2000000); /* 2 ms */
    ocv_serve_metrics_decision(&m, &bad_cert, 5000000000ull);
    ocv_serve_metrics_http(&m, 200);
    ocv_serve_metrics_http(&m, 403);
    ocv_serve_metrics_http(&m, 418);
    atomic_store(&m.reloads_failed, 1);
    ocv_serve_revocation rev;
    memset(&rev, 0, sizeof(rev));
    rev.configured = rev.readable = 1;
    rev.count = 1;
    ocv_strlcpy(rev.authorities[0].id, "acme", sizeof(rev.authorities[0].id));
    rev.authorities[0].sequence = 42;
    rev.authorities[0].issued_at = 1000;
    rev.authorities[0].next_update = 5000;
    atomic_store(&m.audit_failures, 2);
    ocv_serve_audit_counts audit = {.accepted = 70, .written = 64, .batches = 3, .pending = 6};
    size_t len = 0;
    char *text = ocv_serve_metrics_render(&m, &rev, &audit, 1100, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    static const char *const WANT[] = {
        "ocv_decisions_total{decision=\"allow\",reason=\"OK\"} 1\n",
        "ocv_decisions_total{decision=\"deny\",reason=\"REVOKED\"} 1\n",
        "ocv_decisions_total{decision=\"deny\",reason=\"EXPIRED\"} 1\n",
        "ocv_cache_lookups_total{cache=\"signature\",result=\"hit\"} 1\n",
        "ocv_cache_lookups_total{cache=\"signature\",result=\"miss\"} 1\n",
        "ocv_cache_lookups_total{cache=\"store\",result=\"hit\"} 2\n",
        "ocv_cache_lookups_total{cache=\"store\",result=\"miss\"} 1\n",
        "ocv_decision_duration_seconds_bucket{le=\"2.5e-05\"} 0\n",
        "ocv_decision_duration_seconds_bucket{le=\"5e-05\"} 1\n",
        "ocv_decision_duration_seconds_bucket{le=\"0.001\"} 1\n",
        "ocv_decision_duration_seconds_bucket{le=\"0.0025\"} 2\n",
        "ocv_decision_duration_seconds_bucket{le=\"+Inf\"} 3\n",
        "ocv_decision_duration_seconds_count 3\n",
        "ocv_http_responses_total{code=\"403\"} 1\n",
        "ocv_http_responses_total{code=\"other\"} 1\n",
        "ocv_reloads_total{result=\"failed\"} 1\n",
        "ocv_revocation_sequence{authority=\"acme\"} 42\n",
        "ocv_revocation_age_seconds{authority=\"acme\"} 100\n",
        "ocv_revocation_next_update_seconds{authority=\"acme\"} 3900\n",
        "ocv_audit_records_total 64\n",
        "ocv_audit_batches_total 3\n",
        "ocv_audit_failures_total 2\n",
        "ocv_audit_pending_records 6\n",
    };
    for (size_t i = 0; i < sizeof(WANT) / sizeof(WANT[0]); i++) {
        if (strstr(text, WANT[i]) == NULL)
            fail_msg("missing: %s", WANT[i]);
    }
    assert_null(strstr(text, "decision=\"allow\",reason=\"REVOKED\""));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_check),   cmocka_unit_test(percent_decode),
        cmocka_unit_test(route_order),  cmocka_unit_test(bearer),
        cmocka_unit_test(escaped_cert), cmocka_unit_test(xfcc),
        cmocka_unit_test(config_good),  cmocka_unit_test(config_errors),
        cmocka_unit_test(logfmt),       cmocka_unit_test(metrics_text),
    };
    return cmocka_run_group_tests_name("serve_parse", tests, NULL, NULL);
}
