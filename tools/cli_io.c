/*
 * cli_io.c - writing output files for the tools: whole file or nothing.
 * The bytes go to a temporary file in the same directory, are flushed to
 * disk, and are renamed over the target, so an interrupted command never
 * leaves half a key, certificate or bundle behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int ocv_cli_write_file(const char *path, const void *data, size_t len, int private_mode,
                       int overwrite)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return ocv_cli_usage_error("cannot write to standard output");
        return 0;
    }
    struct stat st;
    if (!overwrite && stat(path, &st) == 0)
        return ocv_cli_usage_error("%s exists (use --force to replace it)", path);
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
        return ocv_cli_usage_error("%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, private_mode ? 0600 : 0644);
    if (fd < 0)
        return ocv_cli_usage_error("%s: %s", tmp, strerror(errno));
    const unsigned char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(tmp);
            return ocv_cli_usage_error("%s: %s", path, strerror(errno));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ocv_cli_usage_error("%s: %s", path, strerror(e));
    }
    return 0;
}
