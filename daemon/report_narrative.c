/* The narrative (see report_narrative.h). Every figure it states comes
 * from the computed report, so it equals the tables and the CSV. */
#include "report_narrative.h"

#include "report_columns.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fmt.h"
#include "words.h"

/* A growing string. */
struct sb {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void add(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t)
            return;
        b->s = t;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void push(struct cw_narrative *n, struct sb *b)
{
    if (b->s && n->n < CW_NARRATIVE_MAX - 1)
        n->para[n->n++] = b->s;
    else
        free(b->s);
    memset(b, 0, sizeof *b);
}

const struct cw_report_group *cw_report_network(const struct cw_report *r)
{
    for (int i = 0; i < r->n_groups; i++)
        if (r->groups[i].level == 3)
            return &r->groups[i];
    return NULL;
}

int cw_report_view_shows(const struct cw_report_view *v, const struct cw_report_group *g)
{
    return v->scope <= 0 || g->level < v->scope;
}

const struct cw_report_group *cw_report_view_top(const struct cw_report_view *v)
{
    if (v->scope <= 0)
        return cw_report_network(v->r);
    const struct cw_report_group *top = NULL;
    for (int i = 0; i < v->r->n_groups; i++)
        if (v->r->groups[i].level == v->scope - 1) {
            if (top)
                return cw_report_network(v->r); /* a filter matching several: the whole */
            top = &v->r->groups[i];
        }
    return top ? top : cw_report_network(v->r);
}

const char *cw_report_cause_words(int vi, const char *state, const char *cause)
{
    return cause && cause[0] ? cw_word(cause, vi) : cw_word(state, vi);
}

char *cw_report_period_words(const struct cw_report_view *v, char *buf, size_t len)
{
    int y, m;
    if (strlen(v->title_period) == 7 && sscanf(v->title_period, "%4d-%2d", &y, &m) == 2)
        return cw_rfmt_month(y, m, v->lang_vi, buf, len);
    snprintf(buf, len, "%s", v->title_period);
    return buf;
}

/* "toàn mạng", "toàn xã": the whole the report is about, in words. */
static const char *whole_words(const struct cw_report *r, const struct cw_report_group *top, int vi)
{
    static const char *const w_vi[] = {"toàn điểm", "toàn xã", "toàn huyện", "toàn mạng"};
    static const char *const w_en[] = {"the site's", "the commune's", "the district's", "the network's"};
    if (top->level == 3 && r->province)
        return vi ? "toàn tỉnh" : "the province's";
    return (vi ? w_vi : w_en)[top->level];
}

char *cw_report_notice_line(const struct cw_report_view *v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (v->notice_missing && v->notice_missing[0])
        snprintf(buf, len,
                 v->lang_vi ? "Điểm có camera chưa ghi nhận thông báo ghi hình cho người dân (Luật Bảo vệ dữ liệu cá nhân, "
                              "Điều 32): %s."
                            : "Sites with cameras and no recording notice recorded (Personal Data Protection Law, "
                              "Art. 32): %s.",
                 v->notice_missing);
    return buf;
}

int cw_narrative_build(const struct cw_report_view *v, struct cw_narrative *out)
{
    const struct cw_report *r = v->r;
    const int vi = v->lang_vi;
    const struct cw_report_group *top = cw_report_view_top(v);
    struct sb b = {0};
    char n1[48], n2[48], n3[48];
    memset(out, 0, sizeof *out);
    if (!top)
        return -1;

    /* 0. a period not over, or data that stops short, is said first; the
     * province's says whether it is final, naming the communes behind */
    char *note = malloc(16384);
    if (note && (v->r->province ? cw_doc_province_note(v, note, 16384) : cw_doc_data_note(v, note, 16384))[0]) {
        add(&b, "%s", note);
        push(out, &b);
    }
    free(note);

    /* 1. what the report is about and its headline figures */
    int sites = 0, communes = 0, whole = 0, n_cams = 0;
    int64_t maint_us = 0, monitored = 0;
    int maint_cams = 0;
    for (int i = 0; i < r->n_groups; i++)
        sites += r->groups[i].level == 0, communes += r->groups[i].level == 1;
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        maint_us += c->maint_us, maint_cams += c->maint_us > 0;
        n_cams++, monitored += c->monitored_us;
        whole += c->monitored_us > 0 && c->online_us == 0;
    }
    double share = top->cameras ? 100.0 * top->at_target / top->cameras : 0;
    char period[80], where_vi[120] = "", where_en[120] = "";
    cw_report_period_words(v, period, sizeof period);
    if (top->level >= 1 && sites > 1)
        snprintf(where_vi, sizeof where_vi, " tại %d điểm", sites), snprintf(where_en, sizeof where_en, " at %d sites", sites);
    if (top->level >= 2 && communes > 1)
        snprintf(where_vi + strlen(where_vi), sizeof where_vi - strlen(where_vi), " thuộc %d xã", communes),
            snprintf(where_en + strlen(where_en), sizeof where_en - strlen(where_en), " in %d communes", communes);
    if (vi)
        add(&b, "Trong %s, hệ thống camera an ninh%s%s gồm %d camera được giám sát%s. "
                "Có %d/%d camera (%s) đạt tỷ lệ hoạt động từ %s trở lên; tỷ lệ hoạt động bình quân %s đạt %s",
            period, top->name[0] ? " " : "", top->name, top->cameras, where_vi, top->at_target,
            top->cameras, cw_rfmt_pct(share, 1, n1, sizeof n1), cw_rfmt_pct(r->rules.uptime_target, 1, n2, sizeof n2),
            whole_words(v->r, top, 1), cw_rfmt_pct(top->mean_uptime, 1, n3, sizeof n3));
    else
        add(&b, "In %s the security camera network%s%s had %d monitored cameras%s. %d of %d cameras (%s) reached %s "
                "uptime or more; %s mean uptime was %s",
            period, top->name[0] ? " of " : "", top->name, top->cameras, where_en, top->at_target, top->cameras,
            cw_rfmt_pct(share, 0, n1, sizeof n1), cw_rfmt_pct(r->rules.uptime_target, 0, n2, sizeof n2),
            whole_words(v->r, top, 0), cw_rfmt_pct(top->mean_uptime, 0, n3, sizeof n3));
    int known;
    double d = cw_report_group_change(top, &known);
    if (known)
        add(&b, vi ? " (%s so với kỳ trước, khi đạt %s)." : " (%s from the previous period's %s).",
            cw_rfmt_points(d, vi, n1, sizeof n1), cw_rfmt_pct(top->hist[0], vi, n2, sizeof n2));
    else
        add(&b, vi ? " (chưa có số liệu kỳ trước để so sánh)." : " (no earlier period to compare with).");
    push(out, &b);

    /* 2. communes and sites below it by status (zero counts are not
     * listed), and why the worse ones are so */
    for (int level = top->level - 1 < 1 ? top->level - 1 : 1; level >= 0; level--) {
        int count[4] = {0};
        for (int i = 0; i < r->n_groups; i++)
            if (r->groups[i].level == level)
                count[r->groups[i].status]++;
        if (count[1] + count[2] + count[3] == 0)
            continue;
        static const char *const st_vi[] = {"", "bình thường", "cần theo dõi", "xuống cấp"};
        static const char *const st_en[] = {"", "OK", "degraded", "deteriorated"};
        add(&b, vi ? "Về đánh giá theo %s:" : "By %s:", level == 1 ? (vi ? "xã" : "commune") : (vi ? "điểm lắp đặt" : "site"));
        int parts = 0;
        for (int k = 1; k <= 3; k++) {
            if (!count[k])
                continue;
            if (vi)
                add(&b, "%s %d %s %s", parts ? "," : "", count[k], level == 1 ? "xã" : "điểm", st_vi[k]);
            else
                add(&b, "%s %d %s", parts ? "," : "", count[k], st_en[k]);
            parts++;
        }
        add(&b, ".");
        for (int s = CW_STATUS_DETERIORATED; s >= CW_STATUS_DEGRADED; s--) {
            int listed = 0;
            for (int i = 0; i < r->n_groups && listed < 8; i++) {
                const struct cw_report_group *g = &r->groups[i];
                if (g->level != level || (int)g->status != s)
                    continue;
                add(&b, "%s %s", listed ? ";" : (vi ? (s == 3 ? " Xuống cấp:" : " Cần theo dõi:") : (s == 3 ? " Deteriorated:" : " Degraded:")),
                    g->name);
                if (g->trend == CW_TREND_PREV || g->trend == CW_TREND_MEAN3)
                    add(&b, vi ? " (tỷ lệ hoạt động %s, giảm %s điểm)" : " (uptime %s, down %s points)",
                        cw_rfmt_pct(g->mean_uptime, vi, n1, sizeof n1), cw_rfmt_num(g->trend_drop, 1, vi, n2, sizeof n2));
                else if (g->worst_down_us >= r->rules.max_down_us)
                    add(&b, vi ? " (camera %s ngừng %s liên tục)" : " (camera %s down %s in one outage)", g->worst_camera,
                        cw_rfmt_duration(g->worst_down_us, vi, n1, sizeof n1));
                else
                    add(&b, vi ? " (%d/%d camera đạt)" : " (%d of %d cameras at target)", g->at_target, g->cameras);
                listed++;
            }
            if (listed)
                add(&b, ".");
        }
        push(out, &b);
    }

    /* 3. the repair list, and cameras down the whole period */
    int n_rep = 0;
    free(cw_doc_repairs(r, &n_rep));
    cw_rfmt_duration(r->rules.repair_after_us, vi, n1, sizeof n1);
    if (n_rep == 0)
        add(&b, vi ? "Không có camera nào cần sửa chữa (ngừng hoạt động hoặc hình ảnh kém quá %s tính đến cuối kỳ)."
                   : "No camera needs repair (down, or with a bad picture, for more than %s at the end of the period).",
            n1);
    else
        add(&b, vi ? "Có %d camera cần sửa chữa (ngừng hoạt động hoặc hình ảnh kém quá %s tính đến cuối kỳ), xem danh sách kèm theo."
                   : "%d cameras need repair (down, or with a bad picture, for more than %s at the end of the period); see the list below.",
            n_rep, n1);
    if (whole) {
        add(&b, vi ? " %d camera không hoạt động trong suốt thời gian được giám sát của kỳ:"
                   : " %d cameras did not work at any monitored time in the period:", whole);
        int listed = 0;
        for (int i = 0; i < r->n_cams && listed < 10; i++) {
            const struct cw_report_camera *c = &r->cams[i];
            if (!c->has_data || c->monitored_us == 0 || c->online_us > 0)
                continue;
            add(&b, "%s %s (%s, %s)", listed ? "," : "", c->names.name[0] ? c->names.name : c->id,
                c->id, cw_report_cause_words(vi, c->state, c->cause));
            listed++;
        }
        if (whole > listed)
            add(&b, vi ? " và %d camera khác" : " and %d more", whole - listed);
        add(&b, vi ? "; đề nghị xem xét bố trí kinh phí sửa chữa, thay thế hoặc loại bỏ." :
                     "; they are candidates for repair funding, replacement or removal.");
    }
    push(out, &b);

    /* 4. maintenance, and how much of the period camwatch was watching */
    if (maint_cams)
        add(&b, vi ? "Trong kỳ có %s giờ bảo trì đã khai báo trên %d camera%s. "
                   : "%s hours of declared maintenance on %d cameras%s. ",
            cw_rfmt_num(maint_us / 3600e6, 1, vi, n1, sizeof n1), maint_cams,
            r->rules.exclude_maintenance ? (vi ? " (không tính vào tỷ lệ hoạt động)" : " (left out of uptime)") : "");
    else
        add(&b, vi ? "Trong kỳ không có bảo trì nào được khai báo. " : "No maintenance was declared in the period. ");
    add(&b, vi ? "Hệ thống camwatch đã giám sát %s thời gian của kỳ; thời gian không giám sát không tính là camera ngừng hoạt động."
               : "camwatch was watching %s of the period; time it was not watching is never counted as camera down time.",
        cw_rfmt_pct(n_cams ? 100.0 * (double)monitored / ((double)n_cams * (double)(r->to_us - r->from_us)) : -1, vi,
                    n1, sizeof n1));
    push(out, &b);
    /* the recording notice the law asks for, where it is missing */
    char line[4096];
    if (cw_report_notice_line(v, line, sizeof line)[0]) {
        add(&b, "%s", line);
        push(out, &b);
    }
    return 0;
}

void cw_narrative_free(struct cw_narrative *n)
{
    for (int i = 0; i < n->n; i++)
        free(n->para[i]);
    memset(n, 0, sizeof *n);
}

/* ---- the document's parts: its tables, from the column model ---- */

static const enum cw_rcol group_cols[CW_DOC_GROUP_COLS] = {CW_RC_LEVEL,  CW_RC_NAME,      CW_RC_CAMERAS,
                                                           CW_RC_AT_TARGET, CW_RC_UPTIME, CW_RC_CHANGE,
                                                           CW_RC_MONITORED, CW_RC_STATUS};
static const double group_w[] = {0.10, 0.23, 0.10, 0.07, 0.13, 0.13, 0.11, 0.13};
static const enum cw_rcol repair_cols[CW_DOC_REPAIR_COLS] = {CW_RC_CAMERA,     CW_RC_SITE_NAME,   CW_RC_COMMUNE_NAME,
                                                             CW_RC_REPAIR_FOR, CW_RC_REPAIR_WHAT, CW_RC_LAST_SEEN};
static const double repair_w[] = {0.24, 0.18, 0.14, 0.12, 0.16, 0.16};
static const enum cw_rcol camera_cols[CW_DOC_CAMERA_COLS] = {CW_RC_CAMERA,  CW_RC_SITE_NAME, CW_RC_UPTIME,
                                                             CW_RC_MONITORED, CW_RC_DOWN,    CW_RC_OUTAGES,
                                                             CW_RC_LONGEST, CW_RC_AT_END};
static const double camera_w[] = {0.22, 0.16, 0.11, 0.11, 0.09, 0.08, 0.10, 0.13};

/* A table's headings in vi or en, the narrow (document) forms. */
static const char *const *heads(const enum cw_rcol *cols, int n, int vi, const char **out)
{
    struct cw_report_view lang = {.lang_vi = vi};
    for (int k = 0; k < n; k++)
        out[k] = cw_rcol_head(&lang, cols[k], 1);
    out[n] = NULL;
    return out;
}

const char *const *cw_doc_group_heads(int vi)
{
    static const char *h[2][CW_DOC_GROUP_COLS + 1];
    return heads(group_cols, CW_DOC_GROUP_COLS, vi, h[vi != 0]);
}
const double *cw_doc_group_widths(void) { return group_w; }
const char *const *cw_doc_repair_heads(int vi)
{
    static const char *h[2][CW_DOC_REPAIR_COLS + 1];
    return heads(repair_cols, CW_DOC_REPAIR_COLS, vi, h[vi != 0]);
}
const double *cw_doc_repair_widths(void) { return repair_w; }
const char *const *cw_doc_camera_heads(int vi)
{
    static const char *h[2][CW_DOC_CAMERA_COLS + 1];
    return heads(camera_cols, CW_DOC_CAMERA_COLS, vi, h[vi != 0]);
}
const double *cw_doc_camera_widths(void) { return camera_w; }

/* A cell as the document prints it: a camera by its name, its id on the
 * line under (never the id alone, hyphen-broken across lines); a change in
 * points as the sign and figure (the narrow heading names the unit). */
static void doc_cell(const struct cw_report_view *v, enum cw_rcol id, const struct cw_rval *x, char *cell)
{
    char buf[CW_DOC_CELL];
    const char *s = cw_rcol_show(v, id, x, buf, sizeof buf);
    if (id == CW_RC_CAMERA && x->sub && x->sub[0])
        snprintf(cell, CW_DOC_CELL, "%s\n%s", s, x->sub);
    else
        snprintf(cell, CW_DOC_CELL, "%s", s);
    char *unit = cw_report_column(id)->unit == CW_RU_POINTS && x->known ? strrchr(cell, ' ') : NULL;
    if (unit)
        *unit = '\0';
}

void cw_doc_camera_cells(const struct cw_report_view *v, const struct cw_report_camera *c,
                         char cells[CW_DOC_CAMERA_COLS][CW_DOC_CELL])
{
    struct cw_rval x;
    for (int k = 0; k < CW_DOC_CAMERA_COLS; k++) {
        cw_rcol_camera(v, camera_cols[k], c, &x);
        doc_cell(v, camera_cols[k], &x, cells[k]);
    }
}

const char *cw_doc_groups_heading(const struct cw_report_view *v)
{
    if (v->r->province && v->scope == 0)
        return v->lang_vi ? "I. Kết quả toàn tỉnh và theo xã" : "I. Results for the province and by commune";
    int districts = 0;
    for (int i = 0; i < v->r->n_groups; i++)
        districts |= v->r->groups[i].level == 2;
    if (v->scope == 1 || v->scope == 2)
        return v->lang_vi ? "I. Kết quả theo điểm lắp đặt" : "I. Results by site";
    if (districts)
        return v->lang_vi ? "I. Kết quả theo huyện, xã và điểm lắp đặt" : "I. Results by district, commune and site";
    return v->lang_vi ? "I. Kết quả theo xã và điểm lắp đặt" : "I. Results by commune and site";
}

void cw_doc_group_cells(const struct cw_report_view *v, const struct cw_report_group *g,
                        char cells[CW_DOC_GROUP_COLS][CW_DOC_CELL])
{
    struct cw_rval x;
    for (int k = 0; k < CW_DOC_GROUP_COLS; k++) {
        cw_rcol_group(v, group_cols[k], g, &x);
        doc_cell(v, group_cols[k], &x, cells[k]);
    }
}

int cw_doc_group_in_main(const struct cw_report_view *v, const struct cw_report_group *g)
{
    if (!cw_report_view_shows(v, g))
        return 0;
    /* the province's: its sites go in each commune's own part */
    return !(v->r->province && v->scope == 0 && g->level == 0);
}

int cw_doc_has_commune_parts(const struct cw_report_view *v) { return v->r->province && v->scope == 0; }

const char *cw_doc_commune_parts_heading(const struct cw_report_view *v)
{
    return v->lang_vi ? "II. Kết quả từng xã theo điểm lắp đặt" : "II. Each commune's results by site";
}

char *cw_doc_commune_heading(const struct cw_report_view *v, int k, char *buf, size_t len)
{
    const struct cw_report_commune *l = &v->r->communes[k];
    char words[120];
    cw_doc_complete_until(v, l, words, sizeof words);
    /* a commune behind is marked as such: its figures are not final */
    int late = l->complete_until_us < v->r->to_us;
    snprintf(buf, len, "%d. %s (%s%s)", k + 1, l->name[0] ? l->name : l->id,
             !late ? "" : v->lang_vi ? "chưa nhận đủ dữ liệu; " : "data not all received; ", words);
    return buf;
}

int cw_doc_commune_sites(const struct cw_report_view *v, int k, const struct cw_report_group **out, int max)
{
    int n = 0;
    for (int i = 0; i < v->r->n_groups && n < max; i++)
        if (v->r->groups[i].level == 0 && strcmp(v->r->groups[i].parent, v->r->communes[k].id) == 0)
            out[n++] = &v->r->groups[i];
    return n;
}

int64_t cw_doc_repair_time(const struct cw_report_camera *c)
{
    return c->current_down_us > c->current_bad_us ? c->current_down_us : c->current_bad_us;
}

static int cmp_repair(const void *a, const void *b)
{
    int64_t x = cw_doc_repair_time(*(const struct cw_report_camera *const *)a);
    int64_t y = cw_doc_repair_time(*(const struct cw_report_camera *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

const struct cw_report_camera **cw_doc_repairs(const struct cw_report *r, int *n)
{
    const struct cw_report_camera **l = calloc((size_t)r->n_cams + 1, sizeof *l);
    *n = 0;
    for (int i = 0; l && i < r->n_cams; i++)
        if (r->cams[i].has_data && cw_doc_repair_time(&r->cams[i]) > r->rules.repair_after_us)
            l[(*n)++] = &r->cams[i];
    if (l && *n > 1)
        qsort(l, (size_t)*n, sizeof *l, cmp_repair);
    return l;
}

void cw_doc_repair_cells(const struct cw_report_view *v, const struct cw_report_camera *c,
                         char cells[CW_DOC_REPAIR_COLS][CW_DOC_CELL])
{
    struct cw_rval x;
    for (int k = 0; k < CW_DOC_REPAIR_COLS; k++) {
        cw_rcol_camera(v, repair_cols[k], c, &x);
        doc_cell(v, repair_cols[k], &x, cells[k]);
    }
}

const char *cw_doc_title(const struct cw_report_view *v)
{
    if (!v->lang_vi)
        return "REPORT";
    return v->doc && v->doc->title[0] ? v->doc->title : "BÁO CÁO";
}

char *cw_doc_subject(const struct cw_report_view *v, char *buf, size_t len)
{
    char period[80], note[80];
    cw_report_period_words(v, period, sizeof period);
    cw_doc_title_note(v, note, sizeof note); /* a partial period says so in the title */
    if (v->lang_vi)
        snprintf(buf, len, "%s %s%s",
                 v->doc && v->doc->subject[0] ? v->doc->subject : "Kết quả hoạt động hệ thống camera an ninh", period,
                 note);
    else
        snprintf(buf, len, "Security camera network: results for %s%s", period, note);
    return buf;
}

char *cw_doc_rules(const struct cw_report_view *v, char *buf, size_t len)
{
    const struct cw_report_rules *ru = &v->r->rules;
    const int vi = v->lang_vi;
    char a[32], b[32], c[32], d[48], e[32];
    snprintf(buf, len,
             vi ? "Camera đạt khi tỷ lệ hoạt động từ %s trở lên. Nhóm Bình thường khi ít nhất %s số camera đạt; "
                  "Xuống cấp khi dưới %s đạt, khi có camera ngừng liên tục từ %s, hoặc khi tỷ lệ hoạt động giảm từ %s "
                  "điểm so với kỳ trước hoặc trung bình 3 kỳ trước; Cần theo dõi trong khoảng giữa. %s"
                : "A camera works at %s uptime or more. A group is OK when at least %s of its cameras work; "
                  "Deteriorated below %s, when a camera was down %s in one outage, or when uptime fell %s points "
                  "from the previous period or the mean of the 3 before; Degraded in between. %s",
             cw_rfmt_pct(ru->uptime_target, vi, a, sizeof a), cw_rfmt_pct(ru->ok_share, vi, b, sizeof b),
             cw_rfmt_pct(ru->deteriorated_share, vi, c, sizeof c), cw_rfmt_duration(ru->max_down_us, vi, d, sizeof d),
             cw_rfmt_num(ru->trend_drop, 1, vi, e, sizeof e),
             ru->exclude_maintenance
                 ? (vi ? "Thời gian bảo trì đã khai báo không tính vào tỷ lệ hoạt động."
                       : "Declared maintenance time is left out of uptime.")
                 : (vi ? "Thời gian bảo trì đã khai báo được tính là ngừng hoạt động."
                       : "Declared maintenance time counts as down."));
    return buf;
}

char *cw_doc_data_span(const struct cw_report_view *v, char *buf, size_t len)
{
    const struct cw_report *r = v->r;
    char a[48], b[48];
    if (!r->data_last_us)
        snprintf(buf, len, "%s", v->lang_vi ? "Không có số liệu trong kỳ" : "No data in the period");
    else
        snprintf(buf, len, v->lang_vi ? "Số liệu từ %s đến %s" : "Data from %s to %s",
                 cw_rfmt_datetime(r->data_first_us, v->lang_vi, a, sizeof a),
                 cw_rfmt_datetime(r->data_last_us, v->lang_vi, b, sizeof b));
    return buf;
}

/* The province's report: whether a commune's data has not all arrived.
 * A period that is over needs it up to its end; one under way, to within
 * a quarter of an hour of the report (edges send every few seconds; one
 * further behind is cut off). */
static int behind(const struct cw_report_view *v, const struct cw_report_commune *l)
{
    const struct cw_report *r = v->r;
    int64_t need = v->generated_us >= r->to_us ? r->to_us : v->generated_us - 15 * 60 * 1000000LL;
    return l->complete_until_us < need;
}

int cw_doc_province_behind(const struct cw_report_view *v)
{
    int n = 0;
    for (int i = 0; i < v->r->n_communes; i++)
        n += behind(v, &v->r->communes[i]);
    return n;
}

char *cw_doc_complete_until(const struct cw_report_view *v, const struct cw_report_commune *l, char *buf, size_t len)
{
    char t[48];
    const int vi = v->lang_vi;
    if (l->complete_until_us <= v->r->from_us)
        snprintf(buf, len, "%s", vi ? "chưa nhận dữ liệu nào của kỳ" : "no data of the period received");
    else if (l->complete_until_us >= v->r->to_us)
        snprintf(buf, len, "%s", vi ? "dữ liệu đầy đủ đến hết kỳ" : "data complete to the period's end");
    else
        snprintf(buf, len, vi ? "dữ liệu đầy đủ đến %s" : "data complete up to %s",
                 cw_rfmt_datetime(l->complete_until_us, vi, t, sizeof t));
    return buf;
}

char *cw_doc_province_note(const struct cw_report_view *v, char *buf, size_t len)
{
    const struct cw_report *r = v->r;
    const int vi = v->lang_vi;
    size_t o = 0;
    char c[120], end[48];
    buf[0] = '\0';
    if (!r->province)
        return buf;
    int n_behind = cw_doc_province_behind(v);
    cw_rfmt_datetime(r->to_us, vi, end, sizeof end);
    if (v->generated_us >= r->to_us && n_behind == 0) {
        snprintf(buf, len, vi ? "Báo cáo chính thức: dữ liệu của cả %d xã đã đầy đủ đến hết kỳ báo cáo."
                              : "Final report: the data of all %d communes is complete to the period's end.",
                 r->n_communes);
        return buf;
    }
    if (v->generated_us < r->to_us)
        o += (size_t)snprintf(buf, len, vi ? "Kỳ báo cáo chưa kết thúc (kết thúc %s): báo cáo chưa chính thức."
                                           : "The period is not over (it ends %s): the report is provisional.", end);
    else
        o += (size_t)snprintf(buf, len, "%s", vi ? "Báo cáo chưa chính thức." : "Provisional report.");
    if (n_behind == 0)
        return buf;
    if (o < len)
        o += (size_t)snprintf(buf + o, len - o, vi ? " Chưa nhận đủ dữ liệu của %d/%d xã:" : " Data not all received from %d/%d communes:",
                              n_behind, r->n_communes);
    int k = 0;
    for (int i = 0; i < r->n_communes && o < len; i++) {
        if (!behind(v, &r->communes[i]))
            continue;
        o += (size_t)snprintf(buf + o, len - o, "%s %s (%s)", k++ ? ";" : "", r->communes[i].name,
                              cw_doc_complete_until(v, &r->communes[i], c, sizeof c));
    }
    if (o < len)
        snprintf(buf + o, len - o, "%s", vi ? ". Thời gian chưa nhận được dữ liệu không tính là camera ngừng hoạt động."
                                            : ". Time whose data has not arrived never counts as camera down time.");
    return buf;
}

char *cw_doc_data_note(const struct cw_report_view *v, char *buf, size_t len)
{
    const struct cw_report *r = v->r;
    const int vi = v->lang_vi;
    int gaps = cw_report_data_gaps(r, v->generated_us);
    char last[48], end[48], first[48];
    size_t o = 0;
    buf[0] = '\0';
    if (r->province) {
        /* the province's: data that has not arrived yet, not a server
         * that stopped; the communes are named by cw_doc_province_note */
        int n_behind = cw_doc_province_behind(v);
        cw_rfmt_datetime(r->to_us, vi, end, sizeof end);
        if (v->generated_us < r->to_us)
            o += (size_t)snprintf(buf, len, vi ? "Kỳ báo cáo chưa kết thúc (kết thúc %s): báo cáo chưa chính thức."
                                               : "The period is not over (it ends %s): the report is provisional.", end);
        else if (n_behind)
            o += (size_t)snprintf(buf, len, "%s", vi ? "Báo cáo chưa chính thức." : "Provisional report.");
        if (n_behind && o < len)
            snprintf(buf + o, len - o,
                     vi ? " Chưa nhận đủ dữ liệu của %d/%d xã; thời gian chưa nhận được không tính là camera ngừng "
                          "hoạt động."
                        : " Data not all received from %d/%d communes; time whose data has not arrived never counts "
                          "as camera down time.",
                     n_behind, r->n_communes);
        return buf;
    }
    if (!gaps)
        return buf;
    cw_rfmt_datetime(r->data_last_us ? r->data_last_us : r->from_us, vi, last, sizeof last);
    cw_rfmt_datetime(r->to_us, vi, end, sizeof end);
    if (gaps & CW_DATA_ENDS_EARLY) {
        o += (size_t)snprintf(buf, len,
                              vi ? "Số liệu đến %s: từ đó đến %s camwatch không ghi nhận gì (máy chủ hoặc camwatchd "
                                   "ngừng); thời gian đó không được giám sát và không tính là camera ngừng hoạt động."
                                 : "Data up to %s: from then until %s camwatch recorded nothing (the server or "
                                   "camwatchd stopped); that time is not monitored and never counts as camera "
                                   "down time.",
                              last, gaps & CW_DATA_OPEN ? (vi ? "nay" : "now") : end);
        if (gaps & CW_DATA_OPEN)
            o += (size_t)snprintf(buf + o, len - o, vi ? " Kỳ báo cáo chưa kết thúc (kết thúc %s)."
                                                       : " The period is not over (it ends %s).", end);
    } else if (gaps & CW_DATA_OPEN) {
        o += (size_t)snprintf(buf, len,
                              vi ? "Kỳ báo cáo chưa kết thúc (kết thúc %s): số liệu đến %s; các số liệu chỉ tính đến "
                                   "thời điểm đó."
                                 : "The period is not over (it ends %s): data up to %s; the figures count only to "
                                   "then.",
                              end, last);
    }
    if (o < len && (gaps & CW_DATA_LATE) && r->data_last_us)
        snprintf(buf + o, len - o, vi ? "%sSố liệu bắt đầu từ %s (trước đó camwatch chưa giám sát)."
                                      : "%sThe data begins at %s (camwatch was not watching before).",
                 o ? " " : "", cw_rfmt_datetime(r->data_first_us, vi, first, sizeof first));
    return buf;
}

char *cw_doc_title_note(const struct cw_report_view *v, char *buf, size_t len)
{
    char d[40];
    int gaps = cw_report_data_gaps(v->r, v->generated_us);
    buf[0] = '\0';
    if (v->r->province) {
        if (v->generated_us < v->r->to_us || cw_doc_province_behind(v))
            snprintf(buf, len, "%s", v->lang_vi ? " (chưa chính thức)" : " (provisional)");
        return buf;
    }
    if (gaps & (CW_DATA_OPEN | CW_DATA_ENDS_EARLY))
        snprintf(buf, len, v->lang_vi ? " (số liệu đến %s)" : " (data up to %s)",
                 cw_rfmt_date(v->r->data_last_us ? v->r->data_last_us : v->r->from_us, v->lang_vi, d, sizeof d));
    return buf;
}

int cw_doc_missing(const struct cw_report_doc *doc, char *buf, size_t len)
{
    const struct {
        const char *key;
        int empty;
    } f[] = {{"issuer_parent", !doc->issuer_parent[0]}, {"issuer", !doc->issuer[0]},   {"place", !doc->place[0]},
             {"signer_title", !doc->signer_title[0]},   {"signer_name", !doc->signer_name[0]},
             {"recipients", doc->n_recipients == 0},    {"copies_to", doc->n_copies_to == 0}};
    int n = 0;
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].empty && o < len)
            o += (size_t)snprintf(buf + o, len - o, "%sreport.%s", n++ ? ", " : "", f[i].key);
    return n;
}

char *cw_doc_place_date(const struct cw_report_view *v, char *buf, size_t len)
{
    char date[80];
    cw_rfmt_date_words(v->generated_us, v->lang_vi, date, sizeof date);
    const char *place = v->doc ? v->doc->place : "";
    snprintf(buf, len, "%s%s%s", place, place[0] ? ", " : "", date);
    return buf;
}

char *cw_doc_copy_line(const struct cw_report_doc *doc, int i, char *buf, size_t len)
{
    const char *t = doc->copies_to[i];
    size_t tl = strlen(t);
    snprintf(buf, len, "- %s%s", t, i + 1 < doc->n_copies_to ? ";" : tl && t[tl - 1] == '.' ? "" : ".");
    return buf;
}
