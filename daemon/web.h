/* The web console's files (daemon/web/), compiled into camwatchd by the
 * build (scripts/embed-web.sh): served at / with nothing to install. */
#ifndef CW_WEB_H
#define CW_WEB_H
#include <stddef.h>

struct cw_web_asset {
    const char *path; /* "/", "/app.js", ... */
    const char *type; /* Content-Type */
    const char *data;
    size_t len;
};

/* Ends with an entry whose path is NULL. */
extern const struct cw_web_asset cw_web_assets[];

#endif
