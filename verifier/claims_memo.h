/*
 * claims_memo.h - a per-thread memo of the claims a token payload read
 * to, so a repeated JWT skips its payload's base64url and JSON parse
 * (about half of a cached decision: docs/performance.md).
 *
 * What is kept: for an exact payload text, the claims the payload parser
 * wrote (iss, sub, jti, exp/nbf/iat, aud, purposes, cnf), packed into at
 * most OCV_CLAIMS_MEMO_PACK bytes; a payload whose claims do not fit is
 * simply parsed every time. The caller remembers only a payload that
 * parsed without error, so a recalled entry is exactly what a fresh parse
 * would give. Nothing about the signature, time, revocation or policy is
 * kept: those run on every decision.
 *
 * Key: a 128-bit SipHash (libsodium crypto_shorthash_siphashx24) of the
 * payload text under a key drawn at random once per process. Without the
 * key nobody can make two payloads share an entry (and the signature is
 * still checked over the real bytes), nor aim payloads at one set.
 *
 * Shape: OCV_CLAIMS_MEMO_SETS sets of OCV_CLAIMS_MEMO_WAYS entries, CLOCK
 * replacement in a set; about 512 KiB of address space per thread that
 * parses a JWT, allocated at its first payload, touched only as entries
 * fill, freed when the thread exits.
 *
 * Thread safety: each thread has its own memo: no lock, nothing shared.
 * Errors: none reported; when memory or libsodium is unavailable, the memo
 * stays empty and every payload is parsed.
 */
#ifndef OCV_VERIFIER_CLAIMS_MEMO_H
#define OCV_VERIFIER_CLAIMS_MEMO_H

#include <stddef.h>

#include "base/claims.h"

#define OCV_CLAIMS_MEMO_SETS 256
#define OCV_CLAIMS_MEMO_WAYS 4
#define OCV_CLAIMS_MEMO_PACK 488

/* 1 and the remembered claims written into c (which the caller set up as
 * for a fresh parse) when this exact text was remembered; 0 otherwise. */
int ocv_claims_memo_recall(const char *text, size_t len, ocv_claims *c);

/* Remembers the payload claims of c for this exact text (a no-op when they
 * do not fit or no memo could be made). */
void ocv_claims_memo_remember(const char *text, size_t len, const ocv_claims *c);

#endif
