/* Config loader: values, defaults, secrets from the environment, and that
 * every error names file:line:column and the key. The broken files are
 * data (a .yaml file in tests/data/bad-configs with the lines expected in the
 * matching .expect file), shared with the CLI test. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/config.h"
#include "../../daemon/error.h"
#include "../../daemon/log.h"

static const char good[] =
    "daemon:\n"
    "  database: db/cw.db\n"
    "  log_level: debug\n"
    "sites:\n"
    "  - district: thanh-oai\n"
    "    name: \"Huyện Thanh Oai\"\n"
    "    communes:\n"
    "      - commune: hoa-binh\n"
    "        name: \"Xã Hòa Bình\"\n"
    "        sites:\n"
    "          - site: cong-lang\n"
    "            name: \"Cổng làng\"\n"
    "cameras:\n"
    "  - id: gate-1\n"
    "    site: cong-lang\n"
    "    url: rtsp://admin:${CW_TEST_PASS}@10.0.0.5/s1\n"
    "    transport: udp\n"
    "    stall_timeout: 2500ms\n"
    "    connect_timeout: 1m\n"
    "    expected_fps: 12.5\n"
    "  - id: gate-2\n"
    "    site: cong-lang\n"
    "    url: rtsp://10.0.0.6/s1\n"
    "    enabled: no\n";

static void test_good_values_and_defaults(void **state)
{
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    (void)state;
    setenv("CW_TEST_PASS", "p%40ss:w0rd", 1);
    int rc = cw_config_load_buffer("good.yaml", "/etc/cw", good, sizeof good - 1, 0, &cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        print_message("%s\n", errs.msgs[i]);
    assert_int_equal(rc, 0);
    assert_string_equal(cfg->database, "/etc/cw/db/cw.db");
    assert_string_equal(cfg->state_dir, "/var/lib/camwatch");
    assert_string_equal(cfg->timezone, "Asia/Ho_Chi_Minh");
    assert_int_equal(cfg->log_level, CW_LOG_DEBUG);
    assert_int_equal(cfg->n_districts, 1);
    assert_string_equal(cfg->districts[0].name, "Huyện Thanh Oai");
    assert_string_equal(cfg->communes[0].name, "Xã Hòa Bình");
    assert_string_equal(cfg->sites[0].name, "Cổng làng");
    assert_int_equal(cfg->n_cameras, 2);
    const struct cw_camera_config *c = &cfg->cameras[0];
    assert_string_equal(c->url, "rtsp://admin:p%40ss:w0rd@10.0.0.5/s1");
    assert_string_equal(c->url_redacted, "rtsp://admin:***@10.0.0.5/s1");
    assert_int_equal(c->transport, CW_TRANSPORT_UDP);
    assert_int_equal(c->stall_timeout_us, 2500000);
    assert_int_equal(c->connect_timeout_us, 60000000);
    assert_true(c->expected_fps == 12.5);
    assert_int_equal(c->enabled, 1);
    assert_string_equal(c->name, "gate-1"); /* defaults to the id */
    assert_int_equal(cfg->cameras[1].enabled, 0);
    assert_int_equal(cfg->cameras[1].transport, CW_TRANSPORT_TCP);
    assert_int_equal(cfg->cameras[1].stall_timeout_us, 10000000);
    assert_string_equal(cw_config_camera_site(cfg, c)->id, "cong-lang");
    assert_ptr_equal(cw_config_find_camera(cfg, "gate-2"), &cfg->cameras[1]);
    cw_config_free(cfg);
}

static void test_keep_env_for_cli(void **state)
{
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    (void)state;
    unsetenv("CW_TEST_PASS");
    assert_int_equal(cw_config_load_buffer("g.yaml", ".", good, sizeof good - 1, 0, &cfg, &errs), CW_ECONFIG);
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.msgs[0], "g.yaml:16:10: cameras[0].url: environment variable CW_TEST_PASS"));
    cw_config_errors_free(&errs);
    assert_int_equal(cw_config_load_buffer("g.yaml", ".", good, sizeof good - 1, CW_CONFIG_KEEP_ENV, &cfg, &errs), 0);
    assert_string_equal(cfg->cameras[0].url_redacted, "rtsp://admin:***@10.0.0.5/s1");
    cw_config_free(cfg);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[65536];
    size_t n;
    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Every *.yaml in bad-configs fails, and each line of its .expect file
 * appears (as a substring) in one of the messages. */
static void test_bad_configs(void **state)
{
    const char *dir = getenv("CW_TEST_DATA") ? getenv("CW_TEST_DATA") : "tests/data";
    char path[512], exp[512];
    int files = 0;
    (void)state;
    snprintf(path, sizeof path, "%s/bad-configs", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        struct cw_config *cfg = NULL;
        struct cw_config_errors errs = {0};
        snprintf(path, sizeof path, "%s/bad-configs/%s", dir, e->d_name);
        snprintf(exp, sizeof exp, "%s/bad-configs/%.*s.expect", dir, (int)(n - 5), e->d_name);
        int rc = cw_config_load(path, 0, &cfg, &errs);
        assert_true(rc < 0);
        assert_null(cfg);
        assert_true(errs.n > 0);
        char *want = slurp(exp);
        assert_non_null(want);
        for (char *line = strtok(want, "\n"); line; line = strtok(NULL, "\n")) {
            int found = 0;
            for (int i = 0; i < errs.n; i++)
                found |= strstr(errs.msgs[i], line) != NULL;
            if (!found) {
                for (int i = 0; i < errs.n; i++)
                    print_message("got: %s\n", errs.msgs[i]);
                fail_msg("%s: expected a message containing '%s'", path, line);
            }
        }
        cw_config_errors_free(&errs);
        files++;
    }
    closedir(d);
    assert_true(files >= 5);
}

static void test_messages_never_show_passwords(void **state)
{
    static const char txt[] = "cameras:\n  - id: a\n    url: rtsp://u:hunter2@h/x\n    bogus: 1\n";
    /* the province's URL, with a password where it must not be (in both
     * of libpq's forms) */
    static const char up1[] = "upstream:\n  url: postgresql://edge:hunter2@h/province\n  instance: x\ncameras: []\n";
    static const char up2[] = "upstream:\n  url: \"host=h password=hunter2 dbname=p\"\n  instance: x\ncameras: []\n";
    const char *const texts[] = {txt, up1, up2};
    (void)state;
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        struct cw_config *cfg;
        struct cw_config_errors errs = {0};
        assert_true(cw_config_load_buffer("p.yaml", ".", texts[k], strlen(texts[k]), 0, &cfg, &errs) < 0);
        assert_true(errs.n > 0);
        for (int i = 0; i < errs.n; i++)
            assert_null(strstr(errs.msgs[i], "hunter2"));
        cw_config_errors_free(&errs);
    }
}

static void test_empty_and_wrong_shapes(void **state)
{
    static const char *const cases[][2] = {
        {"", "the file is empty"},
        {"- a\n- b\n", "expected a mapping"},
        {"cameras: 5\n", "cameras: expected a list of cameras"},
        {"daemon:\n  database: a\n  database: b\ncameras: []\n", "duplicate key (first at line 2)"},
        {"cameras:\n  - id: \"bad id!\"\n", "is not a valid id"},
        {"sites: []\n", "cameras: required section is missing"},
        /* found by the fuzzer: a bad item amid a target's list once leaked the items after it */
        {"cameras: []\nalerts:\n  targets:\n    - {name: a, type: webhook, url: \"http://x\","
         " kinds: [\"no good!\", motion, image_ok]}\n",
         "expected a list of names"},
        /* numbers: strtod reads nan and inf, which slip past every range
         * check (a nan connect timeout kept a camera offline forever) */
        {"cameras:\n  - {id: a, site: s, url: \"rtsp://h/x\", connect_timeout: nan}\n", "'nan' is not a duration"},
        {"cameras:\n  - {id: a, site: s, url: \"rtsp://h/x\", stall_timeout: inf}\n", "'inf' is not a duration"},
        {"cameras:\n  - {id: a, site: s, url: \"rtsp://h/x\", probe_interval: -nan s}\n", "is not a duration"},
        {"cameras:\n  - {id: a, site: s, url: \"rtsp://h/x\", expected_fps: NaN}\n", "'NaN' is not a finite number"},
        {"report: {uptime_target: -inf}\ncameras: []\n", "'-inf' is not a finite number"},
        /* the province: a name for this commune, a URL libpq can read */
        {"upstream:\n  url: postgresql://edge@h/province\ncameras: []\n", "upstream.instance: is needed"},
        {"upstream:\n  url: postgresql://edge@h/province\n  instance: \"xa a\"\ncameras: []\n",
         "'xa a' is not a name"},
        {"upstream:\n  url: \"host=h nosuchkey=1\"\n  instance: x\ncameras: []\n",
         "upstream.url: not a PostgreSQL URL"},
        {"upstream:\n  url: postgresql://edge@h/p\n  instance: x\n  password_file: /nonexistent/pw\ncameras: []\n",
         "cannot read /nonexistent/pw"},
        /* paths built from ids: one safe component each */
        {"cameras:\n  - {id: \"..\", site: s, url: \"rtsp://h/x\"}\n", "'..' is not a valid id"},
        {"cameras:\n  - {id: .hidden, site: s, url: \"rtsp://h/x\"}\n", "'.hidden' is not a valid id"},
        {"cameras:\n  - {id: a, site: s, url: \"rtsp://h/x\", plugins: [../../tmp/evil]}\n",
         "plugins[0]: '../../tmp/evil' is not a plugin name"},
        {"daemon:\n  state_dir: /dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\ncameras: []\n", "daemon.state_dir: is 321 bytes long; at most 300"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cw_config *cfg;
        struct cw_config_errors errs = {0};
        assert_true(cw_config_load_buffer("x.yaml", ".", cases[i][0], strlen(cases[i][0]), 0, &cfg, &errs) < 0);
        int found = 0;
        for (int k = 0; k < errs.n; k++)
            found |= strstr(errs.msgs[k], cases[i][1]) != NULL;
        if (!found)
            fail_msg("case %zu: no message with '%s' (got %d messages, first: %s)", i, cases[i][1], errs.n,
                     errs.n ? errs.msgs[0] : "-");
        cw_config_errors_free(&errs);
    }
}

/* The example config documents every key of the tables. */
static void test_example_documents_every_key(void **state)
{
    char *keys = NULL, *example;
    size_t klen = 0;
    char path[512];
    (void)state;
    FILE *f = open_memstream(&keys, &klen);
    cw_config_print_keys(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/../../config/camwatch.example.yaml",
             getenv("CW_TEST_DATA") ? getenv("CW_TEST_DATA") : "tests/data");
    example = slurp(path);
    assert_non_null(example);
    int n = 0;
    for (char *line = strtok(keys, "\n"); line; line = strtok(NULL, "\n")) {
        char name[128], want[140];
        sscanf(line, "%127s", name);
        char *last = strrchr(name, '.');
        snprintf(want, sizeof want, "%s:", last ? last + 1 : name);
        if (!strstr(example, want))
            fail_msg("config/camwatch.example.yaml does not show key %s", name);
        n++;
    }
    assert_true(n >= 15);
    free(keys);
}

/* The chain in its three shapes: the current two-level one, one with the
 * optional district level, and the older district-first form (unchanged). */
static struct cw_config *load_ok(const char *sites)
{
    char buf[2048];
    struct cw_config *cfg = NULL;
    struct cw_config_errors errs = {0};
    snprintf(buf, sizeof buf, "sites:\n%scameras:\n  - {id: c1, site: s1, url: \"rtsp://10.0.0.5/x\"}\n", sites);
    int rc = cw_config_load_buffer("h.yaml", ".", buf, strlen(buf), 0, &cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        print_message("%s\n", errs.msgs[i]);
    cw_config_errors_free(&errs);
    assert_int_equal(rc, 0);
    return cfg;
}

static void expect_error(const char *sites, const char *tail, const char *want)
{
    char buf[2048];
    struct cw_config *cfg = NULL;
    struct cw_config_errors errs = {0};
    snprintf(buf, sizeof buf, "sites:\n%scameras:\n  - {id: c1, site: s1, url: \"rtsp://10.0.0.5/x\"}\n%s", sites,
             tail);
    assert_true(cw_config_load_buffer("h.yaml", ".", buf, strlen(buf), 0, &cfg, &errs) < 0);
    int found = 0;
    for (int k = 0; k < errs.n; k++)
        found |= strstr(errs.msgs[k], want) != NULL;
    if (!found)
        fail_msg("no message with '%s' (first: %s)", want, errs.n ? errs.msgs[0] : "-");
    cw_config_errors_free(&errs);
}

static void test_hierarchy_forms(void **state)
{
    struct cw_names n;
    (void)state;
    struct cw_config *cfg = load_ok("  - province: ninh-binh\n    name: \"Tỉnh Ninh Bình\"\n    communes:\n"
                                    "      - {commune: hoa-lu, name: \"Phường Hoa Lư\", formerly: [ninh-nhat, ninh-phong],"
                                    " sites: [{site: s1, name: \"Cổng trường\"}]}\n");
    assert_int_equal(cfg->n_districts, 0);
    assert_int_equal(cfg->communes[0].district, -1);
    cw_config_camera_names(cfg, &cfg->cameras[0], &n);
    assert_string_equal(n.province_name, "Tỉnh Ninh Bình");
    assert_string_equal(n.commune_name, "Phường Hoa Lư");
    assert_string_equal(n.district, "");
    assert_string_equal(cw_config_commune_current(cfg, "ninh-phong"), "hoa-lu");
    assert_null(cw_config_commune_current(cfg, "nowhere"));
    cw_config_free(cfg);

    cfg = load_ok("  - province: ha-noi\n    name: \"Thành phố Hà Nội\"\n    districts:\n"
                  "      - {district: thanh-oai, name: \"Huyện Thanh Oai\", communes: [{commune: hoa-binh,"
                  " sites: [{site: s1}]}]}\n");
    assert_int_equal(cfg->n_districts, 1);
    cw_config_camera_names(cfg, &cfg->cameras[0], &n);
    assert_string_equal(n.district, "thanh-oai");
    assert_string_equal(n.province, "ha-noi");
    cw_config_free(cfg);

    /* the previous schema loads unchanged */
    cfg = load_ok("  - district: thanh-oai\n    name: \"Huyện Thanh Oai\"\n    communes:\n"
                  "      - {commune: hoa-binh, sites: [{site: s1}]}\n");
    cw_config_camera_names(cfg, &cfg->cameras[0], &n);
    assert_string_equal(n.district_name, "Huyện Thanh Oai");
    assert_string_equal(n.province, "");
    cw_config_free(cfg);

    /* errors name the key */
    expect_error("  - name: \"Tỉnh Ninh Bình\"\n    communes: [{commune: a, sites: [{site: s1}]}]\n", "",
                 "sites[0].province: required key is missing");
    expect_error("  - {province: a, communes: [{commune: a, sites: [{site: s1}]}]}\n"
                 "  - {province: b, communes: [{commune: b, sites: [{site: s2}]}]}\n",
                 "", "one province per deployment");
    expect_error("  - {province: a, communes: [{commune: a, formerly: [b], sites: [{site: s1}]},"
                 " {commune: b, sites: [{site: s2}]}]}\n", "", "'b' is a current commune");
    expect_error("  - {province: a}\n", "", "required key is missing: communes (or districts)");
    /* names: no control characters (forged log lines), valid UTF-8, kept
     * whole (at most 80 characters, never cut inside a character) */
    expect_error("  - {province: a, name: \"Tỉnh\\nERROR forged line\", communes: [{commune: a, sites: [{site: s1}]}]}\n",
                 "", "sites[0].name: contains a control character (U+000A)");
    expect_error("  - {province: a, name: \"T\\x1b[31m\", communes: [{commune: a, sites: [{site: s1}]}]}\n", "",
                 "contains a control character (U+001B)");
    expect_error("  - {province: a, communes: [{commune: a, name: \"\xc3\x28\", sites: [{site: s1}]}]}\n", "",
                 "UTF-8"); /* libyaml itself refuses it */
    {
        char longname[1024] = "", sites[1400];
        for (int i = 0; i < 81; i++)
            strcat(longname, "ữ"); /* 3 bytes each */
        snprintf(sites, sizeof sites, "  - {province: a, communes: [{commune: a, sites: [{site: s1, name: \"%s\"}]}]}\n",
                 longname);
        expect_error(sites, "", "is 81 characters long; names may have at most 80");
        longname[strlen(longname) - 3] = '\0'; /* 80 characters, 240 bytes: kept whole */
        snprintf(sites, sizeof sites, "  - {province: a, communes: [{commune: a, sites: [{site: s1, name: \"%s\"}]}]}\n",
                 longname);
        cfg = load_ok(sites);
        cw_config_camera_names(cfg, &cfg->cameras[0], &n);
        assert_string_equal(n.site_name, longname);
        cw_config_free(cfg);
    }
    expect_error("  - {province: a, communes: [{commune: a, sites: [{site: s1}]}]}\n",
                 "alerts:\n  targets:\n    - {name: t, type: webhook, url: \"http://127.0.0.1:1/\", districts: [x]}\n",
                 "this config has no district level");
    expect_error("  - {province: a, communes: [{commune: a, sites: [{site: s1}]}]}\n",
                 "alerts:\n  targets:\n    - {name: t, type: webhook, url: \"http://127.0.0.1:1/\", communes: [zz]}\n",
                 "unknown commune 'zz'");
}

/* Amplification: 1,000 copies of one camera, or 20,000 YAML aliases of one
 * camera block, give a bounded list of errors (they once gave 499,500
 * lines, and 15.5 GB for the aliases). */
static void test_duplicates_and_aliases_are_bounded(void **state)
{
    (void)state;
    for (int alias = 0; alias < 2; alias++) {
        size_t cap = 2 << 20, o = 0;
        char *buf = malloc(cap);
        assert_non_null(buf);
        o += (size_t)snprintf(buf + o, cap - o, "sites:\n  - {province: p, communes: [{commune: c, sites: [{site: s}]}]}\n"
                                                  "cameras:\n  - &cam {id: same, site: s, url: \"rtsp://h/x\"}\n");
        for (int i = 0; i < (alias ? 20000 : 1000); i++)
            o += (size_t)snprintf(buf + o, cap - o, "%s", alias ? "  - *cam\n" : "  - {id: same, site: s, url: \"rtsp://h/x\"}\n");
        struct cw_config *cfg = NULL;
        struct cw_config_errors errs = {0};
        assert_true(cw_config_load_buffer("amp.yaml", ".", buf, o, 0, &cfg, &errs) < 0);
        assert_true(errs.n <= 101);
        assert_non_null(strstr(errs.msgs[errs.n - 1], "more problem(s) not shown"));
        assert_non_null(strstr(errs.msgs[0], alias ? "a YAML alias of an earlier camera block"
                                                   : "duplicate camera id 'same' (first at line 4)"));
        cw_config_errors_free(&errs);
        free(buf);
    }
}

/* Relative paths resolve against the config's folder without "./" and
 * "../" left in them: snapshot paths are printed and stored as recorded. */
static void test_relative_paths_are_normalised(void **state)
{
    static const struct {
        const char *base, *value, *want;
    } cases[] = {
        {"/srv/cw/config", "../demo-data/cw.db", "/srv/cw/demo-data/cw.db"},
        {"/srv/cw/config", "./cw.db", "/srv/cw/config/cw.db"},
        {"/srv/cw/config", "../../x/./cw.db", "/srv/x/./cw.db"},
        {"/srv", "../../../cw.db", "/cw.db"},
        {"/", "../cw.db", "/cw.db"},
        {"/srv/cw", "data/cw.db", "/srv/cw/data/cw.db"},
        {"/srv/cw", "/abs/cw.db", "/abs/cw.db"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[400];
        snprintf(text, sizeof text,
                 "daemon:\n  database: %s\nsites:\n  - {province: p, communes: [{commune: c, sites: [{site: s}]}]}\n"
                 "cameras:\n  - {id: a, site: s, url: \"rtsp://10.0.0.1/x\"}\n",
                 cases[i].value);
        struct cw_config *cfg;
        struct cw_config_errors errs = {0};
        int rc = cw_config_load_buffer("paths.yaml", cases[i].base, text, strlen(text), 0, &cfg, &errs);
        for (int k = 0; k < errs.n; k++)
            print_message("%s\n", errs.msgs[k]);
        cw_config_errors_free(&errs);
        assert_int_equal(rc, 0);
        assert_string_equal(cfg->database, cases[i].want);
        cw_config_free(cfg);
    }
}

int main(void)
{
    cw_log_set_level(-1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_values_and_defaults),
        cmocka_unit_test(test_relative_paths_are_normalised),
        cmocka_unit_test(test_keep_env_for_cli),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_messages_never_show_passwords),
        cmocka_unit_test(test_empty_and_wrong_shapes),
        cmocka_unit_test(test_example_documents_every_key),
        cmocka_unit_test(test_hierarchy_forms),
        cmocka_unit_test(test_duplicates_and_aliases_are_bounded),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
