/*
 * x509_policy.c - the valid_policy_tree. See x509_policy.h.
 *
 * Implementation notes
 *
 * Nodes live in one array in creation order, so a parent always comes
 * before its children; deleting a node only clears its alive flag, and
 * sweep() then clears every node whose parent is dead. prune() removes
 * childless nodes above a depth, deepest first, as §6.1.3 (d)(3) and
 * §6.1.5 (g)(iii)(4) ask; an empty root makes the tree NULL.
 */
#include "x509_policy.h"

#include <string.h>

#include "base/util.h"

static size_t put_arc(uint8_t *out, size_t cap, size_t at, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)(v & 0x7f);
        v >>= 7;
    } while (v != 0);
    if (at + n > cap)
        return 0;
    for (size_t k = 0; k < n; k++)
        out[at + k] = (uint8_t)(tmp[n - 1 - k] | (k + 1 < n ? 0x80 : 0));
    return n;
}

int ocv_x509_oid_encode(const char *text, uint8_t *out, size_t cap, size_t *len)
{
    uint64_t arcs[32];
    size_t n = 0;
    const char *c = text;
    while (*c) {
        if (*c < '0' || *c > '9' || n == 32 || (c[0] == '0' && c[1] >= '0' && c[1] <= '9'))
            return -1;
        uint64_t v = 0;
        while (*c >= '0' && *c <= '9') {
            v = v * 10 + (uint64_t)(*c - '0');
            if (v > 0xffffffffu)
                return -1;
            c++;
        }
        arcs[n++] = v;
        if (*c == '.' && c[1] != 0)
            c++;
        else if (*c != 0)
            return -1;
    }
    if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
        return -1;
    size_t at = put_arc(out, cap, 0, arcs[0] * 40 + arcs[1]);
    if (at == 0)
        return -1;
    for (size_t k = 2; k < n; k++) {
        size_t w = put_arc(out, cap, at, arcs[k]);
        if (w == 0)
            return -1;
        at += w;
    }
    *len = at;
    return 0;
}

static int is_any(ocv_span s)
{
    return ocv_span_eq(s, OCV_ANY_POLICY);
}

static void sweep(ocv_x509_policy *pol)
{
    for (size_t k = 0; k < pol->count; k++) {
        ocv_x509_policy_node *x = &pol->nodes[k];
        if (x->alive && x->parent >= 0 && !pol->nodes[x->parent].alive)
            x->alive = 0;
    }
    if (pol->count == 0 || !pol->nodes[0].alive)
        pol->null_tree = 1;
}

static int has_child(const ocv_x509_policy *pol, size_t k)
{
    for (size_t c = k + 1; c < pol->count; c++) {
        if (pol->nodes[c].alive && pol->nodes[c].parent == (int)k)
            return 1;
    }
    return 0;
}

/* Deletes childless nodes of depth < below, deepest first. */
static void prune(ocv_x509_policy *pol, int below)
{
    for (int d = below - 1; d >= 0; d--) {
        for (size_t k = 0; k < pol->count; k++) {
            ocv_x509_policy_node *x = &pol->nodes[k];
            if (x->alive && x->depth == d && !has_child(pol, k))
                x->alive = 0;
        }
    }
    sweep(pol);
}

static int add_node(ocv_x509_policy *pol, int parent, ocv_span valid)
{
    if (pol->count >= OCV_X509_MAX_POLICY_NODES)
        return -1;
    ocv_x509_policy_node *x = &pol->nodes[pol->count];
    memset(x, 0, sizeof(*x));
    x->valid = valid;
    x->expected[0] = valid;
    x->expected_count = 1;
    x->parent = parent;
    x->depth = parent < 0 ? 0 : pol->nodes[parent].depth + 1;
    x->alive = 1;
    pol->count++;
    return (int)pol->count - 1;
}

void ocv_x509_policy_start(ocv_x509_policy *pol, int n, const ocv_x509_policy_init *init)
{
    pol->count = 0;
    pol->null_tree = 0;
    pol->n = n;
    pol->init = init;
    pol->explicit_policy = init->explicit_policy ? 0 : n + 1;
    pol->policy_mapping = init->inhibit_mapping ? 0 : n + 1;
    pol->inhibit_any = init->inhibit_any ? 0 : n + 1;
    (void)add_node(pol, -1, OCV_ANY_POLICY);
}

static int expects(const ocv_x509_policy_node *x, ocv_span p)
{
    for (size_t e = 0; e < x->expected_count; e++) {
        if (ocv_span_eq(x->expected[e], p))
            return 1;
    }
    return 0;
}

static int child_with(const ocv_x509_policy *pol, size_t k, ocv_span p)
{
    for (size_t c = k + 1; c < pol->count; c++) {
        if (pol->nodes[c].alive && pol->nodes[c].parent == (int)k &&
            ocv_span_eq(pol->nodes[c].valid, p))
            return 1;
    }
    return 0;
}

static ocv_reason too_big(char *detail, size_t detail_len)
{
    ocv_errf(detail, detail_len, "the policy tree would exceed %d nodes",
             OCV_X509_MAX_POLICY_NODES);
    return OCV_CHAIN_INVALID;
}

/* §6.1.3 (d)(1): one policy P (not anyPolicy) of certificate i. */
static int add_policy(ocv_x509_policy *pol, int i, ocv_span p)
{
    size_t end = pol->count;
    int matched = 0;
    for (size_t k = 0; k < end; k++) {
        const ocv_x509_policy_node *x = &pol->nodes[k];
        if (x->alive && x->depth == i - 1 && expects(x, p)) {
            if (add_node(pol, (int)k, p) < 0)
                return -1;
            matched = 1;
        }
    }
    for (size_t k = 0; !matched && k < end; k++) {
        const ocv_x509_policy_node *x = &pol->nodes[k];
        if (x->alive && x->depth == i - 1 && is_any(x->valid)) {
            if (add_node(pol, (int)k, p) < 0)
                return -1;
        }
    }
    return 0;
}

/* §6.1.3 (d)(2): anyPolicy in certificate i adds every expected policy
 * not yet a child. */
static int add_any(ocv_x509_policy *pol, int i)
{
    size_t end = pol->count;
    for (size_t k = 0; k < end; k++) {
        ocv_x509_policy_node x = pol->nodes[k];
        if (!x.alive || x.depth != i - 1)
            continue;
        for (size_t e = 0; e < x.expected_count; e++) {
            if (!child_with(pol, k, x.expected[e]) && add_node(pol, (int)k, x.expected[e]) < 0)
                return -1;
        }
    }
    return 0;
}

ocv_reason ocv_x509_policy_cert(ocv_x509_policy *pol, int i, const ocv_x509_ext *ext,
                                int self_issued, char *detail, size_t detail_len)
{
    if (!pol->null_tree && ext->has_policies) {
        int any = 0;
        for (size_t k = 0; k < ext->policy_count; k++) {
            if (is_any(ext->policies[k]))
                any = 1;
            else if (add_policy(pol, i, ext->policies[k]) != 0)
                return too_big(detail, detail_len);
        }
        if (any && (pol->inhibit_any > 0 || (i < pol->n && self_issued)) && add_any(pol, i) != 0)
            return too_big(detail, detail_len);
        prune(pol, i);
    } else {
        pol->null_tree = 1; /* (e) */
    }
    if (pol->explicit_policy <= 0 && pol->null_tree) {
        ocv_errf(detail, detail_len,
                 "an explicit policy is required and certificate %d of the path leaves none",
                 pol->n - i);
        return OCV_CHAIN_INVALID;
    }
    return OCV_OK;
}

/* §6.1.4 (b): mappings of certificate i. */
static int apply_mappings(ocv_x509_policy *pol, int i, const ocv_x509_ext *ext)
{
    for (size_t m = 0; m < ext->mapping_count; m++) {
        ocv_span idp = ext->map_issuer[m];
        int seen = 0;
        for (size_t q = 0; q < m; q++)
            seen |= ocv_span_eq(ext->map_issuer[q], idp);
        if (seen)
            continue; /* all mappings of this issuer policy were handled */
        if (pol->policy_mapping > 0) {
            ocv_span to[OCV_X509_MAX_MAPPINGS];
            size_t nto = 0;
            for (size_t q = 0; q < ext->mapping_count; q++) {
                if (ocv_span_eq(ext->map_issuer[q], idp))
                    to[nto++] = ext->map_subject[q];
            }
            int found = 0;
            size_t end = pol->count;
            for (size_t k = 0; k < end; k++) {
                ocv_x509_policy_node *x = &pol->nodes[k];
                if (x->alive && x->depth == i && ocv_span_eq(x->valid, idp)) {
                    memcpy(x->expected, to, nto * sizeof(to[0]));
                    x->expected_count = nto;
                    found = 1;
                }
            }
            for (size_t k = 0; !found && k < end; k++) {
                ocv_x509_policy_node x = pol->nodes[k];
                if (x.alive && x.depth == i && is_any(x.valid)) {
                    int c = add_node(pol, x.parent, idp);
                    if (c < 0)
                        return -1;
                    memcpy(pol->nodes[c].expected, to, nto * sizeof(to[0]));
                    pol->nodes[c].expected_count = nto;
                    found = 1;
                }
            }
        } else {
            for (size_t k = 0; k < pol->count; k++) {
                ocv_x509_policy_node *x = &pol->nodes[k];
                if (x->alive && x->depth == i && ocv_span_eq(x->valid, idp))
                    x->alive = 0;
            }
            prune(pol, i);
        }
    }
    return 0;
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

ocv_reason ocv_x509_policy_prepare(ocv_x509_policy *pol, int i, const ocv_x509_ext *ext,
                                   int self_issued, char *detail, size_t detail_len)
{
    if (ext->any_in_mapping) {
        ocv_errf(detail, detail_len, "a policy mapping names anyPolicy (RFC 5280 §6.1.4 (a))");
        return OCV_CHAIN_INVALID;
    }
    if (!pol->null_tree && ext->mapping_count > 0 && apply_mappings(pol, i, ext) != 0)
        return too_big(detail, detail_len);
    if (!self_issued) {
        if (pol->explicit_policy > 0)
            pol->explicit_policy--;
        if (pol->policy_mapping > 0)
            pol->policy_mapping--;
        if (pol->inhibit_any > 0)
            pol->inhibit_any--;
    }
    if (ext->require_explicit >= 0)
        pol->explicit_policy = min_int(pol->explicit_policy, ext->require_explicit);
    if (ext->inhibit_mapping >= 0)
        pol->policy_mapping = min_int(pol->policy_mapping, ext->inhibit_mapping);
    if (ext->inhibit_any >= 0)
        pol->inhibit_any = min_int(pol->inhibit_any, ext->inhibit_any);
    return OCV_OK;
}

static int in_initial(const ocv_x509_policy_init *init, ocv_span p)
{
    for (size_t k = 0; k < init->count; k++) {
        if (ocv_span_eq(init->oids[k], p))
            return 1;
    }
    return 0;
}

/* §6.1.5 (g)(iii): intersect the tree with the user's initial set. */
static int intersect(ocv_x509_policy *pol)
{
    const ocv_x509_policy_init *init = pol->init;
    int n = pol->n;
    size_t end = pol->count;
    int any_leaf = -1;
    for (size_t k = 0; k < end; k++) {
        ocv_x509_policy_node *x = &pol->nodes[k];
        if (!x->alive || x->parent < 0 || !is_any(pol->nodes[x->parent].valid))
            continue;
        if (is_any(x->valid)) {
            if (x->depth == n)
                any_leaf = (int)k;
            continue;
        }
        if (!in_initial(init, x->valid))
            x->alive = 0;
    }
    sweep(pol);
    if (any_leaf >= 0 && pol->nodes[any_leaf].alive) {
        int parent = pol->nodes[any_leaf].parent;
        for (size_t q = 0; q < init->count; q++) {
            int present = 0;
            for (size_t k = 0; k < pol->count; k++) {
                const ocv_x509_policy_node *x = &pol->nodes[k];
                present |= x->alive && x->depth == n && ocv_span_eq(x->valid, init->oids[q]);
            }
            if (!present && add_node(pol, parent, init->oids[q]) < 0)
                return -1;
        }
        pol->nodes[any_leaf].alive = 0;
    }
    prune(pol, n);
    return 0;
}

ocv_reason ocv_x509_policy_finish(ocv_x509_policy *pol, const ocv_x509_ext *leaf, char *detail,
                                  size_t detail_len)
{
    if (pol->explicit_policy > 0)
        pol->explicit_policy--;
    if (leaf->require_explicit == 0)
        pol->explicit_policy = 0;
    if (!pol->null_tree && pol->init->count > 0 && intersect(pol) != 0)
        return too_big(detail, detail_len);
    if (pol->explicit_policy > 0 || !pol->null_tree)
        return OCV_OK;
    ocv_errf(detail, detail_len,
             "no certificate policy acceptable to the path and the "
             "configuration (an explicit policy is required)");
    return OCV_CHAIN_INVALID;
}
