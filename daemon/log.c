/* The log sink (see log.h). Lines are formatted whole and written with one
 * fputs so that lines from ingest threads never interleave mid-line. */
#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "clock.h"
#include "redact.h"

static int log_level = CW_LOG_INFO;
static FILE *log_stream;
static int log_journal; /* stderr is journald's stream: "<N>" priorities, no timestamp */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int cw_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

const char *cw_log_level_name(int level)
{
    return level >= 0 && level < 4 ? level_names[level] : "?";
}

void cw_log_set_level(int level) { log_level = level; }
void cw_log_set_stream(FILE *f) { log_stream = f; }
int cw_log_enabled(int level) { return level <= log_level; }

int cw_log_detect_journal(void)
{
    /* systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected;
     * stderr is that stream only if they match (a redirect in a unit's
     * ExecStart= keeps the variable but not the stream). */
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat sb;
    log_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &sb) == 0 &&
                  (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
    return log_journal;
}

static void emit(int level, const char *subsys, const char *camera, const char *msg)
{
    char ts[40], line[2048], masked[2048];
    size_t n;

    /* syslog priorities: err, warning, info, debug (journalctl -p) */
    static const char *const prio[] = {"<3>", "<4>", "<6>", "<7>"};
    if (log_journal)
        snprintf(ts, sizeof ts, "%s", prio[level]); /* journald stamps the time itself */
    else
        cw_fmt_utc(cw_wall_us(), ts, sizeof ts);
    if (camera)
        snprintf(line, sizeof line, "%s%s%-5s %s [%s]: %s", ts, log_journal ? "" : " ", level_names[level], subsys, camera, msg);
    else
        snprintf(line, sizeof line, "%s%s%-5s %s: %s", ts, log_journal ? "" : " ", level_names[level], subsys, msg);
    cw_redact_text(line, masked, sizeof masked - 1);
    n = strlen(masked);
    while (n > 0 && (masked[n - 1] == '\n' || masked[n - 1] == '\r'))
        n--;
    masked[n++] = '\n';
    masked[n] = '\0';
    fputs(masked, log_stream ? log_stream : stderr);
    fflush(log_stream ? log_stream : stderr);
}

void cw_log(int level, const char *subsys, const char *camera, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;

    if (!cw_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit(level, subsys, camera, msg);
}
