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
    "usage: ocv receipt verify --device-pub PUB.pem --receipt RECEIPT [--expect-seq N]\n"
    "                          [--authority ID] [--expect-digest HEX] [--json]\n"
    "\n"
    "Verifies a device's signed sync receipt and says which revocation state the\n"
    "device holds. With --expect-seq, the device must hold at least that sequence\n"
    "(a revocation issued at sequence N has reached it); with --expect-digest, the\n"
    "state must be exactly that one.\n"
    "\n"
    "Exit: 0 verified (and as expected), 1 invalid or behind, 2 usage error.\n";

enum { OPT_PUB = 256, OPT_RECEIPT, OPT_SEQ, OPT_AUTHORITY, OPT_DIGEST, OPT_JSON, OPT_HELP };

static const struct option RECEIPT_OPTIONS[] = {
    {"device-pub", required_argument, NULL, OPT_PUB},
    {"receipt", required_argument, NULL, OPT_RECEIPT},
    {"expect-seq", required_argument, NULL, OPT_SEQ},
    {"authority", required_argument, NULL, OPT_AUTHORITY},
    {"expect-digest", required_argument, NULL, OPT_DIGEST},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct receipt_args {
    const char *pub, *receipt, *authority, *digest;
    int64_t expect_seq;
    int has_seq, json;
} receipt_args;

static int judge(const receipt_args *a, const ocv_receipt *rc, char *why, size_t why_len)
{
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
    char hex[65] = "", applied[32] = "", floor[32] = "";
    if (r == OCV_OK) {
        ocv_hex_encode(rc->state_digest, sizeof(rc->state_digest), hex);
        ocv_format_time(rc->applied_at, applied, sizeof(applied));
        ocv_format_time(rc->clock_floor, floor, sizeof(floor));
    }
    if (!a->json) {
        if (r != OCV_OK)
            printf("invalid %s: %s\n", ocv_reason_name(r), why);
        else
            printf("%s device %.*s holds %.*s sequence %lld (digest %s, applied %s)%s%s\n",
                   ok ? "ok" : "behind", (int)rc->device_id_len, rc->device_id,
                   (int)rc->authority_len, rc->authority, (long long)rc->sequence, hex, applied,
                   why[0] ? ": " : "", why);
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
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(RECEIPT_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? OCV_EXIT_USAGE : OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "verify") != 0)
        return ocv_cli_usage_error("receipt: unknown verb '%s' (verify)", argv[1]);
    receipt_args a;
    memset(&a, 0, sizeof(a));
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
                return ocv_cli_usage_error("--expect-seq wants a number");
            a.has_seq = 1;
            break;
        case OPT_HELP:
            fputs(RECEIPT_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            fputs(RECEIPT_USAGE, stderr);
            return OCV_EXIT_USAGE;
        }
    }
    if (a.pub == NULL || a.receipt == NULL)
        return ocv_cli_usage_error("receipt verify: --device-pub and --receipt are required");
    return verify(&a);
}
