/*
 * store.h - the device's revocation store: one SQLite file in WAL mode.
 *
 * What it holds: the pinned revocation authorities (id, public key,
 * applied sequence, LtHash state and its digest, issued_at, next_update),
 * the revocation entries, the CRLs imported per issuer (CRL number and
 * freshness), and the clock floor (the newest signed time accepted).
 *
 * What it does not do: verify bundles or CRLs (revocation/bundle.c and
 * revocation/crl_import.c do, then write through the transaction calls
 * here), or decide (ocv_store_lookup answers what is recorded; the
 * pipeline decides).
 *
 * Entries are keyed by a canonical byte string (ocv_store_entry_key):
 *   serial          issuer = SHA-256 hex of the issuing CA's SPKI, value =
 *                   canonical serial (base/canon.h)
 *   jti             issuer = token iss, value = jti / cti hex
 *   key             value = SHA-256 hex of the SPKI of the key that verified
 *   subject         value = workload identity
 *   subject_before  value = workload identity, before = UNIX time
 * An entry's digest element is its key plus before and expires, so the
 * state digest commits to all of it.
 *
 * Concurrency: every change runs in one IMMEDIATE transaction; readers
 * (decisions) use their own connection and, in WAL mode, see the state
 * before or after a change, never a mix, and never wait for it. One
 * ocv_store handle is not shared between threads without a lock: the
 * decision layer keeps one under its mutex.
 *
 * Ownership: ocv_store_open returns a handle freed by ocv_store_close.
 */
#ifndef OCV_REVOCATION_STORE_H
#define OCV_REVOCATION_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/claims.h"
#include "ocv.h"
#include "revocation/digest.h"

#define OCV_STORE_SCHEMA_VERSION 2
/* OCV_MAX_AUTHORITY_ID_BYTES and OCV_MAX_AUTHORITIES: ocv.h */
#define OCV_MAX_ENTRY_VALUE_BYTES 2048

typedef enum ocv_entry_type {
    OCV_ENTRY_SERIAL = 's',
    OCV_ENTRY_JTI = 'j',
    OCV_ENTRY_KEY = 'k',
    OCV_ENTRY_SUBJECT = 'u',
    OCV_ENTRY_SUBJECT_BEFORE = 'b'
} ocv_entry_type;

/* One entry. The strings are borrowed views (a bundle's payload, a
 * claims struct), not NUL-terminated, so a million-entry bundle costs no
 * copies. */
typedef struct ocv_entry {
    ocv_entry_type type;
    const char *issuer; /* serial, jti; else empty */
    size_t issuer_len;
    const char *value;
    size_t value_len;
    int64_t before;  /* subject_before only */
    int64_t expires; /* 0: never; a hint for pruning by the authority */
} ocv_entry;

/* "serial", "jti", "key", "subject", "subject_before". */
const char *ocv_entry_type_name(ocv_entry_type type);
/* Parses a type name; -1 when unknown. */
int ocv_entry_type_parse(const char *name, ocv_entry_type *out);

/*
 * Entries are compared byte for byte, so every entry must be in the one
 * canonical form of its identifier (base/canon.h):
 *   serial          issuer 64 lower-case hex, value canonical serial text
 *   key             value 64 lower-case hex (SPKI SHA-256), no issuer
 *   jti             issuer non-empty
 *   subject(_before) a valid identity (a SPIFFE ID must be valid), any
 *                   other identity in ASCII lower case (base/canon.h)
 * ocv_entry_check_canonical returns NULL, or why not (a bundle holding
 * such an entry is refused: it could never match). ocv_entry_canonicalise
 * first rewrites an operator's spelling (upper-case hex, "0x", ':',
 * leading zeros, an upper-case DNS name) into buf (at least
 * OCV_MAX_IDENTITY_BYTES + 1 bytes), pointing e into it.
 */
const char *ocv_entry_check_canonical(const ocv_entry *e);
const char *ocv_entry_canonicalise(ocv_entry *e, char *buf, size_t buf_len);

/* Canonical key: type byte, 0, issuer, 0, value. */
OCV_MUST_CHECK ocv_reason ocv_store_entry_key(const ocv_entry *e, ocv_bytes *out);
/* Digest element: key, 0, before (8 bytes BE), expires (8 bytes BE). */
OCV_MUST_CHECK ocv_reason ocv_store_entry_element(const ocv_entry *e, ocv_bytes *out);

typedef struct ocv_authority_state {
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    ocv_bytes public_key; /* SubjectPublicKeyInfo DER, owned */
    int64_t sequence;     /* 0: nothing applied yet */
    ocv_lthash lthash;
    uint8_t digest[OCV_STATE_DIGEST_BYTES];
    int64_t issued_at, next_update, applied_at;
    int64_t entry_count;
} ocv_authority_state;

void ocv_authority_state_init(ocv_authority_state *a);
void ocv_authority_state_free(ocv_authority_state *a);

typedef struct ocv_store ocv_store;

/*
 * Opens (create = 1: creating and migrating) the store. Read-only opens
 * refuse a missing file or a schema version other than the current one.
 * Reasons: OCV_OK, OCV_CONFIG_INVALID (cannot open, not an ocv store,
 * newer schema), OCV_INTERNAL_ERROR. err says why.
 */
OCV_MUST_CHECK ocv_reason ocv_store_open(const char *path, int create, ocv_store **out, char *err,
                                         size_t err_len);
void ocv_store_close(ocv_store *store);

/* Moves the write-ahead log into the database file (after a large sync),
 * so readers no longer search the log for each page. Best effort: a busy
 * reader only delays it. */
void ocv_store_checkpoint(ocv_store *store);

/* Transactions: every change happens between begin and commit; rollback
 * on any failure leaves the file as it was. */
OCV_MUST_CHECK ocv_reason ocv_store_begin(ocv_store *store);
OCV_MUST_CHECK ocv_reason ocv_store_commit(ocv_store *store);
void ocv_store_rollback(ocv_store *store);

/* The clock floor and every pinned authority's applied sequence (at most
 * OCV_MAX_AUTHORITIES into state, in id order), cached between commits;
 * within a snapshot, as of that snapshot. OCV_OK or OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_store_state(ocv_store *store, int64_t *clock_floor,
                                          ocv_revocation_state *state, size_t *count);

/* A read snapshot for several reads that must agree (not for writes). */
OCV_MUST_CHECK ocv_reason ocv_store_snapshot_begin(ocv_store *store);
void ocv_store_snapshot_end(ocv_store *store);

/*
 * A decision's read: ocv_store_state, ocv_store_get_clock_floor and
 * ocv_store_lookup between begin and end answer from one state of the
 * store. While nothing committed since the last read on this handle, that
 * state is the handle's cache and no transaction is opened: SQLite's
 * WAL-index header in shared memory, which every commit in WAL mode
 * rewrites, is compared with the copy taken before the transaction that
 * filled the cache. A lookup the cache cannot answer opens the
 * transaction then; if a commit came in between, it answers from the newer
 * state and says so (ocv_store_verdict.state_moved). SQLite refuses to
 * take the store out of WAL mode while a handle has it open, so every
 * commit moves the header; a transaction confirms the cache at least
 * every second all the same. Lookup answers are remembered per state (32 of them), so a
 * repeated credential costs no transaction either.
 * Errors: OCV_INTERNAL_ERROR when the store cannot be read (end the read
 * anyway). Not for writes; one read at a time per handle.
 */
OCV_MUST_CHECK ocv_reason ocv_store_read_begin(ocv_store *store);
void ocv_store_read_end(ocv_store *store);
/* 1 while the open read answers from the cache, no transaction held. */
int ocv_store_read_cached(const ocv_store *store);

/*
 * A pre-commit hook: ocv_store_commit calls it inside the write
 * transaction, right before COMMIT (so every bundle apply and CRL import
 * runs it without knowing). A non-OK return rolls the transaction back
 * and is what ocv_store_commit returns. The audit log uses it to write
 * and fsync a change's record before the change commits. NULL clears it.
 */
typedef ocv_reason (*ocv_store_commit_hook)(void *ctx);
void ocv_store_set_commit_hook(ocv_store *store, ocv_store_commit_hook hook, void *ctx);

/* Pins a new authority (inside a transaction). OCV_CONFIG_INVALID when
 * the id is already pinned or more than OCV_MAX_AUTHORITIES exist. */
OCV_MUST_CHECK ocv_reason ocv_store_add_authority(ocv_store *store, const char *id,
                                                  const uint8_t *spki, size_t spki_len);

/* Reads one authority; OCV_BUNDLE_AUTHORITY_UNKNOWN when not pinned. */
OCV_MUST_CHECK ocv_reason ocv_store_get_authority(ocv_store *store, const char *id,
                                                  ocv_authority_state *out);
/* Number of authorities and their ids, in id order. */
OCV_MUST_CHECK ocv_reason ocv_store_list_authorities(
    ocv_store *store, char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1], size_t *count);

/* Writes an authority's new state (inside a transaction). */
OCV_MUST_CHECK ocv_reason ocv_store_put_authority(ocv_store *store, const ocv_authority_state *a);

/* What a write did to one entry row, so the caller keeps the digest
 * exact: whether the row existed (with its before and expires as they
 * were) and whether the write changed anything. */
typedef struct ocv_entry_change {
    int existed, changed;
    int64_t old_before, old_expires;
} ocv_entry_change;

/* Puts an entry of an authority (inside a transaction): inserts it, or
 * replaces the before and expires of the same key (raising a
 * subject_before cut-off replaces the old one). */
OCV_MUST_CHECK ocv_reason ocv_store_put_entry(ocv_store *store, const char *authority,
                                              const ocv_entry *e, ocv_entry_change *change);
/* Reads whether an entry of that key exists (found->existed, with its
 * before and expires). */
OCV_MUST_CHECK ocv_reason ocv_store_find_entry(ocv_store *store, const char *authority,
                                               const ocv_entry *e, ocv_entry_change *found);
/* Removes an entry by key (type, issuer, value), whatever its before and
 * expires; change says what was removed. */
OCV_MUST_CHECK ocv_reason ocv_store_delete_entry(ocv_store *store, const char *authority,
                                                 const ocv_entry *e, ocv_entry_change *change);
/* Calls fn on every entry row of an authority (views valid for the call
 * only), in no particular order, with constant memory. A row that is no
 * entry, or fn returning non-zero, stops it with OCV_BUNDLE_DIGEST_MISMATCH;
 * OCV_INTERNAL_ERROR when unreadable. */
OCV_MUST_CHECK ocv_reason ocv_store_each_entry(ocv_store *store, const char *authority,
                                               int (*fn)(const ocv_entry *e, void *arg), void *arg);

/* The last applied signed bundle of an authority, as it arrived, and the
 * key (SPKI DER) that verified it (inside the apply transaction); read
 * back by the integrity proof. Empty when none was kept. */
OCV_MUST_CHECK ocv_reason ocv_store_put_signed_bundle(ocv_store *store, const char *authority,
                                                      const uint8_t *bundle, size_t len,
                                                      const uint8_t *signer, size_t signer_len);
OCV_MUST_CHECK ocv_reason ocv_store_get_signed_bundle(ocv_store *store, const char *authority,
                                                      ocv_bytes *bundle, ocv_bytes *signer);

/* Removes every entry of an authority (a full bundle replaces them). */
OCV_MUST_CHECK ocv_reason ocv_store_clear_entries(ocv_store *store, const char *authority);

/*
 * Every entry of an authority, for a full bundle: *entries are views into
 * *backing (owned by the caller, free both with ocv_bytes_free and free).
 */
OCV_MUST_CHECK ocv_reason ocv_store_list_entries(ocv_store *store, const char *authority,
                                                 ocv_entry **entries, size_t *count,
                                                 ocv_bytes *backing);

/* Clock floor: the newest trusted time accepted; 0 when none. */
OCV_MUST_CHECK ocv_reason ocv_store_get_clock_floor(ocv_store *store, int64_t *floor);
/* Raises the floor to t when t is newer (inside a transaction). */
OCV_MUST_CHECK ocv_reason ocv_store_raise_clock_floor(ocv_store *store, int64_t t);

/* How fresh the data covering one credential is. Every source (each
 * synced authority, each imported CRL of an issuer on the path) must be
 * fresh on its own, so the worst of each measure counts, with its source
 * named for the detail line. */
typedef struct ocv_store_freshness {
    int has_data;               /* some authority or CRL state exists */
    int64_t oldest_next_update; /* the earliest next_update */
    int64_t oldest_issued_at;   /* the oldest issued_at / thisUpdate */
    char next_update_source[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    char issued_at_source[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t unsynced; /* pinned authorities that never applied a bundle */
    char unsynced_source[OCV_MAX_AUTHORITY_ID_BYTES + 1];
} ocv_store_freshness;

/* The revocation verdict for one credential's claims. */
typedef struct ocv_store_verdict {
    int revoked;
    char matched[240]; /* which entry: "jti https://i abc (authority a)" */
    ocv_store_freshness freshness;
    int64_t clock_floor;
    /* within a decision's read: a commit came between ocv_store_read_begin
     * and this lookup, which answered from the newer state (ocv_store_state
     * now gives it) */
    int state_moved;
} ocv_store_verdict;

/*
 * Looks up every entry that could revoke these claims: for every
 * certificate of claims->path its serial (under its issuer's SPKI hash)
 * and its key; a token's jti (under issuer) and the key that verified it
 * (verified_key_sha256); subject and subject_before (revoked when
 * issued_at is before the cut-off, or unknown). Fills freshness and the
 * clock floor. OCV_OK, or OCV_INTERNAL_ERROR when
 * the store cannot be read (the caller denies).
 */
OCV_MUST_CHECK ocv_reason ocv_store_lookup(ocv_store *store, const ocv_claims *claims,
                                           ocv_store_verdict *out);

/* Imported CRL bookkeeping, per issuer (SPKI SHA-256 hex). */
typedef struct ocv_crl_record {
    char issuer[65];
    ocv_bytes number;      /* CRL number, big-endian; empty when absent */
    ocv_bytes der;         /* the CRL as its issuer signed it */
    ocv_bytes issuer_spki; /* the issuer's SubjectPublicKeyInfo (DER) */
    int64_t this_update, next_update;
    int64_t entry_count;
} ocv_crl_record;

void ocv_crl_record_init(ocv_crl_record *c);
void ocv_crl_record_free(ocv_crl_record *c);
/* OCV_REVOCATION_MISSING when no CRL of that issuer was imported. */
OCV_MUST_CHECK ocv_reason ocv_store_get_crl(ocv_store *store, const char *issuer,
                                            ocv_crl_record *out);
OCV_MUST_CHECK ocv_reason ocv_store_put_crl(ocv_store *store, const ocv_crl_record *c);
/* The issuers (SPKI SHA-256 hex) with an imported CRL, at most max. */
OCV_MUST_CHECK ocv_reason ocv_store_list_crls(ocv_store *store, char (*issuers)[65], size_t max,
                                              size_t *count);

/* Entry counts by type, for status. */
typedef struct ocv_store_counts {
    int64_t serial, jti, key, subject, subject_before;
} ocv_store_counts;
OCV_MUST_CHECK ocv_reason ocv_store_count(ocv_store *store, const char *authority,
                                          ocv_store_counts *out);

#endif
