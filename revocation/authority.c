#include "authority.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

ocv_reason ocv_authority_open(const char *path, const char *authority, const ocv_pkey *key,
                              ocv_store **out, char *err, size_t err_len)
{
    ocv_reason r = ocv_store_open(path, 1, out, err, err_len);
    if (r != OCV_OK)
        return r;
    ocv_bytes spki;
    r = ocv_pkey_public_der(key, &spki);
    if (r != OCV_OK)
        goto fail;
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    r = ocv_store_list_authorities(*out, ids, &count);
    if (r == OCV_OK && count == 0) {
        r = ocv_store_begin(*out);
        if (r == OCV_OK)
            r = ocv_store_add_authority(*out, authority, spki.data, spki.len);
        r = r == OCV_OK ? ocv_store_commit(*out) : r;
    } else if (r == OCV_OK && (count != 1 || strcmp(ids[0], authority) != 0)) {
        ocv_errf(err, err_len, "%s: the state of authority '%s', not '%s'", path, ids[0],
                 authority);
        r = OCV_CONFIG_INVALID;
    } else if (r == OCV_OK) {
        ocv_authority_state a;
        r = ocv_store_get_authority(*out, authority, &a);
        if (r == OCV_OK &&
            (a.public_key.len != spki.len || memcmp(a.public_key.data, spki.data, spki.len) != 0)) {
            ocv_errf(err, err_len, "%s: the key given is not the authority's pinned key", path);
            r = OCV_CONFIG_INVALID;
        }
        ocv_authority_state_free(&a);
    }
    ocv_bytes_free(&spki);
    if (r == OCV_OK)
        return OCV_OK;
fail:
    ocv_store_rollback(*out);
    ocv_store_close(*out);
    *out = NULL;
    return r;
}

/* The entries whose expiry has passed at `at`, appended after `extra`
 * (the caller's removals) into one new list; views into *backing. */
static ocv_reason removals_with_expired(ocv_store *state, const char *authority, int64_t at,
                                        const ocv_entry *extra, size_t extra_count, ocv_entry **out,
                                        size_t *count, ocv_bytes *backing)
{
    ocv_entry *all = NULL;
    size_t n = 0;
    ocv_reason r = ocv_store_list_entries(state, authority, &all, &n, backing);
    if (r != OCV_OK)
        return r;
    *out = calloc(extra_count + n + 1, sizeof(ocv_entry));
    if (*out == NULL) {
        free(all);
        return OCV_INTERNAL_ERROR;
    }
    if (extra_count > 0)
        memcpy(*out, extra, extra_count * sizeof(ocv_entry));
    *count = extra_count;
    for (size_t i = 0; i < n; i++) {
        if (all[i].expires > 0 && all[i].expires <= at)
            (*out)[(*count)++] = all[i];
    }
    free(all);
    return OCV_OK;
}

/* For a full bundle the payload lists the whole state after the change. */
static ocv_reason full_entries(ocv_store *state, const char *authority, ocv_bundle *b,
                               ocv_bytes *backing)
{
    return ocv_store_list_entries(state, authority, &b->added, &b->added_count, backing);
}

ocv_reason ocv_authority_build(ocv_store *state, const ocv_build_request *req, ocv_bytes *out,
                               int64_t *sequence, char *err, size_t err_len)
{
    ocv_bytes_init(out);
    if (req->next_update <= req->issued_at) {
        ocv_errf(err, err_len, "next_update must be after issued_at");
        return OCV_CONFIG_INVALID;
    }
    ocv_reason r = ocv_store_begin(state);
    if (r != OCV_OK)
        return r;
    ocv_authority_state a;
    ocv_bundle b;
    ocv_bundle_init(&b);
    ocv_bytes backing, payload, prune_backing;
    ocv_bytes_init(&backing);
    ocv_bytes_init(&payload);
    ocv_bytes_init(&prune_backing);
    ocv_entry *pruned = NULL;
    r = ocv_store_get_authority(state, req->authority, &a);
    if (r != OCV_OK)
        goto fail;
    if (req->issued_at < a.issued_at) {
        ocv_errf(err, err_len, "issued_at is before the previous bundle's");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    b.authority = req->authority;
    b.authority_len = strlen(req->authority);
    b.sequence = a.sequence + 1;
    b.issued_at = req->issued_at;
    b.next_update = req->next_update;
    b.kind = req->kind;
    if (req->kind == OCV_BUNDLE_DELTA) {
        b.base_sequence = a.sequence;
        memcpy(b.base_digest, a.digest, sizeof(b.base_digest));
    }
    size_t removed_done = 0, added_done = 0;
    const ocv_entry *removed = req->removed;
    size_t removed_count = req->removed_count;
    if (req->prune) {
        r = removals_with_expired(state, req->authority, req->issued_at, req->removed,
                                  req->removed_count, &pruned, &removed_count, &prune_backing);
        if (r != OCV_OK)
            goto fail;
        removed = pruned;
    }
    /* the authority's own state takes the change as a delta either way;
     * the removals' views must outlive the staging (prune_backing) */
    r = ocv_bundle_stage(state, &a, OCV_BUNDLE_DELTA, removed, removed_count, req->added,
                         req->added_count, &removed_done, &added_done);
    if (r == OCV_OK)
        r = ocv_lthash_digest(&a.lthash, b.state_digest);
    if (r != OCV_OK)
        goto fail;
    if (req->kind == OCV_BUNDLE_FULL) {
        r = full_entries(state, req->authority, &b, &backing);
    } else {
        b.added = (ocv_entry *)req->added;
        b.added_count = req->added_count;
        b.removed = (ocv_entry *)removed;
        b.removed_count = removed_count;
    }
    b.new_key = req->rotate_to;
    b.new_key_len = req->rotate_to_len;
    if (r == OCV_OK)
        r = ocv_bundle_encode(&b, &payload);
    if (r == OCV_OK)
        r = ocv_sign1_create(ocv_alg_for_key(req->key), req->key, (const uint8_t *)req->authority,
                             strlen(req->authority), payload.data, payload.len, out);
    if (r != OCV_OK)
        goto fail;
    memcpy(a.digest, b.state_digest, sizeof(a.digest));
    a.sequence = b.sequence;
    a.issued_at = b.issued_at;
    a.next_update = b.next_update;
    a.applied_at = b.issued_at;
    if (req->rotate_to != NULL) {
        ocv_bytes_free(&a.public_key);
        r = ocv_bytes_copy(&a.public_key, req->rotate_to, req->rotate_to_len);
    }
    if (r == OCV_OK)
        r = ocv_store_put_authority(state, &a);
    if (r != OCV_OK)
        goto fail;
    *sequence = b.sequence;
    if (req->kind == OCV_BUNDLE_FULL)
        free(b.added);
    free(pruned);
    ocv_bytes_free(&prune_backing);
    ocv_bytes_free(&backing);
    ocv_bytes_free(&payload);
    ocv_authority_state_free(&a);
    return OCV_OK;
fail:
    ocv_store_rollback(state);
    if (req->kind == OCV_BUNDLE_FULL)
        free(b.added);
    free(pruned);
    ocv_bytes_free(&prune_backing);
    ocv_bytes_free(&backing);
    ocv_bytes_free(&payload);
    ocv_bytes_free(out);
    ocv_authority_state_free(&a);
    return r;
}
