/* The report's renderers: what they share (report_render.h) and the
 * choice of one by format. Each format is a file of its own:
 * report_text.c, report_csv.c, report_json.c, report_html.c. */
#include "report_render.h"

#include "report_fmt.h"

static const char *const en[CW_RM__COUNT] = {
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

static const char *const vi[CW_RM__COUNT] = {
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

const char *cw_rr_tr(const struct cw_report_view *v, enum cw_rmsg m) { return (v->lang_vi ? vi : en)[m]; }

int cw_rr_has_districts(const struct cw_report *r)
{
    for (int i = 0; i < r->n_groups; i++)
        if (r->groups[i].level == 2)
            return 1;
    return 0;
}

const char *cw_rr_groups_heading(const struct cw_report_view *v)
{
    if (v->scope == 1 || v->scope == 2)
        return v->lang_vi ? "Điểm lắp đặt" : "Sites";
    if (cw_rr_has_districts(v->r))
        return cw_rr_tr(v, CW_RM_GROUPS);
    return v->lang_vi ? "Xã và điểm lắp đặt" : "Communes and sites";
}

void cw_rr_rules_line(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report_rules *ru = &v->r->rules;
    fprintf(f, cw_rr_tr(v, CW_RM_RULES), ru->uptime_target, ru->ok_share, ru->deteriorated_share,
            ru->max_down_us / 86400e6);
    if (ru->trend_drop > 0) {
        char n[32];
        cw_rfmt_num(ru->trend_drop, 1, v->lang_vi, n, sizeof n);
        fprintf(f, v->lang_vi ? "; cũng Xuống cấp khi tỷ lệ hoạt động giảm từ %s điểm trở lên so với kỳ trước hoặc "
                                "so với trung bình 3 kỳ trước đó"
                              : "; also DETERIORATED when uptime fell by %s points or more from the previous period "
                                "or from the mean of the 3 periods before",
                n);
    }
    fprintf(f, ". %s", cw_rr_tr(v, ru->exclude_maintenance ? CW_RM_MAINT_RULE : CW_RM_MAINT_RULE_IN));
}

int cw_report_render(FILE *f, enum cw_report_format fmt, const struct cw_report_view *v)
{
    switch (fmt) {
    case CW_FMT_TEXT: cw_render_text(f, v); return 0;
    case CW_FMT_CSV: cw_render_csv(f, v); return 0;
    case CW_FMT_JSON: return cw_render_json(f, v);
    case CW_FMT_HTML: cw_render_html(f, v); return 0;
    case CW_FMT_PDF: case CW_FMT_ODT: break; /* the CLI's (cairo, libzip): cw_report_render_pdf/odt */
    }
    return -1;
}
