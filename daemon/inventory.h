/* The camera inventory (QCVN 135:2024/BTTTT, Decision 724/QĐ-BTTTT; issue
 * #26): per camera its maker, model, firmware and serial (read with ONVIF
 * GetDeviceInformation where the camera answers, else from the config), its
 * certification as the config states it, and warnings about its own
 * security: a maker's factory password, a password shared with other
 * cameras, a firmware older than the one the config marks as fixed.
 *
 * Passwords are only compared: with a short documented list of factory
 * defaults (never tried against a camera) and with each other by a keyed
 * hash made for the run; none is ever printed, logged or stored. ONVIF is
 * asked with HTTP digest authentication and a WS-UsernameToken digest: the
 * password never crosses the network in clear. */
#ifndef CW_INVENTORY_H
#define CW_INVENTORY_H

#include "config.h"

enum cw_inv_warning {
    CW_INV_FACTORY_PASSWORD = 1 << 0,
    CW_INV_SHARED_PASSWORD = 1 << 1,
    CW_INV_OLD_FIRMWARE = 1 << 2,
    CW_INV_RTSP_NO_TLS = 1 << 3, /* rtsp:// while the camera listens on RTSPS's port (322) */
};
#define CW_INV_N_WARNINGS 4
/* "factory_password", "shared_password", "old_firmware", "rtsp_without_tls" (bit i) */
const char *cw_inv_warning_name(int i);

struct cw_inventory_row {
    char camera[72], name[96], site[72];
    char maker[80], model[80], firmware[80], serial[80];
    char source[8];           /* "onvif", "config" or "" (nothing known) */
    char certified[32], certificate[80];
    char onvif_error[200];    /* why ONVIF said nothing ("" when it answered or was not asked) */
    unsigned warnings;        /* enum cw_inv_warning bits */
    char shared_with[400];    /* the other cameras of a shared password, comma-separated */
};

/* What the inventory needs of a config, copied (the credentials wiped when
 * freed): made on camwatchd's loop, run on its thread pool, which never
 * reads the config. */
struct cw_inventory_plan;
struct cw_inventory_plan *cw_inventory_plan_new(const struct cw_config *cfg);
/* Asks a running cw_inventory_run to stop after the camera it is asking
 * (camwatchd's shutdown); the rows so far are its result. */
void cw_inventory_plan_stop(struct cw_inventory_plan *p);
void cw_inventory_plan_free(struct cw_inventory_plan *p);
/* One row per configured camera, in the config's order; probe 0 asks no
 * camera (the config's facts only: no network, fast). 0, or CW_ENOMEM. */
int cw_inventory_run(struct cw_inventory_plan *p, int probe, int timeout_s, struct cw_inventory_row **rows,
                     int *n);
/* plan, run, free in one */
int cw_inventory_make(const struct cw_config *cfg, int probe, int timeout_s, struct cw_inventory_row **rows, int *n);

/* 1 if user:password is a maker's factory default of the documented list. */
int cw_inventory_factory_default(const char *user, const char *password);

#endif
