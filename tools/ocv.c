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
    int has_verbs; /* "ocv revocation sync": the second word names a verb */
} ocv_command;

static const ocv_command commands[] = {
    {"verify", ocv_cmd_verify, "decide whether a credential grants authority", 0},
    {"inspect", ocv_cmd_inspect, "decode a JWT, CWT or certificate chain WITHOUT verifying it", 0},
    {"keygen", ocv_cmd_keygen, "make a key pair (EC P-256/P-384, RSA, Ed25519)", 0},
    {"mint", ocv_cmd_mint, "issue test certificates, CRLs and tokens", 1},
    {"revocation", ocv_cmd_revocation,
     "the device's revocation store: init, sync, status, "
     "import-crl, receipt",
     1},
    {"bundle", ocv_cmd_bundle, "the authority's side: build signed revocation bundles", 1},
    {"receipt", ocv_cmd_receipt, "the control plane's side: verify a device's sync receipt", 1},
    {"audit", ocv_cmd_audit, "verify and read the tamper-evident audit log", 1},
    {"bench", ocv_cmd_bench, "measure decisions per second and memory", 1},
    {"policy", ocv_cmd_policy, "check a policy file (lint) and show what it allows (explain)", 1},
    {"serve", ocv_cmd_serve, "the sidecar: nginx auth_request and Envoy ext_authz checks", 0},
    {"trust", ocv_cmd_trust, "show the trust sources and SPIFFE bundle sequences (status)", 1},
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: ocv <command> [options]\n\n"
                 "ocv is an offline credential verifier: a sound signature is necessary,\n"
                 "never sufficient.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
    fprintf(out, "\n'ocv help <command>' (or 'ocv <command> --help', -h) describes each command;\n"
                 "man ocv(1) has them all. --json: output and errors as JSON; --quiet: no\n"
                 "progress.\n"
                 "Exit codes: 0 allow / success, 1 deny / refused, 2 usage or configuration "
                 "error.\n");
}

static const ocv_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    }
    return NULL;
}

/* `ocv help CMD [VERB]` is `ocv CMD [VERB] --help`. */
static int run_help(int argc, char **argv)
{
    if (argc < 3) {
        print_help(stdout);
        return OCV_EXIT_ALLOW;
    }
    const ocv_command *c = find_command(argv[2]);
    if (c == NULL) {
        (void)ocv_cli_begin(0, NULL, 0);
        return ocv_cli_bad_usage("help: unknown command '%s'", argv[2]);
    }
    char help[] = "--help";
    char *args[4] = {argv[2], help, NULL, NULL};
    int n = 2;
    if (c->has_verbs && argc > 3) {
        args[1] = argv[3];
        args[2] = help;
        n = 3;
    }
    char *begin_args[5] = {argv[0], args[0], args[1], args[2], NULL};
    (void)ocv_cli_begin(n + 1, begin_args, c->has_verbs);
    return c->run(n, args);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return OCV_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0)
        return run_help(argc, argv);
    if (ocv_cli_is_help(name)) {
        print_help(stdout);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("ocv %s\n", ocv_version());
        return OCV_EXIT_ALLOW;
    }
    const ocv_command *c = find_command(name);
    if (c == NULL) {
        (void)ocv_cli_begin(0, NULL, 0);
        return ocv_cli_bad_usage("unknown command '%s'", name);
    }
    argc = ocv_cli_begin(argc, argv, c->has_verbs);
    return c->run(argc - 1, argv + 1);
}
