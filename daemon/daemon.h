/* The daemon's root object: the only long-lived global state of camwatchd.
 * daemon.c wires: it creates the modules (writer, cameras, alert policy
 * and outbox, verdict, HTTP server, push) and hands each the narrow thing
 * it needs; none of them includes this header (main.c does). */
#ifndef CW_DAEMON_H
#define CW_DAEMON_H
#include <stdint.h>
#include <uv.h>

#include "camera.h"
#include "config.h"
#include "live.h"
#include "selfwatch.h"

struct cw_alert_policy;
struct cw_outbox;
struct cw_records;
struct cw_writer;

struct cw_daemon {
    char *config_path;
    struct cw_config *cfg;
    uv_loop_t *loop;
    int lock_fd; /* DATABASE.lock, flock()ed for the daemon's life; -1 none */

    struct cw_writer *writer;   /* everything recorded goes through it */
    struct cw_records *records; /* maintenance windows and acknowledgements, read with every write */
    struct cw_plugin_cache *plugins;
    char *snapshot_root; /* state_dir/snapshots */
    char *passwords_path; /* state_dir/passwords: console passwords users changed (auth.h) */
    struct cw_camera_env env;  /* what each camera is given */
    struct cw_camera **cameras;
    int n_cameras;

    struct cw_alert_policy *policy; /* what deserves an alert */
    struct cw_outbox *outbox;       /* the alerts' rows and their delivery */
    struct cw_httpc *alert_httpc;
    uv_timer_t alert_tick;
    struct cw_verdict *verdict; /* the month judged by the report's rules */
    int64_t clock_offset_saved; /* the clock offset last recorded (settings), INT64_MIN: none yet */

    uv_timer_t retention_timer; /* personal data by age, snapshots by size (retention.c) */
    uv_work_t retention_work;
    struct cw_retention_job *retention_job; /* running on the pool, or NULL */
    int64_t retention_next_us;              /* the age limits are next applied then */
    /* the camera inventory (inventory.c): the config's facts at once, the
     * cameras' ONVIF answers from the thread pool at start, after each
     * reload and every day */
    struct cw_inventory_row *inventory;
    int n_inventory;
    uv_timer_t inventory_timer;
    uv_work_t inventory_work;
    struct cw_inventory_job *inventory_job; /* on the pool, or NULL */
    int inventory_again;                    /* a reload came while it ran */
    struct cw_selfwatch selfwatch; /* loop lag, RSS, fds for the metrics */
    /* the live view for the HTTP server, published every flush tick */
    struct cw_live_box live;
    int live_ready;
    struct cw_http *http;
    struct cw_httpc *httpc; /* the metrics push's */
    struct cw_push *push;
    struct cw_shipper *shipper; /* history to the province (upstream:), or NULL */
    int64_t started_us;
    int notify; /* running under systemd with Type=notify */

    uv_signal_t sig_term, sig_int, sig_hup;
    int handles_ready;
    int stopping;
    int exit_code;
};

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path);
/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int cw_daemon_run(struct cw_daemon *d);
void cw_daemon_free(struct cw_daemon *d);

#endif
