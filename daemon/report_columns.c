/* The report's columns (see report_columns.h). */
#include "report_columns.h"

#include <stdio.h>
#include <string.h>

#include "report_fmt.h"
#include "report_narrative.h"
#include "report_render.h"
#include "words.h"

#define CSV CW_RC_IN_CSV
#define JG CW_RC_IN_JSON_GROUP
#define JC CW_RC_IN_JSON_CAMERA

/* In enum cw_rcol order. */
static const struct cw_report_column cols[CW_RC__COUNT] = {
    [CW_RC_LEVEL] = {"level", "Cấp", "Cấp", "Level", NULL, NULL, CW_RU_WORD, CSV | JG, NULL, NULL},
    [CW_RC_ID] = {"id", "Mã", "Camera", "Camera", NULL, NULL, CW_RU_TEXT, CSV | JG | JC, NULL, NULL},
    [CW_RC_NAME] = {"name", "Tên", "Tên", "Name", NULL, NULL, CW_RU_TEXT, CSV | JG | JC, NULL, NULL},
    [CW_RC_CAMERA] = {NULL, NULL, "Camera", "Camera", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_SITE] = {"site", "Điểm", "Điểm", "Site", NULL, NULL, CW_RU_TEXT, CSV | JC, NULL, NULL},
    [CW_RC_SITE_NAME] = {NULL, NULL, "Điểm", "Site", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_COMMUNE] = {"commune", "Xã", "Xã", "Commune", NULL, NULL, CW_RU_TEXT, CSV | JC, NULL, NULL},
    [CW_RC_COMMUNE_NAME] = {NULL, NULL, "Xã", "Commune", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_DISTRICT] = {"district", "Huyện", "Huyện", "District", NULL, NULL, CW_RU_TEXT,
                        CSV | JC | CW_RC_DISTRICTS_ONLY, NULL, NULL},
    [CW_RC_CAMERAS] = {"cameras", "Số camera", "Số camera", "Cameras", NULL, NULL, CW_RU_COUNT, CSV | JG, NULL, NULL},
    [CW_RC_AT_TARGET] = {"at_target", "Số camera đạt", "Đạt", "At target", NULL, NULL, CW_RU_COUNT, CSV | JG, NULL,
                         NULL},
    [CW_RC_STATUS] = {"status", "Tình trạng", "Tình trạng", "Status", NULL, NULL, CW_RU_WORD, CSV | JG, NULL, NULL},
    [CW_RC_UPTIME] = {"uptime_pct", "Tỷ lệ hoạt động (%)", "Tỷ lệ hoạt động", "Uptime", NULL, NULL, CW_RU_PCT,
                      CSV | JG | JC, NULL, NULL},
    [CW_RC_CHANGE] = {NULL, NULL, "So với kỳ trước", "vs previous", "So với kỳ trước (điểm)", "vs previous (points)",
                     CW_RU_POINTS, 0, NULL, NULL},
    [CW_RC_MONITORED] = {"monitored_pct", "Tỷ lệ giám sát (%)", "Tỷ lệ giám sát", "Monitored", "Giám sát", NULL,
                         CW_RU_PCT, CSV | JC, NULL, NULL},
    [CW_RC_WATCHED] = {"watched_h", "Giờ trong cấu hình", "Giờ trong cấu hình", "Hours configured", NULL, NULL,
                       CW_RU_HOURS, CSV | JC, NULL, NULL},
    [CW_RC_ONLINE] = {"online_h", "Giờ hoạt động", "Giờ hoạt động", "Hours online", NULL, NULL, CW_RU_HOURS, CSV | JC,
                      NULL, NULL},
    [CW_RC_DOWN] = {"down_h", "Giờ ngừng", "Giờ ngừng", "Hours down", NULL, NULL, CW_RU_HOURS, CSV, NULL, NULL},
    [CW_RC_DOWN_UNREACHABLE] = {"unreachable_h", "Giờ không kết nối được", "Giờ không kết nối được", "Hours unreachable",
                                NULL, NULL, CW_RU_HOURS, CSV | JC, "down_h_by_cause", "unreachable"},
    [CW_RC_DOWN_AUTH_FAILED] = {"auth_failed_h", "Giờ sai mật khẩu", "Giờ sai mật khẩu", "Hours wrong password", NULL,
                                NULL, CW_RU_HOURS, CSV | JC, "down_h_by_cause", "auth_failed"},
    [CW_RC_DOWN_NOT_FOUND] = {"not_found_h", "Giờ sai đường dẫn luồng", "Giờ sai đường dẫn luồng",
                              "Hours wrong stream path", NULL, NULL, CW_RU_HOURS, CSV | JC, "down_h_by_cause",
                              "not_found"},
    [CW_RC_DOWN_NO_VIDEO] = {"no_video_h", "Giờ không có hình", "Giờ không có hình", "Hours no video", NULL, NULL,
                             CW_RU_HOURS, CSV | JC, "down_h_by_cause", "no_video"},
    [CW_RC_DOWN_STREAM_ERROR] = {"stream_error_h", "Giờ lỗi luồng", "Giờ lỗi luồng", "Hours stream error", NULL, NULL,
                                 CW_RU_HOURS, CSV | JC, "down_h_by_cause", "stream_error"},
    [CW_RC_STALLED] = {"stalled_h", "Giờ luồng bị treo", "Giờ luồng bị treo", "Hours stalled", NULL, NULL, CW_RU_HOURS,
                       CSV | JC, "down_h_by_cause", "stalled"},
    [CW_RC_UNMONITORED] = {"unmonitored_h", "Giờ không giám sát", "Giờ không giám sát", "Hours not monitored", NULL,
                           NULL, CW_RU_HOURS, CSV | JC, NULL, NULL},
    [CW_RC_MAINT] = {"maintenance_h", "Giờ bảo trì", "Giờ bảo trì", "Maint. h", NULL, NULL, CW_RU_HOURS, CSV | JC, NULL,
                     NULL},
    [CW_RC_OUTAGES] = {"outages", "Số lần gián đoạn", "Số lần gián đoạn", "Outages", NULL, NULL, CW_RU_COUNT, CSV | JC,
                       NULL, NULL},
    [CW_RC_LONGEST] = {"longest_outage_h", "Lần dài nhất (giờ)", "Lần dài nhất", "Longest", NULL, NULL, CW_RU_DURATION,
                       CSV | JC, NULL, NULL},
    [CW_RC_MTTR] = {"mttr_h", "TG khắc phục TB (giờ)", "TG khắc phục TB", "MTTR", NULL, NULL, CW_RU_DURATION, CSV | JC,
                    NULL, NULL},
    [CW_RC_DOWN_NOW] = {"down_now_h", "Đang ngừng (giờ)", "Đang ngừng", "Down now", NULL, NULL, CW_RU_DURATION,
                        CSV | JC, NULL, NULL},
    [CW_RC_BAD_IMAGE] = {"bad_image_h", "Giờ hình kém", "Giờ hình kém", "Bad image h", NULL, NULL, CW_RU_HOURS,
                         CSV | JC, NULL, NULL},
    [CW_RC_MOTION] = {"motion_events", "Số sự kiện chuyển động", "Chuyển động", "Motion", NULL, NULL, CW_RU_COUNT,
                      CSV | JC, NULL, NULL},
    [CW_RC_STATE] = {"state", "Trạng thái", "Trạng thái", "State", NULL, NULL, CW_RU_WORD, CSV | JC, NULL, NULL},
    [CW_RC_CAUSE] = {"cause", "Nguyên nhân", "Nguyên nhân", "Cause", NULL, NULL, CW_RU_WORD, CSV | JC, NULL, NULL},
    [CW_RC_STATE_CAUSE] = {NULL, NULL, "Trạng thái", "State", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_AT_END] = {NULL, NULL, "Cuối kỳ", "At the end", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_IMAGE_NOW] = {"image_now", NULL, "Hình ảnh cuối kỳ", "Picture at the end", NULL, NULL, CW_RU_WORD, JC, NULL,
                         NULL},
    [CW_RC_REASON] = {"reason", NULL, "Lý do", "Why", NULL, NULL, CW_RU_TEXT, JG, NULL, NULL},
    [CW_RC_REPAIR_FOR] = {NULL, NULL, "Ngừng trong", "Down for", NULL, NULL, CW_RU_DURATION, 0, NULL, NULL},
    [CW_RC_REPAIR_WHAT] = {NULL, NULL, "Nguyên nhân", "Cause", NULL, NULL, CW_RU_TEXT, 0, NULL, NULL},
    [CW_RC_LAST_SEEN] = {NULL, NULL, "Hoạt động lần cuối", "Last seen", NULL, NULL, CW_RU_TIME, 0, NULL, NULL},
    [CW_RC_COMPLETE] = {"complete_until", "Dữ liệu đầy đủ đến", "Dữ liệu đầy đủ đến", "Data complete up to",
                        "Dữ liệu đến", "Data up to", CW_RU_TIME, CSV | JG | JC | CW_RC_PROVINCE_ONLY, NULL, NULL},
};

const struct cw_report_column *cw_report_column(enum cw_rcol id) { return &cols[id]; }

int cw_rcol_present(const struct cw_report_view *v, enum cw_rcol id)
{
    if ((cols[id].in & CW_RC_PROVINCE_ONLY) && !v->r->province)
        return 0;
    return !(cols[id].in & CW_RC_DISTRICTS_ONLY) || cw_rr_has_districts(v->r);
}

/* The province's report: how far a commune's data has arrived (0: not
 * known, or not the province's report). */
static int64_t complete_until(const struct cw_report *r, const char *commune)
{
    for (int i = 0; i < r->n_communes; i++)
        if (strcmp(r->communes[i].id, commune) == 0)
            return r->communes[i].complete_until_us;
    return 0;
}

/* ---- words ---- */

/* "province": the network row of the province's report (read from its
 * PostgreSQL), which Decree 30 documents call "Toàn tỉnh" */
static const char *const level_keys[] = {"site", "commune", "district", "network", "camera", "province"};
static const char *const level_vi[] = {"Điểm", "Xã", "Huyện", "Toàn mạng", "Camera", "Toàn tỉnh"};
static const char *const level_en[] = {"Site", "Commune", "District", "Whole network", "Camera", "Whole province"};
static const char *const status_keys[] = {"N/A", "OK", "DEGRADED", "DETERIORATED"};
static const char *const status_vi[] = {"Không có số liệu", "Bình thường", "Cần theo dõi", "Xuống cấp"};

static int index_of(const char *const *keys, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(keys[i], key))
            return i;
    return -1;
}

/* A key's word for people in vi or en. */
static const char *people_word(enum cw_rcol id, const char *key, int vi)
{
    int i;
    switch (id) {
    case CW_RC_LEVEL:
        i = index_of(level_keys, 6, key);
        return i < 0 ? key : (vi ? level_vi : level_en)[i];
    case CW_RC_STATUS:
        i = index_of(status_keys, 4, key);
        return i < 0 || !vi ? key : status_vi[i]; /* English: the stored word, capitals */
    default:
        return key[0] ? cw_word(key, vi) : "";
    }
}

const char *cw_rcol_word(const struct cw_report_view *v, enum cw_rcol id, const char *key)
{
    if (!v->lang_vi)
        return key;
    return people_word(id, key, 1);
}

/* Why a group has its status, in the report's language. */
static const char *reason(const struct cw_report_view *v, const struct cw_report_group *g, char *buf, size_t len)
{
    const struct cw_report_rules *ru = &v->r->rules;
    double share = g->cameras ? 100.0 * g->at_target / g->cameras : 0;
    char a[48], b[48];
    if (g->status == CW_STATUS_NA)
        snprintf(buf, len, "%s", v->lang_vi ? "không có camera được giám sát" : "no monitored camera");
    else if (g->trend == CW_TREND_PREV)
        snprintf(buf, len,
                 v->lang_vi ? "tỷ lệ hoạt động giảm %s điểm so với kỳ trước (ngưỡng %s)"
                            : "uptime fell %s points from the previous period (limit %s)",
                 cw_rfmt_num(g->trend_drop, 1, v->lang_vi, a, sizeof a),
                 cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, b, sizeof b));
    else if (g->trend == CW_TREND_MEAN3)
        snprintf(buf, len,
                 v->lang_vi ? "tỷ lệ hoạt động giảm %s điểm so với trung bình 3 kỳ trước (ngưỡng %s)"
                            : "uptime fell %s points from the mean of the 3 periods before (limit %s)",
                 cw_rfmt_num(g->trend_drop, 1, v->lang_vi, a, sizeof a),
                 cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, b, sizeof b));
    else if (g->worst_down_us >= ru->max_down_us)
        snprintf(buf, len,
                 v->lang_vi ? "camera %s ngừng hoạt động %s trong một lần gián đoạn (giới hạn %s)"
                            : "camera %s was down %s in one outage (limit %s)",
                 g->worst_camera, cw_rfmt_duration(g->worst_down_us, v->lang_vi, a, sizeof a),
                 cw_rfmt_duration(ru->max_down_us, v->lang_vi, b, sizeof b));
    else
        snprintf(buf, len,
                 v->lang_vi ? "%d/%d camera (%s) đạt tỷ lệ hoạt động %s" : "%d of %d cameras (%s) reach %s uptime",
                 g->at_target, g->cameras, cw_rfmt_pct(share, v->lang_vi, a, sizeof a),
                 cw_rfmt_pct(ru->uptime_target, v->lang_vi, b, sizeof b));
    return buf;
}

/* ---- values ---- */

static void num(struct cw_rval *x, int known, double v)
{
    x->known = known;
    x->num = v;
}

static void hours(struct cw_rval *x, int known, int64_t us)
{
    x->known = known;
    x->us = us;
    x->num = us / 3600e6;
}

static void text(struct cw_rval *x, const char *s)
{
    x->known = 1;
    x->text = s;
}

int cw_rcol_camera(const struct cw_report_view *v, enum cw_rcol id, const struct cw_report_camera *c,
                   struct cw_rval *x)
{
    const int vi = v->lang_vi;
    memset(x, 0, sizeof *x);
    x->text = "";
    switch (id) {
    case CW_RC_LEVEL: text(x, "camera"); break;
    case CW_RC_ID: text(x, c->id); break;
    case CW_RC_NAME: text(x, c->names.name); break;
    case CW_RC_CAMERA: /* the commune's name for it, its id under (never the id alone, hyphen-broken) */
        text(x, c->names.name[0] ? c->names.name : c->id);
        x->sub = c->names.name[0] && strcmp(c->names.name, c->id) != 0 ? c->id : "";
        break;
    case CW_RC_SITE: text(x, c->names.site); break;
    case CW_RC_SITE_NAME: text(x, c->names.site_name[0] ? c->names.site_name : c->names.site); break;
    case CW_RC_COMMUNE: text(x, c->names.commune); break;
    case CW_RC_COMMUNE_NAME: text(x, c->names.commune_name[0] ? c->names.commune_name : c->names.commune); break;
    case CW_RC_DISTRICT: text(x, c->names.district); break;
    case CW_RC_UPTIME: num(x, cw_report_uptime(c) >= 0, cw_report_uptime(c)); break;
    case CW_RC_MONITORED: num(x, cw_report_monitored(v->r, c) >= 0, cw_report_monitored(v->r, c)); break;
    case CW_RC_WATCHED: hours(x, 1, c->watched_us); break;
    case CW_RC_ONLINE: hours(x, 1, c->online_us); break;
    case CW_RC_DOWN: hours(x, 1, cw_report_offline_total_us(c)); break;
    case CW_RC_DOWN_UNREACHABLE:
    case CW_RC_DOWN_AUTH_FAILED:
    case CW_RC_DOWN_NOT_FOUND:
    case CW_RC_DOWN_NO_VIDEO:
    case CW_RC_DOWN_STREAM_ERROR: hours(x, 1, c->offline_us[1 + id - CW_RC_DOWN_UNREACHABLE]); break;
    case CW_RC_STALLED: hours(x, 1, c->stalled_us); break;
    case CW_RC_UNMONITORED: hours(x, 1, c->unmonitored_us); break;
    case CW_RC_MAINT: hours(x, 1, c->maint_us); break;
    case CW_RC_OUTAGES: num(x, 1, c->outages); break;
    case CW_RC_LONGEST: hours(x, c->outages > 0, c->longest_us); break;
    case CW_RC_MTTR: hours(x, cw_report_mttr_us(c) >= 0, cw_report_mttr_us(c)); break;
    case CW_RC_DOWN_NOW: hours(x, 1, c->current_down_us); break;
    case CW_RC_BAD_IMAGE: hours(x, c->image_checked, c->bad_image_us); break;
    case CW_RC_MOTION: num(x, c->motion_checked, (double)c->motion_events); break;
    case CW_RC_STATE: text(x, c->state); break;
    case CW_RC_CAUSE: text(x, c->cause); break;
    case CW_RC_STATE_CAUSE: {
        /* "mất kết nối (lỗi luồng)"; English keeps the stored words */
        const char *s = vi ? cw_word(c->state, 1) : c->state;
        if (c->cause[0])
            snprintf(x->buf, sizeof x->buf, "%s (%s)", s, vi ? cw_word(c->cause, 1) : c->cause);
        else
            snprintf(x->buf, sizeof x->buf, "%s", s);
        text(x, x->buf);
        break;
    }
    case CW_RC_AT_END: text(x, cw_report_cause_words(vi, c->state, c->cause)); break;
    case CW_RC_IMAGE_NOW:
        x->text = c->current_bad;
        x->known = c->current_bad[0] != 0;
        break;
    case CW_RC_REPAIR_FOR: hours(x, 1, cw_doc_repair_time(c)); break;
    case CW_RC_REPAIR_WHAT: /* what the technician must fix: the outage, or the picture */
        if (c->current_down_us >= c->current_bad_us)
            text(x, cw_report_cause_words(vi, c->state, c->cause));
        else {
            snprintf(x->buf, sizeof x->buf, "%s: %s", vi ? "hình ảnh" : "picture", cw_word(c->current_bad, vi));
            text(x, x->buf);
        }
        break;
    case CW_RC_LAST_SEEN:
        x->known = c->last_online_us != 0;
        x->us = c->last_online_us;
        break;
    case CW_RC_COMPLETE:
        x->us = complete_until(v->r, c->names.commune);
        x->known = x->us != 0;
        break;
    default: /* a group's column */
        break;
    }
    return x->known;
}

int cw_rcol_group(const struct cw_report_view *v, enum cw_rcol id, const struct cw_report_group *g,
                  struct cw_rval *x)
{
    memset(x, 0, sizeof *x);
    x->text = "";
    switch (id) {
    case CW_RC_LEVEL: text(x, g->level == 3 && v->r->province ? "province" : level_keys[g->level]); break;
    case CW_RC_ID: text(x, g->id); break;
    case CW_RC_NAME: text(x, g->name); break;
    case CW_RC_CAMERAS: num(x, 1, g->cameras); break;
    case CW_RC_AT_TARGET: num(x, 1, g->at_target); break;
    case CW_RC_STATUS: text(x, cw_report_status_name(g->status)); break;
    case CW_RC_UPTIME: num(x, g->cameras > 0, g->mean_uptime); break;
    case CW_RC_CHANGE: {
        int known;
        double d = cw_report_group_change(g, &known);
        num(x, known, d);
        break;
    }
    case CW_RC_MONITORED: num(x, g->cameras > 0, g->mean_monitored); break;
    case CW_RC_REASON: text(x, reason(v, g, x->buf, sizeof x->buf)); break;
    case CW_RC_COMPLETE: /* a site's is its commune's; the province's, its earliest commune's */
        x->us = g->level == 0 ? complete_until(v->r, g->parent) : g->complete_until_us;
        x->known = v->r->province && x->us != 0;
        break;
    default: /* a camera's column */
        break;
    }
    return x->known;
}

const char *cw_rcol_head(const struct cw_report_view *v, enum cw_rcol id, int narrow)
{
    const struct cw_report_column *c = &cols[id];
    if (narrow && (v->lang_vi ? c->short_vi : c->short_en))
        return v->lang_vi ? c->short_vi : c->short_en;
    return v->lang_vi ? c->head_vi : c->head_en;
}

const char *cw_rcol_show(const struct cw_report_view *v, enum cw_rcol id, const struct cw_rval *x, char *buf,
                         size_t len)
{
    const int vi = v->lang_vi;
    if (!x->known)
        return "-";
    switch (cols[id].unit) {
    case CW_RU_TEXT: return x->text[0] ? x->text : "-";
    case CW_RU_WORD: return x->text[0] ? people_word(id, x->text, vi) : "-";
    case CW_RU_PCT: return cw_rfmt_pct(x->num, vi, buf, len);
    case CW_RU_HOURS: return cw_rfmt_num(x->num, 1, vi, buf, len);
    case CW_RU_DURATION: return cw_rfmt_duration(x->us, vi, buf, len);
    case CW_RU_COUNT: snprintf(buf, len, "%lld", (long long)x->num); return buf;
    case CW_RU_POINTS: return cw_rfmt_points(x->num, vi, buf, len);
    case CW_RU_TIME: return cw_rfmt_datetime(x->us, vi, buf, len);
    }
    return "-";
}
