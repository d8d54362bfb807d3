/*
 * cmd_policy.c - `ocv policy lint` and `ocv policy explain`
 * (docs/cli/ocv-policy.md).
 *
 * lint: exit 0 clean, 1 findings (a schema error is one), 2 the file
 * cannot be read, or usage / configuration error.
 * explain: exit 0 the rule would allow the purpose, 1 it would not, 2
 * usage error or a policy that cannot be loaded.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "base/buf.h"
#include "base/util.h"
#include <jansson.h>

#include "base/canon.h"
#include "cli.h"
#include "ocv.h"
#include "policy/policy.h"
#include "verifier/dn.h"
#include "verifier/trust.h"
#include "verifier/x509.h"

static const char POLICY_USAGE[] =
    "usage: ocv policy lint [--config FILE] [--max-ttl-ceiling DURATION] [--json] [POLICY]\n"
    "       ocv policy explain (--policy FILE | --config FILE) --subject ID --purpose P\n"
    "                          [--issuer I] [--audience A] [--type x509|jwt|cwt] [--json]\n"
    "\n"
    "lint     checks a policy file: schema errors with line and column, rules that\n"
    "         can never match or are shadowed by an earlier rule, durations out of\n"
    "         sane bounds, max_ttl above the ceiling, issuers that are no configured\n"
    "         trust anchor. Exit 0 clean, 1 findings, 2 unreadable or usage error.\n"
    "explain  shows which rule decides for a workload identity and what it allows,\n"
    "         without a credential. Exit 0 the rule would allow the purpose, 1 it\n"
    "         would not, 2 usage error or a policy that cannot be loaded.\n"
    "\n"
    "  --config F            the ocv configuration: its anchors (lint: unknown\n"
    "                        issuers), audience, max_ttl_ceiling and policy (lint:\n"
    "                        the policy checked when no POLICY is given)\n"
    "  --max-ttl-ceiling D   lint: report every max_ttl above D (\"1h\", \"7d\")\n"
    "  --policy F            explain: the policy file (default: the config's)\n"
    "  --subject ID          explain: the workload identity\n"
    "  --purpose P           explain: what the credential would be used for\n"
    "  --issuer I            explain: token iss, trust anchor name or sha256:HEX\n"
    "                        (default: any issuer; the level's first rule is shown)\n"
    "  --audience A          explain: this service's name (default: the config's)\n"
    "  --type T              explain: x509, jwt or cwt (default: any type)\n"
    "  --json                one JSON object (docs/cli/ocv-policy.md); errors too\n";

/* Sane bounds: beyond these a value is legal but almost surely a mistake. */
#define SANE_MAX_TTL            (30 * 86400LL)
#define SANE_REVOCATION_MAX_AGE (30 * 86400LL)
#define SANE_ALLOW_STALE        (7 * 86400LL)
#define SANE_CLOCK_SKEW         (5 * 60LL)

enum {
    OPT_CONFIG = 256,
    OPT_CEILING,
    OPT_POLICY,
    OPT_SUBJECT,
    OPT_PURPOSE,
    OPT_ISSUER,
    OPT_AUDIENCE,
    OPT_TYPE,
    OPT_JSON,
    OPT_HELP
};

static const struct option POLICY_OPTIONS[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"max-ttl-ceiling", required_argument, NULL, OPT_CEILING},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"purpose", required_argument, NULL, OPT_PURPOSE},
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"audience", required_argument, NULL, OPT_AUDIENCE},
    {"type", required_argument, NULL, OPT_TYPE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct policy_args {
    const char *config_path, *policy_path, *subject, *purpose, *issuer, *audience;
    int64_t ceiling;
    int has_ceiling, json;
    ocv_credential_type type;
    ocv_config config;
    ocv_config_file *config_storage;
} policy_args;

/* ---- lint ---------------------------------------------------------------- */

/* The configured trust anchors, as rules name them. */
typedef struct anchor_names {
    size_t count;
    char (*names)[OCV_MAX_ISSUER_BYTES + 1];
    char (*hashes)[7 + 65]; /* "sha256:" + hex */
} anchor_names;

static void anchor_names_free(anchor_names *a)
{
    free(a->names);
    free(a->hashes);
    memset(a, 0, sizeof(*a));
}

/* Returns 0, or OCV_EXIT_USAGE after printing why. */
static int anchor_names_load(const char *path, anchor_names *out)
{
    ocv_x509_anchors anchors;
    ocv_x509_anchors_init(&anchors);
    char err[512] = "";
    if (ocv_x509_anchors_load(&anchors, path, err, sizeof(err)) != OCV_OK) {
        ocv_x509_anchors_free(&anchors);
        return ocv_cli_usage_error("policy lint: trust anchors: %s", err);
    }
    out->names = calloc(anchors.count ? anchors.count : 1, sizeof(*out->names));
    out->hashes = calloc(anchors.count ? anchors.count : 1, sizeof(*out->hashes));
    int code = out->names == NULL || out->hashes == NULL ? OCV_EXIT_USAGE : 0;
    size_t n = 0;
    for (const mbedtls_x509_crt *c = &anchors.certs; code == 0 && c != NULL && n < anchors.count;
         c = c->next) {
        uint8_t hash[32];
        if (c->raw.p == NULL)
            continue;
        if (ocv_sha256(c->pk_raw.p, c->pk_raw.len, hash) != 0 ||
            ocv_dn_format(&c->subject, out->names[n], sizeof(out->names[n])) != 0) {
            code = ocv_cli_usage_error("policy lint: cannot read a trust anchor in %s", path);
            break;
        }
        memcpy(out->hashes[n], "sha256:", 7);
        ocv_hex_encode(hash, sizeof(hash), out->hashes[n] + 7);
        n++;
    }
    out->count = n;
    ocv_x509_anchors_free(&anchors);
    if (code != 0)
        anchor_names_free(out);
    return code;
}

/* What rules may name when the configuration declares trust sources:
 * source names, trust domains, OIDC issuers, and the sources' anchors
 * (DN or "sha256:" key hash). */
typedef struct source_names {
    size_t count;
    char (*text)[OCV_MAX_ISSUER_BYTES + 1];
} source_names;

static void source_names_add(source_names *s, const char *text)
{
    if (text[0] != 0)
        ocv_strlcpy(s->text[s->count++], text, sizeof(s->text[0]));
}

/* Returns 0, or OCV_EXIT_USAGE after printing why. */
static int source_names_load(const ocv_config *config, source_names *out)
{
    ocv_trust trust;
    char err[1024] = "";
    if (ocv_trust_load(&trust, config, NULL, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("policy lint: trust sources: %s", err);
    size_t cap = 0;
    for (size_t i = 0; i < trust.count; i++)
        cap += 3 + 2 * trust.sources[i].anchors.count;
    out->text = calloc(cap ? cap : 1, sizeof(*out->text));
    int code = out->text == NULL ? OCV_EXIT_USAGE : 0;
    for (size_t i = 0; code == 0 && i < trust.count; i++) {
        const ocv_trust_source *src = &trust.sources[i];
        source_names_add(out, src->name);
        source_names_add(out, src->issuer);
        source_names_add(out, src->trust_domain);
        for (const mbedtls_x509_crt *c = &src->anchors.certs; c != NULL && c->raw.p != NULL;
             c = c->next) {
            uint8_t hash[32];
            char *t = out->text[out->count];
            if (ocv_dn_format(&c->subject, t, sizeof(out->text[0])) == 0)
                out->count++;
            t = out->text[out->count];
            if (ocv_sha256(c->pk_raw.p, c->pk_raw.len, hash) == 0) {
                memcpy(t, "sha256:", 7);
                ocv_hex_encode(hash, sizeof(hash), t + 7);
                out->count++;
            }
        }
    }
    ocv_trust_free(&trust);
    return code;
}

static int source_known(const source_names *s, const char *issuer)
{
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->text[i], issuer) == 0)
            return 1;
    }
    return 0;
}

static int anchor_known(const anchor_names *a, const char *issuer)
{
    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->names[i], issuer) == 0 || strcmp(a->hashes[i], issuer) == 0)
            return 1;
    }
    return 0;
}

typedef struct linter {
    const char *file;
    const ocv_policy *p;
    const anchor_names *anchors; /* NULL: no configuration given */
    const source_names *sources; /* NULL: no trust sources configured */
    const char *audience;        /* the configuration's, or NULL */
    int has_ceiling;
    int64_t ceiling;
    size_t findings;
    json_t *list; /* --json: the findings, else NULL (printed as found) */
} linter;

static void finding(linter *l, unsigned long line, unsigned long col, const char *rule,
                    const char *fmt, ...) OCV_PRINTF(5, 6);
static void finding(linter *l, unsigned long line, unsigned long col, const char *rule,
                    const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    l->findings++;
    if (l->list != NULL) {
        json_array_append_new(
            l->list, json_pack("{s:s, s:I, s:I, s:o, s:s}", "file", l->file, "line",
                               (json_int_t)line, "column", (json_int_t)col, "rule",
                               rule != NULL ? json_string(rule) : json_null(), "message", what));
        return;
    }
    if (rule != NULL)
        printf("%s:%lu:%lu: rule '%s': %s\n", l->file, line, col, rule, what);
    else
        printf("%s:%lu:%lu: %s\n", l->file, line, col, what);
}

static const ocv_credential_type ALL_TYPES[] = {OCV_CREDENTIAL_X509, OCV_CREDENTIAL_JWT,
                                                OCV_CREDENTIAL_CWT};

static int covers(const ocv_policy_rule *r, const char *issuer, ocv_credential_type t)
{
    if (r->types != 0 && (r->types & OCV_POLICY_TYPE_BIT(t)) == 0)
        return 0;
    for (size_t i = 0; i < r->issuer_count; i++) {
        if (strcmp(r->issuers[i], issuer) == 0)
            return 1;
    }
    return 0;
}

/* The earliest rule before `self` in the level that takes some of self's
 * (issuer, type) pairs, and whether earlier rules take all of them. */
static int shadowed(const ocv_policy *p, const uint32_t *level, size_t count, size_t self,
                    const ocv_policy_rule **by)
{
    const ocv_policy_rule *r = ocv_policy_rule_at(p, self);
    *by = NULL;
    int all = 1;
    for (size_t i = 0; i < r->issuer_count; i++) {
        for (size_t t = 0; t < sizeof(ALL_TYPES) / sizeof(ALL_TYPES[0]); t++) {
            if (r->types != 0 && (r->types & OCV_POLICY_TYPE_BIT(ALL_TYPES[t])) == 0)
                continue;
            int taken = 0;
            for (size_t k = 0; k < count && level[k] < self && !taken; k++) {
                const ocv_policy_rule *e = ocv_policy_rule_at(p, level[k]);
                if (covers(e, r->issuers[i], ALL_TYPES[t])) {
                    taken = 1;
                    if (*by == NULL || e->line < (*by)->line)
                        *by = e;
                }
            }
            all = all && taken;
        }
    }
    return all;
}

static void lint_duration(linter *l, unsigned long line, unsigned long col, const char *rule,
                          const char *what, int64_t value, int64_t sane)
{
    char v[32], s[32];
    ocv_policy_format_duration(value, v, sizeof(v));
    ocv_policy_format_duration(sane, s, sizeof(s));
    if (value > sane)
        finding(l, line, col, rule, "%s %s is beyond the sane bound of %s", what, v, s);
}

/* letters, digits, '-' and at least one '.': what a dNSName looks like */
static int reads_like_dns_name(const char *name)
{
    size_t dots = 0, n = strlen(name);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '.')
            dots++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-'))
            return 0;
    }
    return dots > 0;
}

static void lint_rule(linter *l, size_t index)
{
    const ocv_policy_rule *r = ocv_policy_rule_at(l->p, index);
    ocv_policy_effective eff;
    ocv_policy_effective_of(l->p, r, &eff);
    unsigned long ln = r->line, co = r->column;

    size_t shadowed_count = 0;
    const ocv_policy_rule *first_by = NULL;
    for (size_t s = 0; s < r->subject_count; s++) {
        const uint32_t *level = NULL;
        size_t count = ocv_policy_rules_naming(l->p, r->subjects[s], &level);
        const ocv_policy_rule *by = NULL;
        if (shadowed(l->p, level, count, index, &by)) {
            shadowed_count++;
            if (first_by == NULL)
                first_by = by;
            if (r->subject_count > 1)
                finding(l, ln, co, r->id, "subject '%s' is shadowed by rule '%s' (line %lu)",
                        r->subjects[s], by->id, by->line);
        }
    }
    for (size_t s = 0; s < r->subject_count; s++) {
        const char *name = r->subjects[s];
        if (reads_like_dns_name(name) && !ocv_identity_is_revocation_form(name, strlen(name)))
            finding(l, ln, co, r->id,
                    "subject '%s' has upper-case letters: it can match a token's sub, never a "
                    "DNS name or CN (identity_fallback compares those in lower case)",
                    name);
    }
    if (shadowed_count == r->subject_count)
        finding(l, ln, co, r->id,
                "can never match: shadowed by rule '%s' (line %lu), which comes first for the "
                "same subjects, issuers and credential types",
                first_by->id, first_by->line);

    if (l->audience != NULL && r->audience_count > 0) {
        int found = 0;
        for (size_t i = 0; i < r->audience_count; i++)
            found = found || strcmp(r->audiences[i], l->audience) == 0;
        if (!found)
            finding(l, ln, co, r->id,
                    "can never match: this service's audience '%s' (configuration) is not "
                    "among the rule's audiences",
                    l->audience);
    }
    if (eff.has_max_ttl && eff.max_ttl == 0)
        finding(l, ln, co, r->id, "can never match: max_ttl 0s admits no credential");
    if (r->has_max_ttl)
        lint_duration(l, ln, co, r->id, "max_ttl", r->max_ttl, SANE_MAX_TTL);
    if (r->has_revocation_max_age) {
        if (r->revocation_max_age == 0)
            finding(l, ln, co, r->id, "revocation.max_age 0s: all revocation data is stale");
        lint_duration(l, ln, co, r->id, "revocation.max_age", r->revocation_max_age,
                      SANE_REVOCATION_MAX_AGE);
    }
    if (r->allow_stale > 0) {
        lint_duration(l, ln, co, r->id, "revocation.allow_stale", r->allow_stale, SANE_ALLOW_STALE);
        if (!eff.has_revocation_max_age)
            finding(l, ln, co, r->id,
                    "revocation.allow_stale has no effect: no revocation max age applies");
    }
    if (l->has_ceiling) {
        char c[32], m[32];
        ocv_policy_format_duration(l->ceiling, c, sizeof(c));
        if (!eff.has_max_ttl) {
            finding(l, ln, co, r->id, "no max_ttl (unlimited lifetime) above the ceiling %s", c);
        } else if (eff.max_ttl > l->ceiling) {
            ocv_policy_format_duration(eff.max_ttl, m, sizeof(m));
            finding(l, ln, co, r->id, "max_ttl %s%s is above the ceiling %s", m,
                    r->has_max_ttl ? "" : " (defaults)", c);
        }
    }
    for (size_t i = 0; l->sources != NULL && i < r->issuer_count; i++) {
        if (!source_known(l->sources, r->issuers[i]))
            finding(l, ln, co, r->id,
                    "issuer '%s' names no trust source of the configuration (a source name, "
                    "trust domain, OIDC issuer, or an anchor of a source)",
                    r->issuers[i]);
    }
    if (l->anchors != NULL && l->sources == NULL) {
        int x509_only = r->types == OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_X509);
        for (size_t i = 0; i < r->issuer_count; i++) {
            const char *iss = r->issuers[i];
            int anchor_form = strncmp(iss, "sha256:", 7) == 0;
            if ((x509_only || anchor_form) && !anchor_known(l->anchors, iss))
                finding(l, ln, co, r->id,
                        "issuer '%s' is not a trust anchor of the configuration (name or "
                        "sha256 of its key)",
                        iss);
        }
    }
}

static void lint_defaults(linter *l)
{
    const ocv_policy_defaults *d = ocv_policy_get_defaults(l->p);
    unsigned long ln = d->line ? d->line : 1, co = d->line ? d->column : 1;
    if (d->has_max_ttl) {
        if (d->max_ttl == 0)
            finding(l, ln, co, NULL, "defaults.max_ttl 0s admits no credential");
        lint_duration(l, ln, co, NULL, "defaults.max_ttl", d->max_ttl, SANE_MAX_TTL);
    }
    if (d->has_revocation_max_age) {
        if (d->revocation_max_age == 0)
            finding(l, ln, co, NULL,
                    "defaults.revocation_max_age 0s: all revocation data is "
                    "stale");
        lint_duration(l, ln, co, NULL, "defaults.revocation_max_age", d->revocation_max_age,
                      SANE_REVOCATION_MAX_AGE);
    }
    if (d->has_clock_skew)
        lint_duration(l, ln, co, NULL, "defaults.clock_skew", d->clock_skew, SANE_CLOCK_SKEW);
    if (ocv_policy_rule_count(l->p) == 0)
        finding(l, 1, 1, NULL, "no rules: every decision is NO_MATCHING_RULE");
}

static int run_lint(policy_args *a, const char *path)
{
    ocv_bytes text;
    ocv_bytes_init(&text);
    char err[1024] = "";
    ocv_reason r = ocv_file_read(path, OCV_POLICY_MAX_BYTES, &text, err, sizeof(err));
    if (r != OCV_OK)
        return ocv_cli_usage_error("policy lint: %s", err[0] ? err : ocv_reason_meaning(r));
    ocv_policy *p = NULL;
    r = ocv_policy_parse(path, text.data, text.len, &p, err, sizeof(err));
    ocv_bytes_free(&text);
    if (r == OCV_CONFIG_INVALID && a->json) {
        ocv_cli_print_json(json_pack("{s:s, s:b, s:n, s:[{s:s, s:n, s:n, s:n, s:s}]}", "policy",
                                     path, "loads", 0, "rules", "findings", "file", path, "line",
                                     "column", "rule", "message", err));
        return OCV_EXIT_DENY;
    }
    if (r == OCV_CONFIG_INVALID) {
        printf("%s\n", err);
        printf("1 finding in %s (the policy does not load)\n", path);
        return OCV_EXIT_DENY;
    }
    if (r != OCV_OK)
        return ocv_cli_usage_error("policy lint: %s", err[0] ? err : ocv_reason_meaning(r));

    anchor_names anchors;
    memset(&anchors, 0, sizeof(anchors));
    source_names sources;
    memset(&sources, 0, sizeof(sources));
    linter l = {path, p, NULL, NULL, a->config.audience, 0, 0, 0, NULL};
    if (a->json)
        l.list = json_array();
    int code = 0;
    if (a->config_path != NULL && a->config.trust_source_count > 0) {
        code = source_names_load(&a->config, &sources);
        l.sources = &sources;
    } else if (a->config_path != NULL) {
        if (a->config.anchors_path != NULL)
            code = anchor_names_load(a->config.anchors_path, &anchors);
        l.anchors = &anchors;
    }
    if (a->has_ceiling || a->config.max_ttl_ceiling_seconds > 0) {
        l.has_ceiling = 1;
        l.ceiling = a->has_ceiling ? a->ceiling : a->config.max_ttl_ceiling_seconds;
    }
    if (code == 0) {
        lint_defaults(&l);
        for (size_t i = 0; i < ocv_policy_rule_count(p); i++)
            lint_rule(&l, i);
        if (a->json)
            ocv_cli_print_json(json_pack("{s:s, s:b, s:I, s:O}", "policy", path, "loads", 1,
                                         "rules", (json_int_t)ocv_policy_rule_count(p), "findings",
                                         l.list));
        else if (l.findings == 0)
            printf("%s: %zu rules, no findings\n", path, ocv_policy_rule_count(p));
        else
            printf("%zu finding%s in %s (%zu rules)\n", l.findings, l.findings == 1 ? "" : "s",
                   path, ocv_policy_rule_count(p));
        code = l.findings == 0 ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
    }
    json_decref(l.list);
    anchor_names_free(&anchors);
    free(sources.text);
    ocv_policy_free(p);
    return code;
}

/* ---- explain ------------------------------------------------------------- */

static void print_list(const char *label, const char *const *items, size_t count, const char *none)
{
    printf("  %-18s", label);
    if (count == 0)
        printf("%s", none);
    for (size_t i = 0; i < count; i++)
        printf("%s%s", i ? ", " : "", items[i]);
    printf("\n");
}

static void print_algs(uint32_t set, const char *source)
{
    printf("  %-18s", "algorithms:");
    if (set == 0) {
        printf("any the verifier accepts\n");
        return;
    }
    int first = 1;
    for (int alg = OCV_ALG_ES256; alg <= OCV_ALG_EDDSA; alg++) {
        if (set & OCV_POLICY_ALG_BIT(alg)) {
            printf("%s%s", first ? "" : ", ", ocv_alg_name((ocv_alg)alg));
            first = 0;
        }
    }
    printf(" (%s)\n", source);
}

static void print_rule(const ocv_policy *p, const ocv_policy_rule *r)
{
    ocv_policy_effective eff;
    ocv_policy_effective_of(p, r, &eff);
    char d[32], s[32];
    printf("rule allows:\n");
    print_list("subjects:", r->subjects, r->subject_count, "");
    print_list("issuers:", r->issuers, r->issuer_count, "");
    print_list("purposes:", r->purposes, r->purpose_count, "");
    print_list("audiences:", r->audiences, r->audience_count,
               "any (a credential naming audiences must name this service)");
    printf("  %-18s", "credential types:");
    if (r->types == 0) {
        printf("any\n");
    } else {
        int first = 1;
        for (size_t t = 0; t < sizeof(ALL_TYPES) / sizeof(ALL_TYPES[0]); t++) {
            if (r->types & OCV_POLICY_TYPE_BIT(ALL_TYPES[t])) {
                static const char *const names[] = {"x509", "jwt", "cwt"};
                printf("%s%s", first ? "" : ", ", names[t]);
                first = 0;
            }
        }
        printf("\n");
    }
    print_algs(eff.algorithms, r->algorithms ? "rule" : "defaults");
    if (eff.has_max_ttl) {
        ocv_policy_format_duration(eff.max_ttl, d, sizeof(d));
        printf("  %-18s%s (%s)\n", "max_ttl:", d, r->has_max_ttl ? "rule" : "defaults");
    } else {
        printf("  %-18sunlimited\n", "max_ttl:");
    }
    printf("  %-18s%s (%s)\n", "require_pop:", eff.require_pop ? "yes" : "no",
           r->has_require_pop ? "rule" : "defaults");
    printf("  %-18s", "revocation:");
    if (eff.has_revocation_max_age) {
        ocv_policy_format_duration(eff.revocation_max_age, d, sizeof(d));
        printf("max age %s (%s)", d, r->has_revocation_max_age ? "rule" : "defaults");
    } else {
        printf("no max age");
    }
    if (eff.allow_stale > 0) {
        ocv_policy_format_duration(eff.allow_stale, s, sizeof(s));
        printf(", allow_stale %s", s);
    }
    printf(", data %s\n", eff.require_revocation ? "required" : "not required");
}

static const char *outcome_name(ocv_check_outcome o)
{
    switch (o) {
    case OCV_CHECK_PASS:
        return "PASS";
    case OCV_CHECK_FAIL:
        return "FAIL";
    case OCV_CHECK_SKIPPED:
        return "SKIP";
    }
    return "?";
}

/* The rules at the identity's level when none applies (explain's hint). */
static json_t *candidates_json(const ocv_policy *p, const ocv_policy_query *q)
{
    json_t *list = json_array();
    size_t index = 0, count = 0;
    const uint32_t *level = NULL;
    char detail[OCV_MAX_DETAIL_BYTES];
    if (ocv_policy_select(p, q, &index, &level, &count, detail, sizeof(detail)) ==
        OCV_INTERNAL_ERROR)
        return list;
    for (size_t i = 0; i < count; i++) {
        const ocv_policy_rule *rule = ocv_policy_rule_at(p, level[i]);
        json_t *issuers = json_array();
        for (size_t k = 0; k < rule->issuer_count; k++)
            json_array_append_new(issuers, json_string(rule->issuers[k]));
        json_array_append_new(list, json_pack("{s:s, s:I, s:o}", "id", rule->id, "line",
                                              (json_int_t)rule->line, "issuers", issuers));
    }
    return list;
}

/* policy explain --json: the fields of the text output, one object. */
static json_t *explain_json(const policy_args *a, const char *path, const ocv_policy *p,
                            const ocv_policy_query *q, const char *audience, ocv_reason r,
                            const ocv_policy_result *res)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < res->check_count; i++)
        json_array_append_new(checks, json_pack("{s:s, s:s, s:s}", "name", res->checks[i].name,
                                                "outcome", outcome_name(res->checks[i].outcome),
                                                "detail", res->checks[i].detail));
    json_t *rule = json_null(), *candidates = json_array();
    if (res->rule[0] != 0) {
        const ocv_policy_rule *ru = ocv_policy_rule_at(p, res->rule_index);
        rule = json_pack("{s:s, s:I, s:I, s:o}", "id", ru->id, "line", (json_int_t)ru->line,
                         "column", (json_int_t)ru->column, "description",
                         ru->description != NULL ? json_string(ru->description) : json_null());
    } else {
        json_decref(candidates);
        candidates = candidates_json(p, q);
    }
    return json_pack("{s:s, s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o}", "policy", path,
                     "rules", (json_int_t)ocv_policy_rule_count(p), "subject", a->subject, "issuer",
                     a->issuer != NULL ? json_string(a->issuer) : json_null(), "purpose",
                     a->purpose, "audience", audience != NULL ? json_string(audience) : json_null(),
                     "decision", r == OCV_OK ? "allow" : "deny", "reason", ocv_reason_name(r),
                     "detail", res->detail, "checks", checks, "rule", rule, "candidates",
                     candidates);
}

static int run_explain(policy_args *a)
{
    const char *path = a->policy_path != NULL ? a->policy_path : a->config.policy_path;
    if (path == NULL)
        return ocv_cli_bad_usage("policy explain: give --policy (or a --config naming one)");
    if (a->subject == NULL || a->purpose == NULL)
        return ocv_cli_bad_usage("policy explain: --subject and --purpose are required");
    char err[1024] = "";
    ocv_policy *p = NULL;
    ocv_reason r = ocv_policy_load(path, &p, err, sizeof(err));
    if (r != OCV_OK)
        return ocv_cli_usage_error("policy explain: %s", err[0] ? err : ocv_reason_meaning(r));
    char issuer[OCV_MAX_ISSUER_BYTES + 1] = "";
    ocv_policy_query q = {a->subject, a->type, NULL, NULL, NULL, NULL, 0};
    if (a->issuer != NULL) {
        ocv_strlcpy(issuer, a->issuer, sizeof(issuer));
        if (strncmp(issuer, "sha256:", 7) == 0) {
            for (char *c = issuer + 7; *c; c++)
                *c = (*c >= 'A' && *c <= 'F') ? (char)(*c - 'A' + 'a') : *c;
            q.anchor_sha256 = issuer + 7; /* an anchor key names no token issuer */
        }
        q.issuer = issuer;
    }
    const char *audience = a->audience != NULL ? a->audience : a->config.audience;
    ocv_policy_result res;
    r = ocv_policy_explain(p, &q, a->purpose, audience, &res);
    if (a->json) {
        ocv_cli_print_json(explain_json(a, path, p, &q, audience, r, &res));
        ocv_policy_free(p);
        return r == OCV_OK ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
    }
    printf("policy:            %s (%zu rules)\n", path, ocv_policy_rule_count(p));
    printf("subject:           %s\n", a->subject);
    printf("issuer:            %s\n", a->issuer != NULL ? a->issuer : "(any)");
    printf("purpose:           %s\n", a->purpose);
    printf("audience:          %s\n", audience != NULL ? audience : "(none)");
    printf("decision:          %s %s\n", r == OCV_OK ? "allow" : "deny", ocv_reason_name(r));
    printf("detail:            %s\n", res.detail);
    printf("checks:\n");
    for (size_t i = 0; i < res.check_count; i++)
        printf("  %s %-18s %s\n", outcome_name(res.checks[i].outcome), res.checks[i].name,
               res.checks[i].detail);
    if (res.rule[0] != 0) {
        const ocv_policy_rule *rule = ocv_policy_rule_at(p, res.rule_index);
        printf("rule:              %s (%s:%lu:%lu)\n", rule->id, path, rule->line, rule->column);
        if (rule->description != NULL)
            printf("description:       %s\n", rule->description);
        print_rule(p, rule);
    } else {
        size_t index = 0, count = 0;
        const uint32_t *level = NULL;
        char detail[OCV_MAX_DETAIL_BYTES];
        if (ocv_policy_select(p, &q, &index, &level, &count, detail, sizeof(detail)) !=
                OCV_INTERNAL_ERROR &&
            count > 0) {
            printf("rules naming this identity (none applies):\n");
            for (size_t i = 0; i < count; i++) {
                const ocv_policy_rule *rule = ocv_policy_rule_at(p, level[i]);
                char issuers[256] = "";
                size_t n = 0;
                for (size_t k = 0; k < rule->issuer_count && n < sizeof(issuers); k++) {
                    int w = snprintf(issuers + n, sizeof(issuers) - n, "%s%s", k ? ", " : "",
                                     rule->issuers[k]);
                    n = w < 0 ? sizeof(issuers) : n + (size_t)w;
                }
                printf("  %s (line %lu): issuers %s\n", rule->id, rule->line, issuers);
            }
        }
    }
    ocv_policy_free(p);
    return r == OCV_OK ? OCV_EXIT_ALLOW : OCV_EXIT_DENY;
}

/* ---- arguments ------------------------------------------------------------ */

static int parse_type(const char *s, ocv_credential_type *out)
{
    if (strcmp(s, "x509") == 0)
        *out = OCV_CREDENTIAL_X509;
    else if (strcmp(s, "jwt") == 0)
        *out = OCV_CREDENTIAL_JWT;
    else if (strcmp(s, "cwt") == 0)
        *out = OCV_CREDENTIAL_CWT;
    else
        return -1;
    return 0;
}

/* Returns -1 to go on, or an exit code. */
static int parse_option(int opt, const char *arg, const char *verb, policy_args *a)
{
    int explain = strcmp(verb, "explain") == 0;
    switch (opt) {
    case OPT_CONFIG:
        a->config_path = arg;
        return -1;
    case OPT_JSON:
        a->json = 1;
        return -1;
    case OPT_CEILING:
        if (explain)
            break;
        if (ocv_parse_duration(arg, &a->ceiling) != 0)
            return ocv_cli_usage_error("policy lint: --max-ttl-ceiling: '%s' is not a "
                                       "duration (90s, 15m, 1h, 7d)",
                                       arg);
        a->has_ceiling = 1;
        return -1;
    case OPT_POLICY:
        a->policy_path = arg;
        return explain ? -1 : ocv_cli_bad_usage("policy lint: the policy is an argument");
    case OPT_SUBJECT:
        a->subject = arg;
        break;
    case OPT_PURPOSE:
        a->purpose = arg;
        break;
    case OPT_ISSUER:
        a->issuer = arg;
        break;
    case OPT_AUDIENCE:
        a->audience = arg;
        break;
    case OPT_TYPE:
        if (parse_type(arg, &a->type) != 0)
            return ocv_cli_bad_usage("policy explain: --type must be x509, jwt or cwt");
        break;
    case OPT_HELP:
        fputs(POLICY_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    default:
        return ocv_cli_bad_option(NULL, POLICY_USAGE);
    }
    if (!explain)
        return ocv_cli_bad_usage("policy lint: that option belongs to explain");
    return -1;
}

int ocv_cmd_policy(int argc, char **argv)
{
    if (argc < 2)
        return ocv_cli_bad_usage("policy: give a verb (lint, explain)");
    if (ocv_cli_is_help(argv[1])) {
        fputs(POLICY_USAGE, stdout);
        return OCV_EXIT_ALLOW;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "lint") != 0 && strcmp(verb, "explain") != 0)
        return ocv_cli_bad_usage("policy: unknown subcommand '%s' (lint, explain)", verb);
    policy_args a;
    memset(&a, 0, sizeof(a));
    a.type = OCV_CREDENTIAL_AUTO;
    ocv_config_init(&a.config);
    optind = 1;
    int code = -1, opt;
    while (code < 0 && (opt = getopt_long(argc - 1, argv + 1, "", POLICY_OPTIONS, NULL)) != -1)
        code = opt == '?' ? ocv_cli_bad_option(argv + 1, POLICY_USAGE)
                          : parse_option(opt, optarg, verb, &a);
    const char *lint_path = NULL;
    int lint = strcmp(verb, "lint") == 0;
    if (code < 0 && lint) {
        /* no POLICY: the one the configuration names (checked below) */
        if (optind + 1 < argc - 1 || (optind + 1 == argc && a.config_path == NULL))
            code = ocv_cli_bad_usage("policy lint: give one policy file (or a --config naming "
                                     "one)");
        else if (optind + 1 == argc - 1)
            lint_path = argv[1 + optind];
    } else if (code < 0 && optind != argc - 1) {
        code = ocv_cli_bad_usage("policy explain: unexpected argument '%s'", argv[1 + optind]);
    }
    if (code < 0 && a.config_path != NULL) {
        char err[1024] = "";
        if (ocv_config_load(a.config_path, &a.config, &a.config_storage, err, sizeof(err)) !=
            OCV_OK)
            code = ocv_cli_usage_error("policy %s: configuration: %s", verb, err);
    }
    if (code < 0 && lint && lint_path == NULL) {
        lint_path = a.config.policy_path;
        if (lint_path == NULL)
            code = ocv_cli_bad_usage("policy lint: %s names no policy; give the policy file",
                                     a.config_path);
    }
    if (code < 0)
        code = lint_path != NULL ? run_lint(&a, lint_path) : run_explain(&a);
    ocv_config_file_free(a.config_storage);
    return code;
}
