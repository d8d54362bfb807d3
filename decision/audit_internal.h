/*
 * audit_internal.h - what the audit log's writer (audit.c) and reader
 * (audit_verify.c) share. Not part of any public interface.
 */
#ifndef OCV_DECISION_AUDIT_INTERNAL_H
#define OCV_DECISION_AUDIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* The previous hash of the first record. */
#define OCV_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* The file's last complete record, as a writer chains onto it. */
typedef struct ocv_audit_tail {
    int64_t seq;       /* last complete record's seq (0: empty) */
    char hash[65];     /* its hash */
    int64_t last_ckpt; /* seq of the latest checkpoint (0: none) */
    off_t size;        /* file size */
    size_t torn;       /* bytes after the last newline */
} ocv_audit_tail;

/* Reads it (at most 2 * OCV_AUDIT_MAX_LINE from the end): 0, or -1 when
 * the last line is not a record or the file cannot be read. */
int ocv_audit_read_tail(int fd, ocv_audit_tail *t);

/* A record's chain position as a writer chains onto it (seq > 0, hash,
 * last_ckpt); 0, or -1 when rec is not such a record. */
int ocv_audit_tail_of(json_t *rec, ocv_audit_tail *t);

/* The last '\n' in p[0..len), or NULL. */
char *ocv_audit_last_newline(char *p, size_t len);

/* 64 lower-case hex digits. */
int ocv_audit_is_hex64(const char *s);

#endif
