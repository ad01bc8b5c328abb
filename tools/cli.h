/* What every `camwatch` subcommand shares: the global options (which may
 * come before or after the subcommand's name), their resolution into a
 * database path and time zone, and the time arguments. */
#ifndef CW_TOOLS_CLI_H
#define CW_TOOLS_CLI_H
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "../daemon/report.h"
#include "../daemon/store.h"

#define CW_CLI_DEFAULT_CONFIG "/etc/camwatch/camwatch.yaml"

/* Exit codes: 0 done, 1 a failure reading or writing data, 2 a misuse
 * (bad option, unknown filter value, bad config). */
enum { CW_EXIT_OK = 0, CW_EXIT_FAIL = 1, CW_EXIT_USAGE = 2 };

struct cw_cli {
    const char *cmd;    /* "camwatch status": what messages start with */
    const char *config; /* -c/--config */
    int config_given;   /* -c was given: with --db, the config still speaks (zone, language, document) */
    const char *db;     /* --db: bypasses the config */
    const char *tz;     /* --tz: the zone to read and print times in, over the config's */
    const char *lang;   /* --lang: vi or en, over the config's */
    /* Set by cw_cli_resolve: the commune's zone (the config's, else the one
     * camwatchd recorded in the database, else Asia/Ho_Chi_Minh; never the
     * shell's TZ) and language. */
    char zone[64];
    int lang_vi;
    /* --db postgresql://…: the province's rows copied into this file for
     * the command (pgread.h); removed when it returns */
    char copy[64];
};

/* getopt_long entries every subcommand accepts, and their codes. */
#define CW_CLI_OPT_DB 0x1000
#define CW_CLI_OPT_TZ 0x1001
#define CW_CLI_OPT_LANG 0x1002
#define CW_CLI_COMMON_LONGOPTS                                                                                   \
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, CW_CLI_OPT_DB},                   \
        {"tz", required_argument, NULL, CW_CLI_OPT_TZ}, {"lang", required_argument, NULL, CW_CLI_OPT_LANG},    \
        {"help", no_argument, NULL, 'h'}

/* Starts a subcommand's getopt_long loop over argv (argv[0] its name). */
void cw_cli_getopt_begin(void);
/* Takes -c/--db into g; 1 if c was one of them, else 0. */
int cw_cli_common(struct cw_cli *g, int c, const char *arg);
/* After getopt_long returned '?' or ':': says which option and what is
 * wrong, points at --help; returns CW_EXIT_USAGE. */
int cw_cli_bad_option(const struct cw_cli *g, char **argv, int c);

/* A subcommand without options of its own: takes the common ones, prints
 * help (exit 0) or names a bad option (exit 2). -1 to go on, else the
 * exit code. */
int cw_cli_no_options(int argc, char **argv, struct cw_cli *g, const char *help);

/* What messages call the database: the file, or the province's server
 * (user@host/db, never a password) when --db named one. */
const char *cw_cli_db_name(const struct cw_cli *g, const char *db, char *buf, size_t len);

/* Who does it, for the records that say so (maintenance, ack): by when
 * given, else $SUDO_USER, else $USER, else "unknown". */
const char *cw_cli_who(const char *by);
/* Now on camwatchd's clock while it runs on this database (the offset it
 * records), else on this machine's: after a step of the system clock
 * camwatchd keeps its own steady and catches up at 1 % (clock.h), and a
 * window dated "now" by the system clock would start hours early or late
 * in its eyes. */
int64_t cw_cli_now(struct cw_store *st);

/* Database path, time zone and language (g->zone, g->lang_vi; the zone
 * is also set as the process's TZ, so that every local time the command
 * reads or prints is the commune's) and report rules (when rules is not
 * NULL) from --db or the config; 0 or a negative code (messages printed).
 * Time arguments are read after it, never before. */
int cw_cli_resolve(struct cw_cli *g, char *db, size_t dblen, struct cw_report_rules *rules);
/* cw_cli_resolve, then opens the database; 0 or an exit code, with a
 * message that says what to do (no database yet, not a camwatch file). */
int cw_cli_open(struct cw_cli *g, int readonly, struct cw_store **st, char *db, size_t dblen,
                struct cw_report_rules *rules);
/* A time argument of option `what` read in the commune's zone (after
 * cw_cli_resolve); on a bad one prints what is wrong and returns -1. */
int cw_cli_time_arg(const struct cw_cli *g, const char *what, const char *s, int64_t now, int bare_is_past,
                    int64_t *out);

/* A time argument, local to the config's time zone unless it says
 * otherwise: now; @UNIX_SECONDS; +DURATION / -DURATION from now (30s, 90m,
 * 2h, 7d); a bare DURATION means that long ago when bare_is_past;
 * YYYY-MM-DD; YYYY-MM-DD HH:MM[:SS] (space or T), optionally ending in Z
 * or ±HH:MM. 0 or -1. */
int cw_cli_parse_time(const char *s, int64_t now, int bare_is_past, int64_t *out);
#define CW_CLI_TIME_HELP                                                                                          \
    "TIME: now, @UNIX_SECONDS, +DURATION or -DURATION from now (90m, 2h, 3d), YYYY-MM-DD,\n"                      \
    "YYYY-MM-DD HH:MM[:SS] (also with T; in the config's time zone unless it ends in Z or +HH:MM)"

/* The command's language: vi when g->lang_vi (cw_cli_resolve). */
#define CW_L(g, vi, en) ((g)->lang_vi ? (vi) : (en))
/* s in a column `cells` wide by display width (Vietnamese letters with
 * their marks take one cell each, however many bytes), cut with "…" when
 * longer; a space after. */
void cw_cli_col(const char *s, int cells);
/* A duration in the command's language: "2 ngày 5 giờ" / "2d 5h". */
char *cw_cli_dur(const struct cw_cli *g, int64_t us, char *buf, size_t len);
/* The language for a command that needs no database (passwd): --lang,
 * else the config's when there is one, else vi. */
void cw_cli_lang_only(struct cw_cli *g);

/* The subcommands: argv[0] is the command's name. */
int cw_cli_status(int argc, char **argv, struct cw_cli *g);
int cw_cli_report(int argc, char **argv, struct cw_cli *g);
int cw_cli_gen_history(int argc, char **argv, struct cw_cli *g);
int cw_cli_analyze(int argc, char **argv, struct cw_cli *g);
int cw_cli_events(int argc, char **argv, struct cw_cli *g);
int cw_cli_alerts(int argc, char **argv, struct cw_cli *g);
int cw_cli_maintenance(int argc, char **argv, struct cw_cli *g);
int cw_cli_ack(int argc, char **argv, struct cw_cli *g);
int cw_cli_upstream(int argc, char **argv, struct cw_cli *g);
/* `camwatch --db postgresql://… upstream check [--all]` (upstream_check.c). */
int cw_cli_upstream_check(struct cw_cli *g, int all);
int cw_cli_passwd(int argc, char **argv, struct cw_cli *g);
int cw_cli_audit(int argc, char **argv, struct cw_cli *g);
int cw_cli_privacy(int argc, char **argv, struct cw_cli *g);
int cw_cli_inventory(int argc, char **argv, struct cw_cli *g);

#endif
