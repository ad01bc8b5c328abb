/* The camera inventory (see inventory.h). */
#include "inventory.h"

#include <ctype.h>
#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

static const char *const warning_names[CW_INV_N_WARNINGS] = {"factory_password", "shared_password", "old_firmware",
                                                              "rtsp_without_tls"};

const char *cw_inv_warning_name(int i) { return i >= 0 && i < CW_INV_N_WARNINGS ? warning_names[i] : "?"; }

/* Makers' shipped defaults, as published in their manuals and in the
 * lists of the 2016-2024 botnets that used them (README, "The camera
 * inventory"). Compared with what the config holds; never tried. */
static const struct {
    const char *user, *password;
} factory[] = {
    {"admin", "12345"},    /* Hikvision before 2016 firmware */
    {"admin", "admin"},    /* Dahua, KBVision, many OEMs */
    {"888888", "888888"},  /* Dahua local accounts */
    {"666666", "666666"},  /* Dahua */
    {"admin", ""},         /* Xiongmai (XMEye) OEMs */
    {"admin", "123456"},   /* Xiongmai, Vantech, Questek */
    {"admin", "888888"},   /* Tiandy, Xiongmai */
    {"admin", "1234"},     /* Samsung/Hanwha older models */
    {"admin", "4321"},     /* Samsung/Hanwha older models */
    {"admin", "password"}, /* Ezviz/Imou OEMs */
    {"admin", "admin123"}, /* Uniview */
    {"admin", "9999"},     /* Panasonic older models */
    {"root", "pass"},      /* Axis before 2018 */
    {"root", "root"},
    {"user", "user"},
    {"guest", "guest"},
    {"supervisor", "supervisor"},
};

int cw_inventory_factory_default(const char *user, const char *password)
{
    for (size_t i = 0; i < sizeof factory / sizeof factory[0]; i++)
        if (!strcmp(factory[i].user, user) && !strcmp(factory[i].password, password))
            return 1;
    return 0;
}

/* The URL's user, password and host (percent-decoded); 0 or -1. */
static int url_parts(const char *url, char **user, char **pw, char **host)
{
    CURLU *u = curl_url();
    *user = *pw = *host = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        curl_url_cleanup(u);
        return -1;
    }
    curl_url_get(u, CURLUPART_USER, user, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_PASSWORD, pw, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_HOST, host, 0);
    curl_url_cleanup(u);
    return 0;
}

static void wipe_free(char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        curl_free(s);
    }
}

/* ---- ONVIF GetDeviceInformation ---- */

struct buf {
    char *p;
    size_t n;
};

static size_t on_body(char *d, size_t sz, size_t nm, void *ud)
{
    struct buf *b = ud;
    size_t len = sz * nm;
    if (b->n + len > 256 * 1024)
        return 0; /* a device description is a few hundred bytes */
    char *t = realloc(b->p, b->n + len + 1);
    if (!t)
        return 0;
    memcpy(t + b->n, d, len);
    b->n += len;
    t[b->n] = '\0';
    b->p = t;
    return len;
}

/* A WS-UsernameToken PasswordDigest: base64(SHA1(nonce + created + password)). */
static int username_token(const char *user, const char *pw, char *out, size_t len)
{
    unsigned char nonce[16], digest[20];
    char created[32], n64[40], d64[40];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    randombytes_buf(nonce, sizeof nonce);
    size_t cl = strlen(created), pl = strlen(pw);
    unsigned char *cat = malloc(sizeof nonce + cl + pl);
    if (!cat)
        return -1;
    memcpy(cat, nonce, sizeof nonce);
    memcpy(cat + sizeof nonce, created, cl);
    memcpy(cat + sizeof nonce + cl, pw, pl);
    int rc = gnutls_hash_fast(GNUTLS_DIG_SHA1, cat, sizeof nonce + cl + pl, digest);
    sodium_memzero(cat, sizeof nonce + cl + pl);
    free(cat);
    if (rc < 0)
        return -1;
    sodium_bin2base64(n64, sizeof n64, nonce, sizeof nonce, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(d64, sizeof d64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    /* the user name goes into XML: one that needs escaping is not sent */
    if (strpbrk(user, "<>&\"'"))
        return -1;
    int n = snprintf(out, len,
                     "<s:Header><Security s:mustUnderstand=\"1\" xmlns=\"http://docs.oasis-open.org/wss/2004/01/"
                     "oasis-200401-wss-wssecurity-secext-1.0.xsd\"><UsernameToken><Username>%s</Username>"
                     "<Password Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-"
                     "1.0#PasswordDigest\">%s</Password><Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
                     "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">%s</Nonce><Created xmlns=\"http://"
                     "docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">%s</Created>"
                     "</UsernameToken></Security></s:Header>",
                     user, d64, n64, created);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The text of the first element named local (any namespace) under node. */
static int find_text(xmlNodePtr node, const char *local, char *out, size_t len)
{
    for (xmlNodePtr c = node; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, local)) {
            xmlChar *t = xmlNodeGetContent(c);
            snprintf(out, len, "%s", t ? (const char *)t : "");
            xmlFree(t);
            /* one line of printable text: it goes into CSV, ODT and logs */
            for (char *p = out; *p; p++)
                if ((unsigned char)*p < 0x20)
                    *p = ' ';
            return 1;
        }
        if (find_text(c->children, local, out, len))
            return 1;
    }
    return 0;
}

/* libcurl asks this while it waits (resolving, connecting, reading):
 * a stop asked for by camwatchd's shutdown ends the transfer at once */
static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return ud && *(volatile int *)ud;
}

static void stoppable(CURL *c, volatile int *stop)
{
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
}

static void ask_onvif(const char *url, const char *user, const char *pw, int timeout_s, volatile int *stop,
                      struct cw_inventory_row *r)
{
    char header[1400], body[2000];
    if (username_token(user ? user : "", pw ? pw : "", header, sizeof header) < 0) {
        snprintf(r->onvif_error, sizeof r->onvif_error, "cannot make the request for this user name");
        return;
    }
    snprintf(body, sizeof body,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
             "%s<s:Body><GetDeviceInformation xmlns=\"http://www.onvif.org/ver10/device/wsdl\"/></s:Body></s:Envelope>",
             header);
    sodium_memzero(header, sizeof header);
    CURL *c = curl_easy_init();
    struct buf b = {NULL, 0};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/soap+xml; charset=utf-8");
    long status = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    if (c && h) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout_s);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(timeout_s < 3 ? timeout_s : 3));
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        stoppable(c, stop);
        if (user && user[0]) {
            /* digest only: Basic would send the password in clear */
            curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
            curl_easy_setopt(c, CURLOPT_USERNAME, user);
            curl_easy_setopt(c, CURLOPT_PASSWORD, pw ? pw : "");
        }
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    sodium_memzero(body, sizeof body);
    if (rc != CURLE_OK)
        snprintf(r->onvif_error, sizeof r->onvif_error, "no answer: %s", curl_easy_strerror(rc));
    else if (status == 401)
        snprintf(r->onvif_error, sizeof r->onvif_error, "refuses the user and password (HTTP 401)");
    else if (status != 200)
        snprintf(r->onvif_error, sizeof r->onvif_error, "answers HTTP %ld", status);
    else {
        xmlDocPtr doc = xmlReadMemory(b.p, (int)b.n, "onvif.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                                       XML_PARSE_NOWARNING);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        char maker[80] = "", model[80] = "", fw[80] = "", serial[80] = "";
        if (root && find_text(root, "Manufacturer", maker, sizeof maker)) {
            find_text(root, "Model", model, sizeof model);
            find_text(root, "FirmwareVersion", fw, sizeof fw);
            find_text(root, "SerialNumber", serial, sizeof serial);
            snprintf(r->maker, sizeof r->maker, "%s", maker);
            snprintf(r->model, sizeof r->model, "%s", model);
            snprintf(r->firmware, sizeof r->firmware, "%s", fw);
            snprintf(r->serial, sizeof r->serial, "%s", serial);
            snprintf(r->source, sizeof r->source, "onvif");
        } else {
            snprintf(r->onvif_error, sizeof r->onvif_error, "the answer is not a device description");
        }
        xmlFreeDoc(doc);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(b.p);
}

/* -1, 0, 1 as version a is older, the same, newer than b: the numbers in
 * them compared in turn ("V5.5.0 build 180111" < "V5.5.800"). */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return *a ? 1 : *b ? -1 : 0;
        unsigned long long x = strtoull(a, (char **)&a, 10), y = strtoull(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

struct plan_cam {
    char *id, *name, *site, *url, *onvif, *maker, *model, *firmware, *serial, *certified, *certificate, *fixed;
};
struct cw_inventory_plan {
    struct plan_cam *cams;
    int n;
    volatile int stop;
};

void cw_inventory_plan_stop(struct cw_inventory_plan *p) { p->stop = 1; }

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

void cw_inventory_plan_free(struct cw_inventory_plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        struct plan_cam *c = &p->cams[i];
        if (c->url)
            sodium_memzero(c->url, strlen(c->url)); /* it holds the camera's password */
        char *all[] = {c->id, c->name, c->site, c->url, c->onvif, c->maker, c->model, c->firmware, c->serial,
                       c->certified, c->certificate, c->fixed};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            free(all[k]);
    }
    free(p->cams);
    free(p);
}

struct cw_inventory_plan *cw_inventory_plan_new(const struct cw_config *cfg)
{
    struct cw_inventory_plan *p = calloc(1, sizeof *p);
    if (!p || !(p->cams = calloc((size_t)cfg->n_cameras + 1, sizeof *p->cams))) {
        free(p);
        return NULL;
    }
    for (int i = 0; i < cfg->n_cameras; i++) {
        const struct cw_camera_config *c = &cfg->cameras[i];
        const struct cw_site *site = cw_config_camera_site(cfg, c);
        struct plan_cam *pc = &p->cams[p->n++];
        pc->id = dup_or_empty(c->id);
        pc->name = dup_or_empty(c->name ? c->name : c->id);
        pc->site = dup_or_empty(site ? site->id : "");
        pc->url = dup_or_empty(c->url);
        pc->onvif = dup_or_empty(c->onvif);
        pc->maker = dup_or_empty(c->maker);
        pc->model = dup_or_empty(c->model);
        pc->firmware = dup_or_empty(c->firmware);
        pc->serial = dup_or_empty(c->serial);
        pc->certified = dup_or_empty(c->certified);
        pc->certificate = dup_or_empty(c->certificate);
        pc->fixed = dup_or_empty(c->firmware_fixed);
        if (!pc->id || !pc->name || !pc->site || !pc->url || !pc->onvif || !pc->maker || !pc->model ||
            !pc->firmware || !pc->serial || !pc->certified || !pc->certificate || !pc->fixed) {
            cw_inventory_plan_free(p);
            return NULL;
        }
    }
    return p;
}

/* Whether host listens on RTSPS's port (322): a camera that offers RTSP
 * over TLS, watched over plain rtsp://. A TCP connect, nothing sent. */
static int offers_rtsps(const char *host, int timeout_s, volatile int *stop)
{
    char url[300];
    snprintf(url, sizeof url, "telnet://%s:322", host);
    CURL *c = curl_easy_init();
    if (!c)
        return 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(timeout_s < 2 ? timeout_s : 2));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    stoppable(c, stop);
    int ok = curl_easy_perform(c) == CURLE_OK;
    curl_easy_cleanup(c);
    return ok;
}

int cw_inventory_run(struct cw_inventory_plan *p, int probe, int timeout_s, struct cw_inventory_row **out, int *n)
{
    struct cw_inventory_row *rows = calloc((size_t)p->n + 1, sizeof *rows);
    /* passwords compared by a keyed hash made for this run only */
    unsigned char key[crypto_generichash_KEYBYTES];
    unsigned char(*hashes)[32] = calloc((size_t)p->n + 1, sizeof *hashes);
    int *has_pw = calloc((size_t)p->n + 1, sizeof *has_pw);
    *out = NULL;
    *n = 0;
    if (!rows || !hashes || !has_pw || sodium_init() < 0) {
        free(rows);
        free(hashes);
        free(has_pw);
        return CW_ENOMEM;
    }
    randombytes_buf(key, sizeof key);
    for (int i = 0; i < p->n; i++) {
        const struct plan_cam *c = &p->cams[i];
        struct cw_inventory_row *r = &rows[i];
        snprintf(r->camera, sizeof r->camera, "%s", c->id);
        snprintf(r->name, sizeof r->name, "%s", c->name);
        snprintf(r->site, sizeof r->site, "%s", c->site);
        snprintf(r->certified, sizeof r->certified, "%s", c->certified);
        snprintf(r->certificate, sizeof r->certificate, "%s", c->certificate);
        char *user = NULL, *pw = NULL, *host = NULL;
        url_parts(c->url, &user, &pw, &host);
        if (user && cw_inventory_factory_default(user, pw ? pw : ""))
            r->warnings |= CW_INV_FACTORY_PASSWORD;
        if (pw && pw[0]) {
            crypto_generichash(hashes[i], sizeof hashes[i], (const unsigned char *)pw, strlen(pw), key, sizeof key);
            has_pw[i] = 1;
        }
        if (probe && c->onvif[0] && host && !p->stop) {
            char url[600];
            if (!strcmp(c->onvif, "auto"))
                snprintf(url, sizeof url, "http://%s/onvif/device_service", host);
            else
                snprintf(url, sizeof url, "%s", c->onvif);
            ask_onvif(url, user, pw, timeout_s, &p->stop, r);
        }
        if (probe && host && !p->stop && !strncmp(c->url, "rtsp://", 7) && offers_rtsps(host, timeout_s, &p->stop))
            r->warnings |= CW_INV_RTSP_NO_TLS;
        if (!r->source[0] && (c->maker[0] || c->model[0] || c->firmware[0])) {
            snprintf(r->maker, sizeof r->maker, "%s", c->maker);
            snprintf(r->model, sizeof r->model, "%s", c->model);
            snprintf(r->firmware, sizeof r->firmware, "%s", c->firmware);
            snprintf(r->serial, sizeof r->serial, "%s", c->serial);
            snprintf(r->source, sizeof r->source, "config");
        }
        if (c->fixed[0] && r->firmware[0] && version_cmp(r->firmware, c->fixed) < 0)
            r->warnings |= CW_INV_OLD_FIRMWARE;
        wipe_free(user);
        wipe_free(pw);
        curl_free(host);
    }
    for (int i = 0; i < p->n; i++) {
        size_t o = 0;
        for (int k = 0; has_pw[i] && k < p->n; k++) {
            if (k == i || !has_pw[k] || sodium_memcmp(hashes[i], hashes[k], sizeof hashes[i]) != 0)
                continue;
            rows[i].warnings |= CW_INV_SHARED_PASSWORD;
            if (o + strlen(rows[k].camera) + 3 < sizeof rows[i].shared_with)
                o += (size_t)snprintf(rows[i].shared_with + o, sizeof rows[i].shared_with - o, "%s%s", o ? ", " : "",
                                      rows[k].camera);
        }
    }
    sodium_memzero(key, sizeof key);
    sodium_memzero(hashes, sizeof *hashes * (size_t)p->n);
    free(hashes);
    free(has_pw);
    *out = rows;
    *n = p->n;
    return 0;
}

int cw_inventory_make(const struct cw_config *cfg, int probe, int timeout_s, struct cw_inventory_row **out, int *n)
{
    struct cw_inventory_plan *p = cw_inventory_plan_new(cfg);
    *out = NULL;
    *n = 0;
    if (!p)
        return CW_ENOMEM;
    int rc = cw_inventory_run(p, probe, timeout_s, out, n);
    cw_inventory_plan_free(p);
    return rc;
}
