#include "cbor_stream.h"

#include <stdlib.h>
#include <string.h>

#include <cbor.h>

static void on_uint8(void *c, uint8_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_UINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_uint16(void *c, uint16_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_UINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_uint32(void *c, uint32_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_UINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_uint64(void *c, uint64_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_UINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_negint8(void *c, uint8_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_NEGINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_negint16(void *c, uint16_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_NEGINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_negint32(void *c, uint32_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_NEGINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_negint64(void *c, uint64_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_NEGINT, ((ocv_cbor_item *)c)->u = v;
}
static void on_bytes(void *c, cbor_data p, size_t len)
{
    ocv_cbor_item *it = c;
    it->kind = OCV_CBOR_BYTES, it->p = p, it->len = len;
}
static void on_text(void *c, cbor_data p, size_t len)
{
    ocv_cbor_item *it = c;
    it->kind = OCV_CBOR_TEXT, it->p = p, it->len = len;
}
static void on_array(void *c, size_t n)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_ARRAY, ((ocv_cbor_item *)c)->u = n;
}
static void on_map(void *c, size_t n)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_MAP, ((ocv_cbor_item *)c)->u = n;
}
static void on_tag(void *c, uint64_t v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_TAG, ((ocv_cbor_item *)c)->u = v;
}
static void on_bool(void *c, bool v)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_BOOL, ((ocv_cbor_item *)c)->u = v;
}
static void on_null(void *c)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_NULL;
}
static void on_rejected(void *c)
{
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_REJECTED;
}
static void on_float(void *c, float v)
{
    (void)v;
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_REJECTED;
}
static void on_double(void *c, double v)
{
    (void)v;
    ((ocv_cbor_item *)c)->kind = OCV_CBOR_REJECTED;
}

static const struct cbor_callbacks PULL_CALLBACKS = {
    .uint8 = on_uint8,
    .uint16 = on_uint16,
    .uint32 = on_uint32,
    .uint64 = on_uint64,
    .negint8 = on_negint8,
    .negint16 = on_negint16,
    .negint32 = on_negint32,
    .negint64 = on_negint64,
    .byte_string_start = on_rejected,
    .byte_string = on_bytes,
    .string = on_text,
    .string_start = on_rejected,
    .indef_array_start = on_rejected,
    .array_start = on_array,
    .indef_map_start = on_rejected,
    .map_start = on_map,
    .tag = on_tag,
    .float2 = on_float,
    .float4 = on_float,
    .float8 = on_double,
    .undefined = on_rejected,
    .null = on_null,
    .boolean = on_bool,
    .indef_break = on_rejected,
};

void ocv_cbor_pull_init(ocv_cbor_pull *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p == NULL ? 0 : len;
    r->off = 0;
    r->err = 0;
}

int ocv_cbor_pull_next(ocv_cbor_pull *r, ocv_cbor_item *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = OCV_CBOR_REJECTED;
    if (r->err || r->off >= r->len) {
        r->err = 1;
        return -1;
    }
    uint8_t initial = r->p[r->off];
    if (initial >= 0xc6 && initial <= 0xd4) {
        /* libcbor 0.8 refuses the one-byte tags 6..20 as "reserved" (they
         * are assigned: 18 is COSE_Sign1, 16 COSE_Encrypt0, 17 COSE_Mac0),
         * so their single head byte is decoded here. */
        out->kind = OCV_CBOR_TAG;
        out->u = (uint64_t)(initial - 0xc0);
        r->off++;
        return 0;
    }
    struct cbor_decoder_result res =
        cbor_stream_decode(r->p + r->off, r->len - r->off, &PULL_CALLBACKS, out);
    if (res.status != CBOR_DECODER_FINISHED || res.read == 0 || res.read > r->len - r->off ||
        out->kind == OCV_CBOR_REJECTED) {
        r->err = 1;
        return -1;
    }
    r->off += res.read;
    return 0;
}

int ocv_cbor_pull_expect(ocv_cbor_pull *r, ocv_cbor_kind kind, ocv_cbor_item *out)
{
    if (ocv_cbor_pull_next(r, out) != 0)
        return -1;
    if (out->kind != kind) {
        r->err = 1;
        return -1;
    }
    return 0;
}

int ocv_cbor_pull_skip(ocv_cbor_pull *r, int max_depth)
{
    /* remaining[d]: items still to read at nesting level d */
    uint64_t remaining[64];
    if (max_depth < 1 || max_depth > 64)
        max_depth = 64;
    int depth = 0;
    remaining[0] = 1;
    while (depth >= 0) {
        if (remaining[depth] == 0) {
            depth--;
            continue;
        }
        remaining[depth]--;
        ocv_cbor_item it;
        if (ocv_cbor_pull_next(r, &it) != 0)
            return -1;
        uint64_t children = it.kind == OCV_CBOR_ARRAY ? it.u
                            : it.kind == OCV_CBOR_MAP ? 2 * it.u
                            : it.kind == OCV_CBOR_TAG ? 1
                                                      : 0;
        if (children == 0)
            continue;
        if (depth + 1 >= max_depth || children > r->len - r->off) {
            r->err = 1; /* too deep, or more items than bytes left */
            return -1;
        }
        remaining[++depth] = children;
    }
    return 0;
}

int ocv_cbor_pull_done(const ocv_cbor_pull *r)
{
    return !r->err && r->off == r->len;
}

void ocv_cbor_out_init(ocv_cbor_out *w)
{
    ocv_bytes_init(&w->buf);
    w->cap = 0;
    w->err = 0;
}

static uint8_t *reserve(ocv_cbor_out *w, size_t n)
{
    if (w->err)
        return NULL;
    if (n > SIZE_MAX / 2 - w->buf.len) {
        w->err = 1;
        return NULL;
    }
    if (w->buf.len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->buf.len + n)
            cap *= 2;
        uint8_t *grown = realloc(w->buf.data, cap);
        if (grown == NULL) {
            w->err = 1;
            return NULL;
        }
        w->buf.data = grown;
        w->cap = cap;
    }
    return w->buf.data + w->buf.len;
}

typedef size_t (*head_encoder)(uint64_t, unsigned char *, size_t);

static void head(ocv_cbor_out *w, head_encoder enc, uint64_t v)
{
    uint8_t *at = reserve(w, 9);
    if (at == NULL)
        return;
    size_t n = enc(v, at, 9);
    if (n == 0)
        w->err = 1;
    w->buf.len += n;
}

static size_t enc_uint(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_uint(v, b, n);
}
static size_t enc_negint(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_negint(v, b, n);
}
static size_t enc_tag(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_tag(v, b, n);
}
static size_t enc_array(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_array_start((size_t)v, b, n);
}
static size_t enc_map(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_map_start((size_t)v, b, n);
}
static size_t enc_text(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_string_start((size_t)v, b, n);
}
static size_t enc_bytes(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_bytestring_start((size_t)v, b, n);
}

void ocv_cbor_out_uint(ocv_cbor_out *w, uint64_t v)
{
    head(w, enc_uint, v);
}

void ocv_cbor_out_negint(ocv_cbor_out *w, uint64_t v)
{
    head(w, enc_negint, v);
}

void ocv_cbor_out_tag(ocv_cbor_out *w, uint64_t tag)
{
    head(w, enc_tag, tag);
}

void ocv_cbor_out_array(ocv_cbor_out *w, size_t n)
{
    head(w, enc_array, n);
}

void ocv_cbor_out_map(ocv_cbor_out *w, size_t n)
{
    head(w, enc_map, n);
}

static void raw(ocv_cbor_out *w, const void *p, size_t len)
{
    uint8_t *at = reserve(w, len);
    if (at == NULL)
        return;
    if (len > 0)
        memcpy(at, p, len);
    w->buf.len += len;
}

void ocv_cbor_out_raw(ocv_cbor_out *w, const uint8_t *p, size_t len)
{
    raw(w, p, len);
}

void ocv_cbor_out_text(ocv_cbor_out *w, const char *p, size_t len)
{
    head(w, enc_text, len);
    raw(w, p, len);
}

void ocv_cbor_out_bytes(ocv_cbor_out *w, const uint8_t *p, size_t len)
{
    head(w, enc_bytes, len);
    raw(w, p, len);
}

ocv_reason ocv_cbor_out_finish(ocv_cbor_out *w, ocv_bytes *out)
{
    ocv_bytes_init(out);
    if (w->err) {
        free(w->buf.data);
        ocv_cbor_out_init(w);
        return OCV_INTERNAL_ERROR;
    }
    *out = w->buf;
    ocv_cbor_out_init(w);
    return OCV_OK;
}
