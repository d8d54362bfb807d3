/*
 * fuzz_entries.c - libFuzzer target for ENTRIES.json, the authority's
 * input to `ocv bundle build` (tools/entries_json.c, linked from the CLI
 * objects): the bytes are written to a scratch file and loaded. The CLI's
 * usage-error printer is replaced by one that formats into a buffer (the
 * message is still built, so format bugs show). Any crash, leak, hang or
 * sanitizer report is a bug; so is a loaded file with an entry whose value
 * is empty or whose type needs an issuer it lacks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "entries_json.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int ocv_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int ocv_cli_usage_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_entries_file f;
    if (ocv_entries_file_load(fuzz_scratch("entries.json", data, size), &f) == 0) {
        for (size_t i = 0; i < f.count; i++) {
            const ocv_entry *e = &f.entries[i];
            if (e->value_len == 0 ||
                ((e->type == OCV_ENTRY_SERIAL || e->type == OCV_ENTRY_JTI) && e->issuer_len == 0))
                abort();
        }
        ocv_entries_file_free(&f);
    }
    return 0;
}
