/*
 * cmd_revocation.c - `ocv revocation init|sync|status|import-crl|receipt`:
 * the device side of offline revocation (docs/cli/ocv-revocation.md).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/util.h"
#include "cli.h"
#include "decision/audit.h"
#include "decision/stages.h"
#include "revocation/bundle.h"
#include "revocation/crl_import.h"
#include "revocation/integrity.h"
#include "revocation/receipt.h"
#include "revocation/store.h"
#include "revocation_cli.h"
#include "verifier/pkey.h"

static const char REVOCATION_USAGE[] =
    "usage: ocv revocation init --db DB --authority ID --authority-pub PUB.pem\n"
    "       ocv revocation sync --db DB [--at UNIX] [--skew S] [--json] BUNDLE|DIR...\n"
    "       ocv revocation status --db DB [--at UNIX] [--json]\n"
    "       ocv revocation import-crl --db DB --anchors ROOTS [--chain INTERMEDIATES]\n"
    "                                 [--at UNIX] [--json] CRL...\n"
    "       ocv revocation receipt --db DB --device-key KEY --device-id ID\n"
    "                              [--authority ID] [--nonce N] [--at UNIX] -o RECEIPT\n"
    "  sync, import-crl and receipt take --audit LOG [--device-key KEY --device-id ID]:\n"
    "  each event is appended to the audit log (ocv audit verify LOG) - a change's\n"
    "  record is written and fsynced before the change commits, and no change is\n"
    "  made when it cannot be; with the device key the log gets a signed checkpoint\n"
    "  at the end of the command, and a receipt carries the log's head\n"
    "\n"
    "The device's revocation store (SQLite, WAL). init pins an authority's public\n"
    "key; sync applies signed bundles in order, each in one transaction, refusing\n"
    "any that is not authentic, fresh, in sequence and complete (the store stays\n"
    "exactly as it was); import-crl adds CRLs verified against trusted CAs (an\n"
    "intermediate's CRL: --chain names the intermediates, verified up to ROOTS);\n"
    "receipt signs a statement of the state held, for the control plane.\n"
    "sync DIR applies what is new among every bundle in DIR, in sequence order,\n"
    "and reports the older ones 'skipped' (cron and USB drops: run it again and\n"
    "again).\n"
    "\n"
    "Exit: 0 done (every bundle applied, already applied or, in a DIR, older than\n"
    "the store), 1 a bundle or CRL refused, 2 usage or configuration error (an\n"
    "unreadable file, a missing store).\n";

enum {
    OPT_DB = 256,
    OPT_AUTHORITY,
    OPT_AUTHORITY_PUB,
    OPT_ANCHORS,
    OPT_CHAIN,
    OPT_DEVICE_KEY,
    OPT_DEVICE_ID,
    OPT_AT,
    OPT_SKEW,
    OPT_JSON,
    OPT_AUDIT,
    OPT_NONCE,
    OPT_HELP
};

static const struct option REV_OPTIONS[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"authority", required_argument, NULL, OPT_AUTHORITY},
    {"authority-pub", required_argument, NULL, OPT_AUTHORITY_PUB},
    {"anchors", required_argument, NULL, OPT_ANCHORS},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"device-key", required_argument, NULL, OPT_DEVICE_KEY},
    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
    {"at", required_argument, NULL, OPT_AT},
    {"skew", required_argument, NULL, OPT_SKEW},
    {"json", no_argument, NULL, OPT_JSON},
    {"audit", required_argument, NULL, OPT_AUDIT},
    {"nonce", required_argument, NULL, OPT_NONCE},
    {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

/* The command's audit log: opened before any change, closed (with a
 * signed checkpoint when the device key is given) after the last. */

int ocv_rev_audit_open(const rev_args *a, rev_audit *au)
{
    au->log = NULL;
    ocv_pkey_init(&au->key);
    if (a->audit == NULL)
        return 0;
    char err[512] = "";
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    if (a->device_key != NULL) {
        if (ocv_pkey_load_file(a->device_key, 1, 0, &au->key, err, sizeof(err)) != OCV_OK) {
            ocv_cli_usage_error("%s", err);
            return -1;
        }
        o.device_key = &au->key;
        o.device_id = a->device_id;
    }
    if (ocv_audit_open(a->audit, &o, &au->log, err, sizeof(err)) != OCV_OK) {
        ocv_pkey_free(&au->key);
        ocv_cli_usage_error("audit: %s", err);
        return -1;
    }
    return 0;
}

/* Closes the log; -1 (with a message) when its last write failed. */
int ocv_rev_audit_close(rev_audit *au)
{
    int rc = 0;
    if (au->log != NULL) {
        char err[512];
        ocv_strlcpy(err, ocv_audit_error(au->log), sizeof(err));
        if (ocv_audit_close(au->log) != OCV_OK) {
            ocv_cli_usage_error("audit: %s", err[0] ? err : "the log could not be written");
            rc = -1;
        }
    }
    au->log = NULL;
    ocv_pkey_free(&au->key);
    return rc;
}

/* Records one revocation event when --audit names a log (written and
 * fsynced before it returns); a log that cannot be written fails the
 * command (an unrecorded event is not done). */
int ocv_rev_audit_event(rev_audit *au, const rev_args *a, const char *event, json_t *fields)
{
    if (au->log == NULL) {
        json_decref(fields);
        return 0;
    }
    ocv_reason r = ocv_audit_log_event(au->log, event, a->at, fields);
    json_decref(fields);
    if (r != OCV_OK) {
        ocv_cli_usage_error("audit: %s", ocv_audit_error(au->log));
        return -1;
    }
    return 0;
}

ocv_reason ocv_rev_record_before_commit(void *ctx)
{
    commit_record *c = ctx;
    if (c->written)
        return OCV_OK; /* one record per change, however many commits it takes */
    if (c->bundle != NULL) {
        json_object_set_new(c->fields, "sequence", json_integer(c->bundle->sequence));
        json_object_set_new(c->fields, "added", json_integer((json_int_t)c->bundle->added));
        json_object_set_new(c->fields, "removed", json_integer((json_int_t)c->bundle->removed));
    }
    if (c->crl != NULL) {
        json_object_set_new(c->fields, "issuer", json_string(c->crl->issuer));
        json_object_set_new(c->fields, "serials", json_integer((json_int_t)c->crl->serials));
    }
    ocv_reason r = ocv_audit_log_event(c->au->log, c->event, c->a->at, c->fields);
    c->written = r == OCV_OK;
    c->failed = r != OCV_OK;
    return r == OCV_OK ? OCV_OK : OCV_CONFIG_INVALID;
}

/* After the apply: a refusal (nothing changed) is recorded now; a COMMIT
 * that failed after its record was written gets a follow-up record. */
int ocv_rev_record_after(commit_record *c, ocv_reason r, json_t *refusal)
{
    if (c->failed) {
        json_decref(refusal);
        ocv_cli_usage_error("audit: %s (nothing was applied)", ocv_audit_error(c->au->log));
        return -1;
    }
    if (c->written && r == OCV_OK) {
        json_decref(refusal);
        return 0;
    }
    if (c->written) {
        json_object_set_new(refusal, "result", json_string("rolled_back"));
        json_object_set_new(refusal, "detail",
                            json_string("COMMIT failed after this change's record was written: "
                                        "the change is not applied"));
    }
    return ocv_rev_audit_event(c->au, c->a, c->event, refusal);
}

static int parse_rev_args(int argc, char **argv, rev_args *a)
{
    memset(a, 0, sizeof(*a));
    a->skew = 60;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:", REV_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_DB:
            a->db = optarg;
            break;
        case OPT_AUTHORITY:
            a->authority = optarg;
            break;
        case OPT_AUTHORITY_PUB:
            a->authority_pub = optarg;
            break;
        case OPT_CHAIN:
            a->chain = optarg;
            break;
        case OPT_ANCHORS:
            a->anchors = optarg;
            break;
        case OPT_DEVICE_KEY:
            a->device_key = optarg;
            break;
        case OPT_DEVICE_ID:
            a->device_id = optarg;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case OPT_AUDIT:
            a->audit = optarg;
            break;
        case OPT_NONCE:
            a->nonce = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_AT:
            if (ocv_cli_parse_time(optarg, &a->at) != 0)
                return ocv_cli_bad_usage("--at wants UNIX seconds");
            a->has_at = 1;
            break;
        case OPT_SKEW:
            if (ocv_parse_duration(optarg, &a->skew) != 0 || a->skew > 3600)
                return ocv_cli_bad_usage("--skew wants a duration up to 1h");
            break;
        case OPT_HELP:
            fputs(REVOCATION_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv, REVOCATION_USAGE);
        }
    }
    if (!a->has_at)
        a->at = ocv_now();
    if (a->db == NULL)
        return ocv_cli_bad_usage("revocation: --db is required");
    return -1;
}

int ocv_rev_open_store(const rev_args *a, int create, ocv_store **store)
{
    char err[512] = "";
    if (ocv_store_open(a->db, create, store, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    return 0;
}

int ocv_rev_open_device(const rev_args *a, ocv_device **out)
{
    ocv_device_options o;
    ocv_device_options_init(&o);
    o.db_path = a->db;
    o.audit_path = a->audit;
    o.device_id = a->device_id;
    o.clock_skew_seconds = a->skew;
    char err[600] = "";
    ocv_bytes key;
    ocv_bytes_init(&key);
    if (a->device_key != NULL &&
        ocv_file_read(a->device_key, OCV_MAX_TRUST_FILE_BYTES, &key, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return -1;
    }
    o.device_key = key.data;
    o.device_key_len = key.len;
    ocv_reason r = ocv_device_open(out, &o, err, sizeof(err));
    ocv_bytes_free(&key);
    if (r != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return -1;
    }
    return 0;
}

int ocv_rev_close_device(ocv_device *dev)
{
    char err[600] = "";
    if (ocv_device_close(dev, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return -1;
    }
    return 0;
}

static void hex_of(const uint8_t *p, size_t len, char *out)
{
    ocv_hex_encode(p, len, out);
}

/* ---- init ---------------------------------------------------------- */

static int cmd_init(const rev_args *a)
{
    if (a->authority == NULL || a->authority_pub == NULL)
        return ocv_cli_bad_usage("revocation init: --authority and --authority-pub are required");
    if (strlen(a->authority) == 0 || strlen(a->authority) > OCV_MAX_AUTHORITY_ID_BYTES ||
        strncmp(a->authority, "crl:", 4) == 0)
        return ocv_cli_usage_error("revocation init: authority id of 1..128 bytes, not crl:*");
    ocv_pkey key;
    char err[512] = "";
    if (ocv_pkey_load_file(a->authority_pub, 0, 0, &key, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    if (key.type != OCV_KEY_EC_P256 && key.type != OCV_KEY_ED25519) {
        ocv_pkey_free(&key);
        return ocv_cli_usage_error("revocation init: authority keys are EC P-256 or Ed25519");
    }
    ocv_bytes spki;
    ocv_reason r = ocv_pkey_public_der(&key, &spki);
    ocv_pkey_free(&key);
    if (r != OCV_OK)
        return ocv_cli_usage_error("revocation init: cannot encode the key");
    ocv_store *store;
    if (ocv_rev_open_store(a, 1, &store) != 0) {
        ocv_bytes_free(&spki);
        return OCV_EXIT_USAGE;
    }
    /* idempotent: pinning the same key again is a no-op, another key an error */
    ocv_authority_state pinned;
    ocv_authority_state_init(&pinned);
    int same = -1;
    if (ocv_store_get_authority(store, a->authority, &pinned) == OCV_OK) {
        same = pinned.public_key.len == spki.len &&
               memcmp(pinned.public_key.data, spki.data, spki.len) == 0;
        ocv_authority_state_free(&pinned);
    }
    r = OCV_OK;
    if (same < 0) {
        r = ocv_store_begin(store);
        if (r == OCV_OK)
            r = ocv_store_add_authority(store, a->authority, spki.data, spki.len);
        r = r == OCV_OK ? ocv_store_commit(store) : (ocv_store_rollback(store), r);
    }
    ocv_store_close(store);
    ocv_bytes_free(&spki);
    if (same == 0)
        return ocv_cli_usage_error(
            "revocation init: authority '%s' is already pinned in %s with another key (a "
            "rotation moves the pin: see ocv bundle build --rotate-to)",
            a->authority, a->db);
    if (r != OCV_OK)
        return ocv_cli_usage_error("revocation init: cannot pin '%s': at most %d authorities",
                                   a->authority, OCV_MAX_AUTHORITIES);
    printf(same == 1 ? "authority %s is already pinned in %s with this key\n"
                     : "pinned authority %s in %s\n",
           a->authority, a->db);
    return OCV_EXIT_ALLOW;
}

/* ---- status -------------------------------------------------------- */

static json_t *time_or_null(int64_t t, int known)
{
    char text[32];
    ocv_format_time(t, text, sizeof(text));
    return known ? json_string(text) : json_null();
}

static json_t *authority_json(const ocv_authority_status *st, int64_t at)
{
    char digest[65];
    hex_of(st->state_digest, sizeof(st->state_digest), digest);
    int known = st->sequence != 0;
    json_t *o = json_object();
    json_object_set_new(o, "authority", json_string(st->id));
    json_object_set_new(o, "sequence", json_integer(st->sequence));
    json_object_set_new(o, "state_digest", json_string(digest));
    json_object_set_new(o, "digest_intact", json_boolean(st->digest_intact));
    json_object_set_new(o, "issued_at", time_or_null(st->issued_at, known));
    json_object_set_new(o, "next_update", time_or_null(st->next_update, known));
    json_object_set_new(o, "age_seconds", known ? json_integer(at - st->issued_at) : json_null());
    json_object_set_new(o, "stale", json_boolean(st->stale));
    json_t *counts = json_object();
    json_object_set_new(counts, "serial", json_integer(st->serial));
    json_object_set_new(counts, "jti", json_integer(st->jti));
    json_object_set_new(counts, "key", json_integer(st->key));
    json_object_set_new(counts, "subject", json_integer(st->subject));
    json_object_set_new(counts, "subject_before", json_integer(st->subject_before));
    json_object_set_new(o, "entries", counts);
    return o;
}

static json_t *crls_json(ocv_device *dev, size_t count, int64_t at, int *bad)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        ocv_crl_status c;
        if (ocv_device_crl_status(dev, i, at, &c) != OCV_OK) {
            *bad = 1;
            continue;
        }
        char this_update[32], next_update[32];
        ocv_format_time(c.this_update, this_update, sizeof(this_update));
        ocv_format_time(c.next_update, next_update, sizeof(next_update));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "issuer", c.issuer,
                                              "crl_number", c.crl_number, "this_update",
                                              this_update, "next_update", next_update, "serials",
                                              (json_int_t)c.serials, "stale", c.stale));
    }
    return list;
}

static const char *text_or(json_t *v, const char *fallback)
{
    const char *s = json_string_value(v);
    return s != NULL ? s : fallback;
}

static void print_crls_text(json_t *status)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(status, "crls"), i, c)
    {
        printf("CRL of issuer %.16s...: number %s, %lld serials, this update %s, next update "
               "%s%s\n",
               text_or(json_object_get(c, "issuer"), "?"),
               text_or(json_object_get(c, "crl_number"), "-"),
               (long long)json_integer_value(json_object_get(c, "serials")),
               text_or(json_object_get(c, "this_update"), "?"),
               text_or(json_object_get(c, "next_update"), "?"),
               json_is_true(json_object_get(c, "stale")) ? " (stale)" : "");
    }
}

static void print_status_text(json_t *status)
{
    printf("clock floor: %s\n", json_string_value(json_object_get(status, "clock_floor")));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(status, "authorities"), i, a)
    {
        json_t *e = json_object_get(a, "entries");
        printf("authority %s\n  sequence %lld, digest %s%s\n  issued %s, next update %s%s\n"
               "  entries: %lld serial, %lld jti, %lld key, %lld subject, %lld subject_before\n",
               json_string_value(json_object_get(a, "authority")),
               (long long)json_integer_value(json_object_get(a, "sequence")),
               json_string_value(json_object_get(a, "state_digest")),
               json_is_true(json_object_get(a, "digest_intact")) ? "" : " (DIGEST MISMATCH)",
               text_or(json_object_get(a, "issued_at"), "never"),
               text_or(json_object_get(a, "next_update"), "-"),
               json_is_true(json_object_get(a, "stale")) ? " (stale)" : "",
               (long long)json_integer_value(json_object_get(e, "serial")),
               (long long)json_integer_value(json_object_get(e, "jti")),
               (long long)json_integer_value(json_object_get(e, "key")),
               (long long)json_integer_value(json_object_get(e, "subject")),
               (long long)json_integer_value(json_object_get(e, "subject_before")));
    }
}

static int cmd_status(const rev_args *a)
{
    ocv_device *dev;
    if (ocv_rev_open_device(a, &dev) != 0)
        return OCV_EXIT_USAGE;
    ocv_device_state *st = malloc(sizeof(*st));
    int bad = st == NULL || ocv_device_status(dev, a->at, st) != OCV_OK;
    if (bad) {
        free(st);
        (void)ocv_rev_close_device(dev);
        return ocv_cli_usage_error("revocation status: %s cannot be read", a->db);
    }
    json_t *status = json_object();
    char floor_text[32];
    ocv_format_time(st->clock_floor, floor_text, sizeof(floor_text));
    json_object_set_new(status, "db", json_string(a->db));
    json_object_set_new(status, "clock_floor", json_string(st->clock_floor ? floor_text : "none"));
    json_t *list = json_array();
    for (size_t i = 0; i < st->authority_count; i++) {
        json_array_append_new(list, authority_json(&st->authorities[i], a->at));
        bad |= !st->authorities[i].digest_intact;
    }
    json_object_set_new(status, "authorities", list);
    json_object_set_new(status, "crls", crls_json(dev, st->crl_count, a->at, &bad));
    bad |= !st->proven;
    json_object_set_new(status, "proven", json_boolean(st->proven));
    json_object_set_new(status, "problem", st->proven ? json_null() : json_string(st->problem));
    if (ocv_rev_close_device(dev) != 0)
        bad = 1;
    if (a->json) {
        ocv_cli_print_json(status);
    } else {
        print_status_text(status);
        print_crls_text(status);
        printf(st->proven ? "rows proven against the signed state\n"
                          : "NOT PROVEN: %s (every decision using this store denies)\n",
               st->problem);
        json_decref(status);
    }
    free(st);
    return bad ? OCV_EXIT_DENY : OCV_EXIT_ALLOW;
}

/* ---- import-crl ---------------------------------------------------- */

static int cmd_import_crl(const rev_args *a, int argc, char **argv)
{
    if (a->anchors == NULL || optind >= argc)
        return ocv_cli_bad_usage("revocation import-crl: --anchors and CRL files are required");
    char err[512] = "";
    ocv_x509_anchors anchors;
    ocv_x509_anchors_init(&anchors);
    if (ocv_x509_anchors_load(&anchors, a->anchors, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    /* --chain: a certificate list, read like an anchors file but trusted
     * only through a path to the anchors (ocv_crl_import_chain) */
    ocv_x509_anchors chain;
    ocv_x509_anchors_init(&chain);
    if (a->chain != NULL && ocv_x509_anchors_load(&chain, a->chain, err, sizeof(err)) != OCV_OK) {
        ocv_x509_anchors_free(&anchors);
        return ocv_cli_usage_error("--chain: %s", err);
    }
    ocv_store *store;
    if (ocv_rev_open_store(a, 1, &store) != 0) {
        ocv_x509_anchors_free(&chain);
        ocv_x509_anchors_free(&anchors);
        return OCV_EXIT_USAGE;
    }
    rev_audit au;
    if (ocv_rev_audit_open(a, &au) != 0) {
        ocv_store_close(store);
        ocv_x509_anchors_free(&chain);
        ocv_x509_anchors_free(&anchors);
        return OCV_EXIT_USAGE;
    }
    int refused = 0;
    ocv_cli_progress bar;
    ocv_cli_progress_start(&bar, "revocation import-crl", "CRLs", (size_t)(argc - optind));
    for (int i = optind; i < argc; i++) {
        ocv_cli_progress_step(&bar, (size_t)(i - optind), argv[i]);
        ocv_bytes file;
        ocv_crl_import_result res;
        memset(&res, 0, sizeof(res));
        char detail[512] = "";
        commit_record rec = {&au, a, "crl_import", json_object(), NULL, &res, 0, 0};
        json_object_set_new(rec.fields, "db", json_string(a->db));
        json_object_set_new(rec.fields, "crl", json_string(argv[i]));
        json_object_set_new(rec.fields, "result", json_string("imported"));
        json_object_set_new(rec.fields, "reason", json_string("OK"));
        if (au.log != NULL)
            ocv_store_set_commit_hook(store, ocv_rev_record_before_commit, &rec);
        ocv_reason r = ocv_file_read(argv[i], 256u * 1024u * 1024u, &file, detail, sizeof(detail));
        if (r == OCV_OK) {
            r = ocv_crl_import_chain(store, &anchors, a->chain != NULL ? &chain.certs : NULL,
                                     file.data, file.len, a->at, a->skew, &res, detail,
                                     sizeof(detail));
            ocv_bytes_free(&file);
        }
        ocv_store_set_commit_hook(store, NULL, NULL);
        json_decref(rec.fields);
        refused |= r != OCV_OK;
        json_t *event = json_object();
        json_object_set_new(event, "db", json_string(a->db));
        json_object_set_new(event, "crl", json_string(argv[i]));
        json_object_set_new(event, "result", json_string(r == OCV_OK ? "imported" : "refused"));
        json_object_set_new(event, "reason", json_string(ocv_reason_name(r)));
        json_object_set_new(event, "issuer", json_string(res.issuer));
        if (ocv_rev_record_after(&rec, r, event) != 0) {
            refused = 2;
            break;
        }
        ocv_cli_progress_pause(&bar);
        if (a->json) {
            json_t *o = json_object();
            json_object_set_new(o, "crl", json_string(argv[i]));
            json_object_set_new(o, "result", json_string(r == OCV_OK ? "imported" : "refused"));
            json_object_set_new(o, "reason", json_string(ocv_reason_name(r)));
            json_object_set_new(o, "issuer", json_string(res.issuer));
            json_object_set_new(o, "serials", json_integer((json_int_t)res.serials));
            json_object_set_new(o, "detail", json_string(detail));
            ocv_cli_print_json(o);
        } else {
            printf("%s %s %s", argv[i], r == OCV_OK ? "imported" : "refused", ocv_reason_name(r));
            if (r == OCV_OK)
                printf(" %zu serials of '%s'", res.serials, res.issuer_name);
            printf("%s%s\n", detail[0] ? ": " : "", detail);
        }
    }
    ocv_cli_progress_end(&bar);
    ocv_store_close(store);
    ocv_x509_anchors_free(&chain);
    ocv_x509_anchors_free(&anchors);
    if (ocv_rev_audit_close(&au) != 0)
        refused = 2;
    return refused >= 2 ? OCV_EXIT_USAGE : refused ? OCV_EXIT_DENY : OCV_EXIT_ALLOW;
}

/* ---- receipt ------------------------------------------------------- */

static int cmd_receipt(const rev_args *a)
{
    if (a->device_key == NULL || a->device_id == NULL || a->out == NULL)
        return ocv_cli_usage_error("revocation receipt: --device-key, --device-id and -o are "
                                   "required");
    ocv_device *dev;
    if (ocv_rev_open_device(a, &dev) != 0)
        return OCV_EXIT_USAGE;
    uint8_t *receipt = NULL;
    size_t len = 0;
    char err[600] = "";
    int code = OCV_EXIT_USAGE;
    ocv_reason r =
        ocv_device_receipt(dev, a->authority, a->nonce, a->at, &receipt, &len, err, sizeof(err));
    if (r != OCV_OK)
        ocv_cli_usage_error("revocation receipt: %s", err[0] ? err : ocv_reason_meaning(r));
    else if (ocv_cli_write_file(a->out, receipt, len, 0, 1) == 0)
        code = OCV_EXIT_ALLOW;
    ocv_free(receipt);
    if (ocv_rev_close_device(dev) != 0)
        code = OCV_EXIT_USAGE;
    return code;
}

int ocv_cmd_revocation(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("%s: give a verb (init, sync, status, import-crl, receipt)",
                                 "revocation");
    if (ocv_cli_is_help(argv[1])) {
        fputs(REVOCATION_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    const char *verb = argv[1];
    rev_args a;
    int stop = parse_rev_args(argc - 1, argv + 1, &a);
    if (stop >= 0)
        return stop;
    int argc_rest = argc - 1;
    char **argv_rest = argv + 1;
    if (strcmp(verb, "init") == 0)
        return cmd_init(&a);
    if (strcmp(verb, "sync") == 0)
        return ocv_rev_cmd_sync(&a, argc_rest, argv_rest);
    if (strcmp(verb, "status") == 0)
        return cmd_status(&a);
    if (strcmp(verb, "import-crl") == 0)
        return cmd_import_crl(&a, argc_rest, argv_rest);
    if (strcmp(verb, "receipt") == 0)
        return cmd_receipt(&a);
    return ocv_cli_bad_usage("revocation: unknown verb '%s'", verb);
}
