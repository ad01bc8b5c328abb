/* A person's request: export and erase (see privacy.h). */
#include "privacy.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "clock.h"
#include "error.h"
#include "report_fmt.h"
#include "snapdir.h"
#include "store.h"
#include "words.h"

/* The cameras a request is about (NULL-terminated; freed by free_list). */
static char **cameras_of(struct cw_store *st, const struct cw_privacy_req *q, struct cw_privacy_result *res)
{
    int n = 0;
    char **list;
    if (q->site) {
        list = cw_store_site_cameras(st, q->site, &n);
        if (!list)
            snprintf(res->err, sizeof res->err, "cannot read the cameras of site %s: %s", q->site,
                     cw_store_errmsg(st));
        else if (!n)
            snprintf(res->err, sizeof res->err, "no camera of site '%s' in the database", q->site);
    } else {
        list = calloc(2, sizeof *list);
        if (list && !(list[0] = strdup(q->camera))) {
            free(list);
            list = NULL;
        }
        n = list ? 1 : 0;
        if (!list)
            snprintf(res->err, sizeof res->err, "out of memory");
    }
    if (list && !n) {
        free(list);
        return NULL;
    }
    return list;
}

static void free_list(char **list)
{
    for (int i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static void audit(struct cw_store *st, const struct cw_privacy_req *q, int64_t now_us, const char *action,
                  const struct cw_privacy_result *res, const char *extra)
{
    char from[40], to[40], detail[600];
    snprintf(detail, sizeof detail, "%s to %s: %d event(s), %d picture(s)%s", cw_fmt_local(q->from_us, from, sizeof from),
             cw_fmt_local(q->to_us, to, sizeof to), res->events, res->pictures, extra);
    struct cw_audit_row a = {0, now_us, q->by, action, q->camera ? q->camera : q->site, detail,
                             q->address ? q->address : ""};
    cw_store_audit_add(st, &a); /* a failure is the caller's to see in the store's error; the act is done */
}

/* ---- export ---- */

struct listing {
    char *text, *csv;
    size_t tlen, clen;
    FILE *t, *c;
    zip_t *z;
    const struct cw_privacy_req *q;
    struct cw_privacy_result *res;
    int failed;
};

/* Adds a picture as pictures/CAMERA/NAME, stored (a JPEG does not shrink).
 * 1 when added, 0 when the file is not there. */
static int add_picture(struct listing *l, const char *camera, const char *path, char *name, size_t nlen)
{
    struct stat sb;
    const char *base = strrchr(path, '/');
    if (!base || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
        return 0;
    snprintf(name, nlen, "pictures/%s/%s", camera, base + 1);
    /* read now, not at zip_close: the retention may delete it meanwhile */
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    void *buf = malloc((size_t)sb.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    zip_source_t *src = buf ? zip_source_buffer(l->z, buf, got, 1) : NULL;
    zip_int64_t idx = src ? zip_file_add(l->z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
    if (idx < 0) {
        if (src)
            zip_source_free(src);
        else
            free(buf);
        l->failed = 1;
        return 0;
    }
    zip_set_file_compression(l->z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    l->res->pictures++;
    return 1;
}

static void on_export_event(void *ud, const struct cw_event_row *e)
{
    struct listing *l = ud;
    int vi = l->q->lang_vi;
    char s[40], en[40], er[40], pic[2][700] = {"", ""}, start[1100];
    l->res->events++;
    if (e->erased_us)
        l->res->erased++;
    else if (e->snapshot[0]) {
        add_picture(l, e->camera, e->snapshot, pic[0], sizeof pic[0]);
        if (cw_snapdir_start_of(e->snapshot, start, sizeof start) == 0)
            add_picture(l, e->camera, start, pic[1], sizeof pic[1]);
    }
    cw_fmt_local(e->start_us, s, sizeof s);
    cw_fmt_local(e->end_us, en, sizeof en);
    char pics[1500];
    if (e->erased_us)
        snprintf(pics, sizeof pics, "%s%s", vi ? "ảnh đã xoá lúc " : "pictures erased at ",
                 cw_fmt_local(e->erased_us, er, sizeof er));
    else
        snprintf(pics, sizeof pics, "%s%s%s", pic[1], pic[0][0] && pic[1][0] ? ", " : "",
                 pic[0][0] || pic[1][0] ? pic[0] : "-");
    fprintf(l->t, "%4d  %-16s %s  %s  %-8s %s\n", l->res->events, e->camera, s, en + 11,
            cw_word_kind(e->kind, CW_WORD_EVENT, vi), pics);
    fprintf(l->c, "%lld,", (long long)e->id);
    cw_csv_quoted(l->c, e->camera);
    fprintf(l->c, ",%s,%s,", s, en);
    cw_csv_quoted(l->c, e->kind);
    fprintf(l->c, ",%.3f,", e->peak);
    cw_csv_quoted(l->c, pic[1]);
    fputc(',', l->c);
    cw_csv_quoted(l->c, pic[0]);
    fprintf(l->c, ",%s\n", e->erased_us ? cw_fmt_local(e->erased_us, er, sizeof er) : "");
}

static int add_text(zip_t *z, const char *name, char *text, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, text, len, 0);
    if (!src)
        return -1;
    if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(src);
        return -1;
    }
    return 0;
}

int cw_privacy_export(struct cw_store *st, const struct cw_privacy_req *q, const char *zip_path, int64_t now_us,
                      struct cw_privacy_result *res)
{
    memset(res, 0, sizeof *res);
    char **cams = cameras_of(st, q, res);
    if (!cams)
        return CW_EINVAL;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.part", zip_path);
    unlink(tmp);
    int zerr = 0;
    struct listing l = {.q = q, .res = res};
    l.z = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
    l.t = open_memstream(&l.text, &l.tlen);
    l.c = open_memstream(&l.csv, &l.clen);
    int rc = 0, vi = q->lang_vi;
    if (!l.z || !l.t || !l.c) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        snprintf(res->err, sizeof res->err, "cannot write %s: %s", zip_path, l.z ? "out of memory" : zip_error_strerror(&ze));
        zip_error_fini(&ze);
        rc = CW_EIO;
        goto out;
    }
    char from[40], to[40], at[40], zone[80];
    fprintf(l.t, "%s\n\n",
            vi ? "DỮ LIỆU HÌNH ẢNH THEO YÊU CẦU CỦA NGƯỜI ĐƯỢC GHI HÌNH (Luật Bảo vệ dữ liệu cá nhân)"
               : "PICTURES AND EVENTS HELD, AT THE REQUEST OF A PERSON RECORDED (Personal Data Protection Law)");
    fprintf(l.t, "%s: %s %s", vi ? "Phạm vi" : "Scope", q->camera ? "camera" : (vi ? "điểm" : "site"),
            q->camera ? q->camera : q->site);
    if (q->site) {
        fprintf(l.t, " (");
        for (int i = 0; cams[i]; i++)
            fprintf(l.t, "%s%s", i ? ", " : "", cams[i]);
        fprintf(l.t, ")");
    }
    fprintf(l.t, "\n%s: %s %s %s (%s)\n", vi ? "Thời gian" : "Period", cw_fmt_local(q->from_us, from, sizeof from),
            vi ? "đến" : "to", cw_fmt_local(q->to_us, to, sizeof to), cw_fmt_zone(q->from_us, zone, sizeof zone));
    fprintf(l.t, "%s: %s, %s %s\n\n", vi ? "Lập lúc" : "Made at", cw_fmt_local(now_us, at, sizeof at),
            vi ? "bởi" : "by", q->by);
    fprintf(l.t, "%s\n", vi ? "   #  camera           bắt đầu              kết thúc  loại     ảnh (trong thư mục pictures/)"
                            : "   #  camera           start                end       kind     pictures (in the folder pictures/)");
    fprintf(l.c, "id,camera,start,end,kind,peak_score,picture_start,picture,erased_at\n");
    rc = cw_store_each_event_of(st, (const char *const *)cams, q->from_us, q->to_us, on_export_event, &l);
    if (rc < 0) {
        snprintf(res->err, sizeof res->err, "cannot read the events: %s", cw_store_errmsg(st));
        goto out;
    }
    fprintf(l.t, "\n%s: %d, %s: %d%s", vi ? "Số sự kiện" : "Events", res->events, vi ? "số ảnh" : "pictures",
            res->pictures, res->erased ? "" : "\n");
    if (res->erased)
        fprintf(l.t, vi ? " (%d sự kiện đã bị xoá ảnh trước đó)\n" : " (%d events' pictures erased before)\n",
                res->erased);
    fprintf(l.t, "\n%s\n",
            vi ? "camwatch ghi lại các sự kiện chuyển động (thời gian, mức độ) và ảnh chụp kèm theo; không ghi video.\n"
                 "Ảnh và sự kiện chỉ được lưu trong thời hạn cấu hình (retention) rồi tự động xoá."
               : "camwatch records motion events (times, scores) and the pictures taken with them; it records no\n"
                 "video. Pictures and events are kept only for the configured retention, then deleted.");
    fclose(l.t);
    fclose(l.c);
    l.t = l.c = NULL;
    if (l.failed || add_text(l.z, vi ? "danh-sach.txt" : "listing.txt", l.text, l.tlen) < 0 ||
        add_text(l.z, "events.csv", l.csv, l.clen) < 0 || zip_close(l.z) < 0) {
        snprintf(res->err, sizeof res->err, "cannot write %s: %s", zip_path, zip_strerror(l.z));
        rc = CW_EIO;
        goto out;
    }
    l.z = NULL;
    if (rename(tmp, zip_path) < 0) {
        snprintf(res->err, sizeof res->err, "cannot write %s: %s", zip_path, strerror(errno));
        rc = CW_EIO;
        goto out;
    }
    char extra[700];
    snprintf(extra, sizeof extra, ", archive %s",
             q->archive_name ? q->archive_name : strrchr(zip_path, '/') ? strrchr(zip_path, '/') + 1 : zip_path);
    audit(st, q, now_us, "privacy_export", res, extra);
out:
    if (l.t)
        fclose(l.t);
    if (l.c)
        fclose(l.c);
    if (l.z)
        zip_discard(l.z);
    unlink(tmp);
    free(l.text);
    free(l.csv);
    free_list(cams);
    return rc;
}

/* ---- erase ---- */

struct eraser {
    const struct cw_privacy_req *q;
    struct cw_privacy_result *res;
};

static void on_erased(void *ud, const char *snapshot)
{
    struct eraser *x = ud;
    x->res->pictures += cw_snapdir_remove_event(x->q->snap_root, snapshot);
}

int cw_privacy_erase(struct cw_store *st, const struct cw_privacy_req *q, int64_t now_us,
                     struct cw_privacy_result *res)
{
    memset(res, 0, sizeof *res);
    char **cams = cameras_of(st, q, res);
    if (!cams)
        return CW_EINVAL;
    struct eraser x = {q, res};
    int n = cw_store_erase_events(st, (const char *const *)cams, q->from_us, q->to_us, now_us, on_erased, &x);
    if (n < 0) {
        snprintf(res->err, sizeof res->err, "cannot mark the events erased (nothing deleted): %s", cw_store_errmsg(st));
        free_list(cams);
        return n;
    }
    res->events = n;
    /* every other picture of these cameras taken in the range: an event's
     * start picture whose event is not written yet, the thumbnail */
    for (int i = 0; cams[i]; i++) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/%s", q->snap_root, cams[i]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        for (struct dirent *e; (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            char path[1400];
            struct stat sb;
            if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".jpg") != 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (stat(path, &sb) < 0)
                continue;
            int64_t mt = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
            if (mt >= q->from_us && mt < q->to_us && unlink(path) == 0)
                res->pictures++;
        }
        closedir(d);
    }
    audit(st, q, now_us, "privacy_erase", res, "");
    free_list(cams);
    return 0;
}
