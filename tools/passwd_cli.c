/* `camwatch passwd NAME`: a password hash for the config's users: list.
 * The password is read from the terminal without echo (twice), or as one
 * line from standard input when that is not a terminal (scripts, tests);
 * it never appears on the command line, where `ps` would show it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../daemon/auth.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch passwd NAME [--role viewer|technician|admin] [--initial]\n"
               "Asks for NAME's password (from standard input when it is not a terminal) and prints the\n"
               "users: entry to paste into the config, with an argon2id hash (libsodium, salted).\n"
               "A password has at least 8 characters, of at least three kinds: lower case, upper case,\n"
               "digits, others (Decision 724/QĐ-BTTTT). --initial marks it an initial password: the user\n"
               "must change it at the first login, before anything else.\n");
}

/* One line into buf without its newline; echo off on a terminal. */
static int read_secret(const char *prompt, char *buf, size_t len)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *r = fgets(buf, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (!r)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

int cw_cli_passwd(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS, {"role", required_argument, NULL, 'r'},
                                             {"initial", no_argument, NULL, 'i'}, {NULL, 0, NULL, 0}};
    const char *role = "viewer";
    int c, initial = 0;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'r': role = optarg; break;
        case 'i': initial = 1; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: whose password? (%s --help)\n", g->cmd, g->cmd);
        return CW_EXIT_USAGE;
    }
    const char *name = argv[optind];
    cw_cli_lang_only(g);
    if (cw_role_parse(role) == CW_ROLE_NONE) {
        fprintf(stderr, "%s: role '%s' is not viewer, technician or admin\n", g->cmd, role);
        return CW_EXIT_USAGE;
    }
    size_t nl = strlen(name);
    if (nl == 0 || nl > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != nl) {
        fprintf(stderr, "%s: a user name is 1 to 64 letters, digits, '.', '_' or '-'\n", g->cmd);
        return CW_EXIT_USAGE;
    }
    char pw[512], again[512], hash[256];
    if (read_secret(CW_L(g, "mật khẩu: ", "password: "), pw, sizeof pw) < 0) {
        fprintf(stderr, CW_L(g, "%s: chưa nhập mật khẩu\n", "%s: no password given\n"), g->cmd);
        return CW_EXIT_USAGE;
    }
    if (isatty(STDIN_FILENO) && (read_secret(CW_L(g, "nhập lại: ", "again: "), again, sizeof again) < 0 ||
                                 strcmp(pw, again) != 0)) {
        fprintf(stderr, CW_L(g, "%s: hai mật khẩu không giống nhau\n", "%s: the two passwords differ\n"), g->cmd);
        return CW_EXIT_USAGE;
    }
    unsigned long chars;
    int kinds, weak = cw_auth_password_weak(pw, &chars, &kinds); /* Decision 724/QĐ-BTTTT */
    if (weak) {
        memset(pw, 0, sizeof pw);
        memset(again, 0, sizeof again);
        if (weak == 1)
            fprintf(stderr, CW_L(g, "%s: mật khẩu cần ít nhất 8 ký tự (mật khẩu này có %lu)\n",
                                 "%s: the password is too weak: %lu characters, at least 8 are needed\n"),
                    g->cmd, chars);
        else
            fprintf(stderr, CW_L(g, "%s: mật khẩu cần ít nhất 3 trong 4 loại ký tự: chữ thường, chữ hoa, chữ số, ký tự "
                                    "khác (mật khẩu này có %d)\n",
                                 "%s: the password is too weak: %d kind(s) of character, at least 3 of lower case, "
                                 "upper case, digits and others are needed\n"),
                    g->cmd, kinds);
        return CW_EXIT_USAGE;
    }
    int rc = cw_auth_hash_password(pw, hash, sizeof hash);
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    if (rc < 0) {
        fprintf(stderr, CW_L(g, "%s: không băm được mật khẩu (hết bộ nhớ?)\n", "%s: hashing failed (out of memory?)\n"), g->cmd);
        return CW_EXIT_FAIL;
    }
    if (isatty(STDOUT_FILENO))
        fprintf(stderr, "%s\n", CW_L(g, "Dán mục sau vào phần users: của tệp cấu hình:", "Paste this into the config's users: list:"));
    printf("  - name: %s\n    role: %s\n    password_hash: \"%s\"\n%s", name, role, hash,
           initial ? "    initial: true\n" : "");
    return 0;
}
