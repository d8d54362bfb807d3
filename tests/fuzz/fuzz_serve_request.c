/*
 * fuzz_serve_request.c - libFuzzer target for what the sidecar reads from
 * request headers before the verifier sees anything (serve/serve.h): the
 * Bearer scheme, nginx's escaped certificate, Envoy's XFCC, percent
 * decoding, the path check and route matching. Invariants: no crash, no
 * read outside the value, outputs only on success.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_credentials(const char *text)
{
    ocv_serve_credential c;
    ocv_serve_credential_init(&c);
    if (ocv_serve_parse_bearer(text, &c) == OCV_SERVE_CRED_OK) {
        const char *t = (const char *)c.token;
        if (t < text || t + c.token_len > text + strlen(text) || c.token_len == 0)
            abort();
    }
    if (ocv_serve_parse_escaped_cert(text, &c) == OCV_SERVE_CRED_OK && c.cert.data == NULL)
        abort();
    ocv_serve_credential_free(&c);
    ocv_serve_cred_status st = ocv_serve_parse_xfcc(text, &c);
    if (st != OCV_SERVE_CRED_OK && (c.cert.len != 0 || c.chain.len != 0))
        abort(); /* outputs only on success */
    if (st == OCV_SERVE_CRED_OK && c.cert.data == NULL)
        abort();
    ocv_serve_credential_free(&c);
}

static void check_path(const char *text, size_t size)
{
    char *out = malloc(size + 1);
    size_t n = 0;
    if (out == NULL)
        return;
    if (ocv_serve_percent_decode(text, size, out, size + 1, &n) == 0) {
        if (n > size || memchr(out, 0, n) != NULL || out[n] != 0)
            abort();
        if (ocv_serve_path_check(out, n) == 0) {
            ocv_serve_route routes[3];
            memset(routes, 0, sizeof(routes));
            memcpy(routes[0].path, "/a/", 4);
            memcpy(routes[0].purpose, "a", 2);
            memcpy(routes[1].path, "/a/b", 5);
            memcpy(routes[1].purpose, "b", 2);
            routes[1].exact = 1;
            memcpy(routes[2].path, "/", 2);
            memcpy(routes[2].purpose, "root", 5);
            routes[2].methods = OCV_METHOD_GET;
            const ocv_serve_route *r = ocv_serve_route_match(routes, 3, "GET", out);
            if (r == NULL) /* "/" matches every checked path for GET */
                abort();
        }
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    check_credentials(text);
    check_path(text, size);
    free(text);
    return 0;
}
