/*
 * revocation_sync.c - `ocv revocation sync BUNDLE|DIR...`: signed bundles
 * into the device's store, one transaction each, with their audit records
 * (docs/cli/ocv-revocation.md).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "cli.h"
#include "revocation_cli.h"

/*
 * Implementation notes: `sync DIR` is for a drop (a USB stick, a share)
 * holding every bundle ever shipped. Its bundles are tried in name order
 * (the authority's acme-000042.cose names sort by sequence), then the ones
 * refused for a reason a later bundle can change (CHAIN_BROKEN: a delta
 * whose base is not applied yet; EXPIRED, FROM_FUTURE) are tried again in
 * the sequence order their verified headers named, as long as a pass
 * applied something. A bundle at or below the stored sequence is reported
 * `skipped` (exit 0): already applied, or superseded. Every bundle is
 * still verified and applied by the library, one transaction each; the
 * order is only a schedule.
 */

/* Regular files in a sync directory, at most this many (a drop of every
 * bundle an authority ships in years: one a day is ~3,650 a decade). */
#define SYNC_MAX_DIR_FILES 100000

typedef struct sync_outcome {
    ocv_sync_result res;
    int deferred; /* a refusal not recorded yet: recorded once it is final */
} sync_outcome;

/* The progress line of the sync or import running (NULL: none). */
static ocv_cli_progress *rev_progress;

static void sync_report(const rev_args *a, const char *path, const char *outcome,
                        const sync_outcome *o)
{
    const ocv_sync_result *res = &o->res;
    ocv_cli_progress_pause(rev_progress);
    if (a->json) {
        json_t *j = json_object();
        char digest[65] = "";
        if (res->reason == OCV_OK)
            ocv_hex_encode(res->state_digest, sizeof(res->state_digest), digest);
        json_object_set_new(j, "bundle", json_string(path));
        json_object_set_new(j, "result", json_string(outcome));
        json_object_set_new(j, "reason", json_string(ocv_reason_name(res->reason)));
        json_object_set_new(j, "sequence", json_integer(res->sequence));
        json_object_set_new(j, "added", json_integer((json_int_t)res->added));
        json_object_set_new(j, "removed", json_integer((json_int_t)res->removed));
        json_object_set_new(j, "state_digest",
                            res->reason == OCV_OK ? json_string(digest) : json_null());
        json_object_set_new(j, "detail", json_string(res->detail));
        ocv_cli_print_json(j);
    } else {
        printf("%s %s %s", path, outcome, ocv_reason_name(res->reason));
        if (res->outcome == OCV_SYNC_APPLIED)
            printf(" sequence %lld (+%zu -%zu)", (long long)res->sequence, res->added,
                   res->removed);
        printf("%s%s\n", res->detail[0] ? ": " : "", res->detail);
    }
    fflush(stdout);
}

/* Applies one bundle file with its audit record (the library's
 * ocv_device_sync_file). With defer, a refusal is recorded only once it
 * is final (sync_settle). Returns 0, or 2 after printing why (unreadable
 * file, audit failure). */
static int sync_attempt(ocv_device *dev, const char *path, int64_t at, int defer, sync_outcome *o)
{
    memset(o, 0, sizeof(*o));
    /* a file that cannot be read is an I/O problem, not a bad bundle */
    struct stat sb;
    errno = 0;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || access(path, R_OK) != 0)
        return ocv_cli_usage_error("revocation sync: %s: %s", path,
                                   errno ? strerror(errno) : "not a regular file");
    ocv_reason r = ocv_device_sync_file(dev, path, at, defer ? OCV_SYNC_DEFER_REFUSAL : 0, &o->res);
    if (r == OCV_CONFIG_INVALID)
        return ocv_cli_usage_error("revocation sync: %s: %s", path, o->res.detail);
    o->deferred = defer && r != OCV_OK;
    return 0;
}

static const char *outcome_text(ocv_sync_outcome outcome)
{
    return outcome == OCV_SYNC_APPLIED     ? "applied"
           : outcome == OCV_SYNC_UNCHANGED ? "unchanged"
           : outcome == OCV_SYNC_SKIPPED   ? "skipped"
                                           : "refused";
}

static int sync_one(ocv_device *dev, const rev_args *a, const char *path)
{
    sync_outcome o;
    if (sync_attempt(dev, path, a->at, 0, &o) != 0)
        return 2;
    /* one file named on its own: an old one is refused, not skipped */
    sync_report(a, path, o.res.reason != OCV_OK ? "refused" : outcome_text(o.res.outcome), &o);
    return o.res.reason == OCV_OK ? 0 : 1;
}

typedef struct sync_item {
    char *path;
    int done;
    sync_outcome last;
} sync_item;

static int compare_paths(const void *x, const void *y)
{
    return strcmp(((const sync_item *)x)->path, ((const sync_item *)y)->path);
}

static int compare_sequences(const void *x, const void *y)
{
    const sync_item *p = x, *q = y;
    if (p->done != q->done)
        return p->done - q->done; /* pending first */
    return (p->last.res.sequence > q->last.res.sequence) -
           (p->last.res.sequence < q->last.res.sequence);
}

/* The regular, visible files of dir in name order; 0, or 2 after saying why. */
static int list_bundles(const char *dir, sync_item **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return ocv_cli_usage_error("revocation sync: %s: %s", dir, strerror(errno));
    sync_item *items = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == SYNC_MAX_DIR_FILES) {
            rc = ocv_cli_usage_error("revocation sync: %s: more than %d files", dir,
                                     SYNC_MAX_DIR_FILES);
            break;
        }
        if (n == cap) {
            size_t c = cap ? cap * 2 : 64;
            sync_item *p = realloc(items, c * sizeof(*items));
            if (p == NULL) {
                rc = ocv_cli_usage_error("out of memory");
                break;
            }
            items = p;
            cap = c;
        }
        memset(&items[n], 0, sizeof(items[n]));
        items[n].path = strdup(path);
        if (items[n].path == NULL) {
            rc = ocv_cli_usage_error("out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(items, n, sizeof(*items), compare_paths);
    *out = items;
    *count = n;
    return rc;
}

/* A refusal that a bundle applied later in the same drop can turn around. */
static int retryable(ocv_reason r)
{
    return r == OCV_BUNDLE_CHAIN_BROKEN || r == OCV_BUNDLE_EXPIRED || r == OCV_BUNDLE_FROM_FUTURE;
}

/* Settles one item: records a deferred refusal and reports it. 0, 1
 * refused, 2 audit failure. */
static int sync_settle(ocv_device *dev, const rev_args *a, sync_item *it)
{
    sync_outcome *o = &it->last;
    it->done = 1;
    if (o->deferred) {
        o->deferred = 0;
        if (ocv_device_record_refusal(dev, it->path, a->at, &o->res) != OCV_OK)
            return ocv_cli_usage_error("revocation sync: audit: the log cannot be written");
    }
    sync_report(a, it->path, outcome_text(o->res.outcome), o);
    return o->res.reason == OCV_OK || o->res.reason == OCV_BUNDLE_ROLLBACK ? 0 : 1;
}

static int sync_dir(ocv_device *dev, const rev_args *a, const char *dir)
{
    sync_item *items;
    size_t n;
    int worst = list_bundles(dir, &items, &n);
    int progress = 1;
    ocv_cli_progress bar;
    ocv_cli_progress *outer = rev_progress;
    ocv_cli_progress_pause(outer);
    ocv_cli_progress_start(&bar, "revocation sync", "bundles", n);
    rev_progress = &bar;
    size_t settled = 0;
    for (int pass = 0; worst < 2 && progress; pass++) {
        progress = 0;
        for (size_t i = 0; i < n && worst < 2; i++) {
            if (items[i].done)
                continue;
            ocv_cli_progress_step(&bar, settled, items[i].path);
            if (sync_attempt(dev, items[i].path, a->at, 1, &items[i].last) != 0) {
                worst = 2;
                break;
            }
            if (items[i].last.res.outcome == OCV_SYNC_APPLIED)
                progress = 1;
            if (!retryable(items[i].last.res.reason)) {
                int rc = sync_settle(dev, a, &items[i]);
                worst = rc > worst ? rc : worst;
                settled++;
            }
        }
        /* what is left waits for a base: next pass in sequence order */
        if (n > 1)
            qsort(items, n, sizeof(*items), compare_sequences);
    }
    for (size_t i = 0; i < n; i++) {
        if (!items[i].done && worst < 2) {
            int rc = sync_settle(dev, a, &items[i]);
            worst = rc > worst ? rc : worst;
        }
        free(items[i].path);
    }
    free(items);
    ocv_cli_progress_end(&bar);
    rev_progress = outer;
    if (n == 0 && worst == 0 && !a->json)
        printf("%s: no bundles\n", dir);
    return worst;
}

int ocv_rev_cmd_sync(const rev_args *a, int argc, char **argv)
{
    if (optind >= argc)
        return ocv_cli_bad_usage("revocation sync: give one or more bundle files or directories");
    ocv_device *dev;
    if (ocv_rev_open_device(a, &dev) != 0)
        return OCV_EXIT_USAGE;
    int worst = 0;
    ocv_cli_progress bar;
    ocv_cli_progress_start(&bar, "revocation sync", "paths", (size_t)(argc - optind));
    rev_progress = &bar;
    for (int i = optind; i < argc && worst < 2; i++) {
        ocv_cli_progress_step(&bar, (size_t)(i - optind), argv[i]);
        struct stat st;
        int rc = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? sync_dir(dev, a, argv[i])
                                                                : sync_one(dev, a, argv[i]);
        worst = rc > worst ? rc : worst;
    }
    ocv_cli_progress_end(&bar);
    rev_progress = NULL;
    if (ocv_rev_close_device(dev) != 0)
        worst = 2;
    return worst >= 2 ? OCV_EXIT_USAGE : worst ? OCV_EXIT_DENY : OCV_EXIT_ALLOW;
}
