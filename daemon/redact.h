/* Credential masking. Camera URLs carry passwords (rtsp://admin:pw@host/);
 * nothing camwatch writes for people - logs, CLI output, database rows,
 * metrics, reports - may contain them. */
#ifndef CW_REDACT_H
#define CW_REDACT_H
#include <stddef.h>

/* Copies url into out with the password replaced by "***"
 * ("rtsp://admin:***@host/x"). A URL without a password is copied as is.
 * Always NUL-terminates; returns out. */
char *cw_redact_url(const char *url, char *out, size_t len);

/* Same masking applied to every "scheme://user:password@" found anywhere in
 * free text, e.g. a line that FFmpeg logged. Returns out. */
char *cw_redact_text(const char *text, char *out, size_t len);

#endif
