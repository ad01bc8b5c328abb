/* The snapshot directory, one owner: state_dir/snapshots/CAMERA/ holds each
 * camera's event snapshots (DATE-TIME-PLUGIN-MS[-start].jpg, named by the
 * event's local start) and its thumbnail (thumb.jpg). Files are written
 * whole (a temporary file renamed into place: a reader, the console or a
 * Telegram upload, never sees half a JPEG); retention.c deletes them by
 * age and the folder's size, off the loop. The HTTP server serves only paths the
 * daemon recorded, never one a request names. */
#ifndef CW_SNAPDIR_H
#define CW_SNAPDIR_H
#include <stddef.h>
#include <stdint.h>

/* Makes root (and its parents). 0 or -1 with errno. */
int cw_snapdir_init(const char *root);
/* A camera's folder: root/CAMERA (made on first write). */
int cw_snapdir_camera(const char *root, const char *camera, char *out, size_t len);
/* An event's snapshot in dir: 0 and its path; else path "" and CW_EINVAL
 * (no picture, or a path too long: never cut short, it would name another
 * file) or CW_EIO (the write failed). */
int cw_snapdir_write_event(const char *dir, const char *plugin, int64_t start_us, const char *suffix,
                           const uint8_t *jpeg, size_t len, char *path, size_t pathlen);
/* The camera's thumbnail, replaced whole. 0 and its path, or -1. */
int cw_snapdir_write_thumbnail(const char *dir, const uint8_t *jpeg, size_t len, char *path, size_t pathlen);
/* Deletes an event's pictures: the one the database names (path) and the
 * one taken at its start (the same name ending -start.jpg), only when path
 * lies inside root (a path from a copied or edited database must not reach
 * elsewhere). Returns how many files went (0-2). */
int cw_snapdir_remove_event(const char *root, const char *path);
/* The file an event's start picture has beside its snapshot: 0, or -1
 * when path is not a snapshot's name. */
int cw_snapdir_start_of(const char *path, char *out, size_t len);

#endif
