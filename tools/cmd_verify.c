/*
 * cmd_verify.c - `ocv verify`: one request, one decision.
 *
 * Exit codes: 0 allow, 1 deny, 2 usage or configuration error. A
 * credential file that is too large or unreadable as a credential is a
 * deny with a reason (the request was made and refused); a trust file
 * that cannot be loaded is a configuration error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/util.h"
#include "cli.h"
#include "cli_audit.h"
#include "decision/decision_json.h"
#include "decision/stages.h"
#include "ocv.h"

static const char VERIFY_USAGE[] =
    "usage: ocv verify [--config FILE] (--cert LEAF [--chain INTERMEDIATES] | --token FILE|-)\n"
    "                  [--anchors ROOTS] [--jwks F] [--cose-keys F] [--crl CRL]...\n"
    "                  [--db STORE] [--require-revocation]\n"
    "                  [--revocation-max-age D] [--no-policy | --policy FILE]\n"
    "                  [--purpose P] [--audience A] [--peer-cert F]\n"
    "                  [--at UNIX_SECONDS [--historical]]\n"
    "                  [--skew SECONDS] [--eku client|server|any]\n"
    "                  [--identity-fallback dns|cn|dns,cn] [--type jwt|cwt|x509]\n"
    "                  [--identity spiffe|subject|san|san-or-subject]\n"
    "                  [--initial-policy OID]... [--require-explicit-policy]\n"
    "                  [--inhibit-policy-mapping] [--inhibit-any-policy]\n"
    "                  [--anchor-name-constraints] [--json] [--explain]\n"
    "                  [--audit LOG [--device-key KEY --device-id ID]]\n"
    "\n"
    "Decides whether a credential grants authority, offline. A sound signature is\n"
    "necessary, never sufficient: the chain, its validity at the evaluation time,\n"
    "revocation and the policy must all agree.\n"
    "\n"
    "  --config F      JSON configuration (docs/config.md); every flag below\n"
    "                  overrides its field\n"
    "  --cert F        workload certificate, PEM or DER (may also hold intermediates)\n"
    "  --chain F       intermediate certificates, PEM or DER, any order\n"
    "  --token F|-     a JWT (compact JWS) or a CWT (binary CBOR or base64url, tag\n"
    "                  61, 18 or none); a leading \"Bearer \" and surrounding\n"
    "                  whitespace are stripped\n"
    "  --type T        force the format: jwt, cwt or x509 (default: recognised by\n"
    "                  what the bytes decode to)\n"
    "  --jwks F        trusted token-issuer keys, a JWK Set (or a COSE_KeySet); with\n"
    "                  --cose-keys and --anchors one unnamed trust source that vouches\n"
    "                  for any issuer (named sources: trust_sources, docs/trust.md)\n"
    "  --cose-keys F   trusted token-issuer keys, a COSE_KeySet (or a JWK Set)\n"
    "  --anchors F     PEM bundle of trust anchors (root CAs)\n"
    "  --crl F         a CRL (PEM or DER) to check the chain against; repeatable.\n"
    "                  With any CRL loaded, the leaf's issuer must have a current one\n"
    "  --db F          the revocation store (ocv revocation sync): serial, token id,\n"
    "                  key, subject and issued-before entries; stale data denies\n"
    "                  (REVOCATION_STALE), a clock behind the store's floor denies\n"
    "                  (CLOCK_BEHIND_FLOOR)\n"
    "  --require-revocation  deny when no revocation data exists (REVOCATION_MISSING)\n"
    "  --revocation-max-age D  data older than D is stale (default: past next_update)\n"
    "  --no-policy     check the credential alone (chain, signature, validity,\n"
    "                  revocation); recorded in the decision. Without it and\n"
    "                  without a policy every decision is POLICY_MISSING\n"
    "  --policy F      the policy file (docs/policy.md): which workload may use the\n"
    "                  credential for which purpose, audience, lifetime, PoP\n"
    "  --purpose P     what the credential is used for (required by a policy)\n"
    "  --audience A    this service's name (default: the config's audience)\n"
    "  --peer-cert F   the TLS peer's certificate, for proof of possession (cnf)\n"
    "  --at T          evaluate at UNIX time T instead of now (a T behind the\n"
    "                  store's clock floor is CLOCK_BEHIND_FLOOR)\n"
    "  --historical    with --at: ask \"was it valid at T?\" - the clock floor is\n"
    "                  not applied, revocation is today's, and the decision is\n"
    "                  marked historical (never a grant of authority now)\n"
    "  --skew S        tolerated clock skew in seconds or a duration (default 60s)\n"
    "  --eku E         extended key usage a leaf with an EKU must carry:\n"
    "                  client (default), server or any; clientAuth and\n"
    "                  serverAuth as the configuration's leaf_eku spells them\n"
    "  --identity-fallback L  where the identity may come from when the leaf has\n"
    "                  no URI SAN: dns, cn or dns,cn (default: nowhere, deny)\n"
    "  --identity M    spiffe (default: one URI SAN, the leaf no CA) or a generic\n"
    "                  PKI identity: subject (the subject DN), san (the first URI,\n"
    "                  DNS or email SAN) or san-or-subject; no URI-SAN or leaf rule\n"
    "  --initial-policy OID  a certificate policy the path must carry (RFC 5280\n"
    "                  initial-policy-set); repeatable; default anyPolicy\n"
    "  --require-explicit-policy  initial-explicit-policy: the path needs a policy\n"
    "  --inhibit-policy-mapping   initial-policy-mapping-inhibit\n"
    "  --inhibit-any-policy       initial-any-policy-inhibit\n"
    "  --anchor-name-constraints  apply the anchors' own nameConstraints\n"
    "  --json          print one JSON object: decision, reason, subject, rule, detail\n"
    "  --explain       also list every check with its outcome\n"
    "  --audit LOG     record the decision in the audit log (fsynced before it is\n"
    "                  printed; a log that cannot be written exits 2); with\n"
    "                  --device-key the log gets a signed checkpoint\n"
    "\n"
    "Exit: 0 allow, 1 deny, 2 usage or configuration error.\n";

typedef struct verify_args {
    ocv_config config;
    ocv_config_file *config_storage;
    const char *cert, *chain, *token, *peer_cert;
    int64_t at;
    int has_at, historical, json, explain, crls_from_flags;
    ocv_credential_type type;
    const char *purpose, *audience;
    ocv_cli_audit audit;
} verify_args;

enum {
    OPT_CONFIG = 255,
    OPT_CERT = 256,
    OPT_CHAIN,
    OPT_TOKEN,
    OPT_ANCHORS,
    OPT_CRL,
    OPT_NO_POLICY,
    OPT_POLICY,
    OPT_PURPOSE,
    OPT_AUDIENCE,
    OPT_AT,
    OPT_HISTORICAL,
    OPT_SKEW,
    OPT_EKU,
    OPT_FALLBACK,
    OPT_JSON,
    OPT_EXPLAIN,
    OPT_DB,
    OPT_REQUIRE_REVOCATION,
    OPT_REVOCATION_MAX_AGE,
    OPT_JWKS,
    OPT_COSE_KEYS,
    OPT_PEER_CERT,
    OPT_IDENTITY,
    OPT_INITIAL_POLICY,
    OPT_EXPLICIT_POLICY,
    OPT_INHIBIT_MAPPING,
    OPT_INHIBIT_ANY,
    OPT_ANCHOR_NC,
    OPT_AUDIT,
    OPT_DEVICE_KEY,
    OPT_DEVICE_ID,
    OPT_TYPE,
    OPT_HELP
};

static const struct option VERIFY_OPTIONS[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"cert", required_argument, NULL, OPT_CERT},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"anchors", required_argument, NULL, OPT_ANCHORS},
    {"crl", required_argument, NULL, OPT_CRL},
    {"no-policy", no_argument, NULL, OPT_NO_POLICY},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"purpose", required_argument, NULL, OPT_PURPOSE},
    {"audience", required_argument, NULL, OPT_AUDIENCE},
    {"at", required_argument, NULL, OPT_AT},
    {"historical", no_argument, NULL, OPT_HISTORICAL},
    {"skew", required_argument, NULL, OPT_SKEW},
    {"eku", required_argument, NULL, OPT_EKU},
    {"identity-fallback", required_argument, NULL, OPT_FALLBACK},
    {"db", required_argument, NULL, OPT_DB},
    {"peer-cert", required_argument, NULL, OPT_PEER_CERT},
    {"jwks", required_argument, NULL, OPT_JWKS},
    {"cose-keys", required_argument, NULL, OPT_COSE_KEYS},
    {"require-revocation", no_argument, NULL, OPT_REQUIRE_REVOCATION},
    {"revocation-max-age", required_argument, NULL, OPT_REVOCATION_MAX_AGE},
    {"json", no_argument, NULL, OPT_JSON},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"identity", required_argument, NULL, OPT_IDENTITY},
    {"initial-policy", required_argument, NULL, OPT_INITIAL_POLICY},
    {"require-explicit-policy", no_argument, NULL, OPT_EXPLICIT_POLICY},
    {"inhibit-policy-mapping", no_argument, NULL, OPT_INHIBIT_MAPPING},
    {"inhibit-any-policy", no_argument, NULL, OPT_INHIBIT_ANY},
    {"anchor-name-constraints", no_argument, NULL, OPT_ANCHOR_NC},
    {"audit", required_argument, NULL, OPT_AUDIT},
    {"device-key", required_argument, NULL, OPT_DEVICE_KEY},
    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
    {"type", required_argument, NULL, OPT_TYPE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_fallback(const char *text, unsigned *out)
{
    if (strcmp(text, "dns") == 0)
        *out = OCV_IDENTITY_FALLBACK_DNS;
    else if (strcmp(text, "cn") == 0)
        *out = OCV_IDENTITY_FALLBACK_CN;
    else if (strcmp(text, "dns,cn") == 0)
        *out = OCV_IDENTITY_FALLBACK_DNS | OCV_IDENTITY_FALLBACK_CN;
    else if (strcmp(text, "none") == 0)
        *out = OCV_IDENTITY_URI_ONLY;
    else
        return -1;
    return 0;
}

/* --identity: keeps the fallback bits, sets the generic PKI ones. */
static int parse_identity(const char *text, unsigned *bits)
{
    unsigned pki;
    if (strcmp(text, "spiffe") == 0)
        pki = 0;
    else if (strcmp(text, "subject") == 0)
        pki = OCV_IDENTITY_PKI_SUBJECT;
    else if (strcmp(text, "san") == 0)
        pki = OCV_IDENTITY_PKI_SAN;
    else if (strcmp(text, "san-or-subject") == 0)
        pki = OCV_IDENTITY_PKI;
    else
        return -1;
    *bits = (*bits & ~(unsigned)OCV_IDENTITY_PKI) | pki;
    return 0;
}

/* Returns -1 to go on, or the exit code to stop with. */
static int parse_option(int opt, const char *arg, verify_args *a)
{
    switch (opt) {
    case OPT_CONFIG:
        break; /* read before every other option, in ocv_cmd_verify */
    case OPT_CERT:
        a->cert = arg;
        break;
    case OPT_CHAIN:
        a->chain = arg;
        break;
    case OPT_TOKEN:
        a->token = arg;
        break;
    case OPT_ANCHORS:
        a->config.anchors_path = arg;
        break;
    case OPT_CRL:
        if (!a->crls_from_flags) /* the flags replace the file's list */
            a->config.crl_count = 0;
        a->crls_from_flags = 1;
        if (a->config.crl_count >= OCV_MAX_CRL_FILES)
            return ocv_cli_bad_usage("at most %d --crl files", OCV_MAX_CRL_FILES);
        a->config.crl_paths[a->config.crl_count++] = arg;
        break;
    case OPT_NO_POLICY: /* a flag overrides the file's policy member */
        a->config.no_policy = 1;
        a->config.policy_path = NULL;
        break;
    case OPT_POLICY:
        a->config.policy_path = arg;
        a->config.no_policy = 0;
        break;
    case OPT_PEER_CERT:
        a->peer_cert = arg;
        break;
    case OPT_PURPOSE:
        a->purpose = arg;
        break;
    case OPT_AUDIENCE:
        a->audience = arg;
        break;
    case OPT_AT:
        if (ocv_cli_parse_time(arg, &a->at) != 0)
            return ocv_cli_bad_usage("--at wants UNIX seconds, not '%s'", arg);
        a->has_at = 1;
        break;
    case OPT_HISTORICAL:
        a->historical = 1;
        break;
    case OPT_SKEW:
        if (ocv_parse_duration(arg, &a->config.clock_skew_seconds) != 0)
            return ocv_cli_bad_usage("--skew wants seconds or a duration like 90s, not '%s'", arg);
        break;
    case OPT_EKU:
        if (ocv_eku_from_name(arg, &a->config.leaf_eku) != 0)
            return ocv_cli_bad_usage(
                "--eku wants client (clientAuth), server (serverAuth) or any, not '%s'", arg);
        break;
    case OPT_FALLBACK: {
        unsigned pki = a->config.identity_fallback & OCV_IDENTITY_PKI;
        if (parse_fallback(arg, &a->config.identity_fallback) != 0)
            return ocv_cli_bad_usage("--identity-fallback wants dns, cn or dns,cn, not '%s'", arg);
        a->config.identity_fallback |= pki;
        break;
    }
    case OPT_IDENTITY:
        if (parse_identity(arg, &a->config.identity_fallback) != 0)
            return ocv_cli_bad_usage(
                "--identity wants spiffe, subject, san or san-or-subject, not '%s'", arg);
        break;
    case OPT_INITIAL_POLICY:
        if (a->config.initial_policy_count >= OCV_MAX_INITIAL_POLICIES)
            return ocv_cli_bad_usage("at most %d --initial-policy", OCV_MAX_INITIAL_POLICIES);
        a->config.initial_policies[a->config.initial_policy_count++] = arg;
        break;
    case OPT_EXPLICIT_POLICY:
        a->config.require_explicit_policy = 1;
        break;
    case OPT_INHIBIT_MAPPING:
        a->config.inhibit_policy_mapping = 1;
        break;
    case OPT_INHIBIT_ANY:
        a->config.inhibit_any_policy = 1;
        break;
    case OPT_ANCHOR_NC:
        a->config.anchor_name_constraints = 1;
        break;
    case OPT_DB:
        a->config.db_path = arg;
        break;
    case OPT_JWKS:
        a->config.jwks_path = arg;
        break;
    case OPT_COSE_KEYS:
        a->config.cose_keys_path = arg;
        break;
    case OPT_REQUIRE_REVOCATION:
        a->config.require_revocation = 1;
        break;
    case OPT_REVOCATION_MAX_AGE:
        if (ocv_parse_duration(arg, &a->config.revocation_max_age_seconds) != 0)
            return ocv_cli_bad_usage("--revocation-max-age wants a duration like 24h");
        break;
    case OPT_AUDIT:
        a->audit.log = arg;
        break;
    case OPT_DEVICE_KEY:
        a->audit.device_key = arg;
        break;
    case OPT_DEVICE_ID:
        a->audit.device_id = arg;
        break;
    case OPT_TYPE:
        if (strcmp(arg, "jwt") == 0)
            a->type = OCV_CREDENTIAL_JWT;
        else if (strcmp(arg, "cwt") == 0)
            a->type = OCV_CREDENTIAL_CWT;
        else if (strcmp(arg, "x509") == 0)
            a->type = OCV_CREDENTIAL_X509;
        else
            return ocv_cli_bad_usage("--type wants jwt, cwt or x509, not '%s'", arg);
        break;
    case OPT_JSON:
        a->json = 1;
        break;
    case OPT_EXPLAIN:
        a->explain = 1;
        break;
    case OPT_HELP:
        fputs(VERIFY_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    default:
        return ocv_cli_bad_option(NULL, VERIFY_USAGE);
    }
    return -1;
}

/* The library's decision JSON (the server logs the same), indented. */
static void print_json(const ocv_decision *d, int explain)
{
    char *compact = ocv_decision_json(d, explain);
    json_t *o = compact != NULL ? json_loads(compact, 0, NULL) : NULL;
    char *text =
        o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
    if (text != NULL)
        puts(text);
    free(text);
    free(compact);
    json_decref(o);
}

static void print_text(const ocv_decision *d, int explain)
{
    if (d->historical) {
        char when[32];
        ocv_format_time(d->evaluated_at, when, sizeof(when));
        printf("HISTORICAL (as of %s, not now): ", when);
    }
    printf("%s %s", d->allow ? "allow" : "deny", ocv_reason_name(d->reason));
    if (d->subject[0])
        printf(" %s%s", d->subject, d->subject_verified ? "" : " (claimed)");
    if (d->rule[0])
        printf(" rule %s", d->rule);
    if (d->issuer[0])
        printf(" issuer %s", d->issuer);
    printf("\n  %s\n", d->detail);
    if (d->revocation_stale_allowed)
        printf("  STALE revocation data accepted by the rule (%lld s past its max age)\n",
               (long long)d->revocation_stale_seconds);
    if (d->policy_skipped)
        printf("  policy not applied (--no-policy)\n");
    if (!explain)
        return;
    for (size_t i = 0; i < d->check_count; i++) {
        const ocv_check_entry *e = &d->checks[i];
        printf("  %-17s %-7s %-19s %s\n", e->name, ocv_decision_outcome_name(e->outcome),
               e->outcome == OCV_CHECK_FAIL ? ocv_reason_name(e->reason) : "", e->detail);
    }
}

static int print_and_exit(const ocv_decision *d, const verify_args *a)
{
    if (a->json)
        print_json(d, a->explain);
    else
        print_text(d, a->explain);
    return d->allow ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
}

/* A credential file that cannot become a request is a deny, not a usage
 * error: the caller presented something and it was refused. */
static int deny_input(ocv_reason r, const char *err, const verify_args *a)
{
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = r;
    ocv_strlcpy(d.detail, err, sizeof(d.detail));
    d.evaluated_at = a->has_at ? a->at : ocv_now();
    return print_and_exit(&d, a);
}

static int read_input(const char *path, ocv_bytes *out, const verify_args *a, int *exit_code)
{
    char err[256] = "";
    ocv_reason r = ocv_file_read(path, OCV_MAX_CREDENTIAL_BYTES, out, err, sizeof(err));
    if (r == OCV_OK)
        return 0;
    if (r == OCV_TOO_LARGE)
        *exit_code = deny_input(r, err, a);
    else
        *exit_code = ocv_cli_usage_error("%s", err);
    return -1;
}

/* What a token file holds around the token: surrounding whitespace and
 * an HTTP "Bearer " prefix (RFC 6750 §2.1) are the CLI's to strip; the
 * library takes exact bytes. Binary CWTs are left alone. */
static void strip_bearer(ocv_bytes *b)
{
    if (b->len == 0 || b->data[0] == 0xd8 || b->data[0] == 0xd2 || b->data[0] == 0x84)
        return;
    size_t start = 0, end = b->len;
    while (start < end && strchr(" \t\r\n", b->data[start]) != NULL && b->data[start] != 0)
        start++;
    if (end - start > 7 && strncasecmp((const char *)b->data + start, "bearer ", 7) == 0) {
        start += 7;
        while (start < end && (b->data[start] == ' ' || b->data[start] == '\t'))
            start++;
    }
    while (end > start && strchr(" \t\r\n", b->data[end - 1]) != NULL && b->data[end - 1] != 0)
        end--;
    memmove(b->data, b->data + start, end - start);
    b->len = end - start;
}

/* The unnamed source of the old flags binds no key to an issuer: say so
 * when it holds more than one token key. */
static void warn_unbound_keys(ocv_ctx *ctx)
{
    for (size_t i = 0; i < ocv_trust_count(ctx); i++) {
        ocv_trust_info info;
        if (ocv_trust_describe(ctx, i, &info) == OCV_OK && info.kind == OCV_TRUST_UNNAMED &&
            info.note[0])
            fprintf(stderr, "ocv verify: warning: --jwks/--cose-keys: %s\n", info.note);
    }
}

static int run_verify(verify_args *a)
{
    int code = OCV_EXIT_USAGE;
    ocv_bytes cred, chain, peer;
    ocv_bytes_init(&cred);
    ocv_bytes_init(&chain);
    ocv_bytes_init(&peer);
    ocv_ctx *ctx = NULL;
    const char *cred_path = a->cert != NULL ? a->cert : a->token;
    if (read_input(cred_path, &cred, a, &code) != 0)
        goto out;
    if (a->token != NULL)
        strip_bearer(&cred);
    if (a->chain != NULL && read_input(a->chain, &chain, a, &code) != 0)
        goto out;
    if (a->peer_cert != NULL && read_input(a->peer_cert, &peer, a, &code) != 0)
        goto out;
    char err[512] = "";
    ocv_reason r = ocv_open(&ctx, &a->config, err, sizeof(err));
    if (r != OCV_OK) {
        code = ocv_cli_usage_error("configuration: %s", err[0] ? err : ocv_reason_meaning(r));
        goto out;
    }
    warn_unbound_keys(ctx);
    ocv_request req;
    ocv_request_init(&req);
    req.type = a->cert != NULL ? OCV_CREDENTIAL_X509 : a->type;
    req.credential = cred.data;
    req.credential_len = cred.len;
    req.chain = chain.data;
    req.chain_len = chain.len;
    req.peer_cert = peer.data;
    req.peer_cert_len = peer.len;
    req.purpose = a->purpose;
    req.audience = a->audience;
    req.at = a->at;
    req.has_at = a->has_at;
    req.historical = a->historical;
    req.explain = a->explain;
    ocv_decision d;
    ocv_reason verdict = ocv_check(ctx, &req, &d);
    d.allow = d.allow && verdict == OCV_OK;
    if (ocv_cli_audit_decision(&a->audit, &d, cred.data, cred.len, a->purpose, req.audience) != 0)
        goto out; /* code stays OCV_EXIT_USAGE: an unrecorded decision is not made */
    code = print_and_exit(&d, a);
out:
    ocv_close(ctx);
    ocv_bytes_free(&cred);
    ocv_bytes_free(&chain);
    ocv_bytes_free(&peer);
    return code;
}

/* The configuration file comes first, so flags override its fields
 * whatever their order on the command line. */
static int load_config_option(int argc, char **argv, verify_args *a)
{
    optind = 1;
    const char *path = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "", VERIFY_OPTIONS, NULL)) != -1) {
        if (opt == OPT_CONFIG)
            path = optarg;
    }
    if (path == NULL)
        return -1;
    char err[512] = "";
    if (ocv_config_load(path, &a->config, &a->config_storage, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("configuration: %s", err);
    return -1;
}

static int parse_args(int argc, char **argv, verify_args *a)
{
    int stop = load_config_option(argc, argv, a);
    if (stop >= 0)
        return stop;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", VERIFY_OPTIONS, NULL)) != -1) {
        if (opt == '?')
            return ocv_cli_bad_option(argv, VERIFY_USAGE);
        stop = parse_option(opt, optarg, a);
        if (stop >= 0)
            return stop;
    }
    if (optind < argc)
        return ocv_cli_bad_usage("verify: unexpected argument '%s'", argv[optind]);
    if ((a->cert == NULL) == (a->token == NULL))
        return ocv_cli_bad_usage("verify: give exactly one of --cert or --token");
    if (a->chain != NULL && a->cert == NULL)
        return ocv_cli_bad_usage("verify: --chain goes with --cert");
    if (a->cert != NULL && a->type != OCV_CREDENTIAL_AUTO && a->type != OCV_CREDENTIAL_X509)
        return ocv_cli_bad_usage(
            "verify: --cert is a certificate; --type jwt|cwt goes with --token");
    if (a->historical && !a->has_at)
        return ocv_cli_bad_usage("verify: --historical asks about a past time: give it --at T");
    return -1;
}

int ocv_cmd_verify(int argc, char **argv)
{
    verify_args a;
    memset(&a, 0, sizeof(a));
    ocv_config_init(&a.config);
    int code = parse_args(argc, argv, &a);
    if (code < 0)
        code = run_verify(&a);
    ocv_config_file_free(a.config_storage);
    return code;
}
