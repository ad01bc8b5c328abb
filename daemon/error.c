/* The one table of camwatch error messages (see error.h). */
#include "error.h"

const char *cw_strerror(int code)
{
    switch (code) {
#define CW__ERR_CASE(name, val, msg) case val: return msg;
    CW_ERROR_MAP(CW__ERR_CASE)
#undef CW__ERR_CASE
    }
    return "unknown error";
}
