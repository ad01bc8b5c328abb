/* Wall and monotonic clocks, and the few time formats camwatch prints. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t cw_wall_us(void)
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
