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

struct snap {
    char path[900];
    time_t mtime;
    off_t size;
};

static int cmp_snap(const void *a, const void *b)
{
    const struct snap *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

void cw_snapdir_retention(const char *root, int64_t max_age_us, int64_t max_bytes, int *removed, int64_t *kept_bytes)
{
    DIR *top = opendir(root);
    struct snap *all = NULL;
    int n = 0, cap = 0;
    off_t total = 0;
    time_t now = time(NULL), max_age = (time_t)(max_age_us / 1000000);
    *removed = 0;
    *kept_bytes = 0;
    if (!top)
        return;
    for (struct dirent *cam; (cam = readdir(top));) {
        char dir[600];
        if (cam->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", root, cam->d_name);
        DIR *dd = opendir(dir);
        if (!dd)
            continue;
        for (struct dirent *e; (e = readdir(dd));) {
            size_t len = strlen(e->d_name);
            struct stat sb;
            if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".jpg") != 0)
                continue;
            if (n == cap) {
                struct snap *t = realloc(all, sizeof *t * (size_t)(cap = cap ? cap * 2 : 256));
                if (!t)
                    break;
                all = t;
            }
            snprintf(all[n].path, sizeof all[n].path, "%s/%s", dir, e->d_name);
            if (stat(all[n].path, &sb) < 0)
                continue;
            all[n].mtime = sb.st_mtime;
            all[n].size = sb.st_size;
            total += sb.st_size;
            n++;
        }
        closedir(dd);
    }
    closedir(top);
    if (n > 1)
        qsort(all, (size_t)n, sizeof *all, cmp_snap);
    /* oldest first: past the age limit, then while over the size limit */
    for (int i = 0; i < n; i++) {
        if (now - all[i].mtime <= max_age && total <= (off_t)max_bytes)
            break;
        if (unlink(all[i].path) == 0) {
            total -= all[i].size;
            (*removed)++;
        }
    }
    free(all);
    *kept_bytes = (int64_t)total;
}
