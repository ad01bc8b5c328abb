/* Event snapshots people can read on a phone: the frame that set the
 * event off, in colour, at least 640 px wide (its own width up to 1280),
 * the detection boxes drawn in red and a caption band under it (camera,
 * place, local time). Only the kept frame is converted and encoded: the
 * analysis itself stays on the scaled luma. */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H
#include <stddef.h>
#include <stdint.h>

#include "../plugins/camwatch_plugin.h"

struct AVFrame;
struct cw_snapshot;

/* The caption's font is the first of Liberation Sans or DejaVu Sans found
 * (FreeType, no fontconfig); without one the caption band is left out. */
int cw_snapshot_create(struct cw_snapshot **out);
void cw_snapshot_free(struct cw_snapshot *s);

/* The JPEG quantiser of the next encodes: 2 (finest) .. 31; 4 by default
 * (event snapshots); thumbnails, shown small and refreshed every minute,
 * take a coarser one. */
void cw_snapshot_set_quality(struct cw_snapshot *s, int qscale);
/* Encodes f as a JPEG (*out, malloc'd, *len bytes; *w x *h). boxes are in
 * box_w x box_h coordinates (the analysis frame). 0 or a negative code.
 * The scaler, the encoder, the picture and the font are set up for it and
 * let go before it returns: nothing is held between pictures. */
int cw_snapshot_encode(struct cw_snapshot *s, const struct AVFrame *f, const struct cw_plugin_box *boxes, int n_boxes,
                       int box_w, int box_h, const char *caption, uint8_t **out, size_t *len, int *w, int *h);

#endif
