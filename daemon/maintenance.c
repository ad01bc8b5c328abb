/* Maintenance windows: matching and interval arithmetic (see maintenance.h). */
#include "maintenance.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const scope_names[] = {"camera", "site", "commune", "district"};

const char *cw_maint_scope_name(enum cw_maint_scope s)
{
    return (unsigned)s < 4 ? scope_names[s] : "?";
}

int cw_maint_scope_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, scope_names[i]) == 0)
            return i;
    return -1;
}

int cw_maint_applies(const struct cw_maint *w, const char *camera, const struct cw_names *n)
{
    const char *id = w->scope == CW_MAINT_CAMERA ? camera
                     : w->scope == CW_MAINT_SITE  ? n->site
                     : w->scope == CW_MAINT_COMMUNE ? n->commune
                                                    : n->district;
    return id && id[0] && strcmp(id, w->target) == 0;
}

const struct cw_maint *cw_maint_active(const struct cw_maint *ws, int n, const char *camera,
                                       const struct cw_names *names, int64_t t)
{
    for (int i = 0; i < n; i++)
        if (ws[i].from_us <= t && t < ws[i].to_us && cw_maint_applies(&ws[i], camera, names))
            return &ws[i];
    return NULL;
}

int cw_maint_set_add(struct cw_maint_set *s, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    /* Keep the intervals sorted and disjoint: absorb every one that
     * touches [from, to), then insert the merged interval in order. */
    int k = 0, at = -1;
    for (int i = 0; i < s->n; i++) {
        if (s->to[i] < from || s->from[i] > to) {
            s->from[k] = s->from[i];
            s->to[k] = s->to[i];
            k++;
            continue;
        }
        if (s->from[i] < from)
            from = s->from[i];
        if (s->to[i] > to)
            to = s->to[i];
    }
    s->n = k;
    int64_t *f = realloc(s->from, sizeof *f * (size_t)(s->n + 1));
    if (!f)
        return CW_ENOMEM;
    s->from = f;
    int64_t *t = realloc(s->to, sizeof *t * (size_t)(s->n + 1));
    if (!t)
        return CW_ENOMEM;
    s->to = t;
    for (at = 0; at < s->n && s->from[at] < from; at++)
        ;
    memmove(s->from + at + 1, s->from + at, sizeof *f * (size_t)(s->n - at));
    memmove(s->to + at + 1, s->to + at, sizeof *t * (size_t)(s->n - at));
    s->from[at] = from;
    s->to[at] = to;
    s->n++;
    return 0;
}

int64_t cw_maint_set_overlap(const struct cw_maint_set *s, int64_t a, int64_t b)
{
    int64_t tot = 0;
    for (int i = 0; i < s->n && s->from[i] < b; i++) {
        int64_t lo = s->from[i] > a ? s->from[i] : a, hi = s->to[i] < b ? s->to[i] : b;
        if (hi > lo)
            tot += hi - lo;
    }
    return tot;
}

void cw_maint_set_free(struct cw_maint_set *s)
{
    free(s->from);
    free(s->to);
    memset(s, 0, sizeof *s);
}
