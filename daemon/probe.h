/* The cheap "is it back?" check for a camera that is down: a TCP connect to
 * its RTSP port and an OPTIONS request with no credentials, no media and no
 * FFmpeg. It runs on the camera's ingest thread between sessions, so that a
 * recovery is seen within seconds however far the session backoff has
 * grown. */
#ifndef CW_PROBE_H
#define CW_PROBE_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Host and port from an rtsp:// URL (userinfo ignored, default port 554),
 * then connect, OPTIONS and one status line, giving up at deadline_mono_us
 * or as soon as *stop becomes non-zero. Returns 1 when an RTSP server
 * answered with a status below 500, 0 otherwise (refused, timed out, no
 * RTSP, 5xx); detail says what happened and never contains the URL. */
int cw_rtsp_probe(const char *url, int64_t deadline_mono_us, atomic_int *stop, char *detail, size_t len);

#endif
