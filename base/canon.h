/*
 * canon.h - one canonical form per identifier.
 *
 * Revocation entries, policy rules and credential parsers compare
 * identifiers; when two of them compare the same identifier in different
 * forms, an attacker picks the form that escapes one of them. So every
 * identifier is reduced to one form here, and everything else compares
 * only that form (byte for byte):
 *
 *   serial numbers  the integer's magnitude, big-endian, no leading zero
 *                   byte, written as lower-case hex two digits a byte
 *                   ("00ff" in DER is "ff"; "0x0A:FF" typed by an operator
 *                   is "0aff"). A certificate's DER INTEGER must already
 *                   be minimal, positive and non-zero (RFC 5280 §4.1.2.2,
 *                   X.690 §8.3.2): anything else is MALFORMED, so one
 *                   certificate has exactly one serial.
 *   key ids         SHA-256 of the DER SubjectPublicKeyInfo of the key
 *                   that actually verified, as 64 lower-case hex digits;
 *                   never a kid, which the presenter controls.
 *   identities      tagged with their kind. A SPIFFE ID is valid per the
 *                   SPIFFE ID standard (base/spiffe.h; no case folding);
 *                   a DNS name or CN taken by identity_fallback must not
 *                   read like a SPIFFE ID, so it can never be taken for one.
 *                   DNS names (RFC 4343) and CNs (X.520 caseIgnoreMatch)
 *                   are case-insensitive: they settle to ASCII lower case.
 *   revocation      a subject entry names a SPIFFE ID exactly, or any other
 *   subjects        identity in ASCII lower case: the lookup folds a
 *                   credential's non-SPIFFE identity the same way, so no
 *                   spelling of a DNS name, CN or DN escapes its entry
 *                   (a token sub differing only in case is revoked too:
 *                   revocation errs towards denying).
 *
 * Thread safety: pure functions. Ownership: outputs are caller buffers.
 */
#ifndef OCV_BASE_CANON_H
#define OCV_BASE_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"

/* Canonical serial text: 2 hex digits per magnitude byte, plus NUL. */
#define OCV_SERIAL_HEX_BYTES (2 * OCV_MAX_SERIAL_BYTES + 1)
/* Canonical key id text: SHA-256 hex plus NUL. */
#define OCV_KEY_ID_HEX_BYTES 65

/*
 * A certificate's serial (the DER INTEGER's content octets) into its
 * magnitude. OCV_OK; OCV_MALFORMED with *why for an empty, non-minimal,
 * negative or zero integer, or one over 20 octets.
 */
OCV_MUST_CHECK ocv_reason ocv_serial_from_der(const uint8_t *content, size_t len,
                                              uint8_t out[OCV_MAX_SERIAL_BYTES], size_t *out_len,
                                              const char **why);

/*
 * A serial listed by someone else (a CRL entry): read as an integer
 * whatever its encoding, so a redundant leading zero cannot hide a match.
 * Returns 0 and fills out, or -1 when it is no positive integer of at
 * most 20 magnitude octets (such an entry can match no certificate).
 */
int ocv_serial_from_listed(const uint8_t *content, size_t len, uint8_t out[OCV_MAX_SERIAL_BYTES],
                           size_t *out_len);

/*
 * An operator's serial text: hex digits of either case, an optional "0x",
 * optional ':' between byte pairs (as `openssl x509 -serial` and `-text`
 * print them), leading zeros allowed. Writes the canonical text into out.
 * OCV_OK; OCV_MALFORMED with *why (not hex, zero, over 20 octets).
 */
OCV_MUST_CHECK ocv_reason ocv_serial_canon_text(const char *text, size_t len,
                                                char out[OCV_SERIAL_HEX_BYTES], const char **why);

/* Magnitude bytes to canonical text. */
void ocv_serial_to_text(const uint8_t *mag, size_t len, char out[OCV_SERIAL_HEX_BYTES]);

/* Whether text is a canonical key id (64 lower-case hex digits). */
int ocv_key_id_is_canonical(const char *text, size_t len);

/*
 * Checks the claimed workload identity against its kind and settles it:
 * an identity that reads like a SPIFFE ID ("spiffe:" in any case) must be
 * a valid SPIFFE ID and have come from a URI SAN or a token, and then is
 * OCV_IDENTITY_SPIFFE; a fallback DNS name or CN that reads like one is
 * refused. OCV_OK, or OCV_MALFORMED with *why.
 */
OCV_MUST_CHECK ocv_reason ocv_identity_settle(ocv_claims *claims, const char **why);

/*
 * The same rule for identities named outside a credential (revocation
 * entries, command lines): text that reads like a SPIFFE ID must be one.
 */
OCV_MUST_CHECK ocv_reason ocv_identity_check_text(const char *text, size_t len, const char **why);

/*
 * The form in which revocation subject entries name an identity: a SPIFFE
 * ID as it is, anything else with ASCII upper case folded to lower case.
 * Writes len bytes and a NUL into out (at least len + 1 bytes).
 * ocv_identity_is_revocation_form says whether text is already in it.
 */
void ocv_identity_revocation_form(const char *text, size_t len, char *out);
int ocv_identity_is_revocation_form(const char *text, size_t len);

#endif
