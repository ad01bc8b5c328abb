/* Report formatting by language (see report_fmt.h). */
#include "report_fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

char *cw_rfmt_num(double v, int decimals, int vi, char *buf, size_t len)
{
    char raw[64], out[96];
    if (decimals < 0)
        decimals = 0;
    if (decimals > 3)
        decimals = 3;
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v) < 0.5 * pow(10, -decimals) ? 0.0 : v);
    const char *p = raw;
    size_t o = 0;
    if (*p == '-')
        out[o++] = *p++;
    size_t intlen = strcspn(p, ".");
    for (size_t i = 0; i < intlen; i++) {
        if (i > 0 && (intlen - i) % 3 == 0)
            out[o++] = vi ? '.' : ',';
        out[o++] = p[i];
    }
    if (p[intlen] == '.') {
        out[o++] = vi ? ',' : '.';
        for (const char *q = p + intlen + 1; *q; q++)
            out[o++] = *q;
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

char *cw_rfmt_pct(double v, int vi, char *buf, size_t len)
{
    char n[64];
    if (v < 0 || isnan(v)) {
        snprintf(buf, len, "-");
        return buf;
    }
    /* a no-break space: "97,7" and "%" never part at a line end */
    snprintf(buf, len, vi ? "%s\u00a0%%" : "%s%%", cw_rfmt_num(v, 1, vi, n, sizeof n));
    return buf;
}

char *cw_rfmt_points(double delta, int vi, char *buf, size_t len)
{
    char n[64];
    const char *mark = delta >= 0.05 ? "▲" : delta <= -0.05 ? "▼" : "=";
    snprintf(buf, len, "%s %s %s", mark, cw_rfmt_num(fabs(delta) < 0.05 ? 0 : fabs(delta), 1, vi, n, sizeof n),
             vi ? "điểm" : "pts");
    return buf;
}

char *cw_rfmt_duration(int64_t us, int vi, char *buf, size_t len)
{
    static const char *const vn[] = {"ngày", "giờ", "phút", "giây"};
    static const char *const en[] = {"d", "h", "min", "s"};
    const char *const *u = vi ? vn : en;
    int64_t s = us < 0 ? 0 : us / 1000000;
    int64_t parts[4] = {s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60};
    int first = 0;
    while (first < 3 && parts[first] == 0)
        first++;
    if (first == 3 || parts[first + 1] == 0 || first + 1 > 3)
        snprintf(buf, len, "%lld %s", (long long)parts[first], u[first]);
    else
        snprintf(buf, len, "%lld %s %lld %s", (long long)parts[first], u[first], (long long)parts[first + 1],
                 u[first + 1]);
    return buf;
}

static void local_tm(int64_t us, struct tm *tm)
{
    time_t t = (time_t)(us / 1000000);
    localtime_r(&t, tm);
}

char *cw_rfmt_date_words(int64_t us, int vi, char *buf, size_t len)
{
    static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
    struct tm tm;
    local_tm(us, &tm);
    int m = tm.tm_mon + 1;
    if (vi)
        snprintf(buf, len, m <= 2 ? "ngày %02d tháng %02d năm %d" : "ngày %02d tháng %d năm %d", tm.tm_mday, m,
                 tm.tm_year + 1900);
    else
        snprintf(buf, len, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
    return buf;
}

char *cw_rfmt_date(int64_t us, int vi, char *buf, size_t len)
{
    struct tm tm;
    local_tm(us, &tm);
    strftime(buf, len, vi ? "%d/%m/%Y" : "%Y-%m-%d", &tm);
    return buf;
}

char *cw_rfmt_datetime(int64_t us, int vi, char *buf, size_t len)
{
    struct tm tm;
    local_tm(us, &tm);
    strftime(buf, len, vi ? "%d/%m/%Y %H:%M" : "%Y-%m-%d %H:%M", &tm);
    return buf;
}

char *cw_rfmt_iso_local(int64_t us, char *buf, size_t len)
{
    struct tm tm;
    char t[32], z[8];
    local_tm(us, &tm);
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(z, sizeof z, "%z", &tm); /* +0700 */
    snprintf(buf, len, "%s%.3s:%.2s", t, z, z + 3);
    return buf;
}

char *cw_rfmt_period_short(const char *label, int vi, char *buf, size_t len)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, d, n = 0;
    if (sscanf(label, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && m >= 1 && m <= 12)
        snprintf(buf, len, vi ? "%02d/%02d/%04d" : "%04d-%02d-%02d", vi ? d : y, m, vi ? y : d);
    else if (strlen(label) == 7 && sscanf(label, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12 && vi)
        snprintf(buf, len, "T%d/%d", m, y);
    else if (strlen(label) == 7 && sscanf(label, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
        snprintf(buf, len, "%s %d", mon[m - 1], y);
    else
        snprintf(buf, len, "%s", label);
    return buf;
}

char *cw_rfmt_month(int year, int month, int vi, char *buf, size_t len)
{
    static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
    if (month < 1 || month > 12)
        month = 1;
    if (vi)
        snprintf(buf, len, "tháng %d năm %d", month, year);
    else
        snprintf(buf, len, "%s %d", months[month - 1], year);
    return buf;
}

/* The next character of s: its byte length and display cells. */
static size_t next_char(const char *s, int *cells)
{
    /* UTF-8 decoding by hand: the process may run in the C locale */
    const unsigned char *p = (const unsigned char *)s;
    size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 1;
    unsigned cp = n == 1 ? *p : n == 2 ? (*p & 0x1Fu) : n == 3 ? (*p & 0x0Fu) : (*p & 0x07u);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cells = 1; /* invalid: one byte, one cell */
            return 1;
        }
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    /* combining marks (Vietnamese in decomposed form) take no cell; East
     * Asian wide characters two; the rest one */
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
        (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0x200B || (cp >= 0xFE20 && cp <= 0xFE2F))
        *cells = 0;
    else if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
             (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
             (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        *cells = 2;
    else
        *cells = cp < 0x20 ? 0 : 1;
    return n;
}

int cw_text_width(const char *s)
{
    int w = 0, c;
    while (*s) {
        s += next_char(s, &c);
        w += c;
    }
    return w;
}

char *cw_text_fit(const char *s, int cells, char *buf, size_t len)
{
    if (cw_text_width(s) <= cells) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    size_t o = 0;
    int used = 0, c;
    const char *p = s;
    while (*p) {
        size_t n = next_char(p, &c);
        /* keep a character's combining marks with it; stop before one
         * that would leave no cell for the ellipsis */
        if (c > 0 && used + c > cells - 1)
            break;
        if (o + n + 4 > len)
            break;
        memcpy(buf + o, p, n);
        o += n;
        used += c;
        p += n;
    }
    memcpy(buf + o, "…", 4); /* 3 bytes and the NUL */
    return buf;
}

/* A CSV cell, quoted or not: the formula guard, quotes doubled inside
 * quotes. */
static void csv_put(FILE *f, const char *s, int quote)
{
    if (quote)
        fputc('"', f);
    if (s[0] && strchr("=+-@\t\r", s[0]))
        fputc('\'', f);
    for (; *s; s++) {
        if (quote && *s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    if (quote)
        fputc('"', f);
}

void cw_csv_quoted(FILE *f, const char *s)
{
    csv_put(f, s, 1);
}

void cw_csv_cell(FILE *f, const char *s, char sep)
{
    char specials[5] = {sep, '"', '\n', '\r', '\0'};
    csv_put(f, s, strpbrk(s, specials) != NULL);
}
