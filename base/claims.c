#include "claims.h"

#include <string.h>

void ocv_claims_init(ocv_claims *claims)
{
    memset(claims, 0, sizeof(*claims));
}

const char *ocv_alg_name(ocv_alg alg)
{
    switch (alg) {
    case OCV_ALG_NONE:
        return "none";
    case OCV_ALG_ES256:
        return "ES256";
    case OCV_ALG_ES384:
        return "ES384";
    case OCV_ALG_ES512:
        return "ES512";
    case OCV_ALG_RS256:
        return "RS256";
    case OCV_ALG_RS384:
        return "RS384";
    case OCV_ALG_RS512:
        return "RS512";
    case OCV_ALG_PS256:
        return "PS256";
    case OCV_ALG_PS384:
        return "PS384";
    case OCV_ALG_PS512:
        return "PS512";
    case OCV_ALG_EDDSA:
        return "EdDSA";
    }
    return "none";
}
