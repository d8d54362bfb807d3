/*
 * store.c - the SQLite revocation store.
 *
 * Implementation notes
 *
 * Schema (user_version 2):
 *   authority(id PRIMARY KEY, pubkey, seq, lthash, digest, issued_at,
 *             next_update, applied_at, entry_count, bundle, bundle_signer)
 *             bundle: the last applied signed bundle, as it arrived, and
 *             the key that verified it, so the rows can be proven
 *             against the authority's signature later (integrity.c)
 *   entry(k, authority, before, expires, PRIMARY KEY (k, authority))
 *             WITHOUT ROWID, so a lookup is one B-tree descent on k
 *   crl(issuer PRIMARY KEY, number, this_update, next_update, entry_count,
 *       der, issuer_spki): the imported CRL as signed, and its issuer's key
 * Schema 1 (ocv 0.1) is refused with a message: its serial and key
 * entries were not in canonical form and its rows cannot be proven.
 *   meta(k PRIMARY KEY, v): clock_floor
 * CRL-sourced entries are stored under the pseudo-authority "crl:<issuer>".
 *
 * Migrations: a file at user_version 0 with no tables is created at the
 * current version; any other version than the current one is refused, so
 * an older ocv never misreads a newer store.
 *
 * Writes are IMMEDIATE transactions (one writer, taken at begin); with WAL
 * and synchronous=FULL a commit is durable, and a crash mid-transaction
 * leaves the previous state, which SQLite's rollback guarantees.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/canon.h"
#include "base/util.h"

enum {
    STMT_GET_AUTH,
    STMT_PUT_AUTH,
    STMT_INSERT_ENTRY,
    STMT_DELETE_ENTRY,
    STMT_LOOKUP,
    STMT_GET_META,
    STMT_PUT_META,
    STMT_FRESHNESS,
    STMT_GET_CRL,
    STMT_DATA_VERSION,
    STMT_READ_BEGIN,
    STMT_READ_END,
    STMT_TYPE_EXISTS,
    STMT_GET_ENTRY,
    STMT_EACH_ENTRY,
    STMT_PUT_BUNDLE,
    STMT_GET_BUNDLE,
    STMT_JOURNAL_MODE,
    STMT_COUNT
};

static const char *const STMT_SQL[STMT_COUNT] = {
    "SELECT pubkey, seq, lthash, digest, issued_at, next_update, applied_at, entry_count "
    "FROM authority WHERE id = ?1",
    "UPDATE authority SET pubkey = ?2, seq = ?3, lthash = ?4, digest = ?5, issued_at = ?6, "
    "next_update = ?7, applied_at = ?8, entry_count = ?9 WHERE id = ?1",
    "INSERT INTO entry (k, authority, before, expires) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (k, authority) DO UPDATE SET before = excluded.before, expires = excluded.expires",
    "DELETE FROM entry WHERE k = ?1 AND authority = ?2 RETURNING before, expires",
    "SELECT k, authority, before FROM entry WHERE k = ?1",
    "SELECT v FROM meta WHERE k = ?1",
    "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
    "SELECT id, seq, issued_at, next_update FROM authority ORDER BY id",
    "SELECT number, this_update, next_update, entry_count, der, issuer_spki FROM crl"
    " WHERE issuer = ?1",
    "PRAGMA data_version",
    "BEGIN",
    "COMMIT",
    "SELECT 1 FROM entry WHERE k >= ?1 AND k < ?2 LIMIT 1",
    "SELECT before, expires FROM entry WHERE k = ?1 AND authority = ?2",
    "SELECT k, before, expires FROM entry WHERE authority = ?1",
    "UPDATE authority SET bundle = ?2, bundle_signer = ?3 WHERE id = ?1",
    "SELECT bundle, bundle_signer FROM authority WHERE id = ?1",
    "PRAGMA journal_mode",
};

/* Authority freshness and the clock floor change only when a sync
 * commits; they are cached and re-read when PRAGMA data_version says
 * another connection (or this one) changed the file. */
typedef struct freshness_cache {
    int valid;
    int64_t data_version;
    ocv_store_freshness f;
    ocv_revocation_state state[OCV_MAX_AUTHORITIES];
    size_t state_count;
    int64_t clock_floor;
    /* which entry types exist at all: a lookup skips the others */
    int has_type[256];
} freshness_cache;

/*
 * A decision's read (ocv_store_read_begin) opens no transaction while the
 * store is unchanged: SQLite's WAL-index header, which every commit in WAL
 * mode rewrites (its change counter, frame count and salts), is compared
 * in shared memory with the copy taken before the transaction that filled
 * the cache. A BEGIN costs file locks (fcntl), an fstat and mutexes that
 * every decision thread shares; the comparison costs 48 bytes of memory.
 * SQLite refuses to leave WAL mode while this handle has the store open,
 * so no commit bypasses the header; belt and braces, a transaction
 * confirms the cache at least every RECHECK_MS.
 */
#define WAL_HEADER_BYTES 48 /* the first copy of the WAL-index header */
#define WAL_INDEX_REGION 32768
#define RECHECK_MS       1000
typedef struct read_probe {
    const volatile uint8_t *wal_header; /* in SQLite's mapping; NULL: always a transaction */
    uint8_t seen[WAL_HEADER_BYTES];     /* read before the transaction that filled the cache */
    int has_seen;
    int64_t checked_ms; /* when a transaction last confirmed the cache */
    int reading;        /* a decision's read is open */
    int in_txn;         /* ...and holds a transaction (otherwise it reads the cache) */
} read_probe;

/* Lookup answers of the cache's epoch, so a repeated credential costs no
 * transaction either: keyed by everything the answer depends on (the
 * candidate keys, the issue time, the path's CRL issuers), compared in
 * full. Direct-mapped; a collision only evicts. */
#define MEMO_SLOTS 32
typedef struct lookup_memo {
    uint64_t epoch; /* 0: empty */
    uint8_t *id;
    size_t id_len;
    ocv_store_verdict verdict;
} lookup_memo;

struct ocv_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];
    freshness_cache cache;
    uint64_t epoch; /* counts the cache's reloads */
    read_probe probe;
    lookup_memo memo[MEMO_SLOTS];
    ocv_store_commit_hook commit_hook; /* see ocv_store_set_commit_hook */
    void *commit_hook_ctx;
};

static ocv_reason refresh_cache(ocv_store *s);
static int split_key(const uint8_t *k, size_t len, ocv_entry *e);

static const char SCHEMA[] =
    "CREATE TABLE authority (id TEXT PRIMARY KEY, pubkey BLOB NOT NULL, seq INTEGER NOT NULL,"
    " lthash BLOB NOT NULL, digest BLOB NOT NULL, issued_at INTEGER NOT NULL,"
    " next_update INTEGER NOT NULL, applied_at INTEGER NOT NULL, entry_count INTEGER NOT NULL,"
    " bundle BLOB NOT NULL DEFAULT x'', bundle_signer BLOB NOT NULL DEFAULT x'');"
    "CREATE TABLE entry (k BLOB NOT NULL, authority TEXT NOT NULL, before INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, PRIMARY KEY (k, authority)) WITHOUT ROWID;"
    "CREATE TABLE crl (issuer TEXT PRIMARY KEY, number BLOB NOT NULL,"
    " this_update INTEGER NOT NULL, next_update INTEGER NOT NULL,"
    " entry_count INTEGER NOT NULL, der BLOB NOT NULL, issuer_spki BLOB NOT NULL);"
    "CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
    "PRAGMA user_version = 2;";

const char *ocv_entry_type_name(ocv_entry_type type)
{
    switch (type) {
    case OCV_ENTRY_SERIAL:
        return "serial";
    case OCV_ENTRY_JTI:
        return "jti";
    case OCV_ENTRY_KEY:
        return "key";
    case OCV_ENTRY_SUBJECT:
        return "subject";
    case OCV_ENTRY_SUBJECT_BEFORE:
        return "subject_before";
    }
    return "unknown";
}

int ocv_entry_type_parse(const char *name, ocv_entry_type *out)
{
    static const ocv_entry_type all[] = {OCV_ENTRY_SERIAL, OCV_ENTRY_JTI, OCV_ENTRY_KEY,
                                         OCV_ENTRY_SUBJECT, OCV_ENTRY_SUBJECT_BEFORE};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (name != NULL && strcmp(name, ocv_entry_type_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

static int all_hex(const char *p, size_t len, int lower_only)
{
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (!lower_only && c >= 'A' && c <= 'F');
        if (!ok)
            return 0;
    }
    return 1;
}

const char *ocv_entry_check_canonical(const ocv_entry *e)
{
    char canon[OCV_SERIAL_HEX_BYTES];
    const char *why = NULL;
    switch (e->type) {
    case OCV_ENTRY_SERIAL:
        if (e->issuer_len != 64 || !all_hex(e->issuer, 64, 1))
            return "a serial entry's issuer is the SHA-256 (64 lower-case hex digits) of the "
                   "issuing CA's SubjectPublicKeyInfo";
        if (ocv_serial_canon_text(e->value, e->value_len, canon, &why) != OCV_OK)
            return why;
        if (strlen(canon) != e->value_len || memcmp(canon, e->value, e->value_len) != 0)
            return "a serial entry's value is not canonical (lower-case hex of the integer, no "
                   "leading zero byte)";
        return NULL;
    case OCV_ENTRY_KEY:
        if (e->issuer_len != 0 || !ocv_key_id_is_canonical(e->value, e->value_len))
            return "a key entry's value is the SHA-256 (64 lower-case hex digits) of the key's "
                   "SubjectPublicKeyInfo (a kid cannot be revoked: the presenter can drop it)";
        return NULL;
    case OCV_ENTRY_JTI:
        return e->issuer_len == 0 ? "a jti entry needs its issuer" : NULL;
    case OCV_ENTRY_SUBJECT:
    case OCV_ENTRY_SUBJECT_BEFORE:
        if (e->issuer_len != 0)
            return "a subject entry has no issuer";
        if (ocv_identity_check_text(e->value, e->value_len, &why) != OCV_OK)
            return why;
        if (!ocv_identity_is_revocation_form(e->value, e->value_len))
            return "a subject entry names an identity other than a SPIFFE ID in lower case "
                   "(DNS names, CNs and DNs match whatever their case; bundle build folds them)";
        return NULL;
    }
    return "unknown entry type";
}

const char *ocv_entry_canonicalise(ocv_entry *e, char *buf, size_t buf_len)
{
    const char *why = NULL;
    if (e->type == OCV_ENTRY_SERIAL) {
        if (buf_len < 64 + 1 + OCV_SERIAL_HEX_BYTES)
            return "internal: buffer too small";
        if (e->issuer_len != 64 || !all_hex(e->issuer, 64, 0))
            return "a serial entry's issuer is the SHA-256 (64 hex digits) of the issuing CA's "
                   "SubjectPublicKeyInfo";
        for (size_t i = 0; i < 64; i++)
            buf[i] = (char)(e->issuer[i] >= 'A' && e->issuer[i] <= 'F' ? e->issuer[i] + 32
                                                                       : e->issuer[i]);
        buf[64] = 0;
        if (ocv_serial_canon_text(e->value, e->value_len, buf + 65, &why) != OCV_OK)
            return why;
        e->issuer = buf;
        e->value = buf + 65;
        e->value_len = strlen(buf + 65);
    } else if (e->type == OCV_ENTRY_KEY && e->value_len == 64 && all_hex(e->value, 64, 0)) {
        if (buf_len < 65)
            return "internal: buffer too small";
        for (size_t i = 0; i < 64; i++)
            buf[i] =
                (char)(e->value[i] >= 'A' && e->value[i] <= 'F' ? e->value[i] + 32 : e->value[i]);
        buf[64] = 0;
        e->value = buf;
    } else if ((e->type == OCV_ENTRY_SUBJECT || e->type == OCV_ENTRY_SUBJECT_BEFORE) &&
               e->value_len <= OCV_MAX_IDENTITY_BYTES &&
               memchr(e->value, 0, e->value_len) == NULL) {
        if (buf_len < e->value_len + 1)
            return "internal: buffer too small";
        ocv_identity_revocation_form(e->value, e->value_len, buf);
        e->value = buf;
    }
    return ocv_entry_check_canonical(e);
}

ocv_reason ocv_store_entry_key(const ocv_entry *e, ocv_bytes *out)
{
    size_t il = e->issuer_len, vl = e->value_len;
    ocv_bytes_init(out);
    out->data = malloc(il + vl + 4);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    out->data[0] = (uint8_t)e->type;
    out->data[1] = 0;
    memcpy(out->data + 2, e->issuer, il);
    out->data[2 + il] = 0;
    memcpy(out->data + 3 + il, e->value, vl);
    out->len = il + vl + 3;
    return OCV_OK;
}

static void put_be64(uint8_t *p, int64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)((uint64_t)v & 0xff);
        v = (int64_t)((uint64_t)v >> 8);
    }
}

ocv_reason ocv_store_entry_element(const ocv_entry *e, ocv_bytes *out)
{
    ocv_bytes key;
    ocv_reason r = ocv_store_entry_key(e, &key);
    if (r != OCV_OK)
        return r;
    ocv_bytes_init(out);
    out->data = malloc(key.len + 17);
    if (out->data == NULL) {
        ocv_bytes_free(&key);
        return OCV_INTERNAL_ERROR;
    }
    memcpy(out->data, key.data, key.len);
    out->data[key.len] = 0;
    put_be64(out->data + key.len + 1, e->before);
    put_be64(out->data + key.len + 9, e->expires);
    out->len = key.len + 17;
    ocv_bytes_free(&key);
    return OCV_OK;
}

void ocv_authority_state_init(ocv_authority_state *a)
{
    memset(a, 0, sizeof(*a));
    ocv_bytes_init(&a->public_key);
    ocv_lthash_init(&a->lthash);
}

void ocv_authority_state_free(ocv_authority_state *a)
{
    if (a == NULL)
        return;
    ocv_bytes_free(&a->public_key);
    ocv_authority_state_init(a);
}

void ocv_crl_record_init(ocv_crl_record *c)
{
    memset(c, 0, sizeof(*c));
    ocv_bytes_init(&c->number);
    ocv_bytes_init(&c->der);
    ocv_bytes_init(&c->issuer_spki);
}

void ocv_crl_record_free(ocv_crl_record *c)
{
    if (c == NULL)
        return;
    ocv_bytes_free(&c->number);
    ocv_bytes_free(&c->der);
    ocv_bytes_free(&c->issuer_spki);
    ocv_crl_record_init(c);
}

/* ---- open / close -------------------------------------------------- */

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
    if (rc == 0)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static int table_count(sqlite3 *db, int *count)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
    if (rc == 0)
        *count = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static ocv_reason migrate(sqlite3 *db, int create, const char *path, char *err, size_t err_len)
{
    int version = -1, tables = -1;
    if (user_version(db, &version) != 0 || table_count(db, &tables) != 0) {
        ocv_errf(err, err_len, "%s: not a readable SQLite database", path);
        return OCV_CONFIG_INVALID;
    }
    if (version == OCV_STORE_SCHEMA_VERSION)
        return OCV_OK;
    if (version == 0 && tables == 0 && create) {
        if (exec(db, "BEGIN IMMEDIATE") != 0)
            return OCV_INTERNAL_ERROR;
        if (exec(db, SCHEMA) != 0 || exec(db, "COMMIT") != 0) {
            exec(db, "ROLLBACK");
            ocv_errf(err, err_len, "%s: cannot create the schema: %s", path, sqlite3_errmsg(db));
            return OCV_INTERNAL_ERROR;
        }
        return OCV_OK;
    }
    if (version == 0 && tables == 0)
        ocv_errf(err, err_len, "%s: empty store (run 'ocv revocation init' first)", path);
    else if (version == 1)
        ocv_errf(err, err_len,
                 "%s: a store of schema 1 (ocv 0.1), whose entries are not in canonical form and "
                 "whose rows cannot be proven; make a new store with 'ocv revocation init' and "
                 "sync a full bundle",
                 path);
    else
        ocv_errf(err, err_len, "%s: not an ocv store of schema version %d (found %d)", path,
                 OCV_STORE_SCHEMA_VERSION, version);
    return OCV_CONFIG_INVALID;
}

/* Why an existing store cannot be opened, in the operator's terms, before
 * SQLite answers "unable to open database file" for all of them. */
static int explain_unopenable(const char *path, int create, char *err, size_t err_len)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT && !create)
            ocv_errf(err, err_len,
                     "%s: no such store (create it with 'ocv revocation init --db %s')", path,
                     path);
        else if (errno != ENOENT)
            ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return errno != ENOENT || !create;
    }
    if (S_ISDIR(sb.st_mode)) {
        ocv_errf(err, err_len, "%s: is a directory, not a store file", path);
        return 1;
    }
    if (access(path, R_OK | W_OK) != 0) {
        /* readers need write access too: WAL mode keeps its index beside the file */
        ocv_errf(err, err_len, "%s: %s (ocv needs read and write access to the store)", path,
                 strerror(errno));
        return 1;
    }
    return 0;
}

ocv_reason ocv_store_open(const char *path, int create, ocv_store **out, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    *out = NULL;
    if (explain_unopenable(path, create, err, err_len))
        return OCV_CONFIG_INVALID;
    ocv_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return OCV_INTERNAL_ERROR;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        ocv_errf(err, err_len, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (exec(s->db, "PRAGMA journal_mode = WAL") != 0 ||
        exec(s->db, "PRAGMA synchronous = FULL") != 0 ||
        exec(s->db, "PRAGMA foreign_keys = ON") != 0 ||
        /* lookups read pages through a memory map, not one pread each */
        exec(s->db, "PRAGMA mmap_size = 4294967296") != 0 ||
        exec(s->db, "PRAGMA cache_size = -32768") != 0) {
        ocv_errf(err, err_len, "%s: not a usable SQLite database: %s", path, sqlite3_errmsg(s->db));
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    r = migrate(s->db, create, path, err, err_len);
    if (r != OCV_OK)
        goto fail;
    for (int i = 0; i < STMT_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK) {
            ocv_errf(err, err_len, "%s: %s", path, sqlite3_errmsg(s->db));
            r = OCV_CONFIG_INVALID;
            goto fail;
        }
    }
    *out = s;
    return OCV_OK;
fail:
    ocv_store_close(s);
    return r;
}

void ocv_store_close(ocv_store *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        free(s->memo[i].id);
    free(s);
}

void ocv_store_checkpoint(ocv_store *s)
{
    sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

ocv_reason ocv_store_begin(ocv_store *s)
{
    return exec(s->db, "BEGIN IMMEDIATE") == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
}

void ocv_store_set_commit_hook(ocv_store *s, ocv_store_commit_hook hook, void *ctx)
{
    s->commit_hook = hook;
    s->commit_hook_ctx = ctx;
}

ocv_reason ocv_store_commit(ocv_store *s)
{
    if (s->commit_hook != NULL) {
        ocv_reason r = s->commit_hook(s->commit_hook_ctx);
        if (r != OCV_OK) {
            ocv_store_rollback(s);
            return r;
        }
    }
    if (exec(s->db, "COMMIT") == 0) {
        /* PRAGMA data_version ignores this connection's own commits */
        s->cache.valid = 0;
        return OCV_OK;
    }
    ocv_store_rollback(s);
    return OCV_INTERNAL_ERROR;
}

void ocv_store_rollback(ocv_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        exec(s->db, "ROLLBACK");
}

/* ---- authorities --------------------------------------------------- */

/* Every statement after the open goes through stmt() or prepare(). One
 * outside a decision's read (a write, a proof, a listing) may change the
 * journal mode and with it SQLite's mapping of the WAL-index header: the
 * next read finds the header again before it trusts the cache. */
static void leaving_reads(ocv_store *s)
{
    if (!s->probe.reading) {
        s->probe.wal_header = NULL;
        s->probe.has_seen = 0;
    }
}

static sqlite3_stmt *stmt(ocv_store *s, int which)
{
    leaving_reads(s);
    sqlite3_stmt *st = s->stmt[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* A one-off statement (see stmt()). */
static int prepare(ocv_store *s, const char *sql, sqlite3_stmt **st)
{
    leaving_reads(s);
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
}

ocv_reason ocv_store_snapshot_begin(ocv_store *s)
{
    return sqlite3_step(stmt(s, STMT_READ_BEGIN)) == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

void ocv_store_snapshot_end(ocv_store *s)
{
    sqlite3_step(stmt(s, STMT_READ_END));
}

ocv_reason ocv_store_add_authority(ocv_store *s, const char *id, const uint8_t *spki,
                                   size_t spki_len)
{
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    ocv_reason r = ocv_store_list_authorities(s, ids, &count);
    if (r != OCV_OK)
        return r;
    if (count >= OCV_MAX_AUTHORITIES)
        return OCV_CONFIG_INVALID;
    ocv_lthash empty;
    ocv_lthash_init(&empty);
    uint8_t lt[OCV_LTHASH_BYTES], digest[OCV_STATE_DIGEST_BYTES];
    ocv_lthash_serialize(&empty, lt);
    if (ocv_lthash_digest(&empty, digest) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_stmt *st;
    if (prepare(s,
                "INSERT INTO authority (id, pubkey, seq, lthash, digest, issued_at, next_update,"
                " applied_at, entry_count) VALUES (?1, ?2, 0, ?3, ?4, 0, 0, 0, 0)",
                &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, spki, (int)spki_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, lt, sizeof(lt), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 4, digest, sizeof(digest), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return OCV_CONFIG_INVALID;
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

static ocv_reason copy_blob(sqlite3_stmt *st, int col, void *out, size_t want)
{
    if (sqlite3_column_bytes(st, col) != (int)want)
        return OCV_INTERNAL_ERROR;
    memcpy(out, sqlite3_column_blob(st, col), want);
    return OCV_OK;
}

ocv_reason ocv_store_get_authority(ocv_store *s, const char *id, ocv_authority_state *out)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_authority_state_init(out);
    if (ocv_strlcpy(out->id, id, sizeof(out->id)))
        return OCV_BUNDLE_AUTHORITY_UNKNOWN;
    sqlite3_stmt *st = stmt(s, STMT_GET_AUTH);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        r = OCV_BUNDLE_AUTHORITY_UNKNOWN;
        goto out;
    }
    if (rc != SQLITE_ROW)
        goto out;
    uint8_t lt[OCV_LTHASH_BYTES];
    if (ocv_bytes_copy(&out->public_key, sqlite3_column_blob(st, 0),
                       (size_t)sqlite3_column_bytes(st, 0)) != OCV_OK ||
        copy_blob(st, 2, lt, sizeof(lt)) != OCV_OK ||
        copy_blob(st, 3, out->digest, sizeof(out->digest)) != OCV_OK)
        goto out;
    ocv_lthash_deserialize(&out->lthash, lt);
    out->sequence = sqlite3_column_int64(st, 1);
    out->issued_at = sqlite3_column_int64(st, 4);
    out->next_update = sqlite3_column_int64(st, 5);
    out->applied_at = sqlite3_column_int64(st, 6);
    out->entry_count = sqlite3_column_int64(st, 7);
    r = OCV_OK;
out:
    sqlite3_reset(st);
    if (r != OCV_OK && r != OCV_BUNDLE_AUTHORITY_UNKNOWN)
        ocv_authority_state_free(out);
    return r;
}

ocv_reason ocv_store_list_authorities(ocv_store *s,
                                      char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1],
                                      size_t *count)
{
    sqlite3_stmt *st;
    *count = 0;
    if (prepare(s, "SELECT id FROM authority ORDER BY id", &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *count < OCV_MAX_AUTHORITIES)
        ocv_strlcpy(ids[(*count)++], (const char *)sqlite3_column_text(st, 0),
                    OCV_MAX_AUTHORITY_ID_BYTES + 1);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? OCV_OK : OCV_INTERNAL_ERROR;
}

ocv_reason ocv_store_put_authority(ocv_store *s, const ocv_authority_state *a)
{
    uint8_t lt[OCV_LTHASH_BYTES];
    ocv_lthash_serialize(&a->lthash, lt);
    sqlite3_stmt *st = stmt(s, STMT_PUT_AUTH);
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, a->public_key.data, (int)a->public_key.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, a->sequence);
    sqlite3_bind_blob(st, 4, lt, sizeof(lt), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, a->digest, sizeof(a->digest), SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, a->issued_at);
    sqlite3_bind_int64(st, 7, a->next_update);
    sqlite3_bind_int64(st, 8, a->applied_at);
    sqlite3_bind_int64(st, 9, a->entry_count);
    int rc = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_reset(st);
    return rc == SQLITE_DONE && changed == 1 ? OCV_OK : OCV_INTERNAL_ERROR;
}

/* ---- entries ------------------------------------------------------- */

/* Runs one keyed statement on an entry; a returned row (the entry as it
 * was) fills *old. */
static ocv_reason entry_step(ocv_store *s, int which, const char *authority, const ocv_entry *e,
                             ocv_entry_change *old)
{
    ocv_bytes key;
    ocv_reason r = ocv_store_entry_key(e, &key);
    if (r != OCV_OK)
        return r;
    sqlite3_stmt *st = stmt(s, which);
    sqlite3_bind_blob(st, 1, key.data, (int)key.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, authority, -1, SQLITE_STATIC);
    if (which == STMT_INSERT_ENTRY) {
        sqlite3_bind_int64(st, 3, e->before);
        sqlite3_bind_int64(st, 4, e->expires);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && old != NULL) {
        old->existed = 1;
        old->old_before = sqlite3_column_int64(st, 0);
        old->old_expires = sqlite3_column_int64(st, 1);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    ocv_bytes_free(&key);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

ocv_reason ocv_store_put_entry(ocv_store *s, const char *authority, const ocv_entry *e,
                               ocv_entry_change *change)
{
    memset(change, 0, sizeof(*change));
    ocv_reason r = entry_step(s, STMT_GET_ENTRY, authority, e, change);
    if (r != OCV_OK)
        return r;
    if (change->existed && change->old_before == e->before && change->old_expires == e->expires)
        return OCV_OK; /* already there, exactly */
    change->changed = 1;
    return entry_step(s, STMT_INSERT_ENTRY, authority, e, NULL);
}

ocv_reason ocv_store_find_entry(ocv_store *s, const char *authority, const ocv_entry *e,
                                ocv_entry_change *found)
{
    memset(found, 0, sizeof(*found));
    return entry_step(s, STMT_GET_ENTRY, authority, e, found);
}

ocv_reason ocv_store_delete_entry(ocv_store *s, const char *authority, const ocv_entry *e,
                                  ocv_entry_change *change)
{
    memset(change, 0, sizeof(*change));
    ocv_reason r = entry_step(s, STMT_DELETE_ENTRY, authority, e, change);
    change->changed = change->existed;
    return r;
}

ocv_reason ocv_store_each_entry(ocv_store *s, const char *authority,
                                int (*fn)(const ocv_entry *e, void *arg), void *arg)
{
    sqlite3_stmt *st = stmt(s, STMT_EACH_ENTRY);
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    int rc;
    ocv_reason r = OCV_OK;
    while (r == OCV_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ocv_entry e;
        const uint8_t *k = sqlite3_column_blob(st, 0);
        if (k == NULL || split_key(k, (size_t)sqlite3_column_bytes(st, 0), &e) != 0) {
            r = OCV_BUNDLE_DIGEST_MISMATCH; /* a row no entry could have written */
            break;
        }
        e.before = sqlite3_column_int64(st, 1);
        e.expires = sqlite3_column_int64(st, 2);
        if (fn(&e, arg) != 0)
            r = OCV_BUNDLE_DIGEST_MISMATCH;
    }
    if (r == OCV_OK && rc != SQLITE_DONE)
        r = OCV_INTERNAL_ERROR;
    sqlite3_reset(st);
    return r;
}

ocv_reason ocv_store_put_signed_bundle(ocv_store *s, const char *authority, const uint8_t *bundle,
                                       size_t len, const uint8_t *signer, size_t signer_len)
{
    sqlite3_stmt *st = stmt(s, STMT_PUT_BUNDLE);
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 2, bundle, len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, signer, (int)signer_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_reset(st);
    return rc == SQLITE_DONE && changed == 1 ? OCV_OK : OCV_INTERNAL_ERROR;
}

ocv_reason ocv_store_get_signed_bundle(ocv_store *s, const char *authority, ocv_bytes *bundle,
                                       ocv_bytes *signer)
{
    ocv_bytes_init(bundle);
    ocv_bytes_init(signer);
    sqlite3_stmt *st = stmt(s, STMT_GET_BUNDLE);
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    ocv_reason r = rc == SQLITE_DONE ? OCV_BUNDLE_AUTHORITY_UNKNOWN : OCV_INTERNAL_ERROR;
    if (rc == SQLITE_ROW &&
        ocv_bytes_copy(bundle, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) ==
            OCV_OK &&
        ocv_bytes_copy(signer, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) ==
            OCV_OK)
        r = OCV_OK;
    sqlite3_reset(st);
    if (r != OCV_OK) {
        ocv_bytes_free(bundle);
        ocv_bytes_free(signer);
    }
    return r;
}

ocv_reason ocv_store_clear_entries(ocv_store *s, const char *authority)
{
    sqlite3_stmt *st;
    if (prepare(s, "DELETE FROM entry WHERE authority = ?1", &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

/* ---- meta ---------------------------------------------------------- */

static ocv_reason meta_get(ocv_store *s, const char *k, int64_t *v)
{
    sqlite3_stmt *st = stmt(s, STMT_GET_META);
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

/* The cache as it stands inside a decision's read without a transaction
 * (the probe found the store unchanged), otherwise re-read as needed. */
static ocv_reason current_cache(ocv_store *s)
{
    return ocv_store_read_cached(s) ? OCV_OK : refresh_cache(s);
}

ocv_reason ocv_store_get_clock_floor(ocv_store *s, int64_t *floor)
{
    if (!s->probe.reading && !sqlite3_get_autocommit(s->db))
        return meta_get(s, "clock_floor", floor); /* inside a write: the live value */
    ocv_reason r = current_cache(s);
    *floor = s->cache.clock_floor;
    return r;
}

ocv_reason ocv_store_state(ocv_store *s, int64_t *clock_floor, ocv_revocation_state *state,
                           size_t *count)
{
    ocv_reason r = current_cache(s);
    *clock_floor = r == OCV_OK ? s->cache.clock_floor : 0;
    *count = r == OCV_OK ? s->cache.state_count : 0;
    if (*count > 0)
        memcpy(state, s->cache.state, *count * sizeof(*state));
    return r;
}

ocv_reason ocv_store_raise_clock_floor(ocv_store *s, int64_t t)
{
    int64_t floor = 0;
    ocv_reason r = ocv_store_get_clock_floor(s, &floor);
    if (r != OCV_OK || t <= floor)
        return r;
    sqlite3_stmt *st = stmt(s, STMT_PUT_META);
    sqlite3_bind_text(st, 1, "clock_floor", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

/* ---- lookups ------------------------------------------------------- */

/* The keys a credential could be revoked under: for a certificate path
 * a serial and a key per certificate, for a token its id and the key that
 * verified it, and the workload identity twice (subject, subject_before).
 * Packed into one bounded arena: no allocation per decision. */
#define MAX_CANDIDATES (2 * OCV_MAX_PATH_REFS + 4)
typedef struct candidate_keys {
    uint8_t arena[2 * (OCV_MAX_IDENTITY_BYTES + 3) + OCV_MAX_ISSUER_BYTES + OCV_MAX_TOKEN_ID_BYTES +
                  3 + MAX_CANDIDATES * 140];
    size_t used;
    size_t off[MAX_CANDIDATES], len[MAX_CANDIDATES];
    size_t count;
} candidate_keys;

static void add_key(candidate_keys *c, const freshness_cache *cache, ocv_entry_type type,
                    const char *issuer, const char *value)
{
    size_t il = strlen(issuer), vl = strlen(value);
    if (!cache->has_type[(uint8_t)type] || vl == 0 || c->count == MAX_CANDIDATES ||
        il + vl + 3 > sizeof(c->arena) - c->used)
        return;
    uint8_t *k = c->arena + c->used;
    k[0] = (uint8_t)type;
    k[1] = 0;
    memcpy(k + 2, issuer, il);
    k[2 + il] = 0;
    memcpy(k + 3 + il, value, vl);
    c->off[c->count] = c->used;
    c->len[c->count++] = il + vl + 3;
    c->used += il + vl + 3;
}

static void describe(const uint8_t *k, size_t len, const char *authority, char *out, size_t out_len)
{
    ocv_entry e;
    if (split_key(k, len, &e) != 0) {
        ocv_errf(out, out_len, "an entry of authority %s", authority);
        return;
    }
    ocv_errf(out, out_len, "%s %.*s%s%.*s (authority %s)", ocv_entry_type_name(e.type),
             (int)(e.issuer_len > 80 ? 80 : e.issuer_len), e.issuer_len ? e.issuer : "",
             e.issuer_len ? " " : "", (int)(e.value_len > 80 ? 80 : e.value_len), e.value,
             authority);
}

static ocv_reason lookup_entries(ocv_store *s, const candidate_keys *keys, const ocv_claims *claims,
                                 ocv_store_verdict *v)
{
    for (size_t i = 0; i < keys->count && !v->revoked; i++) {
        sqlite3_stmt *st = stmt(s, STMT_LOOKUP);
        sqlite3_bind_blob(st, 1, keys->arena + keys->off[i], (int)keys->len[i], SQLITE_STATIC);
        int rc = SQLITE_DONE;
        while (!v->revoked && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const uint8_t *k = sqlite3_column_blob(st, 0);
            size_t len = (size_t)sqlite3_column_bytes(st, 0);
            if (len > 0 && k[0] == OCV_ENTRY_SUBJECT_BEFORE && claims->has_issued_at &&
                claims->issued_at >= sqlite3_column_int64(st, 2))
                continue; /* issued after the cut; an unknown issue time is not */
            v->revoked = 1;
            describe(k, len, (const char *)sqlite3_column_text(st, 1), v->matched,
                     sizeof(v->matched));
        }
        sqlite3_reset(st);
        if (!v->revoked && rc != SQLITE_DONE)
            return OCV_INTERNAL_ERROR;
    }
    return OCV_OK;
}

/* Widens f by one source of revocation data: every source must be fresh,
 * so the earliest next_update and the oldest issue time count. */
static void freshness_add(ocv_store_freshness *f, const char *source, int64_t issued_at,
                          int64_t next_update)
{
    if (!f->has_data || next_update < f->oldest_next_update) {
        f->oldest_next_update = next_update;
        ocv_strlcpy(f->next_update_source, source, sizeof(f->next_update_source));
    }
    if (!f->has_data || issued_at < f->oldest_issued_at) {
        f->oldest_issued_at = issued_at;
        ocv_strlcpy(f->issued_at_source, source, sizeof(f->issued_at_source));
    }
    f->has_data = 1;
}

static ocv_reason authority_freshness(ocv_store *s, freshness_cache *c)
{
    ocv_store_freshness *f = &c->f;
    sqlite3_stmt *st = stmt(s, STMT_FRESHNESS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (c->state_count < OCV_MAX_AUTHORITIES) {
            ocv_revocation_state *a = &c->state[c->state_count++];
            ocv_strlcpy(a->authority, id ? id : "", sizeof(a->authority));
            a->sequence = sqlite3_column_int64(st, 1);
        }
        if (sqlite3_column_int64(st, 1) == 0) {
            if (f->unsynced == 0)
                ocv_strlcpy(f->unsynced_source, id ? id : "", sizeof(f->unsynced_source));
            f->unsynced++;
            continue;
        }
        freshness_add(f, id ? id : "", sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

static ocv_reason refresh_cache(ocv_store *s)
{
    sqlite3_stmt *st = stmt(s, STMT_DATA_VERSION);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return OCV_INTERNAL_ERROR;
    }
    int64_t version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (s->cache.valid && s->cache.data_version == version)
        return OCV_OK;
    s->epoch++; /* the lookup memo's answers are of the old state */
    s->cache.valid = 0;
    freshness_cache c;
    memset(&c, 0, sizeof(c));
    c.valid = 1;
    c.data_version = version;
    if (authority_freshness(s, &c) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    if (meta_get(s, "clock_floor", &c.clock_floor) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    static const uint8_t types[] = {OCV_ENTRY_SERIAL, OCV_ENTRY_JTI, OCV_ENTRY_KEY,
                                    OCV_ENTRY_SUBJECT, OCV_ENTRY_SUBJECT_BEFORE};
    for (size_t i = 0; i < sizeof(types); i++) {
        uint8_t lo = types[i], hi = (uint8_t)(types[i] + 1);
        st = stmt(s, STMT_TYPE_EXISTS);
        sqlite3_bind_blob(st, 1, &lo, 1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, &hi, 1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return OCV_INTERNAL_ERROR;
        c.has_type[lo] = rc == SQLITE_ROW;
    }
    s->cache = c;
    return OCV_OK;
}

/* The authorities' freshness, widened by the imported CRL of every
 * certificate issuer on the verified path. */
static ocv_reason freshness(ocv_store *s, const ocv_claims *claims, ocv_store_verdict *v)
{
    ocv_reason r = refresh_cache(s);
    if (r != OCV_OK)
        return r;
    v->freshness = s->cache.f;
    v->clock_floor = s->cache.clock_floor;
    for (size_t i = 0; i < claims->path_len; i++) {
        const char *issuer = claims->path[i].issuer_key_sha256;
        if (issuer[0] == 0)
            continue;
        ocv_crl_record crl;
        r = ocv_store_get_crl(s, issuer, &crl);
        if (r == OCV_REVOCATION_MISSING)
            continue;
        if (r != OCV_OK)
            return r;
        char source[OCV_MAX_AUTHORITY_ID_BYTES + 1];
        ocv_errf(source, sizeof(source), "crl:%.16s", issuer);
        freshness_add(&v->freshness, source, crl.this_update, crl.next_update);
        ocv_crl_record_free(&crl);
    }
    return OCV_OK;
}

/* The keys a credential could be revoked under, of the types the store
 * holds at all. */
static void collect_keys(const ocv_store *s, const ocv_claims *claims, candidate_keys *keys)
{
    keys->count = 0;
    keys->used = 0;
    for (size_t i = 0; i < claims->path_len; i++) {
        const ocv_cert_ref *c = &claims->path[i];
        if (c->serial[0] && c->issuer_key_sha256[0])
            add_key(keys, &s->cache, OCV_ENTRY_SERIAL, c->issuer_key_sha256, c->serial);
        add_key(keys, &s->cache, OCV_ENTRY_KEY, "", c->key_sha256);
    }
    if (claims->token_id[0])
        add_key(keys, &s->cache, OCV_ENTRY_JTI, claims->issuer, claims->token_id);
    add_key(keys, &s->cache, OCV_ENTRY_KEY, "", claims->verified_key_sha256);
    char subject[OCV_MAX_IDENTITY_BYTES + 1];
    ocv_identity_revocation_form(claims->subject, strnlen(claims->subject, OCV_MAX_IDENTITY_BYTES),
                                 subject);
    add_key(keys, &s->cache, OCV_ENTRY_SUBJECT, "", subject);
    add_key(keys, &s->cache, OCV_ENTRY_SUBJECT_BEFORE, "", subject);
}

/* ---- the lookup memo ------------------------------------------------ */

#define MEMO_ID_MAX                                                                                \
    (sizeof(((candidate_keys *)0)->arena) + 2 * MAX_CANDIDATES + 9 + OCV_MAX_PATH_REFS * 65)

/* Everything a lookup's answer depends on, length-prefixed: the keys, the
 * issue time (subject_before), the issuers whose CRL freshness counts. */
static size_t memo_id(const candidate_keys *keys, const ocv_claims *claims, uint8_t *id)
{
    size_t n = 0;
    for (size_t i = 0; i < keys->count; i++) {
        id[n++] = (uint8_t)(keys->len[i] >> 8);
        id[n++] = (uint8_t)keys->len[i];
        memcpy(id + n, keys->arena + keys->off[i], keys->len[i]);
        n += keys->len[i];
    }
    id[n++] = (uint8_t)claims->has_issued_at;
    put_be64(id + n, claims->has_issued_at ? claims->issued_at : 0);
    n += 8;
    for (size_t i = 0; i < claims->path_len; i++) {
        size_t l = strnlen(claims->path[i].issuer_key_sha256, 64);
        id[n++] = (uint8_t)l;
        memcpy(id + n, claims->path[i].issuer_key_sha256, l);
        n += l;
    }
    return n;
}

static lookup_memo *memo_slot(ocv_store *s, const uint8_t *id, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ id[i]) * 1099511628211ULL;
    return &s->memo[h % MEMO_SLOTS];
}

static int memo_find(ocv_store *s, const uint8_t *id, size_t len, ocv_store_verdict *out)
{
    const lookup_memo *m = memo_slot(s, id, len);
    if (m->epoch != s->epoch || m->id_len != len || memcmp(m->id, id, len) != 0)
        return 0;
    *out = m->verdict;
    return 1;
}

static void memo_put(ocv_store *s, const uint8_t *id, size_t len, const ocv_store_verdict *v)
{
    lookup_memo *m = memo_slot(s, id, len);
    uint8_t *copy = malloc(len);
    if (copy == NULL)
        return; /* not remembered: the next lookup reads the store */
    memcpy(copy, id, len);
    free(m->id);
    m->id = copy;
    m->id_len = len;
    m->epoch = s->epoch;
    m->verdict = *v;
    m->verdict.state_moved = 0;
}

/* ---- a decision's read ---------------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* no system call */
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wal_header_copy(const volatile uint8_t *h, uint8_t out[WAL_HEADER_BYTES])
{
    for (size_t i = 0; i < WAL_HEADER_BYTES; i++)
        out[i] = h[i];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* Where SQLite maps this connection's WAL-index header, while the store is
 * in WAL mode and the VFS shares it through memory (xShmMap of region 0,
 * which stays mapped while the connection keeps its WAL open: it closes it
 * only inside a transaction, after which this is asked again). */
static const volatile uint8_t *wal_header_of(ocv_store *s)
{
    sqlite3_stmt *st = stmt(s, STMT_JOURNAL_MODE);
    int wal = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
              strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_reset(st);
    sqlite3_file *f = NULL;
    if (!wal || sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
        f == NULL || f->pMethods == NULL || f->pMethods->iVersion < 2 ||
        f->pMethods->xShmMap == NULL)
        return NULL;
    void volatile *region = NULL;
    if (f->pMethods->xShmMap(f, 0, WAL_INDEX_REGION, 0, &region) != SQLITE_OK)
        return NULL;
    return region;
}

/* Opens the read's transaction and brings the cache up to it. The header
 * is read before BEGIN: the cache is tagged with a state no newer than
 * the one it holds, so a commit in between is found by the next probe. */
static ocv_reason read_txn_begin(ocv_store *s)
{
    read_probe *p = &s->probe;
    const volatile uint8_t *hdr = p->wal_header;
    uint8_t before[WAL_HEADER_BYTES];
    if (hdr != NULL)
        wal_header_copy(hdr, before);
    if (sqlite3_step(stmt(s, STMT_READ_BEGIN)) != SQLITE_DONE)
        return OCV_INTERNAL_ERROR;
    p->in_txn = 1;
    ocv_reason r = refresh_cache(s);
    if (r != OCV_OK)
        return r;
    p->wal_header = wal_header_of(s);
    p->has_seen = hdr != NULL && p->wal_header == hdr;
    if (p->has_seen)
        memcpy(p->seen, before, sizeof(before));
    p->checked_ms = monotonic_ms();
    return OCV_OK;
}

ocv_reason ocv_store_read_begin(ocv_store *s)
{
    read_probe *p = &s->probe;
    p->reading = 1;
    p->in_txn = 0;
    if (s->cache.valid && p->has_seen && monotonic_ms() - p->checked_ms < RECHECK_MS) {
        uint8_t now[WAL_HEADER_BYTES];
        wal_header_copy(p->wal_header, now);
        if (memcmp(now, p->seen, sizeof(now)) == 0)
            return OCV_OK; /* unchanged: the cache is the snapshot */
    }
    return read_txn_begin(s);
}

void ocv_store_read_end(ocv_store *s)
{
    if (s->probe.in_txn)
        sqlite3_step(stmt(s, STMT_READ_END));
    s->probe.in_txn = 0;
    s->probe.reading = 0;
}

int ocv_store_read_cached(const ocv_store *s)
{
    return s->probe.reading && !s->probe.in_txn;
}

/* A lookup's keys and memo identity, allocated together: no allocation
 * per key. */
typedef struct lookup_work {
    candidate_keys keys;
    uint8_t id[MEMO_ID_MAX];
    size_t id_len;
} lookup_work;

static void lookup_prepare(const ocv_store *s, const ocv_claims *claims, lookup_work *w)
{
    collect_keys(s, claims, &w->keys);
    w->id_len = memo_id(&w->keys, claims, w->id);
}

ocv_reason ocv_store_lookup(ocv_store *s, const ocv_claims *claims, ocv_store_verdict *out)
{
    memset(out, 0, sizeof(*out));
    lookup_work *w = malloc(sizeof(*w));
    if (w == NULL)
        return OCV_INTERNAL_ERROR;
    /* outside a decision's read, one transaction for all the lookups */
    int own_txn = !s->probe.reading && sqlite3_get_autocommit(s->db);
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (own_txn && sqlite3_step(stmt(s, STMT_READ_BEGIN)) != SQLITE_DONE)
        goto out;
    r = current_cache(s);
    if (r != OCV_OK)
        goto end;
    lookup_prepare(s, claims, w);
    if (memo_find(s, w->id, w->id_len, out))
        goto end;
    if (ocv_store_read_cached(s)) { /* the cache does not answer: read the store now */
        uint64_t epoch = s->epoch;
        r = read_txn_begin(s);
        if (r != OCV_OK)
            goto end;
        if (s->epoch != epoch) { /* a commit since the read began: answer from it */
            lookup_prepare(s, claims, w);
            out->state_moved = 1;
        }
    }
    r = lookup_entries(s, &w->keys, claims, out);
    if (r == OCV_OK && !out->revoked)
        r = freshness(s, claims, out);
    if (r == OCV_OK)
        memo_put(s, w->id, w->id_len, out);
end:
    if (own_txn && sqlite3_step(stmt(s, STMT_READ_END)) != SQLITE_DONE)
        r = OCV_INTERNAL_ERROR;
out:
    free(w);
    return r;
}

/* ---- CRL records and counts ---------------------------------------- */

ocv_reason ocv_store_get_crl(ocv_store *s, const char *issuer, ocv_crl_record *out)
{
    ocv_crl_record_init(out);
    ocv_strlcpy(out->issuer, issuer, sizeof(out->issuer));
    sqlite3_stmt *st = stmt(s, STMT_GET_CRL);
    sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (rc == SQLITE_DONE)
        r = OCV_REVOCATION_MISSING;
    else if (rc == SQLITE_ROW &&
             ocv_bytes_copy(&out->number, sqlite3_column_blob(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0)) == OCV_OK &&
             ocv_bytes_copy(&out->der, sqlite3_column_blob(st, 4),
                            (size_t)sqlite3_column_bytes(st, 4)) == OCV_OK &&
             ocv_bytes_copy(&out->issuer_spki, sqlite3_column_blob(st, 5),
                            (size_t)sqlite3_column_bytes(st, 5)) == OCV_OK) {
        out->this_update = sqlite3_column_int64(st, 1);
        out->next_update = sqlite3_column_int64(st, 2);
        out->entry_count = sqlite3_column_int64(st, 3);
        r = OCV_OK;
    }
    if (r != OCV_OK && r != OCV_REVOCATION_MISSING)
        ocv_crl_record_free(out);
    sqlite3_reset(st);
    return r;
}

ocv_reason ocv_store_put_crl(ocv_store *s, const ocv_crl_record *c)
{
    sqlite3_stmt *st;
    if (prepare(s,
                "INSERT INTO crl VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(issuer) DO "
                "UPDATE SET number = excluded.number, this_update = excluded.this_update,"
                " next_update = excluded.next_update, entry_count = excluded.entry_count,"
                " der = excluded.der, issuer_spki = excluded.issuer_spki",
                &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_bind_text(st, 1, c->issuer, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, c->number.data ? (const void *)c->number.data : "", (int)c->number.len,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->this_update);
    sqlite3_bind_int64(st, 4, c->next_update);
    sqlite3_bind_int64(st, 5, c->entry_count);
    sqlite3_bind_blob(st, 6, c->der.data ? (const void *)c->der.data : "", (int)c->der.len,
                      SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, c->issuer_spki.data ? (const void *)c->issuer_spki.data : "",
                      (int)c->issuer_spki.len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

ocv_reason ocv_store_count(ocv_store *s, const char *authority, ocv_store_counts *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st;
    if (prepare(s,
                "SELECT substr(k, 1, 1), count(*) FROM entry WHERE authority = ?1 "
                "GROUP BY substr(k, 1, 1)",
                &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_blob(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);
        switch (t ? t[0] : 0) {
        case OCV_ENTRY_SERIAL:
            out->serial = n;
            break;
        case OCV_ENTRY_JTI:
            out->jti = n;
            break;
        case OCV_ENTRY_KEY:
            out->key = n;
            break;
        case OCV_ENTRY_SUBJECT:
            out->subject = n;
            break;
        case OCV_ENTRY_SUBJECT_BEFORE:
            out->subject_before = n;
            break;
        default:
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}

/* Splits a canonical key (type, 0, issuer, 0, value) back into views. */
static int split_key(const uint8_t *k, size_t len, ocv_entry *e)
{
    if (len < 3 || k[1] != 0)
        return -1;
    const uint8_t *sep = memchr(k + 2, 0, len - 2);
    if (sep == NULL)
        return -1;
    e->type = (ocv_entry_type)k[0];
    e->issuer = (const char *)k + 2;
    e->issuer_len = (size_t)(sep - (k + 2));
    e->value = (const char *)sep + 1;
    e->value_len = len - (size_t)(sep + 1 - k);
    return 0;
}

ocv_reason ocv_store_list_entries(ocv_store *s, const char *authority, ocv_entry **entries,
                                  size_t *count, ocv_bytes *backing)
{
    *entries = NULL;
    *count = 0;
    ocv_bytes_init(backing);
    sqlite3_stmt *st;
    if (prepare(s, "SELECT k, before, expires FROM entry WHERE authority = ?1 ORDER BY k", &st) !=
        SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    size_t cap = 0, used = 0, n = 0, n_cap = 0;
    uint8_t *buf = NULL;
    ocv_entry *list = NULL;
    typedef struct span {
        size_t off, len;
    } span;
    span *spans = NULL;
    ocv_reason r = OCV_INTERNAL_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (used + len > cap) {
            size_t next = cap ? cap : 1u << 16;
            while (next < used + len)
                next *= 2;
            uint8_t *grown = realloc(buf, next);
            if (grown == NULL)
                goto out;
            buf = grown;
            cap = next;
        }
        if (n == n_cap) {
            size_t next = n_cap ? n_cap * 2 : 1024;
            ocv_entry *g1 = realloc(list, next * sizeof(*list));
            if (g1 != NULL)
                list = g1;
            span *g2 = realloc(spans, next * sizeof(*spans));
            if (g2 != NULL)
                spans = g2;
            if (g1 == NULL || g2 == NULL)
                goto out;
            n_cap = next;
        }
        memcpy(buf + used, sqlite3_column_blob(st, 0), len);
        spans[n] = (span){used, len};
        list[n].before = sqlite3_column_int64(st, 1);
        list[n].expires = sqlite3_column_int64(st, 2);
        used += len;
        n++;
    }
    if (rc != SQLITE_DONE)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (split_key(buf + spans[i].off, spans[i].len, &list[i]) != 0)
            goto out;
    }
    *entries = list;
    *count = n;
    backing->data = buf;
    backing->len = used;
    list = NULL;
    buf = NULL;
    r = OCV_OK;
out:
    sqlite3_finalize(st);
    free(list);
    free(buf);
    free(spans);
    return r;
}

ocv_reason ocv_store_list_crls(ocv_store *s, char (*issuers)[65], size_t max, size_t *count)
{
    *count = 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT issuer FROM crl ORDER BY issuer", &st) != SQLITE_OK)
        return OCV_INTERNAL_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *count < max)
        ocv_strlcpy(issuers[(*count)++], (const char *)sqlite3_column_text(st, 0), 65);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OCV_OK : OCV_INTERNAL_ERROR;
}
