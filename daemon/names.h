/* A camera's names up the administrative chain, in one struct so that every
 * copy (camera, live view, store, report, alerts) is an assignment.
 *
 * Since the 2025 reform Vietnam's local government has two levels: the
 * province and the commune (xã, phường, đặc khu). camwatch's hierarchy is
 * province -> commune -> site -> camera, with an optional district level
 * between province and commune for deployments that keep historical
 * district groupings. Ids are "" where a level is absent (no district; no
 * province in a config of the older district-first form). */
#ifndef CW_NAMES_H
#define CW_NAMES_H
#include <jansson.h>
#include <stddef.h>

/* Names hold at most 80 characters (checked when the config is loaded);
 * 80 Vietnamese characters take up to 240 bytes of UTF-8. */
#define CW_NAME_MAX_BYTES 320
struct cw_names {
    char name[CW_NAME_MAX_BYTES + 1];    /* the camera's display name */
    char site[72], site_name[CW_NAME_MAX_BYTES + 1];
    char commune[72], commune_name[CW_NAME_MAX_BYTES + 1];
    char district[72], district_name[CW_NAME_MAX_BYTES + 1];
    char province[72], province_name[CW_NAME_MAX_BYTES + 1];
};

/* How people read a camera: the name the commune gave it, its id beside
 * ("Cổng chợ (bm-market-1)"), or the id alone when the name is the id. */
#define CW_CAMERA_LABEL_MAX (CW_NAME_MAX_BYTES + 80)
char *cw_names_camera_label(const char *id, const struct cw_names *n, char *buf, size_t len);

/* Whether `id` names the commune `commune` or one it absorbed (formerly:
 * the former ids, comma-separated): filters by an old id still find it. */
int cw_commune_is(const char *commune, const char *formerly, const char *id);

/* A filter over the chain: each non-NULL, non-empty field must match
 * (commune also through formerly). */
struct cw_names_filter {
    const char *province, *district, *commune, *site;
};
int cw_names_match(const struct cw_names *n, const char *formerly, const struct cw_names_filter *f);
/* Whether any field of the filter is given. */
int cw_names_filter_set(const struct cw_names_filter *f);
/* The filter in words for a report's heading ("commune hoa-binh site
 * cong-lang"), or "" when none is set. */
char *cw_names_filter_label(const struct cw_names_filter *f, char *buf, size_t len);

/* The names into a JSON object, as the API, the CLI's --json and the alert
 * bodies all give them: name, site, site_name, commune, commune_name,
 * province, province_name, and district and district_name (null where the
 * deployment has no district level). 0 or -1. */
int cw_names_json(json_t *obj, const struct cw_names *n);

#endif
