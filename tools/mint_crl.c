/*
 * mint_crl.c - `ocv mint crl`: a v2 CRL signed by a CA's key.
 *
 * mbedtls 2.28 has no CRL writer, so the CertificateList of RFC 5280 §5.1
 * is written here with mbedtls's ASN.1 writer (which writes backwards,
 * from the end of the buffer, so the code lists fields last to first):
 *
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm,
 *                                  signatureValue BIT STRING }
 *   TBSCertList ::= SEQUENCE { version INTEGER (1 = v2), signature,
 *       issuer Name, thisUpdate Time, nextUpdate Time,
 *       revokedCertificates SEQUENCE OF SEQUENCE { userCertificate
 *           INTEGER, revocationDate Time } OPTIONAL,
 *       crlExtensions [0] EXPLICIT SEQUENCE OF Extension OPTIONAL }
 *
 * The issuer Name is the CA certificate's subject, copied byte for byte.
 * Times are UTCTime before 2050 and GeneralizedTime from 2050 on
 * (§5.1.2.4). ECDSA AlgorithmIdentifiers carry no parameters (RFC 5758),
 * RSA ones a NULL.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>

#include "base/rng.h"
#include "base/util.h"
#include "cli.h"
#include "mint.h"

static const char CRL_USAGE[] =
    "usage: ocv mint crl --issuer-cert CA.pem --issuer-key CA.key [--revoke SERIAL_HEX]...\n"
    "                    [--this-update UNIX] (--next-update UNIX | --valid-for DURATION)\n"
    "                    [--number N] [--md sha256|sha384|sha512|sha1] [--der]\n"
    "                    [--allow-key-mismatch] -o CRL\n"
    "\n"
    "Writes a v2 CRL signed by the CA's key, listing the given serial numbers.\n"
    "thisUpdate defaults to now; every listed serial's revocationDate is thisUpdate.\n"
    "--md sha1 exists only to make fixtures that ocv must refuse.\n"
    "--issuer-key must be --issuer-cert's key; --allow-key-mismatch signs with\n"
    "another one anyway, ONLY to forge test fixtures.\n";

#define MAX_REVOKED 1024
#define CRL_BUF     (1024 * 1024)

typedef struct crl_args {
    const char *issuer_cert, *issuer_key, *out;
    const char *revoked[MAX_REVOKED];
    size_t revoked_count;
    int64_t this_update, next_update, valid_for, number;
    int has_this_update, has_next_update, has_number, der, allow_mismatch;
    mbedtls_md_type_t md;
} crl_args;

/* Writes len bytes of mbedtls asn1write calls: each CHK adds to total. */
#define CHK(call)                                                                                  \
    do {                                                                                           \
        int ret_ = (call);                                                                         \
        if (ret_ < 0)                                                                              \
            return ret_;                                                                           \
        total += (size_t)ret_;                                                                     \
    } while (0)

static int write_time(unsigned char **p, unsigned char *start, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char text[20];
    if (gmtime_r(&tt, &tm) == NULL)
        return -1;
    int generalized = tm.tm_year + 1900 >= 2050;
    size_t n = strftime(text, sizeof(text), "%Y%m%d%H%M%SZ", &tm);
    if (n != 15)
        return -1;
    const char *body = generalized ? text : text + 2; /* UTCTime: two-digit year */
    n = generalized ? n : n - 2;
    size_t total = 0;
    CHK(mbedtls_asn1_write_raw_buffer(p, start, (const unsigned char *)body, n));
    CHK(mbedtls_asn1_write_len(p, start, n));
    CHK(mbedtls_asn1_write_tag(
        p, start, generalized ? MBEDTLS_ASN1_GENERALIZED_TIME : MBEDTLS_ASN1_UTC_TIME));
    return (int)total;
}

static int write_seq_head(unsigned char **p, unsigned char *start, size_t len)
{
    size_t total = 0;
    CHK(mbedtls_asn1_write_len(p, start, len));
    CHK(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    return (int)total;
}

static int write_sig_alg(unsigned char **p, unsigned char *start, mbedtls_pk_type_t pk,
                         mbedtls_md_type_t md)
{
    const char *oid;
    size_t oid_len;
    if (mbedtls_oid_get_oid_by_sig_alg(pk, md, &oid, &oid_len) != 0)
        return -1;
    size_t total = 0;
    if (pk == MBEDTLS_PK_RSA)
        CHK(mbedtls_asn1_write_null(p, start));
    CHK(mbedtls_asn1_write_oid(p, start, oid, oid_len));
    CHK(write_seq_head(p, start, total));
    return (int)total;
}

/* crlExtensions [0] EXPLICIT SEQUENCE { Extension { cRLNumber, OCTET
 * STRING { INTEGER } } } */
static int write_extensions(unsigned char **p, unsigned char *start, int64_t number)
{
    size_t total = 0;
    CHK(mbedtls_asn1_write_int(p, start, (int)number));
    CHK(mbedtls_asn1_write_len(p, start, total));
    CHK(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_OCTET_STRING));
    CHK(mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_CRL_NUMBER,
                               MBEDTLS_OID_SIZE(MBEDTLS_OID_CRL_NUMBER)));
    CHK(write_seq_head(p, start, total));
    CHK(write_seq_head(p, start, total));
    CHK(mbedtls_asn1_write_len(p, start, total));
    CHK(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED));
    return (int)total;
}

static int write_revoked(unsigned char **p, unsigned char *start, const crl_args *a)
{
    size_t total = 0;
    for (size_t i = a->revoked_count; i-- > 0;) {
        size_t entry = 0;
        mbedtls_mpi serial;
        mbedtls_mpi_init(&serial);
        int ret = mbedtls_mpi_read_string(&serial, 16, a->revoked[i]);
        int n = ret == 0 ? write_time(p, start, a->this_update) : -1;
        if (n >= 0) {
            entry += (size_t)n;
            n = mbedtls_asn1_write_mpi(p, start, &serial);
        }
        mbedtls_mpi_free(&serial);
        if (n < 0)
            return -1;
        entry += (size_t)n;
        n = write_seq_head(p, start, entry);
        if (n < 0)
            return n;
        total += entry + (size_t)n;
    }
    CHK(write_seq_head(p, start, total));
    return (int)total;
}

static int write_tbs(unsigned char **p, unsigned char *start, const crl_args *a,
                     const mbedtls_x509_crt *issuer, mbedtls_pk_type_t pk)
{
    size_t total = 0;
    CHK(write_extensions(p, start, a->has_number ? a->number : 1));
    if (a->revoked_count > 0)
        CHK(write_revoked(p, start, a));
    CHK(write_time(p, start, a->next_update));
    CHK(write_time(p, start, a->this_update));
    CHK(mbedtls_asn1_write_raw_buffer(p, start, issuer->subject_raw.p, issuer->subject_raw.len));
    CHK(write_sig_alg(p, start, pk, a->md));
    CHK(mbedtls_asn1_write_int(p, start, 1));
    CHK(write_seq_head(p, start, total));
    return (int)total;
}

static int sign_crl(const crl_args *a, const mbedtls_x509_crt *issuer, ocv_pkey *key,
                    unsigned char *buf, size_t size, size_t *out_len)
{
    mbedtls_pk_type_t pk =
        mbedtls_pk_get_type(&key->pk) == MBEDTLS_PK_RSA ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECDSA;
    /* the TBS is written in the upper half, the whole CRL in the lower */
    unsigned char *half = buf + size / 2;
    unsigned char *p = buf + size;
    int tbs_len = write_tbs(&p, half, a, issuer, pk);
    if (tbs_len < 0)
        return -1;
    const unsigned char *tbs = p;
    unsigned char hash[MBEDTLS_MD_MAX_SIZE], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(a->md);
    if (md == NULL || mbedtls_md(md, tbs, (size_t)tbs_len, hash) != 0 ||
        mbedtls_pk_sign(&key->pk, a->md, hash, mbedtls_md_get_size(md), sig, &sig_len, ocv_rng,
                        NULL) != 0)
        return -1;
    p = half;
    size_t total = 0;
    CHK(mbedtls_asn1_write_bitstring(&p, buf, sig, sig_len * 8));
    CHK(write_sig_alg(&p, buf, pk, a->md));
    CHK(mbedtls_asn1_write_raw_buffer(&p, buf, tbs, (size_t)tbs_len));
    CHK(write_seq_head(&p, buf, total));
    memmove(buf, p, total);
    *out_len = total;
    return 0;
}

static int write_crl(const crl_args *a)
{
    mbedtls_x509_crt issuer;
    mbedtls_x509_crt_init(&issuer);
    ocv_pkey key;
    ocv_pkey_init(&key);
    unsigned char *buf = malloc(CRL_BUF);
    unsigned char *pem = malloc(2 * CRL_BUF);
    int rc = OCV_EXIT_USAGE;
    size_t len = 0, pem_len = 0;
    if (buf == NULL || pem == NULL) {
        ocv_cli_usage_error("out of memory");
        goto out;
    }
    if (ocv_mint_load_issuer(a->issuer_cert, a->issuer_key, a->allow_mismatch, &issuer, &key) != 0)
        goto out;
    if (sign_crl(a, &issuer, &key, buf, CRL_BUF, &len) != 0) {
        ocv_cli_usage_error("mint crl: cannot encode or sign (bad --revoke serial?)");
        goto out;
    }
    if (a->der) {
        rc = ocv_cli_write_file(a->out, buf, len, 0, 1) == 0 ? OCV_EXIT_ALLOW : OCV_EXIT_USAGE;
        goto out;
    }
    if (mbedtls_pem_write_buffer("-----BEGIN X509 CRL-----\n", "-----END X509 CRL-----\n", buf, len,
                                 pem, 2 * CRL_BUF, &pem_len) != 0) {
        ocv_cli_usage_error("mint crl: cannot write PEM");
        goto out;
    }
    rc = ocv_cli_write_file(a->out, pem, strlen((char *)pem), 0, 1) == 0 ? OCV_EXIT_ALLOW
                                                                         : OCV_EXIT_USAGE;
out:
    free(buf);
    free(pem);
    mbedtls_x509_crt_free(&issuer);
    ocv_pkey_free(&key);
    return rc;
}

enum {
    OPT_ISSUER_CERT = 256,
    OPT_ISSUER_KEY,
    OPT_REVOKE,
    OPT_THIS,
    OPT_NEXT,
    OPT_VALID_FOR,
    OPT_NUMBER,
    OPT_MD,
    OPT_DER,
    OPT_ALLOW_MISMATCH,
    OPT_HELP
};

static const struct option CRL_OPTIONS[] = {
    {"issuer-cert", required_argument, NULL, OPT_ISSUER_CERT},
    {"issuer-key", required_argument, NULL, OPT_ISSUER_KEY},
    {"revoke", required_argument, NULL, OPT_REVOKE},
    {"this-update", required_argument, NULL, OPT_THIS},
    {"next-update", required_argument, NULL, OPT_NEXT},
    {"valid-for", required_argument, NULL, OPT_VALID_FOR},
    {"number", required_argument, NULL, OPT_NUMBER},
    {"md", required_argument, NULL, OPT_MD},
    {"der", no_argument, NULL, OPT_DER},
    {"allow-key-mismatch", no_argument, NULL, OPT_ALLOW_MISMATCH},
    {"help", no_argument, NULL, OPT_HELP},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static int crl_option(int opt, const char *arg, crl_args *a)
{
    switch (opt) {
    case OPT_ISSUER_CERT:
        a->issuer_cert = arg;
        break;
    case OPT_ISSUER_KEY:
        a->issuer_key = arg;
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
    case OPT_REVOKE:
        if (a->revoked_count >= MAX_REVOKED)
            return ocv_cli_bad_usage("mint crl: at most %d --revoke", MAX_REVOKED);
        a->revoked[a->revoked_count++] = arg;
        break;
    case OPT_THIS:
    case OPT_NEXT: {
        int64_t *t = opt == OPT_THIS ? &a->this_update : &a->next_update;
        if (ocv_cli_parse_time(arg, t) != 0)
            return ocv_cli_bad_usage("mint crl: times are UNIX seconds, not '%s'", arg);
        *(opt == OPT_THIS ? &a->has_this_update : &a->has_next_update) = 1;
        break;
    }
    case OPT_VALID_FOR:
        if (ocv_parse_duration(arg, &a->valid_for) != 0 || a->valid_for == 0)
            return ocv_cli_bad_usage("mint crl: bad --valid-for '%s'", arg);
        break;
    case OPT_NUMBER:
        if (ocv_parse_int64(arg, &a->number) != 0 || a->number > 0x7fffffff)
            return ocv_cli_bad_usage("mint crl: --number wants 0..2147483647");
        a->has_number = 1;
        break;
    case OPT_MD:
        if (ocv_mint_md(arg, &a->md) != 0)
            return ocv_cli_bad_usage("mint crl: --md wants sha256, sha384, sha512 or sha1");
        break;
    case OPT_HELP:
        fputs(CRL_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    default:
        return ocv_cli_bad_option(NULL, CRL_USAGE);
    }
    return -1;
}

int ocv_mint_crl(int argc, char **argv)
{
    crl_args a;
    memset(&a, 0, sizeof(a));
    a.md = MBEDTLS_MD_SHA256;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:", CRL_OPTIONS, NULL)) != -1) {
        int stop = opt == '?' ? ocv_cli_bad_option(argv, CRL_USAGE) : crl_option(opt, optarg, &a);
        if (stop >= 0)
            return stop;
    }
    if (optind < argc)
        return ocv_cli_bad_usage("mint crl: unexpected argument '%s'", argv[optind]);
    if (a.issuer_cert == NULL || a.issuer_key == NULL || a.out == NULL)
        return ocv_cli_bad_usage("mint crl: --issuer-cert, --issuer-key and -o are required");
    if (a.has_next_update == (a.valid_for != 0))
        return ocv_cli_bad_usage("mint crl: give one of --next-update or --valid-for");
    if (!a.has_this_update)
        a.this_update = ocv_now();
    if (!a.has_next_update)
        a.next_update = a.this_update + a.valid_for;
    if (a.next_update <= a.this_update)
        return ocv_cli_usage_error("mint crl: nextUpdate must be after thisUpdate");
    return write_crl(&a);
}
