/* Console users and sessions without the network: passwords checked
 * against libsodium hashes, the brakes on guessing, session expiry and
 * logout, CSRF comparison. Times are given, not read from a clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/auth.h"

#define S 1000000LL

static struct cw_auth *make(int64_t idle, int64_t max)
{
    static char hash[256];
    if (!hash[0])
        assert_int_equal(cw_auth_hash_password("right-password", hash, sizeof hash), 0);
    assert_true(cw_auth_hash_valid(hash));
    assert_false(cw_auth_hash_valid("$argon2id$garbage"));
    struct cw_auth_user u = {"tech", hash, CW_ROLE_TECHNICIAN};
    struct cw_auth_params p = {&u, 1, idle, max};
    struct cw_auth *a;
    assert_int_equal(cw_auth_create(&p, &a), 0);
    return a;
}

static void test_login_session_logout(void **state)
{
    (void)state;
    struct cw_auth *a = make(60 * S, 3600 * S);
    char id[CW_SESSION_ID_LEN + 1];
    const struct cw_session *s;
    int retry;
    assert_int_equal(cw_auth_login(a, "10.0.0.1", "tech", "right-password", 1000 * S, id, &s, &retry), CW_LOGIN_OK);
    assert_int_equal(strlen(id), CW_SESSION_ID_LEN);
    assert_string_equal(s->user, "tech");
    assert_int_equal(s->role, CW_ROLE_TECHNICIAN);
    assert_true(cw_auth_csrf_ok(s, s->csrf));
    assert_false(cw_auth_csrf_ok(s, "x"));
    assert_false(cw_auth_csrf_ok(s, NULL));
    /* used within the idle time: alive, and its idle clock restarts */
    assert_non_null(cw_auth_session(a, id, 1050 * S));
    assert_non_null(cw_auth_session(a, id, 1100 * S));
    /* a different id of the same shape is nobody */
    char other[CW_SESSION_ID_LEN + 1];
    memcpy(other, id, sizeof other);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_null(cw_auth_session(a, other, 1100 * S));
    cw_auth_logout(a, id);
    assert_null(cw_auth_session(a, id, 1101 * S));
    /* idle too long, and too old whatever the use */
    assert_int_equal(cw_auth_login(a, "10.0.0.1", "tech", "right-password", 2000 * S, id, &s, &retry), CW_LOGIN_OK);
    assert_null(cw_auth_session(a, id, 2061 * S));
    assert_int_equal(cw_auth_login(a, "10.0.0.1", "tech", "right-password", 3000 * S, id, &s, &retry), CW_LOGIN_OK);
    for (int64_t t = 3050; t < 6600; t += 50)
        assert_non_null(cw_auth_session(a, id, t * S));
    assert_null(cw_auth_session(a, id, 6601 * S));
    cw_auth_free(a);
}

static void test_guessing_is_braked(void **state)
{
    (void)state;
    struct cw_auth *a = make(60 * S, 3600 * S);
    char id[CW_SESSION_ID_LEN + 1];
    const struct cw_session *s;
    int retry;
    /* an unknown user is just wrong (and costs a check too) */
    assert_int_equal(cw_auth_login(a, "10.0.0.9", "nobody", "x", 10 * S, id, &s, &retry), CW_LOGIN_WRONG);
    for (int i = 0; i < 5; i++)
        assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "wrong", (100 + i) * S, id, &s, &retry), CW_LOGIN_WRONG);
    /* closed, even for the right password, for 5 minutes */
    assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "right-password", 110 * S, id, &s, &retry),
                     CW_LOGIN_LIMITED);
    assert_true(retry > 280 && retry <= 301);
    /* another address is not */
    assert_int_equal(cw_auth_login(a, "10.0.0.3", "tech", "right-password", 111 * S, id, &s, &retry), CW_LOGIN_OK);
    assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "right-password", 405 * S, id, &s, &retry), CW_LOGIN_OK);
    /* the whole server checks at most 8 passwords in one second */
    int limited = 0;
    for (int i = 0; i < 10; i++)
        limited += cw_auth_login(a, "10.0.1.1", "tech", "right-password", 500 * S + i, id, &s, &retry) ==
                   CW_LOGIN_LIMITED;
    assert_int_equal(limited, 2);
    cw_auth_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_session_logout),
        cmocka_unit_test(test_guessing_is_braked),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
