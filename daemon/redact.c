/* Masks the password part of URLs, in a single URL or in free text. */
#include "redact.h"

#include <string.h>

/* Appends n bytes to out (bounded); keeps *o as the write position. */
static void put(char *out, size_t len, size_t *o, const char *s, size_t n)
{
    while (n-- > 0 && *o + 1 < len)
        out[(*o)++] = *s++;
}

static int ends_authority(char c)
{
    return c == '\0' || c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>';
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
        const char *auth = sep + 3;
        put(out, len, &o, p, (size_t)(auth - p));
        /* Find the end of the authority and its last '@' (a password may
         * itself contain '@' when it was not percent-encoded). */
        const char *end = auth, *at = NULL;
        while (!ends_authority(*end)) {
            if (*end == '@')
                at = end;
            end++;
        }
        if (at) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            if (colon) {
                put(out, len, &o, auth, (size_t)(colon - auth) + 1);
                put(out, len, &o, "***", 3);
                put(out, len, &o, at, (size_t)(end - at));
            } else {
                put(out, len, &o, auth, (size_t)(end - auth));
            }
        } else {
            put(out, len, &o, auth, (size_t)(end - auth));
        }
        p = end;
    }
    out[o] = '\0';
    return out;
}

char *cw_redact_url(const char *url, char *out, size_t len)
{
    return cw_redact_text(url ? url : "", out, len);
}
