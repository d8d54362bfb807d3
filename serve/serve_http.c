/*
 * serve_http.c - ocv_serve_run: the libmicrohttpd front end of the
 * sidecar (serve.h, docs/sidecar.md).
 *
 * Implementation notes:
 * - One MHD daemon per listen address, each with its own thread pool
 *   ("threads"); the listen sockets are ours (host:port or unix:PATH), so
 *   port 0 works and the bound address is logged.
 * - A request without a body is answered on MHD's first call; one with a
 *   body is read and dropped up to max_body_bytes (a declared larger body
 *   is 413 at once, an undeclared one closes the connection).
 * - What the handler reads is classified before the verifier sees it:
 *   400 for what cannot be parsed (path, duplicate headers, XFCC syntax),
 *   401 for no or unreadable credential, then one ocv_check. The answer
 *   is 200 only when the decision allows AND its audit record is written
 *   AND the response headers could be set; every other path is a 4xx.
 * - Reloadable settings (routes, header names, log, audit selection) live
 *   in a reference-counted runtime swapped under a mutex on SIGHUP, next
 *   to ocv_reload's swap of the verifier's state; a request keeps the
 *   runtime it started with.
 * - Signals are blocked in every thread and taken by the main thread with
 *   sigwait: SIGHUP reloads, SIGTERM/SIGINT quiesce the daemons (no new
 *   connections), answer with "Connection: close", wait until no
 *   connection is open or drain_timeout passes, then stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/limits.h"
#include "base/util.h"
#include "serve/serve_internal.h"

typedef struct serve_runtime {
    atomic_int refs;
    ocv_serve_config cfg; /* owns its routes */
    char audience[OCV_MAX_AUDIENCE_BYTES + 1];
} serve_runtime;

struct serve_server;

typedef struct serve_listener {
    struct serve_server *server;
    struct MHD_Daemon *daemon;
    char name[OCV_SERVE_MAX_ADDR + 64];
    char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} serve_listener;

typedef struct serve_server {
    const char *config_path;
    ocv_ctx *ctx;
    pthread_mutex_t rt_lock;
    serve_runtime *rt;
    ocv_serve_metrics metrics;
    ocv_serve_monitor monitor;
    int monitor_up;
    ocv_serve_audit *audit;
    atomic_int audit_warned; /* the first refused record was logged */
    atomic_int draining;
    serve_listener listeners[OCV_SERVE_MAX_LISTEN];
    size_t listener_count;
} serve_server;

/* *con_cls of a request without a body: waiting for MHD's second call
 * (answering on the first makes MHD close the connection), answered.
 * A request with a body gets a body_state. */
static int NO_BODY, NO_BODY_ANSWERED;

typedef struct body_state {
    size_t received;
    int answered;
} body_state;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the runtime ---------------------------------------------------- */

static serve_runtime *runtime_new(ocv_serve_config *scfg, const char *audience)
{
    serve_runtime *rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        return NULL;
    atomic_init(&rt->refs, 1);
    rt->cfg = *scfg; /* takes the routes */
    scfg->routes = NULL;
    scfg->route_count = 0;
    ocv_strlcpy(rt->audience, audience != NULL ? audience : "", sizeof(rt->audience));
    return rt;
}

static void runtime_release(serve_runtime *rt)
{
    if (rt != NULL && atomic_fetch_sub(&rt->refs, 1) == 1) {
        ocv_serve_config_free(&rt->cfg);
        free(rt);
    }
}

static serve_runtime *runtime_acquire(serve_server *s)
{
    pthread_mutex_lock(&s->rt_lock);
    serve_runtime *rt = s->rt;
    atomic_fetch_add(&rt->refs, 1);
    pthread_mutex_unlock(&s->rt_lock);
    return rt;
}

/* ---- responses ------------------------------------------------------ */

static void log_event(serve_server *s, ocv_serve_log_level at, const char *event, json_t *fields)
{
    serve_runtime *rt = runtime_acquire(s);
    ocv_serve_log(rt->cfg.log_format, rt->cfg.log_level, at, event, fields);
    runtime_release(rt);
    json_decref(fields);
}

/* Start, reload and drain lines: shown at every level but "off", so an
 * operator (and a test) always learns the bound address and the end. */
static void log_lifecycle(serve_server *s, const char *event, json_t *fields)
{
    serve_runtime *rt = runtime_acquire(s);
    ocv_serve_log_level level =
        rt->cfg.log_level == OCV_SERVE_LOG_OFF ? OCV_SERVE_LOG_OFF : OCV_SERVE_LOG_DEBUG;
    ocv_serve_log(rt->cfg.log_format, level, OCV_SERVE_LOG_INFO, event, fields);
    runtime_release(rt);
    json_decref(fields);
}

/* Queues status with body text and optional headers (name, value pairs,
 * NULL-terminated). A header that cannot be set (a value with CR/LF)
 * fails the whole response: the caller then denies. */
static enum MHD_Result respond(serve_server *s, struct MHD_Connection *conn, unsigned status,
                               const char *body, const char *const *headers)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    int ok = MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8") == MHD_YES;
    for (size_t i = 0; ok && headers != NULL && headers[i] != NULL; i += 2)
        ok = MHD_add_response_header(resp, headers[i], headers[i + 1]) == MHD_YES;
    if (ok && atomic_load(&s->draining))
        ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
    enum MHD_Result r = MHD_NO;
    if (ok) {
        r = MHD_queue_response(conn, status, resp);
        if (r == MHD_YES)
            ocv_serve_metrics_http(&s->metrics, status);
    }
    MHD_destroy_response(resp);
    return ok ? r : MHD_NO;
}

/* The refusal before the verifier: 400, 401 (with WWW-Authenticate), 404,
 * 413. Logged as event "refused" (not a decision: nothing was verified). */
static enum MHD_Result refuse(serve_server *s, struct MHD_Connection *conn, unsigned status,
                              const char *reason, const char *why, const char *peer)
{
    json_t *f = json_object();
    json_object_set_new(f, "status", json_integer(status));
    if (reason != NULL)
        json_object_set_new(f, "reason", json_string(reason));
    json_object_set_new(f, "why", json_string(why));
    json_object_set_new(f, "peer", json_string(peer));
    log_event(s, OCV_SERVE_LOG_INFO, "refused", f);
    char body[160];
    snprintf(body, sizeof(body), "%s\n", why);
    const char *h401[] = {"WWW-Authenticate", "Bearer", "X-OCV-Reason", reason, NULL};
    if (status == 401 && reason == NULL)
        h401[2] = NULL;
    const char *hreason[] = {"X-OCV-Reason", reason, NULL};
    const char *const *headers = status == 401 ? h401 : reason != NULL ? hreason : NULL;
    return respond(s, conn, status, body, headers);
}

/* ---- reading the request -------------------------------------------- */

/* The headers this server reads, found in one pass (names compare
 * case-insensitively; a repeated one is counted so it can be refused). */
typedef struct seen_headers {
    const serve_runtime *rt;
    const char *authorization, *client_cert, *xfcc, *purpose, *orig_uri, *orig_method;
    unsigned dup; /* a header read here came more than once */
} seen_headers;

static void take(seen_headers *h, const char **slot, const char *value)
{
    if (*slot != NULL)
        h->dup = 1;
    *slot = value;
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    seen_headers *h = cls;
    const ocv_serve_config *c = &h->rt->cfg;
    if (key == NULL || value == NULL)
        return MHD_YES;
    if (strcasecmp(key, "Authorization") == 0)
        take(h, &h->authorization, value);
    else if (c->client_cert_header[0] && strcasecmp(key, c->client_cert_header) == 0)
        take(h, &h->client_cert, value);
    else if (c->xfcc_header[0] && strcasecmp(key, c->xfcc_header) == 0)
        take(h, &h->xfcc, value);
    else if (c->purpose_header[0] && strcasecmp(key, c->purpose_header) == 0)
        take(h, &h->purpose, value);
    else if (strcasecmp(key, "X-Original-URI") == 0)
        take(h, &h->orig_uri, value);
    else if (strcasecmp(key, "X-Original-Method") == 0)
        take(h, &h->orig_method, value);
    return MHD_YES;
}

static void peer_name(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    ocv_strlcpy(out, "unix", len);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    char host[INET6_ADDRSTRLEN] = "";
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
    }
}

/* A purpose from a header: printable ASCII, at most OCV_SERVE_MAX_PURPOSE. */
static int purpose_ok(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > OCV_SERVE_MAX_PURPOSE)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
            return 0;
    }
    return 1;
}

/* Everything one check needs, gathered before ocv_check. */
typedef struct check_input {
    const char *contract;
    char method[16];
    char path[OCV_SERVE_MAX_PATH + 1];
    int has_path;
    const char *purpose;
    const ocv_serve_route *route;
} check_input;

/* nginx: X-Original-Method and X-Original-URI (raw, with the query). */
static const char *nginx_target(const seen_headers *h, const char *method, check_input *in)
{
    ocv_strlcpy(in->method, h->orig_method != NULL ? h->orig_method : method, sizeof(in->method));
    if (h->orig_uri == NULL)
        return NULL;
    size_t n = strcspn(h->orig_uri, "?#");
    size_t len = 0;
    if (n > OCV_SERVE_MAX_PATH ||
        ocv_serve_percent_decode(h->orig_uri, n, in->path, sizeof(in->path), &len) != 0 ||
        ocv_serve_path_check(in->path, len) != 0)
        return "X-Original-URI is not an acceptable path";
    in->has_path = 1;
    return NULL;
}

/* Envoy: the original path under envoy_prefix (MHD decoded it with
 * unescape() below), the original method. */
static const char *envoy_target(const char *url, size_t prefix_len, const char *method,
                                check_input *in)
{
    ocv_strlcpy(in->method, method, sizeof(in->method));
    const char *p = url + prefix_len;
    if (*p == 0)
        p = "/";
    if (ocv_strlcpy(in->path, p, sizeof(in->path)) != 0 ||
        ocv_serve_path_check(in->path, strlen(in->path)) != 0)
        return "the original path is not acceptable";
    in->has_path = 1;
    return NULL;
}

/* ---- one decision ---------------------------------------------------- */

static void fingerprint(const uint8_t *data, size_t len, char out[65])
{
    uint8_t digest[32];
    out[0] = 0;
    if (data != NULL && ocv_sha256(data, len, digest) == 0)
        ocv_hex_encode(digest, sizeof(digest), out);
}

static void deny_as(ocv_decision *d, ocv_reason r, const char *detail)
{
    d->allow = 0;
    d->reason = r;
    ocv_strlcpy(d->detail, detail, sizeof(d->detail));
}

/* 401 for a credential the verifier could not read, 403 for every other
 * deny, 200 for an allow. */
static unsigned status_of(const ocv_decision *d)
{
    if (d->allow && d->reason == OCV_OK)
        return 200;
    if (d->reason == OCV_MALFORMED || d->reason == OCV_UNSUPPORTED_FORMAT ||
        d->reason == OCV_TOO_LARGE)
        return 401;
    return 403;
}

static enum MHD_Result answer_decision(serve_server *s, struct MHD_Connection *conn,
                                       serve_runtime *rt, ocv_decision *d, ocv_serve_meta *meta)
{
    if (ocv_serve_audit_wants(s->audit, d->allow)) {
        ocv_reason ar = ocv_serve_audit_decision(s->audit, d, meta);
        if (ar != OCV_OK) {
            deny_as(d, OCV_INTERNAL_ERROR, "the decision could not be written to the audit log");
            if (atomic_exchange(&s->audit_warned, 1) == 0) { /* once: the error is sticky */
                json_t *f = json_object();
                json_object_set_new(f, "reason", json_string(ocv_reason_name(ar)));
                json_object_set_new(f, "error", json_string(ocv_serve_audit_error(s->audit)));
                json_object_set_new(f, "note", json_string("every decision is denied from now on"));
                log_event(s, OCV_SERVE_LOG_ERROR, "audit_failed", f);
            }
        }
    }
    meta->status = status_of(d);
    const char *reason = ocv_reason_name(d->reason);
    enum MHD_Result r;
    if (meta->status == 200) {
        const char *h[] = {"X-OCV-Subject", d->subject, "X-OCV-Rule", d->rule, NULL, NULL, NULL};
        if (strcmp(meta->contract, "envoy") == 0) {
            h[4] = rt->cfg.subject_header;
            h[5] = d->subject;
        }
        if (d->rule[0] == 0) { /* no rule (no_policy): leave the header out */
            h[2] = h[4];
            h[3] = h[5];
            h[4] = NULL;
        }
        r = respond(s, conn, 200, "", h);
        if (r != MHD_YES) { /* never allow without the headers: deny */
            deny_as(d, OCV_INTERNAL_ERROR, "the allow could not be answered");
            meta->status = 403;
            reason = ocv_reason_name(d->reason);
            const char *hd[] = {"X-OCV-Reason", reason, NULL};
            r = respond(s, conn, 403, "deny INTERNAL_ERROR\n", hd);
        }
    } else {
        char body[96];
        snprintf(body, sizeof(body), "deny %s\n", reason);
        const char *h[] = {"X-OCV-Reason", reason, NULL, NULL, NULL};
        if (meta->status == 401) {
            h[2] = "WWW-Authenticate";
            h[3] = "Bearer";
        }
        r = respond(s, conn, meta->status, body, h);
    }
    meta->nanoseconds = now_ns() - meta->nanoseconds;
    ocv_serve_metrics_decision(&s->metrics, d, meta->nanoseconds);
    ocv_serve_log_decision(rt->cfg.log_format, rt->cfg.log_level, d, meta);
    return r;
}

static enum MHD_Result answer_check(serve_server *s, serve_listener *l, struct MHD_Connection *conn,
                                    serve_runtime *rt, const char *url, const char *method,
                                    int envoy)
{
    uint64_t start = now_ns();
    ocv_serve_meta meta;
    memset(&meta, 0, sizeof(meta));
    meta.nanoseconds = start;
    meta.contract = envoy ? "envoy" : "nginx";
    meta.listen = l->name;
    meta.audience = rt->audience[0] ? rt->audience : NULL;
    peer_name(conn, meta.peer, sizeof(meta.peer));

    seen_headers h;
    memset(&h, 0, sizeof(h));
    h.rt = rt;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &h);
    if (h.dup)
        return refuse(s, conn, 400, NULL, "a header ocv reads came more than once", meta.peer);

    check_input in;
    memset(&in, 0, sizeof(in));
    const char *bad = envoy ? envoy_target(url, strlen(rt->cfg.envoy_prefix), method, &in)
                            : nginx_target(&h, method, &in);
    if (bad != NULL)
        return refuse(s, conn, 400, NULL, bad, meta.peer);
    meta.method = in.method;
    meta.path = in.has_path ? in.path : NULL;

    /* The credential: the token, else the client certificate of this
     * contract (never the other contract's header). */
    ocv_serve_credential cred;
    ocv_serve_credential_init(&cred);
    ocv_serve_cred_status ts = ocv_serve_parse_bearer(h.authorization, &cred);
    ocv_serve_cred_status cs = envoy ? ocv_serve_parse_xfcc(h.xfcc, &cred)
                                     : ocv_serve_parse_escaped_cert(h.client_cert, &cred);
    enum MHD_Result r;
    if (cs == OCV_SERVE_CRED_BAD_REQUEST) {
        r = refuse(s, conn, 400, NULL, cred.why, meta.peer);
        goto out;
    }
    if (ts == OCV_SERVE_CRED_UNREADABLE ||
        (ts == OCV_SERVE_CRED_NONE && cs == OCV_SERVE_CRED_UNREADABLE)) {
        r = refuse(s, conn, 401, "MALFORMED", cred.why, meta.peer);
        goto out;
    }
    if (ts == OCV_SERVE_CRED_NONE && cs == OCV_SERVE_CRED_NONE) {
        r = refuse(s, conn, 401, NULL, "no credential", meta.peer);
        goto out;
    }

    /* The purpose: the header when configured and sent, else the routes. */
    if (h.purpose != NULL) {
        if (!purpose_ok(h.purpose)) {
            r = refuse(s, conn, 400, NULL, "the purpose header is not a purpose name", meta.peer);
            goto out;
        }
        in.purpose = h.purpose;
    } else if (rt->cfg.route_count > 0) {
        if (!in.has_path) {
            r = refuse(s, conn, 400, NULL, "routes need X-Original-URI", meta.peer);
            goto out;
        }
        in.route = ocv_serve_route_match(rt->cfg.routes, rt->cfg.route_count, in.method, in.path);
        in.purpose = in.route != NULL ? in.route->purpose : NULL;
    }
    meta.purpose = in.purpose;

    ocv_decision d;
    ocv_request req;
    ocv_request_init(&req);
    if (ts == OCV_SERVE_CRED_OK) {
        req.credential = cred.token;
        req.credential_len = cred.token_len;
        req.peer_cert = cred.cert.data; /* proof of possession */
        req.peer_cert_len = cred.cert.len;
    } else {
        req.type = OCV_CREDENTIAL_X509;
        req.credential = cred.cert.data;
        req.credential_len = cred.cert.len;
        req.chain = cred.chain.data;
        req.chain_len = cred.chain.len;
    }
    fingerprint(req.credential, req.credential_len, meta.fingerprint);
    if (rt->cfg.route_count > 0 && in.purpose == NULL) {
        memset(&d, 0, sizeof(d));
        d.evaluated_at = ocv_now();
        char detail[OCV_MAX_DETAIL_BYTES];
        snprintf(detail, sizeof(detail), "no route rule for %s %.200s", in.method, in.path);
        deny_as(&d, OCV_NO_MATCHING_RULE, detail);
    } else {
        req.purpose = in.purpose;
        ocv_reason v = ocv_check(s->ctx, &req, &d);
        d.allow = d.allow && v == OCV_OK && d.reason == OCV_OK;
    }
    r = answer_decision(s, conn, rt, &d, &meta);
out:
    ocv_serve_credential_free(&cred);
    return r;
}

static enum MHD_Result answer_health(serve_server *s, struct MHD_Connection *conn)
{
    char why[300];
    int sick = ocv_serve_health(&s->monitor, ocv_now(), why, sizeof(why));
    size_t n = strlen(why);
    if (n + 1 < sizeof(why)) {
        why[n] = '\n';
        why[n + 1] = 0;
    }
    return respond(s, conn, sick ? 503 : 200, why, NULL);
}

static enum MHD_Result answer_metrics(serve_server *s, struct MHD_Connection *conn)
{
    ocv_serve_revocation rev;
    ocv_serve_monitor_read(&s->monitor, &rev);
    ocv_serve_audit_counts audit;
    ocv_serve_audit_stats(s->audit, &audit);
    size_t len = 0;
    char *text = ocv_serve_metrics_render(&s->metrics, &rev, &audit, ocv_now(), &len);
    if (text == NULL)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result r = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    if (r == MHD_YES)
        ocv_serve_metrics_http(&s->metrics, 200);
    return r;
}

static enum MHD_Result answer(serve_listener *l, struct MHD_Connection *conn, const char *url,
                              const char *method)
{
    serve_server *s = l->server;
    if (strcmp(url, "/healthz") == 0)
        return answer_health(s, conn);
    if (strcmp(url, "/metrics") == 0)
        return answer_metrics(s, conn);
    serve_runtime *rt = runtime_acquire(s);
    enum MHD_Result r;
    size_t pl = strlen(rt->cfg.envoy_prefix);
    char peer[64];
    if (strcmp(url, rt->cfg.auth_path) == 0) {
        r = answer_check(s, l, conn, rt, url, method, 0);
    } else if (pl > 0 && strncmp(url, rt->cfg.envoy_prefix, pl) == 0 &&
               (url[pl] == '/' || url[pl] == 0)) {
        r = answer_check(s, l, conn, rt, url, method, 1);
    } else if (url[0] != '/') {
        peer_name(conn, peer, sizeof(peer));
        r = refuse(s, conn, 400, NULL, "the request path is not acceptable", peer);
    } else {
        peer_name(conn, peer, sizeof(peer));
        r = refuse(s, conn, 404, NULL, "no such endpoint", peer);
    }
    runtime_release(rt);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    serve_listener *l = cls;
    serve_server *s = l->server;
    if (*con_cls == NULL) {
        atomic_fetch_add(&s->metrics.in_flight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t declared = 0;
        if (cl != NULL && (ocv_parse_int64(cl, &declared) != 0 || declared < 0)) {
            *con_cls = &NO_BODY_ANSWERED;
            return refuse(s, conn, 400, NULL, "bad Content-Length", "");
        }
        serve_runtime *rt = runtime_acquire(s);
        size_t cap = rt->cfg.max_body_bytes;
        runtime_release(rt);
        if ((uint64_t)declared > cap) {
            *con_cls = &NO_BODY_ANSWERED;
            return refuse(s, conn, 413, NULL, "request body over max_body_bytes", "");
        }
        if (declared == 0 &&
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding") == NULL) {
            *con_cls = &NO_BODY;
            return MHD_YES;
        }
        body_state *b = calloc(1, sizeof(*b));
        if (b == NULL) {
            atomic_fetch_sub(&s->metrics.in_flight, 1);
            return MHD_NO;
        }
        *con_cls = b;
        return MHD_YES;
    }
    if (*con_cls == &NO_BODY_ANSWERED)
        return MHD_YES;
    if (*con_cls == &NO_BODY) {
        *con_cls = &NO_BODY_ANSWERED;
        return answer(l, conn, url, method);
    }
    body_state *b = *con_cls;
    if (*upload_data_size > 0) {
        b->received += *upload_data_size;
        *upload_data_size = 0;
        serve_runtime *rt = runtime_acquire(s);
        size_t cap = rt->cfg.max_body_bytes;
        runtime_release(rt);
        return b->received > cap ? MHD_NO : MHD_YES; /* over the cap: close */
    }
    if (b->answered)
        return MHD_YES;
    b->answered = 1;
    return answer(l, conn, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    serve_server *s = cls;
    if (*con_cls == NULL)
        return;
    if (*con_cls != &NO_BODY && *con_cls != &NO_BODY_ANSWERED)
        free(*con_cls);
    *con_cls = NULL;
    atomic_fetch_sub(&s->metrics.in_flight, 1);
}

/* MHD's unescaper for the URL: our strict percent-decoding. A bad escape
 * or %00 turns the URL into "!" (not a path: 400). */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    size_t n = strlen(s), out = 0;
    if (ocv_serve_percent_decode(s, n, s, n + 1, &out) != 0) {
        s[0] = '!';
        s[1] = 0;
        return 1;
    }
    return out;
}

/* ---- listening ------------------------------------------------------ */

static int open_unix(const char *path, serve_listener *l, char *err, size_t err_len)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (ocv_strlcpy(sa.sun_path, path, sizeof(sa.sun_path)) != 0) {
        ocv_errf(err, err_len, "unix:%s: path too long", path);
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run; never another file */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0) {
        ocv_errf(err, err_len, "unix:%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ocv_strlcpy(l->unix_path, path, sizeof(l->unix_path));
    snprintf(l->name, sizeof(l->name), "unix:%s", path);
    return fd;
}

static int open_tcp(const char *addr, serve_listener *l, char *err, size_t err_len)
{
    char host[OCV_SERVE_MAX_ADDR + 1];
    ocv_strlcpy(host, addr, sizeof(host));
    char *colon = strrchr(host, ':');
    if (colon == NULL) {
        ocv_errf(err, err_len, "%s: want host:port", addr);
        return -1;
    }
    *colon = 0;
    const char *port = colon + 1;
    char *h = host;
    if (h[0] == '[' && colon > host && colon[-1] == ']') {
        h++;
        colon[-1] = 0;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(h[0] ? h : NULL, port, &hints, &res);
    if (rc != 0) {
        ocv_errf(err, err_len, "%s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
                        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0)) {
            ocv_errf(err, err_len, "%s: %s", addr, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char name[INET6_ADDRSTRLEN] = "?";
    unsigned p = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, name, sizeof(name));
            p = ntohs(in->sin_port);
            snprintf(l->name, sizeof(l->name), "%s:%u", name, p);
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, name, sizeof(name));
            p = ntohs(in6->sin6_port);
            snprintf(l->name, sizeof(l->name), "[%s]:%u", name, p);
        }
    }
    return fd;
}

/*
 * The drain does not quiesce the daemons: libmicrohttpd 0.9.75's
 * MHD_quiesce_daemon races its own epoll loop over removing the listen
 * socket and aborts the process ("Failed to remove listen FD from epoll
 * set") when it loses, which killed a drain under load and lost answered
 * decisions' audit records (1 drain in 4 on a busy machine). Instead a
 * connection that arrives while draining is closed as soon as it is
 * accepted, and MHD_stop_daemon closes the listen socket once the open
 * connections are done. (poll() instead of epoll avoids the race too, but
 * cost 40% more CPU a request at 1,000 connections.)
 */
static enum MHD_Result accept_unless_draining(void *cls, const struct sockaddr *addr,
                                              socklen_t addr_len)
{
    serve_server *s = cls;
    (void)addr;
    (void)addr_len;
    return atomic_load(&s->draining) ? MHD_NO : MHD_YES;
}

static int start_listener(serve_server *s, const ocv_serve_config *c, const char *addr,
                          serve_listener *l, char *err, size_t err_len)
{
    l->server = s;
    int fd = strncmp(addr, "unix:", 5) == 0 ? open_unix(addr + 5, l, err, err_len)
                                            : open_tcp(addr, l, err, err_len);
    if (fd < 0)
        return -1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC;
    l->daemon =
        MHD_start_daemon(flags, 0, accept_unless_draining, s, on_request, l,
                         MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_THREAD_POOL_SIZE,
                         (unsigned int)c->threads, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned int)c->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                         (unsigned int)c->max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned int)c->connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)c->max_header_bytes, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                         MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (l->daemon == NULL) {
        ocv_errf(err, err_len, "%s: the HTTP server did not start", addr);
        close(fd);
        return -1;
    }
    return 0;
}

/* ---- reload and drain ----------------------------------------------- */

static void reload(serve_server *s)
{
    char err[1024] = "";
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    ocv_serve_config scfg;
    ocv_serve_config_init(&scfg);
    ocv_reason r = ocv_config_load(s->config_path, &cfg, &storage, err, sizeof(err));
    if (r == OCV_OK)
        r = ocv_serve_config_load(s->config_path, &scfg, err, sizeof(err));
    if (r == OCV_OK)
        r = ocv_reload(s->ctx, &cfg, err, sizeof(err));
    serve_runtime *fresh = NULL;
    if (r == OCV_OK && (fresh = runtime_new(&scfg, cfg.audience)) == NULL)
        r = OCV_INTERNAL_ERROR; /* the verifier already reloaded; routes stay old */
    json_t *f = json_object();
    if (r != OCV_OK) {
        atomic_fetch_add(&s->metrics.reloads_failed, 1);
        json_object_set_new(f, "result", json_string("refused"));
        json_object_set_new(f, "reason", json_string(ocv_reason_name(r)));
        json_object_set_new(f, "error", json_string(err));
        json_object_set_new(f, "note", json_string("the previous configuration keeps serving"));
        log_event(s, OCV_SERVE_LOG_WARN, "reload", f);
    } else {
        ocv_serve_monitor_set(&s->monitor, cfg.db_path, cfg.revocation_max_age_seconds);
        ocv_serve_audit_set_which(s->audit, fresh->cfg.audit_which);
        /* Listening, threads and limits stay as started. */
        fresh->cfg.listen_count = 0;
        pthread_mutex_lock(&s->rt_lock);
        serve_runtime *old = s->rt;
        fresh->cfg.max_body_bytes = old->cfg.max_body_bytes;
        s->rt = fresh;
        pthread_mutex_unlock(&s->rt_lock);
        runtime_release(old);
        atomic_fetch_add(&s->metrics.reloads_ok, 1);
        json_object_set_new(f, "result", json_string("ok"));
        json_object_set_new(f, "routes", json_integer((json_int_t)fresh->cfg.route_count));
        log_lifecycle(s, "reload", f);
    }
    ocv_serve_config_free(&scfg);
    ocv_config_file_free(storage);
}

static unsigned open_connections(serve_server *s)
{
    unsigned n = 0;
    for (size_t i = 0; i < s->listener_count; i++) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(s->listeners[i].daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (di != NULL)
            n += di->num_connections;
    }
    return n;
}

static void drain(serve_server *s, unsigned timeout)
{
    atomic_store(&s->draining, 1); /* new connections: closed at once */
    for (size_t i = 0; i < s->listener_count; i++)
        if (s->listeners[i].unix_path[0])
            unlink(s->listeners[i].unix_path);
    uint64_t deadline = now_ns() + (uint64_t)timeout * 1000000000u;
    unsigned left = open_connections(s);
    while (left > 0 && now_ns() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        left = open_connections(s);
    }
    json_t *f = json_object();
    json_object_set_new(f, "connections_left", json_integer(left));
    json_object_set_new(f, "in_flight",
                        json_integer((json_int_t)atomic_load(&s->metrics.in_flight)));
    log_lifecycle(s, "drained", f);
    for (size_t i = 0; i < s->listener_count; i++)
        MHD_stop_daemon(s->listeners[i].daemon);
    s->listener_count = 0;
}

/* After the drain: every answered decision's record is queued; write
 * them (with a key, a closing checkpoint) and say how it went. */
static ocv_reason close_audit(serve_server *s)
{
    if (s->audit == NULL)
        return OCV_OK;
    char err[600] = "";
    ocv_serve_audit_counts before;
    ocv_serve_audit_stats(s->audit, &before);
    ocv_reason r = ocv_serve_audit_close(s->audit, err, sizeof(err));
    s->audit = NULL;
    json_t *f = json_object();
    json_object_set_new(f, "result", json_string(r == OCV_OK ? "ok" : "failed"));
    json_object_set_new(f, "records_written", json_integer((json_int_t)before.written));
    json_object_set_new(f, "records_pending", json_integer((json_int_t)before.pending));
    if (r != OCV_OK) {
        json_object_set_new(f, "reason", json_string(ocv_reason_name(r)));
        json_object_set_new(f, "error", json_string(err));
    }
    log_lifecycle(s, "audit_closed", f);
    return r;
}

/* ---- ocv_serve_run -------------------------------------------------- */

static int open_server(serve_server *s, const ocv_serve_config *scfg, char *err, size_t err_len)
{
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    ocv_reason r = ocv_config_load(s->config_path, &cfg, &storage, err, err_len);
    if (r == OCV_OK)
        r = ocv_open(&s->ctx, &cfg, err, err_len);
    ocv_serve_config copy = *scfg;
    copy.routes = NULL;
    if (r == OCV_OK && scfg->route_count > 0) {
        copy.routes = calloc(scfg->route_count, sizeof(*copy.routes));
        if (copy.routes == NULL)
            r = OCV_INTERNAL_ERROR;
        else
            memcpy(copy.routes, scfg->routes, scfg->route_count * sizeof(*copy.routes));
    }
    if (r == OCV_OK && (s->rt = runtime_new(&copy, cfg.audience)) == NULL)
        r = OCV_INTERNAL_ERROR;
    ocv_serve_config_free(&copy);
    if (r == OCV_OK &&
        ocv_serve_monitor_init(&s->monitor, cfg.db_path, cfg.revocation_max_age_seconds) != 0)
        r = OCV_INTERNAL_ERROR;
    s->monitor_up = r == OCV_OK;
    if (r == OCV_OK)
        r = ocv_serve_audit_open(scfg, &s->metrics, &s->audit, err, err_len);
    ocv_config_file_free(storage);
    return r == OCV_OK ? 0 : -1;
}

int ocv_serve_run(const char *config_path, const ocv_serve_config *scfg)
{
    serve_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return 2;
    s->config_path = config_path;
    ocv_serve_metrics_init(&s->metrics);
    pthread_mutex_init(&s->rt_lock, NULL);
    char err[1024] = "";
    int code = 2;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    /* A file-size limit makes an audit write fail (EFBIG: every later
     * decision is denied INTERNAL_ERROR) instead of killing the server. */
    signal(SIGXFSZ, SIG_IGN);
    (void)ocv_serve_log_start();
    if (open_server(s, scfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "ocv: serve: %s\n", err);
        goto out;
    }
    if (scfg->listen_count == 0) {
        fprintf(stderr, "ocv: serve: no listen address (--listen or serve.listen)\n");
        goto out;
    }
    for (size_t i = 0; i < scfg->listen_count; i++) {
        if (start_listener(s, scfg, scfg->listen[i], &s->listeners[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "ocv: serve: %s\n", err);
            goto out;
        }
        s->listener_count++;
        json_t *f = json_object();
        json_object_set_new(f, "listen", json_string(s->listeners[i].name));
        json_object_set_new(f, "threads", json_integer(scfg->threads));
        log_lifecycle(s, "listening", f);
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload(s);
            continue;
        }
        drain(s, scfg->drain_timeout);
        code = close_audit(s) == OCV_OK ? 0 : 1;
        break;
    }
out:
    for (size_t i = 0; i < s->listener_count; i++)
        MHD_stop_daemon(s->listeners[i].daemon);
    if (s->audit != NULL) { /* a start that failed: nothing was answered */
        char ignored[8];
        ocv_reason r = ocv_serve_audit_close(s->audit, ignored, sizeof(ignored));
        (void)r;
    }
    if (s->monitor_up)
        ocv_serve_monitor_free(&s->monitor);
    runtime_release(s->rt);
    ocv_close(s->ctx);
    pthread_mutex_destroy(&s->rt_lock);
    free(s);
    ocv_serve_log_stop();
    return code;
}
