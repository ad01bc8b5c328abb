/* The report as JSON (jansson): the period, its data's span, the rules,
 * the groups and the cameras with every column of the column model that
 * is theirs (report_columns.h; numbers as numbers, null where there is
 * none), and the repair list. */
#include <jansson.h>
#include <stdlib.h>

#include "clock.h"
#include "report_columns.h"
#include "report_fmt.h"
#include "report_narrative.h"
#include "report_render.h"

static json_t *num_or_null(double v, int ok) { return ok ? json_real(v) : json_null(); }

static json_t *value(const struct cw_report_column *col, const struct cw_rval *x)
{
    char ts[40];
    if (!x->known)
        return json_null();
    switch (col->unit) {
    case CW_RU_TEXT:
    case CW_RU_WORD: return json_string(x->text);
    case CW_RU_COUNT: return json_integer((json_int_t)x->num);
    case CW_RU_TIME: return json_string(cw_fmt_utc(x->us, ts, sizeof ts));
    default: return json_real(x->num);
    }
}

/* The columns of a row (group: in = CW_RC_IN_JSON_GROUP), into obj. */
static void columns(const struct cw_report_view *v, json_t *obj, unsigned in, const struct cw_report_group *g,
                    const struct cw_report_camera *c)
{
    struct cw_rval x;
    for (int id = 0; id < CW_RC__COUNT; id++) {
        const struct cw_report_column *col = cw_report_column((enum cw_rcol)id);
        if (!(col->in & in) || ((col->in & CW_RC_PROVINCE_ONLY) && !v->r->province))
            continue;
        if (g)
            cw_rcol_group(v, (enum cw_rcol)id, g, &x);
        else
            cw_rcol_camera(v, (enum cw_rcol)id, c, &x);
        json_t *into = obj;
        if (col->json_in) {
            into = json_object_get(obj, col->json_in);
            if (!into)
                json_object_set_new(obj, col->json_in, into = json_object());
        }
        json_object_set_new(into, col->json_key ? col->json_key : col->key, value(col, &x));
    }
}

int cw_render_json(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    json_t *top = json_object(), *groups = json_array(), *cams = json_array(), *days = json_array();
    char ts[40], note[1200];

    json_object_set_new(top, "period", json_string(v->title_period));
    json_object_set_new(top, "from", json_string(cw_fmt_utc(r->from_us, ts, sizeof ts)));
    json_object_set_new(top, "to", json_string(cw_fmt_utc(r->to_us, ts, sizeof ts)));
    json_object_set_new(top, "data_until", json_string(cw_fmt_utc(r->data_end_us, ts, sizeof ts)));
    int gaps = cw_report_data_gaps(r, v->generated_us);
    json_object_set_new(top, "data_from",
                        r->data_last_us ? json_string(cw_fmt_utc(r->data_first_us, ts, sizeof ts)) : json_null());
    json_object_set_new(top, "data_to",
                        r->data_last_us ? json_string(cw_fmt_utc(r->data_last_us, ts, sizeof ts)) : json_null());
    json_object_set_new(top, "period_over", json_boolean(!(gaps & CW_DATA_OPEN)));
    json_object_set_new(top, "data_complete", json_boolean(gaps == 0));
    json_object_set_new(top, "data_note", json_string(cw_doc_data_note(v, note, sizeof note)));
    if (r->province) { /* the province's: each commune's data, as far as it has arrived */
        json_t *cl = json_array();
        for (int i = 0; i < r->n_communes; i++)
            json_array_append_new(cl, json_pack("{s:s, s:s, s:o}", "id", r->communes[i].id, "name", r->communes[i].name,
                                                "complete_until",
                                                json_string(cw_fmt_utc(r->communes[i].complete_until_us, ts, sizeof ts))));
        json_object_set_new(top, "province", json_pack("{s:b, s:i, s:o}", "final",
                                                       v->generated_us >= r->to_us && !cw_doc_province_behind(v),
                                                       "communes_behind", cw_doc_province_behind(v), "communes", cl));
    }
    json_object_set_new(top, "rules", json_pack("{s:f, s:f, s:f, s:f, s:f, s:b}", "uptime_target_pct",
                                                r->rules.uptime_target, "ok_share_pct", r->rules.ok_share,
                                                "deteriorated_share_pct", r->rules.deteriorated_share,
                                                "max_down_days", r->rules.max_down_us / 86400e6,
                                                "repair_after_days", r->rules.repair_after_us / 86400e6,
                                                "exclude_maintenance", r->rules.exclude_maintenance));
    for (int d = 0; d < r->n_days; d++)
        json_array_append_new(days, json_string(cw_rfmt_iso_local(r->day_start_us[d], ts, sizeof ts)));
    json_object_set_new(top, "days", days);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        json_t *o = json_object(), *daily = json_array();
        columns(v, o, CW_RC_IN_JSON_GROUP, g, NULL);
        for (int d = 0; d < r->n_days; d++)
            json_array_append_new(daily, num_or_null(g->day_uptime[d], g->day_uptime[d] >= 0));
        json_object_set_new(o, "daily_uptime_pct", daily);
        json_array_append_new(groups, o);
    }
    for (int i = 0; i < r->n_cams; i++) {
        if (!r->cams[i].has_data)
            continue;
        json_t *o = json_object();
        columns(v, o, CW_RC_IN_JSON_CAMERA, NULL, &r->cams[i]);
        json_array_append_new(cams, o);
    }
    json_object_set_new(top, "groups", groups);
    json_object_set_new(top, "cameras", cams);
    json_t *repairs = json_array();
    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    for (int i = 0; i < n; i++)
        json_array_append_new(repairs, json_pack("{s:s, s:f, s:s, s:s, s:s, s:o}", "camera", rl[i]->id, "for_h",
                                                 cw_doc_repair_time(rl[i]) / 3600e6, "state", rl[i]->state, "cause",
                                                 rl[i]->cause, "image", rl[i]->current_bad, "last_online",
                                                 rl[i]->last_online_us
                                                     ? json_string(cw_fmt_utc(rl[i]->last_online_us, ts, sizeof ts))
                                                     : json_null()));
    free(rl);
    json_object_set_new(top, "repair_list", repairs);
    /* the sites with cameras and no recording notice (null: not known) */
    json_object_set_new(top, "sites_without_notice", v->notice_missing ? json_string(v->notice_missing) : json_null());
    int rc = json_dumpf(top, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(top);
    return rc;
}
