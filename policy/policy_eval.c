/*
 * policy_eval.c - choosing a rule and running the checks (policy.h).
 *
 * Implementation notes
 *
 * Rule choice costs at most 1 + (path segments) hash lookups: the exact
 * table with the whole identity, then the prefix table with the identity
 * cut at each '/', longest first. The first hit is the deciding level;
 * its postings (rules in file order) are scanned for the first that
 * trusts the issuer and covers the type. Levels are usually a handful of
 * rules, so the scan is short; a policy that piles thousands of rules on
 * one identity pays for it only on that identity (lint reports the
 * shadowed ones).
 *
 * A result always lists every check: the ones after a failure as SKIPPED,
 * so --explain output has the same shape for every decision.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/spiffe.h"
#include "base/util.h"
#include "policy/policy_internal.h"

enum { CHECK_RULE, CHECK_PURPOSE, CHECK_AUDIENCE, CHECK_ALG, CHECK_TTL, CHECK_POP, CHECK_REV };

static const char *const CHECK_NAMES[OCV_POLICY_CHECKS] = {
    "policy.rule", "policy.purpose", "policy.audience",  "policy.algorithm",
    "policy.ttl",  "policy.pop",     "policy.revocation"};

void ocv_policy_input_init(ocv_policy_input *input)
{
    memset(input, 0, sizeof(*input));
}

static void result_init(ocv_policy_result *res)
{
    memset(res, 0, sizeof(*res));
    res->reason = OCV_INTERNAL_ERROR;
}

static void record(ocv_policy_result *res, ocv_check_outcome outcome, ocv_reason reason,
                   const char *detail)
{
    if (res->check_count >= OCV_POLICY_CHECKS)
        return;
    ocv_check_entry *e = &res->checks[res->check_count];
    e->name = CHECK_NAMES[res->check_count];
    e->outcome = outcome;
    e->reason = reason;
    ocv_strlcpy(e->detail, detail, sizeof(e->detail));
    res->check_count++;
}

static void pass(ocv_policy_result *res, const char *fmt, ...) OCV_PRINTF(2, 3);
static void pass(ocv_policy_result *res, const char *fmt, ...)
{
    char detail[OCV_MAX_DETAIL_BYTES];
    detail[0] = 0; /* not "= \"\"": that clears all 512 bytes, seven times a decision */
    if (!res->explained) {
        record(res, OCV_CHECK_PASS, OCV_OK, detail);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    record(res, OCV_CHECK_PASS, OCV_OK, detail);
}

static void skip_rest(ocv_policy_result *res, const char *why)
{
    while (res->check_count < OCV_POLICY_CHECKS)
        record(res, OCV_CHECK_SKIPPED, OCV_OK, why);
}

/* Records the failing check, skips the rest; returns the reason. */
static ocv_reason deny(ocv_policy_result *res, ocv_reason reason, const char *fmt, ...)
    OCV_PRINTF(3, 4);
static ocv_reason deny(ocv_policy_result *res, ocv_reason reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
    record(res, OCV_CHECK_FAIL, reason, res->detail);
    skip_rest(res, "not run: an earlier check denied");
    res->reason = reason;
    return reason;
}

/* "a, b, c" (as many as fit, then "...") */
static void join(const char *const *items, size_t count, char *out, size_t out_len)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < count; i++) {
        int w = snprintf(out + n, out_len - n, "%s%s", i ? ", " : "", items[i]);
        if (w < 0 || (size_t)w >= out_len - n) {
            if (out_len > 4)
                memcpy(out + out_len - 4, "...", 4);
            return;
        }
        n += (size_t)w;
    }
}

static int in_list(const char *const *items, size_t count, const char *s)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(items[i], s) == 0)
            return 1;
    }
    return 0;
}

static int in_claims(const char (*items)[OCV_MAX_AUDIENCE_BYTES + 1], size_t count, const char *s)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(items[i], s) == 0)
            return 1;
    }
    return 0;
}

static int in_purposes(const ocv_claims *c, const char *s)
{
    for (size_t i = 0; i < c->purpose_count && i < OCV_MAX_PURPOSES; i++) {
        if (strcmp(c->purposes[i], s) == 0)
            return 1;
    }
    return 0;
}

static const char *type_name(ocv_credential_type t)
{
    switch (t) {
    case OCV_CREDENTIAL_X509:
        return "x509";
    case OCV_CREDENTIAL_JWT:
        return "jwt";
    case OCV_CREDENTIAL_CWT:
        return "cwt";
    case OCV_CREDENTIAL_AUTO:
        return "any";
    }
    return "any";
}

void ocv_policy_effective_of(const ocv_policy *policy, const ocv_policy_rule *rule,
                             ocv_policy_effective *out)
{
    const ocv_policy_defaults *d = &policy->defaults;
    memset(out, 0, sizeof(*out));
    out->algorithms = rule->algorithms ? rule->algorithms : d->algorithms;
    out->has_max_ttl = rule->has_max_ttl || d->has_max_ttl;
    out->max_ttl = rule->has_max_ttl ? rule->max_ttl : d->max_ttl;
    out->require_pop = rule->has_require_pop ? rule->require_pop : d->require_pop;
    out->has_revocation_max_age = rule->has_revocation_max_age || d->has_revocation_max_age;
    out->revocation_max_age =
        rule->has_revocation_max_age ? rule->revocation_max_age : d->revocation_max_age;
    out->allow_stale = rule->allow_stale;
    out->require_revocation =
        rule->has_require_revocation ? rule->require_revocation : d->require_revocation;
}

/* ---- rule choice -------------------------------------------------------- */

static const ocv_strmap_entry *find_level(const ocv_policy *p, const ocv_spiffe_id *id,
                                          size_t *prefix_len)
{
    *prefix_len = 0;
    const ocv_strmap_entry *e = ocv_strmap_find(&p->exact, id->text, id->len);
    if (e != NULL || id->kind != OCV_SPIFFE_EXACT)
        return e;
    size_t end = id->len;
    for (;;) {
        size_t q = end;
        while (q > id->td_end && id->text[q - 1] != '/')
            q--;
        if (q == id->td_end)
            return NULL;
        size_t slash = q - 1;
        e = ocv_strmap_find(&p->prefix, id->text, slash);
        if (e != NULL) {
            *prefix_len = slash;
            return e;
        }
        end = slash;
    }
}

static int entry_is(const char *entry, const char *value)
{
    return value != NULL && value[0] != 0 && strcmp(entry, value) == 0;
}

/*
 * Whether a rule trusts the credential's issuer. A source-scoped query
 * (the credential was vouched for by a named trust source) matches the
 * source's name, its trust domain, the token iss the source is bound to,
 * or the anchor (DN or "sha256:" key hash). Unscoped (the unnamed source
 * of the old flags, or `policy explain`): the issuer string as before,
 * except that a "sha256:" entry names an anchor key and so never matches
 * a token's iss.
 */
static int issuer_accepts(const ocv_policy_rule *rule, const ocv_policy_query *q)
{
    if (!q->scoped && q->issuer == NULL)
        return 1;
    int anchor = q->anchor_sha256 != NULL && q->anchor_sha256[0] != 0;
    for (size_t i = 0; i < rule->issuer_count; i++) {
        const char *e = rule->issuers[i];
        int is_hash = strncmp(e, "sha256:", 7) == 0;
        if (entry_is(e, q->source) || entry_is(e, q->trust_domain))
            return 1;
        if (!is_hash && entry_is(e, q->issuer))
            return 1;
        if (anchor && is_hash && strcmp(e + 7, q->anchor_sha256) == 0)
            return 1;
    }
    return 0;
}

static int type_covered(const ocv_policy_rule *rule, ocv_credential_type t)
{
    return t == OCV_CREDENTIAL_AUTO || rule->types == 0 ||
           (rule->types & OCV_POLICY_TYPE_BIT(t)) != 0;
}

ocv_reason ocv_policy_select(const ocv_policy *policy, const ocv_policy_query *query,
                             size_t *rule_index, const uint32_t **level, size_t *level_count,
                             char *detail, size_t detail_len)
{
    if (policy == NULL || query == NULL || query->subject == NULL || rule_index == NULL ||
        level == NULL || level_count == NULL)
        return OCV_INTERNAL_ERROR;
    *level = NULL;
    *level_count = 0;
    ocv_spiffe_id id;
    const char *why = "invalid";
    if (ocv_spiffe_parse(query->subject, OCV_SPIFFE_SUBJECT, &id, &why) != OCV_OK) {
        ocv_errf(detail, detail_len, "the identity '%.200s' is not valid: %s", query->subject, why);
        return OCV_NO_MATCHING_RULE;
    }
    size_t prefix_len = 0;
    const ocv_strmap_entry *e = find_level(policy, &id, &prefix_len);
    if (e == NULL) {
        ocv_errf(detail, detail_len, "no rule names '%.300s'", id.text);
        return OCV_NO_MATCHING_RULE;
    }
    const uint32_t *rules = policy->postings + e->first;
    *level = rules;
    *level_count = e->count;
    int issuer_seen = 0;
    for (size_t i = 0; i < e->count; i++) {
        const ocv_policy_rule *rule = &policy->rules[rules[i]];
        if (!issuer_accepts(rule, query))
            continue;
        issuer_seen = 1;
        if (type_covered(rule, query->type)) {
            *rule_index = rules[i];
            if (prefix_len > 0)
                ocv_errf(detail, detail_len, "rule '%s' (line %lu): '%.*s/*' covers '%.200s'",
                         rule->id, rule->line, (int)prefix_len, id.text, id.text);
            else
                ocv_errf(detail, detail_len, "rule '%s' (line %lu) names '%.300s'", rule->id,
                         rule->line, id.text);
            return OCV_OK;
        }
    }
    const ocv_policy_rule *first = &policy->rules[rules[0]];
    if (!issuer_seen) {
        ocv_errf(detail, detail_len,
                 "rule '%s'%s covers '%.200s' but does not trust issuer '%.200s'", first->id,
                 e->count > 1 ? " (and the others at its level)" : "", id.text,
                 query->source != NULL && query->source[0] ? query->source
                 : query->issuer != NULL                   ? query->issuer
                                                           : "");
        return OCV_ISSUER_NOT_ALLOWED;
    }
    ocv_errf(detail, detail_len,
             "the rules covering '%.200s' that trust its issuer do not cover "
             "%s credentials",
             id.text, type_name(query->type));
    return OCV_NO_MATCHING_RULE;
}

size_t ocv_policy_rules_naming(const ocv_policy *policy, const char *entry, const uint32_t **rules)
{
    *rules = NULL;
    ocv_spiffe_id id;
    const char *why = NULL;
    if (policy == NULL || ocv_spiffe_parse(entry, OCV_SPIFFE_PATTERN, &id, &why) != OCV_OK)
        return 0;
    const ocv_strmap *map = id.kind == OCV_SPIFFE_PREFIX ? &policy->prefix : &policy->exact;
    const ocv_strmap_entry *e = ocv_strmap_find(map, id.text, id.len);
    if (e == NULL)
        return 0;
    *rules = policy->postings + e->first;
    return e->count;
}

/* ---- the checks ------------------------------------------------------------ */

static ocv_reason check_rule(const ocv_policy *p, const ocv_policy_query *q, ocv_policy_result *res,
                             const ocv_policy_rule **out)
{
    char detail[OCV_MAX_DETAIL_BYTES] = "";
    size_t index = 0, count = 0;
    const uint32_t *level = NULL;
    /* the detail costs more than the lookup: written only when shown */
    ocv_reason r = ocv_policy_select(p, q, &index, &level, &count, res->explained ? detail : NULL,
                                     sizeof(detail));
    if (r != OCV_OK && !res->explained)
        r = ocv_policy_select(p, q, &index, &level, &count, detail, sizeof(detail));
    if (r != OCV_OK)
        return deny(res, r, "%s", detail);
    *out = &p->rules[index];
    ocv_strlcpy(res->rule, (*out)->id, sizeof(res->rule));
    res->rule_index = index;
    pass(res, "%s", detail);
    return OCV_OK;
}

static ocv_reason check_purpose(const ocv_policy_rule *rule, const ocv_claims *claims,
                                const char *purpose, ocv_policy_result *res)
{
    char list[256];
    if (purpose == NULL || purpose[0] == 0)
        return deny(res, OCV_PURPOSE_NOT_ALLOWED, "the request names no purpose");
    if (!in_list(rule->purposes, rule->purpose_count, purpose)) {
        join(rule->purposes, rule->purpose_count, list, sizeof(list));
        return deny(res, OCV_PURPOSE_NOT_ALLOWED,
                    "purpose '%.100s' is not allowed by rule '%s' (allows: %s)", purpose, rule->id,
                    list);
    }
    if (claims != NULL && claims->purpose_count > 0) {
        if (!in_purposes(claims, purpose))
            return deny(res, OCV_PURPOSE_NOT_ALLOWED,
                        "the credential's purposes/scopes do not include '%.100s'", purpose);
        pass(res, "purpose '%.100s' allowed by rule '%s' and carried by the credential", purpose,
             rule->id);
        return OCV_OK;
    }
    pass(res, "purpose '%.100s' allowed by rule '%s'", purpose, rule->id);
    return OCV_OK;
}

static ocv_reason check_audience(const ocv_policy_rule *rule, const ocv_claims *claims,
                                 const char *audience, ocv_policy_result *res)
{
    char list[256];
    int have = audience != NULL && audience[0] != 0;
    if (rule->audience_count > 0) {
        join(rule->audiences, rule->audience_count, list, sizeof(list));
        if (!have)
            return deny(res, OCV_AUDIENCE_MISMATCH,
                        "rule '%s' accepts audiences (%s) but the request names none", rule->id,
                        list);
        if (!in_list(rule->audiences, rule->audience_count, audience))
            return deny(res, OCV_AUDIENCE_MISMATCH,
                        "audience '%.100s' is not among rule '%s''s audiences (%s)", audience,
                        rule->id, list);
    }
    if (claims != NULL && claims->audience_count > 0) {
        if (!have)
            return deny(res, OCV_AUDIENCE_MISMATCH,
                        "the credential names its audiences but no audience is configured for "
                        "this service");
        if (!in_claims(claims->audiences, claims->audience_count, audience))
            return deny(res, OCV_AUDIENCE_MISMATCH,
                        "the credential is not meant for '%.100s' (its audiences: %.100s%s)",
                        audience, claims->audiences[0], claims->audience_count > 1 ? ", ..." : "");
    }
    if (!have)
        pass(res, "no audience restriction applies");
    else
        pass(res, "audience '%.100s' accepted", audience);
    return OCV_OK;
}

static void alg_names(uint32_t set, char *out, size_t out_len)
{
    const char *names[16];
    size_t n = 0;
    for (int a = OCV_ALG_ES256; a <= OCV_ALG_EDDSA; a++) {
        if (set & OCV_POLICY_ALG_BIT(a))
            names[n++] = ocv_alg_name((ocv_alg)a);
    }
    join(names, n, out, out_len);
}

static ocv_reason check_alg(const ocv_policy_rule *rule, const ocv_policy_effective *eff,
                            const ocv_claims *claims, ocv_policy_result *res)
{
    const char *name = ocv_alg_name(claims->alg);
    if (eff->algorithms == 0) {
        pass(res, "%s (the policy restricts no algorithm)", name);
        return OCV_OK;
    }
    if (claims->alg == OCV_ALG_NONE || (eff->algorithms & OCV_POLICY_ALG_BIT(claims->alg)) == 0) {
        char list[128];
        alg_names(eff->algorithms, list, sizeof(list));
        return deny(res, OCV_ALG_NOT_ALLOWED, "%s is not allowed for rule '%s' (allows: %s)", name,
                    rule->id, list);
    }
    pass(res, "%s allowed", name);
    return OCV_OK;
}

static ocv_reason check_ttl(const ocv_policy_rule *rule, const ocv_policy_effective *eff,
                            const ocv_claims *claims, int64_t ceiling, ocv_policy_result *res)
{
    int has_max = eff->has_max_ttl;
    int64_t max = eff->max_ttl;
    const char *source = "rule";
    if (!rule->has_max_ttl)
        source = "defaults";
    if (ceiling > 0 && (!has_max || ceiling < max)) {
        has_max = 1;
        max = ceiling;
        source = "configuration ceiling";
    }
    if (!has_max) {
        pass(res, "no lifetime limit applies");
        return OCV_OK;
    }
    int known = claims->has_issued_at && claims->has_expires_at;
    if (known && claims->expires_at < claims->issued_at)
        return deny(res, OCV_MALFORMED, "the credential expires before it was issued");
    /* unsigned: the difference of two int64 in order always fits */
    uint64_t life = known ? (uint64_t)claims->expires_at - (uint64_t)claims->issued_at : 0;
    int ok = known && life <= (uint64_t)max;
    if (ok && !res->explained) {
        pass(res, "within max_ttl");
        return OCV_OK;
    }
    char max_text[32], life_text[32];
    ocv_policy_format_duration(max, max_text, sizeof(max_text));
    if (!known)
        return deny(res, OCV_TTL_TOO_LONG,
                    "lifetime unknown: the credential has no %s, and max_ttl %s applies (%s)",
                    claims->has_issued_at ? "expiry" : "issue time (iat)", max_text, source);
    if (life <= (uint64_t)OCV_POLICY_MAX_DURATION)
        ocv_policy_format_duration((int64_t)life, life_text, sizeof(life_text));
    else
        ocv_strlcpy(life_text, "more than ten years", sizeof(life_text));
    if (!ok)
        return deny(res, OCV_TTL_TOO_LONG, "issued lifetime %s exceeds max_ttl %s (%s)", life_text,
                    max_text, source);
    pass(res, "issued lifetime %s within max_ttl %s (%s)", life_text, max_text, source);
    return OCV_OK;
}

static ocv_reason check_pop(const ocv_policy_rule *rule, const ocv_policy_effective *eff,
                            const ocv_policy_input *in, ocv_policy_result *res)
{
    const ocv_claims *c = in->claims;
    if (c->has_cnf_x5t_s256) {
        if (in->peer_cert_sha256 == NULL)
            return deny(res, OCV_POP_REQUIRED,
                        "the credential is bound to a certificate (cnf x5t#S256) but no peer "
                        "certificate was presented");
        if (!ocv_ct_eq(c->cnf_x5t_s256, in->peer_cert_sha256, 32))
            return deny(res, OCV_POP_MISMATCH,
                        "the peer certificate is not the one the credential is bound to (cnf "
                        "x5t#S256)");
    }
    if (c->has_cnf_jkt) {
        if (in->presented_jkt == NULL)
            return deny(res, OCV_POP_REQUIRED,
                        "the credential is bound to a key (cnf jkt) but no key was presented");
        if (!ocv_ct_eq(c->cnf_jkt, in->presented_jkt, 32))
            return deny(res, OCV_POP_MISMATCH,
                        "the presented key is not the one the credential is bound to (cnf jkt)");
    }
    if (c->has_cnf_x5t_s256 || c->has_cnf_jkt) {
        pass(res, "bound to the presented %s", c->has_cnf_x5t_s256 ? "certificate" : "key");
        return OCV_OK;
    }
    if (!eff->require_pop) {
        pass(res, "not required");
        return OCV_OK;
    }
    if (c->type == OCV_CREDENTIAL_X509) {
        /* A certificate proves possession when it is the TLS peer
         * certificate: the handshake proved the private key. */
        if (in->peer_cert_sha256 == NULL || in->credential_cert_sha256 == NULL)
            return deny(res, OCV_POP_REQUIRED,
                        "rule '%s' requires proof of possession: present the certificate as "
                        "the peer certificate",
                        rule->id);
        if (!ocv_ct_eq(in->peer_cert_sha256, in->credential_cert_sha256, 32))
            return deny(res, OCV_POP_MISMATCH,
                        "the peer certificate is not the credential's certificate");
        pass(res, "the credential is the peer certificate");
        return OCV_OK;
    }
    return deny(res, OCV_POP_REQUIRED,
                "rule '%s' requires proof of possession and the credential carries no cnf "
                "binding",
                rule->id);
}

static ocv_reason check_revocation(const ocv_policy_rule *rule, const ocv_policy_effective *eff,
                                   const ocv_policy_input *in, ocv_policy_result *res)
{
    int required = eff->require_revocation || in->require_revocation;
    if (!in->has_revocation_data) {
        if (required)
            return deny(res, OCV_REVOCATION_MISSING,
                        "no revocation data covers the credential and %s requires it",
                        eff->require_revocation ? "the policy" : "the configuration");
        pass(res, "no revocation data; not required");
        return OCV_OK;
    }
    int64_t age = in->revocation_age < 0 ? 0 : in->revocation_age;
    int fresh = !eff->has_revocation_max_age || age <= eff->revocation_max_age;
    if (fresh && !res->explained) {
        pass(res, "fresh enough");
        return OCV_OK;
    }
    char age_text[32], max_text[32], stale_text[32];
    ocv_policy_format_duration(age, age_text, sizeof(age_text));
    if (!eff->has_revocation_max_age) {
        pass(res, "revocation data %s old; no max age set", age_text);
        return OCV_OK;
    }
    ocv_policy_format_duration(eff->revocation_max_age, max_text, sizeof(max_text));
    if (fresh) {
        pass(res, "revocation data %s old, max age %s", age_text, max_text);
        return OCV_OK;
    }
    int64_t past = age - eff->revocation_max_age;
    ocv_policy_format_duration(eff->allow_stale, stale_text, sizeof(stale_text));
    if (eff->allow_stale > 0 && past <= eff->allow_stale) {
        /* recorded whether or not the caller explains: it changes what
         * the decision rests on */
        res->stale_allowed = 1;
        res->stale_seconds = past;
        char detail[OCV_MAX_DETAIL_BYTES];
        snprintf(detail, sizeof(detail),
                 "STALE ACCEPTED: revocation data %s old, past max age %s, within rule '%s' "
                 "allow_stale %s",
                 age_text, max_text, rule->id, stale_text);
        record(res, OCV_CHECK_PASS, OCV_OK, detail);
        return OCV_OK;
    }
    if (eff->allow_stale > 0)
        return deny(res, OCV_REVOCATION_STALE,
                    "revocation data %s old; max age %s plus allow_stale %s (rule '%s')", age_text,
                    max_text, stale_text, rule->id);
    return deny(res, OCV_REVOCATION_STALE, "revocation data %s old; max age %s (rule '%s')",
                age_text, max_text, rule->id);
}

/* ---- entry points ---------------------------------------------------------- */

/* Appends at most max bytes of s to a detail of n bytes (cap with the NUL). */
static void detail_append(char *d, size_t *n, size_t cap, const char *s, size_t max)
{
    size_t len = strnlen(s, max);
    if (len > cap - 1 - *n)
        len = cap - 1 - *n;
    memcpy(d + *n, s, len);
    *n += len;
    d[*n] = 0;
}

/* "allowed by rule 'ID' for purpose 'P'", put together without printf:
 * every allowed decision writes it, and vsnprintf cost as much as the
 * rest of the verdict. The purpose is cut at 100 bytes as before. */
static void allowed_detail(ocv_policy_result *result, const char *rule_id, const char *purpose)
{
    char *d = result->detail;
    size_t n = 0, cap = sizeof(result->detail);
    detail_append(d, &n, cap, "allowed by rule '", cap);
    detail_append(d, &n, cap, rule_id, cap);
    detail_append(d, &n, cap, "' for purpose '", cap);
    detail_append(d, &n, cap, purpose ? purpose : "", 100);
    detail_append(d, &n, cap, "'", cap);
    if (result->stale_allowed)
        detail_append(d, &n, cap, " (stale revocation data accepted under allow_stale)", cap);
}

ocv_reason ocv_policy_evaluate(const ocv_policy *policy, const ocv_policy_input *input,
                               ocv_policy_result *result)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (result == NULL)
        return OCV_INTERNAL_ERROR;
    result_init(result);
    if (policy == NULL || input == NULL || input->claims == NULL)
        return deny(result, OCV_INTERNAL_ERROR, "no policy, input or claims");
    const ocv_claims *c = input->claims;
    result->explained = input->explain != 0;
    if (c->type == OCV_CREDENTIAL_AUTO)
        return deny(result, OCV_INTERNAL_ERROR, "the claims name no credential type");
    ocv_policy_query q = {c->subject, c->type, c->issuer, NULL, NULL, NULL, 0};
    if (c->type == OCV_CREDENTIAL_X509) {
        /* certificates: rules trust anchors, by name or key hash */
        q.issuer = c->anchor_name;
        q.anchor_sha256 = c->anchor_key_sha256;
    }
    if (c->trust_kind != OCV_TRUST_UNNAMED) {
        /* a named source vouched: rules name it (or its trust domain); a
         * JWT-SVID's iss is no issuer identity, the trust domain is */
        q.scoped = 1;
        q.source = c->trust_source;
        q.trust_domain = c->trust_kind == OCV_TRUST_SPIFFE ? c->trust_domain : NULL;
        if (c->type != OCV_CREDENTIAL_X509 && c->trust_kind != OCV_TRUST_OIDC)
            q.issuer = NULL;
    }
    const ocv_policy_rule *rule = NULL;
    r = check_rule(policy, &q, result, &rule);
    if (r != OCV_OK)
        return r;
    ocv_policy_effective eff;
    ocv_policy_effective_of(policy, rule, &eff);
    r = check_purpose(rule, c, input->purpose, result);
    if (r == OCV_OK)
        r = check_audience(rule, c, input->audience, result);
    if (r == OCV_OK)
        r = check_alg(rule, &eff, c, result);
    if (r == OCV_OK)
        r = check_ttl(rule, &eff, c, input->max_ttl_ceiling, result);
    if (r == OCV_OK)
        r = check_pop(rule, &eff, input, result);
    if (r == OCV_OK)
        r = check_revocation(rule, &eff, input, result);
    if (r != OCV_OK)
        return r;
    allowed_detail(result, rule->id, input->purpose);
    result->reason = OCV_OK;
    return OCV_OK;
}

ocv_reason ocv_policy_explain(const ocv_policy *policy, const ocv_policy_query *query,
                              const char *purpose, const char *audience, ocv_policy_result *result)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (result == NULL)
        return OCV_INTERNAL_ERROR;
    result_init(result);
    result->explained = 1;
    if (policy == NULL || query == NULL || query->subject == NULL)
        return deny(result, OCV_INTERNAL_ERROR, "no policy or query");
    const ocv_policy_rule *rule = NULL;
    r = check_rule(policy, query, result, &rule);
    if (r == OCV_OK)
        r = check_purpose(rule, NULL, purpose, result);
    if (r == OCV_OK)
        r = check_audience(rule, NULL, audience, result);
    if (r != OCV_OK)
        return r;
    skip_rest(result, "depends on the credential");
    ocv_errf(result->detail, sizeof(result->detail),
             "rule '%s' would allow purpose '%.100s', subject to the credential's checks", rule->id,
             purpose);
    result->reason = OCV_OK;
    return OCV_OK;
}
