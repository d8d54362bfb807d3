/*
 * serve.h - the sidecar layer (`ocv serve`): an HTTP front end on
 * libmicrohttpd that answers nginx auth_request and Envoy ext_authz (HTTP
 * service) checks from local state only. docs/sidecar.md is the user's
 * page; this header is the contract between the serve/ files and
 * tools/cmd_serve.c.
 *
 * What it does: reads the "serve" section of the configuration file,
 * turns each request into one ocv_check (credential from a Bearer header,
 * a client-certificate header or Envoy's XFCC; purpose from a header or
 * the route rules), answers 200 / 401 / 403 (400 for what it cannot
 * parse), logs one line per decision, writes every decision to the audit
 * log, serves /healthz and /metrics, reloads on SIGHUP and drains on
 * SIGTERM.
 *
 * What it does not do: fail open. An internal error is a 403 with reason
 * INTERNAL_ERROR, never a 5xx (Envoy lets 5xx through when
 * failure_mode_allow is set). It never trusts Envoy's URI= alone, never
 * logs credential bytes, and never reads the client-certificate header of
 * the other proxy's contract.
 *
 * Layering: serve/ uses decision/, revocation/ and base/; libocv never
 * links libmicrohttpd (only the ocv binary and the serve unit tests do).
 *
 * Thread safety: the parsing functions (serve_request.c) are pure; the
 * metrics are atomic counters; ocv_serve_run owns the daemons.
 */
#ifndef OCV_SERVE_H
#define OCV_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"

#define OCV_SERVE_MAX_LISTEN      8       /* --listen addresses */
#define OCV_SERVE_MAX_ROUTES      256     /* route rules */
#define OCV_SERVE_MAX_NAME        64      /* a header name */
#define OCV_SERVE_MAX_ADDR        256     /* host:port or unix:PATH */
#define OCV_SERVE_MAX_PATH        4096    /* a request path (and a rule's) */
#define OCV_SERVE_MAX_PURPOSE     256     /* a purpose name */
#define OCV_SERVE_MAX_AUDIT_BATCH 4096    /* records per batch */
#define OCV_SERVE_MAX_DEVICE_ID   128     /* the audit checkpoints' device id */
#define OCV_SERVE_MAX_CHECKPOINT  1000000 /* checkpoint_every at most */

/* HTTP methods a route may name; a rule without methods matches any. */
enum {
    OCV_METHOD_GET = 1 << 0,
    OCV_METHOD_HEAD = 1 << 1,
    OCV_METHOD_POST = 1 << 2,
    OCV_METHOD_PUT = 1 << 3,
    OCV_METHOD_PATCH = 1 << 4,
    OCV_METHOD_DELETE = 1 << 5,
    OCV_METHOD_OPTIONS = 1 << 6,
    OCV_METHOD_CONNECT = 1 << 7,
    OCV_METHOD_TRACE = 1 << 8,
    OCV_METHOD_OTHER = 1 << 9 /* any method not named above */
};

/* The method's bit; OCV_METHOD_OTHER for an unknown one. */
unsigned ocv_serve_method_bit(const char *method);

typedef struct ocv_serve_route {
    unsigned methods; /* OCV_METHOD_* bits; 0: any method */
    int exact;        /* 1: "path" (equality); 0: "prefix" */
    char path[OCV_SERVE_MAX_PATH + 1];
    char purpose[OCV_SERVE_MAX_PURPOSE + 1];
    size_t index; /* position in the file, for ties and logs */
} ocv_serve_route;

typedef enum ocv_serve_log_format {
    OCV_SERVE_LOG_JSON = 0,
    OCV_SERVE_LOG_LOGFMT = 1
} ocv_serve_log_format;

typedef enum ocv_serve_log_level {
    OCV_SERVE_LOG_DEBUG = 0,
    OCV_SERVE_LOG_INFO = 1, /* decisions */
    OCV_SERVE_LOG_WARN = 2, /* refused reloads, audit trouble */
    OCV_SERVE_LOG_ERROR = 3,
    OCV_SERVE_LOG_OFF = 4
} ocv_serve_log_level;

enum { OCV_SERVE_AUDIT_ALLOWS = 1, OCV_SERVE_AUDIT_DENIES = 2, OCV_SERVE_AUDIT_BOTH = 3 };

/* The "serve" section (docs/sidecar.md has every member and default). */
typedef struct ocv_serve_config {
    char listen[OCV_SERVE_MAX_LISTEN][OCV_SERVE_MAX_ADDR + 1];
    size_t listen_count;
    unsigned threads;                          /* worker threads per listen address */
    size_t max_header_bytes;                   /* per-connection memory for the request head */
    size_t max_body_bytes;                     /* request bodies are read and dropped up to this */
    unsigned max_connections;                  /* open connections per listen address */
    unsigned max_per_ip;                       /* 0: no per-address limit */
    unsigned connection_timeout;               /* seconds of inactivity before a close */
    unsigned drain_timeout;                    /* seconds SIGTERM waits for connections */
    char auth_path[OCV_SERVE_MAX_PATH + 1];    /* nginx auth_request URI */
    char envoy_prefix[OCV_SERVE_MAX_PATH + 1]; /* Envoy path_prefix; "" off */
    char purpose_header[OCV_SERVE_MAX_NAME + 1];     /* "" : never read */
    char client_cert_header[OCV_SERVE_MAX_NAME + 1]; /* nginx contract */
    char xfcc_header[OCV_SERVE_MAX_NAME + 1];        /* Envoy contract */
    char subject_header[OCV_SERVE_MAX_NAME + 1];     /* Envoy: added upstream */
    ocv_serve_route *routes;                         /* owned */
    size_t route_count;
    ocv_serve_log_format log_format;
    ocv_serve_log_level log_level;
    char audit_path[OCV_SERVE_MAX_PATH + 1];           /* "" : no audit log */
    unsigned audit_batch_count;                        /* records per write+fsync at most */
    unsigned audit_batch_ms;                           /* 0: each answer waits for its fsync */
    unsigned audit_which;                              /* OCV_SERVE_AUDIT_* */
    char audit_device_key[OCV_SERVE_MAX_PATH + 1];     /* PEM private key; "" : no checkpoints */
    char audit_device_id[OCV_SERVE_MAX_DEVICE_ID + 1]; /* "" : the library's default */
    unsigned audit_checkpoint_every;                   /* 0: at close only */
} ocv_serve_config;

/* Defaults: no listen address, 2 threads, 8 KiB head, 8 KiB body, 1024
 * connections, no per-IP limit, 10 s timeout, 10 s drain, "/auth",
 * "/envoy", X-OCV-Purpose, X-Client-Cert, x-forwarded-client-cert,
 * x-spiffe-id, no routes, JSON at info, no audit, batches of 1024 / 5 ms,
 * both, no device key (checkpoint_every 1000 once a key is given). */
void ocv_serve_config_init(ocv_serve_config *cfg);
void ocv_serve_config_free(ocv_serve_config *cfg);

/*
 * Reads the "serve" member of the configuration file (the same file as
 * ocv_config_load; an absent member leaves the defaults). Strict like the
 * rest of the file: unknown members, wrong types and out-of-range values
 * are OCV_CONFIG_INVALID with err "FILE:LINE:COL: \"serve.member\": ...".
 * *cfg is written only on OCV_OK (the caller initialises and frees it).
 */
OCV_MUST_CHECK ocv_reason ocv_serve_config_load(const char *path, ocv_serve_config *cfg, char *err,
                                                size_t err_len);

/* ---- request parsing (serve_request.c; pure, no I/O) ---------------- */

/*
 * The path of a request is checked before any rule sees it: it must start
 * with '/', hold no control byte, no backslash, no empty segment ("//")
 * and no "." or ".." segment, so a rule for /public/ can never be matched
 * by /public/../admin. Returns 0 when acceptable.
 */
int ocv_serve_path_check(const char *path, size_t len);

/*
 * Percent-decodes in[0..len) into out (out_cap bytes; needs at most len +
 * 1). Fails (-1) on a bad escape, on %00 or when out is too small; out is
 * NUL-terminated on success and *out_len excludes the NUL.
 */
int ocv_serve_percent_decode(const char *in, size_t len, char *out, size_t out_cap,
                             size_t *out_len);

/*
 * Finds the purpose for method + path by the route rules. Order: an exact
 * "path" rule beats every "prefix" rule; among prefix rules the longest
 * prefix wins; a tie goes to the rule first in the file. A rule matches
 * only when its method set is empty or holds the method. Returns the
 * rule, or NULL (the caller denies NO_MATCHING_RULE).
 */
const ocv_serve_route *ocv_serve_route_match(const ocv_serve_route *routes, size_t count,
                                             const char *method, const char *path);

/* What a request presented, before the verifier sees it. */
typedef enum ocv_serve_cred_status {
    OCV_SERVE_CRED_OK = 0,
    OCV_SERVE_CRED_NONE,       /* nothing presented: 401 */
    OCV_SERVE_CRED_UNREADABLE, /* presented but not readable: 401 */
    OCV_SERVE_CRED_BAD_REQUEST /* the HTTP request itself is malformed: 400 */
} ocv_serve_cred_status;

/*
 * The credential of one request. token borrows from the Authorization
 * value; cert and chain own the decoded PEM. Free with
 * ocv_serve_credential_free; init with ocv_serve_credential_init.
 */
typedef struct ocv_serve_credential {
    const uint8_t *token;
    size_t token_len;
    ocv_bytes cert;  /* client certificate (PEM), or empty */
    ocv_bytes chain; /* XFCC Chain= (PEM), or empty */
    char why[128];   /* for the log when not OK */
} ocv_serve_credential;

void ocv_serve_credential_init(ocv_serve_credential *c);
void ocv_serve_credential_free(ocv_serve_credential *c);

/*
 * Reads "Bearer <b64token>" (RFC 6750 §2.1: scheme case-insensitive, the
 * token ALPHA / DIGIT / "-._~+/" then "="s). NULL authorization: NONE.
 * Another scheme, an empty or ill-formed token: UNREADABLE. On OK the
 * token borrows from authorization.
 */
ocv_serve_cred_status ocv_serve_parse_bearer(const char *authorization, ocv_serve_credential *out);

/*
 * nginx's $ssl_client_escaped_cert: URL-encoded PEM. An empty value
 * (nginx sends "" without a client certificate) is NONE; an undecodable
 * or oversized one is UNREADABLE.
 */
ocv_serve_cred_status ocv_serve_parse_escaped_cert(const char *value, ocv_serve_credential *out);

/*
 * Envoy's x-forwarded-client-cert: exactly one element of ';'-separated
 * key=value pairs, values optionally double-quoted (\" and \\ escapes).
 * Cert= (URL-encoded PEM) is the client certificate, Chain= its chain;
 * By, Hash, Subject, URI and DNS are ignored: URI= is never trusted on its
 * own, so an element without Cert= is NONE. Several elements, a
 * duplicate key or a syntax error: BAD_REQUEST; a Cert= that does not
 * decode: UNREADABLE.
 */
ocv_serve_cred_status ocv_serve_parse_xfcc(const char *value, ocv_serve_credential *out);

/* ---- the server (serve_http.c) ------------------------------------- */

/*
 * Runs the server until SIGTERM or SIGINT: opens the verifier from
 * config_path (whose "serve" section is *scfg, already loaded and
 * overridden by flags), listens, answers, reloads on SIGHUP, drains,
 * closes the audit log and returns 0 (1 when the audit log failed: a
 * write while serving or the final one); returns 2 after printing why
 * when it cannot start.
 */
int ocv_serve_run(const char *config_path, const ocv_serve_config *scfg);

#endif
