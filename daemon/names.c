/* Matching cameras by their place in the chain (see names.h). */
#include "names.h"

#include <stdio.h>
#include <string.h>

int cw_commune_is(const char *commune, const char *formerly, const char *id)
{
    if (strcmp(commune, id) == 0)
        return 1;
    size_t n = strlen(id);
    for (const char *p = formerly ? formerly : ""; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && n > 0 && strncmp(p, id, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

char *cw_names_camera_label(const char *id, const struct cw_names *n, char *buf, size_t len)
{
    if (n->name[0] && strcmp(n->name, id) != 0)
        snprintf(buf, len, "%s (%s)", n->name, id);
    else
        snprintf(buf, len, "%s", id);
    return buf;
}

static int is_set(const char *s) { return s && s[0]; }

int cw_names_filter_set(const struct cw_names_filter *f)
{
    return is_set(f->province) || is_set(f->district) || is_set(f->commune) || is_set(f->site);
}

int cw_names_match(const struct cw_names *n, const char *formerly, const struct cw_names_filter *f)
{
    return (!is_set(f->province) || strcmp(n->province, f->province) == 0) &&
           (!is_set(f->district) || strcmp(n->district, f->district) == 0) &&
           (!is_set(f->commune) || cw_commune_is(n->commune, formerly, f->commune)) &&
           (!is_set(f->site) || strcmp(n->site, f->site) == 0);
}

char *cw_names_filter_label(const struct cw_names_filter *f, char *buf, size_t len)
{
    buf[0] = '\0';
    if (cw_names_filter_set(f))
        snprintf(buf, len, "%s%s%s%s%s%s%s%s", f->province ? "province " : "", f->province ? f->province : "",
                 f->district ? " district " : "", f->district ? f->district : "", f->commune ? " commune " : "",
                 f->commune ? f->commune : "", f->site ? " site " : "", f->site ? f->site : "");
    return buf;
}

int cw_names_json(json_t *obj, const struct cw_names *n)
{
    int rc = json_object_set_new(obj, "name", json_string(n->name));
    rc |= json_object_set_new(obj, "site", json_string(n->site));
    rc |= json_object_set_new(obj, "site_name", json_string(n->site_name));
    rc |= json_object_set_new(obj, "commune", json_string(n->commune));
    rc |= json_object_set_new(obj, "commune_name", json_string(n->commune_name));
    rc |= json_object_set_new(obj, "province", json_string(n->province));
    rc |= json_object_set_new(obj, "province_name", json_string(n->province_name));
    /* the district level is optional: null where the deployment has none */
    rc |= json_object_set_new(obj, "district", n->district[0] ? json_string(n->district) : json_null());
    rc |= json_object_set_new(obj, "district_name", n->district[0] ? json_string(n->district_name) : json_null());
    return rc ? -1 : 0;
}
