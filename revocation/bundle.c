/*
 * bundle.c - the revocation bundle payload: encode and strict decode.
 * The grammar is in bundle.h; docs/formats/revocation-bundle.md explains
 * each field.
 */
#include "bundle.h"

#include <stdlib.h>
#include <string.h>

#include "base/cbor_stream.h"
#include "base/util.h"
#include "verifier/cose_sign1.h"

enum {
    KEY_AUTHORITY = 1,
    KEY_SEQUENCE,
    KEY_ISSUED_AT,
    KEY_NEXT_UPDATE,
    KEY_KIND,
    KEY_BASE_SEQUENCE,
    KEY_BASE_DIGEST,
    KEY_ADDED,
    KEY_REMOVED,
    KEY_STATE_DIGEST,
    KEY_NEW_KEY
};

/* Largest time accepted: year 9999, so int64 arithmetic never wraps. */
#define MAX_TIME 253402300799ll

void ocv_bundle_init(ocv_bundle *b)
{
    memset(b, 0, sizeof(*b));
}

void ocv_bundle_free(ocv_bundle *b)
{
    if (b == NULL)
        return;
    free(b->added);
    free(b->removed);
    ocv_bundle_init(b);
}

static void encode_entries(ocv_cbor_out *w, const ocv_entry *entries, size_t count)
{
    ocv_cbor_out_array(w, count);
    for (size_t i = 0; i < count; i++) {
        const ocv_entry *e = &entries[i];
        const char *type = ocv_entry_type_name(e->type);
        ocv_cbor_out_array(w, 5);
        ocv_cbor_out_text(w, type, strlen(type));
        ocv_cbor_out_text(w, e->issuer_len ? e->issuer : "", e->issuer_len);
        ocv_cbor_out_text(w, e->value, e->value_len);
        ocv_cbor_out_uint(w, (uint64_t)e->before);
        ocv_cbor_out_uint(w, (uint64_t)e->expires);
    }
}

ocv_reason ocv_bundle_encode(const ocv_bundle *b, ocv_bytes *out)
{
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_map(&w, b->new_key != NULL ? 11 : 10);
    ocv_cbor_out_uint(&w, KEY_AUTHORITY);
    ocv_cbor_out_text(&w, b->authority, b->authority_len);
    ocv_cbor_out_uint(&w, KEY_SEQUENCE);
    ocv_cbor_out_uint(&w, (uint64_t)b->sequence);
    ocv_cbor_out_uint(&w, KEY_ISSUED_AT);
    ocv_cbor_out_uint(&w, (uint64_t)b->issued_at);
    ocv_cbor_out_uint(&w, KEY_NEXT_UPDATE);
    ocv_cbor_out_uint(&w, (uint64_t)b->next_update);
    ocv_cbor_out_uint(&w, KEY_KIND);
    ocv_cbor_out_uint(&w, (uint64_t)b->kind);
    ocv_cbor_out_uint(&w, KEY_BASE_SEQUENCE);
    ocv_cbor_out_uint(&w, (uint64_t)b->base_sequence);
    ocv_cbor_out_uint(&w, KEY_BASE_DIGEST);
    ocv_cbor_out_bytes(&w, b->base_digest, sizeof(b->base_digest));
    ocv_cbor_out_uint(&w, KEY_ADDED);
    encode_entries(&w, b->added, b->added_count);
    ocv_cbor_out_uint(&w, KEY_REMOVED);
    encode_entries(&w, b->removed, b->removed_count);
    ocv_cbor_out_uint(&w, KEY_STATE_DIGEST);
    ocv_cbor_out_bytes(&w, b->state_digest, sizeof(b->state_digest));
    if (b->new_key != NULL) {
        ocv_cbor_out_uint(&w, KEY_NEW_KEY);
        ocv_cbor_out_bytes(&w, b->new_key, b->new_key_len);
    }
    return ocv_cbor_out_finish(&w, out);
}

/* ---- decode -------------------------------------------------------- */

typedef struct decoder {
    ocv_cbor_pull r;
    char *detail;
    size_t detail_len;
} decoder;

static ocv_reason fail(decoder *d, const char *what)
{
    ocv_errf(d->detail, d->detail_len, "bundle payload: %s (at byte %zu)", what, d->r.off);
    return OCV_BUNDLE_MALFORMED;
}

static int key_is(decoder *d, uint64_t want)
{
    ocv_cbor_item it;
    return ocv_cbor_pull_expect(&d->r, OCV_CBOR_UINT, &it) == 0 && it.u == want;
}

static int read_time(decoder *d, int64_t *out)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_UINT, &it) != 0 || it.u > (uint64_t)MAX_TIME)
        return -1;
    *out = (int64_t)it.u;
    return 0;
}

static int read_digest(decoder *d, uint8_t out[OCV_STATE_DIGEST_BYTES])
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_BYTES, &it) != 0 || it.len != OCV_STATE_DIGEST_BYTES)
        return -1;
    memcpy(out, it.p, OCV_STATE_DIGEST_BYTES);
    return 0;
}

static int text_ok(const ocv_cbor_item *it, size_t max)
{
    if (it->len > max)
        return 0;
    for (size_t i = 0; i < it->len; i++) {
        if (it->p[i] < 0x20 || it->p[i] == 0x7f)
            return 0; /* no control bytes (and no NUL) in identifiers */
    }
    return 1;
}

static ocv_reason read_entry(decoder *d, ocv_entry *e)
{
    ocv_cbor_item it, type, issuer, value;
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_ARRAY, &it) != 0 || it.u != 5)
        return fail(d, "an entry is not an array of 5");
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_TEXT, &type) != 0 ||
        ocv_cbor_pull_expect(&d->r, OCV_CBOR_TEXT, &issuer) != 0 ||
        ocv_cbor_pull_expect(&d->r, OCV_CBOR_TEXT, &value) != 0)
        return fail(d, "an entry's type, issuer or value is not text");
    char name[16];
    if (type.len >= sizeof(name))
        return fail(d, "unknown entry type");
    memcpy(name, type.p, type.len);
    name[type.len] = 0;
    if (ocv_entry_type_parse(name, &e->type) != 0)
        return fail(d, "unknown entry type");
    if (!text_ok(&issuer, OCV_MAX_ISSUER_BYTES) || !text_ok(&value, OCV_MAX_ENTRY_VALUE_BYTES) ||
        value.len == 0)
        return fail(d, "an entry's issuer or value is empty, too long or has control bytes");
    int needs_issuer = e->type == OCV_ENTRY_SERIAL || e->type == OCV_ENTRY_JTI;
    if (needs_issuer != (issuer.len > 0))
        return fail(d, "issuer present where not allowed, or missing where required");
    e->issuer = (const char *)issuer.p;
    e->issuer_len = issuer.len;
    e->value = (const char *)value.p;
    e->value_len = value.len;
    if (read_time(d, &e->before) != 0 || read_time(d, &e->expires) != 0)
        return fail(d, "an entry's before or expires is not a time");
    if ((e->type == OCV_ENTRY_SUBJECT_BEFORE) != (e->before > 0))
        return fail(d, "before is set exactly for subject_before entries");
    /* an entry in any other form than the canonical one could never
     * match: refuse the bundle rather than store a revocation that does
     * not revoke */
    const char *why = ocv_entry_check_canonical(e);
    return why == NULL ? OCV_OK : fail(d, why);
}

static ocv_reason read_entries(decoder *d, ocv_entry **out, size_t *count)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_ARRAY, &it) != 0)
        return fail(d, "entries are not an array");
    if (it.u > OCV_MAX_BUNDLE_ENTRIES)
        return fail(d, "too many entries");
    /* each entry takes at least 6 bytes: refuse counts the input cannot hold */
    if (it.u > (d->r.len - d->r.off) / 6)
        return fail(d, "entry count larger than the payload");
    *count = 0;
    *out = NULL;
    if (it.u == 0)
        return OCV_OK;
    *out = calloc((size_t)it.u, sizeof(ocv_entry));
    if (*out == NULL)
        return OCV_INTERNAL_ERROR;
    for (uint64_t i = 0; i < it.u; i++) {
        ocv_reason r = read_entry(d, &(*out)[i]);
        if (r != OCV_OK)
            return r;
        (*count)++;
    }
    return OCV_OK;
}

static ocv_reason decode_fields(decoder *d, ocv_bundle *b)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(&d->r, OCV_CBOR_MAP, &it) != 0 || (it.u != 10 && it.u != 11))
        return fail(d, "not a map of 10 or 11 fields");
    int rotation = it.u == 11;
    ocv_cbor_item text;
    if (!key_is(d, KEY_AUTHORITY) || ocv_cbor_pull_expect(&d->r, OCV_CBOR_TEXT, &text) != 0 ||
        text.len == 0 || !text_ok(&text, OCV_MAX_AUTHORITY_ID_BYTES))
        return fail(d, "field 1 (authority) missing or invalid");
    b->authority = (const char *)text.p;
    b->authority_len = text.len;
    if (!key_is(d, KEY_SEQUENCE) || read_time(d, &b->sequence) != 0 || b->sequence == 0)
        return fail(d, "field 2 (sequence) missing or invalid");
    if (!key_is(d, KEY_ISSUED_AT) || read_time(d, &b->issued_at) != 0)
        return fail(d, "field 3 (issued_at) missing or invalid");
    if (!key_is(d, KEY_NEXT_UPDATE) || read_time(d, &b->next_update) != 0 ||
        b->next_update <= b->issued_at)
        return fail(d, "field 4 (next_update) missing, invalid or not after issued_at");
    if (!key_is(d, KEY_KIND) || ocv_cbor_pull_expect(&d->r, OCV_CBOR_UINT, &it) != 0 || it.u > 1)
        return fail(d, "field 5 (kind) missing or not 0/1");
    b->kind = it.u == 1 ? OCV_BUNDLE_DELTA : OCV_BUNDLE_FULL;
    if (!key_is(d, KEY_BASE_SEQUENCE) || read_time(d, &b->base_sequence) != 0)
        return fail(d, "field 6 (base sequence) missing or invalid");
    if (!key_is(d, KEY_BASE_DIGEST) || read_digest(d, b->base_digest) != 0)
        return fail(d, "field 7 (base digest) missing or not 32 bytes");
    if (!key_is(d, KEY_ADDED))
        return fail(d, "field 8 (added) missing");
    ocv_reason r = read_entries(d, &b->added, &b->added_count);
    if (r != OCV_OK)
        return r;
    if (!key_is(d, KEY_REMOVED))
        return fail(d, "field 9 (removed) missing");
    r = read_entries(d, &b->removed, &b->removed_count);
    if (r != OCV_OK)
        return r;
    if (b->kind == OCV_BUNDLE_FULL && (b->removed_count > 0 || b->base_sequence != 0))
        return fail(d, "a full bundle has no removals and no base");
    if (b->kind == OCV_BUNDLE_DELTA && b->base_sequence >= b->sequence)
        return fail(d, "a delta's base sequence must be below its sequence");
    if (!key_is(d, KEY_STATE_DIGEST) || read_digest(d, b->state_digest) != 0)
        return fail(d, "field 10 (state digest) missing or not 32 bytes");
    if (rotation) {
        if (!key_is(d, KEY_NEW_KEY) || ocv_cbor_pull_expect(&d->r, OCV_CBOR_BYTES, &it) != 0 ||
            it.len == 0 || it.len > 4096)
            return fail(d, "field 11 (new key) invalid");
        b->new_key = it.p;
        b->new_key_len = it.len;
    }
    if (!ocv_cbor_pull_done(&d->r))
        return fail(d, "trailing bytes after the map");
    return OCV_OK;
}

ocv_reason ocv_bundle_decode(const uint8_t *payload, size_t len, ocv_bundle *out, char *detail,
                             size_t detail_len)
{
    ocv_bundle_init(out);
    if (len > OCV_MAX_BUNDLE_BYTES) {
        ocv_errf(detail, detail_len, "bundle payload larger than %u bytes", OCV_MAX_BUNDLE_BYTES);
        return OCV_BUNDLE_MALFORMED;
    }
    decoder d = {{0}, detail, detail_len};
    ocv_cbor_pull_init(&d.r, payload, len);
    ocv_reason r = decode_fields(&d, out);
    if (r != OCV_OK)
        ocv_bundle_free(out);
    return r;
}

/* ---- apply --------------------------------------------------------- */

static ocv_reason check_header(const ocv_authority_state *a, const ocv_bundle *b, int64_t at,
                               int64_t skew, char *detail, size_t detail_len)
{
    if (b->sequence <= a->sequence) {
        ocv_errf(detail, detail_len, "sequence %lld is not after the stored %lld",
                 (long long)b->sequence, (long long)a->sequence);
        return OCV_BUNDLE_ROLLBACK;
    }
    if (b->issued_at > at + skew) {
        ocv_errf(detail, detail_len, "issued %lld s in the future", (long long)(b->issued_at - at));
        return OCV_BUNDLE_FROM_FUTURE;
    }
    if (b->next_update <= at - skew) {
        ocv_errf(detail, detail_len, "past its next_update by %lld s",
                 (long long)(at - b->next_update));
        return OCV_BUNDLE_EXPIRED;
    }
    if (b->issued_at < a->issued_at) {
        ocv_errf(detail, detail_len, "issued before the stored state");
        return OCV_BUNDLE_ROLLBACK;
    }
    if (b->kind == OCV_BUNDLE_DELTA &&
        (b->base_sequence != a->sequence ||
         memcmp(b->base_digest, a->digest, OCV_STATE_DIGEST_BYTES) != 0)) {
        ocv_errf(detail, detail_len, "delta on base %lld, but the store holds %lld",
                 (long long)b->base_sequence, (long long)a->sequence);
        return OCV_BUNDLE_CHAIN_BROKEN;
    }
    return OCV_OK;
}

/* Moves the LtHash by one entry's element (add or remove). */
static ocv_reason digest_move(ocv_authority_state *a, const ocv_entry *e, int adding)
{
    ocv_bytes element;
    ocv_reason r = ocv_store_entry_element(e, &element);
    if (r != OCV_OK)
        return r;
    r = adding ? ocv_lthash_add(&a->lthash, element.data, element.len)
               : ocv_lthash_remove(&a->lthash, element.data, element.len);
    ocv_bytes_free(&element);
    return r;
}

/* Applies one list of entries, keeping the LtHash exact: a row that was
 * replaced (a raised subject_before cut-off, a new expiry) leaves the
 * digest as its old element and joins it as its new one; a removed row
 * leaves it as it was stored. */
static ocv_reason apply_entries(ocv_store *store, ocv_authority_state *a, const ocv_entry *list,
                                size_t count, int adding, size_t *changed_count)
{
    for (size_t i = 0; i < count; i++) {
        ocv_entry_change ch;
        ocv_reason r = adding ? ocv_store_put_entry(store, a->id, &list[i], &ch)
                              : ocv_store_delete_entry(store, a->id, &list[i], &ch);
        if (r != OCV_OK)
            return r;
        if (!ch.changed)
            continue;
        if (ch.existed) {
            ocv_entry old = list[i];
            old.before = ch.old_before;
            old.expires = ch.old_expires;
            r = digest_move(a, &old, 0);
        }
        if (r == OCV_OK && adding)
            r = digest_move(a, &list[i], 1);
        if (r != OCV_OK)
            return r;
        a->entry_count += adding ? (ch.existed ? 0 : 1) : -1;
        (*changed_count)++;
    }
    return OCV_OK;
}

ocv_reason ocv_bundle_stage(ocv_store *store, ocv_authority_state *a, ocv_bundle_kind kind,
                            const ocv_entry *removed, size_t removed_count, const ocv_entry *added,
                            size_t added_count, size_t *removed_done, size_t *added_done)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (kind == OCV_BUNDLE_FULL) {
        r = ocv_store_clear_entries(store, a->id);
        if (r != OCV_OK)
            return r;
        ocv_lthash_init(&a->lthash);
        a->entry_count = 0;
    }
    r = apply_entries(store, a, removed, removed_count, 0, removed_done);
    if (r == OCV_OK)
        r = apply_entries(store, a, added, added_count, 1, added_done);
    return r;
}

static ocv_reason apply_in_transaction(ocv_store *store, ocv_authority_state *a,
                                       const ocv_bundle *b, int64_t at, ocv_apply_result *res,
                                       char *detail, size_t detail_len)
{
    ocv_reason r = ocv_bundle_stage(store, a, b->kind, b->removed, b->removed_count, b->added,
                                    b->added_count, &res->removed, &res->added);
    if (r != OCV_OK)
        return r;
    uint8_t digest[OCV_STATE_DIGEST_BYTES];
    r = ocv_lthash_digest(&a->lthash, digest);
    if (r != OCV_OK)
        return r;
    if (memcmp(digest, b->state_digest, sizeof(digest)) != 0) {
        ocv_errf(detail, detail_len, "state after applying differs from the signed digest");
        return OCV_BUNDLE_DIGEST_MISMATCH;
    }
    memcpy(a->digest, digest, sizeof(digest));
    a->sequence = b->sequence;
    a->issued_at = b->issued_at;
    a->next_update = b->next_update;
    a->applied_at = at;
    if (b->new_key != NULL) {
        ocv_bytes_free(&a->public_key);
        r = ocv_bytes_copy(&a->public_key, b->new_key, b->new_key_len);
        if (r != OCV_OK)
            return r;
    }
    r = ocv_store_put_authority(store, a);
    if (r == OCV_OK)
        r = ocv_store_raise_clock_floor(store, b->issued_at);
    return r;
}

/* Copies a bundle's authority id into id; -1 when it cannot be one. */
static int authority_id(const char *p, size_t len, char id[OCV_MAX_AUTHORITY_ID_BYTES + 1])
{
    if (len > OCV_MAX_AUTHORITY_ID_BYTES || memchr(p, 0, len) != NULL)
        return -1;
    memcpy(id, p, len);
    id[len] = 0;
    return 0;
}

/* Everything after the signature, inside the open write transaction with
 * the authority's state a read in it: the no-op check, the header rules,
 * the entries, the digest. Does not commit. */
static ocv_reason apply_locked(ocv_store *store, ocv_authority_state *a, const ocv_bundle *b,
                               int64_t at, int64_t skew, ocv_apply_result *result, char *detail,
                               size_t detail_len)
{
    result->sequence = b->sequence;
    if (b->sequence == a->sequence &&
        memcmp(b->state_digest, a->digest, OCV_STATE_DIGEST_BYTES) == 0) {
        result->no_op = 1;
        memcpy(result->state_digest, a->digest, sizeof(a->digest));
        ocv_errf(detail, detail_len, "sequence %lld is already applied", (long long)b->sequence);
        return OCV_OK;
    }
    ocv_reason r = check_header(a, b, at, skew, detail, detail_len);
    if (r == OCV_OK)
        r = apply_in_transaction(store, a, b, at, result, detail, detail_len);
    return r;
}

/* Ends the write transaction: commits a change, rolls back a refusal or
 * a no-op, and reports what was applied. */
static ocv_reason finish_locked(ocv_store *store, ocv_authority_state *a, ocv_reason r,
                                ocv_apply_result *result)
{
    if (r == OCV_OK && !result->no_op)
        r = ocv_store_commit(store);
    if (r != OCV_OK || result->no_op)
        ocv_store_rollback(store);
    if (r == OCV_OK && !result->no_op) {
        result->applied = 1;
        memcpy(result->state_digest, a->digest, sizeof(a->digest));
    }
    if (r != OCV_OK)
        result->added = result->removed = 0;
    ocv_authority_state_free(a);
    return r;
}

/* Begins the write transaction and reads the authority in it. */
static ocv_reason begin_locked(ocv_store *store, const char *id, ocv_authority_state *a,
                               char *detail, size_t detail_len)
{
    ocv_authority_state_init(a);
    ocv_reason r = ocv_store_begin(store);
    if (r != OCV_OK)
        return r;
    r = ocv_store_get_authority(store, id, a);
    if (r == OCV_BUNDLE_AUTHORITY_UNKNOWN)
        ocv_errf(detail, detail_len, "authority '%s' is not pinned in this store", id);
    if (r != OCV_OK)
        ocv_store_rollback(store);
    return r;
}

ocv_reason ocv_bundle_apply_verified(ocv_store *store, const ocv_bundle *b, int64_t at,
                                     int64_t skew, ocv_apply_result *result, char *detail,
                                     size_t detail_len)
{
    memset(result, 0, sizeof(*result));
    result->sequence = b->sequence;
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    if (authority_id(b->authority, b->authority_len, id) != 0)
        return OCV_BUNDLE_AUTHORITY_UNKNOWN;
    ocv_authority_state a;
    ocv_reason r = begin_locked(store, id, &a, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = apply_locked(store, &a, b, at, skew, result, detail, detail_len);
    return finish_locked(store, &a, r, result);
}

/* ---- signed bundles ------------------------------------------------ */

/* Hands the pages of a mapped bundle back once the signature check has
 * read them: memory before authentication stays independent of size. */
static void release_pages(const uint8_t *p, size_t len, void *arg)
{
    ocv_file_release(arg, p, len);
}

/* The signature by the authority's key as the open transaction holds it. */
static ocv_reason check_signature(const ocv_sign1 *msg, const ocv_authority_state *a,
                                  const ocv_mapped_file *mapped, char *detail, size_t detail_len)
{
    ocv_pkey key;
    char why[128] = "";
    ocv_reason r = ocv_pkey_parse(a->public_key.data, a->public_key.len, 0, 0, &key, why,
                                  sizeof(why));
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "the pinned key of '%s' is unusable: %s", a->id, why);
        return OCV_INTERNAL_ERROR;
    }
    r = ocv_sign1_verify_streamed(msg, &key, mapped ? release_pages : NULL, (void *)mapped);
    ocv_pkey_free(&key);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "not signed by the pinned key of '%s'", a->id);
        return OCV_BUNDLE_SIGNATURE_INVALID;
    }
    return OCV_OK;
}

/*
 * Implementation note: the pinned key is read, the signature checked and
 * the bundle applied under one IMMEDIATE write transaction. Reading the
 * key first and applying later would let a bundle signed by a key that a
 * concurrent sync is rotating out be checked against the old key and
 * applied after the rotation committed (issue 8 #6).
 */
static ocv_reason apply_signed(ocv_store *store, const uint8_t *bytes, size_t len,
                               const ocv_mapped_file *mapped, int64_t at, int64_t skew,
                               ocv_apply_result *result, char *detail, size_t detail_len)
{
    memset(result, 0, sizeof(*result));
    ocv_sign1 msg;
    ocv_reason r = ocv_sign1_parse(bytes, len, &msg, detail, detail_len);
    if (r != OCV_OK)
        return OCV_BUNDLE_MALFORMED;
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    if (msg.kid == NULL || authority_id((const char *)msg.kid, msg.kid_len, id) != 0) {
        ocv_errf(detail, detail_len, "bundle without a usable authority id (kid)");
        return OCV_BUNDLE_MALFORMED;
    }
    ocv_authority_state a;
    r = begin_locked(store, id, &a, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = check_signature(&msg, &a, mapped, detail, detail_len);
    ocv_bundle b;
    int decoded = 0;
    if (r == OCV_OK) {
        r = ocv_bundle_decode(msg.payload, msg.payload_len, &b, detail, detail_len);
        decoded = r == OCV_OK;
    }
    if (r == OCV_OK &&
        (b.authority_len != msg.kid_len || memcmp(b.authority, msg.kid, msg.kid_len) != 0)) {
        ocv_errf(detail, detail_len, "the payload names another authority than the signer");
        r = OCV_BUNDLE_MALFORMED;
    }
    /* the key that verified, kept with the bundle for the proof at rest */
    ocv_bytes signer;
    ocv_bytes_init(&signer);
    if (r == OCV_OK)
        r = ocv_bytes_copy(&signer, a.public_key.data, a.public_key.len);
    if (r == OCV_OK)
        r = apply_locked(store, &a, &b, at, skew, result, detail, detail_len);
    if (r == OCV_OK && !result->no_op)
        r = ocv_store_put_signed_bundle(store, id, bytes, len, signer.data, signer.len);
    ocv_bytes_free(&signer);
    r = finish_locked(store, &a, r, result);
    if (decoded)
        ocv_bundle_free(&b);
    return r;
}

ocv_reason ocv_bundle_apply_signed(ocv_store *store, const uint8_t *bytes, size_t len, int64_t at,
                                   int64_t skew, ocv_apply_result *result, char *detail,
                                   size_t detail_len)
{
    return apply_signed(store, bytes, len, NULL, at, skew, result, detail, detail_len);
}

ocv_reason ocv_bundle_apply_file(ocv_store *store, const char *path, int64_t at, int64_t skew,
                                 ocv_apply_result *result, char *detail, size_t detail_len)
{
    memset(result, 0, sizeof(*result));
    ocv_mapped_file m;
    ocv_reason r = ocv_file_map(path, OCV_MAX_BUNDLE_FILE_BYTES, &m, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = apply_signed(store, m.data, m.len, &m, at, skew, result, detail, detail_len);
    ocv_file_unmap(&m);
    return r;
}
