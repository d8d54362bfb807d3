/*
 * cmd_trust.c - `ocv trust status`: the trust sources a configuration
 * loads, what each holds, and each SPIFFE bundle's spiffe_sequence.
 *
 * Exit codes: 0 loaded, 2 usage or configuration error (the message says
 * which source and file, as ocv verify would).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "ocv.h"

static const char TRUST_USAGE[] =
    "usage: ocv trust status [--config FILE] [--anchors F] [--jwks F] [--cose-keys F] [--json]\n"
    "\n"
    "Loads the trust sources of a configuration (docs/trust.md) as ocv verify\n"
    "would and lists them: name, kind, the issuer or trust domain each is bound\n"
    "to, its keys and anchors, and for a SPIFFE bundle its spiffe_sequence and\n"
    "spiffe_refresh_hint and the keys of another use that were skipped.\n"
    "\n"
    "Exit: 0 loaded, 2 usage or configuration error.\n";

enum { OPT_CONFIG = 256, OPT_ANCHORS, OPT_JWKS, OPT_COSE_KEYS, OPT_JSON, OPT_HELP };

static const struct option TRUST_OPTIONS[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"anchors", required_argument, NULL, OPT_ANCHORS},
    {"jwks", required_argument, NULL, OPT_JWKS},
    {"cose-keys", required_argument, NULL, OPT_COSE_KEYS},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static json_t *info_json(const ocv_trust_info *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", t->name[0] ? json_string(t->name) : json_null());
    json_object_set_new(o, "kind",
                        json_string(t->kind == OCV_TRUST_OIDC     ? "oidc"
                                    : t->kind == OCV_TRUST_SPIFFE ? "spiffe"
                                    : t->kind == OCV_TRUST_CA     ? "ca"
                                                                  : "unnamed"));
    if (t->issuer[0])
        json_object_set_new(o, "issuer", json_string(t->issuer));
    if (t->trust_domain[0])
        json_object_set_new(o, "trust_domain", json_string(t->trust_domain));
    json_object_set_new(o, "keys", json_integer((json_int_t)t->key_count));
    json_object_set_new(o, "anchors", json_integer((json_int_t)t->anchor_count));
    if (t->kind == OCV_TRUST_SPIFFE) {
        json_object_set_new(o, "spiffe_sequence",
                            t->has_sequence ? json_integer((json_int_t)t->sequence) : json_null());
        json_object_set_new(o, "spiffe_refresh_hint", json_integer(t->refresh_hint));
    }
    json_object_set_new(o, "skipped_keys", json_integer((json_int_t)t->skipped_keys));
    if (t->note[0])
        json_object_set_new(o, "note", json_string(t->note));
    return o;
}

static void info_text(const ocv_trust_info *t)
{
    printf("%s (%s)", t->name[0] ? t->name : "(unnamed: --anchors/--jwks/--cose-keys)",
           t->kind == OCV_TRUST_OIDC     ? "oidc"
           : t->kind == OCV_TRUST_SPIFFE ? "spiffe"
           : t->kind == OCV_TRUST_CA     ? "ca"
                                         : "any issuer");
    if (t->issuer[0])
        printf(" issuer %s", t->issuer);
    if (t->trust_domain[0])
        printf(" trust_domain %s", t->trust_domain);
    printf("\n  keys %zu, anchors %zu", t->key_count, t->anchor_count);
    if (t->kind == OCV_TRUST_SPIFFE) {
        if (t->has_sequence)
            printf(", spiffe_sequence %llu", (unsigned long long)t->sequence);
        else
            printf(", no spiffe_sequence");
        printf(", refresh hint %llds", (long long)t->refresh_hint);
    }
    if (t->skipped_keys)
        printf(", %zu key(s) of another use skipped", t->skipped_keys);
    printf("\n");
    if (t->note[0])
        printf("  note: %s\n", t->note);
}

static int trust_status(int argc, char **argv)
{
    ocv_config config;
    ocv_config_init(&config);
    ocv_config_file *storage = NULL;
    const char *anchors = NULL, *jwks = NULL, *cose = NULL, *config_path = NULL;
    int json = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", TRUST_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_CONFIG:
            config_path = optarg;
            break;
        case OPT_ANCHORS:
            anchors = optarg;
            break;
        case OPT_JWKS:
            jwks = optarg;
            break;
        case OPT_COSE_KEYS:
            cose = optarg;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_HELP:
            fputs(TRUST_USAGE, stdout);
            return 0;
        default:
            return ocv_cli_bad_option(argv, TRUST_USAGE);
        }
    }
    if (optind < argc)
        return ocv_cli_bad_usage("trust status: unexpected argument '%s'", argv[optind]);
    char err[1024] = "";
    if (config_path != NULL &&
        ocv_config_load(config_path, &config, &storage, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("configuration: %s", err);
    if (anchors != NULL)
        config.anchors_path = anchors;
    if (jwks != NULL)
        config.jwks_path = jwks;
    if (cose != NULL)
        config.cose_keys_path = cose;
    ocv_ctx *ctx = NULL;
    ocv_reason r = ocv_open(&ctx, &config, err, sizeof(err));
    ocv_config_file_free(storage);
    if (r != OCV_OK)
        return ocv_cli_usage_error("configuration: %s", err[0] ? err : ocv_reason_meaning(r));
    size_t n = ocv_trust_count(ctx);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        ocv_trust_info info;
        if (ocv_trust_describe(ctx, i, &info) != OCV_OK)
            break;
        if (json)
            json_array_append_new(list, info_json(&info));
        else
            info_text(&info);
    }
    if (json) {
        json_t *o = json_pack("{s:o}", "trust_sources", list);
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (text != NULL)
            puts(text);
        free(text);
        json_decref(o);
    } else {
        json_decref(list);
        if (n == 0)
            printf("no trust source configured\n");
    }
    ocv_close(ctx);
    return 0;
}

int ocv_cmd_trust(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("trust: give a verb (status)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(TRUST_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "status") == 0)
        return trust_status(argc - 1, argv + 1);
    return ocv_cli_bad_usage("trust: unknown subcommand '%s' (status)", argv[1]);
}
