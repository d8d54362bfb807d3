/*
 * inspect.h - look inside a credential without trusting it (`ocv
 * inspect`): a JWT's header and claims, a CWT's headers and claims, a
 * certificate chain's names, SANs, validity, keys and thumbprints.
 *
 * Nothing is verified: no signature, no chain, no time, no policy. The
 * result says so ("verified": false) and is never an input to a decision.
 * Decoding is as bounded as verification: OCV_MAX_CREDENTIAL_BYTES, JSON
 * depth OCV_MAX_JSON_DEPTH, CBOR nesting OCV_MAX_CBOR_NESTING, at most
 * OCV_MAX_CHAIN_LEN certificates.
 *
 * Ownership: *out is a new jansson object the caller releases with
 * json_decref. Thread-safe.
 */
#ifndef OCV_VERIFIER_INSPECT_H
#define OCV_VERIFIER_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ocv.h"

/*
 * Decodes the credential (type OCV_CREDENTIAL_AUTO: recognised by what the
 * bytes decode to, as ocv_check does). Reasons: OCV_OK; OCV_TOO_LARGE;
 * OCV_UNSUPPORTED_FORMAT (not a JWT, CWT or certificate);
 * OCV_MALFORMED (err says where); OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_inspect(const uint8_t *data, size_t len, ocv_credential_type type,
                                      json_t **out, char *err, size_t err_len);

#endif
