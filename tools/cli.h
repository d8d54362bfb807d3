/*
 * cli.h - what the ocv subcommands share: exit codes, the command table,
 * and small helpers for reading options.
 */
#ifndef OCV_TOOLS_CLI_H
#define OCV_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

enum {
    OCV_EXIT_ALLOW = 0, /* allow, or the command succeeded */
    OCV_EXIT_DENY = 1,  /* deny, or a refusal / finding */
    OCV_EXIT_USAGE = 2  /* usage or configuration error */
};

int ocv_cmd_verify(int argc, char **argv);
int ocv_cmd_keygen(int argc, char **argv);
int ocv_cmd_mint(int argc, char **argv);
int ocv_cmd_bench(int argc, char **argv);
int ocv_cmd_revocation(int argc, char **argv);
int ocv_cmd_bundle(int argc, char **argv);
int ocv_cmd_receipt(int argc, char **argv);
int ocv_cmd_audit(int argc, char **argv);
int ocv_cmd_policy(int argc, char **argv);
int ocv_cmd_serve(int argc, char **argv);
int ocv_cmd_trust(int argc, char **argv);
int ocv_cmd_inspect(int argc, char **argv);

/* Prints "ocv: <message>" to stderr and returns OCV_EXIT_USAGE. */
int ocv_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes a whole file atomically (temporary file, fsync, rename); "-"
 * is standard output. private_mode: 0600. Refuses to replace an existing
 * file unless overwrite. Returns 0, or OCV_EXIT_USAGE after printing why. */
int ocv_cli_write_file(const char *path, const void *data, size_t len, int private_mode,
                       int overwrite);

/* Parses --at style UNIX seconds; 0 on success. */
int ocv_cli_parse_time(const char *text, int64_t *out);

#endif
