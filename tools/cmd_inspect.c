/*
 * cmd_inspect.c - `ocv inspect CREDENTIAL [--json]`: what a JWT, CWT or
 * certificate chain says, decoded without trusting it (verifier/inspect.h).
 *
 * Exit codes: 0 decoded, 1 not a credential ocv can decode, 2 usage.
 * Nothing printed here is verified; every output says so first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/limits.h"
#include "cli.h"
#include "verifier/inspect.h"

static const char INSPECT_USAGE[] =
    "usage: ocv inspect CREDENTIAL|- [--type jwt|cwt|x509] [--json]\n"
    "\n"
    "Decodes a JWT, a CWT (binary or base64url) or a certificate chain (PEM or\n"
    "DER) WITHOUT verifying anything and prints its header, claims (times as\n"
    "dates), subject, SANs, key ids and thumbprints. A leading \"Bearer \" and\n"
    "surrounding whitespace are stripped. Use ocv verify to decide.\n"
    "\n"
    "Exit: 0 decoded, 1 not decodable, 2 usage.\n";

enum { OPT_JSON = 256, OPT_TYPE, OPT_HELP };

static const struct option INSPECT_OPTIONS[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"type", required_argument, NULL, OPT_TYPE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Indented "key: value" lines for people; nested objects and arrays
 * indent further. */
static void print_value(const char *key, json_t *v, int indent)
{
    printf("%*s", indent, "");
    if (key != NULL)
        printf("%s:", key);
    if (json_is_object(v) || json_is_array(v)) {
        printf("\n");
        if (json_is_object(v)) {
            const char *k;
            json_t *x;
            json_object_foreach(v, k, x)
            {
                print_value(k, x, indent + 2);
            }
        } else {
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x)
            {
                char idx[24];
                snprintf(idx, sizeof(idx), "[%zu]", i);
                print_value(idx, x, indent + 2);
            }
        }
        return;
    }
    char *text = json_dumps(v, JSON_ENCODE_ANY);
    printf(" %s\n", text != NULL ? text : "?");
    free(text);
}

/* "Bearer " and whitespace around a token, as ocv verify strips them. */
static void strip(ocv_bytes *b)
{
    size_t s = 0, e = b->len;
    if (e > 0 && (b->data[0] == 0xd8 || b->data[0] == 0xd2 || b->data[0] == 0x84))
        return;
    while (s < e && strchr(" \t\r\n", b->data[s]) != NULL && b->data[s] != 0)
        s++;
    if (e - s > 7 && strncasecmp((const char *)b->data + s, "bearer ", 7) == 0)
        s += 7;
    while (s < e && (b->data[s] == ' ' || b->data[s] == '\t'))
        s++;
    if (s == 0)
        return;
    memmove(b->data, b->data + s, e - s);
    b->len = e - s;
}

int ocv_cmd_inspect(int argc, char **argv)
{
    int json = 0, opt;
    ocv_credential_type type = OCV_CREDENTIAL_AUTO;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", INSPECT_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_JSON:
            json = 1;
            break;
        case OPT_TYPE:
            if (strcmp(optarg, "jwt") == 0)
                type = OCV_CREDENTIAL_JWT;
            else if (strcmp(optarg, "cwt") == 0)
                type = OCV_CREDENTIAL_CWT;
            else if (strcmp(optarg, "x509") == 0)
                type = OCV_CREDENTIAL_X509;
            else
                return ocv_cli_bad_usage("inspect: --type wants jwt, cwt or x509");
            break;
        case OPT_HELP:
            fputs(INSPECT_USAGE, stdout);
            return 0;
        default:
            return ocv_cli_bad_option(argv, INSPECT_USAGE);
        }
    }
    if (optind + 1 != argc)
        return ocv_cli_bad_usage("inspect: give one credential file (or -)");
    ocv_bytes cred;
    char err[512] = "";
    ocv_reason r = ocv_file_read(argv[optind], OCV_MAX_CREDENTIAL_BYTES, &cred, err, sizeof(err));
    if (r == OCV_TOO_LARGE) {
        fprintf(stderr, "ocv inspect: %s\n", err);
        return OCV_EXIT_DENY;
    }
    if (r != OCV_OK)
        return ocv_cli_usage_error("inspect: %s", err);
    strip(&cred);
    json_t *o = NULL;
    r = ocv_inspect(cred.data, cred.len, type, &o, err, sizeof(err));
    ocv_bytes_free(&cred);
    if (r != OCV_OK) {
        fprintf(stderr, "ocv inspect: %s: %s\n", ocv_reason_name(r), err);
        return OCV_EXIT_DENY;
    }
    if (json) {
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text != NULL)
            puts(text);
        free(text);
    } else {
        printf("UNVERIFIED %s: decoded only, nothing was checked\n",
               json_string_value(json_object_get(o, "format")));
        json_object_del(o, "warning");
        json_object_del(o, "verified");
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (strcmp(k, "format") != 0)
                print_value(k, v, 0);
        }
    }
    json_decref(o);
    return 0;
}
