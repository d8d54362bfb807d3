/*
 * cwt.c - CBOR Web Tokens (RFC 8392): a COSE_Sign1 (verifier/cose_sign1.c)
 * optionally inside the CWT tag 61, whose payload is the claims map
 *
 *   claims = { ? 1 => tstr (iss), ? 2 => tstr (sub), ? 3 => tstr / [+ tstr] (aud),
 *              ? 4 => int (exp), ? 5 => int (nbf), ? 6 => int (iat),
 *              ? 7 => bstr (cti), ? 8 => cnf (RFC 8747), ? 9 => tstr (scope, RFC 9200),
 *              * label => any }
 *
 * Dates are integers (a float NumericDate is refused: CBOR floats are not
 * accepted anywhere in ocv). cti becomes lower-case hex in the normalised
 * claims. Unknown claims are skipped with a nesting limit; a label seen
 * twice is MALFORMED. COSE_Mac0 (tag 17) is the MAC analogue of HS256:
 * ALG_NOT_ALLOWED.
 */
#include <string.h>

#include "base/cbor_stream.h"
#include "base/limits.h"
#include "base/util.h"
#include "verifier/cose_sign1.h"
#include "verifier/keyset.h"
#include "verifier/token_formats.h"

enum { TAG_CWT = 61, TAG_COSE_MAC0 = 17 };
enum {
    CLAIM_ISS = 1,
    CLAIM_SUB,
    CLAIM_AUD,
    CLAIM_EXP,
    CLAIM_NBF,
    CLAIM_IAT,
    CLAIM_CTI,
    CLAIM_CNF,
    CLAIM_SCOPE
};

#define MAX_CLAIMS 64

static ocv_reason malformed(char *detail, size_t detail_len, const char *what)
{
    ocv_errf(detail, detail_len, "CWT: %s", what);
    return OCV_MALFORMED;
}

static ocv_reason text_into(ocv_cbor_pull *r, char *dst, size_t cap)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_TEXT, &it) != 0)
        return OCV_MALFORMED;
    return ocv_claims_copy_text(dst, cap, (const char *)it.p, it.len);
}

static ocv_reason date_into(ocv_cbor_pull *r, int64_t *out, int *has)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &it) != 0 || it.u > 253402300799ull)
        return OCV_MALFORMED;
    *out = (int64_t)it.u;
    *has = 1;
    return OCV_OK;
}

static ocv_reason audiences(ocv_cbor_pull *r, ocv_claims *c)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_next(r, &it) != 0)
        return OCV_MALFORMED;
    if (it.kind == OCV_CBOR_TEXT)
        return ocv_claims_copy_text(c->audiences[c->audience_count++], OCV_MAX_AUDIENCE_BYTES + 1,
                                    (const char *)it.p, it.len);
    if (it.kind != OCV_CBOR_ARRAY || it.u == 0)
        return OCV_MALFORMED;
    if (it.u > OCV_MAX_AUDIENCES)
        return OCV_TOO_LARGE;
    for (uint64_t i = 0; i < it.u; i++) {
        ocv_reason rr = text_into(r, c->audiences[c->audience_count++], OCV_MAX_AUDIENCE_BYTES + 1);
        if (rr != OCV_OK)
            return rr;
    }
    return OCV_OK;
}

static ocv_reason scope(ocv_cbor_pull *r, ocv_claims *c)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_TEXT, &it) != 0)
        return OCV_MALFORMED;
    size_t off = 0;
    while (off < it.len) {
        const char *s = (const char *)it.p + off;
        size_t n = 0;
        while (off + n < it.len && s[n] != ' ')
            n++;
        if (ocv_claims_add_purpose(c, s, n) != 0)
            return OCV_TOO_LARGE;
        off += n + 1;
    }
    return OCV_OK;
}

/* RFC 8747 §3: cnf = { 1 => COSE_Key / 2 => Encrypted_COSE_Key / 3 => kid }.
 * A COSE_Key is reduced to the RFC 7638 thumbprint of the same key, so
 * it compares with the presented key as a JWT's cnf jwk does; an
 * encrypted key, a kid or an unknown method is recorded as unsupported. */
static ocv_reason read_cnf(ocv_cbor_pull *r, ocv_claims *c)
{
    ocv_cbor_item it, key;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_MAP, &it) != 0 || it.u > 4)
        return OCV_MALFORMED;
    c->has_cnf = 1;
    if (it.u == 0)
        ocv_strlcpy(c->cnf_unsupported, "an empty cnf", sizeof(c->cnf_unsupported));
    for (uint64_t i = 0; i < it.u; i++) {
        if (ocv_cbor_pull_next(r, &key) != 0)
            return OCV_MALFORMED;
        if (key.kind == OCV_CBOR_UINT && key.u == 1) {
            ocv_pkey pk;
            ocv_pkey_init(&pk);
            const char *why = "";
            uint8_t t[32];
            ocv_reason rr = ocv_cose_key_public_pkey(r, &pk, &why);
            if (rr == OCV_OK)
                rr = ocv_jwk_thumbprint(&pk, t);
            ocv_pkey_free(&pk);
            if (rr != OCV_OK || c->has_cnf_jkt)
                return OCV_MALFORMED;
            memcpy(c->cnf_jkt, t, 32);
            c->has_cnf_jkt = 1;
            continue;
        }
        if (c->cnf_unsupported[0] == 0)
            ocv_errf(c->cnf_unsupported, sizeof(c->cnf_unsupported), "cnf method %s%llu",
                     key.kind == OCV_CBOR_NEGINT ? "-" : "", (unsigned long long)key.u);
        if (ocv_cbor_pull_skip(r, OCV_MAX_CBOR_NESTING) != 0)
            return OCV_MALFORMED;
    }
    return OCV_OK;
}

static ocv_reason one_claim(ocv_cbor_pull *r, int64_t label, ocv_claims *c)
{
    ocv_cbor_item it;
    switch (label) {
    case CLAIM_ISS:
        return text_into(r, c->issuer, sizeof(c->issuer));
    case CLAIM_SUB:
        return text_into(r, c->subject, sizeof(c->subject));
    case CLAIM_AUD:
        return audiences(r, c);
    case CLAIM_EXP:
        return date_into(r, &c->expires_at, &c->has_expires_at);
    case CLAIM_NBF:
        return date_into(r, &c->not_before, &c->has_not_before);
    case CLAIM_IAT:
        return date_into(r, &c->issued_at, &c->has_issued_at);
    case CLAIM_CTI:
        if (ocv_cbor_pull_expect(r, OCV_CBOR_BYTES, &it) != 0 || it.len == 0)
            return OCV_MALFORMED;
        if (2 * it.len >= sizeof(c->token_id))
            return OCV_TOO_LARGE;
        ocv_hex_encode(it.p, it.len, c->token_id);
        return OCV_OK;
    case CLAIM_SCOPE:
        return scope(r, c);
    case CLAIM_CNF:
        return read_cnf(r, c);
    default:
        return ocv_cbor_pull_skip(r, OCV_MAX_CBOR_NESTING) == 0 ? OCV_OK : OCV_MALFORMED;
    }
}

static ocv_reason read_claims(const uint8_t *p, size_t len, ocv_claims *c, char *detail,
                              size_t detail_len)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, p, len);
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_MAP, &it) != 0)
        return malformed(detail, detail_len, "the payload is not a claims map");
    if (it.u > MAX_CLAIMS) {
        ocv_errf(detail, detail_len, "CWT: more than %d claims", MAX_CLAIMS);
        return OCV_TOO_LARGE;
    }
    int64_t seen_int[MAX_CLAIMS];
    size_t seen = 0;
    for (uint64_t i = 0; i < it.u; i++) {
        ocv_cbor_item key;
        if (ocv_cbor_pull_next(&r, &key) != 0)
            return malformed(detail, detail_len, "truncated claims");
        int64_t label = 0;
        if (key.kind == OCV_CBOR_UINT && key.u < INT64_MAX)
            label = (int64_t)key.u;
        else if (key.kind == OCV_CBOR_NEGINT && key.u < INT64_MAX)
            label = -1 - (int64_t)key.u;
        else if (key.kind == OCV_CBOR_TEXT)
            label = INT64_MIN; /* a private text claim: skipped below */
        else
            return malformed(detail, detail_len, "a claim label is neither int nor text");
        for (size_t j = 0; label != INT64_MIN && j < seen; j++) {
            if (seen_int[j] == label)
                return malformed(detail, detail_len, "a claim appears twice");
        }
        if (label != INT64_MIN)
            seen_int[seen++] = label;
        ocv_reason rr = one_claim(&r, label, c);
        if (rr == OCV_TOO_LARGE) {
            ocv_errf(detail, detail_len, "CWT: claim %lld is too large", (long long)label);
            return rr;
        }
        if (rr != OCV_OK) {
            ocv_errf(detail, detail_len, "CWT: claim %lld is malformed", (long long)label);
            return OCV_MALFORMED;
        }
    }
    if (!ocv_cbor_pull_done(&r))
        return malformed(detail, detail_len, "bytes after the claims map");
    if (c->has_expires_at && c->has_not_before && c->expires_at < c->not_before)
        return malformed(detail, detail_len, "exp is before nbf");
    return OCV_OK;
}

ocv_reason ocv_cwt_parse(const uint8_t *data, size_t len, ocv_token *out, ocv_claims *claims,
                         char *detail, size_t detail_len)
{
    /* strip the CWT tag (d8 3d) */
    if (len >= 2 && data[0] == 0xd8 && data[1] == TAG_CWT) {
        data += 2;
        len -= 2;
    }
    if (len >= 1 && data[0] == 0xc0 + TAG_COSE_MAC0) {
        ocv_errf(detail, detail_len, "CWT: a MACed token (COSE_Mac0) uses a shared secret");
        return OCV_ALG_NOT_ALLOWED;
    }
    ocv_sign1 msg;
    ocv_reason r = ocv_sign1_parse(data, len, &msg, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = read_claims(msg.payload, msg.payload_len, claims, detail, detail_len);
    if (r != OCV_OK)
        return r;
    if (msg.kid != NULL) {
        out->kid_len = msg.kid_len;
        memcpy(out->kid, msg.kid, msg.kid_len);
        out->has_kid = 1;
    }
    out->alg = msg.alg;
    r = ocv_sign1_to_be_signed(&msg, &out->sig_structure);
    if (r != OCV_OK)
        return r;
    out->signed_data = out->sig_structure.data;
    out->signed_len = out->sig_structure.len;
    /* a signature longer than the buffer stays empty: it cannot verify */
    out->signature_len = 0;
    if (msg.signature_len > 0 && msg.signature_len <= sizeof(out->signature)) {
        memcpy(out->signature, msg.signature, msg.signature_len);
        out->signature_len = msg.signature_len;
    }
    out->type = OCV_CREDENTIAL_CWT;
    claims->type = OCV_CREDENTIAL_CWT;
    claims->alg = out->alg;
    ocv_hex_encode(out->kid, out->kid_len > 128 ? 128 : out->kid_len, claims->key_id);
    return OCV_OK;
}
