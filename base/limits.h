/*
 * limits.h - named limits on untrusted input. Hitting one is TOO_LARGE,
 * never truncation.
 */
#ifndef OCV_BASE_LIMITS_H
#define OCV_BASE_LIMITS_H

/* A workload credential (leaf or token) plus its intermediates fits easily:
 * eight 4096-bit RSA certificates in PEM are under 20 KiB. */
#define OCV_MAX_CREDENTIAL_BYTES (64u * 1024u)

/* Leaf plus intermediates presented with a request; mbedtls itself stops
 * at MBEDTLS_X509_MAX_INTERMEDIATE_CA (8). */
#define OCV_MAX_CHAIN_LEN 8

/* Trust anchors, CRLs, key sets and policy files are operator-supplied but
 * still bounded so a wrong path (a disk image, /dev/zero) fails fast. */
#define OCV_MAX_TRUST_FILE_BYTES (8u * 1024u * 1024u)

/* CRLs can be large for busy CAs; 64 MiB is ~1.5M entries. */
#define OCV_MAX_CRL_BYTES (64u * 1024u * 1024u)

/* JSON nesting depth for configuration, policy and token payloads. */
#define OCV_MAX_JSON_DEPTH 32

/* CBOR nesting depth for CWTs and bundles. */
#define OCV_MAX_CBOR_NESTING 16

#endif
