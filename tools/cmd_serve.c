/*
 * cmd_serve.c - `ocv serve`: the sidecar (serve/serve.h, docs/sidecar.md).
 * Parses the flags and hands over to ocv_serve_run.
 *
 * Exit codes: 0 after a clean drain (SIGTERM, SIGINT), 2 when it cannot
 * start (usage, configuration, an address it cannot listen on).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "serve/serve.h"

static const char SERVE_USAGE[] =
    "usage: ocv serve --config FILE [--listen ADDR]... [--threads N]\n"
    "\n"
    "Answers nginx auth_request and Envoy ext_authz (HTTP service) checks from\n"
    "local state only: 200 allow (X-OCV-Subject, X-OCV-Rule), 401 no or unreadable\n"
    "credential, 403 every other deny (X-OCV-Reason), 400 a request it cannot\n"
    "parse. Never a 5xx for a check. /healthz and /metrics (Prometheus).\n"
    "\n"
    "  --config F      the JSON configuration (docs/config.md) with its \"serve\"\n"
    "                  section (docs/sidecar.md); reread on SIGHUP\n"
    "  --listen ADDR   host:port or unix:PATH; repeatable; replaces serve.listen\n"
    "  --threads N     worker threads per listen address (replaces serve.threads)\n"
    "\n"
    "Signals: SIGHUP reloads configuration, policy and keys (a broken file is\n"
    "refused and the old one keeps serving; the audit log stays open); SIGTERM\n"
    "drains, writes and closes the audit log, and exits 0.\n"
    "Exit: 0 after a drain, 1 the audit log could not be written, 2 usage or\n"
    "configuration error.\n";

enum { OPT_CONFIG = 256, OPT_LISTEN, OPT_THREADS, OPT_HELP };

static const struct option SERVE_OPTIONS[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct serve_args {
    const char *config;
    const char *listen[OCV_SERVE_MAX_LISTEN];
    size_t listen_count;
    int64_t threads;
} serve_args;

/* Returns -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, serve_args *a)
{
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", SERVE_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case OPT_CONFIG:
            a->config = optarg;
            break;
        case OPT_LISTEN:
            if (a->listen_count >= OCV_SERVE_MAX_LISTEN)
                return ocv_cli_bad_usage("at most %d --listen addresses", OCV_SERVE_MAX_LISTEN);
            if (strlen(optarg) == 0 || strlen(optarg) > OCV_SERVE_MAX_ADDR)
                return ocv_cli_bad_usage("--listen wants host:port or unix:PATH");
            a->listen[a->listen_count++] = optarg;
            break;
        case OPT_THREADS:
            if (ocv_parse_int64(optarg, &a->threads) != 0 || a->threads < 1 || a->threads > 256)
                return ocv_cli_bad_usage("--threads wants 1 to 256, not '%s'", optarg);
            break;
        case OPT_HELP:
            fputs(SERVE_USAGE, stdout);
            return OCV_EXIT_ALLOW;
        default:
            return ocv_cli_bad_option(argv, SERVE_USAGE);
        }
    }
    if (optind < argc)
        return ocv_cli_bad_usage("serve: unexpected argument '%s'", argv[optind]);
    if (a->config == NULL)
        return ocv_cli_bad_usage("serve: --config is required");
    return -1;
}

int ocv_cmd_serve(int argc, char **argv)
{
    serve_args a;
    memset(&a, 0, sizeof(a));
    int code = parse_args(argc, argv, &a);
    if (code >= 0)
        return code;
    ocv_serve_config scfg;
    ocv_serve_config_init(&scfg);
    char err[1024] = "";
    if (ocv_serve_config_load(a.config, &scfg, err, sizeof(err)) != OCV_OK) {
        ocv_serve_config_free(&scfg);
        return ocv_cli_usage_error("configuration: %s", err);
    }
    if (a.listen_count > 0) {
        for (size_t i = 0; i < a.listen_count; i++)
            ocv_strlcpy(scfg.listen[i], a.listen[i], sizeof(scfg.listen[i]));
        scfg.listen_count = a.listen_count;
    }
    if (a.threads > 0)
        scfg.threads = (unsigned)a.threads;
    code = ocv_serve_run(a.config, &scfg);
    ocv_serve_config_free(&scfg);
    return code;
}
