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
    /* 5 wrong from one address within 10 minutes (10 s apart: the user's
     * own 30 s brake below is not reached) */
    for (int i = 0; i < 5; i++)
        assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "wrong", (100 + 10 * i) * S, id, &s, &retry),
                         CW_LOGIN_WRONG);
    /* closed, even for the right password, for 5 minutes */
    assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "right-password", 150 * S, id, &s, &retry),
                     CW_LOGIN_LIMITED);
    assert_true(retry > 280 && retry <= 301);
    /* another address is not */
    assert_int_equal(cw_auth_login(a, "10.0.0.3", "tech", "right-password", 151 * S, id, &s, &retry), CW_LOGIN_OK);
    assert_int_equal(cw_auth_login(a, "10.0.0.2", "tech", "right-password", 445 * S, id, &s, &retry), CW_LOGIN_OK);
    /* the whole server checks at most 8 passwords in one second */
    int limited = 0;
    for (int i = 0; i < 10; i++)
        limited += cw_auth_login(a, "10.0.1.1", "tech", "right-password", 500 * S + i, id, &s, &retry) ==
                   CW_LOGIN_LIMITED;
    assert_int_equal(limited, 2);
    cw_auth_free(a);
}

/* Decision 724/QĐ-BTTTT: 5 failures within 30 s lock the *user* for 5
 * minutes, from whatever addresses they come (a spread-out guesser has
 * many); a name that does not exist locks the same way, so that locking
 * does not tell which names do. */
static void test_user_locked_after_5_failures_in_30_s(void **state)
{
    (void)state;
    struct cw_auth *a = make(60 * S, 3600 * S);
    char id[CW_SESSION_ID_LEN + 1], addr[32];
    const struct cw_session *s;
    int retry;
    for (int i = 0; i < 5; i++) {
        snprintf(addr, sizeof addr, "10.1.0.%d", i + 1);
        assert_int_equal(cw_auth_login(a, addr, "tech", "wrong", (1000 + 5 * i) * S, id, &s, &retry), CW_LOGIN_WRONG);
    }
    /* a sixth address, the right password: locked for 5 minutes */
    assert_int_equal(cw_auth_login(a, "10.1.0.9", "tech", "right-password", 1025 * S, id, &s, &retry),
                     CW_LOGIN_LIMITED);
    assert_true(retry > 280 && retry <= 301);
    assert_int_equal(cw_auth_login(a, "10.1.0.9", "tech", "right-password", 1319 * S, id, &s, &retry),
                     CW_LOGIN_LIMITED);
    assert_int_equal(cw_auth_login(a, "10.1.0.9", "tech", "right-password", 1321 * S, id, &s, &retry), CW_LOGIN_OK);
    /* the same for a name nobody has */
    for (int i = 0; i < 5; i++) {
        snprintf(addr, sizeof addr, "10.2.0.%d", i + 1);
        assert_int_equal(cw_auth_login(a, addr, "ghost", "x", (2000 + i) * S, id, &s, &retry), CW_LOGIN_WRONG);
    }
    assert_int_equal(cw_auth_login(a, "10.2.0.9", "ghost", "x", 2010 * S, id, &s, &retry), CW_LOGIN_LIMITED);
    /* 5 failures over more than 30 s lock nothing */
    for (int i = 0; i < 5; i++) {
        snprintf(addr, sizeof addr, "10.3.0.%d", i + 1);
        assert_int_equal(cw_auth_login(a, addr, "tech", "wrong", (3000 + 8 * i) * S, id, &s, &retry), CW_LOGIN_WRONG);
    }
    assert_int_equal(cw_auth_login(a, "10.3.0.9", "tech", "right-password", 3040 * S, id, &s, &retry), CW_LOGIN_OK);
    cw_auth_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_session_logout),
        cmocka_unit_test(test_guessing_is_braked),
        cmocka_unit_test(test_user_locked_after_5_failures_in_30_s),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
