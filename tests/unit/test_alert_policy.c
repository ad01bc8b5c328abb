/* The alert rules as data: each tests/data/alerts/NAME.case holds a
 * config, a timeline of what happened to the cameras (state changes,
 * picture conditions, motion, acknowledgements, maintenance windows, a
 * target going down) and the requests the targets must receive, with
 * their times. The policy and the outbox run as camwatchd runs them
 * (ticked every 250 ms, rows committed when asked and every second,
 * answers on the next step), on a fake clock: no daemon, no network, no
 * sleeping, a whole night in milliseconds.
 *
 * Case format (lines; '#' starts a comment):
 *   --- config        YAML, as camwatch.yaml (alerts:, sites:, cameras:)
 *   --- events        TIME WHAT...
 *     TIME CAM online | offline CAUSE | stalled
 *     TIME CAM image COND on|off|ended     (ended: the stream stopped)
 *     TIME CAM motion
 *     TIME ack CAM BY
 *     TIME maint SCOPE ID FROM TO          (declared at TIME)
 *     TIME down TARGET | up TARGET         (it answers 503 / 200)
 *     TIME disk full | disk ok             (the writer cannot commit / can)
 *     TIME end
 *   --- expect        TIME TARGET KIND CAMERA [key=value...] [!503]
 * TIME is seconds ("45", "45.25") or the clock of 2026-11-02 UTC
 * ("22:00", "06:00:00.25"); the next day's clock is "+1d 06:00". Targets
 * are webhooks whose URL ends in their name; what a request carried is
 * read from its JSON body: condition, cameras (folded), more (motion),
 * held (a digest's count), late (a late delivery's seconds). */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../../daemon/alert_policy.h"
#include "../../daemon/config.h"
#include "../../daemon/log.h"
#include "../../daemon/maintenance.h"
#include "../../daemon/outbox.h"
#include "../../daemon/store.h"

#define BASE_US (1762041600LL * 1000000) /* 2026-11-02 00:00:00 UTC, a Monday */
#define TICK_US 250000
#define MAX_CAMS 64
#define MAX_LINES 512

struct cam_sim {
    const struct cw_camera_config *cc;
    struct cw_names names;
    enum cw_state state;
    enum cw_cause cause;
    int64_t since, outage_since;
};

/* A request, or an expected one: when, and what it carried. */
struct line {
    int64_t at;
    char *what;
};

struct answer {
    cw_httpc_cb cb;
    void *ud;
    long code;
};

struct sim {
    struct cw_config *cfg;
    struct cw_alert_policy *policy;
    struct cw_outbox *outbox;
    struct cam_sim cams[MAX_CAMS];
    int n_cams;
    struct cw_maint maint[32];
    int n_maint;
    struct {
        char camera[72], by[64];
        int64_t at;
    } acks[32];
    int n_acks;
    char down[8][72]; /* targets answering 503 */
    int n_down;
    int disk_full;    /* the writer cannot commit: what waits for a commit waits */
    /* the writer, as the outbox sees it */
    struct cw_store_batch *batch;
    uint64_t seq, committed;
    int commit_asked;
    /* requests answered on the next step */
    struct answer answers[256];
    int n_answers;
    struct line got[MAX_LINES];
    int n_got;
    int clock_times; /* the case writes clock times: so are they printed */
};

static int64_t now_us; /* the fake clock the outbox reads when an answer comes */
static int64_t fake_clock(void) { return now_us; }

/* ---- times ---- */

static int parse_time(const char *s, int64_t *us, int *clock)
{
    int days = 0, h, m, n = 0;
    double sec = 0;
    if (sscanf(s, "+%dd%n", &days, &n) == 1) {
        s += n;
        while (*s == ' ')
            s++;
    }
    if (strchr(s, ':')) {
        if (sscanf(s, "%d:%d:%lf", &h, &m, &sec) < 2)
            return -1;
        *us = BASE_US + ((int64_t)days * 86400 + h * 3600 + m * 60) * 1000000 + (int64_t)(sec * 1e6 + 0.5);
        *clock = 1;
        return 0;
    }
    char *end;
    sec = strtod(s, &end);
    if (end == s)
        return -1;
    *us = BASE_US + (int64_t)days * 86400000000LL + (int64_t)(sec * 1e6 + 0.5);
    return 0;
}

static void fmt_time(const struct sim *s, int64_t us, char *buf, size_t len)
{
    int64_t rel = us - BASE_US;
    if (!s->clock_times) {
        snprintf(buf, len, "%.2f", rel / 1e6);
        return;
    }
    int64_t d = rel / 86400000000LL, r = rel % 86400000000LL;
    int h = (int)(r / 3600000000LL), m = (int)(r / 60000000 % 60);
    double sec = (double)(r % 60000000) / 1e6;
    if (d)
        snprintf(buf, len, "+%lldd %02d:%02d:%05.2f", (long long)d, h, m, sec);
    else
        snprintf(buf, len, "%02d:%02d:%05.2f", h, m, sec);
}

/* ---- what the policy and the outbox are handed ---- */

static struct cam_sim *cam_find(struct sim *s, const char *id)
{
    for (int i = 0; i < s->n_cams; i++)
        if (strcmp(s->cams[i].cc->id, id) == 0)
            return &s->cams[i];
    return NULL;
}

static void view(const struct cam_sim *c, struct cw_alert_camera *v)
{
    *v = (struct cw_alert_camera){c->cc->id, &c->names, "", c->state, c->cause, "", c->since, c->outage_since};
}

static const struct cw_maint *maintenance(void *ud, const struct cw_alert_camera *cam, int64_t now)
{
    struct sim *s = ud;
    return cw_maint_active(s->maint, s->n_maint, cam->id, cam->names, now);
}

static int ack(void *ud, const char *camera, int64_t *at_us, const char **by)
{
    struct sim *s = ud;
    for (int i = s->n_acks - 1; i >= 0; i--)
        if (strcmp(s->acks[i].camera, camera) == 0) {
            *at_us = s->acks[i].at;
            *by = s->acks[i].by;
            return 1;
        }
    return 0;
}

static int raise_alert(void *ud, const struct cw_alert_out *a)
{
    struct sim *s = ud;
    return cw_outbox_raise(s->outbox, a);
}

static struct cw_store_batch *sink_batch(void *ud) { return ((struct sim *)ud)->batch; }
static uint64_t sink_seq(void *ud) { return ((struct sim *)ud)->seq; }
static void sink_commit_soon(void *ud) { ((struct sim *)ud)->commit_asked = 1; }

/* A request: noted as the case writes it, answered on the next step. */
static int send_req(void *ud, const struct cw_httpc_req *q, cw_httpc_cb done, void *done_ud)
{
    struct sim *s = ud;
    const char *target = strrchr(q->url, '/') + 1;
    int down = 0;
    for (int i = 0; i < s->n_down; i++)
        down |= strcmp(s->down[i], target) == 0;
    json_error_t err;
    json_t *b = json_loadb(q->body, q->len, 0, &err);
    assert_non_null(b);
    char line[600];
    const char *cam = json_string_value(json_object_get(json_object_get(b, "camera"), "id"));
    int o = snprintf(line, sizeof line, "%s %s %s", target, json_string_value(json_object_get(b, "kind")),
                     cam && cam[0] ? cam : "-");
    const char *cond = json_string_value(json_object_get(b, "condition"));
    if (cond)
        o += snprintf(line + o, sizeof line - (size_t)o, " condition=%s", cond);
    json_t *cams = json_object_get(b, "cameras");
    if (json_is_array(cams)) {
        /* in config order: the policy's list order is its own */
        o += snprintf(line + o, sizeof line - (size_t)o, " cameras=");
        int first = 1;
        for (int i = 0; i < s->n_cams; i++)
            for (size_t k = 0; k < json_array_size(cams); k++)
                if (!strcmp(json_string_value(json_array_get(cams, k)), s->cams[i].cc->id)) {
                    o += snprintf(line + o, sizeof line - (size_t)o, "%s%s", first ? "" : ",", s->cams[i].cc->id);
                    first = 0;
                }
    }
    if (json_object_get(b, "still_down"))
        o += snprintf(line + o, sizeof line - (size_t)o, " still_down=%lld",
                      (long long)json_integer_value(json_object_get(b, "still_down")));
    json_int_t more = json_integer_value(json_object_get(b, "more"));
    if (more)
        o += snprintf(line + o, sizeof line - (size_t)o, " more=%lld", (long long)more);
    if (json_is_array(json_object_get(b, "held")))
        o += snprintf(line + o, sizeof line - (size_t)o, " held=%zu", json_array_size(json_object_get(b, "held")));
    if (json_object_get(b, "late_s"))
        o += snprintf(line + o, sizeof line - (size_t)o, " late=%lld",
                      (long long)json_integer_value(json_object_get(b, "late_s")));
    if (down)
        snprintf(line + o, sizeof line - (size_t)o, " !503");
    json_decref(b);
    assert_true(s->n_got < MAX_LINES && s->n_answers < 256);
    s->got[s->n_got++] = (struct line){now_us, strdup(line)};
    s->answers[s->n_answers++] = (struct answer){done, done_ud, down ? 503 : 200};
    return 0;
}

/* ---- the loop, simulated ---- */

/* After each step: what asked to be committed is (the writer commits at
 * once when asked and with every 1 s tick), then the answers come. */
static void settle(struct sim *s, int second)
{
    for (int round = 0; round < 8 && ((!s->disk_full && (s->commit_asked || second)) || s->n_answers); round++) {
        if ((s->commit_asked || second) && !s->disk_full) {
            s->commit_asked = second = 0;
            s->committed = s->seq++;
            cw_store_batch_free(s->batch);
            s->batch = cw_store_batch_new();
            cw_outbox_committed(s->outbox, s->committed, now_us);
        }
        int n = s->n_answers;
        struct answer a[256];
        memcpy(a, s->answers, sizeof a[0] * (size_t)n);
        s->n_answers = 0;
        for (int i = 0; i < n; i++)
            a[i].cb(a[i].ud, 0, a[i].code, NULL);
    }
}

static void set_state(struct sim *s, struct cam_sim *c, const char *what, const char *cause)
{
    enum cw_state st = !strcmp(what, "online") ? CW_STATE_ONLINE : !strcmp(what, "stalled") ? CW_STATE_STALLED
                                                                                             : CW_STATE_OFFLINE;
    int was_down = c->state == CW_STATE_OFFLINE || c->state == CW_STATE_STALLED;
    int down = st != CW_STATE_ONLINE;
    c->state = st;
    c->cause = CW_CAUSE_NONE;
    if (st == CW_STATE_OFFLINE) {
        int k = 1;
        while (strcmp(cw_cause_name((enum cw_cause)k), cause) != 0 && strcmp(cw_cause_name((enum cw_cause)k), "?") != 0)
            k++;
        assert_string_equal(cw_cause_name((enum cw_cause)k), cause);
        c->cause = (enum cw_cause)k;
    }
    c->since = now_us;
    if (down && !was_down)
        c->outage_since = now_us;
    else if (!down)
        c->outage_since = 0;
    struct cw_alert_camera v;
    view(c, &v);
    cw_alert_policy_state(s->policy, &v, now_us);
}

static void apply(struct sim *s, char *line, const char *file, int lineno)
{
    char *tok[8];
    int n = 0;
    for (char *p = strtok(line, " \t"); p && n < 8; p = strtok(NULL, " \t"))
        tok[n++] = p;
    if (n < 1)
        return;
    struct cam_sim *c = cam_find(s, tok[0]);
    if (c && n >= 2 && (!strcmp(tok[1], "online") || !strcmp(tok[1], "stalled") || !strcmp(tok[1], "offline"))) {
        set_state(s, c, tok[1], n > 2 ? tok[2] : "unreachable");
    } else if (c && n == 4 && !strcmp(tok[1], "image")) {
        cw_alert_policy_image(s->policy, c->cc->id, tok[2], strcmp(tok[3], "on") == 0, strcmp(tok[3], "ended") == 0,
                              now_us);
    } else if (c && n == 2 && !strcmp(tok[1], "motion")) {
        cw_alert_policy_motion(s->policy, c->cc->id, "motion", now_us, now_us, 0.5, "", 0);
    } else if (n == 3 && !strcmp(tok[0], "ack") && s->n_acks < 32) {
        snprintf(s->acks[s->n_acks].camera, sizeof s->acks[0].camera, "%s", tok[1]);
        snprintf(s->acks[s->n_acks].by, sizeof s->acks[0].by, "%s", tok[2]);
        s->acks[s->n_acks++].at = now_us;
    } else if (n == 5 && !strcmp(tok[0], "maint") && s->n_maint < 32) {
        struct cw_maint *w = &s->maint[s->n_maint];
        int clk;
        memset(w, 0, sizeof *w);
        w->id = s->n_maint + 1;
        w->scope = (enum cw_maint_scope)cw_maint_scope_parse(tok[1]);
        snprintf(w->target, sizeof w->target, "%s", tok[2]);
        if ((int)w->scope < 0 || parse_time(tok[3], &w->from_us, &clk) < 0 || parse_time(tok[4], &w->to_us, &clk) < 0)
            fail_msg("%s:%d: maint SCOPE ID FROM TO", file, lineno);
        s->n_maint++;
    } else if (n == 2 && !strcmp(tok[0], "disk")) {
        s->disk_full = strcmp(tok[1], "full") == 0;
    } else if (n == 2 && !strcmp(tok[0], "down") && s->n_down < 8) {
        snprintf(s->down[s->n_down++], sizeof s->down[0], "%s", tok[1]);
    } else if (n == 2 && !strcmp(tok[0], "up")) {
        for (int i = 0; i < s->n_down; i++)
            if (!strcmp(s->down[i], tok[1]))
                memmove(s->down[i], s->down[--s->n_down], sizeof s->down[0]);
    } else {
        fail_msg("%s:%d: cannot read this event", file, lineno);
    }
}

/* ---- a case ---- */

struct event {
    int64_t at;
    char *what;
    int line;
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = calloc(1, (size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static void strip(char *l)
{
    char *h = strchr(l, '#');
    if (h)
        *h = '\0';
    size_t n = strlen(l);
    while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
        l[--n] = '\0';
}

/* "TIME rest": the time, and where the rest begins (a "+1d" prefix
 * belongs to the time). */
static int split_time(struct sim *s, char *l, int64_t *at, char **rest)
{
    char *p = l;
    if (*p == '+')
        p = strchr(p, ' ') ? strchr(p, ' ') + 1 : p;
    char *sp = strpbrk(p, " \t");
    if (!sp)
        return -1;
    *sp = '\0';
    int clock = 0;
    int rc = parse_time(l, at, &clock);
    s->clock_times |= clock;
    *rest = sp + 1;
    while (**rest == ' ' || **rest == '\t')
        (*rest)++;
    return rc;
}

static int by_time(const void *x, const void *y)
{
    const struct line *a = x, *b = y;
    return a->at != b->at ? (a->at > b->at) - (a->at < b->at) : strcmp(a->what, b->what);
}

static void run_case(void **state)
{
    const char *path = *state;
    char *text = slurp(path);
    assert_non_null(text);
    struct sim *s = calloc(1, sizeof *s);
    struct event *ev = calloc(MAX_LINES, sizeof *ev);
    struct line want[MAX_LINES];
    int n_ev = 0, n_want = 0, section = 0, lineno = 0;
    char *yaml = calloc(1, strlen(text) * 2 + 1);
    assert_non_null(s);
    int64_t end = 0;

    /* the sections */
    for (char *l = text, *nl; l && *l; l = nl) {
        nl = strchr(l, '\n');
        if (nl)
            *nl++ = '\0';
        lineno++;
        if (!strncmp(l, "--- ", 4)) {
            section = !strcmp(l + 4, "config") ? 1 : !strcmp(l + 4, "events") ? 2 : !strcmp(l + 4, "expect") ? 3 : -1;
            if (section < 0)
                fail_msg("%s:%d: unknown section %s", path, lineno, l);
            for (int i = 0; section == 1 && !yaml[0] && i < lineno; i++)
                strcat(yaml, "#\n"); /* the config's errors name the case's lines */
            continue;
        }
        if (section == 1) {
            strcat(yaml, l);
            strcat(yaml, "\n");
            continue;
        }
        strip(l);
        if (!l[0] || section == 0)
            continue;
        int64_t at;
        char *rest = NULL;
        if (split_time(s, l, &at, &rest) < 0)
            fail_msg("%s:%d: a line starts with its time", path, lineno);
        if (section == 2) {
            if (!strcmp(rest, "end")) {
                end = at;
                continue;
            }
            if (n_ev && at < ev[n_ev - 1].at)
                fail_msg("%s:%d: events go in time order", path, lineno);
            ev[n_ev++] = (struct event){at, rest, lineno};
        } else {
            want[n_want++] = (struct line){at, strdup(rest)};
        }
    }

    struct cw_config_errors errs = {0};
    int rc = cw_config_load_buffer(path, "/tmp", yaml, strlen(yaml), 0, &s->cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        print_message("%s\n", errs.msgs[i]);
    cw_config_errors_free(&errs);
    assert_int_equal(rc, 0);

    for (int i = 0; i < s->cfg->n_cameras && i < MAX_CAMS; i++) {
        struct cam_sim *c = &s->cams[s->n_cams++];
        c->cc = &s->cfg->cameras[i];
        cw_config_camera_names(s->cfg, c->cc, &c->names);
        c->state = CW_STATE_STARTING;
    }
    s->batch = cw_store_batch_new();
    s->seq = 1;
    now_us = BASE_US;
    struct cw_outbox_params op = {.cfg = &s->cfg->alerts, .listen = "",
                                  .sink = {sink_batch, sink_seq, sink_commit_soon, s}, .send = send_req,
                                  .send_ud = s, .clock = fake_clock};
    struct cw_alert_policy_params pp = {.cfg = &s->cfg->alerts, .report = &s->cfg->report, .maintenance = maintenance,
                                        .ack = ack, .raise = raise_alert, .ud = s};
    assert_int_equal(cw_outbox_create(&op, &s->outbox), 0);
    assert_int_equal(cw_alert_policy_create(&pp, &s->policy), 0);
    for (int i = 0; i < s->n_cams; i++) {
        struct cw_alert_camera v;
        view(&s->cams[i], &v);
        cw_alert_policy_camera(s->policy, &v);
    }
    if (!end)
        end = (n_ev ? ev[n_ev - 1].at : BASE_US) + 3600000000LL;

    /* the loop: events at their own times, ticks every 250 ms */
    int k = 0;
    for (int64_t t = BASE_US; t <= end; t += TICK_US) {
        while (k < n_ev && ev[k].at <= t) {
            now_us = ev[k].at;
            apply(s, ev[k].what, path, ev[k].line);
            settle(s, 0);
            k++;
        }
        now_us = t;
        cw_alert_policy_tick(s->policy, t);
        cw_outbox_tick(s->outbox, t);
        settle(s, (t - BASE_US) % 1000000 == 0);
    }

    /* what each target got, in time order; one step's requests in any
     * order (which target is sent to first is not a rule) */
    qsort(s->got, (size_t)s->n_got, sizeof s->got[0], by_time);
    qsort(want, (size_t)n_want, sizeof want[0], by_time);
    int same = s->n_got == n_want;
    for (int i = 0; same && i < n_want; i++)
        same = s->got[i].at == want[i].at && strcmp(s->got[i].what, want[i].what) == 0;
    if (!same) {
        char t[40];
        print_message("%s: the targets got\n", path);
        for (int i = 0; i < s->n_got; i++) {
            int ok = i < n_want && s->got[i].at == want[i].at && !strcmp(s->got[i].what, want[i].what);
            fmt_time(s, s->got[i].at, t, sizeof t);
            print_message("  %s %s%s\n", t, s->got[i].what, ok ? "" : "   <--");
        }
        print_message("expected\n");
        for (int i = 0; i < n_want; i++) {
            fmt_time(s, want[i].at, t, sizeof t);
            print_message("  %s %s\n", t, want[i].what);
        }
    }
    cw_alert_policy_free(s->policy);
    cw_outbox_free(s->outbox);
    cw_store_batch_free(s->batch);
    cw_config_free(s->cfg);
    for (int i = 0; i < s->n_got; i++)
        free(s->got[i].what);
    for (int i = 0; i < n_want; i++)
        free(want[i].what);
    free(ev);
    free(yaml);
    free(text);
    free(s);
    assert_true(same);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    /* local time is UTC here: the cases' clock times are the zone's */
    setenv("TZ", "UTC", 1);
    tzset();
    cw_log_set_level(CW_LOG_ERROR);
    const char *data = getenv("CW_TEST_DATA") ? getenv("CW_TEST_DATA") : "tests/data";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/alerts", data);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot read %s\n", dir);
        return 1;
    }
    char *paths[128];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 128;) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".case") && asprintf(&paths[n], "%s/%s", dir, e->d_name) > 0)
            n++;
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof paths[0], by_name);
    struct CMUnitTest *tests = calloc((size_t)n, sizeof *tests);
    for (int i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){strrchr(paths[i], '/') + 1, run_case, NULL, NULL, paths[i]};
    int rc = _cmocka_run_group_tests("alert_policy", tests, (size_t)n, NULL, NULL);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(tests);
    return rc;
}
