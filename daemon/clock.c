/* Wall and monotonic clocks, and the few time formats camwatch prints. */
#include "clock.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

int64_t cw_system_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cw_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* camwatch's clock: wall = anchor_wall + (mono - anchor_mono) * (1 + slew).
 * The one piece of process-wide state outside the daemon's root object: it
 * stands for the system clock, which every thread reads the same way. */
#define SLEW_PPM 10000      /* 1 % */
#define STEP_US 1000000     /* a jump over 1 s between checks is a step */
static struct {
    pthread_mutex_t mu;
    int anchored;
    int64_t anchor_wall, anchor_mono;
    int slew;               /* -1 slow, 0, +1 fast */
    int64_t last_offset;    /* system - camwatch at the last check */
} ck = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t steady_at(int64_t mono)
{
    int64_t el = mono - ck.anchor_mono;
    return ck.anchor_wall + el + ck.slew * (el / (1000000 / SLEW_PPM));
}

static void anchor_now(int64_t wall, int64_t mono)
{
    ck.anchor_wall = wall;
    ck.anchor_mono = mono;
}

/* The first reading, whichever call it is, anchors on the system clock. */
static void ensure_anchored(int64_t mono)
{
    if (!ck.anchored) {
        anchor_now(cw_system_wall_us(), mono);
        ck.anchored = 1;
    }
}

int64_t cw_wall_us(void)
{
    pthread_mutex_lock(&ck.mu);
    int64_t mono = cw_mono_us();
    ensure_anchored(mono);
    int64_t v = steady_at(mono);
    pthread_mutex_unlock(&ck.mu);
    return v;
}

void cw_clock_not_before(int64_t floor_us)
{
    pthread_mutex_lock(&ck.mu);
    int64_t mono = cw_mono_us(), sys = cw_system_wall_us();
    ensure_anchored(mono);
    if (steady_at(mono) <= floor_us) {
        anchor_now(floor_us + 1000, mono);
        ck.last_offset = sys - (floor_us + 1000);
        ck.slew = -1; /* behind the system clock's view: catch up slowly */
    }
    pthread_mutex_unlock(&ck.mu);
}

int64_t cw_clock_check(void)
{
    pthread_mutex_lock(&ck.mu);
    int64_t mono = cw_mono_us(), sys = cw_system_wall_us();
    ensure_anchored(mono);
    int64_t now = steady_at(mono), offset = sys - now, step = 0;
    /* Slewing moves the offset by at most 1 % of the time between checks;
     * a larger change is the system clock jumping. */
    if (offset - ck.last_offset > STEP_US || offset - ck.last_offset < -STEP_US)
        step = offset - ck.last_offset;
    ck.last_offset = offset;
    /* Re-anchor where we are (no jump), then run fast, slow or true. */
    anchor_now(now, mono);
    ck.slew = offset > 100000 ? 1 : offset < -100000 ? -1 : 0;
    pthread_mutex_unlock(&ck.mu);
    return step;
}

int64_t cw_clock_offset(void)
{
    pthread_mutex_lock(&ck.mu);
    int64_t o = ck.last_offset;
    pthread_mutex_unlock(&ck.mu);
    return o;
}

int cw_zone_known(const char *zone)
{
    char zf[512];
    if (!zone || !zone[0] || zone[0] == '/' || strstr(zone, "..") || strlen(zone) > 200)
        return 0;
    snprintf(zf, sizeof zf, "/usr/share/zoneinfo/%s", zone);
    return access(zf, R_OK) == 0;
}

char *cw_fmt_local(int64_t wall_us, char *buf, size_t len)
{
    time_t t = (time_t)(wall_us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

char *cw_fmt_utc(int64_t wall_us, char *buf, size_t len)
{
    time_t t = (time_t)(wall_us / 1000000);
    struct tm tm;
    char tmp[32];
    gmtime_r(&t, &tm);
    strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03dZ", tmp, (int)((wall_us % 1000000) / 1000));
    return buf;
}

int cw_parse_time_api(const char *s, int64_t *us)
{
    char *end;
    if (!s || !s[0])
        return -1;
    if (s[0] >= '0' && s[0] <= '9' && !strchr(s, '-')) {
        double v = strtod(s, &end);
        /* nan, inf and absurd times once passed as "no filter" */
        if (end == s || *end || !isfinite(v) || v < 0 || v > 4102444800.0)
            return -1;
        *us = (int64_t)(v * 1e6);
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%dT%H:%M", &tm);
    double frac = 0;
    if (!p)
        return -1;
    if (*p == ':') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
            return -1;
        tm.tm_sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            frac = strtod(p, &end);
            if (end == p + 1)
                return -1;
            p = end;
        }
    }
    int off = 0, oh, om;
    if (*p == 'Z')
        p++;
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 14 &&
             om < 60 && p[3] == ':') {
        off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        p += 6;
    } else {
        return -1; /* no offset: an API answer must not depend on the server's zone */
    }
    if (*p || tm.tm_sec > 60)
        return -1;
    time_t t = timegm(&tm) - off;
    if (t < 0 || t > 4102444800)
        return -1;
    *us = (int64_t)t * 1000000 + (int64_t)(frac * 1e6);
    return 0;
}

char *cw_fmt_zone(int64_t wall_us, char *buf, size_t len)
{
    time_t t = (time_t)(wall_us / 1000000);
    struct tm tm;
    char z[8];
    const char *name = getenv("TZ");
    localtime_r(&t, &tm);
    strftime(z, sizeof z, "%z", &tm); /* +0700 */
    snprintf(buf, len, "%s, UTC%.3s:%.2s", name && name[0] ? (name[0] == ':' ? name + 1 : name) : "local time", z,
             z + 3);
    return buf;
}

char *cw_fmt_duration(int64_t us, char *buf, size_t len)
{
    int64_t s = us / 1000000;
    if (s < 0)
        s = 0;
    if (s >= 86400)
        snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(buf, len, "%lldh %02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(buf, len, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, len, "%llds", (long long)s);
    return buf;
}

int cw_parse_schedule(const char *s, int *from_min, int *to_min)
{
    int h1, m1, h2, m2;
    char tail;
    *from_min = *to_min = -1;
    if (!s[0])
        return 0;
    if (sscanf(s, "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 ||
        m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
        return -1;
    *from_min = h1 * 60 + m1;
    *to_min = h2 * 60 + m2;
    return 0;
}

int cw_schedule_contains(int from_min, int to_min, int m)
{
    if (from_min < 0)
        return 1;
    if (from_min <= to_min)
        return m >= from_min && m < to_min;
    return m >= from_min || m < to_min; /* wraps midnight */
}
