/* The words people read for camwatch's states, causes and image
 * conditions, in Vietnamese and English, in one table: the report, its
 * narrative, the alerts, the CLI and the console (served as
 * /api/v1/words) all read them here, so that a cause is called the same
 * everywhere ("sai đường dẫn luồng", never also "sai đường dẫn"). Each
 * cause and condition also carries the likely fix a technician reads on
 * the work list. Pure: no I/O. */
#ifndef CW_WORDS_H
#define CW_WORDS_H

enum cw_word_kind {
    CW_WORD_STATE, CW_WORD_CAUSE, CW_WORD_CONDITION, /* a camera's */
    CW_WORD_ALERT,    /* alert kinds (camera_offline, ...) */
    CW_WORD_DELIVERY, /* an alert's delivery to a target (pending, delivered, ...) */
    CW_WORD_AUDIT,    /* the console's audit actions (login, ack, ...) */
    CW_WORD_SCOPE,    /* places a maintenance window covers (camera, site, ...) */
    CW_WORD_EVENT,    /* detection event kinds (motion, ...) */
};

struct cw_word {
    const char *key; /* "online", "auth_failed", "black", ... as stored */
    enum cw_word_kind kind;
    const char *vi, *en;         /* the word itself */
    const char *fix_vi, *fix_en; /* what to check first (causes, conditions); NULL for states */
};

/* The entry for key, or NULL if it is not one of camwatch's words. Keys
 * are unique across kinds, except where a kind is given. */
const struct cw_word *cw_word_find(const char *key);
const struct cw_word *cw_word_find_kind(const char *key, enum cw_word_kind kind);
/* The word for key in vi or en; key itself when it is not in the table
 * (a third-party plugin's condition), "" for NULL. */
const char *cw_word(const char *key, int vi);
const char *cw_word_kind(const char *key, enum cw_word_kind kind, int vi);
/* The likely fix for a cause or condition, or "" if it has none. */
const char *cw_word_fix(const char *key, int vi);
/* Every entry, for the console's table: entries[i] for i < n. */
const struct cw_word *cw_words_all(int *n);

/* The alert kinds, once: their default severity, the alertname they
 * carry to Alertmanager, whether they stay firing there until resolved
 * (posted again every repost_interval), which kind they resolve, and what
 * pairs a firing alert with its resolution ("offline": per camera,
 * "image": per camera and condition, "place": per site or commune). */
struct cw_alert_kind {
    const char *key;
    const char *severity;  /* critical, warning or info */
    const char *am_name;   /* Alertmanager's alertname */
    int fires;             /* firing until resolved (camera_offline, image_bad, site_down, ...) */
    const char *resolves;  /* the firing kind it resolves, or NULL */
    const char *pair;      /* "offline", "image", "place" or NULL */
};
/* The kind, or NULL if camwatch raises no such alert. */
const struct cw_alert_kind *cw_alert_kind(const char *key);
/* Every kind, for config checks: kinds[i] for i < n. */
const struct cw_alert_kind *cw_alert_kinds(int *n);

/* The image conditions by their CW_HEALTH_* bit (camwatch_plugin.h):
 * bit i is cw_condition_key(i), stored and sent by that key. */
#define CW_N_CONDITIONS 4
const char *cw_condition_key(int i);
/* The bit index of a condition's key, or -1. */
int cw_condition_index(const char *key);
/* "black,frozen" for a set of CW_HEALTH_* flags ("" for none). Returns buf. */
char *cw_condition_list(unsigned flags, char *buf, unsigned long len);

struct cw_alerts_config;
/* A kind's severity: the config's (alerts.severities) over the default. */
const char *cw_alert_severity(const struct cw_alerts_config *ac, const char *kind);

/* A camera's state as people say it: the cause's word when offline with a
 * cause, "luồng bị treo" when stalled, else the state's word. */
const char *cw_word_state(const char *state, const char *cause, int vi);

#endif
