/*
 * replay_main.c - runs a fuzz target over files (a corpus, regression
 * inputs, fixtures) without libFuzzer, so the ordinary gcc build replays
 * every saved input. Prints "input: PATH" before each input (flushed, so
 * the last line names the input a crash came from) and "replay: N inputs"
 * at the end; a crash or sanitizer report fails, and so does an input
 * that cannot be read (exit 2).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++) {
        ocv_bytes b;
        char err[256];
        printf("input: %s\n", argv[i]);
        fflush(stdout);
        if (ocv_file_read(argv[i], 16u * 1024u * 1024u, &b, err, sizeof(err)) != OCV_OK) {
            fprintf(stderr, "replay: %s\n", err);
            return 2;
        }
        LLVMFuzzerTestOneInput(b.data, b.len);
        ocv_bytes_free(&b);
        count++;
    }
    printf("replay: %d inputs\n", count);
    return 0;
}
