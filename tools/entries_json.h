/*
 * entries_json.h - reading ENTRIES.json for `ocv bundle build`.
 * The entries' strings are views into the JSON document the struct owns.
 */
#ifndef OCV_TOOLS_ENTRIES_JSON_H
#define OCV_TOOLS_ENTRIES_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "revocation/store.h"

typedef struct ocv_entries_file {
    json_t *root;
    ocv_entry *entries;
    size_t count;
} ocv_entries_file;

void ocv_entries_file_init(ocv_entries_file *f);
void ocv_entries_file_free(ocv_entries_file *f);
/* 0 on success; prints the file, entry index and problem and returns
 * OCV_EXIT_USAGE otherwise. */
int ocv_entries_file_load(const char *path, ocv_entries_file *out);

#endif
