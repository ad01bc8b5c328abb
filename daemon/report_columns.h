/* The report's columns, once. Every table of every format (the
 * terminal's text, CSV, JSON, HTML, and the signed document's PDF and ODT)
 * takes its columns from this table: a column's key (the CSV header and
 * the JSON key), its Vietnamese CSV header, its heading for people in both
 * languages (and a shorter one where a page is narrow), its unit, and its
 * value for a camera and, where it has one, for a group of cameras. A
 * renderer lists the columns it shows and lays them out; CSV and JSON
 * show every column that is theirs. A new figure is one entry here.
 * Pure: no I/O. */
#ifndef CW_REPORT_COLUMNS_H
#define CW_REPORT_COLUMNS_H
#include <stddef.h>
#include <stdint.h>

#include "report_view.h"

enum cw_rcol {
    CW_RC_LEVEL,       /* a row's kind: site, commune, district, network, camera */
    CW_RC_ID,
    CW_RC_NAME,        /* a group's or a camera's name */
    CW_RC_CAMERA,      /* a camera for people: its name, its id under it */
    CW_RC_SITE,        /* the site's id */
    CW_RC_SITE_NAME,   /* ... its name, or the id where it has none */
    CW_RC_COMMUNE,
    CW_RC_COMMUNE_NAME,
    CW_RC_DISTRICT,    /* in CSV only where the deployment has districts */
    CW_RC_CAMERAS,     /* groups: cameras, cameras at target, status */
    CW_RC_AT_TARGET,
    CW_RC_STATUS,
    CW_RC_UPTIME,
    CW_RC_CHANGE,      /* groups: uptime against the previous period */
    CW_RC_MONITORED,
    CW_RC_WATCHED,
    CW_RC_ONLINE,
    CW_RC_DOWN,        /* offline (every cause) + stalled */
    CW_RC_DOWN_UNREACHABLE, /* ... by cause, in cw_cause order */
    CW_RC_DOWN_AUTH_FAILED,
    CW_RC_DOWN_NOT_FOUND,
    CW_RC_DOWN_NO_VIDEO,
    CW_RC_DOWN_STREAM_ERROR,
    CW_RC_STALLED,
    CW_RC_UNMONITORED,
    CW_RC_MAINT,
    CW_RC_OUTAGES,
    CW_RC_LONGEST,
    CW_RC_MTTR,
    CW_RC_DOWN_NOW,
    CW_RC_BAD_IMAGE,
    CW_RC_MOTION,
    CW_RC_STATE,       /* the stored state and cause (machine forms; Vietnamese words in a vi CSV) */
    CW_RC_CAUSE,
    CW_RC_STATE_CAUSE, /* people: "offline (stream_error)", "mất kết nối (lỗi luồng)" */
    CW_RC_AT_END,      /* people: the state in plain words ("sai mật khẩu", "hoạt động") */
    CW_RC_IMAGE_NOW,   /* the picture's condition at the end, or none */
    CW_RC_REASON,      /* groups: why the status */
    CW_RC_REPAIR_FOR,  /* how long the camera has needed repair */
    CW_RC_REPAIR_WHAT, /* what to repair: the outage's cause or the picture */
    CW_RC_LAST_SEEN,   /* last online */
    CW_RC_COMPLETE,    /* the province's report: how far the commune's data has arrived */
    CW_RC__COUNT
};

enum cw_rcol_unit {
    CW_RU_TEXT,     /* as it is (ids, names) */
    CW_RU_WORD,     /* a stored key; people read its word */
    CW_RU_PCT,
    CW_RU_HOURS,    /* hours, one decimal for people */
    CW_RU_DURATION, /* hours in CSV and JSON, "2 ngày 5 giờ" for people */
    CW_RU_COUNT,
    CW_RU_POINTS,   /* a change in percentage points: "▲ 2,1 điểm" */
    CW_RU_TIME,     /* an instant: UTC ISO 8601 in JSON, local for people */
};

/* Where a column appears by itself (a renderer's own list adds the rest). */
#define CW_RC_IN_CSV 1u
#define CW_RC_IN_JSON_GROUP 2u
#define CW_RC_IN_JSON_CAMERA 4u
#define CW_RC_DISTRICTS_ONLY 8u /* CSV: only where any camera has a district */
#define CW_RC_PROVINCE_ONLY 16u /* CSV and JSON: only in the province's report */

struct cw_report_column {
    const char *key;              /* CSV (en) header and JSON key; NULL for people's columns */
    const char *csv_vi;           /* CSV (vi) header */
    const char *head_vi, *head_en; /* a table's heading */
    const char *short_vi, *short_en; /* ... where a page is narrow (the document); NULL: the same */
    enum cw_rcol_unit unit;
    unsigned in;                  /* CW_RC_IN_* */
    const char *json_in;          /* JSON: inside this object of the camera (by cause), or NULL */
    const char *json_key;         /* ... under this key; NULL: key */
};

/* One cell's value. */
struct cw_rval {
    int known;        /* 0: none (an empty CSV cell, a JSON null, "-" for people) */
    double num;       /* PCT, HOURS, DURATION (hours), COUNT, POINTS */
    int64_t us;       /* DURATION, TIME: microseconds */
    const char *text; /* TEXT, WORD: the stored form */
    const char *sub;  /* CW_RC_CAMERA: the id under the name ("" when the name is the id) */
    char buf[200];
};

const struct cw_report_column *cw_report_column(enum cw_rcol id);
/* Whether a column is in this report at all (a district column where
 * there are districts, a province column in the province's report). */
int cw_rcol_present(const struct cw_report_view *v, enum cw_rcol id);
/* Every column's value for a camera, or for a group (0 and !known where
 * the column has none for it). Returns x->known. */
int cw_rcol_camera(const struct cw_report_view *v, enum cw_rcol id, const struct cw_report_camera *c,
                   struct cw_rval *x);
int cw_rcol_group(const struct cw_report_view *v, enum cw_rcol id, const struct cw_report_group *g,
                  struct cw_rval *x);
/* The heading in the report's language; narrow: the document's. */
const char *cw_rcol_head(const struct cw_report_view *v, enum cw_rcol id, int narrow);
/* The cell as people read it in the report's language ("93,8 %",
 * "2 ngày 5 giờ", "Xuống cấp", "-"); a camera's name alone (its id is
 * x->sub). Returns buf or a constant. */
const char *cw_rcol_show(const struct cw_report_view *v, enum cw_rcol id, const struct cw_rval *x, char *buf,
                         size_t len);
/* A stored key's word as a vi CSV gives it (levels, statuses, states,
 * causes); the key itself in English. */
const char *cw_rcol_word(const struct cw_report_view *v, enum cw_rcol id, const char *key);

#endif
