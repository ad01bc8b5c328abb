/* The report's narrative: paragraphs written from the figures, in the
 * register of the provinces' letters (Vietnamese) or plain English, for
 * the PDF and the editable document. */
#ifndef CW_TOOLS_REPORT_NARRATIVE_H
#define CW_TOOLS_REPORT_NARRATIVE_H
#include "report_view.h"

#define CW_NARRATIVE_MAX 8

struct cw_narrative {
    char *para[CW_NARRATIVE_MAX]; /* UTF-8 paragraphs, NULL-terminated */
    int n;
};

/* The period in words: "tháng 10 năm 2026", "October 2026", or the
 * dates of a --from/--to period as given. */
char *cw_report_period_words(const struct cw_report_view *v, char *buf, size_t len);
/* A cause or state in plain words ("sai mật khẩu", "wrong password"). */
const char *cw_report_cause_words(int vi, const char *state, const char *cause);

/* Writes the paragraphs for v; 0 or a negative code. */
int cw_narrative_build(const struct cw_report_view *v, struct cw_narrative *out);
void cw_narrative_free(struct cw_narrative *n);

/* The figures the narrative states, for tests and the document's tables:
 * whole-network camera count, cameras at target, mean uptime. */
const struct cw_report_group *cw_report_network(const struct cw_report *r);

/* The document's parts, as the PDF and the editable copy print them. */
#define CW_DOC_GROUP_COLS 8
#define CW_DOC_REPAIR_COLS 6
#define CW_DOC_CAMERA_COLS 8
#define CW_DOC_MAX_COLS 8
#define CW_DOC_CELL 480
const char *const *cw_doc_group_heads(int vi);
const double *cw_doc_group_widths(void); /* shares of the text width */
void cw_doc_group_cells(const struct cw_report_view *v, const struct cw_report_group *g,
                        char cells[CW_DOC_GROUP_COLS][CW_DOC_CELL]);
const char *const *cw_doc_repair_heads(int vi);
const double *cw_doc_repair_widths(void);
/* How long a camera has needed repair at the period's end: its ongoing
 * outage or bad picture, the longer. */
int64_t cw_doc_repair_time(const struct cw_report_camera *c);
/* The repair list, longest first (caller frees); *n its length. */
const struct cw_report_camera **cw_doc_repairs(const struct cw_report *r, int *n);
void cw_doc_repair_cells(const struct cw_report_view *v, const struct cw_report_camera *c,
                         char cells[CW_DOC_REPAIR_COLS][CW_DOC_CELL]);
/* The appendix: one row per camera (name first, its id under it). */
const char *const *cw_doc_camera_heads(int vi);
const double *cw_doc_camera_widths(void);
void cw_doc_camera_cells(const struct cw_report_view *v, const struct cw_report_camera *c,
                         char cells[CW_DOC_CAMERA_COLS][CW_DOC_CELL]);
/* "I. Kết quả theo xã và điểm lắp đặt" (with "huyện" only where districts
 * exist; "theo điểm lắp đặt" in a commune's own report). */
const char *cw_doc_groups_heading(const struct cw_report_view *v);
/* Whether a group is a row of section I's table (the province's report
 * keeps its sites for each commune's part). */
int cw_doc_group_in_main(const struct cw_report_view *v, const struct cw_report_group *g);
/* The province's document has a part per commune (section II): its
 * heading, each commune's ("1. Xã Hòa Bình (dữ liệu đầy đủ đến hết kỳ)",
 * or "...: chưa nhận đủ dữ liệu"), and the commune's site rows (up to
 * max, into out; how many). Communes in r->communes order. */
int cw_doc_has_commune_parts(const struct cw_report_view *v);
const char *cw_doc_commune_parts_heading(const struct cw_report_view *v);
char *cw_doc_commune_heading(const struct cw_report_view *v, int k, char *buf, size_t len);
int cw_doc_commune_sites(const struct cw_report_view *v, int k, const struct cw_report_group **out, int max);
/* "BÁO CÁO", the subject with its period, the rules paragraph. */
const char *cw_doc_title(const struct cw_report_view *v);
char *cw_doc_subject(const struct cw_report_view *v, char *buf, size_t len);
char *cw_doc_rules(const struct cw_report_view *v, char *buf, size_t len);
/* Where the period's data begins and ends: "Số liệu từ 01/11/2026 00:00
 * đến 20/11/2026 14:03" / "Data from 2026-11-01 00:00 to 2026-11-20 14:03". */
char *cw_doc_data_span(const struct cw_report_view *v, char *buf, size_t len);
/* "" when the period is over and its data whole; else what a reader must
 * know first: the period is not over, the data stops before it does, or
 * begins late (cw_report_data_gaps at generated_us). Returns buf. */
char *cw_doc_data_note(const struct cw_report_view *v, char *buf, size_t len);
/* The province's report (r->province): how many communes' data has not
 * all arrived (a period over: up to its end; one under way: to within a
 * quarter of an hour of generated_us); a commune's "dữ liệu đầy đủ đến
 * 20/11/2026 14:00" (or to the period's end, or none yet); and the
 * paragraph that says whether the report is final and names every
 * commune behind. "" for a commune's own report. */
int cw_doc_province_behind(const struct cw_report_view *v);
char *cw_doc_complete_until(const struct cw_report_view *v, const struct cw_report_commune *l, char *buf, size_t len);
char *cw_doc_province_note(const struct cw_report_view *v, char *buf, size_t len);
/* What the title carries of it: "" or " (số liệu đến 20/11/2026)"; the
 * province's: " (chưa chính thức)" until it is final. */
char *cw_doc_title_note(const struct cw_report_view *v, char *buf, size_t len);
/* The document fields a config leaves empty that a signed report needs
 * (issuer, place, signer, recipients...), comma-separated into buf as the
 * config names them; the count (0: none missing). */
int cw_doc_missing(const struct cw_report_doc *doc, char *buf, size_t len);
/* "Hòa Bình, ngày 26 tháng 11 năm 2026". */
char *cw_doc_place_date(const struct cw_report_view *v, char *buf, size_t len);
/* A "Nơi nhận" line with its list punctuation ("- Như trên;", "- Lưu: VT."). */
char *cw_doc_copy_line(const struct cw_report_doc *doc, int i, char *buf, size_t len);

#endif
