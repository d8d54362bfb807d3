/*
 * mint_token.c - `ocv mint token`: JWTs and CWTs for tests and demos,
 * signed with any algorithm ocv verifies, and --defect NAME to make each
 * hostile variant a verifier must refuse (docs/cli/ocv-mint.md lists them
 * with the reason ocv gives).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>

#include "base/b64url.h"
#include "base/cbor_stream.h"
#include "base/util.h"
#include "cli.h"
#include "mint.h"
#include "verifier/cose_sign1.h"
#include "verifier/keyset.h"
#include "verifier/pkey.h"
#include "verifier/sigalg.h"

static const char TOKEN_USAGE[] =
    "usage: ocv mint token --key PRIVATE.pem [--format jwt|cwt] [--base64url] [--alg ALG]\n"
    "                      [--kid KID] [--iss ISS] [--sub SUB] [--aud AUD]...\n"
    "                      [--scope \"a b\"] [--purpose P]... [--jti ID | --cti HEX]\n"
    "                      [--iat UNIX] [--nbf UNIX] [--exp UNIX | --valid-for D]\n"
    "                      [--no-exp] [--no-iat] [--cnf-x5t-cert CERT.pem]\n"
    "                      [--cnf-jkt-key PUB.pem] [--cnf-cose-key PUB.pem (CWT)]\n"
    "                      [--cnf-kid KID (an unverifiable binding, for tests)]\n"
    "                      [--typ T] [--cty T] [--tag 61|18|none (CWT)]\n"
    "                      [--claim NAME=JSON]... [--defect NAME] [-o FILE]\n"
    "\n"
    "Issues a JWT (compact JWS) or a CWT (tagged COSE_Sign1 in tag 61), signed\n"
    "with the key (ALG defaults to the key's: ES256/384/512, EdDSA, PS256 for RSA;\n"
    "RS256/384/512 and PS384/512 on request). iat defaults to now, exp to iat+10m.\n"
    "\n"
    "--defect makes a hostile variant (expected reason in brackets):\n"
    "  bad-signature [SIGNATURE_INVALID]   alg-none [ALG_NOT_ALLOWED]\n"
    "  hs256-confusion [ALG_NOT_ALLOWED]   wrong-kid [KEY_UNKNOWN]\n"
    "  duplicate-claim [MALFORMED]         unknown-crit [MALFORMED]\n"
    "  trailing-bytes [MALFORMED]          exp-before-nbf [MALFORMED]\n"
    "  oversized [TOO_LARGE]               wrong-rs-length [SIGNATURE_INVALID]\n"
    "  alg-unprotected [ALG_NOT_ALLOWED, CWT]  indefinite-length [MALFORMED, CWT]\n";

typedef enum defect {
    DEFECT_NONE,
    DEFECT_BAD_SIGNATURE,
    DEFECT_ALG_NONE,
    DEFECT_HS256,
    DEFECT_WRONG_KID,
    DEFECT_DUPLICATE,
    DEFECT_CRIT,
    DEFECT_TRAILING,
    DEFECT_EXP_BEFORE_NBF,
    DEFECT_OVERSIZED,
    DEFECT_RS_LENGTH,
    DEFECT_ALG_UNPROTECTED,
    DEFECT_INDEFINITE
} defect;

static const char *const DEFECT_NAMES[] = {"none",
                                           "bad-signature",
                                           "alg-none",
                                           "hs256-confusion",
                                           "wrong-kid",
                                           "duplicate-claim",
                                           "unknown-crit",
                                           "trailing-bytes",
                                           "exp-before-nbf",
                                           "oversized",
                                           "wrong-rs-length",
                                           "alg-unprotected",
                                           "indefinite-length"};

#define MAX_LIST 8

typedef struct token_args {
    const char *key_path, *kid, *iss, *sub, *scope, *jti, *cti, *cnf_cert, *cnf_jkt_key, *out;
    const char *cnf_cose_key, *cnf_kid;
    const char *typ, *cty, *tag; /* CWT header labels 16 and 3; tags "61", "18", "none" */
    const char *aud[MAX_LIST], *purpose[MAX_LIST], *claims[MAX_LIST];
    size_t aud_count, purpose_count, claim_count;
    int cwt, base64url, no_exp, no_iat, has_nbf, has_exp, has_iat;
    int64_t iat, nbf, exp, valid_for;
    ocv_alg alg;
    defect defect;
} token_args;

static int fail(const char *what)
{
    return ocv_cli_usage_error("mint token: %s", what);
}

/* ---- claims -------------------------------------------------------- */

static int cnf_thumbprint(const char *path, uint8_t out[32])
{
    ocv_bytes file;
    char err[256];
    if (ocv_file_read(path, 1 << 20, &file, err, sizeof(err)) != OCV_OK)
        return -1;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse(&crt, file.data, file.len + 1) == 0 &&
                     ocv_sha256(crt.raw.p, crt.raw.len, out) == 0
                 ? 0
                 : -1;
    mbedtls_x509_crt_free(&crt);
    ocv_bytes_free(&file);
    return rc;
}

static json_t *jwt_claims(const token_args *a)
{
    json_t *c = json_object();
    if (a->iss)
        json_object_set_new(c, "iss", json_string(a->iss));
    if (a->sub)
        json_object_set_new(c, "sub", json_string(a->sub));
    if (a->aud_count == 1)
        json_object_set_new(c, "aud", json_string(a->aud[0]));
    else if (a->aud_count > 1) {
        json_t *arr = json_array();
        for (size_t i = 0; i < a->aud_count; i++)
            json_array_append_new(arr, json_string(a->aud[i]));
        json_object_set_new(c, "aud", arr);
    }
    if (!a->no_iat)
        json_object_set_new(c, "iat", json_integer(a->iat));
    if (a->has_nbf)
        json_object_set_new(c, "nbf", json_integer(a->nbf));
    if (!a->no_exp)
        json_object_set_new(c, "exp", json_integer(a->exp));
    if (a->jti)
        json_object_set_new(c, "jti", json_string(a->jti));
    if (a->scope)
        json_object_set_new(c, "scope", json_string(a->scope));
    if (a->purpose_count == 1)
        json_object_set_new(c, "purpose", json_string(a->purpose[0]));
    else if (a->purpose_count > 1) {
        json_t *arr = json_array();
        for (size_t i = 0; i < a->purpose_count; i++)
            json_array_append_new(arr, json_string(a->purpose[i]));
        json_object_set_new(c, "purpose", arr);
    }
    return c;
}

static int add_extra_claims(const token_args *a, json_t *c)
{
    for (size_t i = 0; i < a->claim_count; i++) {
        const char *eq = strchr(a->claims[i], '=');
        if (eq == NULL || eq == a->claims[i])
            return fail("--claim wants NAME=JSON");
        json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
        if (v == NULL)
            return fail("--claim value is not JSON");
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - a->claims[i]), a->claims[i]);
        json_object_set_new(c, name, v);
    }
    json_t *cnf = json_object();
    if (a->cnf_cert != NULL) {
        uint8_t t[32];
        ocv_bytes e;
        if (cnf_thumbprint(a->cnf_cert, t) != 0 || ocv_b64url_encode(t, 32, &e) != OCV_OK) {
            json_decref(cnf);
            return fail("--cnf-x5t-cert: not a certificate");
        }
        json_object_set_new(cnf, "x5t#S256", json_string((char *)e.data));
        ocv_bytes_free(&e);
    }
    if (a->cnf_jkt_key != NULL) {
        ocv_pkey pub;
        uint8_t t[32];
        ocv_bytes e;
        int bad = ocv_pkey_load_file(a->cnf_jkt_key, 0, 1, &pub, NULL, 0) != OCV_OK ||
                  ocv_jwk_thumbprint(&pub, t) != OCV_OK || ocv_b64url_encode(t, 32, &e) != OCV_OK;
        ocv_pkey_free(&pub);
        if (bad) {
            json_decref(cnf);
            return fail("--cnf-jkt-key: not a public key");
        }
        json_object_set_new(cnf, "jkt", json_string((char *)e.data));
        ocv_bytes_free(&e);
    }
    if (a->cnf_kid != NULL)
        json_object_set_new(cnf, "kid", json_string(a->cnf_kid));
    if (json_object_size(cnf) > 0)
        json_object_set_new(c, "cnf", cnf);
    else
        json_decref(cnf);
    return 0;
}

/* ---- JWT ----------------------------------------------------------- */

static int append_b64(ocv_bytes *out, const uint8_t *p, size_t n)
{
    ocv_bytes e;
    if (ocv_b64url_encode(p, n, &e) != OCV_OK)
        return -1;
    uint8_t *grown = realloc(out->data, out->len + e.len + 2);
    if (grown == NULL) {
        ocv_bytes_free(&e);
        return -1;
    }
    out->data = grown;
    memcpy(out->data + out->len, e.data, e.len);
    out->len += e.len;
    out->data[out->len] = 0;
    ocv_bytes_free(&e);
    return 0;
}

static char *jwt_header(const token_args *a)
{
    const char *alg = a->defect == DEFECT_ALG_NONE ? "none"
                      : a->defect == DEFECT_HS256  ? "HS256"
                                                   : ocv_alg_name(a->alg);
    json_t *h = json_pack("{s:s, s:s}", "alg", alg, "typ", a->typ != NULL ? a->typ : "JWT");
    const char *kid = a->defect == DEFECT_WRONG_KID ? "no-such-kid" : a->kid;
    if (kid != NULL)
        json_object_set_new(h, "kid", json_string(kid));
    if (a->defect == DEFECT_CRIT)
        json_object_set_new(h, "crit", json_pack("[s]", "exp-ext"));
    char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(h);
    return text;
}

static char *jwt_payload(const token_args *a, json_t *claims)
{
    char *text = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    size_t extra = a->defect == DEFECT_OVERSIZED ? 70000 : 64;
    char *out = malloc(n + extra + 32);
    if (out == NULL) {
        free(text);
        return NULL;
    }
    if (a->defect == DEFECT_DUPLICATE)
        snprintf(out, n + extra + 32, "{\"sub\":\"spiffe://evil/duplicate\",%s", text + 1);
    else if (a->defect == DEFECT_TRAILING)
        snprintf(out, n + extra + 32, "%s{}", text);
    else if (a->defect == DEFECT_OVERSIZED) {
        snprintf(out, n + extra + 32, "{\"pad\":\"%*s\",%s", 70000, "", text + 1);
    } else
        snprintf(out, n + extra + 32, "%s", text);
    free(text);
    return out;
}

static int jwt_signature(const token_args *a, const ocv_pkey *key, const ocv_bytes *input,
                         ocv_bytes *sig)
{
    ocv_bytes_init(sig);
    if (a->defect == DEFECT_ALG_NONE)
        return 0;
    if (a->defect == DEFECT_HS256) {
        /* the RS/HS confusion: an HMAC keyed with the public key's PEM */
        ocv_bytes pem;
        if (ocv_pkey_write_public_pem(key, &pem) != OCV_OK)
            return -1;
        sig->data = malloc(32);
        int rc = sig->data == NULL ||
                 mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), pem.data, pem.len,
                                 input->data, input->len, sig->data) != 0;
        sig->len = 32;
        ocv_bytes_free(&pem);
        return rc ? -1 : 0;
    }
    if (ocv_sig_sign(a->alg, key, input->data, input->len, sig) != OCV_OK)
        return -1;
    if (a->defect == DEFECT_BAD_SIGNATURE)
        sig->data[sig->len - 1] ^= 0x01;
    if (a->defect == DEFECT_RS_LENGTH) {
        uint8_t *grown = realloc(sig->data, sig->len + 1);
        if (grown == NULL)
            return -1;
        sig->data = grown;
        sig->data[sig->len++] = 0;
    }
    return 0;
}

static int build_jwt(const token_args *a, const ocv_pkey *key, json_t *claims, ocv_bytes *out)
{
    char *h = jwt_header(a), *p = jwt_payload(a, claims);
    ocv_bytes_init(out);
    ocv_bytes sig;
    ocv_bytes_init(&sig);
    int rc = -1;
    if (h == NULL || p == NULL)
        goto done;
    if (append_b64(out, (const uint8_t *)h, strlen(h)) != 0)
        goto done;
    out->data[out->len++] = '.';
    if (append_b64(out, (const uint8_t *)p, strlen(p)) != 0)
        goto done;
    if (jwt_signature(a, key, out, &sig) != 0)
        goto done;
    out->data[out->len++] = '.';
    out->data[out->len] = 0;
    rc = sig.len ? append_b64(out, sig.data, sig.len) : 0;
done:
    free(h);
    free(p);
    ocv_bytes_free(&sig);
    return rc;
}

/* ---- CWT ----------------------------------------------------------- */

static void text_or_skip(ocv_cbor_out *w, uint64_t label, const char *v)
{
    if (v == NULL)
        return;
    ocv_cbor_out_uint(w, label);
    ocv_cbor_out_text(w, v, strlen(v));
}

/* A public key as a COSE_Key map (RFC 9052 §7.1): EC2 or OKP. */
static int cose_key(const ocv_pkey *k, ocv_cbor_out *w)
{
    if (k->type == OCV_KEY_ED25519) {
        ocv_cbor_out_map(w, 3);
        ocv_cbor_out_uint(w, 1); /* kty: OKP */
        ocv_cbor_out_uint(w, 1);
        ocv_cbor_out_negint(w, 0); /* crv: Ed25519 */
        ocv_cbor_out_uint(w, 6);
        ocv_cbor_out_negint(w, 1);
        ocv_cbor_out_bytes(w, k->ed25519_pub, 32);
        return 0;
    }
    if (k->type != OCV_KEY_EC_P256 && k->type != OCV_KEY_EC_P384 && k->type != OCV_KEY_EC_P521)
        return fail("--cnf-cose-key: an EC or Ed25519 public key");
    const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(k->pk);
    uint8_t pt[1 + 2 * 66];
    size_t n = 0;
    if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &n, pt,
                                       sizeof(pt)) != 0)
        return fail("--cnf-cose-key: cannot write the point");
    size_t half = (n - 1) / 2;
    ocv_cbor_out_map(w, 4);
    ocv_cbor_out_uint(w, 1); /* kty: EC2 */
    ocv_cbor_out_uint(w, 2);
    ocv_cbor_out_negint(w, 0);
    ocv_cbor_out_uint(w, k->type == OCV_KEY_EC_P256 ? 1 : k->type == OCV_KEY_EC_P384 ? 2 : 3);
    ocv_cbor_out_negint(w, 1);
    ocv_cbor_out_bytes(w, pt + 1, half);
    ocv_cbor_out_negint(w, 2);
    ocv_cbor_out_bytes(w, pt + 1 + half, half);
    return 0;
}

/* CWT cnf (RFC 8747 §3): { 1: COSE_Key } or { 3: kid }. */
static int cwt_cnf(const token_args *a, ocv_cbor_out *w)
{
    ocv_cbor_out_uint(w, 8);
    ocv_cbor_out_map(w, 1);
    if (a->cnf_kid != NULL) {
        ocv_cbor_out_uint(w, 3);
        ocv_cbor_out_bytes(w, (const uint8_t *)a->cnf_kid, strlen(a->cnf_kid));
        return 0;
    }
    ocv_pkey pub;
    if (ocv_pkey_load_file(a->cnf_cose_key, 0, 1, &pub, NULL, 0) != OCV_OK)
        return fail("--cnf-cose-key: not a public key");
    ocv_cbor_out_uint(w, 1);
    int rc = cose_key(&pub, w);
    ocv_pkey_free(&pub);
    return rc;
}

static int cwt_payload(const token_args *a, ocv_bytes *out)
{
    size_t n = (a->iss != NULL) + (a->sub != NULL) + (a->aud_count > 0) + !a->no_exp + a->has_nbf +
               !a->no_iat + (a->cti != NULL) + (a->scope != NULL) +
               (a->defect == DEFECT_DUPLICATE) + (a->cnf_cose_key != NULL || a->cnf_kid != NULL);
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    if (a->defect == DEFECT_INDEFINITE)
        ocv_cbor_out_raw(&w, (const uint8_t *)"\xbf", 1); /* an indefinite-length map */
    else
        ocv_cbor_out_map(&w, n);
    if (a->defect == DEFECT_DUPLICATE)
        text_or_skip(&w, 2, "spiffe://evil/duplicate");
    text_or_skip(&w, 1, a->iss);
    text_or_skip(&w, 2, a->sub);
    if (a->aud_count == 1) {
        text_or_skip(&w, 3, a->aud[0]);
    } else if (a->aud_count > 1) {
        ocv_cbor_out_uint(&w, 3);
        ocv_cbor_out_array(&w, a->aud_count);
        for (size_t i = 0; i < a->aud_count; i++)
            ocv_cbor_out_text(&w, a->aud[i], strlen(a->aud[i]));
    }
    const int64_t dates[] = {a->exp, a->nbf, a->iat};
    const int present[] = {!a->no_exp, a->has_nbf, !a->no_iat};
    for (int i = 0; i < 3; i++) {
        if (!present[i])
            continue;
        ocv_cbor_out_uint(&w, (uint64_t)(4 + i));
        ocv_cbor_out_uint(&w, (uint64_t)dates[i]);
    }
    if (a->cti != NULL) {
        uint8_t cti[64];
        size_t len = 0;
        if (ocv_hex_decode(a->cti, strlen(a->cti), cti, sizeof(cti), &len) != 0 || len == 0)
            return fail("--cti wants hex");
        ocv_cbor_out_uint(&w, 7);
        ocv_cbor_out_bytes(&w, cti, len);
    }
    text_or_skip(&w, 9, a->scope);
    if ((a->cnf_cose_key != NULL || a->cnf_kid != NULL) && cwt_cnf(a, &w) != 0)
        return -1;
    if (a->defect == DEFECT_INDEFINITE)
        ocv_cbor_out_raw(&w, (const uint8_t *)"\xff", 1); /* break */
    return ocv_cbor_out_finish(&w, out) == OCV_OK ? 0 : -1;
}

static int cwt_protected(const token_args *a, ocv_bytes *out)
{
    const ocv_alg_info *info = ocv_alg_info_of(a->alg);
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    size_t n = (a->defect != DEFECT_ALG_UNPROTECTED) + (a->defect == DEFECT_CRIT) +
               (a->typ != NULL) + (a->cty != NULL);
    ocv_cbor_out_map(&w, n);
    if (a->defect != DEFECT_ALG_UNPROTECTED) {
        ocv_cbor_out_uint(&w, 1);
        if (a->defect == DEFECT_ALG_NONE)
            ocv_cbor_out_uint(&w, 0); /* no algorithm: "none" has no COSE id */
        else if (a->defect == DEFECT_HS256)
            ocv_cbor_out_uint(&w, 5); /* HMAC 256/256 */
        else
            ocv_cbor_out_negint(&w, (uint64_t)(-1 - info->cose));
    }
    if (a->defect == DEFECT_CRIT) {
        ocv_cbor_out_uint(&w, 2);
        ocv_cbor_out_array(&w, 1);
        ocv_cbor_out_uint(&w, 99);
    }
    if (a->cty != NULL) { /* content type, RFC 9052 §3.1 */
        ocv_cbor_out_uint(&w, 3);
        ocv_cbor_out_text(&w, a->cty, strlen(a->cty));
    }
    if (a->typ != NULL) { /* typ, RFC 9596 */
        ocv_cbor_out_uint(&w, 16);
        ocv_cbor_out_text(&w, a->typ, strlen(a->typ));
    }
    return ocv_cbor_out_finish(&w, out) == OCV_OK ? 0 : -1;
}

static int build_cwt(const token_args *a, const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes prot, payload, tbs, sig;
    ocv_bytes_init(&tbs);
    ocv_bytes_init(&sig);
    if (cwt_protected(a, &prot) != 0)
        return -1;
    if (cwt_payload(a, &payload) != 0) {
        ocv_bytes_free(&prot);
        return -1;
    }
    ocv_sign1 view = {prot.data, prot.len, a->alg, NULL, 0, payload.data, payload.len, NULL, 0};
    int rc = -1;
    if (ocv_sign1_to_be_signed(&view, &tbs) != OCV_OK)
        goto done;
    token_args signing = *a;
    signing.defect = a->defect == DEFECT_BAD_SIGNATURE || a->defect == DEFECT_RS_LENGTH
                         ? a->defect
                         : DEFECT_NONE;
    if (jwt_signature(&signing, key, &tbs, &sig) != 0)
        goto done;
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    if (a->tag == NULL || strcmp(a->tag, "61") == 0)
        ocv_cbor_out_tag(&w, 61);
    if (a->tag == NULL || strcmp(a->tag, "none") != 0)
        ocv_cbor_out_tag(&w, 18);
    ocv_cbor_out_array(&w, 4);
    ocv_cbor_out_bytes(&w, prot.data, prot.len);
    const char *kid = a->defect == DEFECT_WRONG_KID ? "no-such-kid" : a->kid;
    size_t unprotected = (kid != NULL) + (a->defect == DEFECT_ALG_UNPROTECTED);
    ocv_cbor_out_map(&w, unprotected);
    if (a->defect == DEFECT_ALG_UNPROTECTED) {
        ocv_cbor_out_uint(&w, 1);
        ocv_cbor_out_negint(&w, (uint64_t)(-1 - ocv_alg_info_of(a->alg)->cose));
    }
    if (kid != NULL) {
        ocv_cbor_out_uint(&w, 4);
        ocv_cbor_out_bytes(&w, (const uint8_t *)kid, strlen(kid));
    }
    ocv_cbor_out_bytes(&w, payload.data, payload.len);
    ocv_cbor_out_bytes(&w, sig.data, sig.len);
    if (a->defect == DEFECT_TRAILING)
        ocv_cbor_out_uint(&w, 0);
    if (ocv_cbor_out_finish(&w, out) != OCV_OK)
        goto done;
    if (a->base64url) {
        ocv_bytes text;
        if (ocv_b64url_encode(out->data, out->len, &text) != OCV_OK)
            goto done;
        ocv_bytes_free(out);
        *out = text;
    }
    rc = 0;
done:
    ocv_bytes_free(&prot);
    ocv_bytes_free(&payload);
    ocv_bytes_free(&tbs);
    ocv_bytes_free(&sig);
    return rc;
}

/* ---- options ------------------------------------------------------- */

enum {
    OPT_KEY = 256,
    OPT_FORMAT,
    OPT_B64,
    OPT_ALG,
    OPT_KID,
    OPT_ISS,
    OPT_SUB,
    OPT_AUD,
    OPT_SCOPE,
    OPT_PURPOSE,
    OPT_JTI,
    OPT_CTI,
    OPT_IAT,
    OPT_NBF,
    OPT_EXP,
    OPT_VALID_FOR,
    OPT_NO_EXP,
    OPT_NO_IAT,
    OPT_CNF,
    OPT_CNF_JKT,
    OPT_CNF_COSE_KEY,
    OPT_TYP,
    OPT_CTY,
    OPT_TAG,
    OPT_CNF_KID,
    OPT_CLAIM,
    OPT_DEFECT,
    OPT_HELP
};

static const struct option TOKEN_OPTIONS[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"base64url", no_argument, NULL, OPT_B64},
    {"alg", required_argument, NULL, OPT_ALG},
    {"kid", required_argument, NULL, OPT_KID},
    {"iss", required_argument, NULL, OPT_ISS},
    {"sub", required_argument, NULL, OPT_SUB},
    {"aud", required_argument, NULL, OPT_AUD},
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"purpose", required_argument, NULL, OPT_PURPOSE},
    {"jti", required_argument, NULL, OPT_JTI},
    {"cti", required_argument, NULL, OPT_CTI},
    {"iat", required_argument, NULL, OPT_IAT},
    {"nbf", required_argument, NULL, OPT_NBF},
    {"exp", required_argument, NULL, OPT_EXP},
    {"valid-for", required_argument, NULL, OPT_VALID_FOR},
    {"no-exp", no_argument, NULL, OPT_NO_EXP},
    {"no-iat", no_argument, NULL, OPT_NO_IAT},
    {"cnf-x5t-cert", required_argument, NULL, OPT_CNF},
    {"claim", required_argument, NULL, OPT_CLAIM},
    {"cnf-jkt-key", required_argument, NULL, OPT_CNF_JKT},
    {"cnf-cose-key", required_argument, NULL, OPT_CNF_COSE_KEY},
    {"cnf-kid", required_argument, NULL, OPT_CNF_KID},
    {"typ", required_argument, NULL, OPT_TYP},
    {"cty", required_argument, NULL, OPT_CTY},
    {"tag", required_argument, NULL, OPT_TAG},
    {"defect", required_argument, NULL, OPT_DEFECT},
    {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static int push(const char **list, size_t *n, const char *v)
{
    if (*n >= MAX_LIST)
        return fail("at most 8 of each repeated option");
    list[(*n)++] = v;
    return -1;
}

static int time_option(const char *arg, int64_t *v, int *has)
{
    if (ocv_cli_parse_time(arg, v) != 0)
        return fail("times are UNIX seconds");
    *has = 1;
    return -1;
}

static int token_option(int opt, const char *arg, token_args *a)
{
    switch (opt) {
    case OPT_KEY:
        a->key_path = arg;
        return -1;
    case OPT_B64:
        a->base64url = 1;
        return -1;
    case OPT_KID:
        a->kid = arg;
        return -1;
    case OPT_ISS:
        a->iss = arg;
        return -1;
    case OPT_SUB:
        a->sub = arg;
        return -1;
    case OPT_SCOPE:
        a->scope = arg;
        return -1;
    case OPT_JTI:
        a->jti = arg;
        return -1;
    case OPT_CTI:
        a->cti = arg;
        return -1;
    case OPT_NO_EXP:
        a->no_exp = 1;
        return -1;
    case OPT_NO_IAT:
        a->no_iat = 1;
        return -1;
    case OPT_CNF:
        a->cnf_cert = arg;
        return -1;
    case OPT_CNF_COSE_KEY:
        a->cnf_cose_key = arg;
        return -1;
    case OPT_CNF_KID:
        a->cnf_kid = arg;
        return -1;
    case OPT_TYP:
        a->typ = arg;
        return -1;
    case OPT_CTY:
        a->cty = arg;
        return -1;
    case OPT_TAG:
        if (strcmp(arg, "61") != 0 && strcmp(arg, "18") != 0 && strcmp(arg, "none") != 0)
            return fail("--tag wants 61, 18 or none");
        a->tag = arg;
        return -1;
    case OPT_CNF_JKT:
        a->cnf_jkt_key = arg;
        return -1;
    case 'o':
        a->out = arg;
        return -1;
    case OPT_AUD:
        return push(a->aud, &a->aud_count, arg);
    case OPT_PURPOSE:
        return push(a->purpose, &a->purpose_count, arg);
    case OPT_CLAIM:
        return push(a->claims, &a->claim_count, arg);
    case OPT_IAT:
        return time_option(arg, &a->iat, &a->has_iat);
    case OPT_NBF:
        return time_option(arg, &a->nbf, &a->has_nbf);
    case OPT_EXP:
        return time_option(arg, &a->exp, &a->has_exp);
    case OPT_FORMAT:
        if (strcmp(arg, "jwt") && strcmp(arg, "cwt"))
            return fail("--format wants jwt or cwt");
        a->cwt = strcmp(arg, "cwt") == 0;
        return -1;
    case OPT_ALG: {
        const ocv_alg_info *info = ocv_alg_by_jose(arg, strlen(arg));
        if (info == NULL)
            return fail("--alg wants ES256/384/512, RS256/384/512, PS256/384/512 or EdDSA");
        a->alg = info->alg;
        return -1;
    }
    case OPT_VALID_FOR:
        if (ocv_parse_duration(arg, &a->valid_for) != 0)
            return fail("--valid-for wants a duration like 10m");
        return -1;
    case OPT_DEFECT:
        for (size_t i = 1; i < sizeof(DEFECT_NAMES) / sizeof(DEFECT_NAMES[0]); i++) {
            if (strcmp(arg, DEFECT_NAMES[i]) == 0) {
                a->defect = (defect)i;
                return -1;
            }
        }
        return fail("unknown --defect (see --help)");
    case OPT_HELP:
        fputs(TOKEN_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    default:
        return ocv_cli_bad_option(NULL, TOKEN_USAGE);
    }
}

static int check_args(token_args *a, const ocv_pkey *key)
{
    if (a->alg == OCV_ALG_NONE)
        a->alg = ocv_alg_for_key(key);
    if (ocv_alg_info_of(a->alg)->key_type != key->type)
        return fail("--alg does not fit the key");
    if (!a->cwt && (a->defect == DEFECT_ALG_UNPROTECTED || a->defect == DEFECT_INDEFINITE))
        return fail("that defect exists for CWTs only");
    if (a->cwt && (a->claim_count || a->cnf_cert || a->cnf_jkt_key || a->purpose_count || a->jti))
        return fail("--claim, --cnf-x5t-cert, --cnf-jkt-key, --purpose and --jti are JWT options "
                    "(CWT: --cti, --cnf-cose-key)");
    if (!a->cwt && a->cnf_cose_key)
        return fail("--cnf-cose-key is a CWT option (JWT: --cnf-jkt-key)");
    if (!a->has_iat)
        a->iat = ocv_now();
    if (!a->has_exp)
        a->exp = a->iat + (a->valid_for ? a->valid_for : 600);
    if (a->defect == DEFECT_EXP_BEFORE_NBF) {
        a->has_nbf = 1;
        a->nbf = a->iat;
        a->exp = a->iat - 1;
    }
    return -1;
}

int ocv_mint_token(int argc, char **argv)
{
    token_args a;
    memset(&a, 0, sizeof(a));
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:", TOKEN_OPTIONS, NULL)) != -1) {
        int stop =
            opt == '?' ? ocv_cli_bad_option(argv, TOKEN_USAGE) : token_option(opt, optarg, &a);
        if (stop >= 0)
            return stop;
    }
    if (optind < argc || a.key_path == NULL)
        return fail("--key is required (see --help)");
    ocv_pkey key;
    char err[512] = "";
    if (ocv_pkey_load_file(a.key_path, 1, 1, &key, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    int code = check_args(&a, &key);
    json_t *claims = NULL;
    ocv_bytes token;
    ocv_bytes_init(&token);
    if (code >= 0)
        goto out;
    code = OCV_EXIT_USAGE;
    if (a.cwt) {
        if (build_cwt(&a, &key, &token) != 0) {
            fail("cannot build the CWT");
            goto out;
        }
    } else {
        claims = jwt_claims(&a);
        if (add_extra_claims(&a, claims) != 0) {
            code = OCV_EXIT_USAGE;
            goto out;
        }
        if (build_jwt(&a, &key, claims, &token) != 0) {
            fail("cannot build the JWT");
            goto out;
        }
    }
    if (ocv_cli_write_file(a.out ? a.out : "-", token.data, token.len, 0, 1) == 0)
        code = OCV_EXIT_ALLOW;
out:
    json_decref(claims);
    ocv_bytes_free(&token);
    ocv_pkey_free(&key);
    return code;
}
