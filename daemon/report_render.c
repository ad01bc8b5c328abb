/* Renders a computed report as text (aligned for a terminal), CSV, JSON
 * (jansson) or one self-contained HTML file (inline CSS and SVG, A4), in
 * English or Vietnamese. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report_fmt.h"
#include "report_narrative.h"
#include "report_view.h"
#include "words.h"

enum msg {
    M_TITLE, M_PERIOD, M_GENERATED, M_RULES_HDR, M_RULES, M_GROUPS, M_LEVEL, M_NAME, M_CAMERAS, M_AT_TARGET,
    M_UPTIME, M_STATUS, M_REASON, M_CAMERA, M_SITE, M_COMMUNE, M_DISTRICT, M_NETWORK, M_MONITORED, M_OFFLINE_H,
    M_OUTAGES, M_LONGEST, M_MTTR, M_BAD_IMAGE, M_MOTION, M_STATE, M_REPAIR, M_DOWN_FOR, M_CAUSE, M_LAST_SEEN,
    M_NONE, M_DEFS_HDR, M_DEFS, M_NOT_RECORDED, M_CHART_DAILY, M_CHART_CAMS, M_FILTER, M_MAINT_H, M_MAINT_RULE,
    M_MAINT_RULE_IN, M_CHANGE, M__COUNT
};

static const char *const en[M__COUNT] = {
    "Camera network report", "Period", "Generated", "Rules",
    "a camera works when its uptime is at least %.0f%%; a group is OK when at least %.0f%% of its cameras work, "
    "DETERIORATED when fewer than %.0f%% do or when any camera was down %.0f days or more in one outage, and "
    "DEGRADED in between",
    "Districts, communes and sites", "Level", "Name", "Cameras", "Working", "Uptime", "Status", "Why", "Camera",
    "Site", "Commune", "District", "Whole network", "Monitored", "Hours down", "Outages", "Longest", "MTTR",
    "Bad image h", "Motion", "State", "Repair list: down, or with a bad image, for longer than %.0f days", "Down for", "Cause", "Last seen",
    "none", "Definitions",
    "Uptime = time online / monitored time. Monitored = time camwatch was running and watching the camera "
    "(time it was not running is 'unmonitored' and is never counted as camera downtime); monitored % = "
    "monitored / the whole period (a period not over, or whose data stops early, says so first). An outage runs from a camera "
    "leaving 'online' (for 'offline' or 'stalled') until it is next online; its length counts monitored down "
    "time only. MTTR = mean length of the outages that ended in the period. Group uptime is the mean over its "
    "cameras (each camera counts once). Hours down = offline (any cause) + stalled. Boundaries: an outage starts "
    "at the last video packet received (a stall within 0.5 s of the camera's last frame) and ends at the first "
    "video packet again; a camera that comes back is seen within its probe_interval (5 s unless set) plus its "
    "session set-up (about 0.2 s on a LAN). The time from camwatch's start to a camera's first connection result "
    "is neither up nor down (not monitored). Each outage counts whole under one cause, the most specific seen in "
    "it: wrong password > wrong path > no video > unreachable > stalled > stream error. Maintenance = down time "
    "inside a declared maintenance window; it is no outage and is shown apart.",
    "Bad image h = hours the picture was black, frozen, covered or blurred (imagehealth plugin); Motion = motion "
    "or activity events that began in the period; '-' where a camera does not run that plugin",
    "Daily uptime per commune (%)", "Uptime per camera (%)", "Filter", "Maint. h",
    "Uptime leaves out maintenance time (down time inside declared maintenance windows)",
    "Uptime counts maintenance time (down time inside declared maintenance windows) as down",
    "vs previous",
};

static const char *const vi[M__COUNT] = {
    "Báo cáo mạng camera an ninh", "Kỳ báo cáo", "Lập lúc", "Quy tắc",
    "camera đạt khi tỷ lệ hoạt động từ %.0f %% trở lên; một nhóm Bình thường khi ít nhất %.0f %% camera đạt, "
    "Xuống cấp khi dưới %.0f %% camera đạt hoặc có camera mất tín hiệu từ %.0f ngày trở lên trong một lần "
    "gián đoạn, và Cần theo dõi trong khoảng giữa",
    "Huyện, xã và điểm lắp đặt", "Cấp", "Tên", "Số camera", "Đạt", "Tỷ lệ hoạt động", "Tình trạng", "Lý do",
    "Camera", "Điểm", "Xã", "Huyện", "Toàn mạng", "Tỷ lệ giám sát", "Giờ ngừng", "Số lần gián đoạn",
    "Dài nhất", "TG khắc phục TB", "Giờ hình kém", "Chuyển động", "Trạng thái",
    "Danh sách cần sửa chữa: ngừng hoạt động hoặc hình ảnh kém quá %.0f ngày", "Ngừng trong", "Nguyên nhân",
    "Hoạt động lần cuối", "không có", "Định nghĩa",
    "Tỷ lệ hoạt động = thời gian hoạt động / thời gian được giám sát. Thời gian giám sát = thời gian camwatch "
    "chạy và theo dõi camera (thời gian camwatch không chạy là 'không giám sát' và không bao giờ tính là camera "
    "ngừng hoạt động); tỷ lệ giám sát = thời gian giám sát / toàn bộ kỳ báo cáo (kỳ chưa kết thúc hoặc số liệu "
    "dừng sớm được ghi rõ ở đầu báo cáo). Một "
    "lần gián đoạn tính từ khi camera rời trạng thái 'hoạt động' (sang 'mất kết nối' hoặc 'luồng bị treo') đến khi "
    "hoạt động trở lại; độ dài chỉ tính thời gian ngừng được giám sát. TG khắc phục TB = độ dài trung bình của "
    "các lần gián đoạn đã kết thúc trong kỳ. Tỷ lệ của nhóm là trung bình các camera (mỗi camera tính một lần). "
    "Giờ ngừng = mất kết nối (mọi nguyên nhân) + luồng bị treo. Mốc thời gian: một lần gián đoạn bắt đầu từ gói "
    "hình cuối cùng nhận được (luồng bị treo: trong vòng 0,5 giây sau khung hình cuối của camera) và kết thúc ở gói "
    "hình đầu tiên nhận lại; camera hoạt động trở lại được phát hiện trong vòng chu kỳ thăm dò (probe_interval, "
    "mặc định 5 giây) cộng thời gian thiết lập phiên (khoảng 0,2 giây trong mạng nội bộ). Khoảng thời gian từ khi "
    "camwatch khởi động đến kết quả kết nối đầu tiên của camera không tính là hoạt động hay ngừng (không giám "
    "sát). Mỗi lần gián đoạn được tính trọn cho một nguyên nhân, nguyên nhân cụ thể nhất đã ghi nhận: sai mật "
    "khẩu > sai đường dẫn > không có hình > không kết nối được > luồng bị treo > lỗi luồng. Bảo trì = thời gian ngừng "
    "nằm trong khoảng bảo trì đã khai báo; không tính là gián đoạn và được ghi riêng.",
    "Giờ hình kém = số giờ hình ảnh bị tối đen, đứng yên (hình không đổi), bị che hoặc mờ (plugin imagehealth); Chuyển động = số "
    "sự kiện chuyển động bắt đầu trong kỳ; '-' khi camera không chạy plugin đó",
    "Tỷ lệ hoạt động hằng ngày theo xã (%)", "Tỷ lệ hoạt động theo camera (%)", "Bộ lọc", "Giờ bảo trì",
    "Tỷ lệ hoạt động không tính thời gian bảo trì (thời gian ngừng trong khoảng bảo trì đã khai báo)",
    "Tỷ lệ hoạt động tính cả thời gian bảo trì (thời gian ngừng trong khoảng bảo trì đã khai báo) là ngừng",
    "So với kỳ trước",
};

static const char *tr(const struct cw_report_view *v, enum msg m) { return (v->lang_vi ? vi : en)[m]; }

static const char *status_label(const struct cw_report_view *v, enum cw_report_status s)
{
    static const char *const e[] = {"N/A", "OK", "DEGRADED", "DETERIORATED"};
    static const char *const n[] = {"Không có số liệu", "Bình thường", "Cần theo dõi", "Xuống cấp"};
    return (v->lang_vi ? n : e)[s];
}

/* "mất kết nối (lỗi luồng)": the state and its cause, in the report's
 * language; English keeps the stored words (the machine form). */
static const char *state_label(const struct cw_report_view *v, const char *state, const char *cause)
{
    static char buf[160];
    const char *s = v->lang_vi ? cw_word(state, 1) : state;
    const char *c = cause && cause[0] ? (v->lang_vi ? cw_word(cause, 1) : cause) : NULL;
    if (!c)
        return s;
    snprintf(buf, sizeof buf, "%s (%s)", s, c);
    return buf;
}

/* Why a group has its status, in the report's language. */
static const char *reason(const struct cw_report_view *v, const struct cw_report_group *g)
{
    static char buf[256];
    const struct cw_report_rules *ru = &v->r->rules;
    double share = g->cameras ? 100.0 * g->at_target / g->cameras : 0;
    char pts[64];
    if (g->status == CW_STATUS_NA)
        snprintf(buf, sizeof buf, "%s", v->lang_vi ? "không có camera được giám sát" : "no monitored camera");
    else if (g->trend == CW_TREND_PREV)
        snprintf(buf, sizeof buf,
                 v->lang_vi ? "tỷ lệ hoạt động giảm %s điểm so với kỳ trước (ngưỡng %s)"
                            : "uptime fell %s points from the previous period (limit %s)",
                 cw_rfmt_num(g->trend_drop, 1, v->lang_vi, pts, sizeof pts),
                 cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, pts + 32, sizeof pts - 32));
    else if (g->trend == CW_TREND_MEAN3)
        snprintf(buf, sizeof buf,
                 v->lang_vi ? "tỷ lệ hoạt động giảm %s điểm so với trung bình 3 kỳ trước (ngưỡng %s)"
                            : "uptime fell %s points from the mean of the 3 periods before (limit %s)",
                 cw_rfmt_num(g->trend_drop, 1, v->lang_vi, pts, sizeof pts),
                 cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, pts + 32, sizeof pts - 32));
    else if (g->worst_down_us >= ru->max_down_us)
        snprintf(buf, sizeof buf,
                 v->lang_vi ? "camera %s ngừng hoạt động %s trong một lần gián đoạn (giới hạn %s)"
                            : "camera %s was down %s in one outage (limit %s)",
                 g->worst_camera, cw_rfmt_duration(g->worst_down_us, v->lang_vi, pts, sizeof pts),
                 cw_rfmt_duration(ru->max_down_us, v->lang_vi, pts + 32, sizeof pts - 32));
    else
        snprintf(buf, sizeof buf,
                 v->lang_vi ? "%d/%d camera (%s) đạt tỷ lệ hoạt động %s" : "%d of %d cameras (%s) reach %s uptime",
                 g->at_target, g->cameras, cw_rfmt_pct(share, v->lang_vi, pts, sizeof pts),
                 cw_rfmt_pct(ru->uptime_target, v->lang_vi, pts + 32, sizeof pts - 32));
    return buf;
}

/* The change from the previous period: "▲ 2,1 điểm", or "-" unknown. */
static const char *change(const struct cw_report_view *v, const struct cw_report_group *g, char *buf, size_t len)
{
    int known;
    double d = cw_report_group_change(g, &known);
    if (!known)
        snprintf(buf, len, "-");
    else
        cw_rfmt_points(d, v->lang_vi, buf, len);
    return buf;
}

static const char *level_label(const struct cw_report_view *v, int level)
{
    static const enum msg m[] = {M_SITE, M_COMMUNE, M_DISTRICT, M_NETWORK};
    return tr(v, m[level]);
}

/* ---- text ---- */

/* Prints s left-aligned in a column of w display cells (cut with "…" if
 * longer; headers never are: render_text sizes columns to them). */
/* Whether any camera of the report has a district: without the level no
 * heading, column or row speaks of one. */
static int has_districts(const struct cw_report *r)
{
    for (int i = 0; i < r->n_groups; i++)
        if (r->groups[i].level == 2)
            return 1;
    return 0;
}

/* "Huyện, xã và điểm lắp đặt" where districts exist, "Xã và điểm lắp đặt"
 * where not, "Điểm lắp đặt" in a commune's own report. */
static const char *groups_heading(const struct cw_report_view *v)
{
    if (v->scope == 1 || v->scope == 2)
        return v->lang_vi ? "Điểm lắp đặt" : "Sites";
    if (has_districts(v->r))
        return tr(v, M_GROUPS);
    return v->lang_vi ? "Xã và điểm lắp đặt" : "Communes and sites";
}

static void col(FILE *f, const char *s, int w)
{
    char cut[512];
    const char *t = cw_text_width(s) <= w ? s : cw_text_fit(s, w, cut, sizeof cut);
    fputs(t, f);
    fprintf(f, "%*s", w - cw_text_width(t) + 1, "");
}

/* Column widths: at least the given ones, and never narrower than the
 * header in the report's language ("Tỷ lệ hoạt động" whole). */
static void fit_headers(const struct cw_report_view *v, const int *msgs, int *w, int n);

/* Figures in the report's language: "93,8 %" and "2 ngày 5 giờ" in
 * Vietnamese, "93.8%" and "2 d 5 h" in English (report_fmt.c). */
static char *pct(const struct cw_report_view *v, double x, char *buf, size_t len)
{
    return cw_rfmt_pct(x, v->lang_vi, buf, len);
}

static char *hours(const struct cw_report_view *v, int64_t us, char *buf, size_t len)
{
    return cw_rfmt_num(us / 3600e6, 1, v->lang_vi, buf, len);
}

static char *dur(const struct cw_report_view *v, int64_t us, char *buf, size_t len)
{
    if (us < 0)
        snprintf(buf, len, "-");
    else
        cw_rfmt_duration(us, v->lang_vi, buf, len);
    return buf;
}

/* What the technician must fix: the outage, or the picture. */
static const char *repair_what(const struct cw_report_view *v, const struct cw_report_camera *c, char *buf,
                               size_t len)
{
    if (c->current_down_us >= c->current_bad_us)
        return state_label(v, c->state, c->cause);
    snprintf(buf, len, "%s: %s", v->lang_vi ? "hình ảnh" : "image", v->lang_vi ? cw_word(c->current_bad, 1) : c->current_bad);
    return buf;
}

static char *opt_hours(const struct cw_report_view *v, int checked, int64_t us, char *buf, size_t len)
{
    if (!checked)
        snprintf(buf, len, "-");
    else
        hours(v, us, buf, len);
    return buf;
}

static char *opt_count(int checked, int64_t n, char *buf, size_t len)
{
    if (!checked)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%lld", (long long)n);
    return buf;
}

static void rules_line(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report_rules *ru = &v->r->rules;
    fprintf(f, tr(v, M_RULES), ru->uptime_target, ru->ok_share, ru->deteriorated_share, ru->max_down_us / 86400e6);
    if (ru->trend_drop > 0) {
        char n[32];
        cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, n, sizeof n);
        fprintf(f, v->lang_vi ? "; cũng Xuống cấp khi tỷ lệ hoạt động giảm từ %s điểm trở lên so với kỳ trước hoặc "
                                "so với trung bình 3 kỳ trước đó"
                              : "; also DETERIORATED when uptime fell by %s points or more from the previous period "
                                "or from the mean of the 3 periods before",
                n);
    }
    fprintf(f, ". %s", tr(v, ru->exclude_maintenance ? M_MAINT_RULE : M_MAINT_RULE_IN));
}

static void fit_headers(const struct cw_report_view *v, const int *msgs, int *w, int n)
{
    for (int i = 0; i < n; i++) {
        int hw = cw_text_width(tr(v, (enum msg)msgs[i]));
        if (hw > w[i])
            w[i] = hw;
    }
}

static void render_text(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    char b1[32], b2[32], b3[32], b4[32], b5[32], ts[40];

    char note[1200], span[200], tnote[80];
    fprintf(f, "%s - %s %s%s%s%s\n", tr(v, M_TITLE), tr(v, M_PERIOD), v->title_period,
            cw_doc_title_note(v, tnote, sizeof tnote), v->filter[0] ? " - " : "", v->filter);
    fprintf(f, "%s.\n", cw_doc_data_span(v, span, sizeof span));
    if (cw_doc_data_note(v, note, sizeof note)[0])
        fprintf(f, "%s\n", note);
    fprintf(f, "%s: ", tr(v, M_RULES_HDR));
    rules_line(f, v);
    fprintf(f, ".\n\n%s\n", groups_heading(v));
    static const int gh[] = {M_LEVEL, M_NAME, M_CAMERAS, M_AT_TARGET, M_UPTIME, M_CHANGE, M_STATUS};
    int gw[] = {14, 28, 9, 7, 9, 14, 16};
    fit_headers(v, gh, gw, 7);
    for (int k = 0; k < 7; k++)
        col(f, tr(v, (enum msg)gh[k]), gw[k]);
    fprintf(f, "%s\n", tr(v, M_REASON));
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        char n[16], t[16], chg[48];
        if (!cw_report_view_shows(v, g))
            continue;
        snprintf(n, sizeof n, "%d", g->cameras);
        snprintf(t, sizeof t, "%d", g->at_target);
        col(f, level_label(v, g->level), gw[0]), col(f, g->level == 3 && !g->name[0] ? "*" : g->name, gw[1]);
        col(f, n, gw[2]), col(f, t, gw[3]), col(f, pct(v, g->cameras ? g->mean_uptime : -1, b1, sizeof b1), gw[4]);
        col(f, change(v, g, chg, sizeof chg), gw[5]);
        col(f, status_label(v, g->status), gw[6]), fprintf(f, "%s\n", reason(v, g));
    }
    fprintf(f, "\n");
    static const int ch[] = {M_CAMERA, M_SITE, M_UPTIME, M_MONITORED, M_OFFLINE_H, M_MAINT_H, M_OUTAGES, M_LONGEST,
                             M_MTTR, M_BAD_IMAGE, M_MOTION};
    int cw[] = {14, 16, 8, 9, 10, 9, 8, 12, 12, 11, 6};
    fit_headers(v, ch, cw, 11);
    for (int k = 0; k < 11; k++)
        col(f, tr(v, (enum msg)ch[k]), cw[k]);
    fprintf(f, "%s\n", tr(v, M_STATE));
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        char o[16];
        if (!c->has_data)
            continue;
        snprintf(o, sizeof o, "%d", c->outages);
        col(f, c->id, cw[0]), col(f, c->names.site, cw[1]), col(f, pct(v, cw_report_uptime(c), b1, sizeof b1), cw[2]);
        col(f, pct(v, cw_report_monitored(r, c), b2, sizeof b2), cw[3]);
        col(f, hours(v, cw_report_offline_total_us(c), b3, sizeof b3), cw[4]);
        col(f, hours(v, c->maint_us, b4, sizeof b4), cw[5]), col(f, o, cw[6]);
        col(f, dur(v, c->outages ? c->longest_us : -1, b4, sizeof b4), cw[7]);
        col(f, dur(v, cw_report_mttr_us(c), b5, sizeof b5), cw[8]);
        col(f, opt_hours(v, c->image_checked, c->bad_image_us, b1, sizeof b1), cw[9]);
        col(f, opt_count(c->motion_checked, c->motion_events, b2, sizeof b2), cw[10]);
        fprintf(f, "%s\n", state_label(v, c->state, c->cause));
    }
    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    fprintf(f, "\n");
    fprintf(f, tr(v, M_REPAIR), r->rules.repair_after_us / 86400e6);
    fprintf(f, "\n");
    if (n == 0)
        fprintf(f, "  (%s)\n", tr(v, M_NONE));
    for (int i = 0; i < n; i++) {
        const struct cw_report_camera *c = rl[i];
        char label[CW_CAMERA_LABEL_MAX];
        col(f, cw_names_camera_label(c->id, &c->names, label, sizeof label), 30);
        col(f, c->names.site_name, 24), col(f, c->names.commune_name, 16);
        char what[80];
        col(f, dur(v, cw_doc_repair_time(c), b1, sizeof b1), 9);
        col(f, repair_what(v, c, what, sizeof what), 28);
        fprintf(f, "%s\n", c->last_online_us ? cw_rfmt_datetime(c->last_online_us, v->lang_vi, ts, sizeof ts) : "-");
    }
    free(rl);
    fprintf(f, "\n%s: %s %s.\n", tr(v, M_DEFS_HDR), tr(v, M_DEFS), tr(v, M_NOT_RECORDED));
}

/* ---- CSV ---- */

/* A CSV writer in the report's language: English is the machine form
 * (',' between cells, '.' in numbers, ids for levels and statuses);
 * Vietnamese is what Excel in a vi-VN locale opens as columns and numbers
 * (';' between cells, ',' in numbers) with Vietnamese headers and words.
 * Both start with a UTF-8 BOM: without it Excel reads the names as
 * Windows-1252. */
struct csv {
    FILE *f;
    int vi, col;
};

static void csv_sep(struct csv *c)
{
    if (c->col++)
        fputc(c->vi ? ';' : ',', c->f);
}

static void csv_str(struct csv *c, const char *s)
{
    csv_sep(c);
    cw_csv_cell(c->f, s, c->vi ? ';' : ',');
}

/* A number with 3 decimals, or an empty cell when !ok. */
static void csv_num(struct csv *c, double x, int ok)
{
    csv_sep(c);
    if (!ok)
        return;
    char b[64];
    snprintf(b, sizeof b, "%.3f", x);
    if (c->vi)
        for (char *p = b; *p; p++)
            if (*p == '.')
                *p = ',';
    fputs(b, c->f);
}

static void csv_int(struct csv *c, long long x, int ok)
{
    csv_sep(c);
    if (ok)
        fprintf(c->f, "%lld", x);
}

static void csv_end(struct csv *c)
{
    fputc('\n', c->f);
    c->col = 0;
}

static void render_csv(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    static const char *const level_en[] = {"site", "commune", "district", "network"};
    static const char *const level_vi[] = {"Điểm", "Xã", "Huyện", "Toàn mạng"};
    static const char *const status_vi[] = {"Không có số liệu", "Bình thường", "Cần theo dõi", "Xuống cấp"};
    static const char *const head_en[] = {
        "level", "id", "name", "site", "commune", "district", "cameras", "at_target", "status", "uptime_pct",
        "monitored_pct", "watched_h", "online_h", "down_h", "unreachable_h", "auth_failed_h", "not_found_h",
        "no_video_h", "stream_error_h", "stalled_h", "unmonitored_h", "maintenance_h", "outages", "longest_outage_h",
        "mttr_h", "down_now_h", "bad_image_h", "motion_events", "state", "cause", "data_from", "data_to",
        "data_note"};
    static const char *const head_vi[] = {
        "Cấp", "Mã", "Tên", "Điểm", "Xã", "Huyện", "Số camera", "Số camera đạt", "Tình trạng",
        "Tỷ lệ hoạt động (%)", "Tỷ lệ giám sát (%)", "Giờ trong cấu hình", "Giờ hoạt động", "Giờ ngừng",
        "Giờ không kết nối được", "Giờ sai mật khẩu", "Giờ sai đường dẫn", "Giờ không có hình", "Giờ lỗi luồng",
        "Giờ luồng bị treo", "Giờ không giám sát", "Giờ bảo trì", "Số lần gián đoạn", "Lần dài nhất (giờ)",
        "TG khắc phục TB (giờ)", "Đang ngừng (giờ)", "Giờ hình kém", "Số sự kiện chuyển động", "Trạng thái",
        "Nguyên nhân", "Số liệu từ", "Số liệu đến", "Ghi chú số liệu"};
    struct csv c = {f, v->lang_vi, 0};
    /* Every row says where the period's data begins and ends, and whether
     * it is whole: a spreadsheet keeps no preamble, a filtered row keeps
     * its own columns. */
    char dfrom[48] = "", dto[48] = "", note[1200];
    if (r->data_last_us) {
        cw_rfmt_iso_local(r->data_first_us, dfrom, sizeof dfrom);
        cw_rfmt_iso_local(r->data_last_us, dto, sizeof dto);
    }
    cw_doc_data_note(v, note, sizeof note);
    fputs("\xEF\xBB\xBF", f);
    const int dist = has_districts(r); /* no "district" column where there is none */
    for (size_t k = 0; k < sizeof head_en / sizeof head_en[0]; k++)
        if (k != 5 || dist)
            csv_str(&c, (v->lang_vi ? head_vi : head_en)[k]);
    csv_end(&c);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        csv_str(&c, (v->lang_vi ? level_vi : level_en)[g->level]);
        csv_str(&c, g->id), csv_str(&c, g->name);
        for (int k = 0; k < 2 + dist; k++)
            csv_str(&c, "");
        csv_int(&c, g->cameras, 1), csv_int(&c, g->at_target, 1);
        csv_str(&c, v->lang_vi ? status_vi[g->status] : cw_report_status_name(g->status));
        csv_num(&c, g->mean_uptime, g->cameras > 0);
        for (int k = 0; k < 20; k++)
            csv_str(&c, "");
        csv_str(&c, dfrom), csv_str(&c, dto), csv_str(&c, note);
        csv_end(&c);
    }
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *cm = &r->cams[i];
        if (!cm->has_data)
            continue;
        csv_str(&c, v->lang_vi ? "Camera" : "camera");
        csv_str(&c, cm->id), csv_str(&c, cm->names.name), csv_str(&c, cm->names.site);
        csv_str(&c, cm->names.commune);
        if (dist)
            csv_str(&c, cm->names.district);
        for (int k = 0; k < 3; k++)
            csv_str(&c, "");
        csv_num(&c, cw_report_uptime(cm), cw_report_uptime(cm) >= 0);
        csv_num(&c, cw_report_monitored(r, cm), cw_report_monitored(r, cm) >= 0);
        csv_num(&c, cm->watched_us / 3600e6, 1), csv_num(&c, cm->online_us / 3600e6, 1);
        csv_num(&c, cw_report_offline_total_us(cm) / 3600e6, 1);
        for (int k = 1; k < CW_CAUSE__COUNT; k++)
            csv_num(&c, cm->offline_us[k] / 3600e6, 1);
        csv_num(&c, cm->stalled_us / 3600e6, 1), csv_num(&c, cm->unmonitored_us / 3600e6, 1);
        csv_num(&c, cm->maint_us / 3600e6, 1), csv_int(&c, cm->outages, 1);
        csv_num(&c, cm->longest_us / 3600e6, cm->outages > 0);
        csv_num(&c, cw_report_mttr_us(cm) / 3600e6, cw_report_mttr_us(cm) >= 0);
        csv_num(&c, cm->current_down_us / 3600e6, 1);
        csv_num(&c, cm->bad_image_us / 3600e6, cm->image_checked);
        csv_int(&c, cm->motion_events, cm->motion_checked);
        if (v->lang_vi) {
            csv_str(&c, state_label(v, cm->state, NULL));
            csv_str(&c, cm->cause[0] ? state_label(v, cm->cause, NULL) : "");
        } else {
            csv_str(&c, cm->state), csv_str(&c, cm->cause);
        }
        csv_str(&c, dfrom), csv_str(&c, dto), csv_str(&c, note);
        csv_end(&c);
    }
}

/* ---- JSON ---- */

static json_t *num_or_null(double v, int ok) { return ok ? json_real(v) : json_null(); }

static int render_json(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    static const char *const level_key[] = {"site", "commune", "district", "network"};
    json_t *top = json_object(), *groups = json_array(), *cams = json_array(), *days = json_array();
    char ts[40];

    json_object_set_new(top, "period", json_string(v->title_period));
    json_object_set_new(top, "from", json_string(cw_fmt_utc(r->from_us, ts, sizeof ts)));
    json_object_set_new(top, "to", json_string(cw_fmt_utc(r->to_us, ts, sizeof ts)));
    json_object_set_new(top, "data_until", json_string(cw_fmt_utc(r->data_end_us, ts, sizeof ts)));
    {
        char note[1200];
        int gaps = cw_report_data_gaps(r, v->generated_us);
        json_object_set_new(top, "data_from",
                            r->data_last_us ? json_string(cw_fmt_utc(r->data_first_us, ts, sizeof ts)) : json_null());
        json_object_set_new(top, "data_to",
                            r->data_last_us ? json_string(cw_fmt_utc(r->data_last_us, ts, sizeof ts)) : json_null());
        json_object_set_new(top, "period_over", json_boolean(!(gaps & CW_DATA_OPEN)));
        json_object_set_new(top, "data_complete", json_boolean(gaps == 0));
        json_object_set_new(top, "data_note", json_string(cw_doc_data_note(v, note, sizeof note)));
    }
    json_object_set_new(top, "rules", json_pack("{s:f, s:f, s:f, s:f, s:f}", "uptime_target_pct",
                                                r->rules.uptime_target, "ok_share_pct", r->rules.ok_share,
                                                "deteriorated_share_pct", r->rules.deteriorated_share,
                                                "max_down_days", r->rules.max_down_us / 86400e6,
                                                "repair_after_days", r->rules.repair_after_us / 86400e6));
    json_object_set_new(json_object_get(top, "rules"), "exclude_maintenance",
                        json_boolean(r->rules.exclude_maintenance));
    for (int d = 0; d < r->n_days; d++)
        json_array_append_new(days, json_string(cw_rfmt_iso_local(r->day_start_us[d], ts, sizeof ts)));
    json_object_set_new(top, "days", days);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        json_t *daily = json_array();
        for (int d = 0; d < r->n_days; d++)
            json_array_append_new(daily, num_or_null(g->day_uptime[d], g->day_uptime[d] >= 0));
        json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:s, s:s, s:o}", "level",
                                                level_key[g->level], "id", g->id, "name", g->name, "cameras",
                                                g->cameras, "at_target", g->at_target, "uptime_pct",
                                                num_or_null(g->mean_uptime, g->cameras > 0), "status",
                                                cw_report_status_name(g->status), "reason", reason(v, g),
                                                "daily_uptime_pct", daily));
    }
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        json_t *by = json_object();
        for (int k = 1; k < CW_CAUSE__COUNT; k++)
            json_object_set_new(by, cw_cause_name((enum cw_cause)k), json_real(c->offline_us[k] / 3600e6));
        json_object_set_new(by, "stalled", json_real(c->stalled_us / 3600e6));
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:o, s:i, s:o, s:o, s:f, s:s, s:s}",
                              "id", c->id, "name", c->names.name, "site", c->names.site, "commune", c->names.commune, "district",
                              c->names.district, "uptime_pct", num_or_null(cw_report_uptime(c), cw_report_uptime(c) >= 0),
                              "monitored_pct", num_or_null(cw_report_monitored(r, c), cw_report_monitored(r, c) >= 0),
                              "watched_h", c->watched_us / 3600e6, "online_h", c->online_us / 3600e6,
                              "unmonitored_h", c->unmonitored_us / 3600e6, "down_h_by_cause", by, "outages",
                              c->outages, "longest_outage_h", num_or_null(c->longest_us / 3600e6, c->outages > 0),
                              "mttr_h", num_or_null(cw_report_mttr_us(c) / 3600e6, cw_report_mttr_us(c) >= 0),
                              "down_now_h", c->current_down_us / 3600e6, "state", c->state, "cause", c->cause);
        json_object_set_new(j, "maintenance_h", json_real(c->maint_us / 3600e6));
        json_object_set_new(j, "bad_image_h", c->image_checked ? json_real(c->bad_image_us / 3600e6) : json_null());
        json_object_set_new(j, "motion_events", c->motion_checked ? json_integer(c->motion_events) : json_null());
        json_object_set_new(j, "image_now", c->current_bad[0] ? json_string(c->current_bad) : json_null());
        json_array_append_new(cams, j);
    }
    json_object_set_new(top, "groups", groups);
    json_object_set_new(top, "cameras", cams);
    json_t *repairs = json_array();
    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    for (int i = 0; i < n; i++)
        json_array_append_new(repairs, json_pack("{s:s, s:f, s:s, s:s, s:s, s:o}", "camera", rl[i]->id, "for_h",
                                                 cw_doc_repair_time(rl[i]) / 3600e6, "state", rl[i]->state, "cause",
                                                 rl[i]->cause, "image", rl[i]->current_bad, "last_online",
                                                 rl[i]->last_online_us
                                                     ? json_string(cw_fmt_utc(rl[i]->last_online_us, ts, sizeof ts))
                                                     : json_null()));
    free(rl);
    json_object_set_new(top, "repair_list", repairs);
    int rc = json_dumpf(top, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(top);
    return rc;
}

/* ---- HTML ---- */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* A point marker: circle, square, triangle, diamond (told apart in
 * black-and-white print, with the dash patterns). */
static void marker(FILE *f, int kind, double x, double y, const char *color)
{
    switch (kind % 4) {
    case 0: fprintf(f, "<circle class=\"mark\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"/>", x, y, color); break;
    case 1: fprintf(f, "<rect class=\"mark\" x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"5\" fill=\"%s\"/>", x - 2.5, y - 2.5, color); break;
    case 2:
        fprintf(f, "<path class=\"mark\" d=\"M%.1f %.1fl3 5h-6z\" fill=\"%s\"/>", x, y - 3, color);
        break;
    default:
        fprintf(f, "<path class=\"mark\" d=\"M%.1f %.1fl3 3l-3 3l-3 -3z\" fill=\"none\" stroke=\"%s\"/>", x, y - 3, color);
    }
}

static void svg_daily(FILE *f, const struct cw_report_view *v)
{
    static const char *const dashes[] = {"", "6 3", "2 2", "8 3 2 3"};
    const struct cw_report *r = v->r;
    const int W = 680, H = 220, L = 40, B = 24, T = 10;
    double dx = r->n_days > 1 ? (double)(W - L - 10) / (r->n_days - 1) : 0;
    int n = 0;
    double lo = r->rules.uptime_target;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        n++;
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0 && g->day_uptime[d] < lo)
                lo = g->day_uptime[d];
    }
    /* the axis fits the data and the target, in steps of 5 points */
    lo = floor(lo / 5) * 5;
    if (lo > 95)
        lo = 95;
    double step = 100 - lo > 40 ? 10 : 5;
    int rows = (n + 2) / 3;
    fprintf(f, "<svg id=\"daily-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H + 8 + rows * 16, W, H + 8 + rows * 16);
    esc(f, tr(v, M_CHART_DAILY));
    fputs("\">\n", f);
#define YOF(p) (T + (H - T - B) * (1 - ((p) - lo) / (100 - lo)))
    for (double p = lo; p <= 100.001; p += step)
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.0f</text>\n",
                L, W - 10, YOF(p), YOF(p), L - 4, YOF(p) + 3, p);
    char tgt[48];
    fprintf(f, "<line class=\"target\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>"
               "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" fill=\"#c00\" text-anchor=\"end\">%s %s</text>\n",
            L, W - 10, YOF(r->rules.uptime_target), YOF(r->rules.uptime_target), W - 12, YOF(r->rules.uptime_target) - 3,
            v->lang_vi ? "mục tiêu" : "target", pct(v, r->rules.uptime_target, tgt, sizeof tgt));
    for (int d = 0; d < r->n_days; d += r->n_days > 40 ? 30 : 5) {
        char ts[40];
        cw_rfmt_date(r->day_start_us[d], v->lang_vi, ts, sizeof ts); /* 26/11/2026 or 2026-11-26 */
        const char *label = ts + 5;
        if (v->lang_vi)
            ts[5] = '\0', label = ts; /* dd/mm */
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%s</text>\n", L + d * dx,
                H - B + 14, label);
    }
    int k = 0;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        const char *color = palette[k % 10];
        const char *dash = dashes[(k / 2) % 4];
        fprintf(f, "<polyline class=\"commune-line\" data-commune=\"");
        esc(f, g->id);
        fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s points=\"", color,
                dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0)
                fprintf(f, "%.1f,%.1f ", L + d * dx, YOF(g->day_uptime[d]));
        fputs("\"/>\n", f);
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0 && (r->n_days <= 40 || d % 7 == 0))
                marker(f, k, L + d * dx, YOF(g->day_uptime[d]), color);
        /* the legend: three entries per row, as many rows as communes need */
        double lx = L + (k % 3) * 210, ly = H + 4 + (k / 3) * 16;
        fprintf(f, "\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s/>",
                lx, lx + 22, ly + 5, ly + 5, color, dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
        marker(f, k, lx + 11, ly + 5, color);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", lx + 26, ly + 9);
        esc(f, g->name);
        fputs("</text>\n", f);
        k++;
    }
#undef YOF
    fputs("</svg>\n", f);
}

/* One small chart per commune over the earlier periods and this one (a
 * grid, so that any number of communes fits): the axis fitted to the data
 * and the target (dashed), a marker per period, the current one larger. */
static void svg_trends(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    const int CW = 225, CH = 120, L = 26, T = 18, B = 16;
    int n = 0;
    for (int i = 0; i < r->n_groups; i++)
        n += r->groups[i].level == 1;
    if (n == 0 || v->n_hist == 0)
        return;
    int rows = (n + 2) / 3;
    fprintf(f, "<svg id=\"trend-charts\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", 3 * CW, rows * CH, 3 * CW, rows * CH);
    /* one y-range for every commune's chart, so that they compare */
    double lo = r->rules.uptime_target;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        for (int j = 0; j < g->n_hist; j++)
            if (g->hist[j] >= 0 && g->hist[j] < lo)
                lo = g->hist[j];
        if (g->cameras && g->mean_uptime < lo)
            lo = g->mean_uptime;
    }
    lo = floor(lo / 5) * 5;
    if (lo > 95)
        lo = 95;
    int k = 0;
    char tgt[48], first[40], last[40];
    cw_rfmt_period_short(v->title_period, v->lang_vi, last, sizeof last);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        double ox = (k % 3) * CW, oy = (k / 3) * CH, val[CW_REPORT_HIST + 1];
        int m = g->n_hist + 1;
        for (int j = 0; j < g->n_hist; j++)
            val[j] = g->hist[g->n_hist - 1 - j];
        val[m - 1] = g->cameras ? g->mean_uptime : -1;
        double x0 = ox + L, x1 = ox + CW - 10, y0 = oy + T, y1 = oy + CH - B;
#define SY(p) (y1 - (y1 - y0) * (((p) - lo) / (100 - lo)))
        fprintf(f, "<g class=\"trend\" data-commune=\"");
        esc(f, g->id);
        fprintf(f, "\"><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\">", ox + 4, oy + 12);
        esc(f, g->name);
        fprintf(f, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#bbb\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"end\">%.0f</text>"
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"end\">100</text>",
                x0, y0, x1 - x0, y1 - y0, x0 - 2, y1, lo, x0 - 2, y0 + 6);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"3 2\">"
                   "<title>%s %s</title></line>",
                x0, x1, SY(r->rules.uptime_target), SY(r->rules.uptime_target), v->lang_vi ? "mục tiêu" : "target",
                pct(v, r->rules.uptime_target, tgt, sizeof tgt));
        double dx = m > 1 ? (x1 - x0 - 8) / (m - 1) : 0;
        fputs("<polyline fill=\"none\" stroke=\"#222\" points=\"", f);
        for (int j = 0; j < m; j++)
            if (val[j] >= 0)
                fprintf(f, "%.1f,%.1f ", x0 + 4 + j * dx, SY(val[j]));
        fputs("\"/>", f);
        for (int j = 0; j < m; j++)
            if (val[j] >= 0)
                fprintf(f, "<circle class=\"trend-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#222\"/>",
                        x0 + 4 + j * dx, SY(val[j]), j == m - 1 ? 3.0 : 1.8);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\">%s</text><text x=\"%.1f\" y=\"%.1f\" "
                   "font-size=\"8\" text-anchor=\"end\">%s</text></g>\n",
                x0, y1 + 10,
                cw_rfmt_period_short(v->hist_label[g->n_hist - 1 < 0 ? 0 : g->n_hist - 1], v->lang_vi, first,
                                     sizeof first),
                x1, y1 + 10, last);
#undef SY
        k++;
    }
    fputs("</svg>\n", f);
}

static void svg_cameras(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    int n = 0;
    for (int i = 0; i < r->n_cams; i++)
        n += r->cams[i].has_data;
    const int W = 680, row = 14, L = 150;
    fprintf(f, "<svg id=\"camera-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"", W, n * row + 10);
    esc(f, tr(v, M_CHART_CAMS));
    fputs("\">\n", f);
    int k = 0;
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        double up = cw_report_uptime(c);
        const char *color = up < 0 ? "#bbb" : up >= r->rules.uptime_target ? "#2ca02c" : "#d62728";
        char fit[200];
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\"><title>", L - 6, k * row + 11);
        esc(f, c->id);
        fputs("</title>", f);
        esc(f, cw_text_fit(c->names.name[0] ? c->names.name : c->id, 26, fit, sizeof fit));
        fprintf(f, "</text><rect class=\"camera-bar\" data-camera=\"");
        esc(f, c->id);
        fprintf(f, "\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%.1f</text>\n",
                L, k * row + 2, up < 0 ? 0 : (W - L - 40) * up / 100.0, row - 4, color,
                L + (up < 0 ? 0 : (W - L - 40) * up / 100.0) + 3, k * row + 11, up < 0 ? 0 : up);
        k++;
    }
    fputs("</svg>\n", f);
}

static void render_html(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    char b1[32], b2[32], b3[32], b4[32], b5[32], ts[40];
    static const char *const status_class[] = {"na", "ok", "degraded", "deteriorated"};

    char tnote[80], note[1200], span[200];
    cw_doc_title_note(v, tnote, sizeof tnote);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>", v->lang_vi ? "vi" : "en");
    esc(f, tr(v, M_TITLE));
    fprintf(f, " %s", v->title_period);
    esc(f, tnote);
    fprintf(f, "</title>\n<style>\n"
               "@page { size: A4; margin: 12mm; }\n"
               "body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #222; max-width: 190mm; margin: auto; }\n"
               "h1 { font-size: 15pt; margin-bottom: 2pt; } h2 { font-size: 12pt; margin-top: 14pt; }\n"
               "table { border-collapse: collapse; width: 100%%; margin: 4pt 0; page-break-inside: auto; }\n"
               "th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; }\n"
               "th { background: #f0f0f0; } td.n { text-align: right; }\n"
               "tr { page-break-inside: avoid; break-inside: avoid; }\n"
               "thead { display: table-header-group; } /* repeated on every printed page */\n"
               "h1, h2 { break-after: avoid; page-break-after: avoid; }\n"
               ".ok { background: #d9f2d9; } .degraded { background: #fff2cc; } .deteriorated { background: #f8d0d0; }\n"
               ".na { background: #eee; } .meta { color: #555; } .defs { font-size: 8.5pt; color: #444; }\n"
               "svg.chart { display: block; margin: 6pt 0; } small.id { color: #666; }\n"
               "p.data-note { border-left: 4px solid #c00; padding: 2pt 6pt; background: #fdecea; font-weight: bold; }\n"
               "</style></head><body>\n");
    fputs("<h1>", f);
    esc(f, tr(v, M_TITLE));
    esc(f, tnote);
    fputs("</h1>\n", f);
    if (cw_doc_data_note(v, note, sizeof note)[0]) {
        fputs("<p class=\"data-note\" id=\"data-note\">", f);
        esc(f, note);
        fputs("</p>\n", f);
    }
    fputs("<p class=\"meta\">", f);
    esc(f, tr(v, M_PERIOD));
    fprintf(f, ": <b>%s</b>", v->title_period);
    if (v->filter[0]) {
        fputs(" &middot; ", f);
        esc(f, tr(v, M_FILTER));
        fputs(": ", f);
        esc(f, v->filter);
    }
    fputs(" &middot; ", f);
    esc(f, tr(v, M_GENERATED));
    fprintf(f, " %s &middot; <span id=\"data-span\">", cw_rfmt_datetime(v->generated_us, v->lang_vi, ts, sizeof ts));
    esc(f, cw_doc_data_span(v, span, sizeof span));
    fputs("</span></p>\n<p class=\"rules\"><b>", f);
    esc(f, tr(v, M_RULES_HDR));
    fputs(":</b> ", f);
    rules_line(f, v);
    fputs(".</p>\n<h2>", f);
    esc(f, groups_heading(v));
    fputs("</h2>\n<table id=\"groups\"><thead><tr>", f);
    enum msg gh[] = {M_LEVEL, M_NAME, M_CAMERAS, M_AT_TARGET, M_UPTIME, M_CHANGE, M_MONITORED, M_STATUS, M_REASON};
    for (size_t i = 0; i < sizeof gh / sizeof gh[0]; i++)
        fputs("<th>", f), esc(f, tr(v, gh[i])), fputs("</th>", f);
    fputs("</tr></thead>\n", f);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        fprintf(f, "<tr class=\"group %s\" data-level=\"%d\"><td>", status_class[g->status], g->level);
        esc(f, level_label(v, g->level));
        fputs("</td><td>", f);
        esc(f, g->level == 3 && !g->name[0] ? tr(v, M_NETWORK) : g->name);
        char chg[48];
        fprintf(f, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                   "<td class=\"n\">%s</td><td>",
                g->cameras, g->at_target, pct(v, g->cameras ? g->mean_uptime : -1, b1, sizeof b1),
                change(v, g, chg, sizeof chg), pct(v, g->cameras ? g->mean_monitored : -1, b2, sizeof b2));
        esc(f, status_label(v, g->status));
        fputs("</td><td>", f);
        esc(f, reason(v, g));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<h2>", f);
    esc(f, tr(v, M_CHART_DAILY));
    fputs("</h2>\n", f);
    svg_daily(f, v);
    if (v->n_hist > 0) {
        fputs("<h2>", f);
        esc(f, v->lang_vi ? "Xu hướng tỷ lệ hoạt động theo xã (%), đường đứt: mục tiêu"
                          : "Uptime per commune over the periods (%), dashed: the target");
        fputs("</h2>\n", f);
        svg_trends(f, v);
    }
    fputs("<h2>", f);
    esc(f, tr(v, M_CHART_CAMS));
    fputs("</h2>\n", f);
    svg_cameras(f, v);
    fputs("<table id=\"cameras\"><thead><tr>", f);
    enum msg ch[] = {M_CAMERA, M_SITE, M_COMMUNE, M_UPTIME, M_MONITORED, M_OFFLINE_H, M_MAINT_H, M_OUTAGES,
                     M_LONGEST, M_MTTR, M_BAD_IMAGE, M_MOTION, M_STATE};
    for (size_t i = 0; i < sizeof ch / sizeof ch[0]; i++)
        fputs("<th>", f), esc(f, tr(v, ch[i])), fputs("</th>", f);
    fputs("</tr></thead>\n", f);
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        fputs("<tr class=\"camera\" data-camera=\"", f);
        esc(f, c->id);
        fputs("\"><td>", f);
        esc(f, c->names.name[0] ? c->names.name : c->id);
        fputs("<br><small class=\"id\">", f);
        esc(f, c->id);
        fputs("</small></td><td>", f);
        esc(f, c->names.site_name);
        fputs("</td><td>", f);
        esc(f, c->names.commune_name);
        char b6[32], b7[32], b8[32];
        fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%d</td>"
                   "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>",
                pct(v, cw_report_uptime(c), b1, sizeof b1), pct(v, cw_report_monitored(r, c), b2, sizeof b2),
                hours(v, cw_report_offline_total_us(c), b3, sizeof b3), hours(v, c->maint_us, b8, sizeof b8), c->outages,
                dur(v, c->outages ? c->longest_us : -1, b4, sizeof b4), dur(v, cw_report_mttr_us(c), b5, sizeof b5),
                opt_hours(v, c->image_checked, c->bad_image_us, b6, sizeof b6),
                opt_count(c->motion_checked, c->motion_events, b7, sizeof b7));
        esc(f, state_label(v, c->state, c->cause));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<h2>", f);
    fprintf(f, tr(v, M_REPAIR), r->rules.repair_after_us / 86400e6);
    fputs("</h2>\n<table id=\"repairs\"><thead><tr>", f);
    enum msg rh[] = {M_CAMERA, M_SITE, M_COMMUNE, M_DOWN_FOR, M_CAUSE, M_LAST_SEEN};
    for (size_t i = 0; i < sizeof rh / sizeof rh[0]; i++)
        fputs("<th>", f), esc(f, tr(v, rh[i])), fputs("</th>", f);
    fputs("</tr></thead>\n", f);
    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    for (int i = 0; i < n; i++) {
        fputs("<tr class=\"repair\" data-camera=\"", f);
        esc(f, rl[i]->id);
        fputs("\"><td>", f);
        esc(f, rl[i]->names.name[0] ? rl[i]->names.name : rl[i]->id);
        fputs("<br><small class=\"id\">", f);
        esc(f, rl[i]->id);
        fputs("</small></td><td>", f);
        esc(f, rl[i]->names.site_name);
        fputs("</td><td>", f);
        esc(f, rl[i]->names.commune_name);
        char what[80];
        fprintf(f, "</td><td class=\"n\">%s</td><td>", dur(v, cw_doc_repair_time(rl[i]), b1, sizeof b1));
        esc(f, repair_what(v, rl[i], what, sizeof what));
        fprintf(f, "</td><td>%s</td></tr>\n",
                rl[i]->last_online_us ? cw_rfmt_datetime(rl[i]->last_online_us, v->lang_vi, ts, sizeof ts) : "-");
    }
    if (n == 0) {
        fputs("<tr><td colspan=\"6\">", f);
        esc(f, tr(v, M_NONE));
        fputs("</td></tr>\n", f);
    }
    free(rl);
    fputs("</table>\n<p class=\"defs\"><b>", f);
    esc(f, tr(v, M_DEFS_HDR));
    fputs(":</b> ", f);
    esc(f, tr(v, M_DEFS));
    fputs(" ", f);
    esc(f, tr(v, M_NOT_RECORDED));
    fputs(".</p>\n</body></html>\n", f);
}

int cw_report_render(FILE *f, enum cw_report_format fmt, const struct cw_report_view *v)
{
    switch (fmt) {
    case CW_FMT_TEXT: render_text(f, v); return 0;
    case CW_FMT_CSV: render_csv(f, v); return 0;
    case CW_FMT_JSON: return render_json(f, v);
    case CW_FMT_HTML: render_html(f, v); return 0;
    case CW_FMT_PDF: case CW_FMT_ODT: break; /* the CLI's (cairo, libzip): cw_report_render_pdf/odt */
    }
    return -1;
}
