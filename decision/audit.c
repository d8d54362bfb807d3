#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/util.h"

#define MAX_AUDIT_LINE (64u * 1024u)
static const char ZERO_HASH[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* hash = SHA-256(prev || canonical record without "hash") */
static int record_hash(json_t *record, const char *prev, char out[65])
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (text == NULL)
        return -1;
    size_t n = strlen(text);
    uint8_t *buf = malloc(64 + n);
    if (buf == NULL) {
        free(text);
        return -1;
    }
    memcpy(buf, prev, 64);
    memcpy(buf + 64, text, n);
    uint8_t digest[32];
    int rc = ocv_sha256(buf, 64 + n, digest);
    free(buf);
    free(text);
    if (rc == 0)
        ocv_hex_encode(digest, sizeof(digest), out);
    return rc;
}

/* Reads the last line's seq and hash (a fresh log: 0 and zeros). */
static int last_record(int fd, int64_t *seq, char hash[65])
{
    *seq = 0;
    memcpy(hash, ZERO_HASH, 65);
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0)
        return size < 0 ? -1 : 0;
    off_t start = size > (off_t)MAX_AUDIT_LINE ? size - (off_t)MAX_AUDIT_LINE : 0;
    size_t len = (size_t)(size - start);
    char *buf = malloc(len + 1);
    if (buf == NULL || pread(fd, buf, len, start) != (ssize_t)len) {
        free(buf);
        return -1;
    }
    buf[len] = 0;
    if (len == 0 || buf[len - 1] != '\n') {
        free(buf);
        return -1; /* a torn last line: refuse to chain onto it */
    }
    buf[len - 1] = 0;
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    const char *h = json_string_value(json_object_get(rec, "hash"));
    json_t *s = json_object_get(rec, "seq");
    int rc = -1;
    if (h != NULL && strlen(h) == 64 && json_is_integer(s)) {
        memcpy(hash, h, 65);
        *seq = json_integer_value(s);
        rc = 0;
    }
    json_decref(rec);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

ocv_reason ocv_audit_append(const char *path, const char *event, int64_t time, json_t *fields,
                            char *err, size_t err_len)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0640);
    if (fd < 0) {
        ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return OCV_CONFIG_INVALID;
    }
    if (flock(fd, LOCK_EX) != 0) {
        ocv_errf(err, err_len, "%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        return OCV_CONFIG_INVALID;
    }
    ocv_reason r = OCV_INTERNAL_ERROR;
    int64_t seq;
    char prev[65], hash[65];
    json_t *rec = json_object();
    if (last_record(fd, &seq, prev) != 0) {
        ocv_errf(err, err_len, "%s: the last record is unreadable; run 'ocv audit verify'", path);
        goto out;
    }
    json_object_set_new(rec, "seq", json_integer(seq + 1));
    json_object_set_new(rec, "time", json_integer(time));
    json_object_set_new(rec, "event", json_string(event));
    if (fields != NULL)
        json_object_update_missing(rec, fields);
    json_object_set_new(rec, "prev", json_string(prev));
    if (record_hash(rec, prev, hash) != 0)
        goto out;
    json_object_set_new(rec, "hash", json_string(hash));
    char *line = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (line == NULL)
        goto out;
    size_t n = strlen(line);
    line[n] = '\n';
    int ok = write_all(fd, line, n + 1) == 0 && fsync(fd) == 0;
    free(line);
    if (!ok) {
        ocv_errf(err, err_len, "%s: write failed: %s", path, strerror(errno));
        r = OCV_CONFIG_INVALID;
        goto out;
    }
    r = OCV_OK;
out:
    json_decref(rec);
    flock(fd, LOCK_UN);
    close(fd);
    return r;
}

ocv_reason ocv_audit_verify(const char *path, size_t *records, char *err, size_t err_len)
{
    *records = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return OCV_CONFIG_INVALID;
    }
    char *line = malloc(MAX_AUDIT_LINE + 2);
    char prev[65];
    memcpy(prev, ZERO_HASH, 65);
    ocv_reason r = OCV_OK;
    size_t n = 0;
    while (line != NULL && fgets(line, MAX_AUDIT_LINE + 2, f) != NULL) {
        n++;
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n') {
            ocv_errf(err, err_len, "%s:%zu: torn or overlong record", path, n);
            r = OCV_MALFORMED;
            break;
        }
        json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
        const char *h = json_string_value(json_object_get(rec, "hash"));
        const char *p = json_string_value(json_object_get(rec, "prev"));
        json_t *seq = json_object_get(rec, "seq");
        char want[65], copy[65] = "";
        /* exactly 64 characters: the copy below would cut a longer one */
        int ok = h != NULL && strlen(h) == 64 && p != NULL && strcmp(p, prev) == 0 &&
                 json_is_integer(seq) && json_integer_value(seq) == (json_int_t)n;
        if (ok) {
            ocv_strlcpy(copy, h, sizeof(copy));
            json_object_del(rec, "hash");
            ok = record_hash(rec, prev, want) == 0 && strcmp(want, copy) == 0;
        }
        json_decref(rec);
        if (!ok) {
            ocv_errf(err, err_len,
                     "%s:%zu: record does not chain (edited, removed or "
                     "reordered)",
                     path, n);
            r = OCV_MALFORMED;
            break;
        }
        memcpy(prev, copy, 65);
    }
    free(line);
    fclose(f);
    if (r == OCV_OK)
        *records = n;
    return r;
}
