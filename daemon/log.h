/* Logging: one line per event, "TIME LEVEL subsystem [camera]: message".
 *
 * Every line passes through cw_redact_text() before it is written, so a URL
 * with a password that reaches a log call by mistake (or from FFmpeg's own
 * messages) is still masked. */
#ifndef CW_LOG_H
#define CW_LOG_H
#include <stdio.h>

enum cw_log_level { CW_LOG_ERROR = 0, CW_LOG_WARN, CW_LOG_INFO, CW_LOG_DEBUG };

/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int cw_log_level_parse(const char *s);
const char *cw_log_level_name(int level);

/* The log sink is process-wide on purpose: FFmpeg's av_log callback carries
 * no user pointer, and its lines must reach the same sink with the same
 * masking. These are set once at start-up (and on reload) by the daemon. */
void cw_log_set_level(int level);
void cw_log_set_stream(FILE *f);
int cw_log_enabled(int level);
/* When stderr is journald's stream (JOURNAL_STREAM names it), lines start
 * with a syslog priority "<3>".."<7>" and no timestamp, so that
 * `journalctl -p warning` filters them; otherwise plain. 1 if so. */
int cw_log_detect_journal(void);

void cw_log(int level, const char *subsys, const char *camera, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define cw_error(sub, cam, ...) cw_log(CW_LOG_ERROR, sub, cam, __VA_ARGS__)
#define cw_warn(sub, cam, ...) cw_log(CW_LOG_WARN, sub, cam, __VA_ARGS__)
#define cw_info(sub, cam, ...) cw_log(CW_LOG_INFO, sub, cam, __VA_ARGS__)
#define cw_debug(sub, cam, ...)                                 \
    do {                                                        \
        if (cw_log_enabled(CW_LOG_DEBUG))                       \
            cw_log(CW_LOG_DEBUG, sub, cam, __VA_ARGS__);        \
    } while (0)

#endif
