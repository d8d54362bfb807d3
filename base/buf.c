#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void ocv_bytes_init(ocv_bytes *b)
{
    b->data = NULL;
    b->len = 0;
}

void ocv_bytes_free(ocv_bytes *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL) {
        ocv_zeroize(b->data, b->len);
        free(b->data);
    }
    ocv_bytes_init(b);
}

ocv_reason ocv_bytes_copy(ocv_bytes *out, const void *data, size_t len)
{
    ocv_bytes_init(out);
    out->data = malloc(len + 1);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    if (len > 0)
        memcpy(out->data, data, len);
    out->data[len] = 0;
    out->len = len;
    return OCV_OK;
}

static ocv_reason read_stream(FILE *f, const char *path, size_t max_len, ocv_bytes *out, char *err,
                              size_t err_len)
{
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap + 1);
    if (data == NULL)
        return OCV_INTERNAL_ERROR;
    for (;;) {
        if (len == cap) {
            if (cap > max_len) {
                ocv_zeroize(data, len);
                free(data);
                ocv_errf(err, err_len, "%s: larger than the limit of %zu bytes", path, max_len);
                return OCV_TOO_LARGE;
            }
            size_t next = cap * 2;
            uint8_t *grown = realloc(data, next + 1);
            if (grown == NULL) {
                free(data);
                return OCV_INTERNAL_ERROR;
            }
            data = grown;
            cap = next;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(data);
        ocv_errf(err, err_len, "%s: read error", path);
        return OCV_CONFIG_INVALID;
    }
    if (len > max_len) {
        ocv_zeroize(data, len);
        free(data);
        ocv_errf(err, err_len, "%s: larger than the limit of %zu bytes", path, max_len);
        return OCV_TOO_LARGE;
    }
    data[len] = 0;
    out->data = data;
    out->len = len;
    return OCV_OK;
}

ocv_reason ocv_file_read(const char *path, size_t max_len, ocv_bytes *out, char *err,
                         size_t err_len)
{
    ocv_bytes_init(out);
    if (path == NULL || path[0] == 0) {
        ocv_errf(err, err_len, "empty file name");
        return OCV_CONFIG_INVALID;
    }
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, "(stdin)", max_len, out, err, err_len);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return OCV_CONFIG_INVALID;
    }
    /* a regular file that is too large is refused before a byte is read */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > max_len) {
        fclose(f);
        ocv_errf(err, err_len, "%s: %jd bytes, larger than the limit of %zu bytes", path,
                 (intmax_t)sb.st_size, max_len);
        return OCV_TOO_LARGE;
    }
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        ocv_errf(err, err_len, "%s: is a directory", path);
        return OCV_CONFIG_INVALID;
    }
    ocv_reason r = read_stream(f, path, max_len, out, err, err_len);
    fclose(f);
    return r;
}

void ocv_mapped_file_init(ocv_mapped_file *m)
{
    memset(m, 0, sizeof(*m));
}

ocv_reason ocv_file_map(const char *path, size_t max_len, ocv_mapped_file *out, char *err,
                        size_t err_len)
{
    ocv_mapped_file_init(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return OCV_CONFIG_INVALID;
    }
    struct stat sb;
    ocv_reason r = OCV_CONFIG_INVALID;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ocv_errf(err, err_len, "%s: not a regular file", path);
        goto out;
    }
    if ((uintmax_t)sb.st_size > max_len) {
        ocv_errf(err, err_len, "%s: %jd bytes, larger than the limit of %zu bytes", path,
                 (intmax_t)sb.st_size, max_len);
        r = OCV_TOO_LARGE;
        goto out;
    }
    out->len = (size_t)sb.st_size;
    if (out->len > 0) {
        void *p = mmap(NULL, out->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
            out->len = 0;
            goto out;
        }
        out->data = p;
    }
    r = OCV_OK;
out:
    close(fd);
    return r;
}

void ocv_file_release(const ocv_mapped_file *m, const uint8_t *p, size_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (m->data == NULL || page <= 0 || p < m->data || len > m->len - (size_t)(p - m->data))
        return;
    uintptr_t start = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

void ocv_file_unmap(ocv_mapped_file *m)
{
    if (m->data != NULL)
        munmap((void *)m->data, m->len);
    ocv_mapped_file_init(m);
}

void ocv_reader_init(ocv_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p == NULL ? 0 : len;
    r->off = 0;
    r->err = 0;
}

size_t ocv_reader_remaining(const ocv_reader *r)
{
    return r->err ? 0 : r->len - r->off;
}

const uint8_t *ocv_reader_take(ocv_reader *r, size_t n)
{
    if (r->err || n > r->len - r->off) {
        r->err = 1;
        return NULL;
    }
    const uint8_t *at = r->p + r->off;
    r->off += n;
    return at;
}

uint8_t ocv_reader_u8(ocv_reader *r)
{
    const uint8_t *b = ocv_reader_take(r, 1);
    return b == NULL ? 0 : *b;
}

ocv_reader ocv_reader_sub(ocv_reader *r, size_t n)
{
    ocv_reader child;
    const uint8_t *at = ocv_reader_take(r, n);
    ocv_reader_init(&child, at, at == NULL ? 0 : n);
    child.err = at == NULL;
    return child;
}

int ocv_reader_finish(const ocv_reader *r)
{
    return r->err || r->off != r->len;
}
