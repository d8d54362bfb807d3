/*
 * inspect.c - decoding a credential for people, never for decisions
 * (inspect.h).
 *
 * JWT: the header and the payload are base64url JSON, shown as they are.
 * CWT: COSE_Sign1 [protected bstr, unprotected map, payload bstr, sig],
 * optionally in tags 61 and 18; CBOR becomes JSON with the registered
 * labels named (headers: 1 alg, 3 cty, 4 kid, 16 typ; claims: 1 iss,
 * 2 sub, 3 aud, 4 exp, 5 nbf, 6 iat, 7 cti, 8 cnf, 9 scope), byte strings
 * as hex, other tags as {"tag": n, "value": ...}.
 * Times (iat, nbf, exp; notBefore, notAfter) are added as UTC dates.
 */
#include "verifier/inspect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "base/b64url.h"
#include "base/buf.h"
#include "base/cbor_stream.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/util.h"
#include "verifier/dn.h"
#include "verifier/token.h"
#include "verifier/x509.h"

static void date_text(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "@%lld", (long long)t);
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (h == NULL)
        return NULL;
    ocv_hex_encode(p, n, h);
    json_t *s = json_string(h);
    free(h);
    return s;
}

/* "iat", "nbf", "exp" in claims -> the same names as dates in a "times" object. */
static void add_times(json_t *o, json_t *claims)
{
    static const char *const names[] = {"iat", "nbf", "exp"};
    json_t *times = json_object();
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(claims, names[i]);
        if (json_is_integer(v)) {
            char d[32];
            date_text((int64_t)json_integer_value(v), d);
            json_object_set_new(times, names[i], json_string(d));
        }
    }
    if (json_object_size(times) > 0)
        json_object_set_new(o, "times", times);
    else
        json_decref(times);
}

static void add_summary(json_t *o, json_t *claims)
{
    static const char *const names[] = {"iss", "sub", "aud"};
    static const char *const shown[] = {"issuer", "subject", "audience"};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(claims, names[i]);
        if (v != NULL)
            json_object_set(o, shown[i], v);
    }
}

/* ---- JWT ----------------------------------------------------------- */

static json_t *b64_json(const char *p, size_t n, const char *what, char *err, size_t err_len)
{
    ocv_bytes raw;
    json_t *v = NULL;
    char why[160] = "";
    if (ocv_b64url_decode_alloc(p, n, &raw) != OCV_OK) {
        ocv_errf(err, err_len, "JWT %s: not base64url", what);
        return NULL;
    }
    if (ocv_json_load((const char *)raw.data, raw.len, OCV_MAX_JSON_DEPTH, &v, why, sizeof(why)) !=
        OCV_OK)
        ocv_errf(err, err_len, "JWT %s: %s", what, why);
    ocv_bytes_free(&raw);
    return v;
}

static ocv_reason inspect_jwt(const char *t, size_t len, json_t *o, char *err, size_t err_len)
{
    const char *d1 = memchr(t, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - t)) : NULL;
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - t)) != NULL) {
        ocv_errf(err, err_len, "not a compact JWS (three parts)");
        return OCV_UNSUPPORTED_FORMAT;
    }
    json_t *h = b64_json(t, (size_t)(d1 - t), "header", err, err_len);
    json_t *c = h ? b64_json(d1 + 1, (size_t)(d2 - d1 - 1), "payload", err, err_len) : NULL;
    if (c == NULL) {
        json_decref(h);
        return OCV_MALFORMED;
    }
    json_object_set_new(o, "format", json_string("JWT"));
    json_object_set_new(o, "header", h);
    json_object_set(o, "claims", c);
    add_summary(o, c);
    add_times(o, c);
    json_t *kid = json_object_get(h, "kid");
    if (kid != NULL)
        json_object_set(o, "kid", kid);
    json_object_set_new(o, "signature_bytes",
                        json_integer((json_int_t)((len - (size_t)(d2 + 1 - t)) * 3 / 4)));
    json_decref(c);
    return OCV_OK;
}

/* ---- CWT ----------------------------------------------------------- */

static const char *const HEADER_LABELS[17] = {NULL, "alg", "crit", "cty", "kid", [16] = "typ"};
static const char *const CLAIM_LABELS[17] = {NULL,  "iss", "sub", "aud", "exp",
                                             "nbf", "iat", "cti", "cnf", "scope"};

/* One CBOR item (and everything in it) as JSON; NULL on bad input. */
static json_t *cbor_json(ocv_cbor_pull *r, int depth, const char *const *labels)
{
    ocv_cbor_item it;
    if (depth > OCV_MAX_CBOR_NESTING || ocv_cbor_pull_next(r, &it) != 0)
        return NULL;
    switch (it.kind) {
    case OCV_CBOR_UINT:
        return it.u <= INT64_MAX ? json_integer((json_int_t)it.u) : NULL;
    case OCV_CBOR_NEGINT:
        return it.u < INT64_MAX ? json_integer(-1 - (json_int_t)it.u) : NULL;
    case OCV_CBOR_BYTES:
        return hex_json(it.p, it.len);
    case OCV_CBOR_TEXT: {
        json_t *s = json_stringn((const char *)it.p, it.len);
        return s != NULL ? s : hex_json(it.p, it.len); /* not UTF-8: show the bytes */
    }
    case OCV_CBOR_BOOL:
        return json_boolean(it.u);
    case OCV_CBOR_NULL:
        return json_null();
    case OCV_CBOR_ARRAY: {
        json_t *a = json_array();
        for (uint64_t i = 0; i < it.u; i++) {
            json_t *v = cbor_json(r, depth + 1, NULL);
            if (v == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    case OCV_CBOR_MAP: {
        json_t *m = json_object();
        for (uint64_t i = 0; i < it.u; i++) {
            ocv_cbor_item k;
            char name[64];
            if (ocv_cbor_pull_next(r, &k) != 0) {
                json_decref(m);
                return NULL;
            }
            if (k.kind == OCV_CBOR_UINT && labels != NULL && k.u < 17 && labels[k.u] != NULL)
                snprintf(name, sizeof(name), "%s", labels[k.u]);
            else if (k.kind == OCV_CBOR_UINT)
                snprintf(name, sizeof(name), "%llu", (unsigned long long)k.u);
            else if (k.kind == OCV_CBOR_NEGINT && k.u < INT64_MAX)
                snprintf(name, sizeof(name), "%lld", -1 - (long long)k.u);
            else if (k.kind == OCV_CBOR_TEXT && k.len < sizeof(name))
                snprintf(name, sizeof(name), "%.*s", (int)k.len, (const char *)k.p);
            else {
                json_decref(m);
                return NULL;
            }
            json_t *v = cbor_json(r, depth + 1, NULL);
            if (v == NULL) {
                json_decref(m);
                return NULL;
            }
            json_object_set_new(m, name, v);
        }
        return m;
    }
    case OCV_CBOR_TAG: {
        json_t *v = cbor_json(r, depth + 1, labels);
        return v != NULL ? json_pack("{s:I, s:o}", "tag", (json_int_t)it.u, "value", v) : NULL;
    }
    case OCV_CBOR_REJECTED:
        break;
    }
    return NULL;
}

/* The whole buffer as one CBOR item. */
static json_t *cbor_whole(const uint8_t *p, size_t n, const char *const *labels)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, p, n);
    if (n == 0)
        return json_object(); /* an empty protected header is the empty map */
    json_t *v = cbor_json(&r, 0, labels);
    if (v != NULL && !ocv_cbor_pull_done(&r)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static ocv_reason inspect_cwt(const uint8_t *p, size_t len, json_t *o, char *err, size_t err_len)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, p, len);
    ocv_cbor_item it;
    json_t *tags = json_array();
    json_object_set_new(o, "format", json_string("CWT"));
    json_object_set_new(o, "tags", tags);
    while (ocv_cbor_pull_next(&r, &it) == 0 && it.kind == OCV_CBOR_TAG && json_array_size(tags) < 4)
        json_array_append_new(tags, json_integer((json_int_t)it.u));
    ocv_cbor_item prot, payload, sig;
    if (it.kind != OCV_CBOR_ARRAY || it.u != 4 ||
        ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &prot) != 0) {
        ocv_errf(err, err_len, "not a COSE_Sign1 (an array of four)");
        return OCV_MALFORMED;
    }
    json_t *unprot = cbor_json(&r, 0, HEADER_LABELS);
    json_t *ph = cbor_whole(prot.p, prot.len, HEADER_LABELS);
    json_t *claims = NULL;
    if (unprot != NULL && ph != NULL && ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &payload) == 0 &&
        ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &sig) == 0 && ocv_cbor_pull_done(&r))
        claims = cbor_whole(payload.p, payload.len, CLAIM_LABELS);
    if (claims == NULL || !json_is_object(claims)) {
        json_decref(unprot);
        json_decref(ph);
        json_decref(claims);
        ocv_errf(err, err_len, "the COSE_Sign1 or its claims do not decode (strict CBOR)");
        return OCV_MALFORMED;
    }
    json_object_set_new(o, "protected", ph);
    json_object_set_new(o, "unprotected", unprot);
    json_object_set_new(o, "claims", claims);
    add_summary(o, claims);
    add_times(o, claims);
    json_t *kid = json_object_get(unprot, "kid");
    if (kid == NULL)
        kid = json_object_get(ph, "kid");
    if (kid != NULL)
        json_object_set(o, "kid", kid);
    json_object_set_new(o, "signature_bytes", json_integer((json_int_t)sig.len));
    return OCV_OK;
}

static size_t trim(const uint8_t *p, size_t len, size_t *start)
{
    size_t s = 0;
    while (s < len && (p[s] == ' ' || p[s] == '\n' || p[s] == '\r' || p[s] == '\t'))
        s++;
    while (len > s &&
           (p[len - 1] == ' ' || p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == '\t'))
        len--;
    *start = s;
    return len - s;
}

static ocv_reason inspect_token(const uint8_t *data, size_t len, json_t *o, char *err,
                                size_t err_len)
{
    if (len > 0 && (data[0] == 0xd8 || data[0] == 0xd2 || data[0] == 0x84))
        return inspect_cwt(data, len, o, err, err_len);
    size_t s = 0;
    len = trim(data, len, &s);
    data += s;
    if (memchr(data, '.', len) != NULL)
        return inspect_jwt((const char *)data, len, o, err, err_len);
    ocv_bytes raw;
    if (ocv_b64url_decode_alloc((const char *)data, len, &raw) != OCV_OK) {
        ocv_errf(err, err_len, "neither a JWS nor a base64url CWT");
        return OCV_UNSUPPORTED_FORMAT;
    }
    ocv_reason r = inspect_cwt(raw.data, raw.len, o, err, err_len);
    if (r == OCV_OK)
        json_object_set_new(o, "encoding", json_string("base64url"));
    ocv_bytes_free(&raw);
    return r;
}

/* ---- X.509 --------------------------------------------------------- */

/* subjectAltName GeneralName tags (RFC 5280 §4.2.1.6): [1] rfc822Name,
 * [2] dNSName, [6] uniformResourceIdentifier, [7] iPAddress. */
static json_t *sans_json(const mbedtls_x509_crt *c)
{
    json_t *a = json_array();
    for (const mbedtls_x509_sequence *s = &c->subject_alt_names; s != NULL && s->buf.p != NULL;
         s = s->next) {
        int tag = s->buf.tag & ~MBEDTLS_ASN1_CONTEXT_SPECIFIC;
        const char *kind = tag == 1 ? "email:" : tag == 2 ? "DNS:" : tag == 6 ? "URI:" : NULL;
        size_t n = s->buf.len > OCV_MAX_IDENTITY_BYTES ? OCV_MAX_IDENTITY_BYTES : s->buf.len;
        char text[OCV_MAX_IDENTITY_BYTES + 16];
        if (kind != NULL)
            snprintf(text, sizeof(text), "%s%.*s", kind, (int)n, (const char *)s->buf.p);
        else if (tag == 7 && (n == 4 || n == 16)) {
            size_t o = (size_t)snprintf(text, sizeof(text), "IP:");
            for (size_t i = 0; i < n; i++)
                o += (size_t)snprintf(text + o, sizeof(text) - o, n == 4 ? "%s%u" : "%s%02x",
                                      i == 0   ? ""
                                      : n == 4 ? "."
                                               : (i % 2 ? "" : ":"),
                                      s->buf.p[i]);
        } else
            snprintf(text, sizeof(text), "(a name of type [%d])", tag);
        json_t *t = json_string(text);
        json_array_append_new(a, t != NULL ? t : json_string("(not UTF-8)"));
    }
    return a;
}

static json_t *cert_json(const mbedtls_x509_crt *c)
{
    json_t *o = json_object();
    char dn[1024], d[32];
    if (ocv_dn_format(&c->subject, dn, sizeof(dn)) == 0)
        json_object_set_new(o, "subject", json_string(dn));
    if (ocv_dn_format(&c->issuer, dn, sizeof(dn)) == 0)
        json_object_set_new(o, "issuer", json_string(dn));
    json_object_set_new(o, "serial", hex_json(c->serial.p, c->serial.len));
    date_text(ocv_x509_time_to_unix(&c->valid_from), d);
    json_object_set_new(o, "not_before", json_string(d));
    date_text(ocv_x509_time_to_unix(&c->valid_to), d);
    json_object_set_new(o, "not_after", json_string(d));
    json_object_set_new(o, "ca", json_boolean(c->ca_istrue));
    json_object_set_new(o, "sans", sans_json(c));
    json_object_set_new(o, "key", json_string(mbedtls_pk_get_name(&c->pk)));
    json_object_set_new(o, "key_bits", json_integer((json_int_t)mbedtls_pk_get_bitlen(&c->pk)));
    const char *sig = NULL;
    if (mbedtls_oid_get_sig_alg_desc(&c->sig_oid, &sig) == 0)
        json_object_set_new(o, "signature_algorithm", json_string(sig));
    uint8_t h[32];
    if (ocv_sha256(c->pk_raw.p, c->pk_raw.len, h) == 0)
        json_object_set_new(o, "spki_sha256", hex_json(h, 32));
    if (ocv_sha256(c->raw.p, c->raw.len, h) == 0) {
        json_object_set_new(o, "sha256", hex_json(h, 32));
        ocv_bytes t;
        if (ocv_b64url_encode(h, 32, &t) == OCV_OK) {
            json_object_set_new(o, "x5t#S256", json_string((const char *)t.data));
            ocv_bytes_free(&t);
        }
    }
    return o;
}

static ocv_reason inspect_x509(const uint8_t *data, size_t len, json_t *o, char *err,
                               size_t err_len)
{
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    ocv_reason r = OCV_MALFORMED;
    int rc = -1;
    if (len > 0 && data[0] == 0x30) {
        size_t off = 0, n = 0;
        while (off < len && n <= OCV_MAX_CHAIN_LEN) {
            if ((rc = mbedtls_x509_crt_parse_der(&chain, data + off, len - off)) != 0)
                break;
            const mbedtls_x509_crt *last = &chain;
            while (last->next != NULL)
                last = last->next;
            off += last->raw.len;
            n++;
        }
        rc = off == len ? 0 : -1;
    } else {
        ocv_bytes z;
        if (ocv_bytes_copy(&z, data, len) != OCV_OK)
            return OCV_INTERNAL_ERROR;
        rc = mbedtls_x509_crt_parse(&chain, z.data, z.len + 1); /* PEM wants the NUL */
        ocv_bytes_free(&z);
    }
    size_t count = 0;
    for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.p != NULL; c = c->next)
        count++;
    if (rc != 0 || count == 0 || count > OCV_MAX_CHAIN_LEN) {
        ocv_errf(err, err_len, "not a certificate or chain of at most %d (PEM or DER)",
                 OCV_MAX_CHAIN_LEN);
        goto out;
    }
    json_t *certs = json_array();
    for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.p != NULL; c = c->next)
        json_array_append_new(certs, cert_json(c));
    json_object_set_new(o, "format", json_string("X.509"));
    json_object_set(o, "subject", json_object_get(json_array_get(certs, 0), "subject"));
    json_object_set_new(o, "certificates", certs);
    r = OCV_OK;
out:
    mbedtls_x509_crt_free(&chain);
    return r;
}

ocv_reason ocv_inspect(const uint8_t *data, size_t len, ocv_credential_type type, json_t **out,
                       char *err, size_t err_len)
{
    *out = NULL;
    if (len > OCV_MAX_CREDENTIAL_BYTES) {
        ocv_errf(err, err_len, "larger than %u bytes", OCV_MAX_CREDENTIAL_BYTES);
        return OCV_TOO_LARGE;
    }
    ocv_credential_type asked = type;
    if (type == OCV_CREDENTIAL_AUTO)
        type = ocv_token_recognise(data, len) ? OCV_CREDENTIAL_JWT
               : ocv_x509_sniff(data, len)    ? OCV_CREDENTIAL_X509
                                              : OCV_CREDENTIAL_JWT;
    json_t *o = json_object();
    json_object_set_new(o, "verified", json_false());
    json_object_set_new(o, "warning",
                        json_string("UNVERIFIED: decoded only; no signature, "
                                    "chain, time or policy was checked"));
    ocv_reason r = type == OCV_CREDENTIAL_X509 ? inspect_x509(data, len, o, err, err_len)
                                               : inspect_token(data, len, o, err, err_len);
    const char *format = json_string_value(json_object_get(o, "format"));
    const char *want = asked == OCV_CREDENTIAL_JWT   ? "JWT"
                       : asked == OCV_CREDENTIAL_CWT ? "CWT"
                                                     : NULL;
    if (r == OCV_OK && want != NULL && (format == NULL || strcmp(format, want) != 0)) {
        ocv_errf(err, err_len, "a %s, not the %s asked for", format ? format : "?", want);
        r = OCV_UNSUPPORTED_FORMAT;
    }
    if (r != OCV_OK) {
        json_decref(o);
        return r;
    }
    *out = o;
    return OCV_OK;
}
