/* Numbers, times and text as a report's reader expects them, in
 * Vietnamese (decimal comma, "93,8 %", "2 ngày 5 giờ", "ngày 05 tháng 01
 * năm 2026") or English, for reports and messages people read. Each
 * returns buf. Pure: no locale is read or changed. */
#ifndef CW_REPORT_FMT_H
#define CW_REPORT_FMT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 1234.5 -> "1.234,5" (vi) or "1,234.5" (en); decimals 0..3. */
char *cw_rfmt_num(double v, int decimals, int vi, char *buf, size_t len);
/* 93.84 -> "93,8 %" (vi: a no-break space before %, as Vietnamese
 * typesetting wants) or "93.8%"; v < 0 (nothing measured) -> "-". */
char *cw_rfmt_pct(double v, int vi, char *buf, size_t len);
/* A change in points: "▲ 2,1 điểm", "▼ 3,4 điểm", "= 0,0 điểm" (vi), "▲ 2.1 pts"
 * (en); changes under 0.05 read as none. */
char *cw_rfmt_points(double delta, int vi, char *buf, size_t len);
/* Whole units, the two largest: "2 ngày 5 giờ", "5 giờ 12 phút",
 * "12 phút", "45 giây" (vi); "2 d 5 h", "5 h 12 min", "12 min", "45 s". */
char *cw_rfmt_duration(int64_t us, int vi, char *buf, size_t len);
/* A date in words in the process's TZ: "ngày 05 tháng 01 năm 2026" (Decree
 * 30/2020: a 0 before days under 10 and months 1 and 2) or "5 January 2026". */
char *cw_rfmt_date_words(int64_t us, int vi, char *buf, size_t len);
/* dd/mm/yyyy (vi) or yyyy-mm-dd (en), and the time "dd/mm/yyyy HH:MM". */
char *cw_rfmt_date(int64_t us, int vi, char *buf, size_t len);
char *cw_rfmt_datetime(int64_t us, int vi, char *buf, size_t len);
/* ISO 8601 in the process's TZ with its offset: "2026-09-01T00:00:00+07:00". */
char *cw_rfmt_iso_local(int64_t us, char *buf, size_t len);
/* "tháng 10 năm 2026" / "October 2026". */
char *cw_rfmt_month(int year, int month, int vi, char *buf, size_t len);
/* A period's label for a chart axis: "2026-09" -> "T9/2026" / "Sep 2026";
 * a day "2026-11-01..." -> "01/11/2026" (vi); anything else as it is. */
char *cw_rfmt_period_short(const char *label, int vi, char *buf, size_t len);

/* Terminal cells of UTF-8 text (combining marks take none, wide
 * characters two); invalid bytes count one each. */
int cw_text_width(const char *s);
/* s cut to at most `cells` display cells, ending in "…" when cut (never
 * inside a character or before its combining marks). */
char *cw_text_fit(const char *s, int cells, char *buf, size_t len);

/* One CSV cell: quoted when it holds sep, a quote or a line break; a
 * cell a spreadsheet would run as a formula (starting with = + - @ tab
 * or CR) gets a leading apostrophe, as OWASP advises for CSV exports. */
void cw_csv_cell(FILE *f, const char *s, char sep);
/* The same guard in a cell always quoted (the privacy export's and the
 * inventory's CSV, which quote every cell). */
void cw_csv_quoted(FILE *f, const char *s);

#endif
