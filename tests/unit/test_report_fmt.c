/* Vietnamese and English report formatting: numbers, percentages,
 * changes, durations, dates in words (Decree 30/2020's leading zeros),
 * display-width truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../daemon/report_fmt.h"

static void test_numbers(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(cw_rfmt_num(1234.5, 1, 1, b, sizeof b), "1.234,5");
    assert_string_equal(cw_rfmt_num(1234.5, 1, 0, b, sizeof b), "1,234.5");
    assert_string_equal(cw_rfmt_num(1234567, 0, 1, b, sizeof b), "1.234.567");
    assert_string_equal(cw_rfmt_num(999, 0, 1, b, sizeof b), "999");
    assert_string_equal(cw_rfmt_num(-0.04, 1, 1, b, sizeof b), "0,0"); /* no "-0,0" */
    assert_string_equal(cw_rfmt_num(-12.25, 2, 1, b, sizeof b), "-12,25");
    assert_string_equal(cw_rfmt_pct(93.84, 1, b, sizeof b), "93,8\u00a0%");
    assert_string_equal(cw_rfmt_pct(93.84, 0, b, sizeof b), "93.8%");
    assert_string_equal(cw_rfmt_pct(100, 1, b, sizeof b), "100,0\u00a0%");
    assert_string_equal(cw_rfmt_pct(-1, 1, b, sizeof b), "-");
    assert_string_equal(cw_rfmt_points(2.14, 1, b, sizeof b), "▲ 2,1 điểm");
    assert_string_equal(cw_rfmt_points(-3.36, 0, b, sizeof b), "▼ 3.4 pts");
    assert_string_equal(cw_rfmt_points(0.04, 1, b, sizeof b), "= 0,0 điểm");
    assert_string_equal(cw_rfmt_points(-0.05, 1, b, sizeof b), "▼ 0,1 điểm");
}

static void test_durations(void **state)
{
    char b[64];
    (void)state;
    int64_t s = 1000000;
    assert_string_equal(cw_rfmt_duration((2 * 86400 + 5 * 3600 + 59) * s, 1, b, sizeof b), "2 ngày 5 giờ");
    assert_string_equal(cw_rfmt_duration((5 * 3600 + 12 * 60) * s, 1, b, sizeof b), "5 giờ 12 phút");
    assert_string_equal(cw_rfmt_duration(12 * 60 * s, 1, b, sizeof b), "12 phút");
    assert_string_equal(cw_rfmt_duration(45 * s, 1, b, sizeof b), "45 giây");
    assert_string_equal(cw_rfmt_duration(0, 1, b, sizeof b), "0 giây");
    assert_string_equal(cw_rfmt_duration(3 * 86400 * s, 1, b, sizeof b), "3 ngày");
    assert_string_equal(cw_rfmt_duration((60 * 86400 + 4 * 3600) * s, 0, b, sizeof b), "60 d 4 h");
    assert_string_equal(cw_rfmt_duration((3600 + 30) * s, 0, b, sizeof b), "1 h");
}

static void test_dates(void **state)
{
    char b[64];
    (void)state;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    /* 2026-01-05 09:00 +07 */
    int64_t jan5 = (int64_t)1767578400 * 1000000;
    assert_string_equal(cw_rfmt_date_words(jan5, 1, b, sizeof b), "ngày 05 tháng 01 năm 2026");
    assert_string_equal(cw_rfmt_date_words(jan5, 0, b, sizeof b), "5 January 2026");
    /* 2026-11-26 10:00 +07: months from March on have no leading zero */
    int64_t nov26 = (int64_t)1795662000 * 1000000;
    assert_string_equal(cw_rfmt_date_words(nov26, 1, b, sizeof b), "ngày 26 tháng 11 năm 2026");
    assert_string_equal(cw_rfmt_date(nov26, 1, b, sizeof b), "26/11/2026");
    assert_string_equal(cw_rfmt_date(nov26, 0, b, sizeof b), "2026-11-26");
    assert_string_equal(cw_rfmt_datetime(nov26, 1, b, sizeof b), "26/11/2026 10:00");
    /* 2026-03-09: a day under 10 gets its zero, March none */
    int64_t mar9 = (int64_t)1773025200 * 1000000;
    assert_string_equal(cw_rfmt_date_words(mar9, 1, b, sizeof b), "ngày 09 tháng 3 năm 2026");
    assert_string_equal(cw_rfmt_month(2026, 10, 1, b, sizeof b), "tháng 10 năm 2026");
    assert_string_equal(cw_rfmt_iso_local(nov26, b, sizeof b), "2026-11-26T10:00:00+07:00");
    assert_string_equal(cw_rfmt_month(2026, 10, 0, b, sizeof b), "October 2026");
}

static void test_widths(void **state)
{
    char b[128];
    (void)state;
    assert_int_equal(cw_text_width("Tỷ lệ hoạt động"), 15);
    /* the same in decomposed form: base letters and combining marks */
    assert_int_equal(cw_text_width("Ty\xcc\x89 le\xcc\xa3"), 5);
    assert_int_equal(cw_text_width("摄像头"), 6);
    assert_string_equal(cw_text_fit("Tỷ lệ hoạt động", 15, b, sizeof b), "Tỷ lệ hoạt động");
    assert_string_equal(cw_text_fit("Tỷ lệ hoạt động", 8, b, sizeof b), "Tỷ lệ h…");
    assert_int_equal(cw_text_width(b), 8);
    /* a cut keeps a letter's combining mark with it */
    assert_string_equal(cw_text_fit("Ty\xcc\x89 le\xcc\xa3 x", 3, b, sizeof b), "Ty\xcc\x89…");
    /* a wide character that would overflow is left out whole */
    assert_string_equal(cw_text_fit("a摄像头", 4, b, sizeof b), "a摄…");
    assert_string_equal(cw_text_fit("a摄像头", 3, b, sizeof b), "a…");
}

static char *cell(const char *s, char sep)
{
    static char out[256];
    memset(out, 0, sizeof out);
    FILE *f = fmemopen(out, sizeof out, "w");
    cw_csv_cell(f, s, sep);
    fclose(f);
    return out;
}

/* Cells a spreadsheet would run as formulas stay text; separators and
 * quotes are quoted for the separator in use. */
static void test_csv_cells(void **state)
{
    (void)state;
    assert_string_equal(cell("Xã Hòa Bình", ','), "Xã Hòa Bình");
    assert_string_equal(cell("=HYPERLINK(\"http://x\")", ','), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    assert_string_equal(cell("+1", ','), "'+1");
    assert_string_equal(cell("-2", ';'), "'-2");
    assert_string_equal(cell("@SUM(A1)", ','), "'@SUM(A1)");
    assert_string_equal(cell("\tx", ','), "'\tx");
    assert_string_equal(cell("a,b", ','), "\"a,b\"");
    assert_string_equal(cell("a,b", ';'), "a,b");
    assert_string_equal(cell("a;b", ';'), "\"a;b\"");
    assert_string_equal(cell("line\nbreak", ';'), "\"line\nbreak\"");
    assert_string_equal(cell("", ','), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_csv_cells),
    };
    return cmocka_run_group_tests_name("report_fmt", tests, NULL, NULL);
}
