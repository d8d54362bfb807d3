/*
 * cmd_keygen.c - `ocv keygen`: a key pair as PEM files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "verifier/keyset.h"
#include "verifier/pkey.h"

static const char KEYGEN_USAGE[] =
    "usage: ocv keygen --type ec-p256|ec-p384|ec-p521|rsa|ed25519 [--bits N]\n"
    "                  -o PRIVATE.pem [--pub PUBLIC.pem] [--jwks JWKS.json [--kid KID]]\n"
    "                  [--force] [--allow-weak]\n"
    "\n"
    "Makes a key pair. The private key is written with mode 0600 (EC keys as SEC1,\n"
    "RSA keys as PKCS#1, Ed25519 keys as PKCS#8, as openssl reads them); --pub\n"
    "writes the public key as a SubjectPublicKeyInfo PEM.\n"
    "\n"
    "  --type T       ec-p256 (ES256), ec-p384, ec-p521, rsa, ed25519\n"
    "  --bits N       RSA modulus size, default 3072, at least 2048\n"
    "  --allow-weak   allow RSA keys under 2048 bits: ONLY to make test fixtures\n"
    "                 that ocv must refuse (ALG_NOT_ALLOWED)\n"
    "  -o F           the private key file (refused if it exists, unless --force)\n"
    "  --pub F        also write the public key\n"
    "  --jwks F       also write the public key as a JWK Set (a token issuer's\n"
    "                 trust file for ocv verify --jwks), with --kid as its kid\n"
    "\n"
    "Exit: 0 written, 2 usage error or failure.\n";

static int parse_type(const char *text, ocv_key_type *out)
{
    static const ocv_key_type all[] = {OCV_KEY_EC_P256, OCV_KEY_EC_P384, OCV_KEY_EC_P521,
                                       OCV_KEY_RSA, OCV_KEY_ED25519};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(text, ocv_key_type_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

enum { OPT_TYPE = 256, OPT_BITS, OPT_PUB, OPT_FORCE, OPT_WEAK, OPT_JWKS, OPT_KID, OPT_HELP };

static const struct option KEYGEN_OPTIONS[] = {
    {"type", required_argument, NULL, OPT_TYPE}, {"bits", required_argument, NULL, OPT_BITS},
    {"pub", required_argument, NULL, OPT_PUB},   {"force", no_argument, NULL, OPT_FORCE},
    {"allow-weak", no_argument, NULL, OPT_WEAK}, {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},       {"jwks", required_argument, NULL, OPT_JWKS},
    {"kid", required_argument, NULL, OPT_KID},   {NULL, 0, NULL, 0},
};

int ocv_cmd_keygen(int argc, char **argv)
{
    ocv_key_type type = OCV_KEY_NONE;
    int64_t bits = 3072;
    const char *out = NULL, *pub = NULL, *jwks = NULL, *kid = NULL;
    int force = 0, weak = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", KEYGEN_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_TYPE:
            if (parse_type(optarg, &type) != 0)
                return ocv_cli_bad_usage("keygen: unknown --type '%s'", optarg);
            break;
        case OPT_BITS:
            if (ocv_parse_int64(optarg, &bits) != 0 || bits > 8192)
                return ocv_cli_bad_usage("keygen: --bits wants a number up to 8192");
            break;
        case 'o':
            out = optarg;
            break;
        case OPT_PUB:
            pub = optarg;
            break;
        case OPT_JWKS:
            jwks = optarg;
            break;
        case OPT_KID:
            kid = optarg;
            break;
        case OPT_FORCE:
            force = 1;
            break;
        case OPT_WEAK:
            weak = 1;
            break;
        case OPT_HELP:
            fputs(KEYGEN_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv, KEYGEN_USAGE);
        }
    }
    if (type == OCV_KEY_NONE || out == NULL)
        return ocv_cli_bad_usage("keygen: --type and -o are required (see --help)");
    if (optind < argc)
        return ocv_cli_bad_usage("keygen: unexpected argument '%s'", argv[optind]);
    if (type == OCV_KEY_RSA && bits < 2048 && !(weak && bits >= 1024))
        return ocv_cli_usage_error("keygen: RSA keys need 2048 bits or more");
    ocv_pkey key;
    if (ocv_pkey_generate(type, (unsigned)bits, &key) != OCV_OK)
        return ocv_cli_usage_error("keygen: key generation failed");
    ocv_bytes priv, public_pem;
    ocv_bytes_init(&public_pem);
    int code = OCV_EXIT_USAGE;
    if (ocv_pkey_write_private_pem(&key, &priv) != OCV_OK) {
        ocv_cli_usage_error("keygen: cannot encode the key");
        goto out;
    }
    if (pub != NULL && ocv_pkey_write_public_pem(&key, &public_pem) != OCV_OK) {
        ocv_cli_usage_error("keygen: cannot encode the public key");
        goto out;
    }
    if (ocv_cli_write_file(out, priv.data, priv.len, 1, force) != 0)
        goto out;
    if (pub != NULL && ocv_cli_write_file(pub, public_pem.data, public_pem.len, 0, force) != 0)
        goto out;
    if (jwks != NULL) {
        char *text = NULL;
        if (ocv_jwks_from_key(&key, kid, OCV_ALG_NONE, &text) != OCV_OK) {
            ocv_cli_usage_error("keygen: cannot write the JWK Set");
            goto out;
        }
        int rc = ocv_cli_write_file(jwks, text, strlen(text), 0, force);
        free(text);
        if (rc != 0)
            goto out;
    }
    code = OCV_EXIT_ALLOW;
out:
    ocv_bytes_free(&priv);
    ocv_bytes_free(&public_pem);
    ocv_pkey_free(&key);
    return code;
}
