/*
 * fuzz_support.h - shared by the libFuzzer targets (header only, static
 * functions): the fixed test material the seed corpora were minted with
 * (tests/fuzz/README.md says how), and a scratch file for parsers that
 * read a path. Not part of libocv.
 */
#ifndef OCV_FUZZ_SUPPORT_H
#define OCV_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Trust anchor "CN=Fuzz Root,O=ocv fuzz" (P-256). The x509 and crl seeds
 * chain to it: valid from 1790000000 for 10 years. */
static const char fuzz_root_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVegAwIBAgIQV0m7UZy1WlTGG0CZToBn3zAMBggqhkjOPQQDAgUAMCcx\n"
    "EjAQBgNVBAMMCUZ1enogUm9vdDERMA8GA1UECgwIb2N2IGZ1enowHhcNMjYwOTIx\n"
    "MTQxMzIwWhcNMzYwOTE4MTQxMzIwWjAnMRIwEAYDVQQDDAlGdXp6IFJvb3QxETAP\n"
    "BgNVBAoMCG9jdiBmdXp6MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnAXhteUj\n"
    "nxaHmZ4p6hUSc59QFcTe6kA2G8hoiYpMQLXV4iv6d6Rwy/ql+TqeQ2icdEQBWKHa\n"
    "KEB0yUDtju9m9aNjMGEwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUI3RdLM9Y\n"
    "MnqICXq+QDeAPARvT+IwHwYDVR0jBBgwFoAUI3RdLM9YMnqICXq+QDeAPARvT+Iw\n"
    "DgYDVR0PAQH/BAQDAgEGMAwGCCqGSM49BAMCBQADSAAwRQIhAJiPeEdHji1JBJPf\n"
    "zdl0MKOb2vBCY35IxwTpMa6VM7A+AiAjllUraGlYjVo1ItE/AtOWJEPzbAgWj2Jm\n"
    "zMEqrKuPRQ==\n"
    "-----END CERTIFICATE-----\n";

/* "CN=Fuzz Intermediate,O=ocv fuzz", issued by the root, and the leaf
 * "CN=web" (URI SAN spiffe://example.org/ns/demo/sa/web, serial 0badc0de)
 * it issued: the chain the crl target checks CRLs against. */
static const char fuzz_inter_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBvDCCAV+gAwIBAgIQaW1EIjsHMK4LmFqwDy4Q5jAMBggqhkjOPQQDAgUAMCcx\n"
    "EjAQBgNVBAMMCUZ1enogUm9vdDERMA8GA1UECgwIb2N2IGZ1enowHhcNMjYwOTIx\n"
    "MTQxMzIwWhcNMzYwOTE4MTQxMzIwWjAvMRowGAYDVQQDDBFGdXp6IEludGVybWVk\n"
    "aWF0ZTERMA8GA1UECgwIb2N2IGZ1enowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
    "AAQLZDTkkaRL19qGBQwL5eC2ENoopYr4ZVbE6qnB+K3+yKY5GdI+G6xRCnNcAKex\n"
    "4qyNZfughMWb8YqtM0qrQqS2o2MwYTAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQW\n"
    "BBSPhP20/e89MhNT/qQKx6oCP54tXjAfBgNVHSMEGDAWgBQjdF0sz1gyeogJer5A\n"
    "N4A8BG9P4jAOBgNVHQ8BAf8EBAMCAQYwDAYIKoZIzj0EAwIFAANJADBGAiEA95m9\n"
    "LdJKFbjVvQrGCSDy67odjI6316HPPq7Q/pwS8tICIQDi1ub4OQeAykh5ocafeMvA\n"
    "vN1TvZVzdCN/LkAkU5/Emw==\n"
    "-----END CERTIFICATE-----\n";
static const char fuzz_leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB2DCCAXugAwIBAgIEC63A3jAMBggqhkjOPQQDAgUAMC8xGjAYBgNVBAMMEUZ1\n"
    "enogSW50ZXJtZWRpYXRlMREwDwYDVQQKDAhvY3YgZnV6ejAeFw0yNjA5MjExNDEz\n"
    "MjBaFw0zNjA5MTgxNDEzMjBaMA4xDDAKBgNVBAMMA3dlYjBZMBMGByqGSM49AgEG\n"
    "CCqGSM49AwEHA0IABO6dVrwT/jqf2AtBvUJUhulLbJYpRyWWF3KbErBY4nlFUXSM\n"
    "fQ6ImlL1/UhkL0lEqrHGKSjnSrQdJC1paBbrQ+SjgaMwgaAwCQYDVR0TBAIwADAd\n"
    "BgNVHQ4EFgQUqPmRQKo6L5jvDAC7e+A5ZeBM4O4wHwYDVR0jBBgwFoAUj4T9tP3v\n"
    "PTITU/6kCseqAj+eLV4wDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUF\n"
    "BwMCMC4GA1UdEQQnMCWGI3NwaWZmZTovL2V4YW1wbGUub3JnL25zL2RlbW8vc2Ev\n"
    "d2ViMAwGCCqGSM49BAMCBQADSQAwRgIhANKEPpPtoxXYoiXt/SPXFPdUq+fWAIfo\n"
    "ssF+F4XDyPWiAiEAyU340AJpwrupzgnVcR1uYBnVSM0ux1wuiApvPKjQcqI=\n"
    "-----END CERTIFICATE-----\n";

/* The issuer keys the jwt, cwt and cose_sign1 seeds are signed with:
 * k-es (ES256), k-ed (EdDSA), k-rs (RSA 2048), k-es384 (ES384). */
static const char fuzz_jwks[] =
    "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"TTVD3n4gIDyOah1Bz78vMnKMRwjzvErHE0tm0xCEv9g\", \"y\": \"yse_Hyo5YBsVy9tPazT1h2ubLPET9mXUY8w0RaAQMFk\", \"kid\": \"k-es\", \"use\": \"sig\"}, {\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": \"kcZZsSeSuK1epECs6Y6GUkhE8QqMJmW7gdsRABWgQxo\", \"kid\": \"k-ed\", \"use\": \"sig\"}, {\"kty\": \"RSA\", \"n\": \"s5bKC-r8trobBtQJMRcvUG0IW9tYvq-4rt9Z0iMPLMsv8Xhy6MWOOQY0W2MyXFkdKnK_za_iw3hfYwqZkTS1GoXZlgXFpPPZwuPavROqKJhcmySxLrxkIfrkYezs37b1DpPiVBFEHnXqth1KWUU7njKkFzBgVLvaNsPL-ykmj_cM-zyRboNCnUYJ9RYOPCLeY5QVFEj4cKPoAmoZW0HKvIcdpm77v3HO2luYxWZVpzeM99DDOl-6rS6s80sno59Go_6P1Z6SOCB7AyU21lV9KqXU9CzvU07Ky3OQGTcCb5EFmxKg3TXd24PPG762KUt24gx6jUy3z3Jz_rVY9cQO7w\", \"e\": \"AQAB\", \"kid\": \"k-rs\", \"use\": \"sig\"}, {\"kty\": \"EC\", \"crv\": \"P-384\", \"x\": \"s_E7IIGYfz44QcH_eHgujn540N1Ok1O6sikNBsaY0b_NETMdyyG7gi4dA06x2129\", \"y\": \"up_kVooRB9yuansQSNI7cHVZY5h2eNiEt2NG0PAceDzgzsEiMlBn1EAQXszB27cn\", \"kid\": \"k-es384\", \"use\": \"sig\"}]}";

/* The device key the receipt seeds are signed with (Ed25519, a test key
 * made for the fuzz corpus and nothing else); fuzz_receipt re-signs
 * mutated payloads with it so the payload decoder is reached. */
static const char fuzz_device_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIHJVAO6FGcgIKOlCBr0MBc0vyyKnicb3a77sR+/SQET3\n"
    "-----END PRIVATE KEY-----\n";

/* The time the seeds are valid at. */
#define FUZZ_AT 1800000000

/* Writes data to this process's scratch file and returns its path (in a
 * private directory under $TMPDIR, /dev/shm or /tmp, removed at exit);
 * aborts on failure. */
static char fuzz_dir[64];
static char fuzz_path[96];

static inline void fuzz_cleanup(void)
{
    if (fuzz_path[0] != 0)
        unlink(fuzz_path);
    if (fuzz_dir[0] != 0)
        rmdir(fuzz_dir);
}

static inline const char *fuzz_scratch(const char *name, const uint8_t *data, size_t size)
{
    if (fuzz_dir[0] == 0) {
        /* TMPDIR, else /dev/shm (tmpfs: the audit target fsyncs), else /tmp */
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL)
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ocv-fuzz-XXXXXX", tmp);
        if (mkdtemp(fuzz_dir) == NULL)
            abort();
        atexit(fuzz_cleanup);
    }
    if (fuzz_path[0] != 0)
        unlink(fuzz_path);
    snprintf(fuzz_path, sizeof(fuzz_path), "%s/%s", fuzz_dir, name);
    FILE *f = fopen(fuzz_path, "wb");
    if (f == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
    return fuzz_path;
}

#endif
