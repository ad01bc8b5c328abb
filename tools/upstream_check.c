/* `camwatch --db postgresql://… upstream check`: the province checks what
 * it holds against each commune's digests (issue #25).
 *
 * Every edge ships, per camera and UTC month, its own figures up to a
 * moment (digest.h). Here the same figures are made from the province's
 * copy (pgread.c) by the same code, for the same month and moment, and
 * compared. A camera that differs is logged on stdout, marked in
 * camwatch.digests (agrees = false, the province's figures beside the
 * edge's) and put in camwatch.resend: the edge's next round is told to
 * send that camera's history again (idempotent at the centre), counts it
 * in camwatch_upstream_resent_cameras_total, and its next digest is
 * checked again. Needs a role that may update camwatch.digests and
 * camwatch.resend (the owner's). */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/digest.h"
#include "../daemon/error.h"
#include "../daemon/store.h"
#include "../daemon/upstream.h"
#include "cli.h"
#include "pgread.h"

struct central {
    char camera[72];
    char *figures;
};

struct month_figures {
    struct central *v;
    int n, cap, oom;
};

static void on_central(void *ud, const char *camera, const char *figures)
{
    struct month_figures *m = ud;
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 256;
        struct central *v = realloc(m->v, sizeof *v * (size_t)cap);
        if (!v) {
            m->oom = 1;
            return;
        }
        m->v = v, m->cap = cap;
    }
    snprintf(m->v[m->n].camera, sizeof m->v[m->n].camera, "%s", camera);
    if (!(m->v[m->n].figures = strdup(figures)))
        m->oom = 1;
    else
        m->n++;
}

static void month_free(struct month_figures *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->v[i].figures);
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* The province's figures of camera (cameras come in id order). */
static const char *central_of(const struct month_figures *m, const char *camera)
{
    int lo = 0, hi = m->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(m->v[mid].camera, camera);
        if (c == 0)
            return m->v[mid].figures;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* "online 2467609 s, down 12790 s, 3 outages": a line's worth. */
static void words(const char *figures, char *buf, size_t len)
{
    json_t *o = figures ? json_loads(figures, 0, NULL) : NULL;
    if (!o) {
        snprintf(buf, len, "nothing");
        return;
    }
    long long down = 0;
    const char *k;
    json_t *x;
    json_object_foreach(json_object_get(o, "offline_us"), k, x) down += json_integer_value(x);
    snprintf(buf, len, "online %.0f s, down %.0f s, stalled %.0f s, %lld outage(s)",
             (double)json_integer_value(json_object_get(o, "online_us")) / 1e6, (double)down / 1e6,
             (double)json_integer_value(json_object_get(o, "stalled_us")) / 1e6,
             (long long)json_integer_value(json_object_get(o, "outages")));
    json_decref(o);
}

static int same(const char *a, const char *b)
{
    json_t *x = a ? json_loads(a, 0, NULL) : NULL, *y = b ? json_loads(b, 0, NULL) : NULL;
    int eq = x && y && json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}

int cw_cli_upstream_check(struct cw_cli *g, int all)
{
    const char *cmd = "camwatch upstream check";
    char db[4096], who[300];
    struct cw_store *st;
    int rc;
    if (!cw_pgread_is_url(g->db)) {
        fprintf(stderr, "%s: --db postgresql://… (the province's database) is needed\n", cmd);
        return CW_EXIT_USAGE;
    }
    if ((rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL)) != 0) /* the copy: pgread.c */
        return rc;
    cw_upstream_describe(g->db, who, sizeof who);
    char err[600];
    PGconn *c = cw_pgread_connect(g->db, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s: %s\n", cmd, err);
        cw_store_close(st);
        return CW_EXIT_FAIL;
    }
    /* the digests of each commune's current database (as the copy), the
     * unchecked ones unless --all; by month and moment, so that each
     * (month, moment) is computed once */
    char q[900];
    snprintf(q, sizeof q,
             "WITH e AS (SELECT DISTINCT ON (instance) instance, epoch FROM camwatch.edges"
             " ORDER BY instance, last_batch_us DESC NULLS LAST)"
             " SELECT d.instance, d.epoch, d.camera, d.month, d.upto_us, d.figures::text FROM camwatch.digests d"
             " JOIN e USING (instance, epoch)%s ORDER BY d.month, d.upto_us, d.camera",
             all ? "" : " WHERE d.checked_us IS NULL");
    PGresult *res = PQexec(c, q);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *m = PQresultErrorMessage(res);
        fprintf(stderr, "%s: %s: reading the digests: %.*s\n", cmd, who, (int)strcspn(m, "\n"), m);
        PQclear(res);
        PQfinish(c);
        cw_store_close(st);
        return CW_EXIT_FAIL;
    }
    int n = PQntuples(res), differ = 0, checked = 0;
    struct month_figures m = {0};
    char cur_month[8] = "", cur_upto[32] = "";
    PQclear(PQexec(c, "BEGIN"));
    for (int i = 0; i < n && rc == 0; i++) {
        const char *inst = PQgetvalue(res, i, 0), *epoch = PQgetvalue(res, i, 1), *cam = PQgetvalue(res, i, 2);
        const char *month = PQgetvalue(res, i, 3), *upto = PQgetvalue(res, i, 4), *edge = PQgetvalue(res, i, 5);
        if (strcmp(month, cur_month) != 0 || strcmp(upto, cur_upto) != 0) {
            month_free(&m);
            snprintf(cur_month, sizeof cur_month, "%s", month);
            snprintf(cur_upto, sizeof cur_upto, "%s", upto);
            if (cw_digest_read(st, month, strtoll(upto, NULL, 10), NULL, on_central, &m) < 0 || m.oom) {
                fprintf(stderr, "%s: cannot compute the province's figures for %s\n", cmd, month);
                rc = CW_EXIT_FAIL;
                break;
            }
        }
        const char *central = central_of(&m, cam);
        int agrees = same(edge, central);
        const char *params[7] = {inst, epoch, cam, month, upto, agrees ? "true" : "false", central};
        PGresult *u = PQexecParams(c,
                                   "UPDATE camwatch.digests SET checked_us = camwatch.now_us(), agrees = $6::boolean,"
                                   " central = $7::jsonb WHERE instance = $1 AND epoch = $2 AND camera = $3"
                                   " AND month = $4 AND upto_us = $5::bigint",
                                   7, NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(u) == PGRES_COMMAND_OK;
        PQclear(u);
        if (ok && !agrees) {
            u = PQexecParams(c,
                             "INSERT INTO camwatch.resend (instance, epoch, camera, asked_us)"
                             " VALUES ($1, $2, $3, camwatch.now_us()) ON CONFLICT DO NOTHING",
                             3, NULL, params, NULL, NULL, 0);
            ok = PQresultStatus(u) == PGRES_COMMAND_OK;
            PQclear(u);
        }
        if (!ok) {
            const char *e = PQerrorMessage(c);
            fprintf(stderr, "%s: %s: recording the check: %.*s\n", cmd, who, (int)strcspn(e, "\n"), e);
            rc = CW_EXIT_FAIL;
            break;
        }
        checked++;
        if (!agrees) {
            char a[160], b[160];
            words(edge, a, sizeof a);
            words(central, b, sizeof b);
            printf("%s: %s/%s %s: %s %s; %s %s: %s\n", cmd, inst, cam, month,
                   CW_L(g, "xã ghi", "the commune counts"), a, CW_L(g, "tỉnh có", "the province holds"), b,
                   CW_L(g, "đã yêu cầu xã gửi lại lịch sử camera", "the commune is asked to send its history again"));
            differ++;
        }
    }
    month_free(&m);
    PQclear(res);
    PQclear(PQexec(c, rc == 0 ? "COMMIT" : "ROLLBACK"));
    PQfinish(c);
    cw_store_close(st);
    if (rc != 0)
        return rc;
    printf("%s: %s: %d %s, %d %s, %d %s\n", cmd, who, checked, CW_L(g, "bản tóm tắt đã kiểm tra", "digests checked"),
           checked - differ, CW_L(g, "khớp", "agree"), differ, CW_L(g, "không khớp", "differ"));
    return differ ? CW_EXIT_FAIL : 0;
}
