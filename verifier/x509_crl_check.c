/*
 * x509_crl_check.c - revocation status of a verified path from CRLs
 * (RFC 5280 §6.3.3). Contract: ocv_x509_check_crls in x509.h; the model
 * in x509_crl.h.
 *
 * Implementation notes
 *
 * Names in distribution points are compared as GeneralNames: a
 * directoryName by RFC 5280 §7.1, any other form byte for byte. A
 * nameRelativeToCRLIssuer is turned into the full directoryName (the CRL
 * issuer's name plus the RDN) in a small local buffer first, so both
 * forms compare the same way.
 *
 * For each certificate the result is decided in this order: REVOKED (on
 * a CRL whose signature verified, whatever its age); a skipped CRL file
 * naming the issuer (fail closed); all reasons covered by current CRLs
 * (OK); then the most specific reason it is not: an unusable CRL in scope,
 * a stale CRL or delta, a weak hash, a bad signature, partial reasons, no
 * CRL. Intermediates with no CRL in scope at all are not required to be
 * covered (the leaf is), as before.
 */
#include <string.h>

#include <mbedtls/oid.h>

#include "base/canon.h"
#include "base/util.h"
#include "verifier/x509.h"
#include "verifier/x509_crl.h"
#include "verifier/x509_ext.h"
#include "verifier/x509_name.h"

#define MAX_DPS   8
#define MAX_NAMES 16
#define NAME_BUF  1024

typedef struct dist_point {
    ocv_span full;       /* fullName GeneralNames content */
    ocv_span relative;   /* nameRelativeToCRLIssuer content */
    ocv_span crl_issuer; /* cRLIssuer GeneralNames content */
    unsigned reasons;    /* 0: all */
    int has_name;
} dist_point;

typedef struct name_list {
    ocv_span gn[MAX_NAMES]; /* GeneralName TLVs */
    size_t count;
    uint8_t buf[NAME_BUF]; /* synthesised directoryNames */
    size_t used;
} name_list;

/* ---- GeneralNames --------------------------------------------------- */

static int add_general_names(name_list *l, ocv_span content)
{
    ocv_reader r, v;
    uint8_t tag;
    ocv_reader_init(&r, content.p, content.len);
    while (ocv_reader_remaining(&r) > 0) {
        size_t start = r.off;
        if (ocv_der_next(&r, &tag, &v) != 0)
            return -1;
        if (l->count < MAX_NAMES) {
            l->gn[l->count].p = r.p + start;
            l->gn[l->count].len = r.off - start;
            l->count++;
        }
    }
    return 0;
}

static size_t put_len(uint8_t *out, size_t len)
{
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        out[0] = 0x81;
        out[1] = (uint8_t)len;
        return 2;
    }
    out[0] = 0x82;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    return 3;
}

/* [4] { SEQUENCE { base's RDNs, SET { rdn } } } appended to l. */
static int add_relative(name_list *l, const uint8_t *base, size_t base_len, ocv_span rdn)
{
    ocv_reader r, content;
    uint8_t tag;
    ocv_reader_init(&r, base, base_len);
    if (ocv_der_next(&r, &tag, &content) != 0 || tag != 0x30 || rdn.len > 0xffff)
        return -1;
    uint8_t set_hdr[4], seq_hdr[4], gn_hdr[4];
    size_t set_h = put_len(set_hdr + 1, rdn.len) + 1;
    set_hdr[0] = 0x31;
    size_t seq_body = content.len + set_h + rdn.len;
    size_t seq_h = put_len(seq_hdr + 1, seq_body) + 1;
    seq_hdr[0] = 0x30;
    size_t gn_body = seq_h + seq_body;
    size_t gn_h = put_len(gn_hdr + 1, gn_body) + 1;
    gn_hdr[0] = 0xa4;
    size_t total = gn_h + gn_body;
    if (l->used + total > NAME_BUF || l->count >= MAX_NAMES)
        return -1;
    uint8_t *o = l->buf + l->used;
    size_t n = 0;
    memcpy(o + n, gn_hdr, gn_h);
    n += gn_h;
    memcpy(o + n, seq_hdr, seq_h);
    n += seq_h;
    memcpy(o + n, content.p, content.len);
    n += content.len;
    memcpy(o + n, set_hdr, set_h);
    n += set_h;
    memcpy(o + n, rdn.p, rdn.len);
    n += rdn.len;
    l->gn[l->count].p = o;
    l->gn[l->count].len = n;
    l->count++;
    l->used += n;
    return 0;
}

/* The Name inside a directoryName GeneralName TLV, or len 0. */
static ocv_span dirname_of(ocv_span gn)
{
    ocv_span none = {NULL, 0};
    ocv_reader r, v;
    uint8_t tag;
    ocv_reader_init(&r, gn.p, gn.len);
    if (ocv_der_next(&r, &tag, &v) != 0 || tag != 0xa4)
        return none;
    ocv_span s = {v.p, v.len};
    return s;
}

static int gn_equal(ocv_span a, ocv_span b)
{
    if (a.len == 0 || b.len == 0 || a.p[0] != b.p[0])
        return 0;
    if (a.p[0] == 0xa4) {
        ocv_span na = dirname_of(a), nb = dirname_of(b);
        return na.len > 0 && nb.len > 0 && ocv_x509_name_eq(na.p, na.len, nb.p, nb.len);
    }
    return ocv_span_eq(a, b);
}

static int lists_intersect(const name_list *a, const name_list *b)
{
    for (size_t i = 0; i < a->count; i++) {
        for (size_t j = 0; j < b->count; j++) {
            if (gn_equal(a->gn[i], b->gn[j]))
                return 1;
        }
    }
    return 0;
}

/* Whether GeneralNames content holds a directoryName equal to name. */
static int names_hold_dn(ocv_span content, const uint8_t *name, size_t name_len)
{
    static __thread name_list l;
    l.count = l.used = 0;
    if (add_general_names(&l, content) != 0)
        return 0;
    for (size_t i = 0; i < l.count; i++) {
        ocv_span dn = dirname_of(l.gn[i]);
        if (dn.len > 0 && ocv_x509_name_eq(dn.p, dn.len, name, name_len))
            return 1;
    }
    return 0;
}

/* ---- the certificate's distribution points ---------------------------- */

/* DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName
 * OPTIONAL, reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames
 * OPTIONAL }; DistributionPointName ::= CHOICE { fullName [0],
 * nameRelativeToCRLIssuer [1] } */
static size_t cert_dps(const mbedtls_x509_crt *c, dist_point *out)
{
    ocv_x509_ext ext;
    char ignore[8];
    memset(out, 0, sizeof(*out));
    if (ocv_x509_ext_parse(c, &ext, ignore, sizeof(ignore)) != OCV_OK || ext.crldp.p == NULL)
        return 1; /* the implicit point: the issuer, all reasons */
    ocv_reader r, dp, f, name;
    uint8_t tag;
    size_t n = 0;
    ocv_reader_init(&r, ext.crldp.p, ext.crldp.len);
    while (ocv_reader_remaining(&r) > 0 && n < MAX_DPS) {
        dist_point *d = &out[n];
        memset(d, 0, sizeof(*d));
        if (ocv_der_next(&r, &tag, &dp) != 0 || tag != 0x30)
            break;
        while (ocv_reader_remaining(&dp) > 0) {
            if (ocv_der_next(&dp, &tag, &f) != 0)
                break;
            if (tag == 0xa0 && ocv_der_next(&f, &tag, &name) == 0) {
                d->has_name = 1;
                if (tag == 0xa0)
                    d->full = (ocv_span){name.p, name.len};
                else if (tag == 0xa1)
                    d->relative = (ocv_span){name.p, name.len};
            } else if (tag == 0x81) {
                size_t k = f.len;
                unsigned v = 0;
                for (size_t bit = 0; k > 1 && bit < 9 && bit < (k - 1) * 8; bit++) {
                    if (f.p[1 + bit / 8] & (0x80u >> (bit % 8)))
                        v |= 1u << bit;
                }
                d->reasons = v & OCV_CRL_ALL_REASONS;
                if (d->reasons == 0)
                    d->reasons = 1u << 9; /* no reason at all: covers nothing */
            } else if (tag == 0xa2) {
                d->crl_issuer = (ocv_span){f.p, f.len};
            }
        }
        n++;
    }
    if (n == 0) {
        memset(out, 0, sizeof(*out));
        n = 1;
    }
    return n;
}

/* ---- scope ------------------------------------------------------------ */

/* RFC 5280 §6.3.3 (b): 1 when CRL L covers certificate c through d. */
static int in_scope(const ocv_x509_crl *L, const mbedtls_x509_crt *c, const dist_point *d,
                    unsigned *interim)
{
    if (d->crl_issuer.p != NULL) {
        if (!L->indirect || !names_hold_dn(d->crl_issuer, L->issuer.p, L->issuer.len))
            return 0;
    } else if (!ocv_x509_name_eq(L->issuer.p, L->issuer.len, c->issuer_raw.p, c->issuer_raw.len)) {
        return 0;
    }
    if (L->has_idp) {
        if (L->only_attr || (L->only_user && c->ca_istrue) || (L->only_ca && !c->ca_istrue))
            return 0;
        if (L->idp_full_names.p != NULL || L->idp_relative.p != NULL) {
            static __thread name_list idp, mine;
            idp.count = idp.used = mine.count = mine.used = 0;
            if (L->idp_full_names.p != NULL && add_general_names(&idp, L->idp_full_names) != 0)
                return 0;
            if (L->idp_relative.p != NULL &&
                add_relative(&idp, L->issuer.p, L->issuer.len, L->idp_relative) != 0)
                return 0;
            if (d->full.p != NULL && add_general_names(&mine, d->full) != 0)
                return 0;
            if (d->relative.p != NULL) {
                /* relative to the cRLIssuer when there is one, else the issuer */
                ocv_span base = {c->issuer_raw.p, c->issuer_raw.len};
                if (d->crl_issuer.p != NULL) {
                    static __thread name_list issuers;
                    issuers.count = issuers.used = 0;
                    if (add_general_names(&issuers, d->crl_issuer) != 0)
                        return 0;
                    for (size_t k = 0; k < issuers.count; k++) {
                        ocv_span dn = dirname_of(issuers.gn[k]);
                        if (dn.len > 0) {
                            base = dn;
                            break;
                        }
                    }
                }
                if (add_relative(&mine, base.p, base.len, d->relative) != 0)
                    return 0;
            }
            if (!d->has_name && d->crl_issuer.p != NULL &&
                add_general_names(&mine, d->crl_issuer) != 0)
                return 0;
            if (!lists_intersect(&idp, &mine))
                return 0;
        }
    }
    unsigned a = L->only_reasons ? L->only_reasons : OCV_CRL_ALL_REASONS;
    unsigned b = d->reasons ? d->reasons : OCV_CRL_ALL_REASONS;
    *interim = a & b;
    return 1;
}

/* ---- signature -------------------------------------------------------- */

typedef enum sig_verdict { SIG_OK, SIG_BAD, SIG_WEAK } sig_verdict;

static int md_allowed(mbedtls_md_type_t md)
{
    return md == MBEDTLS_MD_SHA256 || md == MBEDTLS_MD_SHA384 || md == MBEDTLS_MD_SHA512;
}

static sig_verdict signed_by(const ocv_x509_crl *L, const mbedtls_x509_crt *s, ocv_sigcache *cache)
{
    if (!ocv_x509_name_eq(L->issuer.p, L->issuer.len, s->subject_raw.p, s->subject_raw.len))
        return SIG_BAD;
    if ((s->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) && !(s->key_usage & MBEDTLS_X509_KU_CRL_SIGN))
        return SIG_BAD;
    if (!md_allowed(L->md))
        return SIG_WEAK;
    return ocv_x509_check_signature(L->pk, L->sig_opts, L->md, &s->pk_raw, L->tbs.p, L->tbs.len,
                                    L->sig.p, L->sig.len, cache) == OCV_OK
               ? SIG_OK
               : SIG_BAD;
}

typedef struct check_ctx {
    const ocv_x509_chain *chain;
    const ocv_x509_crls *crls;
    const ocv_x509_options *options;
} check_ctx;

static ocv_reason check_cert(const check_ctx *x, size_t i, const mbedtls_x509_crt *crt,
                             int must_be_covered, int nested, char *detail, size_t detail_len);

static int time_ok(const mbedtls_x509_crt *c, const ocv_x509_options *o)
{
    return o->at - o->skew <= ocv_x509_time_to_unix(&c->valid_to) &&
           o->at + o->skew >= ocv_x509_time_to_unix(&c->valid_from);
}

/*
 * Who signed L: the path issuer of certificate i, or another current key
 * of the CRL issuer presented in the chain (RFC 5280 §6.3.3 (f)), issued by
 * a certificate of the verified path above i and itself not revoked.
 * Only one level of such signers (nested); at that level the signer's own
 * CRL may be signed by the signer itself.
 */
static sig_verdict verify_crl(const check_ctx *x, size_t i, const mbedtls_x509_crt *crt,
                              const ocv_x509_crl *L, int nested)
{
    const ocv_x509_chain *ch = x->chain;
    sig_verdict v = signed_by(L, ch->path[i + 1], x->options->sig_cache);
    if (v == SIG_BAD && nested)
        return signed_by(
            L, crt,
            x->options->sig_cache); /* a CRL signer's status on its own CRL (PKITS 4.14.30) */
    if (v != SIG_BAD)
        return v;
    for (int pass = 0; pass < 2; pass++) {
        const mbedtls_x509_crt *s = pass == 0 ? &ch->certs : NULL;
        for (size_t k = 0; pass == 0 ? s != NULL : k < ch->path_len; k++) {
            if (pass == 1)
                s = ch->path[k];
            const mbedtls_x509_crt *cand = s;
            if (pass == 0)
                s = s->next;
            if (cand->raw.p == NULL || cand == ch->path[i + 1] || !time_ok(cand, x->options) ||
                signed_by(L, cand, x->options->sig_cache) != SIG_OK)
                continue;
            for (size_t j = i + 1; j < ch->path_len; j++) {
                const mbedtls_x509_crt *p = ch->path[j];
                if (cand == p)
                    return SIG_OK; /* a certificate of the verified path itself */
                if (!ocv_x509_name_eq(cand->issuer_raw.p, cand->issuer_raw.len, p->subject_raw.p,
                                      p->subject_raw.len) ||
                    ocv_x509_check_signature(cand->sig_pk, cand->sig_opts, cand->sig_md, &p->pk_raw,
                                             cand->tbs.p, cand->tbs.len, cand->sig.p, cand->sig.len,
                                             x->options->sig_cache) != OCV_OK)
                    continue;
                char ignore[64];
                if (check_cert(x, j - 1, cand, 1, 1, ignore, sizeof(ignore)) == OCV_OK)
                    return SIG_OK;
            }
        }
    }
    return SIG_BAD;
}

/* ---- status ----------------------------------------------------------- */

/* The entry for c on L: 1 listed (reason in *reason), 0 not. A certificate
 * whose serial is no valid integer counts as listed (fail closed). */
static int listed(const ocv_x509_crl *L, const mbedtls_x509_crt *c, int *reason)
{
    uint8_t want[OCV_MAX_SERIAL_BYTES], got[OCV_MAX_SERIAL_BYTES];
    size_t want_len, got_len;
    *reason = -1;
    if (ocv_serial_from_listed(c->serial.p, c->serial.len, want, &want_len) != 0)
        return 1;
    for (size_t k = 0; k < L->entry_count; k++) {
        const ocv_x509_crl_entry *e = &L->entries[k];
        if (ocv_serial_from_listed(e->serial.p, e->serial.len, got, &got_len) != 0 ||
            got_len != want_len || memcmp(got, want, want_len) != 0)
            continue;
        int same_issuer =
            e->cert_issuer.p != NULL
                ? names_hold_dn(e->cert_issuer, c->issuer_raw.p, c->issuer_raw.len)
                : ocv_x509_name_eq(L->issuer.p, L->issuer.len, c->issuer_raw.p, c->issuer_raw.len);
        if (same_issuer) {
            *reason = e->reason;
            return 1;
        }
    }
    return 0;
}

static int current(const ocv_x509_crl *L, const ocv_x509_options *o)
{
    return L->has_next_update && o->at + o->skew >= L->this_update &&
           o->at - o->skew <= L->next_update;
}

/* Big-endian integer contents: a <= b. */
static int int_le(ocv_span a, ocv_span b)
{
    while (a.len > 1 && a.p[0] == 0) {
        a.p++;
        a.len--;
    }
    while (b.len > 1 && b.p[0] == 0) {
        b.p++;
        b.len--;
    }
    if (a.len != b.len)
        return a.len < b.len;
    return memcmp(a.p, b.p, a.len) <= 0;
}

static int same_idp(const ocv_x509_crl *a, const ocv_x509_crl *b)
{
    return a->has_idp == b->has_idp && ocv_span_eq(a->idp_full_names, b->idp_full_names) &&
           ocv_span_eq(a->idp_relative, b->idp_relative) && a->only_user == b->only_user &&
           a->only_ca == b->only_ca && a->only_reasons == b->only_reasons &&
           a->indirect == b->indirect;
}

typedef struct tally {
    unsigned mask;
    int in_scope, stale, bad, weak;
    const ocv_x509_crl *unusable;
} tally;

/* The delta for complete CRL L: *delta the current one to apply (or NULL);
 * returns -1 when a delta in scope exists but none is current, signed and
 * built on a base L covers (fail closed). */
static int find_delta(const check_ctx *x, size_t i, const mbedtls_x509_crt *crt,
                      const ocv_x509_crl *L, int nested, const ocv_x509_crl **delta)
{
    int seen = 0;
    *delta = NULL;
    for (size_t k = 0; k < x->crls->list_count; k++) {
        const ocv_x509_crl *D = &x->crls->list[k];
        if (!D->is_delta ||
            !ocv_x509_name_eq(D->issuer.p, D->issuer.len, L->issuer.p, L->issuer.len) ||
            !same_idp(D, L))
            continue;
        /* a delta in scope that cannot be combined with L (no CRL number,
         * or built on a newer base) may hold revocations L lacks */
        seen = 1;
        if (L->number.p == NULL || !int_le(D->base_number, L->number))
            continue;
        if (!D->unusable && current(D, x->options) && verify_crl(x, i, crt, D, nested) == SIG_OK) {
            *delta = D;
            return 0;
        }
    }
    return seen ? -1 : 0;
}

static ocv_reason one_crl(const check_ctx *x, size_t i, const mbedtls_x509_crt *crt,
                          const ocv_x509_crl *L, unsigned interim, int nested, tally *t,
                          char *detail, size_t detail_len)
{
    t->in_scope++;
    if (L->unusable) {
        if (t->unusable == NULL)
            t->unusable = L;
        return OCV_OK;
    }
    switch (verify_crl(x, i, crt, L, nested)) {
    case SIG_OK:
        break;
    case SIG_WEAK:
        t->weak++;
        return OCV_OK;
    case SIG_BAD:
        t->bad++;
        return OCV_OK;
    }
    const ocv_x509_crl *D = NULL;
    int delta_state = find_delta(x, i, crt, L, nested, &D);
    int reason = -1, dreason = -1;
    int on_full = listed(L, crt, &reason);
    int on_delta = D != NULL && listed(D, crt, &dreason);
    if ((on_delta && dreason != OCV_CRL_REASON_REMOVE_FROM_CRL) ||
        (!on_delta && on_full && reason != OCV_CRL_REASON_REMOVE_FROM_CRL)) {
        ocv_errf(detail, detail_len, "serial is listed on CRL %s", on_delta ? D->file : L->file);
        return OCV_REVOKED;
    }
    if (!current(L, x->options) || delta_state < 0) {
        t->stale++;
        return OCV_OK;
    }
    t->mask |= interim;
    return OCV_OK;
}

static const ocv_x509_skipped_crl *skipped_for(const ocv_x509_crls *crls,
                                               const mbedtls_x509_crt *crt)
{
    for (size_t k = 0; k < crls->skipped_count; k++) {
        const ocv_x509_skipped_crl *s = &crls->skipped[k];
        if (ocv_x509_name_eq(s->issuer, s->issuer_len, crt->issuer_raw.p, crt->issuer_raw.len))
            return s;
    }
    return NULL;
}

static ocv_reason check_cert(const check_ctx *x, size_t i, const mbedtls_x509_crt *crt,
                             int must_be_covered, int nested, char *detail, size_t detail_len)
{
    dist_point dps[MAX_DPS];
    size_t ndp = cert_dps(crt, dps);
    tally t;
    memset(&t, 0, sizeof(t));
    for (size_t k = 0; k < x->crls->list_count; k++) {
        const ocv_x509_crl *L = &x->crls->list[k];
        if (L->is_delta)
            continue;
        for (size_t d = 0; d < ndp; d++) {
            unsigned interim = 0;
            /* every CRL in scope is read, even once all reasons are
             * covered: a listing on any of them revokes */
            if (!in_scope(L, crt, &dps[d], &interim))
                continue;
            ocv_reason r = one_crl(x, i, crt, L, interim, nested, &t, detail, detail_len);
            if (r != OCV_OK)
                return r;
            break;
        }
    }
    const ocv_x509_skipped_crl *skip = skipped_for(x->crls, crt);
    if (skip != NULL) {
        ocv_errf(detail, detail_len, "CRL %s of the issuer was skipped (%s)", skip->file,
                 skip->why);
        return OCV_REVOCATION_MISSING;
    }
    if ((t.mask & OCV_CRL_ALL_REASONS) == OCV_CRL_ALL_REASONS)
        return OCV_OK;
    if (t.unusable != NULL) {
        ocv_errf(detail, detail_len, "CRL %s cannot be used: %s", t.unusable->file,
                 t.unusable->why);
        return OCV_REVOCATION_MISSING;
    }
    if (t.stale > 0) {
        ocv_errf(detail, detail_len,
                 "the issuer's CRL (or its delta) is outside "
                 "thisUpdate..nextUpdate");
        return OCV_REVOCATION_STALE;
    }
    if (t.weak > 0) {
        ocv_errf(detail, detail_len, "the issuer's CRL is signed with a hash not allowed");
        return OCV_ALG_NOT_ALLOWED;
    }
    if (!must_be_covered && t.in_scope == 0)
        return OCV_OK;
    if (t.bad > 0)
        ocv_errf(detail, detail_len, "a CRL names the issuer but its signature does not verify");
    else if (t.mask != 0)
        ocv_errf(detail, detail_len, "the CRLs in scope cover only some revocation reasons");
    else
        ocv_errf(detail, detail_len, "no CRL from the %s's issuer is loaded",
                 i == 0 ? "leaf" : "certificate");
    return OCV_REVOCATION_MISSING;
}

ocv_reason ocv_x509_check_crls(const ocv_x509_chain *chain, const ocv_x509_crls *crls,
                               const ocv_x509_options *options, char *detail, size_t detail_len)
{
    if (crls == NULL || (crls->count == 0 && crls->skipped_count == 0))
        return OCV_OK;
    if (chain->path_len < 2) {
        ocv_errf(detail, detail_len, "no verified path to check against CRLs");
        return OCV_INTERNAL_ERROR;
    }
    check_ctx x = {chain, crls, options};
    for (size_t i = 0; i + 1 < chain->path_len; i++) {
        ocv_reason r = check_cert(&x, i, chain->path[i], i == 0, 0, detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}
