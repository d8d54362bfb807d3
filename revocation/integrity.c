/*
 * integrity.c - the store proves its rows (integrity.h).
 *
 * Implementation notes: the LtHash is additive, so the digest of the rows
 * is the sum of each row's element whatever the order SQLite returns them
 * in; one streaming pass keeps memory constant. The stored bundle is
 * verified with the key that verified it on apply (kept beside it): after
 * a rotation the pinned key is the bundle's new key, not its signer.
 */
#include "revocation/integrity.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "revocation/bundle.h"
#include "revocation/crl_import.h"
#include "revocation/digest.h"
#include "verifier/cose_sign1.h"
#include "verifier/pkey.h"

typedef struct row_fold {
    ocv_lthash lthash;
    int64_t count;
    const char *not_canonical; /* why a row could never match, or NULL */
} row_fold;

/* A row in a form no lookup produces (a bundle applied before entries
 * were checked at decode) is signed state that silently revokes nothing:
 * it fails the proof like a forged row, so the store fails closed. */
static int fold_row(const ocv_entry *e, void *arg)
{
    row_fold *f = arg;
    f->not_canonical = ocv_entry_check_canonical(e);
    if (f->not_canonical != NULL)
        return -1;
    ocv_bytes element;
    if (ocv_store_entry_element(e, &element) != OCV_OK)
        return -1;
    int rc = ocv_lthash_add(&f->lthash, element.data, element.len) == OCV_OK ? 0 : -1;
    ocv_bytes_free(&element);
    f->count++;
    return rc;
}

static ocv_reason mismatch(char *detail, size_t detail_len, const char *id, const char *what)
{
    ocv_errf(detail, detail_len, "authority '%s': %s", id, what);
    return OCV_BUNDLE_DIGEST_MISMATCH;
}

/* The rows, recomputed, against the stored digest and count. */
static ocv_reason prove_rows(ocv_store *store, const ocv_authority_state *a, char *detail,
                             size_t detail_len)
{
    row_fold f;
    ocv_lthash_init(&f.lthash);
    f.count = 0;
    f.not_canonical = NULL;
    ocv_reason r = ocv_store_each_entry(store, a->id, fold_row, &f);
    if (r == OCV_BUNDLE_DIGEST_MISMATCH && f.not_canonical != NULL) {
        ocv_errf(detail, detail_len,
                 "authority '%s': a stored entry could never match (%s); sync a full bundle", a->id,
                 f.not_canonical);
        return OCV_BUNDLE_DIGEST_MISMATCH;
    }
    if (r == OCV_BUNDLE_DIGEST_MISMATCH)
        return mismatch(detail, detail_len, a->id, "a row is no entry");
    if (r != OCV_OK)
        return r;
    uint8_t digest[OCV_STATE_DIGEST_BYTES];
    if (ocv_lthash_digest(&f.lthash, digest) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    if (memcmp(digest, a->digest, sizeof(digest)) != 0 || f.count != a->entry_count)
        return mismatch(detail, detail_len, a->id,
                        "the entries on disk are not the state its digest commits to");
    return OCV_OK;
}

/* The stored header, against the last bundle's signed one. */
static ocv_reason prove_header(const ocv_authority_state *a, const ocv_bytes *kept,
                               const ocv_bytes *signer, char *detail, size_t detail_len)
{
    ocv_sign1 msg;
    ocv_pkey key;
    ocv_pkey_init(&key);
    ocv_bundle b;
    ocv_bundle_init(&b);
    char why[160] = "";
    ocv_reason r = OCV_BUNDLE_DIGEST_MISMATCH;
    if (ocv_sign1_parse(kept->data, kept->len, &msg, why, sizeof(why)) != OCV_OK ||
        ocv_pkey_parse(signer->data, signer->len, 0, 0, &key, why, sizeof(why)) != OCV_OK ||
        ocv_sign1_verify(&msg, &key) != OCV_OK) {
        r = mismatch(detail, detail_len, a->id, "the kept bundle does not verify");
        goto out;
    }
    if (ocv_bundle_decode(msg.payload, msg.payload_len, &b, why, sizeof(why)) != OCV_OK ||
        b.authority_len != strlen(a->id) || memcmp(b.authority, a->id, b.authority_len) != 0 ||
        b.sequence != a->sequence || b.issued_at != a->issued_at ||
        b.next_update != a->next_update ||
        memcmp(b.state_digest, a->digest, sizeof(a->digest)) != 0) {
        r = mismatch(detail, detail_len, a->id,
                     "the stored sequence, times or digest are not the signed ones");
        goto out;
    }
    const uint8_t *pinned = b.new_key ? b.new_key : signer->data;
    size_t pinned_len = b.new_key ? b.new_key_len : signer->len;
    if (pinned_len != a->public_key.len || memcmp(pinned, a->public_key.data, pinned_len) != 0) {
        r = mismatch(detail, detail_len, a->id,
                     "the pinned key is not the one the bundles chain to");
        goto out;
    }
    r = OCV_OK;
out:
    ocv_bundle_free(&b);
    ocv_pkey_free(&key);
    return r;
}

static ocv_reason prove_authority(ocv_store *store, const char *id, char *detail, size_t detail_len)
{
    ocv_authority_state a;
    ocv_reason r = ocv_store_get_authority(store, id, &a);
    if (r != OCV_OK)
        return r;
    ocv_bytes kept, signer;
    r = ocv_store_get_signed_bundle(store, id, &kept, &signer);
    if (r == OCV_OK)
        r = prove_rows(store, &a, detail, detail_len);
    if (r == OCV_OK && a.sequence > 0)
        r = kept.len == 0 ? mismatch(detail, detail_len, id, "no signed bundle is kept for it")
                          : prove_header(&a, &kept, &signer, detail, detail_len);
    ocv_bytes_free(&kept);
    ocv_bytes_free(&signer);
    ocv_authority_state_free(&a);
    return r;
}

static ocv_reason prove_snapshot(ocv_store *store, char *detail, size_t detail_len)
{
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    ocv_reason r = ocv_store_list_authorities(store, ids, &count);
    for (size_t i = 0; r == OCV_OK && i < count; i++)
        r = prove_authority(store, ids[i], detail, detail_len);
    enum { MAX_PROVEN_CRLS = 1024 };
    char(*issuers)[65] = r == OCV_OK ? malloc(MAX_PROVEN_CRLS * sizeof(*issuers)) : NULL;
    size_t crls = 0;
    if (r == OCV_OK)
        r = issuers ? ocv_store_list_crls(store, issuers, MAX_PROVEN_CRLS, &crls)
                    : OCV_INTERNAL_ERROR;
    if (r == OCV_OK && crls == MAX_PROVEN_CRLS) {
        ocv_errf(detail, detail_len, "more than %d imported CRLs: cannot prove them all",
                 MAX_PROVEN_CRLS - 1);
        r = OCV_BUNDLE_DIGEST_MISMATCH; /* fail closed */
    }
    for (size_t i = 0; r == OCV_OK && i < crls; i++)
        r = ocv_crl_prove(store, issuers[i], detail, detail_len);
    free(issuers);
    return r;
}

ocv_reason ocv_store_prove(ocv_store *store, char *detail, size_t detail_len)
{
    /* one snapshot: a sync committing meanwhile must not look like tampering */
    ocv_reason r = ocv_store_snapshot_begin(store);
    if (r != OCV_OK)
        return r;
    r = prove_snapshot(store, detail, detail_len);
    ocv_store_snapshot_end(store);
    return r;
}
