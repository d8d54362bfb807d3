/*
 * serve_log.c - the sidecar's log: one line per event on stderr, JSON or
 * logfmt. A decision line is the library's decision JSON
 * (decision/decision_json.h, the same members `ocv verify --json`
 * prints) plus the request: contract, method, path, purpose, audience,
 * listen and peer addresses, the credential's SHA-256 fingerprint (never
 * the credential), the HTTP status and the time taken. Nothing secret.
 *
 * Each line is built whole and written whole, so lines from different
 * threads never interleave. Outside a running server (tests, the CLI) a
 * line is one write(2). While the server runs (ocv_serve_log_start), a
 * decision line, one per request, goes into stderr's stdio buffer (stdio's
 * lock keeps lines apart; a write(2) may end mid-line and the next one
 * continues it) and a writer thread flushes it LOG_FLUSH_MS after the
 * first line since the last flush, instead of a system call per request.
 * Every other line (lifecycle, reload, warnings) flushes at once, the
 * decision lines before it in order.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json_text.h"
#include "base/util.h"
#include "decision/decision_json.h"
#include "decision/stages.h"
#include "serve/serve_internal.h"

static const char *const LEVEL_NAMES[] = {"debug", "info", "warn", "error", "off"};

/* Sets a string member, or null when the bytes are not UTF-8. */
static void set_str(json_t *o, const char *key, const char *value)
{
    json_t *s = value != NULL ? json_string(value) : NULL;
    json_object_set_new(o, key, s != NULL ? s : json_null());
}

static int needs_quotes(const char *s)
{
    if (s[0] == 0)
        return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' || *p == 0x7f)
            return 1;
    }
    return 0;
}

/* Appends to a malloc'd buffer; returns -1 (and frees) on failure. */
typedef struct line_buf {
    char *p;
    size_t len, cap;
} line_buf;

static int put(line_buf *b, const char *s, size_t n)
{
    if (b->p == NULL)
        return -1;
    if (b->len + n + 2 > b->cap) {
        size_t cap = (b->len + n + 2) * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            free(b->p);
            b->p = NULL;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static void put_quoted(line_buf *b, const char *s)
{
    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put(b, esc, 2);
        } else if (*p == '\n') {
            put(b, "\\n", 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof(esc), "\\x%02x", *p);
            put(b, esc, 4);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    put(b, "\"", 1);
}

char *ocv_serve_logfmt(json_t *fields)
{
    line_buf b = {malloc(256), 0, 256};
    if (b.p == NULL)
        return NULL;
    b.p[0] = 0;
    const char *key;
    json_t *v;
    int first = 1;
    json_object_foreach(fields, key, v)
    {
        char num[64];
        const char *text = NULL;
        if (json_is_string(v)) {
            text = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            text = num;
        } else if (json_is_real(v)) {
            snprintf(num, sizeof(num), "%g", json_real_value(v));
            text = num;
        } else if (json_is_boolean(v))
            text = json_is_true(v) ? "true" : "false";
        else if (json_is_null(v))
            text = "";
        else
            continue; /* nested values (checks) stay in the JSON format */
        if (!first)
            put(&b, " ", 1);
        first = 0;
        put(&b, key, strlen(key));
        put(&b, "=", 1);
        if (json_is_string(v) && needs_quotes(text))
            put_quoted(&b, text);
        else if (!json_is_null(v))
            put(&b, text, strlen(text));
    }
    return b.p;
}

/* ---- the writer -------------------------------------------------- */

#define LOG_FLUSH_MS     10
#define LOG_BUFFER_BYTES 65536

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    atomic_int running;
    atomic_int pending; /* a deferred line is in the buffer */
    int stop;
    pthread_t thread;
    char buffer[LOG_BUFFER_BYTES];
} sink = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *flusher(void *arg)
{
    (void)arg;
    const struct timespec pause = {0, LOG_FLUSH_MS * 1000000L};
    pthread_mutex_lock(&sink.mu);
    while (!sink.stop) {
        if (!atomic_load(&sink.pending)) {
            pthread_cond_wait(&sink.wake, &sink.mu);
            continue;
        }
        pthread_mutex_unlock(&sink.mu);
        nanosleep(&pause, NULL);
        atomic_store(&sink.pending, 0);
        fflush(stderr);
        pthread_mutex_lock(&sink.mu);
    }
    pthread_mutex_unlock(&sink.mu);
    return NULL;
}

int ocv_serve_log_start(void)
{
    /* before anything is written to stderr (the server's first act) */
    if (setvbuf(stderr, sink.buffer, _IOFBF, sizeof(sink.buffer)) != 0)
        return 0; /* unbuffered then: every line one write */
    sink.stop = 0;
    if (pthread_create(&sink.thread, NULL, flusher, NULL) != 0)
        return 0;
    atomic_store(&sink.running, 1);
    return 1;
}

void ocv_serve_log_stop(void)
{
    if (!atomic_exchange(&sink.running, 0))
        return;
    pthread_mutex_lock(&sink.mu);
    sink.stop = 1;
    pthread_cond_signal(&sink.wake);
    pthread_mutex_unlock(&sink.mu);
    pthread_join(sink.thread, NULL);
    fflush(stderr);
}

/* A deferred line waits for the writer thread (see the top). */
static void write_line_deferred(char *text)
{
    size_t n = strlen(text);
    text[n] = '\n';
    fwrite(text, 1, n + 1, stderr);
    text[n] = 0;
    if (!atomic_exchange(&sink.pending, 1)) {
        pthread_mutex_lock(&sink.mu);
        pthread_cond_signal(&sink.wake);
        pthread_mutex_unlock(&sink.mu);
    }
}

static void write_line(char *text)
{
    size_t n = strlen(text);
    text[n] = '\n'; /* every buffer here has room: json_dumps and line_buf end in a NUL */
    if (atomic_load(&sink.running)) { /* after the decision lines before it */
        fwrite(text, 1, n + 1, stderr);
        fflush(stderr);
        text[n] = 0;
        return;
    }
    const char *p = text;
    size_t left = n + 1;
    while (left > 0) {
        ssize_t w = write(STDERR_FILENO, p, left);
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    text[n] = 0;
}

static void emit(ocv_serve_log_format format, json_t *o, int deferred)
{
    char *text = format == OCV_SERVE_LOG_LOGFMT
                     ? ocv_serve_logfmt(o)
                     : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (text == NULL)
        return;
    /* One more byte for the newline: reallocate so write_line may use it. */
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (line != NULL) {
        if (deferred && atomic_load(&sink.running))
            write_line_deferred(line);
        else
            write_line(line);
        free(line);
    } else {
        free(text);
    }
}

/* The current second as RFC 3339, formatted once a second per thread. */
static const char *now_text(void)
{
    static _Thread_local int64_t second = -1;
    static _Thread_local char text[32];
    int64_t now = ocv_now();
    if (now != second) {
        ocv_format_time(now, text, sizeof(text));
        second = now;
    }
    return text;
}

static json_t *header(ocv_serve_log_level at, const char *event)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "time", json_string(now_text()));
    json_object_set_new(o, "level", json_string(LEVEL_NAMES[at]));
    json_object_set_new(o, "event", json_string(event));
    return o;
}

/* A request member: null for NULL or text that is not UTF-8 ("" stays). */
static void request_text(ocv_jtext *w, const char *key, const char *value)
{
    ocv_jtext_raw(w, key);
    size_t n = value != NULL ? strlen(value) : 0;
    if (value != NULL && ocv_jtext_utf8_valid(value, n))
        ocv_jtext_quoted(w, value, n);
    else
        ocv_jtext_raw(w, "null");
}

/* The JSON decision line, written directly: the head, the library's
 * decision members (decision_json.h), then the request's. */
static void emit_json_decision(const char *decision, const ocv_serve_meta *meta)
{
    size_t n = strlen(decision);
    if (n < 2 || decision[0] != '{' || decision[n - 1] != '}')
        return;
    ocv_jtext w;
    ocv_jtext_init(&w);
    ocv_jtext_raw(&w, "{\"time\":\"");
    ocv_jtext_raw(&w, now_text());
    ocv_jtext_raw(&w, "\",\"level\":\"info\",\"event\":\"decision\",");
    ocv_jtext_rawn(&w, decision + 1, n - 2);
    request_text(&w, ",\"contract\":", meta->contract);
    request_text(&w, ",\"method\":", meta->method);
    request_text(&w, ",\"path\":", meta->path);
    request_text(&w, ",\"purpose\":", meta->purpose);
    request_text(&w, ",\"audience\":", meta->audience);
    request_text(&w, ",\"listen\":", meta->listen);
    request_text(&w, ",\"peer\":", meta->peer);
    request_text(&w, ",\"credential_sha256\":", meta->fingerprint[0] ? meta->fingerprint : NULL);
    ocv_jtext_raw(&w, ",\"status\":");
    ocv_jtext_int(&w, meta->status);
    ocv_jtext_raw(&w, ",\"duration_us\":");
    ocv_jtext_int(&w, (int64_t)(meta->nanoseconds / 1000));
    ocv_jtext_raw(&w, "} "); /* the space: room for write_line's newline */
    char *line = ocv_jtext_take(&w);
    if (line == NULL)
        return;
    line[strlen(line) - 1] = 0;
    if (atomic_load(&sink.running))
        write_line_deferred(line);
    else
        write_line(line);
    free(line);
}

void ocv_serve_log(ocv_serve_log_format format, ocv_serve_log_level level, ocv_serve_log_level at,
                   const char *event, json_t *fields)
{
    if (at < level || at >= OCV_SERVE_LOG_OFF)
        return;
    json_t *o = header(at, event);
    if (o == NULL)
        return;
    if (fields != NULL)
        json_object_update(o, fields);
    emit(format, o, 0);
    json_decref(o);
}

void ocv_serve_log_decision(ocv_serve_log_format format, ocv_serve_log_level level,
                            const ocv_decision *d, const ocv_serve_meta *meta)
{
    if (OCV_SERVE_LOG_INFO < level)
        return;
    char *decision = ocv_decision_json(d, 0);
    if (decision == NULL)
        return;
    if (format == OCV_SERVE_LOG_JSON) {
        emit_json_decision(decision, meta);
        free(decision);
        return;
    }
    json_t *o = json_loads(decision, 0, NULL); /* logfmt: one flat object */
    free(decision);
    json_t *line = o != NULL ? header(OCV_SERVE_LOG_INFO, "decision") : NULL;
    if (line != NULL) {
        json_object_update(line, o);
        set_str(line, "contract", meta->contract);
        set_str(line, "method", meta->method);
        set_str(line, "path", meta->path);
        set_str(line, "purpose", meta->purpose);
        set_str(line, "audience", meta->audience);
        set_str(line, "listen", meta->listen);
        set_str(line, "peer", meta->peer);
        set_str(line, "credential_sha256", meta->fingerprint[0] ? meta->fingerprint : NULL);
        json_object_set_new(line, "status", json_integer(meta->status));
        json_object_set_new(line, "duration_us",
                            json_integer((json_int_t)(meta->nanoseconds / 1000)));
        emit(format, line, 1);
    }
    json_decref(line);
    json_decref(o);
}
