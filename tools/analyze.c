/* `camwatch analyze FILE`: runs a camera's detection pipeline (decode,
 * plugins, events) over a video file as fast as it decodes, and prints the
 * events and image-health changes with their stream times. The daemon runs
 * the very same code on live streams; this is for tests and for tuning a
 * camera's options on a recorded clip. */
#include <libavformat/avformat.h>
#include <libavutil/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/analysis.h"
#include "../daemon/log.h"
#include "../daemon/plugin.h"
#include "../daemon/words.h"
#include "cli.h"

#define MAX_PLUGINS 8
#define MAX_OPTS 32

struct run {
    const char *snap_dir;
    int n_events;
    int gauges; /* --gauges: print the plugins' readings */
};

static void health_names(uint32_t h, char *buf, size_t len)
{
    if (!cw_condition_list(h, buf, len)[0])
        snprintf(buf, len, "ok");
}

static void on_output(void *ud, const struct cw_analysis_output *o)
{
    struct run *r = ud;
    char names[64];
    switch (o->kind) {
    case CW_ANALYSIS_EVENT_START:
        break;
    case CW_ANALYSIS_EVENT_END: {
        char path[512] = "-";
        if (r->snap_dir && o->jpeg) {
            snprintf(path, sizeof path, "%s/%s-%03d.jpg", r->snap_dir, o->plugin, r->n_events);
            FILE *f = fopen(path, "wb");
            if (f) {
                fwrite(o->jpeg, 1, o->jpeg_len, f);
                fclose(f);
            }
        }
        printf("event %s start=%.3f end=%.3f peak=%.4f boxes=%d snapshot=%s\n", o->plugin, o->start_us / 1e6,
               o->end_us / 1e6, o->peak, o->n_boxes, path);
        r->n_events++;
        break;
    }
    case CW_ANALYSIS_HEALTH:
        health_names(o->health, names, sizeof names);
        printf("health t=%.3f %s\n", o->t_us / 1e6, names);
        break;
    case CW_ANALYSIS_THUMBNAIL:
        break; /* the daemon's, for the console: nothing to print */
    case CW_ANALYSIS_GAUGE:
        if (r->gauges)
            printf("gauge %s t=%.3f %s=%.4f\n", o->plugin, o->t_us / 1e6, o->gauge, o->mean);
        break;
    case CW_ANALYSIS_LEVEL:
        printf("level %s start=%.3f end=%.3f mean=%.4f max=%.4f samples=%lld\n", o->plugin, o->start_us / 1e6,
               o->end_us / 1e6, o->mean, o->peak, (long long)o->samples);
        break;
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch analyze FILE --plugin NAME [--plugin NAME...] [--set NAME.KEY=VALUE...]\n"
               "                        [--plugin-dir DIR] [--start-after N] [--quiet SECONDS]\n"
               "                        [--max SECONDS] [--snapshots DIR] [--plain-snapshots]\n"
               "                        [--levels SECONDS] [--gauges] [--verbose]\n"
               "Runs detection plugins over a video file as fast as it decodes and prints the events\n"
               "and image-condition changes with their stream times (the daemon runs the same code).\n"
               "  --set NAME.KEY=VALUE   a plugin option, after that plugin's --plugin\n"
               "  --start-after N        analyses in a row before an event starts (default 2)\n"
               "  --quiet SECONDS        still time that ends an event (default 3)\n"
               "  --max SECONDS          longest event before it is split (default 60)\n"
               "  --snapshots DIR        write each event's snapshot there (colour, boxes, caption)\n"
               "  --plain-snapshots      ... without boxes and caption (a reference to compare with)\n"
               "  --levels SECONDS       print each plugin's mean and highest score every SECONDS\n"
               "                         (the daemon's level timeline, `level_interval`)\n"
               "  --gauges               print the plugins' own readings once a second (motion: its\n"
               "                         brightness compensation; the daemon's camwatch_plugin_gauge)\n");
}

/* A finite number of seconds >= 0, or -1 with a message. */
static int parse_secs(const struct cw_cli *g, const char *opt, const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0) || v > 86400) {
        fprintf(stderr, "%s: %s wants seconds (0 to 86400), got '%s'\n", g->cmd, opt, s);
        return -1;
    }
    *out = (int64_t)(v * 1e6);
    return 0;
}

int cw_cli_analyze(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"plugin-dir", required_argument, NULL, 'd'}, {"plugin", required_argument, NULL, 'p'},
        {"verbose", no_argument, NULL, 'v'},          {"snapshots", required_argument, NULL, 'S'},
        {"start-after", required_argument, NULL, 'a'}, {"quiet", required_argument, NULL, 'q'},
        {"max", required_argument, NULL, 'm'},        {"set", required_argument, NULL, 's'},
        {"plain-snapshots", no_argument, NULL, 'P'}, {"levels", required_argument, NULL, 'L'},
        {"gauges", no_argument, NULL, 'G'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *dir = "build/plugins", *names[MAX_PLUGINS];
    char *okeys[MAX_PLUGINS][MAX_OPTS], *ovals[MAX_PLUGINS][MAX_OPTS];
    int n_names = 0, n_opts[MAX_PLUGINS] = {0}, c, plain = 0;
    struct cw_event_rules rules = {2, 3000000, 60000000, -1, -1};
    struct run run = {0};
    int64_t level_us = 0;

    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'd': dir = optarg; break;
        case 'p':
            if (n_names == MAX_PLUGINS) {
                fprintf(stderr, "%s: at most %d plugins\n", g->cmd, MAX_PLUGINS);
                return CW_EXIT_USAGE;
            }
            names[n_names++] = optarg;
            break;
        case 'v': cw_log_set_level(CW_LOG_DEBUG); break;
        case 'P': plain = 1; break;
        case 'G': run.gauges = 1; break;
        case 'S': run.snap_dir = optarg; break;
        case 'a': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000) {
                fprintf(stderr, "%s: --start-after wants 1 to 1000, got '%s'\n", g->cmd, optarg);
                return CW_EXIT_USAGE;
            }
            rules.start_after = (int)v;
            break;
        }
        case 'q': if (parse_secs(g, "--quiet", optarg, &rules.quiet_us) < 0) return CW_EXIT_USAGE; break;
        case 'm': if (parse_secs(g, "--max", optarg, &rules.max_us) < 0) return CW_EXIT_USAGE; break;
        case 'L': if (parse_secs(g, "--levels", optarg, &level_us) < 0) return CW_EXIT_USAGE; break;
        case 's': { /* PLUGIN.KEY=VALUE, after its --plugin */
            const char *v = optarg, *dot = strchr(v, '.'), *eq = strchr(v, '=');
            int k;
            for (k = 0; dot && eq && k < n_names; k++)
                if (strncmp(names[k], v, (size_t)(dot - v)) == 0 && strlen(names[k]) == (size_t)(dot - v))
                    break;
            if (!dot || !eq || eq < dot || k == n_names || n_opts[k] == MAX_OPTS) {
                fprintf(stderr, "%s: --set wants PLUGIN.KEY=VALUE for a --plugin given before it\n", g->cmd);
                return CW_EXIT_USAGE;
            }
            okeys[k][n_opts[k]] = strndup(dot + 1, (size_t)(eq - dot - 1));
            ovals[k][n_opts[k]++] = strdup(eq + 1);
            break;
        }
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc)
        file = argv[optind++];
    if (!file) {
        fprintf(stderr, "%s: which video FILE? (%s --help)\n", g->cmd, g->cmd);
        return CW_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: one FILE at a time ('%s' is a second)\n", g->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    if (n_names == 0) {
        fprintf(stderr, "%s: no --plugin given: nothing would analyse %s\n", g->cmd, file);
        return CW_EXIT_USAGE;
    }
    struct cw_plugin *plugins[MAX_PLUGINS] = {0};
    struct cw_plugin_instance *insts[MAX_PLUGINS];
    char err[512];
    for (int k = 0; k < n_names; k++) {
        if (cw_plugin_load(dir, names[k], &plugins[k], err, sizeof err) < 0 ||
            cw_plugin_instance_create(plugins[k], "analyze", okeys[k], ovals[k], n_opts[k], &insts[k], err,
                                      sizeof err) < 0) {
            fprintf(stderr, "camwatch analyze: %s\n", err);
            return 1;
        }
    }
    struct cw_analysis *an;
    if (cw_analysis_create(insts, n_names, &rules, on_output, &run, &an) < 0)
        return 1;
    const char *base = strrchr(file, '/');
    cw_analysis_set_caption(an, base ? base + 1 : file);
    cw_analysis_set_plain(an, plain);
    cw_analysis_set_level_interval(an, level_us);
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, file, NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0) {
        fprintf(stderr, "camwatch analyze: cannot read %s\n", file);
        return 1;
    }
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0) {
        fprintf(stderr, "camwatch analyze: %s has no video\n", file);
        return 1;
    }
    AVStream *st = fmt->streams[vi];
    if (cw_analysis_start(an, st->codecpar, st->time_base.num, st->time_base.den) < 0) {
        fprintf(stderr, "camwatch analyze: cannot decode %s\n", file);
        return 1;
    }
    AVPacket *pkt = av_packet_alloc();
    int64_t packets = 0, last_us = 0;
    int64_t t0 = av_gettime_relative();
    while (av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == vi) {
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            /* A raw H.264 file has no timestamps: count frames instead. */
            last_us = ts != AV_NOPTS_VALUE ? av_rescale_q(ts, st->time_base, (AVRational){1, 1000000})
                                           : packets * 1000000LL / 15;
            cw_analysis_packet(an, pkt, last_us, 0);
            packets++;
        }
        av_packet_unref(pkt);
    }
    cw_analysis_stop(an, last_us);
    double secs = (av_gettime_relative() - t0) / 1e6;
    printf("summary mode=%s packets=%lld decoded=%lld skipped=%lld analysed=%lld duration=%.1f wall=%.2f events=%d\n",
           cw_decode_mode_name(cw_analysis_mode(an)), (long long)packets, (long long)cw_analysis_decoded(an),
           (long long)cw_analysis_skipped(an), (long long)cw_analysis_analysed(an), last_us / 1e6, secs, run.n_events);
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    cw_analysis_free(an);
    for (int k = 0; k < n_names; k++) {
        cw_plugin_unload(plugins[k]);
        for (int j = 0; j < n_opts[k]; j++)
            free(okeys[k][j]), free(ovals[k][j]);
    }
    return 0;
}
