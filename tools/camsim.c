/* camsim: a simulated camera network for tests, the demo and benchmarks.
 *
 * Serves N mounts on one RTSP port with gst-rtsp-server. Each mount loops a
 * pre-encoded H.264 file (Annex B with access-unit delimiters, as
 * scripts/media.sh makes them), pushed into the pipeline as it is: no
 * re-encoding, so one camsim can stand in for hundreds of cameras. Faults
 * per mount reproduce what broken cameras do:
 *
 *   camsim --port 8554 --mount NAME=file=PATH[,fps=15][,FAULT...] ...
 *
 *   auth=USER:PASS   require these credentials (401 otherwise)
 *   stall=T[:D]      T s after start stop sending video but keep the session
 *                    open (for D s, default forever); up to 8 per mount, in
 *                    time order. Start and end are printed as
 *                    "camsim: NAME stall wall=..." and "... resume wall=..."
 *   close=T          T s after start close the mount's connections (once)
 *   flap=UP:DOWN     serve for UP s, then close connections and answer 503
 *                    for DOWN s, and again
 *   refuse           answer every DESCRIBE with 503 Service Unavailable
 *   mark=T1:T2:...   print "camsim: NAME mark T wall=UNIX_TIME" whenever the
 *                    frame at T s into the file is sent (benchmarks time
 *                    alerts from it); a stall's start is printed the same way
 *
 * `--ready-file F` writes F once the port listens (tests wait on it).
 * SIGTERM/SIGINT stop it. */
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MOUNTS 1024

struct mount {
    char *name, *path;
    char *file;
    guint8 *data;
    gsize size;
    gsize *au_off; /* access units: offsets into data, and one past the end */
    gsize *au_len;
    gboolean *au_key;
    guint n_au, next_au;
    double fps;
    char *user, *pass;
    double stall_at[8], stall_for[8]; /* stall_for < 0: forever */
    int n_stalls;
    int stall_state; /* 0 sending, 1 stalled (printed) */
    double close_at;
    gboolean closed_once;
    double flap_up, flap_down;
    gboolean refuse;
    double marks[16];
    guint mark_au[16];
    int n_marks;
    GstAppSrc *src; /* of the current shared media, or NULL */
    guint64 pushed;
};

struct sim {
    GMutex lock; /* guards mount.src and mount.next_au hand-over */
    gint quit;
    GstRTSPServer *server;
    GMainLoop *loop;
    struct mount mounts[MAX_MOUNTS];
    int n;
    gint64 t0;
};

static struct sim *the_sim; /* for GLib callbacks that carry no user data */

static double since_start(void) { return (g_get_monotonic_time() - the_sim->t0) / 1e6; }

/* Is the mount in a "down" phase of its flap cycle right now? */
static gboolean flap_down(const struct mount *m)
{
    if (m->flap_up <= 0)
        return FALSE;
    double cyc = m->flap_up + m->flap_down, t = since_start();
    return fmod(t, cyc) >= m->flap_up;
}

static gboolean stalled(const struct mount *m)
{
    double t = since_start();
    for (int i = 0; i < m->n_stalls; i++)
        if (t >= m->stall_at[i] && (m->stall_for[i] < 0 || t < m->stall_at[i] + m->stall_for[i]))
            return TRUE;
    return FALSE;
}

static int is_nal_start(const guint8 *p, gsize left, gsize *sc)
{
    if (left >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1) {
        *sc = 4;
        return 1;
    }
    if (left >= 3 && p[0] == 0 && p[1] == 0 && p[2] == 1) {
        *sc = 3;
        return 1;
    }
    return 0;
}

/* Splits an Annex B stream into access units at each AUD (NAL type 9). */
static gboolean load_file(struct mount *m, GError **err)
{
    gsize i, sc, cap = 1024;
    if (!g_file_get_contents(m->file, (gchar **)&m->data, &m->size, err))
        return FALSE;
    m->au_off = g_new(gsize, cap);
    m->au_key = g_new0(gboolean, cap);
    for (i = 0; i < m->size; i++) {
        if (!is_nal_start(m->data + i, m->size - i, &sc))
            continue;
        guint8 type = m->data[i + sc] & 0x1f;
        if (type == 9) {
            if (m->n_au + 1 >= cap) {
                cap *= 2;
                m->au_off = g_renew(gsize, m->au_off, cap);
                m->au_key = g_renew(gboolean, m->au_key, cap);
            }
            m->au_off[m->n_au] = i;
            m->au_key[m->n_au] = FALSE;
            m->n_au++;
        } else if (type == 5 && m->n_au > 0) {
            m->au_key[m->n_au - 1] = TRUE;
        }
        i += sc;
    }
    if (m->n_au == 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: no access-unit delimiters; encode with -x264-params aud=1", m->file);
        return FALSE;
    }
    m->au_len = g_new(gsize, m->n_au);
    for (guint k = 0; k < m->n_au; k++)
        m->au_len[k] = (k + 1 < m->n_au ? m->au_off[k + 1] : m->size) - m->au_off[k];
    /* Start every loop on a keyframe so a new viewer decodes quickly. */
    while (m->n_au > 1 && !m->au_key[m->n_au - 1] && !m->au_key[0])
        m->n_au--;
    return TRUE;
}

/* Pushes one frame of a mount if a viewer's pipeline exists. Runs on the
 * pusher thread: gst-rtsp-server blocks its main loop while a live media
 * prepares, and preparing needs frames, so frames cannot come from that
 * loop. */
static void push_frame(struct mount *m)
{
    GstAppSrc *src;
    g_mutex_lock(&the_sim->lock);
    src = m->src ? gst_object_ref(m->src) : NULL;
    g_mutex_unlock(&the_sim->lock);
    if (!src)
        return;
    /* Only while PLAYING: before that appsrc has no clock to stamp
     * buffers with (do-timestamp), and the sinks would hold such buffers
     * back, maybe forever. A live camera's frames before PLAY are lost too. */
    if (GST_STATE(src) == GST_STATE_PLAYING && !stalled(m) && !flap_down(m)) {
        if (m->stall_state) {
            m->stall_state = 0;
            printf("camsim: %s resume wall=%.6f\n", m->name, g_get_real_time() / 1e6);
            fflush(stdout);
        }
        guint k = m->next_au;
        m->next_au = (m->next_au + 1) % m->n_au;
        GstBuffer *buf = gst_buffer_new_memdup(m->data + m->au_off[k], m->au_len[k]);
        if (!m->au_key[k])
            GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
        gst_app_src_push_buffer(src, buf); /* takes the buffer */
        m->pushed++;
        for (int i = 0; i < m->n_marks; i++)
            if (m->mark_au[i] == k) {
                printf("camsim: %s mark %g wall=%.6f\n", m->name, m->marks[i], g_get_real_time() / 1e6);
                fflush(stdout);
            }
    } else if (GST_STATE(src) == GST_STATE_PLAYING && stalled(m) && !m->stall_state) {
        m->stall_state = 1;
        printf("camsim: %s stall wall=%.6f\n", m->name, g_get_real_time() / 1e6);
        fflush(stdout);
    }
    gst_object_unref(src);
}

static gpointer pusher(gpointer data)
{
    struct sim *sim = data;
    gint64 *due = g_new0(gint64, (gsize)sim->n);
    gint64 now = g_get_monotonic_time();
    for (int i = 0; i < sim->n; i++)
        due[i] = now;
    while (!g_atomic_int_get(&sim->quit)) {
        gint64 next = G_MAXINT64;
        now = g_get_monotonic_time();
        for (int i = 0; i < sim->n; i++) {
            struct mount *m = &sim->mounts[i];
            if (due[i] <= now) {
                push_frame(m);
                due[i] += (gint64)(1e6 / m->fps);
                if (due[i] < now) /* fell behind: do not burst */
                    due[i] = now + (gint64)(1e6 / m->fps);
            }
            if (due[i] < next)
                next = due[i];
        }
        now = g_get_monotonic_time();
        if (next > now)
            g_usleep((gulong)(next - now));
    }
    g_free(due);
    return NULL;
}

static void media_unprepared(GstRTSPMedia *media, gpointer data)
{
    struct mount *m = data;
    (void)media;
    g_mutex_lock(&the_sim->lock);
    if (m->src) {
        gst_object_unref(m->src);
        m->src = NULL;
    }
    g_mutex_unlock(&the_sim->lock);
}

static void media_configure(GstRTSPMediaFactory *f, GstRTSPMedia *media, gpointer data)
{
    struct mount *m = data;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    GstCaps *caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream", "alignment",
                                        G_TYPE_STRING, "au", NULL);
    (void)f;
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    gst_caps_unref(caps);
    g_mutex_lock(&the_sim->lock);
    if (m->src)
        gst_object_unref(m->src);
    m->src = GST_APP_SRC(src);
    /* Start the new viewer on a keyframe. */
    while (!m->au_key[m->next_au])
        m->next_au = (m->next_au + 1) % m->n_au;
    g_mutex_unlock(&the_sim->lock);
    g_signal_connect(media, "unprepared", G_CALLBACK(media_unprepared), m);
    gst_object_unref(bin);
}

static struct mount *mount_for_path(const char *path)
{
    for (int i = 0; i < the_sim->n; i++)
        if (g_strcmp0(the_sim->mounts[i].path, path) == 0)
            return &the_sim->mounts[i];
    return NULL;
}

static GstRTSPStatusCode pre_describe(GstRTSPClient *c, GstRTSPContext *ctx, gpointer data)
{
    (void)data;
    struct mount *m = ctx->uri ? mount_for_path(ctx->uri->abspath) : NULL;
    if (m)
        g_object_set_data_full(G_OBJECT(c), "camsim-mount", g_strdup(m->path), g_free);
    if (m && (m->refuse || flap_down(m)))
        return GST_RTSP_STS_SERVICE_UNAVAILABLE;
    return GST_RTSP_STS_OK;
}

static void client_connected(GstRTSPServer *s, GstRTSPClient *c, gpointer data)
{
    (void)s;
    (void)data;
    g_signal_connect(c, "pre-describe-request", G_CALLBACK(pre_describe), NULL);
}

static GstRTSPFilterResult close_filter(GstRTSPServer *s, GstRTSPClient *c, gpointer data)
{
    (void)s;
    const char *p = g_object_get_data(G_OBJECT(c), "camsim-mount");
    return g_strcmp0(p, data) == 0 ? GST_RTSP_FILTER_REMOVE : GST_RTSP_FILTER_KEEP;
}

static gboolean faults_tick(gpointer data)
{
    (void)data;
    for (int i = 0; i < the_sim->n; i++) {
        struct mount *m = &the_sim->mounts[i];
        gboolean drop = FALSE;
        if (m->close_at >= 0 && !m->closed_once && since_start() >= m->close_at) {
            m->closed_once = TRUE;
            drop = TRUE;
            g_print("camsim: %s: closing connections\n", m->name);
        }
        if (flap_down(m))
            drop = TRUE;
        if (drop) /* REMOVE closes the matching clients; the list is empty */
            g_list_free_full(gst_rtsp_server_client_filter(the_sim->server, close_filter, m->path), g_object_unref);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean parse_mount(struct mount *m, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return FALSE;
    m->name = g_strndup(spec, (gsize)(eq - spec));
    m->path = g_strdup_printf("/%s", m->name);
    m->fps = 15;
    m->close_at = -1;
    gchar **parts = g_strsplit(eq + 1, ",", -1);
    gboolean ok = TRUE;
    for (int i = 0; parts[i] && ok; i++) {
        char *p = parts[i], *v = strchr(p, '=');
        if (v)
            *v++ = '\0';
        if (strcmp(p, "file") == 0 && v)
            m->file = g_strdup(v);
        else if (strcmp(p, "fps") == 0 && v)
            m->fps = g_ascii_strtod(v, NULL);
        else if (strcmp(p, "auth") == 0 && v && strchr(v, ':')) {
            char *c = strchr(v, ':');
            m->user = g_strndup(v, (gsize)(c - v));
            m->pass = g_strdup(c + 1);
        } else if (strcmp(p, "stall") == 0 && v && m->n_stalls < 8) {
            char *c = strchr(v, ':');
            m->stall_at[m->n_stalls] = g_ascii_strtod(v, NULL);
            m->stall_for[m->n_stalls] = c ? g_ascii_strtod(c + 1, NULL) : -1;
            m->n_stalls++;
        } else if (strcmp(p, "close") == 0 && v)
            m->close_at = g_ascii_strtod(v, NULL);
        else if (strcmp(p, "flap") == 0 && v && strchr(v, ':')) {
            m->flap_up = g_ascii_strtod(v, NULL);
            m->flap_down = g_ascii_strtod(strchr(v, ':') + 1, NULL);
        } else if (strcmp(p, "refuse") == 0)
            m->refuse = TRUE;
        else if (strcmp(p, "mark") == 0 && v) {
            gchar **ts = g_strsplit(v, ":", -1);
            for (int k = 0; ts[k] && m->n_marks < 16; k++)
                m->marks[m->n_marks++] = g_ascii_strtod(ts[k], NULL);
            g_strfreev(ts);
        }
        else
            ok = FALSE;
    }
    g_strfreev(parts);
    return ok && m->file && m->fps > 0 && m->fps <= 120;
}

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    struct sim sim = {0};
    const char *port = "8554", *bind = "127.0.0.1", *ready = NULL;
    GError *err = NULL;

    the_sim = &sim;
    g_mutex_init(&sim.lock);
    gst_init(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = argv[++i];
        else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
            bind = argv[++i];
        else if (strcmp(argv[i], "--ready-file") == 0 && i + 1 < argc)
            ready = argv[++i];
        else if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc && sim.n < MAX_MOUNTS) {
            if (!parse_mount(&sim.mounts[sim.n], argv[++i])) {
                fprintf(stderr, "camsim: bad --mount '%s'\n", argv[i]);
                return 2;
            }
            sim.n++;
        } else {
            fprintf(stderr, "usage: camsim [--port P] [--bind ADDR] [--ready-file F] --mount NAME=file=PATH[,...] ...\n");
            return 2;
        }
    }
    if (sim.n == 0) {
        fprintf(stderr, "camsim: no --mount given\n");
        return 2;
    }
    sim.server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(sim.server, bind);
    gst_rtsp_server_set_service(sim.server, port);
    GstRTSPMountPoints *mp = gst_rtsp_server_get_mount_points(sim.server);
    GstRTSPAuth *auth = gst_rtsp_auth_new();
    GstRTSPToken *anon = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "anonymous", NULL);
    gst_rtsp_auth_set_default_token(auth, anon);
    gst_rtsp_token_unref(anon);

    for (int i = 0; i < sim.n; i++) {
        struct mount *m = &sim.mounts[i];
        /* Mounts of the same file share its bytes and index: hundreds of
         * cameras from one 12 MB file must not load it hundreds of times. */
        struct mount *same = NULL;
        for (int j = 0; j < i && !same; j++)
            if (strcmp(sim.mounts[j].file, m->file) == 0)
                same = &sim.mounts[j];
        if (same) {
            m->data = same->data;
            m->size = same->size;
            m->au_off = same->au_off;
            m->au_len = same->au_len;
            m->au_key = same->au_key;
            m->n_au = same->n_au;
        } else if (!load_file(m, &err)) {
            fprintf(stderr, "camsim: %s\n", err->message);
            return 1;
        }
        for (int k = 0; k < m->n_marks; k++)
            m->mark_au[k] = (guint)(m->marks[k] * m->fps + 0.5);
        GstRTSPMediaFactory *f = gst_rtsp_media_factory_new();
        gst_rtsp_media_factory_set_launch(
            f, "( appsrc name=src is-live=true do-timestamp=true format=time ! "
               "rtph264pay name=pay0 pt=96 config-interval=-1 )");
        gst_rtsp_media_factory_set_shared(f, TRUE);
        g_signal_connect(f, "media-configure", G_CALLBACK(media_configure), m);
        /* Roles: every mount admits its own role; open mounts also the
         * anonymous default token. */
        char *role = g_strdup_printf("role-%s", m->name);
        GstRTSPPermissions *perm = gst_rtsp_permissions_new();
        gst_rtsp_permissions_add_role(perm, role, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                      GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, NULL);
        /* Anonymous clients may always "access" the mount (so that it
         * exists) but only construct it when it is open: gst-rtsp-server
         * answers 404 for no access and 401 for no construct, and a camera
         * with a password answers 401. */
        gst_rtsp_permissions_add_role(perm, "anonymous", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                      GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, !m->user, NULL);
        if (m->user) {
            GstRTSPToken *tok = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, role, NULL);
            char *basic = gst_rtsp_auth_make_basic(m->user, m->pass);
            gst_rtsp_auth_add_basic(auth, basic, tok);
            g_free(basic);
            gst_rtsp_token_unref(tok);
        }
        gst_rtsp_media_factory_set_permissions(f, perm);
        gst_rtsp_permissions_unref(perm);
        g_free(role);
        gst_rtsp_mount_points_add_factory(mp, m->path, f);
        g_print("camsim: rtsp://%s:%s%s  %u frames at %.0f fps%s%s\n", bind, port, m->path, m->n_au, m->fps,
                m->user ? " auth" : "", m->refuse ? " refuse" : "");
    }
    gst_rtsp_server_set_auth(sim.server, auth);
    g_object_unref(auth);
    g_object_unref(mp);
    g_signal_connect(sim.server, "client-connected", G_CALLBACK(client_connected), NULL);
    if (gst_rtsp_server_attach(sim.server, NULL) == 0) {
        fprintf(stderr, "camsim: cannot listen on %s:%s\n", bind, port);
        return 1;
    }
    GstRTSPThreadPool *pool = gst_rtsp_server_get_thread_pool(sim.server);
    gst_rtsp_thread_pool_set_max_threads(pool, 8);
    g_object_unref(pool);
    sim.t0 = g_get_monotonic_time();
    GThread *push_thread = g_thread_new("pusher", pusher, &sim);
    g_timeout_add(200, faults_tick, NULL);
    sim.loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_signal, sim.loop);
    g_unix_signal_add(SIGINT, on_signal, sim.loop);
    if (ready) {
        FILE *rf = fopen(ready, "w");
        if (rf) {
            fprintf(rf, "%d\n", (int)getpid());
            fclose(rf);
        }
    }
    g_main_loop_run(sim.loop);
    g_print("camsim: stopping\n");
    g_atomic_int_set(&sim.quit, 1);
    g_thread_join(push_thread);
    return 0;
}
