/* The alert outbox and delivery (see outbox.h). */
#include "outbox.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "report_fmt.h"
#include "words.h"

#define RETRY_MIN_US 5000000LL
#define RETRY_MAX_US 600000000LL
#define GIVE_UP_US (24 * 3600 * 1000000LL)
#define MAX_COUNTED 32
#define DIGEST_LINES 20

struct alert {
    int refs;
    char key[48], camera[72], kind[24], severity[12];
    int64_t created_us;
    json_t *body;
};

struct delivery {
    struct delivery *next;
    struct alert *a;
    char target[72];
    int attempts, inflight;
    int64_t next_us;
    uint64_t seq; /* the batch that holds it: sendable once committed */
    struct cw_outbox *owner;
    int held;     /* in the target's quiet hours: told in the digest at next_us */
};

/* An alert firing at an Alertmanager target, posted again every
 * repost_interval so that its endsAt stays ahead while camwatchd lives. */
struct firing {
    struct firing *next;
    struct alert *al;
    char target[72];
    char match[120]; /* what resolves it: "offline:CAM", "image:CAM:COND", "place:LEVEL:ID" */
};

struct cw_outbox {
    struct cw_outbox_params p;
    char listen[128];
    struct delivery *q;
    int64_t pending;
    uint64_t counter, committed;
    struct firing *firing;
    int64_t reposted_us;
    struct {
        char name[72];
        int64_t delivered;
    } counted[MAX_COUNTED];
    int n_counted;
};

int cw_outbox_create(const struct cw_outbox_params *p, struct cw_outbox **out)
{
    struct cw_outbox *o = calloc(1, sizeof *o);
    *out = o;
    if (!o)
        return CW_ENOMEM;
    o->p = *p;
    snprintf(o->listen, sizeof o->listen, "%s", p->listen ? p->listen : "");
    return 0;
}

static void alert_unref(struct alert *a)
{
    if (a && --a->refs == 0) {
        json_decref(a->body);
        free(a);
    }
}

void cw_outbox_free(struct cw_outbox *o)
{
    if (!o)
        return;
    while (o->q) {
        struct delivery *dl = o->q;
        o->q = dl->next;
        alert_unref(dl->a);
        free(dl);
    }
    while (o->firing) {
        struct firing *f = o->firing;
        o->firing = f->next;
        alert_unref(f->al);
        free(f);
    }
    free(o);
}

void cw_outbox_reconfigure(struct cw_outbox *o, const struct cw_alerts_config *cfg, const char *listen)
{
    o->p.cfg = cfg;
    snprintf(o->listen, sizeof o->listen, "%s", listen ? listen : "");
}

int64_t cw_outbox_pending(const struct cw_outbox *o) { return o ? o->pending : 0; }

int cw_outbox_delivered(const struct cw_outbox *o, int i, const char **target, int64_t *count)
{
    if (!o || i >= o->n_counted)
        return 0;
    *target = o->counted[i].name;
    *count = o->counted[i].delivered;
    return 1;
}

static const struct cw_alert_target *target_by_name(const struct cw_outbox *o, const char *name)
{
    for (int i = 0; i < o->p.cfg->n_targets; i++)
        if (strcmp(o->p.cfg->targets[i].name, name) == 0)
            return &o->p.cfg->targets[i];
    return NULL;
}

static const char *body_str(json_t *b, const char *k)
{
    const char *s = json_string_value(json_object_get(b, k));
    return s ? s : "";
}

static void hhmm(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%H:%M %d/%m", &tm);
}

/* ---- routing ---- */

static int in_list(char *const *list, const char *v)
{
    if (!list || !list[0])
        return 1; /* no filter */
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return 1;
    return 0;
}

/* A target's communes: by current id, or by an id the commune absorbed. */
static int commune_in(char *const *list, const struct cw_alert_out *a)
{
    if (!list || !list[0])
        return 1;
    for (int i = 0; list[i]; i++)
        if (cw_commune_is(a->names->commune, a->formerly ? a->formerly : "", list[i]))
            return 1;
    return 0;
}

static int local_minute(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

static int severity_rank(const char *s)
{
    return !strcmp(s, "critical") ? 2 : !strcmp(s, "warning") ? 1 : 0;
}

/* Inside the target's quiet hours, the end of them (the next local
 * HH:MM of their end); else 0. */
static int64_t quiet_until(const struct cw_alert_target *t, int64_t now)
{
    if (t->quiet_from_min < 0 || !cw_schedule_contains(t->quiet_from_min, t->quiet_to_min, local_minute(now)))
        return 0;
    time_t s = (time_t)(now / 1000000);
    struct tm tm;
    localtime_r(&s, &tm);
    tm.tm_hour = t->quiet_to_min / 60;
    tm.tm_min = t->quiet_to_min % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t end = mktime(&tm);
    if ((int64_t)end * 1000000 <= now) {
        tm.tm_mday++;
        tm.tm_isdst = -1;
        end = mktime(&tm);
    }
    return (int64_t)end * 1000000;
}

/* One delivery of al to t, in the batch being built: due now, or held for
 * the digest at the end of t's quiet hours unless its severity passes. */
static void queue_delivery(struct cw_outbox *o, struct alert *al, const struct cw_alert_target *t, int64_t now,
                           int may_hold)
{
    struct delivery *dl = calloc(1, sizeof *dl);
    if (!dl)
        return;
    int64_t until = may_hold ? quiet_until(t, now) : 0;
    dl->held = until && severity_rank(al->severity) < t->quiet_pass_rank;
    dl->a = al;
    al->refs++;
    dl->owner = o;
    snprintf(dl->target, sizeof dl->target, "%s", t->name);
    dl->next_us = dl->held ? until : now;
    dl->seq = o->p.sink.seq(o->p.sink.ud);
    dl->next = o->q;
    o->q = dl;
    o->pending++;
    cw_store_batch_delivery(o->p.sink.batch(o->p.sink.ud), al->key, t->name, 1, dl->held ? "held" : "pending", 0,
                            dl->next_us, "", 0);
}

/* ---- raising ---- */

/* A new alert (one reference), its key unique across restarts and hosts. */
static struct alert *alert_new(struct cw_outbox *o, const struct cw_alert_out *a)
{
    struct alert *al = calloc(1, sizeof *al);
    char hostpart[16], ts[40];
    if (!al)
        return NULL;
    al->refs = 1;
    snprintf(hostpart, sizeof hostpart, "%04x", (unsigned)(getpid() & 0xffff));
    snprintf(al->key, sizeof al->key, "cw-%llx-%s-%llu", (unsigned long long)a->at_us, hostpart,
             (unsigned long long)++o->counter);
    snprintf(al->camera, sizeof al->camera, "%s", a->camera ? a->camera : "");
    snprintf(al->kind, sizeof al->kind, "%s", a->kind);
    snprintf(al->severity, sizeof al->severity, "%s", a->severity);
    al->created_us = a->at_us;
    al->body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "key", al->key, "kind", a->kind, "severity", a->severity, "time",
                         cw_fmt_utc(a->at_us, ts, sizeof ts), "time_us", (json_int_t)a->at_us);
    if (a->names) {
        json_t *cam = json_pack("{s:s}", "id", al->camera);
        cw_names_json(cam, a->names);
        json_object_set_new(al->body, "camera", cam);
    }
    json_object_set_new(al->body, "message_vi", json_string(a->msg_vi));
    json_object_set_new(al->body, "message_en", json_string(a->msg_en));
    if (a->extra)
        json_object_update(al->body, a->extra);
    return al;
}

int cw_outbox_raise(struct cw_outbox *o, const struct cw_alert_out *a)
{
    const struct cw_alerts_config *ac = o->p.cfg;
    struct alert *al = alert_new(o, a);
    json_decref(a->extra);
    if (!al || !al->body) {
        alert_unref(al);
        return 0;
    }
    /* the outbox row must be committed before anyone is told: commit now
     * rather than at the next tick */
    char *body = json_dumps(al->body, JSON_COMPACT);
    cw_store_batch_alert(o->p.sink.batch(o->p.sink.ud), al->key, al->created_us, al->camera, al->kind, al->severity,
                         body ? body : "{}");
    free(body);
    o->p.sink.commit_soon(o->p.sink.ud);
    int routed = 0;
    for (int i = 0; i < ac->n_targets; i++) {
        const struct cw_alert_target *t = &ac->targets[i];
        if (a->only_target) { /* escalations and digests: to that target alone, whatever its filters */
            if (strcmp(t->name, a->only_target) == 0) {
                queue_delivery(o, al, t, a->at_us, 0);
                routed++;
            }
            continue;
        }
        /* escalate_to gets the escalations (only_target above) and nothing else */
        if (ac->escalate_to && ac->escalate_to[0] && !strcmp(t->name, ac->escalate_to))
            continue;
        if (!in_list(t->kinds, a->kind) || (a->names && (!in_list(t->sites, a->names->site) || !commune_in(t->communes, a) ||
                                                        !in_list(t->districts, a->names->district))) ||
            !cw_schedule_contains(t->sched_from_min, t->sched_to_min, local_minute(a->at_us)))
            continue;
        queue_delivery(o, al, t, a->at_us, 1);
        routed++;
    }
    cw_info("alert", al->camera[0] ? al->camera : NULL, "%s (%s) -> %d target(s): %s", a->kind, a->severity, routed,
            ac->lang_vi ? a->msg_vi : a->msg_en);
    alert_unref(al);
    return 1;
}

/* ---- Alertmanager ---- */

/* What pairs a firing alert with its resolution. */
static void am_match(const struct alert *al, char *match, size_t len)
{
    const struct cw_alert_kind *k = cw_alert_kind(al->kind);
    json_t *b = al->body;
    const char *cam = body_str(json_object_get(b, "camera"), "id");
    const char *place = body_str(json_object_get(b, "place"), "id"), *plevel = body_str(json_object_get(b, "place"), "level");
    match[0] = '\0';
    if (!k || !k->pair)
        return;
    if (!strcmp(k->pair, "offline"))
        snprintf(match, len, "offline:%s", cam);
    else if (!strcmp(k->pair, "image"))
        snprintf(match, len, "image:%s:%s", cam, body_str(b, "condition"));
    else if (place[0])
        snprintf(match, len, "place:%s:%s", plevel, place);
}

/* One alert with its severity, a description, the runbook and a link to
 * the camera (generatorURL). A firing alert's endsAt is 3 repost intervals
 * ahead: camwatch posts it again every interval while it fires, so if
 * camwatchd dies it resolves by itself (and the rule CamwatchAbsent says
 * why). A resolution resolves it; the others expire after 15 minutes. */
static char *alertmanager_body(struct cw_outbox *o, struct alert *al, int vi, int64_t now)
{
    const struct cw_alerts_config *ac = o->p.cfg;
    const struct cw_alert_kind *k = cw_alert_kind(al->kind);
    json_t *b = al->body, *cam = json_object_get(b, "camera"), *place = json_object_get(b, "place");
    char starts[40], ends[40], gen[300] = "", desc[1600];
    int64_t start = al->created_us, end;
    int firing = k && k->fires, resolving = k && k->resolves;
    if (json_integer_value(json_object_get(b, "outage_since_us")) > 0)
        start = json_integer_value(json_object_get(b, "outage_since_us"));
    else if (json_integer_value(json_object_get(b, "start_us")) > 0)
        start = json_integer_value(json_object_get(b, "start_us"));
    if (resolving)
        end = al->created_us;
    else if (firing)
        end = now + 3 * ac->repost_us;
    else
        end = (al->created_us > now ? al->created_us : now) + 15 * 60000000LL;
    if (start <= 0 || start > end)
        start = al->created_us < end ? al->created_us : end;
    /* a resolution carries the severity of what it resolves: the same
     * labels resolve it */
    const char *sev = resolving ? cw_alert_severity(ac, k->resolves) : al->severity;
    json_t *labels = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alertname", k ? k->am_name : "CamwatchAlert", "site",
                               body_str(cam, "site"), "commune", body_str(cam, "commune"), "district",
                               body_str(cam, "district"), "severity", sev);
    if (place && !strcmp(body_str(place, "level"), "commune"))
        json_object_del(labels, "site"); /* a commune alert is not one site's */
    if (!place)
        json_object_set_new(labels, "camera", json_string(body_str(cam, "id")));
    if (json_object_get(b, "condition"))
        json_object_set_new(labels, "condition", json_string(body_str(b, "condition")));
    const char *cause = body_str(b, "cause"), *detail = body_str(b, "detail");
    snprintf(desc, sizeof desc, "%s%s%s%s%s", body_str(b, vi ? "message_vi" : "message_en"),
             cause[0] ? (vi ? " | nguyên nhân: " : " | cause: ") : "", cause[0] ? cw_word(cause, vi) : "",
             detail[0] ? " | " : "", detail);
    if (o->listen[0])
        snprintf(gen, sizeof gen, "http://%s/api/v1/cameras/%s", o->listen, body_str(cam, "id"));
    json_t *ann = json_pack("{s:s, s:s, s:s, s:s}", "summary", body_str(b, vi ? "message_vi" : "message_en"),
                            "description", desc, "runbook_url", ac->runbook_url ? ac->runbook_url : "", "camwatch_key",
                            al->key);
    json_t *one = json_pack("{s:o, s:o, s:s, s:s}", "labels", labels, "annotations", ann, "startsAt",
                            cw_fmt_utc(start, starts, sizeof starts), "endsAt", cw_fmt_utc(end, ends, sizeof ends));
    if (gen[0])
        json_object_set_new(one, "generatorURL", json_string(gen));
    json_t *arr = json_pack("[o]", one);
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}

/* Keeps the Alertmanager alerts that fire, for reposting; a resolution
 * ends the firing one it matches. */
static void track_firing(struct cw_outbox *o, struct alert *al, const char *target)
{
    const struct cw_alert_kind *k = cw_alert_kind(al->kind);
    char match[120];
    am_match(al, match, sizeof match);
    if (!match[0] || !k || (!k->fires && !k->resolves))
        return;
    for (struct firing **pp = &o->firing; *pp;) {
        struct firing *f = *pp;
        if (!strcmp(f->target, target) && !strcmp(f->match, match)) {
            *pp = f->next;
            alert_unref(f->al);
            free(f);
        } else {
            pp = &f->next;
        }
    }
    if (!k->fires)
        return;
    struct firing *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->al = al;
    al->refs++;
    snprintf(f->target, sizeof f->target, "%s", target);
    snprintf(f->match, sizeof f->match, "%s", match);
    f->next = o->firing;
    o->firing = f;
}

static void on_reposted(void *ud, int status, long code, const char *err)
{
    (void)ud;
    if (status != 0 || code < 200 || code >= 300)
        cw_debug("alert", NULL, "Alertmanager repost failed (%s %ld); the next one follows", err ? err : "", code);
}

/* Every repost interval, the firing alerts again with endsAt moved on. */
static void repost_firing(struct cw_outbox *o, int64_t now)
{
    if (!o->firing || now - o->reposted_us < o->p.cfg->repost_us)
        return;
    o->reposted_us = now;
    for (struct firing *f = o->firing; f; f = f->next) {
        const struct cw_alert_target *t = target_by_name(o, f->target);
        if (!t)
            continue;
        char url[2048];
        snprintf(url, sizeof url, "%s/api/v2/alerts", t->url);
        char *body = alertmanager_body(o, f->al, o->p.cfg->lang_vi, now);
        struct cw_httpc_req q = {.method = "POST", .url = url, .content_type = "application/json",
                                 .body = body, .len = body ? strlen(body) : 0, .timeout_ms = 10000};
        o->p.send(o->p.send_ud, &q, on_reposted, NULL);
        free(body);
    }
}

/* ---- sending ---- */

/* {{field}} substitution with JSON-escaped values. */
static char *render_template(const char *tpl, json_t *b, int vi)
{
    json_t *cam = json_object_get(b, "camera");
    size_t cap = strlen(tpl) * 2 + 1024, o = 0;
    char *out = malloc(cap);
    for (const char *p = tpl; out && *p;) {
        const char *end;
        if (p[0] == '{' && p[1] == '{' && (end = strstr(p + 2, "}}"))) {
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
            const char *v = "";
            if (!strcmp(name, "message"))
                v = body_str(b, vi ? "message_vi" : "message_en");
            else if (!strcmp(name, "camera"))
                v = body_str(cam, "id");
            else if (!strcmp(name, "camera_name"))
                v = body_str(cam, "name");
            else if (!strcmp(name, "site") || !strcmp(name, "site_name") || !strcmp(name, "commune") ||
                     !strcmp(name, "commune_name") || !strcmp(name, "district"))
                v = body_str(cam, name);
            else
                v = body_str(b, name);
            json_t *js = json_string(v);
            char *enc = json_dumps(js, JSON_ENCODE_ANY);
            json_decref(js);
            size_t n = enc ? strlen(enc) - 2 : 0; /* without the quotes */
            if (o + n + 1 > cap) {
                char *t = realloc(out, cap = (o + n + 1) * 2);
                if (!t) {
                    free(enc);
                    free(out);
                    return NULL;
                }
                out = t;
            }
            if (enc)
                memcpy(out + o, enc + 1, n);
            o += n;
            free(enc);
            p = end + 2;
            continue;
        }
        if (o + 2 > cap) {
            char *t = realloc(out, cap *= 2);
            if (!t) {
                free(out);
                return NULL;
            }
            out = t;
        }
        out[o++] = *p++;
    }
    if (out)
        out[o] = '\0';
    return out;
}

static void remove_delivery(struct cw_outbox *o, struct delivery *dl)
{
    for (struct delivery **pp = &o->q; *pp; pp = &(*pp)->next)
        if (*pp == dl) {
            *pp = dl->next;
            break;
        }
    o->pending--;
    alert_unref(dl->a);
    free(dl);
}

static void on_sent(void *ud, int status, long code, const char *err);

/* What goes out: the stored alert, and, for a delivery later than
 * late_after (the chat service or the uplink was away, a restart replayed
 * the outbox), first the note that it is late and since when: a replayed
 * message must not read as news. */
static json_t *sent_body(struct cw_outbox *o, const struct delivery *dl, int vi, int64_t now)
{
    json_t *sent = json_deep_copy(dl->a->body);
    int64_t late = now - dl->a->created_us;
    if (!sent || late < o->p.cfg->late_after_us)
        return sent;
    char when[32], d[48], note[160];
    hhmm(dl->a->created_us, when, sizeof when);
    if (vi)
        snprintf(note, sizeof note, "[Gửi muộn %s, sự việc lúc %s] ", cw_rfmt_duration(late, 1, d, sizeof d), when);
    else
        snprintf(note, sizeof note, "[Late by %s, it happened at %s] ", cw_rfmt_duration(late, 0, d, sizeof d), when);
    const char *keys[] = {"message_vi", "message_en"};
    for (int k = 0; k < 2; k++) {
        char *m = NULL;
        if (asprintf(&m, "%s%s", note, body_str(sent, keys[k])) >= 0)
            json_object_set_new(sent, keys[k], json_string(m));
        free(m);
    }
    json_object_set_new(sent, "late_s", json_integer(late / 1000000));
    return sent;
}

static void send_one(struct cw_outbox *o, struct delivery *dl, int64_t now)
{
    assert(dl->seq <= o->committed); /* nobody is told of a row that is not on disk */
    const struct cw_alert_target *t = target_by_name(o, dl->target);
    int vi = o->p.cfg->lang_vi;
    char idem[120], url[2048];
    const char *headers[] = {idem, NULL};
    struct cw_httpc_req q = {.method = "POST", .headers = headers, .timeout_ms = 10000};
    char *body = NULL;

    snprintf(idem, sizeof idem, "Idempotency-Key: %s", dl->a->key);
    if (!t) {
        /* The target left the config (a reload, or a restart with pending
         * deliveries): nothing will ever take it. Close the row as failed
         * and say why, instead of leaving it pending forever. */
        cw_warn("alert", dl->a->camera, "%s to %s: dropped, the target is no longer in the configuration",
                dl->a->kind, dl->target);
        cw_store_batch_delivery(o->p.sink.batch(o->p.sink.ud), dl->a->key, dl->target, 0, "failed", dl->attempts,
                                now, "target removed from the configuration", 0);
        remove_delivery(o, dl);
        return;
    }
    json_t *sent = sent_body(o, dl, vi, now);
    if (!sent)
        return;
    if (!strcmp(t->type, "webhook")) {
        body = t->template_ && t->template_[0] ? render_template(t->template_, sent, vi) : json_dumps(sent, JSON_COMPACT);
        q.url = t->url;
        q.content_type = "application/json";
    } else if (!strcmp(t->type, "alertmanager")) {
        body = alertmanager_body(o, dl->a, vi, now);
        snprintf(url, sizeof url, "%s/api/v2/alerts", t->url);
        q.url = url;
        q.content_type = "application/json";
    } else { /* telegram */
        const char *base = t->url && t->url[0] ? t->url : "https://api.telegram.org";
        const char *snap = body_str(sent, "snapshot");
        const char *text = body_str(sent, vi ? "message_vi" : "message_en");
        if (snap[0] && access(snap, R_OK) == 0) {
            static const char *form[5];
            snprintf(url, sizeof url, "%s/bot%s/sendPhoto", base, t->token);
            form[0] = "chat_id", form[1] = t->chat_id, form[2] = "caption", form[3] = text, form[4] = NULL;
            q.form = form;
            q.file_field = "photo";
            q.file_path = snap;
        } else {
            snprintf(url, sizeof url, "%s/bot%s/sendMessage", base, t->token);
            json_t *m = json_pack("{s:s, s:s}", "chat_id", t->chat_id, "text", text);
            body = json_dumps(m, JSON_COMPACT);
            json_decref(m);
            q.content_type = "application/json";
        }
        q.url = url;
    }
    q.body = body;
    q.len = body ? strlen(body) : 0;
    int rc = o->p.send(o->p.send_ud, &q, on_sent, dl);
    free(body);
    json_decref(sent);
    if (rc == 0)
        dl->inflight = 1;
}

static void on_sent(void *ud, int status, long code, const char *err)
{
    struct delivery *dl = ud;
    struct cw_outbox *o = dl->owner;
    int64_t now = o->p.clock ? o->p.clock() : cw_wall_us();
    struct cw_store_batch *b = o->p.sink.batch(o->p.sink.ud);
    dl->inflight = 0;
    dl->attempts++;
    if (status == 0 && code >= 200 && code < 300) {
        cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "delivered", dl->attempts, now, "", now);
        int k;
        for (k = 0; k < o->n_counted && strcmp(o->counted[k].name, dl->target) != 0; k++)
            ;
        if (k == o->n_counted && k < MAX_COUNTED)
            snprintf(o->counted[o->n_counted++].name, sizeof o->counted[0].name, "%s", dl->target);
        if (k < MAX_COUNTED)
            o->counted[k].delivered++;
        cw_debug("alert", dl->a->camera, "%s delivered to %s (attempt %d)", dl->a->kind, dl->target, dl->attempts);
        const struct cw_alert_target *t = target_by_name(o, dl->target);
        if (t && !strcmp(t->type, "alertmanager"))
            track_firing(o, dl->a, dl->target);
        remove_delivery(o, dl);
        return;
    }
    char why[300];
    if (status == 0)
        snprintf(why, sizeof why, "HTTP %ld", code);
    else
        snprintf(why, sizeof why, "%s", err ? err : "?"); /* never the URL: a Telegram URL holds the bot token */
    if (now - dl->a->created_us > GIVE_UP_US) {
        cw_error("alert", dl->a->camera, "%s to %s: giving up after %d attempts (%s)", dl->a->kind, dl->target,
                 dl->attempts, why);
        cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "failed", dl->attempts, now, why, 0);
        remove_delivery(o, dl);
        return;
    }
    int64_t delay = RETRY_MIN_US << (dl->attempts - 1 < 7 ? dl->attempts - 1 : 7);
    if (delay > RETRY_MAX_US)
        delay = RETRY_MAX_US;
    dl->next_us = now + delay;
    if (dl->attempts == 1 || dl->attempts % 10 == 0)
        cw_warn("alert", dl->a->camera, "%s to %s failed (%s); retrying in %.0f s", dl->a->kind, dl->target, why,
                delay / 1e6);
    cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "pending", dl->attempts, dl->next_us, why, 0);
}

/* What is committed and due, a bounded number at a time. */
static void send_due(struct cw_outbox *o, int64_t now)
{
    int started = 0;
    for (struct delivery *dl = o->q, *next; dl && started < 32; dl = next) {
        next = dl->next; /* send_one may drop dl (its target is gone) */
        if (!dl->inflight && !dl->held && dl->seq <= o->committed && dl->next_us <= now) {
            send_one(o, dl, now);
            started++;
        }
    }
}

void cw_outbox_committed(struct cw_outbox *o, uint64_t committed, int64_t now)
{
    o->committed = committed;
    send_due(o, now);
}

/* ---- quiet hours ---- */

static int by_created(const void *x, const void *y)
{
    const struct delivery *a = *(struct delivery *const *)x, *b = *(struct delivery *const *)y;
    return (a->a->created_us > b->a->created_us) - (a->a->created_us < b->a->created_us);
}

/* A message's first line, at most max bytes, cut between UTF-8 characters. */
static void first_line(const char *msg, char *out, size_t max)
{
    size_t n = strcspn(msg, "\n");
    if (n >= max) {
        n = max - 4;
        while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
            n--;
        snprintf(out, max, "%.*s…", (int)n, msg);
        return;
    }
    snprintf(out, max, "%.*s", (int)n, msg);
}

/* Each target whose quiet hours ended gets one message telling what they
 * held back, oldest first; the held deliveries are done ("digested"). */
static void send_digests(struct cw_outbox *o, int64_t now)
{
    const struct cw_alerts_config *ac = o->p.cfg;
    for (int i = 0; i < ac->n_targets; i++) {
        const struct cw_alert_target *t = &ac->targets[i];
        int n = 0;
        for (struct delivery *dl = o->q; dl; dl = dl->next)
            n += dl->held && dl->next_us <= now && !strcmp(dl->target, t->name);
        if (!n)
            continue;
        struct delivery **v = calloc((size_t)n, sizeof *v);
        if (!v)
            return;
        int k = 0;
        for (struct delivery *dl = o->q; dl; dl = dl->next)
            if (dl->held && dl->next_us <= now && !strcmp(dl->target, t->name))
                v[k++] = dl;
        qsort(v, (size_t)n, sizeof *v, by_created);
        char from[24], to[24];
        snprintf(from, sizeof from, "%02d:%02d", t->quiet_from_min / 60, t->quiet_from_min % 60);
        snprintf(to, sizeof to, "%02d:%02d", t->quiet_to_min / 60, t->quiet_to_min % 60);
        size_t cap = 600 + (size_t)(n < DIGEST_LINES ? n : DIGEST_LINES) * 260;
        char *vi = malloc(cap), *en = malloc(cap);
        json_t *items = json_array();
        if (!vi || !en) {
            free(vi), free(en), free(v);
            json_decref(items);
            return;
        }
        size_t ov = (size_t)snprintf(vi, cap, "TÓM TẮT GIỜ YÊN LẶNG %s–%s: %d cảnh báo được giữ lại", from, to, n);
        size_t oe = (size_t)snprintf(en, cap, "QUIET HOURS DIGEST %s–%s: %d alert%s held back", from, to, n,
                                     n == 1 ? "" : "s");
        for (k = 0; k < n; k++) {
            struct alert *al = v[k]->a;
            char when[8], lv[240], le[240];
            time_t s = (time_t)(al->created_us / 1000000);
            struct tm tm;
            localtime_r(&s, &tm);
            strftime(when, sizeof when, "%H:%M", &tm);
            first_line(body_str(al->body, "message_vi"), lv, sizeof lv);
            first_line(body_str(al->body, "message_en"), le, sizeof le);
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I}", "key", al->key, "kind", al->kind,
                                                   "camera", al->camera, "severity", al->severity, "time_us",
                                                   (json_int_t)al->created_us));
            if (k < DIGEST_LINES) {
                ov += (size_t)snprintf(vi + ov, cap - ov, "\n• %s %s", when, lv);
                oe += (size_t)snprintf(en + oe, cap - oe, "\n• %s %s", when, le);
            } else if (k == DIGEST_LINES) {
                ov += (size_t)snprintf(vi + ov, cap - ov, "\n… và %d cảnh báo khác (camwatch alerts)", n - k);
                oe += (size_t)snprintf(en + oe, cap - oe, "\n… and %d more (camwatch alerts)", n - k);
            }
        }
        /* the digest itself is never held: it is what quiet hours end with */
        struct cw_alert_out d = {"", NULL, NULL, "quiet_digest", cw_alert_severity(ac, "quiet_digest"), now, vi, en,
                                 json_pack("{s:o}", "held", items), t->name};
        cw_outbox_raise(o, &d);
        struct cw_store_batch *b = o->p.sink.batch(o->p.sink.ud);
        for (k = 0; k < n; k++) {
            cw_store_batch_delivery(b, v[k]->a->key, v[k]->target, 0, "digested", v[k]->attempts, now, "", now);
            remove_delivery(o, v[k]);
        }
        free(vi), free(en), free(v);
    }
}

void cw_outbox_tick(struct cw_outbox *o, int64_t now)
{
    send_digests(o, now);
    repost_firing(o, now);
    send_due(o, now);
}

/* ---- restarts ---- */

static void on_loaded(void *ud, const struct cw_delivery_row *r)
{
    struct cw_outbox *o = ud;
    json_error_t jerr;
    struct alert *al = NULL;
    for (struct delivery *dl = o->q; dl; dl = dl->next)
        if (!strcmp(dl->a->key, r->key))
            al = dl->a;
    if (!al) {
        al = calloc(1, sizeof *al);
        if (!al)
            return;
        snprintf(al->key, sizeof al->key, "%s", r->key);
        snprintf(al->camera, sizeof al->camera, "%s", r->camera);
        snprintf(al->kind, sizeof al->kind, "%s", r->kind);
        snprintf(al->severity, sizeof al->severity, "%s", r->severity);
        al->created_us = r->created_us;
        al->body = json_loads(r->body, 0, &jerr);
        if (!al->body)
            al->body = json_object();
    }
    struct delivery *dl = calloc(1, sizeof *dl);
    al->refs++; /* the delivery's, or released at once */
    if (!dl) {
        alert_unref(al);
        return;
    }
    dl->a = al;
    dl->owner = o;
    snprintf(dl->target, sizeof dl->target, "%s", r->target);
    dl->attempts = r->attempts;
    dl->next_us = r->next_us;
    /* held for a target that left the config: send_one closes it */
    dl->held = !strcmp(r->state, "held") && target_by_name(o, r->target);
    dl->seq = 0; /* already committed */
    dl->next = o->q;
    o->q = dl;
    o->pending++;
}

int cw_outbox_restore(struct cw_outbox *o, struct cw_store *st)
{
    int rc = cw_store_each_delivery(st, 1, on_loaded, o);
    if (rc == 0 && o->pending)
        cw_info("alert", NULL, "%lld delivery(ies) pending from before; sending", (long long)o->pending);
    return rc;
}
