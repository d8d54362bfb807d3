#include "rng.h"

#include <sodium.h>

int ocv_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(out, len);
    return 0;
}
