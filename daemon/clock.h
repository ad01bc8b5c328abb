/* Time sources. Wall-clock time (UTC microseconds) is what spans, events and
 * reports record; monotonic time is what timeouts, backoff and rates use, so
 * that an NTP step on a commune box never fakes a stall or an outage.
 *
 * cw_wall_us() is camwatch's own wall clock: it advances at the monotonic
 * clock's pace, so a step of the system clock (an NTP correction, an RTC
 * reset) never puts spans out of order, stretches one by the step or dates
 * an alert an hour late. The daemon calls cw_clock_check() once a second:
 * a step is reported (to be logged and recorded) and then absorbed by
 * running camwatch's clock 1 % fast or slow until the two agree again
 * (a one-hour step takes 100 hours; durations meanwhile are off by 1 %). */
#ifndef CW_CLOCK_H
#define CW_CLOCK_H
#include <stdint.h>
#include <stddef.h>

int64_t cw_wall_us(void);
int64_t cw_mono_us(void);
/* The system's wall clock, as it is (steps included). */
int64_t cw_system_wall_us(void);
/* Compares camwatch's clock with the system's: returns the size of a step
 * of the system clock since the last check (system minus camwatch, over
 * 1 s either way), or 0; and sets the slew toward the system clock. */
int64_t cw_clock_check(void);
/* System minus camwatch as of the last cw_clock_check() (0 while they
 * agree): camwatchd records it, so that the command line can date "now"
 * on camwatchd's clock (cw_cli_now). */
int64_t cw_clock_offset(void);
/* At start: camwatch's clock never reads earlier than floor_us (the last
 * moment the database recorded), whatever the system clock says. */
void cw_clock_not_before(int64_t floor_us);

/* Formats a UTC microsecond time as local time "YYYY-MM-DD HH:MM:SS" in the
 * process's time zone (TZ). Returns buf. */
char *cw_fmt_local(int64_t wall_us, char *buf, size_t len);
/* Formats a UTC time as ISO 8601 with a Z suffix and milliseconds. */
char *cw_fmt_utc(int64_t wall_us, char *buf, size_t len);
/* Reads a time an API client sends: Unix seconds ("1764151200",
 * "1764151200.5") or ISO 8601 with its offset ("2026-11-26T10:00:00Z",
 * "2026-11-26T17:00+07:00", fractions allowed), from 1970 to 2100.
 * 0 or -1. */
int cw_parse_time_api(const char *s, int64_t *us);
/* "Asia/Ho_Chi_Minh, UTC+07:00": the zone cw_fmt_local writes in (TZ),
 * for headers that label their times. Returns buf. */
char *cw_fmt_zone(int64_t wall_us, char *buf, size_t len);
/* 1 if zone names a time zone this machine knows (a file under
 * /usr/share/zoneinfo), else 0: glibc takes an unknown TZ silently as UTC,
 * which would put every local time off by hours, unnoticed. */
int cw_zone_known(const char *zone);
/* "3d 4h", "2h 05m", "4m 10s", "12s". Returns buf. */
char *cw_fmt_duration(int64_t us, char *buf, size_t len);

/* Schedules of the local day ("22:00-05:00": motion at night, a target's
 * hours, quiet hours), in minutes since local midnight. */
/* Parses "HH:MM-HH:MM"; "" means always (both -1). 0 or -1. */
int cw_parse_schedule(const char *s, int *from_min, int *to_min);
/* Whether minute m of the local day falls in the schedule (wraps midnight). */
int cw_schedule_contains(int from_min, int to_min, int m);

#endif
