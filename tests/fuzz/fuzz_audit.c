/*
 * fuzz_audit.c - libFuzzer target for the audit log readers: the bytes are
 * written to a scratch file, the chain is verified (ocv audit verify) and
 * its tail checked (ocv_audit_verify_tail, as ocv serve starts), and
 * one record is appended (ocv_audit_append reads the last record of the
 * existing file to chain onto it). Any crash, leak, hang or sanitizer
 * report is a bug; so is a failure with an empty message, an OK whose
 * record count is more than the number of lines, and a log that verifies
 * but cannot be appended to, or does not verify with one more record
 * after the append.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decision/audit.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch("audit.log", data, size);
    size_t records = 0, lines = 0;
    char err[512] = "";
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    ocv_reason verified = ocv_audit_verify(path, &records, err, sizeof(err));
    if (verified == OCV_OK) {
        if (records > lines)
            abort();
    } else if (err[0] == 0 || records != 0) {
        abort();
    }
    /* the tail check a server starts with: a log whose whole chain
     * verifies must pass it; a refusal says why */
    int tail_checkpointed = 0;
    err[0] = 0;
    ocv_reason tail = ocv_audit_verify_tail(path, &tail_checkpointed, err, sizeof(err));
    if ((verified == OCV_OK && tail != OCV_OK) || (tail != OCV_OK && err[0] == 0))
        abort();
    err[0] = 0;
    ocv_reason appended = ocv_audit_append(path, "fuzz", FUZZ_AT, NULL, err, sizeof(err));
    if (appended != OCV_OK && err[0] == 0)
        abort();
    /* a writer without the device key refuses a log that has checkpoints
     * (docs/formats/audit-log.md), exactly as the tail check said: the one
     * refusal a verified log may get */
    if (verified == OCV_OK && tail_checkpointed && appended == OCV_OK)
        abort();
    if (verified == OCV_OK && !tail_checkpointed) {
        size_t after = 0;
        if (appended != OCV_OK || ocv_audit_verify(path, &after, err, sizeof(err)) != OCV_OK ||
            after < records + 1 || after > records + 2)
            abort(); /* a verified log must take the next record (after a "recovered"
                      * record when a torn tail was cut) and still verify */
    }
    return 0;
}
