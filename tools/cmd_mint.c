/*
 * cmd_mint.c - `ocv mint`: test credentials. `ocv mint cert` issues
 * certificates with mbedtls's writer; `ocv mint crl` (mint_crl.c) writes
 * CRLs. For tests, demos and fixtures: a real CA keeps its keys elsewhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "base/rng.h"
#include "base/util.h"
#include "cli.h"
#include "mint.h"
#include "verifier/dn.h"
#include "verifier/pkey.h"

static const char MINT_USAGE[] =
    "usage: ocv mint cert|crl|token [options]  ('ocv mint cert --help')\n";

static const char CERT_USAGE[] =
    "usage: ocv mint cert (--key SUBJECT.key | --pub SUBJECT.pub) --subject DN\n"
    "                     [--issuer-cert CA.pem --issuer-key CA.key] [--ca]\n"
    "                     [--path-len N] [--uri URI]... [--dns NAME]... [--serial HEX]\n"
    "                     [--not-before UNIX] [--not-after UNIX | --valid-for DURATION]\n"
    "                     [--key-usage LIST|none] [--eku LIST|none]\n"
    "                     [--md sha256|sha384|sha512|sha1] [--der]\n"
    "                     [--allow-key-mismatch] -o CERT\n"
    "\n"
    "Issues an X.509 v3 certificate. Without --issuer-cert it is self-signed with\n"
    "--key. Defaults: leaves get keyUsage digitalSignature and EKU clientAuth and\n"
    "live 1h; CAs (--ca) get keyCertSign,cRLSign and live 10 years.\n"
    "\n"
    "  --subject DN        e.g. \"CN=web,O=example\"\n"
    "  --uri URI           a URI SAN (the SPIFFE ID); repeatable\n"
    "  --dns NAME          a DNS SAN; repeatable\n"
    "  --serial HEX        serial number (default: 16 random bytes)\n"
    "  --key-usage LIST    digitalSignature,keyEncipherment,keyAgreement,\n"
    "                      keyCertSign,cRLSign, or none\n"
    "  --eku LIST          clientAuth,serverAuth, or none\n"
    "  --md sha1           only to make fixtures that ocv must refuse\n"
    "  --der               write DER instead of PEM\n"
    "  --allow-key-mismatch  sign with an --issuer-key that is not --issuer-cert's\n"
    "                      (refused otherwise): ONLY for forged test fixtures\n";

/* ---- shared helpers ------------------------------------------------ */

int ocv_mint_md(const char *name, mbedtls_md_type_t *out)
{
    static const struct {
        const char *name;
        mbedtls_md_type_t md;
    } mds[] = {{"sha256", MBEDTLS_MD_SHA256},
               {"sha384", MBEDTLS_MD_SHA384},
               {"sha512", MBEDTLS_MD_SHA512},
               {"sha1", MBEDTLS_MD_SHA1}};
    for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
        if (strcmp(name, mds[i].name) == 0) {
            *out = mds[i].md;
            return 0;
        }
    }
    return -1;
}

int ocv_mint_time_string(int64_t t, char out[16])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t < 0 || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999)
        return -1;
    return strftime(out, 16, "%Y%m%d%H%M%S", &tm) == 14 ? 0 : -1;
}

int ocv_mint_load_issuer(const char *cert_path, const char *key_path, int allow_mismatch,
                         mbedtls_x509_crt *crt, ocv_pkey *key)
{
    char err[512] = "";
    ocv_bytes file;
    if (ocv_file_read(cert_path, 1024 * 1024, &file, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return -1;
    }
    int ret = mbedtls_x509_crt_parse(crt, file.data, file.len + 1);
    ocv_bytes_free(&file);
    if (ret != 0) {
        ocv_cli_usage_error("%s: not a certificate", cert_path);
        return -1;
    }
    if (ocv_pkey_load_file(key_path, 1, 1, key, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        return -1;
    }
    if (key->type == OCV_KEY_ED25519) {
        ocv_cli_usage_error("%s: Ed25519 cannot sign X.509 here (mbedtls 2.28)", key_path);
        return -1;
    }
    /* a key that is not the certificate's would sign something no one can
     * verify against the issuer: refuse it instead of writing it */
    if (!allow_mismatch && mbedtls_pk_check_pair(&crt->pk, &key->pk) != 0) {
        ocv_cli_usage_error("%s is not the private key of %s (its public key differs)", key_path,
                            cert_path);
        return -1;
    }
    return 0;
}

int ocv_mint_random_serial(mbedtls_mpi *serial)
{
    unsigned char bytes[16];
    if (ocv_rng(NULL, bytes, sizeof(bytes)) != 0)
        return -1;
    bytes[0] &= 0x7f; /* positive */
    bytes[0] |= 0x01; /* and 16 bytes long */
    return mbedtls_mpi_read_binary(serial, bytes, sizeof(bytes));
}

/* ---- cert ---------------------------------------------------------- */

#define MAX_SANS 16

typedef struct cert_args {
    const char *key, *pub, *subject, *issuer_cert, *issuer_key, *serial, *out;
    const char *uris[MAX_SANS];
    size_t uri_count;
    const char *dns[MAX_SANS];
    size_t dns_count;
    int ca, der, has_path_len, has_not_before, has_not_after, allow_mismatch;
    int64_t path_len, not_before, not_after, valid_for;
    const char *key_usage, *eku;
    mbedtls_md_type_t md;
} cert_args;

/* SubjectAltName ::= SEQUENCE OF GeneralName; uniformResourceIdentifier
 * [6] IA5String, dNSName [2] IA5String (RFC 5280 §4.2.1.6). Written
 * backwards, as mbedtls's asn1write does. */
static int write_san(const cert_args *a, unsigned char *buf, size_t size, size_t *len)
{
    unsigned char *p = buf + size;
    size_t total = 0;
    int ret;
    for (size_t i = a->dns_count; i-- > 0;) {
        size_t n = strlen(a->dns[i]);
        if ((ret = mbedtls_asn1_write_tagged_string(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2,
                                                    a->dns[i], n)) < 0)
            return ret;
        total += (size_t)ret;
    }
    for (size_t i = a->uri_count; i-- > 0;) {
        size_t n = strlen(a->uris[i]);
        if ((ret = mbedtls_asn1_write_tagged_string(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6,
                                                    a->uris[i], n)) < 0)
            return ret;
        total += (size_t)ret;
    }
    if ((ret = mbedtls_asn1_write_len(&p, buf, total)) < 0)
        return ret;
    total += (size_t)ret;
    if ((ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) <
        0)
        return ret;
    total += (size_t)ret;
    memmove(buf, p, total);
    *len = total;
    return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
static int write_eku(int client, int server, unsigned char *buf, size_t size, size_t *len)
{
    unsigned char *p = buf + size;
    size_t total = 0;
    int ret;
    if (server) {
        if ((ret = mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_SERVER_AUTH,
                                          MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) < 0)
            return ret;
        total += (size_t)ret;
    }
    if (client) {
        if ((ret = mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_CLIENT_AUTH,
                                          MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH))) < 0)
            return ret;
        total += (size_t)ret;
    }
    if ((ret = mbedtls_asn1_write_len(&p, buf, total)) < 0)
        return ret;
    total += (size_t)ret;
    if ((ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) <
        0)
        return ret;
    total += (size_t)ret;
    memmove(buf, p, total);
    *len = total;
    return 0;
}

static int parse_key_usage(const char *list, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"digitalSignature", MBEDTLS_X509_KU_DIGITAL_SIGNATURE},
                 {"keyEncipherment", MBEDTLS_X509_KU_KEY_ENCIPHERMENT},
                 {"keyAgreement", MBEDTLS_X509_KU_KEY_AGREEMENT},
                 {"keyCertSign", MBEDTLS_X509_KU_KEY_CERT_SIGN},
                 {"cRLSign", MBEDTLS_X509_KU_CRL_SIGN}};
    *out = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        for (; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
                break;
        }
        if (i == sizeof(names) / sizeof(names[0]))
            return -1;
        *out |= names[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    return *out ? 0 : -1;
}

static int parse_eku(const char *list, int *client, int *server)
{
    *client = *server = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 10 && strncmp(p, "clientAuth", n) == 0)
            *client = 1;
        else if (n == 10 && strncmp(p, "serverAuth", n) == 0)
            *server = 1;
        else
            return -1;
        p += n;
        if (*p == ',')
            p++;
    }
    return *client || *server ? 0 : -1;
}

static int set_extensions(mbedtls_x509write_cert *crt, const cert_args *a)
{
    unsigned char buf[4096];
    size_t len = 0;
    if (mbedtls_x509write_crt_set_basic_constraints(crt, a->ca,
                                                    a->has_path_len ? (int)a->path_len : -1) != 0)
        return ocv_cli_usage_error("mint cert: cannot write basicConstraints");
    if (mbedtls_x509write_crt_set_subject_key_identifier(crt) != 0 ||
        mbedtls_x509write_crt_set_authority_key_identifier(crt) != 0)
        return ocv_cli_usage_error("mint cert: cannot write key identifiers");
    const char *ku = a->key_usage ? a->key_usage
                     : a->ca      ? "keyCertSign,cRLSign"
                                  : "digitalSignature";
    if (strcmp(ku, "none") != 0) {
        unsigned bits;
        if (parse_key_usage(ku, &bits) != 0)
            return ocv_cli_bad_usage("mint cert: bad --key-usage '%s'", ku);
        if (mbedtls_x509write_crt_set_key_usage(crt, bits) != 0)
            return ocv_cli_usage_error("mint cert: cannot write keyUsage");
    }
    const char *eku = a->eku ? a->eku : a->ca ? "none" : "clientAuth";
    if (strcmp(eku, "none") != 0) {
        int client, server;
        if (parse_eku(eku, &client, &server) != 0)
            return ocv_cli_bad_usage("mint cert: bad --eku '%s'", eku);
        if (write_eku(client, server, buf, sizeof(buf), &len) != 0 ||
            mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
                                                buf, len) != 0)
            return ocv_cli_usage_error("mint cert: cannot write extendedKeyUsage");
    }
    if (a->uri_count + a->dns_count > 0) {
        if (write_san(a, buf, sizeof(buf), &len) != 0 ||
            mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
                                                buf, len) != 0)
            return ocv_cli_usage_error("mint cert: cannot write subjectAltName");
    }
    return 0;
}

static int set_validity(mbedtls_x509write_cert *crt, const cert_args *a)
{
    int64_t nb = a->has_not_before ? a->not_before : ocv_now();
    int64_t na = a->has_not_after ? a->not_after
                 : a->valid_for   ? nb + a->valid_for
                                  : nb + (a->ca ? 3650 * 86400ll : 3600);
    char from[16], to[16];
    if (na < nb || ocv_mint_time_string(nb, from) != 0 || ocv_mint_time_string(na, to) != 0)
        return ocv_cli_usage_error("mint cert: validity out of range");
    if (mbedtls_x509write_crt_set_validity(crt, from, to) != 0)
        return ocv_cli_usage_error("mint cert: cannot set validity");
    return 0;
}

static int set_serial(mbedtls_x509write_cert *crt, const cert_args *a)
{
    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    int ret = a->serial ? mbedtls_mpi_read_string(&serial, 16, a->serial)
                        : ocv_mint_random_serial(&serial);
    if (ret == 0 && mbedtls_mpi_cmp_int(&serial, 0) <= 0)
        ret = -1;
    if (ret == 0)
        ret = mbedtls_x509write_crt_set_serial(crt, &serial);
    mbedtls_mpi_free(&serial);
    if (ret != 0)
        return ocv_cli_bad_usage("mint cert: bad --serial (positive hex)");
    return 0;
}

static int write_cert(mbedtls_x509write_cert *crt, const cert_args *a)
{
    unsigned char *buf = malloc(16384);
    if (buf == NULL)
        return ocv_cli_usage_error("out of memory");
    int rc;
    if (a->der) {
        int n = mbedtls_x509write_crt_der(crt, buf, 16384, ocv_rng, NULL);
        rc = n <= 0 ? ocv_cli_usage_error("mint cert: signing failed")
                    : ocv_cli_write_file(a->out, buf + 16384 - n, (size_t)n, 0, 1);
    } else {
        rc = mbedtls_x509write_crt_pem(crt, buf, 16384, ocv_rng, NULL) != 0
                 ? ocv_cli_usage_error("mint cert: signing failed")
                 : ocv_cli_write_file(a->out, buf, strlen((char *)buf), 0, 1);
    }
    free(buf);
    return rc;
}

static int issue_cert(const cert_args *a)
{
    ocv_pkey subject, issuer_key;
    ocv_pkey_init(&subject);
    ocv_pkey_init(&issuer_key);
    mbedtls_x509_crt issuer;
    mbedtls_x509_crt_init(&issuer);
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    char err[512] = "", issuer_name[1024];
    int rc = OCV_EXIT_USAGE;
    int self = a->issuer_cert == NULL;
    const char *subject_path = a->key ? a->key : a->pub;
    if (ocv_pkey_load_file(subject_path, a->key != NULL, 1, &subject, err, sizeof(err)) != OCV_OK) {
        ocv_cli_usage_error("%s", err);
        goto out;
    }
    if (subject.type == OCV_KEY_ED25519) {
        ocv_cli_usage_error("mint cert: Ed25519 certificates are not supported (mbedtls 2.28)");
        goto out;
    }
    if (!self && ocv_mint_load_issuer(a->issuer_cert, a->issuer_key, a->allow_mismatch, &issuer,
                                      &issuer_key) != 0)
        goto out;
    /* UTF-8 kept (verifier/dn.h): dn_gets would write '?' into the name */
    if (!self && ocv_dn_format(&issuer.subject, issuer_name, sizeof(issuer_name)) != 0) {
        ocv_cli_usage_error("mint cert: issuer name too long");
        goto out;
    }
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, a->md);
    mbedtls_x509write_crt_set_subject_key(&crt, &subject.pk);
    mbedtls_x509write_crt_set_issuer_key(&crt, self ? &subject.pk : &issuer_key.pk);
    if (mbedtls_x509write_crt_set_subject_name(&crt, a->subject) != 0 ||
        mbedtls_x509write_crt_set_issuer_name(&crt, self ? a->subject : issuer_name) != 0) {
        ocv_cli_bad_usage("mint cert: bad --subject '%s'", a->subject);
        goto out;
    }
    if (set_serial(&crt, a) != 0 || set_validity(&crt, a) != 0 || set_extensions(&crt, a) != 0)
        goto out;
    rc = write_cert(&crt, a) == 0 ? OCV_EXIT_ALLOW : OCV_EXIT_USAGE;
out:
    mbedtls_x509write_crt_free(&crt);
    mbedtls_x509_crt_free(&issuer);
    ocv_pkey_free(&subject);
    ocv_pkey_free(&issuer_key);
    return rc;
}

enum {
    OPT_KEY = 256,
    OPT_PUB,
    OPT_SUBJECT,
    OPT_ISSUER_CERT,
    OPT_ISSUER_KEY,
    OPT_CA,
    OPT_PATH_LEN,
    OPT_URI,
    OPT_DNS,
    OPT_SERIAL,
    OPT_NOT_BEFORE,
    OPT_NOT_AFTER,
    OPT_VALID_FOR,
    OPT_KEY_USAGE,
    OPT_EKU,
    OPT_MD,
    OPT_DER,
    OPT_ALLOW_MISMATCH,
    OPT_HELP
};

static const struct option CERT_OPTIONS[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"pub", required_argument, NULL, OPT_PUB},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"issuer-cert", required_argument, NULL, OPT_ISSUER_CERT},
    {"issuer-key", required_argument, NULL, OPT_ISSUER_KEY},
    {"ca", no_argument, NULL, OPT_CA},
    {"path-len", required_argument, NULL, OPT_PATH_LEN},
    {"uri", required_argument, NULL, OPT_URI},
    {"dns", required_argument, NULL, OPT_DNS},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"not-before", required_argument, NULL, OPT_NOT_BEFORE},
    {"not-after", required_argument, NULL, OPT_NOT_AFTER},
    {"valid-for", required_argument, NULL, OPT_VALID_FOR},
    {"key-usage", required_argument, NULL, OPT_KEY_USAGE},
    {"eku", required_argument, NULL, OPT_EKU},
    {"md", required_argument, NULL, OPT_MD},
    {"der", no_argument, NULL, OPT_DER},
    {"allow-key-mismatch", no_argument, NULL, OPT_ALLOW_MISMATCH},
    {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static int cert_option(int opt, const char *arg, cert_args *a)
{
    switch (opt) {
    case OPT_KEY:
        a->key = arg;
        break;
    case OPT_PUB:
        a->pub = arg;
        break;
    case OPT_SUBJECT:
        a->subject = arg;
        break;
    case OPT_ISSUER_CERT:
        a->issuer_cert = arg;
        break;
    case OPT_ISSUER_KEY:
        a->issuer_key = arg;
        break;
    case OPT_CA:
        a->ca = 1;
        break;
    case OPT_SERIAL:
        a->serial = arg;
        break;
    case OPT_KEY_USAGE:
        a->key_usage = arg;
        break;
    case OPT_EKU:
        a->eku = arg;
        break;
    case OPT_DER:
        a->der = 1;
        break;
    case OPT_ALLOW_MISMATCH:
        a->allow_mismatch = 1;
        break;
    case 'o':
        a->out = arg;
        break;
    case OPT_URI:
    case OPT_DNS: {
        int uri = opt == OPT_URI;
        size_t *n = uri ? &a->uri_count : &a->dns_count;
        if (*n >= MAX_SANS)
            return ocv_cli_bad_usage("mint cert: at most %d of each SAN type", MAX_SANS);
        (uri ? a->uris : a->dns)[(*n)++] = arg;
        break;
    }
    case OPT_PATH_LEN:
        if (ocv_parse_int64(arg, &a->path_len) != 0 || a->path_len > 100)
            return ocv_cli_usage_error("mint cert: bad --path-len");
        a->has_path_len = 1;
        break;
    case OPT_NOT_BEFORE:
    case OPT_NOT_AFTER: {
        int64_t *t = opt == OPT_NOT_BEFORE ? &a->not_before : &a->not_after;
        if (ocv_cli_parse_time(arg, t) != 0)
            return ocv_cli_bad_usage("mint cert: times are UNIX seconds, not '%s'", arg);
        *(opt == OPT_NOT_BEFORE ? &a->has_not_before : &a->has_not_after) = 1;
        break;
    }
    case OPT_VALID_FOR:
        if (ocv_parse_duration(arg, &a->valid_for) != 0 || a->valid_for == 0)
            return ocv_cli_bad_usage("mint cert: bad --valid-for '%s' (e.g. 1h, 30d)", arg);
        break;
    case OPT_MD:
        if (ocv_mint_md(arg, &a->md) != 0)
            return ocv_cli_bad_usage("mint cert: --md wants sha256, sha384, sha512 or sha1");
        break;
    case OPT_HELP:
        fputs(CERT_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    default:
        return ocv_cli_bad_option(NULL, CERT_USAGE);
    }
    return -1;
}

static int mint_cert(int argc, char **argv)
{
    cert_args a;
    memset(&a, 0, sizeof(a));
    a.md = MBEDTLS_MD_SHA256;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:", CERT_OPTIONS, NULL)) != -1) {
        int stop = opt == '?' ? ocv_cli_bad_option(argv, CERT_USAGE) : cert_option(opt, optarg, &a);
        if (stop >= 0)
            return stop;
    }
    if (optind < argc)
        return ocv_cli_bad_usage("mint cert: unexpected argument '%s'", argv[optind]);
    if ((a.key == NULL) == (a.pub == NULL))
        return ocv_cli_bad_usage("mint cert: give exactly one of --key or --pub");
    if (a.subject == NULL || a.out == NULL)
        return ocv_cli_bad_usage("mint cert: --subject and -o are required");
    if ((a.issuer_cert == NULL) != (a.issuer_key == NULL))
        return ocv_cli_bad_usage("mint cert: --issuer-cert and --issuer-key go together");
    if (a.issuer_cert == NULL && a.key == NULL)
        return ocv_cli_bad_usage("mint cert: a self-signed certificate needs --key");
    if (a.has_not_after && a.valid_for)
        return ocv_cli_bad_usage("mint cert: --not-after or --valid-for, not both");
    return issue_cert(&a);
}

typedef struct mint_kind {
    const char *name;
    int (*run)(int argc, char **argv);
} mint_kind;

static const mint_kind MINT_KINDS[] = {
    {"cert", mint_cert},
    {"crl", ocv_mint_crl},
    {"token", ocv_mint_token},
};

int ocv_cmd_mint(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("mint: give a kind (cert, crl, token)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(MINT_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    for (size_t i = 0; i < sizeof(MINT_KINDS) / sizeof(MINT_KINDS[0]); i++) {
        if (strcmp(argv[1], MINT_KINDS[i].name) == 0)
            return MINT_KINDS[i].run(argc - 1, argv + 1);
    }
    return ocv_cli_bad_usage("mint: unknown kind '%s' (cert, crl, token)", argv[1]);
}
