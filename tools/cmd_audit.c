/*
 * cmd_audit.c - `ocv audit verify|tail`: check and read the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "decision/audit.h"

static const char AUDIT_USAGE[] =
    "usage: ocv audit verify LOG\n"
    "       ocv audit tail [-n N] LOG\n"
    "\n"
    "verify checks that every record chains to the one before (SHA-256 over the\n"
    "previous hash and the record): an edited, removed or reordered record is\n"
    "found, with its line. tail prints the last N records (default 10).\n"
    "\n"
    "Exit: 0 intact, 1 broken chain, 2 usage error or unreadable log.\n";

static int tail(const char *path, long n)
{
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

int ocv_cmd_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(AUDIT_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? OCV_EXIT_USAGE : OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "verify") == 0 && argc == 3) {
        size_t records = 0;
        char err[512] = "";
        ocv_reason r = ocv_audit_verify(argv[2], &records, err, sizeof(err));
        if (r == OCV_CONFIG_INVALID)
            return ocv_cli_usage_error("%s", err);
        if (r != OCV_OK) {
            printf("broken: %s\n", err);
            return OCV_EXIT_DENY;
        }
        printf("intact: %zu records\n", records);
        return OCV_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "tail") == 0) {
        int64_t n = 10;
        int i = 2;
        if (argc > 3 && strcmp(argv[2], "-n") == 0) {
            if (ocv_parse_int64(argv[3], &n) != 0 || n < 1 || n > 100000)
                return ocv_cli_usage_error("audit tail: -n wants 1..100000");
            i = 4;
        }
        if (i != argc - 1)
            return ocv_cli_usage_error("audit tail: give one log file");
        return tail(argv[i], (long)n);
    }
    fputs(AUDIT_USAGE, stderr);
    return OCV_EXIT_USAGE;
}
