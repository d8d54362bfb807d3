/*
 * ocv.c - the ocv command: dispatch to subcommands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "ocv.h"

typedef struct ocv_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} ocv_command;

static const ocv_command commands[] = {
    {"verify", ocv_cmd_verify, "decide whether a credential grants authority"},
    {"inspect", ocv_cmd_inspect, "decode a JWT, CWT or certificate chain WITHOUT verifying it"},
    {"keygen", ocv_cmd_keygen, "make a key pair (EC P-256/P-384, RSA, Ed25519)"},
    {"mint", ocv_cmd_mint, "issue test certificates, CRLs and tokens"},
    {"revocation", ocv_cmd_revocation,
     "the device's revocation store: init, sync, status, "
     "import-crl, receipt"},
    {"bundle", ocv_cmd_bundle, "the authority's side: build signed revocation bundles"},
    {"receipt", ocv_cmd_receipt, "the control plane's side: verify a device's sync receipt"},
    {"audit", ocv_cmd_audit, "verify and read the tamper-evident audit log"},
    {"bench", ocv_cmd_bench, "measure decisions per second and memory"},
    {"policy", ocv_cmd_policy, "check a policy file (lint) and show what it allows (explain)"},
    {"serve", ocv_cmd_serve, "the sidecar: nginx auth_request and Envoy ext_authz checks"},
    {"trust", ocv_cmd_trust, "show the trust sources and SPIFFE bundle sequences (status)"},
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: ocv <command> [options]\n\n"
                 "ocv is an offline credential verifier: a sound signature is necessary,\n"
                 "never sufficient.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
    fprintf(out, "\n'ocv <command> --help' describes each command; man ocv(1) has them all.\n"
                 "Exit codes: 0 allow / success, 1 deny / refused, 2 usage or configuration "
                 "error.\n");
}

int ocv_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ocv: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return OCV_EXIT_USAGE;
}

int ocv_cli_parse_time(const char *text, int64_t *out)
{
    return ocv_parse_int64(text, out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return OCV_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("ocv %s\n", ocv_version());
        return OCV_EXIT_ALLOW;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    return ocv_cli_usage_error("unknown command '%s' (try 'ocv --help')", name);
}
