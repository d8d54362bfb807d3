/*
 * cmd_receipt.c - `ocv receipt verify`: the control plane's side of sync
 * receipts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli.h"
#include "decision/stages.h"
#include "revocation/receipt.h"

static const char RECEIPT_USAGE[] =
    "usage: ocv receipt verify --device-pub PUB.pem --receipt RECEIPT\n"
    "                          [--authority ID [--expect-seq N] [--expect-digest HEX]]\n"
    "                          [--max-age DURATION] [--expect-nonce N] [--at UNIX] [--json]\n"
    "\n"
    "Verifies a device's signed sync receipt and says which revocation state the\n"
    "device holds, when the receipt was made and, when the device keeps an audit\n"
    "log, the log's head. With --expect-seq, the device must hold at least that\n"
    "sequence of --authority (a revocation issued at sequence N has reached it);\n"
    "with --expect-digest, exactly that state. --authority is required with both:\n"
    "a receipt names one authority, and may name another. --max-age refuses a\n"
    "receipt made longer ago (a replayed old receipt); --expect-nonce demands the\n"
    "challenge given to 'ocv revocation receipt --nonce'.\n"
    "\n"
    "Exit: 0 verified (and as expected), 1 invalid, behind, stale or not the\n"
    "expected one, 2 usage error.\n";

enum {
    OPT_PUB = 256,
    OPT_RECEIPT,
    OPT_SEQ,
    OPT_AUTHORITY,
    OPT_DIGEST,
    OPT_JSON,
    OPT_MAX_AGE,
    OPT_NONCE,
    OPT_AT,
    OPT_HELP
};

static const struct option RECEIPT_OPTIONS[] = {
    {"device-pub", required_argument, NULL, OPT_PUB},
    {"receipt", required_argument, NULL, OPT_RECEIPT},
    {"expect-seq", required_argument, NULL, OPT_SEQ},
    {"authority", required_argument, NULL, OPT_AUTHORITY},
    {"expect-digest", required_argument, NULL, OPT_DIGEST},
    {"json", no_argument, NULL, OPT_JSON},
    {"max-age", required_argument, NULL, OPT_MAX_AGE},
    {"expect-nonce", required_argument, NULL, OPT_NONCE},
    {"at", required_argument, NULL, OPT_AT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct receipt_args {
    const char *pub, *receipt, *authority, *digest, *nonce;
    int64_t expect_seq, max_age, at;
    int has_seq, has_max_age, json;
} receipt_args;

/* Receipts made this far in the verifier's future are refused. */
#define RECEIPT_FUTURE_SKEW 300

static int judge(const receipt_args *a, const ocv_receipt *rc, char *why, size_t why_len)
{
    if (rc->issued_at > a->at + RECEIPT_FUTURE_SKEW) {
        ocv_errf(why, why_len, "the receipt claims to be made %lld s in the future",
                 (long long)(rc->issued_at - a->at));
        return 0;
    }
    if (a->has_max_age && a->at - rc->issued_at > a->max_age) {
        ocv_errf(why, why_len, "the receipt was made %lld s ago, older than --max-age %lld s",
                 (long long)(a->at - rc->issued_at), (long long)a->max_age);
        return 0;
    }
    if (a->nonce != NULL && (rc->nonce == NULL || strlen(a->nonce) != rc->nonce_len ||
                             memcmp(a->nonce, rc->nonce, rc->nonce_len) != 0)) {
        ocv_errf(why, why_len, "%s",
                 rc->nonce ? "the receipt answers another challenge (nonce)"
                           : "the receipt carries no challenge (nonce)");
        return 0;
    }
    if (a->authority != NULL && (strlen(a->authority) != rc->authority_len ||
                                 memcmp(a->authority, rc->authority, rc->authority_len) != 0)) {
        ocv_errf(why, why_len, "the receipt is for another authority");
        return 0;
    }
    if (a->has_seq && rc->sequence < a->expect_seq) {
        ocv_errf(why, why_len, "the device holds sequence %lld, behind %lld",
                 (long long)rc->sequence, (long long)a->expect_seq);
        return 0;
    }
    char hex[65];
    ocv_hex_encode(rc->state_digest, sizeof(rc->state_digest), hex);
    if (a->digest != NULL && strcmp(a->digest, hex) != 0) {
        ocv_errf(why, why_len, "the device's state digest differs");
        return 0;
    }
    return 1;
}

static void report(const receipt_args *a, ocv_reason r, const ocv_receipt *rc, int ok,
                   const char *why)
{
    char hex[65] = "", applied[32] = "", floor[32] = "", issued[32] = "", head[65] = "";
    if (r == OCV_OK) {
        ocv_hex_encode(rc->state_digest, sizeof(rc->state_digest), hex);
        ocv_format_time(rc->applied_at, applied, sizeof(applied));
        ocv_format_time(rc->clock_floor, floor, sizeof(floor));
        ocv_format_time(rc->issued_at, issued, sizeof(issued));
        if (rc->has_audit_head)
            ocv_hex_encode(rc->audit_head, sizeof(rc->audit_head), head);
    }
    if (!a->json) {
        if (r != OCV_OK)
            printf("invalid %s: %s\n", ocv_reason_name(r), why);
        else {
            printf("%s device %.*s holds %.*s sequence %lld (digest %s, applied %s, receipt "
                   "issued %s)%s%s\n",
                   ok ? "ok" : "refused", (int)rc->device_id_len, rc->device_id,
                   (int)rc->authority_len, rc->authority, (long long)rc->sequence, hex, applied,
                   issued, why[0] ? ": " : "", why);
            if (rc->nonce != NULL)
                printf("nonce %.*s\n", (int)rc->nonce_len, rc->nonce);
            if (rc->has_audit_head)
                printf("audit head %lld:%s\n", (long long)rc->audit_count, head);
        }
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_boolean(r == OCV_OK));
    json_object_set_new(o, "as_expected", json_boolean(ok));
    json_object_set_new(o, "reason", json_string(ocv_reason_name(r)));
    if (r == OCV_OK) {
        json_object_set_new(o, "device", json_stringn(rc->device_id, rc->device_id_len));
        json_object_set_new(o, "authority", json_stringn(rc->authority, rc->authority_len));
        json_object_set_new(o, "sequence", json_integer(rc->sequence));
        json_object_set_new(o, "state_digest", json_string(hex));
        json_object_set_new(o, "applied_at", json_string(applied));
        json_object_set_new(o, "clock_floor", json_string(floor));
        json_object_set_new(o, "issued_at", json_string(issued));
        json_object_set_new(o, "age_seconds", json_integer(a->at - rc->issued_at));
        json_object_set_new(o, "nonce",
                            rc->nonce ? json_stringn(rc->nonce, rc->nonce_len) : json_null());
        json_object_set_new(
            o, "audit_head",
            rc->has_audit_head
                ? json_pack("{s:I, s:s}", "count", (json_int_t)rc->audit_count, "hash", head)
                : json_null());
    }
    json_object_set_new(o, "detail", json_string(why));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text != NULL)
        puts(text);
    free(text);
    json_decref(o);
}

static int verify(const receipt_args *a)
{
    char err[512] = "";
    ocv_pkey key;
    if (ocv_pkey_load_file(a->pub, 0, 0, &key, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    ocv_bytes file;
    if (ocv_file_read(a->receipt, 1024 * 1024, &file, err, sizeof(err)) != OCV_OK) {
        ocv_pkey_free(&key);
        return ocv_cli_usage_error("%s", err);
    }
    ocv_receipt rc;
    char why[256] = "";
    ocv_reason r = ocv_receipt_verify(file.data, file.len, &key, &rc, why, sizeof(why));
    int ok = r == OCV_OK && judge(a, &rc, why, sizeof(why));
    report(a, r, &rc, ok, why);
    ocv_bytes_free(&file);
    ocv_pkey_free(&key);
    return ok ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
}

int ocv_cmd_receipt(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("receipt: give a verb (verify)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(RECEIPT_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "verify") != 0)
        return ocv_cli_bad_usage("receipt: unknown verb '%s' (verify)", argv[1]);
    receipt_args a;
    memset(&a, 0, sizeof(a));
    int has_at = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc - 1, argv + 1, "", RECEIPT_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_PUB:
            a.pub = optarg;
            break;
        case OPT_RECEIPT:
            a.receipt = optarg;
            break;
        case OPT_AUTHORITY:
            a.authority = optarg;
            break;
        case OPT_DIGEST:
            a.digest = optarg;
            break;
        case OPT_JSON:
            a.json = 1;
            break;
        case OPT_SEQ:
            if (ocv_parse_int64(optarg, &a.expect_seq) != 0)
                return ocv_cli_bad_usage("--expect-seq wants a number");
            a.has_seq = 1;
            break;
        case OPT_MAX_AGE:
            if (ocv_parse_duration(optarg, &a.max_age) != 0)
                return ocv_cli_bad_usage("--max-age wants a duration (30s, 10m, 1h, 1d)");
            a.has_max_age = 1;
            break;
        case OPT_NONCE:
            a.nonce = optarg;
            break;
        case OPT_AT:
            if (ocv_cli_parse_time(optarg, &a.at) != 0)
                return ocv_cli_bad_usage("--at wants UNIX seconds");
            has_at = 1;
            break;
        case OPT_HELP:
            fputs(RECEIPT_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv + 1, RECEIPT_USAGE);
        }
    }
    if (a.pub == NULL || a.receipt == NULL)
        return ocv_cli_bad_usage("receipt verify: --device-pub and --receipt are required");
    if ((a.has_seq || a.digest != NULL) && a.authority == NULL)
        return ocv_cli_usage_error("receipt verify: --expect-seq and --expect-digest need "
                                   "--authority (a receipt may name another authority)");
    if (!has_at)
        a.at = ocv_now();
    return verify(&a);
}
