/* The route table (http.c) and the API's document (daemon/openapi.json)
 * agree: every route is documented with its methods, every documented
 * path and method is routed, and what anybody may use is documented as
 * needing no credentials (and nothing else is). The console's page and
 * its assets are not API resources: the document leaves them out. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "../../daemon/http.h"

extern const char cw_openapi_json[];

static const char *const verbs[] = {"get", "post", "delete", "put", "patch", NULL};

static json_t *load_doc(void)
{
    json_error_t err;
    json_t *doc = json_loads(cw_openapi_json, 0, &err);
    if (!doc)
        fail_msg("openapi.json: %s at line %d", err.text, err.line);
    return doc;
}

/* Whether "GET, HEAD" holds the verb ("get"). */
static int has_method(const char *methods, const char *verb)
{
    char m[64];
    snprintf(m, sizeof m, "%s", methods);
    for (char *t = strtok(m, ", "); t; t = strtok(NULL, ", "))
        if (!strcasecmp(t, verb))
            return 1;
    return 0;
}

/* The operation's own security says no credentials are needed. */
static int public_op(json_t *op)
{
    json_t *sec = json_object_get(op, "security");
    if (!json_is_array(sec))
        return 0;
    if (json_array_size(sec) == 0)
        return 1;
    for (size_t i = 0; i < json_array_size(sec); i++)
        if (json_object_size(json_array_get(sec, i)) == 0)
            return 1;
    return 0;
}

static void test_every_route_documented(void **state)
{
    (void)state;
    json_t *doc = load_doc(), *paths = json_object_get(doc, "paths");
    const char *methods, *path;
    enum cw_route_who who;
    int bad = 0;
    for (int i = 0; cw_http_route_info(i, &methods, &path, &who); i++) {
        json_t *item = json_object_get(paths, path);
        if (!item) {
            print_message("routed but not documented: %s %s\n", methods, path);
            bad++;
            continue;
        }
        for (int v = 0; verbs[v]; v++) {
            if (!has_method(methods, verbs[v]))
                continue;
            json_t *op = json_object_get(item, verbs[v]);
            if (!op) {
                print_message("routed but not documented: %s %s\n", verbs[v], path);
                bad++;
            } else if (public_op(op) != (who == CW_WHO_ANYONE)) {
                print_message("%s %s: the route lets %s use it, the document says %s\n", verbs[v], path,
                              who == CW_WHO_ANYONE ? "anybody" : "only who may", public_op(op) ? "anybody" : "credentials");
                bad++;
            }
        }
    }
    json_decref(doc);
    assert_int_equal(bad, 0);
}

static void test_every_documented_path_routed(void **state)
{
    (void)state;
    json_t *doc = load_doc(), *paths = json_object_get(doc, "paths"), *item;
    const char *key;
    int bad = 0, n = 0;
    json_object_foreach(paths, key, item) {
        for (int v = 0; verbs[v]; v++) {
            if (!json_object_get(item, verbs[v]))
                continue;
            const char *methods, *path;
            enum cw_route_who who;
            int found = 0;
            for (int i = 0; !found && cw_http_route_info(i, &methods, &path, &who); i++)
                found = !strcmp(path, key) && has_method(methods, verbs[v]);
            if (!found) {
                print_message("documented but not routed: %s %s\n", verbs[v], key);
                bad++;
            }
            n++;
        }
    }
    json_decref(doc);
    assert_true(n > 10);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_documented),
        cmocka_unit_test(test_every_documented_path_routed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
