/* The snapshot directory (see snapdir.h). */
#include "snapdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

int cw_snapdir_init(const char *root)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", root);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

int cw_snapdir_camera(const char *root, const char *camera, char *out, size_t len)
{
    return (size_t)snprintf(out, len, "%s/%s", root, camera) < len ? 0 : -1;
}

/* data into path, whole: written beside it, then renamed over it */
static int write_whole(const char *path, const uint8_t *data, size_t len)
{
    char tmp[700];
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)snprintf(tmp, sizeof tmp, "%.*s/.%s.tmp", (int)(slash - path), path, slash + 1) >= sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cw_snapdir_write_event(const char *dir, const char *plugin, int64_t start_us, const char *suffix,
                           const uint8_t *jpeg, size_t len, char *path, size_t pathlen)
{
    char ts[32];
    time_t t = (time_t)(start_us / 1000000);
    struct tm tm;
    path[0] = '\0';
    if (!jpeg)
        return CW_EINVAL;
    mkdir(dir, 0750); /* the root is made at start */
    localtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    if ((size_t)snprintf(path, pathlen, "%s/%s-%s-%03d%s.jpg", dir, ts, plugin, (int)(start_us / 1000 % 1000), suffix) >=
        pathlen) {
        path[0] = '\0';
        return CW_EINVAL;
    }
    if (write_whole(path, jpeg, len) < 0) {
        path[0] = '\0';
        return CW_EIO;
    }
    return 0;
}

int cw_snapdir_write_thumbnail(const char *dir, const uint8_t *jpeg, size_t len, char *path, size_t pathlen)
{
    if (!jpeg)
        return -1;
    mkdir(dir, 0750);
    if ((size_t)snprintf(path, pathlen, "%s/thumb.jpg", dir) >= pathlen)
        return -1;
    return write_whole(path, jpeg, len);
}

int cw_snapdir_start_of(const char *path, char *out, size_t len)
{
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 4, ".jpg") != 0)
        return -1;
    return (size_t)snprintf(out, len, "%.*s-start.jpg", (int)(n - 4), path) < len ? 0 : -1;
}

static int inside(const char *root, const char *path)
{
    size_t rl = strlen(root);
    return path[0] && strncmp(path, root, rl) == 0 && path[rl] == '/' && !strstr(path, "/../");
}

int cw_snapdir_remove_event(const char *root, const char *path)
{
    char start[1100];
    int n = 0;
    if (!inside(root, path))
        return 0;
    n += unlink(path) == 0;
    if (cw_snapdir_start_of(path, start, sizeof start) == 0)
        n += unlink(start) == 0;
    return n;
}
