/*
 * cli.c - what every subcommand shares for talking to the operator:
 * errors (one line on stderr, plus one JSON object on stdout under
 * --json), usage errors that point at `--help` instead of printing it,
 * -h, and the command's name for those messages.
 *
 * Implementation notes: main() calls ocv_cli_begin() once with the whole
 * command line, before any subcommand parses it. It notes whether --json
 * was given anywhere before a "--" (so an error found before getopt reaches
 * --json is still reported as JSON) and names the command ("verify",
 * "revocation sync"), so no subcommand passes its name around. getopt's
 * own messages are off (opterr = 0); ocv_cli_bad_option() writes the one
 * line instead.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "cli.h"

/* The longest command name kept: "revocation import-crl" and room to spare. */
#define CLI_MAX_COMMAND_BYTES 64
/* The longest error message reported; longer ones end in "...". */
#define CLI_MAX_MESSAGE_BYTES 2048

static struct {
    int json, quiet;
    char command[CLI_MAX_COMMAND_BYTES];
} cli_state = {0, 0, ""};

static int is_verb(const char *s)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return 0;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
            return 0;
    }
    return 1;
}

int ocv_cli_begin(int argc, char **argv, int has_verbs)
{
    opterr = 0;
    cli_state.json = 0;
    cli_state.quiet = 0;
    cli_state.command[0] = '\0';
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--json") == 0)
            cli_state.json = 1;
        if (strcmp(argv[i], "--quiet") == 0) {
            cli_state.quiet = 1;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(argv[0])); /* keeps NULL */
            argc--;
            i--;
        }
    }
    if (argc < 2)
        return argc;
    if (has_verbs && argc > 2 && is_verb(argv[2]))
        snprintf(cli_state.command, sizeof(cli_state.command), "%s %s", argv[1], argv[2]);
    else
        snprintf(cli_state.command, sizeof(cli_state.command), "%s", argv[1]);
    return argc;
}

int ocv_cli_quiet(void)
{
    return cli_state.quiet;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ocv_cli_progress_start(ocv_cli_progress *p, const char *what, const char *items, size_t total)
{
    memset(p, 0, sizeof(*p));
    p->what = what;
    p->items = items;
    p->total = total;
    p->start = now_seconds();
    p->on = !cli_state.quiet && isatty(STDERR_FILENO);
}

void ocv_cli_progress_step(ocv_cli_progress *p, size_t done, const char *note)
{
    if (!p->on)
        return;
    double t = now_seconds();
    if (done < p->total && t - p->last < 0.1)
        return;
    p->last = t;
    double rate = t > p->start ? (double)done / (t - p->start) : 0;
    fprintf(stderr, "\r%s: ", p->what);
    if (p->total > 0)
        fprintf(stderr, "%3u%% %zu/%zu %s", (unsigned)(done * 100 / p->total), done, p->total,
                p->items);
    else
        fprintf(stderr, "%zu %s", done, p->items);
    fprintf(stderr, ", %.1f/s", rate);
    if (p->total > 0 && rate > 0 && done < p->total)
        fprintf(stderr, ", ETA %.0fs", (double)(p->total - done) / rate);
    fprintf(stderr, "  %.40s\033[K", note != NULL ? note : "");
    fflush(stderr);
}

void ocv_cli_progress_pause(ocv_cli_progress *p)
{
    if (p != NULL && p->on) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->last = 0;
    }
}

void ocv_cli_progress_end(ocv_cli_progress *p)
{
    if (p->on) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->on = 0;
}

int ocv_cli_json_errors(void)
{
    return cli_state.json;
}

const char *ocv_cli_command(void)
{
    return cli_state.command;
}

int ocv_cli_is_help(const char *arg)
{
    return arg != NULL && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

/* One object on one line: {"error", "command", "detail"} (docs/cli/README). */
static void print_json_error(const char *kind, const char *detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(kind));
    json_object_set_new(o, "command", json_string(cli_state.command));
    json_t *text = json_string(detail);
    json_object_set_new(o, "detail", text != NULL ? text : json_string("(not UTF-8)"));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s != NULL) {
        puts(s);
        fflush(stdout);
    }
    free(s);
    json_decref(o);
}

static int report(const char *kind, int hint, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int report(const char *kind, int hint, const char *fmt, va_list ap)
{
    char message[CLI_MAX_MESSAGE_BYTES];
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    if (n < 0)
        snprintf(message, sizeof(message), "(unprintable message)");
    else if ((size_t)n >= sizeof(message))
        memcpy(message + sizeof(message) - 4, "...", 4);
    fprintf(stderr, "ocv: %s\n", message);
    if (hint)
        fprintf(stderr, "try `ocv %s%s--help`\n", cli_state.command,
                cli_state.command[0] ? " " : "");
    if (cli_state.json)
        print_json_error(kind, message);
    return OCV_EXIT_USAGE;
}

int ocv_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report("config", 0, fmt, ap);
    va_end(ap);
    return rc;
}

int ocv_cli_bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report("usage", 1, fmt, ap);
    va_end(ap);
    return rc;
}

int ocv_cli_bad_option(char *const *argv, const char *usage)
{
    const char *arg = argv != NULL && optind > 0 ? argv[optind - 1] : NULL;
    if (optopt == 'h' || ocv_cli_is_help(arg)) {
        fputs(usage, stdout);
        return OCV_EXIT_ALLOW;
    }
    if (arg == NULL)
        return ocv_cli_bad_usage("%s: bad option", cli_state.command);
    if (optopt != 0 && strncmp(arg, "--", 2) == 0)
        return ocv_cli_bad_usage("%s: option '%s' needs a value", cli_state.command, arg);
    if (optopt > 0 && optopt < 128 && optopt != '?')
        return ocv_cli_bad_usage("%s: option '-%c' is unknown or needs a value", cli_state.command,
                                 optopt);
    return ocv_cli_bad_usage("%s: unknown option '%s'", cli_state.command, arg);
}

void ocv_cli_print_json(json_t *o)
{
    if (o == NULL)
        return;
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text != NULL)
        puts(text);
    free(text);
    json_decref(o);
}

int ocv_cli_parse_time(const char *text, int64_t *out)
{
    return ocv_parse_int64(text, out);
}
