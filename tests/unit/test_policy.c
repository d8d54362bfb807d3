/* test_policy.c - the policy engine: loading, matching, every reason. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "base/util.h"
#include "policy/policy.h"
#include "testutil.h"

#define ROOT_SHA  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define OTHER_SHA "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ISS       "https://issuer.prod.example"

/* fixed-size claim fields: a copy that would not fit fails the test */
#define SET(field, value) assert_int_equal(ocv_strlcpy((field), (value), sizeof(field)), 0)

/* The issue's example, grown to reach every check. */
static const char POLICY[] =
    "{\"version\": 1,\n"
    " \"defaults\": {\"max_ttl\": \"1h\", \"clock_skew\": \"60s\", \"revocation_max_age\": "
    "\"24h\", \"require_revocation\": false},\n"
    " \"rules\": [\n"
    "  {\"id\": \"payments-db\", \"subjects\": [\"spiffe://prod.example/ns/payments/*\"],\n"
    "   \"issuers\": [\"" ISS "\", \"CN=Test Root\"], \"purposes\": [\"db:read\"],\n"
    "   \"audiences\": [\"db.prod.example\"], \"max_ttl\": \"15m\", \"require_pop\": false,\n"
    "   \"revocation\": {\"max_age\": \"1h\", \"allow_stale\": \"30m\"}},\n"
    "  {\"id\": \"payments-admin\", \"subjects\": [\"spiffe://prod.example/ns/payments/admin\"],\n"
    "   \"issuers\": [\"" ISS "\", \"sha256:" ROOT_SHA "\"], \"purposes\": [\"db:admin\"],\n"
    "   \"algorithms\": [\"ES256\"], \"require_pop\": true},\n"
    "  {\"id\": \"tokens-only\", \"subjects\": [\"spiffe://prod.example/ns/batch/*\"],\n"
    "   \"issuers\": [\"" ISS "\", \"CN=Test Root\"], \"purposes\": [\"queue:pop\"],\n"
    "   \"credential_types\": [\"jwt\", \"cwt\"]},\n"
    "  {\"id\": \"dns-fallback\", \"subjects\": [\"legacy.prod.example\"],\n"
    "   \"issuers\": [\"CN=Test Root\"], \"purposes\": [\"db:read\"]}\n"
    " ]}\n";

static ocv_policy *load(const char *text)
{
    ocv_policy *p = NULL;
    char err[512] = "";
    ocv_reason r =
        ocv_policy_parse("policy.json", (const uint8_t *)text, strlen(text), &p, err, sizeof(err));
    if (r != OCV_OK)
        fail_msg("load: %s %s", ocv_reason_name(r), err);
    return p;
}

/* Loading must fail with CONFIG_INVALID at line:col with `want` in the
 * message (line 0: any position). */
static void load_fails(const char *text, unsigned line, unsigned col, const char *want)
{
    ocv_policy *p = (ocv_policy *)1;
    char err[512] = "";
    ocv_reason r =
        ocv_policy_parse("policy.json", (const uint8_t *)text, strlen(text), &p, err, sizeof(err));
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "policy.json:%u:%u: ", line, col);
    if (r != OCV_CONFIG_INVALID || p != NULL || strstr(err, want) == NULL ||
        (line != 0 && strncmp(err, prefix, strlen(prefix)) != 0) ||
        (line == 0 && strncmp(err, "policy.json:", 12) != 0))
        fail_msg("%.100s: got %s '%s', want CONFIG_INVALID at %u:%u with '%s'", text,
                 ocv_reason_name(r), err, line, col, want);
}

/* The same for one-line texts: the error is at the first occurrence of
 * mark (NULL: anywhere). */
static void load_fails_at(const char *text, const char *mark, const char *want)
{
    const char *at = mark != NULL ? strstr(text, mark) : NULL;
    if (mark != NULL && at == NULL)
        fail_msg("test bug: '%s' not in '%s'", mark, text);
    load_fails(text, at != NULL ? 1 : 0, at != NULL ? (unsigned)(at - text) + 1 : 0, want);
}

enum { CERT, TOKEN };

static void base_claims(int kind, ocv_claims *c)
{
    ocv_claims_init(c);
    c->alg = OCV_ALG_ES256;
    SET(c->subject, "spiffe://prod.example/ns/payments/api");
    c->issued_at = 1000000;
    c->not_before = 1000000;
    c->expires_at = 1000000 + 600;
    c->has_issued_at = c->has_not_before = c->has_expires_at = 1;
    if (kind == CERT) {
        c->type = OCV_CREDENTIAL_X509;
        SET(c->issuer, "CN=Test Intermediate");
        SET(c->anchor_name, "CN=Test Root");
        SET(c->anchor_key_sha256, ROOT_SHA);
        SET(c->issuer_key_sha256, OTHER_SHA);
    } else {
        c->type = OCV_CREDENTIAL_JWT;
        SET(c->issuer, ISS);
    }
}

static const uint8_t PEER[32] = {1, 2, 3};
static const uint8_t OTHER_PEER[32] = {9, 9, 9};

static void base_input(ocv_policy_input *in, const ocv_claims *c)
{
    ocv_policy_input_init(in);
    in->claims = c;
    in->purpose = "db:read";
    in->audience = "db.prod.example";
}

typedef void (*tweak_fn)(int kind, ocv_claims *c, ocv_policy_input *in);

static void t_none(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c, (void)in;
}
static void t_other_domain(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    SET(c->subject, "spiffe://other.example/ns/payments/api");
}
static void t_other_issuer(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)in;
    if (kind == CERT) {
        SET(c->anchor_name, "CN=Other Root");
        SET(c->anchor_key_sha256, OTHER_SHA);
        /* the intermediate's own DN is no issuer a rule can name */
        SET(c->issuer, "CN=Test Root");
    } else {
        SET(c->issuer, "https://evil.example");
    }
}
static void t_purpose_other(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->purpose = "db:write";
}
static void t_purpose_none(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->purpose = NULL;
}
static void t_scopes_without(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    SET(c->purposes[0], "db:write");
    SET(c->purposes[1], "db:read:all");
    c->purpose_count = 2;
}
static void t_scopes_with(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    SET(c->purposes[0], "db:write");
    SET(c->purposes[1], "db:read");
    c->purpose_count = 2;
}
static void t_audience_other(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->audience = "cache.prod.example";
}
static void t_audience_none(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->audience = NULL;
}
static void t_aud_claim_other(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    SET(c->audiences[0], "cache.prod.example");
    c->audience_count = 1;
}
static void t_aud_claim_match(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    SET(c->audiences[0], "cache.prod.example");
    SET(c->audiences[1], "db.prod.example");
    c->audience_count = 2;
}
/* the admin rule: ES256 only, PoP required, max_ttl from defaults (1h) */
static void admin(int kind, ocv_claims *c, ocv_policy_input *in)
{
    SET(c->subject, "spiffe://prod.example/ns/payments/admin");
    in->purpose = "db:admin";
    in->audience = NULL;
    if (kind == CERT) {
        in->peer_cert_sha256 = PEER;
        in->credential_cert_sha256 = PEER;
    } else {
        memcpy(c->cnf_x5t_s256, PEER, 32);
        c->has_cnf_x5t_s256 = 1;
        in->peer_cert_sha256 = PEER;
    }
}
static void t_admin(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
}
static void t_admin_rs256(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    c->alg = OCV_ALG_RS256;
}
static void t_admin_no_alg(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    c->alg = OCV_ALG_NONE;
}
static void t_admin_50m(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    c->expires_at = c->issued_at + 50 * 60; /* defaults max_ttl 1h */
}
static void t_admin_61m(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    c->expires_at = c->issued_at + 61 * 60;
}
static void t_ttl_16m(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    c->expires_at = c->issued_at + 16 * 60;
}
static void t_ttl_15m(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    c->expires_at = c->issued_at + 15 * 60;
}
static void t_ttl_no_iat(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    c->has_issued_at = 0;
}
static void t_ttl_backwards(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    c->expires_at = c->issued_at - 1;
}
static void t_ttl_extreme(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    c->issued_at = INT64_MIN;
    c->expires_at = INT64_MAX;
}
static void t_ttl_ceiling(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->max_ttl_ceiling = 5 * 60; /* the credential lives 10m */
}
static void t_pop_absent(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    in->peer_cert_sha256 = NULL;
    c->has_cnf_x5t_s256 = 0;
}
static void t_pop_other_peer(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    in->peer_cert_sha256 = OTHER_PEER;
}
static void t_pop_jkt(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    c->has_cnf_x5t_s256 = 0;
    memcpy(c->cnf_jkt, PEER, 32);
    c->has_cnf_jkt = 1;
    in->presented_jkt = PEER;
}
static void t_pop_jkt_other(int kind, ocv_claims *c, ocv_policy_input *in)
{
    t_pop_jkt(kind, c, in);
    in->presented_jkt = OTHER_PEER;
}
static void t_pop_jkt_absent(int kind, ocv_claims *c, ocv_policy_input *in)
{
    t_pop_jkt(kind, c, in);
    in->presented_jkt = NULL;
}
/* a bound credential must be proven even where the rule does not ask */
static void t_bound_unproven(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)in;
    memcpy(c->cnf_x5t_s256, PEER, 32);
    c->has_cnf_x5t_s256 = 1;
}
static void t_rev_fresh(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->has_revocation_data = 1;
    in->revocation_age = 30 * 60;
}
static void t_rev_stale_allowed(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->has_revocation_data = 1;
    in->revocation_age = 80 * 60; /* max_age 1h + allow_stale 30m */
}
static void t_rev_stale(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->has_revocation_data = 1;
    in->revocation_age = 91 * 60;
}
static void t_rev_admin_stale(int kind, ocv_claims *c, ocv_policy_input *in)
{
    admin(kind, c, in);
    in->has_revocation_data = 1;
    in->revocation_age = 25 * 3600; /* defaults: 24h, no allow_stale */
}
static void t_rev_missing(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind, (void)c;
    in->require_revocation = 1;
}
static void t_batch(int kind, ocv_claims *c, ocv_policy_input *in)
{
    (void)kind;
    SET(c->subject, "spiffe://prod.example/ns/batch/worker");
    in->purpose = "queue:pop";
    in->audience = NULL;
}

typedef struct eval_case {
    const char *name;
    tweak_fn tweak;
    ocv_reason want_cert, want_token;
    const char *rule;  /* expected rule id ("" none) */
    const char *check; /* the failing check, NULL when allowed */
} eval_case;

static const eval_case CASES[] = {
    {"allowed", t_none, OCV_OK, OCV_OK, "payments-db", NULL},
    {"other trust domain", t_other_domain, OCV_NO_MATCHING_RULE, OCV_NO_MATCHING_RULE, "",
     "policy.rule"},
    {"issuer", t_other_issuer, OCV_ISSUER_NOT_ALLOWED, OCV_ISSUER_NOT_ALLOWED, "", "policy.rule"},
    {"purpose not in rule", t_purpose_other, OCV_PURPOSE_NOT_ALLOWED, OCV_PURPOSE_NOT_ALLOWED,
     "payments-db", "policy.purpose"},
    {"no purpose", t_purpose_none, OCV_PURPOSE_NOT_ALLOWED, OCV_PURPOSE_NOT_ALLOWED, "payments-db",
     "policy.purpose"},
    {"scopes without it", t_scopes_without, OCV_PURPOSE_NOT_ALLOWED, OCV_PURPOSE_NOT_ALLOWED,
     "payments-db", "policy.purpose"},
    {"scopes with it", t_scopes_with, OCV_OK, OCV_OK, "payments-db", NULL},
    {"audience", t_audience_other, OCV_AUDIENCE_MISMATCH, OCV_AUDIENCE_MISMATCH, "payments-db",
     "policy.audience"},
    {"no audience", t_audience_none, OCV_AUDIENCE_MISMATCH, OCV_AUDIENCE_MISMATCH, "payments-db",
     "policy.audience"},
    {"aud claim other", t_aud_claim_other, OCV_AUDIENCE_MISMATCH, OCV_AUDIENCE_MISMATCH,
     "payments-db", "policy.audience"},
    {"aud claim match", t_aud_claim_match, OCV_OK, OCV_OK, "payments-db", NULL},
    {"admin", t_admin, OCV_OK, OCV_OK, "payments-admin", NULL},
    {"alg", t_admin_rs256, OCV_ALG_NOT_ALLOWED, OCV_ALG_NOT_ALLOWED, "payments-admin",
     "policy.algorithm"},
    {"alg unknown", t_admin_no_alg, OCV_ALG_NOT_ALLOWED, OCV_ALG_NOT_ALLOWED, "payments-admin",
     "policy.algorithm"},
    {"ttl 16m > 15m", t_ttl_16m, OCV_TTL_TOO_LONG, OCV_TTL_TOO_LONG, "payments-db", "policy.ttl"},
    {"ttl 15m", t_ttl_15m, OCV_OK, OCV_OK, "payments-db", NULL},
    {"ttl defaults 50m", t_admin_50m, OCV_OK, OCV_OK, "payments-admin", NULL},
    {"ttl defaults 61m", t_admin_61m, OCV_TTL_TOO_LONG, OCV_TTL_TOO_LONG, "payments-admin",
     "policy.ttl"},
    {"ttl no iat", t_ttl_no_iat, OCV_TTL_TOO_LONG, OCV_TTL_TOO_LONG, "payments-db", "policy.ttl"},
    {"ttl backwards", t_ttl_backwards, OCV_MALFORMED, OCV_MALFORMED, "payments-db", "policy.ttl"},
    {"ttl extreme", t_ttl_extreme, OCV_TTL_TOO_LONG, OCV_TTL_TOO_LONG, "payments-db", "policy.ttl"},
    {"ttl ceiling", t_ttl_ceiling, OCV_TTL_TOO_LONG, OCV_TTL_TOO_LONG, "payments-db", "policy.ttl"},
    {"pop absent", t_pop_absent, OCV_POP_REQUIRED, OCV_POP_REQUIRED, "payments-admin",
     "policy.pop"},
    {"pop other peer", t_pop_other_peer, OCV_POP_MISMATCH, OCV_POP_MISMATCH, "payments-admin",
     "policy.pop"},
    /* jkt: tokens only; a certificate without the peer stays POP_REQUIRED-free
     * because admin() presented it, so the cert cases pass */
    {"pop jkt", t_pop_jkt, OCV_OK, OCV_OK, "payments-admin", NULL},
    {"pop jkt other", t_pop_jkt_other, OCV_POP_MISMATCH, OCV_POP_MISMATCH, "payments-admin",
     "policy.pop"},
    {"pop jkt absent", t_pop_jkt_absent, OCV_POP_REQUIRED, OCV_POP_REQUIRED, "payments-admin",
     "policy.pop"},
    {"bound, unproven", t_bound_unproven, OCV_POP_REQUIRED, OCV_POP_REQUIRED, "payments-db",
     "policy.pop"},
    {"revocation fresh", t_rev_fresh, OCV_OK, OCV_OK, "payments-db", NULL},
    {"revocation stale allowed", t_rev_stale_allowed, OCV_OK, OCV_OK, "payments-db", NULL},
    {"revocation stale", t_rev_stale, OCV_REVOCATION_STALE, OCV_REVOCATION_STALE, "payments-db",
     "policy.revocation"},
    {"revocation stale, defaults", t_rev_admin_stale, OCV_REVOCATION_STALE, OCV_REVOCATION_STALE,
     "payments-admin", "policy.revocation"},
    {"revocation missing", t_rev_missing, OCV_REVOCATION_MISSING, OCV_REVOCATION_MISSING,
     "payments-db", "policy.revocation"},
    {"tokens-only rule", t_batch, OCV_NO_MATCHING_RULE, OCV_OK, "tokens-only", NULL},
};

static void every_reason_for_certs_and_tokens(void **state)
{
    (void)state;
    ocv_policy *p = load(POLICY);
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        for (int kind = CERT; kind <= TOKEN; kind++) {
            const eval_case *tc = &CASES[i];
            ocv_claims c;
            ocv_policy_input in;
            base_claims(kind, &c);
            base_input(&in, &c);
            tc->tweak(kind, &c, &in);
            ocv_policy_result res;
            ocv_reason want = kind == CERT ? tc->want_cert : tc->want_token;
            ocv_reason got = ocv_policy_evaluate(p, &in, &res);
            const char *what = kind == CERT ? "cert" : "token";
            if (got != want || res.reason != got)
                fail_msg("%s (%s): %s, want %s: %s", tc->name, what, ocv_reason_name(got),
                         ocv_reason_name(want), res.detail);
            /* the tokens-only rule is not chosen for a certificate */
            const char *rule = want == OCV_NO_MATCHING_RULE ? "" : tc->rule;
            if (strcmp(res.rule, rule) != 0)
                fail_msg("%s (%s): rule '%s', want '%s'", tc->name, what, res.rule, rule);
            assert_int_equal(res.check_count, OCV_POLICY_CHECKS);
            int failed = 0;
            for (size_t k = 0; k < res.check_count; k++) {
                const ocv_check_entry *e = &res.checks[k];
                if (e->outcome == OCV_CHECK_FAIL) {
                    failed++;
                    assert_reason(e->reason, want);
                    if (tc->check != NULL && want != OCV_NO_MATCHING_RULE)
                        assert_string_equal(e->name, tc->check);
                }
            }
            assert_int_equal(failed, want == OCV_OK ? 0 : 1);
            assert_true(res.detail[0] != 0);
        }
    }
    ocv_policy_free(p);
}

static void stale_allowance_is_recorded(void **state)
{
    (void)state;
    ocv_policy *p = load(POLICY);
    ocv_claims c;
    ocv_policy_input in;
    ocv_policy_result res;
    base_claims(TOKEN, &c);
    base_input(&in, &c);
    t_rev_stale_allowed(TOKEN, &c, &in);
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_true(res.stale_allowed);
    assert_int_equal(res.stale_seconds, 20 * 60);
    assert_non_null(strstr(res.checks[6].detail, "STALE ACCEPTED"));
    assert_non_null(strstr(res.detail, "allow_stale"));
    t_rev_fresh(TOKEN, &c, &in);
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_false(res.stale_allowed);
    ocv_policy_free(p);
}

static void explain_checks_in_order(void **state)
{
    (void)state;
    ocv_policy *p = load(POLICY);
    ocv_claims c;
    ocv_policy_input in;
    ocv_policy_result res;
    base_claims(CERT, &c);
    base_input(&in, &c);
    in.purpose = "db:write";
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_PURPOSE_NOT_ALLOWED);
    static const char *const names[] = {"policy.rule",      "policy.purpose", "policy.audience",
                                        "policy.algorithm", "policy.ttl",     "policy.pop",
                                        "policy.revocation"};
    static const ocv_check_outcome outcomes[] = {
        OCV_CHECK_PASS,    OCV_CHECK_FAIL,    OCV_CHECK_SKIPPED, OCV_CHECK_SKIPPED,
        OCV_CHECK_SKIPPED, OCV_CHECK_SKIPPED, OCV_CHECK_SKIPPED};
    for (size_t i = 0; i < OCV_POLICY_CHECKS; i++) {
        assert_string_equal(res.checks[i].name, names[i]);
        assert_int_equal(res.checks[i].outcome, outcomes[i]);
    }
    assert_non_null(strstr(res.checks[1].detail, "db:write"));
    assert_non_null(strstr(res.checks[1].detail, "db:read"));

    /* passing checks say why only when asked */
    in.purpose = "db:read";
    in.has_revocation_data = 1;
    in.revocation_age = 120;
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_false(res.explained);
    assert_string_equal(res.checks[4].detail, "");
    assert_non_null(strstr(res.detail, "allowed by rule 'payments-db'"));
    in.explain = 1;
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_true(res.explained);
    static const char *const why[] = {"'spiffe://prod.example/ns/payments/*' covers",
                                      "purpose 'db:read' allowed by rule 'payments-db'",
                                      "audience 'db.prod.example' accepted",
                                      "ES256 (the policy restricts no algorithm)",
                                      "issued lifetime 10m within max_ttl 15m (rule)",
                                      "not required",
                                      "revocation data 2m old, max age 1h"};
    for (size_t i = 0; i < OCV_POLICY_CHECKS; i++) {
        assert_int_equal(res.checks[i].outcome, OCV_CHECK_PASS);
        if (strstr(res.checks[i].detail, why[i]) == NULL)
            fail_msg("check %zu: '%s', want '%s'", i, res.checks[i].detail, why[i]);
    }
    in.explain = 0;
    in.has_revocation_data = 0;
    in.purpose = "db:write";

    ocv_policy_query q = {
        "spiffe://prod.example/ns/payments/api", OCV_CREDENTIAL_AUTO, NULL, NULL, NULL, NULL, 0};
    assert_reason(ocv_policy_explain(p, &q, "db:read", "db.prod.example", &res), OCV_OK);
    assert_string_equal(res.rule, "payments-db");
    assert_int_equal(res.checks[3].outcome, OCV_CHECK_SKIPPED);
    assert_string_equal(res.checks[3].detail, "depends on the credential");
    assert_reason(ocv_policy_explain(p, &q, "db:admin", "db.prod.example", &res),
                  OCV_PURPOSE_NOT_ALLOWED);
    assert_reason(ocv_policy_explain(p, &q, "db:read", "x", &res), OCV_AUDIENCE_MISMATCH);
    q.issuer = "https://evil.example";
    assert_reason(ocv_policy_explain(p, &q, "db:read", "db.prod.example", &res),
                  OCV_ISSUER_NOT_ALLOWED);
    q.issuer = "sha256:" ROOT_SHA; /* as a token iss: an anchor key is no token issuer */
    q.subject = "spiffe://prod.example/ns/payments/admin";
    assert_reason(ocv_policy_explain(p, &q, "db:admin", NULL, &res), OCV_ISSUER_NOT_ALLOWED);
    q.anchor_sha256 = ROOT_SHA; /* as the anchor's key */
    assert_reason(ocv_policy_explain(p, &q, "db:admin", NULL, &res), OCV_OK);
    q.anchor_sha256 = NULL;
    q.subject = "spiffe://prod.example/ns/batch/x";
    q.issuer = NULL;
    q.type = OCV_CREDENTIAL_X509;
    assert_reason(ocv_policy_explain(p, &q, "queue:pop", NULL, &res), OCV_NO_MATCHING_RULE);
    assert_non_null(strstr(res.detail, "x509"));
    q.type = OCV_CREDENTIAL_CWT;
    assert_reason(ocv_policy_explain(p, &q, "queue:pop", NULL, &res), OCV_OK);
    assert_reason(ocv_policy_explain(NULL, &q, "queue:pop", NULL, &res), OCV_INTERNAL_ERROR);
    assert_reason(ocv_policy_evaluate(p, NULL, &res), OCV_INTERNAL_ERROR);
    assert_reason(ocv_policy_evaluate(p, &in, NULL), OCV_INTERNAL_ERROR);
    c.type = OCV_CREDENTIAL_AUTO;
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_INTERNAL_ERROR);
    ocv_policy_free(p);
}

/* ---- identity matching ------------------------------------------------------ */

static const char IDS[] =
    "{\"version\": 1, \"rules\": [\n"
    " {\"id\": \"exact-ab\", \"subjects\": [\"spiffe://a/b\"], \"issuers\": [\"i\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"prefix-c\", \"subjects\": [\"spiffe://a/c/*\"], \"issuers\": [\"i\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"domain\", \"subjects\": [\"spiffe://d.example/*\"], \"issuers\": [\"i\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"deep\", \"subjects\": [\"spiffe://d.example/x/y/*\"], \"issuers\": [\"i\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"exact-deep\", \"subjects\": [\"spiffe://d.example/x/y/z\"], \"issuers\": "
    "[\"i\"], \"purposes\": [\"p\"]},\n"
    " {\"id\": \"first-j\", \"subjects\": [\"spiffe://e/j/*\"], \"issuers\": [\"i\", \"k\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"second-j\", \"subjects\": [\"spiffe://e/j/*\"], \"issuers\": [\"i\", \"m\"], "
    "\"purposes\": [\"q\"]},\n"
    " {\"id\": \"broad-e\", \"subjects\": [\"spiffe://e/*\"], \"issuers\": [\"n\"], "
    "\"purposes\": [\"p\"]},\n"
    " {\"id\": \"opaque\", \"subjects\": [\"db.prod.example\", \"CN=legacy\"], \"issuers\": "
    "[\"i\"], \"purposes\": [\"p\"]}\n"
    "]}";

static void matching(void **state)
{
    (void)state;
    ocv_policy *p = load(IDS);
    static const struct {
        const char *subject, *issuer, *rule;
        ocv_reason want;
        const char *detail;
    } cases[] = {
        {"spiffe://a/b", "i", "exact-ab", OCV_OK, NULL},
        {"spiffe://a/bc", "i", "", OCV_NO_MATCHING_RULE, "no rule names"},
        {"spiffe://a/b/c", "i", "", OCV_NO_MATCHING_RULE, NULL}, /* exact is exact */
        {"spiffe://a", "i", "", OCV_NO_MATCHING_RULE, NULL},
        {"spiffe://a/c", "i", "", OCV_NO_MATCHING_RULE, NULL}, /* '*' is one segment or more */
        {"spiffe://a/c/d", "i", "prefix-c", OCV_OK, NULL},
        {"spiffe://a/c/d/e/f", "i", "prefix-c", OCV_OK, NULL},
        {"spiffe://a/cd/e", "i", "", OCV_NO_MATCHING_RULE, NULL}, /* never a substring */
        {"spiffe://ab/c/d", "i", "", OCV_NO_MATCHING_RULE, NULL},
        /* upper case is not a valid SPIFFE ID: refused, never folded (issue 8 #3) */
        {"spiffe://A/b", "i", "", OCV_NO_MATCHING_RULE, "upper case in the trust domain"},
        {"SPIFFE://a/b", "i", "", OCV_NO_MATCHING_RULE, "lower case"},
        {"spiffe://D.Example/q", "i", "", OCV_NO_MATCHING_RULE, "upper case"},
        {"spiffe://a/B", "i", "", OCV_NO_MATCHING_RULE, NULL}, /* paths: exact case */
        {"spiffe://a/b/", "i", "", OCV_NO_MATCHING_RULE, "trailing slash"},
        {"spiffe://a/c/d/", "i", "", OCV_NO_MATCHING_RULE, "trailing slash"},
        {"spiffe://a//b", "i", "", OCV_NO_MATCHING_RULE, "empty path segment"},
        {"spiffe://a/%62", "i", "", OCV_NO_MATCHING_RULE, "percent-encoding"},
        {"spiffe://a/c/%2e%2e", "i", "", OCV_NO_MATCHING_RULE, "percent-encoding"},
        {"spiffe://a/c/..", "i", "", OCV_NO_MATCHING_RULE, "\"..\""},
        {"spiffe://a/c/*", "i", "", OCV_NO_MATCHING_RULE, "'*'"},
        {"spiffe://a/b?x=1", "i", "", OCV_NO_MATCHING_RULE, "query"},
        {"spiffe://a:8443/b", "i", "", OCV_NO_MATCHING_RULE, "port"},
        {"spiffe:a/b", "i", "", OCV_NO_MATCHING_RULE, "spiffe://"},
        {"", "i", "", OCV_NO_MATCHING_RULE, "empty"},
        /* the most specific level decides */
        {"spiffe://d.example/x/y/z", "i", "exact-deep", OCV_OK, NULL},
        {"spiffe://d.example/x/y/w", "i", "deep", OCV_OK, NULL},
        {"spiffe://d.example/x/y", "i", "domain", OCV_OK, NULL},
        {"spiffe://d.example/x/y/z/w", "i", "deep", OCV_OK, NULL},
        /* same level: first in file order that trusts the issuer */
        {"spiffe://e/j/1", "i", "first-j", OCV_OK, NULL},
        {"spiffe://e/j/1", "m", "second-j", OCV_OK, NULL},
        /* a broader rule trusting "n" is not consulted */
        {"spiffe://e/j/1", "n", "", OCV_ISSUER_NOT_ALLOWED, NULL},
        {"spiffe://e/other", "n", "broad-e", OCV_OK, NULL},
        {"db.prod.example", "i", "opaque", OCV_OK, NULL},
        {"CN=legacy", "i", "opaque", OCV_OK, NULL},
        {"DB.prod.example", "i", "", OCV_NO_MATCHING_RULE, NULL},
        {"db.prod.exampl", "i", "", OCV_NO_MATCHING_RULE, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_policy_query q = {
            cases[i].subject, OCV_CREDENTIAL_JWT, cases[i].issuer, NULL, NULL, NULL, 0};
        size_t index = 99;
        const uint32_t *level = NULL;
        size_t level_count = 0;
        char detail[512] = "";
        ocv_reason r =
            ocv_policy_select(p, &q, &index, &level, &level_count, detail, sizeof(detail));
        const char *got = r == OCV_OK ? ocv_policy_rule_at(p, index)->id : "";
        if (r != cases[i].want || strcmp(got, cases[i].rule) != 0 ||
            (cases[i].detail != NULL && strstr(detail, cases[i].detail) == NULL))
            fail_msg("'%s' issuer %s: %s rule '%s' (%s), want %s '%s' with '%s'", cases[i].subject,
                     cases[i].issuer, ocv_reason_name(r), got, detail,
                     ocv_reason_name(cases[i].want), cases[i].rule,
                     cases[i].detail ? cases[i].detail : "");
    }
    const uint32_t *rules = NULL;
    assert_int_equal(ocv_policy_rules_naming(p, "spiffe://e/j/*", &rules), 2);
    assert_int_equal(rules[0], 5);
    assert_int_equal(rules[1], 6);
    assert_int_equal(ocv_policy_rules_naming(p, "spiffe://e/j", &rules), 0);
    assert_int_equal(ocv_policy_rules_naming(p, "db.prod.example", &rules), 1);
    ocv_policy_free(p);
}

/* The table in docs/policy.md "Which rule decides". */
static void documented_precedence(void **state)
{
    (void)state;
    ocv_policy *p =
        load("{\"version\": 1, \"rules\": [\n"
             " {\"id\": \"a\", \"subjects\": [\"spiffe://td/ns/*\"], \"issuers\": [\"I\"], "
             "\"purposes\": [\"p\"]},\n"
             " {\"id\": \"b\", \"subjects\": [\"spiffe://td/ns/pay/*\"], \"issuers\": "
             "[\"I\"], \"purposes\": [\"p\"]},\n"
             " {\"id\": \"c\", \"subjects\": [\"spiffe://td/ns/pay/admin\"], \"issuers\": "
             "[\"J\"], \"purposes\": [\"p\"]}]}");
    static const struct {
        const char *subject, *issuer, *rule;
        ocv_reason want;
    } cases[] = {
        {"spiffe://td/ns/web/x", "I", "a", OCV_OK},
        {"spiffe://td/ns/pay/api", "I", "b", OCV_OK},
        {"spiffe://td/ns/pay/admin", "J", "c", OCV_OK},
        {"spiffe://td/ns/pay/admin", "I", "", OCV_ISSUER_NOT_ALLOWED},
        {"spiffe://td/ns/pay", "I", "a", OCV_OK},
        {"spiffe://td/other/x", "I", "", OCV_NO_MATCHING_RULE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_policy_query q = {
            cases[i].subject, OCV_CREDENTIAL_CWT, cases[i].issuer, NULL, NULL, NULL, 0};
        ocv_policy_result res;
        ocv_reason r = ocv_policy_explain(p, &q, "p", NULL, &res);
        if (r != cases[i].want || strcmp(res.rule, cases[i].rule) != 0)
            fail_msg("%s %s: %s '%s'", cases[i].subject, cases[i].issuer, ocv_reason_name(r),
                     res.rule);
    }
    ocv_policy_free(p);
}

static void bad_patterns(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *why;
    } cases[] = {
        {"spiffe://a/b/", "trailing slash"},
        {"spiffe://a/", "trailing slash"},
        {"spiffe://a//b", "empty path segment"},
        {"spiffe://a/b*", "'*'"},
        {"spiffe://a/*/b", "'*'"},
        {"spiffe://a/**", "'*'"},
        {"spiffe://*/b", "'*'"},
        {"spiffe://a*/b", "'*'"},
        {"spiffe://a/b/*/", "'*'"},
        {"*", "'*'"},
        {"db.*.example", "'*'"},
        {"spiffe://a/%62", "percent-encoding"},
        {"spiffe://a%2e/b", "percent-encoding"},
        {"spiffe://A/b", "upper case"},
        {"spiffe://a.Example/b", "upper case"},
        {"SPIFFE://a/b", "lower case"},
        {"spiffe://a/./b", "\".\""},
        {"spiffe://a/b/..", "\"..\""},
        {"spiffe://a/b#f", "fragment"},
        {"spiffe://a:443/b", "port"},
        {"spiffe://u@a/b", "user info"},
        {"spiffe://a/b c", "character not allowed"},
        {"spiffe:///b", "empty trust domain"},
        {"spiffe:/a/b", "spiffe://"},
        {"has space", "printable ASCII"},
        {"tab\\there", "printable ASCII"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "{\"version\": 1, \"rules\": [{\"id\": \"r\", \"subjects\": [\"ok.example\", "
                 "\"%s\"], \"issuers\": [\"i\"], \"purposes\": [\"p\"]}]}",
                 cases[i].pattern);
        /* the position is the bad entry's, the second of the list */
        char mark[64];
        snprintf(mark, sizeof(mark), "\"%s\"", cases[i].pattern);
        load_fails_at(text, mark, cases[i].why);
    }
    char longid[2300] = "{\"version\": 1, \"rules\": [{\"id\": \"r\", \"subjects\": [\"spiffe://a/";
    size_t n = strlen(longid);
    memset(longid + n, 'x', 2100);
    snprintf(longid + n + 2100, sizeof(longid) - n - 2100, "%s",
             "\"], \"issuers\": [\"i\"], \"purposes\": [\"p\"]}]}");
    load_fails_at(longid, "\"spiffe://a/", "longer than 2048");
}

/* ---- hostile and malformed files ------------------------------------------------ */

static void errors_have_positions(void **state)
{
    (void)state;
    const char *multi = "{\"version\": 1,\n"
                        " \"rules\": [\n"
                        "  {\"id\": \"a\",\n"
                        "   \"subjects\": [\"spiffe://a/b\"],\n"
                        "   \"issuers\": [\"x\"],\n"
                        "   \"purposes\": [\"p\"],\n"
                        "   \"max_ttl\": \"forever\"}]}\n";
    load_fails(multi, 7, 15, "rules[0].max_ttl: \"forever\" is not a duration");
    /* columns count characters: the two-byte é counts once */
    load_fails("{\"description\": \"caf\xc3\xa9\", \"version\": 2, \"rules\": []}", 1, 36,
               "version: must be 1");
    /* mark: the error is at its first occurrence; NULL: jansson's syntax
     * errors, position not asserted here */
    static const struct {
        const char *text, *mark, *want;
    } cases[] = {
        {"{\"version\": 1, \"rules\": [], \"extra\": 1}", "\"extra\"", "extra: unknown member"},
        {"{\"version\": \"1\", \"rules\": []}", "\"1\"", "version: must be 1"},
        {"{\"version\": 1.0, \"rules\": []}", "1.0", "version: must be 1"},
        {"{\"rules\": []}", "{", "\"version\": 1 is required"},
        {"{\"version\": 1}", "{", "\"rules\" is required"},
        {"[1, 2]", "[", "must be a JSON object"},
        {"{\"version\": 1, \"rules\": {}}", "{}", "rules: must be an array"},
        {"{\"version\": 1, \"rules\": [5]}", "5]", "rules[0]: a rule must be an object"},
        {"{\"version\": 1, \"rules\": [{}]}", "{}]", "a rule needs \"id\""},
        {"{\"version\": 1, \"rules\": [{\"id\": 7}]}", "7}", "rules[0].id: a rule id"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a b\"}]}", "\"a b\"", "rules[0].id"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"subjects\": \"spiffe://a/b\"}]}",
         "\"spiffe://a/b\"", "must be an array of strings, not a string"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"subjects\": []}]}", "[]}",
         "must not be empty"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"subjects\": [1]}]}", "1]",
         "entries must be strings, not a number"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"issuers\": [\"\"]}]}", "\"\"",
         "empty string"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"issuers\": [\"sha256:abc\"]}]}",
         "\"sha256:abc\"", "64 hex digits"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"purposes\": [\"db read\"]}]}",
         "\"db read\"", "without spaces"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"require_pop\": \"yes\"}]}", "\"yes\"",
         "must be true or false, not a string"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"credential_types\": [\"saml\"]}]}",
         "\"saml\"", "not \"x509\""},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"credential_types\": [\"jwt\", "
         "\"jwt\"]}]}",
         "\"jwt\"]", "listed twice"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"algorithms\": [\"none\"]}]}", "\"none\"",
         "not an algorithm"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"algorithms\": [\"HS256\"]}]}", "\"HS256\"",
         "not an algorithm"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"max_ttl\": \"-5m\"}]}", "\"-5m\"",
         "not a duration"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"max_ttl\": \"99999d\"}]}", "\"99999d\"",
         "longer than the limit of 3650d"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"revocation\": []}]}", "[]}",
         "must be an object"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"revocation\": {\"grace\": \"1h\"}}]}",
         "\"grace\"", "rules[0].revocation.grace: unknown member"},
        {"{\"version\": 1, \"rules\": [{\"id\": \"a\", \"revocation\": {\"allow_stale\": 60}}]}",
         "60}", "must be a duration string"},
        {"{\"version\": 1, \"rules\": [], \"defaults\": 3}", "3}", "defaults: must be an object"},
        {"{\"version\": 1, \"rules\": [], \"defaults\": {\"max_ttl\": null}}", "null",
         "defaults.max_ttl: must be a duration string such as \"90s\", \"15m\", \"1h\" or "
         "\"7d\", not null"},
        {"{\"version\": 1, \"rules\": [], \"defaults\": {\"ttl\": \"1h\"}}", "\"ttl\"",
         "defaults.ttl: unknown member"},
        {"{\"version\": 1, \"rules\": [], \"defaults\": {\"require_revocation\": 1}}", "1}",
         "true or false"},
        {"{\"version\": 1, \"rules\": [], \"description\": {}}", "{}", "must be a string"},
        /* syntax errors: jansson's message and position */
        {"{\"version\": 1, \"rules\": [}", "}", "'}'"},
        {"{\"version\": 1, \"rules\": [\"\\u0000\"]}", NULL, "NUL"},
        {"{\"version\": 1, \"rules\": [\"\xff\"]}", NULL, "unable to decode byte 0xff"},
        {"{\"version\": 1, \"rules\": []} trailing", NULL, "end of file expected"},
        {"", NULL, "'[' or '{' expected"},
        {"{\"version\": 1e999, \"rules\": []}", NULL, "overflow"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        load_fails_at(cases[i].text, cases[i].mark, cases[i].want);
    load_fails("{\"version\": 1,\n \"version\": 1, \"rules\": []}", 2, 10, "duplicate object key");
}

static void duplicates(void **state)
{
    (void)state;
    const char *ids = "{\"version\": 1, \"rules\": [\n"
                      "  {\"id\": \"r1\", \"subjects\": [\"spiffe://a/b\"], \"issuers\": [\"i\"], "
                      "\"purposes\": [\"p\"]},\n"
                      "  {\"subjects\": [\"spiffe://a/c\"], \"id\": \"r1\", \"issuers\": [\"i\"], "
                      "\"purposes\": [\"p\"]}]}";
    load_fails(ids, 3, 40, "duplicate rule id \"r1\" (first at line 2, column 3)");
    const char *subjects =
        "{\"version\": 1, \"rules\": [\n"
        "  {\"id\": \"r1\", \"subjects\": [\"spiffe://a/b/*\", \"spiffe://a/c\", "
        "\"spiffe://a/b/*\"], \"issuers\": [\"i\"], \"purposes\": [\"p\"]}]}";
    load_fails(subjects, 2, 63, "\"spiffe://a/b/*\" is listed twice");
    const char *keys = "{\"version\": 1, \"rules\": [\n"
                       "  {\"id\": \"r1\", \"id\": \"r2\"}]}";
    load_fails(keys, 2, 19, "duplicate object key");
}

static void deep_nesting(void **state)
{
    (void)state;
    char text[4096];
    for (size_t depth = 30; depth <= 2000; depth += 985) {
        size_t n = 0;
        n += (size_t)snprintf(text, sizeof(text), "{\"version\": 1, \"rules\": [");
        for (size_t i = 0; i < depth; i++)
            text[n++] = '[';
        for (size_t i = 0; i < depth; i++)
            text[n++] = ']';
        snprintf(text + n, sizeof(text) - n, "]}");
        /* 2 levels for the object and rules; the limit is 32 */
        if (depth + 2 <= 32)
            load_fails(text, 1, 26, "rules[0]: a rule must be an object, not an array");
        else
            load_fails(text, 1, 56, "nesting deeper than the limit (32)");
    }
    /* brackets inside strings are not nesting */
    char quoted[512] = "{\"version\": 1, \"description\": \"";
    size_t n = strlen(quoted);
    memset(quoted + n, '[', 100);
    snprintf(quoted + n + 100, sizeof(quoted) - n - 100, "\", \"rules\": []}");
    ocv_policy *p = load(quoted);
    assert_int_equal(ocv_policy_rule_count(p), 0);
    ocv_policy_free(p);
}

static char *many_rules(size_t count, const char *extra)
{
    size_t cap = count * 200 + 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "{\"version\": 1, \"rules\": [\n");
    for (size_t i = 0; i < count; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"id\": \"r%zu\", \"subjects\": "
                              "[\"spiffe://prod.example/ns/n%zu/*\"], \"issuers\": [\"" ISS
                              "\"], \"purposes\": [\"db:read\"], \"max_ttl\": \"15m\"}\n",
                              i ? "," : "", i, i);
    snprintf(text + n, cap - n, "%s]}", extra);
    return text;
}

static void hundred_thousand_rules(void **state)
{
    (void)state;
    char *text = many_rules(100000, "");
    ocv_policy *p = load(text);
    assert_int_equal(ocv_policy_rule_count(p), 100000);
    const ocv_policy_rule *last = ocv_policy_rule_at(p, 99999);
    assert_string_equal(last->id, "r99999");
    assert_int_equal(last->line, 100001);
    assert_int_equal(last->column, 2);
    assert_null(ocv_policy_rule_at(p, 100000));
    ocv_claims c;
    ocv_policy_input in;
    ocv_policy_result res;
    base_claims(TOKEN, &c);
    base_input(&in, &c);
    in.audience = NULL;
    SET(c.subject, "spiffe://prod.example/ns/n77777/api");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_string_equal(res.rule, "r77777");
    SET(c.subject, "spiffe://prod.example/ns/n100000/api");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_NO_MATCHING_RULE);
    ocv_policy_free(p);
    free(text);

    /* an error in the last of them still has its place */
    text = many_rules(100000, ",{\"id\": \"r5\", \"subjects\": [\"x\"], \"issuers\": [\"i\"], "
                              "\"purposes\": [\"p\"]}\n");
    load_fails(text, 100002, 9, "duplicate rule id \"r5\" (first at line 7, column 2)");
    free(text);
}

static void limits(void **state)
{
    (void)state;
    /* more rules than the limit: refused before any is read */
    size_t count = OCV_POLICY_MAX_RULES + 1;
    char *text = malloc(count * 2 + 64);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, 64, "{\"version\": 1, \"rules\": [");
    for (size_t i = 0; i < count; i++) {
        text[n++] = '0';
        text[n++] = ',';
    }
    memcpy(text + n - 1, "]}", 3);
    load_fails(text, 1, 25, "more than 200000 rules");
    free(text);

    /* more JSON values than the limit: refused before jansson runs */
    count = OCV_POLICY_MAX_VALUES + 1;
    text = malloc(count * 2 + 64);
    assert_non_null(text);
    n = (size_t)snprintf(text, 64, "{\"version\": 1, \"rules\": [], \"description\": [");
    for (size_t i = 0; i < count; i++) {
        text[n++] = '0';
        text[n++] = ',';
    }
    memcpy(text + n - 1, "]}", 3);
    load_fails(text, 0, 0, "more JSON values than the limit");
    free(text);

    /* a list longer than its limit */
    size_t cap = OCV_POLICY_MAX_LIST * 6 + 256;
    text = malloc(cap);
    assert_non_null(text);
    n = (size_t)snprintf(text, cap, "{\"version\": 1, \"rules\": [{\"id\": \"a\", \"purposes\": [");
    for (size_t i = 0; i <= OCV_POLICY_MAX_LIST; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s\"p\"", i ? "," : "");
    snprintf(text + n, cap - n, "]}]}");
    load_fails_at(text, "[\"p\"", "more than 4096 entries");
    free(text);

    /* larger than the byte limit: TOO_LARGE, never read in part */
    size_t big = OCV_POLICY_MAX_BYTES + 1;
    uint8_t *bytes = calloc(1, big);
    assert_non_null(bytes);
    ocv_policy *p = (ocv_policy *)1;
    char err[256];
    assert_reason(ocv_policy_parse("big.json", bytes, big, &p, err, sizeof(err)), OCV_TOO_LARGE);
    assert_null(p);
    free(bytes);
    p = (ocv_policy *)1;
    assert_reason(ocv_policy_parse("x", NULL, 5, &p, err, sizeof(err)), OCV_INTERNAL_ERROR);
    assert_null(p);
    assert_reason(ocv_policy_load("/nonexistent/policy.json", &p, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_null(p);
    assert_non_null(strstr(err, "/nonexistent/policy.json"));
}

/* Every truncation of a valid policy is refused with a position. */
static void truncations(void **state)
{
    (void)state;
    size_t len = strlen(POLICY);
    for (size_t cut = 0; cut + 1 < len; cut++) { /* the last byte is a newline */
        ocv_policy *p = NULL;
        char err[512] = "";
        ocv_reason r =
            ocv_policy_parse("policy.json", (const uint8_t *)POLICY, cut, &p, err, sizeof(err));
        if (r != OCV_CONFIG_INVALID || p != NULL || strncmp(err, "policy.json:", 12) != 0)
            fail_msg("cut at %zu: %s %s", cut, ocv_reason_name(r), err);
    }
}

static void defaults_and_rules_read_back(void **state)
{
    (void)state;
    ocv_policy *p = load(POLICY);
    const ocv_policy_defaults *d = ocv_policy_get_defaults(p);
    assert_true(d->has_max_ttl);
    assert_int_equal(d->max_ttl, 3600);
    assert_int_equal(d->clock_skew, 60);
    assert_int_equal(d->revocation_max_age, 86400);
    assert_false(d->require_revocation);
    assert_int_equal(ocv_policy_rule_count(p), 4);
    const ocv_policy_rule *r = ocv_policy_rule_at(p, 0);
    assert_string_equal(r->id, "payments-db");
    assert_int_equal(r->line, 4);
    assert_int_equal(r->column, 3);
    assert_string_equal(r->subjects[0], "spiffe://prod.example/ns/payments/*");
    assert_int_equal(r->issuer_count, 2);
    assert_int_equal(r->max_ttl, 900);
    assert_int_equal(r->allow_stale, 1800);
    ocv_policy_effective eff;
    ocv_policy_effective_of(p, ocv_policy_rule_at(p, 1), &eff);
    assert_int_equal(eff.max_ttl, 3600); /* from defaults */
    assert_true(eff.require_pop);
    assert_int_equal(eff.algorithms, OCV_POLICY_ALG_BIT(OCV_ALG_ES256));
    assert_int_equal(eff.revocation_max_age, 86400);
    assert_int_equal(ocv_policy_rule_at(p, 2)->types, OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_JWT) |
                                                          OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_CWT));
    ocv_policy_free(p);
    ocv_policy_free(NULL);
    assert_int_equal(ocv_policy_rule_count(NULL), 0);

    /* sha256: issuers are stored in lower case and match the claims' hex */
    p = load("{\"version\": 1, \"rules\": [{\"id\": \"a\", \"subjects\": [\"spiffe://a/b\"], "
             "\"issuers\": "
             "[\"sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"], "
             "\"purposes\": [\"p\"]}]}");
    assert_string_equal(ocv_policy_rule_at(p, 0)->issuers[0], "sha256:" ROOT_SHA);
    ocv_claims c;
    ocv_policy_input in;
    ocv_policy_result res;
    base_claims(CERT, &c);
    base_input(&in, &c);
    SET(c.subject, "spiffe://a/b");
    in.purpose = "p";
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    ocv_policy_free(p);

    char text[64];
    static const struct {
        int64_t s;
        const char *want;
    } durations[] = {{0, "0s"}, {59, "59s"}, {90, "1m30s"}, {3600, "1h"}, {86400 + 60, "1d1m"}};
    for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
        ocv_policy_format_duration(durations[i].s, text, sizeof(text));
        assert_string_equal(text, durations[i].want);
    }
    assert_int_equal(ocv_policy_alg_from_name("EdDSA"), OCV_ALG_EDDSA);
    assert_int_equal(ocv_policy_alg_from_name("none"), OCV_ALG_NONE);
}

/* Evaluations share one read-only policy. */
typedef struct thread_arg {
    const ocv_policy *p;
    int kind;
    int failures;
} thread_arg;

static void *evaluate_many(void *arg)
{
    thread_arg *a = arg;
    for (int i = 0; i < 2000; i++) {
        ocv_claims c;
        ocv_policy_input in;
        ocv_policy_result res;
        base_claims(a->kind, &c);
        base_input(&in, &c);
        if (i % 2)
            in.purpose = "db:write";
        ocv_reason want = i % 2 ? OCV_PURPOSE_NOT_ALLOWED : OCV_OK;
        if (ocv_policy_evaluate(a->p, &in, &res) != want || strcmp(res.rule, "payments-db") != 0)
            a->failures++;
    }
    return NULL;
}

static void concurrent_evaluations(void **state)
{
    (void)state;
    ocv_policy *p = load(POLICY);
    pthread_t threads[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){p, i % 2 ? CERT : TOKEN, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, evaluate_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    ocv_policy_free(p);
}

static void load_from_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/ocv-policy-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/policy.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(POLICY, f);
    fclose(f);
    ocv_policy *p = NULL;
    char err[256] = "";
    assert_reason(ocv_policy_load(path, &p, err, sizeof(err)), OCV_OK);
    assert_int_equal(ocv_policy_rule_count(p), 4);
    ocv_policy_free(p);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"version\": 1,\n \"rules\": 5}", f);
    fclose(f);
    assert_reason(ocv_policy_load(path, &p, err, sizeof(err)), OCV_CONFIG_INVALID);
    char want[160];
    snprintf(want, sizeof(want), "%s:2:11: rules: must be an array", path);
    assert_string_equal(strstr(err, want) == err ? want : err, want);
    remove(path);
    rmdir(dir);
}

/* Rules name trust sources (docs/trust.md): a source-scoped credential
 * matches the source's name, its trust domain, the iss it is bound to, or
 * its anchor; a JWT-SVID's iss is no issuer identity; a token's iss never
 * matches a sha256: (anchor key) entry. */
static void issuers_name_trust_sources(void **state)
{
    (void)state;
    ocv_policy *p = load("{\"version\": 1, \"rules\": [\n"
                         " {\"id\": \"by-name\", \"subjects\": [\"spiffe://b.example/ns/pay/*\"],\n"
                         "  \"issuers\": [\"td-b\"], \"purposes\": [\"p\"]},\n"
                         " {\"id\": \"by-td\", \"subjects\": [\"spiffe://a.example/ns/web/*\"],\n"
                         "  \"issuers\": [\"spiffe://a.example\"], \"purposes\": [\"p\"]},\n"
                         " {\"id\": \"by-hash\", \"subjects\": [\"spiffe://c.example/x\"],\n"
                         "  \"issuers\": [\"sha256:" ROOT_SHA "\"], \"purposes\": [\"p\"]}]}\n");
    ocv_claims c;
    ocv_policy_input in;
    ocv_policy_result res;
    base_claims(TOKEN, &c);
    base_input(&in, &c);
    in.purpose = "p";
    in.audience = NULL;
    SET(c.subject, "spiffe://b.example/ns/pay/api");
    /* the unnamed source of the old flags: the iss string, as before */
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_ISSUER_NOT_ALLOWED);
    SET(c.issuer, "td-b");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    /* a named OIDC source: its name matches, whatever the iss */
    SET(c.issuer, ISS);
    c.trust_kind = OCV_TRUST_OIDC;
    SET(c.trust_source, "td-b");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    SET(c.trust_source, "td-a");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_ISSUER_NOT_ALLOWED);
    /* a SPIFFE source: the trust domain matches, the iss never does */
    SET(c.subject, "spiffe://a.example/ns/web/x");
    c.trust_kind = OCV_TRUST_SPIFFE;
    SET(c.trust_source, "td-a");
    SET(c.trust_domain, "spiffe://a.example");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    assert_string_equal(res.rule, "by-td");
    SET(c.trust_domain, "spiffe://b.example");
    SET(c.issuer, "spiffe://a.example");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_ISSUER_NOT_ALLOWED);
    /* a token whose iss is an anchor's key hash: never an anchor */
    SET(c.subject, "spiffe://c.example/x");
    c.trust_kind = OCV_TRUST_UNNAMED;
    c.trust_source[0] = c.trust_domain[0] = 0;
    SET(c.issuer, "sha256:" ROOT_SHA);
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_ISSUER_NOT_ALLOWED);
    /* the certificate under that anchor does match, named or not */
    base_claims(CERT, &c);
    SET(c.subject, "spiffe://c.example/x");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    c.trust_kind = OCV_TRUST_CA;
    SET(c.trust_source, "corp");
    assert_reason(ocv_policy_evaluate(p, &in, &res), OCV_OK);
    ocv_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_reason_for_certs_and_tokens),
        cmocka_unit_test(stale_allowance_is_recorded),
        cmocka_unit_test(explain_checks_in_order),
        cmocka_unit_test(issuers_name_trust_sources),
        cmocka_unit_test(matching),
        cmocka_unit_test(documented_precedence),
        cmocka_unit_test(bad_patterns),
        cmocka_unit_test(errors_have_positions),
        cmocka_unit_test(duplicates),
        cmocka_unit_test(deep_nesting),
        cmocka_unit_test(hundred_thousand_rules),
        cmocka_unit_test(limits),
        cmocka_unit_test(truncations),
        cmocka_unit_test(defaults_and_rules_read_back),
        cmocka_unit_test(concurrent_evaluations),
        cmocka_unit_test(load_from_file),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
