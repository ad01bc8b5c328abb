/* Event snapshots (see snapshot.h): libswscale scales and converts the
 * decoded frame to full-range YUV 4:2:0, the boxes and the caption are
 * drawn into its planes (glyphs from FreeType), libavcodec's MJPEG
 * encoder writes the file. */
#include "snapshot.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

struct cw_snapshot {
    FT_Library ft;
    FT_Face face; /* NULL: no caption */
    struct SwsContext *sws;
    AVCodecContext *enc;
    AVFrame *out;
    AVPacket *pkt;
    int qscale; /* 0: 4 */
};

static const char *const fonts[] = {
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    NULL,
};

int cw_snapshot_create(struct cw_snapshot **out)
{
    struct cw_snapshot *s = calloc(1, sizeof *s);
    *out = s;
    return s ? 0 : CW_ENOMEM;
}

/* The caption's font, from the file for each picture (a fraction of a
 * millisecond): between pictures a camera holds no font (FreeType maps
 * the file and keeps glyphs per face). */
static void load_font(struct cw_snapshot *s)
{
    if (FT_Init_FreeType(&s->ft) != 0) {
        s->ft = NULL;
        return;
    }
    for (int i = 0; fonts[i] && !s->face; i++)
        if (access(fonts[i], R_OK) == 0 && FT_New_Face(s->ft, fonts[i], 0, &s->face) != 0)
            s->face = NULL;
}

/* What one picture set up: the scaler, the encoder, the picture and the
 * font (several MiB at 720p), let go as soon as it is written. */
static void release(struct cw_snapshot *s)
{
    if (!s)
        return;
    sws_freeContext(s->sws);
    s->sws = NULL;
    avcodec_free_context(&s->enc);
    av_frame_free(&s->out);
    av_packet_free(&s->pkt);
    if (s->face)
        FT_Done_Face(s->face);
    s->face = NULL;
    if (s->ft)
        FT_Done_FreeType(s->ft);
    s->ft = NULL;
}

void cw_snapshot_free(struct cw_snapshot *s)
{
    release(s);
    free(s);
}

/* Paints one pixel of a YUV 4:2:0 frame (its chroma sample too). */
static void put(AVFrame *f, int x, int y, uint8_t Y, uint8_t U, uint8_t V)
{
    if (x < 0 || y < 0 || x >= f->width || y >= f->height)
        return;
    f->data[0][(size_t)y * f->linesize[0] + x] = Y;
    f->data[1][(size_t)(y / 2) * f->linesize[1] + x / 2] = U;
    f->data[2][(size_t)(y / 2) * f->linesize[2] + x / 2] = V;
}

/* The next code point of UTF-8 text (invalid bytes read as '?'). */
static unsigned next_cp(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    int n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) {
        (*p)++;
        return '?';
    }
    unsigned cp = n == 1 ? *s : n == 2 ? (*s & 0x1Fu) : n == 3 ? (*s & 0x0Fu) : (*s & 0x07u);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            (*p)++;
            return '?';
        }
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    *p += n;
    return cp;
}

/* White text on the band [top, top + bh), from the left margin, cut at the
 * frame's edge. */
static void caption(struct cw_snapshot *s, AVFrame *f, int top, int bh, const char *text)
{
    if (!s->face || FT_Set_Pixel_Sizes(s->face, 0, (FT_UInt)(bh * 6 / 10)) != 0)
        return;
    int pen = bh / 3, base = top + bh * 3 / 4;
    for (const char *p = text; *p;) {
        unsigned cp = next_cp(&p);
        if (FT_Load_Char(s->face, cp, FT_LOAD_RENDER) != 0)
            continue;
        FT_GlyphSlot g = s->face->glyph;
        if (pen + (int)(g->advance.x >> 6) > f->width - bh / 3)
            break;
        for (unsigned r = 0; r < g->bitmap.rows; r++)
            for (unsigned c = 0; c < g->bitmap.width; c++) {
                int a = g->bitmap.buffer[r * (unsigned)g->bitmap.pitch + c];
                int x = pen + g->bitmap_left + (int)c, y = base - g->bitmap_top + (int)r;
                if (a == 0 || x < 0 || y < top || x >= f->width || y >= top + bh)
                    continue;
                uint8_t *py = &f->data[0][(size_t)y * f->linesize[0] + x];
                *py = (uint8_t)((*py * (255 - a) + 255 * a) / 255);
            }
        pen += (int)(g->advance.x >> 6);
    }
}

void cw_snapshot_set_quality(struct cw_snapshot *s, int qscale)
{
    s->qscale = qscale < 2 ? 2 : qscale > 31 ? 31 : qscale;
}

static int encode(struct cw_snapshot *s, const AVFrame *f, const struct cw_plugin_box *boxes, int n_boxes, int box_w,
                  int box_h, const char *text, uint8_t **out, size_t *len, int *w_out, int *h_out)
{
    if (!f || f->width <= 0 || f->height <= 0)
        return CW_EINVAL;
    load_font(s);
    /* at least 640 wide for a phone, the camera's own width up to 1280 */
    int w = f->width < 640 ? 640 : f->width > 1280 ? 1280 : f->width;
    w &= ~1;
    int ph = (int)((int64_t)f->height * w / f->width) & ~1;
    int bh = s->face && text && text[0] ? ((w / 28) + 1) & ~1 : 0;
    int h = ph + bh;
    s->out = av_frame_alloc();
    const AVCodec *c = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!s->out || !c || !(s->enc = avcodec_alloc_context3(c)))
        return CW_ENOMEM;
    /* full-range 4:2:0 ("yuvj420p" is the deprecated name of it) */
    s->out->format = AV_PIX_FMT_YUV420P;
    s->out->color_range = AVCOL_RANGE_JPEG;
    s->out->width = w;
    s->out->height = h;
    if (av_frame_get_buffer(s->out, 0) < 0)
        return CW_ENOMEM;
    s->enc->width = w;
    s->enc->height = h;
    s->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    s->enc->color_range = AVCOL_RANGE_JPEG;
    s->enc->time_base = (AVRational){1, 25};
    s->enc->flags |= AV_CODEC_FLAG_QSCALE;
    s->enc->global_quality = FF_QP2LAMBDA * 4;
    if (avcodec_open2(s->enc, c, NULL) < 0)
        return CW_EIO;
    if (!(s->pkt = av_packet_alloc()))
        return CW_ENOMEM;
    s->sws = sws_getContext(f->width, f->height, (enum AVPixelFormat)f->format, w, ph, AV_PIX_FMT_YUV420P,
                            SWS_BILINEAR, NULL, NULL, NULL);
    if (!s->sws)
        return CW_EINVAL;
    /* the camera's range (usually limited, 16-235) to JPEG's full range */
    const int *coef = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(s->sws, coef, f->color_range == AVCOL_RANGE_JPEG, coef, 1, 0, 1 << 16, 1 << 16);
    sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, s->out->data, s->out->linesize);
    /* the boxes, red, a few pixels thick */
    int t = w / 320 + 1;
    for (int i = 0; i < n_boxes && box_w > 0 && box_h > 0; i++) {
        int x0 = boxes[i].x * w / box_w, y0 = boxes[i].y * ph / box_h;
        int x1 = (boxes[i].x + boxes[i].w) * w / box_w, y1 = (boxes[i].y + boxes[i].h) * ph / box_h;
        for (int k = 0; k < t; k++) {
            for (int x = x0; x <= x1; x++)
                put(s->out, x, y0 + k, 76, 85, 255), put(s->out, x, y1 - k, 76, 85, 255);
            for (int y = y0; y <= y1 && y < ph; y++)
                put(s->out, x0 + k, y, 76, 85, 255), put(s->out, x1 - k, y, 76, 85, 255);
        }
    }
    /* the caption band: black, white text */
    if (bh) {
        for (int y = ph; y < h; y++)
            memset(s->out->data[0] + (size_t)y * s->out->linesize[0], 0, (size_t)w);
        for (int y = ph / 2; y < h / 2; y++) {
            memset(s->out->data[1] + (size_t)y * s->out->linesize[1], 128, (size_t)w / 2);
            memset(s->out->data[2] + (size_t)y * s->out->linesize[2], 128, (size_t)w / 2);
        }
        caption(s, s->out, ph, bh, text);
    }
    s->out->pts = 0; /* the encoder's one frame */
    /* with AV_CODEC_FLAG_QSCALE the encoder takes each frame's own quality */
    s->out->quality = FF_QP2LAMBDA * (s->qscale ? s->qscale : 4);
    if (avcodec_send_frame(s->enc, s->out) < 0 || avcodec_receive_packet(s->enc, s->pkt) < 0)
        return CW_EIO;
    uint8_t *copy = malloc((size_t)s->pkt->size);
    if (!copy) {
        av_packet_unref(s->pkt);
        return CW_ENOMEM;
    }
    memcpy(copy, s->pkt->data, (size_t)s->pkt->size);
    *out = copy;
    *len = (size_t)s->pkt->size;
    *w_out = w;
    *h_out = h;
    av_packet_unref(s->pkt);
    return 0;
}

/* Every picture sets up its encoder and lets it go when written: set up
 * again in well under a millisecond against some 10 ms to encode 720p, it
 * held 3-5 MiB per camera between pictures (a thumbnail a minute, an
 * event's peaks). */
int cw_snapshot_encode(struct cw_snapshot *s, const AVFrame *f, const struct cw_plugin_box *boxes, int n_boxes,
                       int box_w, int box_h, const char *text, uint8_t **out, size_t *len, int *w_out, int *h_out)
{
    int rc = encode(s, f, boxes, n_boxes, box_w, box_h, text, out, len, w_out, h_out);
    release(s);
    return rc;
}
