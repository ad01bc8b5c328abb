/* The one table of camwatch's words (see words.h). */
#include "words.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

static const struct cw_word words[] = {
    /* states */
    {"online", CW_WORD_STATE, "hoạt động", "online", NULL, NULL},
    {"offline", CW_WORD_STATE, "mất kết nối", "offline", NULL, NULL},
    {"stalled", CW_WORD_STATE, "luồng bị treo", "stalled stream",
     "camera không gửi dữ liệu: khởi động lại camera, kiểm tra mạng",
     "the camera sends nothing: restart it, check the network"},
    {"starting", CW_WORD_STATE, "đang khởi động", "starting", NULL, NULL},
    {"unmonitored", CW_WORD_STATE, "không giám sát", "not monitored", NULL, NULL},
    {"disabled", CW_WORD_STATE, "tắt", "disabled", NULL, NULL},
    {"maintenance", CW_WORD_STATE, "đang bảo trì", "in maintenance", NULL, NULL},
    /* causes of offline */
    {"unreachable", CW_WORD_CAUSE, "không kết nối được", "cannot be reached",
     "kiểm tra nguồn điện và mạng tới camera", "check the camera's power and network"},
    {"auth_failed", CW_WORD_CAUSE, "sai mật khẩu", "wrong password",
     "kiểm tra tên đăng nhập và mật khẩu camera trong cấu hình", "check the camera's user name and password in the config"},
    {"not_found", CW_WORD_CAUSE, "sai đường dẫn luồng", "wrong stream path",
     "kiểm tra đường dẫn luồng (URL) trong cấu hình", "check the stream path (URL) in the config"},
    {"no_video", CW_WORD_CAUSE, "không có hình", "no video",
     "camera trả lời nhưng không gửi hình: kiểm tra cài đặt luồng của camera",
     "the camera answers but sends no picture: check its stream settings"},
    {"stream_error", CW_WORD_CAUSE, "lỗi luồng", "stream error",
     "luồng bị ngắt: kiểm tra mạng và khởi động lại camera", "the stream broke off: check the network, restart the camera"},
    /* image conditions (imagehealth) */
    {"black", CW_WORD_CONDITION, "tối đen", "black",
     "kiểm tra đèn hồng ngoại và ống kính (bị che, hỏng cảm biến)", "check the IR lights and the lens (covered, failed sensor)"},
    {"frozen", CW_WORD_CONDITION, "đứng hình", "frozen",
     "hình không đổi: khởi động lại camera", "the picture does not change: restart the camera"},
    {"covered", CW_WORD_CONDITION, "bị che", "covered",
     "có vật che ống kính: kiểm tra tại chỗ", "something covers the lens: check on site"},
    {"blurred", CW_WORD_CONDITION, "bị mờ", "blurred",
     "lau ống kính, chỉnh lại tiêu cự", "clean the lens, refocus"},
    /* alert kinds */
    {"camera_offline", CW_WORD_ALERT, "camera mất kết nối", "camera offline", NULL, NULL},
    {"camera_recovered", CW_WORD_ALERT, "camera hoạt động trở lại", "camera back online", NULL, NULL},
    {"camera_flapping", CW_WORD_ALERT, "camera chập chờn", "camera flapping", NULL, NULL},
    {"camera_escalated", CW_WORD_ALERT, "chưa ai xử lý", "nobody has taken it on", NULL, NULL},
    {"site_down", CW_WORD_ALERT, "điểm mất kết nối", "site down", NULL, NULL},
    {"site_recovered", CW_WORD_ALERT, "điểm hoạt động trở lại", "site back", NULL, NULL},
    {"commune_down", CW_WORD_ALERT, "xã mất kết nối", "commune down", NULL, NULL},
    {"commune_recovered", CW_WORD_ALERT, "xã hoạt động trở lại", "commune back", NULL, NULL},
    {"image_bad", CW_WORD_ALERT, "hình ảnh kém", "bad picture", NULL, NULL},
    {"image_ok", CW_WORD_ALERT, "hình ảnh bình thường trở lại", "picture fine again", NULL, NULL},
    {"image_flapping", CW_WORD_ALERT, "hình ảnh chập chờn", "picture flapping", NULL, NULL},
    {"maintenance_over", CW_WORD_ALERT, "hết bảo trì", "maintenance over", NULL, NULL},
    {"network_deteriorated", CW_WORD_ALERT, "xuống cấp", "deteriorated", NULL, NULL},
    {"network_improved", CW_WORD_ALERT, "hết xuống cấp", "no longer deteriorated", NULL, NULL},
    {"quiet_digest", CW_WORD_ALERT, "tóm tắt giờ yên lặng", "quiet hours digest", NULL, NULL},
    {"monthly_digest", CW_WORD_ALERT, "tổng hợp tháng", "monthly digest", NULL, NULL},
    /* an alert's delivery to one target */
    {"pending", CW_WORD_DELIVERY, "chờ gửi", "pending", NULL, NULL},
    {"delivered", CW_WORD_DELIVERY, "đã gửi", "delivered", NULL, NULL},
    {"failed", CW_WORD_DELIVERY, "gửi thất bại", "failed", NULL, NULL},
    {"held", CW_WORD_DELIVERY, "giữ lại (giờ yên lặng)", "held (quiet hours)", NULL, NULL},
    {"digested", CW_WORD_DELIVERY, "đã gộp vào bản tóm tắt", "told in the digest", NULL, NULL},
    /* the console's audit list */
    {"login", CW_WORD_AUDIT, "đăng nhập", "logged in", NULL, NULL},
    {"login_failed", CW_WORD_AUDIT, "đăng nhập sai", "login failed", NULL, NULL},
    {"login_refused", CW_WORD_AUDIT, "từ chối đăng nhập (thử sai quá nhiều)", "login refused (too many attempts)",
     NULL, NULL},
    {"logout", CW_WORD_AUDIT, "đăng xuất", "logged out", NULL, NULL},
    {"ack", CW_WORD_AUDIT, "nhận xử lý", "took it on", NULL, NULL},
    {"maintenance_add", CW_WORD_AUDIT, "khai báo bảo trì", "declared maintenance", NULL, NULL},
    {"maintenance_end", CW_WORD_AUDIT, "kết thúc bảo trì", "ended maintenance", NULL, NULL},
    {"view_snapshot", CW_WORD_AUDIT, "xem ảnh chụp", "viewed a snapshot", NULL, NULL},
    {"view_thumbnail", CW_WORD_AUDIT, "xem ảnh thu nhỏ", "viewed a thumbnail", NULL, NULL},
    {"retention", CW_WORD_AUDIT, "xoá dữ liệu hết hạn lưu", "deleted by retention", NULL, NULL},
    {"privacy_export", CW_WORD_AUDIT, "trích xuất dữ liệu cá nhân", "exported personal data", NULL, NULL},
    {"privacy_erase", CW_WORD_AUDIT, "xoá ảnh theo yêu cầu", "erased pictures on request", NULL, NULL},
    {"password_changed", CW_WORD_AUDIT, "đổi mật khẩu", "changed the password", NULL, NULL},
    /* what a maintenance window covers */
    {"camera", CW_WORD_SCOPE, "camera", "camera", NULL, NULL},
    {"site", CW_WORD_SCOPE, "điểm", "site", NULL, NULL},
    {"commune", CW_WORD_SCOPE, "xã", "commune", NULL, NULL},
    {"district", CW_WORD_SCOPE, "huyện", "district", NULL, NULL},
    /* detection events */
    {"motion", CW_WORD_EVENT, "chuyển động", "motion", NULL, NULL},
};
#define N_WORDS (int)(sizeof words / sizeof words[0])

static const struct cw_alert_kind kinds[] = {
    {"camera_offline", "critical", "CamwatchCameraOffline", 1, NULL, "offline"},
    {"camera_recovered", "info", "CamwatchCameraOffline", 0, "camera_offline", "offline"},
    {"camera_flapping", "warning", "CamwatchCameraFlapping", 0, NULL, NULL},
    {"camera_escalated", "critical", "CamwatchCameraEscalated", 0, NULL, NULL},
    {"image_bad", "warning", "CamwatchImageBad", 1, NULL, "image"},
    {"image_ok", "info", "CamwatchImageBad", 0, "image_bad", "image"},
    {"image_flapping", "warning", "CamwatchImageFlapping", 0, NULL, NULL},
    {"motion", "info", "CamwatchMotion", 0, NULL, NULL},
    {"site_down", "critical", "CamwatchSiteDown", 1, NULL, "place"},
    {"site_recovered", "info", "CamwatchSiteDown", 0, "site_down", "place"},
    {"commune_down", "critical", "CamwatchCommuneDown", 1, NULL, "place"},
    {"commune_recovered", "info", "CamwatchCommuneDown", 0, "commune_down", "place"},
    {"network_deteriorated", "warning", "CamwatchNetworkDeteriorated", 0, NULL, NULL},
    {"network_improved", "info", "CamwatchNetworkDeteriorated", 0, NULL, NULL},
    {"quiet_digest", "info", "CamwatchDigest", 0, NULL, NULL},
    {"monthly_digest", "info", "CamwatchDigest", 0, NULL, NULL},
};
#define N_KINDS (int)(sizeof kinds / sizeof kinds[0])

const struct cw_alert_kind *cw_alert_kind(const char *key)
{
    for (int i = 0; key && i < N_KINDS; i++)
        if (strcmp(kinds[i].key, key) == 0)
            return &kinds[i];
    return NULL;
}

const char *cw_alert_severity(const struct cw_alerts_config *ac, const char *kind)
{
    for (int i = 0; ac && i < ac->n_severities; i++)
        if (!strcmp(ac->severities[i].kind, kind))
            return ac->severities[i].severity;
    const struct cw_alert_kind *k = cw_alert_kind(kind);
    return k ? k->severity : "info";
}

const struct cw_alert_kind *cw_alert_kinds(int *n)
{
    *n = N_KINDS;
    return kinds;
}

const struct cw_word *cw_word_find(const char *key)
{
    for (int i = 0; key && i < N_WORDS; i++)
        if (strcmp(words[i].key, key) == 0)
            return &words[i];
    return NULL;
}

const struct cw_word *cw_word_find_kind(const char *key, enum cw_word_kind kind)
{
    for (int i = 0; key && i < N_WORDS; i++)
        if (words[i].kind == kind && strcmp(words[i].key, key) == 0)
            return &words[i];
    return NULL;
}

const char *cw_word(const char *key, int vi)
{
    const struct cw_word *w = cw_word_find(key);
    return w ? (vi ? w->vi : w->en) : key ? key : "";
}

const char *cw_word_kind(const char *key, enum cw_word_kind kind, int vi)
{
    const struct cw_word *w = cw_word_find_kind(key, kind);
    return w ? (vi ? w->vi : w->en) : key ? key : "";
}

const char *cw_word_fix(const char *key, int vi)
{
    const struct cw_word *w = cw_word_find(key);
    const char *f = w ? (vi ? w->fix_vi : w->fix_en) : NULL;
    return f ? f : "";
}

const struct cw_word *cw_words_all(int *n)
{
    *n = N_WORDS;
    return words;
}

const char *cw_word_state(const char *state, const char *cause, int vi)
{
    if (state && !strcmp(state, "offline") && cause && cause[0])
        return cw_word(cause, vi);
    return cw_word(state, vi);
}

/* In CW_HEALTH_* bit order (camwatch_plugin.h): the plugin ABI numbers
 * them, the database and the API name them. */
static const char *const conditions[CW_N_CONDITIONS] = {"black", "frozen", "covered", "blurred"};

const char *cw_condition_key(int i) { return i >= 0 && i < CW_N_CONDITIONS ? conditions[i] : ""; }

int cw_condition_index(const char *key)
{
    for (int i = 0; key && i < CW_N_CONDITIONS; i++)
        if (strcmp(conditions[i], key) == 0)
            return i;
    return -1;
}

char *cw_condition_list(unsigned flags, char *buf, unsigned long len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < CW_N_CONDITIONS; i++)
        if ((flags & (1u << i)) && o < len)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "", conditions[i]);
    return buf;
}
