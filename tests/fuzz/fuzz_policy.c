/*
 * fuzz_policy.c - libFuzzer target for the policy loader and evaluator:
 * the bytes are parsed as a policy file; when they load, every rule's
 * subjects are looked up again and each subject (a prefix completed with
 * one segment) is evaluated for certificate- and token-shaped claims.
 * Any crash, leak, hang or sanitizer report is a bug, and so is an allow
 * for a purpose the chosen rule does not list, or a result that does not
 * list all seven checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void evaluate(const ocv_policy *p, const char *subject, const char *purpose, int cert)
{
    ocv_claims c;
    ocv_claims_init(&c);
    c.type = cert ? OCV_CREDENTIAL_X509 : OCV_CREDENTIAL_JWT;
    c.alg = OCV_ALG_ES256;
    snprintf(c.subject, sizeof(c.subject), "%s", subject);
    snprintf(cert ? c.anchor_name : c.issuer, sizeof(c.issuer), "%s", "https://issuer.example");
    c.issued_at = 1000;
    c.expires_at = 1600;
    c.has_issued_at = c.has_expires_at = 1;
    ocv_policy_input in;
    ocv_policy_input_init(&in);
    in.claims = &c;
    in.purpose = purpose;
    in.audience = "db.example";
    in.explain = cert;
    ocv_policy_result res;
    ocv_reason r = ocv_policy_evaluate(p, &in, &res);
    if (res.check_count != OCV_POLICY_CHECKS || r != res.reason)
        abort();
    if (r == OCV_OK) {
        const ocv_policy_rule *rule = ocv_policy_rule_at(p, res.rule_index);
        int listed = 0;
        for (size_t i = 0; rule != NULL && i < rule->purpose_count; i++)
            listed = listed || strcmp(rule->purposes[i], purpose) == 0;
        if (!listed)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_policy *p = NULL;
    char err[512];
    if (ocv_policy_parse("fuzz.json", data, size, &p, err, sizeof(err)) != OCV_OK) {
        if (p != NULL || strncmp(err, "fuzz.json", 9) != 0)
            abort(); /* a failure names the file and leaves nothing behind */
        return 0;
    }
    size_t n = ocv_policy_rule_count(p);
    for (size_t i = 0; i < n && i < 64; i++) {
        const ocv_policy_rule *rule = ocv_policy_rule_at(p, i);
        ocv_policy_effective eff;
        ocv_policy_effective_of(p, rule, &eff);
        for (size_t s = 0; s < rule->subject_count && s < 8; s++) {
            const uint32_t *level = NULL;
            if (ocv_policy_rules_naming(p, rule->subjects[s], &level) == 0)
                abort(); /* every subject of a loaded rule is indexed */
            char subject[OCV_MAX_IDENTITY_BYTES + 8];
            size_t len = strlen(rule->subjects[s]);
            if (len >= 2 && strcmp(rule->subjects[s] + len - 2, "/*") == 0)
                snprintf(subject, sizeof(subject), "%.*sx", (int)(len - 1), rule->subjects[s]);
            else
                snprintf(subject, sizeof(subject), "%s", rule->subjects[s]);
            evaluate(p, subject, rule->purposes[0], 1);
            evaluate(p, subject, "not-listed-anywhere", 0);
        }
    }
    ocv_policy_free(p);
    return 0;
}
