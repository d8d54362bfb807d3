/*
 * dn.h - a distinguished name as text, with UTF-8 kept.
 *
 * mbedtls_x509_dn_gets prints every byte outside printable ASCII as '?',
 * so "CN=Zürich Prod Root" and "CN=Zärich Prod Root" both become
 * "CN=Z??rich Prod Root" and a rule written for one anchor names the
 * other. ocv_dn_format writes the same text as mbedtls for ASCII names
 * (same attribute names, order, ", " and " + " separators and backslash
 * escapes, so existing policies keep their meaning) and keeps valid UTF-8
 * as it is; a byte that is not valid UTF-8, a control character or a C1
 * control is written as "\XX" (RFC 4514 §2.4 hex escape), never as '?'.
 *
 * Ownership: writes into the caller's buffer. Thread-safe.
 */
#ifndef OCV_VERIFIER_DN_H
#define OCV_VERIFIER_DN_H

#include <stddef.h>

#include <mbedtls/x509.h>

/* 0 on success; -1 when the text does not fit out_len (out is then ""). */
int ocv_dn_format(const mbedtls_x509_name *name, char *out, size_t out_len);

#endif
