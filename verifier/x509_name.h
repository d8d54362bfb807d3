/*
 * x509_name.h - distinguished-name comparison (RFC 5280 §7.1) and name
 * constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
 *
 * What it does: compares DER Names attribute by attribute, with the
 * string types (PrintableString, UTF8String, IA5String, TeletexString)
 * compared after RFC 4518-style whitespace folding and ASCII case folding;
 * decides whether a Name lies in a directoryName subtree; matches DNS
 * names (whole labels), rfc822 names (mailbox, host, or domain),
 * URI hosts and IP addresses under a mask against constraint bases; and
 * checks a certificate's subject and every subjectAltName against one
 * CA's permitted and excluded subtrees.
 *
 * What it does not do: full Unicode case folding or the complete LDAP
 * string preparation (non-ASCII bytes compare exactly); the minimum and
 * maximum fields of GeneralSubtree (RFC 5280 says they are not used);
 * constraint types other than rfc822Name, dNSName, directoryName, URI
 * and iPAddress: a name of such a type under a constraint of the same
 * type fails closed.
 *
 * All inputs are borrowed DER; no state; thread-safe.
 */
#ifndef OCV_VERIFIER_X509_NAME_H
#define OCV_VERIFIER_X509_NAME_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "ocv.h"
#include "verifier/x509_ext.h"

/* GeneralName tags as they appear in DER (context-specific). */
#define OCV_GN_RFC822  0x81
#define OCV_GN_DNS     0x82
#define OCV_GN_URI     0x86
#define OCV_GN_IP      0x87
#define OCV_GN_DIRNAME 0xa4

/* 1 when two DER Names (full SEQUENCE TLVs) are equal under §7.1. */
int ocv_x509_name_eq(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);
/* 1 when Name sub lies in the subtree rooted at Name base (base's RDNs are
 * the first RDNs of sub). */
int ocv_x509_name_within(const uint8_t *base, size_t base_len, const uint8_t *sub, size_t sub_len);
/* 1 when the Name has no RDN. */
int ocv_x509_name_empty(const uint8_t *name, size_t len);

/* Matchers: name against one constraint base of the same type. */
int ocv_nc_dns_match(const uint8_t *name, size_t len, const uint8_t *base, size_t base_len);
int ocv_nc_email_match(const uint8_t *name, size_t len, const uint8_t *base, size_t base_len);
int ocv_nc_uri_match(const uint8_t *uri, size_t len, const uint8_t *base, size_t base_len);
int ocv_nc_ip_match(const uint8_t *ip, size_t len, const uint8_t *base, size_t base_len);

/*
 * Checks the names of crt (subject unless empty, subject emailAddress
 * attributes, every subjectAltName) against the permitted and excluded
 * subtrees of one nameConstraints extension. Reasons: OCV_OK;
 * OCV_CHAIN_INVALID (a name outside the permitted subtrees or inside an
 * excluded one; detail says which type); OCV_MALFORMED (the constraint or
 * a name is not valid DER).
 */
OCV_MUST_CHECK ocv_reason ocv_x509_nc_check(const mbedtls_x509_crt *crt, const ocv_x509_ext *ca,
                                            char *detail, size_t detail_len);

#endif
