/* Users, sessions and login brakes (see auth.h). Password hashing and the
 * random ids come from libsodium: argon2id with a salt per hash, and the
 * kernel's random generator. */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "error.h"

#define MAX_SESSIONS 1024
#define MAX_CLIENTS 256
#define FAIL_WINDOW_US (10 * 60 * 1000000LL)
#define FAIL_LIMIT 5
#define BLOCK_US (5 * 60 * 1000000LL)
/* Decision 724/QĐ-BTTTT: 5 failures within 30 s lock the account for 5
 * minutes, wherever they come from */
#define NAME_FAIL_WINDOW_US (30 * 1000000LL)
#define VERIFY_PER_S 8

/* A brake's state for one key: a client's address, or a user name tried */
struct client {
    char addr[64];
    int fails;
    int64_t first_fail_us, blocked_until_us;
};

struct cw_auth {
    struct cw_auth_user *users;
    int n_users;
    char (*config_fp)[33]; /* per user: the fingerprint of the config's hash (the passwords file's key) */
    char *passwords_path;
    int64_t idle_us, max_us;
    struct cw_session sessions[MAX_SESSIONS];
    /* names tried (existing or not: a lock must not tell which exist) */
    struct client names[MAX_CLIENTS];
    struct client clients[MAX_CLIENTS];
    int64_t verify_second;
    int verifies;
};

static const char *const role_names[] = {"none", "viewer", "technician", "admin"};

enum cw_role cw_role_parse(const char *s)
{
    for (int i = 1; s && i < 4; i++)
        if (strcmp(s, role_names[i]) == 0)
            return (enum cw_role)i;
    return CW_ROLE_NONE;
}

const char *cw_role_name(enum cw_role r)
{
    return r >= CW_ROLE_NONE && r <= CW_ROLE_ADMIN ? role_names[r] : "none";
}

int cw_auth_hash_password(const char *password, char *out, unsigned long outlen)
{
    if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
        return CW_EINVAL;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return CW_ENOMEM; /* libsodium's only failure here: the memory limit */
    return 0;
}

int cw_auth_hash_valid(const char *s)
{
    if (sodium_init() < 0 || !s)
        return 0;
    /* -1: not a hash libsodium can read; 0 or 1: it can (1: weaker limits) */
    return strncmp(s, "$argon2", 7) == 0 &&
           crypto_pwhash_str_needs_rehash(s, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) >= 0;
}

struct cw_auth_user *cw_auth_users_copy(const struct cw_auth_user *users, int n)
{
    struct cw_auth_user *u = calloc((size_t)n + 1, sizeof *u);
    for (int i = 0; u && i < n; i++) {
        u[i].name = strdup(users[i].name);
        u[i].password_hash = strdup(users[i].password_hash);
        u[i].role = users[i].role;
        u[i].initial = users[i].initial;
        if (!u[i].name || !u[i].password_hash) {
            cw_auth_users_free(u, i + 1);
            return NULL;
        }
    }
    return u;
}

void cw_auth_users_free(struct cw_auth_user *u, int n)
{
    for (int i = 0; u && i < n; i++) {
        free((char *)u[i].name);
        if (u[i].password_hash)
            sodium_memzero((char *)u[i].password_hash, strlen(u[i].password_hash));
        free((char *)u[i].password_hash);
    }
    free(u);
}

/* ---- passwords users changed themselves ---- */

static void fingerprint(const char *hash, char out[33])
{
    unsigned char fp[16];
    crypto_generichash(fp, sizeof fp, (const unsigned char *)hash, strlen(hash), NULL, 0);
    sodium_bin2hex(out, 33, fp, sizeof fp);
}

/* The file's line for name: its fingerprint and hash (in line, cut at the
 * tabs), or NULL. */
static char *file_entry(char *text, const char *name, char **fp, char **hash)
{
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t1 && t2 && (size_t)(t1 - line) == strlen(name) && !strncmp(line, name, strlen(name))) {
            *t1 = *t2 = '\0';
            *fp = t1 + 1;
            *hash = t2 + 1;
            return line;
        }
        line = next;
    }
    return NULL;
}

static char *read_file(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int c; (c = fgetc(f)) != EOF;) {
        if (len + 2 > cap) {
            char *t = realloc(buf, cap = cap ? cap * 2 : 1024);
            if (!t)
                break;
            buf = t;
        }
        buf[len++] = (char)c;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* The users' effective hashes: the file's where it replaced the hash the
 * config still has; such a user's initial password is behind them. */
static int apply_changed(const char *path, struct cw_auth_user *u, int n, char (*fps)[33])
{
    char *text = read_file(path);
    for (int i = 0; i < n; i++) {
        fingerprint(u[i].password_hash, fps[i]);
        char *copy = text ? strdup(text) : NULL, *fp, *hash;
        if (copy && file_entry(copy, u[i].name, &fp, &hash) && !strcmp(fp, fps[i]) && cw_auth_hash_valid(hash)) {
            char *h = strdup(hash);
            if (h) {
                sodium_memzero((char *)u[i].password_hash, strlen(u[i].password_hash));
                free((char *)u[i].password_hash);
                u[i].password_hash = h;
                u[i].initial = 0;
            }
        }
        if (copy)
            sodium_memzero(copy, strlen(copy));
        free(copy);
    }
    if (text)
        sodium_memzero(text, strlen(text));
    free(text);
    return 0;
}

/* Writes the file anew with name's line replaced: whole (a temporary
 * file renamed over it), readable by camwatchd's user only. */
static int keep_changed(const char *path, const char *name, const char *fp, const char *hash)
{
    char tmp[4200];
    if (!path || (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return CW_EIO;
    char *text = read_file(path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        free(text);
        return CW_EIO;
    }
    fprintf(f, "# camwatch: console passwords changed by their users (name, config hash fingerprint, argon2id hash)\n");
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || (!strncmp(line, name, strlen(name)) && line[strlen(name)] == '\t'))
            continue;
        fprintf(f, "%s\n", line);
    }
    fprintf(f, "%s\t%s\t%s\n", name, fp, hash);
    if (text)
        sodium_memzero(text, strlen(text));
    free(text);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return CW_EIO;
    }
    return 0;
}

int cw_auth_set_users(struct cw_auth *a, const struct cw_auth_user *users, int n, int *ended)
{
    struct cw_auth_user *u = cw_auth_users_copy(users, n);
    char (*fps)[33] = calloc((size_t)n + 1, sizeof *fps);
    *ended = 0;
    if (!u || !fps) {
        cw_auth_users_free(u, n);
        free(fps);
        return CW_ENOMEM;
    }
    apply_changed(a->passwords_path, u, n, fps);
    /* a session lives on only if its user is still there, with the same
     * role and the same password (a changed password ends the old ones) */
    for (int i = 0; i < MAX_SESSIONS; i++) {
        struct cw_session *s = &a->sessions[i];
        if (!s->used)
            continue;
        const struct cw_auth_user *was = NULL, *now = NULL;
        for (int k = 0; k < a->n_users && !was; k++)
            if (strcmp(a->users[k].name, s->user) == 0)
                was = &a->users[k];
        for (int k = 0; k < n && !now; k++)
            if (strcmp(u[k].name, s->user) == 0)
                now = &u[k];
        if (!now || !was || now->role != was->role || strcmp(now->password_hash, was->password_hash) != 0) {
            sodium_memzero(s, sizeof *s);
            (*ended)++;
        }
    }
    cw_auth_users_free(a->users, a->n_users);
    free(a->config_fp);
    a->users = u;
    a->config_fp = fps;
    a->n_users = n;
    return 0;
}

int cw_auth_create(const struct cw_auth_params *p, struct cw_auth **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return CW_EINVAL;
    struct cw_auth *a = calloc(1, sizeof *a);
    if (!a)
        return CW_ENOMEM;
    a->users = cw_auth_users_copy(p->users, p->n_users);
    a->config_fp = calloc((size_t)p->n_users + 1, sizeof *a->config_fp);
    a->passwords_path = p->passwords_path ? strdup(p->passwords_path) : NULL;
    if (!a->users || !a->config_fp || (p->passwords_path && !a->passwords_path)) {
        cw_auth_users_free(a->users, p->n_users);
        free(a->config_fp);
        free(a->passwords_path);
        free(a);
        return CW_ENOMEM;
    }
    a->n_users = p->n_users;
    apply_changed(a->passwords_path, a->users, a->n_users, a->config_fp);
    a->idle_us = p->idle_us;
    a->max_us = p->max_us;
    *out = a;
    return 0;
}

void cw_auth_free(struct cw_auth *a)
{
    if (!a)
        return;
    cw_auth_users_free(a->users, a->n_users);
    free(a->config_fp);
    free(a->passwords_path);
    sodium_memzero(a->sessions, sizeof a->sessions);
    free(a);
}

int cw_auth_password_weak(const char *pw, unsigned long *chars, int *kinds)
{
    unsigned long n = 0;
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        if ((*p & 0xC0) != 0x80) /* a UTF-8 character's first byte: "ư" is one */
            n++;
        lower |= *p >= 'a' && *p <= 'z';
        upper |= *p >= 'A' && *p <= 'Z';
        digit |= *p >= '0' && *p <= '9';
        other |= !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'));
    }
    *chars = n;
    *kinds = lower + upper + digit + other;
    return n < 8 ? 1 : *kinds < 3 ? 2 : 0;
}

int cw_auth_has_users(const struct cw_auth *a)
{
    return a && a->n_users > 0;
}

/* The brake of key in table (MAX_CLIENTS slots; a new key takes a free or
 * stale slot, else the oldest). */
static struct client *brake_of(struct client *table, const char *addr, int64_t window, int64_t now)
{
    struct client *free_slot = NULL, *oldest = &table[0];
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &table[i];
        if (c->addr[0] && strcmp(c->addr, addr) == 0)
            return c;
        int stale = c->addr[0] && now - c->first_fail_us > window && now >= c->blocked_until_us;
        if (!free_slot && (!c->addr[0] || stale))
            free_slot = c;
        if (c->first_fail_us < oldest->first_fail_us)
            oldest = c;
    }
    struct client *c = free_slot ? free_slot : oldest;
    memset(c, 0, sizeof *c);
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    return c;
}

/* A failure counted against a brake: limit within window closes it. */
static void failed(struct client *c, int64_t window, int64_t now)
{
    if (now - c->first_fail_us > window) {
        c->first_fail_us = now;
        c->fails = 0;
    }
    if (++c->fails >= FAIL_LIMIT) {
        c->blocked_until_us = now + BLOCK_US;
        c->fails = 0;
        c->first_fail_us = now;
    }
}

static void id_hash(const char *id, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)id, strlen(id), NULL, 0);
}

static struct cw_session *find(struct cw_auth *a, const char *id)
{
    unsigned char h[32];
    if (!id || strlen(id) != CW_SESSION_ID_LEN)
        return NULL;
    id_hash(id, h);
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (a->sessions[i].used && sodium_memcmp(a->sessions[i].id_hash, h, 32) == 0)
            return &a->sessions[i];
    return NULL;
}

static int expired(const struct cw_auth *a, const struct cw_session *s, int64_t now)
{
    return now - s->seen_us > a->idle_us || now - s->created_us > a->max_us;
}

int cw_auth_login(struct cw_auth *a, const char *addr, const char *user, const char *password, int64_t now,
                  char id[CW_SESSION_ID_LEN + 1], const struct cw_session **out, int *retry_s)
{
    *out = NULL;
    *retry_s = 0;
    struct client *c = brake_of(a->clients, addr, FAIL_WINDOW_US, now);
    struct client *n = brake_of(a->names, user, NAME_FAIL_WINDOW_US, now);
    int64_t until = c->blocked_until_us > n->blocked_until_us ? c->blocked_until_us : n->blocked_until_us;
    if (now < until) { /* a locked account: not even the right password */
        *retry_s = (int)((until - now) / 1000000) + 1;
        return CW_LOGIN_LIMITED;
    }
    if (now / 1000000 != a->verify_second) {
        a->verify_second = now / 1000000;
        a->verifies = 0;
    }
    if (a->verifies >= VERIFY_PER_S) {
        *retry_s = 1;
        return CW_LOGIN_LIMITED;
    }
    const struct cw_auth_user *u = NULL;
    for (int i = 0; i < a->n_users && !u; i++)
        if (strcmp(a->users[i].name, user) == 0)
            u = &a->users[i];
    a->verifies++;
    /* An unknown user costs a verification too, so that timing does not
     * tell which names exist. */
    const char *hash = u ? u->password_hash : a->n_users ? a->users[0].password_hash : NULL;
    int good = hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && u;
    if (!good) {
        failed(c, FAIL_WINDOW_US, now);
        failed(n, NAME_FAIL_WINDOW_US, now);
        return CW_LOGIN_WRONG;
    }
    c->fails = 0;
    n->fails = 0;
    /* a free slot, or an expired one, or the least recently used */
    struct cw_session *s = NULL, *lru = &a->sessions[0];
    for (int i = 0; i < MAX_SESSIONS && !s; i++) {
        struct cw_session *x = &a->sessions[i];
        if (!x->used || expired(a, x, now))
            s = x;
        else if (x->seen_us < lru->seen_us)
            lru = x;
    }
    if (!s)
        s = lru;
    unsigned char raw[32], tok[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, CW_SESSION_ID_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    memset(s, 0, sizeof *s);
    id_hash(id, s->id_hash);
    randombytes_buf(tok, sizeof tok);
    sodium_bin2base64(s->csrf, sizeof s->csrf, tok, sizeof tok, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(s->user, sizeof s->user, "%s", u->name);
    s->role = u->role;
    s->must_change = u->initial;
    s->created_us = s->seen_us = now;
    s->used = 1;
    *out = s;
    return CW_LOGIN_OK;
}

const struct cw_session *cw_auth_session(struct cw_auth *a, const char *id, int64_t now)
{
    struct cw_session *s = a ? find(a, id) : NULL;
    if (!s)
        return NULL;
    if (expired(a, s, now)) {
        sodium_memzero(s, sizeof *s);
        return NULL;
    }
    s->seen_us = now;
    return s;
}

void cw_auth_logout(struct cw_auth *a, const char *id)
{
    struct cw_session *s = a ? find(a, id) : NULL;
    if (s)
        sodium_memzero(s, sizeof *s);
}

int cw_auth_change_password(struct cw_auth *a, const struct cw_session *s, const char *current, const char *next,
                            struct cw_pw_refusal *why, char *msg, unsigned long msglen)
{
    int k = -1;
    *why = (struct cw_pw_refusal){"", 0, 0};
    for (int i = 0; i < a->n_users && k < 0; i++)
        if (strcmp(a->users[i].name, s->user) == 0)
            k = i;
    unsigned long chars;
    int kinds;
    if (k < 0 || crypto_pwhash_str_verify(a->users[k].password_hash, current, strlen(current)) != 0) {
        snprintf(msg, msglen, "the current password is wrong");
        why->reason = "wrong_current";
        return CW_EINVAL;
    }
    int weak = cw_auth_password_weak(next, &chars, &kinds);
    if (weak == 1 || weak == 2) {
        snprintf(msg, msglen, weak == 1 ? "a password needs at least 8 characters (this one has %lu)"
                                        : "a password needs 3 of 4 kinds of characters: lower case, upper case, "
                                          "digits, others (this one has %lu characters of %d kinds)",
                 chars, kinds);
        *why = (struct cw_pw_refusal){weak == 1 ? "too_short" : "too_few_kinds", chars, kinds};
        return CW_EINVAL;
    }
    if (!strcmp(current, next)) {
        snprintf(msg, msglen, "the new password must differ from the current one");
        why->reason = "unchanged";
        return CW_EINVAL;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (cw_auth_hash_password(next, hash, sizeof hash) < 0 ||
        keep_changed(a->passwords_path, a->users[k].name, a->config_fp[k], hash) < 0) {
        snprintf(msg, msglen, "the new password could not be kept; the current one stays");
        sodium_memzero(hash, sizeof hash);
        return CW_EIO;
    }
    char *h = strdup(hash);
    sodium_memzero(hash, sizeof hash);
    if (!h) {
        snprintf(msg, msglen, "out of memory");
        return CW_EIO;
    }
    sodium_memzero((char *)a->users[k].password_hash, strlen(a->users[k].password_hash));
    free((char *)a->users[k].password_hash);
    a->users[k].password_hash = h;
    a->users[k].initial = 0;
    /* the user's other sessions end: a password changed because it leaked
     * must not leave the leaker logged in */
    for (int i = 0; i < MAX_SESSIONS; i++) {
        struct cw_session *o = &a->sessions[i];
        if (o->used && o != s && !strcmp(o->user, s->user))
            sodium_memzero(o, sizeof *o);
    }
    ((struct cw_session *)s)->must_change = 0;
    return 0;
}

int cw_auth_csrf_ok(const struct cw_session *s, const char *token)
{
    size_t n = strlen(s->csrf);
    return token && strlen(token) == n && sodium_memcmp(s->csrf, token, n) == 0;
}
