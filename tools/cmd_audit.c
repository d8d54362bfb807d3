/*
 * cmd_audit.c - `ocv audit verify|head|checkpoint|tail`: check, commit to
 * and read the audit log (docs/cli/ocv-audit.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/util.h"
#include "cli.h"
#include "decision/audit.h"
#include "verifier/pkey.h"

static const char AUDIT_USAGE[] =
    "usage: ocv audit verify [--device-pub PUB.pem [--device-id ID]] [--expect-head N:HASH]\n"
    "                        [--json] LOG\n"
    "       ocv audit head [--json] LOG\n"
    "       ocv audit checkpoint --device-key KEY [--device-id ID] [--json] LOG\n"
    "       ocv audit tail [-n N] [--json] LOG\n"
    "\n"
    "verify checks that every record chains to the one before (SHA-256 over the\n"
    "previous hash and the record). With --device-pub it also checks every signed\n"
    "checkpoint: the records up to the last checkpoint are exactly what the device\n"
    "wrote (rewriting, removing a checkpoint or truncating before it is found);\n"
    "records after the last checkpoint are not protected and are counted.\n"
    "--expect-head N:HASH (a head from a signed receipt, or 'ocv audit head')\n"
    "demands that record N exists with that hash: truncation below it is found.\n"
    "head prints the record count and the last hash (what receipts carry).\n"
    "checkpoint appends a signed checkpoint of the current head now.\n"
    "tail prints the last N records (default 10); they are JSON, one per line,\n"
    "with or without --json. With --json every command's output and its errors\n"
    "are JSON (docs/cli/ocv-audit.md).\n"
    "\n"
    "Exit: 0 intact, 1 broken chain or checkpoint, 2 usage error, or a missing,\n"
    "empty, unreadable or non-regular log.\n";

static int tail(const char *path, long n)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return ocv_cli_usage_error("%s: not a readable regular file", path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return ocv_cli_usage_error("%s: cannot open", path);
    char **ring = calloc((size_t)n, sizeof(char *));
    char line[65536];
    long count = 0;
    while (ring != NULL && fgets(line, sizeof(line), f) != NULL) {
        free(ring[count % n]);
        ring[count % n] = strdup(line);
        count++;
    }
    fclose(f);
    long first = count > n ? count - n : 0;
    for (long i = first; ring != NULL && i < count; i++)
        fputs(ring[i % n], stdout);
    for (long i = 0; ring != NULL && i < n; i++)
        free(ring[i]);
    free(ring);
    return OCV_EXIT_ALLOW;
}

typedef struct audit_args {
    const char *pub, *key, *device_id, *log, *expect;
    int json;
    int64_t n;
} audit_args;

enum { OPT_PUB = 256, OPT_KEY, OPT_DEVICE_ID, OPT_JSON, OPT_EXPECT };

static const struct option AUDIT_OPTIONS[] = {
    {"device-pub", required_argument, NULL, OPT_PUB},
    {"device-key", required_argument, NULL, OPT_KEY},
    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
    {"json", no_argument, NULL, OPT_JSON},
    {"expect-head", required_argument, NULL, OPT_EXPECT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses argv after the verb; -1 when parsed, else the exit code. */
static int parse_args(int argc, char **argv, audit_args *a)
{
    memset(a, 0, sizeof(*a));
    a->n = 10;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "n:", AUDIT_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_PUB:
            a->pub = optarg;
            break;
        case OPT_KEY:
            a->key = optarg;
            break;
        case OPT_DEVICE_ID:
            a->device_id = optarg;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case OPT_EXPECT:
            a->expect = optarg;
            break;
        case 'n':
            if (ocv_parse_int64(optarg, &a->n) != 0 || a->n < 1 || a->n > 100000)
                return ocv_cli_bad_usage("audit tail: -n wants 1..100000");
            break;
        case 'h':
            fputs(AUDIT_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv, AUDIT_USAGE);
        }
    }
    if (optind != argc - 1)
        return ocv_cli_bad_usage("audit: give one log file");
    a->log = argv[optind];
    return -1;
}

/* "COUNT:HASH" as `ocv audit head` and receipts show it. */
static int parse_head(const char *text, ocv_audit_head *out)
{
    const char *colon = strchr(text, ':');
    char count[24];
    if (colon == NULL || (size_t)(colon - text) >= sizeof(count) || strlen(colon + 1) != 64)
        return -1;
    memcpy(count, text, (size_t)(colon - text));
    count[colon - text] = 0;
    if (ocv_parse_int64(count, &out->count) != 0 || out->count < 1)
        return -1;
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -1;
    ocv_strlcpy(out->hash, colon + 1, sizeof(out->hash));
    return 0;
}

/* One object: intact, reason, detail, records, head, checkpoints, and
 * with a key what is proven. */
static void print_report_json(const audit_args *a, ocv_reason r, const ocv_audit_report *rep,
                              const char *err)
{
    json_t *o = json_pack("{s:b, s:s, s:s, s:I, s:{s:I, s:s}, s:I, s:I}", "intact", r == OCV_OK,
                          "reason", ocv_reason_name(r), "detail", r == OCV_OK ? "" : err, "records",
                          (json_int_t)rep->records, "head", "count", (json_int_t)rep->head.count,
                          "hash", rep->head.hash, "checkpoints", (json_int_t)rep->checkpoints,
                          "torn_bytes", (json_int_t)rep->torn_bytes);
    if (o != NULL && a->pub != NULL) {
        json_object_set_new(o, "checkpoints_verified",
                            json_integer((json_int_t)rep->checkpoints_checked));
        json_object_set_new(o, "proven", json_integer(rep->covered));
        json_object_set_new(o, "unprotected", json_integer((json_int_t)rep->unprotected));
    }
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text != NULL)
        puts(text);
    free(text);
    json_decref(o);
}

static int cmd_verify(const audit_args *a)
{
    char err[512] = "";
    ocv_pkey pub;
    ocv_pkey_init(&pub);
    if (a->pub != NULL && ocv_pkey_load_file(a->pub, 0, 0, &pub, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    ocv_audit_head expect;
    if (a->expect != NULL && parse_head(a->expect, &expect) != 0) {
        ocv_pkey_free(&pub);
        return ocv_cli_bad_usage("audit verify: --expect-head wants COUNT:HASH (64 hex)");
    }
    ocv_audit_report rep;
    ocv_reason r = ocv_audit_verify_log(a->log, a->pub ? &pub : NULL, a->device_id,
                                        a->expect ? &expect : NULL, &rep, err, sizeof(err));
    ocv_pkey_free(&pub);
    if (r == OCV_CONFIG_INVALID || r == OCV_INTERNAL_ERROR)
        return ocv_cli_usage_error("audit verify: %s", err);
    if (a->json) {
        print_report_json(a, r, &rep, err);
        return r == OCV_OK ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
    }
    if (r != OCV_OK) {
        printf("broken %s: %s\n", ocv_reason_name(r), err);
        return OCV_EXIT_DENY;
    }
    printf("intact: %zu records, head %s\n", rep.records, rep.head.hash);
    if (a->pub != NULL)
        printf("checkpoints: %zu verified; records 1..%lld proven, %zu after the last "
               "checkpoint not protected\n",
               rep.checkpoints_checked, (long long)rep.covered, rep.unprotected);
    else if (rep.checkpoints > 0)
        printf("checkpoints: %zu not checked (give --device-pub)\n", rep.checkpoints);
    if (rep.torn_bytes > 0)
        printf("note: a torn last line (%zu bytes, an interrupted write) is not part of the "
               "chain\n",
               rep.torn_bytes);
    return OCV_EXIT_ALLOW;
}

static int cmd_head(const audit_args *a)
{
    char err[512] = "";
    ocv_audit_head head;
    ocv_reason r = ocv_audit_read_head(a->log, &head, err, sizeof(err));
    if (r != OCV_OK)
        return ocv_cli_usage_error("audit head: %s", err);
    if (a->json)
        printf("{\"count\":%lld,\"hash\":\"%s\"}\n", (long long)head.count, head.hash);
    else
        printf("%lld:%s\n", (long long)head.count, head.hash);
    return OCV_EXIT_ALLOW;
}

static int cmd_checkpoint(const audit_args *a)
{
    if (a->key == NULL)
        return ocv_cli_bad_usage("audit checkpoint: --device-key is required");
    char err[512] = "";
    ocv_audit_head head;
    if (ocv_audit_read_head(a->log, &head, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("audit checkpoint: %s", err);
    ocv_pkey key;
    if (ocv_pkey_load_file(a->key, 1, 0, &key, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.device_key = &key;
    o.device_id = a->device_id;
    ocv_audit_log *log;
    ocv_reason r = ocv_audit_open(a->log, &o, &log, err, sizeof(err));
    if (r == OCV_OK) {
        r = ocv_audit_checkpoint(log);
        if (r != OCV_OK)
            ocv_strlcpy(err, ocv_audit_error(log), sizeof(err));
        else
            ocv_audit_get_head(log, &head);
        ocv_reason c = ocv_audit_close(log);
        r = r != OCV_OK ? r : c;
    }
    ocv_pkey_free(&key);
    if (r != OCV_OK)
        return ocv_cli_usage_error("audit checkpoint: %s", err);
    if (a->json)
        ocv_cli_print_json(
            json_pack("{s:I, s:s}", "records", (json_int_t)head.count, "head", head.hash));
    else
        printf("checkpoint: %lld records, head %s\n", (long long)head.count, head.hash);
    return OCV_EXIT_ALLOW;
}

int ocv_cmd_audit(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("audit: give a verb (verify, head, checkpoint, tail)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(AUDIT_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    const char *verb = argv[1];
    audit_args a;
    int stop = parse_args(argc - 1, argv + 1, &a);
    if (stop >= 0)
        return stop;
    if (strcmp(verb, "verify") == 0)
        return cmd_verify(&a);
    if (strcmp(verb, "head") == 0)
        return cmd_head(&a);
    if (strcmp(verb, "checkpoint") == 0)
        return cmd_checkpoint(&a);
    if (strcmp(verb, "tail") == 0)
        return tail(a.log, (long)a.n);
    return ocv_cli_bad_usage("audit: unknown verb '%s' (verify, head, checkpoint, tail)", verb);
}
