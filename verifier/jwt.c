/*
 * jwt.c - JWS compact serialisation carrying a JWT (RFC 7515 §7.1, RFC
 * 7519, RFC 8725 best practices).
 *
 *   token   = b64url(header) "." b64url(payload) "." b64url(signature)
 *   header  = JSON object: "alg" (required), "kid", "typ", "crit", others
 *   payload = JSON object: iss, sub, aud, exp, nbf, iat, jti, scope,
 *             purpose, cnf {x5t#S256, jkt, jwk; others recorded as
 *             unsupported}, others
 *
 * Rules: strict base64url; strict JSON (no duplicate members, bounded
 * depth); alg from the algorithm table only (none, HS* and unknown names
 * are ALG_NOT_ALLOWED); any "crit" is refused, since ocv understands no
 * header extension (RFC 7515 §4.1.11); registered claims of the wrong type
 * are MALFORMED; NumericDates may be integers or finite non-negative
 * reals, which are truncated to whole seconds (RFC 7519 §2 allows
 * fractions; ocv decides on seconds).
 */
#include <math.h>
#include <string.h>

#include "base/b64url.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/util.h"
#include "verifier/claims_memo.h"
#include "verifier/keyset.h"
#include "verifier/sigalg.h"
#include "verifier/token_formats.h"

#define MAX_NUMERIC_DATE 253402300799.0 /* 9999-12-31T23:59:59Z */

static ocv_reason malformed(char *detail, size_t detail_len, const char *what)
{
    ocv_errf(detail, detail_len, "JWT: %s", what);
    return OCV_MALFORMED;
}

/* Header and payload decode into a stack buffer when they fit (they
 * nearly always do), so a decision allocates nothing for them. */
#define JSON_PART_STACK_BYTES 2048

static ocv_reason decode_json_part(const char *p, size_t len, json_t **out, const char *what,
                                   char *detail, size_t detail_len)
{
    uint8_t stack[JSON_PART_STACK_BYTES];
    ocv_bytes heap;
    ocv_bytes_init(&heap);
    const uint8_t *raw = stack;
    size_t raw_len = 0;
    int bad;
    if (ocv_b64url_decoded_len(len) <= sizeof(stack)) {
        bad = ocv_b64url_decode(p, len, stack, sizeof(stack), &raw_len) != 0;
    } else {
        bad = ocv_b64url_decode_alloc(p, len, &heap) != OCV_OK;
        raw = heap.data;
        raw_len = heap.len;
    }
    if (bad) {
        ocv_bytes_free(&heap);
        ocv_errf(detail, detail_len, "JWT: the %s is not strict base64url", what);
        return OCV_MALFORMED;
    }
    char why[160] = "";
    ocv_reason r =
        ocv_json_load((const char *)raw, raw_len, OCV_MAX_JSON_DEPTH, out, why, sizeof(why));
    ocv_bytes_free(&heap);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "JWT: the %s is not valid JSON: %s", what, why);
        return r;
    }
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        ocv_errf(detail, detail_len, "JWT: the %s is not a JSON object", what);
        return OCV_MALFORMED;
    }
    return OCV_OK;
}

/* The signature, decoded into the token. One longer than the buffer is
 * checked for base64url and then left empty: it cannot verify. */
static int decode_signature(const char *p, size_t len, ocv_token *t)
{
    t->signature_len = 0;
    if (len == 0)
        return -1;
    if (ocv_b64url_decoded_len(len) <= sizeof(t->signature))
        return ocv_b64url_decode(p, len, t->signature, sizeof(t->signature), &t->signature_len);
    ocv_bytes big;
    int rc = ocv_b64url_decode_alloc(p, len, &big) == OCV_OK ? 0 : -1;
    ocv_bytes_free(&big);
    return rc;
}

/* Everything this sets in t must also be kept by header_remember and
 * restored by header_recall (below). */
static ocv_reason read_header(json_t *h, ocv_token *t, char *detail, size_t detail_len)
{
    json_t *alg = json_object_get(h, "alg");
    if (!json_is_string(alg))
        return malformed(detail, detail_len, "header without a string \"alg\"");
    const ocv_alg_info *info = ocv_alg_by_jose(json_string_value(alg), json_string_length(alg));
    if (info == NULL) {
        ocv_errf(detail, detail_len, "JWT: algorithm \"%.32s\" is not allowed",
                 json_string_value(alg));
        return OCV_ALG_NOT_ALLOWED;
    }
    t->alg = info->alg;
    if (json_object_get(h, "crit") != NULL)
        return malformed(detail, detail_len, "\"crit\" names extensions ocv does not implement");
    json_t *kid = json_object_get(h, "kid");
    if (kid != NULL) {
        if (!json_is_string(kid) || json_string_length(kid) == 0 ||
            json_string_length(kid) > OCV_MAX_KID_BYTES)
            return malformed(detail, detail_len, "\"kid\" must be a string of 1..256 bytes");
        t->kid_len = json_string_length(kid);
        memcpy(t->kid, json_string_value(kid), t->kid_len);
        t->has_kid = 1;
    }
    json_t *typ = json_object_get(h, "typ");
    if (typ != NULL && !json_is_string(typ))
        return malformed(detail, detail_len, "\"typ\" must be a string");
    return OCV_OK;
}

/*
 * A service sees a few headers byte for byte again and again (one per
 * issuer key), and what read_header takes from a header (alg, kid) is a
 * function of its bytes alone. So each thread remembers the last
 * HEADER_MEMO headers it read successfully, by their exact base64url
 * text, and a repeat skips the header's base64url and JSON parse (a jansson
 * parse of about 1 µs). Thread-local: nothing shared, no lock, nothing to
 * free. A header that failed is never remembered; one that differs in any
 * byte is read afresh.
 */
#define HEADER_MEMO       2
#define HEADER_MEMO_BYTES 256

typedef struct header_memo {
    size_t len; /* 0: empty */
    char text[HEADER_MEMO_BYTES];
    ocv_alg alg;
    int has_kid;
    size_t kid_len;
    uint8_t kid[OCV_MAX_KID_BYTES];
} header_memo;

static _Thread_local header_memo memo[HEADER_MEMO];
static _Thread_local unsigned memo_next;

static int header_recall(const char *p, size_t len, ocv_token *t)
{
    if (len == 0 || len > HEADER_MEMO_BYTES)
        return 0;
    for (int i = 0; i < HEADER_MEMO; i++) {
        /* headers are public data: memcmp is fine */
        if (memo[i].len == len && memcmp(memo[i].text, p, len) == 0) {
            t->alg = memo[i].alg;
            t->has_kid = memo[i].has_kid;
            t->kid_len = memo[i].kid_len;
            memcpy(t->kid, memo[i].kid, memo[i].kid_len);
            return 1;
        }
    }
    return 0;
}

static void header_remember(const char *p, size_t len, const ocv_token *t)
{
    if (len == 0 || len > HEADER_MEMO_BYTES || t->kid_len > OCV_MAX_KID_BYTES)
        return;
    header_memo *m = &memo[memo_next++ % HEADER_MEMO];
    m->len = len;
    memcpy(m->text, p, len);
    m->alg = t->alg;
    m->has_kid = t->has_kid;
    m->kid_len = t->kid_len;
    memcpy(m->kid, t->kid, t->kid_len);
}

static ocv_reason numeric_date(json_t *v, int64_t *out)
{
    double d;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (double)i > MAX_NUMERIC_DATE)
            return OCV_MALFORMED;
        *out = (int64_t)i;
        return OCV_OK;
    }
    if (!json_is_real(v))
        return OCV_MALFORMED;
    d = json_real_value(v);
    if (!isfinite(d) || d < 0 || d > MAX_NUMERIC_DATE)
        return OCV_MALFORMED;
    *out = (int64_t)d;
    return OCV_OK;
}

static ocv_reason text_claim(json_t *payload, const char *name, char *dst, size_t cap)
{
    json_t *v = json_object_get(payload, name);
    if (v == NULL)
        return OCV_OK;
    if (!json_is_string(v))
        return OCV_MALFORMED;
    return ocv_claims_copy_text(dst, cap, json_string_value(v), json_string_length(v));
}

static ocv_reason audiences(json_t *aud, ocv_claims *c)
{
    if (aud == NULL)
        return OCV_OK;
    if (json_is_string(aud))
        return ocv_claims_copy_text(c->audiences[c->audience_count++], OCV_MAX_AUDIENCE_BYTES + 1,
                                    json_string_value(aud), json_string_length(aud));
    if (!json_is_array(aud) || json_array_size(aud) == 0)
        return OCV_MALFORMED;
    if (json_array_size(aud) > OCV_MAX_AUDIENCES)
        return OCV_TOO_LARGE;
    size_t i;
    json_t *a;
    json_array_foreach(aud, i, a)
    {
        if (!json_is_string(a))
            return OCV_MALFORMED;
        ocv_reason r =
            ocv_claims_copy_text(c->audiences[c->audience_count++], OCV_MAX_AUDIENCE_BYTES + 1,
                                 json_string_value(a), json_string_length(a));
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

/* "scope": space-separated (RFC 8693 §4.2); "purpose": a string or an
 * array of strings (ocv's own claim for workload purposes). */
static ocv_reason purposes(json_t *payload, ocv_claims *c)
{
    json_t *scope = json_object_get(payload, "scope");
    if (scope != NULL) {
        if (!json_is_string(scope))
            return OCV_MALFORMED;
        const char *s = json_string_value(scope);
        while (*s) {
            size_t n = strcspn(s, " ");
            if (ocv_claims_add_purpose(c, s, n) != 0)
                return OCV_TOO_LARGE;
            s += n;
            s += strspn(s, " ");
        }
    }
    json_t *purpose = json_object_get(payload, "purpose");
    if (purpose == NULL)
        return OCV_OK;
    if (json_is_string(purpose))
        return ocv_claims_add_purpose(c, json_string_value(purpose), json_string_length(purpose))
                   ? OCV_TOO_LARGE
                   : OCV_OK;
    if (!json_is_array(purpose))
        return OCV_MALFORMED;
    size_t i;
    json_t *p;
    json_array_foreach(purpose, i, p)
    {
        if (!json_is_string(p))
            return OCV_MALFORMED;
        if (ocv_claims_add_purpose(c, json_string_value(p), json_string_length(p)) != 0)
            return OCV_TOO_LARGE;
    }
    return OCV_OK;
}

static ocv_reason thumbprint(json_t *cnf, const char *name, uint8_t out[32], int *has)
{
    json_t *v = json_object_get(cnf, name);
    if (v == NULL)
        return OCV_OK;
    size_t n = 0;
    if (!json_is_string(v) ||
        ocv_b64url_decode(json_string_value(v), json_string_length(v), out, 32, &n) != 0 || n != 32)
        return OCV_MALFORMED;
    *has = 1;
    return OCV_OK;
}

/* cnf "jwk": the key itself, reduced to its RFC 7638 thumbprint. */
static ocv_reason jwk_thumbprint(json_t *jwk, ocv_claims *c)
{
    ocv_pkey key;
    ocv_pkey_init(&key);
    const char *why = "";
    uint8_t t[32];
    ocv_reason r = ocv_jwk_public_pkey(jwk, &key, &why);
    if (r == OCV_OK)
        r = ocv_jwk_thumbprint(&key, t);
    ocv_pkey_free(&key);
    if (r != OCV_OK)
        return OCV_MALFORMED;
    if (c->has_cnf_jkt && memcmp(t, c->cnf_jkt, 32) != 0) /* public thumbprints */
        return OCV_MALFORMED;
    memcpy(c->cnf_jkt, t, 32);
    c->has_cnf_jkt = 1;
    return OCV_OK;
}

/* RFC 7800 §3: cnf holds one confirmation method. ocv verifies x5t#S256,
 * jkt and jwk; any other member (kid, jku, x5t, jwe, ...) or an empty cnf
 * is recorded as unsupported, so the pipeline denies instead of treating
 * the token as a bearer token. */
static ocv_reason read_cnf(json_t *cnf, ocv_claims *c)
{
    if (!json_is_object(cnf))
        return OCV_MALFORMED;
    c->has_cnf = 1;
    if (thumbprint(cnf, "x5t#S256", c->cnf_x5t_s256, &c->has_cnf_x5t_s256) != OCV_OK ||
        thumbprint(cnf, "jkt", c->cnf_jkt, &c->has_cnf_jkt) != OCV_OK)
        return OCV_MALFORMED;
    json_t *jwk = json_object_get(cnf, "jwk");
    if (jwk != NULL && jwk_thumbprint(jwk, c) != OCV_OK)
        return OCV_MALFORMED;
    const char *name;
    json_t *v;
    json_object_foreach(cnf, name, v)
    {
        if (strcmp(name, "x5t#S256") && strcmp(name, "jkt") && strcmp(name, "jwk")) {
            ocv_errf(c->cnf_unsupported, sizeof(c->cnf_unsupported), "%.40s", name);
            break;
        }
    }
    if (json_object_size(cnf) == 0)
        ocv_strlcpy(c->cnf_unsupported, "an empty cnf", sizeof(c->cnf_unsupported));
    return OCV_OK;
}

static ocv_reason read_claims(json_t *p, ocv_claims *c, char *detail, size_t detail_len)
{
    ocv_reason r = text_claim(p, "iss", c->issuer, sizeof(c->issuer));
    if (r == OCV_OK)
        r = text_claim(p, "sub", c->subject, sizeof(c->subject));
    if (r == OCV_OK)
        r = text_claim(p, "jti", c->token_id, sizeof(c->token_id));
    if (r != OCV_OK)
        return r == OCV_TOO_LARGE ? (ocv_errf(detail, detail_len, "JWT: a claim is too long"), r)
                                  : malformed(detail, detail_len, "iss, sub or jti not a string");
    static const char *const dates[] = {"exp", "nbf", "iat"};
    int64_t *values[] = {&c->expires_at, &c->not_before, &c->issued_at};
    int *has[] = {&c->has_expires_at, &c->has_not_before, &c->has_issued_at};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(p, dates[i]);
        if (v == NULL)
            continue;
        if (numeric_date(v, values[i]) != OCV_OK) {
            ocv_errf(detail, detail_len, "JWT: \"%s\" is not a NumericDate", dates[i]);
            return OCV_MALFORMED;
        }
        *has[i] = 1;
    }
    if (c->has_expires_at && c->has_not_before && c->expires_at < c->not_before)
        return malformed(detail, detail_len, "exp is before nbf");
    r = audiences(json_object_get(p, "aud"), c);
    if (r != OCV_OK)
        return r == OCV_TOO_LARGE ? (ocv_errf(detail, detail_len, "JWT: too many audiences"), r)
                                  : malformed(detail, detail_len, "aud is not a string or array");
    r = purposes(p, c);
    if (r != OCV_OK)
        return r == OCV_TOO_LARGE ? (ocv_errf(detail, detail_len, "JWT: too many purposes"), r)
                                  : malformed(detail, detail_len, "scope or purpose malformed");
    json_t *cnf = json_object_get(p, "cnf");
    if (cnf != NULL && read_cnf(cnf, c) != OCV_OK)
        return malformed(detail, detail_len,
                         "cnf is not an object of 32-byte thumbprints and a public jwk");
    return OCV_OK;
}

ocv_reason ocv_jwt_parse(const char *text, size_t len, ocv_token *out, ocv_claims *claims,
                         char *detail, size_t detail_len)
{
    const char *dot1 = memchr(text, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - text)) : NULL;
    if (dot1 == NULL || dot2 == NULL)
        return malformed(detail, detail_len, "not three dot-separated parts");
    size_t hlen = (size_t)(dot1 - text), plen = (size_t)(dot2 - dot1 - 1);
    const char *sig = dot2 + 1;
    size_t slen = len - (size_t)(sig - text);
    json_t *header = NULL, *payload = NULL;
    ocv_reason r = OCV_OK;
    if (!header_recall(text, hlen, out)) {
        r = decode_json_part(text, hlen, &header, "header", detail, detail_len);
        if (r == OCV_OK)
            r = read_header(header, out, detail, detail_len);
        if (r == OCV_OK)
            header_remember(text, hlen, out);
    }
    if (r == OCV_OK && !ocv_claims_memo_recall(dot1 + 1, plen, claims)) {
        r = decode_json_part(dot1 + 1, plen, &payload, "payload", detail, detail_len);
        if (r == OCV_OK)
            r = read_claims(payload, claims, detail, detail_len);
        if (r == OCV_OK)
            ocv_claims_memo_remember(dot1 + 1, plen, claims);
    }
    json_decref(header);
    json_decref(payload);
    if (r != OCV_OK)
        return r;
    if (decode_signature(sig, slen, out) != 0)
        return malformed(detail, detail_len, "the signature is missing or not base64url");
    out->signed_data = (const uint8_t *)text; /* borrowed: see token.h */
    out->signed_len = (size_t)(dot2 - text);
    out->type = OCV_CREDENTIAL_JWT;
    claims->type = OCV_CREDENTIAL_JWT;
    claims->alg = out->alg;
    if (out->has_kid)
        memcpy(claims->key_id, out->kid, out->kid_len);
    return OCV_OK;
}

ocv_reason ocv_jws_verify_compact(const char *text, size_t len, const ocv_keyset *keys,
                                  char *detail, size_t detail_len)
{
    const char *dot1 = memchr(text, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - text)) : NULL;
    if (dot1 == NULL || dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - text)))
        return malformed(detail, detail_len, "not three dot-separated parts");
    ocv_token t;
    ocv_token_init(&t);
    json_t *header = NULL;
    ocv_reason r =
        decode_json_part(text, (size_t)(dot1 - text), &header, "header", detail, detail_len);
    if (r == OCV_OK)
        r = read_header(header, &t, detail, detail_len);
    json_decref(header);
    if (r == OCV_OK && decode_signature(dot2 + 1, len - (size_t)(dot2 + 1 - text), &t) != 0)
        r = malformed(detail, detail_len, "the signature is not base64url");
    if (r == OCV_OK) {
        size_t plen = (size_t)(dot2 - dot1 - 1);
        ocv_bytes payload;
        r = ocv_b64url_decode_alloc(dot1 + 1, plen, &payload) == OCV_OK
                ? OCV_OK
                : malformed(detail, detail_len, "the payload is not base64url");
        ocv_bytes_free(&payload);
    }
    if (r == OCV_OK) {
        t.signed_data = (const uint8_t *)text;
        t.signed_len = (size_t)(dot2 - text);
        r = ocv_token_verify(&t, keys, detail, detail_len);
    }
    ocv_token_free(&t);
    return r;
}
