/* Retention by purpose (see retention.h). */
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "snapdir.h"
#include "store.h"

/* Rows per transaction: a few milliseconds each, so that the daemon's
 * writer (busy timeout 5 s) is never held up for long. */
#define EVENTS_CHUNK 500
#define LEVELS_CHUNK 2000

static void widen(struct cw_retention_kind_result *k, int64_t t)
{
    k->removed++;
    if (t < k->first_us)
        k->first_us = t;
    if (t > k->last_us)
        k->last_us = t;
}

/* "site gate 365d, camera c1 1d": who keeps kind longer or shorter */
static char *describe_overrides(const struct cw_config *cfg, int kind)
{
    size_t cap = 256, o = 0;
    char *s = malloc(cap), a[32];
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        int n = pass ? cfg->n_cameras : cfg->n_sites;
        for (int i = 0; i < n; i++) {
            const struct cw_retention *r = pass ? &cfg->cameras[i].retention : &cfg->sites[i].retention;
            const char *id = pass ? cfg->cameras[i].id : cfg->sites[i].id;
            if (!(r->set & (1u << kind)))
                continue;
            cw_fmt_age(r->max_age_us[kind], a, sizeof a);
            size_t need = o + strlen(id) + 48;
            if (need > cap) {
                char *t = realloc(s, cap = need * 2);
                if (!t)
                    return s;
                s = t;
            }
            o += (size_t)snprintf(s + o, cap - o, "%s%s %s %s", o ? ", " : "", pass ? "camera" : "site", id, a);
        }
    }
    return s;
}

struct cw_retention_job *cw_retention_job_new(const struct cw_config *cfg, const char *db_path, const char *snap_root,
                                              int64_t now_us, int ages)
{
    struct cw_retention_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->db_path = strdup(db_path);
    j->snap_root = strdup(snap_root);
    j->now_us = now_us;
    j->ages = ages;
    j->max_bytes = (int64_t)(cfg->snapshot_max_mb * 1048576.0);
    j->deflt = cfg->retention;
    j->cams = calloc((size_t)cfg->n_cameras + 1, sizeof *j->cams);
    int ok = j->db_path && j->snap_root && j->cams;
    for (int i = 0; ok && i < cfg->n_cameras; i++) {
        ok = (j->cams[i].id = strdup(cfg->cameras[i].id)) != NULL;
        j->cams[i].r = cfg->cameras[i].retention;
        j->n_cams++;
    }
    for (int k = 0; ok && k < CW_KEEP_N; k++)
        ok = (j->overrides[k] = describe_overrides(cfg, k)) != NULL;
    for (int k = 0; k < CW_KEEP_N; k++)
        j->kinds[k] = (struct cw_retention_kind_result){0, INT64_MAX, INT64_MIN};
    if (!ok) {
        cw_retention_job_free(j);
        return NULL;
    }
    return j;
}

void cw_retention_job_free(struct cw_retention_job *j)
{
    if (!j)
        return;
    for (int i = 0; i < j->n_cams; i++)
        free(j->cams[i].id);
    for (int k = 0; k < CW_KEEP_N; k++)
        free(j->overrides[k]);
    free(j->cams);
    free(j->db_path);
    free(j->snap_root);
    free(j);
}

static const struct cw_retention *limits_of(const struct cw_retention_job *j, const char *camera)
{
    for (int i = 0; i < j->n_cams; i++)
        if (strcmp(j->cams[i].id, camera) == 0)
            return &j->cams[i].r;
    return &j->deflt;
}

/* ---- the database: events (and their pictures), levels ---- */

struct db_pass {
    struct cw_retention_job *j;
    char **ids;
    int n, cap;
};

static void on_camera(void *ud, const char *camera)
{
    struct db_pass *p = ud;
    if (p->n == p->cap) {
        char **t = realloc(p->ids, sizeof *t * (size_t)(p->cap = p->cap ? p->cap * 2 : 64));
        if (!t)
            return;
        p->ids = t;
    }
    if ((p->ids[p->n] = strdup(camera)))
        p->n++;
}

static void on_event_gone(void *ud, const char *snapshot, int64_t start_us)
{
    struct cw_retention_job *j = ud;
    widen(&j->kinds[CW_KEEP_EVENTS], start_us);
    /* the event's pictures go with it */
    for (int n = cw_snapdir_remove_event(j->snap_root, snapshot); n > 0; n--)
        widen(&j->kinds[CW_KEEP_SNAPSHOTS], start_us);
}

static int expire_database(struct cw_retention_job *j, struct cw_store *st)
{
    struct db_pass p = {j, NULL, 0, 0};
    int rc = cw_store_each_data_camera(st, on_camera, &p);
    for (int i = 0; rc >= 0 && i < p.n && !j->stop; i++) {
        const struct cw_retention *r = limits_of(j, p.ids[i]);
        int64_t ev_before = j->now_us - r->max_age_us[CW_KEEP_EVENTS];
        int64_t pic_before = j->now_us - r->max_age_us[CW_KEEP_SNAPSHOTS];
        int64_t lv_before = j->now_us - r->max_age_us[CW_KEEP_LEVELS];
        while (!j->stop && (rc = cw_store_expire_events(st, p.ids[i], ev_before, EVENTS_CHUNK, on_event_gone, j)) ==
                               EVENTS_CHUNK)
            ;
        /* events kept longer than their pictures: the files go by age in
         * the folder pass; the rows stop naming them */
        while (rc >= 0 && !j->stop && (rc = cw_store_forget_snapshots(st, p.ids[i], pic_before, EVENTS_CHUNK)) ==
                                          EVENTS_CHUNK)
            ;
        struct cw_retention_kind_result *lv = &j->kinds[CW_KEEP_LEVELS];
        while (rc >= 0 && !j->stop &&
               (rc = cw_store_expire_levels(st, p.ids[i], lv_before, LEVELS_CHUNK, &lv->first_us, &lv->last_us)) >= 0) {
            lv->removed += rc;
            if (rc < LEVELS_CHUNK)
                break;
        }
    }
    if (rc < 0)
        snprintf(j->err, sizeof j->err, "%s", cw_store_errmsg(st));
    for (int i = 0; i < p.n; i++)
        free(p.ids[i]);
    free(p.ids);
    return rc < 0 ? rc : 0;
}

/* ---- the folder: pictures by age, then the size cap ---- */

/* A kept picture, small: 100,000 of them must not take a gigabyte. */
struct kept {
    int64_t mtime_us;
    int64_t size;
    int cam;          /* index into the folder's camera names */
    char name[52];    /* DATE-TIME-PLUGIN-MS[-start].jpg or thumb.jpg */
};

static int cmp_kept(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    return x->mtime_us < y->mtime_us ? -1 : x->mtime_us > y->mtime_us;
}

static void expire_folder(struct cw_retention_job *j)
{
    DIR *top = opendir(j->snap_root);
    struct kept *kept = NULL;
    char **cams = NULL;
    int nk = 0, capk = 0, nc = 0;
    int64_t total = 0;
    if (!top)
        return;
    for (struct dirent *ce; !j->stop && (ce = readdir(top));) {
        char dir[1024];
        if (ce->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", j->snap_root, ce->d_name);
        DIR *dd = opendir(dir);
        if (!dd)
            continue;
        char **tc = realloc(cams, sizeof *tc * (size_t)(nc + 1));
        if (!tc || !(tc[nc] = strdup(ce->d_name))) {
            cams = tc ? tc : cams;
            closedir(dd);
            break;
        }
        cams = tc;
        const struct cw_retention *r = limits_of(j, ce->d_name);
        int files = 0;
        for (struct dirent *e; (e = readdir(dd));) {
            size_t len = strlen(e->d_name);
            char path[1100];
            struct stat sb;
            if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".jpg") != 0)
                continue;
            if ((++files & 1023) == 0 && j->stop)
                break;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (stat(path, &sb) < 0)
                continue;
            int64_t mt = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
            int kind = strcmp(e->d_name, "thumb.jpg") == 0 ? CW_KEEP_THUMBNAILS : CW_KEEP_SNAPSHOTS;
            if (j->ages && mt < j->now_us - r->max_age_us[kind]) {
                if (unlink(path) == 0)
                    widen(&j->kinds[kind], mt);
                continue;
            }
            if (len >= sizeof kept->name)
                continue; /* not a name camwatch writes: not counted, not deleted */
            if (nk == capk) {
                struct kept *t = realloc(kept, sizeof *t * (size_t)(capk = capk ? capk * 2 : 1024));
                if (!t)
                    continue;
                kept = t;
            }
            kept[nk] = (struct kept){mt, (int64_t)sb.st_size, nc, ""};
            memcpy(kept[nk].name, e->d_name, len + 1);
            nk++;
            total += sb.st_size;
        }
        closedir(dd);
        nc++;
    }
    closedir(top);
    if (nk > 1)
        qsort(kept, (size_t)nk, sizeof *kept, cmp_kept);
    for (int i = 0; i < nk && total > j->max_bytes && !j->stop; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s/%s", j->snap_root, cams[kept[i].cam], kept[i].name);
        if (unlink(path) == 0) {
            total -= kept[i].size;
            j->space_removed++;
        }
    }
    j->kept_bytes = total;
    for (int i = 0; i < nc; i++)
        free(cams[i]);
    free(cams);
    free(kept);
}

static int audit(const struct cw_retention_job *j, struct cw_store *st);

void cw_retention_run(struct cw_retention_job *j)
{
    struct cw_store *st = NULL;
    char err[300];
    if (cw_store_open_quiet(j->db_path, &st, err, sizeof err) < 0) {
        snprintf(j->err, sizeof j->err, "cannot open the database: %s", err);
        j->failed = 1;
        st = NULL;
    }
    if (st && j->ages && expire_database(j, st) < 0)
        j->failed = 1;
    /* pictures by age even when the database cannot be opened: they are
     * the personal data, and the folder does not need it */
    expire_folder(j);
    if (st && (j->audit_rows = audit(j, st)) < 0) {
        snprintf(j->err, sizeof j->err, "could not record the run in the audit list: %s", cw_store_errmsg(st));
        j->failed = 1;
    }
    cw_store_close(st);
}

static int audit(const struct cw_retention_job *j, struct cw_store *st)
{
    int rows = 0;
    char detail[1024], a[32], from[40], to[40];
    for (int k = 0; k < CW_KEEP_N; k++) {
        const struct cw_retention_kind_result *r = &j->kinds[k];
        if (!r->removed)
            continue;
        cw_fmt_age(j->deflt.max_age_us[k], a, sizeof a);
        snprintf(detail, sizeof detail, "%lld deleted, dated %s to %s; limit %s%s%s%s", (long long)r->removed,
                 cw_fmt_local(r->first_us, from, sizeof from), cw_fmt_local(r->last_us, to, sizeof to), a,
                 j->overrides[k][0] ? " (" : "", j->overrides[k], j->overrides[k][0] ? ")" : "");
        struct cw_audit_row row = {0, j->now_us, "camwatchd", "retention", cw_keep_kind_name(k), detail, ""};
        if (cw_store_audit_add(st, &row) < 0)
            return CW_ESTORE;
        rows++;
    }
    if (j->space_removed) {
        snprintf(detail, sizeof detail, "%lld deleted, oldest first, to keep the folder under daemon.snapshot_max_mb "
                 "(%lld MiB kept)", (long long)j->space_removed, (long long)(j->kept_bytes >> 20));
        struct cw_audit_row row = {0, j->now_us, "camwatchd", "retention", "snapshots", detail, ""};
        if (cw_store_audit_add(st, &row) < 0)
            return CW_ESTORE;
        rows++;
    }
    return rows;
}
