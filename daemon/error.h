/* camwatch error codes.
 *
 * Every fallible function returns 0 or one of these negative codes. The list
 * is append-only: a number, once given, never changes meaning, so logs and
 * scripts that grep for a code stay correct across versions. */
#ifndef CW_ERROR_H
#define CW_ERROR_H

#define CW_ERROR_MAP(X)                                              \
    X(CW_OK, 0, "success")                                           \
    X(CW_ENOMEM, -1, "out of memory")                                \
    X(CW_EINVAL, -2, "invalid argument")                             \
    X(CW_ECONFIG, -3, "invalid configuration")                       \
    X(CW_ESTORE, -4, "database error")                               \
    X(CW_EIO, -5, "input/output error")                              \
    X(CW_ENOTFOUND, -6, "not found")                                 \
    X(CW_ESCHEMA, -7, "database schema is newer than this program")  \
    X(CW_ETHREAD, -8, "could not start a thread")                    \
    X(CW_EBUSY, -9, "resource busy")

enum cw_error {
#define CW__ERR_ENUM(name, val, msg) name = val,
    CW_ERROR_MAP(CW__ERR_ENUM)
#undef CW__ERR_ENUM
};

/* A static message for a code; never NULL, also for unknown codes. */
const char *cw_strerror(int code);

#endif
