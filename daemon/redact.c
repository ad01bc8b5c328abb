/* Masks credentials in URLs, in a single URL or in free text: the password
 * of user:password@ (also when it holds an unencoded '/', '#', '?', '@' or,
 * in a single URL, a space: everything to the last '@' before the host) and the value of every secret-looking query or path
 * parameter (password=, pwd=, token=, ... as in ?user=admin&password=x or
 * XMeye's rtsp://h/user=admin&password=x&channel=1). Masking errs towards
 * hiding too much: a URL shown a little shorter is harmless, a leaked
 * password is not. */
#include "redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Appends n bytes to out (bounded); keeps *o as the write position. */
static void put(char *out, size_t len, size_t *o, const char *s, size_t n)
{
    while (n-- > 0 && *o + 1 < len)
        out[(*o)++] = *s++;
}

/* In free text a URL ends at white space or a quote. */
static int ends_token(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' ||
           c == '>';
}

static const char *find_first(const char *s, const char *e, const char *set)
{
    for (; s < e; s++)
        if (strchr(set, *s))
            return s;
    return e;
}

static const char *const secret_keys[] = {"password", "passwd", "pass", "pwd", "passphrase", "token",
                                          "access_token", "auth", "authorization", "api_key", "apikey", "key",
                                          "secret", "signature", "sig", NULL};

static int secret_key(const char *k, size_t n)
{
    for (int i = 0; secret_keys[i]; i++)
        if (strlen(secret_keys[i]) == n && strncasecmp(k, secret_keys[i], n) == 0)
            return 1;
    return 0;
}

/* The rest of a URL after its authority: NAME=VALUE pairs (after '?', '&',
 * ';' or '/') with a secret-looking name get VALUE masked. */
static void put_params(char *out, size_t len, size_t *o, const char *p, const char *end)
{
    while (p < end) {
        const char *eq = find_first(p, end, "=");
        if (eq == end) {
            put(out, len, o, p, (size_t)(end - p));
            return;
        }
        const char *name = eq;
        while (name > p && !strchr("?&;/", name[-1]))
            name--;
        const char *vend = find_first(eq + 1, end, "&;#");
        put(out, len, o, p, (size_t)(eq + 1 - p));
        if (secret_key(name, (size_t)(eq - name)) && vend > eq + 1)
            put(out, len, o, "***", 3);
        else
            put(out, len, o, eq + 1, (size_t)(vend - (eq + 1)));
        p = vend;
    }
}

/* What follows an '@' up to the next '/', '?' or '#' could be a host
 * (name, IPv4, [IPv6], optional :port). */
static int host_like(const char *s, const char *e)
{
    const char *h = find_first(s, e, "/?#");
    if (h == s)
        return 0;
    for (const char *p = s; p < h; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-_:[]%", *p))
            return 0;
    return 1;
}

/* One URL: auth points just past "://", end at its end. The user info runs
 * to the *last* '@' that a host follows: a password with an unencoded '@',
 * '#', '?' or '/' ("Admin@123#") is hidden whole, never cut at its first
 * delimiter. Everything after the first ':' of the user info is masked. */
static void put_url(char *out, size_t len, size_t *o, const char *auth, const char *end)
{
    const char *at = NULL;
    for (const char *p = end; p > auth; p--)
        if (p[-1] == '@' && host_like(p, end)) {
            at = p - 1;
            break;
        }
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        put(out, len, o, auth, (size_t)(colon + 1 - auth));
        put(out, len, o, "***", 3);
        auth = at;
    }
    const char *host_end = find_first(auth, end, "/?#");
    put(out, len, o, auth, (size_t)(host_end - auth));
    put_params(out, len, o, host_end, end);
}

char *cw_redact_text(const char *text, char *out, size_t len)
{
    size_t o = 0;
    const char *p = text;

    if (len == 0)
        return out;
    while (*p) {
        const char *sep = strstr(p, "://");
        if (!sep) {
            put(out, len, &o, p, strlen(p));
            break;
        }
        const char *auth = sep + 3, *end = auth;
        while (!ends_token(*end))
            end++;
        put(out, len, &o, p, (size_t)(auth - p));
        put_url(out, len, &o, auth, end);
        p = end;
    }
    out[o] = '\0';
    return out;
}

char *cw_redact_url(const char *url, char *out, size_t len)
{
    /* One URL, all of it: a space in an unencoded password does not end it. */
    size_t o = 0;
    const char *sep = url ? strstr(url, "://") : NULL;
    if (len == 0)
        return out;
    if (!sep)
        return cw_redact_text(url ? url : "", out, len);
    put(out, len, &o, url, (size_t)(sep + 3 - url));
    put_url(out, len, &o, sep + 3, sep + 3 + strlen(sep + 3));
    out[o] = '\0';
    return out;
}
