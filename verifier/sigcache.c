#include "sigcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

struct ocv_sigcache {
    pthread_mutex_t lock;
    size_t slots;
    uint8_t (*ids)[32];
    uint8_t *used;
};

ocv_reason ocv_sigcache_new(size_t slots, ocv_sigcache **out)
{
    *out = NULL;
    if (slots == 0)
        return OCV_OK;
    ocv_sigcache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return OCV_INTERNAL_ERROR;
    c->ids = calloc(slots, sizeof(*c->ids));
    c->used = calloc(slots, 1);
    if (c->ids == NULL || c->used == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->ids);
        free(c->used);
        free(c);
        return OCV_INTERNAL_ERROR;
    }
    c->slots = slots;
    *out = c;
    return OCV_OK;
}

void ocv_sigcache_free(ocv_sigcache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->ids);
    free(c->used);
    free(c);
}

int ocv_sigcache_id(const uint8_t key_id[32], ocv_alg alg, const uint8_t *msg, size_t msg_len,
                    const uint8_t *sig, size_t sig_len, uint8_t out[32])
{
    /* lengths are hashed too, so (msg, sig) cannot be re-split */
    uint8_t head[1 + 16];
    head[0] = (uint8_t)alg;
    for (int i = 0; i < 8; i++) {
        head[1 + i] = (uint8_t)((uint64_t)msg_len >> (8 * i));
        head[9 + i] = (uint8_t)((uint64_t)sig_len >> (8 * i));
    }
    mbedtls_sha256_context ctx;
    mbedtls_sha256_init(&ctx);
    int rc = mbedtls_sha256_starts_ret(&ctx, 0) || mbedtls_sha256_update_ret(&ctx, key_id, 32) ||
             mbedtls_sha256_update_ret(&ctx, head, sizeof(head)) ||
             mbedtls_sha256_update_ret(&ctx, msg, msg_len) ||
             mbedtls_sha256_update_ret(&ctx, sig, sig_len) || mbedtls_sha256_finish_ret(&ctx, out);
    mbedtls_sha256_free(&ctx);
    return rc ? -1 : 0;
}

static size_t slot_of(const ocv_sigcache *c, const uint8_t id[32])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | id[i];
    return (size_t)(v % c->slots);
}

int ocv_sigcache_hit(ocv_sigcache *c, const uint8_t id[32])
{
    if (c == NULL)
        return 0;
    size_t s = slot_of(c, id);
    pthread_mutex_lock(&c->lock);
    /* ids are public digests, not secrets: memcmp is fine */
    int hit = c->used[s] && memcmp(c->ids[s], id, 32) == 0;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void ocv_sigcache_remember(ocv_sigcache *c, const uint8_t id[32])
{
    if (c == NULL)
        return;
    size_t s = slot_of(c, id);
    pthread_mutex_lock(&c->lock);
    memcpy(c->ids[s], id, 32);
    c->used[s] = 1;
    pthread_mutex_unlock(&c->lock);
}
