/* Credential masking of URLs and of free text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/redact.h"

static void test_urls(void **state)
{
    static const char *const cases[][2] = {
        {"rtsp://admin:secret@10.0.0.1:554/s1", "rtsp://admin:***@10.0.0.1:554/s1"},
        {"rtsp://10.0.0.1/s1", "rtsp://10.0.0.1/s1"},
        {"rtsp://user@host/x", "rtsp://user@host/x"},
        {"rtsp://a:p@ss@host/x", "rtsp://a:***@host/x"}, /* unencoded '@' in the password */
        {"rtsp://a:x/y@host", "rtsp://a:x/y@host"},      /* '@' after the path is not userinfo */
        {"rtsps://a:b@h", "rtsps://a:***@h"},
        {"", ""},
    };
    char out[256];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(cw_redact_url(cases[i][0], out, sizeof out), cases[i][1]);
}

static void test_text(void **state)
{
    char out[256];
    (void)state;
    cw_redact_text("[rtsp @ 0x1] Opening 'rtsp://root:pw1@h/a' and rtsp://u:pw2@k:554/b failed", out, sizeof out);
    assert_string_equal(out, "[rtsp @ 0x1] Opening 'rtsp://root:***@h/a' and rtsp://u:***@k:554/b failed");
    assert_null(strstr(out, "pw1"));
    cw_redact_text("no urls here: a:b@c", out, sizeof out);
    assert_string_equal(out, "no urls here: a:b@c");
}

static void test_truncation_is_safe(void **state)
{
    char out[12];
    (void)state;
    cw_redact_url("rtsp://admin:secret@host/x", out, sizeof out);
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_null(strstr(out, "sec"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_truncation_is_safe),
    };
    return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
