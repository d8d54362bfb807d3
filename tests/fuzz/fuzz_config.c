/*
 * fuzz_config.c - libFuzzer target for the configuration file reader
 * (ocv_config_load, docs/config.md): the bytes are written to a scratch
 * file and loaded. Only the reading is fuzzed, not ocv_open (which would
 * load the files the configuration names). Any crash, leak, hang or
 * sanitizer report is a bug; so is a failure with an empty message, or an
 * OK that leaves storage unset.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "ocv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch("ocv.json", data, size);
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    char err[512] = "";
    if (ocv_config_load(path, &cfg, &storage, err, sizeof(err)) == OCV_OK) {
        if (storage == NULL)
            abort();
        ocv_config_file_free(storage);
    } else if (err[0] == 0 || storage != NULL) {
        abort();
    }
    return 0;
}
