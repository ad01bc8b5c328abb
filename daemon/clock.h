/* Time sources. Wall-clock time (UTC microseconds) is what spans, events and
 * reports record; monotonic time is what timeouts, backoff and rates use, so
 * that an NTP step on a commune box never fakes a stall or an outage. */
#ifndef CW_CLOCK_H
#define CW_CLOCK_H
#include <stdint.h>
#include <stddef.h>

int64_t cw_wall_us(void);
int64_t cw_mono_us(void);

/* Formats a UTC microsecond time as local time "YYYY-MM-DD HH:MM:SS" in the
 * process's time zone (TZ). Returns buf. */
char *cw_fmt_local(int64_t wall_us, char *buf, size_t len);
/* Formats a UTC time as ISO 8601 with a Z suffix and milliseconds. */
char *cw_fmt_utc(int64_t wall_us, char *buf, size_t len);
/* "3d 4h", "2h 05m", "4m 10s", "12s". Returns buf. */
char *cw_fmt_duration(int64_t us, char *buf, size_t len);

#endif
