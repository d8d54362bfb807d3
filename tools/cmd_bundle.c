/*
 * cmd_bundle.c - `ocv bundle build`: the revocation authority's side.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/util.h"
#include "cli.h"
#include "entries_json.h"
#include "revocation/authority.h"
#include "verifier/pkey.h"

static const char BUNDLE_USAGE[] =
    "usage: ocv bundle build --state AUTH_DB --authority ID --authority-key KEY.pem\n"
    "                        (--full | --delta) [--add ENTRIES.json] [--remove ENTRIES.json]\n"
    "                        (--next-update UNIX | --valid-for DURATION) [--at UNIX]\n"
    "                        [--rotate-to NEXT_PUB.pem] [--prune] [--force] [--json]\n"
    "                        -o BUNDLE\n"
    "\n"
    "Applies the changes to the authority's own state (an SQLite file, created on\n"
    "first use and pinned to the key), then writes the next bundle, signed with\n"
    "the key (ES256 for P-256 keys, EdDSA for Ed25519). --full lists the whole\n"
    "state; --delta only the changes, chained to the previous bundle. The state\n"
    "moves on only once the bundle is written. --rotate-to names the key that\n"
    "signs from the next bundle on (this bundle is still signed by KEY).\n"
    "--prune also removes every entry whose \"expires\" has passed at --at.\n"
    "ENTRIES.json: docs/formats/entries.md. Durations: 90s, 15m, 1h, 7d.\n"
    "-o refuses to replace an existing file unless --force (nothing is built).\n"
    "--json prints {\"bundle\", \"authority\", \"sequence\", \"kind\", \"added\",\n"
    "\"removed\", \"bytes\"} on stdout (errors too: {\"error\", \"detail\"}).\n"
    "\n"
    "Exit: 0 written, 2 usage error or failure.\n";

enum {
    OPT_STATE = 256,
    OPT_AUTHORITY,
    OPT_KEY,
    OPT_FULL,
    OPT_DELTA,
    OPT_ADD,
    OPT_REMOVE,
    OPT_NEXT,
    OPT_VALID_FOR,
    OPT_AT,
    OPT_ROTATE,
    OPT_PRUNE,
    OPT_FORCE,
    OPT_JSON,
    OPT_HELP
};

static const struct option BUNDLE_OPTIONS[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"authority", required_argument, NULL, OPT_AUTHORITY},
    {"authority-key", required_argument, NULL, OPT_KEY},
    {"full", no_argument, NULL, OPT_FULL},
    {"delta", no_argument, NULL, OPT_DELTA},
    {"add", required_argument, NULL, OPT_ADD},
    {"remove", required_argument, NULL, OPT_REMOVE},
    {"next-update", required_argument, NULL, OPT_NEXT},
    {"valid-for", required_argument, NULL, OPT_VALID_FOR},
    {"at", required_argument, NULL, OPT_AT},
    {"rotate-to", required_argument, NULL, OPT_ROTATE},
    {"prune", no_argument, NULL, OPT_PRUNE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

typedef struct bundle_args {
    const char *state, *authority, *key, *add, *remove, *rotate, *out;
    int full, delta, has_next, has_at, prune, force, json;
    int64_t next_update, valid_for, at;
} bundle_args;

static int parse_bundle_args(int argc, char **argv, bundle_args *a)
{
    memset(a, 0, sizeof(*a));
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:", BUNDLE_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_STATE:
            a->state = optarg;
            break;
        case OPT_AUTHORITY:
            a->authority = optarg;
            break;
        case OPT_KEY:
            a->key = optarg;
            break;
        case OPT_FULL:
            a->full = 1;
            break;
        case OPT_DELTA:
            a->delta = 1;
            break;
        case OPT_ADD:
            a->add = optarg;
            break;
        case OPT_REMOVE:
            a->remove = optarg;
            break;
        case OPT_ROTATE:
            a->rotate = optarg;
            break;
        case OPT_PRUNE:
            a->prune = 1;
            break;
        case OPT_FORCE:
            a->force = 1;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_NEXT:
            if (ocv_cli_parse_time(optarg, &a->next_update) != 0)
                return ocv_cli_bad_usage("--next-update wants UNIX seconds");
            a->has_next = 1;
            break;
        case OPT_VALID_FOR:
            if (ocv_parse_duration(optarg, &a->valid_for) != 0 || a->valid_for == 0)
                return ocv_cli_bad_usage("--valid-for wants a duration like 1h or 7d");
            break;
        case OPT_AT:
            if (ocv_cli_parse_time(optarg, &a->at) != 0)
                return ocv_cli_bad_usage("--at wants UNIX seconds");
            a->has_at = 1;
            break;
        case OPT_HELP:
            fputs(BUNDLE_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv, BUNDLE_USAGE);
        }
    }
    if (!a->has_at)
        a->at = ocv_now();
    if (a->state == NULL || a->authority == NULL || a->key == NULL || a->out == NULL)
        return ocv_cli_bad_usage("bundle build: --state, --authority, --authority-key and -o "
                                 "are required");
    if (a->full == a->delta)
        return ocv_cli_bad_usage("bundle build: give exactly one of --full or --delta");
    if (a->json && strcmp(a->out, "-") == 0)
        return ocv_cli_bad_usage("bundle build: --json needs -o FILE (with -o - the bundle "
                                 "is standard output)");
    if (a->has_next == (a->valid_for != 0))
        return ocv_cli_bad_usage("bundle build: give one of --next-update or --valid-for");
    if (!a->has_next)
        a->next_update = a->at + a->valid_for;
    return -1;
}

static int build(const bundle_args *a)
{
    char err[512] = "";
    ocv_pkey key, next;
    ocv_pkey_init(&next);
    ocv_entries_file add, remove;
    ocv_entries_file_init(&add);
    ocv_entries_file_init(&remove);
    ocv_bytes next_spki, bundle;
    ocv_bytes_init(&next_spki);
    ocv_bytes_init(&bundle);
    ocv_store *state = NULL;
    int code = OCV_EXIT_USAGE;
    ocv_cli_progress bar;
    ocv_cli_progress_start(&bar, "bundle build", "steps", 3);
    struct stat st;
    if (!a->force && strcmp(a->out, "-") != 0 && stat(a->out, &st) == 0)
        return ocv_cli_usage_error("bundle build: %s exists (use --force to replace it)", a->out);
    if (ocv_pkey_load_file(a->key, 1, 0, &key, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return code;
    }
    if (key.type != OCV_KEY_EC_P256 && key.type != OCV_KEY_ED25519) {
        ocv_cli_usage_error("bundle build: authority keys are EC P-256 (ES256) or Ed25519");
        goto out;
    }
    ocv_cli_progress_step(&bar, 0, "reading entries");
    if ((a->add && ocv_entries_file_load(a->add, &add) != 0) ||
        (a->remove && ocv_entries_file_load(a->remove, &remove) != 0))
        goto out;
    if (a->rotate != NULL) {
        if (ocv_pkey_load_file(a->rotate, 0, 0, &next, err, sizeof(err)) != OCV_OK ||
            ocv_pkey_public_der(&next, &next_spki) != OCV_OK) {
            ocv_cli_usage_error("%s", err[0] ? err : "bundle build: bad --rotate-to key");
            goto out;
        }
    }
    if (ocv_authority_open(a->state, a->authority, &key, &state, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        goto out;
    }
    ocv_build_request req = {
        a->authority,   &key,          a->full ? OCV_BUNDLE_FULL : OCV_BUNDLE_DELTA,
        add.entries,    add.count,     remove.entries,
        remove.count,   a->at,         a->next_update,
        next_spki.data, next_spki.len, a->prune};
    int64_t sequence = 0;
    ocv_cli_progress_step(&bar, 1, "applying and signing");
    if (ocv_authority_build(state, &req, &bundle, &sequence, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("bundle build: %s", err[0] ? err : "failed");
        goto out;
    }
    ocv_cli_progress_step(&bar, 2, "writing");
    ocv_cli_progress_end(&bar);
    if (ocv_cli_write_file(a->out, bundle.data, bundle.len, 0, a->force) != 0) {
        ocv_store_rollback(state);
        goto out;
    }
    if (ocv_store_commit(state) != OCV_OK) {
        ocv_cli_usage_error("bundle build: the state did not commit; discard %s", a->out);
        goto out;
    }
    if (a->json)
        ocv_cli_print_json(json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I}", "bundle", a->out,
                                     "authority", a->authority, "sequence", (json_int_t)sequence,
                                     "kind", a->full ? "full" : "delta", "added",
                                     (json_int_t)add.count, "removed", (json_int_t)remove.count,
                                     "bytes", (json_int_t)bundle.len));
    else if (!ocv_cli_quiet())
        fprintf(stderr, "bundle %s: authority %s sequence %lld (%s, +%zu -%zu)\n", a->out,
                a->authority, (long long)sequence, a->full ? "full" : "delta", add.count,
                remove.count);
    code = OCV_EXIT_ALLOW;
out:
    ocv_cli_progress_end(&bar);
    ocv_store_close(state);
    ocv_bytes_free(&bundle);
    ocv_bytes_free(&next_spki);
    ocv_entries_file_free(&add);
    ocv_entries_file_free(&remove);
    ocv_pkey_free(&next);
    ocv_pkey_free(&key);
    return code;
}

int ocv_cmd_bundle(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("bundle: give a verb (build)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(BUNDLE_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "build") != 0)
        return ocv_cli_bad_usage("bundle: unknown verb '%s' (build)", argv[1]);
    bundle_args a;
    int stop = parse_bundle_args(argc - 1, argv + 1, &a);
    return stop >= 0 ? stop : build(&a);
}
