/*
 * fuzz_audit.c - libFuzzer target for the audit log reader: the input is
 * written to a temporary file and verified (chain, checkpoints' structure)
 * and its head read, as `ocv audit verify|head` do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "decision/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (path[0] == 0) {
        snprintf(path, sizeof(path), "/tmp/ocv-fuzz-audit-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_file);
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    char err[256];
    ocv_audit_report rep;
    ocv_reason r = ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, sizeof(err));
    if (r == OCV_OK && rep.records == 0)
        __builtin_trap(); /* OK always means at least one record */
    ocv_audit_head head;
    r = ocv_audit_read_head(path, &head, err, sizeof(err));
    (void)r;
    return 0;
}
