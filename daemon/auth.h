/* Who may use the console: users from the config (name, role, a libsodium
 * password hash), their sessions, and the brakes on guessing passwords.
 *
 * Everything here runs on the HTTP server's one thread, so it needs no
 * lock. Sessions live in memory only (a restart logs everyone out) and
 * are kept as hashes of their ids: the id itself exists only in the
 * browser's cookie and never in a log, the database or an API answer. */
#ifndef CW_AUTH_H
#define CW_AUTH_H
#include <stdint.h>

enum cw_role { CW_ROLE_NONE = 0, CW_ROLE_VIEWER = 1, CW_ROLE_TECHNICIAN = 2, CW_ROLE_ADMIN = 3 };

/* "viewer", "technician", "admin" -> role; CW_ROLE_NONE for anything else. */
enum cw_role cw_role_parse(const char *s);
const char *cw_role_name(enum cw_role r);

/* A password hash for the config (crypto_pwhash_str: argon2id, salted,
 * interactive limits). Returns 0 or a negative code. */
int cw_auth_hash_password(const char *password, char *out, unsigned long outlen);
/* Decision 724/QĐ-BTTTT's rule for a password: at least 8 characters, of
 * at least three of four classes (lower case, upper case, digits, others:
 * punctuation, spaces, letters beyond ASCII). 0 if it holds, 1 if it is
 * too short, 2 if of too few kinds; *chars and *kinds say what it has. */
int cw_auth_password_weak(const char *password, unsigned long *chars, int *kinds);
/* 1 if s is a hash this build can verify, else 0. */
int cw_auth_hash_valid(const char *s);

struct cw_auth_user {
    const char *name, *password_hash;
    enum cw_role role;
    int initial; /* made with `camwatch passwd --initial`: changed at first login before anything else */
};

struct cw_auth_params {
    const struct cw_auth_user *users; /* copied */
    int n_users;
    int64_t idle_us, max_us; /* a session ends after idle_us without a request, or max_us after login */
    /* Passwords users changed themselves (state_dir/passwords, 0600: a
     * name, a fingerprint of the config's hash it replaces, the new hash).
     * Never the database: hashes are credentials. A config hash changed
     * since (an admin's reset) wins over the file's. NULL: none kept. */
    const char *passwords_path;
};

#define CW_SESSION_ID_LEN 64 /* hex characters */
#define CW_CSRF_LEN 43       /* base64url characters */

struct cw_session {
    char user[64];
    enum cw_role role;
    int must_change; /* an initial password: nothing but changing it until then */
    char csrf[CW_CSRF_LEN + 1];
    int64_t created_us, seen_us;
    unsigned char id_hash[32]; /* the id itself is not kept */
    int used;
};

struct cw_auth;
int cw_auth_create(const struct cw_auth_params *p, struct cw_auth **out);
void cw_auth_free(struct cw_auth *a);
/* A deep copy of n users (NULL on no memory), and its release (the
 * hashes wiped first). */
struct cw_auth_user *cw_auth_users_copy(const struct cw_auth_user *users, int n);
void cw_auth_users_free(struct cw_auth_user *u, int n);
/* The users anew (a reload of the config): copied; the sessions of users
 * gone, or whose role or password changed, end (*ended: how many). 0 or
 * CW_ENOMEM (then nothing changed). On the HTTP server's thread, as all
 * here. */
int cw_auth_set_users(struct cw_auth *a, const struct cw_auth_user *users, int n, int *ended);
/* Whether any user is configured (then the API wants a session or the token). */
int cw_auth_has_users(const struct cw_auth *a);

/* Brakes: 5 failed logins from an address within 10 minutes close it for
 * 5 minutes; 5 failed logins for one user name within 30 s, from
 * wherever, lock that name for 5 minutes (Decision 724/QĐ-BTTTT; a name
 * nobody has locks alike); and the whole server verifies at most 8
 * passwords a second (each verification is memory-hard on purpose). */
enum { CW_LOGIN_OK = 0, CW_LOGIN_WRONG = 1, CW_LOGIN_LIMITED = 2 };
/* Checks user and password for a client address; on success opens a
 * session and gives its id (for the cookie) and *s. *retry_s: when a
 * limited client may try again. */
int cw_auth_login(struct cw_auth *a, const char *addr, const char *user, const char *password, int64_t now,
                  char id[CW_SESSION_ID_LEN + 1], const struct cw_session **s, int *retry_s);
/* The live session for a cookie value, its idle clock reset; NULL if
 * unknown or expired (an expired one is closed). */
const struct cw_session *cw_auth_session(struct cw_auth *a, const char *id, int64_t now);
void cw_auth_logout(struct cw_auth *a, const char *id);
/* Why a password change was refused, for a client to say in its own
 * language: reason "wrong_current", "too_short" (chars), "too_few_kinds"
 * (chars, kinds) or "unchanged"; "" for the others. */
struct cw_pw_refusal {
    const char *reason;
    unsigned long chars;
    int kinds;
};
/* A session's user changes their own password: the current one must
 * verify, the new one pass cw_auth_password_weak and differ. It is kept in
 * the passwords file (written whole), the session may act again, the
 * user's other sessions end. 0, or CW_EINVAL with msg and *why (wrong
 * current password, weak or same new one), or CW_EIO (not kept: nothing
 * changed). */
int cw_auth_change_password(struct cw_auth *a, const struct cw_session *s, const char *current, const char *next,
                            struct cw_pw_refusal *why,
                            char *msg, unsigned long msglen);
/* Constant-time comparison of a request's CSRF token with the session's. */
int cw_auth_csrf_ok(const struct cw_session *s, const char *token);

#endif
