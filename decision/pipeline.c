/*
 * pipeline.c - ocv_open / ocv_check / ocv_reload / ocv_close.
 *
 * Implementation notes
 *
 * State and reload: everything loaded from configuration (anchors, CRLs,
 * options) lives in one immutable, reference-counted ocv_state. A check
 * takes a reference under the context mutex and drops it when done;
 * ocv_reload builds a complete new state first and only then swaps the
 * pointer, so a check in flight finishes under the state it started with
 * and a failed reload changes nothing. The mutex guards only the pointer
 * swap and the count, never a verification.
 *
 * The pipeline, one driver for every format: parse -> time -> signature
 * -> revocation -> binding -> policy. Revocation runs after the signature
 * for certificates and tokens alike: which CRL applies depends on the
 * verified issuer, and a `key` entry must match the key that actually
 * verified, which only the signature stage knows (a kid is chosen by the
 * presenter and can be dropped). Each stage returns a reason; the
 * decision starts as INTERNAL_ERROR and only a run in which every stage
 * passed allows.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/canon.h"
#include "base/claims.h"
#include "base/limits.h"
#include "base/util.h"
#include "decision/stages.h"
#include "ocv.h"
#include "revocation/integrity.h"
#include "verifier/keyset.h"
#include "verifier/pkey.h"
#include "verifier/token.h"
#include "verifier/x509.h"

struct ocv_ctx {
    pthread_mutex_t lock;
    ocv_state *state;
};

void ocv_config_init(ocv_config *config)
{
    memset(config, 0, sizeof(*config));
    config->clock_skew_seconds = 60;
    config->leaf_eku = OCV_EKU_CLIENT_AUTH;
    config->identity_fallback = OCV_IDENTITY_URI_ONLY;
    config->signature_cache_entries = 4096;
}

void ocv_request_init(ocv_request *request)
{
    memset(request, 0, sizeof(*request));
}

static void state_free(ocv_state *st)
{
    if (st == NULL)
        return;
    ocv_trust_free(&st->trust);
    ocv_x509_crls_free(&st->crls);
    ocv_policy_free(st->policy);
    ocv_sigcache_free(st->sigcache);
    ocv_store_pool_close(st->stores);
    free(st);
}

/* prev: the state in force (a reload), NULL at open; trust sources refuse
 * a SPIFFE bundle older than the one in force. */
static ocv_reason state_load(const ocv_config *config, const ocv_state *prev, ocv_state **out,
                             char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    *out = NULL;
    if (config == NULL) {
        ocv_errf(err, err_len, "no configuration given");
        return OCV_CONFIG_INVALID;
    }
    if (config->clock_skew_seconds < 0 || config->clock_skew_seconds > 3600) {
        ocv_errf(err, err_len, "clock skew must be between 0 and 3600 seconds");
        return OCV_CONFIG_INVALID;
    }
    if (config->crl_count > OCV_MAX_CRL_FILES) {
        ocv_errf(err, err_len, "more than %d CRL files", OCV_MAX_CRL_FILES);
        return OCV_CONFIG_INVALID;
    }
    ocv_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return OCV_INTERNAL_ERROR;
    atomic_init(&st->refs, 1);
    ocv_trust_init(&st->trust);
    ocv_x509_crls_init(&st->crls);
    st->skew = config->clock_skew_seconds;
    st->leaf_eku = config->leaf_eku;
    st->identity_fallback = config->identity_fallback;
    st->anchor_name_constraints = config->anchor_name_constraints;
    st->policy_init.explicit_policy = config->require_explicit_policy;
    st->policy_init.inhibit_mapping = config->inhibit_policy_mapping;
    st->policy_init.inhibit_any = config->inhibit_any_policy;
    if (config->initial_policy_count > OCV_MAX_INITIAL_POLICIES) {
        ocv_errf(err, err_len, "more than %d initial policies", OCV_MAX_INITIAL_POLICIES);
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    for (size_t i = 0; i < config->initial_policy_count; i++) {
        size_t len = 0;
        if (config->initial_policies[i] == NULL ||
            ocv_x509_oid_encode(config->initial_policies[i], st->policy_oids[i],
                                sizeof(st->policy_oids[i]), &len) != 0) {
            ocv_errf(err, err_len, "initial policy '%s' is not a dotted OID",
                     config->initial_policies[i] ? config->initial_policies[i] : "(null)");
            r = OCV_CONFIG_INVALID;
            goto fail;
        }
        st->policy_init.oids[i].p = st->policy_oids[i];
        st->policy_init.oids[i].len = len;
        st->policy_init.count = i + 1;
    }
    st->no_policy = config->no_policy != 0;
    st->max_ttl_ceiling = config->max_ttl_ceiling_seconds;
    if (config->signature_cache_entries > (1u << 24)) {
        ocv_errf(err, err_len, "signature cache of more than 16777216 entries");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    r = ocv_sigcache_new(config->signature_cache_entries, &st->sigcache);
    if (r != OCV_OK)
        goto fail;
    if (config->audience != NULL &&
        ocv_strlcpy(st->audience, config->audience, sizeof(st->audience))) {
        ocv_errf(err, err_len, "audience longer than %d bytes", OCV_MAX_AUDIENCE_BYTES);
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    int has_policy = config->policy_path != NULL || config->policy_blob.data != NULL;
    if (config->no_policy && has_policy) {
        ocv_errf(err, err_len, "a policy and no_policy exclude each other");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    if (config->policy_path != NULL && config->policy_blob.data != NULL) {
        ocv_errf(err, err_len, "policy_path and policy_blob exclude each other");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    if (has_policy) {
        const ocv_blob *b = &config->policy_blob;
        r = b->data != NULL ? ocv_policy_parse(b->name != NULL ? b->name : "(memory)", b->data,
                                               b->len, &st->policy, err, err_len)
                            : ocv_policy_load(config->policy_path, &st->policy, err, err_len);
        if (r != OCV_OK)
            goto fail;
        const ocv_policy_defaults *pd = ocv_policy_get_defaults(st->policy);
        /* the policy may narrow the clock skew, never widen it */
        if (pd->has_clock_skew && pd->clock_skew < st->skew)
            st->skew = pd->clock_skew;
    }
    st->require_revocation = config->require_revocation != 0;
    st->revocation_max_age = config->revocation_max_age_seconds;
    if (st->revocation_max_age < 0) {
        ocv_errf(err, err_len, "revocation max age must not be negative");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    if (config->db_path != NULL) {
        r = ocv_store_pool_open(config->db_path, &st->stores, err, err_len);
        if (r != OCV_OK)
            goto fail;
        /* a store altered outside ocv denies every decision, with a reason */
        ocv_store *store = ocv_store_pool_acquire(st->stores);
        st->store_broken = store == NULL || ocv_store_prove(store, st->store_problem,
                                                            sizeof(st->store_problem)) != OCV_OK;
        if (store != NULL)
            ocv_store_pool_release(st->stores, store);
    }
    r = ocv_trust_load(&st->trust, config, prev != NULL ? &prev->trust : NULL, err, err_len);
    if (r != OCV_OK)
        goto fail;
    for (size_t i = 0; i < config->crl_count; i++) {
        r = ocv_x509_crls_load(&st->crls, config->crl_paths[i], err, err_len);
        if (r != OCV_OK)
            goto fail;
    }
    *out = st;
    return OCV_OK;
fail:
    state_free(st);
    return r;
}

static ocv_state *state_acquire(ocv_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    ocv_state *st = ctx->state;
    atomic_fetch_add(&st->refs, 1);
    pthread_mutex_unlock(&ctx->lock);
    return st;
}

static void state_release(ocv_state *st)
{
    if (atomic_fetch_sub(&st->refs, 1) == 1)
        state_free(st);
}

ocv_reason ocv_open(ocv_ctx **out, const ocv_config *config, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (out == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    ocv_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return OCV_INTERNAL_ERROR;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return OCV_INTERNAL_ERROR;
    }
    r = state_load(config, NULL, &ctx->state, err, err_len);
    if (r != OCV_OK) {
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
        return r;
    }
    *out = ctx;
    return OCV_OK;
}

ocv_reason ocv_reload(ocv_ctx *ctx, const ocv_config *config, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (ctx == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_state *fresh = NULL;
    ocv_state *current = state_acquire(ctx);
    r = state_load(config, current, &fresh, err, err_len);
    /* verified signatures survive a reload for the keys that stayed (a
     * removed key's entries stay behind with the old state) */
    for (size_t i = 0; r == OCV_OK && i < fresh->trust.count; i++)
        ocv_keyset_carry_cache(&fresh->trust.sources[i].keys, fresh->sigcache, current->sigcache);
    state_release(current);
    if (r != OCV_OK)
        return r;
    pthread_mutex_lock(&ctx->lock);
    ocv_state *old = ctx->state;
    ctx->state = fresh;
    pthread_mutex_unlock(&ctx->lock);
    state_release(old);
    return OCV_OK;
}

void ocv_close(ocv_ctx *ctx)
{
    if (ctx == NULL)
        return;
    state_release(ctx->state);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

/* ---- one decision -------------------------------------------------- */

static void record(ocv_decision *d, int explain, const char *name, ocv_check_outcome outcome,
                   ocv_reason reason, const char *detail)
{
    if (!explain || d->check_count >= OCV_MAX_CHECKS)
        return;
    ocv_check_entry *e = &d->checks[d->check_count++];
    e->name = name;
    e->outcome = outcome;
    e->reason = reason;
    ocv_strlcpy(e->detail, detail, sizeof(e->detail));
}

/* Records a stage's outcome; returns 1 when the pipeline may go on. */
static int stage_done(ocv_decision *d, int explain, const char *name, ocv_reason r,
                      const char *detail)
{
    if (r == OCV_OK) {
        record(d, explain, name, OCV_CHECK_PASS, r, detail);
        return 1;
    }
    record(d, explain, name, OCV_CHECK_FAIL, r, detail);
    d->reason = r;
    ocv_strlcpy(d->detail, detail[0] ? detail : ocv_reason_meaning(r), sizeof(d->detail));
    return 0;
}

static void skip_rest(ocv_decision *d, int explain, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        record(d, explain, names[i], OCV_CHECK_SKIPPED, OCV_OK, "not run: an earlier check denied");
}

/* The presented peer certificate, read once per decision for the binding
 * and policy stages: state 0 none presented, 1 read, -1 does not parse. */
typedef struct peer_binding {
    int state;
    uint8_t x5t[32]; /* SHA-256 of the certificate (cnf x5t#S256) */
    uint8_t jkt[32]; /* RFC 7638 thumbprint of its key (cnf jkt) */
} peer_binding;

/* What the binding and policy stages need beyond the claims. */
typedef struct policy_context {
    const ocv_request *req;
    int64_t at;
    const ocv_store_verdict *revocation; /* the store's answer, or NULL */
    const mbedtls_x509_crt *leaf;        /* X.509 credentials */
    const peer_binding *peer;
} policy_context;

/* The peer certificate's SHA-256 (for cnf x5t#S256) and the RFC 7638
 * thumbprint of its key (for cnf jkt): 0 none presented, 1 filled, -1 it
 * does not parse. */
static int peer_cert_bindings(const ocv_request *req, uint8_t x5t[32], uint8_t jkt[32])
{
    if (req->peer_cert == NULL || req->peer_cert_len == 0)
        return 0;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    ocv_bytes copy;
    ocv_pkey key;
    ocv_pkey_init(&key);
    int ok = ocv_bytes_copy(&copy, req->peer_cert, req->peer_cert_len) == OCV_OK &&
             mbedtls_x509_crt_parse(&crt, copy.data,
                                    req->peer_cert[0] == 0x30 ? copy.len : copy.len + 1) == 0 &&
             ocv_sha256(crt.raw.p, crt.raw.len, x5t) == 0 &&
             ocv_pkey_parse(crt.pk_raw.p, crt.pk_raw.len, 0, 1, &key, NULL, 0) == OCV_OK &&
             ocv_jwk_thumbprint(&key, jkt) == OCV_OK;
    ocv_pkey_free(&key);
    ocv_bytes_free(&copy);
    mbedtls_x509_crt_free(&crt);
    return ok ? 1 : -1;
}

/*
 * The binding stage (RFC 7800 / RFC 8747 proof of possession): a
 * credential that carries cnf is bound to a key, and is accepted only
 * when the presented peer certificate proves that key. It runs whatever
 * the policy says, and under no_policy too: a bound credential used as a
 * bearer token is a stolen one. A cnf ocv cannot verify denies.
 */
static ocv_reason binding_stage(const ocv_claims *c, const peer_binding *p, char *detail,
                                size_t detail_len)
{
    if (!c->has_cnf) {
        ocv_errf(detail, detail_len, "not bound to a key (no cnf)");
        return OCV_OK;
    }
    if (c->cnf_unsupported[0]) {
        ocv_errf(detail, detail_len,
                 "bound by %s, a confirmation method ocv cannot verify (x5t#S256, jkt, jwk, "
                 "COSE_Key are supported)",
                 c->cnf_unsupported);
        return OCV_POP_UNSUPPORTED;
    }
    const uint8_t *peer = p->x5t, *peer_jkt = p->jkt;
    int peer_state = p->state;
    if (peer_state < 0) {
        ocv_errf(detail, detail_len, "the peer certificate does not parse");
        return OCV_POP_MISMATCH;
    }
    if (peer_state == 0) {
        ocv_errf(detail, detail_len, "the credential is bound to a %s (cnf) but none was presented",
                 c->has_cnf_x5t_s256 ? "certificate" : "key");
        return OCV_POP_REQUIRED;
    }
    if (c->has_cnf_x5t_s256 && !ocv_ct_eq(c->cnf_x5t_s256, peer, 32)) {
        ocv_errf(detail, detail_len,
                 "the peer certificate is not the one the credential is bound to (cnf x5t#S256)");
        return OCV_POP_MISMATCH;
    }
    if (c->has_cnf_jkt && !ocv_ct_eq(c->cnf_jkt, peer_jkt, 32)) {
        ocv_errf(detail, detail_len,
                 "the presented key is not the one the credential is bound to (cnf jkt)");
        return OCV_POP_MISMATCH;
    }
    ocv_errf(detail, detail_len, "bound to the presented %s",
             c->has_cnf_x5t_s256 ? "certificate" : "key");
    return OCV_OK;
}

/*
 * The policy stage: no_policy skips it (recorded), no policy denies
 * (POLICY_MISSING), otherwise policy/policy_eval.c decides and its checks
 * join the decision's list.
 */
static ocv_reason policy_stage(const ocv_state *st, const ocv_claims *claims,
                               const policy_context *pc, ocv_decision *d, char *detail,
                               size_t detail_len)
{
    if (st->no_policy) {
        ocv_errf(detail, detail_len, "no_policy: the credential was checked alone");
        return OCV_OK;
    }
    if (st->policy == NULL) {
        ocv_errf(detail, detail_len, "no policy is configured (use a policy, or --no-policy)");
        return OCV_POLICY_MISSING;
    }
    uint8_t leaf[32];
    ocv_policy_input in;
    ocv_policy_input_init(&in);
    in.claims = claims;
    in.purpose = pc->req->purpose;
    in.audience = pc->req->audience ? pc->req->audience : st->audience[0] ? st->audience : NULL;
    if (pc->peer->state < 0) {
        ocv_errf(detail, detail_len, "the peer certificate does not parse");
        return OCV_POP_MISMATCH;
    }
    in.peer_cert_sha256 = pc->peer->state ? pc->peer->x5t : NULL;
    in.presented_jkt = pc->peer->state ? pc->peer->jkt : NULL;
    if (pc->leaf != NULL && ocv_sha256(pc->leaf->raw.p, pc->leaf->raw.len, leaf) == 0)
        in.credential_cert_sha256 = leaf;
    in.has_revocation_data = pc->revocation != NULL && pc->revocation->freshness.has_data;
    if (in.has_revocation_data)
        in.revocation_age = pc->at - pc->revocation->freshness.oldest_issued_at;
    in.require_revocation = st->require_revocation;
    in.max_ttl_ceiling = st->max_ttl_ceiling;
    in.explain = pc->req->explain;
    ocv_policy_result res;
    ocv_reason r = ocv_policy_evaluate(st->policy, &in, &res);
    ocv_strlcpy(d->rule, res.rule, sizeof(d->rule));
    d->revocation_stale_allowed = res.stale_allowed;
    d->revocation_stale_seconds = res.stale_seconds;
    for (size_t i = 0; pc->req->explain && i < res.check_count && d->check_count < OCV_MAX_CHECKS;
         i++)
        d->checks[d->check_count++] = res.checks[i];
    ocv_strlcpy(detail, res.detail, detail_len);
    return r;
}

static const char *revocation_summary(const ocv_state *st)
{
    if (st->stores != NULL && st->crls.count > 0)
        return "not revoked: CRLs and the revocation store are current";
    if (st->stores != NULL)
        return "not revoked according to current revocation data";
    if (st->crls.count > 0)
        return "not listed on a current CRL";
    return "no revocation source configured";
}

/* The time stage, the same for every format: the clock floor, then the
 * validity window. */
static ocv_reason time_stage(ocv_state *st, const ocv_store_view *view, const ocv_claims *claims,
                             int64_t at, int historical, int explain, char *detail,
                             size_t detail_len)
{
    /* the floor refuses a clock set back; a historical question sets the
     * time back on purpose, and says so in the decision */
    ocv_reason r = historical ? OCV_OK : ocv_stage_clock_floor(st, view, at, detail, detail_len);
    if (r == OCV_OK)
        r = ocv_stage_time(claims, at, st->skew, detail, detail_len);
    if (r == OCV_OK && explain)
        ocv_errf(detail, detail_len, "valid for %lld more seconds",
                 (long long)(claims->expires_at - at));
    return r;
}

/* ---- the credential, whatever its format --------------------------- */

typedef struct credential {
    ocv_credential_type type; /* X509, or JWT for every token (parse tells JWT from CWT) */
    ocv_x509_chain chain;
    ocv_token token;
    ocv_x509_options opt;
    int cached;  /* the token signature came from the cache */
    int explain; /* a passing stage's detail is wanted (--explain): else not written */
} credential;

static ocv_reason credential_parse(credential *cr, const ocv_request *req, ocv_claims *claims,
                                   char *detail, size_t detail_len)
{
    ocv_reason r;
    if (cr->type == OCV_CREDENTIAL_X509) {
        r = ocv_x509_parse(req->credential, req->credential_len, req->chain, req->chain_len,
                           &cr->opt, &cr->chain, claims, detail, detail_len);
        if (r == OCV_OK)
            ocv_errf(detail, detail_len, "X.509 chain of %zu certificate(s)", cr->chain.count);
    } else {
        r = ocv_token_parse(req->credential, req->credential_len, &cr->token, claims, detail,
                            detail_len);
        if (r == OCV_OK && req->type != OCV_CREDENTIAL_AUTO && req->type != cr->token.type) {
            ocv_errf(detail, detail_len, "the credential is a %s, not the %s the request names",
                     cr->token.type == OCV_CREDENTIAL_JWT ? "JWT" : "CWT",
                     req->type == OCV_CREDENTIAL_JWT ? "JWT" : "CWT");
            r = OCV_UNSUPPORTED_FORMAT;
        }
        if (r == OCV_OK) {
            claims->subject_kind = OCV_IDENTITY_TOKEN;
            if (cr->explain)
                ocv_errf(detail, detail_len, "%s, %s",
                         cr->token.type == OCV_CREDENTIAL_JWT ? "JWT" : "CWT",
                         ocv_alg_name(cr->token.alg));
        }
    }
    const char *why = "";
    if (r == OCV_OK && ocv_identity_settle(claims, &why) != OCV_OK) {
        ocv_errf(detail, detail_len, "workload identity: %s", why);
        r = OCV_MALFORMED;
    }
    return r;
}

/* SHA-256 hex of a certificate's SubjectPublicKeyInfo. */
static int spki_hex(const mbedtls_x509_crt *crt, char out[65])
{
    uint8_t h[32];
    if (ocv_sha256(crt->pk_raw.p, crt->pk_raw.len, h) != 0)
        return -1;
    ocv_hex_encode(h, sizeof(h), out);
    return 0;
}

/* The verified path as revocation entries name it (claims->path): every
 * certificate's canonical serial under its issuer's key, and its key. */
static ocv_reason path_refs(const ocv_x509_chain *chain, ocv_claims *claims, char *detail,
                            size_t detail_len)
{
    if (chain->path_len == 0 || chain->path_len > OCV_MAX_PATH_REFS)
        return OCV_INTERNAL_ERROR;
    for (size_t i = 0; i < chain->path_len; i++) {
        ocv_cert_ref *ref = &claims->path[i];
        memset(ref, 0, sizeof(*ref));
        if (spki_hex(chain->path[i], ref->key_sha256) != 0)
            return OCV_INTERNAL_ERROR;
        if (i + 1 == chain->path_len)
            break; /* the anchor: trusted by configuration, revocable by key only */
        uint8_t mag[OCV_MAX_SERIAL_BYTES];
        size_t len = 0;
        const char *why = "";
        const mbedtls_x509_buf *serial = &chain->path[i]->serial;
        if (ocv_serial_from_der(serial->p, serial->len, mag, &len, &why) != OCV_OK) {
            ocv_errf(detail, detail_len, "certificate %zu of the path: %s", i, why);
            return OCV_MALFORMED;
        }
        ocv_serial_to_text(mag, len, ref->serial);
        if (spki_hex(chain->path[i + 1], ref->issuer_key_sha256) != 0)
            return OCV_INTERNAL_ERROR;
    }
    claims->path_len = chain->path_len;
    return OCV_OK;
}

/* The trust source that vouched, into the claims (policy) and the
 * decision. The unnamed source of the old flags names the issuer the
 * credential claims. */
static void note_source(const ocv_trust_source *by, ocv_claims *claims, ocv_decision *d)
{
    ocv_strlcpy(claims->trust_source, by->name, sizeof(claims->trust_source));
    claims->trust_kind = by->kind;
    ocv_strlcpy(claims->trust_domain, by->trust_domain, sizeof(claims->trust_domain));
    const char *shown = by->kind != OCV_TRUST_UNNAMED         ? by->name
                        : claims->type == OCV_CREDENTIAL_X509 ? claims->anchor_name
                                                              : claims->issuer;
    ocv_strlcpy(d->issuer, shown, sizeof(d->issuer));
}

static const char *source_words(const ocv_trust_source *by)
{
    return by->kind == OCV_TRUST_UNNAMED ? "" : by->name;
}

/* The signature stage: the chain to an anchor, or the token's signature
 * by a trusted key, each of the trust source the credential claims
 * (verifier/trust.h). On OK the claims name what verified (for
 * revocation) and the source (for the policy). */
static ocv_reason credential_verify(ocv_state *st, credential *cr, ocv_claims *claims,
                                    ocv_decision *d, char *detail, size_t detail_len)
{
    ocv_reason r;
    const ocv_trust_source *by = NULL;
    if (cr->type == OCV_CREDENTIAL_X509) {
        r = ocv_trust_verify_chain(&st->trust, &cr->chain, &cr->opt, claims, &by, detail,
                                   detail_len);
        if (r == OCV_OK)
            r = path_refs(&cr->chain, claims, detail, detail_len);
        if (r == OCV_OK) {
            note_source(by, claims, d);
            if (cr->explain)
                ocv_errf(detail, detail_len, "chain verified to anchor '%s'%s%s",
                         claims->anchor_name, by->name[0] ? " of trust source " : "",
                         source_words(by));
        }
        if (by != NULL && by->anchors.skipped > 0) { /* --explain: anchors left out at load */
            size_t used = strnlen(detail, detail_len);
            ocv_errf(detail + used, detail_len - used, "; %zu anchor certificate(s) skipped: %s",
                     by->anchors.skipped, by->anchors.problem);
        }
        return r;
    }
    uint8_t key[32];
    r = ocv_trust_verify_token(&st->trust, &cr->token, claims, st->sigcache, &cr->cached, key, &by,
                               detail, detail_len);
    if (r == OCV_OK) {
        note_source(by, claims, d);
        ocv_hex_encode(key, sizeof(key), claims->verified_key_sha256);
        if (cr->explain)
            ocv_errf(detail, detail_len, "signed by a trusted key%s%s (%s)%s",
                     by->name[0] ? " of trust source " : "", source_words(by),
                     ocv_alg_name(cr->token.alg), cr->cached ? ", verified before (cache)" : "");
    }
    return r;
}

/* The revocation stage, after the signature: which CRL applies and which
 * key is looked up depend on what verified. Every certificate of the path
 * and the verifying key, from every source. */
static ocv_reason revocation_stage(ocv_state *st, const ocv_store_view *view, const credential *cr,
                                   const ocv_claims *claims, int64_t at, ocv_store_verdict *verdict,
                                   char *detail, size_t detail_len)
{
    memset(verdict, 0, sizeof(*verdict));
    if (st->require_revocation && st->stores == NULL && st->crls.count == 0) {
        ocv_errf(detail, detail_len,
                 "revocation is required but no revocation source (store or CRL) is configured");
        return OCV_REVOCATION_MISSING;
    }
    ocv_reason r = OCV_OK;
    if (cr->type == OCV_CREDENTIAL_X509)
        r = ocv_x509_check_crls(&cr->chain, &st->crls, &cr->opt, detail, detail_len);
    if (r == OCV_OK)
        r = ocv_stage_store(st, view, claims, at, verdict, detail, detail_len);
    if (r == OCV_OK)
        ocv_strlcpy(detail, revocation_summary(st), detail_len);
    /* --explain says which CRL files are not used, and why */
    (void)ocv_x509_crls_describe_problems(&st->crls, detail, detail_len);
    return r;
}

/* The policy stage and the verdict, the same for every format: only a
 * run that reaches here with every stage passed allows. */
static void policy_and_verdict(const ocv_state *st, const ocv_claims *claims,
                               const policy_context *pc, ocv_decision *d, const char *name)
{
    char detail[OCV_MAX_DETAIL_BYTES] = "";
    ocv_reason r = policy_stage(st, claims, pc, d, detail, sizeof(detail));
    if (d->policy_skipped)
        record(d, pc->req->explain, name, OCV_CHECK_SKIPPED, r, detail);
    else if (!stage_done(d, pc->req->explain, name, r, detail))
        return;
    d->reason = OCV_OK;
    d->allow = 1;
    ocv_strlcpy(d->detail,
                d->policy_skipped ? "credential valid (policy not applied: no_policy)"
                                  : "credential valid and allowed by policy",
                sizeof(d->detail));
}

static const char *const STAGES[] = {"parse",      "time",    "signature",
                                     "revocation", "binding", "policy"};
#define STAGE_COUNT (sizeof(STAGES) / sizeof(STAGES[0]))

/*
 * The one driver, for every format: parse -> time -> signature ->
 * revocation -> binding -> policy. Revocation follows the signature so
 * that it looks up what actually verified (the path, the key), never what
 * the credential merely names.
 */
static void run(ocv_state *st, const ocv_request *req, ocv_credential_type type, int64_t at,
                ocv_decision *d)
{
    int ex = req->explain;
    char detail[OCV_MAX_DETAIL_BYTES] = "";
    /* zeroed once, by ocv_claims_init below or ocv_token_parse (10 KB: not twice) */
    ocv_claims *claims = malloc(sizeof(*claims));
    credential cr; /* every field set here: no memset of its 2 KB */
    cr.type = type;
    cr.cached = 0;
    cr.explain = ex;
    cr.opt = (ocv_x509_options){at,
                                st->skew,
                                st->leaf_eku,
                                st->identity_fallback,
                                &st->policy_init,
                                st->anchor_name_constraints,
                                st->sigcache};
    ocv_x509_chain_init(&cr.chain);
    ocv_token_init(&cr.token);
    /* one store snapshot for every stage after the parse: bytes that do
     * not parse cost no store read */
    ocv_store_view view = {NULL, 0, 0};
    size_t stage = 0;
    d->policy_skipped = st->no_policy;
    if (claims == NULL) {
        stage_done(d, ex, STAGES[stage++], OCV_INTERNAL_ERROR, "out of memory");
        goto out;
    }
    if (type == OCV_CREDENTIAL_X509) /* ocv_token_parse zeroes its claims itself */
        ocv_claims_init(claims);
    ocv_reason r = credential_parse(&cr, req, claims, detail, sizeof(detail));
    if (!stage_done(d, ex, STAGES[stage++], r, detail))
        goto out;
    ocv_strlcpy(d->subject, claims->subject, sizeof(d->subject));
    ocv_store_view_open(st, &view, d);

    detail[0] = 0;
    r = time_stage(st, &view, claims, at, d->historical, ex, detail, sizeof(detail));
    if (!stage_done(d, ex, STAGES[stage++], r, detail))
        goto out;

    detail[0] = 0;
    r = credential_verify(st, &cr, claims, d, detail, sizeof(detail));
    if (type != OCV_CREDENTIAL_X509 && st->sigcache != NULL)
        d->signature_cache = cr.cached ? OCV_CACHE_HIT : OCV_CACHE_MISS;
    if (!stage_done(d, ex, STAGES[stage++], r, detail))
        goto out;
    d->subject_verified = 1;

    detail[0] = 0;
    ocv_store_verdict verdict;
    r = revocation_stage(st, &view, &cr, claims, at, &verdict, detail, sizeof(detail));
    if (verdict.state_moved)
        ocv_store_view_restate(&view, d);
    if (!stage_done(d, ex, STAGES[stage++], r, detail))
        goto out;

    detail[0] = 0;
    peer_binding peer;
    peer.state = peer_cert_bindings(req, peer.x5t, peer.jkt);
    r = binding_stage(claims, &peer, detail, sizeof(detail));
    if (!stage_done(d, ex, STAGES[stage++], r, detail))
        goto out;

    policy_context pc = {req, at, st->stores ? &verdict : NULL,
                         type == OCV_CREDENTIAL_X509 ? &cr.chain.certs : NULL, &peer};
    policy_and_verdict(st, claims, &pc, d, STAGES[stage++]);
out:
    skip_rest(d, ex, STAGES + stage, STAGE_COUNT - stage);
    ocv_store_view_close(st, &view, d);
    ocv_x509_chain_free(&cr.chain);
    ocv_token_free(&cr.token);
    free(claims);
}

/* Every field set, the strings emptied; the check list is filled only as
 * far as check_count says, so it needs no clearing. */
static void decision_init(ocv_decision *d, int64_t at)
{
    d->allow = 0;
    d->reason = OCV_INTERNAL_ERROR;
    d->subject[0] = 0;
    d->subject_verified = 0;
    d->rule[0] = 0;
    d->detail[0] = 0;
    d->policy_skipped = 0;
    d->revocation_stale_allowed = 0;
    d->revocation_stale_seconds = 0;
    d->evaluated_at = at;
    d->check_count = 0;
    d->issuer[0] = 0;
    d->historical = 0;
    d->revocation_count = 0;
    d->signature_cache = OCV_CACHE_NOT_USED;
    d->store_read = OCV_CACHE_NOT_USED;
}

size_t ocv_trust_count(ocv_ctx *ctx)
{
    if (ctx == NULL)
        return 0;
    ocv_state *st = state_acquire(ctx);
    size_t n = st->trust.count;
    state_release(st);
    return n;
}

ocv_reason ocv_trust_describe(ocv_ctx *ctx, size_t index, ocv_trust_info *out)
{
    if (ctx == NULL || out == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_state *st = state_acquire(ctx);
    ocv_reason r = OCV_CONFIG_INVALID;
    if (index < st->trust.count) {
        ocv_trust_source_info(&st->trust.sources[index], out);
        r = OCV_OK;
    }
    state_release(st);
    return r;
}

ocv_reason ocv_check(ocv_ctx *ctx, const ocv_request *req, ocv_decision *d)
{
    if (d == NULL)
        return OCV_INTERNAL_ERROR;
    int64_t at = (req != NULL && req->has_at) ? req->at : ocv_now();
    decision_init(d, at);
    if (ctx == NULL || req == NULL) {
        ocv_strlcpy(d->detail, "no verifier context or request", sizeof(d->detail));
        return d->reason;
    }
    if (req->historical && !req->has_at) {
        ocv_strlcpy(d->detail, "a historical question needs its time (has_at)", sizeof(d->detail));
        return d->reason;
    }
    d->historical = req->historical != 0;
    if (req->credential == NULL || req->credential_len == 0) {
        d->reason = OCV_MALFORMED;
        ocv_strlcpy(d->detail, "empty credential", sizeof(d->detail));
        record(d, req->explain, "parse", OCV_CHECK_FAIL, d->reason, d->detail);
        return d->reason;
    }
    if (req->credential_len > OCV_MAX_CREDENTIAL_BYTES ||
        req->chain_len > OCV_MAX_CREDENTIAL_BYTES - req->credential_len) {
        d->reason = OCV_TOO_LARGE;
        ocv_errf(d->detail, sizeof(d->detail), "credential and chain exceed %u bytes",
                 OCV_MAX_CREDENTIAL_BYTES);
        record(d, req->explain, "parse", OCV_CHECK_FAIL, d->reason, d->detail);
        return d->reason;
    }
    ocv_state *st = state_acquire(ctx);
    ocv_credential_type type = req->type;
    /* what looks like a certificate is one unless it decodes as a token (a
     * base64url CWT may begin like DER); everything else goes to the token
     * parser, which tells JWT and CWT apart. The cheap look comes first:
     * recognising a token scans all of it. */
    if (type == OCV_CREDENTIAL_AUTO)
        type = ocv_x509_sniff(req->credential, req->credential_len) &&
                       !ocv_token_recognise(req->credential, req->credential_len)
                   ? OCV_CREDENTIAL_X509
                   : OCV_CREDENTIAL_JWT;
    run(st, req, type == OCV_CREDENTIAL_X509 ? OCV_CREDENTIAL_X509 : OCV_CREDENTIAL_JWT, at, d);
    state_release(st);
    if (d->reason != OCV_OK)
        d->allow = 0;
    return d->reason;
}
