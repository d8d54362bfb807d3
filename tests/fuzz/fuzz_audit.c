/*
 * fuzz_audit.c - libFuzzer target for audit log verification (ocv audit
 * verify): the bytes are written to a scratch file and the chain is
 * verified. Any crash, leak, hang or sanitizer report is a bug; so is a
 * failure with an empty message, or an OK whose record count is more than
 * the number of lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    if (ocv_audit_verify(path, &records, err, sizeof(err)) == OCV_OK) {
        if (records > lines)
            abort();
    } else if (err[0] == 0 || records != 0) {
        abort();
    }
    return 0;
}
