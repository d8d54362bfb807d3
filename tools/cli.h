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

/* Called once by main() before a subcommand runs: notes --json anywhere
 * before "--", takes --quiet out of argv (every command accepts it) and
 * names the command for messages ("verify", or "revocation sync" when
 * has_verbs and argv[2] is a verb). Turns getopt's own messages off.
 * Returns the new argc. */
int ocv_cli_begin(int argc, char **argv, int has_verbs);

/* Progress of long work on standard error, only when it is a terminal and
 * --quiet was not given: "\rWHAT: 37% 45/120 ITEMS, 12.3/s, ETA 6s NOTE",
 * redrawn at most ten times a second, erased by ocv_cli_progress_end. */
typedef struct ocv_cli_progress {
    const char *what, *items;
    size_t total;
    double start, last;
    int on;
} ocv_cli_progress;
void ocv_cli_progress_start(ocv_cli_progress *p, const char *what, const char *items, size_t total);
void ocv_cli_progress_step(ocv_cli_progress *p, size_t done, const char *note);
void ocv_cli_progress_end(ocv_cli_progress *p);
/* Erases the line before other output; the next step draws it again. */
void ocv_cli_progress_pause(ocv_cli_progress *p);

/* 1 when --quiet was given: no progress, no summaries on stderr. */
int ocv_cli_quiet(void);

/* 1 when the command line has --json: errors are also JSON on stdout. */
int ocv_cli_json_errors(void);

/* "verify", "revocation sync", ... as ocv_cli_begin named it. */
const char *ocv_cli_command(void);

/* 1 for "--help" and "-h". */
int ocv_cli_is_help(const char *arg);

/* A configuration or I/O error: prints "ocv: <message>" to stderr and,
 * under --json, {"error": "config", "command", "detail": <message>} on one
 * line of stdout. Returns OCV_EXIT_USAGE. */
int ocv_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A command-line mistake: prints "ocv: <message>" and "try `ocv CMD
 * --help`" to stderr (never the whole help) and, under --json,
 * {"error": "usage", ...} on stdout. Returns OCV_EXIT_USAGE. */
int ocv_cli_bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For getopt's '?': -h prints usage on stdout and returns OCV_EXIT_ALLOW;
 * anything else is ocv_cli_bad_usage naming the option. argv is the array
 * given to getopt_long. */
int ocv_cli_bad_option(char *const *argv, const char *usage);

/* Writes a whole file atomically (temporary file, fsync, rename); "-"
 * is standard output. private_mode: 0600. Refuses to replace an existing
 * file unless overwrite. Returns 0, or OCV_EXIT_USAGE after printing why. */
int ocv_cli_write_file(const char *path, const void *data, size_t len, int private_mode,
                       int overwrite);

struct json_t;
/* Prints o compactly on one line of stdout and releases it (NULL: nothing). */
void ocv_cli_print_json(struct json_t *o);

/* Parses --at style UNIX seconds; 0 on success. */
int ocv_cli_parse_time(const char *text, int64_t *out);

#endif
