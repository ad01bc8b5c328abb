/* A person's request about their data (PDPL; answered within 2 working
 * days, issue #26): what camwatch holds of a camera or a site over a time
 * range, exported as one archive for the person, or its pictures erased.
 * Both the CLI (`camwatch privacy`) and the console (an admin's action)
 * call these; both are recorded in the audit list by them.
 *
 * Safe while camwatchd runs: the database is changed in one short
 * transaction through its own connection, and pictures are deleted only
 * after the rows that named them stopped naming them (the console never
 * serves a file the database no longer names). */
#ifndef CW_PRIVACY_H
#define CW_PRIVACY_H
#include <stdint.h>

struct cw_store;

struct cw_privacy_req {
    const char *camera, *site; /* exactly one */
    int64_t from_us, to_us;    /* [from, to) */
    const char *snap_root;     /* state_dir/snapshots */
    const char *by, *address;  /* who asks, from where ("" for the CLI) */
    int lang_vi;               /* the listing's language */
    const char *archive_name;  /* export: the name the audit gives it (NULL: zip_path's) */
};

struct cw_privacy_result {
    int events;   /* events in the range */
    int pictures; /* pictures exported or erased */
    int erased;   /* export: events already erased (listed, no picture) */
    char err[400];
};

/* Writes the archive to zip_path (a ZIP: listing.txt for the person,
 * events.csv, pictures/CAMERA/FILE.jpg), whole or not at all. 0, or a
 * negative code with res->err. */
int cw_privacy_export(struct cw_store *st, const struct cw_privacy_req *q, const char *zip_path, int64_t now_us,
                      struct cw_privacy_result *res);
/* Erases the range's pictures: events keep their times and scores, marked
 * erased; every picture of theirs, and every other picture of those cameras
 * taken in the range (thumbnails), is deleted. 0, or a negative code. */
int cw_privacy_erase(struct cw_store *st, const struct cw_privacy_req *q, int64_t now_us,
                     struct cw_privacy_result *res);

#endif
