/*
 * x509_path.c - path building and §6.1 validation. See x509_path.h.
 *
 * Implementation notes
 *
 * Building is a depth-first search from the leaf. At each step the
 * candidates are every anchor and pool certificate whose subject equals
 * the current issuer name (§7.1), in three passes: key identifiers match,
 * no key identifier to compare, key identifiers differ. A candidate
 * already on the path (same certificate) is skipped, so loops end; a pool
 * certificate byte-identical to an anchor is left to the anchor. Each
 * candidate costs one unit of work whether or not its signature verifies.
 *
 * Validation walks the path from the anchor down (i = 1 .. n, the RFC's
 * numbering), with working state for the path length, the policy tree
 * and the name constraints seen so far (the constraints are kept as the
 * list of CA extensions, each checked in turn). Time failures are kept
 * aside and reported only when nothing else failed, which is the
 * precedence of x509.h (rules before time).
 */
#include "x509_path.h"

#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/rsa.h>

#include "base/util.h"
#include "verifier/x509.h"
#include "verifier/x509_ext.h"
#include "verifier/x509_name.h"

int ocv_x509_self_issued(const mbedtls_x509_crt *crt)
{
    return ocv_x509_name_eq(crt->subject_raw.p, crt->subject_raw.len, crt->issuer_raw.p,
                            crt->issuer_raw.len);
}

static int same_cert(const mbedtls_x509_crt *a, const mbedtls_x509_crt *b)
{
    return a == b || (a->raw.len == b->raw.len && memcmp(a->raw.p, b->raw.p, a->raw.len) == 0);
}

/* ---- algorithm policy ---------------------------------------------- */

static int md_allowed(mbedtls_md_type_t md)
{
    return md == MBEDTLS_MD_SHA256 || md == MBEDTLS_MD_SHA384 || md == MBEDTLS_MD_SHA512;
}

static int key_allowed(const mbedtls_pk_context *pk)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
    if (t == MBEDTLS_PK_RSA)
        return mbedtls_pk_get_bitlen(pk) >= 2048;
    if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
        mbedtls_ecp_group_id g = mbedtls_pk_ec(*pk)->grp.id;
        return g == MBEDTLS_ECP_DP_SECP256R1 || g == MBEDTLS_ECP_DP_SECP384R1 ||
               g == MBEDTLS_ECP_DP_SECP521R1;
    }
    return 0;
}

/* ---- validation ---------------------------------------------------- */

typedef struct vstate {
    const ocv_x509_path_options *opt;
    ocv_x509_ext ext[OCV_X509_MAX_PATH]; /* by path index */
    ocv_x509_policy policy;
    int max_path;
} vstate;

static ocv_reason time_check(const mbedtls_x509_crt *c, size_t idx, const ocv_x509_path_options *o,
                             char *detail, size_t detail_len)
{
    if (o->at - o->skew > ocv_x509_time_to_unix(&c->valid_to)) {
        ocv_errf(detail, detail_len, "certificate %zu of the path has expired", idx);
        return OCV_EXPIRED;
    }
    if (o->at + o->skew < ocv_x509_time_to_unix(&c->valid_from)) {
        ocv_errf(detail, detail_len, "certificate %zu of the path is not valid yet", idx);
        return OCV_NOT_YET_VALID;
    }
    return OCV_OK;
}

static ocv_reason check_serial(const mbedtls_x509_crt *c, size_t idx, char *detail,
                               size_t detail_len)
{
    const uint8_t *p = c->serial.p;
    size_t n = c->serial.len;
    int zero = 1;
    for (size_t k = 0; k < n; k++)
        zero &= p[k] == 0;
    if (n == 0 || zero || (p[0] & 0x80) || n > OCV_MAX_SERIAL_BYTES + (p[0] == 0)) {
        ocv_errf(detail, detail_len,
                 "certificate %zu of the path has a serial number that is zero, negative or over "
                 "20 octets (RFC 5280 §4.1.2.2)",
                 idx);
        return OCV_MALFORMED;
    }
    return OCV_OK;
}

/* §6.1.4 (k)-(n) for a CA certificate at path index idx. */
static ocv_reason ca_checks(vstate *s, const mbedtls_x509_crt *c, size_t idx, int self_issued,
                            char *detail, size_t detail_len)
{
    if (c->version != 3) {
        ocv_errf(detail, detail_len, "intermediate %zu is a version %d certificate, not v3", idx,
                 c->version);
        return OCV_CHAIN_INVALID;
    }
    if (!(c->ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) || !c->ca_istrue) {
        ocv_errf(detail, detail_len, "intermediate %zu is not a CA (basicConstraints)", idx);
        return OCV_CHAIN_INVALID;
    }
    if (!self_issued) {
        if (s->max_path <= 0) {
            ocv_errf(detail, detail_len, "intermediate %zu exceeds a pathLenConstraint", idx);
            return OCV_CHAIN_INVALID;
        }
        s->max_path--;
    }
    if (c->max_pathlen > 0 && c->max_pathlen - 1 < s->max_path)
        s->max_path = c->max_pathlen - 1;
    if (s->opt->eku != OCV_EKU_ANY && (c->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE)) {
        int server = s->opt->eku == OCV_EKU_SERVER_AUTH;
        const char *oid = server ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH;
        size_t oid_len = server ? MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)
                                : MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH);
        if (mbedtls_x509_crt_check_extended_key_usage(c, oid, oid_len) != 0) {
            ocv_errf(detail, detail_len, "intermediate %zu's extended key usage excludes %s", idx,
                     server ? "serverAuth" : "clientAuth");
            return OCV_CHAIN_INVALID;
        }
    }
    if ((c->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) &&
        !(c->key_usage & MBEDTLS_X509_KU_KEY_CERT_SIGN)) {
        ocv_errf(detail, detail_len, "intermediate %zu's key usage lacks keyCertSign", idx);
        return OCV_CHAIN_INVALID;
    }
    return OCV_OK;
}

/* §6.1.3 (b)-(c): names of the certificate at idx against every CA above. */
static ocv_reason nc_checks(const vstate *s, const mbedtls_x509_crt *const *path, size_t len,
                            size_t idx, char *detail, size_t detail_len)
{
    size_t top = s->opt->anchor_constraints ? len : len - 1;
    for (size_t j = idx + 1; j < top; j++) {
        ocv_reason r = ocv_x509_nc_check(path[idx], &s->ext[j], detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

static const ocv_x509_policy_init DEFAULT_POLICY = {0};

ocv_reason ocv_x509_path_validate(const mbedtls_x509_crt *const *path, size_t len,
                                  const ocv_x509_path_options *options, char *detail,
                                  size_t detail_len)
{
    static __thread vstate s; /* about 20 KiB: kept off the stack */
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_reason late = OCV_OK;
    char late_detail[256] = "";
    if (len < 2 || len > OCV_X509_MAX_PATH)
        return OCV_INTERNAL_ERROR;
    s.opt = options;
    int n = (int)len - 1;
    s.max_path = n;
    for (size_t k = 0; k < len; k++) {
        r = ocv_x509_ext_parse(path[k], &s.ext[k], detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    ocv_x509_policy_start(&s.policy, n, options->policy ? options->policy : &DEFAULT_POLICY);
    if (!key_allowed(&path[len - 1]->pk)) {
        ocv_errf(detail, detail_len, "the trust anchor's key type or size is not allowed");
        return OCV_ALG_NOT_ALLOWED;
    }
    for (int i = 1; i <= n; i++) {
        size_t idx = (size_t)(n - i);
        const mbedtls_x509_crt *c = path[idx];
        int self_issued = ocv_x509_self_issued(c);
        int leaf = i == n;
        if (!md_allowed(c->sig_md) || !key_allowed(&c->pk)) {
            ocv_errf(detail, detail_len,
                     "certificate %zu: hash, key type or key size not allowed (SHA-256+, RSA "
                     "2048+, P-256/384/521)",
                     idx);
            return OCV_ALG_NOT_ALLOWED;
        }
        r = check_serial(c, idx, detail, detail_len);
        if (r != OCV_OK)
            return r;
        if (late == OCV_OK)
            late = time_check(c, idx, options, late_detail, sizeof(late_detail));
        if (!self_issued || leaf) {
            r = nc_checks(&s, path, len, idx, detail, detail_len);
            if (r != OCV_OK)
                return r;
        }
        r = ocv_x509_policy_cert(&s.policy, i, &s.ext[idx], self_issued, detail, detail_len);
        if (r != OCV_OK)
            return r;
        if (leaf)
            break;
        r = ca_checks(&s, c, idx, self_issued, detail, detail_len);
        if (r != OCV_OK)
            return r;
        r = ocv_x509_policy_prepare(&s.policy, i, &s.ext[idx], self_issued, detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    r = ocv_x509_policy_finish(&s.policy, &s.ext[0], detail, detail_len);
    if (r != OCV_OK)
        return r;
    if (late != OCV_OK) {
        ocv_strlcpy(detail, late_detail, detail_len);
        return late;
    }
    return OCV_OK;
}

/* ---- building ------------------------------------------------------ */

typedef struct builder {
    const mbedtls_x509_crt *anchors, *pool;
    const ocv_x509_path_options *opt;
    const mbedtls_x509_crt *path[OCV_X509_MAX_PATH];
    size_t len;
    int work;
    ocv_reason failed; /* first complete path's reason */
    char failed_detail[256];
    int bad_signatures;
    int weak_signatures; /* the seam refused the hash or key: never verified */
    char sig_detail[256];
} builder;

static int is_anchor(const builder *b, const mbedtls_x509_crt *c)
{
    for (const mbedtls_x509_crt *a = b->anchors; a != NULL; a = a->next) {
        if (a == c)
            return 1;
    }
    return 0;
}

static int on_path(const builder *b, const mbedtls_x509_crt *c)
{
    for (size_t k = 0; k < b->len; k++) {
        if (same_cert(b->path[k], c))
            return 1;
    }
    return 0;
}

/* Pass 0: key ids match; 1: nothing to compare; 2: they differ. */
static int keyid_pass(const mbedtls_x509_crt *child, const mbedtls_x509_crt *cand)
{
    ocv_x509_ext ce, pe;
    char ignore[8];
    if (ocv_x509_ext_parse(child, &ce, ignore, sizeof(ignore)) != OCV_OK ||
        ocv_x509_ext_parse(cand, &pe, ignore, sizeof(ignore)) != OCV_OK)
        return 2;
    if (ce.aki.p == NULL || pe.ski.p == NULL)
        return 1;
    return ocv_span_eq(ce.aki, pe.ski) ? 0 : 2;
}

static int is_candidate(const builder *b, const mbedtls_x509_crt *cur, const mbedtls_x509_crt *c)
{
    if (c->raw.p == NULL || on_path(b, c))
        return 0;
    return ocv_x509_name_eq(c->subject_raw.p, c->subject_raw.len, cur->issuer_raw.p,
                            cur->issuer_raw.len);
}

static int pool_dup_of_anchor(const builder *b, const mbedtls_x509_crt *c)
{
    for (const mbedtls_x509_crt *a = b->anchors; a != NULL; a = a->next) {
        if (a->raw.p != NULL && same_cert(a, c))
            return 1;
    }
    return 0;
}

static int dfs(builder *b);

/* Tries one candidate issuer of the last path entry: 1 found, 0 not. */
static int try_candidate(builder *b, const mbedtls_x509_crt *c)
{
    const mbedtls_x509_crt *cur = b->path[b->len - 1];
    if (++b->work > OCV_X509_MAX_PATH_WORK)
        return 0;
    /* a CA's signature recurs on every decision under it: cached; a
     * leaf's is new each time */
    ocv_reason sr = ocv_x509_check_signature(cur->sig_pk, cur->sig_opts, cur->sig_md, &c->pk_raw,
                                             cur->tbs.p, cur->tbs.len, cur->sig.p, cur->sig.len,
                                             b->len > 1 ? b->opt->sig_cache : NULL);
    if (sr == OCV_ALG_NOT_ALLOWED) {
        if (b->weak_signatures++ == 0)
            ocv_errf(b->sig_detail, sizeof(b->sig_detail),
                     "a signature uses a hash or key ocv does not accept (SHA-256+, RSA 2048+, "
                     "P-256/384/521)");
        return 0;
    }
    if (sr != OCV_OK) {
        if (b->bad_signatures++ == 0) {
            char name[160];
            if (mbedtls_x509_dn_gets(name, sizeof(name), &c->subject) < 0)
                ocv_strlcpy(name, "(name too long)", sizeof(name));
            ocv_errf(b->sig_detail, sizeof(b->sig_detail), "signature by '%s' does not verify",
                     name);
        }
        return 0;
    }
    b->path[b->len++] = c;
    if (is_anchor(b, c)) {
        char why[256] = "";
        ocv_reason r = ocv_x509_path_validate(b->path, b->len, b->opt, why, sizeof(why));
        if (r == OCV_OK)
            return 1;
        if (b->failed == OCV_CHAIN_UNTRUSTED) {
            b->failed = r;
            ocv_strlcpy(b->failed_detail, why, sizeof(b->failed_detail));
        }
    } else if (b->len < OCV_X509_MAX_PATH && dfs(b)) {
        return 1;
    }
    b->len--;
    return 0;
}

static int dfs(builder *b)
{
    const mbedtls_x509_crt *cur = b->path[b->len - 1];
    for (int pass = 0; pass < 3; pass++) {
        for (int from_pool = 0; from_pool < 2; from_pool++) {
            const mbedtls_x509_crt *list = from_pool ? b->pool : b->anchors;
            for (const mbedtls_x509_crt *c = list; c != NULL; c = c->next) {
                if (!is_candidate(b, cur, c) || keyid_pass(cur, c) != pass)
                    continue;
                if (from_pool && pool_dup_of_anchor(b, c))
                    continue;
                if (try_candidate(b, c))
                    return 1;
                if (b->work > OCV_X509_MAX_PATH_WORK)
                    return 0;
            }
        }
    }
    return 0;
}

ocv_reason ocv_x509_path_build(const mbedtls_x509_crt *leaf, const mbedtls_x509_crt *pool,
                               const mbedtls_x509_crt *anchors,
                               const ocv_x509_path_options *options,
                               const mbedtls_x509_crt *path[OCV_X509_MAX_PATH], size_t *len,
                               char *detail, size_t detail_len)
{
    static __thread builder b;
    memset(&b, 0, sizeof(b));
    b.anchors = anchors;
    b.pool = pool;
    b.opt = options;
    b.failed = OCV_CHAIN_UNTRUSTED;
    b.path[0] = leaf;
    b.len = 1;
    *len = 0;
    for (const mbedtls_x509_crt *a = anchors; a != NULL; a = a->next) {
        if (a->raw.p != NULL && same_cert(a, leaf)) {
            ocv_errf(detail, detail_len, "the leaf is itself a trust anchor");
            return OCV_CHAIN_INVALID;
        }
    }
    if (dfs(&b)) {
        memcpy(path, b.path, b.len * sizeof(b.path[0]));
        *len = b.len;
        return OCV_OK;
    }
    if (b.failed != OCV_CHAIN_UNTRUSTED) {
        ocv_strlcpy(detail, b.failed_detail, detail_len);
        return b.failed;
    }
    if (b.work > OCV_X509_MAX_PATH_WORK) {
        ocv_errf(detail, detail_len, "no path found within %d candidate issuers",
                 OCV_X509_MAX_PATH_WORK);
        return OCV_CHAIN_UNTRUSTED;
    }
    if (b.weak_signatures > 0 && b.bad_signatures == 0) {
        ocv_strlcpy(detail, b.sig_detail, detail_len);
        return OCV_ALG_NOT_ALLOWED;
    }
    if (b.bad_signatures > 0) {
        ocv_strlcpy(detail, b.sig_detail, detail_len);
        return OCV_SIGNATURE_INVALID;
    }
    char name[256];
    if (mbedtls_x509_dn_gets(name, sizeof(name), &leaf->issuer) < 0)
        ocv_strlcpy(name, "(name too long)", sizeof(name));
    if (ocv_x509_self_issued(leaf))
        ocv_errf(detail, detail_len, "the chain ends at '%s', which is not a trust anchor", name);
    else
        ocv_errf(detail, detail_len, "no trust anchor or intermediate named '%s'", name);
    return OCV_CHAIN_UNTRUSTED;
}
