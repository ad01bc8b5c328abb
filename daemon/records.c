/* Maintenance windows and acknowledgements, read with every write (see
 * records.h). */
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct ack {
    char camera[72], by[64];
    int64_t at_us;
};

/* One set of lists: the loop reads `cur` while the pool fills `loaded`. */
struct lists {
    struct cw_maint *maint;
    int n_maint, cap_maint;
    struct ack *acks;
    int n_acks, cap_acks;
    int ok; /* the read succeeded: swap it in */
};

struct cw_records {
    struct lists cur, loaded;
};

int cw_records_create(struct cw_records **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : CW_ENOMEM;
}

void cw_records_free(struct cw_records *r)
{
    if (!r)
        return;
    free(r->cur.maint), free(r->cur.acks);
    free(r->loaded.maint), free(r->loaded.acks);
    free(r);
}

static void on_window(void *ud, const struct cw_maint *w)
{
    struct lists *l = ud;
    if (l->n_maint == l->cap_maint) {
        int cap = l->cap_maint ? l->cap_maint * 2 : 16;
        struct cw_maint *m = realloc(l->maint, sizeof *m * (size_t)cap);
        if (!m) {
            l->ok = 0;
            return;
        }
        l->maint = m;
        l->cap_maint = cap;
    }
    l->maint[l->n_maint++] = *w;
}

static void on_ack(void *ud, const char *camera, const char *note, const char *by, int64_t at)
{
    struct lists *l = ud;
    (void)note;
    for (int i = 0; i < l->n_acks; i++)
        if (strcmp(l->acks[i].camera, camera) == 0) { /* oldest first: the later one wins */
            l->acks[i].at_us = at;
            snprintf(l->acks[i].by, sizeof l->acks[i].by, "%s", by);
            return;
        }
    if (l->n_acks == l->cap_acks) {
        int cap = l->cap_acks ? l->cap_acks * 2 : 16;
        struct ack *t = realloc(l->acks, sizeof *t * (size_t)cap);
        if (!t) {
            l->ok = 0;
            return;
        }
        l->acks = t;
        l->cap_acks = cap;
    }
    struct ack *k = &l->acks[l->n_acks++];
    snprintf(k->camera, sizeof k->camera, "%s", camera);
    snprintf(k->by, sizeof k->by, "%s", by);
    k->at_us = at;
}

void cw_records_read(struct cw_records *r, struct cw_store *st, int64_t now)
{
    struct lists *l = &r->loaded;
    l->n_maint = l->n_acks = 0;
    l->ok = st != NULL;
    if (!st)
        return;
    /* windows now or to come (an index on to_us: cheap) */
    if (cw_store_each_maintenance(st, now, INT64_MAX, on_window, l) < 0)
        l->ok = 0;
    if (cw_store_each_ack(st, now - 30 * 86400000000LL, on_ack, l) < 0)
        l->ok = 0;
}

void cw_records_swap(struct cw_records *r)
{
    if (!r->loaded.ok)
        return;
    struct lists t = r->cur;
    r->cur = r->loaded;
    r->loaded = t;
    r->loaded.ok = 0;
}

const struct cw_maint *cw_records_maintenance(const struct cw_records *r, const char *camera,
                                              const struct cw_names *names, int64_t t)
{
    return cw_maint_active(r->cur.maint, r->cur.n_maint, camera, names, t);
}

int cw_records_ack(const struct cw_records *r, const char *camera, int64_t *at_us, const char **by)
{
    for (int i = 0; i < r->cur.n_acks; i++)
        if (strcmp(r->cur.acks[i].camera, camera) == 0) {
            *at_us = r->cur.acks[i].at_us;
            *by = r->cur.acks[i].by;
            return 1;
        }
    return 0;
}
