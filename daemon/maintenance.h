/* Declared maintenance windows: a technician says that a camera, a site, a
 * commune or a district is under repair from-to, with a note. The records
 * live in the store (who and when, like spans); this module is the pure
 * part: which windows cover a camera at a moment, and how much of an
 * interval they cover. The daemon holds alerts back inside them; reports
 * show the down time inside them as maintenance, apart from outages. */
#ifndef CW_MAINTENANCE_H
#define CW_MAINTENANCE_H
#include <stdint.h>

#include "names.h"

enum cw_maint_scope { CW_MAINT_CAMERA = 0, CW_MAINT_SITE, CW_MAINT_COMMUNE, CW_MAINT_DISTRICT };

struct cw_maint {
    int64_t id;
    enum cw_maint_scope scope;
    char target[72];  /* the camera, site, commune or district id */
    int64_t from_us, to_us;
    char note[256], by[64];
    int64_t created_us;
};

const char *cw_maint_scope_name(enum cw_maint_scope s);
/* "camera", "site", ... -> scope; returns -1 for anything else. */
int cw_maint_scope_parse(const char *s);

/* Whether window w applies to the camera (its id and names; at any time). */
int cw_maint_applies(const struct cw_maint *w, const char *camera, const struct cw_names *names);
/* The first window of ws[0..n) covering the camera at t, or NULL. */
const struct cw_maint *cw_maint_active(const struct cw_maint *ws, int n, const char *camera,
                                       const struct cw_names *names, int64_t t);

/* A camera's windows as a sorted union of [from, to) intervals. */
struct cw_maint_set {
    int64_t *from, *to;
    int n;
};
/* Adds [from, to) to the set, merging overlaps. Returns 0 or CW_ENOMEM. */
int cw_maint_set_add(struct cw_maint_set *s, int64_t from, int64_t to);
/* How much of [a, b) the set covers. */
int64_t cw_maint_set_overlap(const struct cw_maint_set *s, int64_t a, int64_t b);
void cw_maint_set_free(struct cw_maint_set *s);

#endif
