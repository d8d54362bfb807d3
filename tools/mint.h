/*
 * mint.h - what `ocv mint cert` and `ocv mint crl` share.
 */
#ifndef OCV_TOOLS_MINT_H
#define OCV_TOOLS_MINT_H

#include <stdint.h>

#include <mbedtls/bignum.h>
#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>

#include "verifier/pkey.h"

int ocv_mint_crl(int argc, char **argv);
int ocv_mint_token(int argc, char **argv);

/* "sha256" ... "sha1" to an mbedtls md type; 0 on success. */
int ocv_mint_md(const char *name, mbedtls_md_type_t *out);
/* UNIX seconds to "YYYYMMDDhhmmss" (UTC); 0 on success. */
int ocv_mint_time_string(int64_t t, char out[16]);
/* Loads an issuing CA's certificate and private key; prints why and
 * returns -1 on failure. */
int ocv_mint_load_issuer(const char *cert_path, const char *key_path, int allow_mismatch,
                         mbedtls_x509_crt *crt, ocv_pkey *key);
/* 16 random bytes, positive. */
int ocv_mint_random_serial(mbedtls_mpi *serial);

#endif
