/* camwatch plugin ABI: the whole contract between camwatchd and a
 * detection plugin (a shared object loaded with dlopen).
 *
 * A plugin exports one symbol, `camwatch_plugin_descriptor`, a function
 * returning a descriptor that starts with the ABI version and its own
 * size. camwatchd refuses a plugin whose ABI version differs from its own
 * (naming the file and both versions), and reads no field beyond the
 * struct_size the plugin declares, so fields may be appended in later
 * minor revisions without breaking old plugins.
 *
 * A plugin never sees FFmpeg: it gets an 8-bit luma plane (already
 * downscaled to the analysis width it asked for), or, for input `none`,
 * only the compressed packets' sizes and flags. Everything is called on
 * the camera's ingest thread, one call at a time per instance. */
#ifndef CAMWATCH_PLUGIN_H
#define CAMWATCH_PLUGIN_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: frames carry the source picture's size; the host offers gauge();
 *    analysis_width may be CW_PLUGIN_WIDTH_AUTO or _NATIVE. */
#define CW_PLUGIN_ABI_VERSION 2
#define CW_PLUGIN_SYMBOL "camwatch_plugin_descriptor"

/* What a plugin needs; camwatchd decodes the least that satisfies every
 * plugin of a camera. */
enum cw_plugin_input {
    CW_PLUGIN_INPUT_NONE = 0,      /* packet sizes and flags only: no decoding */
    CW_PLUGIN_INPUT_KEYFRAMES = 1, /* decoded keyframes (skip_frame = nokey) */
    CW_PLUGIN_INPUT_FRAMES = 2,    /* decoded frames at analysis_fps */
};

/* Image-health conditions. */
enum {
    CW_HEALTH_BLACK = 1u << 0,
    CW_HEALTH_FROZEN = 1u << 1,
    CW_HEALTH_COVERED = 1u << 2,
    CW_HEALTH_BLURRED = 1u << 3,
};

struct cw_plugin_frame {
    const uint8_t *luma; /* width x height, rows `stride` bytes apart */
    int width, height, stride;
    int64_t pts_us;      /* stream time */
    int64_t wall_us;     /* arrival, UTC */
    int keyframe;
    int source_width, source_height; /* the camera's picture before scaling */
};

struct cw_plugin_packet {
    int64_t pts_us;
    int64_t wall_us;
    int size; /* bytes of the compressed video frame */
    int keyframe;
};

/* analysis_width: 320 for a source up to 640 wide, half the source's width
 * above that (at most 640); or the source's own width. */
#define CW_PLUGIN_WIDTH_AUTO (-1)
#define CW_PLUGIN_WIDTH_NATIVE (-2)

#define CW_PLUGIN_MAX_BOXES 16

struct cw_plugin_box {
    int x, y, w, h; /* in the analysed frame's pixels */
};

struct cw_plugin_result {
    double score;        /* 0..1: how much activity or motion; negative: no
                          * reading this time (a keyframe, still learning),
                          * which neither events nor the level count */
    int positive;        /* this analysis found motion/activity */
    int n_boxes;
    struct cw_plugin_box boxes[CW_PLUGIN_MAX_BOXES];
    uint32_t health_checked; /* CW_HEALTH_* flags this plugin evaluates */
    uint32_t health;         /* ...and those of them that hold now */
};

/* Services of the host. */
struct cw_plugin_host {
    uint32_t abi_version;
    uint32_t struct_size;
    /* level: 0 error, 1 warn, 2 info, 3 debug */
    void (*log)(void *host_ud, int level, const char *msg);
    void *host_ud;
    /* A named reading of the plugin's own state ("compensation_gain"),
     * exported as camwatch_plugin_gauge{camera,plugin,name}: for what a
     * technician needs to see drift. Names are [a-z0-9_], at most 8 per
     * plugin instance; the last value of each is kept. */
    void (*gauge)(void *host_ud, const char *name, double value);
};

struct cw_plugin_descriptor {
    uint32_t abi_version; /* CW_PLUGIN_ABI_VERSION */
    uint32_t struct_size; /* sizeof(struct cw_plugin_descriptor) */
    const char *name;     /* "motion" */
    const char *version;  /* "1.0.0" */
    enum cw_plugin_input input;
    double analysis_fps;  /* for FRAMES: analyses per second (0: every frame) */
    int analysis_width;   /* for KEYFRAMES/FRAMES: luma width wanted (0: 320),
                           * or CW_PLUGIN_WIDTH_AUTO / _NATIVE; a camera's
                           * option analysis_width overrides it (the host's) */
    int allow_fast_decode; /* may skip the loop filter: slightly softer frames */

    /* Returns 0 and *state, or a negative code. */
    int (*create)(const struct cw_plugin_host *host, void **state);
    /* One option of the camera's config; a negative return rejects it, with
     * a reason in err. Called before the first process call. */
    int (*configure)(void *state, const char *key, const char *value, char *err, size_t errlen);
    /* Input KEYFRAMES or FRAMES. Returns 0 or a negative code. */
    int (*process_frame)(void *state, const struct cw_plugin_frame *f, struct cw_plugin_result *out);
    /* Input NONE: every video packet. */
    int (*process_packet)(void *state, const struct cw_plugin_packet *p, struct cw_plugin_result *out);
    void (*destroy)(void *state);
};

typedef const struct cw_plugin_descriptor *(*cw_plugin_descriptor_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
